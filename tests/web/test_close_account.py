"""A clinician closes a patient's account when their care ends (``POST /patients/{id}/close``): the patient no
longer signs in, every record stays and the clinician keeps reading it; reopening gives a new way in at once
(``POST /patients/{id}/reopen``). The caseload lists closed accounts apart."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import (
    PASSWORD,
    Clinic,
    account_of,
    csrf_of,
    post,
    sign_in,
    signing_in_section,
    signs_in,
)

from backstride import store

REASON = "care completed"


@pytest.fixture
def therapist(app_factory: Any) -> Any:
    """Anna, signed in: the clinician of Paula (patient A)."""
    client = app_factory()
    sign_in(client, "anna@clinic.test")
    return client


def _close(client: Any, patient_id: int, reason: str = REASON) -> Any:
    return post(client, f"/patients/{patient_id}/close", {"reason": reason})


def _reopen(client: Any, patient_id: int, kind: str) -> Any:
    return post(client, f"/patients/{patient_id}/reopen", {"kind": kind})


def _account(clinic: Clinic, email: str = "paula@home.test") -> tuple[Any, Any, Any, Any, Any]:
    """The user's closed_at, closed_by_id, closed_reason, password hash and first-login token hash as stored."""
    user = account_of(clinic, email)
    return (
        user.closed_at,
        user.closed_by_id,
        user.closed_reason,
        user.password_hash,
        user.first_login_token_hash,
    )


def _shown(moment: dt.datetime) -> str:
    """A stored moment as the app's ``date`` filter shows it (the server's zone, named)."""
    local = moment.astimezone()
    return f"{local:%d %b %Y, %H:%M} {local.tzname()}"


# ----------------------------------------------------------------------------------- closing, and who may
def test_the_patients_page_offers_to_close_the_account_and_says_what_it_means(
    clinic: Clinic, therapist: Any
) -> None:
    said = signing_in_section(therapist, clinic.patient_a)
    assert "Close the account" in said
    assert (
        "Paula Patient will no longer be able to sign in, and is signed out on every computer. Every record is "
        "kept and you can still read it. The account can be reopened later with a new first-login link or "
        "password." in said
    )
    page = therapist.get(f"/patients/{clinic.patient_a}").text
    form = re.search(
        rf'<form method="post" action="/patients/{clinic.patient_a}/close">.*?</form>', page, re.S
    )
    assert form, page
    assert '<label for="close-why">' in form.group(0)
    assert re.search(r'<input type="text" id="close-why" name="reason" required', form.group(0))
    assert 'name="csrf_token"' in form.group(0)


def test_a_clinician_closes_the_account_and_the_page_says_when_by_whom_and_why(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    closed = _close(therapist, clinic.patient_a, "  moved   away ")
    assert closed.status_code == 303 and closed.headers["location"] == f"/patients/{clinic.patient_a}#access"
    closed_at, by_id, reason, password_hash, token_hash = _account(clinic)
    assert closed_at is not None and by_id == clinic.clinician_a and reason == "moved away"
    assert password_hash is None and token_hash is None
    said = signing_in_section(therapist, clinic.patient_a)
    assert f"Account closed on {_shown(closed_at)} by Anna Therapist: moved away" in said
    # the ordinary buttons are gone; the two ways to reopen are offered
    assert "Give a new first-login link" not in said and "Give a new password" not in said
    assert "Reopen with a new first-login link" in said and "Reopen with a new password" in said
    assert "Close the account" not in said
    page = therapist.get(f"/patients/{clinic.patient_a}").text
    assert f'action="/patients/{clinic.patient_a}/access"' not in page
    # said at the top of the page too, leading to the section
    assert '<a href="#access">Account closed</a>' in page
    assert not signs_in(app_factory(), "paula@home.test", PASSWORD)


def test_only_the_patients_clinicians_and_admins_close_an_account(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    from backstride._accounts import hash_password

    patient = app_factory()
    sign_in(patient, "paula@home.test")
    assert _close(patient, clinic.patient_a).status_code == 403  # not even her own
    other = app_factory()
    sign_in(other, "ben@clinic.test")
    assert _close(other, clinic.patient_a).status_code == 404  # not his patient: not even said to exist
    assert _close(therapist, clinic.patient_b).status_code == 404
    assert _account(clinic)[0] is None
    without_token = therapist.post(f"/patients/{clinic.patient_a}/close", data={"reason": REASON})
    assert without_token.status_code == 403
    assert _account(clinic)[0] is None
    with clinic_db(clinic) as s:
        ada = store.create_user(
            s, "ada@clinic.test", "Ada Admin", "admin", password_hash=hash_password(PASSWORD)
        )
        ada_id = ada.id
    admin = app_factory()
    sign_in(admin, "ada@clinic.test")
    assert _close(admin, clinic.patient_b, "moved to another clinic").status_code == 303
    closed_at, by_id, reason, _, _ = _account(clinic, "peter@home.test")
    assert closed_at is not None and by_id == ada_id and reason == "moved to another clinic"
    peters = app_factory()
    sign_in(peters, "ben@clinic.test")
    assert "by Ada Admin: moved to another clinic" in signing_in_section(peters, clinic.patient_b)


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("", "Reason: please say why the account is closed (for example: care completed, moved away)."),
        ("   ", "Reason: please say why the account is closed (for example: care completed, moved away)."),
        ("x" * 501, "Reason: give at most 500 characters (this one has 501)."),
    ],
)
def test_a_missing_or_long_reason_brings_the_form_back_as_typed(
    clinic: Clinic, therapist: Any, reason: str, problem: str
) -> None:
    refused = _close(therapist, clinic.patient_a, reason)
    assert refused.status_code == 422
    page = refused.text
    problems = re.search(r'<div class="alert" role="alert" id="close-problems".*?</div>', page, re.S)
    assert problems and problem in html.unescape(problems.group(0))
    # beside the field: the problem sits in the form's section, just before the form
    form_at = page.index(f'action="/patients/{clinic.patient_a}/close"')
    assert page.index('id="access"') < problems.start() < form_at
    field = re.search(r'<input type="text" id="close-why"[^>]*>', page)
    assert field
    assert f'value="{reason}"' in field.group(0)  # what was typed, kept
    assert 'aria-invalid="true"' in field.group(0)
    assert "close-problems" in field.group(0)  # described by the problem
    assert '<a href="#close-problems">The account was not closed: see why below.</a>' in page
    assert _account(clinic)[0] is None  # nothing closed


def test_a_reason_of_500_characters_is_kept_whole(clinic: Clinic, therapist: Any) -> None:
    assert _close(therapist, clinic.patient_a, "y" * 500).status_code == 303
    assert _account(clinic)[2] == "y" * 500


def test_closing_twice_is_refused_beside_the_form_not_a_server_error(
    clinic: Clinic, therapist: Any, app_factory: Any
) -> None:
    stale = app_factory()  # a second tab, opened before the account was closed
    sign_in(stale, "anna@clinic.test")
    assert _close(therapist, clinic.patient_a).status_code == 303
    first = _account(clinic)
    again = _close(stale, clinic.patient_a, "moved away")
    assert again.status_code == 409
    text = html.unescape(" ".join(again.text.split()))
    assert "the account of paula@home.test was closed already" in text
    assert _account(clinic) == first  # the first reason stays


# --------------------------------------------------------------------------------------------- reopening
def test_reopening_with_a_new_link_lets_the_patient_in_again(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    _close(therapist, clinic.patient_a)
    given = _reopen(therapist, clinic.patient_a, "link")
    assert given.status_code == 201
    text = " ".join(html.unescape(given.text).split())
    assert "Paula Patient's account is open again." in text
    found = re.search(r'id="first-login-link" href="([^"]+)"', given.text)
    assert found
    link = found.group(1).replace("http://testserver", "")
    closed_at, by_id, reason, password_hash, token_hash = _account(clinic)
    assert (closed_at, by_id, reason, password_hash) == (None, None, None, None) and token_hash is not None
    holder = app_factory()
    page = holder.get(link)
    assert page.status_code == 200 and "Welcome, Paula Patient" in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token
    data = {"token": token.group(1), "password": "a walk by the sea", "password2": "a walk by the sea"}
    chosen = holder.post("/welcome", data={**data, "csrf_token": csrf_of(holder, link)})
    assert chosen.status_code == 303
    assert holder.get(f"/patients/{clinic.patient_a}").status_code == 200
    said = signing_in_section(therapist, clinic.patient_a)
    assert "Paula Patient signs in with a password." in said and "Close the account" in said


def test_reopening_with_a_new_password_lets_the_patient_in_again(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    _close(therapist, clinic.patient_a)
    given = _reopen(therapist, clinic.patient_a, "password")
    assert given.status_code == 201
    found = re.search(r'id="initial-password">([^<]+)<', given.text)
    assert found
    password = found.group(1)
    text = " ".join(html.unescape(given.text).split())
    assert "Paula Patient's account is open again." in text
    assert "old password no longer works" not in text  # closing ended it already: nothing more is said
    assert _account(clinic)[0] is None
    assert signs_in(app_factory(), "paula@home.test", password)
    assert password not in therapist.get(f"/patients/{clinic.patient_a}").text  # shown once


def test_reopening_is_refused_for_an_open_account_or_another_kind(clinic: Clinic, therapist: Any) -> None:
    before = _account(clinic)
    open_one = _reopen(therapist, clinic.patient_a, "password")
    assert open_one.status_code == 409
    assert "the account of paula@home.test is open" in html.unescape(open_one.text)
    assert _account(clinic) == before  # the password was not changed
    _close(therapist, clinic.patient_a)
    closed = _account(clinic)
    neither = _reopen(therapist, clinic.patient_a, "both")
    assert neither.status_code == 422
    assert "choose a new first-login link or a new password" in neither.text
    assert _account(clinic) == closed  # still closed


def test_only_the_patients_clinicians_reopen_an_account(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    _close(therapist, clinic.patient_a)
    closed = _account(clinic)
    other = app_factory()
    sign_in(other, "ben@clinic.test")
    assert _reopen(other, clinic.patient_a, "link").status_code == 404
    assert therapist.post(f"/patients/{clinic.patient_a}/reopen", data={"kind": "link"}).status_code == 403
    assert _account(clinic) == closed


@pytest.mark.parametrize("kind", ["link", "password"])
def test_a_forged_new_way_in_for_a_closed_account_is_refused_clearly(
    clinic: Clinic, therapist: Any, kind: str
) -> None:
    _close(therapist, clinic.patient_a)
    closed = _account(clinic)
    forged = post(therapist, f"/patients/{clinic.patient_a}/access", {"kind": kind})
    assert forged.status_code == 409
    problems = re.search(r'<div class="alert" role="alert" id="access-problems".*?</div>', forged.text, re.S)
    assert problems
    said = " ".join(html.unescape(problems.group(0)).split())
    assert "Paula Patient's account is closed: reopen it with one of the buttons below" in said
    assert _account(clinic) == closed


# ------------------------------------------------------------------------- a patient signed in meanwhile
def test_a_patient_signed_in_when_the_account_closes_is_sent_to_sign_in(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    paula = app_factory()
    sign_in(paula, "paula@home.test")
    assert paula.get(f"/patients/{clinic.patient_a}").status_code == 200
    assert _close(therapist, clinic.patient_a).status_code == 303
    ended = paula.get(f"/patients/{clinic.patient_a}/plan")
    assert ended.status_code == 303 and ended.headers["location"] == "/signin"
    sent = post(paula, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "4"})
    assert sent.status_code == 403  # a form sent from the page still open: its session's token has ended
    with clinic_db(clinic, readonly=True) as s:
        assert store.questionnaire_history(s, clinic.patient_a) == []  # nothing kept
    assert not signs_in(app_factory(), "paula@home.test", PASSWORD)
    peter = app_factory()
    sign_in(peter, "peter@home.test")
    assert peter.get(f"/patients/{clinic.patient_b}").status_code == 200  # nobody else's


# --------------------------------------------------------------------------------------------- caseload
def test_the_caseload_lists_closed_accounts_apart(clinic: Clinic, therapist: Any) -> None:
    page = therapist.get("/caseload").text
    assert "Closed accounts" not in page  # none yet: no list
    _close(therapist, clinic.patient_a, "moved away")
    closed_at = _account(clinic)[0]
    page = therapist.get("/caseload").text
    patients = re.search(r"<table>.*?</table>", page, re.S)
    assert patients is None or "Paula Patient" not in patients.group(0)
    closed = re.search(r'<section[^>]*aria-labelledby="closed-accounts".*?</section>', page, re.S)
    assert closed, page
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", closed.group(0))).split())
    assert words.startswith("Closed accounts")
    assert f"Paula Patient closed on {_shown(closed_at)}: moved away" in words
    assert f'<a href="/patients/{clinic.patient_a}">Paula Patient</a>' in closed.group(0)


def test_a_clinician_with_only_closed_patients_sees_no_empty_table(clinic: Clinic, therapist: Any) -> None:
    _close(therapist, clinic.patient_a)
    page = " ".join(therapist.get("/caseload").text.split())
    assert "No open accounts." in page and "Closed accounts" in page
    assert "Add your first patient" not in page  # she has had one


# ----------------------------------------------------------------------------- the record, read after
def test_a_closed_patients_pages_stay_open_to_the_clinician(clinic: Clinic, therapist: Any) -> None:
    pid = clinic.patient_a
    assert _close(therapist, pid).status_code == 303
    for path in ("", "/plan", "/progress", "/recordings", "/questionnaires", "/summary.html", "/fhir.json"):
        assert therapist.get(f"/patients/{pid}{path}").status_code == 200, path


def test_a_clinician_still_writes_in_a_closed_patients_record(clinic: Clinic, therapist: Any) -> None:
    """The record is kept: a note after discharge, a last therapy session, a plan put right all still save."""
    pid = clinic.patient_a
    assert _close(therapist, pid).status_code == 303
    noted = post(therapist, f"/patients/{pid}/notes", {"text": "Discharged: walks 30 minutes without pain."})
    assert noted.status_code == 303
    assert "Discharged: walks 30 minutes without pain." in therapist.get(f"/patients/{pid}").text
    session = {
        "technique": "Walking advice",
        "region": "lumbar",
        "duration_min": "20",
        "pain_before": "2",
        "pain_after": "1",
        "response": "better",
    }
    assert post(therapist, f"/patients/{pid}/sessions", session).status_code == 303
    with clinic_db(clinic, readonly=True) as s:
        assert [n.text for n in store.notes_of(s, pid)] == ["Discharged: walks 30 minutes without pain."]
        assert [t.data["technique"] for t in store.therapy_sessions_of(s, pid)] == ["Walking advice"]
