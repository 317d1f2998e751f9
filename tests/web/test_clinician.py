"""The clinician's pages: caseload flags, the patient page, plan changes, sessions and notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, post, sign_in, upload_sample, wait_for_job

from backstride import store


def _patient_with_plan(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    assert "walks a day" in client.get(f"/patients/{clinic.patient_a}/plan").text


def _therapist(client: Any) -> Any:
    other = client.__class__(client.app, follow_redirects=False)
    sign_in(other, "anna@clinic.test")
    return other


def test_caseload_lists_only_own_patients_with_flags(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    page = client.get("/caseload")
    assert page.status_code == 200
    assert "Paula Patient" in page.text
    assert "Peter Patient" not in page.text
    # A new patient with no log yet is flagged once 3 days have passed; a flare shows after pain 8.
    with clinic_db(clinic) as s:
        store.upsert_log(s, clinic.patient_a, dt.date.today(), {"walks": [], "pain": 8.5, "red_flag": False})
    assert '<span class="flag flare">Flare</span>' in client.get("/caseload").text


def test_plan_adjustment_needs_a_reason_and_makes_a_new_version(client: Any, clinic: Clinic) -> None:
    _patient_with_plan(client, clinic)
    therapist = _therapist(client)
    page = therapist.get(f"/patients/{clinic.patient_a}")
    assert page.status_code == 200
    assert "Version 1" in page.text
    url = f"/patients/{clinic.patient_a}/plan"
    assert post(therapist, url, {"reason": "  ", "walks_per_day": "2"}).status_code == 422
    impossible = post(therapist, url, {"reason": "more", "walks_per_day": "2", "minutes_per_walk": "45"})
    assert impossible.status_code == 422
    assert "Minutes per walk: give a whole number from 5 to 30." in impossible.text
    done = post(
        therapist,
        url,
        {"reason": "Walks felt easy at the clinic", "walks_per_day": "2", "minutes_per_walk": "14"},
    )
    assert done.status_code == 303
    with clinic_db(clinic) as s:
        history = store.plan_history(s, clinic.patient_a)
        assert [v.version for v in history] == [1, 2]
        assert history[-1].reason == "Walks felt easy at the clinic"
        assert history[-1].plan["minutes_per_walk"] == 14 and history[-1].plan["daily_minutes"] == 28
        assert history[-1].created_by == clinic.clinician_a
    assert "2 walks a day, 14 minutes each" in client.get(url).text


def test_sessions_and_notes(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    url = f"/patients/{clinic.patient_a}"
    bad = post(client, f"{url}/sessions", {"technique": "massage", "region": "lumbar", "response": "great"})
    assert bad.status_code == 422
    ok = post(
        client,
        f"{url}/sessions",
        {
            "date": "2026-11-20",
            "technique": "soft-tissue massage",
            "region": "lumbar paraspinals",
            "response": "better",
            "pain_before": "6",
            "pain_after": "4",
            "duration_min": "30",
        },
    )
    assert ok.status_code == 303
    assert post(client, f"{url}/notes", {"text": "Sleeps badly; discuss at next visit."}).status_code == 303
    assert post(client, f"{url}/notes", {"text": "   "}).status_code == 422
    page = client.get(url).text
    assert "soft-tissue massage, lumbar paraspinals" in page
    assert "Sleeps badly" in page


def test_clinician_can_screen_with_the_patient(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    response = check_in(client, clinic.patient_a, fever="yes", feeling_unwell="yes")
    # The clinician is not locked out by the patient's emergency; they go back to the patient page.
    assert response.status_code == 303
    page = client.get(f"/patients/{clinic.patient_a}").text
    assert '<span class="flag danger">Emergency</span>' in page.split('id="screenings"')[1]


def _section(page: str, section: str) -> str:
    """The HTML of one section of the clinician's page of a patient (``<section ... id="section">``)."""
    return page.split(f'id="{section}"')[1].split("</section>")[0]


def test_the_patient_page_leads_to_measuring_a_walk_and_answering_questionnaires_for_that_patient(
    client: Any, clinic: Clinic
) -> None:
    """A therapist with the patient in the room uploads the walk and enters the questionnaires from the
    patient's own page: before, neither was linked from it (only by typing the address)."""
    sign_in(client, "anna@clinic.test")
    pid = clinic.patient_a
    page = client.get(f"/patients/{pid}").text
    recordings = _section(page, "recordings")
    assert f'<a href="/patients/{pid}/recordings/new">Upload a recording of Paula Patient</a>' in recordings
    questionnaires = _section(page, "questionnaires")
    assert f'<a href="/patients/{pid}/questionnaires">Answer a questionnaire with Paula Patient</a>' in (
        questionnaires
    )
    # the links lead to that patient's pages, and they open for the clinician
    assert client.get(f"/patients/{pid}/recordings/new").status_code == 200
    assert client.get(f"/patients/{pid}/questionnaires").status_code == 200


def test_the_recordings_table_names_each_file(client: Any, clinic: Clinic) -> None:
    """Two walks uploaded in the same minute were told apart by nothing on the patient's page, the one to
    mark as entered in error ("another patient's file") least of all."""
    pid = clinic.patient_a
    sign_in(client, "anna@clinic.test")
    wait_for_job(client, upload_sample(client, pid).headers["location"])
    recordings = _section(client.get(f"/patients/{pid}").text, "recordings")
    assert '<th scope="col">File</th>' in recordings
    assert '<td class="entry file-name">walk.csv.gz</td>' in recordings


def test_a_session_dated_in_the_future_is_refused_with_what_was_typed_kept(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "anna@clinic.test")
    pid = clinic.patient_a
    ahead = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    typed = {"date": ahead, "technique": "manual therapy", "region": "L4-L5", "response": "better"}
    refused = post(client, f"/patients/{pid}/sessions", typed)
    assert refused.status_code == 422
    assert f"Date: {ahead} is after today; give the day the session took place." in refused.text
    assert f'value="{ahead}" aria-invalid="true"' in refused.text
    assert 'value="manual therapy"' in refused.text
    with clinic_db(clinic, readonly=True) as s:
        assert store.therapy_sessions_of(s, pid) == []
    today = post(client, f"/patients/{pid}/sessions", {**typed, "date": dt.date.today().isoformat()})
    assert today.status_code == 303


def test_an_entry_of_no_such_recording_or_response_is_said_in_words(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    pid = clinic.patient_a
    for path, words in (
        ("recordings/999/entered-in-error", "There is no such recording."),
        ("questionnaires/responses/999/entered-in-error", "There is no such questionnaire answer."),
    ):
        missing = post(client, f"/patients/{pid}/{path}", {"reason": "wrong patient"})
        assert missing.status_code == 404
        assert words in missing.text and "Not Found" not in missing.text


def test_the_first_plan_version_says_what_it_was_made_from(client: Any, clinic: Clinic) -> None:
    """The first version said "from the check-in, questionnaires and walk" with no walk measured: the
    therapist read that a measured walk had shaped the plan."""
    _patient_with_plan(client, clinic)
    plan = _section(_therapist(client).get(f"/patients/{clinic.patient_a}").text, "plan")
    assert "First plan, from the check-in and the pain questionnaire." in plan
    assert "walk." not in plan.split("First plan")[1].split("</li>")[0]

    sign_in(client, "peter@home.test")  # the other patient: a walk measured before the plan is made
    pid = clinic.patient_b
    wait_for_job(client, upload_sample(client, pid).headers["location"])
    check_in(client, pid)
    post(client, f"/patients/{pid}/questionnaires/nprs", {"score": "5"})
    post(client, f"/patients/{pid}/questionnaires/odi", {f"s{i}": "2" for i in range(1, 11)})
    assert "walks a day" in client.get(f"/patients/{pid}/plan").text
    with clinic_db(clinic, readonly=True) as s:
        (first,) = store.plan_history(s, pid)
    assert first.reason == (
        "First plan, from the check-in, the pain questionnaire, the Oswestry disability questionnaire and the "
        "measured walk."
    )


def test_a_patient_who_never_logged_is_flagged_in_words(client: Any, clinic: Clinic) -> None:
    """A patient added days ago who has never logged was flagged "No log for any days"."""
    with clinic_db(clinic) as s:
        patient = s.get(store.User, clinic.patient_a)
        assert patient is not None
        patient.created_at = patient.created_at - dt.timedelta(days=5)
    sign_in(client, "anna@clinic.test")
    caseload = client.get("/caseload").text
    assert '<span class="flag no_log">No log yet</span>' in caseload
    assert "any days" not in caseload


def test_a_new_session_form_starts_on_today_with_no_response_chosen(client: Any, clinic: Clinic) -> None:
    """The form started on "Better" with its date empty, so a clinician who left it recorded "Better": no
    response is chosen until the clinician chooses one (refused in one message if none, nothing kept), and the
    date starts on the clinic's today."""
    import re

    sign_in(client, "anna@clinic.test")
    pid = clinic.patient_a
    page = _section(client.get(f"/patients/{pid}").text, "sessions")
    date_box = re.search(r'<input id="s-date"[^>]*>', page)
    assert date_box and f'value="{dt.date.today().isoformat()}"' in date_box.group(0)
    select = re.search(r'<select id="s-response".*?</select>', page, re.S)
    assert select and " required" in select.group(0).split(">")[0]
    options = re.findall(r"<option[^>]*>[^<]*</option>", select.group(0))
    chosen = [o for o in options if "selected" in o]
    assert chosen == ['<option value="" selected disabled>Choose one</option>'], options
    typed = {"technique": "manual therapy", "region": "L4-L5", "pain_before": "eleven"}
    refused = post(client, f"/patients/{pid}/sessions", typed)
    assert refused.status_code == 422
    said = _section(refused.text, "sessions")
    assert said.count("Response: choose Better, Same or Worse.") == 1
    assert "Pain before: give a number from 0 to 10." in said  # each problem its own message
    assert 'value="manual therapy"' in said
    with clinic_db(clinic, readonly=True) as s:
        assert store.therapy_sessions_of(s, pid) == []
    kept = post(client, f"/patients/{pid}/sessions", {**typed, "pain_before": "4", "response": "same"})
    assert kept.status_code == 303
    with clinic_db(clinic, readonly=True) as s:
        [session] = store.therapy_sessions_of(s, pid)
        assert session.data["response"] == "same" and session.data["date"] == dt.date.today().isoformat()
