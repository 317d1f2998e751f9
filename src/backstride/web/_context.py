"""Per-app state and the small helpers every route uses: who is signed in, may they see this patient,
is the CSRF token right."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import HTTPException, Request
from fastapi import Path as InPath
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backstride._words import is_unicode
from backstride.store import LARGEST_ID
from backstride.web._jobs import JobRunner
from backstride.web._security import EndedSessions, SessionData, Signer, SignInThrottle
from backstride.web._settings import WebSettings
from backstride.web._spool import UploadSpool, copy_upload

if TYPE_CHECKING:
    from backstride.store import BlobStore, User

SESSION_COOKIE = "backstride_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

RowId = Annotated[int, InPath(ge=1, le=LARGEST_ID)]
"""A row's id in a page's address (``/patients/{patient_id}``). One outside 1..:data:`LARGEST_ID` is answered
with 404 before the route runs (``_app``'s validation handler), so it never reaches the database: PostgreSQL
fails on a number its column cannot hold (a 500), where SQLite just finds no row."""


@dataclass
class WebState:
    settings: WebSettings
    engine: Engine
    blobs: BlobStore
    signer: Signer
    jobs: JobRunner
    spool: UploadSpool
    throttle: SignInThrottle
    ended: EndedSessions
    #: When this process last wrote each (clinician, patient) opening to the audit trail: a page opened again within
    #: the store's visit (``store.OPENED_AGAIN_AFTER_S``) needs no write transaction (``_audit_view``).
    opened: dict[tuple[int, int], dt.datetime] = field(default_factory=dict)


def get_state(request: Request) -> WebState:
    state: WebState = request.app.state.backstride
    return state


def session_of(request: Request) -> SessionData:
    data: SessionData = request.state.session
    return data


def csrf_token(request: Request) -> str:
    return get_state(request).signer.csrf_token(session_of(request))


@contextmanager
def transaction(request: Request, *, readonly: bool = False) -> Iterator[Session]:
    """One database transaction: committed when the block ends, rolled back if it raises.

    ``readonly`` for pages that only read: it does not take SQLite's write lock (see
    :func:`backstride.store.transaction`), and any write in it is an error.
    """
    from backstride import store

    with store.transaction(get_state(request).engine, readonly=readonly) as session:
        yield session


def upload_filename(name: str | None, default: str) -> str:
    """The upload's own file name, safe to write in a temporary folder (the readers name it in their
    messages): no folders, only printable characters, at most ~110 characters; ``default`` when nothing
    is left (an empty name, ``.`` or ``..``)."""
    base = "".join(ch for ch in Path((name or "").replace("\\", "/")).name if ch.isprintable()).strip()
    if base in ("", ".", ".."):
        return default
    stem, dot, suffix = base.rpartition(".")
    return (stem[:100] + dot + suffix[:10]) if dot else base[:100]


def save_upload(file: Any, filename: str, prefix: str) -> Path:
    """The upload copied to ``filename`` in a new temporary folder (readers go by content, but name the
    file in their messages); the caller removes ``path.parent`` when done with it."""
    import shutil
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return copy_upload(file, workdir / filename)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


FIELD_MAX_BYTES = 64 * 1024
"""The most a form's field other than a file may hold: far more than any text a form here takes (2,000
characters at the most)."""


async def read_form(request: Request) -> Any:
    """The request's form, parsed once (a route given it later gets the same one). A field beyond
    :data:`FIELD_MAX_BYTES` is refused (400) in words: the parser said "Field exceeded maximum size of 64KB"."""
    from starlette.exceptions import HTTPException as ParserRefusal  # fastapi's HTTPException is a subclass

    try:
        return await request.form(max_part_size=FIELD_MAX_BYTES)
    except ParserRefusal as exc:
        if exc.status_code == 400 and "maximum size" in str(exc.detail):
            raise HTTPException(
                400,
                f"A field of this form held more than {FIELD_MAX_BYTES // 1024} KB of text, far more than any field "
                "here takes, so nothing was saved. Go back, shorten it and send the form again.",
            ) from None
        raise


async def with_uploaded_file(request: Request, missing: str, handle: Callable[[Any, Any], Any]) -> Any:
    """The form's ``file`` handed to ``handle(file, form)`` in a worker thread (reading and analysing files
    must not block the event loop), the form closed after; 422 with ``missing`` when no file was chosen."""
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile

    form = await read_form(request)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise HTTPException(422, missing)
        return await run_in_threadpool(handle, file, form)
    finally:
        await form.close()


async def check_csrf(request: Request) -> None:
    """Refuse (403) an unsafe request whose CSRF token (form field or header) is missing or wrong."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    token = request.headers.get(CSRF_HEADER)
    typed = ""
    if not token:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            # Multipart bodies were already checked against the size limit by the upload route.
            form = await read_form(request)
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
            if not get_state(request).signer.check_csrf(session_of(request), token):
                typed = _typed_text(form)
                await form.close()
    if not get_state(request).signer.check_csrf(session_of(request), token):
        if token and session_of(request).user_id is None:
            # a form of a signed-in page, sent after its session ended (signed out in another tab, lapsed); what
            # was typed is given back only to a page of this site: another site's form posted here would have
            # its words shown as this site's
            echo = typed if _same_site(request) else ""
            raise HTTPException(403, SIGNED_OUT + (f" What you typed, to copy: {echo}." if echo else ""))
        raise HTTPException(
            403,
            "This form has expired or did not come from this site. Go back, reload the page and try again.",
        )
    await _refuse_text_that_is_no_unicode(request)


NO_UNICODE = (
    "The form held text that is no Unicode (half of a character, which no keyboard types), so nothing was "
    "saved. Go back, type the text again and send the form."
)


async def _refuse_text_that_is_no_unicode(request: Request) -> None:
    """Refuse (400) a form whose fields or file names hold text that is no Unicode: a lone surrogate, which a
    multipart part declared in an odd charset (``raw_unicode_escape``) can carry. Taken as it came, it could be
    neither stored nor shown: a 500, and once stored in a session's or a log's text, every page that shows it
    failed from then on. Checked once here, for every form, before any route reads it (the form is parsed
    once: the route is given the same one)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return
    form = await read_form(request)
    for name, value in form.multi_items():
        text = value if isinstance(value, str) else (value.filename or "")
        if not (is_unicode(name) and is_unicode(text)):
            await form.close()
            raise HTTPException(400, NO_UNICODE)


SIGNED_OUT = (
    "You were signed out (in another tab, or the session ended) before this form was sent, so nothing was saved. "
    "Sign in again and send it again."
)


def _same_site(request: Request) -> bool:
    """Whether the browser says the request comes from a page of this site: its ``Origin`` (sent with every
    form a browser posts) names the host the request was sent to."""
    from urllib.parse import urlsplit

    origin = request.headers.get("origin")
    host = request.headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc.lower() == str(host).lower()


def _typed_text(form: Any) -> str:
    """The text typed in a refused form's fields, to give back (not its token, a password or a file)."""
    said = [
        f"{name}: “{value.strip()[:2000]}”"
        for name, value in form.multi_items()
        if isinstance(value, str)
        and value.strip()
        and name != CSRF_FIELD
        and "password" not in name
        and "token" not in name
    ]
    return "; ".join(said[:20])


def sign_in(request: Request, user_id: int) -> None:
    """Start a fresh session for ``user_id`` (a new nonce, so earlier tokens are void)."""
    session, token = get_state(request).signer.new_session(str(user_id))
    request.state.session = session
    request.state.set_cookie = token


def end_other_sessions(request: Request, user_id: int) -> None:
    """Start a fresh session for ``user_id`` here and end every other one of theirs, on any computer (a
    copy of this browser's earlier token too)."""
    state = get_state(request)
    sign_in(request, user_id)
    state.ended.end_others(session_of(request), state.settings.session_max_age_s)


def client_address(request: Request) -> str:
    """The client's network address as the server sees it (a proxy's, behind one), for the throttle."""
    return request.client.host if request.client is not None else "unknown"


def sign_out(request: Request) -> None:
    """End this session (a copy of its token elsewhere no longer works) and start a visitor's one."""
    state = get_state(request)
    state.ended.end(session_of(request), state.settings.session_max_age_s)
    session, token = state.signer.new_session(None)
    request.state.session = session
    request.state.set_cookie = token


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, detached from any database session."""

    id: int
    name: str
    role: str


class NotSignedIn(Exception):
    """Raised when a page needs a signed-in user; the app answers with a redirect to the sign-in page."""


def current_user(request: Request, db: Session) -> User | None:
    from backstride import store
    from backstride.store import User

    user_id = store.row_id(session_of(request).user_id)
    if user_id is None:
        return None
    user = db.get(User, user_id)
    if user is not None:
        # A plain copy for error pages (drawn after the transaction, maybe rolled back) to show the navigation.
        request.state.user = SignedIn(user.id, user.name, user.role)
    return user


def require_user(request: Request, db: Session, *roles: str) -> User:
    """The signed-in user; a visitor is sent to sign in (401 page), a wrong role gets 403."""
    user = current_user(request, db)
    if user is None:
        raise NotSignedIn()
    if roles and user.role not in roles:
        raise HTTPException(403, "This page is not part of your account.")
    return user


def require_patient_access(request: Request, db: Session, patient_id: int, *roles: str) -> tuple[User, User]:
    """``(viewer, patient)``: the signed-in user and the patient whose data they asked for.

    Anyone who may not see this patient — another patient, a clinician not caring for them — gets 404,
    so the answer does not even reveal that the patient exists.
    """
    from backstride import store
    from backstride.store import User

    viewer = require_user(request, db, *roles)
    patient = db.get(User, patient_id)
    if patient is None or patient.role != "patient" or not store.can_access(db, viewer, patient_id):
        raise HTTPException(404, "There is no such page.")
    if viewer.id != patient.id:
        # the audit trail's "opened the record": written once the page is answered (``_audit_view``)
        note_audit(request, "record_opened", patient.id, viewer.id)
    return viewer, patient


@dataclass(frozen=True)
class Noted:
    """An audit trail entry a page noted, to be written once the page was answered successfully."""

    action: str
    subject_id: int
    actor_id: int
    detail: str | None
    at: dt.datetime


def note_audit(
    request: Request, action: str, subject_id: int, actor_id: int, detail: str | None = None
) -> None:
    """Note an audit trail entry (one of ``store.AUDIT_ACTIONS``) for this request. Pages that only read work in a
    read-only transaction, so the entry cannot go in it: the app writes what was noted in a short transaction of
    its own once the page is answered with 2xx (``_audit_view.write_noted``), and nothing for a page that failed."""
    from backstride.store import utcnow

    noted: list[Noted] = getattr(request.state, "audit_noted", [])
    noted.append(Noted(action, subject_id, actor_id, detail, utcnow()))
    request.state.audit_noted = noted


def emergency_number(request: Request) -> str:
    """The number this clinic's patients call in an emergency (its settings)."""
    return str(get_state(request).settings.emergency_number)


def template_globals(request: Request) -> dict[str, Any]:
    return {"csrf_token": csrf_token(request), "settings": get_state(request).settings}
