"""``backstride analyze``'s progress on a long file: a bar at a terminal, plain lines in a job log."""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import backstride
from backstride import _progress, io
from backstride.cli import _gait, main

SAMPLE = Path(backstride.__file__).parent / "data" / "sample_lowback.csv.gz"  # 2 min at 100 Hz


def _clock(times: list[float]) -> Any:
    """A monotonic clock that reads ``times`` one after another."""
    it = iter(times)
    return lambda: next(it)


def test_recording_lines_come_at_most_every_interval_and_end_with_what_was_done(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the clock is read at the start, at each chunk, and at the end
    clock = _clock([0.0, 4.0, 20.0, 35.0, 66.0, 68.0, 70.0])
    lines = _progress.RecordingLines("week.cwa", every_s=30.0, clock=clock)
    for _ in range(5):
        lines.tick(3600.0)  # an hour of recording a chunk: the first line at once, then one 30 s later
    lines.close()
    assert capsys.readouterr() == (
        "",
        "analyze: week.cwa: 1.0 recording-h, 4 s elapsed\n"
        "analyze: week.cwa: 3.0 recording-h, 35 s elapsed\n"
        "analyze: week.cwa: 4.0 recording-h, 1 min elapsed\n"
        "analyze: week.cwa: 5.0 recording-h, 1 min elapsed\n",
    )


def test_the_last_line_is_not_said_twice(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _progress.RecordingLines("day.csv", every_s=30.0, clock=_clock([0.0, 600.0, 7300.0]))
    lines.tick(86_400.0)
    lines.close()
    assert capsys.readouterr().err == "analyze: day.csv: 24.0 recording-h, 10 min elapsed\n"


@pytest.fixture
def job_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """stderr a log file, as under cron or SLURM; any file "long", chunks of 30 s, no wait between lines."""
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)  # what would make rich take stderr for a terminal
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setattr(_gait, "PROGRESS_MIN_BYTES", 0)
    monkeypatch.setattr(io, "iter_chunks", partial(io.iter_chunks, chunk_s=30.0))
    monkeypatch.setattr(_progress, "PROGRESS_LINE_EVERY_S", 0.0)


@pytest.mark.usefixtures("job_log")
def test_analyze_of_a_long_file_in_a_job_log_says_plain_lines_and_json_stays_clean(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["analyze", str(SAMPLE), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["recording"]["duration_s"] > 100.0  # stdout is the JSON and nothing else
    lines = captured.err.splitlines()
    # 4 chunks of 30 s at most (the last one shorter), a line for each; none drawn by rich
    assert 4 <= len(lines) <= 5, captured.err
    for line in lines:
        assert re.fullmatch(r"analyze: sample_lowback\.csv\.gz: 0\.0 recording-h, \d+ s elapsed", line), line


@pytest.mark.usefixtures("job_log")
def test_analyze_of_a_short_file_says_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_gait, "PROGRESS_MIN_BYTES", 20_000_000)  # a CSV of ~3 h, as in use
    assert main(["analyze", str(SAMPLE), "--json"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("job_log")
def test_analyze_at_a_terminal_still_shows_the_bar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert main(["analyze", str(SAMPLE), "--json"]) == 0
    err = capsys.readouterr().err
    assert "analysing sample_lowback.csv.gz" in err  # rich's spinner line
    assert "analyze: " not in err


@pytest.mark.parametrize(
    ("env", "terminal"),
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"TTY_COMPATIBLE": "1"}, True),
        ({"TTY_COMPATIBLE": "0"}, False),
    ],
)
def test_a_job_log_is_told_from_a_terminal_as_rich_tells_it_and_without_rich_when_it_can(
    env: dict[str, str], terminal: bool
) -> None:
    """stderr a pipe (a job log): the answer is rich's, and where nothing forces a terminal it comes without
    importing rich (about 35 ms of a 2-hour file's 0.6 s analysis)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from backstride import _progress; t = _progress.stderr_is_terminal(); "
        "from rich.console import Console; print(t, Console(stderr=True).is_terminal, 'rich.console' in sys.modules)"
    )
    code_before = code.replace("from rich.console import Console; ", "").replace(
        "print(t, Console(stderr=True).is_terminal, ", "print(t, "
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR")}
    run = {**clean, **env}
    ours, theirs, _ = subprocess.run(
        [sys.executable, "-c", code], env=run, capture_output=True, text=True, check=True
    ).stdout.split()
    assert ours == theirs == str(terminal)
    said, imported = subprocess.run(
        [sys.executable, "-c", code_before], env=run, capture_output=True, text=True, check=True
    ).stdout.split()
    assert said == str(terminal)
    if not env.get("FORCE_COLOR") and env.get("TTY_COMPATIBLE") != "1":
        assert imported == "False"


@pytest.mark.usefixtures("job_log")
@pytest.mark.parametrize("terminal", [False, True])
def test_no_progress_says_nothing_about_progress_and_progress_is_the_default(
    terminal: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if terminal:
        monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert main(["analyze", str(SAMPLE), "--json", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["recording"]["duration_s"] > 100.0
    assert captured.err == ""
    assert main(["analyze", str(SAMPLE), "--json", "--progress"]) == 0
    err = capsys.readouterr().err
    said = "analysing sample_lowback.csv.gz" if terminal else "analyze: sample_lowback.csv.gz: "
    assert said in err
    assert main(["analyze", str(SAMPLE), "--json"]) == 0  # as with --progress
    assert said in capsys.readouterr().err


@pytest.mark.usefixtures("job_log")
def test_no_progress_still_says_a_warning(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Only progress is silenced: a file that cannot be read is still one line on stderr, exit 2."""
    bad = tmp_path / "empty.csv"
    bad.write_text("time_s,acc_x,acc_y,acc_z\n")
    assert main(["analyze", str(bad), "--no-progress"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "backstride:" in captured.err and "empty.csv" in captured.err


def test_analyze_help_lists_the_progress_switch(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--progress" in out and "--no-progress" in out


@pytest.mark.usefixtures("job_log")
def test_drawing_the_report_of_a_long_file_is_a_line_of_its_own_in_a_job_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Reading the longest bouts again for the report's plots took seconds of a week-long file with no line."""
    page = tmp_path / "report.html"
    assert main(["analyze", str(SAMPLE), "--json", "--html", str(page)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["recording"]["duration_s"] > 100.0  # stdout: the JSON alone
    lines = captured.err.splitlines()
    assert lines[-2:] == [
        "analyze: sample_lowback.csv.gz: drawing the report",
        f"backstride: report written to {page}",
    ]
    assert all(line.startswith("analyze: sample_lowback.csv.gz: 0.0 recording-h, ") for line in lines[:-2])
    assert page.stat().st_size > 1_000_000

    page.unlink()
    assert main(["analyze", str(SAMPLE), "--json", "--html", str(page), "--no-progress"]) == 0
    assert capsys.readouterr().err == f"backstride: report written to {page}\n"  # the result, not progress
    assert page.stat().st_size > 1_000_000


@pytest.mark.usefixtures("job_log")
def test_drawing_the_report_of_a_short_file_says_nothing_in_a_job_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_gait, "PROGRESS_MIN_BYTES", 20_000_000)
    page = tmp_path / "report.html"
    assert main(["analyze", str(SAMPLE), "--json", "--html", str(page)]) == 0
    assert capsys.readouterr().err == f"backstride: report written to {page}\n"
    # at a terminal the spinner, gone when done, is shown for any file, as it was
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert main(["analyze", str(SAMPLE), "--json", "--html", str(page)]) == 0
    err = capsys.readouterr().err
    assert "drawing the report: reading the longest bouts' signal again" in err
    assert "analysing " not in err  # the analysis of a short file has no bar


@pytest.mark.usefixtures("job_log")
def test_drawing_the_report_at_a_terminal_is_rich_s_spinner(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # what rich takes for a terminal, as a pty is
    page = tmp_path / "report.html"
    assert main(["analyze", str(SAMPLE), "--json", "--html", str(page)]) == 0
    err = capsys.readouterr().err
    assert "drawing the report: reading the longest bouts' signal again" in err
    assert "analyze: " not in err
    assert main(["analyze", str(SAMPLE), "--json", "--html", str(page), "--no-progress"]) == 0
    assert capsys.readouterr().err == f"backstride: report written to {page}\n"
