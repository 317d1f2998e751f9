"""The audit trail in the web app: what only the app sees (sign-ins, a record's opening, every export) written
once the page is answered, nothing for a page that failed or for a patient reading their own record; the
administrator's page (filters, paging, access) and the patient's "Who has opened your record"."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import (
    PASSWORD,
    Clinic,
    check_in,
    choose_password,
    csrf_of,
    given_link,
    post,
    sign_in,
)

ADMIN = "ada@clinic.test"


def _entries(clinic: Clinic, **filters: Any) -> list[tuple[str, int | None, int, str | None]]:
    """The trail as (action, actor, subject, detail), newest first."""
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return [(e.action, e.actor_id, e.subject_id, e.detail) for e in store.audit_trail(s, **filters)]


def _add_admin(clinic: Clinic) -> int:
    from backstride import store
    from backstride._accounts import hash_password

    with clinic_db(clinic) as s:
        return store.create_user(s, ADMIN, "Ada Admin", "admin", password_hash=hash_password(PASSWORD)).id


def _text(page: Any) -> str:
    """The words of a page's main part, on one line."""
    main = page.text.split('<main id="main">', 1)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _move_back(clinic: Clinic, minutes: float, client: Any = None) -> None:
    """Every entry of the trail made ``minutes`` older (as if written that long ago), and so what ``client``'s app
    remembers of the openings it wrote (``WebState.opened``)."""
    if client is not None:
        opened = client.app.state.backstride.opened
        for key in opened:
            opened[key] -= dt.timedelta(minutes=minutes)
    from sqlalchemy import update

    from backstride import store

    with clinic_db(clinic) as s:
        for event in store.audit_trail(s):
            s.execute(
                update(store.AuditEvent)
                .where(store.AuditEvent.id == event.id)
                .values(at=event.at - dt.timedelta(minutes=minutes))
            )


# ------------------------------------------------------------------------------------------------ writing
def test_a_sign_in_with_a_password_is_kept_and_a_refused_one_is_not(client: Any, clinic: Clinic) -> None:
    csrf = csrf_of(client)
    refused = client.post(
        "/signin", data={"email": "anna@clinic.test", "password": "wrong", "csrf_token": csrf}
    )
    assert refused.status_code == 401
    assert _entries(clinic, actions=["signed_in"]) == []
    sign_in(client, "anna@clinic.test")
    assert _entries(clinic, actions=["signed_in"]) == [
        ("signed_in", clinic.clinician_a, clinic.clinician_a, "with a password")
    ]


def test_a_first_login_by_link_is_kept_beside_the_way_in_and_the_password(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    sign_in(client, "anna@clinic.test")
    link = given_link(post(client, f"/patients/{clinic.patient_a}/access", {"kind": "link"}))
    assert choose_password(app_factory(), link, "a brand new password 42").status_code == 303
    about_paula = _entries(
        clinic, subject_id=clinic.patient_a, actions=["signed_in", "password_chosen", "way_in_given"]
    )
    assert about_paula == [
        ("signed_in", clinic.patient_a, clinic.patient_a, "with a first-login link"),
        ("password_chosen", clinic.patient_a, clinic.patient_a, None),
        ("way_in_given", clinic.clinician_a, clinic.patient_a, "a first-login link"),  # the store's, once
    ]


def test_a_clinician_opening_a_record_is_kept_once_per_visit(
    client: Any, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backstride import store

    sign_in(client, "anna@clinic.test")
    for path in ("", "/plan", "/progress", "/recordings", "/questionnaires", ""):
        assert client.get(f"/patients/{clinic.patient_a}{path}").status_code == 200, path
    opened = [("record_opened", clinic.clinician_a, clinic.patient_a, None)]
    assert _entries(clinic, actions=["record_opened"]) == opened
    _move_back(clinic, 29, client)  # within the half hour: the same visit, and no write transaction for it
    written = []
    real = store.log_record_opened
    monkeypatch.setattr(store, "log_record_opened", lambda *a, **k: written.append(a) or real(*a, **k))
    assert client.get(f"/patients/{clinic.patient_a}/plan").status_code == 200
    assert written == [] and _entries(clinic, actions=["record_opened"]) == opened
    _move_back(clinic, 2, client)  # 31 minutes on: another visit
    assert client.get(f"/patients/{clinic.patient_a}/plan").status_code == 200
    assert len(written) == 1 and _entries(clinic, actions=["record_opened"]) == opened * 2


def test_a_patient_reading_their_own_record_writes_nothing(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    for path in ("", "/plan", "/progress", "/recordings", "/record-access"):
        assert client.get(f"/patients/{clinic.patient_a}{path}").status_code == 200, path
    assert _entries(clinic, actions=["record_opened"]) == []


def test_a_page_that_fails_writes_nothing(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    assert client.get(f"/patients/{clinic.patient_b}").status_code == 404  # Ben's patient, not Anna's
    assert client.get(f"/patients/{clinic.patient_b}/fhir.json").status_code == 404
    assert client.get(f"/patients/{clinic.patient_a}/recordings/999").status_code == 404  # no such walk
    assert _entries(clinic, actions=["record_opened", "record_exported"]) == []


def test_every_export_is_kept_the_patients_own_too(client: Any, app_factory: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    for path in ("fhir.json", "fhir.json", "summary.html?view=1"):
        assert client.get(f"/patients/{clinic.patient_a}/{path}").status_code == 200
    patient = app_factory()
    sign_in(patient, "paula@home.test")
    assert patient.get(f"/patients/{clinic.patient_a}/fhir.json").status_code == 200
    assert _entries(clinic, actions=["record_exported"]) == [
        ("record_exported", clinic.patient_a, clinic.patient_a, "FHIR R4 bundle"),
        ("record_exported", clinic.clinician_a, clinic.patient_a, "progress summary for a doctor"),
        ("record_exported", clinic.clinician_a, clinic.patient_a, "FHIR R4 bundle"),
        ("record_exported", clinic.clinician_a, clinic.patient_a, "FHIR R4 bundle"),
    ]


def test_an_entry_that_cannot_be_written_is_logged_and_the_page_still_answered(
    client: Any, clinic: Clinic, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from backstride.web import _audit_view

    sign_in(client, "anna@clinic.test")

    def broken(*_args: Any) -> None:
        raise RuntimeError("the database is away")

    monkeypatch.setattr(_audit_view, "_write", broken)
    with caplog.at_level(logging.ERROR, logger="backstride.web._audit_view"):
        page = client.get(f"/patients/{clinic.patient_a}/fhir.json")
    assert page.status_code == 200
    assert page.json()["resourceType"] == "Bundle"
    logged = [r for r in caplog.records if r.name == "backstride.web._audit_view"]
    assert len(logged) == 1
    assert "record_exported, record_opened" in logged[0].getMessage()
    assert f"/patients/{clinic.patient_a}/fhir.json" in logged[0].getMessage()
    assert "the database is away" in caplog.text


# ------------------------------------------------------------------------------ the administrator's page
def test_only_an_administrator_reaches_the_audit_page(client: Any, app_factory: Any, clinic: Clinic) -> None:
    _add_admin(clinic)
    visitor = client.get("/admin/audit")
    assert (visitor.status_code, visitor.headers["location"]) == (303, "/signin")
    for email in ("anna@clinic.test", "paula@home.test"):
        other = app_factory()
        sign_in(other, email)
        assert other.get("/admin/audit").status_code == 403, email
        assert 'href="/admin/audit"' not in other.get("/").text
    admin = app_factory()
    sign_in(admin, ADMIN)
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    assert '<a href="/admin/staff">Staff</a></li><li><a href="/admin/audit">Audit trail</a>' in page.text


def _seed_trail(clinic: Clinic) -> dt.datetime:
    """230 openings of Paula's record by Anna, a minute apart from 1 Dec 2026 09:00 UTC, three of them (the
    100th to 102nd newest) at one moment; and one export of Peter's record by Ben on 30 Nov. The start."""
    from backstride import store

    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with clinic_db(clinic) as s:
        s.execute(store.AuditEvent.__table__.delete())  # the accounts' own entries: not this test's
        for i in range(230):
            # the 100th to 102nd newest (i = 130, 129, 128) at one moment: the first page ends among them
            at = start + dt.timedelta(minutes=129 if 128 <= i <= 130 else i)
            store.log_event(s, "record_opened", clinic.patient_a, actor_id=clinic.clinician_a, now=at)
        store.log_event(
            s,
            "record_exported",
            clinic.patient_b,
            actor_id=clinic.clinician_b,
            detail="FHIR R4 bundle",
            now=dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC),
        )
    return start


def _rows(page: Any) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<time datetime="([^"]+)"', page.text)]


def test_the_audit_page_shows_a_hundred_entries_a_page_none_lost_where_pages_end_together(
    client: Any, clinic: Clinic, zone: Any
) -> None:
    zone("UTC0")
    _add_admin(clinic)
    _seed_trail(clinic)
    sign_in(client, ADMIN)
    seen: list[str] = []
    ids: list[str] = []
    url = "/admin/audit?action=record_opened"
    pages = 0
    while url:
        page = client.get(url.replace("&amp;", "&"))
        assert page.status_code == 200
        pages += 1
        shown = _rows(page)
        seen += shown
        ids += re.findall(r'<a href="/patients/(\d+)">Paula Patient \(patient\)</a>', page.text)
        older = re.search(r'<a href="(/admin/audit\?[^"]*)">Older entries</a>', page.text)
        url = older.group(1) if older else ""
        assert len(shown) == (100 if url else 30)
    assert pages == 3
    assert len(seen) == 230  # every opening once: the three at one moment split by the page's end too
    assert seen[0] == "2026-12-01T12:49:00+00:00" and seen[-1] == "2026-12-01T09:00:00+00:00"
    assert seen[98:103] == [
        "2026-12-01T11:11:00+00:00",
        "2026-12-01T11:09:00+00:00",  # the last of the first page
        "2026-12-01T11:09:00+00:00",  # the first two of the second
        "2026-12-01T11:09:00+00:00",
        "2026-12-01T11:07:00+00:00",
    ]
    assert set(ids) == {str(clinic.patient_a)}
    text = _text(client.get("/admin/audit?action=record_opened"))
    assert (
        "01 Dec 2026, 12:49 UTC Anna Therapist (clinician) opened the record Paula Patient (patient) –"
        in text
    )


def test_the_audit_page_filters_by_whom_about_whom_what_and_days(
    client: Any, clinic: Clinic, zone: Any
) -> None:
    zone("UTC0")
    admin_id = _add_admin(clinic)
    _seed_trail(clinic)
    sign_in(client, ADMIN)
    client.get("/admin/audit")  # (the sign-in above is today's)
    by_ben = client.get(f"/admin/audit?by={clinic.clinician_b}")
    assert _rows(by_ben) == ["2026-11-30T16:00:00+00:00"]
    assert "Ben Therapist (clinician) exported the record Peter Patient (patient) FHIR R4 bundle" in _text(
        by_ben
    )
    assert _box(by_ben, "by") == ("ben@clinic.test", None)  # the Staff page's link: the e-mail shown
    about_peter = client.get(f"/admin/audit?about={clinic.patient_b}&action=record_exported")
    assert _rows(about_peter) == ["2026-11-30T16:00:00+00:00"]
    assert _rows(client.get(f"/admin/audit?about={clinic.patient_b}&action=record_opened")) == []
    assert "No entry matches these filters." in _text(
        client.get(f"/admin/audit?about={clinic.patient_b}&action=record_opened")
    )
    one_day = client.get("/admin/audit?from=2026-11-30&to=2026-11-30")
    assert _rows(one_day) == ["2026-11-30T16:00:00+00:00"]
    two_days = _rows(client.get("/admin/audit?from=2026-11-30&to=2026-12-01&action=record_opened"))
    assert len(two_days) == 100
    assert _rows(client.get("/admin/audit?to=2026-11-29")) == []
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert len(_rows(client.get(f"/admin/audit?by={admin_id}&action=signed_in&from={today}&to={today}"))) == 1


def test_the_audit_pages_days_are_the_servers(client: Any, clinic: Clinic, zone: Any) -> None:
    """In Central Europe (UTC+1) an opening at 23:30 UTC on 30 Nov was on 1 Dec: shown and found there."""
    zone("CET-1")
    _add_admin(clinic)
    _seed_trail(clinic)  # Ben's export: 30 Nov 16:00 UTC
    from backstride import store

    with clinic_db(clinic) as s:
        late = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
        store.log_event(s, "record_opened", clinic.patient_b, actor_id=clinic.clinician_b, now=late)
    sign_in(client, ADMIN)
    first_of_december = client.get(f"/admin/audit?by={clinic.clinician_b}&from=2026-12-01&to=2026-12-01")
    assert _rows(first_of_december) == ["2026-11-30T23:30:00+00:00"]
    assert "01 Dec 2026, 00:30 CET Ben Therapist (clinician) opened the record" in _text(first_of_december)
    assert "Times are the server's (CET)" in _text(first_of_december)
    assert _rows(client.get(f"/admin/audit?by={clinic.clinician_b}&to=2026-11-30")) == [
        "2026-11-30T16:00:00+00:00"
    ]


def test_days_at_the_calendars_edges_bound_nothing(client: Any, clinic: Clinic, zone: Any) -> None:
    """From 0001-01-01 or to 9999-12-31 is a day the form takes; its midnight could not be made (HTTP 500)."""
    zone("CET-1")  # east of UTC: year 1's midnight is in year 0 in UTC
    _add_admin(clinic)
    _seed_trail(clinic)
    sign_in(client, ADMIN)
    by_ben = f"/admin/audit?by={clinic.clinician_b}"
    for days in ("from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31"):
        page = client.get(f"{by_ben}&{days}")
        assert page.status_code == 200 and _rows(page) == ["2026-11-30T16:00:00+00:00"], days
    assert _rows(client.get(f"{by_ben}&from=9999-12-31")) == []
    assert _rows(client.get(f"{by_ben}&to=0001-01-01")) == []


def test_the_audit_page_refuses_a_filter_it_cannot_use_and_keeps_it(client: Any, clinic: Clinic) -> None:
    _add_admin(clinic)
    sign_in(client, ADMIN)
    page = client.get("/admin/audit?about=999&action=signed_in&from=2026-12-05&to=2026-12-01")
    assert page.status_code == 422
    text = _text(page)
    assert "About whom: no account has the number 999 (it may have been removed)." in text
    assert "To: the last day is before the first." in text
    assert "<table" not in page.text
    assert 'name="from" type="date" value="2026-12-05" aria-invalid="true"' in page.text
    assert '<option value="signed_in" selected>' in page.text
    assert client.get("/admin/audit?before=99999").status_code == 404


def _box(page: Any, field: str) -> tuple[str, str | None]:
    """The about-whom or by-whom box: its value, and the problem said beside it (None: none)."""
    box = re.search(rf'<input id="audit-{field}" name="{field}" type="email"[^>]*>', page.text)
    assert box, page.text
    assert 'autocomplete="off"' in box.group(0)
    assert f'<label for="audit-{field}">' in page.text
    value = re.search(r'value="([^"]*)"', box.group(0))
    problem = re.search(rf'<p class="field-problem" id="audit-{field}-problem">(.*?)</p>', page.text, re.S)
    if problem:
        assert 'aria-invalid="true"' in box.group(0)
        assert f'aria-describedby="audit-{field}-problem"' in box.group(0)
    return html.unescape(value.group(1) if value else ""), html.unescape(
        problem.group(1)
    ) if problem else None


def test_the_audit_page_finds_whom_by_e_mail_in_a_box_not_in_a_list_of_every_account(
    client: Any, clinic: Clinic, zone: Any
) -> None:
    """A clinic of thousands of patients would make a list of thousands: each person is a box for their e-mail,
    in any case, and the Staff page's links by number still work (the box then shows the e-mail)."""
    zone("UTC0")
    _add_admin(clinic)
    _seed_trail(clinic)
    sign_in(client, ADMIN)
    everything = client.get("/admin/audit")
    assert '<select id="audit-about"' not in everything.text and '<option value="' + str(
        clinic.patient_b
    ) not in (everything.text)
    assert _box(everything, "about") == ("", None) and _box(everything, "by") == ("", None)
    peter = client.get("/admin/audit?about=%20Peter@HOME.test%20")
    assert peter.status_code == 200
    assert _rows(peter) == ["2026-11-30T16:00:00+00:00"]
    assert _box(peter, "about") == ("peter@home.test", None)
    assert "Peter Patient (patient)" in _text(peter)  # whom the box found, named beside it
    by_number = client.get(f"/admin/audit?about={clinic.patient_b}")
    assert _rows(by_number) == _rows(peter) and _box(by_number, "about") == ("peter@home.test", None)


def test_the_audit_page_says_beside_the_box_when_no_account_has_the_e_mail_and_lists_nothing(
    client: Any, clinic: Clinic
) -> None:
    _add_admin(clinic)
    _seed_trail(clinic)
    sign_in(client, ADMIN)
    for typed in ("nobody@clinic.test", "anna", "<b>x@y</b>"):
        page = client.get("/admin/audit", params={"by": typed, "action": "record_opened"})
        assert page.status_code == 422, typed
        assert _box(page, "by") == (typed, f"No account has the e-mail address {typed}.")  # kept as typed
        assert (
            f"By whom: no account has the e-mail address {typed}. Please check it, or leave the box empty for "
            "anybody." in _text(page)
        )
        assert "<table" not in page.text and "<b>x@y</b>" not in page.text
        assert '<option value="record_opened" selected>' in page.text
        assert _box(page, "about") == ("", None)


def test_paging_keeps_the_whom_filter(client: Any, clinic: Clinic) -> None:
    _add_admin(clinic)
    _seed_trail(clinic)
    sign_in(client, ADMIN)
    first = client.get("/admin/audit?by=ANNA@clinic.test")
    assert len(_rows(first)) == 100
    older = re.search(r'<a href="(/admin/audit\?[^"]*)">Older entries</a>', first.text)
    assert older
    second = client.get(html.unescape(older.group(1)))
    assert second.status_code == 200
    assert len(_rows(second)) == 100 and "Ben Therapist" not in _text(second)
    assert _box(second, "by") == ("anna@clinic.test", None)
    third = client.get(
        html.unescape(re.findall(r'<a href="(/admin/audit\?[^"]*)">Older entries</a>', second.text)[0])
    )
    assert len(_rows(third)) == 30  # Ben's export of Peter's record (by Ben) never among them
    back = re.search(r'<a href="(/admin/audit\?[^"]*)">Back to the newest</a>', third.text)
    assert back and "before=" not in back.group(1) and "by=ANNA%40clinic.test" in back.group(1)


# ------------------------------------------------------------------------------------- the patient's list
def test_the_patient_reads_who_opened_their_record_in_words_and_not_their_own_visits(
    client: Any, app_factory: Any, clinic: Clinic, zone: Any
) -> None:
    zone("UTC0")
    anna = app_factory()
    sign_in(anna, "anna@clinic.test")
    assert anna.get(f"/patients/{clinic.patient_a}").status_code == 200
    assert anna.get(f"/patients/{clinic.patient_a}/summary.html").status_code == 200
    sign_in(client, "paula@home.test")
    assert client.get(f"/patients/{clinic.patient_a}/fhir.json").status_code == 200
    home = client.get(f"/patients/{clinic.patient_a}")
    assert f'href="/patients/{clinic.patient_a}/record-access"' in home.text
    page = client.get(f"/patients/{clinic.patient_a}/record-access")
    assert page.status_code == 200
    text = _text(page)
    said = re.findall(r"UTC (.*?\.)(?= \d\d \w{3} \d{4}| Back to today)", text)
    assert said == [
        "You downloaded your record as a data file for another clinic or doctor (FHIR).",
        "Anna Therapist (clinician) downloaded your record as a progress summary for a doctor.",
        "Anna Therapist (clinician) opened your record.",
        "Anna Therapist (clinician) added your account.",
    ]
    assert "signed in" not in text


def test_a_person_whose_name_holds_their_title_in_brackets_is_named_once_with_their_role(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    """The demo's therapist is "Dana Reyes (physical therapist)": the administrator's table (who acted, about
    whom, whom a box found) and the patient's list name such a person once, the role inside the brackets."""
    from backstride import store

    _add_admin(clinic)
    with clinic_db(clinic) as s:
        anna = s.get(store.User, clinic.clinician_a)
        assert anna is not None
        anna.name = "Anna Therapist (physiotherapist)"
    anna_client = app_factory()
    sign_in(anna_client, "anna@clinic.test")
    assert anna_client.get(f"/patients/{clinic.patient_a}").status_code == 200
    named = "Anna Therapist (physiotherapist, clinician)"

    sign_in(client, ADMIN)
    by_anna = _text(client.get("/admin/audit?by=anna@clinic.test&action=record_opened"))
    assert f"{named} opened the record Paula Patient (patient)" in by_anna
    assert f"{named} –" not in by_anna and by_anna.count(named) == 2  # the row, and whom the box found
    about_anna = _text(client.get("/admin/audit?about=anna@clinic.test&action=account_added"))
    assert f"command line (server) added the account {named} as clinician" in about_anna
    for text in (by_anna, about_anna):
        assert "(physiotherapist) (" not in text

    patient = app_factory()
    sign_in(patient, "paula@home.test")
    listed = _text(patient.get(f"/patients/{clinic.patient_a}/record-access"))
    assert f"{named} opened your record." in listed and "(physiotherapist) (" not in listed


def test_the_patient_reads_what_each_download_held_the_plan_alone_not_called_their_record(
    client: Any, clinic: Clinic, zone: Any
) -> None:
    """The home program sheet and the calendar file hold only the plan: "downloaded your record" would tell the
    patient more left the clinic than did. The command line's exports (their detail: what, "to" a path on the
    server) are said the same way, the server's path left out."""
    from backstride import store
    from backstride.web._audit_view import CALENDAR_EXPORT, FHIR_EXPORT, PLAN_SHEET_EXPORT, SUMMARY_EXPORT

    zone("UTC0")
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    written = [
        (clinic.patient_a, PLAN_SHEET_EXPORT),
        (clinic.patient_a, CALENDAR_EXPORT),
        (clinic.clinician_a, PLAN_SHEET_EXPORT),
        (clinic.clinician_a, SUMMARY_EXPORT),
        (clinic.clinician_a, FHIR_EXPORT),
        (None, "home program sheet to /srv/clinic/exports/paula.html"),
        (None, "progress summary to standard output"),
        (None, "FHIR R4 bundle to /srv/clinic/exports/paula.json"),
        (None, "something new"),
    ]
    with clinic_db(clinic) as s:
        s.execute(store.AuditEvent.__table__.delete())
        for minutes, (actor, detail) in enumerate(written):
            at = start - dt.timedelta(minutes=minutes)  # newest first, as listed
            store.log_event(s, "record_exported", clinic.patient_a, actor_id=actor, detail=detail, now=at)
    sign_in(client, "paula@home.test")
    text = _text(client.get(f"/patients/{clinic.patient_a}/record-access"))
    said = re.findall(r"UTC (.*?\.)(?= \d\d \w{3} \d{4}| Back to today)", text)
    server = "Somebody working on the clinic's server (not through this website)"
    assert said == [
        "You downloaded your home program sheet to print.",
        "You downloaded your walk reminders for a calendar.",
        "Anna Therapist (clinician) downloaded your home program sheet to print.",
        "Anna Therapist (clinician) downloaded your record as a progress summary for a doctor.",
        "Anna Therapist (clinician) downloaded your record as a data file for another clinic or doctor (FHIR).",
        f"{server} downloaded your home program sheet to print.",
        f"{server} downloaded your record as a progress summary for a doctor.",
        f"{server} downloaded your record as a data file for another clinic or doctor (FHIR).",
        f"{server} downloaded your record (something new).",
    ]
    assert "/srv/clinic" not in text
    assert "each is a copy of your record, or of your plan, that left the clinic." in text


def test_only_the_patient_reads_their_list(client: Any, app_factory: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    assert client.get(f"/patients/{clinic.patient_a}/record-access").status_code == 403
    peter = app_factory()
    sign_in(peter, "peter@home.test")
    assert peter.get(f"/patients/{clinic.patient_a}/record-access").status_code == 404
    assert _entries(clinic, actions=["record_opened"]) == []


# ------------------------------------------------------------------------------------------------ browser
def _axe_violations(page: Any, name: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("networkidle")
    found = Axe().run(page).response["violations"]
    return [f"{name}: {v['id']} ({v['impact']}): {v['help']} [{v['nodes'][0]['target']}]" for v in found]


@pytest.mark.browser
def test_both_pages_on_a_phone_by_keyboard_with_no_accessibility_violation(
    browser: Any, demo_app: Any, demo_server: str
) -> None:
    """At 375 px: the administrator reaches the trail from the navigation, filters it and pages it with the
    keyboard alone, the patient reaches their list from "Today"; neither page is wider than the screen, and axe
    finds nothing on either (a refused filter too)."""
    from backstride import store
    from backstride._accounts import hash_password

    base = demo_server
    with store.transaction(demo_app.state.backstride.engine) as s:
        store.create_user(
            s, "audit@demo.backstride", "Avery Audit", "admin", password_hash=hash_password("demo-audit-2026")
        )
        alex = store.get_user_by_email(s, "alex@demo.backstride")
        assert alex is not None
        alex_id = alex.id
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    found: list[str] = []

    def sign_in_by_keyboard(email: str, password: str) -> None:
        page.goto(f"{base}/signin")
        page.get_by_label("Email").focus()
        page.keyboard.type(email)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        with page.expect_navigation():
            page.keyboard.press("Enter")

    def narrow(name: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{name} is {width} px wide"

    # the therapist opens Alex's record (the entry both pages show)
    sign_in_by_keyboard("therapist@demo.backstride", "demo-therapist")
    page.goto(f"{base}/patients/{alex_id}")
    page.get_by_role("button", name="Sign out").click()

    sign_in_by_keyboard("audit@demo.backstride", "demo-audit-2026")
    page.get_by_role("link", name="Audit trail").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Audit trail", level=1).is_visible()
    narrow("the audit trail")
    found += _axe_violations(page, "the audit trail")
    page.get_by_label("What").focus()
    page.keyboard.press("ArrowDown")  # Everything -> Added the account
    page.keyboard.press("ArrowDown")  # -> Signed in
    page.keyboard.press("ArrowDown")  # -> Opened the record
    page.get_by_label("To (day, included)").focus()
    page.keyboard.press("Tab")  # the "Show" button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "action=record_opened" in page.url
    first = page.locator("table.trail tbody tr").first
    assert "Dana Reyes" in first.inner_text() and "Alex Morgan" in first.inner_text()
    assert (
        first.locator("td").first.evaluate("td => getComputedStyle(td).display") == "block"
    )  # one line each
    narrow("the audit trail, filtered")
    page.goto(f"{base}/admin/audit?from=2026-12-05&to=2026-12-01")
    assert page.locator("#filters-problems").is_visible()
    found += _axe_violations(page, "the audit trail, a filter refused")
    page.get_by_role("button", name="Sign out").click()

    sign_in_by_keyboard("alex@demo.backstride", "demo-alex-2026")
    page.get_by_role("link", name="Who has opened your record").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert (
        page.locator("ul.trail li")
        .first.inner_text()
        .endswith("Dana Reyes (physical therapist, clinician) opened your record.")
    )
    narrow("who has opened your record")
    found += _axe_violations(page, "who has opened your record")
    context.close()
    assert found == [], "accessibility violations:\n" + "\n".join(found)


def test_the_patients_list_waits_behind_the_emergency_stop_as_every_page_of_theirs(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    assert check_in(client, clinic.patient_a, saddle_numbness="yes").status_code == 200
    page = client.get(f"/patients/{clinic.patient_a}/record-access")
    assert page.status_code == 200
    assert 'id="emergency-number">911<' in page.text
    assert "Who has opened your record" not in page.text
