"""``backstride analyze`` end to end on a real recording."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from backstride.cli import main


def test_analyze_json_has_the_documented_fields(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"
    assert main(["analyze", str(f), "--height-m", "1.59", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"walking_bouts", "initial_contacts", "summary", "subject", "recording", "warnings"}
    bout = out["walking_bouts"][0]
    for key in (
        "start_s",
        "end_s",
        "n_steps",
        "cadence_spm",
        "stride_length_m",
        "walking_speed_mps",
        "trunk_lean_deg",
        "step_regularity",
        "stride_regularity",
        "symmetry",
    ):
        assert key in bout
    assert 90 < bout["cadence_spm"] < 110
    assert out["initial_contacts"][0]["foot"] in {"left", "right"}
    assert out["subject"]["sensor_height_source"] == "from body height"
    assert out["recording"]["sampling_rate_hz"] == 100.0
    # the closing step of the walk is listed after the bout, outside it
    closing = [c for c in out["initial_contacts"] if c["closing_step"]]
    assert len(closing) == 1 and closing[0]["time_s"] > bout["end_s"]
    assert len(out["initial_contacts"]) == bout["n_steps"] + 1


def test_analyze_prints_a_readable_report(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"
    assert main(["analyze", str(f)]) == 0
    out = capsys.readouterr().out
    assert "Walking bouts" in out and "steps" in out
    assert "--height-m" in out  # says how to get step length and speed


def test_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["analyze", str(tmp_path / "nope.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("backstride: error:") and lines[0].endswith("nope.csv does not exist")


def test_unit_and_column_options_reach_the_reader(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"
    assert main(["analyze", str(f), "--acc-unit", "g"]) == 2
    assert "--acc-unit m/s2" in capsys.readouterr().err
    assert main(["analyze", str(f), "--acc-columns", "acc_x,acc_y"]) == 2
    assert "give three acceleration column names" in capsys.readouterr().err
    assert (
        main(["analyze", str(f), "--acc-columns", "acc_x,acc_y,acc_z", "--time-column", "time_s", "--json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["walking_bouts"]
    # read in ms, the 12 s walk would last 12 ms at 100 kHz: the option wins over the column's name
    assert main(["analyze", str(f), "--time-unit", "ms"]) == 2
    assert "is sampled at 1e+05 Hz by its time stamps, faster than any sensor" in capsys.readouterr().err
    assert main(["analyze", str(f), "--time-unit", "s", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recording"]["duration_s"] == pytest.approx(12.46)
    assert main(["analyze", str(f), "--time-unit", "minutes"]) == 2
    assert "unknown time unit 'minutes'" in capsys.readouterr().err


def test_a_recording_without_its_time_column_is_analysed_at_the_rate_given(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"
    lines = f.read_text().splitlines()
    bare = tmp_path / "imu-no-time.csv"  # the same rows without time_s: evenly spaced at 100 Hz
    bare.write_text("\n".join(line.split(",", 1)[1] for line in lines) + "\n")
    assert main(["analyze", str(bare)]) == 2
    assert "(--rate-hz)" in capsys.readouterr().err
    assert main(["analyze", str(f), "--json"]) == 0
    timed = json.loads(capsys.readouterr().out)
    assert main(["analyze", str(bare), "--rate-hz", "100", "--json"]) == 0
    given = json.loads(capsys.readouterr().out)
    assert given["walking_bouts"] == timed["walking_bouts"] and len(given["walking_bouts"]) == 1
    assert given["initial_contacts"] == timed["initial_contacts"]


def _run_with_terminal_stderr(args: list[str], out_path: Path) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal (as a person at a terminal sees it); stdout to a file."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    with out_path.open("w") as out_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backstride", *args], stdout=out_file, stderr=slave, text=True
        )
        os.close(slave)
        seen = b""
        while True:
            try:
                block = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not block:
                break
            seen += block
        code = proc.wait(timeout=120)
    os.close(master)
    return code, out_path.read_text(), seen.decode("utf-8", "replace")


def test_a_long_file_shows_a_bar_on_a_terminal_and_plain_lines_in_a_log(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.datasets import build_two_hour

    from backstride.cli._gait import PROGRESS_MIN_BYTES

    big, _ = build_two_hour(tmp_path, shared_data, duration_s=3600.0)  # the lab's courses repeated: 22 MB
    assert big.stat().st_size >= PROGRESS_MIN_BYTES
    code, out, terminal = _run_with_terminal_stderr(
        ["analyze", str(big), "--json", "--height-m", "1.7"], tmp_path / "out.json"
    )
    assert code == 0
    assert "analysing imu.csv" in terminal and "h of recording" in terminal
    assert json.loads(out)["summary"]["n_bouts"] > 0
    # not a terminal (a pipe, a job log): no bar, but plain lines on stderr (one hour read: the first line at
    # once, and it is the last), as `backstride batch` says them; stdout is the JSON alone
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert main(["analyze", str(big), "--json", "--height-m", "1.7"]) == 0
    captured = capsys.readouterr()
    assert re.fullmatch(r"analyze: imu\.csv: 1\.0 recording-h, \d+ s elapsed\n", captured.err), captured.err
    assert json.loads(captured.out)["summary"]["n_bouts"] > 0


def test_an_excel_export_of_a_few_minutes_shows_progress_on_a_terminal(
    shared_data: Path, tmp_path: Path
) -> None:
    # parsing a workbook's XML takes ~30x longer per byte than a CSV: its bar starts at the loggers' 2 MB
    import numpy as np
    from benchmarks.apps import phyphox_xlsx
    from benchmarks.datasets import build_two_hour

    from backstride import io
    from backstride.cli._gait import PROGRESS_MIN_BYTES, PROGRESS_MIN_BYTES_DEVICE

    csv, _ = build_two_hour(tmp_path, shared_data, duration_s=300.0)
    book = phyphox_xlsx(io.read(csv), tmp_path, np.random.default_rng(1))
    assert PROGRESS_MIN_BYTES_DEVICE <= book.stat().st_size < PROGRESS_MIN_BYTES
    code, out, terminal = _run_with_terminal_stderr(["analyze", str(book), "--json"], tmp_path / "out.json")
    assert code == 0
    assert "analysing phyphox.xlsx" in terminal
    assert json.loads(out)["recording"]["format"] == "phyphox"


def test_age_and_sex_bring_the_comparison_with_norms(capsys: pytest.CaptureFixture[str]) -> None:
    from backstride import io
    from backstride.clinic import norms_for

    assert main(["analyze", str(io.sample_path()), "--height-m", "1.59", "--age", "63", "--sex", "F"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Compared with healthy women aged 60-69" in out
    norm = norms_for(age=63, sex="female")["cadence_spm"]  # the clinic's table, not a number copied here
    assert f"of the norm ({norm:.0f} steps/min)" in out
    assert "Signs typical of back pain" in out


def test_norms_need_both_age_and_sex(capsys: pytest.CaptureFixture[str]) -> None:
    from backstride import io

    assert main(["analyze", str(io.sample_path()), "--age", "63"]) == 0
    out = capsys.readouterr().out
    assert "needs both --age and --sex" in out and "Compared with" not in out


def test_a_height_given_as_nan_is_not_given(capsys: pytest.CaptureFixture[str]) -> None:
    # the shared scorer's runner passes a meta.json's NaN height as "--height-m nan": the walk is analysed
    # without it (no step length or speed, and the warning says the height is needed), never refused
    from backstride import io

    assert (
        main(["analyze", str(io.sample_path()), "--json", "--height-m", "nan", "--sensor-height-m", "nan"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["subject"]["height_m"] is None and out["summary"]["median_walking_speed_mps"] is None
    assert out["summary"]["median_cadence_spm"] is not None
    assert any("height" in w for w in out["warnings"])


def test_a_walk_too_short_for_norms_still_gets_its_report(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"  # one bout of 5.5 s
    assert main(["analyze", str(f), "--height-m", "1.59", "--age", "63", "--sex", "female"]) == 0
    captured = capsys.readouterr()
    out = " ".join(captured.out.split())
    assert "Walking bouts" in out and "No comparison with norms for this recording" in out
    assert captured.err == ""


def test_html_report_next_to_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from backstride import io

    target = tmp_path / "walk.html"
    args = ["analyze", str(io.sample_path()), "--height-m", "1.59", "--age", "63", "--sex", "F"]
    assert main([*args, "--json", "--html", str(target)]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)  # stdout stays pure JSON
    assert captured.err.strip() == f"backstride: report written to {target}"
    html = target.read_text(encoding="utf-8")
    assert html.count('data-plot-for="plot-signal-') == 3
    assert f"<td>{out['summary']['n_steps']}</td>" in html
    assert "Compared with healthy women aged 60-69" in html


def test_html_report_to_a_missing_folder_fails_before_the_analysis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from backstride import io

    target = tmp_path / "nowhere" / "walk.html"
    assert main(["analyze", str(io.sample_path()), "--html", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no report printed: nothing was analysed
    assert (
        captured.err.strip()
        == f"backstride: error: cannot write the report: the folder {target.parent} does not exist"
    )
    assert not target.parent.exists()


def test_on_a_terminal_the_report_says_it_reads_the_signal_again(tmp_path: Path) -> None:
    from backstride import io

    target = tmp_path / "walk.html"
    code, out, terminal = _run_with_terminal_stderr(
        ["analyze", str(io.sample_path()), "--json", "--html", str(target)], tmp_path / "out.json"
    )
    assert code == 0
    assert "reading the longest bouts' signal again" in terminal
    assert f"report written to {target}" in terminal
    assert json.loads(out)["walking_bouts"]
    assert target.read_text(encoding="utf-8").count('data-plot-for="plot-signal-') == 3
