"""Generic CSV (also gzip-compressed): a time column, three acceleration columns, optionally three gyroscope.

Parsing uses ``pyarrow.csv`` (multi-threaded, straight into float64 arrays, no pandas); columns are copied
once, chunk by chunk, into the ``(n, 3)`` arrays the recording keeps. Header names are matched
case-insensitively after dropping punctuation and a trailing unit, so ``time_s``, ``Time (s)``,
``timestamp``, ``acc_x``, ``ax``, ``AccX``, ``Acceleration x (m/s^2)``, ``gyr_x``, ``gx``, ``gyro_x``,
``Gyroscope x (rad/s)``, MetaBase's ``x-axis (g)`` ... are all recognised; a unit in the header (``(m/s^2)``,
``[g]``, ``_dps``, ``(rad/s)``, ``time (ms)``) is taken as declared. Comma, semicolon and tab delimiters are recognised from
the header line (a decimal comma with the latter two); leading ``#`` comment lines are skipped.

Bad lines: a final line cut short (no line end, missing or unreadable cells: an interrupted upload) is
dropped with a note; any other line with the wrong number of cells, or a cell that is not a number, is an
:class:`~backstride.InputError` naming the line and the column.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from backstride._errors import InputError, UnsupportedFormatError
from backstride.io._memory import empty
from backstride.io._raw import RawSignals
from backstride.io._units import EPOCH_MAX_S, time_scale
from backstride.recording import FloatArray

AXES = ("x", "y", "z")
TIME_KEYS = (
    "time",
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
)
GYR_PREFIXES = (
    "gyr",
    "g",
    "gyro",
    "gyroscope",
    "angularvelocity",
    "angularrate",
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
_SUFFIX_UNITS = {"g", "mps2", "ms2", "dps", "degs", "rads", "s", "sec", "ms", "us", "ns"}
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
    words = re.findall(r"[a-z0-9]+", text.lower())
    if unit is None and len(words) >= 2 and words[-1] in _SUFFIX_UNITS:
        unit = normalise_unit(words.pop())
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
    acc_sign: float = 1.0  # -1: acceleration written with Core Motion's sign, turned to Android's on reading
    gravity_index: tuple[int, int, int] | None = None  # gravity's columns, added to linear acceleration's
    logged_start: datetime | None = None  # the wall clock at the first row, when the time column has none
    zone: tzinfo | None = None  # the local time's offset the header states ("timestamp (+0200)")

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


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip (recognised by content, not by name)."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_head(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    try:
        with open_binary(path) as handle:
            return handle.read(size)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read {path.name}: {exc}") from exc


@contextlib.contextmanager
def quiet_row_decoding() -> Iterator[None]:
    """Keep pyarrow's failed decoding of a malformed row off stderr.

    pyarrow decodes a row with the wrong number of cells as UTF-8 before it calls the invalid-row handler;
    when the row holds bytes that are not UTF-8 (a damaged file, a binary renamed ``.csv``) the decoding
    error cannot propagate and Python prints it to stderr as "Exception ignored ...". The read then fails
    with pyarrow's parse error, which the readers turn into one clear message; only that noise is dropped.
    """
    previous = sys.unraisablehook

    def hook(info: Any) -> None:
        if not isinstance(info.exc_value, UnicodeDecodeError):
            previous(info)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def head_text(path: Path) -> str | None:
    """The first bytes as text, or ``None`` when the file is binary (not a CSV)."""
    head = read_head(path)
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by the sample boundary
            return head[: exc.start].decode("utf-8", errors="replace")
        try:
            return head.decode("latin-1") if head.isascii() else None
        except UnicodeDecodeError:
            return None


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
# a column counting the samples, for a file that has no time column but states its rate above the names
COUNTER_KEYS = ("packetcounter", "samplecounter", "counter", "samplenumber", "sampleindex", "sample", "index")
COUNTER_WRAP = 65536  # XSens's PacketCounter is a 16-bit count


def is_preamble(line: str) -> bool:
    """A line before a CSV's names: blank, a ``#`` or ``//`` comment, a spreadsheet's ``sep=;`` hint, or a
    ``Name: value`` line without a delimiter."""
    text = line.lstrip()
    return (
        not text.strip()
        or text.startswith(("#", "//"))
        or _SEP_LINE.match(line) is not None
        or _INFO_LINE.match(line) is not None
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
        if not filled or any(_is_number(c) for c in filled):
            break
        if _text_time_type(line, delimiter, 0)[0] is not None:  # a date and time: data
            break
        rows.append(cells)
    return rows


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
) -> CsvLayout:
    """Find the header, delimiter and the time/acceleration/gyroscope columns of a CSV file; ``time_unit``
    (s, ms, us or ns) wins over the header's and over detection."""
    text = head_text(path)
    if text is None:
        raise UnsupportedFormatError(f"{path.name} is not a text file, so it cannot be a CSV recording")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{path.name} is empty")
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
                f"{path.name} has no header line (the first line is data, {len(names)} values); add a header "
                "such as time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
            )
        names = list(HEADERLESS)
        data_lines = [lines[skip], *data_lines]
        notes.append("no header line: the four columns read as time, x, y, z")
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
        rate = _stated_rate(lines[:skip])
        if time_index < 0 and rate is not None:
            time_index = next((keys.index(k) for k in COUNTER_KEYS if k in keys), -1)
            counter_rate = rate if time_index >= 0 else None
        if time_index < 0:
            raise InputError(
                f"{source} has no time column (looked for time, t, timestamp, time_s, seconds ...; or a sample "
                "counter such as PacketCounter with the rate stated above the names); "
                f"its columns are: {', '.join(names)}; name it with time_column=..."
            )

    gravity_index: tuple[int, int, int] | None = None
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
        if acc_index is None and _match_axes(keys, GYR_PREFIXES) is None:
            acc_index = _match_axes(keys, ("",))  # a single-sensor file with plain x, y, z columns
    if acc_index is not None and acc_columns is None and {units[i] for i in acc_index} <= {"deg/s", "rad/s"}:
        raise InputError(
            f"{source} holds angular rate ({', '.join(names[i] for i in acc_index)}), not acceleration: a "
            "logger that writes each sensor to a file of its own (MbientLab's MetaBase: …_Gyroscope.csv "
            "beside …_Accelerometer.csv) needs the accelerometer's file"
        )
    if acc_index is None:
        raise InputError(
            f"{source} has no acceleration columns (looked for acc_x/acc_y/acc_z, ax/ay/az, "
            f"Acceleration x ...); its columns are: {', '.join(names)}; name them with acc_columns=[...]"
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

    if time_index < 0 or not data_lines:
        raise InputError(f"{source} has a header but no data rows")
    time_type, naive = _text_time_type(data_lines[0], delimiter, time_index)
    logged_start = None
    if keys[time_index].endswith(SINCE_REBOOT) and LOGGING_TIME in keys:
        cells = data_lines[0].split(delimiter)
        where = keys.index(LOGGING_TIME)
        logged_start = _wall_clock(cells[where]) if where < len(cells) else None
    return CsvLayout(
        logged_start=logged_start,
        zone=next(filter(None, map(_stated_zone, names)), None),
        time_type=time_type,
        naive_time=naive,
        path=path,
        gzip=is_gzip(path),
        skip_rows=skip,
        header=header,
        label_rows=len(labels),
        counter_rate_hz=counter_rate,
        acc_sign=acc_sign,
        gravity_index=gravity_index,
        notes=notes,
        delimiter=delimiter,
        decimal=decimal,
        names=names,
        time_index=time_index,
        acc_index=acc_index,
        gyr_index=gyr_index,
        time_unit="ns" if time_type is not None else time_unit or units[time_index],
        acc_unit=_common_unit(units, acc_index if gravity_index is None else (*acc_index, *gravity_index)),
        gyr_unit=None if gyr_index is None else _common_unit(units, gyr_index),
    )


def _text_time_type(line: str, delimiter: str, index: int) -> tuple[Any, bool]:
    """For a time column written as date and time (ISO 8601), the pyarrow type to parse it and whether it
    has no time zone; ``(None, False)`` for a numeric time column."""
    cells = line.split(delimiter)
    if index >= len(cells):
        return None, False
    cell = cells[index].strip().strip('"')
    if _is_number(cell):
        return None, False
    try:
        stamp = datetime.fromisoformat(cell.replace("Z", "+00:00"))
    except ValueError:
        return None, False
    if stamp.tzinfo is None:
        return pa.timestamp("ns"), True
    return pa.timestamp("ns", tz="UTC"), False


#: a file without a header line is read only when it has exactly these columns (Axivity OMGUI's CSV export,
#: for one: date and time, then x, y, z in g)
HEADERLESS = ("time", "x", "y", "z")


def _is_data_row(cells: Sequence[str]) -> bool:
    """Whether a first line is data rather than names: a number or an ISO date and time, then numbers."""
    values = [c.strip().strip('"') for c in cells]
    if len(values) < 2 or not all(_is_number(v) for v in values[1:]):
        return False
    if _is_number(values[0]):
        return True
    try:
        datetime.fromisoformat(values[0].replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


@dataclass
class _BadRows:
    texts: list[str] = field(default_factory=list)

    def __call__(self, row: Any) -> str:
        self.texts.append(str(row.text))
        return "skip"


def _options(layout: CsvLayout, bad: _BadRows, block_size: int | None = None) -> tuple[Any, Any, Any]:
    used = [layout.time_index, *layout.acc_index, *(layout.gravity_index or ()), *(layout.gyr_index or ())]
    internal = layout.internal
    read = pacsv.ReadOptions(
        column_names=internal,
        skip_rows=layout.skip_rows + (1 if layout.header else 0) + layout.label_rows,
        use_threads=True,
        **({"block_size": block_size} if block_size else {}),
    )
    parse = pacsv.ParseOptions(delimiter=layout.delimiter, invalid_row_handler=bad)
    convert = pacsv.ConvertOptions(
        column_types={
            internal[i]: layout.time_type if i == layout.time_index and layout.time_type else pa.float64()
            for i in used
        },
        include_columns=[internal[i] for i in dict.fromkeys(used)],
        decimal_point=layout.decimal,
    )
    return read, parse, convert


def _tail(layout: CsvLayout) -> tuple[bool, str]:
    """Whether the file ends with a line end, and its last non-empty line (read only on error paths)."""
    if not layout.gzip:
        with layout.path.open("rb") as handle:
            handle.seek(0, io.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 65536))
            data = handle.read()
    else:
        data = b""
        with open_binary(layout.path) as handle:
            while block := handle.read(1 << 20):
                data = (data + block)[-65536:]
    ends = data.endswith((b"\n", b"\r"))
    lines = [line for line in data.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return ends, lines[-1] if lines else ""


def _line_of(layout: CsvLayout, predicate: Any) -> tuple[int, str] | None:
    """First data line (number, text) for which ``predicate(cells)`` holds; a slow scan for messages only."""
    with open_binary(layout.path) as handle:
        stream = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
        for number, line in enumerate(stream, start=1):
            if number < layout.first_line or not line.strip():
                continue
            cells = [cell.strip().strip('"') for cell in line.rstrip("\r\n").split(layout.delimiter)]
            if predicate(cells):
                return number, line.rstrip("\r\n")
    return None


def _bad_cell(layout: CsvLayout, column: int) -> tuple[int, str] | None:
    def predicate(cells: list[str]) -> bool:
        if column >= len(cells) or len(cells) != len(layout.names):
            return False
        cell = cells[column]
        if cell.lower() in {"", "nan", "na", "n/a", "null", "-nan", "#n/a"}:
            return False
        return not _is_number(cell) if layout.decimal == "," else not _is_float(cell)

    return _line_of(layout, predicate)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_table(layout: CsvLayout) -> tuple[pa.Table, list[str]]:
    bad = _BadRows()
    read, parse, convert = _options(layout, bad)
    notes: list[str] = []
    source: Any = (
        str(layout.path) if not layout.gzip else pa.input_stream(str(layout.path), compression="gzip")
    )
    try:
        table = pacsv.read_csv(source, read_options=read, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        table = _after_conversion_error(layout, exc)
        notes.append(_TRUNCATED)
        bad = _BadRows()
    if bad.texts:
        notes.append(_bad_rows(layout, bad.texts))
    return table, notes


# files up to this size are parsed whole and multi-threaded; larger ones are streamed in bounded memory
WHOLE_READ_MAX_BYTES = 128 << 20
# pyarrow's streaming reader parses a fixed number of blocks ahead, so the block size bounds the memory:
# 1 MB blocks keep it near 40 MB, where 20 MB blocks held 450 MB for a day-long file
STREAM_BLOCK_BYTES = 1 << 20

_TRUNCATED = "the last line is incomplete (an interrupted export or upload?) and was dropped"


def _bad_rows(layout: CsvLayout, texts: list[str]) -> str:
    """The note when the only bad row is a cut-off last line; otherwise an error naming the first bad line."""
    ends, last = _tail(layout)
    if len(texts) == 1 and not ends and texts[0].strip() == last.strip():
        return _TRUNCATED
    text = texts[0].strip()
    found = _line_of(layout, lambda cells: layout.delimiter.join(cells) == text)
    where = f"line {found[0]}" if found else f"the line {text[:60]!r}"
    count = len(text.split(layout.delimiter))
    raise InputError(
        f"{layout.source}: {where} has {count} cells where the header has {len(layout.names)}"
        + (f" ({len(texts)} such lines)" if len(texts) > 1 else "")
    )


def _after_conversion_error(layout: CsvLayout, exc: pa.ArrowInvalid) -> pa.Table:
    match = re.search(r"column #(\d+)", str(exc))
    if match is None:
        raise InputError(f"{layout.source} could not be read as a CSV recording: {exc}") from exc
    column = int(match.group(1))  # pyarrow counts the file's columns from 0
    found = _bad_cell(layout, column)
    ends, last = _tail(layout)
    if found is not None and not ends and found[1].strip() == last.strip():
        with open_binary(layout.path) as handle:
            data = handle.read()
        cut = data.rstrip(b"\r\n").rfind(b"\n")
        bad = _BadRows()
        read, parse, convert = _options(layout, bad)
        return pacsv.read_csv(
            io.BytesIO(data[: cut + 1]), read_options=read, parse_options=parse, convert_options=convert
        )
    name = layout.names[column] if 0 <= column < len(layout.names) else f"#{match.group(1)}"
    if found is None:
        raise InputError(f"{layout.source}: column {name!r} holds a value that is not a number") from exc
    cells = found[1].split(layout.delimiter)
    value = cells[column].strip() if column < len(cells) else ""
    raise InputError(
        f"{layout.source}: line {found[0]}, column {name!r}: {value[:40]!r} is not a number"
    ) from exc


def _float64(chunk: pa.Array, stamps: bool) -> FloatArray:
    """One column chunk as float64 (a view of Arrow's buffer where possible); nulls become NaN.

    Arrow's own ``to_numpy`` imports pandas, a quarter of a second at every start; this reads the data and
    validity buffers directly.
    """
    if stamps or pa.types.is_integer(chunk.type):
        chunk = chunk.cast(pa.int64())
        dtype: type[np.generic] = np.int64
    else:
        if chunk.type != pa.float64():
            chunk = chunk.cast(pa.float64())
        dtype = np.float64
    validity, data = chunk.buffers()[0], chunk.buffers()[1]
    raw = np.frombuffer(data, dtype=dtype, count=len(chunk) + chunk.offset)[chunk.offset :]
    values: FloatArray = raw.astype(np.float64) if dtype is np.int64 else raw
    if chunk.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        valid = bits[chunk.offset : chunk.offset + len(chunk)].astype(bool)
        values = np.where(valid, values, np.nan)
    return values


def _fill(out: FloatArray, axis: int, column: pa.ChunkedArray) -> None:
    position = 0
    stamps = pa.types.is_timestamp(column.type)
    for chunk in column.chunks:
        values = _float64(chunk, stamps)
        out[position : position + len(values), axis] = values
        position += len(values)


def table_to_raw(layout: CsvLayout, table: pa.Table, *, first_time: float | None = None) -> RawSignals:
    """Arrays from a parsed table; the time is made relative to its first value (or ``first_time``)."""
    internal = layout.internal
    n = table.num_rows
    time = empty(n)
    _fill(time[:, None], 0, table.column(internal[layout.time_index]))
    acc = empty((n, 3))
    for axis, index in enumerate(layout.acc_index):
        _fill(acc, axis, table.column(internal[index]))
    if layout.gravity_index is not None:
        gravity = empty((n, 3))
        for axis, index in enumerate(layout.gravity_index):
            _fill(gravity, axis, table.column(internal[index]))
        acc += gravity
    if layout.acc_sign < 0:
        np.negative(acc, out=acc)
    gyr = None
    if layout.gyr_index is not None:
        gyr = empty((n, 3))
        for axis, index in enumerate(layout.gyr_index):
            _fill(gyr, axis, table.column(internal[index]))
    names = layout.names
    raw = RawSignals(
        time_s=time,
        acc=acc,
        gyr=gyr,
        source=layout.source,
        acc_names=(names[layout.acc_index[0]], names[layout.acc_index[1]], names[layout.acc_index[2]]),
        gyr_names=("", "", "")
        if layout.gyr_index is None
        else (names[layout.gyr_index[0]], names[layout.gyr_index[1]], names[layout.gyr_index[2]]),
        time_name=names[layout.time_index],
        first_line=layout.first_line,
        acc_unit=layout.acc_unit,
        gyr_unit=layout.gyr_unit,
    )
    return raw


def scale_time(raw: RawSignals, layout: CsvLayout, origin: float | None = None) -> tuple[float, float]:
    """Make ``raw.time_s`` seconds from ``origin`` (default: its first finite value); returns (origin, scale)."""
    t = raw.time_s
    if origin is None:
        if t.shape[0] == 0:
            raise InputError(f"{layout.source} has a header but no data rows")
        origin = float(t[0])
        if not np.isfinite(origin):
            raise InputError(
                f"{layout.source}: the time ({raw.time_name}) is missing on line {layout.first_line}"
            )
    if layout.counter_rate_hz is not None:
        return _counter_time(raw, layout, origin)
    found = _unit_from_steps(t, origin) if layout.time_unit is None and layout.time_type is None else None
    if found is not None:
        layout.time_unit = found[0]
    scale, epoch, note = time_scale(origin, layout.time_unit)
    if epoch and not abs(origin * scale) <= EPOCH_MAX_S:
        start = f"{layout.source}: the time column {raw.time_name!r} starts at {origin:g}"
        if layout.time_unit:
            raise InputError(
                f"{start}, which in {layout.time_unit} would be a date after the year 2200: the values are "
                "in another unit; give it with time_unit (--time-unit s, ms, us or ns), or name the column "
                "without a unit (e.g. 'time') to have the unit found from its values"
            )
        raise InputError(f"{start}, which is neither a time from the start nor a date in any unit")
    if found is not None:
        note = (
            f"time read in {found[0]} (its median step of {found[1]:g} between rows would be one sample every "
            f"{found[1]:g} s in seconds), converted to seconds"
        )
    if layout.time_type is not None:
        note = "time read as date and time" + (" (no time zone given)" if layout.naive_time else "")
    t -= origin
    if scale != 1.0:
        t *= scale
    if note and note not in layout.notes:
        layout.notes.append(note)
    raw.epoch_s = origin * scale if epoch else None
    raw.clock_origin_s = origin * scale
    return origin, scale


def _counter_time(raw: RawSignals, layout: CsvLayout, origin: float) -> tuple[float, float]:
    """Seconds from a sample counter at the rate stated above the names. A count that falls back by more than
    half of 65536 has wrapped (XSens's 16-bit PacketCounter); a count that skips leaves a gap, as the lost
    samples did."""
    assert layout.counter_rate_hz is not None
    t = raw.time_s
    before = t[0] if layout.counter_last is None else layout.counter_last
    wrapped = np.diff(t, prepend=before) < -COUNTER_WRAP / 2
    wraps = layout.counter_wraps + np.cumsum(wrapped)
    layout.counter_last = float(t[-1])
    layout.counter_wraps = int(wraps[-1])
    t += wraps * float(COUNTER_WRAP)
    scale = 1.0 / layout.counter_rate_hz
    t -= origin
    t *= scale
    note = f"time from the {raw.time_name} column at the {layout.counter_rate_hz:g} Hz stated above the names"
    if note not in layout.notes:
        layout.notes.append(note)
    raw.epoch_s = None
    raw.clock_origin_s = origin * scale
    return origin, scale


def _unit_from_steps(t: FloatArray, origin: float) -> tuple[str, float] | None:
    """``"ms"`` or ``"us"`` when a relative time column (no unit in its name) steps by 2–100 or 2000–100000
    between rows: in seconds that would be one sample every few seconds, which no walking recording is,
    while in milliseconds or microseconds it is 10–500 Hz (Science Journal's ``relative_time``, loggers
    writing ``millis()``). A step of exactly 1 is left alone (1 Hz and 1000 Hz are equally possible)."""
    if abs(origin) > 1e8:  # an epoch time: its magnitude tells the unit
        return None
    steps = np.diff(t[:2001])
    steps = steps[np.isfinite(steps) & (steps > 0)]
    if steps.size < 10:
        return None
    step = float(np.median(steps))
    for unit, low, high in (("ms", 2.0, 100.0), ("us", 2000.0, 100_000.0)):
        if low <= step <= high:
            return unit, step
    return None


def read_csv_raw(
    path: Path,
    *,
    time_column: str | None = None,
    acc_columns: Sequence[str] | None = None,
    gyr_columns: Sequence[str] | None = None,
    time_unit: str | None = None,
) -> RawSignals:
    """Read a whole CSV into :class:`RawSignals` (time in seconds from the first row)."""
    layout = sniff(
        path, time_column=time_column, acc_columns=acc_columns, gyr_columns=gyr_columns, time_unit=time_unit
    )
    raw = _read_whole(layout)
    if raw is None:
        raise InputError(f"{path.name} has a header but no data rows")
    return raw


def _read_whole(layout: CsvLayout) -> RawSignals | None:
    """The whole file in one multi-threaded parse; None when it has no data rows."""
    table, notes = _read_table(layout)
    if table.num_rows == 0:
        return None
    raw = table_to_raw(layout, table)
    del table
    scale_time(raw, layout)
    raw.notes = [*notes, *layout.notes]
    raw.metadata = {"format": "csv", "source": layout.path.name}
    _naive_start(raw, layout)
    return raw


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


def _naive_start(raw: RawSignals, layout: CsvLayout) -> None:
    """Date-and-time stamps without a time zone: keep the start as written, not as UTC. A relative clock with
    the wall clock in another column (SensorLog): the start is that clock's first reading, in its offset."""
    if layout.logged_start is not None:
        raw.epoch_s = layout.logged_start.timestamp()
        raw.zone = layout.logged_start.tzinfo
    elif layout.zone is not None and raw.epoch_s is not None:
        raw.zone = layout.zone
    if layout.naive_time and raw.epoch_s is not None:
        raw.metadata["start_time"] = (
            datetime.fromtimestamp(raw.epoch_s, tz=UTC).replace(tzinfo=None).isoformat()
        )
        raw.epoch_s = None


def iter_csv_raw(
    path: Path,
    *,
    block_bytes: int | None = None,
    time_column: str | None = None,
    acc_columns: Sequence[str] | None = None,
    gyr_columns: Sequence[str] | None = None,
    time_unit: str | None = None,
) -> Iterator[RawSignals]:
    """Stream a CSV as consecutive :class:`RawSignals` blocks; times relative to the file's first row.

    A file of at most ``WHOLE_READ_MAX_BYTES`` is parsed in one go on all cores (a two-hour recording in
    half the time of the single-threaded streaming reader) and given as one block.
    """
    layout = sniff(
        path, time_column=time_column, acc_columns=acc_columns, gyr_columns=gyr_columns, time_unit=time_unit
    )
    if not layout.gzip and path.stat().st_size <= WHOLE_READ_MAX_BYTES:
        whole = _read_whole(layout)
        if whole is not None:
            yield whole
        return
    bad = _BadRows()
    read, parse, convert = _options(layout, bad, block_size=block_bytes or STREAM_BLOCK_BYTES)
    source: Any = str(path) if not layout.gzip else pa.input_stream(str(path), compression="gzip")
    reader: Any = None
    rest: pa.Table | None = None
    try:
        reader = pacsv.open_csv(source, read_options=read, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        rest = _after_conversion_error(layout, exc)  # raises unless the last line is cut
    origin: float | None = None
    first_line = layout.first_line
    while True:
        if reader is not None:
            try:
                table = pa.Table.from_batches([reader.read_next_batch()])
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                rest = _after_conversion_error(layout, exc)  # raises unless the last line is cut
                reader = None
                continue
            if bad.texts:
                layout.notes.append(_bad_rows(layout, bad.texts))
                bad.texts.clear()
        else:  # the cut-off last line made pyarrow fail: the rest was re-read without it
            assert rest is not None
            table = rest.slice(first_line - layout.first_line)
            layout.notes.append(_TRUNCATED)
            rest = None
        if table.num_rows == 0:
            if reader is None:
                break
            continue
        raw = table_to_raw(layout, table)
        raw.first_line = first_line
        first_line += table.num_rows
        origin, _ = scale_time(raw, layout, origin)
        raw.notes = list(layout.notes)
        raw.metadata = {"format": "csv", "source": path.name}
        _naive_start(raw, layout)
        yield raw
        if reader is None:
            break
