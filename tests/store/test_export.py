"""``store.patient_record``: a patient's stored rows as the plain values of a FHIR export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from backstride import InputError, clinic, store

CSV = b"time_s,acc_x,acc_y,acc_z\n0.00,0.1,0.2,9.8\n"


def _analysis(n_steps: int) -> Any:
    def analyze(_path: Path) -> tuple[str, dict[str, Any]]:
        return "csv", {
            "recording": {"duration_s": 600.0, "start_time": "2026-11-06T14:00:00+01:00"},
            "warnings": ["the sensor seems tilted by about 39° from upright", 7],
            "summary": {
                "total_walking_s": 300.0,
                "n_steps": n_steps,
                "n_bouts": 4,
                "median_cadence_spm": 99.5,
            },
        }

    return analyze


def _screen(saddle_numbness: bool) -> dict[str, Any]:
    answers: dict[str, Any] = {q: False for q in clinic.EMERGENCY_QUESTIONS}
    answers["saddle_numbness"] = saddle_numbness
    return clinic.triage(answers).model_dump(mode="json")


def test_patient_record_holds_the_patients_rows(engine: Engine, blobs: store.BlobStore) -> None:
    with store.transaction(engine) as s:
        c = store.create_user(s, "c@clinic.org", "C", "clinician")
        p = store.create_patient(s, c, "ann@example.org", "Ann", age=54, sex="female", height_m=1.68)
        other = store.create_patient(s, c, "bob@example.org", "Bob")
        pid = p.id
        for saddle in (False, True):
            result = _screen(saddle)
            store.add_screening(s, pid, {}, result["urgency"], result)
        odi = clinic.score("odi", {"sections": [2, 3, 4, 2, 3, 4, 2, 3, 4, 2]})
        store.add_questionnaire(s, pid, "odi", {}, odi.score, odi.model_dump(mode="json"))
        psfs = clinic.score(
            "psfs",
            {
                "activities": [
                    {"name": "gardening", "score": 4},
                    {"name": "stairs", "score": 7},
                    {"name": "sitting", "score": 7},
                ]
            },
        )
        store.add_questionnaire(s, pid, "psfs", {}, psfs.score, psfs.model_dump(mode="json"))
        rec = store.add_recording(s, blobs, pid, "walk.csv", CSV, _analysis(500))
        rec_id = rec.id
        rec.analyses.append(store.GaitAnalysis(result=_analysis(512)(Path())[1]))  # analysed again
        store.add_recording(s, blobs, other.id, "bob.csv", CSV, _analysis(9))
        walk = {"minutes": 10, "pain_before": 4, "pain_during": 5, "pain_after": 4}
        before = {
            "minutes": 10,
            "pain_before": 7,
            "pain_during": 3,
            "pain_after": 2,
        }  # worst before setting off
        store.upsert_log(
            s, pid, dt.date(2026, 11, 5), {"walks": [walk, before], "pain": 7, "next_morning_pain": 3}
        )
        store.upsert_log(s, pid, dt.date(2026, 11, 6), {"walks": [], "red_flag": True})
        plan = {
            "start_date": "2026-11-05",
            "walks_per_day": 3,
            "minutes_per_walk": 10,
            "cues": ["Walk tall."],
        }
        plan["exercises"] = [{"id": "glute_bridge", "name": "Glute bridge", "dose_text": "2 x 8"}]
        store.save_plan(s, pid, plan, "first plan", c.id)
        store.save_plan(s, pid, {**plan, "minutes_per_walk": 15}, "went well", c.id)
        visit = clinic.TherapySession(
            date=dt.date(2026, 11, 7), clinician="C", technique="massage", region="lumbar", response="same"
        )
        store.add_therapy_session(s, pid, c.id, visit.model_dump(mode="json"))

    with store.transaction(engine, readonly=True) as s:
        record = store.patient_record(s, pid)
    patient = record.patient
    assert (patient.name, patient.sex, patient.age, patient.height_m) == ("Ann", "female", 54, 1.68)
    assert [x.urgency for x in record.screenings] == ["routine", "emergency"]
    (finding,) = record.screenings[1].findings
    assert finding.rule == "saddle_numbness" and finding.urgency == "emergency" and finding.text
    assert [(q.instrument, q.score, q.band) for q in record.scores] == [
        ("odi", 58.0, "severe disability"),
        ("psfs", 6.0, None),
    ]
    assert record.scores[1].activities == (("gardening", 4.0), ("stairs", 7.0), ("sitting", 7.0))
    (gait,) = record.gait  # the newest analysis of the recording; none of the other patient's
    assert (gait.source, gait.summary["n_steps"], gait.duration_s) == ("walk.csv", 512, 600.0)
    assert gait.id == rec_id  # keyed by the recording: analysing it again updates the same observation
    assert gait.start_time == "2026-11-06T14:00:00+01:00"
    assert gait.day == dt.date(2026, 11, 6)
    assert gait.warnings == ("the sensor seems tilted by about 39° from upright",)  # text only
    assert [(d.date.day, d.pain, d.minutes_walked, d.walks, d.red_flag) for d in record.diary] == [
        (5, 7.0, 20.0, 2, False),
        (6, None, None, 0, True),
    ]
    # the day's highest rating (7, before a walk) for the record; during or after a walk (5) for the diary's
    # "pain during or after walks", as the app plots it
    assert [d.walk_pain for d in record.diary] == [5.0, None]
    assert record.diary[0].next_morning_pain == 3.0
    assert [(p.version, p.minutes_per_walk, p.reason) for p in record.plans] == [
        (1, 10, "first plan"),
        (2, 15, "went well"),
    ]
    assert record.plans[0].exercises == (("Glute bridge", "2 x 8"),)
    assert record.plans[0].advice == ("Walk tall.",) and record.plans[0].start_date == dt.date(2026, 11, 5)
    assert record.activity == ()
    (visit,) = record.sessions
    assert (visit.date, visit.technique, visit.region, visit.response) == (
        dt.date(2026, 11, 7),
        "massage",
        "lumbar",
        "same",
    )


def test_patient_record_of_no_patient(engine: Engine) -> None:
    with store.transaction(engine, readonly=True) as s, pytest.raises(InputError):
        store.patient_record(s, 999)


def test_patient_record_says_whether_the_account_is_closed(engine: Engine) -> None:
    when = dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC)
    with store.transaction(engine) as s:
        c = store.create_user(s, "c@clinic.org", "C", "clinician")
        pid = store.create_patient(s, c, "p@example.org", "P").id
        assert store.patient_record(s, pid).patient.closed_at is None
        store.close_account(s, pid, "care completed", by_id=c.id, session_max_age_s=3600, now=when)
    with store.transaction(engine, readonly=True) as s:
        info = store.patient_record(s, pid).patient
        assert (info.closed_at, info.closed_reason) == (when, "care completed")


def test_a_screens_findings_are_said_in_words_in_the_record(engine: Engine) -> None:
    """The doctor's summary and the FHIR export showed a finding as the rule wrote it ("sciatica +
    pain_duration_weeks >= 6 (10.0)"); the record says it as the clinic app does."""
    answers: dict[str, Any] = {q: False for q in clinic.EMERGENCY_QUESTIONS}
    answers.update(sciatica=True, pain_duration_weeks=10.0)
    result = clinic.triage(answers).model_dump(mode="json")
    assert result["reasons"][0]["finding"] == "sciatica + pain_duration_weeks >= 6 (10.0)"
    with store.transaction(engine) as s:
        c = store.create_user(s, "c@clinic.org", "C", "clinician")
        pid = store.create_patient(s, c, "ann@example.org", "Ann").id
        store.add_screening(s, pid, answers, result["urgency"], result)
    with store.transaction(engine, readonly=True) as s:
        (screen,) = store.patient_record(s, pid).screenings
    (finding,) = screen.findings
    assert finding.rule == "sciatica_not_settling"  # the rule's id is kept as it is
    assert finding.text.startswith(
        "Sciatica + pain duration weeks 10 (6 or more): Leg pain that has not settled"
    )
