"""Axivity AX3 / AX6 ``.cwa`` files (Open Movement's "continuous wave accelerometry" format), block by block.

Layout, as published by Open Movement (Newcastle University) in the openmovement repository
(github.com/digitalinteraction/openmovement, BSD licence): ``Docs/ax3/ax3-technical.md`` ("AX Device -
Technical Documentation", sections "CWA File Header", "CWA File Data Blocks" and the paragraph on time
stamps) and the C description of the same structures, ``Docs/ax3/cwa.h``. All values are little-endian and
tightly packed.

* A 1024-byte header block ``MD``: hardware type (0x00/0xFF/0x17 = AX3, 0x64 = AX6) @4, device id @5 (its
  upper 16 bits @11 unless 0xFFFF), session id @7, sensor configuration @35 (AX6: low nibble n gives the
  gyroscope range 8000/2^n deg/s), sampling-rate code @36 (rate 3200 / 2^(15 - (code & 15)) Hz, range
  ±16 >> (code >> 6) g), firmware revision @41, and URL-encoded ``name=value&...`` metadata text @64 (448
  bytes, ``_p=right+wrist``) and @512 (512 bytes), trailing spaces, 0x00 and 0xFF ignored.
* Then 512-byte data blocks ``AX``: ``deviceFractional`` @4, session id @6, sequence id @10, packed RTC time
  stamp @14 (``YYYYYYMM MMDDDDDh hhhhmmmm mmssssss``, year from 2000), light/scale @18 (``AAAGGGLLLLLLLLLL``:
  unpacked acceleration unit 1/2^(8+A) g, gyroscope range 8000/2^G deg/s), temperature @20, rate code @24,
  ``numAxesBPS`` @25 (number of axes in the high nibble: 3 = Axyz, 6 = Gxyz Axyz, 9 = Gxyz Axyz Mxyz;
  packing in the low nibble: 0 = one 32-bit word per sample holding three 10-bit signed values and a 2-bit
  exponent, ``eezzzzzz zzzzyyyy yyyyyyxx xxxxxxxx``, value << e in 1/256 g; 2 = int16 per axis),
  ``timestampOffset`` @26 (int16), ``sampleCount`` @28, 480 bytes of samples @30 and a checksum @510: the
  16-bit word-wise sum of the whole block is zero.
* Time stamps: the block's RTC time is valid at sample ``timestampOffset`` of the block. When the top bit of
  ``deviceFractional`` is set, its low 15 bits are a fraction of a second (f / 32768) to add to the time
  stamp, and the firmware had moved ``timestampOffset`` by the samples that fraction accounts for at the
  configured rate; as the documentation says, newer readers undo that shift:
  ``offset += (2f · int(rate)) >> 16`` (the formula of Open Movement's own readers). Otherwise the time
  stamp is a whole second, valid at ``timestampOffset``.

Decisions:

* Sample times are interpolated linearly between consecutive blocks' reference points (time stamp at its
  sample), as Open Movement's readers do, so the device's real rate is kept (the sample files run 1-2 %
  slow of the configured rate). Samples after the last reference point of a run of blocks use the rate of
  the run's last interval, those before its first point the rate of its first interval (a lone block: the
  configured rate). scikit-digital-health instead spaces each block at the
  configured rate from the end of the previous one and ignores the fraction; its times differ from these
  by up to about 12 ms (a saw-tooth within each block).
* A run of blocks breaks where the sequence id does not go up by one or the interval between two
  reference points implies a rate more than 10 % away from the configured one (lost blocks, a pause): the
  blocks on either side are timed from their own time stamps and the jump stays a gap, with a note.
  Samples stamped at or before a sample already read (a clock set back) are dropped, with a note.
* Blocks that are not ``AX`` data blocks, fail their checksum, were recorded with another sensor
  configuration than the first data block, or carry an impossible date or sample count are skipped, with
  a note giving how many and where. A file ending inside a block keeps every whole block, with a note.
* Acceleration in g (packed: 1/256 g after the exponent; int16: the block's own unit); gyroscope (AX6)
  in deg/s from the block's range bits (the header's sensor configuration when they are 0). Magnetometer
  axes are not read.
* The device clock is local wall-clock time without a UTC offset (the header's time-zone field is
  documented as unused): ``epoch_s`` stays ``None`` and ``metadata["start_time"]`` holds the naive ISO time
  of the first sample.
* The file is read in chunks of about ``block_samples`` samples, all blocks of a chunk decoded at once with
  numpy. The last few blocks of a chunk wait for the next chunk, whose reference points they need, so a
  chunked read gives exactly the times of a whole read.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from backstride._errors import InputError
from backstride._words import plural, were
from backstride.io._raw import RawSignals
from backstride.recording import FloatArray

HEADER_BYTES = 1024
BLOCK_BYTES = 512
RATE_TOLERANCE = 0.10
_AX = 0x5841  # "AX" read as a little-endian 16-bit word
_AX6_HARDWARE = 0x64

_FIELDS: list[tuple[str, str]] = [
    ("header", "<u2"),
    ("length", "<u2"),
    ("fractional", "<u2"),
    ("session", "<u4"),
    ("sequence", "<u4"),
    ("stamp", "<u4"),
    ("light", "<u2"),
    ("temperature", "<u2"),
    ("events", "u1"),
    ("battery", "u1"),
    ("rate", "u1"),
    ("axes_bps", "u1"),
    ("offset", "<i2"),
    ("count", "<u2"),
]


def _block_dtype(packed: bool) -> np.dtype[np.void]:
    data = ("data", "<u4", (120,)) if packed else ("data", "<i2", (240,))
    return np.dtype([*_FIELDS, data, ("checksum", "<u2")])


# why a block is skipped, in the order they are tested (0 = kept)
_REASONS = (
    '{n} block{s} without the "AX" data-block mark {were} skipped',
    "{n} block{s} failed {their} checksum and {were} skipped",
    "{n} block{s} recorded with another sensor configuration {were} skipped",
    "{n} block{s} with an impossible date or sample count {were} skipped",
)

_SHORTHAND = {
    "_c": "study centre",
    "_s": "study code",
    "_i": "investigator",
    "_x": "exercise code",
    "_v": "volunteer number",
    "_p": "body location",
    "_so": "setup operator",
    "_n": "notes",
    "_b": "start time",
    "_e": "end time",
    "_ro": "recovery operator",
    "_r": "retrieval time",
    "_co": "comments",
    "_sc": "subject code",
    "_se": "sex",
    "_h": "height",
    "_w": "weight",
    "_ha": "handedness",
    "_sn": "subject notes",
}


@dataclass(frozen=True)
class _Header:
    hardware: str
    device_id: int
    session_id: int
    sensor_config: int
    rate_code: int
    firmware: int
    annotation: dict[str, str]


@dataclass(frozen=True)
class _Format:
    """The sensor configuration of the first data block, which every kept block must share."""

    rate_code: int
    axes_bps: int
    axes: int
    packed: bool
    capacity: int

    @property
    def rate_hz(self) -> float:
        return 3200.0 / (1 << (15 - (self.rate_code & 0x0F)))


def looks_like_axivity(path: Path) -> bool:
    """A ``MD`` header block of 1024 bytes followed by an ``AX`` data block (or by nothing yet); or the start
    of such a header, cut short (the reader then says so)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEADER_BYTES + 4 * BLOCK_BYTES)
    except OSError:
        return False
    if len(head) < 4 or head[:2] != b"MD" or int.from_bytes(head[2:4], "little") != 1020:
        return False
    starts = [head[i : i + 2] for i in range(HEADER_BYTES, len(head) - 1, BLOCK_BYTES)]
    return not starts or b"AX" in starts


def _annotation(raw: bytes) -> dict[str, str]:
    """The header's URL-encoded ``name=value&...`` metadata, shorthand names spelled out."""
    text = raw.rstrip(b" \x00\xff").decode("latin-1").strip("?& ")
    found: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(text, keep_blank_values=False):
        name, value = name.strip(), " ".join(value.split())
        if name and value and value.isprintable():
            found[_SHORTHAND.get(name, name)] = value
    return found


def _read_header(handle: BinaryIO, name: str) -> _Header:
    head = handle.read(HEADER_BYTES)
    if head[:2] != b"MD":
        raise InputError(f"{name} is not an Axivity file: its first block is not a metadata block")
    if len(head) < HEADER_BYTES:
        raise InputError(f"{name} is cut short: it ends inside its {HEADER_BYTES}-byte header")
    hardware = head[4]
    upper = int.from_bytes(head[11:13], "little")
    device_id = int.from_bytes(head[5:7], "little") | (0 if upper == 0xFFFF else upper << 16)
    return _Header(
        hardware="AX6"
        if hardware == _AX6_HARDWARE
        else "AX3"
        if hardware in (0x00, 0x17, 0xFF)
        else f"AX (hardware type 0x{hardware:02x})",
        device_id=device_id,
        session_id=int.from_bytes(head[7:11], "little"),
        sensor_config=head[35],
        rate_code=head[36],
        firmware=head[41],
        annotation={**_annotation(head[64:512]), **_annotation(head[512:1024])},
    )


def _checksums_ok(raw: bytes) -> npt.NDArray[np.bool_]:
    words = np.frombuffer(raw, dtype="<u2").reshape(-1, BLOCK_BYTES // 2)
    total: npt.NDArray[np.uint64] = words.sum(axis=1, dtype=np.uint64)
    return np.asarray((total & 0xFFFF) == 0)


def _find_format(handle: BinaryIO, name: str) -> _Format:
    """The configuration of the first data block with a good checksum (the file is left where it was)."""
    start = handle.tell()
    while raw := handle.read(256 * BLOCK_BYTES):
        raw = raw[: len(raw) - len(raw) % BLOCK_BYTES]
        if not raw:
            break
        blocks = np.frombuffer(raw, dtype=_block_dtype(packed=True))
        good = (blocks["header"] == _AX) & (blocks["length"] == 508) & _checksums_ok(raw)
        if good.any():
            first = blocks[int(np.argmax(good))]
            handle.seek(start)
            return _format_of(int(first["rate"]), int(first["axes_bps"]), name)
    raise InputError(f"{name} holds no data blocks with a good checksum")


def _format_of(rate_code: int, axes_bps: int, name: str) -> _Format:
    axes, packing = axes_bps >> 4, axes_bps & 0x0F
    if rate_code == 0:
        raise InputError(f"{name} uses the prototype block layout of 2011 (rate code 0), which is not read")
    if packing == 0 and axes == 3:
        return _Format(rate_code, axes_bps, 3, True, 120)
    if packing == 2 and axes in (3, 6, 9):
        return _Format(rate_code, axes_bps, axes, False, 240 // axes)
    raise InputError(f"{name} uses an unknown sample packing (numAxesBPS 0x{axes_bps:02x})")


def _days_before_month() -> npt.NDArray[np.int64]:
    """Days from 2000-01-01 to the first of each month 2000-01 ... 2064-01, at (year - 2000) · 12 + month - 1."""
    months = np.arange(64 * 12 + 1).astype("datetime64[M]") + np.timedelta64(30 * 12, "M")
    days: npt.NDArray[np.int64] = (months.astype("datetime64[D]") - np.datetime64("2000-01-01")).astype(
        np.int64
    )
    return days


_DAYS_BEFORE = _days_before_month()


def _stamp_seconds(stamp: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Seconds since 2000-01-01 of packed RTC time stamps, and which of them are real dates."""
    s = stamp.astype(np.int64)
    year, month, day = (s >> 26) & 0x3F, (s >> 22) & 0x0F, (s >> 17) & 0x1F
    hour, minute, second = (s >> 12) & 0x1F, (s >> 6) & 0x3F, s & 0x3F
    index = year * 12 + np.clip(month, 1, 12) - 1
    month_days = _DAYS_BEFORE[index + 1] - _DAYS_BEFORE[index]
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days) & (hour < 24) & (minute < 60)
    ok &= second < 60
    seconds = ((_DAYS_BEFORE[index] + day - 1) * 24 + hour) * 3600 + minute * 60 + second
    return seconds, np.asarray(ok)


def _plural(template: str, n: int) -> str:
    one = n == 1
    return template.format(
        n=n, s="" if one else "s", were="was" if one else "were", their="its" if one else "their"
    )


def _gyro_range_dps(sensor_config: int) -> float:
    """The header's gyroscope range (low nibble n: 8000/2^n deg/s); 2000 deg/s when it is not set."""
    n = sensor_config & 0x0F
    return 8000.0 / 2**n if sensor_config != 0xFF and 1 <= n <= 7 else 2000.0


def _metadata(header: _Header, fmt: _Format, name: str, gyro_dps: float) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "format": "axivity",
        "source": name,
        "device": f"Axivity {header.hardware}, device {header.device_id}",
        "serial": str(header.device_id),
        "session_id": header.session_id,
        "firmware": header.firmware,
        "sampling_rate_hz": fmt.rate_hz,
        "acc_range_g": 16 >> (fmt.rate_code >> 6),
        "axes": fmt.axes,
        "packing": "packed 10-bit" if fmt.packed else "int16",
    }
    if fmt.axes >= 6:
        metadata["gyro_range_dps"] = gyro_dps
    if header.annotation:
        text = "; ".join(f"{key}: {value}" for key, value in header.annotation.items())
        metadata["annotation"] = text if len(text) <= 300 else text[:297] + "..."
    if "body location" in header.annotation:
        metadata["body_location"] = header.annotation["body location"]
    return metadata


@dataclass
class _Samples:
    """Acceleration in g and gyroscope in deg/s (or ``None``) of the used sample slots, ``(n, 3)``."""

    acc: FloatArray
    gyr: FloatArray | None


def _unpack(
    blocks: npt.NDArray[np.void], used: npt.NDArray[np.bool_], fmt: _Format, gyro_dps: float
) -> _Samples:
    """The values of the used sample slots (``used`` has shape ``(blocks, capacity)``), in file order."""
    if fmt.packed:
        words: npt.NDArray[np.uint32] = blocks["data"][used]
        exponent = (words >> 30).astype(np.int32)
        acc = np.empty((words.shape[0], 3), dtype=np.float64)
        for axis in range(3):
            # move the axis' 10 bits to the top of a signed 32-bit word, then shift back with sign extension
            value = (words << np.uint32(22 - 10 * axis)).view(np.int32) >> 22
            acc[:, axis] = value << exponent
        acc /= 256.0
        return _Samples(acc, None)
    values = blocks["data"][:, : fmt.capacity * fmt.axes].reshape(len(blocks), fmt.capacity, fmt.axes)[used]
    per_block = used.sum(axis=1)
    light = blocks["light"].astype(np.int64)
    acc_unit = np.repeat(np.exp2(-(8 + ((light >> 13) & 0x07))), per_block)[:, None]
    if fmt.axes == 3:
        return _Samples(values * acc_unit, None)
    gyro_bits = (light >> 10) & 0x07
    gyro_range = np.where(gyro_bits > 0, 8000.0 / np.exp2(gyro_bits), gyro_dps)
    gyr = values[:, 0:3] * np.repeat(gyro_range / 32768.0, per_block)[:, None]
    return _Samples(values[:, 3:6] * acc_unit, gyr)


# blocks held back at the end of a chunk, and kept before the next one as context: a block's reference
# point lies up to about one block into the next block, so its neighbours decide its samples' times
_HOLD = 3
# added to the sample index per run of blocks, so one sorted search finds reference points run by run
_RUN_STRIDE = 1 << 40


@dataclass(frozen=True)
class _References:
    """Per kept block: index of its first sample, the sample index and time its time stamp is valid at,
    the measured rate to the next block's reference point (NaN where the run breaks) and its run number."""

    first: npt.NDArray[np.int64]
    point: npt.NDArray[np.int64]
    stamp: FloatArray
    rate: FloatArray
    run: npt.NDArray[np.int64]


def _references(kept: npt.NDArray[np.void], base: int, origin_s: int, fmt: _Format) -> _References:
    counts = kept["count"].astype(np.int64)
    first = base + np.concatenate([[0], np.cumsum(counts)[:-1]])
    seconds, _ = _stamp_seconds(kept["stamp"])
    fractional = kept["fractional"].astype(np.int64)
    fraction16 = np.where((fractional & 0x8000) != 0, (fractional & 0x7FFF) << 1, 0)
    point = first + kept["offset"].astype(np.int64) + ((fraction16 * int(fmt.rate_hz)) >> 16)
    stamp = (seconds - origin_s).astype(np.float64) + fraction16 / 65536.0
    elapsed = np.diff(stamp)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.diff(point) / elapsed
    steady = np.diff(kept["sequence"].astype(np.int64)) == 1
    steady &= (elapsed > 0) & (np.abs(rate / fmt.rate_hz - 1.0) <= RATE_TOLERANCE)
    rate = np.append(np.where(steady, rate, np.nan), np.nan)
    run = np.concatenate([[0], np.cumsum(~steady)]).astype(np.int64)
    return _References(first, point, stamp, rate, run)


def _sample_times(
    refs: _References, blocks: slice, counts: npt.NDArray[np.int64], nominal_hz: float
) -> FloatArray:
    """Times of the samples of the given blocks: linear between the reference points of the block's run,
    extended past its ends with the first or last interval's rate (the configured rate for a lone block)."""
    total = int(counts.sum())
    block_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # sample index and reference point index, each plus its run number times _RUN_STRIDE: sorted, and the
    # difference of two keys of one run is the difference of sample indices
    keys = refs.point + refs.run * _RUN_STRIDE
    run = refs.run[blocks]
    sample = np.repeat(refs.first[blocks] + run * _RUN_STRIDE - block_start, counts)
    sample += np.arange(total)
    # for each sample, the last reference point at or before it (a sorted merge), kept inside its run
    j = np.cumsum(np.bincount(np.searchsorted(sample, keys, side="left"), minlength=total + 1)[:total])
    j -= 1
    starts = np.flatnonzero(np.diff(refs.run, prepend=-1))
    ends = np.append(starts[1:], refs.run.shape[0]) - 1
    np.maximum(j, np.repeat(starts[run], counts), out=j)
    np.minimum(j, np.repeat(np.maximum(ends[run] - 1, starts[run]), counts), out=j)
    rate = np.where(np.isnan(refs.rate), nominal_hz, refs.rate)
    times: FloatArray = (sample - keys[j]) / rate[j]
    times += refs.stamp[j]
    return times


@dataclass
class _Reader:
    """Turns consecutive chunks of raw blocks into :class:`RawSignals`. The last ``_HOLD`` kept blocks of a
    chunk wait for the next chunk, and the last ``_HOLD`` emitted blocks stay as context."""

    name: str
    fmt: _Format
    metadata: dict[str, Any]
    gyro_default_dps: float
    window: npt.NDArray[np.void]
    skips: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, len(_REASONS)), np.int64))
    pending: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(len(_REASONS), np.int64))
    done: int = 0
    base: int = 0
    origin_s: int | None = None
    first_time: float | None = None
    last_time: float = float("-inf")
    notes: list[str] = field(default_factory=list)
    yielded: bool = False

    def reasons(self, raw: bytes, blocks: npt.NDArray[np.void]) -> npt.NDArray[np.int8]:
        """0 for a block to keep, else 1 + the index of the reason in ``_REASONS``."""
        _, date_ok = _stamp_seconds(blocks["stamp"])
        count_ok = (blocks["count"] >= 1) & (blocks["count"] <= self.fmt.capacity)
        tests = [
            (blocks["header"] == _AX) & (blocks["length"] == 508),
            _checksums_ok(raw),
            (blocks["axes_bps"] == self.fmt.axes_bps) & (blocks["rate"] == self.fmt.rate_code),
            date_ok & count_ok,
        ]
        reason = np.zeros(len(blocks), dtype=np.int8)
        for code in range(len(tests), 0, -1):
            reason[~tests[code - 1]] = code
        return reason

    def skips_before(self, reason: npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
        """For each kept block, how many blocks were skipped (per reason) since the kept block before it."""
        kept = np.flatnonzero(reason == 0)
        counts = np.stack([np.cumsum(reason == code) for code in range(1, len(_REASONS) + 1)], axis=1)
        at = counts[kept] if kept.size else np.zeros((0, len(_REASONS)), np.int64)
        before = np.diff(np.vstack([np.zeros((1, len(_REASONS)), np.int64), at]), axis=0).astype(np.int64)
        if kept.size:
            before[0] += self.pending
            self.pending = counts[-1] - at[-1]
        elif reason.size:
            self.pending = self.pending + counts[-1]
        return before

    def feed(self, raw: bytes, *, final: bool, tail_bytes: int) -> RawSignals | None:
        """Take the next whole blocks of the file; return the samples that are now fully timed."""
        blocks = np.frombuffer(raw, dtype=self.window.dtype)
        reason = self.reasons(raw, blocks)
        skips = np.vstack([self.skips, self.skips_before(reason)])
        kept = np.concatenate([self.window, blocks[reason == 0]])
        if final and tail_bytes:
            self.notes.append(
                f"the file ends inside a data block: the last {plural(tail_bytes, 'byte')} {were(tail_bytes)} ignored"
            )
        if kept.size == 0:
            return None
        if self.origin_s is None:
            self.origin_s = int(_stamp_seconds(kept["stamp"][:1])[0][0])
        refs = _references(kept, self.base, self.origin_s, self.fmt)
        end = kept.shape[0] if final else max(self.done, kept.shape[0] - _HOLD)
        out = self.emit(kept, refs, skips, end, final) if end > self.done else None
        start = max(0, end - _HOLD)
        self.window, self.skips = kept[start:], skips[start:]
        self.base, self.done = int(refs.first[start]), end - start
        return out

    def emit(
        self,
        kept: npt.NDArray[np.void],
        refs: _References,
        skips: npt.NDArray[np.int64],
        end: int,
        final: bool,
    ) -> RawSignals | None:
        part = slice(self.done, end)
        counts = kept["count"][part].astype(np.int64)
        times = _sample_times(refs, part, counts, self.fmt.rate_hz)
        last = times[np.cumsum(counts) - 1]
        previous = np.maximum.accumulate(np.concatenate([[self.last_time], last]))[:-1]
        keep = times > np.repeat(previous, counts)
        self.last_time = max(self.last_time, float(last.max()))
        if self.first_time is None:
            self.first_time = float(times[0])
        first_sample = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.add_notes(
            refs, skips, part, final, times[first_sample] - self.first_time, last - self.first_time
        )
        dropped = int(keep.shape[0] - np.count_nonzero(keep))
        if dropped:
            self.notes.append(
                f"{plural(dropped, 'sample')} stamped at or before earlier samples (the "
                "clock went back) were dropped"
            )
        if dropped == keep.shape[0]:
            return None
        used = np.arange(self.fmt.capacity)[None, :] < counts[:, None]
        values = _unpack(kept[part], used, self.fmt, self.gyro_default_dps)
        if dropped:
            times, values = (
                times[keep],
                _Samples(values.acc[keep], None if values.gyr is None else values.gyr[keep]),
            )
        return self.signals(times - self.first_time, values)

    def add_notes(
        self,
        refs: _References,
        skips: npt.NDArray[np.int64],
        part: slice,
        final: bool,
        block_first: FloatArray,
        block_last: FloatArray,
    ) -> None:
        """Say which blocks were skipped before the emitted ones, and where the time stamps jump."""
        for code, template in enumerate(_REASONS):
            where = np.flatnonzero(skips[part, code])
            count = int(skips[part, code].sum()) + (int(self.pending[code]) if final else 0)
            if count:
                at = f"first before {block_first[where[0]]:.2f} s" if where.size else "at the end of the file"
                self.notes.append(f"{_plural(template, count)} ({at})")
        breaks = np.flatnonzero(np.isnan(refs.rate[part]))
        breaks = breaks[breaks + part.start < refs.rate.shape[0] - 1]
        if breaks.size:
            self.notes.append(
                f"the block time stamps jump {plural(breaks.size, 'time')} (lost blocks "
                f"or a pause; first after {block_last[breaks[0]]:.2f} s): the times on either side are kept "
                "as stamped"
            )

    def signals(self, time_s: FloatArray, values: _Samples) -> RawSignals:
        raw = RawSignals(
            time_s=time_s,
            acc=values.acc,
            gyr=values.gyr,
            source=self.name,
            acc_names=("x", "y", "z"),
            gyr_names=("x", "y", "z"),
            time_name="time",
            first_line=None,
            acc_unit="g",
            gyr_unit=None if values.gyr is None else "deg/s",
            notes=self.notes,
        )
        self.notes = []
        if not self.yielded and self.origin_s is not None and self.first_time is not None:
            start = datetime(2000, 1, 1) + timedelta(seconds=self.origin_s + self.first_time)
            raw.metadata = {**self.metadata, "start_time": start.isoformat()}
            self.yielded = True
        return raw


def iter_axivity_raw(path: Path, *, block_samples: int = 1_000_000) -> Iterator[RawSignals]:
    """Read an AX3/AX6 ``.cwa`` file as consecutive :class:`RawSignals` of about ``block_samples`` samples."""
    name = path.name
    try:
        with path.open("rb") as handle:
            yield from _iter_open(handle, name, os.fstat(handle.fileno()).st_size, block_samples)
    except OSError as exc:
        raise InputError(f"{name} could not be read: {exc.strerror or exc}") from exc


def _iter_open(handle: BinaryIO, name: str, size: int, block_samples: int) -> Iterator[RawSignals]:
    header = _read_header(handle, name)
    if size < HEADER_BYTES + BLOCK_BYTES:
        raise InputError(f"{name} holds no data blocks (the device recorded nothing)")
    fmt = _find_format(handle, name)
    gyro_dps = _gyro_range_dps(header.sensor_config)
    reader = _Reader(
        name=name,
        fmt=fmt,
        metadata=_metadata(header, fmt, name, gyro_dps),
        gyro_default_dps=gyro_dps,
        window=np.zeros(0, dtype=_block_dtype(fmt.packed)),
    )
    per_read = max(1, block_samples // fmt.capacity) * BLOCK_BYTES
    while True:
        raw = handle.read(per_read)
        final = len(raw) < per_read
        whole = len(raw) - len(raw) % BLOCK_BYTES
        out = reader.feed(raw[:whole], final=final, tail_bytes=len(raw) - whole)
        if out is not None:
            yield out
        if final:
            break
    if not reader.yielded:
        raise InputError(
            f"{name} holds no usable data blocks ({'; '.join(reader.notes) or 'all were empty'})"
        )
