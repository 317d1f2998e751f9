"""Randomly damaged copies of a real recording: `backstride analyze` reads each or refuses it in one line.

The damage is what files meet on the way from a phone to a clinic (cut off, bytes lost or added, a block of
zeros, a stray line, another delimiter, a damaged number); which damage, and where, comes from a seeded
generator, so a failure names a case that can be run again. What is asserted holds for any file: the exit is
0 with a JSON result, or 2 with one line on stderr starting ``backstride: error:``; never a traceback. A fuzzer
run of 540 such copies found the damaged time stamp that said "jumps 1157...0 days" in three hundred digits
(tests/io/test_bad_input.py keeps that case).
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from backstride import io
from backstride.cli import main

CASES = 40


def _sample() -> bytes:
    """The bundled recording's first 30 s (its header and 3000 rows), as the CSV text it unpacks to."""
    text = gzip.decompress(io.sample_path().read_bytes())
    return b"\n".join(text.split(b"\n")[:3001]) + b"\n"


def _cut(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def _lost(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randrange(1, 300) :]


def _added(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return (
        data[:at]
        + bytes(rng.choice(b'0123456789.,;-e \t"\n') for _ in range(rng.randrange(1, 30)))
        + data[at:]
    )


def _zeros(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + bytes(rng.randrange(1, 200)) + data[at:]


def _line_twice(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    at = rng.randrange(1, len(lines) - 1)
    return b"\n".join([*lines[:at], lines[at], *lines[at:]])


def _delimiter(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b",", rng.choice([b";", b"\t", b" ", b"|"]))


def _number(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    at = rng.randrange(1, len(lines) - 1)
    cells = lines[at].split(b",")
    cells[rng.randrange(len(cells))] = rng.choice([b"1e308", b"-1e30", b"inf", b"nan", b"", b"1,5", b"--2"])
    lines[at] = b",".join(cells)
    return b"\n".join(lines)


DAMAGE: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    _cut,
    _lost,
    _added,
    _zeros,
    _line_twice,
    _delimiter,
    _number,
)


@pytest.mark.parametrize("case", range(CASES))
def test_a_damaged_copy_is_read_or_refused_in_one_line(
    case: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(case)
    data = _sample()
    for _ in range(rng.randrange(1, 3)):
        data = rng.choice(DAMAGE)(rng, data)
    path = tmp_path / "walk.csv"
    path.write_bytes(data)
    code = main(["analyze", str(path), "--json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert code in (0, 2), captured.err
    if code == 0:
        assert json.loads(captured.out)["recording"]["source"] == "walk.csv"
    else:
        assert captured.out == ""
        lines = [line for line in captured.err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("backstride: error: "), captured.err
