"""A recording's result page: what the reader found in the file, and figures that are empty said why."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Clinic, sign_in, wait_for_job


def test_a_recordings_page_shows_what_the_reader_dropped(client: Any, clinic: Clinic) -> None:
    """A table whose last line was cut off in the upload: the reader drops it and says so, and the result
    page says it too (it showed the analysis's warnings only)."""
    import gzip

    from backstride import io

    text = gzip.decompress(io.sample_path().read_bytes()).decode()
    cut = text.rstrip("\n")
    cut = cut[: cut.rindex(",")]  # the last row loses its last cell and its line end
    sign_in(client, "paula@home.test")
    started = client.post(
        f"/patients/{clinic.patient_a}/recordings",
        files={"file": ("cut.csv", cut.encode(), "text/csv")},
        data={"csrf_token": client.csrf},
    )
    assert started.status_code == 303, started.text
    result_url = wait_for_job(client, started.headers["location"]).headers["location"]
    notes = client.get(result_url).text.split('id="read-notes"')[1].split("</div>")[0]
    assert "<li>the last line is incomplete (an interrupted export or upload?) and was dropped</li>" in notes
