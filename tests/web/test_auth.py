"""Sign-in, sessions, CSRF and first-login links."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from tests.web.conftest import PASSWORD, Clinic, csrf_of, post, sign_in

from backstride.web._context import SESSION_COOKIE


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
    engine = store.make_engine(clinic.url)
    with store.transaction(engine) as s:
        user = store.get_user_by_email(s, "late@home.test")
        assert user is not None
        user.created_at = store.utcnow() - dt.timedelta(days=15)
    engine.dispose()
    page = app_factory().get(link.group(1).replace("http://testserver", ""))
    assert page.status_code == 404
    assert "no longer works" in page.text
