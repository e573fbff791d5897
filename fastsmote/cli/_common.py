"""Shared by the batch commands: exit codes, one-line errors, signals, warnings."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from .._validation import NeighborCountError, UnsuitedDataError

#: Exit codes of every ``fastsmote`` command (docs/cli.md).
EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug: the traceback is printed
EXIT_USAGE = 2  # bad command-line arguments or parameters (argparse uses 2 as well)
EXIT_INPUT_MISSING = 3
EXIT_INPUT_UNREADABLE = 4  # not Parquet/CSV, corrupt, truncated, no permission, no rows
EXIT_TARGET_MISSING = 5
EXIT_NON_NUMERIC = 6
EXIT_MISSING_VALUES = 7  # NaN, infinity or nulls in features; missing labels
EXIT_CLASSES = 8  # a class too small for k, a single class, labels that are not classes,
# classes the method cannot work with (no cluster or support vector to start from)
EXIT_OUTPUT_EXISTS = 9
EXIT_OUTPUT = 10  # output cannot be written (directory, permissions, disk full)
EXIT_MEMORY = 11
EXIT_CLUSTER = 12  # --scheduler: the scheduler cannot be reached, or the cluster lost the job
EXIT_SIGPIPE = 141  # the reader of stdout went away (`fastsmote diagnose ... | head`)
EXIT_SIGHUP = 129
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

#: Signals that end a command: exit code (128 + signal number) and the word printed.
_ENDING_SIGNALS = {
    signal.SIGINT: (EXIT_SIGINT, "interrupted"),
    signal.SIGTERM: (EXIT_SIGTERM, "terminated"),
}
if hasattr(signal, "SIGHUP"):  # the terminal went away (not on Windows)
    _ENDING_SIGNALS[signal.SIGHUP] = (EXIT_SIGHUP, "hangup")

#: Library messages (ValueError/TypeError) -> exit code; first match wins, default usage.
_MESSAGE_CODES = [
    (re.compile(r"contains (NaN|infinity)|missing values|missing labels"), EXIT_MISSING_VALUES),
    (re.compile(r"non-numeric"), EXIT_NON_NUMERIC),
    (
        re.compile(
            r"needs? at least 2 rows|at least 2 classes|"
            r"one class only|Unknown label type|multilabel|needs at least \d+ rows|"
            r"labels represented as bytes|is not adapted to your dataset"
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
    """Raised by the SIGTERM (and SIGHUP) handler so that ``finally`` blocks clean up."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.signum = signum


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
        (NeighborCountError, EXIT_CLASSES),
        (UnsuitedDataError, EXIT_CLASSES),
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
    the null device.
    """
    try:
        print(text, flush=True)
    except BrokenPipeError:
        raise
    except OSError as error:
        _stdout_to_devnull()
        reason = error.strerror or str(error)
        raise CommandError(f"cannot write to standard output: {reason}", EXIT_OUTPUT) from None


def _stdout_to_devnull() -> None:
    """Point standard output at the null device: Python would fail again writing to it
    when it flushes at exit."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def one_line(error: BaseException) -> str:
    """The error's message on one line."""
    return " ".join(str(error).split()) or type(error).__name__


def run_guarded(command: Callable[[], int], stderr: TextIO | None = None) -> int:
    """Run ``command``; turn known errors into one line on stderr and an exit code.

    SIGTERM (and SIGHUP) raise :class:`Terminated` while the command runs, SIGINT
    ``KeyboardInterrupt``, so that temporary files are removed on the way out; see
    :func:`_signals_end_command` for signals that arrive while native code runs.
    """
    stderr = stderr or sys.stderr
    with _signals_end_command(stderr) as ending:
        try:
            code = _report_errors(command, stderr, ending)
            ending.finished = True  # from here on, signals find the work done
            return code
        except KeyboardInterrupt:
            if ending.claim():
                _say(stderr, "fastsmote: interrupted")
            return EXIT_SIGINT
        except Terminated as stop:
            code, word = _ENDING_SIGNALS[stop.signum]
            if ending.claim():
                _say(stderr, f"fastsmote: {word}")
            return code


def _report_errors(command: Callable[[], int], stderr: TextIO, ending: _Ending) -> int:
    try:
        return command()
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_SIGPIPE
    except Exception as error:  # noqa: BLE001 - every error gets a code and a line
        code = code_for(error)
        if not ending.claim():
            return code  # a signal is ending the process and says so
        if code == EXIT_INTERNAL:
            traceback.print_exc(file=stderr)
            print(f"fastsmote: error: unexpected {type(error).__name__}: {error}", file=stderr)
        else:
            print(f"fastsmote: error: {one_line(error)}", file=stderr)
        return code


def _say(stream: TextIO, line: str) -> None:
    """Print a line; a closed terminal (SIGHUP) or pipe must not turn it into an error."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=stream, flush=True)


class _Ending:
    """What the signal handling of one command has seen."""

    def __init__(self) -> None:
        self.signum: int | None = None  # the first ending signal, once its handler ran
        self.finished = False  # the command has returned its exit code
        self.done = threading.Event()  # ... and the signal handling ends
        self._lock = threading.Lock()
        self._claimed = False

    def claim(self) -> bool:
        """True for the first caller only: it prints the command's last line."""
        with self._lock:
            first, self._claimed = not self._claimed, True
            return first


@contextlib.contextmanager
def _signals_end_command(stderr: TextIO) -> Iterator[_Ending]:
    """End the command cleanly on SIGINT, SIGTERM or SIGHUP, whenever it arrives.

    In Python code the handler raises at once, and the exception unwinds through
    ``atomic_output``, which removes the temporary files. While the main thread runs a
    kernel, Python handlers wait until the kernel returns (see
    ``fastsmote._numba.native_section``), which can take minutes on a large class, and
    in other native code (Arrow, NumPy) until that call returns. So a watcher thread,
    woken by the signal through ``signal.set_wakeup_fd``, ends the process itself where
    no file can change any more: when the main thread is inside a kernel (it is kept
    there) or when no output is open (none can open then). It removes the temporary
    files, prints the same line and exits with the same code. Later signals are
    ignored, so that a second Ctrl-C cannot interrupt the cleanup. Signals the process
    was started ignoring (``nohup`` ignores SIGHUP, shells SIGINT for background jobs)
    stay ignored.
    """
    from .._numba import defer_in_kernel

    state = _Ending()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handler(signum, frame):
        if state.signum is not None or state.finished:
            return  # already ending (let the cleanup finish), or done
        if defer_in_kernel(signum):
            return  # Numba is compiling: the watcher ends the process (or it comes back)
        state.signum = signum
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signum)

    reader, writer = socket.socketpair()
    writer.setblocking(False)
    watcher = threading.Thread(
        target=_watch, args=(reader, state, stderr), name="fastsmote-signals", daemon=True
    )
    previous: dict = {}
    previous_fd = None
    try:
        watcher.start()
        previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        for signum in _ENDING_SIGNALS:
            if signal.getsignal(signum) != signal.SIG_IGN:  # nohup, `&` in scripts: keep
                previous[signum] = signal.signal(signum, handler)
        yield state
    finally:
        state.done.set()
        for signum, old in previous.items():
            signal.signal(signum, old)
        if previous_fd is not None:
            signal.set_wakeup_fd(previous_fd)
        writer.close()  # the watcher's recv returns b""
        watcher.join(5)
        reader.close()


def _watch(reader: socket.socket, state: _Ending, stderr: TextIO) -> None:
    """Wait for an ending signal; end the process at once where that is safe."""
    from .._numba import hold_main_thread_in_kernel, release_main_thread

    signum = None
    while signum is None:
        try:
            data = reader.recv(64)
        except OSError:
            return
        if not data:
            return
        signum = next((s for s in data if s in _ENDING_SIGNALS), None)
    try:
        from .. import io
    except ImportError:  # no pyarrow: no output can be open
        io = None
    # Until the command returns: even after the handler raised in the main thread, the
    # exception may be swallowed (Numba's compiler runs callbacks that ignore them).
    while not state.finished and not state.done.is_set():
        if hold_main_thread_in_kernel():
            if not _end_process(signum, stderr, state, io):
                release_main_thread()
                return
        if io is None or io.hold_no_temporary_files():
            if not _end_process(signum, stderr, state, None):
                if io is not None:
                    io.release_temporary_files()
                return
        state.done.wait(0.01)  # an output is open, and main is in NumPy or Arrow: poll


def _end_process(signum: int, stderr: TextIO, state: _Ending, io: Any) -> bool:
    """Remove the temporary outputs (``io``), print the line of ``signum``, exit at once;
    False if the main thread has already reported (it is returning its exit code).

    Only called while nothing can write files any more: the main thread is held inside
    a kernel, or no output is open and none can open.
    """
    if not state.claim():
        return False
    code, word = _ENDING_SIGNALS[signum]
    if io is not None:
        io.remove_temporary_files()
    _say(stderr, f"fastsmote: {word}")
    os._exit(code)


# --------------------------------------------------------------------------- warnings
def warn(text: str, display: Any = None) -> None:
    """``fastsmote: warning: <text>`` on stderr (through the progress ``display``, if
    any, so that its bars stay intact)."""
    line = f"fastsmote: warning: {text}"
    if display is not None:
        display.say(line)
    else:
        _say(sys.stderr, line)
