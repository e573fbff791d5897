"""Shared by the batch commands: exit codes, one-line errors, signals, progress."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import TextIO

#: Exit codes of ``fastsmote resample`` and ``fastsmote diagnose`` (docs/cli.md).
EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug: the traceback is printed
EXIT_USAGE = 2  # bad command-line arguments or parameters (argparse uses 2 as well)
EXIT_INPUT_MISSING = 3
EXIT_INPUT_UNREADABLE = 4  # not Parquet/CSV, corrupt, truncated, no permission, no rows
EXIT_TARGET_MISSING = 5
EXIT_NON_NUMERIC = 6
EXIT_MISSING_VALUES = 7  # NaN, infinity or nulls in features; missing labels
EXIT_CLASSES = 8  # a class too small for k, a single class, labels that are not classes
EXIT_OUTPUT_EXISTS = 9
EXIT_OUTPUT = 10  # output cannot be written (directory, permissions, disk full)
EXIT_MEMORY = 11
EXIT_SIGPIPE = 141  # the reader of stdout went away (`fastsmote diagnose ... | head`)
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

#: Library messages (ValueError/TypeError) -> exit code; first match wins, default usage.
_MESSAGE_CODES = [
    (re.compile(r"contains (NaN|infinity)|missing values|missing labels"), EXIT_MISSING_VALUES),
    (re.compile(r"non-numeric"), EXIT_NON_NUMERIC),
    (
        re.compile(
            r"row\(s\) but \w+=\d+ needs|needs? at least 2 rows|at least 2 classes|"
            r"one class only|Unknown label type|multilabel|needs at least \d+ rows|"
            r"labels represented as bytes"
        ),
        EXIT_CLASSES,
    ),
]


class CommandError(Exception):
    """An error with its exit code, reported as ``fastsmote: error: <message>``."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


class Terminated(BaseException):  # noqa: N818 - like KeyboardInterrupt, not an Exception
    """Raised by the SIGTERM handler so that ``finally`` blocks clean up."""


def code_for(error: BaseException) -> int:
    """The exit code for an exception raised while running a batch command."""
    from .. import io

    classes = [
        (CommandError, None),
        (io.InputNotFoundError, EXIT_INPUT_MISSING),
        (io.UnreadableInputError, EXIT_INPUT_UNREADABLE),
        (io.MissingColumnError, EXIT_TARGET_MISSING),
        (io.NonNumericColumnsError, EXIT_NON_NUMERIC),
        (io.MissingValuesError, EXIT_MISSING_VALUES),
        (io.OutputExistsError, EXIT_OUTPUT_EXISTS),
        (io.OutputError, EXIT_OUTPUT),
        (MemoryError, EXIT_MEMORY),
    ]
    for kind, code in classes:
        if isinstance(error, kind):
            return error.code if code is None else code
    if isinstance(error, (ValueError, TypeError)):
        text = str(error)
        for pattern, code in _MESSAGE_CODES:
            if pattern.search(text):
                return code
        return EXIT_USAGE
    return EXIT_INTERNAL


def emit(text: str) -> None:
    """Print ``text`` on standard output now (flushed).

    A closed pipe raises ``BrokenPipeError`` (exit 141 in :func:`run_guarded`); any
    other failure to write (e.g. a full disk or ``/dev/full``) is a
    :class:`CommandError` with the output exit code, and standard output is pointed at
    the null device so that Python does not fail again when it flushes at exit.
    """
    try:
        print(text, flush=True)
    except BrokenPipeError:
        raise
    except OSError as error:
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        reason = error.strerror or str(error)
        raise CommandError(f"cannot write to standard output: {reason}", EXIT_OUTPUT) from None


def one_line(error: BaseException) -> str:
    """The error's message on one line."""
    return " ".join(str(error).split()) or type(error).__name__


def run_guarded(command: Callable[[], int], stderr: TextIO | None = None) -> int:
    """Run ``command``; turn known errors into one line on stderr and an exit code.

    SIGTERM raises :class:`Terminated` while the command runs (so temporary files are
    removed on the way out); SIGINT raises ``KeyboardInterrupt`` as usual.
    """
    stderr = stderr or sys.stderr
    with _terminate_on_sigterm():
        try:
            return command()
        except KeyboardInterrupt:
            print("fastsmote: interrupted", file=stderr)
            return EXIT_SIGINT
        except Terminated:
            print("fastsmote: terminated", file=stderr)
            return EXIT_SIGTERM
        except BrokenPipeError:
            # Python would complain again when flushing stdout at exit: point it at devnull.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_SIGPIPE
        except Exception as error:  # noqa: BLE001 - every error gets a code and a line
            code = code_for(error)
            if code == EXIT_INTERNAL:
                traceback.print_exc(file=stderr)
                print(f"fastsmote: error: unexpected {type(error).__name__}: {error}", file=stderr)
            else:
                print(f"fastsmote: error: {one_line(error)}", file=stderr)
            return code


@contextlib.contextmanager
def _terminate_on_sigterm() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------- progress
class Progress:
    """A one-line stderr progress display, shown only for work past ``delay`` seconds.

    Parameters
    ----------
    label : str
    total : int or None
        Units of work (rows); None shows elapsed time only.
    enabled : bool
        False (``--quiet``, or stderr not a terminal) prints nothing.
    """

    def __init__(
        self,
        label: str,
        total: int | None,
        enabled: bool,
        *,
        stream: TextIO | None = None,
        delay: float = 2.0,
    ):
        self.label, self.total, self.enabled = label, total, enabled
        self.stream = stream or sys.stderr
        self.delay = delay
        self.done = 0
        self.started = self._last = time.monotonic()
        self.shown = False

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started >= self.delay and now - self._last >= 0.2:
            self._draw(now)

    def _draw(self, now: float) -> None:
        self._last = now
        elapsed = now - self.started
        if self.total:
            share = 100 * self.done / self.total
            text = f"{self.label}: {self.done:,}/{self.total:,} rows ({share:.0f}%)"
        else:
            text = f"{self.label}: {self.done:,} rows"
        self.stream.write(f"\r{text}, {elapsed:.0f} s\033[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.enabled and (self.shown or time.monotonic() - self.started >= self.delay):
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


def progress_factory(quiet: bool) -> Callable[[str, int | None], Progress]:
    """Progress bars on stderr unless ``quiet`` or stderr is not a terminal."""
    enabled = not quiet and sys.stderr.isatty()
    return lambda label, total: Progress(label, total, enabled)
