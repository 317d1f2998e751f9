"""Alembic environment for backstride's store (online migrations only; the URL comes from the caller)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from alembic import context
from sqlalchemy import Connection

from backstride.store._db import database_url, make_engine
from backstride.store._models import Base

config = context.config
target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
    """Run the migrations in one transaction and commit it; on SQLite with foreign keys off meanwhile."""
    with _sqlite_keys_off(connection) if connection.dialect.name == "sqlite" else contextlib.nullcontext():
        try:
            _run(connection)
            connection.commit()
        except BaseException:
            connection.rollback()  # before the keys go on again: SQLite ignores the switch inside a transaction
            raise


def _run(connection: Connection) -> None:
    """Run the migrations. On SQLite, whose foreign keys are off meanwhile (see :func:`_sqlite_keys_off`), the
    rows are checked before the commit: one left pointing at nothing rolls everything back."""
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                tables = sorted({str(row[0]) for row in broken})
                raise RuntimeError(
                    f"the migration left {len(broken)} row(s) of {', '.join(tables)} pointing at nothing; "
                    "nothing was changed"
                )


@contextlib.contextmanager
def _sqlite_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys off while a migration runs, on again after it.

    Alembic's batch mode alters a SQLite table by copying it, dropping the original and renaming the copy; with
    foreign keys on, dropping a table first deletes every row pointing at it (``ON DELETE CASCADE``), so taking
    a column off ``recording_files`` deleted every gait analysis. The switch only works outside a transaction,
    so it goes to the driver before SQLAlchemy begins one and after it commits (the store's connections leave
    BEGIN to SQLAlchemy)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is not None:
        with engine.connect() as connection:
            _migrate(connection)
        return
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or database_url()
    own = make_engine(url)
    try:
        with own.connect() as connection:
            _migrate(connection)
    finally:
        own.dispose()


if context.is_offline_mode():
    raise SystemExit("backstride's migrations run online only: use `backstride db upgrade`")
run_migrations_online()
