"""iter_chunks: consecutive, non-overlapping chunks whose times continue, units found once."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backstride import InputError, io
from backstride.io import _csv


@pytest.fixture(autouse=True, params=["whole", "streamed"])
def csv_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs twice: small CSVs are parsed whole, large ones streamed block by block."""
    if request.param == "streamed":
        monkeypatch.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
    return str(request.param)


def test_chunks_of_a_regular_csv_join_to_the_whole(make_csv: Callable[..., Path]) -> None:
    path = make_csv(duration_s=100.0)
    chunks = list(io.iter_chunks(path, chunk_s=30.0))
    assert [c.n_samples for c in chunks] == [3000, 3000, 3000, 1000]
    assert [c.time_s[0] for c in chunks] == pytest.approx([0.0, 30.0, 60.0, 90.0])
    whole = io.read(path)
    np.testing.assert_allclose(np.concatenate([c.time_s for c in chunks]), whole.time_s, atol=1e-9)
    np.testing.assert_allclose(np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2, atol=1e-9)
    gyr = [c.gyr_dps for c in chunks]
    assert all(g is not None for g in gyr) and whole.gyr_dps is not None
    np.testing.assert_allclose(np.concatenate(gyr), whole.gyr_dps, atol=1e-9)  # type: ignore[arg-type]
    assert [c.metadata["chunk"] for c in chunks] == [0, 1, 2, 3]
    assert all(c.sampling_rate_hz == 100.0 for c in chunks)


def test_units_found_once_apply_to_every_chunk(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=60.0)
    gyr = np.radians(w.gyr)
    gyr[3000:] = 0.0  # the second half is still: alone it would look like deg/s, but the unit was found once
    path = synth.write_table(
        tmp_path / "g.csv", ["t", "ax", "ay", "az", "gx", "gy", "gz"], [w.t, *(w.acc / synth.G).T, *gyr.T]
    )
    packed = tmp_path / "g.csv.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    chunks = list(io.iter_chunks(packed, chunk_s=20.0))
    assert len(chunks) == 3
    acc = np.concatenate([c.acc_mps2 for c in chunks])
    np.testing.assert_allclose(acc, w.acc, atol=1e-5)
    assert all("acceleration read in g" in c.notes[0] for c in chunks)
    assert all("rad/s" in c.notes[1] for c in chunks)


def test_irregular_time_base_streams_onto_one_grid(make_csv: Callable[..., Path], synth: Any) -> None:
    w = synth.walk(duration_s=50.0, jitter_s=0.003)
    path = make_csv(w=w)
    chunks = list(io.iter_chunks(path, chunk_s=20.0))
    time = np.concatenate([c.time_s for c in chunks])
    np.testing.assert_allclose(np.diff(time), 0.01, atol=1e-9)
    whole = io.read(path)
    n = min(time.shape[0], whole.n_samples)
    np.testing.assert_allclose(
        np.concatenate([c.acc_mps2 for c in chunks])[:n], whole.acc_mps2[:n], atol=1e-9
    )
    assert any("resampled to 100 Hz" in note for note in chunks[0].notes)


def test_the_bundled_sample_streams(shared_data: Path) -> None:
    chunks = list(io.iter_chunks(io.sample_path(), chunk_s=60.0))
    assert [c.n_samples for c in chunks] == [6000, 6000, 1759]
    assert chunks[2].time_s[0] == pytest.approx(120.0)


def test_phone_formats_are_read_whole_and_sliced(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=40.0)
    header = [
        '"Time (s)"',
        '"Acceleration x (m/s^2)"',
        '"Acceleration y (m/s^2)"',
        '"Acceleration z (m/s^2)"',
    ]
    path = synth.write_table(tmp_path / "Raw Data.csv", header, [w.t, *w.acc.T])
    chunks = list(io.iter_chunks(path, chunk_s=15.0))
    assert [c.n_samples for c in chunks] == [1500, 1500, 1000]
    assert chunks[1].time_s[0] == pytest.approx(15.0)
    assert chunks[0].metadata["format"] == "phyphox"


def test_chunk_length_must_be_positive(make_csv: Callable[..., Path]) -> None:
    with pytest.raises(InputError, match="chunk_s must be positive"):
        next(io.iter_chunks(make_csv(), chunk_s=0))


def test_a_bad_cell_is_reported_while_streaming(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=40.0)
    lines = ["time_s,acc_x,acc_y,acc_z"] + [
        f"{t:.6f},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f}" for t, a in zip(w.t, w.acc, strict=True)
    ]
    lines[3500] = lines[3500].replace(lines[3500].split(",")[1], "x1", 1)
    path = tmp_path / "late.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3501, column 'acc_x': 'x1' is not a number"):
        list(io.iter_chunks(path, chunk_s=10.0))


def test_a_cut_off_last_cell_is_dropped_while_streaming(make_csv: Callable[..., Path]) -> None:
    path = make_csv(duration_s=20.0)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("20.000000,9.81,0.1,0.2,1.0,2.0,3.0e")  # an interrupted upload
    chunks = list(io.iter_chunks(path, chunk_s=15.0))
    assert sum(c.n_samples for c in chunks) == 2000
    assert any("last line is incomplete" in note for note in chunks[-1].notes)


def test_units_are_judged_on_the_whole_first_chunk_not_the_first_block(tmp_path: Path, synth: Any) -> None:
    # 10 minutes; the sensor lies still for the first 4 (gyroscope noise well under 10 deg/s), then walking.
    w = synth.walk(duration_s=600.0)
    still = w.t < 240.0
    acc, gyr = w.acc.copy(), w.gyr.copy()
    acc[still] = [synth.G, 0.0, 0.0]
    gyr[still] = 0.3 * np.sin(w.t[still, None] * [1.0, 2.0, 3.0])
    path = tmp_path / "day.csv"
    np.savetxt(path, np.column_stack([w.t, acc, gyr]), fmt="%.5f", delimiter=",", comments="",
               header="time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z")  # fmt: skip
    assert path.stat().st_size > 3 * (1 << 20)  # several parser blocks before the walking starts
    chunks = list(io.iter_chunks(path, chunk_s=600.0))
    assert len(chunks) == 1
    assert "angular rate read in deg/s" in chunks[0].notes[1]
    assert chunks[0].gyr_dps is not None
    np.testing.assert_allclose(chunks[0].gyr_dps, gyr, atol=1e-4)
