"""Sign-in records kept in the database instead of a server's memory: sessions signed out before their time
(``ended_sessions``), a user's sessions ended by a password change (``session_cutoffs``) and wrong passwords
for the sign-in limits (``signin_failures``), so a restart forgets none of them and every server process on
one database sees the others'.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ended_sessions",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce_hash", name=op.f("pk_ended_sessions")),
    )
    op.create_index(op.f("ix_ended_sessions_until"), "ended_sessions", ["until"], unique=False)
    op.create_table(
        "session_cutoffs",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("issued_up_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kept_nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_session_cutoffs")),
    )
    op.create_index(op.f("ix_session_cutoffs_until"), "session_cutoffs", ["until"], unique=False)
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_failures")),
    )
    op.create_index(
        op.f("ix_signin_failures_account_key"), "signin_failures", ["account_key", "at"], unique=False
    )
    op.create_index(op.f("ix_signin_failures_address"), "signin_failures", ["address", "at"], unique=False)
    op.create_index(op.f("ix_signin_failures_at"), "signin_failures", ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("signin_failures")
    op.drop_table("session_cutoffs")
    op.drop_table("ended_sessions")
