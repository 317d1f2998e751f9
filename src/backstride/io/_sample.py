"""The bundled demo recording (see ``backstride/data/NOTICE`` for its source and licence)."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

SAMPLE_NAME = "sample_lowback.csv.gz"


def sample_path() -> Path:
    """Path of the bundled demo recording: 2 minutes of simulated daily life, sensor at L5, 100 Hz.

    Its facts (participant height, sensor height, description) are in ``sample_meta.json`` next to it.
    """
    resource = files("backstride").joinpath("data").joinpath(SAMPLE_NAME)
    with as_file(resource) as path:
        return Path(path)


def sample_meta_path() -> Path:
    """Path of ``sample_meta.json`` (height_m, sensor_height_m, description) of the demo recording."""
    resource = files("backstride").joinpath("data").joinpath("sample_meta.json")
    with as_file(resource) as path:
        return Path(path)
