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
        """Create the tables, or bring an existing database up to date (safe to run again)."""
        from backstride._errors import InputError
        from backstride.store._db import database_url as default_url
        from backstride.store._migrate import current_revision, upgrade

        url = database_url or default_url()
        try:
            upgrade(url, revision)
            rev = current_revision(url)
        except InputError:
            raise
        except Exception as exc:  # connection refused, bad credentials, unknown revision...
            raise InputError(f"could not upgrade the database at {_redact(url)}: {_why(exc)}") from exc
        typer.echo(f"database {_redact(url)} is at revision {rev}")

    @db.command("status")
    def status_cmd(
        database_url: str | None = typer.Option(None, "--database-url", help="Database to inspect."),
    ) -> None:
        """Say which revision the database is at and whether it is up to date."""
        from backstride._errors import InputError
        from backstride.store._db import database_url as default_url
        from backstride.store._migrate import current_revision, head_revision

        url = database_url or default_url()
        try:
            rev = current_revision(url)
        except Exception as exc:
            raise InputError(f"could not read the database at {_redact(url)}: {_why(exc)}") from exc
        head = head_revision()
        state = "up to date" if rev == head else "needs `backstride db upgrade`"
        typer.echo(f"database {_redact(url)}: revision {rev or 'none'}, newest {head} ({state})")

    app.add_typer(db)


#: ``cli/_web.py`` calls ``register``; the name ``register_db`` is the documented one.
register = register_db


def _why(exc: BaseException) -> str:
    """The first line of a database error's own message (without SQLAlchemy's background link)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _redact(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database>"
