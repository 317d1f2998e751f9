"""ActiGraph .gt3x reader against real device files and ActiLife's own CSV exports (see SOURCE.txt)."""

from __future__ import annotations

import gzip
import itertools
import struct
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from backstride._errors import InputError
from backstride.io._actigraph import iter_actigraph_raw, looks_like_actigraph
from backstride.io._raw import RawSignals, join_raw

LINK = "readgt3x_TAS1H30182785_2019-09-17.gt3x"  # GT9X Link, 100 Hz, ACTIVITY2 records, idle sleep on
NEO = "pygt3x_neo.gt3x"  # GT3X+ firmware 2.5.0: activity.bin, 30 Hz
GGIR = "GGIR_actigraph_testfile.gt3x"  # wGT3X-BT, 30 Hz, 12-bit ACTIVITY records
LINK_START = 1568745600  # the Link file's first record: 2019-09-17 18:40:00 local, as Unix seconds


@pytest.fixture(scope="module")
def folder(shared_data: Path) -> Path:
    return shared_data / "devices" / "actigraph_gt3x"


def read(path: Path, **kwargs: int) -> RawSignals:
    return join_raw(list(iter_actigraph_raw(path, **kwargs)))


def rezip(src: Path, dst: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """A copy of the archive with each member's bytes passed through ``change`` (order kept)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            new.writestr(info, change(info.filename, old.read(info)))
    return dst


def log_records(log: bytes) -> list[tuple[int, int, int, int]]:
    """(offset, type, time, size) of each record of a sound log.bin."""
    out, pos = [], 0
    while pos < len(log):
        kind, stamp, size = struct.unpack_from("<BIH", log, pos + 1)
        out.append((pos, kind, stamp, size))
        pos += 9 + size
    return out


def record(kind: int, stamp: int, payload: bytes) -> bytes:
    """One log.bin record with its checksum (one's complement of the XOR of header and payload)."""
    body = struct.pack("<BBIH", 0x1E, kind, stamp, len(payload)) + payload
    return body + bytes([np.bitwise_xor.reduce(np.frombuffer(body, dtype=np.uint8)) ^ 0xFF])


def test_link_matches_actilife_export(folder: Path) -> None:
    raw = read(folder / LINK)
    assert raw.n == 33_000  # 330 one-second ACTIVITY2 records at 100 Hz
    np.testing.assert_array_equal(raw.acc[:3], [[0, 0.0078125, 0.99609375], [0.015625, 0, 1.0078125],
                                                [0.01953125, -0.0078125, 1.00390625]])  # fmt: skip
    assert raw.acc_unit == "g" and raw.gyr is None and raw.time_s[0] == 0.0
    assert raw.time_s[-1] == pytest.approx(2158.99)  # 18:40:00 to 19:15:58.99
    zone = timezone(timedelta(hours=-4))
    assert raw.zone == zone
    assert raw.epoch_s == datetime(2019, 9, 17, 18, 40, tzinfo=zone).timestamp()
    assert raw.metadata["serial"] == "TAS1H30182785" and raw.metadata["sampling_rate_hz"] == 100.0
    assert raw.metadata["device"] == "ActiGraph GT9X Link, serial TAS1H30182785"
    # ActiLife 6.13.3's export: 240,500 rows at 100 Hz from 18:40:00; 25,200 rows of zeros (docked), the
    # idle-sleep seconds filled with the last sample. Each of our samples is the CSV row at its time.
    with gzip.open(folder / "readgt3x_TAS1H30182785_2019-09-17.csv.gz", "rt") as handle:
        csv = np.loadtxt(handle, delimiter=",", skiprows=11)
    assert csv.shape == (240_500, 3)
    row = np.round(raw.time_s * 100).astype(int)
    np.testing.assert_allclose(raw.acc, csv[row], atol=0.0005 + 1e-9)  # ActiLife rounds to 3 decimals
    ours = np.zeros(csv.shape[0], dtype=bool)
    ours[row] = True
    zeros = ~csv.any(axis=1)
    assert int(zeros.sum()) == 25_200 and not (ours & zeros).any()
    filled = ~ours & ~zeros  # idle sleep: ActiLife repeats the last sample; we leave a gap
    last = np.maximum.accumulate(np.where(ours, np.arange(csv.shape[0]), -1))
    np.testing.assert_array_equal(csv[filled], csv[last[filled]])
    assert int(filled.sum()) == 182_300
    assert any("idle sleep mode" in n and "6 stretches" in n for n in raw.notes)
    assert any("Last Sample Time (19:20:05)" in n for n in raw.notes)


def test_neo_legacy_layout_matches_actilife_export(folder: Path) -> None:
    raw = read(folder / NEO)
    csv = np.loadtxt(folder / "pygt3x_neo.csv", delimiter=",", skiprows=11)
    assert raw.n == csv.shape[0] == 18_004  # 600 s at 30 Hz and 4 samples
    rounded = np.round(raw.acc, 3)
    np.testing.assert_allclose(rounded, csv, atol=1e-9)  # ActiLife's values are ours to 3 decimals
    np.testing.assert_allclose(rounded[0], [-0.015, 0.029, -1.006])
    assert rounded.mean(axis=0) == pytest.approx([-0.0640106, 0.0623936, -0.6772473], abs=1e-7)
    assert raw.acc[0, 0] == pytest.approx(-5 / 341)  # counts / 341 (GT3X+ ±6 g), unrounded
    assert raw.time_s[-1] == pytest.approx(18_003 / 30)
    zone = timezone(timedelta(hours=-6))
    assert raw.epoch_s == datetime(2021, 12, 20, 11, 55, tzinfo=zone).timestamp() and raw.zone == zone
    assert raw.metadata["serial"] == "NEO1C04110003" and raw.metadata["firmware"] == "2.5.0"
    assert "the last second holds 4 of 30 samples" in raw.notes


def test_wgt3x_bt_12_bit_records(folder: Path) -> None:
    raw = read(folder / GGIR)
    assert raw.n == 17_640  # 588 ACTIVITY records of 30 samples; the rest of the 1768 s is idle sleep
    np.testing.assert_array_equal(raw.acc[0], [0.00390625, 0.0234375, -0.95703125])
    assert round(raw.time_s[-1] * 30) + 1 == 53_040  # on a 30 Hz grid: pygt3x's 53,040 samples
    assert raw.metadata["serial"] == "MOS2E39180594" and raw.metadata["firmware"] == "1.9.2"
    assert raw.metadata["body_location"] == "waist" and raw.metadata["sampling_rate_hz"] == 30.0
    assert raw.epoch_s == 1598436540 - 7200  # log.bin stamps local time; TimeZone 02:00:00
    assert raw.metadata["idle_sleep_mode"] == "on"
    assert any("23 stretches" in n for n in raw.notes)


def test_firmware_1_6_0_axes_turned_back(folder: Path, tmp_path: Path) -> None:
    """Activity.md: wGT3X-BT firmware 1.6.0 swapped x and y; x is the file's y and y its -x."""
    path = rezip(
        folder / GGIR, tmp_path / "fw160.gt3x", lambda n, b: b.replace(b"Firmware: 1.9.2", b"Firmware: 1.6.0")
    )
    whole, turned = read(folder / GGIR), read(path)
    np.testing.assert_array_equal(
        turned.acc, np.column_stack([whole.acc[:, 1], -whole.acc[:, 0], whole.acc[:, 2]])
    )
    assert any("firmware 1.6.0" in n for n in turned.notes)


def test_idle_sleep_mode_on_and_off(folder: Path) -> None:
    on = read(folder / "pygt3x_ISM_Enabled.gt3x")
    off = read(folder / "pygt3x_ISM_Disabled.gt3x")
    assert on.epoch_s == off.epoch_s == datetime(2021, 3, 19, 20, 57, tzinfo=UTC).timestamp()
    assert (on.metadata["idle_sleep_mode"], off.metadata["idle_sleep_mode"]) == ("on", "off")
    # sleep mode off: 300 s at 30 Hz without a break (pygt3x's 9,000 samples)
    assert off.n == 9_000
    np.testing.assert_allclose(np.diff(off.time_s), 1 / 30)
    assert not any("stretch" in n for n in off.notes)
    # sleep mode on: 73 seconds recorded; the device slept 68 s and 38 s, and from 15:59:59 to the end
    assert on.n == 2_190
    steps = np.diff(on.time_s)
    jumps = on.time_s[1:][steps > 0.5]
    np.testing.assert_allclose(jumps, [92.0, 155.0])  # after 23.97 s and 116.97 s
    assert not ((on.time_s > 117) & (on.time_s < 155)).any()  # pygt3x fills 15:58:57-15:59:34 with a constant
    assert any("2 stretches, 106 s in all" in n for n in on.notes)
    assert any("2.0 min before info.txt's Last Sample Time (16:02:00)" in n for n in on.notes)


@pytest.mark.parametrize("name", [LINK, GGIR, NEO])
def test_blocks_join_to_the_whole_file(folder: Path, name: str) -> None:
    whole = read(folder / name)
    blocks = list(iter_actigraph_raw(folder / name, block_samples=1000))
    assert len(blocks) > 10
    assert all(b.n <= 1200 for b in blocks)
    for before, after in itertools.pairwise(blocks):
        assert after.time_s[0] > before.time_s[-1]  # continues, never restarts at 0
    joined = join_raw(blocks)
    np.testing.assert_array_equal(joined.time_s, whole.time_s)
    np.testing.assert_array_equal(joined.acc, whole.acc)
    assert joined.epoch_s == whole.epoch_s and joined.notes == whole.notes
    assert blocks[0].metadata == whole.metadata


def test_archive_cut_short(folder: Path, tmp_path: Path) -> None:
    """A copy that stops in the middle of log.bin: no ZIP directory, no info.txt (stored last)."""
    whole = read(folder / LINK)
    cut = tmp_path / "cut.gt3x"
    cut.write_bytes((folder / LINK).read_bytes()[:150_000])
    raw = read(cut)
    assert 20_000 < raw.n < whole.n and raw.n % 100 == 0
    np.testing.assert_array_equal(raw.time_s, whole.time_s[: raw.n])
    np.testing.assert_array_equal(raw.acc, whole.acc[: raw.n])
    assert raw.epoch_s == whole.epoch_s and raw.zone == whole.zone  # from log.bin's METADATA (UtcOffset)
    assert raw.metadata["sampling_rate_hz"] == 100.0 and raw.metadata["serial"] == "unknown"
    assert any("cut short" in n for n in raw.notes)
    assert any("info.txt is missing" in n for n in raw.notes)
    assert looks_like_actigraph(cut)


def test_log_cut_inside_a_record(folder: Path, tmp_path: Path) -> None:
    """A download cut short: log.bin ends in the middle of a record, the archive itself is sound."""
    whole = read(folder / GGIR)
    path = rezip(folder / GGIR, tmp_path / "short.gt3x", lambda n, b: b[:50_000] if n == "log.bin" else b)
    raw = read(path)
    assert 0 < raw.n < whole.n
    np.testing.assert_array_equal(raw.acc, whole.acc[: raw.n])
    assert any("log.bin ends inside a record" in n for n in raw.notes)


def test_legacy_activity_cut_short(folder: Path, tmp_path: Path) -> None:
    whole = read(folder / NEO)
    path = rezip(folder / NEO, tmp_path / "short.gt3x", lambda n, b: b[:40_003] if n == "activity.bin" else b)
    raw = read(path)
    assert raw.n == 40_003 * 8 // 36  # 8889 whole samples
    np.testing.assert_array_equal(raw.acc, whole.acc[: raw.n])
    assert any("do not make a whole sample" in n for n in raw.notes)


def damage(folder: Path, tmp_path: Path, where: int) -> tuple[RawSignals, RawSignals, int]:
    """The Link file with one byte of its 100th activity record changed (``where``: offset in the record)."""
    with zipfile.ZipFile(folder / LINK) as archive:
        log = archive.read("log.bin")
    target = [r for r in log_records(log) if r[1] == 0x1A and r[3] > 1][100]
    changed = bytearray(log)
    changed[target[0] + where] ^= 0x5A
    path = rezip(
        folder / LINK, tmp_path / "damaged.gt3x", lambda n, b: bytes(changed) if n == "log.bin" else b
    )
    return read(folder / LINK), read(path), target[2]


@pytest.mark.parametrize(
    ("where", "note"),
    [
        (200, "1 log.bin record failed the checksum and was skipped"),  # a byte inside the payload
        (
            7,
            "609 damaged bytes of log.bin were skipped",
        ),  # the size field: resynchronised on the next records
    ],
)
def test_a_damaged_record_costs_that_second_only(folder: Path, tmp_path: Path, where: int, note: str) -> None:
    whole, raw, stamp = damage(folder, tmp_path, where=where)
    assert raw.n == whole.n - 100
    lost = np.floor(whole.time_s) == stamp - LINK_START
    np.testing.assert_array_equal(raw.time_s, whole.time_s[~lost])
    np.testing.assert_array_equal(raw.acc, whole.acc[~lost])
    assert any(note in n for n in raw.notes)


def changed_in_place(src: Path, dst: Path, member: str, offset: int) -> Path:
    """A copy of the archive with one byte of a stored member changed in the file itself, as damage on a disk
    or in a transfer leaves it: the archive's CRC of that member then fails."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as archive:
        info = archive.getinfo(member)
    assert info.compress_type == zipfile.ZIP_STORED
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_len + extra_len + offset] ^= 0x5A
    dst.write_bytes(bytes(data))
    return dst


def test_a_record_damaged_in_the_file_itself_costs_that_second_only(folder: Path, tmp_path: Path) -> None:
    """Python's zipfile withholds the whole last read of a member that fails its CRC (this small file's every
    byte): the member is read on without that check, and the records' own checksums find the damage."""
    with zipfile.ZipFile(folder / LINK) as archive:
        log = archive.read("log.bin")
    target = [r for r in log_records(log) if r[1] == 0x1A and r[3] > 1][100]
    path = changed_in_place(folder / LINK, tmp_path / "damaged.gt3x", "log.bin", target[0] + 200)
    whole, raw = read(folder / LINK), read(path)
    assert raw.n == whole.n - 100
    lost = np.floor(whole.time_s) == target[2] - LINK_START
    np.testing.assert_array_equal(raw.acc, whole.acc[~lost])
    assert any("1 log.bin record failed the checksum and was skipped" in n for n in raw.notes)
    assert any("log.bin fails the archive's check (Bad CRC-32" in n for n in raw.notes)


def test_info_damaged_in_the_file_itself_is_still_read(folder: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(folder / LINK) as archive:
        info = archive.read("info.txt")
    path = changed_in_place(folder / LINK, tmp_path / "damaged.gt3x", "info.txt", info.index(b"suffix_85"))
    assert looks_like_actigraph(path)
    raw = read(path)
    np.testing.assert_array_equal(raw.acc, read(folder / LINK).acc)
    assert any("info.txt fails the archive's check" in n for n in raw.notes)


def test_gap_without_idle_sleep_mode(folder: Path, tmp_path: Path) -> None:
    """Ten seconds of records missing from a file recorded without idle sleep: a jump in time, not filled."""
    source = folder / "pygt3x_ISM_Disabled.gt3x"
    with zipfile.ZipFile(source) as archive:
        log = archive.read("log.bin")
    active = [r for r in log_records(log) if r[1] == 0x1A]
    cut_from, cut_to = active[100][0], active[110][0]
    path = rezip(
        source, tmp_path / "gap.gt3x", lambda n, b: b[:cut_from] + b[cut_to:] if n == "log.bin" else b
    )
    raw = read(path)
    assert raw.n == 9_000 - 300
    assert np.diff(raw.time_s).max() == pytest.approx(10 + 1 / 30)  # from 99.967 s to 110 s
    assert "seconds without samples in log.bin (1 stretch, 10 s in all)" in raw.notes


def test_file_stamped_in_utc(folder: Path, tmp_path: Path) -> None:
    """Metadata.md: with a LocalTimeLog saying UsedUtc, the record times are UTC, not local."""
    source = folder / "pygt3x_ISM_Disabled.gt3x"
    log_time = b'{"MetadataType":"LocalTimeLog","UtcOffset":"-05:00:00","UsedUtc":true}'
    path = rezip(
        source, tmp_path / "utc.gt3x", lambda n, b: record(6, 1, log_time) + b if n == "log.bin" else b
    )
    raw = read(path)
    assert raw.epoch_s == 1616169420  # 15:57:00 read as UTC
    assert raw.zone == timezone(timedelta(hours=-5)) and raw.n == 9_000


def test_not_an_actigraph_file(tmp_path: Path, folder: Path) -> None:
    text = tmp_path / "walk.csv"
    text.write_text("time,x,y,z\n0,0,0,1\n")
    other = tmp_path / "export.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("Raw Data.csv", "Time (s),Acceleration x (m/s^2)\n")
    empty_log = rezip(folder / GGIR, tmp_path / "empty.gt3x", lambda n, b: b"" if n == "log.bin" else b)
    for path in (text, other, tmp_path):
        assert not looks_like_actigraph(path)
    assert looks_like_actigraph(empty_log)
    assert all(looks_like_actigraph(path) for path in folder.glob("*.gt3x"))
    with pytest.raises(InputError, match=r"walk\.csv is not an ActiGraph .gt3x file: it is not a ZIP"):
        list(iter_actigraph_raw(text))
    with pytest.raises(InputError, match=r"export\.zip is not an ActiGraph file"):
        list(iter_actigraph_raw(other))
    with pytest.raises(InputError, match=r"empty\.gt3x holds no accelerometer samples"):
        list(iter_actigraph_raw(empty_log))
    with pytest.raises(InputError, match="cannot be read"):
        list(iter_actigraph_raw(tmp_path))
    cut_neo = tmp_path / "cut_neo.gt3x"  # info.txt, stored last, is lost
    cut_neo.write_bytes((folder / NEO).read_bytes()[:300_000])
    with pytest.raises(InputError, match=r"cut_neo\.gt3x has no info\.txt, which gives the rate"):
        list(iter_actigraph_raw(cut_neo))
    stranger = rezip(folder / NEO, tmp_path / "old.gt3x", lambda n, b: b.replace(b"NEO1C", b"ABC1C"))
    with pytest.raises(
        InputError, match=r"old\.gt3x: activity\.bin of device ABC1C04110003 is not in the documented"
    ):
        list(iter_actigraph_raw(stranger))
