"""Sensor Logger exports (Kelvin Choi's app, tszheichoi.com/sensorlogger): the ZIP or the unzipped folder.

Layout and units, from the app's own documentation (github.com/tszheichoi/awesome-sensor-logger,
``README.md`` and ``UNITS.md``):

* One CSV per sensor, columns ``time,seconds_elapsed,z,y,x`` (note the order). ``time`` is nanoseconds
  since the Unix epoch (UTC); ``seconds_elapsed`` is seconds since the recording started.
* ``TotalAcceleration.csv``: acceleration *with* gravity, m/s² (Android). ``Accelerometer.csv``: user
  acceleration with gravity removed, m/s²; ``Gravity.csv``: the gravity vector, m/s². On iOS only the
  latter two are logged, so acceleration with gravity is their sum.
* ``Gyroscope.csv``: angular rate in rad/s.
* ``Metadata.csv``: one row; real exports carry ``version, device name, recording epoch time, recording
  time, recording timezone, platform, appVersion, device id, sensors, sampleRateMs, standardisation,
  platform version`` (older versions fewer). ``recording timezone`` is an IANA zone (``Asia/Kolkata``):
  the start time is given in it, so per-day figures cut days at local midnight.
* Sign (``COORDINATES.md``, ``CROSSPLATFORM.md``): on iOS, unless "Standardise Units & Frames" is on (it is
  off by default; the metadata's ``standardisation`` says ``true`` when it was on), acceleration and
  gravity have the opposite sign to Android's (iOS reports the inertial force; gravity points along -z
  with the phone flat on a table). An iOS export that is not standardised is turned to Android's sign,
  with a note. Nothing measured depends on the sign; only which foot is left and which right does (a
  recording and its negative are a walk and its mirror image, sensor turned over).
* Sensors are sampled separately and their time stamps do not line up, so gravity and gyroscope are
  interpolated onto the accelerometer's time stamps. Entries can be duplicated (the documentation says so);
  duplicated time stamps are dropped like everywhere else.

A single ``TotalAcceleration.csv`` is read on its own. The app's JSON export (one array of readings, each
``{"sensor": "TotalAcceleration", "time": "...", "x": "...", ...}`` with every value as text, and one
``Metadata`` record holding the fields of ``Metadata.csv``) is read into the same form, up to
``JSON_MAX_BYTES`` (every reading is a Python object while it is parsed; the ZIP export has no limit).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np

from backstride._errors import InputError
from backstride.io._align import aligned, from_first_sample
from backstride.io._container import extracted, find_member, is_zip, member_names
from backstride.io._csv import head_text, iter_csv_raw, split_header
from backstride.io._raw import RawSignals, join_raw
from backstride.io._units import zone_from_name
from backstride.recording import FloatArray


def _sensor_blocks(path: Path, label: str) -> Iterator[RawSignals]:
    """One sensor's CSV as consecutive blocks (one block unless the file is long)."""
    text = head_text(path) or ""
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        raise InputError(f"{label} is empty")
    _, names = split_header(lines[0])
    lower = [n.lower() for n in names]
    if not all(axis in lower for axis in "xyz"):
        raise InputError(f"{label} has no x, y, z columns (its columns are: {', '.join(names)})")
    time_column = "time" if "time" in lower else "seconds_elapsed" if "seconds_elapsed" in lower else None
    for raw in iter_csv_raw(path, time_column=time_column, acc_columns=["x", "y", "z"]):
        raw.source = label
        yield raw


def _metadata(path: Path) -> dict[str, str]:
    """The export's one metadata row, keys lower-cased, empty values left out."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        row = next(csv.DictReader(handle), None) or {}
    return {k.strip().lower(): v.strip() for k, v in row.items() if k and isinstance(v, str) and v.strip()}


_KEPT = (("device name", "device"), ("platform", "platform"), ("recording time", "recording_time"))


def iter_sensorlogger_raw(path: Path, limit: int | None = None) -> Iterator[RawSignals]:
    """Read a Sensor Logger ZIP or folder, its JSON export, or a lone ``TotalAcceleration.csv``, as consecutive
    :class:`RawSignals` blocks: a long export is read in bounded memory, each sensor's file as far as needed.
    ``limit``: only about that many bytes of each file in a ZIP (:func:`extracted`)."""
    if not path.is_dir() and not is_zip(path):
        if sensorlogger_json(head_text(path) or ""):
            yield _read_json(path)
            return
        for raw in _sensor_blocks(path, path.name):
            raw.acc_unit = "m/s2"
            raw.metadata = {"format": "sensorlogger", "source": path.name}
            yield raw
        return
    names = member_names(path)
    members = {sensor: find_member(names, f"{sensor}.csv") for sensor in (*_SENSORS, "Metadata")}
    _check_sensors(path.name, {s for s, m in members.items() if m is not None})
    needed = _needed({s for s, m in members.items() if m is not None}) | {"Metadata"}
    wanted = {s: m for s, m in members.items() if m is not None and s in needed}
    with extracted(path, list(wanted.values()), limit) as files:
        row = _metadata(files[wanted["Metadata"]]) if "Metadata" in wanted else {}
        streams = {
            s: _sensor_blocks(files[m], f"{path.name}/{m}") for s, m in wanted.items() if s != "Metadata"
        }
        yield from _combined(path.name, streams, row)


_SENSORS = ("TotalAcceleration", "Accelerometer", "Gravity", "Gyroscope")


def _check_sensors(name: str, present: set[str]) -> None:
    if "TotalAcceleration" not in present and "Accelerometer" not in present:
        raise InputError(
            f"{name} is a Sensor Logger export without acceleration; enable the accelerometer "
            "(and gravity) in the app and record again"
        )
    if "TotalAcceleration" not in present and "Gravity" not in present:
        raise InputError(
            f"{name} has Accelerometer.csv (gravity removed) but no Gravity.csv or TotalAcceleration.csv; "
            "enable the Gravity sensor in Sensor Logger so acceleration with gravity can be rebuilt"
        )


def _needed(present: set[str]) -> set[str]:
    """The sensors read: acceleration with gravity (or without it plus gravity), and the gyroscope."""
    acc = {"TotalAcceleration"} if "TotalAcceleration" in present else {"Accelerometer", "Gravity"}
    return acc | ({"Gyroscope"} & present)


def _combined(
    name: str, streams: Mapping[str, Iterable[RawSignals]], row: dict[str, str]
) -> Iterator[RawSignals]:
    """One recording's blocks from the export's sensors (as in :func:`_needed`) and its metadata row."""
    notes: list[str] = []
    blocks: Iterator[RawSignals]
    if "TotalAcceleration" in streams:
        blocks = iter(streams["TotalAcceleration"])
    else:
        blocks = _with_gravity(aligned(streams["Accelerometer"], streams["Gravity"], "gravity"))
        notes.append("acceleration with gravity rebuilt as Accelerometer.csv + Gravity.csv")
    gyroscope = "Gyroscope" in streams
    if gyroscope:
        blocks = _with_rates(aligned(blocks, streams["Gyroscope"], "gyroscope"))
        notes.append("gyroscope aligned to the accelerometer's time stamps by linear interpolation")
    standardised = row.get("standardisation", "").lower()
    flip = row.get("platform", "").lower() == "ios" and standardised != "true"
    if flip:
        notes.append(
            "recorded on iOS: acceleration turned to Android's sign (Sensor Logger's iOS default)"
            + (
                ""
                if standardised == "false"
                else "; if 'Standardise Units & Frames' was on in the app, left and right feet are swapped"
            )
        )
    zone_name = row.get("recording timezone")
    zone = zone_from_name(zone_name) if zone_name else None
    if zone_name and zone is None:
        notes.append(f"time zone {zone_name!r} is not known here: the start time is given in UTC")
    extra = {key: row[field] for field, key in _KEPT if field in row}
    for raw in from_first_sample(blocks):
        raw.acc_unit = "m/s2"
        if gyroscope:
            raw.gyr_unit = "rad/s"
            raw.gyr_names = ("x", "y", "z")
        if flip:
            raw.acc = -raw.acc
        if zone is not None:
            raw.zone = zone
        raw.metadata = {"format": "sensorlogger", "source": name, **extra}
        raw.notes.extend(notes)
        notes = []  # said once, on the first block
        yield raw


def _with_gravity(pairs: Iterable[tuple[RawSignals, FloatArray]]) -> Iterator[RawSignals]:
    for raw, gravity in pairs:
        raw.acc = raw.acc + gravity
        yield raw


def _with_rates(pairs: Iterable[tuple[RawSignals, FloatArray]]) -> Iterator[RawSignals]:
    for raw, rates in pairs:
        raw.gyr = rates
        yield raw


# a JSON export holds every reading as a Python object in memory while it is read (a 17 MB export of 10
# minutes at 100 Hz, acceleration and gyroscope, peaks at 170 MB): beyond this size, about half an hour,
# the ZIP export, read in bounded memory, is the one to use
JSON_MAX_BYTES = 64 << 20


def _read_json(path: Path) -> RawSignals:
    """Sensor Logger's JSON export: one array of records ``{"sensor": ..., "time": ..., "x": ...}`` (all
    values as text, each sensor's records together and in time order) and a ``Metadata`` record with the
    fields of ``Metadata.csv`` (``README.md`` of awesome-sensor-logger, "JSON")."""
    size = path.stat().st_size
    if size > JSON_MAX_BYTES:
        raise InputError(
            f"{path.name} is a {size / 2**20:.0f} MB Sensor Logger JSON export; for a recording this long "
            "use the app's 'Zip and CSV' export, which backstride reads in bounded memory"
        )
    try:
        records = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name} is not valid JSON (a cut-off export or upload?): {exc}") from exc
    if not isinstance(records, list):
        raise InputError(f"{path.name} is JSON but not a Sensor Logger export (no list of readings)")
    columns: dict[str, list[tuple[str, str, str, str]]] = {s: [] for s in _SENSORS}
    row: dict[str, str] = {}
    for record in records:
        if not isinstance(record, dict):
            continue
        sensor = record.get("sensor")
        if sensor in columns:
            columns[sensor].append(
                (record.get("time", ""), record.get("x", ""), record.get("y", ""), record.get("z", ""))
            )
        elif sensor == "Metadata":
            row = {
                str(k).strip().lower(): str(v).strip()
                for k, v in record.items()
                if k != "sensor" and v is not None and str(v).strip()
            }
    present = {s for s, values in columns.items() if values}
    _check_sensors(path.name, present)
    parts = {s: [_raw_from_records(f"{path.name} ({s})", columns[s])] for s in _needed(present)}
    return join_raw(list(_combined(path.name, parts, row)))


def _raw_from_records(label: str, values: list[tuple[str, str, str, str]]) -> RawSignals:
    try:
        stamps = np.array([int(t) for t, _, _, _ in values], dtype=np.int64)
        xyz = np.array([(float(x), float(y), float(z)) for _, x, y, z in values], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{label}: a reading's time or x, y, z is not a number ({exc})") from exc
    origin_s = float(stamps[0]) / 1e9
    raw = RawSignals(
        time_s=(stamps - stamps[0]).astype(np.float64) / 1e9,
        acc=xyz,
        gyr=None,
        source=label,
        acc_names=("x", "y", "z"),
        first_line=None,
        epoch_s=origin_s,
        clock_origin_s=origin_s,
    )
    raw.notes.append("time read as ns since 1970 (Unix time), converted to seconds")
    return raw


def looks_like_sensorlogger(names: list[str]) -> bool:
    """A folder/ZIP listing written by Sensor Logger."""
    if find_member(names, "TotalAcceleration.csv") is not None:
        return True
    has_acc = find_member(names, "Accelerometer.csv") is not None
    return has_acc and (
        find_member(names, "Gravity.csv") is not None or find_member(names, "Metadata.csv") is not None
    )


def sensorlogger_json(text: str) -> bool:
    """The start of Sensor Logger's JSON export: an array of records with ``sensor`` and ``time``."""
    head = text.lstrip("\ufeff").lstrip()
    return head.startswith("[") and '"sensor"' in head and '"time"' in head


def sensorlogger_header(text: str) -> bool:
    """A single CSV with Sensor Logger's header ``time,seconds_elapsed,z,y,x``."""
    first = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
    _, names = split_header(first)
    lower = [n.lower() for n in names]
    return "seconds_elapsed" in lower and all(a in lower for a in "xyz")
