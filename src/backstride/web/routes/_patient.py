"""The patient's pages (also open to their clinicians): today, check-in and screening, questionnaires,
the plan, the daily log and progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backstride._errors import InputError
from backstride.web._audit_view import CALENDAR_EXPORT, FHIR_EXPORT, PLAN_SHEET_EXPORT, SUMMARY_EXPORT
from backstride.web._context import (
    RowId,
    check_csrf,
    emergency_number,
    get_state,
    note_audit,
    require_patient_access,
    transaction,
)
from backstride.web._flow import EMERGENCY, blocking_emergency, emergency_page, patient_access, refresh_plan
from backstride.web._render import attachment, render, report_response

router = APIRouter(dependencies=[Depends(check_csrf)])


# ------------------------------------------------------------------------------------------ today / overview
@router.get("/patients/{patient_id}")
def patient_home(request: Request, patient_id: RowId) -> Response:
    from backstride.web import _views

    today = dt.date.today()
    refresh_plan(request, patient_id, today)
    with transaction(request, readonly=True) as db:
        user, patient = require_patient_access(request, db, patient_id)
        if user.id != patient.id:
            context = _views.clinician_view(
                db,
                patient,
                today,
                emergency_number=emergency_number(request),
                link_max_age_s=get_state(request).settings.first_login_max_age_s,
                viewer_id=user.id,
            )
            return render(
                request,
                "clinician_patient.html",
                {"title": patient.name, "user": user, "patient": patient, **context},
            )
        stop = blocking_emergency(request, db, user, patient)
        if stop is not None:
            return stop
        context = _views.today_view(db, patient, today, emergency_number=emergency_number(request))
        return render(request, "today.html", {"title": "Today", "user": user, "patient": patient, **context})


# ------------------------------------------------------------------------------------------------ check-in
def _screening_questions() -> list[Any]:
    from backstride.clinic import QUESTIONS

    return list(QUESTIONS)


def _limits(q: Any) -> tuple[float | None, float | None, bool]:
    """A number question's bounds, the clinic's own (``clinic/data/triage.json``), as the forms' parser
    (``web._fields.read_number``) takes them."""
    return q.min, q.max, False


def _expected(q: Any) -> str:
    """What a screening question takes, in the form's words (its bounds are the clinic's question's)."""
    from backstride.web._fields import expected

    if q.kind == "bool":
        return f"{q.text} — answer Yes or No."
    if q.kind == "choice":
        return f"{q.text} — choose one of the answers."
    unit = f" ({q.unit})" if q.unit and not q.unit[:1].isdigit() else ""
    return f"{q.text} — give {expected(_limits(q), whole=q.kind == 'int')}{unit}."


def _answers_from_form(form: Any) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """From the submitted form: the answers the clinic can use, keyed by question id; what was typed (to
    show it again); and, by question id, what could not be used and what it takes instead. One wrong
    answer never drops the others: a warning sign ticked beside a mistyped number still counts. A number is
    read as every form reads one (``web._fields.read_number``: a decimal comma, no NaN or Infinity), within
    its question's bounds."""
    from backstride.clinic import validate_answers
    from backstride.web._fields import read_number

    answers: dict[str, Any] = {}
    typed: dict[str, str] = {}
    problems: dict[str, str] = {}
    for q in _screening_questions():
        raw = form.get(q.id)
        if not isinstance(raw, str) or raw.strip() == "":
            continue
        text = raw.strip()
        typed[q.id] = text
        value: Any
        if q.kind == "bool":
            if text not in ("yes", "no"):
                problems[q.id] = _expected(q)
                continue
            value = text == "yes"
        elif q.kind == "choice":
            value = text
        else:
            value, problem = read_number(text, q.text, _limits(q), whole=q.kind == "int")
            if problem is not None:
                problems[q.id] = _expected(q)
                continue
        try:
            answers[q.id] = validate_answers({q.id: value})[q.id]
        except InputError:
            problems[q.id] = _expected(q)
    return answers, typed, problems


def _defaults_from_profile(patient: Any) -> dict[str, str]:
    profile = patient.profile
    out: dict[str, str] = {}
    if profile is not None and profile.age is not None:
        out["age"] = str(int(profile.age))
    if profile is not None and profile.sex:
        out["sex"] = profile.sex
    return out


@router.get("/patients/{patient_id}/checkin")
def checkin_page(request: Request, patient_id: RowId) -> Response:
    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        return render(
            request,
            "checkin.html",
            {
                "title": "Check-in",
                "user": user,
                "patient": patient,
                "questions": _screening_questions(),
                "typed": _defaults_from_profile(patient),
                "missing": [],
                "problems": {},
                "so_far": None,
            },
        )


@router.post("/patients/{patient_id}/checkin")
async def checkin(request: Request, patient_id: RowId) -> Response:
    form = await request.form()
    answers, typed, problems = _answers_from_form(form)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_save_checkin, request, patient_id, answers, typed, problems)


def _save_checkin(
    request: Request,
    patient_id: int,
    answers: dict[str, Any],
    typed: dict[str, str],
    problems: dict[str, str],
) -> Response:
    """Screen what was answered. An emergency is kept and shown at once, whatever else is missing or wrong
    in the form (a wrong answer is left out; every warning sign answered is kept); otherwise the form comes
    back with what was typed, the answers that could not be used and the emergency questions left open, and
    says what the answers given already call for (see a doctor today, or within two weeks)."""
    from backstride import clinic, store

    number = emergency_number(request)
    with transaction(request) as db:
        user, patient = patient_access(request, db, patient_id)
        try:
            result = clinic.triage(answers, emergency_number=number)
        except InputError as exc:  # every answer was checked one by one: not expected
            raise HTTPException(422, str(exc)) from None
        if result.urgency != EMERGENCY and (problems or not result.complete):
            by_id = {q.id: q for q in _screening_questions()}
            return render(
                request,
                "checkin.html",
                {
                    "title": "Check-in",
                    "user": user,
                    "patient": patient,
                    "questions": _screening_questions(),
                    "typed": typed,
                    "missing": [by_id[qid].text for qid in result.unanswered if qid in by_id],
                    "problems": problems,
                    # a finding of the answers given is said now, as `triage` says it: whoever leaves the form
                    # here has still been told to see a doctor (nothing is kept until the screen is whole)
                    "so_far": result if result.reasons else None,
                },
                status=422,
            )
        if store.screening_sent_again(db, patient.id, answers) is None:  # a form sent twice is kept once
            store.add_screening(db, patient.id, answers, result.urgency, result)
        if result.urgency == EMERGENCY:
            if user.id == patient.id:
                return emergency_page(request, result.model_dump(mode="json"))
            return RedirectResponse(f"/patients/{patient.id}#screenings", status_code=303)
    return RedirectResponse(f"/patients/{patient_id}/checkin/result", status_code=303)


@router.get("/patients/{patient_id}/checkin/result")
def checkin_result(request: Request, patient_id: RowId) -> Response:
    from backstride import store

    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        latest = store.latest_screening(db, patient.id)
        if latest is None:
            return RedirectResponse(f"/patients/{patient_id}/checkin", status_code=303)
        return render(
            request,
            "checkin_result.html",
            {
                "title": "Check-in result",
                "user": user,
                "patient": patient,
                "screening": latest,
                "result": latest.result,
            },
        )


# ------------------------------------------------------------------------------------------------- plan
@router.get("/patients/{patient_id}/plan")
def plan_page(request: Request, patient_id: RowId) -> Response:
    from backstride import _plans, clinic, store
    from backstride.clinic import EXERCISES, SELF_CARE, default_walk_times

    today = dt.date.today()
    refresh_plan(request, patient_id, today, create=True)
    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        latest = store.latest_screening(db, patient.id)
        see_doctor = clinic.see_a_doctor(latest)
        row, plan, review = _plans.current_plan(
            db, patient, today, emergency_number=emergency_number(request)
        )
        missing = _plans.baseline_for(db, patient, today).missing if row is None else []
        return render(
            request,
            "plan.html",
            {
                "title": "Your plan",
                "user": user,
                "patient": patient,
                "row": row,
                "plan": plan,
                "review": review,
                "missing": missing,
                "walk_times": [f"{t:%H:%M}" for t in default_walk_times(plan.walks_per_day)] if plan else [],
                "library": EXERCISES,
                "see_doctor": see_doctor,
                # only a clinician gets this far past an emergency (the patient gets the emergency page): they
                # are told the patient does not see this plan before they print it or hand it over
                "emergency": latest if latest is not None and latest.urgency == EMERGENCY else None,
                # when to seek help first: the one card a patient must not have to look for
                "self_care": sorted(SELF_CARE, key=lambda card: card.id != "seek_help"),
            },
        )


@router.get("/patients/{patient_id}/plan/sheet.html")
def plan_sheet(request: Request, patient_id: RowId, view: bool = False) -> Response:
    """The current plan as a home program sheet to print (one self-contained HTML file), for the patient and
    their clinicians: downloaded, or opened in the browser with ``?view=1``. A copy of the plan leaves the app,
    so the audit trail keeps it, as it keeps the summary's."""
    from backstride import _plans, report, store

    today = dt.date.today()
    refresh_plan(request, patient_id, today)
    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        own = user.id == patient.id
        _row, plan, review = _plans.current_plan(
            db, patient, today, emergency_number=emergency_number(request)
        )
        if plan is None:
            raise HTTPException(
                404,
                ("You have" if own else f"{patient.name} has")
                + " no plan yet, so there is no home program to print: the plan page says what it still needs.",
            )
        if review is not None and review.decision == "stop":
            raise HTTPException(
                409,
                "The walking plan is paused for a warning sign until a clinician resumes it (the plan page says "
                "why), so there is no home program to print.",
            )
        note_audit(request, "record_exported", patient.id, user.id, PLAN_SHEET_EXPORT)
        now = dt.datetime.now(dt.UTC)
        sheet = report.home_program_sheet(
            plan,
            name=patient.name,
            emergency_number=emergency_number(request),
            generated_at=now,
            latest_screening=store.latest_screening(db, patient.id),
        )
        return report_response(sheet, _file_name(patient.name, now, "-home-program.html"), view=view)


@router.get("/patients/{patient_id}/plan/walks.ics")
def walk_reminders(request: Request, patient_id: RowId) -> Response:
    """The current plan's walks and exercises as a calendar file (RFC 5545) to import into a phone's calendar,
    for the patient and their clinicians, behind the patient's emergency stop like the plan page. ``times``:
    the patient's own times of day ("09:00,13:00,17:30"), one a walk. No plan, or a plan paused for a
    warning sign: a page that says so, and no file. Every download is in the audit trail.

    The plan page's form sends one ``times`` per walk (``<input type="time">``); a link may give them in one,
    separated by commas: both are read the same."""
    from backstride import _plans, clinic

    today = dt.date.today()
    refresh_plan(request, patient_id, today)
    with transaction(request, readonly=True) as db:
        user, patient = require_patient_access(request, db, patient_id)
        stop = blocking_emergency(request, db, user, patient)
        if stop is not None:
            return stop
        _row, plan, review = _plans.current_plan(
            db, patient, today, emergency_number=emergency_number(request)
        )
        if plan is None or (review is not None and review.new_plan is None):
            paused = plan is not None
            return render(
                request,
                "error.html",
                {
                    "title": "The walking plan is paused" if paused else "No plan yet",
                    "message": (
                        "The walking plan is paused for a warning sign, so there are no walks to remind you of; "
                        "the plan page says why and what to do."
                        if paused
                        else "There is no plan yet, so there are no walks to put in a calendar; the plan is "
                        "made after the check-in and the pain questionnaire."
                    ),
                    "status": 409,
                },
                status=409,
            )
        given = request.query_params.getlist("times")
        chosen = clinic.walk_times(",".join(given), plan.walks_per_day) if given else None
        now = dt.datetime.now(dt.UTC)
        document = clinic.walk_calendar(
            plan,
            patient_id=patient.id,
            emergency_number=emergency_number(request),
            now=now,
            today=today,
            times=chosen,
        )
        note_audit(request, "record_exported", patient.id, user.id, CALENDAR_EXPORT)
    return Response(
        document.encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers=attachment(_file_name(patient.name, now, "-walks.ics")),
    )


# ---------------------------------------------------------------------------------------------- daily log
def _number_text(value: Any) -> str:
    """A stored number as the form shows it: what is stored, without a needless ".0"."""
    return "" if value is None else f"{float(value):g}"


def _log_values(log: Any) -> dict[str, str]:
    """A stored day's log as the form's fields show it."""
    values: dict[str, str] = {"notes": log.notes}
    if log.pain_today is not None:
        values["pain_today"] = _number_text(log.pain_today)
    for i, walk in enumerate(log.walks, start=1):
        values[f"w{i}_minutes"] = _number_text(walk.minutes)
        for key in ("pain_before", "pain_during", "pain_after"):
            values[f"w{i}_{key}"] = _number_text(getattr(walk, key))
    return values


def _log_context(
    db: Any,
    user: Any,
    patient: Any,
    today: dt.date,
    *,
    emergency_number: str,
    form: Any | None = None,
    saved: bool = False,
) -> dict[str, Any]:
    """The daily log page: today's stored log in the form, or (``form``) what was just sent, with its
    problems."""
    from backstride import _plans, clinic, store
    from backstride.clinic import EMERGENCY_ONLY_TOGETHER, EMERGENCY_SIGNS, QUESTIONS
    from backstride.web._log_form import MAX_WALKS, NOTES_MAX, TOGETHER

    _row, plan, _review = _plans.current_plan(db, patient, today, emergency_number=emergency_number)
    existing = store.get_log(db, patient.id, today)
    yesterday = store.get_log(db, patient.id, today - dt.timedelta(days=1))
    log = _plans.load_log(existing.log) if existing else None
    by_id = {q.id: q for q in QUESTIONS}
    if form is not None:
        values = dict(form.typed)
        values["notes"] = form.typed.get("notes", form.notes)  # a note over the limit is shown back whole
        exercises = list(form.exercises)
        typed_walks = [i for i in range(1, MAX_WALKS + 1) if any(k.startswith(f"w{i}_") for k in form.typed)]
    else:
        values = _log_values(log) if log else {}
        exercises = list(log.exercises_done) if log else []
        typed_walks = []
    walks = max([plan.walks_per_day if plan else 1, len(log.walks) if log else 0, *typed_walks])
    return {
        "title": "Daily log",
        "user": user,
        "patient": patient,
        "plan": plan,
        "walk_count": walks,
        "values": values,
        "exercises_done": exercises,
        "problems": form.problems if form is not None else [],
        "invalid": form.invalid if form is not None else set(),
        "ask_morning": (yesterday is not None and yesterday.log.get("next_morning_pain") is None)
        or "morning_pain" in values,
        "warning_signs": [by_id[i] for i in EMERGENCY_SIGNS if i in by_id],
        # signs that are an emergency together (a fever with feeling unwell): one box for both
        "warning_signs_together": [
            (TOGETHER.join(combo), [by_id[i].text for i in combo])
            for combo in EMERGENCY_ONLY_TOGETHER
            if all(i in by_id for i in combo)
        ],
        "saved": saved,
        # the latest screening's advice to see a doctor (today, or within two weeks), as on the plan and Today
        # pages: a warning sign logged here that is not an emergency (a fever) is screened to one
        "see_doctor": clinic.see_a_doctor(store.latest_screening(db, patient.id)),
        # a day saved at a flare's pain is told what the program says of one, not only "Saved"
        "flare": clinic.flare_on_the_day(plan, log)
        if saved and plan is not None and log is not None
        else None,
        "today": today,
        "notes_max": NOTES_MAX,
        "log_seen": log_seen(existing),
    }


@router.get("/patients/{patient_id}/log")
def log_page(request: Request, patient_id: RowId, saved: int = 0) -> Response:
    today = dt.date.today()
    refresh_plan(request, patient_id, today)
    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        return render(
            request,
            "log.html",
            _log_context(
                db, user, patient, today, saved=bool(saved), emergency_number=emergency_number(request)
            ),
        )


@router.post("/patients/{patient_id}/log")
async def log_submit(request: Request, patient_id: RowId) -> Response:
    from starlette.concurrency import run_in_threadpool

    from backstride.clinic import EXERCISES, QUESTIONS
    from backstride.web._log_form import read_log_form

    data = await request.form()
    form = read_log_form(
        data,
        known_flags={q.id for q in QUESTIONS if q.kind == "bool"},
        known_exercises=set(EXERCISES),
    )
    seen = data.get("log_seen")
    return await run_in_threadpool(
        _save_log, request, patient_id, form, seen if isinstance(seen, str) else None
    )


NOTHING_TO_SAVE = (
    "Nothing was filled in, so nothing was saved. Give the minutes of each walk you did with its pain, or, "
    "if you did not walk, your worst pain today."
)


def _says_nothing_of_today(form: Any) -> bool:
    """Whether the daily log's form was sent with nothing about today in it (the pain on waking is
    yesterday's): kept, it would count as a day logged (the caseload's "no recent log" goes quiet) with
    nothing logged."""
    return not (form.walks or form.flags or form.exercises or form.notes or form.pain_today is not None)


def log_seen(row: Any) -> str:
    """What the daily log form says of the day's log it was opened at (its hidden ``log_seen``): a digest of the
    stored log, or "none" before any."""
    import hashlib
    import json

    if row is None:
        return "none"
    text = json.dumps(row.log, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _changed_elsewhere(existing: Any, *, sign_kept: bool) -> str:
    """The problem of a daily log form opened before the day's log was changed elsewhere, naming what is
    logged now (the form shows what was typed)."""
    from backstride import _plans

    log = _plans.load_log(existing.log) if existing is not None else None
    parts = [f"walk {i}: {w.minutes:g} minutes" for i, w in enumerate(log.walks if log else [], 1)]
    if log is not None and log.pain_today is not None:
        parts.append(f"worst pain today: {log.pain_today}")
    if log is not None and log.exercises_done:
        parts.append(f"exercises done: {len(log.exercises_done)}")
    if log is not None and log.notes:
        parts.append(f"a note: “{log.notes}”")
    said = (
        "Today's log was changed (in another tab or on another device) since this page was opened, so "
        + ("the rest of this form was not saved" if sign_kept else "this was not saved")
        + f": it would have undone that change. Logged now: {'; '.join(parts) or 'nothing'}. What you typed is "
        "below: put in it what should be kept of both, and send it again."
    )
    kept = "The warning sign you ticked was kept, with your note and what you typed where nothing was logged yet. "
    return (kept if sign_kept else "") + said


NO_YESTERDAY = (
    "Pain when you woke up this morning: there is no log of yesterday to add it to, so it cannot be kept; "
    "clear it to save the rest."
)


def _save_log(request: Request, patient_id: int, form: Any, seen: str | None = None) -> Response:
    """Keep the day's log. A warning sign is kept and screened first, whatever else is wrong in the form
    (what could not be used is left out, the rest is kept, a note over the limit whole) and its emergency page
    shown; without one, a
    form with problems comes back with what was typed and every problem named, and nothing is kept. A first
    log of the day with nothing in it is not kept either (a day already logged may be emptied on purpose)."""
    from backstride import _plans, clinic, store

    today = dt.date.today()
    with transaction(request) as db:
        user, patient = patient_access(request, db, patient_id)
        existing = store.get_log(db, patient.id, today)
        yesterday = store.get_log(db, patient.id, today - dt.timedelta(days=1))
        if form.morning_pain is not None and yesterday is None:  # never dropped without a word
            form.problem("morning_pain", NO_YESTERDAY)
        if form.problems and not form.flags:
            return render(
                request,
                "log.html",
                _log_context(db, user, patient, today, form=form, emergency_number=emergency_number(request)),
                status=422,
            )
        if existing is None and _says_nothing_of_today(form) and form.morning_pain is None:
            form.problems.append(NOTHING_TO_SAVE)
            return render(
                request,
                "log.html",
                _log_context(db, user, patient, today, form=form, emergency_number=emergency_number(request)),
                status=422,
            )
        # a warning sign, once logged for the day, stays in the day's log (the form does not show it again)
        earlier_flags = (
            {k: v for k, v in _plans.load_log(existing.log).red_flags.items() if v} if existing else {}
        )
        log = clinic.DailyLog(
            date=today,
            walks=form.walks,
            exercises_done=form.exercises,
            red_flags={**earlier_flags, **form.flags},
            pain_today=form.pain_today,
            notes=form.notes or (form.long_notes if form.flags else ""),  # beside a warning sign, kept whole
        )
        # a form opened before the day's log was changed elsewhere ("seen": the log it was opened at; None, a
        # form that does not say): the same form sent twice is saved already; another is refused, a warning
        # sign in it kept and screened all the same
        changed = seen is not None and seen != log_seen(existing)
        if changed and existing is not None and existing.log == _plans.log_json(log):
            if form.flags:  # its answer is the one shown: the emergency again
                again = clinic.triage(form.flags, emergency_number=emergency_number(request))
                # the sign is in the day's log already, but its report is kept once only if it is the latest and
                # recent (store.screening_sent_again): sent again after a clinician screened the patient (the
                # stop lifted) or resumed the plan, it is the sign reported afresh
                if store.screening_sent_again(db, patient.id, form.flags) is None:
                    store.add_screening(db, patient.id, form.flags, again.urgency, again)
                if again.urgency == EMERGENCY:
                    return _emergency_answer(request, user, patient, again)
            return RedirectResponse(f"/patients/{patient_id}/log?saved=1", status_code=303)

        def changed_meanwhile(*problems: str) -> Response:
            """The form back (409), what was typed in it, with ``problems`` named first."""
            form.problems.extend(problems)
            context = _log_context(
                db, user, patient, today, form=form, emergency_number=emergency_number(request)
            )
            return render(request, "log.html", context, status=409)

        if changed and not form.flags:
            return changed_meanwhile(_changed_elsewhere(existing, sign_kept=False))
        if changed:
            kept = _plans.load_log(existing.log) if existing else clinic.DailyLog(date=today)
            typed_note = form.notes or form.long_notes  # beside a warning sign, kept whole
            note = (
                kept.notes
                if not typed_note or typed_note in kept.notes
                else "\n".join(x for x in (kept.notes, typed_note) if x)
            )
            update: dict[str, Any] = {"red_flags": {**kept.red_flags, **form.flags}, "notes": note}
            if not kept.walks and form.walks:  # what was typed where nothing is logged yet undoes nothing
                update["walks"] = form.walks
            if kept.pain_today is None and form.pain_today is not None:
                update["pain_today"] = form.pain_today
            log = kept.model_copy(update=update)
            store.upsert_log(db, patient.id, log.date, _plans.log_json(log))
            result = clinic.triage(form.flags, emergency_number=emergency_number(request))
            store.add_screening(db, patient.id, form.flags, result.urgency, result)
            if result.urgency == EMERGENCY and user.id == patient.id:
                return emergency_page(request, result.model_dump(mode="json"))
            said = _changed_elsewhere(existing, sign_kept=True)
            if result.urgency == EMERGENCY:  # a clinician logging for the patient: the emergency said first
                return changed_meanwhile(
                    f"{patient.name}'s warning sign asks for emergency care: {result.advice}", said
                )
            return changed_meanwhile(said)
        if form.morning_pain is not None and yesterday is not None:
            earlier = _plans.load_log(yesterday.log)
            updated = earlier.model_copy(update={"next_morning_pain": form.morning_pain})
            store.upsert_log(db, patient.id, updated.date, _plans.log_json(updated))
        # the pain on waking alone is yesterday's: no log of today for it
        if existing is not None or not _says_nothing_of_today(form):
            store.upsert_log(db, patient.id, log.date, _plans.log_json(log))
        if form.flags:
            result = clinic.triage(form.flags, emergency_number=emergency_number(request))
            store.add_screening(db, patient.id, form.flags, result.urgency, result)
            if result.urgency == EMERGENCY:
                return _emergency_answer(request, user, patient, result)
    return RedirectResponse(f"/patients/{patient_id}/log?saved=1", status_code=303)


def _emergency_answer(request: Request, user: Any, patient: Any, result: Any) -> Response:
    """The answer to a daily log whose warning sign is an emergency: the emergency page for the patient; for a
    clinician who logged it on the patient's behalf, the patient's page, where the emergency heads the
    screenings (as after a check-in), never "Saved. Thank you — see you tomorrow."."""
    if user.id == patient.id:
        return emergency_page(request, result.model_dump(mode="json"))
    return RedirectResponse(f"/patients/{patient.id}#screenings", status_code=303)


# ------------------------------------------------------------------------------------------------ progress
@router.get("/patients/{patient_id}/progress")
def progress_page(request: Request, patient_id: RowId) -> Response:
    from backstride.web import _views

    today = dt.date.today()
    refresh_plan(request, patient_id, today)
    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        context = _views.progress_view(db, patient, today)
        imported = request.query_params.get("imported", "")  # days kept from an upload just now
        context["imported"] = int(imported) if imported.isdecimal() and len(imported) < 9 else None
        return render(
            request, "progress.html", {"title": "Progress", "user": user, "patient": patient, **context}
        )


# ------------------------------------------------------------------------------------------------ export
def _exported_record(request: Request, patient_id: int, what: str) -> tuple[Any, Any] | Response:
    """The patient's whole record for a download, with their name; or the emergency page a patient sees
    instead while an emergency waits to be acted on (their clinicians always get the record). The audit trail
    keeps every download as ``what``, the patient's own too (a copy of the record left the clinic)."""
    from backstride import _plans

    with transaction(request, readonly=True) as db:
        user, patient = require_patient_access(request, db, patient_id)
        stop = blocking_emergency(request, db, user, patient)  # only ever for the patient themselves
        if stop is not None:
            return stop
        note_audit(request, "record_exported", patient.id, user.id, what)
        return _plans.patient_record(db, patient, dt.date.today()), patient.name


def _file_name(name: str, now: dt.datetime, suffix: str) -> str:
    stem = "-".join(name.lower().split())[:60] or "patient"
    return f"backstride-{stem}-{now:%Y-%m-%d}{suffix}"


@router.get("/patients/{patient_id}/fhir.json")
def fhir_export(request: Request, patient_id: RowId) -> Response:
    """The patient's record as a FHIR R4 bundle to download: for their clinicians, and for the patient
    (their own data, to take to another clinic or doctor) once no emergency is waiting to be acted on."""
    from backstride import fhir, report

    found = _exported_record(request, patient_id, FHIR_EXPORT)
    if isinstance(found, Response):
        return found
    record, name = found
    now = dt.datetime.now(dt.UTC)
    summary = report.course_report(record, generated_at=now, plots=False)
    return Response(
        fhir.bundle_json(fhir.patient_bundle(record, generated_at=now, summary_html=summary)),
        media_type=f"{fhir.MEDIA_TYPE}; fhirVersion=4.0",
        headers=attachment(_file_name(name, now, ".fhir.json")),
    )


@router.get("/patients/{patient_id}/summary.html")
def course_summary(request: Request, patient_id: RowId, view: bool = False) -> Response:
    """The progress summary of the whole course for the patient's doctor (one self-contained HTML file), for
    the same people as the FHIR download: downloaded, or opened in the browser with ``?view=1``."""
    from backstride import report

    found = _exported_record(request, patient_id, SUMMARY_EXPORT)
    if isinstance(found, Response):
        return found
    record, name = found
    now = dt.datetime.now(dt.UTC)
    return report_response(
        report.course_report(record, generated_at=now), _file_name(name, now, "-summary.html"), view=view
    )
