"""iter_chunks: consecutive, non-overlapping chunks whose times continue, units found once."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backstride import InputError, io
from backstride.io import _csv


@pytest.fixture(autouse=True, params=["whole", "streamed"])
def csv_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs twice: small CSVs are parsed whole, large ones streamed block by block (here in blocks
    of 32 kB, a few hundred rows, so even short test files stream in many)."""
    if request.param == "streamed":
        monkeypatch.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)
        monkeypatch.setattr(_csv, "STREAM_BLOCK_BYTES", 32 << 10)
    return str(request.param)


def test_chunks_of_a_regular_csv_join_to_the_whole(make_csv: Callable[..., Path]) -> None:
    path = make_csv(duration_s=100.0)
    chunks = list(io.iter_chunks(path, chunk_s=30.0))
    assert [c.n_samples for c in chunks] == [3000, 3000, 3000, 1000]
    assert [c.time_s[0] for c in chunks] == pytest.approx([0.0, 30.0, 60.0, 90.0])
    whole = io.read(path)
    np.testing.assert_allclose(np.concatenate([c.time_s for c in chunks]), whole.time_s, atol=1e-9)
    np.testing.assert_allclose(np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2, atol=1e-9)
    gyr = [c.gyr_dps for c in chunks]
    assert all(g is not None for g in gyr) and whole.gyr_dps is not None
    np.testing.assert_allclose(np.concatenate(gyr), whole.gyr_dps, atol=1e-9)  # type: ignore[arg-type]
    assert [c.metadata["chunk"] for c in chunks] == [0, 1, 2, 3]
    assert all(c.sampling_rate_hz == 100.0 for c in chunks)


def test_units_found_once_apply_to_every_chunk(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=60.0)
    gyr = np.radians(w.gyr)
    gyr[3000:] = 0.0  # the second half is still: alone it would look like deg/s, but the unit was found once
    path = synth.write_table(
        tmp_path / "g.csv", ["t", "ax", "ay", "az", "gx", "gy", "gz"], [w.t, *(w.acc / synth.G).T, *gyr.T]
    )
    packed = tmp_path / "g.csv.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    chunks = list(io.iter_chunks(packed, chunk_s=20.0))
    assert len(chunks) == 3
    acc = np.concatenate([c.acc_mps2 for c in chunks])
    np.testing.assert_allclose(acc, w.acc, atol=1e-5)
    assert all("acceleration read in g" in c.notes[0] for c in chunks)
    assert all("rad/s" in c.notes[1] for c in chunks)


def test_irregular_time_base_streams_onto_one_grid(make_csv: Callable[..., Path], synth: Any) -> None:
    w = synth.walk(duration_s=50.0, jitter_s=0.003)
    path = make_csv(w=w)
    chunks = list(io.iter_chunks(path, chunk_s=20.0))
    time = np.concatenate([c.time_s for c in chunks])
    np.testing.assert_allclose(np.diff(time), 0.01, atol=1e-9)
    whole = io.read(path)
    n = min(time.shape[0], whole.n_samples)
    np.testing.assert_allclose(
        np.concatenate([c.acc_mps2 for c in chunks])[:n], whole.acc_mps2[:n], atol=1e-9
    )
    assert any("resampled to 100 Hz" in note for note in chunks[0].notes)


def test_the_bundled_sample_streams(shared_data: Path) -> None:
    chunks = list(io.iter_chunks(io.sample_path(), chunk_s=60.0))
    assert [c.n_samples for c in chunks] == [6000, 6000, 1759]
    assert chunks[2].time_s[0] == pytest.approx(120.0)


def test_a_single_phyphox_csv_streams(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=40.0)
    header = [
        '"Time (s)"',
        '"Acceleration x (m/s^2)"',
        '"Acceleration y (m/s^2)"',
        '"Acceleration z (m/s^2)"',
    ]
    path = synth.write_table(tmp_path / "Raw Data.csv", header, [w.t, *w.acc.T])
    chunks = list(io.iter_chunks(path, chunk_s=15.0))
    assert [c.n_samples for c in chunks] == [1500, 1500, 1000]
    assert chunks[1].time_s[0] == pytest.approx(15.0)
    assert chunks[0].metadata["format"] == "phyphox"


def _iphone_export(folder: Path, synth: Any) -> Any:
    """Two minutes from an iPhone: user acceleration and gravity on one clock, from 0.5 s (the gravity's
    first reading is later); the gyroscope on its own clock at 50 Hz, ending 3 s before the accelerometer;
    and a 0.3 s hiccup in the accelerometer's time stamps."""
    w = synth.walk(duration_s=120.0, jitter_s=0.002)
    keep = (w.t < 61.0) | (w.t > 61.3)
    t, acc = w.t[keep], w.acc[keep]
    gravity = np.tile([synth.G, 0.0, 0.0], (t.size, 1))
    folder.mkdir()
    synth.write_sensorlogger_csv(folder / "Accelerometer.csv", t, -(acc - gravity))
    late = t >= 0.5
    synth.write_sensorlogger_csv(folder / "Gravity.csv", t[late], -gravity[late])
    g = synth.walk(duration_s=117.0, rate_hz=50.0, jitter_s=0.003, seed=4)
    synth.write_sensorlogger_csv(folder / "Gyroscope.csv", g.t + 0.013, np.radians(g.gyr))
    (folder / "Metadata.csv").write_text(
        "version,device name,platform,standardisation\n3,iPhone 15,ios,false\n", encoding="utf-8"
    )
    return w


def test_a_phone_export_streams_and_joins_to_what_one_block_per_file_gives(
    tmp_path: Path, synth: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = _iphone_export(tmp_path / "iphone", synth)
    chunks = list(io.iter_chunks(tmp_path / "iphone", chunk_s=30.0))
    whole = io.read(tmp_path / "iphone")
    with monkeypatch.context() as m:  # each sensor's file parsed in one block, as a short export is
        m.setattr(_csv, "WHOLE_READ_MAX_BYTES", 128 << 20)
        one_block = io.read(tmp_path / "iphone")
    for got in (np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2):
        np.testing.assert_allclose(got, one_block.acc_mps2, atol=1e-9)
    gyr = [c.gyr_dps for c in chunks]
    assert whole.gyr_dps is not None and one_block.gyr_dps is not None and all(g is not None for g in gyr)
    np.testing.assert_allclose(np.concatenate(gyr), one_block.gyr_dps, atol=1e-9)  # type: ignore[arg-type]
    np.testing.assert_allclose(whole.gyr_dps, one_block.gyr_dps, atol=1e-9)
    # from the accelerometer's first sample (the gravity's first reading, 0.5 s later, held till then) to its
    # last: the gyroscope's last reading is held over the 3 s it did not record, and no sample is left out
    assert whole.time_s[0] == 0.0
    assert whole.duration_s == pytest.approx(float(w.t[-1]), abs=0.02)  # (118.0 s when it was cut)
    measured = (whole.time_s < 60.9) | (whole.time_s > 61.4)  # not across the hiccup
    truth = np.interp(whole.time_s, w.t, w.acc[:, 0])
    np.testing.assert_allclose(whole.acc_mps2[measured, 0], truth[measured], atol=0.25)

    # said alike, whatever the number of blocks: the sensors' ends, the sign, the hiccup (a gap; said on the
    # last chunk, when all gaps are counted)
    def said(notes: Any) -> list[str]:
        return sorted(n for n in notes if "held" in n or "left out" in n or "iOS" in n or "gap" in n)

    assert said(set(n for c in chunks for n in c.notes)) == said(one_block.notes) == said(whole.notes)
    held = [n for n in whole.notes if "held" in n or "left out" in n]
    assert len(held) == 2
    assert held[0].startswith("the gravity started 0.50 s after the accelerometer: its first and last")
    assert held[1].startswith("the gyroscope stopped 3.0")
    assert held[1].endswith("held over that time; every accelerometer sample is kept")
    assert any(n.startswith("1 gap longer than 0.1 s (longest 0.3 s at 61.") for n in chunks[-1].notes)
    assert all("gap" not in n for c in chunks[:-1] for n in c.notes)


def test_a_paused_phyphox_export_streams_with_its_pause_put_back(tmp_path: Path, synth: Any) -> None:
    acc = synth.walk(duration_s=90.0, jitter_s=0.002, seed=2)
    gyr = synth.walk(duration_s=90.0, rate_hz=200.0, jitter_s=0.001, seed=3)
    folder = tmp_path / "phyphox"
    (folder / "meta").mkdir(parents=True)
    acc_header = ['"Time (s)"', *(f'"Acceleration {a} (m/s^2)"' for a in "xyz")]
    gyr_header = ['"Time (s)"', *(f'"Gyroscope {a} (rad/s)"' for a in "xyz")]
    synth.write_table(folder / "Accelerometer.csv", acc_header, [acc.t, *acc.acc.T], fmt="%.9E")
    synth.write_table(folder / "Gyroscope.csv", gyr_header, [gyr.t, *np.radians(gyr.gyr).T], fmt="%.9E")
    (folder / "meta" / "time.csv").write_text(
        '"event","experiment time","system time","system time text"\n'
        '"START",0.0,1760000000.0,"2025-10-09 10:53:20.000 UTC+02:00"\n'
        '"PAUSE",40.0,1760000040.0,"2025-10-09 10:54:00.000 UTC+02:00"\n'
        '"START",40.0,1760000055.0,"2025-10-09 10:54:15.000 UTC+02:00"\n',
        encoding="utf-8",
    )
    chunks = list(io.iter_chunks(folder, chunk_s=30.0))
    whole = io.read(folder)
    assert sum(c.n_samples for c in chunks) == whole.n_samples
    assert whole.duration_s == pytest.approx(90.0 + 15.0, abs=0.03)  # the 15 s pause is back in the time axis
    np.testing.assert_allclose(np.concatenate([c.acc_mps2 for c in chunks]), whole.acc_mps2, atol=1e-9)
    after = whole.time_s > 56.0  # 41 s of experiment time and more: moved on by the pause
    np.testing.assert_allclose(
        whole.acc_mps2[after, 0], np.interp(whole.time_s[after] - 15.0, acc.t, acc.acc[:, 0]), atol=0.15
    )
    pause = "the measurement was paused 1 time (15 s in all); phyphox's time axis leaves pauses out"
    gap = "warning: 1 gap longer than 10 s (40.0–55.0 s)"
    for notes in (whole.notes, chunks[-1].notes):
        assert any(n.startswith(pause) for n in notes) and any(n.startswith(gap) for n in notes)


def test_gaps_are_counted_over_the_whole_stream_and_said_once(
    make_csv: Callable[..., Path], synth: Any
) -> None:
    w = synth.walk(duration_s=100.0)
    keep = np.ones(w.t.size, dtype=bool)
    for at, length in ((25.0, 0.5), (29.95, 0.2), (55.0, 12.0), (85.0, 1.5)):  # one across a chunk boundary
        keep &= (w.t < at) | (w.t > at + length)
    path = make_csv(w=synth.Walk(w.t[keep], w.acc[keep], w.gyr[keep]))
    chunks = list(io.iter_chunks(path, chunk_s=30.0))
    gaps = [n for c in chunks for n in c.notes if "gap" in n]
    assert gaps == [n for n in io.read(path).notes if "gap" in n]
    assert gaps[0] == "4 gaps longer than 0.1 s (longest 12.0 s at 55.0 s) bridged by linear interpolation"
    assert gaps[1].startswith("warning: 1 gap longer than 10 s (55.0–67.0 s)")
    assert all(n in chunks[-1].notes for n in gaps)
    # and they reach the analysis, which says what every chunk said
    from backstride.gait import analyze_stream

    result = analyze_stream(io.iter_chunks(path, chunk_s=30.0))
    assert all(n in result.recording.notes for n in gaps)


def test_chunk_length_must_be_positive(make_csv: Callable[..., Path]) -> None:
    with pytest.raises(InputError, match="chunk_s must be positive"):
        next(io.iter_chunks(make_csv(), chunk_s=0))


def test_a_bad_cell_is_reported_while_streaming(tmp_path: Path, synth: Any) -> None:
    w = synth.walk(duration_s=40.0)
    lines = ["time_s,acc_x,acc_y,acc_z"] + [
        f"{t:.6f},{a[0]:.6f},{a[1]:.6f},{a[2]:.6f}" for t, a in zip(w.t, w.acc, strict=True)
    ]
    lines[3500] = lines[3500].replace(lines[3500].split(",")[1], "x1", 1)
    path = tmp_path / "late.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3501, column 'acc_x': 'x1' is not a number"):
        list(io.iter_chunks(path, chunk_s=10.0))


def test_a_cut_off_last_cell_is_dropped_while_streaming(make_csv: Callable[..., Path]) -> None:
    path = make_csv(duration_s=20.0)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("20.000000,9.81,0.1,0.2,1.0,2.0,3.0e")  # an interrupted upload
    chunks = list(io.iter_chunks(path, chunk_s=15.0))
    assert sum(c.n_samples for c in chunks) == 2000
    assert any("last line is incomplete" in note for note in chunks[-1].notes)


def test_units_are_judged_on_the_whole_first_chunk_not_the_first_block(tmp_path: Path, synth: Any) -> None:
    # 10 minutes; the sensor lies still for the first 4 (gyroscope noise well under 10 deg/s), then walking.
    w = synth.walk(duration_s=600.0)
    still = w.t < 240.0
    acc, gyr = w.acc.copy(), w.gyr.copy()
    acc[still] = [synth.G, 0.0, 0.0]
    gyr[still] = 0.3 * np.sin(w.t[still, None] * [1.0, 2.0, 3.0])
    path = tmp_path / "day.csv"
    np.savetxt(path, np.column_stack([w.t, acc, gyr]), fmt="%.5f", delimiter=",", comments="",
               header="time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z")  # fmt: skip
    assert path.stat().st_size > 3 * (1 << 20)  # several parser blocks before the walking starts
    chunks = list(io.iter_chunks(path, chunk_s=600.0))
    assert len(chunks) == 1
    assert "angular rate read in deg/s" in chunks[0].notes[1]
    assert chunks[0].gyr_dps is not None
    np.testing.assert_allclose(chunks[0].gyr_dps, gyr, atol=1e-4)


def test_start_only_unpacks_the_start_of_a_zip_and_reads_it_alike(
    tmp_path: Path, synth: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a check before an upload is accepted reads the first chunk; it need not unpack a day of data for that
    from backstride.io import _registry

    _iphone_export(tmp_path / "iphone", synth)
    archive = synth.zip_folder(tmp_path / "iphone", tmp_path / "iphone.zip")
    monkeypatch.setattr(_registry, "START_ONLY_BYTES", 200_000)  # each file about 3500 lines, 35 s, of 120 s
    start = list(io.iter_chunks(archive, chunk_s=10.0, start_only=True))
    full = list(io.iter_chunks(archive, chunk_s=10.0))
    assert 2 <= len(start) < len(full) / 2
    for a, b in zip(start[:-1], full, strict=False):  # the last one ends where the unpacked part does
        np.testing.assert_allclose(a.acc_mps2, b.acc_mps2, atol=1e-9)
        assert a.time_s[0] == b.time_s[0]


def test_extracting_a_zip_member_in_part_keeps_whole_lines(tmp_path: Path) -> None:
    import zipfile

    from backstride.io._container import extracted

    lines = "".join(f"{i},{i * 0.5:.3f}\n" for i in range(10_000)).encode()
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.csv", lines)
        z.writestr("small.csv", b"1,2\n3,4\n")
    with extracted(archive, ["big.csv", "small.csv"], limit=1000) as files:
        head = files["big.csv"].read_bytes()
        assert 900 < len(head) <= 1000 and head.endswith(b"\n") and lines.startswith(head)
        assert files["small.csv"].read_bytes() == b"1,2\n3,4\n"
    with extracted(archive, ["big.csv"]) as files:
        assert files["big.csv"].read_bytes() == lines


def _still_then_walking(shared_data: Path, path: Path, still_s: float, unit: str = "deg/s") -> np.ndarray:
    """A CSV without units in its header: ``still_s`` of a sensor lying on a table (gyroscope noise and bias
    of a fraction of a degree per second), then a real walk of the lab set (137 s, deg/s). The gyroscope
    written (in ``unit``) is returned in deg/s."""
    lab = np.loadtxt(shared_data / "lowback-lab/HA-001-Test11-Trial1/imu.csv", delimiter=",", skiprows=1)
    rng = np.random.default_rng(7)
    n = round(still_s * 100)
    acc = np.vstack([lab[0, 1:4] + rng.normal(0.0, 0.02, (n, 3)), lab[:, 1:4]])
    gyr = np.vstack([np.array([0.4, -0.2, 0.1]) + rng.normal(0.0, 0.15, (n, 3)), lab[:, 4:7]])
    t = np.arange(acc.shape[0]) / 100.0
    written = np.radians(gyr) if unit == "rad/s" else gyr
    np.savetxt(path, np.column_stack([t, acc, written]), fmt="%.6f", delimiter=",", comments="",
               header="time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z")  # fmt: skip
    return gyr


@pytest.mark.parametrize("unit", ["deg/s", "rad/s"])
def test_a_still_first_chunk_does_not_decide_the_gyroscope_unit(
    shared_data: Path, tmp_path: Path, unit: str
) -> None:
    # 35 minutes on a table, then walking: the first 30-minute chunk alone cannot tell deg/s from rad/s (|ω| of
    # a still deg/s sensor is well under 10), so the unit is judged on the first stretch with movement, as a
    # whole read judges it, and every chunk is read in that one unit
    path = tmp_path / "day.csv"
    gyr = _still_then_walking(shared_data, path, 35 * 60.0, unit)
    whole = io.read(path)
    chunks = list(io.iter_chunks(path, chunk_s=1800.0))
    assert len(chunks) == 2
    for recording in (whole, *chunks):
        assert any(
            note.startswith(f"angular rate read in {unit} (99th percentile") for note in recording.notes
        )
    assert whole.gyr_dps is not None
    np.testing.assert_allclose(whole.gyr_dps, gyr, atol=1e-4)
    joined = np.concatenate([c.gyr_dps for c in chunks if c.gyr_dps is not None])
    np.testing.assert_allclose(joined, whole.gyr_dps, atol=1e-9)


@pytest.fixture
def ten_minute_span(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The angular-rate unit looked for in the first 10 minutes (not 4 hours), in stretches of 2; the module."""
    from backstride.io import _units

    monkeypatch.setattr(_units, "GYR_JUDGED_WINDOW_S", 120.0)
    monkeypatch.setattr(_units, "GYR_JUDGED_SPAN_S", 600.0)
    return _units


def test_a_gyroscope_unit_judged_on_stillness_is_checked_against_what_follows(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ten_minute_span: Any
) -> None:
    # the unit is looked for in the first hours only (here 10 minutes, in stretches of 2): still all that time,
    # it is judged on them (rad/s: a still sensor turns under 10 of anything), and what follows is checked.
    # A deg/s walk after them turns far too fast for rad/s: refused, read whole or in chunks, with the option
    # that reads it; given, it reads
    from backstride import OptionNeeded

    path = tmp_path / "day.csv"
    gyr = _still_then_walking(shared_data, path, 15 * 60.0)
    with pytest.raises(
        OptionNeeded,
        match=r"angular rate in day\.csv was read in rad/s, judged on its first 10 min, .* deg/s",
    ) as whole:
        io.read(path)
    with pytest.raises(OptionNeeded, match=r"judged on its first 10 min") as streamed:
        list(io.iter_chunks(path, chunk_s=300.0))
    assert whole.value.options == streamed.value.options == {"gyr_unit": "deg/s"}
    given = list(io.iter_chunks(path, chunk_s=300.0, gyr_unit="deg/s"))
    np.testing.assert_allclose(
        np.concatenate([c.gyr_dps for c in given if c.gyr_dps is not None]), gyr, atol=1e-4
    )
    # walking within those minutes is evidence enough
    monkeypatch.setattr(ten_minute_span, "GYR_JUDGED_SPAN_S", 1200.0)
    assert "angular rate read in deg/s" in " ".join(io.read(path).notes)


@pytest.mark.usefixtures("ten_minute_span")
def test_a_gyroscope_in_rad_s_still_for_hours_then_walking_reads_and_a_still_file_is_no_error(
    shared_data: Path, tmp_path: Path
) -> None:
    # judged on stillness, a rad/s walk that follows agrees with the unit: read whole and in chunks alike,
    # with a note; and a recording that never moves is not an error (no walking in it), whatever its length
    path = tmp_path / "day.csv"
    gyr = _still_then_walking(shared_data, path, 15 * 60.0, "rad/s")
    whole = io.read(path)
    chunks = list(io.iter_chunks(path, chunk_s=300.0))
    assert whole.gyr_dps is not None
    np.testing.assert_allclose(whole.gyr_dps, gyr, atol=1e-3)
    np.testing.assert_allclose(
        np.concatenate([c.gyr_dps for c in chunks if c.gyr_dps is not None]), whole.gyr_dps, atol=1e-9
    )
    for recording in (whole, chunks[0]):
        assert any(note.startswith("nothing moved in the first 10 min") for note in recording.notes)

    still = tmp_path / "still.csv"
    rng = np.random.default_rng(3)
    n = 15 * 60 * 100
    acc = np.array([0.1, 0.2, 9.8]) + rng.normal(0.0, 0.02, (n, 3))
    gyr_still = np.array([0.4, -0.2, 0.1]) + rng.normal(0.0, 0.15, (n, 3))  # deg/s, read as rad/s: harmless
    np.savetxt(still, np.column_stack([np.arange(n) / 100.0, acc, gyr_still]), fmt="%.6f", delimiter=",",
               comments="", header="time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z")  # fmt: skip
    assert io.read(still).n_samples == n
    assert sum(c.n_samples for c in io.iter_chunks(still, chunk_s=300.0)) == n
