"""``backstride export-fhir`` and ``export-summary``: a patient's bundle or progress summary from the clinic
database, or one readable error."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from backstride import fhir, store
from backstride.cli import main


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    store.upgrade(url)
    engine = store.make_engine(url)
    try:
        with store.transaction(engine) as s:
            c = store.create_user(s, "pt@clinic.org", "Pat Therapist", "clinician")
            p = store.create_patient(s, c, "ann@example.org", "Ann", sex="female", height_m=1.7)
            store.add_questionnaire(s, p.id, "nprs", {"score": 4}, 4.0, {"instrument": "nprs", "score": 4.0})
    finally:
        engine.dispose()
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


@pytest.mark.parametrize("command", ["export-fhir", "export-summary"])
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
