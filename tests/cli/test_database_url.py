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
