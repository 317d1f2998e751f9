"""The audit trail's two pages: the administrator's whole trail (``/admin/audit``), filtered and a hundred
entries a page, and a patient's "Who has opened your record" (``/patients/{id}/record-access``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backstride._words import plain
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


def _whom(db: Session, text: str) -> tuple[Any, str | None]:
    """The account an about-whom or by-whom box names, and None; or None and what is wrong, short, for beside
    the box. The box takes an e-mail in any case (a clinic's thousands of patients are no list to choose from);
    a number is the Staff page's link (``?by=ID``), never typed, as an e-mail always has an "@"."""
    from backstride import store

    number = store.row_id(text) if "@" not in text else None
    if number is not None:
        account = store.get_user(db, number)
        return (
            account,
            None if account is not None else f"No account has the number {text} (it may have been removed).",
        )
    account = store.get_user_by_email(db, text)
    return account, None if account is not None else f"No account has the e-mail address {plain(text, 80)}."


def _day(text: str, label: str, problems: list[str]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{label}: please give a date as year-month-day (for example 2026-12-03).")
        return None


def _start_of(day: dt.date | None, *, next_day: bool = False) -> dt.datetime | None:
    """Midnight at the start of ``day`` (or, with ``next_day``, of the day after it) in the server's time zone,
    the one every time on the pages is shown in. None, no bound on that side, for no day and for a day at the
    edge of the calendar (from 0001-01-01, to 9999-12-31: a time there cannot be held, and it bounds nothing)."""
    if day is None:
        return None
    try:
        return dt.datetime.combine(day + dt.timedelta(days=int(next_day)), dt.time()).astimezone()
    except (OverflowError, ValueError):
        return None


# ------------------------------------------------------------------------------------- the administrator's
@router.get("/admin/audit")
def audit_page(request: Request) -> Response:
    """The whole trail, newest first, a page at a time, filtered by about whom and by whom (an e-mail each, or
    the Staff page's account number), what and when (a GET form, so a filtered page can be bookmarked and paged).
    A filter that cannot be used is named above the form (and an e-mail beside its box), kept as typed, and
    nothing is listed: never the whole trail for a person it could not find."""
    from backstride import store

    query = request.query_params
    typed = {k: query.get(k, "").strip() for k in ("about", "by", "action", "from", "to", "before")}
    problems: list[str] = []
    invalid: set[str] = set()
    with transaction(request, readonly=True) as db:
        user = require_user(request, db, "admin")
        chosen: dict[str, Any] = {}
        beside: dict[str, str] = {}  # the problem of a box, said beside it too
        for field, label in (("about", "About whom"), ("by", "By whom")):
            chosen[field], problem = _whom(db, typed[field]) if typed[field] else (None, None)
            if problem is not None:
                problems.append(
                    f"{label}: {problem[:1].lower()}{problem[1:]} Please check it, or leave the box empty for "
                    "anybody."
                )
                invalid.add(field)
                beside[field] = problem
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
                subject_id=chosen["about"].id if chosen["about"] else None,
                actor_id=chosen["by"].id if chosen["by"] else None,
                actions=(typed["action"],) if typed["action"] else None,
                since=_start_of(since),
                until=_start_of(until, next_day=True),
                older_than=_older_than(db, typed["before"]),
            )
            rows = [
                {
                    "event": e,
                    "who": store.actor_words(db, e),
                    "what": store.AUDIT_ACTIONS.get(e.action, e.action),
                    "about": store.get_user(db, e.subject_id),  # (a page's hundred at most, once each)
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
                "chosen": chosen,
                "beside": beside,
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
