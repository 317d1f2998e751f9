"""End-to-end tests in a real browser (Debian's chromium through Playwright) against uvicorn on loopback.

Screenshots go to a temporary folder (``$BACKSTRIDE_SCREENSHOTS`` to keep them) so a person can look at
the pages. With ``CI=true`` a missing chromium fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import PASSWORD, SECRET, Clinic, seed_clinic, serving

from backstride import io

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots go to BACKSTRIDE_SCREENSHOTS when set (to look at them), else to pytest's own tmp."""
    keep = os.environ.get("BACKSTRIDE_SCREENSHOTS")
    folder = Path(keep) if keep else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Clinic]]:
    from backstride import store
    from backstride.web import create_app

    folder = tmp_path_factory.mktemp("browser-clinic")
    url = f"sqlite:///{folder / 'clinic.db'}"
    store.upgrade(url)
    clinic = seed_clinic(url, folder / "blobs")
    app = create_app(url, clinic.blob_dir, secret_key=SECRET, upgrade_database=False)
    with serving(app) as base:
        yield base, clinic


def _refusal(text: str) -> bool:
    """The browser's console line for a file refused with 422 ("Failed to load resource"), which the test
    asserts on the page; htmx logs no 4xx (the app's answer, swapped in), and any other error status (a 404
    for a script, a 403) still fails."""
    return re.search(r"responded with a status of 422\b", text) is not None


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    pg.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and not _refusal(msg.text)
            else None
        ),
    )
    yield pg
    context.close()
    # No script errors and no Content-Security-Policy violations on any page visited (a refused upload's 422,
    # which the browser and htmx log, is the app's answer, shown on the page and asserted there).
    assert problems == []


def _sign_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def _answer_screen(page: Any, **yes: bool) -> None:
    for radio in page.locator('input[type=radio][value="no"]').all():
        radio.check()
    for name in yes:
        page.locator(f'input[name="{name}"][value="yes"]').check()
    page.locator('input[name="age"]').fill("52")
    page.locator('select[name="sex"]').select_option("female")
    page.locator('input[name="pain_nrs"]').fill("5")
    page.locator('input[name="pain_duration_weeks"]').fill("8")
    page.locator('input[name="walking_tolerance_min"]').fill("15")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state("networkidle")


def test_patient_flow_with_upload(page: Any, server: tuple[str, Clinic], shots: Path) -> None:
    base, clinic = server
    _sign_in(page, base, "paula@home.test")
    assert page.get_by_role("heading", name="Hello, Paula").is_visible()
    page.screenshot(path=shots / "01-today.png", full_page=True)
    page.get_by_role("link", name="Check-in").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=shots / "02-checkin.png")
    _answer_screen(page)
    assert page.get_by_role("heading", name="Check-in done").is_visible()
    page.screenshot(path=shots / "03-checkin-done.png", full_page=True)
    page.get_by_role("link", name="Next: a few questionnaires").click()
    page.locator('input[name="score"][value="5"]').check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/questionnaires/odi")
    page.screenshot(path=shots / "04-odi.png")
    page.goto(f"{base}/patients/{clinic.patient_a}/recordings/new")
    page.set_input_files("#file", str(io.sample_path()))
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_url(f"**/patients/{clinic.patient_a}/recordings/*", timeout=60_000)
    page.wait_for_selector("#plot-bouts .main-svg", timeout=30_000)
    page.wait_for_selector("#plot-cadence-speed .main-svg")
    page.wait_for_selector("#plot-foot-steps .main-svg")
    page.wait_for_selector("#plot-trunk-lean .main-svg")
    assert page.get_by_role("heading", name="Your walk").is_visible()
    page.screenshot(path=shots / "05-result.png", full_page=True)
    page.get_by_role("link", name="Go to my plan").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Walking").is_visible()
    page.screenshot(path=shots / "06-plan.png", full_page=True)
    started = time.monotonic()
    page.get_by_role("link", name="Log today").click()
    page.locator("#w1_minutes").fill("10")
    page.locator("#w1_pain_before").fill("3")
    page.locator("#w1_pain_during").fill("4")
    page.locator("#w1_pain_after").fill("3")
    page.get_by_role("button", name="Save today's log").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Saved. Thank you").is_visible()
    assert time.monotonic() - started < 60
    page.screenshot(path=shots / "07-log.png", full_page=True)
    page.get_by_role("link", name="Progress").first.click()
    page.wait_for_selector("#plot-pain .main-svg")
    page.screenshot(path=shots / "08-progress.png", full_page=True)


def test_emergency_stop(page: Any, server: tuple[str, Clinic], shots: Path) -> None:
    base, clinic = server
    _sign_in(page, base, "peter@home.test")
    page.goto(f"{base}/patients/{clinic.patient_b}/checkin")
    _answer_screen(page, saddle_numbness=True)
    number = page.locator("#emergency-number")
    assert number.inner_text() == "911"
    size = float(number.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert size >= 48
    # nothing to click past the stop: the one link is the number, which calls it
    assert page.locator("button, nav, form, input").count() == 0
    assert page.locator("a").count() == 1 and number.get_attribute("href") == "tel:911"
    _a_call_link_to_tap_and_read(number)
    page.screenshot(path=shots / "09-emergency.png", full_page=True)
    page.goto(f"{base}/patients/{clinic.patient_b}/plan")
    assert page.locator("#emergency-number").is_visible()
    # the clinician's view of the same screening: the advice's number, in a sentence, is a link too
    _sign_in(page, base, "ben@clinic.test")
    page.goto(f"{base}/patients/{clinic.patient_b}/checkin/result")
    said = page.locator(".caution a.tel")
    assert said.inner_text() == "911" and said.get_attribute("href") == "tel:911"
    _a_call_link_to_tap_and_read(said)


def _overflows(locator: Any) -> bool:
    """Whether what is in the element (a word, a number) runs out of its own box."""
    return bool(locator.evaluate("e => e.scrollWidth > e.clientWidth + 0.5"))


def test_the_emergency_page_reads_whole_on_a_phone_at_200_percent_zoom(
    page: Any, server: tuple[str, Clinic], shots: Path
) -> None:
    """A 390 px phone zoomed to 200 % (195 CSS px): the emergency page's heading and number stayed as large as
    on a desktop, so "medical" and the number ran out of the red box and off the screen."""
    base, clinic = server
    patient = _new_patient(clinic, "zoe@home.test")
    _sign_in(page, base, "zoe@home.test")
    page.goto(f"{base}/patients/{patient}/checkin")
    page.locator('input[name="bilateral_leg_symptoms"][value="yes"]').check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state("networkidle")
    for width, height in ((195, 422), (160, 320)):  # 390 x 844 and 320 x 640 at 200 %
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for part in (".emergency-box", ".emergency-box h1", ".emergency-number"):
            assert not _overflows(page.locator(part)), f"{part} at {width} px"
        assert page.locator("#emergency-number").inner_text() == "911"
        assert (
            float(page.locator("#emergency-number").evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
            >= 40
        )
        page.screenshot(path=shots / f"09c-emergency-{width}px.png", full_page=True)


# WCAG 2.2's relative luminance and contrast ratio (success criterion 1.4.3, its definitions)
_COLOURS = """e => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  let back = e;
  while (back && rgb(getComputedStyle(back).backgroundColor).length > 3
         && rgb(getComputedStyle(back).backgroundColor)[3] === 0) { back = back.parentElement; }
  const box = e.getBoundingClientRect();
  return {ink: rgb(getComputedStyle(e).color), paper: rgb(getComputedStyle(back || document.body).backgroundColor),
          width: box.width, height: box.height, size: parseFloat(getComputedStyle(e).fontSize),
          weight: Number(getComputedStyle(e).fontWeight), underline: getComputedStyle(e).textDecorationLine};
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _a_call_link_to_tap_and_read(link: Any) -> None:
    """A target of at least 24 x 24 CSS px (2.5.8), text of normal contrast (4.5:1, 1.4.3) or more, larger
    than the text around it and underlined, as a link."""
    seen = link.evaluate(_COLOURS)
    assert seen["width"] >= 24 and seen["height"] >= 24, seen
    light, dark = sorted((_luminance(seen["ink"]), _luminance(seen["paper"])), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5, seen
    assert seen["size"] >= 19 and seen["weight"] >= 700 and "underline" in seen["underline"], seen


def _new_patient(clinic: Clinic, email: str) -> int:
    """Another of Anna's patients, signed in with the test password (the emergency stop is per patient)."""
    from backstride import store
    from backstride._accounts import hash_password

    with clinic_db(clinic) as s:
        anna = store.get_user(s, clinic.clinician_a)
        name = email.split("@")[0].capitalize() + " Patient"
        patient = store.create_patient(
            s, anna, email, name, age=44, sex="male", height_m=1.75, password_hash=hash_password(PASSWORD)
        )
        return int(patient.id)


def test_one_warning_sign_answered_yes_reaches_the_emergency_page_at_once(
    page: Any, server: tuple[str, Clinic], shots: Path
) -> None:
    """Only the first question answered, "Yes": no check of the browser's holds the form back."""
    base, clinic = server
    patient = _new_patient(clinic, "quinn@home.test")
    _sign_in(page, base, "quinn@home.test")
    page.goto(f"{base}/patients/{patient}/checkin")
    page.locator('input[name="saddle_numbness"][value="yes"]').check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#emergency-number").inner_text() == "911"
    assert page.get_by_role("heading", name="Please get medical help now").is_visible()
    page.screenshot(path=shots / "09b-emergency-first-answer.png", full_page=True)


def test_a_warning_sign_in_the_log_beside_a_pain_of_11_reaches_the_emergency_page(
    page: Any, server: tuple[str, Clinic]
) -> None:
    base, clinic = server
    patient = _new_patient(clinic, "rosa@home.test")
    _sign_in(page, base, "rosa@home.test")
    page.goto(f"{base}/patients/{patient}/log")
    page.locator("#w1_minutes").fill("10")
    page.locator("#w1_pain_before").fill("3")
    page.locator("#w1_pain_during").fill("11")
    page.locator("#w1_pain_after").fill("4")
    page.get_by_text("I have a new warning sign").click()
    page.locator('input[name="flag_urinary_retention"]').check()
    page.get_by_role("button", name="Save today's log").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#emergency-number").inner_text() == "911"


def _ensure_plan(clinic: Clinic) -> None:
    """Paula has a plan after the flow test; when this test runs alone, give her one."""
    import datetime as dt

    from backstride import clinic as core
    from backstride import store

    with clinic_db(clinic) as s:
        if store.current_plan(s, clinic.patient_a) is None:
            baseline = core.Baseline(
                age=52, sex="female", pain_nrs=5, walking_tolerance_min=15, start_date=dt.date.today()
            )
            store.save_plan(
                s, clinic.patient_a, core.make_plan(baseline).model_dump(mode="json"), "test", None
            )


def test_clinician_caseload(page: Any, server: tuple[str, Clinic], shots: Path) -> None:
    base, clinic = server
    _ensure_plan(clinic)
    _sign_in(page, base, "anna@clinic.test")
    assert page.get_by_role("heading", name="Caseload").is_visible()
    row = page.get_by_role("row", name="Paula Patient", exact=False)
    assert row.count() == 1
    page.screenshot(path=shots / "10-caseload.png", full_page=True)
    page.get_by_role("link", name="Paula Patient").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Paula Patient").is_visible()
    page.screenshot(path=shots / "11-patient.png", full_page=True)
    # Change the plan, with a reason: a new version.
    page.locator("#minutes_per_walk").fill("9")
    page.get_by_label("Reason (kept with the new version)").fill("Pain rose on longer walks")
    page.get_by_role("button", name="Save as a new plan version").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Pain rose on longer walks").first.is_visible()
    page.screenshot(path=shots / "12-plan-changed.png", full_page=True)


def test_progress_with_phone_and_watch_figures(
    page: Any, server: tuple[str, Clinic], shots: Path, shared_data: Path
) -> None:
    base, clinic = server
    _sign_in(page, base, "paula@home.test")
    page.goto(f"{base}/patients/{clinic.patient_a}/progress")
    for name in (
        "apple_health/opendroid_hk_sampleexport-2.xml",
        "garmin_fit/fitparse_garmin-fenix-5-walk.fit",
    ):
        page.set_input_files("#activity-file", str(shared_data / "devices" / name))
        page.get_by_role("button", name="Upload the file").click()
        page.wait_for_url("**/progress?imported=*")
    page.wait_for_selector("#plot-activity .main-svg")
    page.wait_for_selector("#plot-activity-evenness .main-svg")
    page.screenshot(path=shots / "13-activity.png", full_page=True)
    # on a phone the plots are fitted again: the titles on two lines, the legends' entries whole
    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_selector("#plot-activity .gtitle tspan.line")
    page.wait_for_timeout(500)  # a legend is hung under the x axis right after the first drawing
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for plot in (page.locator("#plot-activity"), page.locator("#plot-activity-evenness")):
        _fits(plot, "phone and watch figures on a phone")
    page.screenshot(path=shots / "13-activity-phone.png", full_page=True)


def test_the_offline_report_draws_its_plots_without_a_network(page: Any, tmp_path: Path, shots: Path) -> None:
    from backstride.cli import main

    target = tmp_path / "report.html"
    assert main(["analyze", str(io.sample_path()), "--height-m", "1.59", "--html", str(target)]) == 0
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(target.as_uri())
    blocks = page.locator("script[data-plot-for]").count()
    assert blocks == 7  # three stretches of signal, then bouts, cadence and speed, left and right steps, lean
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === {blocks}")
    # the signal plot has the trunk's trace and a marker per step in view
    assert page.locator("#plot-signal-1 .scatterlayer .trace").count() >= 3
    assert requests == [target.as_uri()]  # the page fetched nothing: it is all inside
    page.screenshot(path=shots / "20-offline-report.png", full_page=True)


def test_a_report_of_thousands_of_bouts_draws(page: Any, tmp_path: Path) -> None:
    """A week holds thousands of bouts: drawn over time, not one tick and row per bout (which kept the
    browser busy for more than 30 s)."""
    from tests.report.conftest import synthetic_result

    from backstride import report

    target = tmp_path / "week.html"
    report.write_recording_report(target, synthetic_result(5000, 7 * 86400.0))
    page.goto(target.as_uri())
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length === 4", timeout=15_000)


def _download_from_patient_page(
    page: Any, base: str, patient_id: int, link: str, suffix: str, folder: Path
) -> Path:
    """Sign in as Paula's therapist, click ``link`` on her page and keep the file it downloads."""
    _sign_in(page, base, "anna@clinic.test")
    page.goto(f"{base}/patients/{patient_id}")
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    download = info.value
    assert download.suggested_filename.startswith("backstride-paula-patient-")
    assert download.suggested_filename.endswith(suffix)
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def test_the_clinician_downloads_the_record_as_fhir(
    page: Any, server: tuple[str, Clinic], tmp_path: Path
) -> None:
    import json

    base, clinic = server
    _ensure_plan(clinic)
    target = _download_from_patient_page(
        page, base, clinic.patient_a, "Download the record as FHIR (JSON)", ".fhir.json", tmp_path
    )
    bundle = json.loads(target.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"CodeSystem", "Patient", "CarePlan"} <= kinds
    assert bundle["entry"][1]["resource"]["name"] == [{"text": "Paula Patient"}]


def _summary_with_a_plot(clinic: Clinic, pain_score: int) -> None:
    """Paula has a plan and a pain rating, so her summary has a plot to draw."""
    from backstride import clinic as core
    from backstride import store

    _ensure_plan(clinic)
    with clinic_db(clinic) as s:
        pain = core.score("nprs", {"score": pain_score})
        store.add_questionnaire(s, clinic.patient_a, "nprs", {}, pain.score, pain.model_dump(mode="json"))


def _every_plot_draws(page: Any) -> None:
    expected = page.locator("div.plot").count()
    assert expected >= 1
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot').length === {expected}", timeout=15_000
    )


def test_the_clinician_downloads_the_progress_summary_and_its_plots_draw(
    page: Any, server: tuple[str, Clinic], tmp_path: Path
) -> None:
    base, clinic = server
    _summary_with_a_plot(clinic, 4)
    link = "Download the progress summary for the doctor (HTML)"
    target = _download_from_patient_page(page, base, clinic.patient_a, link, "-summary.html", tmp_path)
    page.goto(target.as_uri())  # opened from the file, offline: everything it needs is inside
    assert page.get_by_role("heading", name="Progress summary: Paula Patient").is_visible()
    assert page.get_by_role("heading", name="Walking and exercise program").is_visible()
    _every_plot_draws(page)


def test_the_clinician_opens_the_progress_summary_and_its_plots_draw_under_its_policy(
    page: Any, server: tuple[str, Clinic], shots: Path
) -> None:
    """Opened from the app (not from a file), the summary is under a Content-Security-Policy: its own one,
    which lets its two scripts run by their hashes. A blocked script would be a console error here (the
    fixture fails the test on any) and no plot would draw."""
    base, clinic = server
    _summary_with_a_plot(clinic, 5)
    _sign_in(page, base, "anna@clinic.test")
    page.goto(f"{base}/patients/{clinic.patient_a}")
    link = page.get_by_role("link", name="open it to read or print")
    assert link.get_attribute("target") == "_blank"
    response = page.goto(base + str(link.get_attribute("href")))
    assert response is not None and "script-src 'sha256-" in response.headers["content-security-policy"]
    assert page.get_by_role("heading", name="Progress summary: Paula Patient").is_visible()
    _every_plot_draws(page)
    page.screenshot(path=shots / "30-progress-summary.png", full_page=True)


def test_the_clinician_marks_a_questionnaire_as_entered_in_error(
    page: Any, server: tuple[str, Clinic]
) -> None:
    from backstride import clinic as core
    from backstride import store

    base, clinic = server
    with clinic_db(clinic) as s:  # a rating given for the wrong patient
        odi = core.score("odi", {"sections": [5] * 10})
        row = store.add_questionnaire(s, clinic.patient_a, "odi", {}, odi.score, odi.model_dump(mode="json"))
        rid = row.id
    _sign_in(page, base, "anna@clinic.test")
    page.goto(f"{base}/patients/{clinic.patient_a}")
    form = page.locator(f"form[action$='/questionnaires/responses/{rid}/entered-in-error']")
    form.locator("xpath=..").locator("summary").click()
    form.get_by_label("Why is it in error?").fill("another patient's form")
    form.get_by_role("button", name="Mark as entered in error").click()
    page.wait_for_url(f"**/patients/{clinic.patient_a}#questionnaires")
    assert page.get_by_text("Entered in error: another patient's form (Anna Therapist").is_visible()
    with clinic_db(clinic, readonly=True) as s:
        marked = s.get(store.QuestionnaireResponse, rid)
        assert marked is not None and marked.entered_in_error_reason == "another patient's form"
        assert rid not in [q.id for q in store.questionnaire_history(s, clinic.patient_a)]


def test_the_clinician_puts_the_height_right_and_analyses_the_walk_again(
    page: Any, server: tuple[str, Clinic], shots: Path
) -> None:
    from backstride import store
    from backstride.web._analysis import analyze_stream_with_progress

    base, clinic = server
    subject = {"height_m": 1.68, "sensor_height_m": None, "age": 52, "sex": "female"}
    with clinic_db(clinic) as s:  # a walk measured with the height first given
        rid = store.add_recording(
            s,
            store.BlobStore(clinic.blob_dir),
            clinic.patient_a,
            "walk.csv.gz",
            io.sample_path().read_bytes(),
            lambda path: ("csv", analyze_stream_with_progress(path, subject)),
        ).id
    _sign_in(page, base, "anna@clinic.test")
    page.goto(f"{base}/patients/{clinic.patient_a}")
    page.get_by_text("Put the patient's details right…").click()
    details = page.locator("details#details")
    details.get_by_label("Height (metres, e.g. 1.72)").fill("1.80")
    details.get_by_role("button", name="Save the details").click()
    page.wait_for_url(f"**/patients/{clinic.patient_a}#recordings")
    again = page.locator(f"form[action$='/recordings/{rid}/analyse-again']")
    assert again.get_by_text("Measured with height 1.68 m").is_visible()
    page.screenshot(path=shots / "40-details-put-right.png", full_page=True)
    again.get_by_role("button", name="Analyse again with the current details").click()
    page.wait_for_url(f"**/patients/{clinic.patient_a}/recordings/{rid}", timeout=60_000)
    page.wait_for_selector("#plot-bouts .main-svg", timeout=30_000)
    with clinic_db(clinic, readonly=True) as s:
        newest = store.latest_analysis(s, rid)
        assert newest is not None and newest.result["subject"]["height_m"] == 1.80
    with clinic_db(clinic) as s:  # as the other tests of this module expect her
        store.update_profile(s, clinic.patient_a, age=52, sex="female", height_m=1.68, sensor_height_m=None)


_NO_BROWSER_BOUNDS = "els => els.forEach(e => { e.removeAttribute('min'); e.removeAttribute('max'); })"


def test_the_new_patient_and_details_forms_come_back_with_every_problem_named(
    page: Any, server: tuple[str, Clinic], shots: Path
) -> None:
    """What the store refuses (a name of spaces, an address without a dot, a height of 0.5 m) comes back in
    the form itself, every problem named, every entry kept. The fields' own ``min``/``max`` are the store's
    bounds; they are taken off here, as a browser that does not check them would send the form."""
    base, clinic = server
    _sign_in(page, base, "anna@clinic.test")
    page.goto(f"{base}/clinician/patients/new")
    height = page.get_by_label("Height (metres, e.g. 1.72)")
    assert (height.get_attribute("min"), height.get_attribute("max")) == ("0.8", "2.5")
    page.locator("form input").evaluate_all(_NO_BROWSER_BOUNDS)
    page.get_by_label("Name").fill("   ")
    page.get_by_label("Email").fill("olive@home")
    page.get_by_label("Age (years)").fill("47")
    page.get_by_label("Height (metres, e.g. 1.72)").fill("0.5")
    page.get_by_role("button", name="Add patient").click()
    page.wait_for_load_state("networkidle")
    problems = page.locator("#details-problems li").all_inner_texts()
    assert problems == [
        "Name: please fill it in.",
        "Email: “olive@home” is not an e-mail address.",
        "Height: 0.5 m is not plausible; give it in metres, e.g. 1.72.",
    ]
    assert page.get_by_label("Email").input_value() == "olive@home"
    assert page.get_by_label("Age (years)").input_value() == "47"
    assert page.get_by_label("Height (metres, e.g. 1.72)").input_value() == "0.5"
    page.screenshot(path=shots / "41-new-patient-problems.png", full_page=True)
    page.get_by_label("Name").fill("Olive Patient")
    page.get_by_label("Email").fill("olive@home.test")
    page.get_by_label("Height (metres, e.g. 1.72)").fill("1.66")
    page.get_by_role("button", name="Add patient").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Olive Patient has been added").is_visible()

    page.goto(f"{base}/patients/{clinic.patient_a}")
    page.get_by_text("Put the patient's details right…").click()
    details = page.locator("details#details")
    sensor = details.get_by_label("Sensor height above the floor")
    assert (sensor.get_attribute("min"), sensor.get_attribute("max")) == ("0.3", "1.6")
    details.locator("input").evaluate_all(_NO_BROWSER_BOUNDS)
    details.get_by_label("Sensor height above the floor").fill("2")
    details.get_by_role("button", name="Save the details").click()
    page.wait_for_load_state("networkidle")
    details = page.locator("details#details")
    assert details.get_attribute("open") is not None  # shown, not folded away
    assert details.locator("#details-problems li").all_inner_texts() == [
        "Sensor height: 2.0 m is not plausible; give it in metres."
    ]
    assert details.get_by_label("Sensor height above the floor").input_value() == "2"
    assert details.get_by_label("Height (metres, e.g. 1.72)").input_value() == "1.68"  # as stored
    page.screenshot(path=shots / "42-details-problems.png", full_page=True)


def test_a_loggers_table_is_refused_then_read_with_the_fields_the_refusal_names(
    page: Any, server: tuple[str, Clinic], shots: Path, shared_data: Path, tmp_path: Path
) -> None:
    """A table of acceleration alone in g: the refusal names the form's fields and opens their section; filled
    in, the same file is analysed."""
    base, clinic = server
    rows = (shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv").read_text().splitlines()[1:]
    table = tmp_path / "logger.csv"
    table.write_text(
        "ax,ay,az\n"
        + "".join(",".join(f"{float(v) / 9.80665:.5f}" for v in r.split(",")[1:4]) + "\n" for r in rows)
    )
    _sign_in(page, base, "paula@home.test")
    page.goto(f"{base}/patients/{clinic.patient_a}/recordings/new")
    options = page.locator("details.read-options")
    assert options.get_attribute("open") is None  # closed until a file needs it
    page.set_input_files("#file", str(table))
    page.get_by_role("button", name="Upload and analyse").click()
    refusal = page.locator("#upload-result")
    refusal.get_by_text("has no time column").wait_for(timeout=30_000)
    assert 'fill in "Samples per second"' in refusal.inner_text()
    assert "--rate-hz" not in refusal.inner_text()
    assert options.get_attribute("open") is not None  # opened by the refusal
    page.screenshot(path=shots / "09-read-options.png", full_page=True)
    page.locator("#rate_hz").fill("100")
    page.locator("#acc_unit").select_option("g")
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_url(f"**/patients/{clinic.patient_a}/recordings/*", timeout=60_000)
    page.wait_for_selector("#plot-bouts .main-svg", timeout=30_000)
    assert page.get_by_role("heading", name="Your walk").is_visible()


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return dict(box)


def _fits(plot: Any, where: str) -> None:
    """Every title of the plot is whole inside its figure and covers nothing: the plot's title above the
    plotting area, the x axis's title under its tick labels, a y axis's title from the figure's top down; and
    the legend, whole, under them."""
    figure = _box(plot.locator(".main-svg").first)
    area = _box(plot.locator(".nsewdrag").first)
    left, right, top = figure["x"], figure["x"] + figure["width"], figure["y"]
    title = _box(plot.locator(".gtitle"))
    text = plot.locator(".gtitle").text_content()
    assert left <= title["x"] and title["x"] + title["width"] <= right, f"{where}: {text!r} is cut"
    assert title["y"] >= top, f"{where}: {text!r} runs above its figure"
    assert title["y"] + title["height"] <= area["y"], f"{where}: {text!r} runs into the plot"
    for axis in plot.locator(".g-ytitle, .g-y2title").all():
        if not (axis.text_content() or "").strip():
            continue
        box = _box(axis)
        assert box["y"] >= top and box["y"] + box["height"] <= figure["y"] + figure["height"], where
    below = None  # how far down the x axis's tick labels and title reach
    # the layer with the x axis's tick labels (a figure of panels, as cadence over speed, has a layer per
    # panel, empty but for the lowest's, where the shared x axis is drawn)
    labelled = plot.locator(".xaxislayer-above:has(text)")
    if labelled.count():
        ticks = _box(labelled)
        below = ticks["y"] + ticks["height"]
    if (plot.locator(".g-xtitle").text_content() or "").strip():
        x_title = _box(plot.locator(".g-xtitle"))
        assert left <= x_title["x"] and x_title["x"] + x_title["width"] <= right, f"{where}: x title cut"
        assert below is not None and x_title["y"] >= below - 1, f"{where}: x title over its tick labels"
        below = x_title["y"] + x_title["height"]
    if plot.locator(".legend").count():  # every legend here is a row under the plot
        legend = _box(plot.locator(".legend"))
        assert left <= legend["x"] and legend["x"] + legend["width"] <= right, f"{where}: the legend is cut"
        assert below is None or legend["y"] >= below - 1, f"{where}: the legend over the x axis"


def _title_lines(plot: Any) -> int:
    return max(1, plot.locator(".gtitle tspan.line").count())


def test_the_reports_plots_fit_a_phone_a_desktop_and_a_turned_phone(browser: Any, tmp_path: Path) -> None:
    """The recording's report opened from its file: on a phone (375 px) every title breaks into lines that
    fit, none is cut and none covers the plot, and the page scrolls no sideways; on a desktop the same titles
    take one line; turned from 375 to 800 px wide, the titles are fitted again."""
    from backstride.cli import main

    target = tmp_path / "report.html"
    assert main(["analyze", str(io.sample_path()), "--height-m", "1.59", "--html", str(target)]) == 0
    phone = next(pages := _phone(browser))
    phone.goto(target.as_uri())
    phone.wait_for_function("document.querySelectorAll('.js-plotly-plot .gtitle').length === 7")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    plots = phone.locator("div.js-plotly-plot").all()
    for plot in plots:
        _fits(plot, "report on a phone")
    narrow = {str(plot.get_attribute("id")): _title_lines(plot) for plot in plots}
    # "Trunk movement and the steps found, 0:27–0:36" and "Forward lean of the trunk while walking" do not
    # fit one line of a phone: whole, on two
    assert narrow["plot-signal-1"] == 2 and narrow["plot-trunk-lean"] == 2
    lines = plots[0].locator(".gtitle tspan.line").all_text_contents()
    assert " ".join(lines).startswith("Trunk movement and the steps found, 0:")  # every word kept
    phone.set_viewport_size({"width": 800, "height": 375})  # the phone turned: wider, and a toolbar beside
    phone.wait_for_function("document.querySelector('#plot-trunk-lean .gtitle tspan.line') === null")
    for plot in phone.locator("div.js-plotly-plot").all():
        _fits(plot, "report on a turned phone")
        assert _title_lines(plot) <= narrow[str(plot.get_attribute("id"))]
    next(pages, None)  # closes the phone's page, failing on any script error

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    desktop = context.new_page()
    desktop.goto(target.as_uri())
    desktop.wait_for_function("document.querySelectorAll('.js-plotly-plot .gtitle').length === 7")
    for plot in desktop.locator("div.js-plotly-plot").all():
        _fits(plot, "report on a desktop")
        assert _title_lines(plot) == 1
    context.close()


def _phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    yield pg
    context.close()
    assert problems == []


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone's page (375 x 800, touch), failing the test on a script error as ``page`` does."""
    yield from _phone(browser)


def test_no_page_scrolls_sideways_on_a_phone(phone: Any, demo_server: str, shots: Path) -> None:
    """At 375 x 800 no page is wider than the screen: tables scroll inside their own box, the file input
    fits; and every plot's title fits beside (no) toolbar."""
    base = demo_server

    def sign_in(email: str, password: str) -> None:
        phone.goto(f"{base}/signin")
        phone.get_by_label("Email").fill(email)
        phone.get_by_label("Password").fill(password)
        phone.get_by_role("button", name="Sign in").click()
        phone.wait_for_load_state("networkidle")

    def check(path: str) -> None:
        phone.goto(base + path)
        phone.wait_for_load_state("networkidle")
        plots = phone.locator("div.plot").count()
        if plots:
            phone.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === {plots}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide"
        for plot in phone.locator("div.js-plotly-plot").all():
            assert plot.locator(".modebar").count() == 0, f"{path}: a toolbar over the plot's title"
            _fits(plot, path)
        phone.screenshot(path=shots / f"phone{path.replace('/', '-').replace('?', '-')}.png", full_page=True)

    sign_in("alex@demo.backstride", "demo-alex-2026")
    alex = int(phone.url.rstrip("/").split("/")[-1])
    phone.goto(f"{base}/patients/{alex}/recordings")
    recording = str(phone.locator("table a").first.get_attribute("href"))
    for path in ("/recordings", "/progress", "/questionnaires", "/recordings/new", "", "/plan", "/log"):
        check(f"/patients/{alex}{path}")
    check(recording)
    phone.get_by_role("button", name="Sign out").click()
    sign_in("therapist@demo.backstride", "demo-therapist")
    check("/caseload")
    for link in phone.locator("table a[href^='/patients/']").all():
        check(str(link.get_attribute("href")))
        phone.go_back()
    check(f"/patients/{alex}/summary.html?view=1")
    check(f"{recording}/report.html?view=1")


def test_a_patients_pages_fit_a_phone_zoomed_to_200_percent(
    browser: Any, demo_server: str, shots: Path
) -> None:
    """A 390 px phone at 200 % zoom (195 CSS px): the header's sign-out row did not wrap, a check-in
    question's box kept the width of its longest word ("chemotherapy,") and a walk's box its fields', and a
    long questionnaire name ran off the card, so each page scrolled sideways."""
    context = browser.new_context(viewport={"width": 195, "height": 422}, device_scale_factor=4)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        _sign_in(page, demo_server, "alex@demo.backstride", "demo-alex-2026")
        alex = int(page.url.rstrip("/").split("/")[-1])
        for path in ("", "/checkin", "/log", "/progress", "/plan"):
            page.goto(f"{demo_server}/patients/{alex}{path}")
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=shots / f"zoom200-{path.strip('/') or 'today'}.png", full_page=True)
            assert width <= 195, f"{path or '/'} is {width} px wide"
    finally:
        context.close()


def test_a_tick_box_beside_a_long_label_keeps_its_size_on_a_phone(phone: Any, demo_server: str) -> None:
    """The daily log's exercises and warning signs, and the new patient's first sign-in: a box beside a label
    that wraps on a phone stays square and full size (it was squeezed to 13 px wide)."""
    base = demo_server
    _sign_in(phone, base, "alex@demo.backstride", "demo-alex-2026")
    phone.get_by_role("link", name="Daily log").first.click()
    phone.get_by_text("I have a new warning sign").click()
    boxes = phone.locator("main input[type=checkbox], main input[type=radio]")
    assert boxes.count() > 5
    for box in boxes.all():
        size = _box(box)
        assert size["width"] >= 17 and abs(size["width"] - size["height"]) < 0.5, size


def test_a_refused_upload_sent_from_the_keyboard_leaves_the_focus_on_the_answer(
    page: Any, server: tuple[str, Clinic], tmp_path: Path
) -> None:
    """The upload's button is disabled while the file is sent, which took the focus from it to the page's
    body (a keyboard or screen reader user was put back at the top): the answer takes the focus."""
    base, clinic = server
    _sign_in(page, base, "paula@home.test")
    page.goto(f"{base}/patients/{clinic.patient_a}/recordings/new")
    table = tmp_path / "logger.csv"  # acceleration without a time column: refused, asking for the rate
    table.write_text("ax,ay,az\n" + "0.01,0.02,0.98\n" * 500)
    page.set_input_files("#file", str(table))
    page.get_by_role("button", name="Upload and analyse").focus()
    page.keyboard.press("Enter")
    page.locator("#upload-result [role=alert]").wait_for(timeout=30_000)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'upload-result'")


def test_what_a_walks_figure_means_reads_in_lines_on_a_phone(phone: Any, demo_server: str) -> None:
    """The walk's comparison with the norms: its column of sentences was squeezed to a word or two a line
    (the table, wider than a phone, scrolls in its own box)."""
    base = demo_server
    _sign_in(phone, base, "alex@demo.backstride", "demo-alex-2026")
    alex = int(phone.url.rstrip("/").split("/")[-1])
    phone.goto(f"{base}/patients/{alex}/recordings")
    phone.locator("table a").first.click()
    phone.wait_for_load_state("networkidle")
    meanings = phone.locator("#norms tbody td:last-child")
    assert meanings.count() > 0
    for cell in meanings.all():
        assert _box(cell)["width"] >= 200


def test_no_plot_offers_to_send_its_figures_to_plotlys_cloud(
    page: Any, demo_server: str, tmp_path: Path
) -> None:
    """Plotly's toolbar (shown on a desktop) has a "Share chart..." button by default that uploads the plotted
    figures, a patient's, to plotly's cloud service: neither the offline report nor the app's pages have it."""
    from backstride.cli import main

    target = tmp_path / "report.html"
    assert main(["analyze", str(io.sample_path()), "--height-m", "1.59", "--html", str(target)]) == 0
    page.goto(target.as_uri())
    blocks = page.locator("script[data-plot-for]").count()
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === {blocks}")
    assert page.locator(".modebar-btn").count() > 0  # the toolbar is there, to zoom and save a picture
    assert page.locator(".modebar-btn[data-title^='Share']").count() == 0
    _sign_in(page, demo_server, "alex@demo.backstride", "demo-alex-2026")
    page.get_by_role("link", name="Progress").first.click()
    assert page.locator("div.plot").count() > 0
    for plot in page.locator("div.plot").all():  # (the app's policy allows no evaluated predicate)
        plot.locator(".main-svg").first.wait_for()
    assert page.locator(".modebar-btn").count() > 0
    assert page.locator(".modebar-btn[data-title^='Share']").count() == 0


def _saved_by_keyboard(page: Any, button: Any) -> bytes:
    """Tab to ``button`` from the page's start, press Enter and return the file it saves."""
    page.locator("body").focus()
    for _ in range(200):
        page.keyboard.press("Tab")
        if button.evaluate("(b) => b === document.activeElement"):
            break
    else:
        raise AssertionError("the keyboard never reached the plot's save button")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    return Path(download.value.path()).read_bytes()


def test_a_keyboard_saves_a_plot_as_a_picture_in_the_app_and_the_offline_report(
    page: Any, demo_server: str, tmp_path: Path
) -> None:
    """The toolbar's camera is out of the tab order (nine tab stops a plot) and a phone shows no toolbar: each
    plot has a button after it, named by the plot's title, that saves it as a PNG named after it too."""
    from backstride.cli import main

    _sign_in(page, demo_server, "alex@demo.backstride", "demo-alex-2026")
    page.get_by_role("link", name="Progress").first.click()
    plots = page.locator("div.plot").count()
    page.locator("button.plot-save").nth(
        plots - 1
    ).wait_for()  # (the app's policy allows no evaluated predicate)
    assert page.locator("button.plot-save").count() == plots
    first = page.locator("button.plot-save").first
    title = page.locator("div.plot").first.get_attribute("aria-label") or ""
    assert first.get_attribute("aria-label") == f"Save as a picture (PNG): {title}"
    saved = _saved_by_keyboard(page, first)
    assert saved[:8] == b"\x89PNG\r\n\x1a\n" and len(saved) > 5000  # a drawn picture, not an empty one

    target = tmp_path / "report.html"
    assert main(["analyze", str(io.sample_path()), "--height-m", "1.59", "--html", str(target)]) == 0
    page.goto(target.as_uri())
    blocks = page.locator("script[data-plot-for]").count()
    page.wait_for_function(f"document.querySelectorAll('button.plot-save').length === {blocks}")
    button = page.locator("button.plot-save").nth(3)
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.endswith(".png")
    assert _saved_by_keyboard(page, button)[:4] == b"\x89PNG"


_RING_CONTRAST = """(e) => {
  const rgb = (c) => (c.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 3).map(Number);
  const lum = (c) => { const v = rgb(c).map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  let bg = "rgb(255, 255, 255)";
  for (let n = e.parentElement; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c && !c.startsWith("rgba(0, 0, 0, 0)") && c !== "transparent") { bg = c; break; }
  }
  const s = getComputedStyle(e);
  const shadow = s.boxShadow.match(/rgba?\\([^)]*\\)/);
  return Math.max(s.outlineStyle === "none" ? 1 : ratio(s.outlineColor, bg), shadow ? ratio(shadow[0], bg) : 1);
}"""


def test_the_focus_ring_stands_out_from_the_page_behind_it(page: Any, server: tuple[str, Clinic]) -> None:
    """WCAG 1.4.11: the ring that shows where the keyboard is has 3:1 against what is around it. The yellow
    ring alone was 1.5-1.6:1 on the page's light background; it now has a dark ring inside it."""
    base, clinic = server
    _sign_in(page, base, "paula@home.test")
    page.goto(f"{base}/patients/{clinic.patient_a}/log")
    seen = set()
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        tag = page.evaluate("e => e.tagName + (e.type ? ':' + e.type : '')", focused)
        if tag.startswith("BODY"):
            break
        seen.add(tag.split(":")[0])
        ratio = page.evaluate(_RING_CONTRAST, focused)
        assert ratio >= 3, f"{tag}: the focus ring is {ratio:.2f}:1 against the page"
    assert {"A", "INPUT", "BUTTON"} <= seen


def test_the_clinicians_tables_fit_a_tablet_without_scrolling_sideways(
    browser: Any, demo_server: str
) -> None:
    """On a tablet (768 x 1024) every table of the clinician's page of a patient fits its card: with the
    recordings' file names in their table, an unbroken name pushed the "Entered in error…" column out of
    sight until the table was scrolled."""
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    tablet = context.new_page()
    tablet.set_default_timeout(20_000)
    tablet.goto(f"{demo_server}/signin")
    tablet.get_by_label("Email").fill("therapist@demo.backstride")
    tablet.get_by_label("Password").fill("demo-therapist")
    tablet.get_by_role("button", name="Sign in").click()
    tablet.wait_for_load_state("networkidle")
    patients = [str(a.get_attribute("href")) for a in tablet.locator("table a[href^='/patients/']").all()]
    assert len(patients) == 2
    for path in patients:
        tablet.goto(demo_server + path)
        tablet.wait_for_load_state("networkidle")
        assert "sample_lowback.csv.gz" in tablet.locator("#recordings").inner_text()
        wider = tablet.evaluate(
            "[...document.querySelectorAll('.scroll')].filter(e => e.scrollWidth > e.clientWidth)"
            ".map(e => e.getAttribute('aria-label'))"
        )
        assert wider == [], f"{path}: {wider}"
    context.close()


def test_a_new_way_in_reads_whole_on_a_phone(page: Any, server: tuple[str, Clinic], shots: Path) -> None:
    """On a 375 px phone the first-login link (one word of 60 characters) ran out of its box and the page
    scrolled sideways; the patient's "Signing in" section and both answers fit the screen."""
    base, clinic = server
    patient = _new_patient(clinic, "wren@home.test")
    page.set_viewport_size({"width": 375, "height": 800})
    _sign_in(page, base, "anna@clinic.test")
    for button, shown in (
        ("Give a new first-login link", "#first-login-link"),
        ("Give a new password", "dl"),
    ):
        page.goto(f"{base}/patients/{patient}#access")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert not _overflows(page.locator("#access"))
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state("networkidle")
        assert page.locator(shown).is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, button
        assert not _overflows(page.locator(".note")), button
        page.screenshot(path=shots / f"14-new-way-in-{shown.strip('#')}.png", full_page=True)


def test_the_clinician_closes_an_account_by_keyboard_and_it_is_listed_apart(
    page: Any, server: tuple[str, Clinic], shots: Path
) -> None:
    """The "Close the account" form, reached and sent from the keyboard: an empty reason is held back by the
    browser, a reason closes it; the patient's page says when, by whom and why and offers to reopen it, the
    caseload lists it under "Closed accounts", and both fit a 375 px phone."""
    from playwright.sync_api import expect

    base, clinic = server
    patient = _new_patient(clinic, "uma@home.test")
    _sign_in(page, base, "anna@clinic.test")
    page.goto(f"{base}/patients/{patient}#access")
    page.get_by_role("button", name="Give a new password").focus()
    page.keyboard.press("Tab")
    reason = page.get_by_label("Why is the account closed?")
    expect(reason).to_be_focused()
    page.keyboard.press("Enter")  # nothing typed: the browser's own check holds it back, nothing is sent
    expect(page.locator("#close-why")).to_be_visible()
    assert page.locator("#account-closed").count() == 0
    page.keyboard.type("care completed")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Close the account")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    closed = page.locator("#account-closed")
    expect(closed).to_contain_text("by Anna Therapist: care completed")
    assert closed.inner_text().startswith("Account closed on ")
    expect(page.get_by_role("button", name="Reopen with a new first-login link")).to_be_visible()
    expect(page.get_by_role("button", name="Give a new password")).to_have_count(0)
    page.screenshot(path=shots / "15-account-closed.png", full_page=True)
    page.goto(f"{base}/caseload")
    listed = page.locator("section[aria-labelledby=closed-accounts]")
    expect(listed.get_by_role("heading", name="Closed accounts")).to_be_visible()
    expect(listed.get_by_role("link", name="Uma Patient")).to_have_attribute("href", f"/patients/{patient}")
    expect(page.locator("table").get_by_role("link", name="Uma Patient")).to_have_count(0)
    page.screenshot(path=shots / "16-caseload-closed.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/caseload", f"/patients/{patient}"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    assert not _overflows(page.locator("#access"))
    page.screenshot(path=shots / "17-account-closed-phone.png", full_page=True)


def test_an_administrator_adds_a_clinician_by_keyboard_on_the_staff_page(
    page: Any, server: tuple[str, Clinic], shots: Path
) -> None:
    """From the Staff page's first field to the new clinician's first-login link with the keyboard alone; the
    page then lists the clinician with the link as their way in."""
    from backstride import store
    from backstride._accounts import hash_password

    base, clinic = server
    with clinic_db(clinic) as s:
        store.create_user(s, "keys@clinic.test", "Kim Keys", "admin", password_hash=hash_password(PASSWORD))
    _sign_in(page, base, "keys@clinic.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.get_by_role("heading", name="Add a clinician or administrator").wait_for()
    for _ in range(30):  # from the top of the page, as a keyboard comes
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "staff-name":
            break
    else:
        raise AssertionError("the keyboard never reached the Name field")
    page.keyboard.type("Kai Keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type("kai@clinic.test")
    page.keyboard.press("Tab")  # the role: Clinician, as it stands
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#first-login-link").wait_for()
    assert page.get_by_role("heading", name="Clinician added: Kai Keyboard").is_visible()
    page.screenshot(path=shots / "staff-added.png", full_page=True)
    page.get_by_role("link", name="Back to the staff page").click()
    card = page.locator("section.card", has=page.get_by_role("heading", name="Kai Keyboard"))
    card.wait_for()
    assert "First-login link until" in card.inner_text()
    page.screenshot(path=shots / "staff.png", full_page=True)


def _tab_to(page: Any, selector: str, most: int = 120) -> None:
    """Press Tab until the element ``selector`` names has the focus (failing after ``most`` presses)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement === document.querySelector({selector!r})"):
            return
    raise AssertionError(f"the keyboard never reached {selector}")


def test_a_keyboard_hands_a_closed_clinicians_patient_on_and_ends_their_care_on_a_phone(
    phone: Any, tmp_path: Path, shots: Path
) -> None:
    """At 375 px, keyboard only: an administrator hands Peter, whose only clinician left, on to Anna from the
    Staff page, is told so, then removes Ben's closed account from Peter's care team, confirming it on the step
    that asks first; no page scrolls sideways."""
    from backstride import store
    from backstride._accounts import hash_password
    from backstride.web import create_app

    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    store.upgrade(url)
    clinic = seed_clinic(url, tmp_path / "blobs")
    with clinic_db(url) as s:
        store.create_user(s, "ada@clinic.test", "Ada Admin", "admin", password_hash=hash_password(PASSWORD))
        store.close_account(s, clinic.clinician_b, "left the clinic", by_id=None, session_max_age_s=60)
    app = create_app(url, clinic.blob_dir, secret_key=SECRET, upgrade_database=False)
    with serving(app) as base:
        _sign_in(phone, base, "ada@clinic.test")
        phone.goto(f"{base}/admin/staff")
        _tab_to(phone, f"#hand-{clinic.clinician_b}-{clinic.patient_b}")
        phone.keyboard.type("Anna")  # a list takes the first letters typed
        phone.keyboard.press("Tab")
        assert phone.evaluate("document.activeElement.textContent") == "Hand on Peter Patient"
        with phone.expect_navigation():
            phone.keyboard.press("Enter")
        said = phone.locator("#handed-on")
        assert said.get_attribute("role") == "status"
        assert said.inner_text().startswith("Anna Therapist now looks after Peter Patient")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.screenshot(path=str(shots / "staff-handed-on-phone.png"), full_page=True)
        phone.goto(f"{base}/patients/{clinic.patient_b}")
        team = phone.locator("#care-team")
        assert "Ben Therapist, clinician account closed" in " ".join(team.inner_text().split())
        _tab_to(
            phone, f"form[action='/patients/{clinic.patient_b}/care-team/{clinic.clinician_b}/remove'] button"
        )
        with phone.expect_navigation():
            phone.keyboard.press("Enter")
        asked = phone.locator("#remove-confirm")  # asked first: nothing changed yet
        assert asked.get_by_role("heading", level=1).inner_text() == (
            "Remove Ben Therapist from Peter Patient's care team?"
        )
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.screenshot(path=str(shots / "care-team-remove-confirm-phone.png"), full_page=True)
        _tab_to(phone, "#remove-confirm button[type=submit]")
        with phone.expect_navigation():
            phone.keyboard.press("Enter")
        assert "Ben Therapist" not in team.inner_text()
        assert "Anna Therapist, clinician" in " ".join(team.inner_text().split())
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        team.screenshot(path=str(shots / "care-team-phone.png"))
    with clinic_db(url, readonly=True) as s:
        assert store.clinicians_of(s, clinic.patient_b) == [clinic.clinician_a]
