"""The result page offers the recording's report as one HTML file to keep or send (as ``analyze --html``)."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, sign_in, upload_sample, wait_for_job

_BLOCK = re.compile(r'<script type="application/json" data-plot-for="([^"]+)">(.*?)</script>', re.S)


def _uploaded(client: Any, clinic: Clinic) -> str:
    sign_in(client, "paula@home.test")
    finished = wait_for_job(client, upload_sample(client, clinic.patient_a).headers["location"])
    assert finished.status_code == 303
    return str(finished.headers["location"])


def _stored_result(clinic: Clinic) -> dict[str, Any]:
    from backstride import store

    with clinic_db(clinic) as s:
        (rec,) = store.recordings_of(s, clinic.patient_a)
        analysis = store.latest_analysis(s, rec.id)
        assert analysis is not None
        result: dict[str, Any] = analysis.result
    return result


def test_the_report_downloads_with_the_signal_and_the_norms(client: Any, clinic: Clinic) -> None:
    result_url = _uploaded(client, clinic)
    page = client.get(result_url)
    link = f"{result_url}/report.html"
    assert f'href="{link}"' in page.text
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="walk_csv-report.html"'
    figures = {k: json.loads(v.replace("<\\/", "</")) for k, v in _BLOCK.findall(response.text)}
    signals = [f for k, f in figures.items() if k.startswith("plot-signal-")]
    assert len(signals) == 3
    stored = _stored_result(clinic)
    contacts = stored["initial_contacts"]
    # the walk page and the report both say how far the pelvis turns (the sample has a gyroscope)
    turns = f"turns {stored['summary']['median_pelvis_rotation_deg']:.1f}°"
    assert turns in page.text and turns in response.text
    for fig in signals:
        t = fig["data"][0]["x"]
        shown = sorted(x for trace in fig["data"][1:] for x in trace["x"])
        assert shown == sorted(c["time_s"] for c in contacts if t[0] <= c["time_s"] <= t[-1])
    assert "Compared with healthy women aged 50-59" in response.text  # Paula's profile: 52, female


def test_a_large_recording_gets_its_report_without_the_signal(app_factory: Any, clinic: Clinic) -> None:
    client = app_factory(stream_from_bytes=10)  # every upload counts as large
    result_url = _uploaded(client, clinic)
    response = client.get(f"{result_url}/report.html")
    assert response.status_code == 200
    ids = [k for k, _ in _BLOCK.findall(response.text)]
    assert ids == ["plot-bouts", "plot-cadence-speed", "plot-foot-steps", "plot-trunk-lean"]
    assert "The trunk&#39;s signal is not drawn for a recording this large" in response.text


def test_a_lost_file_still_gets_its_report(client: Any, clinic: Clinic) -> None:
    from backstride import store

    result_url = _uploaded(client, clinic)
    for sha in store.BlobStore(clinic.blob_dir):  # the stored recording's bytes disappear
        store.BlobStore(clinic.blob_dir).path(sha).unlink()
    response = client.get(f"{result_url}/report.html")
    assert response.status_code == 200
    assert "the recording&#39;s stored file could not be read" in response.text
    assert [k for k, _ in _BLOCK.findall(response.text)] == [
        "plot-bouts",
        "plot-cadence-speed",
        "plot-foot-steps",
        "plot-trunk-lean",
    ]


def test_a_name_outside_latin_1_downloads_under_an_ascii_name_and_its_own(
    client: Any, clinic: Clinic
) -> None:
    """HTTP headers are Latin-1: "Łódź" once made the download fail; now the browser gets both names."""
    from urllib.parse import quote

    from backstride import io

    sign_in(client, "paula@home.test")
    started = client.post(
        f"/patients/{clinic.patient_a}/recordings",
        files={"file": ("Łódź 王.csv.gz", io.sample_path().read_bytes(), "application/gzip")},
        data={"csrf_token": client.csrf},
    )
    result_url = wait_for_job(client, started.headers["location"]).headers["location"]
    response = client.get(f"{result_url}/report.html")
    assert response.status_code == 200
    header = response.headers["content-disposition"]
    assert header.startswith('attachment; filename="_')  # the letters outside ASCII, replaced
    assert header.endswith("; filename*=UTF-8''" + quote("Łódź 王_csv-report.html", safe=""))


def test_the_report_opens_in_the_browser_with_only_its_own_scripts_allowed(
    client: Any, clinic: Clinic
) -> None:
    """``?view=1`` shows the report instead of downloading it; the app forbids inline scripts, so this page's
    policy names each of its own scripts by hash (a changed or added script would not run) and allows nothing
    else."""
    import base64
    import hashlib

    result_url = _uploaded(client, clinic)
    assert f'href="{result_url}/report.html?view=1"' in client.get(result_url).text
    response = client.get(f"{result_url}/report.html?view=1")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'inline; filename="walk_csv-report.html"'
    policy = dict(d.partition(" ")[::2] for d in response.headers["content-security-policy"].split("; "))
    scripts = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    assert len(scripts) == 2  # plotly, and the few lines that draw the figures
    allowed = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts}
    assert set(policy["script-src"].split()) == allowed
    assert policy["default-src"] == "'none'"  # no connection, font or frame from anywhere
    assert policy["form-action"] == "'none'" and policy["frame-ancestors"] == "'none'"
    # the download is the same page (the minute it was made aside): the file opened from an e-mail on a phone
    # fits the screen as the page opened from the app does
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
    opened = stamp.sub("", response.text)
    assert stamp.sub("", client.get(f"{result_url}/report.html").text) == opened
    assert "@media screen and (max-width: 40rem) {\n    table { display: block;" in opened
    assert '<div class="scroll" role="region" tabindex="0" aria-label="Walking bouts">' in opened
