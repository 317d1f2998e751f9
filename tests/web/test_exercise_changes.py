"""A therapist changes the plan's exercises (dose, version, adding and taking out), each a new plan version with
its reason, as the walking change is; a refused change comes back in the form with what was typed."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.web.conftest import Clinic, check_in, plan_history_of, post, sign_in

from backstride.clinic import EXERCISES, Dose, dose_limits


def _plan_made(client: Any, ids: Clinic) -> list[dict[str, Any]]:
    """The first plan of patient A (made on her plan page); its exercises as stored."""
    sign_in(client, "paula@home.test")
    check_in(client, ids.patient_a)
    post(client, f"/patients/{ids.patient_a}/questionnaires/nprs", {"score": "5"})
    assert "walks a day" in client.get(f"/patients/{ids.patient_a}/plan").text
    return plan_history_of(ids)[-1].plan["exercises"]  # type: ignore[no-any-return]


def _therapist(client: Any) -> Any:
    other = client.__class__(client.app, follow_redirects=False)
    sign_in(other, "anna@clinic.test")
    return other


def _first_with(exercises: list[dict[str, Any]], part: str, has: bool) -> str:
    """The id of the first exercise of the plan whose library entry has (or has not) that part of a dose."""
    return next(x["id"] for x in exercises if (dose_limits(x["id"])[part] is not None) is has)


def test_a_therapist_changes_an_exercises_dose_and_the_patient_reads_it(client: Any, clinic: Clinic) -> None:
    ids = clinic
    exercises = _plan_made(client, ids)
    ex_id = _first_with(exercises, "reps", True)
    ex = EXERCISES[ex_id]
    therapist = _therapist(client)
    page = therapist.get(f"/patients/{ids.patient_a}").text
    assert f'action="/patients/{ids.patient_a}/plan/exercises/{ex_id}"' in page
    # each form's reason has a label of its own (a screen reader lists the fields by their labels)
    labels = re.findall(r'<label for="[^"]*reason">([^<]*)</label>', page)
    assert len(labels) == len(exercises) + 2 and len(set(labels)) == len(labels)
    assert f"Reason for changing {ex.name} (kept with the new version)" in html.unescape(page)
    done = post(
        therapist,
        f"/patients/{ids.patient_a}/plan/exercises/{ex_id}",
        {"reason": "Easy at the clinic today", "sets": str(ex.max_sets), "reps": "3", "per_day": "2"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/patients/{ids.patient_a}#exercise-{ex_id}"
    history = plan_history_of(ids)
    assert [v.version for v in history] == [1, 2]
    latest = history[-1]
    assert latest.reason == "Easy at the clinic today" and latest.created_by == ids.clinician_a
    assert latest.plan["reasons"] == ["Changed by your therapist: Easy at the clinic today"]
    changed = next(x for x in latest.plan["exercises"] if x["id"] == ex_id)
    was = next(x for x in exercises if x["id"] == ex_id)
    assert changed["dose"] == {**was["dose"], "sets": ex.max_sets, "reps": 3, "per_day": 2}
    expected = Dose(**changed["dose"]).describe()
    assert changed["dose_text"] == expected and "x 3 reps" in expected and "2 times a day" in expected
    # the walks and every other exercise are as they were
    assert latest.plan["walks_per_day"] == history[0].plan["walks_per_day"]
    assert [x for x in latest.plan["exercises"] if x["id"] != ex_id] == [
        x for x in exercises if x["id"] != ex_id
    ]
    plan_page = html.unescape(client.get(f"/patients/{ids.patient_a}/plan").text)
    assert expected in plan_page
    assert "Changed by your therapist: Easy at the clinic today" in plan_page


def test_a_therapist_switches_an_exercise_to_its_harder_version(client: Any, clinic: Clinic) -> None:
    ids = clinic
    exercises = _plan_made(client, ids)
    ex_id = exercises[0]["id"]
    therapist = _therapist(client)
    done = post(
        therapist,
        f"/patients/{ids.patient_a}/plan/exercises/{ex_id}",
        {"reason": "Ready for more", "variant": "harder"},
    )
    assert done.status_code == 303
    changed = next(x for x in plan_history_of(ids)[-1].plan["exercises"] if x["id"] == ex_id)
    assert changed["variant"] == "harder"
    assert changed["variant_text"] == EXERCISES[ex_id].harder
    assert changed["dose"] == exercises[0]["dose"]  # empty dose fields keep the plan's dose
    plan_page = html.unescape(client.get(f"/patients/{ids.patient_a}/plan").text)
    assert f"{changed['name']} (harder version)" in plan_page
    assert EXERCISES[ex_id].harder in plan_page


def test_a_refused_exercise_change_keeps_what_was_typed_and_saves_nothing(
    client: Any, clinic: Clinic
) -> None:
    ids = clinic
    exercises = _plan_made(client, ids)
    ex_id = exercises[0]["id"]
    ex = EXERCISES[ex_id]
    therapist = _therapist(client)
    url = f"/patients/{ids.patient_a}/plan/exercises/{ex_id}"
    too_many = str(ex.max_sets + 1)
    refused = post(therapist, url, {"reason": "Push on", "sets": too_many, "per_day": "2"})
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert f"Sets: give a whole number from 1 to {ex.max_sets}." in text
    assert (
        f'id="{ex_id}-sets" name="sets" type="number" min="1" max="{ex.max_sets}" step="1" value="{too_many}"'
        in (refused.text)
    )
    assert 'aria-invalid="true" aria-describedby="exercise-' + ex_id + '-problems"' in refused.text
    assert ">Push on</textarea>" in refused.text
    assert f'<details class="exercise" id="exercise-{ex_id}" open>' in refused.text
    assert "The exercise change was not saved: see why below." in text
    no_reason = post(therapist, url, {"reason": " ", "sets": "1"})
    assert no_reason.status_code == 422
    assert "Reason: please say why the plan changes" in no_reason.text
    odd_version = post(therapist, url, {"reason": "x", "variant": "hardest"})
    assert (
        odd_version.status_code == 422 and "Version: choose easier, standard or harder." in odd_version.text
    )
    assert [v.version for v in plan_history_of(ids)] == [1]


def test_a_hold_cannot_be_given_repetitions(client: Any, clinic: Clinic) -> None:
    """A stretch is held, not repeated: its form has no repetitions, and a repetition sent is refused."""
    ids = clinic
    exercises = _plan_made(client, ids)
    therapist = _therapist(client)
    in_library = next(e for e in EXERCISES.values() if dose_limits(e.id)["reps"] is None)
    if in_library.id not in {x["id"] for x in exercises}:
        assert (
            post(
                therapist,
                f"/patients/{ids.patient_a}/plan/exercises",
                {"exercise": in_library.id, "reason": "stretch"},
            ).status_code
            == 303
        )
    page = therapist.get(f"/patients/{ids.patient_a}").text
    assert f'id="{in_library.id}-hold_s"' in page and f'id="{in_library.id}-reps"' not in page
    before = len(plan_history_of(ids))
    refused = post(
        therapist,
        f"/patients/{ids.patient_a}/plan/exercises/{in_library.id}",
        {"reason": "more", "reps": "8"},
    )
    assert refused.status_code == 422
    assert f"Repetitions: {in_library.name} has none; leave it empty." in html.unescape(refused.text)
    assert len(plan_history_of(ids)) == before


def test_a_therapist_adds_an_exercise_from_the_library_once(client: Any, clinic: Clinic) -> None:
    ids = clinic
    exercises = _plan_made(client, ids)
    new = next(e for e in EXERCISES.values() if e.id not in {x["id"] for x in exercises})
    therapist = _therapist(client)
    url = f"/patients/{ids.patient_a}/plan/exercises"
    page = therapist.get(f"/patients/{ids.patient_a}").text
    assert f'<option value="{new.id}">' in page
    assert (
        f'<option value="{exercises[0]["id"]}">'
        not in page.split('id="add-exercise"')[1].split("</select>")[0]
    )
    done = post(therapist, url, {"exercise": new.id, "variant": "easier", "reason": "Hips are stiff"})
    assert done.status_code == 303
    latest = plan_history_of(ids)[-1]
    assert latest.reason == "Hips are stiff"
    added = latest.plan["exercises"][-1]
    assert added["id"] == new.id and added["variant"] == "easier" and added["variant_text"] == new.easier
    assert added["dose"] == new.dose.model_dump() and added["dose_text"] == new.dose.describe()
    assert len(latest.plan["exercises"]) == len(exercises) + 1
    again = post(therapist, url, {"exercise": new.id, "variant": "standard", "reason": "again"})
    assert again.status_code == 422
    assert f"{new.name} is already in the plan; change its dose or version there." in html.unescape(
        again.text
    )
    none_chosen = post(therapist, url, {"exercise": "", "reason": "something"})
    assert none_chosen.status_code == 422 and "Exercise: choose one from the library." in none_chosen.text
    assert ">something</textarea>" in none_chosen.text
    assert len(plan_history_of(ids)) == 2


def test_a_therapist_takes_every_exercise_out_and_the_patient_is_told(client: Any, clinic: Clinic) -> None:
    """The clinic's plan may hold no exercise (``Plan.exercises`` has no minimum), so the last one may go."""
    ids = clinic
    exercises = _plan_made(client, ids)
    therapist = _therapist(client)
    first = exercises[0]["id"]
    refused = post(therapist, f"/patients/{ids.patient_a}/plan/exercises/{first}/remove", {"reason": ""})
    assert refused.status_code == 422 and "Reason: please say why" in refused.text
    for x in exercises:
        done = post(
            therapist,
            f"/patients/{ids.patient_a}/plan/exercises/{x['id']}/remove",
            {"reason": f"{x['name']} hurts"},
        )
        assert done.status_code == 303
    history = plan_history_of(ids)
    assert len(history) == 1 + len(exercises)
    assert history[-1].plan["exercises"] == []
    assert history[-1].reason == f"{exercises[-1]['name']} hurts"
    gone = post(therapist, f"/patients/{ids.patient_a}/plan/exercises/{first}/remove", {"reason": "again"})
    assert gone.status_code == 422
    assert f"{exercises[0]['name']} is not in the current plan." in html.unescape(gone.text)
    assert "No exercises in this plan." in therapist.get(f"/patients/{ids.patient_a}").text
    plan_page = html.unescape(client.get(f"/patients/{ids.patient_a}/plan").text)
    assert "No exercises in this week's plan." in plan_page


def test_an_exercise_not_in_the_library_leads_nowhere(client: Any, clinic: Clinic) -> None:
    ids = clinic
    _plan_made(client, ids)
    therapist = _therapist(client)
    missing = post(therapist, f"/patients/{ids.patient_a}/plan/exercises/no_such", {"reason": "x"})
    assert missing.status_code == 404
    assert len(plan_history_of(ids)) == 1


def test_an_exercise_taken_out_stays_out_of_the_weekly_progression_until_added_again(
    client: Any, clinic: Clinic
) -> None:
    """The weekly review adds bird-dog (and glute bridge) once walking builds up, whenever bird-dog is not in
    the plan: a therapist's removal is kept with the plan (``withheld_exercises``) so it is not undone, and
    adding the exercise again lifts it."""
    ids = clinic
    exercises = _plan_made(client, ids)
    therapist = _therapist(client)
    first = exercises[0]["id"]
    url = f"/patients/{ids.patient_a}/plan/exercises"
    assert post(therapist, f"{url}/{first}/remove", {"reason": "not now"}).status_code == 303
    assert plan_history_of(ids)[-1].plan["withheld_exercises"] == [first]
    assert (
        post(therapist, url, {"exercise": first, "variant": "standard", "reason": "ready"}).status_code == 303
    )
    assert plan_history_of(ids)[-1].plan["withheld_exercises"] == []
