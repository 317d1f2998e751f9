"""What the upload form can say of a file backstride cannot read by itself: the readers' own options, asked
for by the form's fields (never the command line's flags), kept with the recording for every later reading."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tests.conftest import clinic_db
from tests.web.conftest import Clinic, read_again, sign_in, upload_page, upload_sample, wait_for_job

from backstride import gait, io, store
from backstride.web._reading import FIELDS, SECTION

FLAGS = ("--acc-unit", "--gyr-unit", "--time-unit", "--time-column", "--acc-columns", "--rate-hz")


def _post(client: Any, patient_id: int, name: str, data: bytes, **fields: str) -> Any:
    return client.post(
        f"/patients/{patient_id}/recordings",
        files={"file": (name, data, "text/csv")},
        data={"csrf_token": client.csrf, **fields},
    )


def _no_flags(text: str) -> None:
    for flag in FLAGS:
        assert flag not in text
    assert "acc_unit=" not in text and "time_unit" not in text and "acc_columns" not in text


def _walk(shared_data: Path) -> Path:
    return shared_data / "lowback-lab" / "HA-001-Test5-Trial1" / "imu.csv"


def _stored(clinic: Clinic) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    with clinic_db(clinic, readonly=True) as s:
        out = []
        for rec in store.recordings_of(s, clinic.patient_a):
            analysis = store.latest_analysis(s, rec.id)
            assert analysis is not None
            out.append((rec.id, dict(rec.metadata_ or {}), analysis.result))
        return out


def test_the_upload_page_offers_every_reading_option(client: Any, clinic: Clinic) -> None:
    page = upload_page(client, clinic.patient_a)
    assert f'data-section="{SECTION}"' in page
    for field in FIELDS:
        assert f'name="{field.name}"' in page and field.label in page
        for value, _words in field.choices:
            assert f'<option value="{value}">' in page
    assert {f.name for f in FIELDS} <= set(io.ReadOptions().__dataclass_fields__)


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_a_unit_declared_wrong_is_refused_with_the_field_to_set(
    app_factory: Any, clinic: Clinic, shared_data: Path, streamed: bool
) -> None:
    client = app_factory(stream_from_bytes=10 if streamed else 16 << 20)
    sign_in(client, "paula@home.test")
    data = _walk(shared_data).read_bytes()  # in m/s², declared in g
    refused = _post(client, clinic.patient_a, "walk.csv", data, acc_unit="g")
    assert refused.status_code == 422, refused.text
    assert "is declared in g but its median magnitude is 9.62, which is m/s²" in refused.text
    assert (
        "To read it, set &#34;Acceleration unit&#34; to m/s² under &#34;How the file is written&#34;, and "
        "upload it again." in refused.text
    )
    _no_flags(refused.text)
    # a time column in seconds read in milliseconds: a sensor at 100 kHz
    refused = _post(client, clinic.patient_a, "walk.csv", data, time_unit="ms")
    assert refused.status_code == 422, refused.text
    assert "faster than any sensor worn for walking records" in refused.text
    assert "To read it, choose &#34;Unit of the time column&#34; under" in refused.text
    _no_flags(refused.text)
    assert _stored(clinic) == []


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (
            {"acc_unit": "furlongs"},
            "&#34;Acceleration unit&#34; cannot be &#39;furlongs&#39;: choose one from its list",
        ),
        ({"acc_columns": "ax,ay"}, "Give three acceleration column names, got [&#39;ax&#39;, &#39;ay&#39;]."),
        ({"time_column": "t" * 300}, "&#34;Name of the time column&#34; is too long"),
        ({"rate_hz": "fast"}, "is not a number of samples per second"),
    ],
)
def test_an_entry_the_readers_would_refuse_is_a_clear_422(
    client: Any, clinic: Clinic, shared_data: Path, fields: dict[str, str], words: str
) -> None:
    sign_in(client, "paula@home.test")
    refused = _post(client, clinic.patient_a, "walk.csv", _walk(shared_data).read_bytes(), **fields)
    assert refused.status_code == 422 and words in refused.text, refused.text
    assert _stored(clinic) == []


def test_a_loggers_table_is_read_with_the_columns_and_units_given(
    app_factory: Any, clinic: Clinic, shared_data: Path
) -> None:
    """A table whose column names say nothing (``clock``, ``A``, ``B``, ``C``, ``P``, ``Q``, ``R``), time in
    milliseconds, acceleration in g: refused naming the field to fill in, then read with what the form says;
    those options are kept with the recording, so analysing it again and its report read it alike."""
    original = _walk(shared_data)
    rows = [line.split(",") for line in original.read_text().splitlines()[1:]]
    text = "clock,A,B,C,P,Q,R\n" + "".join(
        f"{float(r[0]) * 1000:.0f},{float(r[1]) / 9.80665:.6f},{float(r[2]) / 9.80665:.6f},"
        f"{float(r[3]) / 9.80665:.6f},{r[4]},{r[5]},{r[6]}\n"
        for r in rows
    )
    client = app_factory()
    sign_in(client, "paula@home.test")
    refused = _post(client, clinic.patient_a, "logger.csv", text.encode())
    assert refused.status_code == 422
    assert "its columns are: clock, A, B, C, P, Q, R" in refused.text
    _no_flags(refused.text)
    given = {
        "time_column": "clock",
        "time_unit": "ms",
        "acc_columns": "A, B, C",
        "acc_unit": "g",
        "gyr_columns": "P,Q,R",
        "gyr_unit": "deg/s",
    }
    response = _post(client, clinic.patient_a, "logger.csv", text.encode(), **given)
    assert response.status_code == 303, response.text
    assert wait_for_job(client, response.headers["location"]).status_code == 303
    expected = gait.analyze(io.read(original), height_m=1.68, age=52, sex="female").to_dict()
    ((rec_id, meta, result),) = _stored(clinic)
    assert meta["read_options"] == {
        "time_column": "clock",
        "time_unit": "ms",
        "acc_columns": ["A", "B", "C"],
        "gyr_columns": ["P", "Q", "R"],
        "acc_unit": "g",
        "gyr_unit": "deg/s",
    }
    found = [c["time_s"] for c in result["initial_contacts"]]
    assert len(found) == len(expected["initial_contacts"]) >= 10
    assert found == pytest.approx([c["time_s"] for c in expected["initial_contacts"]], abs=0.011)
    page = client.get(f"/patients/{clinic.patient_a}/recordings/{rec_id}")
    assert (
        "Read as the upload said: Name of the time column: clock; Unit of the time column: milliseconds; "
        "Names of the acceleration columns: A, B, C; Acceleration unit: g (1 g is gravity); Names of the "
        "angular-rate columns: P, Q, R; Angular-rate unit: degrees per second." in page.text
    )
    read_again(app_factory, client, clinic.patient_a, rec_id)
    ((_, _, latest),) = _stored(clinic)
    assert [c["time_s"] for c in latest["initial_contacts"]] == found


def test_what_an_earlier_version_kept_is_still_read() -> None:
    """A ticket and a recording from before the form took more than a rate keep that rate."""
    from backstride.web._spool import Ticket
    from backstride.web._uploads import stored_options

    ticket = Ticket.from_json(
        {
            "job_id": "j1",
            "patient_id": 1,
            "user_id": 1,
            "filename": "walk.csv",
            "size_bytes": 10,
            "streamed": False,
            "rate_hz": 100.0,
            "tries": 0,
        }
    )
    assert ticket.options == {"rate_hz": 100.0}

    assert stored_options(SimpleNamespace(metadata_={"rate_hz": 50})) == io.ReadOptions(rate_hz=50.0)
    unknown = SimpleNamespace(
        metadata_={"read_options": {"acc_unit": "furlongs"}}
    )  # not a unit this version reads
    assert stored_options(unknown) == io.ReadOptions()


def test_the_result_page_says_where_the_height_comes_from(shared_data: Path) -> None:
    """Without a height the analysis has no step length; the page says to add it to the profile, never a
    command-line flag (also for an analysis stored by a version whose warning named the flags)."""
    from backstride.web._analysis import result_notes

    result = gait.analyze(io.read(_walk(shared_data)))
    assert gait.HEIGHT_NEEDED in result.warnings
    (note,) = [w for w in result_notes(result, for_patient=True) if gait.HEIGHT_NEEDED in w]
    assert note.endswith("your therapist can add your height to your profile and analyse this walk again")
    older = gait.GaitResult.from_dict(
        {
            **result.to_dict(),
            "warnings": [
                "step length, stride length and walking speed need the body height (--height-m) or the "
                "sensor height (--sensor-height-m)"
            ],
        }
    )
    (note,) = result_notes(older, for_patient=False)
    assert "--height-m" not in note and note.endswith("to their profile, then analyse this recording again")


def test_a_file_read_by_itself_says_nothing_of_the_form(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    response = upload_sample(client, clinic.patient_a)
    done = wait_for_job(client, response.headers["location"])
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert page.status_code == 200 and "steps/min" in page.text
    assert "Read as the upload said" not in page.text
    ((_, meta, _),) = _stored(clinic)
    assert "read_options" not in meta


def test_the_result_page_shows_only_what_the_reader_used() -> None:
    """A phone app's export keeps its own columns and clock: a rate or column names given for it were left aside
    (its reader notes it), so its page does not say it was read with them; a unit given is checked for any
    file and is shown."""
    from backstride.web._reading import described

    options = io.ReadOptions(rate_hz=100.0, time_column="clock", acc_unit="g")
    assert described(options, "csv") == (
        "Samples per second: 100; Name of the time column: clock; Acceleration unit: g (1 g is gravity)"
    )
    assert described(options, "phyphox") == "Acceleration unit: g (1 g is gravity)"
    assert described(io.ReadOptions(rate_hz=100.0), "sensorlogger") is None
    assert described(io.ReadOptions(), "csv") is None


def test_a_refusal_found_while_a_job_reads_names_the_forms_field(shared_data: Path) -> None:
    """A unit found wrong further into a streamed file fails the upload's job (or an analysis again): its
    message names the form's field, as the upload's own check does, not the command line's flag."""
    from backstride import InputError
    from backstride.web._reading import in_the_forms_words

    with pytest.raises(InputError) as caught, in_the_forms_words():
        io.read(_walk(shared_data), acc_unit="g")
    assert str(caught.value) == (
        "the acceleration in imu.csv is declared in g but its median magnitude is 9.62, which is m/s². To read "
        'it, set "Acceleration unit" to m/s² under "How the file is written", and upload it again.'
    )
