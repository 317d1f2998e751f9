"""The ``backstride users`` command group: the clinic's accounts, set up without Python.

A clinic's own database starts empty, and the web app only lets a clinician add patients: the first clinician
(or an administrator) is made here, and so is a way back in for anybody who lost their password or whose
first-login link lapsed. A link or a password is printed once and kept only as a digest or a hash. An account
is closed here too when a clinician leaves or a patient's care ends (nobody signs in as them, every record stays),
and reopened with a new way in.

Patients are not made here: they need a profile and a care link, which their clinician gives in the web app.
Every command refuses a database that is not backstride's at the newest revision, so nothing is written into
one ``backstride db upgrade`` has not brought up to date.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer

from backstride._words import plural
from backstride.cli._clinicdb import _DATABASE_HELP, _account, _database, _refuse

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from backstride.store import User

#: The roles ``users add`` makes; patients come from their clinician in the web app.
STAFF_ROLES = ("clinician", "admin")
#: Where a first-login link points when no public address is given: ``backstride serve``'s own default.
LOCAL_ADDRESS = "http://127.0.0.1:8000"

_PUBLIC_URL_HELP = (
    "The address the app is reached at, e.g. https://clinic.example.org, for the first-login link "
    "(default: $BACKSTRIDE_PUBLIC_URL, else http://127.0.0.1:8000)."
)
_PASSWORD_HELP = "Print a generated password instead of a first-login link."
_REASON_HELP = "Why it is closed (required), kept with the account: left the clinic, discharged..."


def register_users(app: typer.Typer) -> None:
    """Add the ``users`` group (``add``, ``list``, ``access``, ``link``, ``unlink``, ``close``, ``reopen``) to
    ``app``."""
    users = typer.Typer(
        name="users",
        help=(
            "Add clinicians and administrators, list the accounts, give somebody a way back in, close an account "
            "(a clinician left, a patient's care ended) and reopen it."
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @users.command("add")
    def add_cmd(
        email: str = typer.Argument(..., help="The new account's e-mail address (it signs in with it)."),
        name: str = typer.Option(..., "--name", help="The name shown in the app."),
        role: str = typer.Option("clinician", "--role", help="clinician or admin."),
        password: bool = typer.Option(False, "--password", help=_PASSWORD_HELP),
        public_url: str | None = typer.Option(None, "--public-url", help=_PUBLIC_URL_HELP),
        database_url: str | None = typer.Option(None, "--database-url", help=_DATABASE_HELP),
    ) -> None:
        """Add a clinician or an administrator, and print their first-login link once.

        With --password, a generated password instead. Patients are added by their clinician in the web app
        (they need a profile and a care link).
        """
        from backstride import store

        if role == "patient":
            _refuse(
                "patients are added by their clinician in the web app (New patient, /clinician/patients/new): "
                "they need a profile and a care link"
            )
        if role not in STAFF_ROLES:
            _refuse(f"--role must be clinician or admin, not {role!r}")
        public = None if password else _public_address(public_url)
        secret = _new_secret(password)
        with _database(database_url) as s:
            user = store.create_user(
                s,
                email,
                name,
                role,
                password_hash=secret.stored.get("password_hash"),
                first_login_token_hash=secret.stored.get("first_login_token_hash"),
            )
            said = f"Added {user.role} {user.name} <{user.email}>."
            lines = _hand_on(secret, user, public)
        typer.echo(said)
        for line in lines:
            typer.echo(line)

    @users.command("list")
    def list_cmd(
        role: str | None = typer.Option(None, "--role", help="Only this role: patient, clinician or admin."),
        database_url: str | None = typer.Option(None, "--database-url", help=_DATABASE_HELP),
    ) -> None:
        """List the accounts: role, e-mail, name, how they get in, and a clinician's number of patients.

        Never a password, a hash or a link; writes nothing.
        """
        from backstride import store

        if role is not None and role not in store.ROLES:
            _refuse(f"--role must be one of {', '.join(store.ROLES)}, not {role!r}")
        with _database(database_url, readonly=True) as s:
            accounts = store.users_list(s, (role,) if role else store.ROLES)
            lines = _account_lines(s, accounts)
        if not lines:
            typer.echo(f"no {role} accounts" if role else "no accounts yet (add one: backstride users add)")
        for line in lines:
            typer.echo(line)

    @users.command("access")
    def access_cmd(
        email: str = typer.Argument(..., help="The account's e-mail address."),
        password: bool = typer.Option(False, "--password", help=_PASSWORD_HELP),
        public_url: str | None = typer.Option(None, "--public-url", help=_PUBLIC_URL_HELP),
        database_url: str | None = typer.Option(None, "--database-url", help=_DATABASE_HELP),
    ) -> None:
        """Give an account (of any role) a way back in: a new first-login link, printed once.

        The link replaces any earlier one; the current password keeps working until it is used. With
        --password, a generated password instead, which ends the old password and every session of the account.
        A closed account is given one by users reopen.
        """
        from backstride._errors import InputError

        public = None if password else _public_address(public_url)
        secret = _new_secret(password)
        with _database(database_url) as s:
            user = _account(s, email)
            try:
                _give_way_in(s, user, secret)
            except InputError as exc:
                if not user.is_closed:
                    raise
                raise InputError(f"{exc}: backstride users reopen {user.email} does both") from None
            if secret.password is not None:
                after = (
                    "Their old password and any first-login link no longer work, and every session they had "
                    "signed in is ended: they sign in again with this password."
                )
            else:
                after = "Any earlier link no longer works. " + (
                    "Their current password and sessions keep working until this link is used; choosing a password "
                    "with it ends every other session of theirs."
                    if user.password_hash
                    else "They have no password yet: the link is their way in."
                )
            said = f"A new way in for {user.role} {user.name} <{user.email}>."
            lines = [*_hand_on(secret, user, public), after]
        typer.echo(said)
        for line in lines:
            typer.echo(line)

    @users.command("link")
    def link_cmd(
        clinician_email: str = typer.Argument(
            ..., help="The clinician's (or administrator's) e-mail address."
        ),
        patient_email: str = typer.Argument(..., help="The patient's e-mail address."),
        database_url: str | None = typer.Option(None, "--database-url", help=_DATABASE_HELP),
    ) -> None:
        """Let a clinician look after a patient too (a covering therapist).

        The patient then appears in that clinician's caseload as well. A closed patient's record can be given
        a clinician to read it; a closed clinician is reopened first. In the web app, the patient's page
        (Care team) and the administrator's Staff page do the same.
        """
        from backstride import store
        from backstride._errors import InputError

        with _database(database_url) as s:
            clinician, patient = _care_pair(s, clinician_email, patient_email)
            already = any(p.id == patient.id for p in store.patients_of(s, clinician.id))
            try:
                store.link_patient(s, clinician.id, patient.id)
            except InputError as exc:
                if not clinician.is_closed:
                    raise
                raise InputError(f"{exc} (backstride users reopen {clinician.email})") from None
            said = (
                f"{clinician.name} <{clinician.email}> "
                + ("already looks after" if already else "now looks after")
                + f" {patient.name} <{patient.email}>"
            )
        typer.echo(said)

    @users.command("unlink")
    def unlink_cmd(
        clinician_email: str = typer.Argument(
            ..., help="The clinician's (or administrator's) e-mail address."
        ),
        patient_email: str = typer.Argument(..., help="The patient's e-mail address."),
        database_url: str | None = typer.Option(None, "--database-url", help=_DATABASE_HELP),
    ) -> None:
        """End a clinician's care of a patient.

        The patient's record stays, and so do other clinicians' links to them.
        """
        from backstride import store

        with _database(database_url) as s:
            clinician, patient = _care_pair(s, clinician_email, patient_email)
            if not store.unlink_patient(s, clinician.id, patient.id):
                _refuse(f"{clinician.email} does not look after {patient.email}; nothing was changed")
            left = len(store.clinicians_of(s, patient.id))
            said = (
                f"{clinician.name} <{clinician.email}> no longer looks after {patient.name} <{patient.email}>"
            )
            if left == 0:
                said += " (no clinician looks after them now: link one with backstride users link)"
        typer.echo(said)

    @users.command("close")
    def close_cmd(
        email: str = typer.Argument(..., help="The account's e-mail address."),
        reason: str | None = typer.Option(None, "--reason", help=_REASON_HELP),
        database_url: str | None = typer.Option(None, "--database-url", help=_DATABASE_HELP),
    ) -> None:
        """Close an account: a clinician has left the clinic, a patient's care has ended.

        Their password and any first-login link stop working and every session of theirs ends at once; every
        record stays, and so do the care links. Closing a clinician names the patients no clinician with an
        open account looks after any more. users reopen opens it again.
        """
        from backstride import store
        from backstride._accounts import SESSION_MAX_AGE_S

        if reason is None:
            _refuse(
                "--reason is required: say why the account is closed (for example: discharged, care completed)"
            )
        with _database(database_url) as s:
            user = _account(s, email)
            store.close_account(s, user.id, reason, by_id=None, session_max_age_s=SESSION_MAX_AGE_S)
            lines = [
                f"Closed the account of {user.role} {user.name} <{user.email}> ({user.closed_reason}): they can "
                "no longer sign in and every session of theirs is ended; every record is kept; backstride users "
                f"reopen {user.email} opens it again."
            ]
            alone = store.patients_left_alone(s, user.id) if user.role in STAFF_ROLES else []
            if alone:
                lines.append(
                    f"No clinician with an open account looks after {len(alone)} of their patients in care now (link one "
                    "with backstride users link CLINICIAN PATIENT):"
                )
                lines += [f"  {patient.name} <{patient.email}>" for patient in alone]
        for line in lines:
            typer.echo(line)

    @users.command("reopen")
    def reopen_cmd(
        email: str = typer.Argument(..., help="The closed account's e-mail address."),
        password: bool = typer.Option(False, "--password", help=_PASSWORD_HELP),
        public_url: str | None = typer.Option(None, "--public-url", help=_PUBLIC_URL_HELP),
        database_url: str | None = typer.Option(None, "--database-url", help=_DATABASE_HELP),
    ) -> None:
        """Reopen a closed account and give it a way in, as users access does: a first-login link, printed once.

        With --password, a generated password instead. A closed account has no password left, so one of the two
        is always given: an account is never reopened with nobody able to use it.
        """
        from backstride import store

        public = None if password else _public_address(public_url)
        secret = _new_secret(password)
        with _database(database_url) as s:
            user = _account(s, email)
            closed_at = user.closed_at
            if closed_at is None:
                _refuse(
                    f"the account of {user.email} is open; backstride users access {user.email} gives a new way in"
                )
            said = (
                f"Reopened the account of {user.role} {user.name} <{user.email}>, closed on "
                f"{closed_at:%d %b %Y} ({user.closed_reason})."
            )
            store.reopen_account(s, user.id)
            _give_way_in(s, user, secret)
            lines = _hand_on(secret, user, public)
            if secret.token is not None:
                lines.append("Their old password no longer works: the link is their way in.")
        typer.echo(said)
        for line in lines:
            typer.echo(line)

    app.add_typer(users)


# --------------------------------------------------------------------------------------------- helpers
class _Secret:
    """A first-login token or a generated password, and what is stored of it (a digest, a hash)."""

    def __init__(self, *, token: str | None = None, password: str | None = None) -> None:
        from backstride._accounts import hash_password, token_digest

        self.token, self.password = token, password
        self.stored = (
            {"password_hash": hash_password(password)}
            if password is not None
            else {"first_login_token_hash": token_digest(token or "")}
        )


def _give_way_in(s: Session, user: User, secret: _Secret) -> None:
    """Store ``secret`` as the account's new way in (``InputError`` for a closed account): a generated password
    ends the old one, any link and every session; a link replaces any earlier link and leaves the password."""
    from backstride import store
    from backstride._accounts import SESSION_MAX_AGE_S

    if secret.password is not None:
        store.new_password(s, user.id, secret.stored["password_hash"], session_max_age_s=SESSION_MAX_AGE_S)
    else:
        store.new_first_login(s, user.id, secret.stored["first_login_token_hash"])


def _new_secret(password: bool) -> _Secret:
    import secrets

    from backstride._accounts import random_password

    return _Secret(password=random_password()) if password else _Secret(token=secrets.token_urlsafe(24))


def _public_address(given: str | None) -> str | None:
    """``--public-url``, else ``$BACKSTRIDE_PUBLIC_URL``, checked as ``serve`` checks it (None: neither)."""
    from backstride._accounts import public_url_of

    return public_url_of(given)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _hand_on(secret: _Secret, user: User, public: str | None) -> list[str]:
    """The lines that give the new way in, shown this once."""
    from urllib.parse import urlencode

    from backstride._accounts import FIRST_LOGIN_MAX_AGE_S
    from backstride.store import first_login_lapses

    if secret.password is not None:
        return [
            f"Password (shown only now; hand it on privately): {secret.password}",
            "They sign in with it at the app's /signin page and choose their own on its Change password page.",
        ]
    until = _when(first_login_lapses(user, FIRST_LOGIN_MAX_AGE_S))
    lines = [
        f"First-login link (shown only now; it works once, until {until}; hand it on privately):",
        f"  {public or LOCAL_ADDRESS}/welcome?{urlencode({'token': secret.token})}",
    ]
    if public is None:
        lines.append(
            f"The link is on {LOCAL_ADDRESS}, serve's own address: open it at the address the app is served on "
            "(give it with --public-url or $BACKSTRIDE_PUBLIC_URL)."
        )
    return lines


def _way_in(user: User, now: dt.datetime) -> str:
    """How the account gets in, in words; never the hash or the token."""
    from backstride._accounts import FIRST_LOGIN_MAX_AGE_S
    from backstride.store import first_login_lapses

    if user.closed_at is not None:
        return f"closed {user.closed_at:%d %b %Y} ({user.closed_reason})"
    link = None
    if user.first_login_token_hash:
        lapses = first_login_lapses(user, FIRST_LOGIN_MAX_AGE_S)
        link = f"first-login link until {lapses:%Y-%m-%d}" if lapses > now else "first-login link lapsed"
    if user.password_hash:
        return "password" if link is None or link.endswith("lapsed") else f"password, {link}"
    return link or "no password yet"


def _account_lines(s: Session, accounts: list[User]) -> list[str]:
    """One line per account, in columns: role, e-mail, name, how they get in and (staff) their patients."""
    from backstride.store import patients_of, utcnow

    now = utcnow()
    email_width = max((len(user.email) for user in accounts), default=0)
    name_width = max((len(user.name) for user in accounts), default=0)
    lines = []
    for user in accounts:
        line = f"{user.role:<9}  {user.email:<{email_width}}  {user.name:<{name_width}}  {_way_in(user, now)}"
        if user.role in STAFF_ROLES:  # an administrator looks after patients too
            count = len(patients_of(s, user.id))
            line += f"; {plural(count, 'patient')}"
        lines.append(line)
    return lines


def _care_pair(s: Session, clinician_email: str, patient_email: str) -> tuple[User, User]:
    return _account(s, clinician_email, STAFF_ROLES), _account(s, patient_email, ("patient",))
