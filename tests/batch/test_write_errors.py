"""The results folder cannot be written in the middle of a batch (the disk fills, write permission is taken
away, the file system turns read-only): the batch stops with one line and exit 2, every file in the folder
stays whole and readable, and a rerun once the folder can be written again finishes the work."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from backstride._errors import InputError
from backstride.batch import SCHEMAS, BatchRunner, ResultsNotSaved, _store
from backstride.batch._store import LOCK, MANIFEST, ResultsFolder
from backstride.cli import main

TABLES = ("bouts", "days", "recordings", "failures")
FILES = [f"{name}.parquet" for name in TABLES] + [MANIFEST]
"""The results folder's files, in the order a commit replaces them."""


class _FillingFile(io.FileIO):
    """A file on a disk with ``room`` bytes left: the write that does not fit writes what fits, then fails
    with ``err`` (as ``write(2)`` and Python's file objects do on a full disk)."""

    def __init__(self, path: Path, room: int, err: int) -> None:
        super().__init__(path, "wb")
        self.room = room
        self.err = err

    def write(self, data: Any) -> int:
        data = bytes(data)
        if len(data) > self.room:
            super().write(data[: self.room])
            self.room = 0
            raise OSError(self.err, os.strerror(self.err))
        self.room -= len(data)
        return int(super().write(data))


class WriteFails:
    """Make the store's writes of ``target`` (a file of the results folder, ``bouts.parquet``, or several) fail with ``err``: ``at="write"``
    after ``room`` bytes of its temporary file, ``at="open"`` when the temporary file is created, or
    ``at="replace"`` when it is renamed over the old file. Only from the ``after``-th write of that file on
    (0: the first); ``attempts`` counts the writes of ``target`` tried."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        target: str | tuple[str, ...],
        *,
        err: int = errno.ENOSPC,
        at: str = "write",
        room: int = 100,
        after: int = 0,
    ) -> None:
        self.targets = (target,) if isinstance(target, str) else target
        self.err, self.at, self.room, self.after = err, at, room, after
        self.attempts = 0
        real_open = open
        real_replace = os.replace

        def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if "w" in mode and self._mine(Path(file)):
                self.attempts += 1
                if self.attempts > self.after:
                    if self.at == "open":
                        raise OSError(self.err, os.strerror(self.err), str(file))
                    if self.at == "write":
                        return _FillingFile(Path(file), self.room, self.err)
            return real_open(file, mode, *args, **kwargs)

        def fake_replace(src: Any, dst: Any) -> None:
            if self.at == "replace" and self._mine(Path(src)) and self.attempts > self.after:
                raise OSError(self.err, os.strerror(self.err), str(src), None, str(dst))
            real_replace(src, dst)

        monkeypatch.setattr(_store, "open", fake_open, raising=False)
        monkeypatch.setattr(_store.os, "replace", fake_replace)

    def _mine(self, path: Path) -> bool:
        return any(path.name.startswith(f".{target}{_store._TMP_MARK}") for target in self.targets)


def _recording(rid: str, path: str) -> dict[str, Any]:
    row: dict[str, Any] = {name: None for name in SCHEMAS["recordings"].names}
    row.update(
        recording_id=rid, path=path, source=f"/data/{path}", size_bytes=100, sampling_rate_hz=100.0,
        duration_s=3600.0, n_days=1, has_gyroscope=False, total_walking_s=10.0, n_steps=20, n_bouts=2,
        n_bouts_10s=0, n_initial_contacts=20, sensor_height_source="unknown", warnings=[], notes=[],
        chunk_s=3600.0, processing_s=0.5, backstride_version="test", analysed_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    return row


def _bouts(rid: str, path: str, n: int) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {name: [None] * n for name in SCHEMAS["bouts"].names}
    cols.update(
        recording_id=[rid] * n, path=[path] * n, bout_index=list(range(n)), day_index=[1] * n,
        start_s=[10.0 * i for i in range(n)], end_s=[10.0 * i + 5 for i in range(n)], duration_s=[5.0] * n,
        n_steps=[10] * n,
    )  # fmt: skip
    return cols


def _days(rid: str, path: str) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {name: [None] for name in SCHEMAS["days"].names}
    cols.update(
        recording_id=[rid], path=[path], day_index=[1], recorded_s=[3600.0], walking_s=[10.0], n_steps=[20],
        n_bouts=[2], n_bouts_10s=[0],
    )  # fmt: skip
    return cols


def _add(store: ResultsFolder, rid: str) -> None:
    store.add_done(_recording(rid, f"{rid}.csv"), _bouts(rid, f"{rid}.csv", 2), _days(rid, f"{rid}.csv"))


def _contents(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _ids(out: Path, name: str) -> list[str]:
    return sorted(pq.read_table(out / f"{name}.parquet").column("recording_id").to_pylist())


@pytest.mark.parametrize("failing", FILES)
def test_a_full_disk_while_saving_leaves_every_file_whole_and_says_what_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    out = tmp_path / "r"
    store = ResultsFolder(out).open()
    _add(store, "a")
    store.commit(run={"run_id": "r1"}, hash_cache={"/data/a.csv": {"sha256": "a"}})
    before = _contents(out)
    _add(store, "b")
    store.add_failure(
        recording_id="c", path="c.csv", source="/data/c.csv", error_type="InputError", message="x"
    )
    full = WriteFails(monkeypatch, failing)
    with pytest.raises(ResultsNotSaved) as caught:
        store.commit(run={"run_id": "r2"}, hash_cache={"/data/b.csv": {"sha256": "b"}})
    monkeypatch.undo()
    store.close()
    assert full.attempts == 1

    error = caught.value
    assert isinstance(error, InputError) and error.exit_code == 2  # as an --out that cannot be written
    assert error.path == out / failing
    assert error.reason.errno == errno.ENOSPC
    head = f"the disk is full while writing {out / failing} (No space left on device); the batch stops: "
    advice = "; free some space and run the same command again to "
    stage = FILES.index(failing)
    if stage <= FILES.index("recordings.parquet"):  # the record of what is done is as it was
        assert str(error) == (
            f"{head}{out} holds the 1 recording saved before (recordings.parquet), every file whole; the 2 "
            f"files finished since the last save are not saved and are analysed again next time{advice}go on"
        )
    elif failing == "failures.parquet":
        assert str(error) == (
            f"{head}the results are saved (2 recordings in recordings.parquet), every file whole, but "
            f"failures.parquet is not updated{advice}update it"
        )
    else:
        assert str(error) == (
            f"{head}the results are saved (2 recordings in recordings.parquet), every file whole, but "
            f"manifest.json (the run log and the hash cache) is not updated{advice}update it"
        )

    # nothing half written: the file that failed and the tables after it are the old ones, byte for byte,
    # those before it the new ones; no temporary file, no lock is left
    after = _contents(out)
    assert sorted(after) == sorted(FILES)
    for name in FILES[stage:-1]:
        assert after[name] == before[name], name
    for name in FILES[:stage]:
        assert after[name] != before[name], name
    for name in TABLES:
        assert pq.read_table(out / f"{name}.parquet").schema.equals(SCHEMAS[name], check_metadata=False)
    manifest = json.loads((out / MANIFEST).read_text())
    saved = ["a", "b"] if stage > FILES.index("recordings.parquet") else ["a"]
    assert _ids(out, "recordings") == saved
    if failing == MANIFEST:
        assert after[MANIFEST] == before[MANIFEST]
        assert [r["run_id"] for r in manifest["runs"]] == ["r1"]
        assert manifest["hash_cache"] == {"/data/a.csv": {"sha256": "a"}}
    else:
        # the manifest was written once more: the run is logged as stopped, and why, and the manifest counts
        # the tables as they are in the folder now (the new ones before the file that failed, the old after)
        assert [r["run_id"] for r in manifest["runs"]] == ["r1", "r2"]
        ended = manifest["runs"][1]
        assert ended["outcome"] == "failed"
        assert ended["reason"] == f"the disk is full while writing {out / failing} (No space left on device)"
        assert ended["ended_at"] is not None and ended["finished_at"] is None
        for name in TABLES:
            rows = pq.read_metadata(out / f"{name}.parquet").num_rows
            assert manifest["tables"][name]["rows"] == rows, name
        assert manifest["recordings_done"] == len(saved)
        assert manifest["recordings_failed"] == (1 if stage > FILES.index("failures.parquet") else 0)
        assert manifest["hash_cache"] == {"/data/b.csv": {"sha256": "b"}}

    # the folder opens again, and the commit that failed goes through once there is room
    store = ResultsFolder(out).open()
    assert store.done_ids == set(saved)
    _add(store, "b")
    store.add_failure(
        recording_id="c", path="c.csv", source="/data/c.csv", error_type="InputError", message="x"
    )
    store.commit(run={"run_id": "r2"}, hash_cache={"/data/b.csv": {"sha256": "b"}})
    store.close()
    assert _ids(out, "recordings") == ["a", "b"]
    assert _ids(out, "bouts") == ["a", "a", "b", "b"]  # b's bouts once, though they were written before
    assert _ids(out, "days") == ["a", "b"]
    assert _ids(out, "failures") == ["c"]
    manifest = json.loads((out / MANIFEST).read_text())
    assert [r["run_id"] for r in manifest["runs"]] == ["r1", "r2"]
    assert manifest["recordings_done"] == 2


@pytest.mark.parametrize(
    ("err", "at", "why", "advice"),
    [
        (errno.EACCES, "open", "permission to write was denied", "give write permission on {out} back"),
        (errno.EACCES, "replace", "permission to write was denied", "give write permission on {out} back"),
        (errno.EROFS, "open", "the file system is read-only", "make the file system writable again"),
        (errno.EDQUOT, "write", "the disk quota is used up", "free some space (or have the quota raised)"),
        (errno.EIO, "write", "cannot write", "put that right"),
    ],
)
def test_other_write_errors_are_told_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int, at: str, why: str, advice: str
) -> None:
    out = tmp_path / "r"
    store = ResultsFolder(out).open()
    _add(store, "a")
    store.commit(run={"run_id": "r1"}, hash_cache={})
    before = _contents(out)
    _add(store, "b")
    WriteFails(monkeypatch, "days.parquet", err=err, at=at)
    with pytest.raises(ResultsNotSaved) as caught:
        store.commit(run={"run_id": "r2"}, hash_cache={})
    monkeypatch.undo()
    store.close()
    target = out / "days.parquet"
    head = (
        f"cannot write {target} ({os.strerror(err)})"
        if why == "cannot write"
        else f"{why} while writing {target} ({os.strerror(err)})"
    )
    assert str(caught.value) == (
        f"{head}; the batch stops: {out} holds the 1 recording saved before (recordings.parquet), every file "
        f"whole; the file finished since the last save is not saved and is analysed again next time; "
        f"{advice.format(out=out)} and run the same command again to go on"
    )
    after = _contents(out)
    assert sorted(after) == sorted(FILES)  # no temporary file left, whatever failed
    for name in FILES[FILES.index("days.parquet") : -1]:
        assert after[name] == before[name], name
    assert _ids(out, "bouts") == ["a", "a", "b", "b"]  # written before days failed: b is analysed again
    ended = json.loads((out / MANIFEST).read_text())["runs"][-1]
    assert (ended["run_id"], ended["outcome"], ended["reason"]) == ("r2", "failed", head)


def test_when_the_manifest_cannot_be_written_either_the_run_log_is_left_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only file system refuses every file: the run cannot be logged as failed, and the manifest of the
    last save stays, byte for byte (the run's entry there, if any, is its last checkpoint's, ``running``)."""
    out = tmp_path / "r"
    store = ResultsFolder(out).open()
    _add(store, "a")
    store.commit(run={"run_id": "r1", "outcome": "running"}, hash_cache={})
    before = {name: data for name, data in _contents(out).items() if name != LOCK}
    _add(store, "b")
    refused = WriteFails(monkeypatch, ("bouts.parquet", MANIFEST), err=errno.EROFS, at="open")
    with pytest.raises(
        ResultsNotSaved, match=r"^the file system is read-only while writing .*bouts\.parquet"
    ):
        store.commit(run={"run_id": "r1", "outcome": "running"}, hash_cache={})
    monkeypatch.undo()
    store.close()
    assert refused.attempts == 2  # the table, then the manifest that would have logged the run as failed
    assert _contents(out) == before
    assert json.loads((out / MANIFEST).read_text())["runs"] == [{"run_id": "r1", "outcome": "running"}]


def test_a_lock_that_cannot_be_written_is_not_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk can take the lock file's few bytes: the empty lock it left said 'another batch is writing
    (process None on None)' to every later run."""

    def no_room(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_store.json, "dump", no_room)
    with pytest.raises(
        InputError, match=r"cannot write in the results folder .* \(No space left on device\)"
    ):
        ResultsFolder(tmp_path / "new" / "r").open()
    monkeypatch.undo()
    assert sorted(tmp_path.iterdir()) == []  # neither a lock nor the folders made for it
    (tmp_path / "old").mkdir()
    monkeypatch.setattr(_store.json, "dump", no_room)
    with pytest.raises(InputError, match="No space left on device"):
        ResultsFolder(tmp_path / "old").open()
    monkeypatch.undo()
    assert sorted((tmp_path / "old").iterdir()) == []
    ResultsFolder(tmp_path / "old").open().close()  # once there is room, the next run can start


def test_a_lock_that_cannot_be_removed_is_left_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Write permission taken away: the lock cannot be removed either, which must not hide why the batch
    stopped; a later run takes it over (its process is gone by then)."""
    store = ResultsFolder(tmp_path).open()
    real_unlink = Path.unlink

    def denied(self: Path, missing_ok: bool = False) -> None:
        if self.name == LOCK:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        real_unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", denied)
    store.close()  # no PermissionError
    monkeypatch.undo()
    assert (tmp_path / LOCK).is_file()


def _lab(lab_files: list[Path], n: int) -> list[Path]:
    """``n`` lab recordings long enough to be analysed."""
    return [f for f in lab_files if "Test5" in str(f)][:n]


def _check_whole(out: Path) -> int:
    """Every table of ``out`` reads, every recording done has its bouts and its days once and the manifest
    counts what the tables hold (as of a save); returns how many recordings are done."""
    recordings = pq.read_table(out / "recordings.parquet").to_pylist()
    bouts = pq.read_table(out / "bouts.parquet", columns=["recording_id", "bout_index"]).to_pylist()
    days = pq.read_table(out / "days.parquet", columns=["recording_id", "day_index"]).to_pylist()
    pq.read_table(out / "failures.parquet")
    ids = [r["recording_id"] for r in recordings]
    assert len(ids) == len(set(ids))
    for rec in recordings:
        mine = [b["bout_index"] for b in bouts if b["recording_id"] == rec["recording_id"]]
        assert sorted(mine) == list(range(rec["n_bouts"]))
        assert [d["day_index"] for d in days if d["recording_id"] == rec["recording_id"]] == [1]
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["recordings_done"] == len(recordings)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)  # no temporary file, no lock
    return len(recordings)


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_full_disk_at_a_checkpoint_stops_the_batch_and_a_rerun_finishes_it(
    tmp_path: Path, lab_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _lab(lab_files, 3)
    out = tmp_path / "r"
    BatchRunner(out=out, workers=1, progress=False).run(files[:1])
    before = _contents(out)

    full = WriteFails(monkeypatch, "bouts.parquet")  # the disk is full from the first checkpoint on
    runner = BatchRunner(out=out, workers=1, checkpoint_s=0.0, progress=False)
    with pytest.raises(ResultsNotSaved, match=r"^the disk is full while writing .*bouts.parquet"):
        runner.run(files)
    monkeypatch.undo()
    assert full.attempts == 1  # the batch stopped at once: no other save was tried, none half done
    after = _contents(out)
    assert {name: after[name] for name in FILES[:-1]} == {name: before[name] for name in FILES[:-1]}
    assert _check_whole(out) == 1
    # the run is logged as stopped by the full disk, not left 'running' as a killed one
    runs = json.loads((out / MANIFEST).read_text())["runs"]
    assert [r["outcome"] for r in runs] == ["completed", "failed"]
    assert runs[1]["reason"] == (
        f"the disk is full while writing {out / 'bouts.parquet'} (No space left on device)"
    )
    assert runs[1]["ended_at"] is not None and runs[1]["finished_at"] is None
    assert runs[1]["wall_s"] > 0  # the time it ran, not the 0 a checkpoint's entry said

    # the next run resumes from that folder: the file saved before is skipped, the others analysed
    summary = BatchRunner(out=out, workers=1, progress=False).run(files).summary_
    assert (summary.n_skipped, summary.n_analysed, summary.n_failed) == (1, 2, 0)
    assert _check_whole(out) == 3
    runs = json.loads((out / MANIFEST).read_text())["runs"]
    assert [r["outcome"] for r in runs] == ["completed", "failed", "completed"]


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_full_disk_at_the_last_save_keeps_the_earlier_results(
    tmp_path: Path, lab_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _lab(lab_files, 3)
    out = tmp_path / "r"
    BatchRunner(out=out, workers=1, progress=False).run(files[:1])

    WriteFails(monkeypatch, "recordings.parquet", room=0)
    with pytest.raises(ResultsNotSaved) as caught:
        BatchRunner(out=out, workers=1, progress=False).run(files)
    monkeypatch.undo()
    assert "holds the 1 recording saved before" in str(caught.value)
    assert "the 2 files finished since the last save are not saved" in str(caught.value)
    assert _check_whole(out) == 1
    runs = json.loads((out / MANIFEST).read_text())["runs"]
    assert [r["outcome"] for r in runs] == ["completed", "failed"]
    assert len(set(_ids(out, "bouts"))) == 3  # bouts went in before recordings failed: replaced, not doubled

    summary = BatchRunner(out=out, workers=1, progress=False).run(files).summary_
    assert (summary.n_skipped, summary.n_analysed) == (1, 2)
    assert _check_whole(out) == 3


@pytest.mark.usefixtures("no_leftover_processes")
def test_the_command_says_it_in_one_line_and_exits_2(
    tmp_path: Path, lab_files: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(f) for f in _lab(lab_files, 2)]
    out = tmp_path / "r"
    WriteFails(monkeypatch, "manifest.json")
    code = main(["batch", *files, "--out", str(out), "--workers", "1", "--no-progress"])
    monkeypatch.undo()
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == (
        f"backstride: error: the disk is full while writing {out / MANIFEST} (No space left on device); the "
        "batch stops: the results are saved (2 recordings in recordings.parquet), every file whole, but "
        "manifest.json (the run log and the hash cache) is not updated; free some space and run the same "
        "command again to update it\n"
    )
    assert captured.out == ""  # no summary of a run that did not end
    assert not (out / MANIFEST).exists()  # the first save of this folder: there was none before
    assert len(_ids(out, "recordings")) == 2

    assert main(["batch", *files, "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    assert "already done (skipped)" in capsys.readouterr().out
    assert _check_whole(out) == 2


# -- on a real, small file system ----------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (needs root, or a container allowed to mount); the test is skipped without one."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True, check=False
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield disk
    finally:
        _unmount(disk)


def _unmount(disk: Path) -> None:
    """Unmount ``disk``, waiting for the batch's worker processes to let go of it (they may still be exiting:
    "target is busy"), then lazily. A mount left behind kept its folder from being removed, and pytest's
    clean-up of old temporary folders then failed a later test session after every test had passed."""
    deadline = time.monotonic() + 10.0
    while subprocess.run(["umount", str(disk)], capture_output=True, check=False).returncode != 0:
        if time.monotonic() > deadline:
            subprocess.run(["umount", "--lazy", str(disk)], capture_output=True, check=False)
            return
        time.sleep(0.1)


def _fill(disk: Path, name: str = "filler") -> Path:
    """Take every byte left on ``disk``; returns the file that holds them."""
    filler = disk / name
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(bytes(4096))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_real_disk_that_fills_up(
    small_disk: Path, lab_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(f) for f in _lab(lab_files, 3)]
    out = small_disk / "r"
    args = ["--workers", "1", "--no-progress"]
    assert main(["batch", files[0], "--out", str(out), *args]) == 0
    capsys.readouterr()
    before = _contents(out)

    # one page (tmpfs's unit) left: room for the lock, none for the results
    reserve = small_disk / "reserve"
    reserve.write_bytes(bytes(4096))
    _fill(small_disk)
    reserve.unlink()
    assert main(["batch", *files, "--out", str(out), *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(
        f"backstride: error: the disk is full while writing {out / 'bouts.parquet'} (No space left on device); "
        f"the batch stops: {out} holds the 1 recording saved before (recordings.parquet), every file whole; "
        "the 2 files finished since the last save are not saved"
    )
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert _contents(out) == before  # not a byte changed, no temporary file, no lock left

    # not a byte left: a new results folder is refused before any work, and nothing is left of it (an empty
    # lock file was, which said 'another batch is writing' to every later run)
    _fill(small_disk, "filler2")
    other = small_disk / "other"
    assert main(["batch", files[0], "--out", str(other), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("backstride: error: cannot ") and "No space left on device" in err
    assert not other.exists()

    for used in small_disk.glob("filler*"):  # room again: the same commands finish the work
        used.unlink()
    assert main(["batch", *files, "--out", str(out), *args]) == 0
    assert main(["batch", files[0], "--out", str(other), *args]) == 0
    capsys.readouterr()
    assert _check_whole(out) == 3
    assert _check_whole(other) == 1
