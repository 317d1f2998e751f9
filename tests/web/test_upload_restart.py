"""An upload accepted but not yet analysed survives the server stopping: it is analysed at the next start,
under the same job, once, and an upload that stops the server every time ends with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, sign_in, upload_sample, wait_for_job

from backstride import store


class _Stopped:
    """A job pool whose server stopped before any analysis ran: what is submitted never runs."""

    def submit(self, *args: object, **kwargs: object) -> None:
        return None

    def shutdown(self, **kwargs: object) -> None:
        return None


def _stop_analyses(client: Any) -> None:
    client.app.state.backstride.jobs._pool = _Stopped()


def _recordings(clinic: Clinic) -> list[Any]:
    with clinic_db(clinic, readonly=True) as session:
        return [
            (r.id, r.filename, dict(r.metadata_ or {}))
            for r in store.recordings_of(session, clinic.patient_a)
        ]


def _spool(clinic: Clinic) -> Path:
    return clinic.blob_dir / ".uploads"


def test_an_upload_the_server_stopped_before_analysing_is_analysed_at_the_next_start(
    app_factory: Any, clinic: Clinic
) -> None:
    first = app_factory()
    _stop_analyses(first)
    sign_in(first, "paula@home.test")
    response = upload_sample(first, clinic.patient_a)
    assert response.status_code == 303
    job_url = response.headers["location"]
    job_id = job_url.rsplit("/", 1)[1]
    waiting = _spool(clinic) / job_id
    assert sorted(p.name for p in waiting.iterdir()) == ["ticket.json", "walk.csv.gz"]
    assert json.loads((waiting / "ticket.json").read_text())["patient_id"] == clinic.patient_a
    assert _recordings(clinic) == []
    # the server stops here; the next one finds the upload and analyses it under the same job
    second = app_factory()
    sign_in(second, "paula@home.test")
    finished = wait_for_job(second, job_url)
    assert finished.status_code == 303, finished.text
    stored = _recordings(clinic)
    assert len(stored) == 1 and stored[0][1] == "walk.csv.gz"
    assert stored[0][2]["upload_job"] == job_id
    assert finished.headers["location"].endswith(f"/recordings/{stored[0][0]}")
    page = second.get(finished.headers["location"])
    assert page.status_code == 200 and "steps/min" in page.text
    assert not waiting.exists()
    # a third start finds nothing left to do
    app_factory()
    assert list(_spool(clinic).iterdir()) == []
    assert len(_recordings(clinic)) == 1


def test_an_upload_stored_just_before_a_stop_is_not_stored_twice(app_factory: Any, clinic: Clinic) -> None:
    client = app_factory()
    sign_in(client, "paula@home.test")
    response = upload_sample(client, clinic.patient_a)
    job_url = response.headers["location"]
    assert wait_for_job(client, job_url).status_code == 303
    job_id = job_url.rsplit("/", 1)[1]
    # put the upload back in the spool, as if the server stopped after storing it and before letting it go
    from backstride import io
    from backstride.web._spool import Ticket, UploadSpool

    spool = UploadSpool(_spool(clinic))
    folder = spool.folder(job_id)
    folder.mkdir(parents=True)
    (folder / "walk.csv.gz").write_bytes(io.sample_path().read_bytes())
    spool.commit(
        Ticket(job_id, clinic.patient_a, clinic.patient_a, "walk.csv.gz", 1, streamed=False, tries=1)
    )
    again = app_factory()
    sign_in(again, "paula@home.test")
    assert wait_for_job(again, job_url).status_code == 303
    assert len(_recordings(clinic)) == 1
    assert not folder.exists()


def test_an_upload_that_stopped_the_server_three_times_ends_with_a_reason(
    app_factory: Any, clinic: Clinic
) -> None:
    first = app_factory()
    _stop_analyses(first)
    sign_in(first, "paula@home.test")
    job_url = upload_sample(first, clinic.patient_a).headers["location"]
    ticket_path = _spool(clinic) / job_url.rsplit("/", 1)[1] / "ticket.json"
    ticket = json.loads(ticket_path.read_text())
    ticket_path.write_text(
        json.dumps({**ticket, "tries": 3})
    )  # three starts, each cut off during the analysis
    second = app_factory()
    sign_in(second, "paula@home.test")
    finished = wait_for_job(second, job_url)
    assert finished.status_code == 422
    assert "the server stopped during its analysis 3 times" in finished.text
    assert _recordings(clinic) == []
    assert not ticket_path.parent.exists()


def test_a_check_cut_off_leaves_nothing_and_a_refused_upload_leaves_nothing(
    app_factory: Any, clinic: Clinic
) -> None:
    # a folder without its ticket: an upload whose check never ended (nobody was told it was accepted)
    orphan = _spool(clinic) / "cut-off-check"
    orphan.mkdir(parents=True)
    (orphan / "walk.csv").write_text("time,ax\n")
    client = app_factory()
    assert not orphan.exists()
    sign_in(client, "paula@home.test")
    refused = client.post(
        f"/patients/{clinic.patient_a}/recordings",
        files={"file": ("walk.csv", b"time,ax,ay\n0,1,2\n", "text/csv")},
        data={"csrf_token": client.csrf},
    )
    assert refused.status_code == 415
    assert list(_spool(clinic).iterdir()) == []
