"""A ``--database-url`` that is no URL at all, given to every command that opens the clinic database: one line
saying so and exit 2, nothing made."""

from __future__ import annotations

from pathlib import Path

import pytest

from backstride.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["export-fhir", "ann@example.org"],
        ["export-summary", "ann@example.org"],
        ["export-plan", "ann@example.org"],
        ["db", "backup", "{tmp}/backup"],
        ["db", "status"],
        ["db", "upgrade"],
        ["users", "list"],
        ["audit"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_a_database_url_that_is_no_url_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """Before, the exports and ``db backup`` ended in SQLAlchemy's ArgumentError traceback ('Could not parse
    SQLAlchemy URL from given URL string'), raised by store.sqlite_path."""
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert main([*argv, "--database-url", "not a url"]) == 2
    out, err = capsys.readouterr()
    assert (
        err
        == "backstride: error: not a database URL: 'not a url' (Could not parse SQLAlchemy URL from given URL string)\n"
    )
    assert out == "" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["serve", "demo"])
@pytest.mark.parametrize("port", ["-1", "65536", "99999"])
def test_a_port_no_server_can_listen_on_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, port: str
) -> None:
    """Before, the app was made (demo: its clinic seeded) and then bind() raised OverflowError ('port must be
    0-65535'), a traceback."""
    data = ["--data-dir", str(tmp_path / "demo")] if command == "demo" else []
    assert main([command, "--port", port, *data]) == 2
    out, err = capsys.readouterr()
    assert "Invalid value for '--port'" in err and "<=x<=65535" in err and "Traceback" not in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_serve_on_a_file_that_is_not_a_database_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: SQLAlchemy's DatabaseError traceback ('file is not a database') from the app's start."""
    junk = tmp_path / "clinic.db"
    junk.write_bytes(b"not a database at all, just bytes" * 10)
    assert main(["serve", "--database-url", f"sqlite:///{junk}", "--port", "8799"]) == 2
    out, err = capsys.readouterr()
    assert (
        err == f"backstride: error: could not open the database at sqlite:///{junk}: file is not a database\n"
    )
    assert out == "" and junk.read_bytes() == b"not a database at all, just bytes" * 10
