"""Loggers' files delivered gzip-compressed (UK Biobank's ``.cwa.gz``, archived ``.bin.gz`` and ``.gt3x.gz``):
the real device files of the reference data, compressed here, read as the files themselves are.

Before gzip was unpacked for the loggers' readers, every one of these was refused as "a binary file".
"""

from __future__ import annotations

import gzip
import json
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from backstride import InputError, UnsupportedFormatError, io
from backstride.batch._discover import discover
from backstride.cli import app
from backstride.io import _registry

FILES = {
    "axivity_cwa/skdh_ax6_sample.cwa": "axivity",
    "axivity_cwa/openmovement_example-610-steps.cwa": "axivity",
    "actigraph_gt3x/GGIR_actigraph_testfile.gt3x": "actigraph",  # log.bin
    "actigraph_gt3x/pygt3x_neo.gt3x": "actigraph",  # activity.bin
    "geneactiv_bin/skdh_gnactv_sample.bin": "geneactiv",
}
CUT_SHORT = (
    "the compressed file is cut short (an interrupted download, copy or upload?): read as far as it goes"
)


@pytest.fixture(scope="module")
def devices(shared_data: Path) -> Path:
    return shared_data / "devices"


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the unpacked copies go during a test, to see that none is left behind."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def gzipped(source: Path, folder: Path, cut: float | None = None) -> Path:
    """``source`` gzip-compressed into ``folder`` (as ``<name>.gz``); with ``cut``, only that part of it."""
    data = gzip.compress(source.read_bytes())
    target = folder / f"{source.name}.gz"
    target.write_bytes(data if cut is None else data[: int(len(data) * cut)])
    return target


@pytest.mark.parametrize(("name", "fmt"), sorted(FILES.items()))
def test_a_gzipped_device_file_reads_as_the_file_itself(
    devices: Path, tmp_path: Path, temp_dir: Path, name: str, fmt: str
) -> None:
    plain = devices / name
    packed = gzipped(plain, tmp_path)
    assert io.detect_format(packed) == fmt
    whole, expected = io.read(packed), io.read(plain)
    for recording in (whole, io.read(packed, format=fmt)):
        np.testing.assert_array_equal(recording.time_s, expected.time_s)
        np.testing.assert_array_equal(recording.acc_mps2, expected.acc_mps2)
        assert recording.sampling_rate_hz == expected.sampling_rate_hz
        assert recording.notes == expected.notes
        assert recording.metadata == {**expected.metadata, "source": packed.name}
    chunks = list(io.iter_chunks(packed, chunk_s=60.0))
    np.testing.assert_array_equal(
        np.concatenate([c.acc_mps2 for c in chunks]),
        np.concatenate([c.acc_mps2 for c in io.iter_chunks(plain, chunk_s=60.0)]),
    )
    assert {c.metadata["source"] for c in chunks} == {packed.name}
    assert list(temp_dir.iterdir()) == []  # every unpacked copy removed


def test_a_gzipped_device_file_cut_short_keeps_its_whole_blocks(
    devices: Path, tmp_path: Path, temp_dir: Path
) -> None:
    """A download cut short: what came through is read as the same bytes of the file itself would be (the
    reader keeps its whole blocks), and a note says the compressed file was cut short."""
    plain = devices / "axivity_cwa/openmovement_example-610-steps.cwa"
    packed = gzipped(plain, tmp_path, cut=0.6)
    came_through = zlib.decompressobj(wbits=31).decompress(packed.read_bytes())
    assert 0 < len(came_through) < plain.stat().st_size
    cut_plain = tmp_path / plain.name
    cut_plain.write_bytes(came_through)
    expected = io.read(cut_plain)
    recording = io.read(packed)
    np.testing.assert_array_equal(recording.acc_mps2, expected.acc_mps2)
    assert recording.notes == (*expected.notes, CUT_SHORT)
    assert any(n.startswith("the file ends inside a data block") for n in expected.notes)
    assert recording.duration_s < io.read(plain).duration_s
    assert all(CUT_SHORT in c.notes for c in io.iter_chunks(packed, chunk_s=60.0))
    assert list(temp_dir.iterdir()) == []


def test_a_gzipped_device_file_cut_in_its_header_is_refused(
    devices: Path, tmp_path: Path, temp_dir: Path
) -> None:
    packed = gzipped(devices / "axivity_cwa/skdh_ax6_sample.cwa", tmp_path, cut=0.02)
    with pytest.raises(InputError, match=r"skdh_ax6_sample\.cwa\.gz"):
        io.read(packed)
    assert list(temp_dir.iterdir()) == []


@pytest.mark.parametrize("where", ["middle", "checksum"])
def test_a_damaged_gzip_is_one_clear_error(devices: Path, tmp_path: Path, temp_dir: Path, where: str) -> None:
    packed = gzipped(devices / "axivity_cwa/openmovement_example-610-steps.cwa", tmp_path)
    data = bytearray(packed.read_bytes())
    at = len(data) // 2 if where == "middle" else len(data) - 8  # the CRC-32 of the content, at the end
    data[at : at + 4] = bytes(b ^ 0xFF for b in data[at : at + 4])
    packed.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"^openmovement_example-610-steps\.cwa\.gz is a damaged gzip file"):
        io.read(packed)
    with pytest.raises(InputError, match="damaged gzip file"):
        list(io.iter_chunks(packed))
    assert list(temp_dir.iterdir()) == []


def test_the_unpacked_copy_is_removed_on_ctrl_c_and_when_a_stream_is_left(
    devices: Path, tmp_path: Path, temp_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packed = gzipped(devices / "axivity_cwa/openmovement_example-610-steps.cwa", tmp_path)
    chunks = io.iter_chunks(packed, chunk_s=60.0)
    next(chunks)
    assert len(list(temp_dir.iterdir())) == 1  # the copy is read while the chunks are
    chunks.close()  # the caller stops early
    assert list(temp_dir.iterdir()) == []

    def interrupted(*args: object) -> None:
        assert (next(temp_dir.iterdir()) / packed.name).is_file()
        raise KeyboardInterrupt

    monkeypatch.setattr(_registry, "_read_raw", interrupted)
    with pytest.raises(KeyboardInterrupt):
        io.read(packed)
    assert list(temp_dir.iterdir()) == []


def test_a_named_format_that_is_not_the_file_s_is_refused(devices: Path, tmp_path: Path) -> None:
    packed = gzipped(devices / "axivity_cwa/skdh_ax6_sample.cwa", tmp_path)
    with pytest.raises(
        InputError, match=r"is an Axivity \.cwa file, not a plain CSV table: use --format axivity"
    ):
        io.read(packed, format="csv")
    with pytest.raises(
        InputError, match=r"is not a GENEActiv \.bin file .* it reads as an Axivity \.cwa file"
    ):
        io.read(packed, format="geneactiv")


def test_a_gzip_of_something_else_is_refused_naming_it(tmp_path: Path) -> None:
    image = tmp_path / "photo.png.gz"
    image.write_bytes(gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8))
    with pytest.raises(
        UnsupportedFormatError, match=r"^photo\.png\.gz is a PNG image, gzip-compressed, not a"
    ):
        io.read(image)
    noise = tmp_path / "firmware.bin.gz"
    noise.write_bytes(gzip.compress(bytes(range(256)) * 8))
    with pytest.raises(
        UnsupportedFormatError, match=r"^firmware\.bin\.gz is a binary file, gzip-compressed, not"
    ):
        io.detect_format(noise)
    fake = tmp_path / "fake.cwa.gz"  # a logger's signature, but not its file
    fake.write_bytes(gzip.compress(b"MD" + bytes(2000)))
    with pytest.raises(UnsupportedFormatError, match=r"^fake\.cwa\.gz is a binary file"):
        io.read(fake)


def test_the_cli_and_a_batch_s_search_take_a_cwa_gz(devices: Path, tmp_path: Path) -> None:
    packed = gzipped(devices / "axivity_cwa/openmovement_example-610-steps.cwa", tmp_path)
    result = CliRunner().invoke(app, ["analyze", str(packed), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["recording"]["format"] == "axivity"
    assert data["summary"]["n_steps"] > 500  # a walk of 610 steps
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(b"seen on Monday\n"))
    assert [f.path for f in discover([tmp_path])] == [packed.name]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("axivity_cwa/openmovement_example-610-steps.cwa", "axivity"),
        ("geneactiv_bin/GGIRread_GENEActiv_testfile.bin", "geneactiv"),
    ],
)
def test_a_gzipped_logger_s_format_is_found_from_its_start_alone(
    devices: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, fmt: str
) -> None:
    # detection (a batch's search of a file named .gz, 'backstride activity' given a recording) unpacked the
    # whole file into a temporary one, and reading it then unpacked it all again
    path = gzipped(devices / name, tmp_path)
    unpacked_bytes: list[int] = []
    real = gzip.GzipFile.read1

    def counted(self: gzip.GzipFile, size: int = -1) -> bytes:
        data = real(self, size)
        unpacked_bytes.append(len(data))
        return data

    monkeypatch.setattr(gzip.GzipFile, "read1", counted)
    assert io.detect_format(path) == fmt
    assert sum(unpacked_bytes) <= 1 << 15 < (devices / name).stat().st_size  # its start, not the whole file


@pytest.mark.parametrize("cut", [None, 0.6])
def test_analyze_with_a_report_unpacks_a_cwa_gz_once(
    devices: Path, tmp_path: Path, temp_dir: Path, monkeypatch: pytest.MonkeyPatch, cut: float | None
) -> None:
    # --html reads the file twice (the walking, then the longest bouts' signal): each read unpacked it whole
    plain = devices / "axivity_cwa/openmovement_example-610-steps.cwa"
    packed = gzipped(plain, tmp_path, cut=cut)
    whole = len(zlib.decompressobj(wbits=31).decompress(packed.read_bytes()))
    unpacked_bytes: list[int] = []
    real = gzip.GzipFile.read1

    def counted(self: gzip.GzipFile, size: int = -1) -> bytes:
        data = real(self, size)
        unpacked_bytes.append(len(data))
        return data

    monkeypatch.setattr(gzip.GzipFile, "read1", counted)
    html = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["analyze", str(packed), "--json", "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert whole <= sum(unpacked_bytes) < whole + (1 << 16)  # once, and a look at its start
    data = json.loads(result.stdout)
    assert data["recording"]["source"] == packed.name
    assert (CUT_SHORT in data["recording"]["notes"]) == (cut is not None)
    assert html.stat().st_size > 0
    assert list(temp_dir.iterdir()) == []
