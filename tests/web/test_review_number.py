"""A weekly review the app makes gives the clinic's emergency number, not the library's default."""

from __future__ import annotations

import datetime as dt

from tests.web.conftest import Clinic

from backstride import clinic as bc
from backstride import store
from backstride.web import _plans


def test_a_weekly_review_in_the_app_gives_the_clinics_emergency_number(clinic: Clinic) -> None:
    """Every review ends with the warning signs and the number to call (and a stop with its advice); the app
    left the number out, so a clinic set to 112 or 999 had 911 written into its patients' plan history."""
    start = dt.date.today() - dt.timedelta(days=8)
    plan = bc.make_plan(
        bc.Baseline(age=52, sex="female", pain_nrs=4, walking_tolerance_min=20, start_date=start)
    )
    engine = store.make_engine(clinic.url)
    try:
        with store.transaction(engine) as s:
            store.save_plan(s, clinic.patient_a, plan.model_dump(mode="json"), "first plan", None)
            patient = store.get_user(s, clinic.patient_a)
            _row, _plan, review = _plans.current_plan(
                s, patient, dt.date.today(), emergency_number="112", save=True
            )
            assert review is not None
            said = " ".join(review.reasons)
            history = store.plan_history(s, clinic.patient_a)
        assert "112" in said and "911" not in said
        assert "112" in history[-1].reason and "911" not in history[-1].reason
    finally:
        engine.dispose()
