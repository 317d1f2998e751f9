"""The reference recordings written as phone apps export them, for the ``apps`` rows of the robustness table.

The engine is judged on real app exports, and a reader and the engine can each be right on their own and
still disagree when put together (a time origin, an axis order, a sign, a unit, a sensor clock). These
builders take a reference recording and write it as the app would have written it had the phone been at
the lower back, so the whole path — format found by content, reader, units, resampling, engine — is scored
against the recording's own reference, as the official scorer scores ``imu.csv`` (``EVAL_FILE``).

What makes the file a phone's, not the lab sensor's:

- **the frame**: the phone's axes are not the body's; the caller turns the recording by a random rotation
  first (as in the "randomly rotated" row);
- **the clock**: a phone's sensors deliver samples at a nominal rate, not exactly: each interval here is
  the nominal one ±5 % (standard deviation), and the operating system drops short runs of samples when it
  is busy (runs of 2–10 samples, starting at 0.5 % of them). Each sensor has its own clock, so the
  gyroscope's time stamps do not line up with the accelerometer's. The recording is interpolated
  (linearly) at those instants: it has no content above its own 50 Hz Nyquist frequency to lose.
- **the layout and units**, each from the app's documentation (see the readers, ``backstride.io._phyphox``
  and ``backstride.io._sensorlogger``):

  ============================  ========  ==========================================================
  app                           rate      what is written
  ============================  ========  ==========================================================
  ``phyphox``                   200 Hz    "Acceleration with g" experiment ZIP: ``Raw Data.csv`` with
                                          quoted headers, numbers as ``%.9E``, experiment time in s;
                                          ``meta/time.csv``, ``meta/device.csv``. No gyroscope.
  ``phyphox-xlsx``              200 Hz    the same as an Excel workbook (phyphox's default export):
                                          sheets ``Raw Data``, ``Metadata Device``, ``Metadata Time``.
  ``sensorlogger-android``      200 Hz    Sensor Logger ZIP: ``TotalAcceleration.csv`` and
                                          ``Gyroscope.csv`` (rad/s), columns ``time,seconds_elapsed,z,
                                          y,x`` with the time in ns since the epoch; ``Metadata.csv``.
  ``sensorlogger-ios``          100 Hz    Sensor Logger folder as iOS writes it, not standardised:
                                          ``Accelerometer.csv`` (gravity removed) and ``Gravity.csv``,
                                          both with iOS's opposite sign, and ``Gyroscope.csv``.
  ``sensorlogger-json``         100 Hz    the same iOS recording as the app's JSON export: one array
                                          of readings, every value as text, the metadata last.
  ``sensorlogger-sqlite``       200 Hz    the Android recording as the app's SQLite export: a table
                                          per sensor (and ``Metadata``), the time in ns as integers.
  ``sensorlog``                 100 Hz    SensorLog (iOS) CSV: one row per logging tick, the text
                                          clock, each sensor's own clock since reboot, Core Motion's
                                          acceleration in G with its sign (gravity -1 G along the axis
                                          pointing up), the rotation rate in rad/s, and the device
                                          motion's user acceleration and gravity (G, same sign).
  ``metabase``                  100 Hz    MbientLab's MetaBase (a MetaWear sensor, not the phone's): a
                                          folder of ``…_Accelerometer.csv`` (g) and ``…_Gyroscope.csv``
                                          (deg/s), Unix time in ms, the local time as text, values to
                                          three decimals; the sensor's own regular clock with Bluetooth
                                          losses, each file's its own.
  ============================  ========  ==========================================================

  Gravity for the iOS split is the acceleration's 0.3 Hz low-pass (a phone estimates it by sensor fusion;
  only the sum is read back, so the split's exact form does not matter).

The exports are written into a temporary folder for each scoring run and deleted afterwards.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

from backstride.recording import GRAVITY_MPS2  # 1 g (Core Motion's unit), m/s²
from benchmarks.datasets import rotations_to_up

FloatArray = npt.NDArray[np.float64]

START_NS = 1_760_000_000 * 10**9  # 2025-10-09 08:53:20 UTC
CLOCK_JITTER = 0.05  # standard deviation of a sample interval, as a fraction of the nominal one
DROP_START = 0.005  # share of samples at which a run of dropped samples starts
DROP_RUN = (2, 10)  # samples in a dropped run

SENSORLOGGER_METADATA = (
    "version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,"
    "device id,sensors,sampleRateMs,standardisation,platform version\n"
)


def phone_clock(
    duration_s: float, rate_hz: float, rng: np.random.Generator, jitter: float = CLOCK_JITTER
) -> FloatArray:
    """Sample instants of a phone sensor over ``[0, duration_s]``: jittered intervals, short dropouts."""
    n = int(duration_s * rate_hz * 1.2) + 10
    steps = np.clip(1.0 + jitter * rng.standard_normal(n), 0.5, 1.5) / rate_hz
    t = rng.uniform(0.0, 1.0 / rate_hz) + np.concatenate([[0.0], np.cumsum(steps)])
    t = t[t <= duration_s]
    keep = np.ones(t.size, dtype=bool)
    for start in np.flatnonzero(rng.random(t.size) < DROP_START):
        keep[start : start + rng.integers(DROP_RUN[0], DROP_RUN[1] + 1)] = False
    keep[0] = keep[-1] = True
    return t[keep]


def at(times: FloatArray, t: FloatArray, values: FloatArray) -> FloatArray:
    """``values`` (``(n, 3)`` at ``times``) linearly interpolated at the instants ``t``."""
    return np.column_stack([np.interp(t, times, values[:, k]) for k in range(values.shape[1])])


def _zip(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder.parent))
    return archive


PHYPHOX_META_FILES = {"Metadata Device": "meta/device.csv", "Metadata Time": "meta/time.csv"}
"""Where phyphox's CSV export keeps what its Excel export has in these sheets; every other view is
``<view>.csv``."""


def phyphox_views(rec: Any, rng: np.random.Generator) -> dict[str, list[list[Any]]]:
    """What phyphox's "Acceleration with g" export of ``rec`` holds, sampled on a 200 Hz phone clock: the
    rows of each view (a sheet of its Excel export, a file of its CSV export), names first."""
    t = phone_clock(rec.duration_s, 200.0, rng)
    acc = at(rec.time_s, t, rec.acc_mps2)
    data = np.column_stack([t, acc, np.linalg.norm(acc, axis=1)])
    names = ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz"), "Absolute acceleration (m/s^2)"]
    end = float(t[-1]) + 0.5
    return {
        "Raw Data": [names, *data.tolist()],
        "Metadata Device": [["property", "value"], ["deviceBrand", "Google"], ["deviceModel", "Pixel 7"]],
        "Metadata Time": [
            ["event", "experiment time", "system time", "system time text"],
            ["START", 0.0, 1.76e9, "2025-10-09 10:53:20.000 UTC+02:00"],
            ["PAUSE", end, 1.76e9 + end, "2025-10-09 10:54:00.000 UTC+02:00"],
        ],
    }


def write_phyphox_zip(
    path: Path,
    views: dict[str, list[list[Any]]],
    *,
    folder: str = "",
    number: Callable[[float], str] | None = None,
) -> Path:
    """``views`` as phyphox's CSV export (ZIP): a file per view (``meta/`` for the metadata), names and text
    quoted, numbers as the app writes them (``0.000000000E0``: nine decimals; ``number`` to write them
    otherwise), inside ``folder`` when one is given."""
    form = number or (lambda v: f"{v:.9E}")
    prefix = f"{folder}/" if folder else ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for view, rows in views.items():
            lines = (
                ",".join(f'"{v}"' if isinstance(v, str) else form(float(v)) for v in row) for row in rows
            )
            z.writestr(prefix + PHYPHOX_META_FILES.get(view, f"{view}.csv"), "\n".join(lines) + "\n")
    return path


def phyphox(rec: Any, out: Path, rng: np.random.Generator) -> Path:
    """A phyphox "Acceleration with g" export (ZIP) of ``rec``, sampled on a 200 Hz phone clock."""
    views = phyphox_views(rec, rng)
    return write_phyphox_zip(out / "phyphox.zip", views, folder="Acceleration with g 2025-10-09 10-53-20")


def phyphox_xlsx(rec: Any, out: Path, rng: np.random.Generator) -> Path:
    """The same "Acceleration with g" export as :func:`phyphox`, in the Excel format phyphox's export dialog
    selects first: sheets ``Raw Data``, ``Metadata Device`` and ``Metadata Time``, written as the app's own
    minimal writer does (inline strings, cells without references, numbers as Java prints a double)."""
    return write_xlsx(out / "phyphox.xlsx", phyphox_views(rec, rng))


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A minimal Office Open XML workbook (ECMA-376): one worksheet part per sheet, strings inline."""
    from xml.sax.saxutils import escape, quoteattr

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"

    def cell(value: Any) -> str:
        if isinstance(value, str):
            return f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        return f"<c><v>{float(value)!r}</v></c>"

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        for i, rows in enumerate(sheets.values(), start=1):
            body = "".join("<row>" + "".join(cell(v) for v in row) + "</row>" for row in rows)
            z.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{body}'
                "</sheetData></worksheet>",
            )
        listed = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, 1)
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{listed}'
            "</sheets></workbook>",
        )
        targets = "".join(
            f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">{targets}</Relationships>',
        )
    return path


def _sensorlogger_csv(path: Path, t: FloatArray, xyz: FloatArray) -> None:
    """``time,seconds_elapsed,z,y,x``: the axes in the app's order, time in ns since the epoch."""
    table = pa.table(
        {
            "time": (START_NS + np.round(t * 1e9)).astype(np.int64),
            "seconds_elapsed": np.round(t, 6),
            "z": np.round(xyz[:, 2], 7),
            "y": np.round(xyz[:, 1], 7),
            "x": np.round(xyz[:, 0], 7),
        }
    )
    with path.open("wb") as f:
        f.write(b"time,seconds_elapsed,z,y,x\n")  # pyarrow would quote the names; the app does not
        pacsv.write_csv(table, f, write_options=pacsv.WriteOptions(include_header=False))


def _gyroscope(rec: Any, folder: Path, rate_hz: float, rng: np.random.Generator) -> None:
    if rec.gyr_dps is not None:
        t = phone_clock(rec.duration_s, rate_hz, rng)
        _sensorlogger_csv(folder / "Gyroscope.csv", t, np.radians(at(rec.time_s, t, rec.gyr_dps)))


def sensorlogger_android(rec: Any, out: Path, rng: np.random.Generator) -> Path:
    """A Sensor Logger export (ZIP) from an Android phone: acceleration with gravity and the gyroscope."""
    folder = out / "2025-10-09_08-53-20"
    folder.mkdir(parents=True)
    t = phone_clock(rec.duration_s, 200.0, rng)
    _sensorlogger_csv(folder / "TotalAcceleration.csv", t, at(rec.time_s, t, rec.acc_mps2))
    _gyroscope(rec, folder, 200.0, rng)
    (folder / "Metadata.csv").write_text(
        SENSORLOGGER_METADATA + "3,Pixel 7,1760000000000,2025-10-09_08-53-20,Europe/Berlin,android,1.64,"
        "abc,TotalAcceleration|Gyroscope,5|5,false,15\n",
        encoding="utf-8",
    )
    return _zip(folder, out / "sensorlogger.zip")


def sensorlogger_ios(rec: Any, out: Path, rng: np.random.Generator) -> Path:
    """A Sensor Logger folder from an iPhone (not standardised): user acceleration and gravity with iOS's
    sign, and the gyroscope."""
    from backstride.gait._filters import lowpass

    folder = out / "2025-10-09_08-53-20"
    folder.mkdir(parents=True)
    gravity = lowpass(rec.acc_mps2, 0.3, rec.sampling_rate_hz)
    t = phone_clock(rec.duration_s, 100.0, rng)  # Core Motion gives both from one device-motion update
    _sensorlogger_csv(folder / "Accelerometer.csv", t, -at(rec.time_s, t, rec.acc_mps2 - gravity))
    _sensorlogger_csv(folder / "Gravity.csv", t, -at(rec.time_s, t, gravity))
    _gyroscope(rec, folder, 100.0, rng)
    (folder / "Metadata.csv").write_text(
        SENSORLOGGER_METADATA + "3,iPhone 15,1760000000000,2025-10-09_08-53-20,Europe/Berlin,ios,1.64,"
        "abc,Accelerometer|Gravity|Gyroscope,10|10|10,false,18.1\n",
        encoding="utf-8",
    )
    return folder


def sensorlogger_json(rec: Any, out: Path, rng: np.random.Generator) -> Path:
    """The iPhone's Sensor Logger recording of :func:`sensorlogger_ios` as the app's JSON export: one array,
    each sensor's readings together and in time order, every value as text, the metadata as a last record
    (awesome-sensor-logger's ``README.md``, "JSON"), indented as the app writes it. Written a sensor at a
    time, so an hour's export (about 180 MB) is made in the memory of its arrays."""
    import json

    folder = sensorlogger_ios(rec, out / "folder", rng)
    path = out / "2025-10-09_08-53-20.json"
    indent = "\n    "
    with path.open("w", encoding="utf-8") as f:
        f.write("[")
        first = True
        for sensor in ("Accelerometer", "Gravity", "Gyroscope"):
            if not (folder / f"{sensor}.csv").is_file():
                continue
            table = pacsv.read_csv(
                folder / f"{sensor}.csv",
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in ("time", "seconds_elapsed", "z", "y", "x")}
                ),
            )
            columns = [table.column(c).to_pylist() for c in ("time", "seconds_elapsed", "z", "y", "x")]
            for time, elapsed, z, y, x in zip(*columns, strict=True):
                f.write(
                    ("\n  {" if first else ",\n  {")
                    + f'{indent}"sensor": "{sensor}",{indent}"time": "{time}",{indent}"seconds_elapsed": '
                    f'"{elapsed}",{indent}"z": "{z}",{indent}"y": "{y}",{indent}"x": "{x}"\n  }}'
                )
                first = False
        names, values = (folder / "Metadata.csv").read_text(encoding="utf-8").splitlines()
        metadata = {"sensor": "Metadata", **dict(zip(names.split(","), values.split(","), strict=True))}
        f.write(",\n  " + json.dumps(metadata, indent=2).replace("\n", "\n  ") + "\n]")
    return path


def sensorlogger_sqlite(rec: Any, out: Path, rng: np.random.Generator) -> Path:
    """The Android phone's Sensor Logger recording of :func:`sensorlogger_android` as the app's SQLite export:
    a table per sensor, named as the ZIP's files (awesome-sensor-logger's ``README.md``, "SQLite"), the time
    in ns as integers and the readings as reals, and the metadata's one row."""
    import sqlite3

    archive = sensorlogger_android(rec, out / "zip", rng)
    path = out / "2025-10-09_08-53-20.sqlite"
    with zipfile.ZipFile(archive) as z, sqlite3.connect(path) as db:
        for member in z.namelist():
            table = Path(member).stem
            if member.endswith("Metadata.csv"):
                names, values = z.read(member).decode().splitlines()
                columns = ", ".join(f'"{n}" TEXT' for n in names.split(","))
                db.execute(f'CREATE TABLE "{table}" ({columns})')
                db.execute(
                    f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(values.split(",")))})',
                    values.split(","),
                )
            elif member.endswith(".csv"):
                with z.open(member) as f:
                    data = pacsv.read_csv(f)
                db.execute(
                    f'CREATE TABLE "{table}" (time INTEGER, seconds_elapsed REAL, z REAL, y REAL, x REAL)'
                )
                rows = zip(
                    *(data.column(c).to_pylist() for c in ("time", "seconds_elapsed", "z", "y", "x")),
                    strict=True,
                )
                db.executemany(f'INSERT INTO "{table}" VALUES (?, ?, ?, ?, ?)', rows)
    return path


def sensorlog(rec: Any, out: Path, rng: np.random.Generator) -> Path:
    """A SensorLog CSV from an iPhone (accelerometer and device motion on; the columns the app writes for them,
    its location columns left out): Core Motion's values as they come, in G, so with the opposite sign to
    Android's."""
    from backstride.gait._filters import lowpass

    t = phone_clock(rec.duration_s, 100.0, rng)
    acc = -at(rec.time_s, t, rec.acc_mps2) / GRAVITY_MPS2
    gravity = -at(rec.time_s, t, lowpass(rec.acc_mps2, 0.3, rec.sampling_rate_hz)) / GRAVITY_MPS2
    since_reboot = 86_000.0 + t
    clock = np.datetime64("2025-10-09T10:53:20", "ms") + np.round(t * 1000).astype("timedelta64[ms]")
    columns: dict[str, Any] = {
        "loggingTime(txt)": np.char.add(np.char.replace(np.datetime_as_string(clock), "T", " "), " +0200"),
        "loggingSample(N)": np.arange(t.size),
        "accelerometerTimestamp_sinceReboot(s)": np.round(since_reboot, 6),
    }
    columns.update({f"accelerometerAcceleration{a}(G)": np.round(acc[:, i], 6) for i, a in enumerate("XYZ")})
    columns["motionTimestamp_sinceReboot(s)"] = np.round(since_reboot + 0.002, 6)
    if rec.gyr_dps is not None:
        rates = np.radians(at(rec.time_s, t, rec.gyr_dps))
        columns.update(
            {f"motionRotationRate{a}(rad/s)": np.round(rates[:, i], 6) for i, a in enumerate("XYZ")}
        )
    user = acc - gravity
    columns.update({f"motionUserAcceleration{a}(G)": np.round(user[:, i], 6) for i, a in enumerate("XYZ")})
    columns.update({f"motionGravity{a}(G)": np.round(gravity[:, i], 6) for i, a in enumerate("XYZ")})
    path = out / "2025-10-09_10-53-20_iPhone.csv"
    with path.open("wb") as f:
        f.write((",".join(columns) + "\n").encode())  # the app quotes nothing; pyarrow would quote the names
        pacsv.write_csv(
            pa.table(columns), f, write_options=pacsv.WriteOptions(include_header=False, quoting_style="none")
        )
    return path


def _metabase_file(path: Path, t: FloatArray, values: FloatArray, unit: str) -> None:
    """One sensor's file as MetaBase's State.swift writes it: ``epoc (ms)``, the local time as
    ``yyyy-MM-dd'T'HH.mm.ss.SSS`` under a ``timestamp (+0200)`` name, ``elapsed (s)``, ``x-axis (unit)`` ... to
    three decimals, a line end before each row and none after the last."""
    epoch_ms = np.round(START_NS / 1e6 + t * 1000).astype(np.int64)
    local = (epoch_ms + 2 * 3_600_000).astype("datetime64[ms]")  # the phone's clock, at UTC+2
    stamps = [s.replace(":", ".") for s in np.datetime_as_string(local)]
    rows = "".join(
        f"\n{ms},{stamp},{ti - t[0]:.3f},{x:.3f},{y:.3f},{z:.3f}"
        for ms, stamp, ti, (x, y, z) in zip(
            epoch_ms.tolist(), stamps, t.tolist(), values.tolist(), strict=True
        )
    )
    names = ",".join(f"{axis}-axis ({unit})" for axis in "xyz")
    path.write_text(f"epoc (ms),timestamp (+0200),elapsed (s),{names}" + rows)


def metabase(rec: Any, out: Path, rng: np.random.Generator) -> Path:
    """MbientLab's MetaBase recording of a MetaWear sensor at 100 Hz: a folder of its accelerometer's file (in g)
    and its gyroscope's (deg/s), each as :func:`_metabase_file` writes it. The sensor keeps its own time (its
    sample count times the period), so the intervals are regular; samples lost over Bluetooth leave gaps, each
    sensor's its own."""
    folder = out / "MetaWear session"
    folder.mkdir()
    stem = folder / "MetaWear_2025-10-09T10.53.20.000_C3FB9A3F4A5B_"
    t = phone_clock(rec.duration_s, 100.0, rng, jitter=0.0)
    _metabase_file(Path(f"{stem}Accelerometer.csv"), t, at(rec.time_s, t, rec.acc_mps2) / GRAVITY_MPS2, "g")
    if rec.gyr_dps is not None:
        t = phone_clock(rec.duration_s, 100.0, rng, jitter=0.0)
        _metabase_file(Path(f"{stem}Gyroscope.csv"), t, at(rec.time_s, t, rec.gyr_dps), "deg/s")
    return folder


MOVELLA_PREAMBLE = (
    "sep=,\nDeviceTag:,1\nFirmwareVersion:,3.0.0\nAppVersion:,2023.6.0\nSyncStatus:,Synced\nOutputRate:,60Hz\n"
    "FilterProfile:,General\nMeasurement Mode:,Sensor fusion Mode - Extended({mode})\n"
    "StartTime: ,2025-10-09_10:53:20_000 CEST\n© Movella Technologies B. V. 2005-2025\n\n"
)


def earth_orientation(rec: Any, t: FloatArray, rng: np.random.Generator) -> FloatArray:
    """``(n, 3, 3)`` rotations from the sensor's frame to the earth's (east north up) at the instants ``t``, as a
    sensor's own fusion would track them: the tilt that takes gravity's direction in the sensor (the acceleration's
    1 s mean) to up, then a heading that starts at random and turns with the angular rate about the vertical."""
    k = max(round(rec.sampling_rate_hz), 1)
    kernel = np.ones(k) / k
    mean = np.column_stack([np.convolve(rec.acc_mps2[:, i], kernel, mode="same") for i in range(3)])
    up = at(rec.time_s, t, mean)
    up /= np.linalg.norm(up, axis=1, keepdims=True)
    tilt = rotations_to_up(up)
    turn_dps = (
        np.zeros(t.size) if rec.gyr_dps is None else np.einsum("ij,ij->i", at(rec.time_s, t, rec.gyr_dps), up)
    )
    heading = rng.uniform(-np.pi, np.pi) + np.radians(
        np.concatenate([[0.0], np.cumsum(turn_dps[1:] * np.diff(t))])
    )
    yaw = np.zeros((t.size, 3, 3))
    yaw[:, 0, 0] = yaw[:, 1, 1] = np.cos(heading)
    yaw[:, 1, 0] = np.sin(heading)
    yaw[:, 0, 1] = -np.sin(heading)
    yaw[:, 2, 2] = 1.0
    rotation: FloatArray = yaw @ tilt
    return rotation


def movella_dot(rec: Any, out: Path, rng: np.random.Generator, quaternion: bool = False) -> Path:
    """A Movella DOT sensor's CSV export in its default sensor-fusion mode, at 60 Hz: the app's lines above the
    names, ``PacketCounter`` (16 bits) and ``SampleTimeFine`` (µs, 32 bits, starting 10 s before it wraps), the
    orientation (Euler angles in degrees, roll pitch yaw in the z-y-x sequence; or the quaternion, w x y z) and
    the free acceleration (the earth's frame, east north up, gravity taken off; 9.81 m/s²), then ``Status``. No
    raw acceleration and no angular rate. The sensor's own clock is regular; packets lost over Bluetooth leave
    gaps in both counts."""
    t = phone_clock(rec.duration_s, 60.0, rng, jitter=0.0)
    slot = np.round((t - t[0]) * 60.0).astype(np.int64)  # the packet each sample is
    rotation = earth_orientation(rec, t, rng)
    free = np.einsum("nij,nj->ni", rotation, at(rec.time_s, t, rec.acc_mps2))
    free[:, 2] -= 9.81
    if quaternion:  # from the matrix (w first, w >= 0)
        w = 0.5 * np.sqrt(np.maximum(1.0 + rotation[:, 0, 0] + rotation[:, 1, 1] + rotation[:, 2, 2], 0.0))
        x = (rotation[:, 2, 1] - rotation[:, 1, 2]) / (4 * w)
        y = (rotation[:, 0, 2] - rotation[:, 2, 0]) / (4 * w)
        z = (rotation[:, 1, 0] - rotation[:, 0, 1]) / (4 * w)
        angles, names, mode = np.column_stack([w, x, y, z]), "Quat_W,Quat_X,Quat_Y,Quat_Z", "Quaternion"
    else:  # R = Rz(yaw) Ry(pitch) Rx(roll)
        roll = np.arctan2(rotation[:, 2, 1], rotation[:, 2, 2])
        pitch = -np.arcsin(np.clip(rotation[:, 2, 0], -1.0, 1.0))
        yaw = np.arctan2(rotation[:, 1, 0], rotation[:, 0, 0])
        angles, names, mode = (
            np.degrees(np.column_stack([roll, pitch, yaw])),
            "Euler_X,Euler_Y,Euler_Z",
            "Euler",
        )
    counter = (1 + slot) % 65536
    fine = (2**32 - 10_000_000 + slot * 16_667) % 2**32
    rows = "".join(
        f"{c},{f},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f}"
        + ("" if not quaternion else f",{a[3]:.6f}")
        + f",{v[0]:.6f},{v[1]:.6f},{v[2]:.6f},0\n"
        for c, f, a, v in zip(counter.tolist(), fine.tolist(), angles.tolist(), free.tolist(), strict=True)
    )
    path = out / "D4-22-CD-00-36-80_20251009_105320.csv"
    path.write_text(
        MOVELLA_PREAMBLE.format(mode=mode)
        + f"PacketCounter,SampleTimeFine,{names},FreeAcc_X,FreeAcc_Y,FreeAcc_Z,Status\n"
        + rows,
        encoding="utf-8",
    )
    return path


APPS: dict[str, Callable[[Any, Path, np.random.Generator], Path]] = {
    "phyphox": phyphox,
    "phyphox-xlsx": phyphox_xlsx,
    "sensorlogger-android": sensorlogger_android,
    "sensorlogger-ios": sensorlogger_ios,
    "sensorlogger-json": sensorlogger_json,
    "sensorlogger-sqlite": sensorlogger_sqlite,
    "sensorlog": sensorlog,
    "metabase": metabase,
    "movella-dot": movella_dot,
}


def export(app: str, rec: Any, out: Path, seed: int) -> Path:
    """Write ``rec`` as ``app`` exports it, into the (empty) folder ``out``; the path to give ``io.read``.
    Each app draws its own clocks from ``seed``."""
    return APPS[app](rec, out, np.random.default_rng([seed, zlib.crc32(app.encode())]))
