"""Turn the command line's INPUTS (files, folders, glob patterns) into a list of recording files."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from backstride._errors import BackstrideError, InputError, UnsupportedFormatError

Detector = Callable[[Path], object]
"""``detect_format(path)``: returns the format's name; raises :class:`UnsupportedFormatError` when the content
is plainly something else, another error when it looks like a recording that cannot be read (cut short)."""

_MAGIC = frozenset("*?[")

RECORDING_ENDINGS = (
    ".csv", ".csv.gz", ".tsv", ".tsv.gz", ".cwa", ".gt3x", ".bin", ".cwa.gz", ".gt3x.gz", ".bin.gz"
)  # fmt: skip
"""Endings of file names that only recordings carry in a study's folders (the readers' tables and device
files): a file found with one is a recording whatever its content, and analysing it says what is wrong with
it. The readers take ``.json``, ``.txt``, ``.xlsx``, ``.zip``, ``.sqlite``, ``.db`` and ``.gz`` files too,
but participant files (``meta.json``), notes, spreadsheets and archives beside the recordings carry those
names, so such a file is a recording only when its content is one."""


@dataclass(frozen=True)
class InputFile:
    """A recording file: where it is (absolute) and its path relative to the input that named it."""

    source: Path
    path: str


def default_detector() -> Detector:
    from backstride.io import detect_format

    return detect_format


def _recognised(folder: Path, detect: Detector) -> bool:
    """Is ``folder`` one recording (a phone app's export)? Otherwise it is searched."""
    try:
        detect(folder)
    except (BackstrideError, OSError, ValueError):
        return False
    return True


def is_recording(file: Path, detect: Detector) -> bool:
    """Is a file found in a folder or by a pattern a recording, to analyse (or to report as failed)?

    Yes when its name ends in one of :data:`RECORDING_ENDINGS`, or when its content is a recording, readable
    or not (a ZIP cut short is one: the reader says so). No for an empty file with another name, for one
    that cannot be opened, and for one whose content is plainly something else (an image, a participant
    file, notes): it is passed over.
    """
    if file.name.lower().endswith(RECORDING_ENDINGS):
        return True
    try:
        if file.stat().st_size == 0:
            return False  # no content to tell what it is; only its name could
        detect(file)
    except (UnsupportedFormatError, OSError):
        return False
    except (BackstrideError, ValueError):
        return True  # a recording by its content, damaged: analysing it fails with the reader's reason
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
    - any other folder is searched recursively, hidden files and folders skipped, and the files that
      are recordings by name or by content (:func:`is_recording`) are kept, readable or not, so a damaged
      one is reported as failed, while ``meta.json``, notes or pictures beside a recording are passed
      over;
    - anything else with ``*``, ``?`` or ``[`` is a glob pattern (``**`` crosses folders), and the
      files it matches are kept by the same rule (and the folders it matches that are one recording).

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
                if file.is_dir() or is_recording(file, detector()):
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
                one = is_recording(match, detector()) if match.is_file() else _recognised(match, detector())
                if one:
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
