"""Tests of the pure helpers of ``benchmarks/run.py`` (formatting, ratios, the analyse command, options)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import run


def test_fmt_and_ratio() -> None:
    assert run.fmt(None) == "–"
    assert run.fmt(0.123456) == "0.123"
    assert run.fmt(36.61) == "36.6"
    assert run.fmt(12345.6) == "12346"
    assert run.fmt(7) == "7"
    assert run.ratio(36.6, 0.5) == pytest.approx(73.2)
    assert run.ratio(1.0, 0.0) is None
    assert run.ratio(None, 2.0) is None


def test_analyse_command_passes_heights(tmp_path: Path) -> None:
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"height_m": 1.75, "sensor_height_m": 1.08}))
    cmd = run.analyse_command(tmp_path / "imu.csv", meta)
    assert cmd[1:4] == ["analyze", str(tmp_path / "imu.csv"), "--json"]
    assert cmd[4:] == ["--height-m", "1.75", "--sensor-height-m", "1.08"]
    meta.write_text(json.dumps({"sampling_rate_hz": 100.0}))
    assert run.analyse_command(tmp_path / "imu.csv", meta)[4:] == []


def test_summary_rows_and_options() -> None:
    summary = run.Summary()
    summary.add("import backstride", "≤ 0.5 s", "0.2 s", True)
    summary.add("info row", "info", "1", None)
    assert [r["pass"] for r in summary.rows] == [True, None]
    assert summary.table().row_count == 2
    args = run.parse_args(["--sections", "speed,import", "--no-week"])
    assert args.sections == ["speed", "import"] and args.no_week
    with pytest.raises(SystemExit):
        run.parse_args(["--sections", "nonsense"])


def test_the_engines_take_turns_and_each_keeps_its_fastest_run(tmp_path: Path) -> None:
    """Runs alternate between the engines (a change of load falls on both); each keeps its fastest good run."""
    import sys

    log = tmp_path / "order.txt"

    def engine(name: str, fail_on: int = 0) -> list[str]:
        code = (
            "import json, sys\n"
            f"log = open({str(log)!r}, 'a'); log.write({name!r} + '\\n'); log.close()\n"
            f"runs = open({str(log)!r}).read().split().count({name!r})\n"
            f"sys.exit(3) if runs == {fail_on} else print(json.dumps({{'walking_bouts': [], 'initial_contacts': []}}))\n"
        )
        return [sys.executable, "-c", code]

    best = run._best_runs(
        {"a": (3, "a", engine("a", fail_on=2), 60.0), "b": (2, "b", engine("b"), 60.0)}, tmp_path / "runs"
    )
    assert log.read_text().split() == ["a", "b", "a", "b", "a"]
    assert len(best["a"]["runs_wall_s"]) == 3 and len(best["b"]["runs_wall_s"]) == 2
    assert "error" not in best["a"]  # the failed second run is never the one kept
    good = [w for i, w in enumerate(best["a"]["runs_wall_s"]) if i != 1]
    assert best["a"]["wall_s"] == min(good)
    assert best["b"]["wall_s"] == min(best["b"]["runs_wall_s"])
    only_failed = run._best_runs({"c": (1, "c", engine("c", fail_on=1), 60.0)}, tmp_path / "runs")
    assert only_failed["c"]["error"].startswith("exit 3")


def test_every_app_export_has_its_row_in_the_robustness_table() -> None:
    from benchmarks import apps

    scored = {options.get("app") for _, options in run.VARIANTS}
    assert set(apps.APPS) <= scored
