"""``read_activity``: tell an Apple Health export from a Garmin .fit file (or a gzipped one, ``.fit.gz``) by its
content, and read it."""

from __future__ import annotations

from pathlib import Path

from backstride._errors import InputError, UnsupportedFormatError
from backstride.activity._apple import SNIFF_BYTES, ZIP_MAGIC, looks_like_export, read_apple_health
from backstride.activity._fit import read_fit
from backstride.activity._kind import GZIP_MAGIC, activity_kind
from backstride.activity._model import ActivityData

_FOLDER_EXPORTS = ("export.xml", "apple_health_export/export.xml")
_UTF8_BOM = b"\xef\xbb\xbf"
#: the most a gzipped .fit file may unpack to: a day-long activity at a record a second is a few MB
MAX_FIT_BYTES = 64 << 20


def read_activity(path: str | Path, *, keep_records: bool = True) -> ActivityData:
    """Read an Apple Health export (``export.xml``, ``export.zip`` or the unzipped folder) or a Garmin
    ``.fit`` file (also gzip-compressed, ``.fit.gz``, as Garmin Connect exports it) into records, walk
    sessions and day summaries.

    The format is detected from the content, not the name. Anything else, and any damaged file, ends
    in an :class:`~backstride.InputError` whose message names the file. With ``keep_records=False`` the
    records are summarised as they are read and not kept (flat memory on multi-gigabyte exports).
    """
    path = Path(path)
    try:  # a folder or file that cannot be looked into (another user's), a name too long: one line
        if path.is_dir():
            path = _export_in_folder(path)
        elif path.exists() and not path.is_file():  # a pipe waits for a writer for ever; a device never ends
            raise InputError(f"{path.name} is not a file (a pipe or a device); give the export's file itself")
        head = _head(path)
        kind = activity_kind(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if kind == "fit":
        return read_fit(path, keep_records=keep_records)
    if kind == "fit.gz":
        return _read_gzipped_fit(path, keep_records=keep_records)
    if kind == "apple_health" or head.startswith(ZIP_MAGIC):  # a ZIP without the export: its reader says so
        return read_apple_health(path, keep_records=keep_records)
    if head.startswith(GZIP_MAGIC):
        raise UnsupportedFormatError(
            f"{path.name} is a gzip file but not of a Garmin .fit file (an Apple Health export is read as "
            "export.zip or export.xml)"
        )
    if head.removeprefix(_UTF8_BOM).lstrip().startswith(b"<"):
        raise UnsupportedFormatError(
            f"{path.name} is an XML file but not an Apple Health export (no <HealthData>)"
        )
    raise UnsupportedFormatError(
        f"{path.name} is neither an Apple Health export (export.xml or export.zip) nor a Garmin .fit file"
    )


def _read_gzipped_fit(path: Path, *, keep_records: bool) -> ActivityData:
    """A gzip-compressed FIT file (Garmin Connect exports ``.fit.gz``), unpacked with io's gzip reader. The FIT
    reader holds a file whole, and a small gzip file can unpack to gigabytes: what it unpacks to is counted
    first (a step at a time, never held) and refused past :data:`MAX_FIT_BYTES`. A cut-short one is unpacked
    as far as it goes, and the FIT reader then says it is cut short."""
    from backstride.io._gzipped import gunzipped, unpacked_size

    size = unpacked_size(path, MAX_FIT_BYTES)
    if size is not None and size > MAX_FIT_BYTES:
        raise InputError(
            f"{path.name} would unpack to more than {MAX_FIT_BYTES} bytes, far more than a watch's .fit file; "
            "it was not read"
        )
    with gunzipped(path) as (unpacked, _cut_short):
        return read_fit(unpacked, keep_records=keep_records)


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
