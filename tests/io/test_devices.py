"""Wearable loggers' own files through the public readers: detection, whole reads, streamed chunks, the CLI.

The per-format details (values against the manufacturers' exports) are in ``test_device_<format>.py``; here
every real device file in ``../shared/data/devices`` goes through ``io.detect_format``, ``io.read`` and
``io.iter_chunks`` as a user's file would.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from backstride import InputError, io
from backstride.cli import app

FILES = {
    "axivity_cwa/skdh_ax3_sample.cwa": "axivity",
    "axivity_cwa/skdh_ax6_sample.cwa": "axivity",
    "axivity_cwa/GGIRread_ax3_testfile.cwa": "axivity",
    "axivity_cwa/openmovement_example-610-steps.cwa": "axivity",
    "actigraph_gt3x/readgt3x_TAS1H30182785_2019-09-17.gt3x": "actigraph",
    "actigraph_gt3x/pygt3x_neo.gt3x": "actigraph",
    "actigraph_gt3x/GGIR_actigraph_testfile.gt3x": "actigraph",
    "actigraph_gt3x/pygt3x_ISM_Enabled.gt3x": "actigraph",
    "geneactiv_bin/skdh_gnactv_sample.bin": "geneactiv",
    "geneactiv_bin/GGIRread_GENEActiv_testfile.bin": "geneactiv",
    "actigraph_gt3x/pygt3x_neo.csv": "actilife",
    "actigraph_gt3x/readgt3x_TAS1H30182785_2019-09-17.csv.gz": "actilife",
}


@pytest.fixture(scope="module")
def devices(shared_data: Path) -> Path:
    return shared_data / "devices"


@pytest.mark.parametrize(("name", "fmt"), sorted(FILES.items()))
def test_every_device_file_is_detected_and_read(devices: Path, name: str, fmt: str) -> None:
    path = devices / name
    assert io.detect_format(path) == fmt
    recording = io.read(path)
    assert recording.metadata["format"] == fmt
    assert recording.metadata["source"] == path.name
    assert recording.metadata["device"] and recording.metadata["serial"]
    # a raw accelerometer at rest measures 1 g: the median magnitude says the unit was read right
    magnitude = np.median(np.linalg.norm(recording.acc_mps2, axis=1))
    assert 0.85 * 9.81 < magnitude < 1.15 * 9.81
    assert np.all(np.diff(recording.time_s) > 0)
    assert (recording.gyr_dps is not None) == ("ax6" in name)


@pytest.mark.parametrize(
    "name",
    [
        "axivity_cwa/skdh_ax6_sample.cwa",
        "actigraph_gt3x/GGIR_actigraph_testfile.gt3x",
        "geneactiv_bin/GGIRread_GENEActiv_testfile.bin",
    ],
)
def test_streamed_chunks_join_to_the_whole_read(devices: Path, name: str) -> None:
    path = devices / name
    whole = io.read(path)
    chunks = list(io.iter_chunks(path, chunk_s=20.0))
    assert len(chunks) > 2
    assert all(c.metadata["device"] == whole.metadata["device"] for c in chunks)
    assert all(c.metadata.get("start_time") == whole.metadata.get("start_time") for c in chunks)
    time = np.concatenate([c.time_s for c in chunks])
    acc = np.concatenate([c.acc_mps2 for c in chunks])
    assert chunks[0].sampling_rate_hz == pytest.approx(whole.sampling_rate_hz, rel=2e-3)
    np.testing.assert_allclose(np.diff(time), 1.0 / chunks[0].sampling_rate_hz, rtol=1e-9)
    assert abs(time.shape[0] - whole.n_samples) <= 0.002 * whole.n_samples
    # both put the samples on a grid at their recorded times, the stream on a rate judged on its first chunk
    # (20 s here), the whole read on the file's: the same signal, second by second
    per_s = int(whole.sampling_rate_hz)
    n = min(time.shape[0], whole.n_samples) // per_s * per_s
    streamed = acc[:n].reshape(-1, per_s, 3).mean(axis=1)
    read = whole.acc_mps2[:n].reshape(-1, per_s, 3).mean(axis=1)
    np.testing.assert_allclose(streamed, read, atol=0.2)  # m/s², second by second
    # with the rate judged on the whole file, sample for sample
    chunks = list(io.iter_chunks(path, chunk_s=3600.0))
    np.testing.assert_allclose(
        np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2, rtol=0, atol=1e-9
    )


@pytest.mark.parametrize(
    "name", ["axivity_cwa/skdh_ax3_sample.cwa", "axivity_cwa/openmovement_example-610-steps.cwa"]
)
def test_a_logger_clock_that_wanders_is_followed_read_whole_as_streamed(devices: Path, name: str) -> None:
    """An Axivity's block time stamps wander from a steady rate (in the AX3 sample up to 16 samples, 81 ms,
    over 5 minutes): a whole read put sample i at i / rate regardless, a stream at its recorded time; both now
    follow the time stamps, and give the same samples."""
    path = devices / name
    whole = io.read(path)
    chunks = list(io.iter_chunks(path, chunk_s=3600.0))
    np.testing.assert_allclose(
        np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2, rtol=0, atol=1e-9
    )
    assert whole.n_samples == sum(c.n_samples for c in chunks)


def test_a_logger_that_pauses_keeps_its_rate_and_reports_only_the_gaps(devices: Path) -> None:
    recording = io.read(devices / "actigraph_gt3x/pygt3x_ISM_Enabled.gt3x")
    assert recording.sampling_rate_hz == 30.0
    assert not any(n.startswith("time base irregular") for n in recording.notes)
    assert any("idle sleep mode" in n for n in recording.notes)
    assert any(n.startswith("2 gaps longer than") for n in recording.notes)


@pytest.mark.parametrize(
    "name",
    ["actigraph_gt3x/GGIR_actigraph_testfile.gt3x", "actigraph_gt3x/readgt3x_TAS1H30182785_2019-09-17.gt3x"],
)
def test_a_chunk_inside_a_logger_s_pause_says_nothing_of_an_irregular_clock(devices: Path, name: str) -> None:
    """Streamed, a chunk may hold only the two samples around a pause longer than itself; their interval is no
    sampling period (it read "time base irregular (median 261033.3 ms)"). The stream says what the whole read
    says, and gives its samples."""
    whole = io.read(devices / name)
    chunks = list(io.iter_chunks(devices / name, chunk_s=60.0))
    assert set(whole.notes) == {note for c in chunks for note in c.notes}
    assert not any("irregular" in note for note in whole.notes)
    np.testing.assert_allclose(np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2, atol=1e-9)


def test_a_device_that_turns_every_way_is_not_taken_for_linear_acceleration(devices: Path) -> None:
    """The wGT3X-BT file's per-axis medians are near zero (worn and turned around); a logger's raw
    accelerometer always holds gravity, so it is read, where a phone's CSV like it would be refused."""
    recording = io.read(devices / "actigraph_gt3x/GGIR_actigraph_testfile.gt3x")
    static = np.linalg.norm(np.median(recording.acc_mps2, axis=0))
    assert static < 0.3 * 9.81
    assert recording.n_samples > 50_000


def test_start_times_carry_the_files_own_zone_or_none(devices: Path) -> None:
    gt3x = io.read(devices / "actigraph_gt3x/readgt3x_TAS1H30182785_2019-09-17.gt3x")
    assert gt3x.metadata["start_time"] == "2019-09-17T18:40:00-04:00"
    bin_ = io.read(devices / "geneactiv_bin/GGIRread_GENEActiv_testfile.bin")
    assert bin_.metadata["start_time"] == "2013-05-30T10:12:54.500000+01:00"
    cwa = io.read(devices / "axivity_cwa/GGIRread_ax3_testfile.cwa")  # the AX3 clock is local, no zone
    assert cwa.metadata["start_time"].startswith("2019-02-26T10:55:0")
    assert "+" not in cwa.metadata["start_time"][10:] and "Z" not in cwa.metadata["start_time"]


def test_a_gt3x_download_cut_short_is_still_recognised_and_read(devices: Path, tmp_path: Path) -> None:
    data = (devices / "actigraph_gt3x/pygt3x_ISM_Disabled.gt3x").read_bytes()
    cut = tmp_path / "cut.gt3x"
    cut.write_bytes(data[: len(data) * 2 // 3])  # the ZIP's directory, at its end, is lost
    assert io.detect_format(cut) == "actigraph"
    recording = io.read(cut, validate=False)
    assert recording.n_samples > 1000


def test_a_wrong_format_option_gives_one_clear_error(devices: Path) -> None:
    with pytest.raises(InputError, match=r"skdh_gnactv_sample\.bin"):
        io.read(devices / "geneactiv_bin/skdh_gnactv_sample.bin", format="axivity")


def test_a_bin_that_is_not_geneactiv_is_not_taken_for_one(tmp_path: Path) -> None:
    path = tmp_path / "firmware.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"firmware\.bin"):
        io.read(path)


def test_the_cli_analyses_a_device_file(devices: Path, tmp_path: Path) -> None:
    path = tmp_path / "walk.cwa"
    shutil.copy(devices / "axivity_cwa/skdh_ax3_sample.cwa", path)
    result = CliRunner().invoke(app, ["analyze", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["recording"]["format"] == "axivity"
    assert data["summary"]["n_bouts"] >= 1 and data["summary"]["n_steps"] > 50


def test_cut_and_damaged_copies_end_in_a_reading_or_one_clear_error(devices: Path, tmp_path: Path) -> None:
    """Random cuts and byte changes of every real device file (a download cut short, a bad card): each copy
    is read or refused with an InputError, never anything else (no traceback)."""
    rng = random.Random(20261202)
    outcomes = {"read": 0, "refused": 0}
    for trial in range(60):
        name = sorted(FILES)[trial % len(FILES)]
        data = bytearray((devices / name).read_bytes())
        if trial % 3 != 1:
            data = data[: rng.randrange(1, len(data))]
        if trial % 3 != 0:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"copy{trial}{''.join(Path(name).suffixes)}"
        path.write_bytes(bytes(data))
        try:
            io.read(path, validate=False)
            outcomes["read"] += 1
        except InputError:
            outcomes["refused"] += 1
    # both ends are exercised: most damage is read past, and some leaves nothing to read
    assert outcomes["read"] >= 20 and outcomes["refused"] >= 1, outcomes


@pytest.mark.parametrize(
    ("name", "worn"),
    [
        ("axivity_cwa/GGIRread_ax3_testfile.cwa", "right wrist"),  # _p=right+wrist
        ("actigraph_gt3x/pygt3x_ISM_Enabled.gt3x", "wrist, right"),  # Limb: Wrist, Side: Right
    ],
)
def test_a_device_worn_off_the_trunk_is_warned_of(shared_data: Path, name: str, worn: str) -> None:
    """A logger whose own file says it was worn on the wrist is measured as if at the lower back: the
    figures are not valid for it, and the recording says so (it said nothing)."""
    path = shared_data / "devices" / name
    for notes in (io.read(path).notes, next(iter(io.iter_chunks(path))).notes):
        warned = [n for n in notes if n.startswith("warning:") and f"worn on the {worn}" in n]
        assert len(warned) == 1 and "lower back" in warned[0]


@pytest.mark.parametrize(
    "name",
    [
        "geneactiv_bin/skdh_gnactv_sample.bin",  # Device Location Code: back
        "actigraph_gt3x/GGIR_actigraph_testfile.gt3x",  # Limb: Waist
        "axivity_cwa/openmovement_example-610-steps.cwa",  # no placement written
    ],
)
def test_a_device_at_the_trunk_or_unplaced_is_not_warned_of(shared_data: Path, name: str) -> None:
    notes = io.read(shared_data / "devices" / name).notes
    assert not any("worn on the" in n for n in notes)
