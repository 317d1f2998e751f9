"""Every page reads as plain, accessible HTML: one h1, a label for every field, no CDN, no inline clinical
numbers invented by the web layer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.conftest import Clinic, check_in, post, sign_in

from backstride.cli import main

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "backstride" / "web" / "templates"

_INPUT_RE = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)


def _fields_have_labels(html: str, where: str) -> None:
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    # Radios and checkboxes sit inside their <label>.
    wrapped = re.findall(r"<label[^>]*>\s*<input[^>]*>", html)
    wrapped_count = len(wrapped)
    boxes = 0
    for _tag, attrs in _INPUT_RE.findall(html):
        if 'type="hidden"' in attrs:
            continue
        if 'type="radio"' in attrs or 'type="checkbox"' in attrs:
            boxes += 1
            continue
        field_id = re.search(r'\bid="([^"]+)"', attrs)
        assert field_id and field_id.group(1) in labelled, (
            f"{where}: a field without a label: {attrs.strip()[:80]}"
        )
    assert wrapped_count >= boxes, f"{where}: a radio or checkbox outside a label"


def _one_h1(html: str, where: str) -> None:
    assert len(re.findall(r"<h1\b", html)) == 1, f"{where}: needs exactly one <h1>"
    assert '<html lang="en">' in html


def test_patient_pages_are_accessible(client: Any, clinic: Clinic) -> None:
    sign_in(client, "paula@home.test")
    check_in(client, clinic.patient_a)
    post(client, f"/patients/{clinic.patient_a}/questionnaires/nprs", {"score": "4"})
    base = f"/patients/{clinic.patient_a}"
    for path in (
        "",
        "/checkin",
        "/questionnaires",
        *(f"/questionnaires/{i}" for i in ("nprs", "odi", "rmdq", "startback", "psfs")),
        "/recordings/new",
        "/recordings",
        "/plan",
        "/log",
        "/progress",
    ):
        page = client.get(base + path)
        assert page.status_code == 200, path
        _one_h1(page.text, path)
        _fields_have_labels(page.text, path)


def test_clinician_pages_are_accessible(client: Any, clinic: Clinic) -> None:
    sign_in(client, "anna@clinic.test")
    for path in (
        "/caseload",
        "/clinician/patients/new",
        f"/patients/{clinic.patient_a}",
        "/account/password",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        _one_h1(page.text, path)
        _fields_have_labels(page.text, path)
    _fields_have_labels(client.get("/signin").text, "/signin")


def test_templates_use_no_cdn_and_no_inline_scripts() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, template.name
        for script in re.findall(r"<script\b([^>]*)>", text):
            assert "src=" in script or 'type="application/json"' in script, f"{template.name}: inline script"


def test_serve_help(capsys: Any) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--host" in out and "--port" in out and "--cookie-secure" in out
    assert main(["db", "--help"]) == 0  # the store's group, registered from cli/_web.py


def test_clinic_supplied_questionnaire_texts_are_shown(
    app_factory: Any, clinic: Clinic, tmp_path: Path
) -> None:
    import json

    items = [
        {"text": f"Clinic wording of section {i}", "options": [f"S{i} option {k}" for k in range(6)]}
        for i in range(1, 11)
    ]
    (tmp_path / "odi.json").write_text(
        json.dumps({"instrument": "odi", "licence": "Licensed to the test clinic", "items": items}),
        encoding="utf-8",
    )
    client = app_factory(questionnaire_dir=tmp_path)
    sign_in(client, "paula@home.test")
    odi = client.get(f"/patients/{clinic.patient_a}/questionnaires/odi").text
    assert "Clinic wording of section 4" in odi
    assert "S4 option 5" in odi
    assert "only the name of each section" not in odi
    rmdq = client.get(f"/patients/{clinic.patient_a}/questionnaires/rmdq").text
    assert "The wording of this questionnaire is licensed" in rmdq  # no texts supplied for this one


def test_error_pages_are_plain_pages_with_navigation(client: Any, clinic: Clinic) -> None:
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert "Page not found" in missing.text
    sign_in(client, "paula@home.test")
    refused = client.get(f"/patients/{clinic.patient_b}")
    assert refused.status_code == 404
    assert "Traceback" not in refused.text
    assert f'href="/patients/{clinic.patient_a}/plan"' in refused.text  # her own navigation is still there
    bad = client.get("/patients/not-a-number")
    assert bad.status_code == 422
