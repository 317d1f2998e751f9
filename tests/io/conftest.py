"""Synthetic recordings in every format, written to tmp_path.

The signal is walk-like: gravity on x plus a 1.8 Hz step rhythm on every axis, an angular rate of tens of
deg/s, optionally with phone-like jitter in the time stamps.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

G = 9.80665


@dataclass
class Walk:
    t: np.ndarray  # seconds from 0
    acc: np.ndarray  # m/s²
    gyr: np.ndarray  # deg/s


def walk(duration_s: float = 30.0, rate_hz: float = 100.0, jitter_s: float = 0.0, seed: int = 1) -> Walk:
    n = round(duration_s * rate_hz)
    t = np.arange(n) / rate_hz
    if jitter_s:
        rng = np.random.default_rng(seed)
        t = t + rng.uniform(-jitter_s, jitter_s, n)
        t[0] = 0.0
        t = np.sort(t)
    phase = 2 * np.pi * 1.8 * t
    acc = np.column_stack([G + 1.5 * np.sin(phase), 0.6 * np.sin(phase / 2), 0.9 * np.cos(phase)])
    gyr = np.column_stack([25 * np.sin(phase / 2), 40 * np.cos(phase), 15 * np.sin(phase)])
    return Walk(t, acc, gyr)


def write_table(path: Path, header: list[str], columns: list[np.ndarray], *, delimiter: str = ",",
                decimal: str = ".", fmt: str = "%.6f") -> Path:  # fmt: skip
    rows = np.column_stack(columns)
    lines = [delimiter.join(header)]
    for row in rows:
        cells = [fmt % v for v in row]
        if decimal != ".":
            cells = [c.replace(".", decimal) for c in cells]
        lines.append(delimiter.join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def make_csv(tmp_path: Path) -> Callable[..., Path]:
    """A CSV in the reference layout (time_s, acc_*, gyr_* in m/s² and deg/s) from a :func:`walk`."""

    def make(name: str = "walk.csv", w: Walk | None = None, **kwargs: float) -> Path:
        w = w or walk(**kwargs)
        header = ["time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
        return write_table(tmp_path / name, header, [w.t, *w.acc.T, *w.gyr.T])

    return make


def write_sensorlogger_csv(path: Path, t: np.ndarray, xyz: np.ndarray) -> Path:
    """A Sensor Logger sensor file: ``time,seconds_elapsed,z,y,x``, time in ns since 1970 (from 2025-10-09)."""
    ns = (1_760_000_000 * 10**9 + np.round(t * 1e9)).astype(np.int64)
    rows = [f"{n},{s:.6f},{v[2]:.7f},{v[1]:.7f},{v[0]:.7f}" for n, s, v in zip(ns, t, xyz, strict=True)]
    path.write_text("time,seconds_elapsed,z,y,x\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def sensorlogger_zip(path: Path, w: Walk) -> Path:
    """A Sensor Logger export of ``w`` holding only ``TotalAcceleration.csv``, compressed as the app does."""
    member = write_sensorlogger_csv(path.with_suffix(".TotalAcceleration.csv"), w.t, w.acc)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(member, "TotalAcceleration.csv")
    member.unlink()
    return path


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder.parent).as_posix())
    return target


class Synth:
    """The helpers above, handed to tests as a fixture (test modules cannot import conftest)."""

    G = G
    Walk = Walk
    walk = staticmethod(walk)
    write_table = staticmethod(write_table)
    zip_folder = staticmethod(zip_folder)
    write_sensorlogger_csv = staticmethod(write_sensorlogger_csv)
    sensorlogger_zip = staticmethod(sensorlogger_zip)


@pytest.fixture
def synth() -> type[Synth]:
    return Synth
