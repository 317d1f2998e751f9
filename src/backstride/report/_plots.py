"""Plotly figure descriptions (plain dicts, drawn in the browser by the locally served plotly.js).

Only data is turned into figures here; what counts as good or bad is the clinic's business.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from backstride.gait import GaitResult, InitialContact, VerticalTrace

Figure = dict[str, Any]

_FONT = {"family": "system-ui, sans-serif", "size": 14, "color": "#1d2430"}
_BLUE = "#1f5f8b"
_ORANGE = "#b85c00"
_GREEN = "#1e6b3a"
_PURPLE = "#6b3fa0"
#: the shortest stretch of calendar a date axis shows
_MIN_SPAN = dt.timedelta(days=7)
#: The least height of the axis of a measured walks' trend (``time_series``'s ``min_y_span``). Left to itself
#: plotly fits the axis to the values, so one walk, or two walks 1 step/min apart, fill the plot's height and a
#: change smaller than any that matters looks like a steep one. Each span is about six times a change that
#: matters for the measure: walking speed 0.1 m/s (Perera et al. 2006, J Am Geriatr Soc 54:743–749,
#: "substantial meaningful change"), cadence about 5 steps/min, step length 0.05 m, the pelvis's turn per
#: stride 2–3°.
TREND_SPANS: dict[str, float] = {"speed": 0.6, "cadence": 30.0, "step_length": 0.3, "pelvis": 15.0}


def _layout(title: str, x_title: str, y_title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "font": _FONT,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "xaxis": {"title": {"text": x_title}, "zeroline": False},
        "yaxis": {"title": {"text": y_title}, "zeroline": False},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "showlegend": False,
        "height": 320,
    }
    layout.update(extra)
    return layout


def _legend_below(*, right: int) -> dict[str, Any]:
    """Layout keys for a legend in a row under the x axis (``right``: the right margin, px)."""
    return {
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.35},
        "margin": {"l": 60, "r": right, "t": 50, "b": 95},
    }


# a recording with more bouts than this (a day or a week) is drawn over time, not bout by bout: one tick
# and one row per bout would be unreadable and take a browser minutes to lay out
MANY_BOUTS = 40


def _time_unit(gait: GaitResult) -> tuple[float, str]:
    """Seconds per unit and the unit's name for the recording's time axis: minutes up to 3 hours."""
    return (60.0, "minutes") if gait.summary.recording_duration_s <= 3 * 3600 else (3600.0, "hours")


def bouts_timeline(gait: GaitResult) -> Figure:
    """When the walking happened: each bout as a bar from its start to its end (one row per bout), or, for
    many bouts, as a dot at its start as high as it lasted."""
    bouts = gait.walking_bouts
    unit_s, unit = _time_unit(gait)
    total = max(gait.summary.recording_duration_s / unit_s, 0.1)
    x_title = f"time in the recording ({unit})"
    if len(bouts) > MANY_BOUTS:
        return {
            "data": [
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [round(b.start_s / unit_s, 4) for b in bouts],
                    "y": [round(b.duration_s / 60, 3) for b in bouts],
                    "marker": {"color": _BLUE, "size": 5},
                    "hovertemplate": "%{y:.1f} min<extra></extra>",
                    "name": "walking",
                }
            ],
            "layout": _layout(
                "Walking through the recording: when, and for how long",
                x_title,
                "bout length (minutes)",
                xaxis={"title": {"text": x_title}, "range": [0, total]},
                yaxis={"title": {"text": "bout length (minutes)"}, "rangemode": "tozero"},
            ),
        }
    x: list[float | None] = []
    y: list[float | None] = []
    for i, bout in enumerate(bouts, start=1):
        x += [bout.start_s / unit_s, bout.end_s / unit_s, None]
        y += [i, i, None]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "y": y,
                "line": {"width": 12, "color": _BLUE},
                "hoverinfo": "x",
                "name": "walking",
            }
        ],
        "layout": _layout(
            "Walking through the recording",
            x_title,
            "bout",
            xaxis={"title": {"text": x_title}, "range": [0, total]},
            # the first bout on top, and no row for a bout 0 or one past the last
            yaxis={"title": {"text": "bout"}, "dtick": 1, "range": [len(bouts) + 0.5, 0.5]},
        ),
    }


def _per_bout(gait: GaitResult, attr: str) -> tuple[list[float], list[float | None], dict[str, Any], str]:
    """x values, the bouts' ``attr``, the x axis and the trace mode: bout numbers for a few bouts (an axis
    from half a bout before the first to half one after the last: plotly's own fit of one bout ran from
    bout 0 to bout 2), their start times (dots, no lines) for many."""
    bouts = gait.walking_bouts
    values = [getattr(b, attr) for b in bouts]
    if len(bouts) > MANY_BOUTS:
        unit_s, unit = _time_unit(gait)
        axis: dict[str, Any] = {"title": {"text": f"time in the recording ({unit})"}}
        return [round(b.start_s / unit_s, 4) for b in bouts], values, axis, "markers"
    axis = {"title": {"text": "bout"}, "dtick": 1, "range": [0.5, len(bouts) + 0.5]}
    return list(range(1, len(bouts) + 1)), values, axis, "lines+markers"


def _panel(values: Sequence[float | None], title: str, span: float, domain: list[float]) -> dict[str, Any]:
    """A y axis of one panel of a stacked figure: its part of the height (``domain``) and a range of at
    least ``span`` around the values (plotly's own fit of a single value ticks at odd numbers)."""
    axis: dict[str, Any] = {"title": {"text": title}, "zeroline": False, "domain": domain}
    spanned = _spanned(values, span)
    if spanned is not None:
        axis["range"] = [round(spanned[0], 6), round(spanned[1], 6)]
    return axis


def cadence_and_speed(gait: GaitResult) -> Figure:
    """Cadence (steps/min, upper panel) and walking speed (m/s, lower panel) of every bout.

    On one plot with two y axes each axis put a single bout's value in its middle, the speed's diamond over
    the cadence's dot: a panel each keeps both in sight, for one bout or many."""
    xs, cadence, xaxis, mode = _per_bout(gait, "cadence_spm")
    _, speed, _, _ = _per_bout(gait, "walking_speed_mps")
    size = 9 if mode == "lines+markers" else 5
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": mode,
            "x": xs,
            "y": cadence,
            "name": "cadence (steps/min)",
            "marker": {"color": _BLUE, "size": size},
            "line": {"color": _BLUE},
        }
    ]
    measured_speed = any(v is not None for v in speed)
    if measured_speed:
        data.append(
            {
                "type": "scatter",
                "mode": mode,
                "x": xs,
                "y": speed,
                "name": "speed (m/s)",
                "yaxis": "y2",
                "marker": {"color": _ORANGE, "size": size, "symbol": "diamond"},
                "line": {"color": _ORANGE, "dash": "dot"},
            }
        )
    cadence_axis = _panel(
        cadence, "steps/min", TREND_SPANS["cadence"], [0.56, 1.0] if measured_speed else [0.0, 1.0]
    )
    panels: dict[str, Any] = {"yaxis": cadence_axis, "height": 460 if measured_speed else 320}
    if measured_speed:
        panels["yaxis2"] = _panel(speed, "m/s", TREND_SPANS["speed"], [0.0, 0.44])
        panels["yaxis2"]["anchor"] = "x"
        xaxis = {**xaxis, "anchor": "y2"}
    return {
        "data": data,
        "layout": _layout(
            "Cadence and speed in each bout",
            xaxis["title"]["text"],
            "steps/min",
            xaxis=xaxis,
            **panels,
            **_legend_below(right=20),
        ),
    }


def trunk_lean(gait: GaitResult) -> Figure:
    """Forward lean of the trunk in every bout (its median, degrees from vertical): bars, or dots for many
    bouts."""
    xs, lean, xaxis, mode = _per_bout(gait, "trunk_lean_deg")
    trace: dict[str, Any] = {"x": xs, "y": lean, "marker": {"color": _GREEN}, "name": "trunk lean"}
    if mode == "markers":
        trace.update({"type": "scatter", "mode": "markers", "marker": {"color": _GREEN, "size": 5}})
    else:
        trace["type"] = "bar"
    return {
        "data": [trace],
        "layout": _layout(
            "Forward lean of the trunk while walking", xaxis["title"]["text"], "degrees forward", xaxis=xaxis
        ),
    }


def foot_steps(gait: GaitResult) -> Figure:
    """Mean length of the left and of the right steps in every bout, side by side: an uneven (antalgic)
    gait shows as two bars (or, for many bouts, two rows of dots) apart. Bout by bout they are bars: two
    dots at one bout drew the right foot's over the left's."""
    xs, _, xaxis, mode = _per_bout(gait, "step_length_left_m")
    data: list[dict[str, Any]] = []
    for foot, color, symbol in (("left", _BLUE, "circle"), ("right", _ORANGE, "diamond")):
        trace: dict[str, Any] = {
            "x": xs,
            "y": _per_bout(gait, f"step_length_{foot}_m")[1],
            "name": f"steps onto the {foot} foot",
        }
        if mode == "markers":
            trace.update(
                {"type": "scatter", "mode": mode, "marker": {"color": color, "size": 5, "symbol": symbol}}
            )
        else:
            trace.update({"type": "bar", "marker": {"color": color}})
        data.append(trace)
    y_title = "mean step length (m)"
    return {
        "data": data,
        "layout": _layout(
            "Left and right steps in each bout",
            xaxis["title"]["text"],
            y_title,
            xaxis=xaxis,
            yaxis={"title": {"text": y_title}, "rangemode": "tozero", "zeroline": False},
            barmode="group",
            **_legend_below(right=20),
        ),
    }


def recording_figures(gait: GaitResult) -> dict[str, Figure]:
    """The result page's plots, keyed by the id of the element each is drawn in."""
    if not gait.walking_bouts:
        return {}
    figures = {"plot-bouts": bouts_timeline(gait), "plot-cadence-speed": cadence_and_speed(gait)}
    if any(b.step_length_left_m is not None or b.step_length_right_m is not None for b in gait.walking_bouts):
        figures["plot-foot-steps"] = foot_steps(gait)
    if any(b.trunk_lean_deg is not None for b in gait.walking_bouts):
        figures["plot-trunk-lean"] = trunk_lean(gait)
    return figures


# ------------------------------------------------------------------- the signal behind the steps, long files
def trace_spans(
    gait: GaitResult, *, max_traces: int = 3, max_s: float = 40.0, pad_s: float = 2.0
) -> list[tuple[float, float]]:
    """Where to show the signal: the longest bouts (at most ``max_traces``, in time order), each from
    ``pad_s`` before it to its end or ``max_s`` into it, and ``pad_s`` after."""
    longest = sorted(gait.walking_bouts, key=lambda b: -b.duration_s)[:max_traces]
    spans = [
        (max(b.start_s - pad_s, 0.0), min(b.end_s, b.start_s + max_s) + pad_s)
        for b in sorted(longest, key=lambda b: b.start_s)
    ]
    return spans


def signal_figure(trace: VerticalTrace, gait: GaitResult) -> Figure:
    """The vertical trunk acceleration over one stretch, the steps found in it (by foot) and its bouts."""
    t = trace.time_s
    lo = float(t[0]) if t.size else trace.start_s
    hi = float(t[-1]) if t.size else trace.start_s
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": np.round(t, 3).tolist(),
            "y": np.round(trace.vertical_mps2, 3).tolist(),
            "line": {"color": "#5b6573", "width": 1.2},
            "name": "vertical acceleration",
            "hoverinfo": "skip",
        }
    ]
    top = float(np.max(trace.vertical_mps2)) if t.size else 1.0
    in_view = [c for c in gait.initial_contacts if lo <= c.time_s <= hi]
    triangle = {"size": 10, "symbol": "triangle-down"}
    marks: tuple[tuple[str, Callable[[InitialContact], bool], dict[str, Any]], ...] = (
        ("left foot", lambda c: c.foot == "left" and c.in_bout, {"color": _BLUE}),
        ("right foot", lambda c: c.foot == "right" and c.in_bout, {"color": _ORANGE}),
        ("foot not known", lambda c: c.foot is None and c.in_bout, {"color": _GREEN}),
        # a walk's short first and last steps, outside its bout (a foot contact, not one of the bout's steps)
        (
            "starting or stopping step",
            lambda c: not c.in_bout and not c.closing_step,
            {"color": "#5b6573", "symbol": "triangle-down-open", "line": {"width": 1.5}},
        ),
        # the step that brings the feet together: another shape, or it reads as one more stopping step
        (
            "closing step",
            lambda c: c.closing_step,
            {"color": "#5b6573", "symbol": "diamond-open", "size": 9, "line": {"width": 1.5}},
        ),
    )
    for name, chosen, marker in marks:
        times = [c.time_s for c in in_view if chosen(c)]
        if times:
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": times,
                    "y": [round(top * 1.15, 3)] * len(times),
                    "marker": {**triangle, **marker},
                    "name": name,
                    "hovertemplate": "%{x:.2f} s<extra>" + name + "</extra>",
                }
            )
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": max(b.start_s, lo),
            "x1": min(b.end_s, hi),
            "y0": 0,
            "y1": 1,
            "fillcolor": _BLUE,
            "opacity": 0.08,
            "line": {"width": 0},
        }
        for b in gait.walking_bouts
        if b.end_s >= lo and b.start_s <= hi
    ]
    return {
        "data": data,
        "layout": _layout(
            f"Trunk movement and the steps found, {_clock(lo)}–{_clock(hi)}",
            "time in the recording (s)",
            "vertical acceleration (m/s²)",
            shapes=shapes,
            showlegend=True,
            legend={"orientation": "h", "y": -0.3},
            margin={"l": 60, "r": 20, "t": 50, "b": 90},
            height=340,
        ),
    }


def _clock(seconds: float) -> str:
    """Seconds of a recording as h:mm:ss (or m:ss under an hour)."""
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def walking_by_hour(gait: GaitResult) -> Figure:
    """Minutes spent walking in each hour of the recording (bouts split at the hour boundaries)."""
    n_hours = max(int(np.ceil(gait.summary.recording_duration_s / 3600.0)), 1)
    minutes = np.zeros(n_hours)
    for b in gait.walking_bouts:
        h = int(b.start_s // 3600)
        start = b.start_s
        while start < b.end_s and h < n_hours:
            stop = min(b.end_s, (h + 1) * 3600.0)
            minutes[h] += (stop - start) / 60.0
            start, h = stop, h + 1
    return {
        "data": [
            {
                "type": "bar",
                "x": list(range(n_hours)),
                "y": np.round(minutes, 2).tolist(),
                "marker": {"color": _BLUE},
                "name": "walking",
                "hovertemplate": "hour %{x}: %{y:.1f} min<extra></extra>",
            }
        ],
        "layout": _layout("Minutes walking in each hour", "hour of the recording", "minutes"),
    }


def time_series(
    title: str,
    y_title: str,
    series: Sequence[tuple[str, Sequence[dt.date | dt.datetime], Sequence[float | None]]],
    *,
    y_range: tuple[float, float] | None = None,
    min_y_span: float | None = None,
    kind: str = "lines+markers",
) -> Figure:
    """A figure of one or more named series over calendar time. ``min_y_span``: the least height of the
    y axis (values closer together than that are drawn in the middle of it, not across the whole plot)."""
    colours = [_BLUE, _ORANGE, _GREEN, _PURPLE]
    data = []
    for i, (name, xs, ys) in enumerate(series):
        trace: dict[str, Any] = {
            # a moment's day where the clinic is (the server's zone), as the diary's days beside it are
            "x": [(x.astimezone().date() if isinstance(x, dt.datetime) else x).isoformat() for x in xs],
            "y": list(ys),
            "name": name,
            "marker": {"color": colours[i % len(colours)]},
        }
        if kind == "bar" and i == 0:
            trace["type"] = "bar"
        else:
            trace.update(
                {"type": "scatter", "mode": "lines+markers", "line": {"color": colours[i % len(colours)]}}
            )
        data.append(trace)
    yaxis: dict[str, Any] = {"title": {"text": y_title}}
    if y_range is None and min_y_span is not None:
        y_range = _spanned([y for _, _, ys in series for y in ys], min_y_span)
    if y_range is not None:
        yaxis["range"] = list(y_range)
    xaxis: dict[str, Any] = {"type": "date", "tickformat": "%d %b", "title": {"text": ""}}
    days = sorted({d for trace in data for d in trace["x"]})
    if days and dt.date.fromisoformat(days[-1]) - dt.date.fromisoformat(days[0]) < _MIN_SPAN:
        # a few days only (one measured walk): a week around them, a tick a day, not the hours of one day
        first = dt.date.fromisoformat(days[0]) - dt.timedelta(days=3)
        xaxis["range"] = [first.isoformat(), (first + _MIN_SPAN + dt.timedelta(days=3)).isoformat()]
        xaxis["dtick"] = 86_400_000
    return {
        "data": data,
        "layout": _layout(
            title,
            "date",
            y_title,
            yaxis=yaxis,
            xaxis=xaxis,
            showlegend=len(series) > 1,
            legend={"orientation": "h", "y": -0.2},
            margin={"l": 60, "r": 20, "t": 50, "b": 70},
        ),
    }


def _spanned(values: Sequence[float | None], span: float) -> tuple[float, float] | None:
    """A y range of at least ``span`` around the finite values (not below zero when none is), or ``None``
    when they already spread as far (plotly's own fit is then right)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite or max(finite) - min(finite) >= span:
        return None
    low = (max(finite) + min(finite) - span) / 2
    if low < 0 <= min(finite):
        low = 0.0
    return low, low + span


# ------------------------------------------------------------------------- a phone's or watch's own figures
@dataclass(frozen=True)
class DailySeries:
    """One source's figures per day (an Apple Health export, a Garmin watch), ``None`` where it gave none."""

    label: str
    dates: Sequence[dt.date]
    steps: Sequence[int | None]
    speed_mps: Sequence[float | None]
    asymmetry_pct: Sequence[float | None]
    double_support_pct: Sequence[float | None]


#: bar and line colours of the first and second source
_SOURCE_COLOURS = ((_BLUE, _ORANGE), (_GREEN, _PURPLE))
_HALF_DAY = dt.timedelta(hours=12)
_RANGE_BUTTONS = [
    {"count": 1, "label": "1 month", "step": "month", "stepmode": "backward"},
    {"count": 3, "label": "3 months", "step": "month", "stepmode": "backward"},
    {"count": 1, "label": "1 year", "step": "year", "stepmode": "backward"},
    {"step": "all", "label": "all"},
]


def _given(dates: Sequence[dt.date], values: Sequence[float | None]) -> tuple[list[str], list[float]]:
    """The days that have a value, as ISO dates, and their values (a line then joins the days it has)."""
    pairs = [(d.isoformat(), float(v)) for d, v in zip(dates, values, strict=True) if v is not None]
    return [d for d, _ in pairs], [v for _, v in pairs]


def _day_axis(traces: Sequence[dict[str, Any]], visible_days: int) -> dict[str, Any]:
    """A calendar axis. With more than ``visible_days`` days that have figures, it opens on the latest of
    them (however sparse they are) and buttons widen the view; otherwise it shows them all, at least a
    week wide (a lone day would otherwise get an axis of hours)."""
    axis: dict[str, Any] = {"type": "date", "title": {"text": ""}, "tickformat": "%d %b %Y"}
    days = sorted({dt.date.fromisoformat(x) for t in traces for x in t["x"]}, reverse=True)
    if not days:
        return axis
    first, last = days[min(len(days), visible_days) - 1], days[0]
    span = last - first
    pad = max(_HALF_DAY, span / 40, (_MIN_SPAN - span) / 2)
    start = dt.datetime.combine(first, dt.time()) - pad
    end = dt.datetime.combine(last, dt.time()) + pad
    axis["range"] = [start.isoformat(), end.isoformat()]
    if len(days) > visible_days:
        axis["rangeselector"] = {"buttons": _RANGE_BUTTONS, "x": 0, "y": 1.02}
    return axis


def _activity_layout(
    title: str, y_title: str, traces: Sequence[dict[str, Any]], visible_days: int
) -> dict[str, Any]:
    return _layout(
        title,
        "",
        y_title,
        xaxis=_day_axis(traces, visible_days),
        yaxis={"title": {"text": y_title}, "zeroline": False, "rangemode": "tozero"},
        showlegend=True,
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 70, "r": 70, "t": 90, "b": 80},
        height=380,
    )


def steps_and_speed(series: Sequence[DailySeries], *, visible_days: int = 90) -> Figure:
    """Steps per day as bars (left axis) and walking speed as lines (right axis, m/s), one of each per
    source."""
    data: list[dict[str, Any]] = []
    for i, s in enumerate(series):
        bar_colour, line_colour = _SOURCE_COLOURS[i % len(_SOURCE_COLOURS)]
        x, y = _given(s.dates, s.steps)
        if x:
            data.append(
                {
                    "type": "bar",
                    "x": x,
                    "y": y,
                    "name": f"steps, {s.label}",
                    # the outline keeps a lone day visible when the axis spans years
                    "marker": {
                        "color": bar_colour,
                        "opacity": 0.75,
                        "line": {"color": bar_colour, "width": 1},
                    },
                    "hovertemplate": "%{x|%d %b %Y}: %{y:,.0f} steps<extra>" + s.label + "</extra>",
                }
            )
        x, y = _given(s.dates, s.speed_mps)
        if x:
            line = _day_line(x, y, f"walking speed (m/s), {s.label}", "%{y:.2f} m/s", s.label)
            line["marker"]["color"] = line_colour
            line.update(yaxis="y2", line={"color": line_colour, "width": 2})
            data.append(line)
    layout = _activity_layout("Steps and walking speed each day", "steps per day", data, visible_days)
    layout["yaxis2"] = {
        "title": {"text": "walking speed (m/s)"},
        "overlaying": "y",
        "side": "right",
        "rangemode": "tozero",
        "tickmode": "auto",
        "showgrid": False,
    }
    layout["barmode"] = "group"
    return {"data": data, "layout": layout}


def _day_line(x: list[Any], y: list[Any], name: str, value: str, label: str) -> dict[str, Any]:
    """One figure per day as a line with markers, its hover text the date and ``value`` (a plotly format)."""
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "x": x,
        "y": y,
        "name": name,
        "marker": {"size": 7},
        "hovertemplate": "%{x|%d %b %Y}: " + value + "<extra>" + label + "</extra>",
    }


def walking_evenness(series: Sequence[DailySeries], *, visible_days: int = 90) -> Figure:
    """Walking asymmetry and double-support time (% each) per day, a line per figure and source."""
    data: list[dict[str, Any]] = []
    for i, s in enumerate(series):
        dash = "solid" if i == 0 else "dot"
        for name, values, colour in (
            ("walking asymmetry (%)", s.asymmetry_pct, _BLUE),
            ("double support (%)", s.double_support_pct, _ORANGE),
        ):
            x, y = _given(s.dates, values)
            if x:
                line = _day_line(x, y, f"{name}, {s.label}", "%{y:.1f} %", s.label)
                line["marker"]["color"] = colour
                line["line"] = {"color": colour, "dash": dash}
                data.append(line)
    layout = _activity_layout("Walking asymmetry and double support", "percent", data, visible_days)
    return {"data": data, "layout": layout}


def activity_figures(series: Sequence[DailySeries], *, visible_days: int = 90) -> dict[str, Figure]:
    """The progress page's plots of a phone's or watch's own figures, keyed by the id of their element:
    steps and speed, and asymmetry and double support when a source gives them."""
    figures: dict[str, Figure] = {}
    if any(v is not None for s in series for v in (*s.steps, *s.speed_mps)):
        figures["plot-activity"] = steps_and_speed(series, visible_days=visible_days)
    if any(v is not None for s in series for v in (*s.asymmetry_pct, *s.double_support_pct)):
        figures["plot-activity-evenness"] = walking_evenness(series, visible_days=visible_days)
    return figures
