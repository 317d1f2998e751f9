"""Folders and ZIP archives seen the same way: a list of member names and a way to get one as a file."""

from __future__ import annotations

import contextlib
import lzma
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from backstride._errors import InputError
from backstride.io._damage import damage_of, shown
from backstride.io._unpackcap import max_unpacked_bytes, too_large

# what a damaged, cut or encrypted archive raises while its directory or a member is read
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    lzma.LZMAError,  # a member said to be LZMA (a changed byte in the directory) whose data are not
)


def is_zip(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def refuse_zip_bomb(path: Path) -> None:
    """Refuse a ZIP whose members state that they unpack beyond the limit (:mod:`backstride.io._unpackcap`),
    before any is unpacked; a damaged ZIP is left to its reader, which says what is wrong with it."""
    if not is_zip(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (*ZIP_ERRORS, OSError, ValueError):
        return
    if size > max_unpacked_bytes():
        raise too_large(path.name, size)


def duplicated_member(names: Iterable[str]) -> str | None:
    """The first member name that a ZIP's directory lists twice (letter case aside), else None.

    Python's :mod:`zipfile` opens a name's last entry and leaves the others unread, and unzipping onto a disk
    keeps one of them too: which one is the recording cannot be told, so such an archive is refused."""
    seen: set[str] = set()
    for name in names:
        key = name.lower()
        if key in seen and not name.endswith("/"):
            return name
        seen.add(key)
    return None


def refuse_duplicated_members(name: str, members: Iterable[str]) -> None:
    """Refuse the ZIP ``name`` whose directory lists one member twice (:func:`duplicated_member`)."""
    twice = duplicated_member(members)
    if twice is not None:
        raise InputError(
            f"{name} holds two files named {twice}, so which one is the recording cannot be told; "
            "export or zip it again (or unzip it, keep the right one and give that)"
        )


def member_names(path: Path) -> list[str]:
    """Relative POSIX paths of the files in a folder or ZIP (hidden and macOS resource files left out).

    A ZIP that lists a member twice is refused (:func:`refuse_duplicated_members`)."""
    if path.is_dir():
        try:  # a sub-folder or a file that cannot be looked into (another user's): one line, naming it
            names = [p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()]
        except OSError as exc:
            raise InputError(
                f"cannot read the folder {path}: {exc.filename or path}: {exc.strerror or exc}"
            ) from None
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                names = [info.filename for info in archive.infolist() if not info.is_dir()]
        except ZIP_ERRORS as exc:
            if is_zip(path) and not _has_zip_end(path):
                raise InputError(
                    f"{path.name} is a ZIP archive cut short (its end is missing: an interrupted download, "
                    "copy or upload?); export or copy it again"
                ) from exc
            raise InputError(f"{path.name} is a damaged ZIP archive: {damage_of(exc)}") from exc
    names = [n for n in names if not any(part.startswith((".", "__MACOSX")) for part in n.split("/"))]
    if not path.is_dir():
        refuse_duplicated_members(path.name, names)
    return sorted(names)


def _has_zip_end(path: Path) -> bool:
    """Whether the last 64 kB hold the end-of-central-directory record every whole ZIP ends with."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - (1 << 16) - 22))
        return b"PK\x05\x06" in handle.read()


def find_member(names: list[str], basename: str, source: str | None = None) -> str | None:
    """The shallowest member whose file name equals ``basename`` (case-insensitive). With ``source`` (the
    folder's or ZIP's name, for a reader), several at that depth in different folders are refused: two
    recordings side by side (a parent folder zipped or given whole), of which the first was read silently."""
    hits = [n for n in names if PurePosixPath(n).name.lower() == basename.lower()]
    if not hits:
        return None
    depth = min(n.count("/") for n in hits)
    shallowest = sorted(n for n in hits if n.count("/") == depth)
    if source is not None and len(shallowest) > 1:
        folders = ", ".join(f"{PurePosixPath(n).parent.as_posix()}/" for n in shallowest[:4])
        more = f" and {len(shallowest) - 4} more" if len(shallowest) > 4 else ""
        raise InputError(
            f"{source} holds {basename} in {len(shallowest)} folders ({folders}{more}): the recordings of "
            "several, and which one to read cannot be told; give the folder of one recording (or a ZIP of it alone)"
        )
    return shallowest[0]


@contextlib.contextmanager
def extracted(path: Path, members: list[str], limit: int | None = None) -> Iterator[dict[str, Path]]:
    """Members as real files: the folder's own files, or copies extracted from the ZIP to a temporary folder.

    A ZIP's members are unpacked side by side, one thread each (zlib decompresses outside the interpreter
    lock: a day-long phone export's two sensor files in 5 s instead of 11). With ``limit``, each is unpacked
    only up to about that many bytes, cut after its last whole line: the start of a long export, for a check,
    without unpacking gigabytes."""
    if path.is_dir():
        yield {m: path / m for m in members}
        return
    refuse_zip_bomb(path)
    with tempfile.TemporaryDirectory(prefix="backstride-") as tmp:
        # a folder each, so that a member keeps its own file name in what the readers say of it
        targets = {m: Path(tmp) / str(i) / PurePosixPath(m).name for i, m in enumerate(members)}
        for target in targets.values():
            target.parent.mkdir()
        if len(members) > 1:
            with ThreadPoolExecutor(len(members), thread_name_prefix="backstride-unzip") as pool:
                list(pool.map(lambda m: _unpack(path, m, targets[m], limit), members))
        else:
            for member in members:
                _unpack(path, member, targets[member], limit)
        yield targets


def member_head(path: Path, member: str, size: int) -> bytes:
    """The first ``size`` bytes of a member of the ZIP ``path``, unpacked only that far."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as src:
            return src.read(size)
    except (*ZIP_ERRORS, OSError) as exc:
        raise _damaged(path, member, exc) from exc


def _unpack(path: Path, member: str, target: Path, limit: int | None) -> None:
    """One member of the ZIP ``path`` written to ``target`` (its own handle on the archive: threads share none)."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as src, target.open("wb") as dst:
            if limit is None:
                shutil.copyfileobj(src, dst, 1 << 20)
            else:
                head = src.read(limit)
                dst.write(head if len(head) < limit else head[: head.rfind(b"\n") + 1])
    except (*ZIP_ERRORS, OSError) as exc:
        raise _damaged(path, member, exc) from exc


def _damaged(path: Path, member: str, exc: Exception) -> InputError:
    """The refusal of a ZIP whose ``member`` cannot be unpacked; an error that is no damage is raised again."""
    why = damage_of(exc)
    if why is None:
        raise exc
    return InputError(f"{path.name} is a damaged ZIP archive: {shown(member)} cannot be unpacked ({why})")
