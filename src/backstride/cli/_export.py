"""``backstride export-fhir``: one patient's record from the clinic database as a FHIR R4 bundle."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("export-fhir")(export_fhir)


def export_fhir(
    patient: Annotated[str, typer.Argument(help="The patient: their e-mail address or backstride number")],
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", "-o", help="Write the bundle to this file (default: standard output)"),
    ] = None,
    database_url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--database-url",
            help="Database (default: $BACKSTRIDE_DATABASE_URL, else SQLite in the user's data folder)",
        ),
    ] = None,
) -> None:
    """Export a patient's screens, questionnaire scores, measured walking, diary, plan versions and therapy
    sessions as a FHIR R4 bundle (JSON), for a doctor's or a clinic's record system."""
    from backstride import fhir, store
    from backstride._errors import InputError
    from backstride._files import check_writable, write_text_whole
    from backstride.cli._db import _redact, _why

    if out is not None:
        check_writable(out, "the export", "record.fhir.json")
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
            user = (
                store.get_user(session, int(patient))
                if patient.strip().isdigit()
                else store.get_user_by_email(session, patient)
            )
            if user is None or user.role != "patient":
                raise InputError(f"there is no patient {patient!r} in {_redact(url)}")
            record = store.fhir_record(session, user.id)
    finally:
        engine.dispose()
    bundle = fhir.patient_bundle(record, generated_at=dt.datetime.now(dt.UTC))
    text = json.dumps(bundle, ensure_ascii=False, indent=1) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    write_text_whole(out, text)
    n = len(bundle["entry"])
    typer.echo(f"backstride: {n} resources for {record.patient.name} written to {out}", err=True)
