"""``backstride analyze``: measure walking in a recording and print a report or JSON."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from backstride.cli import _reading as reading

if TYPE_CHECKING:
    from backstride.clinic import NormComparison
    from backstride.gait import GaitResult, VerticalTrace
    from backstride.recording import Recording

PROGRESS_MIN_BYTES = 20_000_000  # a CSV of ~3 h at 100 Hz
PROGRESS_MIN_BYTES_DEVICE = 2_000_000  # a logger's binary file packs ~10x more samples per byte
# files that take much longer per byte than a CSV: loggers' binary files (~10x more samples per byte) and Excel
# workbooks (each sheet's XML is parsed cell by cell, ~0.35 µs a byte: 2 MB is about 0.7 s)
DENSE_SUFFIXES = (".xlsx",)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)


def analyze(
    file: Annotated[
        Path,
        typer.Argument(
            help="Recording: CSV, phyphox (also its Excel export) or Sensor Logger export (file, ZIP, folder, "
            "JSON or SQLite), MetaBase's files of a MetaWear sensor (CSV, folder or ZIP), "
            "Axivity .cwa, ActiGraph .gt3x (or ActiLife's RAW CSV) or GENEActiv .bin, also gzip-compressed (.cwa.gz)"
        ),
    ],
    format: reading.Format = "auto",
    height_m: Annotated[Optional[float], typer.Option("--height-m", help="Body height, m")] = None,  # noqa: UP045
    sensor_height_m: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option("--sensor-height-m", help="Height of the sensor above the ground, m"),
    ] = None,
    age: Annotated[Optional[float], typer.Option("--age", help="Age, years (for norms)")] = None,  # noqa: UP045
    sex: Annotated[Optional[str], typer.Option("--sex", help="female or male (for norms)")] = None,  # noqa: UP045
    json_out: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON")] = False,
    acc_unit: reading.AccUnit = None,
    gyr_unit: reading.GyrUnit = None,
    time_column: reading.TimeColumn = None,
    time_unit: reading.TimeUnit = None,
    acc_columns: reading.AccColumns = None,
    gyr_columns: reading.GyrColumns = None,
    rate_hz: reading.RateHz = None,
    html: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--html",
            help="Also write a report with plots (the steps found on the trunk's movement, the bouts) to "
            "this HTML file; self-contained, opens offline",
        ),
    ] = None,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress/--no-progress",
            help="Show the progress of a long file on stderr: a bar at a terminal, else (a job log) a line every "
            "30 s and at the end; also the drawing of --html's report.",
        ),
    ] = True,
) -> None:
    """Measure walking in a lower-back recording: bouts, steps, cadence, stride length, speed, trunk lean."""
    from backstride import _progress, io

    options = reading.options(
        format, acc_unit, gyr_unit, time_column, time_unit, acc_columns, gyr_columns, rate_hz
    ).given()

    if html is not None:
        from backstride.report import check_writable

        check_writable(html)  # before the work, not after it
    # read twice with --html (the walking, then the longest bouts' signal): a logger's gzip file (a .cwa.gz) is
    # unpacked once for both, as io.iter_chunks would unpack it each time (it says the same of the file)
    unpacking = io.unpacked(file) if html is not None else nullcontext((file, None))
    with unpacking as (source, unpack_note):

        def read() -> Iterator[Recording]:
            chunks = io.iter_chunks(source, **options)
            return (replace(c, notes=(*c.notes, unpack_note)) for c in chunks) if unpack_note else chunks

        with reading.activity_read_elsewhere(file):
            result = _analysed(
                file,
                read(),
                progress=progress,
                height_m=height_m,
                sensor_height_m=sensor_height_m,
                age=age,
                sex=sex,
            )
        if json_out:
            result.write_json(sys.stdout)
        else:
            print_report(result)
            print_norms(result)
        if html is not None:
            saying = _progress.phase(
                "analyze",
                file.name,
                "drawing the report",
                detail="reading the longest bouts' signal again",
                in_a_log=_is_long(file),
            )
            write_html(html, result, read, saying=saying if progress else None)


def _is_long(file: Path) -> bool:
    """Is ``file`` long enough for its progress to be shown (a short one is done in seconds)?"""
    from backstride import io

    dense = file.suffix.lower() in (*io.DEVICE_SUFFIXES, *DENSE_SUFFIXES)
    return _size(file) >= (PROGRESS_MIN_BYTES_DEVICE if dense else PROGRESS_MIN_BYTES)


def _analysed(
    file: Path, chunks: Iterator[Recording], *, progress: bool = True, **subject: Any
) -> GaitResult:
    """The walking in ``chunks``, with progress on stderr for a long file: a bar for a person watching it at a
    terminal; elsewhere (cron, SLURM: stderr is a job log, where the bar drew nothing until the end and a log
    showed no sign of life for minutes) the recording-hours done in a plain line at most every 30 s and at
    the end, as ``backstride batch`` says them (:mod:`backstride._progress`). A short file, done in seconds,
    says nothing, and so does any file with ``progress`` off (``--no-progress``). ``subject``:
    :func:`~backstride.gait.analyze_stream`'s keywords."""
    from backstride import _progress
    from backstride.gait import analyze_stream

    if not progress or not _is_long(file):
        return analyze_stream(chunks, **subject)
    if not _progress.stderr_is_terminal():
        lines = _progress.RecordingLines(file.name)
        result = analyze_stream(chunks, progress=lines.tick, **subject)
        lines.close()
        return result
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("analysing {task.description}: {task.fields[hours]:.1f} h of recording"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(file.name, total=None, hours=0.0)
        seen = [0.0]

        def tick(seconds: float) -> None:
            seen[0] += seconds
            bar.update(task, hours=seen[0] / 3600.0)

        return analyze_stream(chunks, progress=tick, **subject)


def write_html(
    path: Path,
    result: GaitResult,
    read: Callable[[], Iterable[Recording]],
    *,
    saying: AbstractContextManager[None] | None = None,
) -> None:
    """The HTML report, with the signal of the longest bouts read again from the file (``read()``).

    Reading them again takes seconds of a long file (of a week: 3.6 s of a ``.cwa`` after its 19 s analysis,
    15 s of a CSV after its 31 s), which a job log showed as nothing after the analysis's last line; the
    drawing is done within ``saying`` (:func:`backstride._progress.phase`: a spinner, a line), if given."""
    from backstride import report
    from backstride._errors import InputError

    comparison, note = norms_of(result)
    with saying or nullcontext():
        traces = _traces(result, read)
        try:
            report.write_recording_report(path, result, traces=traces, norms=comparison, norms_note=note)
        except OSError as exc:  # a full disk (/dev/full), a quota: said, and no part of the file left
            raise InputError(f"could not write the report to {path}: {exc.strerror or exc}") from exc
    typer.echo(f"backstride: report written to {path}", err=True)


def _traces(result: GaitResult, read: Callable[[], Iterable[Recording]]) -> list[VerticalTrace]:
    """The trunk's vertical acceleration over the bouts the report plots, read again from the file."""
    from backstride import report
    from backstride.gait import vertical_traces

    spans = report.trace_spans(result)
    return vertical_traces(read(), spans) if spans else []


def _size(path: Path) -> int:
    """The bytes of a file or of a folder's files; 0 where they cannot be looked at (the reader says why)."""
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return path.stat().st_size if path.exists() else 0
    except OSError:
        return 0


def _fmt(value: float | None, nd: int = 2) -> str:
    return "–" if value is None else f"{value:.{nd}f}"


def print_report(result: GaitResult) -> None:
    """A readable report of one analysis (rich)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from backstride._words import plural

    console = Console()
    rec, s = result.recording, result.summary
    console.print(f"[bold]backstride[/bold] {result.backstride_version} — {rec.source or 'recording'}")
    console.print(
        f"{rec.format or 'unknown'} format, {rec.sampling_rate_hz:g} Hz, {rec.duration_s / 60:.1f} min, "
        f"gyroscope: {'yes' if rec.has_gyroscope else 'no'}"
    )
    made = " · ".join(x for x in (rec.device, rec.start_time and f"started {rec.start_time}") if x)
    if made:
        console.print(made)
    for note in rec.notes:
        console.print(f"  [dim]· {note}[/dim]")
    summary = Table(title="Walking", show_header=False, title_justify="left")
    summary.add_column("measure")
    summary.add_column("value", justify="right")
    summary.add_row("walking time", f"{s.total_walking_s:.0f} s")
    summary.add_row("walking bouts", f"{s.n_bouts} ({s.n_bouts_10s} of 10 s or more)")
    summary.add_row("steps", str(s.n_steps))
    summary.add_row("longest bout", "–" if s.longest_bout_s is None else f"{s.longest_bout_s:.1f} s")
    summary.add_row("cadence (bouts ≥ 10 s, median)", f"{_fmt(s.median_cadence_spm, 1)} steps/min")
    summary.add_row("walking speed (bouts ≥ 10 s, median)", f"{_fmt(s.median_walking_speed_mps)} m/s")
    summary.add_row("stride length (bouts ≥ 10 s, median)", f"{_fmt(s.median_stride_length_m)} m")
    if s.median_step_length_left_m is not None or s.median_step_length_right_m is not None:
        summary.add_row(
            "left / right step length (bouts ≥ 10 s, median)",
            f"{_fmt(s.median_step_length_left_m)} / {_fmt(s.median_step_length_right_m)} m",
        )
    summary.add_row("trunk lean (bouts ≥ 10 s, median)", f"{_fmt(s.median_trunk_lean_deg, 1)}°")
    if s.median_pelvis_rotation_deg is not None:
        n = s.n_pelvis_strides
        summary.add_row(
            "pelvis rotation / obliquity / tilt per stride"
            if n is None
            else f"pelvis rotation / obliquity / tilt ({plural(n, 'stride')})",
            f"{_fmt(s.median_pelvis_rotation_deg, 1)}° / {_fmt(s.median_pelvis_obliquity_deg, 1)}° / "
            f"{_fmt(s.median_pelvis_tilt_deg, 1)}°",
        )
    console.print(summary)
    if result.walking_bouts:
        table = Table(
            title="Walking bouts",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            caption=(
                "start and end in s, cadence in steps/min, stride in m, speed in m/s, lean in degrees; "
                "regul. = stride regularity, symm. = step/stride regularity"
            ),
            caption_justify="left",
        )
        for col in ("start", "end", "steps", "cadence", "stride", "speed", "lean", "regul.", "symm."):
            table.add_column(col, justify="right", no_wrap=True)
        for b in result.walking_bouts[:40]:
            table.add_row(
                f"{b.start_s:.1f}",
                f"{b.end_s:.1f}",
                str(b.n_steps),
                _fmt(b.cadence_spm, 1),
                _fmt(b.stride_length_m),
                _fmt(b.walking_speed_mps),
                _fmt(b.trunk_lean_deg, 1),
                _fmt(b.stride_regularity),
                _fmt(b.symmetry),
            )
        console.print(table)
        if len(result.walking_bouts) > 40:
            console.print(
                f"[dim]… and {len(result.walking_bouts) - 40} more bouts (use --json for all)[/dim]"
            )
    else:
        # as the web app's result page says it: what was looked for, and how to record a walk it can find
        console.print(
            "No stretch of steady walking was found in this recording (at least four strides in a row). If "
            "there was walking in it, record again with a minute or more of walking without stopping, the "
            "sensor held firmly at the small of the back."
        )
    _print_days(console, result)
    from backstride.gait import HEIGHT_NEEDED

    for w in result.warnings:
        how = " (--height-m, or --sensor-height-m)" if w == HEIGHT_NEEDED else ""
        console.print(f"[yellow]note:[/yellow] {w}{how}")


def norms_of(result: GaitResult) -> tuple[NormComparison | None, str | None]:
    """The walk against norms for the person's age and sex (the clinic's tables), or why there is none
    (``(None, None)`` when neither was given)."""
    age, sex = result.subject.age, result.subject.sex
    if age is None and sex is None:
        return None, None
    if age is None or sex is None:
        return None, "A comparison with norms needs both --age and --sex."
    # only now: the clinic's models (pydantic) take longer to import than a short recording takes to analyse
    from backstride._errors import InputError
    from backstride.clinic import compare_with_norms

    try:
        return compare_with_norms(result, age=age, sex=sex), None
    except InputError as exc:
        # e.g. no bout of 10 s or more: the report stands, the comparison cannot be made
        return None, f"No comparison with norms for this recording: {exc}."


def print_norms(result: GaitResult) -> None:
    """The comparison with norms after the report, when age and sex were given."""
    from rich.console import Console

    from backstride.cli._clinic import show_norms

    comparison, note = norms_of(result)
    if comparison is not None:
        show_norms(Console(), comparison)
    elif note:
        Console().print(f"[dim]{note}[/dim]")


def _print_days(console: Any, result: GaitResult) -> None:
    """A table by day when the recording covers more than one (calendar days when its start time is known)."""
    from rich import box
    from rich.table import Table

    from backstride.gait import days_of

    grid, days = days_of(result)
    if grid.n_days < 2:
        return
    table = Table(
        title="By day",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        caption="hours recorded, minutes walking; cadence (steps/min) and speed (m/s): medians of the day's "
        "bouts of 10 s or more; p90: the day's brisk pace",
        caption_justify="left",
    )
    for col in ("day", "hours", "walking", "steps", "bouts", "cadence", "speed", "p90"):
        table.add_column(col, justify="right", no_wrap=True)
    for i in range(grid.n_days):
        date = days["date"][i]
        table.add_row(
            date.isoformat() if date is not None else f"day {days['day_index'][i]}",
            f"{days['recorded_s'][i] / 3600:.1f}",
            f"{days['walking_s'][i] / 60:.1f}",
            str(days["n_steps"][i]),
            str(days["n_bouts"][i]),
            _fmt(days["median_cadence_spm"][i], 1),
            _fmt(days["median_walking_speed_mps"][i]),
            _fmt(days["p90_walking_speed_mps"][i]),
        )
    console.print(table)
