"""The patient's path through the app, through the API: check-in, questionnaires, upload, result, plan,
daily log, progress — and the emergency stop."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import ROUTINE_SCREEN, Clinic, check_in, post, sign_in, upload_sample, wait_for_job


def test_routine_check_in_then_questionnaires(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    form = client.get(f"/patients/{clinic.patient_a}/checkin")
    assert form.status_code == 200
    assert "saddle" in form.text
    done = check_in(client, clinic.patient_a)
    assert done.status_code == 303
    result = client.get(done.headers["location"])
    assert result.status_code == 200
    assert "No warning signs found" in result.text
    # The questionnaires follow one another: NPRS -> ODI -> RMDQ -> STarT Back -> PSFS -> upload.
    r = post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "6"})
    assert r.headers["location"].endswith("/questionnaires/odi")
    odi_form = client.get(r.headers["location"]).text
    assert "Section 4: Walking" in odi_form
    assert "licensed" in odi_form
    odi = {f"s{i}": "2" for i in range(1, 11)}
    r = post(client, f"/patients/{clinic.patient_a}/questionnaires/odi", odi)
    assert r.headers["location"].endswith("/questionnaires/rmdq")
    r = post(client, f"/patients/{clinic.patient_a}/questionnaires/rmdq", {"i1": "yes", "i5": "yes"})
    assert r.headers["location"].endswith("/questionnaires/startback")
    sb = {f"i{i}": "1" for i in range(1, 9)} | {"i9": "3"}
    r = post(client, f"/patients/{clinic.patient_a}/questionnaires/startback", sb)
    assert r.headers["location"].endswith("/questionnaires/psfs")
    psfs = {
        "a1_name": "walking to the shop",
        "a1_score": "4",
        "a2_name": "gardening",
        "a2_score": "3",
        "a3_name": "sitting at work",
        "a3_score": "5",
    }
    r = post(client, f"/patients/{clinic.patient_a}/questionnaires/psfs", psfs)
    assert r.headers["location"].endswith("/recordings/new")
    listing = client.get(f"/patients/{clinic.patient_a}/questionnaires").text
    assert "40.0 (moderate disability)" in listing  # ODI 100 x 20 / 50
    assert "(high risk)" in listing  # STarT Back total 9, psychosocial 5
    assert "2.0" in listing  # RMDQ: two items ticked


def test_incomplete_screen_asks_again(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    response = post(client, f"/patients/{clinic.patient_a}/checkin", ROUTINE_SCREEN)
    assert response.status_code == 422
    assert "Please answer these questions too" in response.text
    from backstride import store

    with clinic_db(clinic) as s:
        assert store.latest_screening(s, clinic.patient_a) is None


def test_emergency_stops_everything(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    stop = check_in(client, clinic.patient_a, saddle_numbness="yes")
    assert stop.status_code == 200
    assert 'id="emergency-number">911<' in stop.text
    assert "<nav" not in stop.text and "<button" not in stop.text
    # nothing to click past the stop: the one link is the number itself, which calls it
    assert re.findall(r"<a [^>]*>", stop.text) == ['<a class="tel" href="tel:911" id="emergency-number">']
    assert "<form" not in stop.text
    # Every page of the flow now shows the same stop.
    pages = ("", "/checkin", "/checkin/result", "/plan", "/log", "/questionnaires", "/questionnaires/odi")
    for path in (*pages, "/recordings/new", "/progress", "/fhir.json", "/summary.html"):
        page = client.get(f"/patients/{clinic.patient_a}{path}")
        assert page.status_code == 200
        assert 'id="emergency-number"' in page.text, path
    # The clinician sees the flag on the caseload.
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    caseload = therapist.get("/caseload").text
    row = caseload.split("Paula Patient")[1].split("</tr>")[0]
    assert '<span class="flag red_flag">Emergency</span>' in row


def test_emergency_number_is_configurable(app_factory: Any, clinic: Clinic) -> None:
    client = app_factory(emergency_number="999")
    sign_in(client, "paula@home.test")
    stop = check_in(client, clinic.patient_a, urinary_retention="yes")
    assert 'id="emergency-number">999<' in stop.text


def test_upload_result_plan_log_progress(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    page = client.get(f"/patients/{clinic.patient_a}/recordings/new")
    assert 'hx-encoding="multipart/form-data"' in page.text
    assert 'id="upload-progress"' in page.text
    started = upload_sample(client, clinic.patient_a)
    assert started.status_code == 303, started.text
    job_url = started.headers["location"]
    assert "/recordings/jobs/" in job_url
    finished = wait_for_job(client, job_url)
    assert finished.status_code == 303
    result_url = finished.headers["location"]
    result = client.get(result_url)
    assert result.status_code == 200
    for plot in ("plot-bouts", "plot-cadence-speed", "plot-foot-steps", "plot-trunk-lean"):
        assert f'id="{plot}"' in result.text
    assert "Walking speed" in result.text and "Typical at your age" in result.text
    assert "/static/plotly.min.js" in result.text
    # htmx polling of the status fragment says where to go once done
    status = client.get(job_url + "/status", headers={"HX-Request": "true"})
    assert status.headers["HX-Redirect"] == result_url

    plan = client.get(f"/patients/{clinic.patient_a}/plan")
    assert plan.status_code == 200
    assert "walks a day" in plan.text
    from backstride.clinic import EXERCISES

    assert any(ex.name in plan.text for ex in EXERCISES.values()), (
        "the plan page names no exercise from the library"
    )

    log = post(
        client,
        f"/patients/{clinic.patient_a}/log",
        {
            "w1_minutes": "12",
            "w1_pain_before": "3",
            "w1_pain_during": "4",
            "w1_pain_after": "3",
            "exercises": "drawing_in",
        },
    )
    assert log.status_code == 303
    assert client.get(log.headers["location"]).text.count("Saved.") == 1
    from backstride import store

    with clinic_db(clinic) as s:
        row = store.get_log(s, clinic.patient_a, dt.date.today())
        assert row is not None
        assert row.log["walks"][0]["minutes"] == 12
        assert row.log["pain"] == 4
        assert row.log["exercises_done"] == ["drawing_in"]
        assert store.current_plan(s, clinic.patient_a) is not None
        assert len(store.recordings_of(s, clinic.patient_a)) == 1
    progress = client.get(f"/patients/{clinic.patient_a}/progress")
    assert progress.status_code == 200
    for plot in ("plot-pain", "plot-minutes", "plot-gait-speed", "plot-gait-pelvis", "plot-gait-steps"):
        assert f'id="{plot}"' in progress.text
    # the left and right steps over time are the stored analysis's medians
    import json
    import re

    steps_json = re.search(r'data-plot-for="plot-gait-steps">(.*?)</script>', progress.text, re.S)
    assert steps_json is not None
    left, right = json.loads(steps_json.group(1))["data"]
    with clinic_db(clinic) as s:
        summary = store.analyses_of(s, clinic.patient_a)[0].result["summary"]
    assert left["y"] == [summary["median_step_length_left_m"]] and left["y"][0] is not None
    assert right["y"] == [summary["median_step_length_right_m"]] and right["y"][0] is not None
    # one walk: its two step lengths sit inside an axis 0.3 m high, not at its top and bottom
    low, high = json.loads(steps_json.group(1))["layout"]["yaxis"]["range"]
    assert high - low == pytest.approx(0.3) and low < min(left["y"][0], right["y"][0])
    assert max(left["y"][0], right["y"][0]) < high


def test_only_the_clinician_lifts_the_emergency_stop(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a, bowel_incontinence="yes")
    # Answering the check-in again does not get past the stop.
    again = check_in(client, clinic.patient_a)
    assert 'id="emergency-number"' in again.text
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    assert check_in(therapist, clinic.patient_a).status_code == 303  # seen by a doctor, screened again
    today = client.get(f"/patients/{clinic.patient_a}")
    assert 'id="emergency-number"' not in today.text
    assert "Hello, Paula" in today.text


def test_warning_sign_in_the_daily_log_stops_the_plan(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    form = client.get(f"/patients/{clinic.patient_a}/log").text
    assert 'name="flag_saddle_numbness"' in form
    stop = post(client, f"/patients/{clinic.patient_a}/log", {"flag_saddle_numbness": "yes"})
    assert stop.status_code == 200
    assert 'id="emergency-number"' in stop.text
    from backstride import store

    with clinic_db(clinic) as s:
        log = store.get_log(s, clinic.patient_a, dt.date.today())
        assert log is not None and log.log["red_flags"] == {"saddle_numbness": True}
        screening = store.latest_screening(s, clinic.patient_a)
        assert screening is not None and screening.urgency == "emergency"


def test_the_plan_page_gives_the_self_care_cards(client: Any, clinic: Clinic) -> None:
    """The clinic's self-care cards (heat and cold, pain relief, ..., when to seek help) were only in the CLI
    (``backstride self-care``): a patient in the app never saw them. The plan page gives every card, with or
    without a plan yet, "When to seek help" first and open."""
    import html

    from backstride.clinic import SELF_CARE

    sign_in(client, "paula@home.test")
    page = html.unescape(client.get(f"/patients/{clinic.patient_a}/plan").text)
    cards = page.split('id="self-care"')[1].split("</section>")[0]
    for card in SELF_CARE:
        assert card.title in cards
        for line in card.body:
            assert line in cards
    assert cards.index("When to seek help") < cards.index("Heat and cold")
    assert re.search(r"<details open>\s*<summary>When to seek help</summary>", cards)
