"""The FastAPI application factory."""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from backstride._accounts import public_url_of
from backstride._emergency import DEFAULT_EMERGENCY_NUMBER, ENV_EMERGENCY_NUMBER
from backstride._errors import BackstrideError
from backstride.web._audit_view import write_noted
from backstride.web._context import SESSION_COOKIE, NotSignedIn, WebState, get_state
from backstride.web._flow import EmergencyStop
from backstride.web._jobs import JobRunner
from backstride.web._render import render_error
from backstride.web._security import EndedSessions, Signer, SignInThrottle
from backstride.web._settings import (
    ENV_SECRET_KEY,
    WebSettings,
    max_upload_from_env,
)
from backstride.web._spool import UploadSpool
from backstride.web._uploads import resume_uploads

STATIC_DIR = Path(__file__).parent / "static"
_STATIC_PREFIX = "/static/"

_log = logging.getLogger(__name__)

# the largest body of a form other than the two upload forms (a check-in, a plan, notes: a few kB)
FORM_LIMIT_BYTES = 1024 * 1024
_UPLOAD_FORMS = re.compile(r"/patients/\d+/(recordings|activity)")
_WENT_WRONG = "Something went wrong on our side. Please try again; if it happens again, tell the clinic."
_CUT_OFF = "The form did not all arrive (the connection was cut off), so nothing of it was kept. Please send it again."
# pydantic's names for a number outside a parameter's bounds (``_context.RowId``'s 1 to 2**31 - 1)
_OUT_OF_RANGE = ("greater_than_equal", "less_than_equal")


def _is_number(text: str) -> bool:
    """Only ASCII digits: ``str.isdigit`` also says yes to "²", which ``int`` refuses."""
    return text.isascii() and text.isdigit()


# Scripts only from this server (no inline script, no eval); plotly sets inline styles and data: images.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _form_too_large(request: Request) -> tuple[int, str] | None:
    """``(status, message)`` for a request body a form never needs, read before any of it is parsed.

    Only the two upload forms take files, under their own limits (``routes._recordings``,
    ``routes._activity``). Every other form is refused past :data:`FORM_LIMIT_BYTES` (413), or without a
    ``Content-Length`` (411): the form parser would otherwise copy any file part sent to, say, the sign-in
    form to a temporary file of whatever size before the CSRF check even runs.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or _UPLOAD_FORMS.fullmatch(request.url.path):
        return None
    raw = request.headers.get("content-length")
    if raw is None:
        if "transfer-encoding" in request.headers:
            return 411, "The form did not say how large it is. Please send it from the page."
        return None
    if not _is_number(raw):
        return 400, "The form's size header is not a number."
    if int(raw) > FORM_LIMIT_BYTES:
        return 413, "That is far more than this form takes. Go back, reload the page and try again."
    return None


def create_app(
    database_url: str | None = None,
    blob_dir: str | Path | None = None,
    *,
    secret_key: str | None = None,
    max_upload_bytes: int | None = None,
    emergency_number: str | None = None,
    cookie_secure: bool = False,
    questionnaire_dir: str | Path | None = None,
    upgrade_database: bool = True,
    stream_from_bytes: int | None = None,
    public_url: str | None = None,
) -> FastAPI:
    """The clinic web app.

    Parameters
    ----------
    database_url:
        SQLAlchemy URL (default: :func:`backstride.store.database_url`, i.e. ``$BACKSTRIDE_DATABASE_URL``
        or SQLite in the user's data folder).
    blob_dir:
        Where uploaded recordings are kept (default: :func:`backstride.store.default_blob_dir`).
    secret_key:
        Signs session cookies, CSRF tokens and first-login links (default ``$BACKSTRIDE_SECRET_KEY``, else a
        random key per start-up).
    max_upload_bytes:
        Largest recording accepted (default ``$BACKSTRIDE_MAX_UPLOAD_MB`` or 200 MB).
    emergency_number:
        Telephone number on the emergency page (default ``$BACKSTRIDE_EMERGENCY_NUMBER`` or 911).
    cookie_secure:
        Send cookies over HTTPS only.
    questionnaire_dir:
        A clinic's licensed questionnaire wording (see :class:`~backstride.web.WebSettings`).
    upgrade_database:
        Bring the database schema up to date (Alembic) at start-up.
    stream_from_bytes:
        Uploads at least this large are analysed as a stream (see :class:`~backstride.web.WebSettings`).
    public_url:
        The address patients reach the app at, for first-login links (default ``$BACKSTRIDE_PUBLIC_URL``; see
        :class:`~backstride.web.WebSettings`).
    """
    from backstride import store
    from backstride.clinic import check_emergency_number

    url = database_url if database_url is not None else store.database_url()
    blobs_path = Path(blob_dir) if blob_dir is not None else store.default_blob_dir(url)
    key = secret_key or os.environ.get(ENV_SECRET_KEY, "").strip() or secrets.token_urlsafe(32)
    settings = WebSettings(
        database_url=url,
        blob_dir=blobs_path,
        secret_key=key,
        max_upload_bytes=max_upload_bytes if max_upload_bytes is not None else max_upload_from_env(),
        # checked at start-up: a blank number would refuse every emergency check-in (clinic.triage will not say
        # "call  or go to ..."), so the emergency was neither kept nor shown
        emergency_number=check_emergency_number(
            emergency_number or os.environ.get(ENV_EMERGENCY_NUMBER, "").strip() or DEFAULT_EMERGENCY_NUMBER
        ),
        cookie_secure=cookie_secure,
        questionnaire_dir=Path(questionnaire_dir) if questionnaire_dir is not None else None,
        public_url=public_url_of(public_url),
        **({"stream_from_bytes": stream_from_bytes} if stream_from_bytes is not None else {}),
    )
    if upgrade_database:
        store.upgrade(url)
    engine = store.make_engine(url)
    state = WebState(
        settings=settings,
        engine=engine,
        blobs=store.BlobStore(blobs_path),
        signer=Signer(key),
        jobs=JobRunner(settings.analysis_workers),
        spool=UploadSpool(blobs_path / ".uploads"),
        throttle=SignInThrottle(
            engine,
            settings.signin_failures_per_account_and_address,
            settings.signin_failures_per_address,
            settings.signin_window_s,
            per_account=settings.signin_failures_per_account,
        ),
        ended=EndedSessions(engine),
    )
    # a crash during an upload can leave a file no recording refers to: clear such leftovers at start-up
    with store.transaction(engine) as session:
        store.gc_orphan_blobs(session, state.blobs)
    # uploads a stopped server accepted and never finished analysing are analysed now, under their own jobs
    resume_uploads(state)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.jobs.shutdown()
        engine.dispose()

    app = FastAPI(title="backstride", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.backstride = state
    # our own files, and plotly.js from the report package (the same copy the offline reports carry)
    app.mount(
        "/static",
        StaticFiles(directory=STATIC_DIR, packages=[("backstride.report", "static")]),
        name="static",
    )

    @app.middleware("http")
    async def session_cookie(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        st = get_state(request)
        session = st.signer.read_session(request.cookies.get(SESSION_COOKIE), st.settings.session_max_age_s)
        unchecked = False
        # whether it was ended is in the database: asked in a worker thread, off the event loop; not for the
        # static files (style, scripts), which are the same for everybody and come several to a page
        if session is not None and not request.url.path.startswith(_STATIC_PREFIX):
            try:
                if await run_in_threadpool(st.ended.__contains__, session):
                    session = None
            except Exception:
                # the database cannot say: nothing is done on this session's strength (it may have been
                # signed out), and it is kept (a short outage must not sign everybody out)
                _log.exception("checking the session for %s %s failed", request.method, request.url.path)
                unchecked = True
        if session is None:
            session, token = st.signer.new_session(None)
            request.state.set_cookie = token
        request.state.session = session
        too_large = _form_too_large(request)
        if unchecked:
            response: Response = render_error(request, 500, _WENT_WRONG)
        elif too_large is not None:
            response = render_error(request, *too_large)
        else:
            try:
                response = await call_next(request)
                if 200 <= response.status_code < 300:
                    # the audit trail's entries the page noted (openings, exports): only for a page answered
                    await run_in_threadpool(write_noted, request)
            except ClientDisconnect:
                # the browser went away before its form had all come (an upload cut off, a closed tab): nothing
                # of it was read, so nothing was kept; not a failure of the server's, and nobody reads the answer
                _log.info("%s %s cut off by the client: nothing kept", request.method, request.url.path)
                response = render_error(request, 400, _CUT_OFF)
            except Exception:
                # an error page of our own, with the headers below (Cache-Control: no-store among them):
                # never a traceback, nor the server's bare "Internal Server Error" without them
                _log.exception("%s %s failed", request.method, request.url.path)
                response = render_error(request, 500, _WENT_WRONG)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if not request.url.path.startswith(_STATIC_PREFIX):
            response.headers.setdefault("Cache-Control", "no-store")
        new_token: str | None = getattr(request.state, "set_cookie", None)
        if new_token is not None:
            response.set_cookie(
                SESSION_COOKIE,
                new_token,
                max_age=int(st.settings.session_max_age_s),
                httponly=True,
                samesite="lax",
                secure=st.settings.cookie_secure,
                path="/",
            )
        elif getattr(request.state, "clear_cookie", False):
            response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/signin"})
        if request.method in ("GET", "HEAD"):
            return RedirectResponse("/signin", status_code=303)
        return render_error(request, 401, "Please sign in first.")

    @app.exception_handler(EmergencyStop)
    async def emergency_stop(request: Request, exc: EmergencyStop) -> Response:
        return exc.response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return render_error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if any(
            err.get("loc", ("",))[0] == "path" and err.get("type") in _OUT_OF_RANGE for err in exc.errors()
        ):
            # an id in the address that no row can have (``RowId``): no such page, the database never asked
            return render_error(request, 404, "There is no such page.")
        # the field as a person would name it ("Reason", not "reason"), and what it needs in words
        problems = "; ".join(
            f"{str((err.get('loc') or ('', 'input'))[-1]).replace('_', ' ').capitalize()}: "
            + ("please fill it in" if err.get("type") == "missing" else str(err.get("msg", "")).lower())
            for err in exc.errors()
        )
        return render_error(request, 422, f"Some of what was sent could not be used — {problems}.")

    @app.exception_handler(BackstrideError)
    async def backstride_error(request: Request, exc: BackstrideError) -> Response:
        return render_error(request, 422, str(exc))

    from backstride.web.routes import register_routes

    register_routes(app)
    return app
