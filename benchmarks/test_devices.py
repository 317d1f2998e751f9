"""Tests of the long device-file builders: short long files, read back with backstride's readers."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from backstride import io
from benchmarks import devices

DURATION_S = 1500.0  # at least two copies of every source (the .cwa's copy lasts about 11 min)
UNIT_NOTE = "acceleration read in g as declared"  # the one note a sound logger file gets


@pytest.fixture(scope="module")
def devices_data() -> Path:
    """The real device files (``../shared/data/devices``, or under ``BACKSTRIDE_SHARED_DATA``)."""
    if not devices.DEVICES.is_dir():
        pytest.fail(f"device files not found at {devices.DEVICES} (set BACKSTRIDE_SHARED_DATA)")
    return devices.DEVICES


def _copy_layout(fmt: str, source: Path) -> tuple[float, int]:
    """Where the repeated unit starts in the source (seconds from its first sample) and its length in
    samples, worked out from the source file itself."""
    if fmt == "axivity":
        raw = source.read_bytes()
        blocks = np.frombuffer(raw, np.uint8, offset=devices.CWA_HEADER_BYTES).view(devices.CWA_BLOCK)
        return 0.0, devices.cwa_repeat_length(blocks) * int(blocks["count"][0])
    if fmt == "actigraph":
        with zipfile.ZipFile(source) as archive:
            records = devices.parse_log(archive.read("log.bin"))
        first, last = devices.longest_gapless_run(records)
        start = records.time[records.is_activity()][0]
        return float(records.time[first] - start), int(records.time[last] - records.time[first] + 1) * 100
    return 0.0, len(devices.parse_pages(source.read_bytes(), 0)) * devices.PAGE_SAMPLES


@pytest.mark.parametrize("fmt", list(devices.BUILDERS))
def test_long_file_reads_back_as_the_source_repeated(fmt: str, devices_data: Path, tmp_path: Path) -> None:
    source = devices.source_path(fmt, devices_data)
    path = devices.build(fmt, DURATION_S, tmp_path, devices_data)
    assert devices.build(fmt, DURATION_S, tmp_path, devices_data) == path  # cached
    long, short = io.read(path), io.read(source)
    assert long.metadata["format"] == fmt
    assert abs(long.duration_s - DURATION_S) <= short.duration_s
    assert long.sampling_rate_hz == pytest.approx(short.sampling_rate_hz, rel=1e-3)
    assert [note for note in long.notes if not note.startswith(UNIT_NOTE)] == []  # no gap, skip, damage
    start_s, copy_n = _copy_layout(fmt, source)
    first = round(start_s * short.sampling_rate_hz)
    n = min(2000, copy_n)
    if fmt == "axivity":
        # its blocks' time stamps wander from a steady rate, and a recording follows them onto its grid, whose
        # rate is the long file's: the readings themselves are the source's, repeated
        long_acc, short_acc = (_raw_readings(fmt, file) for file in (path, source))
    else:
        long_acc, short_acc = long.acc_mps2, short.acc_mps2
    expected = short_acc[first : first + n]
    np.testing.assert_array_equal(long_acc[:n], expected)
    np.testing.assert_array_equal(long_acc[copy_n : copy_n + n], expected)


def _raw_readings(fmt: str, path: Path) -> np.ndarray:
    """A logger file's acceleration readings as its reader gives them, before they are put on a grid."""
    from backstride.io._devices import iter_device_raw
    from backstride.io._raw import join_raw

    return join_raw(list(iter_device_raw(fmt, path))).acc


def test_cwa_blocks_check_out(devices_data: Path, tmp_path: Path) -> None:
    source = devices.source_path("axivity", devices_data)
    stamps = np.frombuffer(source.read_bytes(), np.uint8, offset=1024).view(devices.CWA_BLOCK)["stamp"]
    back = devices.cwa_datetime_to_stamp(devices.cwa_stamp_to_datetime(stamps))
    np.testing.assert_array_equal(back, stamps)
    body = np.frombuffer(devices.build("axivity", DURATION_S, tmp_path, devices_data).read_bytes(), np.uint8)
    blocks = body[devices.CWA_HEADER_BYTES :].reshape(-1, devices.CWA_BLOCK_BYTES)
    assert not np.any(blocks.view("<u2").sum(axis=1, dtype=np.uint16))  # every word sum is zero
    fields = blocks.reshape(-1).view(devices.CWA_BLOCK)
    assert np.all(np.diff(fields["sequence"].astype(np.int64)) == 1)
    assert np.all(np.diff(devices.cwa_stamp_to_datetime(fields["stamp"]).astype(np.int64)) >= 0)


def test_gt3x_records_and_info_check_out(devices_data: Path, tmp_path: Path) -> None:
    path = devices.build("actigraph", DURATION_S, tmp_path, devices_data)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        log = archive.read("log.bin")
        info = archive.read("info.txt").decode()
    records = devices.parse_log(log)
    for start, end in zip(records.start, records.end, strict=True):
        assert np.bitwise_xor.reduce(np.frombuffer(log[start:end], np.uint8)) == 0xFF  # checksum included
    activity = records.time[records.is_activity()]
    assert np.all(np.diff(activity) == 1)
    ticks = {k: int(v) for k, v in re.findall(r"(Stop Date|Last Sample Time|Download Date): (\d+)", info)}
    end_s = (ticks["Last Sample Time"] - devices.UNIX_EPOCH_TICKS) // devices.TICKS_PER_S
    assert end_s == activity[-1] + 1 and len(set(ticks.values())) == 1


def test_geneactiv_pages_numbered_and_counted(devices_data: Path, tmp_path: Path) -> None:
    text = devices.build("geneactiv", DURATION_S, tmp_path, devices_data).read_bytes()
    pages = devices.parse_pages(text, 0)
    declared = re.search(rb"Number of Pages:(\d+)", text)
    assert declared is not None and int(declared[1]) == len(pages) == text.count(devices.PAGE_MARK)
    assert re.findall(rb"Sequence Number:(\d+)", text) == [b"%d" % i for i in range(len(pages))]
    steps = np.diff([p.time_ms for p in pages])
    assert np.all(steps == 3500)
