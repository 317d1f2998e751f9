"""Finding the body frame from the signal itself, so a sensor or phone worn in any orientation works.

* **Vertical** — gravity is the low-frequency part of the measured acceleration (a sensor at rest or moving
  slowly measures only gravity); its direction is the vertical, sample by sample. Projecting the
  acceleration on it gives the vertical acceleration whatever the sensor's orientation (Moe-Nilssen 1998,
  "A new method for evaluating motor control in gait under real-life environmental conditions. Part 1: the
  instrument", Clin Biomech 13:320–327, corrected the tilt this way).
* **Antero-posterior and medio-lateral** — in the horizontal plane, the trunk sways toward the stance foot,
  so the side-to-side movement reverses at every step while the forward movement repeats (the
  medio-lateral autocorrelation is negative at one step, the antero-posterior one positive; Moe-Nilssen &
  Helbostad 2004, J Biomech 37:121–126). The medio-lateral axis is the horizontal direction in which the
  movement's correlation with itself one step later is lowest; the antero-posterior axis is perpendicular
  to it. (The direction with most power at the stride frequency, the fallback where nothing reverses,
  takes the forward axis for the side-to-side one when the forward movement is strong: on the 10 m walks
  it named the feet right 61 % of the time, the reversing direction 76 %.)
* **Forward** — the body vaults over the stance leg like an inverted pendulum: forward speed is lowest when
  the body is highest, so forward acceleration is in anti-phase with vertical velocity (Cavagna, Heglund &
  Taylor 1977, Am J Physiol 233:R243–R261). The sign of that correlation tells forward from backward.
* **Agreed over time** — the sensor is fixed to the trunk, so the forward direction stays put in its axes
  while it is worn the same way: each contact takes the direction its neighbours with a clear sign agree on
  (one contact's own estimate can point sideways in a turn, or backwards in very slow walking).
* **Left** — with vertical up and forward known, left = up × forward (a right-handed body frame).
* **Which foot** — at a heel strike the body moves toward the new stance foot, so the side-to-side velocity
  at the contact names the foot. The trunk also rolls from side to side with every stride (a few degrees),
  and a tilted accelerometer measures part of gravity along its side-to-side axis: g·θ for a roll of θ
  radians about the forward axis, as large as the sway itself in some walkers, and in some of them of the
  opposite phase, naming every foot of a walk wrong. With a gyroscope the roll is known (the integral of
  the angular rate about the forward axis) and its gravity is taken off before the velocity is formed, as
  an orientation-tracking IMU removes gravity (Kose, Cereatti & Della Croce 2012, J NeuroEng Rehabil 9:9,
  pelvis acceleration in a frame from the sensor's orientation). On the 10 m walks the feet named right
  rose from 86 % to 92 %; without a gyroscope the accelerometer's own velocity is used.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from backstride.gait._base import Stage
from backstride.gait._filters import FloatArray, bandpass, lowpass
from backstride.gait._sway import least_lag_correlation
from backstride.recording import GRAVITY_MPS2

if TYPE_CHECKING:
    from backstride.gait._result import Foot


class GravityAligner(Stage):
    """Estimate gravity by low-pass filtering and return the dynamic vertical acceleration.

    Parameters
    ----------
    cutoff_hz:
        Low-pass cut-off separating gravity (and slow posture changes) from movement. At 0.16 Hz the
        triangular filter's first zero falls at 0.5 Hz, below the step rhythm of even very slow gait.

    Results
    -------
    gravity_:
        ``(n, 3)`` gravity estimate in m/s², sensor axes.
    vertical_:
        ``(n,)`` vertical acceleration with gravity removed, m/s², up positive.
    horizontal_:
        ``(n, 2)`` acceleration in the horizontal plane along two perpendicular directions whose azimuth
        is arbitrary (fixed for the call), m/s²: what depends only on the horizontal movement, not on the
        direction of walking, can be read from it before the walking direction is known.
    """

    def __init__(self, *, cutoff_hz: float = 0.16) -> None:
        self.cutoff_hz = cutoff_hz

    def align(self, acc_mps2: FloatArray, fs: float) -> GravityAligner:
        gravity = lowpass(acc_mps2, self.cutoff_hz, fs, axis=0)
        norm = np.sqrt(np.einsum("ij,ij->i", gravity, gravity))
        norm = np.where(norm > 1e-6, norm, 1.0)
        along_up = np.einsum("ij,ij->i", acc_mps2, gravity) / norm
        self.gravity_ = gravity
        self.vertical_ = along_up - norm
        # two horizontal directions, sample by sample: east = up x e_k / s and north = up x east
        # = (up_k up - e_k) / s, s = |up x e_k|, with e_k the sensor axis that comes least close to vertical
        # in this stretch (not the one furthest from the mean vertical: a phone turned upside down halfway
        # has a mean vertical near zero, and an axis along gravity would make the directions jitter)
        # (the unit vertical column by column: numpy's max down a (n, 3) array's first axis took 20 times
        # as long as over its three columns one by one)
        up = [gravity[:, j] / norm for j in range(3)]
        k = int(np.argmin([np.abs(u).max() for u in up])) if gravity.shape[0] else 0
        k1, k2 = (k + 1) % 3, (k + 2) % 3
        up_k, up_1, up_2 = up[k], up[k1], up[k2]
        s = np.sqrt(np.maximum(1.0 - up_k * up_k, 1e-12))
        self.horizontal_ = np.empty((acc_mps2.shape[0], 2))
        self.horizontal_[:, 0] = (up_2 * acc_mps2[:, k1] - up_1 * acc_mps2[:, k2]) / s
        self.horizontal_[:, 1] = (up_k * along_up - acc_mps2[:, k]) / s
        return self


class BodyFrame(Stage):
    """The walking body frame around each initial contact: up, forward and left unit vectors in sensor axes.

    Each contact gets its own frame from the samples within ``half_window_s`` of it, so a sensor that
    turns with the body (a phone in a pocket) is followed, and a chunk of a long recording gives exactly
    the frames the whole recording would.

    Parameters
    ----------
    half_window_s:
        Half-width of the window around each contact, s.
    stride_band_hz:
        Band holding the stride frequency (side-to-side sway): the side-to-side velocity at each contact,
        and the medio-lateral axis where the movement does not clearly reverse after a step.
    vote_window_s, vote_confidence:
        The forward direction at each contact is the one the contacts within ``vote_window_s`` agree on,
        counting those whose inverted-pendulum sign is clear (correlation at least ``vote_confidence``;
        :meth:`_consensus`). The window must stay within the pipeline's block margin, so a long recording
        gets the frames one pass would.

    Results
    -------
    up_, forward_, left_:
        ``(k, 3)`` unit vectors in the sensor's axes, one row per contact.
    forward_confidence_:
        ``(k,)`` |correlation| between forward acceleration and vertical velocity (0..1); low values mean
        the forward sign is uncertain.
    ml_velocity_:
        ``(k,)`` side-to-side velocity at each contact, m/s, positive to the left: at a left heel strike
        the body is moving onto the left foot; with ``angle_deg`` given to :meth:`fit`, without the gravity
        the trunk's roll adds to the side-to-side axis.
    """

    def __init__(
        self,
        *,
        half_window_s: float = 2.0,
        stride_band_hz: tuple[float, float] = (0.3, 1.3),
        vote_window_s: float = 25.0,
        vote_confidence: float = 0.4,
    ) -> None:
        self.half_window_s = half_window_s
        self.stride_band_hz = stride_band_hz
        self.vote_window_s = vote_window_s
        self.vote_confidence = vote_confidence

    def fit(
        self,
        acc_mps2: FloatArray,
        gravity_mps2: FloatArray,
        ic_samples: np.ndarray,
        fs: float,
        *,
        step_samples: np.ndarray | None = None,
        angle_deg: FloatArray | None = None,
    ) -> BodyFrame:
        """Fit a frame at each contact; ``step_samples`` is the step at each contact, in samples (default:
        :func:`step_lags` of ``ic_samples``; a block of a long recording passes the steps it found with its
        neighbours, so the frames do not depend on where the block was cut). ``angle_deg`` ``(n, 3)``, the
        running integral of the angular rate (:func:`~backstride.gait._pelvis.integrated`), takes the
        gravity of the trunk's roll off the side-to-side velocity."""
        k = ic_samples.shape[0]
        n = acc_mps2.shape[0]
        if angle_deg is not None and angle_deg.shape[0] != n:
            raise ValueError(f"angle_deg has {angle_deg.shape[0]} samples, the acceleration {n}")
        self.up_ = np.zeros((k, 3))
        self.forward_ = np.zeros((k, 3))
        self.left_ = np.zeros((k, 3))
        self.forward_confidence_ = np.zeros(k)
        self.ml_velocity_ = np.zeros(k)
        if k == 0 or n < 4:
            return self
        dyn = acc_mps2 - gravity_mps2
        sway = bandpass(dyn, self.stride_band_hz[0], self.stride_band_hz[1], fs, axis=0)
        step = bandpass(dyn, 0.6, 3.0, fs, axis=0)
        half = round(self.half_window_s * fs)
        offsets = np.arange(-half, half + 1)
        lags = step_lags(ic_samples, fs) if step_samples is None else np.asarray(step_samples)
        for part in np.array_split(np.arange(k), max(1, k // 1024)):
            idx = np.clip(ic_samples[part][:, None] + offsets[None, :], 0, n - 1)  # (m, w)
            up = gravity_mps2[ic_samples[part]]
            up = up / np.linalg.norm(up, axis=1, keepdims=True)
            st = step[idx]  # (m, w, 3)
            ml = _reversing_direction(st, up, lags[part])
            unclear = np.flatnonzero(np.isnan(ml[:, 0]))
            if unclear.size:  # no clear reversal: the direction of most sway (in the horizontal plane)
                sw, up_u = sway[idx[unclear]], up[unclear]
                sw = sw - (sw @ up_u[:, :, None]) * up_u[:, None, :]
                cov = sw.transpose(0, 2, 1) @ sw
                ml[unclear] = np.linalg.eigh(cov)[1][:, :, -1]
            forward = np.cross(ml, up)
            forward /= np.maximum(np.linalg.norm(forward, axis=1, keepdims=True), 1e-12)
            vert = (st @ up[:, :, None])[:, :, 0]
            vel = np.cumsum(vert, axis=1) / fs
            vel -= vel.mean(axis=1, keepdims=True)
            a_fw = (st @ forward[:, :, None])[:, :, 0]
            a_fw -= a_fw.mean(axis=1, keepdims=True)
            num = np.einsum("mw,mw->m", vel, a_fw)
            den = np.sqrt(np.einsum("mw,mw->m", vel, vel) * np.einsum("mw,mw->m", a_fw, a_fw))
            corr = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
            # inverted pendulum: forward acceleration is in anti-phase with vertical velocity
            forward = np.where((corr > 0)[:, None], -forward, forward)
            self.up_[part] = up
            self.forward_[part] = forward
            self.forward_confidence_[part] = np.abs(corr)
        self.forward_ = self._consensus(ic_samples / fs)
        self.left_ = np.cross(self.up_, self.forward_)
        # the roll's oscillation in the sway band, radians: it leaks g·θ into the side-to-side axis
        roll = (
            None
            if angle_deg is None
            else bandpass(np.radians(angle_deg), self.stride_band_hz[0], self.stride_band_hz[1], fs, axis=0)
        )
        # side-to-side velocity at the contact: the body moves toward the new stance foot
        v_ml = np.einsum("kd,kd->k", window_velocity(sway, ic_samples, half, fs), self.left_)
        if roll is not None:
            v_ml -= GRAVITY_MPS2 * np.einsum(
                "kd,kd->k", window_velocity(roll, ic_samples, half, fs), self.forward_
            )
        self.ml_velocity_ = v_ml
        return self

    def _consensus(self, times_s: FloatArray) -> FloatArray:
        """Each contact's forward direction as the contacts around it agree on it.

        The sensor is fixed to the trunk, so the forward direction stays put in the sensor's axes while it is
        worn the same way, whichever way the walker turns. One contact's own estimate can be far off: the
        inverted-pendulum sign is clear in ordinary walking (correlation 0.6-0.9) but weak in very slow
        walking and in turns (0.2-0.3 on the laboratory courses, where a whole slow bout came out backwards:
        a trunk leaning 32° forward read as 32° back, every foot named the other one), and in turns the
        reversing sway can point the axis sideways. Each contact takes the mean of the forward directions
        within ``vote_window_s`` whose sign is clear (correlation at least ``vote_confidence``), weighted by
        that correlation, among those worn the same way (vertical within 20° of its own: a phone put back
        another way tilts it), made horizontal; where none is clear it keeps its own.
        """
        k = times_s.shape[0]
        forward = self.forward_
        if k < 2:
            return forward
        lo = np.searchsorted(times_s, times_s - self.vote_window_s, side="left")
        hi = np.searchsorted(times_s, times_s + self.vote_window_s, side="right")
        width = int((hi - lo).max())
        out = forward.copy()
        for part in np.array_split(np.arange(k), max(1, k // 1024)):
            idx = lo[part][:, None] + np.arange(width)[None, :]
            inside = idx < hi[part][:, None]
            idx = np.minimum(idx, k - 1)
            up = self.up_[part]
            worn_alike = np.einsum("kd,kwd->kw", up, self.up_[idx]) >= math.cos(math.radians(20.0))
            confidence = self.forward_confidence_[idx]
            weight = np.where(inside & worn_alike & (confidence >= self.vote_confidence), confidence, 0.0)
            mean = np.einsum("kw,kwd->kd", weight, forward[idx])
            mean -= np.einsum("kd,kd->k", mean, up)[:, None] * up  # horizontal
            size = np.linalg.norm(mean, axis=1)
            agreed = size > 1e-6
            out[part[agreed]] = mean[agreed] / size[agreed, None]
        return out


def window_velocity(x: FloatArray, at: np.ndarray, half: int, fs: float) -> FloatArray:
    """``(k, d)``: for each sample ``at``, the running integral of ``x`` ``(n, d)`` over the window of
    ``half`` samples either side (edges held at the first and last sample), taken at its centre, less its
    mean over the window — the velocity at the centre of an acceleration whose velocity averages zero there.

    Read from two prefix sums of the whole signal instead of gathering every window: with ``C1`` the sums
    of the samples before ``i`` and ``C2`` the sums of ``C1`` before ``i``, a window starting at ``s`` of
    width ``w`` gives ``(C1[s + half + 1] - (C2[s + w + 1] - C2[s + 1]) / w) / fs``.
    """
    # a non-finite sample (the readers let none through) counts as no movement instead of spoiling the sums
    # of every later window, as it would in a prefix sum (cleaned in the padded array, which is built in place:
    # no copies of the signal on the way)
    n, d = x.shape
    padded = np.empty((n + 2 * half, d))
    padded[:half] = x[0]
    padded[half : half + n] = x
    padded[half + n :] = x[-1]
    np.nan_to_num(padded, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    c1 = np.zeros((padded.shape[0] + 1, d))
    np.cumsum(padded, axis=0, out=c1[1:])
    c2 = np.zeros((padded.shape[0] + 2, d))
    np.cumsum(c1, axis=0, out=c2[1:])
    s = np.clip(np.asarray(at, dtype=np.int64), 0, n - 1)  # the window's start in ``padded``
    w = 2 * half + 1
    out: FloatArray = (c1[s + half + 1] - (c2[s + w + 1] - c2[s + 1]) / w) / fs
    return out


def alternating_feet(
    ml_velocity: FloatArray,
    times_s: FloatArray,
    *,
    agreement: float = 0.8,
    repeat: float = 0.05,
    max_step_s: float = 1.5,
) -> list[Foot]:
    """Which foot made each contact of a walk, from the side-to-side velocity at the contacts.

    At a heel strike the body is moving toward the new stance foot, so the sign of ``ml_velocity`` (positive
    to the left) names the foot; feet alternate. The most likely sequence (Viterbi) is taken under two
    assumptions: the velocity's sign names the right foot with probability ``agreement``, and consecutive
    contacts are made by the same foot with probability ``repeat`` (a contact missed or added in a turn);
    after a break longer than ``max_step_s`` either foot may come next. One vote over a whole bout, which
    this replaces, lost the count at the first missed contact: on the 10 m walks with their U-turn it named
    61 % of the feet right (76 % with the frame from the reversing sway), this 85 % (86 % with the forward
    direction agreed over 25 s, :meth:`BodyFrame._consensus`).
    """
    v = np.asarray(ml_velocity, dtype=float)
    n = v.shape[0]
    if n == 0:
        return []
    # log-probabilities; two states (0 = left, 1 = right), plain floats (numpy is slow on pairs)
    hit, miss = math.log(agreement), math.log(1.0 - agreement)
    same, swap = math.log(repeat), math.log(1.0 - repeat)
    free = math.log(0.5)
    says_left = (v > 0).tolist()
    breaks = (np.diff(np.asarray(times_s, dtype=float)) > max_step_s).tolist()
    left, right = (hit, miss) if says_left[0] else (miss, hit)
    from_left = [False] * n  # per contact and state: whether the best path came from "left"
    from_right = [False] * n
    for i in range(1, n):
        keep, cross = (free, free) if breaks[i - 1] else (same, swap)
        to_left_from_left = left + keep >= right + cross
        to_right_from_left = left + cross >= right + keep
        new_left = (left + keep if to_left_from_left else right + cross) + (hit if says_left[i] else miss)
        new_right = (left + cross if to_right_from_left else right + keep) + (miss if says_left[i] else hit)
        from_left[i], from_right[i] = to_left_from_left, to_right_from_left
        left, right = new_left, new_right
    state = [0] * n
    state[-1] = 0 if left >= right else 1
    for i in range(n - 1, 0, -1):
        came_from_left = from_left[i] if state[i] == 0 else from_right[i]
        state[i - 1] = 0 if came_from_left else 1
    names: tuple[Foot, Foot] = ("left", "right")
    return [names[k] for k in state]


def step_lags(ic_samples: np.ndarray, fs: float) -> np.ndarray:
    """One step, in samples, at each contact: the shorter of its two neighbouring steps (0.25-1.5 s)."""
    k = ic_samples.shape[0]
    d = np.diff(ic_samples).astype(float)
    prev = np.concatenate([[np.inf], d])
    nxt = np.concatenate([d, [np.inf]])
    lag = np.minimum(prev, nxt) if k > 1 else np.full(k, 0.55 * fs)
    return np.clip(np.round(lag), round(0.25 * fs), round(1.5 * fs)).astype(np.int64)


def _reversing_direction(st: FloatArray, up: FloatArray, lags: np.ndarray) -> FloatArray:
    """The horizontal direction in which the movement reverses after one step, per window.

    ``st`` ``(m, w, 3)`` band-passed acceleration around each contact, ``up`` ``(m, 3)``, ``lags`` ``(m,)``.
    The side-to-side sway reverses at every step while the forward and vertical movement repeat (the
    medio-lateral autocorrelation is negative at one step; Moe-Nilssen & Helbostad 2004): the direction is
    the generalised eigenvector of the least eigenvalue of the one-step lag covariance against the
    covariance, in the horizontal plane. Rows where the movement does not reverse (least eigenvalue not
    below -0.2) or is flat are NaN.
    """
    m = st.shape[0]
    axis = np.argmin(np.abs(up), axis=1)
    ek = np.zeros((m, 3))
    ek[np.arange(m), axis] = 1.0
    e1 = np.cross(up, ek)
    e1 /= np.maximum(np.linalg.norm(e1, axis=1, keepdims=True), 1e-12)
    e2 = np.cross(up, e1)
    x = (st @ e1[:, :, None])[:, :, 0]
    y = (st @ e2[:, :, None])[:, :, 0]
    lam, direction, flat = least_lag_correlation(x, y, lags)
    ml: FloatArray = direction[:, :1] * e1 + direction[:, 1:] * e2
    ml[flat | (lam > -0.2)] = np.nan
    return ml


def trunk_lean_deg(up: FloatArray, forward: FloatArray) -> FloatArray:
    """Lean of the trunk from vertical, degrees, one value per row of ``up``/``forward``.

    The trunk axis is taken as the sensor axis that lies closest to vertical (a sensor worn on a belt or a
    phone clipped at the lower back has one axis along the spine). The lean is that axis's angle from
    vertical, positive when its top points forward, negative when backward. The whole angle is taken, not
    only its part in the sagittal plane: that part needs the walking direction, whose error of φ shrinks it
    by cos φ (on the laboratory recordings, whose sensor axes are known, the sagittal part read 5.6° below
    the axes' forward tilt on average per bout; the whole angle 1.2° off), while a sideways lean of the lower back
    is small. A sensor mounted tilted adds its tilt; the pipeline warns when the nearest axis is far from
    vertical.
    """
    axis = np.argmax(np.abs(up), axis=1)
    rows = np.arange(up.shape[0])
    along = np.abs(up[rows, axis])
    sign = np.where(up[rows, axis] >= 0, 1.0, -1.0)
    ahead = np.where(sign * forward[rows, axis] >= 0, 1.0, -1.0)
    lean: FloatArray = ahead * np.degrees(np.arccos(np.clip(along, 0.0, 1.0)))
    return lean
