"""Alembic environment for backstride's store (online migrations only; the URL comes from the caller)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from backstride.store._db import database_url, make_engine
from backstride.store._models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is not None:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
        return
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or database_url()
    own = make_engine(url)
    try:
        with own.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        own.dispose()


if context.is_offline_mode():
    raise SystemExit("backstride's migrations run online only: use `backstride db upgrade`")
run_migrations_online()
