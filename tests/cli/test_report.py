"""The readable report of ``backstride analyze``: a table by day when the recording covers several."""

from __future__ import annotations

from rich.console import Console

from backstride.cli._gait import _print_days
from backstride.gait import GaitResult, GaitSummary, RecordingInfo, Subject, WalkingBout


def _bout(start_s: float, cadence: float) -> WalkingBout:
    return WalkingBout(
        start_s=start_s, end_s=start_s + 60.0, duration_s=60.0, n_steps=round(cadence), cadence_spm=cadence,
        step_length_m=0.6, stride_length_m=1.2, walking_speed_mps=1.2, trunk_lean_deg=5.0,
        step_regularity=0.8, stride_regularity=0.85, symmetry=0.94, step_time_cv_pct=3.0,
    )  # fmt: skip


def _result(duration_s: float, start_time: str | None) -> GaitResult:
    bouts = [_bout(600.0, 100.0), _bout(3600.0, 104.0), _bout(30_000.0, 110.0)]
    return GaitResult(
        backstride_version="0",
        recording=RecordingInfo(
            sampling_rate_hz=100.0, duration_s=duration_s, has_gyroscope=False, start_time=start_time
        ),
        subject=Subject(height_m=1.7, sensor_height_m=1.02, sensor_height_source="from body height"),
        summary=GaitSummary(
            recording_duration_s=duration_s,
            total_walking_s=180.0,
            n_steps=314,
            n_bouts=3,
            longest_bout_s=60.0,
            n_bouts_10s=3,
            median_cadence_spm=104.0,
            median_walking_speed_mps=1.2,
            median_stride_length_m=1.2,
            median_trunk_lean_deg=5.0,
        ),
        walking_bouts=bouts,
        initial_contacts=[],
    )


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
