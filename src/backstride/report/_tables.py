"""A plot's figures as a table: the text alternative of every plot in the self-contained reports.

A plot's drawing says nothing to a screen reader and its figures are out of reach of a keyboard: the drawing
is hidden from screen readers (its tick labels read as a jumble of numbers; ``static/plots.js``), the plot is
a figure (``role="figure"``) named by its title, and the table of its figures folded under it is its text
alternative. The web pages fold such a table under each plot, and the reports (a recording's, the doctor's
summary) do the same with :func:`plot_table`, made from the very figure the plot is drawn from, so the two
cannot disagree. WCAG 2.2, success criterion 1.1.1 (a text alternative for non-text content) and technique
G92 (a long description giving the information of the chart).

Three shapes of figure are told apart by their data alone:

* spans (an x list with gaps, as the bouts drawn from start to end): a row per span, its start and end;
* marks over a signal (a trace drawn but not offered on hover, ``hoverinfo: "skip"``, with marker traces
  at one height, as the steps found over the trunk's acceleration): a row per mark, where and what it
  is, and the signal said in one line (how many samples, over what times and values) rather than listed;
* anything else (values along a day or bout axis): a row per x value, a column per trace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from backstride.report._plots import Figure

#: the most rows a plot's table lists (as the bouts table, ``MAX_BOUT_ROWS``); the rest are counted
MAX_TABLE_ROWS = 500


@dataclass(frozen=True)
class PlotTable:
    """What a plot shows, as rows: ``heads`` over the columns (the first over the row heads), ``rows`` of
    cells as text (the first the row's head), ``more`` rows left out, ``note`` a line under the table."""

    caption: str
    heads: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    more: int = 0
    note: str = ""


def cell(value: Any) -> str:
    """A figure for the table: four significant digits (a whole number as it is), a dash when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"


def plot_table(figure: Figure, *, max_rows: int = MAX_TABLE_ROWS) -> PlotTable | None:
    """The figures of ``figure`` as a table, or ``None`` when it draws nothing."""
    traces = [t for t in figure.get("data") or [] if t.get("x")]
    if not traces:
        return None
    layout = figure.get("layout") or {}
    caption = str(_title(layout) or "The plot's figures")
    x_head = _axis_title(layout, "xaxis") or (
        "date" if (layout.get("xaxis") or {}).get("type") == "date" else "x"
    )
    if any(x is None for t in traces for x in t["x"]):
        heads, rows = _spans(traces, layout, x_head)
        note = ""
    elif any(t.get("hoverinfo") == "skip" for t in traces):
        heads, rows, note = _marks(traces, layout, x_head)
    else:
        heads, rows = _values(traces, layout, x_head)
        note = ""
    return PlotTable(caption, heads, tuple(rows[:max_rows]), max(len(rows) - max_rows, 0), note)


def _title(layout: dict[str, Any]) -> str:
    title = layout.get("title")
    return str((title.get("text") if isinstance(title, dict) else title) or "")


def _axis_title(layout: dict[str, Any], axis: str) -> str:
    return str(((layout.get(axis) or {}).get("title") or {}).get("text") or "")


def _column(trace: dict[str, Any], layout: dict[str, Any]) -> str:
    """A trace's column head: its name, with its axis's unit unless the name already gives one."""
    name = str(trace.get("name") or "value")
    axis = "yaxis" + str(trace.get("yaxis") or "y")[1:]
    unit = _axis_title(layout, axis)
    return f"{name} ({unit})" if unit and "(" not in name and unit != name else name


def _values(
    traces: list[dict[str, Any]], layout: dict[str, Any], x_head: str
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """A row per x value (in order along the axis), a column per trace; an x a trace gives twice (two
    answers on one day) gets a row for each, so no value is lost."""
    cells: dict[tuple[Any, int], dict[int, Any]] = {}
    for i, trace in enumerate(traces):
        seen: dict[Any, int] = {}
        ys = list(trace.get("y") or [])
        for j, x in enumerate(trace["x"]):
            k = seen[x] = seen.get(x, -1) + 1
            cells.setdefault((x, k), {})[i] = ys[j] if j < len(ys) else None
    keys = list(cells)
    if all(isinstance(x, int | float) for x, _ in keys) or all(isinstance(x, str) for x, _ in keys):
        keys.sort()  # numbers, or ISO dates, in order along the axis
    heads = (x_head, *(_column(t, layout) for t in traces))
    rows = [(cell(x), *(cell(cells[x, k].get(i)) for i in range(len(traces)))) for x, k in keys]
    return heads, rows


def _spans(
    traces: list[dict[str, Any]], layout: dict[str, Any], x_head: str
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """A row per span (a run of x values between gaps): what it is (its y, e.g. the bout), start and end."""
    rows: list[tuple[str, ...]] = []
    for trace in traces:
        ys = list(trace.get("y") or [])
        run: list[int] = []
        for j, x in enumerate([*trace["x"], None]):
            if x is not None:
                run.append(j)
            elif run:
                label = ys[run[0]] if run[0] < len(ys) else None
                rows.append((cell(label), cell(trace["x"][run[0]]), cell(trace["x"][run[-1]])))
                run = []
    heads = (_axis_title(layout, "yaxis") or "span", f"start, {x_head}", f"end, {x_head}")
    return heads, rows


def _marks(
    traces: list[dict[str, Any]], layout: dict[str, Any], x_head: str
) -> tuple[tuple[str, ...], list[tuple[str, ...]], str]:
    """A row per mark (the steps over the signal), in time order: where it is and which trace it is of;
    the signal itself in one line under the table."""
    marks = sorted(
        (x, str(t.get("name") or "mark"))
        for t in traces
        if t.get("hoverinfo") != "skip"
        for x in t["x"]
        if x is not None
    )
    notes = []
    for signal in (t for t in traces if t.get("hoverinfo") == "skip"):
        ys = [y for y in signal.get("y") or [] if y is not None]
        xs = [x for x in signal["x"] if x is not None]
        if xs and ys:
            notes.append(
                f"The {signal.get('name') or 'signal'} is drawn from {len(ys)} samples, not listed here "
                f"({x_head}: {cell(min(xs))} to {cell(max(xs))}; "
                f"{_axis_title(layout, 'yaxis') or 'value'}: {cell(min(ys))} to {cell(max(ys))})."
            )
    return (x_head, "mark"), [(cell(x), name) for x, name in marks], " ".join(notes)
