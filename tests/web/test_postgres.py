"""The web app on PostgreSQL: the main patient and clinician path against a fresh schema.

Runs when ``BACKSTRIDE_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it); in CI a missing URL fails.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import (
    PASSWORD,
    SECRET,
    Clinic,
    check_in,
    csrf_of,
    post,
    seed_clinic,
    sign_in,
    upload_sample,
    wait_for_job,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.postgres


def _clinic_and_app(postgres_url: str, tmp_path: Path) -> tuple[Clinic, Any]:
    """The test clinic seeded on the PostgreSQL database brought up to date, and an app on it."""
    from backstride import store
    from backstride.web import create_app

    store.upgrade(postgres_url)
    clinic = seed_clinic(postgres_url, tmp_path / "blobs")
    return clinic, create_app(postgres_url, clinic.blob_dir, secret_key=SECRET, upgrade_database=False)


def test_flow_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    from backstride import store

    clinic, app = _clinic_and_app(postgres_url, tmp_path)
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "paula@home.test")
        assert check_in(client, clinic.patient_a).status_code == 303
        post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
        done = wait_for_job(client, upload_sample(client, clinic.patient_a).headers["location"])
        assert done.status_code == 303
        assert client.get(done.headers["location"]).status_code == 200
        assert "walks a day" in client.get(f"/patients/{clinic.patient_a}/plan").text
        log = {"w1_minutes": "9", "w1_pain_before": "2", "w1_pain_during": "3", "w1_pain_after": "2"}
        assert post(client, f"/patients/{clinic.patient_a}/log", log).status_code == 303
        assert post(client, f"/patients/{clinic.patient_a}/log", log).status_code == 303  # same day: replaced
        therapist = TestClient(app, follow_redirects=False)
        sign_in(therapist, "anna@clinic.test")
        assert "Paula Patient" in therapist.get("/caseload").text
        outsider = TestClient(app, follow_redirects=False)
        sign_in(outsider, "ben@clinic.test")
        assert outsider.get(f"/patients/{clinic.patient_a}").status_code == 404
    engine = store.make_engine(postgres_url)
    with store.transaction(engine) as s:
        assert len(store.logs_between(s, clinic.patient_a, dt.date.today(), dt.date.today())) == 1
        assert len(store.recordings_of(s, clinic.patient_a)) == 1
    engine.dispose()


def test_an_id_beyond_postgresqls_integer_is_not_found(postgres_url: str, tmp_path: Path) -> None:
    """PostgreSQL's ``integer`` ids end at 2**31 - 1; a larger number in an address failed the query (a 500)."""
    clinic, app = _clinic_and_app(postgres_url, tmp_path)
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "anna@clinic.test")
        for url in (
            "/patients/3000000000",
            "/patients/-3000000000",
            f"/patients/{clinic.patient_a}/recordings/2147483648",
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert "There is no such page." in response.text
        assert client.get("/patients/2147483647").status_code == 404  # the largest id: no such patient


def test_sign_outs_password_changes_and_limits_survive_a_restart_on_postgresql(
    postgres_url: str, tmp_path: Path
) -> None:
    """Two apps on one PostgreSQL database (a restart, or two server processes) share the sign-in records."""
    from backstride.web import create_app
    from backstride.web._context import SESSION_COOKIE

    clinic, one = _clinic_and_app(postgres_url, tmp_path)
    two = create_app(postgres_url, clinic.blob_dir, secret_key=SECRET, upgrade_database=False)
    page = f"/patients/{clinic.patient_a}"
    with TestClient(one, follow_redirects=False) as here, TestClient(two, follow_redirects=False) as there:
        sign_in(here, "paula@home.test")
        copied = here.cookies.get(SESSION_COOKIE)
        there.cookies.set(SESSION_COOKIE, copied)
        assert there.get(page).status_code == 200
        assert post(here, "/signout", {}).status_code == 303
        assert there.get(page).headers["location"] == "/signin"
        # a password change on one ends the other sessions on both; the kept one goes on on both
        sign_in(here, "paula@home.test")
        sign_in(there, "paula@home.test")
        new = "a different long passphrase"
        data = {"current_password": PASSWORD, "password": new, "password2": new}
        assert post(here, "/account/password", data).status_code == 303
        assert there.get(page).headers["location"] == "/signin"
        kept = TestClient(two, follow_redirects=False)
        kept.cookies.set(SESSION_COOKIE, here.cookies.get(SESSION_COOKIE))
        assert kept.get(page).status_code == 200
        # wrong passwords typed on one count on the other
        for n in range(10):
            wrong = {"email": "peter@home.test", "password": f"guess {n}", "csrf_token": csrf_of(here)}
            assert here.post("/signin", data=wrong).status_code == 401
        right = {"email": "peter@home.test", "password": PASSWORD, "csrf_token": csrf_of(there)}
        assert there.post("/signin", data=right).status_code == 429
