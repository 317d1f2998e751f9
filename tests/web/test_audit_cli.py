"""``backstride audit``: the clinic's audit trail read at the command line, after real changes made through the
``users`` commands and the store; and the ``record_exported`` entries ``export-fhir`` and ``export-summary`` write
(only for an export that was written)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic

from backstride.cli import main

#: The seeded clinic's own entries: Anna and Ben added (from the command line), each adding a patient.
SEEDED = 4


@pytest.fixture(autouse=True)
def _narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Captured output is not a terminal: the table's rows stay one line each even where a terminal is narrow."""
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.delenv("BACKSTRIDE_PUBLIC_URL", raising=False)


def audit(clinic: Clinic, *args: str) -> int:
    return main(["audit", *args, "--database-url", clinic.url])


def users(clinic: Clinic, *args: str) -> int:
    return main(["users", *args, "--database-url", clinic.url])


def audit_json(clinic: Clinic, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert audit(clinic, *args, "--json") == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    entries: list[dict[str, Any]] = json.loads(captured.out)
    return entries


def _log(
    clinic: Clinic, action: str, about: str, by: str | None, at: dt.datetime, detail: str | None = None
) -> None:
    """An entry as the store writes it, at a chosen moment."""
    from backstride import store

    with clinic_db(clinic) as s:
        subject = store.get_user_by_email(s, about)
        actor = store.get_user_by_email(s, by) if by is not None else None
        assert subject is not None and (by is None or actor is not None)
        store.log_event(s, action, subject.id, actor_id=actor.id if actor else None, detail=detail, now=at)


def _open_record(clinic: Clinic, by: str, patient: str) -> None:
    """``by`` opens ``patient``'s record, as the web app notes it."""
    from backstride import store

    with clinic_db(clinic) as s:
        viewer, opened = store.get_user_by_email(s, by), store.get_user_by_email(s, patient)
        assert viewer is not None and opened is not None
        assert store.log_record_opened(s, viewer.id, opened.id) is not None


def _stored(clinic: Clinic) -> tuple[object, ...]:
    """Everything a command could write: the users' rows and the audit trail."""
    from sqlalchemy import text

    from backstride import store

    engine = store.make_engine(clinic.url)
    try:
        with engine.connect() as conn:
            people = conn.execute(text("SELECT * FROM users ORDER BY id")).all()
            trail = conn.execute(text("SELECT * FROM audit_events ORDER BY id")).all()
            return tuple(map(tuple, people)), tuple(map(tuple, trail))
    finally:
        engine.dispose()


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("backstride: error: "), captured
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    return captured.err.removeprefix("backstride: error: ").rstrip("\n")


def _row(lines: list[str], *cells: str) -> int:
    """The index of the one table line holding every cell."""
    found = [i for i, line in enumerate(lines) if all(cell in line for cell in cells)]
    assert len(found) == 1, (cells, lines)
    return found[0]


# ------------------------------------------------------------------------------------------------ the table
def test_the_trail_is_a_table_newest_first_with_how_many_entries_were_shown(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(clinic, "close", "peter@home.test", "--reason", "care completed") == 0
    _open_record(clinic, "anna@clinic.test", "paula@home.test")
    capsys.readouterr()

    assert audit(clinic) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{SEEDED + 2} entries shown (of {SEEDED + 2})"
    header = _row(lines, "when (UTC)", "who", "what", "about whom", "detail")
    opened = _row(lines, "Anna Therapist (clinician)", "opened the record", "Paula Patient <paula@home.test>")
    closed = _row(
        lines,
        "command line (server)",
        "closed the account",
        "Peter Patient <peter@home.test>",
        "care completed",
    )
    added = _row(lines, "Anna Therapist (clinician)", "added the account", "Paula Patient", "as patient")
    first = _row(lines, "command line (server)", "Anna Therapist <anna@clinic.test>")
    assert header < opened < closed < added < first
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    assert lines[opened].split()[1] == today  # after the table's left border


def test_a_person_whose_name_holds_their_title_in_brackets_is_named_once_with_their_role(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's therapist is "Dana Reyes (physical therapist)": their role joins the brackets, not a second
    pair."""
    from backstride import store

    with clinic_db(clinic) as s:
        anna = store.get_user_by_email(s, "anna@clinic.test")
        assert anna is not None
        anna.name = "Anna Therapist (physiotherapist)"
    _open_record(clinic, "anna@clinic.test", "paula@home.test")
    capsys.readouterr()

    assert audit(clinic, "--by", "anna@clinic.test") == 0
    lines = capsys.readouterr().out.splitlines()
    _row(lines, "Anna Therapist (physiotherapist, clinician)", "opened the record", "Paula Patient")
    assert "(physiotherapist) (clinician)" not in "\n".join(lines)


def test_the_filters_choose_whose_record_who_acted_what_and_how_many(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    _open_record(clinic, "anna@clinic.test", "paula@home.test")
    _open_record(clinic, "ben@clinic.test", "paula@home.test")
    _open_record(clinic, "anna@clinic.test", "peter@home.test")
    assert users(clinic, "access", "paula@home.test") == 0

    def shown(*args: str) -> list[tuple[str, str | None, str]]:
        return [
            (e["action"], e["actor"]["email"] if e["actor"] else None, e["subject"]["email"])
            for e in audit_json(clinic, capsys, *args)
        ]

    assert shown("--about", "Paula@Home.test") == [
        ("way_in_given", None, "paula@home.test"),
        ("record_opened", "ben@clinic.test", "paula@home.test"),
        ("record_opened", "anna@clinic.test", "paula@home.test"),
        ("account_added", "anna@clinic.test", "paula@home.test"),
    ]
    assert shown("--by", "anna@clinic.test") == [
        ("record_opened", "anna@clinic.test", "peter@home.test"),
        ("record_opened", "anna@clinic.test", "paula@home.test"),
        ("account_added", "anna@clinic.test", "paula@home.test"),
    ]
    assert shown("--by", "anna@clinic.test", "--about", "paula@home.test", "--action", "record_opened") == [
        ("record_opened", "anna@clinic.test", "paula@home.test")
    ]
    assert shown("--action", "way_in_given", "--action", "account_added", "--limit", "2") == [
        ("way_in_given", None, "paula@home.test"),
        ("account_added", "ben@clinic.test", "peter@home.test"),
    ]

    assert audit(clinic, "--action", "record_opened", "--limit", "1") == 0
    out = capsys.readouterr().out
    assert out.endswith("\n1 entry shown (of 3)\n") and "Anna Therapist (clinician)" in out
    assert audit(clinic, "--limit", "0") == 0
    assert capsys.readouterr().out.endswith(f"\n{SEEDED + 4} entries shown (of {SEEDED + 4})\n")


def test_since_and_until_are_whole_utc_days_both_included(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    utc = dt.UTC
    for at, detail in [
        (dt.datetime(2025, 3, 1, 23, 59, 59, 999999, tzinfo=utc), "the day before"),
        (dt.datetime(2025, 3, 2, 0, 0, tzinfo=utc), "since's first moment"),
        (dt.datetime(2025, 3, 3, 23, 59, 59, 999999, tzinfo=utc), "until's last moment"),
        (dt.datetime(2025, 3, 4, 0, 0, tzinfo=utc), "the day after"),
    ]:
        _log(clinic, "record_exported", "paula@home.test", "anna@clinic.test", at, detail)

    def details(*args: str) -> list[str]:
        return [e["detail"] for e in audit_json(clinic, capsys, "--action", "record_exported", *args)]

    assert details("--since", "2025-03-02", "--until", "2025-03-03") == [
        "until's last moment",
        "since's first moment",
    ]
    assert details("--since", "2025-03-04") == ["the day after"]
    assert details("--until", "2025-03-01") == ["the day before"]
    assert details("--since", "2025-03-03", "--until", "2025-03-03") == ["until's last moment"]
    (entry,) = audit_json(clinic, capsys, "--since", "2025-03-02", "--until", "2025-03-02")
    assert entry["at"] == "2025-03-02T00:00:00+00:00"


def test_the_calendars_last_day_and_a_limit_beyond_any_count_are_every_entry(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--until 9999-12-31`` ended in OverflowError ('date value out of range': the day after it was worked out)
    and a ``--limit`` beyond SQLite's 64-bit integers in OverflowError ('Python int too large to convert to SQLite
    INTEGER'), both tracebacks. Both leave nothing out."""
    every = audit_json(clinic, capsys, "--limit", "0")
    assert len(every) == SEEDED
    assert audit_json(clinic, capsys, "--until", "9999-12-31") == every
    assert audit_json(clinic, capsys, "--since", "0001-01-01", "--until", "9999-12-31") == every
    assert audit_json(clinic, capsys, "--limit", str(2**64)) == every
    assert audit(clinic, "--limit", "9" * 100) == 0
    assert capsys.readouterr().out.endswith(f"\n{SEEDED} entries shown (of {SEEDED})\n")


def test_json_says_when_what_who_about_whom_and_the_detail(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    at = dt.datetime(2020, 6, 30, 14, 5, 7, 250000, tzinfo=dt.UTC)
    _log(clinic, "record_exported", "peter@home.test", "ben@clinic.test", at, "progress summary to a file")
    _log(clinic, "account_closed", "peter@home.test", None, at + dt.timedelta(hours=1), "discharged")

    closed, exported = audit_json(clinic, capsys, "--about", "peter@home.test", "--until", "2020-12-31")
    assert exported == {
        "at": "2020-06-30T14:05:07.250000+00:00",
        "action": "record_exported",
        "action_words": "exported the record",
        "actor": {
            "id": clinic.clinician_b,
            "name": "Ben Therapist",
            "email": "ben@clinic.test",
            "role": "clinician",
        },
        "subject": {
            "id": clinic.patient_b,
            "name": "Peter Patient",
            "email": "peter@home.test",
            "role": "patient",
        },
        "detail": "progress summary to a file",
    }
    assert closed["at"] == "2020-06-30T15:05:07.250000+00:00"
    assert (closed["action_words"], closed["actor"], closed["detail"]) == (
        "closed the account",
        None,
        "discharged",
    )
    (added,) = audit_json(clinic, capsys, "--about", "anna@clinic.test")
    assert added["actor"] is None and added["detail"] == "as clinician"
    assert dt.datetime.fromisoformat(added["at"]).utcoffset() == dt.timedelta(0)


def test_an_empty_trail_or_no_match_says_so(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit(clinic, "--about", "ben@clinic.test", "--action", "record_opened") == 0
    assert capsys.readouterr().out == f"no entries match (the audit trail has {SEEDED})\n"
    assert audit_json(clinic, capsys, "--about", "ben@clinic.test", "--action", "record_opened") == []


def test_a_new_clinic_has_an_empty_trail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from backstride import store

    url = f"sqlite:///{tmp_path / 'new.db'}"
    store.upgrade(url)
    assert main(["audit", "--database-url", url]) == 0
    assert capsys.readouterr().out == "the audit trail has no entries yet\n"


# ------------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--about", "nobody@home.test"],
            "no account has the e-mail address nobody@home.test (see backstride users list)",
        ),
        (
            ["--by", "Nobody@Clinic.test"],
            "no account has the e-mail address nobody@clinic.test (see backstride users list)",
        ),
        (["--since", "2025-02-30"], "--since must be a day as YYYY-MM-DD, not '2025-02-30'"),
        (["--until", "yesterday"], "--until must be a day as YYYY-MM-DD, not 'yesterday'"),
        (["--since", "2025-03-01T10:00"], "--since must be a day as YYYY-MM-DD, not '2025-03-01T10:00'"),
        (
            ["--since", "2025-03-05", "--until", "2025-03-04"],
            "--until 2025-03-04 is before --since 2025-03-05: no entry could match",
        ),
        (
            ["--action", "opened_the_record"],
            "--action must be one of account_added, signed_in, record_opened, record_exported, way_in_given, "
            "password_chosen, account_closed, account_reopened, care_linked, care_unlinked; not "
            "'opened_the_record'",
        ),
        (["--limit", "-1"], "--limit must be a number of entries, 0 for all; not -1"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    clinic: Clinic, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stored(clinic)
    for json_too in ([], ["--json"]):
        assert audit(clinic, *args, *json_too) == 2
        assert _one_error_line(capsys) == said
    assert _stored(clinic) == before


def test_a_database_not_at_the_newest_revision_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from backstride import store

    url = f"sqlite:///{tmp_path / 'old.db'}"
    store.upgrade(url, "0006")
    assert main(["audit", "--database-url", url]) == 2
    assert _one_error_line(capsys).startswith(
        f"the database at {url} is at revision 0006, not the newest ({store.head_revision()}): bring it up to date "
        "with backstride db upgrade first"
    )
    assert store.current_revision(url) == "0006"


def test_audit_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    assert main(["--help"]) == 0
    assert re.search(r"^\W*audit\s", capsys.readouterr().out, re.MULTILINE)


# ------------------------------------------------------------------------------------------------ exports
def _exports(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> list[tuple[Any, str, str]]:
    return [
        (e["actor"], e["subject"]["email"], e["detail"])
        for e in audit_json(clinic, capsys, "--action", "record_exported")
    ]


def test_each_export_written_is_an_entry_from_the_command_line(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = ["--database-url", clinic.url]
    assert main(["export-fhir", "paula@home.test", "--out", "paula.fhir.json", *db]) == 0
    assert main(["export-summary", str(clinic.patient_b), "-o", str(tmp_path / "peter.html"), *db]) == 0
    assert main(["export-fhir", "peter@home.test", *db]) == 0
    assert json.loads(capsys.readouterr().out)["resourceType"] == "Bundle"
    assert (tmp_path / "paula.fhir.json").is_file() and (tmp_path / "peter.html").is_file()

    assert _exports(clinic, capsys) == [
        (None, "peter@home.test", "FHIR R4 bundle to standard output"),
        (None, "peter@home.test", f"progress summary to {tmp_path / 'peter.html'}"),
        (None, "paula@home.test", f"FHIR R4 bundle to {tmp_path / 'paula.fhir.json'}"),
    ]
    assert audit(clinic, "--about", "peter@home.test", "--action", "record_exported") == 0
    lines = capsys.readouterr().out.splitlines()
    _row(
        lines,
        "command line (server)",
        "exported the record",
        "Peter Patient",
        "progress summary",
    )


@pytest.mark.parametrize("command", ["export-fhir", "export-summary"])
def test_an_export_that_fails_leaves_no_entry_and_no_file(
    clinic: Clinic,
    tmp_path: Path,
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.exc import OperationalError

    import backstride._files
    from backstride import store

    db = ["--database-url", clinic.url]
    before = _stored(clinic)
    out = tmp_path / "out" / "paula.export"
    assert main([command, "paula@home.test", "--out", str(out), *db]) == 2  # no such folder
    assert "the folder" in _one_error_line(capsys)
    assert main([command, "nobody@home.test", *db]) == 2
    assert _one_error_line(capsys).startswith("there is no patient 'nobody@home.test'")

    out.parent.mkdir()
    writes = backstride._files.write_text_whole

    def disk_full(path: Path, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backstride._files, "write_text_whole", disk_full)
    assert main([command, "paula@home.test", "--out", str(out), *db]) == 2
    assert _one_error_line(capsys) == f"could not write {out}: No space left on device; nothing was exported"
    assert list(out.parent.iterdir()) == []

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT INTO audit_events", {}, Exception("database is locked"))

    monkeypatch.setattr(backstride._files, "write_text_whole", writes)
    monkeypatch.setattr(store, "log_event", locked)
    assert main([command, "paula@home.test", "--out", str(out), *db]) == 2
    assert _one_error_line(capsys) == (
        f"could not export from the database at {clinic.url}: database is locked; nothing was exported"
    )
    assert list(out.parent.iterdir()) == []
    assert _stored(clinic) == before
