"""Writing a file people keep (a report, an export) so that it appears whole or not at all."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from backstride._errors import InputError


def check_writable(path: Path, what: str, example: str) -> None:
    """Refuse, before any work, a path whose folder is missing or cannot be written (``what``: "the
    report"; ``example``: a file name to suggest when ``path`` is a folder)."""
    folder = path.parent
    try:  # a folder that cannot be looked into (another user's) fails the look itself
        is_folder, folder_exists = path.is_dir(), folder.is_dir()
    except OSError as exc:
        raise InputError(f"cannot write {what} at {path}: {exc.strerror or exc}") from None
    if is_folder:
        raise InputError(f"{path} is a folder; give a file name for {what}, e.g. {path / example}")
    if not folder_exists:
        raise InputError(f"cannot write {what}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"cannot write {what}: the folder {folder} is not writable")


def write_text_whole(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path`` (same file system, permissions as for any new file),
    then rename it onto ``path``: an error or an interrupt leaves no half-written file.

    A link is written through (the new file goes beside the file it points to, and the link stays), and a
    path that is no regular file (a pipe, a device: /dev/stdout, /dev/null) is written into: renamed onto, it
    was replaced by a regular file holding the text."""
    if path.exists() and not path.is_file():  # (both follow a link: /dev/stdout is one, to a pipe or a tty)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    try:
        with open(tmp, "x", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
