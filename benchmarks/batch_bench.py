"""Benchmark of ``backstride batch``: throughput on Dask with 1 and 2 workers, peak memory per worker, and
the cluster's overhead against the plain single-process analysis of the same files.

Run by hand (``.venv/bin/python benchmarks/batch_bench.py [--files 4 --hours 6]``) or from ``make bench``
(which calls :func:`main`). The long recordings are built once from ``../shared/data`` (every reference
recording put end to end, repeated to the length asked, time continuous) under ``bench-out/batch/`` in
the project root, which git ignores.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing as mp
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script or imported from benchmarks/: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._shared import find_shared_data

ROOT = Path(__file__).resolve().parents[1]
SHARED = find_shared_data()
OUT = ROOT / "bench-out" / "batch"
HEADER = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"


def _sources() -> list[Path]:
    files = sorted((SHARED / "lowback-lab").glob("*/imu.csv")) + sorted(
        (SHARED / "lowback-10m").glob("*/imu.csv")
    )
    if not files:
        raise SystemExit(f"no reference recordings under {SHARED} (set BACKSTRIDE_SHARED_DATA)")
    return files


def build_recordings(n_files: int, hours: float, folder: Path) -> list[Path]:
    """``n_files`` recordings of ``hours`` each at 100 Hz, made of the reference recordings end to end.

    Each file starts the sequence at a different recording, so the files differ (and hash differently).
    Files already there with the right length are reused.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sources = _sources()
    blocks = [np.loadtxt(f, delimiter=",", skiprows=1, ndmin=2)[:, 1:] for f in sources]
    n_target = round(hours * 3600 * 100)
    paths = []
    for i in range(n_files):
        path = folder / f"participant-{i + 1:02d}-{hours:g}h.csv"
        paths.append(path)
        if path.is_file() and path.stat().st_size > 0:
            continue
        parts: list[np.ndarray] = []
        n = 0
        k = i * 7
        while n < n_target:
            block = blocks[k % len(blocks)]
            parts.append(block)
            n += block.shape[0]
            k += 1
        data = np.concatenate(parts)[:n_target]
        t = np.arange(n_target) / 100.0
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(HEADER + "\n")
            step = 200_000
            for s in range(0, n_target, step):
                rows = np.column_stack([t[s : s + step], data[s : s + step]])
                np.savetxt(fh, rows, delimiter=",", fmt=["%.2f"] + ["%.5g"] * 6)
        os.replace(tmp, path)
    return paths


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def _plain(
    paths: Sequence[str], stream: bool, chunk_s: float, one_thread: bool
) -> tuple[float, float, float]:
    """In a fresh process: analyse every file one after another; (wall s, recording h, peak RSS MB).

    ``one_thread`` limits pyarrow's CSV parsing to one thread, as in a Dask worker (its nanny sets
    ``OMP_NUM_THREADS=1``, which pyarrow follows), and the engine to one block at a time (the batch's
    workers run it with ``threads=1``), so the comparison is per core.
    """
    if one_thread:
        import pyarrow

        pyarrow.set_cpu_count(1)
    from backstride.gait import analyze, analyze_stream
    from backstride.io import iter_chunks, read

    t0 = time.perf_counter()
    hours = 0.0
    for p in paths:
        threads = 1 if one_thread else 2
        result = (
            analyze_stream(iter_chunks(p, chunk_s=chunk_s), threads=threads)
            if stream
            else analyze(read(p), threads=threads)
        )
        hours += result.recording.duration_s / 3600
    return time.perf_counter() - t0, hours, _peak_rss_mb()


@dataclass
class Row:
    what: str
    workers: int
    wall_s: float
    hours: float
    peak_mb: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.hours / self.wall_s if self.wall_s > 0 else 0.0


def plain_run(paths: Sequence[Path], *, stream: bool, chunk_s: float, one_thread: bool = False) -> Row:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        wall, hours, peak = pool.apply(_plain, ([str(p) for p in paths], stream, chunk_s, one_thread))
    what = (
        f"single process, analyze_stream ({chunk_s:g} s chunks)"
        if stream
        else "single process, analyze(read())"
    )
    if one_thread:
        what += ", 1 thread"
    return Row(what, 1, wall, hours, peak, "analysis loop only, imports excluded")


def cluster_start_s(workers: int) -> float:
    from backstride.batch import dask_client

    t0 = time.perf_counter()
    with dask_client(None, workers) as client:
        client.run(lambda: __import__("backstride.batch._worker"))  # workers import the engine
    return time.perf_counter() - t0


def batch_run(paths: Sequence[Path], *, workers: int, chunk_s: float) -> Row:
    import pyarrow.parquet as pq

    from backstride.batch import BatchRunner

    out = OUT / f"results-{workers}w"
    shutil.rmtree(out, ignore_errors=True)
    runner = BatchRunner(out=out, workers=workers, chunk_s=chunk_s, progress=False).run(
        [str(p) for p in paths]
    )
    s = runner.summary_
    if s.n_failed:
        raise SystemExit(f"benchmark files failed: {s.failures}")
    peak = max(s.worker_peak_rss_bytes.values(), default=0) / 1024 / 1024
    recs = (
        pq.read_table(out / "recordings.parquet", columns=["processing_s"]).column("processing_s").to_pylist()
    )
    note = f"time on the workers {sum(recs):.1f} s in all, {sum(recs) / len(recs):.1f} s per file"
    return Row(
        f"backstride batch, local cluster ({chunk_s:g} s chunks)",
        workers,
        s.wall_s,
        s.recording_hours,
        peak,
        note,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=4, help="long recordings to build (default 4)")
    parser.add_argument("--hours", type=float, default=6.0, help="hours per recording (default 6)")
    parser.add_argument("--chunk-s", type=float, default=3600.0, help="batch chunk length, s (default 3600)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each measurement this many times and keep the fastest (default 1)",
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    paths = build_recordings(args.files, args.hours, OUT / "recordings")
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    print(
        f"{len(paths)} recordings of {args.hours:g} h ({size_mb:.0f} MB of CSV) in {OUT / 'recordings'} "
        f"[ready in {time.perf_counter() - t0:.0f} s]; {os.cpu_count()} CPUs",
        flush=True,
    )

    def best(run: Callable[[], Row]) -> Row:
        return min((run() for _ in range(max(1, args.repeat))), key=lambda r: r.wall_s)

    rows = [
        best(lambda: plain_run(paths, stream=False, chunk_s=args.chunk_s)),
        best(lambda: plain_run(paths, stream=True, chunk_s=args.chunk_s)),
        best(lambda: plain_run(paths, stream=True, chunk_s=args.chunk_s, one_thread=True)),
    ]
    starts = {w: min(cluster_start_s(w) for _ in range(max(1, args.repeat))) for w in args.workers}
    for w in args.workers:
        rows.append(best(functools.partial(batch_run, paths, workers=w, chunk_s=args.chunk_s)))

    base = rows[0].wall_s
    print()
    print(
        f"{'run':58} {'workers':>7} {'wall s':>8} {'rec. h':>7} {'rec-h/s':>8} {'vs plain':>8} {'peak MB':>8}"
    )
    for r in rows:
        print(
            f"{r.what:58} {r.workers:>7} {r.wall_s:>8.1f} {r.hours:>7.1f} {r.rate:>8.2f} "
            f"{r.wall_s / base:>7.2f}x {r.peak_mb:>8.0f}"
        )
    busy = {r.workers: r.note for r in rows if r.what.startswith("backstride batch")}
    print()
    for w, note in busy.items():
        print(f"batch, {w} worker(s): {note}")
    for w, s in starts.items():
        print(f"local cluster of {w} worker(s): start, import the engine on the workers, stop = {s:.1f} s")
    print("peak MB: the process's peak resident memory (for the batch, the largest worker's).")
    print("wall s of the single-process rows is the analysis loop alone; of the batch rows, everything:")
    print("cluster start and stop, hashing, analysis, Parquet writing.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
