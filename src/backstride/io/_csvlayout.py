"""How a CSV file is laid out, found from its first lines: delimiter, comment and label lines above the names,
which columns hold the time, the acceleration and the angular rate, and their units.

Header names are matched case-insensitively after dropping punctuation and a trailing unit, so ``time_s``,
``Time (s)``, ``timestamp``, ``acc_x``, ``ax``, ``AccX``, ``Acceleration x (m/s^2)``, ``gyr_x``, ``gx``,
``gyro_x``, ``Gyroscope x (rad/s)``, MetaBase's ``x-axis (g)`` ... are all recognised; a unit in the header
(``(m/s^2)``, ``[g]``, ``_dps``, ``(rad/s)``, ``time (ms)``) is taken as declared. Comma, semicolon and tab
delimiters are recognised from the header line (a decimal comma with the latter two); leading ``#`` comment
lines are skipped. :func:`sniff` returns the :class:`CsvLayout`; :mod:`backstride.io._csv` reads the rows.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import time
import unicodedata
import weakref
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from backstride._errors import (
    InputError,
    NoReadingsError,
    NoTimeColumnError,
    OptionNeeded,
    UnsupportedFormatError,
)
from backstride._words import some
from backstride.io._clocktext import ClockText, clock_text, is_clock_text
from backstride.io._movella import (
    SAMPLE_TIME_FINE,
    free_acceleration,
    movella_device,
    time_wrap_of,
)
from backstride.io._unpackcap import max_unpacked_bytes, too_large

AXES = ("x", "y", "z")
TIME_KEYS = (
    "time",
    "zeit",  # a phyphox experiment's names in German, French, Spanish, Italian ("Zeit (s)")
    "temps",
    "tiempo",
    "tempo",
    SAMPLE_TIME_FINE,  # Movella DOT: the sensor's clock in microseconds
    "accelerometertimestampsincereboot",  # SensorLog (iOS): the accelerometer's own clock
    "motiontimestampsincereboot",  # SensorLog: the device motion's (when the accelerometer is not logged)
    "t",
    "times",
    "epoc",  # MbientLab's MetaBase: "epoc (ms)", Unix time; its "timestamp (+0200)" is the local time as text
    "timestamp",
    "timestamps",
    "seconds",
    "sec",
    "timesec",
    "timeseconds",
    "elapsed",
    "elapsedtime",
    "secondselapsed",
    "datetime",
    "date",
    "utc",
    "timeutc",
    "utctime",
    "localtime",
    "epoch",
    "epochtime",
    "unixtime",
    "timestampunix",  # Shimmer's Consensys export (Shimmer_XXXX_Timestamp_Unix_CAL, in ms)
    "timestampsyncunix",
)
ACC_PREFIXES = (
    "acc",
    "gforce",  # Physics Toolbox Sensor Suite's g-force meter (gFx, in g, gravity included); its plain
    "gf",  # ax/ay/az are linear acceleration, so gF comes first
    "a",
    "accel",
    "acceleration",
    "accelerometer",
    "totalacceleration",
    "accelerationwithg",
    "accelerometeracceleration",  # SensorLog (iOS), in G
    "accelln",  # Shimmer3's low-noise accelerometer (Accel_LN_X_CAL), then its wide-range one
    "accelwr",
    "beschleunigung",  # German ("Beschleunigung x (m/s^2)"); French is "acceleration" once accents are off
    "aceleracion",  # Spanish, Italian
    "accelerazione",
)
GYR_PREFIXES = (
    "gyr",
    "g",
    "gyro",
    "gyroscope",
    "angularvelocity",
    "angularrate",
    "gyroskop",  # German
    "rotationrate",
    "gyrorotation",  # SensorLog (iOS): the raw gyroscope
    "motionrotationrate",  # SensorLog: the device-motion (bias-corrected) gyroscope
    "rot",
    "omega",
    "w",
)
# Columns written with Core Motion's sign, the opposite of Android's and of a logger's: SensorLog (iOS, Bernd
# Thomas) logs Core Motion's accelerometer as it comes, in G, and Core Motion gives the inertial force, so gravity
# reads -1 G along the axis that points up. phyphox's iOS app multiplies the same values by -9.81 for this
# reason (its ExperimentSensorInput.swift) and Sensor Logger documents the difference (CROSSPLATFORM.md). Nothing
# measured depends on the sign but which foot is left and which right: a recording and its negative are a walk
# and its mirror image, which no signal can tell apart.
CORE_MOTION_SIGN_PREFIXES = ("accelerometeracceleration", "motionuseracceleration")
LINEAR_PREFIXES = (
    "linearacceleration",
    "linearacc",
    "linacc",
    "useracceleration",
    "useracc",
    "motionuseracceleration",  # SensorLog: Core Motion's device motion, whose gravity is motionGravity
    "linearebeschleunigung",  # German and French ("Accélération linéaire x")
    "accelerationlineaire",
)
# Gravity logged apart from the linear acceleration (phone apps that log the operating system's sensor fusion):
# the two add up to the acceleration with gravity (Core Motion: "the total acceleration of the device is equal
# to gravity plus userAcceleration"; Android's linear acceleration is the accelerometer's minus gravity).
GRAVITY_PREFIXES = ("gravity", "grav", "motiongravity")

_UNIT_ALIASES = {
    "m/s2": "m/s2",
    "ms-2": "m/s2",
    "mps2": "m/s2",
    "ms2": "m/s2",
    "m/s/s": "m/s2",
    "m/(s2)": "m/s2",  # Shimmer's Consensys
    "g": "g",
    "mg": "mg",
    "rad/s": "rad/s",
    "rads": "rad/s",
    "rads-1": "rad/s",
    "rad/sec": "rad/s",
    "deg/s": "deg/s",
    "degs": "deg/s",
    "dps": "deg/s",
    "degs-1": "deg/s",
    "deg/sec": "deg/s",
    "degree/s": "deg/s",
    "degrees/s": "deg/s",
    "s": "s",
    "sec": "s",
    "secs": "s",
    "seconds": "s",
    "ms": "ms",
    "us": "us",
    "µs": "us",
    "μs": "us",
    "ns": "ns",
}
# a time column whose name says its unit: Arduino's millis() and micros() (microcontroller loggers write the
# board's clock under the function's name) or a bare "ms", read as "time"; Movella DOT's SampleTimeFine, in µs
_TIME_UNIT_NAMES = {
    "millis": ("ms", "time"),
    "micros": ("us", "time"),
    "ms": ("ms", "time"),
    SAMPLE_TIME_FINE: ("us", SAMPLE_TIME_FINE),
}
_SUFFIX_UNITS = {"g", "mg", "mps2", "ms2", "dps", "degs", "rads", "s", "sec", "ms", "us", "ns"}
SAMPLE_BYTES = 1 << 16  # how much of a text file is looked at to find its layout


def normalise_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    text = unit.strip().lower().replace(" ", "").replace("²", "2").replace("^", "").replace("°", "deg")
    return _UNIT_ALIASES.get(text)


def parse_header_name(name: str) -> tuple[str, str | None]:
    """``'Acceleration x (m/s^2)'`` → ``('accelerationx', 'm/s2')``; ``'time_ms'`` → ``('time', 'ms')``."""
    words, unit = _header_words(name)
    return "".join(words), unit


def _header_words(name: str) -> tuple[list[str], str | None]:
    """A column name's lower-case words and its unit, in brackets at its end or as its last word."""
    text = name.strip().strip('"').strip()
    unit: str | None = None
    match = re.search(r"[\(\[]([^\)\]]*)[\)\]]\s*$", text)
    if match:
        unit = normalise_unit(match.group(1))
        text = text[: match.start()]
    # accents off ("Accélération x" is "acceleration x"), so a name in French is known as in English
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", folded)
    if unit is None and len(words) >= 2 and words[-1] in _SUFFIX_UNITS:
        unit = normalise_unit(words.pop())
    if unit is None and len(words) == 1 and words[0] in _TIME_UNIT_NAMES:  # Arduino's millis(), a bare "ms"
        unit, key = _TIME_UNIT_NAMES[words[0]]
        words = [key]
    if len(words) >= 2 and words[-1] == "axis" and words[-2] in AXES:  # "x-axis (g)": the axis is "x"
        words.pop()
    return words, unit


@dataclass
class CsvLayout:
    """Where the columns are and how the file is written (found from its first lines)."""

    path: Path
    gzip: bool
    skip_rows: int
    delimiter: str
    decimal: str
    names: list[str]
    time_index: int
    acc_index: tuple[int, int, int]
    gyr_index: tuple[int, int, int] | None
    time_unit: str | None = None
    acc_unit: str | None = None
    gyr_unit: str | None = None
    time_type: Any = None
    naive_time: bool = False
    notes: list[str] = field(default_factory=list)
    header: bool = True  # False: the data start on line skip_rows + 1 (no names line)
    label_rows: int = 0  # rows of units (or other labels) between the names and the data
    counter_rate_hz: float | None = None  # time from a sample counter at this stated rate (no time column)
    counter_wraps: int = 0  # how often the counter has wrapped so far (a streamed file's earlier blocks)
    counter_last: float | None = None
    rows_timed: int = 0  # rows timed so far by their number (no time column, a rate given)
    rate_given: bool = False  # counter_rate_hz is the caller's, not stated in the file
    acc_sign: float = 1.0  # -1: acceleration written with Core Motion's sign, turned to Android's on reading
    gravity_index: tuple[int, int, int] | None = None  # gravity's columns, added to linear acceleration's
    # the orientation's columns (4: a quaternion, 3: Euler angles) when acc_index holds the earth-frame free
    # acceleration (Movella DOT), turned into the sensor's frame on reading
    orientation_index: tuple[int, ...] | None = None
    time_wrap: float | None = None  # the time column counts modulo this, in its own unit (Movella's 2**32 µs)
    device: str | None = None  # the device the lines above the names name (Movella DOT's DeviceTag)
    logged_start: datetime | None = None  # the wall clock at the first row, when the time column has none
    zone: tzinfo | None = None  # the local time's offset the header states ("timestamp (+0200)")
    clock: ClockText | None = None  # a time column written as a clock ("13:05:10.250", "23/09/2026 13:05:10")

    @property
    def source(self) -> str:
        return self.path.name

    @property
    def first_line(self) -> int:
        return self.skip_rows + (2 if self.header else 1) + self.label_rows

    @property
    def internal(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.names))]


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


class _GzipAsFarAsItGoes(io.RawIOBase):
    """A gzip file's text as far as its compressed data goes. A file cut short (an interrupted download,
    copy or upload) ends after its last whole line, with ``cut_short`` set, instead of raising at its end
    and losing what came before; damaged data still raises (``zlib.error``, ``gzip.BadGzipFile``), and so
    does a text that unpacks beyond the limit (:mod:`backstride.io._unpackcap`)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._name = path.name
        self._most, self._count = max_unpacked_bytes(), 0
        self._file = gzip.open(path, "rb")  # noqa: SIM115 (closed with this reader)
        self.cut_short = False
        self._ready = b""  # decompressed, up to a line end: handed out
        self._at = 0
        self._partial = b""  # after the last line end: held until the line is known to be whole
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._at == len(self._ready) and not self._ended:
            try:
                data = self._file.read1(1 << 20)  # one step of decompression: nothing is held back by gzip
            except EOFError:  # the end-of-stream marker never came: the partial line is dropped
                self.cut_short, self._ended, self._ready, self._at = True, True, b"", 0
                break
            except zlib.error as exc:  # as an OSError, which every reader turns into one clear message
                raise OSError(f"the compressed data is damaged ({exc})") from exc
            if not data:
                self._ended, self._ready, self._at, self._partial = True, self._partial, 0, b""
                break
            self._count += len(data)
            if self._count > self._most:
                raise too_large(self._name)
            data = self._partial + data
            end = data.rfind(b"\n") + 1
            if end == 0 and len(data) > 1 << 20:  # no line ends at all (not text): nothing to hold back for
                end = len(data)
            self._ready, self._at, self._partial = data[:end], 0, data[end:]
        n = min(len(buffer), len(self._ready) - self._at)
        buffer[:n] = self._ready[self._at : self._at + n]
        self._at += n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


class GzipReader(io.BufferedReader):
    """A gzip file read as far as it goes (see :class:`_GzipAsFarAsItGoes`); ``cut_short`` once its end is
    reached tells whether the file was cut short."""

    raw: _GzipAsFarAsItGoes

    def __init__(self, path: Path) -> None:
        super().__init__(_GzipAsFarAsItGoes(path), buffer_size=1 << 20)

    @property
    def cut_short(self) -> bool:
        return self.raw.cut_short


GZIP_CUT_SHORT = "the compressed file is cut short (an interrupted download, copy or upload?): read up to its last whole line"


@contextlib.contextmanager
def arrow_source(path: Path, gzipped: bool) -> Iterator[tuple[Any, GzipReader | None]]:
    """What pyarrow's CSV readers read: the file's path, or a gzip file's text as far as it goes, with the
    :class:`GzipReader` to ask once it is read whether the file was cut short (``None`` for a plain file)."""
    if not gzipped:
        yield str(path), None
        return
    with GzipReader(path) as gz:
        yield pa.input_stream(gz), gz


class RowHandler:
    """A Python row handler given to a pyarrow CSV reader (``ParseOptions(invalid_row_handler=h.relay)``), and
    :meth:`let_go`, which waits until pyarrow has let go of it.

    pyarrow frees a finished reader on one of its own threads, a moment after ``read_csv`` returns (or the last
    block is read), and so lets go of the Python handler, which takes the GIL. When Python is already shutting
    down by then (a command that stops at once on an error found in the rows just read: "time goes backwards
    on line 3002"), that thread is ended inside C++ and the process aborts ("terminate called without an active
    exception", exit 134; 1 to 2 runs in 90 on a busy machine). Waiting for it before going on, a millisecond
    at most in practice, closes that window. The caller drops its options and reader before :meth:`let_go`.
    """

    WAIT_S = 1.0

    def __init__(self, handler: Callable[[Any], str]) -> None:
        self.relay: _Relay | None = _Relay(handler)
        self._gone = weakref.ref(self.relay)

    def let_go(self) -> None:
        self.relay = None
        deadline = time.monotonic() + self.WAIT_S
        while self._gone() is not None and time.monotonic() < deadline:
            time.sleep(0.001)  # lets pyarrow's thread take the GIL to let go


class _Relay:
    """What pyarrow holds of a row handler: nothing else does, so it is gone once pyarrow has let go."""

    __slots__ = ("__weakref__", "handler")

    def __init__(self, handler: Callable[[Any], str]) -> None:
        self.handler = handler

    def __call__(self, row: Any) -> str:
        return self.handler(row)


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip (recognised by content, not by name; as far as it goes
    when it is cut short: a :class:`GzipReader`)."""
    if is_gzip(path):
        return GzipReader(path)
    return path.open("rb")


def read_head(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    try:
        with open_binary(path) as handle:
            return handle.read(size)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read {path.name}: {exc}") from exc


def _utf16_text(head: bytes) -> bool:
    """Whether ``head`` is text in UTF-16: with its byte order mark, or ASCII text whose every other byte is
    zero; decoded, nearly all of it printable (a binary file that starts with the mark is not)."""
    pairs = len(head) // 2
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif pairs >= 8 and head[1::2].count(0) >= 0.9 * pairs and 0 not in head[0::2]:
        encoding = "utf-16-le"
    elif pairs >= 8 and head[0::2].count(0) >= 0.9 * pairs and 0 not in head[1::2]:
        encoding = "utf-16-be"
    else:
        return False
    text = head[: 2 * pairs].decode(encoding, errors="replace")
    return sum(c.isprintable() or c in "\r\n\t" for c in text) >= 0.95 * max(len(text), 1)


def head_text(path: Path) -> str | None:
    """The first bytes as text, or ``None`` when the file is binary (not a CSV); a text file with a block of zero
    bytes gives its text before them (:func:`_text_before_zeros`)."""
    head = read_head(path)
    if b"\x00" in head:
        # UTF-16 text is not read, so not a recording by its content (a study's notes in it are passed over)
        if _utf16_text(head):
            raise UnsupportedFormatError(
                f"{path.name} is text in UTF-16 (Windows' 'Unicode', as Excel's 'Unicode Text' and Windows "
                "PowerShell's '>' save it), which backstride does not read: save it as UTF-8 (Excel: 'CSV UTF-8'; "
                "Notepad: encoding UTF-8) and give that file"
            )
        text = _text_before_zeros(head)
        if text is None:
            return None
        head = text
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by the sample boundary
            return head[: exc.start].decode("utf-8", errors="replace")
        try:
            return head.decode("latin-1") if head.isascii() else None
        except UnicodeDecodeError:
            return None


# lines of text before a block of zero bytes that make the file a damaged text file rather than a binary one
ZEROED_TEXT_MIN_LINES = 2


def _text_before_zeros(head: bytes) -> bytes | None:
    """The bytes before the first zero byte of ``head`` when they hold lines: a text file that a crash while
    writing (a phone app's file, space taken ahead and never filled) or an interrupted copy left with a block
    of zeros; None for a binary file, whose zeros come before any lines (bytes before them that are no UTF-8
    text are found so by :func:`head_text`, which decodes them). A long file's zeros lie past the part looked
    at and are met by the reader, which drops a last line of zeros as incomplete and names a line holding
    them; a short file is read the same way, not refused as binary for them."""
    before = head[: head.index(b"\x00")]
    return before if before.count(b"\n") >= ZEROED_TEXT_MIN_LINES else None


def split_header(line: str, declared: str | None = None) -> tuple[str, list[str]]:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    delimiter = declared or max(counts, key=lambda d: counts[d])
    if counts.get(delimiter, 1) == 0:
        delimiter = ","
    return delimiter, [cell.strip().strip('"').strip() for cell in line.split(delimiter)]


# a spreadsheet's delimiter hint on the first line, as Shimmer's Consensys writes it: "sep=\t"
_SEP_LINE = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)
MAX_LABEL_ROWS = 3


# "Name: value" above the names, without a delimiter: "Acquisition frequency: 100 Hz" (the IPOL gait data set's
# XSens files), "// Update Rate: 100.0Hz" (XSens MT Manager's export, a comment)
_INFO_LINE = re.compile(r"^\s*[A-Za-z][^,;\t:]*:[^,;\t]*$")
_RATE = re.compile(r"(?:frequency|rate)\D{0,20}?(\d+(?:\.\d+)?)\s*hz", re.IGNORECASE)
# "Name:,value" above the names, the delimiter after the colon (Movella DOT's export: "DeviceTag:,1",
# "OutputRate:,60Hz", "StartTime: ,2025-07-11_20:06:00_086 WEST"), and its title line ("© Movella Technologies")
_INFO_CELLS = re.compile(r"^\s*[A-Za-z][^,;\t:]*:\s*[,;\t][^,;\t]*[,;\t]*\s*$")
_TITLE_LINE = re.compile(r"^[^,;\t]*(©|\(c\)|copyright)[^,;\t]*$", re.IGNORECASE)
# a column counting the samples, for a file that has no time column but states its rate above the names
COUNTER_KEYS = ("packetcounter", "samplecounter", "counter", "samplenumber", "sampleindex", "sample", "index")


def is_preamble(line: str) -> bool:
    """A line before a CSV's names: blank, a ``#`` or ``//`` comment, a spreadsheet's ``sep=;`` hint, a
    ``Name: value`` line without a delimiter or a ``Name:,value`` one, or a copyright line."""
    text = line.lstrip()
    return (
        not text.strip()
        or text.startswith(("#", "//"))
        or _SEP_LINE.match(line) is not None
        or _INFO_LINE.match(line) is not None
        or _INFO_CELLS.match(line) is not None
        or _TITLE_LINE.match(line.strip()) is not None
    )


def _stated_rate(lines: Sequence[str]) -> float | None:
    """The sampling rate a line above the names states ("Acquisition frequency: 100 Hz"), if one does."""
    for line in lines:
        found = _RATE.search(line)
        if found and 0 < float(found.group(1)) <= 10_000:
            return float(found.group(1))
    return None


def _label_rows(lines: Sequence[str], delimiter: str) -> list[list[str]]:
    """The rows right under the names that hold labels (units, "CAL"), no numbers: skipped, units kept."""
    rows: list[list[str]] = []
    for line in lines:
        cells = [c.strip().strip('"').strip() for c in line.split(delimiter)]
        filled = [c for c in cells if c]
        if not filled or any(is_number(c) for c in filled):
            break
        if _text_time_type(line, delimiter, 0)[0] is not None or is_clock_text(cells[0]):  # a time: data
            break
        rows.append(cells)
    return rows


_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", " ": "spaces", "|": "bars"}


def _suggested_header(count: int, delimiter: str) -> str:
    """A header for ``count`` unnamed columns: time, acceleration, angular rate, then ``other5`` ..."""
    names = ["time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    if count < 7:
        names = names[:4]
    return delimiter.join([*names[:count], *(f"other{i}" for i in range(len(names) + 1, count + 1))])


def _time_index(keys: Sequence[str]) -> int:
    """The time column among the columns' keys: a known name, else one that begins with time or date or ends
    with time ("timestamp_utc", "recording_time"); -1 when there is none."""
    found = next((keys.index(k) for k in TIME_KEYS if k in keys), -1)
    if found < 0:
        found = next(
            (i for i, k in enumerate(keys) if k.startswith(("time", "date")) or k.endswith("time")), -1
        )
    return found


def _without_common_ends(keys: list[str], tokens: list[list[str]]) -> list[str]:
    """Keys with the words every named column begins and ends with taken off (a device's name, "cal")."""
    named = [t for t in tokens if t]
    if len(named) < 2:
        return keys
    head = 0
    while all(len(t) > head + 1 and t[head] == named[0][head] for t in named):
        head += 1
    tail = 0
    while all(len(t) > head + tail + 1 and t[-1 - tail] == named[0][-1 - tail] for t in named):
        tail += 1
    if head == 0 and tail == 0:
        return keys
    return ["".join(t[head : len(t) - tail]) if t else k for t, k in zip(tokens, keys, strict=True)]


def _find_column(names: Sequence[str], wanted: str, what: str, source: str) -> int:
    for i, name in enumerate(names):
        if name == wanted:
            return i
    for i, name in enumerate(names):
        if name.lower() == wanted.strip().lower():
            return i
    raise InputError(
        f"{source} has no column named {wanted!r} for the {what}; its columns are: {', '.join(names)}"
    )


def _match_axes(keys: Sequence[str], prefixes: Sequence[str]) -> tuple[int, int, int] | None:
    for prefix in prefixes:
        found = [keys.index(f"{prefix}{axis}") if f"{prefix}{axis}" in keys else -1 for axis in AXES]
        if all(i >= 0 for i in found):
            return (found[0], found[1], found[2])
    return None


def acceleration_axes(names: Sequence[str]) -> bool:
    """Whether column names hold an acceleration's three axes (``acc_x``, ``ax`` ...): a table, though perhaps
    one without its time column."""
    return _match_axes([parse_header_name(name)[0] for name in names], ACC_PREFIXES) is not None


def _common_unit(units: Sequence[str | None], indexes: Sequence[int]) -> str | None:
    found = {units[i] for i in indexes if units[i] is not None}
    return found.pop() if len(found) == 1 else None


def sniff(
    path: Path,
    *,
    time_column: str | None = None,
    acc_columns: Sequence[str] | None = None,
    gyr_columns: Sequence[str] | None = None,
    time_unit: str | None = None,
    rate_hz: float | None = None,
) -> CsvLayout:
    """Find the header, delimiter and the time/acceleration/gyroscope columns of a CSV file; ``time_unit``
    (s, ms, us, ns or d) wins over the header's and over detection. ``rate_hz`` times a file without a time
    column: by its sample counter when it has one, else by the rows' numbers (evenly spaced)."""
    text = head_text(path)
    if text is None:
        raise UnsupportedFormatError(f"{path.name} is not a text file, so it cannot be a CSV recording")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise NoReadingsError(f"{path.name} is empty")
    lines = text.splitlines()
    skip = 0
    declared: str | None = None  # a spreadsheet's "sep=;" line names the delimiter
    while skip < len(lines) and is_preamble(lines[skip]):
        found = _SEP_LINE.match(lines[skip])
        declared = found.group(1) if found else declared
        skip += 1
    if skip >= len(lines):
        raise InputError(f"{path.name} holds only comments and no header line")
    delimiter, names = split_header(lines[skip], declared)
    labels = _label_rows(lines[skip + 1 : skip + 1 + MAX_LABEL_ROWS], delimiter)
    data_lines = [line for line in lines[skip + 1 + len(labels) :] if line.strip()]
    decimal = "."
    header = not _is_data_row(names)
    notes: list[str] = []
    if not header:
        if len(names) != len(HEADERLESS) or time_column or acc_columns or gyr_columns:
            raise InputError(
                f"{path.name} has no header line (the first line is data, {len(names)} values separated by "
                f"{_SEPARATORS.get(delimiter, repr(delimiter))}); add one naming its columns, such as "
                f"{_suggested_header(len(names), delimiter)} (the time first, in seconds; acc_ for the "
                "acceleration, in m/s² or g; gyr_ for an angular rate; other columns are left aside)"
            )
        names = list(HEADERLESS)
        data_lines = [lines[skip], *data_lines]
        notes.append("no header line: the four columns read as time, x, y, z")
    if (
        header
        and data_lines
        and all(
            len(cells) == len(names) + 1 and not cells[-1].strip()
            for cells in (line.split(delimiter) for line in data_lines[:20])
        )
    ):  # every row ends with a delimiter the names line lacks (Movella DOT's export): an empty column
        names = [*names, ""]
    if delimiter != "," and data_lines and "," in data_lines[0]:
        decimal = ","  # phyphox and spreadsheet exports in many locales: ";" or tab with decimal comma
    parsed = [_header_words(name) for name in names]
    keys = ["".join(words) for words, _ in parsed]
    units = [unit for _, unit in parsed]
    for row in labels:  # a units row under the names: "ms", "m/(s^2)", "deg/s"
        units = [u or (normalise_unit(row[i]) if i < len(row) else None) for i, u in enumerate(units)]
    if _time_index(keys) < 0 or _match_axes(keys, ACC_PREFIXES) is None:
        # "Shimmer_40AC_Accel_LN_X_CAL": the device's name around every column
        keys = _without_common_ends(keys, [words for words, _ in parsed])
    source = path.name

    counter_rate: float | None = None
    if time_column is not None:
        time_index = _find_column(names, time_column, "time", source)
    else:
        time_index = _time_index(keys)
        stated = _stated_rate(lines[:skip])
        rate = rate_hz if rate_hz is not None else stated  # what the caller says wins over the file
        if time_index < 0 and rate is not None:
            time_index = next((keys.index(k) for k in COUNTER_KEYS if k in keys), -1)
            counter_rate = rate if time_index >= 0 or rate_hz is not None else None
        if time_index < 0 and counter_rate is None:
            raise NoTimeColumnError(
                f"{source} has no time column (looked for time, t, timestamp, time_s, seconds ...; or a sample "
                "counter such as PacketCounter with the rate stated above the names); "
                f"its columns are: {some(list(names), 20)}",
                "name it with time_column (--time-column), or give the rate of its evenly spaced rows with "
                "rate_hz (--rate-hz)",
                list(names),
            )
    if rate_hz is not None and counter_rate is None:
        notes.append(f"the rate given ({rate_hz:g} Hz) is left aside: the file's time column times it")

    gravity_index: tuple[int, int, int] | None = None
    orientation_index: tuple[int, ...] | None = None
    if acc_columns is not None:
        if len(acc_columns) != 3:
            raise InputError(f"acc_columns needs three names (x, y, z), got {len(acc_columns)}")
        a = [_find_column(names, c, "acceleration", source) for c in acc_columns]
        acc_index: tuple[int, int, int] | None = (a[0], a[1], a[2])
    else:
        acc_index = _match_axes(keys, ACC_PREFIXES)
        linear = _match_axes(keys, LINEAR_PREFIXES) if acc_index is None else None
        if linear is not None:
            gravity_index = _match_axes(keys, GRAVITY_PREFIXES)
            if gravity_index is None:
                raise InputError(
                    f"{source} holds linear acceleration (gravity removed) and no gravity, which cannot be used: "
                    "the gait analysis needs gravity to find the vertical; export the acceleration with g, or "
                    "gravity with it"
                )
            acc_index = linear
            notes.append(
                "acceleration with gravity rebuilt as "
                f"{', '.join(names[i] for i in linear)} + {', '.join(names[i] for i in gravity_index)}"
            )
        if acc_index is None and linear is None:
            acc_index, orientation_index = free_acceleration(keys, source)
            if acc_index is not None and orientation_index is not None:
                notes.append(
                    "acceleration with gravity rebuilt in the sensor's frame from the free acceleration "
                    f"({', '.join(names[i] for i in acc_index)}: the earth's frame, gravity taken off) and the "
                    f"orientation ({', '.join(names[i] for i in orientation_index)})"
                )
        if acc_index is None and _match_axes(keys, GYR_PREFIXES) is None:
            acc_index = _match_axes(keys, ("",))  # a single-sensor file with plain x, y, z columns
    if acc_index is not None and acc_columns is None and {units[i] for i in acc_index} <= {"deg/s", "rad/s"}:
        raise InputError(
            f"{source} holds angular rate ({', '.join(names[i] for i in acc_index)}), not acceleration: a "
            "logger that writes each sensor to a file of its own (MbientLab's MetaBase: …_Gyroscope.csv "
            "beside …_Accelerometer.csv) needs the accelerometer's file"
        )
    if acc_index is None:
        raise OptionNeeded(
            f"{source} has no acceleration columns (looked for acc_x/acc_y/acc_z, ax/ay/az, "
            f"Acceleration x ...); its columns are: {', '.join(names)}",
            "name them with acc_columns (--acc-columns)",
            {"acc_columns": None},
        )

    gyr_index: tuple[int, int, int] | None
    if gyr_columns is not None:
        if len(gyr_columns) != 3:
            raise InputError(f"gyr_columns needs three names (x, y, z), got {len(gyr_columns)}")
        g = [_find_column(names, c, "angular rate", source) for c in gyr_columns]
        gyr_index = (g[0], g[1], g[2])
    else:
        gyr_index = _match_axes(keys, GYR_PREFIXES)
    acc_sign = 1.0
    if all(keys[i].startswith(CORE_MOTION_SIGN_PREFIXES) for i in acc_index):  # and its gravity alike
        acc_sign = -1.0
        notes.append(
            "SensorLog (iOS) acceleration: turned to Android's sign (Core Motion gives the opposite)"
        )

    if not data_lines:
        raise NoReadingsError(f"{source} has a header but no data rows")
    time_type, stamp_zone = (
        _text_time_type(data_lines[0], delimiter, time_index) if time_index >= 0 else (None, None)
    )
    naive = time_type is not None and stamp_zone is None
    clock = None
    if (
        time_index >= 0 and time_type is None
    ):  # "13:05:10.250", "23/09/2026 13:05:10": read as text, then timed
        rows = [line.split(delimiter) for line in data_lines]
        at = keys.index("date") if "date" in keys and keys.index("date") != time_index else -1
        clock = clock_text(
            [row[time_index] for row in rows if time_index < len(row)],
            [row[at] for row in rows if 0 <= at < len(row)],
            names[at] if at >= 0 else None,
        )
        if clock is not None:
            time_type, naive = pa.string(), clock.form == "date" or clock.start_day is not None
            notes.extend(clock.notes)
    logged_start = None
    if time_index >= 0 and keys[time_index].endswith(SINCE_REBOOT) and LOGGING_TIME in keys:
        cells = data_lines[0].split(delimiter)
        where = keys.index(LOGGING_TIME)
        logged_start = _wall_clock(cells[where]) if where < len(cells) else None
    return CsvLayout(
        logged_start=logged_start,
        zone=next(filter(None, map(_stated_zone, names)), None) or stamp_zone,
        clock=clock,
        time_type=time_type,
        naive_time=naive,
        path=path,
        gzip=is_gzip(path),
        skip_rows=skip,
        header=header,
        label_rows=len(labels),
        counter_rate_hz=counter_rate,
        rate_given=counter_rate is not None and rate_hz is not None,
        acc_sign=acc_sign,
        gravity_index=gravity_index,
        orientation_index=orientation_index,
        device=movella_device(lines[:skip]),
        time_wrap=time_wrap_of(keys, time_index),
        notes=notes,
        delimiter=delimiter,
        decimal=decimal,
        names=names,
        time_index=time_index,
        acc_index=acc_index,
        gyr_index=gyr_index,
        time_unit="ns"
        if time_type is not None
        else time_unit or (units[time_index] if time_index >= 0 else None),
        acc_unit=_common_unit(units, acc_index if gravity_index is None else (*acc_index, *gravity_index)),
        gyr_unit=None if gyr_index is None else _common_unit(units, gyr_index),
    )


def _text_time_type(line: str, delimiter: str, index: int) -> tuple[Any, tzinfo | None]:
    """For a time column written as date and time (ISO 8601), the pyarrow type to parse it and the offset
    from UTC its first stamp writes (``…T23:00:00+02:00``; None when it writes none), so that the recording
    starts in the time zone the file states (pyarrow parses every stamp to UTC); ``(None, None)`` for a
    numeric time column."""
    cells = line.split(delimiter)
    if index >= len(cells):
        return None, None
    cell = cells[index].strip().strip('"')
    if is_number(cell):
        return None, None
    try:
        stamp = datetime.fromisoformat(cell.replace("Z", "+00:00"))
    except ValueError:
        return None, None
    if stamp.tzinfo is None:
        return pa.timestamp("ns"), None
    return pa.timestamp("ns", tz="UTC"), stamp.tzinfo


#: a file without a header line is read only when it has exactly these columns (Axivity OMGUI's CSV export,
#: for one: date and time, then x, y, z in g)
HEADERLESS = ("time", "x", "y", "z")


def _is_data_row(cells: Sequence[str]) -> bool:
    """Whether a first line is data rather than names: a number or an ISO date and time, then numbers."""
    values = [c.strip().strip('"') for c in cells]
    if len(values) < 2 or not all(is_number(v) for v in values[1:]):
        return False
    if is_number(values[0]) or is_clock_text(values[0]):
        return True
    try:
        datetime.fromisoformat(values[0].replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


# SensorLog's time columns count seconds since the phone restarted; its first column is the wall clock of each
# row with the phone's offset from UTC ("2025-10-09 10:53:20.004 +0200"), which dates the recording
SINCE_REBOOT = "timestampsincereboot"
LOGGING_TIME = "loggingtime"
_OFFSET_APART = re.compile(r"^(.*\d)\s+([+-]\d\d:?\d\d)$")


_ZONE_NAME = re.compile(r"^\s*timestamp\s*\(\s*(?:GMT|UTC)?\s*([+-])(\d\d):?(\d\d)\s*\)\s*$", re.IGNORECASE)


def _stated_zone(name: str) -> tzinfo | None:
    """The offset from UTC a column's name states for the local time beside a Unix-time column: MetaBase's
    ``timestamp (+0200)`` (iOS) or ``timestamp (GMT+02:00)``; else None."""
    match = _ZONE_NAME.match(name)
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def _wall_clock(cell: str) -> datetime | None:
    """A date and time with its offset from UTC, as SensorLog writes it, or None."""
    text = _OFFSET_APART.sub(r"\1\2", cell.strip().strip('"'))
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None
