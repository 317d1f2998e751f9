"""The audit trail's two pages: the administrator's whole trail (``/admin/audit``), filtered and a hundred
entries a page, and a patient's "Who has opened your record" (``/patients/{id}/record-access``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backstride.web._audit_view import PATIENT_ACTIONS, patient_sentence, trail_page
from backstride.web._context import RowId, check_csrf, require_patient_access, require_user, transaction
from backstride.web._flow import blocking_emergency
from backstride.web._render import render

router = APIRouter(dependencies=[Depends(check_csrf)])

_GONE = "That page of the trail is no longer there (its entries went with an account). Start again from the newest."


def _older_than(db: Session, text: str, subject_id: int | None = None) -> Any:
    """The entry an "Older entries" link goes on from (``?before=ID``): None for the first page; 404 when it is
    gone, or not about ``subject_id`` (a patient's list pages only on entries about them)."""
    from backstride import store

    if not text:
        return None
    event_id = store.row_id(text)
    event = db.get(store.AuditEvent, event_id) if event_id is not None else None
    if event is None or (subject_id is not None and event.subject_id != subject_id):
        raise HTTPException(404, _GONE)
    return event


def _day(text: str, label: str, problems: list[str]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{label}: please give a date as year-month-day (for example 2026-12-03).")
        return None


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the server's time zone, the one every time on the pages is shown in."""
    return dt.datetime.combine(day, dt.time()).astimezone()


# ------------------------------------------------------------------------------------- the administrator's
@router.get("/admin/audit")
def audit_page(request: Request) -> Response:
    """The whole trail, newest first, a page at a time, filtered by about whom, by whom, what and when (a GET
    form, so a filtered page can be bookmarked and paged). A filter that cannot be used is named above the form,
    kept as typed, and nothing is listed."""
    from backstride import store

    query = request.query_params
    typed = {k: query.get(k, "").strip() for k in ("about", "by", "action", "from", "to", "before")}
    problems: list[str] = []
    invalid: set[str] = set()
    with transaction(request, readonly=True) as db:
        user = require_user(request, db, "admin")
        accounts = store.users_list(db)
        known = {a.id: a for a in accounts}
        chosen: dict[str, int | None] = {}
        for field, label in (("about", "About whom"), ("by", "By whom")):
            account_id = store.row_id(typed[field]) if typed[field] else None
            if typed[field] and account_id not in known:
                problems.append(f"{label}: there is no such account. Please choose one from the list.")
                invalid.add(field)
            chosen[field] = account_id if account_id in known else None
        if typed["action"] and typed["action"] not in store.AUDIT_ACTIONS:
            problems.append("What: please choose one of the list.")
            invalid.add("action")
        since = _day(typed["from"], "From", problems)
        until = _day(typed["to"], "To", problems)
        invalid.update(f for f, d in (("from", since), ("to", until)) if typed[f] and d is None)
        if since is not None and until is not None and until < since:
            problems.append("To: the last day is before the first. Please swap them or change one.")
            invalid.update({"from", "to"})
        page = None
        rows: list[dict[str, Any]] = []
        if not problems:
            page = trail_page(
                db,
                subject_id=chosen["about"],
                actor_id=chosen["by"],
                actions=(typed["action"],) if typed["action"] else None,
                since=_start_of(since) if since else None,
                until=_start_of(until + dt.timedelta(days=1)) if until else None,
                older_than=_older_than(db, typed["before"]),
            )
            rows = [
                {
                    "event": e,
                    "who": store.actor_words(db, e),
                    "what": store.AUDIT_ACTIONS.get(e.action, e.action),
                    "about": known.get(e.subject_id),
                }
                for e in page.events
            ]
        filtered = {k: v for k, v in typed.items() if k != "before" and v}
        return render(
            request,
            "audit.html",
            {
                "title": "Audit trail",
                "user": user,
                "accounts": accounts,
                "actions": store.AUDIT_ACTIONS,
                "typed": typed,
                "filtered": filtered,
                "problems": problems,
                "invalid": invalid,
                "rows": rows,
                "page": page,
                "now_zone": dt.datetime.now().astimezone().tzname(),
            },
            status=422 if problems else 200,
        )


# ------------------------------------------------------------------------------------------- the patient's
@router.get("/patients/{patient_id}/record-access")
def record_access_page(request: Request, patient_id: RowId, before: str = "") -> Response:
    """Who has opened, downloaded or changed the patient's record or account, in words, newest first: the
    patient's own page (their clinicians and the administrators read the trail on the administrator's page),
    behind the emergency stop as every page of theirs."""
    with transaction(request, readonly=True) as db:
        user, patient = require_patient_access(request, db, patient_id, "patient")
        stop = blocking_emergency(request, db, user, patient)  # as on every page of theirs
        if stop is not None:
            return stop
        page = trail_page(
            db, subject_id=patient.id, actions=PATIENT_ACTIONS, older_than=_older_than(db, before, patient.id)
        )
        entries = [{"event": e, "words": patient_sentence(db, e, patient.id)} for e in page.events]
        return render(
            request,
            "record_access.html",
            {
                "title": "Who has opened your record",
                "user": user,
                "patient": patient,
                "entries": entries,
                "page": page,
                "paged": bool(before),
                "now_zone": dt.datetime.now().astimezone().tzname(),
            },
        )
