"""Cluster statistics: the sum of pairwise Euclidean distances among a set of rows.

KMeans-SMOTE weights each cluster by its rows' mean pairwise distance; the sum is taken
pair by pair (never an m x m matrix). Row ``i`` sums its distances to the rows after it
in float64; the per-row sums are then added in row order, so the result does not depend
on the thread count. Sparse rows give the dense rows' sum, bit for bit. Values are
multiplied by ``scale`` (a power of two: exact) before they are compared, so that rows of
any magnitude have a finite, non-zero sum; 1.0 leaves them as they are.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for


def pairwise_distance_sum(X, rows, scale=1.0):
    """Sum over pairs ``i < j`` of ``rows`` of the Euclidean distance between
    ``scale * X[rows[i]]`` and ``scale * X[rows[j]]``, each squared difference and the
    sums in float64."""
    m = rows.shape[0]
    per_row = np.zeros(m, dtype=np.float64)
    # task t takes rows t and m - 1 - t: each task then sums about m distances
    parallel_for(_distance_sums, (m + 1) // 2, X, rows, np.float64(scale), per_row)
    result = 0.0
    for total in per_row.tolist():  # in row order (np.sum would add pairwise)
        result += total
    return result


@jit(tasks=True, read_only=("X",))
def _distance_sums(t0, t1, X, rows, scale, per_row):
    """``per_row[i]`` for rows ``i = t`` and ``i = m - 1 - t``, ``t0 <= t < t1`` (see
    :func:`pairwise_distance_sum`)."""
    m = rows.shape[0]
    for t in range(t0, t1):
        per_row[t] = _distances_after(X, rows, scale, t)
        if m - 1 - t != t:
            per_row[m - 1 - t] = _distances_after(X, rows, scale, m - 1 - t)


@jit(read_only=("X",))
def _distances_after(X, rows, scale, i):
    """Sum of the distances from row ``rows[i]`` to rows ``rows[i + 1:]``, in order."""
    a = rows[i]
    total = 0.0
    for j in range(i + 1, rows.shape[0]):
        b = rows[j]
        sq = 0.0
        for f in range(X.shape[1]):
            d = np.float64(X[a, f]) * scale - np.float64(X[b, f]) * scale
            sq += d * d
        total += np.sqrt(sq)
    return total


def csr_pairwise_distance_sum(data, indices, indptr, rows, scale=1.0):
    """:func:`pairwise_distance_sum` of CSR rows (sorted column indices, no duplicates):
    each pair's squared differences are added in column order over the columns either
    row stores, so the sum is the dense rows' bit for bit (a column neither row stores
    adds an exact zero there)."""
    m = rows.shape[0]
    per_row = np.zeros(m, dtype=np.float64)
    parallel_for(
        _csr_distance_sums, (m + 1) // 2, data, indices, indptr, rows, np.float64(scale), per_row
    )
    result = 0.0
    for total in per_row.tolist():  # in row order, as the dense sum
        result += total
    return result


@jit(tasks=True, read_only=("data", "indices", "indptr"))
def _csr_distance_sums(t0, t1, data, indices, indptr, rows, scale, per_row):
    """``per_row[i]`` for rows ``i = t`` and ``i = m - 1 - t``, ``t0 <= t < t1``."""
    m = rows.shape[0]
    for t in range(t0, t1):
        per_row[t] = _csr_distances_after(data, indices, indptr, rows, scale, t)
        if m - 1 - t != t:
            per_row[m - 1 - t] = _csr_distances_after(
                data, indices, indptr, rows, scale, m - 1 - t
            )


@jit(read_only=("data", "indices", "indptr"))
def _csr_distances_after(data, indices, indptr, rows, scale, i):
    """Sum of the distances from CSR row ``rows[i]`` to rows ``rows[i + 1:]``, in order."""
    a = rows[i]
    a0, a1 = indptr[a], indptr[a + 1]
    total = 0.0
    for j in range(i + 1, rows.shape[0]):
        b = rows[j]
        p, q, q1 = a0, indptr[b], indptr[b + 1]
        sq = 0.0
        while p < a1 or q < q1:
            if q >= q1 or (p < a1 and indices[p] < indices[q]):
                d = np.float64(data[p]) * scale
                p += 1
            elif p >= a1 or indices[q] < indices[p]:
                d = 0.0 - np.float64(data[q]) * scale
                q += 1
            else:
                d = np.float64(data[p]) * scale - np.float64(data[q]) * scale
                p += 1
                q += 1
            sq += d * d
        total += np.sqrt(sq)
    return total
