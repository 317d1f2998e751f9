"""A weekly review the app makes gives the clinic's emergency number, not the library's default."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, save_plan_of_last_week

from backstride import _plans, store


def test_a_weekly_review_in_the_app_gives_the_clinics_emergency_number(clinic: Clinic) -> None:
    """Every review ends with the warning signs and the number to call (and a stop with its advice); the app
    left the number out, so a clinic set to 112 or 999 had 911 written into its patients' plan history. The
    history now keeps the review's reasons without that screen: no number there to go stale."""
    with clinic_db(clinic) as s:
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


def test_the_demo_clinics_plan_history_keeps_no_screen_either(tmp_path: Path) -> None:
    """The demo seeds weeks of reviews itself; its history said "call 911" on every week as the app's once did."""
    from backstride.web._demo import seed_demo

    demo = seed_demo(tmp_path / "demo", today=dt.date(2026, 11, 30))
    with clinic_db(demo.database_url, readonly=True) as s:
        reasons = [
            v.reason
            for account in demo.accounts
            if (user := store.get_user_by_email(s, account.email)) is not None
            for v in store.plan_history(s, user.id)
        ]
    reviews = [r for r in reasons if r.startswith("Weekly review (")]
    assert len(reviews) >= 3
    assert not [r for r in reviews if "Before the next week" in r or "911" in r]
