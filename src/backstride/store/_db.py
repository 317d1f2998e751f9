"""Where the database lives, how to connect to it, and one-transaction sessions.

SQLite (the default, a file in the user's data folder) and PostgreSQL are both supported. For SQLite the
engine turns on write-ahead logging, foreign keys and a busy timeout, and starts every transaction with
``BEGIN IMMEDIATE`` so that concurrent writers queue for the lock instead of failing half-way; writers of
one process queue on a ``threading.Lock`` first, which is fairer than SQLite's polling busy handler.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from backstride._errors import InputError

ENV_DATABASE_URL = "BACKSTRIDE_DATABASE_URL"
ENV_BLOB_DIR = "BACKSTRIDE_BLOB_DIR"
SQLITE_BUSY_TIMEOUT_S = 30.0
_READONLY_OPTION = "backstride_readonly"


def data_dir() -> Path:
    """The per-user data folder (``platformdirs.user_data_dir("backstride")``)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("backstride"))


def database_url() -> str:
    """The database to use: ``$BACKSTRIDE_DATABASE_URL``, else SQLite in the user's data folder."""
    url = os.environ.get(ENV_DATABASE_URL, "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / 'backstride.db'}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and for in-memory SQLite); a text that is no database
    URL is an :class:`InputError`."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # no URL at all; a URL whose port is no number
        raise InputError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() != "sqlite":
        return None
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def default_blob_dir(url: str | None = None) -> Path:
    """Where recordings are kept: ``$BACKSTRIDE_BLOB_DIR``, else ``blobs/`` next to the SQLite file
    (or in the user's data folder for other databases)."""
    env = os.environ.get(ENV_BLOB_DIR, "").strip()
    if env:
        return Path(env)
    db_file = sqlite_path(url if url is not None else database_url())
    base = db_file.parent if db_file is not None else data_dir()
    return base / "blobs"


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy (not the pysqlite module) emit BEGIN, so SAVEPOINTs and BEGIN IMMEDIATE work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


_LOCK_KEY = "backstride_writer_lock"
_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(key: str) -> threading.Lock:
    """One lock per SQLite file in this process, shared by every engine on it."""
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(key, threading.Lock())


def _release(info: dict[Any, Any]) -> None:
    lock = info.pop(_LOCK_KEY, None)
    if lock is not None:
        lock.release()


def _on_sqlite_reset(_dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
    _release(record.info)


def _on_sqlite_invalidate(_dbapi_connection: Any, record: Any, _exc: Any) -> None:
    _release(record.info)


def _on_sqlite_checkin(dbapi_connection: Any, record: Any) -> None:
    # A read-only transaction switched the connection to query_only; give it back writable.
    _release(record.info)
    if dbapi_connection is None:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA query_only = OFF")
    finally:
        cursor.close()


NUL_REFUSED = (
    "Some of the text holds an invisible control character (NUL, U+0000) that cannot be kept; please take it "
    "out (retype the text rather than paste it) and send the form again."
)


def _nul_in(value: Any) -> bool:
    """Whether a statement's parameter (or one of many: a row's, or many rows') holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_nul_in(v) for v in value)
    return False


def _refuse_nul(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _executemany: bool
) -> None:
    """Refuse (:class:`InputError`) a statement whose text holds a NUL character, on every database alike:
    PostgreSQL can neither keep nor look up one in a text column (a ``DataError``, a server error where a
    form sent one), and SQLite kept it. Its JSON columns hold a NUL escaped, ``\\u0000``, as text."""
    if _nul_in(parameters):
        raise InputError(NUL_REFUSED)


def make_engine(url: str | None = None, *, echo: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default :func:`database_url`).

    SQLite: the parent folder is created, WAL journal, ``foreign_keys=ON``, a 30 s busy timeout and
    ``BEGIN IMMEDIATE`` transactions. PostgreSQL: ``pool_pre_ping`` so a restarted server is survived.
    Extra keyword arguments go to :func:`sqlalchemy.create_engine`.
    """
    url = url if url is not None else database_url()
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise InputError(f"not a database URL: {url!r} ({exc})") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db_file = sqlite_path(url)
        if db_file is not None:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = create_engine(url, echo=echo, connect_args=connect_args, **kwargs)
        event.listen(engine, "before_cursor_execute", _refuse_nul)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "checkin", _on_sqlite_checkin)
        event.listen(engine, "reset", _on_sqlite_reset)
        event.listen(engine, "invalidate", _on_sqlite_invalidate)
        writers = _writer_lock(str(db_file.resolve()) if db_file is not None else f"memory:{id(engine)}")

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            if conn.get_execution_options().get(_READONLY_OPTION, False):
                conn.exec_driver_sql("BEGIN")
                return
            # Writers of this process queue on a lock (fair enough, no polling); other processes are
            # handled by SQLite's busy timeout.
            if writers.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
                conn.info[_LOCK_KEY] = writers
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release(conn.info)
                raise

        event.listen(engine, "commit", lambda conn: _release(conn.info))
        event.listen(engine, "rollback", lambda conn: _release(conn.info))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, echo=echo, **kwargs)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay readable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine, *, readonly: bool = False) -> Iterator[Session]:
    """One transaction: everything done with the yielded session is committed together at the end of the
    ``with`` block, or rolled back together if the block raises.

    ``readonly=True`` is for work that only reads (pages, the sign-in look-up): on SQLite it starts a
    deferred transaction that does not take the write lock, so slow reads (password checks, rendering)
    never hold up writers; on PostgreSQL the transaction is ``READ ONLY``. Writing in it is an error.
    """
    bind = engine.execution_options(**{_READONLY_OPTION: True}) if readonly else engine
    with Session(bind, expire_on_commit=False) as session, session.begin():
        if readonly and engine.dialect.name == "postgresql":
            session.execute(text("SET TRANSACTION READ ONLY"))
        elif readonly and engine.dialect.name == "sqlite":
            session.execute(text("PRAGMA query_only = ON"))
        yield session
