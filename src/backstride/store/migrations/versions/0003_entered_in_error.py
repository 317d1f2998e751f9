"""Entered in error: a questionnaire response or a recording a clinician marks as a mistake is kept, with who
marked it, when and why.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("questionnaire_responses", "recording_files")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("entered_in_error_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(sa.Column("entered_in_error_by_id", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("entered_in_error_reason", sa.Text(), nullable=True))
            batch.create_foreign_key(
                op.f(f"fk_{table}_entered_in_error_by_id_users"),
                "users",
                ["entered_in_error_by_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"fk_{table}_entered_in_error_by_id_users"), type_="foreignkey")
            batch.drop_column("entered_in_error_reason")
            batch.drop_column("entered_in_error_by_id")
            batch.drop_column("entered_in_error_at")
