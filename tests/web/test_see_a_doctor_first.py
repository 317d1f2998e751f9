"""After a check-in that says to see a doctor today, the plan and Today pages say so first, in the triage's
own words, while that screening is the latest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, post, sign_in

from backstride import store


def test_a_same_day_screening_puts_the_doctor_before_the_plan(client: Any, clinic: Clinic) -> None:
    from backstride.clinic import advice_for

    sign_in(client, "paula@home.test")
    assert check_in(client, clinic.patient_a, fever="yes").status_code == 303
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    advice = advice_for("same_day", "911")
    plan = client.get(f"/patients/{clinic.patient_a}/plan").text
    assert "walks a day" in plan  # the plan is made, and shown after the advice
    first = plan.index('id="see-a-doctor"')
    assert first < plan.index('id="walks"')
    box = plan[first : plan.index("</div>", first)]
    assert f"<strong>{advice}</strong> Please do this before you start or go on with the walking plan." in box
    assert "A fever with back pain can be a sign of infection" in box
    assert "Once a doctor has seen you, check in again." in box
    sheet = client.get(f"/patients/{clinic.patient_a}/plan/sheet.html?view=1").text
    alert = sheet[sheet.index('id="see-a-doctor"') : sheet.index("</div>", sheet.index('id="see-a-doctor"'))]
    assert advice in alert and "Once a doctor has seen you, check in again." in alert
    today = client.get(f"/patients/{clinic.patient_a}").text
    assert today.index('id="see-a-doctor"') < today.index('aria-label="Today\'s steps"')
    assert advice in today
    # seen by a doctor and screened again: the advice goes
    assert check_in(client, clinic.patient_a).status_code == 303
    assert 'id="see-a-doctor"' not in client.get(f"/patients/{clinic.patient_a}/plan").text


def test_a_soon_screening_shows_its_advice_without_holding_the_plan(client: Any, clinic: Clinic) -> None:
    from backstride.clinic import advice_for

    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a, unexplained_weight_loss="yes")
    today = client.get(f"/patients/{clinic.patient_a}").text
    assert f"<strong>{advice_for('soon', '911')}</strong></p>" in today
    assert "Losing weight without trying needs a doctor&#39;s check within two weeks." in today
    assert "before you start or go on with the walking plan" not in today


def test_a_routine_screening_shows_no_advice(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    assert 'id="see-a-doctor"' not in client.get(f"/patients/{clinic.patient_a}").text


def _step_done(page: str, label: str) -> bool:
    steps = page.split('aria-label="Today\'s steps"')[1].split("</ol>")[0]
    item = steps.split(f">{label}</a>")[0].rsplit("<li", 1)[1]
    return 'class="done"' in item


def test_the_plan_step_is_done_once_todays_log_is_in(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "4"})
    assert "walks a day" in client.get(f"/patients/{clinic.patient_a}/plan").text  # the plan exists
    today = client.get(f"/patients/{clinic.patient_a}").text
    assert not _step_done(today, "Your plan") and _step_done(today, "Check-in")
    data = {"w1_minutes": "10", "w1_pain_before": "3", "w1_pain_during": "4", "w1_pain_after": "3"}
    assert post(client, f"/patients/{clinic.patient_a}/log", data).status_code == 303
    today = client.get(f"/patients/{clinic.patient_a}").text
    assert _step_done(today, "Your plan") and _step_done(today, "Daily log")


def test_a_check_in_early_in_the_local_day_counts_for_that_day(
    client: Any, clinic: Clinic, zone: Any
) -> None:
    """Before: the start page took a check-in's and a questionnaire's UTC date for their day, so in UTC+12 the
    check-in made at 00:05 this morning (yesterday in UTC) was not ticked as done today."""
    zone("FET-12")
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "4"})
    early = dt.datetime.combine(dt.date.today(), dt.time(0, 5)).astimezone()
    assert early.astimezone(dt.UTC).date() < dt.date.today()
    with clinic_db(clinic) as s:
        for table in (store.Screening, store.QuestionnaireResponse):
            s.execute(update(table).where(table.patient_id == clinic.patient_a).values(created_at=early))
    today = client.get(f"/patients/{clinic.patient_a}").text
    assert _step_done(today, "Check-in") and _step_done(today, "Questionnaires")


def test_the_caseload_says_the_level_of_a_red_flag(client: Any, app_factory: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    therapist = app_factory()
    sign_in(therapist, "anna@clinic.test")

    def flags() -> str:
        row = therapist.get("/caseload").text.split("Paula Patient")[1].split("</tr>")[0]
        return row.split("<td>")[1].split("</td>")[0].strip()

    check_in(client, clinic.patient_a, fever="yes")
    assert flags() == '<span class="flag red_flag">See a doctor today</span>'
    page = therapist.get(f"/patients/{clinic.patient_a}").text
    assert '<span class="flag red_flag">See a doctor today</span>' in page
    check_in(client, clinic.patient_a, night_pain="yes")
    assert flags() == '<span class="flag warn">See a doctor within two weeks</span>'
    check_in(client, clinic.patient_a, saddle_numbness="yes")
    assert flags() == '<span class="flag red_flag">Emergency</span>'
    check_in(therapist, clinic.patient_a)  # screened again, routine: the log's warning sign is still recent
    post(client, f"/patients/{clinic.patient_a}/log", {"flag_unable_to_walk": "yes"})
    check_in(therapist, clinic.patient_a)
    assert flags() == '<span class="flag red_flag">Warning sign in a recent log</span>'


def test_a_warning_sign_logged_that_is_not_an_emergency_says_to_see_a_doctor(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    """Before: a daily log with a warning sign that is not an emergency on its own (a fever) was screened and kept
    as "see a doctor today", and the plan stopped for it, but the log came back with only "Saved. Thank you — see
    you tomorrow.": whoever logged it was not told to see a doctor today."""
    from backstride.clinic import advice_for

    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    answer = post(client, f"/patients/{clinic.patient_a}/log", {"flag_fever": "yes"})
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    box = page[page.index('id="see-a-doctor"') : page.index("</div>", page.index('id="see-a-doctor"'))]
    assert advice_for("same_day", "911") in box
    assert "A fever with back pain can be a sign of infection" in box
    # the screening came from the daily log, not a check-in: its answers are named, not where they were given
    assert "From your warning-sign answers of" in box and "check-in of" not in box
    therapist = app_factory()
    sign_in(therapist, "anna@clinic.test")
    page = therapist.get(f"/patients/{clinic.patient_a}/log").text
    assert advice_for("same_day", "911") in page and "Once a doctor has seen them, screen them again." in page


def test_the_daily_log_without_a_plan_names_the_patient_to_a_clinician(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    assert (
        "You have no plan yet, but you can still log your walks."
        in client.get(f"/patients/{clinic.patient_a}/log").text
    )
    therapist = app_factory()
    sign_in(therapist, "anna@clinic.test")
    page = therapist.get(f"/patients/{clinic.patient_a}/log").text
    assert "Paula Patient has no plan yet, but walks can still be logged." in page
    assert "You have no plan yet" not in page
