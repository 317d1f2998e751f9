"""A number typed in a form, read in the form's own words: every problem names the field as the form labels
it and says what it takes ("Walk 1, minutes walked: give a whole number from 0 to 600"), with the bounds of
the clinic model the value is for (the check-in: of its screening question), so none is said twice; and the
limits of the text a clinician types (:func:`text_problem`)."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

UNUSABLE: Any = ...
"""What :func:`read_number` gives for a field typed but not usable (its problem is named)."""

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
"""A number as a person types it: digits (in any script: ``float`` reads "٣" as 3), one decimal point or
comma. Not ``float``'s other spellings: "1_0" (10), "1e1" (10), "inf", " 0x1"."""


def typed_number(text: str) -> float:
    """The number ``text`` spells as a person types one (:data:`_DECIMAL`); NaN when it spells none."""
    text = text.strip()
    return float(text.replace(",", ".")) if _DECIMAL.fullmatch(text) else math.nan


TEXT_MAX = 2000
"""Characters a clinician's note or reason may have (a plan change's reason, a therapy session's notes, a note
about the patient) and the patient's daily note (``_log_form.NOTES_MAX``): a few paragraphs. They had no
limit, so a paste of a whole document was kept and shown on every page (and in every report and export)
that shows it."""

LINE_MAX = 200
"""Characters of a one-line text a clinician types (a therapy session's technique, region, dose)."""


def text_problem(text: str, label: str, most: int, *, one_line: bool = False) -> str | None:
    """The problem of a text longer than ``most`` characters (stripped, as it would be kept), in the form's own
    words ("Reason: give at most 2,000 characters (this one has 2,013)."), or of one holding a control
    character: a terminal's escape sequence, a NUL, or (``one_line``: a name, a session's technique) a line
    break; None when it fits. Found by fuzzing the forms: a name "Eve\r\nEvil\x1b[31m" was kept and listed,
    and a technique of one escape character counted as filled in. The caller refuses the form and shows the
    text back whole, to be put right: never cut or changed without a word."""
    kept = text.strip()
    n = len(kept)
    if n > most:
        return f"{label}: give at most {most:,} characters (this one has {n:,})."
    allowed = "" if one_line else "\t\n\r"
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in kept):
        what = (
            "a line break or another control character"
            if one_line
            else "a control character (an escape, a NUL)"
        )
        return f"{label}: it holds {what}, which no keyboard types and which cannot be kept; type it again."
    return None


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
    number = typed_number(raw)
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
