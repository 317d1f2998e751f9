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

A single ``TotalAcceleration.csv`` is read on its own.
"""

from __future__ import annotations

import csv
from pathlib import Path

from backstride._errors import InputError
from backstride.io._align import interpolate_onto, trim
from backstride.io._container import extracted, find_member, is_zip, member_names
from backstride.io._csv import head_text, read_csv_raw, split_header
from backstride.io._raw import RawSignals
from backstride.io._units import zone_from_name


def _read_sensor(path: Path, label: str) -> RawSignals:
    text = head_text(path) or ""
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        raise InputError(f"{label} is empty")
    _, names = split_header(lines[0])
    lower = [n.lower() for n in names]
    if not all(axis in lower for axis in "xyz"):
        raise InputError(f"{label} has no x, y, z columns (its columns are: {', '.join(names)})")
    time_column = "time" if "time" in lower else "seconds_elapsed" if "seconds_elapsed" in lower else None
    raw = read_csv_raw(path, time_column=time_column, acc_columns=["x", "y", "z"])
    raw.source = label
    return raw


def _metadata(path: Path) -> dict[str, str]:
    """The export's one metadata row, keys lower-cased, empty values left out."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        row = next(csv.DictReader(handle), None) or {}
    return {k.strip().lower(): v.strip() for k, v in row.items() if k and isinstance(v, str) and v.strip()}


_KEPT = (("device name", "device"), ("platform", "platform"), ("recording time", "recording_time"))


def read_sensorlogger_raw(path: Path) -> RawSignals:
    """Read a Sensor Logger ZIP or folder (or a lone ``TotalAcceleration.csv``) into :class:`RawSignals`."""
    if not path.is_dir() and not is_zip(path):
        raw = _read_sensor(path, path.name)
        raw.acc_unit = "m/s2"
        raw.metadata = {"format": "sensorlogger", "source": path.name}
        return raw
    names = member_names(path)
    total = find_member(names, "TotalAcceleration.csv")
    user = find_member(names, "Accelerometer.csv")
    gravity = find_member(names, "Gravity.csv")
    gyro = find_member(names, "Gyroscope.csv")
    meta = find_member(names, "Metadata.csv")
    if total is None and user is None:
        raise InputError(
            f"{path.name} is a Sensor Logger export without acceleration; enable the accelerometer "
            "(and gravity) in the app and record again"
        )
    if total is None and gravity is None:
        raise InputError(
            f"{path.name} has Accelerometer.csv (gravity removed) but no Gravity.csv or TotalAcceleration.csv; "
            "enable the Gravity sensor in Sensor Logger so acceleration with gravity can be rebuilt"
        )
    wanted = [m for m in (total or user, None if total else gravity, gyro, meta) if m]
    with extracted(path, wanted) as files:
        if total is not None:
            raw = _read_sensor(files[total], f"{path.name}/{total}")
        else:
            assert user is not None and gravity is not None
            raw = _read_sensor(files[user], f"{path.name}/{user}")
            grav = _read_sensor(files[gravity], f"{path.name}/{gravity}")
            values, keep = interpolate_onto(raw, grav, "gravity")
            trim(raw, keep)
            raw.acc += values
            raw.notes.append("acceleration with gravity rebuilt as Accelerometer.csv + Gravity.csv")
        raw.acc_unit = "m/s2"
        if gyro is not None:
            rates = _read_sensor(files[gyro], f"{path.name}/{gyro}")
            values, keep = interpolate_onto(raw, rates, "gyroscope")
            trim(raw, keep)
            raw.gyr = values
            raw.gyr_unit = "rad/s"
            raw.gyr_names = rates.acc_names
            raw.notes.append("gyroscope aligned to the accelerometer's time stamps by linear interpolation")
        row = _metadata(files[meta]) if meta else {}
    standardised = row.get("standardisation", "").lower()
    if row.get("platform", "").lower() == "ios" and standardised != "true":
        raw.acc = -raw.acc
        raw.notes.append(
            "recorded on iOS: acceleration turned to Android's sign (Sensor Logger's iOS default)"
            + (
                ""
                if standardised == "false"
                else "; if 'Standardise Units & Frames' was on in the app, left and right feet are swapped"
            )
        )
    zone_name = row.get("recording timezone")
    if zone_name:
        raw.zone = zone_from_name(zone_name)
        if raw.zone is None:
            raw.notes.append(f"time zone {zone_name!r} is not known here: the start time is given in UTC")
    extra = {name: row[key] for key, name in _KEPT if key in row}
    raw.metadata = {"format": "sensorlogger", "source": path.name, **extra}
    return raw


def looks_like_sensorlogger(names: list[str]) -> bool:
    """A folder/ZIP listing written by Sensor Logger."""
    if find_member(names, "TotalAcceleration.csv") is not None:
        return True
    has_acc = find_member(names, "Accelerometer.csv") is not None
    return has_acc and (
        find_member(names, "Gravity.csv") is not None or find_member(names, "Metadata.csv") is not None
    )


def sensorlogger_header(text: str) -> bool:
    """A single CSV with Sensor Logger's header ``time,seconds_elapsed,z,y,x``."""
    first = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
    _, names = split_header(first)
    lower = [n.lower() for n in names]
    return "seconds_elapsed" in lower and all(a in lower for a in "xyz")
