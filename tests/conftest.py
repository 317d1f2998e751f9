"""Shared fixtures. Real reference recordings are read from ../shared/data (never copied here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("BACKSTRIDE_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real reference recordings; the data-driven tests need it."""
    if not (SHARED_DATA / "lowback-lab").is_dir():
        pytest.fail(f"reference data not found at {SHARED_DATA} (set BACKSTRIDE_SHARED_DATA)")
    return SHARED_DATA
