"""The codes and units a FHIR export uses, in one place, with where each comes from.

- **LOINC** (Regenstrief Institute, https://loinc.org; free to use under its terms): only for the three
  measures that have a plain LOINC term, each as the HL7 implementation guides use it:
  72514-3 *Pain severity - 0-10 verbal numeric rating [Score] - Reported* (the daily pain and the NPRS;
  e.g. HL7 Belgium's patient-monitoring guide), 41950-7 *Number of steps in 24 hour Measured* (e.g. HL7
  Lithuania's vital-signs guide, with the UCUM unit ``/d``) and 8302-2 *Body height* (the FHIR R4 vital
  signs profile). LOINC has no terms for a lower-back sensor's gait measures (HL7's own personal-health-
  record guide codes walking speed and step length in a code system of its own), nor for the Oswestry,
  Roland-Morris, STarT Back and PSFS totals as backstride scores them, so those are **backstride's own
  codes** (:data:`CODE_SYSTEM`), defined in the bundle's ``CodeSystem`` resource with a definition each.
- **LOINC document type** 11508-9 *Physical therapy Progress note*, for the doctor's progress summary sent
  as a ``DocumentReference``: a member of HL7's *ProgressNoteDocumentTypeCode* value set (C-CDA on FHIR
  implementation guide, ``http://hl7.org/fhir/us/ccda/ValueSet/2.16.840.1.113883.11.20.8.1``), which lists
  the progress-note document types by the profession writing them.
- **UCUM** (https://ucum.org; FHIR's units, ``http://unitsofmeasure.org``): ``s``, ``min``, ``m``, ``m/s``,
  ``/min``, ``deg``, ``%``, ``cm``, ``/d``, and annotations such as ``{steps}`` and ``{score}`` (a unit of
  one with a name, UCUM §6.4).
- **HL7 terminology** (http://terminology.hl7.org): the observation categories ``activity``, ``survey``
  and ``vital-signs`` and the v3 interpretation codes ``N`` (normal), ``A`` (abnormal) and ``AA``
  (critical abnormal), used to make a screen's urgency stand out in a receiving record.
"""

from __future__ import annotations

from typing import Final

FHIR_VERSION: Final = "4.0.1"  # FHIR R4
MEDIA_TYPE: Final = "application/fhir+json"

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION: Final = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
# backstride's own concepts. A ``urn:uuid:`` is a registered URI scheme nobody else will reuse; the
# project owns no web address that could serve as the code system's canonical URL.
CODE_SYSTEM: Final = "urn:uuid:5d3f3a0e-5c5b-4e7e-9a51-b6a7c1d2e0f4"
# backstride's record numbers in one clinic's database (the Patient's identifier)
PATIENT_ID_SYSTEM: Final = "urn:uuid:0c1e8f0a-7b8e-4c55-a3c5-58d2b4f1a6e7"

# the observation categories used, with HL7's displays
CATEGORIES: Final[dict[str, str]] = {"activity": "Activity", "survey": "Survey", "vital-signs": "Vital Signs"}

PAIN_LOINC: Final = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
STEPS_PER_DAY_LOINC: Final = ("41950-7", "Number of steps in 24 hour Measured")
BODY_HEIGHT_LOINC: Final = ("8302-2", "Body height")
PROGRESS_NOTE_LOINC: Final = ("11508-9", "Physical therapy Progress note")

# backstride's codes: code -> (display, definition)
CONCEPTS: Final[dict[str, tuple[str, str]]] = {
    "walking-measurement": (
        "Walking measured by a lower-back sensor",
        "The walking found in one recording of a phone or wearable sensor worn at the lower back, analysed by "
        "backstride: walking time, steps and bouts, and the medians over bouts of 10 s or more.",
    ),
    "walking-time": ("Walking time", "Total duration of the walking bouts found in the recording."),
    "steps": ("Steps", "Number of steps in the walking bouts found in the recording."),
    "walking-bouts": ("Walking bouts", "Number of walking bouts (Mobilise-D definition) found."),
    "longest-bout": ("Longest walking bout", "Duration of the longest walking bout."),
    "cadence": ("Cadence, median", "Median cadence of the walking bouts of 10 s or more."),
    "walking-speed": ("Walking speed, median", "Median walking speed of the walking bouts of 10 s or more."),
    "stride-length": ("Stride length, median", "Median stride length of the walking bouts of 10 s or more."),
    "step-length-left": (
        "Left step length, median",
        "Median over the walking bouts of 10 s or more of each bout's mean step length ending on the left foot.",
    ),
    "step-length-right": (
        "Right step length, median",
        "Median over the walking bouts of 10 s or more of each bout's mean step length ending on the right foot.",
    ),
    "trunk-lean": (
        "Forward trunk lean, median",
        "Median forward lean of the trunk from vertical while walking, over the bouts of 10 s or more.",
    ),
    "pelvis-rotation": ("Pelvis rotation per stride, median", "Range of pelvic rotation within a stride."),
    "pelvis-obliquity": ("Pelvis obliquity per stride, median", "Range of pelvic obliquity within a stride."),
    "pelvis-tilt": ("Pelvis tilt per stride, median", "Range of pelvic tilt within a stride."),
    "odi": (
        "Oswestry Disability Index",
        "Oswestry Disability Index v2.1a (Fairbank & Pynsent 2000): 0-100 %, higher is more disability.",
    ),
    "rmdq": (
        "Roland-Morris Disability Questionnaire",
        "Roland-Morris Disability Questionnaire (Roland & Morris 1983): items ticked, 0-24.",
    ),
    "startback": (
        "STarT Back Screening Tool",
        "Keele STarT Back Screening Tool (Hill et al. 2008): total 0-9, with a risk group.",
    ),
    "psfs": (
        "Patient-Specific Functional Scale",
        "Patient-Specific Functional Scale (Stratford et al. 1995): mean of the activities' 0-10 ratings.",
    ),
    "disability-band": ("Disability band", "The band the Oswestry score falls in."),
    "risk-group": ("Risk group", "STarT Back risk group: low, medium or high."),
    "psfs-activity": ("PSFS activity", "One activity the patient named, with its 0-10 rating."),
    "red-flag-screen": (
        "Back pain warning-sign screen",
        "backstride's screen for cauda equina syndrome and other serious causes of back pain; the value is "
        "its urgency.",
    ),
    "screen-finding": ("Screen finding", "A warning sign the screen found, and why it matters."),
    "walking-diary": (
        "Walking diary, one day",
        "What the patient logged for one day: minutes walked, walks, next-morning pain.",
    ),
    "minutes-walked": ("Minutes walked", "Minutes walked that day, over the logged walks."),
    "walks": ("Walks", "Number of walks logged that day."),
    "next-morning-pain": ("Next-morning pain", "Pain 0-10 on the morning after."),
    "red-flag-reported": ("Warning sign reported", "The patient reported a warning sign in the day's log."),
    "activity-day": (
        "Walking measured by a phone or watch, one day",
        "A day's walking from a phone's or watch's own health data, imported into backstride.",
    ),
    "walking-distance": ("Walking distance", "Distance walked that day."),
    "step-length": ("Step length", "Mean step length that day."),
}

# the screen's urgency levels are codes of this system too; their definitions are the clinic's own advice
# (``backstride.clinic.advice_for``), so the two cannot drift apart

# the screen's urgency -> a v3 interpretation code (how a receiving record flags it)
URGENCY_INTERPRETATION: Final[dict[str, tuple[str, str]]] = {
    "emergency": ("AA", "Critical abnormal"),
    "same_day": ("A", "Abnormal"),
    "soon": ("A", "Abnormal"),
    "routine": ("N", "Normal"),
}

# a gait summary's field -> (backstride code, UCUM code, unit as people read it)
GAIT_COMPONENTS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("total_walking_s", "walking-time", "s", "s"),
    ("n_steps", "steps", "{steps}", "steps"),
    ("n_bouts", "walking-bouts", "{bouts}", "bouts"),
    ("longest_bout_s", "longest-bout", "s", "s"),
    ("median_cadence_spm", "cadence", "/min", "steps/min"),
    ("median_walking_speed_mps", "walking-speed", "m/s", "m/s"),
    ("median_stride_length_m", "stride-length", "m", "m"),
    ("median_step_length_left_m", "step-length-left", "m", "m"),
    ("median_step_length_right_m", "step-length-right", "m", "m"),
    ("median_trunk_lean_deg", "trunk-lean", "deg", "°"),
    ("median_pelvis_rotation_deg", "pelvis-rotation", "deg", "°"),
    ("median_pelvis_obliquity_deg", "pelvis-obliquity", "deg", "°"),
    ("median_pelvis_tilt_deg", "pelvis-tilt", "deg", "°"),
)

# a questionnaire's id -> (UCUM code, unit); the NPRS is LOINC's pain score
SCORE_UNITS: Final[dict[str, tuple[str, str]]] = {
    "nprs": ("{score}", "score"),
    "odi": ("%", "%"),
    "rmdq": ("{score}", "score"),
    "startback": ("{score}", "score"),
    "psfs": ("{score}", "score"),
}
