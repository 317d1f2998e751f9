"""The daily log's note ("Anything else") has a limit, 2,000 characters: it was kept and shown back whatever
its size (a paste of a whole document went into the day's log and onto every page that shows it). A longer
note is refused as the form's other problems are, everything typed kept and the limit said."""

from __future__ import annotations

import html
from typing import Any

from tests.web.conftest import Clinic, post, sign_in, todays_log

_WALK = {"w1_minutes": "15", "w1_pain_before": "3", "w1_pain_during": "4", "w1_pain_after": "3"}


def test_a_note_over_2000_characters_is_refused_with_what_was_typed_kept(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    note = "Sore after the stairs & the bus. " * 61  # 2,013 characters
    assert len(note.strip()) == 2012
    page = post(client, f"/patients/{clinic.patient_a}/log", {**_WALK, "notes": note})
    assert page.status_code == 422  # type: ignore[attr-defined]
    text = html.unescape(page.text)  # type: ignore[attr-defined]
    assert "Anything else: give at most 2,000 characters (this note has 2,012)." in text
    assert f">{note.strip()}</textarea>" in text  # kept whole, to be shortened
    assert (
        '<textarea id="notes" name="notes" aria-invalid="true" aria-describedby="log-problems notes_note">'
        in text
    )
    assert 'value="15"' in text  # the walk typed beside it too
    assert todays_log(clinic) is None


def test_a_note_of_2000_characters_is_kept(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    note = "x" * 2000
    page = post(client, f"/patients/{clinic.patient_a}/log", {**_WALK, "notes": note})
    assert page.status_code == 303  # type: ignore[attr-defined]
    log = todays_log(clinic)
    assert log is not None and log["notes"] == note
    shown = client.get(f"/patients/{clinic.patient_a}/log").text
    assert f">{note}</textarea>" in shown and "At most 2,000 characters." in shown


def test_a_warning_sign_beside_a_too_long_note_is_kept_and_so_is_the_note_whole(
    client: Any, clinic: Clinic
) -> None:
    """A warning sign is kept and screened whatever else is wrong in the form, and the emergency page that
    follows offers no way back to the form: a note beside it over the limit is kept whole (it may be the
    patient's own account of the sign) instead of being left out, as it was."""
    sign_in(client, "paula@home.test")
    note = "The numbness started on Tuesday evening and spread. " * 40  # 2,079 characters
    page = post(client, f"/patients/{clinic.patient_a}/log", {"flag_saddle_numbness": "yes", "notes": note})
    assert page.status_code == 200  # type: ignore[attr-defined]
    log = todays_log(clinic)
    assert log is not None and log["red_flags"] == {"saddle_numbness": True}
    assert log["notes"] == note.strip()


def test_without_a_warning_sign_a_too_long_note_beside_a_bad_number_keeps_nothing(
    client: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    page = post(
        client, f"/patients/{clinic.patient_a}/log", {**_WALK, "w1_pain_after": "eleven", "notes": "y" * 2001}
    )
    assert page.status_code == 422  # type: ignore[attr-defined]
    assert todays_log(clinic) is None
