"""Every kind of bad input ends `backstride analyze` with one line on stderr and a non-zero exit.

The files are built here (this module cannot share the io tests' fixtures); the io tests check the exact
wording, these check what a person at the terminal sees: ``backstride: error: ...``, no traceback.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from backstride.cli import main

HEADER = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"


def _lines(duration_s: float = 30.0, rate_hz: float = 100.0, header: str = HEADER) -> list[str]:
    t = np.arange(round(duration_s * rate_hz)) / rate_hz
    phase = 2 * np.pi * 1.8 * t
    acc = np.column_stack([9.81 + 1.5 * np.sin(phase), 0.6 * np.sin(phase / 2), 0.9 * np.cos(phase)])
    gyr = np.column_stack([25 * np.sin(phase / 2), 40 * np.cos(phase), 15 * np.sin(phase)])
    rows = np.column_stack([t, acc, gyr])
    return [header, *(",".join(f"{v:.6f}" for v in row) for row in rows)]


def _text(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _empty(d: Path) -> Path:
    (d / "empty.csv").write_bytes(b"")
    return d / "empty.csv"


def _header_only(d: Path) -> Path:
    return _text(d / "header.csv", [HEADER])


def _no_acceleration(d: Path) -> Path:
    return _text(d / "gyro.csv", [",".join(x.split(",")[:1] + x.split(",")[4:]) for x in _lines()])


def _non_numeric(d: Path) -> Path:
    lines = _lines()
    lines[4] = lines[4].replace(lines[4].split(",")[2], "abc", 1)
    return _text(d / "typo.csv", lines)


def _long_nan_run(d: Path) -> Path:
    lines = _lines()
    for i in range(1001, 1201):
        cells = lines[i].split(",")
        cells[2] = "NaN"
        lines[i] = ",".join(cells)
    return _text(d / "dropout.csv", lines)


def _backwards(d: Path) -> Path:
    lines = _lines()
    lines[500], lines[501] = lines[501], lines[500]
    return _text(d / "shuffled.csv", lines)


def _damaged_time(d: Path) -> Path:
    lines = _lines()
    cells = lines[501].split(",")
    cells[0] = "1e308"
    lines[501] = ",".join(cells)
    return _text(d / "damaged.csv", lines)


def _below_20_hz(d: Path) -> Path:
    return _text(d / "slow.csv", _lines(rate_hz=12.5))


def _under_3_s(d: Path) -> Path:
    return _text(d / "short.csv", _lines(duration_s=2.2))


def _image(d: Path) -> Path:
    (d / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return d / "photo.png"


def _zip_of_something_else(d: Path) -> Path:
    with zipfile.ZipFile(d / "holiday.zip", "w") as archive:
        archive.writestr("beach.jpg", b"\xff\xd8\xff" + bytes(10))
    return d / "holiday.zip"


def _gyro_wrong_unit(d: Path) -> Path:
    header = "time_s,acc_x,acc_y,acc_z,gyr_x (rad/s),gyr_y (rad/s),gyr_z (rad/s)"
    return _text(d / "wrong_unit.csv", _lines(header=header))


def _ragged(d: Path) -> Path:
    lines = _lines()
    lines[6] = "0.050000,9.8,0.1,0.2"
    return _text(d / "ragged.csv", lines)


def _linear_acceleration(d: Path) -> Path:
    lines = _lines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[1] = f"{float(cells[1]) - 9.81:.6f}"
        out.append(",".join(cells))
    return _text(d / "linear.csv", out)


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty file": (_empty, "is empty"),
    "header only": (_header_only, "no data rows"),
    "missing acceleration columns": (_no_acceleration, "no acceleration columns"),
    "non-numeric cell": (_non_numeric, "line 5, column 'acc_y'"),
    "long NaN run": (_long_nan_run, "has no values from line 1002"),
    "time going backwards": (_backwards, "time goes backwards on line 502"),
    "a damaged time stamp": (_damaged_time, "the time on line 502 (1e+308 s) lies more than a century after"),
    "sampling below 20 Hz": (_below_20_hz, "sampled at 12.5 Hz"),
    "recording under 3 s": (_under_3_s, "only 2.2 s long"),
    "an image": (_image, "PNG image"),
    "a ZIP of something else": (_zip_of_something_else, "ZIP archive of beach.jpg"),
    "gyroscope in the wrong unit": (_gyro_wrong_unit, "looks like deg/s"),
    "a short line mid-file": (_ragged, "line 7 has 4 cells"),
    "linear acceleration": (_linear_acceleration, "no gravity"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_ends_in_one_line_and_a_non_zero_exit(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, words = CASES[case]
    path = build(tmp_path)
    code = main(["analyze", str(path)])
    captured = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in captured.err + captured.out
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("backstride: error: ")
    assert words in lines[0]


def test_a_walk_under_10_s_is_analysed_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _text(tmp_path / "walk.csv", _lines(duration_s=6.2))
    assert main(["analyze", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert "only 6.2 s long" in out


def test_a_format_named_for_a_file_of_another_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--format phyphox`` for a CSV in the reference layout read it and reported "phyphox format" in the text
    report and ``"format": "phyphox"`` in the JSON; it says what the file is and the option to give."""
    path = _text(tmp_path / "imu.csv", _lines())
    for report in ([], ["--json"]):
        code = main(["analyze", str(path), "--format", "phyphox", *report])
        captured = capsys.readouterr()
        assert (code, captured.out) == (2, "")
        assert captured.err == (
            "backstride: error: imu.csv is not a phyphox export (no 'Acceleration x (m/s^2)' column after "
            "phyphox's 'Time (s)', nor an export's Raw Data.csv or Accelerometer.csv); it reads as a CSV table: "
            "use --format csv or --format auto\n"
        )
    assert main(["analyze", str(path), "--format", "csv", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recording"]["format"] == "csv"


def test_an_activity_file_given_to_analyze_names_the_command_that_reads_it(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Garmin .fit file or an Apple Health export holds what the watch or phone worked out, not samples: the
    one line says so and names ``backstride activity``, which reads it (and does)."""
    for relative in (
        "devices/garmin_fit/fitparse_garmin-fenix-5-walk.fit",
        "devices/apple_health/tdda_export6s3sample.xml",
    ):
        path = shared_data / relative
        code = main(["analyze", str(path), "--json"])
        captured = capsys.readouterr()
        assert (code, captured.out) == (2, "")
        assert captured.err.startswith(f"backstride: error: {path.name} is a")
        assert captured.err.endswith(
            f"not a sensor's own samples, so it holds no movement to measure; 'backstride activity {path}' reads it\n"
        )
        assert main(["activity", str(path), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["days"]


def test_a_recording_given_to_activity_names_the_command_that_measures_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _text(tmp_path / "imu.csv", _lines())
    assert main(["activity", str(path)]) == 2
    assert capsys.readouterr().err == (
        "backstride: error: imu.csv is neither an Apple Health export (export.xml or export.zip) nor a Garmin .fit "
        f"file; it looks like a sensor recording (format: csv): 'backstride analyze {path}' measures the walking in it\n"
    )
    notes = _text(tmp_path / "notes.txt", ["no sensor here", "just words"])
    assert main(["activity", str(notes)]) == 2
    assert capsys.readouterr().err == (
        "backstride: error: notes.txt is neither an Apple Health export (export.xml or export.zip) nor a Garmin "
        ".fit file\n"
    )


def test_a_decompression_bomb_ends_in_one_line_exit_2_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip

    monkeypatch.setenv("BACKSTRIDE_MAX_UNPACKED_GB", "0.01")  # 10 MB; the file unpacks to 50 MB
    bomb = tmp_path / "week.cwa.gz"
    bomb.write_bytes(gzip.compress(b"MD" + bytes(50 << 20), compresslevel=9))
    html = tmp_path / "report.html"
    code = main(["analyze", str(bomb), "--html", str(html)])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err == (
        "backstride: error: week.cwa.gz would unpack to more than 10 MB, beyond the 10 MB any recording unpacks "
        "to (a damaged or crafted file?), so it was not read; for a genuinely larger export set "
        "$BACKSTRIDE_MAX_UNPACKED_GB higher\n"
    )
    assert not html.exists()
    assert main(["analyze", str(_empty(tmp_path))]) == code  # the exit of any other bad input


# Found by fuzzing the command line (a helper session, some 3 500 invocations): places the file system refuses.


def test_a_report_that_cannot_be_written_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shared_data: Path
) -> None:
    """/dev/full (a full disk) was an OSError traceback after the analysis."""
    sample = shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"
    assert main(["analyze", str(sample), "--html", "/dev/full", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err == "backstride: error: could not write the report to /dev/full: No space left on device\n"


def test_a_pipe_given_as_an_activity_file_is_refused_not_waited_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    pipe = tmp_path / "watch.fit"
    os.mkfifo(pipe)
    assert main(["activity", str(pipe)]) == 2
    assert "watch.fit is not a file (a pipe or a device)" in capsys.readouterr().err


def test_a_folder_that_cannot_be_looked_into_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user's sub-folder (PermissionError while the folder was listed) was a traceback, from analyze
    and from activity (made here by refusing the listing: the tests run as root, whom permissions let in)."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.csv").write_text("t,x\n")

    def refused(self: Path, pattern: str) -> object:
        raise PermissionError(13, "Permission denied", str(self / "private"))

    monkeypatch.setattr(Path, "rglob", refused)
    for command in ("analyze", "activity"):
        assert main([command, str(folder)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("backstride: error: ") and len(err.splitlines()) == 1, err
        assert "Traceback" not in err
