"""The generic CSV reader: real reference files, header spellings, units, time bases, gaps."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backstride import InputError, io


def _file_rows(path: Path) -> np.ndarray:
    return np.loadtxt(path, delimiter=",", skiprows=1)


def test_every_lowback_lab_recording_reads_with_no_options(shared_data: Path) -> None:
    files = sorted((shared_data / "lowback-lab").glob("*/imu.csv"))
    assert len(files) == 7
    for path in files:
        recording = io.read(path, validate=False)
        rows = _file_rows(path)
        assert recording.sampling_rate_hz == 100.0
        assert recording.n_samples == rows.shape[0]
        assert recording.time_s[0] == 0.0
        np.testing.assert_allclose(np.diff(recording.time_s), 0.01, atol=1e-9)
        np.testing.assert_array_equal(recording.acc_mps2, rows[:, 1:4])
        assert recording.gyr_dps is not None
        np.testing.assert_array_equal(recording.gyr_dps, rows[:, 4:7])
        assert any(note.startswith("acceleration read in m/s²") for note in recording.notes)
        assert any(note.startswith("angular rate read in deg/s") for note in recording.notes)
        assert recording.metadata == {"format": "csv", "source": "imu.csv"}


def test_short_reference_walks_are_read(shared_data: Path) -> None:
    # Two Mobilise-D "Test5" straight walks last under 10 s: a short walk test is a real recording.
    path = shared_data / "lowback-lab" / "HA-002-Test5-Trial1" / "imu.csv"
    assert io.read(path).duration_s == pytest.approx(7.68, abs=0.02)


@pytest.mark.parametrize("trial", ["1-1", "10-3"])
def test_lowback_10m_recordings_read_with_no_options(shared_data: Path, trial: str) -> None:
    path = shared_data / "lowback-10m" / trial / "imu.csv"
    recording = io.read(path)
    rows = _file_rows(path)
    assert recording.sampling_rate_hz == 100.0
    assert recording.acc_mps2.shape == (rows.shape[0], 3)
    np.testing.assert_array_equal(recording.acc_mps2, rows[:, 1:4])
    assert "acceleration read in m/s²" in recording.notes[0]
    assert "deg/s" in recording.notes[1]


def test_bundled_sample_is_the_reference_recording(shared_data: Path) -> None:
    path = io.sample_path()
    assert path.name == "sample_lowback.csv.gz" and path.stat().st_size < 400_000
    original = shared_data / "lowback-lab" / "HA-001-Test11-Trial1" / "imu.csv"
    assert gzip.decompress(path.read_bytes()) == original.read_bytes()
    recording = io.read(path)
    assert recording.n_samples == 13759 and recording.duration_s == pytest.approx(137.59)
    meta = json.loads(io.sample_meta_path().read_text(encoding="utf-8"))
    assert meta["height_m"] == 1.59 and meta["sensor_height_m"] == pytest.approx(0.964)
    notice = (path.parent / "NOTICE").read_text(encoding="utf-8")
    assert "Apache" in notice and "Mobilise-D" in notice and "mobgap v1.2.0" in notice


def test_short_header_spellings_g_and_rad_per_s_are_detected_and_converted(
    tmp_path: Path, synth: Any
) -> None:
    w = synth.walk()
    path = synth.write_table(
        tmp_path / "phone.csv",
        ["t", "ax", "ay", "az", "gx", "gy", "gz"],
        [w.t, *(w.acc / synth.G).T, *np.radians(w.gyr).T],
    )
    recording = io.read(path)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert recording.gyr_dps is not None
    np.testing.assert_allclose(recording.gyr_dps, w.gyr, atol=1e-3)
    assert "acceleration read in g (gravity magnitude 1.0" in recording.notes[0]
    assert recording.notes[0].endswith("converted to m/s²")
    assert recording.notes[1].startswith("angular rate read in rad/s (99th percentile of |ω|")


def test_units_in_headers_tab_delimiter_and_no_gyroscope(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    header = ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)", "Acceleration z (m/s^2)"]
    path = synth.write_table(tmp_path / "tabbed.txt", header, [w.t, *w.acc.T], delimiter="\t")
    recording = io.read(path, format="csv")
    assert recording.gyr_dps is None
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert "as declared" in recording.notes[0]


@pytest.mark.parametrize(("delimiter", "decimal"), [("\t", "."), (";", ",")])
def test_shimmer_consensys_export(tmp_path: Path, synth: Any, delimiter: str, decimal: str) -> None:
    """Consensys writes a "sep=" line, names wrapped in the device's name and the calibration ("CAL"), a row
    of units under them, and a delimiter after every cell; time in ms since 1970."""
    w = synth.walk()
    names = [
        "Timestamp_Unix",
        "Accel_LN_X",
        "Accel_LN_Y",
        "Accel_LN_Z",
        "Gyro_X",
        "Gyro_Y",
        "Gyro_Z",
        "Battery",
    ]
    units = ["ms", "m/(s^2)", "m/(s^2)", "m/(s^2)", "deg/s", "deg/s", "deg/s", "mV"]
    lines = [f'"sep={delimiter}"', "", ""]
    lines[1] = "".join(f"Shimmer_40AC_{n}_CAL{delimiter}" for n in names)
    lines[2] = "".join(f"{u}{delimiter}" for u in units)
    stamps = 1_760_000_000_000.0 + w.t * 1000.0
    for row in np.column_stack([stamps, w.acc, w.gyr, np.full(w.t.shape, 3700.0)]):
        lines.append("".join(f"{v:.3f}".replace(".", decimal) + delimiter for v in row))
    path = tmp_path / "Session1_Shimmer_40AC_Calibrated_PC.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert io.detect_format(path) == "csv"
    recording = io.read(path)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-3)
    assert recording.gyr_dps is not None
    np.testing.assert_allclose(recording.gyr_dps, w.gyr, atol=1e-3)
    assert recording.sampling_rate_hz == 100.0
    assert recording.metadata["start_time"] == "2025-10-09T08:53:20+00:00"
    assert "acceleration read in m/s² as declared" in " ".join(recording.notes)


def _xsens_lines(w: Any, first_count: int, keep: np.ndarray) -> list[str]:
    counts = (first_count + np.arange(w.t.size)) % 65536  # XSens's 16-bit PacketCounter
    gyr = np.radians(w.gyr)
    return [
        "\t".join(
            [
                f"{counts[i]:.1f}",
                *(f"{v:.6f}" for v in w.acc[i]),
                *(f"{v:.6f}" for v in gyr[i]),
                "-0.5\t0.1\t-0.6",
            ]
        )
        for i in np.flatnonzero(keep)
    ]


def test_xsens_files_with_a_packet_counter_and_a_stated_rate(tmp_path: Path, synth: Any) -> None:
    """No time column: a sample counter, and the rate on a line above the names — the IPOL gait data set's
    files ("Acquisition frequency: 100 Hz") and XSens MT Manager's export ("// Update Rate: 100.0Hz")."""
    w = synth.walk()
    names = "PacketCounter\tAcc_X\tAcc_Y\tAcc_Z\tGyr_X\tGyr_Y\tGyr_Z\tMag_X\tMag_Y\tMag_Z"
    ipol = tmp_path / "1-1_lb.txt"
    ipol.write_text(
        "\n".join(["Acquisition frequency: 100 Hz", names, *_xsens_lines(w, 1, np.ones(3000, bool))]) + "\n"
    )
    assert io.detect_format(ipol) == "csv"
    recording = io.read(ipol)
    np.testing.assert_allclose(recording.time_s, w.t, atol=1e-9)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert recording.gyr_dps is not None
    np.testing.assert_allclose(recording.gyr_dps, w.gyr, atol=1e-3)
    assert "time from the PacketCounter column at the 100 Hz stated above the names" in recording.notes
    # MT Manager: comment lines; the counter wraps past 65535 and skips 20 lost packets, which leave a gap
    keep = np.ones(3000, bool)
    keep[1500:1520] = False
    header = ["// Start Time: Unknown", "// Update Rate: 100.0Hz", "// Filter Profile: human (46.1)", names]
    mtm = tmp_path / "MT_012005D6-000-000.txt"
    mtm.write_text("\n".join([*header, *_xsens_lines(w, 65000, keep)]) + "\n")
    recording = io.read(mtm)
    assert recording.n_samples == 3000 and recording.time_s[-1] == pytest.approx(29.99)
    assert any("gap" in note and "at 15.0 s" in note for note in recording.notes), recording.notes
    np.testing.assert_allclose(recording.acc_mps2[keep], w.acc[keep], atol=1e-5)
    assert list(io.iter_chunks(mtm, chunk_s=10.0))[-1].time_s[-1] == pytest.approx(29.99)
    # streamed in small blocks (as a file over WHOLE_READ_MAX_BYTES is), the wrap falls inside a later block
    from backstride.io import _csv

    with pytest.MonkeyPatch.context() as m:
        m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
        m.setattr(_csv, "STREAM_BLOCK_BYTES", 16 << 10)
        streamed = list(io.iter_chunks(mtm, chunk_s=7.0))
    assert len(streamed) > 3
    np.testing.assert_allclose(np.concatenate([c.acc_mps2 for c in streamed]), recording.acc_mps2, atol=1e-12)
    assert streamed[-1].time_s[-1] == pytest.approx(29.99)
    # a counter without a stated rate is no time column
    bare = tmp_path / "bare.txt"
    bare.write_text("\n".join([names, *_xsens_lines(w, 1, np.ones(3000, bool))]) + "\n")
    with pytest.raises(
        InputError, match=r"bare\.txt has no time column .* a sample counter such as PacketCounter"
    ):
        io.read(bare)
    # ... unless the caller gives the rate: the counter then times the rows, and lost packets stay gaps
    lossy = tmp_path / "lossy.txt"
    lossy.write_text("\n".join([names, *_xsens_lines(w, 1, keep)]) + "\n")
    given = io.read(lossy, rate_hz=100.0)
    assert given.n_samples == 3000 and given.time_s[-1] == pytest.approx(29.99)
    assert "time from the PacketCounter column at the 100 Hz given" in given.notes
    assert any("gap" in note and "at 15.0 s" in note for note in given.notes), given.notes
    np.testing.assert_allclose(given.acc_mps2[keep], w.acc[keep], atol=1e-5)


def test_rows_without_a_time_column_are_timed_at_a_given_rate(tmp_path: Path, synth: Any) -> None:
    """A logger's table of acceleration alone (a MATLAB export, a board's log): evenly spaced rows at the
    rate the caller gives; read whole or streamed (the rows counted on across blocks), plain or gzipped."""
    w = synth.walk(duration_s=40.0, rate_hz=50.0)
    path = synth.write_table(tmp_path / "xyz.csv", ["acc_x", "acc_y", "acc_z"], list(w.acc.T))
    gz = tmp_path / "xyz.csv.gz"
    import gzip

    gz.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(
        InputError, match=r"give the rate of its evenly spaced rows with rate_hz \(--rate-hz\)"
    ):
        io.read(path)
    recording = io.read(path, rate_hz=50.0)
    assert recording.sampling_rate_hz == 50.0 and recording.n_samples == 2000
    np.testing.assert_allclose(recording.time_s, w.t, atol=1e-9)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert "no time column: the rows timed at the 50 Hz given, evenly spaced" in recording.notes
    from backstride.io import _csv

    with pytest.MonkeyPatch.context() as m:
        m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
        m.setattr(_csv, "STREAM_BLOCK_BYTES", 8 << 10)
        for source in (path, gz):
            chunks = list(io.iter_chunks(source, chunk_s=10.0, rate_hz=50.0))
            assert len(chunks) == 4
            np.testing.assert_allclose(np.concatenate([c.time_s for c in chunks]), w.t, atol=1e-9)
            np.testing.assert_allclose(np.concatenate([c.acc_mps2 for c in chunks]), w.acc, atol=1e-5)
            assert not any("gap" in note for c in chunks for note in c.notes)
    # a file with a time column is timed by it; the rate given is left aside, and said so
    timed = synth.write_table(tmp_path / "timed.csv", ["time", "acc_x", "acc_y", "acc_z"], [w.t, *w.acc.T])
    by_column = io.read(timed, rate_hz=100.0)
    assert by_column.sampling_rate_hz == 50.0
    assert "the rate given (100 Hz) is left aside: the file's time column times it" in by_column.notes
    for bad in (0.0, -50.0, float("nan"), 1e6):
        with pytest.raises(InputError, match="is not plausible; give the rows' rate in Hz"):
            io.read(path, rate_hz=bad)
    with pytest.raises(InputError, match="sampled at 10 Hz; at least 20 Hz is needed"):
        io.read(path, rate_hz=10.0)


def test_a_rate_given_for_a_device_file_is_left_aside_and_said_so(shared_data: Path) -> None:
    path = shared_data / "devices" / "axivity_cwa" / "skdh_ax3_sample.cwa"
    note = "the rate given (50 Hz) is left aside: this axivity recording carries its own clock"
    plain, given = io.read(path), io.read(path, rate_hz=50.0)
    assert given.sampling_rate_hz == plain.sampling_rate_hz > 100 and given.n_samples == plain.n_samples
    assert note in given.notes and note not in plain.notes
    chunks = list(io.iter_chunks(path, chunk_s=60.0, rate_hz=50.0))
    assert len(chunks) > 1 and all(note in chunk.notes for chunk in chunks)


def test_what_is_said_of_a_tables_columns_is_left_aside_for_a_device_file_and_said_so(
    shared_data: Path,
) -> None:
    """Column names and a time unit describe a CSV table; a logger's own file names its own columns and keeps
    its own clock: read as it is, with one note naming what was left aside."""
    path = shared_data / "devices" / "axivity_cwa" / "skdh_ax3_sample.cwa"
    plain = io.read(path)
    given = io.read(path, time_column="clock", time_unit="ms", acc_columns=["A", "B", "C"], rate_hz=50.0)
    np.testing.assert_array_equal(given.acc_mps2, plain.acc_mps2)
    assert (
        "the time column, time unit, acceleration columns and rate given (50 Hz) are left aside: this axivity "
        "recording names its own columns and carries its own clock"
    ) in given.notes
    columns = io.read(path, acc_columns=["A", "B", "C"])
    assert "the acceleration columns given are left aside: this axivity recording names its own columns" in (
        columns.notes
    )


def test_a_units_row_under_the_names_is_read_as_units(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    header = ["time", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    path = synth.write_table(
        tmp_path / "units.csv", header, [w.t, *(w.acc / 9.80665).T, *np.radians(w.gyr).T]
    )
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "s,g,g,g,rad/s,rad/s,rad/s", *lines[1:]]) + "\n")
    recording = io.read(path)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-4)
    assert recording.gyr_dps is not None
    np.testing.assert_allclose(recording.gyr_dps, w.gyr, atol=1e-3)
    assert "acceleration read in g as declared" in " ".join(recording.notes)
    assert "angular rate read in rad/s as declared" in " ".join(recording.notes)
    bad = "\n".join([lines[0], "s,g,g,g,rad/s,rad/s,rad/s", *lines[1:500], "1,2", *lines[500:]]) + "\n"
    path.write_text(bad)
    with pytest.raises(InputError, match=r"units\.csv: line 502 has 2 cells"):  # lines count the units row
        io.read(path)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_decimal_comma(tmp_path: Path, synth: Any, delimiter: str) -> None:
    # phyphox offers both "semicolon, decimal comma" and "tabulator, decimal comma" exports
    w = synth.walk()
    header = ["timestamp", "AccX", "AccY", "AccZ", "GyroX", "GyroY", "GyroZ"]
    path = synth.write_table(
        tmp_path / "eu.csv", header, [w.t, *w.acc.T, *w.gyr.T], delimiter=delimiter, decimal=","
    )
    recording = io.read(path)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert recording.gyr_dps is not None and recording.gyr_dps[5, 1] == pytest.approx(w.gyr[5, 1], abs=1e-5)


@pytest.mark.parametrize(("column", "scale", "unit"), [("timestamp", 1e3, "ms"), ("time", 1e9, "ns")])
def test_epoch_time_in_ms_or_ns_is_detected(
    tmp_path: Path, column: str, scale: float, unit: str, synth: Any
) -> None:
    w = synth.walk()
    start = 1_760_000_000.0  # 2025-10-09T08:53:20Z
    header = [column, "acc_x", "acc_y", "acc_z"]
    path = synth.write_table(tmp_path / "epoch.csv", header, [(start + w.t) * scale, *w.acc.T], fmt="%.17g")
    recording = io.read(path)
    assert recording.sampling_rate_hz == 100.0
    assert recording.time_s[0] == 0.0 and recording.time_s[-1] == pytest.approx(29.99)
    assert recording.metadata["start_time"] == "2025-10-09T08:53:20+00:00"
    assert f"time read as {unit} since 1970" in recording.notes[0]


def test_gzip_is_recognised_by_content(tmp_path: Path, make_csv: Callable[..., Path], synth: Any) -> None:
    plain = make_csv()
    packed = tmp_path / "walk.data"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert io.detect_format(packed) == "csv"
    np.testing.assert_array_equal(io.read(packed).acc_mps2, io.read(plain).acc_mps2)


def test_irregular_phone_time_base_is_resampled(make_csv: Callable[..., Path], synth: Any) -> None:
    w = synth.walk(jitter_s=0.003)
    recording = io.read(make_csv(w=w))
    assert recording.sampling_rate_hz == 100.0
    np.testing.assert_allclose(np.diff(recording.time_s), 0.01, atol=1e-12)
    note = next(n for n in recording.notes if n.startswith("time base irregular"))
    assert "resampled to 100 Hz" in note and "median 10.0 ms" in note
    truth = synth.walk()  # the same signal on the exact grid
    n = min(recording.n_samples, truth.t.shape[0])
    np.testing.assert_allclose(recording.acc_mps2[:n], truth.acc[:n], atol=0.05)


def test_gaps_are_reported_with_count_longest_and_place(make_csv: Callable[..., Path], synth: Any) -> None:
    w = synth.walk(duration_s=60.0)
    drop = ((w.t > 20.0) & (w.t < 20.5)) | ((w.t > 41.2) & (w.t < 42.5))
    w = type(w)(w.t[~drop], w.acc[~drop], w.gyr[~drop])
    recording = io.read(make_csv(w=w))
    assert recording.sampling_rate_hz == 100.0
    assert recording.time_s[-1] == pytest.approx(59.99)
    note = next(n for n in recording.notes if "gap" in n)
    assert note.startswith("2 gaps longer than 0.1 s (longest 1.3 s at 41.2 s)")
    assert "interpolation" in note


def test_a_gap_over_10_s_is_bridged_with_a_warning(make_csv: Callable[..., Path], synth: Any) -> None:
    w = synth.walk(duration_s=60.0)
    drop = (w.t > 20.0) & (w.t < 35.0)
    w = type(w)(w.t[~drop], w.acc[~drop], w.gyr[~drop])
    recording = io.read(make_csv(w=w))
    warning = next(n for n in recording.notes if n.startswith("warning:"))
    assert "1 gap longer than 10 s (20.0–35.0 s)" in warning and "not measurement" in warning


def test_column_names_and_units_can_be_given(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    header = ["clock", "a1", "a2", "a3", "w1", "w2", "w3"]
    path = synth.write_table(tmp_path / "odd.csv", header, [w.t, *(w.acc / synth.G).T, *w.gyr.T])
    with pytest.raises(InputError, match="no time column"):
        io.read(path)
    recording = io.read(
        path, time_column="clock", acc_columns=["a1", "a2", "a3"], gyr_columns=["w1", "w2", "w3"],
        acc_unit="g", gyr_unit="deg/s",
    )  # fmt: skip
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert "acceleration read in g as declared" in recording.notes[0]
    with pytest.raises(InputError, match="no column named 'nope'"):
        io.read(path, time_column="nope")


def test_linear_acceleration_without_gravity_is_refused(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    linear = w.acc - w.acc.mean(axis=0)
    path = synth.write_table(tmp_path / "linear.csv", ["time_s", "acc_x", "acc_y", "acc_z"], [w.t, *linear.T])
    with pytest.raises(InputError, match=r"no gravity in it .* linear acceleration"):
        io.read(path)
    named = synth.write_table(
        tmp_path / "Raw Data.csv",
        [
            "Time (s)",
            "Linear Acceleration x (m/s^2)",
            "Linear Acceleration y (m/s^2)",
            "Linear Acceleration z (m/s^2)",
        ],
        [w.t, *linear.T],
    )
    with pytest.raises(InputError, match="holds linear acceleration"):
        io.read(named)


def test_linear_acceleration_with_its_gravity_beside_it_is_added_up(tmp_path: Path, synth: Any) -> None:
    """Apps that log the phone's sensor fusion write gravity apart from the linear acceleration: their sum is
    the acceleration with gravity. SensorLog's device motion (``motionUserAcceleration`` + ``motionGravity``, in
    G with Core Motion's sign) and an Android app's ``linear_acc_*`` + ``gravity_*`` in m/s²."""
    w = synth.walk()
    gravity = np.tile(w.acc.mean(axis=0), (w.t.shape[0], 1))
    user, down = -(w.acc - gravity) / G_MPS2, -gravity / G_MPS2  # Core Motion's sign
    names = ["loggingTime(txt)", "motionTimestamp_sinceReboot(s)"]
    names += [f"motionUserAcceleration{a}(G)" for a in "XYZ"] + [f"motionGravity{a}(G)" for a in "XYZ"]
    rows = [
        [f"2024-05-03 10:07:{20 + w.t[i]:06.3f} +0200", f"{900 + w.t[i]:.4f}"]
        + [f"{v:.7f}" for v in (*user[i], *down[i])]
        for i in range(w.t.shape[0])
    ]
    motion = tmp_path / "sensorlog-motion.csv"
    motion.write_text("\n".join(",".join(r) for r in [names, *rows]) + "\n", encoding="utf-8")
    recording = io.read(motion)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-6 * G_MPS2)
    assert recording.notes[:2] == (
        "acceleration with gravity rebuilt as motionUserAccelerationX(G), motionUserAccelerationY(G), "
        "motionUserAccelerationZ(G) + motionGravityX(G), motionGravityY(G), motionGravityZ(G)",
        "SensorLog (iOS) acceleration: turned to Android's sign (Core Motion gives the opposite)",
    )
    android = synth.write_table(
        tmp_path / "fusion.csv",
        ["t", "linear_acc_x", "linear_acc_y", "linear_acc_z", "gravity_x", "gravity_y", "gravity_z"],
        [w.t, *(w.acc - gravity).T, *gravity.T],
    )
    recording = io.read(android)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert recording.notes[0].startswith("acceleration with gravity rebuilt as linear_acc_x")
    no_gravity = synth.write_table(
        tmp_path / "no-gravity.csv", ["t", "linear_acc_x", "linear_acc_y", "linear_acc_z"], [w.t, *w.acc.T]
    )
    with pytest.raises(InputError, match=r"holds linear acceleration \(gravity removed\) and no gravity"):
        io.read(no_gravity)


def test_an_acceleration_magnitude_fitting_no_unit_is_refused(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    path = synth.write_table(
        tmp_path / "cm.csv", ["time_s", "acc_x", "acc_y", "acc_z"], [w.t, *(w.acc / synth.G * 100).T]
    )
    with pytest.raises(
        InputError, match=r"cannot tell the acceleration unit .* median magnitude is 10\d\.\d\d"
    ):
        io.read(path)


@pytest.mark.parametrize("header", ["acc_x", "acc_x (mg)", "acc_x_mg"])
def test_acceleration_in_milli_g_is_read(tmp_path: Path, synth: Any, header: str) -> None:
    """A magnitude near 1000 is milli-g (mg), found from it or from the header, and said: it was refused as no
    unit's, and the advice then given (--acc-unit g or m/s2) read gravity as 1000 g or 1000 m/s²."""
    w = synth.walk()
    names = ["time_s", *(header.replace("_x", f"_{axis}") for axis in "xyz")]
    path = synth.write_table(tmp_path / "mg.csv", names, [w.t, *(w.acc / synth.G * 1000).T])
    recording = io.read(path)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-4)
    how = "" if header == "acc_x" else " as declared"
    assert any(
        note.startswith(f"acceleration read in mg{how} (gravity magnitude 10") for note in recording.notes
    )


@pytest.mark.parametrize(
    ("scale", "declared", "fits"), [(1000.0, "g", "mg"), (1000.0, "m/s2", "mg"), (1.0, "mg", "g")]
)
def test_a_declared_acceleration_unit_that_the_magnitude_contradicts_is_refused(
    tmp_path: Path, synth: Any, scale: float, declared: str, fits: str
) -> None:
    w = synth.walk()
    path = synth.write_table(
        tmp_path / "walk.csv", ["time_s", "acc_x", "acc_y", "acc_z"], [w.t, *(w.acc / synth.G * scale).T]
    )
    with pytest.raises(InputError, match=rf"but its median magnitude is .*; pass acc_unit='{fits}'"):
        io.read(path, acc_unit=declared)


def test_options_are_checked() -> None:
    with pytest.raises(InputError, match="unknown format 'xls'"):
        io.read(io.sample_path(), format="xls")
    with pytest.raises(InputError, match="unknown acceleration unit 'cm/s2'"):
        io.read(io.sample_path(), acc_unit="cm/s2")


@pytest.mark.parametrize(
    ("suffix", "start"),
    [
        ("Z", "2025-10-09T08:53:20+00:00"),
        ("", "2025-10-09T08:53:20"),
        ("+02:00", "2025-10-09T08:53:20+02:00"),  # in the time zone the file states, as written
        ("-03:30", "2025-10-09T08:53:20-03:30"),
    ],
)
def test_date_and_time_stamps(tmp_path: Path, synth: Any, suffix: str, start: str) -> None:
    w = synth.walk(duration_s=20.0)
    base = np.datetime64("2025-10-09T08:53:20", "ms")
    stamps = [str(base + np.timedelta64(round(t * 1000), "ms")) + suffix for t in w.t]
    lines = ["timestamp,acc_x,acc_y,acc_z"] + [
        f"{s},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f}" for s, a in zip(stamps, w.acc, strict=True)
    ]
    path = tmp_path / "stamped.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    recording = io.read(path)
    assert recording.sampling_rate_hz == 100.0 and recording.n_samples == 2000
    assert recording.metadata["start_time"] == start
    assert recording.notes[0].startswith("time read as date and time")
    assert next(io.iter_chunks(path)).metadata["start_time"] == start


@pytest.mark.parametrize("name", ["datetime", "Date", "timestamp_utc", "recording_time"])
def test_time_columns_named_after_date_or_time_are_found(tmp_path: Path, synth: Any, name: str) -> None:
    w = synth.walk(duration_s=20.0)
    path = synth.write_table(tmp_path / "named.csv", [name, "x", "y", "z"], [w.t, *w.acc.T])
    recording = io.read(path)
    assert recording.sampling_rate_hz == 100.0
    assert recording.n_samples == 2000
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)


@pytest.mark.parametrize(
    ("name", "scale", "unit"), [("millis", 1e3, "ms"), ("micros", 1e6, "us"), ("ms", 1e3, "ms")]
)
def test_a_time_column_named_by_its_unit_is_found(
    tmp_path: Path, synth: Any, name: str, scale: float, unit: str
) -> None:
    # a microcontroller's log: the board's clock under Arduino's millis() or micros(), counting from a boot
    # 12.5 s before the recording began
    w = synth.walk(duration_s=20.0)
    path = synth.write_table(
        tmp_path / "board.csv", [name, "ax", "ay", "az"], [(12.5 + w.t) * scale, *w.acc.T]
    )
    recording = io.read(path)
    assert recording.sampling_rate_hz == 100.0 and recording.n_samples == 2000
    assert recording.time_s[0] == 0.0 and recording.time_s[-1] == pytest.approx(19.99)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert f"time read in {unit}, converted to seconds" in recording.notes


def test_acceleration_without_a_time_column_is_told_so(tmp_path: Path, synth: Any) -> None:
    # three columns of acceleration alone: the CSV reader says what is missing (not "not a table")
    w = synth.walk(duration_s=20.0)
    path = synth.write_table(tmp_path / "xyz.csv", ["acc_x", "acc_y", "acc_z"], list(w.acc.T))
    with pytest.raises(
        InputError,
        match=r"xyz\.csv has no time column .* its columns are: acc_x, acc_y, acc_z; name it with time_column "
        r"\(--time-column\)",
    ):
        io.read(path)


G_MPS2 = 9.80665


def _app_rows(w: Any, app: str) -> tuple[list[str], list[list[str]], str]:
    """A synthetic walk laid out as four phone apps write it (their column names and units)."""
    g, rad = w.acc / G_MPS2, np.deg2rad(w.gyr)
    n = w.t.shape[0]
    if app == "sensorlog":  # SensorLog (iOS): text clock first, the accelerometer's own clock, G with Core
        # Motion's sign (gravity reads -1 G along the axis pointing up), rad/s
        header = ["loggingTime(txt)", "loggingSample(N)", "accelerometerTimestamp_sinceReboot(s)"]
        header += [f"accelerometerAcceleration{a}(G)" for a in "XYZ"]
        header += [f"motionUserAcceleration{a}(G)" for a in "XYZ"] + [
            f"gyroRotation{a}(rad/s)" for a in "XYZ"
        ]
        rows = [
            [f"2024-05-03 10:07:{20 + w.t[i]:06.3f} +0200", str(i), f"{5000 + w.t[i]:.4f}"]
            + [f"{-v:.6f}" for v in g[i]]
            + ["0.01", "0.02", "0.03"]
            + [f"{v:.6f}" for v in rad[i]]
            for i in range(n)
        ]
        return header, rows, ","
    if app == "physicstoolbox":  # Physics Toolbox Sensor Suite: g-force with gravity, ax.. is linear
        header = ["time", "gFx", "gFy", "gFz", "ax", "ay", "az", "wx", "wy", "wz"]
        rows = [
            [f"{w.t[i]:.3f}", *(f"{v:.5f}" for v in g[i]), "0.1", "0.2", "0.3", *(f"{v:.5f}" for v in rad[i])]
            for i in range(n)
        ]
        return header, rows, ","
    if app == "androsensor":  # AndroSensor: semicolons, units in the names, time since start in ms
        header = [f"ACCELEROMETER {a} (m/s²)" for a in "XYZ"] + [f"GYROSCOPE {a} (rad/s)" for a in "XYZ"]
        header += ["Time since start in ms ", "YYYY-MO-DD HH-MI-SS_SSS"]
        rows = [
            [*(f"{v:.5f}" for v in w.acc[i]), *(f"{v:.5f}" for v in rad[i]), str(round(w.t[i] * 1000)), "x"]
            for i in range(n)
        ]
        return header, rows, ";"
    # Science Journal (Arduino / Google): milliseconds since the start in a column without a unit
    rows = [[str(round(w.t[i] * 1000)), *(f"{v:.5f}" for v in w.acc[i])] for i in range(n)]
    return ["relative_time", "AccX", "AccY", "AccZ"], rows, ","


@pytest.mark.parametrize("app", ["sensorlog", "physicstoolbox", "androsensor", "sciencejournal"])
def test_phone_apps_own_csv_layouts_read_with_no_options(tmp_path: Path, synth: Any, app: str) -> None:
    w = synth.walk(duration_s=20.0)
    header, rows, sep = _app_rows(w, app)
    path = tmp_path / f"{app}.csv"
    path.write_text("\n".join(sep.join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    recording = io.read(path)
    assert recording.sampling_rate_hz == 100.0
    assert recording.n_samples == w.t.shape[0]
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-3 * G_MPS2)
    if app != "sciencejournal":
        assert recording.gyr_dps is not None
        np.testing.assert_allclose(recording.gyr_dps, w.gyr, atol=0.01)
    if app == "sciencejournal":
        assert any(
            n.startswith("time read in ms (its median step of 10 between rows") for n in recording.notes
        )
    if app == "sensorlog":  # its clock counts from the phone's restart; the wall clock beside it dates it
        assert recording.metadata["start_time"] == "2024-05-03T10:07:20+02:00"
    turned = [n for n in recording.notes if "turned to Android's sign" in n]
    assert turned == (
        ["SensorLog (iOS) acceleration: turned to Android's sign (Core Motion gives the opposite)"]
        if app == "sensorlog"
        else []
    )


@pytest.mark.parametrize(("zone", "offset"), [("+0200", "+02:00"), ("-0700", "-07:00")])
def test_mbientlab_metabase_files_read_with_no_options(
    tmp_path: Path, synth: Any, zone: str, offset: str
) -> None:
    """MbientLab's MetaBase (MetaWear sensors) writes a file per sensor, as its State.swift and SensorConfig.swift
    do: "epoc (ms)" (Unix time), the local time as text with the offset in the name, "elapsed (s)", then the
    values, "x-axis (g)" to three decimals; no line end after the last row. Time from the Unix time, dated in
    the offset the name states; the gyroscope's and the sensor fusion's files on their own are refused."""
    from datetime import datetime, timedelta, timezone

    w = synth.walk(duration_s=20.0)
    sign = 1 if zone[0] == "+" else -1
    local = timezone(sign * timedelta(hours=int(zone[1:3])))
    start = datetime(2024, 5, 3, 10, 15, 0, 123000, tzinfo=local)
    stem = f"MetaWear_{start:%Y-%m-%dT%H.%M.%S}.123_C3FB9A3F4A5B_"

    def write(sensor: str, unit: str, values: np.ndarray) -> Path:
        rows = []
        for ti, v in zip(w.t, values, strict=True):
            at = start + timedelta(seconds=float(ti))
            stamp = f"{at:%Y-%m-%dT%H.%M.%S}.{at.microsecond // 1000:03d}"
            ms = round(start.timestamp() * 1000 + ti * 1000)
            rows.append(f"\n{ms},{stamp},{ti:.3f},{v[0]:.3f},{v[1]:.3f},{v[2]:.3f}")
        path = tmp_path / f"{stem}{sensor}.csv"
        head = f"epoc (ms),timestamp ({zone}),elapsed (s),x-axis ({unit}),y-axis ({unit}),z-axis ({unit})"
        path.write_text(head + "".join(rows), encoding="utf-8")
        return path

    recording = io.read(write("Accelerometer", "g", w.acc / G_MPS2))
    assert recording.sampling_rate_hz == 100.0
    assert recording.n_samples == w.t.shape[0]  # the last row, with no line end, is whole
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=0.0006 * G_MPS2)
    assert recording.gyr_dps is None
    assert recording.metadata["start_time"] == f"2024-05-03T10:15:00.123000{offset}"
    assert "acceleration read in g as declared" in " ".join(recording.notes)
    gyroscope = write("Gyroscope", "deg/s", w.gyr)
    with pytest.raises(
        InputError, match=r"_Gyroscope\.csv holds the Gyroscope readings of MbientLab's MetaBase"
    ):
        io.read(gyroscope)
    renamed = gyroscope.rename(tmp_path / "angular.csv")  # no name to tell: the units do
    with pytest.raises(
        InputError, match=r"angular\.csv holds angular rate \(x-axis \(deg/s\), .*accelerometer"
    ):
        io.read(renamed)
    with pytest.raises(InputError, match=r"_Gravity\.csv holds the Gravity readings of MbientLab's MetaBase"):
        io.read(write("Gravity", "g", np.tile([1.0, 0.0, 0.0], (w.t.shape[0], 1))))


def test_a_time_column_stepping_by_one_is_not_guessed_to_be_milliseconds(tmp_path: Path) -> None:
    """1 Hz and 1000 Hz are equally possible: seconds are kept, and 1 Hz is refused as too slow."""
    rows = [f"{i},0,0,1" for i in range(600)]
    path = tmp_path / "counts.csv"
    path.write_text("time,ax,ay,az\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="sampled at 1 Hz"):
        io.read(path)


def test_a_file_without_header_of_time_and_xyz_is_read(tmp_path: Path, synth: Any) -> None:
    """Axivity OMGUI's CSV export: date and time, then x, y, z in g, and no names line."""
    import datetime as dt

    w = synth.walk(duration_s=20.0)
    start = dt.datetime(2012, 3, 27, 11, 14, 57, 500000)
    rows = [
        f"{(start + dt.timedelta(seconds=float(w.t[i]))).isoformat(sep=' ', timespec='milliseconds')},"
        + ",".join(f"{v / G_MPS2:.6f}" for v in w.acc[i])
        for i in range(w.t.shape[0])
    ]
    path = tmp_path / "omgui.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    recording = io.read(path)
    assert recording.n_samples == w.t.shape[0]  # the first line is data, not names
    assert recording.sampling_rate_hz == 100.0
    assert recording.metadata["start_time"] == "2012-03-27T11:14:57.500000"
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5 * G_MPS2)
    assert "no header line: the four columns read as time, x, y, z" in recording.notes
    numbers = tmp_path / "numbers.csv"
    numbers.write_text(
        "\n".join(f"{w.t[i]:.2f},{w.acc[i, 0]:.4f},{w.acc[i, 1]:.4f},{w.acc[i, 2]:.4f}" for i in range(2000))
    )
    assert io.read(numbers).n_samples == 2000


def test_a_file_without_header_and_other_columns_asks_for_one(tmp_path: Path) -> None:
    """Seven unnamed columns could be a gyroscope or a GENEActiv export's light, button and temperature."""
    path = tmp_path / "unnamed.csv"
    path.write_text(
        "\n".join(f"{i / 50:.2f},0.1,0.2,1.0,12,0,25.5" for i in range(500)) + "\n", encoding="utf-8"
    )
    with pytest.raises(
        InputError,
        match=r"has no header line \(the first line is data, 7 values separated by commas\); add one naming its columns, such as time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z ",
    ):
        io.read(path)


@pytest.mark.parametrize(
    ("gyro_every", "offset_s"), [(1, 0.0), (1, 0.004), (2, 0.005)], ids=["same stamps", "after", "half rate"]
)
def test_a_table_of_one_sensor_a_row_keeps_the_accelerometers_clock(
    tmp_path: Path, shared_data: Path, gyro_every: int, offset_s: float
) -> None:
    """Apps that log several sensors into one table write each reading on a row of its own, the other
    sensor's cells empty: the gyroscope is put onto the accelerometer's time stamps (not every empty cell
    filled and the mixed stamps resampled), read whole or block by block, and the walk measured as recorded."""
    from backstride.gait import analyze
    from backstride.io import _csv

    original = io.read(shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv")
    assert original.gyr_dps is not None
    lines = ["time,ax,ay,az,gx,gy,gz"]
    for i, (t, a, g) in enumerate(zip(original.time_s, original.acc_mps2, original.gyr_dps, strict=True)):
        lines.append(f"{t:.3f},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f},,,")
        if i % gyro_every == 0:
            lines.append(f"{t + offset_s:.3f},,,,{g[0]:.5f},{g[1]:.5f},{g[2]:.5f}")
    path = tmp_path / "sensors.csv"
    path.write_text("\n".join(lines) + "\n")
    recording = io.read(path)
    assert recording.sampling_rate_hz == 100.0 and recording.n_samples == original.n_samples
    assert recording.notes[0].startswith("the accelerometer and the gyroscope write rows of their own")
    assert not any("missing values" in note or "irregular" in note for note in recording.notes)
    np.testing.assert_allclose(recording.acc_mps2, original.acc_mps2, atol=1e-6)
    assert recording.gyr_dps is not None
    inside = slice(2, -2)  # the ends are held at the nearest reading
    tolerance = 1e-5 if (gyro_every, offset_s) == (1, 0.0) else 25.0
    np.testing.assert_allclose(recording.gyr_dps[inside], original.gyr_dps[inside], atol=tolerance)
    if tolerance > 1e-5:  # interpolated between readings: close, not equal
        assert float(np.median(np.abs(recording.gyr_dps - original.gyr_dps))) < 1.0
    contacts = [c.time_s for c in analyze(recording).initial_contacts]
    assert contacts == [c.time_s for c in analyze(original).initial_contacts]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
        m.setattr(_csv, "STREAM_BLOCK_BYTES", 16 << 10)
        chunks = list(io.iter_chunks(path, chunk_s=4.0))
    assert len(chunks) >= 3
    np.testing.assert_allclose(np.concatenate([c.acc_mps2 for c in chunks]), original.acc_mps2, atol=1e-6)
    # at a block's edge the readings around a row lie in two blocks: interpolated between them all the same
    np.testing.assert_array_equal(np.concatenate([c.gyr_dps for c in chunks]), recording.gyr_dps)


def test_rows_out_of_order_after_rows_were_set_aside_are_named_by_their_time(
    tmp_path: Path, synth: Any
) -> None:
    """Once rows no longer map to lines (a sensor's own rows set aside), a message names a row by its time:
    the time from the file's first row, also when the file is read block by block."""
    from backstride.io import _csv

    w = synth.walk(duration_s=10.0)
    lines = ["time,ax,ay,az,gx,gy,gz"]
    for t, a, g in zip(w.t, w.acc, w.gyr, strict=True):
        lines += [
            f"{t:.3f},{a[0]:.5f},{a[1]:.5f},{a[2]:.5f},,,",
            f"{t + 0.004:.3f},,,,{g[0]:.4f},{g[1]:.4f},{g[2]:.4f}",
        ]
    lines[401], lines[801] = lines[801], lines[401]  # two accelerometer rows swapped
    path = tmp_path / "swapped.csv"
    path.write_text("\n".join(lines) + "\n")
    said = r"time goes backwards on the row at 2\.01 s \(2\.010 s after 4\.000 s\)"
    with pytest.raises(InputError, match=said):
        io.read(path)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
        m.setattr(_csv, "STREAM_BLOCK_BYTES", 8 << 10)  # the swap two blocks in
        with pytest.raises(InputError, match=said):
            list(io.iter_chunks(path, chunk_s=4.0))


def test_a_table_of_thousands_of_columns_without_time_lists_twenty(tmp_path: Path) -> None:
    """Its message listed all 20 000 names (71 508 characters in the upload page), found by fuzzing uploads."""
    path = tmp_path / "wide.csv"
    path.write_text(
        ",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join("1" for _ in range(20_000)) + "\n"
    )
    with pytest.raises(InputError) as caught:
        io.read(path)
    message = str(caught.value)
    # the names of the first 64 KB the layout is found from, twenty of them listed
    assert re.search(r"its columns are: c0, c1, c2, .*, c19 and \d+ more; ", message) and len(message) < 800
