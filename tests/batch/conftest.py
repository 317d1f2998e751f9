"""Fixtures of the batch tests: small recordings built from ../shared/data, a study folder with damaged
recordings among other files, and a check that no Dask process outlives a test."""

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


_PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
def study(tmp_path: Path, shared_data: Path) -> Path:
    """A study folder as people leave them: recordings (one of them cut short, one a picture saved under a
    recording's name, one empty) among participant files, notes and pictures: ``tmp_path / "study"``."""
    folder = tmp_path / "study"
    gt3x = (shared_data / "devices" / "actigraph_gt3x" / "pygt3x_neo.gt3x").read_bytes()
    files: dict[str, bytes] = {
        "p1/imu.csv": b"time_s,acc_x,acc_y,acc_z\n0.00,0,0,9.8\n0.01,0,0,9.8\n",
        "p1/meta.json": b'{"height_m": 1.72}\n',
        "p2/participant2.gt3x": gt3x[:3000],  # a download cut short
        "p3/picture.csv": _PNG,  # a picture saved under a recording's name
        "p4/export.zip": gt3x[:4000],  # a ZIP cut short: a recording by its content, though not by its name
        "empty.cwa": b"",
        "README.md": b"# the study\n",
        "notes.txt": b"p2 wore it upside down\n",
        "todo.txt": b"",
        "photo.png": _PNG,
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
    }
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder
