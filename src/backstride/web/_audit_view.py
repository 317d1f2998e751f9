"""The audit trail as the web app writes and shows it: the entries only the app sees (sign-ins, a record's
opening, an export), written without ever failing the page they record, and the trail read back a page at a time
for the administrator's page and the patient's "Who has opened your record".

What counts as an entry and its words are the store's (``store.AUDIT_ACTIONS``, ``store.actor_words``); this
module only adds the patient's plainer sentences and the paging.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from backstride.web._context import Noted, get_state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from backstride.store import AuditEvent

_log = logging.getLogger(__name__)

PAGE_SIZE = 100
"""Entries shown on one page of the trail (then an "Older entries" link)."""

PATIENT_ACTIONS = (
    "account_added",
    "record_opened",
    "record_exported",
    "way_in_given",
    "account_closed",
    "account_reopened",
    "care_linked",
    "care_unlinked",
)
"""What a patient's "Who has opened your record" lists: everything about them except their own signing in and
choosing a password (always their own doing). A patient's own opening of their record is never written; their own
downloads are (they are copies of the record that left the clinic), and shown as theirs."""

_PATIENT_WORDS = {
    "account_added": "added your account",
    "record_opened": "opened your record",
    "way_in_given": "gave you a new way to sign in",
    "account_closed": "closed your account",
    "account_reopened": "reopened your account",
    "care_linked": "added a clinician to your care team",
    "care_unlinked": "took a clinician off your care team",
}

FHIR_EXPORT = "FHIR R4 bundle"
SUMMARY_EXPORT = "progress summary for a doctor"
PLAN_SHEET_EXPORT = "home program sheet"
CALENDAR_EXPORT = "walk reminders for a calendar"
_PATIENT_DOWNLOADS = {
    FHIR_EXPORT: "downloaded your record as a data file for another clinic or doctor (FHIR)",
    SUMMARY_EXPORT: "downloaded your record as a progress summary for a doctor",
    "progress summary": "downloaded your record as a progress summary for a doctor",  # the command line's
    PLAN_SHEET_EXPORT: "downloaded your home program sheet to print",
    CALENDAR_EXPORT: "downloaded your walk reminders for a calendar",
}
"""What the patient is told was downloaded, by the export's kind (its entry's detail; the command line's adds
"to" where it wrote it, a path on the server the patient has no use for). The home program sheet and the calendar
file hold the plan alone: "your record" would tell the patient more left the clinic than did."""
_PATIENT_DETAIL = {
    "a first-login link": "(a first-login link)",
    "a password": "(a new password)",
}


def _download_words(detail: str | None) -> str:
    """The patient's words for one export: by its kind, else "downloaded your record" and the detail as kept."""
    if detail in _PATIENT_DOWNLOADS:
        return _PATIENT_DOWNLOADS[detail]
    kind, to, _where = (detail or "").partition(" to ")
    if to and kind in _PATIENT_DOWNLOADS:
        return _PATIENT_DOWNLOADS[kind]
    return "downloaded your record" + (f" ({detail})" if detail else "")


#: The most (clinician, patient) openings a server process remembers (``WebState.opened``), a few bytes each.
_OPENED_KEPT = 10_000


def _due(request: Request, noted: list[Noted]) -> list[Noted]:
    """The noted entries to write: all but the openings this process wrote within the store's visit (and all but
    the first of one record's openings noted twice by one page). A page polled
    every second while a walk is analysed (or paged through) takes no write lock each time; the store's own check
    still holds across processes."""
    from backstride import store

    opened = get_state(request).opened
    visit = dt.timedelta(seconds=store.OPENED_AGAIN_AFTER_S)

    def written_lately(entry: Noted) -> bool:
        last = opened.get((entry.actor_id, entry.subject_id))
        return last is not None and dt.timedelta(0) <= entry.at - last < visit

    due: list[Noted] = []
    seen: set[tuple[int, int]] = set()  # a page that checks its access twice opened the record once
    for entry in noted:
        if entry.action == "record_opened":
            key = (entry.actor_id, entry.subject_id)
            if key in seen or written_lately(entry):
                continue
            seen.add(key)
        due.append(entry)
    return due


def _write(request: Request, noted: list[Noted]) -> None:
    from backstride import store

    written: list[tuple[tuple[int, int], dt.datetime]] = []
    with store.transaction(get_state(request).engine) as db:
        for entry in noted:
            if entry.action == "record_opened":
                event = store.log_record_opened(db, entry.actor_id, entry.subject_id, now=entry.at)
                if event is not None:
                    written.append(((entry.actor_id, entry.subject_id), event.at))
            else:
                store.log_event(
                    db,
                    entry.action,
                    entry.subject_id,
                    actor_id=entry.actor_id,
                    detail=entry.detail,
                    now=entry.at,
                )
    opened = get_state(request).opened  # once committed: an entry rolled back is not "written lately"
    if len(opened) > _OPENED_KEPT:
        opened.clear()
    opened.update(written)


def write_noted(request: Request) -> None:
    """Write the entries this request noted (``_context.note_audit``), in one short transaction; called by the app
    once the page was answered with 2xx. A failure is logged, never shown: the page was already answered."""
    noted = _due(request, getattr(request.state, "audit_noted", []))
    request.state.audit_noted = []
    if not noted:
        return
    try:
        _write(request, noted)
    except Exception:
        _log.exception(
            "the audit trail's %s for %s %s could not be written",
            ", ".join(sorted({n.action for n in noted})),
            request.method,
            request.url.path,
        )


def record_now(
    request: Request, action: str, subject_id: int, actor_id: int, detail: str | None = None
) -> None:
    """Write one entry now, in its own short transaction (a sign-in, which has no transaction of its own to join);
    a failure is logged and does not stop what it records."""
    from backstride.store import utcnow

    request.state.audit_noted = [Noted(action, subject_id, actor_id, detail, utcnow())]
    write_noted(request)


@dataclass(frozen=True)
class TrailPage:
    """One page of the trail, newest first, and whether older entries follow."""

    events: list[AuditEvent]
    more: bool

    @property
    def older_than(self) -> int | None:
        """The id the "Older entries" link pages on (the last entry's), or None on the last page."""
        return self.events[-1].id if self.more and self.events else None


def trail_page(
    db: Session,
    *,
    subject_id: int | None = None,
    actor_id: int | None = None,
    actions: tuple[str, ...] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    older_than: AuditEvent | None = None,
    size: int = PAGE_SIZE,
) -> TrailPage:
    """The newest ``size`` entries matching the filters (``until``: up to but not including), after
    ``older_than`` in the trail's order (time, then id, both newest first).

    The page goes on from the last entry's time *and* id: entries written at the same moment (a password chosen
    and the sign-in with it) are neither shown twice nor skipped where a page ends between them, as going on
    from the time alone would."""
    from backstride import store

    events = store.audit_trail(
        db,
        subject_id=subject_id,
        actor_id=actor_id,
        actions=actions,
        since=since,
        before=until,
        older_than=older_than,
        limit=size + 1,
    )
    return TrailPage(events[:size], len(events) > size)


def patient_sentence(db: Session, event: AuditEvent, patient_id: int) -> str:
    """The entry as its patient reads it: "Cleo One (clinician) opened your record", "You downloaded your
    record as a progress summary for a doctor" (the time is shown beside it)."""
    from backstride import store

    if event.actor_id == patient_id:
        who = "You"
    elif event.actor_id is None:
        who = "Somebody working on the clinic's server (not through this website)"
    else:
        who = store.actor_words(db, event)
    if event.action == "record_exported":
        return f"{who} {_download_words(event.detail)}."
    words = _PATIENT_WORDS.get(event.action, store.AUDIT_ACTIONS.get(event.action, event.action))
    sentence = f"{who} {words}"
    if event.detail and event.action != "account_added":  # ("as patient": nothing a patient needs told)
        if event.action == "account_closed":
            sentence += f" (reason given: {event.detail})"
        else:
            sentence += f" {_PATIENT_DETAIL.get(event.detail, f'({event.detail})')}"
    return sentence + "."
