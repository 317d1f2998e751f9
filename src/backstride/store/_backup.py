"""A backup of a SQLite clinic while it runs: the database and every uploaded recording, in a new folder.

Copying ``clinic.db`` with ``cp`` while the app writes can catch it half-way (and misses what still waits in
its write-ahead log); the backup here takes SQLite's own online backup, a consistent snapshot however busy
the app is, and only then copies the blob folder: blobs never change once written, and a blob the snapshot
refers to is never deleted (the garbage collector deletes only blobs no row refers to), so every file the
snapshot needs is there to copy. Uploads still waiting for their analysis (``.uploads/``) are copied too; the
app analyses them at its next start. Half-written temporary files are left out.

Everything goes to a hidden folder beside the destination (readable by its owner only, as the backup holds
patients' records), is checked (SQLite's ``integrity_check``, and
every recording the snapshot refers to present with its size), and is renamed into place only then: a
backup that fails leaves nothing behind, and the destination, when it exists, is a whole backup.

A PostgreSQL clinic is backed up with PostgreSQL's own tools (``pg_dump``) and a copy of its blob folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from backstride._errors import InputError
from backstride._words import plain
from backstride.store._db import sqlite_path

#: The database's file name inside a backup folder.
DATABASE_NAME = "clinic.db"
#: The blob folder's name inside a backup folder.
BLOBS_NAME = "blobs"


@dataclass(frozen=True)
class Backup:
    """What a backup holds: its folder, database file and blob folder, and what they count."""

    folder: Path
    database: Path
    blob_dir: Path
    patients: int
    recordings: int
    files: int
    bytes: int

    @property
    def database_url(self) -> str:
        """The URL to serve or inspect the backup with (``--database-url``)."""
        return f"sqlite:///{self.database}"


def backup_sqlite(url: str, blob_dir: Path, dest: Path) -> Backup:
    """Back up the SQLite clinic database at ``url`` and its blob folder ``blob_dir`` into the new folder
    ``dest`` (``dest/clinic.db``, ``dest/blobs/``); see the module's docstring. :class:`InputError` for a
    database that is not SQLite or not there, a ``dest`` that exists, or a recording whose file is missing."""
    source = sqlite_path(url)
    if source is None:
        raise InputError(
            "backstride db backup copies a SQLite clinic database; back up a PostgreSQL one with pg_dump, and "
            f"copy its blob folder ({blob_dir}) beside it"
        )
    if not source.is_file():
        raise InputError(f"no database at {source} (give --database-url)")
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        raise InputError(f"{dest} already exists: give a folder that does not exist yet; nothing was written")
    if not dest.parent.is_dir():
        raise InputError(f"{dest.parent} is not a folder: make it first; nothing was written")
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    try:
        database = work / DATABASE_NAME
        _snapshot(source, database)
        patients, recordings, referenced = _contents(database)
        files, size = _copy_blobs(blob_dir, work / BLOBS_NAME)
        _check_files(work / BLOBS_NAME, referenced)
        os.rename(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Backup(
        folder=dest,
        database=dest / DATABASE_NAME,
        blob_dir=dest / BLOBS_NAME,
        patients=patients,
        recordings=recordings,
        files=files,
        bytes=size,
    )


def _snapshot(source: Path, target: Path) -> None:
    """SQLite's online backup of ``source`` into the new file ``target``: one consistent state, committed
    writes only, taken while other connections go on writing (their write-ahead log included)."""
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30.0)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        try:
            src.backup(dst)
            verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:  # "database disk image is malformed": too damaged to check
            raise InputError(f"could not back up {source}: {plain(str(exc), 200)}") from exc
        # its findings escaped onto one line and cut ("*** in database main ***\\nPage 20: ...")
        if verdict != "ok":
            raise InputError(f"the copy of {source} is damaged ({plain(verdict, 200)}); nothing was written")


def _contents(database: Path) -> tuple[int, int, dict[str, int]]:
    """The backup's numbers of patients and recordings, and the files its recordings refer to (SHA-256 →
    size; identical uploads share one)."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        try:
            patients = db.execute("SELECT count(*) FROM users WHERE role = 'patient'").fetchone()[0]
            rows = db.execute("SELECT sha256, size_bytes FROM recording_files").fetchall()
        except sqlite3.DatabaseError as exc:  # no such table: not a backstride database
            raise InputError(
                f"the database is not a backstride clinic's ({exc}); nothing was written"
            ) from exc
    return int(patients), len(rows), {str(sha): int(size) for sha, size in rows}


def _copy_blobs(blob_dir: Path, target: Path) -> tuple[int, int]:
    """Copy the blob folder (stored recordings, uploads waiting for analysis), leaving out half-written
    temporary files; the number of files and their bytes."""
    if not blob_dir.is_dir():
        target.mkdir()
        return 0, 0
    files = size = 0

    def copy(src: str, dst: str) -> str:
        nonlocal files, size
        shutil.copy2(src, dst)
        files += 1
        size += os.path.getsize(dst)
        return dst

    shutil.copytree(blob_dir, target, ignore=shutil.ignore_patterns("*.tmp"), copy_function=copy)
    return files, size


def _check_files(blob_dir: Path, referenced: dict[str, int]) -> None:
    """Every recording the snapshot refers to has its file in the copy, at its size."""
    missing = [
        sha
        for sha, size in referenced.items()
        if not (blob_dir / sha[:2] / sha).is_file() or (blob_dir / sha[:2] / sha).stat().st_size != size
    ]
    if missing:
        raise InputError(
            f"{len(missing)} recording file(s) the database refers to are missing from the blob folder or "
            f"differ in size (first: {missing[0]}); give the blob folder with --blob-dir; nothing was written"
        )
