"""Who looks after a patient (their care team), as the clinician's page of a patient shows and changes it and the
administrator's Staff page hands a patient on with it: the team, the open accounts one can choose, and adding
one. The rules are the store's (``store.link_patient`` refuses a closed account, ``store.unlink_patient`` a
clinician leaving a patient nobody else with an open account looks after); this module reads the rows and words
a choice made on a page that was out of date, in one place for both pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backstride._errors import InputError

#: The staff roles, as the pages name them.
ROLE_NAMES = {"clinician": "Clinician", "admin": "Administrator"}


@dataclass(frozen=True)
class Member:
    """One clinician or administrator who looks after the patient; ``role`` as the page says it."""

    account: Any
    role: str
    #: Whether the page offers to remove them: the store's own rule (``store.check_unlink_patient``) for the
    #: one asking, so that "Remove" is not offered where it would be refused.
    removable: bool = True

    @property
    def closed(self) -> bool:
        return bool(self.account.is_closed)


def care_team(db: Any, patient_id: int, *, by_id: int | None = None) -> list[Member]:
    """The clinicians and administrators linked to the patient, closed accounts too (their link stays with the
    record), by name; each ``removable`` as the store would let ``by_id`` (the one asking) remove them."""
    from backstride import store

    accounts = [store.get_user(db, uid) for uid in store.clinicians_of(db, patient_id)]
    return [
        Member(a, ROLE_NAMES.get(a.role, a.role), _removable(db, a.id, patient_id, by_id))
        for a in sorted((a for a in accounts if a is not None), key=lambda a: (a.name, a.id))
    ]


def _removable(db: Any, clinician_id: int, patient_id: int, by_id: int | None) -> bool:
    from backstride import store

    try:
        return store.check_unlink_patient(db, clinician_id, patient_id, by_id=by_id)
    except InputError:
        return False


def choosable(db: Any, patient_id: int) -> list[Any]:
    """The clinic's open clinician and administrator accounts that do not look after the patient yet, by name:
    whom a page offers to add to the care team or to hand the patient on to."""
    from backstride import store

    linked = set(store.clinicians_of(db, patient_id))
    staff = store.users_list(db, tuple(ROLE_NAMES))
    return sorted((a for a in staff if not a.is_closed and a.id not in linked), key=lambda a: (a.name, a.id))


def add_to_care(db: Any, patient: Any, clinician_id: int | None, *, by_id: int) -> Any:
    """Link the clinician or administrator ``clinician_id`` (the id a page's list sent) to ``patient``, asked by
    ``by_id`` (the signed-in user), and return their account. ``InputError`` in words for the page when the choice no longer holds: nobody by that id (a
    forged form), an account closed since the page was shown, or one that already looks after the patient
    (another tab, another clinician); nothing is written then."""
    from backstride import store

    account = None if clinician_id is None else store.get_user(db, clinician_id)
    if account is None or account.role not in ROLE_NAMES:
        raise InputError(
            "The clinician chosen is not one of the clinic's clinicians or administrators: choose one from the "
            "list again."
        )
    if clinician_id in store.clinicians_of(db, patient.id):
        raise InputError(f"{account.name} already looks after {patient.name}: nothing was changed.")
    try:
        store.link_patient(db, account.id, patient.id, by_id=by_id)
    except InputError:
        if not account.is_closed:
            raise
        raise InputError(
            f"{account.name}'s account was closed on {account.closed_at:%d %b %Y}: choose another clinician "
            "(an administrator can reopen the account on the Staff page)."
        ) from None
    return account
