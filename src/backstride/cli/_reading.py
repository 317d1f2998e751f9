"""The options that say how to read a recording's file, shared by ``analyze`` and ``batch``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from backstride._errors import ActivityFileError, BackstrideError, UnsupportedFormatError

if TYPE_CHECKING:
    from backstride.io import ReadOptions

Format = Annotated[
    str,
    typer.Option(
        "--format",
        help="auto (found from the file's content), or the file's format, checked against it: csv, phyphox, "
        "sensorlogger, metabase, axivity, actigraph, actilife or geneactiv",
    ),
]
AccUnit = Annotated[
    Optional[str],  # noqa: UP045 - typer reads the annotation at run time
    typer.Option("--acc-unit", help="Acceleration unit of a CSV: g, m/s2 or mg (detected when not given)"),
]
GyrUnit = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--gyr-unit", help="Angular-rate unit of a CSV: deg/s or rad/s (detected when not given)"),
]
TimeColumn = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--time-column", help="Name of the CSV's time column"),
]
TimeUnit = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--time-unit",
        help="Unit of the CSV's time column: s, ms, us, ns or d (a spreadsheet's serial days; detected when not given)",
    ),
]
AccColumns = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--acc-columns", help="The CSV's three acceleration columns, comma-separated"),
]
RateHz = Annotated[
    Optional[float],  # noqa: UP045
    typer.Option(
        "--rate-hz",
        help="Sampling rate of a CSV without a time column, Hz (its rows evenly spaced in time)",
    ),
]
GyrColumns = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--gyr-columns", help="The CSV's three angular-rate columns, comma-separated"),
]


def options(
    format: str,
    acc_unit: str | None,
    gyr_unit: str | None,
    time_column: str | None,
    time_unit: str | None,
    acc_columns: str | None,
    gyr_columns: str | None,
    rate_hz: float | None = None,
) -> ReadOptions:
    """The command line's reading options, in the order the commands declare them, checked by
    :class:`~backstride.io.ReadOptions` (an unknown unit or format, or not three column names, is an
    ``InputError``)."""
    from backstride.io import ReadOptions

    return ReadOptions(
        format=format,
        time_column=time_column,
        time_unit=time_unit,
        acc_columns=_columns(acc_columns),
        gyr_columns=_columns(gyr_columns),
        acc_unit=acc_unit,
        gyr_unit=gyr_unit,
        rate_hz=rate_hz,
    )


def _columns(text: str | None) -> tuple[str, ...] | None:
    """``"a1, a2,a3"`` → ``("a1", "a2", "a3")``; how many there must be is checked by ``ReadOptions``."""
    return None if text is None else tuple(c.strip() for c in text.split(",") if c.strip())


@contextlib.contextmanager
def activity_read_elsewhere(file: Path) -> Iterator[None]:
    """An activity file (an Apple Health export, a Garmin .fit file) given as a recording: its error names the
    command that reads it."""
    try:
        yield
    except ActivityFileError as exc:
        raise UnsupportedFormatError(f"{exc}; 'backstride activity {file}' reads it") from None


@contextlib.contextmanager
def recording_read_elsewhere(file: Path) -> Iterator[None]:
    """A sensor's recording given as an activity file: its error names the command that measures it."""
    try:
        yield
    except UnsupportedFormatError as exc:
        from backstride import io

        try:
            found = io.detect_format(file)
        except (BackstrideError, OSError):
            raise exc from None
        raise UnsupportedFormatError(
            f"{exc}; it looks like a sensor recording (format: {found}): 'backstride analyze {file}' measures the walking in it"
        ) from None
