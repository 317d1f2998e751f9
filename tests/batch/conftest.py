"""Fixtures of the batch tests: small recordings built from ../shared/data, and a check that no Dask
process outlives a test."""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import psutil
import pytest


def _children() -> dict[int, str]:
    """Child processes, except Python's multiprocessing resource tracker: one per parent process,
    started with the first spawned child and ending with the parent, it is not a Dask process."""
    found = {}
    for p in psutil.Process().children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
        except psutil.Error:
            continue
        if "multiprocessing.resource_tracker" not in cmd:
            found[p.pid] = cmd[:120]
    return found


@pytest.fixture
def no_leftover_processes() -> Iterator[None]:
    """Fail the test if it leaves child processes (Dask workers, nannies) running."""
    before = set(_children())
    yield
    deadline = time.monotonic() + 10.0
    left = {pid: cmd for pid, cmd in _children().items() if pid not in before}
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = {pid: cmd for pid, cmd in _children().items() if pid not in before}
    assert not left, f"processes left behind: {list(left.values())}"


@pytest.fixture
def lab_files(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "lowback-lab").glob("*/imu.csv"))


def load_helper(name: str) -> ModuleType:
    """Import a helper module of this folder (pytest's importlib mode puts no test folder on sys.path).

    The folder goes on ``sys.path``: Dask's local worker processes start with their parent's
    ``sys.path``, so they can import the helpers' functions the runner sends them.
    """
    here = str(Path(__file__).parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module(name)


@pytest.fixture(scope="session")
def helpers() -> ModuleType:
    return load_helper("_batch_helpers")
