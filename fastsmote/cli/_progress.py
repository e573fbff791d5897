"""Progress of the batch commands on stderr: bars on a terminal, periodic lines in logs.

:func:`progress_display` installs a reporter for the library's phases (see
:mod:`fastsmote._progress`) while a command runs:

- on a terminal, with tqdm installed (``pip install "fastsmote[cli]"``), a bar per
  phase that lasts over a second: rows done, rate and time left where the work is
  chunked, elapsed time where it runs as one piece (a neighbour search);
- otherwise (a log file, a pipe, a batch scheduler; or a terminal without tqdm), one
  line every ``FASTSMOTE_PROGRESS_INTERVAL`` seconds (default 10) while a phase runs,
  ``fastsmote: [42 s] writing: 600,000/1,000,000 rows (60%), 3 s``, and a closing line
  for each phase that was shown;
- nothing with ``-q``.

A background thread keeps the display current while the main thread is inside a
kernel (Numba kernels release the GIL), so a long neighbour search still shows its
elapsed time. Any command can use it::

    with progress_display(quiet=args.quiet) as display:
        ...  # library calls that report phases
        display.say("a message that must not break the bars")
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, TextIO

from .. import _progress

#: Environment variable: seconds between progress lines (default 10).
INTERVAL_ENV = "FASTSMOTE_PROGRESS_INTERVAL"
DEFAULT_INTERVAL = 10.0
#: A bar appears once its phase has run this long.
BAR_DELAY = 1.0
#: How often the background thread refreshes bars.
_BAR_TICK = 0.5


def _interval() -> float:
    text = os.environ.get(INTERVAL_ENV)
    if not text:
        return DEFAULT_INTERVAL
    try:
        value = float(text)
    except ValueError:
        return DEFAULT_INTERVAL
    return max(0.0, value)


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``2 h 07 min``."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class _Phase:
    """One phase as the display sees it."""

    def __init__(self, display: ProgressDisplay, label: str, total: int | None):
        self.display = display
        self.label = label
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.shown = False  # a line or a bar has shown this phase
        self.bar: Any = None

    def update(self, n: int) -> None:
        self.display._update(self, n)

    def close(self) -> None:
        self.display._close(self)

    def status(self, now: float) -> str:
        elapsed = duration(now - self.started)
        if self.total:
            share = 100 * self.done / self.total
            return f"{self.label}: {self.done:,}/{self.total:,} rows ({share:.0f}%), {elapsed}"
        if self.done:
            return f"{self.label}: {self.done:,} rows, {elapsed}"
        return f"{self.label}: {elapsed}"


class ProgressDisplay:
    """The reporter of :func:`progress_display` (see the module docstring).

    Parameters
    ----------
    stream : text stream
    bars : bool
        tqdm bars (a terminal with tqdm installed); False: periodic lines.
    interval : float
        Seconds between lines (line mode).
    """

    def __init__(self, stream: TextIO, *, bars: bool, interval: float = DEFAULT_INTERVAL):
        self.stream = stream
        self.bars = bars
        self.interval = interval
        self.started = time.monotonic()
        self._active: list[_Phase] = []
        self._last_line = self.started
        self._lock = threading.RLock()
        self._stop = threading.Event()
        tick = _BAR_TICK if bars else min(1.0, max(0.05, interval / 2))
        self._ticker = threading.Thread(
            target=self._tick, args=(tick,), name="fastsmote-progress", daemon=True
        )
        self._ticker.start()

    # ---------------------------------------------------------------- reporter
    def __call__(self, label: str, total: int | None) -> _Phase:
        phase = _Phase(self, label, total)
        with self._lock:
            self._active.append(phase)
            self._refresh(time.monotonic())
        return phase

    def _update(self, phase: _Phase, n: int) -> None:
        with self._lock:
            phase.done += n
            if phase.bar is not None:
                phase.bar.update(n)
            self._refresh(time.monotonic())

    def _close(self, phase: _Phase) -> None:
        with self._lock:
            if phase not in self._active:
                return
            self._active.remove(phase)
            now = time.monotonic()
            if phase.bar is not None:
                phase.bar.close()
            elif phase.shown and not self.bars:
                self._line(f"{phase.label}: done, {duration(now - phase.started)}", now)
            self._refresh(now)

    # ---------------------------------------------------------------- output
    def say(self, text: str) -> None:
        """Print a line on the display's stream without breaking the bars."""
        with self._lock:
            if self.bars and any(p.bar is not None for p in self._active):
                from tqdm import tqdm

                tqdm.write(text, file=self.stream)
            else:
                _write(self.stream, text + "\n")

    def close(self) -> None:
        """Stop the background thread; close the bars still open."""
        self._stop.set()
        self._ticker.join(5)
        with self._lock:
            for phase in reversed(self._active):
                if phase.bar is not None:
                    phase.bar.close()
            self._active.clear()

    def _tick(self, period: float) -> None:
        while not self._stop.wait(period):
            with self._lock:
                self._refresh(time.monotonic(), tick=True)

    def _refresh(self, now: float, tick: bool = False) -> None:
        """Show what is due (called with the lock held)."""
        if not self._active:
            return
        if self.bars:
            for phase in self._active:
                if phase.bar is None and now - phase.started >= BAR_DELAY:
                    phase.bar = self._new_bar(phase)
                elif phase.bar is not None and tick:
                    phase.bar.refresh()
            return
        if now - self._last_line >= self.interval:
            phase = self._active[-1]
            self._line(phase.status(now), now)
            phase.shown = True

    def _line(self, text: str, now: float) -> None:
        self._last_line = now
        _write(self.stream, f"fastsmote: [{duration(now - self.started)}] {text}\n")

    def _new_bar(self, phase: _Phase) -> Any:
        from tqdm import tqdm

        phase.shown = True
        depth = self._active.index(phase)
        label = phase.label
        if depth:  # nested bars sit under their parent's: show the inner part only
            parent = self._active[depth - 1].label + ": "
            label = "  " * depth + (label[len(parent) :] if label.startswith(parent) else label)
        options: dict[str, Any] = {
            "desc": label,
            "file": self.stream,
            "leave": phase is self._active[0],
            "dynamic_ncols": True,
            "mininterval": 0.2,
        }
        if phase.total:
            bar = tqdm(total=phase.total, unit=" rows", unit_scale=True, **options)
        else:
            bar = tqdm(total=None, bar_format="{desc} [{elapsed}]", **options)
        bar.start_t -= time.monotonic() - phase.started  # elapsed from the phase's start
        if phase.done:
            bar.update(phase.done)
        return bar


def _write(stream: TextIO, text: str) -> None:
    """Progress must never fail a command (a closed terminal, a full disk)."""
    with contextlib.suppress(OSError, ValueError):
        stream.write(text)
        stream.flush()


def _has_tqdm() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def progress_display(
    quiet: bool = False, stream: TextIO | None = None
) -> Iterator[ProgressDisplay | None]:
    """Show the progress of the library's phases on ``stream`` (stderr) while the block
    runs; yield the display (None with ``quiet``, which shows nothing).

    Bars when ``stream`` is a terminal and tqdm is installed, periodic lines otherwise;
    see the module docstring.
    """
    if quiet:
        with _progress.report_progress(None):
            yield None
        return
    stream = stream or sys.stderr
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    display = ProgressDisplay(stream, bars=terminal and _has_tqdm(), interval=_interval())
    try:
        with _progress.report_progress(display):
            yield display
    finally:
        display.close()
