"""``backstride batch`` on the command line: summary on stdout, exit codes, one-line errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from backstride.cli import main


@pytest.mark.usefixtures("no_leftover_processes")
def test_batch_command_runs_and_reports(
    tmp_path: Path, lab_files: list[Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)  # what would make rich take stderr for a terminal
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,acc_x,acc_y,acc_z\n")  # a header and no data
    good = [f for f in lab_files if "MS-001-Test5" in str(f)]
    out = tmp_path / "res"
    code = main(["batch", str(good[0]), str(bad), "--out", str(out), "--workers", "1", "--chunk-s", "60"])
    captured = capsys.readouterr()
    assert code == 1  # one file failed; the other is analysed and saved
    assert "analysed now" in captured.out
    assert "changed in place (rows replaced)" in captured.out
    assert "failed files" in captured.out and "bad.csv" in captured.out
    # stderr is no terminal here, as in a job log: plain progress lines, not rich's bar drawn at the end
    assert "\x1b" not in captured.err and "━" not in captured.err
    assert re.fullmatch(
        r"batch: 2 of 2 files, 1 failed, 0\.\d recording-h, \d+ s elapsed", captured.err.splitlines()[-1]
    ), captured.err
    assert pq.read_table(out / "recordings.parquet").num_rows == 1
    assert pq.read_table(out / "failures.parquet").num_rows == 1

    code = main(["batch", str(good[0]), "--out", str(out), "--workers", "1", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0
    assert "already done (skipped)" in captured.out
    assert captured.err == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere/*.csv"], "matches no recording files"),
        (["missing.csv"], "does not exist"),
    ],
)
def test_bad_inputs_give_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["batch", *(str(tmp_path / a) for a in args), "--out", str(tmp_path / "o" / "deeper")])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # nothing written when nothing could start, not even a parent


_PROC = Path("/proc/self").is_dir()


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (
            "notes.txt/results",
            "cannot create the results folder {tmp}/notes.txt/results ({tmp}/notes.txt is a file)",
        ),
        ("notes.txt", "--out {tmp}/notes.txt is a file"),
        pytest.param(
            "/proc/backstride-results",
            "cannot create the results folder /proc/backstride-results (No such file or directory)",
            marks=pytest.mark.skipif(not _PROC, reason="needs Linux's /proc"),
        ),
        pytest.param(
            "/proc",  # a folder that exists, where no file can be made (not even by root)
            "cannot write in the results folder /proc (",
            marks=pytest.mark.skipif(not _PROC, reason="needs Linux's /proc"),
        ),
    ],
)
def test_an_unusable_out_folder_is_one_line_and_exit_2_before_any_work(
    tmp_path: Path, lab_files: list[Path], out: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not a folder\n")
    target = out if out.startswith("/") else str(tmp_path / out)
    code = main(["batch", str(lab_files[0]), "--out", target, "--no-progress"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith(f"backstride: error: {message.format(tmp=tmp_path)}")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.out == ""  # no summary: nothing started
    assert (tmp_path / "notes.txt").read_text() == "not a folder\n"


def test_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, lab_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "batch",
            str(lab_files[0]),
            "--out",
            str(tmp_path / "o"),
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--no-progress",
            "--connect-timeout",
            "1",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert not (tmp_path / "o").exists()  # nothing started, nothing written


def _odd_layout(source: Path, target: Path) -> None:
    """``source`` (a lab CSV) written as a logger of unknown make might: a time column called ``clock`` in
    ms, acceleration columns named ``a1..a3`` (no gyroscope)."""
    lines = source.read_text().splitlines()[1:]
    rows = [line.split(",") for line in lines]
    body = "\n".join(f"{float(r[0]) * 1000:.0f},{r[1]},{r[2]},{r[3]}" for r in rows)
    target.write_text("clock,a1,a2,a3\n" + body + "\n")


@pytest.mark.usefixtures("no_leftover_processes")
def test_reading_options_apply_to_every_file_and_are_kept_with_the_results(
    tmp_path: Path, lab_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from backstride.gait import analyze_stream
    from backstride.io import iter_chunks

    (source,) = [f for f in lab_files if "MS-001-Test5" in str(f)]
    odd = tmp_path / "cohort" / "p01.csv"
    odd.parent.mkdir()
    _odd_layout(source, odd)
    out = tmp_path / "res"
    base = ["batch", str(odd.parent), "--out", str(out), "--workers", "1", "--no-progress"]

    assert main(base) == 1  # nothing says which column is the time: the file fails, with the reason
    assert "time column" in capsys.readouterr().out
    (failure,) = pq.read_table(out / "failures.parquet").to_pylist()
    assert failure["error_type"] == "OptionNeeded"  # a NoTimeColumnError: read it with an option, as said
    assert "--time-column" in failure["message"]

    options = ["--time-column", "clock", "--time-unit", "ms", "--acc-columns", "a1, a2,a3"]
    assert main([*base, *options]) == 0  # the failed file is tried again, read as told
    assert pq.read_table(out / "failures.parquet").num_rows == 0
    (row,) = pq.read_table(out / "recordings.parquet").to_pylist()
    given = {"time_column": "clock", "time_unit": "ms", "acc_columns": ["a1", "a2", "a3"]}
    assert json.loads(row["read_options"]) == given
    assert json.loads((out / "manifest.json").read_text())["runs"][-1]["read_options"] == given
    assert row["sampling_rate_hz"] == 100.0 and row["duration_s"] == pytest.approx(14.5, abs=0.02)
    # the steps of the lab file itself: the same samples, read from its own layout
    expected = analyze_stream(iter_chunks(source, chunk_s=3600.0))
    assert row["n_steps"] == expected.summary.n_steps > 0
    assert row["n_bouts"] == expected.summary.n_bouts

    assert main([*base, *options]) == 0
    assert "already done (skipped)" in capsys.readouterr().out


def test_a_bad_reading_option_is_one_line_before_any_work(
    tmp_path: Path, lab_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    for option, message in (
        (["--time-unit", "hours"], "unknown time unit 'hours'"),
        (["--acc-columns", "a1,a2"], "give three acceleration column names, got ['a1', 'a2']"),
        (["--format", "xlsx"], "unknown format 'xlsx'"),
    ):
        code = main(["batch", str(lab_files[0]), "--out", str(tmp_path / "o"), "--no-progress", *option])
        err = capsys.readouterr().err
        assert code == 2
        assert message in err and err.count("\n") == 1
        assert not (tmp_path / "o").exists()


@pytest.mark.usefixtures("no_leftover_processes")
def test_damaged_recordings_in_a_folder_fail_as_analyze_says_and_the_rest_is_passed_over(
    study: Path, lab_files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (good,) = [f for f in lab_files if "MS-001-Test5" in str(f)]
    shutil.copyfile(good, study / "p1" / "imu.csv")
    out = tmp_path / "res"
    code = main(["batch", str(study), "--out", str(out), "--workers", "1", "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 1
    assert re.search(r"│ recording files found +│ +5 │", printed)
    failures = {r["path"]: r for r in pq.read_table(out / "failures.parquet").to_pylist()}
    assert sorted(failures) == ["empty.cwa", "p2/participant2.gt3x", "p3/picture.csv", "p4/export.zip"]
    for path, row in failures.items():
        assert main(["analyze", str(study / path)]) == 2
        assert capsys.readouterr().err == f"backstride: error: {row['message']}\n"
    assert failures["p2/participant2.gt3x"]["error_type"] == "InputError"
    assert "cut short" in failures["p2/participant2.gt3x"]["message"]
    assert failures["p3/picture.csv"]["error_type"] == "UnsupportedFormatError"
    assert failures["p3/picture.csv"]["message"].startswith("picture.csv is a PNG image")
    (done,) = pq.read_table(out / "recordings.parquet").to_pylist()
    assert (done["path"], done["height_m"]) == ("p1/imu.csv", 1.72)  # its meta.json was read, not analysed


def test_ctrl_c_before_the_run_starts_is_one_line(
    tmp_path: Path, lab_files: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from backstride.cli import _reading

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_reading, "options", interrupted)  # Ctrl-C while the command reads its options
    assert main(["batch", str(lab_files[0]), "--out", str(tmp_path / "o")]) == 130
    assert capsys.readouterr().err == "backstride: interrupted; nothing was started\n"
    assert not (tmp_path / "o").exists()


def test_a_decompression_bomb_in_a_batch_is_one_failed_file(
    tmp_path: Path, lab_files: list[Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    monkeypatch.setenv("BACKSTRIDE_MAX_UNPACKED_GB", "0.01")  # 10 MB; the ZIP states 50 MB
    bomb = tmp_path / "in" / "export.zip"
    bomb.parent.mkdir()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("walk.csv", b"time_s,acc_x,acc_y,acc_z\n" + b"0" * (50 << 20))
    good = next(f for f in lab_files if "MS-001-Test5" in str(f))
    out = tmp_path / "res"
    assert main(["batch", str(good), str(bomb), "--out", str(out), "--workers", "1", "--no-progress"]) == 1
    capsys.readouterr()
    (failure,) = pq.read_table(out / "failures.parquet").to_pylist()
    assert failure["error_type"] == "InputError"
    assert failure["message"].startswith("export.zip would unpack to 52.4 MB, beyond the 10 MB")
    assert pq.read_table(out / "recordings.parquet").num_rows == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--chunk-s", "inf"], "--chunk-s must be a finite number of seconds, got inf"),
        (["--connect-timeout", "nan"], "--connect-timeout must be a finite number of seconds, got nan"),
        (["--checkpoint-s", "nan"], "--checkpoint-s must be a number of seconds, got nan"),
        (["--out", ""], "--out is empty; give the results folder"),
    ],
)
def test_an_option_no_run_can_use_is_one_line_and_exit_2_before_any_work(
    tmp_path: Path,
    lab_files: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    message: str,
) -> None:
    """Before, --chunk-s inf failed every file, the good ones too ('OverflowError: unexpected error: cannot
    convert float infinity to integer'), --connect-timeout nan was dask's KeyError traceback ('Invalid time unit:
    nan'), --checkpoint-s nan never saved before the end, and an empty --out (a shell variable left unset) wrote
    the results into the current folder."""
    monkeypatch.chdir(tmp_path)
    argv = ["batch", str(lab_files[0]), "--out", str(tmp_path / "res"), "--workers", "1", "--no-progress"]
    code = main([*argv, *options])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err == f"backstride: error: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_an_empty_input_is_one_line_and_not_the_current_folder(
    tmp_path: Path, lab_files: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty argument (a shell variable left unset) was taken for the current folder, searched through."""
    shutil.copy(lab_files[0], tmp_path / "walk.csv")
    monkeypatch.chdir(tmp_path)
    code = main(["batch", "", "--out", str(tmp_path / "res"), "--workers", "1", "--no-progress"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err == (
        "backstride: error: an input is empty: give recording files, folders or glob patterns "
        "(. for the current folder)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk.csv"]
