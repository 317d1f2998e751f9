"""The web app's side of a recording: read and analyse an upload (with its progress), the comparison with
norms ready for a table, and the offline report of a stored analysis.

Only reshaping and calls into io, gait, clinic and report; no clinical thresholds here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backstride._errors import InputError
from backstride.gait import GaitResult

if TYPE_CHECKING:
    from backstride.io import ReadOptions
    from backstride.recording import Recording


def _given(options: ReadOptions | None) -> dict[str, Any]:
    return options.given() if options is not None else {}


def read_recording(path: Path, options: ReadOptions | None = None) -> tuple[Recording, str]:
    """Read an uploaded file with :func:`backstride.io.read` (``options``: what the upload form said of it);
    return it and the name of the reader used."""
    from backstride import io

    recording = io.read(path, **_given(options))
    meta = recording.metadata
    fmt = meta.get("format") or meta.get("source_format") or meta.get("reader") or path.suffix.lstrip(".")
    return recording, str(fmt)


def analyze_recording(
    recording: Recording,
    *,
    height_m: float | None,
    sensor_height_m: float | None,
    age: float | None,
    sex: str | None,
) -> dict[str, Any]:
    """Run the gait engine on a recording with what is known of the patient; the result as JSON."""
    from backstride import gait

    result = gait.analyze(recording, height_m=height_m, sensor_height_m=sensor_height_m, age=age, sex=sex)
    return result.to_dict()


def subject_of(profile: Any) -> dict[str, Any]:
    """What the gait engine is told of a patient, from their stored profile (or nothing known)."""
    return {
        "height_m": profile.height_m if profile else None,
        "sensor_height_m": profile.sensor_height_m if profile else None,
        "age": profile.age if profile else None,
        "sex": profile.sex if profile else None,
    }


def gait_result(data: dict[str, Any]) -> GaitResult:
    return GaitResult.from_dict(data)


def result_notes(gait: GaitResult, *, for_patient: bool) -> list[str]:
    """The analysis's warnings as the result page shows them: the missing height says where the app takes it
    from (the patient's profile) instead of the command line's options an earlier version named."""
    from backstride.gait import HEIGHT_NEEDED

    where = (
        "your therapist can add your height to your profile and analyse this walk again"
        if for_patient
        else "add the patient's height (or the sensor's) to their profile, then analyse this recording again"
    )
    return [
        f"{HEIGHT_NEEDED}: {where}" if w == HEIGHT_NEEDED or "(--height-m)" in w else w for w in gait.warnings
    ]


@dataclass(frozen=True)
class NormRow:
    label: str
    value: str
    reference: str
    comment: str


@dataclass(frozen=True)
class NormView:
    rows: list[NormRow] = field(default_factory=list)
    signs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    digits = 0 if unit.startswith("steps") else (1 if unit.startswith("deg") else 2)
    return f"{value:.{digits}f} {unit}"


def norms_comparison(gait: GaitResult, *, age: float | None, sex: str | None) -> NormView:
    """The clinic's comparison with norms, ready for a table (or why it cannot be made)."""
    from backstride import clinic

    if age is None or sex is None:
        return NormView(
            notes=[
                "A comparison with people of the same age and sex needs the patient's age and sex in their profile."
            ]
        )
    try:
        comparison = clinic.compare_with_norms(gait, age=age, sex=sex)
    except InputError as exc:
        return NormView(notes=[f"No comparison with norms for this walk: {exc}."])
    rows = [
        NormRow(
            label=m.label,
            value=_number(m.value, m.unit),
            reference=_number(m.norm, m.unit),
            comment=m.line,
        )
        for m in comparison.measures
    ]
    return NormView(rows=rows, signs=list(comparison.back_pain_signs), notes=list(comparison.notes))


SIGNAL_TOO_LARGE = "The trunk's signal is not drawn for a recording this large; the other plots are."
SIGNAL_MISSING = "The trunk's signal is not drawn: the recording's stored file could not be read."


def recording_report_html(
    gait: GaitResult,
    recording_path: Path | None,
    *,
    age: float | None,
    sex: str | None,
    no_signal: str = SIGNAL_TOO_LARGE,
    options: ReadOptions | None = None,
) -> str:
    """The recording's self-contained report (as ``backstride analyze --html`` writes it), with the signal
    of its longest bouts read from ``recording_path`` (``None``: not read, for the reason ``no_signal``;
    ``options``: what the upload form said of the file)."""
    from backstride import clinic, io, report
    from backstride.gait import vertical_traces

    traces: list[Any] = []
    signal_note = None
    spans = report.trace_spans(gait)
    if recording_path is None:
        signal_note = no_signal
    elif spans:
        try:
            traces = vertical_traces(io.iter_chunks(recording_path, **_given(options)), spans)
        except InputError as exc:  # read when it was uploaded; a reader changed since then
            signal_note = f"The trunk's signal could not be read again: {exc}."
    comparison = None
    note = None
    if age is None or sex is None:
        note = "A comparison with norms needs the patient's age and sex in their profile."
    else:
        try:
            comparison = clinic.compare_with_norms(gait, age=age, sex=sex)
        except InputError as exc:
            note = f"No comparison with norms for this recording: {exc}."
    return report.recording_report(
        gait, traces=traces, norms=comparison, norms_note=note, signal_note=signal_note
    )


STREAM_CHECK_S = 600.0  # what of a streamed upload is read before it is accepted


def check_stream(path: Path, options: ReadOptions | None = None) -> str:
    """Check the start of a file that will be analysed as a stream; the reader's name (``options``: what the
    upload form said of the file).

    Detection, units and the sampling rate are judged on the first ``STREAM_CHECK_S`` seconds, so the
    usual mistakes (not a recording, wrong units, too slow) are refused before the upload is accepted.
    """
    from backstride import io

    chunks = io.iter_chunks(path, chunk_s=STREAM_CHECK_S, start_only=True, **_given(options))
    try:
        first = next(chunks, None)
    finally:
        chunks.close()  # type: ignore[attr-defined]
    if first is None:
        raise InputError(f"{path.name} holds no samples")
    return str(first.metadata["format"])  # every reader names itself


def analyze_stream_with_progress(
    path: Path, subject: dict[str, Any], progress: Any | None = None, options: ReadOptions | None = None
) -> dict[str, Any]:
    """Analyse a file chunk by chunk (bounded memory), reporting the seconds of recording processed
    (``options``: what the upload form said of the file)."""
    from backstride import gait, io

    chunks = io.iter_chunks(path, **_given(options))
    return gait.analyze_stream(chunks, progress=progress, **subject).to_dict()


def analyze_with_progress(
    recording: Recording, subject: dict[str, Any], progress: Any | None = None
) -> dict[str, Any]:
    """Like :func:`analyze_recording`, reporting the seconds of recording processed to ``progress``."""
    from backstride import gait

    return gait.analyze(recording, progress=progress, **subject).to_dict()
