"""The gait engine's output: one value object, the JSON the CLI prints and every later part consumes.

Units live in the field names. Times are seconds from the recording's start; a bout is the closed
interval ``[start_s, end_s]`` from its first initial contact to its last, both among its steps. A measure that cannot be computed (no height given, too few steps) is
``None``, never a made-up number.

The classes are frozen standard-library dataclasses: the engine builds them from its own numbers, so
nothing needs validating on the way out, and ``backstride analyze`` does not pay for a validation
library's import and schema building (about 0.15 s of a 0.75 s run). Where a result comes back *in*
(stored JSON, an upload, an API client) :meth:`GaitResult.from_dict` (or :meth:`GaitResult.from_json`, for
the text) validates it with pydantic against these same classes (unknown fields refused, types and
literals checked), and says what does not fit in one :class:`~backstride.InputError`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal, Self

from backstride._errors import InputError
from backstride._jsontext import json_pieces, write_json
from backstride._words import plural

Foot = Literal["left", "right"]
Sex = Literal["female", "male"]


LONG_BOUT_S = 10.0
"""Bouts at least this long (s) make the summary's medians: cadence, speed and stride settle in them."""


def _doc(text: str) -> dict[str, str]:
    return {"description": text}


class _Value:
    """What the result classes share: plain JSON in and out."""

    __slots__ = ()
    #: read by pydantic when it validates these classes (``from_dict``): no unknown fields
    __pydantic_config__ = {"extra": "forbid"}  # noqa: RUF012  (a TypedDict pydantic reads; never mutated)

    def to_dict(self) -> dict[str, Any]:
        """The object as plain JSON values (nested objects as dicts, lists as lists)."""
        return {name: _plain(getattr(self, name)) for name in self.field_names()}

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return _field_names(cls)

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Validate JSON data (a dict, e.g. stored or uploaded) into this class. Data that does not fit is
        one :class:`~backstride.InputError` saying where (``walking_bouts[0].n_steps: missing``): a
        researcher reading a saved file back needs to know what is wrong with it, not pydantic's traceback."""
        what = f"not a backstride {_what(cls)}"
        if not isinstance(data, dict):
            raise InputError(f"{what}: a JSON object is needed, not a {type(data).__name__}")
        if data and not data.keys() & set(cls.field_names()):  # another program's JSON
            raise InputError(f"{what}: none of its fields ({', '.join(_required(cls))}) is there")
        from pydantic import ValidationError

        try:
            value: Self = _adapter(cls).validate_python(data)
        except ValidationError as exc:
            raise InputError(f"{what}: {_problems(exc)}") from None
        return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """A result class's field names, found once, not at every record written (a week has ~10^5 contacts)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _plain(value: Any) -> Any:
    if isinstance(value, _Value):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or infinity; "not measured" is None throughout
    return value


# problems named in full when stored JSON does not fit; the rest are counted
MAX_PROBLEMS = 3


def _what(cls: type) -> str:
    """``GaitResult`` → ``gait result``: the class as its error messages name it."""
    return re.sub(r"(?<!^)([A-Z])", r" \1", cls.__name__).lower()


def _required(cls: type) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]


def _problems(exc: Any) -> str:
    """pydantic's validation errors in a line: each where it is and what is wrong, the first few of them."""
    said = []
    for error in exc.errors(include_url=False):
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
        kind = error["type"]
        text = (
            "missing"
            if kind == "missing"
            else "not a field of it"
            if kind == "unexpected_keyword_argument"
            else error["msg"]
        )
        said.append(f"{where.removeprefix('.') or 'the whole'}: {text}")
    more = len(said) - MAX_PROBLEMS
    if more > 0:
        said = [*said[:MAX_PROBLEMS], f"and {plural(more, 'more problem')}"]
    return "; ".join(said)


_ADAPTERS: dict[type, Any] = {}


def _adapter(cls: type) -> Any:
    """pydantic's validator for ``cls``, built once (pydantic is imported only here, when data comes in)."""
    if cls not in _ADAPTERS:
        from pydantic import TypeAdapter

        _ADAPTERS[cls] = TypeAdapter(cls)
    return _ADAPTERS[cls]


@dataclass(frozen=True, slots=True, kw_only=True)
class InitialContact(_Value):
    """One heel strike."""

    time_s: float = field(metadata=_doc("Time of the initial contact, s from the recording's start"))
    foot: Foot | None = field(default=None, metadata=_doc("Which foot touched down, when it can be told"))
    step_length_m: float | None = field(
        default=None,
        metadata=_doc(
            "Length of the step this contact ends (from the walk's previous contact), m: the foot's step "
            "when the foot is known; None for a walk's first contact, a closing step, or without a height",
        ),
    )
    closing_step: bool = field(
        default=False,
        metadata=_doc(
            "The step that brings the feet together after a bout's last stride: a foot contact, "
            "listed after the bout but not part of it (Mobilise-D bouts end with their last stride)",
        ),
    )
    in_bout: bool = field(
        default=True,
        metadata=_doc(
            "Whether the contact is one of its bout's steps: False for a walk's short starting and stopping "
            "steps and its closing step, foot contacts listed next to the bout but outside its interval",
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WalkingBout(_Value):
    """One walking bout and its averages (Mobilise-D: a bout is a run of at least 4 strides)."""

    start_s: float = field(metadata=_doc("First initial contact of the bout, s"))
    end_s: float = field(
        metadata=_doc(
            "End of the bout (its last initial contact, one of its steps), s; the interval is [start_s, end_s]"
        )
    )
    duration_s: float = field(metadata=_doc("end_s - start_s"))
    n_steps: int = field(metadata=_doc("Steps in the bout (initial contacts counted, the first included)"))
    cadence_spm: float | None = field(metadata=_doc("Steps per minute"))
    step_length_m: float | None = field(metadata=_doc("Mean step length, m"))
    stride_length_m: float | None = field(metadata=_doc("Mean stride length (two steps), m"))
    step_length_left_m: float | None = field(
        default=None,
        metadata=_doc(
            "Mean length of the bout's steps onto the left foot (its contacts' step_length_m), m; None when "
            "none of them has a length and a foot"
        ),
    )
    step_length_right_m: float | None = field(
        default=None, metadata=_doc("Mean length of the bout's steps onto the right foot, m")
    )
    walking_speed_mps: float | None = field(metadata=_doc("Mean walking speed, m/s"))
    trunk_lean_deg: float | None = field(
        metadata=_doc(
            "Median lean of the trunk (sensor axis nearest vertical) from vertical while walking, degrees (positive = forward)"
        )
    )
    step_regularity: float | None = field(
        metadata=_doc("Autocorrelation of vertical acceleration at one step (0..1, 1 = identical steps)")
    )
    stride_regularity: float | None = field(
        metadata=_doc("Autocorrelation of vertical acceleration at one stride (0..1)")
    )
    symmetry: float | None = field(
        metadata=_doc("step_regularity / stride_regularity (1 = left and right steps alike)")
    )
    step_time_cv_pct: float | None = field(metadata=_doc("Coefficient of variation of step times, %"))
    pelvis_rotation_deg: float | None = field(
        default=None,
        metadata=_doc(
            "Median range of the pelvis's rotation about the vertical axis in a stride, degrees (needs the gyroscope)"
        ),
    )
    pelvis_obliquity_deg: float | None = field(
        default=None,
        metadata=_doc("Median range of the pelvis's rotation about the forward axis in a stride, degrees"),
    )
    pelvis_tilt_deg: float | None = field(
        default=None,
        metadata=_doc("Median range of the pelvis's rotation about the left-right axis in a stride, degrees"),
    )
    pelvis_strides: int | None = field(
        default=None,
        metadata=_doc(
            "How many strides the pelvis's ranges are the median of: the bout's strides that are not turns, "
            "do not run into or out of one and whose angular rate was measured, not drawn (0 when none is "
            "left); None without the gyroscope"
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class GaitSummary(_Value):
    """Per-recording figures."""

    recording_duration_s: float
    total_walking_s: float = field(metadata=_doc("Sum of bout durations, s"))
    n_steps: int = field(metadata=_doc("Steps in all bouts"))
    n_bouts: int
    longest_bout_s: float | None = field(metadata=_doc("Duration of the longest bout, s"))
    n_bouts_10s: int = field(metadata=_doc("Bouts of 10 s or more"))
    median_cadence_spm: float | None = field(metadata=_doc("Median cadence of bouts of 10 s or more"))
    median_walking_speed_mps: float | None = field(metadata=_doc("Median speed of bouts of 10 s or more"))
    median_stride_length_m: float | None = field(
        metadata=_doc("Median stride length of bouts of 10 s or more")
    )
    median_step_length_left_m: float | None = field(
        default=None, metadata=_doc("Median of the left steps' bout means, over bouts of 10 s or more")
    )
    median_step_length_right_m: float | None = field(
        default=None, metadata=_doc("Median of the right steps' bout means, over bouts of 10 s or more")
    )
    median_trunk_lean_deg: float | None = field(metadata=_doc("Median trunk lean of bouts of 10 s or more"))
    median_pelvis_rotation_deg: float | None = field(
        default=None, metadata=_doc("Median pelvis rotation range of bouts of 10 s or more")
    )
    median_pelvis_obliquity_deg: float | None = field(
        default=None, metadata=_doc("Median pelvis obliquity range of bouts of 10 s or more")
    )
    median_pelvis_tilt_deg: float | None = field(
        default=None, metadata=_doc("Median pelvis tilt range of bouts of 10 s or more")
    )
    n_pelvis_strides: int | None = field(
        default=None,
        metadata=_doc(
            "Strides behind those pelvis medians: the pelvis_strides of the bouts of 10 s or more (None without "
            "the gyroscope)"
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject(_Value):
    """What was known of the person, and where the sensor height came from."""

    height_m: float | None = None
    sensor_height_m: float | None = None
    sensor_height_source: Literal["given", "from body height", "unknown"] = "unknown"
    age: float | None = None
    sex: Sex | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordingInfo(_Value):
    source: str | None = field(default=None, metadata=_doc("File the recording was read from"))
    format: str | None = field(
        default=None, metadata=_doc("Reader that read it (csv, phyphox, sensorlogger, ...)")
    )
    sampling_rate_hz: float
    duration_s: float
    has_gyroscope: bool
    notes: list[str] = field(default_factory=list, metadata=_doc("What the reader detected or corrected"))
    start_time: str | None = field(
        default=None,
        metadata=_doc("Start of the recording as ISO 8601 text, with its UTC offset when the file gives one"),
    )
    device: str | None = field(default=None, metadata=_doc("The sensor or phone, when the file names it"))


@dataclass(frozen=True, slots=True, kw_only=True)
class GaitResult(_Value):
    """Everything the engine measured on one recording."""

    backstride_version: str
    recording: RecordingInfo
    subject: Subject
    summary: GaitSummary
    walking_bouts: list[WalkingBout]
    initial_contacts: list[InitialContact]
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, text: str | bytes) -> GaitResult:
        """The result :meth:`to_json` wrote (or ``backstride analyze --json``), read back and validated as
        :meth:`from_dict` does; text that is not JSON is an :class:`~backstride.InputError` too."""
        try:
            data = json.loads(text)
        except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8
            where = (
                f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
                if isinstance(exc, json.JSONDecodeError)
                else str(exc)
            )
            raise InputError(f"not JSON text ({where})") from None
        return cls.from_dict(data)

    def to_json(self) -> str:
        """The result as JSON text: a field per line, and each bout and contact on a line of its own
        (readable and diffable, and written at the speed of the standard library's C encoder)."""
        return "".join(json_pieces(self._fields(), _plain))

    def write_json(self, stream: IO[str]) -> None:
        """Write :meth:`to_json`'s text to ``stream`` one record at a time (a week's contacts never become
        one large string), then a newline."""
        write_json(self._fields(), stream, _plain)
        stream.write("\n")

    def _fields(self) -> Iterator[tuple[str, Any]]:
        return ((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
