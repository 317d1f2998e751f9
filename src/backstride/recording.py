"""The one canonical form of a recording, whatever file or app it came from.

After every reader: time in seconds (float64, uniform grid at ``sampling_rate_hz``), acceleration in m/s²
with gravity included, angular rate in deg/s (or ``None``). Readers only read and convert units; the gait
engine finds the body frame itself, so the sensor axes may point anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from backstride._errors import InputError

FloatArray = npt.NDArray[np.float64]

GRAVITY_MPS2 = 9.80665


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
    that is not a positive number, and NaN or infinite samples raise :class:`~backstride.InputError`;
    the gait engine also refuses acceleration that is not in m/s² with gravity (in g, or gravity removed).
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


def _check_finite(values: FloatArray, what: str) -> None:
    """Refuse NaN and infinite values: one would spread through the filters' running sums and silently
    empty the rest of the recording of steps. Readers bridge short gaps themselves (see
    :mod:`backstride.io`); arrays from elsewhere must be gap-free. A sum is finite exactly when every value
    is (sensor values are far from overflowing it), so the common case costs one pass and no mask."""
    if values.size == 0 or np.isfinite(np.add.reduce(values, axis=None)):
        return
    bad = np.flatnonzero(~np.isfinite(values).all(axis=1))
    raise InputError(
        f"{what} has {bad.size} sample{'s' if bad.size > 1 else ''} that {'are' if bad.size > 1 else 'is'} "
        f"not a number or infinite, the first at sample {bad[0]}; fill or cut the gaps before analysing "
        "(the readers in backstride.io interpolate short gaps and refuse long ones)"
    )
