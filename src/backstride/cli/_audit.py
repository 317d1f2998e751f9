"""``backstride audit``: the clinic's audit trail at the command line, for the records officer's questions.

Who opened, exported or changed whose record or account, and when: a patient asks who has seen their record, a
clinic checks what a departing clinician did, a regulator asks for a period's exports. The trail is read, never
written, in one read-only transaction, newest first; ``--json`` gives every field for another program (a
spreadsheet, the clinic's own records). The store keeps the trail (:mod:`backstride.store._audit`); this module
only turns options into its filters and its entries into lines.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import typer

from backstride.cli._clinicdb import _DATABASE_HELP, _account, _database, _refuse

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from backstride.store import AuditEvent, User

#: How many entries are shown when ``--limit`` is not given (the newest).
DEFAULT_LIMIT = 50


def register_audit(app: typer.Typer) -> None:
    """Add the ``audit`` command to ``app``."""

    @app.command("audit")
    def audit_cmd(
        about: str | None = typer.Option(
            None, "--about", metavar="EMAIL", help="Only entries about this person's record or account."
        ),
        by: str | None = typer.Option(None, "--by", metavar="EMAIL", help="Only what this person did."),
        action: list[str] | None = typer.Option(
            None,
            "--action",
            metavar="ACTION",
            help="Only this action (give it again for more): " + ", ".join(_actions()) + ".",
        ),
        since: str | None = typer.Option(
            None, "--since", metavar="YYYY-MM-DD", help="From this day on (UTC), the day included."
        ),
        until: str | None = typer.Option(
            None, "--until", metavar="YYYY-MM-DD", help="Up to this day (UTC), the day included."
        ),
        limit: int = typer.Option(
            DEFAULT_LIMIT, "--limit", metavar="N", help="Show the newest N entries; 0 shows all."
        ),
        as_json: bool = typer.Option(
            False, "--json", help="Print one JSON array of the entries, with every field, instead of a table."
        ),
        database_url: str | None = typer.Option(None, "--database-url", help=_DATABASE_HELP),
    ) -> None:
        """Show the clinic's audit trail: who opened, exported or changed whose record or account, and when.

        Newest first: the newest 50 unless --limit says otherwise, and how many entries match.
        What was done at the server's command line (users, export-fhir, export-summary, export-plan) names nobody.
        Writes nothing.
        """
        from backstride import store

        actions = _checked_actions(action)
        first, after = _days(since, until)
        if limit < 0:
            _refuse(f"--limit must be a number of entries, 0 for all; not {limit}")
        with _database(database_url, readonly=True) as s:
            filters: dict[str, Any] = {
                "subject_id": _account(s, about).id if about is not None else None,
                "actor_id": _account(s, by).id if by is not None else None,
                "actions": actions,
                "since": first,
                "before": after,
            }
            # a limit beyond any trail's length (and beyond the database's 64-bit integers) shows them all
            entries = store.audit_trail(s, **filters, limit=limit if 0 < limit < 2**62 else None)
            if as_json:
                said = [_as_json(s, event) for event in entries]
            else:
                total = store.audit_trail_count(s, **filters) if entries else store.audit_trail_count(s)
                rows = [_row(s, event) for event in entries]
        if as_json:
            import json

            typer.echo(json.dumps(said, indent=2, ensure_ascii=False))
        elif not rows:
            typer.echo(f"no entries match (the audit trail has {total})" if total else _EMPTY)
        else:
            _print_table(rows, total)


_EMPTY = "the audit trail has no entries yet"
#: The width a table is given for a file or a pipe: wider than any row (a table takes only the width it needs).
_UNWRAPPED = 10_000


def _actions() -> list[str]:
    from backstride._audit_actions import AUDIT_ACTIONS  # not the store's: the help is drawn at every start

    return list(AUDIT_ACTIONS)


def _checked_actions(given: list[str] | None) -> list[str] | None:
    """The ``--action`` values (None: every action), each one of the trail's, else one readable refusal."""
    if not given:
        return None
    known = _actions()
    for name in given:
        if name not in known:
            _refuse(f"--action must be one of {', '.join(known)}; not {name!r}")
    return given


def _days(since: str | None, until: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``--since`` and ``--until``, whole UTC days both included, as the trail's ``since`` and ``before``."""
    first = _day("--since", since)
    last = _day("--until", until)
    if first is not None and last is not None and last < first:
        _refuse(f"--until {last} is before --since {first}: no entry could match")
    return (
        _midnight(first) if first is not None else None,
        # the calendar's last day has no day after it, and nothing comes after it: no upper bound
        _midnight(last + dt.timedelta(days=1)) if last is not None and last < dt.date.max else None,
    )


def _day(option: str, given: str | None) -> dt.date | None:
    if given is None:
        return None
    try:
        if len(given) != len("YYYY-MM-DD"):
            raise ValueError(given)
        return dt.date.fromisoformat(given)
    except ValueError:
        _refuse(f"{option} must be a day as YYYY-MM-DD, not {given!r}")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role}


def _as_json(s: Session, event: AuditEvent) -> dict[str, Any]:
    """Every field of an entry; ``actor`` is null for the command line (or an account no longer in the clinic)."""
    from backstride.store import AUDIT_ACTIONS, User

    return {
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "action": event.action,
        "action_words": AUDIT_ACTIONS[event.action],
        "actor": _person(s.get(User, event.actor_id) if event.actor_id is not None else None),
        "subject": _person(s.get(User, event.subject_id)),
        "detail": event.detail,
    }


def _row(s: Session, event: AuditEvent) -> tuple[str, str, str, str, str]:
    """An entry's cells: when (UTC), who, what, about whom, detail."""
    from backstride.store import AUDIT_ACTIONS, User, actor_words

    subject = s.get(User, event.subject_id)
    return (
        event.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        actor_words(s, event),
        AUDIT_ACTIONS[event.action],
        f"{subject.name} <{subject.email}>" if subject is not None else "",
        event.detail or "",
    )


def _print_table(rows: list[tuple[str, str, str, str, str]], total: int) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Audit trail, newest first", title_justify="left")
    table.add_column("when (UTC)", no_wrap=True)
    for header in ("who", "what", "about whom", "detail"):
        table.add_column(header, overflow="fold")  # on a narrow terminal an e-mail is folded, never cut short
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # a name or a reason is never read as markup
    console = Console(highlight=False, soft_wrap=False)
    if (
        not console.is_terminal
    ):  # a file or a pipe: one line per entry, whatever its length, for grep and diff
        console = Console(highlight=False, soft_wrap=False, width=_UNWRAPPED)
    console.print(table)
    shown = len(rows)
    console.print(f"{shown} {'entry' if shown == 1 else 'entries'} shown (of {total})", markup=False)
