"""A clinician's caseload: one row per linked patient, with the flags that ask for attention.

The flare thresholds are the clinic's program rules (:func:`flare_rules`); questionnaire change is judged by
``backstride.clinic.compare`` (minimal clinically important difference), never re-implemented here.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backstride.store._models import DailyLog, PlanVersion, User
from backstride.store._repo import (
    current_plan,
    json_number,
    latest_screening,
    patients_of,
    questionnaire_history,
)

if TYPE_CHECKING:
    from backstride.clinic import ScoreResult

#: Days looked back for flares and red flags.
FLARE_WINDOW_DAYS = 7
#: Days without a log before a patient is flagged.
NO_LOG_DAYS = 3


@dataclass(frozen=True)
class FlareRules:
    """The clinic's flare rule: pain of ``severe_pain`` or more, or ``rise_above_baseline`` points above the
    baseline on ``min_days`` days or more."""

    severe_pain: float = 8.0
    rise_above_baseline: float = 2.0
    min_days: int = 2


@functools.cache
def flare_rules() -> FlareRules:
    """The flare thresholds, read from the clinic's program rules (``backstride/clinic/data/program.json``,
    section ``flare``) so that the caseload and the weekly review agree; the documented defaults (8, 2, 2)
    if the clinic's rules cannot be read."""
    try:
        text = resources.files("backstride.clinic").joinpath("data/program.json").read_text(encoding="utf-8")
        flare = json.loads(text)["flare"]
        return FlareRules(
            severe_pain=float(flare["severe_pain"]),
            rise_above_baseline=float(flare["rise_above_baseline"]),
            min_days=int(flare["min_days"]),
        )
    except (OSError, KeyError, TypeError, ValueError, ModuleNotFoundError):
        return FlareRules()


_PAIN_KEYS = ("pain", "pain_nrs", "pain_0_10", "pain_score", "pain_today")
_RED_FLAG_KEYS = ("red_flag", "red_flags", "new_red_flags", "red_flag_reported")
ROUTINE = "routine"


def log_pain(log: Mapping[str, Any]) -> float | None:
    """The 0-10 pain rating of a daily log, if it has one."""
    for key in _PAIN_KEYS:
        if (value := json_number(log.get(key))) is not None:
            return value
    return None


def log_red_flag(log: Mapping[str, Any]) -> bool:
    """Did the patient report a red flag in this log?"""
    return any(bool(log.get(key)) for key in _RED_FLAG_KEYS)


def plan_baseline_pain(plan: Mapping[str, Any] | None) -> float | None:
    """The baseline pain recorded in a plan (``baseline_pain`` or ``baseline.pain...``), if any."""
    if not plan:
        return None
    candidates: list[Any] = [plan.get("baseline_pain")]
    baseline = plan.get("baseline")
    if isinstance(baseline, Mapping):
        candidates.extend(baseline.get(k) for k in _PAIN_KEYS)
    for value in candidates:
        if (number := json_number(value)) is not None:
            return number
    return None


@dataclass(frozen=True)
class CaseloadRow:
    """One patient on a clinician's list and why they may need attention."""

    patient: User
    last_log_date: dt.date | None
    days_since_log: int | None
    latest_urgency: str | None
    red_flag: bool
    flare: bool
    no_recent_log: bool
    baseline_pain: float | None
    latest_pain: float | None
    plan_version: int | None
    #: instrument -> verdict of ``backstride.clinic.compare`` between the first and latest response
    changes: dict[str, str] = field(default_factory=dict)
    #: the plan is paused for a warning sign until a clinician resumes it (marked by ``_plans.mark_paused_plans``:
    #: the store does not review plans)
    plan_paused: bool = False

    @property
    def patient_id(self) -> int:
        return self.patient.id

    @property
    def improved(self) -> bool:
        """A questionnaire changed by more than its minimal clinically important difference, for the
        better."""
        return any(v == "improved" for v in self.changes.values())

    @property
    def worse(self) -> bool:
        return any(v == "worse" for v in self.changes.values())

    @property
    def flags(self) -> tuple[str, ...]:
        """Short labels, most urgent first."""
        out: list[str] = []
        if self.red_flag:
            out.append("red flag reported")
        if self.plan_paused:
            out.append("plan paused")
        if self.flare:
            out.append("flare")
        if self.no_recent_log:
            out.append(f"no log for {NO_LOG_DAYS}+ days")
        if self.worse:
            out.append("questionnaire worse")
        if self.improved:
            out.append("meaningful improvement")
        return tuple(out)

    @property
    def needs_attention(self) -> bool:
        return self.red_flag or self.plan_paused or self.flare or self.no_recent_log or self.worse


def questionnaire_changes(session: Session, patient_id: int) -> dict[str, str]:
    """For each instrument scored at least twice: the clinic's verdict between the first score and the latest
    (``backstride.clinic.first_to_latest``)."""
    from backstride import clinic

    return {k: c.verdict for k, c in clinic.first_to_latest(stored_scores(session, patient_id)).items()}


def stored_scores(session: Session, patient_id: int) -> list[ScoreResult]:
    """The patient's stored questionnaire results as the clinic's ``ScoreResult``, oldest first (a stored
    result the clinic can no longer read is passed over, not a broken page)."""
    from pydantic import ValidationError

    from backstride import clinic

    out: list[ScoreResult] = []
    for row in questionnaire_history(session, patient_id):
        try:
            out.append(clinic.ScoreResult.model_validate(dict(row.result)))
        except (ValidationError, TypeError, ValueError):
            continue
    return out


def _first_log_pain(session: Session, patient_id: int) -> float | None:
    stmt = select(DailyLog).where(DailyLog.patient_id == patient_id).order_by(DailyLog.date).limit(5)
    for row in session.scalars(stmt):
        pain = log_pain(row.log)
        if pain is not None:
            return pain
    return None


def caseload_row(session: Session, patient: User, today: dt.date) -> CaseloadRow:
    """The caseload row of one patient as of ``today``."""
    window_start = today - dt.timedelta(days=FLARE_WINDOW_DAYS - 1)
    recent: Sequence[DailyLog] = list(
        session.scalars(
            select(DailyLog)
            .where(DailyLog.patient_id == patient.id, DailyLog.date >= window_start, DailyLog.date <= today)
            .order_by(DailyLog.date)
        )
    )
    last_date = session.scalar(
        select(DailyLog.date)
        .where(DailyLog.patient_id == patient.id, DailyLog.date <= today)
        .order_by(DailyLog.date.desc())
        .limit(1)
    )
    plan: PlanVersion | None = current_plan(session, patient.id)
    baseline = plan_baseline_pain(plan.plan if plan else None)
    if baseline is None:
        baseline = _first_log_pain(session, patient.id)
    screening = latest_screening(session, patient.id)
    urgency = screening.urgency if screening else None

    rules = flare_rules()
    pains = [p for p in (log_pain(r.log) for r in recent) if p is not None]
    high_days = sum(1 for p in pains if baseline is not None and p >= baseline + rules.rise_above_baseline)
    flare = any(p >= rules.severe_pain for p in pains) or high_days >= rules.min_days
    red_flag = (urgency is not None and urgency != ROUTINE) or any(log_red_flag(r.log) for r in recent)

    if last_date is not None:
        days_since: int | None = (today - last_date).days
    else:
        days_since = None
    # the account's day where the clinic is (the server's zone), as ``today`` is, not its UTC date
    since = last_date if last_date is not None else patient.created_at.astimezone().date()
    # a closed account (care ended) is expected to fall silent
    no_recent_log = patient.closed_at is None and (today - since).days >= NO_LOG_DAYS
    latest_pain = next((p for p in (log_pain(r.log) for r in reversed(recent)) if p is not None), None)
    return CaseloadRow(
        patient=patient,
        last_log_date=last_date,
        days_since_log=days_since,
        latest_urgency=urgency,
        red_flag=red_flag,
        flare=flare,
        no_recent_log=no_recent_log,
        baseline_pain=baseline,
        latest_pain=latest_pain,
        plan_version=plan.version if plan else None,
        changes=questionnaire_changes(session, patient.id),
    )


def caseload(session: Session, clinician_id: int, today: dt.date) -> list[CaseloadRow]:
    """The clinician's patients whose accounts are open, those needing attention first (red flag, flare,
    silence), then by name. Closed accounts (care ended) raise no flag: :func:`closed_patients`."""
    rows = [
        caseload_row(session, p, today) for p in patients_of(session, clinician_id) if p.closed_at is None
    ]
    rows.sort(key=attention_order)
    return rows


def attention_order(row: CaseloadRow) -> tuple[bool, bool, bool, str]:
    """The caseload's order: a red flag or a paused plan first, then a flare, then silence, then by name."""
    return (
        not (row.red_flag or row.plan_paused),
        not row.flare,
        not row.no_recent_log,
        row.patient.name.lower(),
    )


def closed_patients(session: Session, clinician_id: int) -> list[User]:
    """The clinician's patients whose accounts are closed, the most recently closed first."""
    closed = [p for p in patients_of(session, clinician_id) if p.closed_at is not None]
    return sorted(closed, key=lambda p: (p.closed_at, p.id), reverse=True)
