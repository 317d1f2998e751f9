"""The clinical commands' JSON files (answers, baseline, plan, log, gait result) damaged beyond what ``json``
reads as a value: one readable line and exit 2, never a traceback, and never an emergency hidden."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backstride.cli import main
from backstride.clinic import not_screened

BASELINE = {"age": 58, "sex": "male", "pain_nrs": 5, "walking_tolerance_min": 12, "start_date": "2026-03-02"}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A first week's plan, as ``backstride plan --json`` writes it."""
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(BASELINE), encoding="utf-8")
    plan = tmp_path / "plan.json"
    assert main(["plan", "--baseline", str(baseline), "--json"]) == 0
    plan.write_text(capsys.readouterr().out, encoding="utf-8")
    return plan


def _commands(tmp_path: Path, damaged: Path) -> list[list[str]]:
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
    ],
    ids=["nested-100000-deep"],
)
def test_json_that_python_cannot_hold_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    """Before, a list nested 100 000 deep was a RecursionError traceback from every command."""
    damaged = tmp_path / "damaged.json"
    damaged.write_text(content, encoding="utf-8")
    for argv in _commands(tmp_path, damaged):
        code, out, err = _run(argv, capsys)
        assert (code, out) == (2, ""), argv
        assert err.startswith("backstride: error: ") and message in err, argv
        assert len(err.splitlines()) == 1 and "Traceback" not in err, argv


def test_an_answer_beyond_any_float_is_refused_by_its_range() -> None:
    """A whole number no float holds, given to the screen in Python: its finiteness check (math.isfinite) raised
    OverflowError, which came before the emergency rules were looked at."""
    from backstride import InputError
    from backstride.clinic import triage

    with pytest.raises(InputError, match="answer 'age' must be between 0 and"):
        triage({"age": 10**400})
    shown = triage({"saddle_numbness": True, "pain_nrs": 10**400})
    assert shown.urgency == "emergency" and "answer 'pain_nrs' must be between 0 and 10" in shown.notes[0]


def test_an_answer_beyond_any_float_in_a_file_does_not_hide_an_emergency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole number of 401 or of 5000 digits in the answers file (an OverflowError, a ValueError traceback
    before) is one answer refused, and an emergency answered beside it is still shown."""
    for digits in (401, 5000):
        answers = tmp_path / "answers.json"
        answers.write_text('{"saddle_numbness": true, "pain_nrs": 1' + "0" * digits + "}", encoding="utf-8")
        code, out, err = _run(["triage", "--answers", str(answers), "--json"], capsys)
        assert code == 0 and err == ""
        result = json.loads(out)
        assert result["urgency"] == "emergency"
        assert "answer 'pain_nrs' must be a finite number, got inf" in result["notes"][0]
        answers.write_text('{"age": 1' + "0" * digits + "}", encoding="utf-8")
        code, out, err = _run(["triage", "--answers", str(answers)], capsys)
        assert (code, out, err) == (
            2,
            "",
            f"backstride: error: answer 'age' must be a finite number, got inf. {not_screened('911')}\n",
        )


BEYOND_ANY_FLOAT = "1" + "0" * 400  # JSON Python reads as an int no float holds


@pytest.mark.parametrize(
    ("argv", "file", "content", "message"),
    [
        (["score", "nprs", "--answers", "{f}"], "a.json", '{"score": N}', "nprs score: expected a number"),
        (
            ["score", "odi", "--answers", "{f}"],
            "a.json",
            '{"sections": [N, 1, 1, 1, 1, 1, 1, 1, 1, 1]}',
            "odi",
        ),
        (
            ["score", "psfs", "--answers", "{f}"],
            "a.json",
            '{"activities": [{"name": "a", "score": N}, {"name": "b", "score": 1}, {"name": "c", "score": 1}]}',
            "psfs",
        ),
        (["plan", "--baseline", "{f}"], "b.json", json.dumps(BASELINE).replace("58", "N"), "age"),
        (
            ["progress", "--plan", "{plan}", "--log", "{f}"],
            "l.json",
            '[{"date": "2026-03-02", "next_morning_pain": N}]',
            "next_morning_pain",
        ),
        (["progress", "--plan", "{f}", "--log", "{log}"], "p.json", "PLAN", "week"),
        (
            ["norms", "--gait", "{f}", "--age", "50", "--sex", "F"],
            "g.json",
            '{"median_walking_speed_mps": N}',
            "median_walking_speed_mps",
        ),
    ],
    ids=["score-nprs", "score-odi", "score-psfs", "plan", "progress-log", "progress-plan", "norms"],
)
def test_a_whole_number_beyond_any_float_is_refused_as_a_value_out_of_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], file: str, content: str, message: str
) -> None:
    """A whole number of 401 digits was an OverflowError traceback ('int too large to convert to float') from
    score, plan, progress and norms; it reads as 1e401 does, an infinite number each check refuses."""
    plan = _plan(tmp_path, capsys)
    log = tmp_path / "log.json"
    log.write_text('[{"date": "2026-03-02", "walks": []}]', encoding="utf-8")
    if content == "PLAN":
        content = plan.read_text(encoding="utf-8").replace('"week": 1', '"week": N')
    damaged = tmp_path / file
    damaged.write_text(content.replace("N", BEYOND_ANY_FLOAT), encoding="utf-8")
    argv = [a.format(f=damaged, plan=plan, log=log) for a in argv]
    code, out, err = _run(argv, capsys)
    assert (code, out) == (2, ""), err
    assert err.startswith("backstride: error: ") and message in err and len(err.splitlines()) == 1, err


def test_a_warning_sign_logged_beside_a_number_beyond_any_float_stops_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _plan(tmp_path, capsys)
    log = tmp_path / "log.json"
    log.write_text(
        '[{"date": "2026-03-02", "next_morning_pain": '
        + BEYOND_ANY_FLOAT
        + ', "red_flags": {"saddle_numbness": true}}]',
        encoding="utf-8",
    )
    code, out, err = _run(["progress", "--plan", str(plan), "--log", str(log), "--json"], capsys)
    assert code == 0 and err == ""
    assert json.loads(out)["decision"] == "stop"


def test_a_file_beyond_any_json_input_is_refused_before_it_is_read_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``plan --baseline /dev/zero`` read until memory ran out: a file is read up to the limit and no further
    (the limit lowered here to a megabyte, so the test reads no more than that)."""
    from backstride.clinic import _jsonfile

    monkeypatch.setattr(_jsonfile, "MAX_BYTES", 2**20)
    big = tmp_path / "big.json"
    big.write_text(json.dumps({**BASELINE, "notes": "x" * 2**20}), encoding="utf-8")
    for argv in _commands(tmp_path, big):
        code, out, err = _run(argv, capsys)
        assert (code, out) == (2, ""), argv
        assert err.startswith("backstride: error: the ") and err.count("\n") == 1, argv
        assert f"file {big} is larger than 1 MB, far more than any such file holds; is it the right" in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_baseline_that_never_ends_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["plan", "--baseline", "/dev/zero"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "backstride: error: the baseline file /dev/zero is larger than 256 MB, far more than any such file "
        "holds; is it the right file?\n"
    )
