"""A day logged at a flare's pain is told, on the day, what the program says of a flare (it was answered
"Saved. Thank you — see you tomorrow." and nothing more until the week's review)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, post, save_first_plan, sign_in


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _log(client: Any, clinic: Clinic, data: dict[str, str]) -> str:
    saved = post(client, f"/patients/{clinic.patient_a}/log", data)
    assert saved.status_code == 303
    return _text(client.get(saved.headers["location"]).text)


def _walk(during: str) -> dict[str, str]:
    return {"w1_minutes": "10", "w1_pain_before": "3", "w1_pain_during": during, "w1_pain_after": "3"}


def test_a_day_at_a_flares_pain_is_told_to_ease_off(client: Any, clinic: Clinic) -> None:
    with clinic_db(clinic) as s:
        save_first_plan(s, clinic.patient_a, dt.date.today())  # starting pain 4/10
    sign_in(client, "paula@home.test")
    calm = _log(client, clinic, _walk("5"))
    assert "Saved. Thank you" in calm and "flare" not in calm
    rising = _log(client, clinic, _walk("6"))
    assert (
        "Your pain reached 6/10 today, 2 or more points above your starting level (4/10): on 2 or more such days "
        "in a week, that is a flare. Do not push through it: slow down, make your walks shorter, or rest"
    ) in rising
    severe = _log(client, clinic, {"pain_today": "8"})  # too painful to walk: the day's worst pain
    assert "Your pain reached 8/10 today: pain of 8/10 or more is a flare." in severe
    assert "Your therapist sees this log" in severe
    # the page opened again later shows the log, not the message of the moment it was saved
    assert "flare" not in _text(client.get(f"/patients/{clinic.patient_a}/log").text)
