"""Who wore the sensor: the figures of the person the gait engine takes, and what each may be.

The bounds are plausibility checks, not clinical rules: they catch a height typed in centimetres or feet, or
a sensor height that cannot be a lower back's. Every front end that keeps such a figure for later (the
store's patient profile, the web's forms) checks it against these same bounds, so a figure that was saved is
one every analysis takes.

- Body height 0.8–2.5 m: a walking child of about three years to beyond the tallest adults measured.
- Sensor height 0.3–1.6 m: the lower back (L5, about 0.6 × body height; Drillis & Contini 1966, see
  ``_spatial``) over the same range of bodies.
- Age above 0 and under 120 years.
"""

from __future__ import annotations

from backstride._errors import InputError
from backstride.gait._result import Subject
from backstride.gait._spatial import sensor_height_from_body_height

BODY_HEIGHT_M = (0.8, 2.5)
"""The body heights taken, metres, both ends included."""
SENSOR_HEIGHT_M = (0.3, 1.6)
"""The sensor heights above the ground taken, metres, both ends included."""
AGE_YEARS = (0.0, 120.0)
"""The ages taken, years, both ends excluded."""


def height_plausible(height_m: float) -> bool:
    return BODY_HEIGHT_M[0] <= height_m <= BODY_HEIGHT_M[1]


def sensor_height_plausible(sensor_height_m: float) -> bool:
    return SENSOR_HEIGHT_M[0] <= sensor_height_m <= SENSOR_HEIGHT_M[1]


def age_plausible(age: float) -> bool:
    return AGE_YEARS[0] < age < AGE_YEARS[1]


def subject(
    height_m: float | None, sensor_height_m: float | None, age: float | None, sex: str | None
) -> Subject:
    """The person as the analysis takes them; a figure out of its bounds is an :class:`InputError`. A missing
    value written as NaN (as spreadsheets and pandas write it) means "not given"."""
    height_m, sensor_height_m, age = (
        None if v is None or v != v else v for v in (height_m, sensor_height_m, age)
    )
    if height_m is not None and not height_plausible(height_m):
        raise InputError(f"body height {height_m} m is not plausible; give it in metres (e.g. 1.72)")
    if sensor_height_m is not None and not sensor_height_plausible(sensor_height_m):
        raise InputError(f"sensor height {sensor_height_m} m is not plausible; give it in metres (e.g. 1.0)")
    if age is not None and not age_plausible(age):
        raise InputError(f"age {age} is not plausible")
    sex_norm = None
    if sex is not None:
        key = sex.strip().lower()
        table = {"f": "female", "female": "female", "w": "female", "m": "male", "male": "male"}
        if key not in table:
            raise InputError(f"sex must be 'female' or 'male' (or F/M), got {sex!r}")
        sex_norm = table[key]
    if sensor_height_m is not None:
        source = "given"
        lh: float | None = sensor_height_m
    elif height_m is not None:
        source = "from body height"
        lh = sensor_height_from_body_height(height_m)
    else:
        source = "unknown"
        lh = None
    return Subject(
        height_m=height_m,
        sensor_height_m=None if lh is None else round(lh, 3),
        sensor_height_source=source,  # type: ignore[arg-type]
        age=age,
        sex=sex_norm,  # type: ignore[arg-type]
    )
