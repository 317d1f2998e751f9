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


# Found by a seeded fuzzer of the clinical commands' JSON files (30 000 variants): a lone surrogate escape, a
# key with a line break, a value of 100 000 characters, a date given as a number or in the year 9999, and a plan
# naming an exercise the library does not have.

HALF = '"\\ud800"'  # JSON's escape of half of a surrogate pair: valid JSON, no Unicode


def _one_line_error(code: int, out: str, err: str) -> str:
    assert (code, out) == (2, ""), (code, out, err)
    assert err.startswith("backstride: error: ") and len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    err.encode("utf-8")  # strict: the message itself can be written
    return err


def test_a_lone_surrogate_beside_a_warning_sign_keeps_the_emergency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The --json result held the text and could not be written (PydanticSerializationError): no output at
    all, the emergency unsaid. The text is left out like a key given twice, and the emergency said."""
    answers = tmp_path / "answers.json"
    answers.write_text('{"saddle_numbness": true, ' + HALF + ": 1}", encoding="utf-8")
    for as_json in (["--json"], []):
        code, out, err = _run(["triage", "--answers", str(answers), *as_json], capsys)
        assert (code, err) == (0, ""), err
        out.encode("utf-8")
        if as_json:
            result = json.loads(out)
            assert result["urgency"] == "emergency"
            assert "holds a text that is no Unicode ('\\ud800'" in result["notes"][0]
        else:
            words = " ".join(out.split())  # as the terminal's width wraps it
            assert "CALL 911 NOW" in words and "holds a text that is no Unicode" in words


def test_a_lone_surrogate_without_a_warning_sign_says_the_signs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"fever": false, ' + HALF + ": true}", encoding="utf-8")
    err = _one_line_error(*_run(["triage", "--answers", str(answers)], capsys))
    assert "holds a text that is no Unicode" in err and not_screened("911") in err


@pytest.mark.parametrize(
    ("command", "content"),
    [
        (
            ["score", "psfs"],
            '{"activities": [{"name": ' + HALF + ', "score": 3}, {"name": "b", "score": 5}]}',
        ),
        (["plan"], json.dumps(BASELINE)[:-1] + ', "gait": {' + HALF + ": 1}}"),
        (["progress"], '[{"date": "2026-03-02", "exercises_done": [' + HALF + "]}]"),
    ],
    ids=["psfs-name", "baseline-gait-key", "log-exercise"],
)
def test_a_lone_surrogate_anywhere_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], content: str
) -> None:
    """Each was a UnicodeEncodeError or PydanticSerializationError traceback."""
    damaged = tmp_path / "damaged.json"
    damaged.write_text(content, encoding="utf-8")
    if command == ["progress"]:
        argv = ["progress", "--plan", str(_plan(tmp_path, capsys)), "--log", str(damaged)]
    else:
        argv = [*command, "--answers" if command[0] == "score" else "--baseline", str(damaged)]
    err = _one_line_error(*_run(argv, capsys))
    assert "holds a text that is no Unicode ('\\ud800': an escape of half of a character" in err


@pytest.mark.parametrize(
    ("command", "content", "said"),
    [
        (["triage", "--answers"], '{"fever": false, "a\\nb": true}', "unknown answer id(s): a\\nb ("),
        (["score", "nprs", "--answers"], '{"score": 5, "a\\nb": 1}', "unknown field(s) a\\nb;"),
        (["plan", "--baseline"], '{"a\\nb": 1, "a\\nb": 2}', "gives the key 'a\\nb' twice"),
        (
            ["plan", "--baseline"],
            json.dumps({**BASELINE, "a\nb": 1}),
            ": a\\nb: Extra inputs are not permitted",
        ),
        (
            ["plan", "--baseline"],
            json.dumps({**BASELINE, "gait": {"\x1b[2J": 1}}),
            "unknown field(s) \\x1b[2J;",
        ),
    ],
    ids=["triage-id", "nprs-field", "duplicated-key", "baseline-field", "gait-field-escape"],
)
def test_a_key_with_control_characters_is_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], content: str, said: str
) -> None:
    """A line break in a key made a two-line message; an escape sequence reached the terminal (and cleared
    it). The key is shown as it is written in the file."""
    damaged = tmp_path / "damaged.json"
    damaged.write_text(content, encoding="utf-8")
    err = _one_line_error(*_run([*command, str(damaged)], capsys))
    assert said in err and "\x1b" not in err


def test_a_long_value_is_cut_in_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A value of 100 000 characters was repeated whole in the message."""
    answers = tmp_path / "nprs.json"
    answers.write_text(json.dumps({"score": "A" * 100_000}), encoding="utf-8")
    err = _one_line_error(*_run(["score", "nprs", "--answers", str(answers)], capsys))
    assert "got 'AAAA" in err and "..." in err and len(err) < 200


@pytest.mark.parametrize(
    ("start_date", "said"),
    [
        (0, "start_date: must be a date written as text, YYYY-MM-DD, got 0"),
        ("9999-12-31", "start_date: must be a date from 1900-01-01 to 2200-12-31, got 9999-12-31"),
    ],
)
def test_a_date_is_text_within_the_clinic_s_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start_date: object, said: str
) -> None:
    """A number was read as seconds since 1970 (a plan from 1970-01-01, exit 0); a plan of the year 9999 was
    made, and its review ended in OverflowError (the week's end after the last date Python knows)."""
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({**BASELINE, "start_date": start_date}), encoding="utf-8")
    err = _one_line_error(*_run(["plan", "--baseline", str(baseline)], capsys))
    assert said in err


def test_a_plan_of_the_year_9999_is_refused_at_its_review(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _plan(tmp_path, capsys)
    plan.write_text(plan.read_text().replace('"2026-03-02"', '"9999-12-25"'), encoding="utf-8")
    log = tmp_path / "log.json"
    log.write_text("[]", encoding="utf-8")
    err = _one_line_error(*_run(["progress", "--plan", str(plan), "--log", str(log)], capsys))
    assert "start_date: must be a date from 1900-01-01 to 2200-12-31" in err


def test_a_plan_naming_an_exercise_the_library_lacks_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read as it was, the week that stepped back (a flare) looked the id up: KeyError."""
    plan = _plan(tmp_path, capsys)
    data = json.loads(plan.read_text())
    data["exercises"][0]["id"] = "nonexistent_ex"
    plan.write_text(json.dumps(data), encoding="utf-8")
    log = tmp_path / "log.json"
    log.write_text('[{"date": "2026-03-02", "pain_today": 9}]', encoding="utf-8")
    err = _one_line_error(*_run(["progress", "--plan", str(plan), "--log", str(log)], capsys))
    assert "unknown exercise id 'nonexistent_ex'; `backstride exercises` lists the library" in err


def test_an_emergency_number_of_two_lines_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"saddle_numbness": true}', encoding="utf-8")
    err = _one_line_error(*_run(["triage", "--answers", str(answers), "--emergency-number", "1\n2"], capsys))
    assert "the emergency number must be one line of text, e.g. 911, 112 or 999, not '1\\n2'" in err
