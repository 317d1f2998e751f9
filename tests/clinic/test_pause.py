"""A plan paused for a warning sign, and resumed by a clinician: a check-in that asked for emergency care in the
week stops the plan as a sign logged does (:func:`backstride.clinic.warning_stop`), and
:func:`backstride.clinic.resume_plan` takes a paused plan up again as a new week."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from tests.clinic.test_program import START, baseline, week

from backstride.clinic import make_plan, resume_plan, review_week, triage, warning_stop

AT = dt.datetime(2026, 1, 9, 15, 30, tzinfo=dt.UTC)


def _emergency() -> object:
    return triage({"saddle_numbness": True})


def test_an_emergency_check_in_in_the_week_stops_a_week_that_would_progress() -> None:
    # before: the review read the logs only, and a good week of logs moved the walks up over an emergency
    plan = make_plan(baseline(walking_tolerance_min=12))
    logs = week(plan)
    assert review_week(plan, logs).decision == "progress"
    day = START + dt.timedelta(days=3)
    review = review_week(plan, logs, emergency_number="112", emergency_check_ins=[(day, _emergency())])
    assert review.decision == "stop" and review.new_plan is None
    assert review.reasons[0].startswith("EMERGENCY: call 112")
    assert review.reasons[1] == (
        "The check-in of 2026-01-08 asked for emergency care. The walking plan stops until a clinician has checked you."
    )
    assert any("cauda equina" in r for r in review.reasons[2:])
    assert review.triage is not None and review.triage.emergency_number == "112"
    assert "911" not in review.model_dump_json()


def test_only_a_check_in_that_asked_for_emergency_care_stops_the_plan() -> None:
    plan = make_plan(baseline())
    same_day = triage({"fever": True})
    assert same_day.urgency not in ("emergency", "routine")
    assert warning_stop(plan, week(plan), [(START, same_day)]) is None
    assert warning_stop(plan, week(plan), []) is None
    stop = warning_stop(plan, week(plan), [(START, same_day), (START, _emergency())])
    assert stop is not None and stop.decision == "stop"


def test_a_sign_logged_comes_before_an_emergency_check_in() -> None:
    plan = make_plan(baseline())
    stop = warning_stop(plan, week(plan, red_flags={"urinary_retention": True}), [(START, _emergency())])
    assert stop is not None
    assert stop.reasons[1].startswith("Warning sign(s) logged: urinary retention.")


def test_a_sign_logged_that_is_not_urgent_does_not_hide_an_emergency_check_in_of_the_week() -> None:
    # before: the sign logged led whatever it was, and a sign the screen rates routine (sciatica) turned the
    # stop's advice into "does not rate what you logged as urgent", over a check-in that asked for emergency care
    plan = make_plan(baseline())
    logs = week(plan, red_flags={"sciatica": True})
    stop = warning_stop(plan, logs, [(START, _emergency())], emergency_number="112")
    assert stop is not None and stop.decision == "stop"
    assert stop.triage is not None and stop.triage.urgency == "emergency"
    assert stop.reasons[0].startswith("EMERGENCY: call 112")
    assert any(r.startswith("Warning sign(s) logged: sciatica.") for r in stop.reasons)  # still said
    assert "saddle_numbness" in stop.signs and "sciatica" in stop.signs


def test_a_stop_says_the_first_day_of_the_pause_whichever_came_first() -> None:
    plan = make_plan(baseline())
    logs = week(plan)
    logs[4] = logs[4].model_copy(update={"red_flags": {"urinary_retention": True}})
    logs[5] = logs[5].model_copy(update={"red_flags": {"urinary_retention": True}})
    day4, day2 = START + dt.timedelta(days=4), START + dt.timedelta(days=2)
    assert warning_stop(plan, logs).paused_on == day4  # type: ignore[union-attr]
    both = warning_stop(plan, logs, [(day2, _emergency())])
    assert both is not None and both.paused_on == day2  # the check-in of day 2 paused it first
    assert both.reasons[1].startswith("Warning sign(s) logged: urinary retention.")  # the signs still lead
    review = review_week(plan, week(plan), emergency_check_ins=[(day2, _emergency())])
    assert review.decision == "stop" and review.paused_on == day2
    assert review_week(plan, week(plan)).paused_on is None


def test_a_resumed_plan_is_a_new_week_from_the_day_at_the_dose_chosen() -> None:
    plan = make_plan(baseline(walking_tolerance_min=12))  # 3 x 10, week 1
    today = START + dt.timedelta(days=4)
    resumed = resume_plan(
        plan, today=today, started_at=AT, walks_per_day=2, minutes_per_walk=8, reason="Seen: no compression."
    )
    assert (resumed.version, resumed.week, resumed.start_date, resumed.started_at) == (2, 2, today, AT)
    assert (resumed.walks_per_day, resumed.minutes_per_walk, resumed.daily_minutes) == (2, 8, 16)
    assert resumed.reasons == ["Resumed by your therapist after the pause: Seen: no compression."]
    assert resumed.exercises == plan.exercises and resumed.baseline_pain == plan.baseline_pain
    assert resumed.cues[-1] == plan.cues[-1]  # the warning-sign cue stays last
    # its week is reviewed on its own days, and the next plan keeps when it was resumed
    after = review_week(resumed, week(resumed))
    assert after.new_plan is not None and after.new_plan.started_at == AT
    assert after.new_plan.start_date == today + dt.timedelta(days=7)


@pytest.mark.parametrize(("walks", "minutes"), [(0, 10), (4, 10), (2, 4), (2, 31)])
def test_a_resumed_plan_keeps_to_the_plans_bounds(walks: int, minutes: int) -> None:
    plan = make_plan(baseline())
    with pytest.raises(ValidationError):
        resume_plan(
            plan, today=START, started_at=AT, walks_per_day=walks, minutes_per_walk=minutes, reason="x"
        )


def test_the_signs_seen_at_resuming_count_again_only_on_another_day_or_beside_a_new_one() -> None:
    # a sign stays in its day's log: the one the clinician saw when resuming must not pause the plan again that
    # day, but the same sign on the next day, or a new sign that day, does
    plan = make_plan(baseline())
    today = START + dt.timedelta(days=2)
    resumed = resume_plan(
        plan,
        today=today,
        started_at=AT,
        signs_seen=["fever"],
        walks_per_day=2,
        minutes_per_walk=10,
        reason="x",
    )
    assert resumed.signs_seen == ["fever"]
    logs = week(resumed, days=1)
    logs[0] = logs[0].model_copy(update={"red_flags": {"fever": True}})
    assert warning_stop(resumed, logs) is None
    logs[0] = logs[0].model_copy(update={"red_flags": {"fever": True, "sciatica": True}})
    stop = warning_stop(resumed, logs)
    assert stop is not None and "Warning sign(s) logged: sciatica." in stop.reasons[1]
    next_day = logs[0].model_copy(update={"date": today + dt.timedelta(days=1), "red_flags": {"fever": True}})
    assert warning_stop(resumed, [next_day]) is not None
    # the weekly progression starts each next week with nothing seen
    good = review_week(resumed, week(resumed))
    assert good.new_plan is not None and good.new_plan.signs_seen == []


def test_the_signs_that_stopped_the_plan_are_named_in_the_review() -> None:
    plan = make_plan(baseline())
    logged = review_week(plan, week(plan, red_flags={"urinary_retention": True, "fever": True}))
    assert logged.signs == ["fever", "urinary_retention"]
    checked = review_week(plan, week(plan), emergency_check_ins=[(START, triage({"foot_drop": True}))])
    assert checked.signs == ["foot_drop"]
    assert review_week(plan, week(plan)).signs == []
