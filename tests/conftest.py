"""Shared fixtures. Real reference recordings are read from ../shared/data (never copied here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks._shared import find_shared_data

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = find_shared_data()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real reference recordings; the data-driven tests need it."""
    if not (SHARED_DATA / "lowback-lab").is_dir():
        pytest.fail(f"reference data not found at {SHARED_DATA} (set BACKSTRIDE_SHARED_DATA)")
    return SHARED_DATA
