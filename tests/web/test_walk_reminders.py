"""The plan page's "Add my walks to my calendar": the current plan's walks as an iCalendar file
(``/patients/N/plan/walks.ics``), for the patient and their clinicians, behind the emergency stop, with the
patient's own times, and kept in the audit trail."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, exports_of, post, sign_in

ICS = "/patients/{}/plan/walks.ics"


def _plan_from_today(clinic: Clinic, patient_id: int) -> Any:
    """Save a first plan (3 walks of 8 minutes) that starts today for the patient."""
    from backstride import clinic as bc
    from backstride import store

    plan = bc.make_plan(
        bc.Baseline(age=52, sex="female", pain_nrs=4, walking_tolerance_min=10, start_date=dt.date.today())
    )
    with clinic_db(clinic) as s:
        store.save_plan(s, patient_id, plan.model_dump(mode="json"), "first plan", None)
    return plan


def _unfolded(response: Any) -> list[str]:
    return str(response.content.decode("utf-8")).replace("\r\n ", "").split("\r\n")


def test_the_plan_page_offers_the_times_and_the_file_has_them(client: Any, clinic: Clinic) -> None:
    _plan_from_today(clinic, clinic.patient_a)
    sign_in(client, "paula@home.test")
    page = client.get(f"/patients/{clinic.patient_a}/plan").text
    assert f'<form method="get" action="{ICS.format(clinic.patient_a)}">' in page
    for i, value in enumerate(("09:00", "13:00", "17:30"), start=1):
        assert f'<label for="walk-time-{i}">Walk {i}</label>' in page
        assert f'<input type="time" id="walk-time-{i}" name="times" value="{value}" required>' in page
    assert "Add my walks to my calendar" in page
    # the form sends one ``times`` a walk, as a browser does
    got = client.get(
        ICS.format(clinic.patient_a), params=[("times", "07:45"), ("times", "12:30"), ("times", "19:00")]
    )
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/calendar; charset=utf-8"
    assert got.headers["content-disposition"] == (
        f'attachment; filename="backstride-paula-patient-{dt.datetime.now(dt.UTC):%Y-%m-%d}-walks.ics"'
    )
    day = f"{dt.date.today():%Y%m%d}"
    until = f"{dt.date.today() + dt.timedelta(days=6):%Y%m%d}T235959"
    lines = _unfolded(got)
    assert [line for line in lines if line.startswith("DTSTART:")] == [
        f"DTSTART:{day}T074500",
        f"DTSTART:{day}T123000",
        f"DTSTART:{day}T190000",
    ]
    assert lines.count(f"RRULE:FREQ=DAILY;UNTIL={until}") == 3
    assert lines.count("DURATION:PT8M") == 3
    assert lines.count("TRIGGER:-PT10M") == 3
    assert f"UID:backstride-p{clinic.patient_a}-v1-walk1@backstride" in lines
    # one comma-separated value (a link) is read the same; none gives the plan's default times
    joined = client.get(ICS.format(clinic.patient_a), params={"times": "07:45,12:30,19:00"})
    assert [x for x in _unfolded(joined) if x.startswith("DTSTART")] == [
        x for x in lines if x.startswith("DTSTART")
    ]
    default = _unfolded(client.get(ICS.format(clinic.patient_a)))
    assert [x for x in default if x.startswith("DTSTART:")] == [
        f"DTSTART:{day}T090000",
        f"DTSTART:{day}T130000",
        f"DTSTART:{day}T173000",
    ]


@pytest.mark.parametrize(
    ("times", "said"),
    [
        (["09:00", "13:00"], "The plan has 3 walks a day, so give 3 times (got 2)."),
        (
            ["09:00", "13:00", "9 am"],
            '"9 am" is not a time of day; write it as hours and minutes, like 09:00.',
        ),
        (["09:00", "09:00", "17:00"], "Two walks are at the same time; give each walk its own time."),
        (["09:00", "", "17:00"], "Give a time for every walk."),
    ],
)
def test_wrong_times_get_a_readable_page(client: Any, clinic: Clinic, times: list[str], said: str) -> None:
    _plan_from_today(clinic, clinic.patient_a)
    sign_in(client, "paula@home.test")
    got = client.get(ICS.format(clinic.patient_a), params=[("times", t) for t in times])
    assert got.status_code == 422
    assert got.headers["content-type"].startswith("text/html")
    assert said in html.unescape(got.text)
    assert exports_of(clinic) == []  # nothing left the clinic


def test_who_may_download_the_reminders(client: Any, app_factory: Any, clinic: Clinic) -> None:
    _plan_from_today(clinic, clinic.patient_a)
    assert client.get(ICS.format(clinic.patient_a)).status_code in (303, 401)  # a visitor: sign in first
    sign_in(client, "anna@clinic.test")  # Paula's clinician
    own = client.get(ICS.format(clinic.patient_a))
    assert own.status_code == 200 and own.content.startswith(b"BEGIN:VCALENDAR\r\n")
    other = app_factory()
    sign_in(other, "ben@clinic.test")  # not Paula's clinician
    assert other.get(ICS.format(clinic.patient_a)).status_code == 404
    peter = app_factory()
    sign_in(peter, "peter@home.test")  # another patient
    assert peter.get(ICS.format(clinic.patient_a)).status_code == 404
    paula = app_factory()
    sign_in(paula, "paula@home.test")
    assert paula.get(ICS.format(clinic.patient_a)).status_code == 200
    assert exports_of(clinic) == [
        (clinic.patient_a, clinic.patient_a, "walk reminders for a calendar"),
        (clinic.clinician_a, clinic.patient_a, "walk reminders for a calendar"),
    ]
    # the patient reads it in plain words
    trail = paula.get(f"/patients/{clinic.patient_a}/record-access").text
    assert "downloaded your walk reminders for a calendar." in trail


def test_no_plan_yet_gives_a_page_and_no_file(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    got = client.get(ICS.format(clinic.patient_a))
    assert got.status_code == 409
    assert got.headers["content-type"].startswith("text/html")
    assert "There is no plan yet, so there are no walks to put in a calendar" in got.text
    assert "Add my walks to my calendar" not in client.get(f"/patients/{clinic.patient_a}/plan").text
    assert exports_of(clinic) == []


def test_a_plan_paused_by_its_review_gives_a_page_and_no_file(client: Any, clinic: Clinic) -> None:
    from tests.web.conftest import pause_plan_of_last_week

    pause_plan_of_last_week(clinic.url, clinic.patient_a)
    sign_in(client, "paula@home.test")
    page = client.get(f"/patients/{clinic.patient_a}/plan").text
    assert "The walking plan is paused." in page and "Add my walks to my calendar" not in page
    assert "Print your home program" not in page  # the sheet of a paused plan is refused (409)
    got = client.get(ICS.format(clinic.patient_a))
    assert got.status_code == 409
    assert "The walking plan is paused for a warning sign" in got.text
    assert "BEGIN:VCALENDAR" not in got.text
    assert exports_of(clinic) == []


def test_the_emergency_stop_comes_first(client: Any, app_factory: Any, clinic: Clinic) -> None:
    _plan_from_today(clinic, clinic.patient_a)
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a, bowel_incontinence="yes")
    got = client.get(ICS.format(clinic.patient_a))
    assert got.status_code == 200
    assert 'id="emergency-number"' in got.text and "BEGIN:VCALENDAR" not in got.text
    # the emergency check-in paused the plan: no walks to remind of, for the clinician either, until resumed
    therapist = app_factory()
    sign_in(therapist, "anna@clinic.test")
    assert therapist.get(ICS.format(clinic.patient_a)).status_code == 409
    assert exports_of(clinic) == []
    check_in(therapist, clinic.patient_a)  # seen and screened again
    resumed = post(
        therapist,
        f"/patients/{clinic.patient_a}/plan/resume",
        {
            "reason": "Seen in the emergency department, no compression.",
            "walks_per_day": "2",
            "minutes_per_walk": "10",
        },
    )
    assert resumed.status_code == 303
    assert therapist.get(ICS.format(clinic.patient_a)).content.startswith(b"BEGIN:VCALENDAR")
    assert exports_of(clinic) == [(clinic.clinician_a, clinic.patient_a, "walk reminders for a calendar")]
