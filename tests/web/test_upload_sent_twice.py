"""A recording uploaded twice (a double click, a resend after a timeout: the same file, for the same patient,
read the same way) is kept once: both uploads' pages lead to the one recording. The same file marked as
entered in error, or read another way, is kept again."""

from __future__ import annotations

from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, recordings_kept, upload_page, upload_sample, wait_for_job

from backstride import store


def test_the_same_recording_uploaded_twice_is_kept_once(client: Any, clinic: Clinic) -> None:
    upload_page(client, clinic.patient_a)
    # sent one right after the other: both analyses may run at once (two workers)
    first, second = upload_sample(client, clinic.patient_a), upload_sample(client, clinic.patient_a)
    assert first.status_code == second.status_code == 303
    done = [wait_for_job(client, r.headers["location"]) for r in (first, second)]
    assert [d.status_code for d in done] == [303, 303]
    assert done[0].headers["location"] == done[1].headers["location"]
    assert recordings_kept(clinic) == 1
    # and sent again once the first is stored
    again = wait_for_job(client, upload_sample(client, clinic.patient_a).headers["location"])
    assert again.headers["location"] == done[0].headers["location"]
    assert recordings_kept(clinic) == 1


def test_the_same_recording_after_it_was_marked_entered_in_error_is_kept_again(
    client: Any, clinic: Clinic
) -> None:
    upload_page(client, clinic.patient_a)
    first = wait_for_job(client, upload_sample(client, clinic.patient_a).headers["location"])
    with clinic_db(clinic) as s:
        (rec,) = store.recordings_of(s, clinic.patient_a)
        store.mark_entered_in_error(s, rec, clinic.clinician_a, "the wrong patient's walk")
    again = wait_for_job(client, upload_sample(client, clinic.patient_a).headers["location"])
    assert again.status_code == 303 and again.headers["location"] != first.headers["location"]
    assert recordings_kept(clinic) == 1  # the one standing; the other is kept, marked
