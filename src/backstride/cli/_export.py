"""``backstride export-fhir`` and ``export-summary``: one patient's record from the clinic database as a FHIR R4
bundle, or as the progress summary for their doctor (HTML)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("export-fhir")(export_fhir)
    app.command("export-summary")(export_summary)


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
    from backstride import fhir, report

    record = _record(patient, database_url, out, "record.fhir.json")
    now = dt.datetime.now(dt.UTC)
    bundle = fhir.patient_bundle(
        record, generated_at=now, summary_html=report.course_report(record, generated_at=now, plots=False)
    )
    _emit(fhir.bundle_json(bundle), out, f"{len(bundle['entry'])} resources", record)


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
    from backstride import report

    record = _record(patient, database_url, out, "summary.html")
    _emit(
        report.course_report(record, generated_at=dt.datetime.now(dt.UTC)),
        out,
        "the progress summary",
        record,
    )


def _record(patient: str, database_url: str | None, out: Path | None, example: str) -> Any:
    """The patient's whole record from the database, after checking the output can be written."""
    from backstride import store
    from backstride._errors import InputError
    from backstride._files import check_writable
    from backstride.cli._db import _redact, _why

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
        with store.transaction(engine, readonly=True) as session:
            number = store.row_id(patient)
            user = (
                store.get_user(session, number)
                if number is not None
                else store.get_user_by_email(session, patient)
            )
            if user is None or user.role != "patient":
                raise InputError(f"there is no patient {patient!r} in {_redact(url)}")
            return store.patient_record(session, user.id)
    finally:
        engine.dispose()


def _emit(text: str, out: Path | None, what: str, record: Any) -> None:
    """The export to standard output, or whole to ``out`` with a line on standard error."""
    from backstride._files import write_text_whole

    if out is None:
        sys.stdout.write(text)
        return
    write_text_whole(out, text)
    typer.echo(f"backstride: {what} for {record.patient.name} written to {out}", err=True)
