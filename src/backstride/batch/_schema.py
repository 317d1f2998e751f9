"""The Parquet tables a batch writes: one explicit pyarrow schema each, with units in the column names.

The schemas are the contract with whoever reads the results (pandas, polars, DuckDB, R's arrow); a test
checks them field by field, and ``docs/batch.md`` describes every column. Bump :data:`SCHEMA_VERSION` when
a column changes meaning or type; a results folder written with another version is refused rather than
mixed.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 6
_PELVIS_BOUT = ("pelvis_rotation_deg", "pelvis_obliquity_deg", "pelvis_tilt_deg")
_PELVIS_SUMMARY = ("median_pelvis_rotation_deg", "median_pelvis_obliquity_deg", "median_pelvis_tilt_deg")
_STRIDES_BOUT = ("pelvis_strides",)
_STRIDES_SUMMARY = ("n_pelvis_strides",)
_FEET_BOUT = ("step_length_left_m", "step_length_right_m")
_FEET_SUMMARY = ("median_step_length_left_m", "median_step_length_right_m")
#: columns added since an earlier version, per table: a folder of that version gets them (as nulls) when a
#: batch resumes in it, rather than being refused (version 2: ``recordings.device``; version 3: the
#: pelvis's rotation ranges in ``bouts`` and their medians in ``recordings``; version 4:
#: ``recordings.read_options``; version 5: the left and right steps' means in ``bouts`` and their medians
#: in ``recordings``; version 6: how many strides the pelvis's ranges rest on, ``bouts.pelvis_strides`` and
#: ``recordings.n_pelvis_strides``)
ADDED_COLUMNS: dict[int, dict[str, tuple[str, ...]]] = {
    1: {
        "recordings": (
            "device",
            *_PELVIS_SUMMARY,
            "read_options",
            *_FEET_SUMMARY,
            *_STRIDES_SUMMARY,
        ),
        "bouts": (*_PELVIS_BOUT, *_FEET_BOUT, *_STRIDES_BOUT),
    },
    2: {
        "recordings": (*_PELVIS_SUMMARY, "read_options", *_FEET_SUMMARY, *_STRIDES_SUMMARY),
        "bouts": (*_PELVIS_BOUT, *_FEET_BOUT, *_STRIDES_BOUT),
    },
    3: {
        "recordings": ("read_options", *_FEET_SUMMARY, *_STRIDES_SUMMARY),
        "bouts": (*_FEET_BOUT, *_STRIDES_BOUT),
    },
    4: {
        "recordings": (*_FEET_SUMMARY, *_STRIDES_SUMMARY),
        "bouts": (*_FEET_BOUT, *_STRIDES_BOUT),
    },
    5: {"recordings": _STRIDES_SUMMARY, "bouts": _STRIDES_BOUT},
}

TABLE_NAMES = ("bouts", "recordings", "days", "failures")


def _f(name: str, type_: pa.DataType, doc: str, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": doc})


_ID = [
    _f("recording_id", pa.string(), "sha256 of the recording file's bytes (hex)", nullable=False),
    _f("path", pa.string(), "path of the file relative to the input it was found under", nullable=False),
]

BOUTS = pa.schema(
    [
        *_ID,
        _f("bout_index", pa.int32(), "0-based position of the bout in the recording", nullable=False),
        _f("day_index", pa.int32(), "1-based day of the recording the bout starts in", nullable=False),
        _f("date", pa.date32(), "calendar date the bout starts on (null when the start time is unknown)"),
        _f("start_s", pa.float64(), "first initial contact, s from the recording's start", nullable=False),
        _f("end_s", pa.float64(), "end of the bout, s from the recording's start", nullable=False),
        _f("duration_s", pa.float64(), "end_s - start_s", nullable=False),
        _f("n_steps", pa.int32(), "steps in the bout", nullable=False),
        _f("cadence_spm", pa.float64(), "steps per minute"),
        _f("step_length_m", pa.float64(), "mean step length, m"),
        _f("stride_length_m", pa.float64(), "mean stride length, m"),
        _f("step_length_left_m", pa.float64(), "mean length of the steps onto the left foot, m"),
        _f("step_length_right_m", pa.float64(), "mean length of the steps onto the right foot, m"),
        _f("walking_speed_mps", pa.float64(), "mean walking speed, m/s"),
        _f("trunk_lean_deg", pa.float64(), "median forward trunk lean in the bout, degrees"),
        _f("step_regularity", pa.float64(), "autocorrelation at one step (0..1)"),
        _f("stride_regularity", pa.float64(), "autocorrelation at one stride (0..1)"),
        _f("symmetry", pa.float64(), "step_regularity / stride_regularity"),
        _f("step_time_cv_pct", pa.float64(), "coefficient of variation of step times, %"),
        _f(
            "pelvis_rotation_deg",
            pa.float64(),
            "median range of pelvis rotation (vertical axis) per stride, degrees",
        ),
        _f(
            "pelvis_obliquity_deg",
            pa.float64(),
            "median range of pelvis obliquity (forward axis) per stride, degrees",
        ),
        _f(
            "pelvis_tilt_deg",
            pa.float64(),
            "median range of pelvis tilt (left-right axis) per stride, degrees",
        ),
        _f(
            "pelvis_strides",
            pa.int32(),
            "strides the pelvis's ranges are the median of (turns left out); null without a gyroscope",
        ),
    ]
)

RECORDINGS = pa.schema(
    [
        *_ID,
        _f("source", pa.string(), "the file as it was read (absolute path)", nullable=False),
        _f("size_bytes", pa.int64(), "file size, bytes", nullable=False),
        _f("format", pa.string(), "reader that read the file"),
        _f("start_time", pa.string(), "recording start as ISO 8601 text, when the file tells it"),
        _f("device", pa.string(), "the sensor or phone (make, model, serial), when the file names it"),
        _f("sampling_rate_hz", pa.float64(), "samples per second", nullable=False),
        _f("duration_s", pa.float64(), "recording length, s", nullable=False),
        _f("n_days", pa.int32(), "calendar days (or 24 h periods) the recording covers", nullable=False),
        _f("has_gyroscope", pa.bool_(), "whether angular rate was recorded", nullable=False),
        _f("total_walking_s", pa.float64(), "sum of bout durations, s", nullable=False),
        _f("n_steps", pa.int64(), "steps in all bouts", nullable=False),
        _f("n_bouts", pa.int32(), "walking bouts", nullable=False),
        _f("longest_bout_s", pa.float64(), "longest bout, s"),
        _f("n_bouts_10s", pa.int32(), "bouts of 10 s or more", nullable=False),
        _f("median_cadence_spm", pa.float64(), "median cadence of bouts of 10 s or more"),
        _f("median_walking_speed_mps", pa.float64(), "median speed of bouts of 10 s or more"),
        _f("median_stride_length_m", pa.float64(), "median stride length of bouts of 10 s or more"),
        _f(
            "median_step_length_left_m",
            pa.float64(),
            "median of the left steps' bout means, over bouts of 10 s or more",
        ),
        _f(
            "median_step_length_right_m",
            pa.float64(),
            "median of the right steps' bout means, over bouts of 10 s or more",
        ),
        _f("median_trunk_lean_deg", pa.float64(), "median trunk lean of bouts of 10 s or more"),
        _f(
            "median_pelvis_rotation_deg",
            pa.float64(),
            "median pelvis rotation range of bouts of 10 s or more",
        ),
        _f(
            "median_pelvis_obliquity_deg",
            pa.float64(),
            "median pelvis obliquity range of bouts of 10 s or more",
        ),
        _f("median_pelvis_tilt_deg", pa.float64(), "median pelvis tilt range of bouts of 10 s or more"),
        _f(
            "n_pelvis_strides",
            pa.int32(),
            "strides behind the pelvis medians (bouts of 10 s or more); null without a gyroscope",
        ),
        _f("p90_walking_speed_mps", pa.float64(), "90th percentile of the speeds of bouts of 10 s or more"),
        _f(
            "n_initial_contacts",
            pa.int64(),
            "initial contacts listed: the bouts' steps (n_steps), their walks' starting and stopping steps and their closing steps",
            nullable=False,
        ),
        _f("height_m", pa.float64(), "body height used, m"),
        _f("sensor_height_m", pa.float64(), "sensor height above the ground used, m"),
        _f("sensor_height_source", pa.string(), "given, from body height, or unknown"),
        _f("age", pa.float64(), "age, years"),
        _f("sex", pa.string(), "female or male"),
        _f("warnings", pa.list_(pa.string()), "what the engine warned about", nullable=False),
        _f("notes", pa.list_(pa.string()), "what the reader detected or corrected", nullable=False),
        _f("chunk_s", pa.float64(), "chunk length the file was streamed in, s", nullable=False),
        _f(
            "read_options",
            pa.string(),
            "how the file was told to be read (JSON: format, units, a CSV's column names, as given); null "
            "when nothing was given and all was found from the file",
        ),
        _f("processing_s", pa.float64(), "wall time spent on the file by its worker, s", nullable=False),
        _f("backstride_version", pa.string(), "backstride version that analysed the file", nullable=False),
        _f("analysed_at", pa.timestamp("ms", tz="UTC"), "when the analysis finished", nullable=False),
    ]
)

DAYS = pa.schema(
    [
        *_ID,
        _f("day_index", pa.int32(), "1-based day of the recording", nullable=False),
        _f("date", pa.date32(), "calendar date (null when the start time is unknown)"),
        _f("recorded_s", pa.float64(), "seconds of that day covered by the recording", nullable=False),
        _f(
            "walking_s",
            pa.float64(),
            "walking time: sum of durations of bouts starting that day, s",
            nullable=False,
        ),
        _f("n_steps", pa.int64(), "steps in those bouts", nullable=False),
        _f("n_bouts", pa.int32(), "bouts starting that day", nullable=False),
        _f("n_bouts_10s", pa.int32(), "of them, bouts of 10 s or more", nullable=False),
        _f("median_cadence_spm", pa.float64(), "median cadence of bouts of 10 s or more"),
        _f("median_walking_speed_mps", pa.float64(), "median speed of bouts of 10 s or more"),
        _f("p90_walking_speed_mps", pa.float64(), "90th percentile of the speeds of bouts of 10 s or more"),
    ]
)

FAILURES = pa.schema(
    [
        _f("recording_id", pa.string(), "sha256 of the file, null when it could not even be read"),
        _f("path", pa.string(), "path of the file relative to its input", nullable=False),
        _f("source", pa.string(), "the file as it was given (absolute path)", nullable=False),
        _f(
            "error_type",
            pa.string(),
            "class of the error (InputError, UnsupportedFormatError, ...)",
            nullable=False,
        ),
        _f("message", pa.string(), "what went wrong, in words", nullable=False),
        _f("failed_at", pa.timestamp("ms", tz="UTC"), "when it failed", nullable=False),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "bouts": BOUTS,
    "recordings": RECORDINGS,
    "days": DAYS,
    "failures": FAILURES,
}
