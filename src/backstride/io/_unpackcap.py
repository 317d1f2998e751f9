"""The most a compressed file (a ZIP, a gzip file) is unpacked to: a decompression bomb is refused, not unpacked.

A small ZIP or ``.gz`` of a repetitive content (zeros, one line repeated) can unpack to a thousand times its size:
a 10 MB file to 10 GB on the disk (a logger's file is unpacked there to be read) or in memory (a small CSV is
read whole). Every reader stops at ``MAX_UNPACKED_BYTES`` with one :class:`~backstride.InputError`, before
anything is written anywhere but a temporary folder, which is removed:

* a ZIP (a phone's export, an Excel sheet, a ``.gt3x``) by its members' stated sizes, read from its directory
  before anything is unpacked; Python's :mod:`zipfile` stops a member at its stated size, so that bounds it;
* a gzip file, which states its size only at its end (and modulo 4 GiB), by what it has unpacked so far.

The limit sits well above real files. Measured with the benchmarks' Sensor Logger writer (the app's CSV
layout): an hour unpacks to 88 MB (Android, 200 Hz, acceleration and gyroscope; 32 MB zipped) or 66 MB (iOS,
100 Hz, three files), so seven days to 14.8 GB or 11 GB; a week of a logger's own file is 0.3–2 GB. The 64 GiB
limit leaves room for a week at a higher rate or with more of the app's sensors switched on; a genuinely larger
export is read with ``$BACKSTRIDE_MAX_UNPACKED_GB`` set higher (read when a file is opened, so it applies to the
library, the command line and batch runs alike). The web app refuses an upload far below this (its own limit,
in proportion to the largest upload it accepts).
"""

from __future__ import annotations

import math
import os

from backstride._errors import InputError, UnpackLimitError

MAX_UNPACKED_BYTES = 64 << 30
ENV_MAX_UNPACKED_GB = "BACKSTRIDE_MAX_UNPACKED_GB"


def max_unpacked_bytes() -> int:
    """``MAX_UNPACKED_BYTES``, or the number of GB (10⁹ bytes) in ``$BACKSTRIDE_MAX_UNPACKED_GB``."""
    text = os.environ.get(ENV_MAX_UNPACKED_GB, "").strip()
    if not text:
        return MAX_UNPACKED_BYTES
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not (math.isfinite(value) and value > 0):  # "inf" has no whole number of bytes
        raise InputError(f"${ENV_MAX_UNPACKED_GB} must be a positive number of GB, got {text!r}")
    return int(value * 1e9)


def too_large(name: str, size: int | None = None, limit: int | None = None) -> UnpackLimitError:
    """The refusal of the compressed file ``name`` that unpacks beyond ``limit`` (by default the limit above):
    to ``size`` bytes, when its ZIP directory states it; a gzip file is stopped at the limit."""
    limit = max_unpacked_bytes() if limit is None else limit
    amount = f"to {_gb(size)}" if size is not None else f"to more than {_gb(limit)}"
    return UnpackLimitError(
        f"{name} would unpack {amount}, beyond the {_gb(limit)} any recording unpacks to (a damaged or crafted "
        f"file?), so it was not read; for a genuinely larger export set ${ENV_MAX_UNPACKED_GB} higher",
        size,
        limit,
    )


def _gb(size: int) -> str:
    return f"{size / 1e9:.3g} GB" if size >= 1e8 else f"{size / 1e6:.3g} MB"
