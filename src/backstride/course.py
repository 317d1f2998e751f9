"""A patient's course of care as plain values: who they are, their screens, scores, measured walks, diary,
imported activity, program versions and therapy sessions.

``backstride.store.patient_record`` fills a :class:`PatientRecord` from the clinic's database; the FHIR export
(``backstride.fhir``) and the progress report for a doctor (``backstride.report.course_report``) read it.
Neither side knows the other, and neither touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class PatientInfo:
    """Who the record is about (``id``: backstride's number for the patient in this clinic's database)."""

    id: int
    name: str
    sex: str | None = None
    age: float | None = None  # years, as the clinic recorded it (the report compares walking with norms)
    height_m: float | None = None
    #: When the patient's account was closed (their care in backstride ended) and why; None while it is open.
    closed_at: dt.datetime | None = None
    closed_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class Finding:
    """A warning sign a screen found: ``text`` says what was found and why it matters."""

    rule: str
    urgency: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ScreeningEntry:
    """One warning-sign screen."""

    id: int
    when: dt.datetime
    urgency: str
    complete: bool = True
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ScoreEntry:
    """One scored questionnaire (``instrument``: nprs, odi, rmdq, startback or psfs)."""

    id: int
    when: dt.datetime
    instrument: str
    score: float | None
    band: str | None = None
    risk: str | None = None
    activities: tuple[tuple[str, float], ...] = ()  # PSFS: (activity, 0-10)
    entered_in_error: bool = False  # a clinician marked it as a mistake: kept, never counted


@dataclass(frozen=True, kw_only=True)
class GaitEntry:
    """One analysed recording: ``summary`` is its newest analysis's summary (the ``--json`` output's fields);
    ``id`` is the recording's number, so analysing it again updates the same observation."""

    id: int
    when: dt.datetime  # when the recording came into the record
    source: str
    summary: Mapping[str, Any] = field(default_factory=dict)
    duration_s: float | None = None
    start_time: str | None = None  # the sensor's own start time, as its file gives it
    entered_in_error: bool = False  # a clinician marked the recording as a mistake: kept, never counted
    warnings: tuple[str, ...] = ()  # what its analysis warned of (a tilted sensor, one worn on a limb, ...)

    @property
    def recorded_on(self) -> dt.date | None:
        """The day the walk was recorded, by the sensor's own clock; ``None`` when the file gives no clock."""
        if not self.start_time:
            return None
        try:
            return dt.datetime.fromisoformat(self.start_time).date()
        except ValueError:
            return None

    @property
    def day(self) -> dt.date:
        """The day the walk was recorded, or, when the file does not say, the day it was uploaded."""
        return self.recorded_on or self.when.astimezone().date()  # the upload's day where the clinic is


@dataclass(frozen=True, kw_only=True)
class DiaryEntry:
    """One day of the patient's walking diary."""

    id: int
    date: dt.date
    pain: float | None = (
        None  # the day's highest pain rating: before, during or after a walk, next morning, today
    )
    walk_pain: float | None = None  # the highest pain during or after a walk that day, as the app plots it
    next_morning_pain: float | None = None
    minutes_walked: float | None = None
    walks: int = 0
    red_flag: bool = False


@dataclass(frozen=True, kw_only=True)
class ActivityEntry:
    """One day of walking from a phone's or watch's own health data."""

    id: int
    date: dt.date
    source: str
    steps: int | None = None
    distance_m: float | None = None
    walking_speed_mps: float | None = None
    step_length_m: float | None = None


@dataclass(frozen=True, kw_only=True)
class PlanEntry:
    """One version of the walking and exercise program (``exercises``: (name, dose as text))."""

    id: int
    version: int
    when: dt.datetime
    start_date: dt.date | None = None
    walks_per_day: int | None = None
    minutes_per_walk: float | None = None
    exercises: tuple[tuple[str, str], ...] = ()
    advice: tuple[str, ...] = ()  # the program's cues for walking (pace, pain, shoes)
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class SessionEntry:
    """One hands-on therapy session, as the clinician recorded it (pain 0-10 before and after;
    ``response``: better, same or worse)."""

    id: int
    date: dt.date
    clinician: str
    technique: str
    region: str
    dose: str | None = None
    duration_min: float | None = None
    pain_before: float | None = None
    pain_after: float | None = None
    response: str | None = None
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class PatientRecord:
    """Everything backstride holds of one patient's course, oldest first in each list."""

    patient: PatientInfo
    screenings: tuple[ScreeningEntry, ...] = ()
    scores: tuple[ScoreEntry, ...] = ()
    gait: tuple[GaitEntry, ...] = ()
    diary: tuple[DiaryEntry, ...] = ()
    activity: tuple[ActivityEntry, ...] = ()
    plans: tuple[PlanEntry, ...] = ()
    sessions: tuple[SessionEntry, ...] = ()
    plan_paused: str | None = None
    """Why the current program is paused (a warning sign, until a clinician resumes it), in words for a
    clinician or a doctor; None while it runs. The store keeps no pause: the clinic app works it out
    (``backstride._plans.patient_record``)."""
    plan_paused_on: dt.date | None = None
    """The day the current program was paused (the first warning sign or emergency check-in of its week), when
    :attr:`plan_paused` says it is and the day is known: the diary's planned minutes stop there."""
    earlier_pauses: tuple[tuple[dt.date, dt.date], ...] = ()
    """The earlier programs' pauses, oldest first: each from its first day (a warning sign logged, or a check-in
    that asked for emergency care) to the day the next program started (a clinician resumed it or changed it),
    that day not included. No walking was asked for then: the diary's planned minutes leave those days out."""
