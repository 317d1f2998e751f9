"""A patient's home program on paper: the week's walks and exercises, a chart to tick them off, what to do when
pain rises, and the warning signs that cannot wait, as one self-contained HTML page a therapist prints and hands
over (or a patient prints at home).

Made from the clinic's current :class:`~backstride.clinic.Plan`; the words for rising pain, the flare rule and
the warning signs are the clinic's own (``backstride.clinic``), so the paper never says what the program does
not. Like the other reports it needs no network and no script.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from backstride._errors import InputError
from backstride.report._html import _environment

if TYPE_CHECKING:
    from backstride.clinic import Plan

# a plan is one week of the program (clinic.Plan): its seven days are the chart's columns, and the next plan
# (the weekly review) starts the day after
_WEEK_DAYS = 7


def home_program_sheet(
    plan: Plan, *, name: str, emergency_number: str, generated_at: dt.datetime, latest_screening: Any = None
) -> str:
    """The home program sheet of ``plan`` for the patient ``name`` as HTML text; ``emergency_number`` is the
    clinic's number to call, ``generated_at`` (timezone-aware) is printed on it. ``latest_screening``: the
    patient's latest stored screening (its ``urgency``, ``result`` and ``created_at``); when it says to see a
    doctor today or within two weeks, the sheet says so first, in the screen's own words, as the plan page does:
    the paper is what is followed at home."""
    from backstride import clinic

    if generated_at.tzinfo is None:
        raise InputError("the sheet's generation time needs a time zone")
    clinic.check_emergency_number(emergency_number)
    days = [plan.start_date + dt.timedelta(days=i) for i in range(_WEEK_DAYS)]
    questions = {q.id: q.text for q in clinic.QUESTIONS}
    signs = [questions[i] for i in clinic.EMERGENCY_SIGNS if i in questions]
    pairs = [
        [questions[i] for i in combo]
        for combo in clinic.EMERGENCY_COMBINATIONS
        if not set(combo) & set(clinic.EMERGENCY_SIGNS) and all(i in questions for i in combo)
    ]
    rules = clinic.pain_rules()
    see_doctor = None
    screening = clinic.see_a_doctor(latest_screening)
    if screening is not None:
        # the plan page's words (clinic.see_a_doctor_words), and the day of the answers
        advice, then, why = clinic.see_a_doctor_words(screening.urgency, screening.result)
        see_doctor = {
            "urgency": screening.urgency,
            "advice": advice,
            "then": then,
            "why": why,
            "on": screening.created_at.astimezone().date(),
            "after": clinic.after_the_doctor(screening.urgency),
        }
    return (
        _environment()
        .get_template("sheet.html")
        .render(
            plan=plan,
            name=name,
            days=days,
            review_on=plan.start_date + dt.timedelta(days=_WEEK_DAYS),
            library=clinic.EXERCISES,
            rules=rules,
            flare_level=plan.baseline_pain + rules.rise_above_baseline,
            signs=signs,
            sign_pairs=pairs,
            number=emergency_number,
            see_doctor=see_doctor,
            made=generated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )
