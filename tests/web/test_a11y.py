"""Accessibility of the forms' problems, as the server renders them.

A field the last try could not use is marked ``aria-invalid`` and described (``aria-describedby``) by the
list of problems that names it, so a screen reader says why when the field is reached; the list itself takes
the focus when the page comes back (``tabindex="-1" autofocus``), so a keyboard or screen reader user starts
at it rather than at the top of the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.conftest import (
    Clinic,
    analysed_sample,
    check_in,
    csrf_of,
    post,
    sign_in,
    upload_sample,
    wait_for_job,
)

_TAG_RE = re.compile(r"<(?:input|select|textarea)\b[^>]*>", re.S)


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def _described_invalid_fields(html: str) -> dict[str, list[str]]:
    """Each field marked invalid, by id or name, with the ids that describe it (all checked to exist)."""
    ids = _ids(html)
    found: dict[str, list[str]] = {}
    for tag in _TAG_RE.findall(html):
        if 'aria-invalid="true"' not in tag:
            continue
        name = re.search(r'\b(?:id|name)="([^"]+)"', tag)
        assert name, tag
        described = re.search(r'aria-describedby="([^"]+)"', tag)
        assert described, f"a field marked invalid says nowhere why: {tag}"
        refs = described.group(1).split()
        assert all(ref in ids for ref in refs), f"{tag}: describedby names a missing id"
        found[name.group(1)] = refs
    return found


def _summary_takes_the_focus(html: str, summary_id: str) -> None:
    tag = re.search(rf'<[a-z]+\b[^>]*\bid="{summary_id}"[^>]*>', html)
    assert tag, f"no #{summary_id}"
    assert 'role="alert"' in tag.group(0)
    assert 'tabindex="-1"' in tag.group(0) and "autofocus" in tag.group(0), tag.group(0)
    assert len(re.findall(r"\bautofocus\b", html)) == 1, "one element takes the focus"


def test_a_refused_sign_in_marks_both_fields_and_says_why(client: Any) -> None:
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    refused = client.post(
        "/signin", data={"email": "paula@home.test", "password": "not it", "csrf_token": token.group(1)}
    )
    assert _described_invalid_fields(refused.text) == {
        "email": ["signin-error"],
        "password": ["signin-error"],
    }
    _summary_takes_the_focus(refused.text, "signin-error")
    assert "autofocus" not in client.get("/signin").text  # a first visit: nothing to be told


def test_the_daily_logs_problems_describe_each_field_they_name(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    base = f"/patients/{clinic.patient_a}"
    page = post(client, f"{base}/log", {"w1_minutes": "9999", "w1_pain_before": "12", "pain_today": "-3"})
    html = page.text  # type: ignore[attr-defined]
    fields = _described_invalid_fields(html)
    assert {"w1_minutes", "w1_pain_before", "pain_today"} <= set(fields)
    assert all("log-problems" in refs for refs in fields.values())
    assert fields["pain_today"] == ["log-problems", "pain_today_note"]  # its own note is still read
    _summary_takes_the_focus(html, "log-problems")
    fresh = client.get(f"{base}/log").text
    assert 'aria-describedby="pain_today_note"' in fresh and "autofocus" not in fresh


def test_the_check_in_points_a_wrong_answer_and_an_unanswered_warning_sign_to_what_is_said(
    client: Any, clinic: Clinic
) -> None:
    from backstride.clinic import QUESTIONS

    sign_in(client, "paula@home.test")
    first_sign = next(q for q in QUESTIONS if q.kind == "bool")
    page = check_in(client, clinic.patient_a, age="999", **{first_sign.id: ""})
    html = page.text
    assert _described_invalid_fields(html) == {"q-age": ["checkin-problems"]}
    _summary_takes_the_focus(html, "checkin-problems")  # the first of the two lists
    unanswered = re.findall(rf'<input type="radio" name="{first_sign.id}"[^>]*>', html)
    assert len(unanswered) == 2
    assert all('aria-describedby="checkin-missing"' in tag for tag in unanswered)
    assert html.count('aria-describedby="checkin-missing"') == 2  # only the question left open
    second_try = check_in(client, clinic.patient_a, **{first_sign.id: ""}).text
    _summary_takes_the_focus(second_try, "checkin-missing")


def test_a_questionnaire_that_cannot_be_scored_puts_the_focus_on_why(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    page = post(client, f"/patients/{clinic.patient_a}/questionnaires/odi", {})
    _summary_takes_the_focus(page.text, "not-scored")  # type: ignore[attr-defined]


def test_the_patients_details_problems_describe_each_field(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    added = post(
        client,
        "/clinician/patients/new",
        {"name": "  ", "email": "olive@home", "age": "47", "height_m": "0.5", "access": "link"},
    )
    html = added.text  # type: ignore[attr-defined]
    assert _described_invalid_fields(html) == {
        "name": ["details-problems"],
        "email": ["details-problems"],
        "height_m": ["details-problems"],
    }
    _summary_takes_the_focus(html, "details-problems")
    edited = post(
        client,
        f"/patients/{clinic.patient_a}/profile",
        {"age": "52", "height_m": "1.68", "sensor_height_m": "2"},
    )
    assert _described_invalid_fields(edited.text) == {"sensor_height_m": ["details-problems"]}  # type: ignore[attr-defined]


def test_a_refused_first_password_marks_both_fields_and_says_why(app_factory: Any) -> None:
    clinician = app_factory()
    sign_in(clinician, "anna@clinic.test")
    created = post(
        clinician,
        "/clinician/patients/new",
        {"name": "Nora New", "email": "nora@home.test", "age": "47", "height_m": "1.65", "access": "link"},
    )
    link = re.search(r'id="first-login-link" href="([^"]+)"', created.text)  # type: ignore[attr-defined]
    assert link
    patient = app_factory()
    page = patient.get(link.group(1).replace("http://testserver", ""))
    assert "autofocus" not in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token
    data = {
        "token": token.group(1),
        "password": "short",
        "password2": "short",
        "csrf_token": csrf_of(patient),
    }
    refused = patient.post("/welcome", data=data)
    assert refused.status_code == 422
    fields = _described_invalid_fields(refused.text)
    assert fields == {"password": ["welcome-error"], "password2": ["welcome-error"]}
    _summary_takes_the_focus(refused.text, "welcome-error")


def test_every_plot_of_the_course_has_its_figures_as_a_table(client: Any, clinic: Clinic) -> None:
    """A plot is a figure named by its title; its figures follow it as a table (folded), read by a screen
    reader and by anyone who wants the numbers."""
    sign_in(client, "paula@home.test")
    base = f"/patients/{clinic.patient_a}"
    check_in(client, clinic.patient_a)
    post(
        client,
        f"{base}/log",
        {"w1_minutes": "20", "w1_pain_before": "3", "w1_pain_during": "4", "w1_pain_after": "3"},
    )
    html = client.get(f"{base}/progress").text
    plots = re.findall(r'<div id="(plot-[a-z-]+)" class="plot" role="figure"', html)
    assert "plot-minutes" in plots
    for plot_id in plots:
        if plot_id.startswith("plot-activity"):
            continue  # the phone's and watch's figures have their own table
        table = re.search(
            rf'<details class="plot-figures" id="{plot_id}-figures">(.*?)</details>', html, re.S
        )
        assert table, f"{plot_id} has no table of its figures"
        assert "<caption>" in table.group(1) and '<th scope="row">' in table.group(1)
    minutes = re.search(r'id="plot-minutes-figures">(.*?)</details>', html, re.S)
    assert minutes
    row = re.search(r'<th scope="row">\d{4}-\d\d-\d\d</th>\s*<td>20</td>', minutes.group(1))
    assert row, minutes.group(1)[:600]


def test_a_walks_plots_have_their_figures_as_a_table(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    html = client.get(analysed_sample(client, clinic.patient_a)).text
    for plot_id in ("plot-cadence-speed", "plot-foot-steps", "plot-trunk-lean"):
        assert f'id="{plot_id}-figures"' in html, plot_id
    table = re.search(r'id="plot-cadence-speed-figures">(.*?)</details>', html, re.S)
    assert table
    heads = re.findall(r'<th scope="col">(.*?)</th>', table.group(1))
    assert heads == ["bout", "cadence (steps/min)", "speed (m/s)"]
    # the bouts, spans of time, as a row each from start to end (the reports' own table, one for both)
    bouts = re.search(r'id="plot-bouts-figures">(.*?)</details>', html, re.S)
    assert bouts
    heads = re.findall(r'<th scope="col">(.*?)</th>', bouts.group(1))
    assert len(heads) == 3 and heads[1].startswith("start") and heads[2].startswith("end")
    assert len(re.findall(r'<th scope="row">', bouts.group(1))) >= 1


def test_the_analysis_progress_is_told_by_a_live_region_that_stays(client: Any, clinic: Clinic) -> None:
    """The job's status is swapped whole every second; a live region swapped in is not announced (so "Done"
    was not said): the region is the one around it, which stays, on the job page and on the upload page."""
    sign_in(client, "paula@home.test")
    job = upload_sample(client, clinic.patient_a)
    assert job.status_code == 303
    page = client.get(job.headers["location"], follow_redirects=False)
    if page.status_code == 200:  # (an analysis already done sends on to its result)
        assert re.search(r'<div id="job-live" role="status">\s*<div id="job-status"', page.text)
    status = client.get(job.headers["location"] + "/status").text
    assert 'id="job-status"' in status and "role=" not in status and "aria-live" not in status
    templates = Path(__file__).resolve().parents[2] / "src" / "backstride" / "web" / "templates"
    assert re.search(r'<div id="job-live" role="status">\s*\{% with', (templates / "job.html").read_text())
    upload = client.get(f"/patients/{clinic.patient_a}/recordings/new").text
    assert re.search(r'<div id="upload-result" aria-live="polite"', upload)
    wait_for_job(client, job.headers["location"])


def _plan_made(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "5"})
    assert "walks a day" in client.get(f"/patients/{clinic.patient_a}/plan").text


def test_a_refused_plan_change_marks_each_field_it_names(client: Any, clinic: Clinic) -> None:
    _plan_made(client, clinic)
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    url = f"/patients/{clinic.patient_a}/plan"
    refused = post(therapist, url, {"reason": " ", "walks_per_day": "2", "minutes_per_walk": "45"})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    html = refused.text  # type: ignore[attr-defined]
    assert _described_invalid_fields(html) == {
        "reason": ["plan-problems", "reason_note"],  # its limit (2,000 characters) is still read
        "minutes_per_walk": ["plan-problems"],
    }
    assert "Minutes per walk: give a whole number from 5 to 30." in html
    # the list of problems takes the focus, as the patient's forms' lists do (it did not: a keyboard or screen
    # reader user was left at the top of a long page, told only "not saved: see why below")
    _summary_takes_the_focus(html, "plan-problems")
    only_walks = post(therapist, url, {"reason": "more", "walks_per_day": "1.5", "minutes_per_walk": "10"})
    assert _described_invalid_fields(only_walks.text) == {"walks_per_day": ["plan-problems"]}  # type: ignore[attr-defined]
    assert 'aria-invalid="true"' not in therapist.get(f"/patients/{clinic.patient_a}").text


def test_a_refused_therapy_session_marks_each_field_it_names(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    url = f"/patients/{clinic.patient_a}/sessions"
    refused = post(
        client,
        url,
        {
            "date": "20 Nov",
            "technique": "",
            "region": "lumbar",
            "response": "great",
            "duration_min": "0",
            "pain_before": "11",
            "pain_after": "4",
        },
    )
    assert refused.status_code == 422  # type: ignore[attr-defined]
    fields = _described_invalid_fields(refused.text)  # type: ignore[attr-defined]
    assert fields == {
        "s-date": ["sessions-problems"],
        "s-technique": ["sessions-problems"],
        "s-response": ["sessions-problems"],
        "s-duration": ["sessions-problems"],
        "s-before": ["sessions-problems"],
    }
    _summary_takes_the_focus(refused.text, "sessions-problems")  # type: ignore[attr-defined]
    region_left_out = post(client, url, {"technique": "massage", "region": "  ", "response": "same"})
    assert _described_invalid_fields(region_left_out.text) == {"s-region": ["sessions-problems"]}  # type: ignore[attr-defined]


def test_a_pages_plot_table_keeps_two_values_of_one_day() -> None:
    """The pages' own table of a plot kept the first of two values on one day (two pain scores recorded the
    same day: the second was not in the table). The pages now use the reports' table (one for both), a row
    per value."""
    from backstride.web._render import templates

    fig = {
        "data": [{"x": ["2026-11-02", "2026-11-02", "2026-11-09"], "y": [3, 5, 2], "name": "pain"}],
        "layout": {"title": {"text": "Pain"}, "yaxis": {"title": {"text": "0-10"}}},
    }
    html = templates.env.from_string(
        '{% from "_plot_table.html" import figures_of %}{{ figures_of("plot-pain", fig) }}'
    ).render(fig=fig)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', html)
    assert rows == [("2026-11-02", "3"), ("2026-11-02", "5"), ("2026-11-09", "2")]


def test_a_refused_password_change_marks_each_field_it_names(client: Any) -> None:
    sign_in(client, "paula@home.test")
    page = client.get("/account/password").text
    assert "autofocus" not in page and 'aria-invalid="true"' not in page
    wrong = post(
        client,
        "/account/password",
        {"current_password": "not it", "password": "a walk by the river", "password2": "a walk by the river"},
    )
    assert _described_invalid_fields(wrong.text) == {"current_password": ["password-problems"]}
    _summary_takes_the_focus(wrong.text, "password-problems")
    weak = post(
        client,
        "/account/password",
        {"current_password": "correct horse battery", "password": "short", "password2": "shorter"},
    )
    assert _described_invalid_fields(weak.text) == {
        "password": ["password-problems"],
        "password2": ["password-problems"],
    }
    _summary_takes_the_focus(weak.text, "password-problems")
