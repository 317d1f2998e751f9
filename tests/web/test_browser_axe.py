"""An automated accessibility audit: axe-core (Deque's engine, MPL-2.0, bundled in axe-playwright-python: no
network) run in Debian's chromium on every page of the demo clinic, as a visitor, as a patient and as the
therapist, refused forms and an upload still being analysed included, and on the report ``backstride analyze
--html`` writes; at a desk's width and again at a phone's, where tables scroll inside themselves. Every violation axe finds fails the test, minor ones too (none is left), every one listed by
page. (The same markers and skips as ``test_browser.py``.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


#: The widths audited: a desk's screen, and a phone's (an iPhone's 390 x 844, as a phone shows a page: tables
#: scroll inside themselves there, the navigation wraps and the plots narrow).
SCREENS = {
    "desk": {"viewport": {"width": 1100, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
on_each_screen = pytest.mark.parametrize("screen", list(SCREENS))


@pytest.fixture
def screen() -> str:
    """The desk's, unless a test is parametrised with ``on_each_screen``."""
    return "desk"


@pytest.fixture
def page(browser: Any, screen: str) -> Iterator[Any]:
    context = browser.new_context(**SCREENS[screen])
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


class _Audit:
    """Each page's violations, whatever their impact (minor ones too: none is left), as lines a person reads:
    page, rule, impact, count, what axe says of it and the first few elements."""

    def __init__(self, page: Any) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.axe = Axe()
        self.pages: list[str] = []
        self.found: list[str] = []

    def __call__(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("networkidle")
        for plot in page.locator("div.plot").all():  # drawn, toolbar and all, before axe reads the page
            plot.locator(".main-svg").first.wait_for()
        results = self.axe.run(page).response
        self.pages.append(name)
        for rule in results["violations"]:
            where = ", ".join(" ".join(node["target"]) for node in rule["nodes"][:3])
            self.found.append(
                f"{name}: {rule['id']} ({rule['impact']}) x{len(rule['nodes'])}: {rule['help']} [{where}]"
            )


def _sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def _send_refused(page: Any, form: str) -> None:
    """The form sent with its fields emptied and numbers out of range, the browser's own checks off, so the
    app's refusal (its problems shown beside the fields) is what is audited."""
    with page.expect_navigation():
        page.locator(form).first.evaluate(
            """f => {
              f.noValidate = true;
              f.querySelectorAll("input[type=number]").forEach(e => { e.value = "-999"; });
              f.querySelectorAll("input[type=text], input[type=date], input[type=email], textarea")
                .forEach(e => { e.value = ""; });
              f.requestSubmit();
            }"""
        )
    page.wait_for_load_state("networkidle")


def _analysing(demo_app: Any, patient_id: int) -> tuple[Any, threading.Event]:
    """A job of the app's own queue that stays at "running" until the event is set: the demo's analysis ends
    before a page could be audited while it runs. (Its work fails then, so nothing is stored.)"""
    from backstride._errors import InputError

    release = threading.Event()
    started = threading.Event()

    def work(job: Any) -> int:
        job.add_analysed(3 * 3600.0)  # as a long recording's analysis, part by part
        started.set()
        release.wait(60)
        raise InputError("stopped by the test")

    job = demo_app.state.backstride.jobs.submit(patient_id, "long-walk.cwa", 12_000_000, work)
    assert started.wait(20)
    return job, release


@on_each_screen
def test_no_page_has_an_accessibility_violation(
    page: Any, screen: str, demo_app: Any, demo_server: str, tmp_path: Path
) -> None:
    """(The accounts it adds are the screen's own: both screens' runs share the demo clinic.)"""
    from backstride import io, store
    from backstride._accounts import hash_password
    from backstride.cli import main

    base = demo_server
    with store.transaction(demo_app.state.backstride.engine) as s:  # to stop at the emergency screen
        therapist = store.get_user_by_email(s, "therapist@demo.backstride")
        store.create_patient(
            s,
            therapist,
            f"stop-{screen}@demo.backstride",
            "Stevie Stop",
            password_hash=hash_password("demo-stop"),
        )
    audit = _Audit(page)

    # a visitor
    page.goto(f"{base}/signin")
    audit("visitor: sign-in")
    page.get_by_label("Email").fill("nobody@demo.backstride")
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Sign in").click()
    audit("visitor: sign-in refused")
    page.goto(f"{base}/no-such-page")
    audit("visitor: page not found")

    # the patient
    _sign_in(page, base, "alex@demo.backstride", "demo-alex-2026")
    alex = f"/patients/{page.url.rstrip('/').split('/')[-1]}"
    pages = ("", "/checkin", "/checkin/result", "/log", "/plan", "/progress", "/questionnaires")
    for path in (*pages, "/recordings", "/recordings/new"):
        page.goto(base + alex + path)
        audit(f"patient: {path or '/'}")
    page.goto(f"{base}{alex}/questionnaires")
    questionnaires = [
        str(a.get_attribute("href")) for a in page.locator("main a[href*='/questionnaires/']").all()
    ]
    assert len(questionnaires) >= 4
    for href in questionnaires:
        page.goto(base + href)
        audit(f"patient: {href.removeprefix(alex)}")
    page.goto(f"{base}{alex}/recordings")
    recording = str(page.locator("table a").first.get_attribute("href"))
    page.goto(base + recording)
    audit("patient: a walk's result")
    page.goto(f"{base}/account/password")
    audit("patient: password")
    job, release = _analysing(demo_app, int(alex.split("/")[-1]))
    try:
        page.goto(f"{base}{alex}/recordings/jobs/{job.id}")
        assert page.locator("#job-status").get_attribute("data-status") == "running"
        audit("patient: a walk being analysed")
    finally:
        # off the job's page before its job ends: the page follows the job's end on its own, and a navigation of
        # its own at the moment of ours aborted ours (net::ERR_ABORTED, both screens, on a busy machine)
        page.goto("about:blank")
        release.set()
    page.goto(f"{base}{alex}/log")
    _send_refused(page, "main form")
    assert page.locator("#log-problems").count() == 1
    audit("patient: daily log refused")
    page.get_by_role("button", name="Sign out").click()

    # the therapist
    _sign_in(page, base, "therapist@demo.backstride", "demo-therapist")
    audit("therapist: caseload")
    for path in ("", "/plan", "/progress", "/recordings", "/checkin/result", "/questionnaires"):
        page.goto(base + alex + path)
        audit(f"therapist: {path or 'patient page'}")
    page.goto(base + recording)
    audit("therapist: a walk's result")
    page.goto(f"{base}{alex}/summary.html?view=1")
    audit("therapist: doctor's summary")
    page.goto(f"{base}{alex}/plan/sheet.html?view=1")
    audit("therapist: home program sheet")
    page.goto(f"{base}{recording}/report.html?view=1")
    audit("therapist: a walk's report")
    report = tmp_path / "report.html"
    assert main(["analyze", str(io.sample_path()), "--height-m", "1.59", "--html", str(report)]) == 0
    page.goto(report.as_uri())
    audit("backstride analyze --html: the report")
    for form in ("profile", "plan", "sessions"):
        page.goto(base + alex)
        _send_refused(page, f"form[action$='/{form}']")
        assert page.locator("[aria-invalid=true]").count() > 0, form
        audit(f"therapist: {form} form refused")
    page.goto(f"{base}/clinician/patients/new")
    audit("therapist: new patient")
    _send_refused(page, "main form")
    audit("therapist: new patient refused")
    page.goto(f"{base}/clinician/patients/new")
    page.get_by_label("Name").fill("Robin Audit")
    page.get_by_label("Email").fill(f"robin-{screen}@demo.backstride")
    page.get_by_role("button", name="Add patient").click()
    audit("therapist: patient added")
    robin = str(page.get_by_role("link", name="Open Robin Audit's page").get_attribute("href"))
    page.goto(base + robin)
    page.get_by_role("button", name="Give a new password").click()
    audit("therapist: a new password given")
    page.goto(base + robin)
    page.get_by_role("button", name="Give a new first-login link").click()
    audit("therapist: a new first-login link given")
    link = str(page.locator("#first-login-link").get_attribute("href"))
    page.goto(base + robin)
    with page.expect_navigation():  # a kind the app does not know: refused beside the form
        page.locator("#access button[value=link]").evaluate("b => { b.value = 'neither'; b.click(); }")
    page.wait_for_load_state("networkidle")
    assert page.locator("#access-problems").count() == 1
    audit("therapist: a new way in refused")
    page.get_by_role("button", name="Sign out").click()

    # the new patient's first visit, and the emergency stop
    page.goto(link if link.startswith("http") else base + link)
    audit("visitor: welcome")
    _sign_in(page, base, f"stop-{screen}@demo.backstride", "demo-stop")
    stevie = f"/patients/{page.url.rstrip('/').split('/')[-1]}"
    page.goto(f"{base}{stevie}/checkin")
    for radio in page.locator('input[type=radio][value="no"]').all():
        radio.check()
    page.locator('input[name="saddle_numbness"][value="yes"]').check()
    page.get_by_role("button", name="Send my answers").click()
    page.locator("#emergency-number").wait_for()
    audit("patient: emergency stop")

    assert audit.found == [], "accessibility violations:\n" + "\n".join(audit.found)
    assert len(audit.pages) == 44  # every page above was audited


@on_each_screen
def test_closing_and_reopening_an_account_has_no_accessibility_violation(
    page: Any, screen: str, demo_server: str
) -> None:
    """The "Close the account" form refused, a closed account's page, the caseload with its "Closed accounts"
    list, and the account reopened: axe finds nothing (on a patient added here: the demo's own stay open)."""
    base = demo_server
    audit = _Audit(page)
    _sign_in(page, base, "therapist@demo.backstride", "demo-therapist")
    page.goto(f"{base}/clinician/patients/new")
    page.get_by_label("Name").fill("Casey Closed")
    page.get_by_label("Email").fill(f"casey-{screen}@demo.backstride")
    page.get_by_role("button", name="Add patient").click()
    casey = str(page.get_by_role("link", name="Open Casey Closed's page").get_attribute("href"))
    page.goto(base + casey)
    _send_refused(page, "form[action$='/close']")
    assert page.locator("#close-problems").count() == 1
    audit("therapist: closing an account refused")
    page.get_by_label("Why is the account closed?").fill("care completed")
    page.get_by_role("button", name="Close the account").click()
    page.locator("#account-closed").wait_for()
    audit("therapist: a closed account")
    page.goto(f"{base}/caseload")
    page.get_by_role("heading", name="Closed accounts").wait_for()
    audit("therapist: caseload with closed accounts")
    page.goto(base + casey)
    page.get_by_role("button", name="Reopen with a new first-login link").click()
    page.locator("#first-login-link").wait_for()
    audit("therapist: an account reopened")
    assert audit.found == [], "accessibility violations:\n" + "\n".join(audit.found)
    assert len(audit.pages) == 4


@on_each_screen
def test_the_staff_and_audit_pages_have_no_accessibility_violation(
    page: Any, screen: str, demo_app: Any, demo_server: str
) -> None:
    """The administrator's Staff page with an open and a closed account (and the patients the closed clinician
    leaves with nobody, each with its hand-on form), its "add" and hand-on forms refused, a patient handed on,
    the patient's Care team refused, a new first-login link shown, and the audit trail, a filter refused on it:
    axe finds nothing. (The accounts it adds are the screen's own: both screens' runs share the demo clinic.)"""
    from backstride import store
    from backstride._accounts import hash_password

    base = demo_server
    who = screen.title()
    with store.transaction(demo_app.state.backstride.engine) as s:
        store.create_user(
            s,
            f"admin-{screen}@demo.backstride",
            f"Avery {who}",
            "admin",
            password_hash=hash_password("demo-admin"),
        )
        leaver = store.create_user(s, f"leaver-{screen}@demo.backstride", f"Lee {who}", "clinician")
        lone = store.create_patient(s, leaver, f"lone-{screen}@demo.backstride", "Lou Lone")
        leaver_id, lone_id = leaver.id, lone.id
    audit = _Audit(page)
    _sign_in(page, base, f"admin-{screen}@demo.backstride", "demo-admin")
    page.goto(f"{base}/admin/staff")
    page.locator(f"#staff-{leaver_id} summary").click()
    page.get_by_label(f"Why is Lee {who}'s account closed?").fill("left the clinic")
    page.locator(f"form[action='/admin/staff/{leaver_id}/close'] button").click()
    page.locator("#closed-account").wait_for()
    assert page.get_by_role("heading", name="Closed accounts (1)").is_visible()
    audit("admin: staff, an account just closed")
    _send_refused(page, "form[action='/admin/staff']")
    assert page.locator("#add-problems").count() == 1
    audit("admin: staff, adding refused")
    page.goto(f"{base}/admin/staff?closed={leaver_id}")
    _send_refused(page, "form.hand-on")
    assert page.locator(f"#hand-on-notice-{leaver_id}-{lone_id}-problems").count() == 1
    audit("admin: staff, handing on refused")
    page.locator(f"#hand-notice-{leaver_id}-{lone_id}").select_option(label=f"Avery {who} (administrator)")
    page.locator("#closed-account form.hand-on button").click()
    page.locator("#handed-on").wait_for()
    audit("admin: staff, a patient handed on")
    page.goto(f"{base}/patients/{lone_id}")
    _send_refused(page, "form[action$='/care-team']")
    assert page.locator("#care-team-problems").count() == 1
    audit("admin: a patient's care team refused")
    page.goto(f"{base}/admin/staff")
    page.locator(f"form[action='/admin/staff/{leaver_id}/reopen'] button[value=link]").click()
    page.locator("#first-login-link").wait_for()
    audit("admin: staff, an account reopened")
    page.goto(f"{base}/admin/audit")
    audit("admin: the audit trail")
    page.goto(f"{base}/admin/audit?from=2026-12-05&to=2026-12-01")
    assert page.locator("#filters-problems").is_visible()
    audit("admin: the audit trail, a filter refused")
    assert audit.found == [], "accessibility violations:\n" + "\n".join(audit.found)
    assert len(audit.pages) == 8


def test_a_keyboard_passes_each_plot_in_no_stop_and_a_screen_reader_hears_its_name(
    page: Any, demo_server: str
) -> None:
    """Plotly's toolbar put nine tab stops (zoom, pan, lasso...: a mouse's tools) before the next control, at
    each of the progress page's plots; the toolbar stays for the mouse, out of the tab order, and each plot is
    a figure named by its title, its figures in the table that follows it."""
    base = demo_server
    _sign_in(page, base, "alex@demo.backstride", "demo-alex-2026")
    page.get_by_role("link", name="Progress").first.click()
    page.wait_for_load_state("networkidle")
    plots = page.locator("div.plot").all()
    assert len(plots) >= 4
    for plot in plots:
        plot.locator(".main-svg").first.wait_for()
        assert plot.get_attribute("role") == "figure"
        assert (plot.get_attribute("aria-label") or "").strip()
        assert plot.locator(".modebar-btn").count() > 0  # still there for the mouse
    page.locator("h1").first.click()  # (start the tabbing in the page's main part)
    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e === document.body ? '' : (e.closest('.plot') ? 'plot ' : '') + e.tagName; }"
        )
        if not stop:
            break
        stops.append(stop)
    assert "SUMMARY" in stops  # the figures' tables were reached
    assert [s for s in stops if s.startswith("plot")] == []
