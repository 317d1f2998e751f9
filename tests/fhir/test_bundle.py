"""The FHIR export: a patient's record as an R4 bundle, checked against FHIR's own models (the fhir.resources
package) and value by value against the record it came from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from typing import Any

import pytest

from backstride import fhir
from backstride.fhir import (
    ActivityEntry,
    DiaryEntry,
    Finding,
    GaitEntry,
    PatientInfo,
    PatientRecord,
    PlanEntry,
    ScoreEntry,
    ScreeningEntry,
    SessionEntry,
)

UTC = dt.UTC
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _record(patient_id: int = 7) -> PatientRecord:
    return PatientRecord(
        patient=PatientInfo(id=patient_id, name="Ann Example", sex="female", height_m=1.68),
        screenings=(
            ScreeningEntry(id=1, when=dt.datetime(2026, 11, 1, 8, 0, tzinfo=UTC), urgency="routine"),
            ScreeningEntry(
                id=2,
                when=dt.datetime(2026, 11, 15, 8, 0, tzinfo=UTC),
                urgency="emergency",
                findings=(Finding(rule="saddle_numbness", urgency="emergency", text="saddle numbness: new"),),
            ),
            ScreeningEntry(id=3, when=AT, urgency="routine", complete=False),
        ),
        scores=(
            ScoreEntry(id=10, when=AT, instrument="nprs", score=6.0),
            ScoreEntry(id=11, when=AT, instrument="odi", score=58.0, band="severe disability"),
            ScoreEntry(id=12, when=AT, instrument="startback", score=5.0, risk="medium"),
            ScoreEntry(
                id=13,
                when=AT,
                instrument="psfs",
                score=5.0,
                activities=(("walking to the shops", 4.0), ("gardening", 6.0)),
            ),
            ScoreEntry(id=14, when=AT, instrument="rmdq", score=None),  # not scored: nothing to send
        ),
        gait=(
            GaitEntry(
                id=20,
                when=dt.datetime(2026, 11, 6, 15, 0, tzinfo=UTC),
                source="walk.csv",
                duration_s=600.0,
                start_time="2026-11-06T14:00:00+01:00",
                summary={
                    "total_walking_s": 312.5,
                    "n_steps": 540,
                    "n_bouts": 9,
                    "longest_bout_s": 95.2,
                    "median_cadence_spm": 101.3,
                    "median_walking_speed_mps": 1.02,
                    "median_stride_length_m": 1.21,
                    "median_step_length_left_m": None,
                    "median_trunk_lean_deg": float("nan"),
                },
            ),
            GaitEntry(
                id=21,
                when=dt.datetime(2026, 11, 13, 15, 0, tzinfo=UTC),
                source="logger.cwa",
                duration_s=86400.0,
                start_time="2026-11-12T00:00:00",  # a logger's local time, no zone
                summary={"total_walking_s": 0.0, "n_steps": 0, "n_bouts": 0},
            ),
        ),
        diary=(
            DiaryEntry(
                id=30, date=dt.date(2026, 11, 5), pain=6.0, next_morning_pain=5.0, minutes_walked=30, walks=3
            ),
            DiaryEntry(id=31, date=dt.date(2026, 11, 6), walks=0, red_flag=True),
        ),
        activity=(
            ActivityEntry(
                id=40, date=dt.date(2026, 11, 7), source="export.zip", steps=6400, walking_speed_mps=1.1
            ),
            ActivityEntry(id=41, date=dt.date(2026, 11, 8), source="export.zip"),
        ),
        plans=(
            PlanEntry(
                id=50,
                version=1,
                when=dt.datetime(2026, 11, 5, 11, 0, tzinfo=UTC),
                start_date=dt.date(2026, 11, 5),
                walks_per_day=3,
                minutes_per_walk=10,
                exercises=(("Glute bridge", "2 x 8 reps, once a day"),),
                advice=("Slow down if pain rises.",),
            ),
            PlanEntry(
                id=51,
                version=2,
                when=dt.datetime(2026, 11, 12, 11, 0, tzinfo=UTC),
                walks_per_day=3,
                minutes_per_walk=15,
                reason="walks went well",
            ),
        ),
        sessions=(
            SessionEntry(
                id=60,
                date=dt.date(2026, 11, 7),
                clinician="Dana Reyes",
                technique="spinal mobilisation (grade III)",
                region="L4-L5",
                dose="3 x 30 s",
                duration_min=30,
                pain_before=6,
                pain_after=4,
                response="better",
                notes="Walking program explained.",
            ),
            SessionEntry(
                id=61, date=dt.date(2026, 11, 14), clinician="Dana Reyes", technique="massage", region=""
            ),
        ),
    )


def _bundle(record: PatientRecord | None = None) -> dict[str, Any]:
    return fhir.patient_bundle(record or _record(), generated_at=AT)


def _codes(value: Any, system: str) -> set[str]:
    """Every code of ``system`` anywhere in ``value`` (a bundle, or any part of one)."""
    if isinstance(value, dict):
        own = {value["code"]} if value.get("system") == system and "code" in value else set()
        return own.union(*(_codes(inner, system) for inner in value.values()))
    if isinstance(value, list):
        return set().union(*(_codes(inner, system) for inner in value))
    return set()


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _coded(resource: dict[str, Any], system: str, code: str) -> bool:
    return any(c["system"] == system and c["code"] == code for c in resource["code"]["coding"])


def _component(obs: dict[str, Any], code: str) -> dict[str, Any] | None:
    for part in obs.get("component", []):
        if part["code"]["coding"][0]["code"] == code:
            return part
    return None


def test_the_bundle_is_valid_fhir() -> None:
    from fhir.resources.R4B.bundle import Bundle

    bundle = _bundle()
    parsed = Bundle.model_validate(json.loads(json.dumps(bundle)))  # what a receiving system reads
    assert parsed.type == "collection"
    assert len(parsed.entry) == len(bundle["entry"])
    kinds = [e.resource.get_resource_type() for e in parsed.entry]
    assert kinds[:3] == ["CodeSystem", "Patient", "Observation"]
    assert kinds.count("CarePlan") == 2 and kinds[-2:] == ["Procedure", "Procedure"]


def test_fhir_models_refuse_a_broken_bundle() -> None:
    """The validity check above can fail: a missing required status, a date FHIR cannot read."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    bundle = json.loads(json.dumps(_bundle()))
    obs = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation")
    del obs["status"]
    with pytest.raises(ValidationError):
        Bundle.model_validate(bundle)
    bundle = json.loads(json.dumps(_bundle()))
    plan = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan")
    plan["created"] = "12 Nov"
    with pytest.raises(ValidationError):
        Bundle.model_validate(bundle)


def test_every_reference_resolves_inside_the_bundle_and_every_own_code_is_defined() -> None:
    bundle = _bundle()
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert len(urls) == len(bundle["entry"])
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in bundle["entry"])
    text = json.dumps(bundle)
    refs = [part.split('"')[0] for part in text.split('"reference": "')[1:]]
    assert refs and all(ref in urls for ref in refs)
    (system,) = _resources(bundle, "CodeSystem")
    defined = {c["code"] for c in system["concept"]}
    used = _codes(bundle, fhir.CODE_SYSTEM)
    assert used and used <= defined
    emergency = next(c for c in system["concept"] if c["code"] == "emergency")
    assert "emergency department" in emergency["definition"]  # the clinic's own advice, not a copy


def test_the_same_record_gives_the_same_bundle_and_patients_do_not_share_ids() -> None:
    assert _bundle() == _bundle()
    ids_7 = {e["resource"]["id"] for e in _bundle()["entry"][1:]}
    ids_8 = {e["resource"]["id"] for e in _bundle(_record(8))["entry"][1:]}
    assert not ids_7 & ids_8


def test_patient_and_height() -> None:
    bundle = _bundle()
    (patient,) = _resources(bundle, "Patient")
    assert patient["gender"] == "female"
    assert patient["name"] == [{"text": "Ann Example"}]
    assert patient["identifier"][0]["value"] == "7"
    (height,) = [o for o in _resources(bundle, "Observation") if _coded(o, LOINC, "8302-2")]
    assert height["valueQuantity"] == {
        "value": 168.0,
        "unit": "cm",
        "system": "http://unitsofmeasure.org",
        "code": "cm",
    }
    unknown = PatientRecord(patient=PatientInfo(id=1, name="X", sex=None))
    assert _resources(_bundle(unknown), "Patient")[0]["gender"] == "unknown"
    assert patient["active"] is True


def test_a_closed_account_is_sent_as_a_record_no_longer_in_active_use() -> None:
    from fhir.resources.R4B.bundle import Bundle

    closed = PatientRecord(
        patient=PatientInfo(id=7, name="Ann Example", closed_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    )
    bundle = _bundle(closed)
    assert _resources(bundle, "Patient")[0]["active"] is False
    Bundle.model_validate(json.loads(json.dumps(bundle)))


def test_screens_carry_their_urgency_and_an_emergency_stands_out() -> None:
    screens = [
        o for o in _resources(_bundle(), "Observation") if _coded(o, fhir.CODE_SYSTEM, "red-flag-screen")
    ]
    assert [s["valueCodeableConcept"]["coding"][0]["code"] for s in screens] == [
        "routine",
        "emergency",
        "routine",
    ]
    assert [s["interpretation"][0]["coding"][0]["code"] for s in screens] == ["N", "AA", "N"]
    finding = _component(screens[1], "screen-finding")
    assert finding is not None and finding["valueString"] == "saddle numbness: new (emergency)"
    assert "saddle_numbness" in finding["code"]["text"]
    assert "note" not in screens[0] and "left unanswered" in screens[2]["note"][0]["text"]
    assert screens[1]["effectiveDateTime"] == "2026-11-15T08:00:00Z"


def test_a_same_day_or_two_week_screen_is_named_as_the_summary_and_the_pages_name_it() -> None:
    """Before: a receiving record showed a same-day screen as "Same day" and a two-week one as "Soon" (and the
    finding as "... (soon)"), where the summary in the same bundle and every page say "See a doctor today" and
    "See a doctor within two weeks": "soon" says no time."""
    screens = (
        ScreeningEntry(
            id=1,
            when=AT,
            urgency="same_day",
            findings=(Finding(rule="fever", urgency="same_day", text="Fever: checked by a doctor today."),),
        ),
        ScreeningEntry(
            id=2,
            when=AT,
            urgency="soon",
            findings=(
                Finding(rule="iv_drug_use", urgency="soon", text="Iv drug use: review within two weeks."),
            ),
        ),
    )
    record = dataclasses.replace(_record(), screenings=screens)
    found = [
        o
        for o in _resources(_bundle(record), "Observation")
        if _coded(o, fhir.CODE_SYSTEM, "red-flag-screen")
    ]
    assert [s["valueCodeableConcept"]["text"] for s in found] == [
        "See a doctor today",
        "See a doctor within two weeks",
    ]
    assert [_component(s, "screen-finding")["valueString"] for s in found] == [  # type: ignore[index]
        "Fever: checked by a doctor today. (see a doctor today)",
        "Iv drug use: review within two weeks. (see a doctor within two weeks)",
    ]


def test_questionnaire_scores() -> None:
    obs = _resources(_bundle(), "Observation")
    (nprs,) = [
        o for o in obs if _coded(o, LOINC, "72514-3") and o["effectiveDateTime"] == "2026-11-20T09:30:00Z"
    ]
    assert nprs["valueQuantity"]["value"] == 6.0 and nprs["category"][0]["coding"][0]["code"] == "survey"
    (odi,) = [o for o in obs if _coded(o, fhir.CODE_SYSTEM, "odi")]
    assert odi["valueQuantity"]["value"] == 58.0 and odi["valueQuantity"]["code"] == "%"
    assert _component(odi, "disability-band")["valueString"] == "severe disability"  # type: ignore[index]
    (start,) = [o for o in obs if _coded(o, fhir.CODE_SYSTEM, "startback")]
    assert _component(start, "risk-group")["valueString"] == "medium"  # type: ignore[index]
    (psfs,) = [o for o in obs if _coded(o, fhir.CODE_SYSTEM, "psfs")]
    ratings = [(p["code"]["text"], p["valueQuantity"]["value"]) for p in psfs["component"]]
    assert ratings == [
        ("PSFS activity: walking to the shops", 4.0),
        ("PSFS activity: gardening", 6.0),
    ]
    assert not [o for o in obs if _coded(o, fhir.CODE_SYSTEM, "rmdq")]  # unscored: left out


def test_measured_walking() -> None:
    record = _record()
    walks = [
        o
        for o in _resources(_bundle(record), "Observation")
        if _coded(o, fhir.CODE_SYSTEM, "walking-measurement")
    ]
    assert len(walks) == 2
    first, second = walks
    summary = record.gait[0].summary
    expected = {
        "walking-time": summary["total_walking_s"],
        "steps": summary["n_steps"],
        "walking-bouts": summary["n_bouts"],
        "longest-bout": summary["longest_bout_s"],
        "cadence": summary["median_cadence_spm"],
        "walking-speed": summary["median_walking_speed_mps"],
        "stride-length": summary["median_stride_length_m"],
    }
    got = {p["code"]["coding"][0]["code"]: p["valueQuantity"]["value"] for p in first["component"]}
    assert got == expected  # the missing left step and the NaN lean are left out, not sent as numbers
    assert _component(first, "cadence")["valueQuantity"]["code"] == "/min"  # type: ignore[index]
    # a start time with a zone places the walk in time; its end is the start plus the recording's length
    assert first["effectivePeriod"] == {"start": "2026-11-06T13:00:00Z", "end": "2026-11-06T13:10:00Z"}
    assert "effectiveDateTime" not in first
    # a logger's local start time cannot be placed: the upload's time, and the note says so
    assert second["effectiveDateTime"] == "2026-11-13T15:00:00Z"
    note = second["note"][0]["text"]
    assert "2026-11-12T00:00:00" in note and "upload" in note and "1440.0 min" in note
    assert {p["code"]["coding"][0]["code"]: p["valueQuantity"]["value"] for p in second["component"]} == {
        "walking-time": 0.0,
        "steps": 0,
        "walking-bouts": 0,
    }
    for obs in walks:
        for part in obs["component"]:
            assert math.isfinite(part["valueQuantity"]["value"])


def test_diary_and_activity_days() -> None:
    obs = _resources(_bundle(), "Observation")
    pains = [o for o in obs if _coded(o, LOINC, "72514-3") and o["effectiveDateTime"] == "2026-11-05"]
    assert [p["valueQuantity"]["value"] for p in pains] == [6.0]
    days = [o for o in obs if _coded(o, fhir.CODE_SYSTEM, "walking-diary")]
    assert [d["effectiveDateTime"] for d in days] == ["2026-11-05", "2026-11-06"]
    assert _component(days[0], "minutes-walked")["valueQuantity"]["value"] == 30  # type: ignore[index]
    assert _component(days[0], "next-morning-pain")["valueQuantity"]["value"] == 5.0  # type: ignore[index]
    assert _component(days[1], "minutes-walked") is None
    assert [_component(d, "red-flag-reported")["valueBoolean"] for d in days] == [False, True]  # type: ignore[index]
    (steps,) = [o for o in obs if _coded(o, LOINC, "41950-7")]
    assert steps["valueQuantity"]["value"] == 6400 and steps["valueQuantity"]["code"] == "/d"
    (day,) = [o for o in obs if _coded(o, fhir.CODE_SYSTEM, "activity-day")]
    assert [p["code"]["coding"][0]["code"] for p in day["component"]] == ["walking-speed"]


def test_program_versions() -> None:
    bundle = _bundle()
    first, second = _resources(bundle, "CarePlan")
    assert (first["status"], second["status"]) == ("completed", "active")
    assert second["replaces"] == [{"reference": f"urn:uuid:{first['id']}"}]
    assert "replaces" not in first
    assert [a["detail"]["description"] for a in first["activity"]] == [
        "Walk 3 times a day, 10 minutes each",
        "Glute bridge: 2 x 8 reps, once a day",
    ]
    assert {a["detail"]["status"] for a in second["activity"]} == {"in-progress"}
    assert second["activity"][0]["detail"]["description"] == "Walk 3 times a day, 15 minutes each"
    assert first["period"] == {"start": "2026-11-05"} and "period" not in second
    assert first["description"] == "Slow down if pain rises."
    assert second["note"] == [{"text": "walks went well"}]


def test_a_paused_program_is_on_hold_with_why() -> None:
    # before: the record had no pause, and the current program was sent as active while a warning sign had
    # stopped the walks
    from fhir.resources.R4B.bundle import Bundle

    why = "Paused for a warning sign (urinary retention) until a clinician, having checked the patient, resumes it."
    bundle = _bundle(dataclasses.replace(_record(), plan_paused=why))
    Bundle.model_validate(json.loads(json.dumps(bundle)))
    first, second = _resources(bundle, "CarePlan")
    assert (first["status"], second["status"]) == ("completed", "on-hold")
    assert {a["detail"]["status"] for a in second["activity"]} == {"on-hold"}
    assert {a["detail"]["status"] for a in first["activity"]} == {"completed"}
    assert second["note"] == [{"text": "walks went well"}, {"text": why}]
    assert "note" not in first
    # the day it was paused, when known, dates the note (FHIR's Annotation.time, validated)
    on = dataclasses.replace(_record(), plan_paused=why, plan_paused_on=dt.date(2026, 11, 19))
    bundle = _bundle(on)
    Bundle.model_validate(json.loads(json.dumps(bundle)))
    assert _resources(bundle, "CarePlan")[1]["note"][1] == {"text": why, "time": "2026-11-19"}


def test_an_earlier_programs_pause_is_a_note_of_its_care_plan() -> None:
    """A pause a clinician ended (the next version started) was in the doctor's summary and not in the export:
    the earlier version's CarePlan says it, dated by the pause's first day."""
    from fhir.resources.R4B.bundle import Bundle

    plans = _record().plans
    resumed = (plans[0], dataclasses.replace(plans[1], start_date=dt.date(2026, 11, 12)))
    record = dataclasses.replace(
        _record(), plans=resumed, earlier_pauses=((dt.date(2026, 11, 9), dt.date(2026, 11, 12)),)
    )
    bundle = _bundle(record)
    Bundle.model_validate(json.loads(json.dumps(bundle)))
    first, second = _resources(bundle, "CarePlan")
    assert first["status"] == "completed" and second["status"] == "active"
    assert first["note"][-1] == {
        "text": "Paused for a warning sign from 2026-11-09 until the next version started on 2026-11-12: no "
        "walking was asked for then.",
        "time": "2026-11-09",
    }
    assert all("Paused" not in n["text"] for n in second.get("note", []))


def test_therapy_sessions() -> None:
    first, second = _resources(_bundle(), "Procedure")
    assert first["status"] == "completed" and first["performedDateTime"] == "2026-11-07"
    assert first["code"] == {"text": "spinal mobilisation (grade III)"}
    assert first["bodySite"] == [{"text": "L4-L5"}]
    assert first["performer"] == [{"actor": {"display": "Dana Reyes"}}]
    assert first["outcome"] == {"text": "Better right after the session"}
    assert first["note"] == [
        {"text": "dose 3 x 30 s; 30 min; pain 6 → 4 of 10"},
        {"text": "Walking program explained."},
    ]
    # what was not recorded is not invented: no region, no response, no notes
    assert "bodySite" not in second and "outcome" not in second and "note" not in second


def test_entries_entered_in_error_are_sent_as_such_under_the_same_ids() -> None:
    from dataclasses import replace

    from fhir.resources.R4B.bundle import Bundle

    record = _record()
    marked = replace(
        record,
        scores=tuple(replace(s, entered_in_error=s.instrument == "nprs") for s in record.scores),
        gait=(replace(record.gait[0], entered_in_error=True), record.gait[1]),
    )
    before = {o["id"]: o for o in _resources(_bundle(record), "Observation")}
    after = {o["id"]: o for o in _resources(_bundle(marked), "Observation")}
    assert before.keys() == after.keys()  # the same observations: a receiving system corrects its own copy
    changed = {k for k in after if after[k]["status"] != before[k]["status"]}
    assert {after[k]["status"] for k in changed} == {"entered-in-error"}
    walk, pain = (
        after[k] for k in sorted(changed, key=lambda k: after[k]["category"][0]["coding"][0]["code"])
    )
    assert (
        _coded(walk, fhir.CODE_SYSTEM, "walking-measurement")
        and "entered in error" in walk["note"][0]["text"]
    )
    assert _coded(pain, LOINC, "72514-3") and pain["valueQuantity"]["value"] == 6.0
    Bundle.model_validate(json.loads(json.dumps(_bundle(marked))))


def test_the_progress_summary_goes_in_as_a_document() -> None:
    """The doctor's summary rides along as a DocumentReference with the HTML inside, as valid FHIR."""
    import base64
    import hashlib

    from fhir.resources.R4B.bundle import Bundle

    from backstride import report

    record = _record()
    html = report.course_report(record, generated_at=AT, plots=False)
    assert "<script" not in html and "This copy, made for a record system" in html
    bundle = fhir.patient_bundle(record, generated_at=AT, summary_html=html)
    assert bundle["entry"][:-1] == _bundle()["entry"]  # everything else as without it
    Bundle.model_validate(json.loads(fhir.bundle_json(bundle)))
    (document,) = _resources(bundle, "DocumentReference")
    assert (document["status"], document["docStatus"], document["date"]) == (
        "current",
        "final",
        "2026-11-20T09:30:00Z",
    )
    assert document["type"]["coding"][0]["code"] == "11508-9"
    assert document["subject"] == _resources(bundle, "Observation")[0]["subject"]
    (content,) = document["content"]
    attachment = content["attachment"]
    data = base64.b64decode(attachment["data"])
    assert data.decode("utf-8") == html
    assert attachment["size"] == len(data) and attachment["title"] == "Progress summary: Ann Example"
    assert base64.b64decode(attachment["hash"]) == hashlib.sha1(data).digest()
    # the same record at the same time: the same document, under one id per patient
    assert fhir.patient_bundle(record, generated_at=AT, summary_html=html) == bundle
    other = fhir.patient_bundle(_record(8), generated_at=AT, summary_html=html)
    assert other["entry"][-1]["resource"]["id"] != document["id"]
    assert fhir.bundle_json(bundle).endswith("}\n") and "Progress summary: Ann Example" in fhir.bundle_json(
        bundle
    )


def test_docs_list_every_ucum_unit_the_bundle_uses() -> None:
    """A receiving system maps units by the list in docs/fhir.md; it named ``{steps}`` and ``{score}`` as the
    annotations while the bundle also sends a walk's ``{bouts}`` and a diary day's ``{walks}``."""
    import re

    from tests.conftest import ROOT

    used = _codes(_bundle(), UCUM)
    doc = (ROOT / "docs" / "fhir.md").read_text(encoding="utf-8")
    bullet = doc.split("- **UCUM** units throughout", 1)[1].split("\n- ", 1)[0]
    assert {"{steps}", "{score}", "/d", "cm"} <= used
    assert sorted(used - set(re.findall(r"`([^`]+)`", bullet))) == []
