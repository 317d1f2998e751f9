"""Put sensors that were sampled separately (phone apps) onto the accelerometer's time stamps, block by block.

A phone app writes one file per sensor, each on its own clock. The files are read as streams of blocks (a
file small enough is one block, a long one many: ``iter_csv_raw``), and the other sensor is read only as far
as the accelerometer's current block needs it, so a day-long export is aligned in the memory of a block or
two of each file. Each file's blocks are checked and mended as a single file's are
(:func:`backstride.io._stream.checked`), and each file's duplicated stamps and missing values are said once,
the file named.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import chain

import numpy as np

from backstride._errors import InputError, NoReadingsError
from backstride._stats import median
from backstride._words import plural, were
from backstride.io._raw import RawSignals
from backstride.io._resample import Gaps
from backstride.io._stream import Said, checked
from backstride.recording import FloatArray


def absolute_times(raw: RawSignals) -> FloatArray:
    """Times of ``raw`` on the clock its file was written with (Unix seconds or the app's own seconds)."""
    return raw.time_s + raw.clock_origin_s


# sensors of one phone start and stop a few milliseconds to a fraction of a second apart; over that much the
# other sensor's first or last reading is held, so the recording keeps the accelerometer's time origin
HOLD_S = 1.0
NOTE_S = 0.1
SAME_S = 1e-3  # stamps of two files this close are one instant


class _Follower:
    """The other sensor's samples on their own clock, read block by block as far as they are needed."""

    def __init__(self, blocks: Iterable[RawSignals], what: str) -> None:
        self.said = Said()  # its duplicated stamps dropped and its missing values filled, over all its blocks
        self._blocks = checked((replace(block, quantity=what) for block in blocks), self.said)
        self.done = False
        self.source = ""
        self.first: float | None = None  # the time of the first reading
        self.t = np.zeros(0)
        self.values = np.zeros((0, 3))
        self.gaps: Gaps | None = None  # its own gaps, bridged onto the accelerometer's times

    def cover(self, until: float) -> None:
        """Read on until the samples reach ``until`` (absolute time) or the file ends."""
        while not self.done and (self.t.size == 0 or self.t[-1] < until):
            block = next(self._blocks, None)
            if block is None:
                self.done = True
            else:
                self.source = block.source
                times = absolute_times(block)
                self.first = float(times[0]) if self.first is None else self.first
                self.t = np.concatenate([self.t, times])
                self.values = np.concatenate([self.values, block.acc])

    def count_gaps(self, times: FloatArray) -> None:
        """Tally the gaps of this sensor that the accelerometer's ``times`` (ascending, within what has been
        read) fall into: bridged by the interpolation. A gap both have (one clock paused) bridges nothing."""
        if self.t.size < 2 or times.size == 0:
            return
        lo = max(int(np.searchsorted(self.t, times[0], side="right")) - 1, 0)
        hi = int(np.searchsorted(self.t, times[-1], side="left")) + 1
        around, steps = self.t[lo:hi], np.diff(self.t[lo:hi])
        if self.gaps is None:
            self.gaps = Gaps.for_period(median(np.diff(self.t[: min(self.t.size, 1000)])))
        gaps = np.flatnonzero(steps > self.gaps.threshold)
        if gaps.size:
            # (a millisecond in: two files' stamps of one clock differ in the last bits of Unix seconds)
            inside = np.searchsorted(times, around[gaps + 1] - SAME_S, "left") > np.searchsorted(
                times, around[gaps] + SAME_S, "right"
            )
            bridged = np.zeros_like(steps)
            bridged[gaps[inside]] = steps[gaps[inside]]
            self.gaps.add(around, bridged)

    def forget_before(self, time: float) -> None:
        """Drop samples before ``time`` except the last one before it (needed to interpolate)."""
        start = max(0, int(np.searchsorted(self.t, time, side="right")) - 1)
        self.t, self.values = self.t[start:], self.values[start:]


def _rows(raw: RawSignals, keep: slice) -> RawSignals:
    """Rows ``keep`` of ``raw``; they no longer map to the file's lines once sensors are merged."""
    return replace(
        raw,
        time_s=raw.time_s[keep],
        acc=raw.acc[keep],
        gyr=None if raw.gyr is None else raw.gyr[keep],
        dt=None,
        first_line=None,
        notes=list(raw.notes),
    )


def aligned(
    main: Iterable[RawSignals], other: Iterable[RawSignals], what: str, *, bridge_ends: bool = False
) -> Iterator[tuple[RawSignals, FloatArray]]:
    """Each block of ``main`` (the accelerometer) with ``other``'s values (``.acc``) linearly interpolated at
    its times.

    Where the accelerometer starts before the other sensor or ends after it, the other's first or last
    reading is held, up to ``HOLD_S``: time keeps counting from the accelerometer's first sample, the clock a
    reference of the recording would use. Samples further out are left out, unless ``bridge_ends``: a
    sensor the recording can do without (the gyroscope) that started late or stopped early (a phone that
    paused it) has its reading held over the whole of that time, and no accelerometer sample is lost (the gait
    engine knows a held reading for one not measured: :func:`backstride.gait._pelvis.drawn`). The other
    sensor's own gaps are bridged by the interpolation and said as a file's gaps are. All is noted on the last
    block (which is why one block is held back)."""
    follower = _Follower(other, what)
    held: tuple[RawSignals, FloatArray] | None = None
    left_notes: list[str] = []  # notes of blocks left out whole, said on the next block kept
    kept = cut = 0
    first_main: float | None = None
    last_main = 0.0
    source = ""
    said = Said()
    for block in checked(main, said, left_notes):
        t = absolute_times(block)
        first_main = float(t[0]) if first_main is None else first_main
        source = block.source
        last_main = float(t[-1])
        follower.cover(last_main)
        if follower.first is None:
            lo = hi = t.size
        elif bridge_ends:
            lo, hi = 0, t.size
        else:
            lo = int(np.searchsorted(t, follower.first - HOLD_S, side="left"))
            hi = int(np.searchsorted(t, follower.t[-1] + HOLD_S, side="right"))
        cut += lo + (t.size - hi)
        if hi <= lo:
            left_notes.extend(block.notes)
            continue
        follower.count_gaps(t[lo:hi])
        values = np.empty((hi - lo, 3), dtype=np.float64)
        for axis in range(3):  # np.interp holds the first and last values beyond the ends
            values[:, axis] = np.interp(t[lo:hi], follower.t, follower.values[:, axis])
        follower.forget_before(float(t[hi - 1]))
        kept += hi - lo
        if held is not None:
            yield held
        part = _rows(block, slice(lo, hi))
        part.notes = [*left_notes, *part.notes]
        left_notes = []
        held = (part, values)
    if (
        held is None
        or kept < 2
        or follower.first is None
        or first_main is None
        or follower.first - HOLD_S > last_main  # (with its ends held, a sensor apart still kept all)
        or float(follower.t[-1]) + HOLD_S < first_main
    ):
        raise InputError(
            f"the {what} ({follower.source or 'its file'}) and the accelerometer ({source or 'its file'}) "
            "do not overlap in time"
        )
    held[0].notes.extend(left_notes)
    # said once for each file, over all its blocks (the phone's files are two: named)
    for name, tallied in ((source, said), (follower.source, follower.said)):
        held[0].notes.extend(f"{name}: {note}" for note in tallied.tallies())
    if follower.gaps is not None and follower.gaps.count:
        held[0].notes.append(
            f"{follower.source}: {follower.gaps.notes(first_main)[0]} onto the accelerometer's time stamps"
        )
    late, early = follower.first - first_main, last_main - float(follower.t[-1])
    if late > NOTE_S or early > NOTE_S:  # a few samples apart is how phones start and stop their sensors
        ends = [f"started {late:.2f} s after"] if late > NOTE_S else []
        ends += [f"stopped {early:.2f} s before"] if early > NOTE_S else []
        over = (
            "over that time; every accelerometer sample is kept"
            if bridge_ends
            else f"over up to {HOLD_S:g} s"
        )
        held[0].notes.append(
            f"the {what} {' and '.join(ends)} the accelerometer: its first and last readings were held {over}"
        )
    if cut:
        held[0].notes.append(
            f"{plural(cut, 'accelerometer sample')} more than {HOLD_S:g} s outside the time covered by every "
            f"sensor {were(cut)} left out"
        )
    yield held


def readings_or_none(blocks: Iterable[RawSignals]) -> Iterator[RawSignals] | None:
    """``blocks``, the first read ahead, or None when its file holds no readings (empty, or a header only): a
    sensor the recording can do without (the gyroscope) is then left out with a note (:func:`without_note`),
    where its refusal would have refused the accelerometer's walking with it."""
    it = iter(blocks)
    try:
        first = next(it, None)
    except NoReadingsError:
        return None
    return None if first is None else chain((first,), it)


def without_note(label: str) -> str:
    """The note of a gyroscope file ``label`` that holds no readings, read without (see :func:`readings_or_none`)."""
    return f"{label} holds no readings (empty, or a header only): the recording is read without angular rate"


def from_first_sample(blocks: Iterable[RawSignals]) -> Iterator[RawSignals]:
    """The blocks with time counted from the first sample kept (the file's clock moved alike), as a single
    file's time is counted from its first row."""
    shift: float | None = None
    for block in blocks:
        if shift is None:
            shift = float(block.time_s[0]) if block.n else 0.0
        if shift:
            block.time_s = block.time_s - shift
            block.clock_origin_s += shift
            if block.epoch_s is not None:
                block.epoch_s += shift
            block.dt = None
        yield block


def with_gravity(pairs: Iterable[tuple[RawSignals, FloatArray]]) -> Iterator[RawSignals]:
    """Acceleration without gravity, each block with gravity (aligned onto it) added back."""
    for raw, gravity in pairs:
        raw.acc = raw.acc + gravity
        yield raw


def with_rates(pairs: Iterable[tuple[RawSignals, FloatArray]]) -> Iterator[RawSignals]:
    """Each acceleration block with the angular rate aligned onto it."""
    for raw, rates in pairs:
        raw.gyr = rates
        yield raw
