"""Every plot of the self-contained reports has its figures as a table under it (folded), made from the data
the plot is drawn from: the text alternative a screen reader reads and a keyboard reaches."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from tests.report.conftest import synthetic_result
from tests.report.test_course import AT, _record

from backstride import report
from backstride.gait import GaitResult
from backstride.report._tables import cell, plot_table

Table = tuple[list[str], list[list[str]]]


def _tables(page: str) -> dict[str, Table]:
    """Each plot's table by the plot's id: its column heads and its rows (the row head first), as read."""
    plots = re.findall(r'<div id="(plot-[a-z0-9-]+)" class="plot" role="figure"', page)
    assert plots
    found: dict[str, Table] = {}
    for plot_id in plots:
        folded = re.search(
            rf'<details class="plot-figures" id="{plot_id}-figures">(.*?)</details>', page, re.S
        )
        assert folded, f"{plot_id} has no table of its figures"
        body = folded.group(1)
        assert "<caption>" in body
        heads = [html.unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', body)]
        rows = [
            [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", body, re.S)
        ]
        found[plot_id] = (heads, rows)
    return found


def _number(text: str) -> float | None:
    return None if text == "–" else float(text)


def test_each_plot_of_a_walks_report_has_its_figures_as_a_table(analysed: tuple[GaitResult, list]) -> None:
    result, traces = analysed
    page = report.recording_report(result, traces=traces)
    tables = _tables(page)
    assert set(tables) == set(report.report_figures(result, traces))
    bouts = result.walking_bouts
    assert len(bouts) >= 5

    heads, rows = tables["plot-bouts"]
    assert heads == [
        "bout",
        "start, time in the recording (minutes)",
        "end, time in the recording (minutes)",
    ]
    assert [int(r[0]) for r in rows] == list(range(1, len(bouts) + 1))
    for row, bout in zip(rows, bouts, strict=True):
        assert _number(row[1]) == pytest.approx(bout.start_s / 60, rel=1e-3)
        assert _number(row[2]) == pytest.approx(bout.end_s / 60, rel=1e-3)

    heads, rows = tables["plot-cadence-speed"]
    assert heads == ["bout", "cadence (steps/min)", "speed (m/s)"]
    for row, bout in zip(rows, bouts, strict=True):
        assert _number(row[1]) == pytest.approx(bout.cadence_spm, rel=1e-3)
        assert _number(row[2]) == pytest.approx(bout.walking_speed_mps, rel=1e-3)

    heads, rows = tables["plot-foot-steps"]
    assert heads[1:] == [
        "steps onto the left foot (mean step length (m))",
        "steps onto the right foot (mean step length (m))",
    ]
    for row, bout in zip(rows, bouts, strict=True):
        for text, value in zip(row[1:], (bout.step_length_left_m, bout.step_length_right_m), strict=True):
            assert _number(text) == (None if value is None else pytest.approx(value, rel=1e-3))

    heads, rows = tables["plot-trunk-lean"]
    assert heads == ["bout", "trunk lean (degrees forward)"]
    assert [_number(r[1]) for r in rows] == [pytest.approx(b.trunk_lean_deg, rel=1e-3) for b in bouts]


def test_the_signals_table_lists_the_steps_found_in_it(analysed: tuple[GaitResult, list]) -> None:
    """The signal's plot marks the steps found (by foot) over the trunk's acceleration: its table lists the
    steps, and says the acceleration's samples in one line rather than a row for each."""
    result, traces = analysed
    page = report.recording_report(result, traces=traces)
    tables = _tables(page)
    names = {"left": "left foot", "right": "right foot", None: "foot not known"}
    kinds: set[str] = set()
    for i, trace in enumerate(traces, start=1):
        heads, rows = tables[f"plot-signal-{i}"]
        assert heads == ["time in the recording (s)", "mark"]
        lo, hi = float(trace.time_s[0]), float(trace.time_s[-1])
        steps = sorted(
            (
                c.time_s,
                "closing step"
                if c.closing_step
                else "starting or stopping step"
                if not c.in_bout
                else names[c.foot],
            )
            for c in result.initial_contacts
            if lo <= c.time_s <= hi
        )
        assert steps
        assert [r[1] for r in rows] == [what for _, what in steps]
        kinds.update(what for _, what in steps)
        assert [_number(r[0]) for r in rows] == [pytest.approx(t, abs=0.01) for t, _ in steps]
        folded = page.split(f'id="plot-signal-{i}-figures">')[1].split("</details>")[0]
        assert f"drawn from {trace.vertical_mps2.size} samples, not listed here" in folded
    # the sample's walks have short starting and stopping steps, marked apart from the bouts' steps
    assert {"left foot", "right foot", "starting or stopping step"} <= kinds


def test_a_long_recordings_hourly_plot_has_its_table_and_a_long_table_is_capped() -> None:
    result = synthetic_result(report.MAX_BOUT_ROWS + 3, 60_000.0)
    page = report.recording_report(result)
    tables = _tables(page)
    heads, rows = tables["plot-by-hour"]
    assert heads == ["hour of the recording", "walking (minutes)"]
    assert [r[0] for r in rows] == [str(h) for h in range(17)]
    assert _number(rows[0][1]) == pytest.approx((6 * 60 + 10) / 60, abs=0.01)
    assert _number(rows[1][1]) == pytest.approx((50 + 35 * 60 + 10) / 60, abs=0.01)
    # 503 bouts, drawn at their start times: the first 500 are listed and the rest counted
    heads, rows = tables["plot-cadence-speed"]
    assert heads[0] == "time in the recording (hours)" and len(rows) == report.MAX_BOUT_ROWS
    assert _number(rows[0][0]) == pytest.approx(2990 / 3600, abs=1e-3)
    folded = page.split('id="plot-cadence-speed-figures">')[1].split("</details>")[0]
    assert "… and 3 more rows, not listed here." in folded


def test_each_plot_of_the_doctors_summary_has_its_figures_as_a_table() -> None:
    tables = _tables(report.course_report(_record(), generated_at=AT))
    assert set(tables) == {
        "plot-pain",
        "plot-disability",
        "plot-weekly-minutes",
        "plot-speed",
        "plot-cadence",
    }
    assert tables["plot-pain"] == (
        [
            "date",
            "highest pain during or after walks (diary)",
            "pain the next morning (diary)",
            "pain rating (NPRS)",
        ],
        [
            ["2026-11-02", "6", "5", "7"],
            ["2026-11-03", "4", "3", "–"],
            ["2026-11-08", "5", "–", "–"],
            ["2026-11-18", "–", "–", "–"],
            ["2026-11-23", "–", "–", "3"],
        ],
    )
    assert tables["plot-disability"] == (
        ["date", "Oswestry (%)"],
        [["2026-11-02", "44"], ["2026-11-23", "40"]],
    )
    assert tables["plot-weekly-minutes"] == (
        ["date", "walked (minutes)", "planned (minutes)"],
        [["2026-11-02", "75", "100"], ["2026-11-09", "–", "140"], ["2026-11-16", "45", "315"]],
    )
    assert tables["plot-speed"][1] == [["2026-11-03", "0.8"], ["2026-11-24", "1.05"]]
    assert tables["plot-cadence"][1] == [["2026-11-03", "92"], ["2026-11-24", "104"]]
    # the copy for a record system has no plots, and so no tables of them
    assert '<details class="plot-figures"' not in report.course_report(
        _record(), generated_at=AT, plots=False
    )


def test_two_values_on_one_day_are_two_rows_and_figures_read_as_written() -> None:
    figure = report.time_series(
        "Pain",
        "pain 0-10",
        [("pain", [dt.date(2026, 11, 3), dt.date(2026, 11, 2), dt.date(2026, 11, 3)], [4.0, 6.0, 5.5])],
    )
    table = plot_table(figure)
    assert table is not None
    assert table.rows == (("2026-11-02", "6"), ("2026-11-03", "4"), ("2026-11-03", "5.5"))
    assert [cell(v) for v in (None, float("nan"), 3, 2.0, 0.12345, 105.26, 12345.6)] == [
        "–",
        "–",
        "3",
        "2",
        "0.1235",
        "105.3",
        "12346",
    ]
    assert plot_table({"data": [], "layout": {}}) is None
