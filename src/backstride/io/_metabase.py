"""MbientLab's MetaBase recordings of MetaWear sensors: a CSV file per sensor, in a folder or a ZIP.

The layout is the app's own (its ``State.swift`` and ``SensorConfig.swift``): each file is named
``{device}_{yyyy-MM-dd'T'HH.mm.ss.SSS}_{MAC}_{sensor}.csv`` (the sensor's name without spaces) and holds
``epoc (ms)`` (Unix time), the local time as text under ``timestamp (+0200)``, ``elapsed (s)`` and the values:
``x-axis (g)`` ... for the ``Accelerometer`` and the sensor fusion's ``Gravity`` and ``LinearAcceleration``,
``x-axis (deg/s)`` ... for the ``Gyroscope``. The raw sensors and the sensor fusion exclude each other, so a
recording has the accelerometer (and perhaps the gyroscope), or linear acceleration and gravity, which add
up to the acceleration with gravity. Each file is read as the generic CSV reader reads it (a lone
``…_Accelerometer.csv`` is that reader's), and the others are put onto the acceleration's time stamps
(``backstride.io._align``). A folder or ZIP holding several sensors' files (two MACs) is refused, naming
them: one recording is one sensor's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from backstride._errors import InputError
from backstride.io._align import (
    aligned,
    from_first_sample,
    readings_or_none,
    with_gravity,
    with_rates,
    without_note,
)
from backstride.io._container import extracted, member_names
from backstride.io._csv import iter_csv_raw
from backstride.io._csvlayout import head_text, split_header
from backstride.io._raw import RawSignals

# the file names, "{device}_{yyyy-MM-dd'T'HH.mm.ss.SSS}_{MAC}_{sensor}.csv" (State.swift), the sensor's name without
# spaces (Accelerometer, Gyroscope, Gravity, LinearAcceleration, EulerAngles, Quaternion, ...)
METABASE_FILE = re.compile(
    r"^(?P<device>.+)_\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d\.\d{3}_(?P<mac>[0-9A-Fa-f]{12})_(?P<sensor>[A-Za-z]+)"
    r"\.csv(?:\.gz)?$"
)
ACCELEROMETER, GYROSCOPE, LINEAR, GRAVITY = "Accelerometer", "Gyroscope", "LinearAcceleration", "Gravity"


def _sensors(names: list[str]) -> dict[str, dict[str, str]]:
    """``{MAC: {sensor: member}}`` of the members named as MetaBase names its files."""
    found: dict[str, dict[str, str]] = {}
    for name in names:
        match = METABASE_FILE.match(PurePosixPath(name).name)
        if match is not None:
            found.setdefault(match["mac"].upper(), {}).setdefault(match["sensor"], name)
    return found


def _usable(files: dict[str, str]) -> bool:
    return ACCELEROMETER in files or {LINEAR, GRAVITY} <= files.keys()


def looks_like_metabase(names: list[str]) -> bool:
    """Whether a folder's or ZIP's files are a MetaBase recording: a sensor's accelerometer file, or its linear
    acceleration and gravity."""
    return any(_usable(files) for files in _sensors(names).values())


def check_lone_file(name: str, text: str) -> None:
    """Refuse a lone MetaBase file of another sensor than the accelerometer (told by its name and its first
    column, ``epoc (ms)``): read as a table, its values would pass for acceleration."""
    match = METABASE_FILE.match(name)
    if match is None or match["sensor"] == ACCELEROMETER or not text.lower().startswith("epoc (ms)"):
        return
    raise InputError(
        f"{name} holds the {match['sensor']} readings of MbientLab's MetaBase, which writes each sensor to a "
        "file of its own: give the folder or ZIP of the recording's files (its …_Accelerometer.csv, or "
        "…_LinearAcceleration.csv with …_Gravity.csv), or the …_Accelerometer.csv alone"
    )


def _blocks(path: Path, label: str) -> Iterator[RawSignals]:
    """One sensor's file as blocks, its ``x-axis`` ... columns as the values (``.acc``, whatever they measure)."""
    lines = (head_text(path) or "").lstrip("\ufeff").splitlines()
    names = split_header(lines[0])[1] if lines else []
    columns = [n for n in names if n.strip().lower().startswith(("x-axis", "y-axis", "z-axis"))]
    if len(columns) != 3:
        raise InputError(f"{label} has no x-axis, y-axis, z-axis columns (its columns: {', '.join(names)})")
    for raw in iter_csv_raw(path, acc_columns=columns):
        raw.source = label
        yield raw


def iter_metabase_raw(path: Path, limit: int | None = None) -> Iterator[RawSignals]:
    """Read a MetaBase folder or ZIP as consecutive :class:`RawSignals` blocks, the acceleration's time stamps
    kept and the gyroscope (or gravity) interpolated onto them; ``limit``: only about that many bytes of each
    file in a ZIP (the check of an upload)."""
    devices = {mac: files for mac, files in _sensors(member_names(path)).items() if _usable(files)}
    if not devices:
        raise InputError(
            f"{path.name} holds no MetaBase accelerometer file (…_Accelerometer.csv), nor the sensor fusion's "
            "…_LinearAcceleration.csv with …_Gravity.csv"
        )
    if len(devices) > 1:
        shown = ", ".join(sorted(devices))
        raise InputError(
            f"{path.name} holds the files of {len(devices)} MetaWear sensors with acceleration ({shown}): a "
            "recording is one sensor's; give that sensor's files (its MAC is in their names)"
        )
    mac, files = devices.popitem()
    fused = ACCELEROMETER not in files
    wanted = [LINEAR, GRAVITY] if fused else [ACCELEROMETER, *([GYROSCOPE] if GYROSCOPE in files else [])]
    with extracted(path, [files[s] for s in wanted], limit) as local:

        def stream(sensor: str) -> Iterator[RawSignals]:
            return _blocks(local[files[sensor]], f"{path.name}/{files[sensor]}")

        notes: list[str] = []
        if fused:
            blocks = with_gravity(aligned(stream(LINEAR), stream(GRAVITY), "gravity"))
            notes.append(
                f"acceleration with gravity rebuilt as {LINEAR} + {GRAVITY} (MetaBase's sensor fusion)"
            )
        else:
            blocks = stream(ACCELEROMETER)
        rates = readings_or_none(stream(GYROSCOPE)) if GYROSCOPE in wanted else None
        gyroscope = rates is not None
        if rates is not None:
            blocks = with_rates(aligned(blocks, rates, "gyroscope", bridge_ends=True))
            notes.append("gyroscope aligned to the accelerometer's time stamps by linear interpolation")
        elif GYROSCOPE in wanted:
            notes.append(without_note(f"{path.name}/{files[GYROSCOPE]}"))
        device = METABASE_FILE.match(PurePosixPath(files[wanted[0]]).name)
        for raw in from_first_sample(blocks):
            if gyroscope:
                raw.gyr_unit = "deg/s"
                raw.gyr_names = ("x-axis", "y-axis", "z-axis")
            raw.metadata = {
                "format": "metabase",
                "source": path.name,
                "device": device["device"] if device else "MetaWear",
                "serial": mac,
            }
            raw.notes.extend(notes)
            notes = []
            yield raw
