"""The walk reminders as an iCalendar file (RFC 5545): the format's rules checked line by line without a parser,
then the file read back by a real iCalendar parser (the ``icalendar`` package, a test dependency) for its values."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from backstride import clinic
from backstride._errors import InputError
from backstride.clinic._calendar import escape_text, fold

START = dt.date(2026, 3, 2)  # a Monday
NOW = dt.datetime(2026, 3, 4, 7, 30, tzinfo=dt.UTC)


def _plan(tolerance: float = 10, **changes: object) -> clinic.Plan:
    plan = clinic.make_plan(
        clinic.Baseline(age=52, sex="female", pain_nrs=4, walking_tolerance_min=tolerance, start_date=START)
    )
    return plan.model_copy(update=changes) if changes else plan


def _calendar(plan: clinic.Plan | None = None, **kwargs: object) -> str:
    args: dict[str, object] = {
        "patient_id": 7,
        "emergency_number": "112",
        "now": NOW,
        "today": dt.date(2026, 3, 4),
    }
    args.update(kwargs)
    return clinic.walk_calendar(plan or _plan(), **args)  # type: ignore[arg-type]


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_every_line_ends_in_crlf_and_is_at_most_75_octets() -> None:
    text = _calendar(emergency_number="999 – Notruf ☎ 112 " * 4)  # long, and multi-byte characters
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # no bare line feed anywhere
    physical = text.split("\r\n")[:-1]
    assert max(len(line.encode("utf-8")) for line in physical) == 75  # folded, and as full as allowed
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    for line in physical:
        line.encode("utf-8").decode("utf-8")  # never half a character: each line is valid UTF-8 on its own


def test_folding_never_splits_a_character_and_unfolds_to_the_line() -> None:
    line = "DESCRIPTION:" + "Łódź 王 ☎ " * 30
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1 and all(p.startswith(" ") for p in parts[1:])
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert len(parts[0].encode("utf-8")) >= 73  # a three-octet character may leave 1-2 spare
    assert folded.replace("\r\n ", "") == line
    assert fold("SUMMARY:short") == "SUMMARY:short"


def test_text_values_are_escaped() -> None:
    assert escape_text("a\\b; c, d\ne\r\nf") == "a\\\\b\\; c\\, d\\ne\\nf"


def test_the_unfolded_lines_give_back_the_plan_s_words() -> None:
    plan = _plan()
    lines = _unfold(_calendar(plan))
    description = next(line for line in lines if line.startswith("DESCRIPTION:3 walks"))
    text = description.removeprefix("DESCRIPTION:")
    unescaped = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)
    for cue in plan.cues[:-1]:
        assert f"- {cue}" in unescaped
    assert "A flare is pain 2 or more points above the starting level on 2 or more days" in unescaped
    assert "Your starting level: 4/10." in unescaped
    assert "Stop walking and call the emergency number" in unescaped
    assert "The emergency number is 112." in unescaped
    assert "your plan is reviewed on Monday 09 March 2026" in unescaped
    assert "download the new reminders from your plan page" in unescaped


def test_the_calendar_s_frame_and_stable_ids() -> None:
    lines = _unfold(_calendar())
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//backstride//walk reminders//EN"]
    assert lines[-1] == "END:VCALENDAR"
    uids = [line for line in lines if line.startswith("UID:")]
    assert uids == [
        "UID:backstride-p7-v1-walk1@backstride",
        "UID:backstride-p7-v1-walk2@backstride",
        "UID:backstride-p7-v1-walk3@backstride",
        "UID:backstride-p7-v1-exercises@backstride",
    ]
    assert lines.count("DTSTAMP:20260304T073000Z") == 4
    assert not any("TZID" in line for line in lines)  # floating local times
    assert _unfold(_calendar(now=NOW + dt.timedelta(hours=1))) != lines  # only the stamp differs...
    assert [
        line for line in _unfold(_calendar(now=NOW + dt.timedelta(hours=1))) if line.startswith("UID:")
    ] == uids


def test_chosen_times_are_read_and_wrong_ones_refused() -> None:
    assert clinic.walk_times("17:30, 8:05,13:00", 3) == (dt.time(8, 5), dt.time(13), dt.time(17, 30))
    with pytest.raises(InputError, match=r"^The plan has 3 walks a day, so give 3 times \(got 2\)\.$"):
        clinic.walk_times("09:00,13:00", 3)
    with pytest.raises(InputError, match=r'^"25:00" is not a time of day'):
        clinic.walk_times("25:00,13:00", 2)
    with pytest.raises(InputError, match=r"^Two walks are at the same time"):
        clinic.walk_times("09:00,09:00", 2)
    with pytest.raises(InputError, match=r"^Give a time for every walk"):
        clinic.walk_times("09:00,", 2)
    with pytest.raises(InputError, match=r"so give 1 time \(got 0\)"):
        clinic.walk_times("", 1)


def _parsed(text: str) -> Any:
    """The file as a real iCalendar parser reads it (a test dependency; without it only these tests skip)."""
    icalendar = pytest.importorskip("icalendar")
    calendar = icalendar.Calendar.from_ical(text)
    assert icalendar.Calendar.from_ical(calendar.to_ical()) == calendar  # it writes back what it read
    return calendar


def test_a_calendar_parser_reads_the_walks_their_length_and_their_end() -> None:
    plan = _plan()  # 10 minutes tolerated: three walks of 8 minutes
    assert (plan.walks_per_day, plan.minutes_per_walk) == (3, 8)
    cal = _parsed(_calendar(plan, times=clinic.walk_times("08:15,12:00,18:45", 3)))
    events = list(cal.walk("VEVENT"))
    walks = [e for e in events if "walk" in str(e["UID"])]
    assert len(walks) == plan.walks_per_day
    assert [e.decoded("DTSTART") for e in walks] == [
        dt.datetime(2026, 3, 4, 8, 15),
        dt.datetime(2026, 3, 4, 12, 0),
        dt.datetime(2026, 3, 4, 18, 45),
    ]  # from today (the plan began two days ago), floating: no time zone
    for e in walks:
        assert e.decoded("DURATION") == dt.timedelta(minutes=8)
        rule = e["RRULE"]
        assert rule["FREQ"] == ["DAILY"]
        assert rule["UNTIL"] == [dt.datetime(2026, 3, 8, 23, 59, 59)]  # the day before the review on 9 March
        (alarm,) = list(e.walk("VALARM"))
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == -dt.timedelta(minutes=10)
        assert "The emergency number is 112." in str(e["DESCRIPTION"])
    (exercises,) = [e for e in events if "exercises" in str(e["UID"])]
    assert exercises.decoded("DTSTART") == dt.date(2026, 3, 4)
    assert exercises["RRULE"]["UNTIL"] == [dt.date(2026, 3, 8)]
    description = str(exercises["DESCRIPTION"])
    for x in plan.exercises:
        assert f"- {x.name}: {x.dose_text}" in description
    assert cal.to_ical().decode("utf-8").replace("\r\n ", "").count("BEGIN:VEVENT") == 4  # round trip


def test_two_longer_walks_and_no_exercises() -> None:
    plan = _plan(tolerance=20, exercises=[], version=4)
    assert (plan.walks_per_day, plan.minutes_per_walk) == (2, 15)
    cal = _parsed(_calendar(plan, today=dt.date(2026, 2, 20)))  # before the plan starts: from its start
    events = list(cal.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [
        "backstride-p7-v4-walk1@backstride",
        "backstride-p7-v4-walk2@backstride",
    ]
    assert [e.decoded("DTSTART") for e in events] == [
        dt.datetime(2026, 3, 2, 9),
        dt.datetime(2026, 3, 2, 17, 30),
    ]
    assert all(e.decoded("DURATION") == dt.timedelta(minutes=15) for e in events)


def test_a_week_already_over_gives_no_file() -> None:
    with pytest.raises(InputError, match="week is over"):
        _calendar(today=dt.date(2026, 3, 9))


@pytest.mark.parametrize("number", ["", "   "])
def test_no_text_that_says_to_call_names_an_empty_number(number: str) -> None:
    """The reminders, the sheet, the weekly screen and the emergency advice each said "call " with nothing
    after it for an empty number; each refuses it now, as the screen did."""
    from backstride import report

    with pytest.raises(InputError, match="the emergency number must be a non-empty text"):
        _calendar(emergency_number=number)
    with pytest.raises(InputError, match="the emergency number must be a non-empty text"):
        report.home_program_sheet(_plan(), name="Ann", emergency_number=number, generated_at=NOW)
    with pytest.raises(InputError, match="the emergency number must be a non-empty text"):
        clinic.weekly_screen(number)
    with pytest.raises(InputError, match="the emergency number must be a non-empty text"):
        clinic.advice_for("emergency", number)
    assert clinic.advice_for("routine", number)  # no number in it: nothing to refuse
    assert clinic.check_emergency_number("+44 20 7946 0000") == "+44 20 7946 0000"
