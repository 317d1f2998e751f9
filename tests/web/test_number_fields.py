"""A number typed in a form (``web._fields``): its bounds are the clinic's own number check, read one way;
the check-in reads its numbers with the same parser as the other forms, within its questions' bounds."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import check_in, sign_in

from backstride.clinic import DailyLog, Plan, TherapySession, WalkLog
from backstride.web._fields import bounds, expected


@pytest.mark.parametrize(
    ("model", "name", "limits", "words"),
    [
        (TherapySession, "duration_min", (0, 240, True), "a number above 0 and up to 240"),
        (TherapySession, "pain_before", (0, 10, False), "a number from 0 to 10"),
        (Plan, "walks_per_day", (1, 3, False), "a whole number from 1 to 3"),
        (WalkLog, "minutes", (0, 600, False), "a whole number from 0 to 600"),
        (DailyLog, "pain_today", (0, 10, False), "a whole number from 0 to 10"),
    ],
)
def test_a_fields_bounds_are_its_clinic_number_check(
    model: type, name: str, limits: tuple[float, float | None, bool], words: str
) -> None:
    assert bounds(model, name) == limits
    assert expected(limits, whole=model in (Plan, WalkLog, DailyLog)) == words


def test_a_field_without_a_number_check_has_no_bounds_to_give() -> None:
    """A form would take any number for it: said at once, never an unbounded field."""
    with pytest.raises(LookupError, match=r"TherapySession\.notes has no number check"):
        bounds(TherapySession, "notes")


# ------------------------------------------------------------------------------- the check-in's numbers
TYPED = ["abc", "nan", "NaN", "inf", "-Infinity", "1e400", "  7 ", "7,5", "7,0", "7.", "-0", "10", "11", "-1"]


def _checkin(name: str, raw: str) -> tuple[object, str | None]:
    """What the check-in makes of ``raw`` typed for question ``name``: its answer, and its problem."""
    from starlette.datastructures import FormData

    from backstride.web.routes._patient import _answers_from_form

    answers, _, problems = _answers_from_form(FormData([(name, raw)]))
    return answers.get(name), problems.get(name)


def _log_pain_today(raw: str) -> tuple[object, bool]:
    """What the daily log makes of ``raw`` typed as the day's pain (a whole number from 0 to 10)."""
    from starlette.datastructures import FormData

    from backstride.web._log_form import read_log_form

    form = read_log_form(FormData([("pain_today", raw)]), known_flags=set(), known_exercises=set())
    return form.pain_today, bool(form.problems)


@pytest.mark.parametrize("raw", TYPED)
def test_the_check_in_reads_a_typed_pain_as_the_daily_log_does(raw: str) -> None:
    """The check-in's pain (0-10, whole) and the log's day pain (0-10, whole) read one way, by one parser."""
    answer, problem = _checkin("pain_nrs", raw)
    assert (answer, problem is not None) == _log_pain_today(raw)
    assert isinstance(answer, int | None) and not isinstance(answer, bool)


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("abc", None), ("nan", None), ("inf", None), ("1e400", None), ("-0,5", None), ("601", None),
        ("  7 ", 7.0), ("7,5", 7.5), ("7.25", 7.25), ("0", 0.0), ("600", 600.0),
    ],
)  # fmt: skip
def test_the_check_in_reads_a_typed_number_with_a_decimal_comma_in_its_range(
    raw: str, answer: float | None
) -> None:
    value, problem = _checkin("walking_tolerance_min", raw)
    assert value == answer
    assert (problem is None) == (answer is not None)
    if problem is not None:
        assert problem == (
            "How many minutes can you walk before the pain starts to rise? — give a number from 0 to 600 "
            "(minutes)."
        )


def test_the_check_in_says_what_a_whole_number_question_takes() -> None:
    assert _checkin("age", "52,5") == (None, "How old are you? — give a whole number from 0 to 120 (years).")
    assert _checkin("age", " 52 ") == (52, None)


def _screening(clinic: Any) -> tuple[str, dict[str, Any]] | None:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        latest = store.latest_screening(s, clinic.patient_a)
        return None if latest is None else (latest.urgency, dict(latest.answers))


def test_a_check_in_keeps_numbers_typed_with_spaces_or_a_decimal_comma(client: Any, clinic: Any) -> None:
    sign_in(client, "paula@home.test")
    done = check_in(client, clinic.patient_a, pain_nrs="  7 ", walking_tolerance_min="7,5", age=" 52")
    assert done.status_code == 303
    stored = _screening(clinic)
    assert stored is not None
    assert stored[1]["pain_nrs"] == 7 and stored[1]["walking_tolerance_min"] == 7.5 and stored[1]["age"] == 52


@pytest.mark.parametrize("raw", ["nan", "inf", "1e400"])
def test_a_check_in_number_that_is_no_number_comes_back_and_never_hides_a_warning_sign(
    client: Any, clinic: Any, raw: str
) -> None:
    sign_in(client, "paula@home.test")
    page = check_in(client, clinic.patient_a, walking_tolerance_min=raw)
    assert page.status_code == 422
    assert "— give a number from 0 to 600 (minutes)." in page.text
    assert f'value="{raw}"' in page.text
    assert _screening(clinic) is None
    stop = check_in(client, clinic.patient_a, pain_nrs=raw, saddle_numbness="yes")
    assert stop.status_code == 200 and 'id="emergency-number">911<' in stop.text
    stored = _screening(clinic)
    assert stored is not None and stored[0] == "emergency"
    assert stored[1]["saddle_numbness"] is True and "pain_nrs" not in stored[1]


@pytest.mark.parametrize(
    ("raw", "read"), [("1_0", None), ("1e1", None), ("0x5", None), ("\u0667", 7), ("5", 5)]
)
def test_a_typed_number_is_read_as_a_person_types_one(raw: str, read: int | None) -> None:
    """``float`` read "1_0" and "1e1" as 10 (a pain of 10 logged from a slip of the keyboard); they are refused
    as no number. Digits of another script are the number they spell (a phone's Arabic keyboard)."""
    assert _log_pain_today(raw) == (read, read is None)  # an unusable pain is kept as none, its problem said
