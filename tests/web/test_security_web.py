"""The security review's findings, each pinned: sign-in throttling, error pages, headers, sign-out."""

from __future__ import annotations

import datetime as dt
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.conftest import clinic_db
from tests.web.conftest import PASSWORD, Clinic, csrf_of, post, sign_in

from backstride import store
from backstride.web._context import SESSION_COOKIE
from backstride.web._security import EndedSessions, Signer, SignInThrottle

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def engine(clinic: Clinic) -> Iterator[Engine]:
    """The test clinic's (migrated) database, where the sign-in records are kept."""
    made = store.make_engine(clinic.url)
    yield made
    made.dispose()


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_counts_failures_in_a_window_and_forgets_them(engine: Engine) -> None:
    clock = _Clock()
    throttle = SignInThrottle(engine, 3, 5, 60.0, clock=clock)
    for _ in range(3):
        assert throttle.retry_after("Paula@Home.test ", "10.0.0.1") is None
        throttle.failed("paula@home.test", "10.0.0.1")
        clock.now += 10
    # the third failure reached the limit: the oldest (at 1000) leaves the window at 1060, 30 s from now
    assert throttle.retry_after("paula@home.test", "10.0.0.1") == 30.0
    # the same account from another address is let through: the limit is for the account at this address
    assert throttle.retry_after("paula@home.test", "10.0.0.2") is None
    # another account from the same address is still let through (5 per address)
    assert throttle.retry_after("peter@home.test", "10.0.0.1") is None
    clock.now += 30
    assert throttle.retry_after("paula@home.test", "10.0.0.1") is None


def test_throttle_per_address_and_success_clears_only_the_account_at_that_address(engine: Engine) -> None:
    clock = _Clock()
    throttle = SignInThrottle(engine, 3, 4, 60.0, clock=clock)
    for n in range(4):
        throttle.failed(f"guess{n}@nowhere.test", "10.0.0.9")  # accounts that do not exist count too
    assert throttle.retry_after("anyone@home.test", "10.0.0.9") == 60.0
    assert throttle.retry_after("anyone@home.test", "10.0.0.8") is None
    throttle.failed("paula@home.test", "10.0.0.1")
    throttle.failed("paula@home.test", "10.0.0.1")
    throttle.succeeded("paula@home.test", "10.0.0.1")
    throttle.failed("paula@home.test", "10.0.0.1")
    assert throttle.retry_after("paula@home.test", "10.0.0.1") is None


def test_a_stranger_locks_out_only_their_own_address_until_the_accounts_backstop(engine: Engine) -> None:
    clock = _Clock()
    throttle = SignInThrottle(engine, 3, 50, 60.0, per_account=8, clock=clock)
    for _ in range(3):
        throttle.failed("paula@home.test", "203.0.113.9")  # a stranger guessing Paula's password
    assert throttle.retry_after("paula@home.test", "203.0.113.9") == 60.0
    assert throttle.retry_after("paula@home.test", "198.51.100.7") is None  # Paula at home signs in
    # guessing from many addresses, each under its own limit, meets the account's looser limit
    for n in range(4):
        throttle.failed("Paula@home.test", f"10.0.0.{n}")
        clock.now += 1
    assert throttle.retry_after("paula@home.test", "198.51.100.7") is None  # 7 of 8
    throttle.failed("paula@home.test", "10.0.0.9")
    # 8 failures: the oldest (at 1000) leaves the window at 1060, 56 s after now (1004); from any address
    assert throttle.retry_after("paula@home.test", "198.51.100.7") == 56.0
    assert throttle.retry_after("peter@home.test", "198.51.100.7") is None
    # Paula's own sign-in clears her address's failures, not the account's: it would give guessers more
    throttle.succeeded("paula@home.test", "198.51.100.7")
    assert throttle.retry_after("paula@home.test", "198.51.100.7") == 56.0
    clock.now += 56
    assert throttle.retry_after("paula@home.test", "198.51.100.7") is None
    assert throttle.retry_after("paula@home.test", "203.0.113.9") is None


def test_throttle_deletes_failures_that_left_the_window_so_its_table_stays_small(engine: Engine) -> None:
    clock = _Clock()
    throttle = SignInThrottle(engine, 3, 3, 60.0, per_account=30, clock=clock)
    for n in range(100):
        throttle.failed(f"guess{n}@nowhere.test", f"10.0.0.{n}")
        clock.now += 1
    # the failures of the last 60 s are kept (the one at exactly 60 s has left the window), no older one
    with store.transaction(engine, readonly=True) as db:
        assert store.signin_failure_count(db) == 60
        since_1970 = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        assert store.failed_signins(db, since_1970, address="10.0.0.0", limit=9) == []
        assert store.failed_signins(db, since_1970, address="10.0.0.99", limit=9) == [
            dt.datetime.fromtimestamp(1099, dt.UTC)
        ]


def _sign_in_form(client: Any, email: str, password: str) -> Any:
    return client.post("/signin", data={"email": email, "password": password, "csrf_token": csrf_of(client)})


def test_wrong_passwords_are_throttled_per_account(client: Any, clinic: Clinic) -> None:
    for n in range(10):
        assert _sign_in_form(client, "paula@home.test", f"wrong guess {n}").status_code == 401
    refused = _sign_in_form(client, "PAULA@home.test", PASSWORD)  # even the right password, now
    assert refused.status_code == 429
    assert "too many wrong passwords" in refused.text
    assert 14 * 60 < int(refused.headers["retry-after"]) <= 15 * 60
    assert "set-cookie" not in refused.headers or "u" not in refused.headers["set-cookie"]
    assert client.get(f"/patients/{clinic.patient_a}").status_code == 303  # not signed in
    # the same message and status for an address that has no account: it tells nothing of who exists
    for n in range(10):
        assert _sign_in_form(client, "nobody@home.test", f"wrong guess {n}").status_code == 401
    assert _sign_in_form(client, "nobody@home.test", PASSWORD).status_code == 429
    # another person at the same computer still signs in
    assert _sign_in_form(client, "peter@home.test", PASSWORD).status_code == 303


def test_a_stranger_cannot_lock_a_patient_out(client: Any, clinic: Clinic) -> None:
    stranger = TestClient(client.app, follow_redirects=False, client=("203.0.113.9", 50000))
    for n in range(10):
        assert _sign_in_form(stranger, "paula@home.test", f"wrong guess {n}").status_code == 401
    assert _sign_in_form(stranger, "paula@home.test", PASSWORD).status_code == 429
    paula = TestClient(client.app, follow_redirects=False, client=("198.51.100.7", 50000))
    assert _sign_in_form(paula, "paula@home.test", PASSWORD).status_code == 303
    assert paula.get(f"/patients/{clinic.patient_a}").status_code == 200
    # the account's own looser limit, counted from every address, still stops guessing from many
    # a quarter of an hour later (the stranger's failures have left the window), with tighter limits
    client.app.state.backstride.throttle = SignInThrottle(
        client.app.state.backstride.engine, 2, 50, 600.0, per_account=4, clock=lambda: time.time() + 900
    )
    for n in range(2):
        guesser = TestClient(client.app, follow_redirects=False, client=(f"203.0.113.{n}", 50000))
        for _ in range(2):
            assert _sign_in_form(guesser, "paula@home.test", "wrong").status_code == 401
    paula.cookies.clear()
    assert _sign_in_form(paula, "paula@home.test", PASSWORD).status_code == 429


def test_the_throttle_lets_go_after_its_window(client: Any, clinic: Clinic) -> None:
    clock = _Clock()
    client.app.state.backstride.throttle = SignInThrottle(
        client.app.state.backstride.engine, 2, 50, 600.0, clock=clock
    )
    for _ in range(2):
        assert _sign_in_form(client, "paula@home.test", "wrong").status_code == 401
    assert _sign_in_form(client, "paula@home.test", PASSWORD).status_code == 429
    clock.now += 600
    assert _sign_in_form(client, "paula@home.test", PASSWORD).status_code == 303


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


def _has_security_headers(response: Any) -> bool:
    return all(response.headers.get(k) == v for k, v in SECURITY_HEADERS.items()) and (
        "frame-ancestors 'none'" in response.headers.get("content-security-policy", "")
    )


def test_an_id_too_large_for_the_database_is_not_found(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    for url in (
        "/patients/99999999999999999999999",
        f"/patients/{clinic.patient_a}/recordings/99999999999999999999999",
        f"/patients/{clinic.patient_a}/recordings/99999999999999999999999/report.html",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "There is no such page." in response.text and _has_security_headers(response)
    # digits that are not ASCII ("²" is a digit to str.isdigit, not to int) are no number at all
    assert client.get("/patients/%C2%B2").status_code == 422
    assert client.post("/signin", headers={"content-length": "²".encode("latin-1")}).status_code == 400


# the path parameters named ``..._id`` that are no database row's id: a job's (in memory), a questionnaire's and
# an exercise's of the library
_TEXT_IDS = {"job_id": "no-such-job", "instrument_id": "nprs", "exercise_id": "drawing_in"}
# beyond a PostgreSQL ``integer`` (2**31 - 1) or below 1, as a number and in spellings ``int`` takes too
_OUT_OF_RANGE = ("2147483648", "3000000000", "99999999999999999999999", "+3000000000", "3_000_000_000")
_OUT_OF_RANGE += ("0", "-1", "-3000000000")


def _api_routes(routes: Any) -> Any:
    """The app's routes, those of its included routers too (FastAPI 0.165 keeps them in the router)."""
    from fastapi.routing import APIRoute

    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _api_routes(inner.routes)
        elif isinstance(route, APIRoute):
            yield route


def _after_the_session_check(statements: list[str]) -> list[str]:
    """The statements a request ran after the one every request starts with, the check that its session was
    not ended (``ended_sessions``, in a read-only transaction of its own, before any route runs)."""
    checks = [n for n, sql in enumerate(statements) if "ended_sessions" in sql]
    assert checks, statements
    return statements[checks[0] + 1 :]


def test_no_id_outside_the_databases_range_reaches_the_database(client: Any, clinic: Clinic) -> None:
    """Every route with an id in its path, found from the app itself (a route added later is checked too),
    answers an id no database column can hold with 404 before any query: PostgreSQL's ``integer`` ends at
    2**31 - 1 and fails (a 500) on more, where SQLite just finds no row."""
    from sqlalchemy import event

    sign_in(client, "anna@clinic.test")  # the patient's own clinician: a query would find rows
    statements: list[str] = []
    engine = client.app.state.backstride.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    tried = set()
    try:
        for route in _api_routes(client.app.routes):
            ids = [p.name for p in route.dependant.path_params if p.name not in _TEXT_IDS]
            assert all(name.endswith("_id") for name in ids), route.path  # a new kind of parameter: add it
            for name in ids:
                for method in route.methods:
                    for bad in _OUT_OF_RANGE:
                        good = {"patient_id": str(clinic.patient_a), **_TEXT_IDS}
                        url = route.path.format_map(
                            {**{n: good.get(n, "1") for n in ids + list(_TEXT_IDS)}, name: bad}
                        )
                        statements.clear()
                        response = client.request(
                            method,
                            url,
                            data={"csrf_token": client.csrf},
                            headers={"X-CSRF-Token": client.csrf},
                        )
                        assert response.status_code == 404, (method, url, response.status_code)
                        assert "There is no such page." in response.text and _has_security_headers(response)
                        past = _after_the_session_check(statements)
                        assert past == [], (method, url, past)
                    tried.add((method, route.path, name))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    # the app's pages and forms with a patient's, a recording's, a questionnaire answer's, a staff account's or
    # a care team member's id, all of them
    assert len({path for _, path, _ in tried}) >= 28
    assert {name for _, _, name in tried} == {
        "patient_id",
        "recording_id",
        "response_id",
        "account_id",
        "clinician_id",
    }
    assert ("GET", "/patients/{patient_id}/recordings/{recording_id}/report.html", "recording_id") in tried


def test_an_unexpected_error_shows_our_page_without_traceback_or_sql(
    client: Any, monkeypatch: Any, caplog: Any
) -> None:
    from sqlalchemy.exc import OperationalError

    from backstride import store

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError(
            "SELECT users.password_hash FROM users WHERE email = ?", {}, Exception("locked")
        )

    monkeypatch.setattr(store, "get_user_by_email", broken)
    response = _sign_in_form(client, "paula@home.test", PASSWORD)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    for secret in ("SELECT", "password_hash", "Traceback", "OperationalError", "locked"):
        assert secret not in response.text
    assert _has_security_headers(response)
    assert "POST /signin failed" in caplog.text  # the details go to the server's log instead


def test_forms_other_than_uploads_refuse_a_large_body_before_reading_it(client: Any, clinic: Clinic) -> None:
    from backstride import store

    token = csrf_of(client)
    two_mb = b"x" * (2 * 1024 * 1024)
    # a file sent to the sign-in form was parsed (and kept in a temporary file) before the CSRF check: 403
    signin = client.post(
        "/signin",
        files={"file": ("big.bin", two_mb, "application/octet-stream")},
        data={"email": "paula@home.test", "password": PASSWORD, "csrf_token": token},
    )
    assert signin.status_code == 413 and "far more than this form takes" in signin.text
    assert _has_security_headers(signin)
    sign_in(client, "anna@clinic.test")
    url = f"/patients/{clinic.patient_a}/notes"
    assert post(client, url, {"text": "x" * (1100 * 1024)}).status_code == 413
    assert post(client, url, {"text": "a short note"}).status_code == 303
    with clinic_db(clinic, readonly=True) as s:
        assert [n.text for n in store.notes_of(s, clinic.patient_a)] == ["a short note"]
    chunked = client.post(
        url,
        content=iter([b"csrf_token=" + client.csrf.encode() + b"&text=streamed"]),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 411


def test_a_copy_of_a_signed_out_session_no_longer_works(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    copied = client.cookies.get(SESSION_COOKIE)  # say, left behind on a shared clinic computer
    thief = TestClient(client.app, follow_redirects=False)
    thief.cookies.set(SESSION_COOKIE, copied)
    assert thief.get(f"/patients/{clinic.patient_a}").status_code == 200
    out = post(client, "/signout", {})
    assert out.status_code == 303 and copied not in out.headers["set-cookie"]
    assert client.get(f"/patients/{clinic.patient_a}").headers["location"] == "/signin"
    after = thief.get(f"/patients/{clinic.patient_a}")
    assert after.status_code == 303 and after.headers["location"] == "/signin"
    assert copied not in after.headers["set-cookie"]  # given a visitor's session of its own
    # signing in again makes a new session that works
    sign_in(client, "paula@home.test")
    assert client.get(f"/patients/{clinic.patient_a}").status_code == 200


def test_ended_sessions_are_forgotten_once_they_would_have_lapsed(engine: Engine) -> None:
    now = [1_000_000.0]
    ended = EndedSessions(engine, clock=lambda: now[0])
    signer = Signer("k" * 32)
    first, _ = signer.new_session("7")
    second, _ = signer.new_session("8")
    ended.end(first, 3600)
    assert first in ended and second not in ended
    now[0] = first.issued_at + 3601  # the first token is refused for its age by now anyway
    ended.end(second, 3600)
    assert first not in ended and second in ended


def test_a_users_other_sessions_end_and_one_kept_goes_on(engine: Engine) -> None:
    from backstride.web._security import SessionData

    now = [1_000_000.0]
    ended = EndedSessions(engine, clock=lambda: now[0])
    earlier = SessionData("7", "earlier", now[0] - 60)
    visitor = SessionData(None, "visitor", now[0] - 60)
    someone_else = SessionData("8", "other", now[0] - 60)
    kept = SessionData("7", "kept", now[0])
    ended.end_others(kept, 3600)
    assert earlier in ended and kept not in ended
    assert visitor not in ended and someone_else not in ended
    assert SessionData("7", "later", now[0] + 1) not in ended  # a sign-in after the change
    now[0] += 3601  # every token from before has lapsed by now: the mark is forgotten at the next change
    ended.end_others(SessionData("8", "other's kept", now[0]), 3600)
    with store.transaction(engine, readonly=True) as db:
        assert store.ended_session_counts(db) == (0, 1)  # user 7's cut-off is gone, user 8's is kept


def test_session_cookie_flags_and_no_fixation(app_factory: Any, clinic: Clinic) -> None:
    secure = TestClient(
        app_factory(cookie_secure=True).app, base_url="https://testserver", follow_redirects=False
    )
    visitor = secure.get("/signin")
    cookie = visitor.headers["set-cookie"].lower()
    for flag in ("httponly", "samesite=lax", "secure", "path=/", "max-age=43200"):
        assert flag in cookie, flag
    planted = secure.cookies.get(SESSION_COOKIE)
    token = csrf_of(secure)
    signed_in = secure.post(
        "/signin", data={"email": "paula@home.test", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303 and "secure" in signed_in.headers["set-cookie"].lower()
    # the token from before sign-in (one an attacker could have planted) still signs nobody in
    attacker = TestClient(secure.app, base_url="https://testserver", follow_redirects=False)
    attacker.cookies.set(SESSION_COOKIE, planted)
    assert attacker.get(f"/patients/{clinic.patient_a}").status_code == 303


def _repetitive_zip(unpacked_mb: int) -> bytes:
    """A phyphox-like ZIP whose one CSV is a line repeated: it compresses several hundred times."""
    import io
    import zipfile

    buffer = io.BytesIO()
    line = b"0.01,0.0,0.0,9.81\n" * 4096
    header = b'"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"\n'
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("Raw Data.csv", "w") as member,
    ):
        member.write(header)
        for _ in range(unpacked_mb * 1024 * 1024 // len(line)):
            member.write(line)
    return buffer.getvalue()


def _repetitive_gzip(unpacked_mb: int) -> bytes:
    """A ``.csv.gz`` whose CSV is a line repeated: it compresses several hundred times."""
    import gzip

    line = b"0.01,0.0,0.0,9.81\n" * 4096
    text = b"time,acc_x,acc_y,acc_z\n" + line * (unpacked_mb * 1024 * 1024 // len(line))
    return gzip.compress(text, compresslevel=9)


# a bomb of each kind: the upload's name, the file, and what the refusal says it unpacks to. A ZIP states its
# members' sizes; a gzip file is counted as it unpacks, up to 20 times the limit (the gzip case failed before:
# a 100 kB .csv.gz unpacking to gigabytes was read whole into memory, a .cwa.gz unpacked onto the disk)
BOMBS = [
    ("walk.zip", "application/zip", _repetitive_zip, "26 MB"),
    ("walk.csv.gz", "application/gzip", _repetitive_gzip, "more than 21 MB"),
]


@pytest.mark.parametrize(("name", "kind", "make", "unpacks_to"), BOMBS)
def test_a_zip_or_gzip_bomb_is_refused_before_it_is_unpacked(
    app_factory: Any, clinic: Clinic, monkeypatch: Any, name: str, kind: str, make: Any, unpacks_to: str
) -> None:
    from backstride import store
    from backstride.web import _analysis

    def never(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the file was unpacked")

    monkeypatch.setattr(_analysis, "read_recording", never)
    monkeypatch.setattr(_analysis, "check_stream", never)
    client = app_factory(max_upload_bytes=1024 * 1024)  # a ZIP may unpack to 20 times this: 20 MB
    sign_in(client, "paula@home.test")
    bomb = make(25)
    assert len(bomb) < 200 * 1024
    response = client.post(
        f"/patients/{clinic.patient_a}/recordings",
        files={"file": (name, bomb, kind)},
        data={"csrf_token": client.csrf},
    )
    assert response.status_code == 413
    assert f"{name} would unpack to {unpacks_to}, far more than any recording" in response.text
    assert not any(client.app.state.backstride.spool.root.iterdir())
    with clinic_db(clinic, readonly=True) as s:
        assert store.recordings_of(s, clinic.patient_a) == []


def test_a_gzipped_loggers_file_is_unpacked_only_up_to_the_limit_and_refused_as_before(
    app_factory: Any, clinic: Clinic, monkeypatch: Any, tmp_path: Path
) -> None:
    # a .cwa.gz is unpacked once, to be read from what it unpacks to: a bomb is stopped at 20 times the upload
    # limit, with the same refusal as when it was only counted, and nothing of it is left
    import gzip
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    client = app_factory(max_upload_bytes=1024 * 1024)
    sign_in(client, "paula@home.test")
    bomb = gzip.compress(b"MD" + bytes(25 << 20), compresslevel=9)
    assert len(bomb) < 200 * 1024
    response = client.post(
        f"/patients/{clinic.patient_a}/recordings",
        files={"file": ("week.cwa.gz", bomb, "application/gzip")},
        data={"csrf_token": client.csrf},
    )
    assert response.status_code == 413
    assert "week.cwa.gz would unpack to more than 21 MB, far more than any recording" in response.text
    assert not any(scratch.iterdir())
    assert not any(client.app.state.backstride.spool.root.iterdir())


@pytest.mark.parametrize(("name", "kind", "make", "refused_for"), [
    ("walk.zip", "application/zip", _repetitive_zip, "time"),
    ("walk.csv.gz", "application/gzip", _repetitive_gzip, "does not advance"),
])  # fmt: skip
def test_a_small_zip_or_gzip_that_unpacks_to_much_is_checked_as_a_stream(
    app_factory: Any, clinic: Clinic, monkeypatch: Any, name: str, kind: str, make: Any, refused_for: str
) -> None:
    from backstride.web import _analysis

    whole: list[str] = []
    monkeypatch.setattr(_analysis, "read_recording", lambda path, options=None: whole.append(path.name))
    client = app_factory(stream_from_bytes=4 * 1024 * 1024)
    sign_in(client, "paula@home.test")
    small = make(6)
    assert len(small) < 100 * 1024
    response = client.post(
        f"/patients/{clinic.patient_a}/recordings",
        files={"file": (name, small, kind)},
        data={"csrf_token": client.csrf},
    )
    # checked on its start only (and refused for what it holds), never read whole into memory
    assert whole == []
    assert response.status_code == 422 and refused_for in response.text


def test_a_patients_name_cannot_break_the_download_header(client: Any, clinic: Clinic) -> None:
    from backstride import store

    with clinic_db(clinic) as s:
        patient = store.get_user(s, clinic.patient_a)
        assert patient is not None
        patient.name = 'Eve "x.exe"; filename=evil.html\r\nSet-Cookie: stolen=1 Łukasz'
    sign_in(client, "anna@clinic.test")
    download = client.get(f"/patients/{clinic.patient_a}/fhir.json")
    assert download.status_code == 200
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="backstride-eve-_x.exe__')
    assert disposition.count('"') == 2 and "\r" not in disposition and "\n" not in disposition
    assert "filename*=UTF-8''backstride-eve-%22x.exe%22%3B-filename%3Devil.html-set-cookie%3A" in disposition
    assert "stolen" not in download.headers.get("set-cookie", "")
    assert _has_security_headers(download)  # no-store: a shared computer's cache keeps no copy


def test_outsiders_cannot_import_activity_and_learn_nothing_from_the_answer(
    app_factory: Any, clinic: Clinic
) -> None:
    export = b'<?xml version="1.0"?><HealthData locale="en_US"></HealthData>'
    for email in ("peter@home.test", "ben@clinic.test"):
        outsider = app_factory()
        sign_in(outsider, email)
        answers = []
        for pid in (clinic.patient_a, 999_999):  # someone else's patient, and nobody at all
            response = outsider.post(
                f"/patients/{pid}/activity",
                files={"file": ("export.xml", export, "text/xml")},
                data={"csrf_token": outsider.csrf},
            )
            answers.append((response.status_code, response.text.replace(f"/patients/{pid}", "/patients/ID")))
            page = outsider.get(f"/patients/{pid}/progress")
            answers.append((page.status_code, page.text.replace(f"/patients/{pid}", "/patients/ID")))
        assert answers[0] == answers[2] and answers[1] == answers[3], email
        assert answers[0][0] == 404 and answers[1][0] == 404
