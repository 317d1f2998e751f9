"""ActiGraph ``.gt3x`` files: GT3X+, wGT3X+, wGT3X-BT, ActiSleep, GT9X Link, and the older NHANES layout.

Followed documentation, ActiGraph's own (on GitHub):

* "ActiGraph .gt3x File Format", github.com/actigraph/GT3X-File-Format: ``README.md`` (log records),
  ``info.txt.md``, ``LogRecords/Activity.md``, ``Activity2.md``, ``Parameters.md``, ``Metadata.md``.
* "ActiGraph NHANES .gt3x File Format", github.com/actigraph/NHANES-GT3X-File-Format (last update
  2014-07-17): ``README.md``, ``fileformats/activity.bin.md``, ``fileformats/info.txt.md``; the layout of
  GT3X+ and ActiSleep+ devices (serials NEO and MRA) with firmware 2.5.0 or earlier.

Layout:

* A .gt3x is a ZIP archive. ``info.txt`` holds ``key: value`` lines: ``Serial Number``, ``Device Type``,
  ``Firmware``, ``Sample Rate`` (Hz), ``Start Date`` / ``Last Sample Time`` as .NET ticks (100 ns since
  0001-01-01) of local time, ``TimeZone`` (``-04:00:00``; ``02:00:00`` without a sign is east of UTC) and, on
  newer devices, ``Acceleration Scale`` (counts per g).
* ``log.bin``: records ``[0x1E][type u8][time u32][size u16][payload][checksum u8]``, little-endian; the time
  is Unix seconds of local time; the checksum is the one's complement of the XOR of header and payload.
  ACTIVITY (0x00) is one second of samples packed as 12-bit two's-complement values in Y, X, Z order (most
  significant nibble first; an odd number of samples leaves the last nibble unused); ACTIVITY2 (0x1A) is one
  second of int16 X, Y, Z. An activity record with a 1-byte payload marks a USB connection, not data.
  PARAMETERS (0x15) holds 8-byte key/value pairs: ACCEL_SCALE (a float packed as a 24-bit fraction and an
  8-bit exponent), SAMPLE_RATE, FEATURE_ENABLE (bit 2: idle sleep mode). METADATA (0x06) holds JSON; a
  ``LocalTimeLog`` with ``UsedUtc: true`` means the time stamps are UTC. Every other record type (battery,
  lux, capsense, events, epochs, heart rate, IMU ...) is skipped.
* ``activity.bin`` (older layout): the samples one after another, packed as above, at ``Sample Rate`` from
  ``Start Date``, with no time stamps of their own.

Decisions:

* **Values**: counts divided by the scale, in g: PARAMETERS' ACCEL_SCALE when present (as the documentation
  asks), else info.txt's ``Acceleration Scale``, else 341 for serials NEO, CLE and MRA and 256 for MOS.
  ActiLife rounds to 3 decimals; the full resolution is kept. wGT3X-BT firmware 1.6.0 swapped the axes; they
  are turned back as the documentation says, with a note.
* **Time**: sample ``k`` of a record stamped ``s`` lies at ``s + k / rate``; ``time_s`` counts from the first
  sample. The local time and ``TimeZone`` (without info.txt: METADATA's ``UtcOffset``) give ``epoch_s`` (UTC)
  and ``zone``; without either the start is naive local time in ``metadata["start_time"]``. PARAMETERS'
  UTC_OFFSET is not used: real files hold 0 there whatever their time zone.
* **Gaps**: a second without an activity record is a gap (with idle sleep mode on, the device stops sampling
  while it lies still). Gaps stay jumps in time, never filled; one note on the last block sums them up (and
  says when the data end well before info.txt's Last Sample Time). Records stamped no later than the one
  before are dropped, records with fewer samples than the rate are kept; both with a note.
* **Damage**: a record that fails its checksum is skipped when the next record starts where its header says
  (only the payload was damaged); otherwise its header is damaged and the reader skips to the next place
  where two records in a row check out, noting the bytes skipped. A log.bin cut short keeps every complete
  record. A member that fails the archive's own CRC check (a byte changed on a disk or in a transfer) is read
  on without it: ``zipfile`` would withhold the whole read that reaches the end, and the records' checksums
  find the damaged ones. An archive cut short loses its ZIP directory (stored at the end) and usually
  info.txt (stored last): the members are then found from the local header in front of each and read as
  far as they go, and the rate, scale and time zone come from log.bin's own PARAMETERS and METADATA
  records (the serial is then unknown; ``looks_like_actigraph`` accepts such an archive when a ``log.bin``
  header is found). activity.bin cannot be read without info.txt (it has no rate or start time of its own),
  nor from devices other than the NEO and MRA serials the NHANES documentation names.
* **Speed**: log.bin is read in pieces of about ``5 × block_samples`` bytes; checksums (a running XOR),
  header fields, unpacking and times are numpy operations over a whole piece. Only the hop from one record
  header to the next is a Python step: a list look-up per record.
"""

from __future__ import annotations

import bisect
import json
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import numpy.typing as npt

from backstride._errors import InputError
from backstride._words import plural, were
from backstride.io._container import ZIP_ERRORS, refuse_duplicated_members
from backstride.io._damage import damage_of
from backstride.io._raw import RawSignals
from backstride.io._units import offset_seconds
from backstride.recording import FloatArray

Bytes = npt.NDArray[np.uint8]
Ints = npt.NDArray[np.int64]

SEPARATOR = 0x1E
HEADER_BYTES = 8  # separator, type, time (4), size (2); the checksum byte follows the payload
ACTIVITY, METADATA, PARAMETERS, ACTIVITY2 = 0x00, 0x06, 0x15, 0x1A
ACCEL_SCALE, SAMPLE_RATE, FEATURE_ENABLE = (0, 55), (1, 10), (1, 2)
SLEEP_MODE_BIT = 1 << 2
TICKS_PER_S = 10_000_000
UNIX_EPOCH_TICKS = 621_355_968_000_000_000  # .NET ticks of 1970-01-01 00:00
SCALE_BY_SERIAL = (("NEO", 341.0), ("CLE", 341.0), ("MRA", 341.0), ("MOS", 256.0))
LEGACY_SCALE = 341.0
LEGACY_SERIALS = ("NEO", "MRA")  # the NHANES documentation's check before reading activity.bin
MODELS = {"GT3XPlus": "GT3X+", "wGT3XPlus": "wGT3X+", "wGT3XBT": "wGT3X-BT", "Link": "GT9X Link"}
LATE_END_S = 10.0  # data ending this long before info.txt's Last Sample Time is noted
LOG_BYTES_PER_SAMPLE = 5  # log.bin bytes read per wanted sample (4.8 for ACTIVITY, 6.1 for ACTIVITY2)
LOCAL_STEP = 1 << 16  # bytes read at a time from behind a local header
LOCAL_HEADER = struct.Struct("<4s2xHH8x2I2H")  # signature, flags, method, sizes, name and extra lengths
# a damaged archive's errors, and what a damaged member's bytes can raise while they are read (struct.error: a
# member's local header cut short)
ARCHIVE_ERRORS = (*ZIP_ERRORS, OSError, ValueError, struct.error)
PARAM_DTYPE = np.dtype([("space", "<u2"), ("key", "<u2"), ("value", "<u4")])
LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)], dtype=np.uint64)  # masks of the first k bytes


def looks_like_actigraph(path: Path) -> bool:
    """A ZIP holding ``info.txt`` (with ActiGraph's keys) next to ``log.bin`` or ``activity.bin``; or an
    archive cut short (no ZIP directory) whose local headers show a ``log.bin``."""
    try:
        with path.open("rb") as handle:
            if handle.read(4) != b"PK\x03\x04":
                return False
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            return "log.bin" in _local_members(path)
        with archive:
            names = _by_name(archive.namelist())
            if "info.txt" not in names or not {"log.bin", "activity.bin"} & names.keys():
                return False
        with _Archive(path) as members:  # read past a failed CRC: the reader notes the damage
            head = members.read("info.txt")[:4096]
    except ARCHIVE_ERRORS:
        return False
    return b"Serial Number" in head or b"Sample Rate" in head


def iter_actigraph_raw(path: Path, *, block_samples: int = 1_000_000) -> Iterator[RawSignals]:
    """The file's acceleration (g) as consecutive blocks of about ``block_samples`` samples."""
    with _Archive(path) as archive:
        setup = _setup(path, archive)
        reader: _LogReader | _LegacyReader
        if "log.bin" in archive.names:
            reader = _LogReader(path, archive, setup, block_samples)
        elif "activity.bin" in archive.names:
            reader = _LegacyReader(path, archive, setup, block_samples)
        else:
            raise InputError(
                f"{path.name} is not an ActiGraph file: it holds neither log.bin nor activity.bin"
            )
        pending: RawSignals | None = None
        for block in reader.blocks():
            if pending is not None:
                yield pending
            pending = block
        if pending is None:
            raise InputError(reader.empty_message())
        pending.notes.extend(n for n in [*reader.closing_notes(), *archive.notes] if n not in pending.notes)
        yield pending


# --- the archive -------------------------------------------------------------------------------------------


def _by_name(names: list[str]) -> dict[str, str]:
    """Member names by their lower-case file name, the shallowest first (a .gt3x is flat)."""
    out: dict[str, str] = {}
    for name in sorted(names, key=lambda n: (n.count("/"), n)):
        if not name.endswith("/"):
            out.setdefault(PurePosixPath(name).name.lower(), name)
    return out


@dataclass(frozen=True)
class _Local:
    """A member found from its local header: compression method, where its data start, compressed size."""

    method: int
    offset: int
    size: int | None  # None: not stated in the local header (read to the end of the file)


def _local_members(path: Path) -> dict[str, _Local]:
    """Members of an archive that lost its directory, from the local headers in front of each."""
    found: dict[str, _Local] = {}
    with path.open("rb") as handle:
        offset = 0
        while True:
            handle.seek(offset)
            head = handle.read(LOCAL_HEADER.size)
            if len(head) < LOCAL_HEADER.size:
                break
            signature, flags, method, compressed, _, name_len, extra_len = LOCAL_HEADER.unpack(head)
            if signature != b"PK\x03\x04":
                break
            name = handle.read(name_len).decode("utf-8", errors="replace")
            start = offset + LOCAL_HEADER.size + name_len + extra_len
            unknown = (flags & 0x08 and compressed == 0) or compressed == 0xFFFFFFFF
            found.setdefault(
                PurePosixPath(name).name.lower(), _Local(method, start, None if unknown else compressed)
            )
            if unknown:
                break  # where the next member starts cannot be known
            offset = start + compressed
    return found


class _Archive:
    """The members of a .gt3x, through the ZIP directory or, for an archive cut short, the local headers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []  # found while reading a member (damage), for the last block
        self.cut_short = False
        self._zip: zipfile.ZipFile | None = None
        self._local: dict[str, _Local] = {}
        try:
            with path.open("rb") as handle:
                is_zip = handle.read(4) == b"PK\x03\x04"
            if not is_zip:
                raise InputError(f"{path.name} is not an ActiGraph .gt3x file: it is not a ZIP archive")
            try:
                self._zip = zipfile.ZipFile(path)
                refuse_duplicated_members(path.name, self._zip.namelist())
                self.names = _by_name(self._zip.namelist())
            except zipfile.BadZipFile:
                self._local = _local_members(path)
                self.names = {name: name for name in self._local}
                self.cut_short = True
        except (OSError, zipfile.LargeZipFile) as exc:
            raise InputError(f"{path.name} cannot be read: {exc}") from exc

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *_: object) -> None:
        if self._zip is not None:
            self._zip.close()

    def read(self, name: str) -> bytes:
        return b"".join(self.chunks(name, 1 << 16))

    def chunks(self, name: str, size: int) -> Iterator[bytes]:
        """The member's bytes in pieces of ``size``; a damaged member stops where the damage starts, noted.

        A member that fails the archive's CRC check, or whose compressed data break off, is read on from
        behind its local header without the check: Python's ``zipfile`` raises on the read that reaches the
        end, withholding that whole piece (a small file's every byte), while log.bin's records carry
        checksums of their own that find the damaged ones."""
        done = 0
        try:
            if self._zip is None:
                yield from self._local_chunks(self._local[name], size)
                return
            try:
                with self._zip.open(self.names[name]) as handle:
                    while piece := handle.read(size):
                        done += len(piece)
                        yield piece
            except (zipfile.BadZipFile, zlib.error) as exc:
                checked = (
                    "its records' own checksums find the damaged ones"
                    if name == "log.bin"
                    else "the damage may be in its values"
                )
                self.notes.append(
                    f"{name} fails the archive's check ({damage_of(exc)}); it was read on without it: {checked}"
                )
                yield from _skipped(self._local_chunks(self._member(name), size), done)
        except ARCHIVE_ERRORS as exc:
            self.notes.append(
                f"{name} is damaged inside the archive ({damage_of(exc) or exc}); it was read up to the damage"
            )

    def _member(self, name: str) -> _Local:
        """Where a member's data start, from the ZIP directory and the member's local header."""
        assert self._zip is not None
        info = self._zip.getinfo(self.names[name])
        with self.path.open("rb") as handle:
            handle.seek(info.header_offset)
            *_, name_len, extra_len = LOCAL_HEADER.unpack(handle.read(LOCAL_HEADER.size))
        start = info.header_offset + LOCAL_HEADER.size + name_len + extra_len
        return _Local(info.compress_type, start, info.compress_size)

    def _local_chunks(self, member: _Local, size: int) -> Iterator[bytes]:
        """A member's bytes from behind its local header, up to its stated size or the end of the file; read in
        64 kB steps, so that data that break off lose at most the last step, not a whole piece."""
        if member.method not in (0, 8):
            raise NotImplementedError(f"compression method {member.method}")
        inflate = zlib.decompressobj(-15) if member.method == 8 else None
        left = member.size
        held: list[bytes] = []
        count = 0
        try:
            with self.path.open("rb") as handle:
                handle.seek(member.offset)
                while left is None or left > 0:
                    raw = handle.read(LOCAL_STEP if left is None else min(LOCAL_STEP, left))
                    if not raw:
                        break
                    left = None if left is None else left - len(raw)
                    for out in _inflated(inflate, raw):
                        held.append(out)
                        count += len(out)
                        if count >= size:
                            yield b"".join(held)
                            held, count = [], 0
                    if inflate is not None and inflate.eof:
                        break
        except ARCHIVE_ERRORS:
            if held:
                yield b"".join(held)
            raise
        if held:
            yield b"".join(held)


def _inflated(inflate: Any, raw: bytes) -> Iterator[bytes]:
    """``raw`` itself (a stored member), or what it inflates to, in pieces of at most ``4 * LOCAL_STEP``
    (a few bytes can inflate to a thousand times as many)."""
    if inflate is None:
        yield raw
        return
    out = inflate.decompress(raw, 4 * LOCAL_STEP)
    while out:
        yield out
        out = inflate.decompress(inflate.unconsumed_tail, 4 * LOCAL_STEP)


def _skipped(pieces: Iterator[bytes], count: int) -> Iterator[bytes]:
    """``pieces`` without their first ``count`` bytes."""
    for piece in pieces:
        if count >= len(piece):
            count -= len(piece)
            continue
        yield piece[count:]
        count = 0


# --- what the file says about the recording -----------------------------------------------------------------


@dataclass
class _Setup:
    """What the file says of the recording: info.txt, completed from log.bin's PARAMETERS and METADATA."""

    serial: str = "unknown"
    model: str = ""
    firmware: str = ""
    rate: float | None = None
    info_scale: float | None = None
    param_scale: float | None = None
    offset_s: int | None = None
    used_utc: bool = False
    idle_sleep: bool | None = None
    start_local_s: float | None = None
    last_local_s: float | None = None
    location: str = ""
    notes: list[str] = field(default_factory=list)

    def scale(self, source: str) -> float:
        if self.param_scale is not None:
            return self.param_scale
        if self.info_scale is not None:
            return self.info_scale
        for prefix, scale in SCALE_BY_SERIAL:
            if self.serial.upper().startswith(prefix):
                return scale
        raise InputError(f"{source} does not state its acceleration scale (counts per g)")

    @property
    def zone(self) -> timezone | None:
        return None if self.offset_s is None else timezone(timedelta(seconds=self.offset_s))

    @property
    def axes_swapped(self) -> bool:
        """wGT3X-BT firmware 1.6.0 turned the axes 90° about z (ActiGraph's Activity.md)."""
        return self.serial.upper().startswith("MOS") and self.firmware == "1.6.0"

    def epoch_s(self, local_s: float) -> float | None:
        """Unix time (UTC) of a device clock reading (local time, or UTC when the file says so)."""
        if self.used_utc:
            return local_s
        return None if self.offset_s is None else local_s - self.offset_s

    def metadata(self, source: str, layout: str, first_local_s: float) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "format": "actigraph",
            "source": source,
            "device": f"ActiGraph {self.model}".rstrip() + f", serial {self.serial}",
            "serial": self.serial,
            "layout": layout,
        }
        if self.firmware:
            meta["firmware"] = self.firmware
        if self.rate is not None:
            meta["sampling_rate_hz"] = self.rate
        if self.location:
            meta["body_location"] = self.location
        if self.idle_sleep is not None:
            meta["idle_sleep_mode"] = "on" if self.idle_sleep else "off"
        if self.epoch_s(first_local_s) is None:
            meta["start_time"] = (datetime(1970, 1, 1) + timedelta(seconds=first_local_s)).isoformat()
        return meta


def _number(text: str | None) -> float | None:
    """A positive number as info.txt writes it (some locales write a decimal comma)."""
    try:
        value = float((text or "").replace(",", "."))
    except ValueError:
        return None
    return value if np.isfinite(value) and value > 0 else None


def _local_s_from_ticks(text: str | None) -> float | None:
    """.NET ticks (100 ns since 0001-01-01) as seconds since 1970-01-01 of the same (local) clock."""
    try:
        ticks = int(text or "0")
    except ValueError:
        return None
    return (ticks - UNIX_EPOCH_TICKS) / TICKS_PER_S if ticks > 0 else None


def _setup(path: Path, archive: _Archive) -> _Setup:
    setup = _Setup()
    if archive.cut_short:
        setup.notes.append(
            "the archive is cut short (its ZIP directory is missing); members were read as far as they go"
        )
    if "info.txt" not in archive.names:
        if "activity.bin" in archive.names:
            raise InputError(
                f"{path.name} has no info.txt, which gives the rate and start time of activity.bin"
            )
        if "log.bin" not in archive.names:
            raise InputError(f"{path.name} is not an ActiGraph file: it holds no info.txt")
        setup.notes.append("info.txt is missing: rate, scale and time zone were taken from log.bin itself")
        return setup
    fields: dict[str, str] = {}
    for line in archive.read("info.txt").decode("utf-8-sig", errors="replace").splitlines():
        key, colon, value = line.partition(":")
        if colon:
            fields[key.strip().lower()] = value.strip()
    setup.serial = fields.get("serial number") or setup.serial
    device_type = fields.get("device type", "")
    setup.model = MODELS.get(device_type, device_type)
    setup.firmware = fields.get("firmware", "")
    setup.rate = _number(fields.get("sample rate"))
    setup.info_scale = _number(fields.get("acceleration scale"))
    setup.offset_s = offset_seconds(fields.get("timezone") or "")  # "-04:00:00"
    setup.start_local_s = _local_s_from_ticks(fields.get("start date"))
    setup.last_local_s = _local_s_from_ticks(fields.get("last sample time"))
    setup.location = ", ".join(v.lower() for k in ("limb", "side") if (v := fields.get(k, "")))
    if setup.axes_swapped:
        setup.notes.append(
            "wGT3X-BT firmware 1.6.0 swaps the x and y axes: turned back as ActiGraph documents"
        )
    return setup


def _param_float(value: int) -> float:
    """ActiGraph's packed float: a 24-bit two's-complement fraction (× 2⁻²³) and an 8-bit exponent of 2."""
    exponent = (value >> 24) & 0xFF
    fraction = value & 0xFFFFFF
    exponent -= 256 if exponent & 0x80 else 0
    fraction -= 1 << 24 if fraction & 0x800000 else 0
    return fraction / float(1 << 23) * 2.0**exponent


def _read_parameters(setup: _Setup, payload: Bytes) -> None:
    pairs = payload[: payload.shape[0] // 8 * 8].view(PARAM_DTYPE)
    values = {(int(p["space"]), int(p["key"])): int(p["value"]) for p in pairs}
    if ACCEL_SCALE in values and (scale := _param_float(values[ACCEL_SCALE])) > 0:
        setup.param_scale = scale
    if setup.rate is None and values.get(SAMPLE_RATE, 0) > 0:
        setup.rate = float(values[SAMPLE_RATE])
    if FEATURE_ENABLE in values:
        setup.idle_sleep = bool(values[FEATURE_ENABLE] & SLEEP_MODE_BIT)


def _read_metadata(setup: _Setup, payload: Bytes) -> None:
    try:
        content = json.loads(payload.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return
    if not isinstance(content, dict):
        return
    kind = content.get("MetadataType")
    if kind == "LocalTimeLog" and content.get("UsedUtc") is True:
        setup.used_utc = True
    if kind in ("LocalTimeLog", "SubjectTimeLog") and setup.offset_s is None:
        setup.offset_s = offset_seconds(str(content.get("UtcOffset", "")))


# --- numbers -----------------------------------------------------------------------------------------------


def _unpack12(rows: Bytes, count: int) -> npt.NDArray[np.int16]:
    """``count`` 12-bit two's-complement values from each row of bytes (most significant nibble first)."""
    pairs = (count + 1) // 2
    width = 3 * pairs
    if rows.shape[1] < width:
        rows = np.pad(rows, ((0, 0), (0, width - rows.shape[1])))
    b = rows[:, :width].reshape(rows.shape[0], pairs, 3)
    out = np.empty((rows.shape[0], pairs, 2), dtype=np.int16)
    first, second = out[..., 0], out[..., 1]
    first[...] = b[..., 0]
    first <<= 4
    first |= b[..., 1] >> 4
    second[...] = b[..., 1] & 0x0F
    second <<= 8
    second |= b[..., 2]
    out ^= 0x800  # sign extension of 12 bits
    out -= 0x800
    return out.reshape(rows.shape[0], 2 * pairs)[:, :count]


def _to_g(counts: npt.NDArray[np.int16], scale: float, *, yxz: bool, swapped: bool) -> FloatArray:
    """Counts (n, 3) as g in x, y, z order (``yxz``: the counts are in y, x, z order; ``swapped``: the
    wGT3X-BT firmware 1.6.0 rotation, undone as x ← y, y ← −x)."""
    if yxz != swapped:  # the file's first column is y
        counts = counts[:, [1, 0, 2]]
    acc: FloatArray = np.divide(counts, scale, dtype=np.float64)
    if swapped:
        acc[:, 1] *= -1.0
    return acc


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _block(source: str, t: FloatArray, acc: FloatArray, notes: list[str]) -> RawSignals:
    return RawSignals(
        time_s=t,
        acc=acc,
        gyr=None,
        source=source,
        acc_names=("x", "y", "z"),
        time_name="time",
        first_line=None,
        acc_unit="g",
        notes=notes,
    )


# --- log.bin -----------------------------------------------------------------------------------------------


@dataclass
class _Walk:
    """The records found in a piece of log.bin and what was wrong on the way."""

    starts: Ints
    consumed: int  # bytes used; the rest starts an unfinished record
    bad_checksums: list[int]  # index into ``starts`` of the record after each skipped record
    skipped: list[tuple[int, int]]  # (index into ``starts``, bytes) of each damaged stretch skipped


def _walk(buf: Bytes, *, final: bool) -> _Walk:
    """Record starts in ``buf``, hopping from header to header; see the module docstring for damage.

    Unless ``final``, a record that runs past the end of ``buf`` ends the walk (it continues in the next piece).
    """
    n = buf.shape[0]
    cand = np.flatnonzero(buf == SEPARATOR)
    if cand.shape[0] == 0:
        return _Walk(np.zeros(0, dtype=np.int64), n, [], [(0, n)] if n else [])
    has_header = cand + HEADER_BYTES <= n
    size = np.zeros(cand.shape, dtype=np.int64)
    size[has_header] = _u16(buf, cand[has_header] + 6)
    end = cand + HEADER_BYTES + 1 + size
    complete = has_header & (end <= n)
    xor_before = _xor_before(buf, np.stack((np.where(complete, end, cand), cand)))
    ok = complete & ((xor_before[0] ^ xor_before[1]) == 0xFF)
    nxt = np.searchsorted(cand, end)
    nxt_at = np.minimum(nxt, cand.shape[0] - 1)
    linked = complete & (nxt < cand.shape[0]) & (cand[nxt_at] == end)
    unfinished = np.zeros_like(complete) if final else ~complete
    follows = linked & (ok[nxt_at] | unfinished[nxt_at])  # a sound (or unfinished) record comes next
    entry = np.flatnonzero((ok & ((end == n) | follows)) | unfinished)  # where a walk may resume
    entry_at = cand[entry].tolist()
    pos, fin, nexts = cand.tolist(), end.tolist(), nxt.tolist()
    whole, good, link, sound = complete.tolist(), ok.tolist(), linked.tolist(), follows.tolist()
    starts: list[int] = []
    bad: list[int] = []
    skipped: list[tuple[int, int]] = []
    consumed = n
    damage_from = 0
    i = 0 if buf[0] == SEPARATOR else -1
    while True:
        if i >= 0:
            if good[i]:
                starts.append(pos[i])
                if link[i]:
                    i = nexts[i]
                    continue
                if fin[i] == n:
                    break
                damage_from = fin[i]
            elif sound[i]:
                bad.append(len(starts))
                i = nexts[i]
                continue
            elif not whole[i] and not final:
                consumed = pos[i]
                break
            else:
                damage_from = pos[i]
        k = bisect.bisect_left(entry_at, damage_from)
        if k == len(entry_at):
            if i >= 0 and not whole[i] and damage_from == pos[i]:
                consumed = pos[i]  # the file ends inside this record
            else:
                skipped.append((len(starts), n - damage_from))
            break
        skipped.append((len(starts), entry_at[k] - damage_from))
        i = int(entry[k])
    return _Walk(np.asarray(starts, dtype=np.int64), consumed, bad, skipped)


def _xor_before(buf: Bytes, at: Ints) -> Bytes:
    """XOR of ``buf[:p]`` for each ``p`` in ``at``: a running XOR over 8-byte words, folded to one byte."""
    words: npt.NDArray[np.uint64] = np.zeros(buf.shape[0] // 8 + 1, dtype="<u8")
    words.view(np.uint8)[: buf.shape[0]] = buf
    before = np.zeros_like(words)
    np.bitwise_xor.accumulate(words[:-1], out=before[1:])
    word = at // 8
    value = before[word] ^ (words[word] & LOW_BYTES[at % 8])
    for shift in (32, 16, 8):
        value ^= value >> np.uint64(shift)
    return (value & np.uint64(0xFF)).astype(np.uint8)


def _u16(buf: Bytes, at: Ints) -> Ints:
    return buf[at].astype(np.int64) | (buf[at + 1].astype(np.int64) << 8)


def _u32(buf: Bytes, at: Ints) -> Ints:
    return _u16(buf, at) | (_u16(buf, at + 2) << 16)


def _payload_rows(buf: Bytes, starts: Ints, size: int) -> Bytes:
    """The payloads of records of one size, as rows."""
    rows: Bytes = np.lib.stride_tricks.sliding_window_view(buf, size)[starts + HEADER_BYTES]
    return rows


class _LogReader:
    """log.bin, piece by piece, with what must be remembered from one piece to the next."""

    def __init__(self, path: Path, archive: _Archive, setup: _Setup, block_samples: int) -> None:
        self.path = path
        self.archive = archive
        self.setup = setup
        self.piece_bytes = max(1 << 12, LOG_BYTES_PER_SAMPLE * block_samples)
        self.first: int | None = None  # device time of the first activity record
        self.last: int | None = None  # device time of the last activity record kept
        self.scale = 0.0
        self.notes: list[str] = list(setup.notes)
        self.gaps = 0
        self.gap_s = 0

    def blocks(self) -> Iterator[RawSignals]:
        carry = np.zeros(0, dtype=np.uint8)
        for data in self.archive.chunks("log.bin", self.piece_bytes):
            buf = np.concatenate((carry, np.frombuffer(data, dtype=np.uint8)))
            walk = _walk(buf, final=False)
            block = self._piece(buf, walk)
            carry = buf[walk.consumed :].copy()
            if block is not None:
                yield block
        if carry.shape[0]:
            walk = _walk(carry, final=True)
            block = self._piece(carry, walk)
            tail = carry.shape[0] - walk.consumed
            if tail:
                self.notes.append(
                    f"log.bin ends inside a record: its last {plural(tail, 'byte')} {were(tail)} ignored"
                )
            if block is not None:
                yield block

    def _where(self, buf: Bytes, walk: _Walk, index: int) -> str:
        """'near 12 s' for the place before record ``index`` of the walk."""
        if self.first is None or walk.starts.shape[0] == 0:
            return "before the first samples"
        j = min(max(index - 1, 0), walk.starts.shape[0] - 1)
        stamp = int(_u32(buf, walk.starts[j : j + 1] + 2)[0])
        return f"near {max(0, stamp - self.first)} s"

    def _damage_notes(self, buf: Bytes, walk: _Walk) -> None:
        if walk.bad_checksums:
            count = len(walk.bad_checksums)
            self.notes.append(
                f"{plural(count, 'log.bin record')} failed the checksum and "
                f"{were(count)} skipped ({self._where(buf, walk, walk.bad_checksums[0])})"
            )
        if walk.skipped:
            total = sum(b for _, b in walk.skipped)
            self.notes.append(
                f"{total} damaged bytes of log.bin were skipped ({self._where(buf, walk, walk.skipped[0][0])})"
            )

    def _piece(self, buf: Bytes, walk: _Walk) -> RawSignals | None:
        starts = walk.starts
        types = buf[starts + 1]
        sizes = _u16(buf, starts + 6)
        if self.first is None:
            self._settings(buf, starts, types, sizes)
        is_activity = ((types == ACTIVITY) | (types == ACTIVITY2)) & (sizes > 1)
        starts, types, sizes = starts[is_activity], types[is_activity], sizes[is_activity]
        stamps = _u32(buf, starts + 2)
        if self.first is None and stamps.shape[0]:
            self._start(int(stamps[0]))
        self._damage_notes(buf, walk)
        keep = self._in_order(stamps)
        if not keep.any():
            return None
        starts, types, sizes, stamps = starts[keep], types[keep], sizes[keep], stamps[keep]
        t, acc = self._samples(buf, starts, types, sizes, stamps)
        block = _block(self.path.name, t, acc, self.notes)
        self.notes = []
        block.epoch_s = self.setup.epoch_s(float(self.first or 0))
        block.zone = self.setup.zone
        block.metadata = self.setup.metadata(self.path.name, "log.bin", float(self.first or 0))
        return block

    def _settings(self, buf: Bytes, starts: Ints, types: Bytes, sizes: Ints) -> None:
        """PARAMETERS and METADATA written before the first samples."""
        for start, kind, size in zip(starts.tolist(), types.tolist(), sizes.tolist(), strict=True):
            payload = buf[start + HEADER_BYTES : start + HEADER_BYTES + size]
            if kind == PARAMETERS:
                _read_parameters(self.setup, payload)
            elif kind == METADATA:
                _read_metadata(self.setup, payload)
            elif kind in (ACTIVITY, ACTIVITY2) and size > 1:
                break

    def _start(self, stamp: int) -> None:
        if self.setup.rate is None:
            raise InputError(f"{self.path.name} does not state its sampling rate (info.txt's Sample Rate)")
        self.scale = self.setup.scale(self.path.name)
        self.first = stamp

    def _in_order(self, stamps: Ints) -> npt.NDArray[np.bool_]:
        """Records later than every one before; counts the gaps between them."""
        before = -1 if self.last is None else self.last
        latest = np.maximum.accumulate(np.concatenate(([before], stamps)))[:-1]
        keep = stamps > latest
        dropped = int((~keep).sum())
        if dropped:
            self.notes.append(
                f"{dropped} activity record{'s' if dropped > 1 else ''} out of time order dropped"
            )
        kept = stamps[keep]
        if kept.shape[0]:
            steps = np.diff(kept) if self.last is None else np.diff(kept, prepend=self.last)
            missing = steps[steps > 1] - 1
            self.gaps += int(missing.shape[0])
            self.gap_s += int(missing.sum())
            self.last = int(kept[-1])
        return keep

    def _samples(
        self, buf: Bytes, starts: Ints, types: Bytes, sizes: Ints, stamps: Ints
    ) -> tuple[FloatArray, FloatArray]:
        rate = float(self.setup.rate or 0)
        per_second = round(rate)
        count = np.where(types == ACTIVITY, sizes * 8 // 36, sizes // 6)
        short = int((count < per_second).sum())
        if short:
            self.notes.append(
                f"{short} activity record{'s' if short > 1 else ''} held fewer than {per_second} samples"
            )
        if (count > per_second).any():
            self.notes.append(
                f"activity records with more than {per_second} samples were cut to {per_second}"
            )
        kinds = types.astype(np.int64) << 16 | sizes
        times: list[FloatArray] = []
        values: list[FloatArray] = []
        for kind in np.unique(kinds).tolist():
            group = kinds == kind
            size = kind & 0xFFFF
            n = min(int(count[group][0]), per_second)
            rows = _payload_rows(buf, starts[group], size)
            if kind >> 16 == ACTIVITY:
                counts = _unpack12(rows, 3 * n).reshape(-1, 3)
            else:
                counts = np.ascontiguousarray(rows[:, : 6 * n]).view("<i2").reshape(-1, 3)
            values.append(
                _to_g(counts, self.scale, yxz=kind >> 16 == ACTIVITY, swapped=self.setup.axes_swapped)
            )
            offset = (stamps[group] - (self.first or 0)).astype(np.float64)
            times.append((offset[:, None] + np.arange(n) / rate).ravel())
        t = np.concatenate(times) if len(times) > 1 else times[0]
        acc = np.concatenate(values) if len(values) > 1 else values[0]
        if len(times) > 1:
            order = np.argsort(t, kind="stable")
            t, acc = t[order], acc[order]
        return t, acc

    def closing_notes(self) -> list[str]:
        notes = list(self.notes)
        if self.gaps:
            what = f"{self.gaps} stretch{'es' if self.gaps > 1 else ''}, {_duration(self.gap_s)} in all"
            if self.setup.idle_sleep:
                notes.append(f"idle sleep mode: the device stopped sampling while it lay still ({what})")
            else:
                notes.append(f"seconds without samples in log.bin ({what})")
        last_local = self.setup.last_local_s
        if self.last is not None and last_local is not None and not self.setup.used_utc:
            early = last_local - (self.last + 1)
            if early > LATE_END_S:
                clock = datetime.fromtimestamp(last_local, tz=UTC).strftime("%H:%M:%S")
                notes.append(
                    f"the data end {_duration(early)} before info.txt's Last Sample Time ({clock}): "
                    "the device slept or was docked until then"
                )
        return notes

    def empty_message(self) -> str:
        return f"{self.path.name} holds no accelerometer samples: log.bin has no complete activity records"


# --- activity.bin (NHANES / GT3X+ firmware up to 2.5.0) ------------------------------------------------------


class _LegacyReader:
    """activity.bin: samples back to back from info.txt's Start Date, two samples in every 9 bytes."""

    def __init__(self, path: Path, archive: _Archive, setup: _Setup, block_samples: int) -> None:
        if setup.rate is None or setup.start_local_s is None:
            raise InputError(
                f"{path.name}: info.txt gives no Sample Rate or Start Date, which activity.bin needs"
            )
        if not setup.serial.upper().startswith(LEGACY_SERIALS):
            raise InputError(
                f"{path.name}: activity.bin of device {setup.serial} is not in the documented layout "
                "(GT3X+ and ActiSleep+, serials NEO and MRA)"
            )
        self.path = path
        self.archive = archive
        self.setup = setup
        self.rate = setup.rate
        self.scale = setup.info_scale or LEGACY_SCALE
        self.piece_bytes = max(1, block_samples // 2) * 9
        self.count = 0
        self.notes: list[str] = list(setup.notes)

    def blocks(self) -> Iterator[RawSignals]:
        carry = b""
        for data in self.archive.chunks("activity.bin", self.piece_bytes):
            buf = carry + data
            whole = len(buf) // 9 * 9
            carry = buf[whole:]
            if whole:
                yield self._block(np.frombuffer(buf[:whole], dtype=np.uint8), whole // 9 * 2)
        tail = len(carry) * 8 // 36
        if tail:
            yield self._block(np.frombuffer(carry, dtype=np.uint8), tail)
        unused = len(carry) - (tail * 9 + 1) // 2
        if unused:
            self.notes.append(
                f"the last {unused} bytes of activity.bin do not make a whole sample and were ignored"
            )

    def _block(self, data: Bytes, n: int) -> RawSignals:
        counts = _unpack12(data.reshape(1, -1), 3 * n).reshape(-1, 3)
        acc = _to_g(counts, self.scale, yxz=True, swapped=False)
        t = (self.count + np.arange(n, dtype=np.float64)) / self.rate
        self.count += n
        block = _block(self.path.name, t, acc, self.notes)
        self.notes = []
        start = float(self.setup.start_local_s or 0)
        block.epoch_s = self.setup.epoch_s(start)
        block.zone = self.setup.zone
        block.metadata = self.setup.metadata(self.path.name, "activity.bin (NHANES layout)", start)
        return block

    def closing_notes(self) -> list[str]:
        notes = list(self.notes)
        per_second = round(self.rate)
        if per_second and self.count % per_second:
            notes.append(f"the last second holds {self.count % per_second} of {per_second} samples")
        return notes

    def empty_message(self) -> str:
        return f"{self.path.name} holds no accelerometer samples: activity.bin is empty"
