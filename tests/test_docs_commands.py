"""What README.md and docs/*.md say of the command line and its outputs is what the software has today.

``test_docs_examples.py`` runs the Python examples. The shell examples' outputs depend on a terminal's width,
a clinic database and the day, so they were compared by hand; what can be checked exactly and cheaply is here:
every ``backstride`` command and option the docs name exists, every option of every command is named beside
its command somewhere in the docs, and the lists the docs give of formats, units and Parquet columns are the
software's own. A renamed option, a new one left undocumented or a reader added to the code and not to the
JSON table fails here, not in a reader's terminal.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import ROOT

DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "src" / "backstride").glob("**/README.md")),
]
# "backstride CMD [SUB]" and what follows it up to the end of its code span or line
MENTION = re.compile(r"backstride ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?([^`\n]*)")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
# a synopsis goes on over lines indented to its options: "                 [--checkpoint-s 60] ..."
CONTINUED = re.compile(r"^\s{8,}\[")


def _commands() -> dict[str, Any]:
    """Every command of the CLI by its words ("analyze", "db upgrade"), as click sees it."""
    import typer.main

    from backstride.cli._app import app

    found: dict[str, Any] = {}

    def walk(command: Any, words: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            if hasattr(sub, "commands"):
                walk(sub, [*words, name])
            else:
                found[" ".join([*words, name])] = sub

    walk(typer.main.get_command(app), [])
    return found


def _options(command: Any) -> set[str]:
    names = {"--help"}
    for param in command.params:
        names.update(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
    return names


def stale_mentions(text: str, commands: dict[str, Any]) -> list[str]:
    """The mentions in ``text`` of a subcommand or an option that the CLI does not have."""
    groups = {name.split()[0] for name in commands if " " in name}
    lines = text.splitlines()
    problems = []
    for i, line in enumerate(lines):
        for match in MENTION.finditer(line):
            first, second, rest = match.groups()
            if first in groups:
                if second is None:
                    continue
                name = f"{first} {second}"
                if name not in commands:
                    problems.append(f"line {i + 1}: no command 'backstride {name}'")
                    continue
            elif first in commands:
                name, rest = first, f" {second or ''}{rest}"
            else:  # prose: "backstride reads ..."
                continue
            following = [rest]
            for later in lines[i + 1 :]:
                if not CONTINUED.match(later):
                    break
                following.append(later)
            unknown = sorted(set(OPTION.findall(" ".join(following))) - _options(commands[name]))
            problems += [f"line {i + 1}: 'backstride {name}' has no option {o}" for o in unknown]
    return problems


def test_the_scan_finds_a_stale_option_and_a_missing_subcommand() -> None:
    commands = _commands()
    text = (
        "Run `backstride analyze FILE --json --height 1.7`, then\n"
        "    backstride batch IN --out R [--workers N]\n"
        "                     [--chunks 60]\n"
        "`backstride db migrate`; backstride reads files --like this; `backstride users add X --role admin`\n"
    )
    assert stale_mentions(text, commands) == [
        "line 1: 'backstride analyze' has no option --height",
        "line 2: 'backstride batch' has no option --chunks",
        "line 4: no command 'backstride db migrate'",
    ]


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_every_command_and_option_the_docs_name_exists(doc: Path) -> None:
    assert stale_mentions(doc.read_text(encoding="utf-8"), _commands()) == []


def test_every_option_of_every_command_is_named_beside_its_command() -> None:
    """An option counts as documented when a paragraph that names its command names it too (either of a
    ``--progress/--no-progress`` pair will do; ``users link|unlink`` names both)."""
    paragraphs = [p for doc in DOCS for p in re.split(r"\n\s*\n", doc.read_text(encoding="utf-8"))]
    undocumented = []
    for name, command in _commands().items():
        *group, last = name.split()
        alternatives = r"(?:[a-z-]+(?:\||`/`))*"  # "users link|unlink", "`users link`/`unlink"
        named = re.compile(
            r"(?:backstride |`)" + "".join(f"{g} " for g in group) + alternatives + last + r"\b"
        )
        text = "\n".join(p for p in paragraphs if named.search(p))
        for param in command.params:
            flags = [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
            if flags and not any(re.search(re.escape(f) + r"(?![\w-])", text) for f in flags):
                undocumented.append(f"backstride {name} {flags[0]}")
    assert undocumented == []


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_names_every_reader_as_analyze_and_the_json_give_it() -> None:
    from backstride import io

    synopsis = re.search(r"backstride analyze FILE \[--format ([a-z|]+)\]", _readme())
    assert synopsis is not None
    assert synopsis.group(1).split("|") == ["auto", *io.FORMATS]
    row = next(line for line in _readme().splitlines() if line.startswith("| `recording.source`, `.format`"))
    assert sorted(re.findall(r"`([a-z]+)`", row.split("|")[2])) == sorted(io.FORMATS)


def _parquet_tables() -> dict[str, dict[str, str]]:
    """docs/batch.md's column tables: table -> column -> type as written (", null" taken off)."""
    text = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    tables: dict[str, dict[str, str]] = {}
    for name in ("bouts", "recordings", "days", "failures"):
        section = text.split(f"### `{name}.parquet`", 1)[1].split("\n#", 1)[0]
        columns: dict[str, str] = {}
        for line in section.splitlines():
            if line.startswith("| `"):
                cells = [c.strip() for c in line.split("|")[1:-1]]
                for column in re.findall(r"`([^`]+)`", cells[0]):
                    columns[column] = cells[1].removesuffix(", null")
        tables[name] = columns
    return tables


def test_the_batch_docs_give_every_parquet_column_with_its_type() -> None:
    from backstride import batch

    def written(type_: Any) -> str:  # pyarrow's names as the docs write them
        text = str(type_).replace("double", "float64").replace("date32[day]", "date32")
        return text.replace("tz=UTC", "UTC").replace("<item: string>", "<string>")

    documented = _parquet_tables()
    for name, schema in (
        ("bouts", batch.BOUTS),
        ("recordings", batch.RECORDINGS),
        ("days", batch.DAYS),
        ("failures", batch.FAILURES),
    ):
        assert documented[name] == {f.name: written(f.type) for f in schema}, name


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_every_link_to_a_file_of_the_repository_resolves(doc: Path) -> None:
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8"))
    broken = [
        t for t in targets if not t.startswith(("http://", "https://")) and not (doc.parent / t).exists()
    ]
    assert broken == []
