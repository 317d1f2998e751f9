"""Shared fixtures. Real reference recordings are read from ../shared/data (never copied here)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from benchmarks._shared import find_shared_data

if TYPE_CHECKING:
    from tests.web.conftest import Clinic

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = find_shared_data()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real reference recordings; the data-driven tests need it."""
    if not (SHARED_DATA / "lowback-lab").is_dir():
        pytest.fail(f"reference data not found at {SHARED_DATA} (set BACKSTRIDE_SHARED_DATA)")
    return SHARED_DATA


@contextmanager
def clinic_db(clinic_or_url: Clinic | str, *, readonly: bool = False) -> Iterator[Any]:
    """A session of a test database in a transaction of its own (committed at the end unless ``readonly``),
    its engine disposed afterwards: the one way the tests open and close a clinic's database.

    ``clinic_or_url`` is the web tests' ``Clinic`` (its ``url`` is used) or a database URL, e.g. a demo's
    ``database_url`` or a CLI test's SQLite file. Each call makes an engine of its own, so a test that wants
    several transactions in turn opens one ``with clinic_db(...)`` per transaction.
    """
    from backstride import store

    url = clinic_or_url if isinstance(clinic_or_url, str) else clinic_or_url.url
    engine = store.make_engine(url)
    try:
        with store.transaction(engine, readonly=readonly) as s:
            yield s
    finally:
        engine.dispose()


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
