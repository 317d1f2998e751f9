"""A patient's course of care as one self-contained HTML report a doctor can read: warning-sign screens,
questionnaire scores first against latest, measured walking against norms, the diary and the program week by
week, phone or watch activity, therapy sessions, with plots.

Made from a :class:`backstride.course.PatientRecord` (plain values; ``backstride.store.patient_record`` fills
one from the database). What counts as a meaningful change or a sign of back pain is asked of
``backstride.clinic`` (its MCIDs and norms); nothing is judged here. Like the recording report, the file holds
everything it needs (styles, plotly.js, the figures) and prints on paper.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backstride._errors import InputError
from backstride.report._html import _environment, _plotly
from backstride.report._plots import TREND_SPANS, Figure, time_series

if TYPE_CHECKING:
    from backstride.clinic import Change, NormComparison
    from backstride.course import DiaryEntry, GaitEntry, PatientRecord, PlanEntry, ScoreEntry

# the measured-walk columns of the report: (summary field, heading, digits)
_GAIT_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("median_walking_speed_mps", "speed (m/s)", 2),
    ("median_cadence_spm", "cadence (steps/min)", 1),
    ("median_stride_length_m", "stride (m)", 2),
    ("median_trunk_lean_deg", "trunk lean (°)", 1),
    ("median_pelvis_rotation_deg", "pelvis rotation (°)", 1),
)
# the figures "in short" follows from the first measured walk to the latest: (field, label, unit, digits)
_CHANGE_FIELDS: tuple[tuple[str, str, str, int], ...] = (
    ("median_walking_speed_mps", "walking speed", "m/s", 2),
    ("median_cadence_spm", "cadence", "steps/min", 1),
    ("median_stride_length_m", "stride length", "m", 2),
)


@dataclass(frozen=True)
class DiaryWeek:
    """One calendar week (Monday to Sunday) of the walking diary, against the program then in force."""

    monday: dt.date
    days_logged: int
    walks: int
    minutes: float
    planned_minutes: float | None  # the program's walks × minutes over the days it was in force this week
    median_pain: float | None  # the median of the days' highest pain during or after a walk
    highest_pain: float | None
    morning_pain: float | None  # mean next-morning pain
    red_flags: int  # days a warning sign was reported in the diary


@dataclass(frozen=True)
class ActivityWeek:
    """One calendar week of walking a phone or watch counted itself (one source)."""

    monday: dt.date
    source: str
    days: int
    median_steps: float | None
    median_speed_mps: float | None


@dataclass(frozen=True)
class GaitChange:
    """A measured-walk figure, first recording against latest."""

    label: str
    unit: str
    first: float
    latest: float
    digits: int
    first_on: dt.date
    latest_on: dt.date
    walks: int  # how many measured walks have the figure (a walk without a bout of 10 s or more has none)


def course_report(record: PatientRecord, *, generated_at: dt.datetime, plots: bool = True) -> str:
    """The report as HTML text. ``generated_at`` is printed on it (timezone-aware, shown in UTC).

    ``plots=False`` leaves the plots and their script out (the tables keep the numbers): a copy of a few
    tens of kilobytes for a record system, which would not run the script anyway (the FHIR export's).
    """
    from backstride.clinic import INSTRUMENTS

    if generated_at.tzinfo is None:
        raise InputError("the report's generation time needs a time zone")
    errors = sum(s.entered_in_error for s in record.scores) + sum(g.entered_in_error for g in record.gait)
    record = dataclasses.replace(  # what a clinician marked as entered in error is never counted
        record,
        scores=tuple(s for s in record.scores if not s.entered_in_error),
        gait=tuple(g for g in record.gait if not g.entered_in_error),
    )
    scores = _by_instrument(record.scores)
    changes = _score_changes(scores)
    norms, norms_on, norms_note = _norms(record)
    today = generated_at.astimezone().date()  # the clinic's day (the server's zone), as the diary's days are
    weeks = diary_weeks(
        record.diary,
        record.plans,
        until=today,
        paused_from=record.plan_paused_on,
        earlier_pauses=record.earlier_pauses,
    )
    diary_last = max((d.date for d in record.diary), default=None)
    template = _environment().get_template("course.html")
    return template.render(
        record=record,
        p=record.patient,
        errors=errors,
        period=_period(record),
        made=generated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        latest_screen=record.screenings[-1] if record.screenings else None,
        flagged_screens=[s for s in record.screenings if s.urgency != "routine" or not s.complete],
        diary_flags=[d for d in record.diary if d.red_flag],
        scores=scores,
        instrument_names={key: spec.name for key, spec in INSTRUMENTS.items()},
        changes=changes,
        gait_columns=_GAIT_COLUMNS,
        gait_rows=[_gait_row(g) for g in sorted(record.gait, key=_walked)],
        gait_notes=[(g, w) for g in sorted(record.gait, key=_walked) for w in g.warnings],
        gait_changes=_gait_changes(record.gait),
        norms=norms,
        norms_note=norms_note,
        norms_on=norms_on,
        weeks=weeks,
        diary_last=diary_last,
        diary_silent_days=(today - diary_last).days if diary_last is not None else 0,
        activity_weeks=activity_weeks(record),
        figures=_figures(record, weeks) if plots else {},
        plots=plots,
        plotly=_plotly() if plots else "",
    )


# ------------------------------------------------------------------------------------------- questionnaires
def _by_instrument(entries: Iterable[ScoreEntry]) -> dict[str, list[ScoreEntry]]:
    """Every administration (scored or not) by instrument, in the clinic's order of instruments (others
    after), oldest first."""
    from backstride.clinic import INSTRUMENTS

    grouped: dict[str, list[ScoreEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.when):
        grouped.setdefault(entry.instrument, []).append(entry)
    order = list(INSTRUMENTS)
    return dict(sorted(grouped.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))


def _score_changes(scores: dict[str, list[ScoreEntry]]) -> dict[str, Change]:
    """The clinic's verdict on each instrument's first score against its latest (MCID), where both exist."""
    from backstride import clinic

    return clinic.first_to_latest(r for entries in scores.values() for e in entries if (r := _result(e)))


def _result(entry: ScoreEntry) -> Any:
    """The entry as the clinic's ``ScoreResult``, or ``None`` when the clinic cannot read it (shown, not
    judged)."""
    from pydantic import ValidationError

    from backstride import clinic

    try:
        return clinic.ScoreResult.model_validate(
            {
                "instrument": entry.instrument,
                "score": entry.score,
                "band": entry.band,
                "risk": entry.risk,
                "activities": [{"name": n, "score": s} for n, s in entry.activities] or None,
            }
        )
    except ValidationError:
        return None


# ------------------------------------------------------------------------------------------ measured walks
def _walked(entry: GaitEntry) -> tuple[dt.date, dt.datetime]:
    """Walks in the order they were walked: by the sensor's day (the upload's when the file gives no clock),
    then by upload (a logger's file can be uploaded years after it was recorded)."""
    return entry.day, entry.when


def _norms(record: PatientRecord) -> tuple[NormComparison | None, GaitEntry | None, str | None]:
    """The latest measured walk with a speed against healthy adults of the patient's age and sex, and that
    walk (not always the latest walk: one without a bout of 10 s or more has no speed), or why not."""
    from backstride import clinic

    measured = [g for g in record.gait if g.summary.get("median_walking_speed_mps") is not None]
    if not measured:
        return None, None, None
    p = record.patient
    if p.age is None or p.sex not in ("female", "male"):
        return None, None, "Not compared with norms: the patient's age and sex are not in the record."
    latest = max(measured, key=_walked)
    try:
        return clinic.compare_with_norms(latest.summary, age=p.age, sex=p.sex), latest, None
    except InputError as exc:
        return None, None, f"Not compared with norms: {exc}."


def _gait_row(entry: GaitEntry) -> dict[str, Any]:
    """One measured walk's table row: numbers only (anything else in a stored summary shows as a dash)."""
    walking_s = _number(entry.summary.get("total_walking_s"))
    steps = _number(entry.summary.get("n_steps"))
    return {
        "when": entry.day,
        "uploaded": entry.recorded_on is None,
        "source": entry.source,
        "walking_min": None if walking_s is None else walking_s / 60,
        "steps": steps,
        "cells": [(_number(entry.summary.get(field)), digits) for field, _, digits in _GAIT_COLUMNS],
    }


def _gait_changes(gait: Sequence[GaitEntry]) -> list[GaitChange]:
    """Each figure of the first measured walk that has it against the latest that has it (two walks or more)."""
    changes = []
    for field, label, unit, digits in _CHANGE_FIELDS:
        have = [
            (g.day, v) for g in sorted(gait, key=_walked) if (v := _number(g.summary.get(field))) is not None
        ]
        if len(have) >= 2:
            (first_on, first), (latest_on, latest) = have[0], have[-1]
            changes.append(GaitChange(label, unit, first, latest, digits, first_on, latest_on, len(have)))
    return changes


# ------------------------------------------------------------------------------------------------- diary
def _day(when: dt.datetime) -> dt.date:
    """A stored moment's day where the clinic is (the server's zone), as the diary's days and the summary's own
    day are: its UTC date is the day before or after near midnight (the template's ``day`` filter)."""
    return when.astimezone().date()


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _plan_on(plans: Sequence[PlanEntry], day: dt.date) -> PlanEntry | None:
    """The program version in force on ``day``: the newest whose start (or making) is not after it."""
    current = None
    for plan in sorted(plans, key=lambda p: p.version):
        start = plan.start_date or _day(plan.when)
        if start <= day:
            current = plan
    return current


def diary_weeks(
    diary: Sequence[DiaryEntry],
    plans: Sequence[PlanEntry] = (),
    *,
    until: dt.date | None = None,
    paused_from: dt.date | None = None,
    earlier_pauses: Sequence[tuple[dt.date, dt.date]] = (),
) -> list[DiaryWeek]:
    """The diary week by week, oldest first, from the first logged week to the last. A week in between with
    no logged day is kept (``days_logged`` 0, set against the program), so a doctor sees the gap; a week of
    illness or a flare often shows as one. The planned minutes count the days up to ``until`` (the report's
    day), so a week under way is not set against all of it, and not the days from ``paused_from`` on (the
    current program paused for a warning sign: no walking is asked for then), nor those of ``earlier_pauses``
    (each from its first day to the day the next program started, that day not included)."""
    by_week: dict[dt.date, list[DiaryEntry]] = {}
    for entry in diary:
        by_week.setdefault(_monday(entry.date), []).append(entry)
    if not by_week:
        return []
    first, last = min(by_week), max(by_week)
    mondays = [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    weeks = []
    for monday in mondays:
        entries = by_week.get(monday, [])
        pains = [e.walk_pain for e in entries if e.walk_pain is not None]
        mornings = [e.next_morning_pain for e in entries if e.next_morning_pain is not None]
        planned = [
            plan.walks_per_day * plan.minutes_per_walk
            for day in (monday + dt.timedelta(days=i) for i in range(7))
            if (until is None or day <= until)
            and (paused_from is None or day < paused_from)
            and not any(start <= day < end for start, end in earlier_pauses)
            and (plan := _plan_on(plans, day)) is not None
            and plan.walks_per_day is not None
            and plan.minutes_per_walk is not None
        ]
        weeks.append(
            DiaryWeek(
                monday=monday,
                days_logged=len(entries),
                walks=sum(e.walks for e in entries),
                minutes=sum(e.minutes_walked or 0.0 for e in entries),
                planned_minutes=sum(planned) if planned else None,
                median_pain=statistics.median(pains) if pains else None,
                highest_pain=max(pains) if pains else None,
                morning_pain=statistics.fmean(mornings) if mornings else None,
                red_flags=sum(e.red_flag for e in entries),
            )
        )
    return weeks


def activity_weeks(record: PatientRecord) -> list[ActivityWeek]:
    """Imported phone or watch days, week by week and source by source, oldest first."""
    grouped: dict[tuple[dt.date, str], list[Any]] = {}
    for day in sorted(record.activity, key=lambda d: (d.date, d.source)):
        grouped.setdefault((_monday(day.date), day.source), []).append(day)
    out = []
    for (monday, source), days in grouped.items():
        steps = [d.steps for d in days if d.steps is not None]
        speeds = [d.walking_speed_mps for d in days if d.walking_speed_mps is not None]
        out.append(
            ActivityWeek(
                monday=monday,
                source=source,
                days=len(days),
                median_steps=statistics.median(steps) if steps else None,
                median_speed_mps=statistics.median(speeds) if speeds else None,
            )
        )
    return out


# ------------------------------------------------------------------------------------------------- plots
def _figures(record: PatientRecord, weeks: Sequence[DiaryWeek]) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    diary = sorted(record.diary, key=lambda d: d.date)
    nprs = [s for s in record.scores if s.instrument == "nprs" and s.score is not None]
    pain_series: list[tuple[str, Sequence[dt.date | dt.datetime], Sequence[float | None]]] = []
    if any(d.walk_pain is not None for d in diary):
        pain_series.append(
            (
                "highest pain during or after walks (diary)",
                [d.date for d in diary],
                [d.walk_pain for d in diary],
            )
        )
    if any(d.next_morning_pain is not None for d in diary):
        pain_series.append(
            ("pain the next morning (diary)", [d.date for d in diary], [d.next_morning_pain for d in diary])
        )
    if nprs:
        pain_series.append(("pain rating (NPRS)", [s.when for s in nprs], [s.score for s in nprs]))
    if pain_series:
        figures["plot-pain"] = time_series(
            "Pain (0 = none, 10 = worst)", "pain 0-10", pain_series, y_range=(0, 10)
        )
    disability = [
        (label, [s.when for s in rows], [s.score for s in rows])
        for instrument, label in (("odi", "Oswestry (%)"), ("rmdq", "Roland-Morris (0-24)"))
        if (rows := [s for s in record.scores if s.instrument == instrument and s.score is not None])
    ]
    if disability:
        figures["plot-disability"] = time_series(
            "Disability questionnaires (lower is better)", "score", disability
        )
    if weeks:
        series: list[tuple[str, Sequence[dt.date | dt.datetime], Sequence[float | None]]] = [
            # a week with nothing logged is a gap in the bars, not a week of no walking
            ("walked", [w.monday for w in weeks], [w.minutes if w.days_logged else None for w in weeks])
        ]
        if any(w.planned_minutes is not None for w in weeks):
            series.append(("planned", [w.monday for w in weeks], [w.planned_minutes for w in weeks]))
        figures["plot-weekly-minutes"] = time_series(
            "Minutes walked each week (diary), against the program", "minutes", series, kind="bar"
        )
    gait = sorted(record.gait, key=_walked)  # by the day walked, as the table of measured walks
    speeds = [_number(g.summary.get("median_walking_speed_mps")) for g in gait]
    if sum(v is not None for v in speeds) >= 2:  # one walk is a row of the table, not a line
        figures["plot-speed"] = time_series(
            "Walking speed in the measured walks",
            "metres per second",
            [("speed", [g.day for g in gait], speeds)],
            min_y_span=TREND_SPANS["speed"],
        )
        figures["plot-cadence"] = time_series(
            "Cadence in the measured walks",
            "steps per minute",
            [
                (
                    "cadence",
                    [g.day for g in gait],
                    [_number(g.summary.get("median_cadence_spm")) for g in gait],
                )
            ],
            min_y_span=TREND_SPANS["cadence"],
        )
    return figures


# ------------------------------------------------------------------------------------------------ helpers
def _period(record: PatientRecord) -> tuple[dt.date, dt.date] | None:
    days = [
        *(_day(s.when) for s in record.screenings),
        *(_day(s.when) for s in record.scores),
        *(g.day for g in record.gait),
        *(d.date for d in record.diary),
        *(a.date for a in record.activity),
        *(_day(p.when) for p in record.plans),
        *(s.date for s in record.sessions),
    ]
    return (min(days), max(days)) if days else None


def _number(value: Any) -> float | None:
    """A finite number from a summary mapping, else ``None`` (a bool is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value) if abs(value) != float("inf") else None
