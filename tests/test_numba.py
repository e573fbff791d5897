"""fastsmote._numba: kernels called from Python under signals and from several threads.

The signal tests run the command line (or a script) in a subprocess and signal it while
a kernel runs: a test hook (``FASTSMOTE_TEST_HOOK_KERNEL``) creates a file right before
the exact neighbour search of a class of 20,000 rows, which keeps one thread busy for a
second or more, and the signal is sent as soon as the file appears.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numba
import numpy as np
import pytest

from fastsmote import _numba
from fastsmote.neighbors import exact_kneighbors

ROOT = Path(__file__).resolve().parents[1]
KERNEL = "_symmetric_tasks"  # the exact self-search of a class (and of all rows)
N_MAJOR, N_MINOR, N_FEATURES = 24_000, 20_000, 20
posix_signals = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals only")


def _env(**extra: str) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _default_signals() -> None:
    """In the child: SIGINT and SIGHUP as in a terminal, even if this test run ignores
    them (started by ``nohup``, or in the background by a script)."""
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300  # a cold Numba cache compiles first
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the kernel never started: {proc.communicate()}")
        time.sleep(0.005)


# --------------------------------------------------------------------------- command line
@pytest.fixture(scope="module")
def busy_parquet(tmp_path_factory):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_MAJOR + N_MINOR, N_FEATURES), dtype=np.float32)
    y = np.repeat([0, 1], [N_MAJOR, N_MINOR])
    table = pa.table({**{f"f{i}": X[:, i] for i in range(N_FEATURES)}, "label": y})
    path = tmp_path_factory.mktemp("busy") / "in.parquet"
    pq.write_table(table, path)
    return path


def _signal_inside_kernel(args: list, kernel: str, tmp_path: Path, signals: list):
    hook = tmp_path / "kernel-started"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fastsmote.cli", *map(str, args)],
        env=_env(**{_numba.KERNEL_HOOK_ENV: f"{kernel}={hook}"}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_signals,
    )
    _wait_for(hook, proc)
    for signum in signals:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


@posix_signals
@pytest.mark.parametrize(
    ("command", "signals", "code", "line"),
    [
        ("resample", [signal.SIGTERM], 143, "fastsmote: terminated"),
        ("resample", [signal.SIGINT], 130, "fastsmote: interrupted"),
        # a second signal during the cleanup changes nothing: one line, its code (sent
        # back to back, both may be pending at once, and Linux delivers SIGINT first)
        ("resample", [signal.SIGTERM, signal.SIGINT], None, None),
        ("diagnose", [getattr(signal, "SIGHUP", None)], 129, "fastsmote: hangup"),
    ],
)
def test_signal_inside_a_kernel_ends_the_command_cleanly(
    busy_parquet, tmp_path, command, signals, code, line
):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    if command == "resample":
        args = ["resample", busy_parquet, out_dir / "out.parquet", "--target", "label"]
        args += ["--neighbors", "exact", "--threads", "1", "-q"]
        kernel = KERNEL
    else:  # the minority's neighbours among all rows
        args = ["diagnose", busy_parquet, "--target", "label", "-q"]
        kernel = "_shortlist_blocks"
    got, err = _signal_inside_kernel(args, kernel, tmp_path, signals)
    if code is None:
        assert (got, err) in {(143, "fastsmote: terminated\n"), (130, "fastsmote: interrupted\n")}
    else:
        assert (got, err) == (code, line + "\n")
    assert os.listdir(out_dir) == []  # no output, record or temporary file


@posix_signals
def test_signals_ignored_at_start_stay_ignored():
    from fastsmote.cli._common import _signals_end_command

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        with _signals_end_command(sys.stderr):
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_IGN, signal.SIG_DFL)
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


# --------------------------------------------------------------------------- library
_INTERRUPTED_SCRIPT = """
import os, signal, sys, threading, time
import numba
import numpy as np
from fastsmote import SMOTE, config_context

hook = sys.argv[1]
rng = np.random.default_rng(0)
X = rng.standard_normal(({n_major} + {n_minor}, {n_features}), dtype=np.float32)
y = np.repeat([0, 1], [{n_major}, {n_minor}])
sampler = SMOTE(random_state=0, neighbors="exact")

def interrupt():
    while not os.path.exists(hook):
        time.sleep(0.005)
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=interrupt, daemon=True).start()
out = np.zeros((2 * {n_major}, {n_features}), dtype=np.float32)
try:
    with config_context(n_threads={n_threads}):
        sampler.fit_resample(X, y, out=out)
    print("not interrupted")
except KeyboardInterrupt:
    print("KeyboardInterrupt, threads", numba.get_num_threads())
os.remove(hook)
small = np.ascontiguousarray(X[::50])
X_res, _ = sampler.fit_resample(small, y[::50])
X_ref, _ = SMOTE(random_state=0, neighbors="exact").fit_resample(small, y[::50])
print("same after", np.array_equal(X_res, X_ref))
"""


@posix_signals
@pytest.mark.parametrize("n_threads", [1, 2])
def test_ctrl_c_inside_a_kernel_raises_keyboard_interrupt_in_library_use(tmp_path, n_threads):
    # with 2 threads the main thread runs some ranges and a worker the others: the
    # interrupt waits for both
    hook = tmp_path / "kernel-started"
    script = _INTERRUPTED_SCRIPT.format(
        n_major=N_MAJOR, n_minor=N_MINOR, n_features=N_FEATURES, n_threads=n_threads
    )
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(hook)],
        env=_env(**{_numba.KERNEL_HOOK_ENV: f"{KERNEL}={hook}", "NUMBA_NUM_THREADS": "2"}),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_default_signals,
    )
    assert proc.returncode == 0, proc.stderr
    # numba_threads restored the thread count; the library works on afterwards
    assert proc.stdout.split("\n") == ["KeyboardInterrupt, threads 2", "same after True", ""]


def test_every_kernel_is_guarded():
    import importlib
    import pkgutil

    import fastsmote._kernels

    names = [
        f"fastsmote._kernels.{m.name}" for m in pkgutil.iter_modules(fastsmote._kernels.__path__)
    ]
    kernels = [
        obj
        for module in map(importlib.import_module, [*names, "fastsmote._random"])
        for obj in vars(module).values()
        if isinstance(obj, numba.core.dispatcher.Dispatcher)
    ]
    assert len(kernels) > 20
    assert all(isinstance(k, _numba._Kernel) for k in kernels)
    # no kernel makes a Numba parallel loop: threads come from parallel_for
    options = [k.targetoptions.get("parallel", False) for k in kernels]
    assert all(o is False or o is _numba._ANALYSIS_ONLY for o in options)
    assert sum(o is _numba._ANALYSIS_ONLY for o in options) > 20
    assert not any(_numba._ANALYSIS_ONLY._get_values()[name] for name in ("prange", "numpy"))


_NO_PARALLEL_REGION = """
import warnings
warnings.simplefilter("error")  # cached code cannot be inspected: that must not pass
import numpy as np, fastsmote
from fastsmote import _numba
from fastsmote._kernels import arrays, cleaning, knn, smote
arrays.NUMPY_MAX_VALUES = 0  # the kernels, not the small-input NumPy paths
rng = np.random.default_rng(0)
y = np.repeat([0, 1], [200, 100])
for dtype in (np.float32, np.float64):
    X = rng.standard_normal((300, 5)).astype(dtype)
    fastsmote.SMOTE(random_state=0).fit_resample(X, y)
    fastsmote.EditedNearestNeighbours().fit_resample(X, y)  # np.zeros, votes[:] = 0 inside
checked = 0
for module in (arrays, cleaning, knn, smote):
    for kernel in vars(module).values():
        if getattr(kernel, "targetoptions", {}).get("parallel") is _numba._ANALYSIS_ONLY:
            for signature in kernel.signatures:
                assert "do_scheduling" not in kernel.inspect_llvm(signature), kernel
                checked += 1
print(checked)
"""


def test_task_kernels_compile_no_parallel_region():
    # every specialisation of a task kernel, not only the first: Numba empties a dict of
    # options as it compiles, and a second dtype then got Numba's parallel loops back
    result = subprocess.run(
        [sys.executable, "-c", _NO_PARALLEL_REGION],
        capture_output=True,
        text=True,
        env=_env(FASTSMOTE_NUMBA_CACHE="0"),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.split()[-1]) >= 8  # search, generation, editing, copies


@_numba.jit(read_only=("values",))
def _total(values, scale):
    acc = 0.0
    for v in values:
        acc += v
    return acc * scale


def test_read_only_arguments_share_one_compiled_version():
    writable = np.arange(5.0)
    read_only = np.arange(5.0)
    read_only.flags.writeable = False
    assert _total(writable, 2.0) == _total(read_only, 2.0) == _total(values=writable, scale=2.0)
    assert len(_total.signatures) == 1
    assert writable.flags.writeable  # the caller's array is untouched


# Every input form of one SMOTE call: the kernels SMOTE runs must compile one version per
# float dtype (labels: one in all), and nothing else (no shortlist code for tiny data).
_SMOTE_SPECIALISATIONS = """
import json, sys
import numpy as np, fastsmote
from numba.core.registry import CPUDispatcher
rng = np.random.default_rng(0)
for dtype in (np.float32, np.float64):
    for order in "CF":
        for labels in (np.int64, np.int32, np.int8, np.uint8, np.bool_):
            for writeable in (True, False):
                X = np.asarray(rng.standard_normal((60, 3)), dtype=dtype, order=order)
                y = np.repeat([0, 1], [40, 20]).astype(labels)
                X.flags.writeable = y.flags.writeable = writeable
                fastsmote.SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
counts = {}
for name, module in list(sys.modules.items()):
    for attr in vars(module).values() if name.startswith("fastsmote") else ():
        if isinstance(attr, CPUDispatcher) and attr.signatures:
            counts[attr.__name__] = len(attr.signatures)
print(json.dumps(counts))
"""


def test_smote_compiles_one_version_per_float_dtype():
    result = subprocess.run(
        [sys.executable, "-c", _SMOTE_SPECIALISATIONS],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    counts = json.loads(result.stdout.splitlines()[-1])
    assert {"_symmetric_tasks", "_generate_chunks"} <= set(counts)
    # labels this small are counted in NumPy; when kernels count them, one version serves
    # every integer type (tests/test_kernels_arrays.py)
    per_label_type = {"_count_blocks", "_count_serial", "_codes_blocks", "kernel_stream_key"}
    assert {k: n for k, n in counts.items() if k in per_label_type and n != 1} == {}
    assert {k: n for k, n in counts.items() if n > 2} == {}
    assert not {"_product_tile", "_fused_pair", "_centred_sq_norms"} & set(counts)


def test_handlers_are_restored_after_kernels():
    previous = signal.getsignal(signal.SIGINT)
    X = np.random.default_rng(0).standard_normal((50, 3))
    exact_kneighbors(X, 3)
    assert signal.getsignal(signal.SIGINT) is previous
    assert _numba._main.depth == 0 and not _numba._main.saved


# --------------------------------------------------------------------------- threads
_THREADS_SCRIPT = """
import threading
import numba
import numpy as np
from fastsmote import SMOTE, RandomOverSampler, TomekLinks
from fastsmote.neighbors import exact_kneighbors

rng = np.random.default_rng(0)
X = rng.standard_normal((3000, 12))
y = (rng.random(3000) < 0.2).astype(int)
calls = {
    "smote": lambda: SMOTE(random_state=0).fit_resample(X, y)[0],
    "approx": lambda: SMOTE(random_state=0, neighbors="approx").fit_resample(X, y)[0],
    "random": lambda: RandomOverSampler(random_state=0).fit_resample(X, y)[0],
    "tomek": lambda: TomekLinks().fit_resample(X, y)[0],
    "exact": lambda: exact_kneighbors(X, 5),
}
expected = {name: call() for name, call in calls.items()}
print(numba.threading_layer())
same = []

def work(name):
    for _ in range(2):
        same.append(np.array_equal(calls[name](), expected[name]))

threads = [threading.Thread(target=work, args=(n,)) for n in list(calls) * 2]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(same), all(same))
"""


def test_threads_share_the_workqueue_layer_without_aborting():
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_THREADS_SCRIPT)],
        env=_env(NUMBA_THREADING_LAYER="workqueue"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split("\n") == ["workqueue", "20 True", ""]


def test_thread_safe_layers_run_parallel_kernels_concurrently():
    X = np.random.default_rng(0).standard_normal((200, 3))
    exact_kneighbors(X, 3)  # a parallel kernel has run: Numba has chosen its layer
    if numba.threading_layer() == "workqueue":
        pytest.skip("Numba found neither OpenMP nor TBB on this machine")
    assert not _numba.serialises_parallel_kernels()
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold_the_lock():
        with _numba._layer_lock:
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    held.wait(60)
    worker = threading.Thread(target=lambda: (exact_kneighbors(X, 3), done.set()))
    worker.start()
    finished = done.wait(60)  # with the lock held by another thread
    release.set()
    holder.join()
    worker.join()
    assert finished


# --------------------------------------------------------------------------- parallel_for
@_numba.jit(tasks=True)
def _count_tasks(lo, hi, fail_at, counts):
    for i in range(lo, hi):
        if i == fail_at:
            raise ValueError("task failed")
        counts[i] += 1


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("n_tasks", [0, 1, 2, 3, 9, 1000])
def test_parallel_for_runs_every_task_once(n_tasks, n_threads):
    counts = np.zeros(max(n_tasks, 1), dtype=np.int64)
    with _numba.numba_threads(n_threads):
        _numba.parallel_for(_count_tasks, n_tasks, -1, counts)
    assert counts[:n_tasks].tolist() == [1] * n_tasks
    assert counts[n_tasks:].sum() == 0


@pytest.mark.parametrize(("n_tasks", "n_parts"), [(10, 3), (3, 3), (7, 1), (1000, 8)])
def test_task_ranges_are_contiguous_and_even(n_tasks, n_parts):
    ranges = _numba.task_ranges(n_tasks, n_parts)
    assert len(ranges) == n_parts and ranges[0][0] == 0 and ranges[-1][1] == n_tasks
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    sizes = [hi - lo for lo, hi in ranges]
    assert max(sizes) - min(sizes) <= 1 and sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("fail_at", [0, 499, 999])
def test_parallel_for_raises_a_failed_range_after_the_others_finished(fail_at):
    counts = np.zeros(1000, dtype=np.int64)
    with _numba.numba_threads(2), pytest.raises(ValueError, match="task failed"):
        _numba.parallel_for(_count_tasks, 1000, fail_at, counts)
    # the failed claim stops at its failing task (the tasks after it in that claim do
    # not run); every other claim ran to its end
    not_run = np.flatnonzero(counts == 0)
    assert counts.max() == 1 and not_run[0] == fail_at
    assert np.array_equal(not_run, np.arange(fail_at, fail_at + not_run.size))
    counts[:] = 0  # and the workers are free again
    with _numba.numba_threads(2):
        _numba.parallel_for(_count_tasks, 1000, -1, counts)
    assert counts.tolist() == [1] * 1000


def _count_in_child(queue) -> None:
    counts = np.zeros(100, dtype=np.int64)
    with _numba.numba_threads(2):
        _numba.parallel_for(_count_tasks, 100, -1, counts)
    queue.put(int(counts.sum()))


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_parallel_for_works_in_a_forked_child():
    import multiprocessing

    counts = np.zeros(100, dtype=np.int64)
    with _numba.numba_threads(2):
        _numba.parallel_for(_count_tasks, 100, -1, counts)  # the parent's workers exist
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_count_in_child, args=(queue,))
    child.start()
    child.join(120)  # the parent's workers do not exist in the child: it must not wait on them
    assert child.exitcode == 0
    assert queue.get(timeout=10) == 100


def test_a_threading_layer_that_cannot_load_is_said_plainly():
    """Kernels compiled with Numba's parallel analyses need a threading layer: naming
    one that is not installed gives fastsmote's error, not Numba's."""
    import importlib.util

    script = "import numpy as np, fastsmote as fs\n" + (
        "X = np.random.default_rng(0).standard_normal((300, 4)); y = np.arange(300) % 4 == 0\n"
        "print(fs.SMOTE(random_state=0).fit_resample(X, y)[0].shape)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(NUMBA_THREADING_LAYER="tbb"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if importlib.util.find_spec("tbb") is not None:  # the layer loads: it just works
        assert proc.returncode == 0 and proc.stdout.strip() == "(450, 4)", proc.stderr[-2000:]
    else:
        last = proc.stderr.strip().splitlines()[-1]
        assert last.startswith("RuntimeError: Numba could not load the threading layer 'tbb'")


_FORK_SCRIPT = """
import os, signal, threading
from fastsmote import _numba

def fork_and_interrupt(result):
    pid = os.fork()
    if pid == 0:  # the child: its only thread runs no kernel
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            os._exit(0 if _numba._main.depth == 0 else 3)
        os._exit(2)  # the signal was recorded for a kernel that will never return
    result.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))

result = []
with _numba.native_section():  # the main thread, as inside a kernel
    forker = threading.Thread(target=fork_and_interrupt, args=(result,))
    forker.start()
    forker.join()
print(result[0])
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_child_forked_while_the_main_thread_is_in_a_kernel_takes_signals():
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_FORK_SCRIPT)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_default_signals,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "0", (proc.stdout, proc.stderr)


def _run_signalled_ranges(handler):
    """Run 64 tasks on 2 threads; the first range run raises SIGUSR1 (recorded: the main
    thread is in the section), handled by ``handler``. Returns the events: ranges run,
    and "handler" where the handler ran (the events so far when it raised)."""
    events = []

    def kernel(lo, hi):
        if not events:
            signal.raise_signal(signal.SIGUSR1)
        events.append((lo, hi))
        time.sleep(0.01)

    def on_signal(signum, frame):
        events.append("handler")
        handler()

    previous = signal.signal(signal.SIGUSR1, on_signal)
    try:
        with _numba.numba_threads(2):
            _numba.parallel_for(kernel, 64)
    except KeyboardInterrupt:
        events.append("KeyboardInterrupt")
    finally:
        signal.signal(signal.SIGUSR1, previous)
    return events


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="SIGUSR1 is POSIX only")
def test_a_signal_stops_the_ranges_and_a_handler_that_returns_resumes_them():
    events = _run_signalled_ranges(lambda: None)
    ranges = sorted(e for e in events if e != "handler")
    assert events.count("handler") == 1
    # every task ran once, in contiguous claims
    assert ranges[0][0] == 0 and ranges[-1][1] == 64
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert events.index("handler") <= 2 < len(events) - 1  # ran between the claims


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="SIGUSR1 is POSIX only")
def test_a_signal_whose_handler_raises_ends_the_ranges_early():
    def interrupt():
        raise KeyboardInterrupt

    events = _run_signalled_ranges(interrupt)
    assert events[-2:] == ["handler", "KeyboardInterrupt"]
    assert 1 <= len(events) - 2 <= 2  # only the ranges that were running


def test_results_do_not_depend_on_where_claims_end(monkeypatch):
    """Claims cut to one task each (the shortest) give every sampler's default rows."""
    import fastsmote as fs
    from fastsmote.diagnostics import overlap_report

    rng = np.random.default_rng(3)
    X = rng.standard_normal((20_000, 8))
    y = np.r_[np.zeros(17_000, int), np.ones(2_000, int), np.full(1_000, 2)]
    X[y == 1] += 0.8
    samplers = {
        "smote": lambda: fs.SMOTE(random_state=0),
        "approx": lambda: fs.SMOTE(random_state=0, neighbors="approx"),
        "borderline": lambda: fs.BorderlineSMOTE(random_state=0),
        "adasyn": lambda: fs.ADASYN(random_state=0),
        "enn": lambda: fs.EditedNearestNeighbours(),
        "allknn": lambda: fs.AllKNN(),
        "tomek": lambda: fs.TomekLinks(),
        "nearmiss-1": lambda: fs.NearMiss(),
        "nearmiss-2": lambda: fs.NearMiss(version=2),
        "nearmiss-3": lambda: fs.NearMiss(version=3),
        "condensed": lambda: fs.CondensedNearestNeighbour(random_state=0),
        "ncr": lambda: fs.NeighbourhoodCleaningRule(),
        "shrinkage": lambda: fs.RandomOverSampler(shrinkage=0.5, random_state=0),
    }

    def outputs():
        found = {name: make().fit_resample(X, y) for name, make in samplers.items()}
        report = overlap_report(X, y, random_state=0)
        found["overlap"] = (list(report.overlap.values()), str(report.smote))
        return found

    expected = outputs()
    monkeypatch.setattr(_numba, "CLAIM_SECONDS", 0.0)
    for name, got in outputs().items():
        for a, b in zip(got, expected[name], strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=name)
