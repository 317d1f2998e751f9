"""JSON text people can read and diff: one field per line, and each item of a list of records on its own line.

The text is produced in pieces, one record at a time, so a week's result (hundreds of thousands of initial
contacts) is written to a stream without first becoming a list of dicts and one large string.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

SEPARATOR = ",\n"
# one encoder for every record: ``json.dumps(..., ensure_ascii=False)`` builds a new one at each call
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) or callable(getattr(value, "to_dict", None))


def json_pieces(
    fields: Iterable[tuple[str, Any]], plain: Callable[[Any], Any] = lambda v: v
) -> Iterator[str]:
    """The JSON text of ``fields`` (name, value) in pieces: a key per line; a list of records (dicts, or
    objects with ``to_dict()``) one record per line, each turned into plain values by ``plain`` only when it
    is written (the standard library's C encoder does the rest)."""
    yield "{\n"
    for i, (name, value) in enumerate(fields):
        yield f"{SEPARATOR if i else ''} {json.dumps(name)}: "
        if isinstance(value, list) and value and _is_record(value[0]):
            yield "[\n  "
            for k, record in enumerate(value):
                yield ("" if not k else ",\n  ") + _ENCODE(plain(record))
            yield "\n ]"
        else:
            yield _ENCODE(plain(value))
    yield "\n}"


def write_json(
    fields: Iterable[tuple[str, Any]], stream: IO[str], plain: Callable[[Any], Any] = lambda v: v
) -> None:
    """Write :func:`json_pieces` to ``stream``, a few thousand pieces at a time."""
    batch: list[str] = []
    for piece in json_pieces(fields, plain):
        batch.append(piece)
        if len(batch) >= 4096:
            stream.write("".join(batch))
            batch.clear()
    stream.write("".join(batch))


def json_lines(data: Mapping[str, Any]) -> str:
    """``data`` (plain values) as one JSON text, laid out as :func:`json_pieces` does."""
    return "".join(json_pieces(data.items()))
