"""The emergency number is a link that calls it (an RFC 3966 ``tel:`` URI) wherever the app says it: the
emergency page, a stopped plan's advice and a screening's result, with the number the clinic configured."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, save_plan_of_last_week, sign_in

from backstride.web._render import tel_uri


@pytest.mark.parametrize(
    ("written", "uri"),
    [
        ("911", "tel:911"),
        (" 112 ", "tel:112"),
        ("+44 20 7946 0000", "tel:+442079460000"),
        ("+1 (555) 010-9999", "tel:+15550109999"),
        ("0800.123.456", "tel:0800123456"),
        ("call the ward", None),
        ("", None),
    ],
)
def test_the_number_becomes_a_tel_uri_of_its_digits_and_leading_plus(written: str, uri: str | None) -> None:
    assert tel_uri(written) == uri


def test_the_emergency_page_calls_the_clinics_number_as_configured(app_factory: Any, clinic: Clinic) -> None:
    client = app_factory(emergency_number="+44 20 7946 0000")
    sign_in(client, "paula@home.test")
    stop = check_in(client, clinic.patient_a, saddle_numbness="yes")
    assert stop.status_code == 200
    assert re.findall(r"<a [^>]*>[^<]*</a>", stop.text) == [
        '<a class="tel" href="tel:+442079460000" id="emergency-number">+44 20 7946 0000</a>'
    ]
    # the clinic changes its number: a patient still stopped is shown the number to call now
    renumbered = app_factory(emergency_number="112")
    sign_in(renumbered, "paula@home.test")
    page = renumbered.get(f"/patients/{clinic.patient_a}/plan").text
    assert '<a class="tel" href="tel:112" id="emergency-number">112</a>' in page


def _plan_of_last_week(clinic: Clinic, *, warning_sign: bool) -> None:
    """A plan that started 8 days ago (its week is reviewed on the next visit), with a warning sign logged
    on its second day or not."""
    from backstride import clinic as bc
    from backstride import store

    with clinic_db(clinic) as s:
        plan = save_plan_of_last_week(s, clinic.patient_a)
        if warning_sign:
            day = plan.start_date + dt.timedelta(days=1)
            log = bc.DailyLog(date=day, red_flags={"urinary_retention": True})
            store.upsert_log(s, clinic.patient_a, day, log.model_dump(mode="json"))


CALL_911 = '<a class="tel" href="tel:911">911</a>'


def test_a_stopped_plans_advice_calls_the_number(client: Any, clinic: Clinic) -> None:
    _plan_of_last_week(clinic, warning_sign=True)
    sign_in(client, "paula@home.test")
    plan = client.get(f"/patients/{clinic.patient_a}/plan").text
    assert "The walking plan is paused." in plan
    assert f"<p>EMERGENCY: call {CALL_911} or go to the nearest emergency department now." in plan
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    page = therapist.get(f"/patients/{clinic.patient_a}").text
    assert f'<p class="alert">EMERGENCY: call {CALL_911} or go to' in page


def test_the_plan_history_keeps_a_weekly_review_without_a_number_to_go_stale(
    app_factory: Any, clinic: Clinic
) -> None:
    """A weekly review ends with the warning-sign screen and the number of the day (what `backstride progress`
    prints); the plan's history once kept that screen, so after a clinic changed its number the Versions list
    still said "call 911". It keeps the review's own reasons only (the plan's cues tell the patient the warning
    signs on every plan page)."""
    _plan_of_last_week(clinic, warning_sign=False)
    renumbered = app_factory(emergency_number="112")
    sign_in(renumbered, "anna@clinic.test")
    page = renumbered.get(f"/patients/{clinic.patient_a}").text
    versions = re.search(r"<h3>Versions</h3>(.*?)</ul>", page, re.S)
    assert versions and re.search(r"Weekly review \((progress|hold|step back)\): \w", versions.group(1))
    assert "do not walk on" not in versions.group(1) and "911" not in versions.group(1)


def test_an_emergency_screens_result_calls_the_number(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")  # the clinician, who is not stopped, screens with the patient
    assert check_in(client, clinic.patient_a, saddle_numbness="yes").status_code == 303
    result = client.get(f"/patients/{clinic.patient_a}/checkin/result").text
    assert f"<p><strong>EMERGENCY: call {CALL_911} or go to the nearest emergency department" in result


def test_only_the_whole_number_is_linked_and_the_text_stays_escaped() -> None:
    from backstride.web._render import _call_links

    said = _call_links("Call 911 (not 1911 or 9110) <now>", "911")
    assert str(said) == 'Call <a class="tel" href="tel:911">911</a> (not 1911 or 9110) &lt;now&gt;'
    assert str(_call_links("Call <b>", "no digits")) == "Call &lt;b&gt;"


def test_an_app_given_a_blank_emergency_number_does_not_start(clinic: Clinic) -> None:
    """Before: ``create_app(emergency_number=" ")`` started, and a check-in with a warning sign was refused
    (422, "the emergency number must be a non-empty text"): the emergency neither kept nor shown."""
    from backstride._errors import InputError
    from backstride.web import create_app

    with pytest.raises(InputError, match="emergency number"):
        create_app(
            clinic.url, clinic.blob_dir, secret_key="k" * 32, upgrade_database=False, emergency_number=" "
        )
