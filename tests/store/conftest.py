"""Fixtures for the store tests: every test runs on SQLite (a temporary file) and, when
``BACKSTRIDE_TEST_POSTGRES_URL`` is set, on PostgreSQL too, in a schema of its own that is dropped after.

In CI (``CI=true``) a missing PostgreSQL URL fails the PostgreSQL tests instead of skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from backstride import store

PG_ENV = "BACKSTRIDE_TEST_POSTGRES_URL"


def _postgres_base_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{PG_ENV} is not set in CI: the PostgreSQL store tests must run there")
        pytest.skip(f"{PG_ENV} not set (PostgreSQL tests skipped outside CI)")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema (first on the search path)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = _postgres_base_url()
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
