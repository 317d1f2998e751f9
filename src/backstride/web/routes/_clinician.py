"""The clinician's pages: caseload, new patients, plan changes, therapy sessions and notes."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backstride._accounts import hash_password, random_password, token_digest
from backstride._errors import InputError
from backstride._words import given
from backstride.web._context import (
    RowId,
    check_csrf,
    emergency_number,
    get_state,
    require_patient_access,
    require_user,
    transaction,
)
from backstride.web._details_form import DetailsForm, account_taken, read_details
from backstride.web._fields import LINE_MAX, TEXT_MAX, text_problem
from backstride.web._jobs import Job
from backstride.web._render import render
from backstride.web._ways_in import ACCESS_KINDS, WayIn, give_way_in
from backstride.web.routes._auth import welcome_link

router = APIRouter(dependencies=[Depends(check_csrf)])

CLINICAL_ROLES = ("clinician", "admin")


@router.get("/caseload")
def caseload_page(request: Request) -> Response:
    from backstride import _plans, store

    with transaction(request, readonly=True) as db:
        user = require_user(request, db, *CLINICAL_ROLES)
        today = dt.date.today()
        rows = _plans.mark_paused_plans(db, store.caseload(db, user.id, today), today)  # open accounts only
        closed = store.closed_patients(db, user.id)
        return render(
            request, "caseload.html", {"title": "Caseload", "user": user, "rows": rows, "closed": closed}
        )


@router.get("/clinician/patients/new")
def new_patient_page(request: Request) -> Response:
    with transaction(request, readonly=True) as db:
        user = require_user(request, db, *CLINICAL_ROLES)
        return render(request, "patient_new.html", {"title": "New patient", "user": user, "form": {}})


@router.post("/clinician/patients/new")
async def new_patient(request: Request) -> Response:
    """Add a patient. A form with any problem comes back (422) with what was typed and every problem named
    as the form labels the field, and nothing is kept."""
    from starlette.concurrency import run_in_threadpool

    form = read_details(await request.form(), account=True)
    return await run_in_threadpool(_add_patient, request, form)


def _add_patient(request: Request, form: DetailsForm) -> Response:
    from backstride import store

    try:
        with transaction(request) as db:
            user = require_user(request, db, *CLINICAL_ROLES)
            account_taken(db, form)
            if not form.problems:
                password = random_password() if form.typed.get("access") == "password" else None
                token = None if password else secrets.token_urlsafe(24)
                patient = store.create_patient(
                    db,
                    user,
                    form.email,
                    form.name,
                    **form.profile,
                    password_hash=hash_password(password) if password else None,
                    first_login_token_hash=token_digest(token) if token else None,
                )
                link = welcome_link(request, token) if token else None
                max_age_s = get_state(request).settings.first_login_max_age_s  # as the sign-in counts it
                created = {
                    "patient": patient,
                    "password": password,
                    "link": link,
                    "link_days": round(max_age_s / 86400),
                    "lapses": store.first_login_lapses(patient, max_age_s) if token else None,
                }
                return render(
                    request,
                    "patient_created.html",
                    {"title": "Patient added", "user": user, **created},
                    status=201,
                )
    except InputError as exc:  # every field was checked on its own; an address taken just now, say
        form.problems.append(str(exc))  # (rolled back: nothing is kept)
    with transaction(request, readonly=True) as db:
        user = require_user(request, db, *CLINICAL_ROLES)
        return render(
            request,
            "patient_new.html",
            {
                "title": "New patient",
                "user": user,
                "form": form.typed,
                "problems": form.problems,
                "invalid": form.invalid,
            },
            status=422,
        )


def _patient_page_again(
    request: Request,
    patient_id: int,
    section: str,
    problems: list[str],
    values: dict[str, str],
    invalid: set[str] | None = None,
    *,
    status: int = 422,
) -> Response:
    """The clinician's page of the patient again (422, or ``status``: 409 for a form the account's state
    refuses), with the problems of the form of ``section`` named beside it, what was typed still in it and the
    fields in ``invalid`` marked."""
    from backstride.web import _views

    with transaction(request, readonly=True) as db:
        user, patient = require_patient_access(request, db, patient_id, *CLINICAL_ROLES)
        context = _views.clinician_view(
            db,
            patient,
            dt.date.today(),
            emergency_number=emergency_number(request),
            link_max_age_s=get_state(request).settings.first_login_max_age_s,
            viewer_id=user.id,
        )
        return render(
            request,
            "clinician_patient.html",
            {
                "title": patient.name,
                "user": user,
                "patient": patient,
                **context,
                "form_problems": {section: problems},
                "form_values": {section: values},
                "form_invalid": {section: invalid or set()},
            },
            status=status,
        )


def _saved_or_again(
    request: Request,
    patient_id: int,
    section: str,
    values: dict[str, str],
    save: Callable[[Any, Any, Any], object],
    *,
    then: str,
) -> Response:
    """``save(db, user, patient)`` in a writing transaction, as a clinician of the patient, then on to the page's
    ``then`` section; a refusal (:class:`InputError`) brings the page back with the form of ``section`` as it
    was typed and the reason beside it, nothing saved."""
    from backstride._plans import PlanChanged

    try:
        with transaction(request) as db:
            user, patient = require_patient_access(request, db, patient_id, *CLINICAL_ROLES)
            save(db, user, patient)
    except InputError as exc:
        # a plan changed meanwhile (409): the page comes back showing the plan as it is now
        status = 409 if isinstance(exc, PlanChanged) else 422
        return _patient_page_again(request, patient_id, section, [str(exc)], values, status=status)
    return RedirectResponse(f"/patients/{patient_id}#{then}", status_code=303)


def _walking_form(
    reason: str, walks_per_day: str, minutes_per_walk: str
) -> tuple[Any, Any, list[str], set[str], dict[str, str]]:
    """The walking dose form read: whole walks and minutes within the clinic's plan (``clinic.Plan``) and a
    reason; ``(walks, minutes, problems, invalid fields, values as typed)``."""
    from backstride.clinic import Plan
    from backstride.web._fields import bounds, read_number

    problems: list[str] = []
    invalid: set[str] = set()
    if problem := _reason_problem(reason):
        problems.append(problem)
        invalid.add("reason")
    walks, problem = read_number(walks_per_day, "Walks per day", bounds(Plan, "walks_per_day"), whole=True)
    if problem:
        problems.append(problem)
        invalid.add("walks_per_day")
    minutes, problem = read_number(
        minutes_per_walk, "Minutes per walk", bounds(Plan, "minutes_per_walk"), whole=True
    )
    if problem:
        problems.append(problem)
        invalid.add("minutes_per_walk")
    values = {"reason": reason, "walks_per_day": walks_per_day, "minutes_per_walk": minutes_per_walk}
    return walks, minutes, problems, invalid, values


def _seen(plan_version: str) -> int | None:
    """The plan version a plan form was opened at (its hidden ``plan_version``); None when it does not say
    (nothing is then checked, as before the forms sent it)."""
    text = plan_version.strip()
    return int(text) if text.isdecimal() and len(text) < 10 else None


@router.post("/patients/{patient_id}/plan")
def adjust_plan(
    request: Request,
    patient_id: RowId,
    reason: str = Form(""),
    walks_per_day: str = Form(""),
    minutes_per_walk: str = Form(""),
    plan_version: str = Form(""),
) -> Response:
    """A clinician's change to the walking dose, with its reason: whole walks and minutes within the clinic's
    plan (``clinic.Plan``); every problem is named on the page, the entries kept."""
    from backstride import _plans

    return _walking_saved(
        request,
        patient_id,
        (reason, walks_per_day, minutes_per_walk),
        lambda db, user, patient, walks, minutes: _plans.adjust_plan(
            db,
            patient.id,
            user.id,
            reason=reason.strip(),
            walks_per_day=walks,
            minutes_per_walk=minutes,
            seen=_seen(plan_version),
        ),
    )


@router.post("/patients/{patient_id}/plan/resume")
def resume_plan(
    request: Request,
    patient_id: RowId,
    reason: str = Form(""),
    walks_per_day: str = Form(""),
    minutes_per_walk: str = Form(""),
    plan_version: str = Form(""),
) -> Response:
    """A clinician resumes a paused plan after checking the patient: a new week from today at the walking dose
    given, with the reason (refused while the latest check-in asks for emergency care, or when the plan is not
    paused; the form comes back as typed, the reason beside it)."""
    from backstride import _plans

    return _walking_saved(
        request,
        patient_id,
        (reason, walks_per_day, minutes_per_walk),
        lambda db, user, patient, walks, minutes: _plans.resume_plan(
            db,
            patient,
            user.id,
            dt.date.today(),
            reason=reason.strip(),
            walks_per_day=walks,
            minutes_per_walk=minutes,
            emergency_number=emergency_number(request),
            seen=_seen(plan_version),
        ),
    )


def _walking_saved(
    request: Request,
    patient_id: int,
    typed: tuple[str, str, str],
    save: Callable[[Any, Any, Any, Any, Any], object],
) -> Response:
    """The walking form (``typed``: reason, walks per day, minutes per walk) read and, with nothing wrong in it,
    ``save(db, user, patient, walks, minutes)`` done: on to the page's plan, or the form back as typed with
    every problem named (the form's own, or the refusal of the save)."""
    walks, minutes, problems, invalid, values = _walking_form(*typed)
    if problems:
        return _patient_page_again(request, patient_id, "plan", problems, values, invalid)
    return _saved_or_again(
        request,
        patient_id,
        "plan",
        values,
        lambda db, user, patient: save(db, user, patient, walks, minutes),
        then="plan",
    )


_DOSE_FIELDS = (
    ("sets", "Sets"),
    ("reps", "Repetitions"),
    ("hold_s", "Seconds held"),
    ("per_day", "Times a day"),
)


def _reason_problem(reason: str) -> str | None:
    """What is wrong with the reason of a plan change: none given, or longer than :data:`TEXT_MAX`."""
    if not reason.strip():
        return "Reason: please say why the plan changes; it is kept with the new version."
    return text_problem(reason, "Reason", TEXT_MAX)


def _exercise_form_problems(
    reason: str, variant: str, exercise_name: str | None = None
) -> tuple[list[str], set[str]]:
    """The problems every exercise form can have: no reason (or one too long), or a version that is none of the
    three."""
    from backstride.clinic import VARIANTS

    problems: list[str] = []
    invalid: set[str] = set()
    if problem := _reason_problem(reason):
        problems.append(problem)
        invalid.add("reason")
    if variant not in VARIANTS:
        problems.append("Version: choose easier, standard or harder.")
        invalid.add("variant")
    if exercise_name == "":
        problems.append("Exercise: choose one from the library.")
        invalid.add("exercise")
    return problems, invalid


def _library_exercise(exercise_id: str) -> None:
    from backstride.clinic import EXERCISES

    if exercise_id not in EXERCISES:
        raise HTTPException(404, "There is no such exercise in the library.")


@router.post("/patients/{patient_id}/plan/exercises/{exercise_id}")
def change_exercise(
    request: Request,
    patient_id: RowId,
    exercise_id: str,
    reason: str = Form(""),
    variant: str = Form("standard"),
    sets: str = Form(""),
    reps: str = Form(""),
    hold_s: str = Form(""),
    per_day: str = Form(""),
    plan_version: str = Form(""),
) -> Response:
    """A clinician's change to one exercise of the plan (its dose and version), with its reason, as a new
    plan version. The limits of each part of the dose are the clinic's (``clinic.dose_limits``); every
    problem is named beside the exercise, the entries kept, nothing saved."""
    from backstride import _plans
    from backstride.clinic import EXERCISES, dose_limits
    from backstride.web._fields import read_number

    _library_exercise(exercise_id)
    section = f"exercise-{exercise_id}"
    typed = {"sets": sets, "reps": reps, "hold_s": hold_s, "per_day": per_day}
    values = {"reason": reason, "variant": variant, **typed}
    problems, invalid = _exercise_form_problems(reason, variant)
    limits = dose_limits(exercise_id)
    dose: dict[str, int | None] = {}
    for name, label in _DOSE_FIELDS:
        bounds = limits[name]
        if bounds is None:
            if typed[name].strip():
                problems.append(f"{label}: {EXERCISES[exercise_id].name} has none; leave it empty.")
                invalid.add(name)
            continue
        value, problem = read_number(typed[name], label, (bounds[0], bounds[1], False), whole=True)
        if problem:
            problems.append(problem)
            invalid.add(name)
        else:
            dose[name] = value
    if problems:
        return _patient_page_again(request, patient_id, section, problems, values, invalid)
    return _saved_or_again(
        request,
        patient_id,
        section,
        values,
        lambda db, user, patient: _plans.change_exercise(
            db,
            patient.id,
            user.id,
            exercise_id,
            reason=reason.strip(),
            variant=variant,
            dose=dose,
            seen=_seen(plan_version),
        ),
        then=section,
    )


@router.post("/patients/{patient_id}/plan/exercises/{exercise_id}/remove")
def remove_exercise(
    request: Request,
    patient_id: RowId,
    exercise_id: str,
    reason: str = Form(""),
    variant: str = Form("standard"),
    sets: str = Form(""),
    reps: str = Form(""),
    hold_s: str = Form(""),
    per_day: str = Form(""),
    plan_version: str = Form(""),
) -> Response:
    """A clinician takes an exercise out of the plan, with its reason, as a new plan version (the button
    sits in the exercise's form: what else was typed there comes back if the removal is refused)."""
    from backstride import _plans

    _library_exercise(exercise_id)
    section = f"exercise-{exercise_id}"
    values = {
        "reason": reason,
        "variant": variant,
        "sets": sets,
        "reps": reps,
        "hold_s": hold_s,
        "per_day": per_day,
    }
    problems, invalid = _exercise_form_problems(reason, "standard")
    if problems:
        return _patient_page_again(request, patient_id, section, problems, values, invalid)
    return _saved_or_again(
        request,
        patient_id,
        section,
        values,
        lambda db, user, patient: _plans.remove_exercise(
            db, patient.id, user.id, exercise_id, reason=reason.strip(), seen=_seen(plan_version)
        ),
        then="plan-exercises",
    )


@router.post("/patients/{patient_id}/plan/exercises")
def add_exercise(
    request: Request,
    patient_id: RowId,
    exercise: str = Form(""),
    variant: str = Form("standard"),
    reason: str = Form(""),
    plan_version: str = Form(""),
) -> Response:
    """A clinician adds an exercise of the library to the plan at its starting dose, with its reason, as a
    new plan version."""
    from backstride import _plans
    from backstride.clinic import EXERCISES

    section = "exercise-add"
    values = {"exercise": exercise, "variant": variant, "reason": reason}
    problems, invalid = _exercise_form_problems(reason, variant, exercise if exercise in EXERCISES else "")
    if problems:
        return _patient_page_again(request, patient_id, section, problems, values, invalid)
    return _saved_or_again(
        request,
        patient_id,
        section,
        values,
        lambda db, user, patient: _plans.add_exercise(
            db,
            patient.id,
            user.id,
            exercise,
            reason=reason.strip(),
            variant=variant,
            seen=_seen(plan_version),
        ),
        then=f"exercise-{exercise}",
    )


@router.post("/patients/{patient_id}/sessions")
def add_session(
    request: Request,
    patient_id: RowId,
    date: str = Form(""),
    technique: str = Form(""),
    region: str = Form(""),
    dose: str = Form(""),
    duration_min: str = Form(""),
    pain_before: str = Form(""),
    pain_after: str = Form(""),
    response: str = Form(""),
    notes: str = Form(""),
) -> Response:
    """A therapy session, checked with the clinic's model; every problem is named on the page, the entries
    kept."""
    from backstride import _plans
    from backstride.clinic import TherapySession
    from backstride.web._fields import bounds, read_number

    values = {
        "date": date,
        "technique": technique,
        "region": region,
        "dose": dose,
        "duration_min": duration_min,
        "pain_before": pain_before,
        "pain_after": pain_after,
        "response": response,
        "notes": notes,
    }
    problems: list[str] = []
    invalid: set[str] = set()  # the names of the fields the problems name, marked on the form

    def refuse(name: str, problem: str) -> None:
        problems.append(problem)
        invalid.add(name)

    day = dt.date.today()
    if date.strip():
        try:
            day = dt.date.fromisoformat(date.strip())
        except ValueError:
            refuse("date", f"Date: {given(date.strip())} is not a date (give it as YYYY-MM-DD).")
        else:  # a session is noted after it took place: a later day is a slip of the keyboard (2062 for 2026)
            if day > dt.date.today():
                refuse(
                    "date", f"Date: {day.isoformat()} is after today; give the day the session took place."
                )
    for name, label in (("technique", "Technique"), ("region", "Region")):
        if not values[name].strip():
            refuse(name, f"{label}: please fill it in.")
    for name, label, most in (
        ("technique", "Technique", LINE_MAX),
        ("region", "Region", LINE_MAX),
        ("dose", "Dose", LINE_MAX),
        ("notes", "Notes", TEXT_MAX),
    ):
        if problem := text_problem(values[name], label, most, one_line=most == LINE_MAX):
            refuse(name, problem)
    if response not in ("better", "same", "worse"):
        refuse("response", "Response: choose Better, Same or Worse.")
    numbers: dict[str, float | None] = {}
    for name, label in (
        ("duration_min", "Minutes"),
        ("pain_before", "Pain before"),
        ("pain_after", "Pain after"),
    ):
        value, problem = read_number(values[name], label, bounds(TherapySession, name), whole=False)
        numbers[name] = None if problem else value
        if problem:
            refuse(name, problem)
    if problems:
        return _patient_page_again(request, patient_id, "sessions", problems, values, invalid)
    session = {
        "date": day,
        "technique": technique.strip(),
        "region": region.strip(),
        "dose": dose.strip() or None,
        **numbers,
        "response": response,
        "notes": notes.strip(),
    }
    return _saved_or_again(
        request,
        patient_id,
        "sessions",
        values,
        lambda db, user, patient: _plans.add_therapy_session(db, patient.id, user, session),
        then="sessions",
    )


@router.post("/patients/{patient_id}/notes")
def add_note(request: Request, patient_id: RowId, text: str = Form(...)) -> Response:
    """A clinician's note about the patient, of at most :data:`TEXT_MAX` characters; an empty or longer one
    brings the page back with the note as it was typed and the problem beside it, nothing saved."""
    from backstride import store

    values = {"text": text}
    problem = "Note: please write it." if not text.strip() else text_problem(text, "Note", TEXT_MAX)
    if problem:
        return _patient_page_again(request, patient_id, "notes", [problem], values, {"text"})
    return _saved_or_again(
        request,
        patient_id,
        "notes",
        values,
        lambda db, user, patient: (
            store.note_sent_again(db, patient.id, user.id, text)
            or store.add_note(db, patient.id, user.id, text)
        ),
        then="notes",
    )


# --------------------------------------------------------------------------- the patient's details, put right
@router.post("/patients/{patient_id}/profile")
async def edit_profile(request: Request, patient_id: RowId) -> Response:
    """A clinician puts the patient's age, sex, height or sensor height right (checked as when the patient was
    added; every problem is named on the page, the entries kept, nothing changed). Stored analyses keep the
    figures they were made with; the page then offers to analyse those made with another height again."""
    from starlette.concurrency import run_in_threadpool

    form = read_details(await request.form(), account=False)
    return await run_in_threadpool(_save_profile, request, patient_id, form)


def _save_profile(request: Request, patient_id: int, form: DetailsForm) -> Response:
    from backstride import store

    if form.problems:
        return _patient_page_again(request, patient_id, "details", form.problems, form.typed, form.invalid)
    # every field was checked on its own: a refusal here is not expected
    return _saved_or_again(
        request,
        patient_id,
        "details",
        form.typed,
        lambda db, _user, patient: store.update_profile(db, patient.id, **form.profile),
        then="recordings",
    )


@router.post("/patients/{patient_id}/recordings/{recording_id}/analyse-again")
def analyse_again(request: Request, patient_id: RowId, recording_id: RowId) -> Response:
    """Analyse a stored recording again with the patient's current height and sensor height, in the
    background (the upload's job page follows it). The earlier analysis is kept; the new one is shown."""
    from backstride import store
    from backstride.web._analysis import analyze_stream_with_progress, subject_of
    from backstride.web._reading import in_the_forms_words
    from backstride.web._uploads import stored_options

    state = get_state(request)
    with transaction(request, readonly=True) as db:
        _user, patient = require_patient_access(request, db, patient_id, *CLINICAL_ROLES)
        rec = store.get_recording(db, recording_id)
        if rec is None or rec.patient_id != patient.id:
            raise HTTPException(404, "There is no such recording.")
        subject = subject_of(patient.profile)
        filename, size = rec.filename, rec.size_bytes
        options = stored_options(rec)  # what the upload form said of the file

    def work(job: Job) -> int:
        with store.transaction(state.engine, readonly=True) as session:  # WAL: a reader holds up no writer
            row = store.get_recording(session, recording_id)
            if row is None:
                raise InputError("the recording is no longer stored")
            try:
                with store.recording_file(state.blobs, row) as path, in_the_forms_words():
                    result = analyze_stream_with_progress(path, subject, job.add_analysed, options)
            except OSError as exc:
                raise InputError(f"its stored file could not be read ({exc.strerror or exc})") from None
        with store.transaction(state.engine) as session:
            store.add_analysis(session, recording_id, result)
        return recording_id

    job = state.jobs.submit(patient_id, filename, size, work, again=recording_id)
    return RedirectResponse(f"/patients/{patient_id}/recordings/jobs/{job.id}", status_code=303)


# ------------------------------------------------------------------------------- a new way to sign in


@router.post("/patients/{patient_id}/access")
def give_access(request: Request, patient_id: RowId, kind: str = Form("")) -> Response:
    """A new first-login link (``kind=link``) or a new password (``kind=password``) for a patient who lost
    theirs or whose link lapsed, shown once (201). A new link takes the place of any earlier one and leaves
    the password working until it is used (``store.new_first_login``), so a link handed on by mistake locks
    nobody out; a new password ends the old one, any link and every session of the patient's
    (``store.new_password``). A closed account is refused (409) beside the buttons that reopen it: the page
    offers no other, so only a stale page or a forged form gets here."""
    return _give_way_in(request, patient_id, kind, reopen=False)


@router.post("/patients/{patient_id}/reopen")
def reopen_account(request: Request, patient_id: RowId, kind: str = Form("")) -> Response:
    """Reopen a closed account and give it a new first-login link or password in the same transaction
    (``store.reopen_account`` leaves it with no way in), shown once as a new way in is. An open account is
    refused (409) beside the section's buttons."""
    return _give_way_in(request, patient_id, kind, reopen=True)


def _give_way_in(request: Request, patient_id: int, kind: str, *, reopen: bool) -> Response:
    if kind not in ACCESS_KINDS:
        problem = "Please choose a new first-login link or a new password (one of the two buttons)."
        return _patient_page_again(request, patient_id, "access", [problem], {"kind": kind})
    settings = get_state(request).settings
    way = WayIn.new(kind)  # argon2 is slow: outside the transaction
    try:
        with transaction(request) as db:
            user, patient = require_patient_access(request, db, patient_id, *CLINICAL_ROLES)
            given = give_way_in(
                db,
                patient,
                way,
                reopen=reopen,
                by_id=user.id,
                settings=settings,
                closed_hint="one of the buttons below",
            )
            return render(
                request,
                "access_given.html",
                {
                    "title": f"A new {'password' if way.password else 'first-login link'} for {patient.name}",
                    "user": user,
                    "patient": patient,
                    "password": way.password,
                    "link": welcome_link(request, way.token) if way.token else None,
                    "lapses": given.lapses,
                    "had_password": given.had_password,
                    "reopened": reopen,
                },
                status=201,
            )
    except InputError as exc:  # closed or open meanwhile (another tab, another clinician): nothing was given
        return _patient_page_again(request, patient_id, "access", [str(exc)], {"kind": kind}, status=409)


# ---------------------------------------------------------------------------------- closing an account
@router.post("/patients/{patient_id}/close")
def close_account(request: Request, patient_id: RowId, reason: str = Form("")) -> Response:
    """Close the patient's account when their care ends (``store.close_account``): they no longer sign in and
    every session of theirs ends; every record stays, their clinicians keep reading and adding to it, and it
    can be reopened. The reason is required and kept; a missing or over-long one brings the form back as
    typed, nothing closed."""
    from backstride import store

    kept = " ".join(reason.split())  # as the store keeps it: spaces run together
    problem = (
        "Reason: please say why the account is closed (for example: care completed, moved away)."
        if not kept
        else text_problem(kept, "Reason", store.MAX_CLOSE_REASON)
    )
    if problem:
        return _patient_page_again(request, patient_id, "close", [problem], {"reason": reason}, {"reason"})
    settings = get_state(request).settings
    try:
        with transaction(request) as db:
            user, patient = require_patient_access(request, db, patient_id, *CLINICAL_ROLES)
            store.close_account(
                db, patient.id, kept, by_id=user.id, session_max_age_s=settings.session_max_age_s
            )
    except InputError as exc:  # closed already (another tab, another clinician): the first reason stays
        return _patient_page_again(request, patient_id, "close", [str(exc)], {"reason": reason}, status=409)
    return RedirectResponse(f"/patients/{patient_id}#access", status_code=303)


# ------------------------------------------------------------------------------------------ the care team
@router.post("/patients/{patient_id}/care-team")
def add_to_care_team(request: Request, patient_id: RowId, clinician: str = Form("")) -> Response:
    """Add a clinician or an administrator to the patient's care team (``store.link_patient``): the patient then
    appears in their caseload. No choice is refused (422); a choice the page no longer holds (an account closed
    or added meanwhile, a forged id) is refused (409) beside the list; nothing is written then."""
    from backstride import store
    from backstride.web._care_team import add_to_care

    values = {"clinician": clinician}
    if not clinician.strip():
        problem = "Clinician: choose one from the list."
        return _patient_page_again(request, patient_id, "care-team", [problem], values, {"clinician"})
    try:
        with transaction(request) as db:
            user, patient = require_patient_access(request, db, patient_id, *CLINICAL_ROLES)
            add_to_care(db, patient, store.row_id(clinician), by_id=user.id)
    except InputError as exc:
        return _patient_page_again(request, patient_id, "care-team", [str(exc)], values, status=409)
    return RedirectResponse(f"/patients/{patient_id}#care-team", status_code=303)


@router.post("/patients/{patient_id}/care-team/{clinician_id}/remove")
def remove_from_care_team(
    request: Request, patient_id: RowId, clinician_id: RowId, confirm: str = Form("")
) -> Response:
    """End a clinician's care of the patient (``store.unlink_patient``; their notes and entries stay), asked
    first: the Remove button's POST changes nothing and shows what would happen, with Confirm (this POST again,
    ``confirm=yes``) and Cancel, so one click takes nobody off a patient's care, and no script is needed. A
    clinician leaving the patient themselves is refused (409) unless another clinician with an open account still
    looks after them, before the question as after it; one who did leave goes back to their caseload, where the
    patient no longer is. A clinician no longer in the team (another tab) is refused (409); nothing is written
    then."""
    from backstride import store

    confirmed = confirm == "yes"
    try:
        with transaction(request, readonly=not confirmed) as db:
            user, patient = require_patient_access(request, db, patient_id, *CLINICAL_ROLES)
            ends = (store.unlink_patient if confirmed else store.check_unlink_patient)(
                db, clinician_id, patient.id, by_id=user.id
            )
            if not ends:
                raise InputError(
                    f"The clinician chosen no longer looks after {patient.name} (the page was out of date): "
                    "nothing was changed."
                )
            if not confirmed:
                return _removal_asked(request, db, user, patient, clinician_id)
            left = user.id == clinician_id and not store.can_access(db, user, patient.id)
    except InputError as exc:
        said = str(exc)
        said = said[:1].upper() + said[1:] + ("" if said.endswith(".") else ".")
        return _patient_page_again(request, patient_id, "care-team", [said], {}, status=409)
    return RedirectResponse("/caseload" if left else f"/patients/{patient_id}#care-team", status_code=303)


def _removal_asked(request: Request, db: Any, user: Any, patient: Any, clinician_id: int) -> Response:
    """The question before a removal: who leaves whose care, who still looks after the patient, and how to undo
    it, with Confirm and Cancel."""
    from backstride.web._care_team import care_team

    team = care_team(db, patient.id)
    leaving = next(m for m in team if m.account.id == clinician_id)
    yourself = clinician_id == user.id
    return render(
        request,
        "care_team_remove.html",
        {
            "title": f"Leave {patient.name}'s care team?"
            if yourself
            else f"Remove {leaving.account.name} from {patient.name}'s care team?",
            "user": user,
            "patient": patient,
            "leaving": leaving,
            "yourself": yourself,
            "others": [m for m in team if m.account.id != clinician_id and not m.closed],
        },
    )


# ------------------------------------------------------------------------------------- entered in error
def _in_error_refused(request: Request, patient_id: int, key: str, reason: str) -> Response | None:
    """The patient's page again (422) with the entry's form (``key``: ``q-`` or ``r-`` and its id) open, the
    reason as typed and its problem beside it, when the reason is empty or longer than the store keeps
    (:data:`backstride.store.MAX_ERROR_REASON`, counted as it would be kept: spaces run together)."""
    from backstride import store

    kept = " ".join(reason.split())
    label = "Why it is in error"
    problem = (
        f"{label}: please say (for example: another patient's file)."
        if not kept
        else text_problem(kept, label, store.MAX_ERROR_REASON)
    )
    if problem is None:
        return None
    return _patient_page_again(request, patient_id, key, [problem], {"reason": reason}, {"reason"})


@router.post("/patients/{patient_id}/questionnaires/responses/{response_id}/entered-in-error")
def questionnaire_entered_in_error(
    request: Request, patient_id: RowId, response_id: RowId, reason: str = Form("")
) -> Response:
    """A clinician marks a questionnaire response as entered in error (kept, never counted again)."""
    from backstride import store

    if refused := _in_error_refused(request, patient_id, f"q-{response_id}", reason):
        return refused
    with transaction(request) as db:
        user, patient = require_patient_access(request, db, patient_id, *CLINICAL_ROLES)
        row = db.get(store.QuestionnaireResponse, response_id)
        if row is None or row.patient_id != patient.id:
            raise HTTPException(404, "There is no such questionnaire answer.")
        store.mark_entered_in_error(db, row, user.id, reason)
    return RedirectResponse(f"/patients/{patient_id}#questionnaires", status_code=303)


@router.post("/patients/{patient_id}/recordings/{recording_id}/entered-in-error")
def recording_entered_in_error(
    request: Request, patient_id: RowId, recording_id: RowId, reason: str = Form("")
) -> Response:
    """A clinician marks a recording as entered in error (another patient's file, a sensor worn wrongly):
    kept with its analysis, left out of trends, plans and reports."""
    from backstride import store

    if refused := _in_error_refused(request, patient_id, f"r-{recording_id}", reason):
        return refused
    with transaction(request) as db:
        user, patient = require_patient_access(request, db, patient_id, *CLINICAL_ROLES)
        row = store.get_recording(db, recording_id)
        if row is None or row.patient_id != patient.id:
            raise HTTPException(404, "There is no such recording.")
        store.mark_entered_in_error(db, row, user.id, reason)
    return RedirectResponse(f"/patients/{patient_id}#recordings", status_code=303)
