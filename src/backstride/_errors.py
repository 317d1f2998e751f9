"""One small exception hierarchy. Every error carries a message a person can act on.

The CLI turns a :class:`BackstrideError` into one line on stderr and a non-zero exit; the web app turns it
into an HTTP 4xx page. Anything else is a bug.
"""

from __future__ import annotations


class BackstrideError(Exception):
    """Base class of every error backstride raises on purpose."""

    exit_code: int = 1


class InputError(BackstrideError):
    """A file, an answer or an option that cannot be used as given (malformed, wrong units, truncated...)."""

    exit_code = 2


class UnpackLimitError(InputError):
    """A ZIP or gzip file that would unpack beyond a limit (a decompression bomb): ``size``, what it states it
    unpacks to (a ZIP), else ``None`` (a gzip file, stopped at the limit), and ``limit``, in bytes."""

    def __init__(self, message: str, size: int | None, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


class NoReadingsError(InputError):
    """A file (or a table, a member of an export) that holds no readings: empty, or a header only. A reader
    that can do without it (a phone's gyroscope beside its accelerometer) reads on without it and says so."""


class UnsupportedFormatError(InputError):
    """The file is not a recording in any format backstride reads."""


class ActivityFileError(UnsupportedFormatError):
    """The file is an activity file (an Apple Health export, a Garmin ``.fit`` file): figures a phone or watch
    worked out itself, read by :func:`backstride.activity.read_activity`, not a sensor's samples. ``kind`` says
    which (``"an Apple Health export"``, ``"a Garmin .fit file"``). The message says what the file is and why it
    holds nothing to measure; the command line and the web app each add where such a file is read."""

    def __init__(self, name: str, kind: str, holds: str) -> None:
        super().__init__(
            f"{name} is {kind}: {holds}, not a sensor's own samples, so it holds no movement to measure"
        )
        self.kind = kind


class OptionNeeded(InputError):
    """A file that reads only with what its reader is told of it: ``reason`` says why, ``advice`` what to give
    (in the words of :func:`backstride.io.read`'s keywords and the command line's flags), ``options`` which
    reading options would do (keywords of :func:`backstride.io.read`) with the value suggested for each, or
    None when the caller has to find it (a column's name). The message is ``"{reason}; {advice}"``; the web
    app, whose upload form has fields instead of flags, says the same from ``reason`` and ``options``."""

    def __init__(self, reason: str, advice: str, options: dict[str, str | None]) -> None:
        super().__init__(f"{reason}; {advice}")
        self.reason = reason
        self.options = options


class NoTimeColumnError(OptionNeeded):
    """A table of sensor values without a time column (``columns``: its columns' names): it can be read only
    at a rate the caller gives (its rows taken as evenly spaced) or with its time column named."""

    def __init__(self, reason: str, advice: str, columns: list[str]) -> None:
        super().__init__(reason, advice, {"time_column": None, "rate_hz": None})
        self.columns = columns


class ScreeningIncomplete(BackstrideError):
    """Emergency questions were left unanswered where a complete screen is required."""

    exit_code = 3
