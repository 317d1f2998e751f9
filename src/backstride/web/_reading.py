"""What the upload form can say of a file that backstride cannot read by itself, and what a refusal asks of it.

A phone app's or a sensor's own file is read as it is. A table from some other logger may need to be told what
it holds: its rate when it has no time column, the unit of its time or acceleration, which columns are which.
The command line takes those as flags (``--rate-hz``, ``--acc-unit`` ...); the upload form takes them as the
fields of its "How the file is written" section (:data:`FIELDS`). Both are the readers' own options
(:class:`backstride.io.ReadOptions`), checked by the readers' own rules, and kept with the stored recording so
that it is read alike when analysed again or drawn in its report. When a file is refused for want of one
(:class:`backstride.OptionNeeded`), :func:`advice` names the form's field to fill in, not the flag.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException

from backstride._errors import InputError, OptionNeeded
from backstride.web._fields import typed_number

SECTION = "How the file is written"


@dataclass(frozen=True)
class Field:
    """One field of the form's section: ``name`` is the reading option's (a keyword of ``io.read``);
    ``choices``: the values of a list to choose from (value, words), else a text field."""

    name: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""


FIELDS: tuple[Field, ...] = (
    Field("rate_hz", "Samples per second", hint="for a table without a time column, its rows evenly spaced"),
    Field("time_column", "Name of the time column", hint="as in the file's first line"),
    Field(
        "time_unit",
        "Unit of the time column",
        (
            ("s", "seconds"),
            ("ms", "milliseconds"),
            ("us", "microseconds"),
            ("ns", "nanoseconds"),
            ("d", "days (a spreadsheet's date and time as a number)"),
        ),
    ),
    Field("acc_columns", "Names of the acceleration columns", hint="x, y and z, separated by commas"),
    Field(
        "acc_unit",
        "Acceleration unit",
        (("g", "g (1 g is gravity)"), ("m/s2", "m/s²"), ("mg", "mg (1000 mg is gravity)")),
    ),
    Field(
        "gyr_columns", "Names of the angular-rate columns", hint="the gyroscope's x, y and z, if it has one"
    ),
    Field(
        "gyr_unit", "Angular-rate unit", (("deg/s", "degrees per second"), ("rad/s", "radians per second"))
    ),
)
_BY_NAME = {f.name: f for f in FIELDS}
_TEXT_MAX = 200  # a column name or a list of three is short; a longer entry is a paste gone wrong


def options_from_form(form: Mapping[str, Any]) -> Any:
    """The reading options the form gives (empty fields: found from the file) as :class:`io.ReadOptions`;
    an entry the readers would refuse ends in HTTP 422 with what to write instead."""
    from backstride import io

    given: dict[str, Any] = {}
    for field in FIELDS:
        raw = form.get(field.name)
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            continue
        if len(text) > _TEXT_MAX:
            raise HTTPException(422, f'"{field.label}" is too long: give at most {_TEXT_MAX} characters.')
        if field.name == "rate_hz":
            given["rate_hz"] = _rate(text)
        elif field.name.endswith("_columns"):
            given[field.name] = [name.strip() for name in text.split(",")]
        elif field.choices and text not in {value for value, _ in field.choices}:
            raise HTTPException(422, f'"{field.label}" cannot be {text[:20]!r}: choose one from its list.')
        else:
            given[field.name] = text
    try:
        return io.ReadOptions(**given)
    except InputError as exc:
        text = str(exc)
        raise HTTPException(422, f"{text[:1].upper()}{text[1:].rstrip('.')}.") from None


def _rate(text: str) -> float:
    from backstride import io

    try:
        rate = typed_number(text)
        io.ReadOptions(rate_hz=rate)  # whether it is plausible is the readers' rule
    except (ValueError, InputError):
        raise HTTPException(
            422,
            f"The rate {text[:20]!r} is not a number of samples per second a sensor records, such as 100. "
            "Leave it empty for a file with a time column.",
        ) from None
    return rate


def advice(exc: OptionNeeded) -> str:
    """What to fill in on the form so that the file refused with ``exc`` reads: ``'set "Acceleration unit" to
    m/s² under "How the file is written", and upload it again'``."""
    asks = []
    for name, value in exc.options.items():
        field = _BY_NAME.get(name)
        if field is None:  # an option the form does not offer
            continue
        words = dict(field.choices).get(value) if value is not None else None
        if words:
            asks.append(f'set "{field.label}" to {words}')
        else:
            asks.append(f'{"choose" if field.choices else "fill in"} "{field.label}"')
    if not asks:
        return "export the recording from its app or sensor again"
    return f'{", or ".join(asks)} under "{SECTION}", and upload it again'


def refusal(exc: OptionNeeded, filename: str | None = None) -> str:
    """The web app's sentence for a file refused for want of a reading option: the reason (after ``filename``
    when given and the reason does not already begin with it) and the form's field to fill in."""
    said = exc.reason
    if filename is not None and not said.startswith(filename):
        said = f"{filename} could not be read: {said}"
    return f"{said}. To read it, {advice(exc)}."


@contextlib.contextmanager
def in_the_forms_words() -> Iterator[None]:
    """Around a job's reading of a file: a refusal for want of a reading option (a unit found wrong further
    into a streamed file) says it as :func:`refusal` does, not in the command line's flags."""
    try:
        yield
    except OptionNeeded as exc:
        raise InputError(refusal(exc)) from None


def described(options: Any, fmt: str | None) -> str | None:
    """What the upload form said of a stored recording's file that its reader (``fmt``) used, in the fields'
    words (for its result page), or None when everything was found from the file. A phone app's or a sensor's
    own file names its own columns and keeps its own clock: what was said of those was left aside (its reader
    notes it) and is not shown as used."""
    from backstride import io

    given = options.given()
    parts = []
    for field in FIELDS:
        value = given.get(field.name)
        if value is None or (fmt != "csv" and field.name in io.CSV_ONLY_OPTIONS):
            continue
        if isinstance(value, list):
            words = ", ".join(value)
        else:
            words = dict(field.choices).get(
                str(value), f"{value:g}" if isinstance(value, float) else str(value)
            )
        parts.append(f"{field.label}: {words}")
    return "; ".join(parts) or None
