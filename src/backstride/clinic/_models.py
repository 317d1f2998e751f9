"""Base model shared by the clinic's pydantic contracts, and the check of their number fields."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError


class ClinicModel(BaseModel):
    """Strict model: unknown fields are an error (a typo must never be silently dropped)."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class NumberCheck:
    """The check :func:`number` puts on a field; its bounds are readable, so that a form can say them."""

    low: float
    high: float | None = None
    whole: bool = False

    def __call__(self, value: object) -> object:
        if value is None:
            return value
        why = ""
        if isinstance(value, bool):
            why = " (true and false are not numbers)"
        elif isinstance(value, int | float):
            if not math.isfinite(value):
                why = " (NaN and Infinity are not numbers)"
            elif (
                (not self.whole or float(value).is_integer())
                and self.low <= value
                and (self.high is None or value <= self.high)
            ):
                return int(value) if self.whole else value
        try:
            shown = json.dumps(value)
        except (TypeError, ValueError):
            shown = repr(value)
        kind = "a whole number" if self.whole else "a number"
        span = f"of {self.low:g} or more" if self.high is None else f"from {self.low:g} to {self.high:g}"
        raise PydanticCustomError(
            "clinic_number",
            "must be {kind} {span}, got {shown}{why}",
            {"kind": kind, "span": span, "shown": shown[:60], "why": why},
        )


def number(low: float, high: float | None = None, *, whole: bool = False) -> BeforeValidator:
    """The check of a number field, from ``low`` to ``high`` (or ``low`` or more), whole with ``whole``:
    ``Annotated[float, number(0, 10)]``.

    Left to itself pydantic reads ``true`` as 1 and the text ``"5"`` as 5, and of NaN says only that it
    should be "less than or equal to 10". Here anything but a JSON number is refused, NaN and Infinity
    included, in one message with the range; a whole number written as 5.0 is taken as 5. A null is left to
    the field's type (allowed where the field is optional). The bounds are read back by :func:`number_range`.
    """
    return BeforeValidator(NumberCheck(low, high, whole))


def number_range(model: type[BaseModel], name: str) -> NumberCheck | None:
    """The bounds :func:`number` put on ``model``'s field ``name``, or None when it has none."""
    for rule in model.model_fields[name].metadata:
        if isinstance(rule, BeforeValidator) and isinstance(rule.func, NumberCheck):
            return rule.func
    return None
