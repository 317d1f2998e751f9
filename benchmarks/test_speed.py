"""Tests of the whole-process measurement helpers (parsers and a real measured child; no timing goals)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks import speed as sp

GNU_TIME_SAMPLE = """\
\tCommand being timed: "python3 -c x=bytearray(200_000_000)"
\tUser time (seconds): 0.11
\tSystem time (seconds): 0.16
\tPercent of CPU this job got: 87%
\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:00.31
\tMaximum resident set size (kbytes): 208780
\tExit status: 0
"""


def test_parse_gnu_time_short_run() -> None:
    figures = sp.parse_gnu_time(GNU_TIME_SAMPLE)
    assert figures["peak_rss_kb"] == 208780
    assert figures["wall_s"] == pytest.approx(0.31)
    assert figures["user_s"] == pytest.approx(0.11)
    assert figures["sys_s"] == pytest.approx(0.16)
    assert figures["exit_status"] == 0


def test_parse_gnu_time_hours_and_missing() -> None:
    text = "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03\nExit status: 3\n"
    figures = sp.parse_gnu_time(text)
    assert figures["wall_s"] == pytest.approx(3723.0)
    assert figures["exit_status"] == 3
    assert "peak_rss_kb" not in figures
    assert sp.parse_gnu_time("") == {}
    assert sp.parse_gnu_time("Elapsed (wall clock) time (h:mm:ss or m:ss): 2:05.50")["wall_s"] == 125.5


def test_maxrss_units() -> None:
    assert sp.maxrss_to_mb(1000, "linux") == pytest.approx(1.024)
    assert sp.maxrss_to_mb(2_000_000, "darwin") == pytest.approx(2.0)


@pytest.mark.parametrize("gnu", [True, False])
def test_measure_sees_the_memory_of_the_child(gnu: bool, tmp_path: Path) -> None:
    if gnu and not Path(sp.GNU_TIME).exists():
        pytest.skip("GNU time not installed")
    code = "x = bytearray(150_000_000); x[::4096] = b'1' * len(x[::4096]); print('done')"
    m = sp.measure(
        [sys.executable, "-c", code], timeout_s=30, stdout_path=tmp_path / "o.txt", use_gnu_time=gnu
    )
    assert m.ok and m.returncode == 0
    assert (tmp_path / "o.txt").read_text().strip() == "done"
    assert m.peak_rss_mb is not None and m.peak_rss_mb > 150
    if gnu:  # the fallback also counts the forking parent (pytest), whose size varies with the suite
        assert m.peak_rss_mb < 400
    small = sp.measure([sys.executable, "-c", "pass"], timeout_s=30, use_gnu_time=gnu)
    assert small.peak_rss_mb is not None
    if gnu:  # its own peak, not the largest child's (the wait4 fallback also counts the forking parent)
        assert small.peak_rss_mb < 100


def test_measure_exit_code_and_timeout() -> None:
    failed = sp.measure([sys.executable, "-c", "import sys; sys.exit(3)"], timeout_s=30)
    assert failed.returncode == 3 and not failed.ok
    slow = sp.measure([sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=0.5)
    assert slow.timed_out and not slow.ok and slow.returncode is None
    assert slow.wall_s < 10


def test_median_and_import_time() -> None:
    assert sp.median_of([3.0, 1.0, 2.0]) == 2.0
    assert sp.median_of([]) != sp.median_of([])  # NaN
    times = sp.import_time_s(sys.executable, "json", repeats=2)
    assert len(times) == 2 and all(0 <= t < 5 for t in times)
    with pytest.raises(RuntimeError, match="no_such_module"):
        sp.import_time_s(sys.executable, "no_such_module_xyz", repeats=1)
