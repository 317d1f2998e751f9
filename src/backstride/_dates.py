"""The years a clinic's records take.

A plan's week, a day's log, a therapy session, a day of a watch's steps: each lies between 1900 and 2200.
Beyond them a date is a slip or a device's damage (a year typed 9999; a record dated 0001-01-01), and arithmetic
on it fails far from where it came in: a week added to 9999-12-25 is an OverflowError, raised while a page is
drawn. The readers and the models refuse such dates where they are given.
"""

from __future__ import annotations

import datetime as dt

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)


def within(day: dt.date) -> bool:
    """Whether ``day`` (a date, or a datetime's date) lies between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`."""
    day = day.date() if isinstance(day, dt.datetime) else day
    return EARLIEST_DATE <= day <= LATEST_DATE
