"""Alembic: the migrations create exactly the models' schema, and downgrade cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from backstride import store
from backstride._errors import InputError
from backstride.cli import main


def _emails(engine: Engine) -> list[str]:
    """The users' e-mail addresses, read with plain SQL: the models may have columns an older revision lacks."""
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT email FROM users ORDER BY email")).scalars())


def _walk_with_analysis(conn: Any, patient_id: int) -> int:
    """A recording of ``patient_id`` with one gait analysis, written with plain SQL (any revision since 0001
    has these columns); the recording's id."""
    recording = conn.execute(
        text(
            "INSERT INTO recording_files (patient_id, sha256, filename, size_bytes, format, "
            "uploaded_at, metadata) VALUES (:p, 'ab', 'walk.csv', 1, 'csv', :t, '{}') RETURNING id"
        ),
        {"p": patient_id, "t": store.utcnow()},
    ).scalar_one()
    conn.execute(
        text("INSERT INTO gait_analyses (recording_id, result, created_at) VALUES (:r, '{}', :t)"),
        {"r": recording, "t": store.utcnow()},
    )
    return int(recording)


def _schema_diff(engine: Engine) -> list[object]:
    """What Alembic finds different between the database and the models (types compared too)."""
    with engine.connect() as conn:
        return list(
            compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), store.Base.metadata
            )
        )


def test_upgrade_from_empty_creates_the_models_schema(db_url: str) -> None:
    engine = store.make_engine(db_url)
    try:
        assert store.current_revision(engine=engine) is None
        store.upgrade(db_url)
        assert store.current_revision(engine=engine) == store.head_revision()
        assert store.is_up_to_date(engine)
        tables = set(inspect(engine).get_table_names())
        assert tables == set(store.Base.metadata.tables) | {"alembic_version"}
        assert _schema_diff(engine) == []
        # indexes and unique constraints the code relies on are really there
        uniques = {tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints("daily_logs")}
        assert ("patient_id", "date") in uniques
        # running it again is harmless
        store.upgrade(db_url)
        assert store.current_revision(engine=engine) == store.head_revision()
    finally:
        engine.dispose()


def test_downgrade_removes_everything_and_upgrade_again_works(db_url: str) -> None:
    engine = store.make_engine(db_url)
    try:
        store.upgrade(db_url)
        with store.transaction(engine) as s:
            store.create_user(s, "a@b.org", "A", "admin")
        store.downgrade(db_url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert store.current_revision(engine=engine) is None
        store.upgrade(db_url)
        with store.transaction(engine) as s:
            assert store.get_user_by_email(s, "a@b.org") is None
    finally:
        engine.dispose()


def test_activity_days_come_and_go_with_revision_0002(db_url: str) -> None:
    """Down to 0001 drops only ``activity_days``; up again brings it back, matching the models."""
    engine = store.make_engine(db_url)
    try:
        store.upgrade(db_url)
        uniques = {tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints("activity_days")}
        assert ("patient_id", "source_format", "source", "date") in uniques
        with store.transaction(engine) as s:
            store.create_user(s, "a@b.org", "A", "admin")
        store.downgrade(db_url, "0001")
        assert store.current_revision(engine=engine) == "0001"
        tables = set(inspect(engine).get_table_names())
        assert "activity_days" not in tables and "users" in tables
        assert _emails(engine) == ["a@b.org"]
        store.upgrade(db_url)
        assert store.is_up_to_date(engine)
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


def test_cli_db_upgrade(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(store.ENV_DATABASE_URL, db_url)
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert f"revision {store.head_revision()}" in out
    assert ":backstride@" not in out  # a password in the URL is never printed
    engine = store.make_engine(db_url)
    try:
        assert set(store.Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert main(["db", "status"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_cli_db_upgrade_with_a_bad_url_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["db", "upgrade", "--database-url", "nosuchdb://x/y"])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("backstride: error:")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_db_upgrade_default_sqlite_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_file = tmp_path / "sub" / "clinic.db"
    monkeypatch.setenv(store.ENV_DATABASE_URL, f"sqlite:///{db_file}")
    assert main(["db", "upgrade"]) == 0
    assert db_file.is_file()
    assert store.sqlite_path(store.database_url()) == db_file
    monkeypatch.delenv(store.ENV_BLOB_DIR, raising=False)
    assert store.default_blob_dir() == db_file.parent / "blobs"
    monkeypatch.setenv(store.ENV_BLOB_DIR, str(tmp_path / "elsewhere"))
    assert store.default_blob_dir() == tmp_path / "elsewhere"


def test_entered_in_error_columns_come_and_go_with_revision_0003_and_keep_the_rows(db_url: str) -> None:
    engine = store.make_engine(db_url)
    try:
        store.upgrade(db_url)
        with store.transaction(engine) as s:
            c = store.create_user(s, "c@b.org", "C", "clinician")
            p = store.create_patient(s, c, "p@b.org", "P")
            q = store.add_questionnaire(
                s, p.id, "nprs", {"score": 5}, 5.0, {"instrument": "nprs", "score": 5}
            )
            store.mark_entered_in_error(s, q, c.id, "wrong patient")
            pid = p.id
            _walk_with_analysis(s, pid)
        store.downgrade(db_url, "0002")
        columns = {col["name"] for col in inspect(engine).get_columns("questionnaire_responses")}
        assert "entered_in_error_at" not in columns and "score" in columns
        with engine.connect() as conn:
            assert conn.execute(text("SELECT score FROM questionnaire_responses")).scalars().all() == [5.0]
            # SQLite copies recording_files to drop its columns: the analyses pointing at it stay
            assert conn.execute(text("SELECT count(*) FROM gait_analyses")).scalar_one() == 1
        store.upgrade(db_url)
        with store.transaction(engine, readonly=True) as s:
            (row,) = store.questionnaire_history(s, pid)  # the mark went with its columns; the row stayed
            assert row.score == 5.0 and row.entered_in_error_at is None
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


_SIGNIN_TABLES = {"ended_sessions", "session_cutoffs", "signin_failures"}


def test_sign_in_records_come_and_go_with_revision_0004(db_url: str) -> None:
    """Down to 0003 drops only the three sign-in tables; up again brings them back with the indexes the
    look-ups use, matching the models."""
    engine = store.make_engine(db_url)
    try:
        store.upgrade(db_url)
        indexes = {
            (table, tuple(ix["column_names"]))
            for table in _SIGNIN_TABLES
            for ix in inspect(engine).get_indexes(table)
        }
        assert {
            ("ended_sessions", ("until",)),
            ("session_cutoffs", ("until",)),
            ("signin_failures", ("account_key", "at")),
            ("signin_failures", ("address", "at")),
            ("signin_failures", ("at",)),
        } <= indexes
        assert inspect(engine).get_pk_constraint("ended_sessions")["constrained_columns"] == ["nonce_hash"]
        assert inspect(engine).get_pk_constraint("session_cutoffs")["constrained_columns"] == ["user_id"]
        with store.transaction(engine) as s:
            store.create_user(s, "a@b.org", "A", "admin")
        store.downgrade(db_url, "0003")
        assert store.current_revision(engine=engine) == "0003"
        tables = set(inspect(engine).get_table_names())
        assert not tables & _SIGNIN_TABLES and "users" in tables
        assert _emails(engine) == ["a@b.org"]
        store.upgrade(db_url)
        assert set(inspect(engine).get_table_names()) >= _SIGNIN_TABLES
        with store.transaction(engine, readonly=True) as s:
            assert store.get_user_by_email(s, "a@b.org") is not None
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


def test_a_new_links_moment_comes_and_goes_with_revision_0005_and_keeps_the_users(db_url: str) -> None:
    """Down to 0004 drops only ``users.first_login_issued_at`` (a link given later lapses from the account's
    making again, the safe side); up again brings it back, empty, matching the models."""
    import datetime as dt

    engine = store.make_engine(db_url)
    try:
        store.upgrade(db_url)
        with store.transaction(engine) as s:
            uid = store.create_user(s, "a@b.org", "A", "clinician", first_login_token_hash="t").id
            store.new_first_login(s, uid, "t2", now=dt.datetime(2026, 12, 6, tzinfo=dt.UTC))
        store.downgrade(db_url, "0004")
        assert store.current_revision(engine=engine) == "0004"
        columns = {col["name"] for col in inspect(engine).get_columns("users")}
        assert "first_login_issued_at" not in columns and "first_login_token_hash" in columns
        assert _emails(engine) == ["a@b.org"]
        store.upgrade(db_url)
        with store.transaction(engine, readonly=True) as s:
            user = store.get_user(s, uid)
            assert user is not None and user.first_login_token_hash == "t2"
            assert user.first_login_issued_at is None
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


def test_closed_accounts_come_and_go_with_revision_0006_and_every_record_stays(db_url: str) -> None:
    """0006 adds a foreign key to ``users``, which SQLite can only do by copying the table that every patient's
    record points at (``ON DELETE CASCADE``): down to 0005 and up again, the users, their care links, notes and
    walks with their analyses all stay; the closing goes with its columns (the account opens again, still with
    no way in)."""
    engine = store.make_engine(db_url)
    try:
        store.upgrade(db_url)
        with store.transaction(engine) as s:
            c = store.create_user(s, "c@b.org", "C", "clinician")
            p = store.create_patient(s, c, "p@b.org", "P", password_hash="pw")
            store.add_note(s, p.id, c.id, "doing well")
            pid, cid = p.id, c.id
        with engine.begin() as conn:
            _walk_with_analysis(conn, pid)
        with store.transaction(engine) as s:
            store.close_account(s, pid, "care completed", by_id=cid, session_max_age_s=3600)

        def counts() -> list[int]:
            with engine.connect() as conn:
                return [
                    conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                    for table in ("care_links", "clinician_notes", "patient_profiles", "gait_analyses")
                ]

        assert counts() == [1, 1, 1, 1]
        store.downgrade(db_url, "0005")
        columns = {col["name"] for col in inspect(engine).get_columns("users")}
        assert (
            not {"closed_at", "closed_by_id", "closed_reason"} & columns
            and "first_login_issued_at" in columns
        )
        assert _emails(engine) == ["c@b.org", "p@b.org"] and counts() == [1, 1, 1, 1]
        store.upgrade(db_url)
        assert counts() == [1, 1, 1, 1]
        with store.transaction(engine, readonly=True) as s:
            user = store.get_user(s, pid)
            assert user is not None and not user.is_closed and user.password_hash is None
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


def test_revision_0008_takes_the_warning_sign_screen_out_of_saved_weekly_reviews(db_url: str) -> None:
    """Weekly reviews saved before 0008 end with the patient's warning-sign screen and the number of that day;
    0008 removes the screen (whatever number it names) and nothing else: the review's own reasons, other plan
    versions' reasons and a clinician's words stay as written."""
    from backstride import clinic

    engine = store.make_engine(db_url)
    try:
        store.upgrade(db_url, "0007")
        week = "Weekly review (hold): 15 of 21 planned walks done (71 %). The plan stays the same."
        reasons = [
            f"{week} {clinic.weekly_screen('911')}",
            f"{week} {clinic.weekly_screen('+44 20 7946 0000')}",
            "First plan, from the check-in.",
            "Fewer minutes: before the next week, check for the warning signs with me.",  # a clinician's
            f"Weekly review (progress): {clinic.weekly_screen('112')} Said after the screen.",
        ]
        with store.transaction(engine) as s:
            c = store.create_user(s, "c@b.org", "C", "clinician")
            p = store.create_patient(s, c, "p@b.org", "P", password_hash="pw")
            for reason in reasons:
                store.save_plan(s, p.id, {"walks_per_day": 2}, reason, None)
            pid = p.id
        store.upgrade(db_url)
        assert store.current_revision(engine=engine) == "0008"
        with store.transaction(engine, readonly=True) as s:
            kept = [v.reason for v in store.plan_history(s, pid)]
        assert kept == [
            week,
            week,
            "First plan, from the check-in.",
            "Fewer minutes: before the next week, check for the warning signs with me.",
            "Weekly review (progress): Said after the screen.",
        ]
        store.downgrade(db_url, "0007")  # nothing to put back; the rows stay
        with store.transaction(engine, readonly=True) as s:
            assert [v.reason for v in store.plan_history(s, pid)] == kept
    finally:
        engine.dispose()


def test_upgrading_from_0002_keeps_every_gait_analysis(db_url: str) -> None:
    """Revision 0003 adds columns and a foreign key to ``recording_files``; on SQLite Alembic copies the table
    and drops the original, which with foreign keys on deleted every analysis pointing at it: a clinic
    upgrading a database made before 0003 lost every walk's analysis."""
    engine = store.make_engine(db_url)
    try:
        store.upgrade(db_url, "0002")
        with engine.begin() as conn:
            patient = conn.execute(
                text(
                    "INSERT INTO users (email, name, role, created_at) VALUES ('p@b.org', 'P', 'patient', :t) RETURNING id"
                ),
                {"t": store.utcnow()},
            ).scalar_one()
            recording = _walk_with_analysis(conn, patient)
        store.upgrade(db_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT recording_id FROM gait_analyses")).scalars().all() == [recording]
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


def test_sqlite_foreign_keys_are_on_again_after_a_migration_on_the_callers_engine(tmp_path: Path) -> None:
    """Migrations run with SQLite's foreign keys off (batch mode's table copies would cascade); the engine's
    connections have them on again afterwards, and a patient's rows go with the patient."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    engine = store.make_engine(url)
    try:
        store.upgrade(url, engine=engine)
        store.downgrade(url, "0002", engine=engine)
        store.upgrade(url, engine=engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        with store.transaction(engine) as s:
            c = store.create_user(s, "c@b.org", "C", "clinician")
            store.create_patient(s, c, "p@b.org", "P")
        with store.transaction(engine) as s:
            s.delete(store.get_user_by_email(s, "p@b.org"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM patient_profiles")).scalar_one() == 0
    finally:
        engine.dispose()


def _sqlite_file(url: str) -> Path:
    path = store.sqlite_path(url)
    assert path is not None
    return path


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("backstride: error: ")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    return captured.err.removeprefix("backstride: error: ").rstrip("\n")


def test_another_programs_database_is_refused_and_left_as_it_was(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Sensor Logger SQLite export (a table ``accelerometer``) was given backstride's tables beside its own."""
    from sqlalchemy import create_engine, text

    plain = create_engine(db_url)
    with plain.begin() as conn:
        conn.execute(text("CREATE TABLE accelerometer (time REAL, x REAL, y REAL, z REAL)"))
        conn.execute(text("INSERT INTO accelerometer VALUES (0.0, 0.1, 0.2, 9.8)"))
    plain.dispose()
    sqlite = store.sqlite_path(db_url) is not None
    before = _sqlite_file(db_url).read_bytes() if sqlite else b""
    where = f"the database at {db_url}" if sqlite else "the database at"

    for command in (["db", "upgrade"], ["db", "status"]):
        assert main([*command, "--database-url", db_url]) == 2
        said = _one_error_line(capsys)
        assert said.startswith(where)
        assert said.endswith(
            "is not a backstride database (it holds the table accelerometer and no backstride revision); "
            "nothing was written"
        )
    with pytest.raises(InputError, match="not a backstride database"):
        store.upgrade(db_url)
    if sqlite:  # not a byte changed (no journal mode set), no file made beside it
        assert _sqlite_file(db_url).read_bytes() == before
        assert sorted(p.name for p in _sqlite_file(db_url).parent.iterdir()) == ["test.db"]
    plain = create_engine(db_url)
    try:
        assert inspect(plain).get_table_names() == ["accelerometer"]
    finally:
        plain.dispose()


def test_a_revision_backstride_does_not_know_is_refused(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import create_engine, text

    plain = create_engine(db_url)
    with plain.begin() as conn:  # another program's Alembic history
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('ae1027a6acf')"))
        conn.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY)"))
    plain.dispose()
    assert main(["db", "upgrade", "--database-url", db_url]) == 2
    assert _one_error_line(capsys).endswith(
        "is at revision ae1027a6acf, which this backstride does not know (another program's database, or a "
        "newer backstride's); nothing was written"
    )


def test_db_status_where_there_is_no_database_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "clinic.db"
    assert main(["db", "status", "--database-url", f"sqlite:///{missing}"]) == 2
    assert _one_error_line(capsys) == (
        f"no database at {missing} (give --database-url, or create one: backstride db upgrade)"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
@pytest.mark.parametrize("command", ["upgrade", "status"])
def test_an_in_memory_database_is_refused(url: str, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", command, "--database-url", url]) == 2
    assert _one_error_line(capsys) == (
        f"{url} is an in-memory database, gone when the command ends; give a file "
        "(sqlite:///path/to/backstride.db) or a database server"
    )


def test_db_upgrade_says_what_it_did_and_never_goes_back(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    head = store.head_revision()
    shown = db_url if store.sqlite_path(db_url) is not None else None
    assert main(["db", "upgrade", "--database-url", db_url, "--revision", "0001"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("created at revision 0001\n") and (shown is None or shown in out)
    assert main(["db", "upgrade", "--database-url", db_url]) == 0
    assert capsys.readouterr().out.endswith(f"upgraded from revision 0001 to revision {head}\n")
    assert main(["db", "upgrade", "--database-url", db_url]) == 0
    assert capsys.readouterr().out.endswith(f"is already at revision {head}; nothing to do\n")

    assert main(["db", "upgrade", "--database-url", db_url, "--revision", "0001"]) == 2
    assert _one_error_line(capsys).endswith(
        f"is at revision {head}, past 0001; nothing was changed (backstride db upgrade only moves forward)"
    )
    engine = store.make_engine(db_url)
    try:
        assert store.current_revision(engine=engine) == head
        assert _schema_diff(engine) == []
    finally:
        engine.dispose()


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in inspect(engine).get_table_names()
            if table != "alembic_version"
        }


def test_every_migration_step_down_and_up_keeps_every_row_of_a_lived_in_clinic(tmp_path: Path) -> None:
    """A clinic with weeks of history (the demo's two patients: screens, questionnaires, plans, logs, walks and
    their analyses, sessions, notes, activity days) plus sign-in records, a closed account and an entry marked
    in error, taken down one revision at a time to the first and up again: every table both revisions have
    keeps every row at every step. SQLite alters a table by copying it, and a copy made with foreign keys on
    once deleted every row pointing at it; this holds any future migration to the same."""
    import datetime as dt

    from backstride.activity import ActivityData, DaySummary
    from backstride.store._migrate import _scripts
    from backstride.web._demo import seed_demo

    demo = seed_demo(tmp_path / "demo", today=dt.date(2026, 11, 30))
    engine = store.make_engine(demo.database_url)
    try:
        now = store.utcnow()
        with store.transaction(engine) as s:
            therapist, alex, sam = (store.get_user_by_email(s, p.email) for p in demo.accounts)
            assert therapist is not None and alex is not None and sam is not None
            store.end_session(s, "nonce", now + dt.timedelta(hours=1), now=now)
            store.record_failed_signin(
                s, "someone@x.org", "10.0.0.1", now, forget_up_to=now - dt.timedelta(hours=1)
            )
            store.close_account(s, sam.id, "care completed", by_id=therapist.id, session_max_age_s=3600)
            day = DaySummary(
                date=dt.date(2026, 11, 29),
                steps=4200,
                walking_speed_mps=1.1,
                walks=3,
                distance_m=None,
                step_length_m=None,
                walking_asymmetry_pct=None,
                double_support_pct=None,
            )
            activity = ActivityData(
                records=(),
                sessions=(),
                days=(day,),
                source_format="apple_health",
                source="export.zip",
                notes=(),
            )
            assert store.import_activity(s, alex.id, activity) == 1
            (first, *_rest) = store.questionnaire_history(s, alex.id)
            store.mark_entered_in_error(s, first, therapist.id, "another patient's answers")
        before = _row_counts(engine)
        empty = sorted(table for table, n in before.items() if n == 0)
        assert empty == [], f"the clinic leaves {empty} empty: the test would not see their rows go"

        revisions = [r.revision for r in _scripts().walk_revisions()]  # the newest first
        steps = [(store.downgrade, r) for r in revisions[1:]] + [
            (store.upgrade, r) for r in reversed(revisions[:-1])
        ]
        assert len(steps) == 2 * (len(revisions) - 1) >= 10
        seen, oldest = before, None
        for move, revision in steps:
            move(demo.database_url, revision, engine=engine)
            assert store.current_revision(engine=engine) == revision
            counts = _row_counts(engine)
            both = {table: n for table, n in seen.items() if table in counts}
            assert {table: counts[table] for table in both} == both, f"rows lost on the way to {revision}"
            oldest = counts if revision == revisions[-1] else oldest
            seen = counts
        assert oldest is not None and set(oldest) < set(before)  # the first revision lacks later tables
        assert {table: seen[table] for table in oldest} == {table: before[table] for table in oldest}
    finally:
        engine.dispose()
