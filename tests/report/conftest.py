"""Shared helpers of the report tests."""

from __future__ import annotations

from tests._results import minute_bout, result_of

from backstride.gait import GaitResult


def synthetic_result(n_bouts: int, duration_s: float) -> GaitResult:
    """Minute-long bouts every 100 s from 2990 s on, all alike."""
    return result_of([minute_bout(2990.0 + 100.0 * i) for i in range(n_bouts)], duration_s)
