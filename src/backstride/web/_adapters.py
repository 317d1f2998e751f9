"""Small adapters between the web pages and the other parts (io, gait, clinic, store).

They only reshape data for templates and call the owning part for every rule; no clinical thresholds here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backstride._errors import InputError
from backstride.gait import GaitResult

if TYPE_CHECKING:
    from backstride.activity import DaySummary
    from backstride.recording import Recording
    from backstride.report import DailySeries
    from backstride.store import ActivityDay


# ------------------------------------------------------------------------------------------ recordings
def read_recording(path: Path) -> tuple[Recording, str]:
    """Read an uploaded file with :func:`backstride.io.read`; return it and the name of the reader used."""
    from backstride import io

    recording = io.read(path)
    meta = recording.metadata
    fmt = meta.get("format") or meta.get("source_format") or meta.get("reader") or path.suffix.lstrip(".")
    return recording, str(fmt)


def analyze_recording(
    recording: Recording,
    *,
    height_m: float | None,
    sensor_height_m: float | None,
    age: float | None,
    sex: str | None,
) -> dict[str, Any]:
    """Run the gait engine on a recording with what is known of the patient; the result as JSON."""
    from backstride import gait

    result = gait.analyze(recording, height_m=height_m, sensor_height_m=sensor_height_m, age=age, sex=sex)
    return result.to_dict()


def gait_result(data: dict[str, Any]) -> GaitResult:
    return GaitResult.from_dict(data)


@dataclass(frozen=True)
class NormRow:
    label: str
    value: str
    reference: str
    comment: str


@dataclass(frozen=True)
class NormView:
    rows: list[NormRow] = field(default_factory=list)
    signs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    digits = 0 if unit.startswith("steps") else (1 if unit.startswith("deg") else 2)
    return f"{value:.{digits}f} {unit}"


def norms_comparison(gait: GaitResult, *, age: float | None, sex: str | None) -> NormView:
    """The clinic's comparison with norms, ready for a table (or why it cannot be made)."""
    from backstride import clinic

    if age is None or sex is None:
        return NormView(
            notes=[
                "A comparison with people of the same age and sex needs the patient's age and sex in their profile."
            ]
        )
    try:
        comparison = clinic.compare_with_norms(gait, age=age, sex=sex)
    except InputError as exc:
        return NormView(notes=[f"No comparison with norms for this walk: {exc}."])
    rows = [
        NormRow(
            label=m.label,
            value=_number(m.value, m.unit),
            reference=_number(m.norm, m.unit),
            comment=m.line,
        )
        for m in comparison.measures
    ]
    return NormView(rows=rows, signs=list(comparison.back_pain_signs), notes=list(comparison.notes))


SIGNAL_TOO_LARGE = "The trunk's signal is not drawn for a recording this large; the other plots are."
SIGNAL_MISSING = "The trunk's signal is not drawn: the recording's stored file could not be read."


def recording_report_html(
    gait: GaitResult,
    recording_path: Path | None,
    *,
    age: float | None,
    sex: str | None,
    no_signal: str = SIGNAL_TOO_LARGE,
) -> str:
    """The recording's self-contained report (as ``backstride analyze --html`` writes it), with the signal
    of its longest bouts read from ``recording_path`` (``None``: not read, for the reason ``no_signal``)."""
    from backstride import clinic, io, report
    from backstride.gait import vertical_traces

    traces: list[Any] = []
    signal_note = None
    spans = report.trace_spans(gait)
    if recording_path is None:
        signal_note = no_signal
    elif spans:
        try:
            traces = vertical_traces(io.iter_chunks(recording_path), spans)
        except InputError as exc:  # read when it was uploaded; a reader changed since then
            signal_note = f"The trunk's signal could not be read again: {exc}."
    comparison = None
    note = None
    if age is None or sex is None:
        note = "A comparison with norms needs the patient's age and sex in their profile."
    else:
        try:
            comparison = clinic.compare_with_norms(gait, age=age, sex=sex)
        except InputError as exc:
            note = f"No comparison with norms for this recording: {exc}."
    return report.recording_report(
        gait, traces=traces, norms=comparison, norms_note=note, signal_note=signal_note
    )


STREAM_CHECK_S = 600.0  # what of a streamed upload is read before it is accepted


def check_stream(path: Path) -> str:
    """Check the start of a file that will be analysed as a stream; the reader's name.

    Detection, units and the sampling rate are judged on the first ``STREAM_CHECK_S`` seconds, so the
    usual mistakes (not a recording, wrong units, too slow) are refused before the upload is accepted.
    """
    from backstride import io

    chunks = io.iter_chunks(path, chunk_s=STREAM_CHECK_S, start_only=True)
    try:
        first = next(chunks, None)
    finally:
        chunks.close()  # type: ignore[attr-defined]
    if first is None:
        raise InputError(f"{path.name} holds no samples")
    return str(first.metadata["format"])  # every reader names itself


def analyze_stream_with_progress(
    path: Path, subject: dict[str, Any], progress: Any | None = None
) -> dict[str, Any]:
    """Analyse a file chunk by chunk (bounded memory), reporting the seconds of recording processed."""
    from backstride import gait, io

    return gait.analyze_stream(io.iter_chunks(path), progress=progress, **subject).to_dict()


def analyze_with_progress(
    recording: Recording, subject: dict[str, Any], progress: Any | None = None
) -> dict[str, Any]:
    """Like :func:`analyze_recording`, reporting the seconds of recording processed to ``progress``."""
    from backstride import gait

    return gait.analyze(recording, progress=progress, **subject).to_dict()


# ------------------------------------------------------------------------------------------------ plans
PLAN_REVIEW_DAYS = 7  # a plan is one week of the program (clinic.Plan: "One week of the walking program")


def load_plan(data: dict[str, Any]) -> Any:
    from backstride.clinic import Plan

    return Plan.model_validate(data)


def load_log(data: dict[str, Any]) -> Any:
    """A stored log as the clinic's ``DailyLog`` (keys the store adds for its caseload are dropped)."""
    from backstride.clinic import DailyLog

    return DailyLog.model_validate({k: v for k, v in data.items() if k in DailyLog.model_fields})


def log_json(log: Any) -> dict[str, Any]:
    """A clinic ``DailyLog`` as stored: its JSON plus the keys the store's caseload reads (see
    ``docs/store.md``): ``pain`` (the highest pain rating of the day) and ``red_flag``."""
    data: dict[str, Any] = log.model_dump(mode="json")
    ratings = [v for w in log.walks for v in (w.pain_before, w.pain_during, w.pain_after)]
    if log.next_morning_pain is not None:
        ratings.append(log.next_morning_pain)
    if ratings:
        data["pain"] = max(ratings)
    data["red_flag"] = any(log.red_flags.values())
    return data


@dataclass
class BaselineFound:
    """What is known for a first plan, and what is still missing (in words for the patient)."""

    baseline: Any | None
    missing: list[str]


def baseline_for(db: Any, patient: Any, today: Any) -> BaselineFound:
    """Gather the clinic's :class:`~backstride.clinic.Baseline` from the patient's profile, latest
    screening, questionnaires and latest walk."""
    from pydantic import ValidationError

    from backstride import clinic, store

    missing: list[str] = []
    screening = store.latest_screening(db, patient.id)
    answers: dict[str, Any] = dict(screening.answers) if screening is not None else {}
    latest = store.latest_questionnaires(db, patient.id)
    profile = patient.profile
    age = answers.get("age") if answers.get("age") is not None else (profile.age if profile else None)
    sex = answers.get("sex") or (profile.sex if profile else None)
    pain = latest["nprs"].score if "nprs" in latest else answers.get("pain_nrs")
    tolerance = answers.get("walking_tolerance_min")
    if screening is None:
        missing.append("the check-in")
    if age is None:
        missing.append("your age (in the check-in)")
    if sex is None:
        missing.append("your sex (in the check-in)")
    if pain is None:
        missing.append("your pain today (the pain questionnaire)")
    if tolerance is None:
        missing.append("how many minutes you can walk before the pain rises (in the check-in)")
    if missing or age is None or pain is None or tolerance is None:
        return BaselineFound(None, missing)
    odi = latest["odi"].score if "odi" in latest else None
    startback = latest["startback"].result.get("risk") if "startback" in latest else None
    analyses = store.analyses_of(db, patient.id)
    gait = None
    if analyses:
        summary = analyses[-1].result.get("summary", {})
        gait = {k: v for k, v in summary.items() if k.startswith("median_")}
    try:
        baseline = clinic.Baseline(
            age=int(age),
            sex=sex,
            pain_nrs=float(pain),
            walking_tolerance_min=float(tolerance),
            odi=odi,
            startback=startback,
            gait=gait,
            start_date=today,
        )
    except ValidationError as exc:
        return BaselineFound(None, [f"usable answers ({exc.errors()[0]['msg']})"])
    return BaselineFound(baseline, [])


def current_plan(
    db: Any, patient: Any, today: Any, *, save: bool = False
) -> tuple[Any | None, Any | None, Any | None]:
    """``(plan row, clinic Plan, last Review)``: the current plan, brought up to date.

    Every full week that has passed since the current plan started is reviewed with
    :func:`backstride.clinic.review_week`. With ``save`` (in a writing transaction) each next plan is
    saved as a new version with the review's reasons, under a lock on the patient's row so two requests
    never review the same week twice; without it the same reviews are worked out in memory (for
    read-only pages). A review that stops the plan is returned and the plan is not advanced.
    """
    import datetime as dt

    from backstride import clinic, store

    if save:
        store.lock_patient(db, patient.id)
    row = store.current_plan(db, patient.id)
    if row is None:
        return None, None, None
    plan = load_plan(row.plan)
    review = None
    while today >= plan.start_date + dt.timedelta(days=PLAN_REVIEW_DAYS):
        week_end = plan.start_date + dt.timedelta(days=PLAN_REVIEW_DAYS - 1)
        logs = [load_log(r.log) for r in store.logs_between(db, patient.id, plan.start_date, week_end)]
        review = clinic.review_week(plan, logs)
        if review.new_plan is None:
            break
        if save:
            reason = f"Weekly review ({review.decision.replace('_', ' ')}): " + " ".join(review.reasons)
            row = store.save_plan(db, patient.id, review.new_plan.model_dump(mode="json"), reason, None)
        plan = review.new_plan
    return row, plan, review


def plan_work_due(db: Any, patient: Any, today: Any, *, create: bool) -> bool:
    """Does the plan need writing: a week to review, or (with ``create``) a first plan that can be made?"""
    import datetime as dt

    from backstride import store

    row = store.current_plan(db, patient.id)
    if row is None:
        return create and baseline_for(db, patient, today).baseline is not None
    plan = load_plan(row.plan)
    return bool(today >= plan.start_date + dt.timedelta(days=PLAN_REVIEW_DAYS))


def first_plan(db: Any, patient: Any, today: Any, created_by: int | None) -> tuple[Any | None, list[str]]:
    """Make and save the first plan from the baseline; ``(row, [])`` or ``(None, what is missing)``."""
    from backstride import clinic, store

    if store.current_plan(db, patient.id) is not None:  # made meanwhile by another request
        return store.current_plan(db, patient.id), []
    found = baseline_for(db, patient, today)
    if found.baseline is None:
        return None, found.missing
    plan = clinic.make_plan(found.baseline)
    row = store.save_plan(
        db,
        patient.id,
        plan.model_dump(mode="json"),
        "First plan, from the check-in, questionnaires and walk.",
        created_by,
    )
    return row, []


def adjust_plan(
    db: Any,
    patient_id: int,
    clinician_id: int,
    *,
    reason: str,
    walks_per_day: float | None,
    minutes_per_walk: float | None,
) -> Any:
    """Save a clinician's change to the walking dose as a new plan version, with its reason.

    The new plan must still be a valid clinic :class:`~backstride.clinic.Plan` (its own bounds apply).
    """
    from pydantic import ValidationError

    from backstride import store

    row = store.current_plan(db, patient_id)
    if row is None:
        raise InputError("This patient has no plan yet; it is made after the check-in and questionnaires.")
    plan = load_plan(row.plan)
    walks = int(walks_per_day) if walks_per_day is not None else plan.walks_per_day
    minutes = int(minutes_per_walk) if minutes_per_walk is not None else plan.minutes_per_walk
    data = plan.model_dump(mode="json")
    data.update(
        version=plan.version + 1,
        walks_per_day=walks,
        minutes_per_walk=minutes,
        daily_minutes=walks * minutes,
        reasons=[f"Changed by your therapist: {reason}"],
    )
    try:
        new = load_plan(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ())) or "plan"
        raise InputError(f"That plan is not possible ({where}: {err['msg']}).") from None
    return store.save_plan(db, patient_id, new.model_dump(mode="json"), reason, clinician_id)


def add_therapy_session(db: Any, patient_id: int, clinician: Any, fields: dict[str, Any]) -> Any:
    """Check a therapy session with the clinic's model and store it."""
    from pydantic import ValidationError

    from backstride import clinic, store

    try:
        session = clinic.TherapySession(clinician=clinician.name, **fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ())) or "session"
        raise InputError(f"The session could not be saved ({where}: {err['msg']}).") from None
    return store.add_therapy_session(db, patient_id, clinician.id, session)


# ------------------------------------------------------------------------------------------------- views
@dataclass(frozen=True)
class Step:
    label: str
    href: str
    done: bool
    detail: str = ""


def questionnaire_changes(db: Any, patient_id: int) -> list[Any]:
    """For each questionnaire answered twice or more: the clinic's verdict, first answer against latest."""
    from backstride import clinic, store

    by_instrument: dict[str, list[Any]] = {}
    for row in store.questionnaire_history(db, patient_id):
        by_instrument.setdefault(row.instrument, []).append(row)
    changes = []
    for instrument, rows in sorted(by_instrument.items()):
        if len(rows) < 2:
            continue
        try:
            before = clinic.ScoreResult.model_validate(rows[0].result)
            after = clinic.ScoreResult.model_validate(rows[-1].result)
            changes.append(clinic.compare(instrument, before, after))
        except (InputError, ValueError):
            continue
    return changes


def today_view(db: Any, patient: Any, today: Any) -> dict[str, Any]:
    """The patient's start page: the day's steps and today's plan."""
    from backstride import store

    screening = store.latest_screening(db, patient.id)
    latest_q = store.latest_questionnaires(db, patient.id)
    recordings = store.recordings_of(db, patient.id)
    _row, plan, review = current_plan(db, patient, today)
    log = store.get_log(db, patient.id, today)
    base = f"/patients/{patient.id}"
    checked_in_today = screening is not None and screening.created_at.date() == today
    steps = [
        Step("Check-in", f"{base}/checkin", checked_in_today, "a few questions about warning signs"),
        Step(
            "Questionnaires",
            f"{base}/questionnaires",
            "nprs" in latest_q and latest_q["nprs"].created_at.date() == today,
            "how your back affects your days",
        ),
        Step("Measure a walk", f"{base}/recordings/new", bool(recordings), "a few minutes with your phone"),
        Step("Your plan", f"{base}/plan", plan is not None, "today's walks and exercises"),
        Step("Daily log", f"{base}/log", log is not None, "under a minute"),
    ]
    return {"steps": steps, "plan": plan, "review": review, "screening": screening}


def _plan_on(history: list[Any], day: Any) -> Any | None:
    chosen = None
    for version in history:
        plan = load_plan(version.plan)
        if plan.start_date <= day:
            chosen = plan
    return chosen


def progress_view(db: Any, patient: Any, today: Any, days: int = 42) -> dict[str, Any]:
    """Figures and tables for the progress page."""
    import datetime as dt

    from backstride import report, store

    start = today - dt.timedelta(days=days - 1)
    logs = [(r.date, load_log(r.log)) for r in store.logs_between(db, patient.id, start, today)]
    history = store.plan_history(db, patient.id)
    dates = [d for d, _ in logs]
    highest = [
        max([v for w in log.walks for v in (w.pain_during, w.pain_after)], default=None) for _, log in logs
    ]
    morning = [log.next_morning_pain for _, log in logs]
    nprs = store.questionnaire_history(db, patient.id, "nprs")
    figures: dict[str, Any] = {}
    if logs or nprs:
        series = [
            ("highest pain during or after walks", dates, highest),
            ("pain on waking the next morning", dates, morning),
        ]
        if nprs:
            series.append(
                ("pain questionnaire (0-10)", [r.created_at for r in nprs], [r.score for r in nprs])
            )
        figures["plot-pain"] = report.time_series(
            "Pain (0 = none, 10 = worst)", "pain 0-10", series, y_range=(0, 10)
        )
    if logs:
        walked = [sum(w.minutes for w in log.walks) for _, log in logs]
        first = min([dates[0], *[load_plan(v.plan).start_date for v in history[:1]]])
        first = max(first, start)
        planned_days = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
        planned = [p.daily_minutes if (p := _plan_on(history, d)) is not None else None for d in planned_days]
        figures["plot-minutes"] = report.time_series(
            "Minutes walked each day, against the plan",
            "minutes",
            [("walked", dates, walked), ("planned", planned_days, planned)],
            kind="bar",
        )
    analyses = store.analyses_of(db, patient.id)
    gait_rows = []
    for a in analyses:
        summary = a.result.get("summary", {})
        gait_rows.append((a.recording.uploaded_at, summary))
    if gait_rows:
        when = [w for w, _ in gait_rows]
        figures["plot-gait-speed"] = report.time_series(
            "Walking speed in your measured walks",
            "metres per second",
            [("walking speed", when, [s.get("median_walking_speed_mps") for _, s in gait_rows])],
        )
        figures["plot-gait-cadence"] = report.time_series(
            "Cadence in your measured walks",
            "steps per minute",
            [("cadence", when, [s.get("median_cadence_spm") for _, s in gait_rows])],
        )
        pelvis = [s.get("median_pelvis_rotation_deg") for _, s in gait_rows]
        if any(v is not None for v in pelvis):  # recordings with a gyroscope
            figures["plot-gait-pelvis"] = report.time_series(
                "How far your pelvis turns in each stride (a stiff, guarded walk turns it less)",
                "degrees",
                [
                    ("rotation", when, pelvis),
                    ("side to side", when, [s.get("median_pelvis_obliquity_deg") for _, s in gait_rows]),
                ],
            )
        left = [s.get("median_step_length_left_m") for _, s in gait_rows]
        right = [s.get("median_step_length_right_m") for _, s in gait_rows]
        if any(v is not None for v in (*left, *right)):  # a height known and the feet told apart
            figures["plot-gait-steps"] = report.time_series(
                "Your steps onto the left and onto the right foot (an uneven walk shows as two lines apart)",
                "metres",
                [("left", when, left), ("right", when, right)],
            )
    return {
        "figures": figures,
        "changes": questionnaire_changes(db, patient.id),
        "logs": list(reversed(logs)),
        **activity_view(db, patient),
    }


# --------------------------------------------------------------------- a phone's or watch's own figures
#: how each kind of source is named on the pages
ACTIVITY_SOURCES = {"apple_health": "Apple Health", "fit": "Garmin watch"}
#: the table shows the latest days with figures, this many of them
ACTIVITY_TABLE_DAYS = 14
#: the plots reach this many days back from each source's newest day (a display window, not a rule)
ACTIVITY_PLOT_DAYS = 730


@dataclass(frozen=True)
class ActivitySource:
    """What is kept from one kind of source: the file last uploaded, when, and the days it covers."""

    label: str
    file: str
    imported_at: dt.datetime
    days: int
    first: dt.date
    last: dt.date


def activity_label(source_format: str) -> str:
    """The plain name of a kind of source (``apple_health`` → Apple Health)."""
    return ACTIVITY_SOURCES.get(source_format, source_format)


def activity_view(db: Any, patient: Any) -> dict[str, Any]:
    """The plots, the table of the latest days and the sources of the walking figures a phone or watch
    computed (``activity_days``), for the progress page."""
    from backstride import report, store

    rows = store.activity_days_of(db, patient.id)
    if not rows:
        return {"activity_figures": {}, "activity_rows": [], "activity_sources": []}
    by_format = {
        fmt: [r for r in rows if r.source_format == fmt] for fmt in sorted({r.source_format for r in rows})
    }
    days_by_format = {fmt: _one_per_day(fmt_rows) for fmt, fmt_rows in by_format.items()}
    series = [
        _daily_series(fmt, _last_days(days, ACTIVITY_PLOT_DAYS)) for fmt, days in days_by_format.items()
    ]
    latest_dates = sorted({r.date for r in rows}, reverse=True)[:ACTIVITY_TABLE_DAYS]
    table = sorted(
        ((fmt, d) for fmt, days in days_by_format.items() for d in days if d.date >= latest_dates[-1]),
        key=lambda item: (-item[1].date.toordinal(), item[0]),
    )
    return {
        "activity_figures": report.activity_figures(series),
        "activity_rows": [(activity_label(fmt), day) for fmt, day in table],
        "activity_sources": [_activity_source(fmt, fmt_rows) for fmt, fmt_rows in by_format.items()],
    }


def _one_per_day(rows: list[ActivityDay]) -> list[DaySummary]:
    """The kept days of one kind of source, one per date (several walk files of a day combined by the
    activity package's rule), oldest first."""
    from backstride.activity import DaySummary, combine_days

    by_date: dict[dt.date, list[DaySummary]] = {}
    for r in rows:
        by_date.setdefault(r.date, []).append(
            DaySummary(
                date=r.date,
                steps=r.steps,
                distance_m=r.distance_m,
                walking_speed_mps=r.walking_speed_mps,
                step_length_m=r.step_length_m,
                walking_asymmetry_pct=r.walking_asymmetry_pct,
                double_support_pct=r.double_support_pct,
                walks=r.walks,
            )
        )
    return [days[0] if len(days) == 1 else combine_days(days) for _, days in sorted(by_date.items())]


def _last_days(rows: list[DaySummary], days: int) -> list[DaySummary]:
    """The rows of the ``days`` days up to the newest one (each source keeps its own latest stretch, so an
    old watch file still shows beside a recent phone export)."""
    newest = max(r.date for r in rows)
    return [r for r in rows if r.date > newest - dt.timedelta(days=days)]


def _daily_series(source_format: str, rows: list[DaySummary]) -> DailySeries:
    from backstride.report import DailySeries

    return DailySeries(
        label=activity_label(source_format),
        dates=[r.date for r in rows],
        steps=[r.steps for r in rows],
        speed_mps=[r.walking_speed_mps for r in rows],
        asymmetry_pct=[r.walking_asymmetry_pct for r in rows],
        double_support_pct=[r.double_support_pct for r in rows],
    )


def _activity_source(source_format: str, rows: list[ActivityDay]) -> ActivitySource:
    latest = max(rows, key=lambda r: (r.imported_at, r.id))
    return ActivitySource(
        label=activity_label(source_format),
        file=latest.source,
        imported_at=latest.imported_at,
        days=len(rows),
        first=min(r.date for r in rows),
        last=max(r.date for r in rows),
    )


def clinician_view(db: Any, patient: Any, today: Any) -> dict[str, Any]:
    """Everything about one patient for their clinician."""
    from backstride import store

    row, plan, review = current_plan(db, patient, today)
    progress = progress_view(db, patient, today)
    return {
        "flags": store.caseload_row(db, patient, today),
        "screenings": list(reversed(store.screenings_of(db, patient.id))),
        "questionnaires": list(reversed(store.questionnaire_history(db, patient.id))),
        "recordings": [(r, store.latest_analysis(db, r.id)) for r in store.recordings_of(db, patient.id)],
        "plan_row": row,
        "plan": plan,
        "review": review,
        "plan_history": list(reversed(store.plan_history(db, patient.id))),
        "sessions": list(reversed(store.therapy_sessions_of(db, patient.id))),
        "notes": store.notes_of(db, patient.id),
        **progress,
    }
