"""What the web app's sign-in security remembers: sessions ended before their time, and wrong passwords.

Sessions are signed tokens with no row of their own, so a signed-out one is refused by a list of ended ones
(:class:`EndedSession`, by the SHA-256 of its nonce) and a password change by a cut-off for the user
(:class:`SessionCutoff`). Wrong passwords are rows of :class:`SignInFailure`, keyed by the SHA-256 of the
e-mail address as typed. Kept in the database rather than in a server's memory, a restart forgets none of
them and every server process on one database sees the others'. Lapsed rows are deleted whenever a new one
is written, so the tables hold only what still matters.

The rules (how many failures, how long a window) are the web layer's (``backstride.web._security``); these
functions only keep and look up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import delete, func, literal, select, union_all, update
from sqlalchemy.orm import Session

from backstride.store._models import EndedSession, SessionCutoff, SignInFailure

ADDRESS_MAX = 255
"""The longest network address kept, characters (its column's width); a longer one is cut there."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _upsert(session: Session, model: Any, key: str, values: dict[str, Any]) -> None:
    """Insert a row, or replace the one with the same primary key (one atomic statement, so two servers
    ending the same session at once do not collide)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg_stmt = pg_insert(model).values(**values)
        changed = {name: pg_stmt.excluded[name] for name in values if name != key}
        session.execute(pg_stmt.on_conflict_do_update(index_elements=[key], set_=changed))
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite_stmt = sqlite_insert(model).values(**values)
        changed = {name: lite_stmt.excluded[name] for name in values if name != key}
        session.execute(lite_stmt.on_conflict_do_update(index_elements=[key], set_=changed))
    else:  # pragma: no cover - other databases: merge by primary key
        session.merge(model(**values))
        session.flush()


def _forget_lapsed_sessions(session: Session, now: dt.datetime) -> None:
    session.execute(delete(EndedSession).where(EndedSession.until < now))
    session.execute(delete(SessionCutoff).where(SessionCutoff.until < now))


# --------------------------------------------------------------------------------------------- sessions
def end_session(session: Session, nonce: str, until: dt.datetime, *, now: dt.datetime) -> None:
    """Refuse the session with ``nonce`` from now on, until ``until`` (when its token lapses anyway).
    Lapsed records (``until`` before ``now``) are deleted on the way."""
    _forget_lapsed_sessions(session, now)
    _upsert(session, EndedSession, "nonce_hash", {"nonce_hash": _digest(nonce), "until": until})


def end_sessions_before(
    session: Session,
    user_id: int,
    issued_up_to: dt.datetime,
    kept_nonce: str | None,
    until: dt.datetime,
    *,
    now: dt.datetime,
) -> None:
    """Refuse every session of ``user_id`` issued up to ``issued_up_to`` but the one with ``kept_nonce``
    (None: keep none, as when somebody else gives the user a new password), until ``until``. A later call for
    the same user replaces the earlier cut-off (it is later, and ends everything the earlier one ended but the
    session it kept). Lapsed records are deleted on the way."""
    _forget_lapsed_sessions(session, now)
    values = {
        "user_id": user_id,
        "issued_up_to": issued_up_to,
        # no nonce hashes to "": a digest is 64 hex digits
        "kept_nonce_hash": "" if kept_nonce is None else _digest(kept_nonce),
        "until": until,
    }
    _upsert(session, SessionCutoff, "user_id", values)


def session_ended(session: Session, nonce: str, user_id: int | None, issued_at: dt.datetime) -> bool:
    """Has the session with ``nonce`` (of ``user_id``, issued at ``issued_at``) been ended: signed out, or
    issued before its user's password change elsewhere?

    One statement, looking rows up by primary key only: it runs for every request."""
    nonce_hash = _digest(nonce)
    signed_out = select(literal(1)).where(EndedSession.nonce_hash == nonce_hash)
    if user_id is None:
        return session.execute(signed_out).first() is not None
    cut_off = select(literal(1)).where(
        SessionCutoff.user_id == user_id,
        SessionCutoff.issued_up_to >= issued_at,
        SessionCutoff.kept_nonce_hash != nonce_hash,
    )
    return session.execute(union_all(signed_out, cut_off)).first() is not None


def ended_session_counts(session: Session) -> tuple[int, int]:
    """How many sessions are on the list, and how many users have a cut-off (for tests and a look at the
    tables' size)."""
    ended = session.scalar(select(func.count()).select_from(EndedSession)) or 0
    cutoffs = session.scalar(select(func.count()).select_from(SessionCutoff)) or 0
    return ended, cutoffs


# ---------------------------------------------------------------------------------------- wrong passwords
def record_failed_signin(
    session: Session, account: str, address: str, at: dt.datetime, *, forget_up_to: dt.datetime
) -> None:
    """Keep a wrong password for ``account`` (the e-mail address as the limits key it: only its SHA-256 is
    stored) from ``address`` at ``at``; failures at or before ``forget_up_to`` (out of every window) are
    deleted on the way."""
    session.execute(delete(SignInFailure).where(SignInFailure.at <= forget_up_to))
    session.add(
        SignInFailure(account_key=_digest(account), address=address[:ADDRESS_MAX], at=at, cleared=False)
    )
    session.flush()


def failed_signins(
    session: Session,
    since: dt.datetime,
    *,
    account: str | None = None,
    address: str | None = None,
    limit: int,
) -> list[dt.datetime]:
    """When the newest ``limit`` wrong passwords after ``since`` were typed, newest first: for ``account``
    from anywhere, from ``address`` for any account, or — both given — for ``account`` from ``address``
    since its last sign-in there (:func:`clear_failed_signins`)."""
    if account is None and address is None:
        raise ValueError("failed_signins needs an account, an address or both")
    query = select(SignInFailure.at).where(SignInFailure.at > since)
    if account is not None:
        query = query.where(SignInFailure.account_key == _digest(account))
    if address is not None:
        query = query.where(SignInFailure.address == address[:ADDRESS_MAX])
    if account is not None and address is not None:
        query = query.where(SignInFailure.cleared.is_(False))
    return list(session.scalars(query.order_by(SignInFailure.at.desc()).limit(limit)))


def clear_failed_signins(session: Session, account: str, address: str) -> None:
    """Take ``account``'s wrong passwords from ``address`` off their account-and-address count (a sign-in
    there succeeded); they still count for the address and for the account."""
    session.execute(
        update(SignInFailure)
        .where(
            SignInFailure.account_key == _digest(account),
            SignInFailure.address == address[:ADDRESS_MAX],
            SignInFailure.cleared.is_(False),
        )
        .values(cleared=True)
    )


def signin_failure_count(session: Session) -> int:
    """How many wrong passwords the table holds (for tests and a look at its size)."""
    return session.scalar(select(func.count()).select_from(SignInFailure)) or 0
