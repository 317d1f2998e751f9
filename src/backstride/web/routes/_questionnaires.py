"""Questionnaires: NPRS, Oswestry, Roland-Morris, STarT Back and PSFS, scored by ``backstride.clinic``.

The Oswestry, Roland-Morris and STarT Back wording is licensed, so their forms show section names only,
unless the clinic supplied its licensed texts (``create_app(questionnaire_dir=...)``: one
``<instrument>.json`` or ``.toml`` per instrument, read with :func:`backstride.clinic.load_definitions`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backstride._errors import InputError
from backstride.web._context import RowId, check_csrf, get_state, transaction
from backstride.web._flow import patient_access
from backstride.web._render import render

router = APIRouter(dependencies=[Depends(check_csrf)])

ORDER = ("nprs", "odi", "rmdq", "startback", "psfs")


def _instrument(instrument: str) -> Any:
    from backstride.clinic import INSTRUMENTS

    if instrument not in INSTRUMENTS or instrument not in ORDER:
        raise HTTPException(404, "There is no such questionnaire.")
    return INSTRUMENTS[instrument]


def clinic_texts(request: Request, instrument: str) -> Any | None:
    """The clinic's licensed wording for ``instrument``, if it supplied one."""
    from backstride.clinic import load_definitions

    folder = get_state(request).settings.questionnaire_dir
    if folder is None:
        return None
    for suffix in (".json", ".toml"):
        path = Path(folder) / f"{instrument}{suffix}"
        if path.is_file():
            return load_definitions(path)
    return None


def _int_field(form: Any, name: str, lo: int, hi: int, label: str, wanted: str) -> int | None:
    """One of the values the form's buttons send, ``lo`` to ``hi``; anything else is refused, saying what is
    ``wanted`` ("a whole number from 0 to 10", "Agree or Disagree") rather than naming no answer."""
    raw = form.get(name)
    if not isinstance(raw, str) or raw.strip() == "":
        return None
    # int() also took "1_0" as 10: only the exact values the buttons send
    if raw.strip() not in {str(v) for v in range(lo, hi + 1)}:
        raise HTTPException(422, f"{label}: choose {wanted}.")
    return int(raw)


def _typed_score(form: Any, name: str, instrument: Any, label: str) -> int | None:
    """A score typed in a number box (the PSFS's), read as every form reads a number (a decimal comma too):
    a whole number within the instrument's own bounds; anything else is refused saying so."""
    from backstride.web._fields import UNUSABLE, read_number

    limits = (instrument.score_min, instrument.score_max, False)
    value, problem = read_number(form.get(name), label, limits, whole=True)
    if value is UNUSABLE:
        raise HTTPException(422, problem)
    return value  # type: ignore[no-any-return]


def _ticked(form: Any, name: str, label: str) -> bool:
    """A checkbox: ticked when the form sends "yes" (its value), not ticked when it sends nothing; any other
    value is refused (it was read as "not ticked", so a crafted "maybe" lowered the score)."""
    raw = form.get(name)
    if raw is None:
        return False
    if raw != "yes":
        raise HTTPException(422, f"{label}: tick the statement or leave it empty.")
    return True


def answers_from_form(instrument: Any, form: Any) -> dict[str, Any]:
    """The answers in the form ``backstride.clinic.score`` takes, from the submitted fields."""
    sections: list[str] = list(instrument.sections)
    if instrument.id == "nprs":
        lo, hi = int(instrument.score_min), int(instrument.score_max)
        value = _int_field(form, "score", lo, hi, "Pain", f"a whole number from {lo} to {hi}")
        if value is None:
            raise HTTPException(422, f"Please choose a number from {lo} to {hi} for your pain.")
        return {"score": value}
    if instrument.id == "odi":
        top = (instrument.options_per_section or 0) - 1  # the statements are numbered 0 to 5
        return {
            "sections": [
                _int_field(form, f"s{i}", 0, top, name, f"one of the statements, from 0 to {top}")
                for i, name in enumerate(sections, start=1)
            ]
        }
    if instrument.id == "rmdq":
        return {"items": [_ticked(form, f"i{i}", name) for i, name in enumerate(sections, start=1)]}
    if instrument.id == "startback":
        items: list[Any] = []
        for i, name in enumerate(sections, start=1):
            last = i == len(sections)
            wanted = "one of the answers, from not at all to extremely" if last else "Agree or Disagree"
            value = _int_field(form, f"i{i}", 0, 4 if last else 1, name, wanted)
            if value is None:
                raise HTTPException(422, f"Please answer every statement; '{name}' was left out.")
            items.append(value)
        return {"items": items}
    if instrument.id == "psfs":
        activities = []
        for i in range(1, 6):
            name = form.get(f"a{i}_name")
            name = name.strip() if isinstance(name, str) else ""
            value = _typed_score(form, f"a{i}_score", instrument, f"Activity {i}")
            if name and value is not None:
                activities.append({"name": name, "score": value})
            elif name or value is not None:
                raise HTTPException(422, f"Activity {i}: please give both the activity and its number.")
        return {"activities": activities}
    raise HTTPException(404, "There is no such questionnaire.")  # pragma: no cover


@router.get("/patients/{patient_id}/questionnaires")
def questionnaires_page(request: Request, patient_id: RowId) -> Response:
    from backstride import store
    from backstride.clinic import INSTRUMENTS

    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        latest = store.latest_questionnaires(db, patient.id)
        rows = [(INSTRUMENTS[i], latest.get(i)) for i in ORDER if i in INSTRUMENTS]
        return render(
            request,
            "questionnaires.html",
            {"title": "Questionnaires", "user": user, "patient": patient, "rows": rows},
        )


@router.get("/patients/{patient_id}/questionnaires/{instrument_id}")
def questionnaire_form(request: Request, patient_id: RowId, instrument_id: str) -> Response:
    instrument = _instrument(instrument_id)
    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        return _form(request, user, patient, instrument, {})


def _form(
    request: Request,
    user: Any,
    patient: Any,
    instrument: Any,
    typed: dict[str, str],
    *,
    status: int = 200,
    **more: Any,
) -> Response:
    """The questionnaire's form, with the answers ``typed`` ticked (``more``: what the page adds)."""
    context = {
        "title": instrument.name,
        "user": user,
        "patient": patient,
        "instrument": instrument,
        "texts": clinic_texts(request, instrument.id),
        "typed": typed,
        **more,
    }
    return render(request, "questionnaire.html", context, status=status)


@router.post("/patients/{patient_id}/questionnaires/{instrument_id}")
async def questionnaire_submit(request: Request, patient_id: RowId, instrument_id: str) -> Response:
    from starlette.concurrency import run_in_threadpool

    instrument = _instrument(instrument_id)
    form = await request.form()
    typed = {str(k): str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        answers = answers_from_form(instrument, form)
    except HTTPException as exc:
        if exc.status_code != 422:
            raise
        return await run_in_threadpool(_refused, request, patient_id, instrument, typed, str(exc.detail))
    return await run_in_threadpool(_save, request, patient_id, instrument, answers, typed)


def _refused(
    request: Request, patient_id: int, instrument: Any, typed: dict[str, str], problem: str
) -> Response:
    """An answer the form cannot use (an activity without its number): the form again, what was typed
    still in it and the problem named, nothing kept — not the app's error page, which lost it all."""
    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        return _form(request, user, patient, instrument, typed, not_used=problem, status=422)


def _next_page(patient_id: int, instrument: Any) -> str:
    later = ORDER[ORDER.index(instrument.id) + 1 :]
    if later:
        return f"/patients/{patient_id}/questionnaires/{later[0]}"
    return f"/patients/{patient_id}/recordings/new"


def _save(
    request: Request, patient_id: int, instrument: Any, answers: dict[str, Any], typed: dict[str, str]
) -> Response:
    """Score and keep the answers; answers too few for a score (an Oswestry with more than one section
    open) come back on the form with the clinic's reason, the answers given still ticked, and so do answers
    the clinic refuses as a whole (a PSFS with the same activity twice), as :func:`_refused` brings them."""
    from backstride import clinic, store

    with transaction(request) as db:
        user, patient = patient_access(request, db, patient_id)
        try:
            result = clinic.score(instrument.id, answers)
        except InputError as exc:
            return _form(request, user, patient, instrument, typed, not_used=str(exc), status=422)
        if result.score is None and result.reason:
            return _form(
                request,
                user,
                patient,
                instrument,
                typed,
                not_scored=result.reason,
                skip_to=_next_page(patient_id, instrument),
                status=422,
            )
        if store.questionnaire_sent_again(db, patient.id, instrument.id, answers) is None:  # sent twice: once
            store.add_questionnaire(db, patient.id, instrument.id, answers, result.score, result)
    return RedirectResponse(_next_page(patient_id, instrument), status_code=303)
