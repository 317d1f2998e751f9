"""The readable report of ``backstride analyze``: a table by day when the recording covers several."""

from __future__ import annotations

from rich.console import Console
from tests._results import minute_bout, result_of

from backstride.cli._gait import _print_days
from backstride.gait import GaitResult


def _result(duration_s: float, start_time: str | None) -> GaitResult:
    bouts = [
        minute_bout(600.0, 100.0, 1.2),
        minute_bout(3600.0, 104.0, 1.2),
        minute_bout(30_000.0, 110.0, 1.2),
    ]
    return result_of(bouts, duration_s, start_time)


def _printed(result: GaitResult) -> str:
    console = Console(record=True, width=100)
    _print_days(console, result)
    return console.export_text()


def test_a_recording_over_midnight_gets_a_row_per_calendar_day() -> None:
    text = _printed(_result(40_000.0, "2024-03-01T20:00:00+01:00"))  # 20:00 to 07:06 the next day
    assert "By day" in text
    first = next(line for line in text.splitlines() if "2024-03-01" in line).split()
    second = next(line for line in text.splitlines() if "2024-03-02" in line).split()
    assert first[1:6] == ["4.0", "2.0", "204", "2", "102.0"]  # 4 h recorded, 2 min walking, cadence median
    assert second[1:6] == ["7.1", "1.0", "110", "1", "110.0"]


def test_one_day_gets_no_table() -> None:
    assert _printed(_result(20_000.0, "2024-03-01T08:00:00")) == ""
    # without a start time, days are 24-hour periods from the start
    assert "day 2" in _printed(_result(90_000.0, None))
