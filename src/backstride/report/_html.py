"""A recording's report as one self-contained HTML file: tables, notes and plots, readable offline.

Everything the page needs is inside it (styles, plotly.js, the figures as JSON), so it can be mailed,
archived with a study's data or opened years later without a network or a server; it prints on paper with
the plots as drawn. The file is written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backstride import _files
from backstride._files import write_text_whole
from backstride._words import plural
from backstride.report._plots import Figure, recording_figures, signal_figure, walking_by_hour
from backstride.report._tables import plot_table

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

    from backstride.clinic import NormComparison
    from backstride.gait import GaitResult, VerticalTrace

_HERE = Path(__file__).parent
PLOTLY_JS = _HERE / "static" / "plotly.min.js"
#: the script that draws the figures (titles fitted to the plot's width), inside every report and served to the
#: app's pages as /static/plots.js
PLOTS_JS = _HERE / "static" / "plots.js"

# above this length a recording gets an hour-by-hour view of its walking
_HOURLY_FROM_S = 3 * 3600.0
# day and month names in English whatever the machine's locale (strftime's follow it)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# the bouts table lists this many; the JSON output has them all
MAX_BOUT_ROWS = 500


def figure_json(figure: Figure) -> Markup:
    """A figure as JSON for a ``<script type="application/json">`` block (``</`` escaped)."""
    from markupsafe import Markup

    return Markup(json.dumps(figure, separators=(",", ":")).replace("</", "<\\/"))


def report_figures(gait: GaitResult, traces: Sequence[VerticalTrace] = ()) -> dict[str, Figure]:
    """The report's plots keyed by element id: the signal stretches, the bouts, and walking by hour."""
    figures: dict[str, Figure] = {}
    for i, trace in enumerate(traces, start=1):
        if trace.vertical_mps2.size:
            figures[f"plot-signal-{i}"] = signal_figure(trace, gait)
    figures.update(recording_figures(gait))
    if gait.summary.recording_duration_s > _HOURLY_FROM_S:
        figures["plot-by-hour"] = walking_by_hour(gait)
    return figures


def recording_report(
    gait: GaitResult,
    *,
    traces: Sequence[VerticalTrace] = (),
    norms: NormComparison | None = None,
    norms_note: str | None = None,
    signal_note: str | None = None,
) -> str:
    """The report as HTML text (see :func:`write_recording_report`); ``signal_note`` says why the signal
    is not drawn, when it is not."""
    from backstride.gait import days_of

    grid, days = days_of(gait)
    day_rows = (
        [
            {
                "day": days["date"][i].isoformat()
                if days["date"][i] is not None
                else f"day {days['day_index'][i]}",
                "hours": days["recorded_s"][i] / 3600,
                "walking_min": days["walking_s"][i] / 60,
                "steps": days["n_steps"][i],
                "bouts": days["n_bouts"][i],
                "cadence": days["median_cadence_spm"][i],
                "speed": days["median_walking_speed_mps"][i],
                "p90": days["p90_walking_speed_mps"][i],
            }
            for i in range(grid.n_days)
        ]
        if grid.n_days > 1
        else []
    )
    figures = report_figures(gait, traces)
    template = _environment().get_template("recording.html")
    return template.render(
        gait=gait,
        norms=norms,
        norms_note=norms_note,
        signal_note=signal_note,
        bouts=gait.walking_bouts[:MAX_BOUT_ROWS],
        more_bouts=max(len(gait.walking_bouts) - MAX_BOUT_ROWS, 0),
        days=day_rows,
        figures=figures,
        has_signal=any(key.startswith("plot-signal") for key in figures),
        made=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        plotly=_plotly(),
    )


def write_recording_report(
    path: Path,
    gait: GaitResult,
    *,
    traces: Sequence[VerticalTrace] = (),
    norms: NormComparison | None = None,
    norms_note: str | None = None,
) -> None:
    """Write the report of one analysed recording to ``path`` (HTML, self-contained).

    ``traces`` are stretches of the vertical acceleration to show with the steps found in them
    (:func:`backstride.gait.vertical_traces` over :func:`trace_spans`); ``norms`` the clinic's comparison
    with norms for the person's age and sex, or ``norms_note`` why there is none. The file appears whole
    (written next to its place, then renamed) or not at all.
    """
    check_writable(path)
    write_text_whole(path, recording_report(gait, traces=traces, norms=norms, norms_note=norms_note))


def check_writable(path: Path) -> None:
    """Refuse, before any work, a report path whose folder is missing or cannot be written."""
    _files.check_writable(path, "the report", "report.html")


@cache
def _plotly() -> Markup:
    from markupsafe import Markup

    return Markup(PLOTLY_JS.read_text(encoding="utf-8"))


@cache
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["figure_json"] = figure_json
    env.filters["plot_table"] = plot_table
    env.globals["plot_script"] = Markup(PLOTS_JS.read_text(encoding="utf-8"))
    env.filters["num"] = _num
    from backstride.clinic import urgency_in_words  # the clinic's words, imported when a report is made

    env.filters["urgency"] = urgency_in_words
    env.filters["lean"] = lean_text
    env.filters["plural"] = plural
    env.filters["day"] = lambda when: when.astimezone().date()  # a moment's day where the clinic is
    env.filters["weekday"] = lambda day: _WEEKDAYS[day.weekday()]
    env.filters["month"] = lambda day: _MONTHS[day.month - 1]
    return env


def lean_text(value: float | None, degrees: str = "°") -> str:
    """A signed trunk lean (positive forward, as the result gives it) in words: a trunk leaning back by 4° is
    "4.0° backward", not "-4.0° forward" (``degrees`` is the unit as the page writes it)."""
    if value is None:
        return "–"
    shown = round(float(value), 1)
    if shown == 0:
        return f"0.0{degrees}"
    return f"{abs(shown):.1f}{degrees} {'forward' if shown > 0 else 'backward'}"


def _num(value: Any, digits: int = 1, unit: str = "") -> str:
    """A number rounded for reading, with its unit; a dash when it could not be measured."""
    if value is None:
        return "–"
    text = f"{float(value):.{digits}f}"
    return f"{text} {unit}".strip() if unit else text
