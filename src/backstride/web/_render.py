"""Jinja2 rendering with the values every page needs (CSRF token, who is signed in, settings)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape

from backstride._words import plural
from backstride.clinic import after_the_doctor, finding_in_words, see_a_doctor_words, urgency_in_words
from backstride.report import figure_json, lean_text, plot_table

TEMPLATE_DIR = Path(__file__).parent / "templates"
#: the reports' templates, for the parts the pages share with them (a plot's figures as a table)
REPORT_TEMPLATE_DIR = Path(__file__).parents[1] / "report" / "templates"

templates = Jinja2Templates(directory=TEMPLATE_DIR)
templates.env.loader = ChoiceLoader([FileSystemLoader(TEMPLATE_DIR), FileSystemLoader(REPORT_TEMPLATE_DIR)])


def _fmt(value: Any, digits: int = 1, unit: str = "") -> str:
    """A number for people: rounded, with its unit, or a dash when it is missing."""
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        try:
            text = f"{float(value):.{digits}f}"
        except (TypeError, ValueError):
            text = str(value)
    return f"{text} {unit}".strip() if unit else text


def _date(value: Any) -> str:
    """A day, or a moment with its clock time. A stored moment (UTC) is shown in the server's time zone and
    named ("14:05 CET"), as the app's "today" is the server's day: it was shown in UTC and named nothing, so a
    clinic an hour or more from UTC read a link's lapsing, an upload or a note an hour or more off. The zone is
    the server process's (``TZ``, e.g. ``TZ=Europe/Berlin backstride serve``)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.strftime("%d %b %Y, %H:%M")
        local = value.astimezone()
        return f"{local:%d %b %Y, %H:%M} {local.tzname() or ''}".rstrip()
    if isinstance(value, dt.date):
        return value.strftime("%a %d %b %Y")
    return "–" if value is None else str(value)


def _label(value: Any) -> str:
    return str(value).replace("_", " ").capitalize() if value is not None else ""


_DIGITS = frozenset("0123456789")


def tel_uri(number: Any) -> str | None:
    """The ``tel:`` URI that calls ``number`` as a clinic writes it ("911", "+44 20 7946 0000"): RFC 3966's
    global-number form, the digits with the leading "+" of an international number kept and the visual
    separators (spaces, dashes, dots, brackets) dropped. ``None`` when it has no digit to call."""
    text = str(number or "").strip()
    digits = "".join(ch for ch in text if ch in _DIGITS)
    if not digits:
        return None
    return f"tel:{'+' if text.startswith('+') else ''}{digits}"


def _call_links(text: Any, number: Any) -> Markup:
    """``text`` (escaped) with each place it says the emergency ``number`` made a link that calls it
    (:func:`tel_uri`), so a patient on a phone taps the number the advice names. A number inside a longer
    one ("1911") is left alone."""
    safe = str(escape(text))
    shown = str(escape(str(number or "").strip()))
    uri = tel_uri(number)
    if uri is None or not shown:
        return Markup(safe)
    link = f'<a class="tel" href="{uri}">{shown}</a>'
    said = re.compile(rf"(?<![0-9+]){re.escape(shown)}(?![0-9])")
    return Markup(said.sub(lambda _m: link, safe))


def _person(user: Any) -> str:
    """A person as the audit trail names them, each once (``store.person_words``): "Name (role)"."""
    from backstride import store

    return store.person_words(user)


templates.env.filters["fmt"] = _fmt
templates.env.filters["lean"] = lean_text
templates.env.filters["plural"] = plural
templates.env.filters["plot_table"] = plot_table
templates.env.filters["tel_uri"] = tel_uri
templates.env.filters["call_links"] = _call_links
templates.env.filters["finding"] = finding_in_words
templates.env.filters["urgency"] = urgency_in_words
templates.env.filters["date"] = _date
templates.env.filters["plotjson"] = figure_json
templates.env.filters["label"] = _label
templates.env.filters["person"] = _person


def _subject_limits() -> dict[str, tuple[float, float]]:
    """The lowest and highest figure a patient's details field takes (its ``min`` and ``max``): the gait
    engine's own bounds, which the store checks a profile against."""
    from backstride.gait._subject import AGE_YEARS, BODY_HEIGHT_M, SENSOR_HEIGHT_M

    whole_years = (int(AGE_YEARS[0]) + 1, int(AGE_YEARS[1]) - 1)  # both ends excluded
    return {"age": whole_years, "height_m": BODY_HEIGHT_M, "sensor_height_m": SENSOR_HEIGHT_M}


templates.env.globals["subject_limits"] = _subject_limits
templates.env.globals["see_a_doctor_words"] = see_a_doctor_words  # the printed sheet says the same
templates.env.globals["after_the_doctor"] = after_the_doctor


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    from backstride.web._context import template_globals

    ctx: dict[str, Any] = dict(template_globals(request))
    ctx.setdefault("user", getattr(request.state, "user", None))
    ctx.update(context or {})
    response: HTMLResponse = templates.TemplateResponse(request, name, ctx, status_code=status)
    return response


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {
        400: "That did not work",
        401: "Please sign in",
        403: "Not allowed",
        404: "Page not found",
        405: "Not allowed",
        411: "Upload not accepted",
        413: "The file is too large",
        415: "This file type cannot be read",
        422: "That could not be used",
    }
    name = (
        "_error.html"
        if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
        else "error.html"
    )
    return render(
        request,
        name,
        {"title": titles.get(status, "Something went wrong"), "message": message, "status": status},
        status=status,
    )


def attachment(name: str, *, inline: bool = False) -> dict[str, str]:
    """The ``Content-Disposition`` header that offers a download as ``name`` (RFC 6266): an ASCII name every
    browser reads, and the name in UTF-8 beside it, so "Łukasz" or "王" neither breaks the header (HTTP
    headers are Latin-1) nor is lost. ``inline``: shown in the browser, ``name`` kept for saving it."""
    from urllib.parse import quote

    plain = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
    header = f'{"inline" if inline else "attachment"}; filename="{plain}"'
    if plain != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return {"Content-Disposition": header}


# a self-contained report's executable scripts: ``<script>`` without attributes (its figures are data blocks,
# ``<script type="application/json">``, which a browser never runs)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def report_response(html: str, name: str, *, view: bool) -> HTMLResponse:
    """A self-contained HTML report (plotly and its figures inside) to open in the browser (``view``) or to
    download as ``name``.

    The app's own policy forbids inline scripts, which would leave an opened report without its plots; this
    response's policy allows exactly the report's own scripts, each by its SHA-256 (a CSP level 2 hash
    source), and nothing else: no other script, no connection, no form, no frame around it.

    Opened or downloaded, it is the report as written: on a phone, its tables scroll inside themselves and its
    plots fit the screen by the report's own style and script (``backstride.report``).
    """
    sources = [
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode('utf-8')).digest()).decode('ascii')}'"
        for script in dict.fromkeys(_INLINE_SCRIPT.findall(html))
    ]
    policy = (
        f"default-src 'none'; script-src {' '.join(sources) or repr('none')}; style-src 'unsafe-inline'; "
        "img-src data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return HTMLResponse(html, headers={**attachment(name, inline=view), "Content-Security-Policy": policy})
