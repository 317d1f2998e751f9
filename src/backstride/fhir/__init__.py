"""A patient's record as FHIR R4 (HL7 Fast Healthcare Interoperability Resources), for a doctor's or a
clinic's record system.

:func:`patient_bundle` turns a :class:`PatientRecord` (plain values, from ``backstride.course``;
``backstride.store.patient_record`` fills one from the clinic's database) into a ``Bundle`` of type
``collection``: the patient, their screens, questionnaire scores, measured walking, diary, imported activity,
program versions and therapy sessions, and the progress summary for the doctor when it is given.
:func:`bundle_json` writes it out. Pure: no database, no files, no network. Which codes and units are
used, and why: ``backstride.fhir._codes``.
"""

from __future__ import annotations

from backstride.course import (  # re-exported: what a bundle is made from
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
from backstride.fhir._bundle import bundle_json, patient_bundle
from backstride.fhir._codes import CODE_SYSTEM, FHIR_VERSION, MEDIA_TYPE

__all__ = [
    "CODE_SYSTEM",
    "FHIR_VERSION",
    "MEDIA_TYPE",
    "ActivityEntry",
    "DiaryEntry",
    "Finding",
    "GaitEntry",
    "PatientInfo",
    "PatientRecord",
    "PlanEntry",
    "ScoreEntry",
    "ScreeningEntry",
    "SessionEntry",
    "bundle_json",
    "patient_bundle",
]
