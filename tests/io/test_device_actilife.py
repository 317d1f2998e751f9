"""ActiLife's RAW CSV exports: the two real exports beside their .gt3x files (SOURCE.txt in the folder)."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np
import pytest

from backstride import InputError, io
from backstride.io._actilife import iter_actilife_raw, looks_like_actilife


@pytest.fixture(scope="module")
def folder(shared_data: Path) -> Path:
    return shared_data / "devices" / "actigraph_gt3x"


def _lines(folder: Path) -> list[str]:
    return (folder / "pygt3x_neo.csv").read_text(encoding="utf-8").splitlines()


def test_the_neo_export_holds_the_gt3x_files_samples(folder: Path) -> None:
    csv = io.read(folder / "pygt3x_neo.csv")
    assert io.detect_format(folder / "pygt3x_neo.csv") == "actilife"
    assert csv.n_samples == 18_004 and csv.sampling_rate_hz == 30.0
    g = csv.acc_mps2 / 9.80665
    np.testing.assert_allclose(g[0], [-0.015, 0.029, -1.006], atol=1e-12)
    # pygt3x's test: the means of ActiLife's columns
    np.testing.assert_allclose(g.mean(axis=0), [-0.0640106, 0.0623936, -0.6772473], atol=1e-6)
    assert csv.metadata["serial"] == "NEO1C04110003"
    assert csv.metadata["device"] == "ActiGraph GT3X+, serial NEO1C04110003 (ActiLife export)"
    assert csv.metadata["start_time"] == "2021-12-20T11:55:00"
    device = io.read(folder / "pygt3x_neo.gt3x")
    np.testing.assert_allclose(g, np.round(device.acc_mps2 / 9.80665, 3), atol=1e-9)  # ActiLife rounds to 3


def test_the_gzipped_link_export_leaves_out_actilifes_zero_filler(folder: Path) -> None:
    path = folder / "readgt3x_TAS1H30182785_2019-09-17.csv.gz"
    assert looks_like_actilife(path)
    blocks = list(iter_actilife_raw(path, block_samples=50_000))
    assert len(blocks) > 2
    n = sum(b.n for b in blocks)
    assert n == 240_500 - 25_200  # SOURCE.txt: 25,200 of the 240,500 rows are all zero
    np.testing.assert_allclose(
        blocks[0].acc[:3], [[0, 0.008, 0.996], [0.016, 0, 1.008], [0.02, -0.008, 1.004]]
    )
    assert blocks[0].metadata["start_time"] == "2019-09-17T18:40:00"
    assert any(note.startswith("25200 rows of 0, 0, 0 g") for note in blocks[-1].notes)
    time = np.concatenate([b.time_s for b in blocks])
    assert time[0] == 0.0 and np.all(np.diff(time) > 0)
    with gzip.open(path, "rt") as handle:  # row k of the data is at k / 100 s; the zero rows are gaps
        rows = np.loadtxt(handle, delimiter=",", skiprows=11)
    kept = np.flatnonzero(rows.any(axis=1))
    np.testing.assert_allclose(time, (kept - kept[0]) / 100.0, atol=1e-9)


def test_an_export_cut_short_keeps_what_it_holds(folder: Path, tmp_path: Path) -> None:
    path = folder / "readgt3x_TAS1H30182785_2019-09-17.csv.gz"
    whole = list(iter_actilife_raw(path, block_samples=50_000))
    data = path.read_bytes()
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(data[: len(data) // 2])  # an interrupted copy
    blocks = list(iter_actilife_raw(cut, block_samples=50_000))
    acc, time = np.concatenate([b.acc for b in blocks]), np.concatenate([b.time_s for b in blocks])
    expected = np.concatenate([b.acc for b in whole])
    # every whole line the compressed half holds (its zero filler left out), counted independently
    text = zlib.decompressobj(wbits=31).decompress(data[: len(data) // 2])
    lines = text[: text.rfind(b"\n") + 1].decode().splitlines()[11:]
    rows = np.array([[float(v) for v in line.split(",")] for line in lines])
    assert acc.shape[0] == int(rows.any(axis=1).sum()) > 10_000
    np.testing.assert_array_equal(acc, expected[: acc.shape[0]])
    np.testing.assert_array_equal(time, np.concatenate([b.time_s for b in whole])[: acc.shape[0]])
    assert any(note.startswith("the compressed file is cut short") for note in blocks[-1].notes)
    assert not any("cut short" in note for b in whole for note in b.notes)


def test_an_export_of_activity_counts_is_refused(folder: Path, tmp_path: Path) -> None:
    lines = _lines(folder)
    lines[4] = "Epoch Period (hh:mm:ss) 00:01:00"
    path = tmp_path / "counts.csv"
    path.write_text("\n".join(lines[:200]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="activity counts per 00:01:00 epoch, not raw acceleration"):
        io.read(path)


def test_exports_without_column_names_or_with_time_stamps_are_read(folder: Path, tmp_path: Path) -> None:
    lines = _lines(folder)
    bare = tmp_path / "bare.csv"
    bare.write_text("\n".join(lines[:10] + lines[11:]) + "\n", encoding="utf-8")
    stamped = tmp_path / "stamped.csv.gz"
    rows = [
        f"12/20/2021 11:55:{k // 30:02d}.{k % 30 * 33:03d},{line}" for k, line in enumerate(lines[11:1811])
    ]
    text = "\n".join([*lines[:10], "Timestamp,Accelerometer X,Accelerometer Y,Accelerometer Z", *rows]) + "\n"
    stamped.write_bytes(gzip.compress(text.encode()))
    whole = io.read(folder / "pygt3x_neo.csv")
    np.testing.assert_array_equal(io.read(bare).acc_mps2, whole.acc_mps2)
    np.testing.assert_array_equal(io.read(stamped).acc_mps2, whole.acc_mps2[:1800])


def test_a_line_cut_off_at_the_end_is_skipped_with_a_note(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text("\n".join(_lines(folder)[:1000]) + "\n-0.015,0.0", encoding="utf-8")
    recording = io.read(path)
    assert recording.n_samples == 1000 - 11
    assert "1 row with the wrong number of cells skipped" in recording.notes


def test_a_cell_that_is_not_a_number_is_one_clear_error(folder: Path, tmp_path: Path) -> None:
    lines = _lines(folder)
    lines[500] = "-0.015,0.0x29,-1.006"
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv has a row that is not three numbers"):
        io.read(path)


def test_other_files_are_not_taken_for_actilife(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("time,ax,ay,az\n0,0,0,1\n", encoding="utf-8")
    assert not looks_like_actilife(path)
    with pytest.raises(InputError, match="not an ActiLife export"):
        list(iter_actilife_raw(path))
