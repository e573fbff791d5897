"""Neighbour search backends and the rule that picks one.

- ``"exact"``: blocked brute force in Numba (explicit differences, or from 8 features
  shortlists by fused multiply-adds or a BLAS product, proven complete): identical
  results either way.
- ``"approx"``: fastsmote's NN-descent graph (kernels cached on disk, deterministic for
  any thread count).
- ``"pynndescent"``: pynndescent's graph, imported lazily (compiled anew in every
  process; never chosen by "auto").
- ``"auto"``: exact unless exact search is estimated to take longer than building the
  approximate graph (:func:`resolve_backend`, from the cost constants below).
- an estimator with ``kneighbors`` (scikit-learn style), fitted per class.
"""

from __future__ import annotations

import numpy as np

from .._progress import phase
from ._approx import HIGH_DIM, LARGE_CLASS, approx_kneighbors, first_non_self
from ._exact import (
    check_tables_fit,
    exact_kneighbors,
    exact_kneighbors_of,
    exact_kneighbors_of_points,
    mixed_kneighbors,
    search_bytes,
    shortlist_method,
)

#: NN-descent wall time ~ c * n * log2(n) us by regime (`python benchmarks/crossover.py`).
APPROX_US_PER_ROW_LOG2 = {"low-dim": 3.0, "high-dim": 18.0, "high-dim-large": 30.0}
#: Exact cost per (query, reference) pair and feature, ns, 2 threads; a self-search
#: computes each pair once for both rows (`python benchmarks/crossover.py`).
NS_PER_PAIR_FEATURE = {
    "direct": 0.028,
    "fused": 0.021,
    "wide": 0.012,
    "one-sided": 0.035,
    "one-sided-direct": 0.05,
}
#: Features from which a self-search's shortlist costs "wide" rather than "fused".
WIDE_FEATURES = 32

BACKENDS = ("auto", "exact", "approx", "pynndescent")
#: The approximate backends and the graph each builds (``approx_kneighbors``'s method).
APPROX_METHODS = {"approx": "nndescent", "pynndescent": "pynndescent"}


def _self_search(n_rows: int, n_queries: int | None) -> bool:
    """Whether an exact search for ``n_queries`` rows computes every row's list (each
    pair once, n^2 / 2 pairs) rather than only the queries' (q * n pairs)."""
    return n_queries is None or 2 * n_queries > n_rows


def estimated_exact_seconds(n_rows: int, n_features: int, n_queries: int | None = None) -> float:
    """Rough wall time of exact kNN among ``n_rows`` rows for ``n_queries`` of them (all by
    default), with the kernel the exact path would use for several neighbours (from
    :data:`NS_PER_PAIR_FEATURE`)."""
    if _self_search(n_rows, n_queries):
        path = shortlist_method(n_features, n_rows) or "direct"
        if path != "direct" and n_features >= WIDE_FEATURES:
            path = "wide"
        return n_rows * n_rows * n_features * NS_PER_PAIR_FEATURE[path] * 1e-9
    path = "one-sided" if shortlist_method(n_features, n_rows) else "one-sided-direct"
    return n_queries * n_rows * n_features * NS_PER_PAIR_FEATURE[path] * 1e-9


def estimated_approx_seconds(n_rows: int, n_features: int) -> float:
    """Rough wall time of fastsmote's approximate graph over ``n_rows`` rows (from
    :data:`APPROX_US_PER_ROW_LOG2`)."""
    if n_features <= HIGH_DIM:
        regime = "low-dim"
    else:
        regime = "high-dim" if n_rows <= LARGE_CLASS else "high-dim-large"
    c = APPROX_US_PER_ROW_LOG2[regime]
    return c * n_rows * np.log2(max(n_rows, 2)) * 1e-6


def resolve_backend(
    backend: str, n_rows: int, n_features: int, n_queries: int | None = None
) -> str:
    """Turn "auto" into "exact" or "approx" for a search among ``n_rows`` rows (by
    ``n_queries`` of them; all by default): whichever is estimated to finish first.
    Other backends are returned as they are."""
    if backend != "auto":
        return backend
    exact = estimated_exact_seconds(n_rows, n_features, n_queries)
    return "approx" if exact > estimated_approx_seconds(n_rows, n_features) else "exact"


def all_rows_kneighbors(
    X: np.ndarray,
    queries: np.ndarray | None,
    n_neighbors: int,
    backend: str,
    seed: int,
    working_memory: int | None = None,
) -> tuple[np.ndarray, str]:
    """Neighbours of the rows ``queries`` (None: every row) among all rows of ``X`` (self
    excluded), with the backend "auto" resolves to for that many queries.

    The approximate paths build one graph over all rows (its cost does not shrink with
    fewer queries) and read the queries' rows from it; ``working_memory`` (MiB, default:
    the global config) bounds its update buffers.

    Returns
    -------
    indices : ndarray of shape (len(queries), n_neighbors), int64 row numbers of X
    backend : "exact", "approx" or "pynndescent"
    """
    n_queries = X.shape[0] if queries is None else len(queries)
    label = f"neighbour search, {n_queries:,} rows among all {X.shape[0]:,}"
    with phase(label):
        resolved = resolve_backend(backend, X.shape[0], X.shape[1], n_queries=n_queries)
        if resolved == "exact":
            if _self_search(X.shape[0], None if queries is None else n_queries):
                if queries is not None:  # every row's list, then the queries' copy of theirs
                    method = shortlist_method(X.shape[1], X.shape[0], n_neighbors) or "direct"
                    search = search_bytes(
                        X.shape[0], None, X.shape[1], X.dtype.itemsize, n_neighbors, method
                    )
                    check_tables_fit(search + n_queries * n_neighbors * 8, X.shape[0], n_neighbors)
                found = exact_kneighbors(X, n_neighbors)  # may take the BLAS path
                return (found if queries is None else found[queries]), "exact"
            return exact_kneighbors_of(X, queries, n_neighbors), "exact"
        every_row = np.arange(X.shape[0], dtype=np.int64)
        found = approx_kneighbors(
            X, n_neighbors, every_row, seed, APPROX_METHODS[resolved], working_memory
        )
        return (found if queries is None else found[queries]), resolved


__all__ = [
    "APPROX_METHODS",
    "APPROX_US_PER_ROW_LOG2",
    "BACKENDS",
    "NS_PER_PAIR_FEATURE",
    "all_rows_kneighbors",
    "approx_kneighbors",
    "estimated_approx_seconds",
    "estimated_exact_seconds",
    "exact_kneighbors",
    "exact_kneighbors_of",
    "exact_kneighbors_of_points",
    "first_non_self",
    "mixed_kneighbors",
    "resolve_backend",
]
