"""What a therapist types has a limit, as the patient's daily note has: 2,000 characters for a note or a reason
(a plan change's, an exercise change's, a therapy session's notes, a note about the patient), 200 for a
session's technique, region and dose. They had none: a paste of a whole document was kept and shown on every
page, report and export that shows it. A longer text is refused (422) as the form's other problems are, shown
back whole to be shortened and the limit said; a text at the limit is kept whole."""

from __future__ import annotations

import html
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, notes_of, plan_history_of, post, sign_in
from tests.web.test_exercise_changes import _plan_made, _therapist

from backstride import store
from backstride.clinic import EXERCISES

_AT_LIMIT = ("Walked the stairs twice & felt fine. " * 60)[:1999] + "."  # 2,000 characters
_OVER = _AT_LIMIT + " And more."  # 2,010


def _refused(page: Any, text: str, problem: str) -> str:
    assert page.status_code == 422, page.text
    shown = html.unescape(page.text)
    assert problem in shown
    assert f">{text}</textarea>" in shown  # kept whole, to be shortened
    return shown


def test_the_texts_used_here_are_at_and_over_the_limit() -> None:
    assert (len(_AT_LIMIT), len(_OVER)) == (2000, 2010)


@pytest.mark.parametrize("form", ["walking", "exercise", "add", "remove"])
def test_a_plan_changes_reason_over_2000_characters_is_refused_with_what_was_typed_kept(
    client: Any, clinic: Clinic, form: str
) -> None:
    exercises = _plan_made(client, clinic)
    therapist = _therapist(client)
    url = f"/patients/{clinic.patient_a}/plan"
    ex_id = exercises[0]["id"]
    added = next(x for x in EXERCISES if x not in {e["id"] for e in exercises})
    target, data, textarea = {
        "walking": (url, {"walks_per_day": "2", "minutes_per_walk": "14"}, 'id="reason"'),
        "exercise": (f"{url}/exercises/{ex_id}", {}, f'id="{ex_id}-reason"'),
        "add": (f"{url}/exercises", {"exercise": added}, 'id="add-reason"'),
        "remove": (f"{url}/exercises/{ex_id}/remove", {}, f'id="{ex_id}-reason"'),
    }[form]
    page = post(therapist, target, {**data, "reason": _OVER})
    shown = _refused(page, _OVER, "Reason: give at most 2,000 characters (this one has 2,010).")
    field = shown.split(textarea)[1].split(">")[0]
    assert 'aria-invalid="true"' in field and "maxlength" not in field
    assert "At most 2,000 characters." in shown
    assert [v.version for v in plan_history_of(clinic)] == [1]  # nothing saved


def test_a_plan_changes_reason_of_2000_characters_is_kept_whole(client: Any, clinic: Clinic) -> None:
    exercises = _plan_made(client, clinic)
    therapist = _therapist(client)
    url = f"/patients/{clinic.patient_a}/plan"
    walking = post(therapist, url, {"reason": _AT_LIMIT, "walks_per_day": "2", "minutes_per_walk": "14"})
    assert walking.status_code == 303  # type: ignore[attr-defined]
    ex_id = exercises[0]["id"]
    exercise = post(therapist, f"{url}/exercises/{ex_id}/remove", {"reason": "x" * 2000})
    assert exercise.status_code == 303  # type: ignore[attr-defined]
    assert [v.reason for v in plan_history_of(clinic)[1:]] == [_AT_LIMIT, "x" * 2000]


_SESSION = {
    "date": "2026-11-20",
    "technique": "soft-tissue massage",
    "region": "lumbar",
    "response": "better",
}


def _sessions(clinic: Clinic) -> list[dict[str, Any]]:
    with clinic_db(clinic, readonly=True) as s:
        return [dict(r.data) for r in store.therapy_sessions_of(s, clinic.patient_a)]


def test_a_sessions_notes_over_2000_characters_are_refused_with_what_was_typed_kept(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "anna@clinic.test")
    page = post(client, f"/patients/{clinic.patient_a}/sessions", {**_SESSION, "notes": _OVER})
    shown = _refused(page, _OVER, "Notes: give at most 2,000 characters (this one has 2,010).")
    assert (
        '<textarea id="s-notes" name="notes" aria-invalid="true" aria-describedby="sessions-problems s-notes_note">'
        in shown
    )
    assert 'value="soft-tissue massage"' in shown  # what else was typed too
    assert _sessions(clinic) == []


@pytest.mark.parametrize("name", ["technique", "region", "dose"])
def test_a_sessions_technique_region_or_dose_over_200_characters_is_refused_and_kept(
    client: Any, clinic: Clinic, name: str
) -> None:
    sign_in(client, "anna@clinic.test")
    typed = "L4-L5 & around " * 14  # 210 characters, 209 as kept
    page = post(client, f"/patients/{clinic.patient_a}/sessions", {**_SESSION, name: typed, "notes": "ok"})
    assert page.status_code == 422  # type: ignore[attr-defined]
    shown = html.unescape(page.text)  # type: ignore[attr-defined]
    assert f"{name.capitalize()}: give at most 200 characters (this one has 209)." in shown
    field = shown.split(f'name="{name}"')[1].split(">")[0]
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
    assert _sessions(clinic) == []


def test_a_session_at_the_limits_is_kept_whole(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    line = "t" * 200
    session = {**_SESSION, "technique": line, "region": line, "dose": line, "notes": _AT_LIMIT}
    assert post(client, f"/patients/{clinic.patient_a}/sessions", session).status_code == 303  # type: ignore[attr-defined]
    [kept] = _sessions(clinic)
    assert (kept["technique"], kept["region"], kept["dose"], kept["notes"]) == (line, line, line, _AT_LIMIT)


def test_a_note_over_2000_characters_is_refused_with_what_was_typed_kept(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    page = post(client, f"/patients/{clinic.patient_a}/notes", {"text": _OVER})
    shown = _refused(page, _OVER, "Note: give at most 2,000 characters (this one has 2,010).")
    assert (
        '<textarea id="note-text" name="text" required aria-invalid="true" aria-describedby="notes-problems note-text_note">'
        in shown
    )
    assert '<a href="#notes-problems">The note was not saved: see why below.</a>' in shown
    assert notes_of(clinic) == []
    empty = post(client, f"/patients/{clinic.patient_a}/notes", {"text": "  "})
    assert empty.status_code == 422 and "Note: please write it." in empty.text  # type: ignore[attr-defined]


def test_a_note_of_2000_characters_is_kept_whole(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    page = post(client, f"/patients/{clinic.patient_a}/notes", {"text": _AT_LIMIT})
    assert page.status_code == 303  # type: ignore[attr-defined]
    assert notes_of(clinic) == [_AT_LIMIT]
    shown = html.unescape(client.get(f"/patients/{clinic.patient_a}").text)
    assert _AT_LIMIT in shown and "At most 2,000 characters." in shown
