"""Time columns written as a clock rather than a number or an ISO 8601 date: a time of day, minutes and seconds,
or a date written with slashes or dots, as phone apps, spreadsheets and loggers write them.

The forms read (the fraction of a second after a point or a comma, or milliseconds after a third colon):

=========================  ====================================================================================
``13:05:10.250``           a time of day (also ``13:05:10:250``, ``13:05:10,250``, ``1:05:10.250 PM``); past
                           23 h, elapsed hours
``05:10.250``              minutes and seconds, as a stopwatch shows them
``23/09/2026 13:05:10.25`` a date and a time of day: day first or month first (``09/23/2026``), with dots
                           (``23.09.2026``) or year first (``2026/09/23``); a two-digit year is of this century
=========================  ====================================================================================

A time of day without a date goes round at midnight, and minutes and seconds go round at the hour: a time
that falls back by more than half that period has gone round, and the period is added, so a recording that
runs through midnight keeps counting. A date whose day and month could be either way round (no number above
12 in the rows read first) is read day first, which the note says. ISO 8601 dates (``2026-09-23T13:05:10``)
are not read here: pyarrow parses them itself (:mod:`backstride.io._csvlayout`).

The whole column is converted at once by Arrow's compute functions (one regular expression, then integer
casts), so a day of rows costs about as much as reading the numbers would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from backstride.recording import FloatArray

# one expression for every form (Python's re and Arrow's RE2 read it alike); the groups a form lacks are empty
PATTERN = (
    r"^\s*(?:(?P<a>\d{1,4})[/.-](?P<b>\d{1,2})[/.-](?P<c>\d{2,4})(?:\s+|T))?"
    r"(?:(?P<h>\d{1,3}):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,9})|:(?P<ms>\d{3}))?"
    r"(?:\s*(?P<p>[AaPp])\.?[Mm]\.?)?\s*$"
)
_CLOCK = re.compile(PATTERN)

NS = 1_000_000_000
HOUR_NS = 3600 * NS
DAY_NS = 24 * HOUR_NS
_DAY_FIRST_NOTE = "the dates' day and month could be either way round in the first rows: read day first"


class ClockTextError(ValueError):
    """A time cell that does not read in the column's form; ``text`` is the cell as written."""

    def __init__(self, text: str, why: str) -> None:
        super().__init__(why)
        self.text = text
        self.why = why


@dataclass
class ClockText:
    """How a column of clock times reads, and (for a file read block by block) how far it has gone round.

    ``form``: ``"date"`` (a date and a time of day), ``"day"`` (a time of day) or ``"hour"`` (minutes and
    seconds). ``day_first``: a date's first number is the day (else the month); ``year_first``: the first date
    is written year first (``2026/09/23``), which says nothing of the others. ``start_day``: for a time of day
    dated by a column ``date_column`` beside it, the days since 1970 of its first row.
    """

    form: str
    day_first: bool = True
    notes: tuple[str, ...] = ()
    start_day: int | None = None
    date_column: str | None = None
    year_first: bool = False
    _turns: int = 0
    _last: float | None = None

    @property
    def period_ns(self) -> int:
        return HOUR_NS if self.form == "hour" else DAY_NS

    @property
    def note(self) -> str:
        order = (
            "year/month/day" if self.year_first else "day/month/year" if self.day_first else "month/day/year"
        )
        if self.form == "date":
            return f"time read as a date ({order}) and time of day (no time zone given)"
        if self.form == "day" and self.start_day is not None:
            return (
                f"time read as a time of day, dated by the first row's {self.date_column} ({order}; no time "
                "zone given)"
            )
        if self.form == "day":
            return "time read as a time of day (the file gives no date)"
        return "time read as minutes and seconds (the file gives no hour or date)"

    def to_ns(self, column: Any) -> FloatArray:
        """The column (Arrow strings, chunked or not) as nanoseconds: since 1970 for a date, else from the
        clock's zero, gone round as often as it went round before; an empty cell is NaN. Raises
        :class:`ClockTextError` for the first cell that does not read."""
        import pyarrow as pa

        text = pa.concat_arrays(column.chunks) if isinstance(column, pa.ChunkedArray) else column
        found = _fixed_width(text)
        fields, missing = found if found is not None else _by_pattern(text)
        beyond = (
            (fields["s"] > 60)
            | ((fields["m"] > 59) & (self.form != "hour"))
            | (fields["half"] > 0) & ((fields["h"] > 12) | (fields["h"] == 0))
        )
        if beyond.any():  # 25:61:99 reads as the form, but is no time (a leap second's :60 is one)
            cell = text[int(np.flatnonzero(beyond)[0])].as_py()
            raise ClockTextError(cell, "is not a time: its minutes, seconds or hour are out of range")
        half = fields["half"]  # a 12-hour clock: 12 AM is midnight, 12 PM noon
        hours = np.where(half == 0, fields["h"], fields["h"] % 12 + 12 * (half == 2))
        seconds = (hours * 60 + fields["m"]) * 60 + fields["s"]
        fraction = fields["f"] / np.power(10.0, fields["f_digits"]) + fields["ms"] / 1000.0
        ns = seconds * float(NS) + fraction * NS
        if self.form == "date":
            ns += self._days(fields["a"], fields["b"], fields["c"], text) * float(DAY_NS)
        else:
            ns = self._gone_round(ns)
            if self.start_day is not None:
                ns += self.start_day * float(DAY_NS)
        ns[missing] = np.nan
        out: FloatArray = ns
        return out

    def _days(self, a: np.ndarray, b: np.ndarray, c: np.ndarray, text: Any) -> np.ndarray:
        year_first = a >= 1000
        day = np.where(year_first, c, np.where(self.day_first, a, b))
        month = np.where(year_first, b, np.where(self.day_first, b, a))
        year = np.where(year_first, a, np.where(c < 100, 2000 + c, c))
        bad = (month < 1) | (month > 12) | (day < 1) | (day > 31)
        if bad.any():
            order = "day/month/year" if self.day_first else "month/day/year"
            cell = text[int(np.flatnonzero(bad)[0])].as_py()
            raise ClockTextError(cell, f"is not a date read {order} as the rows before it are")
        return days_since_1970(year, month, day)

    def _gone_round(self, ns: FloatArray) -> FloatArray:
        """Add a period each time the clock falls back by more than half of one (past midnight, or the hour)."""
        finite = np.flatnonzero(np.isfinite(ns))
        if finite.size == 0:
            return ns
        values = ns[finite]
        before = values[0] if self._last is None else self._last
        fell = np.diff(values, prepend=before) < -self.period_ns / 2
        turns = self._turns + np.cumsum(fell)
        self._last = float(values[-1])
        self._turns = int(turns[-1])
        out = ns.copy()
        out[finite] = values + turns * float(self.period_ns)
        return out


def days_since_1970(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of (proleptic Gregorian) dates, for whole arrays: numpy's calendar months, then
    the day within the month."""
    months = ((year - 1970) * 12 + (month - 1)).astype("datetime64[M]")
    days: np.ndarray = months.astype("datetime64[D]").astype(np.int64) + (day - 1)
    return days


def clock_text(
    cells: Sequence[str], dates: Sequence[str] = (), date_column: str | None = None
) -> ClockText | None:
    """How a time column reads, from its first cells (the first decides the form; all of them the order of
    day and month), or None when the first is not a clock time. ``dates``: the first cells of a column named
    ``date_column`` beside a time of day, which dates it (from its first row) when they are dates."""
    found = _CLOCK.match(cells[0].strip().strip('"')) if cells else None
    if found is None:
        return None
    if found.group("a") is None:
        form = "day" if found.group("h") is not None else "hour"
        matches = [_DATE.match(cell.strip().strip('"')) for cell in dates]
        if form == "hour" or not matches or matches[0] is None:
            return ClockText(form)
        day_first, notes = _day_order([m for m in matches if m is not None])
        day = _one_day(matches[0], day_first)
        if day is None:
            return ClockText(form)
        first = len(matches[0].group("a")) == 4
        return ClockText(
            form, day_first, () if first else notes, start_day=day, date_column=date_column, year_first=first
        )
    day_first, notes = _day_order([m for m in map(_CLOCK.match, (c.strip().strip('"') for c in cells)) if m])
    first = len(found.group("a")) == 4
    return ClockText("date", day_first, () if first else notes, year_first=first)


_DATE = re.compile(r"^\s*(?P<a>\d{1,4})[/.-](?P<b>\d{1,2})[/.-](?P<c>\d{2,4})\s*$")


def _day_order(found: Sequence[re.Match[str]]) -> tuple[bool, tuple[str, ...]]:
    """Whether dates (groups ``a``, ``b``, ``c``) are written day first, and the note when no row tells: a first
    number above 12 is a day, a second one above 12 makes the first the month; a year written first tells
    nothing of the others."""
    pairs = [(int(m.group("a")), int(m.group("b"))) for m in found if m.group("a") and len(m.group("a")) < 4]
    if not pairs or any(a > 12 for a, _ in pairs):
        return True, ()
    if any(b > 12 for _, b in pairs):
        return False, ()
    return True, (_DAY_FIRST_NOTE,)


def _one_day(found: re.Match[str], day_first: bool) -> int | None:
    """Days since 1970 of one date (groups ``a``, ``b``, ``c``), or None when it is no date."""
    a, b, c = (int(found.group(name)) for name in "abc")
    if len(found.group("a")) == 4:
        year, month, day = a, b, c
    else:
        day, month = (a, b) if day_first else (b, a)
        year = 2000 + c if c < 100 else c
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return int(days_since_1970(np.array([year]), np.array([month]), np.array([day]))[0])


def is_clock_text(cell: str) -> bool:
    return _CLOCK.match(cell.strip().strip('"')) is not None


_GROUPS = ("a", "b", "c", "h", "m", "s", "f", "ms")


def _fixed_width(text: Any) -> tuple[dict[str, np.ndarray], np.ndarray] | None:
    """The fields of a column whose cells all have the first cell's width and its separators in the same
    places ("13:05:10.250" on every row, as an app writes them): read from the characters' codes directly,
    some twenty times faster than the regular expression; None for any other column."""
    n = len(text)
    if n == 0 or text.null_count or str(text.type) != "string":  # (large strings: 64-bit offsets)
        return None
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=n + 1 + text.offset)[text.offset :]
    width = int(offsets[1] - offsets[0])
    if width == 0 or (np.diff(offsets) != width).any():
        return None
    chars = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(n, width)
    first = _CLOCK.fullmatch(bytes(chars[0]).decode("latin-1"))
    if first is None:
        return None
    digit = np.zeros(width, dtype=bool)
    for name in _GROUPS:
        if first.group(name) is not None:
            digit[first.start(name) : first.end(name)] = True
    numbers = chars[:, digit]
    if not (((numbers >= 48) & (numbers <= 57)).all() and (chars[:, ~digit] == chars[0, ~digit]).all()):
        return None
    fields: dict[str, np.ndarray] = {}
    for name in _GROUPS:
        if first.group(name) is None:
            fields[name] = np.zeros(n, dtype=np.int64)
            continue
        span = chars[:, first.start(name) : first.end(name)].astype(np.int64) - 48
        fields[name] = span @ (10 ** np.arange(span.shape[1] - 1, -1, -1, dtype=np.int64))
    fields["f_digits"] = np.full(n, len(first.group("f") or ""), dtype=np.int64)
    half = (first.group("p") or " ").upper()  # the same on every row here (not a digit's place)
    fields["half"] = np.full(n, {"A": 1, "P": 2}.get(half, 0), dtype=np.int64)
    return fields, np.zeros(n, dtype=bool)


def _by_pattern(text: Any) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The fields of any column of clock times, by :data:`PATTERN`, and which cells are empty; raises
    :class:`ClockTextError` for the first cell that does not read."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.extract_regex(text, PATTERN)
    missing = _mask(pc.is_null(parts))
    if missing.any():  # a cell that does not read, or an empty one (NaN, as for a number left out)
        written = _mask(pc.invert(pc.is_null(text))) & _mask(pc.not_equal(pc.utf8_trim_whitespace(text), ""))
        unread = missing & written
        if unread.any():
            cell = text[int(np.flatnonzero(unread)[0])].as_py()
            raise ClockTextError(cell, "does not read as a time like the rows before it")

    def number(name: str) -> np.ndarray:
        field = pc.struct_field(parts, name)
        return _ints(pc.cast(pc.fill_null(pc.if_else(pc.equal(field, ""), "0", field), "0"), pa.int64()))

    fields = {name: number(name) for name in _GROUPS}
    fields["f_digits"] = _ints(pc.fill_null(pc.utf8_length(pc.struct_field(parts, "f")), 0))
    half = pc.utf8_upper(pc.fill_null(pc.struct_field(parts, "p"), ""))
    fields["half"] = _mask(pc.equal(half, "A")).astype(np.int64) + 2 * _mask(pc.equal(half, "P")).astype(
        np.int64
    )
    return fields, missing


def _mask(values: Any) -> np.ndarray:
    """An Arrow boolean array (no nulls) as a numpy mask."""
    return np.unpackbits(np.frombuffer(values.buffers()[1], dtype=np.uint8), bitorder="little")[
        values.offset : values.offset + len(values)
    ].astype(bool)


def _ints(values: Any) -> np.ndarray:
    """An Arrow int64 or int32 array without nulls as numpy int64 (its buffer read directly: Arrow's own
    ``to_numpy`` imports pandas, a quarter of a second)."""
    dtype = np.int64 if values.type.bit_width == 64 else np.int32
    data = np.frombuffer(values.buffers()[1], dtype=dtype, count=len(values) + values.offset)
    return data[values.offset :].astype(np.int64)
