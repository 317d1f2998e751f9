"""A page's title says what it is and whose: a clinician's pages of a patient name the patient (tabs of
several patients are told apart) and never say "your"; each walk's page has its own title."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import Clinic, analysed_sample, check_in, post, sign_in


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found.group(1)


def test_a_clinicians_pages_of_a_patient_name_the_patient_in_the_title(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "4"})
    walk = analysed_sample(client, clinic.patient_a)
    own = {path: _title(client.get(path).text) for path in (f"/patients/{clinic.patient_a}/plan", walk)}
    assert own[f"/patients/{clinic.patient_a}/plan"] == "Your plan · backstride"
    assert own[walk].startswith("Your walk, ")  # with the day it was uploaded: one title per walk
    assert "Paula" not in "".join(own.values())

    client.post("/signout", data={"csrf_token": client.csrf})
    sign_in(client, "anna@clinic.test")
    base = f"/patients/{clinic.patient_a}"
    titles = {
        path: _title(client.get(path).text)
        for path in (
            base,
            f"{base}/plan",
            f"{base}/progress",
            f"{base}/log",
            f"{base}/checkin",
            f"{base}/questionnaires",
            f"{base}/questionnaires/nprs",
            f"{base}/recordings",
            f"{base}/recordings/new",
            walk,
        )
    }
    for path, title in titles.items():
        assert title.count("Paula Patient") == 1, (path, title)
        assert "your" not in title.lower(), (path, title)
    assert titles[f"{base}/plan"] == "Plan of Paula Patient · backstride"
    assert titles[f"{base}/progress"] == "Progress – Paula Patient · backstride"
    assert titles[walk].startswith("Walk of Paula Patient, ")
    assert len(set(titles.values())) == len(titles)
