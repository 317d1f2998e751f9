"""The administrator's Staff page (``/admin/staff``): the clinic's clinicians and administrators, how each gets
in, adding one with a first-login link, a new link or password, closing (naming the patients then left with
nobody to look after them) and reopening. What ``backstride users`` does from the shell, read back from the
database."""

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
    choose_password,
    given_link,
    given_password,
    post,
    sign_in,
    signs_in,
)

from backstride import store

ADMIN = "ada@clinic.test"
CHOSEN = "a long new password 42"


@pytest.fixture
def admin(app_factory: Any, clinic: Clinic) -> Any:
    """Ada, the clinic's administrator, signed in."""
    from backstride._accounts import hash_password

    with clinic_db(clinic) as s:
        store.create_user(s, ADMIN, "Ada Admin", "admin", password_hash=hash_password(PASSWORD))
    client = app_factory()
    sign_in(client, ADMIN)
    return client


def _words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _card(page: str, account_id: int) -> str:
    """The words of one account's card on the Staff page."""
    found = re.search(rf'<section class="card" id="staff-{account_id}".*?</section>', page, re.S)
    assert found, page
    return _words(found.group(0))


def _users(clinic: Clinic) -> int:
    with clinic_db(clinic, readonly=True) as s:
        return len(store.users_list(s))


def _id_of(clinic: Clinic, email: str) -> int:
    return int(account_of(clinic, email).id)


# ------------------------------------------------------------------------------------------ who may see it
def test_only_an_administrator_reaches_the_staff_page_and_its_forms(app_factory: Any, clinic: Clinic) -> None:
    visitor = app_factory()
    answer = visitor.get("/admin/staff")
    assert answer.status_code == 303 and answer.headers["location"] == "/signin"
    for email in ("anna@clinic.test", "paula@home.test"):
        client = app_factory()
        sign_in(client, email)
        assert client.get("/admin/staff").status_code == 403
        assert "/admin/staff" not in client.get("/caseload" if email.startswith("anna") else "/").text
        added = post(client, "/admin/staff", {"name": "Eve", "email": "eve@clinic.test", "role": "admin"})
        assert added.status_code == 403
        closed = post(client, f"/admin/staff/{clinic.clinician_b}/close", {"reason": "gone"})
        assert closed.status_code == 403
        given = post(client, f"/admin/staff/{clinic.clinician_b}/access", {"kind": "password"})
        assert given.status_code == 403
    assert _users(clinic) == 4  # nobody added
    assert account_of(clinic, "ben@clinic.test").closed_at is None


def test_the_main_navigation_offers_the_staff_page_to_an_administrator(admin: Any) -> None:
    nav = re.search(r'<nav aria-label="Main">.*?</nav>', admin.get("/caseload").text, re.S)
    assert nav and '<a href="/admin/staff">Staff</a>' in nav.group(0)


def test_a_form_without_the_csrf_token_changes_nothing(admin: Any, clinic: Clinic) -> None:
    answer = admin.post("/admin/staff", data={"name": "Eve", "email": "eve@clinic.test", "role": "clinician"})
    assert answer.status_code == 403 and "did not come from this site" in answer.text
    forged = admin.post(
        f"/admin/staff/{clinic.clinician_b}/close", data={"reason": "gone", "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert (
        _users(clinic) == 5 and account_of(clinic, "ben@clinic.test").closed_at is None
    )  # the clinic and Ada


# ------------------------------------------------------------------------------------------ the list
def test_the_list_names_each_staff_account_its_role_way_in_and_patients_but_no_patient(
    admin: Any, clinic: Clinic
) -> None:
    def change(s: Any) -> None:
        cara = store.create_user(s, "cara@clinic.test", "Cara Link", "clinician")
        store.new_first_login(s, cara.id, "digest-c")
        dan = store.create_user(s, "dan@clinic.test", "Dan Lapsed", "clinician")
        store.new_first_login(s, dan.id, "digest-d", now=store.utcnow() - dt.timedelta(days=20))
        store.create_user(s, "eli@clinic.test", "Eli Nothing", "clinician")

    with clinic_db(clinic) as s:
        change(s)
    page = admin.get("/admin/staff")
    assert page.status_code == 200
    assert "Paula Patient" not in page.text and "paula@home.test" not in page.text
    anna = _card(page.text, clinic.clinician_a)
    assert "Anna Therapist" in anna and "anna@clinic.test" in anna
    assert "Role Clinician Signing in Password Patients 1" in anna
    ada = _card(page.text, _id_of(clinic, ADMIN))
    assert "Ada Admin (you)" in ada and "Role Administrator Signing in Password Patients 0" in ada
    cara = account_of(clinic, "cara@clinic.test")
    lapses = store.first_login_lapses(cara, 14 * 86400).astimezone()
    assert f"Signing in First-login link until {lapses:%d %b %Y}" in _card(page.text, cara.id)
    dan = account_of(clinic, "dan@clinic.test")
    assert "Signing in First-login link lapsed on" in _card(page.text, dan.id)
    assert "Signing in No way in yet" in _card(page.text, _id_of(clinic, "eli@clinic.test"))


def test_closed_accounts_are_listed_apart_below_the_open_ones(admin: Any, clinic: Clinic) -> None:
    assert (
        post(admin, f"/admin/staff/{clinic.clinician_b}/close", {"reason": "left the clinic"}).status_code
        == 303
    )
    page = admin.get("/admin/staff").text
    closed = re.search(r'<section aria-labelledby="closed-accounts">.*', page, re.S)
    assert closed
    opened = page[: closed.start()]
    assert (
        f'id="staff-{clinic.clinician_b}"' in closed.group(0)
        and f'id="staff-{clinic.clinician_b}"' not in opened
    )
    assert f'id="staff-{clinic.clinician_a}"' in opened
    closed_at = account_of(clinic, "ben@clinic.test").closed_at.astimezone()
    assert (
        f"Signing in Closed on {closed_at:%d %b %Y, %H:%M} {closed_at.tzname()} by Ada Admin: left the clinic"
        in _card(page, clinic.clinician_b)
    )


# ------------------------------------------------------------------------------------------ adding one
def test_adding_a_clinician_shows_a_first_login_link_once_and_it_lets_them_in(
    app_factory: Any, admin: Any, clinic: Clinic
) -> None:
    added = post(
        admin, "/admin/staff", {"name": " Cara Clinician ", "email": "Cara@Clinic.test", "role": "clinician"}
    )
    assert added.status_code == 201
    link = given_link(added)
    assert re.fullmatch(r"/welcome\?token=[A-Za-z0-9_-]{32}", link), link
    assert '<a class="button" href="/admin/staff">Back to the staff page</a>' in added.text
    cara = account_of(clinic, "cara@clinic.test")
    assert (cara.name, cara.role, cara.password_hash, cara.closed_at) == (
        "Cara Clinician",
        "clinician",
        None,
        None,
    )
    assert cara.first_login_token_hash is not None and link.split("=")[1] not in cara.first_login_token_hash
    holder = app_factory()
    assert choose_password(holder, link, CHOSEN).status_code == 303
    assert holder.get("/caseload").status_code == 200  # signed in, as a clinician
    assert signs_in(app_factory(), "cara@clinic.test", CHOSEN)
    assert app_factory().get(link).status_code == 404  # it worked once


def test_adding_an_administrator(admin: Any, clinic: Clinic) -> None:
    assert (
        post(admin, "/admin/staff", {"name": "Eve", "email": "eve@clinic.test", "role": "admin"}).status_code
        == 201
    )
    assert account_of(clinic, "eve@clinic.test").role == "admin"


@pytest.mark.parametrize(
    ("typed", "problem", "field"),
    [
        (
            {"name": "  ", "email": "cara@clinic.test", "role": "clinician"},
            "Name: please fill it in.",
            "name",
        ),
        (
            {"name": "Cara", "email": "cara@clinic", "role": "clinician"},
            "Email: “cara@clinic” is not an e-mail address.",
            "email",
        ),
        (
            {"name": "Cara", "email": "ANNA@clinic.test", "role": "admin"},
            "Email: anna@clinic.test already has an account.",
            "email",
        ),
        (
            {"name": "Cara", "email": "cara@clinic.test", "role": "patient"},
            "Role: choose Clinician or Administrator.",
            "role",
        ),
        (
            {"name": "C" * 201, "email": "cara@clinic.test", "role": "clinician"},
            "Name: give at most 200 characters (this one has 201).",
            "name",
        ),
    ],
)
def test_a_refused_new_account_comes_back_as_typed_and_nothing_is_written(
    admin: Any, clinic: Clinic, typed: dict[str, str], problem: str, field: str
) -> None:
    answer = post(admin, "/admin/staff", typed)
    assert answer.status_code == 422
    form = re.search(r'<section class="card" id="add".*?</section>', answer.text, re.S)
    assert form
    assert problem in html.unescape(form.group(0))
    marked = {"name": 'id="staff-name"', "email": 'id="staff-email"', "role": 'id="staff-role"'}[field]
    assert re.search(rf'{marked}[^>]*aria-invalid="true" aria-describedby="add-problems"', form.group(0))
    assert f'value="{html.escape(typed["email"])}"' in form.group(0)
    if typed["role"] == "admin":
        assert '<option value="admin" selected>' in form.group(0)
    assert _users(clinic) == 5  # the four of the clinic and Ada: nothing written


def test_every_problem_of_the_new_account_is_named_at_once(admin: Any, clinic: Clinic) -> None:
    answer = post(admin, "/admin/staff", {"name": "", "email": "paula@home.test", "role": ""})
    problems = re.findall(r"<li>([^<]+)</li>", html.unescape(answer.text))
    assert problems == [
        "Name: please fill it in.",
        "Email: paula@home.test already has an account.",
        "Role: choose Clinician or Administrator.",
    ]
    assert _users(clinic) == 5


# ---------------------------------------------------------------------------------- a new way in
def test_a_new_link_for_a_clinician_works_through_welcome_and_keeps_the_password_until_used(
    app_factory: Any, admin: Any, clinic: Clinic
) -> None:
    given = post(admin, f"/admin/staff/{clinic.clinician_a}/access", {"kind": "link"})
    assert given.status_code == 201
    assert "Anna Therapist's current password keeps working until the link is used" in _words(given.text)
    link = given_link(given)
    assert signs_in(app_factory(), "anna@clinic.test", PASSWORD)
    holder = app_factory()
    assert "Welcome, Anna Therapist" in holder.get(link).text
    assert choose_password(holder, link, CHOSEN).status_code == 303
    assert signs_in(app_factory(), "anna@clinic.test", CHOSEN)
    assert not signs_in(app_factory(), "anna@clinic.test", PASSWORD)


def test_a_new_password_signs_in_and_ends_the_old_one_and_every_session(
    app_factory: Any, admin: Any, clinic: Clinic
) -> None:
    anna = app_factory()
    sign_in(anna, "anna@clinic.test")
    assert anna.get("/caseload").status_code == 200
    given = post(admin, f"/admin/staff/{clinic.clinician_a}/access", {"kind": "password"})
    assert given.status_code == 201
    password = given_password(given)
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
    assert "anna@clinic.test" in given.text
    ended = anna.get("/caseload")
    assert ended.status_code == 303 and ended.headers["location"] == "/signin"
    assert not signs_in(app_factory(), "anna@clinic.test", PASSWORD)
    assert signs_in(app_factory(), "anna@clinic.test", password)


@pytest.mark.parametrize("kind", ["", "token"])
def test_a_kind_that_is_neither_is_refused_beside_the_buttons(admin: Any, clinic: Clinic, kind: str) -> None:
    before = account_of(clinic, "anna@clinic.test").password_hash
    answer = post(admin, f"/admin/staff/{clinic.clinician_a}/access", {"kind": kind})
    assert answer.status_code == 422
    assert "Please choose a new first-login link or a new password" in _card(answer.text, clinic.clinician_a)
    assert account_of(clinic, "anna@clinic.test").password_hash == before


def test_a_patient_or_nobody_is_no_staff_account_here(admin: Any, clinic: Clinic) -> None:
    before = account_of(clinic, "paula@home.test").password_hash
    for action, data in (
        ("access", {"kind": "password"}),
        ("close", {"reason": "x"}),
        ("reopen", {"kind": "link"}),
    ):
        assert post(admin, f"/admin/staff/{clinic.patient_a}/{action}", data).status_code == 404
        assert post(admin, f"/admin/staff/99999/{action}", data).status_code == 404
    paula = account_of(clinic, "paula@home.test")
    assert paula.password_hash == before and paula.closed_at is None


# ---------------------------------------------------------------------------------- closing and reopening
def test_closing_a_clinician_ends_their_session_refuses_their_password_and_names_their_patients_left_alone(
    app_factory: Any, admin: Any, clinic: Clinic
) -> None:
    anna = app_factory()
    sign_in(anna, "anna@clinic.test")
    closed = post(admin, f"/admin/staff/{clinic.clinician_a}/close", {"reason": "  left   the clinic "})
    assert closed.status_code == 303
    stored = account_of(clinic, "anna@clinic.test")
    assert stored.closed_reason == "left the clinic" and stored.closed_by_id == _id_of(clinic, ADMIN)
    assert stored.password_hash is None
    ended = anna.get("/caseload")
    assert ended.status_code == 303 and ended.headers["location"] == "/signin"
    assert not signs_in(app_factory(), "anna@clinic.test", PASSWORD)
    page = admin.get(closed.headers["location"])
    notice = re.search(r'<section class="card" id="closed-account".*?</section>', page.text, re.S)
    assert notice, page.text
    assert (
        "No clinician with an open account looks after 1 of Anna Therapist's patients in care now"
        in _words(notice.group(0))
    )
    assert f'<a href="/patients/{clinic.patient_a}">Paula Patient</a>' in notice.group(0)
    assert "Peter Patient" not in notice.group(0)  # Ben's, still looked after
    assert admin.get(f"/patients/{clinic.patient_a}").status_code == 200  # the link leads to the patient


def test_patients_with_another_open_clinician_or_closed_are_not_named(admin: Any, clinic: Clinic) -> None:
    with clinic_db(clinic) as s:
        store.link_patient(s, clinic.clinician_b, clinic.patient_a)  # Ben covers Paula too
        store.create_patient(s, s.get(store.User, clinic.clinician_a), "pia@home.test", "Pia Patient")
        store.create_patient(s, s.get(store.User, clinic.clinician_a), "pat@home.test", "Pat Patient")
    with clinic_db(clinic) as s:
        pat = store.get_user_by_email(s, "pat@home.test")
        store.close_account(s, pat.id, "care completed", by_id=None, session_max_age_s=60)
    closed = post(admin, f"/admin/staff/{clinic.clinician_a}/close", {"reason": "left"})
    page = admin.get(closed.headers["location"]).text
    notice = _words(re.search(r'<section class="card" id="closed-account".*?</section>', page, re.S).group(0))
    assert "looks after 1 of Anna Therapist's patients" in notice
    assert "Pia Patient" in notice and "Paula Patient" not in notice and "Pat Patient" not in notice
    assert "Pia Patient (pia@home.test)" in _card(page, clinic.clinician_a)  # and with the closed account


def test_closing_ones_own_account_is_refused_beside_the_form(admin: Any, clinic: Clinic) -> None:
    me = _id_of(clinic, ADMIN)
    page = admin.get("/admin/staff").text
    assert f'action="/admin/staff/{me}/close"' not in page  # not offered on one's own card
    assert f'action="/admin/staff/{clinic.clinician_a}/close"' in page
    assert "Your own account is closed by another administrator" in _card(page, me)
    answer = post(admin, f"/admin/staff/{me}/close", {"reason": "leaving"})
    assert answer.status_code == 409
    said = _card(answer.text, me)
    assert "You cannot close your own account" in said
    assert 'value="leaving"' in answer.text
    assert account_of(clinic, ADMIN).closed_at is None
    assert admin.get("/admin/staff").status_code == 200  # still signed in


def test_ones_own_new_way_in_is_the_change_password_page_not_a_sign_out(admin: Any, clinic: Clinic) -> None:
    """A new password given to oneself here ended the administrator's own session at once, under a page that said
    to hand it on and a "Back to the staff page" that led to the sign-in page: one's own card points to Change
    password instead, and a stale or forged form is refused beside it, the password and the session kept."""
    me = _id_of(clinic, ADMIN)
    before = account_of(clinic, ADMIN).password_hash
    page = admin.get("/admin/staff").text
    assert f'action="/admin/staff/{me}/access"' not in page
    assert f'action="/admin/staff/{clinic.clinician_a}/access"' in page
    assert 'href="/account/password"' in re.search(rf'id="staff-{me}".*?</section>', page, re.S).group(0)
    assert "Change your own password on the Change password page" in _card(page, me)
    for kind in ("password", "link"):
        answer = post(admin, f"/admin/staff/{me}/access", {"kind": kind})
        assert answer.status_code == 409
        assert "Nothing was given: Change your own password on the Change password page" in _card(
            answer.text, me
        )
    assert admin.get("/admin/staff").status_code == 200  # still signed in
    assert account_of(clinic, ADMIN).password_hash == before


def test_a_missing_reason_brings_the_form_back_and_closes_nothing(admin: Any, clinic: Clinic) -> None:
    answer = post(admin, f"/admin/staff/{clinic.clinician_b}/close", {"reason": "   "})
    assert answer.status_code == 422
    assert "Reason: please say why the account is closed" in _card(answer.text, clinic.clinician_b)
    assert re.search(rf'id="close-why-{clinic.clinician_b}"[^>]*aria-invalid="true"', answer.text)
    assert account_of(clinic, "ben@clinic.test").closed_at is None


def test_a_stale_page_closing_twice_or_giving_a_way_in_to_a_closed_account_is_refused_clearly(
    admin: Any, clinic: Clinic
) -> None:
    assert post(admin, f"/admin/staff/{clinic.clinician_b}/close", {"reason": "left"}).status_code == 303
    again = post(admin, f"/admin/staff/{clinic.clinician_b}/close", {"reason": "again"})
    assert again.status_code == 409 and "was closed already" in _card(again.text, clinic.clinician_b)
    given = post(admin, f"/admin/staff/{clinic.clinician_b}/access", {"kind": "password"})
    assert given.status_code == 409
    assert "Ben Therapist's account is closed: reopen it" in _card(given.text, clinic.clinician_b)
    reopened = post(admin, f"/admin/staff/{clinic.clinician_a}/reopen", {"kind": "link"})
    assert reopened.status_code == 409 and "is open" in _card(reopened.text, clinic.clinician_a)
    ben = account_of(clinic, "ben@clinic.test")
    assert ben.closed_reason == "left" and ben.password_hash is None


@pytest.mark.parametrize("kind", ["link", "password"])
def test_reopening_gives_a_new_way_in_that_lets_them_in(
    app_factory: Any, admin: Any, clinic: Clinic, kind: str
) -> None:
    post(admin, f"/admin/staff/{clinic.clinician_b}/close", {"reason": "left"})
    answer = post(admin, f"/admin/staff/{clinic.clinician_b}/reopen", {"kind": kind})
    assert answer.status_code == 201
    assert "Ben Therapist's account is open again." in _words(answer.text)
    ben = account_of(clinic, "ben@clinic.test")
    assert (ben.closed_at, ben.closed_reason) == (None, None)
    if kind == "link":
        holder = app_factory()
        assert choose_password(holder, given_link(answer), CHOSEN).status_code == 303
        assert signs_in(app_factory(), "ben@clinic.test", CHOSEN)
    else:
        assert signs_in(app_factory(), "ben@clinic.test", given_password(answer))
    page = admin.get("/admin/staff").text
    assert "closed-accounts" not in page and f'id="staff-{clinic.clinician_b}"' in page


def test_a_reopened_clinicians_closing_stays_in_the_history_their_card_links_to(
    admin: Any, clinic: Clinic
) -> None:
    """The account forgets its closing when reopened (it is open); the audit trail keeps it, by whom and why, and
    each card links to its history and to what the person did."""
    post(admin, f"/admin/staff/{clinic.clinician_b}/close", {"reason": "on leave until March"})
    assert post(admin, f"/admin/staff/{clinic.clinician_b}/reopen", {"kind": "link"}).status_code == 201
    page = admin.get("/admin/staff").text
    card = re.search(rf'<section class="card" id="staff-{clinic.clinician_b}".*?</section>', page, re.S)
    assert card, page
    history = f'<a href="/admin/audit?about={clinic.clinician_b}">Their account</a>'
    assert history in card.group(0) and f'<a href="/admin/audit?by={clinic.clinician_b}">' in card.group(0)
    trail = _words(admin.get(f"/admin/audit?about={clinic.clinician_b}").text)
    reopened = trail.index("Ada Admin (administrator) reopened the account")
    closed = trail.index("Ada Admin (administrator) closed the account")
    assert reopened < closed  # newest first
    assert "on leave until March" in trail[closed:]
