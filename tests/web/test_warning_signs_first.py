"""A warning sign reaches the emergency page at once: whatever else of the check-in or the daily log is left
unanswered or wrong, it is kept and screened first; without one, the form comes back with what was typed
and every problem named, and nothing is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, post, sign_in


def _stored(clinic: Clinic) -> tuple[Any, Any]:
    """The patient's latest screening and today's log, as stored."""
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        screening = store.latest_screening(s, clinic.patient_a)
        log = store.get_log(s, clinic.patient_a, dt.date.today())
        return (
            None if screening is None else (screening.urgency, dict(screening.answers)),
            None if log is None else dict(log.log),
        )


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


def test_a_warning_sign_in_the_log_beside_a_wrong_pain_is_kept_and_shown_first(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    data = {
        "w1_minutes": "10",
        "w1_pain_before": "2",
        "w1_pain_during": "11",
        "w1_pain_after": "3",
        "flag_urinary_retention": "yes",
        "notes": "could not pass water",
    }
    stop = post(client, f"/patients/{clinic.patient_a}/log", data)
    assert stop.status_code == 200
    assert 'id="emergency-number">911<' in stop.text
    screening, log = _stored(clinic)
    assert screening == ("emergency", {"urinary_retention": True})
    assert log["red_flags"] == {"urinary_retention": True} and log["red_flag"] is True
    assert log["notes"] == "could not pass water"
    assert log["walks"] == []  # the walk with the pain out of range is left out


def test_a_fever_with_feeling_unwell_can_be_logged_and_is_an_emergency(client: Any, clinic: Clinic) -> None:
    """The printed program says to log a fever with feeling unwell as a warning sign and to call for help: the
    log has one box for the two together (neither alone is an emergency), and it leads to the emergency page."""
    sign_in(client, "paula@home.test")
    page = client.get(f"/patients/{clinic.patient_a}/log").text
    box = 'name="flag_fever+feeling_unwell" value="yes"> Both: Do you have a fever'
    assert box in page and "And: Do you feel generally unwell" in page
    stop = post(
        client, f"/patients/{clinic.patient_a}/log", {"flag_fever+feeling_unwell": "yes", "pain_today": "6"}
    )
    assert stop.status_code == 200 and 'id="emergency-number">911<' in stop.text
    screening, log = _stored(clinic)
    assert screening == ("emergency", {"fever": True, "feeling_unwell": True})
    assert log["red_flags"] == {"fever": True, "feeling_unwell": True} and log["pain_today"] == 6


def test_a_box_of_signs_together_naming_an_unknown_sign_is_refused(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    page = post(
        client, f"/patients/{clinic.patient_a}/log", {"flag_fever+no_such_sign": "yes", "pain_today": "3"}
    )
    assert page.status_code == 422
    assert "A warning sign the form does not know was sent" in page.text
    assert _stored(clinic) == (None, None)


def test_a_warning_sign_in_the_log_beside_minutes_that_are_no_number(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    stop = post(
        client, f"/patients/{clinic.patient_a}/log", {"w1_minutes": "abc", "flag_bowel_incontinence": "yes"}
    )
    assert stop.status_code == 200 and 'id="emergency-number">911<' in stop.text
    screening, log = _stored(clinic)
    assert screening == ("emergency", {"bowel_incontinence": True})
    assert log["red_flags"] == {"bowel_incontinence": True}


def test_a_wrong_log_without_a_warning_sign_comes_back_with_every_problem(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    data = {
        "w1_minutes": "-5",
        "w1_pain_during": "3",
        "w2_minutes": "99999",
        "w2_pain_before": "1",
        "w2_pain_during": "2",
        "w2_pain_after": "11",
        "notes": "a long day",
    }
    page = post(client, f"/patients/{clinic.patient_a}/log", data)
    assert page.status_code == 422
    for message in (
        "Walk 1, minutes walked: give a whole number from 0 to 600.",
        "Walk 1, pain before: please give it (a whole number from 0 to 10).",
        "Walk 1, pain after: please give it (a whole number from 0 to 10).",
        "Walk 2, minutes walked: give a whole number from 0 to 600.",
        "Walk 2, pain after: give a whole number from 0 to 10.",
    ):
        assert message in page.text
    assert "w1_minutes" not in page.text.split('id="log-problems"')[1].split("</div>")[0]
    assert (
        'id="w2_minutes" name="w2_minutes" type="number" min="0" max="600" step="1" value="99999"'
        in page.text
    )
    assert 'value="-5"' in page.text and ">a long day</textarea>" in page.text
    assert _stored(clinic) == (None, None)


def test_a_warning_sign_logged_earlier_in_the_day_stays_when_the_log_is_saved_again(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    post(client, f"/patients/{clinic.patient_a}/log", {"flag_leg_weakness_progressive": "yes"})
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    assert check_in(therapist, clinic.patient_a).status_code == 303  # seen by a doctor, screened again
    data = {"w1_minutes": "10", "w1_pain_before": "2", "w1_pain_during": "3", "w1_pain_after": "2"}
    assert post(client, f"/patients/{clinic.patient_a}/log", data).status_code == 303
    log = _stored(clinic)[1]
    assert log["red_flags"] == {"leg_weakness_progressive": True} and log["red_flag"] is True
    assert log["walks"] == [{"minutes": 10.0, "pain_before": 2.0, "pain_during": 3.0, "pain_after": 2.0}]


def test_a_warning_sign_a_clinician_logs_for_the_patient_leads_to_the_emergency_not_saved(
    client: Any, clinic: Clinic
) -> None:
    """A clinician logging the day for the patient (on the telephone, say) is the one who must act on a sign:
    the answer is the patient's page headed by the emergency, as after a check-in, not "Saved. Thank you"."""
    sign_in(client, "anna@clinic.test")
    url = f"/patients/{clinic.patient_a}/log"
    seen = client.get(url).text.split('name="log_seen" value="')[1].split('"')[0]
    form = {"flag_saddle_numbness": "yes", "pain_today": "5", "log_seen": seen}
    for answer in (post(client, url, form), post(client, url, form)):  # sent twice, too
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/patients/{clinic.patient_a}#screenings"
        page = client.get(answer.headers["location"]).text
        assert "Saved. Thank you" not in page and 'class="flag danger">Emergency<' in page
    assert _stored(clinic)[0] == ("emergency", {"saddle_numbness": True})
