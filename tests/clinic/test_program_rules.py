"""Each rule of ``data/program.json`` as the weekly review applies it, checked at its boundaries and in
combination, independently of ``test_program.py``: the numbers are read from the rules file itself."""

from __future__ import annotations

import datetime as dt
import itertools
import json
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


# ------------------------------------------------------------------------ 1. the first plan


@pytest.mark.parametrize(
    ("tolerance", "walks", "minutes"),
    [
        (0, 3, 5),  # 0 minutes: never below the 5-minute walk
        (1, 3, 5),
        (6.25, 3, 5),  # 80 % is 5.0
        (7, 3, 6),  # 5.6 -> about 6
        (12.5, 3, 10),  # 10.0: three walks up to 10 minutes
        (13.125, 2, 11),  # 10.5 -> 11: two walks
        (18.75, 2, 15),
        (19, 2, 15),  # 15.2: never above 15
        (600, 2, 15),
    ],
)
def test_first_plan_from_the_walking_tolerance(tolerance: float, walks: int, minutes: int) -> None:
    plan = make_plan(baseline(tolerance))
    assert (plan.walks_per_day, plan.minutes_per_walk, plan.daily_minutes) == (
        walks,
        minutes,
        walks * minutes,
    )
    assert START_R["min_minutes_per_walk"] <= plan.minutes_per_walk <= START_R["max_minutes_per_walk"]
    assert (plan.walks_per_day == 3) == (plan.minutes_per_walk <= START_R["three_walks_up_to_minutes"])
    assert plan.morning_pain_reference == plan.baseline_pain == 3


@settings(max_examples=200, deadline=None)
@given(tolerance=st.floats(0, 600))
def test_property_first_plan_is_about_the_fraction_of_the_tolerance_within_its_bounds(
    tolerance: float,
) -> None:
    plan = make_plan(baseline(tolerance))
    wanted = min(
        START_R["max_minutes_per_walk"],
        max(START_R["min_minutes_per_walk"], START_R["tolerance_fraction"] * tolerance),
    )
    assert abs(plan.minutes_per_walk - wanted) <= 0.5
    assert plan.walks_per_day == (3 if plan.minutes_per_walk <= START_R["three_walks_up_to_minutes"] else 2)


def test_a_baseline_without_a_walking_tolerance_is_refused_not_guessed() -> None:
    from pydantic import ValidationError

    data = baseline().model_dump()
    del data["walking_tolerance_min"]
    with pytest.raises(ValidationError, match="walking_tolerance_min"):
        Baseline.model_validate(data)


# ------------------------------------------------------------------------ 2. a good week and its boundaries


def test_pain_during_walks_at_the_limit_progresses_above_it_holds() -> None:
    plan = plan_of(2, 10, pain=5)  # a flare would need 7: the pain limit alone decides
    limit = PROG["max_pain_during"]
    assert review_week(plan, days(plan, during=limit)).decision == "progress"
    assert review_week(plan, days(plan, during=limit + 0.01)).decision == "hold"
    assert review_week(plan, days(plan, during=limit + 1)).decision == "hold"


@pytest.mark.parametrize("walks", [1, 2, 3])
def test_completion_at_the_minimum_progresses_below_it_holds(walks: int) -> None:
    plan = plan_of(walks, 5 if walks == 3 else 10)
    planned = walks * PROG["planned_days_per_week"]
    for done in range(planned + 1):
        logs = days(plan)
        missing = planned - done
        for day in logs:  # take the missing walks off, day by day
            take = min(missing, len(day.walks))
            day.walks = day.walks[take:]
            missing -= take
        review = review_week(plan, logs)
        assert review.summary is not None and review.summary.walks_done == done
        good = done * 100 >= PROG["min_completion"] * 100 * planned
        assert review.decision == ("progress" if good else "hold"), (walks, done, planned)


def test_completion_of_0_8_progresses_and_0_79_holds() -> None:
    # 1 walk a day: 6 of 7 days logged is 0.857, 5 of 7 is 0.714 (with 7 planned days no count is exactly 0.8; the test above tries every count)
    plan = plan_of(1, 10)
    assert review_week(plan, days(plan, n=6)).decision == "progress"
    assert review_week(plan, days(plan, n=5)).decision == "hold"


def test_morning_pain_worse_than_the_reference_beyond_the_tolerance_holds_even_with_every_walk_done() -> None:
    plan = plan_of(2, 10, pain=3)
    assert review_week(plan, days(plan, morning=3.5)).decision == "progress"
    assert review_week(plan, days(plan, morning=3.6)).decision == "hold"
    # one morning logged is what the week is judged on; none logged holds
    assert review_week(plan, days(plan, morning=[None] * 6 + [3.0])).decision == "progress"
    assert review_week(plan, days(plan, morning=[None] * 7)).decision == "hold"


def test_a_good_week_adds_at_most_the_step_and_more_walks_than_planned_do_not_count() -> None:
    plan = plan_of(2, 10)
    review = review_week(plan, days(plan, walks=5))
    assert review.summary is not None and review.summary.walks_done == 14
    assert review.new_plan is not None
    assert 20 < review.new_plan.daily_minutes <= 20 + PROG["step_minutes_per_day"]


# ------------------------------------------------------------------------ 3. the cap and the goal


def test_good_weeks_climb_to_one_goal_walk_never_past_the_daily_cap_nor_the_goal() -> None:
    for tolerance in (0, 7, 12.5, 13.2, 600):
        plan = make_plan(baseline(tolerance))
        seen = []
        for _ in range(30):
            review = review_week(plan, days(plan))
            assert review.decision == "progress"
            assert review.new_plan is not None
            new = review.new_plan
            assert new.daily_minutes <= PROG["max_daily_minutes"]
            assert new.daily_minutes <= plan.daily_minutes + PROG["step_minutes_per_day"]
            assert new.minutes_per_walk <= PROG["goal_minutes_per_walk"]
            assert new.walks_per_day <= plan.walks_per_day
            if new.daily_minutes < plan.daily_minutes:  # only a merge into fewer, longer walks lowers it
                assert new.walks_per_day < plan.walks_per_day and new.minutes_per_walk > plan.minutes_per_walk
            seen.append((new.walks_per_day, new.minutes_per_walk))
            plan = new
        assert seen[-1] == (1, PROG["goal_minutes_per_walk"]), tolerance
    assert f"{PROG['goal_days_per_week']} or more days a week" in plan.goal
    assert f"{PROG['goal_minutes_per_walk']}-minute walk" in plan.goal


# ------------------------------------------------------------------------ 4. flares


@pytest.mark.parametrize("flare_days", range(8))
def test_a_rise_above_the_starting_level_is_a_flare_on_enough_days_only(flare_days: int) -> None:
    plan = plan_of(2, 10, pain=3)
    logs = days(plan, during=2)
    for day in logs[:flare_days]:
        day.pain_today = 3 + FLARE["rise_above_baseline"]
    review = review_week(plan, logs)
    assert review.decision == ("step_back" if flare_days >= FLARE["min_days"] else "progress")


@pytest.mark.parametrize(
    ("pain", "flare"), [(FLARE["severe_pain"], True), (FLARE["severe_pain"] - 0.01, False)]
)
def test_any_pain_at_the_severe_level_is_a_flare_on_a_single_day(pain: float, flare: bool) -> None:
    plan = plan_of(2, 10, pain=6.5)  # the rise alone would need 8.5
    logs = days(plan, during=2, morning=6.5)
    logs[4].pain_today = pain
    review = review_week(plan, logs)
    assert review.decision == ("step_back" if flare else "progress")


@pytest.mark.parametrize(("walks", "minutes"), list(itertools.product((1, 2, 3), (5, 6, 8, 10, 15, 20, 30))))
def test_a_flare_in_an_otherwise_good_week_steps_back_never_below_one_five_minute_walk(
    walks: int, minutes: int
) -> None:
    plan = plan_of(walks, minutes, pain=2)
    logs = days(plan, during=2, exercises=["drawing_in"])
    logs[0].pain_today = FLARE["severe_pain"]
    review = review_week(plan, logs)
    assert review.decision == "step_back"
    new = review.new_plan
    assert new is not None
    floor = START_R["min_minutes_per_walk"]
    assert new.minutes_per_walk >= floor and new.minutes_per_walk <= plan.minutes_per_walk
    assert new.walks_per_day <= plan.walks_per_day
    assert new.daily_minutes == max(floor, new.daily_minutes)
    if plan.daily_minutes - FLARE["step_back_minutes_per_day"] >= floor:
        assert new.daily_minutes <= plan.daily_minutes - FLARE["step_back_minutes_per_day"]
    else:
        assert new.daily_minutes == floor
    assert all(x.variant == "easier" for x in new.exercises)


# ------------------------------------------------------------------------ 5. few or no logs


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
def test_a_week_with_few_days_logged_holds(n: int) -> None:
    plan = plan_of(2, 10)
    review = review_week(plan, days(plan, n=n, exercises=["drawing_in"]))
    assert review.decision == "hold"
    assert review.new_plan is not None
    assert review.new_plan.daily_minutes == plan.daily_minutes
    assert review.new_plan.exercises == plan.exercises


def test_a_week_of_pain_logs_without_walks_holds() -> None:
    plan = plan_of(2, 10)
    logs = days(plan, walks=0, pain_today=3)
    assert review_week(plan, logs).decision == "hold"


# ------------------------------------------------------------------------ 6. exercises


@pytest.mark.parametrize("logged_on", range(8))
def test_an_exercise_moves_up_only_after_enough_days_logged(logged_on: int) -> None:
    plan = plan_of(2, 10)
    logs = days(plan)
    for day in logs[:logged_on]:
        day.exercises_done = [plan.exercises[0].id]
    review = review_week(plan, logs)
    assert review.decision == "progress" and review.new_plan is not None
    before, after = plan.exercises[0], review.new_plan.exercises[0]
    moved = (after.variant, after.dose) != (before.variant, before.dose)
    assert moved == (logged_on >= PROG["exercise_days_to_progress"])
    for old, new in zip(plan.exercises[1:], review.new_plan.exercises[1:], strict=False):
        assert (old.variant, old.dose) == (new.variant, new.dose)  # not logged: stays


def test_an_exercise_stops_at_its_last_step() -> None:
    plan = plan_of(2, 10)
    steps = []
    for _ in range(60):
        review = review_week(plan, days(plan, exercises=[x.id for x in plan.exercises]))
        assert review.new_plan is not None
        plan = review.new_plan.model_copy(
            update={"walks_per_day": 2, "minutes_per_walk": 10, "daily_minutes": 20}
        )
        steps.append((plan.exercises[0].variant, plan.exercises[0].dose))
    assert steps[-1] == steps[-2] == steps[-10]
    assert steps[-1][0] == "harder"


# ------------------------------------------------------------------------ 8. the command decides as the library


@settings(max_examples=25, deadline=None)
@given(
    during=st.sampled_from([2, 5, 6]),
    n=st.integers(0, 7),
    morning=st.sampled_from([3.0, 3.5, 3.6]),
    severe=st.booleans(),
)
def test_progress_command_decides_as_the_review(
    tmp_path_factory: pytest.TempPathFactory, during: float, n: int, morning: float, severe: bool
) -> None:
    from typer.testing import CliRunner

    from backstride.cli import app

    tmp = tmp_path_factory.mktemp("cli")
    plan = plan_of(2, 10, pain=3)
    logs = days(plan, n=n, during=during, morning=morning, exercises=["drawing_in"])
    if severe and logs:
        logs[-1].pain_today = 8
    (tmp / "plan.json").write_text(plan.model_dump_json())
    (tmp / "log.json").write_text(json.dumps([day.model_dump(mode="json") for day in logs]))
    out = CliRunner().invoke(
        app, ["progress", "--plan", str(tmp / "plan.json"), "--log", str(tmp / "log.json"), "--json"]
    )
    assert out.exit_code == 0, out.output
    got = json.loads(out.stdout)
    want = json.loads(review_week(plan, logs).model_dump_json())
    assert got == want
