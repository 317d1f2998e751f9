"""Where the shared reference recordings are: ``../shared/data`` next to the checkout (never copied in).

A fresh clone made elsewhere (``git clone . /tmp/x``, as CI may do) is not next to ``shared/``; it then looks
next to the repository it was cloned from. ``BACKSTRIDE_SHARED_DATA`` overrides both.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _origin() -> Path | None:
    """The local folder this checkout was cloned from, if it was cloned from a local path."""
    try:
        url = subprocess.run(
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True, text=True, timeout=10, check=False,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    url = url.removeprefix("file://")
    return Path(url).resolve() if url and "://" not in url and ":" not in url.split("/")[0] else None


def find_shared_data() -> Path:
    """The folder holding ``lowback-lab`` and ``lowback-10m`` (the first candidate when none has them)."""
    if os.environ.get("BACKSTRIDE_SHARED_DATA"):
        return Path(os.environ["BACKSTRIDE_SHARED_DATA"])
    candidates = [ROOT.parent / "shared" / "data"]
    origin = _origin()
    if origin is not None:
        candidates.append(origin.parent / "shared" / "data")
    return next((c for c in candidates if (c / "lowback-lab").is_dir()), candidates[0])


SHARED_DATA = find_shared_data()
