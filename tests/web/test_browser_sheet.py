"""The home program sheet on A4 paper, printed by Debian's chromium: one sheet printed on both sides plus at
most one more page, with the warning signs and the number to call on page 1 and nothing below 11 pt. Checked
on the demo patient's sheet as the app serves it, and on the worst case: a plan with every exercise of the
clinic's library, each in its easier version (one more line each), and three walks a day. (The same markers
and skips as ``test_browser.py``.)"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from backstride import clinic, report

pytestmark = pytest.mark.browser

MAX_PAGES = 3
# CSS pixels in a millimetre and in a point (96 px to the inch)
MM = 96 / 25.4
PT = 96 / 72
# everything after page 1: the exercises start a new page (``break-before: page``), the tick chart follows
AFTER_PAGE_1 = "main > section.page-break, main > section.page-break ~ section, body > footer"


def _pages(pdf: bytes) -> int:
    """The pages of a PDF chromium wrote: each is an object ``/Type /Page`` (the page tree is ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def _worst_plan() -> clinic.Plan:
    """Three walks a day (pain 4, 12 minutes tolerated) and every exercise of the library, the easier version
    where there is one."""
    plan = clinic.make_plan(
        clinic.Baseline.model_validate(
            {
                "age": 45,
                "sex": "female",
                "pain_nrs": 4,
                "walking_tolerance_min": 12,
                "start_date": dt.date(2026, 12, 7),
            }
        )
    )
    exercises = [
        clinic.prescribe_exercise(ex.id, "easier" if ex.easier else "standard")
        for ex in clinic.EXERCISES.values()
    ]
    return plan.model_copy(update={"exercises": exercises})


def _check_paper(page: Any, number: str) -> None:
    """The sheet open in ``page`` prints on at most MAX_PAGES A4 pages; everything before the exercises fits on
    page 1 (printed alone it is one page), the warning signs and the number to call among it; no text is below
    11 pt, nothing is wider than the paper and the tick boxes are at least 5 mm across."""
    pages = _pages(page.pdf(format="A4", print_background=True))
    assert pages <= MAX_PAGES
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round((210 - 2 * 11) * MM), "height": 900})  # A4 less the @page margins
    exercises = page.locator("main > section.page-break")
    assert exercises.get_by_role("heading", name="Exercises").count() == 1
    assert exercises.evaluate("e => getComputedStyle(e).breakBefore") == "page"
    small = page.evaluate(
        """min => [...document.body.querySelectorAll('*')]
            .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .filter(e => parseFloat(getComputedStyle(e).fontSize) < min)
            .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40))""",
        11 * PT - 0.01,
    )
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    box = page.locator("table.ticks .box").first.bounding_box()
    assert min(box["width"], box["height"]) >= 5 * MM
    page.add_style_tag(content=AFTER_PAGE_1 + " { display: none !important; }")
    signs = page.get_by_role("region", name="Warning signs: get help now")
    assert signs.is_visible() and signs.get_by_text(f"call {number}", exact=True).is_visible()
    assert signs.locator("li").count() >= len(clinic.EMERGENCY_SIGNS)
    assert page.get_by_role("heading", name="If your pain rises").is_visible()
    assert page.get_by_text("walks a day,").is_visible()
    first = _pages(page.pdf(format="A4", print_background=True))
    assert first == 1


def test_the_page_counter_counts_chromiums_pages(page: Any) -> None:
    page.set_content("<p>One page.</p>")
    assert _pages(page.pdf(format="A4")) == 1
    page.set_content('<p style="height: 700mm">Over two A4 pages tall,</p><p>so three.</p>')
    assert _pages(page.pdf(format="A4")) == 3


def test_the_worst_case_sheet_prints_on_three_pages_with_the_warning_signs_on_the_first(page: Any) -> None:
    plan = _worst_plan()
    assert plan.walks_per_day == 3 and len(plan.exercises) == len(clinic.EXERCISES) == 10
    page.set_content(
        report.home_program_sheet(
            plan,
            name="Alexandra Montgomery-Smith",
            emergency_number="0800 123 4567",
            generated_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        )
    )
    _check_paper(page, "0800 123 4567")


def test_the_demo_patients_sheet_prints_on_three_pages(page: Any, demo_server: str) -> None:
    base = demo_server
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill("alex@demo.backstride")
    page.get_by_label("Password").fill("demo-alex-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="My plan").first.click()
    page.wait_for_load_state("networkidle")
    sheet = page.get_by_role("link", name="Print your home program").get_attribute("href")
    page.goto(base + sheet)
    assert page.get_by_role("heading", name="Your home program: Alex Morgan").is_visible()
    _check_paper(page, "911")


def test_on_letter_paper_too_the_first_page_holds_the_warning_signs(page: Any) -> None:
    """The default number (911) is a North American one, and there paper is Letter (17.6 mm shorter than A4): with
    a name over two lines, page 1 once spilled its last warning signs onto page 2. The worst case prints on four
    Letter pages (the tick chart, kept whole, starts the fourth)."""
    sheet = report.home_program_sheet(
        _worst_plan(),
        name="Alexandra Montgomery-Smith de la Fontaine-Whitfield",
        emergency_number="+1 (555) 010-9999",
        generated_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
    )
    page.set_content(sheet)
    assert _pages(page.pdf(format="Letter", print_background=True)) <= MAX_PAGES + 1
    page.add_style_tag(content=AFTER_PAGE_1 + " { display: none !important; }")
    assert page.get_by_text("call +1 (555) 010-9999", exact=True).count() == 1
    assert _pages(page.pdf(format="Letter", print_background=True)) == 1
