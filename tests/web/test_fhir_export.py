"""The record's FHIR download: what the clinician and the patient get, and that it is the stored data."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, post, sign_in, upload_sample, wait_for_job

from backstride import fhir, store


def test_the_download_is_a_valid_bundle_of_the_stored_record(client: Any, clinic: Clinic) -> None:
    from fhir.resources.R4B.bundle import Bundle

    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    wait_for_job(client, upload_sample(client, clinic.patient_a).headers["location"])
    own = client.get(f"/patients/{clinic.patient_a}/fhir.json")  # the patient's own data
    assert own.status_code == 200

    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    page = therapist.get(f"/patients/{clinic.patient_a}").text
    assert f'href="/patients/{clinic.patient_a}/fhir.json"' in page
    response = therapist.get(f"/patients/{clinic.patient_a}/fhir.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(fhir.MEDIA_TYPE)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="backstride-paula-patient-') and disposition.endswith(
        '.fhir.json"'
    )
    bundle = response.json()
    Bundle.model_validate(bundle)
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]

    with clinic_db(clinic, readonly=True) as s:
        (analysis,) = store.analyses_of(s, clinic.patient_a)
        summary = analysis.result["summary"]
        (screen,) = store.screenings_of(s, clinic.patient_a)
        urgency = screen.urgency
    (walk,) = [o for o in observations if o["code"]["coding"][0]["code"] == "walking-measurement"]
    values = {p["code"]["coding"][0]["code"]: p["valueQuantity"]["value"] for p in walk["component"]}
    assert values["steps"] == summary["n_steps"] and summary["n_steps"] > 0
    assert values["cadence"] == summary["median_cadence_spm"]
    assert values["walking-speed"] == summary["median_walking_speed_mps"]
    (pain,) = [o for o in observations if o["code"]["coding"][0]["code"] == "72514-3"]
    assert pain["valueQuantity"]["value"] == 5
    (screening,) = [o for o in observations if o["code"]["coding"][0]["code"] == "red-flag-screen"]
    assert screening["valueCodeableConcept"]["coding"][0]["code"] == urgency == "routine"
    # the same record for both (the summary, made at the second of each download, aside)
    assert json.loads(own.text)["entry"][1:-1] == bundle["entry"][1:-1]
    document = bundle["entry"][-1]["resource"]
    assert document["resourceType"] == "DocumentReference"
    assert document["type"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "11508-9",
        "display": "Physical therapy Progress note",
    }
    (content,) = document["content"]
    assert content["attachment"]["contentType"] == "text/html"
    page = base64.b64decode(content["attachment"]["data"]).decode("utf-8")
    assert "<h1>Progress summary: Paula Patient</h1>" in page
    assert "<td>Numeric Pain Rating Scale</td>" in page and "<script" not in page


def test_a_patient_named_outside_latin_1(client: Any, clinic: Clinic) -> None:
    from urllib.parse import quote

    with clinic_db(clinic) as s:
        s.get(store.User, clinic.patient_a).name = "Łukasz Żółć"
    therapist = client
    sign_in(therapist, "anna@clinic.test")
    response = therapist.get(f"/patients/{clinic.patient_a}/fhir.json")
    assert response.status_code == 200
    header = response.headers["content-disposition"]
    assert header.startswith('attachment; filename="backstride-_ukasz-_'), header
    assert "filename*=UTF-8''" + quote("backstride-łukasz-żółć-", safe="") in header
    assert response.json()["entry"][1]["resource"]["name"] == [{"text": "Łukasz Żółć"}]


def test_the_progress_summary_download_is_the_stored_record(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    for score in ("7", "3"):
        post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": score})
    wait_for_job(client, upload_sample(client, clinic.patient_a).headers["location"])
    assert (
        f'href="/patients/{clinic.patient_a}/summary.html"'
        in client.get(f"/patients/{clinic.patient_a}/progress").text
    )
    own = client.get(f"/patients/{clinic.patient_a}/summary.html")
    assert own.status_code == 200

    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    assert (
        f'href="/patients/{clinic.patient_a}/summary.html"'
        in therapist.get(f"/patients/{clinic.patient_a}").text
    )
    response = therapist.get(f"/patients/{clinic.patient_a}/summary.html")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="backstride-paula-patient-')
    assert disposition.endswith('-summary.html"')
    page = response.text
    assert "Progress summary: Paula Patient" in page
    assert 'Numeric Pain Rating Scale: 7.0 → 3.0, <span class="improved">improved</span>' in page
    with clinic_db(clinic, readonly=True) as s:
        (analysis,) = store.analyses_of(s, clinic.patient_a)
        summary = analysis.result["summary"]
    row = f"<td>{summary['n_steps']}</td><td>{summary['median_walking_speed_mps']:.2f}</td>"
    assert row in page and summary["n_steps"] > 0
    assert "The one screen came to routine care" in page
