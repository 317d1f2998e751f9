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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from backstride._errors import InputError
from backstride._words import plural
from backstride.io._align import absolute_times, aligned, from_first_sample, readings_or_none, without_note
from backstride.io._container import extracted, find_member, is_zip, member_names
from backstride.io._csv import iter_csv_raw
from backstride.io._csvlayout import (
    GYR_PREFIXES,
    acceleration_axes,
    head_text,
    parse_header_name,
    split_header,
)
from backstride.io._raw import RawSignals
from backstride.io._units import iso_from_epoch_s, zone_from_utc_text
from backstride.io._xlsx import is_workbook, sheet_parts, sheets_as_csv
from backstride.recording import FloatArray

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


def _gyro_blocks(path: Path, label: str, columns: list[str]) -> Iterator[RawSignals]:
    """A CSV with a time column and the three gyroscope ``columns``, as blocks with the rates in ``.acc``."""
    for raw in iter_csv_raw(path, acc_columns=columns):
        raw.source = label
        yield raw


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


def _put_back_pauses(blocks: Iterable[RawSignals], gaps: list[tuple[float, float]]) -> Iterator[RawSignals]:
    """Shift the samples after each pause by its length, so the pause is a gap in the time axis; the pauses
    that had data recorded after them are noted on the last block (one block is held back for it)."""
    held: RawSignals | None = None
    used: set[int] = set()
    for raw in blocks:
        experiment_time = absolute_times(raw)  # phyphox stamps its data with the experiment time
        shift = np.zeros(raw.n)
        for k, (at, paused) in enumerate(gaps):
            after = experiment_time >= at
            if after.any():
                used.add(k)
                shift[after] += paused
        if used:
            raw.time_s = raw.time_s + shift
            raw.dt = None
        if held is not None:
            yield held
        held = raw
    if held is None:
        return
    if used:
        total = sum(gaps[k][1] for k in used)
        held.notes.append(
            f"the measurement was paused {plural(len(used), 'time')} ({total:.0f} s in all); "
            "phyphox's time axis leaves pauses out, so they were put back as gaps"
        )
    yield held


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


def workbook_members(path: Path) -> dict[str, str]:
    """An Excel export's sheets as the files of phyphox's CSV export: ``{sheet name: member name}``
    (``Raw Data`` → ``Raw Data.csv``, ``Metadata Time`` → ``meta/time.csv``, ...)."""
    return {sheet: _META_SHEETS.get(sheet.lower(), f"{sheet}.csv") for sheet in sheet_parts(path)}


_META_SHEETS = {"metadata time": "meta/time.csv", "metadata device": "meta/device.csv"}


def iter_phyphox_raw(path: Path, limit: int | None = None) -> Iterator[RawSignals]:
    """Read a phyphox ZIP, folder, Excel workbook or single exported CSV as consecutive :class:`RawSignals`
    blocks (a long export in bounded memory, the gyroscope's file read as far as the accelerometer's needs
    it). ``limit``: only about that many bytes of each file in a ZIP (:func:`extracted`)."""
    if not path.is_dir() and not is_zip(path):
        for raw in iter_csv_raw(path):
            raw.metadata = {"format": "phyphox", "source": path.name}
            yield raw
        return
    names = member_names(path)
    members: Callable[[list[str]], contextlib.AbstractContextManager[dict[str, Path]]]
    if is_workbook(names):
        sheets = workbook_members(path)
        names = sorted(sheets.values())
        by_member = {member: sheet for sheet, member in sheets.items()}

        def members(wanted: list[str]) -> contextlib.AbstractContextManager[dict[str, Path]]:
            return sheets_as_csv(path, {by_member[m]: m for m in wanted}, limit)
    else:

        def members(wanted: list[str]) -> contextlib.AbstractContextManager[dict[str, Path]]:
            return extracted(path, wanted, limit)

    acc_member = next((m for f in ACC_FILES if (m := find_member(names, f, path.name)) is not None), None)
    if acc_member is None:
        raise InputError(
            f"{path.name} is a phyphox export without acceleration: it holds {', '.join(names[:8]) or 'nothing'} "
            f"but no {' or '.join(ACC_FILES)}. {_RECORD_AGAIN}"
        )
    gyr_member = next((m for f in GYR_FILES if (m := find_member(names, f, path.name)) is not None), None)
    time_member = find_member(names, "time.csv", path.name)
    wanted = [acc_member] + ([gyr_member] if gyr_member else [])
    wanted += [m for m in (time_member, find_member(names, "device.csv")) if m]
    with members(wanted) as files:
        _check_acceleration(path.name, acc_member, files[acc_member], gyr_member is not None)
        events = _events(files[time_member]) if time_member is not None else []
        meta = _meta(files, names, events)
        acc_label = f"{path.name}/{acc_member}"
        blocks: Iterator[RawSignals] = (
            replace(raw, source=acc_label) for raw in iter_csv_raw(files[acc_member])
        )
        notes: list[str] = []
        if gyr_member is not None:
            gyr_label = f"{path.name}/{gyr_member}"
            columns = _gyro_columns(files[gyr_member])
            if columns is None and (head_text(files[gyr_member]) or "").strip():
                raise InputError(f"{gyr_label} has no gyroscope x, y, z columns")
            rates = (
                None
                if columns is None
                else readings_or_none(_gyro_blocks(files[gyr_member], gyr_label, columns))
            )
            if rates is None or columns is None:  # an empty file, or a header only
                notes.append(without_note(gyr_label))
            else:
                blocks = _with_rates(aligned(blocks, rates, "gyroscope", bridge_ends=True), columns)
                notes.append("gyroscope aligned to the accelerometer's time stamps by linear interpolation")
        for raw in from_first_sample(_put_back_pauses(blocks, pauses(events))):
            raw.metadata = {"format": "phyphox", "source": path.name, **meta}
            raw.notes.extend(notes)
            notes = []  # said once, on the first block
            yield raw


_RECORD_AGAIN = (
    "Record with phyphox's 'Acceleration with g' experiment (or a multi-sensor one with the accelerometer switched "
    "on, and the gyroscope if wanted) and export that measurement"
)


def _check_acceleration(name: str, member: str, path: Path, gyroscope_file: bool) -> None:
    """Refuse an experiment's data file that holds another quantity than acceleration with gravity, naming the
    experiment it comes from: 'Gyroscope (rotation rate)' writes ``Raw Data.csv`` with the gyroscope's axes,
    'Acceleration without g' with ``Linear Acceleration x``. A multi-sensor export's gyroscope-only files are
    told apart by their name (no acceleration file: refused above)."""
    text = head_text(path) or ""
    first = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
    _, names = split_header(first)
    if acceleration_axes(names):
        return
    keys = [parse_header_name(n)[0] for n in names]
    shown = ", ".join(names[1:5])
    if _gyro_columns(path) is not None and not gyroscope_file:
        raise InputError(
            f"{name} is a phyphox export of the gyroscope alone ('Gyroscope (rotation rate)': its {member} holds "
            f"{shown}), without acceleration. {_RECORD_AGAIN}"
        )
    linear = ("linearacceleration", "linearebeschleunigung", "accelerationlineaire")
    if any(k.startswith(linear) for k in keys) and not any(k.startswith("gravity") for k in keys):
        raise InputError(
            f"{name} is a phyphox export of 'Acceleration without g' (its {member} holds {shown}): gravity was "
            "taken out, and the gait analysis needs it to find the vertical. " + _RECORD_AGAIN
        )


def _with_rates(pairs: Iterable[tuple[RawSignals, FloatArray]], columns: list[str]) -> Iterator[RawSignals]:
    """The accelerometer's blocks with the gyroscope's rates (unit and names from its header)."""
    unit = parse_header_name(columns[0])[1]
    for raw, rates in pairs:
        raw.gyr = rates
        raw.gyr_unit = unit
        raw.gyr_names = (columns[0], columns[1], columns[2])
        yield raw


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
    return first.strip().strip('"').startswith(_TIME_NAMES) and "(m/s^2)" in first


# the time column's name in phyphox's experiments, and translated (German, French, Spanish, Italian)
_TIME_NAMES = ("Time (s)", "Zeit (s)", "Temps (s)", "Tiempo (s)", "Tempo (s)")
