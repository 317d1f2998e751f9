"""JSON text people can read and diff: one field per line, and each item of a list of records on its own line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def json_lines(data: Mapping[str, Any]) -> str:
    """``data`` as JSON text: a key per line; a list of objects gets one object per line (written at the
    speed of the standard library's C encoder)."""
    parts = []
    for name, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            text = "[\n  " + ",\n  ".join(json.dumps(v, ensure_ascii=False) for v in value) + "\n ]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        parts.append(f" {json.dumps(name)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}"
