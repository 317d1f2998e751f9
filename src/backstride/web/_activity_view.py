"""A phone's or watch's own day figures (Apple Health, a Garmin watch) for the progress page: one row per
day and source, the latest days for a table, and the plotted series.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backstride.activity import DaySummary
    from backstride.report import DailySeries
    from backstride.store import ActivityDay


#: how each kind of source is named on the pages
ACTIVITY_SOURCES = {"apple_health": "Apple Health", "fit": "Garmin watch"}
#: the table shows the latest days with figures, this many of them
ACTIVITY_TABLE_DAYS = 14
#: the plots reach this many days back from each source's newest day (a display window, not a rule)
ACTIVITY_PLOT_DAYS = 730


@dataclass(frozen=True)
class ActivitySource:
    """What is kept from one kind of source: the file last uploaded, when, and the days it covers."""

    label: str
    file: str
    imported_at: dt.datetime
    days: int
    first: dt.date
    last: dt.date


def activity_label(source_format: str) -> str:
    """The plain name of a kind of source (``apple_health`` → Apple Health)."""
    return ACTIVITY_SOURCES.get(source_format, source_format)


def activity_view(db: Any, patient: Any) -> dict[str, Any]:
    """The plots, the table of the latest days and the sources of the walking figures a phone or watch
    computed (``activity_days``), for the progress page."""
    from backstride import report, store

    rows = store.activity_days_of(db, patient.id)
    if not rows:
        return {"activity_figures": {}, "activity_rows": [], "activity_sources": []}
    by_format = {
        fmt: [r for r in rows if r.source_format == fmt] for fmt in sorted({r.source_format for r in rows})
    }
    days_by_format = {fmt: _one_per_day(fmt_rows) for fmt, fmt_rows in by_format.items()}
    series = [
        _daily_series(fmt, _last_days(days, ACTIVITY_PLOT_DAYS)) for fmt, days in days_by_format.items()
    ]
    latest_dates = sorted({r.date for r in rows}, reverse=True)[:ACTIVITY_TABLE_DAYS]
    table = sorted(
        ((fmt, d) for fmt, days in days_by_format.items() for d in days if d.date >= latest_dates[-1]),
        key=lambda item: (-item[1].date.toordinal(), item[0]),
    )
    return {
        "activity_figures": report.activity_figures(series),
        "activity_rows": [(activity_label(fmt), day) for fmt, day in table],
        "activity_sources": [_activity_source(fmt, fmt_rows) for fmt, fmt_rows in by_format.items()],
    }


def _one_per_day(rows: list[ActivityDay]) -> list[DaySummary]:
    """The kept days of one kind of source, one per date (several walk files of a day combined by the
    activity package's rule), oldest first."""
    from backstride.activity import DaySummary, combine_days

    by_date: dict[dt.date, list[DaySummary]] = {}
    for r in rows:
        by_date.setdefault(r.date, []).append(
            DaySummary(
                date=r.date,
                steps=r.steps,
                distance_m=r.distance_m,
                walking_speed_mps=r.walking_speed_mps,
                step_length_m=r.step_length_m,
                walking_asymmetry_pct=r.walking_asymmetry_pct,
                double_support_pct=r.double_support_pct,
                walks=r.walks,
            )
        )
    return [days[0] if len(days) == 1 else combine_days(days) for _, days in sorted(by_date.items())]


def _last_days(rows: list[DaySummary], days: int) -> list[DaySummary]:
    """The rows of the ``days`` days up to the newest one (each source keeps its own latest stretch, so an
    old watch file still shows beside a recent phone export)."""
    newest = max(r.date for r in rows)
    return [r for r in rows if r.date > newest - dt.timedelta(days=days)]


def _daily_series(source_format: str, rows: list[DaySummary]) -> DailySeries:
    from backstride.report import DailySeries

    return DailySeries(
        label=activity_label(source_format),
        dates=[r.date for r in rows],
        steps=[r.steps for r in rows],
        speed_mps=[r.walking_speed_mps for r in rows],
        asymmetry_pct=[r.walking_asymmetry_pct for r in rows],
        double_support_pct=[r.double_support_pct for r in rows],
    )


def _activity_source(source_format: str, rows: list[ActivityDay]) -> ActivitySource:
    latest = max(rows, key=lambda r: (r.imported_at, r.id))
    return ActivitySource(
        label=activity_label(source_format),
        file=latest.source,
        imported_at=latest.imported_at,
        days=len(rows),
        first=min(r.date for r in rows),
        last=max(r.date for r in rows),
    )
