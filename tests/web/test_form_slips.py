"""What fuzzing the forms found kept or echoed that should not be: a name or a session's technique holding a
line break or a terminal's escape sequence was kept (and a technique of one escape character counted as filled
in); an e-mail address of 100 000 characters came back whole in the page's message; a field beyond the form
parser's 64 KB ended in the parser's own words. Each is now refused in the form's words, nothing kept."""

from __future__ import annotations

import html
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, post, sign_in

NEW_PATIENT = {"email": "eve@home.test", "age": "47", "sex": "female", "access": "password"}


def _account(clinic: Clinic, email: str) -> Any:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return store.get_user_by_email(s, email)


def test_a_new_patient_s_name_with_a_line_break_or_an_escape_is_refused(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    for name in ("Eve\r\nEvil", "Eve\x1b[31m"):
        page = post(client, "/clinician/patients/new", {**NEW_PATIENT, "name": name})
        assert page.status_code == 422, page.text  # type: ignore[attr-defined]
        assert "Name: it holds a line break or another control character" in html.unescape(page.text)  # type: ignore[attr-defined]
        assert _account(clinic, "eve@home.test") is None
    assert post(client, "/clinician/patients/new", {**NEW_PATIENT, "name": "Eve Evans"}).status_code == 201  # type: ignore[attr-defined]


def test_a_session_s_technique_of_an_escape_character_is_not_filled_in(client: Any, clinic: Clinic) -> None:
    from backstride import store

    sign_in(client, "anna@clinic.test")
    typed = {"technique": "\x1b[31m", "region": "lumbar", "response": "better"}
    page = post(client, f"/patients/{clinic.patient_a}/sessions", typed)
    assert page.status_code == 422, page.text  # type: ignore[attr-defined]
    assert "Technique: it holds a line break or another control character" in html.unescape(page.text)  # type: ignore[attr-defined]
    with clinic_db(clinic, readonly=True) as s:
        assert store.therapy_sessions_of(s, clinic.patient_a) == []


def test_an_address_of_100_000_characters_is_not_repeated_whole(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    page = post(
        client, "/clinician/patients/new", {**NEW_PATIENT, "name": "Eve Evans", "email": "x" * 60_000}
    )
    assert page.status_code == 422, page.text  # type: ignore[attr-defined]
    text = html.unescape(page.text)  # type: ignore[attr-defined]
    assert "is not an e-mail address" in text
    message = next(line for line in text.splitlines() if "is not an e-mail address" in line)
    assert "x" * 100 not in message and "..." in message


def test_a_field_beyond_the_parser_s_limit_is_refused_in_words(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    answer = client.post(
        "/clinician/patients/new",
        files={"email": (None, "x" * 100_000)},
        data={**NEW_PATIENT, "name": "Eve Evans", "csrf_token": client.csrf},
        headers={"X-CSRF-Token": client.csrf},
    )
    assert answer.status_code == 400, answer.text
    assert "A field of this form held more than 64 KB of text" in html.unescape(answer.text)
    assert "Field exceeded maximum size" not in answer.text
    assert _account(clinic, "eve@home.test") is None


def test_a_session_dated_before_the_clinic_s_years_or_typed_at_length_is_refused(
    client: Any, clinic: Clinic
) -> None:
    from backstride import store

    sign_in(client, "anna@clinic.test")
    typed = {"technique": "massage", "region": "lumbar", "response": "better"}
    for date, said in (
        ("0001-01-01", "must be a date from 1900-01-01 to 2200-12-31"),
        ("1" * 5000, "is not a date"),
    ):
        page = post(client, f"/patients/{clinic.patient_a}/sessions", {**typed, "date": date})
        assert page.status_code == 422, page.text  # type: ignore[attr-defined]
        text = html.unescape(page.text)  # type: ignore[attr-defined]
        message = next(line for line in text.splitlines() if said in line)
        assert len(message) < 400
    with clinic_db(clinic, readonly=True) as s:
        assert store.therapy_sessions_of(s, clinic.patient_a) == []
