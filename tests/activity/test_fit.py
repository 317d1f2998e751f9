"""Garmin .fit files: real fenix and vivofit files against their reference values, damaged files, and the
protocol's corners (byte order, developer fields, compressed timestamps) on small files built here."""

from __future__ import annotations

import csv
import struct
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from backstride import InputError
from backstride.activity import decode_fit, read_activity, read_fit

PDT = timezone(timedelta(hours=-7))
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)


@pytest.fixture(scope="module")
def garmin(shared_data: Path) -> Path:
    return shared_data / "devices" / "garmin_fit"


def _reference_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _pdt(text: str) -> datetime:
    """The reference dump's time ('Sun Jun 11 07:32:51 PDT 2017')."""
    return datetime.strptime(text.replace(" PDT", ""), "%a %b %d %H:%M:%S %Y").replace(tzinfo=PDT)


@pytest.mark.parametrize("name", ["garmin-fenix-5-walk", "garmin-fenix-5-run"])
def test_every_record_matches_the_reference_dump(garmin: Path, name: str) -> None:
    fit = decode_fit(garmin / f"fitparse_{name}.fit")
    rows = _reference_rows(garmin / f"fitparse_{name}-records.csv")
    assert len(fit.samples) == len(rows)
    for sample, row in zip(fit.samples, rows, strict=True):
        assert sample.time == _pdt(row["timestamp"])
        assert sample.speed_mps == pytest.approx(float(row["speed"]))
        assert sample.distance_m == pytest.approx(float(row["distance"]))
        # the dump shows whole strides/min; the file adds fractional_cadence (1/128 stride/min)
        assert sample.cadence_spm is not None
        assert int(sample.cadence_spm / 2) == int(row["cadence"])


def test_fenix_5_walk_session(garmin: Path) -> None:
    fit = decode_fit(garmin / "fitparse_garmin-fenix-5-walk.fit")
    assert fit.file_type == "activity"
    assert fit.device == "Garmin (product 2697, serial 3945849289)"
    assert fit.utc_offset == timedelta(hours=-7)
    (walk,) = fit.sessions
    assert walk.sport == "walking"
    assert walk.start == datetime(2017, 6, 11, 14, 32, 51, tzinfo=UTC)
    assert walk.duration_s == pytest.approx(45.379)
    assert walk.distance_m == pytest.approx(67.85)
    assert walk.steps == 82  # total_strides 41
    assert walk.cadence_spm == pytest.approx(122.0)  # avg_cadence 61 strides/min
    assert walk.speed_mps == pytest.approx(1.495)
    # the mean of the step lengths the watch measured (mm in the file), not distance / steps (0.83 m)
    lengths = [s.step_length_m for s in fit.samples if s.step_length_m]
    assert fit.samples[0].step_length_m == pytest.approx(0.651)
    assert walk.step_length_m == pytest.approx(sum(lengths) / len(lengths))
    (day,) = read_fit(garmin / "fitparse_garmin-fenix-5-walk.fit").days
    assert (day.date, day.steps, day.walks) == (date(2017, 6, 11), 82, 1)
    assert day.distance_m == pytest.approx(67.85)
    assert day.walking_speed_mps == pytest.approx(1.495)


def test_fenix_5_run_is_kept_but_is_no_walk(garmin: Path) -> None:
    data = read_activity(garmin / "fitparse_garmin-fenix-5-run.fit")
    (run,) = data.sessions
    assert run.sport == "running" and not run.is_walk
    assert run.duration_s == pytest.approx(56.887)
    assert run.distance_m == pytest.approx(157.56)
    assert run.steps == 156  # total_strides 78
    assert run.cadence_spm == pytest.approx(166.0)  # avg_running_cadence 83 strides/min
    assert run.speed_mps == pytest.approx(2.77)
    (day,) = data.days
    assert day.steps == 156 and day.walks == 0
    assert day.walking_speed_mps is None and day.step_length_m is None  # runs do not feed walking figures
    assert len(decode_fit(garmin / "fitparse_garmin-fenix-5-run.fit").samples) == 21


def test_fenix_2_run_parses(garmin: Path) -> None:
    fit = decode_fit(garmin / "fitparse_activity-small-fenix2-run.fit")
    assert len(fit.samples) == 2809
    assert fit.device == "Garmin (product 1967, serial 3882015183)"
    (run,) = fit.sessions
    assert run.start == datetime(2015, 8, 15, 14, 45, 8, tzinfo=UTC)
    assert run.duration_s == pytest.approx(2832.0)
    assert run.distance_m == pytest.approx(9008.22)
    assert run.cadence_spm == pytest.approx(162.0)  # 81 strides/min
    assert run.steps is None  # this watch writes no total_strides
    assert run.speed_mps == pytest.approx(9008.22 / 2832.0)  # no avg_speed either: distance / timer time


def test_monitoring_file_counts_steps_per_day(garmin: Path) -> None:
    fit = decode_fit(garmin / "fitparse_MonitoringFile.fit")
    assert fit.file_type == "monitoring_b"
    assert len(fit.monitoring) == 337
    assert fit.utc_offset == timedelta(hours=-6)
    walking = [m.steps for m in fit.monitoring if m.activity_type == "walking"]
    assert walking[:3] == [100, 315, 322]  # the 'steps' subfield (scale 1), not cycles (raw / 2)
    data = read_fit(garmin / "fitparse_MonitoringFile.fit")
    # the day's last counts: walking 3142 + running 31; the repeat written at local midnight closes the day
    assert [(d.date, d.steps) for d in data.days] == [(date(2014, 12, 27), 3142 + 31)]
    assert sum(r.value for r in data.records if r.kind == "steps") == 3173
    assert all(r.start.date() == date(2014, 12, 27) for r in data.records)


def test_truncated_file(garmin: Path, tmp_path: Path) -> None:
    cut = tmp_path / "walk.fit"
    cut.write_bytes((garmin / "fitparse_garmin-fenix-5-walk.fit").read_bytes()[:3000])
    with pytest.raises(InputError, match=r"^walk\.fit is cut short: its header announces \d+ bytes"):
        read_activity(cut)


def test_one_flipped_byte_fails_the_crc(garmin: Path, tmp_path: Path) -> None:
    data = bytearray((garmin / "fitparse_garmin-fenix-5-walk.fit").read_bytes())
    data[2500] ^= 0x01
    damaged = tmp_path / "walk.fit"
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"^walk\.fit is damaged: its CRC check fails"):
        read_activity(damaged)


def test_inconsistent_header(garmin: Path, tmp_path: Path) -> None:
    data = bytearray((garmin / "fitparse_garmin-fenix-5-walk.fit").read_bytes())
    data[4] ^= 0x10  # the announced data size, under the header's own CRC
    damaged = tmp_path / "walk.fit"
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"^walk\.fit has a damaged FIT header"):
        read_activity(damaged)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "walk.fit"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"^walk\.fit is empty$"):
        read_activity(empty)


def _gzipped(source: Path, target: Path, data: bytes | None = None) -> Path:
    """A gzip-compressed copy of ``source`` (or of ``data``) at ``target``, as Garmin Connect exports one."""
    import gzip

    target.write_bytes(gzip.compress(source.read_bytes() if data is None else data))
    return target


@pytest.mark.parametrize(
    "name", ["garmin-fenix-5-walk", "garmin-fenix-5-run", "MonitoringFile", "activity-small-fenix2-run"]
)
def test_a_gzipped_fit_file_reads_as_the_plain_one(garmin: Path, tmp_path: Path, name: str) -> None:
    """Garmin Connect gives .fit.gz files; read_activity said they were neither an Apple Health export nor a
    .fit file (failed before)."""
    plain = garmin / f"fitparse_{name}.fit"
    packed = _gzipped(plain, tmp_path / f"{name}.fit.gz")
    data, expected = read_activity(packed), read_activity(plain)
    assert data.source == f"{name}.fit.gz" and data.source_format == "fit"
    assert data.records == expected.records and len(data.records) > 0
    assert (data.sessions, data.days, data.notes) == (expected.sessions, expected.days, expected.notes)
    assert read_activity(packed, keep_records=False).days == expected.days
    assert list(tmp_path.iterdir()) == [packed]  # nothing left behind


def test_a_gzipped_walk_has_the_watch_s_figures(garmin: Path, tmp_path: Path) -> None:
    packed = _gzipped(garmin / "fitparse_garmin-fenix-5-walk.fit", tmp_path / "walk.fit.gz")
    (day,) = read_activity(packed).days
    assert (day.date, day.steps, day.walks) == (date(2017, 6, 11), 82, 1)
    assert day.walking_speed_mps == pytest.approx(1.495)


def test_a_gzip_that_would_unpack_to_too_much_is_refused_before(
    garmin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small gzip file can unpack to gigabytes (the FIT reader holds a file whole): counted first, as the
    upload's check does (io.unpacked_size), and refused without unpacking."""
    from backstride.activity import _read

    walk = garmin / "fitparse_garmin-fenix-5-walk.fit"
    packed = _gzipped(walk, tmp_path / "walk.fit.gz")
    monkeypatch.setattr(_read, "MAX_FIT_BYTES", walk.stat().st_size - 1)
    with pytest.raises(
        InputError, match=rf"^walk\.fit\.gz would unpack to more than {walk.stat().st_size - 1} bytes, "
    ):
        read_activity(packed)
    assert _read.MAX_FIT_BYTES < 1 << 30
    monkeypatch.setattr(_read, "MAX_FIT_BYTES", walk.stat().st_size)
    assert read_activity(packed).days


def test_a_damaged_cut_or_foreign_gzip_is_one_readable_error(garmin: Path, tmp_path: Path) -> None:
    from backstride import UnsupportedFormatError

    walk = garmin / "fitparse_garmin-fenix-5-walk.fit"
    packed = _gzipped(walk, tmp_path / "walk.fit.gz").read_bytes()
    cut = tmp_path / "cut.fit.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputError, match=r"^cut\.fit\.gz is cut short: its header announces \d+ bytes"):
        read_activity(cut)
    damaged = tmp_path / "damaged.fit.gz"
    damaged.write_bytes(packed[:-8] + bytes(8))  # a wrong checksum and length at the end
    with pytest.raises(InputError, match=r"^damaged\.fit\.gz is a damaged gzip file"):
        read_activity(damaged)
    text = _gzipped(walk, tmp_path / "notes.txt.gz", b"no FIT here, just text\n" * 10)
    with pytest.raises(UnsupportedFormatError, match=r"^notes\.txt\.gz is a gzip file but not of a Garmin "):
        read_activity(text)


# --- small files built here, from the protocol document ------------------------------------------------

_NIBBLE_CRC = (
    *(0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401),
    *(0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400),
)


def _crc(data: bytes) -> int:
    """The protocol document's nibble-wise CRC-16 (the reader uses a byte-wise table: a separate check)."""
    crc = 0
    for byte in data:
        for nibble in (byte & 0x0F, byte >> 4):
            crc = ((crc >> 4) & 0x0FFF) ^ _NIBBLE_CRC[crc & 0x0F] ^ _NIBBLE_CRC[nibble]
    return crc


def _fit(messages: bytes) -> bytes:
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(messages), b".FIT")
    header += struct.pack("<H", _crc(header))
    return header + messages + struct.pack("<H", _crc(header + messages))


def _define(
    local: int, number: int, fields: list[tuple[int, int, int]], *, big: bool = False, dev: int = 0
) -> bytes:
    """A definition message; ``dev`` developer fields of 3 bytes each follow when given."""
    header = 0x40 | local | (0x20 if dev else 0)
    out = bytes([header, 0, int(big)]) + struct.pack(">H" if big else "<H", number) + bytes([len(fields)])
    out += b"".join(bytes(f) for f in fields)
    if dev:
        out += bytes([dev]) + b"".join(bytes([i, 3, 0]) for i in range(dev))
    return out


def _data(
    local: int, fmt: str, *values: int | bytes, big: bool = False, time_offset: int | None = None
) -> bytes:
    header = local if time_offset is None else 0x80 | (local << 5) | (time_offset & 0x1F)
    return bytes([header]) + struct.pack((">" if big else "<") + fmt, *values)


def _seconds(moment: datetime) -> int:
    return int((moment - FIT_EPOCH).total_seconds())


UINT8, UINT16, UINT32, ENUM = 0x02, 0x84, 0x86, 0x00


def _walk_file(t0: int) -> bytes:
    """A walk in Vienna (UTC+1) that starts at 23:30 UTC: big-endian records with developer fields,
    then records with compressed timestamps, a walking session, a cycling session and the activity."""
    record = [(253, 4, UINT32), (6, 2, UINT16), (4, 1, UINT8), (5, 4, UINT32)]
    session = [(2, 4, UINT32), (5, 1, ENUM), (7, 4, UINT32), (9, 4, UINT32), (10, 4, UINT32)]
    session += [(14, 2, UINT16), (18, 1, UINT8), (124, 4, UINT32)]
    return (
        _define(0, 0, [(0, 1, ENUM), (1, 2, UINT16), (2, 2, UINT16), (3, 4, 0x8C)])
        + _data(0, "BHHI", 4, 1, 9999, 123456)
        + _define(1, 20, record, big=True, dev=2)
        + _data(1, "IHBI6s", t0, 1200, 55, 0, b"\x01\x02\x03\x04\x05\x06", big=True)
        + _define(2, 20, record[1:], big=True)
        + _data(2, "HBI", 1250, 56, 150, big=True, time_offset=t0 + 1)
        + _data(2, "HBI", 1300, 57, 300, big=True, time_offset=t0 + 3)  # the 5-bit offset rolls over
        + _define(3, 18, session)
        + _data(3, "IBIIIHBI", t0, 11, 60_000, 7200, 50, 1200, 55, 0xFFFFFFFF)  # enhanced speed invalid
        + _data(3, "IBIIIHBI", t0, 2, 60_000, 30_000, 90, 5000, 80, 5000)
        + _define(0, 34, [(253, 4, UINT32), (5, 4, UINT32)])
        + _data(0, "II", t0 + 60, t0 + 60 + 3600)
    )


def test_byte_order_developer_fields_and_compressed_timestamps(tmp_path: Path) -> None:
    t0 = _seconds(datetime(2024, 3, 9, 23, 30, tzinfo=UTC))
    t0 += (30 - t0) % 32  # low 5 bits 30: the second compressed offset rolls over
    path = tmp_path / "walk.fit"
    path.write_bytes(_fit(_walk_file(t0)))
    fit = decode_fit(path)
    start = FIT_EPOCH + timedelta(seconds=t0)
    assert fit.utc_offset == timedelta(hours=1)
    assert [s.time for s in fit.samples] == [
        start,
        start + timedelta(seconds=1),
        start + timedelta(seconds=3),
    ]
    assert [s.speed_mps for s in fit.samples] == pytest.approx([1.2, 1.25, 1.3])
    assert [s.cadence_spm for s in fit.samples] == pytest.approx([110.0, 112.0, 114.0])
    assert [s.distance_m for s in fit.samples] == pytest.approx([0.0, 1.5, 3.0])
    (walk,) = fit.sessions
    assert (walk.sport, walk.steps, walk.duration_s) == ("walking", 100, 60.0)
    assert walk.speed_mps == pytest.approx(1.2)  # avg_speed, as enhanced_avg_speed is invalid
    assert walk.step_length_m == pytest.approx(0.72)  # no measured step lengths: distance / steps
    assert walk.device == "Garmin (product 9999, serial 123456)"
    assert fit.notes == ("sessions of other sports left out: cycling",)
    (day,) = read_fit(path).days
    assert day.date == date(2024, 3, 10)  # 00:30 in Vienna, 23:30 UTC the day before
    assert (day.steps, day.walks) == (100, 1)


def test_chained_files_are_read_in_turn(tmp_path: Path) -> None:
    t0 = _seconds(datetime(2024, 3, 9, 10, 0, tzinfo=UTC))
    path = tmp_path / "chained.fit"
    path.write_bytes(_fit(_walk_file(t0)) + _fit(_walk_file(t0 + 7200)))
    assert len(decode_fit(path).sessions) == 2


def test_a_message_without_a_definition(tmp_path: Path) -> None:
    path = tmp_path / "bad.fit"
    path.write_bytes(_fit(_data(5, "B", 1)))
    with pytest.raises(
        InputError, match=r"bad\.fit is malformed: a message at byte \d+ uses an undefined local"
    ):
        decode_fit(path)


def test_a_message_running_past_the_end(tmp_path: Path) -> None:
    path = tmp_path / "bad.fit"
    path.write_bytes(_fit(_define(0, 20, [(253, 4, UINT32)]) + _data(0, "H", 7)))
    with pytest.raises(InputError, match=r"bad\.fit is malformed: the message at byte \d+ runs past the end"):
        decode_fit(path)


def test_a_compressed_timestamp_needs_a_time_before_it(tmp_path: Path) -> None:
    path = tmp_path / "bad.fit"
    path.write_bytes(_fit(_define(0, 20, [(6, 2, UINT16)]) + _data(0, "H", 1000, time_offset=3)))
    with pytest.raises(
        InputError, match=r"bad\.fit is malformed: a compressed timestamp at byte \d+ has no time"
    ):
        decode_fit(path)


def test_no_local_time_means_utc(tmp_path: Path) -> None:
    t0 = _seconds(datetime(2024, 3, 9, 10, 0, tzinfo=UTC))
    path = tmp_path / "walk.fit"
    path.write_bytes(_fit(_define(0, 20, [(253, 4, UINT32), (6, 2, UINT16)]) + _data(0, "IH", t0, 1000)))
    fit = decode_fit(path)
    assert fit.samples[0].time.utcoffset() == timedelta(0)
    assert "times and days are in UTC" in fit.notes[0]
