"""Shared helpers of the report tests."""

from __future__ import annotations

import pytest
from tests._results import minute_bout, result_of

from backstride import gait, io, report
from backstride.gait import GaitResult


def synthetic_result(n_bouts: int, duration_s: float) -> GaitResult:
    """Minute-long bouts every 100 s from 2990 s on, all alike."""
    return result_of([minute_bout(2990.0 + 100.0 * i) for i in range(n_bouts)], duration_s)


@pytest.fixture(scope="module")
def analysed() -> tuple[GaitResult, list[gait.VerticalTrace]]:
    """The bundled sample analysed (height 1.59 m), with the vertical traces its report draws."""
    result = gait.analyze(io.read(io.sample_path()), height_m=1.59)
    traces = gait.vertical_traces(io.iter_chunks(io.sample_path()), report.trace_spans(result))
    return result, traces
