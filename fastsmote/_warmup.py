"""Compile (or load from cache) every kernel ahead of the first real call."""

from __future__ import annotations

import time

import numpy as np


def warmup(dtypes: tuple = (np.float32, np.float64), samplers: tuple | None = None) -> float:
    """Compile or load all kernels for the given dtypes on a tiny dataset.

    Runs every sampler once on writable and on read-only data (with its provenance,
    the exact-search paths, the NN-descent graph, the overlap report and the leakage
    check), so later calls in this process, and first calls in new processes (on-disk
    cache), skip compilation. pynndescent's kernels (``neighbors="pynndescent"``) are
    not included. With a cold cache this takes tens of seconds per dtype (read-only
    inputs are a separate type to Numba and compile separately; the performance guide
    gives the times); with a warm one well under a second.

    Parameters
    ----------
    dtypes : tuple of numpy float dtypes, default=(float32, float64)
    samplers : tuple of str, optional
        Class names to warm up (e.g. ``("SMOTE",)``); default: all.

    Returns
    -------
    seconds : float
        Wall-clock time spent.
    """
    from . import (
        ADASYN,
        SMOTE,
        SMOTENC,
        BorderlineSMOTE,
        EditedNearestNeighbours,
        RandomOverSampler,
        RandomUnderSampler,
        TomekLinks,
    )
    from .neighbors import approx_kneighbors, exact_kneighbors, exact_kneighbors_of

    start = time.perf_counter()
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [30, 12])
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
    ]
    chosen = [s for s in instances if samplers is None or type(s).__name__ in samplers]
    for dtype in dtypes:
        X = rng.standard_normal((42, 3)).astype(dtype)
        X[y == 1] += 0.5  # overlapping classes: every sampler has work to do
        X[:, 0] = np.round(X[:, 0])  # SMOTENC's categorical column: a few codes
        wide = rng.standard_normal((40, 32)).astype(dtype)
        # read-only arrays (memory maps, Arrow buffers) are another type to Numba
        for data, data_wide in ((X, wide), (_read_only(X), _read_only(wide))):
            for sampler in chosen:
                sampler.fit_resample(data, y)
            if samplers is None:
                # the shortlist paths (classes with >= 8 features), one-sided queries
                exact_kneighbors(data_wide, 3, method="fused")
                exact_kneighbors(data_wide, 3, method="gemm")
                exact_kneighbors_of(data, np.arange(5), 3)
                exact_kneighbors_of(data_wide, np.arange(5), 3, method="fused")
                exact_kneighbors_of(data_wide, np.arange(5), 3, method="gemm")
        for sampler in chosen:
            sampler.row_origins(X, y)  # provenance kernels (Pipeline sample weights)
        if samplers is None:  # neighbors="approx" (it searches a contiguous copy)
            graph_rows = rng.standard_normal((120, 3)).astype(dtype)
            approx_kneighbors(graph_rows, 3, np.arange(120), seed=0)
    if samplers is None:  # the diagnostics compute in float64
        from .diagnostics import overlap_report
        from .model_selection import check_leakage

        X = rng.standard_normal((42, 3))
        overlap_report(X, y, n_neighbors=3, smote_samples=20)  # the simulated draws
        # SMOTE before the split puts rows on segments: the check then counts values
        X_res, y_res = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
        check_leakage(X_res[::2], y_res[::2], X_res[1::2], y_res[1::2])
    return time.perf_counter() - start


def _read_only(X: np.ndarray) -> np.ndarray:
    X = X.copy()
    X.flags.writeable = False
    return X
