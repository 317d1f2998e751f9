"""ActiLife's RAW CSV export of an ActiGraph recording (``.csv`` or ``.csv.gz``), streamed in blocks.

ActiLife (ActiGraph's desktop software) exports a device's raw acceleration as text. Layout, as the two
real exports in ``../shared/data/devices/actigraph_gt3x`` (ActiLife 6.13.3 and 6.13.4) and ActiGraph's
ActiLife user manual describe it:

* Ten header lines: a dashed line ``------------ Data File Created By ActiGraph GT3X+ ActiLife v6.13.4
  Firmware v2.5.0 date format M/d/yyyy at 30 Hz  Filter Normal -----------``, then ``Serial Number:``,
  ``Start Time HH:mm:ss``, ``Start Date`` (in the date format the first line names), ``Epoch Period
  (hh:mm:ss)``, ``Download Time``, ``Download Date``, ``Current Memory Address:``, ``Current Battery
  Voltage:``, and a closing dashed line.
* Then, when the export included column headers, ``Accelerometer X,Accelerometer Y,Accelerometer Z``
  (with a leading ``Timestamp`` column when time stamps were exported), and one row per sample in g at
  the rate the first line gives, from the start time on. The file carries no UTC offset.

Decisions:

* Only a RAW export is acceleration: an ``Epoch Period`` other than ``00:00:00`` means activity counts per
  epoch, which is an :class:`~backstride.InputError` saying to export the raw data instead.
* Sample *k* is at ``k / rate`` seconds; a ``Timestamp`` column, written by ActiLife from the same rule, is
  not read. The start is naive local time (``metadata["start_time"]``).
* Rows of exactly ``0, 0, 0`` g are ActiLife's filler where the device recorded nothing (idle sleep, or a
  stretch it could not read; a real accelerometer always feels gravity): they are left out, so they become
  gaps that the common code reports, with a note counting them.
* A row with the wrong number of cells (a file cut off mid-line) is skipped, with a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from backstride._errors import InputError
from backstride._words import plural
from backstride.io._csvlayout import GZIP_CUT_SHORT, RowHandler, arrow_source, head_text, is_gzip
from backstride.io._raw import RawSignals

HEADER_LINES = 10
COLUMNS = ("Accelerometer X", "Accelerometer Y", "Accelerometer Z")
_FIRST_LINE = re.compile(r"^-+\s*Data File Created By ActiGraph", re.IGNORECASE)
_RATE = re.compile(r"\bat\s+(\d+(?:\.\d+)?)\s*Hz", re.IGNORECASE)
_DATE_FORMAT = re.compile(r"date format\s+(\S+)", re.IGNORECASE)
_DEVICE = re.compile(r"ActiGraph\s+(.*?)\s+ActiLife", re.IGNORECASE)
_TOKENS = (("yyyy", "%Y"), ("MM", "%m"), ("M", "%m"), ("dd", "%d"), ("d", "%d"))


def looks_like_actilife(path: Path) -> bool:
    """Whether ``path`` (plain or gzip) begins with ActiLife's header line."""
    try:
        text = head_text(path)
    except (InputError, OSError, EOFError):
        return False
    return text is not None and _FIRST_LINE.match(text.lstrip("\ufeff")) is not None


@dataclass(frozen=True)
class _Header:
    rate_hz: float
    start: datetime | None
    metadata: dict[str, Any]
    skip_rows: int  # header lines, and the column-name line when there is one
    names: list[str]  # every column of the data rows


def _strptime_format(actilife_format: str) -> str:
    """ActiLife's ``M/d/yyyy`` as ``%m/%d/%Y`` (``strptime`` takes single-digit months and days for them)."""
    out = actilife_format
    for token, code in _TOKENS:
        out = re.sub(rf"(?<![A-Za-z%]){token}(?![A-Za-z])", code, out)
    return out


def _value(lines: list[str], key: str) -> str:
    for line in lines:
        if line.lower().startswith(key.lower()):
            return line[len(key) :].strip(" :\t")
    return ""


def _start(lines: list[str], date_format: str) -> datetime | None:
    text = f"{_value(lines, 'Start Date')} {_value(lines, 'Start Time')}"
    try:
        return datetime.strptime(text, f"{_strptime_format(date_format)} %H:%M:%S")
    except ValueError:
        return None


def _header(path: Path) -> _Header:
    text = head_text(path)
    lines = (text or "").lstrip("\ufeff").splitlines()
    if len(lines) < HEADER_LINES or not _FIRST_LINE.match(lines[0]):
        raise InputError(f"{path.name} is not an ActiLife export: it does not start with ActiLife's header")
    first = lines[0]
    rate = _RATE.search(first)
    if rate is None or not float(rate.group(1)) > 0:
        raise InputError(f"{path.name}: ActiLife's header does not say the sampling rate ('at N Hz')")
    epoch = _value(lines, "Epoch Period (hh:mm:ss)")
    if epoch and epoch.strip() not in ("00:00:00", "0:00:00"):
        raise InputError(
            f"{path.name} holds activity counts per {epoch} epoch, not raw acceleration; export the RAW data "
            "from ActiLife (a .csv with Accelerometer X, Y, Z in g) or use the .gt3x file itself"
        )
    date_format = _DATE_FORMAT.search(first)
    device = _DEVICE.search(first)
    serial = _value(lines, "Serial Number")
    model = device.group(1).strip() if device else "device"
    metadata: dict[str, Any] = {
        "device": f"ActiGraph {model}, serial {serial or 'unknown'} (ActiLife export)",
        "serial": serial,
        "sampling_rate_hz": float(rate.group(1)),
    }
    columns_line = lines[HEADER_LINES] if len(lines) > HEADER_LINES else ""
    cells = [c.strip().strip('"') for c in columns_line.split(",")]
    if all(c in cells for c in COLUMNS):
        names, skip = cells, HEADER_LINES + 1
    else:  # exported without column names: x, y, z, after a time stamp when there are four cells
        names = ["Timestamp", *COLUMNS] if len(cells) == 4 else list(COLUMNS)
        skip = HEADER_LINES
    start = _start(lines, date_format.group(1) if date_format else "M/d/yyyy")
    return _Header(float(rate.group(1)), start, metadata, skip, names)


def _batches(source: Any, read: Any, held: RowHandler, convert: Any) -> Iterator[Any]:
    """The record batches of pyarrow's streaming reader; the reader and its options are gone when this ends
    (closed or run out), so ``held`` can wait for pyarrow to let go of its row handler."""
    parse = pacsv.ParseOptions(invalid_row_handler=held.relay)
    yield from pacsv.open_csv(source, read_options=read, parse_options=parse, convert_options=convert)


def iter_actilife_raw(path: Path, *, block_samples: int = 1_000_000) -> Iterator[RawSignals]:
    """The export as consecutive blocks of about ``block_samples`` rows (acceleration in g)."""
    header = _header(path)
    skipped: list[int] = []

    def skip(_row: Any) -> str:
        skipped.append(1)
        return "skip"

    read = pacsv.ReadOptions(
        skip_rows=header.skip_rows, column_names=header.names, block_size=max(1 << 16, block_samples * 20)
    )
    held = RowHandler(skip)
    convert = pacsv.ConvertOptions(
        include_columns=list(COLUMNS), column_types={c: pa.float64() for c in COLUMNS}
    )
    with arrow_source(path, is_gzip(path)) as (source, gz):
        row = 0
        zeros = 0
        origin: float | None = None  # time of the first sample kept: times count from it
        pending: RawSignals | None = None
        try:
            for batch in _batches(source, read, held, convert):
                acc = np.column_stack([batch.column(i).to_numpy(zero_copy_only=False) for i in range(3)])
                time = (row + np.arange(acc.shape[0], dtype=np.float64)) / header.rate_hz
                row += acc.shape[0]
                filler = ~acc.any(axis=1)
                if filler.any():
                    zeros += int(filler.sum())
                    acc, time = acc[~filler], time[~filler]
                if acc.shape[0] == 0:
                    continue
                if pending is not None:
                    yield pending
                first = origin is None
                if origin is None:
                    origin = float(time[0])
                pending = _block(path, header, time - origin, acc, start_s=origin if first else None)
        except pa.ArrowInvalid as exc:
            raise InputError(f"{path.name} has a row that is not three numbers ({exc})") from exc
        finally:
            held.let_go()
        if pending is None:
            raise InputError(f"{path.name} holds no samples (no rows, or only ActiLife's 0,0,0 filler)")
        pending.notes.extend(_end_notes(zeros, len(skipped), header.rate_hz))
        if gz is not None and gz.cut_short:
            pending.notes.append(GZIP_CUT_SHORT)
        yield pending


def _block(
    path: Path, header: _Header, time: np.ndarray, acc: np.ndarray, *, start_s: float | None
) -> RawSignals:
    """A block of samples; the first (``start_s``: its first sample's time in the export) carries the
    file's description."""
    raw = RawSignals(
        time_s=time,
        acc=acc,
        gyr=None,
        source=path.name,
        acc_names=COLUMNS,
        first_line=None,
        acc_unit="g",
    )
    if start_s is not None:
        raw.metadata.update(header.metadata)
        if header.start is not None:
            raw.metadata["start_time"] = (header.start + timedelta(seconds=start_s)).isoformat()
    return raw


def _end_notes(zeros: int, skipped: int, rate_hz: float) -> list[str]:
    notes = []
    if zeros:
        notes.append(
            f"{zeros} rows of 0, 0, 0 g ({zeros / rate_hz / 60:.1f} min; ActiLife's filler where the device "
            "recorded nothing, e.g. idle sleep) left out as gaps"
        )
    if skipped:
        notes.append(f"{plural(skipped, 'row')} with the wrong number of cells skipped")
    return notes
