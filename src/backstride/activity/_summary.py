"""Per-day summaries of records and walk sessions, in the records' own local time.

A record belongs to the day it starts on, in the offset its file wrote (an iPhone's "-0800", a
watch's local-time offset), so a walk at 23:30 in Los Angeles is counted on that day and not on the
next UTC day. A session belongs to the day it starts on.

* **Steps and distance** are day totals. When several devices or apps counted the same walking (an
  iPhone in the pocket and a Watch on the wrist both write steps to Apple Health), their records
  overlap: adding them would count the same steps twice. Each day therefore takes the total of the
  *single source with the most steps* that day (likewise for distance), and a note says on how many
  days that happened. Apple's own Health app instead merges overlapping samples by a source priority
  list the user can reorder, which the export does not contain; its totals can differ a little.
* **Walking figures** (speed, step length, asymmetry, double-support time) are medians over the day's
  walking records together with the day's walk and hike sessions (one value per session, its mean).
  Runs are kept as sessions but never feed these figures or the count of walks.
"""

from __future__ import annotations

import statistics
from array import array
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from backstride.activity._model import ActivityRecord, DaySummary, Kind, WalkSession

_MEDIAN_KINDS: tuple[Kind, ...] = ("walking_speed", "step_length", "walking_asymmetry", "double_support")


class DayAccumulator:
    """Collects records one at a time, then summarises the days.

    Memory grows with the days and with the walking-figure records (8 bytes each), not with the steps and
    distance records, which are added up as they come.
    """

    def __init__(self) -> None:
        self._totals: dict[Kind, dict[date, dict[str, float]]] = {
            "steps": defaultdict(lambda: defaultdict(float)),
            "distance": defaultdict(lambda: defaultdict(float)),
        }
        # 8 bytes a value (a list of floats takes 32): a decade of walking records stays a few MB
        self._values: dict[Kind, dict[date, array[float]]] = {
            kind: defaultdict(lambda: array("d")) for kind in _MEDIAN_KINDS
        }

    def add(self, record: ActivityRecord) -> None:
        day = record.start.date()
        totals = self._totals.get(record.kind)
        if totals is not None:
            totals[day][record.source] += record.value
        else:
            self._values[record.kind][day].append(record.value)

    def summarise(self, sessions: Iterable[WalkSession]) -> tuple[tuple[DaySummary, ...], tuple[str, ...]]:
        """The days in order, and notes on how overlapping sources were handled."""
        walks = [s for s in sessions if s.is_walk]
        speeds = _session_values(walks, "speed_mps")
        step_lengths = _session_values(walks, "step_length_m")
        walks_per_day: dict[date, int] = defaultdict(int)
        for s in walks:
            walks_per_day[s.start.date()] += 1
        steps, distance = self._totals["steps"], self._totals["distance"]
        v = self._values
        days = sorted(set(steps) | set(distance) | set(walks_per_day) | {d for k in v.values() for d in k})
        summaries = tuple(
            DaySummary(
                date=day,
                steps=_rounded(_best_source(steps.get(day))),
                distance_m=_best_source(distance.get(day)),
                walking_speed_mps=_median(*v["walking_speed"].get(day, ()), *speeds.get(day, ())),
                step_length_m=_median(*v["step_length"].get(day, ()), *step_lengths.get(day, ())),
                walking_asymmetry_pct=_median(*v["walking_asymmetry"].get(day, ())),
                double_support_pct=_median(*v["double_support"].get(day, ())),
                walks=walks_per_day.get(day, 0),
            )
            for day in days
        )
        note = _overlap_note(steps, distance)
        notes = (note,) if note else ()
        return summaries, notes


def _session_values(sessions: list[WalkSession], name: str) -> dict[date, list[float]]:
    out: dict[date, list[float]] = defaultdict(list)
    for s in sessions:
        value = getattr(s, name)
        if value is not None:
            out[s.start.date()].append(value)
    return out


def _best_source(by_source: dict[str, float] | None) -> float | None:
    """The day's total of the source that counted the most (never the sum of overlapping sources)."""
    return max(by_source.values()) if by_source else None


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def _median(*values: float) -> float | None:
    return statistics.median(values) if values else None


def _overlap_note(*totals: dict[date, dict[str, float]]) -> str | None:
    """Say on how many days more than one source counted steps or distance, and what was done about it."""
    shared = {day for by_day in totals for day, by_source in by_day.items() if len(by_source) > 1}
    if not shared:
        return None
    sources = sorted({source for by_day in totals for day in shared for source in by_day.get(day, {})})
    return (
        f"on {len(shared)} day(s) more than one source counted steps or distance ({', '.join(sources)}): "
        "each day takes the single source with the most, never the sum of overlapping sources "
        "(Apple's Health app merges them by its own source priority, so its totals can differ)"
    )


def combine_days(days: Iterable[DaySummary]) -> DaySummary:
    """One day from the summaries of several files of the same day and kind of source (two walks, or a walk
    and the day's monitoring file): steps and distance of the file that counted most (a day's monitoring
    counts the walks too, so they are never added up, the same rule as for overlapping sources), the walks
    of all files, and the median of each walking figure the files give."""
    days = list(days)
    if len({d.date for d in days}) != 1:
        raise ValueError("combine_days takes summaries of one day")
    most = max(days, key=lambda d: (d.steps or 0, d.distance_m or 0.0))

    def median_of(name: str) -> float | None:
        values = [v for d in days if (v := getattr(d, name)) is not None]
        return _median(*values)

    return DaySummary(
        date=days[0].date,
        steps=most.steps,
        distance_m=most.distance_m,
        walking_speed_mps=median_of("walking_speed_mps"),
        step_length_m=median_of("step_length_m"),
        walking_asymmetry_pct=median_of("walking_asymmetry_pct"),
        double_support_pct=median_of("double_support_pct"),
        walks=sum(d.walks for d in days),
    )
