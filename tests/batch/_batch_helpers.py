"""Helpers of the batch tests: long recordings built from real ones, and an engine with a bug.

Dask worker processes import this module by name (see ``conftest.load_helper``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def concat_imu_csv(
    files: Sequence[Path], out: Path, *, repeat: int = 1, epoch_start_s: float | None = None
) -> float:
    """Write the ``imu.csv`` files one after another (``repeat`` times) with continuous time at 100 Hz.

    With ``epoch_start_s`` the time column is Unix time (so the reader knows the start time); otherwise
    seconds from 0. Returns the duration written, s.
    """
    parts = [np.loadtxt(f, delimiter=",", skiprows=1, ndmin=2) for f in files] * repeat
    data = np.concatenate(parts)
    data[:, 0] = np.arange(data.shape[0]) / 100.0 + (epoch_start_s or 0.0)
    header = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    fmt = ["%.3f"] + ["%.6g"] * 6
    np.savetxt(out, data, delimiter=",", header=header, comments="", fmt=fmt)
    return data.shape[0] / 100.0


def buggy_engine(chunks: object, **subject: object) -> object:
    """An engine with a bug: every file ends in an unexpected exception."""
    raise ZeroDivisionError("float division by zero")


def dying_reader(path: object, **options: object) -> object:
    """A reader whose worker process dies (as out of memory) on a file named ``die*``; others read as usual."""
    import os

    from backstride.io import iter_chunks

    if Path(str(path)).name.startswith("die"):
        os._exit(1)
    return iter_chunks(path, **options)


def failing_or_slow_reader(path: object, **options: object) -> object:
    """A reader that fails at once on a file named ``fail*`` and takes a minute over any other."""
    import time

    if not Path(str(path)).name.startswith("fail"):
        time.sleep(60.0)
    raise ValueError("not read")


def slow_reader(path: object, **options: object) -> object:
    """The reader at a week-long file's pace: each chunk a tenth of a second later than it comes."""
    import time

    from backstride.io import iter_chunks

    for chunk in iter_chunks(path, **options):
        time.sleep(0.1)
        yield chunk


def worker_logs_an_error() -> str:
    """What a worker's Dask says at times as the cluster closes (its heartbeat finds the scheduler gone)."""
    import logging

    logging.getLogger("distributed.worker").error("Failed to communicate with scheduler during heartbeat.")
    return "logged"
