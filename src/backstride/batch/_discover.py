"""Turn the command line's INPUTS (files, folders, glob patterns) into a list of recording files."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from backstride._errors import BackstrideError, InputError

Detector = Callable[[Path], object]
"""``detect_format(path)``: returns the format's name, raises a BackstrideError when it is not a recording."""

_MAGIC = frozenset("*?[")


@dataclass(frozen=True)
class InputFile:
    """A recording file: where it is (absolute) and its path relative to the input that named it."""

    source: Path
    path: str


def default_detector() -> Detector:
    from backstride.io import detect_format

    return detect_format


def _recognised(file: Path, detect: Detector) -> bool:
    try:
        detect(file)
    except (BackstrideError, OSError, ValueError):
        return False
    return True


def _walk(folder: Path, skip: Path | None, detect: Callable[[], Detector]) -> Iterable[Path]:
    """Files, and export folders a reader recognises as one recording (not searched further)."""
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        keep = []
        for d in sorted(dirs):
            sub = here / d
            if d.startswith(".") or (skip is not None and sub == skip):
                continue
            if _recognised(sub, detect()):
                yield sub
            else:
                keep.append(d)
        dirs[:] = keep
        for name in sorted(files):
            if not name.startswith("."):
                yield here / name


def discover(
    inputs: Iterable[str | Path], *, detect: Detector | None = None, exclude: Path | None = None
) -> list[InputFile]:
    """Every recording file named by ``inputs``, in a stable order, without duplicates.

    - a file is taken as it is (if it is not a recording, analysing it fails and the batch says why);
    - a folder that a reader recognises as one recording (a phone app's export folder) is taken whole;
    - any other folder is searched recursively, hidden files and folders skipped, and only what a
      reader recognises is kept (so ``meta.json`` or ``reference.json`` beside a recording are passed
      over);
    - anything else with ``*``, ``?`` or ``[`` is a glob pattern (``**`` crosses folders), and the
      recognised files it matches are kept.

    ``exclude`` (the results folder) is never searched. An input that names nothing is an
    :class:`InputError`, raised before any work starts.
    """
    detect_fn: Detector | None = detect
    found: dict[Path, InputFile] = {}
    skip = exclude.resolve() if exclude is not None else None

    def detector() -> Detector:
        nonlocal detect_fn
        if detect_fn is None:
            detect_fn = default_detector()
        return detect_fn

    for raw in inputs:
        text = str(raw)
        given = Path(text).expanduser()
        if given.is_file():
            src = given.resolve()
            found.setdefault(src, InputFile(src, given.name))
        elif given.is_dir():
            base = given.resolve()
            if _recognised(base, detector()):  # the folder is itself one recording (an app's export)
                found.setdefault(base, InputFile(base, given.resolve().name))
                continue
            n = 0
            for file in _walk(base, skip, detector):
                if _recognised(file, detector()):
                    n += 1
                    found.setdefault(file, InputFile(file, file.relative_to(base).as_posix()))
            if n == 0:
                raise InputError(f"no recording files found in the folder {text}")
        elif _MAGIC & set(text):
            anchor = _glob_anchor(text)
            matches = sorted(Path(m) for m in glob.glob(os.path.expanduser(text), recursive=True))
            n = 0
            for match in matches:
                if not (match.is_file() or match.is_dir()) or (
                    skip is not None and skip in match.resolve().parents
                ):
                    continue
                if _recognised(match, detector()):
                    n += 1
                    src = match.resolve()
                    try:
                        rel = src.relative_to(anchor).as_posix()
                    except ValueError:
                        rel = match.as_posix()
                    found.setdefault(src, InputFile(src, rel))
            if n == 0:
                raise InputError(f"the pattern {text} matches no recording files")
        else:
            raise InputError(f"{text} does not exist (give recording files, folders or glob patterns)")
    return list(found.values())


def _glob_anchor(pattern: str) -> Path:
    """The folder a glob pattern starts from: its leading parts without wildcards."""
    parts = Path(os.path.expanduser(pattern)).parts
    fixed: list[str] = []
    for part in parts:
        if _MAGIC & set(part):
            break
        fixed.append(part)
    return Path(*fixed).resolve() if fixed else Path.cwd()
