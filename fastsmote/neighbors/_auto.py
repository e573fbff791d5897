"""The "auto" rule: exact search unless it is estimated to take longer than building
the approximate graph."""

from __future__ import annotations

import numpy as np

from ._approx import HIGH_DIM, LARGE_CLASS
from ._exact import shortlist_method

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


def is_self_search(n_rows: int, n_queries: int | None) -> bool:
    """Whether an exact search for ``n_queries`` rows computes every row's list (each
    pair once, n^2 / 2 pairs) rather than only the queries' (q * n pairs)."""
    return n_queries is None or 2 * n_queries > n_rows


def estimated_exact_seconds(n_rows: int, n_features: int, n_queries: int | None = None) -> float:
    """Rough wall time of exact kNN among ``n_rows`` rows for ``n_queries`` of them (all by
    default), with the kernel the exact path would use for several neighbours (from
    :data:`NS_PER_PAIR_FEATURE`)."""
    if is_self_search(n_rows, n_queries):
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
