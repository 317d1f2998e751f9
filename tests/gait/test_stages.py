"""Each gait stage on signals whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from backstride import InputError
from backstride.gait import (
    BodyFrame,
    BoutAssembler,
    GaitRegularity,
    GravityAligner,
    StepLengthZijlstra,
    analyze,
)
from backstride.gait._contacts import _steepest_rise, horizontal_repeat
from backstride.gait._orientation import alternating_feet
from backstride.recording import Recording

FS = 100.0


def test_gravity_aligner_finds_vertical_in_any_orientation() -> None:
    t = np.arange(0, 20, 1 / FS)
    bounce = 1.5 * np.sin(2 * np.pi * 2.0 * t)  # 2 Hz vertical bounce
    up = np.array([0.3, -0.5, 0.81])
    up /= np.linalg.norm(up)
    acc = (9.81 + bounce)[:, None] * up[None, :]
    aligned = GravityAligner().align(acc, FS)
    core = slice(300, -300)
    assert np.allclose(aligned.vertical_[core], bounce[core], atol=0.05)
    g = aligned.gravity_[1000] / np.linalg.norm(aligned.gravity_[1000])
    assert np.allclose(g, up, atol=1e-3)


def _body_axes(up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two horizontal unit vectors (forward, left) perpendicular to ``up``."""
    forward = np.cross(up, [0.0, 0.0, 1.0])
    forward /= np.linalg.norm(forward)
    return forward, np.cross(up, forward)


def test_gravity_aligner_separates_the_horizontal_movement() -> None:
    t = np.arange(0, 20, 1 / FS)
    up = np.array([0.3, -0.5, 0.81])
    up /= np.linalg.norm(up)
    forward, left = _body_axes(up)
    fwd = 0.8 * np.sin(2 * np.pi * 2.0 * t)
    side = 0.5 * np.sin(2 * np.pi * 1.0 * t)
    acc = 9.81 * up + fwd[:, None] * forward + side[:, None] * left
    h = GravityAligner().align(acc, FS).horizontal_
    core = slice(300, -300)
    # the two components span the horizontal plane: their norm is the horizontal movement's
    assert np.allclose(np.hypot(h[core, 0], h[core, 1]), np.hypot(fwd, side)[core], atol=1e-3)


def test_horizontal_directions_hold_still_when_the_sensor_is_turned_upside_down() -> None:
    # turned over halfway (180 degrees about z): the mean vertical is about zero, yet within each half the
    # two horizontal components must be one fixed rotation of the true horizontal movement, or the
    # correlations taken from them (limp check) would be noise
    fs = 25.0
    t = np.arange(0, 120, 1 / fs)
    rng = np.random.default_rng(0)
    acc = np.zeros((t.size, 3))
    acc[:, 0] = 9.81
    acc[:, 1] = 0.5 * np.sin(2 * np.pi * 0.9 * t) + 0.05 * rng.normal(size=t.size)
    acc[:, 2] = 0.8 * np.sin(2 * np.pi * 1.8 * t) + 0.05 * rng.normal(size=t.size)
    half = t.size // 2
    acc[half:, :2] *= -1
    h = GravityAligner().align(acc, fs).horizontal_
    for part in (slice(300, half - 300), slice(half + 300, -300)):
        fit, *_ = np.linalg.lstsq(acc[part, 1:], h[part], rcond=None)
        assert np.sqrt(np.mean((acc[part, 1:] @ fit - h[part]) ** 2)) < 0.02  # was 0.46 (jittering axes)
        assert np.allclose(np.abs(np.linalg.det(fit)), 1.0, atol=0.02)


def test_horizontal_repeat_tells_a_step_from_a_stride() -> None:
    fs, step = 25.0, 0.55
    t = np.arange(0, 4, 1 / fs)
    rng = np.random.default_rng(0)
    # forward sway repeats every step, side-to-side sway every stride (it reverses at each step)
    fwd = np.sin(2 * np.pi * t / step) + 0.05 * rng.normal(size=t.size)
    side = np.sin(2 * np.pi * t / (2 * step)) + 0.05 * rng.normal(size=t.size)
    lags = np.array([round(step * fs), round(2 * step * fs)])
    for azimuth in (0.0, 0.7, 2.0):  # the answer does not depend on the horizontal axes chosen
        c, s_ = np.cos(azimuth), np.sin(azimuth)
        h = np.column_stack([c * fwd - s_ * side, s_ * fwd + c * side])
        at_step, at_stride = horizontal_repeat(np.stack([h, h]), lags)
        assert at_step < -0.8  # the sway has reversed after a step
        assert at_stride > 0.8  # everything repeats after a stride
    # no horizontal movement: nothing can be told
    assert horizontal_repeat(np.zeros((1, t.size, 2)), lags[:1])[0] == -np.inf


def test_the_contact_is_the_steepest_rise_before_the_step_peak() -> None:
    # a step: flat, a rise steepest at sample 40 (the heel strike's loading), the peak at sample 50
    x = np.arange(100, dtype=float)
    signal = 1.0 / (1.0 + np.exp(-(x - 40.0) / 2.0)) - 0.02 * np.maximum(x - 50.0, 0.0) ** 2
    peak = np.array([int(np.argmax(signal))])
    assert 48 <= peak[0] <= 52
    at = _steepest_rise(signal, peak, np.array([20.0]))
    assert at[0] == pytest.approx(40.0, abs=0.3)
    # a look-back shorter than the way to the steepest rise stops at its end; none keeps the peak
    assert _steepest_rise(signal, peak, np.array([5.0]))[0] == pytest.approx(peak[0] - 5, abs=0.5)
    assert _steepest_rise(signal, peak, np.array([0.0]))[0] == pytest.approx(peak[0], abs=0.5)
    # near the start of the signal the look-back is cut, not wrapped round
    assert _steepest_rise(signal, np.array([3]), np.array([20.0]))[0] <= 3.5


def test_feet_alternate_and_recover_after_a_missed_contact() -> None:
    t = np.arange(12) * 0.55
    truth = ["left", "right"] * 6
    v = np.where(np.array(truth) == "left", 0.1, -0.1)
    v[3] = -v[3]  # one contact whose sway points the wrong way
    assert alternating_feet(v, t) == truth
    # a contact missed after the sixth: the feet that follow are still named by their own sway
    keep = [i for i in range(12) if i != 6]
    assert alternating_feet(v[keep], t[keep]) == [truth[i] for i in keep]
    assert alternating_feet(np.zeros(0), np.zeros(0)) == []


def test_body_frame_finds_the_side_to_side_axis_when_forward_movement_is_larger() -> None:
    # forward acceleration (every step) three times the side-to-side sway (every stride): the direction of
    # most low-frequency power could be either; the sway's reversal at each step tells them apart
    fs, step = 25.0, 0.55
    t = np.arange(0, 30, 1 / fs)
    up = np.array([0.3, -0.5, 0.81])
    up /= np.linalg.norm(up)
    forward, left = _body_axes(up)
    fwd = 1.5 * np.sin(2 * np.pi * t / step) + 0.6 * np.sin(2 * np.pi * t / (2 * step) + 0.4)
    side = 0.5 * np.sin(2 * np.pi * t / (2 * step))
    bounce = 1.0 * np.sin(2 * np.pi * t / step - 1.0)
    acc = (9.81 + bounce)[:, None] * up + fwd[:, None] * forward + side[:, None] * left
    ics = np.arange(round(5 * fs), round(25 * fs), round(step * fs))
    aligned = GravityAligner().align(acc, fs)
    frame = BodyFrame().fit(acc, aligned.gravity_, ics, fs)
    # the left axis found is the side-to-side one (either sign; the sign comes from the forward test)
    assert np.all(np.abs(frame.left_ @ left) > 0.95)


def test_the_gravity_of_the_trunks_roll_is_taken_off_the_side_to_side_velocity() -> None:
    """A walker whose trunk rolls 5 degrees each way, in the phase that leaks more gravity into the
    side-to-side axis (g·θ, 0.86 m/s²) than the sway's own acceleration (0.57 m/s²) and opposite to it: from
    the accelerometer alone every foot is named wrong; with the gyroscope's roll taken off, every one right."""
    from backstride.gait._pelvis import integrated

    fs, step = 20.0, 0.55  # 11 samples a step
    stride = 2 * step
    t = np.arange(0, 30, 1 / fs)
    up = np.array([0.3, -0.5, 0.81])
    up /= np.linalg.norm(up)
    forward, left = _body_axes(up)
    w = 2 * np.pi / stride
    sway_v = 0.1 * np.cos(w * t)  # m/s, to the left at the left heel strikes (t = 0, 1.1, ...)
    sway_a = -0.1 * w * np.sin(w * t)
    roll = np.radians(5.0) * np.sin(w * t)  # about the forward axis
    bounce = 1.0 * np.sin(2 * np.pi * t / step - 1.0)
    fwd = 1.0 * np.sin(2 * np.pi * t / step + 0.6)
    acc = (
        (9.81 + bounce)[:, None] * up
        + fwd[:, None] * forward
        + (sway_a + 9.80665 * roll)[:, None] * left  # a rolled accelerometer: g·θ along its side axis
    )
    gyr = np.degrees(np.gradient(roll, 1 / fs))[:, None] * forward
    ics = np.arange(110, 500, 11)  # from 5.5 s, five strides in: left, right, ...
    truth = np.where(np.arange(ics.size) % 2 == 0, 1.0, -1.0)
    assert np.all(np.sign(sway_v[ics]) == truth)
    gravity = GravityAligner().align(acc, fs).gravity_
    plain = BodyFrame().fit(acc, gravity, ics, fs)
    mended = BodyFrame().fit(acc, gravity, ics, fs, angle_deg=integrated(gyr, fs))
    for frame, expected in ((plain, -truth), (mended, truth)):
        toward_left = frame.ml_velocity_ * np.sign(frame.left_ @ left)  # whichever way forward was taken
        assert np.all(np.sign(toward_left) == expected)
    # an angle that is not the acceleration's, sample for sample, is the caller's mistake, not ignored
    with pytest.raises(ValueError, match="angle_deg has 599 samples, the acceleration 600"):
        BodyFrame().fit(acc, gravity, ics, fs, angle_deg=integrated(gyr, fs)[1:])


def test_window_velocity_is_the_gathered_windows_velocity() -> None:
    from backstride.gait._orientation import window_velocity

    rng = np.random.default_rng(5)
    fs, half = 25.0, 10
    x = rng.normal(size=(300, 3))
    at = np.array([0, 4, 105, 150, 295, 299])  # windows cut by both ends, held at the edge samples
    idx = np.clip(at[:, None] + np.arange(-half, half + 1)[None, :], 0, 299)
    v = np.cumsum(x[idx], axis=1) / fs
    v -= v.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(window_velocity(x, at, half, fs), v[:, half, :], atol=1e-12)
    # a non-finite sample spoils no other window: in its own it counts as no movement
    x[100] = np.nan
    got = window_velocity(x, at, half, fs)
    assert np.isfinite(got).all()
    others = [0, 1, 3, 4, 5]
    np.testing.assert_allclose(got[others], v[others, half, :], atol=1e-12)


def test_trunk_lean_is_the_whole_angle_signed_by_the_walking_direction() -> None:
    from backstride.gait._orientation import trunk_lean_deg

    tilt = np.radians(15.0)
    # sensor x along the spine, leaning 15 degrees: up and forward in the sensor's axes
    up = np.array([[np.cos(tilt), 0.0, -np.sin(tilt)]])
    forward = np.array([[np.sin(tilt), 0.0, np.cos(tilt)]])
    assert trunk_lean_deg(up, forward)[0] == pytest.approx(15.0)
    assert trunk_lean_deg(up, -forward)[0] == pytest.approx(-15.0)  # the top points backward
    # a walking direction estimated 40 degrees off does not shrink it (the sagittal part would be 11.6)
    left = np.cross(up[0], forward[0])
    skew = np.cos(np.radians(40)) * forward + np.sin(np.radians(40)) * left
    assert trunk_lean_deg(up, skew)[0] == pytest.approx(15.0)
    # upside down: x points down the spine; pointing down and forward, its upper end leans backward
    assert trunk_lean_deg(-up, forward)[0] == pytest.approx(-15.0)
    assert trunk_lean_deg(-up, -forward)[0] == pytest.approx(15.0)


def test_bouts_need_four_strides_and_merge_short_breaks() -> None:
    steps = np.arange(0, 6) * 0.55  # 6 contacts = 4 strides
    assert BoutAssembler().assemble(steps).bouts_.tolist() == [[0, 5]]
    assert BoutAssembler().assemble(steps[:5]).bouts_.shape == (0, 2)
    # two walks 2 s apart merge (Mobilise-D: breaks up to 3 s), 5 s apart do not
    merged = np.concatenate([steps, steps[-1] + 2.0 + steps])
    assert BoutAssembler().assemble(merged).bouts_.tolist() == [[0, 11]]
    apart = np.concatenate([steps, steps[-1] + 5.0 + steps])
    assert BoutAssembler().assemble(apart).bouts_.tolist() == [[0, 5], [6, 11]]


def test_weak_initiation_and_termination_contacts_are_trimmed() -> None:
    steps = np.arange(0, 10) * 0.5
    strength = np.array([0.2, 2, 2, 2, 2, 2, 2, 2, 2, 0.3])
    assert BoutAssembler().assemble(steps, strength).bouts_.tolist() == [[1, 8]]


def test_a_push_off_before_the_first_heel_strike_does_not_start_the_bout() -> None:
    walk = 1.0 + np.arange(0, 10) * 0.55
    # the swing foot's push-off 0.4 s before the first heel strike looks like a contact to the trunk
    started = np.concatenate([[walk[0] - 0.4], walk])
    assert BoutAssembler().assemble(started).bouts_.tolist() == [[1, 10]]
    # a real first step out of standing is no quicker than the walk's steps: kept
    assert BoutAssembler().assemble(np.concatenate([[walk[0] - 0.6], walk])).bouts_.tolist() == [[0, 10]]
    # a limp (short and long steps in turn) may begin with its short step: compared with the same foot's
    limp = np.concatenate([[0.0], np.cumsum(np.tile([0.4, 0.7], 5))])
    assert BoutAssembler().assemble(limp).bouts_.tolist() == [[0, 10]]
    # only a bout's first contact: a walk interrupted by a lost rhythm keeps the contact where it resumes
    resumed = np.concatenate([walk, walk[-1] + 2.0 + np.concatenate([[0.0], 0.4 + np.arange(0, 6) * 0.55])])
    assert BoutAssembler().assemble(resumed).bouts_.tolist() == [[0, 16]]


def test_the_closing_step_is_kept_apart_from_the_bout() -> None:
    steps = np.arange(0, 10) * 0.5
    strength = np.array([2, 2, 2, 2, 2, 2, 2, 2, 2, 0.3])  # the last contact brings the feet together
    assembled = BoutAssembler().assemble(steps, strength)
    assert assembled.bouts_.tolist() == [[0, 8]]
    assert assembled.closing_.tolist() == [9]
    # a weak contact after a long pause is not a closing step
    late = np.append(steps[:9], steps[8] + 2.0)
    assert BoutAssembler().assemble(late, strength).closing_.tolist() == [-1]


def test_short_starting_and_stopping_steps_stay_outside_the_bout() -> None:
    """A walk's first and last steps shorter than 0.8 of its median step (a step's length grows as the
    square root of its excursion) are its starting and stopping steps: in the walk, not in the bout."""
    steps = np.arange(0, 14) * 0.55  # 14 contacts, 13 steps
    excursion = np.full(14, 0.04)  # the step from each contact to the next; the last contact starts none
    excursion[-1] = np.nan
    excursion[0] = 0.04 * 0.5**2  # half the length: the step out of standing
    excursion[-3:-1] = 0.04 * np.array([0.7, 0.5]) ** 2  # slowing down over the last two steps
    assembled = BoutAssembler().assemble(steps, None, excursion)
    assert assembled.walks_.tolist() == [[0, 13]]
    assert assembled.bouts_.tolist() == [[1, 11]]
    # a step of 0.85 of the median is a step of the walk; a short step inside the walk is one too
    excursion[0] = 0.04 * 0.85**2
    excursion[6] = 0.04 * 0.3**2
    assert BoutAssembler().assemble(steps, None, excursion).bouts_.tolist() == [[0, 11]]
    # at most two steps at each end: a third short one is taken as the walk's own
    excursion[-4:-1] = 0.04 * np.array([0.6, 0.5, 0.4]) ** 2
    assert BoutAssembler().assemble(steps, None, excursion).bouts_.tolist() == [[0, 11]]
    # and never below four strides: a six-contact walk keeps its short end steps
    short = np.array([0.01, 0.04, 0.04, 0.04, 0.01, np.nan])
    assembled = BoutAssembler().assemble(steps[:6], None, short)
    assert assembled.bouts_.tolist() == assembled.walks_.tolist() == [[0, 5]]
    # unknown lengths, or the rule turned off, keep the walk whole
    assert BoutAssembler().assemble(steps, None, np.full(14, np.nan)).bouts_.tolist() == [[0, 13]]
    off = BoutAssembler(steady_length_ratio=0.0).assemble(steps, None, excursion)
    assert off.bouts_.tolist() == [[0, 13]]


def test_shuffling_between_two_walks_does_not_bridge_them() -> None:
    # two walks 4 s apart; weak shuffles 1 s after the first and 1 s before the second would leave
    # 2-s breaks, but the break is measured between real steps
    walk = np.arange(0, 8) * 0.55
    second = walk[-1] + 4.0 + walk
    steps = np.concatenate(
        [walk, [walk[-1] + 0.5, walk[-1] + 1.0], [second[0] - 1.0, second[0] - 0.5], second]
    )
    strength = np.concatenate([np.full(8, 2.0), [0.2, 0.15], [0.15, 0.2], np.full(8, 2.0)])
    assert BoutAssembler().assemble(steps, strength).bouts_.tolist() == [[0, 7], [12, 19]]
    # without the impact of each contact they are one bout
    assert BoutAssembler().assemble(steps).bouts_.tolist() == [[0, 19]]


def test_step_length_from_known_excursion() -> None:
    # vertical position with a 4 cm peak-to-peak excursion per 0.5 s step
    t = np.arange(0, 30, 1 / FS)
    h = 0.04
    pos = -(h / 2) * np.cos(2 * np.pi * 2.0 * t)
    acc = np.gradient(np.gradient(pos, 1 / FS), 1 / FS)
    ics = np.arange(500, 2500, 50)
    est = StepLengthZijlstra().estimate(acc, ics, FS, sensor_height_m=1.0)
    assert np.median(est.excursion_m_) == pytest.approx(h, rel=0.05)
    expected = 1.25 * 2 * np.sqrt(2 * 1.0 * h - h * h)
    assert np.median(est.step_length_m_) == pytest.approx(expected, rel=0.05)
    unknown = StepLengthZijlstra().estimate(acc, ics, FS, sensor_height_m=None)
    assert np.isnan(unknown.step_length_m_).all()


def test_regularity_of_a_perfectly_periodic_gait() -> None:
    t = np.arange(0, 20, 1 / FS)
    sym = np.sin(2 * np.pi * 2.0 * t)  # identical steps
    reg = GaitRegularity().compute(sym, np.full(39, 0.5), FS)
    assert reg.step_regularity_ == pytest.approx(1.0, abs=0.02)
    assert reg.symmetry_ == pytest.approx(1.0, abs=0.03)
    limp = sym + 0.8 * np.sin(2 * np.pi * 1.0 * t)  # left and right steps differ
    reg2 = GaitRegularity().compute(limp, np.full(39, 0.5), FS)
    assert reg2.step_regularity_ is not None and reg2.step_regularity_ < 0.5
    assert reg2.stride_regularity_ == pytest.approx(1.0, abs=0.03)


def _still(seconds: float, fs: float = FS) -> Recording:
    n = int(seconds * fs)
    acc = np.tile([0.0, 0.0, 9.81], (n, 1)) + np.random.default_rng(0).normal(0, 0.01, (n, 3))
    return Recording(fs, np.arange(n) / fs, acc)


def test_no_walking_is_not_an_error() -> None:
    result = analyze(_still(60.0), height_m=1.7)
    assert result.walking_bouts == [] and result.initial_contacts == []
    assert result.summary.n_bouts == 0 and result.summary.median_cadence_spm is None


def test_too_slow_or_too_short_recordings_are_refused() -> None:
    with pytest.raises(InputError, match="at least 20 Hz"):
        analyze(_still(60.0, fs=12.5))
    with pytest.raises(InputError, match="s long"):
        analyze(_still(2.0))
    assert any("10 s" in w for w in analyze(_still(7.0)).warnings)


def test_implausible_subject_values_are_refused() -> None:
    with pytest.raises(InputError, match="metres"):
        analyze(_still(20.0), height_m=172)
    with pytest.raises(InputError, match="female"):
        analyze(_still(20.0), sex="x")


def test_the_forward_direction_is_the_one_the_clear_contacts_around_agree_on() -> None:
    # a sensor fixed to the trunk keeps the walker's forward in the same sensor axis: contacts whose own
    # estimate is unclear (backwards in a slow stretch, sideways in a turn) take their neighbours' direction;
    # after the sensor is worn another way (its vertical tilted by 40°) the neighbours from before do not count
    k = 60
    times = np.arange(k) * 0.5
    up = np.tile([0.0, 0.0, 1.0], (k, 1))
    forward = np.tile([1.0, 0.0, 0.0], (k, 1))
    confidence = np.full(k, 0.8)
    slow = np.arange(10, 20)  # a slow stretch: backwards, unclear
    forward[slow] = [-1.0, 0.0, 0.0]
    confidence[slow] = 0.2
    turn = np.array([24, 25])  # in a turn: sideways, unclear
    forward[turn] = [0.17, 0.98, 0.0]
    confidence[turn] = 0.25
    later = np.arange(40, k)  # put back another way round: tilted, another forward axis, clear
    tilt = np.radians(40.0)
    up[later] = [0.0, np.sin(tilt), np.cos(tilt)]
    forward[later] = [-1.0, 0.0, 0.0]
    frame = BodyFrame()
    frame.up_, frame.forward_, frame.forward_confidence_ = up, forward, confidence
    agreed = frame._consensus(times)
    np.testing.assert_allclose(agreed[:40], np.tile([1.0, 0.0, 0.0], (40, 1)), atol=1e-9)
    np.testing.assert_allclose(agreed[40:], np.tile([-1.0, 0.0, 0.0], (20, 1)), atol=1e-9)
    # with no clear contact nearby, each keeps its own
    frame.forward_confidence_ = np.full(k, 0.1)
    np.testing.assert_array_equal(frame._consensus(times), forward)


def test_blocks_are_the_samples_they_cover_whatever_the_chunks() -> None:
    """Each block is exactly its samples of the stream, whether it lies inside one chunk (a view, no copy)
    or across several, short ones and empty ones included."""
    from backstride.gait._pipeline import GaitPipeline

    rng = np.random.default_rng(3)
    fs = 10.0
    sizes = [0, 7, 1, 230, 0, 45, 12, 600, 3, 88]
    n = sum(sizes)
    acc = rng.normal(size=(n, 3))
    gyr = rng.normal(size=(n, 3))
    chunks, at = [], 0
    for size in sizes:
        chunks.append(Recording(fs, np.arange(at, at + size) / fs, acc[at : at + size], gyr[at : at + size]))
        at += size
    pipe = GaitPipeline(block_s=9.0, margin_s=2.5)
    blocks = list(pipe._block_slices(iter(chunks), fs))
    block, margin = 90, 25
    assert [core for _, _, core in blocks] == [(lo, min(lo + block, n)) for lo in range(0, n, block)]
    starts = [max(lo - margin, 0) for lo in range(0, n, block)]
    for (signals, first, (_, hi)), expect_first in zip(blocks, starts, strict=True):
        assert first == expect_first
        stop = min(hi + margin, n)
        np.testing.assert_array_equal(signals[0], acc[first:stop])
        np.testing.assert_array_equal(signals[1], gyr[first:stop])
    inside = blocks[4]  # samples 335-475, all in the 600-sample chunk of samples 295-895
    assert inside[1] == 335
    assert np.shares_memory(inside[0][0], chunks[7].acc_mps2)
    assert not np.shares_memory(blocks[3][0][0], chunks[7].acc_mps2)  # 245-385: across two chunks
