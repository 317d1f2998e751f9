"""`backstride db backup`: a SQLite clinic backed up while it runs — the database (SQLite's online backup, a
consistent snapshot) and every uploaded recording — into a new folder that holds a whole backup or nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from backstride import InputError, store
from backstride.cli import main
from backstride.store._backup import backup_sqlite

_TABLES = (
    "users",
    "recording_files",
    "gait_analyses",
    "daily_logs",
    "plan_versions",
    "questionnaire_responses",
)


@pytest.fixture(scope="module")
def _demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from backstride.web._demo import seed_demo

    return seed_demo(tmp_path_factory.mktemp("demo-clinic"))


@pytest.fixture
def demo(_demo: Any, tmp_path: Path) -> Any:
    """A copy of the demo clinic (a therapist, two patients with weeks of history and a measured walk each)."""
    from dataclasses import replace

    folder = tmp_path / "clinic"
    shutil.copytree(_demo.folder, folder)
    db = folder / Path(store.sqlite_path(_demo.database_url) or "").name
    return replace(
        _demo, folder=folder, database_url=f"sqlite:///{db}", blob_dir=folder / _demo.blob_dir.name
    )


def _counts(url: str) -> dict[str, int]:
    with sqlite3.connect(store.sqlite_path(url) or "") as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in _TABLES}


def test_a_backup_taken_while_the_app_writes_holds_every_committed_row_and_file(
    demo: Any, tmp_path: Path
) -> None:
    before = _counts(demo.database_url)
    writer = sqlite3.connect(store.sqlite_path(demo.database_url) or "", isolation_level=None)
    try:  # the app in the middle of a write: not committed, so not in the backup
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM daily_logs")
        made = backup_sqlite(demo.database_url, demo.blob_dir, tmp_path / "backup")
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert (
        _counts(made.database_url) == before and before["recording_files"] == 2 and before["daily_logs"] > 0
    )
    assert (made.patients, made.recordings) == (2, 2)
    stored = {sha: (demo.blob_dir / sha[:2] / sha).read_bytes() for sha in store.BlobStore(demo.blob_dir)}
    assert stored and {sha: (made.blob_dir / sha[:2] / sha).read_bytes() for sha in stored} == stored
    assert made.files == len(stored) and made.bytes == sum(len(b) for b in stored.values())
    assert {p.name for p in tmp_path.iterdir()} == {"clinic", "backup"}  # no partial folder left beside it


def test_the_backup_serves_the_clinic_with_its_walks(demo: Any, tmp_path: Path) -> None:
    from tests.web.conftest import TestClient, sign_in

    from backstride.web import create_app

    made = backup_sqlite(demo.database_url, demo.blob_dir, tmp_path / "backup")
    shutil.rmtree(demo.folder)  # the clinic's own files gone: the backup stands alone
    with TestClient(
        create_app(made.database_url, made.blob_dir, secret_key="k" * 32), follow_redirects=False
    ) as client:
        sign_in(client, "therapist@demo.backstride", "demo-therapist")
        with sqlite3.connect(made.database) as db:
            patient, recording = db.execute(
                "SELECT patient_id, id FROM recording_files ORDER BY id"
            ).fetchone()
        report = client.get(f"/patients/{patient}/recordings/{recording}/report.html")
    assert report.status_code == 200 and "Walking through the recording" in report.text


def test_uploads_waiting_for_analysis_are_kept_and_half_written_files_left_out(
    demo: Any, tmp_path: Path
) -> None:
    waiting = demo.blob_dir / ".uploads" / "job-1"
    waiting.mkdir(parents=True)
    (waiting / "walk.csv").write_text("time_s,acc_x,acc_y,acc_z\n")
    (demo.blob_dir / ".incoming-123.tmp").write_bytes(b"half")
    made = backup_sqlite(demo.database_url, demo.blob_dir, tmp_path / "backup")
    assert (made.blob_dir / ".uploads" / "job-1" / "walk.csv").read_text() == "time_s,acc_x,acc_y,acc_z\n"
    assert not (made.blob_dir / ".incoming-123.tmp").exists()


def test_a_missing_recording_file_refuses_the_backup_and_leaves_nothing(demo: Any, tmp_path: Path) -> None:
    sha = next(iter(store.BlobStore(demo.blob_dir)))
    (demo.blob_dir / sha[:2] / sha).unlink()
    with pytest.raises(InputError, match="missing from the blob folder"):
        backup_sqlite(demo.database_url, demo.blob_dir, tmp_path / "backup")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clinic"]


def test_the_command_backs_up_and_refuses_in_one_line(
    demo: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backup"
    args = ["db", "backup", "--database-url", demo.database_url, "--blob-dir", str(demo.blob_dir)]
    assert main([*args, str(target)]) == 0
    out = capsys.readouterr().out
    assert "backed up 2 patients and 2 recordings (1 file, " in out and str(target) in out
    assert (
        f"backstride serve --database-url sqlite:///{target / 'clinic.db'} --blob-dir {target / 'blobs'}"
        in out
    )
    kept = sorted(p.name for p in target.rglob("*"))
    assert main([*args, str(target)]) == 2  # the folder exists: nothing written into it
    assert "already exists" in capsys.readouterr().err
    assert sorted(p.name for p in target.rglob("*")) == kept
    assert (
        main(["db", "backup", "--database-url", "postgresql://clinic@localhost/clinic", str(tmp_path / "pg")])
        == 2
    )
    assert "pg_dump" in capsys.readouterr().err
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE readings (x REAL)")
    assert main(["db", "backup", "--database-url", f"sqlite:///{other}", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "pg").exists() and not (tmp_path / "o").exists()
