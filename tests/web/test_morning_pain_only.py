"""The pain on waking belongs to yesterday's log (``DailyLog.next_morning_pain``). Given alone, it was put on
yesterday's log and an empty log of today was kept too (a day logged with nothing logged, which quiets the
caseload's "no recent log"); and with no log of yesterday to put it on it was dropped without a word while
the page said "Saved"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, post, sign_in, todays_log


def _log_yesterday(clinic: Clinic) -> None:
    from backstride import _plans, store
    from backstride.clinic import DailyLog

    yesterday = dt.date.today() - dt.timedelta(days=1)
    with clinic_db(clinic) as s:
        log = DailyLog(date=yesterday, pain_today=4)
        store.upsert_log(s, clinic.patient_a, yesterday, _plans.log_json(log))


def _yesterdays_morning_pain(clinic: Clinic) -> Any:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        row = store.get_log(s, clinic.patient_a, dt.date.today() - dt.timedelta(days=1))
        return None if row is None else row.log["next_morning_pain"]


def test_the_morning_pain_alone_goes_on_yesterdays_log_and_keeps_no_empty_day_today(
    client: Any, clinic: Clinic
) -> None:
    _log_yesterday(clinic)
    sign_in(client, "paula@home.test")
    saved = post(client, f"/patients/{clinic.patient_a}/log", {"morning_pain": "3"})
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert _yesterdays_morning_pain(clinic) == 3
    assert todays_log(clinic) is None


def test_the_morning_pain_beside_todays_walk_keeps_both(client: Any, clinic: Clinic) -> None:
    _log_yesterday(clinic)
    sign_in(client, "paula@home.test")
    walk = {"w1_minutes": "12", "w1_pain_before": "2", "w1_pain_during": "3", "w1_pain_after": "2"}
    assert post(client, f"/patients/{clinic.patient_a}/log", {"morning_pain": "3", **walk}).status_code == 303  # type: ignore[attr-defined]
    assert _yesterdays_morning_pain(clinic) == 3
    log = todays_log(clinic)
    assert log is not None and len(log["walks"]) == 1


def test_a_morning_pain_without_a_log_of_yesterday_is_said_and_kept_in_the_form(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    page = post(client, f"/patients/{clinic.patient_a}/log", {"morning_pain": "6", "notes": "Stiff"})
    assert page.status_code == 422, page.text  # type: ignore[attr-defined]
    assert "no log of yesterday" in page.text  # type: ignore[attr-defined]
    assert 'value="6"' in page.text and ">Stiff</textarea>" in page.text  # type: ignore[attr-defined]
    assert todays_log(clinic) is None
