"""Excel workbooks (``.xlsx``) read as tables: each sheet streamed into a CSV file the CSV readers take.

phyphox's export dialog offers Excel first (and selects it), so a phone's recording often arrives as a
workbook: one sheet per exported view (``Raw Data``, or ``Accelerometer`` and ``Gyroscope``) and the
sheets ``Metadata Device`` and ``Metadata Time`` (the app's export code). The format is Office Open XML
(ECMA-376 Part 1, §18): a ZIP holding ``xl/workbook.xml`` (the sheets' names and relationship ids),
``xl/_rels/workbook.xml.rels`` (where each sheet's part is), the sheets' ``<sheetData>`` of ``<row>`` and
``<c>`` cells, and, when a writer pools its strings, ``xl/sharedStrings.xml``. A cell holds a number
(``<v>``), a shared string (``t="s"``: ``<v>`` is its index), an inline string (``t="inlineStr"``:
``<is><t>``), a formula's string result (``t="str"``), a boolean (``t="b"``) or an error (``t="e"``, read as
empty). Its column comes from its reference (``r="C7"``) when it has one, else it follows the cell before
(phyphox's own writer leaves references out; a workbook saved again by Excel has them).

A sheet of hundreds of thousands of rows is parsed as a stream (:func:`xml.etree.ElementTree.iterparse`,
each row dropped once written), so memory stays flat; numbers are copied as the workbook writes them.
"""

from __future__ import annotations

import contextlib
import csv
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree as ET

from backstride._errors import InputError
from backstride.io._container import ZIP_ERRORS, refuse_duplicated_members
from backstride.io._damage import damage_of, shown

WORKBOOK = "xl/workbook.xml"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_COLUMN = re.compile(r"[A-Z]+")
_MAX_COLUMNS = 16384  # Excel's last column, XFD (ECMA-376 Part 1, §18.3.1.4)


def is_workbook(names: list[str]) -> bool:
    """Whether a ZIP's member list is an Excel workbook's."""
    return WORKBOOK in names


def sheet_parts(path: Path) -> dict[str, str]:
    """The workbook's sheets in order: ``{sheet name: ZIP member of its part}``."""
    try:
        with zipfile.ZipFile(path) as archive:
            refuse_duplicated_members(path.name, archive.namelist())
            names = set(archive.namelist())
            book = ET.fromstring(archive.read(WORKBOOK))
            rels_name = "xl/_rels/workbook.xml.rels"
            rels = ET.fromstring(archive.read(rels_name)) if rels_name in names else None
    except (
        *ZIP_ERRORS,
        LookupError,
        ET.ParseError,
    ) as exc:  # LookupError: a member missing, an unknown encoding
        raise InputError(f"{path.name} is a damaged Excel workbook: {damage_of(exc)}") from exc
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels.iter(f"{_PACKAGE_REL}Relationship"):
            target = rel.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id", "")] = _normalised(member)
    parts: dict[str, str] = {}
    for i, sheet in enumerate(book.iter(f"{_MAIN}sheet"), start=1):
        member = targets.get(sheet.get(f"{_REL}id", ""), f"xl/worksheets/sheet{i}.xml")
        if member in names:
            parts[sheet.get("name") or f"Sheet{i}"] = member
    return parts


def _normalised(member: str) -> str:
    parts: list[str] = []
    for part in PurePosixPath(member).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _, element in ET.iterparse(stream):
            if element.tag == f"{_MAIN}si":
                # rich text keeps its runs' text in <r><t>; phonetic guides (<rPh>) are not the cell's text
                guides = {id(t) for ph in element.iter(f"{_MAIN}rPh") for t in ph.iter(f"{_MAIN}t")}
                strings.append(
                    "".join(t.text or "" for t in element.iter(f"{_MAIN}t") if id(t) not in guides)
                )
                element.clear()
    return strings


def _column(reference: str | None, following: int) -> int:
    """0-based column of a cell: from its reference (``"AB12"``), else the one after the cell before."""
    index = following + 1
    letters = _COLUMN.match(reference or "")
    if letters:
        index = 0
        for ch in letters.group()[:4]:
            index = index * 26 + ord(ch) - 64
    if index > _MAX_COLUMNS:  # a row is a list of columns: a damaged reference must not make it huge
        raise ValueError(f"the cell {reference or '#' + str(index)} lies beyond Excel's last column, XFD")
    return index - 1


def _cell_text(cell: ET.Element, shared: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
    value = cell.find(f"{_MAIN}v")
    text = (value.text or "") if value is not None else ""
    if kind == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError):
            return ""
    if kind == "e":
        return ""
    return text


def _write_sheet(stream: IO[bytes], shared: list[str], sink: IO[str], limit: int | None) -> None:
    """The sheet XML in ``stream`` as CSV rows in ``sink`` (at most about ``limit`` characters)."""
    writer = csv.writer(sink, lineterminator="\n")
    written = 0
    holder: ET.Element | None = None  # <sheetData>: emptied after each row, so rows do not pile up
    row: list[str] = []
    for event, element in ET.iterparse(stream, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_MAIN}sheetData":
                holder = element
            elif tag == f"{_MAIN}row":
                row = []
            continue
        if tag == f"{_MAIN}c":
            at = _column(element.get("r"), len(row))
            if at >= len(row):
                row.extend([""] * (at - len(row) + 1))
            row[at] = _cell_text(element, shared)
        elif tag == f"{_MAIN}row":
            while row and row[-1] == "":
                row.pop()
            if row:
                writer.writerow(row)
                written += sum(len(c) + 1 for c in row)
            if holder is not None:
                holder.clear()
            if limit is not None and written >= limit:
                return


@contextlib.contextmanager
def sheets_as_csv(path: Path, sheets: dict[str, str], limit: int | None = None) -> Iterator[dict[str, Path]]:
    """The workbook's ``sheets`` (``{sheet name: file name}``) as CSV files in a temporary folder:
    ``{file name: path}``. With ``limit``, about that many characters of each (the start of a long one)."""
    parts = sheet_parts(path)
    with tempfile.TemporaryDirectory(prefix="backstride-") as tmp:
        files: dict[str, Path] = {}
        sheet = "its shared strings"
        try:
            with zipfile.ZipFile(path) as archive:
                shared = _shared_strings(archive)
                for i, (sheet, name) in enumerate(sheets.items()):
                    target = Path(tmp) / str(i) / PurePosixPath(name).name
                    target.parent.mkdir()
                    with archive.open(parts[sheet]) as stream, target.open("w", encoding="utf-8") as sink:
                        _write_sheet(stream, shared, sink, limit)
                    files[name] = target
        except (*ZIP_ERRORS, LookupError, ValueError, ET.ParseError, OSError) as exc:
            why = damage_of(exc)
            if why is None:  # no damage: a full disk
                raise
            raise InputError(
                f"{path.name} is a damaged Excel workbook: {shown(sheet)} cannot be read ({why})"
            ) from exc
        yield files
