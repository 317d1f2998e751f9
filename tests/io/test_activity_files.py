"""An activity file (an Apple Health export, a Garmin .fit file) given as a recording is named for what it is,
so the command line and the web app can say where it is read; anything else keeps its own error."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from backstride import ActivityFileError, UnsupportedFormatError, io

APPLE = "devices/apple_health/opendroid_hk_sampleexport-2.xml"
GARMIN = "devices/garmin_fit/fitparse_garmin-fenix-5-walk.fit"


def _apple_zip(shared_data: Path, tmp_path: Path, member: str) -> Path:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, (shared_data / APPLE).read_bytes())
    return path


def test_a_garmin_fit_file_is_named_as_one_also_gzipped(shared_data: Path, tmp_path: Path) -> None:
    gzipped = tmp_path / "walk.fit.gz"
    gzipped.write_bytes(gzip.compress((shared_data / GARMIN).read_bytes()))
    for path in (shared_data / GARMIN, gzipped):
        with pytest.raises(ActivityFileError) as caught:
            io.detect_format(path)
        assert caught.value.kind == "a Garmin .fit file"
        assert str(caught.value).startswith(f"{path.name} is a Garmin .fit file: ")
        assert "not a sensor's own samples" in str(caught.value)


@pytest.mark.parametrize("member", ["apple_health_export/export.xml", "apple_health_export/Exportieren.xml"])
def test_an_apple_health_export_is_named_as_one_as_xml_zip_and_folder(
    shared_data: Path, tmp_path: Path, member: str
) -> None:
    zipped = _apple_zip(shared_data, tmp_path, member)
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(folder)
    for path in (shared_data / APPLE, zipped, folder):
        with pytest.raises(ActivityFileError) as caught:
            io.read(path)
        assert caught.value.kind == "an Apple Health export", path
        assert str(caught.value).startswith(f"{path.name} is an Apple Health export: ")


def test_other_files_keep_their_own_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("<html>not health data</html>\n")
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr(
            "holiday/export.xml", "<HealthData>"
        )  # not in the iPhone's apple_health_export folder
    fit_like = tmp_path / "short.fit"
    fit_like.write_bytes(b".FIT")  # the signature at the wrong place
    gzipped_text = tmp_path / "notes.txt.gz"
    gzipped_text.write_bytes(gzip.compress(b"just some words, not a table, not a .FIT file"))
    for path in (text, other, fit_like, gzipped_text):
        with pytest.raises(UnsupportedFormatError) as caught:
            io.detect_format(path)
        assert not isinstance(caught.value, ActivityFileError), path
        assert "not a recording backstride can read" in str(caught.value)
