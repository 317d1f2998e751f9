"""The home program sheet: one printable document of the patient's current plan, the walks and exercises with their
doses, a week's tick chart, and the clinic's own words for rising pain, flares and the warning signs."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from backstride import clinic, report
from backstride._errors import InputError

AT = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def _plan(**changes: object) -> clinic.Plan:
    """A first plan from the clinic's own program builder (core block: pain 4, 12 minutes tolerated)."""
    values: dict[str, object] = {
        "age": 45,
        "sex": "female",
        "pain_nrs": 4,
        "walking_tolerance_min": 12,
        "start_date": dt.date(2026, 12, 7),
    }
    values.update(changes)
    return clinic.make_plan(clinic.Baseline.model_validate(values))


def _sheet(plan: clinic.Plan, number: str = "112") -> str:
    return report.home_program_sheet(plan, name="Ann Example", emergency_number=number, generated_at=AT)


def _text(page: str) -> str:
    """The page's words as a reader sees them: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_sheet_holds_the_walks_and_every_exercise_with_its_dose_steps_and_cautions() -> None:
    plan = _plan()
    assert (plan.walks_per_day, plan.minutes_per_walk) == (3, 10)  # 80 % of 12 minutes, three walks up to 10
    text = _text(_sheet(plan))
    assert "Your home program: Ann Example" in text
    assert "3 walks a day, 10 minutes each (30 minutes of walking a day)" in text
    assert "Week 1: Mon 2026-12-07 to Sun 2026-12-13." in text
    assert "from Mon 2026-12-14" in text  # the weekly review
    warning = clinic.pain_rules().warning_cue
    assert plan.cues[-1] == warning and warning not in text  # said in the warning signs' box, with the number
    for cue in plan.cues[:-1]:
        assert cue in text
    assert len(plan.exercises) >= 5
    for px in plan.exercises:
        ex = clinic.EXERCISES[px.id]
        assert px.name in text and px.dose_text in text
        for step in ex.instructions:
            assert step in text
        assert "Take care: " + " ".join(ex.cautions) in text


def test_tick_chart_has_seven_days_and_a_row_per_walk_exercise_and_pain() -> None:
    plan = _plan()
    page = _sheet(plan)
    chart = page[
        page.index('<table class="ticks"') : page.index("</table>", page.index('<table class="ticks"'))
    ]
    head = chart[chart.index("<thead>") : chart.index("</thead>")]
    assert head.count('<th scope="col"') == 1 + 7
    assert re.findall(r"<th scope=\"col\">(\w{3})<br>", head) == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]
    rows = re.findall(r'<th scope="row">([^<]+)</th>', chart)
    assert rows == [
        "Walk 1: 10 minutes",
        "Walk 2: 10 minutes",
        "Walk 3: 10 minutes",
        *[px.name for px in plan.exercises],
        "Highest pain today (0–10)",
    ]
    assert chart.count('class="box"') == 7 * (3 + len(plan.exercises))  # the pain row is left to write in


def test_flare_rules_and_warning_signs_are_the_clinics_own() -> None:
    plan = _plan(pain_nrs=3)
    rules = clinic.pain_rules()
    text = _text(_sheet(plan, number="999"))
    assert any("slow down" in c for c in rules.cues)
    assert any("stop" in c for c in rules.cues)
    for cue in rules.cues:
        assert cue in text
    assert rules.flare in text
    # the starting pain 3 plus the clinic's rise of 2 points, on its 2 days, or its 8 out of 10 at any time
    assert "pain of 5 or more on 2 or more days, or any pain of 8 or more, is a flare" in text
    assert "call 999" in text
    questions = {q.id: q.text for q in clinic.QUESTIONS}
    for sign in clinic.EMERGENCY_SIGNS:
        assert questions[sign] in text
    assert f"Both: {questions['fever']} And: {questions['feeling_unwell']}" in text


@pytest.mark.parametrize("pain", range(0, 11))
def test_the_flare_sentence_reads_right_for_every_starting_pain(pain: int) -> None:
    """From a starting pain of 6 the rise of 2 points reaches the 8 that is a flare on any day: that rule is
    said once, and without the stray comma the two-rule sentence needs ("any pain of 8 or more, is a flare")."""
    rules = clinic.pain_rules()
    text = _text(_sheet(_plan(pain_nrs=pain)))
    start = f"your pain was {pain} out of 10 when the program started, so "
    severe = f"any pain of {rules.severe_pain:g} or more"
    level = pain + rules.rise_above_baseline
    if level < rules.severe_pain:
        said = f"pain of {level:g} or more on {rules.min_days} or more days, or {severe}, is a flare."
    else:
        said = f"{severe} is a flare."
        assert "so pain of" not in text
    assert start + said in text


def test_sheet_is_self_contained_and_prints_without_the_app() -> None:
    page = _sheet(_plan())
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "@media print" in page and "break-before: page" in page


def test_sheet_needs_a_time_zone() -> None:
    with pytest.raises(InputError, match="time zone"):
        report.home_program_sheet(
            _plan(), name="A", emergency_number="1", generated_at=AT.replace(tzinfo=None)
        )


def test_page_one_holds_the_walks_pain_rules_and_warning_signs_and_the_exercises_start_page_two() -> None:
    """On paper the first page is what must not be missed; the exercises and the tick chart follow it. (How it
    prints is tested in chromium: tests/web/test_browser_sheet.py.)"""
    page = _sheet(_plan())
    sections = re.findall(r'<section class="([^"]*)" aria-labelledby="([\w-]+)"', page)
    assert sections == [
        ("sheet-section", "walking-title"),
        ("sheet-section", "pain-title"),
        ("sheet-section", "signs-title"),
        ("sheet-section page-break", "exercises-title"),
        ("sheet-section chart", "chart-title"),
    ]


def test_the_pain_cues_are_said_once_under_if_your_pain_rises() -> None:
    """Each cue about pain, the one on how much discomfort is fine too, once, under "If your pain rises" (the
    sheet also said the last in its own words there, and the warning cue above the warning signs' box)."""
    text = _text(_sheet(_plan()))
    rules = clinic.pain_rules()
    assert len(rules.cues) == 3 and any("discomfort" in cue for cue in rules.cues)
    for cue in rules.cues:
        assert text.count(cue) == 1
        assert text.index("If your pain rises") < text.index(cue) < text.index("A flare")
    assert "during a walk is fine" not in text
    box = text[text.index("Warning signs: get help now") : text.index("Exercises")]
    assert "call 112 or go to the nearest emergency department now" in box and "note it in your log" in box
