"""INPUTS: files as given, folders searched for recognised recordings, glob patterns."""

from __future__ import annotations

from pathlib import Path

import pytest

from backstride._errors import InputError, UnsupportedFormatError
from backstride.batch import discover


def _detect(path: Path) -> str:
    if path.suffix == ".csv":
        return "csv"
    raise UnsupportedFormatError(f"{path} is not a recording")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel in [
        "p1/imu.csv",
        "p1/meta.json",
        "p2/day1/imu.csv",
        "p2/.hidden/imu.csv",
        "notes.txt",
        "top.csv",
    ]:
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("x")
    return tmp_path


def test_folders_are_searched_recursively_for_recognised_files(tree: Path) -> None:
    files = discover([tree], detect=_detect)
    assert [f.path for f in files] == ["top.csv", "p1/imu.csv", "p2/day1/imu.csv"]
    assert all(f.source.is_absolute() for f in files)


def test_files_globs_and_duplicates(tree: Path) -> None:
    files = discover([tree / "top.csv", str(tree / "p*" / "**" / "*.csv"), tree / "p1"], detect=_detect)
    assert sorted(f.path for f in files) == ["p1/imu.csv", "p2/day1/imu.csv", "top.csv"]
    by_name = {f.path: f.source for f in files}
    assert by_name["p1/imu.csv"] == (tree / "p1" / "imu.csv").resolve()


def test_the_results_folder_is_not_searched(tree: Path) -> None:
    (tree / "results").mkdir()
    (tree / "results" / "x.csv").write_text("x")
    files = discover([tree], detect=_detect, exclude=tree / "results")
    assert "results/x.csv" not in {f.path for f in files}


@pytest.mark.parametrize(
    ("given", "message"),
    [("missing.csv", "does not exist"), ("nothing*.cwa", "matches no recording"), ("empty", "no recording")],
)
def test_inputs_that_name_nothing_are_refused(tree: Path, given: str, message: str) -> None:
    (tree / "empty").mkdir()
    with pytest.raises(InputError, match=message):
        discover([str(tree / given)], detect=_detect)


def test_an_export_folder_is_one_recording(tmp_path: Path) -> None:
    export = tmp_path / "walk.export"
    export.mkdir()
    (export / "Accelerometer.csv").write_text("x")
    (export / "Gyroscope.csv").write_text("x")
    (tmp_path / "other.csv").write_text("x")

    def detect(path: Path) -> str:
        if path.suffix == ".export" or path.suffix == ".csv":
            return "sensorlogger" if path.is_dir() else "csv"
        raise UnsupportedFormatError("no")

    files = discover([tmp_path], detect=detect)
    assert [(f.path, f.source.is_dir()) for f in files] == [("walk.export", True), ("other.csv", False)]
    (only,) = discover([export], detect=detect)
    assert only.path == "walk.export" and only.source == export.resolve()


def test_damaged_recordings_are_kept_and_what_is_plainly_not_one_is_passed_over(study: Path) -> None:
    files = discover([study])
    assert [f.path for f in files] == [
        "empty.cwa",
        "p1/imu.csv",
        "p2/participant2.gt3x",
        "p3/picture.csv",
        "p4/export.zip",
    ]
    # a pattern follows the same rule: it matched a recording's name, so the cut file is not "no recording"
    (cut,) = discover([str(study / "p2" / "*.gt3x")])
    assert cut.source == (study / "p2" / "participant2.gt3x").resolve()
    assert [f.path for f in discover([str(study / "**" / "*.*")])] == [f.path for f in files]


def test_recording_endings_are_files_the_readers_take() -> None:
    from backstride import io
    from backstride.batch._discover import RECORDING_ENDINGS

    assert set(io.DEVICE_SUFFIXES) <= set(RECORDING_ENDINGS)
    assert all(ending.endswith(io.SUFFIXES) for ending in RECORDING_ENDINGS)
    assert not {".json", ".txt"} & set(RECORDING_ENDINGS)  # participant files and notes


def test_a_gzipped_loggers_file_is_a_recording_by_its_name(tmp_path: Path) -> None:
    """UK Biobank's ``.cwa.gz`` (and a ``.bin.gz``, a ``.gt3x.gz``) are read now; found in a study's folder by
    content only, each was unpacked whole just to be told a recording, and a damaged one passed over as no
    recording at all. By its name it is one, as a plain logger's file is, and analysing it says what is wrong."""
    from backstride import io
    from backstride.batch._discover import RECORDING_ENDINGS

    for name in ("a.cwa.gz", "b.bin.gz", "c.gt3x.gz"):
        (tmp_path / name).write_bytes(b"\x1f\x8b not really compressed")

    def never(path: Path) -> str:
        if path.is_dir():  # (a folder may be an app's export)
            raise UnsupportedFormatError("a folder")
        raise AssertionError(f"{path.name} was opened to tell what it is")

    assert [f.path for f in discover([tmp_path], detect=never)] == ["a.cwa.gz", "b.bin.gz", "c.gt3x.gz"]
    # every logger's ending, gzipped, is one (a logger added later gets its .gz ending too)
    assert {f"{suffix}.gz" for suffix in io.DEVICE_SUFFIXES} <= set(RECORDING_ENDINGS)


def test_notes_saved_as_utf16_are_passed_over_and_a_utf16_csv_is_kept(study: Path) -> None:
    """Notepad's 'Unicode' notes are not a recording (the readers refuse UTF-16 text with what to do, as an
    unsupported format); a CSV in it is one by its name, and analysing it says to save it as UTF-8."""
    (study / "notes-utf16.txt").write_bytes("p3 wore it upside down\r\n".encode("utf-16"))
    (study / "p5").mkdir()
    (study / "p5" / "imu.csv").write_bytes("time_s,acc_x,acc_y,acc_z\n0.00,0,0,9.8\n".encode("utf-16"))
    assert [f.path for f in discover([study])] == [
        "empty.cwa",
        "p1/imu.csv",
        "p2/participant2.gt3x",
        "p3/picture.csv",
        "p4/export.zip",
        "p5/imu.csv",
    ]


@pytest.mark.parametrize("app", ["sensorlogger", "phyphox"])
def test_a_folder_of_several_exports_is_searched_for_each(tmp_path: Path, app: str) -> None:
    # a folder holding two recordings' export folders was taken for one export, and only the first was analysed
    member = {"sensorlogger": "TotalAcceleration.csv", "phyphox": "Raw Data.csv"}[app]
    header = {
        "sensorlogger": "time,seconds_elapsed,z,y,x\n1760000000000000000,0.0,0.1,0.2,9.8\n",
        "phyphox": '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"\n0,9.8,0,0\n',
    }[app]
    for folder in ("2025-10-09_08-53-20", "2025-10-10_09-00-00"):
        (tmp_path / "exports" / folder).mkdir(parents=True)
        (tmp_path / "exports" / folder / member).write_text(header)
    found = discover([tmp_path / "exports"])
    assert [f.path for f in found] == ["2025-10-09_08-53-20", "2025-10-10_09-00-00"]
