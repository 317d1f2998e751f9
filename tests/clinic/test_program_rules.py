"""Each rule of ``data/program.json`` as the weekly review applies it, checked at its boundaries and in
combination, independently of ``test_program.py``: the numbers are read from the rules file itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstride.clinic import Baseline, DailyLog, Plan, WalkLog, make_plan, review_week
from backstride.clinic._data import load

RULES = load("program")
START_R, PROG, FLARE = RULES["start"], RULES["progression"], RULES["flare"]
START = dt.date(2026, 3, 2)


def baseline(tolerance: float = 15, pain: float = 3, **kw: object) -> Baseline:
    data: dict[str, object] = {
        "age": 45,
        "sex": "male",
        "pain_nrs": pain,
        "walking_tolerance_min": tolerance,
        "start_date": START,
    }
    data.update(kw)
    return Baseline.model_validate(data)


def plan_of(walks: int, minutes: int, pain: float = 3, reference: float | None = None, **kw: object) -> Plan:
    data = make_plan(baseline(pain=pain)).model_dump()
    data.update(
        walks_per_day=walks,
        minutes_per_walk=minutes,
        daily_minutes=walks * minutes,
        morning_pain_reference=pain if reference is None else reference,
        **kw,
    )
    return Plan.model_validate(data)


def days(
    plan: Plan,
    *,
    n: int = 7,
    walks: int | None = None,
    minutes: float | None = None,
    during: float = 2,
    morning: float | Sequence[float | None] | None = None,
    exercises: Sequence[str] = (),
    pain_today: float | None = None,
) -> list[DailyLog]:
    """``n`` days of ``plan``'s week, every one with the same walks (all planned ones, at their minutes, by
    default) and a next-morning pain at the plan's reference unless ``morning`` says otherwise."""
    mornings = (
        morning
        if isinstance(morning, Sequence)
        else [plan.morning_pain_reference if morning is None else morning] * n
    )
    walk = WalkLog(
        minutes=plan.minutes_per_walk if minutes is None else minutes,
        pain_before=min(2, during),
        pain_during=during,
        pain_after=min(2, during),
    )
    return [
        DailyLog(
            date=plan.start_date + dt.timedelta(days=i),
            walks=[walk] * (plan.walks_per_day if walks is None else walks),
            next_morning_pain=mornings[i],
            exercises_done=list(exercises),
            pain_today=pain_today,
        )
        for i in range(n)
    ]


# ------------------------------------------------------------------------ defects found by this review


@pytest.mark.parametrize("minutes", range(START_R["min_minutes_per_walk"], PROG["goal_minutes_per_walk"] + 1))
def test_a_walk_of_exactly_the_fraction_of_its_planned_minutes_counts(minutes: int) -> None:
    # "a walk counts when it lasted at least 80 % of its planned minutes": 5.6 of 7 planned minutes is 80 %
    plan = plan_of(1, minutes)
    reached = round(PROG["walk_counts_if_fraction_of_planned"] * minutes, 6)
    review = review_week(plan, days(plan, minutes=reached))
    assert review.summary is not None
    assert review.summary.walks_done == 7, (minutes, reached)
    assert review.decision == "progress"
    short = review_week(plan, days(plan, minutes=reached - 0.01))
    assert short.summary is not None and short.summary.walks_done == 0
    assert short.decision == "hold"


@pytest.mark.parametrize("reference", [0.41, 1.07, 2.43, 3.0, 4.5])
def test_next_morning_pain_exactly_the_tolerance_above_the_reference_is_no_worse(reference: float) -> None:
    plan = plan_of(2, 10, pain=reference)
    at = round(reference + PROG["morning_pain_tolerance"], 6)
    assert review_week(plan, days(plan, morning=at)).decision == "progress"
    assert review_week(plan, days(plan, morning=round(at + 0.01, 6))).decision == "hold"


def test_the_decision_does_not_depend_on_the_order_of_the_logs() -> None:
    # mean next-morning pain 3.5 exactly, the reference 3.0 + 0.5: the same week in two orders
    plan = plan_of(2, 10, pain=3)
    mornings = [3.7, 3.9, 3.7, 3.0, 3.8, 3.4, 3.0]
    decisions = set()
    for order in ([0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 5, 3, 4, 6]):
        logs = days(plan, morning=[mornings[i] for i in order])
        decisions.add(review_week(plan, logs).decision)
        decisions.add(review_week(plan, list(reversed(logs))).decision)
    assert decisions == {"progress"}


@settings(max_examples=200, deadline=None)
@given(
    mornings=st.lists(st.integers(0, 100).map(lambda v: v / 10), min_size=1, max_size=7),
    reference=st.integers(0, 100).map(lambda v: v / 10),
    data=st.data(),
)
def test_property_any_order_of_the_same_days_gives_the_same_review(
    mornings: list[float], reference: float, data: st.DataObject
) -> None:
    plan = plan_of(2, 10, pain=min(reference, 6))
    logs = days(plan, n=len(mornings), morning=mornings)
    shuffled = data.draw(st.permutations(logs))
    one, two = review_week(plan, logs), review_week(plan, shuffled)
    assert one.decision == two.decision
    assert one.summary == two.summary
    assert (one.new_plan and one.new_plan.model_dump()) == (two.new_plan and two.new_plan.model_dump())


@pytest.mark.parametrize("start", [0.28, 1.03, 2.0, 4.5])
def test_pain_exactly_the_rise_above_the_starting_level_on_enough_days_is_a_flare(start: float) -> None:
    from backstride.clinic import flare_on_the_day

    plan = plan_of(2, 10, pain=start)
    rise = round(start + FLARE["rise_above_baseline"], 6)
    logs = days(plan, during=2, morning=start)
    for day in logs[: FLARE["min_days"]]:
        day.pain_today = rise
    review = review_week(plan, logs)
    assert review.decision == "step_back", start
    assert flare_on_the_day(plan, logs[0]) is not None
    below = days(plan, during=2, morning=start, pain_today=round(rise - 0.01, 6))
    assert review_week(plan, below).decision != "step_back"
