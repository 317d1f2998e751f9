"""Damaged and cut files of every format: each ends in a readable error or in a sound recording, never in a
traceback. Seeded, so a failure names a file that can be made again (the seed and the variant)."""

from __future__ import annotations

import gzip
import random
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmarks.apps import write_xlsx

from backstride import BackstrideError, io

DEVICE_FILES = (
    "axivity_cwa/skdh_ax3_sample.cwa",
    "axivity_cwa/skdh_ax6_sample.cwa",
    "actigraph_gt3x/GGIR_actigraph_testfile.gt3x",  # log.bin, stored
    "actigraph_gt3x/pygt3x_neo.gt3x",  # activity.bin, deflated
    "geneactiv_bin/skdh_gnactv_sample.bin",
)
VARIANTS = 12  # per file: 4 cut at random places, 8 with 1, 3 or 20 random bytes changed


def _phone_files(tmp_path: Path, synth: Any) -> list[Path]:
    """A CSV, the same gzipped, a Sensor Logger and a phyphox export (ZIPs, compressed) and phyphox's Excel
    export of a walk."""
    w = synth.walk(duration_s=20.0)
    csv = synth.write_table(
        tmp_path / "walk.csv",
        ["time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"],
        [w.t, *w.acc.T, *w.gyr.T],
    )
    packed = tmp_path / "walk.csv.gz"
    packed.write_bytes(gzip.compress(csv.read_bytes()))
    logger = synth.sensorlogger_zip(tmp_path / "logger.zip", w)
    phyphox = tmp_path / "phyphox.zip"
    with zipfile.ZipFile(phyphox, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        header = '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"'
        rows = (f"{t:.4f},{x:.5f},{y:.5f},{z:.5f}" for t, (x, y, z) in zip(w.t, w.acc, strict=True))
        archive.writestr("Raw Data.csv", header + "\n" + "\n".join(rows) + "\n")
    names = ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz")]
    workbook = write_xlsx(
        tmp_path / "phyphox.xlsx", {"Raw Data": [names, *np.column_stack([w.t, w.acc]).tolist()]}
    )
    return [csv, packed, logger, phyphox, workbook]


def _sensorlogger_exports(tmp_path: Path, synth: Any) -> list[Path]:
    """A walk as Sensor Logger's JSON and SQLite exports (after the other files: their seeds stay)."""
    import json
    import sqlite3

    w = synth.walk(duration_s=20.0)
    start_ns = 1_760_000_000 * 10**9
    stamps = [start_ns + round(t * 1e9) for t in w.t]
    readings = [
        {"sensor": "TotalAcceleration", "time": str(ns), "z": f"{z:.6f}", "y": f"{y:.6f}", "x": f"{x:.6f}"}
        for ns, (x, y, z) in zip(stamps, w.acc, strict=True)
    ]
    as_json = tmp_path / "logger.json"
    as_json.write_text(json.dumps([*readings, {"sensor": "Metadata", "platform": "android"}], indent=2))
    as_sqlite = tmp_path / "logger.sqlite"
    with sqlite3.connect(as_sqlite) as db:
        db.execute(
            "CREATE TABLE TotalAcceleration (time INTEGER, seconds_elapsed REAL, z REAL, y REAL, x REAL)"
        )
        rows = [(ns, t, z, y, x) for ns, t, (x, y, z) in zip(stamps, w.t, w.acc, strict=True)]
        db.executemany("INSERT INTO TotalAcceleration VALUES (?, ?, ?, ?, ?)", rows)
    return [as_json, as_sqlite]


def _other_app_exports(tmp_path: Path, synth: Any) -> list[Path]:
    """The walk as the other apps' exports of the robustness rows (``benchmarks.apps``): an iPhone's Sensor
    Logger folder, SensorLog's CSV and MetaBase's files (both folders zipped, as they are uploaded)."""
    from benchmarks import apps

    from backstride.recording import Recording

    w = synth.walk(duration_s=20.0)
    rec = Recording(sampling_rate_hz=100.0, time_s=w.t, acc_mps2=w.acc, gyr_dps=w.gyr)
    rng = np.random.default_rng(7)
    out: list[Path] = []
    for name, build in (
        ("ios", apps.sensorlogger_ios),
        ("sensorlog", apps.sensorlog),
        ("metabase", apps.metabase),
    ):
        folder = tmp_path / f"app-{name}"
        folder.mkdir()
        made = build(rec, folder, rng)
        out.append(apps._zip(made, tmp_path / f"{name}.zip") if made.is_dir() else made)
    return out


def _gzipped_devices(tmp_path: Path, devices: Path) -> list[Path]:
    """The device files gzip-compressed, as archives deliver them (UK Biobank's ``.cwa.gz``)."""
    out = []
    for name in DEVICE_FILES:
        packed = tmp_path / f"{Path(name).name}.gz"
        packed.write_bytes(gzip.compress((devices / name).read_bytes()))
        out.append(packed)
    return out


def _variants(data: bytes, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    out = [(f"cut at {cut}", data[:cut]) for cut in sorted(rng.randrange(1, len(data)) for _ in range(4))]
    for k in range(VARIANTS - 4):
        changed = bytearray(data)
        places = sorted(rng.randrange(len(data)) for _ in range(rng.choice((1, 3, 20))))
        for place in places:
            changed[place] = rng.randrange(256)
        out.append((f"flip {k}: bytes {places[:5]}{'...' if len(places) > 5 else ''}", bytes(changed)))
    return out


def _check(path: Path, what: str) -> str:
    """'error' or 'read'; fails the test on any other exception or on an unsound recording."""
    try:
        recording = io.read(path)
    except BackstrideError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message, (what, message)
        # readable: no damaged bytes quoted (as they decode, or as escapes of zero bytes), no bare error number
        # ("[Errno 22] Invalid argument")
        assert not any(bad in message for bad in ("\ufffd", "\\x00", "[Errno")), (what, message)
        return "error"
    except Exception as exc:  # pragma: no cover - what this test exists to catch
        pytest.fail(f"{what}: {type(exc).__name__}: {exc}")
    assert np.isfinite(recording.acc_mps2).all(), what
    assert (np.diff(recording.time_s) > 0).all(), what
    return "read"


def test_damaged_and_cut_files_end_in_an_error_or_a_sound_recording(
    tmp_path: Path, synth: Any, shared_data: Path
) -> None:
    sources = _phone_files(tmp_path, synth) + [shared_data / "devices" / name for name in DEVICE_FILES]
    sources += _sensorlogger_exports(tmp_path, synth)
    sources += _other_app_exports(tmp_path, synth)
    sources += _gzipped_devices(tmp_path, shared_data / "devices")
    outcomes: dict[str, int] = {"error": 0, "read": 0}
    for seed, source in enumerate(sources):
        data = source.read_bytes()
        suffix = "".join(source.suffixes)
        for i, (how, damaged) in enumerate(_variants(data, seed)):
            path = tmp_path / f"damaged-{seed}-{i}{suffix}"
            path.write_bytes(damaged)
            outcomes[_check(path, f"{source.name} ({how}, seed {seed})")] += 1
    # both outcomes occur: a damaged byte in a value is often still read (with a note), a cut header is not
    assert outcomes["error"] > 10 and outcomes["read"] > 10, outcomes


def _text_damage(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One damage of the kinds a text table meets on its way (a line lost or written twice, bytes lost or
    added, a block of zeros, another delimiter, a damaged number), where ``rng`` puts it."""
    lines = data.split(b"\n")
    at, line = rng.randrange(len(data)), rng.randrange(1, len(lines) - 1)
    kind = rng.choice(("lost", "added", "zeros", "line twice", "delimiter", "number"))
    if kind == "lost":
        return kind, data[:at] + data[at + rng.randrange(1, 300) :]
    if kind == "added":
        noise = bytes(rng.choice(b'0123456789.,;-e \t"\n') for _ in range(rng.randrange(1, 30)))
        return kind, data[:at] + noise + data[at:]
    if kind == "zeros":
        return kind, data[:at] + bytes(rng.randrange(1, 200)) + data[at:]
    if kind == "line twice":
        return kind, b"\n".join([*lines[:line], lines[line], *lines[line:]])
    if kind == "delimiter":
        return kind, data.replace(b",", rng.choice([b";", b"\t", b" ", b"|"]))
    cells = lines[line].split(b",")
    cells[rng.randrange(len(cells))] = rng.choice([b"1e308", b"-1e30", b"inf", b"nan", b"", b"1,5", b"--2"])
    return kind, b"\n".join([*lines[:line], b",".join(cells), *lines[line + 1 :]])


def test_damaged_copies_of_a_real_table_end_in_an_error_or_a_measured_walk(tmp_path: Path) -> None:
    """40 copies of the bundled recording's first 30 s, each cut or damaged once or twice as text (seeded: the
    case number is the seed): each is refused in one readable line, or read as a sound recording whose
    analysis ends in a result or in one such line (the analysis is what ``backstride analyze`` runs)."""
    from backstride import gait

    text = gzip.decompress(io.sample_path().read_bytes())
    sample = b"\n".join(text.split(b"\n")[:3001]) + b"\n"
    outcomes: dict[str, int] = {"error": 0, "read": 0}
    for case in range(40):
        rng = random.Random(case)
        data, done = sample, []
        for _ in range(rng.randrange(1, 3)):
            if rng.random() < 1 / 7:  # cut off, as often as each other kind
                data, kind = data[: rng.randrange(len(data))], "cut"
            else:
                kind, data = _text_damage(rng, data)
            done.append(kind)
        path = tmp_path / f"walk-{case}.csv"
        path.write_bytes(data)
        what = f"case {case}: {', '.join(done)}"
        outcome = _check(path, what)
        outcomes[outcome] += 1
        if outcome == "read":
            try:
                gait.analyze(io.read(path))
            except BackstrideError as exc:
                assert "\n" not in str(exc), (what, str(exc))
    # both outcomes occur (32 refused, 8 read and measured)
    assert outcomes["error"] > 10 and outcomes["read"] > 5, outcomes


def test_bytes_lost_inside_a_zip_say_where_its_directory_points(tmp_path: Path, synth: Any) -> None:
    """Bytes lost inside a ZIP (a phone export, an Excel workbook) leave its directory giving places outside the
    file: zipfile's seek there failed with "[Errno 22] Invalid argument", said as it was."""
    w = synth.walk(duration_s=20.0)
    names = ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz")]
    rows = [names, *np.column_stack([w.t, w.acc]).tolist()]
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Raw Data.csv", "\n".join(",".join(map(str, row)) for row in rows) + "\n")
    workbook = write_xlsx(tmp_path / "workbook.xlsx", {"Raw Data": rows})
    for source, said in (
        (export, r"export\.zip is a damaged ZIP archive: Raw Data\.csv cannot be unpacked"),
        (workbook, r"workbook\.xlsx is a damaged Excel workbook: Raw Data cannot be read"),
    ):
        data = source.read_bytes()
        middle = data.index(b"PK\x01\x02") // 2  # within the members, before the directory
        source.write_bytes(data[:middle] + data[middle + 1000 :])  # more than lies before the data read
        with pytest.raises(
            BackstrideError, match=said + r" \(its directory gives a place outside the file\)"
        ):
            io.read(source)


ACTIVITY_FILES = (
    "apple_health/tdda_export6s3sample.xml",
    "apple_health/opendroid_hk_sampleexport-2.xml",
    "garmin_fit/fitparse_garmin-fenix-5-walk.fit",
    "garmin_fit/fitparse_MonitoringFile.fit",
)


def test_damaged_and_cut_activity_files_end_in_an_error_or_their_figures(
    tmp_path: Path, shared_data: Path
) -> None:
    """The activity readers (Apple Health's export, alone and in its ZIP; Garmin's .fit) meet the same damage:
    each copy is refused in one readable line or read (seeded as above)."""
    from backstride.activity import read_activity

    sources = [shared_data / "devices" / name for name in ACTIVITY_FILES]
    for xml in sources[:2]:
        packed = tmp_path / f"{xml.stem}.zip"
        with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("apple_health_export/export.xml", xml.read_bytes())
        sources.append(packed)
    outcomes = {"error": 0, "read": 0}
    for seed, source in enumerate(sources):
        for i, (how, damaged) in enumerate(_variants(source.read_bytes(), 100 + seed)):
            path = tmp_path / f"damaged-{seed}-{i}{source.suffix}"
            path.write_bytes(damaged)
            what = f"{source.name} ({how}, seed {100 + seed})"
            try:
                read_activity(path)
            except BackstrideError as exc:
                message = str(exc)
                assert message and "\n" not in message and "\\x" not in message, (what, message)
                assert not any(bad in message for bad in ("\ufffd", "[Errno")), (what, message)
                outcomes["error"] += 1
            except Exception as exc:  # pragma: no cover - what this test exists to catch
                pytest.fail(f"{what}: {type(exc).__name__}: {exc}")
            else:
                outcomes["read"] += 1
    # both occur (69 refused, 3 read: a changed byte in a text's value or a record's field is read as it is)
    assert outcomes["error"] > 10 and outcomes["read"] > 0, outcomes
