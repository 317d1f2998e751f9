"""A number typed in a form, read in the form's own words: every problem names the field as the form labels
it and says what it takes ("Walk 1, minutes walked: give a whole number from 0 to 600"), with the bounds of
the clinic model the value is for, so none is said twice."""

from __future__ import annotations

import math
from typing import Any

UNUSABLE: Any = ...
"""What :func:`read_number` gives for a field typed but not usable (its problem is named)."""


def bounds(model: Any, name: str) -> tuple[float | None, float | None, bool]:
    """A pydantic model field's lower and upper bound, and whether the lower one is excluded (``gt``): the
    clinic's own number check (``clinic._models.number``) or pydantic's ``ge``/``gt``/``le``."""
    from backstride.clinic._models import number_range

    checked = number_range(model, name)
    if checked is not None:
        return checked.low, checked.high, checked.above
    low: float | None = None
    high: float | None = None
    above = False
    for rule in model.model_fields[name].metadata:
        if getattr(rule, "ge", None) is not None:
            low = rule.ge
        if getattr(rule, "gt", None) is not None:
            low, above = rule.gt, True
        if getattr(rule, "le", None) is not None:
            high = rule.le
    return low, high, above


def expected(limits: tuple[float | None, float | None, bool], *, whole: bool) -> str:
    """What a field takes, e.g. "a whole number from 0 to 600"."""
    low, high, above = limits
    kind = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        return f"{kind} above {low:g} and up to {high:g}" if above else f"{kind} from {low:g} to {high:g}"
    if low is not None:
        return f"{kind} above {low:g}" if above else f"{kind} of {low:g} or more"
    return kind


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
