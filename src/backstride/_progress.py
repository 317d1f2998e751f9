"""Progress of long work on stderr where stderr is not a terminal: plain lines for a job log.

Under ``nohup``, cron, systemd or a cluster's scheduler (SLURM) stderr is a log file, where rich's bar draws
nothing until the end, and a log showed no sign of life for minutes or hours. There progress is a plain line
at most every :data:`PROGRESS_LINE_EVERY_S` (the first at once) and one at the end with what was done,
without a time stamp (a job log keeps its own); each command's lines begin with its name (``batch:``,
``analyze:``), so they can be searched. ``backstride batch`` and ``backstride analyze`` speak through this
one module, so their lines read alike: recording-hours with one decimal, then the time elapsed. A phase of
the work with no measure of its own (drawing ``analyze --html``'s report) is one line as it begins
(:func:`phase`).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator

PROGRESS_LINE_EVERY_S = 30.0
"""Without a terminal (a job log), a progress line at most this often, s (and one at the end); the default of
every :class:`Lines`, read when one is made (so a test may set it)."""


def stderr_is_terminal() -> bool:
    """Is stderr a terminal, as rich decides it (``TTY_COMPATIBLE``, ``FORCE_COLOR`` included)?

    Where stderr is no terminal and neither variable makes it one (a job log, a pipe: rich says no), it is said
    without importing rich, whose import (about 35 ms) would be most of the start-up of a short analysis."""
    import os

    forced = os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1"
    if not forced and not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        return False
    from rich.console import Console

    return Console(stderr=True).is_terminal


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3 h 05 min``: as precise as a progress line needs."""
    if round(seconds) < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours:,} h {minutes:02d} min"


def hours_and_time(hours: float, elapsed_s: float) -> str:
    """The part every progress line shares: ``41.5 recording-h, 12 min elapsed``."""
    return f"{hours:,.1f} recording-h, {duration(elapsed_s)} elapsed"


class Lines:
    """The rhythm of the plain lines: :meth:`due` says whether one may be written now (the first at once, then
    at most every ``every_s``), :meth:`say` writes one to stderr. ``clock`` is for the tests.

    Lines may come from two threads (the batch's Dask client reports files under way from its own), so saying
    one is done under a lock; :meth:`say_if_due` decides and writes in one step."""

    def __init__(self, *, every_s: float | None = None, clock: Callable[[], float] | None = None) -> None:
        self.every_s = PROGRESS_LINE_EVERY_S if every_s is None else every_s
        self.clock = clock or time.monotonic
        self.lock = threading.RLock()
        self.t0 = self.clock()
        self.said_at: float | None = None

    def elapsed(self, now: float) -> float:
        return now - self.t0

    def due(self, now: float) -> bool:
        return self.said_at is None or now - self.said_at >= self.every_s

    def say(self, line: str, now: float) -> None:
        with self.lock:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
            self.said_at = now

    def say_if_due(self, line: Callable[[float], str]) -> bool:
        """Write ``line(now)`` when a line is due; whether one was written."""
        with self.lock:
            now = self.clock()
            if not self.due(now):
                return False
            self.say(line(now), now)
            return True


class RecordingLines:
    """``backstride analyze``'s progress without a terminal: the recording-hours of one file analysed so far.

    :meth:`tick` takes the seconds of each chunk as the engine takes it in (the engine's ``progress``);
    :meth:`close` writes the last line, unless the last chunk's line was just written.
    """

    def __init__(
        self, name: str, *, every_s: float | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self.name = name
        self.seconds = 0.0
        self.lines = Lines(every_s=every_s, clock=clock)
        self._said_s = 0.0

    def _line(self, now: float) -> str:
        self._said_s = self.seconds
        return f"analyze: {self.name}: {hours_and_time(self.seconds / 3600.0, self.lines.elapsed(now))}"

    def tick(self, seconds: float) -> None:
        self.seconds += seconds
        self.lines.say_if_due(self._line)

    def close(self) -> None:
        if self.seconds != self._said_s:
            now = self.lines.clock()
            self.lines.say(self._line(now), now)


@contextlib.contextmanager
def phase(command: str, name: str, what: str, *, detail: str = "", in_a_log: bool = True) -> Iterator[None]:
    """A phase of work that has no measure to count (``what``, such as ``drawing the report``, of the file
    ``name``): at a terminal rich's spinner while it lasts (``drawing the report of week.cwa``, or, with a
    ``detail``, ``what: detail``: one line of 80 columns); in a job log, when ``in_a_log`` (a long file's),
    one plain line as it begins, in the words of the other lines (``analyze: week.cwa: drawing the report``),
    so a log whose last line was the analysis's end no longer looks stuck for the seconds it takes. The
    spinner goes when the phase ends; the line stays."""
    if not stderr_is_terminal():
        if in_a_log:
            sys.stderr.write(f"{command}: {name}: {what}\n")
            sys.stderr.flush()
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(f"{what}: {detail}" if detail else f"{what} of {name}"):
        yield
