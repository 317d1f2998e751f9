"""Fixtures for the web app's tests: a fresh clinic database, seeded users, signed-in clients."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import socket
import threading
import time
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # starlette asks for httpx2 instead of httpx at import time; the test client works the same with httpx.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from tests.conftest import clinic_db

from backstride.web import create_app

PASSWORD = "correct horse battery"
SECRET = "test-secret-key-for-backstride-web"

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clinic:
    """A small clinic: two clinicians, each with one patient."""

    url: str
    blob_dir: Path
    clinician_a: int
    clinician_b: int
    patient_a: int
    patient_b: int


def seed_clinic(url: str, blob_dir: Path) -> Clinic:
    from backstride import store
    from backstride._accounts import hash_password

    hashed = hash_password(PASSWORD)
    with clinic_db(url) as s:
        ca = store.create_user(s, "anna@clinic.test", "Anna Therapist", "clinician", password_hash=hashed)
        cb = store.create_user(s, "ben@clinic.test", "Ben Therapist", "clinician", password_hash=hashed)
        pa = store.create_patient(
            s,
            ca,
            "paula@home.test",
            "Paula Patient",
            age=52,
            sex="female",
            height_m=1.68,
            password_hash=hashed,
        )
        pb = store.create_patient(
            s,
            cb,
            "peter@home.test",
            "Peter Patient",
            age=61,
            sex="male",
            height_m=1.80,
            password_hash=hashed,
        )
        ids = (ca.id, cb.id, pa.id, pb.id)
    return Clinic(url, blob_dir, *ids)


@pytest.fixture(scope="session")
def _clinic_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Clinic]:
    """A migrated, seeded SQLite clinic made once; each test gets its own copy of the file."""
    from backstride import store

    folder = tmp_path_factory.mktemp("clinic-template")
    url = f"sqlite:///{folder / 'clinic.db'}"
    store.upgrade(url)
    made = seed_clinic(url, folder / "blobs")  # its engine is disposed: the write-ahead log is folded in
    assert not (folder / "clinic.db-wal").exists() or (folder / "clinic.db-wal").stat().st_size == 0
    return folder / "clinic.db", made


@pytest.fixture
def clinic(tmp_path: Path, _clinic_template: tuple[Path, Clinic]) -> Clinic:
    import shutil

    template, made = _clinic_template
    shutil.copyfile(template, tmp_path / "clinic.db")
    return Clinic(
        f"sqlite:///{tmp_path / 'clinic.db'}",
        tmp_path / "blobs",
        made.clinician_a,
        made.clinician_b,
        made.patient_a,
        made.patient_b,
    )


@pytest.fixture
def app_factory(clinic: Clinic) -> Iterator[object]:
    made: list[TestClient] = []

    def make(**kwargs: object) -> TestClient:
        app = create_app(clinic.url, clinic.blob_dir, secret_key=SECRET, upgrade_database=False, **kwargs)  # type: ignore[arg-type]
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)


@pytest.fixture
def client(app_factory: object) -> TestClient:
    assert callable(app_factory)
    made: TestClient = app_factory()
    return made


def csrf_of(client: TestClient, page: str = "/signin") -> str:
    """The CSRF token of this client's session, read from a page's form."""
    html = client.get(page).text
    match = _CSRF_RE.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_of(client)
    response = client.post("/signin", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text
    client.csrf = csrf_of(client)  # type: ignore[attr-defined]


def post(client: TestClient, url: str, data: dict[str, object] | None = None, **kwargs: object) -> object:
    """POST a form with this client's CSRF token."""
    body = dict(data or {})
    body.setdefault("csrf_token", client.csrf)  # type: ignore[attr-defined]
    return client.post(url, data=body, **kwargs)  # type: ignore[arg-type]


ROUTINE_SCREEN = {
    "age": "52",
    "sex": "female",
    "pain_nrs": "5",
    "pain_duration_weeks": "10",
    "walking_tolerance_min": "15",
}


def account_of(clinic: Clinic, email: str) -> Any:
    """The stored row of the user with ``email`` (read in its own transaction, detached: its columns only)."""
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        user = store.get_user_by_email(s, email)
        assert user is not None, email
        s.expunge(user)
        return user


def signing_in_section(client: Any, patient_id: int) -> str:
    """The words of the "Signing in" section of the patient's page as their clinician sees it (one line)."""
    import html

    page = client.get(f"/patients/{patient_id}")
    assert page.status_code == 200
    found = re.search(r'<section class="card" id="access">(.*?)</section>', page.text, re.S)
    assert found, page.text
    return " ".join(html.unescape(found.group(1)).split())


def given_link(page: Any) -> str:
    """The first-login link a page shows once (its path on this server)."""
    found = re.search(r'id="first-login-link" href="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1).replace("http://testserver", "")


def given_password(page: Any) -> str:
    """The generated password a page shows once."""
    found = re.search(r'id="initial-password">([^<]+)<', page.text)
    assert found, page.text
    return found.group(1)


def signs_in(client: Any, email: str, password: str) -> bool:
    """Whether ``email`` signs in with ``password`` (on ``client``, a fresh one usually)."""
    answer = client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": csrf_of(client)}
    )
    return bool(answer.status_code == 303)


def choose_password(client: Any, link: str, password: str) -> Any:
    """Open a first-login link and choose ``password`` on its page (the answer: 303 home, or a refusal)."""
    page = client.get(link)
    assert page.status_code == 200, page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token
    data = {"token": token.group(1), "password": password, "password2": password}
    return client.post("/welcome", data={**data, "csrf_token": csrf_of(client, link)})


def routine_answers() -> dict[str, str]:
    from backstride.clinic import QUESTIONS

    answers = {q.id: "no" for q in QUESTIONS if q.kind == "bool"}
    answers.update(ROUTINE_SCREEN)
    return answers


def check_in(client: Any, patient_id: int, **changes: str) -> Any:
    answers = routine_answers()
    answers.update(changes)
    return post(client, f"/patients/{patient_id}/checkin", answers)


def upload_page(client: Any, patient_id: int) -> str:
    """The upload page's HTML as the patient sees it (signed in as the test clinic's first patient)."""
    sign_in(client, "paula@home.test")
    page = client.get(f"/patients/{patient_id}/recordings/new")
    assert page.status_code == 200
    return str(page.text)


def upload(client: Any, patient_id: int, name: str, data: bytes, mime: str = "text/csv") -> Any:
    """Post a recording file to the patient's upload form (the answer: 303 to its job, or a refusal)."""
    return client.post(
        f"/patients/{patient_id}/recordings",
        files={"file": (name, data, mime)},
        data={"csrf_token": client.csrf},
    )


def upload_sample(client: Any, patient_id: int) -> Any:
    from backstride import io

    return upload(client, patient_id, "walk.csv.gz", io.sample_path().read_bytes(), "application/gzip")


def wait_for_job(client: Any, job_url: str, timeout_s: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page = client.get(job_url)
        if page.status_code != 200:
            return page
        time.sleep(0.1)
    raise AssertionError("the analysis did not finish in time")


def analysed_sample(client: Any, patient_id: int) -> str:
    """Upload the bundled sample, wait for its analysis, and give its walk's page (``/patients/N/recordings/M``)."""
    job = upload_sample(client, patient_id)
    assert job.status_code == 303
    wait_for_job(client, job.headers["location"])
    listing = client.get(f"/patients/{patient_id}/recordings").text
    found = re.search(rf'href="(/patients/{patient_id}/recordings/\d+)"', listing)
    assert found
    return found.group(1)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A ZIP archive, in memory, holding ``members`` (name -> content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def read_again(app_factory: Any, client: Any, patient_id: int, rec_id: int) -> None:
    """A stored recording's file read again as it was uploaded: its report draws the trunk's signal (else it
    says "could not be read again"), and a clinician's analysis again ends; the caller checks the new one."""
    report = client.get(f"/patients/{patient_id}/recordings/{rec_id}/report.html")
    assert report.status_code == 200 and "could not be read again" not in report.text
    therapist = app_factory()
    sign_in(therapist, "anna@clinic.test")
    again = therapist.post(
        f"/patients/{patient_id}/recordings/{rec_id}/analyse-again", data={"csrf_token": therapist.csrf}
    )
    assert again.status_code == 303
    assert wait_for_job(therapist, again.headers["location"]).status_code == 303


def plan_history_of(clinic: Clinic) -> list[Any]:
    """Patient A's plan versions as stored, oldest first (detached rows, readable after the session)."""
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        rows = store.plan_history(s, clinic.patient_a)
        for row in rows:
            s.expunge(row)
        return rows


def recordings_kept(clinic: Clinic) -> int:
    """How many recordings patient A has stored (entered in error ones left out)."""
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return len(store.recordings_of(s, clinic.patient_a))


def todays_log(clinic: Clinic) -> dict[str, Any] | None:
    """Patient A's daily log of today as stored, or None."""
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        row = store.get_log(s, clinic.patient_a, dt.date.today())
        return None if row is None else dict(row.log)


def save_first_plan(session: Any, patient_id: int, start: dt.date) -> Any:
    """Save a first plan from ``start`` (starting pain 4/10, 20 minutes of walking tolerated) for the patient, in
    ``session``; returns the plan."""
    from backstride import clinic as bc
    from backstride import store

    plan = bc.make_plan(
        bc.Baseline(age=52, sex="female", pain_nrs=4, walking_tolerance_min=20, start_date=start)
    )
    store.save_plan(session, patient_id, plan.model_dump(mode="json"), "first plan", None)
    return plan


def save_plan_of_last_week(session: Any, patient_id: int) -> Any:
    """Save a first plan that started 8 days ago (its week is reviewed on the next visit) for the patient, in
    ``session``; returns the plan."""
    return save_first_plan(session, patient_id, dt.date.today() - dt.timedelta(days=8))


def notes_of(clinic: Clinic) -> list[str]:
    """The texts of the clinicians' notes on patient A, oldest first."""
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return [n.text for n in store.notes_of(s, clinic.patient_a)]


def exports_of(clinic: Clinic) -> list[tuple[int | None, int, str | None]]:
    """The audit trail's exports, newest first: (who, whose record, what)."""
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return [
            (e.actor_id, e.subject_id, e.detail) for e in store.audit_trail(s, actions=["record_exported"])
        ]


def pause_plan_of_last_week(url: str, patient_id: int) -> None:
    """Save a plan of last week with a warning sign logged in it (urinary retention), so that its review pauses
    the plan on the next visit."""
    from backstride import clinic as bc
    from backstride import store

    with clinic_db(url) as s:
        plan = save_plan_of_last_week(s, patient_id)
        day = plan.start_date + dt.timedelta(days=1)
        log = bc.DailyLog(date=day, red_flags={"urinary_retention": True})
        store.upsert_log(s, patient_id, day, log.model_dump(mode="json"))


# -- the browser tests' (test_browser.py, test_browser_axe.py): a served app and chromium

CHROMIUM = os.environ.get("BACKSTRIDE_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` under uvicorn on a free loopback port, for as long as the block runs."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise AssertionError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=20)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo clinic's app (``backstride demo``: a therapist, two patients with weeks of logs,
    questionnaires, plan versions and a measured walk each)."""
    from backstride.web._demo import seed_demo

    demo = seed_demo(tmp_path_factory.mktemp("demo-clinic"))
    return create_app(demo.database_url, demo.blob_dir, secret_key=demo.secret_key, upgrade_database=False)


@pytest.fixture(scope="module")
def demo_server(demo_app: Any) -> Iterator[str]:
    """The demo clinic, served on a loopback port (the browser tests')."""
    with serving(demo_app) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright; skipped where it is missing, failed under CI (which installs it)."""
    if not Path(CHROMIUM).exists():
        message = f"chromium not found at {CHROMIUM} (set BACKSTRIDE_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page of its own at a laptop's width (1100 × 900), 20 s to find anything (a busy 2-core machine)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()
