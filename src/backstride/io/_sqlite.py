"""The tables of an SQLite database as CSV files, for exports that hold one table per sensor.

Sensor Logger's SQLite export is one such database: its tables are named after the sensors, as the files of
its ZIP export are (awesome-sensor-logger's ``README.md``, "SQLite": ``SELECT * FROM Accelerometer``). Each
table wanted is written, row batch by row batch, as a CSV with its column names as the header into a
temporary folder, and the export is then read as its folder of CSVs would be: the columns are found by
name, as in the files, whatever their order or type in the database. The database is opened read-only and
never changed (``mode=ro``; a damaged or cut-off file ends in one message).
"""

from __future__ import annotations

import contextlib
import csv
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from backstride._errors import InputError

MAGIC = b"SQLite format 3\x00"
_BATCH = 10_000  # rows fetched at a time


def is_sqlite(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def table_names(path: Path) -> list[str]:
    """The database's tables, in the order they were made."""
    try:
        with contextlib.closing(_connect(path)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path.name} is a damaged SQLite database ({exc})") from exc
    return [str(name) for (name,) in rows]


@contextlib.contextmanager
def tables_as_csv(path: Path, tables: dict[str, str], limit: int | None = None) -> Iterator[dict[str, Path]]:
    """The database's ``tables`` (``{table: file name}``) as CSV files in a temporary folder:
    ``{file name: path}``. With ``limit``, about that many characters of each (the start of a long one)."""
    with tempfile.TemporaryDirectory(prefix="backstride-") as tmp:
        files: dict[str, Path] = {}
        table = "its list of tables"
        try:
            with contextlib.closing(_connect(path)) as db:
                for i, (table, name) in enumerate(tables.items()):
                    target = Path(tmp) / str(i) / name
                    target.parent.mkdir()
                    cursor = db.execute(f'SELECT * FROM "{table.replace(chr(34), chr(34) * 2)}"')
                    with target.open("w", encoding="utf-8", newline="") as sink:
                        writer = csv.writer(sink, lineterminator="\n")
                        writer.writerow([column[0] for column in cursor.description])
                        while rows := cursor.fetchmany(_BATCH):
                            writer.writerows(rows)
                            if limit is not None and sink.tell() >= limit:
                                break
                    files[name] = target
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{path.name} is a damaged SQLite database: {table} cannot be read ({exc})"
            ) from exc
        yield files
