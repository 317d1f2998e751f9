"""The job that analyses an accepted upload and stores it with its analysis, whether the upload came in now
or waited in the spool through a restart (:mod:`backstride.web._spool`), and what the stored recording keeps
of it: the job's id (so a job run again after a stop does not store it twice) and what the upload form said of
the file (:mod:`backstride.web._reading`: so it is read alike when analysed again or drawn in its report)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backstride._errors import InputError
from backstride.web._jobs import Job
from backstride.web._reading import in_the_forms_words
from backstride.web._spool import MAX_TRIES, Ticket

if TYPE_CHECKING:
    from backstride.io import ReadOptions
    from backstride.recording import Recording
    from backstride.web._context import WebState

# keys of a stored recording's metadata
UPLOAD_JOB = "upload_job"
READ_OPTIONS = "read_options"
RATE_HZ = "rate_hz"  # the only option the form took before READ_OPTIONS, kept by recordings stored then


def stored_options(rec: Any) -> ReadOptions:
    """What the upload form said of a stored recording's file (kept in its metadata)."""
    from backstride import io

    meta = rec.metadata_ or {}
    given = dict(meta.get(READ_OPTIONS) or {})
    rate = meta.get(RATE_HZ)
    if isinstance(rate, int | float) and not isinstance(rate, bool):
        given.setdefault("rate_hz", float(rate))
    try:
        return io.ReadOptions(**given)
    except (InputError, TypeError):  # written by another version: read as the file says
        return io.ReadOptions()


def submit_upload(
    state: WebState, ticket: Ticket, recording: Recording | None = None, fmt: str | None = None
) -> Job:
    """Analyse an accepted upload waiting in the spool and store it with its analysis, in a worker thread;
    ``recording`` and ``fmt``: the file as a fresh upload's check read it (whole, or only its format when it
    is streamed), else the job reads it again. The spool lets the upload go once the job has ended, stored or
    refused; a job cut off by a restart is submitted again at the next start (:func:`resume_uploads`)."""
    from backstride import io, store
    from backstride.web._analysis import (
        analyze_stream_with_progress,
        analyze_with_progress,
        check_stream,
        read_recording,
        subject_of,
    )

    def _store(job: Job, local: Path, subject: Any) -> int:
        options = io.ReadOptions(**ticket.options)

        def analyze(path: Path) -> tuple[str, dict[str, Any]]:
            if ticket.streamed:
                found = fmt or check_stream(path, options)
                job.analysed_s = 0.0
                return found, analyze_stream_with_progress(path, subject, job.add_analysed, options)
            whole, found = (recording, fmt or "") if recording is not None else read_recording(path, options)

            def progress(done_s: float) -> None:  # seconds done so far, of a known length
                job.progress = min(1.0, max(0.0, float(done_s) / max(whole.duration_s, 1e-9)))

            return found, analyze_with_progress(whole, subject, progress)

        # a unit found wrong further into a streamed file is said with the form's fields, not the flags
        with in_the_forms_words(), store.transaction(state.engine) as session, local.open("rb") as data:
            rec = store.add_recording(
                session,
                state.blobs,
                ticket.patient_id,
                ticket.filename,
                data,
                analyze,
                metadata={
                    "uploaded_by": ticket.user_id,
                    UPLOAD_JOB: ticket.job_id,
                    **({READ_OPTIONS: ticket.options} if ticket.options else {}),
                },
            )
            return rec.id

    def work(job: Job) -> int:
        local = ticket.path(state.spool)
        try:
            tried = state.spool.try_again(ticket)
            if tried.tries > MAX_TRIES:
                raise InputError(
                    f"{ticket.filename} could not be analysed: the server stopped during its analysis "
                    f"{MAX_TRIES} times. Upload a shorter part of the recording, or ask for help"
                )
            sha = _sha256_of(local)
            with _one_at_a_time(ticket.patient_id, sha):  # the same file sent twice: the second waits
                with store.transaction(state.engine, readonly=True) as db:
                    patient = db.get(store.User, ticket.patient_id)
                    if patient is None:
                        raise InputError("the patient is no longer in the clinic's records")
                    subject = subject_of(patient.profile)
                    # stored just before a restart, which came before the spool let it go; or the same upload
                    # sent twice (a double click, a resend after a timeout): it is kept once
                    done = _stored_by(db, ticket) or _sent_again(db, ticket, sha)
                if done is not None:
                    return done
                return _store(job, local, subject)
        finally:
            state.spool.discard(ticket.job_id)

    return state.jobs.submit(
        ticket.patient_id, ticket.filename, ticket.size_bytes, work, job_id=ticket.job_id
    )


def _stored_by(db: Any, ticket: Ticket) -> int | None:
    """The recording an upload's job already stored, if the server stopped between storing it and letting the
    upload go."""
    from backstride import store

    for rec in store.recordings_of(db, ticket.patient_id, include_errors=True):
        if (rec.metadata_ or {}).get(UPLOAD_JOB) == ticket.job_id:
            return int(rec.id)
    return None


def _sent_again(db: Any, ticket: Ticket, sha: str) -> int | None:
    """The recording of this very file for the patient, read the same way (the form's options), stored less
    than ``store.SENT_AGAIN_WITHIN`` ago and standing (not entered in error): the upload sent twice."""
    from backstride import store

    since = store.utcnow() - store.SENT_AGAIN_WITHIN
    for rec in store.recordings_of(db, ticket.patient_id):
        if (
            rec.sha256 == sha
            and rec.uploaded_at > since
            and ((rec.metadata_ or {}).get(READ_OPTIONS) or {}) == (ticket.options or {})
        ):
            return int(rec.id)
    return None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_SAME_FILE: dict[tuple[int, str], tuple[threading.Lock, int]] = {}  # the lock, and how many hold or wait
_SAME_FILE_GUARD = threading.Lock()


@contextmanager
def _one_at_a_time(patient_id: int, sha: str) -> Iterator[None]:
    """Hold the uploads of one file for one patient to one analysis at a time (the spool serves one process),
    so that the second of two sent at once finds the first stored."""
    key = (patient_id, sha)
    with _SAME_FILE_GUARD:
        lock, users = _SAME_FILE.get(key, (threading.Lock(), 0))
        _SAME_FILE[key] = (lock, users + 1)
    try:
        with lock:
            yield
    finally:
        with _SAME_FILE_GUARD:
            lock, users = _SAME_FILE[key]
            if users > 1:
                _SAME_FILE[key] = (lock, users - 1)
            else:
                del _SAME_FILE[key]


def resume_uploads(state: WebState) -> list[Job]:
    """Submit again the uploads a stopped server left waiting (at start-up)."""
    return [submit_upload(state, ticket) for ticket in state.spool.waiting()]
