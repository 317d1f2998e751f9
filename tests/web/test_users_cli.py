"""``backstride users``: accounts made, listed and given a way back in from the command line, tried in the
web app on the same database (a link it prints opens the welcome page, a password it prints signs in)."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import PASSWORD, SECRET, Clinic, account_of, csrf_of, sign_in

from backstride.cli import main

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

LOCAL_LINK = re.compile(r"^  http://127\.0\.0\.1:8000/welcome\?token=([A-Za-z0-9_-]+)$", re.MULTILINE)
PASSWORD_LINE = re.compile(r"^Password \(shown only now; hand it on privately\): (\S+)$", re.MULTILINE)


@pytest.fixture(autouse=True)
def _no_public_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACKSTRIDE_PUBLIC_URL", raising=False)


@pytest.fixture
def web(clinic: Clinic) -> Any:
    """Browsers on the clinic's web app, made as ``backstride serve`` makes it (``create_app(url, blobdir)``)."""
    from backstride.web import create_app

    clients: list[TestClient] = []

    def browser() -> TestClient:
        client = TestClient(
            create_app(clinic.url, clinic.blob_dir, secret_key=SECRET), follow_redirects=False
        )
        client.__enter__()
        clients.append(client)
        return client

    yield browser
    for client in clients:
        client.__exit__(None, None, None)


def users(clinic: Clinic, *args: str) -> int:
    return main(["users", *args, "--database-url", clinic.url])


def choose_password(browser: TestClient, token: str, password: str = "a new password 1") -> Any:
    page = browser.get("/welcome", params={"token": token})
    assert page.status_code == 200, page.text
    form = {
        "token": token,
        "password": password,
        "password2": password,
        "csrf_token": csrf_of(browser, "/signin"),
    }
    return browser.post("/welcome", data=form)


def test_a_link_from_users_add_lets_the_new_clinician_choose_a_password_and_see_the_caseload(
    clinic: Clinic, web: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(clinic, "add", "Nora@Clinic.test", "--name", "Nora New") == 0
    out = capsys.readouterr().out
    lapses = (dt.datetime.now(dt.UTC) + dt.timedelta(days=14)).strftime("%Y-%m-%d")
    assert out.startswith("Added clinician Nora New <nora@clinic.test>.\n")
    assert f"it works once, until {lapses} " in out
    assert (
        "open it at the address the app is served on (give it with --public-url or $BACKSTRIDE_PUBLIC_URL)"
        in out
    )
    found = LOCAL_LINK.search(out)
    assert found, out

    browser = web()
    welcome = browser.get("/welcome", params={"token": found.group(1)})
    assert welcome.status_code == 200 and "Welcome, Nora New" in welcome.text
    chosen = choose_password(browser, found.group(1))
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/caseload")
    caseload = browser.get("/caseload")
    assert caseload.status_code == 200 and "No patients yet" in caseload.text
    again = web().get("/welcome", params={"token": found.group(1)})
    assert again.status_code == 404  # the link worked once
    sign_in(web(), "nora@clinic.test", "a new password 1")


@pytest.mark.parametrize("how", ["option", "environment"])
def test_the_link_is_on_the_public_address_when_one_is_given(
    clinic: Clinic, web: Any, how: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if how == "option":
        given = ["--public-url", "https://example.org/backstride/"]
    else:
        monkeypatch.setenv("BACKSTRIDE_PUBLIC_URL", "https://example.org/backstride/")
        given = []
    assert users(clinic, "add", "nora@clinic.test", "--name", "Nora New", *given) == 0
    out = capsys.readouterr().out
    found = re.search(
        r"^  https://example\.org/backstride/welcome\?token=([A-Za-z0-9_-]+)$", out, re.MULTILINE
    )
    assert found, out
    assert "127.0.0.1" not in out
    assert web().get("/welcome", params={"token": found.group(1)}).status_code == 200


def test_a_generated_password_from_users_add_signs_an_admin_in(
    clinic: Clinic, web: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        users(clinic, "add", "ada@clinic.test", "--name", "Ada Admin", "--role", "admin", "--password") == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("Added admin Ada Admin <ada@clinic.test>.\n") and "welcome" not in out
    found = PASSWORD_LINE.search(out)
    assert found, out
    browser = web()
    sign_in(browser, "ada@clinic.test", found.group(1))
    assert browser.get("/caseload").status_code == 200


def test_access_with_a_password_ends_a_session_signed_in_before(
    clinic: Clinic, web: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    before = web()
    sign_in(before, "anna@clinic.test")
    assert before.get("/caseload").status_code == 200

    assert users(clinic, "access", "anna@clinic.test", "--password") == 0
    out = capsys.readouterr().out
    assert "every session they had signed in is ended" in out
    found = PASSWORD_LINE.search(out)
    assert found, out

    ended = before.get("/caseload")
    assert (ended.status_code, ended.headers["location"]) == (303, "/signin")
    old = web()
    refused = old.post(
        "/signin", data={"email": "anna@clinic.test", "password": PASSWORD, "csrf_token": csrf_of(old)}
    )
    assert refused.status_code != 303  # the old password no longer works
    after = web()
    sign_in(after, "anna@clinic.test", found.group(1))
    assert after.get("/caseload").status_code == 200


def test_a_second_access_link_kills_the_first_and_the_password_works_until_one_is_used(
    clinic: Clinic, web: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_in = web()
    sign_in(signed_in, "anna@clinic.test")
    tokens = []
    for _ in range(2):
        assert users(clinic, "access", "anna@clinic.test") == 0
        out = capsys.readouterr().out
        assert (
            "Their current password and sessions keep working until this link is used; choosing a password "
            "with it ends every other session of theirs." in " ".join(out.split())
        )
        found = LOCAL_LINK.search(out)
        assert found, out
        tokens.append(found.group(1))
    first, second = tokens
    assert web().get("/welcome", params={"token": first}).status_code == 404
    assert signed_in.get("/caseload").status_code == 200
    sign_in(web(), "anna@clinic.test")  # the password still works
    assert choose_password(web(), second).status_code == 303
    assert signed_in.get("/caseload", follow_redirects=False).status_code in (303, 307)  # as the CLI said


def _set_link_given(clinic: Clinic, email: str, when: dt.datetime) -> None:
    from backstride import store

    with clinic_db(clinic) as s:
        user = store.get_user_by_email(s, email)
        assert user is not None
        user.first_login_issued_at = when


def test_users_list_says_how_each_account_gets_in_and_never_a_secret(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    from backstride import store

    assert users(clinic, "add", "lapsed@clinic.test", "--name", "Lars Lapsed") == 0
    assert users(clinic, "add", "fresh@clinic.test", "--name", "Fran Fresh", "--role", "admin") == 0
    assert users(clinic, "access", "paula@home.test") == 0
    printed = capsys.readouterr().out
    _set_link_given(clinic, "lapsed@clinic.test", dt.datetime.now(dt.UTC) - dt.timedelta(days=15))
    with clinic_db(clinic) as s:
        store.create_user(s, "none@clinic.test", "Nel None", "clinician")
        store.link_patient(s, clinic.clinician_a, clinic.patient_b)
    lapses = (dt.datetime.now(dt.UTC) + dt.timedelta(days=14)).strftime("%Y-%m-%d")

    assert users(clinic, "list") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["patient", "paula@home.test"],
        ["patient", "peter@home.test"],
        ["clinician", "anna@clinic.test"],
        ["clinician", "ben@clinic.test"],
        ["clinician", "lapsed@clinic.test"],
        ["clinician", "none@clinic.test"],
        ["admin", "fresh@clinic.test"],
    ]
    said = {line.split()[1]: line for line in lines}
    assert said["anna@clinic.test"].endswith("Anna Therapist  password; 2 patients")
    assert said["ben@clinic.test"].endswith("password; 1 patient")
    assert said["lapsed@clinic.test"].endswith("Lars Lapsed     first-login link lapsed; 0 patients")
    assert said["none@clinic.test"].endswith("no password yet; 0 patients")
    assert said["fresh@clinic.test"].endswith(f"first-login link until {lapses}; 0 patients")
    assert said["paula@home.test"].endswith(f"password, first-login link until {lapses}")
    assert said["peter@home.test"].endswith("Peter Patient   password")
    tokens = re.findall(r"token=([A-Za-z0-9_-]+)", printed)
    assert len(tokens) == 3 and not any(token in out for token in tokens)
    assert "argon2" not in out and not re.search(r"[0-9a-f]{64}", out)

    assert users(clinic, "list", "--role", "admin") == 0
    assert capsys.readouterr().out == (  # its own columns' widths
        f"admin      fresh@clinic.test  Fran Fresh  first-login link until {lapses}; 0 patients\n"
    )


def _care_links(clinic: Clinic) -> list[tuple[str, str]]:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return sorted(
            (clinician.email, patient.email)
            for clinician in store.users_list(s, ("clinician", "admin"))
            for patient in store.patients_of(s, clinician.id)
        )


def test_a_covering_therapist_is_linked_and_unlinked(
    clinic: Clinic, web: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(clinic, "link", "ben@clinic.test", "paula@home.test") == 0
    assert (
        capsys.readouterr().out
        == "Ben Therapist <ben@clinic.test> now looks after Paula Patient <paula@home.test>\n"
    )
    assert ("ben@clinic.test", "paula@home.test") in _care_links(clinic)
    browser = web()
    sign_in(browser, "ben@clinic.test")
    assert "Paula Patient" in browser.get("/caseload").text
    assert users(clinic, "link", "ben@clinic.test", "paula@home.test") == 0
    assert "already looks after" in capsys.readouterr().out

    assert users(clinic, "unlink", "ben@clinic.test", "paula@home.test") == 0
    assert capsys.readouterr().out == (
        "Ben Therapist <ben@clinic.test> no longer looks after Paula Patient <paula@home.test>\n"
    )
    assert "Paula Patient" not in browser.get("/caseload").text
    assert users(clinic, "unlink", "anna@clinic.test", "paula@home.test") == 0
    assert capsys.readouterr().out.endswith(
        "(no clinician looks after them now: link one with backstride users link)\n"
    )
    assert _care_links(clinic) == [("ben@clinic.test", "peter@home.test")]


def _rows(clinic: Clinic) -> tuple[object, ...]:
    """Everything the commands could write: every user's row and every care link."""
    from sqlalchemy import text

    from backstride import store

    engine = store.make_engine(clinic.url)
    try:
        with engine.connect() as conn:
            people = conn.execute(text("SELECT * FROM users ORDER BY id")).all()
            links = conn.execute(text("SELECT * FROM care_links ORDER BY clinician_id, patient_id")).all()
            cutoffs = conn.execute(text("SELECT COUNT(*) FROM session_cutoffs")).scalar()
            return tuple(map(tuple, people)), tuple(map(tuple, links)), cutoffs
    finally:
        engine.dispose()


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("backstride: error: "), captured
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    return captured.err.removeprefix("backstride: error: ").rstrip("\n")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["add", "anna@clinic.test", "--name", "Anna Again"], "anna@clinic.test already has an account"),
        (
            ["add", "ANNA@clinic.test ", "--name", "Anna Again", "--password"],
            "anna@clinic.test already has an account",
        ),
        (["add", "not-an-email", "--name", "Nora"], "not an e-mail address: 'not-an-email'"),
        (
            ["add", "pia@home.test", "--name", "Pia", "--role", "patient"],
            "patients are added by their clinician in the web app (New patient, /clinician/patients/new): "
            "they need a profile and a care link",
        ),
        (
            ["add", "nina@clinic.test", "--name", "Nina", "--role", "nurse"],
            "--role must be clinician or admin, not 'nurse'",
        ),
        (
            ["add", "nina@clinic.test", "--name", "N" * 201],
            "a name of at most 200 characters is needed (this one has 201)",
        ),
        (["add", "nina@clinic.test", "--name", "   "], "a name is required"),
        (
            ["add", "nina@clinic.test", "--name", "Nina", "--public-url", "clinic.example.org"],
            "the public address must be an http or https address such as https://clinic.example.org, "
            "got 'clinic.example.org'",
        ),
        (
            ["access", "nobody@clinic.test"],
            "no account has the e-mail address nobody@clinic.test (see backstride users list)",
        ),
        (
            ["access", "nobody@clinic.test", "--password"],
            "no account has the e-mail address nobody@clinic.test (see backstride users list)",
        ),
        (
            ["access", "anna@clinic.test", "--public-url", "ftp://clinic.example.org"],
            "the public address must be",
        ),
        (
            ["link", "paula@home.test", "peter@home.test"],
            "paula@home.test is a patient, not a clinician or admin",
        ),
        (["link", "ben@clinic.test", "anna@clinic.test"], "anna@clinic.test is a clinician, not a patient"),
        (
            ["link", "ben@clinic.test", "nobody@home.test"],
            "no account has the e-mail address nobody@home.test",
        ),
        (
            ["unlink", "ben@clinic.test", "paula@home.test"],
            "ben@clinic.test does not look after paula@home.test; nothing was changed",
        ),
        (
            ["unlink", "peter@home.test", "paula@home.test"],
            "peter@home.test is a patient, not a clinician or admin",
        ),
        (["list", "--role", "nurse"], "--role must be one of patient, clinician, admin, not 'nurse'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    clinic: Clinic, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _rows(clinic)
    assert users(clinic, *args) == 2
    assert _one_error_line(capsys).startswith(said)
    assert _rows(clinic) == before


def test_a_database_not_at_the_newest_revision_is_refused_with_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from backstride import store

    url = f"sqlite:///{tmp_path / 'old.db'}"
    store.upgrade(url, "0004")
    before = (tmp_path / "old.db").read_bytes()
    for args in (
        ["add", "nora@clinic.test", "--name", "Nora"],
        ["list"],
        ["access", "nora@clinic.test"],
        ["close", "nora@clinic.test", "--reason", "left"],
        ["reopen", "nora@clinic.test"],
    ):
        assert main(["users", *args, "--database-url", url]) == 2
        assert _one_error_line(capsys) == (
            f"the database at {url} is at revision 0004, not the newest ({store.head_revision()}): bring it up to "
            "date with backstride db upgrade first; nothing was written"
        )
    assert (tmp_path / "old.db").read_bytes() == before
    assert store.current_revision(url) == "0004"


@pytest.mark.parametrize(
    "args",
    [
        ["add", "nora@clinic.test", "--name", "Nora"],
        ["close", "nora@clinic.test", "--reason", "left"],
        ["reopen", "nora@clinic.test", "--password"],
    ],
)
def test_no_database_is_made_by_users(
    tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "clinic" / "backstride.db"
    assert main(["users", *args, "--database-url", f"sqlite:///{missing}"]) == 2
    assert _one_error_line(capsys) == (
        f"no database at {missing} (give --database-url, or create one: backstride db upgrade)"
    )
    assert not missing.parent.exists()


def test_another_programs_database_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    path = tmp_path / "export.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accelerometer (time REAL, x REAL)")
    conn.close()
    before = path.read_bytes()
    for args in (["list"], ["close", "nora@clinic.test", "--reason", "left"], ["reopen", "nora@clinic.test"]):
        assert main(["users", *args, "--database-url", f"sqlite:///{path}"]) == 2
        assert _one_error_line(capsys).endswith(
            "is not a backstride database (it holds the table accelerometer and no backstride revision); "
            "nothing was written"
        )
    assert path.read_bytes() == before


# --------------------------------------------------------------------------------------- close and reopen
def _today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%d %b %Y")


def _account_row(clinic: Clinic, email: str) -> tuple[object, ...]:
    """What closing keeps of an account: when, by whom and why, and whether a password or a link is left."""
    user = account_of(clinic, email)
    return (
        user.closed_at is not None,
        user.closed_by_id,
        user.closed_reason,
        user.password_hash is not None,
        user.first_login_token_hash is not None,
    )


def test_a_closed_clinician_cannot_sign_in_their_session_ends_and_their_patients_left_alone_are_named(
    clinic: Clinic, web: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    before = web()
    sign_in(before, "ben@clinic.test")
    assert before.get("/caseload").status_code == 200

    assert users(clinic, "close", "ben@clinic.test", "--reason", " left the\n clinic ") == 0
    assert capsys.readouterr().out == (
        "Closed the account of clinician Ben Therapist <ben@clinic.test> (left the clinic): they can no longer "
        "sign in and every session of theirs is ended; every record is kept; backstride users reopen "
        "ben@clinic.test opens it again.\n"
        "No clinician with an open account looks after 1 of their patients in care now (link one with backstride "
        "users link CLINICIAN PATIENT):\n"
        "  Peter Patient <peter@home.test>\n"
    )
    assert _account_row(clinic, "ben@clinic.test") == (True, None, "left the clinic", False, False)
    assert ("ben@clinic.test", "peter@home.test") in _care_links(clinic)  # the care link stays

    ended = before.get("/caseload")
    assert (ended.status_code, ended.headers["location"]) == (303, "/signin")
    again = web()
    refused = again.post(
        "/signin", data={"email": "ben@clinic.test", "password": PASSWORD, "csrf_token": csrf_of(again)}
    )
    assert refused.status_code != 303
    assert again.get("/caseload").status_code == 303


def test_closing_a_clinician_names_only_the_patients_no_open_account_looks_after(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(clinic, "link", "anna@clinic.test", "peter@home.test") == 0
    assert users(clinic, "link", "ben@clinic.test", "paula@home.test") == 0
    capsys.readouterr()
    assert users(clinic, "close", "ben@clinic.test", "--reason", "left") == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "No clinician" not in out  # Anna looks after both

    assert users(clinic, "close", "paula@home.test", "--reason", "discharged") == 0
    assert users(clinic, "close", "anna@clinic.test", "--reason", "retired") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2:] == [  # Ben, who also looks after both, is closed too; Paula's care has ended
        "No clinician with an open account looks after 1 of their patients in care now (link one with backstride "
        "users link CLINICIAN PATIENT):",
        "  Peter Patient <peter@home.test>",
    ]


def test_closing_a_patient_ends_their_way_in_and_reopening_gives_a_working_link(
    clinic: Clinic, web: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(clinic, "access", "paula@home.test") == 0  # a link as well as the password
    old_link = LOCAL_LINK.search(capsys.readouterr().out)
    assert old_link
    assert users(clinic, "close", "paula@home.test", "--reason", "care completed") == 0
    assert capsys.readouterr().out == (
        "Closed the account of patient Paula Patient <paula@home.test> (care completed): they can no longer "
        "sign in and every session of theirs is ended; every record is kept; backstride users reopen "
        "paula@home.test opens it again.\n"
    )
    assert web().get("/welcome", params={"token": old_link.group(1)}).status_code == 404

    assert users(clinic, "reopen", "paula@home.test") == 0
    out = capsys.readouterr().out
    assert out.startswith(
        f"Reopened the account of patient Paula Patient <paula@home.test>, closed on {_today()} (care "
        "completed).\nFirst-login link (shown only now; it works once, until "
    )
    assert out.endswith("Their old password no longer works: the link is their way in.\n")
    assert _account_row(clinic, "paula@home.test") == (False, None, None, False, True)
    found = LOCAL_LINK.search(out)
    assert found, out
    browser = web()
    assert choose_password(browser, found.group(1)).status_code == 303
    sign_in(web(), "paula@home.test", "a new password 1")


def test_reopening_with_a_generated_password_signs_the_clinician_in(
    clinic: Clinic, web: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(clinic, "close", "anna@clinic.test", "--reason", "on leave") == 0
    assert users(clinic, "reopen", "anna@clinic.test", "--password") == 0
    out = capsys.readouterr().out
    assert "welcome" not in out
    found = PASSWORD_LINE.search(out)
    assert found, out
    browser = web()
    sign_in(browser, "anna@clinic.test", found.group(1))
    assert "Paula Patient" in browser.get("/caseload").text  # her care links stayed


def test_users_list_says_when_and_why_an_account_was_closed(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(clinic, "close", "ben@clinic.test", "--reason", "left the clinic") == 0
    assert users(clinic, "close", "peter@home.test", "--reason", "discharged") == 0
    capsys.readouterr()
    assert users(clinic, "list") == 0
    said = {line.split()[1]: line for line in capsys.readouterr().out.splitlines()}
    assert said["ben@clinic.test"].endswith(f"closed {_today()} (left the clinic); 1 patient")
    assert said["peter@home.test"].endswith(f"Peter Patient   closed {_today()} (discharged)")
    assert said["anna@clinic.test"].endswith("password; 1 patient")


def test_a_closed_patient_can_be_linked_to_a_covering_clinician(
    clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    assert users(clinic, "close", "peter@home.test", "--reason", "discharged") == 0
    assert users(clinic, "link", "anna@clinic.test", "peter@home.test") == 0
    assert capsys.readouterr().out.endswith(
        "Anna Therapist <anna@clinic.test> now looks after Peter Patient <peter@home.test>\n"
    )
    assert ("anna@clinic.test", "peter@home.test") in _care_links(clinic)


def _close(clinic: Clinic, email: str, reason: str) -> None:
    from backstride import store

    with clinic_db(clinic) as s:
        user = store.get_user_by_email(s, email)
        assert user is not None
        store.close_account(s, user.id, reason, by_id=None, session_max_age_s=3600)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["close", "nobody@clinic.test", "--reason", "left"],
            "no account has the e-mail address nobody@clinic.test (see backstride users list)",
        ),
        (
            ["close", "ben@clinic.test"],
            "--reason is required: say why the account is closed (for example: discharged, care completed)",
        ),
        (
            ["close", "anna@clinic.test", "--reason", " \n "],
            "say why the account is closed (for example: discharged, care completed)",
        ),
        (
            ["close", "anna@clinic.test", "--reason", "x" * 501],
            "the reason is 501 characters long; keep it to 500",
        ),
        (
            ["close", "ben@clinic.test", "--reason", "twice"],
            "the account of ben@clinic.test was closed already, on {today}",
        ),
        (
            ["reopen", "anna@clinic.test"],
            "the account of anna@clinic.test is open; backstride users access anna@clinic.test gives a new way in",
        ),
        (
            ["reopen", "nobody@clinic.test", "--password"],
            "no account has the e-mail address nobody@clinic.test",
        ),
        (["reopen", "ben@clinic.test", "--public-url", "clinic.example.org"], "the public address must be"),
        (
            ["access", "ben@clinic.test"],
            "the account of ben@clinic.test was closed on {today}; reopen it before giving it a way in: "
            "backstride users reopen ben@clinic.test does both",
        ),
        (
            ["access", "ben@clinic.test", "--password"],
            "the account of ben@clinic.test was closed on {today}; reopen it before giving it a way in: "
            "backstride users reopen ben@clinic.test does both",
        ),
        (
            ["link", "ben@clinic.test", "paula@home.test"],
            "the account of ben@clinic.test was closed on {today}; reopen it first "
            "(backstride users reopen ben@clinic.test)",
        ),
    ],
)
def test_a_refused_close_reopen_or_way_in_is_one_line_and_writes_nothing(
    clinic: Clinic, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _close(clinic, "ben@clinic.test", "left the clinic")
    before = _rows(clinic)
    assert users(clinic, *args) == 2
    assert _one_error_line(capsys).startswith(said.format(today=_today()))
    assert _rows(clinic) == before


def test_users_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert re.search(r"^\W*users\s", capsys.readouterr().out, re.MULTILINE)


def test_users_and_audit_commands_load_neither_the_web_app_nor_fastapi(tmp_path: Path) -> None:
    """``backstride users`` applies the rules of accounts (hashing, a link's lifetime, the public address) and
    ``backstride audit`` reads the trail without the web app: importing ``backstride.web`` loads FastAPI and the
    whole app, about a second of every command."""
    import json
    import subprocess
    import sys

    from backstride import store

    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    store.upgrade(url)
    code = (
        "import json, sys\n"
        "from backstride.cli import main\n"
        f"url = {url!r}\n"
        "codes = [main(['users', *args, '--database-url', url]) for args in (\n"
        "    ['add', 'nora@clinic.test', '--name', 'Nora New', '--public-url', 'https://example.org'],\n"
        "    ['add', 'ada@clinic.test', '--name', 'Ada Admin', '--role', 'admin', '--password'],\n"
        "    ['access', 'nora@clinic.test'],\n"
        "    ['access', 'ada@clinic.test', '--password'],\n"
        "    ['close', 'nora@clinic.test', '--reason', 'left'],\n"
        "    ['reopen', 'nora@clinic.test', '--public-url', 'https://example.org'],\n"
        "    ['list'],\n"
        ")] + [main(['audit', *args, '--database-url', url]) for args in (\n"
        "    ['--json', '--about', 'nora@clinic.test', '--action', 'account_closed'],\n"
        "    ['--by', 'ada@clinic.test', '--since', '2020-01-01', '--until', '2999-12-31'],\n"
        ")]\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette')\n"
        "                or m == 'backstride.web' or m.startswith('backstride.web.'))\n"
        "print(json.dumps({'codes': codes, 'loaded': loaded}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    *said, last = done.stdout.splitlines()
    assert json.loads(last) == {"codes": [0] * 9, "loaded": []}
    assert "  https://example.org/welcome?token=" in "\n".join(said)
    listed = said.index("admin      ada@clinic.test   Ada Admin  password; 0 patients")
    assert said[listed - 1 : listed + 1] == [
        "clinician  nora@clinic.test  Nora New   first-login link until "
        f"{(dt.datetime.now(dt.UTC) + dt.timedelta(days=14)):%Y-%m-%d}; 0 patients",
        "admin      ada@clinic.test   Ada Admin  password; 0 patients",
    ]
    (closed,) = json.loads("\n".join(said[listed + 1 : -1]))
    assert (closed["actor"], closed["subject"]["email"], closed["detail"]) == (
        None,
        "nora@clinic.test",
        "left",
    )
    assert said[-1] == "no entries match (the audit trail has 7)"  # Ada did nothing herself
