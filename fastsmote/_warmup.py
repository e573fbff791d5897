"""Compile (or load from cache) every kernel ahead of the first real call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np


def warmup(
    dtypes: tuple = (np.float32, np.float64),
    samplers: tuple | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    processes: int | None = None,
) -> float:
    """Compile or load all kernels for the given dtypes on a tiny dataset.

    Runs every sampler once (with its provenance), the exact-search paths, the NN-descent
    graph, the overlap report and the leakage check, so later calls in this process, and
    first calls in new processes (on-disk cache), skip compilation. Read-only arrays
    (memory maps, Arrow buffers) use the same compiled kernels as writable ones, and
    the kernels of inputs large enough to skip the small-input NumPy paths are included.
    pynndescent's kernels (``neighbors="pynndescent"``) are not.

    Compiling runs on one core per process, so with the on-disk cache on, the dtypes are
    compiled by separate Python processes at once, into the cache, and this process then
    loads everything from it (anything a process did not leave there is compiled here).
    With a cold cache this takes about 95 s of CPU time for both dtypes (about 50 s on
    two cores), half for one (``docs/performance.md``, "Cold start"); with a warm one a
    few seconds.

    Parameters
    ----------
    dtypes : tuple of numpy float dtypes, default=(float32, float64)
    samplers : tuple of str, optional
        Class names to warm up (e.g. ``("SMOTE",)``); default: all, with the search
        paths and the diagnostics.
    progress : callable, optional
        Called with one line of text before each group of kernels, e.g.
        ``"[2/23] BorderlineSMOTE float32 (9 s)"`` (the group's number, how many there
        are, seconds since the start).
    processes : int, optional
        Python processes compiling at once (default: one per dtype, at most the number
        of cores; 1: all in this process, as always without the on-disk cache).

    Returns
    -------
    seconds : float
        Wall-clock time spent.
    """
    from ._kernels import arrays

    if processes is not None and (
        isinstance(processes, bool) or not isinstance(processes, int) or processes < 1
    ):
        raise ValueError(f"processes must be a positive int or None, got {processes!r}")
    dtypes = tuple(np.dtype(d) for d in dtypes)
    steps = _steps(dtypes, samplers)
    start = time.perf_counter()
    saved = arrays.NUMPY_MAX_VALUES
    arrays.NUMPY_MAX_VALUES = 0  # the kernels large inputs run, on this tiny data too
    try:
        for number, (name, _, step) in enumerate(steps, 1):
            if progress is not None:
                elapsed = time.perf_counter() - start
                progress(f"[{number}/{len(steps)}] {name} ({elapsed:.0f} s)")
            if number == 1 and not _cache_holds(len(dtypes)):
                _compile_in_processes(dtypes, samplers, processes)
            step()
    finally:
        arrays.NUMPY_MAX_VALUES = saved
    return time.perf_counter() - start


def _cache_holds(n_versions: int) -> bool:
    """Whether the on-disk cache holds ``n_versions`` of the main kernels (a warm-up
    ran): then loading them here is faster than starting processes."""
    from ._kernels import knn, nndescent, smote

    try:
        return all(
            len(kernel._cache._cache_file._load_index()) >= n_versions
            for kernel in (knn._symmetric_tasks, smote._generate_chunks, nndescent._join_blocks)
        )
    except Exception:  # Numba's cache internals differ, or no cache: start the processes
        return False


def _compile_in_processes(dtypes: tuple, samplers: tuple | None, processes: int | None) -> None:
    """Fill the on-disk cache from several processes, one share of the dtypes each.

    Each process runs its share's steps (the second in reverse order, so that the two
    rarely write the same kernel's cache index at the same moment). Nothing here is
    required: a kernel a process failed to cache is compiled by the caller afterwards.
    """
    from ._numba import CACHE

    cores = os.cpu_count() or 1
    n_processes = min(len(dtypes), cores if processes is None else int(processes))
    if not CACHE or n_processes < 2 or len(dtypes) < 2:
        return
    shares = [[d.name for d in dtypes[i::n_processes]] for i in range(n_processes)]
    import numba

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    if numba.config.CACHE_DIR:
        env["NUMBA_CACHE_DIR"] = numba.config.CACHE_DIR
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, json.dumps([share, samplers, number % 2, os.getpid()])],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for number, share in enumerate(shares)
    ]
    try:
        for child in children:
            child.wait()
    finally:  # interrupted: the children stop too (a finished one is left alone)
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


_CHILD = (
    "import json, sys\n"
    "from fastsmote._warmup import _compile_share\n"
    "_compile_share(*json.loads(sys.argv[1]))\n"
)


def _compile_share(dtypes: list, samplers: list | None, reverse: int, parent: int) -> None:
    """In a child process: run the steps of ``dtypes`` (and the dtype-free ones with
    float64), filling the on-disk cache."""
    import threading

    from ._kernels import arrays

    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    groups = set(dtypes) | ({"float64", "categories"} if "float64" in dtypes else set())
    steps = _steps(
        tuple(np.dtype(d) for d in dtypes), None if samplers is None else tuple(samplers)
    )
    arrays.NUMPY_MAX_VALUES = 0
    for _, group, step in reversed(steps) if reverse else steps:
        if group in groups:
            step()


def _exit_with_parent(parent: int) -> None:
    """In a child process: end it as soon as its parent has ended (a parent killed
    without a chance to stop its children must not leave them compiling)."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _steps(dtypes: tuple, samplers: tuple | None) -> list[tuple[str, str, Callable[[], None]]]:
    """(name, dtype name, what to run) per group of kernels, in order."""
    import scipy.sparse

    from . import (
        ADASYN,
        SMOTE,
        SMOTEN,
        SMOTENC,
        SVMSMOTE,
        AllKNN,
        BorderlineSMOTE,
        CondensedNearestNeighbour,
        EditedNearestNeighbours,
        KMeansSMOTE,
        NearMiss,
        NeighbourhoodCleaningRule,
        OneSidedSelection,
        RandomOverSampler,
        RandomUnderSampler,
        RepeatedEditedNearestNeighbours,
        TomekLinks,
    )
    from .neighbors import approx_kneighbors, exact_kneighbors, exact_kneighbors_of

    instances = [
        SMOTE(k_neighbors=3, random_state=0),
        BorderlineSMOTE(k_neighbors=3, m_neighbors=5, random_state=0),
        BorderlineSMOTE(k_neighbors=3, m_neighbors=5, random_state=0, kind="borderline-2"),
        ADASYN(n_neighbors=3, random_state=0),
        RandomOverSampler(random_state=0, shrinkage=1.0),
        RandomUnderSampler(random_state=0),
        TomekLinks(),
        EditedNearestNeighbours(),
        SMOTENC(categorical_features=[0], k_neighbors=3, random_state=0),
        SVMSMOTE(k_neighbors=3, m_neighbors=5, random_state=0),
        KMeansSMOTE(k_neighbors=2, cluster_balance_threshold=0.0, random_state=0),
        NearMiss(version=1, n_neighbors=3),
        NearMiss(version=2, n_neighbors=3),
        NearMiss(version=3, n_neighbors=3, n_neighbors_ver3=3),
        CondensedNearestNeighbour(random_state=0),
        OneSidedSelection(random_state=0),
        RepeatedEditedNearestNeighbours(),
        AllKNN(),
        NeighbourhoodCleaningRule(),
    ]
    #: samplers with CSR kernels of their own (the other samplers' sparse paths run the
    #: dense kernels on dense blocks)
    sparse_input = ("SMOTE", "TomekLinks", "RandomOverSampler", "KMeansSMOTE", "SMOTENC")
    chosen = [s for s in instances if samplers is None or type(s).__name__ in samplers]
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [30, 12])
    categories = rng.integers(0, 3, (42, 3))  # SMOTEN's rows
    steps = []
    for dtype in dtypes:
        X = rng.standard_normal((42, 3)).astype(dtype)
        X[y == 1] += 0.5  # overlapping classes: every sampler has work to do
        X[:, 0] = np.round(X[:, 0])  # SMOTENC's categorical column: a few codes
        wide = rng.standard_normal((40, 32)).astype(dtype)
        graph_rows = rng.standard_normal((120, 3)).astype(dtype)

        def run_sampler(sampler, X=X):
            sampler.fit_resample(X, y)
            if hasattr(sampler, "row_origins"):
                sampler.row_origins(X, y)  # provenance kernels (Pipeline sample weights)
            if type(sampler).__name__ in sparse_input:
                sampler.fit_resample(scipy.sparse.csr_matrix(X), y)

        for sampler in chosen:
            name = type(sampler).__name__
            if getattr(sampler, "kind", "") == "borderline-2":
                name += "(kind='borderline-2')"
            if isinstance(sampler, NearMiss):
                name += f"(version={sampler.version})"
            steps.append(
                (f"{name} {dtype.name}", dtype.name, lambda s=sampler, f=run_sampler: f(s))
            )
        if samplers is None:

            def exact_paths(X=X, wide=wide):
                # the shortlist paths (classes with >= 8 features), one-sided queries
                exact_kneighbors(wide, 3, method="fused")
                exact_kneighbors(wide, 3, method="blas")
                exact_kneighbors_of(X, np.arange(5), 3)
                exact_kneighbors_of(wide, np.arange(5), 3, method="fused")
                exact_kneighbors_of(wide, np.arange(5), 3, method="blas")
                with _query_major():  # what many queries against fewer rows run
                    exact_kneighbors_of(wide, np.arange(5), 3, method="fused")

            steps.append((f"exact search paths {dtype.name}", dtype.name, exact_paths))
            # neighbors="approx" (it searches a contiguous copy)
            steps.append(
                (
                    f"approximate search {dtype.name}",
                    dtype.name,
                    lambda g=graph_rows: approx_kneighbors(g, 3, np.arange(120), key=0),
                )
            )
    if samplers is None or "SMOTEN" in samplers:  # categories: no float dtype
        steps.append(
            (
                "SMOTEN",
                "categories",
                lambda: SMOTEN(k_neighbors=3, random_state=0).fit_resample(categories, y),
            )
        )
    if samplers is None:  # the diagnostics compute in float64
        steps.append(("diagnostics float64", "float64", lambda: _diagnostics(y)))
    return steps


@contextmanager
def _query_major() -> Iterator[None]:
    """One-sided fused shortlists run query-major, however few the queries."""
    from ._kernels import knn

    saved = knn.COLUMN_MIN_QUERIES
    knn.COLUMN_MIN_QUERIES = 0
    try:
        yield
    finally:
        knn.COLUMN_MIN_QUERIES = saved


def _diagnostics(y: np.ndarray) -> None:
    from . import SMOTE
    from .diagnostics import overlap_report
    from .model_selection import check_leakage

    X = np.random.default_rng(1).standard_normal((y.size, 3))
    overlap_report(X, y, n_neighbors=3, smote_samples=20)  # the simulated draws
    # SMOTE before the split puts rows on segments: the check then counts values
    X_res, y_res = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
    check_leakage(X_res[::2], y_res[::2], X_res[1::2], y_res[1::2])
