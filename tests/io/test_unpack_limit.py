"""A decompression bomb (a small ZIP or .gz that unpacks to gigabytes) is refused by every reader, not unpacked."""

from __future__ import annotations

import gzip
import tempfile
import zipfile
from pathlib import Path

import pytest

from backstride import InputError, io
from backstride.io import _unpackcap

ZEROS = 50 << 20  # 50 MB of zeros: a ZIP or gzip of them is about 50 kB


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A limit of 10 MB, and a temporary folder of the test's own, to see nothing left in it."""
    monkeypatch.setenv(io.ENV_MAX_UNPACKED_GB, "0.01")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("walk.csv", b"time_s,acc_x,acc_y,acc_z\n" + b"0" * ZEROS)
    assert path.stat().st_size < 200_000
    return path


def _gzip_of(path: Path, head: bytes) -> Path:
    path.write_bytes(gzip.compress(head + bytes(ZEROS), compresslevel=9))
    assert path.stat().st_size < 200_000
    return path


def _refused(path: Path, message: str, scratch: Path, **options: object) -> None:
    for read in (lambda: io.read(path, **options), lambda: list(io.iter_chunks(path, **options))):  # type: ignore[arg-type]
        with pytest.raises(InputError) as caught:
            read()
        assert str(caught.value) == message
        assert list(scratch.iterdir()) == []  # nothing unpacked is left


def test_a_zip_that_states_it_unpacks_beyond_the_limit_is_refused_before_unpacking(
    tmp_path: Path, small_limit: Path
) -> None:
    path = _zip_bomb(tmp_path / "export.zip")
    _refused(
        path,
        "export.zip would unpack to 52.4 MB, beyond the 10 MB any recording unpacks to (a damaged or crafted "
        "file?), so it was not read; for a genuinely larger export set $BACKSTRIDE_MAX_UNPACKED_GB higher",
        small_limit,
    )


def test_a_gzip_logger_file_of_zeros_is_unpacked_only_up_to_the_limit(
    tmp_path: Path, small_limit: Path
) -> None:
    # an Axivity file's signature, then zeros: unpacked to a temporary file to be read, stopped at 10 MB
    path = _gzip_of(tmp_path / "week.cwa.gz", b"MD")
    _refused(
        path,
        "week.cwa.gz would unpack to more than 10 MB, beyond the 10 MB any recording unpacks to (a damaged or "
        "crafted file?), so it was not read; for a genuinely larger export set $BACKSTRIDE_MAX_UNPACKED_GB higher",
        small_limit,
    )


def test_a_gzip_csv_is_read_only_up_to_the_limit(tmp_path: Path, small_limit: Path) -> None:
    # a CSV's text is not unpacked to the disk but read as it unpacks: that stops at the limit too
    lines = b"ax,ay,az\n" + b"9.8,0.1,0.2\n" * (ZEROS // 12)
    path = tmp_path / "walk.csv.gz"
    path.write_bytes(gzip.compress(lines, compresslevel=9))
    assert path.stat().st_size < 500_000
    _refused(
        path,
        "walk.csv.gz would unpack to more than 10 MB, beyond the 10 MB any recording unpacks to (a damaged or "
        "crafted file?), so it was not read; for a genuinely larger export set $BACKSTRIDE_MAX_UNPACKED_GB higher",
        small_limit,
        rate_hz=100.0,
    )


def test_the_limit_is_raised_by_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = (
        b"ax,ay,az\n" + b"9.8,0.1,0.2\n9.7,0.2,0.1\n" * 300_000
    )  # 10 minutes at 1000 Hz read as 100 Hz: 7 MB
    path = tmp_path / "walk.csv.gz"
    path.write_bytes(gzip.compress(lines))
    monkeypatch.setenv(io.ENV_MAX_UNPACKED_GB, "0.005")
    with pytest.raises(InputError, match="would unpack to more than 5 MB"):
        io.read(path, rate_hz=100.0)
    monkeypatch.setenv(io.ENV_MAX_UNPACKED_GB, "0.01")
    assert io.read(path, rate_hz=100.0).n_samples == 600_000
    for wrong in ("lots", "inf", "nan", "-1", "0"):  # "inf" was a traceback (no whole number of bytes)
        monkeypatch.setenv(io.ENV_MAX_UNPACKED_GB, wrong)
        with pytest.raises(InputError, match=r"\$BACKSTRIDE_MAX_UNPACKED_GB must be a positive number of GB"):
            io.read(path, rate_hz=100.0)


def test_the_default_limit_is_well_above_a_week_of_a_phone_export(monkeypatch: pytest.MonkeyPatch) -> None:
    # seven days of Sensor Logger (Android, 200 Hz, acceleration and gyroscope) unpack to 14.8 GB, measured with
    # the benchmarks' writer of the app's layout (88 MB an hour)
    monkeypatch.delenv(io.ENV_MAX_UNPACKED_GB)
    assert _unpackcap.max_unpacked_bytes() == io.MAX_UNPACKED_BYTES == 64 << 30
    assert io.MAX_UNPACKED_BYTES > 4 * 14.8e9
