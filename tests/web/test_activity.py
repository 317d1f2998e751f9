"""A phone's or watch's own walking figures in the clinic app: uploaded on the progress page, kept per day
and source, shown as plots and a table; bad files and outsiders are refused and nothing is kept."""

from __future__ import annotations

import datetime as dt
import gzip
import html
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, csrf_of, sign_in, zip_bytes

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

APPLE = "devices/apple_health/opendroid_hk_sampleexport-2.xml"
GARMIN = "devices/garmin_fit/fitparse_garmin-fenix-5-walk.fit"


def _upload(client: Any, patient_id: int, name: str, data: bytes, *, csrf: str | None = "own") -> Any:
    form = {} if csrf is None else {"csrf_token": client.csrf if csrf == "own" else csrf}
    return client.post(
        f"/patients/{patient_id}/activity",
        files={"file": (name, data, "application/octet-stream")},
        data=form,
    )


def _rows(clinic: Clinic) -> list[tuple[str, dt.date, int | None]]:
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        return [(r.source_format, r.date, r.steps) for r in store.activity_days_of(s, clinic.patient_a)]


def _text(html: str) -> str:
    """The page's text with tags and runs of white space collapsed, to look for figures in table cells."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _upload_real(client: Any, clinic: Clinic, shared_data: Path, relative: str) -> Any:
    path = shared_data / relative
    response = _upload(client, clinic.patient_a, path.name, path.read_bytes())
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"/patients/{clinic.patient_a}/progress?imported=")
    return client.get(response.headers["location"].split("#")[0])


def test_patient_uploads_apple_health_and_garmin(client: Any, clinic: Clinic, shared_data: Path) -> None:
    sign_in(client, "paula@home.test")
    empty = client.get(f"/patients/{clinic.patient_a}/progress")
    assert "Walking measured by the phone or watch" in empty.text
    assert 'accept=".zip,.xml,.fit,.gz"' in empty.text
    assert "plot-activity" not in empty.text
    page = _upload_real(client, clinic, shared_data, APPLE)
    assert page.status_code == 200
    text = _text(page.text)
    assert "9 days of walking figures kept" in text
    assert "Sat 02 Jan 2021 Apple Health – – 1.06 m/s" in text
    assert "Wed 16 Sep 2020 Apple Health – – – – 20.0 % 29.4 %" in text
    assert 'id="plot-activity"' in page.text and 'id="plot-activity-evenness"' in page.text
    page = _upload_real(client, clinic, shared_data, GARMIN)
    text = _text(page.text)
    assert "1 day of walking figures kept" in text
    assert "Sun 11 Jun 2017 Garmin watch 82 0.07 km 1.50 m/s 0.68 m – – 1" in text
    assert (
        "Garmin watch: 1 day from Sun 11 Jun 2017 to Sun 11 Jun 2017; last file fitparse_garmin-fenix" in text
    )
    rows = _rows(clinic)
    assert ("fit", dt.date(2017, 6, 11), 82) in rows
    assert ("apple_health", dt.date(2014, 9, 19), 432) in rows
    assert len(rows) == 10
    # the same export again: the days it covers are replaced, never counted twice
    _upload_real(client, clinic, shared_data, APPLE)
    assert sorted(_rows(clinic)) == sorted(rows)


def test_the_plot_has_steps_as_bars_and_speed_on_a_second_axis(
    client: Any, clinic: Clinic, shared_data: Path
) -> None:
    import json

    sign_in(client, "paula@home.test")
    _upload_real(client, clinic, shared_data, GARMIN)
    page = _upload_real(client, clinic, shared_data, APPLE)
    block = re.search(r'data-plot-for="plot-activity">(.*?)</script>', page.text, re.S)
    assert block is not None
    figure = json.loads(block.group(1))
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["steps, Garmin watch"]["type"] == "bar"
    assert traces["steps, Garmin watch"]["x"] == ["2017-06-11"] and traces["steps, Garmin watch"]["y"] == [82]
    speed = traces["walking speed (m/s), Garmin watch"]
    assert speed["yaxis"] == "y2" and speed["y"][0] == pytest.approx(1.495, abs=0.01)
    # each source's last two years: Apple Health's speed of 2021 is there, its steps of 2014 are not
    assert traces["walking speed (m/s), Apple Health"]["x"][-1] == "2021-01-02"
    assert "steps, Apple Health" not in traces
    assert figure["layout"]["yaxis2"]["overlaying"] == "y"


def test_clinician_uploads_for_their_patient(client: Any, clinic: Clinic, shared_data: Path) -> None:
    sign_in(client, "anna@clinic.test")
    page = _upload_real(client, clinic, shared_data, GARMIN)
    assert "Progress of Paula Patient" in page.text
    assert "82" in _text(page.text) and "1.50 m/s" in page.text
    overview = client.get(f"/patients/{clinic.patient_a}")
    assert overview.status_code == 200
    assert "Walking measured by the phone or watch" in overview.text and "1.50 m/s" in overview.text


NO_WALKING = b"""<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_US">
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Scale" unit="kg" value="70"
  startDate="2021-01-02 08:00:00 -0800" endDate="2021-01-02 08:00:00 -0800"/>
</HealthData>
"""


@pytest.mark.parametrize(
    ("name", "damage", "status", "words"),
    [
        ("walk.fit", lambda fit, xml: fit[:3000], 422, "cut short"),
        ("export.xml", lambda fit, xml: xml[:9000], 422, "not well-formed XML"),
        (
            "export.zip",
            lambda fit, xml: zip_bytes({"apple_health_export/export.xml": xml})[:-40],
            422,
            "damaged",
        ),
        ("holiday.png", lambda fit, xml: b"\x89PNG\r\n\x1a\n" + bytes(100), 415, "neither an Apple Health"),
        ("notes.zip", lambda fit, xml: zip_bytes({"readme.txt": b"hello"}), 415, "without an Apple Health"),
        ("export.xml", lambda fit, xml: b"", 422, "empty"),
        ("export.xml", lambda fit, xml: NO_WALKING, 422, "holds no walking figures"),
    ],
)
def test_bad_files_get_a_clear_error_and_nothing_is_kept(
    client: Any, clinic: Clinic, shared_data: Path, name: str, damage: Any, status: int, words: str
) -> None:
    sign_in(client, "paula@home.test")
    data = damage((shared_data / GARMIN).read_bytes(), (shared_data / APPLE).read_bytes())
    response = _upload(client, clinic.patient_a, name, data)
    assert response.status_code == status, response.text
    assert words in response.text and name in response.text
    assert "<h1>" in response.text and "Traceback" not in response.text
    assert _rows(clinic) == []


def test_a_gzipped_fit_file_from_garmin_connect_is_read(
    client: Any, clinic: Clinic, shared_data: Path
) -> None:
    sign_in(client, "paula@home.test")
    plain = (shared_data / GARMIN).read_bytes()
    response = _upload(client, clinic.patient_a, "walk.fit.gz", gzip.compress(plain))
    assert response.status_code == 303, response.text
    gzipped = _rows(clinic)
    assert gzipped and all(source == "fit" for source, _, _ in gzipped)


def test_a_recording_uploaded_as_activity_is_sent_to_measure_a_walk(client: Any, clinic: Clinic) -> None:
    from backstride import io

    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, "walk.csv.gz", io.sample_path().read_bytes())
    assert response.status_code == 415, response.text
    text = html.unescape(response.text)
    assert "walk.csv.gz could not be read: " in text
    assert "It looks like a sensor's recording: upload it under “Measure a walk”" in text
    assert _rows(clinic) == []
    other = _upload(client, clinic.patient_a, "notes.xml", b"<notes>no health data</notes>")
    assert other.status_code == 415 and "upload it under" not in html.unescape(other.text)


def test_no_file_chosen(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    response = client.post(f"/patients/{clinic.patient_a}/activity", data={"csrf_token": client.csrf})
    assert response.status_code == 422
    assert "No file was chosen" in response.text


def test_too_large_is_refused_before_reading(app_factory: Any, clinic: Clinic, shared_data: Path) -> None:
    client = app_factory(max_upload_bytes=2_000)
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, "export.xml", (shared_data / APPLE).read_bytes())
    assert response.status_code == 413
    assert "export.zip" in response.text
    assert _rows(clinic) == []


def test_outsiders_and_forms_without_csrf_are_refused(client: Any, clinic: Clinic, shared_data: Path) -> None:
    data = (shared_data / GARMIN).read_bytes()
    sign_in(client, "paula@home.test")
    assert _upload(client, clinic.patient_a, "walk.fit", data, csrf=None).status_code == 403
    other = TestClient(client.app, follow_redirects=False)
    sign_in(other, "peter@home.test")
    assert _upload(client, clinic.patient_a, "walk.fit", data, csrf=other.csrf).status_code == 403  # type: ignore[attr-defined]
    # another patient, and a clinician who does not look after Paula: 404, as for recordings
    assert _upload(other, clinic.patient_a, "walk.fit", data).status_code == 404
    ben = TestClient(client.app, follow_redirects=False)
    sign_in(ben, "ben@clinic.test")
    response = _upload(ben, clinic.patient_a, "walk.fit", data)
    assert response.status_code == 404 and "Paula" not in response.text
    anonymous = TestClient(client.app, follow_redirects=False)
    assert _upload(anonymous, clinic.patient_a, "walk.fit", data, csrf=csrf_of(anonymous)).status_code == 401
    assert _rows(clinic) == []
    # and Peter may upload his own
    assert _upload(other, clinic.patient_b, "walk.fit", data).status_code == 303


def test_the_form_offers_what_the_server_takes() -> None:
    from backstride.web._context import upload_filename
    from backstride.web.routes._activity import ACCEPTED_SUFFIXES

    def name(text: str | None) -> str:
        return upload_filename(text, "export")

    template = Path(__file__).resolve().parents[2] / "src/backstride/web/templates/_progress_body.html"
    assert f'accept="{",".join(ACCEPTED_SUFFIXES)}"' in template.read_text(encoding="utf-8")
    assert name("C:\\Users\\ann\\export.zip") == "export.zip"
    assert name("..") == "export" and name(None) == "export"
    assert name("a" * 300 + ".fit") == "a" * 100 + ".fit"
