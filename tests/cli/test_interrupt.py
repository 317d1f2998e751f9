"""Ctrl-C at any moment of ``backstride``'s start-up or run ends as one line on stderr and exit status 130.

The command line's entry point (``backstride.cli.main``) imports the application (typer, rich, every
command's module: most of the start-up) inside its own handling of Ctrl-C; a Ctrl-C in that tenth of a second
printed Python's KeyboardInterrupt traceback. These tests run the real ``backstride`` script and
``python -m backstride`` as processes and interrupt them: at chosen imports (a Ctrl-C raised in the process
as that import begins: the same moment every run) and, from outside, at moments of the clock.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import backstride
import backstride.cli

SCRIPT = Path(sys.executable).parent / "backstride"  # the console script installed with the package
COMMANDS = {"backstride": [str(SCRIPT)], "python -m backstride": [sys.executable, "-m", "backstride"]}
ONE_LINE = "backstride: interrupted\n"
INTERRUPTED = 130

# Loaded by the child's site module (sitecustomize, found on PYTHONPATH) before the command starts: presses
# Ctrl-C (SIGINT to the process itself) as the import of the module named by $CTRL_C_AT begins, so that the
# interrupt lands inside that import, as a real one would
CTRL_C_HOOK = """
import os
import signal
import sys


class CtrlCAt:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["CTRL_C_AT"]:
            sys.meta_path.remove(self)
            if os.environ.get("CTRL_C_IN_STRING"):  # inside code run from a string, as a dataclass's methods
                exec("signal.raise_signal(signal.SIGINT)")
            signal.raise_signal(signal.SIGINT)
        return None


sys.meta_path.insert(0, CtrlCAt())
"""


@pytest.fixture(autouse=True)
def ctrl_c_not_ignored() -> Iterator[None]:
    """Children start with Ctrl-C at its default, as a command typed at a terminal does: a shell starts a
    background job (``make test &``) with SIGINT ignored, which a child would inherit (and Python keeps an
    ignored SIGINT ignored: the command would run to its end)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _run_with_ctrl_c_at(
    module: str, command: list[str], tmp_path: Path, in_string: bool = False
) -> subprocess.CompletedProcess[str]:
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(CTRL_C_HOOK)
    env = dict(os.environ, CTRL_C_AT=module, CTRL_C_IN_STRING="1" if in_string else "")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_the_entry_module_loads_nothing_heavy() -> None:
    """What the console script imports before ``main`` runs (where nothing can catch a Ctrl-C) is the package's
    ``__init__`` and ``backstride.cli``'s: neither imports anything, not even typing."""
    code = "import sys; import backstride.cli; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names = set(loaded.stdout.split())
    assert {"backstride", "backstride.cli"} <= names
    assert not {"typing", "typer", "rich", "backstride.cli._app", "backstride._errors"} & names
    assert backstride.cli.main.__module__ == "backstride.cli"


@pytest.mark.parametrize("how", list(COMMANDS))
@pytest.mark.parametrize(
    "module",
    [
        "backstride.cli._app",  # main's own import of the application
        "typer",
        "typer._click",  # the click that typer carries
        "backstride.cli._clinic",  # a command's module, while the commands are registered
        "rich.console",  # while the help is drawn (typer already runs the command line)
    ],
)
def test_ctrl_c_while_the_command_line_loads_is_one_line(how: str, module: str, tmp_path: Path) -> None:
    done = _run_with_ctrl_c_at(module, [*COMMANDS[how], "--help"], tmp_path)
    assert (done.returncode, done.stderr) == (INTERRUPTED, ONE_LINE)
    assert "Usage" not in done.stdout  # stopped: the help was not printed


@pytest.mark.parametrize("how", list(COMMANDS))
def test_a_ctrl_c_inside_code_run_from_a_string_exits_130_too(how: str, tmp_path: Path) -> None:
    """CPython notes a KeyboardInterrupt that ends code run from a string even when it is caught, and then
    ended ``python -m backstride`` by SIGINT after the line (exit -2 to a parent process, not 130)."""
    done = _run_with_ctrl_c_at("typer", [*COMMANDS[how], "--help"], tmp_path, in_string=True)
    assert (done.returncode, done.stderr) == (INTERRUPTED, ONE_LINE)


def test_a_ctrl_c_python_wraps_while_a_class_is_made_is_one_line_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python 3.11 turns a Ctrl-C that lands in a descriptor's ``__set_name__`` (``platform``'s ``uname_result``,
    imported by typer) into a RuntimeError caused by it; that is an interrupt too. Another RuntimeError is not."""
    import backstride.cli._app as app_module

    def interrupted_while_a_class_is_made(argv: object) -> int:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError(
                "Error calling __set_name__ on 'cached_property' instance 'processor'"
            ) from exc

    monkeypatch.setattr(app_module, "run", interrupted_while_a_class_is_made)
    assert backstride.cli.main(["--help"]) == backstride.cli.INTERRUPTED_EXIT
    assert capsys.readouterr().err == "backstride: interrupted\n"

    def broken(argv: object) -> int:
        raise RuntimeError("a real bug")

    monkeypatch.setattr(app_module, "run", broken)
    with pytest.raises(RuntimeError, match="a real bug"):
        backstride.cli.main(["--help"])


def test_ctrl_c_while_a_command_runs_is_one_line(tmp_path: Path, shared_data: Path) -> None:
    """typer ends a command stopped by Ctrl-C with exit 130 and no word; the CLI says it."""
    imu = shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"
    done = _run_with_ctrl_c_at("backstride.io", [str(SCRIPT), "analyze", str(imu)], tmp_path)
    assert (done.returncode, done.stderr, done.stdout) == (INTERRUPTED, ONE_LINE, "")


def test_a_command_that_reports_its_interrupt_says_only_its_own_line(
    tmp_path: Path, shared_data: Path
) -> None:
    """``batch`` says what it kept; the CLI adds no second line."""
    imu = shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"
    out = tmp_path / "results"
    done = _run_with_ctrl_c_at(
        "backstride.batch", [str(SCRIPT), "batch", str(imu), "--out", str(out)], tmp_path
    )
    assert (done.returncode, done.stderr) == (INTERRUPTED, "backstride: interrupted; nothing was started\n")
    assert not out.exists()


def test_main_says_an_interrupt_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same, called as a function (as the tests and ``python -m`` call it): a Ctrl-C while the
    application runs is the one line and 130, returned (nothing raised)."""
    from backstride.cli import _app

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_app, "app", interrupted)
    assert backstride.cli.main(["--help"]) == INTERRUPTED
    assert capsys.readouterr().err == ONE_LINE


# ------------------------------------------------------------------- a Ctrl-C from outside, by the clock

PACKAGE = Path(backstride.__file__).resolve().parent
# The package's files a traceback may pass through when the Ctrl-C came before ``backstride.cli.main`` ran:
# the console script's first line (``from backstride.cli import main``) loading its two small modules
BEFORE_MAIN = {PACKAGE / "__init__.py", PACKAGE / "__main__.py", PACKAGE / "cli" / "__init__.py"}
CLI_LIBRARIES = {"typer", "rich", "click"}
FRAME = re.compile(r'^  File "([^"]+)", line \d+, in (\S+)$', re.MULTILINE)


def _before_main(stderr: str) -> bool:
    """Is ``stderr`` Python's report of a Ctrl-C that came before ``backstride.cli.main`` ran: in Python's own
    start-up (its site module and the environment's .pth files, runpy for ``-m``) or the console script's
    first line, with no frame of ``main``, of the application or of the libraries it imports?"""
    frames = FRAME.findall(stderr)
    if "KeyboardInterrupt" not in stderr or not frames:
        return False
    for file, function in frames:
        if file.startswith("<"):  # <frozen ...>, <string> (a .pth file's line)
            continue
        path = Path(file).resolve()
        if path.is_relative_to(PACKAGE) and not (path in BEFORE_MAIN and function == "<module>"):
            return False
        if CLI_LIBRARIES & set(path.parts):
            return False
    return True


def _outcome(code: int, out: str, err: str) -> str:
    if (code, err) == (INTERRUPTED, ONE_LINE):
        return LINE
    if code == 0 and not err and "Usage" in out:
        return FINISHED
    if code == -signal.SIGINT and not err:
        # Python takes SIGINT from its start-up (before: the system's default, the process ends without a
        # word, which a shell reports as exit 130) until it shuts down (the help printed, the same)
        return FINISHED if "Usage" in out else "ended by the signal before Python took it"
    if _before_main(err):
        return "before backstride.cli.main existed (Python's start-up, the console script's import line)"
    return f"WRONG: exit {code}, stderr {err[-600:]!r}"


LINE = "one line, exit 130"
FINISHED = "finished before the signal"


def _ctrl_c_after(command: list[str], delay: float) -> str:
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if delay:
        time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return _outcome(proc.returncode, out, err)


@pytest.mark.parametrize("how", list(COMMANDS))
def test_ctrl_c_from_outside_at_any_moment_of_start_up(how: str) -> None:
    """SIGINT right after the process started and at moments through its start-up (0.02, 0.05, 0.1 s): never
    Python's traceback from the command line's start-up, and the one line wherever the command line can say it.

    Every run is accounted for. One that finished before its signal arrived is counted, not failed (a fast
    machine); so are the moments before ``backstride.cli.main`` exists, which the package cannot cover (the
    interpreter's own start-up, the console script's first line): a few ms, longer on a loaded machine. The
    first run is signalled at once and must not have finished. At least one run must end with the line: on a
    loaded machine, where the fixed moments may all fall before main, more runs are signalled at fractions of
    a whole run's time, measured again each time."""
    command = [*COMMANDS[how], "--help"]
    outcomes = [(delay, _ctrl_c_after(command, delay)) for delay in (0.0, 0.02, 0.05, 0.1)]
    for fraction in (0.5, 0.3, 0.7, 0.4, 0.6, 0.5, 0.3, 0.7):
        if any(what == LINE for _, what in outcomes):
            break
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, timeout=120)
        delay = fraction * (time.perf_counter() - started)
        outcomes.append((delay, _ctrl_c_after(command, delay)))
    counts = Counter(what for _, what in outcomes)
    summary = f"{how} --help, {len(outcomes)} runs: {dict(counts)}; by moment: {outcomes}"
    assert not [what for _, what in outcomes if what.startswith("WRONG")], summary
    assert outcomes[0][1] != FINISHED, summary
    assert counts[LINE] >= 1, summary
    assert sum(counts.values()) == len(outcomes) >= 4
