"""Shared helpers of the report tests."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from tests._results import minute_bout, result_of

from backstride import gait, io, report
from backstride.gait import GaitResult


def synthetic_result(n_bouts: int, duration_s: float) -> GaitResult:
    """Minute-long bouts every 100 s from 2990 s on, all alike."""
    return result_of([minute_bout(2990.0 + 100.0 * i) for i in range(n_bouts)], duration_s)


@pytest.fixture(scope="module")
def analysed() -> tuple[GaitResult, list[gait.VerticalTrace]]:
    """The bundled sample analysed (height 1.59 m), with the vertical traces its report draws."""
    result = gait.analyze(io.read(io.sample_path()), height_m=1.59)
    traces = gait.vertical_traces(io.iter_chunks(io.sample_path()), report.trace_spans(result))
    return result, traces


class _Tables(HTMLParser):
    """Each ``<table>`` of a page: its class, and the label of the box it scrolls in on a phone (``None``: it
    sits in no focusable, named region, so a keyboard could not scroll it there)."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict[str, str | None]]] = []
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            parent, box = self.open[-1] if self.open else ("", {})
            scrolls = (
                parent == "div"
                and "scroll" in (box.get("class") or "").split()
                and (box.get("role"), box.get("tabindex")) == ("region", "0")
            )
            self.found.append((dict(attrs).get("class") or "", box.get("aria-label") if scrolls else None))
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:  # (an element left open closes with its parent)
            pass


def tables_and_their_boxes(page: str) -> list[tuple[str, str | None]]:
    """``(class, label of its scrolling box or None)`` for each table of ``page``, in order."""
    tables = _Tables()
    tables.feed(page)
    return tables.found
