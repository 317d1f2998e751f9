"""Bad uploads end on a clear error page (HTTP 4xx) and nothing is stored."""

from __future__ import annotations

import gzip
import html
import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import (
    Clinic,
    read_again,
    sign_in,
    upload_page,
    upload_sample,
    wait_for_job,
    zip_bytes,
)

from backstride import io


def _upload(client: Any, patient_id: int, name: str, data: bytes, **headers: str) -> Any:
    return client.post(
        f"/patients/{patient_id}/recordings",
        files={"file": (name, data, "application/octet-stream")},
        data={"csrf_token": client.csrf},
        headers=headers,
    )


def _nothing_stored(clinic: Clinic) -> None:
    from backstride import store

    with clinic_db(clinic) as s:
        assert store.recordings_of(s, clinic.patient_a) == []
    blobs = list(store.BlobStore(clinic.blob_dir))
    assert blobs == []


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("holiday.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, 415, "not a recording backstride can read"),
        ("walk.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, 415, "could not be read"),
        ("notes.zip", zip_bytes({"readme.txt": b"hello"}), 415, "could not be read"),
        ("walk.csv", b"time,ax,ay\n0,1,2\n0.01,1,2\n", 415, "could not be read"),
        ("walk.zip", b"PK\x03\x04 this zip is cut short", 422, "ZIP archive cut short"),
        ("walk.csv.gz", gzip.compress(b"t,ax,ay,az\n")[:-6], 422, "could not be read"),
        ("empty.csv", b"", 422, "empty"),
        ("walk.json", b'[{"sensor": "TotalAcceleration", "time": "17640000', 422, "not valid JSON"),
    ],
)
def test_bad_files_get_a_clear_error(
    client: Any, clinic: Clinic, name: str, data: bytes, status: int, words: str
) -> None:
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, name, data)
    # The reader decides between "not a recording" (415) and "a damaged recording" (422); both are clear.
    allowed = {status} if name in ("holiday.png", "empty.csv") else {415, 422}
    assert response.status_code in allowed, response.text
    assert words in response.text
    assert "Traceback" not in response.text
    assert "<h1>" in response.text  # a whole error page
    _nothing_stored(clinic)


@pytest.mark.parametrize("named", ["walk.fit", "walk.fit.gz", "export.zip"])
def test_an_activity_file_uploaded_as_a_recording_is_sent_to_the_progress_page(
    client: Any, clinic: Clinic, shared_data: Path, named: str
) -> None:
    """A watch's .fit file (refused by its name) or an iPhone's export.zip (refused by its content) holds what
    the phone or watch worked out, not samples: the page says where it is read instead, and nothing is kept."""
    sign_in(client, "paula@home.test")
    fit = (shared_data / "devices/garmin_fit/fitparse_garmin-fenix-5-walk.fit").read_bytes()
    apple = (shared_data / "devices/apple_health/opendroid_hk_sampleexport-2.xml").read_bytes()
    data = {"walk.fit": fit, "walk.fit.gz": gzip.compress(fit)}.get(named) or zip_bytes(
        {"apple_health_export/export.xml": apple}
    )
    response = _upload(client, clinic.patient_a, named, data)
    assert response.status_code == 415, response.text
    text = html.unescape(response.text)
    assert "Upload it on the Progress page, under “Walking measured by the phone or watch”" in text
    assert (
        "is an Apple Health export: " if named == "export.zip" else "activity file (Apple Health, Garmin)"
    ) in text
    assert "Traceback" not in response.text
    _nothing_stored(clinic)


def test_htmx_upload_errors_come_back_as_a_fragment(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    response = _upload(
        client, clinic.patient_a, "photo.jpg", b"\xff\xd8\xff" + b"\0" * 50, **{"HX-Request": "true"}
    )
    assert response.status_code == 415
    assert "<html" not in response.text
    assert 'role="alert"' in response.text


def test_too_large_is_refused_before_reading(app_factory: Any, clinic: Clinic) -> None:
    client = app_factory(max_upload_bytes=50_000)
    sign_in(client, "paula@home.test")
    response = upload_sample(client, clinic.patient_a)  # about 350 kB
    assert response.status_code == 413
    assert "too large" in response.text
    assert "The largest recording accepted is 50 kB" in response.text
    _nothing_stored(clinic)


def test_file_that_cannot_be_analysed_fails_the_job_and_stores_nothing(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    # A readable recording of someone standing still: valid format, 30 s at 50 Hz, no walking.
    rows = ["time,acc_x,acc_y,acc_z"] + [f"{i / 50:.2f},0.01,0.02,9.81" for i in range(1500)]
    response = _upload(client, clinic.patient_a, "still.csv", "\n".join(rows).encode())
    if response.status_code in (415, 422):  # the reader already refused it: also a clear 4xx
        _nothing_stored(clinic)
        return
    assert response.status_code == 303
    finished = wait_for_job(client, response.headers["location"])
    if finished.status_code == 422:
        assert "Nothing was kept" in finished.text
        _nothing_stored(clinic)
    else:  # the engine analysed it: a result with no walking is a valid answer
        assert finished.status_code == 303
        page = client.get(finished.headers["location"])
        assert "No stretch of steady walking" in page.text


def test_upload_progress_fragment_for_htmx(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    data = io.sample_path().read_bytes()
    response = client.post(
        f"/patients/{clinic.patient_a}/recordings",
        files={"file": ("walk.csv.gz", data, "application/gzip")},
        headers={"HX-Request": "true", "X-CSRF-Token": client.csrf},
    )
    assert response.status_code == 202
    assert 'hx-trigger="every 1s"' in response.text
    assert "<html" not in response.text
    job = response.text.split("/recordings/jobs/")[1].split("/")[0].split('"')[0]
    finished = wait_for_job(client, f"/patients/{clinic.patient_a}/recordings/jobs/{job}")
    assert finished.status_code == 303


def _phone_exports() -> dict[str, bytes]:
    """The bundled sample written the way phyphox and Sensor Logger export their recordings."""
    rec = io.read(io.sample_path())
    t, acc = rec.time_s, rec.acc_mps2
    phyphox = "\n".join(
        ['"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"']
        + [f"{t[i]:.4f},{acc[i, 0]:.5f},{acc[i, 1]:.5f},{acc[i, 2]:.5f}" for i in range(len(t))]
    )
    start_ns = 1_764_000_000_000_000_000
    sensorlogger = "\n".join(
        ["time,seconds_elapsed,z,y,x"]
        + [
            f"{start_ns + int(t[i] * 1e9)},{t[i]:.4f},{acc[i, 2]:.5f},{acc[i, 1]:.5f},{acc[i, 0]:.5f}"
            for i in range(len(t))
        ]
    )
    readings = [
        {
            "sensor": "TotalAcceleration",
            "time": str(start_ns + int(t[i] * 1e9)),
            "seconds_elapsed": f"{t[i]:.4f}",
            "z": f"{acc[i, 2]:.5f}",
            "y": f"{acc[i, 1]:.5f}",
            "x": f"{acc[i, 0]:.5f}",
        }
        for i in range(len(t))
    ]
    return {
        "phyphox-walk.zip": zip_bytes({"Raw Data.csv": phyphox.encode()}),
        "sensorlogger-walk.zip": zip_bytes({"TotalAcceleration.csv": sensorlogger.encode()}),
        "sensorlogger-walk.json": json.dumps(
            [*readings, {"sensor": "Metadata", "platform": "android"}]
        ).encode(),
    }


@pytest.mark.parametrize("streamed", [False, True], ids=["read-whole", "streamed"])
@pytest.mark.parametrize("name", ["phyphox-walk.zip", "sensorlogger-walk.zip", "sensorlogger-walk.json"])
def test_phone_app_exports_are_analysed(app_factory: Any, clinic: Clinic, name: str, streamed: bool) -> None:
    # streamed: as a day-long export would be (at or above stream_from_bytes), checked on its start, then
    # analysed from the stored file chunk by chunk
    client = app_factory(stream_from_bytes=10) if streamed else app_factory()
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, name, _phone_exports()[name])
    assert response.status_code == 303, response.text
    finished = wait_for_job(client, response.headers["location"])
    assert finished.status_code == 303
    page = client.get(finished.headers["location"])
    assert page.status_code == 200
    assert name in page.text
    from backstride import store

    with clinic_db(clinic) as s:
        (rec,) = store.recordings_of(s, clinic.patient_a)
        assert rec.format == name.split("-")[0]
        analysis = store.latest_analysis(s, rec.id)
        assert analysis is not None and analysis.n_bouts and analysis.n_bouts > 0


def test_the_upload_page_offers_the_file_types_the_server_takes(client: Any, clinic: Clinic) -> None:
    from backstride.web.routes._recordings import ACCEPTED_SUFFIXES

    page = upload_page(client, clinic.patient_a)
    assert f'accept="{",".join(ACCEPTED_SUFFIXES)}"' in page
    assert ".json" in ACCEPTED_SUFFIXES  # Sensor Logger's JSON export
    assert {".cwa", ".gt3x", ".bin"} <= set(ACCEPTED_SUFFIXES)  # wearables' own files
    assert ".xlsx" in ACCEPTED_SUFFIXES  # phyphox's Excel export
    assert ".sqlite" in ACCEPTED_SUFFIXES  # Sensor Logger's SQLite export


def test_a_wearables_own_file_is_analysed(client: Any, clinic: Clinic, shared_data: Any) -> None:
    """An Axivity AX6 .cwa as a clinic would upload it after a session: read, analysed, stored."""
    data = (shared_data / "devices" / "axivity_cwa" / "skdh_ax6_sample.cwa").read_bytes()
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, "clinic-visit.cwa", data)
    assert response.status_code == 303, response.text
    finished = wait_for_job(client, response.headers["location"])
    assert finished.status_code == 303
    page = client.get(finished.headers["location"])
    assert "Recorded with Axivity AX6, device 6011802. Started 2019-10-29 09:03:06" in page.text
    from backstride import store

    with clinic_db(clinic) as s:
        (rec,) = store.recordings_of(s, clinic.patient_a)
        assert rec.format == "axivity"
        analysis = store.latest_analysis(s, rec.id)
        assert analysis is not None and analysis.n_bouts is not None and analysis.n_bouts >= 2


@pytest.mark.parametrize(
    ("app", "name", "device", "fmt"),
    [
        # the export phyphox's dialog selects first: an Excel workbook
        ("phyphox-xlsx", "Acceleration with g 2025-10-09.xlsx", "Google Pixel 7", "phyphox"),
        # Sensor Logger's SQLite export: a table per sensor
        ("sensorlogger-sqlite", "2025-10-09_08-53-20.sqlite", "Pixel 7", "sensorlogger"),
    ],
)
def test_a_phone_apps_other_exports_are_analysed(
    client: Any, clinic: Clinic, tmp_path: Any, app: str, name: str, device: str, fmt: str
) -> None:
    """Exports that are neither a CSV nor a ZIP, read by content like any upload."""
    from benchmarks.apps import export

    from backstride import gait, store

    made = export(app, io.read(io.sample_path()), tmp_path, seed=3)
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, name, made.read_bytes())
    assert response.status_code == 303, response.text
    finished = wait_for_job(client, response.headers["location"])
    assert finished.status_code == 303
    page = client.get(finished.headers["location"])
    assert f"Recorded with {device}" in page.text
    whole = gait.analyze(io.read(made))
    assert whole.summary.n_steps > 10
    with clinic_db(clinic) as s:
        (rec,) = store.recordings_of(s, clinic.patient_a)
        assert rec.format == fmt
        analysis = store.latest_analysis(s, rec.id)
        assert analysis is not None and analysis.result["summary"]["n_steps"] == whole.summary.n_steps


def test_a_large_upload_is_analysed_as_a_stream(app_factory: Any, clinic: Clinic, shared_data: Any) -> None:
    """At or above ``stream_from_bytes`` only the start is read before the upload is accepted, and the
    analysis reads the stored file chunk by chunk: the same walking as a whole read."""
    from backstride import gait, store

    path = shared_data / "devices" / "axivity_cwa" / "skdh_ax3_sample.cwa"
    client = app_factory(stream_from_bytes=100_000)  # the 252 kB file counts as large
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, "week.cwa", path.read_bytes())
    assert response.status_code == 303, response.text
    finished = wait_for_job(client, response.headers["location"])
    assert finished.status_code == 303
    whole = gait.analyze(io.read(path))
    with clinic_db(clinic) as s:
        (rec,) = store.recordings_of(s, clinic.patient_a)
        assert rec.format == "axivity"
        analysis = store.latest_analysis(s, rec.id)
        assert analysis is not None and analysis.n_bouts == whole.summary.n_bouts
        assert analysis.result["summary"]["n_steps"] == pytest.approx(whole.summary.n_steps, abs=3)


def test_a_large_upload_that_is_not_a_recording_is_refused_at_once(app_factory: Any, clinic: Clinic) -> None:
    client = app_factory(stream_from_bytes=10)
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, "walk.cwa", b"MD" + bytes(2000))
    assert response.status_code in (415, 422)
    assert "walk.cwa" in response.text
    _nothing_stored(clinic)


def test_a_streamed_job_shows_the_hours_analysed(client: Any, clinic: Clinic) -> None:
    from backstride.web._jobs import Job
    from backstride.web._render import templates

    job = Job(id="j1", patient_id=clinic.patient_a, filename="week.cwa", size_bytes=1, status="running")
    job.analysed_s = 5.5 * 3600
    html = templates.env.get_template("_job_status.html").render(job=job, patient_id=clinic.patient_a)
    assert "5.5 h of recording analysed so far" in html
    assert "% analysed" not in html


@pytest.mark.parametrize(
    ("name", "status"), [("a\x00b.csv.gz", 303), ("x" * 300 + ".csv.gz", 303), ("..", 415)]
)
def test_an_odd_file_name_is_made_safe_not_an_error(
    client: Any, clinic: Clinic, name: str, status: int
) -> None:
    """The name is the browser's to send: control characters or a very long name still give a stored,
    analysed recording under a safe name; a name that is only a folder (``..``) is a clear 415. The long
    name and ``..`` were server errors before."""
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, name, io.sample_path().read_bytes())
    assert response.status_code == status, response.text
    if status == 303:
        assert wait_for_job(client, response.headers["location"]).status_code == 303
    else:
        _nothing_stored(clinic)


def test_a_metabase_zip_is_analysed(client: Any, clinic: Clinic, tmp_path: Any) -> None:
    """A MetaWear sensor's MetaBase files, zipped: the accelerometer's and the gyroscope's, read as one."""
    import zipfile

    from benchmarks.apps import export

    from backstride import gait, store

    folder = export("metabase", io.read(io.sample_path()), tmp_path, seed=3)
    archive = tmp_path / "session.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(folder.iterdir()):
            zf.write(file, file.name)
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, "session.zip", archive.read_bytes())
    assert response.status_code == 303, response.text
    finished = wait_for_job(client, response.headers["location"])
    assert finished.status_code == 303
    assert "Recorded with MetaWear" in client.get(finished.headers["location"]).text
    whole = gait.analyze(io.read(archive))
    assert whole.summary.n_steps > 10
    with clinic_db(clinic) as s:
        (rec,) = store.recordings_of(s, clinic.patient_a)
        assert rec.format == "metabase"
        analysis = store.latest_analysis(s, rec.id)
        assert analysis is not None and analysis.result["summary"]["n_steps"] == whole.summary.n_steps


@pytest.mark.parametrize("streamed", [False, True], ids=["read whole", "streamed"])
def test_a_table_without_a_time_column_is_analysed_at_the_rate_given(
    app_factory: Any, clinic: Clinic, shared_data: Any, streamed: bool
) -> None:
    """A logger's table of acceleration alone: refused with what to do (no command-line option named), then
    analysed at the rate given in the form as the same walk with its time column, the rate kept with the
    recording so that analysing it again reads it alike."""
    from backstride import gait, store

    original = shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"
    rows = [line.split(",", 1)[1] for line in original.read_text().splitlines()]  # the time_s column left out
    data = ("\n".join(rows) + "\n").encode()
    client = app_factory(stream_from_bytes=10 if streamed else 16 << 20)
    sign_in(client, "paula@home.test")
    refused = _upload(client, clinic.patient_a, "logger.csv", data)
    assert refused.status_code == 422
    assert "logger.csv has no time column" in refused.text and "could not be read" not in refused.text
    assert "its columns are: acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z" in refused.text
    assert (
        "To read it, fill in &#34;Name of the time column&#34;, or fill in &#34;Samples per second&#34; under "
        "&#34;How the file is written&#34;, and upload it again." in refused.text
    )
    assert "--rate-hz" not in refused.text and "rate_hz" not in refused.text
    for wrong in ("fast", "0", "20000"):
        bad = client.post(
            f"/patients/{clinic.patient_a}/recordings",
            files={"file": ("logger.csv", data, "text/csv")},
            data={"csrf_token": client.csrf, "rate_hz": wrong},
        )
        assert bad.status_code == 422 and "is not a number of samples per second" in bad.text
    _nothing_stored(clinic)
    response = client.post(
        f"/patients/{clinic.patient_a}/recordings",
        files={"file": ("logger.csv", data, "text/csv")},
        data={"csrf_token": client.csrf, "rate_hz": "100"},
    )
    assert response.status_code == 303, response.text
    assert wait_for_job(client, response.headers["location"]).status_code == 303
    expected = gait.analyze(io.read(original), height_m=1.68, age=52, sex="female").to_dict()
    with clinic_db(clinic, readonly=True) as s:
        (rec,) = store.recordings_of(s, clinic.patient_a)
        assert rec.metadata_["read_options"] == {"rate_hz": 100.0}
        analysis = store.latest_analysis(s, rec.id)
        assert analysis is not None
        assert analysis.result["initial_contacts"] == expected["initial_contacts"]
        assert analysis.result["walking_bouts"] == expected["walking_bouts"]
        rec_id, first_id = rec.id, analysis.id
    page = client.get(f"/patients/{clinic.patient_a}/recordings/{rec_id}")
    assert "Read as the upload said: Samples per second: 100." in page.text
    # its report and a clinician's analysis again read the stored file at its rate, not asked for again
    read_again(app_factory, client, clinic.patient_a, rec_id)
    with clinic_db(clinic, readonly=True) as s:
        latest = store.latest_analysis(s, rec_id)
        assert latest is not None and latest.id != first_id  # a new analysis, as the first
        assert latest.result["initial_contacts"] == expected["initial_contacts"]


@pytest.mark.parametrize("streamed", [False, True])
def test_a_gzipped_loggers_file_is_unpacked_once_to_be_checked_and_read(
    app_factory: Any, clinic: Clinic, shared_data: Any, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    """A ``.cwa.gz`` was unpacked to count what it unpacks to, then again by the reader: now what the check
    unpacks is what is read. Streamed, the analysis reads the stored upload once more, as it reads any file."""
    from backstride import store

    cwa = (shared_data / "devices" / "axivity_cwa" / "skdh_ax3_sample.cwa").read_bytes()
    unpacked = [0]  # bytes decompressed, by every reader of gzip files (a head of 64 bytes included)
    read1 = gzip.GzipFile.read1

    def counted(self: gzip.GzipFile, size: int = -1) -> bytes:
        data = read1(self, size)
        unpacked[0] += len(data)
        return data

    monkeypatch.setattr(gzip.GzipFile, "read1", counted)
    client = app_factory(stream_from_bytes=100_000 if streamed else 16 << 20)  # the 252 kB content is large
    sign_in(client, "paula@home.test")
    response = _upload(client, clinic.patient_a, "week.cwa.gz", gzip.compress(cwa))
    assert response.status_code == 303, response.text
    assert wait_for_job(client, response.headers["location"]).status_code == 303
    times = 2 if streamed else 1
    assert times * len(cwa) <= unpacked[0] < times * len(cwa) + 1000  # each was twice before, and 3 times
    with clinic_db(clinic, readonly=True) as s:
        (rec,) = store.recordings_of(s, clinic.patient_a)
        assert rec.format == "axivity"
