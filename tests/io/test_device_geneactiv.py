"""GENEActiv .bin files: two real recordings with reference values, and damaged copies of them.

Ground truth (shared/data/devices/geneactiv_bin/SOURCE.txt):

* ``skdh_gnactv_sample.bin`` with ``skdh_gnactv_data.npz``, what scikit-digital-health's reader gives
  (GENEActiv 1.1, serial 051386, worn on the back, 50 Hz, 3 pages; time zone GMT -04:00; the npz times
  are the naive local clock).
* ``GGIRread_GENEActiv_testfile.bin``, the first 64 KiB of a long recording (header: 222,048 pages),
  with the values GGIRread's tests assert for its first page.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from backstride import InputError
from backstride.io._geneactiv import iter_geneactiv_raw, looks_like_geneactiv, page_rate
from backstride.io._raw import RawSignals
from backstride.io._resample import to_recording

SKDH = "skdh_gnactv_sample.bin"
GGIR = "GGIRread_GENEActiv_testfile.bin"
MARK = b"Recorded Data"


@pytest.fixture(scope="module")
def folder(shared_data: Path) -> Path:
    return shared_data / "devices" / "geneactiv_bin"


def read_all(path: Path, block_samples: int = 1_000_000) -> tuple[list[RawSignals], np.ndarray, np.ndarray]:
    blocks = list(iter_geneactiv_raw(path, block_samples=block_samples))
    return blocks, np.concatenate([b.time_s for b in blocks]), np.concatenate([b.acc for b in blocks])


def page_starts(data: bytes) -> list[int]:
    starts, at = [], data.find(MARK)
    while at >= 0:
        starts.append(at)
        at = data.find(MARK, at + 1)
    return starts


def copy_with(tmp_path: Path, source: Path, data: bytes) -> Path:
    target = tmp_path / source.name
    target.write_bytes(data)
    return target


def test_skdh_sample_matches_scikit_digital_health(folder: Path) -> None:
    truth = np.load(folder / "skdh_gnactv_data.npz")
    blocks, t, acc = read_all(folder / SKDH)
    assert len(blocks) == 1 and t.shape == (900,)
    # the npz is rounded to 4 decimals: the largest difference found is 4.9966e-5
    np.testing.assert_allclose(acc, truth["accel"], rtol=0, atol=5e-5)
    np.testing.assert_allclose(acc[0], [-0.8805, 0.1975, 0.0402], atol=5e-5)
    np.testing.assert_allclose(acc[-1], [-0.5279, -0.5606, 0.8014], atol=5e-5)
    # relative times as skdh gives them (its absolute float64 times carry ~1e-7 s of rounding)
    np.testing.assert_allclose(t, truth["time"] - truth["time"][0], rtol=0, atol=1e-6)
    assert t[0] == 0.0 and t[-1] == pytest.approx(1558455421.98 - 1558455403.5, abs=1e-6)
    assert t[1] - t[0] == pytest.approx(0.02)
    # pages 1 and 2 are stamped 16:16:43.5 and 16:16:50.0: 300 samples at 50 Hz leave 0.52 s between them
    assert t[300] - t[299] == pytest.approx(0.52)


def test_skdh_sample_start_time_and_metadata(folder: Path) -> None:
    raw = next(iter_geneactiv_raw(folder / SKDH))
    # 2019-05-21 16:16:43.5 at GMT -04:00 (npz: 1558455403.5 on the naive local clock) = 20:16:43.5 UTC
    assert raw.epoch_s == pytest.approx(1558455403.5 + 4 * 3600)
    assert raw.zone is not None and raw.zone.utcoffset(None) == timedelta(hours=-4)
    assert raw.acc_unit == "g" and raw.gyr is None and raw.first_line is None and raw.source == SKDH
    meta = raw.metadata
    assert meta["serial"] == "051386" and meta["location"] == "back" and meta["model"] == "1.1"
    assert meta["device"] == "GENEActiv 1.1, device 051386"
    assert meta["firmware"] == "Ver4.08a date14Jul14"
    assert meta["rate_hz"] == 50.0 and meta["pages_declared"] == 3
    assert meta["temperature_c"] == 28.2  # skdh's temperature[0]
    assert raw.notes == []


def test_ggirread_file_first_page(folder: Path) -> None:
    blocks, t, acc = read_all(folder / GGIR)
    raw = blocks[0]
    assert raw.metadata["rate_hz"] == 85.7 and raw.metadata["serial"] == "012967"
    assert raw.metadata["pages_declared"] == 222048 and raw.metadata["temperature_c"] == 21.5
    # GGIRread: page 1 holds 300 samples, the 300th 3488 ms after the first, z[300] = -0.808364 (float32)
    assert acc[299, 2] == pytest.approx(-0.80836403369903564453, abs=1e-7)
    assert t[299] == pytest.approx(3.488, abs=1e-3)
    # 85.7 Hz is 600/7 Hz written with one decimal: pages are stamped exactly 3.5 s apart
    assert t[300] == pytest.approx(3.5, abs=1e-12)
    np.testing.assert_allclose(np.diff(t), 7 / 600, rtol=1e-9)
    # readGENEActiv(desiredtz = "Europe/London"): time[1] = 1369905174.5 = 10:12:54.5 BST (GMT +01:00)
    assert raw.epoch_s == pytest.approx(1369905174.5)
    assert raw.zone is not None and raw.zone.utcoffset(None) == timedelta(hours=1)


def test_ggirread_file_is_cut_short(folder: Path) -> None:
    blocks, t, _ = read_all(folder / GGIR)
    pages = len(page_starts((folder / GGIR).read_bytes()))
    assert t.shape == ((pages - 1) * 300,)  # the last page is cut inside its data line
    notes = " ".join(blocks[-1].notes)
    assert "the file ends inside a page" in notes
    assert f"the header announces 222048 pages, the file holds {pages - 1}: it was cut short" in notes


def test_blocks_join_to_the_whole_file(folder: Path) -> None:
    whole, t, acc = read_all(folder / GGIR)
    blocks, t_small, acc_small = read_all(folder / GGIR, block_samples=600)
    assert len(whole) == 1 and len(blocks) > 4
    np.testing.assert_array_equal(t_small, t)
    np.testing.assert_array_equal(acc_small, acc)
    for before, after in itertools.pairwise(blocks):  # continuous: one sample step apart
        assert after.time_s[0] - before.time_s[-1] == pytest.approx(7 / 600, rel=1e-9)
    assert blocks[0].epoch_s == whole[0].epoch_s
    assert blocks[-1].notes == whole[-1].notes


def test_readers_output_becomes_a_recording(folder: Path) -> None:
    raw = next(iter_geneactiv_raw(folder / GGIR))
    recording = to_recording(raw)
    assert recording.sampling_rate_hz == pytest.approx(600 / 7)
    assert recording.metadata["start_time"] == "2013-05-30T10:12:54.500000+01:00"


def test_truncated_inside_a_data_line(tmp_path: Path, folder: Path) -> None:
    data = (folder / SKDH).read_bytes()
    path = copy_with(tmp_path, folder / SKDH, data[: page_starts(data)[2] + 500])
    blocks, t, acc = read_all(path)
    assert t.shape == (600,)
    np.testing.assert_allclose(acc, np.load(folder / "skdh_gnactv_data.npz")["accel"][:600], atol=5e-5)
    assert "the file ends inside a page" in blocks[-1].notes[0]
    assert blocks[-1].notes[1] == "the header announces 3 pages, the file holds 2: it was cut short"


def test_truncated_inside_page_header_lines(tmp_path: Path, folder: Path) -> None:
    data = (folder / SKDH).read_bytes()
    cut = data.find(b"Page Time", page_starts(data)[1])
    blocks, t, _ = read_all(copy_with(tmp_path, folder / SKDH, data[:cut]))
    assert t.shape == (300,)
    assert blocks[-1].notes[-1] == "the header announces 3 pages, the file holds 1: it was cut short"


def test_corrupt_and_short_data_lines_are_skipped(tmp_path: Path, folder: Path) -> None:
    data = bytearray((folder / SKDH).read_bytes())
    second = data.find(b"Measurement Frequency:50.0\n", page_starts(bytes(data))[1]) + 27
    data[second + 100 : second + 102] = b"ZZ"  # not hexadecimal
    blocks, t, acc = read_all(copy_with(tmp_path, folder / SKDH, bytes(data)))
    truth = np.load(folder / "skdh_gnactv_data.npz")
    assert t.shape == (600,)
    np.testing.assert_allclose(acc[300:], truth["accel"][600:], atol=5e-5)
    assert t[300] == pytest.approx(12.5)  # page 3 keeps its own time: the skipped page is a gap
    assert blocks[0].notes == ["1 page with a short or corrupt data line skipped (first at 6.5 s)"]
    del data[second : second + 12]  # one measurement short
    _, t, _ = read_all(copy_with(tmp_path, folder / SKDH, bytes(data)))
    assert t.shape == (600,)


def test_missing_page_is_a_gap_in_time(tmp_path: Path, folder: Path) -> None:
    data = (folder / GGIR).read_bytes()
    starts = page_starts(data)
    blocks, t, acc = read_all(copy_with(tmp_path, folder / GGIR, data[: starts[2]] + data[starts[3] :]))
    _, t_whole, acc_whole = read_all(folder / GGIR)
    assert t.shape[0] == t_whole.shape[0] - 300
    assert t[600] - t[599] == pytest.approx(3.5 + 7 / 600)  # page 3 (3.5 s) is missing
    np.testing.assert_array_equal(acc[600:], acc_whole[900:])
    assert (
        "the page sequence numbers jump 1 time (1 page missing, first at 10.5 s); "
        "the gap is kept in the time axis" in blocks[0].notes
    )


def test_page_stamped_before_the_previous_one_ended_is_skipped(tmp_path: Path, folder: Path) -> None:
    data = (folder / GGIR).read_bytes()
    starts = page_starts(data)
    repeated = data[: starts[3]] + data[starts[2] : starts[3]] + data[starts[3] :]  # page 3 twice
    blocks, t, _ = read_all(copy_with(tmp_path, folder / GGIR, repeated))
    _, t_whole, _ = read_all(folder / GGIR)
    np.testing.assert_array_equal(t, t_whole)
    assert "1 page stamped before the previous page ended skipped (first at 7.0 s)" in blocks[0].notes


def test_another_file_appended_is_named_so(tmp_path: Path, folder: Path) -> None:
    """A second download copied onto the first: its header is passed over and its page numbers start again at 0.
    The note said the numbers "jump 1 time (0 pages missing)"; it now says what happened."""
    whole = (folder / GGIR).read_bytes()
    data = whole[: page_starts(whole)[-1]]  # the 16 whole pages (the 17th is cut off)
    later = data.replace(b"Page Time:2013-05-30 ", b"Page Time:2013-05-31 ")  # the same device, a day later
    blocks, t, acc = read_all(copy_with(tmp_path, folder / GGIR, data + later))
    notes = [n for b in blocks for n in b.notes]
    assert not any("jump" in n for n in notes)
    assert (
        "the page sequence numbers start again at 0 after page 15: another recording appended to this file? "
        "Their pages are kept only where their time stamps follow the pages before" in notes
    )
    assert t.shape == (2 * 16 * 300,)
    assert t[4800] - t[0] == pytest.approx(86_400.0)  # the second file's first page, a day after the first's
    np.testing.assert_array_equal(acc[4800:], acc[:4800])


def test_a_page_repeated_is_not_called_missing(tmp_path: Path, folder: Path) -> None:
    data = (folder / GGIR).read_bytes()
    starts = page_starts(data)
    blocks, t, _ = read_all(copy_with(tmp_path, folder / GGIR, data[: starts[3]] + data[starts[2] :]))
    _, t_whole, _ = read_all(folder / GGIR)
    np.testing.assert_array_equal(t, t_whole)
    assert not any("jump" in n for n in blocks[0].notes)
    assert (
        "the page sequence numbers go back to 2 after page 2: pages repeated or out of order? Their pages are "
        "kept only where their time stamps follow the pages before" in blocks[0].notes
    )
    assert "1 page stamped before the previous page ended skipped (first at 7.0 s)" in blocks[0].notes


def test_page_rate_wins_over_header(tmp_path: Path, folder: Path) -> None:
    data = (folder / SKDH).read_bytes()
    data = data.replace(b"Measurement Frequency:50.0\n", b"Measurement Frequency:100.0\n")
    blocks, t, _ = read_all(copy_with(tmp_path, folder / SKDH, data))
    assert t[1] == pytest.approx(0.01) and t[300] == pytest.approx(6.5)
    assert blocks[0].notes == [
        "pages declare 100 Hz where the header says 50 Hz; each page's own rate was used"
    ]


def test_without_time_zone_the_start_is_naive(tmp_path: Path, folder: Path) -> None:
    data = (folder / SKDH).read_bytes().replace(b"Time Zone:GMT -04:00", b"Time Zone:")
    raw = next(iter_geneactiv_raw(copy_with(tmp_path, folder / SKDH, data)))
    assert raw.epoch_s is None and raw.zone is None
    assert raw.metadata["start_time"] == "2019-05-21T16:16:43.500000"


@pytest.mark.parametrize(
    ("declared", "rate"),
    [(85.7, 600 / 7), (33.3, 100 / 3), (66.7, 200 / 3), (50.0, 50.0), (12.5, 12.5), (90.0, 90.0)],
)
def test_page_rate(declared: float, rate: float) -> None:
    assert page_rate(declared) == pytest.approx(rate, rel=1e-12)


def test_other_files_are_refused(tmp_path: Path, folder: Path) -> None:
    csv = tmp_path / "walk.csv"
    csv.write_text("time_s,acc_x,acc_y,acc_z\n0,1,0,0\n", encoding="utf-8")
    binary = tmp_path / "random.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    for path in (csv, binary, empty, tmp_path):
        assert not looks_like_geneactiv(path)
    for path in (csv, binary, empty):
        with pytest.raises(InputError, match=path.name):
            next(iter_geneactiv_raw(path))
    assert looks_like_geneactiv(folder / SKDH) and looks_like_geneactiv(folder / GGIR)


def test_header_without_usable_pages(tmp_path: Path, folder: Path) -> None:
    data = (folder / SKDH).read_bytes()
    first = page_starts(data)[0]
    header_only = copy_with(tmp_path, folder / SKDH, data[:first])
    with pytest.raises(InputError, match=f"{SKDH} holds no data pages"):
        next(iter_geneactiv_raw(header_only))
    garbled = data[:first] + data[first:].replace(b"0", b"X")
    with pytest.raises(InputError, match=f"{SKDH} holds no readable data page"):
        next(iter_geneactiv_raw(copy_with(tmp_path, folder / SKDH, garbled)))
    uncalibrated = data.replace(b"y gain:25457", b"y gain:")
    with pytest.raises(InputError, match="no usable y gain and offset"):
        next(iter_geneactiv_raw(copy_with(tmp_path, folder / SKDH, uncalibrated)))


def test_page_with_unreadable_header_lines_is_skipped(tmp_path: Path, folder: Path) -> None:
    data = (folder / SKDH).read_bytes().replace(b"Sequence Number:1\n", b"Sequence Numb#r:1\n")
    blocks, t, _ = read_all(copy_with(tmp_path, folder / SKDH, data))
    assert t.shape == (600,) and t[300] == pytest.approx(12.5)
    assert blocks[0].notes[0] == "1 page with unreadable header lines skipped"
