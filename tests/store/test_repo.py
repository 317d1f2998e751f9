"""Repository functions: users, access, questionnaires, plans, logs, notes — and transactions."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backstride import InputError, store


def _clinic(engine: Engine) -> dict[str, int]:
    """An admin, two clinicians and three patients (p1, p2 with c1; p3 with c2)."""
    with store.transaction(engine) as s:
        admin = store.create_user(s, "Admin@Clinic.org", "Ada Admin", "admin")
        c1 = store.create_user(s, "c1@clinic.org", "Cleo One", "clinician")
        c2 = store.create_user(s, "c2@clinic.org", "Cal Two", "clinician")
        p1 = store.create_patient(s, c1, "p1@example.org", "Paula", age=50, sex="female", height_m=1.65)
        p2 = store.create_patient(s, c1, "p2@example.org", "Piet", age=61, sex="male", height_m=1.80)
        p3 = store.create_patient(s, c2, "p3@example.org", "Pim")
        return {"admin": admin.id, "c1": c1.id, "c2": c2.id, "p1": p1.id, "p2": p2.id, "p3": p3.id}


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("7", 7),
        (" 42 ", 42),
        ("2147483647", 2**31 - 1),
        ("2147483648", None),
        ("0", None),
        ("-3", None),
        ("+3", None),
        ("²", None),
        ("3_000", None),
        ("", None),
        (None, None),
        ("9" * 40, None),
        ("ann@x.org", None),
    ],
)
def test_row_id_is_ascii_digits_within_the_columns_range(text: str | None, row: int | None) -> None:
    assert store.row_id(text) == row


def test_users_and_profiles(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        admin = store.get_user_by_email(s, "  ADMIN@clinic.ORG ")
        assert admin is not None and admin.id == ids["admin"] and admin.email == "admin@clinic.org"
        p1 = store.get_user(s, ids["p1"])
        assert p1 is not None and p1.role == "patient" and p1.profile is not None
        assert (p1.profile.age, p1.profile.sex, p1.profile.height_m) == (50, "female", 1.65)
        assert p1.created_at.tzinfo is not None
        assert abs((store.utcnow() - p1.created_at).total_seconds()) < 60
        assert [p.name for p in store.patients_of(s, ids["c1"])] == ["Paula", "Piet"]
        assert [p.name for p in store.patients_of(s, ids["c2"])] == ["Pim"]
        assert len(store.all_patients(s)) == 3


def test_bad_input_is_an_input_error_and_leaves_nothing(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        c1 = store.get_user(s, ids["c1"])
        p1 = store.get_user(s, ids["p1"])
        assert c1 is not None and p1 is not None
        with pytest.raises(InputError, match="already has an account"):
            store.create_user(s, "C1@clinic.org", "Again", "clinician")
        with pytest.raises(InputError, match="role"):
            store.create_user(s, "x@clinic.org", "X", "nurse")
        with pytest.raises(InputError, match="e-mail"):
            store.create_user(s, "not-an-email", "X", "admin")
        with pytest.raises(InputError, match="metres"):
            store.create_patient(s, c1, "tall@example.org", "Tall", height_m=172)
        with pytest.raises(InputError, match="clinician"):
            store.create_patient(s, p1, "friend@example.org", "Friend")
        with pytest.raises(InputError, match="no user"):
            store.add_note(s, 99999, ids["c1"], "hello")
        with pytest.raises(InputError, match="not a patient"):
            store.add_note(s, ids["c2"], ids["c1"], "hello")
        # the session is still usable after the errors
        store.add_note(s, ids["p1"], ids["c1"], "  walked well  ")
    with store.transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(store.User)) == 6
        assert [n.text for n in store.notes_of(s, ids["p1"])] == ["walked well"]


def test_transaction_rolls_back_everything(engine: Engine) -> None:
    ids = _clinic(engine)
    with pytest.raises(RuntimeError), store.transaction(engine) as s:
        store.add_note(s, ids["p1"], ids["c1"], "first")
        store.save_plan(s, ids["p1"], {"weeks": []}, "start", ids["c1"])
        raise RuntimeError("boom")
    with store.transaction(engine) as s:
        assert store.notes_of(s, ids["p1"]) == []
        assert store.current_plan(s, ids["p1"]) is None


EXPECTED_ACCESS = {
    "admin": {"p1": True, "p2": True, "p3": True, "c1": False},
    "c1": {"p1": True, "p2": True, "p3": False, "c1": False},
    "c2": {"p1": False, "p2": False, "p3": True, "c1": False},
    "p1": {"p1": True, "p2": False, "p3": False, "c1": False},
    "p2": {"p1": False, "p2": True, "p3": False, "c1": False},
}


def test_can_access_matrix(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        seen = {}
        for viewer_key, row in EXPECTED_ACCESS.items():
            viewer = store.get_user(s, ids[viewer_key])
            assert viewer is not None
            seen[viewer_key] = {target: store.can_access(s, viewer, ids[target]) for target in row}
        assert seen == EXPECTED_ACCESS
        viewer = store.get_user(s, ids["admin"])
        assert viewer is not None and not store.can_access(s, viewer, 424242)
        # linking and unlinking changes a clinician's view
        c2 = store.get_user(s, ids["c2"])
        assert c2 is not None
        store.link_patient(s, ids["c2"], ids["p1"])
        store.link_patient(s, ids["c2"], ids["p1"])  # idempotent
        assert store.can_access(s, c2, ids["p1"])
        assert store.unlink_patient(s, ids["c2"], ids["p1"])
        assert not store.can_access(s, c2, ids["p1"])


def test_daily_log_second_write_updates(engine: Engine) -> None:
    ids = _clinic(engine)
    day = dt.date(2026, 3, 2)
    with store.transaction(engine) as s:
        first = store.upsert_log(s, ids["p1"], day, {"pain": 4, "walked_min": 10})
        created = first.created_at
    with store.transaction(engine) as s:
        second = store.upsert_log(s, ids["p1"], day, {"pain": 6, "walked_min": 12})
        assert second.log == {"pain": 6, "walked_min": 12}
        assert second.created_at == created
        assert second.updated_at >= created
        store.upsert_log(s, ids["p1"], day + dt.timedelta(days=1), {"pain": 3})
        store.upsert_log(s, ids["p2"], day, {"pain": 1})
    with store.transaction(engine) as s:
        rows = store.logs_between(s, ids["p1"], day, day + dt.timedelta(days=1))
        assert [(r.date, r.log["pain"]) for r in rows] == [(day, 6), (day + dt.timedelta(days=1), 3)]
        assert store.logs_between(s, ids["p1"], day, day)[0].log["walked_min"] == 12
        assert s.scalar(select(func.count()).select_from(store.DailyLog)) == 3
        last = store.last_log(s, ids["p1"])
        assert last is not None and last.date == day + dt.timedelta(days=1)
        with pytest.raises(InputError, match="calendar date"):
            store.upsert_log(s, ids["p1"], dt.datetime(2026, 3, 2, 8), {"pain": 1})


def _at_once(engine: Engine, n: int, write: Callable[[Session, int], object]) -> list[BaseException]:
    """Run ``write(session, i)`` for i in 0..n-1, each in its own thread and transaction; the errors raised."""
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            with store.transaction(engine) as s:
                write(s, i)
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


def test_concurrent_writes_for_one_day_make_one_row(engine: Engine) -> None:
    ids = _clinic(engine)
    day = dt.date(2026, 4, 1)
    assert _at_once(engine, 8, lambda s, i: store.upsert_log(s, ids["p1"], day, {"pain": i})) == []
    with store.transaction(engine) as s:
        rows = store.logs_between(s, ids["p1"], day, day)
        assert len(rows) == 1 and rows[0].log["pain"] in range(8)


def test_plan_versions_increase_and_are_all_kept(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        v1 = store.save_plan(s, ids["p1"], {"minutes": 10}, "start", ids["c1"])
        v2 = store.save_plan(s, ids["p1"], {"minutes": 12}, "going well", ids["c1"])
        other = store.save_plan(s, ids["p2"], {"minutes": 5}, "start", ids["c1"])
    with store.transaction(engine) as s:
        v3 = store.save_plan(s, ids["p1"], {"minutes": 8}, "flare", None)
        assert (v1.version, v2.version, v3.version, other.version) == (1, 2, 3, 1)
        current = store.current_plan(s, ids["p1"])
        assert current is not None and current.version == 3 and current.plan == {"minutes": 8}
        history = store.plan_history(s, ids["p1"])
        assert [(h.version, h.plan["minutes"], h.reason) for h in history] == [
            (1, 10, "start"),
            (2, 12, "going well"),
            (3, 8, "flare"),
        ]
        assert history[0].created_by == ids["c1"] and history[2].created_by is None


def test_concurrent_plan_saves_get_distinct_versions(engine: Engine) -> None:
    ids = _clinic(engine)
    errors = _at_once(
        engine, 6, lambda s, i: store.save_plan(s, ids["p1"], {"i": i}, f"writer {i}", ids["c1"])
    )
    assert errors == []
    with store.transaction(engine) as s:
        history = store.plan_history(s, ids["p1"])
        assert [h.version for h in history] == [1, 2, 3, 4, 5, 6]
        assert sorted(h.plan["i"] for h in history) == list(range(6))


class _Score(BaseModel):
    instrument: str
    total: float
    when: dt.date


def test_questionnaires_screenings_sessions(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        store.add_questionnaire(s, ids["p1"], "ODI", {"q1": 2}, 40.0, {"score": 40.0})
        store.add_questionnaire(s, ids["p1"], "RMDQ", {"q1": 1}, 12.0, {"score": 12.0})
        store.add_questionnaire(
            s, ids["p1"], "ODI", {"q1": 1}, 24.0, _Score(instrument="ODI", total=24, when=dt.date(2026, 1, 5))
        )
        store.add_screening(s, ids["p1"], {"saddle_numbness": False}, "routine", {"urgency": "routine"})
        store.add_screening(s, ids["p1"], {"saddle_numbness": True}, "emergency", {"urgency": "emergency"})
        store.add_therapy_session(s, ids["p1"], ids["c1"], {"minutes": 30, "exercises": ["bridge"]})
        with pytest.raises(InputError, match="JSON"):
            store.add_questionnaire(s, ids["p1"], "ODI", {"q1": {1, 2}}, 1.0, {})
    with store.transaction(engine) as s:
        latest = store.latest_questionnaires(s, ids["p1"])
        assert list(latest) == ["ODI", "RMDQ"]
        assert latest["ODI"].score == 24.0
        assert latest["ODI"].result == {"instrument": "ODI", "total": 24.0, "when": "2026-01-05"}
        assert [q.score for q in store.questionnaire_history(s, ids["p1"], "ODI")] == [40.0, 24.0]
        screening = store.latest_screening(s, ids["p1"])
        assert screening is not None and screening.urgency == "emergency"
        assert len(store.screenings_of(s, ids["p1"])) == 2
        sessions = store.therapy_sessions_of(s, ids["p1"])
        assert [x.data["exercises"] for x in sessions] == [["bridge"]]
        assert store.latest_questionnaires(s, ids["p2"]) == {}


def test_deleting_a_patient_cascades(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        store.upsert_log(s, ids["p1"], dt.date(2026, 1, 1), {"pain": 2})
        store.save_plan(s, ids["p1"], {"m": 1}, "start", ids["c1"])
        store.add_note(s, ids["p1"], ids["c1"], "note")
    with store.transaction(engine) as s:
        p1 = store.get_user(s, ids["p1"])
        s.delete(p1)
    with store.transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(store.DailyLog)) == 0
        assert s.scalar(select(func.count()).select_from(store.PlanVersion)) == 0
        assert s.scalar(select(func.count()).select_from(store.PatientProfile)) == 2
        assert s.scalar(select(func.count()).select_from(store.CareLink)) == 2


def test_first_login_token_and_password(engine: Engine) -> None:
    with store.transaction(engine) as s:
        u = store.create_user(s, "new@clinic.org", "New", "clinician", first_login_token_hash="tok-hash")
        uid = u.id
    with store.transaction(engine) as s:
        store.set_password_hash(s, uid, "argon2-hash")
    with store.transaction(engine) as s:
        u2 = store.get_user(s, uid)
        assert u2 is not None and u2.password_hash == "argon2-hash" and u2.first_login_token_hash is None


def test_users_list_orders_by_role_then_address_and_filters_roles(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine, readonly=True) as s:
        everyone = [(u.role, u.email) for u in store.users_list(s)]
        staff = [u.email for u in store.users_list(s, ("clinician", "admin"))]
    assert everyone == [
        ("patient", "p1@example.org"),
        ("patient", "p2@example.org"),
        ("patient", "p3@example.org"),
        ("clinician", "c1@clinic.org"),
        ("clinician", "c2@clinic.org"),
        ("admin", "admin@clinic.org"),
    ]
    assert staff == ["c1@clinic.org", "c2@clinic.org", "admin@clinic.org"]
    with store.transaction(engine) as s:
        assert store.clinicians_of(s, ids["p1"]) == [ids["c1"]]
        store.link_patient(s, ids["c2"], ids["p1"])
        assert store.clinicians_of(s, ids["p1"]) == sorted([ids["c1"], ids["c2"]])
        assert store.clinicians_of(s, ids["c1"]) == []  # a clinician is nobody's patient


def test_a_new_first_login_link_replaces_the_old_and_lapses_from_when_it_was_given(engine: Engine) -> None:
    made = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    later = made + dt.timedelta(days=30)
    with store.transaction(engine) as s:
        u = store.create_user(
            s, "p@clinic.org", "P", "patient", first_login_token_hash="old", password_hash="pw"
        )
        u.created_at = made
        uid = u.id
    with store.transaction(engine, readonly=True) as s:
        u = store.get_user(s, uid)
        assert u is not None and store.first_login_issued(u) == made
        assert store.first_login_lapses(u, 3600.0) == made + dt.timedelta(hours=1)
    with store.transaction(engine) as s:
        store.new_first_login(s, uid, "new", now=later)
    with store.transaction(engine, readonly=True) as s:
        u = store.get_user(s, uid)
        assert u is not None and u.first_login_token_hash == "new"
        assert store.first_login_issued(u) == later
        assert store.first_login_lapses(u, 14 * 86400.0) == later + dt.timedelta(days=14)
        assert u.password_hash == "pw"  # the password works until the link is used
    with store.transaction(engine) as s:
        store.set_password_hash(s, uid, "chosen")
    with store.transaction(engine, readonly=True) as s:
        u = store.get_user(s, uid)
        assert u is not None and u.first_login_token_hash is None and u.first_login_issued_at is None
    with pytest.raises(InputError), store.transaction(engine) as s:
        store.new_first_login(s, 10_000, "x")


def test_a_password_given_by_somebody_else_ends_every_session_of_the_user(engine: Engine) -> None:
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    with store.transaction(engine) as s:
        uid = store.create_user(s, "p@clinic.org", "P", "clinician", first_login_token_hash="tok").id
        other = store.create_user(s, "q@clinic.org", "Q", "clinician").id
    with store.transaction(engine) as s:
        store.new_password(s, uid, "generated", session_max_age_s=3600, now=now)
    with store.transaction(engine, readonly=True) as s:
        u = store.get_user(s, uid)
        assert u is not None and u.password_hash == "generated" and u.first_login_token_hash is None
        before, after = now - dt.timedelta(minutes=5), now + dt.timedelta(seconds=1)
        assert store.session_ended(s, "nonce-a", uid, before)
        assert store.session_ended(s, "", uid, before)  # no nonce is kept, not even an empty one
        assert not store.session_ended(s, "nonce-b", uid, after)  # a sign-in with the new password
        assert not store.session_ended(s, "nonce-a", other, before)


def test_a_closed_account_has_no_way_in_and_keeps_its_records(engine: Engine) -> None:
    ids = _clinic(engine)
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    with store.transaction(engine) as s:
        store.set_password_hash(s, ids["p1"], "pw")
        store.new_first_login(s, ids["p1"], "link", now=now - dt.timedelta(days=1))
        store.add_note(s, ids["p1"], ids["c1"], "walks 20 minutes twice a day")
    with store.transaction(engine) as s:
        with pytest.raises(InputError, match="only a clinician or an administrator"):
            store.close_account(s, ids["p1"], "done", by_id=ids["p2"], session_max_age_s=3600)
        with pytest.raises(InputError, match="its own user"):
            store.close_account(s, ids["c1"], "leaving", by_id=ids["c1"], session_max_age_s=3600)
        with pytest.raises(InputError, match="say why"):
            store.close_account(s, ids["p1"], " \n ", by_id=ids["c1"], session_max_age_s=3600)
        with pytest.raises(InputError, match="keep it to 500"):
            store.close_account(s, ids["p1"], "x" * 501, by_id=ids["c1"], session_max_age_s=3600)
        store.close_account(
            s, ids["p1"], " care\n completed ", by_id=ids["c1"], session_max_age_s=3600, now=now
        )
    with store.transaction(engine, readonly=True) as s:
        u = store.get_user(s, ids["p1"])
        assert u is not None and u.is_closed and u.closed_at == now
        assert (u.closed_by_id, u.closed_reason) == (ids["c1"], "care completed")
        assert (
            u.password_hash is None and u.first_login_token_hash is None and u.first_login_issued_at is None
        )
        assert store.session_ended(s, "nonce", ids["p1"], now - dt.timedelta(minutes=1))
        assert [n.text for n in store.notes_of(s, ids["p1"])] == ["walks 20 minutes twice a day"]
        assert store.can_access(s, store.get_user(s, ids["c1"]), ids["p1"])  # type: ignore[arg-type]
    for give in (
        lambda s: store.new_first_login(s, ids["p1"], "again"),
        lambda s: store.new_password(s, ids["p1"], "again", session_max_age_s=3600),
        lambda s: store.set_password_hash(s, ids["p1"], "again"),
    ):
        with (
            pytest.raises(InputError, match="closed on 01 Mar 2026; reopen it"),
            store.transaction(engine) as s,
        ):
            give(s)
    with pytest.raises(InputError, match="closed already"), store.transaction(engine) as s:
        store.close_account(s, ids["p1"], "twice", by_id=None, session_max_age_s=3600)
    with pytest.raises(InputError, match="is open"), store.transaction(engine) as s:
        store.reopen_account(s, ids["p2"])
    with store.transaction(engine) as s:  # reopened with a new link in one transaction
        store.reopen_account(s, ids["p1"], by_id=ids["admin"], now=now + dt.timedelta(days=2))
        store.new_first_login(s, ids["p1"], "back", now=now + dt.timedelta(days=2))
    with store.transaction(engine, readonly=True) as s:
        u = store.get_user(s, ids["p1"])
        assert u is not None and not u.is_closed and u.first_login_token_hash == "back"
        assert (u.closed_by_id, u.closed_reason) == (None, None)
        # the closing is kept in the record, which the account no longer holds
        assert store.notes_of(s, ids["p1"])[0].text == (
            "The account was closed on 01 Mar 2026 by Cleo One (care completed) and reopened on 03 Mar 2026 by "
            "Ada Admin."
        )


def test_a_clinician_closed_from_the_command_line_and_one_whose_closer_is_gone(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        store.close_account(s, ids["c2"], "left the clinic", by_id=None, session_max_age_s=3600)
        store.close_account(s, ids["p3"], "moved away", by_id=ids["c1"], session_max_age_s=3600)
    with store.transaction(engine, readonly=True) as s:
        c2 = store.get_user(s, ids["c2"])
        assert c2 is not None and c2.is_closed and c2.closed_by_id is None
        assert store.patients_of(s, ids["c2"])[0].id == ids["p3"]  # the care link stays
    with store.transaction(engine) as s:  # a clinician's account has no record to keep a note in
        store.reopen_account(s, ids["c2"])
        store.reopen_account(s, ids["p3"])
    with store.transaction(engine, readonly=True) as s:
        (note,) = store.notes_of(s, ids["p3"])
        assert note.text.endswith(
            "by Cleo One (moved away) and reopened on " + f"{store.utcnow():%d %b %Y} from the command line."
        )


def test_readonly_transaction_reads_and_does_not_block_writers(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine, readonly=True) as r:
        assert store.get_user(r, ids["p1"]) is not None
        started = time.monotonic()
        with store.transaction(engine) as w:  # would wait for the lock if the reader held it
            store.add_note(w, ids["p1"], ids["c1"], "written while a page was read")
        assert time.monotonic() - started < 5
    with pytest.raises(DBAPIError), store.transaction(engine, readonly=True) as r:
        store.add_note(r, ids["p1"], ids["c1"], "not allowed")
    with store.transaction(engine) as s:  # the connection is writable again afterwards
        store.add_note(s, ids["p1"], ids["c1"], "second")
        assert [n.text for n in store.notes_of(s, ids["p1"])] == ["second", "written while a page was read"]


def test_entered_in_error_is_kept_and_left_out(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        first = store.add_questionnaire(
            s, ids["p1"], "nprs", {"score": 9}, 9.0, {"instrument": "nprs", "score": 9}
        )
        store.add_questionnaire(s, ids["p1"], "nprs", {"score": 4}, 4.0, {"instrument": "nprs", "score": 4})
        with pytest.raises(InputError, match="only a clinician"):
            store.mark_entered_in_error(s, first, ids["p1"], "I pressed the wrong number")
        with pytest.raises(InputError, match="say why"):
            store.mark_entered_in_error(s, first, ids["c1"], " \n ")
        with pytest.raises(InputError, match="keep it to 500"):
            store.mark_entered_in_error(s, first, ids["c1"], "x" * 501)
        assert first.entered_in_error_at is None
        store.mark_entered_in_error(s, first, ids["admin"], "  another\npatient's   rating ")
        assert first.entered_in_error_reason == "another patient's rating"  # one line, as shown
        with pytest.raises(InputError, match="already marked"):
            store.mark_entered_in_error(s, first, ids["c1"], "again")
    with store.transaction(engine, readonly=True) as s:
        assert [q.score for q in store.questionnaire_history(s, ids["p1"])] == [4.0]
        assert [q.score for q in store.questionnaire_history(s, ids["p1"], include_errors=True)] == [9.0, 4.0]
        assert store.latest_questionnaires(s, ids["p1"])["nprs"].score == 4.0
        assert store.questionnaire_changes(s, ids["p1"]) == {}  # one counted score: nothing to compare


@pytest.mark.parametrize(
    ("figures", "taken"),
    [
        ({"height_m": 2.5, "sensor_height_m": 1.6, "age": 119}, True),
        ({"height_m": 0.8, "sensor_height_m": 0.3, "age": 1}, True),
        ({"height_m": 2.55}, False),
        ({"height_m": 0.7}, False),
        ({"sensor_height_m": 1.8}, False),
        ({"age": 120}, False),
    ],
)
def test_a_profile_the_store_keeps_is_one_every_analysis_takes(
    figures: dict[str, float], taken: bool
) -> None:
    """A patient saved with a height of 2.55 m or a sensor at 1.8 m had every analysis of theirs refused: the
    store checked wider bounds than the gait engine. Both now refuse and take the same figures."""
    from backstride.gait._subject import subject

    given = {"age": None, "sex": None, "height_m": None, "sensor_height_m": None, **figures}
    outcomes = []
    for check in (
        lambda: store.check_profile(**given),
        lambda: subject(given["height_m"], given["sensor_height_m"], given["age"], given["sex"]),
    ):
        try:
            check()
            outcomes.append(True)
        except InputError as exc:
            assert "not plausible" in str(exc)
            outcomes.append(False)
    assert outcomes == [taken, taken]


def test_profile_problems_name_every_field_and_check_profile_raises_the_first_in_words() -> None:
    """A form shows each refused figure under its own field: the store names the problems field by field, in
    words without the field's name, and its check raises the first with the name in front."""
    problems = store.profile_problems(age=130, sex="other", height_m=178.0, sensor_height_m=0.1)
    assert problems == {
        "sex": "must be 'female' or 'male' (or left out), not 'other'",
        "age": "130 is not plausible (years)",
        "height_m": "178.0 m is not plausible; give it in metres, e.g. 1.72",
        "sensor_height_m": "0.1 m is not plausible; give it in metres",
    }
    assert store.profile_problems(age=40, sex="female", height_m=1.7, sensor_height_m=None) == {}
    with pytest.raises(
        InputError, match=r"^height 178\.0 m is not plausible; give it in metres, e\.g\. 1\.72$"
    ):
        store.check_profile(age=None, sex=None, height_m=178.0, sensor_height_m=None)
    with pytest.raises(InputError, match=r"^sensor height 0\.1 m is not plausible"):
        store.check_profile(age=40, sex=None, height_m=1.7, sensor_height_m=0.1)


def test_a_name_longer_than_its_column_is_refused_in_words(engine: Engine) -> None:
    """PostgreSQL refuses a name wider than its column (a DataError, a page of 500 in the web app); SQLite
    kept it. Both now refuse it alike, before the database is asked."""
    with store.transaction(engine) as s:
        user = store.create_user(s, "long@clinic.org", "A" * 200, "clinician")
        assert len(user.name) == 200
        with pytest.raises(
            InputError, match=r"a name of at most 200 characters is needed \(this one has 201\)"
        ):
            store.create_patient(s, user, "p@clinic.org", " " + "B" * 201 + " ")
        assert store.get_user_by_email(s, "p@clinic.org") is None


# ------------------------------------------------------------------------------------- the care team
def _close(engine: Engine, user_id: int) -> None:
    with store.transaction(engine) as s:
        store.close_account(s, user_id, "left the clinic", by_id=None, session_max_age_s=60)


def test_a_closed_clinician_is_refused_a_patient_and_nothing_is_linked(engine: Engine) -> None:
    ids = _clinic(engine)
    _close(engine, ids["c2"])
    today = dt.datetime.now(dt.UTC).strftime("%d %b %Y")
    with store.transaction(engine) as s, pytest.raises(InputError) as refused:
        store.link_patient(s, ids["c2"], ids["p1"])
    assert str(refused.value) == f"the account of c2@clinic.org was closed on {today}; reopen it first"
    with store.transaction(engine, readonly=True) as s:
        assert store.clinicians_of(s, ids["p1"]) == [ids["c1"]]
        assert store.patients_of(s, ids["c2"]) == [s.get(store.User, ids["p3"])]  # their own link stays


def test_a_clinician_leaves_a_patient_only_to_another_with_an_open_account(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s, pytest.raises(InputError) as refused:
        store.unlink_patient(s, ids["c1"], ids["p1"], by_id=ids["c1"])
    assert str(refused.value) == (
        "you are the only clinician with an open account who looks after Paula: add another clinician "
        "before you leave their care (or ask an administrator)"
    )
    with store.transaction(engine) as s:
        store.link_patient(s, ids["c2"], ids["p1"])
    _close(engine, ids["c2"])  # a closed colleague looks after nobody
    with store.transaction(engine) as s, pytest.raises(InputError, match="the only clinician"):
        store.unlink_patient(s, ids["c1"], ids["p1"], by_id=ids["c1"])
    with store.transaction(engine) as s:
        store.link_patient(s, ids["admin"], ids["p1"])  # an open administrator does
        assert store.unlink_patient(s, ids["c1"], ids["p1"], by_id=ids["c1"])
        assert store.clinicians_of(s, ids["p1"]) == sorted([ids["admin"], ids["c2"]])


def test_an_ending_of_care_is_checked_as_it_would_be_done_and_nothing_changes(engine: Engine) -> None:
    """A page asks before a clinician is removed: the refusal comes then, the same as the removal's own."""
    ids = _clinic(engine)
    with store.transaction(engine) as s, pytest.raises(InputError) as refused:
        store.check_unlink_patient(s, ids["c1"], ids["p1"], by_id=ids["c1"])
    assert str(refused.value).startswith(
        "you are the only clinician with an open account who looks after Paula"
    )
    with store.transaction(engine) as s:
        assert store.check_unlink_patient(s, ids["c1"], ids["p1"], by_id=ids["admin"]) is True
        assert store.check_unlink_patient(s, ids["c2"], ids["p1"], by_id=ids["admin"]) is False  # not linked
        assert store.clinicians_of(s, ids["p1"]) == [ids["c1"]]
        assert store.audit_trail(s, actions=["care_unlinked"]) == []


def test_an_administrator_or_another_clinician_may_end_anyones_care(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        assert store.unlink_patient(s, ids["c1"], ids["p1"], by_id=ids["admin"])  # nobody left: allowed
        assert store.clinicians_of(s, ids["p1"]) == []
        store.link_patient(s, ids["c1"], ids["p2"])  # already: nothing changes
        store.link_patient(s, ids["c2"], ids["p2"])
        assert store.unlink_patient(s, ids["c1"], ids["p2"], by_id=ids["c2"])
        assert store.unlink_patient(s, ids["c2"], ids["p2"], by_id=None)  # the command line: no rule
        assert not store.unlink_patient(s, ids["c2"], ids["p2"], by_id=ids["admin"])  # not linked
