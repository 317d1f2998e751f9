"""phyphox exports (RWTH Aachen's phyphox app): the ZIP, the unzipped folder, or one of its CSV files.

Layout, as phyphox writes it (checked against the app's export code and published scripts that read it):

* An experiment export holds one CSV per view. The "Acceleration with g" experiment writes
  ``Raw Data.csv`` with ``"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)",
  "Acceleration z (m/s^2)","Absolute acceleration (m/s^2)"``. "Acceleration without g" writes
  ``Linear Acceleration x (m/s^2)`` ..., which has gravity removed and is refused with a clear message.
* A multi-sensor export holds ``Accelerometer.csv`` (the same acceleration columns) and
  ``Gyroscope.csv`` (``"Time (s)","Gyroscope x (rad/s)","Gyroscope y (rad/s)","Gyroscope z (rad/s)"``);
  the two sensors have their own time stamps on the experiment clock, so the gyroscope is interpolated
  onto the accelerometer's.
* ``meta/time.csv`` has ``"event","experiment time","system time","system time text"``: ``START`` and
  ``PAUSE`` rows, alternating (phyphox's file-format documentation, "Saved states"). ``system time`` is Unix
  seconds; the text gives the same instant with the device's UTC offset (``2025-10-05 10:20:00.000
  UTC+02:00``), so the first ``START`` gives the start time in local time. The experiment time, on which
  the data are stamped, does not run while the measurement is paused: each later ``START`` marks a pause
  whose length is the system time between it and the ``PAUSE`` before it, and those pauses are put back
  into the data's time axis as gaps (a walk before a pause is not joined to one after it).
  ``meta/device.csv`` has ``"property","value"`` rows (``deviceModel``, ``deviceBrand`` ...).
* phyphox offers comma, tab and semicolon separators (the last with a decimal comma); all three are read.

Time is in seconds from the experiment start; the units are declared in the column headers.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
from pathlib import Path

import numpy as np

from backstride._errors import InputError
from backstride.io._align import absolute_times, interpolate_onto, trim
from backstride.io._container import extracted, find_member, is_zip, member_names
from backstride.io._csv import GYR_PREFIXES, head_text, parse_header_name, read_csv_raw, split_header
from backstride.io._raw import RawSignals
from backstride.io._units import iso_from_epoch_s, zone_from_utc_text

ACC_FILES = ("Raw Data.csv", "Accelerometer.csv", "Acceleration.csv")
GYR_FILES = ("Gyroscope.csv",)


def _gyro_columns(path: Path) -> list[str] | None:
    text = head_text(path) or ""
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        return None
    _, names = split_header(lines[0])
    found: dict[str, str] = {}
    for name in names:
        key, _ = parse_header_name(name)
        for prefix in GYR_PREFIXES:
            for axis in "xyz":
                if key == f"{prefix}{axis}":
                    found.setdefault(axis, name)
    return [found[a] for a in "xyz"] if len(found) == 3 else None


def read_gyro_file(path: Path) -> RawSignals:
    """A CSV with a time column and three gyroscope columns, returned with the rates in ``.acc``."""
    columns = _gyro_columns(path)
    if columns is None:
        raise InputError(f"{path.name} has no gyroscope x, y, z columns")
    raw = read_csv_raw(path, acc_columns=columns)
    _, unit = parse_header_name(columns[0])
    raw.gyr_unit = unit
    return raw


def _events(path: Path) -> list[tuple[str, float, float, str]]:
    """``(event, experiment time, system time, system time text)`` of the START and PAUSE rows."""
    out = []
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for row in csv.DictReader(handle):
            event = (row.get("event") or "").strip().upper()
            if event not in ("START", "PAUSE"):
                continue
            with contextlib.suppress(TypeError, ValueError):
                out.append(
                    (
                        event,
                        float(row.get("experiment time") or "nan"),
                        float(row.get("system time") or "nan"),
                        row.get("system time text") or "",
                    )
                )
    return out


def pauses(events: list[tuple[str, float, float, str]]) -> list[tuple[float, float]]:
    """``(experiment time, seconds paused)`` of each pause that the measurement was resumed after."""
    out = []
    for before, after in itertools.pairwise(events):
        if before[0] == "PAUSE" and after[0] == "START":
            paused = after[2] - before[2]
            if paused > 0:  # NaN (a missing time) is left out too
                out.append((before[1], paused))
    return out


def _put_back_pauses(raw: RawSignals, gaps: list[tuple[float, float]]) -> None:
    """Shift the samples after each pause by its length, so the pause is a gap in the time axis."""
    experiment_time = absolute_times(raw)  # phyphox stamps its data with the experiment time
    gaps = [(at, paused) for at, paused in gaps if experiment_time[-1] >= at]  # data recorded after it
    if not gaps:
        return
    shift = np.zeros(raw.time_s.shape[0])
    for at, paused in gaps:
        shift[experiment_time >= at] += paused
    raw.time_s = raw.time_s + shift
    raw.dt = None
    total = sum(p for _, p in gaps)
    raw.notes.append(
        f"the measurement was paused {len(gaps)} time{'s' if len(gaps) > 1 else ''} ({total:.0f} s in all); "
        "phyphox's time axis leaves pauses out, so they were put back as gaps"
    )


def _meta(
    files: dict[str, Path], names: list[str], events: list[tuple[str, float, float, str]]
) -> dict[str, str]:
    meta: dict[str, str] = {}
    starts = [e for e in events if e[0] == "START" and np.isfinite(e[2])]
    if starts:
        meta["start_time"] = iso_from_epoch_s(starts[0][2], zone_from_utc_text(starts[0][3]))
    device_member = find_member(names, "device.csv")
    if device_member is not None:
        with files[device_member].open(encoding="utf-8", errors="replace") as handle:
            rows = {r.get("property", ""): r.get("value", "") for r in csv.DictReader(handle)}
        model = " ".join(v for v in (rows.get("deviceBrand"), rows.get("deviceModel")) if v)
        if model:
            meta["device"] = model
    return meta


def read_phyphox_raw(path: Path) -> RawSignals:
    """Read a phyphox ZIP, folder or single exported CSV into :class:`RawSignals`."""
    if not path.is_dir() and not is_zip(path):
        raw = read_csv_raw(path)
        raw.metadata = {"format": "phyphox", "source": path.name}
        return raw
    names = member_names(path)
    acc_member = next((m for f in ACC_FILES if (m := find_member(names, f)) is not None), None)
    if acc_member is None:
        raise InputError(
            f"{path.name} is a phyphox export without acceleration: it holds {', '.join(names[:8]) or 'nothing'}; "
            "record with the 'Acceleration with g' experiment (or the accelerometer and gyroscope)"
        )
    gyr_member = next((m for f in GYR_FILES if (m := find_member(names, f)) is not None), None)
    time_member = find_member(names, "time.csv")
    wanted = [acc_member] + ([gyr_member] if gyr_member else [])
    wanted += [m for m in (time_member, find_member(names, "device.csv")) if m]
    with extracted(path, wanted) as files:
        raw = read_csv_raw(files[acc_member])
        raw.source = f"{path.name}/{acc_member}"
        if gyr_member is not None:
            gyro = read_gyro_file(files[gyr_member])
            gyro.source = f"{path.name}/{gyr_member}"
            values, keep = interpolate_onto(raw, gyro, "gyroscope")
            trim(raw, keep)
            raw.gyr = values
            raw.gyr_unit = gyro.gyr_unit
            raw.gyr_names = gyro.acc_names
            raw.notes.append("gyroscope aligned to the accelerometer's time stamps by linear interpolation")
        events = _events(files[time_member]) if time_member is not None else []
        meta = _meta(files, names, events)
        _put_back_pauses(raw, pauses(events))
    raw.metadata = {"format": "phyphox", "source": path.name, **meta}
    return raw


def looks_like_phyphox(names: list[str]) -> bool:
    """A folder/ZIP listing that phyphox wrote (its ``meta/`` files, or its acceleration CSV names)."""
    lower = {n.lower() for n in names}
    has_meta = any(n.endswith("meta/device.csv") or n.endswith("meta/time.csv") for n in lower)
    has_data = any(find_member(names, f) for f in (*ACC_FILES, *GYR_FILES, "Linear Acceleration.csv"))
    return has_meta or (
        has_data and find_member(names, "TotalAcceleration.csv") is None and not _sensorlogger_hint(names)
    )


def _sensorlogger_hint(names: list[str]) -> bool:
    return find_member(names, "Gravity.csv") is not None or find_member(names, "Metadata.csv") is not None


def phyphox_header(text: str) -> bool:
    """A single CSV whose header is phyphox's (``Time (s)`` then quantities with units in parentheses)."""
    first = next((line for line in io.StringIO(text.lstrip("\ufeff")) if line.strip()), "")
    return first.strip().strip('"').startswith("Time (s)") and "(m/s^2)" in first
