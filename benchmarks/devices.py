"""Long wearable-logger files for the ``devices`` benchmark, built from real short ones in ``../shared/data``.

Each builder repeats a real file's data with consistent, increasing time stamps and writes a file that is
valid in its own format (sequence numbers, time stamps, checksums and the header's counts all agree), so
every reader, backstride's and the peers', reads it without complaint. Nothing is synthesised: the samples
are the source's, copy after copy.

- **Axivity** ``.cwa`` (``openmovement_example-610-steps.cwa``, AX3 at 100 Hz, a walk of 610 steps): the
  header block is kept; the first ``m`` data blocks are repeated, with ``m`` chosen so the copy's period is
  a whole number of seconds (block ``m`` carries the same ``timestampOffset`` as block 0 and is stamped
  ``P`` seconds later; the next copy's block 0 takes its place). Each block gets the next sequence id, its
  packed RTC time stamp moved on by ``k·P`` seconds and a new checksum; ``timestampOffset`` and the
  fractional field are kept (the shift is whole seconds).
- **ActiGraph** ``.gt3x`` (``readgt3x_TAS1H30182785_2019-09-17.gt3x``, GT9X Link at 100 Hz, log.bin): the
  device slept while lying still (idle sleep mode), so the file has gaps; its longest gap-free run of
  one-second activity records (247 s) is repeated, with the records between them (battery, epochs), each
  record's time stamp moved on and its checksum recomputed. The records before the first activity record
  (METADATA, PARAMETERS) are kept once at the start. info.txt's ``Stop Date``, ``Last Sample Time`` and
  ``Download Date`` are set to the end of the data. The ZIP is stored uncompressed, as the device's is.
  (The 30 Hz ``pygt3x_ISM_Disabled.gt3x`` has no gaps, but a week of it would be 18 M samples, not 60 M.)
- **GENEActiv** ``.bin`` (``GGIRread_GENEActiv_testfile.bin``, 85.7 Hz, 16 complete pages of 3.5 s; the
  incomplete 17th page is dropped): pages are repeated with the next ``Sequence Number`` and their ``Page
  Time`` moved on, and the header's ``Number of Pages`` is the new count. (The 50 Hz
  ``skdh_gnactv_sample.bin`` has 3 pages, the first stamped 0.5 s early: every copy would hold a gap.)

Files are cached in ``bench-out/devices/`` under the source's name and the duration, written to a
temporary name and renamed when complete; a missing file is built again. A week of each takes seconds:
the copies are made with numpy on whole batches of blocks, records or pages, never sample by sample.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.datasets import BENCH_OUT, SHARED_DATA

DEVICES = SHARED_DATA / "devices"
OUT = BENCH_OUT / "devices"
BATCH_BYTES = 64 << 20  # about this much of the long file is made at a time

Ints = npt.NDArray[np.int64]


def _copies_needed(duration_s: float, period_s: float) -> int:
    """Whole copies of a unit lasting ``period_s`` that cover ``duration_s``."""
    return max(1, math.ceil(duration_s / period_s))


def _target(source: Path, out: Path, duration_s: float) -> Path:
    """Where the long file built from ``source`` for ``duration_s`` is cached."""
    return out / f"{source.stem}-{duration_s:g}s{source.suffix}"


def _write_atomically(path: Path, pieces: Iterator[bytes]) -> Path:
    """Write ``pieces`` to ``path.part`` and rename it to ``path`` when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as sink:
        for piece in pieces:
            sink.write(piece)
    tmp.replace(path)
    return path


def _batches(copies: int, unit_bytes: int) -> Iterator[tuple[int, int]]:
    """``[k0, k1)`` ranges of copy numbers, each about :data:`BATCH_BYTES` long."""
    step = max(1, BATCH_BYTES // max(1, unit_bytes))
    for k0 in range(0, copies, step):
        yield k0, min(copies, k0 + step)


# --------------------------------------------------------------------------------------------- Axivity
CWA_HEADER_BYTES = 1024
CWA_BLOCK_BYTES = 512
CWA_BLOCK = np.dtype(
    {
        "names": ["sequence", "stamp", "offset", "count", "checksum"],
        "formats": ["<u4", "<u4", "<i2", "<u2", "<u2"],
        "offsets": [10, 14, 26, 28, 510],
        "itemsize": CWA_BLOCK_BYTES,
    }
)


def cwa_stamp_to_datetime(stamp: npt.NDArray[np.uint32]) -> npt.NDArray[np.datetime64]:
    """Packed RTC time stamps (``YYYYYYMM MMDDDDDh hhhhmmmm mmssssss``, year from 2000) as ``datetime64[s]``."""
    v = stamp.astype(np.int64)
    months = ((v >> 26) & 63) * 12 + ((v >> 22) & 15) - 1 + (2000 - 1970) * 12
    days = months.astype("datetime64[M]").astype("datetime64[D]") + ((v >> 17) & 31) - 1
    seconds = ((v >> 12) & 31) * 3600 + ((v >> 6) & 63) * 60 + (v & 63)
    when: npt.NDArray[np.datetime64] = days.astype("datetime64[s]") + seconds
    return when


def cwa_datetime_to_stamp(when: npt.NDArray[np.datetime64]) -> npt.NDArray[np.uint32]:
    """``datetime64[s]`` values packed as the blocks' RTC time stamps."""
    years = when.astype("datetime64[Y]")
    months = when.astype("datetime64[M]")
    days = when.astype("datetime64[D]")
    year = years.astype(np.int64) + 1970 - 2000
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    secs = (when - days.astype("datetime64[s]")).astype(np.int64)
    packed = (year << 26) | (month << 22) | (day << 17) | (secs // 3600 << 12) | (secs // 60 % 60 << 6)
    stamps: npt.NDArray[np.uint32] = (packed | secs % 60).astype(np.uint32)
    return stamps


def cwa_checksums(blocks: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint16]:
    """The checksum of each 512-byte block ``(n, 512)``: the word that makes its 16-bit word sum zero."""
    words = blocks.view("<u2").astype(np.uint32)
    total = words[:, :-1].sum(axis=1, dtype=np.uint64)
    sums: npt.NDArray[np.uint16] = ((-total.astype(np.int64)) & 0xFFFF).astype(np.uint16)
    return sums


def cwa_repeat_length(blocks: npt.NDArray[np.void]) -> int:
    """How many leading blocks to repeat: the ``m`` (at least half of them) whose block ``m`` has the
    ``timestampOffset`` nearest block 0's, so the next copy's block 0 stands in for block ``m`` and the
    device clock stays consistent across the join (the latest such ``m`` when several tie)."""
    n = blocks.shape[0]
    candidates = np.arange(max(1, n // 2), n)
    if candidates.size == 0:
        raise ValueError("a .cwa source needs at least two data blocks")
    counts = blocks["count"].astype(np.int64)
    if np.any(counts != counts[0]):
        raise ValueError("a .cwa source with blocks of different sample counts is not supported")
    miss = np.abs(blocks["offset"][candidates].astype(np.int64) - int(blocks["offset"][0]))
    return int(candidates[np.flatnonzero(miss == miss.min())[-1]])


def build_long_cwa(source: Path, out: Path, duration_s: float) -> Path:
    """A ``.cwa`` of about ``duration_s`` from ``source``'s data blocks repeated (see the module docstring)."""
    target = _target(source, out, duration_s)
    if target.is_file():
        return target
    raw = source.read_bytes()
    header = raw[:CWA_HEADER_BYTES]
    n_blocks = (len(raw) - CWA_HEADER_BYTES) // CWA_BLOCK_BYTES
    body = np.frombuffer(raw, np.uint8, n_blocks * CWA_BLOCK_BYTES, CWA_HEADER_BYTES)
    blocks = body.view(CWA_BLOCK)
    m = cwa_repeat_length(blocks)
    when = cwa_stamp_to_datetime(blocks["stamp"])
    period = int((when[m] - when[0]).astype(np.int64))
    unit = body.reshape(n_blocks, CWA_BLOCK_BYTES)[:m]
    copies = _copies_needed(duration_s, period)
    first_sequence = int(blocks["sequence"][0])

    def pieces() -> Iterator[bytes]:
        yield header
        for k0, k1 in _batches(copies, unit.nbytes):
            out_blocks = np.tile(unit, (k1 - k0, 1))
            fields = out_blocks.reshape(-1).view(CWA_BLOCK)
            shift = np.repeat(np.arange(k0, k1, dtype=np.int64) * period, m).astype("timedelta64[s]")
            fields["stamp"] = cwa_datetime_to_stamp(np.tile(when[:m], k1 - k0) + shift)
            fields["sequence"] = first_sequence + np.arange(k0 * m, k1 * m, dtype=np.int64)
            fields["checksum"] = cwa_checksums(out_blocks)
            yield out_blocks.tobytes()

    return _write_atomically(target, pieces())


# --------------------------------------------------------------------------------------------- ActiGraph
GT3X_SEPARATOR = 0x1E
GT3X_ACTIVITY_TYPES = (0x00, 0x1A)  # ACTIVITY (12-bit packed) and ACTIVITY2 (int16)
TICKS_PER_S = 10_000_000
UNIX_EPOCH_TICKS = 621_355_968_000_000_000  # .NET ticks of 1970-01-01 00:00
END_KEYS = ("Stop Date", "Last Sample Time", "Download Date")


@dataclass(frozen=True)
class LogRecords:
    """The records of a ``log.bin``: where each starts, its type, time stamp and payload size."""

    start: Ints
    kind: Ints
    time: Ints
    size: Ints

    @property
    def end(self) -> Ints:
        """Where each record ends (after its checksum byte)."""
        return self.start + 8 + self.size + 1

    def is_activity(self) -> npt.NDArray[np.bool_]:
        """Activity records holding samples (a 1-byte payload only marks a USB connection)."""
        return np.isin(self.kind, GT3X_ACTIVITY_TYPES) & (self.size > 1)


def parse_log(log: bytes) -> LogRecords:
    """The record headers of a whole ``log.bin`` (``[0x1E][type][time u32][size u16][payload][checksum]``)."""
    starts, kinds, times, sizes = [], [], [], []
    pos = 0
    while pos + 8 <= len(log):
        if log[pos] != GT3X_SEPARATOR:
            raise ValueError(f"log.bin: no record separator at byte {pos}")
        size = int.from_bytes(log[pos + 6 : pos + 8], "little")
        starts.append(pos)
        kinds.append(log[pos + 1])
        times.append(int.from_bytes(log[pos + 2 : pos + 6], "little"))
        sizes.append(size)
        pos += 8 + size + 1
    return LogRecords(*(np.array(v, dtype=np.int64) for v in (starts, kinds, times, sizes)))


def longest_gapless_run(records: LogRecords) -> tuple[int, int]:
    """Indices (into ``records``) of the first and last activity record of the longest run of activity
    records one second apart."""
    act = np.flatnonzero(records.is_activity())
    if act.size == 0:
        raise ValueError("log.bin holds no activity records")
    breaks = np.flatnonzero(np.diff(records.time[act]) != 1)
    bounds = np.concatenate([[0], breaks + 1, [act.size]])
    longest = int(np.argmax(np.diff(bounds)))
    return int(act[bounds[longest]]), int(act[bounds[longest + 1] - 1])


def gt3x_checksums(xor_rest: Ints, times: Ints) -> Ints:
    """Record checksums: the one's complement of the XOR of every header and payload byte, given the XOR
    of all bytes but the time stamp (``xor_rest``) and the new time stamps."""
    return ~(xor_rest ^ _xor_bytes(times)) & 0xFF


def _info_with_end(info: str, end_local_s: int) -> str:
    """info.txt with ``Stop Date``, ``Last Sample Time`` and ``Download Date`` at ``end_local_s``."""
    ticks = UNIX_EPOCH_TICKS + end_local_s * TICKS_PER_S
    for key in END_KEYS:
        info = re.sub(rf"(?m)^({re.escape(key)}:\s*)\d+", rf"\g<1>{ticks}", info)
    return info


def build_long_gt3x(source: Path, out: Path, duration_s: float) -> Path:
    """A ``.gt3x`` of about ``duration_s`` from ``source``'s longest gap-free run of activity records,
    repeated (see the module docstring)."""
    target = _target(source, out, duration_s)
    if target.is_file():
        return target
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
        log = archive.read("log.bin")
        info = archive.read("info.txt").decode("utf-8")
    records = parse_log(log)
    first, last = longest_gapless_run(records)
    lead = log[: records.start[np.flatnonzero(records.is_activity())[0]]]
    unit = np.frombuffer(log[records.start[first] : records.end[last]], dtype=np.uint8)
    keep = slice(first, last + 1)
    rel_start = records.start[keep] - records.start[first]
    rel_time = records.time[keep] - records.time[first]
    period = int(records.time[last] - records.time[first]) + 1
    begin = int(records.time[records.is_activity()][0])  # the long file starts where the source did
    xor_rest = np.array(
        [
            np.bitwise_xor.reduce(unit[s : s + 8 + z])
            for s, z in zip(rel_start, records.size[keep], strict=True)
        ],
        dtype=np.int64,
    )
    xor_rest ^= _xor_bytes(records.time[keep])
    copies = _copies_needed(duration_s, period)
    time_at = rel_start[:, None] + 2 + np.arange(4)
    checksum_at = rel_start + 8 + records.size[keep]

    def log_pieces() -> Iterator[bytes]:
        yield lead
        for k0, k1 in _batches(copies, unit.nbytes):
            out_units = np.tile(unit, (k1 - k0, 1))
            times = begin + rel_time[None, :] + np.arange(k0, k1, dtype=np.int64)[:, None] * period
            out_units[:, time_at] = times.astype("<u4").view(np.uint8).reshape(k1 - k0, -1, 4)
            out_units[:, checksum_at] = gt3x_checksums(xor_rest[None, :], times).astype(np.uint8)
            yield out_units.tobytes()

    log_size = len(lead) + copies * unit.nbytes
    end_info = _info_with_end(info, begin + copies * period)
    return _write_gt3x(target, members, log_pieces(), log_size, end_info)


def _xor_bytes(values: Ints) -> Ints:
    """The XOR of the four little-endian bytes of each 32-bit value."""
    return (values ^ (values >> 8) ^ (values >> 16) ^ (values >> 24)) & 0xFF


def _write_gt3x(
    target: Path, members: list[zipfile.ZipInfo], log: Iterator[bytes], log_size: int, info: str
) -> Path:
    """A stored (uncompressed) ZIP with the source's members in their order; log.bin streamed."""
    tmp = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        for member in members:
            entry = zipfile.ZipInfo(member.filename, member.date_time)
            if member.filename == "log.bin":
                entry.file_size = log_size
                with archive.open(entry, "w") as sink:
                    for piece in log:
                        sink.write(piece)
            elif member.filename == "info.txt":
                archive.writestr(entry, info.encode("utf-8"))
            else:
                raise ValueError(f"{member.filename}: only log.bin and info.txt are copied")
    tmp.replace(target)
    return target


# --------------------------------------------------------------------------------------------- GENEActiv
PAGE_MARK = b"Recorded Data"
PAGE_SAMPLES = 300
_PAGE = re.compile(
    rb"Recorded Data\r?\n.*?Sequence Number:(?P<seq>\d+)(?P<mid>\r?\n.*?Page Time:)"
    rb"(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3})(?P<rest>.*?\r?\n[0-9A-Fa-f]{3600}\r?\n)",
    re.DOTALL,
)


@dataclass(frozen=True)
class Page:
    """One complete page, cut around the two fields that change from copy to copy."""

    head: bytes  # from ``Recorded Data`` to ``Sequence Number:``
    mid: bytes  # from the end of the sequence number to ``Page Time:``
    time_ms: int  # the page time, milliseconds of the local clock since 1970
    rest: bytes  # from the end of the page time to the end of the data line


def parse_pages(text: bytes, first_page: int) -> list[Page]:
    """The complete pages of a GENEActiv file from byte ``first_page`` (an incomplete last page is left out)."""
    pages = []
    for match in _PAGE.finditer(text, first_page):
        stamp = match["time"].decode("ascii")
        when = np.datetime64(f"{stamp[:10]}T{stamp[11:19]}.{stamp[20:23]}", "ms")
        head = text[match.start() : match.start("seq")]
        pages.append(Page(head, match["mid"], int(when.astype(np.int64)), match["rest"]))
    return pages


def page_times_text(ms: Ints) -> list[str]:
    """Page times as the device writes them (``2013-05-30 10:12:54:500``)."""
    iso = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    return [f"{t[:10]} {t[11:19]}:{t[20:23]}" for t in iso]


def build_long_geneactiv(source: Path, out: Path, duration_s: float) -> Path:
    """A GENEActiv ``.bin`` of about ``duration_s`` from ``source``'s complete pages repeated (see the module
    docstring)."""
    target = _target(source, out, duration_s)
    if target.is_file():
        return target
    text = source.read_bytes()
    start = text.find(PAGE_MARK)
    if start < 0:
        raise ValueError(f"{source.name} holds no pages")
    pages = parse_pages(text, start)
    if len(pages) < 2:
        raise ValueError(f"{source.name} needs at least two complete pages")
    times = np.array([p.time_ms for p in pages], dtype=np.int64)
    step_ms = int(np.median(np.diff(times)))
    period_ms = int(times[-1] - times[0]) + step_ms
    copies = _copies_needed(duration_s, period_ms / 1000.0)
    total = copies * len(pages)
    header, count = re.subn(rb"(Number of Pages:)[^\r\n]*", rb"\g<1>%d" % total, text[:start], count=1)
    if count != 1:
        raise ValueError(f"{source.name}: no 'Number of Pages' in the header")
    unit_bytes = sum(len(p.head) + len(p.mid) + len(p.rest) + 30 for p in pages)

    def pieces() -> Iterator[bytes]:
        yield header
        for k0, k1 in _batches(copies, unit_bytes):
            shift = np.repeat(np.arange(k0, k1, dtype=np.int64) * period_ms, len(pages))
            stamps = page_times_text(np.tile(times, k1 - k0) + shift)
            parts: list[bytes] = []
            for j, stamp in enumerate(stamps):
                page = pages[j % len(pages)]
                seq = b"%d" % (k0 * len(pages) + j)
                parts += (page.head, seq, page.mid, stamp.encode("ascii"), page.rest)
            yield b"".join(parts)

    return _write_atomically(target, pieces())


# --------------------------------------------------------------------------------------------- by format
BUILDERS: dict[str, tuple[str, Callable[[Path, Path, float], Path]]] = {
    "axivity": ("axivity_cwa/openmovement_example-610-steps.cwa", build_long_cwa),
    "actigraph": ("actigraph_gt3x/readgt3x_TAS1H30182785_2019-09-17.gt3x", build_long_gt3x),
    "geneactiv": ("geneactiv_bin/GGIRread_GENEActiv_testfile.bin", build_long_geneactiv),
}
"""Per format (backstride's name for it): the real source file under ``devices/`` and its builder."""


def source_path(fmt: str, devices: Path = DEVICES) -> Path:
    """The real short file the long ``fmt`` file is built from."""
    return devices / BUILDERS[fmt][0]


def build(fmt: str, duration_s: float, out: Path = OUT, devices: Path = DEVICES) -> Path:
    """The long ``fmt`` file of ``duration_s`` (cached in ``out``; built when missing)."""
    relative, builder = BUILDERS[fmt]
    return builder(devices / relative, out, duration_s)
