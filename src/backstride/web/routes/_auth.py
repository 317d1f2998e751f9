"""Signing in and out, the start page, and first-login links."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backstride._accounts import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    password_problem,
    token_digest,
    verify_password,
)
from backstride.web._audit_view import record_now
from backstride.web._context import (
    check_csrf,
    client_address,
    current_user,
    end_other_sessions,
    get_state,
    require_user,
    sign_in,
    sign_out,
    transaction,
)
from backstride.web._render import render

if TYPE_CHECKING:
    from backstride.store import User

router = APIRouter(dependencies=[Depends(check_csrf)])


def welcome_link(request: Request, token: str) -> str:
    """The first-login link a clinician hands on for ``token``: on the app's public address when one is set
    (:attr:`~backstride.web.WebSettings.public_url`), else on the address the clinician's request came to."""
    public = get_state(request).settings.public_url
    if public is None:
        return str(request.url_for("welcome_page").include_query_params(token=token))
    return f"{public}{request.app.url_path_for('welcome_page')}?{urlencode({'token': token})}"


def _valid_link_holder(request: Request, db: Session, token: str) -> User | None:
    """The user a first-login token belongs to, if the link is still valid (unused and not too old)."""
    from backstride.store import User, first_login_lapses, utcnow

    if not token:
        return None
    person = db.scalar(select(User).where(User.first_login_token_hash == token_digest(token)))
    if person is None:
        return None
    if utcnow() > first_login_lapses(person, get_state(request).settings.first_login_max_age_s):
        return None
    return person


def home_of(role: str, user_id: int) -> str:
    return f"/patients/{user_id}" if role == "patient" else "/caseload"


@router.get("/")
def start(request: Request) -> Response:
    with transaction(request, readonly=True) as db:
        user = current_user(request, db)
        if user is None:
            return RedirectResponse("/signin", status_code=303)
        return RedirectResponse(home_of(user.role, user.id), status_code=303)


def _wait_message(wait_s: float) -> str:
    minutes = max(1, math.ceil(wait_s / 60))
    return (
        "There were too many wrong passwords. Please wait "
        + (f"{minutes} minutes" if minutes > 1 else "a minute")
        + " and try again, or ask the clinic to check your account."
    )


def _throttled(refused: Response, wait_s: float) -> Response:
    """The throttle's refusal (429) with how long to wait in ``Retry-After``."""
    refused.headers["Retry-After"] = str(math.ceil(wait_s))
    return refused


def _signin_page(request: Request, *, status: int = 200, **extra: object) -> Response:
    """The sign-in page (again, with ``extra``: the address typed and why it was refused)."""
    return render(
        request, "signin.html", {"title": "Sign in", "user": None, **_warning_signs(), **extra}, status=status
    )


def _warning_signs() -> dict[str, object]:
    """What calls for emergency care on its own, and the pairs that do together (neither of them alone), in the
    screen's own questions: the sign-in page shows them to everybody, so that somebody who cannot sign in (a
    forgotten password, a lapsed link, a closed account) is not held at the door by a sign that cannot wait."""
    from backstride.clinic import EMERGENCY_ONLY_TOGETHER, EMERGENCY_SIGNS, QUESTIONS

    text = {q.id: q.text for q in QUESTIONS}
    pairs = [[text[i] for i in combo] for combo in EMERGENCY_ONLY_TOGETHER if all(i in text for i in combo)]
    return {"public_signs": [text[i] for i in EMERGENCY_SIGNS if i in text], "public_sign_pairs": pairs}


@router.get("/signin")
def signin_page(request: Request) -> Response:
    return _signin_page(request)


@router.post("/signin")
def signin(request: Request, email: str = Form(...), password: str = Form(...)) -> Response:
    from backstride import store

    throttle = get_state(request).throttle
    address = client_address(request)
    wait_s = throttle.retry_after(email, address)
    if wait_s is not None:
        return _throttled(_signin_page(request, status=429, email=email, error=_wait_message(wait_s)), wait_s)
    # Look the account up in a read-only transaction and check the password outside it, so the slow
    # argon2 check never holds a database lock.
    with transaction(request, readonly=True) as db:
        user = store.get_user_by_email(db, email.strip())
        found = (user.id, user.role, user.password_hash) if user is not None else None
    ok = verify_password(password, found[2] if found is not None else None)
    if found is None or not ok:
        throttle.failed(email, address)
        return _signin_page(request, status=401, email=email, error="The email or password is not right.")
    throttle.succeeded(email, address)
    record_now(request, "signed_in", found[0], found[0], "with a password")  # the audit trail's
    sign_in(request, found[0])
    return RedirectResponse(home_of(found[1], found[0]), status_code=303)


@router.post("/signout")
def signout(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/signin", status_code=303)


def _dead_link(request: Request, message: str) -> Response:
    context = {"title": "This link no longer works", "message": message, "status": 404, "user": None}
    return render(request, "error.html", context, status=404)


def _welcome_form(
    request: Request, person: User, token: str, *, error: str | None = None, status: int = 200
) -> Response:
    """The page where a first-login link's holder chooses a password (again, with ``error``)."""
    context = {
        "title": "Welcome",
        "person": person,
        "token": token,
        "min_length": MIN_PASSWORD_LENGTH,
        "user": None,
        **({"error": error} if error else {}),
    }
    return render(request, "welcome.html", context, status=status)


@router.get("/welcome")
def welcome_page(request: Request, token: str = "") -> Response:
    """The page a first-login link opens. Its address holds the token, so the page's own requests (its style
    sheet and script) and any link followed from it send no ``Referer``: the app's ``same-origin`` policy
    would send the full address, token and all, to this server's (or a proxy's) logs."""
    with transaction(request, readonly=True) as db:
        person = _valid_link_holder(request, db, token)
        if person is None:
            response = _dead_link(
                request,
                "A first-login link works once. If you have already chosen a password, sign in; "
                "otherwise ask your therapist for a new link.",
            )
        else:
            response = _welcome_form(request, person, token)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.post("/welcome")
def welcome(
    request: Request, token: str = Form(...), password: str = Form(...), password2: str = Form(...)
) -> Response:
    """The link's holder chooses a password and is signed in. Every other session of theirs ends, on any
    computer (as when a password is changed): whoever is still signed in with the old password — on a
    shared computer, or with a password that got out, the reason for a new link — is shut out."""
    from backstride import store

    with transaction(request) as db:
        person = _valid_link_holder(request, db, token)
        if person is None:
            return _dead_link(request, "A first-login link works once. Ask your therapist for a new one.")
        error = password_problem(password, person.email)
        if error is None and password != password2:
            error = "The two passwords are not the same. Please type them again."
        if error:
            return _welcome_form(request, person, token, error=error, status=422)
        store.set_password_hash(db, person.id, hash_password(password))  # the link is used up with it
        store.log_event(db, "signed_in", person.id, actor_id=person.id, detail="with a first-login link")
        person_id, home = person.id, home_of(person.role, person.id)
    end_other_sessions(request, person_id)  # once the password is kept (its own transaction)
    return RedirectResponse(home, status_code=303)


PASSWORD_PAGE = "/account/password"


def _password_form(
    request: Request,
    user: User,
    *,
    problems: list[str] | None = None,
    invalid: set[str] | None = None,
    changed: bool = False,
    status: int = 200,
) -> Response:
    """The change-password page (again, with the ``problems`` that refused it and the fields they name)."""
    context = {
        "title": "Change your password",
        "user": user,
        "min_length": MIN_PASSWORD_LENGTH,
        "problems": problems or [],
        "invalid": invalid or set(),
        "changed": changed,
    }
    return render(request, "password.html", context, status=status)


@router.get(PASSWORD_PAGE)
def password_page(request: Request, changed: int = 0) -> Response:
    with transaction(request, readonly=True) as db:
        return _password_form(request, require_user(request, db), changed=bool(changed))


@router.post(PASSWORD_PAGE)
def change_password(
    request: Request,
    current_password: str = Form(""),
    password: str = Form(""),
    password2: str = Form(""),
) -> Response:
    """A signed-in user's new password, for the current one: the first password's rules
    (``password_problem``), wrong current passwords counted by the sign-in throttle, and every other session
    of theirs ended, this one kept (with a fresh token)."""
    from backstride import store

    with transaction(request, readonly=True) as db:
        user = require_user(request, db)
        user_id, email, old_hash = user.id, user.email, user.password_hash
    throttle = get_state(request).throttle
    address = client_address(request)
    wait_s = throttle.retry_after(email, address)
    if wait_s is not None:
        refused = _password_form(request, user, problems=[_wait_message(wait_s)], status=429)
        return _throttled(refused, wait_s)
    problems: list[str] = []
    invalid: set[str] = set()
    # checked outside any transaction: argon2 is slow on purpose
    if not verify_password(current_password, old_hash):
        throttle.failed(email, address)
        problems.append("Current password: that is not your password. Please type it again.")
        invalid.add("current_password")
    problem = password_problem(password, email)
    if problem is None and password != password2:
        problem = "The two new passwords are not the same. Please type them again."
    if problem is not None:
        problems.append(f"New password: {problem}")
        invalid.update({"password", "password2"})
    if problems:
        return _password_form(request, user, problems=problems, invalid=invalid, status=422)
    new_hash = hash_password(password)
    with transaction(request) as db:
        person = db.get(store.User, user_id)
        if person is None or person.password_hash != old_hash:
            # changed meanwhile (from another of their sessions): the one typed here is no longer current
            return _password_form(
                request,
                user,
                problems=[
                    "Current password: your password was just changed elsewhere. Please sign in again."
                ],
                invalid={"current_password"},
                status=409,
            )
        store.set_password_hash(db, user_id, new_hash)  # (a closed account has no hash: refused above)
    throttle.succeeded(email, address)
    end_other_sessions(request, user_id)
    return RedirectResponse(f"{PASSWORD_PAGE}?changed=1", status_code=303)
