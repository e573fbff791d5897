"""Progress of long operations, for a caller that wants to show it (the command line).

The library announces its phases (reading, the neighbour search of each class,
cleaning, writing, compiling kernels) with :func:`phase` or :func:`start`, and reports
work done where the work is chunked. Nothing is shown unless a caller installs a
reporter with :func:`report_progress` for the current thread; without one a phase costs
a thread-local look-up. Progress is reported between chunks of work, never from inside
a kernel.

A reporter is a callable ``reporter(label, total)`` returning a handle with
``update(n)`` (``n`` more units done) and ``close()``. ``label`` says what runs; nested
phases are prefixed with the labels of the phases around them (``"SMOTE step:
neighbour search, class 1 (2,033 rows)"``). ``total`` is the number of units (rows)
when the work reports its progress, None when it runs as one piece (its elapsed time is
all there is to show). ``fastsmote.cli._progress.progress_display`` is the command
line's reporter: bars on a terminal, periodic lines in logs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

__all__ = ["Handle", "Reporter", "phase", "report_progress", "start"]


class Handle(Protocol):
    """What a reporter returns for one phase."""

    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


Reporter = Callable[[str, "int | None"], Handle]

_local = threading.local()


class _Silent:
    """The handle of a phase nobody watches."""

    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


_SILENT = _Silent()


class _Phase:
    """A reported phase: closing it also takes its label off the prefix stack."""

    def __init__(self, handle: Handle, labels: list[str]):
        self._handle = handle
        self._labels = labels
        self._depth = len(labels)
        labels.append("")  # filled by start()
        self._open = True

    def update(self, n: int) -> None:
        self._handle.update(n)

    def close(self) -> None:
        if self._open:
            self._open = False
            del self._labels[self._depth :]
            self._handle.close()


@contextmanager
def report_progress(reporter: Reporter | None) -> Iterator[None]:
    """Send the progress of this thread's work to ``reporter`` (None: to nobody).

    Parameters
    ----------
    reporter : callable or None
        ``reporter(label, total)`` returning a handle with ``update(n)`` and
        ``close()``; see the module docstring.
    """
    previous = getattr(_local, "reporter", None), getattr(_local, "labels", None)
    _local.reporter, _local.labels = reporter, []
    try:
        yield
    finally:
        _local.reporter, _local.labels = previous


def start(label: str, total: int | None = None) -> Handle:
    """Begin a phase; the caller must ``close()`` the returned handle.

    Parameters
    ----------
    label : str
        What runs, e.g. ``"writing"`` or ``"neighbour search, class 1 (2,033 rows)"``.
    total : int, optional
        Units of work (rows) when the caller reports them with ``update(n)``.
    """
    reporter = getattr(_local, "reporter", None)
    if reporter is None:
        return _SILENT
    labels: list[str] = _local.labels
    handle = _Phase(reporter(": ".join([*labels, label]), total), labels)
    labels[-1] = label
    return handle


@contextmanager
def phase(label: str, total: int | None = None) -> Iterator[Any]:
    """A phase as a ``with`` block; yields the handle (see :func:`start`)."""
    handle = start(label, total)
    try:
        yield handle
    finally:
        handle.close()
