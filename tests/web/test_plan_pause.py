"""A warning sign pauses the patient's plan on its day, and only a clinician resumes it.

Before: a sign logged paused the plan only at the week's review, a check-in that asked for emergency care did
not pause it at all (a good week of logs moved the walks up over it), and a paused plan could never be taken up
again: every visit reviewed the same week and stopped again, whatever the clinician changed."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from tests.web.conftest import (
    Clinic,
    check_in,
    clinic_db,
    pause_plan_of_last_week,
    post,
    save_first_plan,
    save_plan_of_last_week,
    sign_in,
)

from backstride import clinic as bc
from backstride import store
from backstride._plans import patient_record

PAUSED = "The walking plan is paused."
RESUME = {
    "reason": "Seen today: no sign of nerve compression.",
    "walks_per_day": "2",
    "minutes_per_walk": "10",
}


def _plan_from_today(clinic: Clinic) -> bc.Plan:
    with clinic_db(clinic) as s:
        plan: bc.Plan = save_first_plan(s, clinic.patient_a, dt.date.today())
    return plan


def _stored(clinic: Clinic) -> tuple[int, bc.Plan]:
    with clinic_db(clinic) as s:
        row = store.current_plan(s, clinic.patient_a)
        assert row is not None
        return row.version, bc.Plan.model_validate(row.plan)


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _resume(client: Any, clinic: Clinic) -> Any:
    return post(client, f"/patients/{clinic.patient_a}/plan/resume", RESUME)


def test_a_sign_logged_pauses_the_plan_on_its_day(client: Any, clinic: Clinic) -> None:
    _plan_from_today(clinic)
    sign_in(client, "paula@home.test")
    assert PAUSED not in client.get(f"/patients/{clinic.patient_a}/plan").text
    assert post(client, f"/patients/{clinic.patient_a}/log", {"flag_fever": "yes"}).status_code == 303
    page = client.get(f"/patients/{clinic.patient_a}/plan").text
    assert PAUSED in page and "Print your home program" not in page
    assert "Warning sign(s) logged: fever." in _text(page)


def test_a_week_with_an_emergency_check_in_does_not_move_the_walks_up(client: Any, clinic: Clinic) -> None:
    with clinic_db(clinic) as s:
        plan = save_plan_of_last_week(s, clinic.patient_a)
        for i in range(7):
            day = plan.start_date + dt.timedelta(days=i)
            walk = bc.WalkLog(minutes=plan.minutes_per_walk, pain_before=2, pain_during=3, pain_after=3)
            log = bc.DailyLog(date=day, walks=[walk] * plan.walks_per_day, next_morning_pain=3)
            store.upsert_log(s, clinic.patient_a, day, log.model_dump(mode="json"))
        answers = {"saddle_numbness": True}
        result = bc.triage(answers)
        row = store.add_screening(
            s, clinic.patient_a, answers, result.urgency, result.model_dump(mode="json")
        )
        on = plan.start_date + dt.timedelta(days=2)
        row.created_at = dt.datetime(on.year, on.month, on.day, 10, tzinfo=dt.UTC)
    # the clinician saw the patient and screened again (routine): the plan is paused, not moved up
    sign_in(client, "anna@clinic.test")
    assert check_in(client, clinic.patient_a).status_code == 303
    page = _text(client.get(f"/patients/{clinic.patient_a}/plan").text)
    assert PAUSED in page
    assert f"The check-in of {on.isoformat()} asked for emergency care." in page
    assert _stored(clinic)[0] == 1


def test_a_clinician_resumes_a_paused_plan_from_today(client: Any, app_factory: Any, clinic: Clinic) -> None:
    pause_plan_of_last_week(clinic.url, clinic.patient_a)
    paula = app_factory()
    sign_in(paula, "paula@home.test")
    # a sign logged today (fever, not an emergency), which the clinician sees before resuming
    assert post(paula, f"/patients/{clinic.patient_a}/log", {"flag_fever": "yes"}).status_code == 303
    sign_in(client, "anna@clinic.test")
    page = client.get(f"/patients/{clinic.patient_a}").text
    assert (
        f'action="/patients/{clinic.patient_a}/plan/resume"' in page and "Resume the plan from today" in page
    )
    # changing the walking does not lift the pause (as before); resuming does
    assert post(client, f"/patients/{clinic.patient_a}/plan", RESUME).status_code == 303
    assert PAUSED in client.get(f"/patients/{clinic.patient_a}/plan").text
    before, last = _stored(clinic)
    assert _resume(client, clinic).status_code == 303
    version, plan = _stored(clinic)
    assert version == before + 1
    assert (plan.week, plan.start_date, plan.walks_per_day, plan.minutes_per_walk) == (
        last.week + 1,
        dt.date.today(),
        2,
        10,
    )
    assert plan.reasons == [f"Resumed by your therapist after the pause: {RESUME['reason']}"]
    assert plan.signs_seen == ["fever"] and plan.started_at is not None
    page = client.get(f"/patients/{clinic.patient_a}").text
    assert f'action="/patients/{clinic.patient_a}/plan"' in page and "Resume the plan from today" not in page
    mine = paula.get(f"/patients/{clinic.patient_a}/plan").text
    assert PAUSED not in mine and RESUME["reason"] in html.unescape(mine)
    # the sign stays in today's log when the patient logs a walk later: seen, it does not pause the plan again
    walk = {"w1_minutes": "10", "w1_pain_before": "2", "w1_pain_during": "3", "w1_pain_after": "3"}
    assert post(paula, f"/patients/{clinic.patient_a}/log", walk).status_code == 303
    assert PAUSED not in paula.get(f"/patients/{clinic.patient_a}/plan").text
    # a new sign the same day does
    assert post(paula, f"/patients/{clinic.patient_a}/log", {"flag_sciatica": "yes"}).status_code == 303
    assert PAUSED in paula.get(f"/patients/{clinic.patient_a}/plan").text


def test_resuming_waits_for_a_new_check_in_after_an_emergency(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    _plan_from_today(clinic)
    paula = app_factory()
    sign_in(paula, "paula@home.test")
    assert 'id="emergency-number"' in check_in(paula, clinic.patient_a, saddle_numbness="yes").text
    sign_in(client, "anna@clinic.test")
    refused = _resume(client, clinic)
    assert refused.status_code == 422
    said = _text(refused.text)
    assert "Paula Patient's latest check-in asked for emergency care: screen Paula Patient again" in said
    assert RESUME["reason"] in said  # the form as typed
    assert _stored(clinic)[0] == 1
    assert check_in(client, clinic.patient_a).status_code == 303
    assert PAUSED in client.get(f"/patients/{clinic.patient_a}/plan").text  # screened again, still paused
    assert _resume(client, clinic).status_code == 303
    assert _stored(clinic)[0] == 2
    # the emergency check-in of today was before the resumption: it does not pause the plan again
    assert PAUSED not in paula.get(f"/patients/{clinic.patient_a}/plan").text


def test_a_plan_that_is_not_paused_is_not_resumed(client: Any, clinic: Clinic) -> None:
    _plan_from_today(clinic)
    sign_in(client, "anna@clinic.test")
    refused = _resume(client, clinic)
    assert refused.status_code == 422
    assert "The plan is not paused, so there is nothing to resume" in _text(refused.text)
    assert _stored(clinic)[0] == 1


def test_a_first_plan_made_after_an_emergency_and_a_new_check_in_is_not_paused(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    paula = app_factory()
    sign_in(paula, "paula@home.test")
    post(paula, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    check_in(paula, clinic.patient_a, saddle_numbness="yes")
    sign_in(client, "anna@clinic.test")
    check_in(client, clinic.patient_a)  # seen and screened again: the first plan is made from this one
    page = client.get(f"/patients/{clinic.patient_a}/plan").text
    assert 'id="walks"' in page and PAUSED not in page
    assert _stored(clinic)[1].started_at is not None


def test_an_emergency_check_in_pauses_the_plan_on_its_local_day(
    client: Any, clinic: Clinic, zone: Any
) -> None:
    zone("FET-12")  # UTC+12: its early hours are yesterday in UTC
    # before: a check-in's day was its UTC date; one made at 00:30 on the plan's first day (local, the day the
    # plan's dates are in) fell on the day before it in UTC, outside the week, and the plan went on
    plan = _plan_from_today(clinic)
    early = dt.datetime.combine(plan.start_date, dt.time(0, 30)).astimezone()
    assert early.astimezone(dt.UTC).date() < plan.start_date
    with clinic_db(clinic) as s:
        answers = {"saddle_numbness": True}
        result = bc.triage(answers)
        row = store.add_screening(
            s, clinic.patient_a, answers, result.urgency, result.model_dump(mode="json")
        )
        row.created_at = early
    sign_in(client, "anna@clinic.test")
    page = _text(client.get(f"/patients/{clinic.patient_a}/plan").text)
    assert PAUSED in page
    assert f"The check-in of {plan.start_date.isoformat()} asked for emergency care." in page


def test_a_seen_sign_reported_again_after_the_resumption_pauses_the_plan(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    # before: a sign in the resumption day's log was seen to for the whole day, so the patient ticking it again
    # after the clinician resumed the plan (a new report: the form does not show it ticked) went unheeded
    pause_plan_of_last_week(clinic.url, clinic.patient_a)
    paula = app_factory()
    sign_in(paula, "paula@home.test")
    assert post(paula, f"/patients/{clinic.patient_a}/log", {"flag_fever": "yes"}).status_code == 303
    sign_in(client, "anna@clinic.test")
    assert _resume(client, clinic).status_code == 303
    assert PAUSED not in paula.get(f"/patients/{clinic.patient_a}/plan").text
    assert post(paula, f"/patients/{clinic.patient_a}/log", {"flag_fever": "yes"}).status_code == 303
    page = _text(paula.get(f"/patients/{clinic.patient_a}/plan").text)
    assert PAUSED in page and "Warning sign(s) logged: fever." in page


def test_the_start_page_does_not_show_a_paused_plans_walking_as_todays(client: Any, clinic: Clinic) -> None:
    # before: the patient's start page said "Today's walking: 2 walks of 10 minutes" under a paused plan
    plan = _plan_from_today(clinic)
    sign_in(client, "paula@home.test")
    walking = f"{plan.walks_per_day} walk"
    assert walking in _text(client.get(f"/patients/{clinic.patient_a}").text)
    assert post(client, f"/patients/{clinic.patient_a}/log", {"flag_fever": "yes"}).status_code == 303
    page = _text(client.get(f"/patients/{clinic.patient_a}").text)
    assert "Today's walking" not in page and walking not in page
    assert PAUSED in page


def test_a_paused_plan_is_flagged_in_the_caseload_and_on_hold_in_the_exported_record(
    client: Any, clinic: Clinic
) -> None:
    # the sign was logged 7 days ago, out of the caseload's window of recent logs: before, nothing flagged the
    # patient, the FHIR bundle sent the program as active and the doctor's summary gave it as running
    pause_plan_of_last_week(clinic.url, clinic.patient_a)
    sign_in(client, "anna@clinic.test")
    row = client.get("/caseload").text.split("Paula Patient", 1)[1].split("</tr>")[0]
    assert '<span class="flag danger">Plan paused</span>' in row
    plans = [e["resource"] for e in client.get(f"/patients/{clinic.patient_a}/fhir.json").json()["entry"]]
    current = [r for r in plans if r["resourceType"] == "CarePlan"][-1]
    why = "Paused for a warning sign (urinary retention) until a clinician, having checked the patient, resumes it."
    since = dt.date.today() - dt.timedelta(days=7)  # the day of the sign
    assert current["status"] == "on-hold" and {"text": why, "time": since.isoformat()} in current["note"]
    summary = _text(client.get(f"/patients/{clinic.patient_a}/summary.html?view=1").text)
    assert f"The current program is paused since {since.isoformat()}. " + why in summary
    # resumed: none of it
    assert _resume(client, clinic).status_code == 303
    assert "Plan paused" not in client.get("/caseload").text
    plans = [e["resource"] for e in client.get(f"/patients/{clinic.patient_a}/fhir.json").json()["entry"]]
    assert [r for r in plans if r["resourceType"] == "CarePlan"][-1]["status"] == "active"
    summary = _text(client.get(f"/patients/{clinic.patient_a}/summary.html?view=1").text)
    assert "The current program is paused" not in summary
    # the pause is history now: said as such, and its days are still not planned walking (they were, after a
    # resumption, as if the patient had been asked to walk through it)
    assert (
        f"An earlier program was paused for a warning sign from {since.isoformat()} until the next program "
        f"started on {dt.date.today().isoformat()}. The diary counts no planned walking on those days."
        in summary
    )
    with clinic_db(clinic) as s:
        record = patient_record(s, store.get_user(s, clinic.patient_a), dt.date.today())
    assert record.earlier_pauses == ((since, dt.date.today()),) and record.plan_paused_on is None


def test_the_paused_plan_names_the_logged_sign_in_words(client: Any, clinic: Clinic) -> None:
    """The plan's stop said "Warning sign(s) logged: urinary_retention." (the log's id) on the clinician's
    and the patient's pages."""
    pause_plan_of_last_week(clinic.url, clinic.patient_a)
    sign_in(client, "anna@clinic.test")
    for page in (f"/patients/{clinic.patient_a}", f"/patients/{clinic.patient_a}/plan"):
        text = client.get(page).text
        assert "Warning sign(s) logged: urinary retention." in text
        assert "urinary_retention" not in text
