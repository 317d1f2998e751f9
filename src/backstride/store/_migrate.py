"""Alembic, driven from Python: the migrations ship inside the package (``store/migrations``).

Before migrating, the database is looked at without writing to it (a SQLite file is opened read-only): one
that holds another program's tables is refused rather than given backstride's beside them, and so is a
revision this package does not know or one the database is already past (migrations only go forward here).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.engine import make_url

from backstride._errors import InputError
from backstride.store._db import database_url, make_engine, sqlite_path

_HERE = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class DatabaseState:
    """What a database holds, read without writing to it."""

    tables: tuple[str, ...]
    """Its tables, by name."""
    revisions: tuple[str, ...]
    """The revisions in its ``alembic_version`` table (none: never migrated)."""

    @property
    def revision(self) -> str | None:
        return self.revisions[0] if len(self.revisions) == 1 else None


def alembic_config(url: str | None = None, engine: Engine | None = None) -> Config:
    """An Alembic configuration for the packaged migrations against ``url`` (or an existing engine)."""
    cfg = Config(str(_HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    cfg.attributes["url"] = url if url is not None else database_url()
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def upgrade(url: str | None = None, revision: str = "head", *, engine: Engine | None = None) -> None:
    """Bring the database at ``url`` (default :func:`database_url`) to ``revision`` (default the newest).

    Refused, with nothing written (:class:`InputError`): an in-memory SQLite URL (the tables would be gone
    with the connection), a database that is not backstride's (:func:`check_backstride`), and a revision
    the database is already past (use :func:`downgrade` to go back).
    """
    if engine is None:
        url = url if url is not None else database_url()
        state = database_state(url)
    else:
        state = _state(engine)
    if state is not None:
        where = f"the database at {redacted(url) if url is not None else '<engine>'}"
        check_backstride(state, where)
        _refuse_going_back(state, revision, where)
    command.upgrade(alembic_config(url, engine), revision)


def downgrade(url: str | None = None, revision: str = "base", *, engine: Engine | None = None) -> None:
    """Take the database back to ``revision`` (default: empty)."""
    command.downgrade(alembic_config(url, engine), revision)


def current_revision(url: str | None = None, *, engine: Engine | None = None) -> str | None:
    """The revision the database is at (None: never migrated)."""
    eng = engine if engine is not None else make_engine(url)
    try:
        with eng.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if engine is None:
            eng.dispose()


def head_revision() -> str | None:
    """The newest revision the package ships."""
    return _scripts().get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    """Has the database been migrated to the newest revision?"""
    if VERSION_TABLE not in inspect(engine).get_table_names():
        return False
    return current_revision(engine=engine) == head_revision()


def redacted(url: str) -> str:
    """``url`` as it may be shown: without its password."""
    try:
        parsed = make_url(url)
    except Exception:
        return "<database>"
    return url if parsed.password is None else parsed.render_as_string(hide_password=True)


def in_memory(url: str) -> bool:
    """Is ``url`` an in-memory SQLite database (``sqlite://``, ``sqlite:///``, ``:memory:``, ``mode=memory``)?"""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    db = parsed.database or ""
    return db in ("", ":memory:") or "mode=memory" in db or parsed.query.get("mode") == "memory"


def database_state(url: str) -> DatabaseState | None:
    """What the database at ``url`` holds, read without writing anything: a SQLite file is opened read-only
    (no journal mode set, no folder or file made). None when there is no database: a SQLite file that does
    not exist. An in-memory URL is an :class:`InputError` (there is nothing to look at, nor to keep)."""
    try:
        memory = in_memory(url)
    except Exception as exc:
        raise InputError(f"not a database URL: {url!r} ({exc})") from exc
    if memory:
        raise InputError(
            f"{redacted(url)} is an in-memory database, gone when the command ends; give a file "
            "(sqlite:///path/to/backstride.db) or a database server"
        )
    path = sqlite_path(url)
    if path is not None:
        if not path.is_file():
            return None
        target = f"file:{quote(str(path.resolve()))}?mode=ro"
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(target, uri=True))
    else:
        engine = create_engine(url)
    try:
        return _state(engine)
    finally:
        engine.dispose()


def _state(engine: Engine) -> DatabaseState:
    with engine.connect() as conn:
        tables = tuple(sorted(inspect(conn).get_table_names()))
        heads = MigrationContext.configure(conn).get_current_heads() if VERSION_TABLE in tables else ()
    return DatabaseState(tables=tables, revisions=tuple(heads))


def check_backstride(state: DatabaseState, where: str) -> None:
    """Refuse (:class:`InputError`) a database that is not backstride's: one holding tables without a
    revision of backstride's in its ``alembic_version`` table (another program's, such as a Sensor Logger
    export), or at a revision this backstride does not know. An empty database is backstride's to make."""
    others = [t for t in state.tables if t != VERSION_TABLE]
    known = {script.revision for script in _scripts().walk_revisions()}
    unknown = [rev for rev in state.revisions if rev not in known]
    if unknown:
        raise InputError(
            f"{where} is at revision {', '.join(unknown)}, which this backstride does not know (another "
            "program's database, or a newer backstride's); nothing was written"
        )
    if others and not state.revisions:
        shown = ", ".join(others[:8]) + (f" and {len(others) - 8} more" if len(others) > 8 else "")
        raise InputError(
            f"{where} is not a backstride database (it holds the {'table' if len(others) == 1 else 'tables'} "
            f"{shown} and no backstride revision); nothing was written"
        )


def _refuse_going_back(state: DatabaseState, revision: str, where: str) -> None:
    """Refuse to 'upgrade' a database to a revision it is already past (Alembic would silently do nothing)."""
    current = state.revision
    if current is None or revision in ("head", "heads"):
        return
    scripts = _scripts()
    try:
        wanted = scripts.get_revision(revision)
    except Exception:  # not a plain revision: Alembic says what is wrong with it
        return
    if wanted is None or wanted.revision == current:
        return
    if wanted.revision in {script.revision for script in scripts.iterate_revisions(current, "base")}:
        raise InputError(
            f"{where} is at revision {current}, past {wanted.revision}; nothing was changed "
            "(backstride db upgrade only moves forward)"
        )
