"""Moments are kept in UTC and shown in the server's time zone, named: they were shown in UTC and named
nothing, so a clinic an hour from UTC read a first-login link's lapsing, an upload or a note an hour off,
while the app's "today" is the server's own day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.web.conftest import Clinic, post, sign_in

from backstride.web._render import templates


@pytest.fixture
def central_europe(zone: Any) -> None:
    """The process in UTC+1, named CET (a POSIX zone: no time-zone database needed)."""
    zone("CET-1")


def test_a_moment_is_shown_in_the_servers_zone_and_named(central_europe: None) -> None:
    show = templates.env.filters["date"]
    moment = dt.datetime(2026, 12, 20, 23, 36, tzinfo=dt.UTC)
    assert show(moment) == "21 Dec 2026, 00:36 CET"  # the next day there
    assert show(dt.date(2026, 12, 20)) == "Sun 20 Dec 2026"  # a day is a day wherever it is read
    assert show(None) == "–"


def test_the_clinicians_page_shows_a_notes_moment_in_the_servers_zone(
    central_europe: None, client: Any, clinic: Clinic
) -> None:
    sign_in(client, "anna@clinic.test")
    before = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    assert post(client, f"/patients/{clinic.patient_a}/notes", {"text": "Seen today."}).status_code == 303  # type: ignore[attr-defined]
    after = dt.datetime.now(dt.UTC)
    page = client.get(f"/patients/{clinic.patient_a}").text
    minutes = [
        before + dt.timedelta(minutes=k) for k in range(int((after - before).total_seconds() // 60) + 1)
    ]
    assert all(m.astimezone().tzname() == "CET" for m in minutes)
    # the note's moment, an hour on from UTC and named (whichever minute it was written in)
    assert any(f"{m.astimezone():%d %b %Y, %H:%M} CET:</span> Seen today." in page for m in minutes), page
