"""Neighbour search backends and the rule that picks one.

- ``"exact"``: blocked brute force in Numba (explicit differences, or from 8 features
  shortlists by fused multiply-adds or a BLAS product, proven complete): identical
  results either way.
- ``"approx"``: fastsmote's NN-descent graph (kernels cached on disk, deterministic for
  any thread count).
- ``"pynndescent"``: pynndescent's graph, imported lazily (compiled anew in every
  process; never chosen by "auto").
- ``"auto"``: exact unless exact search is estimated to take longer than building the
  approximate graph (:func:`resolve_backend`, from the measured costs
  :data:`NS_PER_PAIR_FEATURE` and :data:`APPROX_US_PER_ROW_LOG2`).
- an estimator with ``kneighbors`` (scikit-learn style), fitted on the rows searched.

A SciPy CSR ``X`` is searched exactly by the sparse kernel (the dense search's lists,
no dense copy; "auto" is exact for it) or by an estimator; other points are searched
among its rows densified a block at a time (``working_memory``), with the dense kernel.
SMOTEN's categorical rows are searched under the Value Difference Metric by
:func:`vdm_kneighbors` (exact, or an estimator on the precomputed VDM matrix).

Samplers, diagnostics and the leakage check search through :func:`kneighbors`; the
backends' own functions are public for callers who want one of them. Searches between
two sets of rows (NearMiss: distance sums to the k nearest or farthest rows of another
class) go through :func:`distance_sums` and :func:`kneighbors_between`; the condensed
nearest neighbour's growing store votes through :func:`store_vote_misses`.

Every public function here takes rows as float32 or float64 arrays of either byte order
and any memory layout (searched as native-byte-order C-contiguous arrays of the same
dtype, so with the same results), and row numbers and category codes as arrays of any
integer dtype whose values fit int64 (rows) or int32 (codes); other dtypes raise a
``TypeError`` naming the argument and the conversion to make. An estimator backend is
given the caller's rows as they are.
"""

from __future__ import annotations

from ._approx import approx_kneighbors, first_non_self
from ._auto import (
    APPROX_US_PER_ROW_LOG2,
    BACKENDS,
    NS_PER_PAIR_FEATURE,
    estimated_approx_seconds,
    estimated_exact_seconds,
    resolve_backend,
)
from ._between import distance_sums, kneighbors_between
from ._condensed import store_vote_misses
from ._exact import (
    exact_kneighbors,
    exact_kneighbors_of,
    exact_kneighbors_of_points,
    mixed_kneighbors,
)
from ._search import APPROX_METHODS, Found, is_estimator, kneighbors
from ._vdm import vdm_kneighbors, vdm_pairwise, vdm_probabilities, vdm_table

__all__ = [
    "APPROX_METHODS",
    "APPROX_US_PER_ROW_LOG2",
    "BACKENDS",
    "NS_PER_PAIR_FEATURE",
    "Found",
    "approx_kneighbors",
    "distance_sums",
    "estimated_approx_seconds",
    "estimated_exact_seconds",
    "exact_kneighbors",
    "exact_kneighbors_of",
    "exact_kneighbors_of_points",
    "first_non_self",
    "is_estimator",
    "kneighbors",
    "kneighbors_between",
    "mixed_kneighbors",
    "resolve_backend",
    "vdm_kneighbors",
    "vdm_pairwise",
    "vdm_probabilities",
    "vdm_table",
    "store_vote_misses",
]
