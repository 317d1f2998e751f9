"""Base model shared by the clinic's pydantic contracts, and the check of their number fields."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from backstride._dates import EARLIEST_DATE, LATEST_DATE, within
from backstride._words import given


class ClinicModel(BaseModel):
    """Strict model: unknown fields are an error (a typo must never be silently dropped)."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class NumberCheck:
    """The check :func:`number` puts on a field; its bounds are readable, so that a form can say them."""

    low: float
    high: float | None = None
    whole: bool = False
    above: bool = False
    """True when ``low`` itself is refused (a value must be more than it)."""

    def expected(self) -> str:
        """What the field takes, in words: "a whole number from 1 to 3", "a number above 0 and up to 240"."""
        kind = "a whole number" if self.whole else "a number"
        if self.high is None:
            return f"{kind} above {self.low:g}" if self.above else f"{kind} of {self.low:g} or more"
        start = f"above {self.low:g} and up to" if self.above else f"from {self.low:g} to"
        return f"{kind} {start} {self.high:g}"

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
                and (value > self.low if self.above else value >= self.low)
                and (self.high is None or value <= self.high)
            ):
                return int(value) if self.whole else value
        try:
            shown = json.dumps(value)
        except (TypeError, ValueError):
            shown = repr(value)
        raise PydanticCustomError(
            "clinic_number",
            "must be {expected}, got {shown}{why}",
            {"expected": self.expected(), "shown": shown[:60], "why": why},
        )


def number(
    low: float, high: float | None = None, *, whole: bool = False, above: bool = False
) -> BeforeValidator:
    """The check of a number field, from ``low`` to ``high`` (or ``low`` or more), whole with ``whole``:
    ``Annotated[float, number(0, 10)]``; with ``above`` the value must be more than ``low`` (a session's
    minutes: ``number(0, 240, above=True)``, "a number above 0 and up to 240").

    Left to itself pydantic reads ``true`` as 1 and the text ``"5"`` as 5, and of NaN says only that it
    should be "less than or equal to 10". Here anything but a JSON number is refused, NaN and Infinity
    included, in one message with the range; a whole number written as 5.0 is taken as 5. A null is left to
    the field's type (allowed where the field is optional). The bounds are read back by :func:`number_range`.
    """
    return BeforeValidator(NumberCheck(low, high, whole, above))


def number_range(model: type[BaseModel], name: str) -> NumberCheck | None:
    """The bounds :func:`number` put on ``model``'s field ``name``, or None when it has none."""
    for rule in model.model_fields[name].metadata:
        if isinstance(rule, BeforeValidator) and isinstance(rule.func, NumberCheck):
            return rule.func
    return None


def _date_as_text(value: object) -> object:
    """A date is written as text (``"2026-03-02"``): left to itself pydantic reads a number as seconds since
    1970, so ``"start_date": 0`` made a plan from 1970-01-01 without a word."""
    if isinstance(value, str | dt.date):
        return value
    raise PydanticCustomError(
        "clinic_date", "must be a date written as text, YYYY-MM-DD, got {shown}", {"shown": given(value)}
    )


def _date_in_range(value: dt.date) -> dt.date:
    if not within(value):
        raise PydanticCustomError(
            "clinic_date_range",
            "must be a date from {earliest} to {latest}, got {shown}",
            {
                "earliest": EARLIEST_DATE.isoformat(),
                "latest": LATEST_DATE.isoformat(),
                "shown": value.isoformat(),
            },
        )
    return value


ClinicDate = Annotated[dt.date, BeforeValidator(_date_as_text), AfterValidator(_date_in_range)]
"""A date field of the clinic's models: text (or a date), from :data:`EARLIEST_DATE` to :data:`LATEST_DATE`."""
