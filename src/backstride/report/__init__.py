"""Reports and plots: what the engine and the clinic found, drawn for people to look at.

Figures are plotly descriptions (plain dicts) drawn by the plotly.js shipped in ``static/`` — by the web app,
which serves it, and by the self-contained HTML report of one recording (``backstride analyze --html``),
which carries it inside — and by the progress summary of a patient's whole course for their doctor
(``course_report``), and the home program a patient takes home on paper (``home_program_sheet``). Only data is turned into figures here; what counts as good or bad is the clinic's
business.
"""

from __future__ import annotations

from backstride.report._course import ActivityWeek, DiaryWeek, activity_weeks, course_report, diary_weeks
from backstride.report._html import (
    MAX_BOUT_ROWS,
    PLOTLY_JS,
    check_writable,
    figure_json,
    lean_text,
    recording_report,
    report_figures,
    write_recording_report,
)
from backstride.report._plots import (
    MANY_BOUTS,
    TREND_SPANS,
    DailySeries,
    Figure,
    activity_figures,
    recording_figures,
    signal_figure,
    time_series,
    trace_spans,
    walking_by_hour,
)
from backstride.report._sheet import home_program_sheet
from backstride.report._tables import PlotTable, plot_table

__all__ = [
    "MANY_BOUTS",
    "MAX_BOUT_ROWS",
    "PLOTLY_JS",
    "TREND_SPANS",
    "ActivityWeek",
    "DailySeries",
    "DiaryWeek",
    "Figure",
    "PlotTable",
    "activity_figures",
    "activity_weeks",
    "check_writable",
    "course_report",
    "diary_weeks",
    "figure_json",
    "home_program_sheet",
    "lean_text",
    "plot_table",
    "recording_figures",
    "recording_report",
    "report_figures",
    "signal_figure",
    "time_series",
    "trace_spans",
    "walking_by_hour",
    "write_recording_report",
]
