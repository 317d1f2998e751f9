"""Benchmark inputs built from the real reference recordings, cached under ``bench-out/`` (gitignored).

Everything here is made of real signals from ``../shared/data``; nothing is synthesised:

- **rotated copies** (``bench-out/rotated/<set>/<rec>/``): ``imu.csv`` with acceleration and angular rate
  turned by one random rotation (Haar-uniform, fixed seed per recording), ``meta.json`` and
  ``reference.json`` as symlinks to the originals. A sensor worn in an unknown orientation.
- **the 2-hour file**: the ``Test11`` daily-life courses of ``lowback-lab`` repeated end to end.
- **the 24-hour and 7-day files**: every recording of ``lowback-lab`` and ``lowback-10m`` end to end, in a
  cycle, each preceded by a rest (the recording's own quiet stance before its first walk, repeated to a
  length drawn with a fixed seed), as rests occur between walks in daily life.

Concatenated files have continuous time (``time_s = i / fs``) and are written in chunks, so even the 7-day
file (60 million rows) is built in bounded memory. A file is written to a temporary name and renamed when
complete, so an interrupted build never leaves a half-written input behind; existing inputs are reused.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from benchmarks._shared import find_shared_data

COLUMNS = ("time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
SIGNALS = COLUMNS[1:]
ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = find_shared_data()
BENCH_OUT = ROOT / "bench-out"
# The header is written by hand, unquoted as in the source files (pyarrow quotes column names).
WRITE_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none")
HEADER = (",".join(COLUMNS) + "\n").encode("ascii")


@dataclass(frozen=True)
class Source:
    """One real recording: its folder, its signals ``(n, 6)`` (acc m/s², gyr deg/s) and its quiet lead-in."""

    folder: Path
    signals: np.ndarray
    sampling_rate_hz: float
    quiet_samples: int  # samples at the start before the first walk (0 when unknown)

    @property
    def name(self) -> str:
        return f"{self.folder.parent.name}/{self.folder.name}"


# --------------------------------------------------------------------------------------------- reading
def read_imu_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read an ``imu.csv`` (``time_s`` + six signals) with pyarrow: ``(time_s (n,), signals (n, 6))``."""
    table = pacsv.read_csv(path)
    missing = [c for c in COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    time_s = table.column("time_s").to_numpy().astype(np.float64)
    signals = np.column_stack([table.column(c).to_numpy().astype(np.float64) for c in SIGNALS])
    return time_s, signals


def quiet_lead_samples(reference: dict[str, object], sampling_rate_hz: float) -> int:
    """Samples of quiet stance before the first annotated walk (IPOL ``trial_s`` or the first reference bout)."""
    start: float | None = None
    trial = reference.get("trial_s")
    if isinstance(trial, list) and trial:
        start = float(trial[0]) - 0.5
    bouts = reference.get("walking_bouts")
    if start is None and isinstance(bouts, list) and bouts:
        start = float(bouts[0]["start_s"]) - 1.0
    if start is None or start < 1.0:
        return 0
    return round(start * sampling_rate_hz)


def load_sources(folders: Iterable[Path]) -> list[Source]:
    """Load recordings (folders with ``imu.csv``, ``meta.json``, ``reference.json``) at one sampling rate."""
    sources = []
    for folder in folders:
        meta = json.loads((folder / "meta.json").read_text())
        reference = json.loads((folder / "reference.json").read_text())
        fs = float(meta["sampling_rate_hz"])
        _, signals = read_imu_csv(folder / "imu.csv")
        sources.append(Source(folder, signals, fs, quiet_lead_samples(reference, fs)))
    rates = {s.sampling_rate_hz for s in sources}
    if len(rates) > 1:
        raise ValueError(f"recordings at several sampling rates {sorted(rates)}; concatenation needs one")
    return sources


def recording_folders(*sets: Path) -> list[Path]:
    """The recording folders (those with a ``reference.json``) of the given data sets, sorted."""
    return sorted(p.parent for s in sets for p in s.rglob("reference.json"))


# --------------------------------------------------------------------------------------------- rotation
def random_rotation(seed: int) -> np.ndarray:
    """A rotation matrix drawn uniformly (Haar measure) from SO(3) with a fixed seed.

    QR decomposition of a matrix of standard normal draws, with the signs of ``R``'s diagonal moved into
    ``Q`` (Mezzadri, "How to generate random matrices from the classical compact groups", Notices of the
    AMS 54, 2007); a reflection (determinant −1) is turned into a rotation by flipping one axis.
    """
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return np.asarray(q, dtype=np.float64)


def rotations_about(axes: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """``(n, 3, 3)`` rotations by ``angles`` (rad) about the unit ``axes`` ``(n, 3)`` (Rodrigues' formula)."""
    k = np.zeros((axes.shape[0], 3, 3))
    k[:, 0, 1], k[:, 0, 2], k[:, 1, 2] = -axes[:, 2], axes[:, 1], -axes[:, 0]
    k -= k.transpose(0, 2, 1)
    sin, cos = np.sin(angles)[:, None, None], np.cos(angles)[:, None, None]
    return np.asarray(np.eye(3) + sin * k + (1.0 - cos) * (k @ k))


def rotations_to_up(vectors: np.ndarray) -> np.ndarray:
    """``(n, 3, 3)`` least rotations that take each of ``vectors`` ``(n, 3)`` (gravity's direction in a sensor)
    to z, up; one pointing straight down is turned half a turn about x."""
    up = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    axes = np.cross(up, [0.0, 0.0, 1.0])
    sin = np.linalg.norm(axes, axis=1)
    axes = np.where(sin[:, None] > 1e-12, axes / np.maximum(sin, 1e-12)[:, None], [1.0, 0.0, 0.0])
    return rotations_about(axes, np.arctan2(sin, up[:, 2]))


def recording_seed(name: str) -> int:
    """A stable seed for a recording name (the same on every machine and run)."""
    return zlib.crc32(name.encode("utf-8"))


def rotate_signals(signals: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """Turn acceleration (columns 0–2) and angular rate (3–5) by the same rotation: ``v' = R v``."""
    out = np.empty_like(signals, dtype=np.float64)
    out[:, 0:3] = signals[:, 0:3] @ rotation.T
    out[:, 3:6] = signals[:, 3:6] @ rotation.T
    return out


def build_rotated_set(data_set: Path, out_root: Path) -> Path:
    """Rotated copies of every recording of ``data_set`` in ``out_root/<set>/<rec>/``; returns the set folder.

    Each ``imu.csv`` is rotated with its own fixed-seed rotation; ``meta.json`` and ``reference.json`` are
    symlinks to the originals. Recordings already built are kept.
    """
    set_out = out_root / data_set.name
    for folder in recording_folders(data_set):
        rec_out = set_out / folder.name
        target = rec_out / "imu.csv"
        if target.is_file():
            continue
        rec_out.mkdir(parents=True, exist_ok=True)
        for name in ("meta.json", "reference.json"):
            link = rec_out / name
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to((folder / name).resolve())
        time_s, signals = read_imu_csv(folder / "imu.csv")
        rotation = random_rotation(recording_seed(f"{data_set.name}/{folder.name}"))
        _write_table(target, time_s, rotate_signals(signals, rotation))
    return set_out


# --------------------------------------------------------------------------------------------- writing
def _time_decimals(sampling_rate_hz: float) -> int:
    return max(2, math.ceil(math.log10(sampling_rate_hz)) + 1)


def _table(time_s: np.ndarray, signals: np.ndarray) -> pa.Table:
    arrays = [pa.array(time_s)] + [pa.array(np.round(signals[:, i], 6)) for i in range(6)]
    return pa.table(arrays, names=list(COLUMNS))


def _write_table(path: Path, time_s: np.ndarray, signals: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as sink:
        sink.write(HEADER)
        pacsv.write_csv(_table(time_s, signals), sink, WRITE_OPTIONS)
    tmp.replace(path)


def write_continuous_csv(
    path: Path,
    segments: Iterable[np.ndarray],
    sampling_rate_hz: float,
    total_samples: int,
    chunk_samples: int = 1_000_000,
) -> int:
    """Write segments ``(n_i, 6)`` end to end as one CSV with continuous time, cut at ``total_samples``.

    ``time_s`` is ``i / sampling_rate_hz`` for the i-th row of the whole file. Written in chunks of
    ``chunk_samples`` rows (bounded memory whatever the length) to ``path.part``, renamed when complete.
    Returns the number of rows written (less than ``total_samples`` only if the segments run out).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    decimals = _time_decimals(sampling_rate_hz)
    written = 0
    pending: list[np.ndarray] = []
    pending_n = 0
    sink = tmp.open("wb")
    sink.write(HEADER)
    writer: pacsv.CSVWriter | None = None

    def flush(parts: list[np.ndarray]) -> None:
        nonlocal writer, written
        block = np.concatenate(parts, axis=0)
        time_s = np.round((written + np.arange(len(block), dtype=np.float64)) / sampling_rate_hz, decimals)
        table = _table(time_s, block)
        if writer is None:
            writer = pacsv.CSVWriter(sink, table.schema, write_options=WRITE_OPTIONS)
        writer.write_table(table)
        written += len(block)

    try:
        for segment in segments:
            if written + pending_n >= total_samples:
                break
            take = segment[: total_samples - written - pending_n]
            if len(take) == 0:
                continue
            pending.append(take)
            pending_n += len(take)
            while pending_n >= chunk_samples:
                block = np.concatenate(pending, axis=0)
                flush([block[:chunk_samples]])
                rest = block[chunk_samples:]
                pending, pending_n = ([rest], len(rest)) if len(rest) else ([], 0)
        if pending_n:
            flush(pending)
    finally:
        if writer is not None:
            writer.close()
        sink.close()
    if written == 0:
        tmp.unlink()
        raise ValueError("no samples to write")
    tmp.replace(path)
    return written


def repeat_segments(sources: Sequence[Source]) -> Iterator[np.ndarray]:
    """The recordings' signals one after the other, over and over (as long as the consumer asks)."""
    if not sources:
        raise ValueError("no recordings to repeat")
    while True:
        for source in sources:
            yield source.signals


def day_segments(
    sources: Sequence[Source], seed: int = 2026, max_rest_s: float = 240.0
) -> Iterator[np.ndarray]:
    """Daily-life-like signal: every recording in turn, each after a rest, cycling without end.

    The rest before a recording is its own quiet lead-in (the stance before its first walk) repeated to a
    length drawn uniformly in ``[0, max_rest_s]`` with a fixed seed; recordings without a known quiet
    lead-in follow the previous one directly. Only real samples are used.
    """
    if not sources:
        raise ValueError("no recordings to concatenate")
    rng = np.random.default_rng(seed)
    while True:
        for source in sources:
            if source.quiet_samples > 0:
                rest_n = int(rng.uniform(0.0, max_rest_s) * source.sampling_rate_hz)
                quiet = source.signals[: source.quiet_samples]
                reps = -(-rest_n // len(quiet))
                if rest_n:
                    yield np.tile(quiet, (reps, 1))[:rest_n]
            yield source.signals


# --------------------------------------------------------------------------------------------- the inputs
def write_meta(path: Path, meta: dict[str, object]) -> None:
    """Write a ``meta.json`` next to a built input (what the runners read for height and sampling rate)."""
    path.write_text(json.dumps(meta, indent=1))


def build_two_hour(out: Path, shared: Path = SHARED_DATA, duration_s: float = 7200.0) -> tuple[Path, Path]:
    """The ``Test11`` courses of ``lowback-lab`` repeated to ``duration_s``; returns ``(csv, meta.json)``."""
    folder = out / "long" / "test11-2h"
    csv, meta_path = folder / "imu.csv", folder / "meta.json"
    if not csv.is_file():
        sources = load_sources(sorted((shared / "lowback-lab").glob("*-Test11-*")))
        if not sources:
            raise FileNotFoundError(f"no Test11 recordings in {shared / 'lowback-lab'}")
        fs = sources[0].sampling_rate_hz
        write_continuous_csv(csv, repeat_segments(sources), fs, round(duration_s * fs))
        first = json.loads((sources[0].folder / "meta.json").read_text())
        write_meta(
            meta_path, {**first, "source": f"{len(sources)} Test11 recordings of lowback-lab, repeated"}
        )
    return csv, meta_path


def build_long(
    out: Path, name: str, duration_s: float, shared: Path = SHARED_DATA, seed: int = 2026
) -> tuple[Path, Path]:
    """Every lower-back recording end to end with rests, cycling to ``duration_s``; ``(csv, meta.json)``."""
    folder = out / "long" / name
    csv, meta_path = folder / "imu.csv", folder / "meta.json"
    if not csv.is_file():
        sources = load_sources(recording_folders(shared / "lowback-lab", shared / "lowback-10m"))
        fs = sources[0].sampling_rate_hz
        write_continuous_csv(csv, day_segments(sources, seed), fs, round(duration_s * fs))
        write_meta(
            meta_path,
            {
                "source": f"{len(sources)} recordings of lowback-lab and lowback-10m, end to end with rests",
                "sampling_rate_hz": fs,
                "height_m": 1.70,
                "cohort": "HA",
                "units": {"acc": "m/s^2", "gyr": "deg/s"},
            },
        )
    return csv, meta_path


def build_phone_export(
    csv: Path, seed: int = 2026, app: str = "sensorlogger-android", hours: float | None = None
) -> Path:
    """The long recording ``csv`` (its first ``hours``, or all of it) as a phone app exports it
    (``benchmarks.apps``: turned into a phone's frame, a phone's clock with jitter and dropped samples, the
    gyroscope on its own clock), cached beside it (written in a temporary folder, moved there when whole):
    by default an Android phone's Sensor Logger ZIP, ``sensorlogger.zip``."""
    import shutil
    import tempfile

    from backstride.recording import Recording
    from benchmarks import apps

    stem = app if hours is None else f"{app}-{hours:g}h"
    stem = "sensorlogger" if stem == "sensorlogger-android" else stem
    cached = sorted(csv.parent.glob(f"{stem}.*"))
    if cached:
        return cached[0]
    time_s, signals = read_imu_csv(csv)
    if hours is not None:
        keep = time_s - time_s[0] < hours * 3600.0
        time_s, signals = time_s[keep], signals[keep]
    turn = random_rotation(seed)
    rec = Recording(
        sampling_rate_hz=round(1.0 / float(np.median(np.diff(time_s[:1000])))),
        time_s=time_s - time_s[0],
        acc_mps2=signals[:, :3] @ turn.T,
        gyr_dps=signals[:, 3:] @ turn.T,
    )
    with tempfile.TemporaryDirectory(prefix="phone-", dir=csv.parent) as tmp:
        made = apps.export(app, rec, Path(tmp), seed)
        target = csv.parent / f"{stem}{made.suffix}"
        shutil.move(made, target)
    return target
