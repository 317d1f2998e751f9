"""Analysis of uploaded recordings in worker threads, with a status the upload page polls.

Jobs live in memory. An upload's file waits on disk until its job has ended (:mod:`backstride.web._spool`),
so a job lost to a restart is run again at the next start under the same id; the recording is stored only in
the one transaction that also stores its analysis.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

from backstride._errors import BackstrideError

JobStatus = Literal["queued", "running", "done", "failed"]

_KEEP_FINISHED_S = 3600.0


@dataclass
class Job:
    """One upload being analysed, or a stored recording analysed again."""

    id: str
    patient_id: int
    filename: str
    size_bytes: int
    status: JobStatus = "queued"
    recording_id: int | None = None
    error: str | None = None
    progress: float = 0.0
    analysed_s: float | None = None  # a streamed upload's length is not known in advance: seconds done
    again: bool = False  # a stored recording analysed again (with the patient's corrected figures)
    created: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def add_analysed(self, seconds: float) -> None:
        """A streamed analysis's progress: one more chunk of ``seconds`` of recording done."""
        self.analysed_s = (self.analysed_s or 0.0) + float(seconds)


def new_job_id() -> str:
    """A job's id: unguessable, and safe as a file name (letters, digits, ``-`` and ``_``)."""
    return secrets.token_urlsafe(12)


class JobRunner:
    """Runs ``work()`` callables in a small thread pool and remembers how each one ended."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="backstride-analysis")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        patient_id: int,
        filename: str,
        size_bytes: int,
        work: Callable[[Job], int],
        *,
        again: int | None = None,
        job_id: str | None = None,
    ) -> Job:
        """Start ``work(job)`` (which returns the recording's id) and return the job; ``again``: the id of
        the stored recording it analyses again; ``job_id``: the id (:func:`new_job_id`) of a job begun
        before."""
        job = Job(
            id=job_id or new_job_id(),
            patient_id=patient_id,
            filename=filename,
            size_bytes=size_bytes,
            recording_id=again,
            again=again is not None,
        )
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Job], int]) -> None:
        job.status = "running"
        try:
            job.recording_id = work(job)
            job.progress = 1.0
            job.status = "done"
        except BackstrideError as exc:
            job.error = str(exc)
            job.status = "failed"
        except Exception as exc:  # a bug, but the person still gets an answer instead of an endless wait
            job.error = (
                f"The recording could not be analysed because of an internal error ({type(exc).__name__})."
            )
            job.status = "failed"
        finally:
            job.finished = time.monotonic()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def wait(self, job_id: str, timeout_s: float) -> Job | None:
        """Block until the job has finished or ``timeout_s`` has passed (for the demo seeder and tests)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job = self.get(job_id)
            if job is None or job.status in ("done", "failed"):
                return job
            time.sleep(0.05)
        return self.get(job_id)

    def _forget_old(self) -> None:
        now = time.monotonic()
        for key in [k for k, j in self._jobs.items() if j.finished and now - j.finished > _KEEP_FINISHED_S]:
            del self._jobs[key]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
