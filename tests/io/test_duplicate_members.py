"""A ZIP whose directory lists one member twice is refused naming it: Python's zipfile reads the last entry of a
name and unzipping keeps one of them, so which one is the recording cannot be told (it was read silently)."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

from backstride import InputError, activity, io

APPLE = "devices/apple_health/opendroid_hk_sampleexport-2.xml"
GT3X = "devices/actigraph_gt3x/pygt3x_neo.gt3x"


def _with_twice(source: Path, target: Path, member: str, other: bytes) -> Path:
    """``source`` (a ZIP) copied to ``target`` with a second ``member`` holding ``other`` appended."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name": what the test is about
            new.writestr(member, other)
    return target


def _sensorlogger(tmp_path: Path, synth: Any) -> Path:
    w = synth.walk(20)
    good = synth.sensorlogger_zip(tmp_path / "good.zip", w)
    other = synth.write_sensorlogger_csv(tmp_path / "other.csv", w.t[:600], w.acc[:600] * 2)
    return _with_twice(good, tmp_path / "sensorlogger.zip", "TotalAcceleration.csv", other.read_bytes())


def _phyphox(tmp_path: Path, synth: Any) -> Path:
    from benchmarks.apps import write_phyphox_zip

    w = synth.walk(20)
    header = ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz")]
    views = {"Raw Data": [header, *[[t, *a] for t, a in zip(w.t, w.acc, strict=True)]]}
    good = write_phyphox_zip(tmp_path / "good.zip", views)
    return _with_twice(good, tmp_path / "phyphox.zip", "Raw Data.csv", b'"Time (s)"\n')


def _workbook(tmp_path: Path, synth: Any) -> Path:
    from benchmarks.apps import write_xlsx

    w = synth.walk(20)
    header = ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz")]
    good = write_xlsx(
        tmp_path / "good.xlsx", {"Raw Data": [header, *[[t, *a] for t, a in zip(w.t, w.acc, strict=True)]]}
    )
    return _with_twice(good, tmp_path / "phyphox.xlsx", "xl/worksheets/sheet1.xml", b"<worksheet/>")


def _actigraph(tmp_path: Path, shared_data: Path) -> Path:
    return _with_twice(shared_data / GT3X, tmp_path / "neo.gt3x", "activity.bin", b"\x00" * 64)


@pytest.mark.parametrize(
    ("build", "member"),
    [
        (_sensorlogger, "TotalAcceleration.csv"),
        (_phyphox, "Raw Data.csv"),
        (_workbook, "xl/worksheets/sheet1.xml"),
    ],
)
def test_an_app_export_listing_a_member_twice_is_refused_naming_it(
    tmp_path: Path, synth: Any, build: Any, member: str
) -> None:
    path = build(tmp_path, synth)
    for call in (io.detect_format, io.read):
        with pytest.raises(InputError, match=re.escape(f"{path.name} holds two files named {member}")):
            call(path)


def test_an_actigraph_file_listing_a_member_twice_is_refused(tmp_path: Path, shared_data: Path) -> None:
    path = _actigraph(tmp_path, shared_data)
    with pytest.raises(InputError, match=re.escape("neo.gt3x holds two files named activity.bin")):
        io.read(path)


def test_an_apple_health_export_zip_listing_export_xml_twice_is_refused(
    tmp_path: Path, shared_data: Path
) -> None:
    single = tmp_path / "single.zip"
    with zipfile.ZipFile(single, "w") as archive:
        archive.writestr("apple_health_export/export.xml", (shared_data / APPLE).read_bytes())
    path = _with_twice(single, tmp_path / "export.zip", "apple_health_export/export.xml", b"<HealthData/>")
    with pytest.raises(
        InputError, match=re.escape("export.zip holds two files named apple_health_export/export.xml")
    ):
        activity.read_activity(path)


def test_hidden_files_listed_twice_are_no_reason_to_refuse(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(20)
    good = synth.sensorlogger_zip(tmp_path / "good.zip", w)
    path = _with_twice(good, tmp_path / "mac.zip", "__MACOSX/._TotalAcceleration.csv", b"\x00")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("__MACOSX/._TotalAcceleration.csv", b"\x00")
    assert io.read(path).n_samples == len(w.t)


def _two_recordings(tmp_path: Path, synth: Any, app: str, zipped: bool) -> Path:
    """Two recordings' folders side by side (a parent folder zipped or given whole): 30 s and 60 s."""
    root = tmp_path / "exports"
    for folder, seconds in (("2025-10-09_08-53-20", 30), ("2025-10-10_09-00-00", 60)):
        w = synth.walk(seconds)
        (root / folder).mkdir(parents=True)
        if app == "sensorlogger":
            synth.write_sensorlogger_csv(root / folder / "TotalAcceleration.csv", w.t, w.acc)
        else:
            header = ["Time (s)", *(f"Acceleration {a} (m/s^2)" for a in "xyz")]
            synth.write_table(root / folder / "Raw Data.csv", header, [w.t, *w.acc.T])
    return synth.zip_folder(root, tmp_path / "exports.zip") if zipped else root


@pytest.mark.parametrize("zipped", [True, False])
@pytest.mark.parametrize(
    ("app", "member"), [("sensorlogger", "TotalAcceleration.csv"), ("phyphox", "Raw Data.csv")]
)
def test_an_export_holding_two_recordings_is_refused_naming_their_folders(
    tmp_path: Path, synth: Any, app: str, member: str, zipped: bool
) -> None:
    # the first folder's recording was read, the other passed over without a word
    path = _two_recordings(tmp_path, synth, app, zipped)
    with pytest.raises(InputError) as caught:
        io.read(path, format=app)
    said = str(caught.value)
    assert said.startswith(f"{path.name} holds {member} in 2 folders (")
    assert "2025-10-09_08-53-20" in said and "2025-10-10_09-00-00" in said
    assert "give the folder of one recording" in said
