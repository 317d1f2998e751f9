"""A questionnaire answer is one of the values its form sends, nothing else: Python's ``int`` took "1_0" as a
pain of 10 and "٣" as 3, and an Oswestry section of "+2" as 2; a Roland-Morris statement sent as "maybe" was
read as not ticked, lowering the score. Each is refused (422) and nothing is kept."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, post, sign_in


def _scores(clinic: Clinic, instrument: str) -> list[Any]:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return [r.score for r in store.questionnaire_history(s, clinic.patient_a, instrument)]


@pytest.mark.parametrize("sent", ["1_0", "\u0663", "+3", "3.0", "0x3", "11", "-0"])
def test_a_pain_score_no_button_sends_is_refused(client: Any, clinic: Clinic, sent: str) -> None:
    sign_in(client, "paula@home.test")
    page = post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": sent})
    assert page.status_code == 422
    assert _scores(clinic, "nprs") == []


def test_a_pain_score_a_button_sends_is_kept(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    assert (
        post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "10"}).status_code == 303
    )
    assert _scores(clinic, "nprs") == [10.0]


def test_an_oswestry_section_given_with_a_sign_is_refused(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    answers = {f"s{i}": "2" for i in range(1, 11)} | {"s3": "+2"}
    page = post(client, f"/patients/{clinic.patient_a}/questionnaires/odi", answers)
    assert page.status_code == 422
    assert _scores(clinic, "odi") == []


def test_a_roland_morris_statement_neither_ticked_nor_empty_is_refused(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    url = f"/patients/{clinic.patient_a}/questionnaires/rmdq"
    page = post(client, url, {"i1": "yes", "i2": "yes", "i3": "maybe"})
    assert page.status_code == 422
    assert "tick the statement or leave it empty" in page.text
    assert _scores(clinic, "rmdq") == []
    assert post(client, url, {"i1": "yes", "i2": "yes", "i3": "yes"}).status_code == 303
    assert _scores(clinic, "rmdq") == [3.0]


def _problem(page: Any) -> str:
    import re

    found = re.search(r'<div class="alert" role="alert" id="not-used".*?</div>', page.text, re.S)
    assert found, page.text
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


@pytest.mark.parametrize("typed", ["2,5", "2.5", "11", "-1", "two"])
def test_a_psfs_score_not_a_whole_number_in_range_says_what_it_takes(
    client: Any, clinic: Clinic, typed: str
) -> None:
    """The PSFS number box took "2,5" and said "please choose one of the answers" (there are none to choose):
    it says what it takes, with the instrument's own bounds."""
    from backstride.clinic import INSTRUMENTS

    psfs = INSTRUMENTS["psfs"]
    sign_in(client, "paula@home.test")
    answers = {"a1_name": "Walking", "a1_score": "4", "a2_name": "Sitting", "a2_score": typed}
    answers |= {"a3_name": "Lifting", "a3_score": "6"}
    page = post(client, f"/patients/{clinic.patient_a}/questionnaires/psfs", answers)
    assert page.status_code == 422
    problem = _problem(page)
    assert "choose one of the answers" not in problem
    low, high = f"{psfs.score_min:g}", f"{psfs.score_max:g}"
    assert f"Activity 2: give a whole number from {low} to {high}." in problem
    assert _scores(clinic, "psfs") == []


@pytest.mark.parametrize(
    ("instrument", "answers", "said"),
    [
        ("nprs", {"score": "2.5"}, "Pain: choose a whole number from 0 to 10."),
        (
            "odi",
            {f"s{i}": "2" for i in range(1, 11)} | {"s3": "2.5"},
            "Lifting: choose one of the statements, from 0 to 5.",
        ),
        (
            "startback",
            {f"i{i}": "1" for i in range(1, 10)} | {"i2": "0.5"},
            "Neck or shoulder pain: choose Agree or Disagree.",
        ),
        (
            "startback",
            {f"i{i}": "1" for i in range(1, 10)} | {"i9": "2,5"},
            "How bothersome: choose one of the answers, from not at all to extremely.",
        ),
    ],
)
def test_every_questionnaire_number_refused_says_what_it_takes(
    client: Any, clinic: Clinic, instrument: str, answers: dict[str, str], said: str
) -> None:
    sign_in(client, "paula@home.test")
    page = post(client, f"/patients/{clinic.patient_a}/questionnaires/{instrument}", answers)
    assert page.status_code == 422
    assert said in _problem(page)
    assert _scores(clinic, instrument) == []
