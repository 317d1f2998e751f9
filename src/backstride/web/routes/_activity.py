"""Uploading the walking figures a phone or watch already computed (an Apple Health export, a Garmin .fit
file): read at once, the days kept, then the progress page shows them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUploadFile

from backstride._errors import BackstrideError, InputError, UnsupportedFormatError
from backstride.web._context import (
    RowId,
    check_csrf,
    get_state,
    require_patient_access,
    save_upload,
    transaction,
    upload_filename,
    with_uploaded_file,
)
from backstride.web.routes._recordings import check_upload_size

if TYPE_CHECKING:
    from backstride.activity import ActivityData

#: what the upload form offers; the reader itself goes by the content, not the name
ACCEPTED_SUFFIXES = (".zip", ".xml", ".fit", ".gz")  # .gz: Garmin Connect's .fit.gz


async def check_export_size(request: Request) -> None:
    """The recording upload's size check (413 before the body is parsed), with advice that suits an export."""
    try:
        await check_upload_size(request)
    except HTTPException as exc:
        if exc.status_code != 413:
            raise
        limit = get_state(request).settings.max_upload_bytes / 1e6
        raise HTTPException(
            413,
            f"The file is too large. The largest file accepted is {limit:.0f} MB. Upload the export.zip "
            "the phone made rather than the unzipped export.xml: it is several times smaller.",
        ) from None


router = APIRouter(dependencies=[Depends(check_export_size), Depends(check_csrf)])


@router.post("/patients/{patient_id}/activity")
async def upload_activity(request: Request, patient_id: RowId) -> Response:
    """Read the file in a worker thread, keep its days, and go to the progress page."""
    missing = (
        "No file was chosen. Choose the Apple Health export (export.zip or export.xml) or the Garmin .fit "
        "file and try again."
    )
    response: Response = await with_uploaded_file(
        request, missing, lambda file, _form: _import_upload(request, patient_id, file)
    )
    return response


def _import_upload(request: Request, patient_id: int, file: StarletteUploadFile) -> Response:
    """Check access, read the upload (no transaction open meanwhile), then keep its days in one transaction."""
    from backstride import store

    with transaction(request, readonly=True) as db:
        require_patient_access(request, db, patient_id)
    filename = upload_filename(file.filename, "export")
    data = _read_upload(file, filename)
    if not data.days:
        raise HTTPException(
            422,
            f"{filename} holds no walking figures (steps, distance, walking speed, step length, walking "
            "asymmetry or double support). Nothing was kept.",
        )
    with transaction(request) as db:
        require_patient_access(request, db, patient_id)
        kept = store.import_activity(db, patient_id, data)
    return RedirectResponse(f"/patients/{patient_id}/progress?imported={kept}#activity", status_code=303)


def _read_upload(file: StarletteUploadFile, filename: str) -> ActivityData:
    """The upload read by :func:`backstride.activity.read_activity` from a temporary copy that is removed
    after; 415 for a file that is not an export, 422 for a damaged one, with the reader's message."""
    from backstride.activity import read_activity

    local = save_upload(file, filename, "backstride-activity-")
    try:
        return read_activity(local, keep_records=False)
    except UnsupportedFormatError as exc:
        said = f"{filename} could not be read: {exc}"
        if _is_recording(local):
            said += ". It looks like a sensor's recording: upload it under “Measure a walk”, where its walking is measured."
        raise HTTPException(415, said) from None
    except InputError as exc:
        raise HTTPException(422, f"{filename} could not be read: {exc}") from None
    finally:
        shutil.rmtree(local.parent, ignore_errors=True)


def _is_recording(path: Path) -> bool:
    """Whether a file that is no activity file is a sensor's recording (found from its content)."""
    from backstride import io

    try:
        io.detect_format(path)
    except BackstrideError:
        return False
    return True
