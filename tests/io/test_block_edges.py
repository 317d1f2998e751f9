"""A damaged table read whole and read block by block: refused both ways, or read to the same samples.

The lab walk (real, 100 Hz, with its gyroscope) is written as a table with stretches of empty cells, rows written
twice or lost, sometimes with two rows swapped or a time missing, sometimes with each sensor on rows of its own, and read whole and in
blocks of a few kilobytes (a few dozen rows: many edges, cutting the damage anywhere). What lies across a
block's edge must be found as in the whole table (``io._stream.checked``): a missing stretch filled between the
same two values, or refused as too long; a gyroscope reading's partner found in the next block.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backstride import InputError, Recording, io
from backstride.io import _csv


def _table(original: Recording, rng: np.random.Generator) -> tuple[list[str], bool]:
    """The walk as lines of a table, damaged at random; and whether the gyroscope is written on every row
    (not on rows of its own, interpolated onto the accelerometer's)."""
    assert original.gyr_dps is not None
    own_rows = bool(rng.random() < 0.4)
    every = int(rng.integers(1, 3))  # the gyroscope at the accelerometer's rate or half of it
    lines = ["time,ax,ay,az,gx,gy,gz"]
    for i, (t, a, g) in enumerate(zip(original.time_s, original.acc_mps2, original.gyr_dps, strict=True)):
        acc, gyr = ",".join(f"{v:.5f}" for v in a), ",".join(f"{v:.4f}" for v in g)
        if not own_rows:
            lines.append(f"{t:.3f},{acc},{gyr}")
            continue
        lines.append(f"{t:.3f},{acc},,,")
        if i % every == 0:
            lines.append(f"{t + 0.004:.3f},,,,{gyr}")
    every_row = not own_rows
    for _ in range(int(rng.integers(1, 7))):  # stretches of empty cells, 0.01-0.6 s, in one to three columns
        start = int(rng.integers(1, len(lines) - 1))
        columns = rng.choice(6, size=int(rng.integers(1, 4)), replace=False) + 1
        for i in range(start, min(start + int(rng.integers(1, 60)), len(lines))):
            cells = lines[i].split(",")
            for k in columns:
                cells[k] = ""
            lines[i] = ",".join(cells)
    for _ in range(int(rng.integers(0, 4))):  # a row written twice
        i = int(rng.integers(1, len(lines) - 1))
        lines.insert(i + 1, lines[i])
    for _ in range(int(rng.integers(0, 3))):  # a gap of 0.05-0.3 s: rows lost
        i = int(rng.integers(1, len(lines) - 100))
        del lines[i : i + int(rng.integers(5, 30))]
    if rng.random() < 0.15:  # two rows swapped
        i = int(rng.integers(1, len(lines) - 2))
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    if rng.random() < 0.1:  # a time missing
        i = int(rng.integers(1, len(lines)))
        lines[i] = "," + lines[i].split(",", 1)[1]
    return lines, every_row


def _read(path: Path, block_kib: int | None, chunk_s: float = 3.0) -> Recording | str:
    """The recording, whole or joined from its chunks, or the message it was refused with."""
    try:
        if block_kib is None:
            return io.read(path)
        with pytest.MonkeyPatch.context() as m:
            m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
            m.setattr(_csv, "STREAM_BLOCK_BYTES", block_kib << 10)
            chunks = list(io.iter_chunks(path, chunk_s=chunk_s))
    except InputError as exc:
        return str(exc)
    gyr = [c.gyr_dps for c in chunks]
    return Recording(
        sampling_rate_hz=chunks[0].sampling_rate_hz,
        time_s=np.concatenate([c.time_s for c in chunks]),
        acc_mps2=np.concatenate([c.acc_mps2 for c in chunks]),
        gyr_dps=None if any(g is None for g in gyr) else np.concatenate(gyr),  # type: ignore[arg-type]
        notes=tuple(dict.fromkeys(note for c in chunks for note in c.notes)),
    )


@pytest.mark.parametrize("seed", range(40))
def test_a_damaged_table_reads_alike_whole_and_block_by_block(
    tmp_path: Path, shared_data: Path, seed: int
) -> None:
    original = io.read(shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv")
    rng = np.random.default_rng(seed)
    lines, every_row = _table(original, rng)
    path = tmp_path / "damaged.csv"
    path.write_text("\n".join(lines) + "\n")
    whole, streamed = _read(path, None), _read(path, int(rng.integers(2, 9)))
    if isinstance(whole, str) or isinstance(streamed, str):
        # refused both ways (what is named first may differ: a whole table is checked column by column)
        assert isinstance(whole, str) and isinstance(streamed, str), (whole, streamed)
        return
    assert whole.n_samples == streamed.n_samples == original.n_samples
    np.testing.assert_array_equal(streamed.acc_mps2, whole.acc_mps2)
    assert whole.gyr_dps is not None and streamed.gyr_dps is not None
    np.testing.assert_array_equal(streamed.gyr_dps, whole.gyr_dps)
    # said once, as for the whole table: the duplicated stamps dropped, the short runs filled, the gaps
    said = [
        [n for n in r.notes if any(w in n for w in ("duplicated", "missing", "gap"))]
        for r in (whole, streamed)
    ]
    assert said[0] == said[1]
    # the damage filled in, the rest is the walk as written (on the accelerometer's own clock)
    assert float(np.median(np.abs(whole.acc_mps2 - original.acc_mps2))) < 1e-5
    assert float(np.median(np.abs(whole.gyr_dps - original.gyr_dps))) < (1e-4 if every_row else 2.0)


def test_a_phone_export_says_what_was_dropped_and_filled_once_a_file(
    tmp_path: Path, shared_data: Path, synth: Any
) -> None:
    """A Sensor Logger export whose files write some readings twice (its documentation says they can) and hold
    a reading without values (one short run, though in three columns): each file's counts said once, the
    file named, whether the export is read whole or block by block (they were said a block at a time, and the
    gyroscope's file's not at all)."""
    original = io.read(shared_data / "lowback-lab" / "HA-001-Test11-Trial1" / "imu.csv")
    assert original.gyr_dps is not None
    folder = tmp_path / "2025-10-09_08-53-20"
    folder.mkdir()
    synth.write_sensorlogger_csv(folder / "TotalAcceleration.csv", original.time_s, original.acc_mps2)
    synth.write_sensorlogger_csv(folder / "Gyroscope.csv", original.time_s, np.radians(original.gyr_dps))
    for name, twice in (("TotalAcceleration.csv", range(2000, 12000, 3000)), ("Gyroscope.csv", [5000, 9000])):
        lines = (folder / name).read_text().splitlines()
        for i in reversed(twice):
            lines.insert(i + 1, lines[i])
        lines[7000] = ",".join([*lines[7000].split(",")[:2], "", "", ""])  # a reading without values
        (folder / name).write_text("\n".join(lines) + "\n")
    whole = io.read(folder)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
        m.setattr(_csv, "STREAM_BLOCK_BYTES", 64 << 10)
        chunks = list(io.iter_chunks(folder, chunk_s=30.0))
    said = {
        "2025-10-09_08-53-20/TotalAcceleration.csv: 4 duplicated time stamps dropped (first on line 2002)",
        "2025-10-09_08-53-20/TotalAcceleration.csv: 1 short run of missing values (longest 0.02 s) filled by "
        "linear interpolation",
        "2025-10-09_08-53-20/Gyroscope.csv: 2 duplicated time stamps dropped (first on line 5002)",
        "2025-10-09_08-53-20/Gyroscope.csv: 1 short run of missing values (longest 0.02 s) filled by linear "
        "interpolation",
    }
    for notes in (whole.notes, [note for c in chunks for note in c.notes]):
        assert said <= set(notes)
        assert sum("duplicated" in note or "missing values" in note for note in notes) == len(said)
    np.testing.assert_allclose(np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2, atol=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_a_damaged_phone_export_reads_alike_whole_and_block_by_block(
    tmp_path: Path, shared_data: Path, synth: Any, seed: int
) -> None:
    """A Sensor Logger export of the lab walk (its clock in nanoseconds since 1970, the gyroscope's own,
    jittering or not) with readings written twice, lost or without values, read whole and block by block:
    the same samples, the last one included (it was lost to the nanoseconds' rounding when streamed), and
    the same notes. (The first chunk holds the whole walk: a jittering clock's rate is judged on it.)"""
    original = io.read(shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv")
    assert original.gyr_dps is not None
    rng = np.random.default_rng(seed)
    folder = tmp_path / "2025-10-09_08-53-20"
    folder.mkdir()
    for name, offset, values in (
        ("TotalAcceleration.csv", 0.0, original.acc_mps2),
        ("Gyroscope.csv", 0.003, np.radians(original.gyr_dps)),
    ):
        jitter = rng.normal(0.0, 0.001, original.n_samples) if rng.random() < 0.5 else 0.0
        synth.write_sensorlogger_csv(folder / name, np.sort(original.time_s + offset + jitter), values)
        lines = (folder / name).read_text().splitlines()
        for _ in range(int(rng.integers(0, 5))):  # written twice
            i = int(rng.integers(1, len(lines) - 1))
            lines.insert(i + 1, lines[i])
        for _ in range(int(rng.integers(0, 3))):  # lost
            i = int(rng.integers(1, len(lines) - 40))
            del lines[i : i + int(rng.integers(3, 30))]
        for _ in range(int(rng.integers(0, 3))):  # without values
            i = int(rng.integers(1, len(lines) - 10))
            for k in range(i, i + int(rng.integers(1, 10))):
                lines[k] = ",".join([*lines[k].split(",")[:2], "", "", ""])
        (folder / name).write_text("\n".join(lines) + "\n")
    whole, streamed = _read(folder, None), _read(folder, int(rng.integers(4, 16)), chunk_s=100.0)
    assert isinstance(whole, Recording) and isinstance(streamed, Recording), (whole, streamed)
    assert streamed.n_samples == whole.n_samples
    np.testing.assert_allclose(streamed.acc_mps2, whole.acc_mps2, atol=1e-9)
    assert whole.gyr_dps is not None and streamed.gyr_dps is not None
    np.testing.assert_allclose(streamed.gyr_dps, whole.gyr_dps, atol=1e-9)
    said = [sorted(n for n in r.notes if "duplicated" in n or "missing" in n) for r in (whole, streamed)]
    assert said[0] == said[1]
