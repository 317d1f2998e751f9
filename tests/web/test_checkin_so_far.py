"""A check-in sent with emergency questions left open comes back to be finished; what the answers given already
call for (see a doctor today, or within two weeks) is said on it at once, as `backstride triage` says it, so
whoever leaves the form there has still been told. Nothing is kept until the screen is whole."""

from __future__ import annotations

from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, post, sign_in

FEVER_WHY = "A fever with back pain can be a sign of infection and should be checked by a doctor today."


def _screenings(clinic: Clinic) -> int:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return len(store.screenings_of(s, clinic.patient_a))


def _so_far(page: Any) -> str:
    assert 'id="checkin-so-far"' in page.text
    return str(page.text.split('id="checkin-so-far"')[1].split("</div>")[0])


def test_a_fever_in_a_half_answered_check_in_is_told_at_once(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    page = post(client, f"/patients/{clinic.patient_a}/checkin", {"saddle_numbness": "no", "fever": "yes"})
    assert page.status_code == 422
    assert "Please answer these questions too" in page.text
    said = _so_far(page)
    assert "From what you have answered so far" in said
    assert "See a doctor today (same-day urgent appointment, urgent care or an out-of-hours service)." in said
    assert FEVER_WHY in said
    assert "The questions above still need your answer" in said
    # the emergency questions come first on the page, then what the answers so far call for
    assert page.text.index("Please answer these questions too") < page.text.index('id="checkin-so-far"')
    assert 'name="fever" value="yes" checked' in page.text
    assert _screenings(clinic) == 0  # nothing is kept until the screen is whole


def test_a_clinician_reads_whose_answers_they_are(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    page = post(
        client, f"/patients/{clinic.patient_a}/checkin", {"fever": "yes", "iv_drug_use": "yes", "age": "40"}
    )
    assert page.status_code == 422
    said = _so_far(page)
    assert "From the answers of Paula Patient so far, in the words the patient reads" in said
    assert FEVER_WHY in said
    assert "A fever after injecting drugs raises the chance of a spinal infection" in said
    assert "The questions above still need an answer" in said


def test_a_finding_beside_a_number_to_put_right_is_told_too(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    page = check_in(client, clinic.patient_a, fever="yes", pain_nrs="11")
    assert page.status_code == 422
    assert "Some answers could not be used" in page.text
    said = _so_far(page)
    assert FEVER_WHY in said
    assert "still need" not in said  # every question was answered: one number is to be put right
    assert _screenings(clinic) == 0


def test_nothing_is_said_where_the_answers_so_far_call_for_nothing(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    page = post(client, f"/patients/{clinic.patient_a}/checkin", {"saddle_numbness": "no", "fever": "no"})
    assert page.status_code == 422
    assert "Please answer these questions too" in page.text
    assert 'id="checkin-so-far"' not in page.text
    assert 'id="checkin-so-far"' not in client.get(f"/patients/{clinic.patient_a}/checkin").text
