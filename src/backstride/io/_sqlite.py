"""The tables of an SQLite database read as arrays, for exports that hold one table per sensor.

Sensor Logger's SQLite export is one such database: its tables are named after the sensors, as the files of
its ZIP export are (awesome-sensor-logger's ``README.md``, "SQLite": ``SELECT * FROM Accelerometer``). The
columns wanted are selected by name, whatever their order or declared type (SQLite stores each value with its
own type: an integer, a real, text or NULL), and fetched batch by batch as numbers, so a long table is read in
bounded memory and only as far as it is used. The database is opened read-only and never changed
(``mode=ro``); a damaged or cut-off file ends in one message, wherever the damage is found.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from backstride._errors import InputError
from backstride.io._damage import damage_of, shown
from backstride.io._raw import float_rows
from backstride.recording import FloatArray

MAGIC = b"SQLite format 3\x00"
# what a damaged database raises: sqlite3's own errors, and UnicodeDecodeError where a name or a text that
# should be UTF-8 is not (sqlite3 decodes a table's name from sqlite_master itself)
DAMAGE_ERRORS = (sqlite3.DatabaseError, UnicodeDecodeError)
BATCH_ROWS = 1 << 16  # rows fetched at a time: about 11 minutes of a sensor at 100 Hz


def is_sqlite(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _damaged(path: Path, what: str, exc: Exception) -> InputError:
    return InputError(
        f"{path.name} is a damaged SQLite database: {shown(what)} cannot be read ({damage_of(exc)})"
    )


def table_names(path: Path) -> list[str]:
    """The database's tables, in the order they were made."""
    try:
        with contextlib.closing(_connect(path)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall()
    except DAMAGE_ERRORS as exc:
        raise InputError(f"{path.name} is a damaged SQLite database ({damage_of(exc)})") from exc
    return [str(name) for (name,) in rows]


def column_names(path: Path, table: str) -> list[str]:
    """The names of ``table``'s columns, in their order."""
    try:
        with contextlib.closing(_connect(path)) as db:
            cursor = db.execute(f"SELECT * FROM {_quoted(table)} LIMIT 0")
            return [str(column[0]) for column in cursor.description]
    except DAMAGE_ERRORS as exc:
        raise _damaged(path, table, exc) from exc


def first_row(path: Path, table: str) -> dict[str, object]:
    """``table``'s first row, ``{column: value}`` (empty when it has no rows)."""
    try:
        with contextlib.closing(_connect(path)) as db:
            cursor = db.execute(f"SELECT * FROM {_quoted(table)} LIMIT 1")
            row = cursor.fetchone()
            names = [str(column[0]) for column in cursor.description]
    except DAMAGE_ERRORS as exc:
        raise _damaged(path, table, exc) from exc
    return dict(zip(names, row, strict=True)) if row is not None else {}


def numeric_batches(
    path: Path, table: str, columns: Sequence[str], label: str, batch_rows: int = BATCH_ROWS
) -> Iterator[FloatArray]:
    """``columns`` of ``table`` as ``(rows, len(columns))`` float arrays, ``batch_rows`` rows at a time, in the
    table's order. A NULL or an empty text is a missing value (NaN), as an empty cell of a CSV is; text that
    is a number is read as that number; anything else ends in an :class:`InputError` naming ``label``.

    Values are fetched as the batches are used: a reader that needs only the start of a long table (the
    check of an upload) reads no further."""
    query = f"SELECT {', '.join(map(_quoted, columns))} FROM {_quoted(table)}"
    try:
        with contextlib.closing(_connect(path)) as db:
            cursor = db.execute(query)
            while rows := cursor.fetchmany(batch_rows):
                yield float_rows(rows, label)
    except DAMAGE_ERRORS as exc:
        raise _damaged(path, table, exc) from exc
