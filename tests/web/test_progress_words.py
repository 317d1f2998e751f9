"""The patient's progress page: its table says what its plot says, in words a patient can follow."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import Clinic, post, sign_in


def _recent_day(page: str) -> list[str]:
    """The cells of the latest day in the "Recent days" table."""
    table = page.split("<h2>Recent days</h2>")[1].split("</table>")[0]
    row = table.split("<tbody>")[1].split("</tr>")[0]
    return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_the_days_highest_pain_is_the_plots_during_or_after_the_walk(client: Any, clinic: Clinic) -> None:
    """The pain plot draws the highest pain during or after a walk; the table's "Highest pain" took the pain
    during only, so a walk that hurt most afterwards read 3 in the table and 6 in the plot."""
    sign_in(client, "paula@home.test")
    walk = {"w1_minutes": "10", "w1_pain_before": "2", "w1_pain_during": "3", "w1_pain_after": "6"}
    assert post(client, f"/patients/{clinic.patient_a}/log", walk).status_code == 303
    page = client.get(f"/patients/{clinic.patient_a}/progress").text
    assert _recent_day(page)[1:4] == ["1", "10", "6"]
    plotted = re.search(r'"y":\[([^\]]*)\],"name":"highest pain during or after walks"', page)
    assert plotted is not None and plotted.group(1) == "6.0"


def test_a_change_that_matters_names_the_questionnaire_as_the_patient_saw_it(
    client: Any, clinic: Clinic
) -> None:
    """The questionnaires page names each questionnaire in words ("Numeric Pain Rating Scale"); the progress
    page's changes named them by code ("NPRS"), which a patient was never told."""
    sign_in(client, "paula@home.test")
    for score in ("6", "2"):
        sent = post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": score})
        assert sent.status_code == 303
    page = client.get(f"/patients/{clinic.patient_a}/progress").text
    changes = re.sub(r"\s+", " ", page.split('id="changes"')[1].split("</section>")[0])
    assert "<strong>Numeric Pain Rating Scale</strong>: 6.0 → 2.0 — <strong>improved</strong>" in changes
    assert "NPRS" not in changes


def test_a_change_of_risk_group_is_shown_with_the_apps_arrow(client: Any, clinic: Clinic) -> None:
    """Every other change on the page reads "6.0 → 2.0"; the STarT Back's explanation read "risk group
    high -> low", an ASCII arrow a patient reads as a typing slip."""
    sign_in(client, "paula@home.test")
    for items in ({f"i{i}": "1" for i in range(1, 9)} | {"i9": "4"}, {f"i{i}": "0" for i in range(1, 10)}):
        sent = post(client, f"/patients/{clinic.patient_a}/questionnaires/startback", items)
        assert sent.status_code == 303
    page = client.get(f"/patients/{clinic.patient_a}/progress").text
    changes = re.sub(r"\s+", " ", page.split('id="changes"')[1].split("</section>")[0])
    assert "(risk group high → low)" in changes
    assert "-&gt;" not in changes and "->" not in changes
