"""Regularity and symmetry of walking from the autocorrelation of trunk acceleration.

Moe-Nilssen & Helbostad 2004, "Estimation of gait cycle characteristics by trunk accelerometry",
J Biomech 37:121–126: the unbiased autocorrelation of the vertical acceleration has a first dominant
peak at a lag of one step (Ad1, step regularity: how alike consecutive steps are) and a second at one
stride (Ad2, stride regularity). Their ratio Ad1/Ad2 describes left–right symmetry (1 = symmetric).
Step-time variability is the coefficient of variation of the step durations (Hausdorff 2005,
J NeuroEng Rehabil 2:19).
"""

from __future__ import annotations

import numpy as np

from backstride._stats import median
from backstride.gait._base import Stage
from backstride.gait._filters import FloatArray


def unbiased_autocorrelation(x: FloatArray, max_lag: int) -> FloatArray:
    """Autocorrelation normalised by the overlap length and by lag 0, lags 0..max_lag."""
    x = x - x.mean()
    n = x.shape[0]
    max_lag = min(max_lag, n - 1)
    nfft = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(x, nfft)
    acf = np.fft.irfft(spec * np.conj(spec), nfft)[: max_lag + 1] / (n - np.arange(max_lag + 1))
    out: FloatArray = acf / acf[0] if acf[0] > 0 else np.zeros(max_lag + 1)
    return out


class GaitRegularity(Stage):
    """Step and stride regularity, symmetry and step-time variability of one bout.

    Parameters
    ----------
    search:
        Relative window around the expected step and stride lags in which the peak is looked for.

    Results
    -------
    step_regularity_, stride_regularity_, symmetry_, step_time_cv_pct_:
        The bout's figures (``None`` when the bout is too short to tell).
    """

    def __init__(self, *, search: float = 0.3) -> None:
        self.search = search

    def compute(self, vertical_mps2: FloatArray, step_times_s: FloatArray, fs: float) -> GaitRegularity:
        self.step_regularity_: float | None = None
        self.stride_regularity_: float | None = None
        self.symmetry_: float | None = None
        self.step_time_cv_pct_: float | None = None
        if step_times_s.size >= 3:
            mean = float(step_times_s.mean())
            self.step_time_cv_pct_ = 100.0 * float(step_times_s.std(ddof=1)) / mean
        if step_times_s.size < 2:
            return self
        step = median(step_times_s)
        max_lag = int((2 * step * (1 + self.search)) * fs) + 1
        if vertical_mps2.shape[0] <= max_lag + 1:
            return self
        acf = unbiased_autocorrelation(vertical_mps2, max_lag)

        def peak(lag_s: float) -> float:
            lo = max(int(lag_s * (1 - self.search) * fs), 1)
            hi = min(int(lag_s * (1 + self.search) * fs) + 1, acf.shape[0])
            return float(acf[lo:hi].max())

        ad1, ad2 = peak(step), peak(2 * step)
        self.step_regularity_ = max(ad1, 0.0)
        self.stride_regularity_ = max(ad2, 0.0)
        self.symmetry_ = ad1 / ad2 if ad2 > 0.05 and ad1 > 0 else None
        return self
