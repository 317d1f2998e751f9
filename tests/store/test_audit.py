"""The audit trail: the store writes every change of an account itself, in the change's own transaction; openings
of a record are one entry per visit; the trail is read back newest first, filtered."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from backstride import InputError, store

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _clinic(engine: Engine) -> dict[str, int]:
    with store.transaction(engine) as s:
        admin = store.create_user(s, "admin@clinic.org", "Ada Admin", "admin")
        c1 = store.create_user(s, "c1@clinic.org", "Cleo One", "clinician", by_id=admin.id)
        p1 = store.create_patient(s, c1, "p1@example.org", "Paula")
        return {"admin": admin.id, "c1": c1.id, "p1": p1.id}


def _trail(engine: Engine, **filters: object) -> list[tuple[str, int | None, int, str | None]]:
    with store.transaction(engine, readonly=True) as s:
        return [(e.action, e.actor_id, e.subject_id, e.detail) for e in store.audit_trail(s, **filters)]  # type: ignore[arg-type]


def test_adding_accounts_is_recorded_with_who_added_them(engine: Engine) -> None:
    ids = _clinic(engine)
    assert _trail(engine) == [
        ("account_added", ids["c1"], ids["p1"], "as patient"),
        ("account_added", ids["admin"], ids["c1"], "as clinician"),
        ("account_added", None, ids["admin"], "as admin"),
    ]


def test_every_way_in_closing_and_reopening_is_recorded_by_whom_and_why(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        store.new_first_login(s, ids["p1"], "digest", by_id=ids["c1"])
        store.set_password_hash(s, ids["p1"], "hash-chosen")
        store.new_password(s, ids["p1"], "hash-given", session_max_age_s=3600, by_id=ids["c1"])
        store.close_account(s, ids["p1"], "  care\ncompleted ", by_id=ids["c1"], session_max_age_s=3600)
        store.reopen_account(s, ids["p1"], by_id=ids["admin"])
        store.new_first_login(s, ids["p1"], "digest-2")  # from the command line
    assert _trail(engine, subject_id=ids["p1"]) == [
        ("way_in_given", None, ids["p1"], "a first-login link"),
        ("account_reopened", ids["admin"], ids["p1"], None),
        ("account_closed", ids["c1"], ids["p1"], "care completed"),
        ("way_in_given", ids["c1"], ids["p1"], "a password"),
        ("password_chosen", ids["p1"], ids["p1"], None),
        ("way_in_given", ids["c1"], ids["p1"], "a first-login link"),
        ("account_added", ids["c1"], ids["p1"], "as patient"),
    ]
    by_c1 = _trail(engine, actor_id=ids["c1"], actions=["account_closed", "way_in_given"])
    assert [a for a, *_ in by_c1] == ["account_closed", "way_in_given", "way_in_given"]


def test_a_refused_change_leaves_no_entry(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        before = s.scalar(select(func.count()).select_from(store.AuditEvent))
    for attempt in (
        lambda s: store.close_account(s, ids["p1"], "", by_id=ids["c1"], session_max_age_s=3600),
        lambda s: store.close_account(s, ids["c1"], "leaving", by_id=ids["c1"], session_max_age_s=3600),
        lambda s: store.reopen_account(s, ids["p1"], by_id=ids["c1"]),
        lambda s: store.create_user(s, "c1@clinic.org", "Again", "clinician", by_id=ids["admin"]),
    ):
        with pytest.raises(InputError), store.transaction(engine) as s:
            attempt(s)
    with store.transaction(engine) as s:
        store.close_account(s, ids["p1"], "moved away", by_id=ids["c1"], session_max_age_s=3600)
    with pytest.raises(InputError), store.transaction(engine) as s:
        store.new_first_login(s, ids["p1"], "digest", by_id=ids["c1"])  # closed: refused
    with store.transaction(engine, readonly=True) as s:
        after = s.scalar(select(func.count()).select_from(store.AuditEvent))
    assert after == before + 1  # the one closing that took place


def test_a_record_opened_again_within_the_visit_is_one_entry_and_ones_own_is_none(engine: Engine) -> None:
    ids = _clinic(engine)
    visit = store.OPENED_AGAIN_AFTER_S
    with store.transaction(engine) as s:
        assert store.log_record_opened(s, ids["c1"], ids["p1"], now=T0) is not None
        assert (
            store.log_record_opened(s, ids["c1"], ids["p1"], now=T0 + dt.timedelta(seconds=visit - 1)) is None
        )
        assert (
            store.log_record_opened(s, ids["admin"], ids["p1"], now=T0 + dt.timedelta(seconds=60)) is not None
        )
        later = T0 + dt.timedelta(seconds=visit + 1)
        assert store.log_record_opened(s, ids["c1"], ids["p1"], now=later) is not None
        assert store.log_record_opened(s, ids["p1"], ids["p1"], now=later) is None
    opened = _trail(engine, subject_id=ids["p1"], actions=["record_opened"])
    assert [actor for _, actor, _, _ in opened] == [ids["c1"], ids["admin"], ids["c1"]]
    assert _trail(engine, subject_id=ids["p1"], actions=["record_opened"], since=later) == [opened[0]]
    assert _trail(engine, subject_id=ids["p1"], actions=["record_opened"], before=later, limit=1) == [
        opened[1]
    ]


def test_detail_is_kept_on_one_line_and_cut_and_unknown_actions_are_refused(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        event = store.log_event(
            s, "record_exported", ids["p1"], actor_id=ids["c1"], detail="FHIR\n" + "x" * 900
        )
        assert "\n" not in (event.detail or "")
        assert len(event.detail or "") == store.MAX_AUDIT_DETAIL and (event.detail or "").endswith("…")
        with pytest.raises(InputError, match="not an audit action"):
            store.log_event(s, "peeked", ids["p1"], actor_id=ids["c1"])
        with pytest.raises(InputError, match="not an audit action"):
            store.audit_trail(s, actions=["peeked"])


def test_actor_words_name_the_person_and_role_or_the_command_line(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine, readonly=True) as s:
        words = {
            e.subject_id: store.actor_words(s, e) for e in store.audit_trail(s, actions=["account_added"])
        }
    assert words == {
        ids["admin"]: "command line (server)",
        ids["c1"]: "Ada Admin (administrator)",
        ids["p1"]: "Cleo One (clinician)",
    }


@pytest.mark.parametrize(
    ("name", "role", "said"),
    [
        ("Cleo One", "clinician", "Cleo One (clinician)"),
        ("Ada Admin", "admin", "Ada Admin (administrator)"),
        ("Dana Reyes (physical therapist)", "clinician", "Dana Reyes (physical therapist, clinician)"),
        ("Ada Admin (practice manager)", "admin", "Ada Admin (practice manager, administrator)"),
        ("Cleo One (Clinician)", "clinician", "Cleo One (Clinician)"),  # the role said already: said once
        ("Dana (Dee) Reyes", "clinician", "Dana (Dee) Reyes (clinician)"),
        ("Paula (née Smith)", "patient", "Paula (née Smith, patient)"),
    ],
)
def test_a_person_is_named_once_with_their_role_whatever_their_name_holds(
    engine: Engine, name: str, role: str, said: str
) -> None:
    with store.transaction(engine) as s:
        person = store.create_user(s, "someone@clinic.org", name, role)
        assert store.person_words(person) == said
        event = store.log_event(s, "record_opened", person.id, actor_id=person.id)
        assert store.actor_words(s, event) == said


def test_the_trail_is_counted_with_the_same_filters_as_it_is_read(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        for hours in (1, 2, 3):
            store.log_event(
                s, "record_opened", ids["p1"], actor_id=ids["c1"], now=T0 + dt.timedelta(hours=hours)
            )
        store.log_event(s, "record_exported", ids["p1"], actor_id=None, detail="to a file", now=T0)
    with store.transaction(engine, readonly=True) as s:
        assert store.audit_trail_count(s) == 7
        assert store.audit_trail_count(s, subject_id=ids["p1"], actions=["record_opened"]) == 3
        assert store.audit_trail_count(s, actor_id=ids["c1"]) == 4  # three openings and adding Paula
        assert store.audit_trail_count(s, since=T0, before=T0 + dt.timedelta(hours=2)) == 2
        assert len(store.audit_trail(s, since=T0, before=T0 + dt.timedelta(hours=2))) == 2
        assert store.audit_trail_count(s, subject_id=ids["admin"], actions=["record_opened"]) == 0
        with pytest.raises(InputError, match="'record_read' is not an audit action"):
            store.audit_trail_count(s, actions=["record_read"])


def test_care_links_made_and_ended_are_recorded_once_with_the_clinician_named(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        c2 = store.create_user(s, "c2@clinic.org", "Cal Two", "clinician", by_id=ids["admin"]).id
        store.link_patient(s, c2, ids["p1"], by_id=ids["c1"])
        store.link_patient(
            s, c2, ids["p1"], by_id=ids["c1"]
        )  # already linked: nothing happens, nothing written
        assert store.unlink_patient(s, ids["c1"], ids["p1"], by_id=ids["admin"])
        assert not store.unlink_patient(s, ids["c1"], ids["p1"])  # no link: nothing written
    care = _trail(engine, subject_id=ids["p1"], actions=["care_linked", "care_unlinked"])
    assert care == [
        ("care_unlinked", ids["admin"], ids["p1"], "Cleo One <c1@clinic.org>"),
        ("care_linked", ids["c1"], ids["p1"], "Cal Two <c2@clinic.org>"),
    ]  # (Cleo's link, made with Paula, is her "account_added")


def test_a_page_goes_on_after_an_entry_by_time_then_id_so_one_moment_is_split_cleanly(engine: Engine) -> None:
    ids = _clinic(engine)
    with store.transaction(engine) as s:
        for n in range(3):  # three entries of one moment, then an older one
            store.log_event(s, "record_exported", ids["p1"], actor_id=ids["c1"], detail=f"same {n}", now=T0)
        store.log_event(
            s, "record_exported", ids["p1"], actor_id=ids["c1"], detail="older", now=T0 - dt.timedelta(1)
        )
    with store.transaction(engine, readonly=True) as s:
        first = store.audit_trail(s, actions=["record_exported"], limit=2)
        rest = store.audit_trail(s, actions=["record_exported"], older_than=first[-1])
        assert [e.detail for e in first] == ["same 2", "same 1"]
        assert [e.detail for e in rest] == ["same 0", "older"]
