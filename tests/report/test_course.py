"""The progress summary of a patient's whole course, for their doctor: built from a plain record, the clinic's
verdicts and norms in it, the diary and activity week by week, nothing invented for what was not recorded."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from tests.report.conftest import tables_and_their_boxes

from backstride import clinic, report
from backstride._errors import InputError
from backstride.course import (
    ActivityEntry,
    DiaryEntry,
    Finding,
    GaitEntry,
    PatientInfo,
    PatientRecord,
    PlanEntry,
    ScoreEntry,
    ScreeningEntry,
    SessionEntry,
)

UTC = dt.UTC
AT = dt.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _at(day: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, 10, 0, tzinfo=UTC)


def _gait(rid: int, day: int, speed: float, cadence: float) -> GaitEntry:
    return GaitEntry(
        id=rid,
        when=_at(day),
        source=f"walk-{day}.csv",
        summary={
            "total_walking_s": 600.0,
            "n_steps": 900,
            "median_walking_speed_mps": speed,
            "median_cadence_spm": cadence,
            "median_stride_length_m": 1.0,
            "median_trunk_lean_deg": 6.0,
        },
    )


def _record(**changes: object) -> PatientRecord:
    base = PatientRecord(
        patient=PatientInfo(id=7, name="Ann <Example>", sex="female", age=54, height_m=1.68),
        screenings=(
            ScreeningEntry(id=1, when=_at(2), urgency="routine"),
            ScreeningEntry(
                id=2,
                when=_at(9),
                urgency="soon",
                findings=(
                    Finding(rule="night_pain", urgency="soon", text="pain at night: see a doctor soon"),
                ),
            ),
            ScreeningEntry(id=3, when=_at(23), urgency="routine"),
        ),
        scores=(
            ScoreEntry(id=10, when=_at(2), instrument="nprs", score=7.0),
            ScoreEntry(id=11, when=_at(2), instrument="odi", score=44.0, band="severe disability"),
            ScoreEntry(id=12, when=_at(23), instrument="nprs", score=3.0),
            ScoreEntry(id=13, when=_at(23), instrument="odi", score=40.0, band="moderate disability"),
            ScoreEntry(id=14, when=_at(2), instrument="startback", score=6.0, risk="high"),
            ScoreEntry(
                id=15, when=_at(23), instrument="psfs", score=5.0, activities=(("walking the dog", 5.0),)
            ),
        ),
        gait=(_gait(20, 3, 0.80, 92.0), _gait(21, 24, 1.05, 104.0)),
        diary=(
            # week of Monday 2 November: three days, one with a warning sign reported
            DiaryEntry(
                id=30, date=dt.date(2026, 11, 2), walk_pain=6, next_morning_pain=5, minutes_walked=20, walks=2
            ),
            DiaryEntry(
                id=31, date=dt.date(2026, 11, 3), walk_pain=4, next_morning_pain=3, minutes_walked=30, walks=3
            ),
            DiaryEntry(
                id=32, date=dt.date(2026, 11, 8), walk_pain=5, minutes_walked=25, walks=2, red_flag=True
            ),
            # week of Monday 16 November: one day, no pain given
            DiaryEntry(id=33, date=dt.date(2026, 11, 18), minutes_walked=45, walks=3),
        ),
        activity=(
            ActivityEntry(id=40, date=dt.date(2026, 11, 2), source="export.zip", steps=4000),
            ActivityEntry(id=41, date=dt.date(2026, 11, 3), source="export.zip", steps=5000),
            ActivityEntry(
                id=42, date=dt.date(2026, 11, 4), source="export.zip", steps=9000, walking_speed_mps=1.1
            ),
        ),
        plans=(
            PlanEntry(
                id=50,
                version=1,
                when=_at(2),
                start_date=dt.date(2026, 11, 4),  # in force from the Wednesday: 5 of the week's 7 days
                walks_per_day=2,
                minutes_per_walk=10,
                exercises=(("Glute bridge", "2 x 8, once a day"),),
                advice=("Slow down when pain rises.",),
            ),
            PlanEntry(
                id=51, version=2, when=_at(16), walks_per_day=3, minutes_per_walk=15, reason="walks went well"
            ),
        ),
        sessions=(
            SessionEntry(
                id=60,
                date=dt.date(2026, 11, 10),
                clinician="Dana Reyes",
                technique="spinal mobilisation",
                region="L4-L5",
                duration_min=30,
                pain_before=6,
                pain_after=4,
                response="better",
            ),
        ),
    )
    return PatientRecord(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def _text(page: str) -> str:
    """The page's words without tags, scripts or the figures' JSON (what a reader sees)."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", "", page, flags=re.S)
    body = re.sub(r"</?(strong|span|em|code)\b[^>]*>", "", body)  # inline: no break in the words
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _figures(page: str) -> dict[str, dict]:
    blocks = re.findall(r'<script type="application/json" data-plot-for="([^"]+)">(.*?)</script>', page, re.S)
    return {key: json.loads(body.replace("<\\/", "</")) for key, body in blocks}


def test_the_questionnaires_changes_are_the_clinics_verdicts() -> None:
    page = report.course_report(_record(), generated_at=AT)
    text = _text(page)
    expected = clinic.compare(
        "nprs",
        clinic.ScoreResult(instrument="nprs", score=7.0),
        clinic.ScoreResult(instrument="nprs", score=3.0),
    )
    assert expected.verdict == "improved"
    assert f"7.0 → 3.0, improved ({expected.explanation})" in text
    odi = clinic.compare(
        "odi",
        clinic.ScoreResult(instrument="odi", score=44.0, band="severe disability"),
        clinic.ScoreResult(instrument="odi", score=40.0, band="moderate disability"),
    )
    assert odi.verdict == "no meaningful change"  # 4 points, under the Oswestry's threshold
    assert f"44.0 → 40.0, no meaningful change ({odi.explanation})" in text
    assert "answered once" in text  # STarT Back and PSFS, once each: shown, not judged
    assert "walking the dog 5" in text
    assert "Ann <Example>" in text and "Ann <Example>" not in page  # the name is escaped


def test_the_screens_that_found_something_are_listed_and_an_emergency_heads_the_report() -> None:
    text = _text(report.course_report(_record(), generated_at=AT))
    assert "2026-11-09 See a doctor within two weeks pain at night: see a doctor soon" in text
    assert "The 2 other screens found nothing calling for quicker care" in text
    assert "Latest warning-sign screen, 2026-11-23: Routine; 3 screens in all" in text
    assert "came to “emergency”" not in text
    # a diary warning sign after the latest screen heads the report too
    assert "A warning sign was reported in the diary" not in text  # 8 November: before the 23rd's screen
    later = _record(diary=(DiaryEntry(id=39, date=dt.date(2026, 11, 25), red_flag=True),))
    assert "A warning sign was reported in the diary on 2026-11-25" in _text(
        report.course_report(later, generated_at=AT)
    )

    emergency = ScreeningEntry(
        id=4,
        when=_at(30),
        urgency="emergency",
        findings=(Finding(rule="saddle", urgency="emergency", text="numbness in the saddle area: new"),),
    )
    record = _record(screenings=(*_record().screenings, emergency))
    text = _text(report.course_report(record, generated_at=AT))
    assert (
        "The latest warning-sign screen (2026-11-30) came to “emergency”: numbness in the saddle area: new."
        in text
    )
    assert text.index("came to “emergency”") < text.index("In short")


def test_a_same_day_screen_heads_the_report_in_the_words_the_rest_of_it_uses() -> None:
    """Before: the alert said the screen "came to “same day”" (the code's name) and ended "today.." while the
    rest of the report, the patient's pages and the caseload say "See a doctor today"."""
    fever = ScreeningEntry(
        id=4,
        when=_at(30),
        urgency="same_day",
        findings=(
            Finding(
                rule="fever",
                urgency="same_day",
                text="Fever: A fever with back pain can be a sign of infection and should be checked by a doctor "
                "today.",
            ),
        ),
    )
    text = _text(report.course_report(_record(screenings=(*_record().screenings, fever)), generated_at=AT))
    assert (
        "The latest warning-sign screen (2026-11-30) came to “see a doctor today”: Fever: A fever with back pain "
        "can be a sign of infection and should be checked by a doctor today. The patient was told" in text
    )
    assert "same day" not in text
    assert "Latest warning-sign screen, 2026-11-30: See a doctor today" in text


def test_when_every_screen_found_something_no_count_of_other_screens_is_said() -> None:
    """The summary said "The 0 other screens found nothing calling for quicker care" under a table of all of
    them; one routine screen among them is "The 1 other screen"."""
    flagged = tuple(s for s in _record().screenings if s.urgency != "routine")
    text = _text(report.course_report(_record(screenings=flagged), generated_at=AT))
    assert "2026-11-09 See a doctor within two weeks pain at night: see a doctor soon" in text
    assert "other screen" not in text
    one_routine = (*flagged, _record().screenings[0])
    text = _text(report.course_report(_record(screenings=one_routine), generated_at=AT))
    assert "The 1 other screen found nothing calling for quicker care" in text


def test_the_diary_week_by_week_against_the_program() -> None:
    weeks = report.diary_weeks(_record().diary, _record().plans)
    # the week of the 9th has no logged day: kept, so the gap shows, against the program then in force
    assert [w.monday for w in weeks] == [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    first, gap, second = weeks
    assert (gap.days_logged, gap.walks, gap.minutes, gap.red_flags) == (0, 0, 0.0, 0)
    assert gap.planned_minutes == 7 * 2 * 10
    assert (gap.median_pain, gap.highest_pain, gap.morning_pain) == (None, None, None)
    assert (first.days_logged, first.walks, first.minutes, first.red_flags) == (3, 7, 75.0, 1)
    assert first.planned_minutes == 5 * 2 * 10  # version 1 from Wednesday the 4th to Sunday the 8th
    assert (first.median_pain, first.highest_pain, first.morning_pain) == (5, 6, 4.0)
    # version 2 was made on Monday the 16th without a start date: in force from then, all week
    assert second.planned_minutes == 7 * 3 * 15
    assert (second.median_pain, second.highest_pain, second.morning_pain) == (None, None, None)
    # made on Wednesday the 18th: the week under way is set against its first three days only
    (_, _, under_way) = report.diary_weeks(_record().diary, _record().plans, until=dt.date(2026, 11, 18))
    assert under_way.planned_minutes == 3 * 3 * 15
    text = _text(report.course_report(_record(), generated_at=AT))
    assert "2026-11-02 3 7 75 100 5.0 / 6 4.0 1" in text
    assert "2026-11-09 0 nothing logged 140" in text
    assert "2026-11-16 1 3 45 315 – / – –" in text
    assert (
        "4 days logged over 3 weeks (nothing logged in 1 of them), 120 minutes walked in 10 walks; "
        "the latest entry 2026-11-18, 13 days before this summary; a warning sign reported on 1 day" in text
    )
    # a diary kept up to the last days: no count of silent days
    recent = _text(report.course_report(_record(), generated_at=dt.datetime(2026, 11, 24, 8, 0, tzinfo=UTC)))
    assert "in 10 walks; the latest entry 2026-11-18; a warning sign" in recent
    assert report.diary_weeks((), _record().plans) == []


def test_measured_walking_first_against_latest_and_against_norms() -> None:
    record = _record()
    text = _text(report.course_report(record, generated_at=AT))
    assert (
        "Walking speed in the measured walks: 0.80 → 1.05 m/s (2026-11-03 and 2026-11-24: the first and the "
        "latest of the 2 measured walks that have it)" in text
    )
    assert "Cadence in the measured walks: 92.0 → 104.0 steps/min" in text
    assert "The latest measured walk with a walking speed (2026-11-24) against healthy women aged" in text
    norms = clinic.compare_with_norms(record.gait[-1].summary, age=54, sex="female")
    for m in norms.measures:
        assert m.line in text
    # a later walk without a bout of 10 s or more has no speed: the figures say which walks they come from
    short = replace(_gait(22, 27, 1.0, 100.0), summary={"total_walking_s": 8.0, "n_steps": 14})
    text = _text(report.course_report(_record(gait=(*record.gait, short)), generated_at=AT))
    assert (
        "0.80 → 1.05 m/s (2026-11-03 and 2026-11-24: the first and the latest of the 2 measured walks that "
        "have it, of 3 in all)" in text
    )
    assert "The latest measured walk with a walking speed (2026-11-24) against" in text
    unknown = _record(patient=PatientInfo(id=7, name="Ann", sex=None, age=None))
    text = _text(report.course_report(unknown, generated_at=AT))
    assert "Not compared with norms: the patient's age and sex are not in the record." in text
    assert "not recorded" in text  # sex, age and height: said, not invented


def test_activity_weeks_and_sessions() -> None:
    weeks = report.activity_weeks(_record())
    assert len(weeks) == 1 and (weeks[0].days, weeks[0].median_steps, weeks[0].median_speed_mps) == (
        3,
        5000,
        1.1,
    )
    text = _text(report.course_report(_record(), generated_at=AT))
    assert "2026-11-02 export.zip 3 5000 1.10" in text
    assert "2026-11-10 spinal mobilisation L4-L5 Dana Reyes 30 6 → 4 better" in text
    assert (
        "Glute bridge: 2 x 8, once a day" not in text
    )  # version 1's exercises: the current program is version 2
    assert "2 2026-11-16 3 15 0 walks went well" in text


def test_one_measured_walk_is_a_row_not_a_line() -> None:
    record = _record(gait=(_gait(20, 3, 0.80, 92.0),))
    page = report.course_report(record, generated_at=AT)
    assert not {"plot-speed", "plot-cadence"} & set(_figures(page))
    assert "walk-3.csv 10.0 900 0.80 92.0" in _text(page)


def test_the_plots_carry_the_records_values() -> None:
    figures = _figures(report.course_report(_record(), generated_at=AT))
    assert set(figures) == {
        "plot-pain",
        "plot-disability",
        "plot-weekly-minutes",
        "plot-speed",
        "plot-cadence",
    }
    pain = {t["name"]: t for t in figures["plot-pain"]["data"]}
    assert pain["pain rating (NPRS)"]["y"] == [7.0, 3.0]
    assert pain["highest pain during or after walks (diary)"]["y"] == [6, 4, 5, None]
    weekly = figures["plot-weekly-minutes"]["data"]
    assert weekly[0]["y"] == [75.0, None, 45.0] and weekly[1]["y"] == [100, 140, 315]
    assert figures["plot-speed"]["data"][0]["y"] == [0.80, 1.05]
    assert figures["plot-speed"]["layout"]["yaxis"]["range"] == pytest.approx([0.625, 1.225])  # 0.6 m/s high


def test_stored_values_the_clinic_cannot_read_show_as_they_are_and_break_nothing() -> None:
    odd_scores = (
        ScoreEntry(id=90, when=_at(3), instrument="startback", score=3.0, risk="unknown"),  # not a risk group
        ScoreEntry(id=91, when=_at(4), instrument="sf36", score=50.0),  # not an instrument backstride scores
        ScoreEntry(id=92, when=_at(5), instrument="sf36", score=55.0),
    )
    odd_walk = GaitEntry(
        id=93,
        when=_at(4),
        source="odd.csv",
        summary={"total_walking_s": "x", "n_steps": True, "median_walking_speed_mps": "fast"},
    )
    record = _record(scores=(*_record().scores, *odd_scores), gait=(*_record().gait, odd_walk))
    text = _text(report.course_report(record, generated_at=AT))
    assert "odd.csv – – – – – – –" in text
    assert (
        "sf36 2× 50.0 2026-11-04 55.0 2026-11-05 not judged (not a questionnaire backstride scores)" in text
    )
    assert "Numeric Pain Rating Scale: 7.0 → 3.0, improved" in text  # the rest is judged as before


def test_entries_entered_in_error_are_left_out_and_counted() -> None:

    base = _record()
    wrong = ScoreEntry(id=80, when=_at(1), instrument="nprs", score=10.0, entered_in_error=True)
    walk = replace(_gait(81, 2, 0.30, 60.0), entered_in_error=True)
    record = _record(scores=(wrong, *base.scores), gait=(walk, *base.gait))
    page = report.course_report(record, generated_at=AT)
    assert _text(page) == _text(report.course_report(base, generated_at=AT)).replace(
        "backstride number 7 ",
        "backstride number 7 2 entries (questionnaires or recordings) a clinician marked as entered in error are "
        "left out of this summary. ",
    )
    assert _figures(page) == _figures(report.course_report(base, generated_at=AT))


def test_an_empty_record_makes_a_report_that_says_so() -> None:
    page = report.course_report(PatientRecord(patient=PatientInfo(id=1, name="New")), generated_at=AT)
    text = _text(page)
    assert "nothing recorded yet" in text
    for line in (
        "No warning-sign screen on record.",
        "No questionnaire answered yet.",
        "No recording analysed yet.",
        "No diary day logged yet.",
        "No program made yet.",
    ):
        assert line in text
    assert _figures(page) == {}


def test_a_naive_generation_time_is_refused() -> None:
    with pytest.raises(InputError, match="time zone"):
        report.course_report(_record(), generated_at=dt.datetime(2026, 12, 1, 9, 30))


def test_a_walk_is_dated_by_the_sensors_clock_and_its_analysis_warnings_reach_the_doctor() -> None:
    # a logger's file recorded long before it was uploaded: the row gives the day it was recorded; a file
    # without its own clock gives the upload's day and says so
    tilted = (
        "the sensor seems tilted by about 39° from upright; trunk lean is measured against the sensor axis"
    )
    old = replace(_gait(30, 20, 2.14, 118.0), start_time="2012-03-27T10:15:00", warnings=(tilted,))
    unclocked = _gait(31, 24, 1.05, 104.0)
    record = _record(
        gait=(replace(_gait(32, 3, 0.80, 92.0), start_time="2026-11-02T09:00:00+01:00"), old, unclocked)
    )
    text = _text(report.course_report(record, generated_at=AT))
    assert "2026-11-02 walk-3.csv" in text
    assert "2012-03-27 walk-20.csv" in text
    assert "2026-11-24 (uploaded) walk-24.csv" in text
    # first and latest are by the day walked: the walk of 2012 is the first, the one uploaded on the 24th the latest
    assert "0.80" not in text.split("Walking speed in the measured walks: ")[1][:5]
    assert "Walking speed in the measured walks: 2.14 → 1.05 m/s (2012-03-27 and 2026-11-24" in text
    assert f"walk-20.csv (2012-03-27): {tilted}" in text
    # the comparison with norms is of the latest walk by the day walked, and a warning of its analysis is said there
    assert "The latest measured walk with a walking speed (2026-11-24) against" in text
    record = _record(gait=(unclocked, replace(old, start_time="2026-11-28T10:15:00")))
    text = _text(report.course_report(record, generated_at=AT))
    assert "The latest measured walk with a walking speed (2026-11-28) against" in text
    assert f"Its analysis noted: {tilted}" in text


def test_a_closed_account_says_when_and_why_the_care_ended() -> None:
    open_text = _text(report.course_report(_record(), generated_at=AT))
    assert "Care in backstride" not in open_text
    closed = _record(
        patient=PatientInfo(
            id=7,
            name="Ann",
            closed_at=dt.datetime(2026, 11, 20, 9, tzinfo=UTC),
            closed_reason="care <completed>",
        )
    )
    page = report.course_report(closed, generated_at=AT)
    assert "care &lt;completed&gt;" in page  # a clinician's words, escaped
    text = _text(page)
    assert (
        "Care in backstride ended on 2026-11-20: care <completed> (the account is closed; the record is kept)"
        in text
    )


def test_a_paused_program_says_so_beside_the_current_program() -> None:
    # before: the doctor read "Current program (version N): 3 walks a day ..." while a warning sign had paused it
    assert "paused" not in _text(report.course_report(_record(), generated_at=AT)).lower()
    why = "Paused for a warning sign (foot drop) until a clinician, having checked the patient, resumes it."
    text = _text(report.course_report(_record(plan_paused=why), generated_at=AT))
    assert text.count(why) == 2
    assert "The current program is paused. " + why in text
    current = text[text.index("Current program (version") :]
    assert current.index(why) < current.index("Warning-sign screens")


def test_a_paused_programs_days_are_not_set_against_the_diary() -> None:
    # before: a week whose program a warning sign paused on Wednesday the 18th counted its days from then on as
    # planned walking, as if the patient had been asked to walk through the pause
    paused = dt.date(2026, 11, 18)
    *_, week = report.diary_weeks(
        _record().diary, _record().plans, until=dt.date(2026, 11, 20), paused_from=paused
    )
    assert week.planned_minutes == 2 * 3 * 15  # Monday and Tuesday only
    *_, week = report.diary_weeks(_record().diary, _record().plans, paused_from=dt.date(2026, 11, 16))
    assert week.planned_minutes is None  # paused all week: nothing planned
    why = "Paused for a warning sign (foot drop) until a clinician, having checked the patient, resumes it."
    text = _text(report.course_report(_record(plan_paused=why, plan_paused_on=paused), generated_at=AT))
    assert (
        "The current program is paused since 2026-11-18. "
        + why
        + " The diary counts no planned walking from "
        "that day." in text
    )
    assert "2026-11-16 1 3 45 90 – / – –" in text


def test_on_a_phone_each_table_scrolls_in_a_box_a_keyboard_reaches_and_a_screen_reader_names() -> None:
    """At a phone's width a table wider than the screen scrolls sideways inside itself: in a focusable region
    named by its section (axe's ``scrollable-region-focusable``), the table keeping its own role; the two-column
    patient details wrap instead."""
    boxes = tables_and_their_boxes(report.course_report(_record(), generated_at=AT))
    assert boxes == [
        ("kv", None),
        ("", "Warning-sign screens"),
        ("", "Questionnaires"),
        ("", "The figures of: Pain (0 = none, 10 = worst)"),
        ("", "The figures of: Disability questionnaires (lower is better)"),
        ("", "Measured walking (sensor at the lower back)"),
        ("", "The figures of: Walking speed in the measured walks"),
        ("", "The figures of: Cadence in the measured walks"),
        ("", "Walking diary, week by week"),
        ("", "The figures of: Minutes walked each week (diary), against the program"),
        ("", "Walking and exercise program"),
        ("", "Walking counted by the patient's phone or watch"),
        ("", "Hands-on therapy sessions"),
    ]


def test_the_day_care_ended_is_the_clinics_day(zone: Any) -> None:
    """Closed at 23:30 UTC on the 20th is the 21st where the clinic is (UTC+1): the report said the 20th."""
    zone("<+01>-1")
    closed = _record(
        patient=PatientInfo(id=7, name="Ann", closed_at=dt.datetime(2026, 11, 20, 23, 30, tzinfo=UTC))
    )
    assert "Care in backstride ended on 2026-11-21 (the account is closed" in _text(
        report.course_report(closed, generated_at=AT)
    )


def test_an_earlier_programs_pause_is_said_and_not_set_against_the_diary() -> None:
    """A pause a clinician has ended (the program resumed) still asked for no walking while it lasted: its days
    counted as planned once the program ran again, as if the patient had been asked to walk through it."""
    pauses = ((dt.date(2026, 11, 18), dt.date(2026, 11, 20)),)  # Wednesday and Thursday; resumed on Friday
    *_, week = report.diary_weeks(
        _record().diary, _record().plans, until=dt.date(2026, 11, 20), earlier_pauses=pauses
    )
    assert week.planned_minutes == 3 * 3 * 15  # Monday, Tuesday and the Friday the program resumed
    text = _text(report.course_report(_record(earlier_pauses=pauses), generated_at=AT))
    assert (
        "An earlier program was paused for a warning sign from 2026-11-18 until the next program started on "
        "2026-11-20. The diary counts no planned walking on those days." in text
    )
    two = (*pauses, (dt.date(2026, 11, 23), dt.date(2026, 11, 25)))
    text = _text(report.course_report(_record(earlier_pauses=two), generated_at=AT))
    assert "from 2026-11-18 until the next program started on 2026-11-20; and from 2026-11-23 until" in text
    assert "An earlier program was paused" not in _text(report.course_report(_record(), generated_at=AT))


def test_the_summarys_day_is_the_clinics_day(zone: Any) -> None:
    """Made at 01:00 on Friday the 20th where the clinic is (UTC+12: 13:00 on Thursday in UTC), the summary sets
    the week under way against five days of the program, not the four of the UTC date."""
    zone("<+12>-12")
    text = _text(report.course_report(_record(), generated_at=dt.datetime(2026, 11, 19, 13, 0, tzinfo=UTC)))
    assert "2026-11-16 1 3 45 225 – / – –" in text  # 5 days × 3 walks × 15 minutes


def test_a_screens_and_a_scores_day_is_the_clinics_day(zone: Any) -> None:
    """A check-in at 13:00 UTC on the 19th was made on the 20th where the clinic is (UTC+12): the summary gave
    its UTC date, beside diary days that are the clinic's."""
    zone("<+12>-12")
    late = dt.datetime(2026, 11, 19, 13, 0, tzinfo=UTC)
    record = _record(
        screenings=(ScreeningEntry(id=1, when=late, urgency="routine"),),
        scores=(ScoreEntry(id=10, when=late, instrument="nprs", score=7.0),),
    )
    text = _text(report.course_report(record, generated_at=AT))
    assert "Latest warning-sign screen, 2026-11-20: Routine" in text
    assert "2026-11-19" not in text.split("Diary", 1)[0]  # no UTC date before the diary's own days
    # a walk from a file without a clock is dated by its upload, on the clinic's day too
    uploaded = dataclasses.replace(_gait(20, 3, 0.8, 92.0), when=late)
    assert uploaded.day == dt.date(2026, 11, 20)
