"""Known formats, detection by content, and the public read/iter_chunks/validate functions."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from backstride._errors import BackstrideError, InputError, OptionNeeded, UnsupportedFormatError
from backstride.io._container import extracted, find_member, is_zip, member_head, member_names
from backstride.io._csv import iter_csv_raw, quiet_row_decoding, read_csv_raw
from backstride.io._csvlayout import SAMPLE_BYTES, acceleration_axes, head_text, is_preamble, split_header
from backstride.io._devices import (
    DEVICE_FORMATS,
    DEVICE_SUFFIXES,
    device_format,
    iter_device_raw,
    read_device_raw,
)
from backstride.io._gzipped import MAGIC as GZIP_MAGIC
from backstride.io._gzipped import gzipped_device, gzipped_head, unpacked
from backstride.io._metabase import check_lone_file, iter_metabase_raw, looks_like_metabase
from backstride.io._phyphox import ACC_FILES as PHYPHOX_ACC_FILES
from backstride.io._phyphox import iter_phyphox_raw, looks_like_phyphox, phyphox_header, workbook_members
from backstride.io._raw import RawSignals, join_raw
from backstride.io._resample import to_recording
from backstride.io._sensorlogger import (
    iter_sensorlogger_raw,
    looks_like_sensorlogger,
    sensorlogger_files,
    sensorlogger_header,
    sensorlogger_json,
    sqlite_members,
    zipped_export,
)
from backstride.io._sqlite import MAGIC as SQLITE_MAGIC
from backstride.io._sqlite import column_names
from backstride.io._stream import stream_chunks
from backstride.io._units import ACC_UNITS, GYR_UNITS, TIME_UNITS
from backstride.io._xlsx import is_workbook, sheet_parts, sheets_as_csv
from backstride.recording import Recording

FORMATS: dict[str, str] = {
    "csv": "a CSV or CSV.gz table: a time column, acceleration x/y/z and optionally gyroscope x/y/z",
    "phyphox": "a phyphox export (ZIP, folder, Excel workbook or CSV) from 'Acceleration with g' or accelerometer "
    "+ gyroscope",
    "sensorlogger": "a Sensor Logger export (ZIP, folder, JSON or SQLite) with TotalAcceleration or Accelerometer + "
    "Gravity",
    "metabase": "MbientLab's MetaBase files of a MetaWear sensor (folder or ZIP): Accelerometer (+ Gyroscope), or "
    "LinearAcceleration + Gravity",
    **DEVICE_FORMATS,
}

# phone apps' exports: one file per sensor, read as blocks and aligned onto the accelerometer's clock
PHONE_FORMATS: dict[str, Callable[[Path, int | None], Iterator[RawSignals]]] = {
    "phyphox": iter_phyphox_raw,
    "sensorlogger": iter_sensorlogger_raw,
    "metabase": iter_metabase_raw,
}

SUFFIXES: tuple[str, ...] = (
    ".zip",
    ".csv",
    ".txt",
    ".tsv",
    ".gz",
    ".json",
    ".xlsx",
    ".sqlite",
    ".db",
    *DEVICE_SUFFIXES,
)
"""File name endings of the files the readers take (for upload forms; detection itself goes by content)."""

START_ONLY_BYTES = 64 << 20

MIN_SAMPLING_RATE_HZ = 20.0
MIN_DURATION_S = 3.0
# a rate given for a CSV without a time column: phones sample at up to 500 Hz, research loggers at a few kHz
MAX_GIVEN_RATE_HZ = 10_000.0
# a rate this slow in seconds is a phone's or logger's rate (20–500 Hz) in milliseconds: the unit is suggested
MS_RATE_MAX_HZ = 500.0

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"RIFF", "a RIFF file (audio, video or WebP image)"),
    (b"\x00\x00\x00", "a binary media file"),
    (b"PAR1", "a Parquet file"),
    (b"PK\x05\x06", "an empty ZIP archive (a folder zipped with nothing in it?)"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (an Excel .xls? save it as CSV)"),
)


KNOWN = (
    "It reads tables of acceleration (CSV, Excel), phyphox, Sensor Logger and MetaBase exports, and Axivity (.cwa), "
    "ActiGraph (.gt3x, ActiLife's RAW CSV) and GENEActiv (.bin) files"
)
"""What backstride reads, in one sentence for the error of a file it cannot (:data:`FORMATS` has the details)."""


def _unsupported(path: Path, what: str) -> UnsupportedFormatError:
    """The error for a file that is no recording: an activity file (an Apple Health export, a Garmin .fit file)
    is named as one, for the caller to say where it is read; anything else by ``what`` it was found to be."""
    from backstride.activity._kind import activity_file_error

    activity = activity_file_error(path)
    if activity is not None:
        return activity
    return UnsupportedFormatError(f"{path.name} is {what}, not a recording backstride can read. {KNOWN}.")


def _describe_zip(names: list[str], path: Path) -> str:
    """What a ZIP that is not an export is: Office files are ZIPs too (phyphox exports an Excel file)."""
    if is_workbook(names):
        sheets = list(sheet_parts(path))
        if not sheets:
            return "an Excel workbook with no sheets"
        return (
            f"an Excel workbook with {len(sheets)} sheets ({_describe_members(sheets)}) that is not a phyphox "
            "export; save the sheet holding the recording as CSV, or keep it alone in the workbook"
        )
    if "word/document.xml" in names:
        return "a Word document"
    return f"a ZIP archive of {_describe_members(names)}"


def _describe_members(names: list[str]) -> str:
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return shown or "nothing"


_TABLE_SUFFIXES = (".csv", ".csv.gz", ".tsv")


def _zipped_sensorlogger(path: Path, names: list[str]) -> bool:
    """A ZIP holding only a Sensor Logger JSON or SQLite export (zipped to send it). A JSON export shows itself
    in its first readings, so only they are unpacked; an SQLite one only in its tables, so it is unpacked whole
    (a damaged archive or database says so)."""
    inner = zipped_export(names)
    if inner is None:
        return False
    head = member_head(path, inner, SAMPLE_BYTES)
    if not head.startswith(SQLITE_MAGIC):
        return sensorlogger_json(head.decode("utf-8", errors="replace"))
    with extracted(path, [inner]) as files:
        return looks_like_sensorlogger(sqlite_members(files[inner]))


# the files an app's export holds once per recording
_RECORDING_FILES = {
    "sensorlogger": ("TotalAcceleration.csv", "Accelerometer.csv", "Metadata.csv"),
    "phyphox": (*PHYPHOX_ACC_FILES, "time.csv"),
}


def _one_recording(path: Path, names: list[str], fmt: str) -> str:
    """``fmt``, once the folder or ZIP is seen to hold one recording, not several side by side (a parent
    folder of exports, each then found on its own by a batch's search): those are refused naming them."""
    for basename in _RECORDING_FILES[fmt]:
        find_member(names, basename, path.name)
    return fmt


def _first_line(path: Path) -> Callable[[str], str]:
    """The first line of a member of the folder or ZIP ``path`` (empty when it cannot be read as text)."""

    def first(member: str) -> str:
        try:
            if path.is_dir():
                with (path / member).open("rb") as handle:
                    head = handle.read(4096)
            else:
                head = member_head(path, member, 4096)
        except (BackstrideError, OSError):
            return ""
        return head.decode("utf-8", errors="replace").partition("\n")[0]

    return first


def _sensorlogger_tables(path: Path, tables: list[str]) -> bool:
    """An SQLite database whose tables carry Sensor Logger's ``seconds_elapsed`` column (one without
    acceleration, which its reader refuses saying what it holds)."""
    try:
        return any(
            "seconds_elapsed" in {c.lower() for c in column_names(path, t.removesuffix(".csv"))}
            for t in tables[:12]
        )
    except BackstrideError:
        return False


def _single_table(path: Path, names: list[str]) -> str | None:
    """The one table file in a ZIP that holds nothing else (a CSV someone zipped to send it), or the one
    sheet of an Excel workbook."""
    if is_workbook(names):
        sheets = list(sheet_parts(path))
        return sheets[0] if len(sheets) == 1 else None
    tables = [n for n in names if n.lower().endswith(_TABLE_SUFFIXES)]
    return tables[0] if len(tables) == 1 and len(names) == 1 else None


@contextlib.contextmanager
def _zipped_table(path: Path, limit: int | None = None) -> Iterator[tuple[str, Path]]:
    """The one table of a ZIP (:func:`_single_table`) as a file: ``(its name, path)``."""
    names = member_names(path)
    member = _single_table(path, names)
    if member is None:
        raise _unsupported(path, _describe_zip(names, path))
    if is_workbook(names):
        with sheets_as_csv(path, {member: f"{member}.csv"}, limit) as files:
            yield member, files[f"{member}.csv"]
        return
    with extracted(path, [member], limit) as files:
        yield member, files[member]


def detect_format(path: str | Path) -> str:
    """The format of ``path`` (a file, folder or ZIP), found from its content, not only its name.

    Raises :class:`~backstride.UnsupportedFormatError` naming what was found when it is not a recording.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p} does not exist")
    if p.is_dir():
        names = member_names(p)
        if looks_like_sensorlogger(names) or sensorlogger_files(names, _first_line(p)):
            return _one_recording(p, names, "sensorlogger")
        if looks_like_phyphox(names):
            return _one_recording(p, names, "phyphox")
        if looks_like_metabase(names):
            return "metabase"
        raise _unsupported(p, f"a folder holding {_describe_members(names)}")
    if is_zip(p):
        try:
            names = member_names(p)
        except InputError:
            device = device_format(p, b"PK\x03\x04")  # a .gt3x cut short: its records are still read
            if device is None:
                raise
            return device
        device = device_format(p, b"", names)
        if device is not None:
            return device
        if looks_like_sensorlogger(names) or _zipped_sensorlogger(p, names):
            return _one_recording(p, names, "sensorlogger")
        if not is_workbook(names) and sensorlogger_files(names, _first_line(p)):
            return "sensorlogger"  # without acceleration: its reader says what it holds and what to switch on
        # an Excel workbook is seen as the files of its sheets (phyphox's Excel export as its CSV export)
        if looks_like_phyphox(list(workbook_members(p).values()) if is_workbook(names) else names):
            return "phyphox" if is_workbook(names) else _one_recording(p, names, "phyphox")
        if looks_like_metabase(names):
            return "metabase"
        if _single_table(p, names) is not None:
            return "csv"
        tables = [n for n in names if n.lower().endswith(_TABLE_SUFFIXES)]
        if len(tables) > 1:  # an app's export of several sensors (Movella DOT's, a lab's), say
            raise UnsupportedFormatError(
                f"{p.name} holds {len(tables)} tables ({_describe_members(tables)}); backstride reads one sensor's "
                "recording at a time: unzip it and give the file of the sensor at the lower back"
            )
        raise _unsupported(p, _describe_zip(names, p))
    with p.open("rb") as handle:
        magic = handle.read(64)
    if magic.startswith(GZIP_MAGIC) and gzipped_device(p):  # a logger's file, gzip-compressed
        found = _gzipped_device_format(p)
        if found is not None:
            return found
        with unpacked(p) as (file, _):
            return detect_format(file)
    device = device_format(p, magic)
    if device is not None:
        return device
    if magic.startswith(SQLITE_MAGIC):
        tables = sqlite_members(p)
        if looks_like_sensorlogger(tables) or _sensorlogger_tables(p, tables):
            return "sensorlogger"
        shown = ", ".join(t.removesuffix(".csv") for t in tables[:8]) or "none"
        raise _unsupported(p, f"an SQLite database that is not a Sensor Logger export (its tables: {shown})")
    for prefix, what in _MAGIC:
        if magic.startswith(prefix):
            raise _unsupported(p, what)
    text = head_text(p)
    if text is None:
        raise _unsupported(p, _binary(p, magic))
    text = text.lstrip("\ufeff")
    device = device_format(p, text[:256].encode("utf-8", errors="replace"))  # text formats (and gzip)
    if device is not None:
        return device
    if not text.strip():
        return "csv"  # the CSV reader says clearly that the file is empty
    if sensorlogger_json(text):
        return "sensorlogger"
    if text.lstrip()[:1] in ("{", "["):
        raise _unsupported(p, "a JSON file, but not a Sensor Logger export")
    if sensorlogger_header(text):
        return "sensorlogger"
    if phyphox_header(text):
        return "phyphox"
    check_lone_file(p.name, text)  # a MetaBase file of another sensor than the accelerometer
    lines = [line for line in text.splitlines() if not is_preamble(line)]
    if lines:
        delimiter, cells = split_header(lines[0])
        if (len(cells) >= 4 and delimiter in lines[0]) or acceleration_axes(cells):
            return "csv"  # the CSV reader names what a table of acceleration alone lacks (its time column)
    raise _unsupported(p, "a text file that is not a table of sensor values")


# what an Axivity's or a GENEActiv's signature check reads of its file (a header and four blocks; a header)
_DEVICE_START_BYTES = 1 << 14


def _gzipped_device_format(path: Path) -> str | None:
    """The format of a gzip-compressed Axivity or GENEActiv file, found from its start alone: their checks read
    no further, and unpacking a day's file whole to say what it is doubled the work of reading it after (a
    batch's search, the activity command's error). A ``.gt3x.gz`` is known by its ZIP's directory, at its end:
    None, and it is unpacked whole."""
    head = gzipped_head(path, _DEVICE_START_BYTES)
    if head.startswith(b"PK"):
        return None
    with tempfile.TemporaryDirectory(prefix="backstride-") as tmp:
        start = Path(tmp) / path.name
        start.write_bytes(head)
        return device_format(start, head[:64])


def _binary(path: Path, magic: bytes) -> str:
    """What a binary file that is no recording is: a gzip file is named by what it holds."""
    if not magic.startswith(GZIP_MAGIC):
        return "a binary file"
    head = gzipped_head(path)
    return (
        next((what for prefix, what in _MAGIC if head.startswith(prefix)), "a binary file")
        + ", gzip-compressed"
    )


def _detect(path: Path) -> str:
    try:
        return detect_format(path)
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc


# What each format is, and what its reader looks for and did not find: the words of a refusal when the format
# named for a file is not the file's (``--format phyphox`` given for a plain CSV)
_WHAT: dict[str, str] = {
    "csv": "a CSV table",
    "phyphox": "a phyphox export",
    "sensorlogger": "a Sensor Logger export",
    "metabase": "a MetaBase recording of a MetaWear sensor",
    "axivity": "an Axivity .cwa file",
    "actigraph": "an ActiGraph .gt3x file",
    "geneactiv": "a GENEActiv .bin file",
    "actilife": "ActiLife's CSV export of an ActiGraph recording",
}
_LACKS: dict[str, str] = {
    "phyphox": "no 'Acceleration x (m/s^2)' column after phyphox's 'Time (s)', nor an export's Raw Data.csv or "
    "Accelerometer.csv",
    "sensorlogger": "no TotalAcceleration.csv or Accelerometer.csv with Sensor Logger's time, seconds_elapsed, "
    "z, y, x columns, nor its JSON or SQLite export",
    "metabase": "no folder or ZIP of MetaBase's …_Accelerometer.csv files",
    "axivity": "no Axivity header block, 'MD'",
    "actigraph": "no .gt3x archive holding info.txt and log.bin",
    "geneactiv": "no GENEActiv header, 'Device Identity'",
    "actilife": "no ActiLife header line, 'Data File Created By ActiGraph'",
}


def _not_that_format(path: Path, named: str, found: str) -> InputError:
    use = f"use --format {found} or --format auto"
    if named == "csv":  # any table is one: what the file is says why it is not read as a plain one
        return InputError(f"{path.name} is {_WHAT[found]}, not a plain CSV table: {use}")
    return InputError(
        f"{path.name} is not {_WHAT[named]} ({_LACKS[named]}); it reads as {_WHAT[found]}: {use}"
    )


def _format_to_read(path: Path, format: str) -> str:
    """The format whose reader reads ``path``: found from its content for ``"auto"``; else the one named, once
    the file is seen to be of it. A file of another format found from its content is refused in one line
    saying what it is and the ``--format`` to give (``--format phyphox`` read a plain CSV with the CSV reader
    and labelled it phyphox). A lone file of no known format named a phone app's is refused as detection
    refuses it; any other file of no known format is left to the named reader: an export's folder or ZIP (its
    reader names the files it lacks), a table (its columns may be named with the other options), a logger's
    file (its reader checks its signature); so is a damaged file, which the named reader describes."""
    if format == "auto":
        return _detect(path)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    try:
        if _claims(path, format):
            return format
        found = detect_format(path)
    except UnsupportedFormatError:
        whole = path.is_dir() or is_zip(path)
        if format in PHONE_FORMATS and not whole:
            raise  # a lone file the app's reader does not know: it would read it as a table under its name
        if path.is_dir() and format not in PHONE_FORMATS:
            one = "a CSV table" if format == "csv" else FORMATS[format]
            raise InputError(f"{path.name} is a folder; {one} is one file: give the file itself") from None
        # an export's folder or ZIP: its reader says which of its files are missing; a table whose columns the
        # CSV reader is told; a logger's file, whose reader checks its signature
        return format
    except (BackstrideError, OSError):
        return format  # damaged or unreadable: the named reader says what it finds
    if found != format:
        raise _not_that_format(path, format, found)
    return format


def _claims(path: Path, format: str) -> bool:
    """Does the reader of ``format`` know ``path`` as one of its own, whichever format detection would take it
    for first (a listing can fit two apps' exports; naming the format settles it)? For ``csv``: a phone app's
    lone sensor file (phyphox's ``Raw Data.csv``, Sensor Logger's ``TotalAcceleration.csv``), a table the CSV
    reader reads as the app's reader does. The other formats are known by detection alone."""
    if format not in ("csv", *PHONE_FORMATS):
        return False
    if path.is_dir() or is_zip(path):
        if format == "csv":
            return False
        names = member_names(path)
        if format == "phyphox":  # an Excel workbook is seen as the files of its sheets
            return looks_like_phyphox(list(workbook_members(path).values()) if is_workbook(names) else names)
        if format == "sensorlogger":
            return (
                looks_like_sensorlogger(names)
                or (path.is_file() and _zipped_sensorlogger(path, names))
                or sensorlogger_files(names, _first_line(path))
            )
        return looks_like_metabase(names)
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC:
            return format == "sensorlogger" and looks_like_sensorlogger(sqlite_members(path))
    text = head_text(path)
    if text is None:
        return False
    if format == "csv":
        return phyphox_header(text) or sensorlogger_header(text)
    if format == "phyphox":
        return phyphox_header(text)
    return format == "sensorlogger" and (sensorlogger_json(text) or sensorlogger_header(text))


def _check_options(
    format: str,
    acc_unit: str | None,
    gyr_unit: str | None,
    time_unit: str | None = None,
    rate_hz: float | None = None,
) -> None:
    if format != "auto" and format not in FORMATS:
        raise InputError(f"unknown format {format!r}; use auto or one of {', '.join(FORMATS)}")
    if acc_unit is not None and acc_unit not in ACC_UNITS:
        raise InputError(f"unknown acceleration unit {acc_unit!r}; use one of {', '.join(ACC_UNITS)}")
    if gyr_unit is not None and gyr_unit not in GYR_UNITS:
        raise InputError(f"unknown angular-rate unit {gyr_unit!r}; use one of {', '.join(GYR_UNITS)}")
    if time_unit is not None and time_unit not in TIME_UNITS:
        raise InputError(f"unknown time unit {time_unit!r}; use one of {', '.join(TIME_UNITS)}")
    if rate_hz is not None and not (isinstance(rate_hz, int | float) and 0 < rate_hz <= MAX_GIVEN_RATE_HZ):
        raise InputError(
            f"a sampling rate of {rate_hz!r} Hz is not plausible; give the rows' rate in Hz (e.g. 100)"
        )


@dataclass(frozen=True)
class ReadOptions:
    """What a caller says about a recording's file, checked when made: the keyword arguments of :func:`read`
    and :func:`iter_chunks` that describe the file (the command line's ``--format``, ``--acc-unit``, ...).

    A batch gives the same options for every file (only a CSV has column names; a declared unit is checked
    against every file's values), and keeps them beside each result.
    """

    format: str = "auto"
    time_column: str | None = None
    time_unit: str | None = None
    acc_columns: tuple[str, ...] | None = None
    gyr_columns: tuple[str, ...] | None = None
    acc_unit: str | None = None
    gyr_unit: str | None = None
    rate_hz: float | None = None

    def __post_init__(self) -> None:
        _check_options(self.format, self.acc_unit, self.gyr_unit, self.time_unit, self.rate_hz)
        for field, what in (("acc_columns", "acceleration"), ("gyr_columns", "angular-rate")):
            names = getattr(self, field)
            if names is None:
                continue
            names = tuple(names)
            if len(names) != 3 or not all(isinstance(n, str) and n.strip() for n in names):
                raise InputError(f"give three {what} column names, got {list(names)!r}")
            object.__setattr__(self, field, names)  # a list given becomes a tuple: the options stay frozen

    def given(self) -> dict[str, Any]:
        """The options given (not left to detection), as keyword arguments of :func:`read` and
        :func:`iter_chunks`; empty when everything is found from the file."""
        out: dict[str, Any] = {} if self.format == "auto" else {"format": self.format}
        for name in (
            "time_column",
            "time_unit",
            "acc_columns",
            "gyr_columns",
            "acc_unit",
            "gyr_unit",
            "rate_hz",
        ):
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class _Options:
    """What the caller said about a file: column names (generic CSV) and units."""

    time_column: str | None = None
    acc_columns: Sequence[str] | None = None
    gyr_columns: Sequence[str] | None = None
    acc_unit: str | None = None
    gyr_unit: str | None = None
    zip_limit: int | None = None  # extract only about this many bytes of each file in a ZIP
    time_unit: str | None = None
    rate_hz: float | None = None

    def columns(self) -> dict[str, Any]:
        """What describes a CSV table (:data:`CSV_ONLY_OPTIONS`), as keyword arguments of its reader."""
        return {name: getattr(self, name) for name in CSV_ONLY_OPTIONS}


def _read_raw(path: Path, fmt: str, opts: _Options) -> RawSignals:
    if fmt == "csv" and is_zip(path):
        with _zipped_table(path) as (member, file):
            raw = read_csv_raw(file, **opts.columns())
        raw.source = f"{path.name}/{member}"
        raw.metadata["source"] = path.name
    elif fmt == "csv":
        raw = read_csv_raw(path, **opts.columns())
    elif fmt in DEVICE_FORMATS:
        raw = read_device_raw(fmt, path)
    else:
        raw = join_raw(list(PHONE_FORMATS[fmt](path, None)))
    return raw


def validate(recording: Recording) -> None:
    """Refuse a recording the gait analysis cannot use: below 20 Hz, or shorter than 3 s.

    Steps last about half a second and their impacts carry energy up to ~10 Hz, so fewer than 20 samples per
    second cannot place them; fewer than 3 s cannot hold a walking bout (at least 4 strides). Recordings of
    3 to 10 s (a short walk test) are analysed, and the gait engine warns that longer walks give firmer
    figures.
    """
    source = recording.metadata.get("source")
    prefix = f"{source} is " if source else ""
    rate = recording.sampling_rate_hz
    if rate > MAX_GIVEN_RATE_HZ:  # no worn sensor samples so fast: the time was read in the wrong unit
        raise OptionNeeded(
            f"{prefix}sampled at {rate:.3g} Hz by its time stamps, faster than any sensor worn for walking "
            "records: its time is in another unit than it was read in",
            "give the unit with time_unit (--time-unit s, ms, us, ns or d)",
            {"time_unit": None},
        )
    if MIN_SAMPLING_RATE_HZ <= rate * 1000 <= MS_RATE_MAX_HZ:  # a clock in ms read as seconds
        raise OptionNeeded(
            f"{prefix}sampled at {rate:g} Hz by its time stamps; at least {MIN_SAMPLING_RATE_HZ:g} Hz is needed "
            f"to find steps, and if its time counts milliseconds it is {rate * 1000:g} Hz",
            "give the unit with time_unit (--time-unit ms)",
            {"time_unit": "ms"},
        )
    if rate < MIN_SAMPLING_RATE_HZ:
        raise InputError(
            f"{prefix}sampled at {rate:g} Hz; at least {MIN_SAMPLING_RATE_HZ:g} Hz is needed to find steps"
        )
    duration = recording.duration_s
    if duration < MIN_DURATION_S:
        raise InputError(f"{prefix}only {duration:.1f} s long; at least {MIN_DURATION_S:g} s is needed")


_validate_recording = validate


def read(
    path: str | Path,
    *,
    format: str = "auto",
    time_column: str | None = None,
    acc_columns: Sequence[str] | None = None,
    gyr_columns: Sequence[str] | None = None,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
    validate: bool = True,
    time_unit: str | None = None,
    rate_hz: float | None = None,
) -> Recording:
    """Read a recording in any known format into the canonical :class:`~backstride.Recording`.

    Parameters
    ----------
    path:
        A file (CSV, CSV.gz, ZIP, a logger's file, gzip-compressed or not) or an export folder.
    format:
        ``"auto"`` (detect from the content) or one of :data:`FORMATS`.
    time_column, acc_columns, gyr_columns:
        Column names, when the header is not recognised (generic CSV only).
    time_unit:
        ``"s"``, ``"ms"``, ``"us"`` or ``"ns"`` for a CSV's time column; wins over the header and detection.
    rate_hz:
        The sampling rate of a CSV without a time column (its rows evenly spaced in time); a file with a time
        column is timed by it, and the rate given is left aside with a note.
    acc_unit, gyr_unit:
        ``"g"``/``"m/s2"`` and ``"deg/s"``/``"rad/s"``; they win over the header and over detection.
    validate:
        Refuse recordings sampled below 20 Hz or shorter than 3 s (see :func:`validate`).

    Returns
    -------
    Recording
        Time from 0.0 on a uniform grid, acceleration in m/s² with gravity, angular rate in deg/s or ``None``;
        ``notes`` says what was detected or corrected; ``metadata`` has ``format``, ``source`` and, when known,
        ``start_time`` (ISO 8601) and ``device``.

    Raises
    ------
    InputError
        With one actionable sentence for every kind of bad input (empty, malformed, wrong unit ...).
    UnsupportedFormatError
        When the file is not a recording in any known format.
    """
    p = Path(path)
    _check_options(format, acc_unit, gyr_unit, time_unit, rate_hz)
    # a logger's file gzip-compressed is read unpacked, from a temporary file of the same name
    with unpacked(p) as (file, unpack_note):
        fmt = _format_to_read(file, format)
        try:
            with quiet_row_decoding():
                opts = _Options(time_column, acc_columns, gyr_columns, time_unit=time_unit, rate_hz=rate_hz)
                raw = _read_raw(file, fmt, opts)
                recording = to_recording(raw, acc_unit=acc_unit, gyr_unit=gyr_unit)
        except (pa.ArrowException, OSError, UnicodeDecodeError, EOFError) as exc:
            raise InputError(f"{p.name} could not be read as a {fmt} recording: {exc}") from exc
    recording.metadata.setdefault("format", fmt)
    recording.metadata.setdefault("source", p.name)
    added = [note for note in (unpack_note, _left_aside(fmt, opts)) if note is not None]
    if added:
        recording = replace(recording, notes=(*recording.notes, *added))
    if validate:
        _validate_recording(recording)
    return recording


# what describes a CSV table's columns and clock: every other format names its own columns and keeps its own clock
CSV_ONLY_OPTIONS = ("time_column", "time_unit", "acc_columns", "gyr_columns", "rate_hz")
_OPTION_WORDS = {
    "time_column": "time column",
    "time_unit": "time unit",
    "acc_columns": "acceleration columns",
    "gyr_columns": "angular-rate columns",
    "rate_hz": "rate",
}


def _left_aside(fmt: str, opts: _Options) -> str | None:
    """The note for what was said of a CSV table's columns and clock (:data:`CSV_ONLY_OPTIONS`) when the file is
    another format, which names its own columns and keeps its own clock; None when nothing was."""
    given = [name for name in CSV_ONLY_OPTIONS if getattr(opts, name) is not None]
    if fmt == "csv" or not given:
        return None
    words = [_OPTION_WORDS[name] for name in given]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    rate = f" ({opts.rate_hz:g} Hz)" if opts.rate_hz is not None else ""
    columns = any(name.endswith("columns") for name in given)
    clock = any(name in ("time_unit", "rate_hz") for name in given)
    own = " and ".join(
        what for what, said in (("names its own columns", columns), ("carries its own clock", clock)) if said
    )
    plural = len(given) > 1 or listed.endswith("columns")
    return f"the {listed} given{rate} {'are' if plural else 'is'} left aside: this {fmt} recording {own}"


def iter_chunks(
    path: str | Path,
    *,
    chunk_s: float = 3600.0,
    format: str = "auto",
    time_column: str | None = None,
    acc_columns: Sequence[str] | None = None,
    gyr_columns: Sequence[str] | None = None,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
    validate: bool = True,
    start_only: bool = False,
    time_unit: str | None = None,
    rate_hz: float | None = None,
) -> Iterator[Recording]:
    """Consecutive, non-overlapping chunks of ``chunk_s`` seconds of a long recording.

    Times continue across chunks (chunk 2's ``time_s`` starts where chunk 1 ended); units are found once
    from the first chunk (the angular rate's from the first stretch that moved, as in :func:`read`) and
    applied to all. A CSV, a logger's file and a phone app's export are streamed
    with memory bounded by the chunk size. With ``validate`` (the default) the same limits as
    :func:`validate` apply to the whole recording: the rate is checked on the first chunk, and chunks are
    held back until 3 s have been seen, so a recording that is too short fails before any chunk is yielded.
    ``start_only`` says only the first chunks will be read (a check before an upload is accepted): the
    files of a ZIP are then unpacked only in part (``START_ONLY_BYTES`` each, an hour or more of a phone's
    200 Hz export), not whole, and the chunks end where that part does.
    """
    if not chunk_s > 0:
        raise InputError(f"chunk_s must be positive, got {chunk_s}")
    p = Path(path)
    _check_options(format, acc_unit, gyr_unit, time_unit, rate_hz)
    # a logger's file gzip-compressed is read unpacked, from a temporary file removed once the chunks end
    with unpacked(p) as (file, unpack_note), quiet_row_decoding():
        fmt = _format_to_read(file, format)
        limit = START_ONLY_BYTES if start_only else None
        opts = _Options(time_column, acc_columns, gyr_columns, acc_unit, gyr_unit, limit, time_unit, rate_hz)
        added = tuple(note for note in (unpack_note, _left_aside(fmt, opts)) if note is not None)
        for chunk in _validated(file, fmt, chunk_s, validate, opts):
            yield replace(chunk, notes=(*chunk.notes, *added)) if added else chunk


def _validated(p: Path, fmt: str, chunk_s: float, validate: bool, opts: _Options) -> Iterator[Recording]:
    chunks = _chunks(p, fmt, chunk_s, opts)
    if not validate:
        yield from chunks
        return
    pending: list[Recording] = []
    seen_s = 0.0
    for chunk in chunks:
        rate = chunk.sampling_rate_hz
        if not pending and seen_s == 0.0 and not MIN_SAMPLING_RATE_HZ <= rate <= MAX_GIVEN_RATE_HZ:
            _validate_recording(chunk)
        if seen_s >= MIN_DURATION_S:
            yield chunk
            continue
        pending.append(chunk)
        seen_s += chunk.duration_s
        if seen_s >= MIN_DURATION_S:
            yield from pending
            pending.clear()
    if seen_s < MIN_DURATION_S:
        first = pending[0] if pending else None
        source = first.metadata.get("source") if first else p.name
        raise InputError(f"{source} is only {seen_s:.1f} s long; at least {MIN_DURATION_S:g} s is needed")


def _chunks(p: Path, fmt: str, chunk_s: float, opts: _Options) -> Iterator[Recording]:
    if fmt in DEVICE_FORMATS:
        yield from _device_chunks(p, fmt, chunk_s, opts)
        return
    if fmt in PHONE_FORMATS:
        try:
            yield from stream_chunks(
                PHONE_FORMATS[fmt](p, opts.zip_limit), chunk_s=chunk_s, acc_unit=opts.acc_unit, gyr_unit=opts.gyr_unit,
                metadata={"format": fmt, "source": p.name},
            )  # fmt: skip
        except (pa.ArrowException, OSError, UnicodeDecodeError, EOFError) as exc:
            raise InputError(f"{p.name} could not be read as a {fmt} recording: {exc}") from exc
        return
    if is_zip(p):
        with _zipped_table(p, opts.zip_limit) as (_, file):
            yield from _csv_chunks(file, p.name, chunk_s, opts)
        return
    yield from _csv_chunks(p, p.name, chunk_s, opts)


def _csv_chunks(p: Path, source: str, chunk_s: float, opts: _Options) -> Iterator[Recording]:
    blocks = iter_csv_raw(p, **opts.columns())
    try:
        yield from stream_chunks(
            blocks, chunk_s=chunk_s, acc_unit=opts.acc_unit, gyr_unit=opts.gyr_unit,
            metadata={"format": "csv", "source": source},
        )  # fmt: skip
    except (pa.ArrowException, OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(f"{p.name} could not be read as a csv recording: {exc}") from exc


def _device_chunks(p: Path, fmt: str, chunk_s: float, opts: _Options) -> Iterator[Recording]:
    """A logger's file streamed block by block: a week at 100 Hz is never held whole."""
    if not p.is_file():
        raise InputError(f"{p.name} is not a file; {FORMATS[fmt]} is one file")
    try:
        yield from stream_chunks(
            iter_device_raw(fmt, p), chunk_s=chunk_s, acc_unit=opts.acc_unit, gyr_unit=opts.gyr_unit,
            metadata={"format": fmt, "source": p.name},
        )  # fmt: skip
    except (OSError, EOFError) as exc:
        raise InputError(f"{p.name} could not be read as {FORMATS[fmt]}: {exc}") from exc
