"""Sums of distances to the k nearest or the k farthest rows of another set (NearMiss).

For each query row, ``distance_sums`` keeps the k smallest (or largest) squared
distances to the reference rows in a sorted list of k values, block by block, as
``knn_blocked`` does: memory is the output, one list per query of a block and a
block-sized tile of distances, never a queries x references matrix (the k farthest of
10 000 rows need 10 000 distances at a time, not all of them). The sum adds the
Euclidean distances (square roots) in ascending order, in float64, as
imbalanced-learn's ``np.sum`` over a sorted row does. Values only, no positions: the
k smallest (largest) values are the same whichever of several tied rows supplies them,
so the sums do not depend on tie-breaking, block sizes or threads.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for
from .knn import block_distances


@jit(inline="always")
def _insert_value(best, value):
    """Insert ``value`` into the ascending list ``best``, dropping its last entry."""
    p = best.shape[0] - 1
    while p > 0 and best[p - 1] > value:
        best[p] = best[p - 1]
        p -= 1
    best[p] = value


@jit()
def _merge_values(dist, n_ref, farthest, best):
    """Offer a block of squared distances to a query's list: the k smallest, ascending,
    or (``farthest``) the k largest as negated values, ascending."""
    k = best.shape[0]
    worst = best[k - 1]
    if farthest:
        for j in range(n_ref):
            value = -dist[j]
            if value < worst:
                _insert_value(best, value)
                worst = best[k - 1]
    else:
        for j in range(n_ref):
            if dist[j] < worst:
                _insert_value(best, dist[j])
                worst = best[k - 1]


def distance_sums(X_query, query_rows, X_ref, ref_rows, k, farthest, query_block, ref_block):
    """For each query row, the sum of its Euclidean distances to its k nearest (or,
    with ``farthest``, its k farthest) reference rows.

    Parameters
    ----------
    X_query, X_ref : (n, d) float32/float64 C-contiguous arrays (may be the same array)
    query_rows, ref_rows : int64 arrays of row numbers into ``X_query`` / ``X_ref``
    k : int, 1 <= k <= len(ref_rows)
    farthest : bool
    query_block, ref_block : block sizes (performance only, never the result)

    Returns
    -------
    sums : (n_query,) float64; the squared distances are computed in the data's dtype
        in the defined order (``block_distances``), their square roots added in
        ascending order of distance.
    """
    n_query = query_rows.shape[0]
    sums = np.zeros(n_query, dtype=np.float64)
    n_blocks = (n_query + query_block - 1) // query_block
    parallel_for(_sums_of_blocks, n_blocks, X_query, query_rows, X_ref, ref_rows, k, farthest,
                 query_block, ref_block, sums)  # fmt: skip
    return sums


@jit(tasks=True, read_only=("X_query", "X_ref"))
def _sums_of_blocks(b0, b1, X_query, query_rows, X_ref, ref_rows, k, farthest, query_block,
                    ref_block, sums):  # fmt: skip
    """Query blocks ``b0 .. b1 - 1`` of :func:`distance_sums`."""
    n_query = query_rows.shape[0]
    n_ref_total = ref_rows.shape[0]
    d = X_query.shape[1]
    ref_t = np.empty((d, ref_block), dtype=X_ref.dtype)
    dist = np.empty(ref_block, dtype=X_ref.dtype)
    query = np.empty(d, dtype=X_ref.dtype)
    for b in range(b0, b1):
        q0 = b * query_block
        q1 = min(n_query, q0 + query_block)
        best = np.full((q1 - q0, k), np.inf, dtype=X_ref.dtype)
        for r0 in range(0, n_ref_total, ref_block):
            n_ref = min(ref_block, n_ref_total - r0)
            for j in range(n_ref):
                row = ref_rows[r0 + j]
                for f in range(d):
                    ref_t[f, j] = X_ref[row, f]
            for i in range(q0, q1):
                row = query_rows[i]
                for f in range(d):
                    query[f] = X_query[row, f]
                block_distances(query, ref_t, 0, n_ref, dist)
                _merge_values(dist, n_ref, farthest, best[i - q0])
        for i in range(q0, q1):
            total = 0.0
            for j in range(k):
                # ascending distance: the negated farthest list is read backwards
                value = -best[i - q0, k - 1 - j] if farthest else best[i - q0, j]
                total += np.sqrt(np.float64(value))
            sums[i] = total
