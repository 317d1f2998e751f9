"""Signing in and out, the start page, and first-login links."""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backstride.web._context import check_csrf, current_user, get_state, sign_in, sign_out, transaction
from backstride.web._render import render
from backstride.web._security import MIN_PASSWORD_LENGTH, hash_password, password_problem, verify_password

if TYPE_CHECKING:
    from backstride.store import User

router = APIRouter(dependencies=[Depends(check_csrf)])


def token_digest(token: str) -> str:
    """How a first-login token is kept in the database: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _valid_link_holder(request: Request, db: Session, token: str) -> User | None:
    """The user a first-login token belongs to, if the link is still valid (unused and not too old)."""
    from backstride.store import User, utcnow

    if not token:
        return None
    person = db.scalar(select(User).where(User.first_login_token_hash == token_digest(token)))
    if person is None:
        return None
    age_s = (utcnow() - person.created_at).total_seconds()
    if age_s > get_state(request).settings.first_login_max_age_s:
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


@router.get("/signin")
def signin_page(request: Request) -> Response:
    return render(request, "signin.html", {"title": "Sign in", "user": None})


@router.post("/signin")
def signin(request: Request, email: str = Form(...), password: str = Form(...)) -> Response:
    from backstride import store

    throttle = get_state(request).throttle
    address = request.client.host if request.client is not None else "unknown"
    wait_s = throttle.retry_after(email, address)
    if wait_s is not None:
        minutes = max(1, math.ceil(wait_s / 60))
        refused = render(
            request,
            "signin.html",
            {
                "title": "Sign in",
                "user": None,
                "email": email,
                "error": "There were too many wrong passwords. Please wait "
                + (f"{minutes} minutes" if minutes > 1 else "a minute")
                + " and try again, or ask the clinic to check your account.",
            },
            status=429,
        )
        refused.headers["Retry-After"] = str(math.ceil(wait_s))
        return refused
    # Look the account up in a read-only transaction and check the password outside it, so the slow
    # argon2 check never holds a database lock.
    with transaction(request, readonly=True) as db:
        user = store.get_user_by_email(db, email.strip())
        found = (user.id, user.role, user.password_hash) if user is not None else None
    ok = verify_password(password, found[2] if found is not None else None)
    if found is None or not ok:
        throttle.failed(email, address)
        return render(
            request,
            "signin.html",
            {
                "title": "Sign in",
                "user": None,
                "email": email,
                "error": "The email or password is not right.",
            },
            status=401,
        )
    throttle.succeeded(email, address)
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
    with transaction(request) as db:
        person = _valid_link_holder(request, db, token)
        if person is None:
            return _dead_link(request, "A first-login link works once. Ask your therapist for a new one.")
        error = password_problem(password, person.email)
        if error is None and password != password2:
            error = "The two passwords are not the same. Please type them again."
        if error:
            return _welcome_form(request, person, token, error=error, status=422)
        person.password_hash = hash_password(password)
        person.first_login_token_hash = None
        sign_in(request, person.id)
        return RedirectResponse(home_of(person.role, person.id), status_code=303)
