"""How far the pelvis turns in each stride, from a gyroscope at the lower back.

People with low back pain tend to walk with a guarded, stiffer trunk and pelvis: the pelvis turns less in
the transverse plane and thorax and pelvis rotate more in phase, where healthy walkers counter-rotate them
(Lamoth et al. 2002, "Pelvis-thorax coordination in the transverse plane during walking in persons with
nonspecific low back pain", Spine 27:E92–E99; Lamoth et al. 2006, "Effects of chronic low back pain on
trunk coordination and back muscle activity during walking", Eur Spine J 15:23–40). One sensor at the
lower back moves with the pelvis and sees none of the thorax, so the coordination itself is out of its
reach; what it measures is the pelvis's own rotation.

A sensor at the sacrum gives the pelvis's angles in gait close to optical motion capture (Bolink et al.
2016, "Validity of an inertial measurement unit to assess pelvic orientation angles during gait, sit-stand
transfers and step-up transfers", Med Eng Phys 38:225–231). Here the angular rate is projected on the body
frame found at the stride's first contact (:class:`BodyFrame`: vertical, forward, left) and integrated
over the stride, from a contact to the next contact of the same foot; the straight line from the angle at
the start to the angle at the end is removed (a turn of the walking path and the gyroscope's bias both
add such a ramp), and the range that remains is the stride's excursion:

* **rotation** — about the vertical axis (transverse plane), the pelvis turning with each leg's swing;
* **obliquity** — about the forward axis (frontal plane), the hip of the swinging leg dropping;
* **tilt** — about the left-right axis (sagittal plane), the pelvis tipping forward and back twice a stride.

Ranges do not depend on the axes' signs, so a forward direction found the wrong way round changes nothing.

A stride in which the walker turns is left out: turning, the pelvis leads the body round and its rotation
range doubles (the 10 m walks' U-turn strides: median 17.6° against 8.4° on the straight), which says
nothing of how freely it moves in walking. Turn detectors threshold the trunk's yaw rate once the gait's own
oscillation is filtered out, and a turn lasts from where that rate rises to where it falls back (El-Gohary et
al. 2014, "Continuous monitoring of turning in patients with movement disability", Sensors 14:356–369). Here
the yaw rate is averaged over one stride's time, which cancels the pelvis's swing (it repeats every stride),
and a stride is a turn when that rate exceeds ``max_turn_dps`` anywhere within it: a stride that runs into a
turn or out of one is left out with it. (Averaged over the stride itself only, such a stride can stay below
the threshold while its range takes in part of the turn: in the lab's daily-life course strides of 34–48°
were kept beside turns, and one recording's median rotation read 27.6°; now at most 14.5°.) On the 10 m walks
the heading of straight strides changes by 1.7° in the median (99th percentile 8.7°, about 8°/s), of the
U-turn's strides by 65° (10th percentile 15°); of the strides further than 1.5 s from the U-turn 12 of 1476
are left out, of those within 1.5 s of it 88 of 397.

A stride whose angular rate was not measured is left out too. A gyroscope reads its sensor's noise beside
the motion, and in walking the rate changes by tens of degrees per second within a tenth of a second: it
never lies on a straight line for long. Where it does (:func:`drawn`), the rate was drawn, not measured: a
reader bridged a pause of the gyroscope by linear interpolation (a phone's gyroscope paused while its
accelerometer went on, a gap in a file) or held its first or last reading over time it did not record
(:mod:`backstride.io._align`), or the columns hold one value throughout (an app that writes 0 for a
gyroscope the phone lacks). Ranges from such a stretch are the line's, not the pelvis's: a pause of 30 s
in a phone's gyroscope took a walk's median rotation from 15.6° to 0.8°.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from backstride.gait._base import Stage
from backstride.gait._filters import FloatArray

# a straight stretch of the angular rate this long is no measurement (a fifth to a third of a stride; a phone's
# dropped samples, bridged over, last a few hundredths of a second); the line's tolerance lies far below any
# gyroscope's resolution (16 bits over ±125°/s: 0.004°/s) and far above rounding (1e-10°/s in a week's time)
DRAWN_MIN_S = 0.25
DRAWN_TOLERANCE_DPS = 1e-6


class PelvisMotion(Stage):
    """Per-stride range of the pelvis's rotation about the body's vertical, forward and left axes.

    Parameters
    ----------
    max_stride_s:
        Longest stride measured (Mobilise-D's stride limit); a pause between two contacts is not a stride.
    max_turn_dps:
        Strides whose heading changes faster than this anywhere within them (degrees per second, averaged
        over one stride's time) are turns and left out.

    Results
    -------
    rotation_deg_, obliquity_deg_, tilt_deg_:
        For each contact asked for, the range (degrees) in the stride it starts (to the second contact
        after it); NaN where that stride is not in the data, too long, a turn, or drawn.
    drawn_:
        For each contact asked for, whether its stride's angular rate was drawn, not measured, in part
        (:func:`drawn`): its ranges are NaN.
    """

    def __init__(self, *, max_stride_s: float = 3.0, max_turn_dps: float = 15.0) -> None:
        self.max_stride_s = max_stride_s
        self.max_turn_dps = max_turn_dps

    def measure(
        self,
        angle_deg: FloatArray,
        ic_samples: npt.NDArray[np.int64],
        at: npt.NDArray[np.int64],
        up: FloatArray,
        forward: FloatArray,
        left: FloatArray,
        fs: float,
        drawn: npt.NDArray[np.bool_] | None = None,
    ) -> PelvisMotion:
        """Measure the strides starting at contacts ``ic_samples[at]``.

        ``angle_deg`` ``(n, 3)`` is the running integral of the angular rate about each sensor axis
        (degrees from any fixed start; :func:`integrated`), sampled at ``fs``; ``up``, ``forward`` and
        ``left`` (``(len(at), 3)``, sensor axes) are the body frame at each of those contacts; ``drawn``
        ``(n,)`` marks the samples of ``angle_deg`` whose angular rate was drawn (:func:`drawn`)."""
        k = at.shape[0]
        out = np.full((k, 3), np.nan)
        unmeasured = np.zeros(k, dtype=bool)
        end_index = at + 2
        has = end_index < ic_samples.shape[0]
        if k and has.any():
            rows = np.flatnonzero(has)
            a = ic_samples[at[rows]]
            e = ic_samples[end_index[rows]]
            length = e - a
            ok = (length > 1) & (length <= self.max_stride_s * fs) & (e < angle_deg.shape[0])
            rows, a, length = rows[ok], a[ok], length[ok]
            if drawn is not None and rows.size:
                marked = np.concatenate(([0], np.cumsum(drawn)))
                in_stride = marked[a + length + 1] - marked[a] > 0
                unmeasured[rows[in_stride]] = True
                rows, a, length = rows[~in_stride], a[~in_stride], length[~in_stride]
            if rows.size:
                angle = np.asarray(angle_deg, dtype=np.float64)
                frame = np.stack([up, forward, left], axis=1)  # (k, 3 axes, 3)
                # strides of similar length side by side (few samples of padding)
                order = np.argsort(length, kind="stable")
                for part in np.array_split(order, max(1, order.size // 512)):
                    ranges = _ranges(angle, a[part], length[part], frame[rows[part]])
                    fastest = _fastest_heading_change_dps(angle, a[part], length[part], up[rows[part]], fs)
                    ranges[fastest > self.max_turn_dps] = np.nan
                    out[rows[part]] = ranges
        self.rotation_deg_ = out[:, 0]
        self.obliquity_deg_ = out[:, 1]
        self.tilt_deg_ = out[:, 2]
        self.drawn_ = unmeasured
        return self


def drawn(gyr_dps: FloatArray, fs: float, q: int = 1, first: int = 0) -> npt.NDArray[np.bool_]:
    """Which samples of the angular rate lie in a stretch of at least ``DRAWN_MIN_S`` where it is a straight
    line in time on every axis (a constant is one): drawn there, not measured (see the module's notes).
    Judged on every ``q``-th sample from ``first``, those :func:`integrated` takes the angle at: a line
    stays a line at any spacing, and a measured rate, its noise with it, bends."""
    rates = np.ascontiguousarray(np.asarray(gyr_dps, dtype=np.float64)[first::q].T)  # (3, m): rows are fast
    m = rates.shape[1]
    length = max(round(DRAWN_MIN_S * fs / q), 3)  # samples in the shortest drawn stretch
    out = np.zeros(m, dtype=bool)
    if m < length:
        return out
    # second differences: zero along a line; a stretch of `length` samples holds length - 2 of them
    bends = np.abs(np.diff(rates, n=2, axis=1))
    bent = np.maximum(np.maximum(bends[0], bends[1]), bends[2]) > DRAWN_TOLERANCE_DPS
    counted = np.concatenate(([0], np.cumsum(bent)))
    starts = np.flatnonzero(counted[length - 2 :] - counted[: m - length + 1] == 0)
    if starts.size:  # each sample: does a straight stretch start within `length` samples before it?
        begins = np.zeros(m, dtype=np.int64)
        begins[starts] = 1
        begun = np.concatenate(([0], np.cumsum(begins)))
        ends = np.arange(1, m + 1)
        out = np.asarray(begun[ends] - begun[np.maximum(ends - length, 0)] > 0, dtype=np.bool_)
    return out


def integrated(gyr_dps: FloatArray, fs: float, q: int = 1, first: int = 0) -> FloatArray:
    """The running integral of the angular rate (degrees since the first sample; rectangle rule at the
    full rate), taken at every ``q``-th sample from ``first``: integration is itself a low-pass, so the
    angle needs no other anti-alias filter to be taken at a lower rate."""
    angle: FloatArray = np.cumsum(np.asarray(gyr_dps, dtype=np.float64), axis=0)[first::q] / fs
    return angle


def _fastest_heading_change_dps(
    angle: FloatArray, start: np.ndarray, length: np.ndarray, up: FloatArray, fs: float
) -> FloatArray:
    """For each stride (``start``, ``length`` in samples, its vertical ``up``), the fastest change of heading,
    degrees per second, over any one stride's time centred within it: the heading's change from half a stride
    before each of its samples to half a stride after. Averaged over a whole stride, the pelvis's own swing,
    which repeats every stride, cancels, and what is left is the walker's turning; taken at every sample of the
    stride, a stride that runs into a turn or out of one shows the turn's rate where it meets it."""
    half = np.maximum(length // 2, 1)
    steps = np.arange(int(length.max()) + 1)
    at = np.minimum(start[:, None] + steps[None, :], (start + length)[:, None])  # (m, w), padded with the end
    last = angle.shape[0] - 1
    lo = np.clip(at - half[:, None], 0, last)
    hi = np.clip(at + half[:, None], 0, last)
    heading = np.einsum("mwj,mj->mw", angle[hi] - angle[lo], up)
    span_s = np.maximum(hi - lo, 1) / fs
    fastest: FloatArray = np.abs(heading / span_s).max(axis=1)
    return fastest


def _ranges(angle: FloatArray, start: np.ndarray, length: np.ndarray, frame: FloatArray) -> FloatArray:
    """``(m, 3)`` ranges, about the frame's three axes, of the angle over ``start .. start + length``, less
    the straight line from its start to its end."""
    steps = np.arange(int(length.max()) + 1)
    # the shorter strides are padded with their last sample
    idx = np.minimum(start[:, None] + steps[None, :], (start + length)[:, None])
    body = angle[idx] @ frame.transpose(0, 2, 1)  # (m, w, 3): about up, forward, left
    body -= body[:, :1, :]
    # less the line from start to end: 0 at both ends, and so at the padding, which then changes neither
    # the maximum nor the minimum
    ramp = np.minimum(steps[None, :] / length[:, None], 1.0)
    body -= ramp[:, :, None] * body[:, -1:, :]
    # each axis's samples made contiguous first: numpy's max and min along the middle axis of a (m, w, 3)
    # array step 3 values at a time and took ten times as long as the copy and the reductions together
    by_axis = np.ascontiguousarray(body.transpose(0, 2, 1))  # (m, 3, w)
    out: FloatArray = by_axis.max(axis=2) - by_axis.min(axis=2)
    return out
