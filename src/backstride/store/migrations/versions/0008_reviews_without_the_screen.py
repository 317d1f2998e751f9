"""A weekly review's saved reason no longer ends with the warning-sign screen.

Every review that goes on ends by asking the patient to check for the warning signs, with the clinic's emergency
number (``backstride.clinic.weekly_screen``). Until now that reminder was kept in the plan version's reason, so
the plan history, the doctor's summary and the FHIR export repeated it on every week and named the number of the
day it was saved: a clinic that changed its number kept showing the old one. The reminder is said live, with the
number of the day, and is not a reason for the change; this removes it from the reasons already saved (whatever
number they name). The reasons themselves (pain, walks done, the decision) are untouched.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 14:00:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The screen's words as the program's rules said them up to this revision (clinic/data/program.json,
# "weekly_screen"), frozen here: a later change of those words must not change what this step removes.
_BEFORE = (
    "Before the next week, check for the warning signs: numbness around your back passage or genitals, new "
    "trouble passing or holding urine or stool, symptoms in both legs, a leg that is getting weaker, being unable "
    "to walk, or a fever with feeling unwell. If any of them appears, do not walk on: call "
)
_AFTER = " or go to the emergency department now, and log it as a warning sign."
_SCREEN = re.compile(r"\s*" + re.escape(_BEFORE) + r"[^\n]{1,80}?" + re.escape(_AFTER))

_plans = sa.table("plan_versions", sa.column("id", sa.Integer), sa.column("reason", sa.Text))


def without_screen(reason: str) -> str:
    """``reason`` without the screen (any number), or unchanged when it has none."""
    return _SCREEN.sub("", reason)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_plans.c.id, _plans.c.reason).where(_plans.c.reason.like("Weekly review (%"))
    ).all()
    for row_id, reason in rows:
        kept = without_screen(reason)
        if kept != reason:
            bind.execute(sa.update(_plans).where(_plans.c.id == row_id).values(reason=kept))


def downgrade() -> None:
    """Nothing to put back: the screen was a reminder said at the time, not a reason for the change."""
