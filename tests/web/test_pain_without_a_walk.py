"""Pain on a day without a walk is kept (the day's worst pain, ``DailyLog.pain_today``), shown on the progress
page and counted by the caseload's flare flag and the weekly review; a walk's pain given without its minutes is not dropped in silence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, post, sign_in, todays_log


def test_a_walks_pain_without_minutes_is_refused_with_where_to_give_it(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    data = {
        "w1_pain_before": "9",
        "w1_pain_during": "9",
        "w1_pain_after": "9",
        "notes": "Too painful to walk today",
    }
    page = post(client, f"/patients/{clinic.patient_a}/log", data)
    assert page.status_code == 422
    assert "Walk 1: pain was given but no minutes walked, so it cannot be kept as a walk." in page.text
    assert "“Your worst pain today, if you did not walk”" in page.text
    assert page.text.count('value="9"') == 3 and ">Too painful to walk today</textarea>" in page.text
    assert todays_log(clinic) is None


def test_the_worst_pain_of_a_day_without_a_walk_is_kept_shown_and_flagged(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    data = {"pain_today": "9", "notes": "Too painful to walk today"}
    saved = post(client, f"/patients/{clinic.patient_a}/log", data)
    assert saved.status_code == 303
    log = todays_log(clinic)
    assert log is not None
    assert log["walks"] == [] and log["pain_today"] == 9 and log["pain"] == 9
    form = client.get(f"/patients/{clinic.patient_a}/log").text
    assert 'id="pain_today" name="pain_today" type="number" min="0" max="10" step="1" value="9"' in form
    progress = client.get(f"/patients/{clinic.patient_a}/progress").text
    assert "<td>9 (no walk)</td>" in progress
    assert "worst pain of a day without a walk" in progress  # its own series in the pain plot
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    row = therapist.get("/caseload").text.split("Paula Patient")[1].split("</tr>")[0]
    assert '<span class="flag flare">Flare</span>' in row  # 9 is a severe pain (8 or more)
    assert "<td>9 / 9</td>" in row  # pain now / at the start (no plan yet: the first log's)


def test_a_morning_pain_given_next_day_keeps_the_day_pain(client: Any, clinic: Clinic) -> None:
    from backstride import _plans, store
    from backstride.clinic import DailyLog

    yesterday = dt.date.today() - dt.timedelta(days=1)
    with clinic_db(clinic) as s:
        log = DailyLog(date=yesterday, pain_today=7)
        store.upsert_log(s, clinic.patient_a, yesterday, _plans.log_json(log))
    sign_in(client, "paula@home.test")
    assert post(client, f"/patients/{clinic.patient_a}/log", {"morning_pain": "5"}).status_code == 303
    with clinic_db(clinic, readonly=True) as s:
        row = store.get_log(s, clinic.patient_a, yesterday)
        assert row is not None
        assert row.log["next_morning_pain"] == 5 and row.log["pain_today"] == 7 and row.log["pain"] == 7
        assert _plans.load_log(row.log).pain_today == 7  # as the weekly review reads it


def test_an_empty_log_is_not_kept_as_a_day_logged(client: Any, clinic: Clinic) -> None:
    """ "Save today's log" pressed with nothing filled in said "Saved. Thank you" and kept an empty day: the
    day showed as logged (the caseload's "no recent log" went quiet) with nothing in it. It comes back
    saying what to give, and nothing is kept."""
    sign_in(client, "paula@home.test")
    page = post(client, f"/patients/{clinic.patient_a}/log", {"notes": "   "})
    assert page.status_code == 422
    assert "Nothing was filled in, so nothing was saved." in page.text
    assert "Saved. Thank you" not in page.text
    assert todays_log(clinic) is None
    # a day already logged may still be emptied on purpose (its walks cleared): that is kept
    assert post(client, f"/patients/{clinic.patient_a}/log", {"pain_today": "3"}).status_code == 303
    assert post(client, f"/patients/{clinic.patient_a}/log", {}).status_code == 303
    log = todays_log(clinic)
    assert log is not None and log["walks"] == [] and log["pain_today"] is None
