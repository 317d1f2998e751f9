"""A format named for a file (``format=``, the command line's ``--format``) is checked against the file.

``--format phyphox`` given for a plain CSV read it with the CSV reader and reported it as a phyphox recording
(the phyphox reader hands a lone CSV to the CSV reader and stamps its own name on it). Every format named for
every kind of file the readers take: read and labelled with the format named when the file is of it; else one
error naming what the file is and the ``--format`` to give.
"""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from benchmarks import apps

from backstride import InputError, UnsupportedFormatError, io
from backstride.recording import Recording

# what each format is called in the refusal (its reader's name for it)
WHAT = {
    "csv": "a CSV table",
    "phyphox": "a phyphox export",
    "sensorlogger": "a Sensor Logger export",
    "metabase": "a MetaBase recording of a MetaWear sensor",
    "axivity": "an Axivity .cwa file",
    "actigraph": "an ActiGraph .gt3x file",
    "geneactiv": "a GENEActiv .bin file",
    "actilife": "ActiLife's CSV export of an ActiGraph recording",
}
LAB = "lowback-lab/HA-001-Test5-Trial1/imu.csv"
DEVICES = {
    "Axivity .cwa": ("axivity_cwa/skdh_ax3_sample.cwa", "axivity"),
    "ActiGraph .gt3x": ("actigraph_gt3x/pygt3x_neo.gt3x", "actigraph"),
    "GENEActiv .bin": ("geneactiv_bin/skdh_gnactv_sample.bin", "geneactiv"),
    "ActiLife .csv": ("actigraph_gt3x/pygt3x_neo.csv", "actilife"),
    "ActiLife .csv.gz": ("actigraph_gt3x/readgt3x_TAS1H30182785_2019-09-17.csv.gz", "actilife"),
}
# a logger's file gzip-compressed (UK Biobank's .cwa.gz) is read as the file itself
GZIPPED = {f"{kind}.gz": DEVICES[kind] for kind in ("Axivity .cwa", "ActiGraph .gt3x", "GENEActiv .bin")}
# a phone app's lone sensor file is a table the CSV reader reads as the app's reader does
APP_TABLES = {"phyphox Raw Data.csv alone", "Sensor Logger TotalAcceleration.csv alone"}


def _member(archive: Path, ending: str, target: Path) -> Path:
    with zipfile.ZipFile(archive) as z:
        target.write_bytes(z.read(next(n for n in z.namelist() if n.endswith(ending))))
    return target


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, tuple[Path, str]]:
    """One file of every kind the readers take, each with its format: ``{kind: (path, format)}``."""
    out = tmp_path_factory.mktemp("kinds")
    lab = shared_data / LAB
    recording = io.read(lab)
    kinds: dict[str, tuple[Path, str]] = {"CSV (time_s, acc_x ...)": (lab, "csv")}
    gz = out / "walk.csv.gz"
    gz.write_bytes(gzip.compress(lab.read_bytes()))
    kinds["CSV.gz"] = (gz, "csv")
    with zipfile.ZipFile(out / "mailed.zip", "w") as z:
        z.write(lab, "imu.csv")
    kinds["a CSV zipped alone"] = (out / "mailed.zip", "csv")
    rows = np.column_stack([recording.time_s, recording.acc_mps2, _gyr(recording)]).tolist()
    header = ["time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    kinds["a workbook of one sheet"] = (
        apps.write_xlsx(out / "walk.xlsx", {"Sheet1": [header, *rows]}),
        "csv",
    )
    for app, fmt in {
        "phyphox": "phyphox",
        "phyphox-xlsx": "phyphox",
        "sensorlogger-android": "sensorlogger",
        "sensorlogger-ios": "sensorlogger",
        "sensorlogger-json": "sensorlogger",
        "sensorlogger-sqlite": "sensorlogger",
        "metabase": "metabase",
        "sensorlog": "csv",
        "movella-dot": "csv",
    }.items():
        folder = out / app
        folder.mkdir()
        kinds[f"{app} export"] = (apps.export(app, recording, folder, seed=1), fmt)
    phyphox_zip, sensorlogger_zip = kinds["phyphox export"][0], kinds["sensorlogger-android export"][0]
    kinds["phyphox Raw Data.csv alone"] = (
        _member(phyphox_zip, "Raw Data.csv", out / "Raw Data.csv"),
        "phyphox",
    )
    with zipfile.ZipFile(phyphox_zip) as z:
        z.extractall(out / "phyphox unzipped")
    kinds["phyphox export unzipped"] = (next((out / "phyphox unzipped").iterdir()), "phyphox")
    lone = _member(sensorlogger_zip, "TotalAcceleration.csv", out / "TotalAcceleration.csv")
    kinds["Sensor Logger TotalAcceleration.csv alone"] = (lone, "sensorlogger")
    json_export = kinds["sensorlogger-json export"][0]
    with zipfile.ZipFile(out / "json.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(json_export, json_export.name)
    kinds["Sensor Logger JSON zipped"] = (out / "json.zip", "sensorlogger")
    metabase = kinds["metabase export"][0]
    with zipfile.ZipFile(out / "metabase.zip", "w") as z:
        for file in sorted(metabase.glob("*.csv")):
            z.write(file, file.name)
    kinds["MetaBase ZIP"] = (out / "metabase.zip", "metabase")
    # a lone MetaBase accelerometer file is a table: MetaBase's format is the folder or ZIP of its files
    kinds["MetaBase accelerometer file alone"] = (next(metabase.glob("*_Accelerometer.csv")), "csv")
    for kind, (name, fmt) in DEVICES.items():
        kinds[kind] = (shared_data / "devices" / name, fmt)
    for kind, (name, fmt) in GZIPPED.items():
        packed = out / f"{Path(name).name}.gz"
        packed.write_bytes(gzip.compress((shared_data / "devices" / name).read_bytes()))
        kinds[kind] = (packed, fmt)
    return kinds


def _gyr(recording: Recording) -> np.ndarray:
    assert recording.gyr_dps is not None
    return recording.gyr_dps


KINDS = [
    "CSV (time_s, acc_x ...)",
    "CSV.gz",
    "a CSV zipped alone",
    "a workbook of one sheet",
    "phyphox export",
    "phyphox-xlsx export",
    "phyphox Raw Data.csv alone",
    "phyphox export unzipped",
    "sensorlogger-android export",
    "sensorlogger-ios export",
    "sensorlogger-json export",
    "sensorlogger-sqlite export",
    "Sensor Logger TotalAcceleration.csv alone",
    "Sensor Logger JSON zipped",
    "metabase export",
    "MetaBase ZIP",
    "MetaBase accelerometer file alone",
    "sensorlog export",
    "movella-dot export",
    *DEVICES,
    *GZIPPED,
]


def test_every_kind_of_file_is_built(files: dict[str, tuple[Path, str]]) -> None:
    assert sorted(files) == sorted(KINDS)
    for path, fmt in files.values():
        assert io.detect_format(path) == fmt, path


@pytest.mark.parametrize("named", ["auto", *io.FORMATS])
@pytest.mark.parametrize("kind", KINDS)
def test_a_named_format_reads_its_own_files_and_refuses_the_others(
    files: dict[str, tuple[Path, str]], kind: str, named: str
) -> None:
    path, fmt = files[kind]
    if named in ("auto", fmt) or (named == "csv" and kind in APP_TABLES):
        chunk = next(io.iter_chunks(path, format=named, chunk_s=60.0))
        assert chunk.metadata["format"] == (fmt if named == "auto" else named)
        whole = io.read(path, format=named)
        assert whole.metadata["format"] == chunk.metadata["format"]
        assert whole.n_samples > 300
        return
    use = f"use --format {fmt} or --format auto"
    for read in (lambda: io.read(path, format=named), lambda: next(io.iter_chunks(path, format=named))):
        with pytest.raises(InputError) as refused:
            read()
        message = str(refused.value)
        if named == "csv":
            assert message == f"{path.name} is {WHAT[fmt]}, not a plain CSV table: {use}"
        else:
            assert message.startswith(f"{path.name} is not {WHAT[named]} (no "), message
            assert message.endswith(f"); it reads as {WHAT[fmt]}: {use}"), message


def test_a_plain_csv_named_phyphox_says_what_it_is(shared_data: Path) -> None:
    """The reported case: the reference layout read as phyphox and labelled so in the report and its JSON."""
    with pytest.raises(InputError) as refused:
        io.read(shared_data / LAB, format="phyphox")
    assert str(refused.value) == (
        "imu.csv is not a phyphox export (no 'Acceleration x (m/s^2)' column after phyphox's 'Time (s)', nor an "
        "export's Raw Data.csv or Accelerometer.csv); it reads as a CSV table: use --format csv or --format auto"
    )


def test_an_app_s_lone_table_read_as_csv_is_the_same_recording(files: dict[str, tuple[Path, str]]) -> None:
    for kind in APP_TABLES:
        path, fmt = files[kind]
        as_csv, as_app = io.read(path, format="csv"), io.read(path)
        np.testing.assert_array_equal(as_csv.acc_mps2, as_app.acc_mps2)
        np.testing.assert_array_equal(as_csv.time_s, as_app.time_s)
        assert (as_csv.metadata["format"], as_app.metadata["format"]) == ("csv", fmt)


def test_naming_one_of_two_exports_that_share_a_folder_reads_that_one(
    files: dict[str, tuple[Path, str]], tmp_path: Path
) -> None:
    """A folder can fit two apps' exports (phyphox's meta/ files and Sensor Logger's TotalAcceleration.csv):
    detection takes Sensor Logger's, and naming phyphox reads phyphox's, not refused for looking like the
    other."""
    folder = tmp_path / "both"
    shutil.copytree(files["phyphox export unzipped"][0], folder)
    shutil.copy(files["Sensor Logger TotalAcceleration.csv alone"][0], folder / "TotalAcceleration.csv")
    assert io.detect_format(folder) == "sensorlogger"
    as_phyphox = io.read(folder, format="phyphox")
    assert as_phyphox.metadata["format"] == "phyphox"
    assert as_phyphox.metadata["device"] == io.read(files["phyphox export"][0]).metadata["device"]
    assert io.read(folder).metadata["format"] == "sensorlogger"


def test_a_table_no_format_knows_reads_as_csv_when_told_and_is_no_phone_export(tmp_path: Path) -> None:
    """A table whose columns detection does not know reads with ``format="csv"`` and its columns named (the
    check leaves it to the CSV reader); named a phone app's format, it is refused as detection refuses it, not
    read by the CSV reader under the app's name."""
    t = np.arange(1500) / 100.0
    phase = 2 * np.pi * 1.8 * t
    rows = np.column_stack([9.81 + 1.5 * np.sin(phase), 0.6 * np.sin(phase / 2), 0.9 * np.cos(phase)])
    path = tmp_path / "logger.txt"
    path.write_text("v;ml;ap\n" + "\n".join(";".join(f"{v:.5f}" for v in row) for row in rows) + "\n")
    recording = io.read(path, format="csv", acc_columns=["v", "ml", "ap"], rate_hz=100.0)
    assert recording.metadata["format"] == "csv" and recording.n_samples == 1500
    np.testing.assert_allclose(recording.acc_mps2, rows, atol=1e-5)
    for named in ("phyphox", "sensorlogger", "metabase"):
        with pytest.raises(
            UnsupportedFormatError, match=r"^logger\.txt is a text file that is not a table of sensor values"
        ):
            io.read(path, format=named, rate_hz=100.0)


@pytest.mark.parametrize(("named", "one"), [("csv", "a CSV table"), ("axivity", io.FORMATS["axivity"])])
def test_a_folder_named_a_one_file_format_says_so(tmp_path: Path, named: str, one: str) -> None:
    folder = tmp_path / "session"
    folder.mkdir()
    (folder / "notes.txt").write_text("walked to the shop\n")
    for read in (lambda: io.read(folder, format=named), lambda: next(io.iter_chunks(folder, format=named))):
        with pytest.raises(InputError) as refused:
            read()
        assert str(refused.value) == f"session is a folder; {one} is one file: give the file itself"
