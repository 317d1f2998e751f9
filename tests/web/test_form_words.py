"""A clinician's form that cannot be used comes back on the patient's page with every problem named as the
form labels the field, and what was typed still in it; a number that is not whole is refused, not cut."""

from __future__ import annotations

from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, post, sign_in


def _patient_with_plan(client: Any, clinic: Clinic) -> Any:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    assert "walks a day" in client.get(f"/patients/{clinic.patient_a}/plan").text
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    return therapist


def _versions(clinic: Clinic) -> list[Any]:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return [(v.version, v.plan["walks_per_day"]) for v in store.plan_history(s, clinic.patient_a)]


def _problems(page: str, section: str) -> list[str]:
    box = page.split(f'id="{section}-problems"')[1].split("</ul>")[0]
    return [item.split("</li>")[0] for item in box.split("<li>")[1:]]


def test_a_plan_change_names_every_problem_and_keeps_what_was_typed(client: Any, clinic: Clinic) -> None:
    therapist = _patient_with_plan(client, clinic)
    url = f"/patients/{clinic.patient_a}/plan"
    page = post(therapist, url, {"reason": "", "walks_per_day": "2.5", "minutes_per_walk": "45"})
    assert page.status_code == 422
    assert _problems(page.text, "plan") == [
        "Reason: please say why the plan changes; it is kept with the new version.",
        "Walks per day: give a whole number from 1 to 3.",
        "Minutes per walk: give a whole number from 5 to 30.",
    ]
    assert 'name="walks_per_day" type="number" min="1" max="3" step="1" value="2.5"' in page.text
    assert 'name="minutes_per_walk" type="number" min="5" max="30" step="1" value="45"' in page.text
    assert "back button" not in page.text
    assert _versions(clinic) == [(1, _versions(clinic)[0][1])]  # nothing saved, 2.5 not cut to 2
    done = post(therapist, url, {"reason": "easier", "walks_per_day": "2", "minutes_per_walk": "10"})
    assert done.status_code == 303 and _versions(clinic)[-1] == (2, 2)


def test_a_session_names_every_problem_and_keeps_what_was_typed(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    data = {
        "date": "yesterday",
        "technique": "soft-tissue massage",
        "region": "",
        "duration_min": "0",
        "pain_before": "12",
        "pain_after": "3",
        "response": "worse",
        "notes": "tender",
    }
    page = post(client, f"/patients/{clinic.patient_a}/sessions", data)
    assert page.status_code == 422
    assert _problems(page.text, "sessions") == [
        "Date: &#39;yesterday&#39; is not a date (give it as YYYY-MM-DD).",
        "Region: please fill it in.",
        "Minutes: give a number above 0 and up to 240.",
        "Pain before: give a number from 0 to 10.",
    ]
    assert 'value="soft-tissue massage"' in page.text and ">tender</textarea>" in page.text
    assert '<option value="worse" selected>' in page.text


def test_a_field_left_out_of_a_request_is_named_in_words(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    page = post(client, f"/patients/{clinic.patient_a}/notes", {})
    assert page.status_code == 422
    assert "Some of what was sent could not be used — Text: please fill it in." in page.text
