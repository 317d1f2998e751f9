"""The one canonical form of a recording, whatever file or app it came from.

After every reader: time in seconds (float64, uniform grid at ``sampling_rate_hz``), acceleration in m/s²
with gravity included, angular rate in deg/s (or ``None``). Readers only read and convert units; the gait
engine finds the body frame itself, so the sensor axes may point anywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from backstride._errors import InputError
from backstride._stats import median
from backstride._words import are, plural

FloatArray = npt.NDArray[np.float64]

GRAVITY_MPS2 = 9.80665
# the 99th percentile of |ω| at or below which angular rate is in rad/s, not deg/s: a moving trunk turns at tens
# of deg/s, which is a few rad/s (io's readers convert a column whose unit is not said by it; the gait engine
# refuses arrays in rad/s by it)
GYR_RAD_MAX_P99 = 10.0
# how far the time steps' median may be from 1 / sampling_rate_hz: a logger's nominal rate is within a few
# per cent of its clock's; time in ms is 1000 times off, a wrong rate (50 for 100 Hz) twice
TIME_STEP_TOLERANCE = 0.10
# consecutive time steps whose median is taken, spread evenly through the recording (a week has 6·10^7)
_TIME_STEPS_JUDGED = 20_000
# samples compared at once when checking that time increases (a week's whole comparison would take 60 MB)
_INCREASING_BLOCK = 1 << 20


@dataclass(frozen=True, eq=False)
class Recording:
    """A lower-back inertial recording in canonical units.

    Attributes
    ----------
    sampling_rate_hz:
        Samples per second of the uniform time grid.
    time_s:
        Shape ``(n,)``: seconds. ``time_s[0]`` is 0 for a whole recording; a chunk of a longer recording
        keeps the times of the whole, so results from chunks line up.
    acc_mps2:
        Shape ``(n, 3)``: acceleration in m/s², gravity included, in the sensor's own axes.
    gyr_dps:
        Shape ``(n, 3)``: angular rate in deg/s in the same axes, or ``None`` when there is no gyroscope.
    metadata:
        Free-form facts from the file (source format, device, start time as ISO 8601 text, ...).
    notes:
        What the reader detected or corrected (units, resampling, gaps), in plain words, for the report.

    Arrays from one's own loader may be given as lists (they become float64 arrays). Wrong shapes, a rate
    that is not a positive number, NaN or infinite samples, time that does not strictly increase, and time
    steps that do not fit the rate (time in milliseconds, or the wrong rate; more than
    ``TIME_STEP_TOLERANCE`` apart) raise :class:`~backstride.InputError`;
    the gait engine also refuses acceleration that is not in m/s² with gravity (in g, or gravity removed),
    and angular rate in rad/s while the wearer moves.
    """

    sampling_rate_hz: float
    time_s: FloatArray
    acc_mps2: FloatArray
    gyr_dps: FloatArray | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # arrays from one's own loader may come as lists; a frozen dataclass sets its fields this way
        for name, what in (("time_s", "time"), ("acc_mps2", "acceleration"), ("gyr_dps", "angular rate")):
            value = getattr(self, name)
            if value is not None and not isinstance(value, np.ndarray):
                object.__setattr__(self, name, _floats(value, what))
        if self.time_s.ndim != 1:
            raise InputError(f"time must be a one-dimensional array, got shape {self.time_s.shape}")
        n = self.time_s.shape[0]
        if self.acc_mps2.shape != (n, 3):
            raise InputError(f"acceleration must have shape ({n}, 3), got {self.acc_mps2.shape}")
        if self.gyr_dps is not None and self.gyr_dps.shape != (n, 3):
            raise InputError(f"angular rate must have shape ({n}, 3), got {self.gyr_dps.shape}")
        rate = self.sampling_rate_hz
        if (
            isinstance(rate, bool)
            or not isinstance(rate, int | float | np.integer | np.floating)
            or not rate > 0
        ):
            raise InputError(f"sampling rate must be a positive number of samples per second, got {rate!r}")
        _check_finite(self.time_s, "time")
        _check_increasing(self.time_s)
        _check_time_step(self.time_s, float(rate))
        _check_finite(self.acc_mps2, "acceleration")
        if self.gyr_dps is not None:
            _check_finite(self.gyr_dps, "angular rate")

    @property
    def n_samples(self) -> int:
        return int(self.time_s.shape[0])

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sampling_rate_hz

    @property
    def start_s(self) -> float:
        return float(self.time_s[0]) if self.n_samples else 0.0

    def slice(self, start: int, stop: int) -> Recording:
        """Samples ``[start, stop)`` as a new recording that keeps the original times (views, no copy)."""
        return Recording(
            sampling_rate_hz=self.sampling_rate_hz,
            time_s=self.time_s[start:stop],
            acc_mps2=self.acc_mps2[start:stop],
            gyr_dps=None if self.gyr_dps is None else self.gyr_dps[start:stop],
            metadata=self.metadata,
            notes=self.notes,
        )


def _floats(value: Any, what: str) -> FloatArray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be an array of numbers: {exc}") from None


def _check_increasing(time_s: FloatArray) -> None:
    """Refuse time that repeats or goes back (a clock set back, rows out of order): the engine places chunks
    and contacts by it. Compared a block at a time, so a week's recording needs no second copy of its time."""
    for start in range(0, max(time_s.shape[0] - 1, 0), _INCREASING_BLOCK):
        stop = min(start + _INCREASING_BLOCK, time_s.shape[0] - 1)
        back = np.flatnonzero(time_s[start + 1 : stop + 1] <= time_s[start:stop])
        if back.size:
            at = start + int(back[0]) + 1
            raise InputError(
                f"time must be strictly increasing: sample {at} is at {time_s[at]:.6g} s, not after sample "
                f"{at - 1} at {time_s[at - 1]:.6g} s"
            )


def _check_time_step(time_s: FloatArray, rate: float) -> None:
    """Refuse time whose steps do not fit the rate: the engine counts by the rate and places by the time, so
    time in milliseconds (or a rate that is not the recording's) would put every contact and bout at the
    wrong time without a word. The median of evenly spread steps: gaps and a jittery clock do not move it."""
    n = time_s.shape[0]
    if n < 2:
        return
    at = np.arange(0, n - 1, max((n - 1) // _TIME_STEPS_JUDGED, 1))  # (np.unique would import numpy.ma)
    step = median(time_s[at + 1] - time_s[at])
    period = 1.0 / rate
    if abs(step - period) <= TIME_STEP_TOLERANCE * period:
        return
    hint = (
        "it looks like milliseconds: divide the time by 1000"
        if abs(step / 1000.0 - period) <= TIME_STEP_TOLERANCE * period
        else "is the time in seconds, and the rate the recording's own?"
    )
    raise InputError(
        f"the time stamps are {step:.4g} apart (median step), where a sampling rate of {rate:g} Hz means "
        f"{period:.3g} s: {hint}"
    )


# No sensor worn on the body measures beyond these (a high-g accelerometer's range is a few hundred g, a
# gyroscope's a few thousand deg/s): a value beyond is a damaged file (a changed byte, a cell of 1e308), not a
# reading, and would swamp every filter's running sums (a walk came out as no walking at all)
SENSOR_LIMITS = {"acceleration": (1e5, "m/s²"), "angular rate": (1e5, "deg/s")}


def _check_finite(values: FloatArray, what: str) -> None:
    """Refuse NaN and infinite values: one would spread through the filters' running sums and silently
    empty the rest of the recording of steps. Readers bridge short gaps themselves (see
    :mod:`backstride.io`); arrays from elsewhere must be gap-free. Sensor values beyond
    :data:`SENSOR_LIMITS` are refused too. The common case costs a pass for the largest value and one for
    the smallest (a comparison with NaN is false), and no mask; a sum could overflow."""
    limit, unit = SENSOR_LIMITS.get(what, (np.inf, ""))
    if values.size == 0:
        return
    low, high = float(values.min()), float(values.max())  # NaN if any is
    if -limit <= low <= high <= limit and math.isfinite(low) and math.isfinite(high):
        return
    rows = values.reshape(values.shape[0], -1)
    bad = np.flatnonzero(~np.isfinite(rows).all(axis=1))
    if bad.size:
        raise InputError(
            f"{what} has {plural(bad.size, 'sample')} that {are(bad.size)} "
            f"not a number or infinite, the first at sample {bad[0]}; fill or cut the gaps before analysing "
            "(the readers in backstride.io interpolate short gaps and refuse long ones)"
        )
    beyond = np.abs(rows) > limit
    big = np.flatnonzero(beyond.any(axis=1))
    first = float(rows[big[0]][beyond[big[0]]][0])
    raise InputError(
        f"{what} has {plural(big.size, 'sample')} beyond ±{limit:g} {unit}, more than any "
        f"sensor measures, the first at sample {big[0]} ({first:.3g} {unit}): the file is damaged there; "
        "correct or remove those values"
    )
