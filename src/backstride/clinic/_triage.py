"""Emergency screening for low back pain: which answers need the emergency department, a doctor today,
a doctor within two weeks, or routine care.

The questions and rules live in ``data/triage.json``, each rule citing its framework: NICE NG59 and the CKS
red flags; the IFOMPT framework (Finucane et al., JOSPT 2020;50:350-372); the GIRFT national suspected
cauda equina pathway (2023); NICE NG234 on metastatic spinal cord compression. The urgency is the most
urgent level among the rules that match; every matching rule is reported with its reason.

Safety rules built into the code, not the data: an unknown answer id is an error (a typo must never hide a
red flag), a wrongly typed answer is an error naming the item, and a screen with any emergency question
unanswered is reported as incomplete with those questions named. Such an error never hides an emergency: when
the answers that could be read already meet an emergency rule, the emergency is returned, the problems noted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from backstride._emergency import DEFAULT_EMERGENCY_NUMBER
from backstride._errors import InputError, ScreeningIncomplete
from backstride._words import given, some
from backstride.clinic import _data
from backstride.clinic._models import ClinicModel
from backstride.clinic._norms import spelled_sex

Urgency = Literal["emergency", "same_day", "soon", "routine"]
QuestionKind = Literal["bool", "int", "float", "choice"]

URGENCY_ORDER: tuple[Urgency, ...] = ("emergency", "same_day", "soon", "routine")
"""Urgency levels, most urgent first."""

SEE_A_DOCTOR: tuple[Urgency, ...] = ("same_day", "soon")
"""Urgency levels that send the patient to a doctor without an emergency: while a screening of one of them is the
latest, its advice is said first on the plan, Today and daily-log pages and on the printed home program."""

BEFORE_THE_PLAN = "Please do this before you start or go on with the walking plan."
"""Said after a same-day screening's advice wherever the walking plan is shown."""


AFTER_THE_DOCTOR = "Once a doctor has seen you, check in again."
"""Said after a same-day screening's words to the patient: the next screening is after the visit."""

AFTER_THE_DOCTOR_FOR_THE_THERAPIST = "Once a doctor has seen them, screen them again."
"""The same, said to the therapist who looks at the patient's pages."""


def after_the_doctor(urgency: str, *, to_patient: bool = True) -> str:
    """What follows a stored screening's words of :func:`see_a_doctor_words` (on the pages and the printed home
    program): for a same-day screening, to screen again once a doctor has seen the patient; else ""."""
    if urgency != "same_day":
        return ""
    return AFTER_THE_DOCTOR if to_patient else AFTER_THE_DOCTOR_FOR_THE_THERAPIST


def see_a_doctor(screening: Any) -> Any | None:
    """The latest stored ``screening`` (its ``urgency``, ``result`` and ``created_at``) if its advice is to see a
    doctor (:data:`SEE_A_DOCTOR`: today, or within two weeks), else None: the advice said first while it is the
    latest."""
    return screening if screening is not None and screening.urgency in SEE_A_DOCTOR else None


def see_a_doctor_words(urgency: str, result: Mapping[str, Any]) -> tuple[str, str, list[str]]:
    """What a stored screening of a :data:`SEE_A_DOCTOR` ``urgency`` says first on the plan, Today and daily-log
    pages and on the printed home program, from its stored ``result``: its advice; for a same-day screening
    :data:`BEFORE_THE_PLAN` (else ""); and the reasons of that urgency."""
    then = BEFORE_THE_PLAN if urgency == "same_day" else ""
    reasons = [str(r.get("why", "")) for r in result.get("reasons", []) if r.get("urgency") == urgency]
    return str(result.get("advice", "")), then, reasons


class Question(ClinicModel):
    """One screening question."""

    id: str
    text: str = Field(description="The question in plain language")
    kind: QuestionKind
    emergency: bool = Field(description="True when the answer can, alone or with others, mean an emergency")
    choices: list[str] | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None


class Reason(ClinicModel):
    """A finding that raised the urgency, and why."""

    id: str = Field(description="Rule id (e.g. 'saddle_numbness', 'fever_unwell')")
    finding: str = Field(description="The answers that matched, e.g. 'fever + feeling_unwell'")
    urgency: Urgency
    why: str = Field(description="Plain-language explanation")
    source: str = Field(description="The framework the rule comes from")


class TriageResult(ClinicModel):
    """The outcome of a screen."""

    urgency: Urgency
    reasons: list[Reason] = Field(description="Every rule that matched, most urgent first")
    advice: str
    complete: bool = Field(description="False when an emergency question was left unanswered")
    unanswered: list[str] = Field(description="Emergency questions left unanswered")
    emergency_number: str
    notes: list[str] = Field(default_factory=list, description="Plain-language notes on non-urgent findings")


def _rule_ids(cond: Mapping[str, Any]) -> list[str]:
    """Question ids a condition refers to."""
    if "yes" in cond:
        return [str(cond["yes"])]
    for op in ("ge", "lt"):
        if op in cond:
            return [str(cond[op][0])]
    out: list[str] = []
    for op in ("all", "any"):
        for sub in cond.get(op, []):
            out.extend(_rule_ids(sub))
    return out


def _build_questions() -> list[Question]:
    data = _data.load("triage")
    emergency_ids: set[str] = set()
    for rule in data["rules"]:
        if rule["urgency"] == "emergency":
            emergency_ids.update(_rule_ids(rule["when"]))
    questions = [Question(**q, emergency=q["id"] in emergency_ids) for q in data["questions"]]
    # Emergency questions first, in file order: that is the order the interactive screen asks them.
    return sorted(questions, key=lambda q: not q.emergency)


QUESTIONS: list[Question] = _build_questions()
"""Every screening question, the emergency questions first."""

_BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}

EMERGENCY_QUESTIONS: tuple[str, ...] = tuple(q.id for q in QUESTIONS if q.emergency)
"""Ids of the questions that can lead to an emergency; a screen is complete only when all are answered."""


def _single_emergency_signs() -> tuple[str, ...]:
    out = []
    for rule in _data.load("triage")["rules"]:
        if rule["urgency"] == "emergency" and set(rule["when"]) == {"yes"}:
            out.append(str(rule["when"]["yes"]))
    return tuple(out)


EMERGENCY_SIGNS: tuple[str, ...] = _single_emergency_signs()
"""Answers that, answered yes on their own, always mean an emergency."""


def _emergencies_only_together() -> tuple[tuple[str, ...], ...]:
    out = []
    for rule in _data.load("triage")["rules"]:
        parts = rule["when"].get("all") if rule["urgency"] == "emergency" else None
        if isinstance(parts, list) and all(set(p) == {"yes"} for p in parts):
            ids = tuple(str(p["yes"]) for p in parts)
            if not set(ids) & set(EMERGENCY_SIGNS):
                out.append(ids)
    return tuple(out)


EMERGENCY_ONLY_TOGETHER: tuple[tuple[str, ...], ...] = _emergencies_only_together()
"""Yes-answers that mean an emergency together though none does alone (a fever with feeling unwell), from the
rules' data: a form that asks for the emergency signs alone (the daily log, the sign-in page) asks for these
together, so that what the printed program says to log as a warning sign can be logged."""

EMERGENCY_COMBINATIONS: tuple[tuple[str, ...], ...] = (
    ("fever", "feeling_unwell"),
    ("history_of_cancer", "foot_drop"),
    ("history_of_cancer", "leg_weakness_progressive"),
    ("history_of_cancer", "bilateral_leg_symptoms"),
    ("history_of_cancer", "saddle_numbness"),
    ("history_of_cancer", "unable_to_walk"),
)
"""Pairs of yes-answers that together mean an emergency (documentation and tests; the rules are data)."""


URGENCY_WORDS: dict[str, str] = {
    "emergency": "Emergency",
    "same_day": "See a doctor today",
    "soon": "See a doctor within two weeks",
    "routine": "Routine",
}
"""A screening's urgency (:data:`URGENCY_ORDER`) in words, as a clinician's flag and the doctor's summary say it."""


def urgency_in_words(urgency: object) -> str:
    """An urgency in :data:`URGENCY_WORDS` ("See a doctor within two weeks" for "soon"); another value with its
    underscores as spaces, capitalised."""
    return URGENCY_WORDS.get(str(urgency), str(urgency).replace("_", " ").capitalize())


_COMPARED = re.compile(r"^(?P<id>\w+) (?P<op>>=|<) (?P<limit>[\d.]+) \((?P<value>[^)]*)\)$")


def finding_in_words(finding: object) -> str:
    """A reason's ``finding`` ("history_of_cancer + night_pain", "age >= 70 (72)") with each question named in
    words ("History of cancer + night pain", "Age 72 (70 or more)") instead of its id, for pages and reports a
    person reads; a number stored as 10.0 is said as 10."""
    parts = []
    for part in str(finding or "").split(" + "):
        m = _COMPARED.match(part)
        if m is None:
            parts.append(part.replace("_", " "))
        else:
            bound = f"{_number(m['limit'])} or more" if m["op"] == ">=" else f"under {_number(m['limit'])}"
            parts.append(f"{m['id'].replace('_', ' ')} {_number(m['value'])} ({bound})")
    return " + ".join(parts).capitalize()


def _number(text: str) -> str:
    try:
        return f"{float(text):g}"
    except ValueError:
        return text


def validate_answers(answers: Mapping[str, object]) -> dict[str, bool | int | float | str | None]:
    """Check every answer against its question and return a clean copy.

    Raises :class:`InputError` naming unknown ids, wrongly typed answers and values out of range.
    ``None`` means unanswered.
    """
    clean, problems = _sort_answers(answers)
    if problems:
        raise InputError(problems[0])
    return clean


def _sort_answers(
    answers: Mapping[str, object],
) -> tuple[dict[str, bool | int | float | str | None], list[str]]:
    """The answers that pass their checks, and one line for each problem (unknown ids first)."""
    if not isinstance(answers, Mapping):
        raise InputError("answers must be a JSON object mapping question ids to answers")
    problems: list[str] = []
    unknown = sorted(str(k) for k in answers if k not in _BY_ID)
    if unknown:
        problems.append(
            f"unknown answer id(s): {some(unknown)} "
            "(check the spelling; `backstride triage --questions` lists every id)"
        )
    clean: dict[str, bool | int | float | str | None] = {}
    for key, value in answers.items():
        if key in _BY_ID:
            try:
                clean[key] = _check_value(_BY_ID[key], value)
            except InputError as exc:
                problems.append(str(exc))
    return clean, problems


def _check_value(q: Question, value: object) -> bool | int | float | str | None:
    if value is None:
        return None
    if q.kind == "bool":
        if not isinstance(value, bool):
            raise InputError(
                f"answer '{q.id}' must be true or false (or null if not answered), got {given(value)}"
            )
        return value
    if q.kind == "choice":
        if q.id == "sex":  # written as every command takes a sex (F, m, Female...)
            value = spelled_sex(value, other=True)
        if not isinstance(value, str) or value not in (q.choices or []):
            raise InputError(
                f"answer '{q.id}' must be one of {', '.join(q.choices or [])}, got {given(value)}"
            )
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"answer '{q.id}' must be a number ({q.unit}), got {given(value)}")
    number: int | float = value
    # a JSON whole number can be beyond any float (10**400): never made a float, it is checked by its range
    if isinstance(number, float) and not math.isfinite(number):
        raise InputError(f"answer '{q.id}' must be a finite number, got {given(value)}")
    if q.kind == "int":
        if isinstance(number, float) and not number.is_integer():
            raise InputError(f"answer '{q.id}' must be a whole number ({q.unit}), got {given(value)}")
        number = int(number)
    if (q.min is not None and number < q.min) or (q.max is not None and number > q.max):
        span = f"{q.min:g}-{q.max:g}"
        unit = "" if q.unit in (None, span) else f" {q.unit}"  # pain_nrs's unit is its range, "0-10"
        raise InputError(f"answer '{q.id}' must be between {q.min:g} and {q.max:g}{unit}, got {given(value)}")
    return number


def _holds(cond: Mapping[str, Any], answers: Mapping[str, object]) -> bool:
    if "yes" in cond:
        return answers.get(cond["yes"]) is True
    if "ge" in cond or "lt" in cond:
        op = "ge" if "ge" in cond else "lt"
        key, limit = cond[op]
        value = answers.get(key)
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return bool(value >= limit) if op == "ge" else bool(value < limit)
    if "all" in cond:
        return all(_holds(c, answers) for c in cond["all"])
    if "any" in cond:
        return any(_holds(c, answers) for c in cond["any"])
    raise ValueError(f"unknown condition {cond!r}")  # pragma: no cover - data file is tested


def _finding(cond: Mapping[str, Any], answers: Mapping[str, object]) -> list[str]:
    """The answered items that made a condition true (for the reason line)."""
    if "yes" in cond:
        return [str(cond["yes"])] if answers.get(cond["yes"]) is True else []
    if "ge" in cond or "lt" in cond:
        op = "ge" if "ge" in cond else "lt"
        key, limit = cond[op]
        return [f"{key} {'>=' if op == 'ge' else '<'} {limit} ({answers.get(key)})"]
    out: list[str] = []
    for sub in cond.get("all", []):
        out.extend(_finding(sub, answers))
    for sub in cond.get("any", []):
        if _holds(sub, answers):
            out.extend(_finding(sub, answers))
    return out


def _is_emergency(clean: Mapping[str, object]) -> bool:
    """True when the (checked) answers alone meet an emergency rule."""
    return any(
        rule["urgency"] == "emergency" and _holds(rule["when"], clean)
        for rule in _data.load("triage")["rules"]
    )


EMERGENCY_NUMBER_MAX = (
    30  # characters: a number with its country code and spaces, or a short name of a service
)


def check_emergency_number(emergency_number: object) -> str:
    """``emergency_number`` if it can be said: every text that tells the patient to call it goes through
    here, so that no advice reads "call  or go to the nearest emergency department" (an empty or blank
    ``--emergency-number``; the variable set to nothing counts as not set). :class:`InputError` otherwise."""
    if not isinstance(emergency_number, str) or not emergency_number.strip():
        raise InputError("the emergency number must be a non-empty text, e.g. 911, 112 or 999")
    if not emergency_number.isprintable():  # a line break or a control character would break the advice
        raise InputError(
            f"the emergency number must be one line of text, e.g. 911, 112 or 999, not {given(emergency_number)}"
        )
    return emergency_number


def not_screened(emergency_number: str) -> str:
    """What is said when the screen could not be done (an answers file that cannot be read): the emergency
    signs, each in a few plain words, and to call ``emergency_number`` if any is there now. Nothing else is
    said first: a file that cannot be read must not leave an emergency unsaid (``data/triage.json``)."""
    text = str(_data.load("triage")["not_screened"])
    return text.format(number=check_emergency_number(emergency_number))


def advice_for(urgency: Urgency, emergency_number: str) -> str:
    """The plain-language advice for an urgency level."""
    text = str(_data.load("triage")["urgency_levels"][urgency])
    if urgency == "emergency":
        check_emergency_number(emergency_number)
        return (
            f"EMERGENCY: call {emergency_number} or go to the nearest emergency department now. "
            "Do not wait to see if it settles, and do not drive yourself."
        )
    return text


def triage(
    answers: Mapping[str, object],
    *,
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER,
    require_complete: bool = False,
) -> TriageResult:
    """Screen one set of answers for serious causes of back pain.

    ``answers`` maps question ids (see :data:`QUESTIONS`) to booleans, numbers or choices; ``None`` or a
    missing key means unanswered. A missing answer never raises the urgency, so an incomplete screen says
    so (``complete=False``, ``unanswered`` names the emergency questions). With ``require_complete`` an
    incomplete screen that found no emergency raises :class:`ScreeningIncomplete` instead.

    An unknown id or a bad answer raises :class:`InputError`, unless the answers that could be read already
    meet an emergency rule: then the emergency result comes back, with the problems in its first note.
    """
    check_emergency_number(emergency_number)
    clean, problems = _sort_answers(answers)
    if problems and not _is_emergency(clean):
        raise InputError(problems[0])
    data = _data.load("triage")
    reasons: list[Reason] = []
    for rule in data["rules"]:
        if _holds(rule["when"], clean):
            reasons.append(
                Reason(
                    id=rule["id"],
                    finding=" + ".join(_finding(rule["when"], clean)),
                    urgency=rule["urgency"],
                    why=rule["reason"],
                    source=_data.cited(data["sources"], rule["source"]),
                )
            )
    reasons.sort(key=lambda r: URGENCY_ORDER.index(r.urgency))
    urgency: Urgency = reasons[0].urgency if reasons else "routine"
    unanswered = [qid for qid in EMERGENCY_QUESTIONS if clean.get(qid) is None]
    notes = [str(n["text"]) for n in data["notes"] if _holds(n["when"], clean)]
    if problems:
        # a slip in another answer must never stand between a clear emergency answer and the emergency advice:
        # more answers can only add urgency, and this is already the most urgent level
        notes.insert(
            0,
            "Some answers could not be read, which does not change the emergency: "
            + "; ".join(problems)
            + ".",
        )
    if unanswered and urgency != "emergency":
        notes.insert(
            0,
            "Not every emergency question was answered, so this screen cannot rule out an emergency. "
            "Please answer: " + " ".join(f"“{_BY_ID[qid].text}”" for qid in unanswered),
        )
        if require_complete:
            raise ScreeningIncomplete(f"emergency question(s) left unanswered: {', '.join(unanswered)}")
    return TriageResult(
        urgency=urgency,
        reasons=reasons,
        advice=advice_for(urgency, emergency_number),
        complete=not unanswered,
        unanswered=unanswered,
        emergency_number=emergency_number,
        notes=notes,
    )


def parse_answer(question: Question, text: str) -> bool | int | float | str | None:
    """Turn a typed reply (``y``/``n``/a number/a choice; empty or ``skip`` = unanswered) into an answer.

    Raises :class:`InputError` for a reply that does not fit the question.
    """
    reply = text.strip().lower()
    if reply in ("", "skip", "s", "?"):
        return None
    if question.kind == "bool":
        if reply in ("y", "yes", "true", "1"):
            return True
        if reply in ("n", "no", "false", "0"):
            return False
        raise InputError(f"please answer y (yes), n (no) or skip for '{question.id}'")
    if question.kind == "choice":
        return _check_value(question, reply)
    try:
        number = float(reply)
    except ValueError:
        raise InputError(f"please answer '{question.id}' with a number ({question.unit})") from None
    return _check_value(question, int(number) if question.kind == "int" and number.is_integer() else number)
