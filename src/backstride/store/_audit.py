"""The clinic's audit trail: who opened, exported or changed whose record or account, and when.

Clinical records law asks a clinic to be able to say who has seen and who has changed a person's record (the
EU's GDPR art. 15 and 30, the NHS's Records Management Code, HIPAA's audit controls at 45 CFR 164.312(b)), and a
patient may ask. Each entry names the person who acted (None: somebody at the server's command line,
:data:`COMMAND_LINE_ACTOR` in the tables), the account or record it concerns, what was done (one of
:data:`AUDIT_ACTIONS`) and a line of detail. Entries are only ever added, in the same transaction as what they
record, so an action that fails leaves no entry and an entry is never missing for an action that took place.

A record's opening is written once per person and record in :data:`OPENED_AGAIN_AFTER_S` (paging through one
patient's record is one visit, not twenty entries); exports and every change are written each time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from backstride._audit_actions import AUDIT_ACTIONS
from backstride._errors import InputError
from backstride.store._models import AuditEvent, User, utcnow

OPENED_AGAIN_AFTER_S = 30 * 60
"""A record opened again by the same person within this time (s) of their last entry for it is the same visit."""

MAX_AUDIT_DETAIL = 500
"""The longest line of detail kept (longer is cut, with an ellipsis)."""

COMMAND_LINE_ACTOR = "command line (server)"
"""Who acted, in the trail's tables (the administrator's page, ``backstride audit``), for an entry that names
nobody: something done with ``backstride`` at the server's command line, never through the website. Short, as a
table's column is narrow; the patient's own list says it in a sentence of its own."""


def log_event(
    session: Session,
    action: str,
    subject_id: int,
    *,
    actor_id: int | None,
    detail: str | None = None,
    now: dt.datetime | None = None,
) -> AuditEvent:
    """Add one entry: ``actor_id`` (None: the command line) did ``action`` about ``subject_id``'s record or
    account. ``detail`` is kept on one line and cut at :data:`MAX_AUDIT_DETAIL` characters. ``InputError`` for an
    action not in :data:`AUDIT_ACTIONS` (a programming error caught by the tests, never a user's)."""
    if action not in AUDIT_ACTIONS:
        raise InputError(f"{action!r} is not an audit action; one of {', '.join(AUDIT_ACTIONS)}")
    if detail is not None:
        detail = " ".join(detail.split())
        if len(detail) > MAX_AUDIT_DETAIL:
            detail = detail[: MAX_AUDIT_DETAIL - 1] + "…"
    event = AuditEvent(
        at=now or utcnow(), actor_id=actor_id, subject_id=subject_id, action=action, detail=detail or None
    )
    session.add(event)
    session.flush()
    return event


def log_record_opened(
    session: Session, actor_id: int, patient_id: int, *, now: dt.datetime | None = None
) -> AuditEvent | None:
    """Note that ``actor_id`` opened ``patient_id``'s record, unless it is their own (a patient reading their own
    record is no disclosure) or they opened it within :data:`OPENED_AGAIN_AFTER_S`. The new entry, or None."""
    if actor_id == patient_id:
        return None
    moment = now or utcnow()
    last = session.scalars(
        select(AuditEvent.at)
        .where(
            AuditEvent.actor_id == actor_id,
            AuditEvent.subject_id == patient_id,
            AuditEvent.action == "record_opened",
        )
        .order_by(AuditEvent.at.desc())
        .limit(1)
    ).first()
    if last is not None and dt.timedelta(0) <= moment - last < dt.timedelta(seconds=OPENED_AGAIN_AFTER_S):
        return None
    return log_event(session, "record_opened", patient_id, actor_id=actor_id, now=moment)


def audit_trail(
    session: Session,
    *,
    subject_id: int | None = None,
    actor_id: int | None = None,
    actions: Iterable[str] | None = None,
    since: dt.datetime | None = None,
    before: dt.datetime | None = None,
    older_than: AuditEvent | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    """The entries about ``subject_id`` and/or by ``actor_id`` (either None: anybody's), of ``actions`` (None:
    all), from ``since`` up to but not including ``before``, newest first, at most ``limit``. ``older_than``: only
    those after that entry in this order (time, then id), for a trail shown a page at a time: entries of one
    moment are neither repeated nor skipped where a page ends between them, as going on from a time alone would."""
    stmt = _trail_where(select(AuditEvent), subject_id, actor_id, actions, since, before)
    if older_than is not None:
        stmt = stmt.where(
            or_(
                AuditEvent.at < older_than.at,
                and_(AuditEvent.at == older_than.at, AuditEvent.id < older_than.id),
            )
        )
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def audit_trail_count(
    session: Session,
    *,
    subject_id: int | None = None,
    actor_id: int | None = None,
    actions: Iterable[str] | None = None,
    since: dt.datetime | None = None,
    before: dt.datetime | None = None,
) -> int:
    """How many entries :func:`audit_trail` has with the same filters and no limit, counted in the database (a
    trail shown a page at a time says how much it left out without reading it all)."""
    stmt = _trail_where(
        select(func.count()).select_from(AuditEvent), subject_id, actor_id, actions, since, before
    )
    return session.scalar(stmt) or 0


_T = TypeVar("_T")


def _trail_where(
    stmt: Select[_T],
    subject_id: int | None,
    actor_id: int | None,
    actions: Iterable[str] | None,
    since: dt.datetime | None,
    before: dt.datetime | None,
) -> Select[_T]:
    """``stmt`` narrowed to the entries the filters of :func:`audit_trail` keep."""
    if subject_id is not None:
        stmt = stmt.where(AuditEvent.subject_id == subject_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if actions is not None:
        wanted = list(actions)
        unknown = [a for a in wanted if a not in AUDIT_ACTIONS]
        if unknown:
            raise InputError(f"{unknown[0]!r} is not an audit action; one of {', '.join(AUDIT_ACTIONS)}")
        stmt = stmt.where(AuditEvent.action.in_(wanted))
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if before is not None:
        stmt = stmt.where(AuditEvent.at < before)
    return stmt


def person_words(user: User) -> str:
    """A person as the trail names them, each once: "Name (role)". A name that ends in brackets of its own takes
    the role inside them ("Dana Reyes (physical therapist, clinician)", not "... (physical therapist)
    (clinician)"), or as it is when they already say the role: the same words read well in a table's cell and
    at the start of the patient's sentence ("... opened your record")."""
    role = "administrator" if user.role == "admin" else user.role
    name = " ".join(user.name.split())
    if not (name.endswith(")") and "(" in name):
        return f"{name} ({role})"
    if role in name[name.rindex("(") :].lower():
        return name
    return f"{name[:-1]}, {role})"


def actor_words(session: Session, event: AuditEvent) -> str:
    """Who acted, in words: :func:`person_words`, :data:`COMMAND_LINE_ACTOR`, or "an account no longer in the
    clinic"."""
    if event.actor_id is None:
        return COMMAND_LINE_ACTOR
    actor = session.get(User, event.actor_id)
    if actor is None:
        return "an account no longer in the clinic"
    return person_words(actor)
