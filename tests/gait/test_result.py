"""The gait result as a data contract: JSON out, validated JSON back in."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from backstride import InputError
from backstride.gait import GaitResult, GaitSummary, InitialContact, RecordingInfo, Subject, WalkingBout


def _result(**bout_changes: object) -> GaitResult:
    bout = dict(
        start_s=1.0,
        end_s=11.0,
        duration_s=10.0,
        n_steps=19,
        cadence_spm=108.0,
        step_length_m=0.62,
        stride_length_m=1.24,
        walking_speed_mps=1.12,
        trunk_lean_deg=4.5,
        step_regularity=0.8,
        stride_regularity=0.85,
        symmetry=0.94,
        step_time_cv_pct=3.1,
    )
    bout.update(bout_changes)
    return GaitResult(
        backstride_version="0",
        recording=RecordingInfo(sampling_rate_hz=100.0, duration_s=60.0, has_gyroscope=False, notes=["n"]),
        subject=Subject(height_m=1.7, sensor_height_m=1.02, sensor_height_source="from body height"),
        summary=GaitSummary(
            recording_duration_s=60.0,
            total_walking_s=10.0,
            n_steps=19,
            n_bouts=1,
            longest_bout_s=10.0,
            n_bouts_10s=1,
            median_cadence_spm=108.0,
            median_walking_speed_mps=1.12,
            median_stride_length_m=1.24,
            median_trunk_lean_deg=4.5,
        ),
        walking_bouts=[WalkingBout(**bout)],  # type: ignore[arg-type]
        initial_contacts=[
            InitialContact(time_s=1.0, foot="left"),
            InitialContact(time_s=1.55, foot="right", step_length_m=0.62),
            InitialContact(time_s=11.5, foot="right", closing_step=True, in_bout=False),
        ],
        warnings=["w"],
    )


def test_json_text_is_the_dict_and_reads_back_equal() -> None:
    result = _result()
    text = result.to_json()
    data = json.loads(text)
    assert data == result.to_dict()
    assert data["initial_contacts"][1] == {
        "time_s": 1.55,
        "foot": "right",
        "step_length_m": 0.62,
        "closing_step": False,
        "in_bout": True,
    }
    assert data["initial_contacts"][2] == {
        "time_s": 11.5,
        "foot": "right",
        "step_length_m": None,
        "closing_step": True,
        "in_bout": False,
    }
    assert data["walking_bouts"][0]["cadence_spm"] == 108.0
    # one bout and one contact per line: the opening brace, a line per field, the two lists' closing brackets,
    # one bout and three contacts
    assert text.count("\n") == 1 + len(data) + 2 + 1 + 3
    assert GaitResult.from_dict(data) == result


def test_written_json_is_the_same_text_record_by_record() -> None:
    import io

    result = _result()
    stream = io.StringIO()
    result.write_json(stream)
    assert stream.getvalue() == result.to_json() + "\n"
    empty = GaitResult(
        **{**{n: getattr(result, n) for n in GaitResult.field_names()}, "initial_contacts": []}
    )
    stream = io.StringIO()
    empty.write_json(stream)
    assert json.loads(stream.getvalue())["initial_contacts"] == []


def test_not_finite_numbers_are_written_as_null() -> None:
    data = _result(symmetry=math.nan, cadence_spm=math.inf).to_dict()
    assert data["walking_bouts"][0]["symmetry"] is None
    assert data["walking_bouts"][0]["cadence_spm"] is None
    json.loads(_result(symmetry=math.nan).to_json())  # valid JSON (no NaN token)


def test_stored_json_is_validated_when_it_comes_back() -> None:
    """What does not fit is one readable InputError naming where (not pydantic's error and its traceback)."""
    data = _result().to_dict()
    with pytest.raises(InputError, match=r"^not a backstride gait result: made_up: not a field of it$"):
        GaitResult.from_dict({**data, "made_up": 1})
    bad_foot = json.loads(json.dumps(data))
    bad_foot["initial_contacts"][0]["foot"] = "middle"
    with pytest.raises(InputError, match=r"initial_contacts\[0\]\.foot: .*'left' or 'right'"):
        GaitResult.from_dict(bad_foot)
    missing = json.loads(json.dumps(data))
    del missing["walking_bouts"][0]["n_steps"]
    with pytest.raises(InputError, match=r": walking_bouts\[0\]\.n_steps: missing$"):
        GaitResult.from_dict(missing)
    with pytest.raises(InputError, match=r"summary\.n_bouts: .*integer") as caught:
        GaitResult.from_dict({**data, "summary": {**data["summary"], "n_bouts": "many"}})
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(InputError, match=r"^not a backstride recording info: sampling_rate_hz: .*number"):
        RecordingInfo.from_dict({**data["recording"], "sampling_rate_hz": "fast"})


def test_a_real_result_reads_back_from_its_json_text() -> None:
    from backstride import io
    from backstride.gait import analyze

    result = analyze(io.read(io.sample_path()), height_m=1.59)
    assert result.summary.n_bouts == 7 and len(result.initial_contacts) > 80  # a real result, fully filled
    back = GaitResult.from_json(result.to_json())
    assert back == result
    assert back.walking_bouts[0] == result.walking_bouts[0] and back.to_json() == result.to_json()
    assert GaitResult.from_json(result.to_json().encode()) == result  # bytes, as read from a file


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{ not json", r"^not JSON text \(line 1, column 3: Expecting property name"),
        ("", r"^not JSON text \(line 1, column 1: Expecting value\)$"),
        ("[1, 2]", r"^not a backstride gait result: a JSON object is needed, not a list$"),
        ('"text"', r"^not a backstride gait result: a JSON object is needed, not a str$"),
        (
            '{"resourceType": "Patient", "id": "1"}',  # another program's JSON
            r"^not a backstride gait result: none of its fields \(backstride_version, recording, subject, "
            r"summary, walking_bouts, initial_contacts\) is there$",
        ),
    ],
    ids=["broken", "empty", "list", "string", "foreign"],
)
def test_text_that_is_no_result_is_one_readable_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        GaitResult.from_json(text)


def test_a_long_list_of_problems_is_cut_short() -> None:
    data = _result().to_dict()
    del data["summary"], data["subject"]
    data["walking_bouts"][0]["n_steps"] = "many"
    data["walking_bouts"][0]["cadence_spm"] = "fast"
    with pytest.raises(InputError) as caught:
        GaitResult.from_dict(data)
    assert str(caught.value) == (
        "not a backstride gait result: subject: missing; summary: missing; walking_bouts[0].n_steps: "
        "Input should be a valid integer, unable to parse string as an integer; and 1 more problem"
    )


def test_results_are_frozen_values() -> None:
    result = _result()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.walking_bouts[0].n_steps = 3  # type: ignore[misc]
    assert dataclasses.replace(result, warnings=[]) != result
    assert WalkingBout.field_names()[:3] == ("start_s", "end_s", "duration_s")


@pytest.mark.parametrize("output", [["--json"], []], ids=["json", "report"])
def test_the_analyze_command_does_not_import_pydantic(output: list[str]) -> None:
    """The engine's output needs no validation library: ``backstride analyze`` starts faster without it (the
    readable report too, unless age and sex ask for the clinic's norms)."""
    import subprocess
    import sys

    code = (
        "import contextlib, io, sys\n"
        "from backstride.cli import main\n"
        "from backstride.io._sample import sample_path\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    code = main(['analyze', str(sample_path()), *{output!r}])\n"
        "print(code, 'pydantic' in sys.modules, len(out.getvalue()) > 1000)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False", "True"]


def test_every_field_is_documented_in_the_readme() -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The JSON output", 1)[1].split("**Trunk lean**", 1)[0]
    missing = [
        f"{cls.__name__}.{name}"
        for cls in (GaitResult, RecordingInfo, Subject, GaitSummary, WalkingBout, InitialContact)
        for name in cls.field_names()
        if not re.search(r"[`.]" + re.escape(name) + r"(\[\])?[`.]", section)
    ]
    assert missing == []


def test_a_result_stored_before_start_time_and_device_existed_still_reads() -> None:
    data = _result().to_dict()
    assert data["recording"]["start_time"] is None and data["recording"]["device"] is None
    del data["recording"]["start_time"], data["recording"]["device"]
    assert GaitResult.from_dict(data) == _result()


def test_a_result_stored_before_left_and_right_steps_existed_still_reads() -> None:
    result = _result(step_length_left_m=0.61, step_length_right_m=0.63)
    data = result.to_dict()
    assert data["walking_bouts"][0]["step_length_left_m"] == 0.61
    del data["walking_bouts"][0]["step_length_left_m"], data["walking_bouts"][0]["step_length_right_m"]
    del data["summary"]["median_step_length_left_m"], data["summary"]["median_step_length_right_m"]
    back = GaitResult.from_dict(data)
    assert (
        back.walking_bouts[0].step_length_left_m is None and back.walking_bouts[0].step_length_right_m is None
    )
    assert back.summary.median_step_length_left_m is None
    assert back == _result()


def test_the_device_and_start_time_come_from_the_reader(shared_data: Path) -> None:
    from backstride import gait, io

    recording = io.read(shared_data / "devices" / "actigraph_gt3x" / "pygt3x_neo.gt3x")
    info = gait.analyze(recording).recording
    assert info.device == "ActiGraph GT3X+, serial NEO1C04110003"
    assert info.start_time == "2021-12-20T11:55:00-06:00"


def test_a_bout_is_documented_as_holding_its_last_contact() -> None:
    """A bout's last contact is at ``end_s`` and is one of its ``n_steps`` (``test_consistency``): the interval
    is closed. It was documented half-open, ``[start_s, end_s)``, which drops that contact for whoever
    assigns contacts to bouts by it (one step short in every bout)."""
    import backstride.gait._result as result_module

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The JSON output", 1)[1].split("**Trunk lean**", 1)[0]
    end_doc = next(f for f in dataclasses.fields(WalkingBout) if f.name == "end_s").metadata["description"]
    for text in (end_doc, result_module.__doc__ or "", section):
        assert "[start_s, end_s)" not in text and "half-open" not in text
    assert "[start_s, end_s]" in end_doc
    assert "[start_s, end_s]" in section


def test_every_field_the_readme_documents_is_emitted() -> None:
    """The README's JSON table names no field the result does not have (a renamed or removed field)."""
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The JSON output", 1)[1].split("**Trunk lean**", 1)[0]
    parents = {
        "recording": RecordingInfo,
        "subject": Subject,
        "summary": GaitSummary,
        "walking_bouts[]": WalkingBout,
        "initial_contacts[]": InitialContact,
    }
    unknown = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        parent = None
        for name in re.findall(r"`([^`]+)`", line.split("|")[1]):
            if name.startswith("."):
                leaf = name[1:]
            elif "." in name:
                parent, _, leaf = name.partition(".")
            else:
                parent, leaf = None, name
            cls = parents[parent] if parent else GaitResult
            if leaf.removesuffix("[]") not in cls.field_names():
                unknown.append(name)
    assert unknown == []
