"""The walking plan as kept in the clinic's database, for the web pages and the command line alike: the baseline
a first plan needs, the current week's plan and its review, and a therapist's changes. Every rule is the clinic's
(``backstride.clinic``), every row the store's; this module only applies the one to the other (outside
``backstride.web``, so that ``backstride export-plan`` does not load the web app).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backstride._errors import InputError

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
    ``docs/store.md``): ``pain`` (the highest pain rating of the day, a day's pain without a walk included)
    and ``red_flag``."""
    data: dict[str, Any] = log.model_dump(mode="json")
    ratings = [v for w in log.walks for v in (w.pain_before, w.pain_during, w.pain_after)]
    ratings += [v for v in (log.next_morning_pain, log.pain_today) if v is not None]
    if ratings:
        data["pain"] = max(ratings)
    data["red_flag"] = any(log.red_flags.values())
    return data


@dataclass
class BaselineFound:
    """What is known for a first plan, and what is still missing (in words for the patient and the
    therapist alike: the plan page shows them to both); ``sources``:
    what the baseline was taken from, in words for the plan's first version ("the check-in", "the measured
    walk"), so it names a walk or a questionnaire only when one was used."""

    baseline: Any | None
    missing: list[str]
    sources: tuple[str, ...] = ()


AFTER_AN_EMERGENCY = "a new check-in: the latest one asked for emergency care, and no plan is made from it"
"""What a first plan waits for while the latest check-in is an emergency (shown to the patient and the clinician)."""


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
    elif screening.urgency == "emergency":
        # nothing else happens until the emergency is seen to: a plan is not made from a check-in that asked for
        # emergency care, nor from the answers of the day it was taken; a new check-in comes first
        missing.append(AFTER_AN_EMERGENCY)
    if age is None:
        missing.append("age (in the check-in)")
    if sex is None:
        missing.append("sex (in the check-in)")
    if pain is None:
        missing.append("pain today (the pain questionnaire)")
    if tolerance is None:
        missing.append("minutes of walking before the pain rises (in the check-in)")
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
    used = {
        "the pain questionnaire": "nprs" in latest,
        "the Oswestry disability questionnaire": odi is not None,
        "the STarT Back screening": startback is not None,
        "the measured walk": gait is not None,
    }
    return BaselineFound(baseline, [], ("the check-in", *(words for words, yes in used.items() if yes)))


def _in_a_list(words: tuple[str, ...]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def current_plan(
    db: Any, patient: Any, today: Any, *, emergency_number: str, save: bool = False
) -> tuple[Any | None, Any | None, Any | None]:
    """``(plan row, clinic Plan, last Review)``: the current plan, brought up to date.

    Every full week that has passed since the current plan started is reviewed with
    :func:`backstride.clinic.review_week`. With ``save`` (in a writing transaction) each next plan is
    saved as a new version with the review's reasons, under a lock on the patient's row so two requests
    never review the same week twice; without it the same reviews are worked out in memory (for
    read-only pages). A review that stops the plan is returned and the plan is not advanced. In the week under
    way, a warning sign logged or a check-in that asked for emergency care pauses the plan at once (the stop is
    returned as the review); it stays paused until a clinician resumes it (:func:`resume_plan`). Its advice,
    and the warning signs every review ends with, give the clinic's ``emergency_number``.
    """

    from backstride import clinic, store

    if save:
        store.lock_patient(db, patient.id)
    row = store.current_plan(db, patient.id)
    if row is None:
        return None, None, None
    plan = load_plan(row.plan)
    screenings, emergencies = _check_ins(db, patient)
    # every log the weeks to review can need, read in one query: a plan nobody has opened for months is
    # reviewed week by week on each visit to the caseload, and a query a week made that slow
    stored = [(r.date, r.log) for r in store.logs_between(db, patient.id, plan.start_date, today)]
    review = None
    while True:
        week_end = plan.start_date + dt.timedelta(days=PLAN_REVIEW_DAYS - 1)
        judged = _seen_not_again(plan, screenings)
        if today <= week_end:
            # the week under way: a warning sign in it pauses the plan at once, not at the week's review
            logs, check_ins = _signs_of_week(stored, plan, today, emergencies)
            return (
                row,
                plan,
                clinic.warning_stop(judged, logs, check_ins, emergency_number=emergency_number) or review,
            )
        logs, check_ins = _signs_of_week(stored, plan, week_end, emergencies)
        review = clinic.review_week(
            judged, logs, emergency_number=emergency_number, emergency_check_ins=check_ins
        )
        if review.new_plan is None:
            return row, plan, review
        if save:
            reason = review_reason(review, emergency_number)
            row = store.save_plan(db, patient.id, review.new_plan.model_dump(mode="json"), reason, None)
        plan = review.new_plan


def earlier_pauses(db: Any, patient: Any) -> tuple[tuple[dt.date, dt.date], ...]:
    """The pauses of the patient's earlier programs, oldest first (``course.PatientRecord.earlier_pauses``):
    each from the first day of a warning sign logged, or of a check-in that asked for emergency care, in a
    program's week, to the day the next program started (a clinician resumed it or changed it), that day not
    included. The rules are :func:`current_plan`'s (``clinic.warning_stop``), applied to each saved program
    up to the next one's start; the current program's pause is :func:`current_plan`'s own."""
    from backstride import clinic, store

    plans = [load_plan(row.plan) for row in store.plan_history(db, patient.id)]
    if len(plans) < 2:
        return ()
    screenings, emergencies = _check_ins(db, patient)
    first, last = min(p.start_date for p in plans), max(p.start_date for p in plans)
    stored = [(r.date, r.log) for r in store.logs_between(db, patient.id, first, last)]
    pauses = []
    for plan, after in itertools.pairwise(plans):
        week_end = plan.start_date + dt.timedelta(days=PLAN_REVIEW_DAYS - 1)
        last_day = min(week_end, after.start_date - dt.timedelta(days=1))
        if last_day < plan.start_date:
            continue  # changed on its first day: it never ran
        logs, check_ins = _signs_of_week(stored, plan, last_day, emergencies)
        stop = clinic.warning_stop(_seen_not_again(plan, screenings), logs, check_ins)
        if stop is not None and stop.paused_on is not None:
            pauses.append((stop.paused_on, after.start_date))
    return tuple(pauses)


def _check_ins(
    db: Any, patient: Any
) -> tuple[list[tuple[dt.date, Any]], list[tuple[dt.date, dt.datetime, Any]]]:
    """The patient's check-ins, each with its day, and of those that asked for emergency care each's day, moment
    and screen. A check-in's day is its day where the clinic is (the server's zone), as the plan's dates and
    today are: its UTC date may be the day before or after, outside the week it was made in."""
    from backstride import store

    screenings = [(s.created_at.astimezone().date(), s) for s in store.screenings_of(db, patient.id)]
    emergencies = [
        (day, s.created_at, _screen_of(s.result)) for day, s in screenings if s.urgency == "emergency"
    ]
    return screenings, emergencies


def _seen_not_again(plan: Any, screenings: list[tuple[dt.date, Any]]) -> Any:
    """``plan`` without the signs of its ``signs_seen`` that were reported again after it was resumed (a sign
    ticked in the daily log, or said yes to in a check-in, on its first day after ``started_at``): the log
    keeps one entry a sign a day, so a sign the clinician saw and the same sign reported afresh look alike
    there, and only the report's moment tells them apart."""
    if not plan.signs_seen or plan.started_at is None:
        return plan
    again = {
        k
        for day, s in screenings
        if day == plan.start_date and s.created_at >= plan.started_at
        for k, v in s.answers.items()
        if v is True
    }
    if not again & set(plan.signs_seen):
        return plan
    return plan.model_copy(update={"signs_seen": [k for k in plan.signs_seen if k not in again]})


def _screen_of(result: dict[str, Any]) -> Any:
    """A stored emergency screen as the clinic's ``TriageResult``; one stored in a shape the model no longer
    reads still counts as an emergency, without its findings."""
    from pydantic import ValidationError

    from backstride import clinic

    try:
        return clinic.TriageResult.model_validate(result)
    except ValidationError:
        return clinic.TriageResult(
            urgency="emergency", reasons=[], advice="", complete=False, unanswered=[], emergency_number=""
        )


def _signs_of_week(
    stored: list[tuple[dt.date, dict[str, Any]]],
    plan: Any,
    last_day: dt.date,
    emergencies: list[tuple[dt.date, dt.datetime, Any]],
) -> tuple[list[Any], list[tuple[dt.date, Any]]]:
    """The logs of the plan's week up to ``last_day`` (of the patient's ``stored`` logs, each day's and its
    JSON, oldest first), and the check-ins of those days that asked for emergency care, but not one made before
    the plan was made or resumed (its ``started_at``): a clinician had screened the patient again since."""
    since = plan.started_at
    logs = [load_log(log) for day, log in stored if plan.start_date <= day <= last_day]
    check_ins = [
        (day, result)
        for day, at, result in emergencies
        if plan.start_date <= day <= last_day and (since is None or at >= since)
    ]
    return logs, check_ins


def paused_because(review: Any) -> str | None:
    """What a clinician or a doctor reads of a paused plan (``review``, as :func:`current_plan` returns it), or
    None while the plan runs: the signs that paused it, and that a clinician resumes it."""
    if review is None or review.decision != "stop":
        return None
    signs = ", ".join(s.replace("_", " ").replace(" + ", " with ") for s in review.signs) or "a warning sign"
    return f"Paused for a warning sign ({signs}) until a clinician, having checked the patient, resumes it."


def patient_record(db: Any, patient: Any, today: Any) -> Any:
    """The patient's whole record (``store.patient_record``) with the current plan's pause, if it is paused
    (``course.PatientRecord.plan_paused``), for the FHIR bundle and the doctor's summary."""
    import dataclasses

    from backstride import store
    from backstride._emergency import DEFAULT_EMERGENCY_NUMBER

    record = store.patient_record(db, patient.id)
    _row, _plan, review = current_plan(db, patient, today, emergency_number=DEFAULT_EMERGENCY_NUMBER)
    paused = paused_because(review)
    on = review.paused_on if review is not None and paused is not None else None
    return dataclasses.replace(
        record, plan_paused=paused, plan_paused_on=on, earlier_pauses=earlier_pauses(db, patient)
    )


def mark_paused_plans(db: Any, rows: list[Any], today: Any) -> list[Any]:
    """Caseload rows (``store.caseload``) with each patient's paused plan marked, in the caseload's order of
    attention (``store.attention_order``): a pause asks for a clinician until one resumes the plan, long after
    the sign has left the caseload's window of recent logs."""
    import dataclasses

    from backstride import store
    from backstride._emergency import DEFAULT_EMERGENCY_NUMBER

    marked = []
    for row in rows:
        _r, _plan, review = current_plan(db, row.patient, today, emergency_number=DEFAULT_EMERGENCY_NUMBER)
        marked.append(dataclasses.replace(row, plan_paused=paused_because(review) is not None))
    return sorted(marked, key=store.attention_order)


def review_reason(review: Any, emergency_number: str) -> str:
    """The reason a weekly review's next plan version keeps: the decision and the review's own reasons. The
    warning-sign screen every review ends with is a reminder said with the number of the day
    (``clinic.weekly_screen``), not a reason to keep: kept, it would name a number the clinic may change."""
    from backstride import clinic

    said = [r for r in review.reasons if r != clinic.weekly_screen(emergency_number)]
    return f"Weekly review ({review.decision.replace('_', ' ')}): " + " ".join(said)


def plan_work_due(db: Any, patient: Any, today: Any, *, create: bool) -> bool:
    """Does the plan need writing: a week to review, or (with ``create``) a first plan that can be made?"""

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
    # a check-in that asked for emergency care before now was followed by a clinician's new one (baseline_for
    # asks for a latest check-in that was not an emergency): it does not pause the plan. A sign in today's log
    # still does: nobody has said it was seen to.
    plan = clinic.make_plan(found.baseline).model_copy(update={"started_at": store.utcnow()})
    row = store.save_plan(
        db,
        patient.id,
        plan.model_dump(mode="json"),
        f"First plan, from {_in_a_list(found.sources)}.",
        created_by,
    )
    return row, []


def adjust_plan(
    db: Any,
    patient_id: int,
    clinician_id: int,
    *,
    reason: str,
    walks_per_day: int | None,
    minutes_per_walk: int | None,
    seen: int | None = None,
) -> Any:
    """Save a clinician's change to the walking dose (whole walks and minutes; None keeps the plan's) as a
    new plan version, with its reason.

    The new plan must still be a valid clinic :class:`~backstride.clinic.Plan` (its own bounds apply).
    ``seen``: the plan version the form was opened at (:func:`_check_seen`).
    """
    checked = _check_seen(db, patient_id, clinician_id, reason, seen, _walking_part)
    plan = _plan_to_change(db, patient_id)
    walks = walks_per_day if walks_per_day is not None else plan.walks_per_day
    minutes = minutes_per_walk if minutes_per_walk is not None else plan.minutes_per_walk
    return _save_changed(
        db,
        patient_id,
        clinician_id,
        plan,
        reason,
        walks_per_day=walks,
        minutes_per_walk=minutes,
        daily_minutes=walks * minutes,
        checked=checked,
    )


def resume_plan(
    db: Any,
    patient: Any,
    clinician_id: int,
    today: dt.date,
    *,
    reason: str,
    walks_per_day: int | None,
    minutes_per_walk: int | None,
    emergency_number: str,
    seen: int | None = None,
) -> Any:
    """Resume a paused plan after a clinician has checked the patient: a new plan version from ``today``
    (:func:`backstride.clinic.resume_plan`) at the walking dose given (None keeps the plan's), with the reason.

    Refused while the patient's latest check-in asks for emergency care (they are screened again first), and
    when the plan is not paused (resumed meanwhile in another tab, or never paused).
    """
    from pydantic import ValidationError

    from backstride import clinic, store

    store.lock_patient(db, patient.id)
    checked = _check_seen(db, patient.id, clinician_id, reason, seen, _walking_part)
    screening = store.latest_screening(db, patient.id)
    if screening is not None and screening.urgency == "emergency":
        raise InputError(
            f"{patient.name}'s latest check-in asked for emergency care: screen {patient.name} again (the "
            "check-in) before the plan is resumed."
        )
    _row, plan, review = current_plan(db, patient, today, emergency_number=emergency_number, save=True)
    if plan is None:
        raise InputError("This patient has no plan yet; it is made after the check-in and questionnaires.")
    if review is None or review.decision != "stop":
        return _refused(
            checked,
            InputError("The plan is not paused, so there is nothing to resume; change it below if needed."),
        )
    if checked.conflict is not None:
        raise checked.conflict
    todays = store.get_log(db, patient.id, today)
    try:
        resumed = clinic.resume_plan(
            plan,
            today=today,
            started_at=store.utcnow(),
            # the clinician has checked the patient: today's signs (a sign stays in its day's log) are seen to
            signs_seen=[k for k, v in load_log(todays.log).red_flags.items() if v] if todays else [],
            walks_per_day=walks_per_day if walks_per_day is not None else plan.walks_per_day,
            minutes_per_walk=minutes_per_walk if minutes_per_walk is not None else plan.minutes_per_walk,
            reason=reason,
        )
    except ValidationError as exc:
        raise InputError(f"That plan is not possible ({_problems_of(exc)}).") from None
    return store.save_plan(db, patient.id, resumed.model_dump(mode="json"), reason, clinician_id)


def change_exercise(
    db: Any,
    patient_id: int,
    clinician_id: int,
    exercise_id: str,
    *,
    reason: str,
    variant: str,
    dose: dict[str, int | None],
    seen: int | None = None,
) -> Any:
    """Save a clinician's change to one exercise of the plan (its version, and its dose: ``sets``, ``reps``,
    ``hold_s``, ``per_day``, each None to keep the plan's) as a new plan version, with its reason.

    The exercise is prescribed again with :func:`backstride.clinic.prescribe_exercise`, so its dose stays
    within the clinic's bounds and the exercise's own, and the patient reads the dose and the version in the
    words the weekly review writes.
    """
    from pydantic import ValidationError

    from backstride import clinic

    checked = _check_seen(db, patient_id, clinician_id, reason, seen, _exercise_part(exercise_id))
    plan = _plan_to_change(db, patient_id)
    exercises = list(plan.exercises)
    try:
        at = _place_of(exercises, exercise_id)
    except InputError as exc:
        return _refused(checked, exc)
    now = exercises[at]
    kept = {part: value if value is not None else getattr(now.dose, part) for part, value in dose.items()}
    try:
        new_dose = clinic.Dose.model_validate({**now.dose.model_dump(), **kept})
    except ValidationError as exc:
        said = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise InputError(f"{now.name}: {said}.") from None
    exercises[at] = clinic.prescribe_exercise(exercise_id, variant, new_dose)  # type: ignore[arg-type]
    return _save_changed(db, patient_id, clinician_id, plan, reason, exercises=exercises, checked=checked)


def add_exercise(
    db: Any,
    patient_id: int,
    clinician_id: int,
    exercise_id: str,
    *,
    reason: str,
    variant: str,
    seen: int | None = None,
) -> Any:
    """Add an exercise of the library to the plan, at its starting dose, as a new plan version with its
    reason. One already in the plan is refused: its dose or version is changed where it is."""
    from backstride import clinic

    checked = _check_seen(db, patient_id, clinician_id, reason, seen, _exercise_part(exercise_id))
    plan = _plan_to_change(db, patient_id)
    added = clinic.prescribe_exercise(exercise_id, variant)  # type: ignore[arg-type]
    if any(x.id == exercise_id for x in plan.exercises):
        return _refused(
            checked, InputError(f"{added.name} is already in the plan; change its dose or version there.")
        )
    exercises = [*plan.exercises, added]
    withheld = [x for x in plan.withheld_exercises if x != exercise_id]  # back in: progression may move it on
    return _save_changed(
        db,
        patient_id,
        clinician_id,
        plan,
        reason,
        exercises=exercises,
        withheld_exercises=withheld,
        checked=checked,
    )


def remove_exercise(
    db: Any, patient_id: int, clinician_id: int, exercise_id: str, *, reason: str, seen: int | None = None
) -> Any:
    """Take an exercise out of the plan, as a new plan version with its reason; the weekly progression does not
    add it back (the plan's ``withheld_exercises``) until a clinician adds it again."""
    checked = _check_seen(db, patient_id, clinician_id, reason, seen, _exercise_part(exercise_id))
    plan = _plan_to_change(db, patient_id)
    exercises = list(plan.exercises)
    try:
        del exercises[_place_of(exercises, exercise_id)]
    except InputError as exc:
        return _refused(checked, exc)
    withheld = [*(x for x in plan.withheld_exercises if x != exercise_id), exercise_id]
    return _save_changed(
        db,
        patient_id,
        clinician_id,
        plan,
        reason,
        exercises=exercises,
        withheld_exercises=withheld,
        checked=checked,
    )


class PlanChanged(InputError):
    """A change to the plan from a page opened before another change to the same part of it was saved (by
    another clinician, or the weekly review): refused, so that the other change is not silently undone."""


def _walking_part(plan: dict[str, Any]) -> Any:
    return (plan.get("walks_per_day"), plan.get("minutes_per_walk"))


def _exercise_part(exercise_id: str) -> Callable[[dict[str, Any]], Any]:
    return lambda plan: next((x for x in plan.get("exercises", []) if x.get("id") == exercise_id), None)


@dataclass(frozen=True)
class _Seen:
    """What a plan form's version (:func:`_check_seen`) says of the plan as it is now: ``again``, its latest
    version when that may be this very change saved already (the same clinician and reason: the form sent
    twice, a double click or a resend after a timeout), for :func:`_save_changed` to compare; ``conflict``, the
    refusal when another change made since changed the same part of the plan."""

    again: Any | None = None
    conflict: PlanChanged | None = None


def _check_seen(
    db: Any,
    patient_id: int,
    clinician_id: int,
    reason: str,
    seen: int | None,
    part: Callable[[dict[str, Any]], Any],
) -> _Seen:
    """Check a change from a form opened at the plan's version ``seen`` (None: a form that does not say, nothing
    checked) against the plan now, under the lock on the patient's row (see :class:`_Seen`)."""
    from backstride import store

    if seen is None:
        return _Seen()
    store.lock_patient(db, patient_id)
    latest = store.current_plan(db, patient_id)
    if latest is None or latest.version <= seen:
        return _Seen()
    again = latest if latest.created_by == clinician_id and latest.reason == reason else None
    then = next((v for v in store.plan_history(db, patient_id) if v.version == seen), None)
    if then is not None and part(then.plan) == part(latest.plan):
        return _Seen(again)  # another part changed meanwhile: this change builds on it
    author = store.get_user(db, latest.created_by) if latest.created_by is not None else None
    who = author.name if author is not None else "the weekly review"
    return _Seen(
        again,
        PlanChanged(
            f"Not saved: since this page was opened, {who} saved a new version of the plan (version "
            f"{latest.version}) that changes what this form changes. It is shown above; your entries are kept "
            "below. Check them and save again if they still apply."
        ),
    )


def _refused(seen: _Seen, exc: InputError) -> Any:
    """A change the plan as it is now refuses (an exercise added or taken out already, a plan resumed): the
    latest version if it is this very change sent again, else the refusal of a change made since, else ``exc``."""
    if seen.again is not None:
        return seen.again
    raise seen.conflict or exc


def _plan_to_change(db: Any, patient_id: int) -> Any:
    """The current plan, read under the lock on the patient's row that saving it takes (as the weekly review
    reads it), so that two changes made at once (two exercises in two tabs) build on each other and neither
    is lost."""
    from backstride import store

    store.lock_patient(db, patient_id)
    row = store.current_plan(db, patient_id)
    if row is None:
        raise InputError("This patient has no plan yet; it is made after the check-in and questionnaires.")
    return load_plan(row.plan)


def _place_of(exercises: list[Any], exercise_id: str) -> int:
    """Where the exercise is in the plan's list; one no longer there (taken out meanwhile) is refused."""
    from backstride.clinic import EXERCISES

    for at, x in enumerate(exercises):
        if x.id == exercise_id:
            return at
    known = EXERCISES.get(exercise_id)
    raise InputError(f"{known.name if known else exercise_id} is not in the current plan.")


def _save_changed(
    db: Any,
    patient_id: int,
    clinician_id: int,
    plan: Any,
    reason: str,
    *,
    checked: _Seen | None = None,
    **changes: Any,
) -> Any:
    """The plan with ``changes`` as its next version, with the clinician's reason for the patient to read
    ("Changed by your therapist: ..."); it must still be a valid clinic :class:`~backstride.clinic.Plan`.
    ``checked`` (:func:`_check_seen`): the latest version is kept as it is when it is this very change (the form
    sent twice), and a change of a part changed meanwhile is refused."""
    from pydantic import ValidationError

    from backstride import store

    data = plan.model_dump(mode="json")
    for key, value in changes.items():
        data[key] = [x.model_dump(mode="json") for x in value] if key == "exercises" else value
    data.update(version=plan.version + 1, reasons=[f"Changed by your therapist: {reason}"])
    try:
        new = load_plan(data)
    except ValidationError as exc:
        raise InputError(f"That plan is not possible ({_problems_of(exc)}).") from None
    made = new.model_dump(mode="json")
    if checked is not None and checked.again is not None and _same_plan(made, checked.again.plan):
        return checked.again
    if checked is not None and checked.conflict is not None:
        raise checked.conflict
    return store.save_plan(db, patient_id, made, reason, clinician_id)


def _same_plan(made: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Whether a plan made from a stored one is it again (its version number and reasons aside)."""

    def kept(plan: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in plan.items() if k not in ("version", "reasons")}

    return kept(made) == kept(stored)


def _problems_of(exc: Any) -> str:
    """A plan's validation errors in words: the field (walks per day, minutes per walk, ...) and its problem."""
    words = {"walks_per_day": "walks per day", "minutes_per_walk": "minutes per walk"}
    return "; ".join(
        f"{words.get(str(err['loc'][0]), str(err['loc'][0]).replace('_', ' '))}: {err['msg']}"
        if err.get("loc")
        else str(err["msg"]).removeprefix("Value error, ")
        for err in exc.errors()
    )


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
    # this very session, kept by this clinician a moment ago: its form sent twice (a double click, a resend)
    return store.therapy_session_sent_again(
        db, patient_id, clinician.id, session
    ) or store.add_therapy_session(db, patient_id, clinician.id, session)
