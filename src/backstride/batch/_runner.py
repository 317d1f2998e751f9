"""The batch runner: many recording files, the same gait engine per file, on a Dask cluster.

The client (this process) only lists files, schedules tasks and writes the tables; workers do the
reading, hashing and analysis. Each file is one task that streams the recording through
``backstride.gait.analyze_stream(backstride.io.iter_chunks(path, chunk_s=...))``, so a worker holds one
chunk (plus the engine's overlap) at a time, never a whole week.

Without a scheduler address the runner starts a local cluster of worker processes, with an address it
connects to an existing ``dask.distributed`` scheduler (``_cluster.dask_client``); the workers must then
have backstride installed and see the files under the same paths as this machine (a shared file system).
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backstride import _progress
from backstride._errors import InputError
from backstride.batch._cluster import dask_client, fetch, interrupts_held, worker_count
from backstride.batch._discover import Detector, InputFile, discover
from backstride.batch._store import ResultsFolder, ResultsNotSaved
from backstride.batch._worker import (
    Analyzer,
    Chunker,
    FileOutcome,
    FileTask,
    HashOutcome,
    analyze_file,
    sha256_file,
)

if TYPE_CHECKING:
    from backstride.io import ReadOptions

DEFAULT_CHUNK_S = 3600.0


@dataclass(frozen=True)
class Failure:
    path: str
    error_type: str
    message: str


@dataclass
class BatchSummary:
    """What one run did."""

    out: Path
    n_files: int = 0
    n_skipped: int = 0
    n_duplicates: int = 0
    n_changed: int = 0
    """Files whose content changed in place since an earlier run: their earlier rows were replaced."""
    n_analysed: int = 0
    n_failed: int = 0
    recording_hours: float = 0.0
    walking_hours: float = 0.0
    n_bouts: int = 0
    wall_s: float = 0.0
    n_workers: int = 0
    worker_peak_rss_bytes: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def hours_per_second(self) -> float:
        """Throughput: recording-hours analysed per wall-clock second."""
        return self.recording_hours / self.wall_s if self.wall_s > 0 else 0.0


class BatchRunner:
    """Analyse many recordings on Dask and keep the results in a Parquet folder.

    Parameters (keyword-only, only stored here):
        out: the results folder (created if needed; earlier results there are kept and merged).
        scheduler: address of an existing ``dask.distributed`` scheduler, or ``None`` for a local cluster.
        workers: worker processes of the local cluster (ignored with ``scheduler``).
        chunk_s: length of the chunks each file is streamed in, s.
        checkpoint_s: results are committed to the folder at least this often (and at the end).
        connect_timeout_s: how long to keep trying to reach the scheduler.
        progress: show progress on stderr: a bar at a terminal, plain lines elsewhere (a job log).
        read_options: how to read the files (format, units, a CSV's columns), the same for every file;
            ``None`` finds everything from each file. Kept with each file's results (``read_options``).
        chunker, analyzer, detect: the reader's ``iter_chunks``, the engine's ``analyze_stream`` and the
            reader's ``detect_format``; ``None`` uses backstride's own. They must be importable or
            picklable, since workers receive them.

    :meth:`run` returns ``self``; what it did is in ``summary_``.
    """

    def __init__(
        self,
        *,
        out: str | Path,
        scheduler: str | None = None,
        workers: int | None = None,
        chunk_s: float = DEFAULT_CHUNK_S,
        checkpoint_s: float = 60.0,
        connect_timeout_s: float = 30.0,
        progress: bool = True,
        read_options: ReadOptions | None = None,
        chunker: Chunker | None = None,
        analyzer: Analyzer | None = None,
        detect: Detector | None = None,
    ) -> None:
        self.out = out
        self.scheduler = scheduler
        self.workers = workers
        self.chunk_s = chunk_s
        self.checkpoint_s = checkpoint_s
        self.connect_timeout_s = connect_timeout_s
        self.progress = progress
        self.read_options = read_options
        self.chunker = chunker
        self.analyzer = analyzer
        self.detect = detect

    def run(self, inputs: Sequence[str | Path]) -> BatchRunner:
        """Find the recordings named by ``inputs``, analyse those not done yet, write the tables."""
        if not inputs:
            raise InputError("give at least one recording file, folder or glob pattern")
        # an empty input is a shell variable left unset, not the current folder
        if any(not str(given).strip() for given in inputs):
            raise InputError(
                "an input is empty: give recording files, folders or glob patterns (. for the current folder)"
            )
        if isinstance(self.out, str) and not self.out.strip():  # as a Path, "" would be the current folder
            raise InputError("--out is empty; give the results folder")
        if not self.chunk_s > 0:
            raise InputError(f"--chunk-s must be positive, got {self.chunk_s}")
        if not math.isfinite(self.chunk_s):  # every file failed: a chunk's sample count is no integer
            raise InputError(f"--chunk-s must be a finite number of seconds, got {self.chunk_s}")
        if not math.isfinite(self.connect_timeout_s):  # dask's KeyError ('Invalid time unit: nan')
            raise InputError(
                f"--connect-timeout must be a finite number of seconds, got {self.connect_timeout_s}"
            )
        if math.isnan(self.checkpoint_s):  # never "due": nothing saved before the end
            raise InputError(f"--checkpoint-s must be a number of seconds, got {self.checkpoint_s}")
        workers = self.workers if self.workers is not None else max(1, os.cpu_count() or 1)
        if workers < 1:
            raise InputError(f"--workers must be at least 1, got {workers}")
        out = Path(self.out).expanduser()
        # the results folder first: one that cannot be written stops the command before the inputs are
        # searched; if nothing starts after all (no inputs, no scheduler), the folders made for it go again
        store = ResultsFolder(out).open()
        try:
            files = discover(inputs, detect=self.detect, exclude=out)
            self.files_ = files
            self.summary_ = _Run(self, store, files, workers).execute(inputs)
        finally:
            store.close()
        return self


class _Run:
    """One execution of a :class:`BatchRunner`: the scheduling loop and its bookkeeping."""

    def __init__(
        self, runner: BatchRunner, store: ResultsFolder, files: list[InputFile], workers: int
    ) -> None:
        self.runner = runner
        self.store = store
        self.files = files
        self.workers = workers
        self.summary = BatchSummary(out=store.out, n_files=len(files))
        self.done = store.done_ids
        self.in_flight: set[str] = set()
        # files whose content is that of a file being analysed: settled by its outcome
        self.twins: dict[str, list[HashOutcome]] = {}
        # what earlier runs analysed, by file: a file found with other content has changed in place
        self.earlier = store.ids_by_source()
        # files of this run whose content was done before (skipped), by that content
        self.seen_done: dict[str, HashOutcome] = {}
        self.old_cache = store.hash_cache
        self.cache: dict[str, dict[str, Any]] = {}
        self.vanished: set[str] | None = None
        """Files of the earlier runs' hash cache that are gone for good (:func:`vanished`), found at the first save."""
        self.run_id = uuid.uuid4().hex
        self.started = dt.datetime.now(dt.UTC)
        self.reason: str | None = None
        """Why the run stopped on an error (its message's first line), for the run log."""
        self.not_saved: ResultsNotSaved | None = None
        """Why a save failed: the run stops, and tries no other (the folder holds every file whole)."""
        self.last_commit = time.monotonic()
        self.paths = {str(f.source): f.path for f in files}
        self.progress_topic: str | None = None
        """The Dask event topic the workers report files under way to (:meth:`_on_report`), when they do."""
        options = runner.read_options
        self.read: dict[str, Any] = options.given() if options is not None else {}

    def execute(self, inputs: Sequence[str | Path]) -> BatchSummary:
        from backstride import __version__

        t0 = self.t0 = time.perf_counter()
        self.run_info: dict[str, Any] = {
            "run_id": self.run_id,
            "backstride_version": __version__,
            "started_at": self.started.isoformat(timespec="seconds"),
            "inputs": [str(i) for i in inputs],
            "scheduler": self.runner.scheduler or "local",
            "workers": None if self.runner.scheduler else self.workers,
            "chunk_s": self.runner.chunk_s,
            "read_options": self.read,
        }
        connected = False
        outcome = "error"
        with _Progress(self.runner.progress, len(self.files)) as bar:
            self.bar = bar
            try:
                with dask_client(
                    self.runner.scheduler, self.workers, connect_timeout_s=self.runner.connect_timeout_s
                ) as client:
                    connected = True
                    self.summary.n_workers = worker_count(client)
                    self._schedule(client)
                outcome = "completed"
            except KeyboardInterrupt:
                outcome = "interrupted"
                raise
            except Exception as exc:
                self.reason = (str(exc).splitlines() or [type(exc).__name__])[0]
                raise
            finally:
                self.summary.wall_s = time.perf_counter() - t0
                if self.not_saved is None and (connected or self.store.has_pending):
                    self._commit(outcome=outcome)
        return self.summary

    # -- scheduling -------------------------------------------------------------------------------------
    def _schedule(self, client: Any) -> None:
        pending: Any = importlib.import_module("dask.distributed").as_completed()
        kinds: dict[Any, tuple[str, InputFile | FileTask]] = {}

        def submit(kind: str, item: InputFile | FileTask, fn: Any, *args: Any, **kwargs: Any) -> None:
            # a file's analysis goes before the hashing of files not yet looked at: with every hash task
            # submitted first, a cohort's files were all read once before the first was analysed, the
            # progress bar stood at 0 for that long, and nothing but hashes could be saved meanwhile
            priority = 1 if kind == "analyze" else 0
            fut = client.submit(fn, *args, pure=False, priority=priority, **kwargs)
            kinds[fut] = (kind, item)
            pending.add(fut)

        self._submit = submit
        if self.bar.wants_reports:  # the run's own topic: another batch on the same scheduler has its own
            self.progress_topic = f"backstride-batch-progress-{self.run_id}"
            client.subscribe_topic(self.progress_topic, self._on_report)
        for file in self.files:
            cached = self._cached_hash(file)
            if cached is not None:
                self._on_hash(cached)
            else:
                submit("hash", file, sha256_file, str(file.source), file.path)
        for fut in pending:
            # one result taken, and a checkpoint saved, in whole or not at all: an interrupt (Ctrl-C, SIGTERM)
            # that woke this loop with a result was raised halfway through its bookkeeping (a file's rows
            # saved with the run's counts not showing it) or through a checkpoint's save (rows taken for the
            # save and then lost to it, the counts showing them); it is held to the end (a second one acts
            # at once, as while the cluster starts)
            with interrupts_held():
                self._take(fut, *kinds.pop(fut))
                if time.monotonic() - self.last_commit >= self.runner.checkpoint_s:
                    self._commit()

    def _on_report(self, event: Any) -> None:
        """A worker's report on a file under way (:func:`~backstride.batch._worker.hours_reporter`), on the Dask
        client's thread: an error raised there would reach the client's own handling of the scheduler's
        messages, so a report it cannot take or say (stderr closed) is dropped; the run goes on."""
        try:
            _, said = event
            source, seconds = str(said["source"]), float(said["seconds"])
            self.bar.under_way(source, self.paths.get(source, source), seconds)
        except Exception:  # progress never stops a batch
            return

    def _take(self, fut: Any, kind: str, item: InputFile | FileTask) -> None:
        """The result of one task, ``fut`` (``kind`` ``hash`` or ``analyze``, for file or task ``item``)."""
        try:
            result = fetch(fut)
        except CancelledError as exc:  # never cancelled here: the scheduler went away with every task
            raise self._scheduler_lost(exc) from None
        except Exception as exc:  # the worker died (out of memory, killed) or the task was lost
            result = None
            error = worker_failure(exc, kind)
        finally:
            fut.release()
        if kind == "hash":
            assert isinstance(item, InputFile)
            if result is None:
                self._fail(item.path, str(item.source), None, "WorkerError", error)
            else:
                self._on_hash(result)
        else:
            assert isinstance(item, FileTask)
            if result is None:
                result = FileOutcome(task=item, ok=False, error_type="WorkerError", message=error)
            self._on_outcome(result)

    def _scheduler_lost(self, exc: CancelledError) -> InputError:
        """The error that stops a run whose scheduler went away (a task of it cancelled, ``exc``): its files
        are not at fault, and recording each of them as failed (``WorkerError``, as before) filled a cohort's
        failures table with thousands of rows that were no file's and replaced the real reasons of those
        that had failed before. What was finished is saved (``execute``), the rest is done by the next run."""
        where = f"at {self.runner.scheduler}" if self.runner.scheduler else "of the local cluster"
        said = re.search(
            r"reason: ([\w-]+)", str(exc)
        )  # "... cancelled for reason: scheduler-connection-lost."
        why = said.group(1) if said else "a task was cancelled"
        return InputError(
            f"lost the Dask scheduler {where} ({why}); the batch stops: the files finished so far are saved "
            f"in {self.store.out}; run the same command again to go on"
        )

    def _cached_hash(self, file: InputFile) -> HashOutcome | None:
        """The file's hash from the manifest's cache, when its size, modification time and change time are
        those cached; ``None``: hash it. An entry without a change time (written before the cache kept
        them) is not trusted: the file is hashed again once (its content decides, so nothing done is
        analysed again) and the entry written anew."""
        entry = self.old_cache.get(str(file.source))
        try:
            st = file.source.stat()
        except OSError:
            return None
        if file.source.is_dir():  # a folder's time stamp does not follow its files' contents
            return None
        if (
            isinstance(entry, dict)
            and entry.get("size") == st.st_size
            and entry.get("mtime_ns") == st.st_mtime_ns
            and entry.get("ctime_ns") == st.st_ctime_ns
            and isinstance(entry.get("sha256"), str)
        ):
            self.cache[str(file.source)] = entry
            return HashOutcome(
                str(file.source),
                file.path,
                entry["sha256"],
                st.st_size,
                mtime_ns=st.st_mtime_ns,
                ctime_ns=st.st_ctime_ns,
            )
        return None

    def _on_hash(self, h: HashOutcome) -> None:
        if h.recording_id is None:
            self._fail(
                h.path, h.source, None, h.error_type or "InputError", h.message or "cannot read the file"
            )
            return
        if h.mtime_ns is not None and h.ctime_ns is not None:
            self.cache[h.source] = {
                "size": h.size_bytes,
                "mtime_ns": h.mtime_ns,
                "ctime_ns": h.ctime_ns,
                "sha256": h.recording_id,
            }
        if h.recording_id in self.done:
            self.summary.n_skipped += 1
            self.store.mark_resolved(h.source)
            self.seen_done.setdefault(h.recording_id, h)
            self._settled(h.source, h.recording_id)
            self.bar.advance(0.0, skipped=True, source=h.source)
            return
        if h.recording_id in self.in_flight:
            # same content as a file already scheduled: its outcome decides for both
            self.twins.setdefault(h.recording_id, []).append(h)
            return
        self.in_flight.add(h.recording_id)
        self._analyse(h)

    def _analyse(self, h: HashOutcome) -> None:
        assert h.recording_id is not None
        task = FileTask(source=h.source, path=h.path, recording_id=h.recording_id, size_bytes=h.size_bytes)
        self._submit(
            "analyze",
            task,
            analyze_file,
            task,
            chunk_s=self.runner.chunk_s,
            read=self.read,
            chunker=self.runner.chunker,
            analyzer=self.runner.analyzer,
            progress_topic=self.progress_topic,
            # a few reports to each line, so that a line is at most a few seconds behind the worker
            progress_every_s=_progress.PROGRESS_LINE_EVERY_S / 6.0,
        )

    def _on_outcome(self, outcome: FileOutcome) -> None:
        task = outcome.task
        if outcome.worker:
            peaks = self.summary.worker_peak_rss_bytes
            peaks[outcome.worker] = max(peaks.get(outcome.worker, 0), outcome.peak_rss_bytes)
        twins = self.twins.pop(task.recording_id, [])
        if not outcome.ok:
            error_type, message = outcome.error_type or "Error", outcome.message or ""
            self._fail(task.path, task.source, task.recording_id, error_type, message)
            self.in_flight.discard(task.recording_id)
            for twin in twins:
                if error_type == "WorkerError":  # no need to lose another worker to the same bytes
                    self._fail(twin.path, twin.source, twin.recording_id, error_type, message)
                else:  # the reader's words name the file (and a name can matter): each twin says its own
                    self._analyse(twin)
            return
        self.store.add_done(outcome.recording, outcome.bouts, outcome.days)
        self.done.add(task.recording_id)
        self.summary.n_analysed += 1
        hours = outcome.duration_s / 3600.0
        self.summary.recording_hours += hours
        self.summary.walking_hours += float(outcome.recording["total_walking_s"]) / 3600.0
        self.summary.n_bouts += int(outcome.recording["n_bouts"])
        self.bar.advance(hours, source=task.source)
        self._settled(task.source, task.recording_id)
        for twin in twins:
            self.summary.n_duplicates += 1
            self.store.mark_resolved(twin.source)
            self._settled(twin.source, task.recording_id)
            self.bar.advance(0.0, skipped=True, source=twin.source)

    def _settled(self, source: str, recording_id: str | None) -> None:
        """The file ``source`` now has content ``recording_id`` done or failed: if an earlier run analysed other
        content at that place, the file changed since, and those rows go in the same commit as its new ones
        (or, when another file of this run holds that earlier content, they are given to it)."""
        if recording_id is None:  # not even read: whether it changed is not known
            return
        stale = self.earlier.pop(source, set()) - {recording_id}
        if not stale:
            return
        self.summary.n_changed += 1
        for old in stale:
            holder = self.seen_done.get(old)
            if holder is not None and holder.source != source:
                self.store.move(old, path=holder.path, source=holder.source)
            else:
                self.store.drop(old)
                self.done.discard(old)  # a file of this run found with that content later is analysed

    def _fail(self, path: str, source: str, recording_id: str | None, error_type: str, message: str) -> None:
        self.store.add_failure(
            recording_id=recording_id, path=path, source=source, error_type=error_type, message=message
        )
        self._settled(source, recording_id)
        self.summary.n_failed += 1
        self.summary.failures.append(Failure(path=path, error_type=error_type, message=message))
        self.bar.advance(0.0, failed=True, source=source)

    def _commit(self, *, outcome: str = "running") -> None:
        """Save what is gathered; ``outcome``: how the run ended (``completed``, ``interrupted``, ``error``),
        ``running`` at a checkpoint. A save that fails logs the run as ``failed`` where it still can
        (:meth:`ResultsFolder.commit`)."""
        s = self.summary
        s.wall_s = time.perf_counter() - self.t0  # so far, at a checkpoint (the log of a killed run keeps it)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        run = {
            **self.run_info,
            "outcome": outcome,
            "ended_at": now if outcome != "running" else None,
            "finished_at": now if outcome == "completed" else None,
            "files": s.n_files,
            "skipped": s.n_skipped,
            "duplicates": s.n_duplicates,
            "changed": s.n_changed,
            "analysed": s.n_analysed,
            "failed": s.n_failed,
            "recording_hours": round(s.recording_hours, 6),
            "wall_s": round(s.wall_s, 3),
        }
        if outcome == "error" and self.reason is not None:
            run["reason"] = self.reason
        if self.vanished is None:  # once a run: the files of this run are there (or were just now)
            mine = {str(f.source) for f in self.files}
            self.vanished = vanished(source for source in self.old_cache if source not in mine)
        cache = {k: v for k, v in {**self.old_cache, **self.cache}.items() if k not in self.vanished}
        try:
            self.store.commit(run=run, hash_cache=cache)
        except ResultsNotSaved as exc:  # a full disk, write permission taken away: stop (see execute)
            self.not_saved = exc
            raise
        self.last_commit = time.monotonic()


def worker_failure(exc: BaseException, kind: str) -> str:
    """The failure message of a file whose task (``kind`` ``hash`` or ``analyze``) raised ``exc`` on the client.

    A worker that died with the task (out of memory, killed) comes back as Dask's ``KilledWorker``, whose
    text is five sentences about the task's key, the last worker's address and a web page: the failures
    table and the summary carried all of it for each such file. It is said in one line instead; Dask's
    ``distributed.scheduler.allowed-failures`` decides how many workers die before the file is given up.
    """
    killed: Any = importlib.import_module("distributed").KilledWorker
    if isinstance(exc, killed):
        times = exc.allowed_failures + 1
        doing = "hashing" if kind == "hash" else "analysing"
        said = "once" if times == 1 else f"{times} times"
        return f"the worker {doing} it died (out of memory or killed) {said}; the file was not analysed"
    return f"the worker running it failed: {type(exc).__name__}: {exc}"


def vanished(sources: Iterable[str]) -> set[str]:
    """The files of ``sources`` (a hash cache's entries) that are gone for good, whose entries are dropped.

    A file is gone for good when it does not exist while the folder that held it does and holds something
    (the file was deleted, renamed or moved away). A file that cannot be looked at just now (no permission,
    a network share's stale handle or dropped connection) is not, nor is one whose folder is missing or empty:
    that is what a study's files on a network share look like while the share is not mounted (its mount
    point gone, or left empty), and their entries must outlive it, or the next run reads every file of the
    share again. A folder deleted with its files keeps their entries, then, a few hundred bytes each.
    Nothing is read or hashed: one ``stat`` per file and one look into each folder of a missing file.

    Entries are pruned by whether their file exists, not by whether this run named it: a study run in parts
    (one site, then another) into one results folder would otherwise hash every other part again each time.
    """
    gone: set[str] = set()
    occupied: dict[str, bool] = {}
    for source in sources:
        try:
            os.stat(source)
            continue
        except FileNotFoundError:
            pass
        except (OSError, ValueError):  # there, or not to be told just now: kept
            continue
        folder = os.path.dirname(source)
        if folder not in occupied:
            occupied[folder] = _holds_something(folder)
        if occupied[folder]:
            gone.add(source)
    return gone


def _holds_something(folder: str) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except OSError:
        return False


class _Progress:
    """Progress on stderr: files done out of found, failures, recording-hours analysed, time.

    At a terminal it is rich's bar. Elsewhere (nohup, cron, systemd, a cluster's scheduler: stderr is a job
    log) rich draws nothing until the end, and a log said nothing for hours; there it is a plain line at
    most every ``line_every_s`` (the first at once), and one at the end with what was done, in the
    words and rhythm of :mod:`backstride._progress` (``backstride analyze`` says its lines alike). The
    lines carry no time stamp (a job log has its own) and read the same from one run to the next, so they
    can be searched (``grep '^batch:'``). ``clock`` is for the tests.

    Files settle one by one, so a long file (a week) analysed alone gave a log no line until it ended. The
    workers report the recording-hours they have analysed of the files under way (:meth:`under_way`, Dask's
    events: :func:`~backstride.batch._worker.hours_reporter`), and a line says them after the counts
    (``; under way: week.cwa, 41.0 recording-h so far``, or ``2 files`` for more), at the same rhythm: a
    sign of life that is also a measure, with no thread or timer of its own. At a terminal the bar shows
    them as a second figure after the hours done (``12.0 recording-h + 3.2 h under way``). They are apart
    from the recording-hours of the files finished, which only a file's outcome adds to (a file that fails
    halfway never counted); a file's reports that come after its outcome are ignored. The last line says
    none; the bar's last frame shows those of files still under way (an interrupted run's).
    """

    def __init__(
        self,
        enabled: bool,
        total: int,
        *,
        line_every_s: float | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.enabled = enabled
        self.total = total
        self.hours = 0.0
        self.failed = 0
        self.done = 0
        self.skipped = 0
        self.line_every_s = line_every_s
        self.clock = clock
        self._progress: Any = None
        self._task: Any = None
        self._lines: _progress.Lines | None = None
        self._said_done = 0
        self._lock = threading.RLock()
        self._under_way: dict[str, tuple[str, float]] = {}
        """The files under way that a worker has reported on: by source, their path and seconds analysed."""
        self._settled: set[str] = set()

    @property
    def wants_reports(self) -> bool:
        """Are the workers' reports on files under way shown (the bar, the plain lines: progress is on)?"""
        return self._lines is not None or self._progress is not None

    def __enter__(self) -> _Progress:
        if not self.enabled:
            return self
        if not _progress.stderr_is_terminal():
            self._lines = _progress.Lines(every_s=self.line_every_s, clock=self.clock)
            return self
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.table import Column

        def whole() -> Column:  # a narrow terminal (80 columns) shortens the bar, not a figure to "37/2…"
            return Column(no_wrap=True)

        self._progress = Progress(
            TextColumn("[bold]batch[/]", table_column=whole()),
            BarColumn(),
            MofNCompleteColumn(table_column=whole()),
            TextColumn("files", table_column=whole()),
            TextColumn("{task.fields[hours]:.1f} recording-h{task.fields[under_way]}", table_column=whole()),
            TextColumn("{task.fields[failed]} failed", table_column=whole()),
            TimeElapsedColumn(table_column=whole()),
            console=Console(stderr=True),
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task("batch", total=self.total, hours=0.0, under_way="", failed=0)
        return self

    def advance(
        self, hours: float, *, failed: bool = False, skipped: bool = False, source: str | None = None
    ) -> None:
        """One more file settled: ``hours`` of recording analysed, or ``failed``, or ``skipped`` (done before,
        or the same content as a file just analysed: no worker's time went into it, so it does not set the
        pace the time left is guessed from). ``source``: the file, no longer under way."""
        with self._lock:
            if source is not None:
                self._settled.add(source)
                self._under_way.pop(source, None)
            self.hours += hours
            self.failed += int(failed)
            self.done += 1
            self.skipped += int(skipped)
            if self._progress is not None:
                self._progress.update(
                    self._task,
                    advance=1,
                    hours=self.hours,
                    under_way=self._under_way_figure(),
                    failed=self.failed,
                )
            elif self._lines is not None:
                self._lines.say_if_due(lambda now: self._line(now, last=False))

    def under_way(self, source: str, path: str, seconds: float) -> None:
        """A worker has analysed ``seconds`` of the file ``source`` (shown as ``path``) so far; called from the
        Dask client's thread."""
        with self._lock:
            if not self.wants_reports or source in self._settled:
                return
            self._under_way[source] = (path, seconds)
            if self._progress is not None:
                self._progress.update(self._task, under_way=self._under_way_figure())
            elif self._lines is not None:
                self._lines.say_if_due(lambda now: self._line(now, last=False))

    def _under_way_hours(self) -> float:
        return sum(seconds for _, seconds in self._under_way.values()) / 3600.0

    def _under_way_figure(self) -> str:
        """The bar's second figure, after the hours done: `` + 3.2 h under way``, or nothing."""
        return f" + {self._under_way_hours():,.1f} h under way" if self._under_way else ""

    def _line(self, now: float, *, last: bool) -> str:
        assert self._lines is not None
        elapsed = self._lines.elapsed(now)
        line = (
            f"batch: {self.done:,} of {self.total:,} files, {self.failed:,} failed, "
            f"{_progress.hours_and_time(self.hours, elapsed)}"
        )
        worked = self.done - self.skipped
        if not last and worked > 0 and self.done < self.total:
            line += f", about {_progress.duration(elapsed / worked * (self.total - self.done))} left"
        if not last and self._under_way:
            hours = self._under_way_hours()
            files = next(iter(self._under_way.values()))[0] if len(self._under_way) == 1 else None
            line += (
                f"; under way: {files or f'{len(self._under_way):,} files'}, {hours:,.1f} recording-h so far"
            )
        self._said_done = self.done
        return line

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._progress is not None:
                self._progress.stop()
            elif self._lines is not None and self.done != self._said_done:
                now = self._lines.clock()
                self._lines.say(self._line(now, last=True), now)


def run_batch(
    inputs: Iterable[str | Path],
    *,
    out: str | Path,
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_s: float = DEFAULT_CHUNK_S,
    progress: bool = False,
    read_options: ReadOptions | None = None,
) -> BatchSummary:
    """Shortcut: ``BatchRunner(...).run(inputs).summary_``."""
    runner = BatchRunner(
        out=out,
        scheduler=scheduler,
        workers=workers,
        chunk_s=chunk_s,
        progress=progress,
        read_options=read_options,
    )
    return runner.run(list(inputs)).summary_
