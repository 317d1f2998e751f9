"""Exercise library, self-care cards, therapy sessions, data files and the public API."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from pydantic import ValidationError

from backstride.clinic import EXERCISES, SELF_CARE, Dose, TherapySession
from backstride.clinic._data import load

REQUIRED_EXERCISES = {
    "bird_dog", "glute_bridge", "opposite_arm_leg", "drawing_in", "hamstring_stretch", "hip_flexor_stretch",
    "childs_pose", "pelvic_tilt", "knee_to_chest", "cat_camel",
}  # fmt: skip


def test_exercise_library_is_complete() -> None:
    assert set(EXERCISES) >= REQUIRED_EXERCISES
    for ex in EXERCISES.values():
        assert ex.instructions and ex.targets and ex.easier and ex.harder and ex.cautions and ex.source
        assert ex.dose.sets <= ex.max_sets
        if ex.dose.reps is not None:
            assert ex.max_reps is not None and ex.dose.reps <= ex.max_reps
        if ex.dose.hold_s is not None:
            assert ex.max_hold_s is not None and ex.dose.hold_s <= ex.max_hold_s
    assert any("down the leg" in c for c in EXERCISES["bird_dog"].cautions)
    assert EXERCISES["glute_bridge"].dose.describe() == "2 x 8 reps, once a day"
    assert EXERCISES["hamstring_stretch"].dose.describe() == "3 x 20 s hold, once a day"


def test_self_care_cards() -> None:
    ids = {c.id for c in SELF_CARE}
    assert ids == {
        "heat_cold",
        "pain_relief",
        "stay_active",
        "gentle_stretches",
        "posture",
        "shoes",
        "weight",
        "seek_help",
    }
    relief = next(c for c in SELF_CARE if c.id == "pain_relief")
    assert any("label" in line for line in relief.body)


def test_therapy_session() -> None:
    session = TherapySession(
        date=dt.date(2026, 2, 3), clinician="A. Physio", technique="central PA mobilisation, grade III",
        region="L4-L5", dose="3 x 30 s", duration_min=10, pain_before=6, pain_after=4, response="better",
    )  # fmt: skip
    assert TherapySession.model_validate_json(session.model_dump_json()) == session
    with pytest.raises(ValidationError):
        TherapySession(date=dt.date(2026, 2, 3), clinician="", technique="x", region="y", response="better")
    with pytest.raises(ValidationError):
        TherapySession(date=dt.date(2026, 2, 3), clinician="A", technique="x", region="y", response="great")


@pytest.mark.parametrize("name", ["triage", "instruments", "norms", "program", "exercises", "self_care"])
def test_every_data_file_cites_its_sources(name: str) -> None:
    data = load(name)
    text = str(data)
    assert "about" in data
    assert "source" in text
    assert any(year in text for year in ("2008", "2011", "2016", "2020", "2021", "2023", "2024"))


def test_triage_rules_reference_only_known_questions_and_sources() -> None:
    from backstride.clinic._triage import _rule_ids

    data = load("triage")
    ids = {q["id"] for q in data["questions"]}
    for rule in data["rules"]:
        assert set(_rule_ids(rule["when"])) <= ids, rule["id"]
        keys = [rule["source"]] if isinstance(rule["source"], str) else rule["source"]
        assert keys and set(keys) <= set(data["sources"]), rule["id"]
        assert rule["urgency"] in data["urgency_levels"]


def test_public_api() -> None:
    module = importlib.import_module("backstride.clinic")
    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        assert not name.startswith("_")
        assert getattr(module, name) is not None


def _session(**numbers: object) -> TherapySession:
    return TherapySession(
        date=dt.date(2026, 2, 3), clinician="A", technique="x", region="y", response="same", **numbers
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "numbers",
    [
        {"duration_min": 1e-9}, {"duration_min": 0.5}, {"duration_min": 240}, {"duration_min": None},
        {"pain_before": 0, "pain_after": 10}, {"pain_before": 6.5, "pain_after": None},
    ],
)  # fmt: skip
def test_a_session_takes_a_number_in_its_range(numbers: dict[str, object]) -> None:
    session = _session(**numbers)
    assert {name: getattr(session, name) for name in numbers} == numbers


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ({"duration_min": 0}, "duration_min: must be a number above 0 and up to 240, got 0"),
        ({"duration_min": -5}, "duration_min: must be a number above 0 and up to 240, got -5"),
        ({"duration_min": 240.5}, "duration_min: must be a number above 0 and up to 240, got 240.5"),
        ({"duration_min": float("inf")}, "duration_min: must be a number above 0 and up to 240, got Infinity "
         "(NaN and Infinity are not numbers)"),
        ({"pain_before": -0.5}, "pain_before: must be a number from 0 to 10, got -0.5"),
        ({"pain_after": 10.5}, "pain_after: must be a number from 0 to 10, got 10.5"),
        ({"pain_before": float("nan")}, "pain_before: must be a number from 0 to 10, got NaN (NaN and Infinity "
         "are not numbers)"),
        ({"pain_after": "4"}, 'pain_after: must be a number from 0 to 10, got "4"'),
        ({"duration_min": True}, "duration_min: must be a number above 0 and up to 240, got true (true and false "
         "are not numbers)"),
    ],
)  # fmt: skip
def test_a_session_refuses_a_number_out_of_its_range_in_the_words_of_every_clinic_number(
    numbers: dict[str, object], message: str
) -> None:
    """Pydantic's own checks said "Input should be greater than 0", said of NaN only that it should be "less
    than or equal to 10", and read "4" as 4 and true as 1."""
    with pytest.raises(ValidationError) as caught:
        _session(**numbers)
    (error,) = caught.value.errors()
    assert f"{error['loc'][0]}: {error['msg']}" == message


def test_a_dose_takes_whole_numbers_in_their_ranges() -> None:
    assert (
        Dose(sets=10, reps=50, hold_s=120, per_day=5).describe()
        == "10 x 50 reps holding 120 s, 5 times a day"
    )
    assert Dose(sets=1, hold_s=1).per_day == 1
    assert Dose(sets=2.0, reps=8.0).reps == 8  # type: ignore[arg-type]
    for fields, message in (
        ({"sets": 0, "reps": 5}, "sets: must be a whole number from 1 to 10, got 0"),
        ({"sets": 11, "reps": 5}, "sets: must be a whole number from 1 to 10, got 11"),
        ({"sets": 2, "reps": 51}, "reps: must be a whole number from 1 to 50, got 51"),
        ({"sets": 2, "reps": 2.5}, "reps: must be a whole number from 1 to 50, got 2.5"),
        ({"sets": 2, "hold_s": 121}, "hold_s: must be a whole number from 1 to 120, got 121"),
        ({"sets": 2, "reps": 5, "per_day": 6}, "per_day: must be a whole number from 1 to 5, got 6"),
        ({"sets": True, "reps": 5}, "sets: must be a whole number from 1 to 10, got true (true and false are not "
         "numbers)"),
        ({"sets": "2", "reps": 5}, 'sets: must be a whole number from 1 to 10, got "2"'),
    ):  # fmt: skip
        with pytest.raises(ValidationError) as caught:
            Dose(**fields)  # type: ignore[arg-type]
        (error,) = caught.value.errors()
        assert f"{error['loc'][0]}: {error['msg']}" == message


def test_the_face_down_lifts_progress_without_the_superman() -> None:
    """The harder face-down lift was the 'superman' (both arms and both legs at once), which loads the lumbar
    spine about twice as much as one arm and the opposite leg (Callaghan, Gunning & McGill 1998): a plan for a
    painful back progressed to it after three good weeks. It now progresses by a slower, longer lift of one arm
    and one leg, warns against the superman, and cites why."""
    ex = EXERCISES["opposite_arm_leg"]
    assert ex.harder.startswith("Lift one arm and the opposite leg slowly")
    assert "Do not lift both arms and both legs together" in ex.harder
    assert "Callaghan JP" in ex.source and "Hayden JA" in ex.source
    for other in EXERCISES.values():
        assert "(superman)" not in other.harder


def test_the_when_to_seek_help_card_sends_a_fever_with_feeling_unwell_to_emergency_care() -> None:
    """The screen rates a fever with feeling unwell an emergency (an infection of the spine): the card that tells
    a patient when to seek help says so in its emergency sentence, and a fever alone for a doctor today."""
    card = next(c for c in SELF_CARE if c.id == "seek_help")
    emergency = next(line for line in card.body if line.startswith("Call the emergency number"))
    assert "a fever and feel unwell" in emergency
    assert any(line.startswith("See a doctor today for a fever") for line in card.body)
