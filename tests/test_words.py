"""The shared English of messages, reports and pages."""

from __future__ import annotations

from backstride._words import plural


def test_a_count_and_its_noun() -> None:
    assert plural(1, "stride") == "1 stride"
    assert plural(0, "page") == "0 pages"
    assert plural(12, "recording") == "12 recordings"
