"""Aligning a separately sampled sensor onto the accelerometer's time stamps, block by block."""

from __future__ import annotations

import numpy as np
import pytest

from backstride import InputError
from backstride.io._align import aligned, from_first_sample
from backstride.io._raw import RawSignals


def _blocks(
    t: np.ndarray, values: np.ndarray, size: int, source: str, origin: float = 0.0
) -> list[RawSignals]:
    """``t`` (on a clock whose reading at ``time_s == 0`` is ``origin``) and ``values`` cut into blocks."""
    return [
        RawSignals(
            time_s=t[i : i + size], acc=values[i : i + size], gyr=None, source=source, clock_origin_s=origin
        )
        for i in range(0, t.size, size)
    ]


def _signal(t: np.ndarray) -> np.ndarray:
    return np.column_stack([np.sin(2 * np.pi * 1.1 * t), np.cos(2 * np.pi * 0.7 * t), 0.01 * t])


@pytest.mark.parametrize(("main_size", "other_size"), [(10_000, 10_000), (700, 130), (64, 5000)])
@pytest.mark.parametrize(("late", "early"), [(0.3, 0.6), (1.5, 4.0)])
def test_blocks_align_as_the_whole_files_would(
    main_size: int, other_size: int, late: float, early: float
) -> None:
    rng = np.random.default_rng(3)
    t_main = np.cumsum(rng.uniform(0.008, 0.012, 6000))  # a phone's accelerometer, about 100 Hz
    # the gyroscope: its own clock (started 1000 s earlier), about 37 Hz, from ``late`` s after the
    # accelerometer until ``early`` s before its end
    t_other = np.arange(t_main[0] + late, t_main[-1] - early, 1 / 37)
    main = _blocks(t_main, np.zeros((t_main.size, 3)), main_size, "Accelerometer.csv")
    other = _blocks(t_other + 1000.0, _signal(t_other), other_size, "Gyroscope.csv", origin=-1000.0)
    pairs = list(aligned(main, other, "gyroscope"))
    times = np.concatenate([raw.time_s for raw, _ in pairs])
    values = np.concatenate([v for _, v in pairs])
    # up to a second beyond the gyroscope's ends its first and last readings are held; further out, left out
    inside = t_main[(t_main >= t_other[0] - 1.0) & (t_main <= t_other[-1] + 1.0)]
    np.testing.assert_array_equal(times, inside)
    truth = np.column_stack([np.interp(inside, t_other, _signal(t_other)[:, k]) for k in range(3)])
    np.testing.assert_allclose(values, truth, atol=1e-12)
    assert np.all(values[inside < t_other[0]] == _signal(t_other)[0])
    # said once, on the last block
    notes = [n for raw, _ in pairs for n in raw.notes]
    stopped = t_main[-1] - t_other[-1]
    said = [
        f"the gyroscope started {t_other[0] - t_main[0]:.2f} s after and stopped {stopped:.2f} s before the "
        "accelerometer: its first and last readings were held over up to 1 s"
    ]
    if late > 1.0:
        cut = t_main.size - inside.size
        said.append(
            f"{cut} accelerometer samples more than 1 s outside the time covered by every sensor were left out"
        )
    assert notes == said
    assert pairs[-1][0].notes == said
    assert all(raw.first_line is None for raw, _ in pairs)  # merged rows no longer map to the file's lines


def test_sensors_starting_a_few_samples_apart_are_not_worth_a_note() -> None:
    t = np.arange(0.0, 30.0, 0.01)
    main = _blocks(t, np.zeros((t.size, 3)), 500, "Accelerometer.csv")
    other = _blocks(t[3:-2] + 0.004, _signal(t[3:-2]), 500, "Gyroscope.csv")
    pairs = list(aligned(main, other, "gyroscope"))
    assert sum(raw.n for raw, _ in pairs) == t.size
    assert all(not raw.notes for raw, _ in pairs)


def test_sensors_that_do_not_overlap_are_refused() -> None:
    t = np.arange(0.0, 10.0, 0.01)
    main = _blocks(t, np.zeros((t.size, 3)), 300, "Accelerometer.csv")
    other = _blocks(t + 20.0, _signal(t), 300, "Gravity.csv")
    with pytest.raises(
        InputError, match=r"the gravity \(Gravity.csv\) and the accelerometer .* do not overlap"
    ):
        list(aligned(main, other, "gravity"))


def test_time_counts_from_the_first_sample_kept() -> None:
    t = np.arange(0.5, 3.0, 0.01)
    blocks = _blocks(t, np.zeros((t.size, 3)), 100, "a.csv", origin=10.0)
    for b in blocks:
        b.epoch_s = 1_760_000_000.0
    out = list(from_first_sample(blocks))
    assert out[0].time_s[0] == 0.0
    np.testing.assert_allclose(np.concatenate([b.time_s for b in out]), t - 0.5)
    # the file's clock and the Unix time of time 0 move with it: absolute times are unchanged
    assert all(
        b.clock_origin_s == pytest.approx(10.5) and b.epoch_s == pytest.approx(1_760_000_000.5) for b in out
    )


@pytest.mark.parametrize(("main_size", "other_size"), [(10_000, 10_000), (700, 130)])
def test_a_gyroscope_that_started_late_or_stopped_early_loses_no_accelerometer_sample(
    main_size: int, other_size: int
) -> None:
    rng = np.random.default_rng(5)
    t_main = np.cumsum(rng.uniform(0.008, 0.012, 6000))
    t_other = np.arange(t_main[0] + 5.0, t_main[-1] - 30.0, 1 / 37)  # 5 s late, 30 s early
    main = _blocks(t_main, np.zeros((t_main.size, 3)), main_size, "Accelerometer.csv")
    other = _blocks(t_other, _signal(t_other), other_size, "Gyroscope.csv")
    pairs = list(aligned(main, other, "gyroscope", bridge_ends=True))
    np.testing.assert_array_equal(np.concatenate([raw.time_s for raw, _ in pairs]), t_main)
    values = np.concatenate([v for _, v in pairs])
    # its first and last readings held over the time it did not record (the engine finds them drawn)
    assert np.all(values[t_main < t_other[0]] == _signal(t_other)[0])
    assert np.all(values[t_main > t_other[-1]] == _signal(t_other)[-1])
    assert [n for raw, _ in pairs for n in raw.notes] == [
        f"the gyroscope started {t_other[0] - t_main[0]:.2f} s after and stopped {t_main[-1] - t_other[-1]:.2f} "
        "s before the accelerometer: its first and last readings were held over that time; every accelerometer "
        "sample is kept"
    ]
    # gravity is needed to rebuild the acceleration: samples beyond it are still left out
    main = _blocks(t_main, np.zeros((t_main.size, 3)), main_size, "Accelerometer.csv")
    other = _blocks(t_other, _signal(t_other), other_size, "Gravity.csv")
    kept = sum(raw.n for raw, _ in aligned(main, other, "gravity"))
    assert kept == np.count_nonzero((t_main >= t_other[0] - 1.0) & (t_main <= t_other[-1] + 1.0))


@pytest.mark.parametrize("size", [100_000, 300])
def test_a_pause_of_the_other_sensor_is_said_where_it_bridges_the_accelerometer(size: int) -> None:
    t = np.arange(0.0, 120.0, 0.01)
    paused = (t < 40.0) | (t >= 60.0)  # the gyroscope paused 20 s while the accelerometer went on
    main = _blocks(t, np.zeros((t.size, 3)), size, "Accelerometer.csv")
    other = _blocks(t[paused] + 0.003, _signal(t[paused]), size, "Gyroscope.csv")
    notes = [n for raw, _ in aligned(main, other, "gyroscope", bridge_ends=True) for n in raw.notes]
    assert notes == [
        "Gyroscope.csv: 1 gap longer than 0.1 s (longest 20.0 s at 40.0 s) bridged by linear interpolation onto "
        "the accelerometer's time stamps"
    ]
    # a pause of both (one clock) bridges nothing: the accelerometer's own gap is said where it is regularised
    main = _blocks(t[paused], np.zeros((paused.sum(), 3)), size, "Accelerometer.csv")
    other = _blocks(t[paused], _signal(t[paused]), size, "Gyroscope.csv")
    assert not [n for raw, _ in aligned(main, other, "gyroscope", bridge_ends=True) for n in raw.notes]


def test_a_gyroscope_that_does_not_overlap_is_refused_though_its_ends_are_held() -> None:
    t = np.arange(0.0, 10.0, 0.01)
    main = _blocks(t, np.zeros((t.size, 3)), 300, "Accelerometer.csv")
    other = _blocks(t + 20.0, _signal(t), 300, "Gyroscope.csv")
    with pytest.raises(InputError, match=r"the gyroscope \(Gyroscope.csv\) and the accelerometer .* do not"):
        list(aligned(main, other, "gyroscope", bridge_ends=True))


def test_one_sample_left_out_is_said_as_one() -> None:
    t = np.arange(0.0, 10.0, 0.01)
    main = _blocks(t, np.zeros((t.size, 3)), 300, "Accelerometer.csv")
    other = _blocks(t[100:] + 0.005, _signal(t[100:]), 300, "Gravity.csv")  # from 1.005 s: 0 s is out
    notes = [n for raw, _ in aligned(main, other, "gravity") for n in raw.notes]
    assert notes[-1] == (
        "1 accelerometer sample more than 1 s outside the time covered by every sensor was left out"
    )
