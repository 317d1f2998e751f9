"""Plotly figure descriptions (plain dicts, drawn in the browser by the locally served plotly.js).

Only data is turned into figures here; what counts as good or bad is the clinic's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from backstride.gait import GaitResult

Figure = dict[str, Any]

_FONT = {"family": "system-ui, sans-serif", "size": 14, "color": "#1d2430"}
_BLUE = "#1f5f8b"
_ORANGE = "#b85c00"
_GREEN = "#1e6b3a"


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


def bouts_timeline(gait: GaitResult) -> Figure:
    """Each walking bout as a bar from its start to its end, on the recording's time axis (minutes)."""
    bouts = gait.walking_bouts
    x: list[float | None] = []
    y: list[float | None] = []
    for i, bout in enumerate(bouts, start=1):
        x += [bout.start_s / 60, bout.end_s / 60, None]
        y += [i, i, None]
    total_min = gait.summary.recording_duration_s / 60
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
            "When you were walking",
            "time in the recording (minutes)",
            "bout",
            xaxis={"title": {"text": "time in the recording (minutes)"}, "range": [0, max(total_min, 0.1)]},
            yaxis={"title": {"text": "bout"}, "dtick": 1, "autorange": "reversed"},
        ),
    }


def _per_bout(gait: GaitResult, attr: str) -> tuple[list[int], list[float | None]]:
    numbers = list(range(1, len(gait.walking_bouts) + 1))
    return numbers, [getattr(b, attr) for b in gait.walking_bouts]


def cadence_and_speed(gait: GaitResult) -> Figure:
    """Cadence (steps/min, left axis) and walking speed (m/s, right axis) of every bout."""
    numbers, cadence = _per_bout(gait, "cadence_spm")
    _, speed = _per_bout(gait, "walking_speed_mps")
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": numbers,
            "y": cadence,
            "name": "cadence (steps/min)",
            "marker": {"color": _BLUE, "size": 9},
            "line": {"color": _BLUE},
        }
    ]
    if any(v is not None for v in speed):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": numbers,
                "y": speed,
                "name": "speed (m/s)",
                "yaxis": "y2",
                "marker": {"color": _ORANGE, "size": 9, "symbol": "diamond"},
                "line": {"color": _ORANGE, "dash": "dot"},
            }
        )
    return {
        "data": data,
        "layout": _layout(
            "Cadence and speed in each bout",
            "bout",
            "steps per minute",
            xaxis={"title": {"text": "bout"}, "dtick": 1},
            yaxis2={"title": {"text": "metres per second"}, "overlaying": "y", "side": "right"},
            showlegend=True,
            legend={"orientation": "h", "y": -0.25},
            margin={"l": 60, "r": 60, "t": 50, "b": 80},
        ),
    }


def trunk_lean(gait: GaitResult) -> Figure:
    """Mean forward lean of the trunk in every bout (degrees from vertical)."""
    numbers, lean = _per_bout(gait, "trunk_lean_deg")
    return {
        "data": [{"type": "bar", "x": numbers, "y": lean, "marker": {"color": _GREEN}, "name": "trunk lean"}],
        "layout": _layout(
            "Forward lean of your trunk while walking",
            "bout",
            "degrees forward",
            xaxis={"title": {"text": "bout"}, "dtick": 1},
        ),
    }


def recording_figures(gait: GaitResult) -> dict[str, Figure]:
    """The result page's plots, keyed by the id of the element each is drawn in."""
    if not gait.walking_bouts:
        return {}
    figures = {"plot-bouts": bouts_timeline(gait), "plot-cadence-speed": cadence_and_speed(gait)}
    if any(b.trunk_lean_deg is not None for b in gait.walking_bouts):
        figures["plot-trunk-lean"] = trunk_lean(gait)
    return figures


def time_series(
    title: str,
    y_title: str,
    series: Sequence[tuple[str, Sequence[dt.date | dt.datetime], Sequence[float | None]]],
    *,
    y_range: tuple[float, float] | None = None,
    kind: str = "lines+markers",
) -> Figure:
    """A figure of one or more named series over calendar time."""
    colours = [_BLUE, _ORANGE, _GREEN, "#6b3fa0"]
    data = []
    for i, (name, xs, ys) in enumerate(series):
        trace: dict[str, Any] = {
            "x": [(x.date() if isinstance(x, dt.datetime) else x).isoformat() for x in xs],
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
    if y_range is not None:
        yaxis["range"] = list(y_range)
    return {
        "data": data,
        "layout": _layout(
            title,
            "date",
            y_title,
            yaxis=yaxis,
            xaxis={"type": "date", "tickformat": "%d %b", "title": {"text": ""}},
            showlegend=len(series) > 1,
            legend={"orientation": "h", "y": -0.2},
            margin={"l": 60, "r": 20, "t": 50, "b": 70},
        ),
    }
