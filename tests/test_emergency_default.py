"""The default emergency number is written once (``backstride._emergency``), and every part that falls back to a
number falls back to that one: the screen, the weekly review, the web app's settings and each command."""

from __future__ import annotations

import inspect
import io
import tokenize
from pathlib import Path

import backstride
from backstride._emergency import DEFAULT_EMERGENCY_NUMBER, ENV_EMERGENCY_NUMBER

SRC = Path(backstride.__file__).parent


def test_no_module_writes_a_number_of_its_own() -> None:
    # before: "911" was written in seven places (clinic, web settings, web app, three commands, the demo)
    written = [
        f"{path.relative_to(SRC)}:{tok.start[0]}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "_emergency.py"
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        if tok.type == tokenize.STRING
        and tok.string.strip("\"'") in (DEFAULT_EMERGENCY_NUMBER, ENV_EMERGENCY_NUMBER)
    ]
    assert written == []


def test_every_fallback_is_the_default() -> None:
    from backstride import clinic
    from backstride.cli import _clinic, _export
    from backstride.web._settings import WebSettings

    for function in (clinic.triage, clinic.review_week, clinic.warning_stop):
        assert inspect.signature(function).parameters["emergency_number"].default == DEFAULT_EMERGENCY_NUMBER
    assert WebSettings.__dataclass_fields__["emergency_number"].default == DEFAULT_EMERGENCY_NUMBER
    for command in (_clinic.triage_command, _clinic.progress_command):
        option = inspect.signature(command).parameters["emergency_number"].default
        assert (option.default, option.envvar) == (DEFAULT_EMERGENCY_NUMBER, ENV_EMERGENCY_NUMBER)
    assert (
        inspect.signature(_export.export_plan).parameters["emergency_number"].default
        == DEFAULT_EMERGENCY_NUMBER
    )
    assert clinic.triage({"saddle_numbness": True}).emergency_number == DEFAULT_EMERGENCY_NUMBER
