"""Cluster statistics: the sum of pairwise Euclidean distances among a set of rows.

KMeans-SMOTE weights each cluster by its rows' mean pairwise distance; the sum is taken
pair by pair (never an m x m matrix). Row ``i`` sums its distances to the rows after it
in float64; the per-row sums are then added in row order, so the result does not depend
on the thread count.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._numba import jit


@jit(parallel=True, read_only=("X",))
def pairwise_distance_sum(X, rows):
    """Sum over pairs ``i < j`` of ``rows`` of the Euclidean distance between ``X[rows[i]]``
    and ``X[rows[j]]``, each squared difference and the sums in float64."""
    m = rows.shape[0]
    per_row = np.zeros(m, dtype=np.float64)
    for i in prange(m):
        a = rows[i]
        total = 0.0
        for j in range(i + 1, m):
            b = rows[j]
            sq = 0.0
            for f in range(X.shape[1]):
                d = np.float64(X[a, f]) - np.float64(X[b, f])
                sq += d * d
            total += np.sqrt(sq)
        per_row[i] = total
    result = 0.0
    for i in range(m):
        result += per_row[i]
    return result
