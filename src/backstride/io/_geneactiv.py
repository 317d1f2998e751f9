"""GENEActiv ``.bin`` files (Activinsights GENEActiv, model 1.1 and later), read page by page.

Layout, as Activinsights publishes it in the GENEActiv instructions for use (section "Understanding .bin
files", p. 16 of the 20-page manual), checked against the two real files in the reference data:

* The file is text. A header of ``key:value`` lines in sections (``Device Identity``, ``Device
  Capabilities``, ``Configuration Info``, ``Trial Info``, ``Subject Info``, ``Calibration Data``, ``Memory
  Status``) comes first; ``Memory Status`` gives ``Number of Pages``.
* Then pages of 300 measurements. Each page is a line ``Recorded Data``, 8 ``key:value`` lines (``Device
  Unique Serial Code``, ``Sequence Number``, ``Page Time``, ``Unassigned``, ``Temperature``, ``Battery
  voltage``, ``Device Status``, ``Measurement Frequency``) and one line of 3600 hexadecimal digits: 300
  measurements of 6 bytes, each x, y, z as 12-bit two's complement numbers, then 10 bits of light, 1 bit
  for the button and 1 reserved bit.
* "The time stamp of the page corresponds to the first measurement of the page"; the measurements follow
  at the measurement frequency. Page times are the local clock (``2019-05-21 16:16:43:500``, the last field
  milliseconds); the header's ``Time Zone:GMT -04:00`` is their UTC offset.
* Calibration from the header's ``Calibration Data``: acceleration in g is ``(raw * 100 - offset) / gain``
  per axis (light in lux is ``raw * lux / volts``; light is not used here).

Decisions:

* Each page's own ``Measurement Frequency`` line sets the spacing of its samples (the header's value when
  the line cannot be read; a note says when pages declare another rate than the header). The frequency is
  written with one decimal: when a rate whose 300-sample page lasts a whole number of tenths of a second
  lies within that rounding, that rate is used (85.7 → 600/7 = 85.714 Hz: 3.5 s per page, as the page
  times step; 33.3 → 100/3 Hz). Activinsights' own R package GENEAcore (CRAN, ``R/MPI_create.R``) derives
  the rate the same way.
* Times are the page times as written plus ``k / rate`` within the page (as scikit-digital-health and
  GGIRread read them), so a page missing from the file stays a jump in time; a jump in the sequence
  numbers is reported, and so are numbers that start again at 0 (another file appended to this one) or go
  back (pages repeated or out of order). The first page of some GENEActiv 1.1 files is stamped earlier than the second page
  implies (0.5 s in the sample file; GENEAcore moves it): it is kept as stamped, which leaves a short gap.
* A page whose data line is short or holds anything but hexadecimal digits, or whose header lines cannot
  be read, is skipped with a note; so is a page stamped before the previous page ended (time never goes
  backwards). A file cut short (fewer pages than ``Number of Pages``, or ending inside a page) keeps every
  complete page, with a note.
* ``epoch_s`` and ``zone`` come from the page time of the first sample and the header's time zone; without
  a readable time zone the naive local start time goes into ``metadata["start_time"]``.
* The file is read in byte chunks of about ``block_samples`` samples, cut where a page starts; the digits
  are decoded with ``binascii.unhexlify`` and numpy bit operations, never per sample.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from backstride._errors import InputError
from backstride._words import plural, were
from backstride.io._raw import RawSignals
from backstride.io._units import zone_from_utc_text
from backstride.recording import FloatArray

SAMPLES_PER_PAGE = 300
HEX_PER_PAGE = SAMPLES_PER_PAGE * 12
PAGE_MARK = b"Recorded Data"
HEAD_BYTES = 4096
MAX_HEADER_BYTES = 1 << 20

_PAGE_HEADER = re.compile(  # a page's header lines; the groups are None when they do not parse
    rb"Recorded Data\r?\n(?:"
    rb"Device Unique Serial Code:[^\n]*\n"
    rb"Sequence Number:[ \t]*(\d{1,12})[^\n]*\n"
    rb"Page Time:[ \t]*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})[:.](\d{1,3})[^\n]*\n"
    rb"Unassigned:[^\n]*\n"
    rb"Temperature:([^\r\n]*)\r?\n"
    rb"Battery voltage:[^\n]*\n"
    rb"Device Status:[^\n]*\n"
    rb"Measurement Frequency:([^\r\n]*)\r?\n"
    rb")?"
)
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d*)?")
_EOL = np.zeros(256, dtype=bool)
_EOL[[10, 13]] = True


@dataclass(frozen=True)
class _Header:
    """What the file header says, with where the pages start and how long the first one is."""

    fields: dict[str, str]
    rate_hz: float
    gain: FloatArray
    offset: FloatArray
    zone: tzinfo | None
    pages_declared: int | None
    data_start: int
    page_bytes: int


def _number(text: str) -> float | None:
    match = _NUMBER.search(text)
    return float(match.group().replace(",", ".")) if match else None


def _header_fields(text: str) -> dict[str, str]:
    """``key: value`` of every header line (the first occurrence of a key wins)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.replace("\x00", "").strip())
    return fields


def _head(path: Path, size: int) -> bytes | None:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return None


def _is_geneactiv(head: bytes) -> bool:
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"Device Identity"):
        return False
    fields = _header_fields(head[:HEAD_BYTES].decode("latin-1"))
    return "Device Unique Serial Code" in fields and "geneactiv" in fields.get("Device Type", "").lower()


def looks_like_geneactiv(path: Path) -> bool:
    """A text file that starts with ``Device Identity`` and names a GENEActiv as its device type."""
    head = _head(path, HEAD_BYTES)
    return head is not None and _is_geneactiv(head)


def page_rate(declared: float) -> float:
    """The rate behind a frequency written with one decimal (85.7 → 600/7 Hz), else ``declared``."""
    page_s = round(SAMPLES_PER_PAGE / declared, 1)
    exact = SAMPLES_PER_PAGE / page_s if page_s > 0 else declared
    return exact if abs(exact - declared) <= 0.05 else declared


def _calibration(fields: dict[str, str], name: str) -> tuple[FloatArray, FloatArray]:
    gains, offsets = [], []
    for axis in "xyz":
        gain, offset = _number(fields.get(f"{axis} gain", "")), _number(fields.get(f"{axis} offset", ""))
        if gain is None or offset is None or gain == 0:
            raise InputError(f"{name} has no usable {axis} gain and offset in its 'Calibration Data'")
        gains.append(gain)
        offsets.append(offset)
    return np.array(gains), np.array(offsets)


def _read_header(path: Path) -> _Header:
    head = _head(path, MAX_HEADER_BYTES)
    if head is None:
        raise InputError(f"{path.name} cannot be read")
    if not _is_geneactiv(head):
        raise InputError(
            f"{path.name} is not a GENEActiv file: it does not start with a GENEActiv 'Device Identity'"
        )
    first = re.search(rb"(?m)^" + PAGE_MARK, head)
    if first is None:
        raise InputError(f"{path.name} holds no data pages")
    fields = _header_fields(head[: first.start()].decode("latin-1"))
    rate = _number(fields.get("Measurement Frequency", ""))
    if rate is None or rate <= 0:
        raise InputError(f"{path.name} does not state its measurement frequency")
    gain, offset = _calibration(fields, path.name)
    pages = _number(fields.get("Number of Pages", ""))
    second = head.find(PAGE_MARK, first.end())
    return _Header(
        fields=fields,
        rate_hz=rate,
        gain=gain,
        offset=offset,
        zone=zone_from_utc_text(fields.get("Time Zone", "")),  # "GMT -04:00"
        pages_declared=int(pages) if pages is not None else None,
        data_start=first.start(),
        page_bytes=second - first.start() if second > 0 else HEX_PER_PAGE + 256,
    )


@dataclass
class _Pages:
    """The pages of one chunk whose header lines were read."""

    seq: npt.NDArray[np.int64]
    local_ms: npt.NDArray[np.int64]  # page time in milliseconds of the naive local clock
    rate: FloatArray  # the page's own measurement frequency
    temperature: FloatArray
    data_at: npt.NDArray[np.int64]  # byte offset of the data line in the chunk
    unreadable: int  # ``Recorded Data`` lines whose header did not parse

    @property
    def n(self) -> int:
        return int(self.seq.shape[0])


def _float_column(values: list[bytes], default: float) -> FloatArray:
    """Parse repeated texts once each (a file holds few distinct rates or temperatures)."""
    if not values:
        return np.empty(0)
    distinct, inverse = np.unique(np.array(values, dtype=bytes), return_inverse=True)
    parsed = [_number(v.decode("latin-1")) for v in distinct]
    table = np.array([default if p is None else p for p in parsed], dtype=float)
    return table[inverse.reshape(-1)]


def _local_ms(parts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Milliseconds since 1970 of (year, month, day, hour, minute, second, ms) rows, read as UTC."""
    months = (parts[:, 0] - 1970) * 12 + parts[:, 1] - 1
    days = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + parts[:, 2] - 1
    seconds = days * 86400 + parts[:, 3] * 3600 + parts[:, 4] * 60 + parts[:, 5]
    return seconds * 1000 + parts[:, 6]


def _scan(chunk: bytes | memoryview, header_rate: float) -> _Pages:
    found = list(_PAGE_HEADER.finditer(chunk))
    matches = [m for m in found if m.group(1) is not None]
    groups = [m.groups() for m in matches]
    numbers = np.array([g[:8] for g in groups], dtype=bytes).reshape(-1, 8).astype(np.int64)
    return _Pages(
        seq=numbers[:, 0],
        local_ms=_local_ms(numbers[:, 1:]),
        rate=_float_column([g[9] for g in groups], header_rate),
        temperature=_float_column([g[8] for g in groups], np.nan),
        data_at=np.array([m.end() for m in matches], dtype=np.int64),
        unreadable=len(found) - len(matches),
    )


def _cut_tail(chunk: bytes) -> tuple[bytes, int]:
    """The chunk without a last page that the end of the file cuts off, and how many bytes that was."""
    last = chunk.rfind(PAGE_MARK)
    if last < 0:
        return chunk, 0
    match = _PAGE_HEADER.match(chunk, last)
    tail = len(chunk) - last
    if match is not None and match.group(1) is not None:
        complete = match.end() + HEX_PER_PAGE <= len(chunk)
    else:
        complete = tail > HEX_PER_PAGE  # a whole page whose header lines are broken, not a cut
    return (chunk, 0) if complete else (chunk[:last], tail)


def _data_lines(
    chunk: bytes | memoryview, data_at: npt.NDArray[np.int64]
) -> tuple[bytes, npt.NDArray[np.bool_]]:
    """The 1800 bytes of each page whose data line is 3600 hexadecimal digits, and which pages those are."""
    raw = np.frombuffer(chunk, dtype=np.uint8)
    after = data_at + HEX_PER_PAGE
    good = after <= raw.shape[0]
    inside = after < raw.shape[0]
    good[inside] = _EOL[raw[after[inside]]]  # else the line goes on past 300 measurements
    view = memoryview(chunk)
    lines = [view[s : s + HEX_PER_PAGE] for s in data_at[good].tolist()]
    try:
        return binascii.unhexlify(b"".join(lines)), good
    except binascii.Error:  # some page holds a character that is not a hexadecimal digit: find which
        decoded = []
        for index, line in zip(np.flatnonzero(good).tolist(), lines, strict=True):
            try:
                decoded.append(binascii.unhexlify(line))
            except binascii.Error:
                good[index] = False
        return b"".join(decoded), good


def _decode(pages: npt.NDArray[np.uint8], header: _Header) -> FloatArray:
    """Calibrated x, y, z in g from pages of 6-byte measurements: 12 bits each of x, y, z (two's
    complement), then 10 bits of light, the button bit and a reserved bit."""
    b = pages.reshape(-1, 6)
    signed = b.view(np.int8)
    counts = np.empty((b.shape[0], 3), dtype=np.int16)
    counts[:, 0] = (signed[:, 0].astype(np.int16) << 4) | (b[:, 1] >> 4)
    counts[:, 1] = ((b[:, 1].astype(np.int16) << 12) | (b[:, 2].astype(np.int16) << 4)) >> 4
    counts[:, 2] = (signed[:, 3].astype(np.int16) << 4) | (b[:, 4] >> 4)
    acc = np.empty(counts.shape)
    for axis in range(3):  # column by column: numpy is slow on rows of 3
        np.multiply(counts[:, axis], 100.0 / header.gain[axis], out=acc[:, axis])
        acc[:, axis] -= header.offset[axis] / header.gain[axis]
    return acc


@dataclass
class _State:
    """What carries from one chunk to the next."""

    origin_ms: int | None = None  # page time of the first sample
    last_seq: int | None = None
    last_end_s: float = -np.inf  # time of the last sample kept
    pages: int = 0  # complete pages seen
    first_temperature: float = np.nan
    other_rate_noted: bool = False
    notes: list[str] = field(default_factory=list)


def _sequence_note(seq: npt.NDArray[np.int64], state: _State, start_s: FloatArray) -> list[str]:
    """What the page sequence numbers say: pages missing where they jump ahead; where they start again at 0, a
    file appended (a second download copied onto the first); where they go back otherwise, pages out of order."""
    previous = np.concatenate([[seq[0] - 1 if state.last_seq is None else state.last_seq], seq[:-1]])
    ahead = seq > previous + 1
    notes = []
    if ahead.any():
        missing = int((seq[ahead] - previous[ahead] - 1).sum())
        notes.append(
            f"the page sequence numbers jump {plural(int(ahead.sum()), 'time')} ({plural(missing, 'page')} "
            f"missing, first at {start_s[np.argmax(ahead)]:.1f} s); the gap is kept in the time axis"
        )
    back = seq <= previous
    if back.any():
        at = int(np.argmax(back))
        again = "start again at 0" if seq[at] == 0 else f"go back to {seq[at]}"
        times = "" if back.sum() == 1 else f" (the first of {int(back.sum())} times)"
        why = (
            "another recording appended to this file?" if seq[at] == 0 else "pages repeated or out of order?"
        )
        notes.append(
            f"the page sequence numbers {again} after page {previous[at]}{times}: {why} Their pages are kept "
            "only where their time stamps follow the pages before"
        )
    return notes


def _rates(declared: FloatArray, header_rate: float) -> FloatArray:
    distinct, inverse = np.unique(np.where(declared > 0, declared, header_rate), return_inverse=True)
    return np.array([page_rate(float(r)) for r in distinct])[inverse.reshape(-1)]


def _kept(
    pages: _Pages, good: npt.NDArray[np.bool_], state: _State, notes: list[str]
) -> npt.NDArray[np.bool_]:
    """Pages to use: readable, and starting after every earlier page ended; notes on the others."""
    origin_ms = state.origin_ms if state.origin_ms is not None else int(pages.local_ms[0])
    start_s = (pages.local_ms - origin_ms) / 1000.0
    if not good.all():
        notes.append(
            f"{plural(int((~good).sum()), 'page')} with a short or corrupt data line skipped "
            f"(first at {start_s[np.argmax(~good)]:.1f} s)"
        )
    notes.extend(_sequence_note(pages.seq, state, start_s))
    end_s = np.where(good, start_s + (SAMPLES_PER_PAGE - 1) / pages.rate, -np.inf)
    before = np.maximum.accumulate(np.concatenate([[state.last_end_s], end_s[:-1]]))
    early = good & (start_s <= before)
    if early.any():
        notes.append(
            f"{plural(int(early.sum()), 'page')} stamped before the previous page ended skipped "
            f"(first at {start_s[np.argmax(early)]:.1f} s)"
        )
    return good & ~early


def _rate_note(declared: FloatArray, header: _Header, state: _State, notes: list[str]) -> None:
    """Say once per file that pages declare another rate than the header (their own is used)."""
    other = np.abs(declared - header.rate_hz) > 0.05
    if other.any() and not state.other_rate_noted:
        state.other_rate_noted = True
        notes.append(
            f"pages declare {declared[np.argmax(other)]:g} Hz where the header says {header.rate_hz:g} Hz; "
            "each page's own rate was used"
        )


def _block(
    chunk: bytes | memoryview, at_eof: bool, header: _Header, state: _State, source: str
) -> RawSignals:
    """The samples of one chunk of complete pages (at the end of the file, a cut-off page is dropped)."""
    notes, state.notes = state.notes, []
    tail = 0
    if at_eof:
        chunk, tail = _cut_tail(bytes(chunk))  # the last chunk is bytes already: not copied
    pages = _scan(chunk, header.rate_hz)
    state.pages += pages.n + pages.unreadable
    if pages.unreadable:
        notes.append(f"{plural(pages.unreadable, 'page')} with unreadable header lines skipped")
    if tail:
        notes.append(f"the file ends inside a page: its last {plural(tail, 'byte')} {were(tail)} ignored")
    if pages.n == 0:
        return _raw_signals(np.empty(0), np.empty((0, 3)), header, state, source, notes)
    _rate_note(pages.rate, header, state, notes)
    pages.rate = _rates(pages.rate, header.rate_hz)
    data, good = _data_lines(chunk, pages.data_at)
    keep = _kept(pages, good, state, notes)
    state.last_seq = int(pages.seq[-1])
    if not keep.any():
        return _raw_signals(np.empty(0), np.empty((0, 3)), header, state, source, notes)
    if state.origin_ms is None:
        state.origin_ms = int(pages.local_ms[np.argmax(keep)])
        state.first_temperature = float(pages.temperature[np.argmax(keep)])
    start_s = (pages.local_ms[keep] - state.origin_ms) / 1000.0
    rate = pages.rate[keep]
    state.last_end_s = float(start_s[-1] + (SAMPLES_PER_PAGE - 1) / rate[-1])
    time_s = (start_s[:, None] + np.arange(SAMPLES_PER_PAGE) / rate[:, None]).reshape(-1)
    measured = np.frombuffer(data, dtype=np.uint8).reshape(-1, SAMPLES_PER_PAGE * 6)
    if not keep[good].all():
        measured = measured[keep[good]]
    return _raw_signals(time_s, _decode(measured, header), header, state, source, notes)


def _metadata(header: _Header, state: _State) -> dict[str, str | int | float]:
    f = header.fields
    serial, model = f.get("Device Unique Serial Code", ""), f.get("Device Model", "")
    meta: dict[str, str | int | float] = {
        "format": "geneactiv",
        "device": f"{f'GENEActiv {model}'.strip()}, device {serial or 'with no serial number'}",
        "serial": serial,
        "model": model,
        "firmware": f.get("Device Firmware Version", ""),
        "rate_hz": header.rate_hz,
    }
    for key, name in (("Device Location Code", "location"), ("Time Zone", "time_zone")):
        if f.get(key):
            meta[name] = f[key]
    if header.pages_declared is not None:
        meta["pages_declared"] = header.pages_declared
    if np.isfinite(state.first_temperature):
        meta["temperature_c"] = state.first_temperature
    return meta


def _raw_signals(
    time_s: FloatArray, acc: FloatArray, header: _Header, state: _State, source: str, notes: list[str]
) -> RawSignals:
    raw = RawSignals(
        time_s=time_s,
        acc=acc,
        gyr=None,
        source=source,
        acc_names=("x", "y", "z"),
        first_line=None,
        acc_unit="g",
        notes=notes,
        metadata=_metadata(header, state),
    )
    if state.origin_ms is not None:
        local = datetime(1970, 1, 1) + timedelta(milliseconds=state.origin_ms)
        if header.zone is None:
            raw.metadata["start_time"] = local.isoformat()
        else:
            offset = header.zone.utcoffset(None) or timedelta(0)
            raw.epoch_s = (local.replace(tzinfo=UTC) - offset).timestamp()
            raw.zone = header.zone
    return raw


def _chunks(handle: BinaryIO, size: int, chunk_bytes: int) -> Iterator[tuple[bytes | memoryview, bool]]:
    """Byte chunks cut where a page starts, and whether each reaches the end of the file."""
    carry = b""
    while True:
        data = carry + handle.read(chunk_bytes)
        if handle.tell() >= size:
            yield data, True
            return
        cut = data.rfind(b"\n" + PAGE_MARK) + 1
        cut = cut if cut > 0 else len(data)  # no page starts in it: taken whole
        yield memoryview(data)[:cut], False
        carry = data[cut:]


def iter_geneactiv_raw(path: Path, *, block_samples: int = 1_000_000) -> Iterator[RawSignals]:
    """The whole file as consecutive :class:`RawSignals` blocks of about ``block_samples`` samples each."""
    header = _read_header(path)
    chunk_bytes = max(2, round(block_samples / SAMPLES_PER_PAGE)) * header.page_bytes
    state = _State()
    pending: RawSignals | None = None  # handed on once the next block is read: the end's notes go on the last
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(header.data_start)
            for chunk, at_eof in _chunks(handle, size, chunk_bytes):
                block = _block(chunk, at_eof, header, state, path.name)
                if block.n == 0:
                    state.notes = block.notes  # carried to the next block with samples
                    continue
                if pending is not None:
                    yield pending
                pending = block
    except OSError as exc:
        raise InputError(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    if pending is None:
        raise InputError(f"{path.name} holds no readable data page")
    pending.notes.extend(state.notes)
    if header.pages_declared is not None and state.pages < header.pages_declared:
        pending.notes.append(
            f"the header announces {header.pages_declared} pages, the file holds {state.pages}: "
            "it was cut short"
        )
    yield pending
