"""Damage that the libraries under the readers report in their own bytes, said in one readable line.

Each case was found by reading many thousand randomly damaged copies of the files of ``test_damaged_files``
(other seeds than its own): a traceback (an XML declaration naming an encoding that does not exist, a ZIP
member's header cut short in an ActiGraph file, a table name that is no UTF-8 in an SQLite export, a seek
outside an Apple Health ZIP) or a message quoting the damaged bytes (zipfile's "File name in directory ... and
header b'...\\x8d...' differ", sqlite3's "Could not decode to UTF-8 column 'x' with text '...'", a member name
with a line break). Here each damage is made by hand where it does it."""

from __future__ import annotations

import sqlite3
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmarks.apps import write_xlsx

from backstride import BackstrideError, io
from backstride.activity import read_activity
from backstride.io._damage import shown

CENTRAL = b"PK\x01\x02"
LOCAL = b"PK\x03\x04"


def _said(call: Any, *args: Any) -> str:
    """The message of the BackstrideError that ``call(*args)`` ends in, checked to be one readable line."""
    with pytest.raises(BackstrideError) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message and "\\x" not in message and "\ufffd" not in message, message
    return message


def _walk_zip(tmp_path: Path, synth: Any, member: str = "Raw Data.csv") -> Path:
    w = synth.walk(duration_s=20.0)
    rows = ["Time (s),Acceleration x (m/s^2),Acceleration y (m/s^2),Acceleration z (m/s^2)"]
    rows += [f"{t:.4f},{x:.5f},{y:.5f},{z:.5f}" for t, (x, y, z) in zip(w.t, w.acc, strict=True)]
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, "\n".join(rows) + "\n")
    return export


def _patched(path: Path, at: int, new: bytes) -> Path:
    data = bytearray(path.read_bytes())
    data[at : at + len(new)] = new
    path.write_bytes(bytes(data))
    return path


def test_shown_makes_a_damaged_name_one_line() -> None:
    assert shown("Raw Data.csv") == "Raw Data.csv"
    assert shown("\naw Data.csv") == "?aw Data.csv"
    assert shown("a\x00b\ufffdc\td") == "a?b?c?d"
    long = shown("x" * 200)
    assert len(long) == 80 and long.endswith("...")


def test_a_member_named_differently_in_its_own_header(tmp_path: Path, synth: Any) -> None:
    """A damaged byte in a member's local header name: zipfile quoted the header up to the member's data."""
    export = _walk_zip(tmp_path, synth)
    name_at = export.read_bytes().index(LOCAL) + 30  # the local header's name follows its 30 fixed bytes
    _patched(export, name_at, b"\x8d")
    message = _said(io.read, export)
    assert message == (
        "export.zip is a damaged ZIP archive: Raw Data.csv cannot be unpacked (the member's name differs "
        "between the archive's directory and the member's own header)"
    )


def test_a_member_name_with_a_line_break_in_the_directory(tmp_path: Path, synth: Any) -> None:
    export = _walk_zip(tmp_path, synth)
    name_at = export.read_bytes().index(CENTRAL) + 46  # the directory entry's name follows its 46 fixed bytes
    _patched(export, name_at, b"\n")
    message = _said(io.read, export)
    assert message.startswith("export.zip is a damaged ZIP archive: ?aw Data.csv cannot be unpacked (")


def test_a_member_said_to_be_bzip2(tmp_path: Path, synth: Any) -> None:
    """A damaged compression method in the directory (12, bzip2): bz2 says "Invalid data stream", an OSError
    without an error number, which is the file's damage and not the disk's."""
    export = _walk_zip(tmp_path, synth)
    method_at = export.read_bytes().index(CENTRAL) + 10
    _patched(export, method_at, struct.pack("<H", 12))
    message = _said(io.read, export)
    assert (
        message
        == "export.zip is a damaged ZIP archive: Raw Data.csv cannot be unpacked (Invalid data stream)"
    )


def test_a_workbook_part_declaring_an_encoding_that_does_not_exist(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=20.0)
    names = ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz")]
    workbook = write_xlsx(
        tmp_path / "walk.xlsx", {"Raw Data": [names, *np.column_stack([w.t, w.acc]).tolist()]}
    )
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b'encoding="UTF-8"', b'encoding="UTt258"', 1)
            target.writestr(info, data)
    message = _said(io.read, damaged)
    assert message == (
        "damaged.xlsx is a damaged Excel workbook: Raw Data cannot be read (its XML declares an encoding that "
        "does not exist)"
    )


def test_an_actigraph_member_whose_header_is_cut_short(tmp_path: Path, shared_data: Path) -> None:
    """A .gt3x whose directory puts log.bin's local header in the file's last bytes: zipfile refuses it as
    "Truncated file header" and the reader, reading the member's bytes itself, met struct.error."""
    source = shared_data / "devices" / "actigraph_gt3x" / "GGIR_actigraph_testfile.gt3x"
    data = source.read_bytes()
    copy = tmp_path / "cut header.gt3x"
    copy.write_bytes(data)
    with zipfile.ZipFile(copy) as archive:
        names = archive.namelist()
    entry = 0
    for name in names:  # the directory entries, in order, each 46 bytes and its name, extra and comment
        entry = data.index(CENTRAL, entry)
        sizes = struct.unpack("<3H", data[entry + 28 : entry + 34])
        if name == "log.bin":
            _patched(copy, entry + 42, struct.pack("<I", len(data) - 10))
            break
        entry += 46 + sum(sizes)
    message = _said(io.read, copy)
    assert message.startswith("cut header.gt3x ")


def test_an_sqlite_table_name_that_is_no_text(tmp_path: Path) -> None:
    """A damaged byte in a table's name in sqlite_master: sqlite3 raised UnicodeDecodeError listing tables."""
    database = tmp_path / "logger.sqlite"
    with sqlite3.connect(database) as db:
        db.execute(
            "CREATE TABLE TotalAcceleration (time INTEGER, seconds_elapsed REAL, z REAL, y REAL, x REAL)"
        )
        db.execute("INSERT INTO TotalAcceleration VALUES (1, 0.0, 9.8, 0.0, 0.0)")
    db.close()
    name_at = database.read_bytes().index(b"TotalAcceleration")
    _patched(database, name_at + 1, b"\xc7")
    message = _said(io.read, database)
    assert message == (
        "logger.sqlite is a damaged SQLite database (it holds bytes that are no UTF-8 text where text should be)"
    )


def test_an_sqlite_cell_whose_bytes_are_no_text(tmp_path: Path, synth: Any) -> None:
    """A value stored as text whose bytes are no UTF-8: sqlite3 quoted the bytes."""
    w = synth.walk(duration_s=20.0)
    database = tmp_path / "logger.sqlite"
    with sqlite3.connect(database) as db:
        db.execute(
            "CREATE TABLE TotalAcceleration (time INTEGER, seconds_elapsed REAL, z REAL, y REAL, x REAL)"
        )
        rows = [(round(t * 1e9), t, z, y, x) for t, (x, y, z) in zip(w.t, w.acc, strict=True)]
        db.executemany("INSERT INTO TotalAcceleration VALUES (?, ?, ?, ?, ?)", rows)
        db.execute("UPDATE TotalAcceleration SET x = CAST(X'40C7FF08' AS TEXT) WHERE rowid = 500")
    db.close()
    message = _said(io.read, database)
    assert message == (
        "logger.sqlite is a damaged SQLite database: TotalAcceleration cannot be read (its column x holds bytes "
        "that are no text)"
    )


def test_an_apple_health_export_declaring_an_encoding_that_does_not_exist(
    tmp_path: Path, shared_data: Path
) -> None:
    source = shared_data / "devices" / "apple_health" / "tdda_export6s3sample.xml"
    text = source.read_bytes()
    assert text.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    export = tmp_path / "export.xml"
    export.write_bytes(text.replace(b'encoding="UTF-8"', b'encoding="UTt258"', 1))
    message = _said(read_activity, export)
    assert message == "export.xml cannot be read: its XML declares an encoding that does not exist"


def test_an_apple_health_zip_whose_directory_points_outside_it(tmp_path: Path, shared_data: Path) -> None:
    """Bytes lost before the export's data: zipfile's seek outside the file ("[Errno 22]") was raised as it
    was, a traceback, from an Apple Health ZIP."""
    source = shared_data / "devices" / "apple_health" / "opendroid_hk_sampleexport-2.xml"
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", source.read_bytes())
    data = export.read_bytes()
    middle = data.index(CENTRAL) // 2
    export.write_bytes(data[:middle] + data[middle + 1000 :])
    message = _said(read_activity, export)
    assert message == (
        "export.zip is a damaged or incomplete ZIP archive (its directory gives a place outside the file)"
    )
