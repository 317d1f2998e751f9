"""Hand-made gait results for tests of what is drawn and printed from them (not of the engine)."""

from __future__ import annotations

from statistics import median

from backstride.gait import GaitResult, GaitSummary, RecordingInfo, Subject, WalkingBout


def minute_bout(start_s: float, cadence: float = 100.0, speed_mps: float = 1.0) -> WalkingBout:
    """A steady bout of one minute from ``start_s``."""
    return WalkingBout(
        start_s=start_s, end_s=start_s + 60.0, duration_s=60.0, n_steps=round(cadence), cadence_spm=cadence,
        step_length_m=0.6, stride_length_m=1.2, walking_speed_mps=speed_mps, trunk_lean_deg=5.0,
        step_regularity=0.8, stride_regularity=0.85, symmetry=0.94, step_time_cv_pct=3.0,
    )  # fmt: skip


def result_of(bouts: list[WalkingBout], duration_s: float, start_time: str | None = None) -> GaitResult:
    """A result holding ``bouts``, its summary worked out from them (all are 10 s or longer)."""

    def med(values: list[float | None]) -> float | None:
        given = [v for v in values if v is not None]
        return median(given) if given else None

    return GaitResult(
        backstride_version="0",
        recording=RecordingInfo(
            sampling_rate_hz=100.0, duration_s=duration_s, has_gyroscope=False, start_time=start_time
        ),
        subject=Subject(height_m=1.7, sensor_height_m=1.02, sensor_height_source="from body height"),
        summary=GaitSummary(
            recording_duration_s=duration_s,
            total_walking_s=sum(b.duration_s for b in bouts),
            n_steps=sum(b.n_steps for b in bouts),
            n_bouts=len(bouts),
            longest_bout_s=max((b.duration_s for b in bouts), default=None),
            n_bouts_10s=len(bouts),
            median_cadence_spm=med([b.cadence_spm for b in bouts]),
            median_walking_speed_mps=med([b.walking_speed_mps for b in bouts]),
            median_stride_length_m=med([b.stride_length_m for b in bouts]),
            median_trunk_lean_deg=med([b.trunk_lean_deg for b in bouts]),
        ),
        walking_bouts=bouts,
        initial_contacts=[],
    )
