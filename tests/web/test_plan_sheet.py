"""The printable home program sheet of the current plan: who may have it, what it holds, what is said when there
is no plan, the patient's emergency stop before it, and the download kept in the audit trail."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, exports_of, pause_plan_of_last_week, post, sign_in

from backstride import _plans as _PLANS
from backstride import clinic as bc
from backstride import store


def _sheet_url(patient_id: int, view: bool = False) -> str:
    return f"/patients/{patient_id}/plan/sheet.html" + ("?view=1" if view else "")


def _plan_for_paula(client: Any, clinic: Clinic) -> None:
    """Paula's first plan, made by the app from her check-in (15 minutes tolerated) and pain questionnaire."""
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    assert client.get(f"/patients/{clinic.patient_a}/plan").status_code == 200


_RESUME = {
    "reason": "Seen and examined: no sign of compression.",
    "walks_per_day": "2",
    "minutes_per_walk": "10",
}


def _stored_plan(clinic: Clinic) -> bc.Plan:
    with clinic_db(clinic, readonly=True) as s:
        row = store.current_plan(s, clinic.patient_a)
        assert row is not None
        return bc.Plan.model_validate(row.plan)


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_patient_prints_their_current_plan(client: Any, clinic: Clinic) -> None:
    _plan_for_paula(client, clinic)
    plan = _stored_plan(clinic)
    page = client.get(f"/patients/{clinic.patient_a}/plan").text
    assert f'href="{_sheet_url(clinic.patient_a, view=True)}"' in page and "Print your home program" in page
    response = client.get(_sheet_url(clinic.patient_a, view=True))
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("inline; ")
    assert response.headers["content-disposition"].endswith('-home-program.html"')
    text = _text(response.text)
    assert "Your home program: Paula Patient" in text
    assert (plan.walks_per_day, plan.minutes_per_walk) == (2, 12)  # 80 % of the 15 minutes tolerated
    assert "2 walks a day, 12 minutes each (24 minutes of walking a day)" in text
    for px in plan.exercises:
        assert px.dose_text in text
    assert "call 911" in text
    download = client.get(_sheet_url(clinic.patient_a))
    assert download.headers["content-disposition"].startswith(
        'attachment; filename="backstride-paula-patient-'
    )


def test_the_patients_own_clinician_prints_it_and_the_trail_keeps_both(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    _plan_for_paula(client, clinic)
    client.get(_sheet_url(clinic.patient_a, view=True))
    anna = app_factory(emergency_number="999")
    sign_in(anna, "anna@clinic.test")
    assert (
        f'href="{_sheet_url(clinic.patient_a, view=True)}"' in anna.get(f"/patients/{clinic.patient_a}").text
    )
    plan_page = anna.get(f"/patients/{clinic.patient_a}/plan").text
    assert "Print the home program" in plan_page
    sheet = anna.get(_sheet_url(clinic.patient_a))
    assert sheet.status_code == 200
    assert "call 999" in _text(sheet.text)  # the clinic's number as configured
    assert exports_of(clinic) == [
        (clinic.clinician_a, clinic.patient_a, "home program sheet"),
        (clinic.patient_a, clinic.patient_a, "home program sheet"),
    ]
    trail = client.get(f"/patients/{clinic.patient_a}/record-access").text
    assert "You downloaded your home program sheet to print." in _text(trail)


def test_another_clinician_and_a_visitor_get_nothing(client: Any, app_factory: Any, clinic: Clinic) -> None:
    _plan_for_paula(client, clinic)
    ben = app_factory()
    sign_in(ben, "ben@clinic.test")
    assert ben.get(_sheet_url(clinic.patient_a)).status_code == 404
    visitor = app_factory()
    gone = visitor.get(_sheet_url(clinic.patient_a, view=True))
    assert (gone.status_code, gone.headers["location"]) == (303, "/signin")
    assert exports_of(clinic) == []


def test_no_plan_yet_is_said_in_words(client: Any, app_factory: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    page = client.get(_sheet_url(clinic.patient_a, view=True))
    assert page.status_code == 404
    assert "You have no plan yet, so there is no home program to print" in page.text
    anna = app_factory()
    sign_in(anna, "anna@clinic.test")
    page = anna.get(_sheet_url(clinic.patient_a))
    assert page.status_code == 404
    assert "Paula Patient has no plan yet" in page.text
    assert exports_of(clinic) == []


def test_the_emergency_stop_comes_first(client: Any, app_factory: Any, clinic: Clinic) -> None:
    _plan_for_paula(client, clinic)
    stop = check_in(client, clinic.patient_a, saddle_numbness="yes")
    assert 'id="emergency-number"' in stop.text
    page = client.get(_sheet_url(clinic.patient_a, view=True))
    assert page.status_code == 200
    assert 'id="emergency-number">911<' in page.text and "home program" not in page.text.lower()
    assert exports_of(clinic) == []
    # the emergency check-in paused the plan: the clinician does not print it either, until it is resumed
    anna = app_factory()
    sign_in(anna, "anna@clinic.test")
    assert anna.get(_sheet_url(clinic.patient_a)).status_code == 409
    check_in(anna, clinic.patient_a)
    resumed = post(anna, f"/patients/{clinic.patient_a}/plan/resume", _RESUME)
    assert resumed.status_code == 303
    assert anna.get(_sheet_url(clinic.patient_a)).status_code == 200


def test_the_clinicians_plan_page_says_the_patient_is_behind_the_emergency_stop(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    """The clinician still reads (and may print) the plan of a patient whose latest check-in was an emergency, but
    the page must not say the patient reads it: the patient sees the emergency page instead, and the clinician
    about to hand over the home program or the walk reminders is told so first, with the check-in's finding."""
    _plan_for_paula(client, clinic)
    check_in(client, clinic.patient_a, saddle_numbness="yes")
    anna = app_factory()
    sign_in(anna, "anna@clinic.test")
    page = anna.get(f"/patients/{clinic.patient_a}/plan").text
    assert "The plan as Paula Patient reads it" not in page
    alert = page[page.index('id="emergency-first"') :]
    alert = _text(alert[: alert.index("</div>")])
    assert "Paula Patient's latest check-in, on " in alert
    assert "was an emergency (saddle numbness)" in alert.lower()
    assert (
        "Until a clinician screens Paula Patient again, they see the page that says to call 911 now, not this plan"
        in alert
    )
    assert page.index('id="emergency-first"') < page.index('id="walks"')
    # the emergency paused the plan: nothing to print or put in a calendar
    assert "Print the home program" not in page and "The walking plan is paused." in page
    # screened again by the clinician, routine: the plan is the patient's again, still paused until resumed
    check_in(anna, clinic.patient_a)
    page = anna.get(f"/patients/{clinic.patient_a}/plan").text
    assert 'id="emergency-first"' not in page and "The plan as Paula Patient reads it" in page
    assert "The walking plan is paused." in page


def test_no_first_plan_is_made_from_a_check_in_that_asked_for_emergency_care(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    """Everything a first plan needs is there (age, sex, pain, the minutes walked), but the check-in it would come
    from asked for emergency care: the clinician opening the plan page must not make the patient's plan from it
    (the patient would find it once screened again). A new check-in comes first, and the page says so."""
    sign_in(client, "paula@home.test")
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    stop = check_in(client, clinic.patient_a, saddle_numbness="yes")
    assert 'id="emergency-number"' in stop.text
    anna = app_factory()
    sign_in(anna, "anna@clinic.test")
    page = anna.get(f"/patients/{clinic.patient_a}/plan")
    assert page.status_code == 200
    assert 'id="emergency-first"' in page.text
    assert _PLANS.AFTER_AN_EMERGENCY in html.unescape(page.text)
    with clinic_db(clinic, readonly=True) as s:
        assert store.current_plan(s, clinic.patient_a) is None
    # screened again, routine: the plan is made from that check-in
    check_in(anna, clinic.patient_a)
    page = anna.get(f"/patients/{clinic.patient_a}/plan").text
    assert _PLANS.AFTER_AN_EMERGENCY not in html.unescape(page) and 'id="emergency-first"' not in page
    assert (_stored_plan(clinic).walks_per_day, _stored_plan(clinic).minutes_per_walk) == (2, 12)


def test_a_paused_plan_has_no_sheet(client: Any, clinic: Clinic) -> None:
    """A week with a warning sign logged pauses the plan: its program is not printed."""
    pause_plan_of_last_week(clinic.url, clinic.patient_a)
    sign_in(client, "anna@clinic.test")
    assert "The walking plan is paused." in client.get(f"/patients/{clinic.patient_a}/plan").text
    page = client.get(_sheet_url(clinic.patient_a, view=True))
    assert page.status_code == 409
    assert "The walking plan is paused for a warning sign" in page.text
    assert exports_of(clinic) == []


def test_the_clinicians_patient_page_offers_no_sheet_while_the_plan_is_paused(
    client: Any, clinic: Clinic
) -> None:
    """The patient's page linked to the sheet while the plan was paused, and the link led to the 409 page
    ("Something went wrong"); it is offered again once the plan is resumed."""
    pause_plan_of_last_week(clinic.url, clinic.patient_a)
    sign_in(client, "anna@clinic.test")
    page = client.get(f"/patients/{clinic.patient_a}").text
    assert "Resume the walking" in page
    assert _sheet_url(clinic.patient_a, view=True) not in page
    assert post(client, f"/patients/{clinic.patient_a}/plan/resume", _RESUME).status_code == 303
    page = client.get(f"/patients/{clinic.patient_a}").text
    assert _sheet_url(clinic.patient_a, view=True) in page
    assert client.get(_sheet_url(clinic.patient_a, view=True)).status_code == 200


def test_the_sheet_says_to_see_a_doctor_as_the_plan_page_does(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    """Before: after a check-in that said to see a doctor today (a fever), the plan page said it first ("Please do
    this before you start or go on with the walking plan") but the printed program, the page that leaves the app
    and is followed at home, said nothing of it; within two weeks likewise."""
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a, fever="yes")
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    assert "walks a day" in client.get(f"/patients/{clinic.patient_a}/plan").text  # the plan is made
    therapist = app_factory()
    sign_in(therapist, "anna@clinic.test")
    today = bc.advice_for("same_day", "911")
    for reader in (client, therapist):
        text = _text(reader.get(_sheet_url(clinic.patient_a, view=True)).text)
        assert f"{today} Please do this before you start or go on with the walking plan." in text
        assert (
            "A fever with back pain can be a sign of infection and should be checked by a doctor today."
            in text
        )
        assert text.index(today) < text.index("Walking")  # said first, as on the plan page
    check_in(client, clinic.patient_a, iv_drug_use="yes")
    text = _text(client.get(_sheet_url(clinic.patient_a, view=True)).text)
    assert bc.advice_for("soon", "911") in text and today not in text
    assert "Injecting drugs raises the chance of a spinal infection" in text
    check_in(client, clinic.patient_a)  # screened again, routine: the advice goes
    text = _text(client.get(_sheet_url(clinic.patient_a, view=True)).text)
    assert bc.advice_for("soon", "911") not in text and "see a doctor" not in text.lower()
