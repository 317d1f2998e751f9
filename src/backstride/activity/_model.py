"""What the activity readers produce: records, walk sessions and day summaries, all in SI units.

The classes are frozen standard-library dataclasses (the readers build them from numbers they have
already checked, so nothing needs validating, and a multi-million-record export does not pay for a
validation library). Times are timezone-aware ``datetime`` objects carrying the offset the file wrote;
a figure a file does not give is ``None``, never a made-up number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from backstride._jsontext import json_lines

Kind = Literal["steps", "distance", "walking_speed", "step_length", "walking_asymmetry", "double_support"]

#: the unit of each kind of record's ``value``
UNITS: dict[Kind, str] = {
    "steps": "count",
    "distance": "m",
    "walking_speed": "m/s",
    "step_length": "m",
    "walking_asymmetry": "%",
    "double_support": "%",
}

SourceFormat = Literal["apple_health", "fit"]

#: sports whose sessions count as walks in the day summaries (a run is kept, but is not a walk)
WALK_SPORTS: frozenset[str] = frozenset({"walking", "hiking"})


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """One figure a phone or watch computed over a stretch of time.

    ``value`` is in the unit of :data:`UNITS` for its ``kind``: steps as a count, distance and step
    length in m, walking speed in m/s, walking asymmetry and double-support time in % (0–100).
    ``source`` is the device or app that computed it.
    """

    kind: Kind
    start: datetime
    end: datetime
    value: float
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "value": _finite(self.value),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class WalkSession:
    """One recorded walk (or hike, or run: ``sport`` says which) with the device's own totals.

    Cadence is in steps/min (not strides), speed in m/s, step length in m.
    """

    start: datetime
    duration_s: float
    distance_m: float | None
    steps: int | None
    cadence_spm: float | None
    speed_mps: float | None
    step_length_m: float | None
    sport: str
    device: str

    @property
    def is_walk(self) -> bool:
        """Whether the session is a walk or hike (the sessions that feed the day's walking figures)."""
        return self.sport in WALK_SPORTS

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "duration_s": _finite(self.duration_s),
            "distance_m": _finite(self.distance_m),
            "steps": self.steps,
            "cadence_spm": _finite(self.cadence_spm),
            "speed_mps": _finite(self.speed_mps),
            "step_length_m": _finite(self.step_length_m),
            "sport": self.sport,
            "device": self.device,
        }


@dataclass(frozen=True, slots=True)
class DaySummary:
    """One calendar day (in the records' own local time).

    ``steps`` and ``distance_m`` are day totals; the walking figures are medians over the day's walking
    records and walk sessions. Each is ``None`` when the day has nothing to compute it from.
    """

    date: date
    steps: int | None
    distance_m: float | None
    walking_speed_mps: float | None
    step_length_m: float | None
    walking_asymmetry_pct: float | None
    double_support_pct: float | None
    walks: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "steps": self.steps,
            "distance_m": _finite(self.distance_m),
            "walking_speed_mps": _finite(self.walking_speed_mps),
            "step_length_m": _finite(self.step_length_m),
            "walking_asymmetry_pct": _finite(self.walking_asymmetry_pct),
            "double_support_pct": _finite(self.double_support_pct),
            "walks": self.walks,
        }


@dataclass(frozen=True, slots=True)
class ActivityData:
    """Everything read from one export: its records, walk sessions, day summaries and notes.

    ``records`` is empty when the file was read with ``keep_records=False`` (the days and sessions are
    the same either way). ``notes`` say what was skipped, converted or decided on the way.
    """

    records: tuple[ActivityRecord, ...]
    sessions: tuple[WalkSession, ...]
    days: tuple[DaySummary, ...]
    source_format: SourceFormat
    source: str
    notes: tuple[str, ...]

    @property
    def whole_history(self) -> bool:
        """Whether the file holds everything up to the day it was made: an Apple Health export does, so a
        newer export supersedes an older one's days; a FIT file holds one walk or one day's monitoring,
        which stands beside the other files of the same days."""
        return self.source_format == "apple_health"

    def to_dict(self) -> dict[str, Any]:
        """The data as plain JSON values (times as ISO 8601 text with their offset)."""
        return {
            "source": self.source,
            "source_format": self.source_format,
            "units": dict(UNITS),
            "notes": list(self.notes),
            "days": [d.to_dict() for d in self.days],
            "sessions": [s.to_dict() for s in self.sessions],
            "records": [r.to_dict() for r in self.records],
        }

    def to_json(self) -> str:
        """The data as JSON text: a key per line, and each day, session and record on a line of its own."""
        return json_lines(self.to_dict())


def _finite(value: float | None) -> float | None:
    """JSON has no NaN or infinity: a value that is not finite is written as null."""
    return value if value is None or math.isfinite(value) else None
