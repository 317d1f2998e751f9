"""The blob store and add_recording: all or nothing, no orphan blob, no half-written file."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from backstride import InputError, store

CSV = b"time_s,acc_x,acc_y,acc_z\n0.00,0.1,0.2,9.8\n0.01,0.1,0.2,9.7\n"


def _patient(engine: Engine) -> int:
    with store.transaction(engine) as s:
        c = store.create_user(s, "c@clinic.org", "C", "clinician")
        return store.create_patient(s, c, "p@example.org", "P", height_m=1.7).id


class _Analyzer:
    """Reads the file it is given and returns a GaitResult-shaped JSON, or fails like a bad upload would."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.seen: list[tuple[str, bytes]] = []

    def __call__(self, path: Path) -> tuple[str, dict[str, Any]]:
        data = path.read_bytes()
        self.seen.append((path.name, data))
        if self.fail:
            raise InputError(f"{path.name}: no walking found")
        rows = data.count(b"\n") - 1
        return "csv", {
            "summary": {
                "total_walking_s": 12.5,
                "n_bouts": rows,
                "median_walking_speed_mps": 1.1,
                "median_cadence_spm": None,
            },
            "walking_bouts": [],
        }


def _counts(engine: Engine) -> tuple[int, int]:
    with store.transaction(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(store.RecordingFile)) or 0,
            s.scalar(select(func.count()).select_from(store.GaitAnalysis)) or 0,
        )


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_blob_store_roundtrip(blobs: store.BlobStore) -> None:
    sha = blobs.put(CSV)
    assert sha == hashlib.sha256(CSV).hexdigest()
    assert blobs.path(sha) == blobs.root / sha[:2] / sha
    assert blobs.read(sha) == CSV
    with blobs.open(sha) as f:
        assert f.read() == CSV
    assert blobs.put_new(io.BytesIO(CSV)) == (sha, False)
    big = os.urandom(3 * 1024 * 1024 + 17)
    sha_big, created = blobs.put_new(io.BytesIO(big))
    assert created and blobs.read(sha_big) == big
    assert sorted(blobs) == sorted([sha, sha_big])
    assert not list(blobs.root.glob("*.tmp"))
    assert blobs.delete(sha) and not blobs.delete(sha)
    with pytest.raises(InputError, match="no stored file"):
        blobs.open(sha)
    with pytest.raises(InputError, match="SHA-256"):
        blobs.path("../../etc/passwd")


def test_add_recording_stores_blob_rows_and_analysis(engine: Engine, blobs: store.BlobStore) -> None:
    pid = _patient(engine)
    analyze = _Analyzer()
    with store.transaction(engine) as s:
        rec = store.add_recording(
            s, blobs, pid, "C:\\Users\\ann\\walk 1.csv", CSV, analyze, metadata={"device": "phone"}
        )
        rec_id = rec.id
    assert analyze.seen == [("walk 1.csv", CSV)]
    with store.transaction(engine) as s:
        got = store.get_recording(s, rec_id)
        assert got is not None
        assert (got.filename, got.format, got.size_bytes) == ("walk 1.csv", "csv", len(CSV))
        assert got.sha256 == hashlib.sha256(CSV).hexdigest() and blobs.read(got.sha256) == CSV
        assert got.metadata_ == {"device": "phone"}
        analysis = store.latest_analysis(s, rec_id)
        assert analysis is not None
        assert (analysis.walking_s, analysis.n_bouts, analysis.median_speed_mps) == (12.5, 2, 1.1)
        assert analysis.median_cadence_spm is None
        assert analysis.result["summary"]["n_bouts"] == 2
        assert [r.id for r in store.recordings_of(s, pid)] == [rec_id]
        assert [a.id for a in store.analyses_of(s, pid)] == [analysis.id]
        assert store.referenced_blobs(s) == {got.sha256}


def test_failing_analysis_leaves_no_rows_and_no_blob(engine: Engine, blobs: store.BlobStore) -> None:
    pid = _patient(engine)
    with pytest.raises(InputError, match="no walking"), store.transaction(engine) as s:
        store.add_recording(s, blobs, pid, "walk.csv", io.BytesIO(CSV), _Analyzer(fail=True))
    assert _counts(engine) == (0, 0)
    assert _files(blobs.root) == []


def test_failing_analysis_inside_a_longer_transaction(engine: Engine, blobs: store.BlobStore) -> None:
    """The caller may catch the error and carry on: the recording part is undone, the rest commits."""
    pid = _patient(engine)
    with store.transaction(engine) as s:
        store.add_note(s, pid, None, "before the upload")
        with pytest.raises(InputError):
            store.add_recording(s, blobs, pid, "walk.csv", CSV, _Analyzer(fail=True))
        store.add_note(s, pid, None, "after the upload")
    assert _counts(engine) == (0, 0)
    assert _files(blobs.root) == []
    with store.transaction(engine) as s:
        assert len(store.notes_of(s, pid)) == 2


def test_rollback_after_add_recording_removes_the_blob(engine: Engine, blobs: store.BlobStore) -> None:
    pid = _patient(engine)
    with pytest.raises(RuntimeError), store.transaction(engine) as s:
        store.add_recording(s, blobs, pid, "walk.csv", CSV, _Analyzer())
        assert len(list(blobs)) == 1
        raise RuntimeError("the request failed after the upload")
    assert _counts(engine) == (0, 0)
    assert _files(blobs.root) == []


def test_identical_uploads_share_a_blob_and_a_failure_keeps_it(
    engine: Engine, blobs: store.BlobStore
) -> None:
    pid = _patient(engine)
    with store.transaction(engine) as s:
        a = store.add_recording(s, blobs, pid, "a.csv", CSV, _Analyzer())
    with store.transaction(engine) as s:
        b = store.add_recording(s, blobs, pid, "b.csv", CSV, _Analyzer())
    assert a.sha256 == b.sha256 and a.id != b.id
    with pytest.raises(InputError), store.transaction(engine) as s:
        store.add_recording(s, blobs, pid, "c.csv", CSV, _Analyzer(fail=True))
    assert blobs.read(a.sha256) == CSV  # still there: two recordings use it
    assert _counts(engine) == (2, 2)


def test_empty_or_nameless_upload_is_refused(engine: Engine, blobs: store.BlobStore) -> None:
    pid = _patient(engine)
    with store.transaction(engine) as s:
        with pytest.raises(InputError, match="empty"):
            store.add_recording(s, blobs, pid, "walk.csv", b"", _Analyzer())
        with pytest.raises(InputError, match="no name"):
            store.add_recording(s, blobs, pid, "../", CSV, _Analyzer())
    assert _counts(engine) == (0, 0)
    assert _files(blobs.root) == []


def test_gc_orphan_blobs(engine: Engine, blobs: store.BlobStore) -> None:
    pid = _patient(engine)
    with store.transaction(engine) as s:
        kept = store.add_recording(s, blobs, pid, "walk.csv", CSV, _Analyzer()).sha256
    orphan = blobs.put(b"bytes nobody refers to")
    stale_tmp = blobs.root / ".incoming-crashed.tmp"
    stale_tmp.write_bytes(b"half")
    stale_scratch = blobs.root / ".scratch-killed"  # an analysis killed mid-way leaves its working copy
    stale_scratch.mkdir()
    (stale_scratch / "walk.csv").write_bytes(b"time_s,acc_x")
    with store.transaction(engine) as s:
        assert store.gc_orphan_blobs(s, blobs) == []  # everything is recent: spared
        old = time.time() - 7200
        for p in (blobs.path(orphan), blobs.path(kept), stale_tmp, stale_scratch):
            os.utime(p, (old, old))
        removed = store.gc_orphan_blobs(s, blobs)
    assert sorted(removed) == sorted([orphan, stale_tmp.name, stale_scratch.name])
    assert blobs.exists(kept) and not blobs.exists(orphan) and not stale_tmp.exists()
    assert not stale_scratch.exists()


def test_the_analysis_works_on_a_copy_inside_the_store_that_is_removed(
    engine: Engine, blobs: store.BlobStore
) -> None:
    seen: list[Path] = []

    class Spy(_Analyzer):
        def __call__(self, path: Path) -> Any:
            seen.append(path)
            assert path.read_bytes() == CSV and path.name == "walk.csv"
            return super().__call__(path)

    pid = _patient(engine)
    with store.transaction(engine) as s:
        store.add_recording(s, blobs, pid, "walk.csv", CSV, Spy())
    assert seen and seen[0].parent.parent == blobs.root
    assert not seen[0].parent.exists()
    assert not list(blobs.root.glob(".scratch-*"))


def test_unknown_patient_leaves_no_blob(engine: Engine, blobs: store.BlobStore) -> None:
    with pytest.raises(InputError, match="no user"), store.transaction(engine) as s:
        store.add_recording(s, blobs, 424242, "walk.csv", CSV, _Analyzer())
    assert _files(blobs.root) == []


def test_analysis_does_not_hold_the_database(engine: Engine, blobs: store.BlobStore) -> None:
    """While the (slow) analysis runs, other requests can write: no lock is held yet."""
    pid = _patient(engine)
    inner = _Analyzer()

    def analyze(path: Path) -> tuple[str, dict[str, Any]]:
        started = time.monotonic()
        with store.transaction(engine) as other:
            store.add_note(other, pid, None, "written during the analysis")
        assert time.monotonic() - started < 5
        return inner(path)

    with store.transaction(engine) as s:
        store.add_recording(s, blobs, pid, "walk.csv", CSV, analyze)
    assert _counts(engine) == (1, 1)
    with store.transaction(engine) as s:
        assert [n.text for n in store.notes_of(s, pid)] == ["written during the analysis"]


def test_a_recording_analysed_again_keeps_both_and_shows_the_newest(
    engine: Engine, blobs: store.BlobStore
) -> None:
    pid = _patient(engine)
    with store.transaction(engine) as s:
        first = store.add_recording(s, blobs, pid, "walk.csv", CSV, _Analyzer()).id
        second = store.add_recording(s, blobs, pid, "other.csv", CSV + b"0.02,0.1,0.2,9.8\n", _Analyzer()).id
    newer = {"subject": {"height_m": 1.8}, "summary": {"total_walking_s": 20.0, "n_bouts": 5}}
    with store.transaction(engine) as s:
        row = store.add_analysis(s, first, newer)
        assert (row.walking_s, row.n_bouts, row.median_speed_mps) == (20.0, 5, None)
        with pytest.raises(InputError, match="no recording 999"):
            store.add_analysis(s, 999, newer)
    assert _counts(engine) == (2, 3)
    with store.transaction(engine, readonly=True) as s:
        latest = store.latest_analysis(s, first)
        assert latest is not None and latest.result == newer
        # one analysis per recording, the newest, in the recordings' order: trends count each walk once
        assert [(a.recording_id, a.n_bouts) for a in store.analyses_of(s, pid)] == [(first, 5), (second, 3)]


def test_which_analyses_were_made_with_other_figures(engine: Engine) -> None:
    pid = _patient(engine)

    def made_with(height: float | None, sensor: float | None, source: str) -> store.GaitAnalysis:
        subject = {"height_m": height, "sensor_height_m": sensor, "sensor_height_source": source}
        return store.GaitAnalysis(result={"subject": subject})

    with store.transaction(engine) as s:
        profile = store.update_profile(s, pid, age=40, sex="male", height_m=1.7, sensor_height_m=None)
        assert not store.analysis_is_outdated(made_with(1.7, 0.95, "from body height"), profile)
        assert store.analysis_is_outdated(made_with(1.6, 0.9, "from body height"), profile)
        assert store.analysis_is_outdated(
            made_with(1.7, 1.0, "given"), profile
        )  # a sensor height since cleared
        assert store.analysis_is_outdated(made_with(None, None, "unknown"), profile)
        assert store.analysis_is_outdated(store.GaitAnalysis(result={}), profile)
        profile = store.update_profile(s, pid, age=40, sex="male", height_m=1.7, sensor_height_m=1.0)
        assert not store.analysis_is_outdated(made_with(1.7, 1.0, "given"), profile)
        assert not store.analysis_is_outdated(
            made_with(None, None, "unknown"), None
        )  # nothing known, then or now
        # the details are checked as when the patient was added, and a refused change changes nothing
        with pytest.raises(InputError, match="metres"):
            store.update_profile(s, pid, age=40, sex="male", height_m=170, sensor_height_m=None)
        with pytest.raises(InputError, match="no user with id 999"):
            store.update_profile(s, 999, age=None, sex=None, height_m=None, sensor_height_m=None)
        user = store.get_user(s, pid)
        assert user is not None and user.profile is not None
        assert (user.profile.age, user.profile.sex, user.profile.height_m, user.profile.sensor_height_m) == (
            40,
            "male",
            1.7,
            1.0,
        )
