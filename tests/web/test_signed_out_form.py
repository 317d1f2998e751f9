"""A form sent after its session ended (signed out in another tab, the session lapsed) between loading it and
sending it: nothing is kept, and the answer says so in words, with the text typed in it to copy (the page
that held it asked for no caching, so going back may show it empty)."""

from __future__ import annotations

import html
from typing import Any

from tests.web.conftest import Clinic, sign_in, todays_log


def test_a_log_sent_after_signing_out_elsewhere_says_so_and_gives_back_the_typed_note(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    token = client.csrf
    assert client.post("/signout", data={"csrf_token": token}).status_code == 303
    late = client.post(
        f"/patients/{clinic.patient_a}/log",
        data={"notes": "Walked to the shop <and back>", "pain_today": "3", "csrf_token": token},
        headers={"Origin": "http://testserver"},  # a browser names the page's site
    )
    assert late.status_code == 403
    words = " ".join(html.unescape(late.text).split())
    assert "signed out" in words and "nothing was saved" in words
    assert "Walked to the shop <and back>" in words and "<and back>" not in late.text  # escaped
    assert todays_log(clinic) is None


def test_a_forged_form_gets_no_echo(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    forged = client.post(f"/patients/{clinic.patient_a}/log", data={"notes": "x", "csrf_token": "forged"})
    assert forged.status_code == 403 and "What you typed" not in forged.text


def test_another_sites_form_sent_to_a_signed_out_browser_gets_no_echo(client: Any, clinic: Clinic) -> None:
    """Any token passes for "signed out" (there is no session to check it against): the words of a form another
    site posts here are not shown as this site's ("call this number...")."""
    page = client.post(
        f"/patients/{clinic.patient_a}/log",
        data={"notes": "Your account is locked: call 555 0100", "csrf_token": "anything"},
        headers={"Origin": "https://elsewhere.example"},
    )
    assert page.status_code == 403 and "signed out" in page.text
    assert "What you typed" not in page.text and "555 0100" not in page.text
    no_origin = client.post(
        f"/patients/{clinic.patient_a}/log", data={"notes": "call 555 0100", "csrf_token": "anything"}
    )
    assert no_origin.status_code == 403 and "555 0100" not in no_origin.text
