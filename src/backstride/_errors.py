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


class UnsupportedFormatError(InputError):
    """The file is not a recording in any format backstride reads."""


class NoTimeColumnError(InputError):
    """A table of sensor values without a time column (``columns``: its columns' names): it can be read only
    at a rate the caller gives (its rows taken as evenly spaced) or with its time column named."""

    def __init__(self, message: str, columns: list[str]) -> None:
        super().__init__(message)
        self.columns = columns


class ScreeningIncomplete(BackstrideError):
    """Emergency questions were left unanswered where a complete screen is required."""

    exit_code = 3
