"""The signed session cookie, CSRF tokens, one-time first-login links and the sign-in limits.

Design (see also ``web/README.md``):

* Passwords are hashed with argon2id through pwdlib's recommended settings, and judged, by
  :mod:`backstride._accounts`: ``backstride users`` hashes them too, without the web app.
* The session is a *signed token* in an HttpOnly, SameSite=Lax cookie — no server-side session row. The
  token holds the user id (or nothing, for a visitor who has not signed in yet), a random nonce and the
  time it was issued, signed with HMAC-SHA256 under the app's secret key. A token older than
  ``session_max_age_s`` is refused. Signing in issues a fresh nonce, so a token planted before sign-in is
  useless afterwards. Signing out replaces the cookie and puts the old token's nonce on a list of ended
  sessions (:class:`EndedSessions`), so a copy of the token taken earlier no longer signs anybody in.
* Every visitor gets a session cookie on the first page, so even the sign-in form carries a CSRF token.
  The CSRF token is an HMAC of the session nonce: it is tied to this cookie, and a page from another site
  cannot read it. Forms send it as the ``csrf_token`` field, htmx requests as the ``X-CSRF-Token`` header.
* A first-login link carries a random token; only its SHA-256 is kept (``User.first_login_token_hash``,
  ``_accounts.token_digest``).
  Choosing a password clears it, so the link works once; it also lapses ``first_login_max_age_s`` after it
  was given (``store.first_login_issued``).
* Sign-in attempts are throttled (:class:`SignInThrottle`): after too many wrong passwords for one e-mail
  address from one network address, from one network address, or (a looser limit) for one e-mail address
  from anywhere, within a window, further attempts are refused (HTTP 429) without checking the password,
  until the oldest failure leaves the window. Nothing is locked for longer than the window, so an attacker
  cannot lock a clinic out for good, and a stranger guessing from another address cannot lock a patient
  out at all before the looser limit.
* Ended sessions and failed sign-ins are kept in the clinic database (``backstride.store._signin``), so a
  restart, or a second server process on the same database, neither forgets nor misses them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SessionData:
    """What the session cookie says: who is signed in (``None``: nobody yet) and the CSRF nonce."""

    user_id: str | None
    nonce: str
    issued_at: float


class Signer:
    """HMAC-SHA256 signing of small JSON payloads, with a purpose string so tokens cannot be swapped."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 16:
            raise ValueError("the secret key must be at least 16 characters long")
        self._key = secret_key.encode("utf-8")

    def _mac(self, purpose: str, body: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}:{body}".encode(), hashlib.sha256).digest())

    def sign(self, purpose: str, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        return f"{body}.{self._mac(purpose, body)}"

    def unsign(self, purpose: str, token: str) -> dict[str, Any] | None:
        """The payload of a token signed for ``purpose``, or ``None`` when it is forged or malformed."""
        body, _, mac = token.partition(".")
        if not body or not mac or not hmac.compare_digest(mac, self._mac(purpose, body)):
            return None
        try:
            payload = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError):
            return None
        return payload if isinstance(payload, dict) else None

    # -- sessions ---------------------------------------------------------------------------------------

    def new_session(self, user_id: str | None) -> tuple[SessionData, str]:
        data = SessionData(user_id=user_id, nonce=secrets.token_urlsafe(18), issued_at=time.time())
        token = self.sign("session", {"u": user_id, "n": data.nonce, "t": data.issued_at})
        return data, token

    def read_session(self, token: str | None, max_age_s: float) -> SessionData | None:
        if not token:
            return None
        payload = self.unsign("session", token)
        if payload is None:
            return None
        user_id, nonce, issued = payload.get("u"), payload.get("n"), payload.get("t")
        if not isinstance(nonce, str) or not isinstance(issued, int | float):
            return None
        if user_id is not None and not isinstance(user_id, str):
            return None
        if not 0 <= time.time() - issued <= max_age_s:
            return None
        return SessionData(user_id=user_id, nonce=nonce, issued_at=float(issued))

    def csrf_token(self, session: SessionData) -> str:
        return self._mac("csrf", session.nonce)

    def check_csrf(self, session: SessionData | None, token: str | None) -> bool:
        if session is None or not token:
            return False
        return hmac.compare_digest(token, self.csrf_token(session))


def _moment(seconds: float) -> dt.datetime:
    """A clock's reading (seconds since 1970, as ``time.time``) as a UTC timestamp for the database."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


class SignInThrottle:
    """Counts failed sign-ins in a sliding window, per e-mail address at one network address, per network
    address and per e-mail address from anywhere.

    ``retry_after(email, address)`` is ``None`` while all three are under their limits, else the seconds
    until the oldest failure that counts leaves the window. The tight limit is for the account *at this
    address*: keyed by the account alone, a stranger's wrong guesses would lock its owner out. The account's
    own limit (``per_account``, looser; ``None``: none) is the backstop against guessing from many
    addresses. Failures are counted for any e-mail address, known or not, so a refusal does not tell whether
    an account exists. A successful sign-in clears that e-mail's failures at that address only (not the
    address's: one person signing in must not unlock a guessing machine behind the same address; nor the
    account's: the owner signing in would give guessers elsewhere a fresh allowance).

    The failures are kept in the clinic database (``store.record_failed_signin``; the e-mail address only as
    its SHA-256), so a restart gives a guesser no fresh allowance and every server process on the database
    counts together. Failures older than the window are deleted as new ones come, so the table holds at most
    one window's worth; each costs the guesser an argon2 check, which bounds how fast it can grow. The clock
    is the wall clock (``time.time``): a monotonic one starts afresh with every process.
    """

    def __init__(
        self,
        engine: Engine,
        per_account_and_address: int,
        per_address: int,
        window_s: float,
        *,
        per_account: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._limits = {"account and address": per_account_and_address, "address": per_address}
        if per_account is not None:
            self._limits["account"] = per_account
        self._window_s = window_s
        self._clock = clock

    @staticmethod
    def _account(email: str) -> str:
        return email.strip().lower()

    def retry_after(self, email: str, address: str) -> float | None:
        """Seconds to wait before another attempt for ``email`` from ``address``, or ``None``: go ahead."""
        from backstride import store

        now = self._clock()
        since = _moment(now - self._window_s)
        account = self._account(email)
        keys: dict[str, dict[str, str]] = {
            "account and address": {"account": account, "address": address},
            "address": {"address": address},
            "account": {"account": account},
        }
        waits = []
        with store.transaction(self._engine, readonly=True) as db:
            for kind, limit in self._limits.items():
                times = store.failed_signins(db, since, limit=limit, **keys[kind])
                if len(times) >= limit:
                    waits.append(times[limit - 1].timestamp() + self._window_s - now)
        return max(waits) if waits else None

    def failed(self, email: str, address: str) -> None:
        from backstride import store

        now = self._clock()
        with store.transaction(self._engine) as db:
            store.record_failed_signin(
                db, self._account(email), address, _moment(now), forget_up_to=_moment(now - self._window_s)
            )

    def succeeded(self, email: str, address: str) -> None:
        from backstride import store

        with store.transaction(self._engine) as db:
            store.clear_failed_signins(db, self._account(email), address)


class EndedSessions:
    """Sessions ended before their time, each remembered until its token would have lapsed anyway: one
    signed out (by its nonce), or all of a user's sessions started before a kept one (their password
    changed: :meth:`end_others`).

    Kept in the clinic database (``store.end_session``, ``store.end_sessions_before``; a nonce only as its
    SHA-256), not in this process's memory: with a configured secret key a copy of a signed-out token would
    otherwise be valid again after a restart for the rest of its lifetime, and another server process on
    the same database would never have refused it. Checking a session (``session in ended``, on every
    request) is one statement looking rows up by primary key; records that have lapsed are deleted whenever
    a session is ended.
    """

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    def end(self, session: SessionData, max_age_s: float) -> None:
        from backstride import store

        with store.transaction(self._engine) as db:
            store.end_session(
                db, session.nonce, _moment(session.issued_at + max_age_s), now=_moment(self._clock())
            )

    def end_others(self, kept: SessionData, max_age_s: float) -> None:
        """End every session of ``kept``'s user issued before it, on any computer, and keep ``kept``: a new
        password must shut out whoever knew the old one and is still signed in with it."""
        from backstride import store

        user_id = store.row_id(kept.user_id)
        if user_id is None:
            return
        with store.transaction(self._engine) as db:
            store.end_sessions_before(
                db,
                user_id,
                _moment(kept.issued_at),
                kept.nonce,
                _moment(kept.issued_at + max_age_s),
                now=_moment(self._clock()),
            )

    def __contains__(self, session: object) -> bool:
        from backstride import store

        if not isinstance(session, SessionData):
            return False
        with store.transaction(self._engine, readonly=True) as db:
            return store.session_ended(
                db, session.nonce, store.row_id(session.user_id), _moment(session.issued_at)
            )
