"""Acceleration logged in the earth's frame with gravity taken off, turned back into the sensor's own frame.

Movella DOT sensors (formerly Xsens DOT) log, in their sensor-fusion modes, the orientation and the "free
acceleration" and no raw acceleration: the free acceleration is the acceleration in the local earth frame
(east, north, up) from which gravity has been subtracted, and the orientation is that of the sensor's frame in
the earth frame, as a unit quaternion ``Quat_W, Quat_X, Quat_Y, Quat_Z`` (scalar first) or as Euler angles
``Euler_X, Euler_Y, Euler_Z`` in degrees (roll about x, pitch about y, yaw about z, applied in the order z-y-x:
``R = Rz(yaw) · Ry(pitch) · Rx(roll)``, the aerospace sequence of Xsens's Euler angles). Sources: the Movella
DOT User Manual's output definitions (orientation, free acceleration) and the Xsens MTi documentation of the
same quantities (Euler angles, the local earth frame ENU).

What an accelerometer worn there would have measured is the earth-frame acceleration with gravity put back
(``+g`` along up: at rest an accelerometer reads gravity's reaction, upwards) turned into the sensor's frame:
``a_S = Rᵀ · (a_free + g·ẑ)``. The gait analysis then sees the sensor as it was worn, its tilt (the trunk's
lean) included; reading the earth-frame values as they are would put every walk's vertical exactly on one
axis and lose the lean. The magnitude of gravity used is 9.81 m/s²: the engine takes gravity's direction,
not its size, from the signal.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

GRAVITY_UP_MPS2 = 9.81


def _unrotate_quaternion(v: FloatArray, q: FloatArray) -> FloatArray:
    """``Rᵀ v`` for the rotations ``R`` of the unit quaternions ``q`` (``(n, 4)``, w x y z): ``v`` rotated by the
    conjugate quaternion, ``v' = v + w·t + r × t`` with ``t = 2 r × v`` and ``r = −(x, y, z)``."""
    norm = np.sqrt(np.einsum("ij,ij->i", q, q))
    norm[norm == 0] = 1.0  # an all-zero row (a lost sample) stays a lost sample below
    w = q[:, 0] / norm
    r = -q[:, 1:] / norm[:, None]
    t = 2.0 * np.cross(r, v)
    out: FloatArray = v + w[:, None] * t + np.cross(r, t)
    return out


def _unrotate_euler(v: FloatArray, euler_deg: FloatArray) -> FloatArray:
    """``Rᵀ v`` for ``R = Rz(yaw) · Ry(pitch) · Rx(roll)`` (``euler_deg``: ``(n, 3)`` roll, pitch, yaw):
    undone in the opposite order, yaw first."""
    roll, pitch, yaw = (np.radians(euler_deg[:, i]) for i in range(3))
    x, y, z = v[:, 0], v[:, 1], v[:, 2]
    c, s = np.cos(yaw), np.sin(yaw)  # Rz(−yaw)
    x, y = c * x + s * y, -s * x + c * y
    c, s = np.cos(pitch), np.sin(pitch)  # Ry(−pitch)
    x, z = c * x - s * z, s * x + c * z
    c, s = np.cos(roll), np.sin(roll)  # Rx(−roll)
    y, z = c * y + s * z, -s * y + c * z
    return np.column_stack([x, y, z])


def sensor_frame_acceleration(free_acc: FloatArray, orientation: FloatArray) -> FloatArray:
    """The acceleration with gravity in the sensor's frame, from the earth-frame free acceleration
    (``(n, 3)``, east north up, m/s²) and the sensor's orientation: ``(n, 4)`` quaternions (w x y z) or
    ``(n, 3)`` Euler angles (degrees, roll pitch yaw, z-y-x)."""
    earth = np.array(free_acc, dtype=np.float64, copy=True)
    earth[:, 2] += GRAVITY_UP_MPS2
    if orientation.shape[1] == 4:
        return _unrotate_quaternion(earth, orientation)
    return _unrotate_euler(earth, orientation)
