"""Progress reports on stderr: a rich bar on a terminal, one line every few seconds on a pipe.

A long run that prints nothing looks hung when its stderr goes to a log file or a CI job. On
a terminal :func:`start_progress` shows a transient rich bar; otherwise it writes a line such
as ``simulating: 40 % (2400/6000 s of protocol), 12 s elapsed, ~18 s left`` at most every
``interval`` seconds and once at the end (runs shorter than ``interval`` print nothing, so a
quick command that fails prints only its ``error:`` line). ``synpharm ... --quiet`` turns
both off.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["LineProgress", "start_progress"]


class LineProgress:
    """Periodic one-line progress reports to a stream (no terminal control characters).

    Parameters
    ----------
    total
        Amount of work (any unit).
    label, unit
        What is being done and the unit of ``total``.
    stream
        Where to write (default: ``sys.stderr`` at the time of each write).
    interval
        Minimum time between two lines [s].
    clock
        Time source [s] (for tests).
    """

    def __init__(
        self,
        total: float,
        label: str,
        unit: str = "",
        stream: TextIO | None = None,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.label, self.unit = float(total), label, unit
        self._stream, self._interval, self._clock = stream, interval, clock
        self._start = self._last = clock()
        self._done = 0.0
        self._written = False

    @property
    def done(self) -> float:
        """Work completed so far."""
        return self._done

    def _line(self) -> str:
        elapsed = self._clock() - self._start
        fraction = self._done / self.total if self.total > 0 else 1.0
        text = f"{self.label}: {100 * fraction:.0f} % ({self._done:.0f}/{self.total:.0f}"
        text += f" {self.unit}), {elapsed:.0f} s elapsed" if self.unit else f"), {elapsed:.0f} s"
        if 0 < fraction < 0.995:
            text += f", ~{elapsed * (1 - fraction) / fraction:.0f} s left"
        return text

    def _write(self) -> None:
        stream = self._stream or sys.stderr
        stream.write(self._line() + "\n")
        stream.flush()
        self._written = True

    def update(self, completed: float) -> None:
        """Record ``completed`` work; write a line if ``interval`` has passed since the last."""
        self._done = min(float(completed), self.total)
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self._write()

    def stop(self) -> None:
        """Write the final line, unless the run was shorter than ``interval`` and wrote none."""
        if self._written or self._clock() - self._start >= self._interval:
            self._write()


def start_progress(total: float, label: str, unit: str = "") -> tuple[Any, Callable[[float], None]]:
    """Start a progress report; returns ``(handle, update)`` where ``handle.stop()`` ends it.

    A rich bar when stderr is a terminal, else :class:`LineProgress`.
    """
    if not sys.stderr.isatty():
        lines = LineProgress(total, label, unit)
        return lines, lines.update
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(transient=True, console=Console(stderr=True))
    task = bar.add_task(label, total=total)
    bar.start()
    return bar, lambda now: bar.update(task, completed=min(now, total))
