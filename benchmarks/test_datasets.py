"""Tests of the benchmark input builders (rotation, concatenation) on the real reference recordings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks import datasets as ds


@pytest.fixture(scope="module")
def shared_data() -> Path:
    """The real reference recordings (``../shared/data``, or ``BACKSTRIDE_SHARED_DATA``)."""
    if not (ds.SHARED_DATA / "lowback-lab").is_dir():
        pytest.fail(f"reference data not found at {ds.SHARED_DATA} (set BACKSTRIDE_SHARED_DATA)")
    return Path(ds.SHARED_DATA)


@pytest.mark.parametrize("seed", [0, 1, 7, 12345, 2**31 + 5])
def test_random_rotation_is_a_proper_rotation(seed: int) -> None:
    r = ds.random_rotation(seed)
    assert r.shape == (3, 3)
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(r) == pytest.approx(1.0, abs=1e-12)


def test_random_rotation_fixed_seed_and_varied() -> None:
    np.testing.assert_array_equal(ds.random_rotation(3), ds.random_rotation(3))
    assert not np.allclose(ds.random_rotation(3), ds.random_rotation(4))
    assert ds.recording_seed("lowback-lab/HA-001") == ds.recording_seed("lowback-lab/HA-001")
    # Rotations are spread over the sphere: the rotated vertical points in many directions.
    ups = np.array([ds.random_rotation(s) @ np.array([1.0, 0.0, 0.0]) for s in range(200)])
    assert abs(ups.mean(axis=0)).max() < 0.15


def test_rotated_copy_preserves_magnitudes_and_gravity(shared_data: Path, tmp_path: Path) -> None:
    src_set = shared_data / "lowback-lab"
    out = ds.build_rotated_set(src_set, tmp_path)
    assert out == tmp_path / "lowback-lab"
    rec = out / "HA-001-Test5-Trial1"
    assert (rec / "meta.json").is_symlink()
    assert (rec / "reference.json").resolve() == (src_set / rec.name / "reference.json").resolve()
    t0, orig = ds.read_imu_csv(src_set / rec.name / "imu.csv")
    t1, rot = ds.read_imu_csv(rec / "imu.csv")
    np.testing.assert_array_equal(t0, t1)
    for cols in (slice(0, 3), slice(3, 6)):
        np.testing.assert_allclose(
            np.linalg.norm(rot[:, cols], axis=1), np.linalg.norm(orig[:, cols], axis=1), atol=2e-5
        )
    # The quiet stance at the start: gravity still 9.8 m/s², but no longer along the recorded vertical.
    still = rot[:200, 0:3].mean(axis=0)
    assert np.linalg.norm(still) == pytest.approx(9.8, abs=0.25)
    assert abs(still[0]) < 9.0
    rotation = ds.random_rotation(ds.recording_seed(f"lowback-lab/{rec.name}"))
    np.testing.assert_allclose(rot, ds.rotate_signals(orig, rotation), atol=1e-6)
    # Different recordings get different rotations.
    other = ds.read_imu_csv(out / "HA-001-Test5-Trial2" / "imu.csv")[1][:200, 0:3].mean(axis=0)
    assert not np.allclose(still / np.linalg.norm(still), other / np.linalg.norm(other), atol=0.05)


def test_write_continuous_csv_time_and_lengths(tmp_path: Path) -> None:
    a = np.arange(30.0).reshape(5, 6)
    b = -np.arange(42.0).reshape(7, 6)
    path = tmp_path / "x.csv"
    n = ds.write_continuous_csv(path, ds.repeat_segments([_src(a), _src(b)]), 100.0, 29, chunk_samples=4)
    assert n == 29
    assert not path.with_name("x.csv.part").exists()
    assert path.read_text().splitlines()[0] == "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    t, sig = ds.read_imu_csv(path)
    assert len(t) == 29
    np.testing.assert_allclose(np.diff(t), 0.01, atol=1e-9)
    assert t[0] == 0.0 and t[-1] == pytest.approx(0.28)
    np.testing.assert_array_equal(sig[:5], a)
    np.testing.assert_array_equal(sig[5:12], b)
    np.testing.assert_array_equal(sig[12:17], a)
    np.testing.assert_array_equal(sig[24:29], a)


def test_write_continuous_csv_stops_when_segments_run_out(tmp_path: Path) -> None:
    n = ds.write_continuous_csv(tmp_path / "y.csv", [np.ones((3, 6))], 50.0, 100)
    assert n == 3
    with pytest.raises(ValueError, match="no samples"):
        ds.write_continuous_csv(tmp_path / "z.csv", [], 50.0, 100)
    assert not (tmp_path / "z.csv").exists()


def test_day_segments_are_real_samples_with_rests(shared_data: Path) -> None:
    folders = ds.recording_folders(shared_data / "lowback-10m")[:3]
    sources = ds.load_sources(folders)
    assert all(s.quiet_samples > 100 for s in sources)  # IPOL trials start with a few seconds of stance
    segs = ds.day_segments(sources, seed=1, max_rest_s=20.0)
    first = [next(segs) for _ in range(6)]
    # rest, recording, rest, recording, ... (a rest of length 0 would be skipped; not with this seed)
    for i, source in enumerate(sources):
        rest, rec = first[2 * i], first[2 * i + 1]
        assert rec is source.signals
        assert 0 < len(rest) <= 20.0 * source.sampling_rate_hz
        quiet = source.signals[: source.quiet_samples]
        np.testing.assert_array_equal(rest[: len(quiet)][: len(rest)], quiet[: len(rest)])
        # quiet stance: acceleration magnitude steady, near gravity (this sensor reads about 3 % high)
        magnitude = np.linalg.norm(rest[:, :3], axis=1)
        assert magnitude.std() < 0.1
        assert magnitude.mean() == pytest.approx(9.81, abs=0.5)
    again = ds.day_segments(sources, seed=1, max_rest_s=20.0)
    assert [len(next(again)) for _ in range(6)] == [len(s) for s in first]


def test_quiet_lead_samples() -> None:
    assert ds.quiet_lead_samples({"trial_s": [4.64, 20.6]}, 100.0) == 414
    assert ds.quiet_lead_samples({"walking_bouts": [{"start_s": 6.32}]}, 100.0) == 532
    assert ds.quiet_lead_samples({"walking_bouts": []}, 100.0) == 0
    assert ds.quiet_lead_samples({"walking_bouts": [{"start_s": 1.5}]}, 100.0) == 0


def _src(signals: np.ndarray) -> ds.Source:
    return ds.Source(Path("x/y"), signals, 100.0, 0)


def test_rotations_to_up_turn_each_vector_up_the_least_way() -> None:
    from benchmarks.datasets import rotations_about, rotations_to_up

    vectors = np.array([[0.0, 0.0, 9.8], [3.0, -2.0, 9.1], [9.8, 0.0, 0.0], [0.0, 0.0, -1.0]])
    turns = rotations_to_up(vectors)
    ups = np.einsum("nij,nj->ni", turns, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    assert np.allclose(ups, [0.0, 0.0, 1.0])
    assert np.allclose(turns @ turns.transpose(0, 2, 1), np.eye(3)) and np.allclose(np.linalg.det(turns), 1.0)
    assert np.allclose(turns[0], np.eye(3))  # already up: no turn
    # the least turn: its angle is the angle between the vector and up (90 degrees for one lying on x)
    assert np.isclose(np.arccos((np.trace(turns[2]) - 1) / 2), np.pi / 2)
    assert np.allclose(
        rotations_about(np.array([[0.0, 0.0, 1.0]]), np.array([np.pi / 2]))[0] @ [1, 0, 0], [0, 1, 0]
    )
