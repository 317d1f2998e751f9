"""Sensor Logger exports (Kelvin Choi's app, tszheichoi.com/sensorlogger): the ZIP or the unzipped folder.

Layout and units, from the app's own documentation (github.com/tszheichoi/awesome-sensor-logger,
``README.md`` and ``UNITS.md``):

* One CSV per sensor, columns ``time,seconds_elapsed,z,y,x`` (note the order). ``time`` is nanoseconds
  since the Unix epoch (UTC); ``seconds_elapsed`` is seconds since the recording started.
* ``TotalAcceleration.csv``: acceleration *with* gravity, m/s² (Android). ``Accelerometer.csv``: user
  acceleration with gravity removed, m/s²; ``Gravity.csv``: the gravity vector, m/s². On iOS only the
  latter two are logged, so acceleration with gravity is their sum.
* ``Gyroscope.csv``: angular rate in rad/s.
* ``Metadata.csv``: one row; real exports carry ``version, device name, recording epoch time, recording
  time, recording timezone, platform, appVersion, device id, sensors, sampleRateMs, standardisation,
  platform version`` (older versions fewer). ``recording timezone`` is an IANA zone (``Asia/Kolkata``):
  the start time is given in it, so per-day figures cut days at local midnight.
* Sign (``COORDINATES.md``, ``CROSSPLATFORM.md``): on iOS, unless "Standardise Units & Frames" is on (it is
  off by default; the metadata's ``standardisation`` says ``true`` when it was on), acceleration and
  gravity have the opposite sign to Android's (iOS reports the inertial force; gravity points along -z
  with the phone flat on a table). An iOS export that is not standardised is turned to Android's sign,
  with a note. Nothing measured depends on the sign; only which foot is left and which right does (a
  recording and its negative are a walk and its mirror image, sensor turned over).
* Sensors are sampled separately and their time stamps do not line up, so gravity and gyroscope are
  interpolated onto the accelerometer's time stamps. Entries can be duplicated (the documentation says so);
  duplicated time stamps are dropped like everywhere else.

A single ``TotalAcceleration.csv`` is read on its own. The SQLite export holds a table per sensor, named as the
ZIP's files are (``README.md``, "SQLite"); each is read as the file of the same name would be, its columns
fetched as numbers batch by batch (``backstride.io._sqlite``; with no text round trip an hour at 200 Hz is
analysed in about a third of the time it took when the tables were first written out as CSV files). The JSON
export (one array of readings, each ``{"sensor": "TotalAcceleration", "time": "...", "x": "...", ...}`` with
every value as text, and one ``Metadata`` record holding the fields of ``Metadata.csv``) is decoded a run of
readings at a time into the same form (``backstride.io._jsonarray``; other sensors' runs are passed over), up
to ``JSON_MAX_BYTES`` (its readings are held as arrays until every sensor's are read, since the export lists
them sensor after sensor; the ZIP export is streamed and has no limit).
"""

from __future__ import annotations

import csv
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from backstride._errors import InputError, NoReadingsError
from backstride.io._align import (
    aligned,
    from_first_sample,
    readings_or_none,
    with_gravity,
    with_rates,
    without_note,
)
from backstride.io._container import extracted, find_member, is_zip, member_names
from backstride.io._csv import iter_csv_raw
from backstride.io._csvlayout import head_text, split_header
from backstride.io._jsonarray import batches
from backstride.io._raw import RawSignals, float_rows
from backstride.io._sqlite import column_names, first_row, is_sqlite, numeric_batches, table_names
from backstride.io._units import checked_time_scale, zone_from_name
from backstride.recording import FloatArray


def _sensor_blocks(path: Path, label: str) -> Iterator[RawSignals]:
    """One sensor's CSV as consecutive blocks (one block unless the file is long)."""
    text = head_text(path) or ""
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        raise NoReadingsError(f"{label} is empty")
    _, names = split_header(lines[0])
    lower = [n.lower() for n in names]
    if not all(axis in lower for axis in "xyz"):
        raise InputError(f"{label} has no x, y, z columns (its columns are: {', '.join(names)})")
    time_column = "time" if "time" in lower else "seconds_elapsed" if "seconds_elapsed" in lower else None
    for raw in iter_csv_raw(path, time_column=time_column, acc_columns=["x", "y", "z"]):
        raw.source = label
        yield raw


def _metadata(path: Path) -> dict[str, str]:
    """The export's one metadata row (``Metadata.csv``)."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        return _fields(next(csv.DictReader(handle), {}))


def _fields(row: Mapping[Any, Any]) -> dict[str, str]:
    """A metadata row (a CSV row, a table's row, a JSON record) as text: keys lower-cased, empty values and
    the JSON record's ``sensor`` left out."""
    return {
        str(k).strip().lower(): str(v).strip()
        for k, v in row.items()
        if k and k != "sensor" and isinstance(v, str | int | float) and str(v).strip()
    }


def _table_blocks(path: Path, table: str, label: str) -> Iterator[RawSignals]:
    """One sensor's table of an SQLite export as consecutive blocks, read as its CSV file would be: the time
    (``time``, else ``seconds_elapsed``) in seconds from the first row, its unit found from its size."""
    names = column_names(path, table)
    by_name = {name.lower(): name for name in names}
    if not all(axis in by_name for axis in "xyz"):
        raise InputError(f"{label} has no x, y, z columns (its columns are: {', '.join(names)})")
    time = by_name.get("time", by_name.get("seconds_elapsed"))
    if time is None:
        raise InputError(
            f"{label} has no time or seconds_elapsed column (its columns are: {', '.join(names)})"
        )
    batches = numeric_batches(path, table, [time, by_name["x"], by_name["y"], by_name["z"]], label)
    first = next(batches, None)
    if first is None:  # no rows: nothing, as from a CSV with a header only
        return
    origin = float(first[0, 0])
    scale, epoch, note = checked_time_scale(origin, None, f"{label}: the time column {time!r}")
    notes = [note] if note else []
    for values in itertools.chain([first], batches):
        yield RawSignals(
            time_s=(values[:, 0] - origin) * scale,
            acc=values[:, 1:].copy(),
            gyr=None,
            source=label,
            acc_names=("x", "y", "z"),
            time_name=time,
            first_line=None,
            epoch_s=origin * scale if epoch else None,
            clock_origin_s=origin * scale,
            notes=notes,
        )
        notes = []


_KEPT = (("device name", "device"), ("platform", "platform"), ("recording time", "recording_time"))


def iter_sensorlogger_raw(path: Path, limit: int | None = None) -> Iterator[RawSignals]:
    """Read a Sensor Logger ZIP or folder, its SQLite or JSON export, or a lone ``TotalAcceleration.csv``, as
    consecutive :class:`RawSignals` blocks: a long export is read in bounded memory, each sensor's file as far as
    needed. ``limit``: only about that many bytes of each file in a ZIP (:func:`extracted`); the tables of an
    SQLite export are fetched only as far as their blocks are used."""
    sqlite = is_sqlite(path)
    if not path.is_dir() and not is_zip(path) and not sqlite:
        if sensorlogger_json(head_text(path) or ""):
            yield from _read_json(path)
            return
        for raw in _sensor_blocks(path, path.name):
            raw.acc_unit = "m/s2"
            raw.metadata = {"format": "sensorlogger", "source": path.name}
            yield raw
        return
    names = sqlite_members(path) if sqlite else member_names(path)
    inner = None if sqlite or path.is_dir() else zipped_export(names)
    if inner is not None:  # unpacked whole: a JSON export lists its sensors one after another
        with extracted(path, [inner]) as files:
            for raw in iter_sensorlogger_raw(files[inner], limit):
                raw.metadata["source"] = path.name
                yield raw
        return
    members = {sensor: find_member(names, f"{sensor}.csv", path.name) for sensor in (*_SENSORS, "Metadata")}
    held = [n.removesuffix(".csv") for n in names] if sqlite else names
    _check_sensors(path.name, {s for s, m in members.items() if m is not None}, held)
    needed = _needed({s for s, m in members.items() if m is not None}) | {"Metadata"}
    wanted = {s: m for s, m in members.items() if m is not None and s in needed}
    if sqlite:  # a table per sensor, named as its file would be; read as far as it is used
        tables = {s: m.removesuffix(".csv") for s, m in wanted.items()}
        row = _fields(first_row(path, tables["Metadata"])) if "Metadata" in tables else {}
        yield from _combined(
            path.name,
            {
                s: _table_blocks(path, t, f"{path.name}, table {t}")
                for s, t in tables.items()
                if s != "Metadata"
            },
            row,
        )
        return
    with extracted(path, list(wanted.values()), limit) as files:
        row = _metadata(files[wanted["Metadata"]]) if "Metadata" in wanted else {}
        streams = {
            s: _sensor_blocks(files[m], f"{path.name}/{m}") for s, m in wanted.items() if s != "Metadata"
        }
        yield from _combined(path.name, streams, row)


_SENSORS = ("TotalAcceleration", "Accelerometer", "Gravity", "Gyroscope", "AccelerometerUncalibrated")
# the raw accelerometer, gravity included (awesome-sensor-logger's UNITS.md): in m/s² on Android, in g on iOS unless
# "Standardise Units & Frames" was on; read when neither acceleration with gravity nor its two parts are there


_SINGLE_FILE_EXPORTS = (".json", ".sqlite", ".db")


def zipped_export(names: list[str]) -> str | None:
    """The one member of a ZIP that holds nothing else when it is a single-file export (JSON or SQLite)
    someone zipped to send it; else None."""
    return names[0] if len(names) == 1 and names[0].lower().endswith(_SINGLE_FILE_EXPORTS) else None


def sqlite_members(path: Path) -> list[str]:
    """The tables of Sensor Logger's SQLite export named as the files of its ZIP export (``Gravity.csv``)."""
    return [f"{table}.csv" for table in table_names(path)]


def _check_sensors(name: str, present: set[str], held: list[str] | None = None) -> None:
    """Refuse an export without the acceleration the analysis needs, saying what it holds (``held``: its
    files or tables; the JSON export's other sensors are passed over undecoded, so not named)."""
    if "AccelerometerUncalibrated" in present and not (
        "TotalAcceleration" in present or {"Accelerometer", "Gravity"} <= present
    ):
        return
    if "TotalAcceleration" not in present and "Accelerometer" not in present:
        holds = (
            f"it holds {_listed(held)} but no Accelerometer.csv or TotalAcceleration.csv"
            if held is not None
            else "it holds no Accelerometer or TotalAcceleration readings"
        )
        raise InputError(
            f"{name} is a Sensor Logger export without the accelerometer: {holds}. Switch the Accelerometer "
            "(and Gravity) on in Sensor Logger's sensor list, record again and export that recording"
        )
    if "TotalAcceleration" not in present and "Gravity" not in present:
        raise InputError(
            f"{name} has Accelerometer.csv (gravity removed) but no Gravity.csv or TotalAcceleration.csv; "
            "enable the Gravity sensor in Sensor Logger so acceleration with gravity can be rebuilt"
        )


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return shown or "nothing"


def _needed(present: set[str]) -> set[str]:
    """The sensors read: acceleration with gravity (or without it plus gravity), and the gyroscope."""
    if "TotalAcceleration" in present:
        acc = {"TotalAcceleration"}
    elif {"Accelerometer", "Gravity"} <= present:
        acc = {"Accelerometer", "Gravity"}
    else:
        acc = {"AccelerometerUncalibrated"}
    return acc | ({"Gyroscope"} & present)


def _combined(
    name: str, streams: Mapping[str, Iterable[RawSignals]], row: dict[str, str], suffix: str = ".csv"
) -> Iterator[RawSignals]:
    """One recording's blocks from the export's sensors (as in :func:`_needed`) and its metadata row;
    ``suffix`` follows the sensors' names in notes (their files' names; none for the JSON export)."""
    notes: list[str] = []
    blocks: Iterator[RawSignals]
    standardised = row.get("standardisation", "").lower()
    ios = row.get("platform", "").lower() == "ios"
    acc_unit = "m/s2"
    if "TotalAcceleration" in streams:
        blocks = iter(streams["TotalAcceleration"])
    elif "AccelerometerUncalibrated" in streams:
        blocks = iter(streams["AccelerometerUncalibrated"])
        acc_unit = "g" if ios and standardised != "true" else "m/s2"
        notes.append(
            f"acceleration read from AccelerometerUncalibrated{suffix}, the raw accelerometer (gravity included, "
            "not bias-corrected): the export has no TotalAcceleration or Accelerometer and Gravity"
        )
    else:
        blocks = with_gravity(aligned(streams["Accelerometer"], streams["Gravity"], "gravity"))
        notes.append(f"acceleration with gravity rebuilt as Accelerometer{suffix} + Gravity{suffix}")
    rates = readings_or_none(streams["Gyroscope"]) if "Gyroscope" in streams else None
    gyroscope = rates is not None
    if rates is not None:
        blocks = with_rates(aligned(blocks, rates, "gyroscope", bridge_ends=True))
        notes.append("gyroscope aligned to the accelerometer's time stamps by linear interpolation")
    elif "Gyroscope" in streams:
        notes.append(without_note(f"Gyroscope{suffix}"))
    flip = ios and standardised != "true"
    if flip:
        notes.append(
            "recorded on iOS: acceleration turned to Android's sign (Sensor Logger's iOS default)"
            + (
                ""
                if standardised == "false"
                else "; if 'Standardise Units & Frames' was on in the app, left and right feet are swapped"
            )
        )
    zone_name = row.get("recording timezone")
    zone = zone_from_name(zone_name) if zone_name else None
    if zone_name and zone is None:
        notes.append(f"time zone {zone_name!r} is not known here: the start time is given in UTC")
    extra = {key: row[field] for field, key in _KEPT if field in row}
    for raw in from_first_sample(blocks):
        raw.acc_unit = acc_unit
        if gyroscope:
            raw.gyr_unit = "rad/s"
            raw.gyr_names = ("x", "y", "z")
        if flip:
            raw.acc = -raw.acc
        if zone is not None:
            raw.zone = zone
        raw.metadata = {"format": "sensorlogger", "source": name, **extra}
        raw.notes.extend(notes)
        notes = []  # said once, on the first block
        yield raw


# A JSON export is decoded a run of readings at a time from blocks of its text, and each sensor's readings are
# kept as arrays (32 bytes a reading where the export spends about 170 and a parsed record about 600), so the
# memory is a fifth of the file's size: about 0.4 GB for this largest export, some eleven hours of an iPhone's
# acceleration, gravity and gyroscope at 100 Hz (an hour, 184 MB, is analysed in 2.6 s and 0.21 GB, where
# json.load alone takes 1.4 s and 0.9 GB; decoded reading by reading it took 3.6 s). The ZIP export is streamed
# whatever its length.
JSON_MAX_BYTES = 2 << 30
_JSON_FLUSH = 1 << 16  # readings gathered as text before they become arrays
_TIME = operator.itemgetter("time")
_XYZ = operator.itemgetter("x", "y", "z")
_READ = frozenset({*_SENSORS, "Metadata"})


def _not_read(name: str) -> bool:
    return name not in _READ


def _read_json(path: Path) -> Iterator[RawSignals]:
    """Sensor Logger's JSON export: one array of records ``{"sensor": ..., "time": ..., "x": ...}`` (all
    values as text, each sensor's records together and in time order) and a ``Metadata`` record with the
    fields of ``Metadata.csv`` (``README.md`` of awesome-sensor-logger, "JSON"). A reading without a value
    (``null``) is a gap, as an empty cell of a CSV is. The other sensors' runs (location, orientation,
    magnetometer, ...) are passed over undecoded, as the ZIP's other files and the SQLite's other tables are
    never opened."""
    size = path.stat().st_size
    if size > JSON_MAX_BYTES:
        raise InputError(
            f"{path.name} is a {size / 2**20:.0f} MB Sensor Logger JSON export; for a recording this long "
            "use the app's 'Zip and CSV' export, which backstride reads in bounded memory"
        )
    readings = {s: _Readings(f"{path.name} ({s})") for s in _SENSORS}
    row: dict[str, str] = {}
    for batch in batches(path, skip=_not_read):
        records = [r for r in batch if isinstance(r, dict)]
        sensors = [r.get("sensor") for r in records]
        if not sensors:
            continue
        # the export lists its sensors one after another: a batch is mostly one sensor's readings
        first = sensors[0]
        groups: dict[object, list[dict[str, Any]]]
        if sensors.count(first) == len(sensors):
            groups = {first: records} if isinstance(first, str) else {}
        else:
            groups = {
                s: [r for r, t in zip(records, sensors, strict=True) if t == s]
                for s in (*_SENSORS, "Metadata")
            }
        for sensor, chosen in groups.items():
            if sensor in readings:
                readings[sensor].extend(chosen)
            elif sensor == "Metadata" and chosen:
                row = _fields(chosen[-1])
    present = {s for s, r in readings.items() if r.count}
    _check_sensors(path.name, present)
    yield from _combined(path.name, {s: readings[s].blocks() for s in _needed(present)}, row, suffix="")


class _Readings:
    """One sensor's readings from a JSON export, gathered as arrays."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0
        self._times: list[object] = []  # as the export has them (text), until flushed
        self._values: list[tuple[object, ...]] = []  # (x, y, z)
        self._stamps: list[npt.NDArray[np.int64]] = []
        self._xyz: list[FloatArray] = []

    def extend(self, records: list[dict[str, Any]]) -> None:
        try:
            times, values = list(map(_TIME, records)), list(map(_XYZ, records))
        except KeyError:  # a reading without one of them: missing values
            times = [r.get("time") for r in records]
            values = [(r.get("x"), r.get("y"), r.get("z")) for r in records]
        self._times.extend(times)
        self._values.extend(values)
        self.count += len(records)
        if len(self._times) >= _JSON_FLUSH:
            self._flush()

    def _flush(self) -> None:
        if not self._times:
            return
        times, values = self._times, self._values
        self._times, self._values = [], []
        xyz = float_rows(values, self.label)  # text or numbers; null or "": NaN
        try:
            stamps = np.array(times, dtype=np.int64)
        except (TypeError, ValueError, OverflowError):
            stamps = np.zeros(0, dtype=np.int64)
        if stamps.shape != (len(times),):
            bad = next(t for t in times if not _is_stamp(t))
            what = "a reading has no time" if bad is None else f"the time {bad!r} is not a whole number"
            raise InputError(f"{self.label}: {what} (nanoseconds since 1970)")
        self._stamps.append(stamps)
        self._xyz.append(xyz)

    def blocks(self) -> Iterator[RawSignals]:
        """The readings as consecutive blocks, time in seconds from the first reading."""
        self._flush()
        origin = int(self._stamps[0][0])
        origin_s = origin / 1e9
        for i, (stamps, xyz) in enumerate(zip(self._stamps, self._xyz, strict=True)):
            raw = RawSignals(
                time_s=(stamps - origin).astype(np.float64) / 1e9,
                acc=xyz,
                gyr=None,
                source=self.label,
                acc_names=("x", "y", "z"),
                first_line=None,
                epoch_s=origin_s,
                clock_origin_s=origin_s,
            )
            if i == 0:
                raw.notes.append("time read as ns since 1970 (Unix time), converted to seconds")
            yield raw
        self._stamps, self._xyz = [], []


def _is_stamp(value: object) -> bool:
    """Whether one reading's ``time`` reads as a whole number (nanoseconds since 1970)."""
    if isinstance(value, (list, dict)):
        return False
    try:
        np.array([value], dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def looks_like_sensorlogger(names: list[str]) -> bool:
    """A folder/ZIP listing written by Sensor Logger."""
    if find_member(names, "TotalAcceleration.csv") is not None:
        return True
    has_acc = find_member(names, "Accelerometer.csv") is not None
    return has_acc and (
        find_member(names, "Gravity.csv") is not None or find_member(names, "Metadata.csv") is not None
    )


def sensorlogger_files(names: list[str], first_line: Callable[[str], str]) -> bool:
    """A folder/ZIP listing that Sensor Logger wrote, whatever sensors were switched on: a CSV whose header is
    the app's (``time,seconds_elapsed,...``: every sensor's file, ``Location.csv`` too) or its
    ``Metadata.csv`` (``version,device name,recording epoch time,...``). ``first_line`` gives a member's
    first line; only a few members are looked at. For an export without acceleration, which its reader
    refuses saying what it holds and what to switch on (it was taken for another app's export, or for a
    ZIP of several tables)."""
    tables = [n for n in names if n.lower().endswith(".csv") and n.count("/") <= 1][:_FILES_LOOKED_AT]
    for name in tables:
        _, cells = split_header(first_line(name).lstrip("\ufeff"))
        lower = {c.strip().lower() for c in cells}
        if "seconds_elapsed" in lower or {"device name", "platform"} <= lower:
            return True
    return False


_FILES_LOOKED_AT = 12


def sensorlogger_json(text: str) -> bool:
    """The start of Sensor Logger's JSON export: an array of records with ``sensor`` and ``time``."""
    head = text.lstrip("\ufeff").lstrip()
    return head.startswith("[") and '"sensor"' in head and '"time"' in head


def sensorlogger_header(text: str) -> bool:
    """A single CSV with Sensor Logger's header ``time,seconds_elapsed,z,y,x``."""
    first = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
    _, names = split_header(first)
    lower = [n.lower() for n in names]
    return "seconds_elapsed" in lower and all(a in lower for a in "xyz")
