"""The ``backstride db`` command group: database maintenance."""

from __future__ import annotations

import typer


def register_db(app: typer.Typer) -> None:
    """Add the ``db`` group (``backstride db upgrade``, ``backstride db status``) to ``app``."""
    db = typer.Typer(
        name="db",
        help="Create or update the clinic database.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @db.command("upgrade")
    def upgrade_cmd(
        database_url: str | None = typer.Option(
            None,
            "--database-url",
            help="Database (default: $BACKSTRIDE_DATABASE_URL, else SQLite in the user's data folder).",
        ),
        revision: str = typer.Option("head", help="Revision to migrate to (default: the newest)."),
    ) -> None:
        """Create the tables, or bring an existing database up to date (safe to run again).

        Another program's database is refused, and so is a revision the database is already past.
        """
        from backstride._errors import InputError
        from backstride.store._db import database_url as default_url
        from backstride.store._migrate import database_state, upgrade

        url = database_url or default_url()
        try:
            before = database_state(url)
            upgrade(url, revision)
            after = database_state(url)
        except InputError:
            raise
        except Exception as exc:  # connection refused, bad credentials, unknown revision...
            raise InputError(f"could not upgrade the database at {_redact(url)}: {_why(exc)}") from exc
        was = before.revision if before is not None else None
        now = after.revision if after is not None else None
        if before is None or not before.tables:
            typer.echo(f"database {_redact(url)} created at revision {now}")
        elif was == now:
            typer.echo(f"database {_redact(url)} is already at revision {now}; nothing to do")
        else:
            typer.echo(f"database {_redact(url)} upgraded from revision {was or 'none'} to revision {now}")

    @db.command("status")
    def status_cmd(
        database_url: str | None = typer.Option(None, "--database-url", help="Database to inspect."),
    ) -> None:
        """Say which revision the database is at and whether it is up to date (writes nothing)."""
        from backstride._errors import InputError
        from backstride.store._db import database_url as default_url
        from backstride.store._db import sqlite_path
        from backstride.store._migrate import check_backstride, database_state, head_revision

        url = database_url or default_url()
        try:
            state = database_state(url)
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"could not read the database at {_redact(url)}: {_why(exc)}") from exc
        if state is None:
            raise InputError(
                f"no database at {sqlite_path(url)} (give --database-url, or create one: backstride db upgrade)"
            )
        check_backstride(state, f"the database at {_redact(url)}")
        rev, head = state.revision, head_revision()
        status = "up to date" if rev == head else "needs `backstride db upgrade`"
        typer.echo(f"database {_redact(url)}: revision {rev or 'none'}, newest {head} ({status})")

    app.add_typer(db)


#: ``cli/_web.py`` calls ``register``; the name ``register_db`` is the documented one.
register = register_db


def _why(exc: BaseException) -> str:
    """The first line of a database error's own message (without SQLAlchemy's background link)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _redact(url: str) -> str:
    """The URL without its password."""
    from backstride.store._migrate import redacted

    return redacted(url)
