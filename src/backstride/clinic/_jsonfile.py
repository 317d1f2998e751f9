"""Reading a JSON file a person wrote or kept (answers, a baseline, a plan, a week's logs, a gait result).

One reader for every file the clinical commands take, so that each is held to the same rules: a file that
cannot be read, is not text in UTF-8 (or UTF-16 with a byte order mark, as Windows Notepad saves it) or is
not valid JSON is one :class:`InputError` naming the file; so is an object that gives the same key twice.
Python's ``json`` would keep the last value given, so ``{"saddle_numbness": true, "saddle_numbness": false}``
would read as a plain "no" and hide a red flag. So is text that is no Unicode: JSON may write half of a
character's surrogate pair alone (``"\ud800"``), which Python reads into a string that can be neither printed
nor written back as UTF-8 (the triage's result ended in a traceback, its emergency unsaid).
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any

from backstride._errors import InputError
from backstride._words import given, is_unicode

# a JSON escape of a surrogate (U+D800 to U+DFFF): only where one is written can a string hold a lone one
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for :func:`json.loads`: an object, refused when it gives a key twice."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


#: Digits of a whole number that is certainly below the largest float (about 1.8e308)
_FLOAT_DIGITS = 308


def _whole_number(text: str) -> int | float:
    """``parse_int`` for :func:`json.loads`: a whole number, read as ``1e401`` is (an infinite float, which
    every check refuses) when it has more digits than any float holds. As an int it passed the JSON reader and
    then ended in OverflowError wherever a check made it a float; of more than 4300 digits, in ValueError from
    the reader itself (Python's limit on converting text to an int)."""
    return int(text) if len(text.lstrip("-")) <= _FLOAT_DIGITS else float(text)


MAX_BYTES = 256 * 2**20
"""The most a JSON file given to a clinical command may hold. The largest is a week's gait result (every heel
strike of seven days: tens of megabytes); without a limit ``--baseline /dev/zero`` read until memory ran out."""


def read_text(path: Path, what: str) -> str:
    """The text of the file at ``path``; ``what`` names the file in messages ("answers", "baseline").

    UTF-8 with or without a byte order mark, and UTF-16 with one (as Windows Notepad saves "Unicode"), are
    read; anything else is refused with what to do.
    """
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)  # never more: /dev/zero or a wrong file of gigabytes
    except OSError as exc:
        raise InputError(f"cannot read the {what} file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(
            f"the {what} file {path} is larger than {MAX_BYTES / 2**20:.3g} MB, far more than any such file "
            "holds; is it the right file?"
        )
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # the mark says which byte order
    else:
        encoding = "utf-8"
    save = "; save it as UTF-8 and try again"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-16":
            why = f"it starts as UTF-16 but byte {exc.start + 1} does not read as UTF-16"
        else:
            why = f"byte {exc.start + 1} is not UTF-8"
        raise InputError(f"the {what} file {path} is not UTF-8 text ({why}){save}") from None
    if "\0" in text:  # never in JSON text; what UTF-16 without a byte order mark looks like as UTF-8
        raise InputError(
            f"the {what} file {path} is not UTF-8 text (it holds NUL bytes, as UTF-16 without a byte "
            f"order mark does){save}"
        )
    return text


def read_json(path: Path, what: str) -> Any:
    """The JSON value in the file at ``path``; ``what`` names the file in messages."""
    return parse_json(read_text(path, what), path, what)


def parse_json(text: str, path: Path, what: str) -> Any:
    """``text`` (the content of ``path``) as JSON, every object's keys given once."""
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_int=_whole_number)
    except _DuplicateKey as exc:
        raise InputError(
            f"the {what} file {path} gives the key {given(exc.key)} twice in one object; give each key once, "
            "with the one value you mean"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"the {what} file {path} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise InputError(
            f"the {what} file {path} nests its lists or objects too deeply to read (thousands of levels); "
            "it is not a file backstride wrote or asks for"
        ) from None
    if _SURROGATE_ESCAPE.search(text) and (half := _half_character(value)) is not None:
        raise InputError(
            f"the {what} file {path} holds a text that is no Unicode ({given(half)}: an escape of half of a "
            "character, its other half missing); it is not a file backstride wrote or asks for"
        )
    return value


def _half_character(value: Any) -> str | None:
    """The first key or string in ``value`` (a JSON value) holding a lone surrogate, or None (a loop, not
    recursion: a value may nest hundreds deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not is_unicode(item):
                return item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _readable(value: Any) -> bool:
    """Whether a value is kept by :func:`read_json_without_duplicated_keys`: anything but a text that is no
    Unicode (left out like a key given twice, so that a warning sign given elsewhere is still seen)."""
    return not isinstance(value, str) or is_unicode(value)


class _Pairs(list[tuple[str, Any]]):
    """An object's key-value pairs as written (a list subclass, so that a JSON array is never taken for one)."""


def read_json_without_duplicated_keys(path: Path) -> Any:
    """The JSON value in the file at ``path`` with every key given more than once in its object left out, or
    None when the file cannot be read as JSON at all.

    Only for looking past a duplicated key to a warning sign given once elsewhere in the file (a duplicated
    key stays an error otherwise, and a sign given twice is not read here: which value is meant is unknown).
    A key or a text that is no Unicode (a lone surrogate) is left out the same way.
    """

    def once(value: Any) -> Any:
        if isinstance(value, _Pairs):
            keys = [k for k, _ in value]
            return {k: once(v) for k, v in value if keys.count(k) == 1 and is_unicode(k) and _readable(v)}
        if isinstance(value, list):
            return [once(v) for v in value if _readable(v)]
        return value

    try:
        return once(json.loads(read_text(path, "the"), object_pairs_hook=_Pairs, parse_int=_whole_number))
    # not JSON (JSONDecodeError is a ValueError), or nested too deeply
    except (InputError, ValueError, RecursionError):
        return None
