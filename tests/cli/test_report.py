"""The readable report of ``backstride analyze``: a table by day when the recording covers several."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
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


def test_a_recording_without_walking_says_what_was_looked_for_and_how_to_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A minute of a sensor lying still: not an error (exit 0, zero bouts), and the report says what a walk it
    can find looks like, as the web app's result page does."""
    from backstride.cli import main

    rng = np.random.default_rng(7)
    t = np.arange(6000) / 100.0
    acc = np.array([0.3, 9.7, 0.8]) + rng.normal(0.0, 0.01, (t.size, 3))
    rows = "\n".join(f"{ti:.2f},{a:.4f},{b:.4f},{c:.4f}" for ti, (a, b, c) in zip(t, acc, strict=True))
    path = tmp_path / "still.csv"
    path.write_text("time_s,acc_x,acc_y,acc_z\n" + rows + "\n")
    assert main(["analyze", str(path), "--no-progress"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "No stretch of steady walking was found in this recording (at least four strides in a row)." in out
    assert "record again with a minute or more of walking without stopping" in out
