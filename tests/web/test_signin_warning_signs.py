"""The sign-in page tells everybody which warning signs cannot wait, and the clinic's number: somebody who cannot
sign in (a forgotten password, a lapsed link, a closed account) is not held at the door by an emergency."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.web.conftest import csrf_of

from backstride.clinic import EMERGENCY_SIGNS, QUESTIONS

TEXT = {q.id: q.text for q in QUESTIONS}


def _signs_box(page: str) -> str:
    match = re.search(
        r'<section class="card narrow caution" aria-labelledby="public-signs-title">(.*?)</section>',
        page,
        re.S,
    )
    assert match, "no warning-signs box on the page"
    return html.unescape(match.group(1))


def test_every_emergency_sign_and_the_clinics_number_are_on_the_sign_in_page(app_factory: Any) -> None:
    client = app_factory(emergency_number="112")
    box = _signs_box(client.get("/signin").text)
    for sign in EMERGENCY_SIGNS:
        assert f"<li>{TEXT[sign]}</li>" in box
    # a pair that is an emergency only together, neither alone: both questions in one item
    assert f"<li>Both: {TEXT['fever']} And: {TEXT['feeling_unwell']}</li>" in box
    # a pair with a sign that is an emergency alone is not listed again
    for alone in ("saddle_numbness", "foot_drop"):
        assert "Both: " + TEXT["history_of_cancer"] + " And: " + TEXT[alone] not in box
    assert '<a class="tel" href="tel:112">112</a>' in box


def test_the_box_stays_when_a_sign_in_is_refused(client: Any) -> None:
    token = csrf_of(client)
    refused = client.post(
        "/signin", data={"email": "nobody@clinic.test", "password": "nope", "csrf_token": token}
    )
    assert refused.status_code == 401 and "not right" in refused.text
    assert TEXT["saddle_numbness"] in _signs_box(refused.text)
