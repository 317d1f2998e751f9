"""``io.ReadOptions``: what a caller says about a file, checked when made, given back as reader arguments."""

from __future__ import annotations

import pytest

from backstride import InputError
from backstride.io import ReadOptions


def test_only_what_was_given_is_passed_on() -> None:
    assert ReadOptions().given() == {}
    options = ReadOptions(
        format="csv", time_unit="ms", acc_columns=["v", "ml", "ap"], gyr_unit="rad/s", rate_hz=128.0
    )
    assert options.acc_columns == ("v", "ml", "ap")  # a list becomes a tuple: the options stay frozen
    assert options.given() == {
        "format": "csv",
        "time_unit": "ms",
        "acc_columns": ["v", "ml", "ap"],
        "gyr_unit": "rad/s",
        "rate_hz": 128.0,
    }
    assert options == ReadOptions(
        format="csv", time_unit="ms", acc_columns=("v", "ml", "ap"), gyr_unit="rad/s", rate_hz=128.0
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"format": "xlsx"}, "unknown format 'xlsx'"),
        ({"time_unit": "h"}, "unknown time unit 'h'"),
        ({"acc_unit": "cm/s2"}, "unknown acceleration unit 'cm/s2'"),
        ({"gyr_unit": "rpm"}, "unknown angular-rate unit 'rpm'"),
        ({"acc_columns": ["x", "y"]}, "give three acceleration column names"),
        ({"gyr_columns": ["x", " ", "z"]}, "give three angular-rate column names"),
        ({"rate_hz": 0.0}, "a sampling rate of 0.0 Hz is not plausible"),
        ({"rate_hz": float("inf")}, "a sampling rate of inf Hz is not plausible"),
    ],
)
def test_impossible_options_are_refused_when_made(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ReadOptions(**kwargs)  # type: ignore[arg-type]
