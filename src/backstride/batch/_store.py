"""The results folder: four Parquet tables and a manifest, always whole, merged across reruns.

Every file is written to a temporary name in the same folder, flushed and fsync'ed, then renamed over the
old one with :func:`os.replace` (atomic on POSIX and Windows), and the folder itself is fsync'ed. A
batch interrupted at any moment therefore leaves each table either as it was or as it will be, never
half written.

The four tables are replaced one after another, so they are committed in an order that keeps them
consistent under interruption: ``bouts`` and ``days`` first, then ``recordings``, which is the record of
what is done, then ``failures`` and the manifest. A recording counts as done only when its row is in
``recordings.parquet``; if a batch stops after its bouts were written but before its recording row was,
the next run analyses the file again and replaces those bouts (rows are always replaced per
``recording_id``, never appended twice).

A write that fails (the disk is full, write permission was taken away, the file system turned read-only)
leaves the file it was writing as it was and removes its temporary file; :meth:`ResultsFolder.commit` then
writes the manifest once more, for the tables the folder holds now and with the run logged as ``failed``
and why (when the manifest itself could not be written, or cannot be now, it stays as it was, and the run's
entry is that of its last checkpoint, ``running``, as for a killed batch), raises :class:`ResultsNotSaved`,
which says what the folder holds, and the batch stops.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from backstride._errors import InputError
from backstride._words import plural
from backstride.batch._schema import ADDED_COLUMNS, SCHEMA_VERSION, SCHEMAS, TABLE_NAMES

MANIFEST = "manifest.json"
LOCK = ".backstride-batch.lock"
_TMP_MARK = ".tmp-"
#: seconds after which a lock file that names no batch (empty, cut short) is taken for one a dead batch left
_NAMELESS_LOCK_STALE_S = 60.0

#: a commit replaces the tables in this order, the manifest last (see the module's notes)
_TABLE_ORDER = ("bouts", "days", "recordings", "failures")

#: what an error of writing means and what puts it right (the results folder's path goes in ``{out}``)
_WRITE_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free some space"),
    errno.EDQUOT: ("the disk quota is used up", "free some space (or have the quota raised)"),
    errno.EACCES: ("permission to write was denied", "give write permission on {out} back"),
    errno.EPERM: ("permission to write was denied", "give write permission on {out} back"),
    errno.EROFS: ("the file system is read-only", "make the file system writable again"),
}


class ResultsNotSaved(InputError):
    """The results folder could not be written in the middle of a batch: ``path`` is the file that was being
    written, ``reason`` the :class:`OSError` (a full disk, permission taken away, a read-only file system).

    The batch stops. The message says what the folder holds: every file in it is whole (the one being
    written is as it was before), and which results are not saved. Exit code 2, as for a results folder
    that cannot be written at the start.
    """

    def __init__(self, message: str, *, path: Path, reason: OSError) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


def _with_added_columns(table: pa.Table, name: str, version: object) -> pa.Table:
    """A table written by an earlier schema version with the columns added since, as nulls, in place."""
    added = ADDED_COLUMNS.get(version, {}).get(name, ()) if isinstance(version, int) else ()
    schema = SCHEMAS[name]
    # in the schema's order, so each column goes in after every column before it is in place
    for column in sorted(added, key=schema.get_field_index):
        if column not in table.column_names:
            field = schema.field(column)
            table = table.add_column(
                schema.get_field_index(column), field, pa.nulls(table.num_rows, field.type)
            )
    return table


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or file system can fsync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _atomic_file(target: Path) -> Iterator[Any]:
    tmp = target.with_name(f".{target.name}{_TMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        with open(tmp, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        # gone after os.replace; otherwise removed, unless writing there is no longer allowed at all (the
        # next batch in the folder removes it then): the error that stopped the write is the one to tell
        with contextlib.suppress(OSError):
            tmp.unlink()
    _fsync_dir(target.parent)


def write_table_atomic(table: pa.Table, target: Path) -> None:
    """Write ``table`` as Parquet to ``target`` so that readers see the old file or the new, nothing between."""
    with _atomic_file(target) as fh:
        pq.write_table(table, fh, compression="zstd")


def write_json_atomic(data: Any, target: Path) -> None:
    with _atomic_file(target) as fh:
        fh.write((json.dumps(data, indent=1, sort_keys=True, default=str) + "\n").encode("utf-8"))


def _not_in(column: pa.ChunkedArray, values: Iterable[str]) -> pa.ChunkedArray:
    keys = pa.array(sorted(set(values)), type=pa.string())
    return pc.invert(pc.fill_null(pc.is_in(column, value_set=keys), False))


class ResultsFolder:
    """One results folder, opened for a batch: loads what earlier runs wrote, then merges and commits.

    Only one batch may write to a folder at a time; a lock file (with the writer's host and process id)
    guards it and is removed on :meth:`close`. A lock left by a process that no longer runs is taken over.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.tables: dict[str, pa.Table] = {}
        self.manifest: dict[str, Any] = {}
        self._pending: dict[str, list[pa.Table]] = {name: [] for name in TABLE_NAMES}
        self._pending_done: set[str] = set()
        self._pending_failed_sources: set[str] = set()
        self._resolved_sources: set[str] = set()
        self._dropped: set[str] = set()
        self._moved: dict[str, tuple[str, str]] = {}
        self._locked = False
        self._created: list[Path] = []
        self._saved = False
        """Whether this folder holds a save of a batch: found when opened, or committed since."""

    # -- opening -------------------------------------------------------------------------------------
    def open(self) -> ResultsFolder:
        """Create the folder if needed, lock it and load what earlier runs wrote.

        A folder that cannot be created or written is an :class:`InputError` (one line, before any work);
        whatever went wrong, nothing is left behind: no lock, and no folder this call created.
        """
        try:
            self._open()
        except OSError as exc:
            message = self._unusable(exc)  # before close() removes a folder made here, which could be made
            self.close()
            raise InputError(message) from None
        except BaseException:
            self.close()
            raise
        return self

    def _open(self) -> None:
        if self.out.exists() and not self.out.is_dir():
            raise InputError(f"--out {self.out} is a file; give a folder for the results")
        self._created = [p for p in (self.out, *self.out.parents) if not p.exists()]
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock()
        for leftover in self.out.glob(f".*{_TMP_MARK}*"):  # from a batch killed mid-write
            with contextlib.suppress(OSError):
                leftover.unlink()
        manifest_path = self.out / MANIFEST
        self._saved = manifest_path.is_file() or (self.out / "recordings.parquet").is_file()
        if manifest_path.is_file():
            try:
                self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise InputError(
                    f"{manifest_path} is not valid JSON ({exc}); move it away to start afresh"
                ) from exc
            version = self.manifest.get("schema_version")
            if version != SCHEMA_VERSION and version not in ADDED_COLUMNS:
                raise InputError(
                    f"{self.out} holds results in table format {version}, this backstride writes "
                    f"format {SCHEMA_VERSION}; write to a new folder"
                )
        for name in TABLE_NAMES:
            path = self.out / f"{name}.parquet"
            schema = SCHEMAS[name]
            if path.is_file():
                try:
                    table = pq.read_table(path)
                except (OSError, pa.ArrowException) as exc:
                    raise InputError(f"cannot read {path} ({exc}); move it away to start afresh") from exc
                table = _with_added_columns(table, name, self.manifest.get("schema_version"))
                if not table.schema.equals(schema, check_metadata=False):
                    raise InputError(f"{path} does not have the expected columns; write to a new folder")
                self.tables[name] = table.cast(schema)
            else:
                self.tables[name] = schema.empty_table()

    def _unusable(self, exc: OSError) -> str:
        """Why ``--out`` cannot hold the results, in a line (``exc``: what creating or writing it raised)."""
        why = exc.strerror or str(exc)
        if self.out.is_dir():
            what = "write in"
        else:
            what = "create"
            blocking = next((p for p in self.out.parents if p.exists() and not p.is_dir()), None)
            if blocking is not None:
                why = f"{blocking} is a file"
        return f"cannot {what} the results folder {self.out} ({why}); give --out a folder that can be written"

    def _lock(self) -> None:
        path = self.out / LOCK
        me = {"host": socket.gethostname(), "pid": os.getpid()}
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    mtime = path.stat().st_mtime
                except FileNotFoundError:  # released meanwhile
                    continue
                try:
                    other = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):  # unreadable, not text, cut short
                    other = {}
                pid = other.get("pid") if isinstance(other, dict) else None
                if not isinstance(pid, int) or isinstance(pid, bool):
                    # a lock that names no batch: a batch writes its name the instant after making the file,
                    # so one still without it a while later was left by a batch that died there (a crash)
                    if time.time() - mtime > _NAMELESS_LOCK_STALE_S:
                        with contextlib.suppress(FileNotFoundError):
                            path.unlink()
                        continue
                    raise InputError(
                        f"{path} names no batch; if no batch is writing to {self.out}, delete it"
                    ) from None
                if other.get("host") == me["host"] and not _pid_alive(pid):
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                    continue
                raise InputError(
                    f"another batch is writing to {self.out} (process {other.get('pid')} on "
                    f"{other.get('host')}); wait for it, or delete {path} if it is gone"
                ) from None
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(me, fh)
            except BaseException:
                # a lock left empty or half written (a full disk) would keep out every later batch, which
                # cannot tell whose it is
                with contextlib.suppress(OSError):
                    path.unlink()
                raise
            self._locked = True
            return
        raise InputError(f"cannot lock {self.out}")

    def close(self) -> None:
        """Release the lock; remove the folders :meth:`open` created if nothing was written in them."""
        if self._locked:
            # OSError: write permission taken away; the lock stays, and the next batch takes it over (its
            # process is gone by then)
            with contextlib.suppress(OSError):
                (self.out / LOCK).unlink()
            self._locked = False
        for folder in self._created:  # deepest first
            with contextlib.suppress(OSError):  # not empty (results were written), or already gone
                folder.rmdir()
        self._created = []

    # -- what is there ------------------------------------------------------------------------------
    @property
    def done_ids(self) -> set[str]:
        return {str(v) for v in self.tables["recordings"].column("recording_id").to_pylist()}

    def hours_of(self, recording_id: str) -> float:
        table = self.tables["recordings"]
        mask = pc.equal(table.column("recording_id"), recording_id)
        durations = table.filter(mask).column("duration_s").to_pylist()
        return float(durations[0]) / 3600.0 if durations else 0.0

    def ids_by_source(self) -> dict[str, set[str]]:
        """The recordings done, by the file (``source``) they were read from."""
        table = self.tables["recordings"]
        found: dict[str, set[str]] = {}
        for source, rid in zip(
            table.column("source").to_pylist(), table.column("recording_id").to_pylist(), strict=True
        ):
            found.setdefault(str(source), set()).add(str(rid))
        return found

    @property
    def hash_cache(self) -> dict[str, dict[str, Any]]:
        cache = self.manifest.get("hash_cache", {})
        return cache if isinstance(cache, dict) else {}

    # -- adding and committing ----------------------------------------------------------------------
    def add_done(
        self, recording: dict[str, Any], bouts: dict[str, list[Any]], days: dict[str, list[Any]]
    ) -> None:
        self._pending["recordings"].append(pa.Table.from_pylist([recording], schema=SCHEMAS["recordings"]))
        self._pending["bouts"].append(pa.Table.from_pydict(bouts, schema=SCHEMAS["bouts"]))
        self._pending["days"].append(pa.Table.from_pydict(days, schema=SCHEMAS["days"]))
        self._pending_done.add(str(recording["recording_id"]))

    def add_failure(
        self, *, recording_id: str | None, path: str, source: str, error_type: str, message: str
    ) -> None:
        row = {
            "recording_id": recording_id,
            "path": path,
            "source": source,
            "error_type": error_type,
            "message": message,
            "failed_at": dt.datetime.now(dt.UTC),
        }
        self._pending["failures"].append(pa.Table.from_pylist([row], schema=SCHEMAS["failures"]))
        self._pending_failed_sources.add(source)

    def mark_resolved(self, source: str) -> None:
        """``source`` needs no failure row any more (its content is done, e.g. it was repaired to a copy)."""
        self._resolved_sources.add(source)

    def drop(self, recording_id: str) -> None:
        """Remove the rows of a recording done earlier (its file has other content now) at the next commit,
        with the rows added until then."""
        self._dropped.add(recording_id)

    def move(self, recording_id: str, *, path: str, source: str) -> None:
        """Give the rows of a recording done earlier the file that holds its content now, at the next commit
        (its own file has other content now, another file this one's)."""
        self._moved[recording_id] = (path, source)

    @property
    def has_pending(self) -> bool:
        return any(self._pending.values()) or bool(self._dropped or self._moved)

    def commit(self, *, run: dict[str, Any], hash_cache: dict[str, dict[str, Any]]) -> None:
        """Merge pending rows into the tables and write everything atomically (see the module's notes).

        A write that fails raises :class:`ResultsNotSaved`; the folder then holds every file whole, the
        tables written before the failing one new, the others as they were. This object stays as it was
        before the call (its pending rows included), so a commit tried again merges the same rows again.
        """
        done = self._pending_done
        # A failed file that now succeeded, or failed again, loses its old failure rows.
        fail_sources = self._pending_failed_sources
        # A file changed in place loses the rows of its earlier content, in the same commit as its new ones.
        replaced = done | self._dropped
        tables = dict(self.tables)
        for name in ("bouts", "days", "recordings"):
            base = tables[name]
            if replaced:
                base = base.filter(_not_in(base.column("recording_id"), replaced))
            for rid, where in self._moved.items():
                base = _moved(base, rid, *where)
            tables[name] = pa.concat_tables([base, *self._pending[name]]).combine_chunks()
        failures = tables["failures"]
        all_done = {str(v) for v in tables["recordings"].column("recording_id").to_pylist()}
        if all_done:
            failures = failures.filter(_not_in(failures.column("recording_id"), all_done))
        gone = fail_sources | set(self._pending_sources("recordings")) | self._resolved_sources
        if gone:
            failures = failures.filter(_not_in(failures.column("source"), gone))
        tables["failures"] = pa.concat_tables([failures, *self._pending["failures"]]).combine_chunks()

        manifest = self._manifest(tables, run, hash_cache)
        written: list[str] = []
        target = self.out
        try:
            for name in _TABLE_ORDER:
                target = self.out / f"{name}.parquet"
                write_table_atomic(tables[name], target)
                written.append(name)
            target = self.out / MANIFEST
            write_json_atomic(manifest, target)
        except OSError as exc:
            on_disk = {name: tables[name] if name in written else self.tables[name] for name in TABLE_NAMES}
            logged = target.name != MANIFEST and self._log_failed(exc, target, on_disk, run, hash_cache)
            raise self._not_saved(
                exc, target, saved="recordings" in written, tables=tables, logged=logged
            ) from exc
        self.tables = tables
        self.manifest = manifest
        self._saved = True
        self._pending = {name: [] for name in TABLE_NAMES}
        self._pending_done = set()
        self._pending_failed_sources = set()
        self._resolved_sources = set()
        self._dropped = set()
        self._moved = {}

    def _manifest(
        self, tables: dict[str, pa.Table], run: dict[str, Any], hash_cache: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        """The manifest of a folder holding ``tables``, with ``run`` as this run's entry of the run log."""
        runs = [r for r in self.manifest.get("runs", []) if r.get("run_id") != run.get("run_id")]
        return {
            "format": "backstride batch results",
            "schema_version": SCHEMA_VERSION,
            "backstride_version": run.get("backstride_version"),
            "updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": {
                name: {"file": f"{name}.parquet", "rows": tables[name].num_rows} for name in TABLE_NAMES
            },
            "recordings_done": tables["recordings"].num_rows,
            "recordings_failed": tables["failures"].num_rows,
            "runs": [*runs, run][-100:],
            "hash_cache": hash_cache,
        }

    def _log_failed(
        self,
        exc: OSError,
        target: Path,
        on_disk: dict[str, pa.Table],
        run: dict[str, Any],
        hash_cache: dict[str, dict[str, Any]],
    ) -> bool:
        """After a table's write failed: write the manifest once more, for the tables the folder holds now
        (``on_disk``), with the run logged as ended, ``outcome`` ``failed`` and the error's first words as
        ``reason``, so that the run log tells a batch stopped by an unwritable folder from one killed
        (whose entry stays ``running``). Whether it could be written (a disk full for a table may still
        have room for the manifest; a read-only one has not): if not, the manifest is left as it was."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        ended = {**run, "outcome": "failed", "reason": _write_error_head(exc, target), "ended_at": now}
        ended["finished_at"] = None
        try:
            write_json_atomic(self._manifest(on_disk, ended, hash_cache), self.out / MANIFEST)
        except OSError:
            return False
        return True

    def _not_saved(
        self, exc: OSError, target: Path, *, saved: bool, tables: dict[str, pa.Table], logged: bool = False
    ) -> ResultsNotSaved:
        """The error of a commit whose write of ``target`` failed with ``exc``, in words that say what the
        folder holds now; ``saved``: ``recordings.parquet`` was written (the results of this commit are in);
        ``logged``: the manifest was written afterwards, with the run logged as failed."""
        fix = _WRITE_ERRORS.get(exc.errno or 0, ("", "put that right"))[1]
        head = _write_error_head(exc, target)
        if not saved:
            before = self.tables["recordings"].num_rows
            kept = (
                f"{self.out} holds the {plural(before, 'recording')} saved before (recordings.parquet)"
                if before
                else f"{self.out} holds no recording saved before"
            )
            unsaved = len(self._pending_done) + len(self._pending["failures"])
            since = "since the last save" if self._saved else "so far"
            if unsaved == 0:
                lost = f"nothing finished {since} is lost"
            elif unsaved == 1:
                lost = f"the file finished {since} is not saved and is analysed again next time"
            else:
                lost = f"the {unsaved} files finished {since} are not saved and are analysed again next time"
            state, goal = f"{kept}, every file whole; {lost}", "go on"
        else:
            n = plural(tables["recordings"].num_rows, "recording")
            if target.name == MANIFEST:
                rest, goal = "manifest.json (the run log and the hash cache) is not updated", "update it"
            elif logged:
                rest, goal = "failures.parquet is not updated", "update it"
            else:
                rest, goal = "failures.parquet and manifest.json are not updated", "update them"
            state = f"the results are saved ({n} in recordings.parquet), every file whole, but {rest}"
        advice = f"{fix.format(out=self.out)} and run the same command again to {goal}"
        return ResultsNotSaved(f"{head}; the batch stops: {state}; {advice}", path=target, reason=exc)

    def _pending_sources(self, name: str) -> list[str]:
        return [str(s) for t in self._pending[name] for s in t.column("source").to_pylist()]


def _write_error_head(exc: OSError, target: Path) -> str:
    """What went wrong writing ``target``, in a few words: ``the disk is full while writing ... (...)``."""
    why = _WRITE_ERRORS.get(exc.errno or 0, ("", ""))[0]
    detail = exc.strerror or str(exc)
    return f"{why} while writing {target} ({detail})" if why else f"cannot write {target} ({detail})"


def _moved(table: pa.Table, recording_id: str, path: str, source: str) -> pa.Table:
    """``table`` with the ``path`` (and ``source``, where there is one) of a recording's rows replaced."""
    mine = pc.fill_null(pc.equal(table.column("recording_id"), recording_id), False)
    for column, value in (("path", path), ("source", source)):
        if column in table.column_names:
            index = table.column_names.index(column)
            new = pc.if_else(mine, pa.scalar(value, pa.string()), table.column(column))
            table = table.set_column(index, table.schema.field(index), new)
    return table


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
