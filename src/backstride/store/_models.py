"""The tables, as SQLAlchemy 2 typed models.

JSON columns hold the clinic pydantic models' ``model_dump(mode="json")`` and the gait result's
``to_dict()``. Every timestamp is timezone-aware UTC on the way out, whatever the database (SQLite
keeps no zone; :class:`UTCDateTime` adds it back). Constraint names follow one naming convention so
Alembic migrations are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Role = Literal["patient", "clinician", "admin"]
NAME_MAX = 200
"""The longest name a user may have, characters (its column's width)."""
ROLES: tuple[str, ...] = get_args(Role)

LARGEST_ID = 2**31 - 1
"""The largest id a row can have on every database the store runs on: its ids are ``Integer`` columns, 32 bits
on PostgreSQL (SQLite's reach 2**63 - 1). A larger number, or one below 1, is no row's; looked up, PostgreSQL
fails on it (and SQLite on one beyond 2**63 - 1) where it should find nothing."""

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Now, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always returned timezone-aware (naive input is taken as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


JSONDict = dict[str, Any]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012
        dt.datetime: UTCDateTime(),
        JSONDict: JSON(),
    }


def _fk(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="CASCADE")


class User(Base):
    """A person who signs in: a patient, a clinician or an administrator."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('patient', 'clinician', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(500), default=None)
    first_login_token_hash: Mapped[str | None] = mapped_column(String(500), default=None)
    #: When the current first-login link was given, if after the account was made (a new link for a lost one).
    first_login_issued_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: When the account was closed (a patient's care ended, a clinician left): nobody signs in as this user
    #: until it is reopened; everything recorded stays. With who closed it (None: from the command line) and why.
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    closed_reason: Mapped[str | None] = mapped_column(Text, default=None)

    profile: Mapped[PatientProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_closed(self) -> bool:
        """Whether the account is closed (see ``closed_at``)."""
        return self.closed_at is not None

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r}, role={self.role!r})"


class PatientProfile(Base):
    """What the gait engine and the program need to know about a patient."""

    __tablename__ = "patient_profiles"
    __table_args__ = (CheckConstraint("sex IS NULL OR sex IN ('female', 'male')", name="sex"),)

    user_id: Mapped[int] = mapped_column(_fk("users.id"), primary_key=True)
    age: Mapped[float | None] = mapped_column(Float, default=None)
    sex: Mapped[str | None] = mapped_column(String(16), default=None)
    height_m: Mapped[float | None] = mapped_column(Float, default=None)
    sensor_height_m: Mapped[float | None] = mapped_column(Float, default=None)

    user: Mapped[User] = relationship(back_populates="profile")


class CareLink(Base):
    """A clinician looks after a patient."""

    __tablename__ = "care_links"
    __table_args__ = (UniqueConstraint("clinician_id", "patient_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    patient_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Screening(Base):
    """One red-flag screening: the answers, the urgency it came to, and the full triage result."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    answers: Mapped[JSONDict]
    urgency: Mapped[str] = mapped_column(String(40))
    result: Mapped[JSONDict]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class EnteredInError:
    """Columns of an entry a clinician can mark as entered in error (the wrong patient's file, a questionnaire
    filled in by mistake): it is kept, with who marked it, when and why, and left out of scores, plots, plans
    and reports; the FHIR export sends it with status ``entered-in-error`` so a receiving record corrects it."""

    entered_in_error_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    entered_in_error_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    entered_in_error_reason: Mapped[str | None] = mapped_column(Text, default=None)


class QuestionnaireResponse(EnteredInError, Base):
    """One filled-in questionnaire (ODI, RMDQ, ...) and its score."""

    __tablename__ = "questionnaire_responses"
    __table_args__ = (Index(None, "patient_id", "instrument", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("users.id"))
    instrument: Mapped[str] = mapped_column(String(40))
    answers: Mapped[JSONDict]
    score: Mapped[float | None] = mapped_column(Float, default=None)
    result: Mapped[JSONDict]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RecordingFile(EnteredInError, Base):
    """An uploaded sensor file; the bytes live in the blob store under ``sha256``."""

    __tablename__ = "recording_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    metadata_: Mapped[JSONDict] = mapped_column("metadata", JSON, default=dict)

    analyses: Mapped[list[GaitAnalysis]] = relationship(
        back_populates="recording",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="GaitAnalysis.id",
    )


class GaitAnalysis(Base):
    """The gait engine's result on one recording (the GaitResult JSON) and a few summary columns."""

    __tablename__ = "gait_analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(_fk("recording_files.id"), index=True)
    result: Mapped[JSONDict]
    walking_s: Mapped[float | None] = mapped_column(Float, default=None)
    n_bouts: Mapped[int | None] = mapped_column(Integer, default=None)
    median_speed_mps: Mapped[float | None] = mapped_column(Float, default=None)
    median_cadence_spm: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    recording: Mapped[RecordingFile] = relationship(back_populates="analyses")


class PlanVersion(Base):
    """One version of a patient's walking program; every version is kept."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("patient_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("users.id"))
    version: Mapped[int] = mapped_column(Integer)
    plan: Mapped[JSONDict]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DailyLog(Base):
    """A patient's log for one day (walking done, pain, red flags...); one row per patient and day."""

    __tablename__ = "daily_logs"
    __table_args__ = (UniqueConstraint("patient_id", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("users.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    log: Mapped[JSONDict]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TherapySessionRecord(Base):
    """A therapy session a clinician held with a patient."""

    __tablename__ = "therapy_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    clinician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    data: Mapped[JSONDict]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ClinicianNote(Base):
    """A free-text note by a clinician about a patient."""

    __tablename__ = "clinician_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("users.id"), index=True)
    clinician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ActivityDay(Base):
    """One day of the walking figures a phone or watch computed (an Apple Health export or a Garmin .fit
    file), as :class:`backstride.activity.DaySummary` gives them, in SI units.

    ``source_format`` keeps the kinds of source apart (``apple_health``, ``fit``) and ``source`` is the file
    the day came from: one row per patient, kind, file and day. An Apple Health export holds the whole
    history, so a newer one replaces the older one's days (one file per day remains); FIT files (a walk, a
    day's monitoring) stand side by side and :func:`backstride.activity.combine_days` makes one day of
    them. A figure the file did not give is NULL.
    """

    __tablename__ = "activity_days"
    __table_args__ = (UniqueConstraint("patient_id", "source_format", "source", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("users.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    source_format: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(255))
    steps: Mapped[int | None] = mapped_column(Integer, default=None)
    distance_m: Mapped[float | None] = mapped_column(Float, default=None)
    walking_speed_mps: Mapped[float | None] = mapped_column(Float, default=None)
    step_length_m: Mapped[float | None] = mapped_column(Float, default=None)
    walking_asymmetry_pct: Mapped[float | None] = mapped_column(Float, default=None)
    double_support_pct: Mapped[float | None] = mapped_column(Float, default=None)
    walks: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EndedSession(Base):
    """A session signed out before its time: the SHA-256 of its token's nonce, kept until the token would
    have lapsed anyway (``until``). Sessions are signed tokens with no row of their own; this is the list of
    the ones refused although their signature and age are good, kept in the database so that a restart, or
    another server process on the same database, refuses them too."""

    __tablename__ = "ended_sessions"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[dt.datetime] = mapped_column(index=True)


class SessionCutoff(Base):
    """Every session of a user issued up to ``issued_up_to`` is ended, but the one whose nonce hashes to
    ``kept_nonce_hash`` (their password was changed there); kept ``until`` the last of those would have lapsed.

    ``user_id`` is no foreign key: the row lapses by itself, and a sign-out must not fail on a user deleted
    meanwhile."""

    __tablename__ = "session_cutoffs"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    issued_up_to: Mapped[dt.datetime]
    kept_nonce_hash: Mapped[str] = mapped_column(String(64))
    until: Mapped[dt.datetime] = mapped_column(index=True)


class SignInFailure(Base):
    """One wrong password, for the sign-in limits: the SHA-256 of the e-mail address as typed (trimmed and
    lower-cased; any address, known or not, so the table names nobody who has no account), the client's
    network address and when. ``cleared``: a later sign-in to that account from that address took it off
    the account-and-address count (it still counts for the address and for the account). Rows are deleted
    once they are older than the limits' window."""

    __tablename__ = "signin_failures"
    __table_args__ = (Index(None, "account_key", "at"), Index(None, "address", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(255))
    at: Mapped[dt.datetime] = mapped_column(index=True)
    cleared: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEvent(Base):
    """One entry of the clinic's audit trail: who (``actor_id``; None from the command line) did what
    (``action``, one of :data:`backstride.store.AUDIT_ACTIONS`) about whose account or record (``subject_id``),
    when, with a line of detail (a reason, which export, which clinician). Rows are only ever added.

    The actor is kept if their account goes (``SET NULL``: the entry then says "an account no longer in the
    clinic"); the entries about somebody go with them."""

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "subject_id", "at"), Index(None, "actor_id", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    subject_id: Mapped[int] = mapped_column(_fk("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text, default=None)
