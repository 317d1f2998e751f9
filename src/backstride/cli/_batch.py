"""``backstride batch``: analyse many recordings on Dask and write the results as Parquet."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import typer

from backstride.cli import _reading as reading

if TYPE_CHECKING:
    from backstride.batch import BatchSummary

# Exit status of a batch ended by SIGTERM: 128 + 15, as a shell reports a program the signal ended
TERMINATED_EXIT = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken as Ctrl-C is: a cluster's time limit (SLURM sends it before it kills a job), ``timeout``,
    ``kill`` or a container being stopped. Without it the batch died at once, its last ``--checkpoint-s`` of
    work lost and its run logged as ``running``; as an interrupt, what is finished is saved and the run is
    logged as ``interrupted``."""


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Within this block, SIGTERM raises :class:`Terminated` in the main thread (where Python runs signal
    handlers; elsewhere, as in a test's thread, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminated(_signum: int, _frame: object) -> None:
        raise Terminated

    before = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""

    @app.command()
    def batch(
        inputs: list[str] = typer.Argument(
            ...,
            help="Recording files, folders (searched recursively) or glob patterns such as 'data/**/*.cwa'.",
        ),
        out: str = typer.Option(  # a str: as a Path, an empty --out would be the current folder
            ..., "--out", "-o", metavar="PATH", help="Results folder (created; earlier results are kept)."
        ),
        scheduler: str | None = typer.Option(
            None,
            "--scheduler",
            help="Address of a running dask.distributed scheduler (default: a local cluster).",
        ),
        workers: int | None = typer.Option(
            None,
            "--workers",
            "-w",
            min=1,
            help="Worker processes of the local cluster (default: one per CPU).",
        ),
        chunk_s: float = typer.Option(
            3600.0, "--chunk-s", min=1.0, help="Each file is streamed in chunks of this many seconds."
        ),
        progress: bool = typer.Option(
            True,
            "--progress/--no-progress",
            help="Show progress on stderr: a bar at a terminal, else (a job log) a line every 30 s and at the end.",
        ),
        connect_timeout: float = typer.Option(
            30.0, "--connect-timeout", min=0.1, help="Seconds to keep trying to reach --scheduler."
        ),
        checkpoint_s: float = typer.Option(
            60.0, "--checkpoint-s", min=0.0, help="Save the results gathered so far at least this often, s."
        ),
        format: reading.Format = "auto",
        acc_unit: reading.AccUnit = None,
        gyr_unit: reading.GyrUnit = None,
        time_column: reading.TimeColumn = None,
        time_unit: reading.TimeUnit = None,
        acc_columns: reading.AccColumns = None,
        gyr_columns: reading.GyrColumns = None,
        rate_hz: reading.RateHz = None,
    ) -> None:
        """Analyse many recordings (a cohort) on Dask; results go to Parquet tables in --out.

        Files already analysed in --out (same content) are skipped; files that failed are tried again.
        The reading options (--format, units, a CSV's columns) apply to every file, as in analyze.
        Exits with 1 when some file failed (the others are analysed and saved all the same), with 2 when
        the options, the inputs or the results folder cannot be used (also when --out can no longer be
        written during the run, e.g. a full disk: the batch stops and says what is saved).
        """
        running = False
        try:
            from backstride.batch import BatchRunner

            options = reading.options(
                format, acc_unit, gyr_unit, time_column, time_unit, acc_columns, gyr_columns, rate_hz
            )
            runner = BatchRunner(
                read_options=options,
                out=out,
                scheduler=scheduler,
                workers=workers,
                chunk_s=chunk_s,
                progress=progress,
                connect_timeout_s=connect_timeout,
                checkpoint_s=checkpoint_s,
            )
            running = True
            with _sigterm_as_interrupt():
                summary = runner.run(inputs).summary_
            _print_summary(summary)
        except KeyboardInterrupt as stop:
            said = (
                f"the files finished so far are saved in {out}, run the same command again to go on"
                if running
                else "nothing was started"
            )
            if isinstance(stop, Terminated):
                typer.echo(f"backstride: terminated (SIGTERM); {said}", err=True)
                raise typer.Exit(code=TERMINATED_EXIT) from None
            typer.echo(f"backstride: interrupted; {said}", err=True)
            raise typer.Exit(code=130) from None
        if summary.n_failed:
            raise typer.Exit(code=1)


def _print_summary(summary: BatchSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True)
    table = Table(title=f"backstride batch → {summary.out}", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("recording files found", f"{summary.n_files}"),
        ("analysed now", f"{summary.n_analysed}"),
        ("already done (skipped)", f"{summary.n_skipped}"),
        ("same content as another file", f"{summary.n_duplicates}"),
        ("changed in place (rows replaced)", f"{summary.n_changed}"),
        ("failed", f"{summary.n_failed}"),
        ("recording-hours analysed", f"{summary.recording_hours:.2f}"),
        ("walking-hours found", f"{summary.walking_hours:.2f}"),
        ("walking bouts", f"{summary.n_bouts}"),
        ("workers", f"{summary.n_workers}"),
        ("wall time, s", f"{summary.wall_s:.1f}"),
        ("recording-hours per second", f"{summary.hours_per_second:.2f}"),
    ]
    for what, value in rows:
        table.add_row(what, value)
    console.print(table)
    if summary.failures:
        failed = Table(title="failed files (also in failures.parquet)")
        failed.add_column("file")
        failed.add_column("error")
        for f in summary.failures[:20]:
            failed.add_row(f.path, f"{f.error_type}: {f.message}")
        if len(summary.failures) > 20:
            failed.add_row("…", f"{len(summary.failures) - 20} more")
        console.print(failed)
