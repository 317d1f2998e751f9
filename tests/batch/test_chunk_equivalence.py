"""Chunk boundaries change nothing: a long recording analysed by the batch in many small chunks gives the
bouts of one single pass over the whole file, each bout once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from backstride.batch import BatchRunner
from backstride.gait import WalkingBout, analyze
from backstride.io import read

CHUNK_S = 37.0  # not a divisor of any file length: boundaries fall anywhere, also inside bouts
START = dt.datetime(2024, 3, 4, 23, 56, tzinfo=dt.UTC)  # the recording crosses midnight


@pytest.mark.usefixtures("no_leftover_processes")
def test_batch_bouts_equal_a_single_pass_on_a_long_recording(
    tmp_path: Path, shared_data: Path, helpers: Any
) -> None:
    parts = sorted((shared_data / "lowback-lab").glob("*Test11*/imu.csv")) + sorted(
        (shared_data / "lowback-10m").glob("1-*/imu.csv")
    )
    data = tmp_path / "data"
    data.mkdir()
    long_file = data / "long.csv"
    duration = helpers.concat_imu_csv(parts, long_file, epoch_start_s=START.timestamp())
    assert duration > 10 * CHUNK_S
    (data / "long_meta.json").write_text(json.dumps({"height_m": 1.72}))

    out = tmp_path / "results"
    summary = BatchRunner(out=out, workers=1, chunk_s=CHUNK_S, progress=False).run([long_file]).summary_
    assert (summary.n_analysed, summary.n_failed) == (1, 0), summary.failures

    whole = analyze(read(long_file), height_m=1.72)
    bouts = sorted(pq.read_table(out / "bouts.parquet").to_pylist(), key=lambda b: b["start_s"])
    got = [WalkingBout(**{k: b[k] for k in WalkingBout.field_names()}) for b in bouts]
    assert len(got) >= 5
    assert got == whole.walking_bouts  # every field, exactly
    assert [b["bout_index"] for b in bouts] == list(range(len(bouts)))
    crossing = [b for b in got if int(b.start_s // CHUNK_S) != int(b.end_s // CHUNK_S)]
    assert crossing, "no bout crosses a chunk boundary: the test would prove nothing"

    (rec,) = pq.read_table(out / "recordings.parquet").to_pylist()
    assert rec["n_bouts"] == whole.summary.n_bouts
    assert rec["n_steps"] == whole.summary.n_steps
    assert rec["n_initial_contacts"] == len(whole.initial_contacts)
    assert rec["median_walking_speed_mps"] == whole.summary.median_walking_speed_mps
    assert rec["chunk_s"] == CHUNK_S

    # The start time comes from the file's Unix times, so days follow the calendar: midnight is 240 s in.
    assert dt.datetime.fromisoformat(rec["start_time"]) == START
    assert rec["n_days"] == 2
    days = sorted(pq.read_table(out / "days.parquet").to_pylist(), key=lambda d: d["day_index"])
    assert [d["date"] for d in days] == [dt.date(2024, 3, 4), dt.date(2024, 3, 5)]
    assert [d["recorded_s"] for d in days] == pytest.approx([240.0, duration - 240.0])
    assert [b["day_index"] for b in bouts] == [1 if b.start_s < 240.0 else 2 for b in got]
    assert sum(d["n_bouts"] for d in days) == rec["n_bouts"]
    assert sum(d["n_steps"] for d in days) == rec["n_steps"]
    assert sum(d["walking_s"] for d in days) == pytest.approx(rec["total_walking_s"])
    for d in days:
        mine = [b for b, row in zip(got, bouts, strict=True) if row["day_index"] == d["day_index"]]
        assert d["n_bouts"] == len(mine)
        assert d["n_bouts_10s"] == sum(b.duration_s >= 10.0 for b in mine)
