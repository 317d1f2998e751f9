"""What a clinician reads about a patient is said of the patient, with the questions named in words."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Clinic, check_in, post, sign_in, upload_sample, wait_for_job


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
    assert "puts the phone or sensor in place at the small of the back and stands still" in theirs
    assert f'<a href="/patients/{pid}">Back to Paula Patient</a>' in theirs
    sign_in(client, "paula@home.test")
    own = client.get(f"/patients/{pid}/recordings/new").text
    assert "<h1>Measure a walk</h1>" in own and "Wear your phone or sensor" in own
    # standing still before and after the walk keeps the phone's handling apart from it (the bout's ends)
    assert "stand still for about five seconds" in own and "stand still again" in own
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


def _main(html: str) -> str:
    """The page's own part, without the header and its sign-in name."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_check_in_a_clinician_fills_names_the_patient(client: Any, clinic: Clinic) -> None:
    """A therapist asking the warning-sign questions with the patient in the room saw "Check-in" over them,
    and "Check-in done" after, with nothing to show whose answers they were; the questions themselves are
    read out, so they stay in the patient's words."""
    pid = clinic.patient_a
    sign_in(client, "anna@clinic.test")
    theirs = _main(client.get(f"/patients/{pid}/checkin").text)
    assert "<h1>Check-in of Paula Patient</h1>" in theirs
    assert "Read each question out to Paula Patient and tick the answer given." in theirs
    assert "Have you ever had cancer?" in theirs  # the question as the patient hears it
    assert "Save the answers of Paula Patient" in theirs and "Send my answers" not in theirs
    refused = _main(post(client, f"/patients/{pid}/checkin", {"age": "47"}).text)  # warning signs left open
    assert "<h1>Check-in of Paula Patient</h1>" in refused
    check_in(client, pid, leg_cramping="yes")
    done = _main(client.get(f"/patients/{pid}/checkin/result").text)
    assert "<h1>Check-in of Paula Patient done</h1>" in done
    # the advice is the patient's ("Mention it to your physical therapist"), and said to be
    said = "What the check-in says to Paula Patient, in the words the patient reads:"
    assert said in done and done.index(said) < done.index("Mention it to your physical therapist")
    sign_in(client, "paula@home.test")
    own = _main(client.get(f"/patients/{pid}/checkin").text)
    assert "<h1>Check-in</h1>" in own and "Send my answers" in own and "Paula Patient" not in own
    own_done = _main(client.get(f"/patients/{pid}/checkin/result").text)
    assert "<h1>Check-in done</h1>" in own_done and "What the check-in says" not in own_done


def test_the_questionnaires_a_clinician_fills_name_the_patient(client: Any, clinic: Clinic) -> None:
    """The questionnaires' pages told a therapist how "your back affects your days" and to "use the printed
    form from your therapist"; the questions stay as the patient is asked them."""
    pid = clinic.patient_a
    sign_in(client, "anna@clinic.test")
    listing = _main(client.get(f"/patients/{pid}/questionnaires").text)
    assert "<h1>Questionnaires of Paula Patient</h1>" in listing
    assert "how Paula Patient's back affects their days" in listing and "your" not in listing.lower()
    nprs = _main(client.get(f"/patients/{pid}/questionnaires/nprs").text)
    assert "<h1>Numeric Pain Rating Scale — Paula Patient</h1>" in nprs
    assert "0 = no pain, 10 = the worst pain you can imagine." in nprs  # the question's own scale
    odi = _main(client.get(f"/patients/{pid}/questionnaires/odi").text)
    assert "<h1>Oswestry Disability Index, version 2.1a — Paula Patient</h1>" in odi
    assert "from your therapist" not in odi and "fits you best" not in odi
    assert "enter the answer Paula Patient gives for each section by its number" in odi
    assert "the statement number (0 to 5) that fits Paula Patient best today" in odi
    half = {"a1_name": "gardening", "a1_score": "3", "a2_name": "cycling"}
    refused = _main(post(client, f"/patients/{pid}/questionnaires/psfs", half).text)
    assert "The answers so far are kept below." in refused and "Your answers" not in refused
    assert "(if there is one)" in refused and "if you have one" not in refused
    sign_in(client, "paula@home.test")
    own = _main(client.get(f"/patients/{pid}/questionnaires/odi").text)
    assert "<h1>Oswestry Disability Index, version 2.1a</h1>" in own
    assert "Use the printed form from your therapist" in own and "fits you best today" in own
    assert "how your back affects your days" in _main(client.get(f"/patients/{pid}/questionnaires").text)


def test_the_plan_page_tells_the_clinician_what_the_patients_plan_still_needs(
    client: Any, clinic: Clinic
) -> None:
    """Before a first plan, a therapist read "Your plan is made from your answers. Still needed: your age",
    and the self-care cards under "Looking after your back"."""
    pid = clinic.patient_a
    sign_in(client, "anna@clinic.test")
    theirs = _main(client.get(f"/patients/{pid}/plan").text)
    assert "The plan of Paula Patient is made from their answers. Still needed:" in theirs
    assert "<li>the check-in</li>" in theirs
    assert "<h2>Looking after the back</h2>" in theirs
    assert "The cards as Paula Patient reads them." in theirs
    above_the_cards = theirs.split('id="self-care"')[0]  # the cards are the clinic's words to the patient
    assert "your" not in above_the_cards.lower()
    check_in(client, pid, walking_tolerance_min="")
    missing = _main(client.get(f"/patients/{pid}/plan").text).split("Still needed:")[1].split("</ul>")[0]
    assert "<li>minutes of walking before the pain rises (in the check-in)</li>" in missing
    assert "your" not in missing
    sign_in(client, "paula@home.test")
    own = _main(client.get(f"/patients/{pid}/plan").text)
    assert "Your plan is made from your answers. Still needed:" in own
    assert "<h2>Looking after your back</h2>" in own and "The cards as" not in own


def test_a_clinician_is_told_the_plans_texts_are_worded_for_the_patient(client: Any, clinic: Clinic) -> None:
    """The plan's cues and exercises are the clinic's words to the patient ("While you walk"); the therapist
    is told so, and led back to the patient's page where the plan is changed."""
    pid = clinic.patient_a
    sign_in(client, "paula@home.test")
    check_in(client, pid)
    post(client, f"/patients/{pid}/questionnaires/nprs", {"score": "4"})
    assert 'id="walks"' in client.get(f"/patients/{pid}/plan").text
    sign_in(client, "anna@clinic.test")
    theirs = _main(client.get(f"/patients/{pid}/plan").text)
    assert 'id="walks"' in theirs
    assert (
        f'The plan as Paula Patient reads it; change it on <a href="/patients/{pid}#plan">the page of '
        "Paula Patient</a>." in theirs
    )


def test_the_licensed_wording_note_says_what_each_form_asks(client: Any, clinic: Clinic) -> None:
    """Without the clinic's licensed texts, the note told to "enter the answer ... for each section by its
    number" on every form: the Roland-Morris asks for a tick per statement, the STarT Back for Agree or
    Disagree. Each says what its own form asks, to the patient and to a clinician filling it in."""
    pid = clinic.patient_a
    said = {
        "patient": {
            "odi": "Use the printed form from your therapist and enter your answer for each section by its "
            "number.",
            "rmdq": "Use the printed form from your therapist and tick here each statement, by its number, "
            "that you ticked on it.",
            "startback": "Use the printed form from your therapist and, for each statement by its number, "
            "choose Agree or Disagree as you answered it there; for the last one, how bothersome your "
            "back pain has been.",
        },
        "clinician": {
            "odi": "Use the printed form and enter the answer Paula Patient gives for each section by its "
            "number.",
            "rmdq": "Use the printed form and tick here each statement, by its number, that Paula Patient "
            "ticks on it.",
            "startback": "Use the printed form and, for each statement by its number, choose Agree or "
            "Disagree as Paula Patient answers it; for the last one, how bothersome their back pain has "
            "been.",
        },
    }
    for who, email in (("patient", "paula@home.test"), ("clinician", "anna@clinic.test")):
        sign_in(client, email)
        for instrument, words in said[who].items():
            page = " ".join(_main(client.get(f"/patients/{pid}/questionnaires/{instrument}").text).split())
            assert words in page, (who, instrument)
            if instrument != "odi":
                assert "for each section by its number" not in page, (who, instrument)
