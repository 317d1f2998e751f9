"""``backstride activity``: the day and session tables, the JSON, and one readable error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from backstride import InputError
from backstride.cli._activity import register


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """The test's stand-in for the backstride command group."""

    return app


def test_tables_by_day_and_session(app: typer.Typer, shared_data: Path) -> None:
    export = shared_data / "devices" / "apple_health" / "opendroid_hk_sampleexport-2.xml"
    result = CliRunner().invoke(app, ["activity", str(export)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "By day" in out and "Walk sessions" in out
    assert "1 workout(s) other than walking or hiking left out" in out  # the notes
    day = next(line for line in out.splitlines() if "2020-09-16" in line).split()
    assert day[-4:] == ["–", "20.0", "29.4", "0"]  # step length, asymmetry %, double support %, walks
    assert "DonorOne's Apple" in out


def test_json_of_a_fit_walk(app: typer.Typer, shared_data: Path) -> None:
    walk = shared_data / "devices" / "garmin_fit" / "fitparse_garmin-fenix-5-walk.fit"
    result = CliRunner().invoke(app, ["activity", str(walk), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["source_format"] == "fit"
    assert out["days"] == [
        {
            "date": "2017-06-11",
            "steps": 82,
            "distance_m": 67.85,
            "walking_speed_mps": 1.495,
            "step_length_m": pytest.approx(0.6806, abs=1e-4),
            "walking_asymmetry_pct": None,
            "double_support_pct": None,
            "walks": 1,
        }
    ]
    assert out["sessions"][0]["sport"] == "walking"
    assert out["sessions"][0]["start"] == "2017-06-11T07:32:51-07:00"
    assert "records" not in out  # not kept unless asked for
    with_records = json.loads(CliRunner().invoke(app, ["activity", str(walk), "--json", "--records"]).output)
    assert [r["kind"] for r in with_records["records"]] == ["steps", "distance"]
    assert with_records["days"] == out["days"]


def test_a_damaged_file_is_one_readable_error(app: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "export.xml"
    bad.write_text('<?xml version="1.0"?>\n<HealthData locale="en_US">\n <Record type="x"', encoding="utf-8")
    result = CliRunner().invoke(app, ["activity", str(bad)])
    assert isinstance(result.exception, InputError)  # backstride.cli.main prints it as one line, exit 2
    assert str(result.exception).startswith("export.xml is not well-formed XML at line 3")


def test_records_asked_for_without_json_are_refused_not_ignored(app: typer.Typer, shared_data: Path) -> None:
    walk = shared_data / "devices" / "garmin_fit" / "fitparse_garmin-fenix-5-walk.fit"
    result = CliRunner().invoke(app, ["activity", str(walk), "--records"])
    assert isinstance(result.exception, InputError)  # one line, exit 2 (backstride.cli.main)
    assert str(result.exception) == "--records writes every record into the JSON: give it with --json"
