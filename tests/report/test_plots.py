"""The plot descriptions carry the gait engine's numbers unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from backstride import gait, io
from backstride import report as _plots


@pytest.fixture(scope="module")
def result() -> gait.GaitResult:
    return gait.analyze(io.read(io.sample_path()), height_m=1.75)


def test_recording_figures_match_the_bouts(result: gait.GaitResult) -> None:
    figures = _plots.recording_figures(result)
    assert set(figures) == {"plot-bouts", "plot-cadence-speed", "plot-foot-steps", "plot-trunk-lean"}
    bouts = result.walking_bouts
    assert len(bouts) > 0
    timeline = figures["plot-bouts"]["data"][0]
    starts = timeline["x"][0::3]
    assert starts == pytest.approx([b.start_s / 60 for b in bouts])
    cadence, speed = figures["plot-cadence-speed"]["data"]
    assert cadence["y"] == [b.cadence_spm for b in bouts]
    assert speed["y"] == [b.walking_speed_mps for b in bouts]
    assert figures["plot-trunk-lean"]["data"][0]["y"] == [b.trunk_lean_deg for b in bouts]


def test_left_and_right_steps_are_each_bouts_own(result: gait.GaitResult) -> None:
    left, right = _plots.recording_figures(result)["plot-foot-steps"]["data"]
    assert (left["name"], right["name"]) == ("steps onto the left foot", "steps onto the right foot")
    assert left["y"] == [b.step_length_left_m for b in result.walking_bouts]
    assert right["y"] == [b.step_length_right_m for b in result.walking_bouts]
    assert all(v is not None for v in left["y"] + right["y"])  # every bout of the sample has both


def test_bouts_without_left_and_right_steps_give_no_foot_plot(result: gait.GaitResult) -> None:
    unmeasured = dataclasses.replace(
        result,
        walking_bouts=[
            dataclasses.replace(b, step_length_left_m=None, step_length_right_m=None)
            for b in result.walking_bouts
        ],
    )
    assert "plot-foot-steps" not in _plots.recording_figures(unmeasured)
    # a bout whose feet are unknown shows a gap, not a zero
    one_gap = dataclasses.replace(
        result,
        walking_bouts=[unmeasured.walking_bouts[0], *result.walking_bouts[1:]],
    )
    left, right = _plots.recording_figures(one_gap)["plot-foot-steps"]["data"]
    assert left["y"][0] is None and right["y"][0] is None
    assert left["y"][1:] == [b.step_length_left_m for b in result.walking_bouts[1:]]


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


def test_a_trend_of_close_values_is_drawn_on_an_axis_of_a_least_height() -> None:
    day = [dt.date(2026, 11, 5)]
    two = [dt.date(2026, 11, 5), dt.date(2026, 11, 19)]

    def y_range(ys: list[float | None], span: float, days: list[dt.date] = two) -> list[float] | None:
        fig = _plots.time_series("c", "steps per minute", [("cadence", days, ys)], min_y_span=span)
        return fig["layout"]["yaxis"].get("range")

    # one walk, or two a step/min apart: the values in the middle of a 30 steps/min axis, not across it
    assert y_range([96.9], 30.0, day) == pytest.approx([81.9, 111.9])
    assert y_range([96.9, 97.9, None], 30.0) == pytest.approx([82.4, 112.4])
    assert y_range([0.1, 0.2], 0.6) == [0.0, 0.6]  # not below zero for values that cannot be
    assert y_range([80.0, 120.0], 30.0) is None  # spread further: plotly's own fit
    assert y_range([None], 30.0, day) is None
    both = _plots.time_series(
        "s", "metres", [("left", two, [0.53, 0.52]), ("right", two, [0.49, 0.50])], min_y_span=0.3
    )
    assert both["layout"]["yaxis"]["range"] == pytest.approx([0.36, 0.66])  # over every series
    fixed = _plots.time_series("p", "pain", [("p", day, [3.0])], y_range=(0, 10), min_y_span=30.0)
    assert fixed["layout"]["yaxis"]["range"] == [0, 10]  # a fixed range wins


def test_activity_figures_carry_each_sources_figures() -> None:
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(120)]
    apple = _plots.DailySeries(
        "Apple Health", days, [1000 + i for i in range(120)], [1.2] * 119 + [None], [None] * 120, [None] * 120
    )
    garmin = _plots.DailySeries("Garmin watch", days[:1], [82], [1.495], [None], [None])
    figures = _plots.activity_figures([apple, garmin])
    assert set(figures) == {"plot-activity"}  # no asymmetry or double support given: no second plot
    traces = {t["name"]: t for t in figures["plot-activity"]["data"]}
    steps = traces["steps, Apple Health"]
    assert steps["type"] == "bar" and steps["y"] == [1000 + i for i in range(120)]
    assert steps["x"][0] == "2026-01-01"
    speed = traces["walking speed (m/s), Apple Health"]
    assert speed["yaxis"] == "y2" and len(speed["y"]) == 119  # a day without speed is left out, not zero
    assert traces["steps, Garmin watch"]["y"] == [82]
    xaxis = figures["plot-activity"]["layout"]["xaxis"]
    assert xaxis["range"][0] < "2026-01-31" < xaxis["range"][1]  # opens on the latest 90 days
    assert xaxis["range"][0] > "2026-01-25"  # (and a little margin)
    assert "rangeselector" in xaxis
    with_gait = _plots.DailySeries(
        "Apple Health", days[:2], [None, None], [None, None], [4.0, None], [None, 29.4]
    )
    figures = _plots.activity_figures([with_gait])
    assert set(figures) == {"plot-activity-evenness"}
    assert [t["y"] for t in figures["plot-activity-evenness"]["data"]] == [[4.0], [29.4]]
    assert _plots.activity_figures([]) == {}


def test_many_bouts_are_drawn_over_time_not_bout_by_bout() -> None:
    from tests.report.conftest import synthetic_result

    few = _plots.recording_figures(synthetic_result(_plots.MANY_BOUTS, 7200.0))
    assert few["plot-cadence-speed"]["layout"]["xaxis"]["dtick"] == 1  # one tick per bout
    assert few["plot-bouts"]["layout"]["yaxis"]["dtick"] == 1
    result = synthetic_result(_plots.MANY_BOUTS + 1, 7 * 86400.0)
    bouts = [
        dataclasses.replace(b, step_length_left_m=0.5, step_length_right_m=0.6) for b in result.walking_bouts
    ]
    result = dataclasses.replace(result, walking_bouts=bouts)
    figures = _plots.recording_figures(result)
    left, right = figures["plot-foot-steps"]["data"]
    assert left["y"] == [0.5] * len(result.walking_bouts) and right["y"] == [0.6] * len(result.walking_bouts)
    timeline = figures["plot-bouts"]
    assert timeline["data"][0]["mode"] == "markers"
    assert timeline["data"][0]["x"] == [round(b.start_s / 3600, 4) for b in result.walking_bouts]
    assert timeline["data"][0]["y"] == [1.0] * len(result.walking_bouts)  # minutes each bout lasted
    for key in ("plot-cadence-speed", "plot-foot-steps", "plot-trunk-lean"):
        fig = figures[key]
        assert "dtick" not in fig["layout"]["xaxis"]
        assert fig["layout"]["xaxis"]["title"]["text"] == "time in the recording (hours)"
        assert all(trace["mode"] == "markers" for trace in fig["data"])
        assert fig["data"][0]["x"] == timeline["data"][0]["x"]


def test_a_single_day_gets_a_week_of_date_axis() -> None:
    one = _plots.time_series("speed", "m/s", [("speed", [dt.date(2026, 11, 5)], [0.8])])
    xaxis = one["layout"]["xaxis"]
    assert xaxis["range"] == ["2026-11-02", "2026-11-12"] and xaxis["dtick"] == 86_400_000
    span = [dt.date(2026, 9, 1), dt.date(2026, 11, 5)]
    assert "range" not in _plots.time_series("speed", "m/s", [("speed", span, [0.8, 0.9])])["layout"]["xaxis"]


def test_recording_plots_are_titled_for_every_reader(result: gait.GaitResult) -> None:
    """The plots appear on the patient's and the therapist's result page and in a researcher's report:
    "When you were walking" and "Forward lean of your trunk" spoke to the patient alone."""
    from tests.report.conftest import synthetic_result

    titles = [f["layout"]["title"]["text"] for f in _plots.recording_figures(result).values()]
    many = _plots.recording_figures(synthetic_result(_plots.MANY_BOUTS + 1, 7 * 86400.0))
    titles += [f["layout"]["title"]["text"] for f in many.values()]
    assert "Walking through the recording" in titles
    assert "Walking through the recording: when, and for how long" in titles
    assert "Forward lean of the trunk while walking" in titles
    for title in titles:
        assert not {"you", "your"} & set(title.lower().split()), title


def test_one_bouts_cadence_and_speed_are_both_seen(result: gait.GaitResult) -> None:
    """With one bout the speed's diamond was drawn over the cadence's dot (each axis puts its only value in
    the middle) and plotly ticked the speed axis at 0.085, 0.585, 1.085: each measure now has a panel of its
    own, the speed's under the cadence's, on an axis of a least height around the value."""
    from tests._results import minute_bout, result_of

    one = result_of([minute_bout(30.0, cadence=107.0, speed_mps=1.0)], 120.0)
    figure = _plots.recording_figures(one)["plot-cadence-speed"]
    cadence, speed = figure["data"]
    assert (cadence.get("yaxis", "y"), speed["yaxis"]) == ("y", "y2")
    layout = figure["layout"]
    top, bottom = layout["yaxis"]["domain"], layout["yaxis2"]["domain"]
    assert bottom[1] < top[0]  # apart: neither panel covers the other
    assert "overlaying" not in layout["yaxis2"]
    assert layout["xaxis"]["anchor"] == "y2"  # the bouts are named under the lower panel
    assert layout["xaxis"]["range"] == [0.5, 1.5]  # no bout 0 or bout 2
    assert layout["yaxis"]["range"] == pytest.approx([92.0, 122.0])
    assert layout["yaxis2"]["range"] == pytest.approx([0.7, 1.3])
    assert layout["yaxis"]["title"]["text"] == "steps/min"  # short enough for its panel
    assert layout["yaxis2"]["title"]["text"] == "m/s"


def test_many_bouts_cadence_and_speed_keep_their_own_panels(result: gait.GaitResult) -> None:
    layout = _plots.recording_figures(result)["plot-cadence-speed"]["layout"]
    bouts = result.walking_bouts
    assert layout["xaxis"]["range"] == [0.5, len(bouts) + 0.5]
    assert layout["yaxis2"]["domain"][1] < layout["yaxis"]["domain"][0]
    speeds = [b.walking_speed_mps for b in bouts if b.walking_speed_mps is not None]
    low, high = layout["yaxis2"].get("range", [min(speeds), max(speeds)])
    assert low <= min(speeds) and max(speeds) <= high


def test_one_bouts_left_and_right_steps_stand_side_by_side() -> None:
    """Two dots at one bout drew the right foot's over the left's: for bout by bout, bars side by side."""
    from tests._results import minute_bout, result_of

    bout = dataclasses.replace(minute_bout(30.0), step_length_left_m=0.57, step_length_right_m=0.56)
    figure = _plots.recording_figures(result_of([bout], 120.0))["plot-foot-steps"]
    left, right = figure["data"]
    assert (left["type"], right["type"]) == ("bar", "bar")
    assert (left["y"], right["y"]) == ([0.57], [0.56])
    assert figure["layout"]["barmode"] == "group"
    assert figure["layout"]["xaxis"]["range"] == [0.5, 1.5]


def test_each_kind_of_step_mark_has_a_look_of_its_own(analysed: tuple[gait.GaitResult, list]) -> None:
    """The signal plot marks the bout's steps by foot, a walk's starting and stopping steps and the closing step
    that brings the feet together: no two kinds may look alike (the closing step was a white triangle with a
    grey rim beside the open grey triangle of a stopping step, and read as one more of them)."""
    result, traces = analysed
    looks: dict[str, tuple[str, str]] = {}
    for trace in traces:
        for mark in _plots.signal_figure(trace, result)["data"][1:]:
            marker = mark["marker"]
            look = (
                marker["symbol"].removesuffix("-open"),
                "open" if marker["symbol"].endswith("-open") else marker["color"],
            )
            assert looks.setdefault(mark["name"], look) == look  # one look for a kind, plot after plot
    # the sample has each kind but the unknown foot
    assert set(looks) == {"left foot", "right foot", "starting or stopping step", "closing step"}
    assert len(set(looks.values())) == len(looks)
    shapes = {name: shape for name, (shape, _) in looks.items()}
    assert shapes["closing step"] != shapes["starting or stopping step"]
