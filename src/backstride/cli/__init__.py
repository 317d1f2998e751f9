"""The ``backstride`` command line: a thin shell over the library.

This module is the entry point (``backstride`` and ``python -m backstride`` call :func:`main`) and imports
nothing itself: the application (typer, rich and every command's module, most of a command's start-up time)
is imported inside :func:`main`'s handling of Ctrl-C, so an interrupt at any moment, while the command line
loads as while a command runs, ends as one line on stderr and exit status 130. Every
:class:`~backstride.BackstrideError` ends as one readable line on stderr and a non-zero exit.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from backstride.cli._app import app as app

# Exit status of a run stopped by Ctrl-C: 128 + SIGINT, as a shell reports a program the signal ended
INTERRUPTED_EXIT = 130


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn expected errors into one line and an exit code (usage errors exit 2, Ctrl-C 130)."""
    try:
        from backstride.cli._app import run

        code = run(argv)
    except (KeyboardInterrupt, RuntimeError) as exc:
        if not _interrupted(exc):
            raise
        # written without typer: the interrupt may have come while typer itself was being imported
        try:
            sys.stderr.write("backstride: interrupted\n")
            sys.stderr.flush()
        except OSError:  # stderr closed (a pipe whose reader went away): the exit status still says it
            pass
        code = INTERRUPTED_EXIT
    if code == INTERRUPTED_EXIT:
        # CPython notes a Ctrl-C that ends code run from a string (a dataclass's generated methods, a
        # namedtuple's) even when it is caught, and ``python -m`` then ends the process by SIGINT instead of
        # exit 130; a string run to its end clears the note (``Python/pythonrun.c``, run_eval_code_obj)
        exec("")
    return code


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is a Ctrl-C, or an error a Ctrl-C caused: Python 3.11 wraps one that arrives while a class
    is made (in a descriptor's ``__set_name__``, as ``platform`` has while typer is imported) in a RuntimeError
    whose cause it is."""
    seen: BaseException | None = exc
    for _ in range(8):  # a chain of causes is short; a cycle must not hang the exit
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def __getattr__(name: str) -> object:
    """``backstride.cli.app``, the typer application, imported when first asked for."""
    if name == "app":
        from backstride.cli._app import app

        return app
    raise AttributeError(f"module 'backstride.cli' has no attribute {name!r}")
