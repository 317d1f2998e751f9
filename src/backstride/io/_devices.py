"""Files of wearable loggers (binary formats): which module reads each, imported only when such a file is met.

Each device module provides ``looks_like_<name>(path) -> bool`` and ``iter_<name>_raw(path, *, block_samples)``,
which yields the file as consecutive :class:`~backstride.io._raw.RawSignals` blocks (acceleration in g,
angular rate in deg/s, times from the file's first sample with its real gaps), so a week-long file is never
held whole. The registry checks a cheap signature here first, so reading a CSV imports none of them. A
logger's file delivered gzip-compressed is unpacked into a temporary file first (:mod:`backstride.io._gzipped`).

Where the file says where the device was worn (an Axivity's ``_p=right+wrist``, an ActiGraph's ``Limb`` and
``Side``, a GENEActiv's ``Device Location Code``) and that is a limb, the recording starts with a warning: the
figures are measured as from a sensor at the lower back and do not hold for a wrist or an ankle (research
loggers are mostly worn on the wrist). The trunk (back, waist, hip, chest) and an unnamed placement are left
without one.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

from backstride.io._raw import RawSignals, join_raw

DEVICE_FORMATS: dict[str, str] = {
    "axivity": "an Axivity AX3 or AX6 file (.cwa, or .cwa.gz)",
    "actigraph": "an ActiGraph file (.gt3x: GT3X+, wGT3X-BT, GT9X Link; or .gt3x.gz)",
    "geneactiv": "a GENEActiv file (.bin, or .bin.gz)",
    "actilife": "ActiLife's RAW CSV export of an ActiGraph recording (.csv, .csv.gz)",
}

DEVICE_SUFFIXES: tuple[str, ...] = (".cwa", ".gt3x", ".bin")

# placements on a limb, where a sensor does not move with the trunk (whole words: "arm" is not "warm")
_LIMB = re.compile(
    r"\b(wrist|hand|arm|forearm|elbow|ankle|foot|feet|leg|thigh|shank|shin|knee)s?\b", re.IGNORECASE
)


def _module(name: str) -> object:
    return importlib.import_module(f"backstride.io._{name}")


def signature(head: bytes, zipped_names: list[str] | None) -> str | None:
    """The device format a file's first bytes (or ZIP members) suggest, before its reader confirms it."""
    if zipped_names is None and head.startswith(b"PK\x03\x04"):
        return "actigraph"  # a ZIP whose directory is lost (a download cut short): the reader checks it
    if zipped_names is not None:
        lowered = {n.lower() for n in zipped_names}
        if "info.txt" in lowered and lowered & {"log.bin", "activity.bin"}:
            return "actigraph"
        return None
    if head.startswith(b"MD"):
        return "axivity"
    text = head.lstrip(b"\xef\xbb\xbf")
    if text.startswith(b"Device Identity"):
        return "geneactiv"
    if text.startswith(b"---") and b"Data File Created By ActiGraph" in text:
        return "actilife"
    return None


def device_format(path: Path, head: bytes, zipped_names: list[str] | None = None) -> str | None:
    """The device format of ``path`` (``head``: its first bytes; ``zipped_names``: its members if a ZIP)."""
    name = signature(head, zipped_names)
    if name is None:
        return None
    looks_like = cast(Callable[[Path], bool], getattr(_module(name), f"looks_like_{name}"))
    return name if looks_like(path) else None


def iter_device_raw(name: str, path: Path, *, block_samples: int = 1_000_000) -> Iterator[RawSignals]:
    """The file as consecutive blocks of about ``block_samples`` samples."""
    reader = cast(Callable[..., Iterator[RawSignals]], getattr(_module(name), f"iter_{name}_raw"))
    first = True
    for block in reader(path, block_samples=block_samples):
        block.gravity_included = True  # a logger's raw accelerometer always measures gravity
        if first:
            first = False
            note = placement_note(block.metadata)
            if note is not None:
                block.notes.insert(0, note)
        yield block


def placement_note(metadata: dict[str, object]) -> str | None:
    """A warning when the file says the device was worn on a limb (its ``body_location`` or ``location``)."""
    where = metadata.get("body_location") or metadata.get("location")
    if not isinstance(where, str) or not _LIMB.search(where):
        return None
    return (
        f"warning: the file says the device was worn on the {where.strip()}; backstride measures walking from a "
        "sensor at the lower back, so the steps, bouts and gait figures found here do not hold for that placement"
    )


def read_device_raw(name: str, path: Path) -> RawSignals:
    """The whole file as one block."""
    blocks = list(iter_device_raw(name, path))
    if not blocks:
        from backstride._errors import InputError

        raise InputError(f"{path.name} holds no samples")
    return join_raw(blocks)
