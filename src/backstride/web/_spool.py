"""Uploads waiting for their analysis, kept on disk until it has ended, so that none is lost to a restart.

An upload is accepted (the browser is sent to its job's page) before it is analysed in a worker thread. Its
file and a ticket (for whom, by whom, under which job) wait in ``.uploads/<job>/`` inside the blob store's
folder (the same disk as the recordings) until the analysis has ended, with the recording stored or refused
with a reason. A server stopped with uploads still queued, or killed during an analysis, finds them at its
next start and analyses them then, under the same job, so the page that follows an upload takes it up again.

The ticket is written last and atomically: a folder without one is an upload whose check never finished (the
person was told nothing was accepted), removed at start-up. Each try is counted in the ticket before the
analysis starts; an upload whose analysis was cut off :data:`MAX_TRIES` times (a file that stops the server
itself) ends as a failed job with that reason instead of being tried at every start. One server process
serves a blob folder: the jobs' state lives in its memory, and the spool is not shared between processes.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

TICKET = "ticket.json"
MAX_TRIES = 3


def copy_upload(file: Any, local: Path, *, durable: bool = False) -> Path:
    """Copy a form's uploaded file to ``local``; ``durable``: on the disk (``fsync``) before returning."""
    with local.open("wb") as out:
        file.file.seek(0)
        shutil.copyfileobj(file.file, out, length=1 << 20)
        if durable:
            out.flush()
            os.fsync(out.fileno())
    return local


@dataclass(frozen=True)
class Ticket:
    """One upload waiting in the spool: ``filename`` in its job's folder; ``streamed``: analysed block by
    block; ``options``: what the form said of the file (the reading options given, as
    :meth:`backstride.io.ReadOptions.given` writes them; empty: all found from the file)."""

    job_id: str
    patient_id: int
    user_id: int
    filename: str
    size_bytes: int
    streamed: bool
    options: dict[str, Any] = field(default_factory=dict)
    tries: int = 0

    def path(self, spool: UploadSpool) -> Path:
        return spool.folder(self.job_id) / self.filename

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ticket:
        """A ticket as :meth:`UploadSpool.commit` wrote it; one written before the form took more than a rate
        (``rate_hz`` beside the others) keeps that rate."""
        data = dict(data)
        rate = data.pop("rate_hz", None)
        if rate is not None:
            data["options"] = {**data.get("options", {}), "rate_hz": rate}
        return cls(**data)


class UploadSpool:
    """The folder of uploads waiting for their analysis (see the module's description)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, job_id: str) -> Path:
        if not job_id or "/" in job_id or job_id.startswith("."):
            raise ValueError(f"not a job id: {job_id!r}")
        return self.root / job_id

    def save(self, file: Any, job_id: str, filename: str) -> Path:
        """Copy an upload (a form's file) into the job's folder; the caller commits a :class:`Ticket` once it
        is accepted, or :meth:`discard` s it."""
        folder = self.folder(job_id)
        folder.mkdir(parents=True, exist_ok=False)
        try:
            return copy_upload(file, folder / filename, durable=True)
        except BaseException:
            self.discard(job_id)
            raise

    def commit(self, ticket: Ticket) -> Ticket:
        """Write the ticket (atomically: a temporary file renamed over it): from now on the upload survives a
        restart."""
        folder = self.folder(ticket.job_id)
        temporary = folder / f".{TICKET}.tmp"
        with temporary.open("w", encoding="utf-8") as out:
            json.dump(asdict(ticket), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / TICKET)
        return ticket

    def try_again(self, ticket: Ticket) -> Ticket:
        """Count one more try of the analysis (before it starts, so that a try that stops the server counts)."""
        return self.commit(replace(ticket, tries=ticket.tries + 1))

    def discard(self, job_id: str) -> None:
        shutil.rmtree(self.folder(job_id), ignore_errors=True)

    def waiting(self) -> list[Ticket]:
        """The uploads accepted and not yet analysed, oldest first; folders of uploads never accepted (their
        check was cut off) and unreadable tickets are removed."""
        if not self.root.is_dir():
            return []
        tickets: list[tuple[float, Ticket]] = []
        for folder in self.root.iterdir():
            if not folder.is_dir():
                continue
            try:
                data = json.loads((folder / TICKET).read_text(encoding="utf-8"))
                ticket = Ticket.from_json(data)
                if ticket.job_id != folder.name or not ticket.path(self).is_file():
                    raise ValueError("the ticket does not match its folder")
            except (OSError, ValueError, TypeError):
                shutil.rmtree(folder, ignore_errors=True)
                continue
            tickets.append((ticket.path(self).stat().st_mtime, ticket))
        return [ticket for _, ticket in sorted(tickets, key=lambda pair: pair[0])]
