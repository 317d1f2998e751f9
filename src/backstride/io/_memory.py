"""Large output arrays without transparent huge pages.

numpy asks the kernel for transparent huge pages on large allocations (``madvise``). On a machine whose
memory is fragmented by the CSV parser's own buffers, the first touch of such pages can cost several times
more than ordinary pages (measured: 1.0 s instead of 0.33 s for a 200 MB array on the 2-core CI machine),
which is a third of the time budget for reading a day-long recording. The reader therefore allocates its
big arrays with huge-page advice switched off, restoring numpy's setting right after. When numpy no longer
offers that switch the arrays are allocated normally.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from typing import cast

import numpy as np

from backstride.recording import FloatArray


def _find_switch() -> Callable[[bool], bool] | None:
    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy 2, numpy 1
        try:
            switch = getattr(importlib.import_module(module), "_set_madvise_hugepage", None)
        except ImportError:
            continue
        if callable(switch):
            return cast("Callable[[bool], bool]", switch)
    return None


_switch = _find_switch()


@contextlib.contextmanager
def no_hugepages() -> Iterator[None]:
    """Arrays allocated inside this block get no huge-page advice."""
    if _switch is None:
        yield
        return
    previous = _switch(False)
    try:
        yield
    finally:
        _switch(previous)


def empty(shape: int | tuple[int, int]) -> FloatArray:
    """``np.empty(shape, float64)`` allocated without huge-page advice."""
    with no_hugepages():
        return np.empty(shape, dtype=np.float64)


def time_grid(count: int, rate: float, start: int = 0) -> FloatArray:
    """``(start + arange(count)) / rate``."""
    with no_hugepages():
        out = np.arange(start, start + count, dtype=np.float64)
    out /= rate
    return out
