"""The self-contained HTML report of one recording: the engine's numbers, the signal behind the steps,
written whole or not at all."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
from tests.report.conftest import synthetic_result, tables_and_their_boxes

from backstride import InputError, gait, io, report
from backstride.gait import GaitResult

_BLOCK = re.compile(r'<script type="application/json" data-plot-for="([^"]+)">(.*?)</script>', re.S)


def _figures(html: str) -> dict[str, dict]:
    return {key: json.loads(text.replace("<\\/", "</")) for key, text in _BLOCK.findall(html)}


def test_the_report_carries_the_results_numbers(analysed: tuple[GaitResult, list]) -> None:
    result, traces = analysed
    html = report.recording_report(result, traces=traces)
    figures = _figures(html)
    # the three longest bouts get the signal view, then the figures the web app shows too
    assert list(figures) == [
        "plot-signal-1", "plot-signal-2", "plot-signal-3", "plot-bouts", "plot-cadence-speed", "plot-foot-steps",
        "plot-trunk-lean",
    ]  # fmt: skip
    longest = sorted(result.walking_bouts, key=lambda b: -b.duration_s)[:3]
    for i, bout in enumerate(sorted(longest, key=lambda b: b.start_s), start=1):
        fig = figures[f"plot-signal-{i}"]
        signal = fig["data"][0]
        assert signal["x"][0] <= bout.start_s and signal["x"][-1] >= bout.end_s  # bouts under 40 s: whole
        shown = {trace["name"]: trace["x"] for trace in fig["data"][1:] if trace["mode"] == "markers"}
        for foot in ("left", "right"):
            expected = [
                c.time_s
                for c in result.initial_contacts
                if c.foot == foot and c.in_bout and signal["x"][0] <= c.time_s <= signal["x"][-1]
            ]
            assert shown.get(f"{foot} foot", []) == expected
        # a walk's starting and stopping steps are marked apart, outside the bouts
        apart = [
            c.time_s
            for c in result.initial_contacts
            if not c.in_bout and not c.closing_step and signal["x"][0] <= c.time_s <= signal["x"][-1]
        ]
        assert shown.get("starting or stopping step", []) == apart
        assert any(s["x0"] == bout.start_s and s["x1"] == bout.end_s for s in fig["layout"]["shapes"])
    rows = re.findall(r"<tr><td>(\d+)</td><td>([\d.]+)</td>", html)
    assert [int(n) for n, _ in rows] == list(range(1, result.summary.n_bouts + 1))
    assert [float(s) for _, s in rows] == [round(b.start_s, 1) for b in result.walking_bouts]
    assert f"{result.summary.median_cadence_spm:.1f} steps/min" in html
    assert f"{result.summary.median_walking_speed_mps:.2f} m/s" in html
    assert result.summary.median_pelvis_rotation_deg is not None  # the sample has a gyroscope
    assert f"turns {result.summary.median_pelvis_rotation_deg:.1f}°" in html


def test_on_a_phone_each_table_scrolls_in_a_box_a_keyboard_reaches_and_a_screen_reader_names(
    analysed: tuple[GaitResult, list],
) -> None:
    """At a phone's width the bouts' table scrolls sideways inside itself: in a focusable region named by its
    section (axe's ``scrollable-region-focusable``), as each plot's figures do; the two-column ones wrap."""
    result, traces = analysed
    spans = ("0:27–0:36", "0:37–0:51", "1:16–1:29")  # the three longest bouts' signal, each its own figures
    assert tables_and_their_boxes(report.recording_report(result, traces=traces)) == [
        ("kv", None),
        ("kv", None),
        *[("", f"The figures of: Trunk movement and the steps found, {span}") for span in spans],
        ("", "The figures of: Walking through the recording"),
        ("", "The figures of: Cadence and speed in each bout"),
        ("", "The figures of: Left and right steps in each bout"),
        ("", "The figures of: Forward lean of the trunk while walking"),
        ("", "Walking bouts"),
    ]
    long = synthetic_result(30, 3 * 86_400.0)  # several days: a table by day too
    assert ("", "Walking by day") in tables_and_their_boxes(report.recording_report(long))


def test_the_report_is_self_contained(analysed: tuple[GaitResult, list]) -> None:
    result, traces = analysed
    html = report.recording_report(result, traces=traces)
    plotly = report.PLOTLY_JS.read_text(encoding="utf-8")
    assert f"<script>{plotly}</script>" in html  # plotly.js is inside the page
    ours = html.replace(plotly, "")
    assert re.search(r"""\s(src|href)\s*=""", ours) is None  # nothing is fetched: no script, style or link
    assert html.count("Plotly.newPlot") == 1


def test_traces_are_the_vertical_acceleration_whether_streamed_or_whole(shared_data: Path) -> None:
    path = shared_data / "lowback-lab" / "HA-001-Test11-Trial1" / "imu.csv"  # x vertical, as recorded
    rec = io.read(path)
    spans = [(36.0, 52.0), (75.5, 88.0), (0.0, 3.0)]
    whole = gait.vertical_traces([rec], spans)
    streamed = gait.vertical_traces(io.iter_chunks(path, chunk_s=20.0), spans)  # spans cross the chunks
    for a, b, (lo, hi) in zip(whole, streamed, spans, strict=True):
        assert a.rate_hz == b.rate_hz == 50.0
        assert a.start_s == pytest.approx(lo) and a.time_s[-1] == pytest.approx(hi - 0.02, abs=0.021)
        np.testing.assert_allclose(a.vertical_mps2, b.vertical_mps2, atol=1e-9)
    # against the acceleration along the stretch's mean gravity, less its mean: the same signal up to the
    # slow wobble of the trunk's tilt, which the trace follows and a fixed direction does not
    t = rec.time_s
    for trace in whole[:2]:
        near = (t >= trace.start_s) & (t <= trace.time_s[-1])
        acc = rec.acc_mps2[near]
        up = acc.mean(axis=0) / np.linalg.norm(acc.mean(axis=0))
        along = acc @ up
        same = np.interp(trace.time_s, t[near], along - along.mean())
        assert np.corrcoef(same, trace.vertical_mps2)[0, 1] > 0.95
        assert np.std(trace.vertical_mps2) == pytest.approx(np.std(same), rel=0.15)


def test_a_span_outside_the_recording_gives_an_empty_trace() -> None:
    (trace,) = gait.vertical_traces(io.iter_chunks(io.sample_path()), [(10_000.0, 10_010.0)])
    assert trace.vertical_mps2.size == 0
    result = gait.analyze(io.read(io.sample_path()), height_m=1.59)
    assert "plot-signal-1" not in report.report_figures(result, [trace])


def test_a_long_recording_gets_walking_by_hour_and_a_capped_table() -> None:
    result = synthetic_result(
        report.MAX_BOUT_ROWS + 3, 60_000.0
    )  # minute-long bouts every 100 s from 2990 s on
    html = report.recording_report(result)
    by_hour = _figures(html)["plot-by-hour"]["data"][0]
    assert len(by_hour["x"]) == 17  # 16.7 h
    assert sum(by_hour["y"]) == pytest.approx(result.summary.total_walking_s / 60)
    # six bouts in hour 0, and the one from 3590 to 3650 s is split at the hour: 10 s in hour 0, 50 s in 1;
    # hour 1 then has 35 whole bouts and 10 s of the one from 7190 s
    assert by_hour["y"][0] == pytest.approx((6 * 60 + 10) / 60, abs=0.01)
    assert by_hour["y"][1] == pytest.approx((50 + 35 * 60 + 10) / 60, abs=0.01)
    assert "… and 3 more" in html
    assert len(re.findall(r"<tr><td>\d+</td>", html)) == report.MAX_BOUT_ROWS
    short = dataclasses.replace(
        result, summary=dataclasses.replace(result.summary, recording_duration_s=7200.0)
    )
    assert "plot-by-hour" not in report.report_figures(short)


def test_the_file_is_written_whole_or_not_at_all(
    tmp_path: Path, analysed: tuple[GaitResult, list], monkeypatch: pytest.MonkeyPatch
) -> None:
    result, traces = analysed
    with pytest.raises(InputError, match="does not exist"):
        report.write_recording_report(tmp_path / "missing" / "r.html", result)
    with pytest.raises(InputError, match="is a folder"):
        report.write_recording_report(tmp_path, result)
    target = tmp_path / "r.html"
    target.write_text("the earlier report")

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full")

    import backstride.report._html as html_module

    monkeypatch.setattr(html_module, "recording_report", broken)
    with pytest.raises(RuntimeError):
        report.write_recording_report(target, result, traces=traces)
    assert target.read_text() == "the earlier report"
    monkeypatch.undo()
    report.write_recording_report(target, result, traces=traces)
    assert _figures(target.read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]  # no part file left behind
