"""Axivity AX3 / AX6 ``.cwa`` files: real device recordings with reference values (SOURCE.txt in the folder).

The ``skdh_*.npz`` arrays are scikit-digital-health's reading of the same files. Its times space each
block at the configured rate and ignore the fractional time stamps, while this reader interpolates
between the blocks' (fractional) time stamps as Open Movement documents: the two agree within 12.4 ms
(AX3, 200 Hz) and 8.3 ms (AX6, 100 Hz), which the time comparisons below allow and no more.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from backstride import InputError, io
from backstride.io._axivity import iter_axivity_raw, looks_like_axivity
from backstride.io._raw import RawSignals, join_raw
from backstride.io._resample import to_recording

HEADER = 1024
BLOCK = 512


@pytest.fixture(scope="module")
def folder(shared_data: Path) -> Path:
    return shared_data / "devices" / "axivity_cwa"


def _read(path: Path, block_samples: int = 1_000_000) -> tuple[list[RawSignals], RawSignals]:
    """The blocks, and the whole file joined into one (times, acceleration, gyroscope, all notes)."""
    blocks = list(iter_axivity_raw(path, block_samples=block_samples))
    joined = join_raw(blocks)
    return blocks, joined


def _start(raw: RawSignals) -> datetime:
    return datetime.fromisoformat(raw.metadata["start_time"])


def _split(path: Path) -> tuple[bytes, list[bytearray]]:
    data = path.read_bytes()
    return data[:HEADER], [bytearray(data[i : i + BLOCK]) for i in range(HEADER, len(data), BLOCK)]


def _write(path: Path, header: bytes, blocks: list[bytearray]) -> Path:
    path.write_bytes(header + b"".join(blocks))
    return path


def _fix_checksum(block: bytearray) -> None:
    block[510:512] = b"\0\0"
    total = int(np.frombuffer(bytes(block), dtype="<u2").sum(dtype=np.uint64)) & 0xFFFF
    block[510:512] = ((0x10000 - total) & 0xFFFF).to_bytes(2, "little")


def _restamp(block: bytearray, delta_s: int) -> None:
    """Move a block's RTC time stamp by whole seconds (and keep its checksum right)."""
    v = int.from_bytes(block[14:18], "little")
    when = datetime(
        2000 + (v >> 26), (v >> 22) & 15, (v >> 17) & 31, (v >> 12) & 31, (v >> 6) & 63, v & 63
    ) + timedelta(seconds=delta_s)
    v = (
        ((when.year - 2000) << 26)
        | (when.month << 22)
        | (when.day << 17)
        | (when.hour << 12)
        | (when.minute << 6)
        | when.second
    )
    block[14:18] = v.to_bytes(4, "little")
    _fix_checksum(block)


def test_ax3_matches_scikit_digital_health(folder: Path) -> None:
    path = folder / "skdh_ax3_sample.cwa"
    truth = np.load(folder / "skdh_ax3_data.npz")
    blocks, raw = _read(path)
    assert looks_like_axivity(path)
    assert raw.n == 58_800
    np.testing.assert_array_equal(raw.acc[0], [-0.09375, -0.203125, 0.953125])
    np.testing.assert_array_equal(raw.acc[-1], [-0.984375, -0.03125, 0.375])
    np.testing.assert_allclose(raw.acc, truth["accel"], rtol=0, atol=5e-5)
    assert raw.gyr is None and blocks[0].acc_unit == "g"
    np.testing.assert_allclose(raw.time_s, truth["time"] - truth["time"][0], rtol=0, atol=0.0125)
    # skdh: 2020-02-12 09:03:37.48 at the configured 200 Hz; the fractional time stamps give 37.4726
    assert abs((_start(raw) - datetime(2020, 2, 12, 9, 3, 37, 480000)).total_seconds()) < 0.01
    assert blocks[0].epoch_s is None and blocks[0].zone is None
    meta = blocks[0].metadata
    assert meta["device"] == "Axivity AX3, device 51888" and meta["serial"] == "51888"
    assert meta["session_id"] == 1020030004 and meta["firmware"] == 45
    assert meta["sampling_rate_hz"] == 200.0 and meta["acc_range_g"] == 8
    assert raw.notes == []


def test_ax3_times_follow_the_block_time_stamps(folder: Path) -> None:
    """Block 0 is stamped 09:03:38 + 3500/32768 s, valid at sample 104 + (7000 · 200 >> 16) = 125."""
    _, raw = _read(folder / "skdh_ax3_sample.cwa")
    at_125 = _start(raw) + timedelta(seconds=float(raw.time_s[125]))
    assert abs((at_125 - datetime(2020, 2, 12, 9, 3, 38)).total_seconds() - 3500 / 32768) < 2e-6
    dt = np.diff(raw.time_s)
    assert dt.min() > 0
    # the device ran at 197.2 Hz, not the configured 200 Hz; no saw-tooth at the block seams
    assert (raw.n - 1) / raw.time_s[-1] == pytest.approx(197.23, abs=0.01)
    assert dt.max() / dt.min() < 1.003


def test_ax6_accel_and_gyro(folder: Path) -> None:
    path = folder / "skdh_ax6_sample.cwa"
    truth = np.load(folder / "skdh_ax6_data.npz")
    blocks, raw = _read(path)
    assert raw.n == 10_360
    assert raw.gyr is not None and blocks[0].gyr_unit == "deg/s"
    np.testing.assert_allclose(raw.gyr[0], [-66.223145, -27.221678, 104.73632], rtol=0, atol=1e-4)
    np.testing.assert_allclose(raw.acc[0], [-0.518555, -0.023926, -0.077148], rtol=0, atol=1e-5)
    # the npz holds 6-7 significant digits
    np.testing.assert_allclose(raw.acc, truth["accel"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(raw.gyr, truth["gyro"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(raw.time_s, truth["time"] - truth["time"][0], rtol=0, atol=0.0085)
    assert abs((_start(raw) - datetime(2019, 10, 29, 9, 3, 6, 300000)).total_seconds()) < 0.01
    meta = blocks[0].metadata
    assert meta["device"] == "Axivity AX6, device 6011802" and meta["serial"] == "6011802"
    assert meta["sampling_rate_hz"] == 100.0 and meta["gyro_range_dps"] == 2000.0
    assert meta["acc_range_g"] == 16 and meta["axes"] == 6


def test_openmovement_610_steps(folder: Path) -> None:
    """Old firmware (no fractional time stamps). The 724.72 s span for 71,400 samples at a configured
    100 Hz is the device's slow clock (98.5 Hz), not gaps: no interval exceeds 1/98 s."""
    path = folder / "openmovement_example-610-steps.cwa"
    blocks, raw = _read(path)
    assert raw.n == 71_400
    assert blocks[0].metadata["sampling_rate_hz"] == 100.0
    np.testing.assert_array_equal(raw.acc[0], [-0.21875, 0.125, -0.984375])
    assert raw.time_s[-1] == pytest.approx(724.72, abs=0.02)
    assert np.diff(raw.time_s).max() < 1 / 98 + 1e-9
    assert abs((_start(raw) - datetime(2012, 3, 27, 11, 14, 57, 500000)).total_seconds()) < 0.01
    meta = blocks[0].metadata
    assert meta["serial"] == "1841" and meta["firmware"] == 30
    assert "setup operator: Kim" in meta["annotation"]
    assert "retrieval time: 2012-03-27 11:27:41" in meta["annotation"]


def test_ggirread_file_metadata(folder: Path) -> None:
    path = folder / "GGIRread_ax3_testfile.cwa"
    blocks, raw = _read(path)
    assert raw.n == 17_400
    np.testing.assert_array_equal(raw.acc[0], [0.328125, 0.984375, 0.203125])
    meta = blocks[0].metadata
    assert meta["serial"] == "39434" and meta["session_id"] == 26 and meta["firmware"] == 44
    assert meta["body_location"] == "right wrist"
    assert meta["annotation"] == "body location: right wrist; subject code: 26"
    assert meta["sampling_rate_hz"] == 100.0
    # skdh (configured rate, no fraction): 10:55:06.000
    assert abs((_start(raw) - datetime(2019, 2, 26, 10, 55, 6)).total_seconds()) < 0.02


@pytest.mark.parametrize("name", ["skdh_ax3_sample.cwa", "skdh_ax6_sample.cwa"])
def test_small_blocks_join_to_the_whole_file(folder: Path, name: str) -> None:
    _, whole = _read(folder / name)
    blocks, joined = _read(folder / name, block_samples=1000)
    assert len(blocks) > 5
    np.testing.assert_array_equal(joined.time_s, whole.time_s)
    np.testing.assert_array_equal(joined.acc, whole.acc)
    if whole.gyr is not None:
        np.testing.assert_array_equal(joined.gyr, whole.gyr)
    assert all(b.metadata == {} for b in blocks[1:]) and blocks[0].metadata == whole.metadata
    period = float(np.median(np.diff(whole.time_s)))
    for before, after in itertools.pairwise(blocks):
        assert after.time_s[0] - before.time_s[-1] == pytest.approx(period, rel=0.01)


def test_truncated_file_keeps_every_whole_block(folder: Path, tmp_path: Path) -> None:
    source = folder / "skdh_ax3_sample.cwa"
    _, whole = _read(source)
    cut = tmp_path / "cut.cwa"
    cut.write_bytes(source.read_bytes()[: HEADER + 100 * BLOCK + 300])
    _, raw = _read(cut, block_samples=3000)
    assert raw.n == 100 * 120
    np.testing.assert_array_equal(raw.acc, whole.acc[: raw.n])
    # times away from the new end are the same; the last blocks are extrapolated at their measured rate
    np.testing.assert_allclose(raw.time_s[:11_500], whole.time_s[:11_500], rtol=0, atol=1e-9)
    np.testing.assert_allclose(raw.time_s, whole.time_s[: raw.n], rtol=0, atol=5e-4)
    assert raw.notes == ["the file ends inside a data block: the last 300 bytes were ignored"]


def test_corrupt_and_foreign_blocks_are_skipped(folder: Path, tmp_path: Path) -> None:
    header, blocks = _split(folder / "skdh_ax3_sample.cwa")
    _, whole = _read(folder / "skdh_ax3_sample.cwa")
    blocks[200][100] ^= 0x40  # one flipped bit: the checksum fails
    blocks[300][0:2] = b"XX"  # not an "AX" block
    _, raw = _read(_write(tmp_path / "bad.cwa", header, blocks), block_samples=5000)
    assert raw.n == 58_800 - 2 * 120
    keep = np.ones(58_800, dtype=bool)
    keep[200 * 120 : 201 * 120] = False
    keep[300 * 120 : 301 * 120] = False
    np.testing.assert_array_equal(raw.acc, whole.acc[keep])
    # the lost blocks stay gaps of one block (120 samples at 197.2 Hz = 0.61 s)
    dt = np.diff(raw.time_s)
    big = np.flatnonzero(dt > 0.1)
    np.testing.assert_array_equal(big, [200 * 120 - 1, 299 * 120 - 1])
    np.testing.assert_allclose(dt[big], 121 / 197.23, rtol=0.01)
    np.testing.assert_allclose(raw.time_s[: 200 * 120], whole.time_s[: 200 * 120], rtol=0, atol=1e-9)
    # the notes name where the next kept block starts: blocks 201 and 301 of the whole file
    assert (
        f"1 block failed its checksum and was skipped (first before {whole.time_s[201 * 120]:.2f} s)"
        in raw.notes
    )
    assert (
        f'1 block without the "AX" data-block mark was skipped (first before {whole.time_s[301 * 120]:.2f} s)'
        in raw.notes
    )
    assert sum("time stamps jump" in note for note in raw.notes) == 2


def test_clock_set_back_drops_overlapping_samples(folder: Path, tmp_path: Path) -> None:
    header, blocks = _split(folder / "skdh_ax6_sample.cwa")
    for block in blocks[150:]:
        _restamp(block, -2)
    _, raw = _read(_write(tmp_path / "back.cwa", header, blocks))
    assert np.diff(raw.time_s).min() > 0
    dropped = 10_360 - raw.n
    assert 190 <= dropped <= 205  # about 2 s at 98.4 Hz
    assert any(f"{dropped} samples stamped at or before earlier samples" in note for note in raw.notes)


def test_header_only_and_unrelated_files(tmp_path: Path, folder: Path) -> None:
    header_only = tmp_path / "empty.cwa"
    header_only.write_bytes((folder / "GGIRread_ax3_testfile.cwa").read_bytes()[:HEADER])
    assert looks_like_axivity(header_only)
    with pytest.raises(InputError, match=r"empty\.cwa holds no data blocks"):
        list(iter_axivity_raw(header_only))
    short = tmp_path / "short.cwa"
    short.write_bytes(header_only.read_bytes()[:600])
    assert looks_like_axivity(short)  # an upload cut inside the header is named as such, not "binary"
    with pytest.raises(InputError, match=r"short\.cwa is cut short: it ends inside its 1024-byte header"):
        list(iter_axivity_raw(short))
    with pytest.raises(InputError, match=r"short\.cwa is cut short"):
        io.read(short)
    text = tmp_path / "walk.csv"
    text.write_text("time,x,y,z\n0,0,0,1\n" * 100)
    png = tmp_path / "image.cwa"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(3000))
    for other in (text, png):
        assert not looks_like_axivity(other)
        with pytest.raises(InputError, match=rf"{other.name} is not an Axivity file"):
            list(iter_axivity_raw(other))
    missing = tmp_path / "missing.cwa"
    assert not looks_like_axivity(missing) and not looks_like_axivity(tmp_path)
    with pytest.raises(InputError, match=r"missing\.cwa could not be read"):
        list(iter_axivity_raw(missing))


def test_all_blocks_corrupt(folder: Path, tmp_path: Path) -> None:
    header, blocks = _split(folder / "GGIRread_ax3_testfile.cwa")
    for block in blocks:
        block[40] ^= 0xFF
    path = _write(tmp_path / "ruined.cwa", header, blocks)
    assert looks_like_axivity(path)
    with pytest.raises(InputError, match=r"ruined\.cwa holds no data blocks with a good checksum"):
        list(iter_axivity_raw(path))


def test_common_code_takes_the_signals(folder: Path) -> None:
    raw = next(iter_axivity_raw(folder / "skdh_ax6_sample.cwa"))
    recording = to_recording(raw)
    assert recording.gyr_dps is not None
    assert recording.n_samples == pytest.approx(105.27 * recording.sampling_rate_hz, abs=2)
    assert float(np.median(np.linalg.norm(recording.acc_mps2, axis=1))) == pytest.approx(9.81, abs=0.3)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("days", [365, 30 * 365])
def test_clock_jumping_far_forward_is_one_error(folder: Path, tmp_path: Path, days: int) -> None:
    """A device clock set a year (or decades) ahead half way through: refused at once, saying where, never a
    year of straight line put on the grid sample by sample (that took the best part of an hour)."""
    header, blocks = _split(folder / "openmovement_example-610-steps.cwa")
    for block in blocks[300:]:
        _restamp(block, days * 86_400)
    path = _write(tmp_path / "jump.cwa", header, blocks)
    with pytest.raises(InputError, match=r"jumps .*days forward.*2012-03-27T11:2"):
        for _ in io.iter_chunks(path):
            pass
    with pytest.raises(InputError, match=r"jumps .*days forward"):
        io.read(path)


def test_clock_paused_a_day_is_bridged(folder: Path, tmp_path: Path) -> None:
    """A pause of a day is bridged as before (an ActiGraph asleep overnight is the usual case)."""
    header, blocks = _split(folder / "skdh_ax6_sample.cwa")
    for block in blocks[150:]:
        _restamp(block, 86_400)
    recording = io.read(_write(tmp_path / "day.cwa", header, blocks))
    assert 86_400 < recording.duration_s < 86_400 + 110
    assert any("hold a straight line" in note for note in recording.notes)
