"""The add-patient form and the form that puts a patient's details right: a form that cannot be used comes
back (422) with what was typed still in it and every problem named as the form labels the field, and nothing
is kept; the figures' bounds are the store's own."""

from __future__ import annotations

import html
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, post, sign_in

from backstride import store

NEW = "/clinician/patients/new"
GOOD = {
    "name": "Nora New",
    "email": "nora@home.test",
    "age": "47",
    "sex": "female",
    "height_m": "1.64",
    "sensor_height_m": "",
    "access": "link",
}


def _people(clinic: Clinic) -> list[tuple[str, str, Any]]:
    """Every account with its profile, as stored."""
    from sqlalchemy import select

    with clinic_db(clinic, readonly=True) as s:
        rows = []
        for user in s.scalars(select(store.User).order_by(store.User.id)):
            p = user.profile
            figures = (p.age, p.sex, p.height_m, p.sensor_height_m) if p is not None else None
            rows.append((user.email, user.name, figures))
        return rows


def _problems(page: str) -> list[str]:
    box = page.split('id="details-problems"')[1].split("</ul>")[0]
    return [html.unescape(item.split("</li>")[0]) for item in box.split("<li>")[1:]]


def _field(page: str, name: str) -> str:
    """The tag of the form's field ``name``."""
    start = page.index(f'name="{name}"')
    return page[page.rindex("<", 0, start) : page.index(">", start) + 1]


def test_a_new_patient_with_every_field_wrong_comes_back_with_every_problem_named(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "anna@clinic.test")
    before = _people(clinic)
    typed = {
        "name": "   ",
        "email": "nora.home.test",
        "age": "300",
        "sex": "unknown",
        "height_m": "tall",
        "sensor_height_m": "3",
        "access": "password",
    }
    page = post(client, NEW, typed)
    assert page.status_code == 422
    assert 'action="/clinician/patients/new"' in page.text  # the form itself, not a page about an error
    assert "back button" not in page.text and "Error 422" not in page.text
    assert _problems(page.text) == [
        "Name: please fill it in.",
        "Email: “nora.home.test” is not an e-mail address.",
        "Age: 300 is not plausible (years).",
        "Height: give the height in metres, e.g. 1.72.",
        "Sensor height: 3.0 m is not plausible; give it in metres.",
        "Sex: choose Female, Male or Not given.",
    ]
    assert "The patient was not added yet." in page.text
    # what was typed is still there, each field that could not be used marked
    assert _field(page.text, "email") == (
        '<input id="email" name="email" type="email" required value="nora.home.test" aria-invalid="true"'
        ' aria-describedby="details-problems">'
    )
    assert 'value="300" aria-invalid="true"' in _field(page.text, "age")
    assert 'value="tall" aria-invalid="true"' in _field(page.text, "height_m")
    assert 'value="3" aria-invalid="true"' in _field(page.text, "sensor_height_m")
    assert 'aria-invalid="true"' in _field(page.text, "name")
    assert '<select id="sex" name="sex" aria-invalid="true" aria-describedby="details-problems">' in page.text
    assert 'value="password" checked' in page.text  # the way to sign in that was chosen
    assert _people(clinic) == before  # nothing kept


@pytest.mark.parametrize(
    ("field", "typed", "problem"),
    [
        ("name", "", "Name: please fill it in."),
        ("email", "", "Email: please fill it in; the patient signs in with it."),
        ("email", "paula@home.test", "Email: paula@home.test already has an account."),
        ("age", "0", "Age: 0 is not plausible (years)."),
        ("age", "-4", "Age: -4 is not plausible (years)."),
        ("age", "130", "Age: 130 is not plausible (years)."),
        ("age", "47.5", "Age: give a whole number of years."),
        ("age", "forty", "Age: give a whole number of years."),
        ("height_m", "164", "Height: 164.0 m is not plausible; give it in metres, e.g. 1.72."),
        ("height_m", "0.5", "Height: 0.5 m is not plausible; give it in metres, e.g. 1.72."),
        ("height_m", "nan", "Height: give the height in metres, e.g. 1.72."),
        ("height_m", "inf", "Height: give the height in metres, e.g. 1.72."),
        ("sensor_height_m", "2", "Sensor height: 2.0 m is not plausible; give it in metres."),
        (
            "sensor_height_m",
            "hip",
            "Sensor height: give the sensor's height above the floor in metres, e.g. 1.05.",
        ),
    ],
)
def test_one_wrong_field_of_a_new_patient_is_named_and_the_rest_kept(
    client: Any, clinic: Clinic, field: str, typed: str, problem: str
) -> None:
    sign_in(client, "anna@clinic.test")
    before = _people(clinic)
    page = post(client, NEW, {**GOOD, field: typed})
    assert page.status_code == 422
    assert _problems(page.text) == [problem]
    for name in ("name", "email", "age", "height_m"):
        value = typed if name == field else GOOD[name]
        assert f'value="{html.escape(value)}"' in _field(page.text, name), name
    assert 'aria-invalid="true"' in _field(page.text, field)
    assert '<option value="female" selected>' in page.text
    assert _people(clinic) == before


def test_a_new_patient_whose_form_is_right_is_added_with_the_figures_as_typed(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "anna@clinic.test")
    page = post(
        client, NEW, {**GOOD, "email": " Nora@Home.test ", "height_m": "1,64", "sensor_height_m": "1.02"}
    )
    assert page.status_code == 201
    assert _people(clinic)[-1] == ("nora@home.test", "Nora New", (47, "female", 1.64, 1.02))


def test_the_details_put_right_with_problems_come_back_on_the_patients_page(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "anna@clinic.test")
    before = _people(clinic)
    url = f"/patients/{clinic.patient_a}/profile"
    typed = {"age": "-1", "sex": "female", "height_m": "178", "sensor_height_m": "1.05"}
    page = post(client, url, typed)
    assert page.status_code == 422
    assert "<h1>Paula Patient</h1>" in page.text  # the patient's page, the form on it
    assert _problems(page.text) == [
        "Age: -1 is not plausible (years).",
        "Height: 178.0 m is not plausible; give it in metres, e.g. 1.72.",
    ]
    assert '<details class="correction" id="details" open>' in page.text  # the form shown, not folded away
    assert "The patient&#39;s details were not saved: see why below." in page.text
    details = page.text.split('id="details"')[1].split("</details>")[0]
    assert f'action="{url}"' in details
    assert 'value="-1" aria-invalid="true"' in _field(details, "age")
    assert 'value="178" aria-invalid="true"' in _field(details, "height_m")
    assert _field(details, "sensor_height_m").endswith('value="1.05">')  # kept, not marked
    assert '<option value="female" selected>' in details
    assert _people(clinic) == before  # the height 1.05 was not kept on its own either


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ({"age": "abc"}, "Age: give a whole number of years."),
        ({"age": "200"}, "Age: 200 is not plausible (years)."),
        ({"height_m": "2.6"}, "Height: 2.6 m is not plausible; give it in metres, e.g. 1.72."),
        ({"sensor_height_m": "0.1"}, "Sensor height: 0.1 m is not plausible; give it in metres."),
        ({"sex": "F"}, "Sex: choose Female, Male or Not given."),
    ],
)
def test_one_wrong_detail_is_named_and_nothing_changes(
    client: Any, clinic: Clinic, typed: dict[str, str], problem: str
) -> None:
    sign_in(client, "anna@clinic.test")
    before = _people(clinic)
    page = post(client, f"/patients/{clinic.patient_a}/profile", {"age": "52", "sex": "female", **typed})
    assert page.status_code == 422
    assert _problems(page.text) == [problem]
    assert _people(clinic) == before


def test_a_patient_still_cannot_put_their_own_details_right(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    before = _people(clinic)
    assert post(client, f"/patients/{clinic.patient_a}/profile", {"age": "-1"}).status_code == 403
    assert post(client, f"/patients/{clinic.patient_a}/profile", {"age": "50"}).status_code == 403
    assert post(client, NEW, {**GOOD, "name": ""}).status_code == 403
    assert _people(clinic) == before
