"""The phone-app exports of the reference recordings: a phone's clock, files that read back to the signal they
were made from, and the engine's accuracy through them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmarks import apps
from benchmarks.accuracy import DATA, load_folder, score_dataset
from benchmarks.datasets import random_rotation


@pytest.fixture(scope="module")
def turned() -> Any:
    """A real 10 m walk, turned as a phone in a belt pouch might sit."""
    if not (DATA / "lowback-10m").is_dir():
        pytest.fail(f"reference data not found at {DATA} (set BACKSTRIDE_SHARED_DATA)")
    folder = sorted(p.parent for p in (DATA / "lowback-10m").rglob("reference.json"))[0]
    rec, _, _ = load_folder(folder, random_rotation(41))
    return rec


def test_phone_clock_jitters_and_drops_samples() -> None:
    t = apps.phone_clock(600.0, 200.0, np.random.default_rng(1))
    dt = np.diff(t)
    assert np.all(dt > 0) and 0.0 <= t[0] < 1 / 200 and t[-1] <= 600.0
    regular = dt[dt < 1.6 / 200]
    assert np.median(regular) == pytest.approx(1 / 200, rel=0.01)
    assert np.std(regular) / np.mean(regular) == pytest.approx(apps.CLOCK_JITTER, rel=0.15)
    dropped = dt[dt >= 1.6 / 200]
    # runs of 2-10 samples lost at about 0.5 % of the samples: some 600 over ten minutes at 200 Hz
    assert 400 < dropped.size < 800
    # about 6 samples lost per run, 3 % of them; two runs may meet, but no gap lasts a tenth of a second
    assert 0.95 < t.size / (600 * 200) < 0.985
    assert dropped.max() < 0.1
    # same seed, same clock; another seed, another clock
    np.testing.assert_array_equal(t, apps.phone_clock(600.0, 200.0, np.random.default_rng(1)))
    assert not np.array_equal(t[:100], apps.phone_clock(600.0, 200.0, np.random.default_rng(2))[:100])


@pytest.mark.parametrize(
    ("app", "fmt", "rate_hz", "gyroscope"),
    [
        ("phyphox", "phyphox", 200.0, False),
        ("phyphox-xlsx", "phyphox", 200.0, False),
        ("sensorlogger-android", "sensorlogger", 200.0, True),
        ("sensorlogger-ios", "sensorlogger", 100.0, True),
        ("sensorlog", "csv", 100.0, True),
        ("metabase", "metabase", 100.0, True),
        ("movella-dot", "csv", 60.0, False),
    ],
)
def test_an_export_reads_back_to_the_signal_it_was_made_from(
    tmp_path: Path, turned: Any, app: str, fmt: str, rate_hz: float, gyroscope: bool
) -> None:
    from backstride import io

    path = apps.export(app, turned, tmp_path, seed=5)
    assert io.detect_format(path) == fmt
    back = io.read(path)
    assert back.metadata["format"] == fmt
    assert back.sampling_rate_hz == pytest.approx(rate_hz, rel=0.02)
    assert any(n.startswith("time base irregular") for n in back.notes)
    if app.startswith("sensorlogger-"):
        platform = "ios" if app != "sensorlogger-android" else "android"
        assert any("recorded on iOS" in n for n in back.notes) == (platform == "ios")
    if app == "sensorlog":
        assert any(n.startswith("SensorLog (iOS) acceleration: turned") for n in back.notes)
    if app == "movella-dot":  # no raw acceleration: rebuilt from the earth frame's and the orientation
        assert any(
            n.startswith("acceleration with gravity rebuilt in the sensor's frame") for n in back.notes
        )
    if app == "metabase":  # Unix time in ms, dated in the offset its header states
        assert back.metadata["start_time"].startswith("2025-10-09T10:53:20")
        assert back.metadata["start_time"].endswith("+02:00")
    # MetaBase's gyroscope keeps its own regular clock, a fixed part of a sample away from the accelerometer's:
    # it is interpolated (linearly) twice at that same phase, by this export from the 100 Hz source and by the
    # reader onto the accelerometer's stamps, which damps its 5-10 Hz content (by 5 % at 10 Hz half a sample
    # apart). The angular rate reads back 1.0-1.1 % of its spread off (measured; with its own best offset too,
    # so no time shift; 0.5 % for the iPhone's Sensor Logger, whose jittered clocks vary the phase), the
    # acceleration 0.15 %
    _assert_reads_back(back, turned, rate_hz, within=0.02 if app == "metabase" else 0.01)
    assert (back.gyr_dps is not None) == gyroscope


def _assert_reads_back(back: Any, source: Any, rate_hz: float, within: float = 0.01) -> None:
    """``back`` is ``source`` as read from an export: times from the accelerometer's first sample, which came
    at most a few sample intervals after the source's first (find that offset), and the same signals."""
    inside = (back.time_s > 1.0) & (back.time_s < source.duration_s - 1.0)
    t = back.time_s[inside]

    def error(mine: np.ndarray, signal: np.ndarray, offset: float) -> float:
        return float(np.median(np.abs(mine[inside] - apps.at(source.time_s, t + offset, signal))))

    offsets = np.arange(0.0, 0.0301, 0.001)
    offset = min(offsets, key=lambda o: error(back.acc_mps2, source.acc_mps2, o))
    assert offset < 3.0 / rate_hz
    for mine, signal in ((back.acc_mps2, source.acc_mps2), (back.gyr_dps, source.gyr_dps)):
        if mine is None or signal is None:
            continue
        # two linear interpolations of a 100 Hz signal apart
        assert error(mine, signal, offset) < within * np.std(signal, axis=0).max()


def test_sensor_loggers_json_export_reads_as_its_folder_does(tmp_path: Path, turned: Any) -> None:
    """The same iPhone recording, on the same clocks, as the app's JSON export and as its folder of CSVs."""
    from backstride import io

    as_json = io.read(apps.sensorlogger_json(turned, tmp_path / "json", np.random.default_rng(7)))
    as_folder = io.read(apps.sensorlogger_ios(turned, tmp_path / "folder", np.random.default_rng(7)))
    np.testing.assert_array_equal(as_json.time_s, as_folder.time_s)
    np.testing.assert_allclose(as_json.acc_mps2, as_folder.acc_mps2, rtol=0, atol=1e-9)
    assert as_json.gyr_dps is not None and as_folder.gyr_dps is not None
    # the CSV reader takes the nanosecond stamps as floats (256 ns steps), the JSON reader as integers
    np.testing.assert_allclose(as_json.gyr_dps, as_folder.gyr_dps, rtol=0, atol=1e-9)
    assert as_json.metadata == {**as_folder.metadata, "source": "2025-10-09_08-53-20.json"}
    assert "acceleration with gravity rebuilt as Accelerometer + Gravity" in as_json.notes


def test_sensor_loggers_sqlite_export_reads_as_its_zip_does(tmp_path: Path, turned: Any) -> None:
    """The same Android recording, on the same clocks, as the app's SQLite export and as its ZIP."""
    from backstride import io

    path = apps.sensorlogger_sqlite(turned, tmp_path / "sqlite", np.random.default_rng(7))
    assert io.detect_format(path) == "sensorlogger"
    as_sqlite = io.read(path)
    as_zip = io.read(apps.sensorlogger_android(turned, tmp_path / "zip", np.random.default_rng(7)))
    np.testing.assert_array_equal(as_sqlite.time_s, as_zip.time_s)
    np.testing.assert_array_equal(as_sqlite.acc_mps2, as_zip.acc_mps2)
    assert as_sqlite.gyr_dps is not None and as_zip.gyr_dps is not None
    np.testing.assert_array_equal(as_sqlite.gyr_dps, as_zip.gyr_dps)
    assert as_sqlite.metadata == {**as_zip.metadata, "source": path.name}
    assert as_sqlite.notes == as_zip.notes


def test_a_gyroscope_that_starts_late_does_not_move_the_time_origin(tmp_path: Path, turned: Any) -> None:
    # phones start their sensors a little apart; the accelerometer's clock must stay the recording's, or every
    # contact would move against a reference kept on it
    from backstride import io

    apps.export("sensorlogger-android", turned, tmp_path, seed=5)
    folder = tmp_path / "2025-10-09_08-53-20"
    gyro = folder / "Gyroscope.csv"
    lines = gyro.read_text().splitlines(keepends=True)
    late = [line for line in lines[1:] if float(line.split(",")[1]) >= 0.4]
    gyro.write_text(lines[0] + "".join(late))
    back = io.read(folder)
    _assert_reads_back(back, turned, 200.0)
    assert any(n.startswith("the gyroscope started 0.4") for n in back.notes)


@pytest.mark.parametrize("app", sorted(apps.APPS))
def test_the_engine_scores_about_the_same_through_a_phone_app(app: str) -> None:
    # measured (turned, then written as the app's export and read back): lab F1 0.82-0.84, 6-8 of 12 bouts,
    # speed MAE 0.094-0.128 m/s (over whichever bouts match: a bout more or less moves it by 0.03);
    # 10 m F1 0.932, step count error 1 (as recorded: 0.836, 6 of 12, 0.103 m/s; 0.932, 1)
    lab = score_dataset("lowback-lab", rotate=True, app=app)
    assert lab["ic_f1"] >= 0.79
    assert lab["wb_matched"] >= 5
    assert lab["walking_speed_mae_mps"] <= 0.14
    ten_m = score_dataset("lowback-10m", rotate=True, app=app)
    assert ten_m["ic_f1"] >= 0.91
    assert ten_m["step_count_abs_err_median"] <= 2


def test_feet_are_named_as_the_reference_names_them_through_a_sensorlog_export() -> None:
    """SensorLog writes Core Motion's acceleration with its own sign, the opposite of Android's: read as it is,
    every walk is its mirror image and the feet swap (measured: 0.113 in the lab, 0.04 on the first 40 10 m
    walks). Turned on reading, the feet agree with the reference as in the recordings themselves (measured:
    lab 0.904, 10 m 0.924; the recordings as given: 0.887, 0.923)."""
    from benchmarks.accuracy import foot_agreement

    assert foot_agreement("lowback-lab", app="sensorlog") >= 0.87
    assert foot_agreement("lowback-10m", app="sensorlog") >= 0.90


def test_a_movella_dot_export_reads_alike_with_its_orientation_as_a_quaternion_or_as_euler_angles(
    tmp_path: Path, turned: Any
) -> None:
    """The sensor-fusion modes write the orientation either way: both turn the free acceleration back into the
    same sensor-frame acceleration (the export's rotations built as matrices, the reader's applied as a
    quaternion or three turns), across the 32-bit microsecond clock's wrap 10 s in."""
    from backstride import io

    euler = io.read(apps.movella_dot(turned, _folder(tmp_path / "euler"), np.random.default_rng(3)))
    quat = io.read(
        apps.movella_dot(turned, _folder(tmp_path / "quat"), np.random.default_rng(3), quaternion=True)
    )
    assert euler.duration_s == pytest.approx(turned.duration_s, abs=0.1) and euler.duration_s > 10
    np.testing.assert_allclose(quat.acc_mps2, euler.acc_mps2, atol=1e-4)
    _assert_reads_back(quat, turned, 60.0)


def _folder(path: Path) -> Path:
    path.mkdir()
    return path
