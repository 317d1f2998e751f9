"""A recording's result page: what the reader found in the file, and figures that are empty said why."""

from __future__ import annotations

from typing import Any

from tests.conftest import clinic_db
from tests.web.conftest import Clinic, sign_in, upload, wait_for_job


def test_a_recordings_page_shows_what_the_reader_dropped(client: Any, clinic: Clinic) -> None:
    """A table whose last line was cut off in the upload: the reader drops it and says so, and the result
    page says it too (it showed the analysis's warnings only)."""
    import gzip

    from backstride import io

    text = gzip.decompress(io.sample_path().read_bytes()).decode()
    cut = text.rstrip("\n")
    cut = cut[: cut.rindex(",")]  # the last row loses its last cell and its line end
    sign_in(client, "paula@home.test")
    started = upload(client, clinic.patient_a, "cut.csv", cut.encode())
    assert started.status_code == 303, started.text
    result_url = wait_for_job(client, started.headers["location"]).headers["location"]
    notes = client.get(result_url).text.split('id="read-notes"')[1].split("</div>")[0]
    assert "<li>the last line is incomplete (an interrupted export or upload?) and was dropped</li>" in notes


def test_figures_left_empty_without_a_stretch_of_10_s_are_said_why(client: Any, clinic: Clinic) -> None:
    """The sample walk's first 36 s hold two stretches of walking, 4 s and 6 s: the summary's cadence and
    speed (medians over stretches of 10 s or more) are empty, and the page says why, with the shorter
    stretches' own cadence."""
    import gzip

    from backstride import io
    from backstride.web import _analysis

    lines = gzip.decompress(io.sample_path().read_bytes()).decode().splitlines()
    first = "\n".join(lines[: 1 + 3600]) + "\n"  # the header and 36 s at 100 samples a second
    sign_in(client, "paula@home.test")
    started = upload(client, clinic.patient_a, "first.csv", first.encode())
    assert started.status_code == 303, started.text
    result_url = wait_for_job(client, started.headers["location"]).headers["location"]
    page = client.get(result_url).text
    from backstride import store

    with clinic_db(clinic, readonly=True) as s:
        gait = _analysis.gait_result(store.analyses_of(s, clinic.patient_a)[-1].result)
    assert gait.summary.n_bouts == 2 and gait.summary.n_bouts_10s == 0
    assert gait.summary.median_cadence_spm is None
    cadences = sorted(round(b.cadence_spm) for b in gait.walking_bouts if b.cadence_spm is not None)
    note = page.split('id="no-steady-stretch">')[1].split("</p>")[0]
    assert "this recording has none (its longest lasted 6 s), so they are left empty." in note
    assert f"cadence {cadences[0]} to {cadences[-1]} steps per minute" in note


def test_a_trunk_leaning_back_is_said_to_lean_back(client: Any, clinic: Clinic) -> None:
    """The sample walk with the sensor turned 30° about its side-to-side axis: its trunk lean is negative
    (-12.4°), which the page said as "-12.4 degrees forward"."""
    import gzip

    import numpy as np

    from backstride import io

    lines = gzip.decompress(io.sample_path().read_bytes()).decode().splitlines()
    values = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    t = np.radians(30.0)
    turn = np.array([[np.cos(t), 0.0, -np.sin(t)], [0.0, 1.0, 0.0], [np.sin(t), 0.0, np.cos(t)]])
    values[:, 1:4] = values[:, 1:4] @ turn.T
    values[:, 4:7] = values[:, 4:7] @ turn.T
    body = "\n".join([lines[0], *(",".join(f"{v:.5f}" for v in row) for row in values)]) + "\n"
    sign_in(client, "paula@home.test")
    started = upload(client, clinic.patient_a, "tilted.csv", body.encode())
    assert started.status_code == 303, started.text
    page = client.get(wait_for_job(client, started.headers["location"]).headers["location"]).text
    lean = page.split("<dt>Trunk lean</dt><dd>")[1].split("</dd>")[0]
    assert lean == "12.4 degrees backward"
