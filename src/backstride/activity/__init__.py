"""Walking figures that phones and watches already computed: Apple Health exports and Garmin .fit files.

>>> from backstride import activity
>>> data = activity.read_activity("export.zip")  # or export.xml, or a Garmin .fit  # doctest: +SKIP
>>> for day in data.days[-2:]:  # doctest: +SKIP
...     print(day.date, day.steps, day.walking_speed_mps, day.walking_asymmetry_pct)
2021-01-01 6120 1.08 4.0
2021-01-02 8412 1.06 None

Patients bring years of data: an iPhone (iOS 14+) writes walking speed, step length, walking asymmetry
and double-support time to Apple Health; a Garmin watch records walks (cadence, speed, step length)
and counts steps all day. The readers keep only walking figures, convert them to SI units, and
summarise them per calendar day in the wearer's own local time:

* :func:`read_activity` detects the format from the content (XML holding ``<HealthData``, a ZIP of it,
  or a FIT header, also in a gzip file: Garmin Connect's ``.fit.gz``) and returns :class:`ActivityData`: :class:`ActivityRecord` s, :class:`WalkSession` s,
  :class:`DaySummary` s and notes on what was skipped or decided.
* :func:`read_apple_health` and :func:`read_fit` read one format; :func:`decode_fit` gives a FIT file's
  per-second samples and monitoring counts too (:class:`FitFile`).

Steps per day never add up overlapping sources (an iPhone and a Watch counting the same walk): each day
takes the single source with the most steps. The walking figures of a day are medians over its walking
records and its walks and hikes; runs are kept as sessions, marked by their sport, but do not count.
A damaged, truncated or unknown file ends in one :class:`~backstride.InputError` naming the file.
"""

from __future__ import annotations

from backstride.activity._apple import read_apple_health
from backstride.activity._fit import FitFile, FitMonitoring, FitSample, decode_fit, read_fit
from backstride.activity._model import UNITS, ActivityData, ActivityRecord, DaySummary, Kind, WalkSession
from backstride.activity._read import read_activity
from backstride.activity._summary import combine_days

__all__ = [
    "UNITS",
    "ActivityData",
    "ActivityRecord",
    "DaySummary",
    "FitFile",
    "FitMonitoring",
    "FitSample",
    "Kind",
    "WalkSession",
    "combine_days",
    "decode_fit",
    "read_activity",
    "read_apple_health",
    "read_fit",
]
