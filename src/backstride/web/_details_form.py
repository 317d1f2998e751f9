"""A patient's details as the add-patient and edit forms send them: name and e-mail (a new patient), age, sex,
height and sensor height, read field by field.

Every problem is named as the form labels the field ("Height: 178.0 m is not plausible; give it in metres,
e.g. 1.72"), all of them at once, so one mistyped figure neither hides the others nor loses what was typed.
What a figure may be is the store's rule, asked of the store one field at a time (its check of a patient's
details, ``store.create_patient`` and ``store.update_profile`` make it again when they save); the web adds
only that a figure is a number, and the age a whole one, as the form asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backstride._errors import InputError
from backstride._words import plain
from backstride.web._fields import read_number, text_problem

NUMBERS = (
    # field, the form's name for it, what it takes, whole
    ("age", "Age", "a whole number of years", True),
    ("height_m", "Height", "the height in metres, e.g. 1.72", False),
    ("sensor_height_m", "Sensor height", "the sensor's height above the floor in metres, e.g. 1.05", False),
)
PROFILE = ("age", "sex", "height_m", "sensor_height_m")


@dataclass
class DetailsForm:
    """What the form said: the details the store can use, what was typed and what was wrong."""

    typed: dict[str, str] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(PROFILE))
    name: str = ""
    email: str = ""
    problems: list[str] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)

    def problem(self, name: str, message: str) -> None:
        self.problems.append(message)
        self.invalid.add(name)


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _store_refuses(name: str, value: Any) -> str | None:
    """The store's reason for refusing ``value`` as the patient's ``name`` (age, sex, ...), or None: its own
    check of a patient's details, given this one field alone (the reason in words without the field's name,
    "178.0 m is not plausible; …", for the form to put under its own label)."""
    from backstride.store import profile_problems

    given = dict.fromkeys(PROFILE)
    given[name] = value
    return profile_problems(**given).get(name)


def read_details(data: Mapping[str, Any], *, account: bool) -> DetailsForm:
    """Read the submitted form; with ``account`` (a new patient) also the name and e-mail."""
    from backstride import store

    form = DetailsForm()
    for name in ("name", "email", *PROFILE, "access"):
        if name in data:
            form.typed[name] = _text(data, name)
    if account:
        form.name = _text(data, "name").strip()
        if not form.name:
            form.problem("name", "Name: please fill it in.")
        elif problem := text_problem(form.name, "Name", store.NAME_MAX, one_line=True):
            form.problem("name", problem)
        typed_email = _text(data, "email").strip()
        if not typed_email:
            form.problem("email", "Email: please fill it in; the patient signs in with it.")
        else:
            try:
                form.email = store.normalize_email(typed_email)
            except InputError:
                form.problem("email", f"Email: “{plain(typed_email, 80)}” is not an e-mail address.")
    for name, label, takes, whole in NUMBERS:
        value, problem = read_number(_text(data, name), label, (None, None, False), whole=whole)
        if problem is not None:
            form.problem(name, f"{label}: give {takes}.")
            continue
        refused = _store_refuses(name, value) if value is not None else None
        if refused is not None:
            form.problem(name, f"{label}: {refused}.")
            continue
        form.profile[name] = value
    sex = _text(data, "sex").strip() or None
    refused = _store_refuses("sex", sex)
    if refused is not None:
        form.problem("sex", "Sex: choose Female, Male or Not given.")
    else:
        form.profile["sex"] = sex
    return form


def account_taken(session: Any, form: DetailsForm) -> None:
    """Name the problem of an e-mail address that already has an account (a new patient's)."""
    from backstride import store

    taken = store.get_user_by_email(session, form.email) if form.email else None
    if taken is None:
        return
    said = f"Email: {form.email} already has an account."
    if (
        taken.role == "patient"
        and taken.name == form.name
        and taken.created_at > store.utcnow() - store.SENT_AGAIN_WITHIN
    ):
        # the form sent twice (a double click, a resend): the first answer, with the way in shown once, is gone
        said += (
            f" {taken.name} was added a moment ago (the form was sent twice?). Open {taken.name}'s page from "
            "your caseload and give a new first-login link or password under “Signing in”."
        )
    form.problem("email", said)
