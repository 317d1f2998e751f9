"""Apple Health exports: ``export.xml`` (or the ``export.zip`` the iPhone makes), read as a stream.

A real export is hundreds of megabytes to gigabytes, so it is parsed with
:func:`xml.etree.ElementTree.iterparse` and each top-level element is cleared as soon as it has been
read: memory stays flat whatever the file's size (the records kept, if asked for, are the only thing
that grows). In a ZIP the export is read straight from the archive, never extracted: the member
``apple_health_export/export.xml``, or (localised exports name it e.g. ``Exportieren.xml``) the one
``.xml`` member holding ``<HealthData``.

Kept are the ``<Record>`` elements of six types, converted to SI units from the unit written in each
record's ``unit`` attribute (:data:`_FACTORS`); a record in a unit not listed there is skipped, never
guessed, and one note counts them. HealthKit writes percentages as fractions (``0.07`` is 7 %).

* ``HKQuantityTypeIdentifierStepCount`` → ``steps`` (count)
* ``HKQuantityTypeIdentifierDistanceWalkingRunning`` → ``distance`` in m (from km, mi, m, ft, yd, cm, in)
* ``HKQuantityTypeIdentifierWalkingSpeed`` → ``walking_speed`` in m/s (from km/hr, mi/hr, m/s)
* ``HKQuantityTypeIdentifierWalkingStepLength`` → ``step_length`` in m (from cm, in, m, ft...)
* ``HKQuantityTypeIdentifierWalkingAsymmetryPercentage`` → ``walking_asymmetry`` in % (0–100)
* ``HKQuantityTypeIdentifierWalkingDoubleSupportPercentage`` → ``double_support`` in % (0–100)

``<Workout>`` elements of type walking or hiking become walk sessions (duration, distance from the
``totalDistance`` attribute or, in iOS 16+ exports, the ``WorkoutStatistics`` child; speed is distance
over duration). A workout with a total distance of 0 (typically one logged by hand in an app) has no
distance. Records inside a ``<Correlation>`` are skipped: the export repeats them at the top level.

The iPhone and the Watch both count steps, and both write them: their records overlap. Apple's
Health app de-duplicates them by a source priority list the export does not contain. backstride does
the honest simple thing: each day takes the steps of the single source with the most steps that day,
never the sum of overlapping sources (see :mod:`backstride.activity._summary`); a note says so when it
happens. Dates such as ``2021-01-02 11:00:04 -0800`` keep their offset: days are the wearer's own.
"""

from __future__ import annotations

import lzma
import math
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree as ET

from backstride._dates import EARLIEST_DATE, LATEST_DATE, within
from backstride._errors import InputError, UnsupportedFormatError
from backstride.activity._model import ActivityData, ActivityRecord, Kind, WalkSession
from backstride.activity._summary import DayAccumulator
from backstride.io._container import refuse_duplicated_members
from backstride.io._damage import damage_of

_RECORD_TYPES: dict[str, Kind] = {
    "HKQuantityTypeIdentifierStepCount": "steps",
    "HKQuantityTypeIdentifierDistanceWalkingRunning": "distance",
    "HKQuantityTypeIdentifierWalkingSpeed": "walking_speed",
    "HKQuantityTypeIdentifierWalkingStepLength": "step_length",
    "HKQuantityTypeIdentifierWalkingAsymmetryPercentage": "walking_asymmetry",
    "HKQuantityTypeIdentifierWalkingDoubleSupportPercentage": "double_support",
}
_WORKOUT_SPORTS = {"HKWorkoutActivityTypeWalking": "walking", "HKWorkoutActivityTypeHiking": "hiking"}
_DISTANCE_STATISTIC = "HKQuantityTypeIdentifierDistanceWalkingRunning"
_STEPS_STATISTIC = "HKQuantityTypeIdentifierStepCount"

# Unit conversions, all exact by definition (international yard and pound, 1959: 1 yd = 0.9144 m).
_METRES = {"m": 1.0, "cm": 0.01, "km": 1000.0, "in": 0.0254, "ft": 0.3048, "yd": 0.9144, "mi": 1609.344}
_METRES_PER_SECOND = {"m/s": 1.0, "km/hr": 1000.0 / 3600.0, "mi/hr": 1609.344 / 3600.0}
_SECONDS = {"s": 1.0, "min": 60.0, "hr": 3600.0}
_FACTORS: dict[Kind, dict[str, float]] = {
    "steps": {"count": 1.0},
    "distance": _METRES,
    "walking_speed": _METRES_PER_SECOND,
    "step_length": _METRES,
    "walking_asymmetry": {"%": 100.0},  # written as a fraction 0–1
    "double_support": {"%": 100.0},
}

# What no walk has, whatever the device: a record or workout beyond it is a damaged or made-up value, left out
# and counted (a value of 1e308 steps failed as the database's integer; NaN and a year 9999 failed where the days
# and the progress plot were drawn). Generous: a sprint is about 4.5 steps and 12 m a second. A count or a
# distance is bounded by a whole day at that pace, not by its record's span: real exports hold records of
# hundreds of steps over 5 seconds (written in one go, or by hand).
MOST_STEPS_PER_S = 5.0
MOST_METRES_PER_S = 15.0
MOST_STEP_LENGTH_M = 3.0
_DAY_S = 86_400.0
_HIGHEST: dict[Kind, float] = {
    "steps": MOST_STEPS_PER_S * _DAY_S,
    "distance": MOST_METRES_PER_S * _DAY_S,
    "walking_speed": MOST_METRES_PER_S,
    "step_length": MOST_STEP_LENGTH_M,
    "walking_asymmetry": 100.0,
    "double_support": 100.0,
}


def _possible(kind: Kind, start: datetime, end: datetime, value: float) -> bool:
    """Whether a record could be a person's: a finite value of 0 or more within its kind's bound
    (:data:`_HIGHEST`), dated within the clinic's years (``backstride._dates``), not ending before it starts."""
    return (
        math.isfinite(value)
        and 0 <= value <= _HIGHEST[kind]
        and within(start)
        and within(end)
        and end >= start
    )


EXPORT_MEMBER = "apple_health_export/export.xml"
ZIP_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 1 << 16  # the DTD before <HealthData is some 10–20 kB in real exports
_HEALTH_DATA_MARKS = (b"<HealthData", b"<!DOCTYPE HealthData")


def looks_like_export(head: bytes) -> bool:
    """Whether the first bytes of an XML file are those of an Apple Health export."""
    return any(mark in head for mark in _HEALTH_DATA_MARKS)


def read_apple_health(path: str | Path, *, keep_records: bool = True) -> ActivityData:
    """Read an Apple Health ``export.xml`` (or its ``export.zip``) into records, walks and day summaries."""
    path = Path(path)
    reader = _Reader(keep_records=keep_records)
    with _open_export(path) as (stream, name):
        try:
            reader.read(stream)
        except ET.ParseError as exc:
            line, column = exc.position
            raise InputError(
                f"{name} is not well-formed XML at line {line}, column {column} (cut short or damaged?)"
            ) from exc
        except LookupError as exc:  # the XML declaration names an encoding that does not exist (damaged)
            if type(exc) is not LookupError:  # a KeyError or IndexError of the reader's own: a bug, raised
                raise
            raise InputError(f"{name} cannot be read: {damage_of(exc)}") from exc
    return reader.result(path.name)


@contextmanager
def _open_export(path: Path) -> Iterator[tuple[IO[bytes], str]]:
    """The export as a binary stream, and the name to use in messages."""
    with path.open("rb") as stream:
        if stream.read(len(ZIP_MAGIC)) != ZIP_MAGIC:
            stream.seek(0)
            yield stream, path.name
            return
    try:
        with zipfile.ZipFile(path) as archive:
            refuse_duplicated_members(path.name, archive.namelist())
            member = find_export_member(archive)
            if member is None:
                raise UnsupportedFormatError(
                    f"{path.name} is a ZIP archive without an Apple Health export.xml in it"
                )
            try:
                opened = archive.open(member)
            except (RuntimeError, NotImplementedError) as exc:  # encrypted, or a method zipfile lacks
                raise _damaged(path, exc) from exc
            with opened as stream:
                yield stream, f"{path.name}:{member}"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, lzma.LZMAError) as exc:
        raise _damaged(path, exc) from exc
    except OSError as exc:  # bz2's 'Invalid data stream', a seek outside the file; not the disk's (damage_of)
        if damage_of(exc) is None:
            raise
        raise _damaged(path, exc) from exc


def _damaged(path: Path, exc: Exception) -> InputError:
    return InputError(f"{path.name} is a damaged or incomplete ZIP archive ({damage_of(exc)})")


def find_export_member(archive: zipfile.ZipFile) -> str | None:
    """``apple_health_export/export.xml``, else the one ``.xml`` member that holds ``<HealthData``."""
    names = [n for n in archive.namelist() if not any(p.startswith(("__MACOSX", ".")) for p in n.split("/"))]
    if EXPORT_MEMBER in names:
        return EXPORT_MEMBER
    for name in sorted(names, key=lambda n: (n.count("/"), n)):
        if PurePosixPath(name).suffix.lower() == ".xml":
            with archive.open(name) as stream:
                if looks_like_export(stream.read(SNIFF_BYTES)):
                    return name
    return None


@dataclass
class _Reader:
    """Reads one export element by element: records into the day summaries, workouts into sessions."""

    keep_records: bool
    records: list[ActivityRecord] = field(default_factory=list)
    sessions: list[WalkSession] = field(default_factory=list)
    days: DayAccumulator = field(default_factory=DayAccumulator)
    unknown_units: Counter[tuple[str, str]] = field(default_factory=Counter)
    unreadable: int = 0
    impossible: int = 0
    other_workouts: int = 0
    _names: dict[str, str] = field(default_factory=dict)  # one string object per source name

    def read(self, stream: IO[bytes]) -> None:
        depth = 0
        root: ET.Element | None = None
        for event, element in ET.iterparse(stream, events=("start", "end")):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                continue
            depth -= 1
            if depth == 1 and root is not None:  # a child of <HealthData>: read it, then let it go
                if element.tag == "Record":
                    self._record(element)
                elif element.tag == "Workout":
                    self._workout(element)
                root.clear()

    def _record(self, element: ET.Element) -> None:
        attrib = element.attrib
        kind = _RECORD_TYPES.get(attrib.get("type", ""))
        if kind is None:
            return
        unit = attrib.get("unit", "")
        factor = _FACTORS[kind].get(unit)
        if factor is None:
            self.unknown_units[(attrib["type"].removeprefix("HKQuantityTypeIdentifier"), unit)] += 1
            return
        try:
            value = float(attrib["value"]) * factor
            start, end = parse_time(attrib["startDate"]), parse_time(attrib["endDate"])
        except (KeyError, ValueError):
            self.unreadable += 1
            return
        if not _possible(kind, start, end, value):
            self.impossible += 1
            return
        record = ActivityRecord(kind, start, end, value, self._source(attrib))
        self.days.add(record)
        if self.keep_records:
            self.records.append(record)

    def _workout(self, element: ET.Element) -> None:
        attrib = element.attrib
        sport = _WORKOUT_SPORTS.get(attrib.get("workoutActivityType", ""))
        if sport is None:
            self.other_workouts += 1
            return
        try:
            start = parse_time(attrib["startDate"])
            duration = float(attrib["duration"]) * _SECONDS[attrib.get("durationUnit", "min")]
        except (KeyError, ValueError):
            self.unreadable += 1
            return
        distance = _workout_distance(element)
        steps = _statistic(element, _STEPS_STATISTIC, {"count": 1.0})
        if not (math.isfinite(duration) and 0 <= duration <= _DAY_S * 7):  # a week's hike at the most
            self.impossible += 1
            return
        end = start + timedelta(seconds=duration)
        if not (
            _possible("steps", start, end, steps or 0.0)
            and _possible("distance", start, end, distance or 0.0)
        ):
            self.impossible += 1
            return
        self.sessions.append(
            WalkSession(
                start=start,
                duration_s=duration,
                distance_m=distance,
                steps=None if steps is None else round(steps),
                cadence_spm=steps / (duration / 60.0) if steps and duration > 0 else None,
                speed_mps=distance / duration if distance and duration > 0 else None,
                step_length_m=distance / steps if distance and steps else None,
                sport=sport,
                device=self._source(attrib),
            )
        )

    def _source(self, attrib: dict[str, str]) -> str:
        name = attrib.get("sourceName", "unknown source")
        return self._names.setdefault(name, name)

    def result(self, source: str) -> ActivityData:
        self.sessions.sort(key=lambda s: s.start)
        days, day_notes = self.days.summarise(self.sessions)
        return ActivityData(
            records=tuple(self.records),
            sessions=tuple(self.sessions),
            days=days,
            source_format="apple_health",
            source=source,
            notes=self._notes() + day_notes,
        )

    def _notes(self) -> tuple[str, ...]:
        notes = []
        if self.unknown_units:
            found = ", ".join(
                f"{kind} in '{unit}' ×{n}" for (kind, unit), n in sorted(self.unknown_units.items())
            )
            notes.append(
                f"{sum(self.unknown_units.values())} record(s) skipped: unit not understood ({found}); "
                "values are never guessed"
            )
        if self.unreadable:
            notes.append(
                f"{self.unreadable} record(s) or workout(s) skipped: a value or date could not be read"
            )
        if self.impossible:
            notes.append(
                f"{self.impossible} record(s) or workout(s) skipped: a value no walk has (not a number of 0 or "
                f"more, or beyond a day at {MOST_STEPS_PER_S:g} steps or {MOST_METRES_PER_S:g} m a second) or a "
                f"date outside {EARLIEST_DATE.year}-{LATEST_DATE.year} or ending before it starts"
            )
        if self.other_workouts:
            notes.append(f"{self.other_workouts} workout(s) other than walking or hiking left out")
        return tuple(notes)


def parse_time(text: str) -> datetime:
    """An export's date (``2021-01-02 11:00:04 -0800``) as an aware datetime with that offset."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"no UTC offset in {text!r}")
    return moment


def _workout_distance(element: ET.Element) -> float | None:
    """The workout's distance in m: its ``totalDistance`` (up to iOS 15) or its distance statistic (iOS 16+).

    A distance of 0 is taken as not recorded (workouts logged by hand in an app write 0).
    """
    attrib = element.attrib
    distance: float | None = None
    try:
        if "totalDistance" in attrib:
            distance = float(attrib["totalDistance"]) * _METRES[attrib.get("totalDistanceUnit", "km")]
    except (KeyError, ValueError):
        distance = None
    if distance is None:
        distance = _statistic(element, _DISTANCE_STATISTIC, _METRES)
    return distance if distance else None


def _statistic(element: ET.Element, kind: str, factors: dict[str, float]) -> float | None:
    """The ``sum`` of a workout's ``WorkoutStatistics`` child of the given type, converted; None if absent."""
    for child in element.iter("WorkoutStatistics"):
        if child.get("type") == kind:
            try:
                return float(child.attrib["sum"]) * factors[child.attrib["unit"]]
            except (KeyError, ValueError):
                return None
    return None
