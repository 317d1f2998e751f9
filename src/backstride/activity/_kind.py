"""Whether a file is an activity file, for the recording readers to say so when one is given to them.

People bring what their phone or watch made: an Apple Health ``export.zip`` or a Garmin ``.fit`` file handed to
``backstride analyze`` (or uploaded as a recording) should be named for what it is, with where it is read,
rather than called "not a recording". Only the signatures are looked at, never the whole file:

* a FIT file has ``.FIT`` at bytes 8–11 of its header (Garmin's *FIT Protocol*, "File Header"), also
  inside a gzip file (Garmin Connect's ``.fit.gz``);
* an Apple Health export is XML holding ``<HealthData`` (after a DTD of some 10–20 kB), a ZIP holding
  ``apple_health_export/`` and XML in it, or the unzipped folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from backstride._errors import ActivityFileError
from backstride.activity._apple import EXPORT_MEMBER, SNIFF_BYTES, ZIP_MAGIC, looks_like_export

_FIT_SIGNATURE = slice(8, 12)
_GZIP_MAGIC = b"\x1f\x8b"
_FOLDER_XMLS_LOOKED_AT = (
    3  # an unzipped export holds export.xml and export_cda.xml: a folder of many is no export
)
_EXPORT_FOLDER = EXPORT_MEMBER.split("/")[0] + "/"  # apple_health_export/
_APPLE = "an Apple Health export"
_APPLE_HOLDS = (
    "the walking figures an iPhone or Apple Watch worked out itself (steps, walking speed, step length)"
)
_FIT = "a Garmin .fit file"
_FIT_HOLDS = "what a watch worked out itself (steps, and its walks' cadence, speed and distance)"


def activity_file_error(path: Path) -> ActivityFileError | None:
    """An :class:`~backstride.ActivityFileError` naming ``path`` when it is an activity file, else None (also
    when it cannot be read: the caller's own error stands)."""
    try:
        kind = _kind(path)
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    if kind is None:
        return None
    return ActivityFileError(path.name, *kind)


def _kind(path: Path) -> tuple[str, str] | None:
    if path.is_dir():
        inner = path / _EXPORT_FOLDER.rstrip("/")
        folder = inner if inner.is_dir() else path
        # export.xml, or a localised export's name for it (Exportieren.xml); export_cda.xml holds no <HealthData
        xmls = sorted(folder.glob("*.xml"), key=lambda xml: xml.name != "export.xml")[:_FOLDER_XMLS_LOOKED_AT]
        return (_APPLE, _APPLE_HOLDS) if any(looks_like_export(_head(xml)) for xml in xmls) else None
    head = _head(path)
    if head.startswith(_GZIP_MAGIC):  # Garmin Connect's .fit.gz
        from backstride.io._gzipped import gzipped_head

        head = gzipped_head(path, _FIT_SIGNATURE.stop)
        return (_FIT, _FIT_HOLDS) if head[_FIT_SIGNATURE] == b".FIT" else None
    if head[_FIT_SIGNATURE] == b".FIT":
        return _FIT, _FIT_HOLDS
    if head.startswith(ZIP_MAGIC):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        # the folder the iPhone names it (a localised export's XML is named in its language: Exportieren.xml)
        exported = any(_EXPORT_FOLDER in n and n.lower().endswith(".xml") for n in names)
        return (_APPLE, _APPLE_HOLDS) if exported else None
    return (_APPLE, _APPLE_HOLDS) if looks_like_export(head) else None


def _head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(SNIFF_BYTES)
