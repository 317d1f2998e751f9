"""A new way in for an account, as the clinician's page of a patient and the administrator's Staff page give it:
a first-login link or a generated password, shown once; or the same given while reopening a closed account.
The rules are the store's (``store.new_first_login``, ``new_password``, ``reopen_account``); this module only
makes the secret outside the transaction (argon2 is slow) and applies it inside, in one place for both pages."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from backstride._accounts import hash_password, random_password, token_digest
from backstride._errors import InputError

#: The two kinds of a new way in the pages' buttons send.
ACCESS_KINDS = ("link", "password")


@dataclass(frozen=True)
class WayIn:
    """A new first-login link's token or a generated password (and its hash), made before the transaction."""

    password: str | None
    password_hash: str | None
    token: str | None

    @classmethod
    def new(cls, kind: str) -> WayIn:
        if kind == "password":
            password = random_password()
            return cls(password, hash_password(password), None)
        return cls(None, None, secrets.token_urlsafe(24))


@dataclass(frozen=True)
class Given:
    """What the account had before (a password?) and when a new link lapses (None for a password)."""

    had_password: bool
    lapses: dt.datetime | None


def give_way_in(
    db: Any,
    account: Any,
    way: WayIn,
    *,
    reopen: bool,
    by_id: int,
    settings: Any,
    closed_hint: str,
) -> Given:
    """Give ``account`` the new ``way`` in (reopening it first with ``reopen``); a closed account without
    ``reopen`` is refused (``InputError`` naming it and ``closed_hint``: where its reopening buttons are), as is
    an open one with ``reopen`` (the store's)."""
    from backstride import store

    if reopen:
        store.reopen_account(db, account.id, by_id=by_id)
    elif account.is_closed:
        raise InputError(
            f"{account.name}'s account is closed: reopen it with {closed_hint} to give a new first-login link or "
            "password."
        )
    had_password = account.password_hash is not None
    lapses = None
    if way.password_hash is not None:
        store.new_password(
            db, account.id, way.password_hash, session_max_age_s=settings.session_max_age_s, by_id=by_id
        )
    if way.token is not None:
        store.new_first_login(db, account.id, token_digest(way.token), by_id=by_id)
        lapses = store.first_login_lapses(account, settings.first_login_max_age_s)
    return Given(had_password, lapses)
