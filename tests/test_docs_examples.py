"""Every Python example in README.md and docs/*.md runs, as a reader would run it, and prints what it says.

Each ```python block is written to a file and run by this interpreter in a fresh folder of its own (a
separate process, so examples that start a Dask cluster or open a database behave as in a script), with
``BACKSTRIDE_SHARED_DATA`` pointing at the reference recordings and the clinic's paths inside that folder.
A line ``print(...)  # → TEXT`` says what the example prints: when a block has such lines, its output must
be exactly those texts, in order. A block that cannot run here is marked on the line before its fence
with ``<!-- not run: REASON -->``, and the reason is shown as the test's skip reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import ROOT, SHARED_DATA

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SKIP = re.compile(r"<!--\s*not run:\s*(.+?)\s*-->")
EXPECTED = re.compile(r"^\s*print\(.*\)\s*# → (.*)$")
TIMEOUT_S = 240


@dataclass(frozen=True)
class Example:
    doc: Path
    line: int  # of the opening fence, 1-based
    code: str
    skip: str | None

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"

    @property
    def expected(self) -> list[str]:
        return [m.group(1).rstrip() for m in map(EXPECTED.match, self.code.splitlines()) if m]


def examples(doc: Path) -> list[Example]:
    """The ```python blocks of a Markdown file, with the skip reason written above each."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
            mark = SKIP.search(lines[i - 1]) if i else None
            found.append(Example(doc, i + 1, "\n".join(lines[i + 1 : end]) + "\n", mark and mark.group(1)))
            i = end
        i += 1
    return found


ALL = [e for doc in DOCS for e in examples(doc)]


def test_the_docs_have_examples_and_the_readme_shows_the_python_api() -> None:
    assert len(ALL) >= 4
    readme = [e for e in ALL if e.doc.name == "README.md"]
    assert readme and all(e.skip is None for e in readme)


def test_the_harness_finds_blocks_skip_marks_and_expected_output(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "text\n```python\nprint(1 + 1)  # → 2\n```\n<!-- not run: needs PostgreSQL -->\n```python\nx\n```\n"
        "```sh\nls\n```\n",
        encoding="utf-8",
    )
    first, second = examples(doc)
    assert (first.line, first.code, first.skip, first.expected) == (2, "print(1 + 1)  # → 2\n", None, ["2"])
    assert (second.line, second.code, second.skip, second.expected) == (6, "x\n", "needs PostgreSQL", [])


@pytest.mark.parametrize("example", ALL, ids=[e.id for e in ALL])
def test_example_runs(example: Example, tmp_path: Path) -> None:
    if example.skip:
        pytest.skip(example.skip)
    script = tmp_path / "example.py"
    script.write_text(example.code, encoding="utf-8")
    env = {
        **os.environ,
        "BACKSTRIDE_SHARED_DATA": str(SHARED_DATA),
        # the clinic's default database and blobs would be the user's own: keep them in this folder
        "BACKSTRIDE_DATABASE_URL": f"sqlite:///{tmp_path / 'backstride.db'}",
        "BACKSTRIDE_BLOB_DIR": str(tmp_path / "blobs"),
        "PYTHONWARNINGS": "error",
    }
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"{example.id} failed:\n{done.stderr}"
    assert done.stderr == "", f"{example.id} wrote to stderr:\n{done.stderr}"
    if example.expected:
        assert done.stdout.splitlines() == example.expected, f"{example.id} printed:\n{done.stdout}"
