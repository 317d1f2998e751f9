"""The results folder: atomic writes, merging across runs, one writer at a time, schema checks."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backstride._errors import InputError
from backstride.batch import SCHEMAS, write_table_atomic
from backstride.batch._schema import ADDED_COLUMNS
from backstride.batch._store import LOCK, ResultsFolder


def _recording(rid: str, path: str, walking: float = 10.0) -> dict[str, Any]:
    return {
        "recording_id": rid,
        "path": path,
        "source": f"/data/{path}",
        "size_bytes": 100,
        "format": "csv",
        "start_time": None,
        "sampling_rate_hz": 100.0,
        "duration_s": 3600.0,
        "n_days": 1,
        "has_gyroscope": True,
        "total_walking_s": walking,
        "n_steps": 20,
        "n_bouts": 1,
        "longest_bout_s": walking,
        "n_bouts_10s": 1,
        "median_cadence_spm": 100.0,
        "median_walking_speed_mps": 1.1,
        "median_stride_length_m": 1.3,
        "median_trunk_lean_deg": 4.0,
        "p90_walking_speed_mps": 1.1,
        "n_initial_contacts": 20,
        "height_m": 1.7,
        "sensor_height_m": None,
        "sensor_height_source": "from body height",
        "age": None,
        "sex": None,
        "warnings": [],
        "notes": ["resampled"],
        "chunk_s": 3600.0,
        "processing_s": 0.5,
        "backstride_version": "test",
        "analysed_at": dt.datetime.now(dt.UTC),
    }


def _bouts(rid: str, path: str, n: int) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {name: [None] * n for name in SCHEMAS["bouts"].names}
    cols.update(
        recording_id=[rid] * n,
        path=[path] * n,
        bout_index=list(range(n)),
        day_index=[1] * n,
        start_s=[10.0 * i for i in range(n)],
        end_s=[10.0 * i + 5 for i in range(n)],
        duration_s=[5.0] * n,
        n_steps=[10] * n,
    )
    return cols


def _days(rid: str, path: str) -> dict[str, list[Any]]:
    return {
        "recording_id": [rid],
        "path": [path],
        "day_index": [1],
        "date": [None],
        "recorded_s": [3600.0],
        "walking_s": [10.0],
        "n_steps": [20],
        "n_bouts": [1],
        "n_bouts_10s": [1],
        "median_cadence_spm": [100.0],
        "median_walking_speed_mps": [1.1],
        "p90_walking_speed_mps": [1.1],
    }


def test_atomic_write_keeps_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "t.parquet"
    write_table_atomic(pa.table({"x": [1, 2, 3]}), target)

    def broken(table: pa.Table, where: Any, **kw: Any) -> None:
        where.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        write_table_atomic(pa.table({"x": [9]}), target)
    monkeypatch.undo()
    assert pq.read_table(target).column("x").to_pylist() == [1, 2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]  # no temporary file left


def test_merge_replaces_rows_per_recording_and_clears_fixed_failures(tmp_path: Path) -> None:
    run = {"run_id": "r1"}
    store = ResultsFolder(tmp_path).open()
    store.add_done(_recording("a", "a.csv"), _bouts("a", "a.csv", 3), _days("a", "a.csv"))
    store.add_failure(
        recording_id="b", path="b.csv", source="/data/b.csv", error_type="InputError", message="bad"
    )
    store.commit(run=run, hash_cache={})
    store.close()
    assert pq.read_table(tmp_path / "bouts.parquet").num_rows == 3
    assert pq.read_table(tmp_path / "failures.parquet").column("message").to_pylist() == ["bad"]

    store = ResultsFolder(tmp_path).open()
    assert store.done_ids == {"a"}
    # 'a' analysed again (e.g. after an interrupted run) must replace, not duplicate, its rows
    store.add_done(_recording("a", "a.csv", walking=20.0), _bouts("a", "a.csv", 2), _days("a", "a.csv"))
    store.add_done(_recording("b", "b.csv"), _bouts("b", "b.csv", 1), _days("b", "b.csv"))
    store.commit(run={"run_id": "r2"}, hash_cache={"x": {"sha256": "b"}})
    store.close()

    bouts = pq.read_table(tmp_path / "bouts.parquet")
    assert sorted(bouts.column("recording_id").to_pylist()) == ["a", "a", "b"]
    recs = pq.read_table(tmp_path / "recordings.parquet").to_pylist()
    assert {r["recording_id"]: r["total_walking_s"] for r in recs} == {"a": 20.0, "b": 10.0}
    assert pq.read_table(tmp_path / "failures.parquet").num_rows == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["tables"]["bouts"]["rows"] == 3
    assert [r["run_id"] for r in manifest["runs"]] == ["r1", "r2"]
    assert manifest["hash_cache"] == {"x": {"sha256": "b"}}
    assert not (tmp_path / LOCK).exists()


def test_rows_of_earlier_content_are_dropped_or_moved_with_the_next_commit(tmp_path: Path) -> None:
    store = ResultsFolder(tmp_path).open()
    for rid, path in (("a", "a.csv"), ("b", "b.csv")):
        store.add_done(_recording(rid, path), _bouts(rid, path, 2), _days(rid, path))
    store.commit(run={"run_id": "r1"}, hash_cache={})
    assert store.ids_by_source() == {"/data/a.csv": {"a"}, "/data/b.csv": {"b"}}

    store.drop("a")  # a.csv changed: its new content comes in the same commit
    store.add_done(_recording("a2", "a.csv"), _bouts("a2", "a.csv", 1), _days("a2", "a.csv"))
    store.move("b", path="sub/copy.csv", source="/data/sub/copy.csv")  # b.csv changed, a copy holds b
    assert store.has_pending
    store.commit(run={"run_id": "r2"}, hash_cache={})
    store.close()
    recs = pq.read_table(tmp_path / "recordings.parquet").to_pylist()
    assert sorted((r["recording_id"], r["path"], r["source"]) for r in recs) == [
        ("a2", "a.csv", "/data/a.csv"),
        ("b", "sub/copy.csv", "/data/sub/copy.csv"),
    ]
    for name, per_recording in (("bouts", {"a2": 1, "b": 2}), ("days", {"a2": 1, "b": 1})):
        rows = pq.read_table(tmp_path / f"{name}.parquet").to_pylist()
        assert sorted((r["recording_id"], r["path"]) for r in rows) == sorted(
            (rid, "a.csv" if rid == "a2" else "sub/copy.csv")
            for rid, n in per_recording.items()
            for _ in range(n)
        )


def test_a_second_writer_is_refused_and_a_stale_lock_taken_over(tmp_path: Path) -> None:
    first = ResultsFolder(tmp_path).open()
    with pytest.raises(InputError, match="another batch is writing"):
        ResultsFolder(tmp_path).open()
    first.close()
    # a lock from a process that is gone
    (tmp_path / LOCK).write_text(json.dumps({"host": os.uname().nodename, "pid": 2**22 + 12345}))
    ResultsFolder(tmp_path).open().close()


@pytest.mark.parametrize("content", ["", '{"host": "h', '{"host": "h", "pid": "12"}', "[]", "\udcff"])
def test_a_lock_naming_no_batch_is_refused_while_new_and_taken_over_once_old(
    tmp_path: Path, content: str
) -> None:
    """A lock a crash left empty or cut short said 'another batch is writing (process None on None)' to every
    later run for ever (and one whose pid was not a number was a traceback). While it is new it may be a batch's
    that has not yet written its name: refused, saying so; a minute on it is taken over."""
    lock = tmp_path / LOCK
    lock.write_text(content, errors="surrogateescape")  # the last: a byte that is not UTF-8
    with pytest.raises(InputError, match=r"\.backstride-batch\.lock names no batch; if no batch is writing"):
        ResultsFolder(tmp_path).open()
    assert lock.read_text(errors="surrogateescape") == content  # left as it was
    old = time.time() - 61
    os.utime(lock, (old, old))
    folder = ResultsFolder(tmp_path).open()
    assert json.loads(lock.read_text())["pid"] == os.getpid()
    folder.close()
    assert not lock.exists()


def test_a_folder_of_another_table_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"schema_version": 999}))
    with pytest.raises(InputError, match="new folder"):
        ResultsFolder(tmp_path).open()
    assert not (tmp_path / LOCK).exists()  # a folder refused is left as it was found


def test_a_folder_that_cannot_be_created_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(InputError, match=r"cannot create the results folder .*a.txt is a file"):
        ResultsFolder(tmp_path / "a.txt" / "out").open()
    with pytest.raises(InputError, match="not valid JSON"):  # refused: its lock goes, its files stay
        (tmp_path / "m").mkdir()
        (tmp_path / "m" / "manifest.json").write_text("{")
        ResultsFolder(tmp_path / "m").open()
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["manifest.json"]
    store = ResultsFolder(tmp_path / "new" / "deeper").open()
    assert (tmp_path / "new" / "deeper" / LOCK).is_file()
    store.close()  # nothing was written: the folders it made go again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "m"]


def test_a_table_with_other_columns_is_refused(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": [1]}), tmp_path / "bouts.parquet")
    with pytest.raises(InputError, match="expected columns"):
        ResultsFolder(tmp_path).open()


def test_out_must_not_be_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        ResultsFolder(tmp_path / "f").open()


def test_folder_recordings_hash_over_their_files(tmp_path: Path) -> None:
    from backstride.batch._worker import sha256_file

    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"1,2,3\n")
    (folder / "b.csv").write_bytes(b"4,5,6\n")
    first = sha256_file(str(folder), "export")
    assert first.recording_id is not None and first.size_bytes == 12
    assert first.mtime_ns is None and first.ctime_ns is None  # a folder's times do not follow its files
    one = sha256_file(str(folder / "a.csv"), "a.csv")
    st = (folder / "a.csv").stat()
    assert (one.size_bytes, one.mtime_ns, one.ctime_ns) == (6, st.st_mtime_ns, st.st_ctime_ns)
    (folder / "b.csv").write_bytes(b"4,5,7\n")
    assert sha256_file(str(folder), "export").recording_id != first.recording_id
    missing = sha256_file(str(tmp_path / "nope.csv"), "nope.csv")
    assert missing.recording_id is None and missing.error_type == "InputError"
    assert "cannot read" in (missing.message or "")


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5])
def test_a_folder_of_an_earlier_table_format_gets_the_new_columns_when_a_batch_resumes(
    tmp_path: Path, version: int
) -> None:
    """Format 2 added recordings.device, format 3 the pelvis's ranges (bouts) and their medians
    (recordings), format 4 recordings.read_options, format 5 the left and right steps' means (bouts) and
    their medians (recordings), format 6 how many strides the pelvis's ranges rest on (bouts and recordings):
    an earlier folder is read with those columns empty, not refused."""
    added = ADDED_COLUMNS[version]
    recordings, bouts = added.get("recordings", ()), added.get("bouts", ())
    assert ("read_options" in recordings) == (version < 4)
    assert ({"median_step_length_left_m", "median_step_length_right_m"} <= set(recordings)) == (version < 5)
    assert ({"step_length_left_m", "step_length_right_m"} <= set(bouts)) == (version < 5)
    assert ("median_pelvis_rotation_deg" in recordings) == (version < 3)
    assert ("pelvis_rotation_deg" in bouts) == (version < 3)
    assert ("device" in recordings) == (version == 1)
    assert "pelvis_strides" in bouts and "n_pelvis_strides" in recordings

    def older(name: str) -> pa.Schema:
        schema = SCHEMAS[name]
        for column in added.get(name, ()):
            schema = schema.remove(schema.get_field_index(column))
        return schema

    old = older("recordings")
    row = {f.name: [None] for f in old}
    row.update(
        recording_id=["r1"], path=["a.csv"], source=["/data/a.csv"], size_bytes=[10], sampling_rate_hz=[100.0],
        duration_s=[60.0], n_days=[1], has_gyroscope=[False], total_walking_s=[0.0], n_steps=[0], n_bouts=[0],
        n_bouts_10s=[0], n_initial_contacts=[0], warnings=[[]], notes=[[]], chunk_s=[3600.0], processing_s=[0.1],
        backstride_version=["0.1.0"], analysed_at=[dt.datetime(2026, 11, 1, tzinfo=dt.UTC)],
    )  # fmt: skip
    pq.write_table(pa.table(row, schema=old), tmp_path / "recordings.parquet")
    old_bouts = older("bouts")
    bout = {f.name: [None] for f in old_bouts}
    bout.update(
        recording_id=["r1"], path=["a.csv"], bout_index=[0], day_index=[1], start_s=[1.0], end_s=[20.0],
        duration_s=[19.0], n_steps=[30], cadence_spm=[95.0],
    )  # fmt: skip
    pq.write_table(pa.table(bout, schema=old_bouts), tmp_path / "bouts.parquet")
    (tmp_path / "manifest.json").write_text(json.dumps({"schema_version": version}))
    folder = ResultsFolder(tmp_path).open()
    try:
        for name in ("recordings", "bouts"):
            table = folder.tables[name]
            assert table.schema.equals(SCHEMAS[name], check_metadata=False)
            for column in added.get(name, ()):
                assert table.column(column).to_pylist() == [None]
        assert folder.tables["recordings"].column("recording_id").to_pylist() == ["r1"]
        assert folder.tables["bouts"].column("cadence_spm").to_pylist() == [95.0]
        assert folder.done_ids == {"r1"}
    finally:
        folder.close()
