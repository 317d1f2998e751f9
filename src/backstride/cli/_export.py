"""``backstride export-fhir``, ``export-summary`` and ``export-plan``: one patient's record from the clinic database
as a FHIR R4 bundle, as the progress summary for their doctor (HTML), or their current plan as the home program
sheet to print (HTML).

An export discloses the record, so each one written is noted in the clinic's audit trail (``record_exported``, by
the command line, saying what went where) in the transaction that read it; one that fails is not."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from backstride._emergency import DEFAULT_EMERGENCY_NUMBER, ENV_EMERGENCY_NUMBER


def register(app: typer.Typer) -> None:
    app.command("export-fhir")(export_fhir)
    app.command("export-summary")(export_summary)
    app.command("export-plan")(export_plan)


PatientArg = Annotated[str, typer.Argument(help="The patient: their e-mail address or backstride number")]
DatabaseOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--database-url",
        help="Database (default: $BACKSTRIDE_DATABASE_URL, else SQLite in the user's data folder)",
    ),
]


def export_fhir(
    patient: PatientArg,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", "-o", help="Write the bundle to this file (default: standard output)"),
    ] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Export a patient's record as a FHIR R4 bundle (JSON) for a doctor's or a clinic's record system.

    It holds the screens, questionnaire scores, measured walking, diary, program versions and therapy sessions.
    The progress summary for the doctor rides along as a document."""

    def bundle(session: Any, patient: Any) -> tuple[str, str]:
        from backstride import _plans, fhir, report

        record = _plans.patient_record(session, patient, dt.date.today())
        now = dt.datetime.now(dt.UTC)
        made = fhir.patient_bundle(
            record, generated_at=now, summary_html=report.course_report(record, generated_at=now, plots=False)
        )
        return fhir.bundle_json(made), f"{len(made['entry'])} resources"

    _export(patient, database_url, out, "record.fhir.json", "FHIR R4 bundle", bundle)


def export_summary(
    patient: PatientArg,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", "-o", help="Write the summary to this file (default: standard output)"),
    ] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Write the progress summary of a patient's whole course for their doctor (HTML, opens offline).

    One self-contained file with plots, for screen or paper.
    It holds the screens, questionnaire changes, measured walking, the diary week by week and the program."""

    def summary(session: Any, patient: Any) -> tuple[str, str]:
        from backstride import _plans, report

        record = _plans.patient_record(session, patient, dt.date.today())
        return report.course_report(record, generated_at=dt.datetime.now(dt.UTC)), "the progress summary"

    _export(patient, database_url, out, "summary.html", "progress summary", summary)


def export_plan(
    patient: PatientArg,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", "-o", help="Write the sheet to this file (default: standard output)"),
    ] = None,
    emergency_number: Annotated[
        str,
        typer.Option(
            "--emergency-number",
            envvar=ENV_EMERGENCY_NUMBER,
            help="The clinic's number to call in an emergency, printed on the sheet",
        ),
    ] = DEFAULT_EMERGENCY_NUMBER,
    database_url: DatabaseOpt = None,
) -> None:
    """Write a patient's current plan as the home program sheet to print and hand over (HTML, opens offline).

    The week's walks and exercises with their doses and steps, a tick chart for the week, what to do when pain
    rises, and the warning signs with the number to call: the same sheet the web app prints."""

    def sheet(session: Any, user: Any) -> tuple[str, str]:
        from backstride import _plans, report, store
        from backstride._errors import InputError

        # the plan brought up to date as the web app shows it (weeks past are reviewed, in memory only)
        _row, plan, review = _plans.current_plan(
            session, user, dt.date.today(), emergency_number=emergency_number
        )
        if plan is None:
            raise InputError(
                f"{user.name} has no plan yet (it is made in the app once the check-in and the pain questionnaire "
                "are in); nothing was exported"
            )
        if review is not None and review.decision == "stop":
            raise InputError(
                f"the walking plan of {user.name} is paused for a warning sign until a clinician resumes it "
                "(the plan page says why); "
                "nothing was exported"
            )
        now = dt.datetime.now(dt.UTC)
        text = report.home_program_sheet(
            plan,
            name=user.name,
            emergency_number=emergency_number,
            generated_at=now,
            latest_screening=store.latest_screening(session, user.id),
        )
        return text, "the home program sheet"

    _export(patient, database_url, out, "home-program.html", "home program sheet", sheet)


def _export(
    patient: str,
    database_url: str | None,
    out: Path | None,
    example: str,
    kind: str,
    render: Callable[[Any, Any], tuple[str, str]],
) -> None:
    """Read the patient and ``render`` them from a read-only session (the text, and what it is for the closing
    line); then note the export in the audit trail and write it in one transaction: the entry is there only if
    the export was written (a refused patient, an unwritable file or a full disk leave neither)."""
    from sqlalchemy.exc import SQLAlchemyError

    from backstride import store
    from backstride._errors import InputError
    from backstride._files import check_writable
    from backstride.cli._db import DAMAGED_RECORD_ERRORS, _redact, _why, damaged_record

    if out is not None:
        check_writable(out, "the export", example)
    url = database_url or store.database_url()
    path = store.sqlite_path(url)
    if path is not None and not path.exists():
        raise InputError(
            f"there is no database at {path} (give --database-url, or create one: backstride db upgrade)"
        )
    engine = store.make_engine(url)
    try:
        try:
            if not store.is_up_to_date(engine):
                raise InputError(
                    f"the database at {_redact(url)} is not a backstride database at the newest revision "
                    "(run: backstride db upgrade)"
                )
        except InputError:
            raise
        except Exception as exc:  # connection refused, bad credentials...
            raise InputError(f"could not read the database at {_redact(url)}: {_why(exc)}") from exc
        try:
            # read and rendered in a read-only transaction (a summary's plots take about a second: SQLite's write
            # lock is not held for it), then noted and written in a short one
            with store.transaction(engine, readonly=True) as session:
                user = _patient_of(session, patient, url)
                user_id, name = user.id, user.name
                try:
                    text, what = render(session, user)
                except DAMAGED_RECORD_ERRORS as exc:
                    raise damaged_record(f"the database at {_redact(url)}", exc) from exc
            where = str(out.absolute()) if out is not None else "standard output"
            with store.transaction(engine) as session:
                if store.get_user(session, user_id) is None:  # deleted meanwhile: nothing to note it against
                    raise InputError(f"there is no patient {patient!r} in {_redact(url)}")
                # written first, so that a database that cannot take it refuses the export before the file exists
                store.log_event(
                    session, "record_exported", user_id, actor_id=None, detail=f"{kind} to {where}"
                )
                _emit(text, out)
        except SQLAlchemyError as exc:
            raise InputError(
                f"could not export from the database at {_redact(url)}: {_why(exc)}; nothing was exported"
            ) from exc
    finally:
        engine.dispose()
    if out is not None:
        typer.echo(f"backstride: {what} for {name} written to {out}", err=True)


def _patient_of(session: Any, patient: str, url: str) -> Any:
    """The patient an export names (e-mail or row id); one readable refusal for anyone else."""
    from backstride import store
    from backstride._errors import InputError
    from backstride.cli._db import _redact

    number = store.row_id(patient)
    user = (
        store.get_user(session, number) if number is not None else store.get_user_by_email(session, patient)
    )
    if user is None or user.role != "patient":
        raise InputError(f"there is no patient {patient!r} in {_redact(url)}")
    return user


def _emit(text: str, out: Path | None) -> None:
    """The export to standard output, or whole to ``out`` (one readable line if it cannot be written)."""
    from backstride import _files
    from backstride._errors import InputError

    if out is None:
        sys.stdout.write(text)
        return
    try:
        _files.write_text_whole(out, text)
    except OSError as exc:
        raise InputError(f"could not write {out}: {exc.strerror or exc}; nothing was exported") from exc
