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
