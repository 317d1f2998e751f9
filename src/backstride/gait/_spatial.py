"""Step length, stride length and walking speed from the inverted-pendulum model.

Zijlstra & Hof 2003, "Assessment of spatio-temporal gait parameters from trunk accelerations during human
walking", Gait Posture 18:1–10: during single support the body's centre of mass moves like an inverted
pendulum of length ``l`` (the sensor's height above the ground). If it rises and falls by ``h`` during a
step, the step length is ``2·sqrt(2·l·h − h²)``; the paper multiplies by an empirical correction factor
(1.25) for the part of the step made in double support. ``h`` comes from double integration of the
vertical acceleration, each integration followed by a high-pass filter to remove drift (0.1 Hz in the paper;
0.3 Hz here, with the finite kernels of :mod:`._filters`, whose 0.1 Hz kernel would span 6 s: a step's
excursion is at 1–2 Hz, where both pass it whole, and the 10 m walks' distance, 20 m walked, is 19.9 m in
the median at 0.1 Hz and 19.7 m at 0.3 Hz, ``benchmarks.accuracy``). Deviation: the straight line joining
the positions at the step's two contacts is removed before the excursion is taken, so climbing stairs or a
slope does not count as pendulum motion.

When only the body height is known, the sensor height at the lower back is estimated as
``SENSOR_HEIGHT_RATIO`` × body height: in Drillis & Contini's (1966) segment proportions the hip joint
lies at 0.53 of body height, and a belt-worn sensor at L5 sits above it; we use 0.6, an approximation
that should be replaced by a measured sensor height whenever one is available.
"""

from __future__ import annotations

import numpy as np

from backstride.gait._base import Stage
from backstride.gait._filters import FloatArray, highpass

SENSOR_HEIGHT_RATIO = 0.6


def sensor_height_from_body_height(height_m: float) -> float:
    """Estimated height of a lower-back (L5) sensor above the ground, m."""
    return SENSOR_HEIGHT_RATIO * height_m


class StepLengthZijlstra(Stage):
    """Per-step length from the vertical excursion of the lower back (inverted pendulum model).

    Parameters
    ----------
    correction:
        Empirical factor from Zijlstra & Hof 2003 (1.25).
    highpass_hz:
        Drift-removal cut-off applied after each integration (0.1 Hz in the paper).

    Results
    -------
    excursion_m_:
        ``(n_steps,)`` vertical excursion of the sensor during each step, m.
    step_length_m_:
        ``(n_steps,)`` step lengths, m (``nan`` when the sensor height is unknown).
    """

    def __init__(self, *, correction: float = 1.25, highpass_hz: float = 0.3) -> None:
        self.correction = correction
        self.highpass_hz = highpass_hz

    def estimate(
        self,
        vertical_mps2: FloatArray,
        ic_samples: np.ndarray,
        fs: float,
        sensor_height_m: float | None,
    ) -> StepLengthZijlstra:
        """``vertical_mps2`` covers the bout (with some margin); ``ic_samples`` index into it."""
        vel = highpass(np.cumsum(vertical_mps2) / fs, self.highpass_hz, fs)
        pos = highpass(np.cumsum(vel) / fs, self.highpass_hz, fs)
        starts, stops = ic_samples[:-1], ic_samples[1:]
        if starts.size == 0:
            self.excursion_m_ = np.zeros(0)
            self.step_length_m_ = np.zeros(0)
            return self
        # the net rise or fall over a step (stairs, slopes) is not pendulum motion: remove the straight line
        # joining the step's two contacts before taking the excursion
        seg = np.arange(starts[0], stops[-1] + 1)
        which = np.clip(np.searchsorted(stops, seg, side="left"), 0, starts.size - 1)
        s0, s1 = starts[which], stops[which]
        slope = (pos[s1] - pos[s0]) / np.maximum(s1 - s0, 1)
        detrended = pos[seg] - pos[s0] - slope * (seg - s0)
        # the pendulum's rise and fall is the step's fundamental: one period over the step. Its
        # peak-to-peak amplitude ignores the impact harmonics that a plain max - min would add.
        idx = starts - starts[0]
        length = np.maximum(s1 - s0, 1)
        phase = 2.0 * np.pi * (seg - s0) / length
        n_per = np.add.reduceat(np.ones_like(detrended), idx)
        a = 2.0 * np.add.reduceat(detrended * np.cos(phase), idx) / n_per
        b = 2.0 * np.add.reduceat(detrended * np.sin(phase), idx) / n_per
        h = 2.0 * np.sqrt(a * a + b * b)
        self.excursion_m_ = h
        if sensor_height_m is None:
            self.step_length_m_ = np.full(h.shape, np.nan)
        else:
            inner = np.clip(2 * sensor_height_m * h - h * h, 0.0, None)
            self.step_length_m_ = self.correction * 2.0 * np.sqrt(inner)
        return self
