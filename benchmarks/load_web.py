"""Load and fault benchmark for the clinic web app and its store (run by hand; not part of pytest).

    .venv/bin/python benchmarks/load_web.py                  # SQLite, and PostgreSQL if configured
    .venv/bin/python benchmarks/load_web.py --db sqlite --seconds 20

What it does, for each database (SQLite in a temporary folder; PostgreSQL when
``BACKSTRIDE_TEST_POSTGRES_URL`` or ``--postgres-url`` is given, in a throw-away schema):

1. **Web load.** Starts ``backstride.web.create_app`` under uvicorn in a subprocess on 127.0.0.1, then 50
   client threads (httpx, loopback only) each sign in as their own patient and post daily walk logs as fast
   as the server answers, until the time is up (60 s by default). Each write carries a unique note; at the
   end the database must hold exactly one log per patient (a day's second write updates it) and that log
   must be the patient's last acknowledged write: nothing lost, nothing duplicated. p50/p99 latency of
   the sign-ins and of the writes.
2. **Store load.** The same with 50 threads calling the store directly (one transaction per write, a new
   day per write), so every acknowledged write must be its own row.
3. **Faults.** A writer process is killed with SIGKILL (a) in the middle of an HTTP upload, (b) while the
   server analyses an accepted upload, and, at the store level, (c) half-way through writing a blob,
   (d) during the analysis, (e) after the rows are flushed but before the commit. After each kill the
   database and the blob folder are checked: integrity, every recording row has its analysis and an intact
   blob (re-hashed), and the orphan blobs / temporary files the crash left are counted, then removed by the
   start-up garbage collector (``store.gc_orphan_blobs``).

Everything is bounded: the clients stop by themselves, servers and child processes are killed by their
own process ids, temporary folders and schemas are removed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script or imported from benchmarks/: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._shared import find_shared_data

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = find_shared_data()
PASSWORD = "walk-more-each-week"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# ------------------------------------------------------------------------------------------- databases
@dataclass
class Database:
    label: str
    url: str
    cleanup: Callable[[], None] = lambda: None


@contextlib.contextmanager
def database(kind: str, folder: Path, postgres_url: str | None) -> Iterator[Database]:
    """A fresh, migrated database: a SQLite file in ``folder`` or a new PostgreSQL schema."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from backstride import store

    if kind == "sqlite":
        url = f"sqlite:///{folder / 'bench.db'}"
        store.upgrade(url)
        yield Database("SQLite", url)
        return
    assert postgres_url is not None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = store.make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    search_path = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    full = search_path.render_as_string(hide_password=False)
    try:
        store.upgrade(full)
        yield Database("PostgreSQL", full)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed_patients(url: str, n: int) -> list[tuple[int, str]]:
    """A clinician and ``n`` patients who can sign in; returns (patient id, e-mail)."""
    from backstride import store
    from backstride._accounts import hash_password

    pw_hash = hash_password(PASSWORD)
    engine = store.make_engine(url)
    out: list[tuple[int, str]] = []
    try:
        with store.transaction(engine) as s:
            clinician = store.create_user(
                s, "pt@bench.org", "Bench Therapist", "clinician", password_hash=pw_hash
            )
            for i in range(n):
                email = f"patient{i:03d}@bench.org"
                p = store.create_patient(
                    s, clinician, email, f"Patient {i:03d}", age=40 + i % 30, sex="female", height_m=1.7
                )
                p.password_hash = pw_hash
                out.append((p.id, email))
    finally:
        engine.dispose()
    return out


# ---------------------------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVER_CODE = textwrap.dedent(
    """
    import sys, uvicorn
    from backstride.web import create_app
    url, blobs, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = create_app(url, blobs, secret_key="benchmark-secret-key-0123456789abcdef")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    """
)


class Server:
    """``create_app`` under uvicorn in a child process on 127.0.0.1."""

    def __init__(self, url: str, blob_dir: Path, log: Path) -> None:
        self.url, self.blob_dir, self.log = url, blob_dir, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> None:
        import httpx

        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", SERVER_CODE, self.url, str(self.blob_dir), str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/signin", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"the server did not answer within {timeout_s} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL, by process id."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def sign_in(client: Any, email: str) -> str:
    """Sign in through the form; return the CSRF token of the signed-in session."""
    page = client.get("/signin")
    match = CSRF_RE.search(page.text)
    if match is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    r = client.post("/signin", data={"email": email, "password": PASSWORD, "csrf_token": match.group(1)})
    if r.status_code != 303:
        raise RuntimeError(f"sign-in failed: HTTP {r.status_code}")
    home = client.get(r.headers["location"], follow_redirects=True)
    match = CSRF_RE.search(home.text)
    if match is None:
        raise RuntimeError(f"no CSRF token after signing in (HTTP {home.status_code} at {home.url})")
    return match.group(1)


# ------------------------------------------------------------------------------------------------ load
@dataclass
class LoadResult:
    label: str
    clients: int
    seconds: float
    sent: int = 0
    acknowledged: int = 0
    failed: int = 0
    rows_expected: int = 0
    rows_stored: int = 0
    lost: int = 0
    duplicated: int = 0
    signin_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def web_load(db: Database, folder: Path, clients: int, seconds: float) -> LoadResult:
    """50 patients sign in and post walk logs to the web app for ``seconds``."""
    import httpx
    from sqlalchemy import func, select

    from backstride import store

    patients = seed_patients(db.url, clients)
    server = Server(db.url, folder / "blobs-web", folder / "server.log")
    server.start()
    result = LoadResult(f"web, {db.label}", clients, seconds)
    lock = threading.Lock()
    last_ack: dict[int, str] = {}
    start_gate = threading.Barrier(clients)
    stop_at = [time.monotonic() + 600.0]
    # the write window opens when every client has signed in (or failed to)
    signed_in = threading.Barrier(clients, action=lambda: stop_at.__setitem__(0, time.monotonic() + seconds))

    def client(pid: int, email: str, k: int) -> None:
        with httpx.Client(base_url=server.base, timeout=120.0) as c:
            start_gate.wait()
            t0 = time.perf_counter()
            try:
                token = sign_in(c, email)
            except Exception as exc:
                with lock:
                    key = f"sign-in: {type(exc).__name__}: {exc}"[:80]
                    result.errors[key] = result.errors.get(key, 0) + 1
                signed_in.wait()
                return
            with lock:
                result.signin_ms.append((time.perf_counter() - t0) * 1000)
            signed_in.wait()
            i = 0
            while time.monotonic() < stop_at[0]:
                i += 1
                note = f"client {k} write {i}"
                form = {
                    "csrf_token": token,
                    "w1_minutes": str(5 + i % 20),
                    "w1_pain_before": str(i % 4),
                    "w1_pain_during": str(i % 5),
                    "w1_pain_after": str(i % 4),
                    "notes": note,
                }
                t = time.perf_counter()
                with lock:
                    result.sent += 1
                try:
                    r = c.post(f"/patients/{pid}/log", data=form)
                    ok = r.status_code == 303
                    why = f"HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    ok, why = False, type(exc).__name__
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    if ok:
                        result.acknowledged += 1
                        result.write_ms.append(ms)
                        last_ack[pid] = note
                    else:
                        result.failed += 1
                        result.errors[why] = result.errors.get(why, 0) + 1

    threads = [
        threading.Thread(target=client, args=(pid, email, k), daemon=True)
        for k, (pid, email) in enumerate(patients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 300)
    server.stop()

    engine = store.make_engine(db.url)
    try:
        with store.transaction(engine) as s:
            rows = list(s.scalars(select(store.DailyLog)))
            result.rows_stored = len(rows)
            result.rows_expected = len(last_ack)
            by_patient: dict[int, list[Any]] = {}
            for row in rows:
                by_patient.setdefault(row.patient_id, []).append(row)
            result.duplicated = sum(len(v) - 1 for v in by_patient.values())
            result.lost = sum(
                1
                for pid, note in last_ack.items()
                if pid not in by_patient or by_patient[pid][-1].log.get("notes") != note
            )
            assert s.scalar(select(func.count()).select_from(store.User)) == clients + 1
    finally:
        engine.dispose()
    return result


def store_load(db: Database, clients: int, seconds: float) -> LoadResult:
    """``clients`` threads, each one patient, one transaction per write (sign-in = look-up by e-mail)."""
    from sqlalchemy import select

    from backstride import store

    patients = seed_patients(db.url, clients)
    engine = store.make_engine(db.url, pool_size=clients, max_overflow=0)
    result = LoadResult(f"store, {db.label}", clients, seconds)
    lock = threading.Lock()
    acked: dict[tuple[int, dt.date], str] = {}
    gate = threading.Barrier(clients)
    start_day = dt.date(2026, 1, 1)
    stop_at = [0.0]

    def worker(pid: int, email: str, k: int) -> None:
        gate.wait()
        t0 = time.perf_counter()
        with store.transaction(engine) as s:
            assert store.get_user_by_email(s, email) is not None
        with lock:
            result.signin_ms.append((time.perf_counter() - t0) * 1000)
        i = 0
        while time.monotonic() < stop_at[0]:
            day = start_day + dt.timedelta(days=i)
            note = f"client {k} write {i}"
            i += 1
            with lock:
                result.sent += 1
            t = time.perf_counter()
            try:
                with store.transaction(engine) as s:
                    store.upsert_log(s, pid, day, {"walks": [{"minutes": 10}], "pain": i % 6, "notes": note})
            except Exception as exc:
                with lock:
                    result.failed += 1
                    result.errors[type(exc).__name__] = result.errors.get(type(exc).__name__, 0) + 1
                continue
            ms = (time.perf_counter() - t) * 1000
            with lock:
                result.acknowledged += 1
                result.write_ms.append(ms)
                acked[(pid, day)] = note

    stop_at[0] = time.monotonic() + seconds
    threads = [
        threading.Thread(target=worker, args=(p, e, k), daemon=True) for k, (p, e) in enumerate(patients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    try:
        with store.transaction(engine) as s:
            rows = list(s.scalars(select(store.DailyLog)))
    finally:
        engine.dispose()
    stored = {(r.patient_id, r.date): r.log.get("notes") for r in rows}
    result.rows_stored = len(rows)
    result.rows_expected = len(acked)
    result.duplicated = len(rows) - len(stored)
    result.lost = sum(1 for key, note in acked.items() if stored.get(key) != note)
    return result


# ---------------------------------------------------------------------------------------------- faults
@dataclass
class FaultResult:
    label: str
    killed_during: str
    recordings: int
    intact: bool
    orphan_blobs: int
    temp_files: int
    removed_by_gc: int
    detail: str = ""


def check_consistency(url: str, blob_dir: Path) -> tuple[int, bool, int, int, str]:
    """(recording rows, all intact, orphan blobs, temporary files, problems) after a crash."""
    from sqlalchemy import func, select, text

    from backstride import store

    engine = store.make_engine(url)
    problems: list[str] = []
    try:
        with store.transaction(engine) as s:
            if engine.dialect.name == "sqlite":
                ok = s.execute(text("PRAGMA integrity_check")).scalar()
                if ok != "ok":
                    problems.append(f"integrity_check: {ok}")
                if s.execute(text("PRAGMA foreign_key_check")).first() is not None:
                    problems.append("foreign key violations")
            recs = list(s.scalars(select(store.RecordingFile)))
            blobs = store.BlobStore(blob_dir)
            for rec in recs:
                n = s.scalar(
                    select(func.count())
                    .select_from(store.GaitAnalysis)
                    .where(store.GaitAnalysis.recording_id == rec.id)
                )
                if not n:
                    problems.append(f"recording {rec.id} has no analysis")
                if not blobs.exists(rec.sha256):
                    problems.append(f"recording {rec.id}: blob missing")
                elif hashlib.sha256(blobs.read(rec.sha256)).hexdigest() != rec.sha256:
                    problems.append(f"recording {rec.id}: blob corrupt")
                elif blobs.path(rec.sha256).stat().st_size != rec.size_bytes:
                    problems.append(f"recording {rec.id}: size differs")
            referenced = store.referenced_blobs(s)
        blobs = store.BlobStore(blob_dir)
        orphans = sum(1 for sha in blobs if sha not in referenced)
        temps = len(list(blob_dir.glob(".incoming-*.tmp"))) if blob_dir.is_dir() else 0
    finally:
        engine.dispose()
    return len(recs), not problems, orphans, temps, "; ".join(problems)


def run_gc(url: str, blob_dir: Path) -> int:
    """What the app should do at start-up: remove blobs no row refers to (nothing is in flight now)."""
    from backstride import store

    engine = store.make_engine(url)
    try:
        with store.transaction(engine) as s:
            return len(store.gc_orphan_blobs(s, store.BlobStore(blob_dir), min_age_s=0))
    finally:
        engine.dispose()


def fault_record(label: str, during: str, url: str, blob_dir: Path) -> FaultResult:
    n, intact, orphans, temps, detail = check_consistency(url, blob_dir)
    removed = run_gc(url, blob_dir)
    n2, intact2, orphans2, temps2, detail2 = check_consistency(url, blob_dir)
    ok = intact and intact2 and n2 == n and orphans2 == 0 and temps2 == 0
    return FaultResult(label, during, n, ok, orphans, temps, removed, detail or detail2)


STORE_WRITER = textwrap.dedent(
    """
    import io, sys, time
    from backstride import store
    from sqlalchemy import event
    url, blob_dir, pid, phase = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    engine = store.make_engine(url)
    blobs = store.BlobStore(blob_dir)

    class Slow(io.RawIOBase):
        # 64 MiB, 64 KiB at a time; announces when it is half-way.
        def __init__(self):
            self.left, self.sent = 64 << 20, 0
        def readable(self):
            return True
        def readinto(self, b):
            if self.left <= 0:
                return 0
            n = min(len(b), 65536, self.left)
            b[:n] = bytes([65 + (self.sent // 65536) % 26]) * n
            self.left -= n
            self.sent += n
            if phase == "blob" and self.sent >= 32 << 20:
                print("READY", flush=True)
                time.sleep(60)
            return n

    def analyze(path):
        if phase == "analysis":
            print("READY", flush=True)
            time.sleep(60)
        return "csv", {"summary": {"total_walking_s": 1.0, "n_bouts": 1}}

    with store.transaction(engine) as s:
        if phase == "commit":
            @event.listens_for(s, "before_commit")
            def _hold(session):
                print("READY", flush=True)
                time.sleep(60)
        data = io.BufferedReader(Slow()) if phase == "blob" else b"time_s,acc_x\\n0,1\\n" * 1000
        store.add_recording(s, blobs, pid, "walk.csv", data, analyze)
    print("DONE", flush=True)
    """
)


def store_faults(db: Database, folder: Path) -> list[FaultResult]:
    """Kill a process using the store at three points of ``add_recording``."""
    from backstride import store

    blob_dir = folder / "blobs-store-faults"
    pid = seed_patients(db.url, 1)[0][0]
    engine = store.make_engine(db.url)
    with store.transaction(engine) as s:  # one good recording first: it must survive every crash
        store.add_recording(
            s, store.BlobStore(blob_dir), pid, "ok.csv", b"time_s\n0\n", lambda p: ("csv", {})
        )
    engine.dispose()
    out = []
    for phase, words in (
        ("blob", "writing a 64 MiB blob"),
        ("analysis", "the analysis"),
        ("commit", "rows flushed, before commit"),
    ):
        proc = subprocess.Popen(
            [sys.executable, "-c", STORE_WRITER, db.url, str(blob_dir), str(pid), phase],
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().strip()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        if line != "READY":
            raise RuntimeError(f"the writer did not reach the {phase} phase (said {line!r})")
        out.append(fault_record(f"store, {db.label}", words, db.url, blob_dir))
    return out


def _recording_count(url: str) -> int:
    from sqlalchemy import func, select

    from backstride import store

    engine = store.make_engine(url)
    try:
        with store.transaction(engine, readonly=True) as s:
            return s.scalar(select(func.count()).select_from(store.RecordingFile)) or 0
    finally:
        engine.dispose()


def _multipart(boundary: str, token: str, filename: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    yield from chunks
    yield f"\r\n--{boundary}--\r\n".encode()


def web_faults(db: Database, folder: Path) -> list[FaultResult]:
    """SIGKILL the server in the middle of an upload, and while it analyses accepted uploads."""
    import httpx

    blob_dir = folder / "blobs-web-faults"
    pid, email = seed_patients(db.url, 1)[0]
    recording = SHARED_DATA / "lowback-lab" / "HA-001-Test11-Trial1" / "imu.csv"
    data = recording.read_bytes()
    out: list[FaultResult] = []

    # (a) half-way through the request body
    server = Server(db.url, blob_dir, folder / "server-faults.log")
    server.start()
    with httpx.Client(base_url=server.base, timeout=30.0) as c:
        token = sign_in(c, email)
        sent = [0]

        def slow() -> Iterator[bytes]:
            for i in range(0, len(data), 16384):
                sent[0] += 1
                if sent[0] == 20:
                    server.kill()
                yield data[i : i + 16384]
                time.sleep(0.01)

        boundary = uuid.uuid4().hex
        with contextlib.suppress(httpx.HTTPError):
            c.post(
                f"/patients/{pid}/recordings",
                content=_multipart(boundary, token, "walk.csv", slow()),
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRF-Token": token},
            )
    server.kill()
    out.append(fault_record(f"web, {db.label}", "upload body half sent", db.url, blob_dir))

    # (b) while accepted uploads are analysed (a few delays, to land in different phases)
    lines = data.rstrip(b"\n").split(b"\n")
    cut = [0]
    for wait in ("0.0 s", "0.5 s", "first commit"):
        server = Server(db.url, blob_dir, folder / "server-faults.log")
        server.start()
        before = _recording_count(db.url)
        with httpx.Client(base_url=server.base, timeout=60.0) as c:
            token = sign_in(c, email)
            for _k in range(3):  # distinct bytes each time, so each upload makes its own blob
                cut[0] += 1  # a few rows fewer each time: distinct bytes, still a valid recording
                body = b"\n".join(lines[: len(lines) - cut[0]]) + b"\n"
                r = c.post(
                    f"/patients/{pid}/recordings",
                    files={"file": ("walk.csv", body, "text/csv")},
                    data={"csrf_token": token},
                    headers={"X-CSRF-Token": token},
                )
                if r.status_code not in (202, 303):
                    raise RuntimeError(f"upload refused: HTTP {r.status_code}: {r.text[:300]}")
        if wait == "first commit":  # kill as soon as one analysis is stored, the others still running
            deadline = time.monotonic() + 120
            while _recording_count(db.url) == before and time.monotonic() < deadline:
                time.sleep(0.05)
        else:
            time.sleep(float(wait.split()[0]))
        server.kill()
        out.append(
            fault_record(f"web, {db.label}", f"analysis: kill {wait} after 3 uploads", db.url, blob_dir)
        )
    # and the server starts again on the same database and blobs
    server = Server(db.url, blob_dir, folder / "server-faults.log")
    server.start()
    server.stop()
    return out


# ---------------------------------------------------------------------------------------------- report
def print_load(results: list[LoadResult]) -> None:
    head = (
        f"{'run':<20} {'clients':>7} {'s':>4} {'sent':>7} {'acked':>7} {'failed':>6} {'rows exp':>8} "
        f"{'rows':>7} {'lost':>5} {'dup':>4} {'signin p50':>10} {'p99':>7} {'write p50':>9} {'p99':>7} {'writes/s':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.label:<20} {r.clients:>7} {r.seconds:>4.0f} {r.sent:>7} {r.acknowledged:>7} {r.failed:>6} "
            f"{r.rows_expected:>8} {r.rows_stored:>7} {r.lost:>5} {r.duplicated:>4} "
            f"{_pct(r.signin_ms, 50):>8.0f}ms {_pct(r.signin_ms, 99):>5.0f}ms "
            f"{_pct(r.write_ms, 50):>7.1f}ms {_pct(r.write_ms, 99):>5.0f}ms {r.acknowledged / r.seconds:>8.1f}"
        )
        if r.errors:
            print(f"    errors: {r.errors}")


def print_faults(results: list[FaultResult]) -> None:
    head = (
        f"{'run':<20} {'killed during':<44} {'recordings':>10} {'orphan blobs':>12} {'tmp files':>9} "
        f"{'gc removed':>10} {'consistent':>10}"
    )
    print(head)
    print("-" * len(head))
    for f in results:
        print(
            f"{f.label:<20} {f.killed_during:<44} {f.recordings:>10} {f.orphan_blobs:>12} {f.temp_files:>9} "
            f"{f.removed_by_gc:>10} {'yes' if f.intact else 'NO':>10}"
        )
        if f.detail:
            print(f"    {f.detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("BACKSTRIDE_TEST_POSTGRES_URL"))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each load run (default 60)")
    parser.add_argument("--skip-web", action="store_true", help="store-level runs only")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 600:
        parser.error("--clients must be 1..200 and --seconds 1..600")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in kinds and not args.postgres_url:
        if args.db == "postgres":
            parser.error("no PostgreSQL URL: set BACKSTRIDE_TEST_POSTGRES_URL or --postgres-url")
        kinds.remove("postgres")
        print("(PostgreSQL skipped: BACKSTRIDE_TEST_POSTGRES_URL not set)")
    loads: list[LoadResult] = []
    faults: list[FaultResult] = []
    for kind in kinds:
        for part in ("web", "store"):
            if part == "web" and args.skip_web:
                continue
            with (
                tempfile.TemporaryDirectory(prefix="backstride-bench-") as tmp,
                database(kind, Path(tmp), args.postgres_url) as db,
            ):
                print(
                    f"... {part} load on {db.label} ({args.clients} clients, {args.seconds:.0f} s)",
                    flush=True,
                )
                if part == "web":
                    loads.append(web_load(db, Path(tmp), args.clients, args.seconds))
                else:
                    loads.append(store_load(db, args.clients, args.seconds))
            with (
                tempfile.TemporaryDirectory(prefix="backstride-bench-") as tmp,
                database(kind, Path(tmp), args.postgres_url) as db,
            ):
                print(f"... {part} faults on {db.label}", flush=True)
                faults.extend(web_faults(db, Path(tmp)) if part == "web" else store_faults(db, Path(tmp)))
    print()
    print_load(loads)
    print()
    print_faults(faults)
    bad = any(r.lost or r.duplicated for r in loads) or any(not f.intact for f in faults)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
