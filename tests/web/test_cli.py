"""``backstride demo --no-serve`` seeds a demo clinic that the app serves."""

from __future__ import annotations

import re
import socket
import warnings
from pathlib import Path

import pytest
from tests.conftest import clinic_db

from backstride.cli import main

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_demo_seeds_and_prints_sign_ins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--no-serve", "--data-dir", str(tmp_path), "--port", "8123"]) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/" in out
    accounts = re.findall(r"(clinician|patient)\s+(\S+@\S+)\s+password: (\S+)", out)
    assert [a[0] for a in accounts] == ["clinician", "patient", "patient"]
    assert (tmp_path / "demo.db").is_file()

    from backstride import store
    from backstride.web import create_app
    from backstride.web._demo import seed_demo

    demo = seed_demo(tmp_path, fresh=False)  # reuses the clinic just made
    with clinic_db(demo.database_url) as s:
        patients = store.all_patients(s)
        assert len(patients) == 2
        for patient in patients:
            assert len(store.recordings_of(s, patient.id)) == 1
            assert len(store.plan_history(s, patient.id)) >= 3
            assert len(store.screenings_of(s, patient.id)) >= 1
            assert len(store.questionnaire_history(s, patient.id)) >= 5

    client = TestClient(
        create_app(demo.database_url, demo.blob_dir, secret_key=demo.secret_key), follow_redirects=False
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
    assert token
    _, email, password = accounts[0]
    signed = client.post("/signin", data={"email": email, "password": password, "csrf_token": token.group(1)})
    assert signed.headers["location"] == "/caseload"
    caseload = client.get("/caseload").text
    assert "Meaningful improvement" in caseload  # Alex improves
    assert "Flare" in caseload  # Sam had a flare
    assert "No log for" in caseload  # and has stopped logging


def test_serve_and_demo_are_registered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "serve" in out and "demo" in out


def test_the_demo_stores_no_time_in_the_future_and_its_plan_versions_in_order(tmp_path: Path) -> None:
    """The weekly reviews are stamped at 08:00 on the day their week begins: seeded before 08:00 on the day
    of the last review, that was a time to come. Seeded for tomorrow, every hour of "today" is to come,
    whatever the clock says when the test runs."""
    import datetime as dt

    from backstride import store
    from backstride.web._demo import seed_demo

    demo = seed_demo(tmp_path, today=dt.date.today() + dt.timedelta(days=1))
    now = dt.datetime.now(dt.UTC)
    with clinic_db(demo.database_url, readonly=True) as s:
        patients = [store.get_user_by_email(s, a.email) for a in demo.accounts if a.role == "patient"]
        for patient in patients:
            assert patient is not None
            versions = store.plan_history(s, patient.id)
            stamps = [v.created_at.replace(tzinfo=v.created_at.tzinfo or dt.UTC) for v in versions]
            assert len(stamps) >= 3 and stamps == sorted(stamps) and stamps[-1] <= now
            rows = [
                *store.screenings_of(s, patient.id),
                *store.questionnaire_history(s, patient.id),
                *store.notes_of(s, patient.id),
            ]
            for row in rows:
                assert row.created_at.replace(tzinfo=row.created_at.tzinfo or dt.UTC) <= now
            for rec in store.recordings_of(s, patient.id):
                assert rec.uploaded_at.replace(tzinfo=rec.uploaded_at.tzinfo or dt.UTC) <= now
            # pains in whole points, as the 0-10 scale and the log form take them (a form pre-filled with
            # 3.4 could not be saved again; 0.40000000000000036 reached the FHIR export)
            logs = store.logs_between(s, patient.id, dt.date(2000, 1, 1), dt.date.today())
            pains = [
                v
                for row in logs
                for v in (
                    row.log.get("next_morning_pain"),
                    *(w[k] for w in row.log["walks"] for k in ("pain_before", "pain_during", "pain_after")),
                )
                if v is not None
            ]
            assert len(pains) > 50 and all(float(v).is_integer() for v in pains)


@pytest.mark.parametrize(
    ("env", "words"),
    [
        (
            {"BACKSTRIDE_MAX_UPLOAD_MB": "two hundred"},
            "BACKSTRIDE_MAX_UPLOAD_MB must be a positive number of megabytes, got 'two hundred'",
        ),
        (
            {"BACKSTRIDE_MAX_UPLOAD_MB": "-5"},
            "BACKSTRIDE_MAX_UPLOAD_MB must be a positive number of megabytes, got '-5'",
        ),
        (
            {"BACKSTRIDE_PUBLIC_URL": "clinic.example.org"},
            "the public address must be an http or https address",
        ),
    ],
)
def test_serve_refuses_a_setting_it_cannot_use_in_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    words: str,
) -> None:
    """A clinic's setting that is no number or no address was once replaced by the default without a word
    (the upload limit); now the server does not start, and says which setting and why."""
    import uvicorn

    from backstride.cli import main

    def started(*args: object, **kwargs: object) -> None:
        pytest.fail("the server started")

    monkeypatch.setattr(uvicorn.Server, "run", started)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(
        [
            "serve",
            "--database-url",
            f"sqlite:///{tmp_path / 'clinic.db'}",
            "--blob-dir",
            str(tmp_path / "blobs"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("backstride: error: ") and words in err and len(err.splitlines()) == 1
    assert not (tmp_path / "blobs").exists()


def test_serve_hands_its_proxy_settings_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    ran: dict[str, object] = {}

    def run(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
        config = server.config
        ran.update(
            forwarded_allow_ips=config.forwarded_allow_ips,
            settings=config.app.state.backstride.settings,  # type: ignore[attr-defined]
            port=sockets[0].getsockname()[1],
        )

    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.delenv("BACKSTRIDE_PUBLIC_URL", raising=False)
    args = [
        "serve",
        "--database-url",
        f"sqlite:///{tmp_path / 'clinic.db'}",
        "--blob-dir",
        str(tmp_path / "b"),
        "--port",
        "0",
    ]
    assert (
        main([*args, "--public-url", "https://clinic.example.org/", "--forwarded-allow-ips", "10.0.0.2"]) == 0
    )
    assert ran["forwarded_allow_ips"] == "10.0.0.2"
    assert ran["settings"].public_url == "https://clinic.example.org"  # type: ignore[attr-defined]
    assert main(args) == 0
    assert ran["forwarded_allow_ips"] == "127.0.0.1"  # uvicorn's own default, said
    assert ran["settings"].public_url is None  # type: ignore[attr-defined]
    # the port the system chose for --port 0, as the server got it
    assert f"backstride is running at http://127.0.0.1:{ran['port']}/" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_port_in_use_is_one_line_before_anything_says_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """Before, "backstride is running at ..." was printed (the demo clinic seeded too) and then uvicorn logged
    "[Errno 98] address already in use" and exited: the address is taken first now."""
    import uvicorn

    from backstride.cli import main

    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: pytest.fail("the server started"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        where = (
            ["--data-dir", str(tmp_path / "demo")]
            if command == "demo"
            else ["--blob-dir", str(tmp_path / "b")]
        )
        if command == "serve":
            where += ["--database-url", f"sqlite:///{tmp_path / 'clinic.db'}"]
        assert main([command, "--port", port, *where]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"backstride: error: cannot listen on 127.0.0.1:{port}: another program (perhaps another backstride) "
        "is listening there; stop it or give another --port\n"
    )
    assert not (tmp_path / "demo").exists()


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("not a host", "'not a host' is not an address or a name this computer knows"),
        ("192.0.2.1", "192.0.2.1 is not an address of this computer"),  # TEST-NET-1: nobody's address
    ],
)
def test_serve_on_a_host_that_is_not_this_computers_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    host: str,
    words: str,
) -> None:
    import uvicorn

    from backstride.cli import main

    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: pytest.fail("the server started"))
    code = main(
        [
            "serve",
            "--host",
            host,
            "--database-url",
            f"sqlite:///{tmp_path / 'c.db'}",
            "--blob-dir",
            str(tmp_path),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert (
        err.startswith(f"backstride: error: cannot listen on {host}:8000: {words}")
        and len(err.splitlines()) == 1
    )


def test_serve_answers_on_the_port_it_says(tmp_path: Path) -> None:
    """A real server on the bound socket: started as a process, it answers at the address it printed."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    command = [sys.executable, "-m", "backstride", "serve", "--port", "0", "--database-url"]
    command += [f"sqlite:///{tmp_path / 'c.db'}", "--blob-dir", str(tmp_path / "b")]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        address = re.search(r"running at (http://127\.0\.0\.1:\d+/)", line)
        assert address, line
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(address.group(1) + "signin", timeout=5) as reply:
                    assert reply.status == 200 and b"Sign in" in reply.read()
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)  # and its output pipe closed
