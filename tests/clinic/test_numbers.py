"""The clinic's one check of a number field (``clinic._models.number``): a JSON number in its range, said in
plain words; the range can leave out its lower end (a session's minutes are more than 0)."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import ValidationError

from backstride.clinic._models import ClinicModel, number, number_range


class _Minutes(ClinicModel):
    minutes: Annotated[float | None, number(0, 240, above=True)] = None
    count: Annotated[int, number(0, above=True, whole=True)] = 1


def _problem(**values: object) -> str:
    with pytest.raises(ValidationError) as caught:
        _Minutes(**values)
    (error,) = caught.value.errors()
    assert error["type"] == "clinic_number"
    return f"{'.'.join(map(str, error['loc']))}: {error['msg']}"


@pytest.mark.parametrize("value", [1e-9, 0.5, 240, 240.0])
def test_a_number_above_its_low_end_is_taken(value: float) -> None:
    assert _Minutes(minutes=value).minutes == value


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"minutes": 0}, "minutes: must be a number above 0 and up to 240, got 0"),
        ({"minutes": -0.0}, "minutes: must be a number above 0 and up to 240, got -0.0"),
        ({"minutes": 240.5}, "minutes: must be a number above 0 and up to 240, got 240.5"),
        ({"minutes": "5"}, 'minutes: must be a number above 0 and up to 240, got "5"'),
        ({"minutes": True}, "minutes: must be a number above 0 and up to 240, got true (true and false are not "
         "numbers)"),
        ({"minutes": float("nan")}, "minutes: must be a number above 0 and up to 240, got NaN (NaN and Infinity "
         "are not numbers)"),
        ({"count": 0}, "count: must be a whole number above 0, got 0"),
        ({"count": 1.5}, "count: must be a whole number above 0, got 1.5"),
    ],
)  # fmt: skip
def test_a_number_at_or_below_its_low_end_is_refused_in_words(
    values: dict[str, object], message: str
) -> None:
    assert _problem(**values) == message


def test_the_bounds_are_readable_with_their_open_end() -> None:
    minutes = number_range(_Minutes, "minutes")
    assert minutes is not None
    assert (minutes.low, minutes.high, minutes.whole, minutes.above) == (0, 240, False, True)
    assert minutes.expected() == "a number above 0 and up to 240"
    count = number_range(_Minutes, "count")
    assert count is not None and count.expected() == "a whole number above 0"
    assert _Minutes(count=3.0).count == 3
