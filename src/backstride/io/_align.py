"""Put sensors that were sampled separately (phone apps) onto the accelerometer's time stamps."""

from __future__ import annotations

import numpy as np

from backstride._errors import InputError
from backstride.io._raw import RawSignals
from backstride.io._resample import check_time, fill_missing
from backstride.recording import FloatArray


def absolute_times(raw: RawSignals) -> FloatArray:
    """Times of ``raw`` on the clock its file was written with (Unix seconds or the app's own seconds)."""
    return raw.time_s + raw.clock_origin_s


def interpolate_onto(target: RawSignals, other: RawSignals, what: str) -> tuple[FloatArray, slice]:
    """``other.acc`` interpolated at ``target``'s times, and the slice of ``target`` both cover."""
    check_time(target)
    fill_missing(target)
    check_time(other)
    fill_missing(other)
    t_target = absolute_times(target)
    t_other = absolute_times(other)
    lo = int(np.searchsorted(t_target, t_other[0], side="left"))
    hi = int(np.searchsorted(t_target, t_other[-1], side="right"))
    if hi - lo < 2:
        raise InputError(
            f"the {what} ({other.source}) and the accelerometer ({target.source}) do not overlap in time"
        )
    grid = t_target[lo:hi]
    out = np.empty((grid.shape[0], 3), dtype=np.float64)
    for axis in range(3):
        out[:, axis] = np.interp(grid, t_other, other.acc[:, axis])
    return out, slice(lo, hi)


def trim(raw: RawSignals, keep: slice) -> None:
    """Keep rows ``keep`` of ``raw`` (in place), noting how much was cut."""
    n = raw.n
    if keep.start == 0 and keep.stop == n:
        return
    cut = (keep.start or 0) + (n - (keep.stop if keep.stop is not None else n))
    raw.time_s = raw.time_s[keep]
    raw.dt = None
    raw.acc = raw.acc[keep]
    raw.gyr = None if raw.gyr is None else raw.gyr[keep]
    raw.first_line = None
    raw.notes.append(f"{cut} accelerometer samples outside the time covered by every sensor were left out")
