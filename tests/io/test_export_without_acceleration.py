"""A phone app's export without acceleration says what it holds and what to switch on in the app, not the
generic 'not a recording' (a Sensor Logger export of the gyroscope, gravity and location was 'holds 3 tables ...
give the file of the sensor at the lower back'; one of the gyroscope alone 'a phyphox export'; phyphox's
gyroscope experiment 'name them with acc_columns')."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backstride import InputError, io

METADATA = (
    "version,device name,recording epoch time,recording time,platform\n3,Pixel 7,1760000000000,x,android\n"
)
SWITCH_ON = (
    "Switch the Accelerometer (and Gravity) on in Sensor Logger's sensor list, record again and export"
)


def _sensorlogger_folder(tmp_path: Path, synth: Any, sensors: list[str], metadata: bool) -> Path:
    w = synth.walk(20)
    folder = tmp_path / "2025-10-09_08-53-20"
    folder.mkdir()
    for sensor in sensors:
        if sensor == "Location":
            (folder / "Location.csv").write_text(
                "time,seconds_elapsed,bearingAccuracy,speed,altitude,longitude,latitude\n"
                "1760000000000000000,0.1,0,0,214.2,0.0,0.0\n"
            )
        else:
            synth.write_sensorlogger_csv(
                folder / f"{sensor}.csv", w.t, w.gyr if sensor == "Gyroscope" else w.acc
            )
    if metadata:
        (folder / "Metadata.csv").write_text(METADATA)
    return folder


@pytest.mark.parametrize(
    ("sensors", "metadata"),
    [(["Gyroscope", "Gravity", "Location"], True), (["Gyroscope", "Gravity", "Location"], False),
     (["Gyroscope"], False), (["Gyroscope"], True), (["Location"], True)],
)  # fmt: skip
@pytest.mark.parametrize("zipped", [True, False])
def test_a_sensorlogger_export_without_the_accelerometer_says_what_it_holds(
    tmp_path: Path, synth: Any, sensors: list[str], metadata: bool, zipped: bool
) -> None:
    folder = _sensorlogger_folder(tmp_path, synth, sensors, metadata)
    path = folder
    if zipped:
        path = tmp_path / "sensorlogger.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for file in sorted(folder.iterdir()):
                archive.write(file, file.name)
    held = ", ".join(sorted(f"{s}.csv" for s in [*sensors, *(["Metadata"] if metadata else [])]))
    assert io.detect_format(path) == "sensorlogger"
    for fmt in ("auto", "sensorlogger"):
        with pytest.raises(InputError) as caught:
            io.read(path, format=fmt)
        said = str(caught.value)
        assert said.startswith(
            f"{path.name} is a Sensor Logger export without the accelerometer: it holds {held} "
        )
        assert "but no Accelerometer.csv or TotalAcceleration.csv" in said
        assert SWITCH_ON in said


def test_a_sensorlogger_sqlite_export_without_the_accelerometer_says_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "2025-10-09_08-53-20.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE Gyroscope (time INTEGER, seconds_elapsed REAL, z REAL, y REAL, x REAL)")
        db.execute("INSERT INTO Gyroscope VALUES (1760000000000000000, 0.0, 0.1, 0.2, 0.3)")
    with pytest.raises(InputError, match=re.escape("without the accelerometer: it holds Gyroscope but no")):
        io.read(path)


def _phyphox(tmp_path: Path, views: dict[str, list[list[Any]]]) -> Path:
    from benchmarks.apps import write_phyphox_zip

    meta = {
        "Metadata Time": [["event", "experiment time", "system time", "system time text"],
                          ["START", 0.0, 1760000000.0, "2025-10-09 10:00:00.000 UTC+02:00"]],
        "Metadata Device": [["property", "value"], ["deviceModel", "Pixel 7"]],
    }  # fmt: skip
    return write_phyphox_zip(tmp_path / "phyphox.zip", {**views, **meta})


def _rows(header: list[str], t: np.ndarray, values: np.ndarray) -> list[list[Any]]:
    return [header, *[[time, *row] for time, row in zip(t, values, strict=True)]]


GYRO = ["Time (s)", *(f"Gyroscope {a} (rad/s)" for a in "xyz")]
LINEAR = ["Time (s)", *(f"Linear Acceleration {a} (m/s^2)" for a in "xyz"), "Absolute acceleration (m/s^2)"]


def test_phyphox_gyroscope_experiment_names_it(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(20)
    path = _phyphox(tmp_path, {"Raw Data": _rows(GYRO, w.t, np.radians(w.gyr))})
    with pytest.raises(InputError) as caught:
        io.read(path)
    said = str(caught.value)
    assert said.startswith(
        "phyphox.zip is a phyphox export of the gyroscope alone ('Gyroscope (rotation rate)'"
    )
    assert "Record with phyphox's 'Acceleration with g' experiment" in said


def test_phyphox_multi_sensor_export_of_the_gyroscope_alone_says_what_it_holds(
    tmp_path: Path, synth: Any
) -> None:
    w = synth.walk(20)
    path = _phyphox(tmp_path, {"Gyroscope": _rows(GYRO, w.t, np.radians(w.gyr))})
    with pytest.raises(InputError) as caught:
        io.read(path)
    said = str(caught.value)
    assert said.startswith("phyphox.zip is a phyphox export without acceleration: it holds Gyroscope.csv, ")
    assert "Record with phyphox's 'Acceleration with g' experiment" in said


def test_phyphox_acceleration_without_g_names_the_experiment(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(20)
    linear = w.acc - [synth.G, 0, 0]
    path = _phyphox(
        tmp_path, {"Raw Data": _rows(LINEAR, w.t, np.column_stack([linear, np.linalg.norm(linear, axis=1)]))}
    )
    with pytest.raises(InputError) as caught:
        io.read(path)
    said = str(caught.value)
    assert said.startswith(
        "phyphox.zip is a phyphox export of 'Acceleration without g' (its Raw Data.csv holds "
    )
    assert "Record with phyphox's 'Acceleration with g' experiment" in said
