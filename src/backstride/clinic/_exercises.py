"""The exercise library, self-care cards and the therapy-session record.

Exercises and cards are data (``data/exercises.json``, ``data/self_care.json``), written in backstride's own
words with their sources (Hayden et al., Cochrane 2021; McGill 2016; Richardson et al. 2004; ACSM 2021;
NICE NG59; French et al., Cochrane 2006).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from backstride.clinic import _data
from backstride.clinic._models import ClinicDate, ClinicModel, number

ExerciseKind = Literal["core", "strength", "stretch", "mobility"]


class Dose(ClinicModel):
    """How much of an exercise: sets x (repetitions and/or hold seconds), times per day."""

    sets: Annotated[int, number(1, 10, whole=True)]
    reps: Annotated[int | None, number(1, 50, whole=True)] = Field(
        None, description="Repetitions per set (None for pure holds)"
    )
    hold_s: Annotated[int | None, number(1, 120, whole=True)] = Field(
        None, description="Seconds each repetition or stretch is held"
    )
    per_day: Annotated[int, number(1, 5, whole=True)] = 1

    @model_validator(mode="after")
    def _some_volume(self) -> Dose:
        if self.reps is None and self.hold_s is None:
            raise ValueError("a dose needs repetitions, a hold time, or both")
        return self

    def describe(self) -> str:
        """e.g. '2 x 8 reps, 2 times a day' or '3 x 20 s hold'."""
        parts = [f"{self.sets} x"]
        if self.reps is not None:
            parts.append(f"{self.reps} reps")
            if self.hold_s is not None:
                parts.append(f"holding {self.hold_s} s")
        else:
            parts.append(f"{self.hold_s} s hold")
        text = " ".join(parts)
        return text + (f", {self.per_day} times a day" if self.per_day > 1 else ", once a day")


class Exercise(ClinicModel):
    """One exercise of the library."""

    id: str
    name: str
    kind: ExerciseKind
    instructions: list[str]
    targets: list[str] = Field(description="Target muscles or qualities")
    dose: Dose = Field(description="Starting dose")
    max_sets: int
    max_reps: int | None
    max_hold_s: int | None
    easier: str = Field(description="Easier variant")
    harder: str = Field(description="Harder variant")
    cautions: list[str]
    source: str


class SelfCareCard(ClinicModel):
    """One self-care card."""

    id: str
    title: str
    body: list[str]
    source: str


def _build_exercises() -> dict[str, Exercise]:
    data = _data.load("exercises")
    out: dict[str, Exercise] = {}
    for e in data["exercises"]:
        d = e["dose"]
        out[e["id"]] = Exercise(
            id=e["id"],
            name=e["name"],
            kind=e["kind"],
            instructions=e["instructions"],
            targets=e["targets"],
            dose=Dose(sets=d["sets"], reps=d["reps"], hold_s=d["hold_s"], per_day=d["per_day"]),
            max_sets=d["max_sets"],
            max_reps=d["max_reps"],
            max_hold_s=d["max_hold_s"],
            easier=e["easier"],
            harder=e["harder"],
            cautions=e["cautions"],
            source=_data.cited(data["sources"], e["source"]),
        )
    return out


def _build_cards() -> list[SelfCareCard]:
    data = _data.load("self_care")
    return [
        SelfCareCard(id=c["id"], title=c["title"], body=c["body"], source=data["sources"][c["source"]])
        for c in data["cards"]
    ]


EXERCISES: dict[str, Exercise] = _build_exercises()
"""The exercise library, by id."""

SELF_CARE: list[SelfCareCard] = _build_cards()
"""Self-care cards: heat and cold, pain relief, staying active, stretches, posture, shoes, weight, help."""


class TherapySession(ClinicModel):
    """A hands-on therapy session, as the clinician records it."""

    date: ClinicDate
    clinician: str = Field(min_length=1)
    technique: str = Field(
        min_length=1,
        description="e.g. 'spinal mobilisation (grade III)', 'soft-tissue massage', 'manipulation'",
    )
    region: str = Field(
        min_length=1, description="e.g. 'L4-L5', 'left sacroiliac joint', 'lumbar paraspinals'"
    )
    dose: str | None = Field(None, description="e.g. '3 x 30 s oscillations'")
    duration_min: Annotated[float | None, number(0, 240, above=True)] = None
    pain_before: Annotated[float | None, number(0, 10)] = None
    pain_after: Annotated[float | None, number(0, 10)] = None
    response: Literal["better", "same", "worse"] = Field(description="Immediate response to treatment")
    notes: str = ""
