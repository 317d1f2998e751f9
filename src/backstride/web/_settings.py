"""The web app's settings, fixed when the app is created."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from backstride._accounts import FIRST_LOGIN_MAX_AGE_S, SESSION_MAX_AGE_S
from backstride._emergency import DEFAULT_EMERGENCY_NUMBER
from backstride._errors import InputError

ENV_SECRET_KEY = "BACKSTRIDE_SECRET_KEY"
ENV_MAX_UPLOAD_MB = "BACKSTRIDE_MAX_UPLOAD_MB"

DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
DEFAULT_STREAM_FROM_BYTES = 16 * 1024 * 1024

# Sign-in throttling: wrong passwords counted within a sliding window of 15 minutes, after which a further
# attempt is refused (429) until the oldest counted failure is 15 minutes old. Nothing is locked for longer.
SIGNIN_WINDOW_S = 15 * 60.0
# For one e-mail address from one network address: room for a person who mistypes, and a stranger guessing
# from elsewhere locks out only their own address, never the account's owner.
SIGNIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 10
# From one network address, any accounts: a clinic's computers may share one address behind its router.
SIGNIN_FAILURES_PER_ADDRESS = 50
# For one e-mail address from anywhere: the backstop against guessing from many addresses, at most 100
# guesses per 15 minutes (9,600 a day) against a password of 10 characters or more. Reaching it locks the
# owner out too, but it takes a stranger failures from ten addresses or more.
SIGNIN_FAILURES_PER_ACCOUNT = 100


@dataclass(frozen=True)
class WebSettings:
    """Everything :func:`backstride.web.create_app` was configured with.

    Attributes
    ----------
    database_url:
        SQLAlchemy URL of the clinic database.
    blob_dir:
        Folder where uploaded recordings are kept under their content hash.
    secret_key:
        Key that signs session cookies, CSRF tokens and first-login links. Without one (argument or
        ``$BACKSTRIDE_SECRET_KEY``) a random key is made at start-up, so sessions end when the server stops.
    max_upload_bytes:
        Largest recording accepted (``$BACKSTRIDE_MAX_UPLOAD_MB``, default 200 MB); larger ones get HTTP 413.
    emergency_number:
        The number shown on the emergency page (``$BACKSTRIDE_EMERGENCY_NUMBER``, default 911).
    cookie_secure:
        Mark cookies ``Secure`` (only sent over HTTPS). Off by default so the local demo works on http.
    session_max_age_s, first_login_max_age_s:
        Lifetimes of a session and of a first-login link (default 12 hours and 14 days, the rules of
        accounts in :mod:`backstride._accounts`, which ``backstride users`` applies too).
    signin_failures_per_account_and_address, signin_failures_per_address, signin_failures_per_account, \
    signin_window_s:
        Sign-in throttling: this many wrong passwords for one e-mail address from one network address
        (default 10), from one network address (default 50: a clinic's computers may share one), or for one
        e-mail address from anywhere (default 100), within ``signin_window_s`` (default 15 minutes), and
        further attempts are refused with HTTP 429 until the oldest of them is older than the window. The
        numbers' reasons are beside their defaults (``SIGNIN_*``).
    analysis_workers:
        Threads that analyse uploaded recordings.
    stream_from_bytes:
        Uploads this large or larger (default 16 MB: a CSV of a few hours, a logger's file of about half a
        day) are analysed as a stream in bounded memory; only their start is read before the upload is
        accepted, so a problem further in ends the analysis with its message instead. Smaller files are read
        whole first (a logger's 200 MB file read whole would need about 3 GB).
    questionnaire_dir:
        Folder of a clinic's licensed questionnaire wording (``odi.json``, ``rmdq.toml``, ...); without it
        the licensed questionnaires show section names only.
    public_url:
        The address patients reach the app at (``$BACKSTRIDE_PUBLIC_URL``, e.g. ``https://clinic.example.org``
        or ``https://example.org/backstride``), for the first-login links a clinician hands on. Without it a
        link is made from the address the clinician's own request came to, which behind a reverse proxy can
        be the proxy's view of the app (``http://127.0.0.1:8000``) rather than the patient's.
    """

    database_url: str
    blob_dir: Path
    secret_key: str
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER
    cookie_secure: bool = False
    session_max_age_s: float = SESSION_MAX_AGE_S
    first_login_max_age_s: float = FIRST_LOGIN_MAX_AGE_S
    signin_failures_per_account_and_address: int = SIGNIN_FAILURES_PER_ACCOUNT_AND_ADDRESS
    signin_failures_per_address: int = SIGNIN_FAILURES_PER_ADDRESS
    signin_failures_per_account: int = SIGNIN_FAILURES_PER_ACCOUNT
    signin_window_s: float = SIGNIN_WINDOW_S
    analysis_workers: int = 2
    stream_from_bytes: int = DEFAULT_STREAM_FROM_BYTES
    questionnaire_dir: Path | None = None
    public_url: str | None = None


def max_upload_from_env() -> int:
    """``$BACKSTRIDE_MAX_UPLOAD_MB`` in bytes (default 200 MB); a value that is no positive number is refused,
    not replaced by the default: a clinic that set it meant it."""
    raw = os.environ.get(ENV_MAX_UPLOAD_MB, "").strip()
    if not raw:
        return DEFAULT_MAX_UPLOAD_BYTES
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = math.nan
    if not (math.isfinite(megabytes) and megabytes > 0):
        raise InputError(f"{ENV_MAX_UPLOAD_MB} must be a positive number of megabytes, got {raw!r}")
    return int(megabytes * 1024 * 1024)
