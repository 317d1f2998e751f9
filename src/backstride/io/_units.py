"""Unit detection and conversion: acceleration (g or m/s²), angular rate (rad/s or deg/s), time stamps.

Rules (applied only when the unit is not given by an option or by the column header):

* **Acceleration.** With gravity included, the magnitude of the acceleration vector stays close to 1 g
  whatever the posture, so its median is ≈ 1 in g, ≈ 9.8 in m/s² and ≈ 1000 in milli-g (mg, the unit of
  research accelerometers' summaries and of many IMU chips' raw output). A median within 0.6–1.4 reads as g,
  within 6–14 as m/s², within 600–1400 as mg (centimetres per second squared, 981 for gravity, would read as mg
  2 % too large: a unit no sensor export uses). Gravity must be present: the per-axis medians form a vector
  pointing along gravity whose length is most of the median magnitude; when that vector is shorter than 30 %
  of the magnitude the file holds *linear* acceleration (gravity removed by the phone), which the gait engine
  cannot use, and that is an :class:`~backstride.InputError`, as is a magnitude that fits no unit. A unit
  given (by an option or a header) is checked the same way: a magnitude that fits another unit is refused
  with the option that reads it, so a file in mg declared in g is not read as gravity a thousand times over.
* **Angular rate.** A lower-back sensor turns at most a few hundred degrees per second during walking and
  turning, i.e. a few rad/s. When the 99th percentile of ``|ω|`` is at most 10 the values are read as
  rad/s (10 deg/s would mean the wearer hardly moved at all), above 10 as deg/s. A declared rad/s whose
  99th percentile exceeds 20 (over 1100 deg/s) is taken as a wrong unit and refused with a message that
  says which option to pass. The rule needs movement: a deg/s sensor lying on a table also stays under 10.
  So the unit is judged on the first 10-minute stretch of the recording (``GYR_JUDGED_WINDOW_S``, counted
  from its first sample) that shows movement: the top 1 % of its acceleration magnitudes depart from its
  median by a tenth or more (:data:`MOVING_ACC_P99`; walking: 0.3–0.9 in the lab set, a sensor at rest:
  about 0.01), or its 99th percentile of ``|ω|`` is above 10 already. The same stretches are judged
  whether the file is read whole or in chunks, so both read it in one unit. A recording shorter than the
  first 4 hours (``GYR_JUDGED_SPAN_S``) with no such stretch (nothing moved: no walking to find either)
  is judged on all of it. A longer one still all that time is judged on those 4 hours (holding more of it
  to look further would take hundreds of MB), and said to be; the rest is then checked stretch by stretch
  (:func:`check_judged_on_stillness`): where it turns faster than any walking trunk in the unit so chosen
  (99th percentile of ``|ω|`` beyond 20 rad/s), the reading stops with the option that reads it. A
  recording that never moves is not an error: it has no walking.
* **Time.** A time column whose first value is a Unix time is recognised by magnitude: above 1e17 it is
  nanoseconds, above 1e14 microseconds, above 1e11 milliseconds, above 1e8 seconds since the epoch;
  otherwise seconds from an arbitrary origin. A header that names the unit ("time (ms)", "t_ms") wins.
  A Unix time that would fall after the year 2200 (``EPOCH_MAX_S``) is not a date but a unit mistaken
  (nanoseconds under a header that says milliseconds) or a damaged stamp, and is refused.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Literal

import numpy as np

from backstride._errors import InputError, OptionNeeded
from backstride._stats import median, percentile
from backstride.recording import GRAVITY_MPS2, GYR_RAD_MAX_P99, FloatArray

AccUnit = Literal["g", "m/s2", "mg"]
GyrUnit = Literal["deg/s", "rad/s"]
ACC_UNITS: tuple[str, ...] = ("g", "m/s2", "mg")
# each acceleration unit: m/s² per unit, the range of gravity's median magnitude that reads as it, its name
_ACC = {
    "g": (GRAVITY_MPS2, (0.6, 1.4), "g"),
    "m/s2": (1.0, (6.0, 14.0), "m/s²"),
    "mg": (GRAVITY_MPS2 / 1000.0, (600.0, 1400.0), "mg"),
}
GYR_UNITS: tuple[str, ...] = ("deg/s", "rad/s")
# seconds per unit; "d": days, a spreadsheet's serial date and time (Excel's and LibreOffice's: day 0 is
# 1899-12-30, a time of day its fraction)
_TIME_SCALES = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "d": 86400.0}
SPREADSHEET_DAY0_UNIX_DAYS = -25569  # 1899-12-30, in days from 1970-01-01
TIME_UNITS: tuple[str, ...] = tuple(_TIME_SCALES)

_MAX_SAMPLES_FOR_STATS = 20_000  # evenly spread: plenty for a median and a 99th percentile
GYR_RAD_IMPLAUSIBLE_P99 = 20.0
GYR_JUDGED_WINDOW_S = 600.0  # the stretches the angular-rate unit is judged on
GYR_JUDGED_SPAN_S = 4 * 3600.0  # how far into a recording they are looked for
MOVING_ACC_P99 = 0.1  # 99th percentile of | |a| / median |a| - 1 | of a stretch that shows movement


def _subsample(values: FloatArray) -> FloatArray:
    step = max(1, values.shape[0] // _MAX_SAMPLES_FOR_STATS)
    sub = values[::step]
    return sub[np.isfinite(sub).all(axis=1)]


def acc_magnitude_stats(acc: FloatArray) -> tuple[float, float]:
    """Median magnitude of the acceleration vector and length of the per-axis median vector."""
    sub = _subsample(acc)
    if sub.shape[0] == 0:
        raise InputError("the acceleration columns hold no numbers")
    magnitude = median(np.sqrt(np.einsum("ij,ij->i", sub, sub)))
    static = math.hypot(*(median(column) for column in sub.T))
    return magnitude, static


def acc_factor(
    acc: FloatArray, declared: str | None, *, source: str, gravity_included: bool = False
) -> tuple[float, str]:
    """Factor that turns ``acc`` into m/s², and a plain sentence about how the unit was found.

    ``gravity_included``: the values come from a raw accelerometer (a wearable logger's own file), which
    always measures gravity; the steady-part test for linear acceleration is then skipped, since a sensor
    turned every way (a wrist, a day of lying and standing) has per-axis medians near zero.
    """
    magnitude, static = acc_magnitude_stats(acc)
    if declared is not None and declared not in ACC_UNITS:
        raise InputError(f"unknown acceleration unit {declared!r}; use one of {', '.join(ACC_UNITS)}")
    if magnitude < 0.3 or (static < 0.3 * magnitude and not gravity_included):
        raise InputError(
            f"the acceleration in {source} has no gravity in it (median magnitude {magnitude:.2f}, "
            f"steady part {static:.2f}): it looks like linear acceleration with gravity removed; "
            "export the raw accelerometer (acceleration with g) instead"
        )
    fits = next((unit for unit, (_, (low, high), _) in _ACC.items() if low <= magnitude <= high), None)
    if declared is not None:
        factor, name = _ACC[declared][0], _ACC[declared][2]
        if fits is not None and fits != declared:
            raise OptionNeeded(
                f"the acceleration in {source} is declared in {name} but its median magnitude is {magnitude:.2f}, "
                f"which is {_ACC[fits][2]}",
                f"pass acc_unit='{fits}' (--acc-unit {fits})",
                {"acc_unit": fits},
            )
        return factor, _read_in(declared, magnitude, " as declared")
    if fits is not None:
        return _ACC[fits][0], _read_in(fits, magnitude, "")
    raise OptionNeeded(
        f"cannot tell the acceleration unit in {source}: the median magnitude is {magnitude:.2f}, "
        "expected about 1 (g), 9.8 (m/s²) or 1000 (mg) with gravity included",
        "pass acc_unit='g', 'm/s2' or 'mg' (--acc-unit g, m/s2 or mg)",
        {"acc_unit": None},
    )


def _read_in(unit: str, magnitude: float, how: str) -> str:
    """The note of an acceleration read in ``unit`` (``how``: " as declared", or "" when detected)."""
    if unit == "m/s2":
        return f"acceleration read in m/s²{how} (gravity magnitude {magnitude:.2f} m/s²)"
    return f"acceleration read in {_ACC[unit][2]}{how} (gravity magnitude {magnitude:.2f}), converted to m/s²"


def gyr_factor(gyr: FloatArray, declared: str | None, *, source: str) -> tuple[float, str]:
    """Factor that turns ``gyr`` into deg/s, and a plain sentence about how the unit was found."""
    if declared is not None and declared not in GYR_UNITS:
        raise InputError(f"unknown angular-rate unit {declared!r}; use one of {', '.join(GYR_UNITS)}")
    sub = _subsample(gyr)
    if sub.shape[0] == 0:
        raise InputError("the gyroscope columns hold no numbers")
    p99 = percentile(np.sqrt(np.einsum("ij,ij->i", sub, sub)), 99.0)
    rad_to_deg = 180.0 / math.pi
    if declared == "rad/s" or (declared is None and p99 <= GYR_RAD_MAX_P99):
        if p99 > GYR_RAD_IMPLAUSIBLE_P99:
            raise OptionNeeded(
                f"the gyroscope in {source} is declared in rad/s but its 99th percentile of |ω| is {p99:.1f}, "
                f"i.e. {p99 * rad_to_deg:.0f} deg/s, far beyond a walking trunk; it looks like deg/s",
                "pass gyr_unit='deg/s' (--gyr-unit deg/s)",
                {"gyr_unit": "deg/s"},
            )
        how = "as declared" if declared else f"(99th percentile of |ω| {p99:.2f} ≤ {GYR_RAD_MAX_P99:g})"
        return rad_to_deg, f"angular rate read in rad/s {how}, converted to deg/s"
    how = "as declared" if declared else f"(99th percentile of |ω| {p99:.1f} > {GYR_RAD_MAX_P99:g})"
    return 1.0, f"angular rate read in deg/s {how}"


def shows_movement(acc: FloatArray, gyr: FloatArray) -> bool:
    """Whether a stretch of a recording moved enough for :func:`gyr_factor` to tell the angular-rate unit
    (see the module's rules): judged on the acceleration relative to its own median magnitude, so in any
    unit, or on an angular rate beyond any rad/s."""
    acc_sub, gyr_sub = _subsample(acc), _subsample(gyr)
    if acc_sub.shape[0] == 0 or gyr_sub.shape[0] == 0:
        return False
    magnitude = np.sqrt(np.einsum("ij,ij->i", acc_sub, acc_sub))
    middle = median(magnitude)
    if middle > 0 and percentile(np.abs(magnitude / middle - 1.0), 99.0) >= MOVING_ACC_P99:
        return True
    return percentile(np.sqrt(np.einsum("ij,ij->i", gyr_sub, gyr_sub)), 99.0) > GYR_RAD_MAX_P99


def judged_on_stillness_note() -> str:
    """The note of a recording whose angular-rate unit was judged on its first hours, in which nothing moved."""
    return (
        f"nothing moved in the first {_span_words()} to tell the angular rate's unit by: it was judged on "
        "them, and the rest checked for turning too fast for that unit"
    )


def check_judged_on_stillness(gyr: FloatArray, time_s: FloatArray, factor: float, *, source: str) -> None:
    """Refuse the rest of a recording whose angular-rate unit was judged on stillness when a stretch of
    ``GYR_JUDGED_WINDOW_S`` of it (``gyr`` in the file's unit, ``factor`` turning it into deg/s) turns faster
    than a walking trunk can in that unit: read as rad/s, beyond ``GYR_RAD_IMPLAUSIBLE_P99`` (a deg/s sensor
    that lay still, then moved)."""
    if factor == 1.0 or gyr.shape[0] == 0:  # read as deg/s: a rad/s sensor only turns slower than thought
        return
    window = GYR_JUDGED_WINDOW_S
    edges = np.searchsorted(time_s, np.arange(time_s[0], time_s[-1] + window, window)[1:], side="left")
    for part in np.split(gyr, edges):
        sub = _subsample(part)
        if sub.shape[0] == 0:
            continue
        p99 = percentile(np.sqrt(np.einsum("ij,ij->i", sub, sub)), 99.0)
        if p99 > GYR_RAD_IMPLAUSIBLE_P99:
            raise OptionNeeded(
                f"the angular rate in {source} was read in rad/s, judged on its first {_span_words()}, in "
                f"which nothing moved; later it turns at {p99:.0f} rad/s (99th percentile of |ω|), i.e. "
                f"{p99 * factor:.0f} deg/s, far beyond a walking trunk: it looks like deg/s",
                "pass gyr_unit='deg/s' (--gyr-unit deg/s)",
                {"gyr_unit": "deg/s"},
            )


def _span_words() -> str:
    span = GYR_JUDGED_SPAN_S
    return f"{span / 3600:g} hours" if span >= 3600 else f"{span / 60:g} min"


# the latest Unix time (s) read as a date: 1 January 2200
EPOCH_MAX_S = 7_258_118_400.0


def time_scale(first: float, declared: str | None) -> tuple[float, bool, str | None]:
    """Seconds per unit of a time column, whether it is an epoch time, and a note when it was converted."""
    scales = _TIME_SCALES
    if declared in scales:
        scale = scales[declared]
        epoch = abs(first) * scale > 1e8
        note = None if declared == "s" else f"time read in {declared}, converted to seconds"
        return scale, epoch, note
    magnitude = abs(first)
    for limit, unit in ((1e17, "ns"), (1e14, "us"), (1e11, "ms")):
        if magnitude > limit:
            return scales[unit], True, f"time read as {unit} since 1970 (Unix time), converted to seconds"
    return 1.0, magnitude > 1e8, None


def checked_time_scale(first: float, unit: str | None, column: str) -> tuple[float, bool, str | None]:
    """:func:`time_scale` for a time column whose first value is ``first``, refusing a first value that is no
    number or that would be a date after the year 2200. ``column`` names it in the message (``"walk.csv: the
    time column 'time'"``); ``unit`` is the unit the column is read in (given, or found), else None."""
    start = f"{column} starts at {first:g}"
    if not math.isfinite(first):
        raise InputError(f"{start}, which is not a time")
    scale, epoch, note = time_scale(first, unit)
    if epoch and not abs(first * scale) <= EPOCH_MAX_S:
        if unit:
            raise OptionNeeded(
                f"{start}, which in {unit} would be a date after the year 2200: the values are in another unit",
                "give it with time_unit (--time-unit s, ms, us, ns or d), or name the column without a unit (e.g. "
                "'time') to have the unit found from its values",
                {"time_unit": None},
            )
        raise InputError(f"{start}, which is neither a time from the start nor a date in any unit")
    return scale, epoch, note


def iso_from_epoch_s(seconds: float, zone: tzinfo | None = None) -> str:
    """ISO 8601 text of a Unix time in seconds: in ``zone`` (with its UTC offset) when the file names the
    zone it was recorded in, else in UTC. Per-day figures cut days at the midnight of that offset."""
    if not abs(seconds) <= EPOCH_MAX_S:  # also NaN
        raise InputError(f"a start time of {seconds:g} s from 1970 is beyond the dates a recording can have")
    return datetime.fromtimestamp(seconds, tz=zone or UTC).isoformat()


_OFFSET = r"([+-]?)\s*(\d{1,2})(?::?(\d{2}))?(?::(\d{2}))?"
_NAMED_OFFSET = re.compile(rf"(?:UTC|GMT)\s*{_OFFSET}\s*$", re.IGNORECASE)
_BARE_OFFSET = re.compile(rf"^\s*{_OFFSET}\s*$")


def offset_seconds(text: str) -> int | None:
    """Seconds east of UTC of an offset as files write it: named at the end of a time stamp
    (``2025-10-05 10:20:00.000 UTC+02:00``: phyphox; ``GMT -04:00``: GENEActiv) or bare (``-04:00:00``,
    ``02:00:00``: ActiGraph). ``None`` when there is none, or it is beyond ±14 h."""
    text = text.strip()
    match = _NAMED_OFFSET.search(text) or _BARE_OFFSET.match(text)
    if match is None:
        return None
    sign, hours, minutes, seconds = match.groups()
    value = int(hours) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
    if value > 14 * 3600:
        return None
    return -value if sign == "-" else value


def zone_from_utc_text(text: str) -> tzinfo | None:
    """The fixed-offset zone of :func:`offset_seconds`, or ``None``."""
    seconds = offset_seconds(text)
    return None if seconds is None else timezone(timedelta(seconds=seconds))


def zone_from_name(name: str) -> tzinfo | None:
    """An IANA time zone (``Europe/Berlin``) from the system's zone database, or ``None`` if unknown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None
