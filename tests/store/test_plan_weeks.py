"""A plan nobody has opened for weeks is brought up to date week by week (``_plans.current_plan``): each week
judged on its own logs, with the same outcome as reviewing the weeks one by one, and with the patient's logs
read once, not once a week (the caseload does this for every patient on every visit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event

from backstride import _plans, clinic, store

TODAY = dt.date(2026, 11, 30)


def _patient_with_weeks(engine: Engine, weeks: int, sign_on: dt.date | None = None) -> int:
    """A patient whose first plan started ``weeks`` ago and who logged every day since: pain 3 in the first
    weeks, a flare (pain 8 on three days) in the fifth, a warning sign on ``sign_on``."""
    start = TODAY - dt.timedelta(days=7 * weeks)
    with store.transaction(engine) as s:
        therapist = store.create_user(s, f"t{weeks}@clinic.example", "T", "clinician")
        patient = store.create_patient(s, therapist, f"p{weeks}@clinic.example", "P", age=50, sex="female")
        baseline = clinic.Baseline(
            age=50, sex="female", pain_nrs=5, walking_tolerance_min=15, start_date=start
        )
        plan = clinic.make_plan(baseline)
        store.save_plan(s, patient.id, plan.model_dump(mode="json"), "First plan.", therapist.id)
        for k in range(7 * weeks):
            day = start + dt.timedelta(days=k)
            pain = 8.0 if 28 <= k < 31 else 3.0
            walk = clinic.WalkLog(minutes=10, pain_before=pain, pain_during=pain, pain_after=pain)
            log = clinic.DailyLog(
                date=day,
                walks=[walk, walk],
                next_morning_pain=pain,
                red_flags={"saddle_numbness": day == sign_on},
            )
            store.upsert_log(s, patient.id, day, _plans.log_json(log))
        return int(patient.id)


def _by_hand(engine: Engine, patient_id: int) -> tuple[clinic.Plan, clinic.Review | None]:
    """The same weeks reviewed one by one with the clinic's own ``review_week``, each on its week's logs."""
    with store.transaction(engine, readonly=True) as s:
        plan = _plans.load_plan(store.current_plan(s, patient_id).plan)  # type: ignore[union-attr]
        review = None
        while plan.start_date + dt.timedelta(days=6) < TODAY:
            end = plan.start_date + dt.timedelta(days=6)
            logs = [_plans.load_log(r.log) for r in store.logs_between(s, patient_id, plan.start_date, end)]
            assert len(logs) == 7
            review = clinic.review_week(plan, logs)
            if review.new_plan is None:
                return plan, review
            plan = review.new_plan
        return plan, review


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    sent: list[str] = []

    def listener(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _current(engine: Engine, patient_id: int) -> tuple[clinic.Plan, clinic.Review | None, int]:
    with store.transaction(engine, readonly=True) as s, _statements(engine) as sent:
        patient = store.get_user(s, patient_id)
        _row, plan, review = _plans.current_plan(s, patient, TODAY, emergency_number="911")
    return plan, review, len(sent)


def test_weeks_unopened_are_reviewed_as_one_by_one_with_the_logs_read_once(engine: Engine) -> None:
    two, ten = _patient_with_weeks(engine, 2), _patient_with_weeks(engine, 10)
    plan, review, statements_ten = _current(engine, ten)
    expected_plan, expected_review = _by_hand(engine, ten)
    assert plan == expected_plan and review is not None and expected_review is not None
    assert review.decision == expected_review.decision
    # the weeks moved the plan: up in the good weeks, back after the fifth week's flare, up again
    with store.transaction(engine, readonly=True) as s:
        first = _plans.load_plan(store.current_plan(s, ten).plan)  # type: ignore[union-attr]
    assert first.start_date == TODAY - dt.timedelta(weeks=10) and plan.start_date == TODAY
    assert plan.minutes_per_walk != first.minutes_per_walk or plan.walks_per_day != first.walks_per_day
    _p, _r, statements_two = _current(engine, two)
    # as many statements for ten unopened weeks as for two: none per week
    assert statements_ten == statements_two


def test_a_sign_in_an_unopened_week_pauses_the_plan_there(engine: Engine) -> None:
    """The sign in the seventh of nine unopened weeks stops the plan at that week, not at the last one."""
    sign_on = TODAY - dt.timedelta(days=7 * 9) + dt.timedelta(days=7 * 6 + 3)
    patient = _patient_with_weeks(engine, 9, sign_on=sign_on)
    plan, review, _n = _current(engine, patient)
    expected_plan, expected_review = _by_hand(engine, patient)
    assert review is not None and review.decision == "stop" and review.signs == ["saddle_numbness"]
    assert expected_review is not None and expected_review.decision == "stop"
    assert plan == expected_plan
    assert plan.start_date <= sign_on <= plan.start_date + dt.timedelta(days=6)


def test_weeks_saved_one_visit_a_week_give_the_plans_of_one_visit_after_them_all(engine: Engine) -> None:
    """Six weeks (a flare in the fifth) seen at a visit each week, every review saved (``save=True``, each next
    plan read back from the store the next week), end at the plan that one visit after them all works out."""
    patient = _patient_with_weeks(engine, 6)
    expected_plan, _expected = _by_hand(engine, patient)
    start = TODAY - dt.timedelta(weeks=6)
    kept = []
    for k in range(1, 7):
        with store.transaction(engine) as s:
            _row, plan, _review = _plans.current_plan(
                s,
                store.get_user(s, patient),
                start + dt.timedelta(weeks=k),
                emergency_number="911",
                save=True,
            )
        kept.append(plan)
    assert kept[-1] == expected_plan
    assert [p.week for p in kept] == [2, 3, 4, 5, 6, 7]
    assert kept[4].daily_minutes < kept[3].daily_minutes  # the flare of the fifth week stepped back
    plan, _review, _n = _current(engine, patient)
    assert plan == expected_plan
