"""The gait engine's output: one pydantic model, the JSON the CLI prints and every later part consumes.

Units live in the field names. Times are seconds from the recording's start; bouts are half-open
intervals ``[start_s, end_s)``. A measure that cannot be computed (no height given, too few steps) is
``None``, never a made-up number.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Foot = Literal["left", "right"]
Sex = Literal["female", "male"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InitialContact(_Model):
    """One heel strike."""

    time_s: float = Field(description="Time of the initial contact, s from the recording's start")
    foot: Foot | None = Field(None, description="Which foot touched down, when it can be told")
    closing_step: bool = Field(
        False,
        description="The step that brings the feet together after a bout's last stride: a foot contact, "
        "listed after the bout but not part of it (Mobilise-D bouts end with their last stride)",
    )


class WalkingBout(_Model):
    """One walking bout and its averages (Mobilise-D: a bout is a run of at least 4 strides)."""

    start_s: float = Field(description="First initial contact of the bout, s")
    end_s: float = Field(description="End of the bout (last contact), s; the interval is [start_s, end_s)")
    duration_s: float = Field(description="end_s - start_s")
    n_steps: int = Field(description="Steps in the bout (initial contacts counted, the first included)")
    cadence_spm: float | None = Field(description="Steps per minute")
    step_length_m: float | None = Field(description="Mean step length, m")
    stride_length_m: float | None = Field(description="Mean stride length (two steps), m")
    walking_speed_mps: float | None = Field(description="Mean walking speed, m/s")
    trunk_lean_deg: float | None = Field(
        description="Median lean of the trunk (sensor axis nearest vertical) from vertical while walking, degrees (positive = forward)"
    )
    step_regularity: float | None = Field(
        description="Autocorrelation of vertical acceleration at one step (0..1, 1 = identical steps)"
    )
    stride_regularity: float | None = Field(
        description="Autocorrelation of vertical acceleration at one stride (0..1)"
    )
    symmetry: float | None = Field(
        description="step_regularity / stride_regularity (1 = left and right steps alike)"
    )
    step_time_cv_pct: float | None = Field(description="Coefficient of variation of step times, %")


class GaitSummary(_Model):
    """Per-recording figures."""

    recording_duration_s: float
    total_walking_s: float = Field(description="Sum of bout durations, s")
    n_steps: int = Field(description="Steps in all bouts")
    n_bouts: int
    longest_bout_s: float | None = Field(description="Duration of the longest bout, s")
    n_bouts_10s: int = Field(description="Bouts of 10 s or more")
    median_cadence_spm: float | None = Field(description="Median cadence of bouts of 10 s or more")
    median_walking_speed_mps: float | None = Field(description="Median speed of bouts of 10 s or more")
    median_stride_length_m: float | None = Field(description="Median stride length of bouts of 10 s or more")
    median_trunk_lean_deg: float | None = Field(description="Median trunk lean of bouts of 10 s or more")


class Subject(_Model):
    """What was known of the person, and where the sensor height came from."""

    height_m: float | None = None
    sensor_height_m: float | None = None
    sensor_height_source: Literal["given", "from body height", "unknown"] = "unknown"
    age: float | None = None
    sex: Sex | None = None


class RecordingInfo(_Model):
    source: str | None = Field(None, description="File the recording was read from")
    format: str | None = Field(None, description="Reader that read it (csv, phyphox, sensorlogger, ...)")
    sampling_rate_hz: float
    duration_s: float
    has_gyroscope: bool
    notes: list[str] = Field(default_factory=list, description="What the reader detected or corrected")


class GaitResult(_Model):
    """Everything the engine measured on one recording."""

    backstride_version: str
    recording: RecordingInfo
    subject: Subject
    summary: GaitSummary
    walking_bouts: list[WalkingBout]
    initial_contacts: list[InitialContact]
    warnings: list[str] = Field(default_factory=list)
