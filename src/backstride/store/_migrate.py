"""Alembic, driven from Python: the migrations ship inside the package (``store/migrations``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

from backstride.store._db import database_url, make_engine

_HERE = Path(__file__).resolve().parent


def alembic_config(url: str | None = None, engine: Engine | None = None) -> Config:
    """An Alembic configuration for the packaged migrations against ``url`` (or an existing engine)."""
    cfg = Config(str(_HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    cfg.attributes["url"] = url if url is not None else database_url()
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(url: str | None = None, revision: str = "head", *, engine: Engine | None = None) -> None:
    """Bring the database at ``url`` (default :func:`database_url`) to ``revision`` (default the newest)."""
    command.upgrade(alembic_config(url, engine), revision)


def downgrade(url: str | None = None, revision: str = "base", *, engine: Engine | None = None) -> None:
    """Take the database back to ``revision`` (default: empty)."""
    command.downgrade(alembic_config(url, engine), revision)


def current_revision(url: str | None = None, *, engine: Engine | None = None) -> str | None:
    """The revision the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    eng = engine if engine is not None else make_engine(url)
    try:
        with eng.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if engine is None:
            eng.dispose()


def head_revision() -> str | None:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    """Has the database been migrated to the newest revision?"""
    if "alembic_version" not in inspect(engine).get_table_names():
        return False
    return current_revision(engine=engine) == head_revision()
