"""A patient's record as a FHIR R4 ``Bundle`` of type ``collection`` (plain JSON values).

The bundle holds, in this order: a ``CodeSystem`` defining backstride's own codes, the ``Patient``, their
body height, every warning-sign screen, scored questionnaire, analysed walking recording, diary day and
imported activity day as an ``Observation``, every version of the walking and exercise program as a
``CarePlan`` (the newest ``active``, each replacing the one before), every hands-on therapy session as a
``Procedure`` and, when given, the progress summary for the doctor as a ``DocumentReference`` holding the
HTML. References inside the bundle are
``urn:uuid:`` full URLs, derived from the patient's and each row's number, so exporting the same record
twice gives the same bundle. Codes and units: :mod:`backstride.fhir._codes`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Iterator
from typing import Any

from backstride.course import (
    ActivityEntry,
    DiaryEntry,
    GaitEntry,
    PatientRecord,
    PlanEntry,
    ScoreEntry,
    ScreeningEntry,
    SessionEntry,
)
from backstride.fhir import _codes as c

Json = dict[str, Any]

# the namespace of the bundle's urn:uuid full URLs (uuid5 of a row's kind and number)
_NAMESPACE = uuid.UUID("a3b9c8d2-41f6-4f0e-8c1b-2e7d5f6a9b10")
_GENDERS = {"female": "female", "male": "male", "other": "other"}


def patient_bundle(
    record: PatientRecord, *, generated_at: dt.datetime | None = None, summary_html: str | None = None
) -> Json:
    """``record`` as a FHIR R4 ``Bundle`` (type ``collection``), ready for :func:`bundle_json`.

    ``generated_at`` (default: now) is the bundle's timestamp; a naive time is taken as UTC.
    ``summary_html``, the progress summary made from the same record at the same time
    (``backstride.report.course_report``), goes in as a ``DocumentReference``: a record system that shows
    documents shows the doctor what backstride's own summary shows.
    """
    when = generated_at or dt.datetime.now(dt.UTC)
    resources = _Resources(record, summary_html=summary_html, when=when)
    return {
        "resourceType": "Bundle",
        "id": _uuid(record.patient.id, "bundle", 0),
        "type": "collection",
        "timestamp": _datetime(when),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def bundle_json(bundle: Json) -> str:
    """A bundle as the text a download or a file holds (UTF-8 characters kept, one-space indents)."""
    return json.dumps(bundle, ensure_ascii=False, indent=1) + "\n"


class _Resources:
    """The bundle's resources, in order (an iterable, built one at a time)."""

    def __init__(self, record: PatientRecord, *, summary_html: str | None, when: dt.datetime) -> None:
        self.record = record
        self.summary_html = summary_html
        self.when = when
        self.pid = record.patient.id
        self.subject = {"reference": f"urn:uuid:{_uuid(self.pid, 'patient', self.pid)}"}

    def __iter__(self) -> Iterator[Json]:
        rec = self.record
        yield _code_system()
        yield self.patient()
        if (height := _real(rec.patient.height_m)) is not None:
            yield self.observation(
                ("height", 0),
                category="vital-signs",
                code=_loinc(*c.BODY_HEIGHT_LOINC),
                value=_quantity(round(height * 100.0, 1), "cm", "cm"),
            )
        for s in rec.screenings:
            yield self.screening(s)
        for q in rec.scores:
            if (value := _real(q.score)) is not None:  # an unscored answer set has nothing to send
                yield self.score(q, value)
        for g in rec.gait:
            yield self.gait(g)
        for d in rec.diary:
            yield from self.diary(d)
        for a in rec.activity:
            yield from self.activity(a)
        # an earlier version's pause ends on the day the next version started (course.PatientRecord.earlier_pauses)
        pause_until = {end: start for start, end in rec.earlier_pauses}
        for i, p in enumerate(rec.plans):
            previous = rec.plans[i - 1] if i else None
            last = i == len(rec.plans) - 1
            after = None if last else rec.plans[i + 1].start_date
            yield self.care_plan(
                p,
                previous,
                active=last,
                paused=rec.plan_paused if last else None,
                paused_on=rec.plan_paused_on if last else None,
                was_paused=(pause_until[after], after) if after in pause_until else None,
            )
        for t in rec.sessions:
            yield self.procedure(t)
        if self.summary_html is not None:
            yield self.summary(self.summary_html)

    # -- resources -------------------------------------------------------------------------------------
    def patient(self) -> Json:
        info = self.record.patient
        out: Json = {
            "resourceType": "Patient",
            "id": _uuid(self.pid, "patient", self.pid),
            "identifier": [{"system": c.PATIENT_ID_SYSTEM, "value": str(info.id)}],
            # FHIR's "record in active use": false once the account is closed (care ended), the record kept
            "active": info.closed_at is None,
            "name": [{"text": info.name}],
        }
        sex = (info.sex or "").strip().lower()
        out["gender"] = _GENDERS.get(sex, "unknown") if sex else "unknown"
        return out

    def observation(
        self,
        key: tuple[str, int],
        *,
        category: str,
        code: Json,
        when: dt.datetime | dt.date | None = None,
        value: Json | None = None,
        components: list[Json] | None = None,
        note: str | None = None,
        **extra: Any,
    ) -> Json:
        """An ``Observation`` (``value`` is a ``value[x]`` pair such as ``{"valueQuantity": ...}``)."""
        out: Json = {
            "resourceType": "Observation",
            "id": _uuid(self.pid, *key),
            "status": "final",
            "category": [_concept(c.CATEGORY, category, c.CATEGORIES[category])],
            "code": code,
            "subject": self.subject,
        }
        if when is not None:
            out["effectiveDateTime"] = _when(when)
        out.update(extra)
        if value:
            out.update(value)
        if components:
            out["component"] = components
        if note:
            out["note"] = [{"text": note}]
        return out

    def screening(self, s: ScreeningEntry) -> Json:
        code, display = c.URGENCY_INTERPRETATION.get(s.urgency, ("A", "Abnormal"))
        findings = [
            {
                "code": _own("screen-finding", text=f.rule),
                "valueString": f"{f.text} ({_display(f.urgency).lower()})",
            }
            for f in s.findings
        ]
        note = None if s.complete else "Not complete: an emergency question was left unanswered."
        return self.observation(
            ("screening", s.id),
            category="survey",
            code=_own("red-flag-screen"),
            when=s.when,
            value={"valueCodeableConcept": _own(s.urgency)},
            components=findings,
            note=note,
            interpretation=[_concept(c.INTERPRETATION, code, display)],
        )

    def score(self, q: ScoreEntry, value: float) -> Json:
        ucum, unit = c.SCORE_UNITS.get(q.instrument, ("{score}", "score"))
        code = _loinc(*c.PAIN_LOINC) if q.instrument == "nprs" else _own(q.instrument)
        parts: list[Json] = []
        if q.band:
            parts.append({"code": _own("disability-band"), "valueString": q.band})
        if q.risk:
            parts.append({"code": _own("risk-group"), "valueString": q.risk})
        for name, rating in q.activities:
            if _real(rating) is not None:
                parts.append(
                    {
                        "code": _own("psfs-activity", text=name),
                        "valueQuantity": _quantity(rating, "{score}", "score")["valueQuantity"],
                    }
                )
        return self.observation(
            ("score", q.id),
            category="survey",
            code=code,
            when=q.when,
            value=_quantity(value, ucum, unit),
            components=parts,
            status=_status(q.entered_in_error),
        )

    def gait(self, g: GaitEntry) -> Json:
        parts = []
        for field, code, ucum, unit in c.GAIT_COMPONENTS:
            if (value := _real(g.summary.get(field))) is not None:
                parts.append({"code": _own(code), **_quantity(value, ucum, unit)})
        start = _aware(g.start_time)
        note = f"From {g.source}"
        duration = _real(g.duration_s)
        if duration is not None:
            note += f" ({duration / 60.0:.1f} min)"
        if g.start_time and start is None:
            note += f", started {g.start_time} by the sensor's clock (no time zone)"
        if start is None:
            note += "; the time given is its upload's"
        note += "; the medians are over the walking bouts of 10 s or more."
        if g.entered_in_error:
            note += " A clinician marked this recording as entered in error."
        extra: Json = {
            "method": {"text": "backstride gait analysis of a lower-back sensor recording"},
            "status": _status(g.entered_in_error),
        }
        when: dt.datetime | None = g.when
        if start is not None:
            when = None
            period = {"start": _datetime(start)}
            if duration is not None:
                period["end"] = _datetime(start + dt.timedelta(seconds=duration))
            extra["effectivePeriod"] = period
        return self.observation(
            ("gait", g.id),
            category="activity",
            code=_own("walking-measurement"),
            when=when,
            components=parts,
            note=note,
            **extra,
        )

    def diary(self, d: DiaryEntry) -> Iterator[Json]:
        if (pain := _real(d.pain)) is not None:
            yield self.observation(
                ("diary-pain", d.id),
                category="survey",
                code=_loinc(*c.PAIN_LOINC),
                when=d.date,
                value=_quantity(pain, "{score}", "score"),
            )
        parts: list[Json] = [{"code": _own("walks"), **_quantity(d.walks, "{walks}", "walks")}]
        if (minutes := _real(d.minutes_walked)) is not None:
            parts.insert(0, {"code": _own("minutes-walked"), **_quantity(minutes, "min", "min")})
        if (morning := _real(d.next_morning_pain)) is not None:
            parts.append({"code": _own("next-morning-pain"), **_quantity(morning, "{score}", "score")})
        parts.append({"code": _own("red-flag-reported"), "valueBoolean": d.red_flag})
        yield self.observation(
            ("diary", d.id), category="activity", code=_own("walking-diary"), when=d.date, components=parts
        )

    def activity(self, a: ActivityEntry) -> Iterator[Json]:
        if a.steps is not None:
            yield self.observation(
                ("activity-steps", a.id),
                category="activity",
                code=_loinc(*c.STEPS_PER_DAY_LOINC),
                when=a.date,
                value=_quantity(a.steps, "/d", "steps/day"),
                note=f"From {a.source}",
            )
        parts = [
            {"code": _own(code), **_quantity(number, ucum, unit)}
            for code, value, ucum, unit in (
                ("walking-distance", a.distance_m, "m", "m"),
                ("walking-speed", a.walking_speed_mps, "m/s", "m/s"),
                ("step-length", a.step_length_m, "m", "m"),
            )
            if (number := _real(value)) is not None
        ]
        if parts:
            yield self.observation(
                ("activity", a.id),
                category="activity",
                code=_own("activity-day"),
                when=a.date,
                components=parts,
                note=f"From {a.source}",
            )

    def care_plan(
        self,
        p: PlanEntry,
        previous: PlanEntry | None,
        *,
        active: bool,
        paused: str | None = None,
        paused_on: dt.date | None = None,
        was_paused: tuple[dt.date, dt.date] | None = None,
    ) -> Json:
        """One version of the program as a ``CarePlan``: the current one ``active`` (``on-hold`` while
        ``paused`` for a warning sign, with why in its notes, dated ``paused_on`` when known), the earlier ones
        ``completed``; an earlier one paused for a warning sign until the next began (``was_paused``: from, until)
        says so in a note dated by the pause's first day."""
        status = "on-hold" if paused else "in-progress" if active else "completed"
        walking = "Walking"
        if p.walks_per_day is not None and p.minutes_per_walk is not None:
            walking = f"Walk {p.walks_per_day} times a day, {p.minutes_per_walk:g} minutes each"
        activities = [{"detail": {"status": status, "description": walking}}]
        activities += [
            {"detail": {"status": status, "description": f"{name}: {dose}" if dose else name}}
            for name, dose in p.exercises
        ]
        out: Json = {
            "resourceType": "CarePlan",
            "id": _uuid(self.pid, "plan", p.id),
            "status": "on-hold" if paused else "active" if active else "completed",
            "intent": "plan",
            "title": f"Walking and exercise program, version {p.version}",
            "subject": self.subject,
            "created": _datetime(p.when),
            "activity": activities,
        }
        if p.advice:
            out["description"] = " ".join(p.advice)
        if p.start_date is not None:
            out["period"] = {"start": p.start_date.isoformat()}
        if previous is not None:
            out["replaces"] = [{"reference": f"urn:uuid:{_uuid(self.pid, 'plan', previous.id)}"}]
        notes: list[Json] = [{"text": p.reason}] if p.reason else []
        if paused:
            notes.append({"text": paused, **({"time": paused_on.isoformat()} if paused_on else {})})
        if was_paused is not None:
            start, end = was_paused
            notes.append(
                {
                    "text": f"Paused for a warning sign from {start.isoformat()} until the next version started "
                    f"on {end.isoformat()}: no walking was asked for then.",
                    "time": start.isoformat(),
                }
            )
        if notes:
            out["note"] = notes
        return out

    def procedure(self, t: SessionEntry) -> Json:
        """A hands-on therapy session as a completed ``Procedure``."""
        summary = [f"dose {t.dose}" if t.dose else ""]
        if (minutes := _real(t.duration_min)) is not None:
            summary.append(f"{minutes:g} min")
        before, after = _real(t.pain_before), _real(t.pain_after)
        if before is not None and after is not None:
            summary.append(f"pain {before:g} → {after:g} of 10")
        notes = [n for n in ("; ".join(x for x in summary if x), t.notes.strip()) if n]
        out: Json = {
            "resourceType": "Procedure",
            "id": _uuid(self.pid, "session", t.id),
            "status": "completed",
            "category": {"text": "Physical therapy"},
            "code": {"text": t.technique},
            "subject": self.subject,
            "performedDateTime": t.date.isoformat(),
            "performer": [{"actor": {"display": t.clinician}}],
        }
        if t.region.strip():
            out["bodySite"] = [{"text": t.region}]
        if t.response:
            out["outcome"] = {"text": f"{t.response.capitalize()} right after the session"}
        if notes:
            out["note"] = [{"text": n} for n in notes]
        return out

    def summary(self, html: str) -> Json:
        """The progress summary as a ``DocumentReference`` with the HTML inside (base64, with its size and
        SHA-1 as FHIR's ``Attachment`` asks). One id per patient: each export's summary replaces the last."""
        data = html.encode("utf-8")
        made = _datetime(self.when)
        return {
            "resourceType": "DocumentReference",
            "id": _uuid(self.pid, "summary", 0),
            "status": "current",
            "docStatus": "final",
            "type": _loinc(*c.PROGRESS_NOTE_LOINC),
            "subject": self.subject,
            "date": made,
            "description": "Progress summary of the whole course of care, made by backstride",
            "content": [
                {
                    "attachment": {
                        "contentType": "text/html",
                        "language": "en",
                        "data": base64.b64encode(data).decode("ascii"),
                        "size": len(data),
                        "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),
                        "title": f"Progress summary: {self.record.patient.name}",
                        "creation": made,
                    }
                }
            ],
        }


# -- building blocks ----------------------------------------------------------------------------------------
def _code_system() -> Json:
    from backstride.clinic import URGENCY_ORDER, advice_for

    concepts = [{"code": k, "display": d, "definition": text} for k, (d, text) in c.CONCEPTS.items()]
    concepts += [
        {
            "code": u,
            "display": _display(u),
            "definition": advice_for(u, "the local emergency number"),
        }
        for u in URGENCY_ORDER
    ]
    return {
        "resourceType": "CodeSystem",
        "id": str(uuid.uuid5(_NAMESPACE, c.CODE_SYSTEM)),
        "url": c.CODE_SYSTEM,
        "name": "BackstrideCodes",
        "title": "backstride's codes for walking, questionnaires and screening",
        "status": "active",
        "caseSensitive": True,
        "content": "complete",
        "concept": concepts,
    }


def _uuid(patient_id: int, kind: str, number: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"patient/{patient_id}/{kind}/{number}"))


def _concept(system: str, code: str, display: str, text: str | None = None) -> Json:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": text or display}


def _loinc(code: str, display: str) -> Json:
    return _concept(c.LOINC, code, display)


def _status(entered_in_error: bool) -> str:
    """An observation's status: ``entered-in-error`` tells a system that took it before to correct its record."""
    return "entered-in-error" if entered_in_error else "final"


def _display(code: str) -> str:
    """A backstride code's display: its concept's, or for an urgency level its name in the clinic's words ("See a
    doctor within two weeks", as the summary and every page say it; "Soon" said no time)."""
    from backstride.clinic import urgency_in_words

    return c.CONCEPTS[code][0] if code in c.CONCEPTS else urgency_in_words(code)


def _own(code: str, *, text: str | None = None) -> Json:
    display = _display(code)
    return _concept(c.CODE_SYSTEM, code, display, f"{display}: {text}" if text else None)


def _quantity(value: float, ucum: str, unit: str) -> Json:
    return {"valueQuantity": {"value": value, "unit": unit, "system": c.UCUM, "code": ucum}}


def _real(value: Any) -> float | None:
    """``value`` when it is a finite number (not a bool), else ``None``."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return None


def _datetime(when: dt.datetime) -> str:
    """A FHIR ``dateTime``/``instant`` in UTC, to the second (a naive time is taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _when(when: dt.datetime | dt.date) -> str:
    return _datetime(when) if isinstance(when, dt.datetime) else when.isoformat()


def _aware(text: str | None) -> dt.datetime | None:
    """An ISO time with a time zone, or ``None`` (no time, or local time the export cannot place)."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None
