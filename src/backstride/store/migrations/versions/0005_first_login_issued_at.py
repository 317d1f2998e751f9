"""A new first-login link for an account that has one already, or whose first one lapsed or was lost: when it
was given (``users.first_login_issued_at``), so that it lapses counted from then, not from the day the account
was made.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not Alembic's batch mode: on SQLite batch mode copies a table, drops it and renames the copy,
# and dropping ``users`` with foreign keys on deletes every row that points at a user (every patient's data).
# SQLite adds and (since 3.35) drops a column in place.


def upgrade() -> None:
    op.add_column("users", sa.Column("first_login_issued_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "first_login_issued_at")
