"""Fixtures for the store tests: every test runs on SQLite (a temporary file) and, when
``BACKSTRIDE_TEST_POSTGRES_URL`` is set, on PostgreSQL too, in a schema of its own that is dropped after.

In CI (``CI=true``) a missing PostgreSQL URL fails the PostgreSQL tests instead of skipping them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from backstride import store


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema (``postgres_url`` in tests/conftest.py)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database with the models' schema (``create_all``, faster than running the migrations;
    ``test_migrations.py`` checks that the migrations make exactly this schema)."""
    eng = store.make_engine(db_url)
    store.Base.metadata.create_all(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def blobs(tmp_path: Path) -> store.BlobStore:
    return store.BlobStore(tmp_path / "blobs")
