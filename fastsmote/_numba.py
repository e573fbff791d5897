"""The one place where fastsmote configures Numba.

Every kernel is compiled through :func:`jit`, so caching and floating-point
flags are decided here once. ``fastmath`` stays off: kernels must reproduce
the plain-NumPy references bit for bit, and NaN checks must keep working (the one
exception, fused multiply-adds in shortlist kernels, is proven afterwards).

Every call of a kernel from Python also goes through :func:`native_section`, which
keeps two promises Numba does not:

- **Signals.** Python runs signal handlers in the main thread between bytecodes, and
  Numba runs Python code (``_numba_unpickle``) while it converts a kernel's results to
  Python objects, without checking for errors. A handler that raises there (Ctrl-C's
  ``KeyboardInterrupt``, the command line's SIGTERM handler) makes Numba return a
  half-built result: a ``SystemError`` or a segmentation fault a moment later. So while
  the main thread is inside a kernel, Python-level handlers only record the signal; the
  original handlers run as soon as the kernel has returned.
- **Threads.** Numba's fallback threading layer ("workqueue", used when neither OpenMP
  nor TBB is available) aborts the process when two Python threads run parallel
  kernels at once. With that layer, parallel kernels run one at a time.
"""

from __future__ import annotations

import _signal  # signal's C functions: signal.getsignal converts to enums, ~50x slower
import inspect
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numba
import numpy as np
from numba.core.registry import CPUDispatcher

#: Set ``FASTSMOTE_NUMBA_CACHE=0`` to compile in memory only (read-only installs).
CACHE = os.environ.get("FASTSMOTE_NUMBA_CACHE", "1") != "0"

#: Test hook: ``FASTSMOTE_TEST_HOOK_KERNEL=<kernel name>=<path>`` creates ``path`` (with
#: the process id) right before each call of that kernel from Python (once it is
#: compiled), so that tests can send a signal while it runs.
KERNEL_HOOK_ENV = "FASTSMOTE_TEST_HOOK_KERNEL"
_hook_name, _, _hook_path = os.environ.get(KERNEL_HOOK_ENV, "").partition("=")


def jit(
    *,
    parallel: bool = False,
    inline: str = "never",
    contract: bool = False,
    read_only: tuple[str, ...] = (),
):
    """Decorate a kernel: lazy compilation, on-disk cache, no fastmath.

    ``contract`` allows fused multiply-adds, and nothing else of fastmath, for kernels
    whose results are approximations checked afterwards (distance shortlists). Calls
    from Python run inside :func:`native_section`; calls from other kernels are plain
    native calls.

    ``read_only`` names the array arguments the kernel only reads. Calls from Python
    pass them as read-only views: Numba compiles a writable and a read-only array
    (memory maps, Arrow buffers) separately, and this way both share one compiled
    version.
    """
    fastmath = {"contract"} if contract else False
    compile_ = numba.njit(
        cache=CACHE, parallel=parallel, nogil=True, fastmath=fastmath, inline=inline
    )

    def decorate(func):
        kernel = compile_(func)
        if type(kernel) is CPUDispatcher:  # not with NUMBA_DISABLE_JIT=1 (a plain function)
            kernel.__class__ = _ParallelKernel if parallel else _Kernel
            names = list(inspect.signature(func).parameters)
            kernel._read_only = tuple((names.index(name), name) for name in read_only)
        return kernel

    return decorate


def _read_only_view(value):
    """A read-only view of a writable array; anything else unchanged."""
    if isinstance(value, np.ndarray) and value.flags.writeable:
        value = value.view()
        value.flags.writeable = False
    return value


class _Kernel(CPUDispatcher):
    """A Numba dispatcher whose calls from Python run inside :func:`native_section`."""

    _parallel = False
    _read_only: tuple[tuple[int, str], ...] = ()

    def __call__(self, *args, **kwargs):
        if self._read_only:
            args = list(args)
            for position, name in self._read_only:
                if position < len(args):
                    args[position] = _read_only_view(args[position])
                elif name in kwargs:
                    kwargs[name] = _read_only_view(kwargs[name])
        with native_section(parallel=self._parallel):
            if _hook_name == self.__name__:
                # compile or load it first, so that a signal lands in the kernel itself
                self.compile(tuple(self.typeof_pyval(arg) for arg in args))
                Path(_hook_path).write_text(str(os.getpid()))
            return super().__call__(*args, **kwargs)

    def _compile_for_args(self, *args, **kwargs):
        # Numba calls this (Python code) when no compiled version fits the arguments;
        # compiling can take seconds, and signals may act at once meanwhile.
        with _signals_act():
            return super()._compile_for_args(*args, **kwargs)


class _ParallelKernel(_Kernel):
    _parallel = True


# --------------------------------------------------------------------------- threads
#: Held around parallel kernels when the threading layer is not thread-safe.
_layer_lock = threading.RLock()
_serialise: bool | None = None


def serialises_parallel_kernels() -> bool:
    """Whether parallel kernels run one at a time in this process.

    True with Numba's "workqueue" threading layer (no OpenMP or TBB), which aborts the
    process when two threads use it at once. False with OpenMP or TBB: threads run
    kernels concurrently.
    """
    global _serialise
    if _serialise is None:
        numba.get_num_threads()  # starts Numba's threads: the layer is chosen then
        _serialise = numba.threading_layer() == "workqueue"
    return _serialise


# --------------------------------------------------------------------------- signals
#: Signals whose Python handlers wait while the main thread runs a kernel.
_DEFERRED_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM")
    if hasattr(signal, name)
)


class _MainThread:
    """Kernel sections of the main thread (the only thread that runs signal handlers)."""

    def __init__(self) -> None:
        self.depth = 0  # nested sections
        self.saved: dict = {}  # signal -> its handler before the outermost section
        self.received: list[int] = []  # signals recorded inside the section, in order


_main = _MainThread()
#: Taken by the main thread when it leaves its outermost section; see
#: :func:`hold_main_thread_in_kernel`.
_leave_lock = threading.Lock()


def _record(signum, frame):
    if _main.depth:
        _main.received.append(signum)
        return
    # Left installed by a restore that a signal interrupted: put the original back and
    # let it handle this signal now (this is ordinary Python code, outside any kernel).
    original = _main.saved.pop(signum, signal.SIG_DFL)
    _signal.signal(signum, original)
    if callable(original):
        original(signum, frame)
    else:
        signal.raise_signal(signum)


def _defer_signals() -> None:
    saved = _main.saved
    for signum in _DEFERRED_SIGNALS:
        handler = _signal.getsignal(signum)
        if callable(handler) and handler is not _record:
            saved[signum] = handler
            _signal.signal(signum, _record)


def _restore_signals() -> list[int]:
    for signum in list(_main.saved):
        if _signal.getsignal(signum) is _record:
            _signal.signal(signum, _main.saved[signum])
        _main.saved.pop(signum, None)
    received, _main.received = list(dict.fromkeys(_main.received)), []
    return received


@contextmanager
def _signals_act() -> Iterator[None]:
    """Inside a section, for Python code only (compiling): the original handlers."""
    if threading.current_thread() is not threading.main_thread() or not _main.saved:
        yield
        return
    try:
        for signum in _restore_signals():
            signal.raise_signal(signum)
        yield
    finally:
        _defer_signals()


@contextmanager
def native_section(parallel: bool = True) -> Iterator[None]:
    """Run Numba-compiled code (kernels, or a library's, e.g. pynndescent's) safely.

    In the main thread, Python signal handlers are replaced by one that records the
    signal; at the end of the outermost section the original handlers are put back and
    the recorded signals raised again, so that ``KeyboardInterrupt`` and the like are
    raised here, after Numba has finished, never inside its result conversion. With
    ``parallel`` and a threading layer that is not thread-safe (see
    :func:`serialises_parallel_kernels`), one section runs at a time in the process.
    """
    serial = parallel and serialises_parallel_kernels()
    received: list[int] = []
    try:
        with _layer_lock if serial else nullcontext():
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            outermost = _main.depth == 0
            _main.depth += 1
            try:
                if outermost:
                    _defer_signals()
                yield
            finally:
                if outermost:
                    with _leave_lock:
                        _main.depth -= 1
                    received = _restore_signals()
                else:
                    _main.depth -= 1
    finally:
        for signum in received:  # the original handlers run now (and may raise)
            signal.raise_signal(signum)


def defer_in_kernel(signum: int) -> bool:
    """For a signal handler: if the main thread is inside a kernel section (compiling
    included), record ``signum`` to be raised again when the section ends and return
    True; otherwise return False (the handler may act now)."""
    if threading.current_thread() is threading.main_thread() and _main.depth:
        _main.received.append(signum)
        return True
    return False


def hold_main_thread_in_kernel() -> bool:
    """From another thread: whether the main thread is inside a kernel section; if so,
    it stays there (it blocks when the kernel returns) for the rest of the process.

    For a command line that must end at once on a signal: it can remove its temporary
    files and call ``os._exit`` while the main thread cannot touch them any more.
    """
    _leave_lock.acquire()
    if _main.depth:
        return True
    _leave_lock.release()
    return False


def release_main_thread() -> None:
    """Undo a :func:`hold_main_thread_in_kernel` that returned True."""
    _leave_lock.release()


@contextmanager
def numba_threads(n_threads: int | None) -> Iterator[int]:
    """Run the body with ``n_threads`` Numba threads and always restore the old count.

    ``None`` keeps the current setting; negative values count back from the number
    of cores like joblib (``-1`` = all cores).
    """
    previous = numba.get_num_threads()
    if n_threads is None:
        yield previous
        return
    n_max = numba.config.NUMBA_NUM_THREADS
    wanted = n_max + 1 + n_threads if n_threads < 0 else n_threads
    wanted = max(1, min(n_max, wanted))
    numba.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        numba.set_num_threads(previous)
