"""Stream a long recording in consecutive chunks on one uniform time grid.

Each block parsed from the file goes through the same checks as a whole read (order, duplicates, short NaN
runs), with what lies across its edges found as in the whole file (:func:`checked`: a run of missing values
or a table's gyroscope rows cut by an edge), and messages name the file's lines and times, not the block's;
units are found once, from the first chunk, and applied to all (a first chunk that lay still is held with
the blocks after it until a stretch that moved tells the angular-rate unit, as in a whole read:
:class:`~backstride.io._resample.GyrJudge`). The grid ``k / rate`` is fixed by
the first block (its rate as for a whole read), and every chunk holds grid samples ``[j·N, (j+1)·N)`` with
``N = round(chunk_s · rate)``, linearly interpolated from the raw samples around them (for a regular file
the grid falls on the samples themselves). Only the raw samples of the current chunk plus one parsed block
are held in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from backstride._errors import InputError
from backstride._stats import median
from backstride.io._raw import RawSignals, join_raw
from backstride.io._resample import (
    MAX_FILLED_NAN_RUN_S,
    MAX_GAP_S,
    REGULAR_TOLERANCE,
    Dropped,
    Filled,
    Gaps,
    GyrJudge,
    GyrReading,
    RowBefore,
    Units,
    check_time,
    fill_missing,
    find_units,
    grid_count,
    irregular_note,
    is_one_sensor_a_row,
    refuse_backwards,
    refuse_jump,
    time_base,
)
from backstride.io._units import check_judged_on_stillness, iso_from_epoch_s
from backstride.recording import FloatArray, Recording


class _Buffer:
    def __init__(self, with_gyr: bool) -> None:
        self.t: list[FloatArray] = []
        self.acc: list[FloatArray] = []
        self.gyr: list[FloatArray] | None = [] if with_gyr else None
        self.notes: list[str] = []

    def add(self, raw: RawSignals) -> None:
        self.t.append(raw.time_s)
        self.acc.append(raw.acc)
        if self.gyr is not None:
            if raw.gyr is None:
                raise InputError(f"{raw.source}: the gyroscope columns are empty in part of the file")
            self.gyr.append(raw.gyr)

    @property
    def last_t(self) -> float:
        return float(self.t[-1][-1])

    def joined(self) -> tuple[FloatArray, FloatArray, FloatArray | None]:
        t = np.concatenate(self.t) if len(self.t) > 1 else self.t[0]
        acc = np.concatenate(self.acc) if len(self.acc) > 1 else self.acc[0]
        gyr = None
        if self.gyr is not None:
            gyr = np.concatenate(self.gyr) if len(self.gyr) > 1 else self.gyr[0]
        self.t, self.acc = [t], [acc]
        if gyr is not None:
            self.gyr = [gyr]
        return t, acc, gyr

    def keep_from(self, time: float) -> None:
        """Drop raw samples before ``time`` except the last one before it (needed to interpolate)."""
        t, acc, gyr = self.joined()
        start = max(0, int(np.searchsorted(t, time, side="left")) - 1)
        self.t, self.acc = [t[start:]], [acc[start:]]
        if gyr is not None:
            self.gyr = [gyr[start:]]


class Said:
    """What the chunks of one stream have said so far: the irregular time base once, and the duplicated time
    stamps dropped, the short runs of missing values filled and the gaps counted over all chunks, said at the
    end (on the last chunk)."""

    def __init__(self) -> None:
        self.irregular = False
        self.dropped = Dropped()
        self.filled = Filled()
        self.gaps: Gaps | None = None

    def tallies(self) -> list[str]:
        """The duplicated time stamps dropped and the short runs of missing values filled, one note each."""
        return [*self.dropped.notes(), *self.filled.notes()]


def _continue_order(
    raw: RawSignals,
    last_t: float | None,
    gyr_before: GyrReading | None,
    row_before: RowBefore | None,
    said: Said,
) -> bool:
    """Check order against the previous block and drop a stamp repeated across the boundary; False if empty.
    ``gyr_before`` and ``row_before``: what the previous block hands on (see :func:`_carried`); ``said``
    tallies the duplicated stamps dropped and the short runs of missing values filled."""
    if last_t is not None and raw.n:
        if raw.time_s[0] < last_t:
            refuse_backwards(raw, last_t, 0)
        if raw.time_s[0] - last_t > MAX_GAP_S:
            refuse_jump(raw, last_t, 0)
        if raw.time_s[0] == last_t:
            keep = slice(1, None)
            raw.time_s, raw.acc = raw.time_s[keep], raw.acc[keep]
            raw.dt = None
            raw.gyr = None if raw.gyr is None else raw.gyr[keep]
            said.dropped.add(1, raw.where(0))
    if raw.n == 0:
        return False
    check_time(raw, gyr_before, said.dropped)
    fill_missing(raw, row_before, said.filled)
    return True


def _last_row(raw: RawSignals) -> RowBefore:
    """A checked and filled block's last row, handed on to the next block (in the file's units)."""
    return (
        float(raw.time_s[-1]),
        raw.acc[-1].copy(),
        None if raw.gyr is None else raw.gyr[-1].copy(),
    )


def _carried(blocks: Iterator[RawSignals]) -> Iterator[tuple[RawSignals, GyrReading | None]]:
    """The blocks of a streamed table with their edges mended, so that what lies between two rows is found as
    in the whole table, and each with what it needs of the block before.

    A missing value is filled between the values around it, and the next one may lie in the next block: a
    block ends at its last row with every value (of the columns that have values in it), the rows after it
    wait for the next block (unless they last longer than any missing stretch that is filled: that is
    refused, or held), and its last row is handed on to the next (:func:`_last_row`, by the caller). In a
    table of one sensor a row (:func:`~backstride.io._resample.is_one_sensor_a_row`) an accelerometer row is
    given the gyroscope interpolated between the readings around it: a block ends where its last
    accelerometer row and its last gyroscope reading are both whole, and that reading is handed on with the
    next block (``None`` in any other table). Only the file's last rows, after its last reading, hold that
    reading, as they do when the table is read whole."""
    tail: RawSignals | None = None
    before: GyrReading | None = None
    interleaved = False  # the table is one sensor a row (found in an earlier block)
    for raw in blocks:
        if tail is not None:
            raw = join_raw([tail, raw])
            tail = None
        if not interleaved and _no_missing_values(raw):  # nearly every block: nothing to mend
            yield raw, None
            continue
        interleaved = interleaved or (raw.n > 0 and is_one_sensor_a_row(raw))
        cut, reading = _edge(raw, interleaved)
        if 0 < cut < raw.n and not raw.time_s[-1] - raw.time_s[cut] > MAX_FILLED_NAN_RUN_S:
            tail = _rows(raw, slice(cut, None), lines_from=cut)
            raw = _rows(raw, slice(0, cut), lines_from=0)
        yield raw, before
        before = reading or before
    if tail is not None:
        yield tail, before


def checked(
    blocks: Iterable[RawSignals], said: Said, left_out: list[str] | None = None
) -> Iterator[RawSignals]:
    """The blocks of one file, each checked and filled as the whole file's rows would be (:func:`_carried`,
    :func:`_continue_order`), what they say tallied in ``said``; a block left with no rows is left out (its
    notes put in ``left_out``)."""
    last_t: float | None = None
    row: RowBefore | None = None
    for raw, gyr_before in _carried(iter(blocks)):
        if not _continue_order(raw, last_t, gyr_before, row, said):
            if left_out is not None:
                left_out.extend(raw.notes)
            continue
        last_t, row = float(raw.time_s[-1]), _last_row(raw)
        yield raw


def _no_missing_values(raw: RawSignals) -> bool:
    with np.errstate(over="ignore"):  # a damaged cell of 1e308 overflows it: check_time refuses that cell
        total = float(raw.acc.sum()) + (0.0 if raw.gyr is None else float(raw.gyr.sum()))
    return bool(np.isfinite(total))


def _edge(raw: RawSignals, interleaved: bool) -> tuple[int, GyrReading | None]:
    """Where a block with missing values ends (the rows before it; 0 where no row will do) and, in a table of
    one sensor a row, the last gyroscope reading before that."""
    acc = np.isfinite(raw.acc)
    if not interleaved or raw.gyr is None:
        finite = acc if raw.gyr is None else np.concatenate((acc, np.isfinite(raw.gyr)), axis=1)
        whole = np.flatnonzero(finite[:, finite.any(axis=0)].all(axis=1))
        return (int(whole[-1]) + 1 if whole.size else 0), None
    # a whole reading, after which every accelerometer row has its readings on both sides, and before which
    # the last accelerometer row is whole (every missing stretch of both sensors closed)
    values = acc.sum(axis=1)  # how many of the three each row has
    last_acc = np.maximum.accumulate(np.where(values > 0, np.arange(raw.n), -1))
    acc_closed = (last_acc >= 0) & (values == 3)[np.maximum(last_acc, 0)]
    ends = np.flatnonzero(np.isfinite(raw.gyr).all(axis=1) & acc_closed)
    if ends.size == 0:
        return 0, None
    at = int(ends[-1])
    return at + 1, (float(raw.time_s[at]), raw.gyr[at].copy())


def _rows(raw: RawSignals, rows: slice, lines_from: int) -> RawSignals:
    """Rows ``rows`` of a block, their lines still named (``lines_from``: the first one's index in the block);
    only rows that start the block keep its notes."""
    return replace(
        raw,
        time_s=raw.time_s[rows],
        acc=raw.acc[rows],
        gyr=None if raw.gyr is None else raw.gyr[rows],
        first_line=None if raw.first_line is None else raw.first_line + lines_from,
        notes=list(raw.notes) if lines_from == 0 else [],
        dt=None,
    )


def stream_chunks(
    blocks: Iterator[RawSignals],
    *,
    chunk_s: float,
    acc_unit: str | None,
    gyr_unit: str | None,
    metadata: dict[str, Any],
) -> Iterator[Recording]:
    """Turn parsed blocks into consecutive, non-overlapping :class:`Recording` chunks.

    Units and the grid rate are found once, from the first ``chunk_s`` seconds of raw samples (so a
    recording that starts with the sensor lying still is judged on enough data), or from more when that part
    shows no movement to tell the angular-rate unit by (held, up to ``GYR_JUDGED_SPAN_S``, until a stretch
    does: :class:`~backstride.io._resample.GyrJudge`).
    """
    units: Units | None = None
    rate = 0.0
    per_chunk = 0
    buffer: _Buffer | None = None
    grid_start = 0
    last_t: float | None = None
    chunk_index = 0
    meta: dict[str, Any] = dict(metadata)
    global_notes: list[str] = []
    first: list[RawSignals] = []
    exhausted = False
    said = Said()
    source = checked(blocks, said)
    held: Recording | None = None
    judge = GyrJudge()
    while not exhausted:
        raw_block = next(source, None)
        if raw_block is None:
            exhausted = True
            if units is not None or not first:
                break
            judge.ready(first, gyr_unit or first[0].gyr_unit, ended=True)
            ready = first
        else:
            last_t = float(raw_block.time_s[-1])
            if units is None:
                first.append(raw_block)
                if last_t - float(first[0].time_s[0]) < chunk_s:
                    continue
                if not judge.ready(first, gyr_unit or first[0].gyr_unit, ended=False):
                    continue
                ready = first
            else:
                ready = [raw_block]
        if units is None:
            head = join_raw(first)
            if head.n < 2:
                raise InputError(f"{head.source} has a single data row; a recording needs many")
            units = find_units(head, acc_unit, gyr_unit, judge.found, judge.unmoved_until)
            rate = time_base(head.time_s, np.diff(head.time_s)).rate
            per_chunk = max(1, round(chunk_s * rate))
            buffer = _Buffer(first[0].gyr is not None)
            meta = {**first[0].metadata, **metadata}  # what the file says of itself (device, serial ...)
            if first[0].epoch_s is not None:
                meta["start_time"] = iso_from_epoch_s(first[0].epoch_s, first[0].zone)
            global_notes = [*first[0].notes, *units.notes]
            first = []
        assert buffer is not None
        for raw in ready:
            buffer.notes.extend(n for n in raw.notes if n not in global_notes and n not in buffer.notes)
            if units.acc_factor != 1.0:
                raw.acc *= units.acc_factor
            if raw.gyr is not None and units.gyr_factor != 1.0:
                raw.gyr *= units.gyr_factor
            buffer.add(raw)
            while buffer.last_t >= (grid_start + per_chunk - 1) / rate:
                chunk = _emit(
                    buffer, grid_start, grid_start + per_chunk, rate, chunk_index, meta, global_notes, said
                )
                _check_gyr(chunk, units)
                if held is not None:
                    yield held
                held = chunk
                grid_start += per_chunk
                chunk_index += 1
                buffer.keep_from(grid_start / rate)
    if buffer is None or last_t is None:
        raise InputError(f"{metadata.get('source', 'the file')} has no data rows")
    stop = grid_count(last_t, rate)
    if stop > grid_start:
        chunk = _emit(buffer, grid_start, stop, rate, chunk_index, meta, global_notes, said)
        if units is not None:
            _check_gyr(chunk, units)
        if held is not None:
            yield held
        held = chunk
    if held is not None:
        # the gaps of the whole stream, said once on its last chunk (which is why one chunk is held back)
        gaps = [
            *said.tallies(),
            *(said.gaps.notes() if said.gaps is not None else []),
        ]
        yield replace(held, notes=tuple(dict.fromkeys([*held.notes, *gaps])))


def _check_gyr(chunk: Recording, units: Units) -> None:
    """A chunk after the hours of stillness its angular-rate unit was judged on, checked against that unit."""
    after = units.gyr_checked_after_s
    if after is None or chunk.gyr_dps is None or chunk.time_s[-1] < after:
        return
    later = chunk.time_s >= after
    check_judged_on_stillness(
        chunk.gyr_dps[later] / units.gyr_factor,
        chunk.time_s[later],
        units.gyr_factor,
        source=str(chunk.metadata.get("source", "the file")),
    )


def _emit(
    buffer: _Buffer,
    start: int,
    stop: int,
    rate: float,
    index: int,
    metadata: dict[str, Any],
    global_notes: list[str],
    said: Said,
) -> Recording:
    t, acc, gyr = buffer.joined()
    grid = np.arange(start, stop, dtype=np.float64) / rate
    lo = max(0, int(np.searchsorted(t, grid[0], side="left")) - 1)
    hi = min(t.shape[0], int(np.searchsorted(t, grid[-1], side="right")) + 1)
    ts = t[lo:hi]
    notes = [*global_notes, *buffer.notes]
    buffer.notes = []
    if ts.shape[0] > 1:
        dt = np.diff(ts)
        # judged against the stream's own period: a chunk may hold only the two samples around a long gap
        # (a logger asleep while it lay still), whose interval is no sampling period
        period = 1.0 / rate
        within = dt[dt <= max(5.0 * period, 0.1)]  # gaps are reported on their own
        irregular = within.size and float(np.max(np.abs(within - period))) > REGULAR_TOLERANCE * period
        if irregular and not said.irregular:
            notes.append(irregular_note(median(within), float(np.std(within)), rate))
            said.irregular = True
        if said.gaps is None:
            said.gaps = Gaps.for_period(period)
        said.gaps.add(ts, dt)
    # samples already on the grid (a logger's regular export) are taken as they are, as io.read does
    on_grid = REGULAR_TOLERANCE / rate
    first = int(np.searchsorted(t, grid[0] - on_grid, side="left"))
    on = t[first : first + grid.shape[0]]
    if on.shape[0] == grid.shape[0] and float(np.max(np.abs(on - grid))) <= on_grid:
        # views: the buffer never writes into samples it has taken in, and drops them once given out
        take = slice(first, first + grid.shape[0])
        out_gyr = None if gyr is None else gyr[take]
        meta = {**metadata, "chunk": index}
        return Recording(rate, grid, acc[take], out_gyr, metadata=meta, notes=tuple(dict.fromkeys(notes)))
    out_acc = np.empty((grid.shape[0], 3), dtype=np.float64)
    out_gyr = None if gyr is None else np.empty((grid.shape[0], 3), dtype=np.float64)
    for axis in range(3):
        out_acc[:, axis] = np.interp(grid, ts, acc[lo:hi, axis])
        if out_gyr is not None and gyr is not None:
            out_gyr[:, axis] = np.interp(grid, ts, gyr[lo:hi, axis])
    meta = {**metadata, "chunk": index}
    return Recording(rate, grid, out_acc, out_gyr, metadata=meta, notes=tuple(dict.fromkeys(notes)))
