"""Excel workbooks: phyphox's default export format, and a lone sheet read as a table."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmarks.apps import write_phyphox_zip, write_xlsx

from backstride import InputError, UnsupportedFormatError, io
from backstride.cli import main
from backstride.io._xlsx import sheets_as_csv

ACC_NAMES = ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz")]
GYR_NAMES = ["Time (s)", *(f"Gyroscope {a} (rad/s)" for a in "xyz")]
TIME_SHEET = [
    ["event", "experiment time", "system time", "system time text"],
    ["START", 0.0, 1.76e9, "2025-10-09 10:53:20.000 UTC+02:00"],
    ["PAUSE", 20.0, 1.76e9 + 20.0, "2025-10-09 10:53:40.000 UTC+02:00"],
]


def _phyphox_sheets(w: Any, *, gyro: bool = False) -> dict[str, list[list[Any]]]:
    sheets: dict[str, list[list[Any]]] = {"Accelerometer" if gyro else "Raw Data": [ACC_NAMES]}
    sheets["Accelerometer" if gyro else "Raw Data"] += np.column_stack([w.t, w.acc]).tolist()
    if gyro:  # the gyroscope on its own clock, 3 ms later
        sheets["Gyroscope"] = [GYR_NAMES, *np.column_stack([w.t + 0.003, np.radians(w.gyr)]).tolist()]
    sheets["Metadata Device"] = [["property", "value"], ["deviceBrand", "Google"], ["deviceModel", "Pixel 7"]]
    sheets["Metadata Time"] = TIME_SHEET
    return sheets


@pytest.mark.parametrize("gyro", [False, True])
def test_a_phyphox_workbook_reads_as_its_csv_export_does(tmp_path: Path, synth: Any, gyro: bool) -> None:
    w = synth.walk(duration_s=20.0, rate_hz=200.0, jitter_s=0.001)
    sheets = _phyphox_sheets(w, gyro=gyro)
    book = write_xlsx(tmp_path / "Acceleration with g.xlsx", sheets)
    assert io.detect_format(book) == "phyphox"
    from_book = io.read(book)
    from_zip = io.read(write_phyphox_zip(tmp_path / "same.zip", sheets, number=repr))
    assert from_book.n_samples == from_zip.n_samples == 4000
    np.testing.assert_array_equal(from_book.acc_mps2, from_zip.acc_mps2)
    assert (from_book.gyr_dps is not None) == gyro
    if gyro:
        np.testing.assert_array_equal(from_book.gyr_dps, from_zip.gyr_dps)
        assert from_book.gyr_dps is not None and np.abs(from_book.gyr_dps).max() == pytest.approx(
            40, rel=0.01
        )
    assert from_book.metadata == {**from_zip.metadata, "source": book.name}
    assert from_book.metadata["device"] == "Google Pixel 7"
    assert from_book.metadata["start_time"] == "2025-10-09T10:53:20+02:00"
    # and streamed in chunks, as `analyze` reads it
    chunks = list(io.iter_chunks(book, chunk_s=7.0))
    np.testing.assert_array_equal(np.concatenate([c.acc_mps2 for c in chunks]), from_book.acc_mps2)


def _excel_saved(path: Path) -> Path:
    """A workbook as Excel saves one: shared strings (one of them rich text), cell references (a blank
    cell skipped, an empty column C), row numbers, sheets listed out of part order, an absolute target."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    data = (
        f'<worksheet xmlns="{main}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>0.01</v></c><c r="B2"><v>9.81</v></c><c r="D2" t="str"><f>1+1</f><v>2</v></c></row>'
        '<row r="4"><c r="B4"><v>-1.5E-3</v></c><c r="A4"><v>99</v></c></row>'
        '<row r="5"><c r="A5" t="inlineStr"><is><t>a &amp; b</t></is></c><c r="B5" t="b"><v>1</v></c>'
        '<c r="D5" t="e"><v>#DIV/0!</v></c></row>'
        "</sheetData></worksheet>"
    )
    notes = f'<worksheet xmlns="{main}"><sheetData><row><c t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    strings = (
        f'<sst xmlns="{main}"><si><t>time</t></si><si><r><t>acc</t></r><r><t>_x</t></r></si>'
        "<si><t>label</t><rPh><t>ignored</t></rPh></si></sst>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", notes)
        z.writestr("xl/worksheets/sheet2.xml", data)
        z.writestr("xl/sharedStrings.xml", strings)
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Data" sheetId="2" r:id="rId7"/>'
            '<sheet name="Notes" sheetId="1" r:id="rId3"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId3" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Type="{rel}/worksheet" '
            'Target="/xl/worksheets/sheet2.xml"/></Relationships>',
        )
    return path


def test_cells_are_placed_by_their_references_and_strings_looked_up(tmp_path: Path) -> None:
    book = _excel_saved(tmp_path / "saved.xlsx")
    with sheets_as_csv(book, {"Data": "data.csv", "Notes": "notes.csv"}) as files:
        assert files["data.csv"].read_text().splitlines() == [
            "time,acc_x,,label",
            "0.01,9.81,,2",
            "99,-1.5E-3",
            "a & b,1",  # an error cell is empty, and trailing empty cells are dropped
        ]
        assert files["notes.csv"].read_text() == "x\n"
    # two sheets, neither phyphox's: which one is the recording is not guessed
    with pytest.raises(UnsupportedFormatError, match=r"Excel workbook with 2 sheets \(Data, Notes\)"):
        io.detect_format(book)


def test_a_workbook_of_one_sheet_is_read_as_a_table(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=15.0)
    header = ["time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    rows = np.column_stack([w.t, w.acc, w.gyr])
    book = write_xlsx(tmp_path / "walk.xlsx", {"Sheet1": [header, *rows.tolist()]})
    assert io.detect_format(book) == "csv"
    from_book = io.read(book)
    from_csv = io.read(synth.write_table(tmp_path / "walk.csv", header, list(rows.T), fmt="%.17g"))
    np.testing.assert_array_equal(from_book.acc_mps2, from_csv.acc_mps2)
    np.testing.assert_array_equal(from_book.gyr_dps, from_csv.gyr_dps)
    assert from_book.metadata["source"] == "walk.xlsx"


def test_a_damaged_sheet_is_one_line_naming_it(
    tmp_path: Path, synth: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    w = synth.walk(duration_s=15.0)
    book = write_xlsx(tmp_path / "export.xlsx", _phyphox_sheets(w))
    with zipfile.ZipFile(book) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in parts.items():
            z.writestr(
                name, data.replace(b"</row><row>", b"</row><row", 1) if name.endswith("sheet1.xml") else data
            )
    with pytest.raises(
        InputError, match=r"broken\.xlsx is a damaged Excel workbook: Raw Data cannot be read"
    ):
        io.read(broken)
    assert main(["analyze", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "damaged Excel workbook" in err and err.count("\n") == 1


def test_a_cell_reference_past_the_last_column_is_refused(tmp_path: Path, synth: Any) -> None:
    # a row is held as a list of its columns: a damaged reference must not make one of millions of cells
    book = write_xlsx(tmp_path / "export.xlsx", _phyphox_sheets(synth.walk(duration_s=15.0)))
    with zipfile.ZipFile(book) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    far = tmp_path / "far.xlsx"
    with zipfile.ZipFile(far, "w") as z:
        for name, data in parts.items():
            if name.endswith("sheet1.xml"):
                data = data.replace(b"<row><c>", b'<row><c r="ZZZZZZ9">', 1)
            z.writestr(name, data)
    with pytest.raises(InputError, match=r"the cell ZZZZZZ9 lies beyond Excel's last column, XFD"):
        io.read(far)


@pytest.mark.parametrize("writer", ["xlsxwriter", "xlsxwriter, constant memory", "openpyxl"])
def test_workbooks_from_other_writers_read_as_ours(tmp_path: Path, synth: Any, writer: str) -> None:
    """The same phyphox workbook written by XlsxWriter (libxlsxwriter's Python twin, shared strings; in its
    constant-memory mode inline strings) and by openpyxl reads to the same recording as our own writer's."""
    w = synth.walk(duration_s=15.0, rate_hz=200.0, jitter_s=0.001)
    sheets = _phyphox_sheets(w)
    path = tmp_path / "other.xlsx"
    if writer == "openpyxl":
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, rows in sheets.items():
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
        book.save(path)
    else:
        import xlsxwriter

        book = xlsxwriter.Workbook(path, {"constant_memory": writer.endswith("memory")})
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    sheet.write(i, j, value)
        book.close()
    assert io.detect_format(path) == "phyphox"
    theirs = io.read(path)
    ours = io.read(write_xlsx(tmp_path / "ours.xlsx", sheets))
    # XlsxWriter writes 16 significant digits where repr writes 17: the same numbers to 1e-13
    np.testing.assert_allclose(theirs.acc_mps2, ours.acc_mps2, rtol=1e-12, atol=1e-12)
    assert theirs.metadata == {**ours.metadata, "source": "other.xlsx"}
    assert theirs.metadata["device"] == "Google Pixel 7"


@pytest.mark.parametrize(
    ("day0", "start"), [(0.0, None), (46000.0, "2025-12-09T08:00:00")], ids=["time", "date"]
)
def test_a_spreadsheets_serial_date_and_time_is_read_in_days(
    tmp_path: Path, shared_data: Path, day0: float, start: str | None
) -> None:
    """A table saved again from a spreadsheet turns a written time into its serial number (days from
    1899-12-30, a time of day its fraction): found from its steps, read in days, dated when it holds the day;
    the walk measured as the file it came from, from the workbook as from a CSV."""
    from backstride.gait import analyze

    original = io.read(shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv")
    serial = day0 + (8 * 3600 + original.time_s) / 86400
    rows = np.column_stack([serial, original.acc_mps2])
    book = write_xlsx(tmp_path / "saved.xlsx", {"Sheet1": [["Time", "X", "Y", "Z"], *rows.tolist()]})
    expected = [c.time_s for c in analyze(original).initial_contacts]
    for path in (book, synth_csv(tmp_path / "saved.csv", rows)):
        recording = io.read(path)
        assert recording.sampling_rate_hz == 100.0 and recording.n_samples == original.n_samples
        np.testing.assert_allclose(recording.time_s, original.time_s, atol=1e-6)
        assert recording.notes[0] == (
            "time read as a spreadsheet's serial date and time (days; its median step is 10.0 ms), converted to "
            "seconds"
        )
        assert recording.metadata.get("start_time") == start
        assert [c.time_s for c in analyze(recording).initial_contacts] == expected


def synth_csv(path: Path, rows: np.ndarray) -> Path:
    path.write_text("Time,X,Y,Z\n" + "\n".join(",".join(f"{v:.15g}" for v in row) for row in rows) + "\n")
    return path
