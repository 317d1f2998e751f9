"""The clinic database as the account commands (``users``, ``audit``) open it, and the account they name.

Shared by those commands so that each refuses the same databases with the same words: one that is not
backstride's at the newest revision is never written to, and an e-mail address nobody has is one readable line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from backstride.store import User

_DATABASE_HELP = "Database (default: $BACKSTRIDE_DATABASE_URL, else SQLite in the user's data folder)."


def _refuse(message: str) -> NoReturn:
    from backstride._errors import InputError

    raise InputError(message)


@contextmanager
def _database(database_url: str | None, *, readonly: bool = False) -> Iterator[Session]:
    """A transaction on the clinic database, once it is known to be backstride's at the newest revision:
    committed at the end of the block, rolled back (nothing written) on any error. A database error becomes
    one line, worded as ``backstride db`` words it."""
    from sqlalchemy.exc import SQLAlchemyError

    from backstride._errors import InputError
    from backstride.cli._db import DAMAGED_RECORD_ERRORS, _redact, _why, damaged_record, existing_state
    from backstride.store import make_engine, transaction
    from backstride.store._db import database_url as default_url
    from backstride.store._migrate import head_revision

    url = database_url or default_url()
    where = f"the database at {_redact(url)}"
    state = existing_state(url)
    head = head_revision()
    if state.revision != head:
        raise InputError(
            f"{where} is at revision {state.revision or 'none'}, not the newest ({head}): bring it up to date "
            "with backstride db upgrade first; nothing was written"
        )
    engine = make_engine(url)
    try:
        with transaction(engine, readonly=readonly) as s:
            yield s
    except SQLAlchemyError as exc:
        raise InputError(f"could not {'read' if readonly else 'write to'} {where}: {_why(exc)}") from exc
    except DAMAGED_RECORD_ERRORS as exc:
        raise damaged_record(where, exc) from exc
    finally:
        engine.dispose()


def _account(s: Session, email: str, role: tuple[str, ...] | None = None) -> User:
    """The account with this e-mail (of one of ``role``), else one readable refusal."""
    from backstride.store import get_user_by_email, normalize_email

    address = normalize_email(email)
    user = get_user_by_email(s, address)
    if user is None:
        _refuse(f"no account has the e-mail address {address} (see backstride users list)")
    if role is not None and user.role not in role:
        _refuse(f"{address} is a {user.role}, not a {' or '.join(role)}")
    return user
