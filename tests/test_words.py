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


def test_plain_shows_what_cannot_be_shown_as_its_escape_or_a_mark() -> None:
    from backstride._words import plain

    assert plain("walking_speed") == "walking_speed"
    assert plain("a\nb\x1b[2J") == "a\\nb\\x1b[2J"
    assert plain("\ud800x") == "\\ud800x"
    assert plain("a\x00b\ufffd", mark="?") == "a?b?"
    assert plain("x" * 100) == "x" * 57 + "..."


def test_given_and_some_keep_a_message_to_one_short_line() -> None:
    from backstride._words import given, is_unicode, some

    assert given("five") == "'five'" and given(None) == "None"
    assert given("A" * 100_000) == "'" + "A" * 56 + "..."
    assert given("a\nb") == "'a\\nb'"
    assert some(["a", "b\nc"]) == "a, b\\nc"
    assert some([f"k{i}" for i in range(12)]) == "k0, k1, k2, k3, k4 and 7 more"
    assert is_unicode("café") and not is_unicode("\ud800")
