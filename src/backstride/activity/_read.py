"""``read_activity``: tell an Apple Health export from a Garmin .fit file by its content, and read it."""

from __future__ import annotations

from pathlib import Path

from backstride._errors import InputError, UnsupportedFormatError
from backstride.activity._apple import SNIFF_BYTES, ZIP_MAGIC, looks_like_export, read_apple_health
from backstride.activity._fit import read_fit
from backstride.activity._model import ActivityData

_FIT_SIGNATURE = slice(8, 12)  # ".FIT" at bytes 8-11 of a FIT file header
_FOLDER_EXPORTS = ("export.xml", "apple_health_export/export.xml")
_UTF8_BOM = b"\xef\xbb\xbf"


def read_activity(path: str | Path, *, keep_records: bool = True) -> ActivityData:
    """Read an Apple Health export (``export.xml``, ``export.zip`` or the unzipped folder) or a Garmin
    ``.fit`` file into records, walk sessions and day summaries.

    The format is detected from the content, not the name. Anything else, and any damaged file, ends
    in an :class:`~backstride.InputError` whose message names the file. With ``keep_records=False`` the
    records are summarised as they are read and not kept (flat memory on multi-gigabyte exports).
    """
    path = Path(path)
    if path.is_dir():
        path = _export_in_folder(path)
    head = _head(path)
    if head[_FIT_SIGNATURE] == b".FIT":
        return read_fit(path, keep_records=keep_records)
    if head.startswith(ZIP_MAGIC) or looks_like_export(head):
        return read_apple_health(path, keep_records=keep_records)
    if head.removeprefix(_UTF8_BOM).lstrip().startswith(b"<"):
        raise UnsupportedFormatError(
            f"{path.name} is an XML file but not an Apple Health export (no <HealthData>)"
        )
    raise UnsupportedFormatError(
        f"{path.name} is neither an Apple Health export (export.xml or export.zip) nor a Garmin .fit file"
    )


def _head(path: Path) -> bytes:
    """The first bytes of the file (enough to see past an export's DTD), after checking it can be read."""
    if not path.exists():
        raise InputError(f"{path.name} does not exist")
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
    if not head:
        raise InputError(f"{path.name} is empty")
    return head


def _export_in_folder(folder: Path) -> Path:
    """The ``export.xml`` of an unzipped Apple Health export folder."""
    for name in _FOLDER_EXPORTS:
        if (folder / name).is_file():
            return folder / name
    for candidate in sorted(folder.glob("*.xml")):
        if looks_like_export(_head(candidate)):
            return candidate
    raise UnsupportedFormatError(f"{folder.name} is a folder without an Apple Health export.xml in it")
