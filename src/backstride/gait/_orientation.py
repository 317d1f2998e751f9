"""Finding the body frame from the signal itself, so a sensor or phone worn in any orientation works.

* **Vertical** — gravity is the low-frequency part of the measured acceleration (a sensor at rest or moving
  slowly measures only gravity); its direction is the vertical, sample by sample. Projecting the
  acceleration on it gives the vertical acceleration whatever the sensor's orientation (Moe-Nilssen 1998,
  "A new method for evaluating motor control in gait under real-life environmental conditions. Part 1: the
  instrument", Clin Biomech 13:320–327, corrected the tilt this way).
* **Antero-posterior and medio-lateral** — in the horizontal plane, walking rocks the trunk from side to
  side once per stride, while the forward acceleration repeats once per step. The medio-lateral axis is
  the horizontal direction with most power at the stride frequency, the antero-posterior axis is
  perpendicular to it.
* **Forward** — the body vaults over the stance leg like an inverted pendulum: forward speed is lowest when
  the body is highest, so forward acceleration is in anti-phase with vertical velocity (Cavagna, Heglund &
  Taylor 1977, Am J Physiol 233:R243–R261). The sign of that correlation tells forward from backward.
* **Left** — with vertical up and forward known, left = up × forward (a right-handed body frame).
"""

from __future__ import annotations

import numpy as np

from backstride.gait._base import Stage
from backstride.gait._filters import FloatArray, bandpass, lowpass


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
        # = (up_k up - e_k) / s, with e_k the sensor axis furthest from the vertical, s = |up x e_k|
        k = int(np.argmin(np.abs(gravity.sum(axis=0)))) if gravity.shape[0] else 0
        k1, k2 = (k + 1) % 3, (k + 2) % 3
        up_k, up_1, up_2 = (gravity[:, j] / norm for j in (k, k1, k2))
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
        Band holding the stride frequency (side-to-side sway) for the medio-lateral axis.

    Results
    -------
    up_, forward_, left_:
        ``(k, 3)`` unit vectors in the sensor's axes, one row per contact.
    forward_confidence_:
        ``(k,)`` |correlation| between forward acceleration and vertical velocity (0..1); low values mean
        the forward sign is uncertain.
    ml_velocity_:
        ``(k,)`` side-to-side velocity at each contact, m/s, positive to the left: at a left heel strike
        the body is moving onto the left foot.
    """

    def __init__(
        self, *, half_window_s: float = 2.0, stride_band_hz: tuple[float, float] = (0.3, 1.3)
    ) -> None:
        self.half_window_s = half_window_s
        self.stride_band_hz = stride_band_hz

    def fit(
        self, acc_mps2: FloatArray, gravity_mps2: FloatArray, ic_samples: np.ndarray, fs: float
    ) -> BodyFrame:
        k = ic_samples.shape[0]
        n = acc_mps2.shape[0]
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
        for part in np.array_split(np.arange(k), max(1, k // 1024)):
            idx = np.clip(ic_samples[part][:, None] + offsets[None, :], 0, n - 1)  # (m, w)
            up = gravity_mps2[ic_samples[part]]
            up = up / np.linalg.norm(up, axis=1, keepdims=True)
            sw = sway[idx]  # (m, w, 3)
            sw = sw - (sw @ up[:, :, None]) * up[:, None, :]
            cov = sw.transpose(0, 2, 1) @ sw
            _, vecs = np.linalg.eigh(cov)
            ml = vecs[:, :, -1]
            forward = np.cross(ml, up)
            forward /= np.maximum(np.linalg.norm(forward, axis=1, keepdims=True), 1e-12)
            st = step[idx]
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
            self.left_[part] = np.cross(up, forward)
            self.forward_confidence_[part] = np.abs(corr)
            # side-to-side velocity at the contact: the body moves toward the new stance foot
            left = np.cross(up, forward)
            a_ml = (sw @ left[:, :, None])[:, :, 0]
            v_ml = np.cumsum(a_ml, axis=1) / fs
            v_ml -= v_ml.mean(axis=1, keepdims=True)
            self.ml_velocity_[part] = v_ml[:, half]
        return self


def trunk_lean_deg(up: FloatArray, forward: FloatArray) -> FloatArray:
    """Forward lean of the trunk from vertical, degrees, one value per row of ``up``/``forward``.

    The trunk axis is taken as the sensor axis that lies closest to vertical (a sensor worn on a belt or a
    phone clipped at the lower back has one axis along the spine). The lean is the angle of that axis from
    vertical in the sagittal plane, positive when the trunk leans forward. A sensor mounted tilted adds
    its tilt; the pipeline warns when the nearest axis is far from vertical.
    """
    axis = np.argmax(np.abs(up), axis=1)
    rows = np.arange(up.shape[0])
    sign = np.where(up[rows, axis] >= 0, 1.0, -1.0)
    lean: FloatArray = np.degrees(np.arctan2(sign * forward[rows, axis], sign * up[rows, axis]))
    return lean
