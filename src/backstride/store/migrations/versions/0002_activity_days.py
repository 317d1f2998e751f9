"""Activity days: the walking figures a phone or watch computed (Apple Health, Garmin .fit), one row per
patient, source format, file and day.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 05:33:31.628585
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("source_format", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("walking_speed_mps", sa.Float(), nullable=True),
        sa.Column("step_length_m", sa.Float(), nullable=True),
        sa.Column("walking_asymmetry_pct", sa.Float(), nullable=True),
        sa.Column("double_support_pct", sa.Float(), nullable=True),
        sa.Column("walks", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_activity_days_patient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_days")),
        sa.UniqueConstraint(
            "patient_id", "source_format", "source", "date", name=op.f("uq_activity_days_patient_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("activity_days")
