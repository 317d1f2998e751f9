"""Every command's ``--help`` shows its docstring's paragraphs whole, for the terminal to wrap: the source's
line breaks (at 110 columns, mid-sentence) are not the reader's."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from backstride.cli._app import _paragraphs, app


def _commands(typer_app: typer.Typer, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for command in typer_app.registered_commands:
        assert command.callback is not None
        yield (*prefix, command.name or command.callback.__name__.replace("_", "-")), command.callback
    for group in typer_app.registered_groups:
        name = group.name if isinstance(group.name, str) else group.typer_instance.info.name
        name = getattr(name, "value", name)  # typer's placeholder for a name given to the group's own Typer
        assert isinstance(name, str)
        yield from _commands(group.typer_instance, (*prefix, name))


COMMANDS = list(_commands(app))


def test_a_docstrings_paragraphs_are_joined_and_kept_apart() -> None:
    doc = "Summary line.\n\nA sentence that the source\nwraps, and  more.\n\n\nA second paragraph."
    assert (
        _paragraphs(doc)
        == "Summary line.\n\nA sentence that the source wraps, and more.\n\nA second paragraph."
    )


@pytest.mark.parametrize(("words", "callback"), COMMANDS, ids=[" ".join(w) for w, _ in COMMANDS])
def test_every_paragraph_of_a_commands_help_is_one_line_on_a_wide_terminal(
    words: tuple[str, ...], callback: Any
) -> None:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "1000"}, prog_name="backstride")
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    for paragraph in (inspect.getdoc(callback) or "").split("\n\n"):
        assert " ".join(paragraph.split()) in lines
