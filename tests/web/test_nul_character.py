"""A NUL character (U+0000) in what a form sends: PostgreSQL cannot hold one in a text column, nor look one up,
so a clinician's note or a new patient's name with one in it was a 500 there ("PostgreSQL text fields cannot
contain NUL (0x00) bytes"), and SQLite kept it. The store now refuses it on every database alike, before the
statement is sent: the form comes back with what was typed and the reason, nothing kept."""

from __future__ import annotations

import html
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, csrf_of, notes_of, post, sign_in

REFUSAL = "cannot be kept"


def test_a_note_with_a_nul_character_comes_back_as_typed_and_nothing_is_kept(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "anna@clinic.test")
    page = post(client, f"/patients/{clinic.patient_a}/notes", {"text": "Walked\x00 well"})
    assert page.status_code == 422, page.text  # type: ignore[attr-defined]
    text = html.unescape(page.text)  # type: ignore[attr-defined]
    assert REFUSAL in text and "Walked\x00 well" in text
    assert notes_of(clinic) == []


def test_a_new_patient_whose_name_holds_a_nul_character_is_refused_with_the_form_kept(
    client: Any, clinic: Clinic
) -> None:

    sign_in(client, "anna@clinic.test")
    page = post(
        client,
        "/clinician/patients/new",
        {
            "name": "Nora\x00 New",
            "email": "nora@home.test",
            "age": "47",
            "sex": "female",
            "access": "password",
        },
    )
    assert page.status_code == 422, page.text  # type: ignore[attr-defined]
    assert REFUSAL in html.unescape(page.text)  # type: ignore[attr-defined]
    assert 'value="nora@home.test"' in page.text and 'value="47"' in page.text  # type: ignore[attr-defined]
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        assert store.get_user_by_email(s, "nora@home.test") is None


def test_signing_in_with_a_nul_character_in_the_email_is_refused_not_an_error(client: Any) -> None:
    answer = client.post(
        "/signin", data={"email": "paula@home.test\x00", "password": "x", "csrf_token": csrf_of(client)}
    )
    assert 400 <= answer.status_code < 500, answer.text
