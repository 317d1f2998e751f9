"""The batch runner end to end on a local Dask cluster: results, failures, resume, an existing scheduler."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from backstride._errors import InputError
from backstride.batch import BatchRunner
from backstride.batch._worker import subject_from_sidecar
from backstride.gait import WalkingBout, analyze_stream
from backstride.io import MIN_DURATION_S, iter_chunks


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(out: Path, name: str) -> list[dict[str, Any]]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


@pytest.mark.usefixtures("no_leftover_processes")
def test_local_cluster_end_to_end(tmp_path: Path, shared_data: Path, lab_files: list[Path]) -> None:
    out = tmp_path / "results"
    runner = BatchRunner(out=out, workers=2, chunk_s=30.0, progress=False).run([shared_data / "lowback-lab"])
    s = runner.summary_
    assert s.n_files == len(lab_files) and s.n_skipped == 0
    assert s.n_workers == 2
    assert len(s.worker_peak_rss_bytes) >= 1
    assert all(v > 10e6 for v in s.worker_peak_rss_bytes.values())

    recordings = {r["recording_id"]: r for r in _rows(out, "recordings")}
    failures = {r["recording_id"]: r for r in _rows(out, "failures")}
    bouts = _rows(out, "bouts")
    days = _rows(out, "days")
    total_h = 0.0
    n_short = 0
    for f in lab_files:
        rid = _sha256(f)
        subject = subject_from_sidecar(str(f))
        assert subject["height_m"] == json.loads((f.parent / "meta.json").read_text())["height_m"]
        rel = f.relative_to(shared_data / "lowback-lab").as_posix()
        n_rows = f.read_text().count("\n") - 1
        if n_rows / 100.0 < MIN_DURATION_S:  # too short for the reader: a failure, with the reason
            n_short += 1
            assert rid not in recordings
            assert failures[rid]["path"] == rel
            assert failures[rid]["error_type"] == "InputError"
            assert f"at least {MIN_DURATION_S:g} s" in failures[rid]["message"]
            continue
        rec = recordings[rid]
        assert rec["path"] == rel
        assert rec["source"] == str(f.resolve())
        assert rec["size_bytes"] == f.stat().st_size
        assert rec["format"] == "csv"
        # the same engine run here, in this process, gives the same rows
        expected = analyze_stream(iter_chunks(f, chunk_s=30.0), **subject)
        mine = sorted((b for b in bouts if b["recording_id"] == rid), key=lambda b: b["bout_index"])
        assert [
            WalkingBout(**{k: b[k] for k in WalkingBout.field_names()}) for b in mine
        ] == expected.walking_bouts
        assert rec["n_bouts"] == expected.summary.n_bouts == len(mine)
        assert rec["n_steps"] == expected.summary.n_steps
        assert rec["total_walking_s"] == pytest.approx(expected.summary.total_walking_s)
        assert rec["median_walking_speed_mps"] == expected.summary.median_walking_speed_mps
        assert rec["n_initial_contacts"] == len(expected.initial_contacts)
        assert rec["duration_s"] == pytest.approx(expected.recording.duration_s)
        assert rec["height_m"] == subject["height_m"]
        assert rec["backstride_version"] == expected.backstride_version
        (day,) = [d for d in days if d["recording_id"] == rid]  # minutes long: one day
        assert day["day_index"] == 1
        assert day["n_bouts"] == rec["n_bouts"]
        assert day["n_steps"] == rec["n_steps"]
        assert day["walking_s"] == pytest.approx(rec["total_walking_s"])
        assert day["recorded_s"] == pytest.approx(rec["duration_s"])
        total_h += rec["duration_s"] / 3600
    assert (s.n_analysed, s.n_failed) == (len(lab_files) - n_short, n_short)
    assert len(failures) == n_short
    assert len(recordings) == s.n_analysed
    assert sum(r["n_bouts"] for r in recordings.values()) == len(bouts) == s.n_bouts > 0
    assert s.recording_hours == pytest.approx(total_h)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["recordings_done"] == s.n_analysed
    assert manifest["tables"]["bouts"]["rows"] == len(bouts)
    assert manifest["runs"][-1]["analysed"] == s.n_analysed
    last = manifest["runs"][-1]
    assert last["outcome"] == "completed" and last["finished_at"] == last["ended_at"] is not None
    assert sorted(p.name for p in out.iterdir()) == [
        "bouts.parquet",
        "days.parquet",
        "failures.parquet",
        "manifest.json",
        "recordings.parquet",
    ]


@pytest.mark.usefixtures("no_leftover_processes")
def test_failures_are_recorded_and_a_rerun_skips_done_and_retries_failed(
    tmp_path: Path, lab_files: list[Path]
) -> None:
    from dask.distributed import LocalCluster

    data = tmp_path / "data"
    good = [f for f in lab_files if "HA-001-Test5" in str(f)]
    assert len(good) == 2
    for f in good:
        dest = data / f.parent.name / "imu.csv"
        dest.parent.mkdir(parents=True)
        shutil.copyfile(f, dest)
    broken = data / "broken" / "imu.csv"
    broken.parent.mkdir()
    broken.write_text("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0.0,1,2,3,4,5,6\n0.01,1,oops,3,4,5,6\n")
    out = tmp_path / "results"

    first = BatchRunner(out=out, workers=1, progress=False).run([data]).summary_
    assert (first.n_analysed, first.n_failed) == (2, 1)
    (failure,) = _rows(out, "failures")
    assert failure["path"] == "broken/imu.csv"
    assert failure["recording_id"] == _sha256(broken)
    assert failure["error_type"] == "InputError"
    assert failure["message"] == first.failures[0].message
    assert "oops" in failure["message"] or "line" in failure["message"]
    assert len(_rows(out, "recordings")) == 2
    bouts_before = _rows(out, "bouts")

    # Rerun unchanged, this time on an existing scheduler (--scheduler): the two done files are skipped
    # (by content hash), the broken one is tried again and its failure replaced, not duplicated.
    # (the scheduler's HTTP routes on a random port: another cluster, or another test run, may hold Dask's 8787)
    web = {"dashboard_address": "127.0.0.1:0"}
    with LocalCluster(
        n_workers=1, threads_per_worker=1, dashboard_address=None, processes=True, scheduler_kwargs=web
    ) as cluster:
        second = (
            BatchRunner(out=out, scheduler=cluster.scheduler_address, progress=False).run([data]).summary_
        )
    assert (second.n_skipped, second.n_analysed, second.n_failed) == (2, 0, 1)
    assert len(_rows(out, "failures")) == 1
    assert _rows(out, "bouts") == bouts_before

    # The file is repaired (new content, new hash): it is analysed and its failure row goes.
    shutil.copyfile(good[0], broken)
    (broken.parent / "meta.json").write_text('{"height_m": 1.80}')
    third = BatchRunner(out=out, workers=1, progress=False).run([data]).summary_
    # same content as good[0], other participant file: content decides, so it is not analysed twice
    assert (third.n_skipped + third.n_duplicates, third.n_analysed, third.n_failed) == (3, 0, 0)
    assert _rows(out, "failures") == []
    assert len(_rows(out, "recordings")) == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert [r["analysed"] for r in manifest["runs"]] == [2, 0, 0]
    assert [r["scheduler"] for r in manifest["runs"]][1].startswith("tcp://")


@pytest.mark.usefixtures("no_leftover_processes")
def test_an_unexpected_exception_is_recorded_not_raised(
    tmp_path: Path, lab_files: list[Path], helpers: Any
) -> None:
    runner = BatchRunner(out=tmp_path / "r", workers=1, progress=False, analyzer=helpers.buggy_engine)
    s = runner.run(lab_files[:2]).summary_
    assert (s.n_analysed, s.n_failed) == (0, 2)
    rows = _rows(tmp_path / "r", "failures")
    assert {r["error_type"] for r in rows} == {"ZeroDivisionError"}
    assert all(r["message"].startswith("unexpected error: float division by zero") for r in rows)


@pytest.mark.usefixtures("no_leftover_processes")
def test_every_failed_file_is_listed_even_when_another_has_the_same_content(
    tmp_path: Path, lab_files: list[Path]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("empty.cwa", "empty.gt3x", "also-empty.csv"):
        (data / name).write_bytes(b"")
    (good,) = [f for f in lab_files if "MS-001-Test5" in str(f)]
    shutil.copyfile(good, data / "a.csv")
    shutil.copyfile(good, data / "b.csv")  # a copy that did succeed stands for its twin, as before

    s = BatchRunner(out=tmp_path / "r", workers=1, progress=False).run([data]).summary_
    assert (s.n_files, s.n_analysed, s.n_duplicates, s.n_failed) == (5, 1, 1, 3)
    failures = {r["path"]: r for r in _rows(tmp_path / "r", "failures")}
    empty = hashlib.sha256(b"").hexdigest()
    assert {p: (r["recording_id"], r["message"]) for p, r in failures.items()} == {
        "also-empty.csv": (empty, "also-empty.csv is empty"),
        "empty.cwa": (empty, "empty.cwa is empty"),
        "empty.gt3x": (empty, "empty.gt3x is empty"),
    }
    assert sorted(f.path for f in s.failures) == sorted(failures)
    (done,) = _rows(tmp_path / "r", "recordings")
    assert done["path"] in ("a.csv", "b.csv")


def _short_lab_files(lab_files: list[Path]) -> list[Path]:
    return [f for f in lab_files if "Test5" in str(f)]


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_file_changed_in_place_replaces_its_earlier_rows(tmp_path: Path, lab_files: list[Path]) -> None:
    first, second, third = _short_lab_files(lab_files)[:3]
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(first, data / "a.csv")
    shutil.copyfile(second, data / "b.csv")
    out = tmp_path / "r"
    run = BatchRunner(out=out, workers=1, chunk_s=30.0, progress=False).run
    assert run([data]).summary_.n_analysed == 2
    old_a = _sha256(data / "a.csv")

    shutil.copyfile(third, data / "a.csv")  # the same place, other content (a re-export, a fixed file)
    s = run([data]).summary_
    new_a = _sha256(data / "a.csv")
    recordings = {r["path"]: r for r in _rows(out, "recordings")}
    assert sorted((r["path"], r["recording_id"]) for r in _rows(out, "recordings")) == [
        ("a.csv", new_a),
        ("b.csv", _sha256(second)),
    ]
    assert (s.n_analysed, s.n_skipped, s.n_changed, s.n_failed) == (1, 1, 1, 0)
    expected = analyze_stream(iter_chunks(data / "a.csv", chunk_s=30.0))
    assert recordings["a.csv"]["n_steps"] == expected.summary.n_steps > 0
    for name in ("bouts", "days"):
        ids = {r["recording_id"] for r in _rows(out, name)}
        assert old_a not in ids and new_a in ids
    assert len([b for b in _rows(out, "bouts") if b["path"] == "a.csv"]) == expected.summary.n_bouts
    manifest = json.loads((out / "manifest.json").read_text())
    assert [r["changed"] for r in manifest["runs"][-1:]] == [1]
    assert manifest["recordings_done"] == 2

    # changed again, into a file that cannot be read: its failure replaces its results
    (data / "a.csv").write_text("time_s,acc_x,acc_y,acc_z\n0.0,1,2,3\n")
    s = run([data]).summary_
    assert (s.n_analysed, s.n_skipped, s.n_changed, s.n_failed) == (0, 1, 1, 1)
    assert [r["path"] for r in _rows(out, "recordings")] == ["b.csv"]
    assert {r["recording_id"] for r in _rows(out, "bouts")} == {_sha256(second)}
    assert [(r["path"], r["recording_id"]) for r in _rows(out, "failures")] == [
        ("a.csv", _sha256(data / "a.csv"))
    ]

    # unchanged since: nothing is replaced again
    s = run([data]).summary_
    assert (s.n_skipped, s.n_changed, s.n_failed) == (1, 0, 1)


@pytest.mark.usefixtures("no_leftover_processes")
def test_rows_of_a_changed_file_go_to_a_file_that_still_holds_that_content(
    tmp_path: Path, lab_files: list[Path]
) -> None:
    first, second = _short_lab_files(lab_files)[:2]
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(first, data / "a.csv")
    out = tmp_path / "r"
    run = BatchRunner(out=out, workers=1, progress=False).run
    run([data])
    shutil.copyfile(first, data / "copy.csv")  # the earlier content, still there under another name
    shutil.copyfile(second, data / "a.csv")
    s = run([data]).summary_
    recordings = {r["path"]: r for r in _rows(out, "recordings")}
    assert sorted((r["path"], r["recording_id"]) for r in _rows(out, "recordings")) == [
        ("a.csv", _sha256(second)),
        ("copy.csv", _sha256(first)),
    ]
    assert s.n_changed == 1 and s.n_failed == 0
    assert recordings["copy.csv"]["source"] == str((data / "copy.csv").resolve())
    paths = {(b["recording_id"], b["path"]) for b in _rows(out, "bouts")}
    assert paths == {(_sha256(second), "a.csv"), (_sha256(first), "copy.csv")}


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_worker_that_dies_is_a_worker_error_for_its_file_and_its_twins(
    tmp_path: Path, lab_files: list[Path], helpers: Any
) -> None:
    import dask

    data = tmp_path / "data"
    data.mkdir()
    (first,) = _short_lab_files(lab_files)[:1]
    shutil.copyfile(first, data / "die.csv")
    shutil.copyfile(first, data / "die-too.csv")  # the same bytes: the same fate, no second worker lost
    runner = BatchRunner(out=tmp_path / "r", workers=1, progress=False, chunker=helpers.dying_reader)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # no retry on another worker
        s = runner.run([data]).summary_
    assert (s.n_analysed, s.n_failed, s.n_duplicates) == (0, 2, 0)
    failures = {r["path"]: r for r in _rows(tmp_path / "r", "failures")}
    assert sorted(failures) == ["die-too.csv", "die.csv"]
    for row in failures.values():
        assert row["error_type"] == "WorkerError"
        assert row["recording_id"] == _sha256(first)
        # one line in words, not Dask's five sentences (task key, worker address, a link)
        assert row["message"] == (
            "the worker analysing it died (out of memory or killed) once; the file was not analysed"
        )
    assert {(f.path, f.error_type, f.message) for f in s.failures} == {
        (p, r["error_type"], r["message"]) for p, r in failures.items()
    }
    assert _rows(tmp_path / "r", "recordings") == []


def test_a_worker_failure_is_said_in_one_line() -> None:
    """Dask's KilledWorker says, in five sentences, which task (a key no one knows), on how many workers, the
    last worker's address and where to read more; the failure row says what happened to the file."""
    from types import SimpleNamespace

    from distributed import KilledWorker

    from backstride.batch._runner import worker_failure

    died = KilledWorker("sha256_file-0f3c", SimpleNamespace(address="tcp://10.0.0.7:4100"), 2)
    assert "different workers" in str(died)  # Dask's own words, as the row carried them
    assert worker_failure(died, "hash") == (
        "the worker hashing it died (out of memory or killed) 3 times; the file was not analysed"
    )
    assert worker_failure(died, "analyze") == (
        "the worker analysing it died (out of memory or killed) 3 times; the file was not analysed"
    )
    # anything else the task's future raises keeps its type and words: it is not known what happened
    assert worker_failure(OSError("connection reset"), "analyze") == (
        "the worker running it failed: OSError: connection reset"
    )


def _same_size_other_content(path: Path) -> None:
    """Rewrite the CSV recording ``path`` in place with the same size and the same modification time but other
    content: each row keeps its time and takes the sensor values of the row half the recording later
    (the walking moves in time; every byte count stays), then the modification time is set back, as
    ``touch -d`` or a copy tool that keeps time stamps does."""
    before = path.stat()
    header, *rows = path.read_text().splitlines()
    times = [r.split(",", 1)[0] for r in rows]
    values = [r.split(",", 1)[1] for r in rows]
    half = len(rows) // 2
    values = values[half:] + values[:half]
    path.write_text("\n".join([header, *(f"{t},{v}" for t, v in zip(times, values, strict=True))]) + "\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ctime_ns != before.st_ctime_ns  # what no one can set back


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_file_changed_with_the_same_size_and_modification_time_is_analysed_again(
    tmp_path: Path, lab_files: list[Path]
) -> None:
    first, second = _short_lab_files(lab_files)[:2]
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(first, data / "a.csv")
    shutil.copyfile(second, data / "b.csv")
    out = tmp_path / "r"
    run = BatchRunner(out=out, workers=1, chunk_s=30.0, progress=False).run
    assert run([data]).summary_.n_analysed == 2
    old_a = _sha256(data / "a.csv")
    old_bouts = [b["start_s"] for b in _rows(out, "bouts") if b["recording_id"] == old_a]

    _same_size_other_content(data / "a.csv")
    new_a = _sha256(data / "a.csv")
    assert new_a != old_a
    s = run([data]).summary_
    assert (s.n_analysed, s.n_skipped, s.n_changed, s.n_failed) == (1, 1, 1, 0)
    assert sorted((r["path"], r["recording_id"]) for r in _rows(out, "recordings")) == [
        ("a.csv", new_a),
        ("b.csv", _sha256(second)),
    ]
    expected = analyze_stream(iter_chunks(data / "a.csv", chunk_s=30.0))
    (row,) = [r for r in _rows(out, "recordings") if r["path"] == "a.csv"]
    assert row["n_steps"] == expected.summary.n_steps > 0
    new_bouts = sorted(b["start_s"] for b in _rows(out, "bouts") if b["recording_id"] == new_a)
    assert new_bouts == [b.start_s for b in expected.walking_bouts]
    assert new_bouts != sorted(old_bouts)  # the walking moved: these are the new content's bouts
    for name in ("bouts", "days"):
        assert old_a not in {r["recording_id"] for r in _rows(out, name)}
    cache = json.loads((out / "manifest.json").read_text())["hash_cache"]
    st = (data / "a.csv").stat()
    assert cache[str((data / "a.csv").resolve())] == {
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "sha256": new_a,
    }

    s = run([data]).summary_  # unchanged since: both files are taken from the cache and skipped
    assert (s.n_analysed, s.n_skipped, s.n_changed) == (0, 2, 0)


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_hash_cache_without_change_times_is_not_trusted_but_hashed_again(
    tmp_path: Path, lab_files: list[Path]
) -> None:
    """A results folder from before the cache kept change times: its entries are hashed again once (the
    content decides, so nothing is analysed again) and come back with their change times."""
    (first,) = _short_lab_files(lab_files)[:1]
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(first, data / "a.csv")
    out = tmp_path / "r"
    run = BatchRunner(out=out, workers=1, progress=False).run
    run([data])
    manifest = json.loads((out / "manifest.json").read_text())
    source = str((data / "a.csv").resolve())
    entry = manifest["hash_cache"][source]
    # as an older backstride wrote it; a wrong hash shows whether the entry is trusted
    manifest["hash_cache"][source] = {
        "size": entry["size"],
        "mtime_ns": entry["mtime_ns"],
        "sha256": "0" * 64,
    }
    (out / "manifest.json").write_text(json.dumps(manifest))

    s = run([data]).summary_
    assert (s.n_analysed, s.n_skipped, s.n_changed, s.n_failed) == (0, 1, 0, 0)
    assert json.loads((out / "manifest.json").read_text())["hash_cache"][source] == entry
    assert [r["recording_id"] for r in _rows(out, "recordings")] == [_sha256(data / "a.csv")]


@pytest.mark.usefixtures("no_leftover_processes")
def test_the_hash_cache_drops_files_that_are_gone_and_keeps_those_on_a_share_that_is_away(
    tmp_path: Path,
) -> None:
    """An entry goes when its file is gone from a folder that is still there; it stays when its folder is
    missing or empty (a network share not mounted just now) and when its file is merely not named by this
    run (a study run in parts)."""
    files = {
        "study/a.csv": "deleted",
        "study/b.csv": "still there, not in the second run",
        "share/p1/c.csv": "on a share that is away (its folder missing)",
        "mnt/d.csv": "on a share mounted at mnt, away (the mount point left empty)",
        "other/f.csv": "the second run's",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(
            f"not a recording: {text}\n"
        )  # fails fast; hashed and cached all the same
    source = {rel: str((tmp_path / rel).resolve()) for rel in files}
    out = tmp_path / "r"
    run = BatchRunner(out=out, workers=1, progress=False).run

    def cache() -> dict[str, Any]:
        return dict(json.loads((out / "manifest.json").read_text())["hash_cache"])

    run([tmp_path / rel for rel in files if rel != "other/f.csv"])
    first = cache()
    assert sorted(first) == sorted(source[rel] for rel in files if rel != "other/f.csv")
    # a wrong hash shows, later, whether the entry of the share's file was kept and trusted
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["hash_cache"][source["share/p1/c.csv"]]["sha256"] = "c" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))

    (tmp_path / "study/a.csv").unlink()
    (tmp_path / "share").rename(tmp_path / "share-away")
    (tmp_path / "mnt/d.csv").rename(tmp_path / "d-away.csv")
    run([tmp_path / "other/f.csv"])
    second = cache()
    assert sorted(second) == sorted(source[rel] for rel in files if rel != "study/a.csv")
    for rel in ("study/b.csv", "mnt/d.csv"):
        assert second[source[rel]] == first[source[rel]]
    assert second[source["share/p1/c.csv"]]["sha256"] == "c" * 64

    # the share is back: its file is taken from the cache, not read again
    (tmp_path / "share-away").rename(tmp_path / "share")
    s = run([tmp_path / "share/p1/c.csv"]).summary_
    assert s.n_failed == 1
    (failure,) = [f for f in _rows(out, "failures") if f["source"] == source["share/p1/c.csv"]]
    assert failure["recording_id"] == "c" * 64
    assert source["share/p1/c.csv"] in cache()


def test_only_a_file_missing_from_a_folder_that_holds_something_is_gone_for_good(tmp_path: Path) -> None:
    """Only a file missing from a folder that holds something is gone for good; a path that cannot be looked
    at (a folder in its place is not a file's folder) is kept."""
    from backstride.batch._runner import vanished

    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "here.csv").write_text("x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "a-file").write_text("x")
    paths = {
        "here": tmp_path / "full" / "here.csv",
        "gone": tmp_path / "full" / "gone.csv",
        "gone too": tmp_path / "full" / "gone2.csv",
        "in an empty folder": tmp_path / "empty" / "x.csv",
        "in a missing folder": tmp_path / "missing" / "x.csv",
        "under a file": tmp_path / "a-file" / "x.csv",  # NotADirectoryError: not told, kept
    }
    found = vanished(str(p) for p in paths.values())
    assert found == {str(paths["gone"]), str(paths["gone too"])}


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_scheduler_lost_mid_run_stops_the_batch_and_fails_no_file(
    tmp_path: Path, helpers: Any, monkeypatch: pytest.MonkeyPatch, dask_log: list[str]
) -> None:
    """The scheduler goes away while files are being analysed: their tasks come back cancelled. Each file was
    recorded as failed ('WorkerError: FutureCancelledError ... scheduler-connection-lost') and the run
    ended 'completed'; now the batch stops with one error, what was finished is saved, and the run log
    says it ended on an error, and why."""
    from dask.distributed import LocalCluster

    from backstride.batch import _runner

    data = tmp_path / "data"
    data.mkdir()
    for name in ("fail.csv", "slow1.csv", "slow2.csv"):
        (data / name).write_text(f"not a recording: {name}\n")
    out = tmp_path / "r"
    # the scheduler's HTTP routes on a random port: another cluster may hold Dask's 8787
    web = {"dashboard_address": "127.0.0.1:0"}
    with LocalCluster(
        n_workers=1, threads_per_worker=1, dashboard_address=None, processes=True, scheduler_kwargs=web
    ) as cluster:
        on_outcome = _runner._Run._on_outcome

        def then_lose_the_scheduler(run: Any, outcome: Any) -> None:
            on_outcome(run, outcome)
            cluster.close()  # the first file is done, the others still running or waiting

        monkeypatch.setattr(_runner._Run, "_on_outcome", then_lose_the_scheduler)
        runner = BatchRunner(
            out=out,
            scheduler=cluster.scheduler_address,
            progress=False,
            chunker=helpers.failing_or_slow_reader,
            connect_timeout_s=5.0,
        )
        dask_log.clear()  # what the test's own cluster said while it started
        with pytest.raises(InputError) as caught:
            runner.run([data])
        # the error is the one thing said (the command prints it): Dask's client logged that it failed to
        # reconnect before it, at times with a traceback
        assert dask_log == []
    address = cluster.scheduler_address
    assert str(caught.value) == (
        f"lost the Dask scheduler at {address} (scheduler-connection-lost); the batch stops: the files "
        f"finished so far are saved in {out}; run the same command again to go on"
    )
    (failure,) = _rows(out, "failures")  # the file that was finished, and no other
    assert failure["path"] == "fail.csv" and failure["message"].startswith("unexpected error: not read")
    (run,) = json.loads((out / "manifest.json").read_text())["runs"]
    assert (run["outcome"], run["failed"], run["finished_at"]) == ("error", 1, None)
    assert run["reason"] == str(caught.value)


@pytest.fixture
def dask_log() -> Iterator[list[str]]:
    """What Dask logs in this process (``distributed`` and below) at WARNING or above, as its handler on stderr
    writes it (a test's own in-process scheduler says more, at INFO, as it accepts the batch's client).

    Dask's handler writes to the ``sys.stderr`` of the moment ``distributed`` was imported, which under pytest
    is an earlier test's capture: a handler of the test's own sees the same records."""
    import logging

    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(f"{record.name} - {record.levelname} - {record.getMessage()}")

    handler = Keep(logging.WARNING)
    logger = logging.getLogger("distributed")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


@pytest.mark.usefixtures("no_leftover_processes")
def test_dask_logs_nothing_of_its_own_in_this_process_while_the_batch_runs(dask_log: list[str]) -> None:
    """A lost scheduler made Dask's client log an error (at times with a traceback) before the batch's own
    line: for the run, the ``distributed`` loggers of this process are quiet, and as before afterwards."""
    import logging

    from backstride.batch import dask_client

    names = ("distributed", "distributed.client", "distributed.core")
    before = {name: logging.getLogger(name).level for name in names}
    with dask_client(None, 1) as client:
        assert client.nthreads()
        dask_log.clear()
        logging.getLogger("distributed.client").error("Failed to reconnect to scheduler after 5.00 seconds")
        logging.getLogger("distributed.core").error("a connection was lost")
        logging.getLogger("distributed.not.yet.made").error("a module imported later")
        assert dask_log == []
    assert {name: logging.getLogger(name).level for name in names} == before
    logging.getLogger("distributed.client").error("said after the run")
    assert dask_log[-1] == "distributed.client - ERROR - said after the run"


@pytest.mark.usefixtures("no_leftover_processes")
def test_the_local_workers_log_nothing_into_the_job_log(
    helpers: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """The local cluster's workers write to this process's stderr: as the cluster closed, a worker's heartbeat
    at times found the scheduler gone and Dask's worker logged an error with a 20-line traceback into the
    job log, after the batch's last progress line (seen in one run of three on a mixed folder). What goes
    wrong with a file is its failure row, and a worker that dies is one too (``WorkerError``)."""
    from backstride.batch import dask_client

    with dask_client(None, 1) as client:
        assert client.submit(helpers.worker_logs_an_error, pure=False).result() == "logged"
    assert "heartbeat" not in capfd.readouterr().err


@pytest.mark.usefixtures("no_leftover_processes")
def test_files_are_analysed_while_others_are_still_to_be_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's analysis runs before the hashing of the files after it: results (and the progress bar) come
    from the start, not only once every file of a cohort has been read to hash it."""
    from backstride.batch import _runner

    data = tmp_path / "data"
    data.mkdir()
    for i in range(8):  # 32 MB each: hashing takes a while, as a recording's
        (data / f"f{i}.csv").write_bytes(f"not a recording: {i}\n".encode() + bytes(32 << 20))
    events: list[str] = []
    on_hash, on_outcome = _runner._Run._on_hash, _runner._Run._on_outcome

    def hashed(run: Any, h: Any) -> None:
        events.append("hash")
        on_hash(run, h)

    def analysed(run: Any, outcome: Any) -> None:
        events.append("outcome")
        on_outcome(run, outcome)

    monkeypatch.setattr(_runner._Run, "_on_hash", hashed)
    monkeypatch.setattr(_runner._Run, "_on_outcome", analysed)
    s = BatchRunner(out=tmp_path / "r", workers=1, progress=False).run([data]).summary_
    assert s.n_failed == 8
    assert sorted(events) == ["hash"] * 8 + ["outcome"] * 8
    # results arrive while files are still being hashed: measured 6 of the 8 before the last hash (3 runs
    # of 3), against 2 when every hash task went first
    last_hash = len(events) - 1 - events[::-1].index("hash")
    assert events[:last_hash].count("outcome") >= 4, events


def _clock(times: list[float]) -> Any:
    """A monotonic clock that reads ``times`` one after another."""
    it = iter(times)
    return lambda: next(it)


def test_progress_without_a_terminal_is_a_plain_line_at_most_every_interval_and_the_last(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under nohup, cron, systemd or a cluster's scheduler stderr is a job log: rich drew nothing there until
    the end, so the log said nothing for hours. There it gets a plain line now and then, and the last."""
    from backstride._progress import PROGRESS_LINE_EVERY_S
    from backstride.batch._runner import _Progress

    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert PROGRESS_LINE_EVERY_S == 30.0
    # the clock is read at the start, at each file, and at the end
    clock = _clock([0.0, 1.0, 2.0, 10.0, 31.0, 40.0, 50.0])
    with _Progress(True, 5000, line_every_s=30.0, clock=clock) as progress:
        progress.advance(0.0, skipped=True)  # done in an earlier run: the first line, at once
        progress.advance(0.0, skipped=True)
        progress.advance(1.5)
        progress.advance(0.0, failed=True)  # 30 s after the last line: the next
        progress.advance(2.5)
    captured = capsys.readouterr()
    assert captured.out == ""
    # the time left is that of the files still to do at the pace of those analysed or failed so far (2 in
    # 31 s), not of those skipped; the last line says what was done, without a guess
    assert captured.err.splitlines() == [
        "batch: 1 of 5,000 files, 0 failed, 0.0 recording-h, 1 s elapsed",
        "batch: 4 of 5,000 files, 1 failed, 1.5 recording-h, 31 s elapsed, about 21 h 31 min left",
        "batch: 5 of 5,000 files, 1 failed, 4.0 recording-h, 50 s elapsed",
    ]


def test_progress_lines_say_minutes_and_hours_and_the_last_is_not_said_twice(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backstride.batch._runner import _Progress

    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    clock = _clock([0.0, 720.0, 7300.0, 7300.0])
    with _Progress(True, 1200, line_every_s=30.0, clock=clock) as progress:
        progress.advance(41.5)  # 1 of 1,200 in 12 min: 1,199 more at that pace
        progress.advance(2.0)  # the end follows at once: this line is the last
    assert capsys.readouterr().err.splitlines() == [
        "batch: 1 of 1,200 files, 0 failed, 41.5 recording-h, 12 min elapsed, about 239 h 48 min left",
        "batch: 2 of 1,200 files, 0 failed, 43.5 recording-h, 2 h 02 min elapsed, about 1,214 h 38 min left",
    ]


def test_progress_lines_say_the_hours_of_a_long_file_under_way(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One week-long file gave a job log no line until it ended: the workers report the recording-hours they
    have analysed of it, and the lines say them, apart from the hours of the files finished."""
    from backstride.batch._runner import _Progress

    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    clock = _clock([0.0, 30.0, 40.0, 65.0, 70.0, 75.0, 80.0, 85.0])
    with _Progress(True, 2, line_every_s=30.0, clock=clock) as progress:
        progress.under_way("/d/week.cwa", "site/week.cwa", 10 * 3600.0)  # the first line, at once
        progress.under_way("/d/week.cwa", "site/week.cwa", 20 * 3600.0)
        progress.under_way("/d/week.cwa", "site/week.cwa", 30 * 3600.0)  # 35 s after it: the next
        progress.advance(168.0, source="/d/week.cwa")
        progress.under_way("/d/week.cwa", "site/week.cwa", 40 * 3600.0)  # too late: the file is done
        progress.under_way("/d/day.csv", "site/day.csv", 5 * 3600.0)
        progress.advance(0.0, failed=True, source="/d/day.csv")
    assert capsys.readouterr().err.splitlines() == [
        "batch: 0 of 2 files, 0 failed, 0.0 recording-h, 30 s elapsed; under way: site/week.cwa, "
        "10.0 recording-h so far",
        "batch: 0 of 2 files, 0 failed, 0.0 recording-h, 1 min elapsed; under way: site/week.cwa, "
        "30.0 recording-h so far",
        "batch: 2 of 2 files, 1 failed, 168.0 recording-h, 1 min elapsed",
    ]


def test_progress_lines_count_the_files_under_way_and_a_restart_from_its_own_hours(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backstride.batch._runner import _Progress

    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    clock = _clock([0.0, 5.0, 40.0, 80.0, 120.0])  # and no last line: nothing more was done
    with _Progress(True, 3, line_every_s=30.0, clock=clock) as progress:
        progress.advance(2.0, source="/d/a.csv")  # a file's line: at once
        progress.under_way("/d/b.cwa", "b.cwa", 7200.0)
        progress.under_way("/d/c.cwa", "c.cwa", 3600.0)
        # c's worker died and Dask gave it to another, which starts again: its hours are the new worker's
        progress.under_way("/d/c.cwa", "c.cwa", 1800.0)
    assert capsys.readouterr().err.splitlines() == [
        "batch: 1 of 3 files, 0 failed, 2.0 recording-h, 5 s elapsed, about 10 s left",
        "batch: 1 of 3 files, 0 failed, 2.0 recording-h, 40 s elapsed, about 1 min left; under way: b.cwa, "
        "2.0 recording-h so far",
        "batch: 1 of 3 files, 0 failed, 2.0 recording-h, 1 min elapsed, about 3 min left; under way: 2 files, "
        "3.0 recording-h so far",
        "batch: 1 of 3 files, 0 failed, 2.0 recording-h, 2 min elapsed, about 4 min left; under way: 2 files, "
        "2.5 recording-h so far",
    ]


def test_a_report_the_client_cannot_take_or_say_is_dropped() -> None:
    """Reports come on the Dask client's own thread: one that raised there would reach the client's handling
    of the scheduler's messages, so a malformed report, or stderr closed, must not raise."""
    from types import SimpleNamespace

    from backstride.batch._runner import _Run

    said: list[tuple[Any, ...]] = []

    def broken(*_: Any) -> None:
        raise OSError("stderr closed")

    run: Any = SimpleNamespace(
        bar=SimpleNamespace(under_way=lambda *a: said.append(a)), paths={"/d/w.cwa": "w.cwa"}
    )
    _Run._on_report(run, (1.0, {"source": "/d/w.cwa", "seconds": 7200}))
    _Run._on_report(run, (1.0, "not a report"))
    _Run._on_report(run, (1.0, {"source": "/d/w.cwa"}))
    assert said == [("/d/w.cwa", "w.cwa", 7200.0)]
    run.bar = SimpleNamespace(under_way=broken)
    _Run._on_report(run, (1.0, {"source": "/d/w.cwa", "seconds": 3600}))  # dropped, not raised


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_long_file_alone_gives_the_job_log_lines_while_it_is_analysed(
    tmp_path: Path,
    lab_files: list[Path],
    helpers: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker reports the hours it has analysed (Dask's events, so a cluster's workers do too) and the
    client's lines say them while the file is under way; the hours of the finished files are the file's."""
    from backstride import _progress

    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setattr(_progress, "PROGRESS_LINE_EVERY_S", 0.0)  # a line whenever there is news
    seconds = _long_file_analysed(tmp_path, lab_files, helpers)
    lines = capsys.readouterr().err.splitlines()
    under_way = [line for line in lines if "; under way: " in line]
    assert len(under_way) >= 3, lines
    hours = []
    for line in under_way:
        said = re.fullmatch(
            r"batch: 0 of 1 files, 0 failed, 0\.0 recording-h, \d+ s elapsed; "
            r"under way: long\.csv, (\d\.\d) recording-h so far",
            line,
        )
        assert said, line
        hours.append(float(said.group(1)))
    assert hours == sorted(hours) and 0.1 <= hours[-1] <= round(seconds / 3600.0, 1)
    assert re.fullmatch(r"batch: 1 of 1 files, 0 failed, 0\.2 recording-h, \d+ s elapsed", lines[-1]), lines


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_long_file_alone_advances_the_terminal_s_bar_while_it_is_analysed(
    tmp_path: Path,
    lab_files: list[Path],
    helpers: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The workers' reports reach the bar too: it showed 0.0 recording-h for the whole of a long file. What the
    bar is given is recorded as it is given (rich draws it 10 times a second on its own thread, which a busy
    machine may not schedule while the file is read: counting drawn frames made this test timing-bound)."""
    from backstride import _progress
    from backstride.batch._runner import _Progress

    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # what rich takes for a terminal
    monkeypatch.setattr(_progress, "PROGRESS_LINE_EVERY_S", 0.0)  # the worker reports every chunk
    given: list[str] = []
    report = _Progress.under_way

    def recorded(self: Any, source: str, path: str, seconds: float) -> None:
        report(self, source, path, seconds)
        given.append(self._under_way_figure())

    monkeypatch.setattr(_Progress, "under_way", recorded)
    seconds = _long_file_analysed(tmp_path, lab_files, helpers)
    shown = [float(m.group(1)) for f in given if (m := re.fullmatch(r" \+ (\d+\.\d) h under way", f))]
    assert len(shown) >= 2 and shown == sorted(shown), given  # reports of the chunks, while under way
    assert shown[-1] <= round(seconds / 3600.0, 1), given
    last = _last_frame(capsys.readouterr().err)
    assert "1/1" in last and "0.2 recording-h" in last and "under way" not in last, last


def _long_file_analysed(tmp_path: Path, lab_files: list[Path], helpers: Any) -> float:
    """Batch one 12-minute file read in 12 one-minute chunks, each slowed so that the run's reports come while
    it is under way; the file's seconds."""
    data = tmp_path / "data"
    data.mkdir()
    seconds = float(helpers.concat_imu_csv(lab_files, data / "long.csv", repeat=2))
    runner = BatchRunner(out=tmp_path / "r", workers=1, chunk_s=60.0, chunker=helpers.slow_reader)
    assert runner.run([data]).summary_.n_analysed == 1
    return seconds


def _last_frame(err: str) -> str:
    """What rich's bar shows last: the text after its last erasing of the line, without its colours."""
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", err.rsplit("\x1b[2K", 1)[-1])


def test_the_bar_at_a_terminal_shows_the_hours_under_way_apart_from_those_done(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a terminal the bar counted finished files' hours only: a week-long file showed 0.0 until it ended.
    The workers' reports on the files under way are a second figure, never added to the hours done."""
    from backstride.batch._runner import _Progress

    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # what rich takes for a terminal
    with _Progress(True, 3) as progress:
        assert progress.wants_reports  # the run subscribes to the workers' reports
        progress.advance(2.0, source="/d/a.csv")
        progress.under_way("/d/week.cwa", "site/week.cwa", 3.2 * 3600.0)
        progress.under_way("/d/day.cwa", "site/day.cwa", 1800.0)
        progress.under_way("/d/week.cwa", "site/week.cwa", 4.0 * 3600.0)  # the whole so far, not more
    # ended (interrupted) with two files under way: their hours are apart from the 2.0 done
    last = _last_frame(capsys.readouterr().err)
    assert "1/3" in last and "2.0 recording-h" in last and "+ 4.5 h under way" in last, last

    with _Progress(True, 2) as progress:
        progress.under_way("/d/week.cwa", "site/week.cwa", 3.2 * 3600.0)
        progress.under_way("/d/bad.cwa", "site/bad.cwa", 5.0 * 3600.0)
        progress.advance(0.0, failed=True, source="/d/bad.cwa")  # its 5 h were never done
        progress.advance(168.0, source="/d/week.cwa")
        progress.under_way("/d/week.cwa", "site/week.cwa", 100 * 3600.0)  # too late: the file is done
    last = _last_frame(capsys.readouterr().err)
    assert "2/2" in last and "168.0 recording-h" in last and "1 failed" in last, last
    assert "under way" not in last, last

    monkeypatch.setenv("COLUMNS", "80")  # a narrow terminal: the bar is shortened, never a figure
    with _Progress(True, 240) as progress:
        for i in range(37):
            progress.advance(24.0, failed=i % 10 == 0)
        progress.under_way("/d/week.cwa", "site/week.cwa", 43.3 * 3600.0)
    last = _last_frame(capsys.readouterr().err)
    for figure in ("37/240 files", "888.0 recording-h + 43.3 h under way", "4 failed", "0:00:0"):
        assert figure in last, last


def test_progress_at_a_terminal_is_still_the_bar_and_off_is_silent(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backstride.batch._runner import _Progress

    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # what rich takes for a terminal
    with _Progress(True, 3) as progress:
        for _ in range(3):
            progress.advance(0.5)
    err = capsys.readouterr().err
    assert "3/3" in err and "1.5 recording-h" in err and "━" in err  # rich's bar
    assert "batch: 3 of 3 files" not in err

    monkeypatch.delenv("TTY_COMPATIBLE")
    with _Progress(False, 3) as progress:
        assert not progress.wants_reports
        progress.under_way("/d/a.csv", "a.csv", 1800.0)
        progress.advance(0.5)
    assert capsys.readouterr() == ("", "")
