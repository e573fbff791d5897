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
  kernels at once. fastsmote's kernels make no Numba parallel loops (threads come from
  :func:`parallel_for`); with that layer, other libraries' parallel kernels run through
  ``native_section(parallel=True)`` one at a time.
"""

from __future__ import annotations

import _signal  # signal's C functions: signal.getsignal converts to enums, ~50x slower
import inspect
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numba
import numpy as np
from numba.core.cpu_options import ParallelOptions
from numba.core.errors import NumbaPerformanceWarning
from numba.core.registry import CPUDispatcher

#: Set ``FASTSMOTE_NUMBA_CACHE=0`` to compile in memory only (read-only installs).
CACHE = os.environ.get("FASTSMOTE_NUMBA_CACHE", "1") != "0"

#: Test hook: ``FASTSMOTE_TEST_HOOK_KERNEL=<kernel name>=<path>`` creates ``path`` (with
#: the process id) right before each call of that kernel from Python (once it is
#: compiled), so that tests can send a signal while it runs.
KERNEL_HOOK_ENV = "FASTSMOTE_TEST_HOOK_KERNEL"
_hook_name, _, _hook_path = os.environ.get(KERNEL_HOOK_ENV, "").partition("=")


#: Numba's parallel pipeline with every transformation off, for task-range kernels: it
#: makes no parallel loops (threads come from :func:`parallel_for`), but its analyses
#: let LLVM vectorise loops the plain pipeline leaves scalar (SMOTE's generation loop
#: runs 4-5x faster than plain; helpers called from kernels stay plain, which is as fast).
#: (An options object: Numba empties a dict of options at each compilation.)
_ANALYSIS_ONLY = ParallelOptions(
    dict.fromkeys(
        ("prange", "numpy", "comprehension", "reduction", "inplace_binop", "setitem",
         "stencil", "fusion"),
        False,
    )
)  # fmt: skip


def jit(
    *,
    tasks: bool = False,
    inline: str = "never",
    contract: bool = False,
    read_only: tuple[str, ...] = (),
):
    """Decorate a kernel: lazy compilation, on-disk cache, no fastmath.

    ``tasks`` marks a kernel of a task range, ``kernel(lo, hi, ...)``, that
    :func:`parallel_for` runs on several threads: it is compiled with Numba's parallel
    analyses but makes no parallel loops itself.

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

    def decorate(func):
        kernel = numba.njit(
            cache=CACHE,
            parallel=_ANALYSIS_ONLY if tasks else False,
            nogil=True,
            fastmath=fastmath,
            inline=inline,
        )(func)
        if type(kernel) is CPUDispatcher:  # not with NUMBA_DISABLE_JIT=1 (a plain function)
            kernel.__class__ = _Kernel
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

    _read_only: tuple[tuple[int, str], ...] = ()

    def __call__(self, *args, **kwargs):
        if self._read_only:
            args = list(args)
            for position, name in self._read_only:
                if position < len(args):
                    args[position] = _read_only_view(args[position])
                elif name in kwargs:
                    kwargs[name] = _read_only_view(kwargs[name])
        with native_section(parallel=False):
            if _hook_name == self.__name__:
                # compile or load it first, so that a signal lands in the kernel itself
                self.compile(tuple(self.typeof_pyval(arg) for arg in args))
                Path(_hook_path).write_text(str(os.getpid()))
            return super().__call__(*args, **kwargs)

    def _compile_for_args(self, *args, **kwargs):
        # Numba calls this (Python code) when no compiled version fits the arguments;
        # compiling can take seconds, and signals may act at once meanwhile.
        with _signals_act():
            try:
                return super()._compile_for_args(*args, **kwargs)
            except ValueError as error:  # loading a cached version starts the layer
                raise _layer_error(error) from None

    def compile(self, sig):
        with warnings.catch_warnings():
            # "parallel=True ... no transformation": none is asked for (_ANALYSIS_ONLY)
            warnings.simplefilter("ignore", NumbaPerformanceWarning)
            return super().compile(sig)


# --------------------------------------------------------------------------- threads
# Kernels are serial functions of a task range; :func:`parallel_for` runs the ranges on
# Python threads (kernels release the GIL). Numba's own parallel loops would do the
# same, but compiling one costs about as much again as the serial kernel
# (``benchmarks/cold_start.py``: ``fastsmote.warmup()`` takes half the time without them).


class _Worker(threading.Thread):
    """A thread that runs one job at a time, handed over and back through two locks."""

    def __init__(self) -> None:
        super().__init__(name="fastsmote-kernel", daemon=True)
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._job: Callable[[], None] | None = None
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        while True:
            self._go.acquire()
            try:
                self._job()
            except BaseException as error:  # raised again in the calling thread
                self._error = error
            self._job = None
            self._done.release()

    def submit(self, job: Callable[[], None]) -> None:
        self._job, self._error = job, None
        self._go.release()

    def join_job(self) -> BaseException | None:
        self._done.acquire()
        return self._error


#: Idle workers, shared by all calling threads, and how many were started; forgotten
#: in a forked child.
_idle: list[_Worker] = []
_idle_lock = threading.Lock()
_started = 0


def _take_workers(n: int) -> list[_Worker]:
    """Up to ``n`` idle workers, starting new ones while fewer than
    ``NUMBA_NUM_THREADS - 1`` exist (a busy process may get fewer: the caller then
    runs the remaining ranges itself)."""
    global _started
    with _idle_lock:
        taken = [_idle.pop() for _ in range(min(n, len(_idle)))]
        while len(taken) < n and _started < numba.config.NUMBA_NUM_THREADS - 1:
            taken.append(_Worker())
            _started += 1
    return taken


def _give_back(workers: list[_Worker]) -> None:
    with _idle_lock:
        _idle.extend(workers)


def _after_fork_in_child() -> None:
    """A forked child has no worker threads, and its one thread (the main thread now)
    runs no kernel, even when another thread of the parent ran one or held a lock."""
    global _idle, _idle_lock, _started, _leave_lock, _layer_lock
    _idle, _idle_lock, _started = [], threading.Lock(), 0
    _leave_lock, _layer_lock = threading.Lock(), threading.RLock()
    if _main.depth:  # the parent's main thread was in a kernel: its handlers come back
        _main.depth = 0
        _restore_signals()


os.register_at_fork(after_in_child=_after_fork_in_child)


def thread_count() -> int:
    """The calling thread's kernel thread count (``numba.get_num_threads()``)."""
    try:
        return numba.get_num_threads()
    except ValueError as error:
        raise _layer_error(error) from None


def _set_thread_count(n: int) -> None:
    try:
        numba.set_num_threads(n)
    except ValueError as error:
        raise _layer_error(error) from None


def _layer_error(error: ValueError) -> Exception:
    """Numba's failure to load a threading layer, said for a fastsmote user; any other
    ``ValueError`` as it is."""
    if "threading layer" not in str(error):
        return error
    asked = os.environ.get("NUMBA_THREADING_LAYER") or numba.config.THREADING_LAYER
    return RuntimeError(
        f"Numba could not load the threading layer {asked!r} (NUMBA_THREADING_LAYER or "
        "NUMBA_THREADING_LAYER_PRIORITY): fastsmote's kernels are compiled with Numba's "
        "parallel analyses, which need one. Unset those variables (Numba then picks a "
        "layer that loads) or install the layer named (pip install tbb for 'tbb')."
    )


def task_ranges(n_tasks: int, n_parts: int) -> list[tuple[int, int]]:
    """``n_tasks`` split into ``n_parts`` contiguous ranges whose sizes differ by at
    most one (the larger first)."""
    size, extra = divmod(n_tasks, n_parts)
    bounds = [0]
    for part in range(n_parts):
        bounds.append(bounds[-1] + size + (part < extra))
    return list(zip(bounds[:-1], bounds[1:], strict=True))


#: Ranges per thread in :func:`parallel_for`: threads claim them in turn, so one whose
#: ranges run slower (uneven work, a busy core) does fewer; each costs a kernel call.
RANGES_PER_THREAD = 4

#: The longest a claim of :func:`parallel_for` should run, in seconds: a signal waits
#: for the claims running, so claims of slow tasks are cut to about this long.
CLAIM_SECONDS = 0.25


class _Claims:
    """The task ranges of :func:`parallel_for`, handed out in order.

    Claims are one task each until one has run; from then on a claim is as many tasks
    as the last one to finish ran in :data:`CLAIM_SECONDS` (at least one; a claim that
    compiled its kernel counts so, for one claim), and never crosses the end of
    a range of :func:`task_ranges`: fast tasks run in those ranges, slow ones in claims
    a signal does not wait long for. Where the claims end never changes a result (the
    tasks write disjoint parts of the outputs).
    """

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self._ends = [hi for _, hi in ranges]
        self._range = 0  # the range the next claim starts in
        self._next = 0  # the first task not claimed
        self._size = 1
        self._lock = threading.Lock()

    def take(self) -> tuple[int, int] | None:
        with self._lock:
            if self._range == len(self._ends):
                return None
            end = self._ends[self._range]
            lo, hi = self._next, min(end, self._next + self._size)
            self._next = hi
            self._range += hi == end
            return lo, hi

    def ran(self, n_tasks: int, seconds: float) -> None:
        """Size the next claims from a claim of ``n_tasks`` that took ``seconds``."""
        per_task = max(seconds, 1e-9) / n_tasks
        with self._lock:
            self._size = max(1, min(1 << 40, int(CLAIM_SECONDS / per_task)))

    @property
    def done(self) -> bool:
        return self._range == len(self._ends)


def parallel_for(kernel, n_tasks: int, *args) -> None:
    """Run ``kernel(lo, hi, *args)`` over tasks ``0 .. n_tasks - 1``, in parallel.

    The tasks are split into contiguous ranges, :data:`RANGES_PER_THREAD` per thread
    (``numba.get_num_threads()`` of the calling thread, which ``n_jobs`` sets), which
    the calling thread and up to ``threads - 1`` workers claim in order until none is
    left (slow tasks in shorter claims: :class:`_Claims`). The call returns when all
    have finished; the first exception raised is raised again. Tasks must write
    disjoint parts of the outputs, so that results never depend on the number of
    threads, on where claims end or on which thread ran a claim.

    Signals (Ctrl-C) wait until no claim runs, not until every task is done: in the
    main thread, outside any other kernel section, a signal stops the claiming; once
    the running claims have finished, the section ends and the signal's handler runs
    (``KeyboardInterrupt`` is raised here); a handler that returns lets the remaining
    tasks run.
    """
    n_tasks = int(n_tasks)
    if n_tasks <= 0:
        return
    n_threads = max(1, min(thread_count(), n_tasks))
    interruptible = threading.current_thread() is threading.main_thread() and not _main.depth
    if n_threads == 1 and not interruptible:
        kernel(0, n_tasks, *args)
        return
    claims = _Claims(task_ranges(n_tasks, min(n_tasks, n_threads * RANGES_PER_THREAD)))

    def run_claimed() -> None:
        # a claim is taken only while no signal waits: every task claimed is run
        while not (interruptible and _main.received) and (claim := claims.take()):
            started = time.perf_counter()
            kernel(*claim, *args)
            claims.ran(claim[1] - claim[0], time.perf_counter() - started)

    while True:
        with native_section(parallel=False):  # nothing returns while workers write
            workers = _take_workers(n_threads - 1)
            for worker in workers:
                worker.submit(run_claimed)
            try:
                run_claimed()
            finally:
                errors = [worker.join_job() for worker in workers]
                _give_back(workers)
            for error in errors:
                if error is not None:
                    raise error
        if claims.done:  # else a signal's handler returned: the rest runs now
            return


#: Held around Numba parallel code (pynndescent's) when the threading layer is not
#: thread-safe.
_layer_lock = threading.RLock()
_serialise: bool | None = None


def serialises_parallel_kernels() -> bool:
    """Whether Numba parallel code (pynndescent's kernels) runs one at a time here.

    True with Numba's "workqueue" threading layer (no OpenMP or TBB), which aborts the
    process when two threads use it at once. False with OpenMP or TBB. fastsmote's own
    kernels make no Numba parallel loops and always run concurrently.
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
    ``parallel`` (code with Numba parallel loops) and a threading layer that is not
    thread-safe (see :func:`serialises_parallel_kernels`), one such section runs at a
    time in the process.
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
    previous = thread_count()
    if n_threads is None:
        yield previous
        return
    n_max = numba.config.NUMBA_NUM_THREADS
    wanted = n_max + 1 + n_threads if n_threads < 0 else n_threads
    wanted = max(1, min(n_max, wanted))
    _set_thread_count(wanted)
    try:
        yield wanted
    finally:
        _set_thread_count(previous)
