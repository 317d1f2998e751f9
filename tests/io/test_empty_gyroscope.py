"""A phone export's gyroscope file that holds no readings (empty, or a header only), or a long run of empty
cells, beside an accelerometer that does: the recording is read (without angular rate, or with the run
bridged), with a note, instead of refused. A phone that lacks a gyroscope, or a sensor switched on that
delivered nothing for a while, still has its walking measured."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmarks import apps

from backstride import InputError, io
from backstride.recording import Recording

NOTE = "holds no readings (empty, or a header only): the recording is read without angular rate"


@pytest.fixture
def walk(synth: Any) -> Recording:
    w = synth.walk(duration_s=30.0)
    return Recording(sampling_rate_hz=100.0, time_s=w.t, acc_mps2=w.acc, gyr_dps=w.gyr)


def _emptied(path: Path, header_only: bool) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0] if header_only else "")


def _unpacked(archive: Path, into: Path) -> Path:
    with zipfile.ZipFile(archive) as z:
        z.extractall(into)
    return next(into.iterdir())


def _check(path: Path, label: str, like: Path) -> None:
    """``path`` reads as ``like`` (the same export without its gyroscope file), without angular rate."""
    got, expected = io.read(path), io.read(like)
    assert got.gyr_dps is None and expected.gyr_dps is None
    np.testing.assert_array_equal(got.acc_mps2, expected.acc_mps2)
    assert f"{label} {NOTE}" in got.notes


@pytest.mark.parametrize("header_only", [True, False])
def test_a_sensor_logger_export(tmp_path: Path, walk: Recording, header_only: bool) -> None:
    rng = np.random.default_rng(1)
    folder = _unpacked(apps.sensorlogger_android(walk, tmp_path / "app", rng), tmp_path / "unpacked")
    with_gyroscope = io.read(folder)
    assert with_gyroscope.gyr_dps is not None
    _emptied(folder / "Gyroscope.csv", header_only)
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("TotalAcceleration.csv", "Metadata.csv"):
        (bare / name).write_bytes((folder / name).read_bytes())
    _check(folder, "Gyroscope.csv", bare)
    np.testing.assert_array_equal(io.read(folder).acc_mps2, with_gyroscope.acc_mps2)


def test_a_sensor_logger_sqlite_export_with_an_empty_gyroscope_table(tmp_path: Path, walk: Recording) -> None:
    """Its empty table was read as a gyroscope that never overlapped the accelerometer, and refused."""
    path = apps.sensorlogger_sqlite(walk, tmp_path, np.random.default_rng(2))
    bare = tmp_path / "bare.sqlite"
    bare.write_bytes(path.read_bytes())
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM Gyroscope")
    with sqlite3.connect(bare) as db:
        db.execute("DROP TABLE Gyroscope")
    _check(path, "Gyroscope.csv", bare)  # (its tables are named in notes as the ZIP export's files)


def test_a_metabase_recording(tmp_path: Path, walk: Recording) -> None:
    folder = apps.metabase(walk, tmp_path, np.random.default_rng(3))
    (gyroscope,) = folder.glob("*Gyroscope.csv")
    bare = tmp_path / "bare"
    bare.mkdir()
    for file in folder.glob("*Accelerometer.csv"):
        (bare / file.name).write_bytes(file.read_bytes())
    _emptied(gyroscope, header_only=True)
    _check(folder, f"{folder.name}/{gyroscope.name}", bare)


def test_a_phyphox_export(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=30.0, jitter_s=0.002)
    folder = tmp_path / "phyphox"
    folder.mkdir()
    acc_header = ['"Time (s)"', *(f'"Acceleration {a} (m/s^2)"' for a in "xyz")]
    synth.write_table(folder / "Accelerometer.csv", acc_header, [w.t, *w.acc.T], fmt="%.9E")
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "Accelerometer.csv").write_bytes((folder / "Accelerometer.csv").read_bytes())
    gyroscope = folder / "Gyroscope.csv"
    gyroscope.write_text('"Time (s)","Gyroscope x (rad/s)","Gyroscope y (rad/s)","Gyroscope z (rad/s)"\n')
    _check(folder, "phyphox/Gyroscope.csv", bare)
    gyroscope.write_text("")
    _check(folder, "phyphox/Gyroscope.csv", bare)
    # a file of another kind where the gyroscope's should be is still refused
    gyroscope.write_text('"Time (s)","Pressure (hPa)"\n0.0,1013.2\n')
    with pytest.raises(InputError, match=r"Gyroscope\.csv has no gyroscope x, y, z columns"):
        io.read(folder)


def test_an_accelerometer_file_without_readings_is_still_refused(tmp_path: Path, walk: Recording) -> None:
    folder = _unpacked(
        apps.sensorlogger_android(walk, tmp_path / "app", np.random.default_rng(4)), tmp_path / "u"
    )
    _emptied(folder / "TotalAcceleration.csv", header_only=True)
    with pytest.raises(InputError, match=r"TotalAcceleration\.csv has a header but no data rows"):
        io.read(folder)


def _cells_emptied(path: Path, rows: range) -> None:
    """The x, y, z cells of a Sensor Logger file's ``rows`` (index 0 is the header) left empty."""
    lines = path.read_text().splitlines()
    for i in rows:
        cells = lines[i].split(",")
        lines[i] = ",".join([*cells[:2], "", "", ""])
    path.write_text("\n".join(lines) + "\n")


def test_a_phone_gyroscope_files_long_run_of_empty_cells_is_bridged_and_named(
    tmp_path: Path, walk: Recording
) -> None:
    """The other sensor's file was refused naming its values the acceleration ("the acceleration column x has no
    values"), and the gyroscope's long run with it. Now the gyroscope's is bridged, said with its file's name,
    and the accelerometer is read whole; gravity's, which the acceleration is rebuilt from, is refused naming
    gravity."""
    folder = apps.sensorlogger_ios(walk, tmp_path / "app", np.random.default_rng(5))
    whole = io.read(folder)
    _cells_emptied(folder / "Gyroscope.csv", range(1001, 1201))  # 2 s at 100 Hz
    bridged = io.read(folder)
    np.testing.assert_array_equal(bridged.acc_mps2, whole.acc_mps2)
    assert any(
        n.startswith(
            "2025-10-09_08-53-20/Gyroscope.csv: the gyroscope has no values in 1 run of rows longer than"
        )
        for n in bridged.notes
    )
    _cells_emptied(folder / "Gravity.csv", range(1001, 1201))
    with pytest.raises(InputError, match=r"Gravity\.csv: the gravity column x has no values from line 1002"):
        io.read(folder)
