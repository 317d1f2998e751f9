"""A number typed in a form (``web._fields``): its bounds are the clinic's own number check, read one way."""

from __future__ import annotations

import pytest

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
