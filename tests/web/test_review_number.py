"""A weekly review the app makes gives the clinic's emergency number, not the library's default."""

from __future__ import annotations

import datetime as dt

from tests.web.conftest import Clinic, save_plan_of_last_week

from backstride import _plans, store


def test_a_weekly_review_in_the_app_gives_the_clinics_emergency_number(clinic: Clinic) -> None:
    """Every review ends with the warning signs and the number to call (and a stop with its advice); the app
    left the number out, so a clinic set to 112 or 999 had 911 written into its patients' plan history. The
    history now keeps the review's reasons without that screen: no number there to go stale."""
    engine = store.make_engine(clinic.url)
    try:
        with store.transaction(engine) as s:
            save_plan_of_last_week(s, clinic.patient_a)
            patient = store.get_user(s, clinic.patient_a)
            _row, _plan, review = _plans.current_plan(
                s, patient, dt.date.today(), emergency_number="112", save=True
            )
            assert review is not None
            said = " ".join(review.reasons)
            history = store.plan_history(s, clinic.patient_a)
        assert "112" in said and "911" not in said
        kept = history[-1].reason
        assert kept.startswith("Weekly review (") and kept.endswith(" ".join(review.reasons[:-1]))
        assert review.reasons[-1].startswith("Before the next week") and "112" in review.reasons[-1]
        assert "Before the next week" not in kept and "112" not in kept and "911" not in kept
    finally:
        engine.dispose()
