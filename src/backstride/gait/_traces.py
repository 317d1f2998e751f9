"""Stretches of the vertical trunk acceleration, to look at next to the steps the engine found.

A report that shows where the steps were found lets a therapist or a researcher see at a glance whether
they sit where the trunk bounces: the vertical acceleration (gravity removed) is what the contact detector
reads (:class:`GravityAligner`, then peaks of the vertical signal). Only the stretches asked for are kept
while the recording streams past, so a week-long file costs no more memory than its analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from backstride.gait._filters import FloatArray, moving_average
from backstride.gait._orientation import GravityAligner
from backstride.recording import Recording

# gravity is found with a low-pass of a few seconds' reach; this much signal on each side settles it
_CONTEXT_S = 8.0


@dataclass(frozen=True)
class VerticalTrace:
    """The vertical acceleration (m/s², gravity removed, up positive) from ``start_s`` at ``rate_hz``."""

    start_s: float
    rate_hz: float
    vertical_mps2: FloatArray

    @property
    def time_s(self) -> FloatArray:
        return self.start_s + np.arange(self.vertical_mps2.shape[0]) / self.rate_hz


def vertical_traces(
    chunks: Iterable[Recording], spans_s: Sequence[tuple[float, float]], *, max_rate_hz: float = 50.0
) -> list[VerticalTrace]:
    """The vertical acceleration in each ``(start, end)`` span (seconds of the recording), in the spans' order.

    ``chunks`` is the recording as :func:`backstride.io.iter_chunks` gives it (or one whole
    :class:`Recording` in a list). The signal is averaged down to at most ``max_rate_hz`` (walking lives
    below 5 Hz; a plot needs no more). A span outside the recording gives an empty trace.
    """
    wanted = [(float(a), float(b)) for a, b in spans_s]
    pieces: list[list[FloatArray]] = [[] for _ in wanted]
    firsts: list[float | None] = [None for _ in wanted]
    fs = 0.0
    for chunk in chunks:
        fs = chunk.sampling_rate_hz
        if chunk.n_samples == 0:
            continue
        t0, t1 = float(chunk.time_s[0]), float(chunk.time_s[-1])
        for k, (a, b) in enumerate(wanted):
            lo, hi = a - _CONTEXT_S, b + _CONTEXT_S
            if hi < t0 or lo > t1:
                continue
            i = int(np.searchsorted(chunk.time_s, lo, side="left"))
            j = int(np.searchsorted(chunk.time_s, hi, side="right"))
            if j > i:
                if firsts[k] is None:
                    firsts[k] = float(chunk.time_s[i])
                pieces[k].append(np.asarray(chunk.acc_mps2[i:j], dtype=np.float64))
    out: list[VerticalTrace] = []
    for (a, b), parts, first in zip(wanted, pieces, firsts, strict=True):
        if not parts or first is None:
            out.append(VerticalTrace(a, max_rate_hz, np.zeros(0)))
            continue
        acc = np.concatenate(parts)
        vertical = GravityAligner().align(acc, fs).vertical_
        q = max(int(fs // max_rate_hz), 1)
        if q > 1:
            vertical = moving_average(vertical, q)
        # keep the span itself, on a grid of every q-th sample
        i = max(int(np.ceil((a - first) * fs - 1e-9)), 0)
        j = min(int(np.floor((b - first) * fs + 1e-9)) + 1, vertical.shape[0])
        kept = vertical[i:j:q] if j > i else np.zeros(0)
        out.append(VerticalTrace(first + i / fs, fs / q, np.ascontiguousarray(kept)))
    return out
