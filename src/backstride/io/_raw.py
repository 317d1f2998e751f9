"""What every format reader hands over: the signals as found in the file, before any cleaning.

The readers only locate and parse columns; :mod:`backstride.io._resample` turns a :class:`RawSignals` into
the canonical :class:`~backstride.Recording` (order checks, short NaN runs, units, uniform grid), so every
format gets the same corrections and the same messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from typing import Any

import numpy as np

from backstride._errors import InputError
from backstride.recording import FloatArray


@dataclass
class RawSignals:
    """Signals as read from a file.

    Attributes
    ----------
    time_s:
        Shape ``(n,)``: seconds from an arbitrary origin (already scaled from ms/ns).
    acc:
        Shape ``(n, 3)``: acceleration in the file's unit.
    gyr:
        Shape ``(n, 3)`` in the file's unit, or ``None``.
    source:
        The file name, used in messages.
    acc_names, gyr_names:
        Column names as written in the file, used in messages.
    first_line:
        Line number in the file of row 0, so messages can name lines; ``None`` when rows do not map to
        lines (several sensors merged).
    acc_unit, gyr_unit:
        Unit declared by the file itself (a header such as ``Gyroscope x (rad/s)``), or ``None``.
    epoch_s:
        Unix time in seconds of ``time_s == 0`` when the file carries absolute time, else ``None``.
    dt:
        Cache of ``np.diff(time_s)`` once the time has been checked (``None`` otherwise).
    clock_origin_s:
        The file's own clock reading (in seconds) at ``time_s == 0``, to line up files of one export.
    zone:
        The time zone the recording was made in, when the export states it (Sensor Logger's metadata);
        the start time is then written in local time with its offset, else in UTC.
    gravity_included:
        The acceleration is a raw accelerometer's (a wearable logger's own file), which always holds
        gravity: the unit check does not look for phone-style linear acceleration.
    quantity:
        What ``acc`` holds: ``"acceleration"``, or another sensor of a phone's export read as a table of
        three axes before it is put onto the accelerometer's time stamps (``"gravity"``, ``"gyroscope"``):
        its missing values are filled, or refused, as that sensor's, and named so.
    """

    time_s: FloatArray
    acc: FloatArray
    gyr: FloatArray | None
    source: str
    acc_names: tuple[str, str, str] = ("acc_x", "acc_y", "acc_z")
    gyr_names: tuple[str, str, str] = ("gyr_x", "gyr_y", "gyr_z")
    time_name: str = "time"
    first_line: int | None = 2
    acc_unit: str | None = None
    gyr_unit: str | None = None
    epoch_s: float | None = None
    clock_origin_s: float = 0.0
    zone: tzinfo | None = None
    gravity_included: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    dt: FloatArray | None = None
    notes: list[str] = field(default_factory=list)
    quantity: str = "acceleration"

    @property
    def n(self) -> int:
        return int(self.time_s.shape[0])

    def where(self, index: int) -> str:
        """'line 1203' when rows map to lines, else 'the row at 12.03 s' (both read after "on" or "from"; the
        time counted from the file's first row, also in a later block of a streamed file)."""
        if self.first_line is not None:
            return f"line {self.first_line + index}"
        return f"the row at {float(self.time_s[index]):.2f} s"


def join_raw(blocks: Sequence[RawSignals]) -> RawSignals:
    """Consecutive blocks of one file as one :class:`RawSignals`: the first block's description (names,
    units, absolute time, metadata) with every block's samples and notes. A gyroscope missing from any block
    is missing from the whole."""
    first = blocks[0]
    if len(blocks) == 1:
        return first
    gyrs = [b.gyr for b in blocks]
    gyr = None if any(g is None for g in gyrs) else np.concatenate([g for g in gyrs if g is not None])
    return replace(
        first,
        time_s=np.concatenate([b.time_s for b in blocks]),
        acc=np.concatenate([b.acc for b in blocks]),
        gyr=gyr,
        metadata={k: v for b in reversed(blocks) for k, v in b.metadata.items()} | first.metadata,
        notes=list(dict.fromkeys(n for b in blocks for n in b.notes)),
        dt=None,
    )


def float_rows(rows: Sequence[Sequence[object]], label: str) -> FloatArray:
    """Rows of values parsed as they come from a database or a JSON text (rows of one length), as one
    ``(n, k)`` float array: numbers and numeric text are numbers, ``None`` and empty text missing (NaN). Any
    other value (a word, a list, an object) ends in one message naming it: ``"<label>: the value 'n/a' is not
    a number"``."""
    try:
        out = np.array(rows, dtype=np.float64)
        if out.ndim == 2:
            return out
    except (TypeError, ValueError):
        pass
    # an empty text, or a value that is no number (a list in every row makes a third dimension): one by one
    values = [[np.nan if v is None or v == "" else v for v in row] for row in rows]
    bad = next((v for row in values for v in row if not _is_number(v)), None)
    if bad is not None:
        raise InputError(f"{label}: the value {bad!r} is not a number")
    return np.array(values, dtype=np.float64)


def _is_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True
