"""phyphox and Sensor Logger exports, detection by content, and files that are not recordings."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backstride import InputError, UnsupportedFormatError, io
from backstride.io import _jsonarray, _sensorlogger

PHYPHOX_ACC = ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)", "Acceleration z (m/s^2)"]
PHYPHOX_GYR = ["Time (s)", "Gyroscope x (rad/s)", "Gyroscope y (rad/s)", "Gyroscope z (rad/s)"]


def _quoted(header: list[str]) -> list[str]:
    return [f'"{h}"' for h in header]


def _phyphox_meta(folder: Path) -> None:
    meta = folder / "meta"
    meta.mkdir()
    (meta / "device.csv").write_text(
        '"property","value"\n"deviceBrand","Google"\n"deviceModel","Pixel 7"\n', encoding="utf-8"
    )
    (meta / "time.csv").write_text(
        '"event","experiment time","system time","system time text"\n'
        '"START",0.000000000E0,1.760000000000E9,"2025-10-09 10:53:20.000 UTC+02:00"\n'
        '"PAUSE",3.000000000E1,1.760000030000E9,"2025-10-09 10:53:50.000 UTC+02:00"\n',
        encoding="utf-8",
    )


def test_phyphox_acceleration_with_g_zip(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(jitter_s=0.002)
    folder = tmp_path / "Acceleration with g 2025-10-09 10-53-20"
    folder.mkdir()
    absolute = np.linalg.norm(w.acc, axis=1)
    header = [*_quoted(PHYPHOX_ACC), '"Absolute acceleration (m/s^2)"']
    synth.write_table(folder / "Raw Data.csv", header, [w.t, *w.acc.T, absolute], fmt="%.9E")
    _phyphox_meta(folder)
    archive = synth.zip_folder(folder, tmp_path / "export.zip")
    assert io.detect_format(archive) == "phyphox"
    recording = io.read(archive)
    assert recording.sampling_rate_hz == 100.0 and recording.gyr_dps is None
    assert recording.metadata == {
        "format": "phyphox",
        "source": "export.zip",
        # the instant of the START row, in the device's offset as its text gives it
        "start_time": "2025-10-09T10:53:20+02:00",
        "device": "Google Pixel 7",
    }
    assert any(n.startswith("time base irregular") for n in recording.notes)
    assert "acceleration read in m/s² as declared" in " ".join(recording.notes)
    # the folder itself reads the same
    assert io.detect_format(folder) == "phyphox"
    np.testing.assert_array_equal(io.read(folder).acc_mps2, recording.acc_mps2)


def test_phyphox_pauses_are_put_back_as_gaps(tmp_path: Path, synth: Any) -> None:
    # phyphox stamps data with the experiment time, which stands still while the measurement is paused:
    # here it ran 0-10 s, was paused for 20 s of wall-clock time, and ran on from 10 s to the end
    w = synth.walk()
    folder = tmp_path / "paused"
    folder.mkdir()
    synth.write_table(folder / "Raw Data.csv", _quoted(PHYPHOX_ACC), [w.t, *w.acc.T], fmt="%.9E")
    meta = folder / "meta"
    meta.mkdir()
    (meta / "time.csv").write_text(
        '"event","experiment time","system time","system time text"\n'
        '"START",0.000000000E0,1759650000.000,"2025-10-05 09:40:00.000 UTC+02:00"\n'
        '"PAUSE",1.000000000E1,1759650010.000,"2025-10-05 09:40:10.000 UTC+02:00"\n'
        '"START",1.000000000E1,1759650030.000,"2025-10-05 09:40:30.000 UTC+02:00"\n'
        '"PAUSE",3.000000000E1,1759650050.000,"2025-10-05 09:40:50.000 UTC+02:00"\n',
        encoding="utf-8",
    )
    recording = io.read(folder)
    assert recording.duration_s == pytest.approx(w.t[-1] - w.t[0] + 20.0, abs=0.02)
    assert recording.metadata["start_time"] == "2025-10-05T09:40:00+02:00"
    assert any("paused 1 time (20 s in all)" in n for n in recording.notes)
    assert any("gap" in n and "20.0 s" in n for n in recording.notes), recording.notes
    # the samples after the pause are the file's samples 20 s later
    after = np.searchsorted(w.t, 12.0)
    k = round(float(w.t[after] - w.t[0] + 20.0) * recording.sampling_rate_hz)
    np.testing.assert_allclose(recording.acc_mps2[k], w.acc[after], atol=1e-6)


def test_a_phyphox_pause_after_the_last_sample_changes_nothing(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    folder = tmp_path / "resumed-then-stopped"
    folder.mkdir()
    synth.write_table(folder / "Raw Data.csv", _quoted(PHYPHOX_ACC), [w.t, *w.acc.T], fmt="%.9E")
    (folder / "meta").mkdir()
    end = float(w.t[-1]) + 1.0  # paused after the data ended, resumed, stopped again at once
    (folder / "meta" / "time.csv").write_text(
        '"event","experiment time","system time","system time text"\n'
        f'"START",0,1759650000.000,"2025-10-05 09:40:00.000 UTC+02:00"\n'
        f'"PAUSE",{end},{1759650000.0 + end},""\n'
        f'"START",{end},{1759650100.0 + end},""\n'
        f'"PAUSE",{end},{1759650100.0 + end},""\n',
        encoding="utf-8",
    )
    recording = io.read(folder)
    assert recording.duration_s == pytest.approx(w.t[-1] - w.t[0], abs=0.02)
    assert not any("paused" in n for n in recording.notes)


def test_phyphox_event_table_is_read_leniently() -> None:
    from backstride.io._phyphox import pauses

    rows = [
        ("START", 0.0, 100.0, ""),
        ("PAUSE", 5.0, 105.0, ""),
        ("START", 5.0, 125.5, ""),
        ("PAUSE", 9.0, 129.5, ""),
        ("START", 9.0, float("nan"), ""),  # a missing system time: no pause can be measured
    ]
    assert pauses(rows) == [(5.0, 20.5)]
    assert pauses(rows[:1]) == []


def test_phyphox_single_csv_is_recognised_by_its_header(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    path = synth.write_table(tmp_path / "Raw Data.csv", _quoted(PHYPHOX_ACC), [w.t, *w.acc.T], fmt="%.9E")
    assert io.detect_format(path) == "phyphox"
    recording = io.read(path)
    assert recording.metadata["format"] == "phyphox"
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-6)


def test_phyphox_multi_sensor_export_aligns_the_gyroscope(tmp_path: Path, synth: Any) -> None:
    acc = synth.walk(rate_hz=100.0, jitter_s=0.002, seed=2)
    gyr = synth.walk(rate_hz=200.0, jitter_s=0.001, seed=3)
    folder = tmp_path / "phyphox"
    folder.mkdir()
    synth.write_table(folder / "Accelerometer.csv", _quoted(PHYPHOX_ACC), [acc.t, *acc.acc.T], fmt="%.9E")
    rad = np.radians(gyr.gyr)
    synth.write_table(folder / "Gyroscope.csv", _quoted(PHYPHOX_GYR), [gyr.t + 0.004, *rad.T], fmt="%.9E")
    _phyphox_meta(folder)
    recording = io.read(folder)
    assert recording.gyr_dps is not None
    assert recording.sampling_rate_hz == 100.0
    # time 0 is the first accelerometer sample; the gyroscope file is 4 ms late, its first reading held till then
    t_abs = recording.time_s + acc.t[0]
    np.testing.assert_allclose(
        recording.gyr_dps[1:, 1], 40 * np.cos(2 * np.pi * 1.8 * (t_abs[1:] - 0.004)), atol=0.5
    )
    np.testing.assert_allclose(
        recording.acc_mps2[:, 0], synth.G + 1.5 * np.sin(2 * np.pi * 1.8 * t_abs), atol=0.05
    )
    assert "rad/s as declared" in " ".join(recording.notes)
    assert any("gyroscope aligned" in n for n in recording.notes)


def test_sensorlogger_zip_with_total_acceleration(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(jitter_s=0.002)
    g = synth.walk(jitter_s=0.002, seed=9)
    folder = tmp_path / "2025-10-09_08-53-20"
    folder.mkdir()
    synth.write_sensorlogger_csv(folder / "TotalAcceleration.csv", w.t, w.acc)
    synth.write_sensorlogger_csv(folder / "Gyroscope.csv", g.t, np.radians(g.gyr))
    (folder / "Metadata.csv").write_text(
        "version,device name,recording time,platform\n3,Pixel 7,2025-10-09_08-53-20,android\n",
        encoding="utf-8",
    )
    archive = synth.zip_folder(folder, tmp_path / "walk.zip")
    assert io.detect_format(archive) == "sensorlogger"
    recording = io.read(archive)
    assert recording.metadata["start_time"] == "2025-10-09T08:53:20+00:00"
    assert recording.metadata["device"] == "Pixel 7" and recording.metadata["platform"] == "android"
    truth = synth.walk()
    n = min(recording.n_samples, 2990)
    # columns come in z, y, x order in the file; x must end up first
    np.testing.assert_allclose(recording.acc_mps2[:n, 0], truth.acc[:n, 0], atol=0.1)
    assert recording.gyr_dps is not None
    np.testing.assert_allclose(recording.gyr_dps[10:n, 1], truth.gyr[10:n, 1], atol=2.0)
    assert "angular rate read in rad/s as declared, converted to deg/s" in recording.notes


def test_sensorlogger_folder_with_accelerometer_plus_gravity(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    gravity = np.tile([synth.G, 0.0, 0.0], (w.t.shape[0], 1))
    folder = tmp_path / "ios_export"
    folder.mkdir()
    synth.write_sensorlogger_csv(folder / "Accelerometer.csv", w.t, w.acc - gravity)
    synth.write_sensorlogger_csv(folder / "Gravity.csv", w.t + 0.002, gravity)
    assert io.detect_format(folder) == "sensorlogger"
    recording = io.read(folder)
    np.testing.assert_allclose(recording.acc_mps2[:, 0].mean(), w.acc[:, 0].mean(), atol=0.05)
    assert any("rebuilt as Accelerometer.csv + Gravity.csv" in n for n in recording.notes)
    (folder / "Gravity.csv").unlink()
    (folder / "Metadata.csv").write_text("version,device name\n3,iPhone\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no Gravity\.csv or TotalAcceleration\.csv"):
        io.read(folder)


def test_sensorlogger_ios_export_is_turned_to_androids_sign(tmp_path: Path, synth: Any) -> None:
    # Sensor Logger on iOS (default settings) reports acceleration and gravity with the opposite sign
    w = synth.walk()
    gravity = np.tile([synth.G, 0.0, 0.0], (w.t.shape[0], 1))
    folder = tmp_path / "iphone"
    folder.mkdir()
    synth.write_sensorlogger_csv(folder / "Accelerometer.csv", w.t, -(w.acc - gravity))
    synth.write_sensorlogger_csv(folder / "Gravity.csv", w.t, -gravity)
    (folder / "Metadata.csv").write_text(
        "version,device name,recording time,platform\n3,iPhone 15,2025-10-09_08-53-20,iOS\n", encoding="utf-8"
    )
    recording = io.read(folder)
    np.testing.assert_allclose(
        recording.acc_mps2[100:-100], w.acc[100 : recording.n_samples - 100], atol=0.05
    )
    assert any("recorded on iOS" in n for n in recording.notes)


REAL_METADATA_HEADER = (
    "version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,"
    "device id,sensors,sampleRateMs,standardisation,platform version\n"
)


def _ios_export(folder: Path, synth: Any, w: Any, *, standardised: bool, zone: str) -> None:
    """An iPhone export with the metadata row real exports carry; standardised data have Android's sign."""
    gravity = np.tile([synth.G, 0.0, 0.0], (w.t.shape[0], 1))
    sign = 1.0 if standardised else -1.0
    folder.mkdir()
    synth.write_sensorlogger_csv(folder / "Accelerometer.csv", w.t, sign * (w.acc - gravity))
    synth.write_sensorlogger_csv(folder / "Gravity.csv", w.t, sign * gravity)
    (folder / "Metadata.csv").write_text(
        REAL_METADATA_HEADER + f"3,iPhone 15,1760000000000,2025-10-09_14-23-20,{zone},ios,1.64,abc,"
        f"Accelerometer|Gravity,10|10,{'true' if standardised else 'false'},18.1\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("standardised", [True, False])
def test_sensorlogger_ios_sign_follows_the_standardisation_setting(
    tmp_path: Path, synth: Any, standardised: bool
) -> None:
    w = synth.walk()
    _ios_export(tmp_path / "iphone", synth, w, standardised=standardised, zone="Asia/Kolkata")
    recording = io.read(tmp_path / "iphone")
    np.testing.assert_allclose(
        recording.acc_mps2[100:-100], w.acc[100 : recording.n_samples - 100], atol=0.05
    )
    turned = [n for n in recording.notes if "recorded on iOS" in n]
    assert len(turned) == (0 if standardised else 1)
    assert all("Standardise" not in n for n in turned)  # the metadata says which, no need to guess
    assert recording.metadata["platform"] == "ios"


def test_sensorlogger_start_time_is_in_the_recordings_time_zone(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    _ios_export(tmp_path / "india", synth, w, standardised=True, zone="Asia/Kolkata")
    # the first sample is at Unix time 1760000000 s = 08:53:20 UTC = 14:23:20 in India (+05:30)
    assert io.read(tmp_path / "india").metadata["start_time"] == "2025-10-09T14:23:20+05:30"
    _ios_export(tmp_path / "nowhere", synth, w, standardised=True, zone="Mars/Olympus_Mons")
    recording = io.read(tmp_path / "nowhere")
    assert recording.metadata["start_time"] == "2025-10-09T08:53:20+00:00"
    assert any("time zone 'Mars/Olympus_Mons' is not known" in n for n in recording.notes)


def _sensorlogger_records(sensor: str, t: np.ndarray, xyz: np.ndarray) -> list[dict[str, str]]:
    start_ns = 1_760_000_000 * 10**9
    return [
        {
            "sensor": sensor,
            "time": str(start_ns + round(ti * 1e9)),
            "seconds_elapsed": f"{ti:.6f}",
            "z": f"{v[2]:.7f}",
            "y": f"{v[1]:.7f}",
            "x": f"{v[0]:.7f}",
        }
        for ti, v in zip(t, xyz, strict=True)
    ]


def test_sensorlogger_json_export_reads_like_its_zip(tmp_path: Path, synth: Any) -> None:
    import json

    w = synth.walk(jitter_s=0.002)
    g = synth.walk(jitter_s=0.002, seed=9)
    gravity = np.tile([synth.G, 0.0, 0.0], (w.t.shape[0], 1))
    # an iPhone export (default settings: the opposite sign), in the JSON form and as a folder of CSVs
    records = (
        _sensorlogger_records("Accelerometer", w.t, -(w.acc - gravity))
        + _sensorlogger_records("Gravity", w.t + 0.002, -gravity)
        + _sensorlogger_records("Gyroscope", g.t, np.radians(g.gyr))
        + [
            {
                "sensor": "Metadata",
                "version": "3",
                "device name": "iPhone 15",
                "recording time": "2025-10-09_08-53-20",
                "recording timezone": "Europe/Berlin",
                "platform": "ios",
                "standardisation": "false",
            }
        ]
    )
    path = tmp_path / "2025-10-09_08-53-20.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    assert io.detect_format(path) == "sensorlogger"
    from_json = io.read(path)
    folder = tmp_path / "same-as-csv"
    folder.mkdir()
    synth.write_sensorlogger_csv(folder / "Accelerometer.csv", w.t, -(w.acc - gravity))
    synth.write_sensorlogger_csv(folder / "Gravity.csv", w.t + 0.002, -gravity)
    synth.write_sensorlogger_csv(folder / "Gyroscope.csv", g.t, np.radians(g.gyr))
    (folder / "Metadata.csv").write_text(
        "version,device name,recording time,recording timezone,platform,standardisation\n"
        "3,iPhone 15,2025-10-09_08-53-20,Europe/Berlin,ios,false\n",
        encoding="utf-8",
    )
    from_csv = io.read(folder)
    np.testing.assert_allclose(from_json.acc_mps2, from_csv.acc_mps2, atol=1e-4)
    assert from_json.gyr_dps is not None and from_csv.gyr_dps is not None
    # the CSV reader parses the nanosecond stamps as floats (256 ns steps): tiny differences after interpolation
    np.testing.assert_allclose(from_json.gyr_dps, from_csv.gyr_dps, atol=2e-3)
    assert from_json.metadata == {**from_csv.metadata, "source": path.name}
    assert from_json.metadata["start_time"].startswith("2025-10-09T10:53:20")  # Berlin, summer time
    assert from_json.metadata["start_time"].endswith("+02:00")
    assert any("recorded on iOS" in n for n in from_json.notes)
    # turned to Android's sign: gravity along +x as in the walk written
    assert from_json.acc_mps2[:, 0].mean() == pytest.approx(w.acc[:, 0].mean(), abs=0.05)


def test_sensorlogger_json_that_is_cut_off_or_too_large(
    tmp_path: Path, synth: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    w = synth.walk()
    text = json.dumps(_sensorlogger_records("TotalAcceleration", w.t, w.acc))
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputError, match=r"cut\.json is not valid JSON \(a cut-off export or upload\?\)"):
        io.read(cut)
    gyro_only = tmp_path / "gyro.json"
    gyro_only.write_text(json.dumps(_sensorlogger_records("Gyroscope", w.t, w.gyr)), encoding="utf-8")
    with pytest.raises(
        InputError, match="without the accelerometer: it holds no Accelerometer or TotalAcceleration readings"
    ):
        io.read(gyro_only)
    whole = tmp_path / "whole.json"
    whole.write_text(text, encoding="utf-8")
    monkeypatch.setattr(_sensorlogger, "JSON_MAX_BYTES", 1000)
    with pytest.raises(InputError, match="use the app's 'Zip and CSV' export"):
        io.read(whole)


def _ios_json_records(synth: Any) -> list[dict[str, str]]:
    w = synth.walk(jitter_s=0.002)
    gravity = np.tile([synth.G, 0.0, 0.0], (w.t.shape[0], 1))
    metadata = {"sensor": "Metadata", "platform": "ios", "standardisation": "false", "device name": "iPhone"}
    return (
        _sensorlogger_records("Accelerometer", w.t, -(w.acc - gravity))
        + _sensorlogger_records("Gravity", w.t + 0.002, -gravity)
        + _sensorlogger_records("Gyroscope", w.t + 0.004, np.radians(w.gyr))
        + [metadata]
    )


def test_sensorlogger_json_is_decoded_block_by_block_to_the_same_recording(
    tmp_path: Path, synth: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export is decoded a block of text at a time and each sensor's readings become arrays a batch at a
    time: with blocks of 300 characters (a reading is about 170) and batches of 50 readings, the app's own
    layout (an indented array) and a compact one read to what one whole decoding gives."""
    import json

    records = _ios_json_records(synth)
    records[-1]["device name"] = "a name longer than half a block " * 20  # decoded once the text holds it
    indented = tmp_path / "indented.json"
    indented.write_text(json.dumps(records, indent=2), encoding="utf-8")
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(records, separators=(",", ":")), encoding="utf-8")
    whole = io.read(indented)
    assert len(json.dumps(records)) > 2000 * 170  # many blocks below
    monkeypatch.setattr(_jsonarray, "BLOCK_CHARS", 300)
    monkeypatch.setattr(_sensorlogger, "_JSON_FLUSH", 50)
    for path in (indented, compact):
        small = io.read(path)
        np.testing.assert_array_equal(small.acc_mps2, whole.acc_mps2)
        assert small.gyr_dps is not None and whole.gyr_dps is not None
        np.testing.assert_array_equal(small.gyr_dps, whole.gyr_dps)
        np.testing.assert_array_equal(small.time_s, whole.time_s)
        assert small.metadata == {**whole.metadata, "source": path.name}
        assert small.metadata["device"].startswith("a name longer")
        assert small.notes == whole.notes


def test_sensorlogger_json_reads_the_same_with_other_sensors_in_it(
    tmp_path: Path, synth: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export made with more sensors on (location, magnetometer, orientation) reads to the same recording
    as one with only those backstride uses; their runs are passed over, not decoded (blocks of 2000
    characters, so this small file is read as a long one is)."""
    import json

    monkeypatch.setattr(_jsonarray, "BLOCK_CHARS", 2000)
    records = _ios_json_records(synth)
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(records, indent=2), encoding="utf-8")
    first_gravity = next(i for i, r in enumerate(records) if r["sensor"] == "Gravity")
    others = [
        {**r, "sensor": "Magnetometer", "x": "-21.5"} for r in records[:first_gravity]
    ]  # as many as the accelerometer's readings
    orientation = [{**r, "sensor": "Orientation", "qw": "0.7", "roll": "0.1"} for r in records[:500]]
    location = {"sensor": "Location", "time": records[0]["time"], "latitude": "0.0", "longitude": "0.0"}
    richer = tmp_path / "richer.json"
    mixed = [
        location,
        *records[:first_gravity],
        *others,
        *records[first_gravity:-1],
        *orientation,
        records[-1],
    ]
    richer.write_text(json.dumps(mixed, indent=2), encoding="utf-8")
    a, b = io.read(plain), io.read(richer)
    np.testing.assert_array_equal(b.acc_mps2, a.acc_mps2)
    assert a.gyr_dps is not None and b.gyr_dps is not None
    np.testing.assert_array_equal(b.gyr_dps, a.gyr_dps)
    np.testing.assert_array_equal(b.time_s, a.time_s)
    assert b.metadata == {**a.metadata, "source": richer.name}
    assert b.notes == a.notes
    decoded = [e for batch in _jsonarray.batches(richer, skip=_sensorlogger._not_read) for e in batch]
    assert sum(isinstance(e, dict) and e["sensor"] == "Magnetometer" for e in decoded) < len(others) // 2


def test_sensorlogger_json_with_a_syntax_error_or_missing_values(
    tmp_path: Path, synth: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.setattr(_jsonarray, "BLOCK_CHARS", 1000)
    text = json.dumps(_ios_json_records(synth), indent=2)
    # a comma lost deep in the file (in a later block): its place is named
    at = text.index("},", len(text) // 2) + 1
    lost = tmp_path / "lost.json"
    lost.write_text(text[:at] + text[at + 1 :], encoding="utf-8")
    with pytest.raises(
        InputError, match=rf"lost\.json is not valid JSON .*expected ',' or ']' at character {at + 3}"
    ):
        io.read(lost)
    # cut after a whole reading, where a comma or the closing bracket should follow
    cut = tmp_path / "cut.json"
    cut.write_text(text[:at], encoding="utf-8")
    with pytest.raises(InputError, match=r"cut\.json is not valid JSON .*the file ends inside the list"):
        io.read(cut)
    inside = tmp_path / "inside.json"
    quote = text.index('"x"', len(text) // 2) + 6  # inside a reading's x value
    inside.write_text(text[:quote], encoding="utf-8")
    with pytest.raises(
        InputError, match=rf"inside\.json .*: Unterminated string starting at character {quote - 1}$"
    ):
        io.read(inside)
    latin = tmp_path / "latin.json"
    latin.write_bytes(text.replace('"iPhone"', '"Jos\u00e9"').encode("latin-1"))
    with pytest.raises(
        InputError,
        match=r"latin\.json is not valid JSON \(not UTF-8 text: it holds the byte 0xe9, which UTF-8 does not "
        r"allow there\)",
    ):
        io.read(latin)
    # a reading without a value (null, or an empty string) is a gap, as an empty CSV cell is
    records = _ios_json_records(synth)
    for record in records[300:310]:
        record["x"] = None
    for record in records[400:405]:
        record["y"] = ""
    gaps = tmp_path / "gaps.json"
    gaps.write_text(json.dumps(records), encoding="utf-8")
    recording = io.read(gaps)
    assert np.isfinite(recording.acc_mps2).all()
    filled = "gaps.json (Accelerometer): 2 short runs of missing values (longest 0.11 s) filled by linear interpolation"
    assert filled in recording.notes
    records[500]["time"] = "soon"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"^bad\.json \(Accelerometer\): the time 'soon' is not a whole number \(nanoseconds since 1970\)$",
    ):
        io.read(bad)
    records[500]["time"] = None
    bad.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(InputError, match=r"^bad\.json \(Accelerometer\): a reading has no time \("):
        io.read(bad)
    records[500]["time"] = str(int(records[499]["time"]) + 10**7)
    for value in ("n/a", [1, 2], {"v": 1}):
        records[600]["z"] = value
        bad.write_text(json.dumps(records), encoding="utf-8")
        with pytest.raises(
            InputError,
            match=rf"^bad\.json \(Accelerometer\): the value {re.escape(repr(value))} is not a number$",
        ):
            io.read(bad)
    records = _ios_json_records(synth)
    for record in records:  # a value in a list in every reading, x, y and z alike: not a number either
        if record.get("sensor") == "Accelerometer":
            record.update(x=[record["x"]], y=[record["y"]], z=[record["z"]])
    bad.write_text(json.dumps(records), encoding="utf-8")
    first = repr(next(r["x"] for r in records if r.get("sensor") == "Accelerometer"))
    with pytest.raises(
        InputError, match=rf"^bad\.json \(Accelerometer\): the value {re.escape(first)} is not a number$"
    ):
        io.read(bad)


def _sensorlogger_sqlite(path: Path, tables: dict[str, list[tuple[object, ...]]], columns: str) -> Path:
    import sqlite3

    with sqlite3.connect(path) as db:
        for table, rows in tables.items():
            names = "platform, standardisation" if table == "Metadata" else columns
            db.execute(f'CREATE TABLE "{table}" ({names})')
            db.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(rows[0]))})', rows)
    return path


def test_sensorlogger_sqlite_export_of_an_iphone(tmp_path: Path, synth: Any) -> None:
    """A table per sensor, named as the ZIP's files, read as those files are: found by content, columns by
    name in any order, turned to Android's sign as the metadata asks."""
    w = synth.walk(jitter_s=0.002)
    gravity = np.tile([synth.G, 0.0, 0.0], (w.t.shape[0], 1))
    start_ns = 1_760_000_000 * 10**9

    def rows(t: np.ndarray, xyz: np.ndarray) -> list[tuple[object, ...]]:  # x, y, z, time: another order
        return [(*v, start_ns + round(ti * 1e9)) for ti, v in zip(t, xyz, strict=True)]

    path = _sensorlogger_sqlite(
        tmp_path / "walk.sqlite",
        {
            "Accelerometer": rows(w.t, -(w.acc - gravity)),
            "Gravity": rows(w.t, -gravity),
            "Gyroscope": rows(w.t, np.radians(w.gyr)),
            "Metadata": [("ios", "false")],
        },
        "x REAL, y REAL, z REAL, time INTEGER",
    )
    assert io.detect_format(path) == "sensorlogger"
    recording = io.read(path)
    folder = tmp_path / "as-files"
    folder.mkdir()
    synth.write_sensorlogger_csv(folder / "Accelerometer.csv", w.t, -(w.acc - gravity))
    synth.write_sensorlogger_csv(folder / "Gravity.csv", w.t, -gravity)
    synth.write_sensorlogger_csv(folder / "Gyroscope.csv", w.t, np.radians(w.gyr))
    (folder / "Metadata.csv").write_text("platform,standardisation\nios,false\n", encoding="utf-8")
    files = io.read(folder)
    assert recording.metadata == {**files.metadata, "source": path.name}
    assert recording.metadata["platform"] == "ios"
    np.testing.assert_allclose(recording.acc_mps2, files.acc_mps2, atol=1e-5)
    assert recording.gyr_dps is not None and files.gyr_dps is not None
    np.testing.assert_allclose(recording.gyr_dps, files.gyr_dps, atol=1e-4)
    assert any("recorded on iOS" in n for n in recording.notes)
    # turned to Android's sign: gravity along +x as in the walk written
    assert recording.acc_mps2[:, 0].mean() == pytest.approx(w.acc[:, 0].mean(), abs=0.05)


def test_sqlite_files_that_cannot_be_read(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    rows = [(*v, i) for i, v in enumerate(w.acc)]
    other = _sensorlogger_sqlite(tmp_path / "notes.db", {"Notes": [("a", "b")]}, "title, body")
    with pytest.raises(
        UnsupportedFormatError,
        match=r"notes\.db is an SQLite database that is not a Sensor Logger export "
        r"\(its tables: Notes\)",
    ):
        io.read(other)
    whole = _sensorlogger_sqlite(tmp_path / "whole.sqlite", {"TotalAcceleration": rows}, "x, y, z, time")
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InputError, match=r"^cut\.sqlite is a damaged SQLite database"):
        io.read(cut)
    no_axes = _sensorlogger_sqlite(tmp_path / "no-axes.sqlite", {"TotalAcceleration": rows}, "a, b, c, time")
    with pytest.raises(InputError, match=r"no-axes\.sqlite, table TotalAcceleration has no x, y, z columns"):
        io.read(no_axes)


def test_sqlite_tables_are_fetched_as_numbers_batch_by_batch(tmp_path: Path) -> None:
    """Whatever a value's storage type: integers, reals and numeric text are numbers, NULL and empty text
    missing; the columns come in the order asked for; other text ends in one message naming the table."""
    from backstride.io._sqlite import numeric_batches

    rows: list[tuple[object, ...]] = [(1.5, "2", 3), (None, "", "4.25"), (7, 8.0, "-9e-1"), (10, 11, 12)]
    path = _sensorlogger_sqlite(tmp_path / "t.sqlite", {"T": rows}, "a, b TEXT, c")
    batches = list(numeric_batches(path, "T", ["c", "a"], "t.sqlite, table T", batch_rows=3))
    assert [b.shape for b in batches] == [(3, 2), (1, 2)]
    np.testing.assert_array_equal(np.vstack(batches), [[3.0, 1.5], [4.25, np.nan], [-0.9, 7.0], [12.0, 10.0]])
    bad = _sensorlogger_sqlite(tmp_path / "bad.sqlite", {"T": [*rows, (1, "n/a", 2)]}, "a, b, c")
    with pytest.raises(InputError, match=r"^bad\.sqlite, table T: the value 'n/a' is not a number$"):
        list(numeric_batches(bad, "T", ["a", "b", "c"], "bad.sqlite, table T"))


def test_a_sensorlogger_sqlite_table_without_a_time_or_with_text_values(tmp_path: Path, synth: Any) -> None:
    w = synth.walk()
    start_ns = 1_760_000_000 * 10**9
    as_text = [
        (str(start_ns + round(t * 1e9)), *(repr(float(x)) for x in v))
        for t, v in zip(w.t, w.acc, strict=True)
    ]
    path = _sensorlogger_sqlite(tmp_path / "text.sqlite", {"TotalAcceleration": as_text}, "time, x, y, z")
    recording = io.read(path)
    np.testing.assert_allclose(recording.acc_mps2[:50], w.acc[:50], atol=1e-9)
    assert "time read as ns since 1970 (Unix time), converted to seconds" in recording.notes
    assert recording.metadata["start_time"].startswith("2025-10-09T08:53:20")
    no_time = _sensorlogger_sqlite(
        tmp_path / "no-time.sqlite", {"TotalAcceleration": [v[1:] for v in as_text]}, "x, y, z"
    )
    with pytest.raises(InputError, match=r"table TotalAcceleration has no time or seconds_elapsed column"):
        io.read(no_time)
    # a first time that is missing, or that no unit makes a date before 2200: said as a CSV's would be
    for first, what in (
        (None, "nan, which is not a time"),
        ("9e18", "9e\\+18, which is neither a time from"),
    ):
        rows = [(first, *as_text[0][1:]), *as_text[1:]]
        odd = _sensorlogger_sqlite(tmp_path / "odd.sqlite", {"TotalAcceleration": rows}, "time, x, y, z")
        with pytest.raises(
            InputError,
            match=rf"^odd\.sqlite, table TotalAcceleration: the time column 'time' starts at {what}",
        ):
            io.read(odd)
        odd.unlink()


def test_a_zipped_json_or_sqlite_export_reads_as_the_export(tmp_path: Path, synth: Any) -> None:
    """A single-file export zipped to send it (an e-mail attachment) is the export; another file zipped is
    described as a ZIP of it."""
    import json
    import zipfile

    records = _ios_json_records(synth)
    as_json = tmp_path / "walk.json"
    as_json.write_text(json.dumps(records), encoding="utf-8")
    w = synth.walk()
    as_sqlite = _sensorlogger_sqlite(
        tmp_path / "walk.sqlite",
        {"TotalAcceleration": [(*v, 10**18 + round(t * 1e9)) for t, v in zip(w.t, w.acc, strict=True)]},
        "x, y, z, time",
    )
    for export in (as_json, as_sqlite):
        packed = tmp_path / f"{export.name}.zip"
        with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(export, export.name)
        assert io.detect_format(packed) == "sensorlogger"
        direct, unpacked = io.read(export), io.read(packed)
        np.testing.assert_array_equal(unpacked.acc_mps2, direct.acc_mps2)
        assert unpacked.metadata == {**direct.metadata, "source": packed.name}
        assert unpacked.notes == direct.notes
    # a damaged export inside says so, not that the ZIP holds something else
    with zipfile.ZipFile(tmp_path / "cut.zip", "w") as archive:
        archive.writestr("cut.sqlite", as_sqlite.read_bytes()[: as_sqlite.stat().st_size // 2])
    with pytest.raises(InputError, match=r"^cut\.sqlite is a damaged SQLite database"):
        io.read(tmp_path / "cut.zip")
    other = tmp_path / "settings.json.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("settings.json", '{"theme": "dark"}')
    with pytest.raises(
        UnsupportedFormatError, match=r"settings\.json\.zip is a ZIP archive of settings\.json"
    ):
        io.read(other)


def test_a_png_image_is_not_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "walk.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(UnsupportedFormatError, match=r"walk\.csv is a PNG image, not a recording") as info:
        io.read(path)
    # what it does read, in one short sentence (the formats' full descriptions made it 800 characters, which a
    # batch's failures table wrapped to 25 lines a file)
    text = str(info.value)
    for name in (
        "CSV",
        "phyphox",
        "Sensor Logger",
        "MetaBase",
        "Axivity",
        "ActiGraph",
        "GENEActiv",
        "ActiLife",
    ):
        assert name in text
    assert len(text) < 300


def test_a_pdf_is_not_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with pytest.raises(UnsupportedFormatError, match="a PDF document"):
        io.detect_format(path)


def test_a_zip_of_something_else_is_not_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "holiday.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photos/beach.jpg", b"\xff\xd8\xff" + bytes(10))
        archive.writestr("notes.txt", "sunny")
    with pytest.raises(UnsupportedFormatError, match=r"a ZIP archive of notes.txt, photos/beach.jpg"):
        io.read(path)


def test_an_excel_workbook_without_sheets_or_an_old_xls_is_refused(tmp_path: Path) -> None:
    # phyphox's Excel export is read (tests/io/test_xlsx.py); a workbook that lists no sheet holds nothing
    path = tmp_path / "Acceleration with g.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    with pytest.raises(UnsupportedFormatError, match=r"is an Excel workbook with no sheets"):
        io.read(path)
    old = tmp_path / "walk.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(UnsupportedFormatError, match=r"an Excel \.xls\? save it as CSV"):
        io.read(old)


def test_other_json_is_not_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "steps.json"
    path.write_text('{"steps": 5120, "date": "2025-10-09"}\n')
    with pytest.raises(UnsupportedFormatError, match="a JSON file, but not a Sensor Logger export"):
        io.read(path)


def test_a_text_file_that_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "readme.txt"
    path.write_text("Dear therapist,\nhere is my walk.\n", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match="a text file that is not a table"):
        io.read(path)


def test_formats_are_described() -> None:
    assert set(io.FORMATS) == {
        "csv",
        "phyphox",
        "sensorlogger",
        "metabase",
        "axivity",
        "actigraph",
        "geneactiv",
        "actilife",
    }
    assert all(isinstance(text, str) and text for text in io.FORMATS.values())


def test_a_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        io.read(tmp_path / "nowhere.csv")


def test_a_zipped_csv_is_read(tmp_path: Path, make_csv: Any) -> None:
    plain = make_csv()
    path = tmp_path / "sent_by_mail.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(plain, "walk.csv")
    assert io.detect_format(path) == "csv"
    recording = io.read(path)
    assert recording.metadata["source"] == "sent_by_mail.zip"
    np.testing.assert_array_equal(recording.acc_mps2, io.read(plain).acc_mps2)
    chunks = list(io.iter_chunks(path, chunk_s=10.0))
    assert len(chunks) == 3 and chunks[0].metadata["source"] == "sent_by_mail.zip"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2026-09-21 07:13:20.000 UTC-07:00", -420),
        ("2026-02-02 20:10:00.000 UTC+05:30", 330),
        ("2025-01-01 00:00:00.000 UTC+00:00", 0),
        ("2025-01-01 00:00:00.000 UTC+0100", 60),
        ("2025-01-01 00:00:00.000", None),
        ("2025-01-01 00:00:00.000 UTC+25:00", None),
        ("GMT -04:00", -240),  # GENEActiv's header
        ("GMT 00:00", 0),
        ("-04:00:00", -240),  # ActiGraph's info.txt
        ("02:00:00", 120),
    ],
)
def test_utc_offset_of_a_time_stamp(text: str, minutes: int | None) -> None:
    import datetime as dt

    from backstride.io._units import zone_from_utc_text

    zone = zone_from_utc_text(text)
    if minutes is None:
        assert zone is None
    else:
        assert zone is not None and zone.utcoffset(None) == dt.timedelta(minutes=minutes)


def _metabase_file(folder: Path, mac: str, sensor: str, unit: str, t: np.ndarray, xyz: np.ndarray) -> Path:
    """A MetaBase file as its State.swift writes it: Unix time in ms, local time as text, values to 3 decimals,
    a line end before each row and none after the last."""
    start_ms = 1_714_723_700_123  # 2024-05-03 08:08:20.123 UTC
    rows = "".join(
        f"\n{start_ms + round(ti * 1000)},2024-05-03T10.08.{20 + ti:06.3f},{ti:.3f},{v[0]:.3f},{v[1]:.3f},{v[2]:.3f}"
        for ti, v in zip(t, xyz, strict=True)
    )
    path = folder / f"MetaWear_2024-05-03T10.08.20.123_{mac}_{sensor}.csv"
    head = f"epoc (ms),timestamp (+0200),elapsed (s),x-axis ({unit}),y-axis ({unit}),z-axis ({unit})"
    path.write_text(head + rows, encoding="utf-8")
    return path


def test_metabase_recording_of_a_metawear_sensor(tmp_path: Path, synth: Any) -> None:
    """MbientLab's MetaBase writes a file per sensor: the accelerometer's (in g) and the gyroscope's (deg/s) read
    as one recording, in a folder or a ZIP, the other sensors' files left alone; the sensor fusion's linear
    acceleration and gravity add up to the acceleration; two sensors' files together are refused."""
    w = synth.walk(duration_s=20.0)
    g = synth.walk(duration_s=20.0, seed=3)  # the gyroscope on its own clock, 4 ms later
    mac = "C3FB9A3F4A5B"
    folder = tmp_path / "session"
    folder.mkdir()
    alone = _metabase_file(folder, mac, "Accelerometer", "g", w.t, w.acc / synth.G)
    _metabase_file(folder, mac, "Gyroscope", "deg/s", g.t + 0.004, g.gyr)
    _metabase_file(folder, mac, "Magnetometer", "T", w.t, np.full((w.t.size, 3), 4e-5))
    assert io.detect_format(folder) == "metabase"
    recording = io.read(folder)
    assert recording.sampling_rate_hz == 100.0
    np.testing.assert_allclose(recording.acc_mps2, io.read(alone).acc_mps2)  # as the file alone reads
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=0.0006 * synth.G)
    assert recording.gyr_dps is not None
    inside = slice(5, -5)
    expected = np.column_stack([np.interp(w.t, g.t + 0.004, g.gyr[:, k]) for k in range(3)])
    np.testing.assert_allclose(recording.gyr_dps[inside], expected[inside], atol=0.01)
    assert recording.metadata["format"] == "metabase"
    assert recording.metadata["serial"] == mac and recording.metadata["device"] == "MetaWear"
    assert recording.metadata["start_time"] == "2024-05-03T10:08:20.123000+02:00"
    assert "gyroscope aligned to the accelerometer's time stamps by linear interpolation" in recording.notes
    zipped = synth.zip_folder(folder, tmp_path / "session.zip")
    assert io.detect_format(zipped) == "metabase"
    from_zip = io.read(zipped)
    np.testing.assert_array_equal(from_zip.acc_mps2, recording.acc_mps2)
    assert from_zip.gyr_dps is not None
    np.testing.assert_array_equal(from_zip.gyr_dps, recording.gyr_dps)

    fusion = tmp_path / "fusion"
    fusion.mkdir()
    gravity = np.tile([1.0, 0.0, 0.0], (w.t.size, 1))
    _metabase_file(fusion, mac, "LinearAcceleration", "g", w.t, w.acc / synth.G - gravity)
    _metabase_file(fusion, mac, "Gravity", "g", w.t, gravity)
    fused = io.read(fusion)
    np.testing.assert_allclose(fused.acc_mps2, w.acc, atol=0.0011 * synth.G)  # two roundings to 0.001 g
    assert fused.gyr_dps is None
    assert any(
        n.startswith("acceleration with gravity rebuilt as LinearAcceleration + Gravity") for n in fused.notes
    )

    lone = tmp_path / "gravity only"
    lone.mkdir()
    _metabase_file(lone, mac, "Gravity", "g", w.t, gravity)
    with pytest.raises(InputError, match=r"gravity only holds no MetaBase accelerometer file"):
        io.read(lone, format="metabase")
    _metabase_file(folder, "D1E2F3A4B5C6", "Accelerometer", "g", w.t, w.acc / synth.G)
    with pytest.raises(
        InputError, match=r"session holds the files of 2 MetaWear sensors .*C3FB9A3F4A5B, D1E2F3A4B5C6"
    ):
        io.read(folder)
