"""The emergency stop: while a patient's latest screening says *emergency*, every page of theirs shows only
the emergency page (no navigation, nothing to click past), the check-in included, so the stop cannot be
answered away. Their clinician — never blocked — lifts it by screening again with the patient once a doctor
has seen them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from backstride.web._render import render

if TYPE_CHECKING:
    from backstride.store import User

EMERGENCY = "emergency"


def emergency_page(request: Request, result: dict[str, Any], status: int = 200) -> HTMLResponse:
    """The emergency page: the screening's emergency reasons and the number to call, the clinic's number as
    configured now (``web._context.emergency_number``), should it have changed since the screening."""
    from backstride.web._context import emergency_number

    return render(
        request,
        "emergency.html",
        {
            "title": "Get help now",
            "user": None,
            "number": emergency_number(request),
            "reasons": [r.get("why", "") for r in result.get("reasons", []) if r.get("urgency") == EMERGENCY],
        },
        status=status,
    )


class EmergencyStop(Exception):
    """Raised by :func:`patient_access` while the patient's emergency stands; the app answers with
    ``response`` (the emergency page), whatever page was asked for."""

    def __init__(self, response: HTMLResponse) -> None:
        super().__init__("emergency stop")
        self.response = response


def patient_access(request: Request, db: Session, patient_id: int) -> tuple[User, User]:
    """The signed-in viewer and the patient whose page this is (404 for anyone else's), after the emergency
    stop: every patient page opens with this one call, so none can forget the stop."""
    from backstride.web._context import require_patient_access

    viewer, patient = require_patient_access(request, db, patient_id)
    stop = blocking_emergency(request, db, viewer, patient)
    if stop is not None:
        raise EmergencyStop(stop)
    return viewer, patient


def blocking_emergency(request: Request, db: Session, viewer: User, patient: User) -> HTMLResponse | None:
    """The emergency page if ``viewer`` is this patient and their latest screening was an emergency."""
    from backstride import store

    if viewer.id != patient.id:
        return None
    latest = store.latest_screening(db, patient.id)
    if latest is None or latest.urgency != EMERGENCY:
        return None
    return emergency_page(request, latest.result)


def refresh_plan(request: Request, patient_id: int, today: dt.date, *, create: bool = False) -> None:
    """Save what the plan needs before a page shows it: the reviews of weeks that have ended and, with
    ``create``, the first plan once its baseline is complete. Most requests find nothing to do in a
    read-only look and never take the write lock."""
    from backstride import _plans
    from backstride.web._context import emergency_number, require_patient_access, transaction

    with transaction(request, readonly=True) as db:
        viewer, patient = require_patient_access(request, db, patient_id)
        if blocking_emergency(request, db, viewer, patient) is not None:
            return
        if not _plans.plan_work_due(db, patient, today, create=create):
            return
    with transaction(request) as db:
        viewer, patient = require_patient_access(request, db, patient_id)
        _plans.current_plan(db, patient, today, save=True, emergency_number=emergency_number(request))
        if create:
            _plans.first_plan(db, patient, today, viewer.id if viewer.id != patient.id else None)
