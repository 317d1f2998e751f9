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


def test_the_upload_page_names_the_patient_a_clinician_uploads_for(client: Any, clinic: Clinic) -> None:
    """A clinician's upload page said "Measure a walk" and "Wear your phone…" with no name on it: with
    several patients' pages open, nothing showed whose walk the file would be kept as."""
    pid = clinic.patient_a
    sign_in(client, "anna@clinic.test")
    theirs = client.get(f"/patients/{pid}/recordings/new").text
    assert "<h1>Upload a walk of Paula Patient</h1>" in theirs
    assert "Wear your phone" not in theirs
    assert "the patient wears the phone or sensor at the small of the back" in theirs
    assert f'<a href="/patients/{pid}">Back to Paula Patient</a>' in theirs
    sign_in(client, "paula@home.test")
    own = client.get(f"/patients/{pid}/recordings/new").text
    assert "<h1>Measure a walk</h1>" in own and "Wear your phone or sensor" in own
    assert "Back to Paula Patient" not in own


def test_a_walks_pages_lead_the_clinician_back_to_the_patient(client: Any, clinic: Clinic) -> None:
    """The result and the list of recordings led a clinician only to "All recordings"; the list offered no
    upload once it had a row."""
    pid = clinic.patient_a
    sign_in(client, "anna@clinic.test")
    result_url = wait_for_job(client, upload_sample(client, pid).headers["location"]).headers["location"]
    back = f'<a href="/patients/{pid}">Back to Paula Patient</a>'
    assert back in client.get(result_url).text
    listing = client.get(f"/patients/{pid}/recordings").text
    assert back in listing
    assert f'<a href="/patients/{pid}/recordings/new">Upload a recording of Paula Patient</a>' in listing
    sign_in(client, "paula@home.test")
    assert "Back to Paula Patient" not in client.get(result_url).text


def test_the_progress_section_speaks_of_the_patient_to_the_clinician(client: Any, clinic: Clinic) -> None:
    """The clinician's page of a new patient told the therapist to "log your walks each day" and to "answer
    a questionnaire again"."""
    pid = clinic.patient_a
    sign_in(client, "anna@clinic.test")
    progress = client.get(f"/patients/{pid}").text.split('id="progress"')[1].split('id="sessions"')[0]
    assert "log your walks" not in progress and "Answer a questionnaire again" not in progress
    assert "Nothing to show yet: the plots appear once the patient logs walks." in progress
    assert "Changes show once the patient answers a questionnaire again, a few weeks on." in progress
    sign_in(client, "paula@home.test")
    own = client.get(f"/patients/{pid}/progress").text
    assert "log your walks each day" in own and "Answer a questionnaire again" in own
