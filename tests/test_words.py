"""The shared English of messages, reports and pages."""

from __future__ import annotations

from backstride._words import are, plural, were


def test_a_count_and_its_noun() -> None:
    assert plural(1, "stride") == "1 stride"
    assert plural(0, "page") == "0 pages"
    assert plural(12, "recording") == "12 recordings"


def test_the_verb_agrees_with_the_count() -> None:
    assert [f"{plural(n, 'sample')} {were(n)} left out" for n in (0, 1, 2)] == [
        "0 samples were left out",
        "1 sample was left out",
        "2 samples were left out",
    ]
    assert [are(n) for n in (0, 1, 2)] == ["are", "is", "are"]
