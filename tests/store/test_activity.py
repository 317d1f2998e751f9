"""Activity days: what a phone or watch computed, kept per patient, source format and day."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from backstride import InputError, store
from backstride.activity import ActivityData, DaySummary, read_activity

D = dt.date(2021, 3, 1)


def _day(
    offset: int, steps: int | None = 1000, speed: float | None = 1.2, **extra: float | None
) -> DaySummary:
    values: dict[str, float | None] = {
        "distance_m": None,
        "step_length_m": None,
        "walking_asymmetry_pct": None,
        "double_support_pct": None,
    }
    values.update(extra)
    return DaySummary(
        date=D + dt.timedelta(days=offset),
        steps=steps,
        walking_speed_mps=speed,
        walks=1,
        **values,  # type: ignore[arg-type]
    )


def _data(
    days: list[DaySummary], source_format: str = "apple_health", source: str = "export.zip"
) -> ActivityData:
    return ActivityData(
        records=(),
        sessions=(),
        days=tuple(days),
        source_format=source_format,  # type: ignore[arg-type]
        source=source,
        notes=(),
    )


def _patients(engine: Engine) -> tuple[int, int]:
    with store.transaction(engine) as s:
        pt = store.create_user(s, "pt@clinic.org", "Pat", "clinician")
        a = store.create_patient(s, pt, "ann@example.org", "Ann")
        b = store.create_patient(s, pt, "bob@example.org", "Bob")
        return a.id, b.id


def _stored(engine: Engine, patient_id: int) -> dict[tuple[str, dt.date], int | None]:
    with store.transaction(engine, readonly=True) as s:
        return {(r.source_format, r.date): r.steps for r in store.activity_days_of(s, patient_id)}


def test_import_keeps_the_days_with_their_figures(engine: Engine) -> None:
    ann, _ = _patients(engine)
    days = [_day(0, distance_m=812.5, walking_asymmetry_pct=4.0), _day(1, steps=None, speed=math.nan)]
    with store.transaction(engine) as s:
        assert store.import_activity(s, ann, _data(days)) == 2
    with store.transaction(engine, readonly=True) as s:
        first, second = store.activity_days_of(s, ann)
    assert (first.date, first.steps, first.walking_speed_mps, first.distance_m) == (D, 1000, 1.2, 812.5)
    assert (first.walking_asymmetry_pct, first.double_support_pct, first.walks) == (4.0, None, 1)
    assert (first.source_format, first.source) == ("apple_health", "export.zip")
    assert first.imported_at.tzinfo is not None
    assert second.steps is None and second.walking_speed_mps is None  # NaN is kept as "not given"


def test_reimport_replaces_the_days_it_covers(engine: Engine) -> None:
    ann, _ = _patients(engine)
    with store.transaction(engine) as s:
        store.import_activity(s, ann, _data([_day(i, steps=100 + i) for i in range(5)]))
    # A newer export: from day 2 to day 6, without day 3 (nothing that day any more), new figures.
    newer = [_day(2, steps=900), _day(4, steps=940), _day(5, steps=950), _day(6, steps=960)]
    with store.transaction(engine) as s:
        assert store.import_activity(s, ann, _data(newer, source="export (2).zip")) == 4
    stored = _stored(engine, ann)
    assert stored == {
        ("apple_health", D): 100,
        ("apple_health", D + dt.timedelta(days=1)): 101,
        ("apple_health", D + dt.timedelta(days=2)): 900,
        ("apple_health", D + dt.timedelta(days=4)): 940,
        ("apple_health", D + dt.timedelta(days=5)): 950,
        ("apple_health", D + dt.timedelta(days=6)): 960,
    }
    with store.transaction(engine) as s:  # the same file twice: the same rows, never twice as many
        store.import_activity(s, ann, _data(newer, source="export (2).zip"))
        assert s.scalar(select(func.count()).select_from(store.ActivityDay)) == 6


def test_sources_are_kept_apart(engine: Engine) -> None:
    ann, bob = _patients(engine)
    with store.transaction(engine) as s:
        store.import_activity(s, ann, _data([_day(0, steps=5000), _day(1, steps=6000)]))
        store.import_activity(s, ann, _data([_day(0, steps=4800)], "fit", "walk.fit"))
        store.import_activity(s, bob, _data([_day(0, steps=7)]))
    with store.transaction(engine) as s:  # a newer Apple export leaves the Garmin day and Bob alone
        store.import_activity(s, ann, _data([_day(0, steps=5100), _day(1, steps=6100)]))
    assert _stored(engine, ann) == {
        ("apple_health", D): 5100,
        ("fit", D): 4800,
        ("apple_health", D + dt.timedelta(days=1)): 6100,
    }
    assert _stored(engine, bob) == {("apple_health", D): 7}
    with store.transaction(engine, readonly=True) as s:
        assert [(r.date, r.source_format) for r in store.activity_days_of(s, ann)] == [
            (D, "apple_health"),
            (D, "fit"),
            (D + dt.timedelta(days=1), "apple_health"),
        ]


def test_watch_files_of_one_day_stand_side_by_side(engine: Engine) -> None:
    """Two walks and the day's monitoring file from a Garmin: each kept (a walk file no longer wipes the
    day's monitoring); the same file uploaded again replaces only itself; the page shows one day of them."""
    from backstride.activity import combine_days

    ann, _ = _patients(engine)
    with store.transaction(engine) as s:
        store.import_activity(s, ann, _data([_day(0, steps=3173, speed=None)], "fit", "monitoring.fit"))
        store.import_activity(s, ann, _data([_day(0, steps=82, speed=1.5)], "fit", "walk-1.fit"))
        store.import_activity(s, ann, _data([_day(0, steps=120, speed=1.3)], "fit", "walk-2.fit"))
        store.import_activity(s, ann, _data([_day(0, steps=121, speed=1.3)], "fit", "walk-2.fit"))
    with store.transaction(engine, readonly=True) as s:
        rows = store.activity_days_of(s, ann)
        assert sorted((r.source, r.steps) for r in rows) == [
            ("monitoring.fit", 3173),
            ("walk-1.fit", 82),
            ("walk-2.fit", 121),
        ]
    day = combine_days(_day(0, steps=r.steps, speed=r.walking_speed_mps) for r in rows)
    assert (day.steps, day.walking_speed_mps, day.walks) == (3173, pytest.approx(1.4), 3)


def test_since_limits_the_days(engine: Engine) -> None:
    ann, _ = _patients(engine)
    with store.transaction(engine) as s:
        store.import_activity(s, ann, _data([_day(i) for i in range(10)]))
    with store.transaction(engine, readonly=True) as s:
        days = store.activity_days_of(s, ann, since=D + dt.timedelta(days=7))
        assert [d.date for d in days] == [D + dt.timedelta(days=i) for i in (7, 8, 9)]
        assert store.activity_days_of(s, ann, since=D + dt.timedelta(days=30)) == []


def test_bad_imports_change_nothing(engine: Engine) -> None:
    ann, _ = _patients(engine)
    with store.transaction(engine) as s:
        store.import_activity(s, ann, _data([_day(0, steps=1)]))
        assert store.import_activity(s, ann, _data([])) == 0
        with pytest.raises(InputError, match="twice"):
            store.import_activity(s, ann, _data([_day(0, steps=2), _day(0, steps=3)]))
        with pytest.raises(InputError, match="no user"):
            store.import_activity(s, 99999, _data([_day(0)]))
        clinician = store.get_user_by_email(s, "pt@clinic.org")
        assert clinician is not None
        with pytest.raises(InputError, match="not a patient"):
            store.import_activity(s, clinician.id, _data([_day(0)]))
    with pytest.raises(RuntimeError), store.transaction(engine) as s:  # the caller's transaction decides
        store.import_activity(s, ann, _data([_day(0, steps=50), _day(1, steps=60)]))
        raise RuntimeError("boom")
    assert _stored(engine, ann) == {("apple_health", D): 1}


def test_deleting_the_patient_removes_their_days(engine: Engine) -> None:
    ann, _ = _patients(engine)
    with store.transaction(engine) as s:
        store.import_activity(s, ann, _data([_day(0)]))
    with store.transaction(engine) as s:
        user = store.get_user(s, ann)
        s.delete(user)
    with store.transaction(engine, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(store.ActivityDay)) == 0


def test_real_exports(engine: Engine, shared_data: Path) -> None:
    ann, _ = _patients(engine)
    apple = read_activity(
        shared_data / "devices/apple_health/opendroid_hk_sampleexport-2.xml", keep_records=False
    )
    garmin = read_activity(
        shared_data / "devices/garmin_fit/fitparse_garmin-fenix-5-walk.fit", keep_records=False
    )
    with store.transaction(engine) as s:
        assert store.import_activity(s, ann, apple) == len(apple.days)
        assert store.import_activity(s, ann, garmin) == 1
    with store.transaction(engine, readonly=True) as s:
        rows = store.activity_days_of(s, ann)
    assert len(rows) == len(apple.days) + 1
    (walk,) = [r for r in rows if r.source_format == "fit"]
    assert (walk.date, walk.steps, walk.walks) == (dt.date(2017, 6, 11), 82, 1)
    assert walk.walking_speed_mps == pytest.approx(1.495, abs=0.01)
    assert walk.source == "fitparse_garmin-fenix-5-walk.fit"
    sept = {r.date: r for r in rows if r.source_format == "apple_health"}[dt.date(2020, 9, 16)]
    assert sept.walking_asymmetry_pct == pytest.approx(20.0) and sept.double_support_pct == pytest.approx(
        29.4
    )
