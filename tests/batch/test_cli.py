"""``backstride batch`` on the command line: summary on stdout, exit codes, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from backstride.cli import main


@pytest.mark.usefixtures("no_leftover_processes")
def test_batch_command_runs_and_reports(
    tmp_path: Path, lab_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,acc_x,acc_y,acc_z\n")  # a header and no data
    good = [f for f in lab_files if "MS-001-Test5" in str(f)]
    out = tmp_path / "res"
    code = main(["batch", str(good[0]), str(bad), "--out", str(out), "--workers", "1", "--chunk-s", "60"])
    captured = capsys.readouterr()
    assert code == 1  # one file failed; the other is analysed and saved
    assert "analysed now" in captured.out
    assert "failed files" in captured.out and "bad.csv" in captured.out
    assert "recording-h" in captured.err  # the progress bar is on stderr
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
    code = main(["batch", *(str(tmp_path / a) for a in args), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # nothing written when nothing could start


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
