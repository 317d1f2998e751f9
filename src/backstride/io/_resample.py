"""From signals as found to the canonical recording: order, missing values, units, uniform time grid.

Decisions (each correction leaves a plain sentence in ``Recording.notes``):

* **No rows** → :class:`~backstride.InputError`. A missing time stamp → error naming the line.
* **Time going backwards** → error naming the line: rows out of order mean a damaged or concatenated file,
  and guessing the order would invent data.
* **One sensor a row** (the accelerometer and the gyroscope each on rows of their own, the other's cells
  empty) → the gyroscope is interpolated onto the accelerometer's rows and its own rows set aside, with a
  note; checked before duplicated stamps, since both sensors may write the same instant.
* **Duplicated time stamps** → the later rows with the same time are dropped, with a note.
* **Missing values (NaN, empty cells)** in the sensor columns: runs up to 0.5 s are filled by linear
  interpolation, with a note counting the stretches of rows filled (a reading without any of its values is
  one); a longer run of the acceleration → error naming the column and the lines, because a channel that
  falls silent for longer usually means a broken export. The gyroscope is one the recording can do without:
  its longer runs are bridged alike and said apart (how many, the longest and where), as the gait engine
  takes no pelvis ranges from a rate drawn so (:func:`backstride.gait._pelvis.drawn`); refusing them refused
  the walking with them. A gyroscope that is empty throughout is dropped with a note.
* **A long file read block by block** (:mod:`backstride.io._stream`) gives the samples, refusals and notes
  of a whole read: what lies across a block's edge is found from both sides, and the notes that count
  (duplicated stamps, missing values filled, gaps) are said once, counted over the file.
* **Irregular time base** (phones): when the sample intervals deviate from their median by more than 5 %,
  the signals are linearly interpolated onto a uniform grid at the median rate rounded to the nearest
  integer Hz (one decimal below 10 Hz). A regular file keeps its samples untouched where they lie on its
  grid (within 5 % of a sample); a regular clock that wanders off it (a logger's block time stamps, a rate
  snapped to whole hertz) has its samples put on the grid at their recorded times, as a stream puts them.
* **Gaps** longer than five median intervals (and at least 0.1 s) are reported with their count, the
  longest and where it starts, and bridged by the same linear interpolation. The recording is never split.
  Gaps longer than 10 s are named separately in the notes as stretches that are a straight line rather
  than measurement, so nobody mistakes them for standing still.
* **A jump of the time stamps over 7 days** (a device's clock set to another year, two recordings joined)
  → error naming the row and its time: bridging it would put weeks or decades of straight line on the grid
  sample by sample, an hour of work or more for a year at 100 Hz (a logger asleep overnight, the longest
  real pause, is hours). A jump of over a century is no clock but a damaged time stamp (1e30 written for
  15.0): the error says so and names that line, and a damaged stamp far behind its neighbours is named as
  time going backwards on its own line (the first of the two steps it makes), not as the jump after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

import numpy as np
import numpy.typing as npt

from backstride._errors import InputError
from backstride._stats import median
from backstride._words import plural
from backstride.io import _units
from backstride.io._memory import empty, no_hugepages, time_grid
from backstride.io._raw import RawSignals
from backstride.io._units import (
    acc_factor,
    check_judged_on_stillness,
    gyr_factor,
    iso_from_epoch_s,
    judged_on_stillness_note,
    shows_movement,
)
from backstride.recording import SENSOR_LIMITS, FloatArray, Recording

MAX_FILLED_NAN_RUN_S = 0.5
LONG_GAP_S = 10.0
MAX_GAP_S = 7 * 86_400.0
# a jump of the time stamps beyond a century is no clock set wrong but a damaged cell (1e30 for 15.0)
DAMAGED_JUMP_DAYS = 36_525.0
REGULAR_TOLERANCE = 0.05


@dataclass(frozen=True)
class Units:
    """Conversion factors found once and applied to every chunk of a recording."""

    acc_factor: float
    gyr_factor: float
    notes: tuple[str, ...]
    # the angular-rate unit was judged on hours in which nothing moved: what follows them is checked against
    # it (:func:`~backstride.io._units.check_judged_on_stillness`)
    gyr_checked_after_s: float | None = None


@dataclass
class Dropped:
    """Duplicated time stamps dropped, tallied over one stretch or many (a streamed file): how many, and where
    the first was."""

    count: int = 0
    first: str = ""

    def add(self, count: int, where: str) -> None:
        if count:
            self.first = self.first or where
            self.count += count

    def notes(self) -> list[str]:
        if not self.count:
            return []
        return [f"{plural(self.count, 'duplicated time stamp')} dropped (first on {self.first})"]


def refuse_jump(raw: RawSignals, before_s: float, index: int) -> NoReturn:
    """Refuse the jump of the time stamps from ``before_s`` to row ``index`` of ``raw`` (over
    :data:`MAX_GAP_S`), naming the row and, when the file is dated, the time before the jump."""
    after_s = float(raw.time_s[index])
    when = ""
    start = raw.metadata.get("start_time")
    if raw.epoch_s is not None:
        when = f" (after {iso_from_epoch_s(raw.epoch_s + before_s, raw.zone)})"
    elif isinstance(start, str):
        try:
            when = f" (after {(datetime.fromisoformat(start) + timedelta(seconds=before_s)).isoformat()})"
        except (ValueError, OverflowError):
            when = ""
    days = (after_s - before_s) / 86_400
    if days > DAMAGED_JUMP_DAYS:  # no clock set wrong is that far off: one damaged cell (1e30 for 15.0)
        raise InputError(
            f"{raw.source}: the time on {raw.where(index)} ({_seconds(after_s)}) lies more than a century after "
            f"the time before it ({_seconds(before_s)}){when}: that time stamp is damaged; correct or remove "
            "that line"
        )
    raise InputError(
        f"{raw.source}: the time jumps {days:.1f} days forward on {raw.where(index)}"
        f"{when}; a pause of over {MAX_GAP_S / 86_400:g} days is not bridged: the device's clock was set "
        "wrong or the file joins two recordings"
    )


def refuse_backwards(raw: RawSignals, before_s: float, index: int) -> NoReturn:
    """Refuse the step back of the time stamps from ``before_s`` to row ``index`` of ``raw``."""
    raise InputError(
        f"{raw.source}: time goes backwards on {raw.where(index)} "
        f"({_seconds(float(raw.time_s[index]))} after {_seconds(before_s)}); the rows are out of order"
    )


def _seconds(value: float) -> str:
    """A time stamp in a message: to the millisecond, or in powers of ten when it is wild (1e+30 s)."""
    return f"{value:.3f} s" if abs(value) < 1e9 else f"{value:.3g} s"


def check_time(raw: RawSignals, gyr_before: GyrReading | None = None, dropped: Dropped | None = None) -> None:
    """Refuse empty input, missing time stamps and time going backwards; drop duplicated stamps.

    ``gyr_before`` is, for a block of a streamed table of one sensor a row, the gyroscope's last reading
    before it (see :func:`is_one_sensor_a_row`). The stamps dropped are said in a note, or added to
    ``dropped`` (said once for a streamed file)."""
    if raw.n == 0:
        raise InputError(f"{raw.source} has no data rows")
    t = raw.time_s
    bad = ~np.isfinite(t)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"{raw.source}: the time ({raw.time_name}) is missing on {raw.where(i)}")
    _refuse_beyond_any_sensor(raw)
    if raw.gyr is not None and (
        gyr_before is not None or not np.isfinite(float(raw.acc.sum()) + float(raw.gyr.sum()))
    ):
        _gyroscope_onto_accelerometer(raw, gyr_before)
        t = raw.time_s
    with no_hugepages():
        dt = np.diff(t)
    if t.shape[0] < 2 or (float(dt.min()) > 0 and float(dt.max()) <= MAX_GAP_S):
        raw.dt = dt
        return
    # the first of a jump forward and a step back is the one named: a damaged time stamp makes both
    wrong = (dt > MAX_GAP_S) | (dt < 0)
    if wrong.any():
        i = int(np.argmax(wrong)) + 1
        if dt[i - 1] > 0:
            refuse_jump(raw, float(t[i - 1]), i)
        refuse_backwards(raw, float(t[i - 1]), i)
    dup = dt == 0
    if dup.all():
        raise InputError(
            f"{raw.source}: all {raw.n} rows have the same time stamp; the time column ({raw.time_name}) "
            "does not advance"
        )
    if dup.any():
        count = int(dup.sum())
        first = int(np.argmax(dup)) + 1
        keep = np.ones(raw.n, dtype=bool)
        keep[1:] = ~dup
        raw.time_s = t[keep]
        raw.acc = raw.acc[keep]
        raw.gyr = None if raw.gyr is None else raw.gyr[keep]
        if dropped is not None:
            dropped.add(count, raw.where(first))
        else:
            raw.notes.extend(Dropped(count, raw.where(first)).notes())
        raw.first_line = None
        raw.dt = None
    else:
        raw.dt = dt


ONE_SENSOR_ROWS = 0.1  # the least share of rows each sensor writes alone for a table of one sensor a row

GyrReading = tuple[float, FloatArray]  # a gyroscope reading: its time (s) and its three values


def is_one_sensor_a_row(raw: RawSignals) -> bool:
    """Whether the accelerometer and the gyroscope each write rows of their own, the other sensor's cells
    left empty (apps that log several sensors into one table, each reading on a row of its own as it comes):
    each sensor writes at least ``ONE_SENSOR_ROWS`` of the rows alone."""
    if raw.gyr is None:
        return False
    acc_rows = np.isfinite(raw.acc).any(axis=1)
    gyr_rows = np.isfinite(raw.gyr).any(axis=1)
    least = ONE_SENSOR_ROWS * raw.n
    return bool((acc_rows & ~gyr_rows).sum() >= least and (gyr_rows & ~acc_rows).sum() >= least)


def _refuse_beyond_any_sensor(raw: RawSignals) -> None:
    """Refuse a value no sensor writes in any unit it is read in (:data:`SENSOR_LIMITS`: 1e5 is 10,000 g in
    m/s², a 16-bit sensor's counts fit below it): a damaged cell of 1e308 would overflow the sums that follow
    and, read, swamp the filters. One pass each for the largest and the smallest value (``fmax`` passes over
    missing values, read as gaps later); the cell is found only when there is one."""
    for values, names, what in (
        (raw.acc, raw.acc_names, "acceleration"),
        (raw.gyr, raw.gyr_names, "angular rate"),
    ):
        if values is None or values.size == 0:
            continue
        limit = SENSOR_LIMITS[what][0]
        if (
            -limit <= float(np.fmin.reduce(values, axis=None))
            and float(np.fmax.reduce(values, axis=None)) <= limit
        ):
            continue
        # an infinite value is a gap, filled or refused as one
        beyond = np.isfinite(values) & (np.abs(values) > limit)
        if not beyond.any():
            continue
        i, axis = (int(k) for k in np.argwhere(beyond)[0])
        raise InputError(
            f"{raw.source}: {raw.where(i)}, column {names[axis]!r}: {values[i, axis]:.6g} is beyond what any "
            f"sensor measures (±{limit:g}); the file is damaged there: correct or remove that value"
        )


def _gyroscope_onto_accelerometer(raw: RawSignals, before: GyrReading | None = None) -> None:
    """In a table of one sensor a row (:func:`is_one_sensor_a_row`) the gyroscope is put onto the
    accelerometer's time stamps by linear interpolation and its own rows are dropped, so the time base is the
    accelerometer's. Without this, the rows' mixed time stamps would look like an irregular clock at the two
    sensors' rates together and every empty cell like a missing value.

    ``before`` is the gyroscope's last reading before a block of a streamed table (which is then known to be
    one sensor a row): the block's first rows are interpolated from it, as in the whole table."""
    assert raw.gyr is not None
    if before is None and not is_one_sensor_a_row(raw):
        return
    acc_rows = np.isfinite(raw.acc).any(axis=1)
    t = raw.time_s
    keep = t[acc_rows]
    gyr = empty((keep.shape[0], 3))
    for axis in range(3):
        column = raw.gyr[:, axis]
        known = np.isfinite(column)
        at, values = t[known], column[known]
        if before is not None:
            at, values = np.concatenate(([before[0]], at)), np.concatenate(([before[1][axis]], values))
        gyr[:, axis] = np.interp(keep, at, values)
    raw.time_s, raw.acc, raw.gyr = keep, raw.acc[acc_rows], gyr
    raw.first_line, raw.dt = None, None
    raw.notes.append(
        "the accelerometer and the gyroscope write rows of their own: the gyroscope was put onto the "
        "accelerometer's time stamps and its rows set aside"
    )


def _nan_runs(mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return edges[0::2], edges[1::2]


RowBefore = tuple[float, FloatArray, FloatArray | None]  # a row's time (s), acceleration and angular rate


@dataclass
class Filled:
    """Short runs of missing values filled, and the gyroscope's longer runs bridged, tallied over one stretch
    or many (a streamed file)."""

    runs: int = 0
    longest: float = 0.0
    gyr_runs: int = 0  # the gyroscope's runs over MAX_FILLED_NAN_RUN_S
    gyr_longest: float = 0.0
    gyr_longest_at: float = 0.0
    # a run that reached the last block's end: its first row's time and its span so far
    gyr_open: tuple[float, float] | None = None

    def add(self, runs: int, longest: float) -> None:
        self.runs += runs
        self.longest = max(self.longest, longest)

    def add_gyroscope(self, runs: list[tuple[float, float, bool, bool]]) -> None:
        """The gyroscope's long runs bridged in a block: ``(time of its first row, span, whether it goes on
        from the block before, whether it reaches the block's end)`` each; a run across blocks counts once,
        its spans added (the span of each part runs from the row before it to the row after it)."""
        before, self.gyr_open = self.gyr_open, None
        for at, span, goes_on, open_end in sorted(runs):
            if goes_on and before is not None:
                at, span = before[0], before[1] + span
            else:
                self.gyr_runs += 1
            if span > self.gyr_longest:
                self.gyr_longest, self.gyr_longest_at = span, at
            if open_end:
                self.gyr_open = (at, span)

    def notes(self) -> list[str]:
        notes = []
        if self.runs:
            notes.append(
                f"{plural(self.runs, 'short run')} of missing values (longest {self.longest:.2f} s) "
                "filled by linear interpolation"
            )
        if self.gyr_runs:
            notes.append(
                f"the gyroscope has no values in {plural(self.gyr_runs, 'run')} of rows longer than "
                f"{MAX_FILLED_NAN_RUN_S:g} s (longest {self.gyr_longest:.1f} s, at {self.gyr_longest_at:.1f} s): "
                "bridged by linear interpolation, a line drawn there, not a measurement"
            )
        return notes


def fill_missing(raw: RawSignals, row_before: RowBefore | None = None, tally: Filled | None = None) -> None:
    """Interpolate short NaN runs in place; refuse the acceleration's long ones, bridge the gyroscope's and say
    them apart (see the module docstring). ``row_before`` is the row before a block of a streamed file: the
    left neighbour of a run at the block's start. The runs filled are said in a note, or added to ``tally``
    (said once for a streamed file)."""
    t = raw.time_s
    t_before, acc_before, gyr_before = (None, None, None) if row_before is None else row_before
    missing = np.zeros(raw.n, dtype=bool)  # rows with a value missing in some column (a short run)
    longest = 0.0
    bridged: dict[float, tuple[float, bool, bool]] = {}  # the gyroscope's long runs (Filled.add_gyroscope)
    groups: list[tuple[FloatArray, tuple[str, str, str], str, FloatArray | None]] = [
        (raw.acc, raw.acc_names, raw.quantity, acc_before)
    ]
    if raw.gyr is not None:
        # empty throughout: read without it (a later block of a stream may lie inside a run: filled below)
        if not np.isfinite(raw.gyr).any() and gyr_before is None:
            raw.gyr = None
            raw.notes.append("the gyroscope columns are empty; the recording is read without angular rate")
        else:
            groups.append((raw.gyr, raw.gyr_names, "gyroscope", gyr_before))
    for values, names, what, prior in groups:
        if np.isfinite(float(values.sum())):
            continue
        # the row before the block, where there is one, comes first (and is left out of what is filled)
        lead = 0 if prior is None or t_before is None else 1
        at = np.concatenate((np.full(lead, np.nan if t_before is None else t_before), t))
        for axis in range(3):
            column = values[:, axis]
            mask = ~np.isfinite(column)
            if not mask.any():
                continue
            if mask.all() and not lead:  # (a later block of a streamed file: a stretch from the row before)
                raise InputError(f"{raw.source}: the {what} column {names[axis]} has no numbers")
            known = np.concatenate((np.full(lead, np.nan if prior is None else prior[axis]), column))
            gap = ~np.isfinite(known)
            starts, stops = _nan_runs(gap)
            spans = at[np.minimum(stops, at.shape[0] - 1)] - at[np.maximum(starts - 1, 0)]
            worst = int(np.argmax(spans))
            short = mask
            long = spans > MAX_FILLED_NAN_RUN_S
            if what == "gyroscope" and lead and tally is not None and tally.gyr_open is not None:
                long |= starts == lead  # the rest of a long run of the block before, however short here
            if long.any():
                if what != "gyroscope":
                    s, e = int(starts[worst]) - lead, int(stops[worst]) - 1 - lead
                    raise InputError(
                        f"{raw.source}: the {what} column {names[axis]} has no values from {raw.where(s)} to "
                        f"{raw.where(e)} ({spans[worst]:.1f} s at {t[s]:.1f} s); at most "
                        f"{MAX_FILLED_NAN_RUN_S:g} s of missing values can be filled"
                    )
                in_long = np.zeros(at.shape[0], dtype=bool)
                for first, stop, span in zip(starts[long], stops[long], spans[long], strict=True):
                    in_long[first:stop] = True
                    goes_on = bool(lead and first == lead)  # from the row carried from the block before
                    bridged[float(at[first])] = (float(span), goes_on, bool(stop == at.shape[0]))
                short = mask & ~in_long[lead:]
                spans = spans[~long]
            column[mask] = np.interp(t[mask], at[~gap], known[~gap])
            missing |= short
            longest = max(longest, float(spans.max(initial=0.0)))
    # a run is a stretch of rows with values missing, in one column or several (a reading without values: one)
    filled = len(_nan_runs(missing)[0]) if missing.any() else 0
    said = tally if tally is not None else Filled()
    said.add(filled, longest)
    said.add_gyroscope([(at, *run) for at, run in bridged.items()])
    if tally is None:
        raw.notes.extend(said.notes())


def find_units(
    raw: RawSignals,
    acc_unit: str | None,
    gyr_unit: str | None,
    judged: FloatArray | None = None,
    unmoved_until: float | None = None,
) -> Units:
    """Detect (or check the declared) units; the option given by the caller wins over the file's header.
    An angular-rate unit to detect is judged on ``judged`` (the rows a stream's :class:`GyrJudge` found;
    ``unmoved_until``: the time its span ended, when nothing moved in it), else on the rows the judge finds in
    ``raw``, the whole recording. Judged on stillness, the rest of ``raw`` is checked against the unit, and
    the units say from when the rest of a stream is to be checked (``gyr_checked_after_s``)."""
    notes = []
    af, note = acc_factor(
        raw.acc, acc_unit or raw.acc_unit, source=raw.source, gravity_included=raw.gravity_included
    )
    notes.append(note)
    gf = 1.0
    checked_after: float | None = None
    if raw.gyr is not None:
        declared = gyr_unit or raw.gyr_unit
        if declared is None and judged is None:
            judge = GyrJudge()
            judged, unmoved_until = judge.rows([raw], ended=True), judge.unmoved_until
        values = raw.gyr if declared is not None or judged is None else judged
        gf, note = gyr_factor(values, declared, source=raw.source)
        notes.append(note)
        if declared is None and unmoved_until is not None:
            notes.append(judged_on_stillness_note())
            later = raw.time_s >= unmoved_until
            check_judged_on_stillness(raw.gyr[later], raw.time_s[later], gf, source=raw.source)
            checked_after = unmoved_until
    return Units(af, gf, tuple(notes), checked_after)


class GyrJudge:
    """Finds the stretch of a recording its angular-rate unit is judged on (the rules of
    :mod:`backstride.io._units`): the first of ``GYR_JUDGED_WINDOW_S`` from its first sample that
    :func:`~backstride.io._units.shows_movement`, looked for in its first ``GYR_JUDGED_SPAN_S``. A whole file
    is one block; a stream hands its blocks as they come and holds them until the stretch is found, so that
    both judge the same samples."""

    def __init__(self) -> None:
        self.judged = 0  # stretches judged so far, none of which moved
        self.found: FloatArray | None = None
        self.unmoved_until: float | None = None  # the end of the span, when nothing moved in it

    def ready(self, blocks: Sequence[RawSignals], declared: str | None, ended: bool) -> bool:
        """Whether the units can be found from ``blocks`` (the recording so far, from its start, in the file's
        units): nothing to judge (the unit declared, or no gyroscope), or the rows to judge on found (kept in
        ``found``). ``ended``: no more blocks come."""
        if declared is not None or any(b.gyr is None for b in blocks):
            return True
        self.found = self.rows(blocks, ended)
        return self.found is not None

    def rows(self, blocks: Sequence[RawSignals], ended: bool) -> FloatArray | None:
        """The gyroscope rows the unit is judged on; ``None`` while the next stretch is not whole and more is
        to come. The whole recording when it is shorter than the span looked in and nothing moved; longer,
        the span's rows, and ``unmoved_until`` says where the span ended (what follows is checked)."""
        t0, last = float(blocks[0].time_s[0]), float(blocks[-1].time_s[-1])
        window, span = _units.GYR_JUDGED_WINDOW_S, _units.GYR_JUDGED_SPAN_S
        while self.judged * window < span:
            start = t0 + self.judged * window
            if start > last:
                break
            if last < start + window and not ended:
                return None
            acc, gyr = _between(blocks, start, start + window)
            if shows_movement(acc, gyr):
                return gyr
            self.judged += 1
        if last - t0 >= span:
            self.unmoved_until = t0 + span
            return _between(blocks, t0, t0 + span)[1]
        return np.concatenate([b.gyr for b in blocks if b.gyr is not None])


def _between(blocks: Sequence[RawSignals], start: float, stop: float) -> tuple[FloatArray, FloatArray]:
    """The acceleration and gyroscope rows of consecutive blocks timed from ``start`` up to ``stop``."""
    acc, gyr = [], []
    for block in blocks:
        if block.gyr is None or block.n == 0 or block.time_s[-1] < start or block.time_s[0] >= stop:
            continue
        lo, hi = np.searchsorted(block.time_s, [start, stop], side="left")
        acc.append(block.acc[lo:hi])
        gyr.append(block.gyr[lo:hi])
    if not acc:
        empty3 = np.empty((0, 3))
        return empty3, empty3
    return np.concatenate(acc), np.concatenate(gyr)


def nice_rate(rate_hz: float) -> float:
    """The median rate rounded to the nearest integer Hz (one decimal below 10 Hz)."""
    return float(round(rate_hz)) if rate_hz >= 10 else round(rate_hz, 1)


@dataclass
class Gaps:
    """Gaps longer than ``threshold`` in time stamps, tallied over one stretch or many (a streamed file)."""

    threshold: float
    count: int = 0
    longest: float = 0.0
    longest_at: float = 0.0
    long: list[tuple[float, float]] = field(default_factory=list)  # the first few over LONG_GAP_S
    long_count: int = 0
    last_start: float = -np.inf  # a gap is known by its start: stretches that overlap count it once

    @classmethod
    def for_period(cls, period: float) -> Gaps:
        return cls(max(5.0 * period, 0.1))

    def add(self, t: FloatArray, dt: FloatArray) -> None:
        """Count the gaps ``t[i] .. t[i + 1]`` (``dt = np.diff(t)``) not counted before."""
        gaps = np.flatnonzero(dt > self.threshold)
        gaps = gaps[t[gaps] > self.last_start]
        if gaps.size == 0:
            return
        self.last_start = float(t[gaps[-1]])
        lengths = dt[gaps]
        worst = int(np.argmax(lengths))
        if lengths[worst] > self.longest:
            self.longest, self.longest_at = float(lengths[worst]), float(t[gaps[worst]])
        self.count += int(gaps.size)
        long = gaps[lengths > LONG_GAP_S]
        self.long_count += int(long.size)
        self.long.extend((float(t[i]), float(t[i + 1])) for i in long[: max(0, 5 - len(self.long))])

    def notes(self, origin: float = 0.0) -> list[str]:
        """Count, longest and place of the gaps (times reported as ``t - origin``)."""
        if not self.count:
            return []
        notes = [
            f"{plural(self.count, 'gap')} longer than {self.threshold:.2g} s (longest "
            f"{self.longest:.1f} s at {self.longest_at - origin:.1f} s) bridged by linear interpolation"
        ]
        if self.long_count:
            where = ", ".join(f"{a - origin:.1f}–{b - origin:.1f} s" for a, b in self.long)
            more = f" and {self.long_count - len(self.long)} more" if self.long_count > len(self.long) else ""
            notes.append(
                f"warning: {plural(self.long_count, 'gap')} longer than "
                f"{LONG_GAP_S:g} s ({where}{more}) hold a straight line, not measurement; no walking can be "
                "found there"
            )
        return notes


def gap_notes(t: FloatArray, dt: FloatArray, period: float, origin: float) -> list[str]:
    """Count, longest and place of the gaps in ``t`` (times reported as ``t - origin``)."""
    gaps = Gaps.for_period(period)
    gaps.add(t, dt)
    return gaps.notes(origin)


def to_recording(raw: RawSignals, *, acc_unit: str | None = None, gyr_unit: str | None = None) -> Recording:
    """Check, clean, convert and regularise ``raw`` into a :class:`Recording` (modifies ``raw``)."""
    check_time(raw)
    fill_missing(raw)
    units = find_units(raw, acc_unit, gyr_unit)
    return regularise(raw, units)


def regularise(raw: RawSignals, units: Units) -> Recording:
    """Apply unit factors in place and put the signals on a uniform grid starting at 0."""
    if units.acc_factor != 1.0:
        raw.acc *= units.acc_factor
    if raw.gyr is not None and units.gyr_factor != 1.0:
        raw.gyr *= units.gyr_factor
    notes = [*raw.notes, *units.notes]
    t = raw.time_s
    n = raw.n
    if n < 2:
        raise InputError(f"{raw.source} has a single data row; a recording needs many")
    if raw.dt is not None and raw.dt.shape[0] == n - 1:
        dt = raw.dt
    else:
        with no_hugepages():
            dt = np.diff(t)
    metadata = dict(raw.metadata)
    if raw.epoch_s is not None:
        metadata.setdefault("start_time", iso_from_epoch_s(raw.epoch_s + float(t[0]), raw.zone))
    base = time_base(t, dt)
    if base.kind == "regular" and _on_grid(t, base.rate):
        time = time_grid(n, base.rate)
        return Recording(base.rate, time, raw.acc, raw.gyr, metadata=metadata, notes=tuple(notes))
    # a regular clock whose samples wander off the grid (a logger's block time stamps, a rate snapped to whole
    # hertz) is put on it at the recorded times, as a stream puts it
    if base.note:
        notes.append(base.note)
    notes.extend(gap_notes(t, dt, base.period, float(t[0])))
    rate = base.rate
    rel = t - t[0]
    count = grid_count(float(rel[-1]), rate)
    time = time_grid(count, rate)
    acc = _interp_columns(time, rel, raw.acc)
    gyr = None if raw.gyr is None else _interp_columns(time, rel, raw.gyr)
    return Recording(rate, time, acc, gyr, metadata=metadata, notes=tuple(notes))


@dataclass(frozen=True)
class TimeBase:
    """What a file's time stamps are: ``regular`` (kept as they are), ``gaps`` (regular between pauses of a
    logger) or ``irregular`` (a phone); the grid rate for them, the median interval and a note."""

    kind: str
    rate: float
    period: float
    note: str


def time_base(t: FloatArray, dt: FloatArray) -> TimeBase:
    """Judge the time stamps ``t`` (``dt = np.diff(t)``) and choose the rate of the uniform grid.

    Regular files keep their own rate (snapped to a whole number within 0.1 %, which is clock drift); a file
    regular between gaps keeps its rate too (its samples then fall on the grid between the gaps); an
    irregular one is put on its median rate rounded to a whole number (:func:`nice_rate`).
    """
    period = median(dt[:: max(1, dt.shape[0] // 1_000_000)])
    deviation = max(float(dt.max()) - period, period - float(dt.min()))
    if deviation <= REGULAR_TOLERANCE * period:
        return TimeBase("regular", _rounded_rate((t.shape[0] - 1) / float(t[-1] - t[0])), period, "")
    within = dt[dt <= max(5.0 * period, 0.1)]
    if within.size and float(np.max(np.abs(within - period))) <= REGULAR_TOLERANCE * period:
        rate = _rounded_rate(float(within.size) / float(within.sum()))
        return TimeBase("gaps", rate, period, "")  # the gap notes say what was bridged
    rate = nice_rate(1.0 / period)
    jitter = float(np.std(within)) if within.size else 0.0
    return TimeBase("irregular", rate, period, irregular_note(period, jitter, rate))


def _on_grid(t: FloatArray, rate: float) -> bool:
    """Whether every sample lies within ``REGULAR_TOLERANCE`` of a sample of the grid ``t[0] + k / rate``
    (then the samples are the grid's, taken as they are)."""
    with no_hugepages():
        offset = t - t[0]
        offset *= rate
        offset -= np.arange(t.shape[0], dtype=np.float64)
    return bool(float(np.max(np.abs(offset))) <= REGULAR_TOLERANCE)


def irregular_note(period: float, jitter: float, rate: float) -> str:
    """What a recording says of an irregular clock put on a steady grid, read whole or streamed."""
    return (
        f"time base irregular (median {period * 1000:.1f} ms, jitter {jitter * 1000:.1f} ms): "
        f"resampled to {rate:g} Hz by linear interpolation"
    )


# a last sample this close before a grid point (in samples) is on it: time stamps in nanoseconds since 1970
# are exact only to a quarter of a microsecond once they are floats, which must not cost the last sample
ON_GRID_SAMPLES = 1e-3


def grid_count(last_s: float, rate: float) -> int:
    """How many points of the grid ``k / rate`` lie from 0 to the last sample at ``last_s``."""
    return int(np.floor(last_s * rate + ON_GRID_SAMPLES)) + 1


def _rounded_rate(rate: float) -> float:
    """A measured rate, snapped to the whole number it is within 0.1 % of (clock drift), else as measured."""
    return float(round(rate)) if abs(rate - round(rate)) < 1e-3 * rate else rate


def _interp_columns(grid: FloatArray, t: FloatArray, values: FloatArray) -> FloatArray:
    out = empty((grid.shape[0], values.shape[1]))
    for axis in range(values.shape[1]):
        out[:, axis] = np.interp(grid, t, values[:, axis])
    return out
