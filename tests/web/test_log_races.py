"""The daily log sent from a page opened before the day's log was changed elsewhere (another tab, the phone):
the form keeps the whole day, so saving it would silently drop what was logged meanwhile. It is refused (409)
with what was typed kept, except a warning sign, which is kept and screened whatever else; the same form sent
twice (a double click, a resend) is saved once, without a refusal."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, post, sign_in, todays_log

_SEEN_RE = re.compile(r'name="log_seen" value="([^"]*)"')


def _opened(client: Any, clinic: Clinic) -> str:
    page = client.get(f"/patients/{clinic.patient_a}/log").text
    found = _SEEN_RE.search(page)
    assert found, "the log form does not say which log it was opened at"
    return found.group(1)


WALK = {"w1_minutes": "12", "w1_pain_before": "3", "w1_pain_during": "4", "w1_pain_after": "3"}


def test_a_log_from_a_page_opened_before_another_save_is_refused_with_what_was_typed(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    url = f"/patients/{clinic.patient_a}/log"
    phone = laptop = _opened(client, clinic)
    assert post(client, url, {**WALK, "log_seen": phone}).status_code == 303
    late = post(client, url, {"pain_today": "6", "notes": "sore after gardening", "log_seen": laptop})
    assert late.status_code == 409
    words = " ".join(html.unescape(late.text).split())
    assert "changed" in words and "not saved" in words
    assert "sore after gardening" in words and 'value="6"' in late.text
    kept = todays_log(clinic)
    assert kept is not None and [w["minutes"] for w in kept["walks"]] == [12] and kept["pain_today"] is None
    # sent again from the page that refused it (which shows the walk kept), it is saved
    again = _SEEN_RE.search(late.text)
    assert again
    saved = post(client, url, {**WALK, "pain_today": "6", "notes": "sore", "log_seen": again.group(1)})
    assert saved.status_code == 303
    assert todays_log(clinic)["pain_today"] == 6  # type: ignore[index]


def test_the_same_log_sent_twice_is_saved_once_without_a_refusal(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    url = f"/patients/{clinic.patient_a}/log"
    seen = _opened(client, clinic)
    first = post(client, url, {**WALK, "log_seen": seen})
    second = post(client, url, {**WALK, "log_seen": seen})
    assert first.status_code == second.status_code == 303


def test_a_warning_sign_from_a_stale_page_is_kept_and_screened_and_the_walk_logged_meanwhile_too(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    url = f"/patients/{clinic.patient_a}/log"
    phone = laptop = _opened(client, clinic)
    assert post(client, url, {**WALK, "log_seen": phone}).status_code == 303
    late = post(
        client,
        url,
        {"flag_saddle_numbness": "yes", "pain_today": "8", "notes": "numb since noon", "log_seen": laptop},
    )
    assert late.status_code == 200 and "emergency" in late.text.lower()
    kept = todays_log(clinic)
    assert kept is not None
    assert kept["red_flags"].get("saddle_numbness") is True
    assert [w["minutes"] for w in kept["walks"]] == [12]
    assert (
        kept["notes"] == "numb since noon" and kept["pain_today"] == 8
    )  # nothing logged there: nothing undone


def test_a_log_with_an_emergency_sign_sent_twice_shows_the_emergency_both_times(
    client: Any, clinic: Clinic
) -> None:
    """The browser shows the second answer: it must be the emergency message, not "Saved"."""
    sign_in(client, "paula@home.test")
    url = f"/patients/{clinic.patient_a}/log"
    seen = _opened(client, clinic)
    form = {"flag_saddle_numbness": "yes", "pain_today": "8", "log_seen": seen}
    first, second = post(client, url, form), post(client, url, form)
    for answer in (first, second):
        assert answer.status_code == 200 and "emergency" in answer.text.lower(), answer.headers


def test_a_warning_sign_sent_again_after_a_clinician_screened_the_patient_is_a_new_report(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    """The same form with a sign, sent again once a clinician has screened the patient since (the stop lifted),
    is the sign reported afresh: before, it was taken for the form sent twice, and the patient saw the emergency
    page once, but nothing was kept: no stop, nothing in the caseload."""
    from tests.web.conftest import check_in

    from backstride import store

    sign_in(client, "paula@home.test")
    url = f"/patients/{clinic.patient_a}/log"
    seen = _opened(client, clinic)
    form = {"flag_saddle_numbness": "yes", "log_seen": seen}
    assert "emergency" in post(client, url, form).text.lower()
    therapist = app_factory()
    sign_in(therapist, "anna@clinic.test")
    assert (
        check_in(therapist, clinic.patient_a).status_code == 303
    )  # screened again: routine, the stop lifted
    again = post(client, url, form)  # the page kept open, or gone back to, and sent again hours later
    assert again.status_code == 200 and "emergency" in again.text.lower()
    with clinic_db(clinic, readonly=True) as s:
        urgencies = [r.urgency for r in store.screenings_of(s, clinic.patient_a)]
    assert urgencies == ["emergency", "routine", "emergency"]
    assert client.get(f"/patients/{clinic.patient_a}").text.count("emergency-number") > 0  # stopped again
    # the same form sent twice at once is still one report
    assert "emergency" in post(client, url, form).text.lower()
    with clinic_db(clinic, readonly=True) as s:
        assert len(store.screenings_of(s, clinic.patient_a)) == 3


def test_a_warning_sign_a_clinician_sends_from_a_stale_page_says_the_emergency_first(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    """A clinician logging for the patient from a page opened before the day's log changed: the sign is kept,
    the rest refused (409); before, the page said only that the sign was kept, nothing of the emergency."""
    sign_in(client, "anna@clinic.test")
    url = f"/patients/{clinic.patient_a}/log"
    seen = _opened(client, clinic)
    patient = app_factory()
    sign_in(patient, "paula@home.test")
    assert post(patient, url, {**WALK, "log_seen": _opened(patient, clinic)}).status_code == 303
    late = post(client, url, {"flag_unable_to_walk": "yes", "pain_today": "9", "log_seen": seen})
    assert late.status_code == 409
    words = " ".join(html.unescape(late.text).split())
    said = words.index("Paula Patient's warning sign asks for emergency care: EMERGENCY: call 911")
    assert said < words.index("The warning sign you ticked was kept")
    assert todays_log(clinic)["red_flags"] == {"unable_to_walk": True}  # type: ignore[index]
