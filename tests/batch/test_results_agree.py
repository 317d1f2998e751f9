"""The batch's Parquet tables hold what ``backstride analyze --json`` gives for the same file: every figure of
the summary, every bout, the recording's details and its days (which add up to the recording)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.batch.conftest import load_helper

from backstride.batch import SCHEMAS, run_batch
from backstride.batch._worker import subject_from_sidecar
from backstride.gait import GaitSummary, RecordingInfo, Subject, analyze_stream, days_of
from backstride.io import iter_chunks

# the recordings row's columns that are the JSON's fields under another name (the column unrounded)
RENAMED = {"recording_duration_s": "duration_s"}


def _rows(out: Path, name: str) -> list[dict[str, Any]]:
    return pq.read_table(out / f"{name}.parquet").to_pylist()


@pytest.fixture
def batch(tmp_path: Path, shared_data: Path, no_leftover_processes: None) -> Path:
    """A batch over a logger's file (a height beside it), one with a gyroscope, and a lab walk recorded
    across midnight (two calendar days)."""
    data = tmp_path / "study"
    data.mkdir()
    for name in ("actigraph_gt3x/pygt3x_neo.gt3x", "axivity_cwa/skdh_ax6_sample.cwa"):
        shutil.copy(shared_data / "devices" / name, data)
    (data / "pygt3x_neo.json").write_text('{"height_m": 1.68, "age": 61, "sex": "female"}')
    night = data / "night"
    night.mkdir()
    helpers = load_helper("_batch_helpers")
    midnight = dt.datetime(2024, 3, 2, tzinfo=dt.UTC).timestamp()
    lab = sorted((shared_data / "lowback-lab").glob("HA-00*-Test11-Trial1/imu.csv"))
    helpers.concat_imu_csv(lab, night / "imu.csv", epoch_start_s=midnight - 120.0)
    (night / "meta.json").write_text('{"height_m": 1.75}')
    out = tmp_path / "results"
    summary = run_batch([data], out=out, workers=1)
    assert (summary.n_analysed, summary.n_failed) == (3, 0)
    return out


def test_the_tables_hold_the_json_figures(batch: Path) -> None:
    recordings = _rows(batch, "recordings")
    bouts, days = _rows(batch, "bouts"), _rows(batch, "days")
    assert len(recordings) == 3
    n_days = 0
    for row in recordings:
        result = analyze_stream(iter_chunks(row["source"]), **subject_from_sidecar(row["source"]))
        summary = result.summary.to_dict()
        for name in GaitSummary.field_names():
            assert row[RENAMED.get(name, name)] == pytest.approx(summary[name], abs=5e-4), name
        for name in set(RecordingInfo.field_names()) - {"source"}:
            assert row[name] == getattr(result.recording, name), name
        for name in Subject.field_names():
            assert row[name] == getattr(result.subject, name), name
        assert row["warnings"] == result.warnings
        outside = [c for c in result.initial_contacts if not c.in_bout]  # starting, stopping, closing steps
        assert row["n_initial_contacts"] == len(result.initial_contacts) == row["n_steps"] + len(outside)
        mine = sorted(
            (b for b in bouts if b["recording_id"] == row["recording_id"]), key=lambda b: b["start_s"]
        )
        assert [{k: b[k] for k in result.walking_bouts[0].field_names()} for b in mine] == [
            b.to_dict() for b in result.walking_bouts
        ]
        grid, expected = days_of(result)
        assert row["n_days"] == grid.n_days
        mine_days = sorted(
            (d for d in days if d["recording_id"] == row["recording_id"]), key=lambda d: d["day_index"]
        )
        assert [{k: d[k] for k in expected} for d in mine_days] == [
            {k: expected[k][i] for k in expected} for i in range(grid.n_days)
        ]
        # the days add up to the recording
        assert sum(d["n_steps"] for d in mine_days) == row["n_steps"]
        assert sum(d["n_bouts"] for d in mine_days) == row["n_bouts"]
        assert sum(d["walking_s"] for d in mine_days) == pytest.approx(row["total_walking_s"])
        assert sum(d["recorded_s"] for d in mine_days) == pytest.approx(row["duration_s"])
        assert [b["day_index"] for b in mine] == [grid.day_of(b["start_s"]) for b in mine]
        n_days += grid.n_days
    assert n_days == 4  # the walk across midnight has two days
    night = next(r for r in recordings if r["path"].startswith("night"))
    assert night["height_m"] == 1.75 and night["n_bouts"] > 0
    assert [d["date"] for d in days if d["recording_id"] == night["recording_id"]] == [
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 2),
    ]


def test_the_columns_say_what_the_json_fields_say() -> None:
    """A bout's trunk lean is the median over its contacts (the JSON's field says so); the column called it
    a mean. ``n_initial_contacts`` counts every contact listed, the closing steps too, so it is more than
    ``n_steps``; the column's description said "detected", which neither tells."""
    lean = SCHEMAS["bouts"].field("trunk_lean_deg").metadata[b"description"].decode()
    assert lean.startswith("median") and "mean" not in lean.split()
    contacts = SCHEMAS["recordings"].field("n_initial_contacts").metadata[b"description"].decode()
    assert "closing" in contacts and "n_steps" in contacts
