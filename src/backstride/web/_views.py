"""What the patient's and the clinician's pages show: today, progress over time, everything about a patient;
assembled from the store, the plans and the day figures, with no clinical rule of their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from backstride._plans import current_plan, load_log, load_plan
from backstride.clinic import see_a_doctor
from backstride.web._activity_view import activity_view
from backstride.web._fields import TEXT_MAX


@dataclass(frozen=True)
class Step:
    label: str
    href: str
    done: bool
    detail: str = ""


def questionnaire_changes(db: Any, patient_id: int) -> list[Any]:
    """For each questionnaire scored twice or more: the clinic's verdict, first score against latest."""
    from backstride import clinic, store

    return list(clinic.first_to_latest(store.stored_scores(db, patient_id)).values())


def instrument_names() -> dict[str, str]:
    """Each questionnaire's name as its own page gives it ("Numeric Pain Rating Scale"): a patient is never
    told the codes ("NPRS") a clinician reads."""
    from backstride.clinic import INSTRUMENTS

    return {key: instrument.name for key, instrument in INSTRUMENTS.items()}


def today_view(db: Any, patient: Any, today: Any, *, emergency_number: str) -> dict[str, Any]:
    """The patient's start page: the day's steps and today's plan."""
    from backstride import store

    screening = store.latest_screening(db, patient.id)
    latest_q = store.latest_questionnaires(db, patient.id)
    recordings = store.recordings_of(db, patient.id)
    _row, plan, review = current_plan(db, patient, today, emergency_number=emergency_number)
    log = store.get_log(db, patient.id, today)
    base = f"/patients/{patient.id}"
    # a stored time's day is its day where the clinic is (the server's zone), as ``today`` is, not its UTC date
    checked_in_today = screening is not None and screening.created_at.astimezone().date() == today
    steps = [
        Step("Check-in", f"{base}/checkin", checked_in_today, "a few questions about warning signs"),
        Step(
            "Questionnaires",
            f"{base}/questionnaires",
            "nprs" in latest_q and latest_q["nprs"].created_at.astimezone().date() == today,
            "how your back affects your days",
        ),
        Step("Measure a walk", f"{base}/recordings/new", bool(recordings), "a few minutes with your phone"),
        # today's walks and exercises are done when today's log says so, not when a plan exists
        Step(
            "Your plan", f"{base}/plan", plan is not None and log is not None, "today's walks and exercises"
        ),
        Step("Daily log", f"{base}/log", log is not None, "under a minute"),
    ]
    return {
        "steps": steps,
        "plan": plan,
        "review": review,
        "screening": screening,
        "see_doctor": see_a_doctor(screening),  # the clinic's rule
    }


def _plan_on(history: list[Any], day: Any) -> Any | None:
    chosen = None
    for version in history:
        plan = load_plan(version.plan)
        if plan.start_date <= day:
            chosen = plan
    return chosen


def progress_view(db: Any, patient: Any, today: Any, days: int = 42) -> dict[str, Any]:
    """Figures and tables for the progress page."""

    from backstride import report, store

    start = today - dt.timedelta(days=days - 1)
    rows = store.logs_between(db, patient.id, start, today)
    logs = [(r.date, load_log(r.log)) for r in rows]
    day_pains = [log.pain_today for _, log in logs]  # the worst pain of a day without a walk
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
        if any(p is not None for p in day_pains):
            series.append(("worst pain of a day without a walk", dates, day_pains))
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
            "Walking speed in the measured walks",
            "metres per second",
            [("walking speed", when, [s.get("median_walking_speed_mps") for _, s in gait_rows])],
            min_y_span=report.TREND_SPANS["speed"],
        )
        figures["plot-gait-cadence"] = report.time_series(
            "Cadence in the measured walks",
            "steps per minute",
            [("cadence", when, [s.get("median_cadence_spm") for _, s in gait_rows])],
            min_y_span=report.TREND_SPANS["cadence"],
        )
        pelvis = [s.get("median_pelvis_rotation_deg") for _, s in gait_rows]
        if any(v is not None for v in pelvis):  # recordings with a gyroscope
            figures["plot-gait-pelvis"] = report.time_series(
                "How far the pelvis turns in each stride (a stiff, guarded walk turns it less)",
                "degrees",
                [
                    ("rotation", when, pelvis),
                    ("side to side", when, [s.get("median_pelvis_obliquity_deg") for _, s in gait_rows]),
                ],
                min_y_span=report.TREND_SPANS["pelvis"],
            )
        left = [s.get("median_step_length_left_m") for _, s in gait_rows]
        right = [s.get("median_step_length_right_m") for _, s in gait_rows]
        if any(v is not None for v in (*left, *right)):  # a height known and the feet told apart
            figures["plot-gait-steps"] = report.time_series(
                "Steps onto the left and onto the right foot (an uneven walk shows as two lines apart)",
                "metres",
                [("left", when, left), ("right", when, right)],
                min_y_span=report.TREND_SPANS["step_length"],
            )
    return {
        "figures": figures,
        "changes": questionnaire_changes(db, patient.id),
        "instrument_names": instrument_names(),
        # the table's highest pain of a day's walks is the plot's (during or after a walk)
        "logs": list(
            reversed([(d, log, h, p) for (d, log), h, p in zip(logs, highest, day_pains, strict=True)])
        ),
        **activity_view(db, patient),
    }


@dataclass(frozen=True)
class SignInWays:
    """How a patient can sign in, for their clinician's "Signing in" section: a password, and the current
    first-login link's giving and lapsing (``None``: no link); ``link_days``: how long a new link works."""

    has_password: bool
    link_given: dt.datetime | None
    link_lapses: dt.datetime | None
    link_lapsed: bool
    link_days: int


def sign_in_ways(patient: Any, now: dt.datetime, link_max_age_s: float) -> SignInWays:
    """How ``patient`` can sign in at ``now``, with first-login links that work ``link_max_age_s``."""
    from backstride.store import first_login_issued, first_login_lapses

    has_link = patient.first_login_token_hash is not None
    lapses = first_login_lapses(patient, link_max_age_s) if has_link else None
    return SignInWays(
        has_password=patient.password_hash is not None,
        link_given=first_login_issued(patient) if has_link else None,
        link_lapses=lapses,
        link_lapsed=lapses is not None and lapses < now,
        link_days=round(link_max_age_s / 86400),
    )


def clinician_view(
    db: Any,
    patient: Any,
    today: Any,
    *,
    emergency_number: str,
    link_max_age_s: float,
    viewer_id: int | None = None,
) -> dict[str, Any]:
    """Everything about one patient for their clinician (``link_max_age_s``: how long a first-login link
    works, the web settings'; ``viewer_id``: the clinician or administrator reading it, whose removals from the
    care team the page offers)."""
    from backstride import store
    from backstride.web._care_team import care_team, choosable

    row, plan, review = current_plan(db, patient, today, emergency_number=emergency_number)
    progress = progress_view(db, patient, today)
    questionnaires = list(reversed(store.questionnaire_history(db, patient.id, include_errors=True)))
    recordings = store.recordings_of(db, patient.id, include_errors=True)
    markers = {q.entered_in_error_by_id for q in questionnaires} | {
        r.entered_in_error_by_id for r in recordings
    }
    return {
        "flags": store.caseload_row(db, patient, today),
        "screenings": list(reversed(store.screenings_of(db, patient.id))),
        "questionnaires": questionnaires,
        "recordings": [
            (r, a, a is not None and store.analysis_is_outdated(a, patient.profile))
            for r in recordings
            for a in (store.latest_analysis(db, r.id),)
        ],
        "profile_form": _profile_form(patient.profile),
        "error_by": {uid: u.name for uid in markers if uid is not None and (u := store.get_user(db, uid))},
        "max_error_reason": store.MAX_ERROR_REASON,
        "text_max": TEXT_MAX,
        "plan_row": row,
        "plan": plan,
        "review": review,
        "plan_history": list(reversed(store.plan_history(db, patient.id))),
        **_exercise_forms(plan),
        "sessions": list(reversed(store.therapy_sessions_of(db, patient.id))),
        "today": today,  # the clinic's day: a new session's date starts on it
        "notes": store.notes_of(db, patient.id),
        "sign_in_ways": sign_in_ways(patient, store.utcnow(), link_max_age_s),
        "closed_by": _closed_by(db, patient),
        "max_close_reason": store.MAX_CLOSE_REASON,
        "care_team": care_team(db, patient.id, by_id=viewer_id),
        "care_choices": choosable(db, patient.id),
        **progress,
    }


def _closed_by(db: Any, patient: Any) -> str | None:
    """Who closed the patient's account, by name: None when it is open, closed from the command line (nobody
    named) or by a user since deleted."""
    from backstride import store

    if patient.closed_by_id is None:
        return None
    closer = store.get_user(db, patient.closed_by_id)
    return None if closer is None else str(closer.name)


def _exercise_forms(plan: Any) -> dict[str, Any]:
    """What the plan's exercise forms offer: the parts of each exercise's dose and their limits
    (``clinic.dose_limits``: a stretch has no repetitions to give), and the library's exercises not yet in the
    plan."""
    from backstride import clinic

    have = {x.id for x in plan.exercises} if plan is not None else set()
    return {
        "dose_limits": {x: clinic.dose_limits(x) for x in have},
        "to_add": [ex for ex in clinic.EXERCISES.values() if ex.id not in have],
        "library": clinic.EXERCISES,
    }


def _profile_form(profile: Any) -> dict[str, str]:
    """The patient's stored details as the edit form shows them (a whole age without its ".0")."""
    if profile is None:
        return {}

    def text(value: float | None, digits: int) -> str:
        return "" if value is None else f"{value:.{digits}f}".rstrip("0").rstrip(".")

    return {
        "age": text(profile.age, 1),
        "sex": profile.sex or "",
        "height_m": text(profile.height_m, 3),
        "sensor_height_m": text(profile.sensor_height_m, 3),
    }
