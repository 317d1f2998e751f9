"""Shared fixtures. Real reference recordings are read from ../shared/data (never copied here)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


PG_ENV = "BACKSTRIDE_TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a fresh PostgreSQL schema (first on the search path), dropped after the test.

    Needs ``BACKSTRIDE_TEST_POSTGRES_URL`` (``.ci/run`` sets it): skipped without it, failed in CI (``CI=true``).
    """
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from backstride import store

    base = os.environ.get(PG_ENV, "").strip()
    if not base:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{PG_ENV} is not set in CI: the PostgreSQL tests must run there")
        pytest.skip(f"{PG_ENV} not set (PostgreSQL tests skipped outside CI)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = store.make_engine(base, poolclass=None)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Put the process in a POSIX time zone ("UTC0", "CET-1": no time-zone database needed) for the test."""

    def put(tz: str) -> None:
        monkeypatch.setenv("TZ", tz)
        time.tzset()

    yield put
    monkeypatch.undo()
    time.tzset()
