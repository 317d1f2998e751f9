"""A therapist gives a patient a new way in: a new first-login link or a new password, from the patient's page
(``POST /patients/{id}/access``), and what each ends."""

from __future__ import annotations

import datetime as dt
import html
import re
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import (
    PASSWORD,
    Clinic,
    choose_password,
    given_link,
    given_password,
    post,
    sign_in,
    signing_in_section,
    signs_in,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CHOSEN = "a walk along the canal"


def _give(client: Any, patient_id: int, kind: str) -> Any:
    return post(client, f"/patients/{patient_id}/access", {"kind": kind})


def _in_database(
    clinic: Clinic, change: Callable[[Any, Any], object], email: str = "paula@home.test"
) -> None:
    """``change(session, user)`` on the user with ``email``, committed."""
    from backstride import store

    with clinic_db(clinic) as s:
        user = store.get_user_by_email(s, email)
        assert user is not None
        change(s, user)


def _stored(clinic: Clinic, email: str = "paula@home.test") -> tuple[str | None, str | None]:
    """The user's password hash and first-login token hash as stored."""
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        user = store.get_user_by_email(s, email)
        assert user is not None
        return user.password_hash, user.first_login_token_hash


@pytest.fixture
def therapist(app_factory: Any) -> Any:
    """Anna, signed in: the clinician of Paula (patient A)."""
    client = app_factory()
    sign_in(client, "anna@clinic.test")
    return client


# ------------------------------------------------------------------------------------------- who may
@pytest.mark.parametrize("kind", ["link", "password"])
def test_only_the_patients_clinicians_and_admins_give_a_new_way_in(
    app_factory: Any, clinic: Clinic, therapist: Any, kind: str
) -> None:
    from backstride import store
    from backstride._accounts import hash_password

    before = _stored(clinic)
    patient = app_factory()
    sign_in(patient, "paula@home.test")
    assert _give(patient, clinic.patient_a, kind).status_code == 403  # not even for herself
    other = app_factory()
    sign_in(other, "ben@clinic.test")
    assert _give(other, clinic.patient_a, kind).status_code == 404  # not his patient: not even said to exist
    assert _stored(clinic) == before
    assert _give(therapist, clinic.patient_b, kind).status_code == 404
    assert _give(therapist, clinic.patient_a, kind).status_code == 201
    with clinic_db(clinic) as s:
        store.create_user(s, "ada@clinic.test", "Ada Admin", "admin", password_hash=hash_password(PASSWORD))
    admin = app_factory()
    sign_in(admin, "ada@clinic.test")
    assert _give(admin, clinic.patient_b, kind).status_code == 201


def test_a_patient_cannot_reach_the_signing_insigning_in_section(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    page = therapist.get(f"/patients/{clinic.patient_a}").text
    assert "<h2>Signing in</h2>" in page and f'action="/patients/{clinic.patient_a}/access"' in page
    patient = app_factory()
    sign_in(patient, "paula@home.test")
    own = patient.get(f"/patients/{clinic.patient_a}").text
    assert "/access" not in own and "Signing in" not in own


def test_without_the_csrf_token_nothing_is_given(clinic: Clinic, therapist: Any) -> None:
    before = _stored(clinic)
    for kind in ("link", "password"):
        refused = therapist.post(f"/patients/{clinic.patient_a}/access", data={"kind": kind})
        assert refused.status_code == 403
        wrong = therapist.post(f"/patients/{clinic.patient_a}/access", data={"kind": kind, "csrf_token": "x"})
        assert wrong.status_code == 403
    assert _stored(clinic) == before


@pytest.mark.parametrize("kind", ["", "both", "LINK"])
def test_a_kind_that_is_neither_is_refused_beside_the_form(clinic: Clinic, therapist: Any, kind: str) -> None:
    before = _stored(clinic)
    refused = _give(therapist, clinic.patient_a, kind)
    assert refused.status_code == 422
    problems = re.search(r'<div class="alert" role="alert" id="access-problems".*?</div>', refused.text, re.S)
    assert problems and "<p>Nothing was given:</p>" in problems.group(0)
    assert "choose a new first-login link or a new password" in problems.group(0)
    # the problem sits in the section, before its form
    section = refused.text.index('id="access"')
    assert section < problems.start() < refused.text.index(f'action="/patients/{clinic.patient_a}/access"')
    assert '<a href="#access-problems">Nothing was given: see why below.</a>' in refused.text
    assert _stored(clinic) == before


# ---------------------------------------------------------------------------------------------- a link
def test_a_new_link_lets_the_patient_choose_a_password_and_sign_in(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    from backstride import store

    given = _give(therapist, clinic.patient_a, "link")
    assert given.status_code == 201
    link = given_link(given)
    assert re.fullmatch(r"/welcome\?token=[A-Za-z0-9_-]{32}", link), link
    text = " ".join(given.text.split())
    lapses = store.utcnow() + dt.timedelta(days=14)
    assert f"It lapses on {lapses:%d %b %Y}" in text
    assert "Paula Patient's current password keeps working until the link is used" in text
    assert f'<a class="button" href="/patients/{clinic.patient_a}">Back to Paula Patient\'s page</a>' in text
    holder = app_factory()
    assert "Welcome, Paula Patient" in holder.get(link).text
    chosen = choose_password(holder, link, CHOSEN)
    assert chosen.status_code == 303 and chosen.headers["location"] == f"/patients/{clinic.patient_a}"
    assert holder.get(f"/patients/{clinic.patient_a}").status_code == 200  # signed in
    assert signs_in(app_factory(), "paula@home.test", CHOSEN)
    assert not signs_in(app_factory(), "paula@home.test", PASSWORD)
    assert app_factory().get(link).status_code == 404  # it worked once
    said = signing_in_section(therapist, clinic.patient_a)
    assert "Paula Patient signs in with a password.</p>" in said  # and no link is said to work


def test_the_link_lapses_14_days_after_it_was_given_not_after_the_account_was_made(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    from backstride import store

    _in_database(clinic, lambda _s, user: setattr(user, "created_at", store.utcnow() - dt.timedelta(days=30)))
    link = given_link(_give(therapist, clinic.patient_a, "link"))
    assert "Welcome, Paula Patient" in app_factory().get(link).text  # the account's age does not count
    now = store.utcnow()
    said = signing_in_section(therapist, clinic.patient_a)
    assert f"Paula Patient signs in with a password. A first-login link given on {now:%d %b %Y}" in said
    assert f"also works until {now + dt.timedelta(days=14):%d %b %Y}" in said
    given = store.utcnow() - dt.timedelta(days=13, hours=23)
    _in_database(clinic, lambda _s, user: setattr(user, "first_login_issued_at", given))
    assert app_factory().get(link).status_code == 200
    given = store.utcnow() - dt.timedelta(days=14, minutes=1)
    _in_database(clinic, lambda _s, user: setattr(user, "first_login_issued_at", given))
    late = app_factory().get(link)
    assert late.status_code == 404 and "no longer works" in late.text
    lapsed = given + dt.timedelta(days=14)
    said = signing_in_section(therapist, clinic.patient_a)
    given, lapsed = given.astimezone(), lapsed.astimezone()  # shown in the server's zone, named
    assert (
        f"The first-login link given on {given:%d %b %Y, %H:%M} {given.tzname()} "
        f"lapsed on {lapsed:%d %b %Y, %H:%M} {lapsed.tzname()}"
    ) in said


def test_a_second_new_link_ends_the_first(app_factory: Any, clinic: Clinic, therapist: Any) -> None:
    first = given_link(_give(therapist, clinic.patient_a, "link"))
    second = given_link(_give(therapist, clinic.patient_a, "link"))
    assert first != second
    assert app_factory().get(first).status_code == 404
    assert choose_password(app_factory(), second, CHOSEN).status_code == 303


def test_a_patient_without_a_password_is_told_apart(app_factory: Any, clinic: Clinic, therapist: Any) -> None:
    from backstride import store

    _in_database(clinic, lambda _s, user: setattr(user, "password_hash", None))
    said = signing_in_section(therapist, clinic.patient_a)
    assert "Paula Patient has no password and no first-login link: give one below." in said
    given = _give(therapist, clinic.patient_a, "link")
    assert given.status_code == 201 and "current password keeps working" not in given.text  # there is none
    until = store.utcnow() + dt.timedelta(days=14)
    said = signing_in_section(therapist, clinic.patient_a)
    assert (
        f"Paula Patient has not chosen a password yet. Their first-login link works until {until:%d %b %Y}"
        in said
    )
    _in_database(
        clinic, lambda _s, user: setattr(user, "first_login_issued_at", until - dt.timedelta(days=30))
    )
    said = signing_in_section(therapist, clinic.patient_a)
    assert "Paula Patient has not chosen a password yet. The first-login link given on" in said
    _in_database(clinic, lambda _s, user: setattr(user, "first_login_token_hash", None))
    given = _give(therapist, clinic.patient_a, "password")  # no password and no session to end: none is said
    text = " ".join(html.unescape(given.text).split())
    assert "Any earlier first-login link no longer works." in text
    assert "session" not in text and "old password" not in text


# ------------------------------------------------------------------------------------ what each ends
def test_the_old_password_still_signs_in_after_a_new_link_not_after_a_new_password(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    link = given_link(_give(therapist, clinic.patient_a, "link"))
    assert signs_in(
        app_factory(), "paula@home.test", PASSWORD
    )  # a link handed on by mistake locks nobody out
    given = _give(therapist, clinic.patient_a, "password")
    assert given.status_code == 201
    password = given_password(given)
    assert re.fullmatch(r"([a-z2-9]{4}-){3}[a-z2-9]{4}", password)
    text = " ".join(given.text.split())
    assert "Paula Patient's old password no longer works" in text
    assert "every session of theirs on any computer has ended" in text
    assert "paula@home.test" in text  # the e-mail address to sign in with, beside the password
    assert not signs_in(app_factory(), "paula@home.test", PASSWORD)
    assert signs_in(app_factory(), "paula@home.test", password)
    assert app_factory().get(link).status_code == 404  # the link ends with it
    assert password not in therapist.get(f"/patients/{clinic.patient_a}").text  # shown once


def test_a_new_password_signs_the_patient_out_everywhere(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    here = app_factory()
    sign_in(here, "paula@home.test")
    assert here.get(f"/patients/{clinic.patient_a}").status_code == 200
    assert _give(therapist, clinic.patient_a, "password").status_code == 201
    after = here.get(f"/patients/{clinic.patient_a}")
    assert after.status_code == 303 and after.headers["location"] == "/signin"
    assert therapist.get(f"/patients/{clinic.patient_a}").status_code == 200  # the therapist's goes on


def test_choosing_a_password_through_a_link_ends_every_other_session(
    app_factory: Any, clinic: Clinic, therapist: Any
) -> None:
    elsewhere = app_factory()  # a shared computer, or whoever has the old password
    sign_in(elsewhere, "paula@home.test")
    link = given_link(_give(therapist, clinic.patient_a, "link"))
    assert elsewhere.get(f"/patients/{clinic.patient_a}").status_code == 200  # a new link ends nothing
    holder = TestClient(therapist.app, follow_redirects=False)
    assert choose_password(holder, link, CHOSEN).status_code == 303
    assert holder.get(f"/patients/{clinic.patient_a}").status_code == 200  # the link's holder is signed in
    ended = elsewhere.get(f"/patients/{clinic.patient_a}")
    assert ended.status_code == 303 and ended.headers["location"] == "/signin"
    peter = app_factory()
    sign_in(peter, "peter@home.test")
    assert peter.get(f"/patients/{clinic.patient_b}").status_code == 200  # nobody else's


def test_the_page_of_a_patient_just_added_says_when_their_link_lapses(client: TestClient) -> None:
    """The first-login link shown after adding a patient did not say it lapses (the patient's page and a new
    link's page do): it says for how many days it works and on which day it lapses, from the setting the
    sign-in counts it by."""
    import dataclasses

    from backstride.web._render import _date

    state = client.app.state.backstride  # type: ignore[attr-defined]
    state.settings = dataclasses.replace(state.settings, first_login_max_age_s=3 * 86400)
    sign_in(client, "anna@clinic.test")
    before = dt.datetime.now(dt.UTC)
    page = post(client, "/clinician/patients/new", {"name": "Olive Patient", "email": "olive@home.test"})
    assert page.status_code == 201
    given_link(page)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    lapses = [_date(before + dt.timedelta(days=3, seconds=s)) for s in (0, 60)]
    assert any(f"It works for 3 days: it lapses on {day}." in text for day in lapses), text
