"""Reports and plots: what the engine and the clinic found, drawn for people to look at.

Figures are plotly descriptions (plain dicts) drawn by the plotly.js shipped in ``static/`` — by the web app,
which serves it, and by the self-contained HTML report of one recording (``backstride analyze --html``),
which carries it inside. Only data is turned into figures here; what counts as good or bad is the clinic's
business.
"""

from __future__ import annotations

from backstride.report._html import (
    MAX_BOUT_ROWS,
    PLOTLY_JS,
    check_writable,
    figure_json,
    recording_report,
    report_figures,
    write_recording_report,
)
from backstride.report._plots import (
    MANY_BOUTS,
    DailySeries,
    Figure,
    activity_figures,
    recording_figures,
    signal_figure,
    time_series,
    trace_spans,
    walking_by_hour,
)

__all__ = [
    "MANY_BOUTS",
    "MAX_BOUT_ROWS",
    "PLOTLY_JS",
    "DailySeries",
    "Figure",
    "activity_figures",
    "check_writable",
    "figure_json",
    "recording_figures",
    "recording_report",
    "report_figures",
    "signal_figure",
    "time_series",
    "trace_spans",
    "walking_by_hour",
    "write_recording_report",
]
