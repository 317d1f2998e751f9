"""The ``backstride db`` command group: database maintenance (upgrade, status, backup)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from backstride._words import plural

if TYPE_CHECKING:
    from backstride._errors import InputError
    from backstride.store._migrate import DatabaseState


def register_db(app: typer.Typer) -> None:
    """Add the ``db`` group (``backstride db upgrade``, ``status``, ``backup``) to ``app``."""
    db = typer.Typer(
        name="db",
        help="Create, update or back up the clinic database.",
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
        from backstride.store._db import database_url as default_url
        from backstride.store._migrate import head_revision

        url = database_url or default_url()
        state = existing_state(url)
        rev, head = state.revision, head_revision()
        status = "up to date" if rev == head else "needs `backstride db upgrade`"
        typer.echo(f"database {_redact(url)}: revision {rev or 'none'}, newest {head} ({status})")

    @db.command("backup")
    def backup_cmd(
        folder: Path = typer.Argument(..., help="A new folder for the backup (it must not exist yet)."),
        database_url: str | None = typer.Option(
            None,
            "--database-url",
            help="Database (default: $BACKSTRIDE_DATABASE_URL, else SQLite in the user's data folder).",
        ),
        blob_dir: Path | None = typer.Option(
            None,
            "--blob-dir",
            help="The clinic's folder of uploaded recordings (default: $BACKSTRIDE_BLOB_DIR, else blobs/ "
            "beside the database), as serve is given it.",
        ),
    ) -> None:
        """Back up a SQLite clinic, also while the app runs: the database and every uploaded recording.

        Into a new folder (clinic.db and blobs/), checked before it is complete; a backup that fails leaves
        nothing behind. A PostgreSQL clinic is backed up with pg_dump and a copy of its blob folder.
        """
        from backstride.store._backup import backup_sqlite
        from backstride.store._db import database_url as default_url
        from backstride.store._db import default_blob_dir, sqlite_path

        url = database_url or default_url()
        if sqlite_path(url) is not None:  # (PostgreSQL: backup_sqlite says what to use instead)
            existing_state(url)
        made = backup_sqlite(url, blob_dir if blob_dir is not None else default_blob_dir(url), folder)
        typer.echo(
            f"backed up {plural(made.patients, 'patient')} and {plural(made.recordings, 'recording')} "
            f"({plural(made.files, 'file')}, "
            f"{made.bytes / 1e6:.1f} MB) to {made.folder}"
        )
        typer.echo(
            f"to use it: backstride serve --database-url {made.database_url} --blob-dir {made.blob_dir} "
            "(or, with the app stopped, put both back in place)"
        )

    app.add_typer(db)


#: ``cli/_web.py`` calls ``register``; the name ``register_db`` is the documented one.
register = register_db


def existing_state(url: str) -> DatabaseState:
    """The state of the backstride database at ``url``, read without writing; one readable refusal when it
    cannot be read, is not there (nothing is created) or is another program's (``check_backstride``)."""
    from backstride._errors import InputError
    from backstride.store._db import sqlite_path
    from backstride.store._migrate import check_backstride, database_state

    try:
        state = database_state(url)
    except InputError:
        raise
    except Exception as exc:  # connection refused, bad credentials...
        raise InputError(f"could not read the database at {_redact(url)}: {_why(exc)}") from exc
    if state is None:
        raise InputError(
            f"no database at {sqlite_path(url)} (give --database-url, or create one: backstride db upgrade)"
        )
    check_backstride(state, f"the database at {_redact(url)}")
    return state


def _why(exc: BaseException) -> str:
    """The first line of a database error's own message (without SQLAlchemy's background link), what a damaged
    database put in it shown escaped (:func:`backstride._words.plain`)."""
    from backstride._words import plain

    text = str(getattr(exc, "orig", None) or exc).strip()
    return plain(text.splitlines()[0], 200) if text else type(exc).__name__


DAMAGED_RECORD_ERRORS = (ValueError, KeyError, TypeError, AttributeError)
"""What reading a record whose stored text a damaged database changed raises (JSON that is no JSON, a date
that is no date, a plan of the wrong shape): found by fuzzing the commands on databases with bytes changed."""


def damaged_record(where: str, exc: BaseException) -> InputError:
    """The refusal of a command that met a record it cannot read in ``where`` ("the database at ..."), in one
    line with the error's kind and first words: a traceback said nothing else, and said it as a crash."""
    from backstride._errors import InputError

    return InputError(
        f"{where} holds a record that cannot be read ({type(exc).__name__}: {_why(exc)}): is it damaged? "
        "Restore it from a backup (backstride db backup checks the copy it makes); nothing was written"
    )


def _redact(url: str) -> str:
    """The URL without its password."""
    from backstride.store._migrate import redacted

    return redacted(url)
