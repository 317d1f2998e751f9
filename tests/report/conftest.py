"""Shared helpers of the report tests."""

from __future__ import annotations

from backstride.gait import GaitResult, GaitSummary, RecordingInfo, Subject, WalkingBout


def synthetic_result(n_bouts: int, duration_s: float) -> GaitResult:
    """Minute-long bouts every 100 s from 2990 s on, all alike."""
    bouts = [
        WalkingBout(
            start_s=2990.0 + 100.0 * i,
            end_s=2990.0 + 100.0 * i + 60.0,
            duration_s=60.0,
            n_steps=100,
            cadence_spm=100.0,
            step_length_m=0.6,
            stride_length_m=1.2,
            walking_speed_mps=1.0,
            trunk_lean_deg=5.0,
            step_regularity=0.8,
            stride_regularity=0.85,
            symmetry=0.94,
            step_time_cv_pct=3.0,
        )
        for i in range(n_bouts)
    ]
    return GaitResult(
        backstride_version="0",
        recording=RecordingInfo(sampling_rate_hz=100.0, duration_s=duration_s, has_gyroscope=False),
        subject=Subject(height_m=1.7, sensor_height_m=1.02, sensor_height_source="from body height"),
        summary=GaitSummary(
            recording_duration_s=duration_s,
            total_walking_s=60.0 * n_bouts,
            n_steps=100 * n_bouts,
            n_bouts=n_bouts,
            longest_bout_s=60.0,
            n_bouts_10s=n_bouts,
            median_cadence_spm=100.0,
            median_walking_speed_mps=1.0,
            median_stride_length_m=1.2,
            median_trunk_lean_deg=5.0,
        ),
        walking_bouts=bouts,
        initial_contacts=[],
    )
