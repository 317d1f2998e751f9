"""What runs on a Dask worker: hash one file, or analyse one file in chunks and turn the result into rows.

Both functions are plain, importable module-level functions (workers import ``backstride`` and receive
only a reference to them) and never raise for a bad file: every failure comes back as a
:class:`FileOutcome` with the error's type and message, so one broken file cannot stop a batch and no
exception object has to be pickled across processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backstride._errors import BackstrideError, InputError, OptionNeeded, UnsupportedFormatError
from backstride.gait import GaitResult, WalkingBout, _days
from backstride.recording import Recording

Chunker = Callable[..., Iterator[Recording]]
"""``iter_chunks(path, *, chunk_s, **read_options)``: consecutive, non-overlapping chunks of one recording
(the read options, :meth:`backstride.io.ReadOptions.given`, only when some were given)."""
Analyzer = Callable[..., GaitResult]
"""``analyze_stream(chunks, *, height_m, sensor_height_m, age, sex)``: the gait engine over chunks."""

SUBJECT_KEYS = ("height_m", "sensor_height_m", "age", "sex")
_HASH_BLOCK = 1 << 20

BOUT_FIELDS = WalkingBout.field_names()

#: what a failure's ``error_type`` says for backstride's own errors (docs/batch.md): the public class it is,
#: most specific first, so that one name stands for one remedy (a NoTimeColumnError is an OptionNeeded: read
#: it with the option its message names)
RECORDED_ERRORS: tuple[type[BackstrideError], ...] = (
    UnsupportedFormatError,
    OptionNeeded,
    InputError,
    BackstrideError,
)


@dataclass(frozen=True)
class FileTask:
    """One recording file to analyse."""

    source: str
    path: str
    recording_id: str
    size_bytes: int


@dataclass(frozen=True)
class HashOutcome:
    source: str
    path: str
    recording_id: str | None
    size_bytes: int
    error_type: str | None = None
    message: str | None = None
    mtime_ns: int | None = None
    """The file's modification time before it was hashed (``None`` for a folder)."""
    ctime_ns: int | None = None
    """The file's change time (``st_ctime_ns``) before it was hashed (``None`` for a folder): a write sets it to
    the clock's time, and no one can set it back, so a change that keeps the size and the modification time
    (``touch -d``, a copy tool that restores time stamps) still changes it."""


@dataclass
class FileOutcome:
    """The rows one file contributes to each table, or its failure."""

    task: FileTask
    ok: bool
    recording: dict[str, Any] = field(default_factory=dict)
    bouts: dict[str, list[Any]] = field(default_factory=dict)
    days: dict[str, list[Any]] = field(default_factory=dict)
    error_type: str | None = None
    message: str | None = None
    duration_s: float = 0.0
    processing_s: float = 0.0
    peak_rss_bytes: int = 0
    worker: str = ""


def _members(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def sha256_file(source: str, path: str) -> HashOutcome:
    """Hash a recording's bytes in 1 MiB blocks (a week-long file is never read whole).

    An export folder (Sensor Logger, phyphox) is hashed over its files in name order, each file's
    relative name included, so renaming or changing any member changes the id.
    """
    try:
        digest = hashlib.sha256()
        size = 0
        root = Path(source)
        st = None if root.is_dir() else root.stat()
        members = _members(root) if root.is_dir() else [root]
        for member in members:
            if root.is_dir():
                digest.update(member.relative_to(root).as_posix().encode("utf-8") + b"\0")
            with open(member, "rb") as fh:
                while block := fh.read(_HASH_BLOCK):
                    digest.update(block)
                    size += len(block)
        return HashOutcome(
            source=source,
            path=path,
            recording_id=digest.hexdigest(),
            size_bytes=size,
            mtime_ns=None if st is None else st.st_mtime_ns,
            ctime_ns=None if st is None else st.st_ctime_ns,
        )
    except OSError as exc:
        return HashOutcome(
            source=source,
            path=path,
            recording_id=None,
            size_bytes=0,
            error_type="InputError",
            message=f"cannot read {source}: {exc.strerror or exc}",
        )


def default_chunker() -> Chunker:
    from backstride.io import iter_chunks

    return iter_chunks


def default_analyzer() -> Analyzer:
    """The engine, one thread per recording: a batch already runs one recording per core."""
    from functools import partial

    from backstride.gait import analyze_stream

    return partial(analyze_stream, threads=1)


def _sidecars(source: Path) -> list[Path]:
    stem = source.name.split(".")[0] if not source.is_dir() else source.name
    near = source.parent
    found = [near / f"{stem}.json", near / f"{stem}_meta.json"]
    if source.is_dir():
        found.append(source / "meta.json")
    found.append(near / "meta.json")
    return found


def subject_from_sidecar(source: str) -> dict[str, Any]:
    """Who wore the sensor, from a JSON file beside the recording.

    The first that exists of ``<name>.json``, ``<name>_meta.json`` (``<name>`` without extensions), and
    ``meta.json`` in the same folder (inside it, for an export folder) is read. Only ``height_m``,
    ``sensor_height_m``, ``age`` (positive numbers) and ``sex`` ("female"/"male") are taken; anything
    else in the file is ignored. With no such file nothing is known of the person, and the engine
    leaves step length and speed unknown (or estimates them as it documents).
    """
    file = Path(source)
    for candidate in _sidecars(file):
        if candidate == file or not candidate.is_file():
            continue
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the participant file {candidate}: {exc}") from exc
        if not isinstance(data, dict):
            return {}
        subject: dict[str, Any] = {}
        for key in ("height_m", "sensor_height_m", "age"):
            value = data.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                subject[key] = float(value)
        if data.get("sex") in ("female", "male"):
            subject["sex"] = data["sex"]
        return subject
    return {}


class _Watch:
    """Passes chunks through untouched, remembering the first chunk's metadata and the samples seen; with
    ``report``, calls it with the seconds of recording the engine has analysed so far each time it asks for
    the next chunk (it is done with the last one then)."""

    def __init__(self, chunks: Iterable[Recording], report: Callable[[float], None] | None = None) -> None:
        self._chunks = chunks
        self._report = report
        self.metadata: dict[str, Any] = {}
        self.n_samples = 0
        self.sampling_rate_hz = 0.0
        self.seconds = 0.0

    def __iter__(self) -> Iterator[Recording]:
        for chunk in self._chunks:
            if not self.n_samples:
                self.metadata = dict(chunk.metadata)
                self.sampling_rate_hz = chunk.sampling_rate_hz
            self.n_samples += chunk.n_samples
            yield chunk
            self.seconds += chunk.n_samples / chunk.sampling_rate_hz if chunk.sampling_rate_hz > 0 else 0.0
            if self._report is not None:
                self._report(self.seconds)


def hours_reporter(topic: str | None, source: str, every_s: float) -> Callable[[float], None] | None:
    """How a worker tells the client how far it is in a long file: a Dask event (``Worker.log_event``) under
    ``topic``, ``{"source": source, "seconds": seconds analysed so far}``, at most every ``every_s`` of wall
    time. The event travels on the worker's own connection to the scheduler, which hands it to the client
    (``Client.subscribe_topic``): the same on a local cluster and on a remote one, without a shared file or
    an extra connection, and a few bytes each. The seconds are the whole so far, not the latest chunk's, so a
    file Dask gives to another worker (the first died) counts from that worker's start, not twice.
    ``None`` (nothing is reported) without a topic, or outside a Dask worker (a test calling
    :func:`analyze_file` directly)."""
    if topic is None:
        return None
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return None
    last = [float("-inf")]

    def report(seconds: float) -> None:
        now = time.monotonic()
        if now - last[0] < every_s:
            return
        last[0] = now
        with contextlib.suppress(
            Exception
        ):  # a closing worker: the file's analysis matters, not its progress
            worker.log_event(topic, {"source": source, "seconds": float(seconds)})

    return report


def _peak_rss_bytes() -> int:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def analyze_file(
    task: FileTask,
    *,
    chunk_s: float,
    read: Mapping[str, Any] | None = None,
    chunker: Chunker | None = None,
    analyzer: Analyzer | None = None,
    progress_topic: str | None = None,
    progress_every_s: float = 5.0,
) -> FileOutcome:
    """Stream one file through the gait engine and return its rows; never raises for a bad file.

    ``read``: keyword arguments of the reader that describe the file (:meth:`backstride.io.ReadOptions.given`).
    ``progress_topic``: the Dask event topic the recording-hours analysed so far go to, at most every
    ``progress_every_s`` (:func:`hours_reporter`).
    """
    t0 = time.perf_counter()
    report = hours_reporter(progress_topic, task.source, progress_every_s)
    try:
        outcome = _analyze(
            task, chunk_s=chunk_s, read=read or {}, chunker=chunker, analyzer=analyzer, report=report
        )
    except BackstrideError as exc:
        kind = next(k for k in RECORDED_ERRORS if isinstance(exc, k))
        outcome = FileOutcome(task=task, ok=False, error_type=kind.__name__, message=str(exc))
    except MemoryError:
        outcome = FileOutcome(
            task=task,
            ok=False,
            error_type="MemoryError",
            message="the worker ran out of memory; use a smaller --chunk-s or give workers more memory",
        )
    except Exception as exc:  # a bug, but one file must not stop the batch
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
        outcome = FileOutcome(
            task=task,
            ok=False,
            error_type=type(exc).__name__,
            message=f"unexpected error: {exc}{at}",
        )
    outcome.processing_s = time.perf_counter() - t0
    if outcome.ok:
        outcome.recording["processing_s"] = outcome.processing_s
    outcome.peak_rss_bytes = _peak_rss_bytes()
    outcome.worker = f"{socket.gethostname()}:{os.getpid()}"
    return outcome


def _analyze(
    task: FileTask,
    *,
    chunk_s: float,
    read: Mapping[str, Any],
    chunker: Chunker | None,
    analyzer: Analyzer | None,
    report: Callable[[float], None] | None = None,
) -> FileOutcome:
    chunker = chunker or default_chunker()
    analyzer = analyzer or default_analyzer()
    subject = subject_from_sidecar(task.source)
    watch = _Watch(chunker(task.source, chunk_s=chunk_s, **read), report)
    result = analyzer(iter(watch), **subject)

    start_text = watch.metadata.get("start_time")
    start = _days.parse_start_time(start_text)
    duration_s = result.recording.duration_s
    grid = _days.day_grid(duration_s, start)
    bouts_list = result.walking_bouts
    bout_days, day_cols = _days.day_rows(bouts_list, grid, duration_s)

    n = len(bouts_list)
    bouts: dict[str, list[Any]] = {
        "recording_id": [task.recording_id] * n,
        "path": [task.path] * n,
        "bout_index": list(range(n)),
        "day_index": bout_days,
        "date": [grid.dates[d - 1] for d in bout_days],
    }
    for name in BOUT_FIELDS:
        bouts[name] = [getattr(b, name) for b in bouts_list]
    days = {"recording_id": [task.recording_id] * grid.n_days, "path": [task.path] * grid.n_days, **day_cols}

    s = result.summary
    subj = result.subject
    recording: dict[str, Any] = {
        "recording_id": task.recording_id,
        "path": task.path,
        "source": task.source,
        "size_bytes": task.size_bytes,
        "format": result.recording.format or watch.metadata.get("format"),
        "start_time": start_text if isinstance(start_text, str) else None,
        "device": result.recording.device,
        "sampling_rate_hz": result.recording.sampling_rate_hz,
        "duration_s": duration_s,
        "n_days": grid.n_days,
        "has_gyroscope": result.recording.has_gyroscope,
        "total_walking_s": s.total_walking_s,
        "n_steps": s.n_steps,
        "n_bouts": s.n_bouts,
        "longest_bout_s": s.longest_bout_s,
        "n_bouts_10s": s.n_bouts_10s,
        "median_cadence_spm": s.median_cadence_spm,
        "median_walking_speed_mps": s.median_walking_speed_mps,
        "median_stride_length_m": s.median_stride_length_m,
        "median_step_length_left_m": s.median_step_length_left_m,
        "median_step_length_right_m": s.median_step_length_right_m,
        "median_trunk_lean_deg": s.median_trunk_lean_deg,
        "median_pelvis_rotation_deg": s.median_pelvis_rotation_deg,
        "median_pelvis_obliquity_deg": s.median_pelvis_obliquity_deg,
        "median_pelvis_tilt_deg": s.median_pelvis_tilt_deg,
        "n_pelvis_strides": s.n_pelvis_strides,
        "p90_walking_speed_mps": _days.p90(_days.long_bout_speeds(bouts_list)),
        "n_initial_contacts": len(result.initial_contacts),
        "height_m": subj.height_m,
        "sensor_height_m": subj.sensor_height_m,
        "sensor_height_source": subj.sensor_height_source,
        "age": subj.age,
        "sex": subj.sex,
        "warnings": list(result.warnings),
        "notes": list(result.recording.notes),
        "chunk_s": float(chunk_s),
        "read_options": json.dumps(dict(read), sort_keys=True) if read else None,
        "processing_s": 0.0,
        "backstride_version": result.backstride_version,
        "analysed_at": dt.datetime.now(dt.UTC),
    }
    return FileOutcome(task=task, ok=True, recording=recording, bouts=bouts, days=days, duration_s=duration_s)
