"""Time columns written as a clock: a time of day, minutes and seconds, or a date with slashes or dots."""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backstride import InputError, io
from backstride.io import _csv
from backstride.io._clocktext import days_since_1970


def _clock_csv(
    path: Path,
    t: np.ndarray,
    acc: np.ndarray,
    stamp: Callable[[float], str],
    *,
    header: str = "time,ax,ay,az",
    delimiter: str = ",",
    decimal: str = ".",
) -> Path:
    lines = [header] + [
        delimiter.join([stamp(float(s)), *(f"{v:.6f}".replace(".", decimal) for v in a)])
        for s, a in zip(t, acc, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _of_day(start_s: float, sep: str = ".", digits: int = 3) -> Callable[[float], str]:
    """HH:MM:SS.fff from ``start_s`` after midnight, going round at midnight."""

    def stamp(t: float) -> str:
        ms = round((start_s + t) * 1000) % (86400 * 1000)
        s, frac = divmod(ms, 1000)
        text = f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
        return text + (f"{sep}{frac:03d}"[: 1 + digits] if digits else "")

    return stamp


def _dated(first: dt.datetime, fmt: str = "%d/%m/%Y %H:%M:%S.%f") -> Callable[[float], str]:
    """A date and time from ``first``, to the millisecond, in ``fmt`` (``strftime``; ``%f`` written to the
    millisecond)."""

    def stamp(t: float) -> str:
        when = first + dt.timedelta(milliseconds=round(t * 1000))
        return when.strftime(fmt.replace("%f", "<ms>")).replace("<ms>", f"{when.microsecond // 1000:03d}")

    return stamp


def _unpadded(start_s: float) -> Callable[[float], str]:
    """H:MM:SS with the hour unpadded and the fraction's trailing zeros left out ("9:59:55.1", "10:00:00"),
    so the cells' widths vary: read by the regular expression, not by the characters' places."""

    def stamp(t: float) -> str:
        ms = round((start_s + t) * 1000)
        s, frac = divmod(ms, 1000)
        text = f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
        return text + (f".{frac:03d}".rstrip("0") if frac else "")

    return stamp


@pytest.mark.parametrize(
    ("stamp", "note"),
    [
        (_of_day(13 * 3600 + 5 * 60), "time read as a time of day (the file gives no date)"),
        (_of_day(13 * 3600, sep=":"), "time read as a time of day (the file gives no date)"),
        (_of_day(9 * 3600, digits=2), "time read as a time of day (the file gives no date)"),
        (
            lambda t: f"{int((125 + t) // 60):02d}:{(125 + t) % 60:06.3f}",
            "time read as minutes and seconds (the file gives no hour or date)",
        ),
        (_unpadded(10 * 3600 - 5.0), "time read as a time of day (the file gives no date)"),
        (
            _dated(
                dt.datetime(2026, 9, 23, 11, 59, 55), "%I:%M:%S.%f %p"
            ),  # through noon: 11:59:59 AM, 12:00:00 PM
            "time read as a time of day (the file gives no date)",
        ),
    ],
    ids=[
        "HH:MM:SS.fff",
        "HH:MM:SS:fff",
        "HH:MM:SS.ff",
        "MM:SS.fff",
        "H:MM:SS.f (widths vary)",
        "12-hour clock",
    ],
)
def test_a_clock_without_a_date_times_the_rows(
    tmp_path: Path, synth: Any, stamp: Callable[[float], str], note: str
) -> None:
    w = synth.walk(duration_s=20.0)
    recording = io.read(_clock_csv(tmp_path / "clock.csv", w.t, w.acc, stamp))
    assert recording.sampling_rate_hz == 100.0 and recording.n_samples == 2000
    np.testing.assert_allclose(recording.time_s, w.t, atol=1e-6)
    np.testing.assert_allclose(recording.acc_mps2, w.acc, atol=1e-5)
    assert note in recording.notes
    assert "start_time" not in recording.metadata  # a time of day alone does not date the recording


@pytest.mark.parametrize(
    ("fmt", "start", "note"),
    [
        ("%d/%m/%Y %H:%M:%S.%f", "2026-09-23T23:59:50", "day/month/year"),  # 23 > 12: the day comes first
        ("%m/%d/%Y %H:%M:%S.%f", "2026-09-23T23:59:50", "month/day/year"),
        ("%d.%m.%Y %H:%M:%S,%f", "2026-09-23T23:59:50", "day/month/year"),
        ("%Y/%m/%d %H:%M:%S.%f", "2026-09-23T23:59:50", "year/month/day"),
        ("%d/%m/%y %H:%M:%S.%f", "2026-09-23T23:59:50", "day/month/year"),
    ],
)
def test_a_date_written_with_slashes_or_dots_dates_the_recording(
    tmp_path: Path, synth: Any, fmt: str, start: str, note: str
) -> None:
    """Dates as spreadsheets and apps of many countries write them, through midnight into the next day."""
    w = synth.walk(duration_s=20.0)
    stamp = _dated(dt.datetime.fromisoformat(start), fmt)
    comma = "," in fmt  # a decimal comma in the time, and so in the numbers: ";" between the cells
    path = _clock_csv(
        tmp_path / "dated.csv",
        w.t,
        w.acc,
        stamp,
        header="Date Time;X;Y;Z" if comma else "Date Time,X,Y,Z",
        delimiter=";" if comma else ",",
        decimal="," if comma else ".",
    )
    recording = io.read(path)
    assert recording.n_samples == 2000
    np.testing.assert_allclose(recording.time_s, w.t, atol=1e-6)
    assert recording.metadata["start_time"] == start
    assert f"time read as a date ({note}) and time of day (no time zone given)" in recording.notes


@pytest.mark.parametrize(
    ("date_fmt", "order"),
    [("%d/%m/%Y", "day/month/year"), ("%m/%d/%Y", "month/day/year"), ("%Y-%m-%d", "year/month/day")],
)
def test_a_date_column_beside_a_time_of_day_dates_it(
    tmp_path: Path, synth: Any, date_fmt: str, order: str
) -> None:
    """A spreadsheet's or a logger's "Date" and "Time" columns: the time of day times the rows (through
    midnight, read whole or block by block) and the first row's date dates the recording."""
    w = synth.walk(duration_s=60.0)
    first = dt.datetime(2026, 9, 23, 23, 59, 30)
    lines = ["Date,Time,X,Y,Z"]
    for t, a in zip(w.t, w.acc, strict=True):
        when = first + dt.timedelta(milliseconds=round(t * 1000))
        cells = [when.strftime(date_fmt), when.strftime("%H:%M:%S.%f")[:-3], *(f"{v:.6f}" for v in a)]
        lines.append(",".join(cells))
    path = tmp_path / "dated.csv"
    path.write_text("\n".join(lines) + "\n")
    recording = io.read(path)
    np.testing.assert_allclose(recording.time_s, w.t, atol=1e-6)
    assert recording.metadata["start_time"] == "2026-09-23T23:59:30"
    assert f"time read as a time of day, dated by the first row's Date ({order}; no time zone given)" in (
        recording.notes
    )
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
        m.setattr(_csv, "STREAM_BLOCK_BYTES", 16 << 10)
        chunks = list(io.iter_chunks(path, chunk_s=10.0))
    np.testing.assert_allclose(np.concatenate([c.time_s for c in chunks]), w.t, atol=1e-6)
    assert chunks[0].metadata["start_time"] == "2026-09-23T23:59:30"
    # a column named date that holds no dates leaves the time of day undated
    path.write_text(
        "\n".join(["Date,Time,X,Y,Z", *(",".join(["Wed", *line.split(",")[1:]]) for line in lines[1:])])
        + "\n"
    )
    undated = io.read(path)
    assert "start_time" not in undated.metadata
    assert "time read as a time of day (the file gives no date)" in undated.notes


def test_dates_that_could_be_either_way_round_are_read_day_first_and_said_so(
    tmp_path: Path, synth: Any
) -> None:
    w = synth.walk(duration_s=15.0)
    path = _clock_csv(tmp_path / "ambiguous.csv", w.t, w.acc, _dated(dt.datetime(2026, 3, 1, 8, 0, 0)))
    recording = io.read(path)
    assert recording.metadata["start_time"] == "2026-03-01T08:00:00"
    assert "the dates' day and month could be either way round in the first rows: read day first" in (
        recording.notes
    )


def test_a_clock_goes_round_at_midnight_read_whole_or_block_by_block(tmp_path: Path, synth: Any) -> None:
    """A recording through midnight keeps counting, also when midnight falls inside a later block of a file
    streamed in bounded memory, plain or gzipped."""
    w = synth.walk(duration_s=60.0)
    path = _clock_csv(tmp_path / "night.csv", w.t, w.acc, _of_day(86400 - 40.0, sep=":"))
    whole = io.read(path)
    np.testing.assert_allclose(whole.time_s, w.t, atol=1e-6)
    gz = tmp_path / "night.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
        m.setattr(_csv, "STREAM_BLOCK_BYTES", 16 << 10)
        for source in (path, gz):
            chunks = list(io.iter_chunks(source, chunk_s=10.0))
            assert len(chunks) == 6
            np.testing.assert_allclose(np.concatenate([c.time_s for c in chunks]), w.t, atol=1e-6)
            np.testing.assert_allclose(np.concatenate([c.acc_mps2 for c in chunks]), w.acc, atol=1e-5)
            assert not any("gap" in note for c in chunks for note in c.notes)
    # minutes and seconds go round at the hour
    hour = _clock_csv(
        tmp_path / "hour.csv",
        w.t,
        w.acc,
        lambda t: f"{int((3570 + t) % 3600 // 60):02d}:{(3570 + t) % 60:06.3f}",
    )
    np.testing.assert_allclose(io.read(hour).time_s, w.t, atol=1e-6)


def test_a_real_walk_timed_by_a_clock_is_measured_as_the_original(shared_data: Path, tmp_path: Path) -> None:
    """A 10 m walk of the IPOL set written with its time as a time of day through midnight (milliseconds
    after a third colon) gives the same steps at the same instants as the file it came from."""
    from backstride.gait import analyze

    original = io.read(shared_data / "lowback-10m" / "1-1" / "imu.csv")
    path = _clock_csv(
        tmp_path / "ipol.csv", original.time_s, original.acc_mps2, _of_day(86400 - 10.0, sep=":"),
        header="time,acc_x,acc_y,acc_z",
    )  # fmt: skip
    clocked = io.read(path)
    assert clocked.n_samples == original.n_samples
    np.testing.assert_allclose(clocked.time_s, original.time_s, atol=1e-6)
    expected = [c.time_s for c in analyze(original).initial_contacts]
    found = [c.time_s for c in analyze(clocked).initial_contacts]
    assert len(expected) >= 30
    np.testing.assert_allclose(found, expected, atol=0.011)


@pytest.mark.parametrize(
    ("stamp", "row", "cell", "message"),
    [
        (_of_day(3600.0), 700, "01:00:06.99x", r"bad\.csv: line 701, column 'time': '01:00:06\.99x' does not read as a time"),
        # a date that is not one in the order the first rows gave
        (_dated(dt.datetime(2026, 9, 23, 8)), 900, "23/13/2026 08:00:08.990", r"line 901, .* is not a date read day/month/year as the rows before"),
        (_of_day(3600.0), 400, "01:99:04.000", r"line 401, column 'time': '01:99:04\.000' is not a time: its minutes"),
    ],
    ids=["not a time", "not a date", "minutes out of range"],
)  # fmt: skip
def test_a_time_that_does_not_read_names_its_line(
    tmp_path: Path, synth: Any, stamp: Callable[[float], str], row: int, cell: str, message: str
) -> None:
    w = synth.walk(duration_s=15.0)
    path = _clock_csv(tmp_path / "bad.csv", w.t, w.acc, stamp)
    lines = path.read_text().splitlines()
    lines[row] = cell + lines[row][lines[row].index(",") :]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=message):
        io.read(path)


def test_a_last_line_cut_inside_its_time_is_dropped(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=15.0)
    path = _clock_csv(tmp_path / "cut.csv", w.t, w.acc, _of_day(3600.0))
    data = path.read_bytes().rstrip(b"\n")
    path.write_bytes(data[: data.rfind(b"\n") + 8])  # "01:00:1" of the last line's time
    recording = io.read(path)
    assert recording.n_samples == 1499
    assert any("last line is incomplete" in note for note in recording.notes)


def test_days_since_1970_agree_with_the_calendar() -> None:
    days = np.arange(-719_000, 2_900_000, 997)  # years 1 to 9909, leap days among them
    dates = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in days]
    year = np.array([d.year for d in dates])
    month = np.array([d.month for d in dates])
    day = np.array([d.day for d in dates])
    np.testing.assert_array_equal(days_since_1970(year, month, day), days)
    assert days_since_1970(np.array([2024]), np.array([2]), np.array([29]))[0] == 19782


def test_both_ways_of_reading_a_clock_agree() -> None:
    """Cells of one width are read from the characters' places, others by the regular expression: the two
    give the same fields wherever both apply."""
    import pyarrow as pa

    from backstride.io._clocktext import _by_pattern, _fixed_width

    rng = np.random.default_rng(7)
    seconds = np.sort(rng.uniform(0, 86400 * 3, 500))
    base = dt.datetime(2026, 2, 27)
    for fmt in ("%H:%M:%S.%f", "%d/%m/%Y %H:%M:%S.%f", "%Y.%m.%d %H:%M:%S.%f", "%M:%S.%f"):
        cells = [(base + dt.timedelta(seconds=float(s))).strftime(fmt)[:-2] for s in seconds]
        text = pa.array(cells)
        fixed = _fixed_width(text)
        assert fixed is not None
        patterned, missing = _by_pattern(text)
        assert not missing.any()
        for name, values in patterned.items():
            np.testing.assert_array_equal(fixed[0][name], values, err_msg=f"{fmt} {name}")
    assert _fixed_width(pa.array(["9:59:59.9", "10:00:00.0"])) is None
