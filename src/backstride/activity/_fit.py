"""Garmin ``.fit`` files: activity files (walks, hikes, runs) and daily step-monitoring files.

Implemented from Garmin's published FIT SDK documentation (not from another decoder's code):

* *FIT Protocol* — https://developer.garmin.com/fit/protocol/ (formerly Dynastream document D00001275,
  "Flexible & Interoperable Data Transfer (FIT) Protocol", Rev 1.8 and later): the 12- or 14-byte file
  header, normal and compressed-timestamp record headers, definition messages with their local message
  types and architecture (byte order), base types and their invalid values, developer data fields,
  the CRC-16 and chained files.
* *FIT Profile* — ``Profile.xlsx`` in the FIT SDK (Messages and Types sheets): the message and field
  numbers, scales, units and enum values in :data:`_PROFILE` and the tables next to it.
* *FIT File Types* — https://developer.garmin.com/fit/file-types/activity/ and ``.../monitoring/``: the
  activity message's local timestamp (the file's UTC offset) and monitoring counts that accumulate
  over the day.

What is read, and the decisions taken:

* A file whose header is inconsistent (size, signature, header CRC), that is cut short, or whose CRC-16
  does not match is refused with an :class:`~backstride.InputError`; nothing is guessed from it.
* ``file_id`` names the device; ``session`` gives a walk, hike or run with its totals; ``record`` gives
  the samples (about one a second); ``monitoring`` gives the daily step counts of a wellness file.
  Sessions of other sports (cycling, swimming...) are left out with a note.
* FIT counts walking and running in *strides* (cycles of two steps): a session's ``total_cycles`` is
  its total strides (the profile's ``total_strides`` subfield) and cadence is strides/min. Steps are
  2 × strides and steps/min = 2 × (cadence + fractional_cadence).
* A session's speed is the device's ``enhanced_avg_speed`` (or ``avg_speed``), else its distance over
  its timer time. Its step length is the mean of the step lengths the device measured in its records
  (``record.step_length``), else its distance over its steps.
* Monitoring ``cycles`` are, for walking and running, the profile's ``steps`` subfield (scale 1); the
  parent field ``cycles`` has scale 2, which is why generic decoders show half the steps. Counts
  accumulate per activity type over the local day, up to the message's time: a count written at local
  midnight closes the day before, and the next count starts again from zero.
* Times are converted to the file's local time: its offset is the activity (or monitoring_info)
  message's ``local_timestamp`` minus its ``timestamp``. A file without one is read in UTC, with a note.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import NamedTuple

from backstride._errors import InputError
from backstride.activity._model import ActivityData, ActivityRecord, WalkSession
from backstride.activity._summary import DayAccumulator

# --- FIT Protocol constants (the protocol document: file header, base types, CRC) --------------------

#: FIT times are seconds since 1989-12-31 00:00:00 UTC
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
_SIGNATURE = b".FIT"
_MIN_HEADER_SIZE = 12
_CRC_SIZE = 2

#: base type number (low 5 bits of the base type byte) -> (struct code, size in bytes, invalid value)
_BASE_TYPES: dict[int, tuple[str, int, int | None]] = {
    0x00: ("B", 1, 0xFF),  # enum
    0x01: ("b", 1, 0x7F),  # sint8
    0x02: ("B", 1, 0xFF),  # uint8
    0x03: ("h", 2, 0x7FFF),  # sint16
    0x04: ("H", 2, 0xFFFF),  # uint16
    0x05: ("i", 4, 0x7FFFFFFF),  # sint32
    0x06: ("I", 4, 0xFFFFFFFF),  # uint32
    0x07: ("s", 1, None),  # string: null-terminated UTF-8, invalid when empty
    0x08: ("f", 4, None),  # float32: invalid is all bits set (a NaN)
    0x09: ("d", 8, None),  # float64: likewise
    0x0A: ("B", 1, 0x00),  # uint8z
    0x0B: ("H", 2, 0x0000),  # uint16z
    0x0C: ("I", 4, 0x00000000),  # uint32z
    0x0D: ("B", 1, 0xFF),  # byte
    0x0E: ("q", 8, 0x7FFFFFFFFFFFFFFF),  # sint64
    0x0F: ("Q", 8, 0xFFFFFFFFFFFFFFFF),  # uint64
    0x10: ("Q", 8, 0x0000000000000000),  # uint64z
}


def _crc_table() -> tuple[int, ...]:
    """The byte-wise table of the protocol's CRC-16 (polynomial 0x8005, bit-reflected, initial value 0;
    the protocol's nibble-wise table 0x0000, 0xCC01, 0xD801... computes the same CRC)."""
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()

# --- FIT Profile constants (Profile.xlsx, Messages and Types sheets; only what is decoded) -------------

FILE_ID, SESSION, RECORD, ACTIVITY, MONITORING, MONITORING_INFO = 0, 18, 20, 34, 55, 103

#: global message number -> {field number: (name, scale)}; a value is raw / scale, in the unit named
_PROFILE: dict[int, dict[int, tuple[str, float]]] = {
    FILE_ID: {
        0: ("type", 1),
        1: ("manufacturer", 1),
        2: ("product", 1),
        3: ("serial_number", 1),
        8: ("product_name", 1),
    },
    SESSION: {
        2: ("start_time", 1),  # date_time
        5: ("sport", 1),
        7: ("total_elapsed_time", 1000),  # s
        8: ("total_timer_time", 1000),  # s, pauses left out
        9: ("total_distance", 100),  # m
        10: ("total_cycles", 1),  # strides for running, walking, hiking
        14: ("avg_speed", 1000),  # m/s
        18: ("avg_cadence", 1),  # strides/min on foot
        41: ("avg_fractional_cadence", 128),  # strides/min
        124: ("enhanced_avg_speed", 1000),  # m/s
    },
    RECORD: {
        4: ("cadence", 1),  # strides/min on foot
        5: ("distance", 100),  # m
        6: ("speed", 1000),  # m/s
        53: ("fractional_cadence", 128),  # strides/min
        73: ("enhanced_speed", 1000),  # m/s
        85: ("step_length", 10),  # mm
    },
    ACTIVITY: {5: ("local_timestamp", 1)},  # local_date_time: seconds since the epoch, in local time
    MONITORING: {
        2: ("distance", 100),  # m, accumulated over the day
        3: ("cycles", 1),  # raw: the 'steps' subfield (scale 1) for walking and running
        5: ("activity_type", 1),
        24: ("current_activity_type_intensity", 1),  # activity_type in bits 0-4
        26: ("timestamp_16", 1),  # low 16 bits of the time
    },
    MONITORING_INFO: {0: ("local_timestamp", 1)},
}
_TIMESTAMP_FIELD = 253  # the same field number in every message that has a time

#: type 'file' (file_id.type)
_FILE_TYPES = {4: "activity", 15: "monitoring_a", 28: "monitoring_daily", 32: "monitoring_b"}
#: type 'manufacturer' (only the common ones are named; others are shown by number)
_MANUFACTURERS = {1: "Garmin", 13: "Dynastream OEM", 15: "Dynastream", 255: "development"}
#: type 'sport'
_SPORTS = {
    0: "generic",
    1: "running",
    2: "cycling",
    5: "swimming",
    10: "training",
    11: "walking",
    16: "mountaineering",
    17: "hiking",
}
_FOOT_SPORTS = frozenset({"running", "walking", "hiking"})
#: type 'activity_type' (monitoring)
_ACTIVITY_TYPES = {
    0: "generic",
    1: "running",
    2: "cycling",
    3: "transition",
    4: "fitness_equipment",
    5: "swimming",
    6: "walking",
    8: "sedentary",
}
_STEP_ACTIVITY_TYPES = frozenset({"walking", "running"})

_STEPS_PER_STRIDE = 2
_TIME_RESOLUTION = timedelta(seconds=1)  # of date_time fields


# --- decoded content -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FitSample:
    """One ``record`` message of an activity file (usually one a second); steps/min, m/s, m."""

    time: datetime
    cadence_spm: float | None
    speed_mps: float | None
    distance_m: float | None
    step_length_m: float | None


@dataclass(frozen=True, slots=True)
class FitMonitoring:
    """One ``monitoring`` message: the count of the day so far for one activity type.

    ``steps`` and ``distance_m`` are ``None`` unless the activity type is walking or running.
    """

    time: datetime
    activity_type: str | None
    steps: int | None
    distance_m: float | None


@dataclass(frozen=True, slots=True)
class FitFile:
    """What :func:`decode_fit` read from a FIT file: device, sessions, samples and monitoring counts."""

    file_type: str
    device: str
    utc_offset: timedelta | None
    sessions: tuple[WalkSession, ...]
    samples: tuple[FitSample, ...]
    monitoring: tuple[FitMonitoring, ...]
    notes: tuple[str, ...]


# --- public entry points -----------------------------------------------------------------------------


def read_fit(path: str | Path, *, keep_records: bool = True) -> ActivityData:
    """Read a FIT activity or monitoring file into records, walk sessions and day summaries."""
    path = Path(path)
    fit = decode_fit(path)
    records = _monitoring_records(fit) or _session_records(fit.sessions)
    days = DayAccumulator()
    for record in records:
        days.add(record)
    summaries, notes = days.summarise(fit.sessions)
    return ActivityData(
        records=tuple(records) if keep_records else (),
        sessions=fit.sessions,
        days=summaries,
        source_format="fit",
        source=path.name,
        notes=fit.notes + notes,
    )


def decode_fit(path: str | Path) -> FitFile:
    """Decode the messages of a FIT file that backstride uses (checking its header, length and CRC)."""
    path = Path(path)
    data = path.read_bytes()
    collected = _Collected()
    notes: list[str] = []
    pos = 0
    while pos < len(data):
        header_size, data_size = _check_header(data, pos, path.name)
        end = pos + header_size + data_size
        if end + _CRC_SIZE > len(data):
            raise InputError(
                f"{path.name} is cut short: its header announces {data_size} bytes of messages and a CRC, "
                f"but only {len(data) - pos - header_size} bytes follow the header"
            )
        _check_crc(data, pos, end, path.name)
        for number, values in _messages(data, pos + header_size, end, path.name):
            collected.add(number, values)
        pos = end + _CRC_SIZE
        if pos < len(data) and data[pos + 8 : pos + 12] != _SIGNATURE:
            notes.append(f"{len(data) - pos} bytes after the end of the FIT data were ignored")
            break
    return collected.to_file(notes)


# --- file header and CRC -----------------------------------------------------------------------------


def _check_header(data: bytes, pos: int, name: str) -> tuple[int, int]:
    """The header's size and its announced size of the messages, after checking it is consistent."""
    if len(data) - pos < _MIN_HEADER_SIZE:
        raise InputError(f"{name} is cut short: it ends inside a FIT file header")
    header_size = data[pos]
    if data[pos + 8 : pos + 12] != _SIGNATURE:
        raise InputError(f"{name} is not a FIT file: its header has no '.FIT' signature")
    if header_size < _MIN_HEADER_SIZE or pos + header_size > len(data):
        raise InputError(f"{name} has an inconsistent FIT header (header size {header_size} bytes)")
    (data_size,) = struct.unpack_from("<I", data, pos + 4)
    if header_size >= 14:
        (stored,) = struct.unpack_from("<H", data, pos + 12)
        if stored != 0 and stored != _crc16(data[pos : pos + 12]):  # 0 means "not computed"
            raise InputError(f"{name} has a damaged FIT header: its CRC does not match its contents")
    return header_size, data_size


def _check_crc(data: bytes, start: int, end: int, name: str) -> None:
    (stored,) = struct.unpack_from("<H", data, end)
    computed = _crc16(data[start:end])
    if stored != computed:
        raise InputError(
            f"{name} is damaged: its CRC check fails (stored 0x{stored:04X}, computed 0x{computed:04X})"
        )


def _crc16(chunk: bytes) -> int:
    crc = 0
    table = _CRC_TABLE
    for byte in chunk:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


# --- messages ----------------------------------------------------------------------------------------


class _Field(NamedTuple):
    name: str
    offset: int
    reader: struct.Struct | None  # None: a string of `size` bytes
    size: int
    invalid: int | None
    scale: float


class _Definition(NamedTuple):
    number: int  # global message number
    size: int  # bytes of a data message, developer fields included
    fields: tuple[_Field, ...]  # the fields backstride reads (and the timestamp)
    wanted: bool  # whether its messages are handed on (others only move the time on)


def _messages(data: bytes, pos: int, end: int, name: str) -> Iterator[tuple[int, dict[str, float | str]]]:
    """The data messages of interest as (global number, {field name: value}); invalid values left out.

    Every message's timestamp moves the file's time on: compressed-timestamp headers and
    ``timestamp_16`` fields are resolved against it, and are handed on as ``timestamp``.
    """
    definitions: dict[int, _Definition] = {}
    last_time: int | None = None
    while pos < end:
        header = data[pos]
        if header & 0x80:  # compressed timestamp header: local type in bits 5-6, time offset in bits 0-4
            local, offset = (header >> 5) & 0x03, header & 0x1F
            if last_time is None:
                raise InputError(
                    f"{name} is malformed: a compressed timestamp at byte {pos} has no time before it"
                )
            last_time += (offset - last_time) & 0x1F
        elif header & 0x40:  # definition message; bit 5: developer fields follow
            local = header & 0x0F
            definitions[local], pos = _read_definition(data, pos + 1, end, bool(header & 0x20), name)
            continue
        else:
            local = header & 0x0F
        definition = definitions.get(local)
        if definition is None:
            raise InputError(
                f"{name} is malformed: a message at byte {pos} uses an undefined local type {local}"
            )
        if pos + 1 + definition.size > end:
            raise InputError(f"{name} is malformed: the message at byte {pos} runs past the end of the data")
        values = _values(data, pos + 1, definition.fields)
        pos += 1 + definition.size
        last_time = _resolve_time(values, last_time, compressed=bool(header & 0x80))
        if definition.wanted:
            yield definition.number, values


def _resolve_time(values: dict[str, float | str], last_time: int | None, *, compressed: bool) -> int | None:
    """Sets ``values['timestamp']`` from the message's own, compressed or 16-bit time; the new last time."""
    stamp = values.get("timestamp")
    if isinstance(stamp, int | float):
        return int(stamp)
    if last_time is None:
        return None
    short = values.pop("timestamp_16", None)
    if isinstance(short, int | float):
        last_time += (int(short) - last_time) & 0xFFFF
        values["timestamp"] = last_time
    elif compressed:
        values["timestamp"] = last_time
    return last_time


def _read_definition(data: bytes, pos: int, end: int, developer: bool, name: str) -> tuple[_Definition, int]:
    overrun = InputError(f"{name} is malformed: the definition message at byte {pos - 1} runs past the end")
    if pos + 5 > end:
        raise overrun
    architecture = data[pos + 1]
    if architecture not in (0, 1):
        raise InputError(f"{name} is malformed: a definition at byte {pos - 1} has an unknown byte order")
    order = ">" if architecture == 1 else "<"
    (number,) = struct.unpack_from(order + "H", data, pos + 2)
    n_fields = data[pos + 4]
    raw = data[pos + 5 : pos + 5 + 3 * n_fields]  # (field number, size, base type) per field
    layout = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=False))
    pos += 5 + 3 * n_fields
    dev_size = 0
    if developer:  # developer fields (number, size, developer data index): only their sizes matter
        if pos >= end:
            raise overrun
        n_dev = data[pos]
        dev_size = sum(data[pos + 1 : pos + 1 + 3 * n_dev][1::3])
        pos += 1 + 3 * n_dev
    if pos > end or len(layout) < n_fields:
        raise overrun
    wanted = _PROFILE.get(number, {})
    fields = tuple(_fields(layout, wanted, order))
    size = sum(size for _, size, _ in layout) + dev_size
    return _Definition(number, size, fields, wanted=bool(wanted)), pos


def _fields(
    layout: list[tuple[int, int, int]], wanted: dict[int, tuple[str, float]], order: str
) -> Iterator[_Field]:
    """Readers for the wanted fields (and the timestamp) of a message layout."""
    offset = 0
    for number, size, base_type in layout:
        spec = _BASE_TYPES.get(base_type & 0x1F)
        target = ("timestamp", 1.0) if number == _TIMESTAMP_FIELD else wanted.get(number)
        if target is not None and spec is not None and size >= spec[1] and size % spec[1] == 0:
            code, _, invalid = spec
            reader = None if code == "s" else struct.Struct(order + code)  # arrays: the first element
            yield _Field(target[0], offset, reader, size, invalid, target[1])
        offset += size


def _values(data: bytes, pos: int, fields: tuple[_Field, ...]) -> dict[str, float | str]:
    values: dict[str, float | str] = {}
    for f in fields:
        if f.reader is None:
            text = data[pos + f.offset : pos + f.offset + f.size].split(b"\0", 1)[0]
            if text:
                values[f.name] = text.decode("utf-8", errors="replace")
            continue
        raw = f.reader.unpack_from(data, pos + f.offset)[0]
        if raw == f.invalid or (isinstance(raw, float) and not math.isfinite(raw)):
            continue
        values[f.name] = raw if f.scale == 1 else raw / f.scale
    return values


# --- from messages to sessions, samples and counts ---------------------------------------------------


class _Collected:
    """The wanted messages of a file, kept until the file's UTC offset is known (it may come last)."""

    def __init__(self) -> None:
        self.file_id: dict[str, float | str] = {}
        self.sessions: list[dict[str, float | str]] = []
        self.records: list[dict[str, float | str]] = []
        self.monitoring: list[dict[str, float | str]] = []
        self.utc_offset: timedelta | None = None

    def add(self, number: int, values: dict[str, float | str]) -> None:
        if number == FILE_ID and not self.file_id:
            self.file_id = values
        elif number == SESSION:
            self.sessions.append(values)
        elif number == RECORD:
            self.records.append(values)
        elif number == MONITORING:
            self.monitoring.append(values)
        elif number in (ACTIVITY, MONITORING_INFO) and self.utc_offset is None:
            self.utc_offset = _utc_offset(values)

    def to_file(self, notes: list[str]) -> FitFile:
        zone: tzinfo = UTC if self.utc_offset is None else timezone(self.utc_offset)
        if self.utc_offset is None:
            notes.append("the file does not give its local time: times and days are in UTC")
        device = _device(self.file_id)
        samples = tuple(_sample(r, zone) for r in self.records if "timestamp" in r)
        timed = [s for s in self.sessions if "start_time" in s or "timestamp" in s]
        sessions = [_session(s, zone, device, samples) for s in timed]
        others = sorted({s.sport for s in sessions if s.sport not in _FOOT_SPORTS})
        if others:
            notes.append(f"sessions of other sports left out: {', '.join(others)}")
        return FitFile(
            file_type=_file_type(self.file_id),
            device=device,
            utc_offset=self.utc_offset,
            sessions=tuple(s for s in sessions if s.sport in _FOOT_SPORTS),
            samples=samples,
            monitoring=tuple(_monitoring(m, zone) for m in self.monitoring if "timestamp" in m),
            notes=tuple(notes),
        )


def _utc_offset(values: dict[str, float | str]) -> timedelta | None:
    """The file's UTC offset (local minus UTC time), to the nearest quarter hour."""
    local, utc = values.get("local_timestamp"), values.get("timestamp")
    if not isinstance(local, int | float) or not isinstance(utc, int | float):
        return None
    quarters = round((local - utc) / 900)
    return timedelta(minutes=15 * quarters) if abs(quarters) <= 14 * 4 else None


def _at(seconds: float, zone: tzinfo) -> datetime:
    return (FIT_EPOCH + timedelta(seconds=seconds)).astimezone(zone)


def _number(values: dict[str, float | str], *names: str) -> float | None:
    """The first of the named fields the message has, as a number."""
    for name in names:
        value = values.get(name)
        if isinstance(value, int | float):
            return float(value)
    return None


def _file_type(file_id: dict[str, float | str]) -> str:
    number = _number(file_id, "type")
    return "unknown" if number is None else _FILE_TYPES.get(int(number), f"type {number:.0f}")


def _device(file_id: dict[str, float | str]) -> str:
    maker = _number(file_id, "manufacturer")
    maker_name = (
        "unknown maker" if maker is None else _MANUFACTURERS.get(int(maker), f"manufacturer {maker:.0f}")
    )
    name = file_id.get("product_name")
    product = _number(file_id, "product")
    serial = _number(file_id, "serial_number")
    parts = [str(name) if name else None, None if product is None else f"product {product:.0f}"]
    parts.append(None if serial is None else f"serial {serial:.0f}")
    details = ", ".join(p for p in parts if p)
    return f"{maker_name} ({details})" if details else maker_name


def _strides_to_steps(strides: float | None, fraction: float | None = None) -> float | None:
    return None if strides is None else _STEPS_PER_STRIDE * (strides + (fraction or 0.0))


def _session(
    values: dict[str, float | str], zone: tzinfo, device: str, samples: tuple[FitSample, ...]
) -> WalkSession:
    sport_number = _number(values, "sport")
    sport = "unknown" if sport_number is None else _SPORTS.get(int(sport_number), f"sport {sport_number:.0f}")
    on_foot = sport in _FOOT_SPORTS
    start = _at(float(values["start_time"] if "start_time" in values else values["timestamp"]), zone)
    duration = _number(values, "total_elapsed_time") or 0.0
    distance = _number(values, "total_distance")
    steps = _strides_to_steps(_number(values, "total_cycles")) if on_foot else None
    cadence = _strides_to_steps(_number(values, "avg_cadence"), _number(values, "avg_fractional_cadence"))
    return WalkSession(
        start=start,
        duration_s=duration,
        distance_m=distance,
        steps=None if steps is None else round(steps),
        cadence_spm=cadence if on_foot else None,
        speed_mps=_speed(values, distance),
        step_length_m=_step_length(samples, start, start + timedelta(seconds=duration), distance, steps),
        sport=sport,
        device=device,
    )


def _speed(values: dict[str, float | str], distance: float | None) -> float | None:
    """The device's mean speed, else the distance over the time the timer ran."""
    speed = _number(values, "enhanced_avg_speed", "avg_speed")
    timer = _number(values, "total_timer_time")
    if speed is None and distance is not None and timer:
        speed = distance / timer
    return speed


def _step_length(
    samples: tuple[FitSample, ...],
    start: datetime,
    end: datetime,
    distance: float | None,
    steps: float | None,
) -> float | None:
    """The mean of the step lengths the device measured during the session, else distance over steps."""
    until = end + _TIME_RESOLUTION  # samples carry whole seconds; the elapsed time does not
    lengths = [s.step_length_m for s in samples if s.step_length_m and start <= s.time < until]
    if lengths:
        return sum(lengths) / len(lengths)
    return distance / steps if distance is not None and steps else None


def _sample(values: dict[str, float | str], zone: tzinfo) -> FitSample:
    step_length_mm = _number(values, "step_length")
    return FitSample(
        time=_at(float(values["timestamp"]), zone),
        cadence_spm=_strides_to_steps(_number(values, "cadence"), _number(values, "fractional_cadence")),
        speed_mps=_number(values, "enhanced_speed", "speed"),
        distance_m=_number(values, "distance"),
        step_length_m=None if step_length_mm is None else step_length_mm / 1000.0,
    )


def _monitoring(values: dict[str, float | str], zone: tzinfo) -> FitMonitoring:
    kind = _number(values, "activity_type")
    if kind is None:
        packed = _number(values, "current_activity_type_intensity")
        kind = None if packed is None else float(int(packed) & 0x1F)
    activity = None if kind is None else _ACTIVITY_TYPES.get(int(kind), f"type {kind:.0f}")
    counts_steps = activity in _STEP_ACTIVITY_TYPES
    cycles = _number(values, "cycles")
    return FitMonitoring(
        time=_at(float(values["timestamp"]), zone),
        activity_type=activity,
        steps=round(cycles) if counts_steps and cycles is not None else None,
        distance_m=_number(values, "distance") if counts_steps else None,
    )


# --- records for the day summaries -------------------------------------------------------------------


def _session_records(sessions: tuple[WalkSession, ...]) -> list[ActivityRecord]:
    """An activity file's steps and distance: each session's totals as one record each."""
    records = []
    for s in sessions:
        end = s.start + timedelta(seconds=s.duration_s)
        if s.steps is not None:
            records.append(ActivityRecord("steps", s.start, end, float(s.steps), s.device))
        if s.distance_m is not None:
            records.append(ActivityRecord("distance", s.start, end, s.distance_m, s.device))
    return records


def _monitoring_records(fit: FitFile) -> list[ActivityRecord]:
    """A monitoring file's day counts as records of the steps (and distance) added since the previous count.

    A count covers the day up to its time, so one written at local midnight closes the day before. The
    first count of a day (or one lower than the previous: the device restarted) counts from midnight.
    """
    records: list[ActivityRecord] = []
    previous: dict[str, FitMonitoring] = {}
    for m in fit.monitoring:
        if m.steps is None or m.activity_type is None:
            continue
        day = _count_day(m.time)
        before = previous.get(m.activity_type)
        if before is not None and _count_day(before.time) == day and m.steps >= (before.steps or 0):
            start, steps = before.time, m.steps - (before.steps or 0)
            distance = _minus(m.distance_m, before.distance_m)
        else:
            start, steps, distance = datetime.combine(day, time(), m.time.tzinfo), m.steps, m.distance_m
        if steps:
            records.append(ActivityRecord("steps", start, m.time, float(steps), fit.device))
        if distance:
            records.append(ActivityRecord("distance", start, m.time, distance, fit.device))
        previous[m.activity_type] = m
    return records


def _count_day(moment: datetime) -> date:
    """The day a count accumulated over: a count at 00:00:00 closes the previous day."""
    return (moment - timedelta(seconds=1)).date()


def _minus(value: float | None, before: float | None) -> float | None:
    return None if value is None else value - (before or 0.0)
