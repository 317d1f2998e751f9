"""Sign-in, sessions, CSRF, first-login links and changing a password."""

from __future__ import annotations

import re
import warnings
from typing import Any
from urllib.parse import urlsplit

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import PASSWORD, Clinic, csrf_of, post, sign_in

from backstride.web._context import SESSION_COOKIE

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_start_page_sends_visitors_to_sign_in(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    page = client.get("/signin")
    assert page.status_code == 200
    assert '<label for="email">Email</label>' in page.text
    cookie = page.headers["set-cookie"] if "set-cookie" in page.headers else response.headers["set-cookie"]
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()


def test_static_assets_are_served_locally(client: Any) -> None:
    htmx = client.get("/static/htmx.min.js")
    assert htmx.status_code == 200
    assert "htmx 2.0." in htmx.text[:200]
    assert "Zero-Clause BSD" in htmx.text[:200]
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200
    assert "Licensed under the MIT license" in plotly.text[:300]
    page = client.get("/signin").text
    assert "/static/htmx.min.js" in page
    # every script, style sheet and image comes from this server: no address names another host (a CDN);
    # the page's text itself is not searched, since its random CSRF token can spell "cdn" (it once did)
    addresses = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert addresses and {urlsplit(a).netloc for a in addresses} <= {"", "testserver"}, addresses


def test_sign_in_and_out(client: Any, clinic: Clinic) -> None:
    token = csrf_of(client)
    wrong = client.post(
        "/signin", data={"email": "anna@clinic.test", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401
    assert "not right" in wrong.text
    right = client.post(
        "/signin", data={"email": "ANNA@clinic.test", "password": PASSWORD, "csrf_token": token}
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/caseload"
    # A new session (new nonce) after signing in: the old CSRF token is void.
    assert csrf_of(client) != token
    assert client.get("/caseload").status_code == 200
    out = client.post("/signout", data={"csrf_token": csrf_of(client)})
    assert out.status_code == 303
    assert client.get("/caseload").headers["location"] == "/signin"


def test_patient_lands_on_their_own_page(client: Any, clinic: Clinic) -> None:
    token = csrf_of(client)
    response = client.post(
        "/signin", data={"email": "paula@home.test", "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["location"] == f"/patients/{clinic.patient_a}"


def test_sign_in_without_csrf_is_refused(client: Any) -> None:
    client.get("/signin")
    response = client.post("/signin", data={"email": "anna@clinic.test", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/caseload").status_code == 303  # still not signed in


def test_forged_cookie_is_ignored(client: Any) -> None:
    sign_in(client, "anna@clinic.test")
    value = client.cookies.get(SESSION_COOKIE)
    body, _, mac = value.partition(".")
    client.cookies.set(SESSION_COOKIE, body + "." + mac[:-2] + ("AA" if not mac.endswith("AA") else "BB"))
    assert client.get("/caseload").status_code == 303


def test_csrf_header_is_accepted_for_htmx(client: Any) -> None:
    sign_in(client, "anna@clinic.test")
    response = client.post("/signout", headers={"X-CSRF-Token": client.csrf, "HX-Request": "true"})
    assert response.status_code == 303


def _new_patient(client: Any, access: str, email: str) -> Any:
    return post(
        client,
        "/clinician/patients/new",
        {
            "name": "Nora New",
            "email": email,
            "age": "47",
            "sex": "female",
            "height_m": "1.65",
            "access": access,
        },
    )


@pytest.mark.parametrize("public", ["https://clinic.example.org", "https://example.org/backstride/"])
def test_first_login_link_is_on_the_public_address_when_one_is_set(
    app_factory: Any, public: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a reverse proxy the clinician's request can come to http://127.0.0.1:8000: a link made from it
    would not reach the patient. With the public address set (argument or environment) the link is on it."""
    monkeypatch.setenv("BACKSTRIDE_PUBLIC_URL", "https://not-this.example.org")
    clinician = app_factory(public_url=public)
    sign_in(clinician, "anna@clinic.test")
    created = _new_patient(clinician, "link", "nora@home.test")
    assert created.status_code == 201, created.text
    link = re.search(r'id="first-login-link" href="([^"]+)"', created.text)
    assert link
    found = re.fullmatch(re.escape(public.rstrip("/")) + r"/welcome\?token=([A-Za-z0-9_-]+)", link.group(1))
    assert found, link.group(1)
    page = app_factory().get("/welcome", params={"token": found.group(1)})
    assert page.status_code == 200 and "Welcome, Nora New" in page.text
    monkeypatch.setenv("BACKSTRIDE_PUBLIC_URL", "https://from-the-environment.example.org/")
    from_env = app_factory()
    sign_in(from_env, "anna@clinic.test")
    other = _new_patient(from_env, "link", "olga@home.test")
    assert 'href="https://from-the-environment.example.org/welcome?token=' in other.text


@pytest.mark.parametrize(
    "bad", ["clinic.example.org", "ftp://clinic.example.org", "https://", "https://x.org/?a=1"]
)
def test_a_public_address_that_is_no_web_address_is_refused_at_start(app_factory: Any, bad: str) -> None:
    from backstride import InputError

    with pytest.raises(InputError, match="the public address must be an http or https address"):
        app_factory(public_url=bad)


def test_first_login_link_works_once(app_factory: Any) -> None:
    clinician = app_factory()
    sign_in(clinician, "anna@clinic.test")
    created = _new_patient(clinician, "link", "nora@home.test")
    assert created.status_code == 201, created.text
    link = re.search(r'id="first-login-link" href="([^"]+)"', created.text)
    assert link
    path = link.group(1).replace("http://testserver", "")
    patient = app_factory()
    page = patient.get(path)
    assert page.status_code == 200
    assert "Welcome, Nora New" in page.text
    # the address holds the token: the page's own requests must not carry it in a Referer
    assert page.headers["referrer-policy"] == "no-referrer"
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token
    csrf = csrf_of(patient)
    short = patient.post(
        "/welcome",
        data={"token": token.group(1), "password": "short", "password2": "short", "csrf_token": csrf},
    )
    assert short.status_code == 422
    assert "Please choose a password of at least" in short.text and token.group(1) in short.text
    own_address = patient.post(
        "/welcome",
        data={
            "token": token.group(1),
            "password": "Nora@Home.test",
            "password2": "Nora@Home.test",
            "csrf_token": csrf,
        },
    )
    assert own_address.status_code == 422 and "not your email address" in own_address.text
    done = patient.post(
        "/welcome",
        data={
            "token": token.group(1),
            "password": "a long new password",
            "password2": "a long new password",
            "csrf_token": csrf,
        },
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith("/patients/")
    again = app_factory().get(path)
    assert again.status_code == 404 and again.headers["referrer-policy"] == "no-referrer"
    other = app_factory()
    sign_in(other, "nora@home.test", "a long new password")


def test_initial_password_is_shown_once_and_works(app_factory: Any) -> None:
    clinician = app_factory()
    sign_in(clinician, "anna@clinic.test")
    created = _new_patient(clinician, "password", "olga@home.test")
    assert created.status_code == 201
    password = re.search(r'id="initial-password">([^<]+)<', created.text)
    assert password
    patient = app_factory()
    sign_in(patient, "olga@home.test", password.group(1))
    caseload = clinician.get("/caseload")
    assert "Nora New" in caseload.text


def test_new_patient_with_bad_input_is_refused(client: Any) -> None:
    sign_in(client, "anna@clinic.test")
    taken = _new_patient(client, "link", "paula@home.test")
    assert taken.status_code == 422
    assert "already has an account" in taken.text
    bad_height = post(
        client, "/clinician/patients/new", {"name": "X", "email": "x@home.test", "height_m": "172"}
    )
    assert bad_height.status_code == 422
    assert "metres" in bad_height.text


def test_patients_cannot_add_patients(client: Any) -> None:
    sign_in(client, "paula@home.test")
    assert client.get("/clinician/patients/new").status_code == 403
    assert _new_patient(client, "link", "z@home.test").status_code == 403


def test_first_login_link_lapses(app_factory: Any, clinic: Clinic) -> None:
    import datetime as dt

    from backstride import store

    clinician = app_factory()
    sign_in(clinician, "anna@clinic.test")
    created = _new_patient(clinician, "link", "late@home.test")
    link = re.search(r'id="first-login-link" href="([^"]+)"', created.text)
    assert link
    with clinic_db(clinic) as s:
        user = store.get_user_by_email(s, "late@home.test")
        assert user is not None
        user.created_at = store.utcnow() - dt.timedelta(days=15)
    page = app_factory().get(link.group(1).replace("http://testserver", ""))
    assert page.status_code == 404
    assert "no longer works" in page.text


NEW_PASSWORD = "a walk by the river"


def _change_password(client: Any, current: str, new: str, again: str | None = None) -> Any:
    data = {"current_password": current, "password": new, "password2": new if again is None else again}
    return post(client, "/account/password", data)


def test_a_signed_in_user_changes_their_password_and_their_other_sessions_end(
    client: Any, clinic: Clinic
) -> None:
    here = client
    elsewhere = TestClient(client.app, follow_redirects=False)  # the same server, another computer
    sign_in(here, "paula@home.test")
    sign_in(elsewhere, "paula@home.test")
    copied = here.cookies.get(SESSION_COOKIE)  # this browser's token before the change, copied
    assert 'href="/account/password"' in here.get(f"/patients/{clinic.patient_a}").text  # the header's link
    form = here.get("/account/password")
    assert form.status_code == 200 and 'autocomplete="current-password"' in form.text
    changed = _change_password(here, PASSWORD, NEW_PASSWORD)
    assert changed.status_code == 303 and changed.headers["location"] == "/account/password?changed=1"
    assert "Your password is changed" in here.get(changed.headers["location"]).text
    assert here.get(f"/patients/{clinic.patient_a}").status_code == 200  # this session goes on
    assert elsewhere.get(f"/patients/{clinic.patient_a}").headers["location"] == "/signin"  # that one ended
    thief = TestClient(client.app, follow_redirects=False)
    thief.cookies.set(SESSION_COOKIE, copied)
    assert thief.get(f"/patients/{clinic.patient_a}").headers["location"] == "/signin"
    # the new password signs in, the old one no longer does; other accounts are untouched
    assert not _password_is(TestClient(client.app, follow_redirects=False), "paula@home.test", PASSWORD)
    sign_in(elsewhere, "paula@home.test", NEW_PASSWORD)
    assert elsewhere.get(f"/patients/{clinic.patient_a}").status_code == 200
    assert here.get(f"/patients/{clinic.patient_a}").status_code == 200  # a later sign-in ends nothing
    sign_in(thief, "peter@home.test", PASSWORD)


def test_a_therapist_changes_their_password_too(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    assert 'href="/account/password"' in client.get("/caseload").text
    assert _change_password(client, PASSWORD, NEW_PASSWORD).status_code == 303
    assert client.get("/caseload").status_code == 200
    post(client, "/signout", {})
    sign_in(client, "anna@clinic.test", NEW_PASSWORD)


def _password_is(client: Any, email: str, password: str) -> bool:
    token = csrf_of(client)
    return bool(
        client.post("/signin", data={"email": email, "password": password, "csrf_token": token}).status_code
        == 303
    )


def test_a_wrong_current_password_changes_nothing_and_is_throttled(app_factory: Any, clinic: Clinic) -> None:
    from backstride.web._security import SignInThrottle

    client = app_factory()
    sign_in(client, "paula@home.test")
    wrong = _change_password(client, "not my password", NEW_PASSWORD)
    assert wrong.status_code == 422
    assert "Your password was not changed" in wrong.text
    assert "Current password: that is not your password" in wrong.text
    assert client.get(f"/patients/{clinic.patient_a}").status_code == 200  # still signed in
    # wrong current passwords count as wrong sign-ins: someone at an unlocked computer cannot guess on
    client.app.state.backstride.throttle = SignInThrottle(
        client.app.state.backstride.engine, 3, 50, 600.0, per_account=100
    )
    for _ in range(2):  # with the wrong one above, three
        assert _change_password(client, "still not it", NEW_PASSWORD).status_code == 422
    refused = _change_password(client, PASSWORD, NEW_PASSWORD)  # even the right one, now
    assert refused.status_code == 429 and "too many wrong passwords" in refused.text
    assert 9 * 60 < int(refused.headers["retry-after"]) <= 10 * 60
    assert _password_is(app_factory(), "paula@home.test", PASSWORD)


def test_a_new_password_typed_differently_twice_is_refused(app_factory: Any, clinic: Clinic) -> None:
    client = app_factory()
    sign_in(client, "paula@home.test")
    refused = _change_password(client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert refused.status_code == 422
    assert "The two new passwords are not the same" in refused.text
    assert NEW_PASSWORD not in refused.text  # no password is sent back in the page
    assert _password_is(app_factory(), "paula@home.test", PASSWORD)


def test_a_weak_new_password_is_refused_by_the_same_rules_as_the_first(
    app_factory: Any, clinic: Clinic
) -> None:
    client = app_factory()
    sign_in(client, "paula@home.test")
    for weak, why in (
        ("short", "at least 10 characters"),
        ("paula@home.test", "not your email address"),
        ("abababababab", "more than a few different characters"),
    ):
        refused = _change_password(client, PASSWORD, weak)
        assert refused.status_code == 422, weak
        assert why in refused.text, weak
    assert _password_is(app_factory(), "paula@home.test", PASSWORD)


def test_changing_a_password_needs_someone_signed_in(client: Any) -> None:
    page = client.get("/account/password")
    assert page.status_code == 303 and page.headers["location"] == "/signin"
    client.csrf = csrf_of(client)
    refused = _change_password(client, PASSWORD, NEW_PASSWORD)
    assert refused.status_code == 401 and "Please sign in first" in refused.text
    assert _password_is(client, "paula@home.test", PASSWORD)
