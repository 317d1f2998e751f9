"""The clinical commands' JSON files (answers, baseline, plan, log, gait result) damaged beyond what ``json``
reads as a value: one readable line and exit 2, never a traceback, and never an emergency hidden."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backstride.cli import main

BASELINE = {"age": 58, "sex": "male", "pain_nrs": 5, "walking_tolerance_min": 12, "start_date": "2026-03-02"}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _commands(tmp_path: Path, damaged: Path) -> list[list[str]]:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(BASELINE), encoding="utf-8")
    return [
        ["triage", "--answers", str(damaged)],
        ["score", "nprs", "--answers", str(damaged)],
        ["plan", "--baseline", str(damaged)],
        ["progress", "--plan", str(damaged), "--log", str(damaged)],
        ["norms", "--gait", str(damaged), "--age", "50", "--sex", "female"],
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nests its lists or objects too deeply to read"),
        ('{"score": ' + "9" * 5000 + "}", "holds a whole number of more than 4300 digits"),
    ],
    ids=["nested-100000-deep", "a-5000-digit-number"],
)
def test_json_that_python_cannot_hold_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    """Before, a list nested 100 000 deep was a RecursionError traceback and a number of 5000 digits a
    ValueError traceback ('Exceeds the limit (4300 digits) for integer string conversion'), from every command."""
    damaged = tmp_path / "damaged.json"
    damaged.write_text(content, encoding="utf-8")
    for argv in _commands(tmp_path, damaged):
        code, out, err = _run(argv, capsys)
        assert (code, out) == (2, ""), argv
        assert err.startswith("backstride: error: ") and message in err, argv
        assert len(err.splitlines()) == 1 and "Traceback" not in err, argv


def test_an_answer_beyond_any_float_is_refused_by_its_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole number of 401 digits is JSON Python reads, but not one a float holds: the screen's finiteness
    check (math.isfinite) raised OverflowError, a traceback."""
    answers = tmp_path / "answers.json"
    answers.write_text('{"age": 1' + "0" * 400 + "}", encoding="utf-8")
    code, out, err = _run(["triage", "--answers", str(answers)], capsys)
    assert (code, out) == (2, "")
    assert (
        err.startswith("backstride: error: answer 'age' must be between 0 and") and len(err.splitlines()) == 1
    )


def test_an_answer_beyond_any_float_does_not_hide_an_emergency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The traceback came before the emergency rules were looked at: saddle numbness with an age of 10**400 showed
    no emergency at all."""
    answers = tmp_path / "answers.json"
    answers.write_text('{"saddle_numbness": true, "pain_nrs": 1' + "0" * 400 + "}", encoding="utf-8")
    code, out, err = _run(["triage", "--answers", str(answers), "--json"], capsys)
    assert code == 0 and "Traceback" not in err
    result = json.loads(out)
    assert result["urgency"] == "emergency"
    assert "answer 'pain_nrs' must be between 0 and 10" in result["notes"][0]
