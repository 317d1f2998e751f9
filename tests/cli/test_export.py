"""``backstride export-fhir``, ``export-summary`` and ``export-plan``: a patient's bundle, progress summary or home
program sheet from the clinic database, or one readable error."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from tests.conftest import clinic_db

from backstride import fhir, store
from backstride.cli import main


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    store.upgrade(url)
    with clinic_db(url) as s:
        c = store.create_user(s, "pt@clinic.org", "Pat Therapist", "clinician")
        p = store.create_patient(s, c, "ann@example.org", "Ann", sex="female", height_m=1.7)
        store.add_questionnaire(s, p.id, "nprs", {"score": 4}, 4.0, {"instrument": "nprs", "score": 4.0})
    return url


def test_export_to_a_file(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ann.fhir.json"
    assert main(["export-fhir", "ann@example.org", "--database-url", db_url, "--out", str(out)]) == 0
    bundle = json.loads(out.read_text(encoding="utf-8"))
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    # height, pain, and the progress summary for the doctor
    assert kinds == ["CodeSystem", "Patient", "Observation", "Observation", "DocumentReference"]
    pain = bundle["entry"][3]["resource"]
    assert pain["code"]["coding"][0]["code"] == "72514-3" and pain["valueQuantity"]["value"] == 4.0
    (attachment,) = [c["attachment"] for c in bundle["entry"][4]["resource"]["content"]]
    page = base64.b64decode(attachment["data"]).decode("utf-8")
    assert "<h1>Progress summary: Ann</h1>" in page and "<td>1×</td>" in page  # the same stored rating
    assert "<script" not in page and attachment["size"] == len(page.encode("utf-8"))
    assert "5 resources for Ann written to" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    # by number, to standard output: the same record
    patient_id = bundle["entry"][1]["resource"]["identifier"][0]["value"]
    assert main(["export-fhir", patient_id, "--database-url", db_url]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["entry"][:-1] == bundle["entry"][:-1] and printed["type"] == "collection"
    assert bundle["entry"][0]["resource"]["url"] == fhir.CODE_SYSTEM


def test_the_summary_to_a_file(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ann-summary.html"
    assert main(["export-summary", "ann@example.org", "--database-url", db_url, "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<h1>Progress summary: Ann</h1>" in page
    assert "<td>Numeric Pain Rating Scale</td>" in page and "<td>1×</td>" in page  # the stored rating
    assert "<td>1.70 m</td>" in page and "<td>female</td>" in page
    assert "the progress summary for Ann written to" in capsys.readouterr().err
    assert main(["export-summary", "ann@example.org", "--database-url", db_url]) == 0
    printed = capsys.readouterr().out
    assert printed.split("made by backstride on")[0] == page.split("made by backstride on")[0]


def test_the_summary_is_drawn_without_holding_the_databases_write_lock(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A summary's plots take about a second to draw; the export read and drew it in its writing transaction, so
    the clinic's app could not save anything (SQLite's one writer) until it was done. While it draws, another
    connection can now write; the audit entry is still written with the file."""
    import sqlite3

    from backstride import report

    drawn = report.course_report
    writes: list[str] = []

    def drawing(*args: object, **kwargs: object) -> str:
        other = sqlite3.connect(str(tmp_path / "clinic.db"), timeout=0.2)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" while the export holds the write lock
            other.execute("ROLLBACK")
            writes.append("written")
        finally:
            other.close()
        return drawn(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(report, "course_report", drawing)
    out = tmp_path / "ann-summary.html"
    assert main(["export-summary", "ann@example.org", "--database-url", db_url, "--out", str(out)]) == 0
    assert writes == ["written"] and "<h1>Progress summary: Ann</h1>" in out.read_text(encoding="utf-8")
    assert _exports(db_url) == [f"progress summary to {out.absolute()}"]


def _save_plan(url: str, start: dt.date) -> object:
    """Ann's first plan from the clinic's program builder (pain 4, 12 minutes tolerated), starting on ``start``."""
    from backstride import clinic

    plan = clinic.make_plan(
        clinic.Baseline(age=45, sex="female", pain_nrs=4, walking_tolerance_min=12, start_date=start)
    )
    with clinic_db(url) as s:
        user = store.get_user_by_email(s, "ann@example.org")
        assert user is not None
        store.save_plan(s, user.id, plan.model_dump(mode="json"), "first plan", None)
    return plan


def _exports(url: str) -> list[str | None]:
    with clinic_db(url, readonly=True) as s:
        return [e.detail for e in store.audit_trail(s, actions=["record_exported"])]


def test_the_home_program_sheet_to_a_file(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _save_plan(db_url, dt.date.today())
    out = tmp_path / "ann-home-program.html"
    args = ["export-plan", "ann@example.org", "--database-url", db_url, "--emergency-number", "112"]
    assert main([*args, "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    text = " ".join(page.split())
    assert "<h1>Your home program: Ann</h1>" in page
    assert "3 walks a day, 10 minutes each</strong> (30 minutes of walking a day)" in text
    for px in plan.exercises:  # type: ignore[attr-defined]
        assert px.dose_text in page
    assert "call 112</span>" in page
    assert "the home program sheet for Ann written to" in capsys.readouterr().err
    assert _exports(db_url) == [f"home program sheet to {out.absolute()}"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert printed.split("Made by backstride on")[0] == page.split("Made by backstride on")[0]


def test_the_sheet_says_to_see_a_doctor_today_when_the_latest_screen_did(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: the printed program said nothing of the latest check-in's "see a doctor today"."""
    from backstride import clinic

    _save_plan(db_url, dt.date.today())
    result = clinic.triage({"fever": True}, emergency_number="112")
    with clinic_db(db_url) as s:
        patient = store.get_user_by_email(s, "ann@example.org")
        assert patient is not None
        store.add_screening(s, patient.id, {"fever": True}, result.urgency, result)
    args = ["export-plan", "ann@example.org", "--database-url", db_url, "--emergency-number", "112"]
    assert main(args) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert f"{clinic.advice_for('same_day', '112')}</strong> Please do this before you start" in text
    assert "A fever with back pain can be a sign of infection" in text


def test_the_sheet_is_of_the_week_under_way(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A plan whose week has passed is reviewed as the app reviews it, so the sheet is of this week."""
    _save_plan(db_url, dt.date.today() - dt.timedelta(days=8))
    assert main(["export-plan", "ann@example.org", "--database-url", db_url]) == 0
    page = capsys.readouterr().out
    assert "Week 2: " in page and "program version 2" in page


def test_the_home_program_sheet_is_not_made_without_an_emergency_number(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # before: the sheet was written with "call </span>": the number to call left blank on paper
    _save_plan(db_url, dt.date.today())
    out = tmp_path / "sheet.html"
    args = ["export-plan", "ann@example.org", "--database-url", db_url, "--emergency-number", ""]
    assert main([*args, "--out", str(out)]) == 2
    assert "the emergency number must be a non-empty text" in capsys.readouterr().err
    assert not out.exists() and _exports(db_url) == []


def test_a_paused_plan_is_exported_on_hold_and_not_printed(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # a warning sign logged today pauses Ann's plan: the bundle says so, the summary too, and no sheet is made
    from backstride import clinic

    _save_plan(db_url, dt.date.today())
    with clinic_db(db_url) as s:
        user = store.get_user_by_email(s, "ann@example.org")
        assert user is not None
        log = clinic.DailyLog(date=dt.date.today(), red_flags={"foot_drop": True})
        store.upsert_log(s, user.id, log.date, log.model_dump(mode="json"))
    assert main(["export-fhir", "ann@example.org", "--database-url", db_url]) == 0
    bundle = json.loads(capsys.readouterr().out)
    (care,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"]
    why = "Paused for a warning sign (foot drop) until a clinician, having checked the patient, resumes it."
    assert care["status"] == "on-hold" and care["note"][-1] == {"text": why, "time": log.date.isoformat()}
    assert main(["export-summary", "ann@example.org", "--database-url", db_url]) == 0
    summary = capsys.readouterr().out
    assert why in summary and f"paused since {log.date.isoformat()}" in summary
    assert main(["export-plan", "ann@example.org", "--database-url", db_url]) == 2
    assert "is paused for a warning sign" in capsys.readouterr().err


def test_no_plan_is_one_line_and_writes_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ann.html"
    assert main(["export-plan", "ann@example.org", "--database-url", db_url, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("backstride: error: Ann has no plan yet") and err.count("\n") == 1
    assert not out.exists() and _exports(db_url) == []


@pytest.mark.parametrize("command", ["export-fhir", "export-summary", "export-plan"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.org"], "there is no patient 'nobody@example.org'"),
        (["pt@clinic.org"], "there is no patient 'pt@clinic.org'"),  # a clinician is not a patient
        # a number no row can have (PostgreSQL's integer ends at 2**31 - 1; SQLite's at 2**63 - 1 raised) or one
        # that is a digit only to str.isdigit: both were tracebacks
        (["99999999999999999999"], "there is no patient '99999999999999999999'"),
        (["0"], "there is no patient '0'"),
        (["²"], "there is no patient '²'"),
        (["ann@example.org", "--out", "{tmp}/missing/ann.json"], "the folder {tmp}/missing does not exist"),
    ],
)
def test_errors_are_one_line_and_write_nothing(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    args: list[str],
    message: str,
) -> None:
    args = [a.format(tmp=tmp_path) for a in args]
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main([command, *args, "--database-url", db_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("backstride: error: ") and message.format(tmp=tmp_path) in err
    assert err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_no_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.db"
    assert main(["export-fhir", "ann@example.org", "--database-url", f"sqlite:///{missing}"]) == 2
    assert "there is no database at" in capsys.readouterr().err
    assert not missing.exists()  # not created by looking
    other = tmp_path / "other.db"
    other.write_bytes(b"not a database at all, just bytes" * 10)
    assert main(["export-fhir", "ann@example.org", "--database-url", f"sqlite:///{other}"]) == 2
    err = capsys.readouterr().err
    assert "could not read the database" in err and err.count("\n") == 1


def test_export_plan_does_not_load_the_web_app(db_url: str, tmp_path: Path) -> None:
    """The weekly review a sheet needs is ``backstride._plans``, outside the web package: the command runs without
    FastAPI (a clinic's command line need not carry the web app's start-up)."""
    import subprocess
    import sys

    _save_plan(db_url, dt.date.today())
    probe = (
        "import sys\n"
        "from backstride.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "web = sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette') or m == 'backstride.web')\n"
        "print('CODE', code, 'WEB', ' '.join(web), file=sys.stderr)\n"
    )
    out = tmp_path / "sheet.html"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            "export-plan",
            "ann@example.org",
            "--database-url",
            db_url,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    (line,) = [x for x in run.stderr.splitlines() if x.startswith("CODE")]
    assert line == "CODE 0 WEB ", run.stderr[-2000:]
    assert out.stat().st_size > 0


def test_an_export_to_a_pipe_or_through_a_link_writes_into_it_and_leaves_it_in_place(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The export was written beside --out and renamed onto it: a named pipe (as /dev/stdout, /dev/null or
    /dev/full are devices) was replaced by a regular file holding the record, and a link by a file of its own."""
    import os
    import stat

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # open first, so that the export's open does not wait
    try:
        code = main(["export-fhir", "ann@example.org", "--database-url", db_url, "--out", str(pipe)])
        assert code == 0, capsys.readouterr().err
        read = b""
        while chunk := os.read(reader, 1 << 16):  # the bundle fits in the pipe's buffer
            read += chunk
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert json.loads(read)["resourceType"] == "Bundle"

    real = tmp_path / "kept" / "ann.fhir.json"
    real.parent.mkdir()
    link = tmp_path / "ann.fhir.json"
    link.symlink_to(real)
    assert main(["export-fhir", "ann@example.org", "--database-url", db_url, "--out", str(link)]) == 0
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["resourceType"] == "Bundle"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize("stored", ["not json", '"a text"', "[1, 2]"])
def test_a_record_a_damaged_database_changed_is_one_line_and_writes_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], stored: str
) -> None:
    """Bytes changed in a database's stored JSON (found by fuzzing the commands on damaged copies): the export
    ended in a JSONDecodeError or AttributeError traceback. The command says which kind of error, and what to do."""
    import sqlite3

    path = store.sqlite_path(db_url)
    assert path is not None
    with sqlite3.connect(path) as db:
        db.execute("UPDATE questionnaire_responses SET result = ?", (stored,))
    db.close()
    out = tmp_path / "ann.fhir.json"
    assert main(["export-fhir", "ann@example.org", "--database-url", db_url, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"backstride: error: the database at {db_url} holds a record that cannot be read (")
    assert "is it damaged? Restore it from a backup" in err and len(err.splitlines()) == 1
    assert not out.exists() and [p for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
