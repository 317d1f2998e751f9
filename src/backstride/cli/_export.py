"""``backstride export-fhir`` and ``export-summary``: one patient's record from the clinic database as a FHIR R4
bundle, or as the progress summary for their doctor (HTML).

An export discloses the record, so each one written is noted in the clinic's audit trail (``record_exported``, by
the command line, saying what went where) in the transaction that read it; one that fails is not."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
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

    def bundle(record: Any) -> tuple[str, str]:
        from backstride import fhir, report

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

    def summary(record: Any) -> tuple[str, str]:
        from backstride import report

        return report.course_report(record, generated_at=dt.datetime.now(dt.UTC)), "the progress summary"

    _export(patient, database_url, out, "summary.html", "progress summary", summary)


def _export(
    patient: str,
    database_url: str | None,
    out: Path | None,
    example: str,
    kind: str,
    render: Callable[[Any], tuple[str, str]],
) -> None:
    """Read the patient's whole record, ``render`` it (the text, and what it is for the closing line), write it
    and note the export in the audit trail, all in one transaction: the entry is there only if the export was
    written (a refused patient, an unwritable file or a full disk leave neither)."""
    from sqlalchemy.exc import SQLAlchemyError

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
        try:
            with store.transaction(engine) as session:
                number = store.row_id(patient)
                user = (
                    store.get_user(session, number)
                    if number is not None
                    else store.get_user_by_email(session, patient)
                )
                if user is None or user.role != "patient":
                    raise InputError(f"there is no patient {patient!r} in {_redact(url)}")
                record = store.patient_record(session, user.id)
                text, what = render(record)
                where = str(out.absolute()) if out is not None else "standard output"
                # written first, so that a database that cannot take it refuses the export before the file exists
                store.log_event(
                    session, "record_exported", user.id, actor_id=None, detail=f"{kind} to {where}"
                )
                _emit(text, out)
        except SQLAlchemyError as exc:
            raise InputError(
                f"could not export from the database at {_redact(url)}: {_why(exc)}; nothing was exported"
            ) from exc
    finally:
        engine.dispose()
    if out is not None:
        typer.echo(f"backstride: {what} for {record.patient.name} written to {out}", err=True)


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
