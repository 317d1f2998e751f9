"""An interrupted batch (Ctrl-C) stops its cluster, leaves every table whole, and a rerun finishes the job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
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
