"""The public API is explicit: everything in __all__ exists, and nothing private leaks into it."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

PACKAGES = [
    "backstride",
    "backstride.gait",
    "backstride.io",
    "backstride.activity",
    "backstride.clinic",
    "backstride.store",
    "backstride.batch",
    "backstride.report",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_exist_and_are_public(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported, f"{name} exports nothing"
    assert len(set(exported)) == len(exported)
    for attr in exported:
        assert not attr.startswith("_") or attr.startswith("__"), attr
        assert getattr(module, attr) is not None


def test_lazy_names_match_all() -> None:
    import backstride

    assert set(backstride._LAZY) | {"__version__"} == set(backstride.__all__)


# -- the stage contract as a researcher uses it: swap a stage, read and change parameters, copy ------------


@pytest.fixture(scope="module")
def sample() -> object:
    from backstride import io

    return io.read(io.sample_path())


def test_a_stage_subclass_given_to_the_pipeline_is_the_one_run(sample: object) -> None:
    """The pipeline ran a fresh *base-class* stage built from the given stage's parameters, so an overridden
    action method was silently ignored (failed before: no call, and the default contacts)."""
    from backstride.gait import ContactDetector, GaitPipeline, analyze

    class EveryOtherContact(ContactDetector):
        calls = 0

        def detect(self, *args: object, **kwargs: object) -> EveryOtherContact:
            type(self).calls += 1
            super().detect(*args, **kwargs)  # type: ignore[arg-type]
            keep = self.ic_samples_ % 2 == 0  # a crude stand-in for one's own algorithm: drop odd samples
            self.ic_samples_ = self.ic_samples_[keep]
            self.ic_position_ = self.ic_position_[keep]
            self.ic_strength_ = self.ic_strength_[keep]
            return self

    default = analyze(sample, height_m=1.59)  # type: ignore[arg-type]
    pipe = GaitPipeline(detector=EveryOtherContact(), threads=1).run(sample, height_m=1.59)  # type: ignore[arg-type]
    assert EveryOtherContact.calls == 1  # one block: a 2-minute recording
    assert default.summary.n_steps == 72
    assert pipe.result_.summary.n_steps < default.summary.n_steps
    assert not hasattr(pipe.detector, "ic_samples_")  # the stage given keeps no results (a clone ran)


def test_a_step_length_stage_of_ones_own_sets_the_lengths_reported(sample: object) -> None:
    """The pipeline recomputed step length from the stage's vertical excursion with Zijlstra's formula, so a
    step-length model of one's own changed nothing (failed before: 0.5 m nowhere)."""
    from backstride.gait import GaitPipeline, StepLengthZijlstra

    class HalfMetre(StepLengthZijlstra):
        def estimate(self, vertical_mps2, ic_samples, fs, sensor_height_m):  # type: ignore[no-untyped-def]
            super().estimate(vertical_mps2, ic_samples, fs, sensor_height_m)
            self.step_length_m_ = np.full(self.excursion_m_.shape, 0.5)
            return self

    result = GaitPipeline(step_length=HalfMetre()).run(sample, height_m=1.59).result_  # type: ignore[arg-type]
    assert result.walking_bouts
    for bout in result.walking_bouts:
        assert bout.step_length_m == 0.5
        assert bout.stride_length_m == 1.0
        assert bout.walking_speed_mps == pytest.approx(0.5 * (bout.n_steps - 1) / bout.duration_s, abs=1e-3)
    assert result.summary.median_stride_length_m == 1.0


def test_the_default_step_length_stage_gives_the_same_figures_as_before(sample: object) -> None:
    """Pins the bundled sample's figures (the README's table) across the change above."""
    from backstride.gait import analyze

    summary = analyze(sample, height_m=1.59, sensor_height_m=0.964).summary  # type: ignore[arg-type]
    assert summary.median_cadence_spm == 95.15
    assert summary.median_walking_speed_mps == 0.815
    assert summary.median_stride_length_m == 1.027


def test_get_params_set_params_clone_round_trip() -> None:
    """Stage had get_params only (failed before: no set_params, no clone)."""
    from backstride import InputError
    from backstride.gait import ContactDetector, GaitPipeline

    pipe = GaitPipeline(detector=ContactDetector(min_step_s=0.3), threads=1)
    copy = pipe.clone()
    assert type(copy) is GaitPipeline and copy is not pipe
    assert copy.detector is not pipe.detector  # nested stages are copied, not shared
    assert repr(copy) == repr(pipe)
    assert copy.detector.get_params() == pipe.detector.get_params()
    assert copy.detector.min_step_s == 0.3
    assert GaitPipeline(**pipe.get_params()).get_params() == pipe.get_params()

    assert copy.set_params(threads=2, block_s=600.0) is copy
    assert (copy.threads, copy.block_s, pipe.threads, pipe.block_s) == (2, 600.0, 1, 1800.0)
    copy.detector.set_params(min_step_s=0.28)
    assert pipe.detector.min_step_s == 0.3

    with pytest.raises(InputError, match=r"ContactDetector has no parameter 'min_step'; its parameters are "):
        ContactDetector().set_params(min_step=0.3)


# -- a Recording built from one's own arrays: what is wrong is said, not analysed into wrong figures -------


def _arrays(sample: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return sample.time_s.copy(), sample.acc_mps2.copy(), sample.gyr_dps.copy()  # type: ignore[attr-defined]


def test_not_a_number_in_the_signals_is_refused_naming_where(sample: object) -> None:
    """Ten NaN samples spread through the filters' running sums and the sample came out with 0 steps, with
    no word (failed before: no error)."""
    from backstride import InputError, Recording

    t, acc, gyr = _arrays(sample)
    acc[100:110] = np.nan
    with pytest.raises(
        InputError,
        match=r"^acceleration has 10 samples that are not a number or infinite, the first at sample 100; ",
    ):
        Recording(100.0, t, acc, gyr)
    t, acc, gyr = _arrays(sample)
    gyr[7, 2] = np.inf
    with pytest.raises(
        InputError,
        match=r"^angular rate has 1 sample that is not a number or infinite, the first at sample 7; ",
    ):
        Recording(100.0, t, acc, gyr)


def test_acceleration_in_g_or_without_gravity_is_refused(sample: object) -> None:
    """The sample in g was analysed into 22 steps instead of 83 (failed before: no error)."""
    from backstride import InputError, Recording
    from backstride.gait import analyze

    t, acc, gyr = _arrays(sample)
    with pytest.raises(
        InputError, match=r"typical magnitude is 0\.98.*\(it looks like g: multiply by 9\.80665\)"
    ):
        analyze(Recording(100.0, t, acc / 9.80665, gyr))
    with pytest.raises(InputError, match=r"is gravity taken off\?"):
        analyze(Recording(100.0, t, acc - np.median(acc, axis=0), gyr))


def test_arrays_as_lists_wrong_shapes_and_a_bad_rate_end_in_one_message(sample: object) -> None:
    """Lists, a 0-d time and a rate given as text raised AttributeError, IndexError and TypeError (failed
    before); the transposed acceleration was already refused and is pinned here."""
    from backstride import InputError, Recording
    from backstride.gait import analyze

    t, acc, gyr = _arrays(sample)
    from_lists = Recording(100.0, t.tolist(), acc.tolist(), gyr.tolist())  # type: ignore[arg-type]
    assert from_lists.acc_mps2.dtype == np.float64 and from_lists.acc_mps2.shape == (13759, 3)
    assert analyze(from_lists).summary.n_steps == 72
    with pytest.raises(InputError, match=r"^acceleration must have shape \(13759, 3\), got \(3, 13759\)$"):
        Recording(100.0, t, acc.T)
    with pytest.raises(InputError, match=r"^time must be a one-dimensional array, got shape \(\)$"):
        Recording(100.0, np.float64(0.0), acc)  # type: ignore[arg-type]
    with pytest.raises(
        InputError, match=r"^sampling rate must be a positive number of samples per second, got '100'$"
    ):
        Recording("100", t, acc)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^acceleration must be an array of numbers"):
        Recording(100.0, t, [["a", "b", "c"]] * t.shape[0])  # type: ignore[arg-type]


def test_too_short_names_the_real_minimum(sample: object) -> None:
    """Said 'at least 10 s are needed' while 3 s are analysed (failed before)."""
    from backstride import InputError
    from backstride.gait import analyze

    with pytest.raises(InputError, match=r"^the recording is only 2\.0 s long; at least 3 s is needed$"):
        analyze(sample.slice(0, 200))  # type: ignore[attr-defined]
    assert analyze(sample.slice(0, 500)).recording.duration_s == 5.0  # type: ignore[attr-defined]


def test_every_stage_of_the_pipeline_is_public() -> None:
    """PelvisMotion, a stage GaitPipeline takes, was not exported (failed before), so swapping it meant
    importing a private module."""
    import backstride.gait as gait

    for name, stage in gait.GaitPipeline().get_params().items():
        if isinstance(stage, gait.Stage):
            assert type(stage).__name__ in gait.__all__, name
            assert getattr(gait, type(stage).__name__) is type(stage)


def test_block_parameters_that_cannot_work_are_refused(sample: object) -> None:
    """block_s=-1 became blocks of one sample and the 2-minute sample ran for minutes; threads=0 was taken
    as one thread without a word (failed before: no error)."""
    from backstride import InputError
    from backstride.gait import GaitPipeline

    with pytest.raises(
        InputError, match=r"^GaitPipeline: block_s must be at least 1 s, got -1; threads must be "
    ):
        GaitPipeline(block_s=-1, threads=0).run(sample)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^GaitPipeline: margin_s must be 0 s or more, got -5$"):
        GaitPipeline(margin_s=-5).run_stream([sample])  # type: ignore[list-item]
    assert GaitPipeline(block_s=60, margin_s=0, threads=1).run(sample).result_.summary.n_bouts >= 1  # type: ignore[arg-type]


def test_time_in_milliseconds_or_a_wrong_rate_is_refused_naming_both(sample: object) -> None:
    """Time in ms (or the wrong rate) was taken without a word: the engine works on the rate, and the
    times only placed the chunks (failed before: no error)."""
    from backstride import InputError, Recording

    t, acc, gyr = _arrays(sample)
    with pytest.raises(
        InputError,
        match=r"^the time stamps are 10 apart \(median step\), where a sampling rate of 100 Hz means 0\.01 s: "
        r"it looks like milliseconds: divide the time by 1000$",
    ):
        Recording(100.0, t * 1000.0, acc, gyr)
    with pytest.raises(
        InputError,
        match=r"^the time stamps are 0\.01 apart \(median step\), where a sampling rate of 50 Hz means 0\.02 s: "
        r"is the time in seconds, and the rate the recording's own\?$",
    ):
        Recording(50.0, t, acc, gyr)
    # a rate within 10 % of the time steps is the recording's, given as its nominal rate
    assert Recording(105.0, t, acc, gyr).sampling_rate_hz == 105.0
    assert Recording(95.0, t, acc, gyr).n_samples == 13759
    with pytest.raises(InputError, match=r"^the time stamps are 0\.01 apart .* 112 Hz means 0\.00893 s"):
        Recording(112.0, t, acc, gyr)


def test_time_that_does_not_increase_is_refused_naming_where(sample: object) -> None:
    """A repeated or backward time stamp, or one that is not a number, was taken without a word (failed
    before: no error)."""
    from backstride import InputError, Recording

    t, acc, gyr = _arrays(sample)
    t[500] = t[499]
    with pytest.raises(
        InputError,
        match=r"^time must be strictly increasing: sample 500 is at 4\.99 s, not after sample 499 at 4\.99 s$",
    ):
        Recording(100.0, t, acc, gyr)
    t, acc, gyr = _arrays(sample)
    t[13000:] -= 200.0  # a clock set back near the end
    with pytest.raises(
        InputError, match=r"^time must be strictly increasing: sample 13000 is at -70 s, not "
    ):
        Recording(100.0, t, acc, gyr)
    t, acc, gyr = _arrays(sample)
    t[3] = np.nan
    with pytest.raises(
        InputError, match=r"^time has 1 sample that is not a number or infinite, the first at sample 3; "
    ):
        Recording(100.0, t, acc, gyr)
    # one sample, or none, has no steps to judge
    assert Recording(100.0, t[:1], acc[:1]).n_samples == 1
    assert Recording(100.0, t[:0], acc[:0]).n_samples == 0


def test_angular_rate_in_rad_s_is_refused_as_acceleration_in_g_is(sample: object) -> None:
    """The sample's gyroscope in rad/s was analysed as deg/s: pelvis ranges 57 times too small, and the walking
    frame's turn taken from it (failed before: no error). A CSV file's reader converts such a column, as its
    unit is not said; arrays say theirs by the field's name, ``gyr_dps``, as acceleration in g is refused."""
    from backstride import InputError, Recording
    from backstride.gait import analyze

    t, acc, gyr = _arrays(sample)
    with pytest.raises(
        InputError,
        match=r"^the angular rate's 99th percentile of \|ω\| is 2\.26 while the acceleration shows the wearer "
        r"moving, who turns at tens of degrees per second; angular rate must be in deg/s \(it looks like "
        r"rad/s: multiply by 57\.2958\)$",
    ):
        analyze(Recording(100.0, t, acc, gyr / 57.2958))
    assert analyze(Recording(100.0, t, acc, gyr), height_m=1.59).summary.median_pelvis_rotation_deg == 10.3
    # a reader's recording (its format named) had its unit known or judged by the reader: not refused here
    read = analyze(Recording(100.0, t, acc, gyr / 57.2958, metadata={"format": "csv"}), height_m=1.59)
    assert read.summary.n_steps > 0


def test_a_still_sensor_with_a_quiet_gyroscope_is_not_taken_for_rad_s() -> None:
    """Lying still, a gyroscope in deg/s reads about 0 as one in rad/s would: nothing tells the units apart
    (the acceleration shows no movement), so nothing is refused."""
    from backstride import Recording
    from backstride.gait import analyze

    rng = np.random.default_rng(1)
    t = np.arange(6000) / 100.0
    acc = np.array([0.0, 0.0, 9.81]) + rng.normal(0.0, 0.05, (6000, 3))
    gyr = rng.normal(0.0, 0.3, (6000, 3))  # deg/s: a MEMS gyroscope's noise
    assert analyze(Recording(100.0, t, acc, gyr)).summary.n_steps == 0
