"""SMOTE draws and the gather-interpolate generation kernel.

Synthetic row ``j`` of a class (``j`` counts from 0 over all rows generated for that
class) uses three draws of the class stream, at counters ``3j``, ``3j+1`` and ``3j+2``:
the base row (uniform over the class), the neighbour slot (uniform over the k
neighbours) and the gap ``u`` in ``[0, 1)``. Nothing else influences the values, so
any split of ``j`` into chunks or threads gives the same rows.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._numba import jit
from .._random import draw_uint64, uint64_below, uint64_to_unit

DRAWS_PER_SAMPLE = 3


@jit(inline="always")
def smote_draws(class_key, j, n_class, k):
    """(base position, neighbour slot, gap) of synthetic row ``j`` of a class."""
    c = DRAWS_PER_SAMPLE * j
    base = uint64_below(draw_uint64(class_key, c), n_class)
    slot = uint64_below(draw_uint64(class_key, c + 1), k)
    gap = uint64_to_unit(draw_uint64(class_key, c + 2))
    return base, slot, gap


@jit(parallel=True)
def smote_draws_range(class_key, start, n_new, n_class, k):
    """Draws of synthetic rows ``start .. start + n_new - 1`` (for provenance)."""
    base = np.empty(n_new, dtype=np.int64)
    slot = np.empty(n_new, dtype=np.int64)
    gap = np.empty(n_new, dtype=np.float64)
    for t in prange(n_new):
        base[t], slot[t], gap[t] = smote_draws(class_key, start + t, n_class, k)
    return base, slot, gap


@jit(parallel=True)
def smote_generate(X, class_rows, neighbors, class_key, start, out, out_start, n_new, chunk):
    """Write synthetic rows ``start .. start + n_new - 1`` of one class into ``out``.

    Parameters
    ----------
    X : (n, d) array holding the class rows (``out`` itself is allowed: its first rows
        are the copied input and are never written here)
    class_rows : int64 row numbers in ``X`` of the class, in increasing order
    neighbors : (n_class, k) int64 positions into ``class_rows``
    class_key : uint64 key of the class stream
    out : (m, d) output, same dtype as ``X``; rows ``out_start .. out_start + n_new - 1``
        are written, each by exactly one parallel iteration
    chunk : rows per parallel iteration (scheduling only, never the values)

    The gap is rounded to the data dtype once, then ``base + gap * (neighbour - base)``
    is evaluated in that dtype, exactly as ``tests/naive.py`` does it with NumPy.
    """
    n_class = class_rows.shape[0]
    k = neighbors.shape[1]
    d = X.shape[1]
    n_chunks = (n_new + chunk - 1) // chunk
    for c in prange(n_chunks):
        gap_cast = np.empty(1, dtype=out.dtype)
        t1 = min(n_new, (c + 1) * chunk)
        for t in range(c * chunk, t1):
            base_pos, slot, gap = smote_draws(class_key, start + t, n_class, k)
            base = class_rows[base_pos]
            neighbor = class_rows[neighbors[base_pos, slot]]
            gap_cast[0] = gap
            g = gap_cast[0]
            row = out_start + t
            for f in range(d):
                xb = X[base, f]
                out[row, f] = xb + g * (X[neighbor, f] - xb)
