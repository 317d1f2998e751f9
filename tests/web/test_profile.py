"""A clinician puts a patient's details right, and analyses a walk measured with the wrong height again:
the earlier analysis is kept, the new one is the one shown, trended and exported."""

from __future__ import annotations

import html
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, post, sign_in, upload_sample, wait_for_job

from backstride import store


def _analyses(clinic: Clinic, rid: int) -> list[dict[str, Any]]:
    from sqlalchemy import select

    with clinic_db(clinic, readonly=True) as s:
        rows = s.scalars(
            select(store.GaitAnalysis)
            .where(store.GaitAnalysis.recording_id == rid)
            .order_by(store.GaitAnalysis.id)
        )
        return [dict(r.result) for r in rows]


def _profile(clinic: Clinic) -> tuple[Any, ...]:
    with clinic_db(clinic, readonly=True) as s:
        p = store.get_user(s, clinic.patient_a).profile  # type: ignore[union-attr]
        return (p.age, p.sex, p.height_m, p.sensor_height_m)


def test_a_wrong_height_put_right_and_the_walk_analysed_again(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    done = wait_for_job(client, upload_sample(client, clinic.patient_a).headers["location"])
    rid = int(done.headers["location"].rsplit("/", 1)[1])
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    page = therapist.get(f"/patients/{clinic.patient_a}").text
    assert f'action="/patients/{clinic.patient_a}/profile"' in page
    assert 'name="height_m" type="number" min="0.8" max="2.5" step="0.01" value="1.68"' in page
    assert "analyse-again" not in page  # measured with the height the details hold

    # Paula is 1.78 m, not 1.68 m, and her sensor sits at 1.05 m
    changed = post(
        therapist,
        f"/patients/{clinic.patient_a}/profile",
        {"age": "52", "sex": "female", "height_m": "1,78", "sensor_height_m": "1.05"},
    )
    assert changed.status_code == 303 and changed.headers["location"].endswith("#recordings")
    assert _profile(clinic) == (52, "female", 1.78, 1.05)
    page = therapist.get(f"/patients/{clinic.patient_a}").text
    assert "Measured with height 1.68 m</span>" in page
    assert f'action="/patients/{clinic.patient_a}/recordings/{rid}/analyse-again"' in page

    started = post(therapist, f"/patients/{clinic.patient_a}/recordings/{rid}/analyse-again")
    assert started.status_code == 303 and "/recordings/jobs/" in started.headers["location"]
    finished = wait_for_job(therapist, started.headers["location"])
    assert finished.headers["location"] == f"/patients/{clinic.patient_a}/recordings/{rid}"

    first, again = _analyses(clinic, rid)  # the earlier analysis is kept
    assert (
        first["subject"]["height_m"] == 1.68
        and first["subject"]["sensor_height_source"] == "from body height"
    )
    assert again["subject"]["height_m"] == 1.78 and again["subject"]["sensor_height_m"] == 1.05
    assert again["subject"]["sensor_height_source"] == "given"
    # the same steps, longer with the higher sensor (the inverted pendulum's length)
    assert again["summary"]["n_steps"] == first["summary"]["n_steps"] > 0
    assert again["summary"]["median_stride_length_m"] > first["summary"]["median_stride_length_m"]
    page = therapist.get(f"/patients/{clinic.patient_a}").text
    assert "analyse-again" not in page
    speed = f"{again['summary']['median_walking_speed_mps']:.2f} m/s"
    assert speed in page and f"{first['summary']['median_walking_speed_mps']:.2f} m/s" != speed
    # one walk, the new figures: in the trend, the result page and the FHIR export
    with clinic_db(clinic, readonly=True) as s:
        (newest,) = store.analyses_of(s, clinic.patient_a)
        assert newest.result["subject"]["height_m"] == 1.78
        (walk,) = store.patient_record(s, clinic.patient_a).gait
        assert walk.summary == again["summary"]
    result = therapist.get(f"/patients/{clinic.patient_a}/recordings/{rid}").text
    assert f"{again['summary']['median_stride_length_m']:.2f}" in result


def test_impossible_details_are_refused_and_change_nothing(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    before = _profile(clinic)
    for data, message in (
        ({"height_m": "178"}, "Height: 178.0 m is not plausible; give it in metres"),
        ({"height_m": "1.7", "sensor_height_m": "tall"}, "Sensor height: give the sensor's height above"),
        ({"age": "300"}, "Age: 300 is not plausible"),
        ({"sex": "unknown"}, "Sex: choose Female, Male or Not given."),
    ):
        response = post(client, f"/patients/{clinic.patient_a}/profile", data)
        assert response.status_code == 422, data
        assert message in html.unescape(response.text)
        assert "Traceback" not in response.text
    assert _profile(clinic) == before
    # emptied fields clear what was stored (a height nobody measured is better unknown than wrong)
    cleared = post(client, f"/patients/{clinic.patient_a}/profile", {"age": "52", "sex": "female"})
    assert cleared.status_code == 303
    assert _profile(clinic) == (52, "female", None, None)


def test_a_lost_file_fails_the_new_analysis_and_keeps_the_old(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    done = wait_for_job(client, upload_sample(client, clinic.patient_a).headers["location"])
    rid = int(done.headers["location"].rsplit("/", 1)[1])
    with clinic_db(clinic, readonly=True) as s:
        sha = store.get_recording(s, rid).sha256  # type: ignore[union-attr]
    store.BlobStore(clinic.blob_dir).path(sha).unlink()
    therapist = client.__class__(client.app, follow_redirects=False)
    sign_in(therapist, "anna@clinic.test")
    started = post(therapist, f"/patients/{clinic.patient_a}/recordings/{rid}/analyse-again")
    failed = wait_for_job(therapist, started.headers["location"])
    assert failed.status_code == 422
    assert "walk.csv.gz could not be analysed again: its stored file could not be read" in failed.text
    assert "The earlier analysis is kept and still shown." in failed.text
    assert f'href="/patients/{clinic.patient_a}/recordings/{rid}"' in failed.text
    assert len(_analyses(clinic, rid)) == 1
