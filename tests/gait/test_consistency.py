"""The engine's result agrees with itself on real recordings: the summary is what the bouts give, a bout is
what its contacts give, and what cannot be measured is ``None``.

A property check over recordings of every kind the project holds (the lab's daily-life course and a
straight walk of a person with multiple sclerosis, a 10 m walk with a U-turn, loggers' files with and
without a gyroscope, one with no walking), each analysed with and without a height, turned in space
(both sensors, any rotation) and decimated to 50 Hz. Only the assembling of the figures is checked here,
not whether the detectors found the right steps (``test_real_recordings`` compares them with references).
"""

from __future__ import annotations

import itertools
import json
import math
import re
import statistics
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from backstride import io
from backstride.gait import HEIGHT_NEEDED, GaitResult, WalkingBout, analyze, days_of
from backstride.recording import Recording

RECORDINGS = (
    "lowback-lab/HA-001-Test11-Trial1/imu.csv",
    "lowback-lab/MS-001-Test5-Trial1/imu.csv",
    "lowback-10m/3-2/imu.csv",
    "devices/axivity_cwa/skdh_ax6_sample.cwa",
    "devices/actigraph_gt3x/pygt3x_neo.gt3x",
    "devices/actigraph_gt3x/pygt3x_ISM_Disabled.gt3x",
)
VARIANTS = ("as recorded", "no height", "turned", "50 Hz")
LONG_BOUT_S = 10.0


@cache
def _recording(shared: Path, name: str) -> Recording:
    return io.read(shared / name)


def _variant(rec: Recording, variant: str) -> Recording:
    if variant == "turned":
        q, r = np.linalg.qr(np.random.default_rng(11).normal(size=(3, 3)))
        q = q * np.sign(np.diag(r))
        gyr = None if rec.gyr_dps is None else rec.gyr_dps @ q.T
        return Recording(rec.sampling_rate_hz, rec.time_s, rec.acc_mps2 @ q.T, gyr, metadata=rec.metadata)
    if variant == "50 Hz":
        k = max(round(rec.sampling_rate_hz / 50.0), 1)
        gyr = None if rec.gyr_dps is None else rec.gyr_dps[::k]
        return Recording(
            rec.sampling_rate_hz / k, rec.time_s[::k], rec.acc_mps2[::k], gyr, metadata=rec.metadata
        )
    return rec


@cache
def _analysed(shared: Path, name: str, variant: str) -> GaitResult:
    rec = _variant(_recording(shared, name), variant)
    return analyze(rec, height_m=None if variant == "no height" else 1.7, threads=1)


def _median(values: list[float | None]) -> float | None:
    given = [v for v in values if v is not None]
    return statistics.median(given) if given else None


def _close(a: float | None, b: float | None, tol: float) -> bool:
    # tol is half the figure's last digit: a median of two rounded figures rounds back by that much (1e-9:
    # binary floating point's last bit)
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= tol + 1e-9)


def _contacts_of(result: GaitResult, bout: WalkingBout) -> list:
    return [c for c in result.initial_contacts if c.in_bout and bout.start_s <= c.time_s <= bout.end_s]


def _values(data: object) -> Iterator[object]:
    if isinstance(data, dict):
        for v in data.values():
            yield from _values(v)
    elif isinstance(data, list):
        for v in data:
            yield from _values(v)
    else:
        yield data


@pytest.fixture(params=RECORDINGS, ids=lambda n: n.split("/")[-2] if n.endswith("imu.csv") else Path(n).stem)
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_summary_is_what_the_bouts_give(shared_data: Path, name: str, variant: str) -> None:
    result = _analysed(shared_data, name, variant)
    s, bouts = result.summary, result.walking_bouts
    long = [b for b in bouts if b.duration_s >= LONG_BOUT_S]
    assert s.n_bouts == len(bouts)
    assert s.n_steps == sum(b.n_steps for b in bouts)
    assert s.total_walking_s == pytest.approx(sum(b.duration_s for b in bouts), abs=1e-6)
    assert s.longest_bout_s == max((b.duration_s for b in bouts), default=None)
    assert s.n_bouts_10s == len(long)
    assert s.recording_duration_s == round(result.recording.duration_s, 3)
    for summary_field, bout_field, tol in (
        ("median_cadence_spm", "cadence_spm", 0.005),
        ("median_walking_speed_mps", "walking_speed_mps", 5e-4),
        ("median_stride_length_m", "stride_length_m", 5e-4),
        ("median_step_length_left_m", "step_length_left_m", 5e-4),
        ("median_step_length_right_m", "step_length_right_m", 5e-4),
        ("median_trunk_lean_deg", "trunk_lean_deg", 0.05),
        ("median_pelvis_rotation_deg", "pelvis_rotation_deg", 0.05),
        ("median_pelvis_obliquity_deg", "pelvis_obliquity_deg", 0.05),
        ("median_pelvis_tilt_deg", "pelvis_tilt_deg", 0.05),
    ):
        expected = _median([getattr(b, bout_field) for b in long])
        assert _close(getattr(s, summary_field), expected, tol), summary_field


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_bout_is_what_its_contacts_give(shared_data: Path, name: str, variant: str) -> None:
    result = _analysed(shared_data, name, variant)
    contacts = result.initial_contacts
    assert [c.time_s for c in contacts] == sorted(c.time_s for c in contacts)
    in_bouts = 0
    for bout in result.walking_bouts:
        mine = _contacts_of(result, bout)
        in_bouts += len(mine)
        # the bout runs from its first contact to its last, both counted in n_steps
        assert len(mine) == bout.n_steps
        assert (mine[0].time_s, mine[-1].time_s) == (bout.start_s, bout.end_s)
        assert bout.duration_s == pytest.approx(bout.end_s - bout.start_s, abs=1.5e-3)
        # from the unrounded duration: a millisecond's rounding moves a short bout's cadence by a few 0.01
        cadence = 60.0 * (bout.n_steps - 1) / bout.duration_s
        assert bout.cadence_spm == pytest.approx(cadence, abs=0.005 + cadence * 1e-3 / bout.duration_s)
        assert all(c.foot in ("left", "right") for c in mine)
        # the bout's steps end at its contacts after its first (which may end a starting step, outside it)
        lengths = [c.step_length_m for c in mine[1:]]
        if bout.step_length_m is None:
            assert lengths == [None] * len(lengths)
            assert bout.stride_length_m is None and bout.walking_speed_mps is None
            assert bout.step_length_left_m is None and bout.step_length_right_m is None
        else:
            known = [v for v in lengths if v is not None]
            assert statistics.mean(known) == pytest.approx(bout.step_length_m, abs=1e-3)
            assert bout.stride_length_m == pytest.approx(2 * bout.step_length_m, abs=1.1e-3)
            speed = bout.step_length_m * bout.cadence_spm / 60.0
            assert bout.walking_speed_mps == pytest.approx(speed, abs=2e-3)
            for foot in ("left", "right"):
                steps = [c.step_length_m for c in mine[1:] if c.foot == foot and c.step_length_m is not None]
                by_foot = getattr(bout, f"step_length_{foot}_m")
                assert by_foot == pytest.approx(statistics.mean(steps), abs=1e-3)
        for regularity in (bout.step_regularity, bout.stride_regularity):
            assert regularity is None or 0.0 <= regularity <= 1.0
        if bout.symmetry is not None:
            assert bout.step_regularity is not None and bout.stride_regularity is not None
            ratio = bout.step_regularity / bout.stride_regularity
            assert bout.symmetry == pytest.approx(ratio, rel=0.01, abs=2e-3)
        assert bout.step_time_cv_pct is None or bout.step_time_cv_pct > 0.0
    # every contact listed is a bout's step or, outside every bout, one of its walk's starting or stopping
    # steps (at most two at each end) or its closing step, in the walk's order
    outside = [c for c in contacts if not c.in_bout]
    assert in_bouts + len(outside) == len(contacts)
    for c in outside:
        assert not any(b.start_s <= c.time_s <= b.end_s for b in result.walking_bouts)
    kinds = "".join("c" if c.closing_step else "b" if c.in_bout else "o" for c in contacts)
    assert re.fullmatch(r"(o{0,2}b+o{0,2}c?)*", kinds), kinds
    closing = [c for c in contacts if c.closing_step]
    for c in closing:
        assert c.step_length_m is None
        before = [b for b in result.walking_bouts if b.start_s < c.time_s]
        assert before and before[-1].end_s < c.time_s  # after its bout's end, before the next bout


@pytest.mark.parametrize("variant", VARIANTS)
def test_what_cannot_be_measured_is_none(shared_data: Path, name: str, variant: str) -> None:
    result = _analysed(shared_data, name, variant)
    data = json.loads(result.to_json())
    numbers = [v for v in _values(data) if isinstance(v, float)]
    assert all(math.isfinite(v) for v in numbers)
    assert GaitResult.from_json(result.to_json()) == result
    if variant == "no height":
        assert HEIGHT_NEEDED in result.warnings
        assert result.subject.sensor_height_source == "unknown"
        assert all(c.step_length_m is None for c in result.initial_contacts)
        s = result.summary
        assert (s.median_walking_speed_mps, s.median_stride_length_m) == (None, None)
    if not result.recording.has_gyroscope:
        assert all(b.pelvis_rotation_deg is None for b in result.walking_bouts)
        assert result.summary.median_pelvis_rotation_deg is None
    if not result.walking_bouts:
        s = result.summary
        assert (s.n_steps, s.n_bouts, s.total_walking_s, s.longest_bout_s) == (0, 0, 0.0, None)
        assert s.median_cadence_spm is None and result.initial_contacts == []


def test_the_days_add_up_to_the_whole(shared_data: Path) -> None:
    """A logger's file started two minutes before midnight covers two calendar days: the days' steps,
    bouts and time add up to the recording's (a bout across midnight counts on the day it starts)."""
    rec = _recording(shared_data, "devices/actigraph_gt3x/readgt3x_TAS1H30182785_2019-09-17.gt3x")
    late = Recording(
        rec.sampling_rate_hz,
        rec.time_s,
        rec.acc_mps2,
        rec.gyr_dps,
        metadata={**rec.metadata, "start_time": "2019-09-17T23:58:00-04:00"},
    )
    result = analyze(late, height_m=1.7, threads=1)
    grid, days = days_of(result)
    s = result.summary
    assert grid.n_days == 2 and [str(d) for d in days["date"]] == ["2019-09-17", "2019-09-18"]
    assert days["recorded_s"][0] == pytest.approx(120.0)
    assert sum(days["recorded_s"]) == pytest.approx(result.recording.duration_s)
    assert all(n > 0 for n in days["n_bouts"])  # both days have walking
    assert sum(days["n_bouts"]) == s.n_bouts
    assert sum(days["n_bouts_10s"]) == s.n_bouts_10s
    assert sum(days["n_steps"]) == s.n_steps
    assert sum(days["walking_s"]) == pytest.approx(s.total_walking_s, abs=1e-6)
    first = [b for b in result.walking_bouts if b.start_s < 120.0]
    assert any(b.end_s > 120.0 for b in first)  # one walks across midnight
    assert days["n_steps"][0] == sum(b.n_steps for b in first)


def test_the_lab_walks_alternate_their_feet(shared_data: Path) -> None:
    """On the straight walks each foot follows the other (on the course, with its turns and stairs, the
    sway can name one foot twice: a missed contact, which the foot model allows)."""
    for trial in ("HA-001-Test5-Trial1", "HA-002-Test5-Trial1", "MS-001-Test5-Trial1"):
        result = _analysed(shared_data, f"lowback-lab/{trial}/imu.csv", "as recorded")
        for bout in result.walking_bouts:
            feet = [c.foot for c in _contacts_of(result, bout)]
            assert all(a != b for a, b in itertools.pairwise(feet)), trial
