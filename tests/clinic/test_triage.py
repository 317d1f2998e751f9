"""Emergency screening: every emergency sign alone and in combination, the same-day and two-week levels,
plain cases that must stay routine, completeness and bad input."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstride import InputError, ScreeningIncomplete
from backstride.clinic import (
    EMERGENCY_COMBINATIONS,
    EMERGENCY_ONLY_TOGETHER,
    EMERGENCY_QUESTIONS,
    EMERGENCY_SIGNS,
    QUESTIONS,
    URGENCY_ORDER,
    URGENCY_WORDS,
    finding_in_words,
    triage,
    urgency_in_words,
)

CAUDA_EQUINA = [
    "saddle_numbness",
    "urinary_retention",
    "urinary_incontinence",
    "bladder_sensation_loss",
    "bowel_incontinence",
    "bowel_sensation_loss",
    "sexual_dysfunction",
    "bilateral_leg_symptoms",
]
BOOL_IDS = [q.id for q in QUESTIONS if q.kind == "bool"]


def all_no(**overrides: object) -> dict[str, object]:
    """A complete screen with every yes/no answered no, plus overrides."""
    answers: dict[str, object] = dict.fromkeys(BOOL_IDS, False)
    answers.update(age=45, sex="female", pain_nrs=5, pain_duration_weeks=2, walking_tolerance_min=20)
    answers.update(overrides)
    return answers


def test_the_issue_ids_are_all_asked() -> None:
    ids = {q.id for q in QUESTIONS}
    required = set(CAUDA_EQUINA) | {
        "age", "sex", "pain_nrs", "pain_duration_weeks", "leg_weakness_progressive", "foot_drop",
        "unable_to_walk", "fever", "feeling_unwell", "immunosuppressed", "iv_drug_use", "history_of_cancer",
        "unexplained_weight_loss", "night_pain", "major_trauma", "minor_trauma", "osteoporosis",
        "long_term_steroids", "pulsating_abdominal_mass", "sciatica", "leg_cramping", "walking_tolerance_min",
    }  # fmt: skip
    assert required <= ids
    # Emergency questions come first, so the interactive screen asks them first.
    flags = [q.emergency for q in QUESTIONS]
    assert flags == sorted(flags, reverse=True)
    assert all(q.text and q.text[0].isupper() for q in QUESTIONS)


def test_emergency_signs_cover_every_single_sign_of_the_issue() -> None:
    assert set(EMERGENCY_SIGNS) == set(CAUDA_EQUINA) | {
        "leg_weakness_progressive",
        "foot_drop",
        "unable_to_walk",
        "major_trauma",
        "pulsating_abdominal_mass",
    }
    assert set(EMERGENCY_SIGNS) <= set(EMERGENCY_QUESTIONS)


@pytest.mark.parametrize("sign", ["leg_weakness_progressive", "foot_drop"])
def test_weakness_that_comes_on_is_an_emergency_however_it_is_noticed(sign: str) -> None:
    """The brief: weakness that comes on or gets worse means the emergency department now. A foot newly too
    weak to lift is such weakness, noticed at the foot rather than the leg (it was "see a doctor today")."""
    result = triage(all_no(**{sign: True}))
    assert result.urgency == "emergency"
    assert [r.id for r in result.reasons] == [sign]
    assert result.advice.startswith("EMERGENCY: call 911 or go to the nearest emergency department now")


@pytest.mark.parametrize("sign", EMERGENCY_SIGNS)
def test_each_emergency_sign_alone_is_an_emergency(sign: str) -> None:
    result = triage(all_no(**{sign: True}))
    assert result.urgency == "emergency"
    assert result.complete
    assert result.reasons[0].urgency == "emergency"
    assert sign in result.reasons[0].finding
    assert "911" in result.advice


@pytest.mark.parametrize("sign", EMERGENCY_SIGNS)
def test_each_emergency_sign_is_an_emergency_even_when_nothing_else_is_answered(sign: str) -> None:
    result = triage({sign: True})
    assert result.urgency == "emergency"
    assert not result.complete


@pytest.mark.parametrize("pair", list(itertools.combinations(EMERGENCY_SIGNS, 2)))
def test_pairs_of_emergency_signs_are_an_emergency_with_both_reasons(pair: tuple[str, str]) -> None:
    result = triage(all_no(**dict.fromkeys(pair, True)))
    assert result.urgency == "emergency"
    found = {r.id for r in result.reasons}
    assert set(pair) <= found


@pytest.mark.parametrize("combo", EMERGENCY_COMBINATIONS)
def test_emergency_combinations(combo: tuple[str, ...]) -> None:
    result = triage(all_no(**dict.fromkeys(combo, True)))
    assert result.urgency == "emergency"
    # ...while each half alone of the fever/cancer combinations is less urgent
    if combo == ("fever", "feeling_unwell"):
        for single in combo:
            assert triage(all_no(**{single: True})).urgency != "emergency"


def test_signs_that_are_an_emergency_only_together_come_from_the_rules() -> None:
    """The daily log and the sign-in page ask for these as one box: each is an emergency together and its parts
    are not, alone."""
    assert EMERGENCY_ONLY_TOGETHER == (("fever", "feeling_unwell"),)
    for combo in EMERGENCY_ONLY_TOGETHER:
        assert triage(all_no(**dict.fromkeys(combo, True))).urgency == "emergency"
        assert not set(combo) & set(EMERGENCY_SIGNS)
        for single in combo:
            assert triage(all_no(**{single: True})).urgency != "emergency"


def test_all_cauda_equina_signs_together() -> None:
    result = triage(all_no(**dict.fromkeys(CAUDA_EQUINA, True)))
    assert result.urgency == "emergency"
    assert {r.id for r in result.reasons} >= set(CAUDA_EQUINA)


@pytest.mark.parametrize(
    ("answers", "rule"),
    [
        ({"fever": True, "immunosuppressed": True}, "fever_immunosuppressed"),
        ({"fever": True, "iv_drug_use": True}, "fever_iv_drug_use"),
        ({"minor_trauma": True, "osteoporosis": True}, "minor_trauma_osteoporosis"),
        ({"minor_trauma": True, "long_term_steroids": True}, "minor_trauma_steroids"),
        ({"minor_trauma": True, "age": 78}, "minor_trauma_age"),
        ({"history_of_cancer": True, "night_pain": True}, "cancer_night_pain"),
        ({"history_of_cancer": True, "sciatica": True}, "cancer_sciatica"),
    ],
)
def test_same_day(answers: dict[str, object], rule: str) -> None:
    result = triage(all_no(**answers))
    assert result.urgency == "same_day"
    assert rule in {r.id for r in result.reasons}
    assert "today" in result.advice


@pytest.mark.parametrize(
    ("answers", "rule"),
    [
        ({"history_of_cancer": True}, "history_of_cancer"),
        ({"unexplained_weight_loss": True}, "unexplained_weight_loss"),
        ({"sciatica": True, "pain_duration_weeks": 6}, "sciatica_not_settling"),
        ({"sciatica": True, "pain_duration_weeks": 12.5}, "sciatica_not_settling"),
        ({"night_pain": True}, "night_pain"),
        ({"immunosuppressed": True}, "immunosuppressed"),
    ],
)
def test_soon(answers: dict[str, object], rule: str) -> None:
    result = triage(all_no(**answers))
    assert result.urgency == "soon"
    assert rule in {r.id for r in result.reasons}
    assert "two weeks" in result.advice


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"sciatica": True, "pain_duration_weeks": 3},
        {"leg_cramping": True},
        {"pain_nrs": 9},
        {"minor_trauma": True, "age": 40},
        {"osteoporosis": True},
        {"long_term_steroids": True},
        {"feeling_unwell": True},
        {"sciatica": True, "leg_cramping": True, "pain_nrs": 7, "age": 68, "sex": "male"},
    ],
)
def test_plain_back_pain_stays_routine(answers: dict[str, object]) -> None:
    result = triage(all_no(**answers))
    assert result.urgency == "routine"
    assert result.reasons == []
    assert result.complete and result.unanswered == []


def test_most_urgent_level_wins_and_reasons_are_sorted() -> None:
    result = triage(all_no(history_of_cancer=True, foot_drop=True, fever=True, unexplained_weight_loss=True))
    assert result.urgency == "emergency"
    levels = [r.urgency for r in result.reasons]
    assert levels[0] == "emergency"
    assert {"same_day", "soon"} <= set(levels)
    order = ["emergency", "same_day", "soon", "routine"]
    assert levels == sorted(levels, key=order.index)


def test_incomplete_screen_names_the_unanswered_emergency_questions() -> None:
    answers = all_no()
    del answers["saddle_numbness"]
    answers["bowel_incontinence"] = None
    result = triage(answers)
    assert result.urgency == "routine"
    assert not result.complete
    assert result.unanswered == ["saddle_numbness", "bowel_incontinence"]
    assert "cannot rule out" in result.notes[0]
    with pytest.raises(ScreeningIncomplete, match="saddle_numbness"):
        triage(answers, require_complete=True)


def test_an_incomplete_screen_asks_its_questions_in_words_not_ids() -> None:
    """The note of an incomplete screen, shown to the patient, listed question ids ("saddle_numbness,
    fever"); it now asks the questions themselves, and ``unanswered`` keeps the ids for programs."""
    answers = {q: False for q in EMERGENCY_QUESTIONS if q not in {"saddle_numbness", "fever"}}
    result = triage(answers)
    assert not result.complete and result.unanswered == ["saddle_numbness", "fever"]
    (note,) = [n for n in result.notes if n.startswith("Not every emergency question was answered")]
    assert "saddle_numbness" not in note and "fever," not in note
    assert "“Is there new numbness or pins and needles around your back passage" in note
    assert note.endswith(
        "“Do you have a fever (a temperature of 38 °C / 100.4 °F or higher) or shivers and sweats?”"
    )


def test_non_emergency_questions_do_not_make_a_screen_incomplete() -> None:
    answers = {q: False for q in EMERGENCY_QUESTIONS}
    assert triage(answers).complete


def test_emergency_number_is_configurable() -> None:
    result = triage({"major_trauma": True}, emergency_number="112")
    assert result.emergency_number == "112"
    assert "112" in result.advice and "911" not in result.advice
    with pytest.raises(InputError, match="emergency number"):
        triage({}, emergency_number=" ")


def test_after_a_major_injury_the_advice_is_to_call_not_to_travel() -> None:
    """After a major injury the reason said "move as little as you can until help arrives" under an action of
    "call … or go to the emergency department": two things at once. With a spine that may be broken, help is
    brought to the person (NICE NG41): the reason now says to call rather than travel, and cites it."""
    result = triage({"major_trauma": True}, emergency_number="112")
    assert result.urgency == "emergency"
    (reason,) = [r for r in result.reasons if r.id == "major_trauma"]
    assert "Call the emergency number rather than travelling yourself" in reason.why
    assert "move as little as you can until help arrives" in reason.why
    assert "NG41" in reason.source and "NG59" in reason.source


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"sadle_numbness": True}, "sadle_numbness"),
        ({"saddle_numbness": False, "feverr": True}, "feverr"),
        ({"saddle_numbness": "yes"}, "saddle_numbness"),
        ({"fever": 1}, "fever"),
        ({"age": "forty"}, "age"),
        ({"age": 40.5}, "age"),
        ({"age": 130}, "age"),
        ({"age": True}, "age"),
        ({"pain_nrs": 11}, "pain_nrs"),
        ({"pain_nrs": -1}, "pain_nrs"),
        ({"pain_duration_weeks": float("nan")}, "pain_duration_weeks"),
        ({"sex": "x"}, "sex"),
        ({"sex": "fem"}, "sex"),
    ],
)
def test_bad_answers_are_errors_naming_the_item(answers: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        triage(answers)


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(InputError, match="JSON object"):
        triage([("fever", True)])  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    others=st.dictionaries(
        st.sampled_from(BOOL_IDS), st.one_of(st.booleans(), st.none()), max_size=len(BOOL_IDS)
    ),
    age=st.one_of(st.none(), st.integers(0, 120)),
    pain=st.one_of(st.none(), st.integers(0, 10)),
    weeks=st.one_of(st.none(), st.floats(0, 5200)),
    sign=st.sampled_from(EMERGENCY_SIGNS),
)
def test_property_any_emergency_sign_in_any_answer_set_is_an_emergency(
    others: dict[str, bool | None], age: int | None, pain: int | None, weeks: float | None, sign: str
) -> None:
    answers: dict[str, object] = {**others, "age": age, "pain_nrs": pain, "pain_duration_weeks": weeks}
    answers[sign] = True
    result = triage(answers)
    assert result.urgency == "emergency"
    assert sign in {r.id for r in result.reasons}


@settings(max_examples=100, deadline=None)
@given(others=st.dictionaries(st.sampled_from(BOOL_IDS), st.booleans()))
def test_property_answering_more_yes_never_lowers_urgency(others: dict[str, bool]) -> None:
    order = ["emergency", "same_day", "soon", "routine"]
    base = triage(others).urgency
    for qid in BOOL_IDS:
        if not others.get(qid):
            more = triage({**others, qid: True}).urgency
            assert order.index(more) <= order.index(base)


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"saddle_numbness": True, "feverr": False}, "feverr"),
        ({"urinary_retention": True, "age": 150}, "age"),
        ({"unable_to_walk": True, "pain_nrs": "7"}, "pain_nrs"),
        ({"fever": True, "feeling_unwell": True, "sex": "x", "night_pain": "yes"}, "sex"),
    ],
)
def test_a_slip_in_another_answer_never_hides_an_emergency(answers: dict[str, object], problem: str) -> None:
    # before: InputError on the slip, so the person saw an error line and no emergency advice at all
    result = triage(answers, emergency_number="112")
    assert result.urgency == "emergency"
    assert "112" in result.advice
    assert result.notes[0].startswith("Some answers could not be read") and problem in result.notes[0]


def test_a_slip_without_an_emergency_is_still_an_error() -> None:
    for answers in ({"fever": True, "age": 150}, {"saddle_numbness": "yes", "fever": True}):
        with pytest.raises(InputError):
            triage(answers)


@pytest.mark.parametrize(
    ("finding", "words"),
    [
        ("history_of_cancer + night_pain", "History of cancer + night pain"),
        ("minor_trauma + age >= 70 (72)", "Minor trauma + age 72 (70 or more)"),
        ("sciatica + pain_duration_weeks >= 6 (10.0)", "Sciatica + pain duration weeks 10 (6 or more)"),
        ("weight < 40.5 (38.25)", "Weight 38.25 (under 40.5)"),
        ("", ""),
    ],
)
def test_a_finding_in_words(finding: str, words: str) -> None:
    """What the clinic app's pages and the doctor's summary say of a reason's finding; a number stored as 10.0
    is said as 10."""
    assert finding_in_words(finding) == words


def test_every_urgency_has_words() -> None:
    assert set(URGENCY_WORDS) == set(URGENCY_ORDER)
    assert urgency_in_words("soon") == "See a doctor within two weeks"
    assert urgency_in_words("same_day") == "See a doctor today"
    assert urgency_in_words("not_a_level") == "Not a level"


def test_only_a_same_day_or_two_week_screening_sends_to_a_doctor_first() -> None:
    """The rule the plan, Today and daily-log pages and the printed sheet share (clinic.see_a_doctor): the latest
    screening's advice comes first when it is to see a doctor today or within two weeks; its words are the
    advice, for a same-day screen the plan's pause, and the reasons of that urgency only."""
    from types import SimpleNamespace

    from backstride.clinic import see_a_doctor, see_a_doctor_words
    from backstride.clinic._triage import BEFORE_THE_PLAN

    assert see_a_doctor(None) is None
    for urgency, first in (("emergency", False), ("same_day", True), ("soon", True), ("routine", False)):
        screening = SimpleNamespace(urgency=urgency, result={})
        assert (see_a_doctor(screening) is screening) is first, urgency
    result = {
        "advice": "See a doctor today.",
        "reasons": [{"urgency": "same_day", "why": "fever"}, {"urgency": "soon", "why": "numb toes"}],
    }
    assert see_a_doctor_words("same_day", result) == ("See a doctor today.", BEFORE_THE_PLAN, ["fever"])
    assert see_a_doctor_words("soon", result) == ("See a doctor today.", "", ["numb toes"])
    # after a same-day screening's words, to screen again once a doctor has seen the patient
    from backstride.clinic import after_the_doctor

    assert after_the_doctor("same_day") == "Once a doctor has seen you, check in again."
    assert after_the_doctor("same_day", to_patient=False) == "Once a doctor has seen them, screen them again."
    assert after_the_doctor("soon") == after_the_doctor("soon", to_patient=False) == ""
