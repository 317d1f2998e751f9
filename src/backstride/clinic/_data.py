"""Read the clinic's data files (rules, thresholds, norms, exercises, cards) shipped in ``clinic/data``.

The files are plain JSON, each citing its sources; they are read once and cached. Nothing here touches the
network or any file outside the package.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """Return the parsed content of ``clinic/data/<name>.json``."""
    text = resources.files("backstride.clinic").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):  # pragma: no cover - the shipped files are objects
        raise TypeError(f"clinic data file {name}.json is not a JSON object")
    return data


def cited(sources: dict[str, str], keys: str | list[str]) -> str:
    """The full reference(s) behind a rule or an exercise of a data file: one key of the file's ``sources``,
    or several (joined with "; ")."""
    return "; ".join(sources[k] for k in ([keys] if isinstance(keys, str) else keys))
