"""Loggers' files delivered gzip-compressed: UK Biobank's ``.cwa.gz``, a GENEActiv ``.bin.gz`` or an ActiGraph
``.gt3x.gz`` from an archive.

The loggers' readers seek in the file (an Axivity's blocks, a GENEActiv's pages, the ZIP inside a ``.gt3x``),
which a gzip stream cannot do. So a gzip file whose content starts with a logger's signature (as
:func:`backstride.io._devices.device_format` checks it: ``MD``, ``Device Identity``, ``PK``) is unpacked once,
1 MB at a time, into a temporary file of the same name (what the readers say names the file given), and read as
that file; the temporary folder is removed on leaving, on an error or on Ctrl-C too. A gzip of text (a CSV,
ActiLife's export) is not unpacked: its readers stream it as it is.

Decisions, as for a ``.csv.gz`` (:mod:`backstride.io._csvlayout`) and a logger's own file cut short:

* cut short (the end-of-stream marker never comes: an interrupted download, copy or upload): what came through
  is read, and the logger's reader keeps every whole block or page of it and says what it dropped; a note says
  the compressed file was cut short. Nothing usable left: the reader's error.
* damaged compressed data, or a wrong checksum at its end: one error, nothing read.
"""

from __future__ import annotations

import contextlib
import gzip
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from backstride._errors import InputError
from backstride.io._container import refuse_zip_bomb
from backstride.io._devices import signature
from backstride.io._unpackcap import max_unpacked_bytes, too_large

MAGIC = b"\x1f\x8b"
STEP_BYTES = 1 << 20
HEAD_BYTES = 64

GZIP_CUT_SHORT_DEVICE = (
    "the compressed file is cut short (an interrupted download, copy or upload?): read as far as it goes"
)


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def gzipped_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of the gzip file's content (fewer when it is cut short before)."""
    head = b""
    try:
        with gzip.open(path, "rb") as handle:
            while len(head) < size and (step := handle.read1(size - len(head))):
                head += step
            return head
    except EOFError:
        return head
    except (OSError, zlib.error) as exc:
        raise _damaged(path, exc) from exc


def gzipped_device(path: Path) -> bool:
    """Whether ``path`` is a gzip file whose content starts as a logger's file does (which its reader needs
    unpacked: ActiLife's CSV export is streamed like any CSV)."""
    if not path.is_file() or not is_gzip(path):
        return False
    return signature(gzipped_head(path), None) not in (None, "actilife")


@contextlib.contextmanager
def unpacked(path: Path, most: int | None = None) -> Iterator[tuple[Path, str | None]]:
    """``(the file to read, a note)``: ``path`` itself and ``None`` unless it is a gzip-compressed logger's file
    (:func:`gzipped_device`); else its content in a temporary file of the same name, removed on leaving, and
    the note when the compressed file is cut short. Either is read as ``path`` reads (the readers take a
    logger's file as it is), so a caller that must know what the file unpacks to before reading it (the web
    app) unpacks it here once and reads what is yielded. Past ``most`` bytes unpacked (by default
    :data:`~backstride.io._unpackcap.MAX_UNPACKED_BYTES`) it is refused
    (``UnpackLimitError``); a ZIP by its stated sizes, before anything is unpacked."""
    try:
        device = gzipped_device(path)
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if not device:
        refuse_zip_bomb(path)
        yield path, None
        return
    with gunzipped(path, most) as (target, cut_short):
        refuse_zip_bomb(target)  # a .gt3x.gz: a ZIP inside
        yield target, GZIP_CUT_SHORT_DEVICE if cut_short else None


@contextlib.contextmanager
def gunzipped(path: Path, most: int | None = None) -> Iterator[tuple[Path, bool]]:
    """``(the content of the gzip file at path, whether it is cut short)``: unpacked 1 MB at a time into a
    temporary file of the same name (what a reader says names the file given), removed on leaving. A
    damaged file is an :class:`~backstride.InputError`. Its size is the caller's to bound first, with
    :func:`unpacked_size`, when the reader holds the file whole (a Garmin ``.fit.gz``)."""
    with tempfile.TemporaryDirectory(prefix="backstride-") as tmp:
        target = Path(tmp) / path.name
        yield target, _gunzip(path, target, most)


def _gunzip(path: Path, target: Path, most: int | None = None) -> bool:
    """``path`` decompressed into ``target`` one step at a time (never whole in memory), refused past ``most``
    bytes (by default the limit of :mod:`backstride.io._unpackcap`); True when cut short."""
    most, count = max_unpacked_bytes() if most is None else most, 0
    with gzip.open(path, "rb") as src, target.open("wb") as dst:
        while True:
            try:
                data = src.read1(STEP_BYTES)  # one step of decompression: nothing is held back
            except EOFError:  # the end-of-stream marker never came
                return True
            except (gzip.BadGzipFile, zlib.error) as exc:  # damaged data, or a wrong checksum at its end
                raise _damaged(path, exc) from exc
            except OSError as exc:
                raise InputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
            if not data:
                return False
            count += len(data)
            if count > most:
                raise too_large(path.name, limit=most)
            try:
                dst.write(data)
            except OSError as exc:  # a full disk
                raise InputError(
                    f"cannot unpack {path.name} into a temporary file: {exc.strerror or exc}"
                ) from exc


def _damaged(path: Path, exc: Exception) -> InputError:
    return InputError(
        f"{path.name} is a damaged gzip file: its compressed data cannot be unpacked ({exc}); compress or copy "
        "it again"
    )


def unpacked_size(path: Path, most: int) -> int | None:
    """What the ZIP or gzip file at ``path`` unpacks to, in bytes; ``None`` for a file that is neither, or not
    a readable one (its reader says what is wrong). Past ``most`` the count may stop: any figure above it.

    A ZIP (a phone's export, an Excel sheet, an ActiGraph .gt3x) by its members' stated sizes, which bound
    what is unpacked: Python's :mod:`zipfile` stops a member there (and refuses it when its checksum then
    fails), so a member cannot unpack to more than it states. A gzip file (a ``.csv.gz``, UK Biobank's
    ``.cwa.gz``) states its size only modulo 4 GiB, and only at its end, after the data it would describe:
    it is unpacked and counted, a step at a time and never held, up to ``most`` (a few seconds' work at
    most; a logger's file is unpacked onto the disk to be read, a CSV read whole when small)."""
    import zipfile

    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic.startswith(MAGIC):
        count = 0
        try:
            with gzip.open(path, "rb") as stream:
                while count <= most and (step := stream.read1(STEP_BYTES)):
                    count += len(step)
        except EOFError:  # cut short: what came through is what its reader gets
            pass
        except (OSError, zlib.error):
            return None
        return count
    if magic != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return None
