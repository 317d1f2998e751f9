"""The elements of a long JSON array, decoded a run at a time from blocks of its text.

``json.load`` holds the whole text and every element at once (for an hour of a phone's export, 184 MB, about
0.9 GB). :func:`batches` keeps a block of the text and gives the elements in order, a run at a time, exactly
as ``json.load`` would, an error naming the character of the file where the text goes wrong; runs of objects
a caller does not use (told by a member, such as Sensor Logger's ``"sensor"``) are passed over undecoded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from backstride._errors import InputError

BLOCK_CHARS = 1 << 20  # text decoded at a time; an element never straddles two blocks (see batches)
_SPACE = re.compile(r"[ \t\n\r]*")
_CUT = re.compile(r"\}[ \t\n\r]*,[ \t\n\r]*\{")  # between two objects of the array
_CUT_SEARCH = 1 << 16  # characters at the end of the text held searched for the last one first
_SEPARATOR = re.compile(r"[ \t\n\r]*(,?)[ \t\n\r]*")  # between two elements, or before the closing "]"
_CLOSED = re.compile(r"\}[ \t\n\r]*\][ \t\n\r]*\Z")  # the last object and the array's end


def batches(
    path: Path, skip: Callable[[str], bool] | None = None, key: str = "sensor"
) -> Iterator[list[object]]:
    """The elements of the JSON array ``path`` holds, in order, a batch at a time, decoded from blocks of its
    text: memory stays that of a block whatever the file's length (``json.loads`` would hold every element at
    once).

    The elements up to the last ``}, {`` of the text held are decoded in one call, as an array of their own: a
    sequence of complete values is all that parses there, and each value's extent is fixed by where it starts,
    so they are exactly the elements the file holds (a ``}, {`` inside a text value makes that fail). Otherwise,
    and after such a failure up to that point, one element is decoded at a time, with at least half a block
    kept ahead of it, so an element shorter than that is never cut by a block's end (a cut number would decode
    as a shorter one); a longer one is decoded once the text has grown to hold it. Errors are found and named
    element by element.

    ``skip(name)`` true: a run of objects whose member ``key`` is the text ``name`` (as the object that starts
    the run writes it, before any nested value) is passed over without being decoded, its text only searched
    for the first object with another (:func:`_past_run`); a file that ends inside such a run is still said
    to be cut."""
    decode = json.JSONDecoder().raw_decode
    name = json.dumps(key)
    member_at = re.compile(r"\{[^{}\[\]]*?(" + re.escape(name) + r'[ \t\n\r]*:[ \t\n\r]*"([^"\\]*)")').match
    with _text(path) as handle:
        text = handle.read(BLOCK_CHARS)
        ended = len(text) < BLOCK_CHARS
        offset = 0  # characters of the file before ``text``
        one_by_one = -1  # decode element by element up to this character of the file

        def read_on(at: int) -> None:
            """Drop the text before ``at`` and read the next block (``at`` is then 0)."""
            nonlocal text, ended, offset
            more = handle.read(BLOCK_CHARS)
            offset += at
            text, ended = text[at:] + more, len(more) < BLOCK_CHARS

        def invalid(detail: str, at: int) -> InputError:
            where = f"character {offset + at}"  # json's own messages may end in "at" already
            return InputError(
                f"{path.name} is not valid JSON (a cut-off export or upload?): {detail} "
                + (where if detail.endswith(" at") else f"at {where}")
            )

        at = _SPACE.match(text).end()  # type: ignore[union-attr]
        if text[at : at + 1] != "[":
            raise InputError(f"{path.name} is JSON but not a list of readings")
        at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
        if text.startswith("]", at):
            return
        while True:
            if not ended and len(text) - at < BLOCK_CHARS // 2:
                read_on(at)
                at = 0
            if skip is not None and (member := member_at(text, at)) and skip(member.group(2)):
                while (past := _past_run(text, at, name, member.group(1))) is None and not ended:
                    keep = max(text.rfind("{"), at)  # the last object, perhaps cut: searched again
                    read_on(keep)
                    at = 0
                if past is None:  # the run lasts to the end of the file: the list must close after it
                    if _CLOSED.search(text, at) is None:
                        raise invalid("the file ends inside the list of readings", len(text))
                    return
                if past > at:
                    at = past
                    continue
                # else the object names another further in (a nested or repeated member): decoded
            cut = _last_cut(text, at) if offset + at > one_by_one else None
            if cut is not None:
                try:
                    batch = json.loads(f"[{text[at : cut[0]]}]")
                except json.JSONDecodeError:
                    one_by_one = offset + cut[0]
                else:
                    yield batch
                    at = cut[1]
                    continue
            try:
                value, at = decode(text, at)
            except json.JSONDecodeError as exc:
                if ended:
                    raise invalid(exc.msg, exc.pos) from exc
                read_on(0)  # an element longer than half a block: read on and decode it again
                continue
            yield [value]
            separator = _SEPARATOR.match(text, at)
            while separator.end() == len(text) and not ended:  # type: ignore[union-attr]
                read_on(at)
                at = 0
                separator = _SEPARATOR.match(text, at)
            at = separator.end()  # type: ignore[union-attr]
            if not separator.group(1):  # type: ignore[union-attr]
                if text.startswith("]", at):
                    return
                if at == len(text):
                    raise invalid("the file ends inside the list of readings", at)
                raise invalid("expected ',' or ']'", at)


def _last_cut(text: str, at: int, end: int | None = None) -> tuple[int, int] | None:
    """Where the last object of ``text[at:end]`` that another follows ends and the next one starts
    (``}`` ``,`` ``{``, spaces between), or None."""
    end = len(text) if end is None else end
    start = max(at, end - _CUT_SEARCH)
    last = None
    for match in _CUT.finditer(text, start, end):
        last = match
    if last is None and start > at:
        for match in _CUT.finditer(text, at, start):
            last = match
    return None if last is None else (last.start() + 1, last.end() - 1)


def _past_run(text: str, at: int, name: str, member: str) -> int | None:
    """Where the first object after ``at`` whose member ``name`` (its key as JSON text) is not written
    ``member`` starts, or None when the text holds no such object. Counting the two strings tells a block of
    one run, the usual case, without looking at the objects one by one; a key cut by the end of the text counts
    as another value's, so the run is never passed beyond what the text shows."""
    if text.count(name, at) == text.count(member, at):
        return None
    other = text.find(name, at)
    while text.startswith(member, other):
        other = text.find(name, other + 1)
    cut = _last_cut(text, at, other)
    return cut[1] if cut is not None else text.rfind("{", at, other)


@contextmanager
def _text(path: Path) -> Iterator[TextIO]:
    """``path`` opened as UTF-8 text; text that is not UTF-8 ends in an :class:`InputError`."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            yield handle
    except UnicodeDecodeError as exc:  # its position is in the piece decoded, not in the file: not said
        raise InputError(
            f"{path.name} is not valid JSON (not UTF-8 text: it holds the byte 0x{exc.object[exc.start]:02x}, "
            "which UTF-8 does not allow there)"
        ) from exc
