"""Neighbour search backends and the rule that picks one.

- ``"exact"``: blocked brute force in Numba (explicit differences, or a BLAS shortlist
  proven complete for many features): identical results either way.
- ``"approx"``: pynndescent, imported lazily.
- ``"auto"``: exact unless the class is so large that exact search would take longer
  than :data:`AUTO_APPROX_SECONDS` (estimated from measured per-pair costs).
- an estimator with ``kneighbors`` (scikit-learn style), fitted per class.
"""

from __future__ import annotations

from ._approx import approx_kneighbors, first_non_self
from ._exact import GEMM_MIN_FEATURES, exact_kneighbors, exact_kneighbors_of

#: Exact search expected to take longer than this switches "auto" to approximate search.
#: pynndescent costs ~27-45 s of compilation per process plus its search (300k x 20:
#: 14 s vs 92 s exact; 100k x 50: 18 s vs 15 s exact), so it pays off only beyond
#: about a minute of exact search (~250k rows at 20 features).
AUTO_APPROX_SECONDS = 60.0
#: Measured exact cost per (query, reference) pair and feature, in ns, with 2 threads:
#: explicit differences ~0.045 (20 features: 0.9 ns/pair), BLAS shortlist ~0.03
#: (50 features: 1.5 ns/pair).
NS_PER_PAIR_FEATURE = {"direct": 0.045, "gemm": 0.03}

BACKENDS = ("auto", "exact", "approx")


def estimated_exact_seconds(n_rows: int, n_features: int) -> float:
    """Rough wall time of exact self-kNN on ``n_rows`` rows (this machine's constants)."""
    path = "gemm" if n_features >= GEMM_MIN_FEATURES else "direct"
    return n_rows * n_rows * n_features * NS_PER_PAIR_FEATURE[path] * 1e-9


def resolve_backend(backend: str, n_rows: int, n_features: int) -> str:
    """Turn "auto" into "exact" or "approx" for a class of ``n_rows`` rows."""
    if backend != "auto":
        return backend
    slow = estimated_exact_seconds(n_rows, n_features) > AUTO_APPROX_SECONDS
    return "approx" if slow else "exact"


__all__ = [
    "AUTO_APPROX_SECONDS",
    "BACKENDS",
    "approx_kneighbors",
    "estimated_exact_seconds",
    "exact_kneighbors",
    "exact_kneighbors_of",
    "first_non_self",
    "resolve_backend",
]
