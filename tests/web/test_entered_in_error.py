"""Entered in error: a clinician marks a questionnaire response or a recording as a mistake; it is kept, with
who, when and why, shown struck through to clinicians, and no longer counted anywhere (verdicts, the caseload,
progress plots, the doctor's summary); the FHIR export sends it as entered-in-error."""

from __future__ import annotations

from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, post, sign_in, upload_sample, wait_for_job

from backstride import store


def _ids(clinic: Clinic) -> tuple[list[int], list[int]]:
    with clinic_db(clinic, readonly=True) as s:
        questionnaires = [q.id for q in store.questionnaire_history(s, clinic.patient_a, include_errors=True)]
        recordings = [r.id for r in store.recordings_of(s, clinic.patient_a, include_errors=True)]
    return questionnaires, recordings


def test_a_mistaken_pain_rating_and_recording_are_kept_but_no_longer_counted(
    client: Any, clinic: Clinic
) -> None:
    pid = clinic.patient_a
    sign_in(client, "paula@home.test")
    check_in(client, pid)
    for score in ("9", "7", "3"):  # the 9 was meant for another patient
        post(client, f"/patients/{pid}/questionnaires/nprs", {"score": score})
    wait_for_job(client, upload_sample(client, pid).headers["location"])
    (wrong, first, latest), (recording,) = _ids(clinic)

    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    page = therapist.get(f"/patients/{pid}").text
    assert "Entered in error…" in page
    summary = therapist.get(f"/patients/{pid}/summary.html").text
    assert "9.0 → 3.0" in summary

    # a reason is required: refused with a message, nothing marked
    refused = post(
        therapist, f"/patients/{pid}/questionnaires/responses/{wrong}/entered-in-error", {"reason": " "}
    )
    assert refused.status_code == 422 and "Why it is in error: please say" in refused.text
    assert _ids(clinic)[0] == [wrong, first, latest]
    # a response of another patient is not found under this one
    other = post(therapist, f"/patients/{clinic.patient_b}/questionnaires/responses/{wrong}/entered-in-error")
    assert other.status_code == 404

    done = post(
        therapist,
        f"/patients/{pid}/questionnaires/responses/{wrong}/entered-in-error",
        {"reason": "another patient's rating"},
    )
    assert done.status_code == 303 and done.headers["location"] == f"/patients/{pid}#questionnaires"
    again = post(
        therapist, f"/patients/{pid}/questionnaires/responses/{wrong}/entered-in-error", {"reason": "x"}
    )
    assert again.status_code == 422 and "already marked" in again.text
    marked = post(
        therapist,
        f"/patients/{pid}/recordings/{recording}/entered-in-error",
        {"reason": "sensor worn upside down"},
    )
    assert marked.status_code == 303

    with clinic_db(clinic, readonly=True) as s:
        row = s.get(store.QuestionnaireResponse, wrong)
        assert row is not None and row.score == 9  # kept as it was
        assert row.entered_in_error_reason == "another patient's rating"
        assert row.entered_in_error_by_id == clinic.clinician_a and row.entered_in_error_at is not None
        assert [q.id for q in store.questionnaire_history(s, pid)] == [first, latest]
        assert store.recordings_of(s, pid) == [] and store.analyses_of(s, pid) == []
        assert len(store.analyses_of(s, pid, include_errors=True)) == 1  # its analysis is kept too
        from backstride.web._views import questionnaire_changes

        (change,) = questionnaire_changes(s, pid)
        assert (change.before, change.after, change.verdict) == (7, 3, "improved")

    page = therapist.get(f"/patients/{pid}").text
    assert page.count('class="in-error"') == 2
    assert "Entered in error: another patient&#39;s rating (Anna Therapist" in page
    assert "Entered in error: sensor worn upside down" in page
    summary = therapist.get(f"/patients/{pid}/summary.html").text
    assert "7.0 → 3.0" in summary and "9.0 → 3.0" not in summary
    assert (
        "2 entries (questionnaires or recordings) a clinician marked as entered in error are left out"
        in summary
    )
    assert "No recording analysed yet." in summary
    bundle = therapist.get(f"/patients/{pid}/fhir.json").json()
    statuses = {
        e["resource"]["code"]["coding"][0]["code"]: e["resource"]["status"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"].get("valueQuantity", {}).get("value") in (9, None)
        and e["resource"]["code"]["coding"][0]["code"] in ("72514-3", "walking-measurement")
    }
    assert statuses == {"72514-3": "entered-in-error", "walking-measurement": "entered-in-error"}
    # the patient no longer sees the recording in their list; its own page says why
    assert f"/recordings/{recording}" not in client.get(f"/patients/{pid}/recordings").text
    own = client.get(f"/patients/{pid}/recordings/{recording}").text
    assert "marked this recording as entered in error" in own and "sensor worn upside down" in own


def test_a_refused_reason_comes_back_in_its_own_form_with_what_was_typed(client: Any, clinic: Clinic) -> None:
    """An empty or over-long reason was an error page, what was typed gone and the browser's maxlength cutting
    a longer paste without a word: the patient's page comes back (422) with that entry's form open, the
    reason as typed, the problem beside it and the limit said; nothing is marked."""
    import html

    pid = clinic.patient_a
    sign_in(client, "paula@home.test")
    check_in(client, pid)
    post(client, f"/patients/{pid}/questionnaires/nprs", {"score": "9"})
    (wrong,), _ = _ids(clinic)
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    action = f"/patients/{pid}/questionnaires/responses/{wrong}/entered-in-error"
    page = therapist.get(f"/patients/{pid}").text
    assert "maxlength" not in page.split(action, 1)[1].split("</form>", 1)[0]
    assert f"At most {store.MAX_ERROR_REASON} characters." in page

    too_long = "another patient's rating, " * 20  # 520 characters
    for typed, said in (
        (
            too_long,
            f"Why it is in error: give at most {store.MAX_ERROR_REASON} characters (this one has 519).",
        ),
        ("   ", "Why it is in error: please say (for example: another patient's file)."),
    ):
        refused = post(therapist, action, {"reason": typed})
        assert refused.status_code == 422
        text = html.unescape(refused.text)
        assert said in text
        form = text.split(action, 1)[1].split("</form>", 1)[0]
        assert f'value="{typed}"' in form and 'aria-invalid="true"' in form
        assert "The entry was not marked as entered in error: see why below." in text
        opened = text.split(action, 1)[0].rsplit("<details", 1)[1]
        assert opened.startswith(' class="correction" open>')
        assert _ids(clinic)[0] == [wrong]
        assert therapist.get(f"/patients/{pid}").text.count("Entered in error:") == 0
