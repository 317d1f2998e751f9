"""Whole-process measurements: wall time and peak resident memory of a command, bounded in time.

A command runs under ``/usr/bin/time -v`` (GNU time) when it is there, which reports the peak RSS of the
process; otherwise the child is reaped with :func:`os.wait4`, whose ``ru_maxrss`` is that child's own peak
(unlike ``RUSAGE_CHILDREN``, which is the maximum over every child waited for so far). Linux carries the
memory high-water mark of the forking parent across ``exec`` into ``ru_maxrss``, so the fallback reads at
least the harness's own RSS: an upper bound, exact only when the child needs more than the harness. Wall time is taken
around the whole process with :func:`time.perf_counter`, interpreter start-up and imports included.
A command that outlives its time limit is killed with its whole process group.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

GNU_TIME = "/usr/bin/time"


@dataclass
class Measurement:
    """One whole-process run: wall time (s), peak RSS (MB, 10⁶ bytes), exit code and captured output."""

    command: list[str]
    wall_s: float
    peak_rss_mb: float | None
    returncode: int | None
    timed_out: bool = False
    stdout_path: Path | None = None
    stderr_tail: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode == 0


def parse_gnu_time(text: str) -> dict[str, float]:
    """Read the figures of ``/usr/bin/time -v`` output: ``wall_s``, ``peak_rss_kb``, ``user_s``, ``sys_s``.

    The elapsed time is printed as ``h:mm:ss`` or ``m:ss.ss``; missing figures are left out.
    """
    out: dict[str, float] = {}
    m = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", text)
    if m:
        out["peak_rss_kb"] = float(m.group(1))
    m = re.search(r"Elapsed \(wall clock\) time \([^)]*\):\s*([\d:.]+)", text)
    if m:
        seconds = 0.0
        for part in m.group(1).split(":"):
            seconds = seconds * 60.0 + float(part)
        out["wall_s"] = seconds
    for key, label in (("user_s", "User time (seconds)"), ("sys_s", "System time (seconds)")):
        m = re.search(re.escape(label) + r":\s*([\d.]+)", text)
        if m:
            out[key] = float(m.group(1))
    m = re.search(r"Exit status:\s*(\d+)", text)
    if m:
        out["exit_status"] = float(m.group(1))
    return out


def maxrss_to_mb(ru_maxrss: int, platform: str = sys.platform) -> float:
    """``ru_maxrss`` in MB (10⁶ bytes): kilobytes on Linux, bytes on macOS."""
    return ru_maxrss / 1e6 if platform == "darwin" else ru_maxrss * 1024 / 1e6


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def measure(
    command: Sequence[str],
    *,
    timeout_s: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdout_path: Path | None = None,
    use_gnu_time: bool | None = None,
) -> Measurement:
    """Run ``command`` as its own process group and measure it; stdout goes to ``stdout_path`` (a file).

    Output goes to a file, not a pipe, so a large JSON answer neither blocks the child nor fills memory.
    """
    cmd = list(command)
    gnu = (shutil.which(GNU_TIME) is not None) if use_gnu_time is None else use_gnu_time
    own_stdout = stdout_path is None
    out_path = stdout_path or Path(tempfile.mkstemp(prefix="bench-", suffix=".out")[1])
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        time_file = Path(tmp) / "time.txt"
        err_file = Path(tmp) / "stderr.txt"
        full = [GNU_TIME, "-v", "-o", str(time_file), *cmd] if gnu else cmd
        with out_path.open("wb") as out, err_file.open("wb") as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                full, stdout=out, stderr=err, env=dict(env) if env else None, cwd=cwd, start_new_session=True
            )
            deadline = t0 + timeout_s
            status: int | None = None
            rusage = None
            timed_out = False
            while True:
                pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
                if pid == proc.pid:
                    status, rusage = st, ru
                    break
                if time.perf_counter() > deadline:
                    timed_out = True
                    _kill_group(proc)
                    _, st, ru = os.wait4(proc.pid, 0)
                    status, rusage = st, ru
                    break
                time.sleep(0.01)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
        stderr_tail = err_file.read_text(errors="replace")[-2000:]
        figures = parse_gnu_time(time_file.read_text(errors="replace")) if gnu and time_file.exists() else {}
    if figures.get("peak_rss_kb") is not None:
        peak: float | None = figures["peak_rss_kb"] * 1024 / 1e6
    else:
        peak = maxrss_to_mb(rusage.ru_maxrss) if rusage is not None else None
    returncode: int | None = proc.returncode
    if gnu and "exit_status" in figures:
        returncode = int(figures["exit_status"])
    if own_stdout:
        kept: Path | None = None
        out_path.unlink(missing_ok=True)
    else:
        kept = out_path
    return Measurement(
        cmd, wall, peak, None if timed_out else returncode, timed_out, kept, stderr_tail, figures
    )


def median_of(values: Sequence[float]) -> float:
    """The median, or NaN when there is nothing to take it of."""
    return float(statistics.median(values)) if values else float("nan")


def import_time_s(python: str, module: str, repeats: int = 7, timeout_s: float = 60.0) -> list[float]:
    """Time ``import module`` in fresh interpreters (measured inside the child, start-up excluded)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        p = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=timeout_s)
        if p.returncode != 0:
            raise RuntimeError(f"import {module} failed: {p.stderr.strip()[-300:]}")
        times.append(float(p.stdout.strip().splitlines()[-1]))
    return times


def whole_process_times_s(command: Sequence[str], repeats: int = 5, timeout_s: float = 60.0) -> list[float]:
    """Wall times of a short command run ``repeats`` times as a whole process."""
    times = []
    for _ in range(repeats):
        m = measure(command, timeout_s=timeout_s, use_gnu_time=False)
        if not m.ok:
            raise RuntimeError(f"{' '.join(command)} failed: {m.stderr_tail.strip()[-300:]}")
        times.append(m.wall_s)
    return times
