"""Two clinicians change one patient's plan from pages opened at the same moment, and one form is sent twice
(a double click, a resend after a timeout): a change made meanwhile is never silently undone, and one change
is one plan version."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, check_in, plan_history_of, post, sign_in

from backstride import store

_VERSION_RE = re.compile(r'name="plan_version" value="(\d+)"')


def _plan_made(client: Any, ids: Clinic) -> None:
    """Patient A's first plan (made on her plan page), and Ben in her care team beside Anna."""
    sign_in(client, "paula@home.test")
    check_in(client, ids.patient_a)
    post(client, f"/patients/{ids.patient_a}/questionnaires/nprs", {"score": "5"})
    assert "walks a day" in client.get(f"/patients/{ids.patient_a}/plan").text
    with clinic_db(ids) as s:
        store.link_patient(s, ids.clinician_b, ids.patient_a)


def _clinician(client: Any, email: str) -> Any:
    other = client.__class__(client.app, follow_redirects=False)
    sign_in(other, email)
    return other


def _opened(clinician: Any, ids: Clinic) -> str:
    """The plan version the clinician's page of patient A was opened at (its forms send it back)."""
    page = clinician.get(f"/patients/{ids.patient_a}").text
    versions = set(_VERSION_RE.findall(page))
    assert len(versions) == 1, versions  # every plan form of the page says the same
    return versions.pop()


def test_a_walking_change_from_a_page_opened_before_another_is_refused(client: Any, clinic: Clinic) -> None:
    ids = clinic
    _plan_made(client, ids)
    anna, ben = _clinician(client, "anna@clinic.test"), _clinician(client, "ben@clinic.test")
    seen_a, seen_b = _opened(anna, ids), _opened(ben, ids)
    assert seen_a == seen_b
    was = plan_history_of(ids)[-1].plan
    walks, minutes = was["walks_per_day"], was["minutes_per_walk"]
    more = 1 if walks > 1 else 2
    done = post(
        anna,
        f"/patients/{ids.patient_a}/plan",
        {
            "reason": "More walks",
            "walks_per_day": str(more),
            "minutes_per_walk": str(minutes),
            "plan_version": seen_a,
        },
    )
    assert done.status_code == 303
    # Ben's form still shows the walks as they were: saved, it would undo Anna's change without a word
    late = post(
        ben,
        f"/patients/{ids.patient_a}/plan",
        {
            "reason": "Longer walks",
            "walks_per_day": str(walks),
            "minutes_per_walk": str(minutes + 1),
            "plan_version": seen_b,
        },
    )
    assert late.status_code == 409
    words = " ".join(html.unescape(late.text).split())
    assert "Anna Therapist" in words and "not saved" in words
    assert ">Longer walks</textarea>" in late.text  # what Ben typed is kept
    latest = plan_history_of(ids)[-1]
    assert latest.reason == "More walks" and latest.plan["walks_per_day"] == more
    # the page that refused it is of the plan as it is now: sent again from it, Ben's change is saved
    again = _VERSION_RE.findall(late.text)
    assert set(again) == {str(latest.version)}
    saved = post(
        ben,
        f"/patients/{ids.patient_a}/plan",
        {
            "reason": "Longer walks",
            "walks_per_day": str(more),
            "minutes_per_walk": str(minutes + 1),
            "plan_version": again[0],
        },
    )
    assert saved.status_code == 303
    assert (
        plan_history_of(ids)[-1].plan["walks_per_day"],
        plan_history_of(ids)[-1].plan["minutes_per_walk"],
    ) == (
        more,
        minutes + 1,
    )


def test_the_same_plan_form_sent_twice_is_one_version(client: Any, clinic: Clinic) -> None:
    ids = clinic
    _plan_made(client, ids)
    anna = _clinician(client, "anna@clinic.test")
    seen = _opened(anna, ids)
    before = len(plan_history_of(ids))
    minutes = plan_history_of(ids)[-1].plan["minutes_per_walk"]
    form = {
        "reason": "Longer walks",
        "walks_per_day": "1",
        "minutes_per_walk": str(minutes + 1),
        "plan_version": seen,
    }
    first = post(anna, f"/patients/{ids.patient_a}/plan", form)
    second = post(anna, f"/patients/{ids.patient_a}/plan", form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(plan_history_of(ids)) == before + 1
    # and an exercise's change sent twice from the page as it is now
    seen = _opened(anna, ids)
    ex = plan_history_of(ids)[-1].plan["exercises"][0]
    form = {"reason": "Harder now", "variant": "harder", "plan_version": seen}
    assert post(anna, f"/patients/{ids.patient_a}/plan/exercises/{ex['id']}", form).status_code == 303
    assert post(anna, f"/patients/{ids.patient_a}/plan/exercises/{ex['id']}", form).status_code == 303
    assert len(plan_history_of(ids)) == before + 2


def test_changes_to_different_parts_from_pages_opened_together_build_on_each_other(
    client: Any, clinic: Clinic
) -> None:
    ids = clinic
    _plan_made(client, ids)
    anna, ben = _clinician(client, "anna@clinic.test"), _clinician(client, "ben@clinic.test")
    seen_a, seen_b = _opened(anna, ids), _opened(ben, ids)
    first, second = (x["id"] for x in plan_history_of(ids)[-1].plan["exercises"][:2])
    assert (
        post(
            anna,
            f"/patients/{ids.patient_a}/plan/exercises/{first}",
            {"reason": "Easier", "variant": "easier", "plan_version": seen_a},
        ).status_code
        == 303
    )
    # Ben changes another exercise: nothing of it changed since his page was opened
    assert (
        post(
            ben,
            f"/patients/{ids.patient_a}/plan/exercises/{second}",
            {"reason": "Harder", "variant": "harder", "plan_version": seen_b},
        ).status_code
        == 303
    )
    variants = {x["id"]: x["variant"] for x in plan_history_of(ids)[-1].plan["exercises"]}
    assert (variants[first], variants[second]) == ("easier", "harder")
    # the same exercise changed from a page opened before Anna's change is refused, her change kept
    late = post(
        ben,
        f"/patients/{ids.patient_a}/plan/exercises/{first}",
        {"reason": "Harder too", "variant": "harder", "plan_version": seen_b},
    )
    assert late.status_code == 409 and "Anna Therapist" in html.unescape(late.text)
    assert {x["id"]: x["variant"] for x in plan_history_of(ids)[-1].plan["exercises"]}[first] == "easier"


def test_two_changes_with_one_reason_from_one_page_are_both_saved(client: Any, clinic: Clinic) -> None:
    """Not a form sent twice: the second changes another exercise (or the same one otherwise), so it is kept."""
    ids = clinic
    _plan_made(client, ids)
    anna = _clinician(client, "anna@clinic.test")
    seen = _opened(anna, ids)
    before = len(plan_history_of(ids))
    first, second = (x["id"] for x in plan_history_of(ids)[-1].plan["exercises"][:2])
    for ex_id in (first, second):
        form = {"reason": "Reviewed at the clinic", "variant": "harder", "plan_version": seen}
        assert post(anna, f"/patients/{ids.patient_a}/plan/exercises/{ex_id}", form).status_code == 303
    variants = {x["id"]: x["variant"] for x in plan_history_of(ids)[-1].plan["exercises"]}
    assert (variants[first], variants[second]) == ("harder", "harder")
    assert len(plan_history_of(ids)) == before + 2
    # the first exercise again, otherwise, from that page: Anna's own change of it since is not undone unasked
    late = post(
        anna,
        f"/patients/{ids.patient_a}/plan/exercises/{first}",
        {"reason": "Reviewed at the clinic", "variant": "easier", "plan_version": seen},
    )
    assert late.status_code == 409 and "Anna Therapist" in html.unescape(late.text)
    assert len(plan_history_of(ids)) == before + 2
