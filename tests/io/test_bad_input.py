"""Bad input, one test per case: a clear InputError naming the line/column, or a documented correction."""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backstride import InputError, OptionNeeded, Recording, UnsupportedFormatError, io

HEADER = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"


def _lines(synth: Any, duration_s: float = 30.0, rate_hz: float = 100.0) -> list[str]:
    w = synth.walk(duration_s=duration_s, rate_hz=rate_hz)
    rows = np.column_stack([w.t, w.acc, w.gyr])
    return [HEADER, *(",".join(f"{v:.6f}" for v in row) for row in rows)]


def _emptied(lines: list[str], rows: range, *columns: int) -> None:
    """Empty the cells of ``columns`` in lines ``rows`` (index 0 is the header)."""
    for i in rows:
        cells = lines[i].split(",")
        for k in columns:
            cells[k] = ""
        lines[i] = ",".join(cells)


def _write(path: Path, lines: list[str], *, final_newline: bool = True) -> Path:
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), encoding="utf-8")
    return path


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"^empty\.csv is empty$"):
        io.read(path)


def test_header_only(tmp_path: Path) -> None:
    path = _write(tmp_path / "header.csv", [HEADER])
    with pytest.raises(InputError, match=r"header\.csv has a header but no data rows"):
        io.read(path)


def test_missing_acceleration_columns(tmp_path: Path, synth: Any) -> None:
    lines = [",".join(line.split(",")[:1] + line.split(",")[4:]) for line in _lines(synth)]
    path = _write(tmp_path / "gyro_only.csv", lines)
    with pytest.raises(
        InputError, match=r"has no acceleration columns .* its columns are: time_s, gyr_x, gyr_y, gyr_z"
    ):
        io.read(path)


def test_non_numeric_cell_names_line_and_column(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    cells = lines[4].split(",")
    cells[2] = "abc"
    lines[4] = ",".join(cells)  # file line 5
    path = _write(tmp_path / "typo.csv", lines)
    with pytest.raises(InputError, match=r"typo\.csv: line 5, column 'acc_y': 'abc' is not a number"):
        io.read(path)


def test_the_first_non_numeric_cell_is_named_whatever_its_column(tmp_path: Path, synth: Any) -> None:
    # pyarrow converts column by column and stops at acc_x's bad cell; the file's first is acc_z's, a line earlier
    lines = _lines(synth)
    cells = lines[4].split(",")
    lines[4] = ",".join([*cells[:3], "abc", *cells[4:]])  # file line 5, acc_z
    cells = lines[5].split(",")
    lines[5] = ",".join([cells[0], "x", "y", "z", *cells[4:]])  # file line 6, every acceleration
    path = _write(tmp_path / "typos.csv", lines)
    with pytest.raises(InputError, match=r"typos\.csv: line 5, column 'acc_z': 'abc' is not a number"):
        io.read(path)
    with pytest.raises(InputError, match=r"typos\.csv: line 5, column 'acc_z': 'abc' is not a number"):
        list(io.iter_chunks(path, chunk_s=10.0))


def test_short_nan_run_is_interpolated_with_a_note(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    for i in range(1001, 1021):  # rows 1000..1019: 0.2 s of empty acc_z
        cells = lines[i].split(",")
        cells[3] = "NaN" if i % 2 else ""
        lines[i] = ",".join(cells)
    recording = io.read(_write(tmp_path / "holes.csv", lines))
    truth = synth.walk()
    assert np.isfinite(recording.acc_mps2).all()
    z = recording.acc_mps2[:, 2]
    line = np.interp(np.arange(1000, 1020), [999, 1020], [truth.acc[999, 2], truth.acc[1020, 2]])
    np.testing.assert_allclose(z[1000:1020], line, atol=1e-6)  # a straight line across the hole
    np.testing.assert_allclose(z[:1000], truth.acc[:1000, 2], atol=1e-6)
    assert "1 short run of missing values (longest 0.21 s) filled by linear interpolation" in recording.notes


def test_missing_values_at_a_blocks_edge_are_filled_as_in_the_whole_file(tmp_path: Path, synth: Any) -> None:
    """Read block by block, a run of missing values cut by a block's edge is filled between the values around
    it (not held at the last one), and a run too long to fill is refused even when each block holds less."""
    from backstride.io import _csv

    lines = _lines(synth)
    for start in range(150, len(lines) - 30, 97):  # 0.15-0.25 s holes every second or so, in all the columns
        _emptied(lines, range(start, start + 15 + start % 11), 1 + start % 3, 4 + start % 3)
    path = _write(tmp_path / "holes.csv", lines)
    whole = io.read(path)
    with _streamed_in_small_blocks():
        chunks = list(io.iter_chunks(path, chunk_s=2.0))
    assert len(chunks) == 15
    np.testing.assert_array_equal(np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2)
    np.testing.assert_array_equal(np.concatenate([c.gyr_dps for c in chunks]), whole.gyr_dps)  # type: ignore[misc]
    # 0.7 s, cut by a block's edge into two stretches shorter than the 0.5 s that are filled
    with _streamed_in_small_blocks():
        edges = [raw.first_line for raw in _csv.iter_csv_raw(path)]
    edge = next(line for line in edges if line is not None and line > 1000)
    _emptied(lines, range(edge - 36, edge + 34), 2)  # list index i is file line i + 1
    path = _write(tmp_path / "hole.csv", lines)
    _refused_alike(path, rf"acc_y has no values from line {edge - 35} to line {edge + 34} \(0\.7 s at ")


def test_long_nan_run_is_an_error_naming_column_and_lines(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    _emptied(lines, range(1001, 1201), 2)  # rows 1000..1199 = file lines 1002..1201
    path = _write(tmp_path / "dropout.csv", lines)
    with pytest.raises(
        InputError,
        match=r"acceleration column acc_y has no values from line 1002 to line 1201 \(2\.0 s at 10\.0 s\)",
    ):
        io.read(path)
    # block by block, as far as the block it starts in (the file's line, the time from its first row)
    with (
        _streamed_in_small_blocks(),
        pytest.raises(
            InputError, match=r"acc_y has no values from line 1002 to line 1\d{3} \(0\.\d s at 10\.0 s\)"
        ),
    ):
        list(io.iter_chunks(path, chunk_s=2.0))


def test_a_gyroscopes_long_run_of_missing_values_is_bridged_and_said(tmp_path: Path, synth: Any) -> None:
    """Refused as the acceleration's is (and the walking with it) before; now bridged, said once with its
    length and place, read whole and block by block alike. The line drawn is straight: the gait engine takes
    no pelvis ranges there (tests/gait/test_pelvis.py)."""
    lines = _lines(synth)
    _emptied(lines, range(1001, 1201), 4, 5, 6)  # the gyroscope's three cells, rows 1000..1199: 2.0 s
    _emptied(lines, range(2001, 2011), 5)  # a short run in one of them, filled as before
    _emptied(lines, range(2201, 2601), 4, 5, 6)  # 4.0 s: whole blocks inside it when read block by block
    path = _write(tmp_path / "gyroscope-dropout.csv", lines)
    whole = io.read(path)
    said = [
        "1 short run of missing values (longest 0.11 s) filled by linear interpolation",
        "the gyroscope has no values in 2 runs of rows longer than 0.5 s (longest 4.0 s, at 22.0 s): bridged by "
        "linear interpolation, a line drawn there, not a measurement",
    ]
    assert [n for n in whole.notes if "values" in n] == said
    assert whole.gyr_dps is not None
    bridged = whole.gyr_dps[999:1201]
    np.testing.assert_allclose(np.diff(bridged, n=2, axis=0), 0.0, atol=1e-9)  # a straight line
    with _streamed_in_small_blocks():
        chunks = list(io.iter_chunks(path, chunk_s=2.0))
    assert len(chunks) == 15
    assert [n for c in chunks for n in c.notes if "values" in n] == said  # once, on the last chunk
    np.testing.assert_array_equal(np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2)
    # the acceleration's long run is refused as before
    _emptied(lines, range(1001, 1201), 2)
    _refused_alike(
        _write(path, lines), r"acceleration column acc_y has no values from line 1002 to line 1\d{3} "
    )


def test_time_going_backwards_names_the_line(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    lines[500], lines[501] = lines[501], lines[500]  # rows 499/500 swapped: file line 502 goes back
    path = _write(tmp_path / "shuffled.csv", lines)
    _refused_alike(path, r"time goes backwards on line 502 \(4\.990 s after 5\.000 s\)")


def test_a_short_file_ending_in_zeros_is_read_as_a_long_one_is(tmp_path: Path, synth: Any) -> None:
    """A phone app that crashed while writing can leave the space it took ahead as zero bytes after the text. A
    long file's zeros lie past the part looked at to find its layout, and the reader drops them as an incomplete
    last line; a short one's (under 64 KiB: 12 s at 50 Hz) were within it and the file was refused as binary."""
    for name, seconds, rate in (("short.csv", 12.0, 50.0), ("long.csv", 30.0, 100.0)):
        text = ("\n".join(_lines(synth, duration_s=seconds, rate_hz=rate)) + "\n").encode()
        assert (len(text) < 64 << 10) == (name == "short.csv")
        path = tmp_path / name
        path.write_bytes(text + bytes(4096))
        rec = io.read(path)
        assert rec.duration_s == pytest.approx(seconds, abs=0.05)
        assert "the last line is incomplete (an interrupted export or upload?) and was dropped" in rec.notes


@pytest.mark.parametrize("rows", [200, 2500])  # within the part looked at for the layout, and past it
def test_zeros_inside_a_text_table_name_their_line(tmp_path: Path, synth: Any, rows: int) -> None:
    lines = _lines(synth)
    lines[rows] = "\0" * len(lines[rows])  # file line rows + 1, zeroed
    path = _write(tmp_path / "zeroed.csv", lines)
    _refused_alike(
        path,
        rf"zeroed\.csv: line {rows + 1} holds zero bytes \(NUL\) where the text should be: the file is damaged",
    )


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        # a row of the wrong number of cells whose bytes are no UTF-8: pyarrow cannot hand it to the row handler
        # and its own error quoted the row, damaged bytes and all
        (b"\xff,\xfe", r"line 1502 holds bytes that are not text: the file is damaged there"),
        (b"\xff\xfe", r"line 1502, column 'acc_y', holds bytes that are not text: the file is damaged there"),
    ],
)
def test_bytes_that_are_no_text_name_their_line(tmp_path: Path, synth: Any, damage: bytes, said: str) -> None:
    lines = [line.encode() for line in _lines(synth)]
    cells = lines[1501].split(b",")
    cells[2] = damage  # file line 1502's acc_y
    lines[1501] = b",".join(cells)
    path = tmp_path / "damaged.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    _refused_alike(path, said)
    with pytest.raises(InputError) as refused:
        io.read(path)
    assert "\ufffd" not in str(refused.value) and "Expected" not in str(refused.value)


@pytest.mark.parametrize(
    ("stamp", "said"),
    [
        # far ahead: the line is named, its time in powers of ten (was "jumps 11574074074074074864156672.0 days")
        (
            "1e30",
            r"the time on line 502 \(1e\+30 s\) lies more than a century after the time before it "
            r"\(4\.990 s\): that time stamp is damaged",
        ),
        # far behind: that line goes back first (was a jump forward named on the line after it)
        ("-1e30", r"time goes backwards on line 502 \(-1e\+30 s after 4\.990 s\)"),
    ],
)
def test_a_damaged_time_stamp_names_its_own_line(tmp_path: Path, synth: Any, stamp: str, said: str) -> None:
    lines = _lines(synth)
    cells = lines[501].split(",")
    cells[0] = stamp  # file line 502's time, damaged
    lines[501] = ",".join(cells)
    path = _write(tmp_path / "damaged.csv", lines)
    _refused_alike(path, said)


def _refused_alike(path: Path, said: str) -> None:
    """Read whole and block by block, ``path`` is refused with the same message (the file's line and time)."""
    with pytest.raises(InputError, match=said):
        io.read(path)
    with _streamed_in_small_blocks(), pytest.raises(InputError, match=said):
        list(io.iter_chunks(path, chunk_s=2.0))


@contextlib.contextmanager
def _streamed_in_small_blocks() -> Iterator[None]:
    """A file read block by block in 8 KiB blocks: a message names the file's line and time, not the block's."""
    from backstride.io import _csv

    with pytest.MonkeyPatch.context() as m:
        m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
        m.setattr(_csv, "STREAM_BLOCK_BYTES", 8 << 10)
        yield


@pytest.mark.parametrize("column", ["time_ms", "time_s", "Time (ms)"])
def test_a_time_unit_in_the_header_that_the_values_contradict(
    tmp_path: Path, synth: Any, column: str
) -> None:
    # nanoseconds since 1970 (2025) under a header that says ms or s would be a date after the year 2200
    w = synth.walk()
    header = [column, "acc_x", "acc_y", "acc_z"]
    path = synth.write_table(tmp_path / "ns.csv", header, [(1.76e9 + w.t) * 1e9, *w.acc.T], fmt="%.17g")
    with pytest.raises(
        InputError,
        match=rf"ns\.csv: the time column '{re.escape(column)}' starts at 1\.76e\+18, "
        r"which in m?s would be a date after the year 2200: .* give it with time_unit \(--time-unit",
    ):
        io.read(path)
    with pytest.raises(InputError, match=r"after the year 2200"):
        list(io.iter_chunks(path))
    recording = io.read(path, time_unit="ns")  # the option wins over the header
    assert (
        recording.sampling_rate_hz == 100.0
        and recording.metadata["start_time"] == "2025-10-09T08:53:20+00:00"
    )
    assert next(io.iter_chunks(path, time_unit="ns")).n_samples == 3000
    with pytest.raises(InputError, match=r"unknown time unit 'h'; use one of s, ms, us, ns"):
        io.read(path, time_unit="h")


def test_a_start_time_beyond_any_date_is_an_input_error() -> None:
    from backstride.io._units import iso_from_epoch_s

    assert iso_from_epoch_s(1.76e9) == "2025-10-09T08:53:20+00:00"
    for seconds in (1.76e18, -1e12, float("nan")):
        with pytest.raises(InputError, match="beyond the dates a recording can have"):
            iso_from_epoch_s(seconds)


def test_duplicated_timestamps_are_dropped_with_a_note(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    for row in (300, 900, 901):
        lines.insert(row + 1, lines[row + 1])  # repeat a row (same time stamp)
    recording = io.read(_write(tmp_path / "dups.csv", lines))
    assert recording.n_samples == 3000
    assert "3 duplicated time stamps dropped (first on line 303)" in recording.notes
    np.testing.assert_allclose(recording.acc_mps2, synth.walk().acc, atol=1e-6)


def test_a_time_column_that_never_advances(tmp_path: Path, synth: Any) -> None:
    rows = [line.split(",", 1)[1] for line in _lines(synth)[1:]]
    path = _write(tmp_path / "stuck.csv", [HEADER, *(f"12.5,{rest}" for rest in rows)])
    with pytest.raises(
        InputError,
        match=r"stuck\.csv: all 3000 rows have the same time stamp; the time column "
        r"\(time_s\) does not advance",
    ):
        io.read(path)


def test_sampling_below_20_hz(tmp_path: Path, synth: Any) -> None:
    path = _write(tmp_path / "slow.csv", _lines(synth, rate_hz=12.5))
    with pytest.raises(
        InputError, match=r"slow\.csv is sampled at 12\.5 Hz; at least 20 Hz is needed to find steps"
    ):
        io.read(path)
    assert io.read(path, validate=False).sampling_rate_hz == 12.5


def test_milliseconds_read_as_seconds_are_named(tmp_path: Path, synth: Any) -> None:
    # a column named in seconds that counts milliseconds: 0.1 Hz read as written, a phone's 100 Hz in ms
    lines = _lines(synth)
    lines[1:] = [
        ",".join([f"{float(c[0]) * 1000:.3f}", *c[1:]]) for c in (line.split(",") for line in lines[1:])
    ]
    path = _write(tmp_path / "ms.csv", lines)
    with pytest.raises(OptionNeeded) as caught:
        io.read(path)
    assert str(caught.value) == (
        "ms.csv is sampled at 0.1 Hz by its time stamps; at least 20 Hz is needed to find steps, and if its "
        "time counts milliseconds it is 100 Hz; give the unit with time_unit (--time-unit ms)"
    )
    assert caught.value.options == {"time_unit": "ms"}
    assert io.read(path, time_unit="ms").sampling_rate_hz == 100.0


def test_recording_under_3_s(tmp_path: Path, synth: Any) -> None:
    path = _write(tmp_path / "short.csv", _lines(synth, duration_s=2.2))
    with pytest.raises(InputError, match=r"short\.csv is only 2\.2 s long; at least 3 s is needed"):
        io.read(path)
    with pytest.raises(InputError, match=r"only 2\.2 s long"):
        list(io.iter_chunks(path))


def test_a_short_walk_test_under_10_s_is_read(tmp_path: Path, synth: Any) -> None:
    path = _write(tmp_path / "walk.csv", _lines(synth, duration_s=6.2))
    assert io.read(path).duration_s == pytest.approx(6.2, abs=0.02)


def test_validate_on_a_recording() -> None:
    n = 50
    slow = Recording(5.0, np.arange(n) / 5.0, np.tile([9.81, 0.0, 0.0], (n, 1)))
    with pytest.raises(InputError, match=r"^sampled at 5 Hz; at least 20 Hz"):
        io.validate(slow)
    fine = Recording(100.0, np.arange(1000) / 100.0, np.tile([9.81, 0.0, 0.0], (1000, 1)))
    assert io.validate(fine) is None


def test_an_image_is_not_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(100))
    with pytest.raises(UnsupportedFormatError, match=r"photo\.jpg is a JPEG image, not a recording"):
        io.read(path)


def test_an_empty_zip_archive_is_named_as_one(tmp_path: Path) -> None:
    """A ZIP with no members is only its end record (``PK\\x05\\x06``): it was "a binary file"."""
    path = tmp_path / "walk.zip"
    with zipfile.ZipFile(path, "w"):
        pass
    with pytest.raises(UnsupportedFormatError, match=r"^walk\.zip is an empty ZIP archive \(a folder zipped"):
        io.read(path)


def test_a_zip_of_several_tables_asks_for_the_lower_backs(tmp_path: Path) -> None:
    """An app's export of several sensors, zipped: it was "a ZIP archive of ..., not a recording"."""
    path = tmp_path / "session.zip"
    table = b"time_s,acc_x,acc_y,acc_z\n0,9.81,0,0\n0.01,9.81,0,0\n"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("pelvis.csv", table)
        archive.writestr("thigh.csv", table)
        archive.writestr("notes.txt", b"two sensors")
    with pytest.raises(UnsupportedFormatError) as caught:
        io.read(path)
    assert str(caught.value) == (
        "session.zip holds 2 tables (pelvis.csv, thigh.csv); backstride reads one sensor's recording at a time: "
        "unzip it and give the file of the sensor at the lower back"
    )


def test_a_zip_of_something_else(tmp_path: Path) -> None:
    path = tmp_path / "docs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("letter.docx", b"PK")
    with pytest.raises(UnsupportedFormatError, match=r"docs\.zip is a ZIP archive of letter\.docx"):
        io.read(path)


@pytest.mark.parametrize(
    ("member", "header"),
    [
        (
            "Raw Data.csv",
            '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"',
        ),
        ("TotalAcceleration.csv", "time,seconds_elapsed,z,y,x"),
    ],
)
def test_an_app_export_whose_sensor_file_is_empty_names_that_file(
    tmp_path: Path, member: str, header: str
) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, header + "\n")
    with pytest.raises(InputError, match=rf"^{re.escape(member)} has a header but no data rows$"):
        io.read(path)


def test_an_app_export_damaged_inside_names_the_member(tmp_path: Path, synth: Any) -> None:
    data = bytearray(synth.sensorlogger_zip(tmp_path / "walk.zip", synth.walk()).read_bytes())
    assert io.read(tmp_path / "walk.zip").n_samples == 3000
    data[len(data) // 2] ^= 0xFF  # one byte of the compressed data changed
    (tmp_path / "walk.zip").write_bytes(bytes(data))
    with pytest.raises(
        InputError, match=r"^walk\.zip is a damaged ZIP archive: TotalAcceleration\.csv cannot"
    ):
        io.read(tmp_path / "walk.zip")


def test_an_app_export_cut_short_says_so(tmp_path: Path, synth: Any) -> None:
    data = synth.sensorlogger_zip(tmp_path / "walk.zip", synth.walk()).read_bytes()
    (tmp_path / "walk.zip").write_bytes(data[: len(data) * 2 // 3])  # an interrupted upload
    with pytest.raises(InputError, match=r"^walk\.zip is a ZIP archive cut short \(its end is missing"):
        io.read(tmp_path / "walk.zip")


def test_gyroscope_declared_rad_per_s_but_holding_deg_per_s(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    lines[0] = "time_s,acc_x,acc_y,acc_z,gyr_x (rad/s),gyr_y (rad/s),gyr_z (rad/s)"
    path = _write(tmp_path / "wrong_unit.csv", lines)
    with pytest.raises(InputError, match=r"declared in rad/s .* looks like deg/s; pass gyr_unit='deg/s'"):
        io.read(path)
    recording = io.read(path, gyr_unit="deg/s")  # the option wins over the header
    assert recording.gyr_dps is not None
    np.testing.assert_allclose(recording.gyr_dps, synth.walk().gyr, atol=1e-5)


def test_acceleration_declared_in_g_but_holding_m_per_s2(tmp_path: Path, synth: Any) -> None:
    path = _write(tmp_path / "acc_unit.csv", _lines(synth))
    with pytest.raises(InputError, match=r"declared in g but its median magnitude is 9\.\d\d, which is m/s²"):
        io.read(path, acc_unit="g")


def test_truncated_final_line_is_dropped_with_a_note(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    lines.append("30.000000,9.81,0.1")  # an interrupted upload: the last line stops half-way
    recording = io.read(_write(tmp_path / "cut.csv", lines, final_newline=False))
    assert recording.n_samples == 3000
    assert "the last line is incomplete (an interrupted export or upload?) and was dropped" in recording.notes


def test_truncated_final_cell_is_dropped_with_a_note(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    lines.append("30.000000,9.81,0.1,0.2,1.0,2.0,3.0e")  # cut inside the last number
    recording = io.read(_write(tmp_path / "cut2.csv", lines, final_newline=False))
    assert recording.n_samples == 3000
    assert any("last line is incomplete" in note for note in recording.notes)


def test_a_short_line_in_the_middle_is_an_error(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    lines[6] = "0.050000,9.8,0.1,0.2"  # file line 7
    path = _write(tmp_path / "ragged.csv", lines)
    with pytest.raises(InputError, match=r"ragged\.csv: line 7 has 4 cells where the header has 7"):
        io.read(path)


def test_missing_time_stamp_names_the_line(tmp_path: Path, synth: Any) -> None:
    lines = _lines(synth)
    lines[20] = "," + lines[20].split(",", 1)[1]  # file line 21
    path = _write(tmp_path / "notime.csv", lines)
    with pytest.raises(InputError, match=r"the time \(time_s\) is missing on line 21"):
        io.read(path)


def test_a_damaged_gzip_is_one_clear_error(tmp_path: Path, synth: Any) -> None:
    import gzip

    data = bytearray(gzip.compress(("\n".join(_lines(synth)) + "\n").encode()))
    data[40:60] = bytes(20)  # inside the compressed stream
    path = tmp_path / "walk.csv.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"walk\.csv\.gz"):
        io.read(path)


def test_a_gzip_cut_short_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    """An interrupted download or upload of a .csv.gz: the whole lines its compressed data holds are kept,
    with a note, whether read whole or streamed in blocks."""
    sample = io.sample_path()  # the bundled real recording, gzipped
    whole = io.read(sample)
    data = sample.read_bytes()
    path = tmp_path / "upload.csv.gz"
    path.write_bytes(data[: len(data) * 3 // 5])
    cut = io.read(path)
    assert 0.4 * whole.n_samples < cut.n_samples < 0.8 * whole.n_samples
    np.testing.assert_array_equal(cut.acc_mps2, whole.acc_mps2[: cut.n_samples])
    assert cut.gyr_dps is not None and whole.gyr_dps is not None
    np.testing.assert_array_equal(cut.gyr_dps, whole.gyr_dps[: cut.n_samples])
    np.testing.assert_allclose(cut.time_s, whole.time_s[: cut.n_samples])
    assert any(note.startswith("the compressed file is cut short") for note in cut.notes)
    assert not any("cut short" in note for note in whole.notes)
    # streamed in small blocks, the note reaches the recording although the end is found after the last block
    from backstride.io import _csv

    with pytest.MonkeyPatch.context() as m:
        m.setattr(_csv, "STREAM_BLOCK_BYTES", 64 << 10)
        chunks = list(io.iter_chunks(path, chunk_s=20.0))
    assert len(chunks) > 3
    np.testing.assert_array_equal(np.concatenate([c.acc_mps2 for c in chunks]), cut.acc_mps2)
    assert any(note.startswith("the compressed file is cut short") for c in chunks for note in c.notes)


def test_bytes_that_are_not_text_in_a_short_row_leave_stderr_clean(
    tmp_path: Path, synth: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """pyarrow cannot decode such a row for its bad-row handler and Python would print that to stderr; the
    message names the row's line (pyarrow's own quoted the row, its damaged bytes and all)."""
    lines = _lines(synth, duration_s=700.0)  # past the part read whole when the layout is sniffed
    path = tmp_path / "walk.csv"
    with path.open("wb") as handle:
        handle.write(("\n".join(lines[:60_000]) + "\n").encode())
        handle.write(b"600.0,\xd9\xff\n")
        handle.write(("\n".join(lines[60_001:]) + "\n").encode())
    for read in (lambda: io.read(path), lambda: list(io.iter_chunks(path, chunk_s=60.0))):
        with pytest.raises(InputError, match=r"walk\.csv: line 60001 holds bytes that are not text"):
            read()
    assert capfd.readouterr().err == ""


def test_time_stamps_too_close_for_any_sensor_ask_for_their_unit(tmp_path: Path, synth: Any) -> None:
    """A time column in hours read as seconds would be 360 kHz: refused with what to do, read whole or as a
    stream (not "only 0.0 s long")."""
    w = synth.walk(duration_s=20.0)
    path = synth.write_table(
        tmp_path / "hours.csv", ["time", "ax", "ay", "az"], [w.t / 3600, *w.acc.T], fmt="%.12f"
    )
    message = r"hours\.csv is sampled at 3\.6e\+05 Hz by its time stamps, faster than any sensor worn .*\(--time-unit"
    with pytest.raises(InputError, match=message):
        io.read(path)
    with pytest.raises(InputError, match=message):
        list(io.iter_chunks(path))


def test_a_value_beyond_any_sensor_is_refused_naming_it(
    tmp_path: Path, synth: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """A cell damaged into 1e308 is finite: it was read, swamped the filters' running sums and the walk came
    out as 'no walking found' (exit 0); a column of them overflowed the finiteness check's sum, which then
    found no bad sample and ended in an IndexError. Both are refused, read whole or as a stream, and stderr
    holds no overflow warning."""
    lines = _lines(synth)
    cells = lines[56].split(",")
    cells[1] = "1e308"  # acc_x, file line 57, sample 55
    lines[56] = ",".join(cells)
    spike = _write(tmp_path / "spike.csv", lines)
    lines = _lines(synth)
    lines[1:] = [line.rsplit(",", 1)[0] + ",1e308" for line in lines[1:]]  # every gyr_z
    column = _write(tmp_path / "column.csv", lines)
    for path, where in ((spike, "line 57, column 'acc_x'"), (column, "line 2, column 'gyr_z'")):
        message = rf"^{path.name}: {where}: 1e\+308 is beyond what any sensor measures .*correct or remove"
        with pytest.raises(InputError, match=message):
            io.read(path)
        with pytest.raises(InputError, match=message):
            list(io.iter_chunks(path, chunk_s=10.0))
    assert capfd.readouterr().err == ""


def test_a_recording_made_with_values_beyond_any_sensor_is_refused() -> None:
    t = np.arange(500) / 100.0
    acc = np.tile([9.81, 0.0, 0.0], (500, 1))
    gyr = np.zeros((500, 3))
    gyr[7, 1] = -3e200
    with pytest.raises(InputError, match=r"^angular rate has 1 sample beyond .* sample 7 \(-3e\+200 deg/s\)"):
        Recording(100.0, t, acc, gyr)
    acc = np.full((500, 3), 1e308)  # their sum overflows: it was an IndexError
    with pytest.raises(InputError, match=r"^acceleration has 500 samples beyond"):
        Recording(100.0, t, acc)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_csv_saved_as_utf16_asks_for_utf8(tmp_path: Path, synth: Any, encoding: str) -> None:
    """Windows' 'Unicode' text (Excel's 'Unicode Text', Windows PowerShell's '>' and Out-File): it was called
    'a binary file, not a recording', and a Sensor Logger file or a MetaBase file in it 'is empty' or 'has no
    x, y, z columns (its columns are: )'."""
    text = "\n".join(_lines(synth)) + "\n"
    path = tmp_path / "walk.csv"
    path.write_bytes(text.encode(encoding))
    message = r"^walk\.csv is text in UTF-16 .* save it as UTF-8"
    with pytest.raises(InputError, match=message):
        io.read(path)
    with pytest.raises(InputError, match=message):
        io.read(path, format="csv")
    folder = tmp_path / "2025-10-09_08-53-20"
    folder.mkdir()
    w = synth.walk(duration_s=10.0)
    synth.write_sensorlogger_csv(folder / "Gyroscope.csv", w.t, w.gyr)
    member = synth.write_sensorlogger_csv(folder / "TotalAcceleration.csv", w.t, w.acc)
    member.write_bytes(member.read_text().encode(encoding))
    with pytest.raises(InputError, match=r"^TotalAcceleration\.csv is text in UTF-16"):
        io.read(folder)


def test_a_binary_file_with_a_utf16_mark_is_still_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "noise.csv"
    path.write_bytes(b"\xff\xfe" + bytes(range(256)) * 8)
    with pytest.raises(UnsupportedFormatError, match="is a binary file"):
        io.read(path)


def test_an_archive_whose_member_says_lzma_over_other_data_is_one_error(
    tmp_path: Path, synth: Any, shared_data: Path
) -> None:
    """One changed byte, the compression method in the archive's directory, says LZMA (14) over a member
    deflated or stored: lzma's LZMAError ('Invalid or unsupported options') was a traceback from a phone
    app's ZIP, an Excel export and a .gt3x (bzip2's OSError was already one line)."""
    from benchmarks.apps import write_xlsx

    w = synth.walk(duration_s=10.0)
    names = ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz")]
    workbook = write_xlsx(
        tmp_path / "phyphox.xlsx", {"Raw Data": [names, *np.column_stack([w.t, w.acc]).tolist()]}
    )
    gt3x = tmp_path / "logger.gt3x"
    gt3x.write_bytes(
        (shared_data / "devices" / "actigraph_gt3x" / "GGIR_actigraph_testfile.gt3x").read_bytes()
    )
    # the member whose method is changed: the sensor's file, a workbook's second part, the .gt3x's first
    for path, member in ((synth.sensorlogger_zip(tmp_path / "logger.zip", w), 0), (workbook, 1), (gt3x, 0)):
        data = bytearray(path.read_bytes())
        at = [i for i in range(len(data) - 4) if data[i : i + 4] == b"PK\x01\x02"][member] + 10
        data[at] = 14
        path.write_bytes(bytes(data))
        # a .gt3x reads what it can of a damaged log.bin, here nothing
        message = rf"^{re.escape(path.name)} (is a damaged|holds no accelerometer samples: log\.bin)"
        with pytest.raises(InputError, match=message):
            io.read(path)
        with pytest.raises(InputError, match=message):
            list(io.iter_chunks(path, chunk_s=5.0))
