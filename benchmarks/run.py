"""``make bench``: accuracy, speed and memory of backstride against mobgap, on the same data, in one run.

Sections (``--sections`` picks some; all by default):

1. ``accuracy``: the official scorer ``../shared/tools/eval_gait.py`` with backstride's runner and mobgap's
   (``peers/mobgap_runner.py`` in ``.venv-bench``) on ``lowback-lab``, backstride on ``lowback-10m``, and
   both again on randomly rotated copies (``bench-out/rotated/``).
2. ``speed``: whole-process wall time and peak RSS of ``backstride analyze FILE --json`` and of mobgap's
   pipeline on the same 2-hour recording, and their ratio.
3. ``long``: a 24-hour and a 7-day recording (real signals end to end), analysed whole-process, next to the
   time pyarrow needs only to read the same CSV.
4. ``import``: ``import backstride`` in a fresh interpreter (median) and ``backstride --help``.
5. ``batch``: ``benchmarks/batch_bench.py:main`` when it exists.
6. ``robustness``: backstride in-process (``benchmarks/accuracy.py``, the same scoring rules) on the
   reference recordings changed the way other people, sensors and phones differ: rotated, resampled to 50
   and 20 Hz, with the trunk's movement scaled to 0.3×, turned round halfway, handled at both ends (a phone
   put on and taken off), time-warped into a limp or
   into step times that vary at random, worn aside, measured by a noisier, uncalibrated or coarser sensor,
   written as phone apps export them;
   and how often the feet are named right, and the trunk lean against the lab's known sensor axes.
7. ``devices``: 24-hour and 7-day Axivity ``.cwa``, ActiGraph ``.gt3x`` and GENEActiv ``.bin`` files made
   from real short ones (``benchmarks/devices.py``, cached in ``bench-out/devices/``): ``backstride analyze``
   whole-process (the long-recording goals), and reading only, whole-process, by backstride
   (``io.iter_chunks``) and by the peers in ``.venv-bench`` (scikit-digital-health, pygt3x, actipy).
8. ``clinic``: the clinician's caseload for 100 patients whose plans were last opened 1 and 26 weeks ago
   (``benchmarks/clinic_bench.py``): wall time and database statements.

Every step is bounded in time; a failure is reported in its table and the run goes on. Inputs are cached in
``bench-out/``; the figures are written to ``bench-out/figures.json``. See ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if __package__ in (None, ""):  # run as a script (``python benchmarks/run.py``): make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import datasets, devices, speed

ROOT = datasets.ROOT
SHARED = datasets.SHARED_DATA
TOOLS = SHARED.parent / "tools"
EVAL_GAIT = TOOLS / "eval_gait.py"
BACKSTRIDE_RUNNER = TOOLS / "backstride_runner.sh"
BACKSTRIDE = ROOT / ".venv" / "bin" / "backstride"
PYTHON = ROOT / ".venv" / "bin" / "python"
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
MOBGAP_RUNNER = Path(__file__).resolve().parent / "peers" / "mobgap_runner.py"
SECTIONS = ("accuracy", "speed", "long", "import", "batch", "robustness", "devices", "clinic")
# (label, keyword arguments of benchmarks.accuracy.score_dataset)
VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("as recorded", {}),
    ("randomly rotated", {"rotate": True}),
    ("resampled to 50 Hz", {"rate_hz": 50.0}),
    ("resampled to 20 Hz", {"rate_hz": 20.0}),
    ("movement scaled to 0.3x (slow, cautious walker)", {"amplitude": 0.3}),
    ("turned round halfway (phone put back another way)", {"reorient": True}),
    ("a phone handled at both ends (held 3 s, put on over 2 s; taken off alike)", {"handle": 0.0}),
    ("the same, with 5 s of standing still before and after the walk", {"handle": 5.0}),
    ("time-warped into a limp (steps 1.2x / 0.8x)", {"limp": 0.2}),
    ("time-warped into a limp (steps 1.3x / 0.7x)", {"limp": 0.3}),
    ("step times varied at random (CV +10 %, as in impaired gait)", {"irregular_cv": 0.1}),
    ("step times varied at random (CV +20 %, beyond most)", {"irregular_cv": 0.2}),
    ("played 1.5x slower (cadence ~70 steps/min)", {"slow": 1.5}),
    ("played 2x slower (cadence ~52 steps/min)", {"slow": 2.0}),
    ("played 1.25x faster (cadence ~130 steps/min)", {"slow": 0.8}),
    (
        "played 1.25x faster, movement scaled to 0.3x (short, shuffling steps)",
        {"slow": 0.8, "amplitude": 0.3},
    ),
    ("played 2x slower, movement scaled to 0.5x (a slow, guarded walker)", {"slow": 2.0, "amplitude": 0.5}),
    (
        "played 2x slower, movement scaled to 0.3x (as quiet as standing)",
        {"slow": 2.0, "amplitude": 0.3},
    ),
    ("worn 15 cm to the side of the spine (a phone on the belt's side)", {"displace": (0.0, 0.15)}),
    ("worn 10 cm lower and 10 cm to the side (a low belt pouch)", {"displace": (0.1, 0.1)}),
    ("a noisy sensor (white noise 0.2 m/s² per axis, 15x a phone's)", {"sensor": {"noise_mps2": 0.2}}),
    (
        "an uncalibrated sensor (each axis off by up to ±1 m/s², the gyroscope's by ±5 deg/s)",
        {"sensor": {"offset_mps2": 1.0, "gyro_offset_dps": 5.0}},
    ),
    (
        "a coarse sensor (±2 g range at 8 bits: clipped, steps of 0.15 m/s²)",
        {"sensor": {"range_g": 2.0, "bits": 8}},
    ),
    ("phyphox export (turned, 200 Hz phone clock)", {"rotate": True, "app": "phyphox"}),
    ("phyphox Excel export (turned, 200 Hz, the app's default)", {"rotate": True, "app": "phyphox-xlsx"}),
    ("Sensor Logger, Android (turned, 200 Hz, gyroscope)", {"rotate": True, "app": "sensorlogger-android"}),
    ("Sensor Logger, iOS (turned, 100 Hz, gravity apart)", {"rotate": True, "app": "sensorlogger-ios"}),
    ("Sensor Logger, iOS, its JSON export (turned, 100 Hz)", {"rotate": True, "app": "sensorlogger-json"}),
    (
        "Sensor Logger, Android, its SQLite export (turned, 200 Hz, gyroscope)",
        {"rotate": True, "app": "sensorlogger-sqlite"},
    ),
    ("SensorLog, iOS CSV (turned, 100 Hz, Core Motion's sign)", {"rotate": True, "app": "sensorlog"}),
    (
        "MetaBase, a MetaWear sensor's files (turned, 100 Hz, g to 3 decimals, gyroscope)",
        {"rotate": True, "app": "metabase"},
    ),
    (
        "Movella DOT, sensor fusion (turned, 60 Hz, Euler angles and free acceleration, no gyroscope)",
        {"rotate": True, "app": "movella-dot"},
    ),
)

GOAL_SPEEDUP = 50.0
GOAL_DAY_S, GOAL_DAY_MB = 10.0, 1500.0
GOAL_WEEK_S, GOAL_WEEK_MB = 60.0, 3000.0
GOAL_IMPORT_S = 0.5
# Reading the CSV alone, as a reference for the analysis: the whole table at once, and streamed in blocks.
READ_WHOLE = "import sys, pyarrow.csv as c; print(c.read_csv(sys.argv[1]).num_rows)"
READ_STREAM = "import sys, pyarrow.csv as c; print(sum(b.num_rows for b in c.open_csv(sys.argv[1])))"
MOBGAP_REFERENCE = "mobgap measured 36.6 s / 460 MB on this machine when the issue was written"
# Reading a logger's file only (whole process), each printing ``samples: N``: backstride streams it in
# chunks as ``analyze`` does; the peers (``.venv-bench``) read it whole as their documentation shows.
READ_BACKSTRIDE = (
    "import sys; from backstride import io; "
    "print('samples:', sum(c.n_samples for c in io.iter_chunks(sys.argv[1])))"
)
READ_SKDH = (
    "import sys, skdh.io; r = skdh.io.{}().predict(file=sys.argv[1]); print('samples:', len(r['time']))"
)
READ_PYGT3X = (
    "import sys; from pygt3x.reader import FileReader\n"
    "with FileReader(sys.argv[1]) as f: print('samples:', len(f.to_pandas()))"
)
READ_ACTIPY = (
    "import sys, actipy; d, _ = actipy.read_device(sys.argv[1], lowpass_hz=None, calibrate_gravity=False, "
    "detect_nonwear=False, resample_hz=None, verbose=False); print('samples:', len(d))"
)
DEVICE_PEERS: dict[str, tuple[tuple[str, str], ...]] = {
    "axivity": (("skdh ReadCwa", READ_SKDH.format("ReadCwa")), ("actipy", READ_ACTIPY)),
    "actigraph": (("pygt3x FileReader", READ_PYGT3X), ("actipy", READ_ACTIPY)),
    "geneactiv": (("skdh ReadBin", READ_SKDH.format("ReadBin")), ("actipy", READ_ACTIPY)),
}

console = Console(width=120)


# --------------------------------------------------------------------------------------------- helpers
class Summary:
    """The final table: one row per figure with its goal, what was measured and whether it passes."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, name: str, goal: str, measured: str, passed: bool | None) -> None:
        self.rows.append({"figure": name, "goal": goal, "measured": measured, "pass": passed})

    def table(self) -> Table:
        t = Table(title="Summary")
        for col in ("figure", "goal", "measured", "pass"):
            t.add_column(col)
        for r in self.rows:
            mark = {True: "[green]yes[/]", False: "[red]NO[/]", None: "—"}[r["pass"]]
            t.add_row(r["figure"], r["goal"], r["measured"], mark)
        return t


def fmt(value: Any, digits: int = 3) -> str:
    """A figure for a table: numbers rounded, missing values as an en dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b`` when both are there and ``b`` is not zero."""
    if a is None or b is None or b == 0:
        return None
    return a / b


def backstride_analyze_available() -> bool:
    """Whether the CLI has the ``analyze`` command (written in parallel; absent in early trees)."""
    if not BACKSTRIDE.exists():
        return False
    p = subprocess.run([str(BACKSTRIDE), "analyze", "--help"], capture_output=True, text=True, timeout=60)
    return p.returncode == 0


def mobgap_available() -> bool:
    """Whether ``.venv-bench`` holds mobgap (``make bench`` installs it there)."""
    if not BENCH_PYTHON.exists():
        return False
    code = "import importlib.util, sys; sys.exit(importlib.util.find_spec('mobgap') is None)"
    return subprocess.run([str(BENCH_PYTHON), "-c", code], capture_output=True, timeout=60).returncode == 0


def runner_command(engine: str) -> str:
    if engine == "backstride":
        return shlex.quote(str(BACKSTRIDE_RUNNER))
    return f"{shlex.quote(str(BENCH_PYTHON))} {shlex.quote(str(MOBGAP_RUNNER))}"


def score(engine: str, data_dir: Path, timeout_s: float) -> dict[str, Any]:
    """Run ``eval_gait.py`` with an engine's runner on one data folder; its figures, or an ``error``."""
    env = {**os.environ, "BACKSTRIDE": str(BACKSTRIDE), "PYTHONWARNINGS": "ignore"}
    cmd = [sys.executable, str(EVAL_GAIT), runner_command(engine), str(data_dir)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"scorer timed out after {timeout_s:.0f} s"}
    lines = p.stdout.strip().splitlines()
    try:
        figures: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": f"scorer failed (rc={p.returncode}): {p.stderr.strip()[-300:]}"}
    failures = [line for line in lines[:-1] if "FAILED" in line]
    if failures:
        figures["first_failure"] = failures[0][:300]
    return figures


def analyse_command(file: Path, meta_path: Path) -> list[str]:
    """``backstride analyze FILE --json`` with the participant's height (and sensor height) when known."""
    meta = json.loads(meta_path.read_text())
    cmd = [str(BACKSTRIDE), "analyze", str(file), "--json"]
    if meta.get("height_m"):
        cmd += ["--height-m", str(meta["height_m"])]
    if meta.get("sensor_height_m"):
        cmd += ["--sensor-height-m", str(meta["sensor_height_m"])]
    return cmd


def run_measured(name: str, command: Sequence[str], timeout_s: float, out_dir: Path) -> dict[str, Any]:
    """Measure one whole process; check its stdout is an analysis (JSON) and count what it found."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stdout = out_dir / f"{name}.out"
    load = os.getloadavg()[0]
    m = speed.measure(command, timeout_s=timeout_s, stdout_path=stdout)
    cpu = m.extra.get("user_s", 0.0) + m.extra.get("sys_s", 0.0) if "user_s" in m.extra else None
    res: dict[str, Any] = {
        "wall_s": round(m.wall_s, 3),
        "cpu_s": None if cpu is None else round(cpu, 2),
        "peak_rss_mb": None if m.peak_rss_mb is None else round(m.peak_rss_mb, 1),
        "load_1min_before": round(load, 2),
        "ok": m.ok,
    }
    if load > 2 * (os.cpu_count() or 1):
        console.print(
            f"[yellow]{name}: load average {load:.1f} on {os.cpu_count()} CPUs: wall times inflated[/]"
        )
    if m.timed_out:
        res["error"] = f"timed out after {timeout_s:.0f} s"
    elif m.returncode != 0:
        res["error"] = f"exit {m.returncode}: {m.stderr_tail.strip()[-300:]}"
    else:
        text = stdout.read_text(errors="replace")
        try:
            out = json.loads(text)
        except json.JSONDecodeError:
            out = None
            res["output"] = text.strip()[-200:]
        if isinstance(out, dict):
            res["walking_bouts"] = len(out.get("walking_bouts", []))
            res["initial_contacts"] = len(out.get("initial_contacts", []))
    stdout.unlink(missing_ok=True)
    return res


def measured_text(res: dict[str, Any] | None) -> str:
    if not res:
        return "not run"
    if res.get("error"):
        return f"failed: {str(res['error'])[:70]}"
    return f"{res['wall_s']:.2f} s, {fmt(res['peak_rss_mb'])} MB"


# --------------------------------------------------------------------------------------------- sections
ACC_ROWS = (
    ("recordings scored", "recordings"),
    ("runner failures", "failed"),
    ("bouts matched / reference", None),
    ("bouts detected", "wb_det"),
    ("walking speed MAE (m/s)", "walking_speed_mae_mps"),
    ("cadence MAE (steps/min)", "cadence_mae_spm"),
    ("stride length MAE (m)", "stride_length_mae_m"),
    ("initial contact F1", "ic_f1"),
    ("initial contact timing MAE (s)", "ic_timing_mae_s"),
    ("step count |error|, median", "step_count_abs_err_median"),
    ("scorer wall time (s)", "wall_s"),
)


def accuracy_table(title: str, results: dict[str, dict[str, Any]]) -> Table:
    engines = list(results)
    t = Table(title=title)
    t.add_column("figure")
    for e in engines:
        t.add_column(e, justify="right")
    if len(engines) == 2:
        t.add_column(f"{engines[0]} / {engines[1]}", justify="right")
    for label, key in ACC_ROWS:
        vals: list[Any] = []
        for e in engines:
            r = results[e]
            if "error" in r:
                vals.append(None)
            elif key is None:
                vals.append(f"{r.get('wb_matched')} / {r.get('wb_ref')}")
            else:
                vals.append(r.get(key))
        if all(v is None for v in vals):
            continue
        row = [label, *(fmt(v) for v in vals)]
        if len(engines) == 2:
            a, b = vals
            row.append(fmt(ratio(a, b)) if isinstance(a, float) and isinstance(b, float) else "")
        t.add_row(*row)
    for e in engines:
        if "error" in results[e]:
            t.add_row(f"[red]{e} failed[/]", *([""] * (len(t.columns) - 1)))
            console.print(f"[red]{e}: {results[e]['error']}[/]")
        elif results[e].get("first_failure"):
            console.print(f"[yellow]{e}: {results[e]['first_failure']}[/]")
    return t


def section_accuracy(args: argparse.Namespace, figures: dict[str, Any], summary: Summary) -> None:
    engines = [e for e, ok in (("backstride", args.has_backstride), ("mobgap", args.has_mobgap)) if ok]
    if not engines:
        console.print("[red]accuracy: neither backstride analyze nor mobgap is available[/]")
        return
    rotated_root = args.out / "rotated"
    sets = {
        "lowback-lab": (SHARED / "lowback-lab", engines),
        "lowback-10m": (SHARED / "lowback-10m", [e for e in engines if e == "backstride"]),
    }
    with console.status("building rotated copies"):
        for name in ("lowback-lab", "lowback-10m"):
            rotated = datasets.build_rotated_set(SHARED / name, rotated_root)
            sets[f"{name} rotated"] = (rotated, sets[name][1])
    acc: dict[str, Any] = figures.setdefault("accuracy", {})
    # The scorer runs one process per recording, one after the other; the sets are scored side by side
    # (``--jobs``), longest first. The scores do not depend on it; the scorer's own wall time does.
    jobs = [(label, folder, engine) for label, (folder, who) in sets.items() for engine in who]
    jobs.sort(key=lambda j: ("10m" not in j[0], j[0]))

    def one(job: tuple[str, Path, str]) -> dict[str, Any]:
        label, folder, engine = job
        t0 = time.perf_counter()
        res = score(engine, folder, args.timeout_eval)
        console.log(f"scored {engine} on {label} in {time.perf_counter() - t0:.0f} s")
        return res

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {
            (label, engine): pool.submit(one, (label, folder, engine)) for label, folder, engine in jobs
        }
        for label, (folder, who) in sets.items():
            if not who:
                continue
            results = {engine: futures[(label, engine)].result() for engine in who}
            acc[label] = results
            console.print(accuracy_table(f"Accuracy on {label} ({folder})", results))
    for label, key, better in (
        ("lowback-lab", "ic_f1", "higher"),
        ("lowback-lab", "walking_speed_mae_mps", "lower"),
        ("lowback-lab rotated", "ic_f1", "higher"),
        ("lowback-10m", "ic_f1", "higher"),
        ("lowback-10m rotated", "ic_f1", "higher"),
        ("lowback-10m", "step_count_abs_err_median", "lower"),
    ):
        for engine, res in acc.get(label, {}).items():
            if "error" not in res:
                summary.add(
                    f"{label}: {key} ({engine})", f"info ({better} is better)", fmt(res.get(key)), None
                )
    for label in ("lowback-lab", "lowback-lab rotated"):
        for engine, res in acc.get(label, {}).items():
            if "error" not in res:
                summary.add(
                    f"{label}: bouts matched ({engine})", "info", f"{res['wb_matched']}/{res['wb_ref']}", None
                )


def _best_runs(
    engines: dict[str, tuple[int, str, list[str], float]], work: Path
) -> dict[str, dict[str, Any]]:
    """Each engine's command (``repeats, what, command, timeout``) measured ``repeats`` times as whole processes,
    the engines' runs taking turns (backstride, mobgap, backstride, ...) so a change in the shared machine's
    load falls on both; per engine the fastest good run, with every run's wall time."""
    counts = {name: max(spec[0], 1) for name, spec in engines.items()}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in engines}
    for i in range(max(counts.values(), default=0)):
        for name, (_, what, command, timeout) in engines.items():
            if i < counts[name]:
                with console.status(f"{what} (run {i + 1} of {counts[name]})"):
                    runs[name].append(run_measured(f"{name}-2h-{i + 1}", command, timeout, work))
    best: dict[str, dict[str, Any]] = {}
    for name, done in runs.items():
        ok = [r for r in done if not r.get("error")]
        best[name] = dict(min(ok, key=lambda r: r["wall_s"]) if ok else done[-1])
        best[name]["runs_wall_s"] = [r.get("wall_s") for r in done]
    return best


def section_speed(args: argparse.Namespace, figures: dict[str, Any], summary: Summary) -> None:
    with console.status("building the 2-hour recording"):
        csv, meta = datasets.build_two_hour(args.out)
    work = args.out / "runs"
    res: dict[str, Any] = {"file": str(csv), "rows": _rows(csv)}
    # each engine's best run is kept: one slow run of either (the machine is shared) does not set the ratio
    engines: dict[str, tuple[int, str, list[str], float]] = {}
    if args.has_backstride:
        engines["backstride"] = (
            args.repeats,
            "backstride analyze on 2 h",
            analyse_command(csv, meta),
            args.timeout_2h,
        )
    if args.has_mobgap:
        engines["mobgap"] = (
            args.mobgap_repeats,
            "mobgap pipeline on 2 h (about 40 s)",
            [str(BENCH_PYTHON), str(MOBGAP_RUNNER), str(csv), str(meta)],
            args.timeout_mobgap,
        )
    # what reading the file costs before any analysis: pyarrow's read_csv alone, whole process (its import
    # included), best of the same number of runs as backstride's
    engines["pyarrow read_csv"] = (
        args.repeats,
        "pyarrow read_csv alone on 2 h",
        [str(PYTHON), "-c", READ_WHOLE, str(csv)],
        args.timeout_2h,
    )
    res.update(_best_runs(engines, work))
    bs: dict[str, Any] = res.get("backstride") or {}
    mg: dict[str, Any] = res.get("mobgap") or {}
    both = bool(bs) and bool(mg) and not bs.get("error") and not mg.get("error")
    res["speedup"] = ratio(mg["wall_s"], bs["wall_s"]) if both else None
    res["memory_ratio"] = ratio(mg["peak_rss_mb"], bs["peak_rss_mb"]) if both else None
    res["cpu_ratio"] = ratio(mg.get("cpu_s"), bs.get("cpu_s")) if both else None
    figures["speed_2h"] = res

    t = Table(title=f"Speed: 2-hour recording, whole process ({res['rows']:,} rows; {MOBGAP_REFERENCE})")
    for col in ("engine", "wall (s)", "CPU (s)", "peak RSS (MB)", "bouts", "contacts", "note"):
        t.add_column(col, justify="right" if col not in ("engine", "note") else "left")
    for name in ("backstride", "mobgap", "pyarrow read_csv"):
        r = res.get(name)
        if r is None:
            t.add_row(name, "–", "–", "–", "–", "–", "not available")
            continue
        t.add_row(
            name,
            fmt(r["wall_s"]),
            fmt(r.get("cpu_s")),
            fmt(r["peak_rss_mb"]),
            fmt(r.get("walking_bouts")),
            fmt(r.get("initial_contacts")),
            str(r.get("error", ""))[:60],
        )
    t.add_row(
        "mobgap / backstride",
        fmt(res["speedup"]),
        fmt(res["cpu_ratio"]),
        fmt(res["memory_ratio"]),
        "",
        "",
        "ratio",
    )
    console.print(t)
    for name in ("backstride", "mobgap", "pyarrow read_csv"):
        walls = (res.get(name) or {}).get("runs_wall_s")
        if walls:
            console.print(
                f"{name}: best of {len(walls)} runs (the engines taking turns), walls "
                f"{', '.join(fmt(w) for w in walls)} s"
            )
    sp = res["speedup"]
    summary.add(
        "2 h: speed-up over mobgap (whole process)",
        f"≥ {GOAL_SPEEDUP:.0f}×",
        f"{sp:.1f}×" if sp else f"n/a (backstride {measured_text(bs)}, mobgap {measured_text(mg)})",
        None if not (args.has_backstride and args.has_mobgap) else (sp is not None and sp >= GOAL_SPEEDUP),
    )
    summary.add(
        "2 h: CPU-time ratio mobgap / backstride", "info (less load-sensitive)", fmt(res["cpu_ratio"]), None
    )
    summary.add("2 h: backstride wall / peak RSS", "info", measured_text(bs), None)
    summary.add("2 h: mobgap wall / peak RSS", "info", measured_text(mg), None)
    read = res.get("pyarrow read_csv") or {}
    if both and read.get("wall_s") and not read.get("error"):
        console.print(
            f"{GOAL_SPEEDUP:.0f}× mobgap's {fmt(mg['wall_s'])} s leaves {fmt(mg['wall_s'] / GOAL_SPEEDUP)} s for "
            f"the whole process; pyarrow alone reads the file in {fmt(read['wall_s'])} s (its import included)"
        )
    summary.add("2 h: pyarrow read_csv alone (whole process)", "reference", measured_text(read), None)


def _long_plans(args: argparse.Namespace) -> list[tuple[str, float, float, float, float]]:
    """(name, duration s, goal s, goal MB, timeout s) of the day and, unless ``--no-week``, the week."""
    plans = [("day-24h", 86400.0, GOAL_DAY_S, GOAL_DAY_MB, args.timeout_day)]
    if not args.no_week:
        plans.append(("week-7d", 7 * 86400.0, GOAL_WEEK_S, GOAL_WEEK_MB, args.timeout_week))
    return plans


def _phone_day(
    args: argparse.Namespace,
    csv: Path,
    meta: Path,
    timeout: float,
    entry: dict[str, Any],
    table: Table,
    summary: Summary,
) -> None:
    """The same day as an Android phone's Sensor Logger ZIP (200 Hz, two sensor files): streamed like the CSV,
    it must fit the same memory (read whole it took 3.3 GB)."""
    with console.status("building the day as a Sensor Logger export (only the first time, about 2 minutes)"):
        export = datasets.build_phone_export(csv)
    cmd = analyse_command(export, meta)
    with console.status("backstride analyze on the day's Sensor Logger export"):
        r = run_measured("bs-day-24h-sensorlogger", cmd, timeout * 3, args.out / "runs")
    entry["backstride_sensorlogger"] = r
    ok = not r.get("error") and (r["peak_rss_mb"] or float("inf")) <= GOAL_DAY_MB
    table.add_row(
        f"{export.stat().st_size / 1e6:.0f} MB ZIP",
        "analyze, as a Sensor Logger export (200 Hz)",
        *_cells(r),
        f"≤{GOAL_DAY_MB / 1000:.1f} GB",
        "[green]yes[/]" if ok else "[red]NO[/]",
    )
    summary.add(
        "day-24h as a phone's Sensor Logger ZIP: wall, peak RSS",
        f"≤ {GOAL_DAY_MB / 1000:.1f} GB",
        measured_text(r),
        ok,
    )


# the whole-array decoding a Sensor Logger JSON export had before it was read a run of readings at a time
JSON_LOAD_WHOLE = "import json, sys; print(len(json.load(open(sys.argv[1], encoding='utf-8'))))"


def _phone_hours(
    args: argparse.Namespace, csv: Path, meta: Path, timeout: float, entry: dict[str, Any], table: Table
) -> None:
    """The day's first hour as Sensor Logger's other exports: an iPhone's JSON (acceleration, gravity and
    gyroscope at 100 Hz, about 180 MB; decoded a run of readings at a time and kept as arrays, against
    ``json.load`` of it alone) and an Android phone's SQLite (200 Hz, a table per sensor, fetched as numbers)."""
    work = args.out / "runs"
    for app, label in (
        ("sensorlogger-json", "JSON (iOS, 100 Hz)"),
        ("sensorlogger-sqlite", "SQLite (Android)"),
    ):
        with console.status(f"building an hour as Sensor Logger's {label} export (only the first time)"):
            export = datasets.build_phone_export(csv, app=app, hours=1.0)
        with console.status(f"backstride analyze on the hour's Sensor Logger {label} export"):
            r = run_measured(f"bs-1h-{app}", analyse_command(export, meta), timeout, work)
        entry[f"backstride_{app}_1h"] = r
        size = f"{export.stat().st_size / 1e6:.0f} MB {export.suffix[1:]}"
        table.add_row(size, f"analyze, an hour as Sensor Logger's {label}", *_cells(r), "—", "—")
        if app == "sensorlogger-json":
            with console.status("json.load alone on the same export"):
                whole = run_measured(
                    "json-load-1h", [str(PYTHON), "-c", JSON_LOAD_WHOLE, str(export)], timeout, work
                )
            entry["json_load_1h"] = whole
            table.add_row("", "json.load only (the whole array at once)", *_cells(whole), "ref", "—")


def section_long(args: argparse.Namespace, figures: dict[str, Any], summary: Summary) -> None:
    plans = _long_plans(args)
    work = args.out / "runs"
    t = Table(
        title="Long recordings, whole process (100 Hz CSV, real signals end to end; pyarrow rows: reading only)"
    )
    for col in (
        "recording",
        "what",
        "wall (s)",
        "CPU (s)",
        "peak RSS (MB)",
        "bouts",
        "goal",
        "pass",
    ):
        t.add_column(col, justify="left" if col in ("recording", "what", "goal") else "right")
    long_figs: dict[str, Any] = figures.setdefault("long", {})
    for name, duration, goal_s, goal_mb, timeout in plans:
        with console.status(f"building {name} (only the first time)"):
            t0 = time.perf_counter()
            csv, meta = datasets.build_long(args.out, name, duration)
            built = time.perf_counter() - t0
        if built > 1:
            console.log(f"built {csv} in {built:.0f} s")
        rows, size_mb = _rows(csv), csv.stat().st_size / 1e6
        entry: dict[str, Any] = {"file": str(csv), "rows": rows, "csv_mb": round(size_mb, 1)}
        with console.status(f"pyarrow reading {name}"):
            entry["pyarrow_read"] = run_measured(
                f"read-{name}", [str(PYTHON), "-c", READ_WHOLE, str(csv)], timeout, work
            )
            entry["pyarrow_stream"] = run_measured(
                f"stream-{name}", [str(PYTHON), "-c", READ_STREAM, str(csv)], timeout, work
            )
        t.add_row(name, "read_csv only (whole)", *_cells(entry["pyarrow_read"]), "ref", "—")
        t.add_row(f"{rows:,} rows", "open_csv only (streamed)", *_cells(entry["pyarrow_stream"]), "ref", "—")
        if args.has_backstride:
            with console.status(f"backstride analyze on {name}"):
                r = run_measured(f"bs-{name}", analyse_command(csv, meta), timeout, work)
            entry["backstride"] = r
            passed = (
                not r.get("error") and r["wall_s"] <= goal_s and (r["peak_rss_mb"] or float("inf")) <= goal_mb
            )
            t.add_row(
                f"{size_mb:.0f} MB CSV",
                "backstride analyze",
                *_cells(r),
                f"≤{goal_s:.0f} s, ≤{goal_mb / 1000:.1f} GB",
                "[green]yes[/]" if passed else "[red]NO[/]",
            )
            ok = not r.get("error")
            summary.add(
                f"{name}: wall",
                f"≤ {goal_s:.0f} s",
                measured_text(r).split(",")[0],
                ok and r["wall_s"] <= goal_s,
            )
            summary.add(
                f"{name}: peak RSS",
                f"≤ {goal_mb / 1000:.1f} GB",
                f"{fmt(r['peak_rss_mb'])} MB" if ok else measured_text(r),
                ok and (r["peak_rss_mb"] or float("inf")) <= goal_mb,
            )
        if args.has_backstride and name == "day-24h":
            _phone_day(args, csv, meta, timeout, entry, t, summary)
            _phone_hours(args, csv, meta, timeout, entry, t)
        summary.add(
            f"{name}: pyarrow read_csv alone", "reference", measured_text(entry["pyarrow_read"]), None
        )
        summary.add(
            f"{name}: pyarrow streamed read", "reference", measured_text(entry["pyarrow_stream"]), None
        )
        long_figs[name] = entry
    console.print(t)


def section_import(args: argparse.Namespace, figures: dict[str, Any], summary: Summary) -> None:
    with console.status("timing imports"):
        imports = speed.import_time_s(str(PYTHON), "backstride", repeats=args.import_repeats)
        interpreter = speed.whole_process_times_s([str(PYTHON), "-c", "pass"], repeats=5)
        help_times = speed.whole_process_times_s([str(BACKSTRIDE), "--help"], repeats=5)
    res: dict[str, Any] = {
        "import_backstride_s": imports,
        "import_backstride_median_s": speed.median_of(imports),
        "interpreter_start_median_s": speed.median_of(interpreter),
        "backstride_help_median_s": speed.median_of(help_times),
    }
    if args.has_mobgap:
        with console.status("timing import mobgap (for comparison)"):
            try:
                mob = speed.import_time_s(str(BENCH_PYTHON), "mobgap.pipeline", repeats=3, timeout_s=120)
                res["import_mobgap_pipeline_median_s"] = speed.median_of(mob)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                res["import_mobgap_pipeline_error"] = str(exc)[:200]
    figures["import"] = res
    t = Table(title="Start-up (fresh processes, median)")
    t.add_column("what")
    t.add_column("seconds", justify="right")
    t.add_row(
        f"import backstride (median of {len(imports)}, start-up excluded)",
        fmt(res["import_backstride_median_s"]),
    )
    t.add_row("python -c pass (interpreter start-up)", fmt(res["interpreter_start_median_s"]))
    t.add_row("backstride --help (whole process)", fmt(res["backstride_help_median_s"]))
    if "import_mobgap_pipeline_median_s" in res:
        t.add_row("import mobgap.pipeline (peer, median of 3)", fmt(res["import_mobgap_pipeline_median_s"]))
    console.print(t)
    med = speed.median_of(imports)
    summary.add("import backstride", f"≤ {GOAL_IMPORT_S} s", f"{med:.3f} s", med <= GOAL_IMPORT_S)
    summary.add("backstride --help (whole process)", "info", f"{res['backstride_help_median_s']:.3f} s", None)


def section_batch(args: argparse.Namespace, figures: dict[str, Any], summary: Summary) -> None:
    script = Path(__file__).resolve().parent / "batch_bench.py"
    if not script.exists():
        console.print("batch: benchmarks/batch_bench.py does not exist yet; skipped")
        figures["batch"] = {"skipped": "batch_bench.py missing"}
        return
    code = (
        f"import json, sys; sys.path.insert(0, {str(script.parent)!r}); import batch_bench; "
        f"r = batch_bench.main({shlex.split(args.batch_args)!r}); "
        "print('\\n__FIGURES__' + json.dumps(r, default=str)) if isinstance(r, dict) else None; "
        "sys.exit(r if isinstance(r, int) else 0)"
    )
    console.rule("batch benchmark (benchmarks/batch_bench.py)")
    t0 = time.perf_counter()
    try:
        p = subprocess.run(
            [str(PYTHON), "-c", code],
            capture_output=True,
            text=True,
            timeout=args.timeout_batch,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        figures["batch"] = {"error": f"timed out after {args.timeout_batch:.0f} s"}
        summary.add("batch benchmark", "runs", "timed out", False)
        return
    wall = time.perf_counter() - t0
    out_lines = [line for line in p.stdout.splitlines() if not line.startswith("__FIGURES__")]
    console.print("\n".join(out_lines), markup=False, highlight=False)
    res: dict[str, Any] = {"wall_s": round(wall, 2), "returncode": p.returncode}
    for line in p.stdout.splitlines():
        if line.startswith("__FIGURES__"):
            res["figures"] = json.loads(line[len("__FIGURES__") :])
    if p.returncode != 0:
        res["error"] = p.stderr.strip()[-500:]
        console.print(f"[red]batch benchmark failed: {res['error']}[/]")
    figures["batch"] = res
    summary.add(
        "batch benchmark",
        "runs",
        f"{'ok' if p.returncode == 0 else 'failed'} in {wall:.0f} s",
        p.returncode == 0,
    )


def section_clinic(args: argparse.Namespace, figures: dict[str, Any], summary: Summary) -> None:
    from benchmarks import clinic_bench

    console.rule("clinic benchmark (benchmarks/clinic_bench.py)")
    res = clinic_bench.main(["--patients", str(args.clinic_patients)])
    figures["clinic"] = res
    for label, r in res.items():
        summary.add(f"caseload, {label}", "–", f"{r['wall_s']:.2f} s, {r['statements']} statements", None)


def _distance(ten: dict[str, Any]) -> str:
    """The 10 m walks' median distance (Σ step lengths, 20 m walked) and its interquartile range."""
    if ten.get("walk_distance_median_m") is None:
        return "-"
    q1, q3 = ten["walk_distance_iqr_m"]
    return f"{ten['walk_distance_median_m']:.1f} m ({q1:.1f}–{q3:.1f})"


def section_robustness(args: argparse.Namespace, figures: dict[str, Any], summary: Summary) -> None:
    from benchmarks import accuracy, apps

    t = Table(title="Robustness: backstride on the reference recordings, changed (in-process scoring)")
    for col in (
        "variant",
        "lab F1",
        "lab bouts",
        "lab speed MAE",
        "10 m F1",
        "10 m steps |err|",
        "10 m distance",
        "s",
    ):
        t.add_column(col, justify="left" if col == "variant" else "right")
    out: dict[str, Any] = {}
    for label, kwargs in VARIANTS:
        t0 = time.perf_counter()
        lab = accuracy.score_dataset("lowback-lab", **kwargs)
        ten = accuracy.score_dataset("lowback-10m", **kwargs)
        wall = time.perf_counter() - t0
        out[label] = {"lowback-lab": lab, "lowback-10m": ten, "wall_s": round(wall, 1)}
        t.add_row(
            label,
            fmt(lab["ic_f1"]),
            f"{lab['wb_matched']} / {lab['wb_ref']}",
            fmt(lab["walking_speed_mae_mps"]),
            fmt(ten["ic_f1"]),
            fmt(ten["step_count_abs_err_median"]),
            _distance(ten),
            f"{wall:.0f}",
        )
        summary.add(f"robustness, {label}: 10 m F1", "info", fmt(ten["ic_f1"]), None)
    console.print(t)
    for label, kwargs in VARIANTS:
        if "slow" in kwargs:
            lab, ten = out[label]["lowback-lab"], out[label]["lowback-10m"]
            console.print(
                f"{label}, the ±{accuracy.IC_TOLERANCE_S:g} s tolerance stretched alike "
                f"(±{accuracy.IC_TOLERANCE_S * kwargs['slow']:g} s): lab F1 {fmt(lab['ic_f1_tolerance_stretched'])}, "
                f"10 m F1 {fmt(ten['ic_f1_tolerance_stretched'])}"
            )
    visible = accuracy.score_visible("lowback-10m")
    reasons = ", ".join(f"{n} {reason}" for reason, n in visible["left_out"].items())
    console.print(
        f"10 m, scored on the {visible['n_visible']} of {visible['n_reference']} reference contacts the lower "
        f"back can show (left out: {reasons}): F1 {fmt(visible['ic_f1'])}"
    )
    summary.add("10 m F1 on the contacts the lower back can show", "info", fmt(visible["ic_f1"]), None)
    phases = accuracy.errors_by_phase("lowback-10m")
    console.print(
        "10 m contacts by phase of the walk (reference / missed / extra): "
        + "; ".join(
            f"{p} {phases['reference'][p]} / {phases['missed'][p]} / {phases['extra'][p]}"
            for p in accuracy.WALK_PHASES
        )
    )
    feet = {name: accuracy.foot_agreement(name) for name in ("lowback-lab", "lowback-10m")}
    lean = accuracy.lean_error_lab()
    console.print(
        f"feet named as the reference names them: lab {feet['lowback-lab']:.3f}, 10 m {feet['lowback-10m']:.3f}; "
        f"trunk lean against the lab's known sensor axes: {lean:.2f} degrees mean |error|"
    )
    summary.add(
        "feet named right (lab / 10 m)",
        "info",
        f"{feet['lowback-lab']:.2f} / {feet['lowback-10m']:.2f}",
        None,
    )
    summary.add("trunk lean error, lab (degrees)", "info", f"{lean:.2f}", None)
    # a sign or an axis order wrong in a reader mirrors the walk: only the feet show it
    feet_apps = {app: accuracy.foot_agreement("lowback-10m", app) for app in apps.APPS}
    console.print(
        "feet named as the reference names them through the phone exports (10 m): "
        + ", ".join(f"{app} {share:.3f}" for app, share in feet_apps.items())
    )
    figures["robustness"] = {
        "variants": out,
        "visible_10m": visible,
        "errors_by_phase_10m": phases,
        "foot_agreement": feet,
        "foot_agreement_10m_through_apps": feet_apps,
        "lean_error_lab_deg": round(lean, 2),
    }


def _read_through(path: Path) -> float:
    """Read a file once (so every measured process finds it in the page cache alike); its size in MB."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass
    return path.stat().st_size / 1e6


def _samples(res: dict[str, Any]) -> int | None:
    """The sample count a reading process printed (``samples: N``), if it ran to the end."""
    found = re.findall(r"samples: (\d+)", str(res.get("output", "")))
    return int(found[-1]) if found and not res.get("error") else None


def _device_reads(fmt: str, path: Path, tag: str, timeout: float, work: Path) -> dict[str, dict[str, Any]]:
    """Reading only, whole process: backstride, then each peer on the same file (missing ``.venv-bench``
    is an error in the table)."""
    runs: dict[str, dict[str, Any]] = {}
    commands = [("backstride", [str(PYTHON), "-c", READ_BACKSTRIDE, str(path)])]
    commands += [(peer, [str(BENCH_PYTHON), "-c", code, str(path)]) for peer, code in DEVICE_PEERS[fmt]]
    for reader, command in commands:
        if reader != "backstride" and not BENCH_PYTHON.exists():
            runs[reader] = {"error": ".venv-bench is missing (make .venv-bench/.installed)"}
            continue
        with console.status(f"{reader} reading {fmt} {tag}"):
            res = run_measured(f"read-{fmt}-{tag}-{reader.split()[0]}", command, timeout, work)
        res["samples"] = _samples(res)
        runs[reader] = res
    base = runs["backstride"]
    for res in runs.values():
        ok = not res.get("error") and not base.get("error")
        res["wall_ratio"] = ratio(res.get("wall_s"), base.get("wall_s")) if ok else None
        res["rss_ratio"] = ratio(res.get("peak_rss_mb"), base.get("peak_rss_mb")) if ok else None
    return runs


def section_devices(args: argparse.Namespace, figures: dict[str, Any], summary: Summary) -> None:
    plans = _long_plans(args)
    work = args.out / "runs"
    t = Table(
        title="Devices: long logger files, whole process (peers read only; ratios: peer / backstride read)"
    )
    for col in (
        "format",
        "duration",
        "samples",
        "reader",
        "wall (s)",
        "peak RSS (MB)",
        "wall ×",
        "RSS ×",
        "note",
    ):
        t.add_column(col, justify="left" if col in ("format", "duration", "reader", "note") else "right")
    dev_figs: dict[str, Any] = figures.setdefault("devices", {})
    for fmt in devices.BUILDERS:
        for name, duration, goal_s, goal_mb, timeout in plans:
            with console.status(f"building the {name} {fmt} file (only the first time)"):
                t0 = time.perf_counter()
                path = devices.build(fmt, duration, args.out / "devices")
                built = time.perf_counter() - t0
            entry: dict[str, Any] = {
                "file": str(path),
                "source": str(devices.source_path(fmt)),
                "file_mb": round(_read_through(path), 1),
                "build_s": round(built, 2),
            }
            if args.has_backstride:
                with console.status(f"backstride analyze on {fmt} {name}"):
                    cmd = [str(BACKSTRIDE), "analyze", str(path), "--json"]
                    entry["analyze"] = r = run_measured(f"bs-{fmt}-{name}", cmd, timeout, work)
                ok = not r.get("error")
                passed = ok and r["wall_s"] <= goal_s and (r["peak_rss_mb"] or float("inf")) <= goal_mb
                goal = f"≤ {goal_s:.0f} s, ≤ {goal_mb / 1000:.1f} GB"
                note = f"goal {goal}: {'[green]yes[/]' if passed else '[red]NO[/]'}"
                t.add_row(fmt, name, "", "backstride analyze", *_device_cells(r, note))
                summary.add(f"devices, {fmt} {name}: analyze", goal, measured_text(r), passed)
            entry["read"] = reads = _device_reads(fmt, path, name, timeout, work)
            entry["samples"] = reads["backstride"].get("samples")
            for reader, res in reads.items():
                label = "backstride read" if reader == "backstride" else reader
                t.add_row(fmt, name, fmt_count(res.get("samples")), label, *_device_cells(res, ""))
            peers = ", ".join(
                f"{reader} {fmt_ratio(res.get('wall_ratio'))}"
                for reader, res in reads.items()
                if reader != "backstride"
            )
            summary.add(
                f"devices, {fmt} {name}: reading only",
                "info (peer wall / backstride)",
                f"backstride {measured_text(reads['backstride'])}; {peers}",
                None,
            )
            dev_figs.setdefault(fmt, {})[name] = entry
            _write_figures(args.out, figures, summary)
    console.print(t)


def fmt_count(n: int | None) -> str:
    """A sample count with thousands separators, or an en dash."""
    return "–" if n is None else f"{n:,}"


def fmt_ratio(value: float | None) -> str:
    """A ratio as ``3.1×``, or ``n/a``."""
    return "n/a" if value is None else f"{value:.2g}×" if value < 10 else f"{value:.0f}×"


def _device_cells(r: dict[str, Any], note: str) -> list[str]:
    if r.get("error"):
        last = [line.strip() for line in str(r["error"]).splitlines() if line.strip()][-1]
        return ["–", "–", "–", "–", f"[red]failed: {escape(last[-100:])}[/]"]
    return [
        fmt(r["wall_s"]),
        fmt(r["peak_rss_mb"]),
        fmt(r.get("wall_ratio")),
        fmt(r.get("rss_ratio")),
        note,
    ]


# --------------------------------------------------------------------------------------------- main
def _rows(csv: Path) -> int:
    """Data rows of a CSV built here. Reading it through also puts it in the page cache, so that every
    measured process that follows reads from memory alike, not the first one from disk."""
    with csv.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1


def _cells(r: dict[str, Any]) -> list[str]:
    if r.get("error"):
        return [f"failed: {str(r['error'])[:40]}", "–", "–", "–"]
    return [fmt(r["wall_s"]), fmt(r.get("cpu_s")), fmt(r["peak_rss_mb"]), fmt(r.get("walking_bouts"))]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    p.add_argument("--out", type=Path, default=datasets.BENCH_OUT, help="cache and output folder")
    p.add_argument("--no-week", action="store_true", help="skip the 7-day recording")
    p.add_argument("--no-mobgap", action="store_true", help="leave the peer out")
    p.add_argument("--backstride", type=Path, default=BACKSTRIDE, help="the backstride executable to measure")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="scorer runs side by side")
    p.add_argument("--repeats", type=int, default=3, help="backstride runs on the 2-hour file (best kept)")
    p.add_argument("--mobgap-repeats", type=int, default=2, help="mobgap runs on the 2-hour file (best kept)")
    p.add_argument("--import-repeats", type=int, default=7)
    p.add_argument("--timeout-eval", type=float, default=900.0, help="seconds per scorer run")
    p.add_argument("--timeout-2h", type=float, default=300.0)
    p.add_argument("--timeout-mobgap", type=float, default=600.0)
    p.add_argument("--timeout-day", type=float, default=300.0)
    p.add_argument("--timeout-week", type=float, default=900.0)
    p.add_argument("--timeout-batch", type=float, default=1200.0)
    p.add_argument("--clinic-patients", type=int, default=100, help="patients in the caseload benchmark")
    p.add_argument(
        "--batch-args", default="", help="options for batch_bench.main, e.g. '--files 2 --hours 1'"
    )
    args = p.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    global BACKSTRIDE
    args = parse_args(argv)
    BACKSTRIDE = args.backstride.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    args.has_backstride = backstride_analyze_available()
    args.has_mobgap = not args.no_mobgap and mobgap_available()
    if not args.has_backstride:
        console.print("[yellow]`backstride analyze` is not available: backstride figures are left out[/]")
    if not args.has_mobgap:
        console.print("[yellow]mobgap is not available in .venv-bench: peer figures are left out[/]")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        console.print(
            f"[yellow]load average {load:.1f} on {os.cpu_count()} CPUs: timings will be inflated[/]"
        )
    figures: dict[str, Any] = {
        "load_1min_at_start": round(load, 2),
        "date_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit.stdout.strip() or None,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "engines": {"backstride": args.has_backstride, "mobgap": args.has_mobgap},
    }
    summary = Summary()
    steps: dict[str, Callable[[argparse.Namespace, dict[str, Any], Summary], None]] = {
        "accuracy": section_accuracy,
        "speed": section_speed,
        "long": section_long,
        "import": section_import,
        "batch": section_batch,
        "robustness": section_robustness,
        "devices": section_devices,
        "clinic": section_clinic,
    }
    t0 = time.perf_counter()
    for name in args.sections:
        console.rule(name)
        try:
            steps[name](args, figures, summary)
        except Exception as exc:  # one failed section must not hide the others' figures
            console.print(f"[red]{name}: {type(exc).__name__}: {exc}[/]")
            figures.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"
            summary.add(f"{name} section", "runs", f"failed: {exc}"[:70], False)
        _write_figures(args.out, figures, summary)
    figures["total_wall_s"] = round(time.perf_counter() - t0, 1)
    console.rule("summary")
    console.print(summary.table())
    path = _write_figures(args.out, figures, summary)
    console.print(f"figures written to {path} (total {figures['total_wall_s']} s)")
    return 0


def _write_figures(out: Path, figures: dict[str, Any], summary: Summary) -> Path:
    path = out / "figures.json"
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps({**figures, "summary": summary.rows}, indent=1, default=str))
    tmp.replace(path)
    return path


if __name__ == "__main__":
    sys.exit(main())
