"""Per-day figures of a multi-day recording.

Days follow the wall clock of the recording when the reader knows its start time (metadata
``start_time`` as ISO 8601 text): day 1 is the calendar date the recording starts on, and a day runs
from local midnight to local midnight in the time offset the start time carries (a naive time is taken as
local wall-clock time; daylight-saving changes inside a recording are not followed). Without a start
time, day *k* is the *k*-th period of 24 h from the start.

A bout belongs to the day it starts in. Cadence and speed medians, and the 90th percentile of speed, are
taken over bouts of 10 s or more, the same rule as the per-recording summary (the Mobilise-D digital
mobility outcomes use the median over bouts longer than 10 s and a 90th percentile of walking speed as
an estimate of a person's brisk pace; Polhemus et al., 2021; Kirk et al., Sci Rep 14:1754, 2024).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from backstride._stats import median, percentile
from backstride.gait._result import LONG_BOUT_S, GaitResult, WalkingBout

DAY_S = 86_400.0


@dataclass(frozen=True)
class DayGrid:
    """Day boundaries in seconds from the recording's start, and the calendar date of each day."""

    edges_s: tuple[float, ...]
    dates: tuple[dt.date | None, ...]

    @property
    def n_days(self) -> int:
        return len(self.dates)

    def day_of(self, t_s: float) -> int:
        """1-based day containing ``t_s`` (clamped to the recording's days)."""
        k = int(np.searchsorted(np.asarray(self.edges_s), t_s, side="right"))
        return min(max(k, 1), self.n_days)

    def recorded_s(self, day_index: int, duration_s: float) -> float:
        lo = max(self.edges_s[day_index - 1], 0.0)
        hi = min(self.edges_s[day_index], duration_s)
        return max(hi - lo, 0.0)


def parse_start_time(text: object) -> dt.datetime | None:
    """The recording's start as a datetime, or ``None`` when it is missing or not ISO 8601."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def day_grid(duration_s: float, start: dt.datetime | None) -> DayGrid:
    """Cut ``[0, duration_s)`` into days (at least one)."""
    duration_s = max(duration_s, 0.0)
    if start is None:
        n = max(1, int(np.ceil(duration_s / DAY_S)))
        return DayGrid(edges_s=tuple(k * DAY_S for k in range(n + 1)), dates=(None,) * n)
    first = start.date()
    midnight = dt.datetime.combine(first, dt.time(0), tzinfo=start.tzinfo)
    offset_s = (start - midnight).total_seconds()  # seconds from midnight of day 1 to the start
    edges = [0.0]
    dates: list[dt.date | None] = [first]
    k = 1
    while k * DAY_S - offset_s < duration_s:
        edges.append(k * DAY_S - offset_s)
        dates.append(first + dt.timedelta(days=k))
        k += 1
    edges.append(k * DAY_S - offset_s)
    return DayGrid(edges_s=tuple(edges), dates=tuple(dates))


def _median(values: list[float]) -> float | None:
    return median(values) if values else None


def p90(values: list[float]) -> float | None:
    """90th percentile (linear interpolation between order statistics), ``None`` for no values."""
    return percentile(values, 90.0) if values else None


def long_bout_speeds(bouts: Sequence[WalkingBout]) -> list[float]:
    return [
        b.walking_speed_mps for b in bouts if b.duration_s >= LONG_BOUT_S and b.walking_speed_mps is not None
    ]


def day_rows(
    bouts: Sequence[WalkingBout], grid: DayGrid, duration_s: float
) -> tuple[list[int], dict[str, list[Any]]]:
    """The day of every bout, and the per-day columns (without the id columns)."""
    bout_days = [grid.day_of(b.start_s) for b in bouts]
    cols: dict[str, list[Any]] = {
        name: []
        for name in (
            "day_index",
            "date",
            "recorded_s",
            "walking_s",
            "n_steps",
            "n_bouts",
            "n_bouts_10s",
            "median_cadence_spm",
            "median_walking_speed_mps",
            "p90_walking_speed_mps",
        )
    }
    for day in range(1, grid.n_days + 1):
        mine = [b for b, d in zip(bouts, bout_days, strict=True) if d == day]
        long = [b for b in mine if b.duration_s >= LONG_BOUT_S]
        speeds = long_bout_speeds(mine)
        cols["day_index"].append(day)
        cols["date"].append(grid.dates[day - 1])
        cols["recorded_s"].append(grid.recorded_s(day, duration_s))
        cols["walking_s"].append(float(sum(b.duration_s for b in mine)))
        cols["n_steps"].append(int(sum(b.n_steps for b in mine)))
        cols["n_bouts"].append(len(mine))
        cols["n_bouts_10s"].append(len(long))
        cols["median_cadence_spm"].append(_median([b.cadence_spm for b in long if b.cadence_spm is not None]))
        cols["median_walking_speed_mps"].append(_median(speeds))
        cols["p90_walking_speed_mps"].append(p90(speeds))
    return bout_days, cols


def days_of(result: GaitResult) -> tuple[DayGrid, dict[str, list[Any]]]:
    """The day grid of an analysed recording (from its start time when the reader knew it) and the
    per-day columns of :func:`day_rows`: date, recorded and walking seconds, steps, bouts, and the median
    cadence, median and 90th-percentile speed of the day's bouts of 10 s or more."""
    duration_s = result.recording.duration_s
    grid = day_grid(duration_s, parse_start_time(result.recording.start_time))
    _, columns = day_rows(result.walking_bouts, grid, duration_s)
    return grid, columns
