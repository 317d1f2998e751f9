"""Small signal helpers shared by the gait stages (numpy/scipy only)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def butter_sos(order: int, cutoff_hz: float | tuple[float, float], kind: str, fs: float) -> FloatArray:
    """A Butterworth filter in second-order sections, with cut-offs clipped below Nyquist."""
    from scipy import signal

    nyq = fs / 2.0
    if isinstance(cutoff_hz, tuple):
        wn: float | tuple[float, float] = (cutoff_hz[0], min(cutoff_hz[1], 0.9 * nyq))
    else:
        wn = min(cutoff_hz, 0.9 * nyq)
    sos: FloatArray = signal.butter(order, wn, btype=kind, fs=fs, output="sos")
    return sos


def filtfilt(sos: FloatArray, x: FloatArray, axis: int = 0) -> FloatArray:
    """Zero-phase filtering; short inputs are padded as far as they allow."""
    from scipy import signal

    n = x.shape[axis]
    padlen = min(3 * (2 * sos.shape[0] + 1) * 4, max(n - 1, 0))
    out: FloatArray = signal.sosfiltfilt(sos, x, axis=axis, padlen=padlen)
    return out


def gaussian_smooth(x: FloatArray, sigma_samples: float) -> FloatArray:
    from scipy import ndimage

    out: FloatArray = ndimage.gaussian_filter1d(x, sigma_samples, mode="nearest")
    return out
