"""Small pieces of English shared by messages, reports and pages (no imports: the readers, the command line
and the report all use them)."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun``, the noun with an ``s`` unless the count is one: "1 stride", "12 strides"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def were(count: int) -> str:
    """The past of "to be" agreeing with ``count``: "1 sample was", "2 samples were"."""
    return "was" if count == 1 else "were"


def are(count: int) -> str:
    """The present of "to be" agreeing with ``count``: "1 sample is", "2 samples are"."""
    return "is" if count == 1 else "are"


def plain(text: str, limit: int = 60, *, mark: str | None = None) -> str:
    """``text`` (a key, an id or a name that a file or a person gave) as it can stand in a one-line message: a
    character that cannot be shown (a line break or another control character, half of a character's pair
    of surrogates, U+FFFD for bytes that were no text) written as its escape (``\\n``, ``\\ud800``) or, with
    ``mark``, as that; cut to ``limit`` characters with ``...``. Text a person types is shown so they can find
    it in their file; a name from a damaged file is better marked (``mark="?"``) than spelled out byte by byte."""
    cut = text if len(text) <= limit else text[: limit - 3] + "..."
    if cut.isprintable() and "\ufffd" not in cut:
        return cut
    return "".join(
        c
        if c.isprintable() and c != "\ufffd"
        else mark
        if mark is not None
        else c.encode("unicode_escape").decode("ascii")
        for c in cut
    )


def is_unicode(text: str) -> bool:
    """Whether ``text`` is Unicode that can be written as UTF-8: no lone surrogate (half of a character's
    UTF-16 pair, which JSON's ``\\ud800`` and a form part in ``raw_unicode_escape`` can carry into a string)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def given(value: object, limit: int = 60) -> str:
    """A value someone gave, as Python writes it (``'five'``, ``[1, 2]``, ``None``: quoted, its control
    characters escaped), cut to ``limit`` characters with ``...``: a message never repeats a whole file."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def some(names: list[str], most: int = 5) -> str:
    """Names someone gave (unknown keys, ids) listed for a message: each :func:`plain`, the first ``most`` of
    them and how many more ("a, b, c, d, e and 12 more")."""
    shown = ", ".join(plain(name) for name in names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"
