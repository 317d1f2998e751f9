"""The clinical core: emergency screening, questionnaire scoring, gait norms, and the pain-guided walking and
exercise program.

Pure functions and pydantic models; no database, no web, no network. Every rule, threshold, norm, exercise
and self-care card lives in a data file under ``clinic/data`` with its sources.
"""

from __future__ import annotations

from backstride.clinic._calendar import (
    DEFAULT_WALK_TIMES,
    default_walk_times,
    next_review,
    walk_calendar,
    walk_times,
)
from backstride.clinic._exercises import (
    EXERCISES,
    SELF_CARE,
    Dose,
    Exercise,
    SelfCareCard,
    TherapySession,
)
from backstride.clinic._norms import MeasureComparison, NormComparison, compare_with_norms, norms_for
from backstride.clinic._program import (
    VARIANTS,
    Baseline,
    DailyLog,
    Plan,
    PrescribedExercise,
    Review,
    WalkLog,
    WeekSummary,
    dose_limits,
    make_plan,
    prescribe_exercise,
    review_week,
)
from backstride.clinic._scores import (
    INSTRUMENTS,
    Activity,
    Change,
    Definitions,
    Instrument,
    ItemDefinition,
    ScoreResult,
    compare,
    first_to_latest,
    load_definitions,
    score,
)
from backstride.clinic._triage import (
    EMERGENCY_COMBINATIONS,
    EMERGENCY_QUESTIONS,
    EMERGENCY_SIGNS,
    QUESTIONS,
    URGENCY_ORDER,
    Question,
    Reason,
    TriageResult,
    advice_for,
    triage,
    validate_answers,
)

__all__ = [
    "DEFAULT_WALK_TIMES",
    "EMERGENCY_COMBINATIONS",
    "EMERGENCY_QUESTIONS",
    "EMERGENCY_SIGNS",
    "EXERCISES",
    "INSTRUMENTS",
    "QUESTIONS",
    "SELF_CARE",
    "URGENCY_ORDER",
    "VARIANTS",
    "Activity",
    "Baseline",
    "Change",
    "DailyLog",
    "Definitions",
    "Dose",
    "Exercise",
    "Instrument",
    "ItemDefinition",
    "MeasureComparison",
    "NormComparison",
    "Plan",
    "PrescribedExercise",
    "Question",
    "Reason",
    "Review",
    "ScoreResult",
    "SelfCareCard",
    "TherapySession",
    "TriageResult",
    "WalkLog",
    "WeekSummary",
    "advice_for",
    "compare",
    "compare_with_norms",
    "default_walk_times",
    "dose_limits",
    "first_to_latest",
    "load_definitions",
    "make_plan",
    "next_review",
    "norms_for",
    "prescribe_exercise",
    "review_week",
    "score",
    "triage",
    "validate_answers",
    "walk_calendar",
    "walk_times",
]
