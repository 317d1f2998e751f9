"""The readable report (``backstride analyze``), the HTML report (``--html``) and the JSON show the same figures
for the same recording, rounding aside, and the days of the reports add up to the recording."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from tests._results import minute_bout, result_of

from backstride import io, report
from backstride.cli._gait import print_report
from backstride.gait import GaitResult, analyze, days_of

_ROW = re.compile(r'<tr><th scope="row">([^<]+)</th><td>(.*?)</td></tr>')
_CELLS = re.compile(r"<td>(.*?)</td>")


def _fmt(value: float | None, nd: int) -> str:
    return "–" if value is None else f"{value:.{nd}f}"


def _html_rows(html: str) -> dict[str, str]:
    return dict(_ROW.findall(html))


def _table_rows(html: str, heading: str) -> list[list[str]]:
    """The body rows of the table under ``<h2>heading</h2>``, as cell texts."""
    part = html.split(f"<h2>{heading}</h2>", 1)[1].split("</table>", 1)[0]
    body = part.split("<tbody>", 1)[1]
    return [_CELLS.findall(row) for row in body.split("</tr>") if "<td>" in row]


@pytest.fixture(scope="module", params=[1.7, None], ids=["height", "no height"])
def course(request: pytest.FixtureRequest, shared_data: Path) -> GaitResult:
    """The lab's daily-life course: seven bouts, one of 10 s or more, with a gyroscope."""
    rec = io.read(shared_data / "lowback-lab" / "HA-001-Test11-Trial1" / "imu.csv")
    return analyze(rec, height_m=request.param, threads=1)


def test_the_readable_report_shows_the_json_figures(
    course: GaitResult, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    print_report(course)
    text = capsys.readouterr().out
    s = course.summary

    def row(label: str) -> str:
        line = next(line for line in text.splitlines() if line.strip("│ ").startswith(label))
        return line.split("│")[2].strip()

    assert row("walking time") == f"{s.total_walking_s:.0f} s"
    assert row("walking bouts") == f"{s.n_bouts} ({s.n_bouts_10s} of 10 s or more)"
    assert row("steps") == str(s.n_steps)
    assert row("longest bout") == f"{s.longest_bout_s:.1f} s"
    assert row("cadence") == f"{_fmt(s.median_cadence_spm, 1)} steps/min"
    assert row("walking speed") == f"{_fmt(s.median_walking_speed_mps, 2)} m/s"
    assert row("stride length") == f"{_fmt(s.median_stride_length_m, 2)} m"
    assert row("trunk lean") == f"{_fmt(s.median_trunk_lean_deg, 1)}°"
    n = s.n_pelvis_strides
    assert n is not None  # the course has a gyroscope and a bout of 10 s or more
    label = next(line for line in text.splitlines() if line.strip("│ ").startswith("pelvis")).split("│")[1]
    assert label.strip() == f"pelvis rotation / obliquity / tilt ({n} stride{'' if n == 1 else 's'})"
    assert row("pelvis") == " / ".join(
        f"{_fmt(v, 1)}°"
        for v in (s.median_pelvis_rotation_deg, s.median_pelvis_obliquity_deg, s.median_pelvis_tilt_deg)
    )
    bouts = [
        line.split() for line in text.split("Walking bouts", 1)[1].splitlines() if re.match(r"\s+\d", line)
    ]
    assert bouts == [
        [
            f"{b.start_s:.1f}",
            f"{b.end_s:.1f}",
            str(b.n_steps),
            _fmt(b.cadence_spm, 1),
            _fmt(b.stride_length_m, 2),
            _fmt(b.walking_speed_mps, 2),
            _fmt(b.trunk_lean_deg, 1),
            _fmt(b.stride_regularity, 2),
            _fmt(b.symmetry, 2),
        ]
        for b in course.walking_bouts
    ]


def test_the_html_report_shows_the_json_figures(course: GaitResult) -> None:
    html = report.recording_report(course)
    s, rows = course.summary, _html_rows(html)
    assert rows["Time walking"] == f"{s.total_walking_s / 60:.1f} min"
    assert rows["Walking bouts"] == f"{s.n_bouts} ({s.n_bouts_10s} of 10 s or more)"
    assert rows["Steps"] == str(s.n_steps)
    assert rows["Longest bout"] == f"{s.longest_bout_s:.1f} s"
    assert rows["Cadence"] == f"{s.median_cadence_spm:.1f} steps/min"
    assert rows["Walking speed"] == (
        "–" if s.median_walking_speed_mps is None else f"{s.median_walking_speed_mps:.2f} m/s"
    )
    assert rows["Stride length"] == (
        "–" if s.median_stride_length_m is None else f"{s.median_stride_length_m:.2f} m"
    )
    assert rows["Body height"] == (
        "–" if course.subject.height_m is None else f"{course.subject.height_m:.2f} m"
    )
    assert rows["Trunk lean"] == f"{s.median_trunk_lean_deg:.1f}° forward"
    assert rows["Pelvis in a stride"] == (
        f"turns {s.median_pelvis_rotation_deg:.1f}°, rocks side to side {s.median_pelvis_obliquity_deg:.1f}°, "
        f"tips forward and back {s.median_pelvis_tilt_deg:.1f}° (medians over {s.n_pelvis_strides} stride{'' if s.n_pelvis_strides == 1 else 's'})"
    )
    if s.median_step_length_left_m is None:
        assert "Steps onto the left / right foot" not in rows
    else:
        assert rows["Steps onto the left / right foot"] == (
            f"{s.median_step_length_left_m:.2f} / {s.median_step_length_right_m:.2f} m"
        )
    assert _table_rows(html, "Walking bouts") == [
        [
            str(i),
            f"{b.start_s:.1f}",
            f"{b.end_s:.1f}",
            str(b.n_steps),
            _fmt(b.cadence_spm, 1),
            _fmt(b.stride_length_m, 2),
            _fmt(b.walking_speed_mps, 2),
            _fmt(b.trunk_lean_deg, 1),
            _fmt(b.stride_regularity, 2),
            _fmt(b.symmetry, 2),
            _fmt(b.step_time_cv_pct, 1),
            _fmt(b.pelvis_rotation_deg, 1),
        ]
        for i, b in enumerate(course.walking_bouts, start=1)
    ]


def test_the_reports_days_add_up_to_the_recording() -> None:
    """Three bouts over two calendar days: the HTML report's and the readable report's day rows show the
    day figures, whose steps, bouts and walking add up to the summary's."""
    result = result_of(
        [minute_bout(600.0, 100.0, 1.1), minute_bout(3600.0, 104.0, 1.2), minute_bout(30_000.0, 110.0, 1.3)],
        40_000.0,
        "2024-03-01T20:00:00+01:00",
    )
    s = result.summary
    grid, days = days_of(result)
    assert grid.n_days == 2
    assert sum(days["n_steps"]) == s.n_steps and sum(days["n_bouts"]) == s.n_bouts
    assert sum(days["walking_s"]) == pytest.approx(s.total_walking_s)
    assert sum(days["recorded_s"]) == pytest.approx(result.recording.duration_s)
    rows = _table_rows(report.recording_report(result), "By day")
    assert rows == [
        ["2024-03-01", "4.0", "2.0", "204", "2", "102.0", "1.15", "1.19"],
        ["2024-03-02", "7.1", "1.0", "110", "1", "110.0", "1.30", "1.30"],
    ]
    assert sum(int(r[3]) for r in rows) == s.n_steps
    assert sum(float(r[2]) for r in rows) == pytest.approx(s.total_walking_s / 60)


def test_a_trunk_leaning_back_is_said_to_lean_back() -> None:
    """Lean is signed, positive forward (the JSON's field): the HTML report said "-4.0° forward" for a trunk
    leaning back by 4°, as for a sensor worn upside down or a person leaning back."""
    base = result_of([minute_bout(0.0)], 120.0)
    back = dataclasses.replace(base, summary=dataclasses.replace(base.summary, median_trunk_lean_deg=-4.0))
    assert _html_rows(report.recording_report(back))["Trunk lean"] == "4.0° backward"
    assert _html_rows(report.recording_report(base))["Trunk lean"] == "5.0° forward"
    upright = dataclasses.replace(base, summary=dataclasses.replace(base.summary, median_trunk_lean_deg=0.0))
    assert _html_rows(report.recording_report(upright))["Trunk lean"] == "0.0°"
    none = dataclasses.replace(base, summary=dataclasses.replace(base.summary, median_trunk_lean_deg=None))
    assert _html_rows(report.recording_report(none))["Trunk lean"] == "–"
