"""pyarrow lets go of the Python row handler of a CSV read before the read returns.

pyarrow frees a finished CSV reader on one of its own threads and so lets go of the Python row handler, which
takes the GIL; when Python was already shutting down by then (a command stopping at once on an error found in
the rows just read), the process aborted: "terminate called without an active exception", exit 134, after the
error's own line (1 to 2 runs in 90 on a busy machine, 20 in 90 with a garbage collection before the exit).
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backstride.io import _csv
from backstride.io._actilife import iter_actilife_raw
from backstride.io._csv import read_csv_raw
from backstride.io._csvlayout import RowHandler

LAB = "lowback-lab/HA-001-Test11-Trial1/imu.csv"


def test_every_read_returns_only_once_pyarrow_has_let_go_of_its_row_handler(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone: list[bool] = []
    let_go = RowHandler.let_go

    def watched(self: RowHandler) -> None:
        let_go(self)
        gone.append(self._gone() is None)

    monkeypatch.setattr(RowHandler, "let_go", watched)
    read_csv_raw(shared_data / LAB)  # whole, on all cores
    assert gone == [True]
    monkeypatch.setattr(_csv, "WHOLE_READ_MAX_BYTES", 0)  # streamed, block by block
    blocks = list(_csv.iter_csv_raw(shared_data / LAB, block_bytes=1 << 16))
    assert len(blocks) > 1 and gone == [True, True]
    export = shared_data / "devices/actigraph_gt3x/readgt3x_TAS1H30182785_2019-09-17.csv.gz"
    assert sum(b.time_s.size for b in iter_actilife_raw(export, block_samples=50_000)) > 0
    assert gone == [True, True, True]


def test_a_command_that_stops_on_an_error_in_the_rows_just_read_exits_2_not_134(
    shared_data: Path, tmp_path: Path
) -> None:
    lines = (shared_data / LAB).read_text().splitlines()
    cells = lines[3001].split(",")
    cells[0] = str(float(cells[0]) - 5)  # time goes backwards on line 3002
    lines[3001] = ",".join(cells)
    bad = tmp_path / "back.csv"
    bad.write_text("\n".join(lines) + "\n")
    # a garbage collection just before the exit widened the window tenfold
    code = (
        "import gc, sys; from backstride.cli import main; c = main(['analyze', sys.argv[1]]); gc.collect(); "
        "sys.exit(c)"
    )

    def run(_: int) -> tuple[int, str]:
        done = subprocess.run([sys.executable, "-c", code, str(bad)], capture_output=True, text=True)
        return done.returncode, done.stderr

    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(run, range(12)))
    for returncode, stderr in outcomes:
        assert returncode == 2, stderr
        assert stderr == (
            "backstride: error: back.csv: time goes backwards on line 3002 (25.000 s after 29.990 s); the rows "
            "are out of order\n"
        )
