"""Repository functions: plain functions taking a :class:`~sqlalchemy.orm.Session`.

They add, flush and query, but never commit: the caller's :func:`~backstride.store.transaction` decides.
Bad input (unknown role, e-mail already taken, a patient who does not exist...) raises
:class:`~backstride.InputError` with a message a person can act on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backstride._errors import InputError
from backstride.store._audit import log_event
from backstride.store._blobs import BlobStore
from backstride.store._models import (
    LARGEST_ID,
    NAME_MAX,
    ROLES,
    ActivityDay,
    CareLink,
    ClinicianNote,
    DailyLog,
    GaitAnalysis,
    PatientProfile,
    PlanVersion,
    QuestionnaireResponse,
    RecordingFile,
    Screening,
    TherapySessionRecord,
    User,
    utcnow,
)

if TYPE_CHECKING:
    from backstride.activity import ActivityData, DaySummary

JSONLike = Mapping[str, Any] | Any
Analyzer = Callable[[Path], tuple[str, dict[str, Any]]]

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SEXES = ("female", "male")


# --------------------------------------------------------------------------------------------- helpers
def to_json(obj: Any) -> dict[str, Any]:
    """A JSON object from a pydantic model (``model_dump(mode="json")``), a gait result (``to_dict()``)
    or a mapping of JSON values."""
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        value = dump(mode="json")
    elif callable(getattr(obj, "to_dict", None)):
        value = obj.to_dict()
    elif isinstance(obj, Mapping):
        try:
            value = json.loads(json.dumps(dict(obj), allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise InputError(f"cannot store this as JSON: {exc}") from exc
    else:
        raise InputError(f"expected a JSON object or a pydantic model, got {type(obj).__name__}")
    if not isinstance(value, dict):
        raise InputError("expected a JSON object")
    return value


def normalize_email(email: str) -> str:
    """Trimmed and lower-cased; :class:`InputError` if it does not look like an e-mail address."""
    value = email.strip().lower()
    if not _EMAIL_RE.match(value) or len(value) > 320:
        raise InputError(f"not an e-mail address: {email!r}")
    return value


def _require_user(session: Session, user_id: int, role: str | None = None) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise InputError(f"no user with id {user_id}")
    if role is not None and user.role != role:
        raise InputError(f"user {user_id} is a {user.role}, not a {role}")
    return user


def _require_patient(session: Session, patient_id: int) -> User:
    return _require_user(session, patient_id, "patient")


def lock_patient(session: Session, patient_id: int) -> User:
    """Hold the patient's row until the transaction ends, so changes to one patient's plan happen one at a
    time (PostgreSQL: ``SELECT ... FOR UPDATE``; SQLite lets one writer in at a time anyway)."""
    session.execute(select(User.id).where(User.id == patient_id).with_for_update())
    return _require_patient(session, patient_id)


# ------------------------------------------------------------------------------------------------ users
def create_user(
    session: Session,
    email: str,
    name: str,
    role: str,
    *,
    password_hash: str | None = None,
    first_login_token_hash: str | None = None,
    by_id: int | None = None,
) -> User:
    """Add a user (``by_id``: who added them, for the audit trail; None: the command line). The e-mail is stored
    lower-cased and must not be taken."""
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    email = normalize_email(email)
    name = name.strip()
    if not name:
        raise InputError("a name is required")
    if len(name) > NAME_MAX:  # the column's width: PostgreSQL refuses a longer one (SQLite would keep it)
        raise InputError(f"a name of at most {NAME_MAX} characters is needed (this one has {len(name)})")
    if get_user_by_email(session, email) is not None:
        raise InputError(f"{email} already has an account")
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=password_hash,
        first_login_token_hash=first_login_token_hash,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise InputError(f"{email} already has an account") from None
    log_event(session, "account_added", user.id, actor_id=by_id, detail=f"as {role}")
    return user


def row_id(text: str | None) -> int | None:
    """The row id ``text`` writes (a backstride number, a session's user), or None when it writes none: ASCII
    digits only (``str.isdigit`` also takes "²", which ``int`` refuses) and within 1..:data:`LARGEST_ID`."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(LARGEST_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= LARGEST_ID else None


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None (also for an id no row can have: see :data:`LARGEST_ID`)."""
    if not 1 <= user_id <= LARGEST_ID:
        return None
    return session.get(User, user_id)


def get_user_by_email(session: Session, email: str) -> User | None:
    """The user with this e-mail (case-insensitive), or None."""
    return session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()


def set_password_hash(session: Session, user_id: int, password_hash: str) -> User:
    """Store a new password hash the user chose themselves and clear the first-login token (``InputError`` for
    a closed account); the audit trail keeps when."""
    user = _require_open(session, user_id)
    user.password_hash = password_hash
    user.first_login_token_hash = None
    user.first_login_issued_at = None
    log_event(session, "password_chosen", user.id, actor_id=user.id)
    return user


def users_list(session: Session, roles: tuple[str, ...] = ROLES) -> list[User]:
    """Every user whose role is one of ``roles``, by role (as :data:`ROLES` orders them) and e-mail."""
    rank = {role: i for i, role in enumerate(ROLES)}
    users = session.scalars(select(User).where(User.role.in_(roles)).order_by(User.email)).all()
    return sorted(users, key=lambda user: rank[user.role])


def new_first_login(
    session: Session,
    user_id: int,
    token_hash: str,
    *,
    by_id: int | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Give ``user_id`` a new first-login link (``token_hash``, the SHA-256 of its token), in place of any
    earlier one, lapsing counted from ``now``; ``by_id`` gave it (None: the command line; the audit trail
    keeps who). A password the user has keeps working until the link is used: a link handed on by mistake
    locks nobody out. ``InputError`` for a closed account (:func:`reopen_account`)."""
    user = _require_open(session, user_id)
    moment = now or utcnow()
    user.first_login_token_hash = token_hash
    user.first_login_issued_at = moment
    log_event(session, "way_in_given", user.id, actor_id=by_id, detail="a first-login link", now=moment)
    return user


def first_login_issued(user: User) -> dt.datetime:
    """When ``user``'s first-login link was given: the account's making, unless a new link came later."""
    return user.first_login_issued_at or user.created_at


def first_login_lapses(user: User, max_age_s: float) -> dt.datetime:
    """When ``user``'s first-login link stops working: ``max_age_s`` after it was given (the web's sign-in, its
    pages and ``backstride users`` all count it so)."""
    return first_login_issued(user) + dt.timedelta(seconds=max_age_s)


def new_password(
    session: Session,
    user_id: int,
    password_hash: str,
    *,
    session_max_age_s: float,
    by_id: int | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Give ``user_id`` a new password (``password_hash``) chosen by somebody else (``by_id``; None: the
    command line), a generated one they hand on: the old password and any first-login link stop working, and so does every session
    of the user's started up to ``now``, on any computer (kept on the list until the last of them, at most
    ``session_max_age_s`` old, would have lapsed). ``InputError`` for a closed account (:func:`reopen_account`)."""
    user = _require_open(session, user_id)
    moment = now or utcnow()
    user.password_hash = password_hash
    _end_every_way_in(session, user, moment, session_max_age_s)
    log_event(session, "way_in_given", user.id, actor_id=by_id, detail="a password", now=moment)
    return user


def _require_open(session: Session, user_id: int) -> User:
    user = _require_user(session, user_id)
    if user.closed_at is not None:
        raise InputError(
            f"the account of {user.email} was closed on {user.closed_at:%d %b %Y}; reopen it before giving it a "
            "way in"
        )
    return user


def _end_every_way_in(session: Session, user: User, moment: dt.datetime, session_max_age_s: float) -> None:
    """Lapse ``user``'s first-login link and end every session of theirs started up to ``moment``."""
    from backstride.store._signin import end_sessions_before

    user.first_login_token_hash = None
    user.first_login_issued_at = None
    end_sessions_before(
        session, user.id, moment, None, moment + dt.timedelta(seconds=session_max_age_s), now=moment
    )
    session.flush()


#: The longest reason kept for closing an account.
MAX_CLOSE_REASON = 500


def close_account(
    session: Session,
    user_id: int,
    reason: str,
    *,
    by_id: int | None,
    session_max_age_s: float,
    now: dt.datetime | None = None,
) -> User:
    """Close ``user_id``'s account (a patient's care has ended, a clinician has left the clinic): their password
    and any first-login link stop working and every session of theirs ends, on any computer; everything they
    recorded and everything recorded about them stays, and their clinicians keep reading it. Kept: when, by
    whom (``by_id``; None from the command line) and why. ``InputError`` for an empty or over-long reason, an
    account already closed, a patient closing one, or somebody closing their own (they could not reopen it)."""
    user = _require_user(session, user_id)
    if by_id is not None:
        closer = _require_user(session, by_id)
        if closer.role == "patient":
            raise InputError("only a clinician or an administrator can close an account")
        if closer.id == user.id:
            raise InputError("an account cannot be closed by its own user")
    reason = _one_line_reason(
        reason, MAX_CLOSE_REASON, "the account is closed (for example: discharged, care completed)"
    )
    if user.closed_at is not None:
        raise InputError(f"the account of {user.email} was closed already, on {user.closed_at:%d %b %Y}")
    moment = now or utcnow()
    user.password_hash = None
    user.closed_at = moment
    user.closed_by_id = by_id
    user.closed_reason = reason
    _end_every_way_in(session, user, moment, session_max_age_s)
    log_event(session, "account_closed", user.id, actor_id=by_id, detail=reason, now=moment)
    return user


def reopen_account(
    session: Session, user_id: int, *, by_id: int | None = None, now: dt.datetime | None = None
) -> User:
    """Reopen a closed account (``by_id``: who; None from the command line). It has no way in yet: give it a
    first-login link (:func:`new_first_login`) or a password (:func:`new_password`) in the same transaction.
    A patient's record keeps the closing as a note (when, by whom, why, and the reopening), since the account
    itself forgets it. ``InputError`` for an account that is open."""
    user = _require_user(session, user_id)
    if user.closed_at is None:
        raise InputError(f"the account of {user.email} is open")
    moment = now or utcnow()
    if user.role == "patient":

        def who(person_id: int | None) -> str:
            person = None if person_id is None else session.get(User, person_id)
            return "from the command line" if person is None else f"by {person.name}"

        add_note(
            session,
            user.id,
            by_id,
            f"The account was closed on {user.closed_at:%d %b %Y} {who(user.closed_by_id)} ({user.closed_reason}) "
            f"and reopened on {moment:%d %b %Y} {who(by_id)}.",
        )
    user.closed_at = None
    user.closed_by_id = None
    user.closed_reason = None
    log_event(session, "account_reopened", user.id, actor_id=by_id, now=moment)
    return user


def create_patient(
    session: Session,
    clinician: User | None,
    email: str,
    name: str,
    age: float | None = None,
    sex: str | None = None,
    height_m: float | None = None,
    sensor_height_m: float | None = None,
    *,
    password_hash: str | None = None,
    first_login_token_hash: str | None = None,
) -> User:
    """Add a patient with a profile, linked to ``clinician`` (a clinician or admin; None: no link)."""
    if clinician is not None and clinician.role not in ("clinician", "admin"):
        raise InputError("only a clinician or an administrator can add a patient")
    check_profile(age, sex, height_m, sensor_height_m)
    user = create_user(
        session,
        email,
        name,
        "patient",
        password_hash=password_hash,
        first_login_token_hash=first_login_token_hash,
        by_id=None if clinician is None else clinician.id,
    )
    user.profile = PatientProfile(age=age, sex=sex, height_m=height_m, sensor_height_m=sensor_height_m)
    session.flush()
    if clinician is not None:
        _link(session, clinician.id, user.id)  # the trail's "added the account" by them says it
    return user


#: The details of a patient's profile, as the store's messages name them.
PROFILE_WORDS = {"age": "age", "sex": "sex", "height_m": "height", "sensor_height_m": "sensor height"}


def profile_problems(
    age: float | None, sex: str | None, height_m: float | None, sensor_height_m: float | None
) -> dict[str, str]:
    """What is wrong with a patient's details, field by field (``{"height_m": "178.0 m is not plausible;
    …"}``; empty when nothing is): the gait engine's own bounds (``backstride.gait._subject``), so a profile
    once saved never makes an analysis fail. Each figure may be ``None`` (not given). A form shows each
    reason under its own field; :func:`check_profile` raises the first, prefixed with the field's name."""
    from backstride.gait._subject import age_plausible, height_plausible, sensor_height_plausible

    problems: dict[str, str] = {}
    if sex is not None and sex not in _SEXES:
        problems["sex"] = f"must be 'female' or 'male' (or left out), not {sex!r}"
    if age is not None and not age_plausible(age):
        problems["age"] = f"{age} is not plausible (years)"
    if height_m is not None and not height_plausible(height_m):
        problems["height_m"] = f"{height_m} m is not plausible; give it in metres, e.g. 1.72"
    if sensor_height_m is not None and not sensor_height_plausible(sensor_height_m):
        problems["sensor_height_m"] = f"{sensor_height_m} m is not plausible; give it in metres"
    return problems


def check_profile(
    age: float | None, sex: str | None, height_m: float | None, sensor_height_m: float | None
) -> None:
    """Refuse a patient's details that no analysis would take (:func:`profile_problems`): an
    :class:`InputError` naming the first problem ("height 178.0 m is not plausible; …")."""
    for name, reason in profile_problems(age, sex, height_m, sensor_height_m).items():
        raise InputError(f"{PROFILE_WORDS[name]} {reason}")


def update_profile(
    session: Session,
    patient_id: int,
    *,
    age: float | None,
    sex: str | None,
    height_m: float | None,
    sensor_height_m: float | None,
) -> PatientProfile:
    """Set a patient's profile (each figure as given; ``None`` clears it), checked as when the patient was
    added. Analyses already stored keep the figures they were made with (their ``subject``);
    :func:`analysis_is_outdated` tells which to analyse again."""
    check_profile(age, sex, height_m, sensor_height_m)
    user = _require_patient(session, patient_id)
    if user.profile is None:
        user.profile = PatientProfile()
    profile = user.profile
    profile.age, profile.sex, profile.height_m, profile.sensor_height_m = age, sex, height_m, sensor_height_m
    session.flush()
    return profile


def analysis_is_outdated(analysis: GaitAnalysis, profile: PatientProfile | None) -> bool:
    """Whether ``analysis`` was made with another body height or sensor height than ``profile`` now holds
    (the figures step length and walking speed depend on; age and sex only choose the norms, which are
    compared when shown)."""
    subject = analysis.result.get("subject")
    subject = subject if isinstance(subject, Mapping) else {}
    used_sensor = subject.get("sensor_height_m") if subject.get("sensor_height_source") == "given" else None
    now = (profile.height_m, profile.sensor_height_m) if profile is not None else (None, None)
    return (json_number(subject.get("height_m")), json_number(used_sensor)) != now


def link_patient(
    session: Session, clinician_id: int, patient_id: int, *, by_id: int | None = None
) -> CareLink:
    """Let a clinician look after a patient (nothing changes if the link exists), asked by ``by_id`` (None: the
    command line; the audit trail keeps who). ``InputError`` for a closed clinician's account: nobody signs in
    as them to look after anyone (:func:`reopen_account` first)."""
    link, made = _link(session, clinician_id, patient_id)
    if made:
        clinician = _require_user(session, clinician_id)
        log_event(session, "care_linked", patient_id, actor_id=by_id, detail=_care_words(clinician))
    return link


def _link(session: Session, clinician_id: int, patient_id: int) -> tuple[CareLink, bool]:
    """:func:`link_patient` without its audit entry (a patient's first clinician, named by the patient's adding):
    the link and whether it was made now."""
    clinician = _require_user(session, clinician_id)
    if clinician.role not in ("clinician", "admin"):
        raise InputError(f"user {clinician_id} is a {clinician.role}, not a clinician")
    if clinician.closed_at is not None:
        raise InputError(
            f"the account of {clinician.email} was closed on {clinician.closed_at:%d %b %Y}; reopen it first"
        )
    _require_patient(session, patient_id)
    link = session.scalars(
        select(CareLink).where(CareLink.clinician_id == clinician_id, CareLink.patient_id == patient_id)
    ).one_or_none()
    if link is not None:
        return link, False
    link = CareLink(clinician_id=clinician_id, patient_id=patient_id)
    session.add(link)
    session.flush()
    return link, True


def _care_words(clinician: User) -> str:
    """The clinician a care-team entry of the audit trail names (their name may change later; the entry keeps
    it as it was)."""
    return f"{clinician.name} <{clinician.email}>"


def unlink_patient(session: Session, clinician_id: int, patient_id: int, *, by_id: int | None = None) -> bool:
    """End a clinician's care of a patient (False, nothing changed, if they did not look after them). Asked by
    ``by_id`` (None: the command line), a clinician leaving a patient's care themselves: ``InputError`` unless
    another clinician or administrator with an open account still looks after the patient, so nobody drops a
    patient into nobody's care by a click. An administrator, who reads every record, may end anyone's care."""
    link = _link_to_end(session, clinician_id, patient_id, by_id)
    if link is None:
        return False
    session.delete(link)
    session.flush()
    clinician = _require_user(session, clinician_id)
    log_event(session, "care_unlinked", patient_id, actor_id=by_id, detail=_care_words(clinician))
    return True


def check_unlink_patient(
    session: Session, clinician_id: int, patient_id: int, *, by_id: int | None = None
) -> bool:
    """What :func:`unlink_patient` would answer, changing nothing: True if it would end the care, False if there
    is no care to end, ``InputError`` as it would refuse. For a page that asks before it removes anybody, so
    that a refusal comes before the question, not after the answer."""
    return _link_to_end(session, clinician_id, patient_id, by_id) is not None


def _link_to_end(session: Session, clinician_id: int, patient_id: int, by_id: int | None) -> CareLink | None:
    """The link :func:`unlink_patient` ends (None: none), after its rule (``InputError``)."""
    link = session.scalars(
        select(CareLink).where(CareLink.clinician_id == clinician_id, CareLink.patient_id == patient_id)
    ).one_or_none()
    if link is None:
        return None
    asker = None if by_id is None else _require_user(session, by_id)
    leaving_alone = asker is not None and asker.id == clinician_id and asker.role == "clinician"
    if leaving_alone and not any(other != clinician_id for other in _open_clinicians_of(session, patient_id)):
        patient = _require_patient(session, patient_id)
        raise InputError(
            f"you are the only clinician with an open account who looks after {patient.name}: add another "
            "clinician before you leave their care (or ask an administrator)"
        )
    return link


def patients_of(session: Session, clinician_id: int) -> list[User]:
    """The patients linked to this clinician, by name."""
    stmt = (
        select(User)
        .join(CareLink, CareLink.patient_id == User.id)
        .where(CareLink.clinician_id == clinician_id, User.role == "patient")
        .order_by(User.name, User.id)
    )
    return list(session.scalars(stmt))


def clinicians_of(session: Session, patient_id: int) -> list[int]:
    """The ids of the clinicians (and administrators) linked to this patient."""
    stmt = (
        select(CareLink.clinician_id).where(CareLink.patient_id == patient_id).order_by(CareLink.clinician_id)
    )
    return list(session.scalars(stmt))


def patients_left_alone(session: Session, clinician_id: int) -> list[User]:
    """The clinician's patients still in care (their accounts open) that no clinician with an open account looks
    after, by name: whom to hand on when a clinician's account is closed. Patients whose care has ended (closed
    accounts) are left out: nobody is expected to look after them, and an administrator reads any record."""
    return [
        p
        for p in patients_of(session, clinician_id)
        if not p.is_closed and not _open_clinicians_of(session, p.id)
    ]


def _open_clinicians_of(session: Session, patient_id: int) -> list[int]:
    """The ids of the clinicians and administrators with open accounts who look after this patient."""
    stmt = (
        select(CareLink.clinician_id)
        .join(User, User.id == CareLink.clinician_id)
        .where(CareLink.patient_id == patient_id, User.closed_at.is_(None))
        .order_by(CareLink.clinician_id)
    )
    return list(session.scalars(stmt))


def all_patients(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "patient").order_by(User.name, User.id)))


def can_access(session: Session, viewer: User, patient_id: int) -> bool:
    """May ``viewer`` see this patient's data? A patient: only their own; a clinician: their linked
    patients; an admin: every patient. False for an id that is not a patient."""
    patient = session.get(User, patient_id)
    if patient is None or patient.role != "patient":
        return False
    if viewer.role == "admin":
        return True
    if viewer.role == "patient":
        return viewer.id == patient_id
    if viewer.role == "clinician":
        stmt = select(CareLink.id).where(
            CareLink.clinician_id == viewer.id, CareLink.patient_id == patient_id
        )
        return session.scalars(stmt).first() is not None
    return False


# ------------------------------------------------------------------------------ screening, questionnaires
SENT_AGAIN_WITHIN = dt.timedelta(minutes=10)


def _recent(moment: dt.datetime) -> bool:
    """Whether a row kept at ``moment`` was kept less than :data:`SENT_AGAIN_WITHIN` ago."""
    return moment > utcnow() - SENT_AGAIN_WITHIN


def screening_sent_again(session: Session, patient_id: int, answers: JSONLike) -> Screening | None:
    """The patient's latest screening if it has these very answers and was kept less than
    :data:`SENT_AGAIN_WITHIN` ago, with no plan version saved since (a plan resumed after it: the same answers
    are a new report, which pauses it again): the same form sent twice (a double click, a resend after a
    timeout), kept once. Takes the lock on the patient's row first (:func:`lock_patient`), so that two sent at
    once are looked at one after the other."""
    lock_patient(session, patient_id)
    latest = latest_screening(session, patient_id)
    if latest is None or latest.answers != to_json(answers) or not _recent(latest.created_at):
        return None
    since = select(PlanVersion.id).where(
        PlanVersion.patient_id == patient_id, PlanVersion.created_at >= latest.created_at
    )
    return None if session.scalars(since).first() is not None else latest


def add_screening(
    session: Session, patient_id: int, answers: JSONLike, urgency: str, result: JSONLike
) -> Screening:
    """Keep a screening: the answers, the urgency it came to and the whole triage result."""
    _require_patient(session, patient_id)
    row = Screening(patient_id=patient_id, answers=to_json(answers), urgency=urgency, result=to_json(result))
    session.add(row)
    session.flush()
    return row


def latest_screening(session: Session, patient_id: int) -> Screening | None:
    stmt = (
        select(Screening)
        .where(Screening.patient_id == patient_id)
        .order_by(Screening.created_at.desc(), Screening.id.desc())
    )
    return session.scalars(stmt).first()


def screenings_of(session: Session, patient_id: int) -> list[Screening]:
    stmt = (
        select(Screening)
        .where(Screening.patient_id == patient_id)
        .order_by(Screening.created_at, Screening.id)
    )
    return list(session.scalars(stmt))


def add_questionnaire(
    session: Session,
    patient_id: int,
    instrument: str,
    answers: JSONLike,
    score: float | None,
    result: JSONLike,
) -> QuestionnaireResponse:
    """Keep a filled-in questionnaire and its score (the ``ScoreResult`` JSON in ``result``)."""
    _require_patient(session, patient_id)
    if not instrument.strip():
        raise InputError("a questionnaire name is required")
    row = QuestionnaireResponse(
        patient_id=patient_id,
        instrument=instrument.strip(),
        answers=to_json(answers),
        score=score,
        result=to_json(result),
    )
    session.add(row)
    session.flush()
    return row


def questionnaire_sent_again(
    session: Session, patient_id: int, instrument: str, answers: JSONLike
) -> QuestionnaireResponse | None:
    """The patient's latest response to ``instrument`` if it has these very answers, was kept less than
    :data:`SENT_AGAIN_WITHIN` ago and stands (not entered in error): the same form sent twice, kept once
    (under the lock on the patient's row, as :func:`screening_sent_again`)."""
    lock_patient(session, patient_id)
    stmt = (
        select(QuestionnaireResponse)
        .where(
            QuestionnaireResponse.patient_id == patient_id,
            QuestionnaireResponse.instrument == instrument,
        )
        .order_by(QuestionnaireResponse.created_at.desc(), QuestionnaireResponse.id.desc())
    )
    latest = session.scalars(stmt).first()
    if latest is None or latest.entered_in_error_at is not None or latest.answers != to_json(answers):
        return None
    return latest if _recent(latest.created_at) else None


def questionnaire_history(
    session: Session, patient_id: int, instrument: str | None = None, *, include_errors: bool = False
) -> list[QuestionnaireResponse]:
    """Every response of the patient (to one instrument if given), oldest first; those marked as entered in
    error only with ``include_errors``."""
    stmt = select(QuestionnaireResponse).where(QuestionnaireResponse.patient_id == patient_id)
    if not include_errors:
        stmt = stmt.where(QuestionnaireResponse.entered_in_error_at.is_(None))
    if instrument is not None:
        stmt = stmt.where(QuestionnaireResponse.instrument == instrument)
    stmt = stmt.order_by(QuestionnaireResponse.created_at, QuestionnaireResponse.id)
    return list(session.scalars(stmt))


def latest_questionnaires(session: Session, patient_id: int) -> dict[str, QuestionnaireResponse]:
    """The newest response to each instrument the patient has filled in, keyed by instrument."""
    latest: dict[str, QuestionnaireResponse] = {}
    for row in questionnaire_history(session, patient_id):
        latest[row.instrument] = row
    return dict(sorted(latest.items()))


# ------------------------------------------------------------------------------------------- recordings
_PENDING_BLOBS = "backstride_pending_blobs"


def _safe_filename(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())
    if not name or name in (".", ".."):
        raise InputError("the uploaded file has no name")
    if len(name) > 255:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 250 - len(suffix)] + dot + suffix) if dot and len(suffix) < 20 else name[:255]
    return name


def json_number(value: Any) -> float | None:
    """A number read from stored JSON (an int or a float, not a bool), else ``None``."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _summary_value(summary: Mapping[str, Any], key: str) -> float | None:
    return json_number(summary.get(key))


def add_recording(
    session: Session,
    blobs: BlobStore,
    patient_id: int,
    filename: str,
    data: bytes | BinaryIO,
    analyze: Analyzer,
    *,
    metadata: Mapping[str, Any] | None = None,
) -> RecordingFile:
    """Store an uploaded recording, analyse it and keep the result — all or nothing.

    The bytes go to the blob store first; ``analyze`` is called (before any SQL of this call) with a path to a copy named like the
    upload (so readers that go by the file's extension work) and returns ``(format, GaitResult JSON)``.
    The ``RecordingFile`` and ``GaitAnalysis`` rows are then added in a SAVEPOINT. If anything fails, the
    rows are rolled back, a blob this call created is deleted, and the error propagates. If the caller's
    transaction rolls back later, the blob is deleted too (see :func:`track_blob`).
    """
    name = _safe_filename(filename)
    sha, created = blobs.put_new(data)
    try:
        size = blobs.path(sha).stat().st_size
        if size == 0:
            raise InputError(f"{name} is empty")
        # The analysis runs before the first SQL statement of this call, so on SQLite a fresh session does
        # not hold the write lock while the gait engine works.
        with _named_view(blobs, sha, name) as view:
            fmt, result = analyze(view)
        result_json = to_json(result)
        _require_patient(session, patient_id)
        with session.begin_nested():
            rec = RecordingFile(
                patient_id=patient_id,
                sha256=sha,
                filename=name,
                format=str(fmt),
                size_bytes=size,
                metadata_=to_json(metadata or {}),
            )
            rec.analyses.append(_analysis_row(result_json))
            session.add(rec)
            session.flush()
    except BaseException:
        if created:
            blobs.delete(sha)
        raise
    if created:
        track_blob(session, blobs, sha)
    return rec


def _analysis_row(result_json: dict[str, Any]) -> GaitAnalysis:
    """A ``GaitAnalysis`` row of a GaitResult's JSON, with its summary columns."""
    summary = result_json.get("summary")
    summary = summary if isinstance(summary, Mapping) else {}
    n_bouts = summary.get("n_bouts")
    return GaitAnalysis(
        result=result_json,
        walking_s=_summary_value(summary, "total_walking_s"),
        n_bouts=int(n_bouts) if isinstance(n_bouts, int) else None,
        median_speed_mps=_summary_value(summary, "median_walking_speed_mps"),
        median_cadence_spm=_summary_value(summary, "median_cadence_spm"),
    )


def add_analysis(session: Session, recording_id: int, result: Any) -> GaitAnalysis:
    """Keep a new analysis of a stored recording (made again, e.g. after the patient's height was put
    right). The earlier ones stay; the newest is the one shown, trended and exported."""
    rec = session.get(RecordingFile, recording_id)
    if rec is None:
        raise InputError(f"there is no recording {recording_id}")
    row = _analysis_row(to_json(result))
    rec.analyses.append(row)
    session.flush()
    return row


@contextlib.contextmanager
def recording_file(blobs: BlobStore, rec: RecordingFile) -> Iterator[Path]:
    """The stored bytes of a recording at a path named like its upload (readers that go by the file's
    extension work), for as long as the ``with`` block lasts."""
    with _named_view(blobs, rec.sha256, rec.filename) as view:
        yield view


@contextlib.contextmanager
def _named_view(blobs: BlobStore, sha256: str, name: str) -> Iterator[Path]:
    with blobs.scratch() as tmp:
        view = tmp / name
        try:
            os.link(blobs.path(sha256), view)
        except OSError:
            shutil.copyfile(blobs.path(sha256), view)
        yield view


def track_blob(session: Session, blobs: BlobStore, sha256: str) -> None:
    """Delete this blob if the session's transaction rolls back (it was written for rows that would then
    not exist). Committing forgets it."""
    session.info.setdefault(_PENDING_BLOBS, []).append((blobs, sha256))


def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING_BLOBS, None)


def _delete_pending(session: Session) -> None:
    for blobs, sha in session.info.pop(_PENDING_BLOBS, []):
        with contextlib.suppress(OSError):
            blobs.delete(sha)


@event.listens_for(Session, "after_commit")
def _on_commit(session: Session) -> None:
    _forget_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _on_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        _delete_pending(session)


def recordings_of(session: Session, patient_id: int, *, include_errors: bool = False) -> list[RecordingFile]:
    """The patient's recordings, newest first; those marked as entered in error only with ``include_errors``."""
    stmt = select(RecordingFile).where(RecordingFile.patient_id == patient_id)
    if not include_errors:
        stmt = stmt.where(RecordingFile.entered_in_error_at.is_(None))
    stmt = stmt.order_by(RecordingFile.uploaded_at.desc(), RecordingFile.id.desc())
    return list(session.scalars(stmt))


def get_recording(session: Session, recording_id: int) -> RecordingFile | None:
    return session.get(RecordingFile, recording_id)


def latest_analysis(session: Session, recording_id: int) -> GaitAnalysis | None:
    stmt = (
        select(GaitAnalysis)
        .where(GaitAnalysis.recording_id == recording_id)
        .order_by(GaitAnalysis.created_at.desc(), GaitAnalysis.id.desc())
    )
    return session.scalars(stmt).first()


def analyses_of(session: Session, patient_id: int, *, include_errors: bool = False) -> list[GaitAnalysis]:
    """The newest analysis of each of the patient's recordings, oldest recording first (for trends); of
    recordings marked as entered in error only with ``include_errors``."""
    stmt = (
        select(GaitAnalysis)
        .join(RecordingFile, GaitAnalysis.recording_id == RecordingFile.id)
        .where(RecordingFile.patient_id == patient_id)
    )
    if not include_errors:
        stmt = stmt.where(RecordingFile.entered_in_error_at.is_(None))
    stmt = stmt.order_by(
        RecordingFile.uploaded_at, RecordingFile.id, GaitAnalysis.created_at, GaitAnalysis.id
    )
    newest: dict[int, GaitAnalysis] = {}
    for analysis in session.scalars(stmt):
        newest[analysis.recording_id] = analysis  # a later analysis of the same recording replaces it
    return list(newest.values())


# ------------------------------------------------------------------------------------- entered in error
#: The longest reason kept for marking an entry as entered in error.
MAX_ERROR_REASON = 500


def mark_entered_in_error(
    session: Session, entry: QuestionnaireResponse | RecordingFile, clinician_id: int, reason: str
) -> None:
    """Mark a questionnaire response or a recording as entered in error: kept, with who, when and why, and
    left out of every history, score, plot, plan and report from now on (``InputError`` for an empty or
    over-long reason, an entry already marked, or a patient marking it)."""
    if _require_user(session, clinician_id).role == "patient":
        raise InputError("only a clinician can mark an entry as entered in error")
    reason = _one_line_reason(
        reason, MAX_ERROR_REASON, "the entry is in error (for example: another patient's file)"
    )
    if entry.entered_in_error_at is not None:
        raise InputError("this entry is already marked as entered in error")
    entry.entered_in_error_at = utcnow()
    entry.entered_in_error_by_id = clinician_id
    entry.entered_in_error_reason = reason
    session.flush()


def _one_line_reason(reason: str, limit: int, why: str) -> str:
    """A clinician's reason as one line (runs of spaces and line breaks made one space), refused when empty
    ("say why ``why``") or over ``limit`` characters."""
    reason = " ".join(reason.split())
    if not reason:
        raise InputError(f"say why {why}")
    if len(reason) > limit:
        raise InputError(f"the reason is {len(reason)} characters long; keep it to {limit}")
    return reason


def referenced_blobs(session: Session) -> set[str]:
    """The SHA-256 of every blob a recording row refers to."""
    return set(session.scalars(select(RecordingFile.sha256).distinct()))


def gc_orphan_blobs(session: Session, blobs: BlobStore, *, min_age_s: float = 3600.0) -> list[str]:
    """Remove blobs no recording refers to (older than ``min_age_s``), e.g. at start-up after a crash."""
    return blobs.gc_orphans(referenced_blobs(session), min_age_s=min_age_s)


# ------------------------------------------------------------------------------------------------ plans
def save_plan(
    session: Session, patient_id: int, plan_json: JSONLike, reason: str, created_by: int | None
) -> PlanVersion:
    """Keep a new version of the patient's plan (numbered 1, 2, ...); earlier versions stay. Concurrent saves
    for one patient wait for each other (:func:`lock_patient`), so each gets the next number."""
    lock_patient(session, patient_id)
    plan = to_json(plan_json)
    for _attempt in range(5):
        current = session.scalar(
            select(func.max(PlanVersion.version)).where(PlanVersion.patient_id == patient_id)
        )
        row = PlanVersion(
            patient_id=patient_id,
            version=(current or 0) + 1,
            plan=plan,
            reason=reason,
            created_by=created_by,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another transaction took this number first; take the next one
            continue
        return row
    raise InputError("the plan could not be saved because it is being changed elsewhere; try again")


def current_plan(session: Session, patient_id: int) -> PlanVersion | None:
    stmt = (
        select(PlanVersion).where(PlanVersion.patient_id == patient_id).order_by(PlanVersion.version.desc())
    )
    return session.scalars(stmt).first()


def plan_history(session: Session, patient_id: int) -> list[PlanVersion]:
    """Every version of the plan, oldest first."""
    stmt = select(PlanVersion).where(PlanVersion.patient_id == patient_id).order_by(PlanVersion.version)
    return list(session.scalars(stmt))


# ------------------------------------------------------------------------------------------------- logs
def upsert_log(session: Session, patient_id: int, date: dt.date, log: JSONLike) -> DailyLog:
    """Keep the patient's log for ``date``; a second write for the same day replaces the first (one
    atomic ``INSERT ... ON CONFLICT DO UPDATE``, so concurrent writes never make two rows)."""
    _require_patient(session, patient_id)
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        raise InputError(f"a log needs a calendar date, not {date!r}")
    payload = to_json(log)
    now = utcnow()
    dialect = session.get_bind().dialect.name
    values = {"patient_id": patient_id, "date": date, "log": payload, "created_at": now, "updated_at": now}
    table = DailyLog
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg_stmt = pg_insert(table).values(**values)
        session.execute(
            pg_stmt.on_conflict_do_update(
                index_elements=["patient_id", "date"],
                set_={"log": pg_stmt.excluded.log, "updated_at": pg_stmt.excluded.updated_at},
            )
        )
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite_stmt = sqlite_insert(table).values(**values)
        session.execute(
            lite_stmt.on_conflict_do_update(
                index_elements=["patient_id", "date"],
                set_={"log": lite_stmt.excluded.log, "updated_at": lite_stmt.excluded.updated_at},
            )
        )
    else:  # pragma: no cover - other databases: read then write
        existing = get_log(session, patient_id, date)
        if existing is None:
            session.add(DailyLog(**values))
        else:
            existing.log = payload
            existing.updated_at = now
        session.flush()
    stmt = (
        select(DailyLog)
        .where(DailyLog.patient_id == patient_id, DailyLog.date == date)
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).one()


def get_log(session: Session, patient_id: int, date: dt.date) -> DailyLog | None:
    stmt = select(DailyLog).where(DailyLog.patient_id == patient_id, DailyLog.date == date)
    return session.scalars(stmt).one_or_none()


def logs_between(session: Session, patient_id: int, start: dt.date, end: dt.date) -> list[DailyLog]:
    """The patient's logs from ``start`` to ``end``, both days included, oldest first."""
    stmt = (
        select(DailyLog)
        .where(DailyLog.patient_id == patient_id, DailyLog.date >= start, DailyLog.date <= end)
        .order_by(DailyLog.date)
    )
    return list(session.scalars(stmt))


def last_log(session: Session, patient_id: int) -> DailyLog | None:
    stmt = select(DailyLog).where(DailyLog.patient_id == patient_id).order_by(DailyLog.date.desc())
    return session.scalars(stmt).first()


# ------------------------------------------------------------------------------ sessions and notes
def add_therapy_session(
    session: Session, patient_id: int, clinician_id: int | None, data: JSONLike
) -> TherapySessionRecord:
    _require_patient(session, patient_id)
    row = TherapySessionRecord(patient_id=patient_id, clinician_id=clinician_id, data=to_json(data))
    session.add(row)
    session.flush()
    return row


def therapy_sessions_of(session: Session, patient_id: int) -> list[TherapySessionRecord]:
    stmt = (
        select(TherapySessionRecord)
        .where(TherapySessionRecord.patient_id == patient_id)
        .order_by(TherapySessionRecord.created_at, TherapySessionRecord.id)
    )
    return list(session.scalars(stmt))


def add_note(session: Session, patient_id: int, clinician_id: int | None, text: str) -> ClinicianNote:
    _require_patient(session, patient_id)
    if not text.strip():
        raise InputError("the note is empty")
    row = ClinicianNote(patient_id=patient_id, clinician_id=clinician_id, text=text.strip())
    session.add(row)
    session.flush()
    return row


def therapy_session_sent_again(
    session: Session, patient_id: int, clinician_id: int, data: JSONLike
) -> TherapySessionRecord | None:
    """The clinician's latest therapy session with the patient if it is this very session and was kept less than
    :data:`SENT_AGAIN_WITHIN` ago: the form sent twice, kept once (under the lock on the patient's row, as
    :func:`screening_sent_again`)."""
    lock_patient(session, patient_id)
    mine = [r for r in therapy_sessions_of(session, patient_id) if r.clinician_id == clinician_id]
    latest = mine[-1] if mine else None  # oldest first
    return (
        latest if latest is not None and latest.data == to_json(data) and _recent(latest.created_at) else None
    )


def note_sent_again(session: Session, patient_id: int, clinician_id: int, text: str) -> ClinicianNote | None:
    """The clinician's latest note on the patient if it says this very text and was kept less than
    :data:`SENT_AGAIN_WITHIN` ago: the form sent twice, kept once (under the lock on the patient's row)."""
    lock_patient(session, patient_id)
    latest = next(
        (n for n in notes_of(session, patient_id) if n.clinician_id == clinician_id), None
    )  # newest
    return (
        latest if latest is not None and latest.text == text.strip() and _recent(latest.created_at) else None
    )


def notes_of(session: Session, patient_id: int) -> list[ClinicianNote]:
    """The notes about a patient, newest first."""
    stmt = (
        select(ClinicianNote)
        .where(ClinicianNote.patient_id == patient_id)
        .order_by(ClinicianNote.created_at.desc(), ClinicianNote.id.desc())
    )
    return list(session.scalars(stmt))


# ------------------------------------------------------------------------------------------- activity
def import_activity(session: Session, patient_id: int, data: ActivityData) -> int:
    """Keep the day summaries of one Apple Health export or Garmin .fit file; return how many days.

    A file that holds the whole history (an Apple Health export, ``data.whole_history``) replaces what the
    patient had from that kind of source from its first day to its last, that whole range included, so a
    newer export never counts a day twice. Any other file (a Garmin .fit: one walk, or a day's monitoring)
    replaces only the days kept from a file of the same name (the same file uploaded again) and stands
    beside the others; :func:`backstride.activity.combine_days` makes one day of them. Days of the other
    kind of source are left alone. Runs in the caller's transaction, holding the patient's row
    (:func:`lock_patient`) so two imports for one patient take turns. A file without days changes nothing.
    """
    lock_patient(session, patient_id)
    source_format = _activity_format(data.source_format)
    source = _safe_filename(data.source)
    days = _days_by_date(data.days, source)
    if not days:
        return 0
    same_file = () if data.whole_history else (ActivityDay.source == source,)
    session.execute(
        delete(ActivityDay).where(
            ActivityDay.patient_id == patient_id,
            ActivityDay.source_format == source_format,
            ActivityDay.date >= min(days),
            ActivityDay.date <= max(days),
            *same_file,
        )
    )
    now = utcnow()
    fixed = {"patient_id": patient_id, "source_format": source_format, "source": source, "imported_at": now}
    rows = [{**_activity_values(day), **fixed} for day in days.values()]
    session.execute(insert(ActivityDay), rows)
    return len(rows)


def activity_days_of(session: Session, patient_id: int, since: dt.date | None = None) -> list[ActivityDay]:
    """The patient's activity days (from ``since`` on, that day included), oldest first; on one day the
    sources come in the order of their ``source_format``."""
    stmt = select(ActivityDay).where(ActivityDay.patient_id == patient_id)
    if since is not None:
        stmt = stmt.where(ActivityDay.date >= since)
    return list(session.scalars(stmt.order_by(ActivityDay.date, ActivityDay.source_format)))


def _activity_format(source_format: str) -> str:
    value = str(source_format).strip()
    if not value or len(value) > 20:
        raise InputError(f"not a source format the store can keep: {source_format!r}")
    return value


def _days_by_date(days: tuple[DaySummary, ...], source: str) -> dict[dt.date, DaySummary]:
    """The days keyed by date; a file that lists a day twice is refused (its figures would be ambiguous)."""
    by_date: dict[dt.date, DaySummary] = {}
    for day in days:
        if day.date in by_date:
            raise InputError(f"{source} gives {day.date.isoformat()} twice; nothing was kept")
        by_date[day.date] = day
    return by_date


def _activity_values(day: DaySummary) -> dict[str, Any]:
    """A day's columns; a figure that is not a finite number is stored as NULL."""
    return {
        "date": day.date,
        "steps": None if day.steps is None else int(day.steps),
        "distance_m": _finite(day.distance_m),
        "walking_speed_mps": _finite(day.walking_speed_mps),
        "step_length_m": _finite(day.step_length_m),
        "walking_asymmetry_pct": _finite(day.walking_asymmetry_pct),
        "double_support_pct": _finite(day.double_support_pct),
        "walks": int(day.walks),
    }


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)
