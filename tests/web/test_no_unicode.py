"""Text that is no Unicode in a form: a lone surrogate (half of a character's UTF-16 pair) that a multipart part
declared in the charset ``raw_unicode_escape`` carries into the app as U+D800. Found by fuzzing every form: it
could be neither stored nor shown, a 500 wherever it went (the page shown again with what was typed, the
sign-in, a plan change's reason); and a therapy session's dose or a day's note that held it was kept, after
which every page showing it failed, for good. Every form is now refused (400) before any route reads it."""

from __future__ import annotations

from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, csrf_of, notes_of, sign_in, todays_log

from backstride.web._context import NO_UNICODE

HALF = "\\ud800"  # as raw_unicode_escape spells U+D800


def _multipart(client: Any, url: str, fields: dict[str, str], token: str) -> Any:
    boundary = "backstrideTest"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in {"csrf_token": token, **fields}.items()
    )
    body = (parts + f"--{boundary}--\r\n").encode("latin-1")
    content_type = f"multipart/form-data; boundary={boundary}; charset=raw_unicode_escape"
    return client.post(url, content=body, headers={"content-type": content_type})


def _sessions_of(clinic: Clinic) -> list[Any]:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return list(store.therapy_sessions_of(s, clinic.patient_a))


def test_a_session_whose_dose_is_half_a_character_is_refused_and_the_page_stays_whole(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "anna@clinic.test")
    fields = {"technique": "mobilisation", "region": "L4", "dose": HALF, "response": "better"}
    answer = _multipart(client, f"/patients/{clinic.patient_a}/sessions", fields, client.csrf)
    assert answer.status_code == 400 and NO_UNICODE in answer.text
    assert _sessions_of(clinic) == []
    assert client.get(f"/patients/{clinic.patient_a}").status_code == 200
    # the same form, its dose typed again, is kept
    fields["dose"] = "grade III"
    kept = _multipart(client, f"/patients/{clinic.patient_a}/sessions", fields, client.csrf)
    assert kept.status_code == 303, kept.text
    assert len(_sessions_of(clinic)) == 1


def test_a_clinician_s_note_holding_half_a_character_is_refused(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    note = _multipart(client, f"/patients/{clinic.patient_a}/notes", {"text": HALF}, client.csrf)
    assert note.status_code == 400 and notes_of(clinic) == []


def test_a_day_s_log_holding_half_a_character_is_refused(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    log = _multipart(
        client, f"/patients/{clinic.patient_a}/log", {"pain_today": "3", "notes": HALF}, client.csrf
    )
    assert log.status_code == 400 and todays_log(clinic) is None
    assert client.get(f"/patients/{clinic.patient_a}/log").status_code == 200


def test_signing_in_with_half_a_character_is_refused_not_an_error(client: Any) -> None:
    answer = _multipart(client, "/signin", {"email": HALF, "password": "x"}, csrf_of(client))
    assert answer.status_code == 400 and NO_UNICODE in answer.text
