"""An upload cut off half-way (the connection closed before the body it announced has all come): nothing is
kept, no file is left in the spool, and the server does not take it for a failure of its own (no error
logged with a traceback, no 500)."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import pytest
from tests.web.conftest import Clinic, recordings_kept, serving, sign_in

from backstride import io


def test_an_upload_cut_off_half_way_keeps_nothing_and_is_no_server_error(
    client: Any, clinic: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    sign_in(client, "paula@home.test")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    sample = io.sample_path().read_bytes()
    boundary = "cutoffboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{client.csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="walk.csv.gz"\r\n'
        "Content-Type: application/gzip\r\n\r\n"
    ).encode()
    body = head + sample[: len(sample) // 2]
    caplog.set_level(logging.INFO)
    with serving(client.app) as base:
        host, port = base.removeprefix("http://").split(":")
        request = (
            f"POST /patients/{clinic.patient_a}/recordings HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(head) + len(sample) + 1000}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(request + body)
            time.sleep(0.5)
        time.sleep(1.0)  # the server notices the closed connection
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, [r.getMessage() for r in failures]
    assert any("cut off" in r.getMessage() for r in caplog.records)
    assert recordings_kept(clinic) == 0
    spool = clinic.blob_dir / ".uploads"
    assert not spool.exists() or not any(spool.iterdir())
