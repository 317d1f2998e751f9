"""Per-day summaries: day boundaries from the start time, bouts assigned by their start."""

from __future__ import annotations

import datetime as dt

import pytest

from backstride.gait import WalkingBout
from backstride.gait._days import DAY_S, day_grid, day_rows, p90, parse_start_time


def _bout(start: float, dur: float, speed: float | None = 1.0, cadence: float | None = 100.0) -> WalkingBout:
    return WalkingBout(
        start_s=start,
        end_s=start + dur,
        duration_s=dur,
        n_steps=int(dur * 2),
        cadence_spm=cadence,
        step_length_m=None,
        stride_length_m=None,
        walking_speed_mps=speed,
        trunk_lean_deg=None,
        step_regularity=None,
        stride_regularity=None,
        symmetry=None,
        step_time_cv_pct=None,
    )


def test_days_without_start_time_are_24h_periods() -> None:
    grid = day_grid(2.5 * DAY_S, None)
    assert grid.n_days == 3
    assert grid.dates == (None, None, None)
    assert grid.day_of(0.0) == 1
    assert grid.day_of(DAY_S - 0.01) == 1
    assert grid.day_of(DAY_S) == 2
    assert grid.recorded_s(3, 2.5 * DAY_S) == pytest.approx(0.5 * DAY_S)


def test_days_follow_local_midnight_of_the_start_time() -> None:
    start = parse_start_time("2024-03-04T22:00:00+01:00")
    assert start is not None
    # starts 22:00, lasts 26 h 30 min: day 1 = 2 h, day 2 = 24 h, day 3 = 30 min
    duration = 26.5 * 3600
    grid = day_grid(duration, start)
    assert grid.dates == (dt.date(2024, 3, 4), dt.date(2024, 3, 5), dt.date(2024, 3, 6))
    assert grid.day_of(2 * 3600 - 1) == 1
    assert grid.day_of(2 * 3600) == 2
    assert [grid.recorded_s(d, duration) for d in (1, 2, 3)] == pytest.approx([7200, 86400, 1800])


def test_unparseable_start_time_is_none() -> None:
    assert parse_start_time("yesterday") is None
    assert parse_start_time(None) is None
    assert parse_start_time("2024-03-04T08:00:00Z") == dt.datetime(2024, 3, 4, 8, tzinfo=dt.UTC)


def test_day_rows_sum_up_bouts_of_each_day() -> None:
    grid = day_grid(2 * DAY_S, None)
    bouts = [
        _bout(100, 5, speed=2.0, cadence=150),  # short: counted, but not in medians
        _bout(200, 20, speed=1.0, cadence=100),
        _bout(300, 30, speed=1.2, cadence=110),
        _bout(DAY_S - 5, 60, speed=0.8, cadence=90),  # starts on day 1, ends on day 2
        _bout(DAY_S + 10, 12, speed=None, cadence=None),
    ]
    bout_days, cols = day_rows(bouts, grid, 2 * DAY_S)
    assert bout_days == [1, 1, 1, 1, 2]
    assert cols["day_index"] == [1, 2]
    assert cols["n_bouts"] == [4, 1]
    assert cols["n_bouts_10s"] == [3, 1]
    assert cols["walking_s"] == pytest.approx([115.0, 12.0])
    assert cols["n_steps"] == [10 + 40 + 60 + 120, 24]
    assert cols["median_cadence_spm"] == [pytest.approx(100.0), None]
    assert cols["median_walking_speed_mps"][0] == pytest.approx(1.0)
    assert cols["p90_walking_speed_mps"][0] == pytest.approx(1.0 + 0.8 * 0.2)  # numpy's linear rule
    assert cols["median_walking_speed_mps"][1] is None
    assert cols["recorded_s"] == pytest.approx([DAY_S, DAY_S])


def test_p90_of_nothing_is_none() -> None:
    assert p90([]) is None
    assert p90([3.0]) == 3.0
