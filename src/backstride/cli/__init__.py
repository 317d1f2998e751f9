"""The ``backstride`` command line: a thin shell over the library.

Each concern registers its commands from its own module (``_gait``, ``_activity``, ``_clinic``, ``_web``,
``_export``, ``_batch``);
heavy imports happen inside the commands, so ``backstride --help`` stays fast. Every
:class:`~backstride.BackstrideError` ends as one readable line on stderr and a non-zero exit.
"""

from __future__ import annotations

import sys

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


_register()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn expected errors into one line and an exit code (usage errors exit 2)."""
    try:
        app(args=argv, prog_name="backstride")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except BackstrideError as exc:
        typer.echo(f"backstride: error: {exc}", err=True)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
