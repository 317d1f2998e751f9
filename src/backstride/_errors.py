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


class ScreeningIncomplete(BackstrideError):
    """Emergency questions were left unanswered where a complete screen is required."""

    exit_code = 3
