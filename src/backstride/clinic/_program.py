"""The pain-guided walking and exercise program: a starting plan from a baseline, and a weekly review that
progresses, holds, steps back or stops.

Rules (``data/program.json``): start below the pain threshold (about 80 % of the minutes walked before pain
rises, 5-15 minutes, 2-3 walks a day); after a good week (pain during walks at most 5/10, next-morning pain
no worse than the week before, at least 80 % of the planned walks done) add about 5 minutes a day; hold
after a borderline week; after a flare (pain 2 or more points above the starting level on 2 or more days,
or any pain of 8 or more) take about 5 minutes a day off; any red flag stops the plan and returns the
screening's urgency. The long-term aim is a 30-minute walk on 5 or more days a week, as in the WalkBack
trial (Pocovi et al., Lancet 2024;404:134-144). The pain thresholds follow the pain-monitoring model
(Silbernagel et al., Am J Sports Med 2007) and graded activity (Macedo et al., Phys Ther 2010).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from backstride._emergency import DEFAULT_EMERGENCY_NUMBER
from backstride._errors import InputError
from backstride._words import are, given, some
from backstride.clinic import _data
from backstride.clinic._exercises import EXERCISES, Dose
from backstride.clinic._models import ClinicDate, ClinicModel, number, number_range
from backstride.clinic._norms import GAIT_SUMMARY_FIELDS, gait_value, spelled_sex
from backstride.clinic._triage import QUESTIONS, TriageResult, advice_for, check_emergency_number, triage

Decision = Literal["progress", "hold", "step_back", "stop"]
Variant = Literal["easier", "standard", "harder"]
VARIANTS: tuple[Variant, ...] = ("easier", "standard", "harder")
"""The versions of an exercise, easiest first."""
_RED_FLAG_IDS = frozenset(q.id for q in QUESTIONS if q.kind == "bool")
_STOPPED_NOT_URGENT = (
    "The screening does not rate what you logged as urgent on its own. Still, see your doctor or physical "
    "therapist before you go on with the walking plan, and seek help at once if any other warning sign appears."
)
_BOOL: TypeAdapter[bool] = TypeAdapter(bool)
_WEEK = dt.timedelta(days=7)  # a plan covers the seven days from its start_date; the next plan starts after
_EXACT = 1e-9  # pain and minutes are given to a few decimals: a gap this small is binary floating point's, not theirs


def _at_most(value: float, limit: float) -> bool:
    """``value <= limit`` as the rule's words mean it for decimal figures: 0.8 x 7 = 5.6 minutes, or a reference
    of 0.41 with 0.5 of tolerance = 0.91, is reached by 5.6 or 0.91 exactly, which binary floating point
    computes a hair past (5.6000000000000005, 0.9100000000000001)."""
    return value <= limit + _EXACT


def _at_least(value: float, limit: float) -> bool:
    """``value >= limit`` in the same sense as :func:`_at_most`."""
    return value >= limit - _EXACT


def _rules() -> dict[str, Any]:
    return _data.load("program")


class Baseline(ClinicModel):
    """What is known about the person when the program starts."""

    age: Annotated[int, number(16, 120, whole=True)]
    sex: Literal["female", "male", "other"]
    pain_nrs: Annotated[float, number(0, 10)] = Field(description="Usual pain now, 0-10")
    walking_tolerance_min: Annotated[float, number(0, 600)] = Field(
        description="Minutes walked before pain rises"
    )
    odi: Annotated[float | None, number(0, 100)] = Field(None, description="Oswestry score, 0-100")
    startback: Literal["low", "medium", "high"] | None = Field(None, description="STarT Back risk group")
    gait: dict[str, float | None] | None = Field(
        None, description="Gait summary fields (median_walking_speed_mps, median_cadence_spm, ...)"
    )
    start_date: ClinicDate

    @field_validator("sex", mode="before")
    @classmethod
    def _sex_as_analyze_takes_it(cls, value: object) -> object:
        return spelled_sex(value, other=True)

    @field_validator("gait", mode="before")
    @classmethod
    def _gait_summary(cls, value: object) -> object:
        """Only a gait summary's fields, each a number in its plausible range or null (as :mod:`._norms`
        reads a gait result); anything else is left to the type check."""
        if not isinstance(value, Mapping):
            return value
        unknown = sorted(str(k) for k in value if k not in GAIT_SUMMARY_FIELDS)
        if unknown:
            raise PydanticCustomError(
                "gait_field",
                "unknown field(s) {unknown}; a baseline's gait holds fields of the summary that "
                "`backstride analyze --json` writes, such as median_walking_speed_mps",
                {"unknown": some(unknown)},
            )
        try:
            return {str(k): gait_value(str(k), v) for k, v in value.items()}
        except ValueError as exc:
            raise PydanticCustomError("gait_value", "{problem}", {"problem": str(exc)}) from None


class PrescribedExercise(ClinicModel):
    """One exercise of the plan with its dose."""

    id: str
    name: str
    variant: Variant = "standard"
    variant_text: str | None = Field(None, description="How to do the easier or harder variant")
    dose: Dose
    dose_text: str

    @field_validator("id")
    @classmethod
    def _of_the_library(cls, value: str) -> str:
        """An exercise of the library: a plan file's unknown id ended in a KeyError at the week's review."""
        if value not in EXERCISES:
            raise ValueError(f"unknown exercise id {given(value)}; `backstride exercises` lists the library")
        return value


@dataclass(frozen=True)
class PainRules:
    """The program's rules for rising pain and flares (see :func:`pain_rules`): ``cues`` are its walking cues
    about pain or discomfort (slow down, shorten, stop; how much is fine), ``flare`` says what a flare is and what
    follows one; the numbers are the flare's thresholds (0-10 pain) and the most pain during a walk a good week
    allows. ``warning_cue`` is the cue every plan's cues end with: stop and get help at a warning sign (a paper
    that lists the warning signs with the number to call says it there instead)."""

    cues: tuple[str, ...]
    warning_cue: str
    flare: str
    rise_above_baseline: float
    min_days: int
    severe_pain: float
    max_pain_during: float


class Plan(ClinicModel):
    """One week of the walking and exercise program."""

    version: Annotated[int, number(1, whole=True)] = Field(description="Increases by one at every review")
    week: Annotated[int, number(1, whole=True)]
    start_date: ClinicDate
    walks_per_day: Annotated[int, number(1, 3, whole=True)]
    minutes_per_walk: Annotated[int, number(5, 30, whole=True)]
    daily_minutes: Annotated[int, number(5, whole=True)]
    baseline_pain: Annotated[float, number(0, 10)] = Field(
        description="Pain at the start of the program, 0-10"
    )
    morning_pain_reference: Annotated[float, number(0, 10)] = Field(
        description="Next-morning pain to stay at or under"
    )
    cues: list[str]
    exercises: list[PrescribedExercise]
    goal: str
    reasons: list[str]
    withheld_exercises: list[str] = Field(
        default_factory=list,
        description="Exercises a clinician took out of the program: the weekly progression does not add them back",
    )
    started_at: dt.datetime | None = Field(
        default=None,
        description="When the plan was made, or a clinician resumed it after a pause: a check-in before then "
        "that asked for emergency care was seen to (a clinician screened again), and does not pause it",
    )
    signs_seen: list[str] = Field(
        default_factory=list,
        description="Warning signs already in the log of the plan's first day when a clinician resumed it: seen "
        "to, they do not pause it again (a sign stays in its day's log)",
    )

    @model_validator(mode="after")
    def _daily_is_product(self) -> Plan:
        if self.daily_minutes != self.walks_per_day * self.minutes_per_walk:
            raise ValueError("daily_minutes must equal walks_per_day x minutes_per_walk")
        return self


class WalkLog(ClinicModel):
    """One walk: how long, and pain (0-10) before, during (the highest) and after."""

    minutes: Annotated[float, number(0, 600)]
    pain_before: Annotated[float, number(0, 10)]
    pain_during: Annotated[float, number(0, 10)]
    pain_after: Annotated[float, number(0, 10)]


class DailyLog(ClinicModel):
    """One day of the program as the person logs it."""

    date: ClinicDate
    walks: list[WalkLog] = Field(default_factory=list)
    next_morning_pain: Annotated[float | None, number(0, 10)] = Field(
        None, description="Pain on waking the next morning"
    )
    pain_today: Annotated[float | None, number(0, 10)] = Field(
        None,
        description="The day's worst pain apart from its walks (a day too painful to walk has no walk to carry it)",
    )
    exercises_done: list[str] = Field(default_factory=list, description="Exercise ids done that day")
    red_flags: dict[str, bool] = Field(
        default_factory=dict,
        description="Screening question ids (see `backstride triage --questions`) -> yes/no",
    )
    notes: str = ""

    @field_validator("red_flags")
    @classmethod
    def _known_flags(cls, value: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(k for k in value if k not in _RED_FLAG_IDS)
        if unknown:
            raise ValueError(f"unknown red flag id(s): {some(unknown)}")
        return value

    @field_validator("exercises_done")
    @classmethod
    def _known_exercises(cls, value: list[str]) -> list[str]:
        unknown = sorted(k for k in value if k not in EXERCISES)
        if unknown:
            raise ValueError(f"unknown exercise id(s): {some(unknown)}")
        return value


class WeekSummary(ClinicModel):
    """The figures the review decided on."""

    days_logged: int
    walks_planned: int
    walks_done: int
    completion: float = Field(description="walks_done / walks_planned")
    max_pain_during: float | None
    mean_next_morning_pain: float | None
    flare_days: int = Field(description="Days with pain 2+ points above the baseline")
    highest_pain: float | None
    exercise_days: int


class Review(ClinicModel):
    """The weekly decision, its reasons and the next plan."""

    decision: Decision
    reasons: list[str]
    new_plan: Plan | None
    triage: TriageResult | None = None
    summary: WeekSummary | None = None
    signs: list[str] = Field(
        default_factory=list,
        description="The warning signs that stopped the plan (screening question ids, or an emergency rule's "
        "finding); empty unless the decision is a stop",
    )
    paused_on: dt.date | None = Field(
        default=None,
        description="The day the plan stopped: the first of its week with a warning sign logged or a check-in "
        "that asked for emergency care (None unless the decision is a stop, or when the day is not known)",
    )


def _prescribe(ex_id: str, variant: Variant = "standard", dose: Dose | None = None) -> PrescribedExercise:
    ex = EXERCISES[ex_id]
    d = dose or ex.dose
    variant_text = ex.easier if variant == "easier" else ex.harder if variant == "harder" else None
    return PrescribedExercise(
        id=ex.id, name=ex.name, variant=variant, variant_text=variant_text, dose=d, dose_text=d.describe()
    )


_DOSE_CEILINGS = {"sets": "max_sets", "reps": "max_reps", "hold_s": "max_hold_s"}
_DOSE_WORDS = {"sets": "sets", "reps": "repetitions", "hold_s": "seconds held", "per_day": "times a day"}


def dose_limits(exercise_id: str) -> dict[str, tuple[int, int] | None]:
    """The lowest and highest whole number each part of an exercise's dose (``sets``, ``reps``, ``hold_s``,
    ``per_day``) may take when a clinician prescribes it: :class:`Dose`'s bounds, capped by the exercise's own
    ``max_sets``, ``max_reps`` and ``max_hold_s`` (the ceiling the weekly progression stops at). None for a
    part the exercise has not got (a stretch is held, not repeated: no starting repetitions and no ceiling),
    so that a form offers only the parts that apply."""
    ex = EXERCISES[exercise_id]
    out: dict[str, tuple[int, int] | None] = {}
    for part in ("sets", "reps", "hold_s", "per_day"):
        check = number_range(Dose, part)
        assert check is not None and check.high is not None  # Dose's every part is a bounded number
        low, high = int(check.low), int(check.high)
        ceiling = getattr(ex, _DOSE_CEILINGS[part]) if part in _DOSE_CEILINGS else high
        if ceiling is None and getattr(ex.dose, part) is None:
            out[part] = None
        else:
            out[part] = (low, min(high, ceiling if ceiling is not None else high))
    return out


def prescribe_exercise(
    exercise_id: str, variant: Variant = "standard", dose: Dose | None = None
) -> PrescribedExercise:
    """An exercise of the library as a plan prescribes it (its ``variant_text`` and ``dose_text`` written as
    :func:`make_plan` and the weekly review write them), at its starting dose or at ``dose``.

    For a clinician's change: an exercise not in the library, or a dose beyond :func:`dose_limits`, is an
    :class:`InputError` naming the exercise and what it takes.
    """
    ex = EXERCISES.get(exercise_id)
    if ex is None:
        raise InputError(f"{given(exercise_id)} is not an exercise of the library")
    if variant not in VARIANTS:
        raise InputError(f"{ex.name}: the version is easier, standard or harder, not {given(variant)}")
    if dose is not None:
        limits = dose_limits(exercise_id)
        for part, words in _DOSE_WORDS.items():
            value, bounds = getattr(dose, part), limits[part]
            if value is None:
                continue
            if bounds is None:
                raise InputError(f"{ex.name} has no {words}; leave them out")
            if not bounds[0] <= value <= bounds[1]:
                raise InputError(f"{ex.name}: {words} take a whole number from {bounds[0]} to {bounds[1]}")
    return _prescribe(exercise_id, variant, dose)


def _goal_text() -> str:
    p = _rules()["progression"]
    return (
        f"Build up, a little each week, to one {p['goal_minutes_per_walk']}-minute walk on "
        f"{p['goal_days_per_week']} or more days a week (as in the WalkBack trial), and keep it up."
    )


def _with_safety_cue(cues: Sequence[str]) -> list[str]:
    """The cues with the warning-sign cue last, added to a plan written before it was (no duplicate)."""
    safety = str(_rules()["safety_cue"])
    return [c for c in cues if c != safety] + [safety]


def pain_rules() -> PainRules:
    """What the program asks of a person when pain rises, in its own words and numbers
    (``data/program.json``): for pages and papers that explain the rules to a patient without restating them."""
    rules = _rules()
    flare = rules["flare"]
    return PainRules(
        cues=tuple(
            str(c) for c in rules["cues"] if {"pain", "discomfort"} & set(re.findall(r"\w+", c.lower()))
        ),
        warning_cue=str(rules["safety_cue"]),
        flare=str(flare["why"]),
        rise_above_baseline=float(flare["rise_above_baseline"]),
        min_days=int(flare["min_days"]),
        severe_pain=float(flare["severe_pain"]),
        max_pain_during=float(rules["progression"]["max_pain_during"]),
    )


def weekly_screen(emergency_number: str) -> str:
    """The warning signs to check before the next week, as every review that goes on ends (its last reason).

    It is said to the patient with the clinic's number of the day, not kept as a reason for the plan's next
    version (``backstride._plans``): a number kept in the history would go stale when the clinic's changes."""
    return str(_rules()["weekly_screen"]).format(number=check_emergency_number(emergency_number))


def make_plan(baseline: Baseline) -> Plan:
    """The first week's plan for a baseline: walks, cues and an exercise block, each choice with its reason."""
    rules = _rules()
    start = rules["start"]
    tol = baseline.walking_tolerance_min
    raw = start["tolerance_fraction"] * tol
    minutes = int(
        min(start["max_minutes_per_walk"], max(start["min_minutes_per_walk"], math.floor(raw + 0.5)))
    )
    walks = 3 if minutes <= start["three_walks_up_to_minutes"] else 2
    reasons = [
        f"You can walk about {tol:g} minutes before the pain rises; each walk starts at {minutes} minutes "
        f"(about 80 % of that, kept between {start['min_minutes_per_walk']} and "
        f"{start['max_minutes_per_walk']} minutes) so that walking stays comfortable.",
        f"{walks} walks a day: "
        + (
            "several short walks spread the load while the walks are short."
            if walks == 3
            else "two walks a day; they merge into one longer walk as you build up."
        ),
    ]
    if raw < start["min_minutes_per_walk"]:
        reasons.append(
            f"Even {start['min_minutes_per_walk']} minutes is more than your usual comfortable time: walk slowly, "
            "and rest part-way if you need to."
        )
    blocks = rules["exercise_blocks"]
    gentle = baseline.pain_nrs >= 7 or (baseline.odi is not None and baseline.odi > 40) or tol < 10
    block = "gentle" if gentle else "core"
    reasons.append(
        f"Exercise block '{block}' ({blocks[block]['when']}): "
        + (
            "gentle movement and core activation first; strengthening is added as walking builds up."
            if gentle
            else "core control, strengthening and stretches."
        )
    )
    variant: Variant = "easier" if baseline.pain_nrs >= 7 else "standard"
    if variant == "easier":
        reasons.append("Pain is high (7/10 or more), so every exercise starts with its easier version.")
    if baseline.startback == "high":
        reasons.append(
            "STarT Back shows a high risk of ongoing problems: worries and low mood matter as much as the back; "
            "ask your clinician about psychologically informed physiotherapy."
        )
    speed = (baseline.gait or {}).get("median_walking_speed_mps")
    if speed is not None:
        reasons.append(
            f"Your measured walking speed was {speed:.2f} m/s; walk at a pace that feels comfortable."
        )
    return Plan(
        version=1,
        week=1,
        start_date=baseline.start_date,
        walks_per_day=walks,
        minutes_per_walk=minutes,
        daily_minutes=walks * minutes,
        baseline_pain=baseline.pain_nrs,
        morning_pain_reference=baseline.pain_nrs,
        cues=_with_safety_cue(rules["cues"]),
        exercises=[_prescribe(e, variant) for e in blocks[block]["exercises"]],
        goal=_goal_text(),
        reasons=reasons,
    )


def _progress_walks(walks: int, minutes: int) -> tuple[int, int, str]:
    """Next week's walks after a good week: at most about 5 more minutes a day, longer and fewer walks."""
    p = _rules()["progression"]
    goal, cap, step = p["goal_minutes_per_walk"], p["max_daily_minutes"], p["step_minutes_per_day"]
    daily = walks * minutes
    if minutes >= goal:
        return walks, minutes, f"You have reached the {goal}-minute walk: keep it up at this level."
    target = min(daily + step, cap)
    best: tuple[int, int] | None = None
    for w in range(walks, 0, -1):
        for m in range(minutes, min(goal, minutes + step) + 1):
            d = w * m
            if daily < d <= target and (best is None or (m, d) > (best[1], best[0] * best[1])):
                best = (w, m)
    if best is not None:
        w, m = best
        return w, m, f"A good week: daily walking goes from {daily} to {w * m} minutes ({w} x {m} minutes)."
    # The daily total has reached its cap: merge into fewer, longer walks.
    w, m = max(1, walks - 1), min(goal, minutes + step)
    return (
        w,
        m,
        f"A good week and {daily} minutes a day already: walks become fewer and longer "
        f"({w} x {m} minutes) on the way to one {goal}-minute walk.",
    )


def _step_back_walks(walks: int, minutes: int) -> tuple[int, int, str]:
    """Next week's walks after a flare: about 5 minutes a day less, never below one 5-minute walk."""
    f = _rules()["flare"]
    floor = _rules()["start"]["min_minutes_per_walk"]
    daily = walks * minutes
    target = max(floor, daily - f["step_back_minutes_per_day"])
    best: tuple[int, int] = (1, floor)
    for w in range(walks, 0, -1):
        for m in range(floor, minutes + 1):
            d = w * m
            if d <= target and d > best[0] * best[1]:
                best = (w, m)
    w, m = best
    return w, m, f"After a flare, daily walking goes from {daily} to {w * m} minutes ({w} x {m} minutes)."


def _progress_exercise(px: PrescribedExercise) -> PrescribedExercise:
    ex = EXERCISES[px.id]
    d = px.dose
    if d.reps is not None and ex.max_reps is not None and d.reps < ex.max_reps:
        return _prescribe(px.id, px.variant, d.model_copy(update={"reps": min(ex.max_reps, d.reps + 2)}))
    if d.hold_s is not None and ex.max_hold_s is not None and d.hold_s < ex.max_hold_s:
        return _prescribe(
            px.id, px.variant, d.model_copy(update={"hold_s": min(ex.max_hold_s, d.hold_s + 5)})
        )
    if d.sets < ex.max_sets:
        return _prescribe(px.id, px.variant, d.model_copy(update={"sets": d.sets + 1}))
    if px.variant != "harder":
        return _prescribe(px.id, VARIANTS[VARIANTS.index(px.variant) + 1])
    return px


def _progress_exercises_done(
    exercises: Sequence[PrescribedExercise], logs: Sequence[DailyLog], reasons: list[str]
) -> list[PrescribedExercise]:
    """Each exercise one step up if the week's logs show it done on enough days
    (``progression.exercise_days_to_progress``); the others as they were, and the reasons say which."""
    need = int(_rules()["progression"]["exercise_days_to_progress"])
    days = {x.id: sum(1 for day in logs if x.id in day.exercises_done) for x in exercises}
    done = [x for x in exercises if days[x.id] >= need]
    kept = [x for x in exercises if days[x.id] < need]
    if done:
        reasons.append(
            f"Exercises done on {need} or more days move up a step (more repetitions, longer holds, another set "
            f"or a harder version): {', '.join(x.name for x in done)}."
        )
    if kept:
        reasons.append(
            f"Exercises logged on fewer than {need} days stay as they were, to be done before they are made "
            f"harder: {', '.join(x.name for x in kept)}."
        )
    return [_progress_exercise(x) if days[x.id] >= need else x for x in exercises]


def _step_back_exercise(px: PrescribedExercise) -> PrescribedExercise:
    if px.variant != "easier":
        return _prescribe(px.id, VARIANTS[VARIANTS.index(px.variant) - 1])
    return _prescribe(px.id, "easier", px.dose.model_copy(update={"sets": 1}))


def _day_top_pain(day: DailyLog) -> float | None:
    """The highest pain a day's log gives (its walks', its worst pain today and the next morning's), as the
    week's review judges each day for a flare."""
    pains = [v for w in day.walks for v in (w.pain_before, w.pain_during, w.pain_after)]
    pains += [v for v in (day.next_morning_pain, day.pain_today) if v is not None]
    return max(pains) if pains else None


def flare_on_the_day(plan: Plan, day: DailyLog) -> str | None:
    """What to tell a person whose logged day reached a flare's pain, on the day, or None: pain of the flare's
    ``severe_pain`` or more (a flare at once), or ``rise_above_baseline`` points above the plan's starting pain
    (a flare on ``min_days`` such days of a week), judged as the week's review judges each day; then the
    program's own words for a flare day (``data/program.json``, ``flare.on_the_day``). Without it a day logged at
    8/10 was answered "Saved. Thank you — see you tomorrow." and nothing more until the week's review."""
    f = _rules()["flare"]
    top = _day_top_pain(day)
    if top is None:
        return None
    if top >= f["severe_pain"]:
        said = f"Your pain reached {top:g}/10 today: pain of {f['severe_pain']:g}/10 or more is a flare."
    elif _at_least(top, plan.baseline_pain + f["rise_above_baseline"]):
        said = (
            f"Your pain reached {top:g}/10 today, {f['rise_above_baseline']:g} or more points above your starting "
            f"level ({plan.baseline_pain:g}/10): on {f['min_days']} or more such days in a week, that is a flare."
        )
    else:
        return None
    return f"{said} {f['on_the_day']}"


def _summarise(plan: Plan, logs: Sequence[DailyLog], baseline: float) -> WeekSummary:
    p = _rules()["progression"]
    days = max(p["planned_days_per_week"], len(logs))
    planned = plan.walks_per_day * days
    needed = p["walk_counts_if_fraction_of_planned"] * plan.minutes_per_walk
    done = sum(
        min(plan.walks_per_day, sum(1 for w in day.walks if _at_least(w.minutes, needed))) for day in logs
    )
    during = [w.pain_during for day in logs for w in day.walks]
    mornings = [day.next_morning_pain for day in logs if day.next_morning_pain is not None]
    flare_days = 0
    highest: float | None = None
    for day in logs:
        top = _day_top_pain(day)
        if top is not None:
            highest = top if highest is None else max(highest, top)
            if _at_least(top, baseline + _rules()["flare"]["rise_above_baseline"]):
                flare_days += 1
    return WeekSummary(
        days_logged=len(logs),
        walks_planned=planned,
        walks_done=done,
        completion=done / planned,
        max_pain_during=max(during) if during else None,
        # fsum: the sum of the mornings exactly rounded, the same whatever the order of the days logged
        mean_next_morning_pain=math.fsum(mornings) / len(mornings) if mornings else None,
        flare_days=flare_days,
        highest_pain=highest,
        exercise_days=sum(1 for day in logs if day.exercises_done),
    )


def logged_warning_signs(days: object) -> list[str]:
    """The warning signs marked ``true`` in raw (not yet checked) log days: a list of days or ``{"days": [...]}``.

    For a reader to stop on a warning sign before anything else in the file is checked, so that a slip on
    another day (a pain of 14, an unknown exercise) cannot stand between the sign and the stop. Only known
    screening ids count here; the full check of the log still refuses an unknown one.
    """
    if isinstance(days, Mapping):
        days = days.get("days")
    if not isinstance(days, list):
        return []
    found: set[str] = set()
    for day in days:
        flags = day.get("red_flags") if isinstance(day, Mapping) else None
        if isinstance(flags, Mapping):
            found.update(str(k) for k, v in flags.items() if k in _RED_FLAG_IDS and _reads_as_yes(v))
    return sorted(found)


def _reads_as_yes(value: object) -> bool:
    """True when the log's check would read a red flag's value as yes (``true``, and as pydantic reads a bool:
    1, "yes", "true", "on", ...), so that the early stop misses none the full check would catch."""
    try:
        return _BOOL.validate_python(value) is True
    except ValidationError:
        return False


def stop_for_warning_signs(
    flagged: Sequence[str], *, emergency_number: str = DEFAULT_EMERGENCY_NUMBER
) -> Review:
    """The review that stops the plan for logged warning signs: the screen's advice first, then why."""
    screen = triage(dict.fromkeys(flagged, True), emergency_number=emergency_number)
    if screen.urgency == "routine":
        # signs the screen does not rate urgent on their own (sciatica, cramping legs): its routine advice
        # ("No warning signs found. Keep moving gently ...") would contradict the stop
        screen = screen.model_copy(update={"advice": _STOPPED_NOT_URGENT})
    return Review(
        decision="stop",
        reasons=[
            screen.advice,
            # the signs in words ("leg weakness progressive"), not the log's ids: the patient and the clinician
            # read this sentence on the plan page
            f"Warning sign(s) logged: {', '.join(f.replace('_', ' ') for f in flagged)}. The walking plan stops "
            "until a clinician has "
            "checked you.",
            *[r.why for r in screen.reasons],
        ],
        new_plan=None,
        triage=screen,
        signs=list(flagged),
    )


def stop_for_emergency_check_in(
    check_in: TriageResult, on: dt.date, *, emergency_number: str = DEFAULT_EMERGENCY_NUMBER
) -> Review:
    """The review that stops the plan for a check-in that asked for emergency care (``check_in``, as the screen
    found it on the day ``on``): the emergency advice first, with the clinic's number of today, then why."""
    advice = advice_for("emergency", emergency_number)
    return Review(
        decision="stop",
        reasons=[
            advice,
            f"The check-in of {on.isoformat()} asked for emergency care. The walking plan stops until a clinician "
            "has checked you.",
            *[r.why for r in check_in.reasons if r.urgency == "emergency"],
        ],
        new_plan=None,
        triage=check_in.model_copy(update={"advice": advice, "emergency_number": emergency_number}),
        signs=[r.finding for r in check_in.reasons if r.urgency == "emergency"] or ["an emergency check-in"],
    )


def warning_stop(
    plan: Plan,
    logs: Sequence[DailyLog],
    emergency_check_ins: Sequence[tuple[dt.date, TriageResult]] = (),
    *,
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER,
) -> Review | None:
    """The stop for the warning signs of ``plan``'s week so far, or None: any sign logged
    (:func:`stop_for_warning_signs`) or any check-in, on a day of the week, that asked for emergency care
    (:func:`stop_for_emergency_check_in`). A sign the plan's ``signs_seen`` names, in the log of its first day,
    was seen to when a clinician resumed the plan and does not count again.

    A plan stops on the day a sign comes, not at the week's review: the plan pages say it is paused at once,
    and it stays paused until a clinician resumes it (:func:`resume_plan`)."""
    seen = set(plan.signs_seen)
    signs = {
        (day.date, k)
        for day in logs
        for k, v in day.red_flags.items()
        if v and not (day.date == plan.start_date and k in seen)
    }
    emergencies = [(on, check_in) for on, check_in in emergency_check_ins if check_in.urgency == "emergency"]
    # the plan is paused from the first day either came, whichever the review names
    days = [on for on, _k in signs] + [on for on, _c in emergencies]
    if not days:
        return None
    logged = (
        stop_for_warning_signs(sorted({k for _on, k in signs}), emergency_number=emergency_number)
        if signs
        else None
    )
    if logged is not None and (
        not emergencies or (logged.triage is not None and logged.triage.urgency == "emergency")
    ):
        stop = logged
    else:
        # no sign logged, or only signs the screen rates below an emergency: the check-in that asked for
        # emergency care leads (its advice first), the signs logged still said after it
        on, check_in = emergencies[0]
        stop = stop_for_emergency_check_in(check_in, on, emergency_number=emergency_number)
        if logged is not None:
            stop = stop.model_copy(
                update={
                    "reasons": [*stop.reasons, *logged.reasons[1:]],
                    "signs": [*stop.signs, *logged.signs],
                }
            )
    return stop.model_copy(update={"paused_on": min(days)})


def review_week(
    plan: Plan,
    logs: Sequence[DailyLog],
    *,
    baseline_pain: float | None = None,
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER,
    emergency_check_ins: Sequence[tuple[dt.date, TriageResult]] = (),
) -> Review:
    """Review one week of logs against its plan and decide: progress, hold, step back or stop.

    ``baseline_pain`` overrides the plan's starting pain for the flare rule; ``emergency_number`` is the one
    a stop's advice names. Every decision lists its reasons; ``new_plan`` is the next week's plan (None when
    the plan stops; its advice is then the first reason).

    A warning sign stops the plan on whatever day it was logged, and so does a check-in made in the week that
    asked for emergency care (``emergency_check_ins``: each one's day and screen; see :func:`warning_stop`).
    Otherwise the week is judged on its own seven days (from the plan's ``start_date``): a log of any other day
    is an :class:`InputError`, so that another week's walks never move this week's dose.
    """
    # a warning sign comes first: no fault elsewhere in the logs (a day given twice, a day of another week, a
    # baseline out of range) may stand between it and the stop
    stop = warning_stop(plan, logs, emergency_check_ins, emergency_number=emergency_number)
    if stop is not None:
        return stop
    review = _judge_week(plan, logs, baseline_pain)
    # the screen comes back at every review: the warning signs to check before walking on
    return review.model_copy(update={"reasons": [*review.reasons, weekly_screen(emergency_number)]})


def resume_plan(
    plan: Plan,
    *,
    today: dt.date,
    started_at: dt.datetime,
    signs_seen: Sequence[str] = (),
    walks_per_day: int,
    minutes_per_walk: int,
    reason: str,
) -> Plan:
    """The paused ``plan`` taken up again, after a clinician has checked the person, at the walking dose the
    clinician chooses (within the plan's bounds; a :class:`pydantic.ValidationError` otherwise).

    It is a new week from ``today``: the days of the warning sign fall before it and are not reviewed again;
    check-ins before ``started_at`` (the moment of resuming) and the signs already in today's log
    (``signs_seen``) were the ones seen to. The exercises, the starting pain and the next-morning reference
    stay; the reason is kept for the person to read.
    """
    data = plan.model_dump()
    data.update(
        version=plan.version + 1,
        week=plan.week + 1,
        start_date=today,
        started_at=started_at,
        signs_seen=sorted(set(signs_seen)),
        walks_per_day=walks_per_day,
        minutes_per_walk=minutes_per_walk,
        daily_minutes=walks_per_day * minutes_per_walk,
        cues=_with_safety_cue(plan.cues),
        reasons=[f"Resumed by your therapist after the pause: {reason}"],
    )
    return Plan.model_validate(data)


def _judge_week(plan: Plan, logs: Sequence[DailyLog], baseline_pain: float | None) -> Review:
    """Progress, hold or step back for a week without a warning sign (see :func:`review_week`)."""
    if baseline_pain is not None and not 0 <= baseline_pain <= 10:
        raise InputError(f"baseline_pain must be between 0 and 10, got {given(baseline_pain)}")
    dates = [day.date for day in logs]
    dupes = sorted({d for d in dates if dates.count(d) > 1})
    if dupes:
        raise InputError(f"the log has more than one entry for {', '.join(d.isoformat() for d in dupes)}")
    last = plan.start_date + _WEEK - dt.timedelta(days=1)
    outside = sorted(d for d in dates if not plan.start_date <= d <= last)
    if outside:
        named = ", ".join(d.isoformat() for d in outside[:3])
        if len(outside) > 3:
            named += f" and {len(outside) - 3} more"
        raise InputError(
            f"the log has days outside this plan's week ({plan.start_date.isoformat()} to {last.isoformat()}): "
            f"{named}; a week is judged on its own days only, so give just this week's, and review other "
            "days with the plan of their own week"
        )
    base = plan.baseline_pain if baseline_pain is None else baseline_pain
    if not logs:
        return Review(
            decision="hold",
            reasons=["No days were logged this week, so the plan stays the same. Log each day to move on."],
            new_plan=_next_plan(
                plan, plan.walks_per_day, plan.minutes_per_walk, plan.exercises, [], None, base
            ),
        )
    s = _summarise(plan, logs, base)
    p, f = _rules()["progression"], _rules()["flare"]
    reasons: list[str] = []
    flare = s.flare_days >= f["min_days"]
    severe = s.highest_pain is not None and s.highest_pain >= f["severe_pain"]
    if flare or severe:
        if flare:
            reasons.append(
                f"A flare: pain was {f['rise_above_baseline']} or more points above your starting level "
                f"({base:g}/10) on {s.flare_days} days."
            )
        if severe:
            reasons.append(f"A flare: pain reached {s.highest_pain:g}/10 (8 or more).")
        w, m, why = _step_back_walks(plan.walks_per_day, plan.minutes_per_walk)
        reasons.append(why)
        reasons.append(
            "Exercises go back to their easier versions. Most flares settle within days; keep moving gently."
        )
        exercises = [_step_back_exercise(x) for x in plan.exercises]
        return Review(
            decision="step_back",
            reasons=reasons,
            new_plan=_next_plan(plan, w, m, exercises, reasons, s.mean_next_morning_pain, base),
            summary=s,
        )
    ok_pain = s.max_pain_during is not None and s.max_pain_during <= p["max_pain_during"]
    if s.max_pain_during is None:
        reasons.append("No walks were logged.")
    elif ok_pain:
        reasons.append(
            f"Pain during walks stayed at {s.max_pain_during:g}/10 or less (limit {p['max_pain_during']})."
        )
    else:
        reasons.append(
            f"Pain during walks reached {s.max_pain_during:g}/10, above {p['max_pain_during']}/10."
        )
    ref = plan.morning_pain_reference
    if s.mean_next_morning_pain is None:
        ok_morning = False
        reasons.append("No next-morning pain was logged, so we cannot tell how the walks were tolerated.")
    else:
        ok_morning = _at_most(s.mean_next_morning_pain, ref + p["morning_pain_tolerance"])
        reasons.append(
            f"Next-morning pain averaged {s.mean_next_morning_pain:.1f}/10 against {ref:.1f}/10, the level to stay "
            "at or under" + (": no worse." if ok_morning else ": worse.")
        )
    ok_done = s.completion >= p["min_completion"]
    reasons.append(
        f"{s.walks_done} of {s.walks_planned} planned walks done ({100 * s.completion:.0f} %, "
        f"{'at least' if ok_done else 'fewer than'} the {100 * p['min_completion']:.0f} % needed)."
    )
    if ok_pain and ok_morning and ok_done:
        w, m, why = _progress_walks(plan.walks_per_day, plan.minutes_per_walk)
        reasons.append(why)
        exercises = _progress_exercises_done(plan.exercises, logs, reasons)
        exercises = _add_progression_exercises(plan, exercises, w * m, reasons)
        return Review(
            decision="progress",
            reasons=reasons,
            new_plan=_next_plan(plan, w, m, exercises, reasons, s.mean_next_morning_pain, base),
            summary=s,
        )
    reasons.append("A borderline week: the plan stays the same for another week.")
    return Review(
        decision="hold",
        reasons=reasons,
        new_plan=_next_plan(
            plan,
            plan.walks_per_day,
            plan.minutes_per_walk,
            plan.exercises,
            reasons,
            s.mean_next_morning_pain,
            base,
        ),
        summary=s,
    )


def _add_progression_exercises(
    plan: Plan, exercises: list[PrescribedExercise], new_daily: int, reasons: list[str]
) -> list[PrescribedExercise]:
    have = {x.id for x in exercises}
    withheld = set(plan.withheld_exercises)
    out = list(exercises)
    if "bird_dog" not in have and new_daily >= 20:
        # each only once, and never one a clinician took out of the program
        added = [x for x in ("glute_bridge", "bird_dog") if x not in have and x not in withheld]
        out += [_prescribe(x, "easier") for x in added]
        if added:
            names = " and ".join(EXERCISES[x].name.lower() for x in added)
            versions = "easier versions" if len(added) > 1 else "easier version"
            reasons.append(f"Walking is building up well: {names} ({versions}) {are(len(added))} added.")
    elif "bird_dog" in have and "opposite_arm_leg" not in have | withheld and plan.week >= 3:
        out.append(_prescribe("opposite_arm_leg", "easier"))
        reasons.append(
            "Opposite arm and leg lifts (easier version) are added to strengthen the back muscles."
        )
    return out


def _next_plan(
    plan: Plan,
    walks: int,
    minutes: int,
    exercises: list[PrescribedExercise],
    reasons: list[str],
    morning: float | None,
    baseline: float,
) -> Plan:
    # Next week's next-morning pain reference: this week's mean, but never above last week's reference or the
    # starting pain, whichever is higher. Following a worse week up (after a hold or a flare) would let the
    # same raised pain count as "no worse" a week later, and the 0.5-point tolerance would let pain creep up
    # week after week while the walks still grow.
    ref = plan.morning_pain_reference
    if morning is not None:
        ref = round(min(morning, max(plan.morning_pain_reference, baseline)), 2)
    return Plan(
        version=plan.version + 1,
        week=plan.week + 1,
        start_date=plan.start_date + _WEEK,
        walks_per_day=walks,
        minutes_per_walk=minutes,
        daily_minutes=walks * minutes,
        baseline_pain=plan.baseline_pain,
        morning_pain_reference=ref,
        cues=_with_safety_cue(plan.cues),
        exercises=exercises,
        goal=plan.goal,
        reasons=list(reasons),
        withheld_exercises=list(plan.withheld_exercises),
        started_at=plan.started_at,
    )
