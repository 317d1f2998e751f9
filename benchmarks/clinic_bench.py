"""Benchmark of the clinician's caseload: how long the caseload takes to work out for a clinic's patients, and
how many database statements it sends, as the weeks nobody has opened a plan pile up.

The caseload brings every patient's plan up to date in memory (each week since the plan was last saved is
reviewed, ``_plans.current_plan``) to show which plans a warning sign has paused. A patient who stopped using
the app months ago keeps an open account, so the weeks to review grow with the clinic's age. The patients
here log on seven days in ten, two 15-minute walks at pain 4-5, from a first plan made ``weeks`` ago and
never opened since.

Run by hand (``.venv/bin/python benchmarks/clinic_bench.py [--patients 100 --weeks 26]``) or from
``make bench`` (which calls :func:`main`). The database is built in a temporary folder and removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script or imported from benchmarks/: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build_clinic(url: str, patients: int, weeks: int, today: dt.date, seed: int = 1) -> int:
    """A clinic of ``patients`` whose first plans started ``weeks`` ago and were never reviewed since; returns
    the clinician's id."""
    from backstride import _plans, clinic, store

    rng = random.Random(seed)
    store.upgrade(url)
    engine = store.make_engine(url)
    try:
        with store.transaction(engine) as s:
            therapist = store.create_user(s, "therapist@bench.example", "Bench Therapist", "clinician")
            start = today - dt.timedelta(days=7 * weeks)
            for i in range(patients):
                patient = store.create_patient(
                    s, therapist, f"patient{i}@bench.example", f"Patient {i:04d}", age=50, sex="female"
                )
                baseline = clinic.Baseline(
                    age=50, sex="female", pain_nrs=5, walking_tolerance_min=15, start_date=start
                )
                plan = clinic.make_plan(baseline)
                store.save_plan(s, patient.id, plan.model_dump(mode="json"), "First plan.", therapist.id)
                for k in range(7 * weeks):
                    if rng.random() < 0.3:
                        continue
                    day = start + dt.timedelta(days=k)
                    pain = float(rng.choice((4, 5)))
                    walk = clinic.WalkLog(
                        minutes=15, pain_before=pain - 1, pain_during=pain, pain_after=pain - 1
                    )
                    log = clinic.DailyLog(date=day, walks=[walk, walk], next_morning_pain=pain - 1)
                    store.upsert_log(s, patient.id, day, _plans.log_json(log))
            return int(therapist.id)
    finally:
        engine.dispose()


def time_caseload(url: str, clinician_id: int, today: dt.date, repeats: int = 3) -> dict[str, Any]:
    """The caseload as the clinician's page works it out (``store.caseload`` and the paused plans marked), in
    a read transaction: the median wall time of ``repeats`` and the statements sent to the database."""
    from sqlalchemy import event

    from backstride import _plans, store

    engine = store.make_engine(url)
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    times, rows = [], 0
    try:
        for _ in range(repeats):
            statements = 0
            t0 = time.perf_counter()
            with store.transaction(engine) as s:
                rows = len(_plans.mark_paused_plans(s, store.caseload(s, clinician_id, today), today))
            times.append(time.perf_counter() - t0)
    finally:
        engine.dispose()
    return {"rows": rows, "wall_s": round(statistics.median(times), 3), "statements": statements}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--patients", type=int, default=100)
    p.add_argument("--weeks", default="1,26", help="comma-separated weeks since the plans were last opened")
    args = p.parse_args(argv)
    today = dt.date.today()
    figures: dict[str, Any] = {}
    for weeks in (int(w) for w in args.weeks.split(",")):
        with tempfile.TemporaryDirectory(prefix="backstride-clinic-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'clinic.db'}"
            t0 = time.perf_counter()
            clinician = build_clinic(url, args.patients, weeks, today)
            built = time.perf_counter() - t0
            res = time_caseload(url, clinician, today)
        res["built_s"] = round(built, 1)
        figures[f"{args.patients} patients, plans unopened {weeks} wk"] = res
        print(
            f"caseload of {args.patients} patients, plans unopened for {weeks} week(s): {res['wall_s']:.2f} s, "
            f"{res['statements']} statements ({res['rows']} rows; clinic built in {built:.0f} s)"
        )
    return figures


if __name__ == "__main__":
    main()
