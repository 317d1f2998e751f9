"""A warning sign reaches the emergency page at once: whatever else of the check-in or the daily log is left
unanswered or wrong, it is kept and screened first; without one, the form comes back with what was typed
and every problem named, and nothing is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web.conftest import Clinic, check_in, post, sign_in


def _stored(clinic: Clinic) -> tuple[Any, Any]:
    """The patient's latest screening and today's log, as stored."""
    from backstride import store

    engine = store.make_engine(clinic.url)
    try:
        with store.transaction(engine, readonly=True) as s:
            screening = store.latest_screening(s, clinic.patient_a)
            log = store.get_log(s, clinic.patient_a, dt.date.today())
            return (
                None if screening is None else (screening.urgency, dict(screening.answers)),
                None if log is None else dict(log.log),
            )
    finally:
        engine.dispose()


def test_one_warning_sign_alone_reaches_the_emergency_page(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    form = client.get(f"/patients/{clinic.patient_a}/checkin").text
    assert " required" not in form  # no browser check stands between a "yes" and the server
    assert "novalidate" in form
    stop = post(client, f"/patients/{clinic.patient_a}/checkin", {"saddle_numbness": "yes"})
    assert stop.status_code == 200
    assert 'id="emergency-number">911<' in stop.text
    assert _stored(clinic)[0] == ("emergency", {"saddle_numbness": True})


def test_a_warning_sign_beside_a_wrong_number_is_kept_and_shown_first(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    stop = check_in(client, clinic.patient_a, bowel_incontinence="yes", pain_nrs="11")
    assert stop.status_code == 200
    assert 'id="emergency-number">911<' in stop.text
    urgency, answers = _stored(clinic)[0]
    assert urgency == "emergency"
    assert answers["bowel_incontinence"] is True
    assert answers["saddle_numbness"] is False and answers["age"] == 52
    assert "pain_nrs" not in answers  # the number that could not be used is left out, nothing else


def test_a_wrong_number_without_a_warning_sign_comes_back_on_the_form(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    page = check_in(client, clinic.patient_a, pain_nrs="11", walking_tolerance_min="abc")
    assert page.status_code == 422
    assert "Some answers could not be used" in page.text
    assert "(the worst pain you can imagine)? — give a whole number from 0 to 10." in page.text
    assert "How many minutes can you walk" in page.text and "— give a number from 0 to 600" in page.text
    assert 'name="pain_nrs" type="number" aria-invalid="true"' in page.text
    assert 'value="11"' in page.text and 'value="abc"' in page.text  # what was typed is still there
    assert 'name="saddle_numbness" value="no" checked' in page.text
    assert _stored(clinic) == (None, None)


def test_unanswered_questions_are_asked_for_only_without_an_emergency(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    page = post(client, f"/patients/{clinic.patient_a}/checkin", {"saddle_numbness": "no", "fever": "yes"})
    assert page.status_code == 422
    assert "Please answer these questions too" in page.text
    assert "Have you newly lost control of your bowels" in page.text
    assert "saddle_numbness" not in page.text.split("Please answer these questions too")[1].split("</ul>")[0]
    assert _stored(clinic) == (None, None)
