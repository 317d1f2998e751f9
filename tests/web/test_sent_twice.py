"""A patient's form sent twice (a double click, a resend after a timeout; at once or one after the other) is
kept once: one check-in, one questionnaire, one warning sign screened; the same answers given again later, or
other answers, are kept as new."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, post, serving, sign_in

from backstride import store


def _counts(clinic: Clinic) -> tuple[int, int]:
    """(screenings, questionnaire responses) of patient A."""
    with clinic_db(clinic, readonly=True) as s:
        return (
            len(store.screenings_of(s, clinic.patient_a)),
            len(store.questionnaire_history(s, clinic.patient_a)),
        )


def _age_everything(clinic: Clinic, minutes: int) -> None:
    """Move patient A's screenings and questionnaires ``minutes`` into the past."""
    from sqlalchemy import update

    from backstride.store._models import QuestionnaireResponse, Screening

    with clinic_db(clinic) as s:
        for model in (Screening, QuestionnaireResponse):
            s.execute(update(model).values(created_at=store.utcnow() - dt.timedelta(minutes=minutes)))


def test_a_check_in_and_a_questionnaire_sent_twice_are_kept_once(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    first, second = check_in(client, clinic.patient_a), check_in(client, clinic.patient_a)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    url = f"/patients/{clinic.patient_a}/questionnaires/nprs"
    first, second = post(client, url, {"score": "5"}), post(client, url, {"score": "5"})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _counts(clinic) == (1, 1)
    # other answers are another check-in, another questionnaire
    assert check_in(client, clinic.patient_a, pain_nrs="6").status_code == 303
    assert post(client, url, {"score": "6"}).status_code == 303
    assert _counts(clinic) == (2, 2)
    # the same answers a while later are kept again: the patient filled it in again
    _age_everything(clinic, 30)
    assert check_in(client, clinic.patient_a, pain_nrs="6").status_code == 303
    assert post(client, url, {"score": "6"}).status_code == 303
    assert _counts(clinic) == (3, 3)


def test_an_emergency_check_in_sent_twice_is_kept_once_and_both_answers_say_so(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    answers = {"saddle_numbness": "yes"}
    first = check_in(client, clinic.patient_a, **answers)
    second = check_in(client, clinic.patient_a, **answers)
    assert first.status_code == second.status_code
    assert "emergency" in first.text.lower() and "emergency" in second.text.lower()
    with clinic_db(clinic, readonly=True) as s:
        kept = store.screenings_of(s, clinic.patient_a)
        assert [r.urgency for r in kept] == ["emergency"]


def test_forms_sent_twice_at_once_to_a_server_are_kept_once(client: Any, clinic: Clinic) -> None:
    import httpx

    sign_in(client, "paula@home.test")
    cookies = dict(client.cookies.items())
    with serving(client.app) as base:
        answers: list[int] = []

        def send(url: str, data: dict[str, str]) -> None:
            with httpx.Client(base_url=base, cookies=cookies) as http:
                answers.append(http.post(url, data={**data, "csrf_token": client.csrf}).status_code)

        from tests.web.conftest import routine_answers

        for url, data in (
            (f"/patients/{clinic.patient_a}/checkin", routine_answers()),
            (f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "4"}),
        ):
            threads = [threading.Thread(target=send, args=(url, data)) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    assert answers == [303] * 6
    assert _counts(clinic) == (1, 1)


def test_the_same_check_in_after_a_new_plan_version_is_kept_again(client: Any, clinic: Clinic) -> None:
    """A plan saved since (resumed after a warning sign, say): the same answers are a new report."""
    from tests.web.conftest import save_plan_of_last_week

    sign_in(client, "paula@home.test")
    assert check_in(client, clinic.patient_a).status_code == 303
    with clinic_db(clinic) as s:
        save_plan_of_last_week(s, clinic.patient_a)
    assert check_in(client, clinic.patient_a).status_code == 303
    assert _counts(clinic)[0] == 2


def test_a_clinicians_note_and_session_sent_twice_are_kept_once(client: Any, clinic: Clinic) -> None:
    import datetime as _dt

    sign_in(client, "anna@clinic.test")
    url = f"/patients/{clinic.patient_a}"
    session = {
        "date": _dt.date.today().isoformat(),
        "technique": "soft-tissue massage",
        "region": "lumbar paraspinals",
        "response": "better",
    }
    for _ in range(2):
        assert (
            post(client, f"{url}/notes", {"text": "Sleeps badly; discuss at next visit."}).status_code == 303
        )
        assert post(client, f"{url}/sessions", session).status_code == 303
    # another note, another session are kept
    assert post(client, f"{url}/notes", {"text": "Sleeps better."}).status_code == 303
    assert post(client, f"{url}/sessions", {**session, "response": "same"}).status_code == 303
    with clinic_db(clinic, readonly=True) as s:
        assert [n.text for n in store.notes_of(s, clinic.patient_a)] == [
            "Sleeps better.",
            "Sleeps badly; discuss at next visit.",
        ]
        assert [r.data["response"] for r in store.therapy_sessions_of(s, clinic.patient_a)] == [
            "better",
            "same",
        ]


def test_a_new_patients_form_sent_twice_says_the_patient_was_added_and_where_to_give_a_new_way_in(
    client: Any, clinic: Clinic
) -> None:
    """The browser shows the second answer: the first-login link the first one showed once is off screen."""
    import html

    sign_in(client, "anna@clinic.test")
    form = {"name": "Nora New", "email": "nora@home.test", "age": "47", "sex": "female", "height_m": "1.65"}
    first = post(client, "/clinician/patients/new", {**form, "access": "link"})
    second = post(client, "/clinician/patients/new", {**form, "access": "link"})
    assert (first.status_code, second.status_code) == (201, 422)
    words = " ".join(html.unescape(second.text).split())
    assert "already has an account" in words and "added a moment ago" in words and "Signing in" in words
    # another person's address taken is said as before, without the hint
    other = post(client, "/clinician/patients/new", {**form, "email": "peter@home.test", "access": "link"})
    assert other.status_code == 422 and "added a moment ago" not in html.unescape(other.text)
