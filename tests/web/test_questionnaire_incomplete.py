"""An Oswestry answered in part (more than the one section it may miss) is not stored without a score: the
form comes back saying why, with the answers given still ticked, and can be finished."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, post, sign_in


def _odi_rows(clinic: Clinic) -> list[Any]:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return [r.score for r in store.questionnaire_history(s, clinic.patient_a, "odi")]


def test_a_half_answered_oswestry_comes_back_to_be_finished(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    url = f"/patients/{clinic.patient_a}/questionnaires/odi"
    half = {f"s{i}": "2" for i in range(1, 6)}
    page = post(client, url, half)
    assert page.status_code == 422
    assert "its score cannot be worked out from these answers" in page.text
    assert "the Oswestry allows at most 1 missing section" in page.text
    assert "6 (Standing)" in page.text
    for i in range(1, 6):
        assert f'name="s{i}" value="2" checked' in page.text
    assert 'name="s6" value="2" checked' not in page.text
    assert (
        f'href="/patients/{clinic.patient_a}/questionnaires/rmdq">leave this questionnaire for now'
        in page.text
    )
    assert _odi_rows(clinic) == []
    done = post(client, url, {**half, **{f"s{i}": "3" for i in range(6, 11)}})
    assert done.status_code == 303 and done.headers["location"].endswith("/questionnaires/rmdq")
    assert _odi_rows(clinic) == [50.0]  # 25 of 50


def test_one_section_left_open_is_scored(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    url = f"/patients/{clinic.patient_a}/questionnaires/odi"
    assert post(client, url, {f"s{i}": "2" for i in range(1, 10)}).status_code == 303
    assert _odi_rows(clinic) == [40.0]  # 18 of 45


def _refused_on_its_form(client: Any, clinic: Clinic, typed: dict[str, str], words: str) -> None:
    """The PSFS ``typed`` is refused on its own form (422): the alert with ``words``, every field as typed, not
    the app's error page, and no PSFS kept."""
    import html

    from backstride import store

    page = post(client, f"/patients/{clinic.patient_a}/questionnaires/psfs", typed)
    assert page.status_code == 422
    text = html.unescape(page.text)
    assert '<div class="alert" role="alert" id="not-used" tabindex="-1" autofocus>' in text
    assert words in text
    for name, value in typed.items():
        assert f'name="{name}"' in text and f'value="{value}"' in text
    assert "That could not be used" not in text  # the error page
    with clinic_db(clinic, readonly=True) as s:
        assert store.questionnaire_history(s, clinic.patient_a, "psfs") == []


def test_a_refused_answer_brings_the_form_back_with_what_was_typed(client: Any, clinic: Clinic) -> None:
    """A fourth activity named without its number (the browser asks only for the first three) was answered
    with the app's error page: the activities typed were gone. The form comes back with them and the
    problem named, nothing kept."""

    sign_in(client, "paula@home.test")
    typed = {
        "a1_name": "walking the dog",
        "a1_score": "4",
        "a2_name": "gardening",
        "a2_score": "5",
        "a3_name": "driving",
        "a3_score": "6",
        "a4_name": "tying my shoes",
    }
    _refused_on_its_form(client, clinic, typed, "Activity 4: please give both the activity and its number.")


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        # two activities where the PSFS takes 3 to 5
        ({"a1_name": "gardening", "a1_score": "3", "a2_name": "lifting", "a2_score": "5"}, "3 to 5 entries"),
        # the same activity twice
        (
            {
                "a1_name": "gardening",
                "a1_score": "3",
                "a2_name": "lifting",
                "a2_score": "5",
                "a3_name": "Gardening",
                "a3_score": "8",
            },
            "is already activity 1",
        ),
    ],
)
def test_a_psfs_the_clinic_refuses_comes_back_on_its_form(
    client: Any, clinic: Clinic, typed: dict[str, str], words: str
) -> None:
    """Answers each usable on their own that the clinic's scoring refuses as a whole come back on the form,
    what was typed still in it and the reason named, as a half-typed activity does: not the app's error
    page, which lost them all. Nothing is kept."""

    sign_in(client, "paula@home.test")
    _refused_on_its_form(client, clinic, typed, words)
