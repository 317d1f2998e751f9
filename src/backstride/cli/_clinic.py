"""CLI commands of the clinical core: ``triage``, ``score``, ``plan``, ``progress``, ``norms``, ``exercises``
and ``self-care``.

Each command reads JSON files, calls the pure functions in :mod:`backstride.clinic` and prints either the
model's JSON (``--json``) or a readable view made with rich. Heavy imports happen inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from backstride._emergency import DEFAULT_EMERGENCY_NUMBER, ENV_EMERGENCY_NUMBER

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydantic import BaseModel
    from rich.console import Console

    from backstride.clinic import NormComparison, Plan, Review, TriageResult

_URGENCY_STYLE = {
    "emergency": "bold white on red",
    "same_day": "bold red",
    "soon": "bold yellow",
    "routine": "green",
}
_URGENCY_TITLE = {
    "emergency": "EMERGENCY",
    "same_day": "See a doctor TODAY",
    "soon": "See a doctor within two weeks",
    "routine": "Routine: no warning signs found",
}
INCOMPLETE_TITLE = "Screen incomplete: an emergency is not ruled out"


def _console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, stderr=stderr)


def _read_json(path: Path, what: str) -> Any:
    from backstride.clinic._jsonfile import read_json

    return read_json(path, what)


def _validate(model: type[BaseModel], data: Any, what: str) -> Any:
    from pydantic import ValidationError

    from backstride._errors import InputError
    from backstride._words import plain

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(plain(str(x)) for x in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InputError(f"{what}: {where}: {plain(first['msg'], 400)}{more}") from None


def _print_json(model: BaseModel) -> None:
    typer.echo(model.model_dump_json(indent=2))


# ---------------------------------------------------------------------------------------------- triage


def _show_triage(console: Console, result: TriageResult, *, title: str | None = None) -> None:
    from rich.panel import Panel
    from rich.text import Text

    from backstride.clinic import finding_in_words

    style = _URGENCY_STYLE[result.urgency]
    incomplete = not result.complete and result.urgency != "emergency"
    if incomplete and result.urgency == "routine" and title is None:
        # nothing found among questions left unanswered is no all-clear: not headed so, nor green
        title, style = INCOMPLETE_TITLE, _URGENCY_STYLE["soon"]
    else:
        title = (title or _URGENCY_TITLE[result.urgency]) + (" (screen incomplete)" if incomplete else "")
    body = Text()
    if result.urgency == "emergency":
        body.append(f"CALL {result.emergency_number} NOW\n", style="bold")
        body.append("or go to the nearest emergency department.\n\n", style="bold")
    body.append(result.advice + "\n")
    for reason in result.reasons:
        # in words, as the clinic app and the doctor's summary say it ("Fever + feeling unwell"); --json keeps
        # the rule's own finding, in the answers' ids
        body.append(f"\n• {finding_in_words(reason.finding)}: ", style="bold")
        body.append(reason.why)
    body.rstrip()
    console.print(Panel(body, title=title, style=style, expand=True))
    for note in result.notes:
        console.print(f"Note: {note}")
    if incomplete:
        console.print(
            f"[bold]Incomplete screen[/bold]: emergency questions not answered: {', '.join(result.unanswered)}"
        )


def _show_questions(console: Console) -> None:
    from backstride.clinic import QUESTIONS

    console.print("[bold]Screening questions[/bold] (emergency questions first; answers are JSON true/false")
    console.print("unless a number or choice is shown)\n")
    for q in QUESTIONS:
        kind = q.kind if q.kind != "choice" else "one of " + ", ".join(q.choices or [])
        if q.unit:
            kind += f", {q.unit}"
        flag = " [bold red]EMERGENCY QUESTION[/bold red]" if q.emergency else ""
        console.print(f"[bold]{q.id}[/bold] ({kind}){flag}")
        console.print(f"    {q.text}")


def _interactive(console: Console, emergency_number: str, *, err: bool = False) -> dict[str, object]:
    """Ask one question at a time, emergency questions first; stop at the first emergency."""
    from backstride._errors import InputError
    from backstride.clinic import QUESTIONS
    from backstride.clinic._triage import parse_answer, triage

    console.print("Answer each question: y = yes, n = no, Enter = skip. Emergency questions come first.\n")
    answers: dict[str, object] = {}
    for q in QUESTIONS:
        hint = (
            "y/n" if q.kind == "bool" else "/".join(q.choices or []) if q.kind == "choice" else q.unit or ""
        )
        while True:
            reply = typer.prompt(f"{q.text} [{hint}]", default="", show_default=False, err=err)
            try:
                answers[q.id] = parse_answer(q, reply)
                break
            except InputError as exc:
                console.print(f"[red]{exc}[/red]")
        if (
            answers[q.id] is not None
            and triage(answers, emergency_number=emergency_number).urgency == "emergency"
        ):
            break
    return answers


def triage_command(
    answers: Path | None = typer.Option(
        None, "--answers", help="JSON object of answers (question id -> answer)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
    questions: bool = typer.Option(False, "--questions", help="List every question with its id and stop"),
    emergency_number: str = typer.Option(
        DEFAULT_EMERGENCY_NUMBER,
        "--emergency-number",
        envvar=ENV_EMERGENCY_NUMBER,
        help="Number to call in an emergency",
    ),
    require_complete: bool = typer.Option(
        False, "--require-complete", help="Fail (exit 3) when an emergency question is unanswered"
    ),
) -> None:
    """Screen for warning signs of serious back problems (emergency, same day, within two weeks, routine)."""
    from backstride.clinic import QUESTIONS, not_screened, triage

    console = _console()
    if questions:
        if as_json:
            typer.echo(json.dumps([q.model_dump() for q in QUESTIONS], indent=2))
        else:
            _show_questions(console)
        return
    if answers is None:
        # With --json the questions go to stderr so that stdout holds only the JSON.
        asker = _console(stderr=True) if as_json else console
        data: dict[str, object] = _interactive(asker, emergency_number, err=as_json)
    else:
        from backstride._errors import InputError

        try:
            raw = _read_json(answers, "answers")
        except InputError as exc:
            # a key given twice is an error, but it must not hide an emergency answered once elsewhere
            shown = _emergency_past_a_slip(answers, exc, emergency_number)
            if shown is None:  # not read: the emergency signs are said all the same
                raise InputError(f"{str(exc).rstrip('.')}. {not_screened(emergency_number)}") from None
            _show_triage_result(shown, as_json=as_json)
            return
        if not isinstance(raw, dict):
            raise InputError(
                f"the answers file {answers} must hold a JSON object (question id -> answer). "
                + not_screened(emergency_number)
            )
        data = raw
    from backstride._errors import InputError

    try:
        result = triage(data, emergency_number=emergency_number, require_complete=require_complete)
    except InputError as exc:  # an answer that cannot be used: the screen was not done, its signs are said
        raise InputError(f"{str(exc).rstrip('.')}. {not_screened(emergency_number)}") from None
    _show_triage_result(result, as_json=as_json)


def _emergency_past_a_slip(path: Path, error: Exception, emergency_number: str) -> TriageResult | None:
    """The emergency the answers file holds despite ``error`` (a key given twice), or None when it holds none."""
    from backstride.clinic import triage
    from backstride.clinic._jsonfile import read_json_without_duplicated_keys

    data = read_json_without_duplicated_keys(path)
    if not isinstance(data, dict):
        return None
    from backstride._errors import InputError

    try:
        result = triage(data, emergency_number=emergency_number)
    except InputError:  # no emergency past the slip: the original error stands
        return None
    if result.urgency != "emergency":
        return None
    note = f"The answers file could not be read in full, which does not change the emergency: {error}."
    return result.model_copy(update={"notes": [note, *result.notes]})


def _show_triage_result(result: TriageResult, *, as_json: bool) -> None:
    if as_json:
        _print_json(result)
    else:
        _show_triage(_console(), result)


# ---------------------------------------------------------------------------------------------- score


def score_command(
    instrument: str = typer.Argument(..., help="nprs, odi, rmdq, startback or psfs"),
    answers: Path = typer.Option(..., "--answers", help="JSON answers (see docs/clinic.md)"),
    before: Path | None = typer.Option(
        None, "--before", help="Answers of an earlier administration to compare"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
) -> None:
    """Score a questionnaire exactly; with --before, judge the change against its MCID."""
    from backstride.clinic import INSTRUMENTS, compare, score

    instrument = instrument.lower()
    result = score(instrument, _read_json(answers, "answers"))
    change = None
    if before is not None:
        change = compare(instrument, score(instrument, _read_json(before, "earlier answers")), result)
    if as_json:
        if change is None:
            _print_json(result)
        else:
            typer.echo(
                json.dumps(
                    {"score": result.model_dump(mode="json"), "change": change.model_dump(mode="json")},
                    indent=2,
                )
            )
        return
    console = _console()
    info = INSTRUMENTS[instrument]
    if result.score is None:
        console.print(f"[bold]{info.name}[/bold]: no score — {result.reason}")
    else:
        rng = f"{info.score_min:g}-{info.score_max:g}"
        console.print(f"[bold]{info.name}[/bold]: [bold]{result.score:.4g}[/bold] (range {rng})")
    for label, value in (("Band", result.band), ("Risk", result.risk), ("How", result.reason)):
        if value is not None and result.score is not None:
            console.print(f"  {label}: {value}")
    if result.psychosocial is not None:
        console.print(f"  Total {result.total}, psychosocial subscale {result.psychosocial}")
    for activity in result.activities or []:
        console.print(f"  {activity.name}: {activity.score:g}/10")
    if change is not None:
        console.print(f"Change: [bold]{change.verdict}[/bold] — {change.explanation}")


# ---------------------------------------------------------------------------------------------- plan


def _show_plan(console: Console, plan: Plan) -> None:
    from rich.table import Table

    console.print(
        f"[bold]Week {plan.week}[/bold] (plan version {plan.version}, from {plan.start_date.isoformat()}): "
        f"[bold]{plan.walks_per_day} walks a day of {plan.minutes_per_walk} minutes[/bold] "
        f"({plan.daily_minutes} minutes a day)"
    )
    console.print(f"Goal: {plan.goal}")
    console.print("\n[bold]On every walk[/bold]")
    for cue in plan.cues:
        console.print(f"  • {cue}")
    table = Table(title="Exercises")
    table.add_column("exercise", style="bold")
    table.add_column("version")
    table.add_column("dose")
    for x in plan.exercises:
        table.add_row(x.name, x.variant + (f": {x.variant_text}" if x.variant_text else ""), x.dose_text)
    console.print(table)
    console.print("[bold]Why[/bold]")
    for reason in plan.reasons:
        console.print(f"  • {reason}")


def plan_command(
    baseline: Path = typer.Option(..., "--baseline", help="Baseline JSON (see docs/clinic.md)"),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON"),
) -> None:
    """Make the first week of the pain-guided walking and exercise program from a baseline."""
    from backstride.clinic import Baseline, make_plan

    base = _validate(Baseline, _read_json(baseline, "baseline"), f"baseline file {baseline}")
    plan = make_plan(base)
    if as_json:
        _print_json(plan)
    else:
        _show_plan(_console(), plan)


def _show_review(console: Console, review: Review) -> None:
    style = {"progress": "bold green", "hold": "bold yellow", "step_back": "bold yellow", "stop": "bold red"}
    if review.triage is not None:
        # the screen's advice comes first, before anything else is printed; a stop for a sign the screen rates
        # routine must not be headed "no warning signs found"
        routine = review.triage.urgency == "routine"
        _show_triage(
            console, review.triage, title="Not urgent: see a clinician before walking on" if routine else None
        )
    console.print(f"Decision: [{style[review.decision]}]{review.decision.replace('_', ' ').upper()}[/]")
    for reason in review.reasons:
        console.print(f"  • {reason}")
    if review.new_plan is not None:
        console.print()
        _show_plan(console, review.new_plan)


def progress_command(
    plan: Path = typer.Option(
        ..., "--plan", help="The current week's plan (JSON from `backstride plan --json`)"
    ),
    log: Path = typer.Option(..., "--log", help='The week\'s daily logs: a JSON list, or {"days": [...]}'),
    baseline_pain: float | None = typer.Option(None, "--baseline-pain", help="Override the starting pain"),
    emergency_number: str = typer.Option(
        DEFAULT_EMERGENCY_NUMBER,
        "--emergency-number",
        envvar=ENV_EMERGENCY_NUMBER,
        help="Number to call in an emergency",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the review as JSON"),
) -> None:
    """Review a week of logs: progress, hold, step back, or stop on a warning sign."""
    from backstride._errors import InputError
    from backstride.clinic import DailyLog, Plan, review_week
    from backstride.clinic._program import logged_warning_signs, stop_for_warning_signs

    try:
        raw = _read_json(log, "log")
    except InputError:
        # a key given twice is an error, but it must not hide a warning sign logged once elsewhere
        from backstride.clinic._jsonfile import read_json_without_duplicated_keys

        raw = read_json_without_duplicated_keys(log)
        if not logged_warning_signs(raw):
            raise
    flagged = logged_warning_signs(raw)
    if flagged:
        # a warning sign stops the plan before anything else is checked: a slip elsewhere in the log or in
        # the plan file must not stand between the sign and its advice
        stop = stop_for_warning_signs(flagged, emergency_number=emergency_number)
        if as_json:
            _print_json(stop)
        else:
            _show_review(_console(), stop)
        return
    current = _validate(Plan, _read_json(plan, "plan"), f"plan file {plan}")
    if isinstance(raw, dict) and set(raw) == {"days"}:
        raw = raw["days"]
    if not isinstance(raw, list):
        raise InputError(f'the log file {log} must hold a JSON list of days, or an object {{"days": [...]}}')
    logs = [_validate(DailyLog, day, f"log file {log}, day {i}") for i, day in enumerate(raw, start=1)]
    review = review_week(current, logs, baseline_pain=baseline_pain, emergency_number=emergency_number)
    if as_json:
        _print_json(review)
    else:
        _show_review(_console(), review)


# ---------------------------------------------------------------------------------------------- norms


def norms_command(
    gait: Path = typer.Option(
        ..., "--gait", help="Gait result JSON (`backstride analyze --json`) or a summary"
    ),
    age: float = typer.Option(..., "--age", help="Age in years"),
    sex: str = typer.Option(..., "--sex", help="female or male (or F/M)"),
    trunk_lean_reference: float | None = typer.Option(
        None,
        "--trunk-lean-reference",
        help="The person's own earlier trunk lean (deg), same sensor placement",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON"),
) -> None:
    """Compare walking speed, cadence, stride length and trunk lean with norms for age and sex."""
    from backstride.clinic import compare_with_norms
    from backstride.clinic._norms import gait_summary

    data = _read_json(gait, "gait result")
    gait_summary(data, f"the gait result file {gait}")
    result = compare_with_norms(data, age=age, sex=sex, trunk_lean_reference_deg=trunk_lean_reference)
    if as_json:
        _print_json(result)
        return
    show_norms(_console(), result)


def show_norms(console: Console, result: NormComparison) -> None:
    """A comparison with norms as a few lines (``backstride norms`` and ``analyze --age --sex``)."""
    who = "women" if result.sex == "female" else "men"
    console.print(f"[bold]Compared with healthy {who} aged {result.age_band}[/bold]")
    for m in result.measures:
        console.print(f"  • {m.line}")
    if result.back_pain_signs:
        console.print(f"Signs typical of back pain: [bold]{', '.join(result.back_pain_signs)}[/bold]")
    else:
        console.print("None of the walking signs typical of back pain show.")
    for note in result.notes:
        console.print(f"Note: {note}")


# ---------------------------------------------------------------------------------------------- library


def _exercise_id(typed: str, library: Mapping[str, Any]) -> str | None:
    """The id of the exercise ``typed`` names, as a person types it: its id or its name shown in the library
    ("Bird-dog", "bird dog", "Child's pose"), in any case, with hyphens or spaces for underscores."""
    import re

    def key(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", re.sub(r"['’]", "", text.lower())).strip("_")

    wanted = key(typed)
    for ex_id, ex in library.items():
        if wanted in (key(ex_id), key(ex.name), key(ex.name.split(" (")[0])):
            return str(ex_id)
    return None


def exercises_command(
    exercise: str | None = typer.Argument(None, help="Show one exercise in full"),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
) -> None:
    """List the exercise library, or show one exercise with instructions, dose, variants and cautions."""
    from backstride._errors import InputError
    from backstride.clinic import EXERCISES

    if exercise is not None:
        typed, exercise = exercise, _exercise_id(exercise, EXERCISES)
        if exercise is None:
            raise InputError(f"unknown exercise '{typed}'; choose one of {', '.join(EXERCISES)}")
    chosen = [EXERCISES[exercise]] if exercise else list(EXERCISES.values())
    if as_json:
        typer.echo(json.dumps([e.model_dump(mode="json") for e in chosen], indent=2))
        return
    console = _console()
    if exercise is None:
        from rich.table import Table

        table = Table(title="Exercise library")
        for col in ("id", "name", "kind", "starting dose", "targets"):
            table.add_column(col)
        for e in chosen:
            table.add_row(e.id, e.name, e.kind, e.dose.describe(), ", ".join(e.targets))
        console.print(table)
        return
    e = chosen[0]
    console.print(f"[bold]{e.name}[/bold] ({e.kind}; {', '.join(e.targets)})")
    for i, step in enumerate(e.instructions, start=1):
        console.print(f"  {i}. {step}")
    console.print(f"Dose: {e.dose.describe()}")
    console.print(f"Easier: {e.easier}")
    console.print(f"Harder: {e.harder}")
    for c in e.cautions:
        console.print(f"[bold]Caution:[/bold] {c}")


def self_care_command(as_json: bool = typer.Option(False, "--json", help="Print as JSON")) -> None:
    """Show the self-care cards (heat and cold, pain relief, staying active, gentle stretches, posture, shoes,
    weight, when to seek help)."""
    from backstride.clinic import SELF_CARE

    if as_json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in SELF_CARE], indent=2))
        return
    console = _console()
    for card in SELF_CARE:
        console.print(f"[bold]{card.title}[/bold]")
        for line in card.body:
            console.print(f"  • {line}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command("triage")(triage_command)
    app.command("score")(score_command)
    app.command("plan")(plan_command)
    app.command("progress")(progress_command)
    app.command("norms")(norms_command)
    app.command("exercises")(exercises_command)
    app.command("self-care")(self_care_command)
