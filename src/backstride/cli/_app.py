"""The ``backstride`` application: the typer app and every command's module registered on it.

Each concern registers its commands from its own module (``_gait``, ``_activity``, ``_clinic``, ``_web``,
``_export``, ``_batch``); heavy imports happen inside the commands, so ``backstride --help`` stays fast.
:func:`backstride.cli.main`, the entry point, imports this module inside its own handling of Ctrl-C.
"""

from __future__ import annotations

import typer

from backstride._errors import BackstrideError

app = typer.Typer(
    name="backstride",
    help="Walking measured from a lower-back sensor, and a pain-guided walking program.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from backstride.cli import _activity, _batch, _clinic, _export, _gait, _web

    for module in (_gait, _activity, _clinic, _web, _export, _batch):
        module.register(app)


@app.callback()
def _root() -> None:
    """Walking measured from a lower-back sensor, and a pain-guided walking program."""


@app.command()
def version() -> None:
    """Print the backstride version."""
    from backstride import __version__

    typer.echo(__version__)


def _paragraphs(doc: str) -> str:
    """A docstring as typer's rich help should show it: its paragraphs (split at blank lines), each joined
    into one line for the terminal to wrap. Kept as written, a line break inside a sentence (where the source
    wraps at 110 columns) would break the help there, at any terminal width."""
    return "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n") if p.strip())


def _unwrap_help(typer_app: typer.Typer) -> None:
    """Give every command (and every group's) help as :func:`_paragraphs` of its docstring."""
    import inspect

    for command in typer_app.registered_commands:
        if command.help is None and command.callback is not None:
            doc = inspect.getdoc(command.callback)
            if doc:
                command.help = _paragraphs(doc)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _unwrap_help(group.typer_instance)


_register()
_unwrap_help(app)


def run(argv: list[str] | None = None) -> int:
    """Run the application; a :class:`~backstride.BackstrideError` becomes one line on stderr and its exit
    code (usage errors exit 2). A Ctrl-C that typer turned into a silent exit is raised again as
    ``KeyboardInterrupt``, for :func:`backstride.cli.main` to say so; one a command reported itself (``batch``
    says what it kept) is only its exit code."""
    try:
        app(args=argv, prog_name="backstride")
    except SystemExit as exc:
        if _unreported_interrupt(exc):
            raise KeyboardInterrupt from None
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except BackstrideError as exc:
        typer.echo(f"backstride: error: {exc}", err=True)
        return exc.exit_code
    return 0


def _unreported_interrupt(exc: BaseException) -> bool:
    """Does the exception's chain, as a traceback would show it, lead back to a ``KeyboardInterrupt``?

    typer ends a command stopped by Ctrl-C with ``raise Exit(130) from`` the interrupt and then
    ``sys.exit(130)``, printing nothing; a command that reports the interrupt itself raises its exit ``from
    None``, which ends the chain there."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ if seen.__cause__ is not None or seen.__suppress_context__ else seen.__context__
    return False
