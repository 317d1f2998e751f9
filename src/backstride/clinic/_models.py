"""Base model shared by the clinic's pydantic contracts, and the check of their number fields."""

from __future__ import annotations

import json
import math

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError


class ClinicModel(BaseModel):
    """Strict model: unknown fields are an error (a typo must never be silently dropped)."""

    model_config = ConfigDict(extra="forbid")


def number(low: float, high: float | None = None, *, whole: bool = False) -> BeforeValidator:
    """The check of a number field, from ``low`` to ``high`` (or ``low`` or more), whole with ``whole``:
    ``Annotated[float, number(0, 10)]``.

    Left to itself pydantic reads ``true`` as 1 and the text ``"5"`` as 5, and of NaN says only that it
    should be "less than or equal to 10". Here anything but a JSON number is refused, NaN and Infinity
    included, in one message with the range; a whole number written as 5.0 is taken as 5. A null is left to
    the field's type (allowed where the field is optional).
    """
    kind = "a whole number" if whole else "a number"
    span = f"of {low:g} or more" if high is None else f"from {low:g} to {high:g}"

    def check(value: object) -> object:
        if value is None:
            return value
        why = ""
        if isinstance(value, bool):
            why = " (true and false are not numbers)"
        elif isinstance(value, int | float):
            if not math.isfinite(value):
                why = " (NaN and Infinity are not numbers)"
            elif (
                (not whole or float(value).is_integer()) and low <= value and (high is None or value <= high)
            ):
                return int(value) if whole else value
        try:
            shown = json.dumps(value)
        except (TypeError, ValueError):
            shown = repr(value)
        raise PydanticCustomError(
            "clinic_number",
            "must be {kind} {span}, got {shown}{why}",
            {"kind": kind, "span": span, "shown": shown[:60], "why": why},
        )

    return BeforeValidator(check)
