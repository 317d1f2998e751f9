"""``backstride demo``: a demo clinic on SQLite with a therapist and two patients with a few weeks of history.

Everything is made through the same store and clinic functions the app uses: screenings through
:func:`backstride.clinic.triage`, questionnaires through :func:`backstride.clinic.score`, plans through
:func:`backstride.clinic.make_plan` and weekly :func:`backstride.clinic.review_week`, and one real recording
per patient (the bundled sample, :func:`backstride.io.sample_path`) analysed by the gait engine. The demo
lives in its own folder (never the user's real database).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backstride._emergency import DEFAULT_EMERGENCY_NUMBER

DEMO_DB = "demo.db"
DEMO_BLOBS = "blobs"
DEMO_KEY = "secret_key.txt"
# the number the seeded screens and weekly reviews are worked out with (the app's default; the history keeps none)
SEEDED_NUMBER = DEFAULT_EMERGENCY_NUMBER


@dataclass(frozen=True)
class DemoAccount:
    role: str
    name: str
    email: str
    password: str


@dataclass(frozen=True)
class DemoClinic:
    folder: Path
    database_url: str
    blob_dir: Path
    secret_key: str
    accounts: list[DemoAccount]


THERAPIST = DemoAccount(
    "clinician", "Dana Reyes (physical therapist)", "therapist@demo.backstride", "demo-therapist"
)
ALEX = DemoAccount("patient", "Alex Morgan", "alex@demo.backstride", "demo-alex-2026")
SAM = DemoAccount("patient", "Sam Okafor", "sam@demo.backstride", "demo-sam-2026")


def default_demo_dir() -> Path:
    """``backstride-demo`` in the system's temporary folder."""
    return Path(tempfile.gettempdir()) / "backstride-demo"


def _clear(folder: Path) -> None:
    """Remove only what an earlier demo made in ``folder``."""
    import shutil

    for name in (DEMO_DB, f"{DEMO_DB}-wal", f"{DEMO_DB}-shm", f"{DEMO_DB}-journal"):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / DEMO_BLOBS, ignore_errors=True)


def seed_demo(folder: Path, *, fresh: bool = True, today: dt.date | None = None) -> DemoClinic:
    """Create (or, with ``fresh=False`` and an existing demo, reuse) the demo clinic in ``folder``."""
    from backstride import store
    from backstride._accounts import hash_password

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / DEMO_KEY
    if not key_file.is_file():
        key_file.write_text(secrets.token_urlsafe(32), encoding="utf-8")
    secret_key = key_file.read_text(encoding="utf-8").strip()
    url = f"sqlite:///{folder / DEMO_DB}"
    blob_dir = folder / DEMO_BLOBS
    demo = DemoClinic(folder, url, blob_dir, secret_key, [THERAPIST, ALEX, SAM])
    if fresh:
        _clear(folder)
    store.upgrade(url)
    engine = store.make_engine(url)
    try:
        with store.transaction(engine) as s:
            if store.get_user_by_email(s, THERAPIST.email) is not None:
                return demo
            day = today or dt.date.today()
            therapist = store.create_user(
                s,
                THERAPIST.email,
                THERAPIST.name,
                "clinician",
                password_hash=hash_password(THERAPIST.password),
            )
            blobs = store.BlobStore(blob_dir)
            alex = store.create_patient(
                s,
                therapist,
                ALEX.email,
                ALEX.name,
                age=47,
                sex="female",
                height_m=1.68,
                password_hash=hash_password(ALEX.password),
            )
            sam = store.create_patient(
                s,
                therapist,
                SAM.email,
                SAM.name,
                age=63,
                sex="male",
                height_m=1.79,
                password_hash=hash_password(SAM.password),
            )
            _history(s, blobs, alex, therapist, day, weeks=4, improving=True, seed=1)
            _history(s, blobs, sam, therapist, day, weeks=3, improving=False, seed=2)
    finally:
        engine.dispose()
    return demo


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    """``hour`` o'clock (UTC) on ``day``, or now if that is still to come: no stored time is in the future
    (a week reviewed this morning, seeded at 02:00, would list above the versions the app saves after it)."""
    return min(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC), dt.datetime.now(dt.UTC))


def _screen(s: Any, patient: Any, day: dt.date, age: int, sex: str, pain: int, tolerance: int) -> None:
    from backstride import clinic, store

    answers: dict[str, Any] = {q.id: False for q in clinic.QUESTIONS if q.kind == "bool"}
    answers.update(age=age, sex=sex, pain_nrs=pain, pain_duration_weeks=14, walking_tolerance_min=tolerance)
    result = clinic.triage(answers, emergency_number=SEEDED_NUMBER)
    row = store.add_screening(s, patient.id, answers, result.urgency, result)
    row.created_at = _at(day)


def _questionnaires(s: Any, patient: Any, day: dt.date, level: float) -> None:
    """NPRS, ODI, RMDQ, STarT Back and PSFS at a disability ``level`` from 0 (none) to 1 (severe)."""
    from backstride import clinic, store

    odi_section = round(level * 5)
    sets: dict[str, dict[str, Any]] = {
        "nprs": {"score": round(level * 10)},
        "odi": {"sections": [min(5, max(0, odi_section + (i % 3) - 1)) for i in range(10)]},
        "rmdq": {"items": [i < round(level * 24) for i in range(24)]},
        "startback": {"items": [1 if i < round(level * 9) else 0 for i in range(8)] + [round(level * 4)]},
        "psfs": {
            "activities": [
                {"name": "walking to the shops", "score": round(10 - level * 10)},
                {"name": "gardening", "score": round(9 - level * 9)},
                {"name": "sitting through a film", "score": round(10 - level * 8)},
            ]
        },
    }
    for instrument, answers in sets.items():
        result = clinic.score(instrument, answers)
        row = store.add_questionnaire(s, patient.id, instrument, answers, result.score, result)
        row.created_at = _at(day, 10)


def _history(
    s: Any,
    blobs: Any,
    patient: Any,
    therapist: Any,
    today: dt.date,
    *,
    weeks: int,
    improving: bool,
    seed: int,
) -> None:
    from backstride import _plans, clinic, store

    rng = random.Random(seed)
    profile = patient.profile
    age, sex = int(profile.age), str(profile.sex)
    start = today - dt.timedelta(days=7 * weeks)
    pain0 = 6 if improving else 5
    tolerance = 12 if improving else 20
    _screen(s, patient, start, age, sex, pain0, tolerance)
    _questionnaires(s, patient, start, 0.55 if improving else 0.4)
    _recording(s, blobs, patient, start + dt.timedelta(days=1))
    baseline = clinic.Baseline(
        age=age,
        sex=sex,
        pain_nrs=pain0,
        walking_tolerance_min=tolerance,
        start_date=start,  # type: ignore[arg-type]
    )
    plan = clinic.make_plan(baseline)
    row = store.save_plan(
        s, patient.id, plan.model_dump(mode="json"), "First plan, from the check-in.", therapist.id
    )
    row.created_at = _at(start, 11)
    silent_from = today - dt.timedelta(days=4)  # Sam stops logging four days ago
    for week in range(weeks):
        week_start = plan.start_date
        logs = []
        for d in range(7):
            day = week_start + dt.timedelta(days=d)
            if day >= today or (not improving and day >= silent_from):
                continue
            if rng.random() < 0.1:
                continue  # a missed day now and then
            if improving:
                # whole points, as the 0-10 scale and the log form take them
                pain = float(max(1, round(pain0 - 1.2 * week - rng.choice((0, 0.5, 1)))))
            else:
                flare = week == weeks - 1 and d in (1, 2)
                pain = 8.0 if flare else pain0 + rng.choice((-1, 0, 0, 1))
            walks = [
                clinic.WalkLog(
                    minutes=plan.minutes_per_walk if rng.random() < 0.9 else plan.minutes_per_walk - 2,
                    pain_before=max(0.0, pain - 1),
                    pain_during=pain,
                    pain_after=max(0.0, pain - 1),
                )
                for _ in range(plan.walks_per_day)
            ]
            log = clinic.DailyLog(
                date=day,
                walks=walks,
                next_morning_pain=max(0.0, pain - 1),
                exercises_done=[x.id for x in plan.exercises] if rng.random() < 0.8 else [],
            )
            logs.append(log)
            store.upsert_log(s, patient.id, day, _plans.log_json(log))
        if week_start + dt.timedelta(days=7) > today:
            break
        review = clinic.review_week(plan, logs, emergency_number=SEEDED_NUMBER)
        if review.new_plan is None:
            break
        reason = _plans.review_reason(review, SEEDED_NUMBER)
        plan = review.new_plan
        row = store.save_plan(s, patient.id, plan.model_dump(mode="json"), reason, None)
        row.created_at = _at(plan.start_date, 8)
    if improving:
        _questionnaires(s, patient, today - dt.timedelta(days=1), 0.25)
        _screen(s, patient, today - dt.timedelta(days=1), age, sex, 3, 30)
    session = clinic.TherapySession(
        date=start + dt.timedelta(days=2),
        clinician=therapist.name,
        technique="spinal mobilisation (grade III)",
        region="L4-L5",
        dose="3 x 30 s",
        duration_min=30,
        pain_before=pain0,
        pain_after=pain0 - 2,
        response="better",
        notes="Walking program explained; first walks practised in the clinic.",
    )
    store.add_therapy_session(s, patient.id, therapist.id, session)
    note = store.add_note(
        s,
        patient.id,
        therapist.id,
        "Good start, motivated."
        if improving
        else "Worried about the pain; reassured. Review flare at next visit.",
    )
    note.created_at = _at(start + dt.timedelta(days=2), 12)


def _recording(s: Any, blobs: Any, patient: Any, day: dt.date) -> None:
    from backstride import io, store
    from backstride.web import _analysis

    sample = io.sample_path()
    profile = patient.profile
    subject = {
        "height_m": profile.height_m,
        "sensor_height_m": profile.sensor_height_m,
        "age": profile.age,
        "sex": profile.sex,
    }

    def analyze(path: Path) -> tuple[str, dict[str, Any]]:
        recording, fmt = _analysis.read_recording(path)
        return fmt, _analysis.analyze_with_progress(recording, subject)

    with sample.open("rb") as data:
        rec = store.add_recording(s, blobs, patient.id, sample.name, data, analyze, metadata={"demo": True})
    rec.uploaded_at = _at(day, 15)
