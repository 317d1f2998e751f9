"""Exact scoring of the back-pain questionnaires and the change between two administrations.

Instruments (their metadata, bands and MCIDs live in ``data/instruments.json``):

- ``nprs``: Numeric Pain Rating Scale, a whole number 0-10 (an 11-point scale; Childs et al., Spine 2005).
- ``odi``: Oswestry Disability Index v2.1a (Fairbank & Pynsent, Spine 2000): ten sections scored 0-5;
  score = 100 x sum / (5 x answered sections); one unanswered section is allowed.
- ``rmdq``: Roland-Morris Disability Questionnaire, 24 yes/no items; score = number of yes (Roland &
  Morris, Spine 1983).
- ``startback``: Keele STarT Back Screening Tool (Hill et al., Arthritis Rheum 2008): items 1-8 agree = 1;
  item 9 scores 1 for "very much" or "extremely"; total 0-9, psychosocial subscale = items 5-9; total <= 3
  low risk, otherwise psychosocial >= 4 high, else medium.
- ``psfs``: Patient-Specific Functional Scale (Stratford et al., Physiother Can 1995): 3-5 activities, each
  a whole number 0-10 (an 11-point scale, as the NPRS); score = mean.

Change is judged against the minimal clinically important difference (Ostelo et al., Spine 2008; for the
PSFS, 2 points on the mean and 3 for one activity: Stratford et al. 1995's least change beyond measurement
error, within the 1.3-2.7 points Abbott & Schmitt, JOSPT 2014, found important). The Oswestry, Roland-Morris
and STarT Back wording is copyrighted, so only scoring and section names ship; :func:`load_definitions` reads
a clinic's licensed item texts.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from backstride._errors import InputError
from backstride._words import given, plain, some
from backstride.clinic import _data
from backstride.clinic._jsonfile import parse_json, read_text
from backstride.clinic._models import ClinicModel

InstrumentId = Literal["nprs", "odi", "rmdq", "startback", "psfs"]
Verdict = Literal["improved", "no meaningful change", "worse"]
Risk = Literal["low", "medium", "high"]


class Instrument(ClinicModel):
    """What backstride knows about one questionnaire."""

    id: str
    name: str
    sections: list[str] = Field(description="Section or item labels (names only for licensed instruments)")
    score_min: float
    score_max: float
    higher_is_worse: bool
    full_text_shipped: bool = Field(description="True when backstride ships the full item wording")
    items: list[str] | None = Field(None, description="Full item text, only where the instrument allows it")
    options_per_section: int | None = Field(
        None, description="Statements to choose from in each section, scored 0 to one less (the Oswestry: 6)"
    )
    mcid: str = Field(description="The minimal clinically important difference, in words")
    licence: str | None = None
    source: str


def _build_instruments() -> dict[str, Instrument]:
    raw = _data.load("instruments")["instruments"]
    out: dict[str, Instrument] = {}
    for key, spec in raw.items():
        out[key] = Instrument(
            id=key,
            name=spec["name"],
            sections=spec["sections"],
            score_min=spec["score_min"],
            score_max=spec["score_max"],
            higher_is_worse=spec["higher_is_worse"],
            full_text_shipped=spec["full_text_shipped"],
            items=spec.get("items"),
            options_per_section=spec.get("options_per_section"),
            mcid=spec["mcid"]["text"],
            licence=spec.get("licence"),
            source=spec["source"],
        )
    return out


INSTRUMENTS: dict[str, Instrument] = _build_instruments()
"""The instruments backstride scores, by id (nprs, odi, rmdq, startback, psfs)."""


class Activity(ClinicModel):
    """One PSFS activity and its 0-10 rating."""

    name: str
    score: float


class ScoreResult(ClinicModel):
    """The score of one administration, with the instrument's own fields."""

    instrument: str
    score: float | None = Field(description="The instrument's score; None when too many items are missing")
    band: str | None = Field(None, description="Oswestry disability band")
    risk: Risk | None = Field(None, description="STarT Back risk group")
    reason: str | None = Field(None, description="Why the score is None, or how it was derived")
    total: int | None = Field(None, description="STarT Back total (0-9)")
    psychosocial: int | None = Field(None, description="STarT Back psychosocial subscale (items 5-9, 0-5)")
    answered: int | None = Field(None, description="Sections or items answered")
    missing: list[int] = Field(default_factory=list, description="1-based numbers of unanswered sections")
    raw_sum: float | None = Field(None, description="Sum of the answered sections (Oswestry)")
    activities: list[Activity] | None = Field(None, description="PSFS activities")


class Change(ClinicModel):
    """Change between two administrations of one instrument, judged against its MCID."""

    instrument: str
    before: float | None
    after: float | None
    verdict: Verdict
    delta: float = Field(description="after - before, in the instrument's points")
    delta_pct: float | None = Field(description="100 x delta / before; None when before is 0")
    mcid: str = Field(description="The threshold used, in words")
    explanation: str


def _instrument(instrument: str) -> dict[str, Any]:
    raw: dict[str, Any] = _data.load("instruments")["instruments"]
    if instrument not in raw:
        raise InputError(f"unknown instrument '{instrument}'; choose one of {', '.join(raw)}")
    spec: dict[str, Any] = raw[instrument]
    return spec


def _require_keys(instrument: str, answers: Mapping[str, object], allowed: set[str]) -> None:
    if not isinstance(answers, Mapping):
        raise InputError(f"{instrument} answers must be a JSON object")
    unknown = sorted(str(k) for k in answers if k not in allowed)
    if unknown:
        raise InputError(
            f"{instrument}: unknown field(s) {some(unknown)}; expected {', '.join(sorted(allowed))}"
        )
    missing = sorted(k for k in allowed if k not in answers)
    if missing:
        raise InputError(f"{instrument}: missing field(s) {', '.join(missing)}")


def _number(instrument: str, label: str, value: object, lo: float, hi: float, *, whole: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{instrument} {label}: expected a number from {lo:g} to {hi:g}, got {given(value)}")
    if whole and not float(value).is_integer():
        raise InputError(
            f"{instrument} {label}: expected a whole number from {lo:g} to {hi:g}, got {given(value)}"
        )
    if not lo <= value <= hi:
        raise InputError(f"{instrument} {label}: {given(value)} is out of range {lo:g}-{hi:g}")
    return float(value)


def _list(instrument: str, field: str, value: object, n_min: int, n_max: int) -> list[object]:
    if not isinstance(value, list):
        raise InputError(f"{instrument} '{field}' must be a list, got {type(value).__name__}")
    if not n_min <= len(value) <= n_max:
        want = str(n_min) if n_min == n_max else f"{n_min} to {n_max}"
        raise InputError(f"{instrument} '{field}' must have {want} entries, got {len(value)}")
    return value


def _score_nprs(answers: Mapping[str, object]) -> ScoreResult:
    _require_keys("nprs", answers, {"score"})
    # an 11-point scale: the person picks one of 0, 1, ... 10 (triage's pain_nrs takes whole numbers too)
    value = _number("nprs", "score", answers["score"], 0, 10, whole=True)
    return ScoreResult(instrument="nprs", score=value, answered=1)


def _odi_band(score: float, spec: Mapping[str, Any]) -> str:
    for band in spec["bands"]:
        if score <= band["max"]:
            return str(band["band"])
    return str(spec["bands"][-1]["band"])  # pragma: no cover - score never exceeds 100


def _score_odi(answers: Mapping[str, object]) -> ScoreResult:
    spec = _instrument("odi")
    _require_keys("odi", answers, {"sections"})
    n = len(spec["sections"])
    values = _list("odi", "sections", answers["sections"], n, n)
    top = spec["options_per_section"] - 1  # a section's statements are scored 0 to 5
    total = 0.0
    missing: list[int] = []
    for i, v in enumerate(values, start=1):
        if v is None:
            missing.append(i)
            continue
        total += _number("odi", f"section {i} ({spec['sections'][i - 1]})", v, 0, top, whole=True)
    answered = n - len(missing)
    if len(missing) > spec["max_missing_sections"]:
        names = ", ".join(f"{i} ({spec['sections'][i - 1]})" for i in missing)
        return ScoreResult(
            instrument="odi",
            score=None,
            reason=f"{len(missing)} sections unanswered ({names}); the Oswestry allows at most "
            f"{spec['max_missing_sections']} missing section",
            answered=answered,
            missing=missing,
            raw_sum=total,
        )
    score = 100.0 * total / (5.0 * answered)
    reason = f"100 x {total:g} / (5 x {answered} answered sections)"
    return ScoreResult(
        instrument="odi",
        score=score,
        band=_odi_band(score, spec),
        reason=reason,
        answered=answered,
        missing=missing,
        raw_sum=total,
    )


def _score_rmdq(answers: Mapping[str, object]) -> ScoreResult:
    spec = _instrument("rmdq")
    _require_keys("rmdq", answers, {"items"})
    n = int(spec["n_items"])
    items = _list("rmdq", "items", answers["items"], n, n)
    for i, v in enumerate(items, start=1):
        if not isinstance(v, bool):
            raise InputError(f"rmdq item {i}: expected true (yes) or false (no), got {given(v)}")
    yes = sum(1 for v in items if v is True)
    return ScoreResult(instrument="rmdq", score=float(yes), answered=n, reason=f"{yes} of {n} items ticked")


def _score_startback(answers: Mapping[str, object]) -> ScoreResult:
    spec = _instrument("startback")
    _require_keys("startback", answers, {"items"})
    items = _list("startback", "items", answers["items"], 9, 9)
    points: list[int] = []
    for i, v in enumerate(items[:8], start=1):
        label = f"item {i} ({spec['sections'][i - 1]})"
        if isinstance(v, bool) or v not in (0, 1):
            raise InputError(f"startback {label}: expected 0 (disagree) or 1 (agree), got {given(v)}")
        points.append(int(v))  # type: ignore[call-overload]
    choices: list[str] = spec["item9_choices"]
    v9 = items[8]
    if isinstance(v9, str) and v9.strip().lower() in choices:
        v9 = choices.index(v9.strip().lower())
    # a whole number written with a decimal point (3.0, as some tools write JSON numbers) is that number, as
    # items 1-8 take 1.0 for 1
    if (
        isinstance(v9, bool)
        or not isinstance(v9, int | float)
        or not float(v9).is_integer()
        or not 0 <= v9 <= 4
    ):
        raise InputError(
            f"startback item 9 (How bothersome): expected 0-4 ({', '.join(choices)}), got {given(items[8])}"
        )
    points.append(1 if v9 >= 3 else 0)
    total = sum(points)
    psychosocial = sum(points[i - 1] for i in spec["psychosocial_items"])
    risk: Risk
    if total <= spec["low_risk_max_total"]:
        risk = "low"
        why = f"total {total} <= {spec['low_risk_max_total']}"
    elif psychosocial >= spec["high_risk_min_psychosocial"]:
        risk = "high"
        why = f"total {total} > {spec['low_risk_max_total']} and psychosocial {psychosocial} >= 4"
    else:
        risk = "medium"
        why = f"total {total} > {spec['low_risk_max_total']} and psychosocial {psychosocial} < 4"
    return ScoreResult(
        instrument="startback",
        score=float(total),
        total=total,
        psychosocial=psychosocial,
        risk=risk,
        reason=why,
        answered=9,
    )


PSFS_NAME_MAX = 200  # characters of an activity's name ("walking to the shops", "putting on socks")


def _score_psfs(answers: Mapping[str, object]) -> ScoreResult:
    spec = _instrument("psfs")
    _require_keys("psfs", answers, {"activities"})
    raw = _list("psfs", "activities", answers["activities"], spec["min_activities"], spec["max_activities"])
    activities: list[Activity] = []
    seen: dict[str, int] = {}
    for i, a in enumerate(raw, start=1):
        if not isinstance(a, Mapping) or set(a) != {"name", "score"}:
            raise InputError(f"psfs activity {i}: expected an object with 'name' and 'score', got {given(a)}")
        name = a["name"]
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"psfs activity {i}: 'name' must be a non-empty text")
        if len(name.strip()) > PSFS_NAME_MAX or not name.strip().isprintable():
            # an activity is named in a few words, on one line: a name of 60 000 characters was kept and shown
            raise InputError(
                f"psfs activity {i}: 'name' must be one line of at most {PSFS_NAME_MAX} characters, "
                f"got {given(name)}"
            )
        # each activity is rated once: twice, it would weigh double in the mean, and the change by activity
        # (matched by name, as _psfs_activity_changes does) could follow only one of its ratings
        key = name.strip().lower()
        if key in seen:
            first = activities[seen[key] - 1].name
            raise InputError(
                f"psfs activity {i} ({plain(name.strip())}): '{plain(first)}' is already activity {seen[key]}; "
                "name each activity once"
            )
        seen[key] = i
        value = _number("psfs", f"activity {i} ({plain(name)})", a["score"], 0, 10, whole=True)
        activities.append(Activity(name=name.strip(), score=value))
    mean = sum(a.score for a in activities) / len(activities)
    return ScoreResult(
        instrument="psfs",
        score=mean,
        activities=activities,
        answered=len(activities),
        reason=f"mean of {len(activities)} activities",
    )


_SCORERS = {
    "nprs": _score_nprs,
    "odi": _score_odi,
    "rmdq": _score_rmdq,
    "startback": _score_startback,
    "psfs": _score_psfs,
}


def score(instrument: str, answers: Mapping[str, object]) -> ScoreResult:
    """Score one administration of ``instrument`` (nprs, odi, rmdq, startback, psfs).

    Answer formats: ``nprs`` ``{"score": 0..10, whole}``; ``odi`` ``{"sections": [10 x 0..5 or null]}``;
    ``rmdq`` ``{"items": [24 x true/false]}``; ``startback`` ``{"items": [8 x 0/1, then 0..4]}``;
    ``psfs`` ``{"activities": [{"name": ..., "score": 0..10}, 3 to 5 of them]}``.
    Malformed or out-of-range answers raise :class:`InputError` naming the item.
    """
    _instrument(instrument)
    return _SCORERS[instrument](answers)


def compare(instrument: str, before: ScoreResult, after: ScoreResult) -> Change:
    """Judge the change from ``before`` to ``after`` against the instrument's MCID.

    Pain, Oswestry and Roland-Morris: a fall of at least the MCID points, or of at least 30 % of the first
    score, is "improved"; a rise by the same amounts is "worse". PSFS (higher is better): the mean must
    change by 2 points (3 when a single activity is rated). STarT Back: a change of risk group.
    """
    spec = _instrument(instrument)
    for label, result in (("before", before), ("after", after)):
        if result.instrument != instrument:
            raise InputError(f"the '{label}' score is a {result.instrument} score, not {instrument}")
        if result.score is None:
            raise InputError(f"the '{label}' {instrument} score could not be computed: {result.reason}")
    assert before.score is not None and after.score is not None
    delta = after.score - before.score
    delta_pct = None if before.score == 0 else 100.0 * delta / before.score
    mcid_spec = spec["mcid"]
    mcid_text = str(mcid_spec["text"])
    if instrument == "startback":
        order = ["low", "medium", "high"]
        b, a = order.index(before.risk or "low"), order.index(after.risk or "low")
        verdict: Verdict = "improved" if a < b else "worse" if a > b else "no meaningful change"
        explanation = f"risk group {before.risk} → {after.risk}"
    else:
        points = float(mcid_spec["points"])
        percent = mcid_spec.get("percent")
        # Positive "gain" means better for the person, whatever the direction of the scale.
        gain = -delta if spec["higher_is_worse"] else delta
        gain_pct = None if delta_pct is None else (-delta_pct if spec["higher_is_worse"] else delta_pct)
        tol = 1e-9
        by_points = abs(gain) >= points - tol
        by_percent = percent is not None and gain_pct is not None and abs(gain_pct) >= float(percent) - tol
        if gain != 0 and (by_points or by_percent):
            verdict = "improved" if gain > 0 else "worse"
        else:
            verdict = "no meaningful change"
        direction = "fell" if delta < 0 else "rose" if delta > 0 else "did not change"
        pct = "" if delta_pct is None else f" ({delta_pct:+.0f} %)"
        size = f"{abs(delta):g}" if float(delta).is_integer() else f"{abs(delta):.1f}"
        unit = "point" if size == "1" else "points"
        explanation = f"the score {direction} by {size} {unit}{pct}; the threshold is {mcid_text}"
        if instrument == "psfs":
            explanation += _psfs_activity_changes(before, after, float(mcid_spec["points_single_activity"]))
    return Change(
        instrument=instrument,
        before=before.score,
        after=after.score,
        verdict=verdict,
        delta=delta,
        delta_pct=delta_pct,
        mcid=mcid_text,
        explanation=explanation,
    )


def first_to_latest(results: Iterable[ScoreResult]) -> dict[str, Change]:
    """Over a course of answers (oldest first): for each instrument scored twice or more, its first score
    against its latest, judged by :func:`compare`; in the order of :data:`INSTRUMENTS`.

    An answer that could not be scored is passed over (the change runs from the first score there is), and an
    instrument backstride does not score is left out.
    """
    scored: dict[str, list[ScoreResult]] = {}
    for result in results:
        if result.score is not None and result.instrument in INSTRUMENTS:
            scored.setdefault(result.instrument, []).append(result)
    return {
        instrument: compare(instrument, scored[instrument][0], scored[instrument][-1])
        for instrument in INSTRUMENTS
        if len(scored.get(instrument, ())) >= 2
    }


def _psfs_activity_changes(before: ScoreResult, after: ScoreResult, points: float) -> str:
    """Activities rated at both visits whose own change reaches the single-activity MCID."""
    if not before.activities or not after.activities:  # pragma: no cover - scored PSFS always has them
        return ""
    first = {a.name.lower(): a.score for a in before.activities}
    lines = []
    for a in after.activities:
        if a.name.lower() in first:
            d = a.score - first[a.name.lower()]
            if abs(d) >= points:
                lines.append(f"{a.name} {'improved' if d > 0 else 'worse'} ({d:+g})")
    if not lines:
        return ""
    return f"; by activity (threshold {points:g} points): " + ", ".join(lines)


class ItemDefinition(ClinicModel):
    """One item of a clinic-supplied questionnaire definition."""

    text: str = Field(min_length=1)
    options: list[str] | None = Field(None, description="Answer options, in score order (0 first)")


class Definitions(ClinicModel):
    """Item wording a clinic supplies for a licensed questionnaire."""

    instrument: str
    version: str | None = None
    licence: str = Field(min_length=1, description="Who licensed the wording to the clinic, and how")
    language: str = "en"
    items: list[ItemDefinition]


def load_definitions(path: str | Path) -> Definitions:
    """Read a clinic's item wording for a questionnaire from a JSON or TOML file.

    The file names the ``instrument``, its ``licence`` and lists ``items`` (``text`` and, for the Oswestry,
    six ``options`` per section scored 0-5). The number of items and options is checked against the
    instrument: Oswestry 10 sections x 6 options; Roland-Morris 24 items; STarT Back 9 items.
    """
    p = Path(path)
    raw_text = read_text(p, "definitions")
    if p.suffix.lower() == ".toml":
        try:
            raw: object = tomllib.loads(raw_text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"the definitions file {p} is not valid toml: {exc}") from None
    else:
        raw = parse_json(raw_text, p, "definitions")
    try:
        defs = Definitions.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise InputError(f"definitions file {p}: {where}: {first['msg']}") from None
    spec = _instrument(defs.instrument)
    expected = len(spec["sections"]) if defs.instrument != "psfs" else None
    if expected is not None and len(defs.items) != expected:
        raise InputError(
            f"definitions file {p}: {defs.instrument} needs {expected} items, the file has {len(defs.items)}"
        )
    if defs.instrument == "odi":
        for i, item in enumerate(defs.items, start=1):
            if item.options is None or len(item.options) != spec["options_per_section"]:
                raise InputError(
                    f"definitions file {p}: odi section {i} needs {spec['options_per_section']} options "
                    f"(scored 0 to {spec['options_per_section'] - 1})"
                )
    return defs
