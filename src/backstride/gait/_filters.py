"""Finite, numpy-only filters shared by the gait stages.

Every filter here has a finite support (moving averages and short convolutions), for two reasons: a
sample's filtered value depends only on its neighbours, so a long recording processed block by block
gives the same result as in one pass; and numpy alone loads in a fraction of the time scipy.signal needs,
which matters for a command that should start, read and analyse a two-hour file in well under a second.

A moving average of width ``w`` seconds is a low-pass filter with its first zero at ``1/w`` Hz; two in
cascade (a triangular kernel) push the side lobes below -26 dB. Band-passes are differences of such
low-passes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def moving_average(x: FloatArray, width: int, axis: int = 0, *, every: int = 1, first: int = 0) -> FloatArray:
    """Centred moving average over ``width`` samples (made odd); edges use the nearest sample's value.

    With ``every`` > 1 only the averages at every ``every``-th sample from ``first`` are formed (the values of
    ``moving_average(x, width, axis)`` taken there): an anti-alias filter before keeping one sample in
    ``every``, which need not divide out the samples it drops."""
    width = max(int(width), 1) | 1
    keep = (slice(None),) * (axis % x.ndim) + (slice(first, None, every),)
    if width == 1 or x.shape[axis] == 0:
        return np.asarray(x, dtype=np.float64)[keep].copy()
    half = width // 2
    xm = np.moveaxis(np.asarray(x, dtype=np.float64), axis, 0)
    n = xm.shape[0]
    # the running sum of a 0 and then the signal padded with its edge values (half + 1 on the left, less
    # the 0: half on each side), summed in place; the fewer new arrays, the fewer pages touched for the
    # first time, which took most of a block's filtering time
    c = np.empty((n + width, *xm.shape[1:]))
    c[0] = 0.0
    c[1 : half + 1] = xm[0]
    c[half + 1 : half + 1 + n] = xm
    c[half + 1 + n :] = xm[-1]
    np.cumsum(c, axis=0, out=c)
    out = c[width + first : n + width : every] - c[first:n:every]
    out /= width
    return np.moveaxis(out, 0, axis)


# a triangular kernel of two ``w``-second moving averages passes -3 dB at about 0.32 / w Hz
_TRIANGLE_CUTOFF = 0.32


def lowpass(x: FloatArray, cutoff_hz: float, fs: float, axis: int = 0) -> FloatArray:
    """Triangular low-pass (two moving averages in cascade) with its -3 dB point at ``cutoff_hz``."""
    w = round(_TRIANGLE_CUTOFF / cutoff_hz * fs)
    return moving_average(moving_average(x, w, axis), w, axis)


def highpass(x: FloatArray, cutoff_hz: float, fs: float, axis: int = 0) -> FloatArray:
    """What :func:`lowpass` removes."""
    return np.asarray(x, dtype=np.float64) - lowpass(x, cutoff_hz, fs, axis)


def bandpass(x: FloatArray, low_hz: float, high_hz: float, fs: float, axis: int = 0) -> FloatArray:
    """Keep ``low_hz``–``high_hz``: a low-pass at ``high_hz`` minus a low-pass at ``low_hz``."""
    return lowpass(x, high_hz, fs, axis) - lowpass(x, low_hz, fs, axis)


def gaussian_smooth(x: FloatArray, sigma_samples: float) -> FloatArray:
    """Gaussian smoothing of a 1-D signal (kernel cut at ±3 sigma; edges use the nearest value)."""
    half = max(int(np.ceil(3 * sigma_samples)), 1)
    k = np.exp(-0.5 * (np.arange(-half, half + 1) / max(sigma_samples, 1e-9)) ** 2)
    k /= k.sum()
    padded = np.pad(np.asarray(x, dtype=np.float64), half, mode="edge")
    out: FloatArray = np.convolve(padded, k, mode="valid")
    return out


def local_maxima(x: FloatArray) -> npt.NDArray[np.int64]:
    """Indices of strict local maxima (a plateau counts once, at its first sample)."""
    if x.shape[0] < 3:
        return np.zeros(0, dtype=np.int64)
    rise = x[1:-1] > x[:-2]
    fall = x[1:-1] >= x[2:]
    return (np.flatnonzero(rise & fall) + 1).astype(np.int64)
