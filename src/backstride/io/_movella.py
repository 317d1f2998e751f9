"""Movella DOT exports (formerly Xsens DOT): what their columns mean, and their free acceleration turned back
into the sensor's frame.

The Movella DOT app writes a sensor's recording as a CSV file with lines of its own above the names
(``DeviceTag:,1``, ``FirmwareVersion:,3.0.0``, ``OutputRate:,60Hz`` ..., a copyright line; read as a preamble by
:mod:`backstride.io._csvlayout`), a 16-bit ``PacketCounter`` and ``SampleTimeFine``, the sensor's clock in
microseconds, an unsigned 32-bit count that wraps every 71.6 minutes. Its custom modes log the raw
acceleration and angular rate (``Acc_X`` ..., ``Gyr_X`` ...), read as any table's. Its sensor-fusion modes log
no raw acceleration: the orientation and the "free acceleration", the acceleration in the local earth frame
(east, north, up) from which gravity has been subtracted. The orientation is that of the sensor's frame in the
earth frame, as a unit quaternion ``Quat_W, Quat_X, Quat_Y, Quat_Z`` (scalar first) or as Euler angles
``Euler_X, Euler_Y, Euler_Z`` in degrees (roll about x, pitch about y, yaw about z, applied in the order z-y-x:
``R = Rz(yaw) · Ry(pitch) · Rx(roll)``, the aerospace sequence of Xsens's Euler angles). Sources: the Movella
DOT User Manual's output definitions (orientation, free acceleration, SampleTimeFine) and the Xsens MTi
documentation of the same quantities (Euler angles, the local earth frame ENU).

What an accelerometer worn there would have measured is the earth-frame acceleration with gravity put back
(``+g`` along up: at rest an accelerometer reads gravity's reaction, upwards) turned into the sensor's frame:
``a_S = Rᵀ · (a_free + g·ẑ)``. The gait analysis then sees the sensor as it was worn, its tilt (the trunk's
lean) included; reading the earth-frame values as they are would put every walk's vertical exactly on one
axis and lose the lean. The magnitude of gravity used is 9.81 m/s²: the engine takes gravity's direction,
not its size, from the signal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from backstride._errors import InputError

FloatArray = npt.NDArray[np.float64]

SAMPLE_TIME_FINE = "sampletimefine"  # the column's key (its name without case and punctuation)
SAMPLE_TIME_FINE_WRAP = 2.0**32
FREE_ACC_KEYS = (("freeaccx", "freeaccy", "freeaccz"), ("freeacce", "freeaccn", "freeaccu"))
ORIENTATION_KEYS = (("quatw", "quatx", "quaty", "quatz"), ("eulerx", "eulery", "eulerz"))
GRAVITY_UP_MPS2 = 9.81


def movella_device(lines: Sequence[str]) -> str | None:
    """ "Movella DOT, tag 1, firmware 3.0.0" from a Movella DOT export's lines above the names, else None."""
    said: dict[str, str] = {}
    for line in lines:
        key, _, value = line.partition(":")
        said[re.sub(r"\W", "", key).lower()] = value.strip().strip(",;\t").strip()
    if "devicetag" not in said:
        return None
    firmware = said.get("firmwareversion")
    return f"Movella DOT, tag {said['devicetag'] or 'not set'}" + (
        f", firmware {firmware}" if firmware else ""
    )


def free_acceleration(
    keys: Sequence[str], source: str
) -> tuple[tuple[int, int, int] | None, tuple[int, ...] | None]:
    """Movella DOT's free acceleration (``FreeAcc_X`` ... or ``FreeAcc_E/N/U``) and the orientation columns
    that turn it into the sensor's frame (a quaternion, else Euler angles); ``(None, None)`` without it."""
    free = next((axes for axes in FREE_ACC_KEYS if all(k in keys for k in axes)), None)
    if free is None:
        return None, None
    orientation = next((cols for cols in ORIENTATION_KEYS if all(k in keys for k in cols)), None)
    if orientation is None:
        raise InputError(
            f"{source} holds free acceleration (the earth's frame, gravity taken off) without the sensor's "
            "orientation, which cannot be used: the gait analysis needs the acceleration in the sensor's own "
            "frame; record in a mode that logs the orientation (Euler angles or quaternion) with it, or the "
            "acceleration itself (Acc_X, Acc_Y, Acc_Z)"
        )
    return (keys.index(free[0]), keys.index(free[1]), keys.index(free[2])), tuple(
        keys.index(k) for k in orientation
    )


def time_wrap_of(keys: Sequence[str], time_index: int) -> float | None:
    """What the time column counts modulo, in its own unit: SampleTimeFine's 2**32 µs, else None."""
    return SAMPLE_TIME_FINE_WRAP if time_index >= 0 and keys[time_index] == SAMPLE_TIME_FINE else None


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
    # an infinite angle or quaternion (a damaged cell) gives that row no value, quietly: a missing sample,
    # filled or refused as any other
    with np.errstate(invalid="ignore", over="ignore"):
        if orientation.shape[1] == 4:
            return _unrotate_quaternion(earth, orientation)
        return _unrotate_euler(earth, orientation)
