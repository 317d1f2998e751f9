"""Which activity file a file is, from its signature: the one place that tells them apart, for
:func:`~backstride.activity.read_activity` to pick its reader and for the recording readers to name an activity
file given to them (an Apple Health ``export.zip`` or a Garmin ``.fit`` handed to ``backstride analyze``, or
uploaded as a recording, is named for what it is rather than called "not a recording").

Only the signatures are looked at, never the whole file:

* a FIT file has ``.FIT`` at bytes 8–11 of its header (Garmin's *FIT Protocol*, "File Header"), also
  inside a gzip file (Garmin Connect's ``.fit.gz``);
* an Apple Health export is XML holding ``<HealthData`` (after a DTD of some 10–20 kB), a ZIP holding
  ``apple_health_export/`` and XML in it, or the unzipped folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

from backstride._errors import ActivityFileError
from backstride.activity._apple import EXPORT_MEMBER, SNIFF_BYTES, ZIP_MAGIC, looks_like_export

Kind = Literal["fit", "fit.gz", "apple_health"]

GZIP_MAGIC = b"\x1f\x8b"  # as backstride.io._gzipped.MAGIC (io is imported only for a gzip file)
_FIT_SIGNATURE = slice(8, 12)
# an unzipped export holds export.xml and export_cda.xml: a folder of many is no export
_FOLDER_XMLS_LOOKED_AT = 3
_EXPORT_FOLDER = EXPORT_MEMBER.split("/")[0] + "/"  # apple_health_export/
_SAID: dict[Kind, tuple[str, str]] = {
    "apple_health": (
        "an Apple Health export",
        "the walking figures an iPhone or Apple Watch worked out itself (steps, walking speed, step length)",
    ),
    "fit": (
        "a Garmin .fit file",
        "what a watch worked out itself (steps, and its walks' cadence, speed and distance)",
    ),
}
_SAID["fit.gz"] = _SAID["fit"]


def activity_kind(path: Path) -> Kind | None:
    """Which activity file ``path`` (a file or folder) is, or None (a damaged ZIP too). An unreadable file
    raises ``OSError``, a damaged gzip ``InputError``."""
    if path.is_dir():
        inner = path / _EXPORT_FOLDER.rstrip("/")
        folder = inner if inner.is_dir() else path
        # export.xml, or a localised export's name for it (Exportieren.xml); export_cda.xml holds no <HealthData
        xmls = sorted(folder.glob("*.xml"), key=lambda xml: xml.name != "export.xml")[:_FOLDER_XMLS_LOOKED_AT]
        return "apple_health" if any(looks_like_export(_head(xml)) for xml in xmls) else None
    head = _head(path)
    if head[_FIT_SIGNATURE] == b".FIT":
        return "fit"
    if head.startswith(GZIP_MAGIC):
        from backstride.io._gzipped import gzipped_head

        return "fit.gz" if gzipped_head(path, _FIT_SIGNATURE.stop)[_FIT_SIGNATURE] == b".FIT" else None
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:  # damaged or cut short: the reader it is given to says so
            return None
        # the folder the iPhone names it (a localised export's XML is named in its language)
        exported = any(_EXPORT_FOLDER in n and n.lower().endswith(".xml") for n in names)
        return "apple_health" if exported else None
    return "apple_health" if looks_like_export(head) else None


def activity_file_error(path: Path) -> ActivityFileError | None:
    """An :class:`~backstride.ActivityFileError` naming ``path`` when it is an activity file, else None (also
    when it cannot be read: the caller's own error stands)."""
    from backstride._errors import InputError

    try:
        kind = activity_kind(path)
    except (OSError, InputError):
        return None
    return None if kind is None else ActivityFileError(path.name, *_SAID[kind])


def _head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(SNIFF_BYTES)
