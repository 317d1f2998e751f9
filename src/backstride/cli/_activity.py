"""``backstride activity``: the walking figures a phone or watch computed, day by day (table or JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from backstride.cli import _reading as reading

if TYPE_CHECKING:
    from rich.table import Table

    from backstride.activity import ActivityData

MAX_SESSIONS_SHOWN = 40


def register(app: typer.Typer) -> None:
    app.command("activity")(activity)


def activity(
    file: Annotated[
        Path,
        typer.Argument(
            help="Apple Health export (export.zip, export.xml or its folder) or a Garmin .fit file (or .fit.gz)"
        ),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print the days, walks and notes as JSON")] = False,
    records: Annotated[
        bool,
        typer.Option(
            "--records",
            help="With --json, every record read too (years of an export: large, and held in memory)",
        ),
    ] = False,
) -> None:
    """Steps per day, and how fast and how evenly the person walks, from Apple Health or a Garmin watch."""
    from backstride._errors import InputError
    from backstride._jsontext import json_lines
    from backstride.activity import read_activity

    if records and not json_out:  # the table has no place for them: asked for, they must not go unsaid
        raise InputError("--records writes every record into the JSON: give it with --json")
    keep = json_out and records  # the days and walks need no records: an export of any size in flat memory
    with reading.recording_read_elsewhere(file):
        data = read_activity(file, keep_records=keep)
    if json_out:
        out = data.to_dict()
        if not keep:
            del out["records"]  # not read, rather than none found
        typer.echo(json_lines(out))
    else:
        print_report(data)


def _fmt(value: float | None, nd: int = 2) -> str:
    return "–" if value is None else f"{value:.{nd}f}"


def print_report(data: ActivityData) -> None:
    """A table of the days and one of the walk sessions (rich)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console()
    kind = "Apple Health export" if data.source_format == "apple_health" else "Garmin FIT file"
    console.print(f"[bold]backstride[/bold] activity — {data.source} ({kind})")
    for note in data.notes:
        console.print(f"  [dim]· {note}[/dim]")
    if not data.days:
        console.print("No steps, walking records or walks found in this file.")
        return
    days = Table(
        title="By day",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        caption="km: distance; m/s: walking speed; step m: step length; asym %: walking asymmetry; "
        "DS %: double support (medians of the day)",
        caption_justify="left",
    )
    for col in ("date", "steps", "km", "m/s", "step m", "asym %", "DS %", "walks"):
        days.add_column(col, justify="right", no_wrap=True)
    for d in data.days:
        days.add_row(
            d.date.isoformat(),
            "–" if d.steps is None else str(d.steps),
            _fmt(None if d.distance_m is None else d.distance_m / 1000.0),
            _fmt(d.walking_speed_mps),
            _fmt(d.step_length_m),
            _fmt(d.walking_asymmetry_pct, 1),
            _fmt(d.double_support_pct, 1),
            str(d.walks),
        )
    console.print(days)
    if data.sessions:
        console.print(_sessions_table(data))


def _sessions_table(data: ActivityData) -> Table:
    from rich import box
    from rich.table import Table

    caption = "min: duration; km: distance; spm: cadence in steps/min; m/s: speed; step m: step length"
    devices = sorted({s.device for s in data.sessions})
    caption += f"; recorded by {'; '.join(devices)}"  # named once, not squeezed into every row
    if len(data.sessions) > MAX_SESSIONS_SHOWN:
        caption += f"; the first {MAX_SESSIONS_SHOWN} of {len(data.sessions)} (--json for all)"
    table = Table(
        title="Walk sessions",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        caption=caption,
        caption_justify="left",
    )
    for col in ("start", "sport", "min", "km", "steps", "spm", "m/s", "step m"):
        table.add_column(col, justify="left" if col in ("start", "sport") else "right", no_wrap=True)
    for s in data.sessions[:MAX_SESSIONS_SHOWN]:
        table.add_row(
            s.start.strftime("%Y-%m-%d %H:%M"),
            s.sport,
            _fmt(s.duration_s / 60.0, 1),
            _fmt(None if s.distance_m is None else s.distance_m / 1000.0),
            "–" if s.steps is None else str(s.steps),
            _fmt(s.cadence_spm, 0),
            _fmt(s.speed_mps),
            _fmt(s.step_length_m),
        )
    return table
