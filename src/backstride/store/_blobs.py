"""Content-addressed file storage for uploaded recordings.

A blob's name is the SHA-256 of its bytes; it lives at ``<root>/<first 2 hex>/<sha256>``. Writes are
atomic: the bytes go to a temporary file in the same folder, are flushed and ``fsync``-ed, then renamed
into place (and the folder is ``fsync``-ed), so a crash leaves either the whole blob or no blob under its
name — at worst a ``*.tmp`` file, which :meth:`BlobStore.gc_orphans` removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from backstride._errors import InputError

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


def _check_sha(sha256: str) -> str:
    if not _SHA_RE.match(sha256):
        raise InputError(f"not a SHA-256 blob name: {sha256!r}")
    return sha256


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


class BlobStore:
    """Blobs named by their SHA-256 under ``root`` (created on first write)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"BlobStore({str(self.root)!r})"

    def path(self, sha256: str) -> Path:
        """Where the blob named ``sha256`` is (or would be)."""
        _check_sha(sha256)
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes | BinaryIO) -> str:
        """Store ``data`` (bytes, or a binary file read to its end); return its SHA-256."""
        return self.put_new(data)[0]

    def put_new(self, data: bytes | BinaryIO) -> tuple[str, bool]:
        """Like :meth:`put`, and say whether the blob was new (False: identical bytes were already stored;
        their modification time is refreshed, so :meth:`gc_orphans` sees them as recent)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-", suffix=".tmp")
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                for chunk in self._chunks(data):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path(sha)
            if final.is_file():
                tmp.unlink()
                os.utime(final)
                return sha, False
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return sha, True
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @staticmethod
    def _chunks(data: bytes | BinaryIO) -> Iterator[bytes]:
        if isinstance(data, bytes | bytearray | memoryview):
            yield bytes(data)
            return
        while True:
            chunk = data.read(_CHUNK)
            if not chunk:
                return
            if not isinstance(chunk, bytes):
                raise InputError("a blob must be bytes or a file opened in binary mode")
            yield chunk

    def open(self, sha256: str) -> BinaryIO:
        """Open the blob for reading (binary). Raises :class:`InputError` if there is no such blob."""
        p = self.path(sha256)
        try:
            return p.open("rb")
        except FileNotFoundError:
            raise InputError(f"no stored file {sha256}") from None

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as f:
            return f.read()

    def delete(self, sha256: str) -> bool:
        """Remove the blob; True if it existed."""
        p = self.path(sha256)
        try:
            p.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(p.parent)
        return True

    @contextlib.contextmanager
    def scratch(self) -> Iterator[Path]:
        """A private working folder inside the store (same file system, so blobs can be hard-linked into
        it), removed on exit; one left behind by a killed process is removed by :meth:`gc_orphans`."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=self.root, prefix=".scratch-"))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def __iter__(self) -> Iterator[str]:
        """The SHA-256 of every stored blob."""
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                for f in sorted(sub.iterdir()):
                    if _SHA_RE.match(f.name) and f.name[:2] == sub.name:
                        yield f.name

    def gc_orphans(self, referenced: Iterable[str], *, min_age_s: float = 3600.0) -> list[str]:
        """Delete blobs not in ``referenced`` and left-over temporary files, if older than ``min_age_s``
        (so uploads still in flight are spared). Return the names removed.

        :func:`backstride.store.gc_orphan_blobs` calls this with the hashes the database references.
        """
        keep = set(referenced)
        cutoff = time.time() - min_age_s
        removed: list[str] = []
        for sha in list(self):
            p = self.path(sha)
            with contextlib.suppress(FileNotFoundError):
                if sha not in keep and p.stat().st_mtime <= cutoff:
                    p.unlink()
                    removed.append(sha)
        if self.root.is_dir():
            for tmp in self.root.glob(".incoming-*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    if tmp.stat().st_mtime <= cutoff:
                        tmp.unlink()
                        removed.append(tmp.name)
            for folder in self.root.glob(".scratch-*"):
                with contextlib.suppress(FileNotFoundError):
                    if folder.is_dir() and folder.stat().st_mtime <= cutoff:
                        shutil.rmtree(folder, ignore_errors=True)
                        removed.append(folder.name)
        return removed
