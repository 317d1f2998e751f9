"""Sign-outs, password changes and the sign-in limits are kept in the clinic database: a restart (a new app on
the same database, with the same secret key, as a clinic runs it) forgets none of them, and two server
processes on one database see each other's."""

from __future__ import annotations

import warnings
from typing import Any

from tests.web.conftest import PASSWORD, Clinic, csrf_of, post, sign_in

from backstride.web._context import SESSION_COOKIE

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NEW_PASSWORD = "a different long passphrase"


def _with_cookie(app: Any, token: str) -> TestClient:
    """A browser on ``app`` holding a copy of a session cookie."""
    browser = TestClient(app, follow_redirects=False)
    browser.cookies.set(SESSION_COOKIE, token)
    return browser


def _signed_in(browser: TestClient, patient_id: int) -> bool:
    page = browser.get(f"/patients/{patient_id}")
    assert page.status_code in (200, 303), page.status_code
    return page.status_code == 200


def test_a_signed_out_session_stays_ended_after_a_restart(app_factory: Any, clinic: Clinic) -> None:
    before = app_factory()
    sign_in(before, "paula@home.test")
    copied = before.cookies.get(SESSION_COOKIE)  # say, left behind on the clinic's shared computer
    peter = TestClient(before.app, follow_redirects=False)
    sign_in(peter, "peter@home.test")
    assert post(before, "/signout", {}).status_code == 303
    after = app_factory()  # the server restarted: a new app on the same database, with the same key
    assert not _signed_in(_with_cookie(after.app, copied), clinic.patient_a)
    # the key did survive: a session nobody ended goes on after the restart
    assert _signed_in(_with_cookie(after.app, peter.cookies.get(SESSION_COOKIE)), clinic.patient_b)
    # and Paula signs in again as usual
    again = TestClient(after.app, follow_redirects=False)
    sign_in(again, "paula@home.test")
    assert _signed_in(again, clinic.patient_a)


def test_sessions_ended_by_a_password_change_stay_ended_after_a_restart(
    app_factory: Any, clinic: Clinic
) -> None:
    before = app_factory()
    here = before
    elsewhere = TestClient(before.app, follow_redirects=False)
    sign_in(here, "paula@home.test")
    sign_in(elsewhere, "paula@home.test")
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert post(here, "/account/password", data).status_code == 303
    kept = here.cookies.get(SESSION_COOKIE)
    after = app_factory()
    assert not _signed_in(_with_cookie(after.app, elsewhere.cookies.get(SESSION_COOKIE)), clinic.patient_a)
    assert _signed_in(_with_cookie(after.app, kept), clinic.patient_a)  # the one the change was made in


def test_the_sign_in_limit_survives_a_restart(app_factory: Any, clinic: Clinic) -> None:
    before = app_factory()
    for n in range(10):
        wrong = {"email": "paula@home.test", "password": f"guess {n}", "csrf_token": csrf_of(before)}
        assert before.post("/signin", data=wrong).status_code == 401
    after = app_factory()  # a guesser who waits for a restart gets no fresh allowance
    right = {"email": "paula@home.test", "password": PASSWORD, "csrf_token": csrf_of(after)}
    refused = after.post("/signin", data=right)
    assert refused.status_code == 429 and "too many wrong passwords" in refused.text
    assert 14 * 60 < int(refused.headers["retry-after"]) <= 15 * 60


def test_two_servers_on_one_database_see_each_others_sign_outs(app_factory: Any, clinic: Clinic) -> None:
    one, two = app_factory(), app_factory()
    sign_in(one, "paula@home.test")
    token = one.cookies.get(SESSION_COOKIE)
    on_two = _with_cookie(two.app, token)
    assert _signed_in(on_two, clinic.patient_a)  # a load balancer sent the next request to the other
    assert post(one, "/signout", {}).status_code == 303
    assert not _signed_in(on_two, clinic.patient_a)


def test_the_tables_hold_no_e_mail_address_nor_nonce(app_factory: Any, clinic: Clinic) -> None:
    from sqlalchemy import text

    from backstride import store

    client = app_factory()
    for email in ("nobody@nowhere.test", "paula@home.test"):
        wrong = {"email": email, "password": "wrong", "csrf_token": csrf_of(client)}
        assert client.post("/signin", data=wrong).status_code == 401
    sign_in(client, "paula@home.test")
    nonce = client.app.state.backstride.signer.read_session(client.cookies.get(SESSION_COOKIE), 60).nonce
    assert post(client, "/signout", {}).status_code == 303
    engine = store.make_engine(clinic.url)
    try:
        with engine.connect() as conn:
            kept = [
                str(row)
                for table in ("signin_failures", "ended_sessions", "session_cutoffs")
                for row in conn.execute(text(f"SELECT * FROM {table}"))
            ]
    finally:
        engine.dispose()
    assert len(kept) == 3  # two failures, one sign-out
    assert not any("@" in row or nonce in row for row in kept), kept


def test_a_session_the_database_cannot_check_gets_the_apps_error_page_and_is_kept(
    app_factory: Any, clinic: Clinic, monkeypatch: Any
) -> None:
    from sqlalchemy.exc import OperationalError

    from backstride.web._security import EndedSessions

    client = app_factory()
    sign_in(client, "paula@home.test")
    token = client.cookies.get(SESSION_COOKIE)

    def unreachable(self: EndedSessions, session: object) -> bool:
        raise OperationalError("SELECT", {}, Exception("the database server went away"))

    monkeypatch.setattr(EndedSessions, "__contains__", unreachable)
    page = client.get(f"/patients/{clinic.patient_a}")
    assert page.status_code == 500 and "Something went wrong on our side" in page.text
    assert page.headers["cache-control"] == "no-store" and "set-cookie" not in page.headers
    assert "Paula" not in page.text  # nothing was shown on the unchecked session's strength
    monkeypatch.undo()
    assert client.cookies.get(SESSION_COOKIE) == token  # not signed out by the outage
    assert _signed_in(client, clinic.patient_a)


def test_static_files_ask_the_database_nothing_and_pages_ask_it_once(client: Any, clinic: Clinic) -> None:
    """The style and scripts, the same for everybody, come several to a page: each asked the database whether
    the session had ended. A page still asks, and a signed-out cookie still gets no page."""
    from sqlalchemy import event

    sign_in(client, "paula@home.test")
    statements: list[str] = []
    engine = client.app.state.backstride.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for asset in ("/static/app.css", "/static/htmx.min.js"):
            response = client.get(asset)
            assert response.status_code == 200, asset
            assert statements == [], (asset, statements)
        assert _signed_in(client, clinic.patient_a)
        assert any("ended_sessions" in s for s in statements)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    copied = client.cookies.get(SESSION_COOKIE)
    assert post(client, "/signout", {}).status_code == 303
    again = _with_cookie(client.app, copied)
    assert again.get("/static/app.css").status_code == 200  # public, as before
    assert not _signed_in(again, clinic.patient_a)
