"""An interrupted batch (Ctrl-C) stops its cluster, leaves every table whole, and a rerun finishes the job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from backstride.batch import BatchRunner

# Ctrl-C as at a terminal: a shell starts a background job (`make test &`) with SIGINT ignored, and the batch
# would inherit that and finish its work instead of stopping (Python raises KeyboardInterrupt only where
# SIGINT was not ignored at its start)
SCRIPT = """
import signal
import sys
from backstride.batch import BatchRunner

if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    BatchRunner(out=sys.argv[1], workers=1, checkpoint_s=0.0, progress=False).run(sys.argv[2:])
"""


# the command line, with Ctrl-C not ignored (see SCRIPT)
CLI = """
import signal
import sys
from backstride.cli import main

signal.signal(signal.SIGINT, signal.default_int_handler)
sys.exit(main())
"""


def _rows(out: Path, name: str) -> int:
    # one open file: the batch may replace the table while we look (a read by path could take the old
    # file's size and the new file's bytes)
    with open(out / f"{name}.parquet", "rb") as fh:
        return int(pq.read_table(fh).num_rows)


@pytest.mark.usefixtures("no_leftover_processes")
def test_ctrl_c_keeps_finished_work_and_a_rerun_completes(tmp_path: Path, shared_data: Path) -> None:
    script = tmp_path / "run_batch.py"
    script.write_text(textwrap.dedent(SCRIPT))
    out = tmp_path / "results"
    inputs = [str(shared_data / "lowback-10m")]
    log = tmp_path / "stderr.txt"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(script), str(out), *inputs],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "recordings.parquet").exists() and _rows(out, "recordings") >= 3:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        helpers = [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
        assert helpers  # the local cluster's processes
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in log.read_text(errors="replace")
    running = []
    for pid in helpers:
        try:
            running.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(running, timeout=15)
    assert not alive, f"cluster processes left after Ctrl-C: {alive}"

    # every table is whole and consistent; no temporary file or lock is left
    done = _rows(out, "recordings")
    n_files = len(list((shared_data / "lowback-10m").glob("*/imu.csv")))
    assert 3 <= done < n_files
    for name in ("bouts", "days", "failures"):
        pq.read_table(out / f"{name}.parquet")
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    (run,) = json.loads((out / "manifest.json").read_text())["runs"]
    assert (run["outcome"], run["finished_at"], run["analysed"]) == ("interrupted", None, done)
    assert run["ended_at"] >= run["started_at"]

    summary = BatchRunner(out=out, workers=1, progress=False).run(inputs).summary_
    runs = json.loads((out / "manifest.json").read_text())["runs"]
    assert [r["outcome"] for r in runs] == ["interrupted", "completed"]
    assert summary.n_skipped == done
    assert summary.n_skipped + summary.n_analysed + summary.n_failed == n_files
    recordings = pq.read_table(out / "recordings.parquet").column("recording_id").to_pylist()
    assert len(recordings) == len(set(recordings)) == n_files - summary.n_failed
    bouts = pq.read_table(out / "bouts.parquet", columns=["recording_id", "bout_index"]).to_pylist()
    assert len({(b["recording_id"], b["bout_index"]) for b in bouts}) == len(bouts)  # nothing twice


def _workers_of(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The Dask worker processes ``proc`` has started (Python's resource tracker is not one)."""
    found = []
    for p in psutil.Process(proc.pid).children(recursive=True):
        try:
            if "multiprocessing.spawn" in " ".join(p.cmdline()):
                found.append(p)
        except psutil.Error:
            continue
    return found


def _ctrl_c_at_a_terminal(
    args: list[str], when: Callable[[subprocess.Popen[bytes]], bool], *, kill: bool = False
) -> tuple[int, str]:
    """Run ``backstride ARGS`` as a terminal runs a command (its own process group, Ctrl-C not ignored) and
    press Ctrl-C, i.e. SIGINT to every process of the group, as soon as ``when(process)`` holds (with
    ``kill``: SIGTERM to the command alone, as ``kill PID`` sends it); return the exit code and what it
    wrote on stderr, once every process it started has ended."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    started: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while not when(proc):
            assert proc.poll() is None and time.monotonic() < deadline, (
                "the moment to press Ctrl-C never came"
            )
            time.sleep(0.01)
        started = psutil.Process(proc.pid).children(recursive=True)
        if kill:
            proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _, alive = psutil.wait_procs(started, timeout=15)
    assert not alive, f"processes left after {'SIGTERM' if kill else 'Ctrl-C'}: {alive}"
    return proc.returncode, err.decode("utf-8", errors="replace")


@pytest.mark.parametrize("moment", ["while a worker starts", "while the workers analyse"])
def test_ctrl_c_at_a_terminal_says_one_line_and_no_worker_speaks(
    tmp_path: Path, shared_data: Path, moment: str
) -> None:
    """Ctrl-C reaches every process of the terminal's foreground group: the workers printed tracebacks
    (KeyboardInterrupt, CancelledError) and one caught while starting printed another; only the command
    may speak."""
    out = tmp_path / "results"
    seen: list[float] = []

    def when(proc: subprocess.Popen[bytes]) -> bool:
        if moment == "while a worker starts":  # its process runs, importing; the cluster is not up yet
            if not seen and _workers_of(proc):
                seen.append(time.monotonic())
            return bool(seen) and time.monotonic() - seen[0] > 0.2
        return (out / "recordings.parquet").exists() and _rows(out, "recordings") >= 1

    args = ["batch", str(shared_data / "lowback-10m"), "--out", str(out), "--workers", "2"]
    code, err = _ctrl_c_at_a_terminal([*args, "--no-progress", "--checkpoint-s", "0"], when)
    assert code == 130
    assert err == (
        f"backstride: interrupted; the files finished so far are saved in {out}, run the same command again "
        "to go on\n"
    )


def test_a_ctrl_c_while_the_cluster_starts_or_closes_is_held_and_a_second_acts_at_once() -> None:
    from backstride.batch._cluster import interrupts_held

    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        steps = []
        with pytest.raises(KeyboardInterrupt), interrupts_held():
            signal.raise_signal(signal.SIGINT)
            steps.append("went on")  # the first is held: the block ends its work
        assert steps == ["went on"]
        with pytest.raises(KeyboardInterrupt), interrupts_held():
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)  # the second acts at once
            steps.append("not reached")
        assert steps == ["went on"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_threads_the_cluster_starts_block_ctrl_c_and_this_one_takes_it_back() -> None:
    import threading

    from backstride.batch._cluster import _workers_without_ctrl_c

    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        seen: list[set[int]] = []

        def note_mask() -> None:
            seen.append(set(signal.pthread_sigmask(signal.SIG_BLOCK, set())))

        with _workers_without_ctrl_c():
            thread = threading.Thread(target=note_mask)  # as the cluster's loop thread, which starts workers
            thread.start()
            thread.join()
        assert signal.SIGINT in seen[0]
        assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.mark.usefixtures("no_leftover_processes")
def test_sigterm_saves_what_is_finished_as_ctrl_c_does(tmp_path: Path, shared_data: Path) -> None:
    """SIGTERM (a cluster's time limit, ``timeout``, ``kill``) ended the batch at once: the work since the
    last save lost, the run logged as ``running``, the exit status the signal's. Now it stops as Ctrl-C does:
    what is finished is saved, the run is logged ``interrupted``, one line says so, exit 143; no cluster
    process is left."""
    out = tmp_path / "results"
    args = ["batch", str(shared_data / "lowback-10m"), "--out", str(out), "--workers", "1", "--no-progress"]

    def when(_proc: subprocess.Popen[bytes]) -> bool:
        return (out / "recordings.parquet").exists() and _rows(out, "recordings") >= 3

    code, err = _ctrl_c_at_a_terminal([*args, "--checkpoint-s", "0"], when, kill=True)
    assert code == 143
    assert err == (
        f"backstride: terminated (SIGTERM); the files finished so far are saved in {out}, run the same "
        "command again to go on\n"
    )
    (run,) = json.loads((out / "manifest.json").read_text())["runs"]
    assert (run["outcome"], run["finished_at"]) == ("interrupted", None)
    assert run["analysed"] == _rows(out, "recordings") >= 1


def test_sigterm_is_held_like_ctrl_c_where_the_command_takes_it_as_an_interrupt() -> None:
    from backstride.batch._cluster import interrupts_held
    from backstride.cli._batch import Terminated, _sigterm_as_interrupt

    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with _sigterm_as_interrupt():
            steps = []
            with pytest.raises(Terminated), interrupts_held():
                signal.raise_signal(signal.SIGTERM)
                steps.append("went on")  # held: the block ends its work, then the command's handler acts
            assert steps == ["went on"]
            with pytest.raises(Terminated), interrupts_held():
                signal.raise_signal(signal.SIGINT)
                signal.raise_signal(signal.SIGTERM)  # a second signal acts at once, as itself
                steps.append("not reached")
            with pytest.raises(KeyboardInterrupt), interrupts_held(), interrupts_held():
                signal.raise_signal(signal.SIGTERM)  # held by both blocks (as a result's, around a fetch) ...
                signal.raise_signal(signal.SIGINT)  # ... and a second acts at once through both
                steps.append("not reached")
            with pytest.raises(Terminated), interrupts_held(), interrupts_held():
                signal.raise_signal(signal.SIGTERM)
                steps.append("went on")  # held to the end of the outer block, and raised as itself
            assert steps == ["went on", "went on"]
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGINT, before)
