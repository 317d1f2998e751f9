"""One patient's stored record as the plain values of a FHIR export (:class:`backstride.course.PatientRecord`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backstride import course
from backstride.store._caseload import log_pain, log_red_flag
from backstride.store._models import DailyLog
from backstride.store._repo import (
    _require_patient,
    activity_days_of,
    analyses_of,
    json_number,
    plan_history,
    questionnaire_history,
    screenings_of,
    therapy_sessions_of,
)


def patient_record(session: Session, patient_id: int) -> course.PatientRecord:
    """Everything backstride holds of the patient's course, oldest first: screens, scores, the newest analysis of
    each recording, diary days, activity days, the program's versions and the therapy sessions (``InputError`` for no
    patient)."""
    patient = _require_patient(session, patient_id)
    profile = patient.profile
    info = course.PatientInfo(
        id=patient.id,
        name=patient.name,
        sex=profile.sex if profile else None,
        age=profile.age if profile else None,
        height_m=profile.height_m if profile else None,
        closed_at=patient.closed_at,
        closed_reason=patient.closed_reason,
    )
    screenings = tuple(
        course.ScreeningEntry(
            id=s.id,
            when=s.created_at,
            urgency=s.urgency,
            complete=bool(s.result.get("complete", True)),
            findings=tuple(_finding(r) for r in s.result.get("reasons") or () if isinstance(r, Mapping)),
        )
        for s in screenings_of(session, patient_id)
    )
    scores = tuple(
        course.ScoreEntry(
            id=q.id,
            when=q.created_at,
            instrument=q.instrument,
            score=q.score,
            band=_text(q.result.get("band")),
            risk=_text(q.result.get("risk")),
            activities=tuple(
                (str(a.get("name", "")), float(a["score"]))
                for a in q.result.get("activities") or ()
                if isinstance(a, Mapping) and json_number(a.get("score")) is not None
            ),
            entered_in_error=q.entered_in_error_at is not None,
        )
        for q in questionnaire_history(session, patient_id, include_errors=True)
    )
    # the newest analysis of each recording, those marked as entered in error too (flagged, for the FHIR export)
    gait = tuple(
        course.GaitEntry(
            id=a.recording_id,  # one observation per recording: a new analysis updates it
            when=a.recording.uploaded_at,
            source=a.recording.filename,
            summary=dict(a.result.get("summary") or {}),
            duration_s=json_number((a.result.get("recording") or {}).get("duration_s")),
            start_time=_text((a.result.get("recording") or {}).get("start_time")),
            entered_in_error=a.recording.entered_in_error_at is not None,
            warnings=tuple(str(w) for w in (a.result.get("warnings") or ()) if isinstance(w, str)),
        )
        for a in analyses_of(session, patient_id, include_errors=True)
    )
    logs = session.scalars(select(DailyLog).where(DailyLog.patient_id == patient_id).order_by(DailyLog.date))
    diary = tuple(_diary(row.id, row.date, row.log) for row in logs)
    activity = tuple(
        course.ActivityEntry(
            id=d.id,
            date=d.date,
            source=d.source,
            steps=d.steps,
            distance_m=d.distance_m,
            walking_speed_mps=d.walking_speed_mps,
            step_length_m=d.step_length_m,
        )
        for d in activity_days_of(session, patient_id)
    )
    plans = tuple(
        course.PlanEntry(
            id=p.id,
            version=p.version,
            when=p.created_at,
            start_date=_date(p.plan.get("start_date")),
            walks_per_day=_whole(p.plan.get("walks_per_day")),
            minutes_per_walk=json_number(p.plan.get("minutes_per_walk")),
            exercises=tuple(
                (str(e.get("name") or e.get("id") or "exercise"), str(e.get("dose_text") or ""))
                for e in p.plan.get("exercises") or ()
                if isinstance(e, Mapping)
            ),
            advice=tuple(str(x) for x in p.plan.get("cues") or () if isinstance(x, str)),
            reason=p.reason or "",
        )
        for p in plan_history(session, patient_id)
    )
    sessions = tuple(_session(row.id, row.data) for row in therapy_sessions_of(session, patient_id))
    return course.PatientRecord(
        patient=info,
        screenings=screenings,
        scores=scores,
        gait=gait,
        diary=diary,
        activity=activity,
        plans=plans,
        sessions=tuple(x for x in sessions if x is not None),
    )


def _finding(reason: Mapping[str, Any]) -> course.Finding:
    """A stored screen's reason as the record says it: the answers that matched in words ("Sciatica + pain
    duration weeks 10 (6 or more)", not the rule's "sciatica + pain_duration_weeks >= 6 (10.0)"), then why."""
    from backstride.clinic import finding_in_words

    what = finding_in_words(reason["finding"]) if isinstance(reason.get("finding"), str) else None
    why = _text(reason.get("why"))
    return course.Finding(
        rule=str(reason.get("id", "")),
        urgency=str(reason.get("urgency", "")),
        text=": ".join(x for x in (what, why) if x),
    )


def _diary(row_id: int, date: dt.date, log: Mapping[str, Any]) -> course.DiaryEntry:
    walks = [w for w in log.get("walks") or () if isinstance(w, Mapping)]
    minutes = [m for w in walks if (m := json_number(w.get("minutes"))) is not None]
    return course.DiaryEntry(
        id=row_id,
        date=date,
        pain=log_pain(log),
        walk_pain=max(
            (
                p
                for w in walks
                for key in ("pain_during", "pain_after")
                if (p := json_number(w.get(key))) is not None
            ),
            default=None,
        ),
        next_morning_pain=json_number(log.get("next_morning_pain")),
        minutes_walked=sum(minutes) if minutes else None,
        walks=len(walks),
        red_flag=log_red_flag(log),
    )


def _session(row_id: int, data: Mapping[str, Any]) -> course.SessionEntry | None:
    """A stored therapy session (the clinic's ``TherapySession`` JSON), or ``None`` without its date."""
    date = _date(data.get("date"))
    if date is None:
        return None
    return course.SessionEntry(
        id=row_id,
        date=date,
        clinician=str(data.get("clinician") or "clinician"),
        technique=str(data.get("technique") or "therapy session"),
        region=str(data.get("region") or ""),
        dose=_text(data.get("dose")),
        duration_min=json_number(data.get("duration_min")),
        pain_before=json_number(data.get("pain_before")),
        pain_after=json_number(data.get("pain_after")),
        response=_text(data.get("response")),
        notes=str(data.get("notes") or ""),
    )


def _whole(value: Any) -> int | None:
    number = json_number(value)
    return int(number) if number is not None and number.is_integer() else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
