"""A questionnaire answer is one of the values its form sends, nothing else: Python's ``int`` took "1_0" as a
pain of 10 and "٣" as 3, and an Oswestry section of "+2" as 2; a Roland-Morris statement sent as "maybe" was
read as not ticked, lowering the score. Each is refused (422) and nothing is kept."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import Clinic, post, sign_in


def _scores(clinic: Clinic, instrument: str) -> list[Any]:
    from backstride import store

    engine = store.make_engine(clinic.url)
    try:
        with store.transaction(engine, readonly=True) as s:
            return [r.score for r in store.questionnaire_history(s, clinic.patient_a, instrument)]
    finally:
        engine.dispose()


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
