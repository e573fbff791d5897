"""Collinearity test behind the leakage check: does a row lie on a segment between two
of its nearest neighbours, as a SMOTE row lies between its base and neighbour?"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for


def segment_hits(X, sets, queries, neighbors, off_grid, n_first, rtol, atol, t_margin, min_moving):
    """Per query row ``r``: a pair ``(p, q)`` of its neighbours with ``r`` on segment p-q
    that no set holds together with ``r``, unless another pair is held by one.

    Parameters
    ----------
    X : (n, d) float64
    sets : (n,) uint8 bit mask of the sets holding each row (training 1, test 2): a
        segment whose three rows share a set is explained within that set, and then the
        query counts as no hit (on discrete data a row between two parents also lies
        between one parent and a row further along the same line)
    queries : (m,) int64 rows of X
    neighbors : (m, k) int64 rows of X, nearest first (the query itself excluded)
    off_grid : (m, d) bool, whether the query's value of a feature is one only
        interpolation makes (held by no other row, not a whole number in a feature of
        whole numbers): at least one moving feature must hold such a value. Rows of
        discrete data that are collinear by chance hold values the data holds anyway.
    n_first : ``p`` is one of the first ``n_first`` neighbours, ``q`` any other
    rtol, atol : per feature, ``|r - (p + t (q - p))| <= rtol * max(|p|, |q|) + atol``
        (rounding of a SMOTE row computed in float32 is well inside ``rtol=1e-5``)
    t_margin : ``t`` must lie in ``(t_margin, 1 - t_margin)``: near-copies of an
        endpoint are duplicates, not interpolations
    min_moving : at least this many features must differ between ``p`` and ``q`` (beyond
        the tolerance): on discrete data, rows that differ in one feature are often
        collinear by chance

    Returns
    -------
    p, q : (m,) int64, -1 where no pair was found (the first pair found, in neighbour order)
    t : (m,) float64 position on the segment (NaN where none)

    All-zero ``sets`` make every pair count: the first pair found is returned.
    """
    m = neighbors.shape[0]
    p_out = np.full(m, -1, dtype=np.int64)
    q_out = np.full(m, -1, dtype=np.int64)
    t_out = np.full(m, np.nan)
    parallel_for(_segment_rows, m, X, sets, queries, neighbors, off_grid, n_first, rtol, atol,
                 t_margin, min_moving, p_out, q_out, t_out)  # fmt: skip
    return p_out, q_out, t_out


@jit(tasks=True, read_only=("X",))
def _segment_rows(i0, i1, X, sets, queries, neighbors, off_grid, n_first, rtol, atol, t_margin,
                  min_moving, p_out, q_out, t_out):  # fmt: skip
    """Queries ``i0 .. i1 - 1`` of :func:`segment_hits`."""
    k = neighbors.shape[1]
    d = X.shape[1]
    for i in range(i0, i1):
        r = queries[i]
        explained = False
        for a in range(min(n_first, k)):
            p = neighbors[i, a]
            for b in range(k):
                q = neighbors[i, b]
                if b == a or q == p:
                    continue
                num = 0.0
                den = 0.0
                for f in range(d):
                    step = X[q, f] - X[p, f]
                    num += (X[r, f] - X[p, f]) * step
                    den += step * step
                if den == 0.0:
                    continue
                t = num / den
                if t <= t_margin or t >= 1.0 - t_margin:
                    continue
                on_segment = True
                moving = 0
                interpolated = False
                for f in range(d):
                    step = X[q, f] - X[p, f]
                    tol = rtol * max(abs(X[p, f]), abs(X[q, f])) + atol
                    if abs(X[r, f] - (X[p, f] + t * step)) > tol:
                        on_segment = False
                        break
                    if abs(step) > tol:
                        moving += 1
                        interpolated = interpolated or off_grid[i, f]
                if on_segment and interpolated and moving >= min_moving:
                    if sets[r] & sets[p] & sets[q]:
                        explained = True
                        break
                    if p_out[i] < 0:
                        p_out[i], q_out[i], t_out[i] = p, q, t
            if explained:
                p_out[i], q_out[i], t_out[i] = -1, -1, np.nan
                break


@jit()
def count_values(column_bits, value_bits, counts):
    """Add to ``counts[j]`` the number of entries of ``column_bits`` equal to
    ``value_bits[j]`` (distinct): the bits of float64 values, ``-0.0`` made ``0.0`` and
    no NaN, so equal bits are equal values. An open-addressing table makes this one
    pass of constant-time lookups."""
    size, log2_size = 4, 2
    while size < 2 * value_bits.size:
        size *= 2
        log2_size += 1
    mask = np.uint64(size - 1)
    shift = np.uint64(64 - log2_size)
    multiplier = np.uint64(0x9E3779B97F4A7C15)
    table = np.full(size, -1, dtype=np.int64)
    for j in range(value_bits.size):
        slot = (value_bits[j] * multiplier) >> shift
        while table[slot] >= 0:
            slot = (slot + np.uint64(1)) & mask
        table[slot] = j
    for i in range(column_bits.size):
        key = column_bits[i]
        slot = (key * multiplier) >> shift
        while table[slot] >= 0:
            j = table[slot]
            if value_bits[j] == key:
                counts[j] += 1
                break
            slot = (slot + np.uint64(1)) & mask
