"""The plot descriptions carry the gait engine's numbers unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from backstride import gait, io
from backstride.web import _plots


@pytest.fixture(scope="module")
def result() -> gait.GaitResult:
    return gait.analyze(io.read(io.sample_path()), height_m=1.75)


def test_recording_figures_match_the_bouts(result: gait.GaitResult) -> None:
    figures = _plots.recording_figures(result)
    assert set(figures) == {"plot-bouts", "plot-cadence-speed", "plot-trunk-lean"}
    bouts = result.walking_bouts
    assert len(bouts) > 0
    timeline = figures["plot-bouts"]["data"][0]
    starts = timeline["x"][0::3]
    assert starts == pytest.approx([b.start_s / 60 for b in bouts])
    cadence, speed = figures["plot-cadence-speed"]["data"]
    assert cadence["y"] == [b.cadence_spm for b in bouts]
    assert speed["y"] == [b.walking_speed_mps for b in bouts]
    assert figures["plot-trunk-lean"]["data"][0]["y"] == [b.trunk_lean_deg for b in bouts]


def test_no_bouts_no_plots(result: gait.GaitResult) -> None:
    empty = dataclasses.replace(result, walking_bouts=[])
    assert _plots.recording_figures(empty) == {}


def test_time_series_uses_calendar_dates() -> None:
    fig = _plots.time_series(
        "t",
        "y",
        [("a", [dt.datetime(2026, 11, 1, 15, 30, tzinfo=dt.UTC), dt.date(2026, 11, 2)], [1.0, None])],
    )
    assert fig["data"][0]["x"] == ["2026-11-01", "2026-11-02"]
    assert fig["data"][0]["y"] == [1.0, None]
    assert fig["layout"]["xaxis"]["type"] == "date"
