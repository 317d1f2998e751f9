"""The daily log's form: what was typed, read field by field into the clinic's ``DailyLog``.

Every field is read on its own and every problem is reported in the form's own words ("Walk 1, minutes
walked: give a whole number from 0 to 600"), so one mistyped number neither hides the others nor drops
what else was said: a warning sign ticked beside it still counts (the caller keeps it and shows the
emergency page first). The bounds are the clinic models' own (``WalkLog``, ``DailyLog``); minutes and pain
are whole numbers, as the form asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backstride.web._fields import TEXT_MAX, UNUSABLE, bounds, expected, read_number

MAX_WALKS = 6
"""Walks a day the form can take (a plan has at most 3; a day may hold more)."""

PAIN_TODAY_LABEL = "Your worst pain today, if you did not walk"

NOTES_MAX = TEXT_MAX
"""Characters the day's note ("Anything else") may have: a few paragraphs for the therapist, as a clinician's
note may have. It had no limit, so a paste of a whole document was kept in the day's log and shown back on
every page that shows it."""

TOGETHER = "+"
"""Joins the ids of one warning-sign box that stands for signs ticked together (``flag_fever+feeling_unwell``:
a fever with feeling unwell, an emergency together though neither is alone)."""

PAIN_FIELDS = (
    ("pain_before", "pain before"),
    ("pain_during", "highest pain during"),
    ("pain_after", "pain after"),
)


@dataclass
class LogForm:
    """What the daily log's form said: the parts the clinic can use, what was typed and what was wrong."""

    walks: list[dict[str, float]] = field(default_factory=list)
    flags: dict[str, bool] = field(default_factory=dict)
    exercises: list[str] = field(default_factory=list)
    notes: str = ""
    #: A note over :data:`NOTES_MAX`, held back from ``notes``: refused with the form, but kept whole beside a
    #: warning sign (the words may be the patient's account of it, and the emergency page offers no way back).
    long_notes: str = ""
    morning_pain: float | None = None
    pain_today: float | None = None
    typed: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)

    def problem(self, name: str, message: str) -> None:
        self.problems.append(message)
        self.invalid.add(name)


def read_whole(
    form: LogForm, raw: Any, name: str, label: str, limits: tuple[float | None, float | None, bool]
) -> Any:
    """The whole number typed in field ``name`` (None when empty; :data:`UNUSABLE` with its problem noted
    when it cannot be used)."""
    if isinstance(raw, str) and raw.strip():
        form.typed[name] = raw.strip()
    value, problem = read_number(raw, label, limits, whole=True)
    if problem is not None:
        form.problem(name, problem)
    return None if value is None else value if value is UNUSABLE else float(value)


def read_log_form(data: Any, *, known_flags: set[str], known_exercises: set[str]) -> LogForm:
    """Read the submitted daily log (a Starlette form) field by field."""
    from backstride.clinic import DailyLog, WalkLog

    form = LogForm()
    minutes_limits = bounds(WalkLog, "minutes")
    pain_limits = bounds(WalkLog, "pain_during")
    for i in range(1, MAX_WALKS + 1):
        minutes = read_whole(
            form, data.get(f"w{i}_minutes"), f"w{i}_minutes", f"Walk {i}, minutes walked", minutes_limits
        )
        pains = {
            key: read_whole(form, data.get(f"w{i}_{key}"), f"w{i}_{key}", f"Walk {i}, {label}", pain_limits)
            for key, label in PAIN_FIELDS
        }
        given = [key for key, value in pains.items() if value is not None]
        if minutes is None or minutes == 0:
            if given:  # a walk's pain without the walk: said, so never dropped without a word
                form.problem(
                    f"w{i}_minutes",
                    f"Walk {i}: pain was given but no minutes walked, so it cannot be kept as a walk. Give "
                    "the minutes you walked; if you did not walk, clear the walk's pain and give it under "
                    f"“{PAIN_TODAY_LABEL}”.",
                )
            continue
        for key, label in PAIN_FIELDS:
            if pains[key] is None:
                form.problem(
                    f"w{i}_{key}", f"Walk {i}, {label}: please give it ({expected(pain_limits, whole=True)})."
                )
        if minutes is UNUSABLE or any(v is None or v is UNUSABLE for v in pains.values()):
            continue
        form.walks.append({"minutes": minutes, **pains})
    morning = read_whole(
        form,
        data.get("morning_pain"),
        "morning_pain",
        "Pain when you woke up this morning",
        bounds(DailyLog, "next_morning_pain"),
    )
    form.morning_pain = None if morning is UNUSABLE else morning
    today = read_whole(
        form, data.get("pain_today"), "pain_today", PAIN_TODAY_LABEL, bounds(DailyLog, "pain_today")
    )
    form.pain_today = None if today is UNUSABLE else today
    for key in data:
        name = str(key)
        if name.startswith("flag_") and data.get(key) == "yes":
            ids = name[5:].split(TOGETHER)
            if all(i in known_flags for i in ids):
                form.flags.update(dict.fromkeys(ids, True))
                form.typed[name] = "yes"
            else:
                form.problem(name, "A warning sign the form does not know was sent; it was left out.")
    for value in data.getlist("exercises"):
        if str(value) in known_exercises:
            form.exercises.append(str(value))
        else:
            form.problem("exercises", "An exercise the program does not know was sent; it was left out.")
    notes = data.get("notes")
    form.notes = notes.strip() if isinstance(notes, str) else ""
    if len(form.notes) > NOTES_MAX:  # shown back whole to be shortened, never cut
        form.typed["notes"] = form.long_notes = form.notes
        form.notes = ""
        form.problem(
            "notes",
            f"Anything else: give at most {NOTES_MAX:,} characters (this note has {len(form.typed['notes']):,}).",
        )
    return form
