"""Compare a person's walking with healthy adults of the same age and sex, and name the signs typical of
back pain.

Norms (``data/norms.json``): comfortable gait speed by decade and sex from Bohannon & Andrews, Physiotherapy
2011;97:182-189; cadence from the normal ranges in Whittle's Gait Analysis (4th ed., 2007), which vary little
with age (Oberg et al., J Rehabil Res Dev 1993); stride length derived from the two (stride = 2 x speed /
cadence); trunk lean only against the person's own earlier reading (a lower-back sensor's absolute angle depends
on how it is worn), with a project threshold. The back-pain walking signature
(slower speed, lower cadence, shorter strides, more forward trunk lean) follows Smith et al., J Sport Health
Sci 2022;11:450-465.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from backstride._errors import InputError
from backstride._words import given
from backstride.clinic import _data
from backstride.clinic._models import ClinicModel

NormSex = Literal["female", "male"]

_FIELDS = {
    "walking_speed_mps": "median_walking_speed_mps",
    "cadence_spm": "median_cadence_spm",
    "stride_length_m": "median_stride_length_m",
    "trunk_lean_deg": "median_trunk_lean_deg",
}

SEX_SPELLINGS: dict[str, NormSex] = {
    "female": "female",
    "f": "female",
    "w": "female",
    "male": "male",
    "m": "male",
}
"""How a sex may be written, in any case and with spaces around, as ``backstride analyze --sex`` takes it (its
own table is in :mod:`backstride.gait._pipeline`; a test keeps the two the same)."""


def spelled_sex(value: object, *, other: bool = False) -> object:
    """``value`` as "female" or "male" (or, with ``other``, "other") when it spells one of them; anything else
    unchanged, for the caller to refuse with its own message."""
    if not isinstance(value, str):
        return value
    key = value.strip().lower()
    if other and key == "other":
        return "other"
    return SEX_SPELLINGS.get(key, value)


GAIT_SUMMARY_FIELDS: tuple[str, ...] = (
    "recording_duration_s",
    "total_walking_s",
    "n_steps",
    "n_bouts",
    "longest_bout_s",
    "n_bouts_10s",
    "median_cadence_spm",
    "median_walking_speed_mps",
    "median_stride_length_m",
    "median_step_length_left_m",
    "median_step_length_right_m",
    "median_trunk_lean_deg",
    "median_pelvis_rotation_deg",
    "median_pelvis_obliquity_deg",
    "median_pelvis_tilt_deg",
    "n_pelvis_strides",
)
"""The fields of a gait summary (:class:`backstride.gait.GaitSummary`, the ``summary`` of ``backstride analyze
--json``), listed here so that the clinic does not import the gait engine; a test keeps the two the same."""


def gait_value(field: str, value: object) -> float | None:
    """``value`` of a gait summary's ``field`` as a float, or None for null.

    Raises ValueError, naming the field, for anything but a finite number, and for a median outside the
    plausible range ``data/norms.json`` gives it (with that range and its reason).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"gait summary field {given(field)} must be a number or null, got {given(value)}")
    limits = _data.load("norms")["plausible_ranges"].get(field)
    if limits is not None:
        low, high = limits.get("more_than"), limits["at_most"]
        low_ok = value > low if low is not None else value >= limits["at_least"]
        if not (low_ok and value <= high):
            start = f"more than {low:g}" if low is not None else f"at least {limits['at_least']:g}"
            raise ValueError(
                f"gait summary field {given(field)} must be {start} and at most {high:g} {limits['unit']} "
                f"({limits['why']}), got {given(value)}"
            )
    return float(value)


class MeasureComparison(ClinicModel):
    """One gait measure against its norm."""

    measure: str = Field(description="walking_speed_mps, cadence_spm, stride_length_m or trunk_lean_deg")
    label: str
    unit: str
    value: float | None = Field(
        description="The person's value (None when the gait engine could not measure it)"
    )
    norm: float | None = Field(
        description="The reference value for this age and sex; for trunk lean the person's own reference, if given"
    )
    percent_of_norm: float | None = Field(
        description="100 x value / norm (None for trunk lean and missing values)"
    )
    back_pain_sign: bool = Field(description="True when this measure shows a sign typical of back pain")
    line: str = Field(description="One plain-language sentence")
    source: str


class NormComparison(ClinicModel):
    """A gait result set against the norms for the person's age and sex."""

    age: float
    sex: NormSex
    age_band: str = Field(description="The speed norm's age band used, e.g. '60-69'")
    measures: list[MeasureComparison]
    back_pain_signs: list[str] = Field(description="Signs typical of back pain that show, in plain words")
    notes: list[str] = Field(default_factory=list)


def gait_summary(gait: object, what: str = "what was given") -> object:
    """The summary of a GaitResult, a GaitSummary or a plain mapping (``{"summary": {...}}`` or the summary
    itself). Raises :class:`InputError`, naming ``what``, for anything that is not one: a list, a number, or
    an object without a single median measure is not a walk that lacked steady walking."""
    summary: object = gait
    if isinstance(gait, Mapping):
        summary = gait.get("summary", gait)
    elif hasattr(gait, "summary"):
        summary = gait.summary
    if isinstance(summary, Mapping):
        found = any(field in summary for field in _FIELDS.values())
    else:
        found = not isinstance(summary, str | bytes) and any(hasattr(summary, f) for f in _FIELDS.values())
    if not found:
        raise InputError(
            f"{what} is not a gait result: give the JSON that `backstride analyze --json` writes, or an object "
            f"with a 'summary' that holds {', '.join(_FIELDS.values())} (each a number or null)"
        )
    return summary


def _summary_values(gait: object) -> dict[str, float | None]:
    """Pull the four median measures out of a GaitResult, a GaitSummary or a plain mapping."""
    summary = gait_summary(gait)
    out: dict[str, float | None] = {}
    for measure, field in _FIELDS.items():
        value = summary.get(field) if isinstance(summary, Mapping) else getattr(summary, field, None)
        try:
            out[measure] = gait_value(field, value)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    if all(v is None for v in out.values()):
        raise InputError(
            "the walk holds no stretch of steady walking of 10 s or more, which the comparison needs (its "
            "summary has no median speed, cadence, stride length or trunk lean)"
        )
    return out


def _band(table: list[dict[str, Any]], age: float) -> dict[str, Any]:
    for band in table:
        if band["age_min"] <= age < band["age_max"] + 1:
            return band
    return table[0] if age < table[0]["age_min"] else table[-1]


def norms_for(*, age: float, sex: str) -> dict[str, float]:
    """The reference speed (m/s), cadence (steps/min) and stride length (m) for an age and sex."""
    age, nsex = _check_person(age, sex)
    data = _data.load("norms")
    speed = float(_band(data["walking_speed_mps"]["bands"], age)[nsex])
    cadence = float(_band(data["cadence_spm"]["bands"], age)[nsex])
    return {
        "walking_speed_mps": speed,
        "cadence_spm": cadence,
        "stride_length_m": 2.0 * speed / (cadence / 60.0),
    }


def _check_person(age: object, sex: object) -> tuple[float, NormSex]:
    if (
        isinstance(age, bool)
        or not isinstance(age, int | float)
        or not math.isfinite(age)
        or not 0 < age <= 120
    ):
        raise InputError(f"age must be a number of years between 1 and 120, got {given(age)}")
    nsex = spelled_sex(sex)
    if nsex not in ("female", "male"):
        raise InputError(f"sex must be 'female' or 'male' (or F/M) for the norm tables, got {given(sex)}")
    return float(age), nsex  # type: ignore[return-value]


def compare_with_norms(
    gait: object, *, age: float, sex: str, trunk_lean_reference_deg: float | None = None
) -> NormComparison:
    """Set a gait result against healthy adults of the same age and sex.

    ``gait`` is a :class:`backstride.gait.GaitResult`, its ``summary``, or a plain mapping with the same
    field names (``summary.median_walking_speed_mps`` and so on). Returns, per measure, the value, the norm,
    the percent of norm and a plain line, and lists the signs typical of back pain that show.

    Trunk lean has no population norm for a lower-back sensor (its absolute angle includes how the sensor
    sits), so it is judged only against ``trunk_lean_reference_deg``, the person's own earlier reading with
    the same placement; without it the lean is reported but not judged.
    """
    age_f, nsex = _check_person(age, sex)
    lean_range = _data.load("norms")["plausible_ranges"]["median_trunk_lean_deg"]
    if trunk_lean_reference_deg is not None and (
        isinstance(trunk_lean_reference_deg, bool)
        or not isinstance(trunk_lean_reference_deg, int | float)
        or not lean_range["at_least"] <= trunk_lean_reference_deg <= lean_range["at_most"]
    ):
        raise InputError(
            f"trunk_lean_reference_deg must be an angle between {lean_range['at_least']:g} and "
            f"{lean_range['at_most']:g} degrees, got {given(trunk_lean_reference_deg)}"
        )
    values = _summary_values(gait)
    data = _data.load("norms")
    norms = norms_for(age=age_f, sex=nsex)
    cut = float(data["back_pain_signature"]["below_percent_of_norm"])
    lean_flag = float(data["trunk_lean_deg"]["flag_increase_deg"])
    speed_band = _band(data["walking_speed_mps"]["bands"], age_f)
    notes: list[str] = []
    if age_f < data["walking_speed_mps"]["bands"][0]["age_min"]:
        notes.append("The norms start at age 20; the youngest adult band was used.")
    labels = {
        "walking_speed_mps": ("Walking speed", "m/s", "slower walking speed", "slower than", "faster than"),
        "cadence_spm": (
            "Cadence",
            "steps/min",
            "lower cadence (fewer steps per minute)",
            "lower than",
            "above",
        ),
        "stride_length_m": ("Stride length", "m", "shorter steps", "shorter than", "longer than"),
    }
    who = f"{'women' if nsex == 'female' else 'men'} aged {speed_band['age_min']}-{speed_band['age_max']}"
    measures: list[MeasureComparison] = []
    signs: list[str] = []
    for measure, (label, unit, sign_text, below_word, above_word) in labels.items():
        value, norm = values[measure], norms[measure]
        source = str(data[measure].get("source", data["walking_speed_mps"]["source"]))
        if measure == "stride_length_m":
            source = str(data[measure]["what"])
        if value is None:
            measures.append(
                MeasureComparison(
                    measure=measure,
                    label=label,
                    unit=unit,
                    value=None,
                    norm=norm,
                    percent_of_norm=None,
                    back_pain_sign=False,
                    line=f"{label} could not be measured on this recording.",
                    source=source,
                )
            )
            continue
        pct = 100.0 * value / norm
        is_sign = pct < cut
        if is_sign:
            signs.append(sign_text)
        if abs(pct - 100.0) < 10.0:
            where = f"close to the usual for {who}"
        elif pct < 100.0:
            where = f"{100.0 - pct:.0f} % {below_word} the usual for {who}"
        else:
            where = f"{pct - 100.0:.0f} % {above_word} the usual for {who}"
        nd = 0 if unit == "steps/min" else 2
        line = f"{label} {value:.{nd}f} {unit} is {pct:.0f} % of the norm ({norm:.{nd}f} {unit}): {where}."
        measures.append(
            MeasureComparison(
                measure=measure,
                label=label,
                unit=unit,
                value=value,
                norm=norm,
                percent_of_norm=pct,
                back_pain_sign=is_sign,
                line=line,
                source=source,
            )
        )
    lean = values["trunk_lean_deg"]
    lean_ref = None if trunk_lean_reference_deg is None else float(trunk_lean_reference_deg)
    leaning = False
    if lean is None:
        line = "Trunk lean could not be measured on this recording."
    elif lean_ref is None:
        line = (
            f"Trunk lean {lean:.1f}° (as the sensor reads it). How far a lower-back sensor leans depends on how "
            "it is worn, so this is compared only with the person's own earlier walks, measured the same way."
        )
    else:
        change = lean - lean_ref
        leaning = change > lean_flag
        if leaning:
            signs.append("more forward trunk lean")
            line = (
                f"Trunk lean {lean:.1f}° is {change:.1f}° further forward than the earlier reference of {lean_ref:.1f}° "
                f"(we flag more than {lean_flag:.0f}°)."
            )
        else:
            line = (
                f"Trunk lean {lean:.1f}° is within {lean_flag:.0f}° of the earlier reference of {lean_ref:.1f}° "
                f"({change:+.1f}°)."
            )
    measures.append(
        MeasureComparison(
            measure="trunk_lean_deg",
            label="Trunk lean",
            unit="deg",
            value=lean,
            norm=lean_ref,
            percent_of_norm=None,
            back_pain_sign=leaning,
            line=line,
            source=str(data["trunk_lean_deg"]["source"]),
        )
    )
    return NormComparison(
        age=age_f,
        sex=nsex,
        age_band=f"{speed_band['age_min']}-{speed_band['age_max']}",
        measures=measures,
        back_pain_signs=signs,
        notes=notes,
    )
