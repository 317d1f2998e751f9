"""The permission matrix: every patient-data route refuses another patient and another clinician's
patient; every form without its CSRF token is refused and changes nothing."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, csrf_of, post, routine_answers, sign_in, upload_sample, wait_for_job

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

GET_ROUTES = (
    "/patients/{pid}",
    "/patients/{pid}/checkin",
    "/patients/{pid}/checkin/result",
    "/patients/{pid}/questionnaires",
    "/patients/{pid}/questionnaires/odi",
    "/patients/{pid}/recordings",
    "/patients/{pid}/recordings/new",
    "/patients/{pid}/recordings/{rid}",
    "/patients/{pid}/recordings/{rid}/report.html",
    "/patients/{pid}/recordings/jobs/{job}",
    "/patients/{pid}/recordings/jobs/{job}/status",
    "/patients/{pid}/plan",
    "/patients/{pid}/log",
    "/patients/{pid}/progress",
    "/patients/{pid}/fhir.json",
    "/patients/{pid}/summary.html",
)

POST_ROUTES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("/patients/{pid}/checkin", routine_answers()),
    ("/patients/{pid}/questionnaires/nprs", {"score": "3"}),
    (
        "/patients/{pid}/log",
        {"w1_minutes": "10", "w1_pain_before": "2", "w1_pain_during": "3", "w1_pain_after": "2"},
    ),
    ("/patients/{pid}/plan", {"reason": "test", "walks_per_day": "2", "minutes_per_walk": "10"}),
    ("/patients/{pid}/plan/exercises/drawing_in", {"reason": "test", "sets": "1", "variant": "easier"}),
    ("/patients/{pid}/plan/exercises/drawing_in/remove", {"reason": "test"}),
    ("/patients/{pid}/plan/exercises", {"reason": "test", "exercise": "glute_bridge"}),
    ("/patients/{pid}/sessions", {"technique": "massage", "region": "lumbar", "response": "same"}),
    ("/patients/{pid}/notes", {"text": "a note"}),
    ("/patients/{pid}/recordings/{rid}/entered-in-error", {"reason": "another patient's file"}),
    ("/patients/{pid}/questionnaires/responses/{qid}/entered-in-error", {"reason": "filled in by mistake"}),
    ("/patients/{pid}/profile", {"age": "53", "sex": "female", "height_m": "1.70"}),
    ("/patients/{pid}/recordings/{rid}/analyse-again", {}),
    ("/patients/{pid}/care-team", {"clinician": "{cb}"}),
    ("/patients/{pid}/care-team/{ca}/remove", {"confirm": "yes"}),
)

CLINICIAN_ONLY_POSTS = {
    "/patients/{pid}/plan",
    "/patients/{pid}/plan/exercises/drawing_in",
    "/patients/{pid}/plan/exercises/drawing_in/remove",
    "/patients/{pid}/plan/exercises",
    "/patients/{pid}/sessions",
    "/patients/{pid}/notes",
    "/patients/{pid}/recordings/{rid}/entered-in-error",
    "/patients/{pid}/questionnaires/responses/{qid}/entered-in-error",
    "/patients/{pid}/profile",
    "/patients/{pid}/recordings/{rid}/analyse-again",
    "/patients/{pid}/care-team",
    "/patients/{pid}/care-team/{ca}/remove",
}


def _other(client: Any) -> Any:
    """A second browser on the same app (its own cookies)."""
    return TestClient(client.app, follow_redirects=False)


@pytest.fixture
def world(client: Any, clinic: Clinic) -> dict[str, Any]:
    """Patient A with a screening, a recording (and its finished job) and a plan; signed-in browsers."""
    sign_in(client, "paula@home.test")
    post(client, f"/patients/{clinic.patient_a}/checkin", routine_answers())
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    started = upload_sample(client, clinic.patient_a)
    job_url = started.headers["location"]
    done = wait_for_job(client, job_url)
    rid = int(done.headers["location"].rsplit("/", 1)[1])
    assert client.get(f"/patients/{clinic.patient_a}/plan").status_code == 200
    browsers = {"patient_a": client}
    for name, email in (
        ("patient_b", "peter@home.test"),
        ("clinician_a", "anna@clinic.test"),
        ("clinician_b", "ben@clinic.test"),
    ):
        browser = _other(client)
        sign_in(browser, email)
        browsers[name] = browser
    browsers["anonymous"] = _other(client)
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        (response,) = store.questionnaire_history(s, clinic.patient_a)
        qid = response.id
    return {"rid": rid, "qid": qid, "job": job_url.rsplit("/", 1)[1], "browsers": browsers}


def _url(template: str, clinic: Clinic, world: dict[str, Any], pid: int | None = None) -> str:
    return template.format(
        pid=pid or clinic.patient_a,
        rid=world["rid"],
        qid=world["qid"],
        job=world["job"],
        ca=clinic.clinician_a,
    )


def _data(data: dict[str, Any], clinic: Clinic) -> dict[str, Any]:
    """The form's fields, a clinician's id (``{cb}``) filled in."""
    return {k: v.format(cb=clinic.clinician_b) if isinstance(v, str) else v for k, v in data.items()}


def test_get_routes_refuse_outsiders(clinic: Clinic, world: dict[str, Any]) -> None:
    b = world["browsers"]
    for template in GET_ROUTES:
        url = _url(template, clinic, world)
        for outsider in ("patient_b", "clinician_b"):
            response = b[outsider].get(url)
            assert response.status_code == 404, (outsider, url, response.status_code)
            assert "Paula" not in response.text
        anonymous = b["anonymous"].get(url)
        assert anonymous.status_code == 303 and anonymous.headers["location"] == "/signin", url
        for insider in ("patient_a", "clinician_a"):
            response = b[insider].get(url)
            assert response.status_code in (200, 303), (insider, url, response.status_code)


def test_a_recording_is_only_found_under_its_own_patient(clinic: Clinic, world: dict[str, Any]) -> None:
    b = world["browsers"]
    url = f"/patients/{clinic.patient_b}/recordings/{world['rid']}"
    assert b["patient_b"].get(url).status_code == 404
    job = f"/patients/{clinic.patient_b}/recordings/jobs/{world['job']}"
    assert b["patient_b"].get(job).status_code == 404


def test_post_routes_refuse_outsiders_and_change_nothing(clinic: Clinic, world: dict[str, Any]) -> None:
    from sqlalchemy import func, select

    from backstride import store

    def counts() -> tuple[int, ...]:
        with clinic_db(clinic) as s:
            pid = clinic.patient_a
            return (
                len(store.screenings_of(s, pid)),
                len(store.questionnaire_history(s, pid)),
                len(store.plan_history(s, pid)),
                len(store.therapy_sessions_of(s, pid)),
                len(store.notes_of(s, pid)),
                len(store.recordings_of(s, pid)),  # a recording marked as entered in error drops out
                s.scalar(select(func.count()).select_from(store.GaitAnalysis)),  # none analysed again
                store.get_user(s, pid).profile.height_m,  # type: ignore[union-attr]
                tuple(store.clinicians_of(s, pid)),
                len(
                    store.logs_between(
                        s, pid, store.utcnow().date().replace(year=2000), store.utcnow().date()
                    )
                ),
            )

    before = counts()
    b = world["browsers"]
    for template, fields in POST_ROUTES:
        url, data = _url(template, clinic, world), _data(fields, clinic)
        for outsider in ("patient_b", "clinician_b"):
            response = post(b[outsider], url, data)
            # A patient posting to a clinician-only form is refused for their role (403) before the patient
            # is even looked up; everyone else gets 404, which does not reveal that the patient exists.
            expected = 403 if outsider == "patient_b" and template in CLINICIAN_ONLY_POSTS else 404
            assert response.status_code == expected, (outsider, url, response.status_code)
        if template in CLINICIAN_ONLY_POSTS:
            assert post(b["patient_a"], url, data).status_code == 403, url
    upload = upload_sample(b["patient_b"], clinic.patient_a)
    assert upload.status_code == 404
    assert counts() == before


def test_forms_without_csrf_token_are_refused(clinic: Clinic, world: dict[str, Any]) -> None:
    from backstride import store

    b = world["browsers"]
    for template, fields in POST_ROUTES:
        url, data = _url(template, clinic, world), _data(fields, clinic)
        who = "clinician_a" if template in CLINICIAN_ONLY_POSTS else "patient_a"
        response = b[who].post(url, data=data)
        assert response.status_code == 403, url
        wrong = b[who].post(url, data={**data, "csrf_token": csrf_of(b["patient_b"])})
        assert wrong.status_code == 403, url
    others = (
        ("/signin", {"email": "paula@home.test", "password": "x"}),
        ("/signout", {}),
        ("/welcome", {"token": "x", "password": "a long password", "password2": "a long password"}),
        ("/clinician/patients/new", {"name": "No One", "email": "no@one.test"}),
    )
    for url, data in others:
        assert b["clinician_a"].post(url, data=data).status_code == 403, url
    files = {"file": ("walk.csv", b"t,ax,ay,az\n0,0,0,9.8\n", "text/csv")}
    assert b["patient_a"].post(f"/patients/{clinic.patient_a}/recordings", files=files).status_code == 403
    with clinic_db(clinic) as s:
        assert store.get_user_by_email(s, "no@one.test") is None
        assert len(store.recordings_of(s, clinic.patient_a)) == 1
        assert store.notes_of(s, clinic.patient_a) == []
        assert store.clinicians_of(s, clinic.patient_a) == [clinic.clinician_a]
    # Signed out? No: the refused sign-out left the session alone.
    assert b["clinician_a"].get("/caseload").status_code == 200


def test_patients_cannot_open_the_caseload(clinic: Clinic, world: dict[str, Any]) -> None:
    assert world["browsers"]["patient_a"].get("/caseload").status_code == 403
