"""The week's walks and exercises as an iCalendar file (RFC 5545) that any phone or desktop calendar imports.

backstride sends nothing (no e-mail, no push), so a reminder has to live in the patient's own calendar. The
file is made from the current :class:`~backstride.clinic.Plan` alone: it is a document of the plan, in the
clinic's words, and needs no database. It lives here, beside the plan, so its words (cues, flare rule,
warning signs) are the clinic's and cannot drift from the plan page's.

Times are floating local times (no ``TZID``, no ``VTIMEZONE``): "09:00" is nine in the morning wherever the
phone is, which is what a walk reminder means, and the file needs no time-zone data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from backstride._errors import InputError
from backstride.clinic._program import Plan, _rules
from backstride.clinic._triage import check_emergency_number

PLAN_WEEK_DAYS = 7
"""A plan is one week of the program; the weekly review on its eighth day makes the next one."""

DEFAULT_WALK_TIMES: dict[int, tuple[dt.time, ...]] = {
    1: (dt.time(10, 0),),
    2: (dt.time(9, 0), dt.time(17, 30)),
    3: (dt.time(9, 0), dt.time(13, 0), dt.time(17, 30)),
}
"""Walks spread over the day when the patient has not chosen their times (a plan has 1 to 3 walks a day)."""

ALARM_MINUTES_BEFORE = 10
UID_DOMAIN = "backstride"
"""The fixed word after ``@`` in every event's ``UID`` (RFC 5545 asks for a unique, stable identifier; no
network name is looked up)."""

MEDIA_TYPE = "text/calendar"
_LINE_OCTETS = 75
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def next_review(plan: Plan) -> dt.date:
    """The day of the weekly review that replaces this plan."""
    return plan.start_date + dt.timedelta(days=PLAN_WEEK_DAYS)


def default_walk_times(walks_per_day: int) -> tuple[dt.time, ...]:
    """The walks' times of day when the patient has not chosen theirs."""
    return DEFAULT_WALK_TIMES.get(walks_per_day, DEFAULT_WALK_TIMES[3][:walks_per_day])


def walk_times(text: str, walks_per_day: int) -> tuple[dt.time, ...]:
    """The times of day the patient chose, from ``"09:00,13:00,17:30"`` (24-hour ``HH:MM``, one a walk).

    Refused in one sentence: a wrong count, a time that is not ``HH:MM``, or two walks at the same time.
    """
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    walks = f"{walks_per_day} walk{'s' if walks_per_day != 1 else ''}"
    if len(parts) != walks_per_day:
        raise InputError(
            f"The plan has {walks} a day, so give {walks_per_day} time{'s' if walks_per_day != 1 else ''} "
            f"(got {len(parts)})."
        )
    times = []
    for part in parts:
        if not part:
            raise InputError("Give a time for every walk.")
        found = _TIME.fullmatch(part)
        if found is None:
            raise InputError(
                f'"{part[:20]}" is not a time of day; write it as hours and minutes, like 09:00.'
            )
        times.append(dt.time(int(found.group(1)), int(found.group(2))))
    if len(set(times)) != len(times):
        raise InputError("Two walks are at the same time; give each walk its own time.")
    return tuple(sorted(times))


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value (section 3.3.11): backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded (section 3.1): no physical line over 75 octets of UTF-8, a continuation
    starting with one space, and never a multi-byte character split between two lines."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, _LINE_OCTETS
    for ch in line:
        octets = len(ch.encode("utf-8"))
        if size + octets > limit:
            out.append("".join(current))
            current, size, limit = [], 0, _LINE_OCTETS - 1  # the leading space counts
        current.append(ch)
        size += octets
    out.append("".join(current))
    return "\r\n ".join(out)


def _stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise InputError("DTSTAMP needs a moment with its time zone (UTC).")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(day: dt.date, at: dt.time) -> str:
    return f"{day:%Y%m%d}T{at:%H%M%S}"


def _flare_rule(plan: Plan) -> str:
    return f"{_rules()['flare']['why']} Your starting level: {plan.baseline_pain:g}/10."


def _warning_signs(emergency_number: str) -> str:
    """The plan's warning-sign cue, with the number to call: a calendar entry has no link to the clinic."""
    return f"{_rules()['safety_cue']} The emergency number is {check_emergency_number(emergency_number)}."


def _walk_description(plan: Plan, emergency_number: str, until: dt.date) -> str:
    safety = str(_rules()["safety_cue"])
    cues = [c for c in plan.cues if c != safety]  # it comes last, with the number
    lines = [
        f"{plan.walks_per_day} walk{'s' if plan.walks_per_day != 1 else ''} a day, "
        f"{plan.minutes_per_walk} minutes each (week {plan.week} of your plan).",
        "",
        "While you walk:",
        *(f"- {c}" for c in cues),
        *_closing_lines(plan, emergency_number, until),
    ]
    return "\n".join(lines)


def _closing_lines(plan: Plan, emergency_number: str, until: dt.date) -> list[str]:
    """What every event's description ends with: the flare rule, the warning signs and the number, and when the
    reminders end."""
    return [
        "",
        f"If it flares: {_flare_rule(plan)}",
        "",
        _warning_signs(emergency_number),
        "",
        _until_words(plan, until),
    ]


def _until_words(plan: Plan, until: dt.date) -> str:
    review = next_review(plan)
    return (
        f"These reminders end on {until:%A %d %B %Y}: your plan is reviewed on {review:%A %d %B %Y} and may "
        "change then. After the review, download the new reminders from your plan page."
    )


def _exercise_description(plan: Plan, emergency_number: str, until: dt.date) -> str:
    lines = ["Today's exercises:"]
    for x in plan.exercises:
        version = f" ({x.variant} version)" if x.variant != "standard" else ""
        lines.append(f"- {x.name}{version}: {x.dose_text}")
    lines += [
        *_closing_lines(plan, emergency_number, until),
    ]
    return "\n".join(lines)


def walk_calendar(
    plan: Plan,
    *,
    patient_id: int,
    emergency_number: str,
    now: dt.datetime,
    today: dt.date,
    times: Sequence[dt.time] | None = None,
) -> str:
    """The plan's walks (one daily event each, with an alarm 10 minutes before) and its exercises (one
    all-day event each day) as an iCalendar document, CRLF line endings, from ``today`` (or the plan's start,
    if later) to the day before the plan's weekly review.

    ``times``: one time of day per walk (:func:`walk_times`), else :data:`DEFAULT_WALK_TIMES`. ``now`` (with its
    time zone) is the file's ``DTSTAMP``. Each event's ``UID`` is the patient, the plan's version and the
    event's place, so the same plan imported again replaces its events rather than doubling them.
    """
    chosen = tuple(times) if times is not None else default_walk_times(plan.walks_per_day)
    if len(chosen) != plan.walks_per_day:
        raise InputError(f"The plan has {plan.walks_per_day} walks a day; {len(chosen)} times were given.")
    until = next_review(plan) - dt.timedelta(days=1)
    first = max(today, plan.start_date)
    if first > until:
        raise InputError("This plan's week is over; its review makes the next plan first.")
    stamp = _stamp(now)
    uid = f"backstride-p{patient_id}-v{plan.version}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//backstride//walk reminders//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text('Walking plan')}",
    ]
    walk_text = escape_text(_walk_description(plan, emergency_number, until))
    for i, at in enumerate(sorted(chosen), start=1):
        summary = f"Walk {i} of {plan.walks_per_day}: {plan.minutes_per_walk} minutes"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}-walk{i}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_local(first, at)}",
            f"DURATION:PT{plan.minutes_per_walk}M",
            f"RRULE:FREQ=DAILY;UNTIL={_local(until, dt.time(23, 59, 59))}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{walk_text}",
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"TRIGGER:-PT{ALARM_MINUTES_BEFORE}M",
            f"DESCRIPTION:{escape_text(f'{summary}, in {ALARM_MINUTES_BEFORE} minutes')}",
            "END:VALARM",
            "END:VEVENT",
        ]
    if plan.exercises:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}-exercises@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
            "DURATION:P1D",
            f"RRULE:FREQ=DAILY;UNTIL={until:%Y%m%d}",
            f"SUMMARY:{escape_text('Back exercises')}",
            f"DESCRIPTION:{escape_text(_exercise_description(plan, emergency_number, until))}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
