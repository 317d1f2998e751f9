"""A number typed in a form, read in the form's own words: every problem names the field as the form labels
it and says what it takes ("Walk 1, minutes walked: give a whole number from 0 to 600"), with the bounds of
the clinic model the value is for (the check-in: of its screening question), so none is said twice."""

from __future__ import annotations

import math
from typing import Any

UNUSABLE: Any = ...
"""What :func:`read_number` gives for a field typed but not usable (its problem is named)."""


def bounds(model: Any, name: str) -> tuple[float, float | None, bool]:
    """A clinic model field's lower and upper bound, and whether the lower one is excluded (a session's
    minutes are above 0): the field's own number check, ``clinic._models.number``. A field without one
    raises ``LookupError``: a form reading it would take any number at all."""
    from backstride.clinic._models import number_range

    checked = number_range(model, name)
    if checked is None:
        raise LookupError(f"{model.__name__}.{name} has no number check (clinic._models.number)")
    return checked.low, checked.high, checked.above


def expected(limits: tuple[float | None, float | None, bool], *, whole: bool) -> str:
    """What a field takes, e.g. "a whole number from 0 to 600", in the words of the clinic's own messages."""
    from backstride.clinic._models import NumberCheck

    low, high, above = limits
    if low is None:
        return "a whole number" if whole else "a number"
    return NumberCheck(low, high, whole, above).expected()


def read_number(
    raw: Any, label: str, limits: tuple[float | None, float | None, bool], *, whole: bool
) -> tuple[Any, str | None]:
    """``(number, None)``; ``(None, None)`` for an empty field; ``(UNUSABLE, problem)`` otherwise."""
    if not isinstance(raw, str) or not raw.strip():
        return None, None
    try:
        number = float(raw.strip().replace(",", "."))
    except ValueError:
        number = math.nan
    low, high, above = limits
    fits = (
        math.isfinite(number)
        and (not whole or number.is_integer())
        and (low is None or (number > low if above else number >= low))
        and (high is None or number <= high)
    )
    if not fits:
        return UNUSABLE, f"{label}: give {expected(limits, whole=whole)}."
    return (int(number) if whole else number), None
