"""Closed accounts: a patient whose care has ended or a clinician who has left stops signing in, and every record
stays; when the account was closed, by whom and why (``users.closed_at``, ``closed_by_id``, ``closed_reason``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_users_closed_by_id_users"


# Batch mode: SQLite cannot add a foreign key to a table in place, so Alembic copies ``users``; the migrations run
# with foreign keys off on SQLite (see env.py), so dropping the old table deletes nothing that points at a user.


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("closed_reason", sa.Text(), nullable=True))
        batch.create_foreign_key(op.f(_FK), "users", ["closed_by_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f(_FK), type_="foreignkey")
        batch.drop_column("closed_reason")
        batch.drop_column("closed_by_id")
        batch.drop_column("closed_at")
