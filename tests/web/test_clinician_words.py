"""What a clinician reads about a patient is said of the patient, with the questions named in words."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Clinic, check_in, sign_in, upload_sample, wait_for_job


def test_screenings_name_their_findings_in_words(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    check_in(client, clinic.patient_a, saddle_numbness="yes")
    check_in(client, clinic.patient_a, minor_trauma="yes", age="72")
    table = client.get(f"/patients/{clinic.patient_a}").text.split('id="screenings"')[1].split("</table>")[0]
    assert "<td>Saddle numbness</td>" in table
    assert "<td>Minor trauma + age 72 (70 or more)</td>" in table
    assert '<span class="flag warn">See a doctor today</span>' in table
    assert "_" not in table.split("<tbody>")[1]  # no question id left


def test_a_recording_is_compared_with_the_patients_age_for_the_clinician(
    client: Any, app_factory: Any, clinic: Clinic
) -> None:
    sign_in(client, "paula@home.test")
    started = upload_sample(client, clinic.patient_a)
    result_url = wait_for_job(client, started.headers["location"]).headers["location"]
    own = client.get(result_url).text
    assert "Compared with people of your age and sex" in own and "Typical at your age" in own
    therapist = app_factory()
    sign_in(therapist, "anna@clinic.test")
    theirs = therapist.get(result_url).text
    assert "Compared with people of the patient&#39;s age and sex" in theirs
    assert "Typical at the patient&#39;s age" in theirs
    assert "your age" not in theirs
