"""The clinician's caseload and its flags: red flag, flare, silence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from backstride import store

TODAY = dt.date(2026, 5, 20)


def _day(n: int) -> dt.date:
    """``n`` days before TODAY."""
    return TODAY - dt.timedelta(days=n)


def _setup(engine: Engine, logs: dict[str, list[tuple[int, dict[str, Any]]]]) -> dict[str, int]:
    with store.transaction(engine) as s:
        c = store.create_user(s, "c@clinic.org", "Cleo", "clinician")
        other = store.create_user(s, "o@clinic.org", "Other", "clinician")
        ids = {"c": c.id}
        for name in logs:
            p = store.create_patient(s, c, f"{name.lower()}@example.org", name)
            p.created_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            ids[name] = p.id
            for days_ago, log in logs[name]:
                store.upsert_log(s, p.id, _day(days_ago), log)
        store.create_patient(s, other, "notmine@example.org", "Not Mine")
    return ids


def _rows(engine: Engine, clinician_id: int) -> dict[str, store.CaseloadRow]:
    with store.transaction(engine) as s:
        return {r.patient.name: r for r in store.caseload(s, clinician_id, TODAY)}


def test_caseload_flags(engine: Engine) -> None:
    logs = {
        "Calm": [(3, {"pain": 3}), (2, {"pain": 4}), (0, {"pain": 3})],
        "Spike": [(6, {"pain": 3}), (1, {"pain": 8})],
        "Creep": [(20, {"pain": 3}), (4, {"pain": 5}), (1, {"pain": 5.5})],
        "OneBadDay": [(20, {"pain": 3}), (4, {"pain": 5}), (1, {"pain": 3})],
        "Quiet": [(3, {"pain": 2})],
        "Flagged": [(0, {"pain": 2, "red_flags": ["new numbness"]})],
        "OldFlag": [(9, {"pain": 2, "red_flags": ["numbness"]}), (0, {"pain": 2})],
    }
    ids = _setup(engine, logs)
    rows = _rows(engine, ids["c"])
    assert set(rows) == set(logs)  # the other clinician's patient is not listed
    flags = {name: (r.red_flag, r.flare, r.no_recent_log) for name, r in rows.items()}
    assert flags == {
        "Calm": (False, False, False),
        "Spike": (False, True, False),  # pain 8 is a flare
        "Creep": (False, True, False),  # 2 days at baseline 3 + 2 or more
        "OneBadDay": (False, False, False),  # only one such day
        "Quiet": (False, False, True),  # last log 3 days ago
        "Flagged": (True, False, False),
        "OldFlag": (False, False, False),  # older than the 7-day window
    }
    assert rows["Creep"].baseline_pain == 3.0 and rows["Creep"].latest_pain == 5.5
    assert rows["Quiet"].days_since_log == 3 and rows["Calm"].days_since_log == 0
    assert rows["Spike"].flags == ("flare",)
    assert rows["Quiet"].needs_attention and not rows["Calm"].needs_attention
    # attention first: red flag, then flares, then silence, then the rest by name
    with store.transaction(engine) as s:
        order = [r.patient.name for r in store.caseload(s, ids["c"], TODAY)]
    assert order == ["Flagged", "Creep", "Spike", "Quiet", "Calm", "OldFlag", "OneBadDay"]


def test_screening_urgency_and_plan_baseline(engine: Engine) -> None:
    ids = _setup(engine, {"Ann": [(1, {"pain": 5}), (0, {"pain": 5})], "Bob": [(0, {"pain": 5})]})
    with store.transaction(engine) as s:
        store.add_screening(s, ids["Ann"], {}, "same_day", {"urgency": "same_day"})
        store.add_screening(s, ids["Bob"], {}, "routine", {"urgency": "routine"})
        store.save_plan(s, ids["Ann"], {"baseline_pain": 2}, "start", ids["c"])
        store.save_plan(s, ids["Bob"], {"baseline": {"pain": 5}}, "start", ids["c"])
    rows = _rows(engine, ids["c"])
    assert rows["Ann"].red_flag and rows["Ann"].latest_urgency == "same_day"
    assert rows["Ann"].baseline_pain == 2.0 and rows["Ann"].flare  # 5 >= 2 + 2 on two days
    assert rows["Ann"].plan_version == 1
    assert not rows["Bob"].red_flag and not rows["Bob"].flare and rows["Bob"].baseline_pain == 5.0


def test_new_patient_without_logs(engine: Engine) -> None:
    with store.transaction(engine) as s:
        c = store.create_user(s, "c@clinic.org", "Cleo", "clinician")
        new = store.create_patient(s, c, "new@example.org", "New")
        old = store.create_patient(s, c, "old@example.org", "Old")
        old.created_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        today = new.created_at.date()
        cid = c.id
    with store.transaction(engine) as s:
        rows = {r.patient.name: r for r in store.caseload(s, cid, today)}
    assert rows["New"].last_log_date is None and not rows["New"].no_recent_log
    assert rows["Old"].no_recent_log and rows["Old"].days_since_log is None
    with store.transaction(engine) as s:
        assert store.caseload(s, 999999, today) == []


def test_questionnaire_change_uses_the_clinic_mcid(engine: Engine) -> None:
    from backstride import clinic

    ids = _setup(
        engine, {"Better": [(0, {"pain": 3})], "Same": [(0, {"pain": 3})], "Worse": [(0, {"pain": 3})]}
    )
    course = {
        "Better": ([3] * 10, [1] * 10),  # ODI 60 % -> 20 %: far beyond the MCID
        "Same": ([2] * 10, [2] * 9 + [1]),  # 40 % -> 38 %: within it
        "Worse": ([1] * 10, [3] * 10),
    }
    with store.transaction(engine) as s:
        for name, (before, after) in course.items():
            for sections in (before, after):
                result = clinic.score("odi", {"sections": sections})
                store.add_questionnaire(s, ids[name], "odi", {"sections": sections}, result.score, result)
        # an instrument answered once has no verdict
        once = clinic.score("nprs", {"score": 4})
        store.add_questionnaire(s, ids["Same"], "nprs", {"score": 4}, once.score, once)
    rows = _rows(engine, ids["c"])
    assert rows["Better"].changes == {"odi": "improved"} and rows["Better"].improved
    assert rows["Same"].changes == {"odi": "no meaningful change"} and not rows["Same"].improved
    assert rows["Worse"].changes == {"odi": "worse"} and rows["Worse"].worse
    assert "meaningful improvement" in rows["Better"].flags
    assert rows["Worse"].needs_attention


def test_flare_rules_come_from_the_clinic() -> None:
    import json
    from importlib import resources

    flare = json.loads(resources.files("backstride.clinic").joinpath("data/program.json").read_text())[
        "flare"
    ]
    rules = store.flare_rules()
    assert (rules.severe_pain, rules.rise_above_baseline, rules.min_days) == (
        flare["severe_pain"],
        flare["rise_above_baseline"],
        flare["min_days"],
    )


def test_a_closed_account_leaves_the_caseload_for_the_closed_list(engine: Engine) -> None:
    ids = _setup(
        engine, {"Open": [(0, {"pain": 3})], "Done": [(9, {"pain": 9})], "Gone": [(30, {"pain": 2})]}
    )
    early, late = dt.datetime(2026, 5, 1, tzinfo=dt.UTC), dt.datetime(2026, 5, 10, tzinfo=dt.UTC)
    with store.transaction(engine) as s:
        store.close_account(s, ids["Gone"], "moved away", by_id=ids["c"], session_max_age_s=3600, now=early)
        store.close_account(
            s, ids["Done"], "care completed", by_id=ids["c"], session_max_age_s=3600, now=late
        )
    assert list(_rows(engine, ids["c"])) == [
        "Open"
    ]  # neither silence nor an old flare flags a closed account
    with store.transaction(engine, readonly=True) as s:
        assert [p.name for p in store.closed_patients(s, ids["c"])] == ["Done", "Gone"]
        gone = store.caseload_row(s, store.closed_patients(s, ids["c"])[1], TODAY)
        assert not gone.no_recent_log  # 30 days without a log: expected once care has ended


def test_a_paused_plan_comes_first_with_the_red_flags(engine: Engine) -> None:
    # the store reviews no plan: the clinic app marks a paused one (``_plans.mark_paused_plans``), and the
    # caseload's order and flags take it as a red flag's, long after the sign has left the window of recent logs
    import dataclasses

    ids = _setup(engine, {"Alma": [(0, {"pain": 3})], "Zed": [(0, {"pain": 3})], "Quiet": [(3, {"pain": 2})]})
    rows = _rows(engine, ids["c"])
    assert not rows["Zed"].needs_attention and rows["Zed"].flags == ()
    paused = dataclasses.replace(rows["Zed"], plan_paused=True)
    assert paused.needs_attention and paused.flags == ("plan paused",)
    order = sorted([rows["Alma"], rows["Quiet"], paused], key=store.attention_order)
    assert [r.patient.name for r in order] == ["Zed", "Quiet", "Alma"]


def test_a_new_patients_silence_counts_from_the_clinics_day(engine: Engine, zone: Any) -> None:
    """A patient made at 01:00 on the 18th where the clinic is (UTC+12: 13:00 on the 17th in UTC) has been
    silent for 2 days on the 20th, not 3: "no recent log" counted from the account's UTC date."""
    zone("<+12>-12")
    with store.transaction(engine) as s:
        c = store.create_user(s, "c@clinic.org", "Cleo", "clinician")
        p = store.create_patient(s, c, "new@example.org", "New")
        p.created_at = dt.datetime(2026, 5, 17, 13, 0, tzinfo=dt.UTC)
        cid = c.id
    for today, silent in ((TODAY, False), (TODAY + dt.timedelta(days=1), True)):
        with store.transaction(engine) as s:
            (row,) = store.caseload(s, cid, today)
        assert row.no_recent_log is silent, today
