"""The Parquet tables' columns are a contract: names, types and nullability are fixed here."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backstride.batch import SCHEMAS
from backstride.batch._store import ResultsFolder
from backstride.gait import GaitSummary, WalkingBout

ID = [("recording_id", pa.string(), False), ("path", pa.string(), False)]
F64 = pa.float64()

EXPECTED: dict[str, list[tuple[str, pa.DataType, bool]]] = {
    "bouts": [
        *ID,
        ("bout_index", pa.int32(), False),
        ("day_index", pa.int32(), False),
        ("date", pa.date32(), True),
        ("start_s", F64, False),
        ("end_s", F64, False),
        ("duration_s", F64, False),
        ("n_steps", pa.int32(), False),
        ("cadence_spm", F64, True),
        ("step_length_m", F64, True),
        ("stride_length_m", F64, True),
        ("step_length_left_m", F64, True),
        ("step_length_right_m", F64, True),
        ("walking_speed_mps", F64, True),
        ("trunk_lean_deg", F64, True),
        ("step_regularity", F64, True),
        ("stride_regularity", F64, True),
        ("symmetry", F64, True),
        ("step_time_cv_pct", F64, True),
        ("pelvis_rotation_deg", F64, True),
        ("pelvis_obliquity_deg", F64, True),
        ("pelvis_tilt_deg", F64, True),
        ("pelvis_strides", pa.int32(), True),
    ],
    "days": [
        *ID,
        ("day_index", pa.int32(), False),
        ("date", pa.date32(), True),
        ("recorded_s", F64, False),
        ("walking_s", F64, False),
        ("n_steps", pa.int64(), False),
        ("n_bouts", pa.int32(), False),
        ("n_bouts_10s", pa.int32(), False),
        ("median_cadence_spm", F64, True),
        ("median_walking_speed_mps", F64, True),
        ("p90_walking_speed_mps", F64, True),
    ],
    "failures": [
        ("recording_id", pa.string(), True),
        ("path", pa.string(), False),
        ("source", pa.string(), False),
        ("error_type", pa.string(), False),
        ("message", pa.string(), False),
        ("failed_at", pa.timestamp("ms", tz="UTC"), False),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_columns_types_and_nullability(name: str) -> None:
    got = [(f.name, f.type, f.nullable) for f in SCHEMAS[name]]
    assert got == EXPECTED[name]


def test_every_column_is_described() -> None:
    for schema in SCHEMAS.values():
        for f in schema:
            assert f.metadata and f.metadata[b"description"], f.name


def test_every_bout_field_of_the_engine_is_a_column() -> None:
    # If GaitResult gains a per-bout field, the bouts table must gain it too.
    assert set(WalkingBout.field_names()) <= set(SCHEMAS["bouts"].names)


def test_recordings_hold_the_engine_summary() -> None:
    schema = SCHEMAS["recordings"]
    summary = set(GaitSummary.field_names()) - {"recording_duration_s"}  # duration_s holds it
    assert summary <= set(schema.names)
    assert schema.field("recording_id").nullable is False
    assert schema.field("warnings").type == pa.list_(pa.string())
    assert schema.field("analysed_at").type == pa.timestamp("ms", tz="UTC")
    assert schema.field("start_time").type == pa.string()
    for name in ("duration_s", "total_walking_s", "p90_walking_speed_mps", "sampling_rate_hz"):
        assert schema.field(name).type == F64
    for name in ("n_bouts", "n_bouts_10s", "n_days", "n_pelvis_strides"):
        assert schema.field(name).type == pa.int32()


def test_empty_results_folder_has_every_table_with_its_schema(tmp_path: Path) -> None:
    store = ResultsFolder(tmp_path).open()
    store.commit(run={"run_id": "x"}, hash_cache={})
    store.close()
    for name, schema in SCHEMAS.items():
        table = pq.read_table(tmp_path / f"{name}.parquet")
        assert table.num_rows == 0
        assert table.schema.equals(schema, check_metadata=False)
        assert (
            pq.read_schema(tmp_path / f"{name}.parquet").field(schema.names[0]).metadata
            == schema.field(schema.names[0]).metadata
        )
