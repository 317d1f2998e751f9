"""The clinic's CLI commands: JSON and readable output, interactive triage, and bad input of every kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backstride.cli import app, main
from backstride.clinic import EMERGENCY_QUESTIONS, QUESTIONS, not_screened


def write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_triage_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = write(tmp_path, "a.json", {"urinary_retention": True, "age": 60})
    code, out, _ = run(["triage", "--answers", answers, "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["urgency"] == "emergency"
    assert result["complete"] is False
    assert "saddle_numbness" in result["unanswered"]
    assert result["reasons"][0]["id"] == "urinary_retention"


def test_triage_readable_emergency_is_unmissable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = write(tmp_path, "a.json", {"bilateral_leg_symptoms": True})
    code, out, _ = run(["triage", "--answers", answers, "--emergency-number", "112"], capsys)
    assert code == 0
    assert "EMERGENCY" in out
    assert "CALL 112 NOW" in out
    assert "cauda equina" in out


def test_triage_readable_names_its_findings_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The panel said "• fever + feeling_unwell:" where the clinic app, the doctor's summary and the FHIR export
    say "Fever + feeling unwell"; the answers' ids stay in the JSON (the answers file is written with them)."""
    answers = write(
        tmp_path, "a.json", {"fever": True, "feeling_unwell": True, "age": 75, "minor_trauma": True}
    )
    code, out, _ = run(["triage", "--answers", answers], capsys)
    flat = " ".join(out.replace("│", " ").split())
    assert code == 0
    assert "• Fever + feeling unwell: Back pain with a fever" in flat
    assert "• Minor trauma + age 75 (70 or more):" in flat
    assert "feeling_unwell" not in flat and "age >=" not in flat
    code, out, _ = run(["triage", "--answers", answers, "--json"], capsys)
    assert "fever + feeling_unwell" in [r["finding"] for r in json.loads(out)["reasons"]]


def test_triage_readable_routine_and_incomplete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = write(tmp_path, "a.json", {"sciatica": True})
    code, out, _ = run(["triage", "--answers", answers], capsys)
    assert code == 0
    assert "Screen incomplete: an emergency is not ruled out" in out
    assert "Incomplete screen" in out
    code, _, err = run(["triage", "--answers", answers, "--require-complete"], capsys)
    assert code == 3
    assert "saddle_numbness" in err


def test_triage_readable_incomplete_screen_is_not_headed_all_clear(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # nothing answered: the box must not announce "no warning signs found" in green as if the person had been
    # screened; it says the screen is incomplete and that an emergency is not ruled out
    answers = write(tmp_path, "a.json", {})
    code, out, _ = run(["triage", "--answers", answers], capsys)
    assert code == 0
    head = out.split("No warning signs found")[0]
    assert "Screen incomplete: an emergency is not ruled out" in head
    assert "Routine: no warning signs found" not in out
    # a same-day finding with emergency questions unanswered keeps its level and says the screen is incomplete
    answers = write(tmp_path, "b.json", {"osteoporosis": True, "minor_trauma": True})
    code, out, _ = run(["triage", "--answers", answers], capsys)
    assert code == 0
    assert "See a doctor TODAY (screen incomplete)" in out.splitlines()[0]
    # a complete routine screen keeps its all-clear heading
    from backstride.clinic._triage import EMERGENCY_QUESTIONS

    answers = write(tmp_path, "c.json", dict.fromkeys(EMERGENCY_QUESTIONS, False))
    code, out, _ = run(["triage", "--answers", answers], capsys)
    assert code == 0
    assert "Routine: no warning signs found" in out
    assert "incomplete" not in out.lower()


def test_triage_questions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["triage", "--questions", "--json"], capsys)
    assert code == 0
    listed = json.loads(out)
    assert [q["id"] for q in listed] == [q.id for q in QUESTIONS]
    code, out, _ = run(["triage", "--questions"], capsys)
    assert code == 0 and "saddle_numbness" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"saddle_numbess": True}, "unknown answer id(s): saddle_numbess"),
        ({"fever": "yes"}, "answer 'fever' must be true or false"),
        ({"pain_nrs": 12}, "answer 'pain_nrs' must be between 0 and 10, got 12. The warning-sign screen"),
        (
            {"pain_duration_weeks": -1},
            "answer 'pain_duration_weeks' must be between 0 and 5200 weeks, got -1. The warning-sign screen",
        ),
        ([1, 2], "must hold a JSON object"),
        ("{not json", "not valid JSON"),
    ],
)
def test_triage_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: object, message: str
) -> None:
    code, out, err = run(["triage", "--answers", write(tmp_path, "a.json", content)], capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""
    # the screen was not done: its emergency signs are said all the same, in the one line
    assert err.endswith(f"{not_screened('911')}\n") and err.count("\n") == 1


def test_triage_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["triage", "--answers", str(tmp_path / "nope.json")], capsys)
    assert code == 2 and "cannot read the answers file" in err


def test_interactive_triage_stops_at_first_emergency() -> None:
    # Answer "no" to the first two emergency questions, then "yes" to the third: the screen stops there.
    replies = "n\nn\ny\n"
    result = CliRunner().invoke(app, ["triage"], input=replies)
    assert result.exit_code == 0, result.output
    assert "EMERGENCY" in result.output and "CALL 911 NOW" in result.output
    fourth = QUESTIONS[3].text
    assert fourth not in result.output


def test_interactive_triage_full_routine_run_with_a_retry() -> None:
    replies = ["maybe", "n"] + ["n"] * (len(EMERGENCY_QUESTIONS) - 1)
    for q in QUESTIONS[len(EMERGENCY_QUESTIONS) :]:
        replies.append({"bool": "n", "int": "5", "float": "3", "choice": "female"}[q.kind])
    result = CliRunner().invoke(app, ["triage"], input="\n".join(replies) + "\n")
    assert result.exit_code == 0, result.output
    assert "please answer y (yes), n (no) or skip" in result.output
    assert "Routine" in result.output
    assert "Incomplete" not in result.output


def test_interactive_triage_fever_then_unwell_is_an_emergency() -> None:
    replies = []
    for qid in EMERGENCY_QUESTIONS:
        replies.append("y" if qid in ("fever", "feeling_unwell") else "n")
        if qid == "feeling_unwell":
            break
    result = CliRunner().invoke(app, ["triage"], input="\n".join(replies) + "\n")
    assert result.exit_code == 0
    assert "EMERGENCY" in result.output and "infection" in result.output


def test_score_json_and_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odi = write(tmp_path, "odi.json", {"sections": [1, 2, 3, 2, 2, 1, 0, None, 2, 3]})
    code, out, _ = run(["score", "odi", "--answers", odi, "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["score"] == pytest.approx(100 * 16 / 45)
    assert result["band"] == "moderate disability"
    code, out, _ = run(["score", "odi", "--answers", odi], capsys)
    assert code == 0 and "35.56" in out and "moderate disability" in out


def test_score_with_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = write(tmp_path, "b.json", {"score": 8})
    after = write(tmp_path, "a.json", {"score": 5})
    code, out, _ = run(["score", "nprs", "--answers", after, "--before", before, "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["change"]["verdict"] == "improved" and data["change"]["delta"] == -3
    code, out, _ = run(["score", "nprs", "--answers", after, "--before", before], capsys)
    assert "Change: improved" in out


@pytest.mark.parametrize(
    ("instrument", "content", "message"),
    [
        ("odi", {"sections": [1] * 9}, "odi 'sections' must have 10 entries"),
        ("startback", {"items": [0, 0, 0, 0, 0, 0, 0, 0, 7]}, "startback item 9"),
        ("psfs", {"activities": []}, "3 to 5"),
        ("rmdq", {"items": ["yes"] * 24}, "rmdq item 1"),
        ("ndi", {"score": 1}, "unknown instrument 'ndi'"),
    ],
)
def test_score_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], instrument: str, content: object, message: str
) -> None:
    code, _, err = run(["score", instrument, "--answers", write(tmp_path, "x.json", content)], capsys)
    assert code == 2
    assert message in err


BASELINE = {
    "age": 58,
    "sex": "male",
    "pain_nrs": 5,
    "walking_tolerance_min": 12,
    "odi": 32,
    "startback": "medium",
    "start_date": "2026-03-02",
}


def test_plan_and_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    assert code == 0
    plan = json.loads(out)
    assert (plan["walks_per_day"], plan["minutes_per_walk"], plan["daily_minutes"]) == (3, 10, 30)
    plan_path = write(tmp_path, "plan.json", plan)
    days = [
        {
            "date": f"2026-03-0{2 + i}",
            "walks": [{"minutes": 10, "pain_before": 3, "pain_during": 4, "pain_after": 3}] * 3,
            "next_morning_pain": 4,
            "exercises_done": ["bird_dog"],
        }
        for i in range(7)
    ]
    code, out, _ = run(
        ["progress", "--plan", plan_path, "--log", write(tmp_path, "log.json", days), "--json"], capsys
    )
    assert code == 0
    review = json.loads(out)
    assert review["decision"] == "progress"
    assert review["new_plan"]["daily_minutes"] == 33  # 3 x 11
    # the same week readable, and as {"days": [...]}
    code, out, _ = run(
        ["progress", "--plan", plan_path, "--log", write(tmp_path, "log2.json", {"days": days})], capsys
    )
    assert code == 0 and "PROGRESS" in out and "Week 2" in out
    # a red flag stops
    days[4]["red_flags"] = {"saddle_numbness": True}
    code, out, _ = run(["progress", "--plan", plan_path, "--log", write(tmp_path, "log3.json", days)], capsys)
    assert code == 0 and "STOP" in out and "CALL 911 NOW" in out


def test_plan_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE)], capsys)
    assert code == 0
    assert "3 walks a day of 10 minutes" in out and "Bird-dog" in out and "Why" in out


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        ({"pain_nrs": 14}, "pain_nrs"),
        ({"sex": "x"}, "sex"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"walking_tolerance_min": -3}, "walking_tolerance_min"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_plan_bad_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate: dict[str, object], message: str
) -> None:
    code, _, err = run(["plan", "--baseline", write(tmp_path, "b.json", {**BASELINE, **mutate})], capsys)
    assert code == 2
    assert message in err and "baseline file" in err


def test_progress_bad_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    code, out, _ = run(["plan", "--baseline", str(tmp_path / "base.json"), "--json"], capsys)
    plan_path = write(tmp_path, "plan.json", out)
    bad_days: list[tuple[object, str]] = [
        ({"days": 3}, "JSON list of days"),
        ([{"date": "2026-03-02", "red_flags": {"fevr": True}}], "unknown red flag id(s): fevr"),
        ([{"date": "2026-03-02", "walks": [{"minutes": 10, "pain_before": 1, "pain_during": 12, "pain_after": 1}]}],
         "day 1: walks.0.pain_during"),
        ([{"date": "2026-03-02"}, {"date": "2026-03-02"}], "more than one entry for 2026-03-02"),
    ]  # fmt: skip
    for content, message in bad_days:
        code, _, err = run(
            ["progress", "--plan", plan_path, "--log", write(tmp_path, "l.json", content)], capsys
        )
        assert code == 2, message
        assert message in err
    code, _, err = run(
        ["progress", "--plan", write(tmp_path, "p.json", {"week": 1}), "--log", plan_path], capsys
    )
    assert code == 2 and "plan file" in err


def test_norms_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gait = write(
        tmp_path,
        "gait.json",
        {"summary": {"median_walking_speed_mps": 0.9, "median_cadence_spm": 98, "median_stride_length_m": 1.1,
                     "median_trunk_lean_deg": 12}},
    )  # fmt: skip
    code, out, _ = run(["norms", "--gait", gait, "--age", "66", "--sex", "female", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert "slower walking speed" in data["back_pain_signs"]
    code, out, _ = run(["norms", "--gait", gait, "--age", "66", "--sex", "female"], capsys)
    assert "Signs typical of back pain" in out
    code, _, err = run(["norms", "--gait", gait, "--age", "66", "--sex", "unknown"], capsys)
    assert code == 2 and "sex must be" in err


def test_exercises_and_self_care(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["exercises", "--json"], capsys)
    assert code == 0 and len(json.loads(out)) >= 10
    code, out, _ = run(["exercises"], capsys)
    assert code == 0 and "bird_dog" in out
    code, out, _ = run(["exercises", "bird_dog"], capsys)
    assert code == 0 and "Caution" in out and "Easier" in out
    # as a person types it: the name shown, any case, hyphens or spaces for the id's underscores
    for typed in ("bird-dog", "Bird-dog", "bird dog", "BIRD_DOG", "Child's pose", "drawing-in"):
        code, out, _ = run(["exercises", typed, "--json"], capsys)
        assert code == 0, typed
        assert json.loads(out)[0]["id"] == typed.lower().replace("'", "").replace("-", "_").replace(" ", "_")
    code, _, err = run(["exercises", "plank"], capsys)
    assert code == 2 and "unknown exercise 'plank'" in err
    code, out, _ = run(["self-care"], capsys)
    assert code == 0 and "When to seek help" in out
    code, out, _ = run(["self-care", "--json"], capsys)
    assert code == 0 and len(json.loads(out)) == 8


def test_the_self_care_commands_help_names_every_card() -> None:
    """``backstride --help`` listed six of the eight cards (gentle stretches and weight were added since)."""
    from backstride.cli._clinic import self_care_command
    from backstride.clinic import SELF_CARE

    said = " ".join((self_care_command.__doc__ or "").split()).lower()
    for card in SELF_CARE:
        words = card.title.lower().replace("over-the-counter ", "").replace("stay ", "staying ")
        assert words in said, card.title


def test_interactive_triage_json_keeps_stdout_clean(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("n\ny\n"))
    code, out, err = run(["triage", "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["urgency"] == "emergency"
    assert result["reasons"][0]["id"] == QUESTIONS[1].id
    assert QUESTIONS[0].text in err


@pytest.mark.parametrize(
    "text",
    [
        '{"saddle_numbness": true, "saddle_numbness": false}',
        '{"saddle_numbness": false, "saddle_numbness": true}',
    ],
)
def test_triage_refuses_an_answer_given_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    # json keeps the last value: one order would read as a plain "no" and hide the red flag
    path = write(tmp_path, "a.json", text)
    code, out, err = run(["triage", "--answers", path, "--json"], capsys)
    assert code == 2 and out == ""
    assert err == (
        f"backstride: error: the answers file {path} gives the key 'saddle_numbness' twice in one object; "
        f"give each key once, with the one value you mean. {not_screened('911')}\n"
    )


def test_every_clinical_file_refuses_a_key_given_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = write(tmp_path, "plan.json", out)
    day = '{"date": "2026-03-02", "red_flags": {"saddle_numbness": true, "saddle_numbness": false}}'
    baseline = json.dumps(BASELINE)[:-1] + ', "age": 40}'
    gait = '{"summary": {"median_walking_speed_mps": 1.1, "median_walking_speed_mps": 0.5}}'
    cases = [
        (["progress", "--plan", plan, "--log"], "log", f"[{day}]", "saddle_numbness"),
        (["progress", "--log", plan, "--plan"], "plan", out.replace("{", '{"week": 2, ', 1), "week"),
        (["plan", "--baseline"], "baseline", baseline, "age"),
        (["score", "nprs", "--answers"], "answers", '{"score": 3, "score": 9}', "score"),
        (["norms", "--age", "60", "--sex", "male", "--gait"], "gait result", gait, "median_walking_speed_mps"),
    ]  # fmt: skip
    for argv, what, text, key in cases:
        path = write(tmp_path, "twice.json", text)
        code, out, err = run([*argv, path], capsys)
        assert code == 2 and out == "", what
        assert f"the {what} file {path} gives the key '{key}' twice in one object" in err


def test_definitions_file_refuses_a_key_given_twice(tmp_path: Path) -> None:
    from backstride._errors import InputError
    from backstride.clinic import load_definitions

    path = tmp_path / "rmdq.json"
    path.write_text('{"instrument": "rmdq", "licence": "x", "licence": "y", "items": []}')
    with pytest.raises(InputError, match="gives the key 'licence' twice"):
        load_definitions(path)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
)
def test_answers_in_utf8_with_or_without_a_mark_or_utf16_with_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, bom: bytes
) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(bom + '{"saddle_numbness": true, "sex": "female"}'.encode(encoding))
    code, out, err = run(["triage", "--answers", str(path), "--json"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["urgency"] == "emergency"


def test_every_clinical_file_in_another_encoding_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = write(tmp_path, "plan.json", out)
    commands = {
        "answers": ["triage", "--answers"],
        "gait result": ["norms", "--age", "60", "--sex", "male", "--gait"],
        "baseline": ["plan", "--baseline"],
        "log": ["progress", "--plan", plan, "--log"],
    }
    latin1 = '{"notes": "caf\u00e9"}'.encode("latin-1")  # é is byte 15
    utf16_without_mark = '{"score": 3}'.encode("utf-16-le")
    for what, argv in commands.items():
        path = tmp_path / "enc.json"
        path.write_bytes(latin1)
        code, out, err = run([*argv, str(path)], capsys)
        assert (code, out) == (2, ""), what
        said = "" if what != "answers" else f". {not_screened('911')}"  # the screen not done: its signs said
        assert err == (
            f"backstride: error: the {what} file {path} is not UTF-8 text (byte 15 is not UTF-8); "
            f"save it as UTF-8 and try again{said}\n"
        )
    path.write_bytes(utf16_without_mark)
    code, _, err = run(["score", "nprs", "--answers", str(path)], capsys)
    assert code == 2
    assert "not UTF-8 text (it holds NUL bytes, as UTF-16 without a byte order mark does)" in err
    path.write_bytes(b"\xff\xfe{\x00}")  # UTF-16 mark, then an odd number of bytes
    code, _, err = run(["progress", "--log", plan, "--plan", str(path)], capsys)
    assert code == 2 and "it starts as UTF-16 but byte 5 does not read as UTF-16" in err
    assert "Traceback" not in err


def test_norms_and_plan_refuse_impossible_gait_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gait = write(tmp_path, "g.json", {"summary": {"median_walking_speed_mps": -1, "median_cadence_spm": 5000,
                                                  "median_stride_length_m": 0, "median_trunk_lean_deg": 400}})  # fmt: skip
    code, out, err = run(["norms", "--gait", gait, "--age", "63", "--sex", "female"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(
        "backstride: error: gait summary field 'median_walking_speed_mps' must be more than 0 and at most 3 m/s"
    )
    for extra, message in (
        (
            {"median_walking_speed_mps": -3},
            "gait: gait summary field 'median_walking_speed_mps' must be more than 0",
        ),
        ({"foo": 1}, "gait: unknown field(s) foo; a baseline's gait holds fields of the summary"),
    ):
        path = write(tmp_path, "b.json", {**BASELINE, "gait": extra})
        code, out, err = run(["plan", "--baseline", path], capsys)
        assert (code, out) == (2, "")
        assert err.startswith(f"backstride: error: baseline file {path}: {message}")


def test_progress_refuses_logs_of_another_week(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = write(tmp_path, "plan.json", out)  # the week of 2026-03-02
    days = [
        {"date": f"2027-01-0{1 + i}", "next_morning_pain": 4,
         "walks": [{"minutes": 10, "pain_before": 3, "pain_during": 4, "pain_after": 3}] * 3}
        for i in range(7)
    ]  # fmt: skip
    code, out, err = run(["progress", "--plan", plan, "--log", write(tmp_path, "log.json", days)], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "backstride: error: the log has days outside this plan's week (2026-03-02 to 2026-03-08): 2027-01-01, "
        "2027-01-02, 2027-01-03 and 4 more; a week is judged on its own days only, so give just this week's, "
        "and review other days with the plan of their own week\n"
    )


def test_a_stop_for_sciatica_does_not_also_say_no_warning_signs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = write(tmp_path, "plan.json", out)
    log = write(tmp_path, "log.json", [{"date": "2026-03-02", "red_flags": {"sciatica": True}}])
    code, out, err = run(["progress", "--plan", plan, "--log", log], capsys)
    assert (code, err) == (0, "")
    assert "Decision: STOP" in out and "Warning sign(s) logged: sciatica." in out
    assert "Not urgent: see a clinician before walking on (screen incomplete)" in out
    assert "no warning signs" not in out.lower()
    code, out, _ = run(["progress", "--plan", plan, "--log", log, "--json"], capsys)
    assert "no warning signs" not in out.lower()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("age", True, "age: must be a whole number from 16 to 120, got true (true and false are not numbers)"),
        ("age", "58", 'age: must be a whole number from 16 to 120, got "58"'),
        ("age", 58.5, "age: must be a whole number from 16 to 120, got 58.5"),
        ("pain_nrs", float("nan"), "pain_nrs: must be a number from 0 to 10, got NaN (NaN and Infinity are not "
         "numbers)"),
        ("pain_nrs", 14, "pain_nrs: must be a number from 0 to 10, got 14"),
        ("walking_tolerance_min", float("inf"), "walking_tolerance_min: must be a number from 0 to 600, got "
         "Infinity (NaN and Infinity are not numbers)"),
        ("odi", False, "odi: must be a number from 0 to 100, got false (true and false are not numbers)"),
    ],
)  # fmt: skip
def test_plan_says_a_baseline_number_must_be_a_number_in_its_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: object, message: str
) -> None:
    path = write(
        tmp_path, "b.json", json.dumps({**BASELINE, field: value})
    )  # NaN and Infinity as json writes them
    code, out, err = run(["plan", "--baseline", path], capsys)
    assert (code, out) == (2, "")
    assert err == f"backstride: error: baseline file {path}: {message}\n"


def test_a_whole_number_written_with_a_point_is_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["plan", "--baseline", write(tmp_path, "b.json", {**BASELINE, "age": 58.0}), "--json"],
                         capsys)  # fmt: skip
    assert (code, err) == (0, "")
    assert json.loads(out)["walks_per_day"] == 3


def test_progress_says_a_log_or_plan_number_must_be_a_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = write(tmp_path, "plan.json", out)
    day = {
        "date": "2026-03-02",
        "walks": [{"minutes": 10, "pain_before": 2, "pain_during": True, "pain_after": 2}],
    }
    code, out, err = run(["progress", "--plan", plan, "--log", write(tmp_path, "log.json", [day])], capsys)
    assert (code, out) == (2, "")
    assert err.endswith(
        "day 1: walks.0.pain_during: must be a number from 0 to 10, got true (true and false are not numbers)\n"
    )
    bad_plan = write(tmp_path, "p2.json", {**json.loads(Path(plan).read_text()), "walks_per_day": 2.5})
    code, _, err = run(["progress", "--plan", bad_plan, "--log", write(tmp_path, "l.json", [])], capsys)
    assert code == 2
    assert err.endswith("walks_per_day: must be a whole number from 1 to 3, got 2.5\n")


@pytest.mark.parametrize("content", ["[1, 2]", "{}", '{"summary": {}}', "3"])
def test_norms_says_a_file_that_is_not_a_gait_result_is_not_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    path = write(tmp_path, "g.json", content)
    code, out, err = run(["norms", "--gait", path, "--age", "63", "--sex", "female"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"backstride: error: the gait result file {path} is not a gait result: give the JSON that "
        "`backstride analyze --json` writes, or an object with a 'summary' that holds median_walking_speed_mps, "
        "median_cadence_spm, median_stride_length_m, median_trunk_lean_deg (each a number or null)\n"
    )


def test_every_command_takes_a_sex_as_analyze_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gait = write(tmp_path, "g.json", {"summary": {"median_walking_speed_mps": 0.98, "median_cadence_spm": 101.5,
                                                  "median_stride_length_m": 1.16, "median_trunk_lean_deg": 11.4}})  # fmt: skip
    outputs = []
    for sex in ("female", "F", "f", " Female ", "w"):
        code, out, err = run(["norms", "--gait", gait, "--age", "63", "--sex", sex, "--json"], capsys)
        assert (code, err) == (0, ""), sex
        outputs.append(out)
    assert json.loads(outputs[0])["sex"] == "female" and len(set(outputs)) == 1
    code, out, _ = run(["norms", "--gait", gait, "--age", "63", "--sex", "M", "--json"], capsys)
    assert json.loads(out)["age_band"] == "60-69" and json.loads(out)["sex"] == "male"
    code, _, err = run(["norms", "--gait", gait, "--age", "63", "--sex", "x"], capsys)
    assert code == 2 and "sex must be 'female' or 'male' (or F/M) for the norm tables, got 'x'" in err
    code, out, err = run(
        ["plan", "--baseline", write(tmp_path, "b.json", {**BASELINE, "sex": "M"}), "--json"], capsys
    )
    assert (code, err) == (0, "")
    code, _, err = run(
        ["plan", "--baseline", write(tmp_path, "b.json", {**BASELINE, "sex": "Other"})], capsys
    )
    assert (code, err) == (0, "")
    code, out, err = run(["triage", "--answers", write(tmp_path, "a.json", {"sex": "F"}), "--json"], capsys)
    assert (code, err) == (0, "") and json.loads(out)["urgency"] == "routine"
    code, _, err = run(["triage", "--answers", write(tmp_path, "a.json", {"sex": "x"})], capsys)
    assert code == 2 and "answer 'sex' must be one of female, male, other, got 'x'" in err


def test_score_nprs_refuses_half_a_point_as_triage_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    half = write(tmp_path, "n.json", {"score": 5.5})
    code, out, err = run(["score", "nprs", "--answers", half], capsys)
    assert (code, out) == (2, "")
    assert err == "backstride: error: nprs score: expected a whole number from 0 to 10, got 5.5\n"
    code, _, err = run(["triage", "--answers", write(tmp_path, "a.json", {"pain_nrs": 5.5})], capsys)
    assert code == 2 and "answer 'pain_nrs' must be a whole number (0-10), got 5.5" in err


@pytest.mark.parametrize(
    ("dose", "message"),
    [
        ({"sets": True}, "exercises.0.dose.sets: must be a whole number from 1 to 10, got true (true and false "
         "are not numbers)"),
        ({"per_day": "2"}, 'exercises.0.dose.per_day: must be a whole number from 1 to 5, got "2"'),
        ({"sets": 11}, "exercises.0.dose.sets: must be a whole number from 1 to 10, got 11"),
    ],
)  # fmt: skip
def test_progress_says_a_plan_dose_number_must_be_a_number_in_its_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dose: dict[str, object], message: str
) -> None:
    """An exercise's dose in a plan file is checked as every other number of the plan: pydantic took true
    as 1 set and "2" as 2, and said of 11 sets "Input should be less than or equal to 10"."""
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = json.loads(out)
    plan["exercises"][0]["dose"].update(dose)
    path = write(tmp_path, "plan.json", plan)
    code, out, err = run(["progress", "--plan", path, "--log", write(tmp_path, "log.json", [])], capsys)
    assert (code, out) == (2, "")
    assert err.endswith(f"{message}\n")


def test_triage_shows_an_emergency_despite_a_slip_in_another_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # before: "backstride: error: answer 'age' must be between 0 and 120 years" and exit 2, no emergency shown
    answers = write(tmp_path, "a.json", {"saddle_numbness": True, "age": 150})
    code, out, err = run(["triage", "--answers", answers], capsys)
    assert code == 0 and err == ""
    assert out.index("EMERGENCY") < out.index("could not be read")
    assert "CALL 911 NOW" in out


@pytest.mark.parametrize(
    ("bad_day", "bad_plan"),
    [
        ({"date": "2026-03-03", "walks": [{"minutes": 10, "pain_before": 3, "pain_during": 14, "pain_after": 3}]},
         False),
        ({"date": "2026-03-03", "exercises_done": ["situps"]}, False),
        ({"date": "2026-03-02"}, False),  # the flagged day given twice
        ({"date": "2026-04-20"}, False),  # a day of another week
        ({"date": "2026-03-03"}, True),  # a broken plan file
    ],
)  # fmt: skip
def test_progress_shows_a_logged_emergency_first_whatever_else_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_day: dict[str, object], bad_plan: bool
) -> None:
    # before: a slip on another day (or in the plan) was an error line, exit 2, and the emergency never showed
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = write(tmp_path, "plan.json", "{" if bad_plan else out)
    log = write(
        tmp_path, "log.json", [{"date": "2026-03-02", "red_flags": {"saddle_numbness": True}}, bad_day]
    )
    code, out, err = run(["progress", "--plan", plan, "--log", log, "--emergency-number", "112"], capsys)
    assert (code, err) == (0, "")
    assert out.index("CALL 112 NOW") < out.index("Decision: STOP")
    assert "911" not in out
    code, out, _ = run(["progress", "--plan", plan, "--log", log, "--json"], capsys)
    review = json.loads(out)
    assert review["decision"] == "stop" and review["triage"]["urgency"] == "emergency"
    assert review["reasons"][0].startswith("EMERGENCY: call 911")


def test_progress_refuses_an_empty_emergency_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # before: a good week with --emergency-number ' ' ended its review with "... call   or go to the emergency
    # department now", exit 0
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = write(tmp_path, "plan.json", out)
    log = write(tmp_path, "log.json", [{"date": "2026-03-02"}])
    code, out, err = run(["progress", "--plan", plan, "--log", log, "--emergency-number", " "], capsys)
    assert (code, out) == (2, "")
    assert "the emergency number must be a non-empty text, e.g. 911, 112 or 999" in err
    assert "Traceback" not in err
    # the variable set to nothing is taken as not set, as the web app takes it: the default number is said
    monkeypatch.setenv("BACKSTRIDE_EMERGENCY_NUMBER", "")
    code, out, err = run(["progress", "--plan", plan, "--log", log], capsys)
    assert code == 0 and "call 911 or go to the emergency department now" in " ".join(out.split())


@pytest.mark.parametrize("value", [True, 1, "yes", "true"])
def test_progress_stops_early_on_a_sign_written_as_the_log_check_reads_yes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: object
) -> None:
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = write(tmp_path, "plan.json", out)
    bad_day = {"date": "2026-03-03", "next_morning_pain": 12}
    log = write(
        tmp_path,
        "log.json",
        {"days": [{"date": "2026-03-02", "red_flags": {"unable_to_walk": value}}, bad_day]},
    )
    code, out, err = run(["progress", "--plan", plan, "--log", log], capsys)
    assert (code, err) == (0, "") and "CALL 911 NOW" in out


def test_a_key_given_twice_never_hides_an_emergency_answered_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # before: "gives the key 'age' twice" and exit 2; the saddle numbness was never shown
    path = write(tmp_path, "a.json", '{"saddle_numbness": true, "age": 40, "age": 41}')
    code, out, err = run(["triage", "--answers", path], capsys)
    assert (code, err) == (0, "")
    words = " ".join(out.split())  # (the terminal wraps the file's path and the words after it anywhere)
    assert words.index("CALL 911 NOW") < words.index("could not be read in full") and "'age' twice" in words
    code, out, _ = run(["triage", "--answers", path, "--json"], capsys)
    assert json.loads(out)["urgency"] == "emergency"
    # without an emergency given once, the duplicate stays an error
    for text in (
        '{"fever": true, "age": 40, "age": 41}',
        '{"saddle_numbness": true, "saddle_numbness": false}',
    ):
        code, out, err = run(["triage", "--answers", write(tmp_path, "b.json", text)], capsys)
        assert code == 2 and out == "" and "twice" in err


def test_a_key_given_twice_in_the_log_never_hides_a_warning_sign_logged_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["plan", "--baseline", write(tmp_path, "base.json", BASELINE), "--json"], capsys)
    plan = write(tmp_path, "plan.json", out)
    text = (
        '[{"date": "2026-03-02", "red_flags": {"bowel_incontinence": true}},'
        ' {"date": "2026-03-03", "notes": "a", "notes": "b"}]'
    )
    code, out, err = run(["progress", "--plan", plan, "--log", write(tmp_path, "log.json", text)], capsys)
    assert (code, err) == (0, "") and out.index("CALL 911 NOW") < out.index("Decision: STOP")
    text = '[{"date": "2026-03-02", "red_flags": {"fever": false}}, {"date": "2026-03-03", "notes": "a", "notes": "b"}]'
    code, out, err = run(["progress", "--plan", plan, "--log", write(tmp_path, "log2.json", text)], capsys)
    assert code == 2 and "twice" in err
