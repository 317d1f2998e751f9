"""The rules of the clinic's accounts, for the web app and ``backstride users`` alike.

How a password is hashed and judged, what a generated password and a first-login token's stored digest look
like, how long a session and a first-login link live, and the public address a link is made on. Both front
ends apply these rules and the store keeps what they produce (it takes the lifetimes as arguments), so they
live here rather than in :mod:`backstride.web`, whose package loads FastAPI and the whole app (about a second)
for a command that needs none of it, or in :mod:`backstride.store`, which keeps and looks up and loads
SQLAlchemy with it. What is about HTTP (the signed session cookie, CSRF, sign-in throttling) stays in
``backstride.web._security``.

Passwords are hashed with argon2id through pwdlib's recommended settings; pwdlib (and argon2 under it) is
imported at the first hash or check, not with this module.
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from backstride._errors import InputError

if TYPE_CHECKING:
    from pwdlib import PasswordHash

ENV_PUBLIC_URL = "BACKSTRIDE_PUBLIC_URL"

MIN_PASSWORD_LENGTH = 10
# Lifetimes of a session and of a first-login link; ``backstride users`` gives links and ends sessions by them.
SESSION_MAX_AGE_S = 12 * 3600.0
FIRST_LOGIN_MAX_AGE_S = 14 * 24 * 3600.0


@functools.cache
def _hasher() -> PasswordHash:
    from pwdlib import PasswordHash

    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (pwdlib's recommended parameters)."""
    return str(_hasher().hash(password))


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches ``password_hash``; a missing or malformed hash never matches."""
    if not password_hash:
        # Spend the same time as a real check, so a missing account is not told apart by timing.
        _hasher().hash(password)
        return False
    try:
        return bool(_hasher().verify(password, password_hash))
    except Exception:
        return False


def password_problem(password: str, email: str) -> str | None:
    """Why ``password`` will not do for the account ``email``, in words for its owner; ``None``: it will.

    Length first (NIST SP 800-63B, 5.1.1.2: length matters most; no rules about kinds of characters), then
    the guesses anyone would try first for this account: the e-mail address or the name before its ``@``
    in the password, or a password of fewer than four different characters ("aaaaaaaaaa", "1212121212")."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Please choose a password of at least {MIN_PASSWORD_LENGTH} characters."
    folded, address = password.casefold(), email.strip().casefold()
    local = address.partition("@")[0]
    if address in folded or (local and folded.strip() == local):
        return (
            "Please choose a password that is not your email address: it is the first thing anyone would try."
        )
    if len(set(password)) < 4:
        return (
            "Please choose a password with more than a few different characters: that one is easy to guess."
        )
    return None


def random_password() -> str:
    """A password to hand a new patient on paper: 4 groups of 4 letters and digits, easy to type."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def token_digest(token: str) -> str:
    """How a first-login token is kept in the database: its SHA-256, never the token itself. The web's
    welcome page looks a token up by it, so the clinician's page and ``backstride users`` must make it alike."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def public_url_of(given: str | None) -> str | None:
    """The app's public address (``given``, else ``$BACKSTRIDE_PUBLIC_URL``, else None), checked and without a
    trailing slash: an ``http`` or ``https`` address of a host, with a path at most (no query or fragment).

    ``backstride serve`` and ``backstride users`` check it alike: both make first-login links on it."""
    raw = (given if given is not None else os.environ.get(ENV_PUBLIC_URL, "")).strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise InputError(
            f"the public address must be an http or https address such as https://clinic.example.org, got {raw!r}"
        )
    return raw.rstrip("/")
