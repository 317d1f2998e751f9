"""Initial schema: users, patient profiles, care links, screenings, questionnaires, recordings, gait
analyses, plan versions, daily logs, therapy sessions and clinician notes.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 12:04:58.894822
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=500), nullable=True),
        sa.Column("first_login_token_hash", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('patient', 'clinician', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "care_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_care_links_clinician_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_care_links_patient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_links")),
        sa.UniqueConstraint("clinician_id", "patient_id", name=op.f("uq_care_links_clinician_id")),
    )
    with op.batch_alter_table("care_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_links_clinician_id"), ["clinician_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_links_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "clinician_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name=op.f("fk_clinician_notes_clinician_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_clinician_notes_patient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinician_notes")),
    )
    with op.batch_alter_table("clinician_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clinician_notes_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "daily_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("log", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_daily_logs_patient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_logs")),
        sa.UniqueConstraint("patient_id", "date", name=op.f("uq_daily_logs_patient_id")),
    )
    op.create_table(
        "patient_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("age", sa.Float(), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("height_m", sa.Float(), nullable=True),
        sa.Column("sensor_height_m", sa.Float(), nullable=True),
        sa.CheckConstraint("sex IS NULL OR sex IN ('female', 'male')", name=op.f("ck_patient_profiles_sex")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_patient_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_patient_profiles")),
    )
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_plan_versions_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_plan_versions_patient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint("patient_id", "version", name=op.f("uq_plan_versions_patient_id")),
    )
    op.create_table(
        "questionnaire_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=40), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["users.id"],
            name=op.f("fk_questionnaire_responses_patient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_responses")),
    )
    with op.batch_alter_table("questionnaire_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_questionnaire_responses_patient_id"),
            ["patient_id", "instrument", "created_at"],
            unique=False,
        )

    op.create_table(
        "recording_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_recording_files_patient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_files")),
    )
    with op.batch_alter_table("recording_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recording_files_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recording_files_sha256"), ["sha256"], unique=False)

    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("urgency", sa.String(length=40), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name=op.f("fk_screenings_patient_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screenings_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_screenings_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "therapy_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name=op.f("fk_therapy_sessions_clinician_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["users.id"],
            name=op.f("fk_therapy_sessions_patient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_sessions")),
    )
    with op.batch_alter_table("therapy_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_therapy_sessions_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "gait_analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("walking_s", sa.Float(), nullable=True),
        sa.Column("n_bouts", sa.Integer(), nullable=True),
        sa.Column("median_speed_mps", sa.Float(), nullable=True),
        sa.Column("median_cadence_spm", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recording_files.id"],
            name=op.f("fk_gait_analyses_recording_id_recording_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gait_analyses")),
    )
    with op.batch_alter_table("gait_analyses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gait_analyses_recording_id"), ["recording_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gait_analyses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gait_analyses_recording_id"))

    op.drop_table("gait_analyses")
    with op.batch_alter_table("therapy_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_therapy_sessions_patient_id"))

    op.drop_table("therapy_sessions")
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screenings_patient_id"))
        batch_op.drop_index(batch_op.f("ix_screenings_created_at"))

    op.drop_table("screenings")
    with op.batch_alter_table("recording_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recording_files_sha256"))
        batch_op.drop_index(batch_op.f("ix_recording_files_patient_id"))

    op.drop_table("recording_files")
    with op.batch_alter_table("questionnaire_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_responses_patient_id"))

    op.drop_table("questionnaire_responses")
    op.drop_table("plan_versions")
    op.drop_table("patient_profiles")
    op.drop_table("daily_logs")
    with op.batch_alter_table("clinician_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinician_notes_patient_id"))

    op.drop_table("clinician_notes")
    with op.batch_alter_table("care_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_links_patient_id"))
        batch_op.drop_index(batch_op.f("ix_care_links_clinician_id"))

    op.drop_table("care_links")
    op.drop_table("users")
