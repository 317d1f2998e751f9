"""Uploading a recording, following its analysis, and the result page with plots and norms."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUploadFile

from backstride import io
from backstride._errors import (
    ActivityFileError,
    InputError,
    OptionNeeded,
    UnpackLimitError,
    UnsupportedFormatError,
)
from backstride.web._context import (
    RowId,
    check_csrf,
    get_state,
    require_patient_access,
    transaction,
    upload_filename,
    with_uploaded_file,
)
from backstride.web._jobs import new_job_id
from backstride.web._reading import FIELDS, SECTION, described, options_from_form, refusal
from backstride.web._render import render, report_response
from backstride.web._spool import Ticket
from backstride.web._uploads import stored_options, submit_upload

ACCEPTED_SUFFIXES = io.SUFFIXES
# an activity file's (a watch's, Garmin Connect's, Apple Health's), read on the progress page
ACTIVITY_SUFFIXES = (".fit", ".fit.gz", ".xml")
# where such a file goes instead (the progress page's section of the walking figures a phone or watch measured)
ACTIVITY_ADVICE = (
    "Upload it on the Progress page, under “Walking measured by the phone or watch”, where its steps and walks "
    "are kept."
)

# A ZIP upload may unpack to at most this many times the upload limit (200 MB: 4 GB); a CSV compresses about
# 3 to 6 times, a "ZIP bomb" of a repeated line about 400 times (a 1.3 MB ZIP unpacked to 500 MB).
ZIP_UNPACKED_FACTOR = 20


async def check_upload_size(request: Request) -> None:
    """Refuse an upload larger than the configured limit before any of it is parsed (HTTP 413).

    Runs before the CSRF check, which parses the form. A request without ``Content-Length`` (chunked)
    cannot be measured in advance and gets 411.
    """
    if request.method != "POST":
        return
    limit = get_state(request).settings.max_upload_bytes
    raw = request.headers.get("content-length")
    if raw is None:
        raise HTTPException(
            411, "The upload did not say how large it is. Please upload the file from the form."
        )
    try:
        size = int(raw)
    except ValueError:
        raise HTTPException(400, "The upload's size header is not a number.") from None
    if size > limit:
        raise HTTPException(
            413,
            f"The file is too large ({_size_text(size)}). The largest recording accepted is "
            f"{_size_text(limit)}; record a shorter walk or export only the walk.",
        )


router = APIRouter(dependencies=[Depends(check_upload_size), Depends(check_csrf)])


def _limit_text(request: Request) -> str:
    return f"{get_state(request).settings.max_upload_bytes / 1e6:.0f} MB"


@router.get("/patients/{patient_id}/recordings/new")
def upload_page(request: Request, patient_id: RowId) -> Response:
    from backstride.web._flow import patient_access

    with transaction(request, readonly=True) as db:
        user, patient = patient_access(request, db, patient_id)
        return render(
            request,
            "upload.html",
            {
                "title": "Measure a walk",
                "user": user,
                "patient": patient,
                "limit": _limit_text(request),
                "accept": ",".join(ACCEPTED_SUFFIXES),
                "read_fields": FIELDS,
                "read_section": SECTION,
            },
        )


@router.get("/patients/{patient_id}/recordings")
def recordings_page(request: Request, patient_id: RowId) -> Response:
    from backstride import store

    with transaction(request, readonly=True) as db:
        user, patient = require_patient_access(request, db, patient_id)
        rows = [(rec, store.latest_analysis(db, rec.id)) for rec in store.recordings_of(db, patient.id)]
        return render(
            request,
            "recordings.html",
            {"title": "Recordings", "user": user, "patient": patient, "rows": rows},
        )


@router.post("/patients/{patient_id}/recordings")
async def upload(request: Request, patient_id: RowId) -> Response:
    """Check the file now (type, size, readable); analyse and store it in the background."""
    missing = "No file was chosen. Choose the recording (a ZIP or CSV file) and try again."
    response: Response = await with_uploaded_file(
        request, missing, lambda file, form: _accept_upload(request, patient_id, file, form)
    )
    return response


def _accept_upload(request: Request, patient_id: int, file: StarletteUploadFile, form: Any) -> Response:
    from backstride.web._analysis import check_stream, read_recording

    state = get_state(request)
    options = options_from_form(form)
    with transaction(request, readonly=True) as db:
        user, _patient = require_patient_access(request, db, patient_id)
    filename = upload_filename(file.filename, "recording")
    if filename.lower().endswith(ACTIVITY_SUFFIXES):
        raise HTTPException(
            415,
            f"{filename} looks like a phone's or watch's activity file (Apple Health, Garmin): the steps and "
            f"walks it worked out itself, not a sensor's recording. {ACTIVITY_ADVICE}",
        )
    if not filename.lower().endswith(ACCEPTED_SUFFIXES):
        raise HTTPException(
            415,
            f"{filename} is not a recording backstride can read. Upload a phone app's export (phyphox: its ZIP "
            "or Excel file; Sensor Logger: its ZIP, JSON or SQLite file; MetaBase: a ZIP of its files), a CSV "
            "file, or a wearable's own file "
            "(Axivity .cwa, ActiGraph .gt3x, GENEActiv .bin; also gzip-compressed, e.g. .cwa.gz).",
        )
    size = file.size if file.size is not None else 0
    if size > state.settings.max_upload_bytes:
        raise HTTPException(
            413, f"The file is too large. The largest recording accepted is {_limit_text(request)}."
        )
    if size == 0:
        raise HTTPException(422, f"{filename} is empty.")
    recording = None
    job_id = new_job_id()
    local = state.spool.save(file, job_id, filename)
    try:
        most = ZIP_UNPACKED_FACTOR * state.settings.max_upload_bytes
        try:
            # a logger's gzip file (a .cwa.gz) is unpacked once, here, stopped past ``most``, and what it unpacks
            # to is read (the readers would unpack it again); a ZIP or a CSV's gzip text is counted as it stands
            with io.unpacked(local, most) as (readable, unpack_note):
                unpacked = readable.stat().st_size if readable != local else io.unpacked_size(local, most)
                if unpacked is not None and unpacked > most:
                    counted = not filename.lower().endswith(".gz")  # a gzip file's count stops past ``most``
                    raise _unpacks_too_much(filename, unpacked if counted else None, most)
                # read whole, a large file would need GBs; a ZIP or gzip file goes by what it unpacks to (a small
                # one of a repetitive file can unpack to gigabytes: read whole, ~4 bytes of memory for each)
                streamed = max(size, unpacked or 0) >= state.settings.stream_from_bytes
                if streamed:
                    fmt = check_stream(readable, options)
                else:
                    recording, fmt = read_recording(readable, options)
                    if unpack_note is not None:  # as io.read says it of the file it unpacks itself
                        recording = replace(recording, notes=(*recording.notes, unpack_note))
        except UnpackLimitError as exc:
            raise _unpacks_too_much(filename, exc.size, most) from None
        except OptionNeeded as exc:  # the form's fields named, not the command line's flags
            raise HTTPException(422, refusal(exc, filename)) from None
        except ActivityFileError as exc:
            raise HTTPException(415, f"{exc}. {ACTIVITY_ADVICE}") from None
        except UnsupportedFormatError as exc:
            raise HTTPException(415, f"{filename} could not be read: {exc}") from None
        except InputError as exc:
            raise HTTPException(422, f"{filename} could not be read: {exc}") from None
        ticket = state.spool.commit(
            Ticket(job_id, patient_id, user.id, filename, size, streamed, options.given())
        )
    except BaseException:
        state.spool.discard(job_id)
        raise
    job = submit_upload(state, ticket, recording, fmt)
    target = f"/patients/{patient_id}/recordings/jobs/{job.id}"
    if request.headers.get("HX-Request"):
        return render(request, "_job_status.html", {"job": job, "patient_id": patient_id}, status=202)
    return RedirectResponse(target, status_code=303)


def _job_for(request: Request, patient_id: int, job_id: str) -> Any:
    job = get_state(request).jobs.get(job_id)
    if job is None or job.patient_id != patient_id:
        raise HTTPException(
            404, "There is no such upload. It may have finished long ago; see the recordings list."
        )
    return job


@router.get("/patients/{patient_id}/recordings/jobs/{job_id}")
def job_page(request: Request, patient_id: RowId, job_id: str) -> Response:
    with transaction(request, readonly=True) as db:
        user, patient = require_patient_access(request, db, patient_id)
    job = _job_for(request, patient_id, job_id)
    if job.status == "done":
        return RedirectResponse(f"/patients/{patient_id}/recordings/{job.recording_id}", status_code=303)
    if job.status == "failed":
        return render(
            request,
            "upload_failed.html",
            {
                "title": "The recording could not be " + ("analysed again" if job.again else "used"),
                "user": user,
                "patient": patient,
                "job": job,
            },
            status=422,
        )
    return render(
        request, "job.html", {"title": "Analysing your walk", "user": user, "patient": patient, "job": job}
    )


@router.get("/patients/{patient_id}/recordings/jobs/{job_id}/status")
def job_status(request: Request, patient_id: RowId, job_id: str) -> Response:
    with transaction(request, readonly=True) as db:
        require_patient_access(request, db, patient_id)
    job = _job_for(request, patient_id, job_id)
    response: HTMLResponse = render(request, "_job_status.html", {"job": job, "patient_id": patient_id})
    if job.status == "done":
        response.headers["HX-Redirect"] = f"/patients/{patient_id}/recordings/{job.recording_id}"
    elif job.status == "failed":
        response.headers["HX-Redirect"] = f"/patients/{patient_id}/recordings/jobs/{job.id}"
    return response


@router.get("/patients/{patient_id}/recordings/{recording_id}")
def result_page(request: Request, patient_id: RowId, recording_id: RowId) -> Response:
    from backstride import report
    from backstride.web import _analysis

    with transaction(request, readonly=True) as db:
        user, patient, rec, gait = _analysed(request, db, patient_id, recording_id)
        profile = patient.profile
        norms = _analysis.norms_comparison(
            gait, age=profile.age if profile else None, sex=profile.sex if profile else None
        )
        figures = report.recording_figures(gait)
        return render(
            request,
            "result.html",
            {
                "title": "Your walk",
                "user": user,
                "patient": patient,
                "recording": rec,
                "gait": gait,
                "norms": norms,
                "figures": figures,
                "notes": _analysis.result_notes(gait, for_patient=user.id == patient.id),
                "read_as": described(stored_options(rec), rec.format),
            },
        )


@router.get("/patients/{patient_id}/recordings/{recording_id}/report.html")
def report_download(request: Request, patient_id: RowId, recording_id: RowId, view: bool = False) -> Response:
    """The result as one self-contained HTML page to keep or send (what ``analyze --html`` writes), or to
    open in the browser with ``?view=1``."""
    from backstride import store
    from backstride.web import _analysis

    state = get_state(request)
    with transaction(request, readonly=True) as db:
        _user, patient, rec, gait = _analysed(request, db, patient_id, recording_id)
        profile = patient.profile
        age, sex = (profile.age, profile.sex) if profile else (None, None)
        # the signal is read again from the stored file; a large one would keep the request for minutes
        small = rec.size_bytes < state.settings.stream_from_bytes
        try:
            with store.recording_file(state.blobs, rec) if small else contextlib.nullcontext() as path:
                html = _analysis.recording_report_html(
                    gait, path, age=age, sex=sex, options=stored_options(rec)
                )
        except OSError:  # the stored file is gone or unreadable: the analysis still makes its report
            html = _analysis.recording_report_html(
                gait, None, age=age, sex=sex, no_signal=_analysis.SIGNAL_MISSING
            )
        stem = Path(rec.filename).stem or "recording"
    return report_response(html, f"{stem.replace('.', '_')[:80]}-report.html", view=view)


def _analysed(request: Request, db: Any, patient_id: int, recording_id: int) -> tuple[Any, Any, Any, Any]:
    """Who asks, the patient, the recording and its latest analysis (a GaitResult); 404 for anyone else's."""
    from backstride import store
    from backstride.web import _analysis

    user, patient = require_patient_access(request, db, patient_id)
    rec = store.get_recording(db, recording_id)
    if rec is None or rec.patient_id != patient.id:
        raise HTTPException(404, "There is no such recording.")
    analysis = store.latest_analysis(db, rec.id)
    if analysis is None:
        raise HTTPException(404, "This recording has no analysis.")
    return user, patient, rec, _analysis.gait_result(analysis.result)


def _unpacks_too_much(filename: str, unpacked: int | None, most: int) -> HTTPException:
    """The refusal of an upload that would unpack to ``unpacked`` bytes (``None``: more than ``most``)."""
    amount = _size_text(unpacked) if unpacked is not None else "more than " + _size_text(most)
    return HTTPException(
        413,
        f"{filename} would unpack to {amount}, far more than any recording: it was not accepted. Upload the export "
        "as the phone or sensor made it.",
    )


def _size_text(n_bytes: int) -> str:
    """A file size a person reads at a glance: kB below 1 MB, else MB."""
    return f"{n_bytes / 1e3:.0f} kB" if n_bytes < 1e6 else f"{n_bytes / 1e6:.0f} MB"
