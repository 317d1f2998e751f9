"""Generic CSV (also gzip-compressed): a time column, three acceleration columns, optionally three gyroscope.

The file's layout (delimiter, columns, units) is found first (:func:`backstride.io._csvlayout.sniff`). Parsing
uses ``pyarrow.csv`` (multi-threaded, straight into float64 arrays, no pandas); columns are copied once, chunk
by chunk, into the ``(n, 3)`` arrays the recording keeps.

Bad lines: a final line cut short (no line end, missing or unreadable cells: an interrupted upload) is
dropped with a note; any other line with the wrong number of cells, or a cell that is not a number, is an
:class:`~backstride.InputError` naming the line and the column.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from backstride._errors import InputError, NoReadingsError
from backstride._stats import median
from backstride.io._clocktext import ClockText, ClockTextError
from backstride.io._csvlayout import (
    GZIP_CUT_SHORT,
    CsvLayout,
    GzipReader,
    RowHandler,
    arrow_source,
    is_number,
    open_binary,
    sniff,
)
from backstride.io._memory import empty
from backstride.io._movella import sensor_frame_acceleration
from backstride.io._raw import RawSignals
from backstride.io._units import SPREADSHEET_DAY0_UNIX_DAYS, checked_time_scale
from backstride.recording import FloatArray


@contextlib.contextmanager
def quiet_row_decoding() -> Iterator[None]:
    """Keep pyarrow's failed decoding of a malformed row off stderr.

    pyarrow decodes a row with the wrong number of cells as UTF-8 before it calls the invalid-row handler;
    when the row holds bytes that are not UTF-8 (a damaged file, a binary renamed ``.csv``) the decoding
    error cannot propagate and Python prints it to stderr as "Exception ignored ...". The read then fails
    with pyarrow's parse error, which the readers turn into one clear message; only that noise is dropped.
    """
    previous = sys.unraisablehook

    def hook(info: Any) -> None:
        if not isinstance(info.exc_value, UnicodeDecodeError):
            previous(info)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


@dataclass
class _BadRows:
    texts: list[str] = field(default_factory=list)

    def __call__(self, row: Any) -> str:
        self.texts.append(str(row.text))
        return "skip"


class _Parse:
    """pyarrow's options for one read of a CSV (``options``, keyword arguments of ``read_csv``/``open_csv``)
    and the rows it could not split (``bad``); on leaving, it waits until pyarrow has let go of its row handler
    (:class:`~backstride.io._csvlayout.RowHandler`: the reader must be gone by then)."""

    def __init__(self, layout: CsvLayout, block_size: int | None = None) -> None:
        self.bad = _BadRows()
        self._held = RowHandler(self.bad)
        read, parse, convert = _options(layout, self._held.relay, block_size)
        self.options: dict[str, Any] = {
            "read_options": read,
            "parse_options": parse,
            "convert_options": convert,
        }

    def __enter__(self) -> _Parse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.options = {}
        self._held.let_go()


def _used(layout: CsvLayout) -> list[int]:
    """The columns read, the time's first (when there is one: else the rows are timed at a given rate)."""
    used = [
        *layout.acc_index,
        *(layout.gravity_index or ()),
        *(layout.orientation_index or ()),
        *(layout.gyr_index or ()),
    ]
    return [layout.time_index, *used] if layout.time_index >= 0 else used


def _options(layout: CsvLayout, bad: Any, block_size: int | None = None) -> tuple[Any, Any, Any]:
    used = _used(layout)
    internal = layout.internal
    read = pacsv.ReadOptions(
        column_names=internal,
        skip_rows=layout.skip_rows + (1 if layout.header else 0) + layout.label_rows,
        use_threads=True,
        **({"block_size": block_size} if block_size else {}),
    )
    parse = pacsv.ParseOptions(delimiter=layout.delimiter, invalid_row_handler=bad)
    convert = pacsv.ConvertOptions(
        column_types={
            internal[i]: layout.time_type if i == layout.time_index and layout.time_type else pa.float64()
            for i in used
        },
        include_columns=[internal[i] for i in dict.fromkeys(used)],
        decimal_point=layout.decimal,
    )
    return read, parse, convert


def _tail(layout: CsvLayout) -> tuple[bool, str]:
    """Whether the file ends with a line end, and its last non-empty line (read only on error paths)."""
    if not layout.gzip:
        with layout.path.open("rb") as handle:
            handle.seek(0, io.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 65536))
            data = handle.read()
    else:
        data = b""
        with open_binary(layout.path) as handle:
            while block := handle.read(1 << 20):
                data = (data + block)[-65536:]
    ends = data.endswith((b"\n", b"\r"))
    lines = [line for line in data.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return ends, lines[-1] if lines else ""


def _line_of(layout: CsvLayout, predicate: Any) -> tuple[int, str] | None:
    """First data line (number, text) for which ``predicate(cells)`` holds; a slow scan for messages only."""
    with open_binary(layout.path) as handle:
        stream = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
        for number, line in enumerate(stream, start=1):
            if number < layout.first_line or not line.strip():
                continue
            cells = [cell.strip().strip('"') for cell in line.rstrip("\r\n").split(layout.delimiter)]
            if predicate(cells):
                return number, line.rstrip("\r\n")
    return None


def _bad_cell(layout: CsvLayout, columns: Sequence[int]) -> tuple[int, str, int] | None:
    """The first data line holding a cell, in one of ``columns``, that is not a number: (line, text, column)."""
    missing = {"", "nan", "na", "n/a", "null", "-nan", "#n/a"}
    number = is_number if layout.decimal == "," else _is_float
    where: list[int] = []

    def predicate(cells: list[str]) -> bool:
        if len(cells) != len(layout.names):
            return False
        where[:] = [
            c for c in columns if c < len(cells) and cells[c].lower() not in missing and not number(cells[c])
        ]
        return bool(where)

    found = _line_of(layout, predicate)
    return None if found is None else (found[0], found[1], where[0])


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_table(layout: CsvLayout) -> tuple[pa.Table, list[str]]:
    notes: list[str] = []
    with arrow_source(layout.path, layout.gzip) as (source, gz):
        try:
            with _Parse(layout) as parse:
                table = pacsv.read_csv(source, **parse.options)
            bad = parse.bad.texts
        except pa.ArrowInvalid as exc:
            table = _after_conversion_error(layout, exc)
            notes.append(_TRUNCATED)
            bad = []
        if gz is not None and gz.cut_short:
            notes.append(GZIP_CUT_SHORT)
    if bad:
        notes.append(_bad_rows(layout, bad))
    return table, notes


# files up to this size are parsed whole and multi-threaded; larger ones are streamed in bounded memory
WHOLE_READ_MAX_BYTES = 128 << 20
# pyarrow's streaming reader parses a fixed number of blocks ahead, so the block size bounds the memory:
# 1 MB blocks keep it near 40 MB, where 20 MB blocks held 450 MB for a day-long file
STREAM_BLOCK_BYTES = 1 << 20

_TRUNCATED = "the last line is incomplete (an interrupted export or upload?) and was dropped"
# what a line holding zero bytes, or other bytes that are no text, is: the file damaged there
_DAMAGED_THERE = (
    "the file is damaged there (written when the app or phone crashed, or copied incompletely); export or copy "
    "it again"
)
ZEROS_WHERE_TEXT = f"holds zero bytes (NUL) where the text should be: {_DAMAGED_THERE}"
DAMAGED_BYTES_TEXT = f"holds bytes that are not text: {_DAMAGED_THERE}"


def _bad_rows(layout: CsvLayout, texts: list[str]) -> str:
    """The note when the only bad row is a cut-off last line; otherwise an error naming the first bad line."""
    ends, last = _tail(layout)
    if len(texts) == 1 and not ends and texts[0].strip() == last.strip():
        return _TRUNCATED
    text = texts[0].strip()
    found = _line_of(layout, lambda cells: layout.delimiter.join(cells) == text)
    where = f"line {found[0]}" if found else f"the line {text[:60]!r}"
    raise InputError(
        _row_problem(layout, where, text, f" ({len(texts)} such lines)" if len(texts) > 1 else "")
    )


def _unsplit_row(layout: CsvLayout) -> str:
    """What is wrong with the row pyarrow could neither split nor hand to the row handler: a row of the wrong
    number of cells holding bytes that are not UTF-8 (pyarrow decodes it for the handler and fails; its own
    message quotes the row, damaged bytes and all)."""
    found = _line_of(layout, lambda cells: "\ufffd" in "".join(cells) or len(cells) != len(layout.names))
    if found is None:
        return f"{layout.source}: a line could not be split into the header's {len(layout.names)} cells"
    return _row_problem(layout, f"line {found[0]}", found[1])


def _damage_in(text: str) -> str | None:
    """What damage a row's or a cell's ``text`` shows: zero bytes, or bytes that are no text (decoded with the
    replacement character), else None."""
    if "\x00" in text:
        return ZEROS_WHERE_TEXT
    return DAMAGED_BYTES_TEXT if "\ufffd" in text else None


def _row_problem(layout: CsvLayout, where: str, text: str, more: str = "") -> str:
    """The refusal of a row that could not be split into the header's cells: its damage, else its cell count."""
    damage = _damage_in(text)
    if damage is not None:
        return f"{layout.source}: {where} {damage}"
    count = len(text.split(layout.delimiter))
    return f"{layout.source}: {where} has {count} cells where the header has {len(layout.names)}{more}"


def _after_conversion_error(layout: CsvLayout, exc: pa.ArrowInvalid) -> pa.Table:
    match = re.search(r"column #(\d+)", str(exc))
    if match is None:
        if re.search(r"Expected \d+ columns, got \d+", str(exc)):
            raise InputError(_unsplit_row(layout)) from exc
        raise InputError(f"{layout.source} could not be read as a CSV recording: {exc}") from exc
    column = int(match.group(1))  # pyarrow counts the file's columns from 0
    # pyarrow converts column by column: the first bad cell of the file may lie in another numeric column
    numeric = [i for i in _used(layout) if not (i == layout.time_index and layout.time_type)]
    found = _bad_cell(layout, sorted({column, *numeric}))
    ends, last = _tail(layout)
    if found is not None and not ends and found[1].strip() == last.strip():
        with open_binary(layout.path) as handle:
            data = handle.read()
        cut = data.rstrip(b"\r\n").rfind(b"\n")
        with _Parse(layout) as parse:
            return pacsv.read_csv(io.BytesIO(data[: cut + 1]), **parse.options)
    if found is not None:
        column = found[2]
    name = layout.names[column] if 0 <= column < len(layout.names) else f"#{match.group(1)}"
    if found is None:
        raise InputError(f"{layout.source}: column {name!r} holds a value that is not a number") from exc
    cells = found[1].split(layout.delimiter)
    value = cells[column].strip() if column < len(cells) else ""
    damage = _damage_in(value)
    if damage is not None:
        raise InputError(f"{layout.source}: line {found[0]}, column {name!r}, {damage}") from exc
    raise InputError(
        f"{layout.source}: line {found[0]}, column {name!r}: {value[:40]!r} is not a number"
    ) from exc


def _float64(chunk: pa.Array, stamps: bool) -> FloatArray:
    """One column chunk as float64 (a view of Arrow's buffer where possible); nulls become NaN.

    Arrow's own ``to_numpy`` imports pandas, a quarter of a second at every start; this reads the data and
    validity buffers directly.
    """
    if stamps or pa.types.is_integer(chunk.type):
        chunk = chunk.cast(pa.int64())
        dtype: type[np.generic] = np.int64
    else:
        if chunk.type != pa.float64():
            chunk = chunk.cast(pa.float64())
        dtype = np.float64
    validity, data = chunk.buffers()[0], chunk.buffers()[1]
    raw = np.frombuffer(data, dtype=dtype, count=len(chunk) + chunk.offset)[chunk.offset :]
    values: FloatArray = raw.astype(np.float64) if dtype is np.int64 else raw
    if chunk.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        valid = bits[chunk.offset : chunk.offset + len(chunk)].astype(bool)
        values = np.where(valid, values, np.nan)
    return values


def _fill(out: FloatArray, axis: int, column: pa.ChunkedArray) -> None:
    position = 0
    stamps = pa.types.is_timestamp(column.type)
    for chunk in column.chunks:
        values = _float64(chunk, stamps)
        out[position : position + len(values), axis] = values
        position += len(values)


def _clock_ns(layout: CsvLayout, clock: ClockText, column: pa.ChunkedArray) -> FloatArray:
    """A time column written as a clock, in nanoseconds (:mod:`backstride.io._clocktext`); a cell that does not
    read is one error naming its line."""
    try:
        return clock.to_ns(column)
    except ClockTextError as exc:
        error = exc
    index, cell = layout.time_index, error.text.strip().strip('"')
    found = _line_of(layout, lambda cells: index < len(cells) and cells[index] == cell)
    where = f"line {found[0]}, " if found else ""
    raise InputError(f"{layout.source}: {where}column {layout.names[index]!r}: {cell[:40]!r} {error.why}")


def table_to_raw(layout: CsvLayout, table: pa.Table, *, first_time: float | None = None) -> RawSignals:
    """Arrays from a parsed table; the time is made relative to its first value (or ``first_time``)."""
    internal = layout.internal
    n = table.num_rows
    time = empty(n)
    if layout.clock is not None:
        time[:] = _clock_ns(layout, layout.clock, table.column(internal[layout.time_index]))
    elif layout.time_index >= 0:
        _fill(time[:, None], 0, table.column(internal[layout.time_index]))
    else:  # no time column: the rows' numbers, counted across a streamed file's blocks
        np.add(np.arange(n, dtype=np.float64), layout.rows_timed, out=time)
        layout.rows_timed += n
    acc = empty((n, 3))
    for axis, index in enumerate(layout.acc_index):
        _fill(acc, axis, table.column(internal[index]))
    if layout.gravity_index is not None:
        gravity = empty((n, 3))
        for axis, index in enumerate(layout.gravity_index):
            _fill(gravity, axis, table.column(internal[index]))
        acc += gravity
    if layout.orientation_index is not None:  # Movella DOT's free acceleration, in the earth's frame
        orientation = empty((n, len(layout.orientation_index)))
        for axis, index in enumerate(layout.orientation_index):
            _fill(orientation, axis, table.column(internal[index]))
        acc = sensor_frame_acceleration(acc, orientation)
    if layout.acc_sign < 0:
        np.negative(acc, out=acc)
    gyr = None
    if layout.gyr_index is not None:
        gyr = empty((n, 3))
        for axis, index in enumerate(layout.gyr_index):
            _fill(gyr, axis, table.column(internal[index]))
    names = layout.names
    raw = RawSignals(
        time_s=time,
        acc=acc,
        gyr=gyr,
        source=layout.source,
        acc_names=(names[layout.acc_index[0]], names[layout.acc_index[1]], names[layout.acc_index[2]]),
        gyr_names=("", "", "")
        if layout.gyr_index is None
        else (names[layout.gyr_index[0]], names[layout.gyr_index[1]], names[layout.gyr_index[2]]),
        time_name=names[layout.time_index] if layout.time_index >= 0 else "row number",
        first_line=layout.first_line,
        acc_unit=layout.acc_unit,
        gyr_unit=layout.gyr_unit,
    )
    return raw


def scale_time(raw: RawSignals, layout: CsvLayout, origin: float | None = None) -> tuple[float, float]:
    """Make ``raw.time_s`` seconds from ``origin`` (default: its first finite value); returns (origin, scale)."""
    t = raw.time_s
    if origin is None:
        if t.shape[0] == 0:
            raise NoReadingsError(f"{layout.source} has a header but no data rows")
        origin = float(t[0])
        if not np.isfinite(origin):
            raise InputError(
                f"{layout.source}: the time ({raw.time_name}) is missing on line {layout.first_line}"
            )
    if layout.counter_rate_hz is not None:
        return _counter_time(raw, layout, origin)
    if layout.time_wrap is not None:  # Movella DOT's 32-bit microsecond clock
        _unwrap(t, layout, layout.time_wrap)
    found = _unit_from_steps(t, origin) if layout.time_unit is None and layout.time_type is None else None
    if found is not None:
        layout.time_unit = found[0]
    scale, epoch, note = checked_time_scale(
        origin, layout.time_unit, f"{layout.source}: the time column {raw.time_name!r}"
    )
    if found is not None:
        note = (
            f"time read in {found[0]} (its median step of {found[1]:g} between rows would be one sample every "
            f"{found[1]:g} s in seconds), converted to seconds"
        )
    if layout.time_unit == "d":  # a spreadsheet's serial: day 0 is 1899-12-30, in the spreadsheet's own time
        layout.naive_time = True
        if found is not None:
            note = (
                f"time read as a spreadsheet's serial date and time (days; its median step is "
                f"{found[1] * 86400 * 1000:.1f} ms), converted to seconds"
            )
    if layout.clock is not None:
        note = layout.clock.note
    elif layout.time_type is not None:
        note = "time read as date and time" + (" (no time zone given)" if layout.naive_time else "")
    t -= origin
    if scale != 1.0:
        t *= scale
    if note and note not in layout.notes:
        layout.notes.append(note)
    raw.epoch_s = origin * scale if epoch else None
    if epoch and layout.time_unit == "d":  # to the millisecond: the finest a spreadsheet shows a time
        raw.epoch_s = round((origin + SPREADSHEET_DAY0_UNIX_DAYS) * scale, 3)
    raw.clock_origin_s = origin * scale
    return origin, scale


COUNTER_WRAP = 65536  # XSens's PacketCounter is a 16-bit count


def _unwrap(t: np.ndarray, layout: CsvLayout, modulus: float) -> None:
    """Undo, in place, a count kept modulo ``modulus`` (a step back by more than half of it is a wrap),
    carrying the wraps over a streamed file's blocks."""
    before = t[0] if layout.counter_last is None else layout.counter_last
    wrapped = np.diff(t, prepend=before) < -modulus / 2
    wraps = layout.counter_wraps + np.cumsum(wrapped)
    layout.counter_last = float(t[-1])
    layout.counter_wraps = int(wraps[-1])
    t += wraps * float(modulus)


def _counter_time(raw: RawSignals, layout: CsvLayout, origin: float) -> tuple[float, float]:
    """Seconds from a sample counter at the rate stated above the names. A count that falls back by more than
    half of 65536 has wrapped (XSens's 16-bit PacketCounter); a count that skips leaves a gap, as the lost
    samples did."""
    assert layout.counter_rate_hz is not None
    t = raw.time_s
    _unwrap(t, layout, COUNTER_WRAP)
    scale = 1.0 / layout.counter_rate_hz
    t -= origin
    t *= scale
    rate = f"{layout.counter_rate_hz:g} Hz " + ("given" if layout.rate_given else "stated above the names")
    note = (
        f"time from the {raw.time_name} column at the {rate}"
        if layout.time_index >= 0
        else f"no time column: the rows timed at the {rate}, evenly spaced"
    )
    if note not in layout.notes:
        layout.notes.append(note)
    raw.epoch_s = None
    raw.clock_origin_s = origin * scale
    return origin, scale


def _unit_from_steps(t: FloatArray, origin: float) -> tuple[str, float] | None:
    """``"ms"`` or ``"us"`` when a relative time column (no unit in its name) steps by 2–100 or 2000–100000
    between rows: in seconds that would be one sample every few seconds, which no walking recording is,
    while in milliseconds or microseconds it is 10–500 Hz (Science Journal's ``relative_time``, loggers
    writing ``millis()``). A step of exactly 1 is left alone (1 Hz and 1000 Hz are equally possible).
    ``"d"`` when it steps by 2–100 ms in days (a spreadsheet's serial date and time: a table saved again from
    Excel or LibreOffice, which turned a written time into its serial number): in seconds, megahertz."""
    if abs(origin) > 1e8:  # an epoch time: its magnitude tells the unit
        return None
    steps = np.diff(t[:2001])
    steps = steps[np.isfinite(steps) & (steps > 0)]
    if steps.size < 10:
        return None
    step = median(steps)
    for unit, low, high in (("ms", 2.0, 100.0), ("us", 2000.0, 100_000.0), ("d", 2e-3 / 86400, 0.1 / 86400)):
        if low <= step <= high:
            return unit, step
    return None


def read_csv_raw(path: Path, **columns: Any) -> RawSignals:
    """Read a whole CSV into :class:`RawSignals` (time in seconds from the first row); ``columns``: what
    :func:`~backstride.io._csvlayout.sniff` takes (``time_column``, ``time_unit``, ``rate_hz`` ...)."""
    layout = sniff(path, **columns)
    raw = _read_whole(layout)
    if raw is None:
        raise NoReadingsError(f"{path.name} has a header but no data rows")
    return raw


def _read_whole(layout: CsvLayout) -> RawSignals | None:
    """The whole file in one multi-threaded parse; None when it has no data rows."""
    table, notes = _read_table(layout)
    if table.num_rows == 0:
        return None
    raw = table_to_raw(layout, table)
    del table
    scale_time(raw, layout)
    raw.notes = [*notes, *layout.notes]
    raw.metadata = _metadata(layout, layout.path.name)
    _naive_start(raw, layout)
    return raw


def _metadata(layout: CsvLayout, source: str) -> dict[str, Any]:
    """What a CSV recording's metadata says of it: its format, file, and the device its lines name."""
    return {"format": "csv", "source": source, **({"device": layout.device} if layout.device else {})}


def _naive_start(raw: RawSignals, layout: CsvLayout) -> None:
    """Date-and-time stamps without a time zone: keep the start as written, not as UTC. A relative clock with
    the wall clock in another column (SensorLog): the start is that clock's first reading, in its offset."""
    if layout.logged_start is not None:
        raw.epoch_s = layout.logged_start.timestamp()
        raw.zone = layout.logged_start.tzinfo
    elif layout.zone is not None and raw.epoch_s is not None:
        raw.zone = layout.zone
    if layout.naive_time and raw.epoch_s is not None:
        raw.metadata["start_time"] = (
            datetime.fromtimestamp(raw.epoch_s, tz=UTC).replace(tzinfo=None).isoformat()
        )
        raw.epoch_s = None


def iter_csv_raw(path: Path, *, block_bytes: int | None = None, **columns: Any) -> Iterator[RawSignals]:
    """Stream a CSV as consecutive :class:`RawSignals` blocks; times relative to the file's first row
    (``columns`` as for :func:`read_csv_raw`).

    A file of at most ``WHOLE_READ_MAX_BYTES`` is parsed in one go on all cores (a two-hour recording in
    half the time of the single-threaded streaming reader) and given as one block.
    """
    layout = sniff(path, **columns)
    if not layout.gzip and path.stat().st_size <= WHOLE_READ_MAX_BYTES:
        whole = _read_whole(layout)
        if whole is not None:
            yield whole
        return
    with arrow_source(path, layout.gzip) as (source, gz):
        tables = _streamed_tables(layout, source, block_bytes or STREAM_BLOCK_BYTES)
        yield from _streamed_raw(layout, path, _ahead(tables, layout, gz))


def _streamed_tables(layout: CsvLayout, source: Any, block_bytes: int) -> Iterator[pa.Table]:
    """The rows block by block (a cut-off last line dropped with a note), each as counted from the file's
    first data line: a block re-read after pyarrow failed on the last line starts where the last one ended."""
    with _Parse(layout, block_size=block_bytes) as parse:
        try:
            reader = pacsv.open_csv(source, **parse.options)
        except pa.ArrowInvalid as exc:
            failed: pa.ArrowInvalid | None = exc
        else:
            failed = None
            try:
                yield from _batches(layout, reader, parse.bad)
            finally:
                del reader  # before _Parse waits for pyarrow to let go of its row handler
    if failed is not None:
        layout.notes.append(_TRUNCATED)
        yield _after_conversion_error(layout, failed)  # raises unless the last line is cut


def _batches(layout: CsvLayout, reader: Any, bad: _BadRows) -> Iterator[pa.Table]:
    """The tables of a streaming ``reader``, ``bad`` its rows it could not split (see :func:`_streamed_tables`)."""
    done = 0
    while True:
        try:
            table = pa.Table.from_batches([reader.read_next_batch()])
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:  # the cut-off last line made pyarrow fail: the rest re-read without it
            rest = _after_conversion_error(layout, exc)  # raises unless the last line is cut
            layout.notes.append(_TRUNCATED)
            yield rest.slice(done)
            return
        if bad.texts:
            layout.notes.append(_bad_rows(layout, bad.texts))
            bad.texts.clear()
        done += table.num_rows
        yield table


def _ahead(tables: Iterator[pa.Table], layout: CsvLayout, gz: GzipReader | None) -> Iterator[pa.Table]:
    """The tables with rows, one block behind the reader, so that a gzip file found cut short at its end is
    noted before its last block is given (the notes go out with the blocks)."""
    held: pa.Table | None = None
    for table in tables:
        if table.num_rows == 0:
            continue
        if held is not None:
            yield held
        held = table
    if gz is not None and gz.cut_short:
        layout.notes.append(GZIP_CUT_SHORT)
    if held is not None:
        yield held


def _streamed_raw(layout: CsvLayout, path: Path, tables: Iterator[pa.Table]) -> Iterator[RawSignals]:
    origin: float | None = None
    first_line = layout.first_line
    for table in tables:
        raw = table_to_raw(layout, table)
        raw.first_line = first_line
        first_line += table.num_rows
        origin, _ = scale_time(raw, layout, origin)
        raw.notes = list(layout.notes)
        raw.metadata = _metadata(layout, path.name)
        _naive_start(raw, layout)
        yield raw
