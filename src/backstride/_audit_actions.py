"""The audit trail's actions and their words, apart from the store so that the command line can name them in
its help without loading SQLAlchemy at every start (``backstride analyze`` never opens a database)."""

from __future__ import annotations

AUDIT_ACTIONS: dict[str, str] = {
    "account_added": "added the account",
    "signed_in": "signed in",
    "record_opened": "opened the record",
    "record_exported": "exported the record",
    "way_in_given": "gave a new way to sign in",
    "password_chosen": "chose a new password",
    "account_closed": "closed the account",
    "account_reopened": "reopened the account",
    "care_linked": "added a clinician to the care team",
    "care_unlinked": "took a clinician off the care team",
}
"""Every action the trail records, with the words that say it (after the actor's name)."""
