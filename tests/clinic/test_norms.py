"""Gait norms by age and sex, and the back-pain walking signature."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backstride import InputError
from backstride.clinic import compare_with_norms, norms_for
from backstride.gait import GaitResult, GaitSummary, RecordingInfo, Subject


def summary(**kw: float | None) -> dict[str, object]:
    values: dict[str, float | None] = {
        "median_walking_speed_mps": 1.30,
        "median_cadence_spm": 112.0,
        "median_stride_length_m": 1.40,
        "median_trunk_lean_deg": 3.0,
    }
    values.update(kw)
    return {"summary": values}


@pytest.mark.parametrize(
    ("age", "sex", "speed"),
    [(25, "male", 1.358), (45, "male", 1.434), (45, "female", 1.390), (65, "female", 1.241), (85, "female", 0.943),
     (79.9, "male", 1.262), (18, "female", 1.341), (105, "male", 0.968)],
)  # fmt: skip
def test_bohannon_speed_norms(age: float, sex: str, speed: float) -> None:
    norms = norms_for(age=age, sex=sex)
    assert norms["walking_speed_mps"] == pytest.approx(speed)
    # stride = 2 x speed / (cadence / 60)
    assert norms["stride_length_m"] == pytest.approx(2 * speed * 60 / norms["cadence_spm"])


def test_healthy_walk_shows_no_signs() -> None:
    result = compare_with_norms(summary(), age=45, sex="female")
    assert result.back_pain_signs == []
    speed = result.measures[0]
    assert speed.measure == "walking_speed_mps"
    assert speed.norm == pytest.approx(1.390)
    assert speed.percent_of_norm == pytest.approx(100 * 1.30 / 1.390)
    assert "close to the usual for women aged 40-49" in speed.line
    assert result.age_band == "40-49"


def test_back_pain_signature() -> None:
    result = compare_with_norms(
        summary(
            median_walking_speed_mps=0.85,
            median_cadence_spm=90.0,
            median_stride_length_m=1.05,
            median_trunk_lean_deg=14.0,
        ),
        age=62,
        sex="male",
        trunk_lean_reference_deg=7.5,
    )
    assert result.back_pain_signs == [
        "slower walking speed",
        "lower cadence (fewer steps per minute)",
        "shorter steps",
        "more forward trunk lean",
    ]
    speed = result.measures[0]
    assert speed.percent_of_norm == pytest.approx(100 * 0.85 / 1.339)
    assert "37 % slower than the usual for men aged 60-69" in speed.line
    assert all(m.back_pain_sign for m in result.measures)


def test_only_some_signs_and_missing_measures() -> None:
    result = compare_with_norms(
        summary(median_walking_speed_mps=1.0, median_trunk_lean_deg=None), age=70, sex="female"
    )
    assert result.back_pain_signs == ["slower walking speed"]
    lean = result.measures[-1]
    assert lean.value is None and "could not be measured" in lean.line


def test_accepts_a_gait_result() -> None:
    gait = GaitResult(
        backstride_version="0.1.0",
        recording=RecordingInfo(sampling_rate_hz=100, duration_s=60, has_gyroscope=True),
        subject=Subject(),
        summary=GaitSummary(
            recording_duration_s=60, total_walking_s=50, n_steps=90, n_bouts=1, longest_bout_s=50, n_bouts_10s=1,
            median_cadence_spm=100.0, median_walking_speed_mps=1.0, median_stride_length_m=1.2,
            median_trunk_lean_deg=12.0,
        ),
        walking_bouts=[],
        initial_contacts=[],
    )  # fmt: skip
    from_model = compare_with_norms(gait, age=55, sex="female", trunk_lean_reference_deg=6)
    from_summary = compare_with_norms(gait.summary, age=55, sex="female", trunk_lean_reference_deg=6)
    from_dict = compare_with_norms(gait.to_dict(), age=55, sex="female", trunk_lean_reference_deg=6)
    assert from_model == from_summary == from_dict
    assert "more forward trunk lean" in from_model.back_pain_signs


@pytest.mark.parametrize(
    ("gait", "age", "sex", "message"),
    [
        (summary(), 45, "x", "sex"),
        (summary(), 0, "male", "age"),
        (summary(), 200, "male", "age"),
        (summary(), "old", "male", "age"),
        (summary(median_walking_speed_mps="fast"), 45, "male", "median_walking_speed_mps"),
        (summary(median_walking_speed_mps=None, median_cadence_spm=None, median_stride_length_m=None,
                 median_trunk_lean_deg=None), 45, "male", "no stretch of steady walking of 10 s or more"),
        ({"summary": {}}, 45, "male", "^what was given is not a gait result: give the JSON that"),
        ({}, 45, "male", "^what was given is not a gait result"),
        ([1, 2], 45, "male", "^what was given is not a gait result"),
        ({"summary": [1, 2]}, 45, "male", "^what was given is not a gait result"),
    ],
)  # fmt: skip
def test_bad_input(gait: object, age: object, sex: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        compare_with_norms(gait, age=age, sex=sex)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("median_walking_speed_mps", -1, "must be more than 0 and at most 3 m/s (people change from walking "
         "to running at about 2 m/s; the fastest speed norm is 1.43 m/s), got -1"),
        ("median_walking_speed_mps", 3.2, "must be more than 0 and at most 3 m/s"),
        ("median_cadence_spm", 5000, "must be more than 0 and at most 250 steps/min (backstride's gait "
         "engine counts steps of 0.25-1.5 s, 40-240 steps a minute), got 5000"),
        ("median_stride_length_m", 0, "must be more than 0 and at most 3 m (a stride is two walking steps, "
         "under about 2 m even for tall people walking fast), got 0"),
        ("median_trunk_lean_deg", 400, "must be at least -90 and at most 90 deg (an angle from vertical; the "
         "gait engine reads it within about 55 degrees either way), got 400"),
        ("median_trunk_lean_deg", float("inf"), "must be a number or null, got inf"),
    ],
)  # fmt: skip
def test_impossible_gait_values_are_refused_with_their_range(field: str, value: float, message: str) -> None:
    with pytest.raises(InputError) as caught:
        compare_with_norms(summary(**{field: value}), age=63, sex="female")
    assert str(caught.value).startswith(f"gait summary field '{field}' {message}")
    assert str(caught.value).endswith(f"got {value!r}")


def test_the_edges_of_the_plausible_ranges_are_compared() -> None:
    edges = summary(median_walking_speed_mps=3.0, median_cadence_spm=250, median_trunk_lean_deg=-90)
    result = compare_with_norms(edges, age=63, sex="female", trunk_lean_reference_deg=90)
    assert [m.value for m in result.measures] == [3.0, 250.0, 1.40, -90.0]


def test_gait_summary_fields_are_the_gait_engines() -> None:
    import dataclasses

    from backstride.clinic._norms import GAIT_SUMMARY_FIELDS

    assert tuple(f.name for f in dataclasses.fields(GaitSummary)) == GAIT_SUMMARY_FIELDS


def test_sex_is_read_as_analyze_reads_it() -> None:
    from backstride.clinic._norms import SEX_SPELLINGS, spelled_sex
    from backstride.gait._subject import subject as _subject

    for written in [*SEX_SPELLINGS, "F", " Male ", "W", "FEMALE"]:
        assert spelled_sex(written) == _subject(None, None, None, written).sex
        compare_with_norms(summary(), age=45, sex=written)
    for written in ("x", "other", "femal", ""):
        with pytest.raises(InputError, match="sex must be 'female' or 'male'"):
            _subject(None, None, None, written)
        with pytest.raises(
            InputError, match=r"sex must be 'female' or 'male' \(or F/M\) for the norm tables"
        ):
            compare_with_norms(summary(), age=45, sex=written)


def test_trunk_lean_is_judged_only_against_the_persons_own_reference() -> None:
    leaning = summary(median_trunk_lean_deg=24.0)
    alone = compare_with_norms(leaning, age=45, sex="male")
    lean = alone.measures[-1]
    assert lean.measure == "trunk_lean_deg" and lean.value == 24.0
    assert lean.norm is None and not lean.back_pain_sign
    # words for a patient, a therapist and a doctor alike (the doctor's summary was told "your own earlier walks")
    assert "compared only with the person's own earlier walks, measured the same way" in lean.line
    assert "your" not in lean.line
    assert "more forward trunk lean" not in alone.back_pain_signs
    same = compare_with_norms(leaning, age=45, sex="male", trunk_lean_reference_deg=21.0).measures[-1]
    assert not same.back_pain_sign and "within 5°" in same.line
    more = compare_with_norms(leaning, age=45, sex="male", trunk_lean_reference_deg=18.0)
    assert more.measures[-1].back_pain_sign
    assert "6.0° further forward than the earlier reference of 18.0°" in more.measures[-1].line
    assert more.back_pain_signs == ["more forward trunk lean"]
    with pytest.raises(InputError, match="trunk_lean_reference_deg"):
        compare_with_norms(leaning, age=45, sex="male", trunk_lean_reference_deg=400)


@pytest.mark.slow
def test_real_recordings_of_healthy_walkers(shared_data: Path) -> None:
    """The gait engine's result on real 10 m walks (healthy adults) goes straight into the comparison."""
    from backstride import io
    from backstride.gait import analyze

    for name in ("1-1", "1-6"):
        folder = shared_data / "lowback-10m" / name
        meta = json.loads((folder / "meta.json").read_text())
        gait = analyze(io.read(folder / "imu.csv"), height_m=meta["height_m"])
        sex = {"F": "female", "M": "male"}[meta["sex"]]
        result = compare_with_norms(gait, age=meta["age"], sex=sex)
        speed, cadence, stride, lean = result.measures
        assert stride.norm is not None
        assert speed.value == gait.summary.median_walking_speed_mps
        assert speed.percent_of_norm == pytest.approx(100 * speed.value / speed.norm)  # type: ignore[operator]
        # a healthy adult on a short walk with a turn: cadence near the norm, speed a bit below it
        assert 80 < (cadence.percent_of_norm or 0) < 120
        assert 60 < (speed.percent_of_norm or 0) < 110
        assert lean.value is not None and not lean.back_pain_sign
