"""Kernels on CSR matrices (``data``, ``indices``, ``indptr``; sorted indices, no
duplicates): exact neighbours and SMOTE interpolation, with the values of the dense
kernels bit for bit.

A squared distance is summed in the order the dense kernels define
(:func:`fastsmote._kernels.knn.block_distances`): features in groups of four,
``acc += (t0^2 + t1^2) + (t2^2 + t3^2)``, then the remaining features one by one. A
group where neither row has an entry adds exactly zero, so only the groups touched by
one of the two rows are visited (their index lists merged); absent entries are zeros,
as in the dense rows. The sums, hence neighbours and ties, equal the dense ones.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._numba import jit
from .knn import _insert_topk


@jit(inline="always")
def _entry(data, indices, p, end, column):
    """The value of ``column`` if the entry at ``p`` (< ``end``) holds it, and the
    position after it; else zero and ``p``."""
    if p < end and indices[p] == column:
        return data[p], p + 1
    return data[0] - data[0], p


@jit(inline="always")
def csr_sq_distance(data, indices, indptr, a, b, n_grouped):
    """Squared distance between CSR rows ``a`` and ``b`` in the defined order;
    ``n_grouped``: the features summed in groups of four (``4 * (d // 4)``)."""
    pa, ea = indptr[a], indptr[a + 1]
    pb, eb = indptr[b], indptr[b + 1]
    acc = data[0] - data[0]  # zero of the data dtype (called only when data is not empty)
    while pa < ea or pb < eb:
        fa = indices[pa] if pa < ea else n_grouped
        fb = indices[pb] if pb < eb else n_grouped
        first = min(fa, fb)
        if first >= n_grouped:
            break
        g = first - first % 4
        a0, pa = _entry(data, indices, pa, ea, g)
        a1, pa = _entry(data, indices, pa, ea, g + 1)
        a2, pa = _entry(data, indices, pa, ea, g + 2)
        a3, pa = _entry(data, indices, pa, ea, g + 3)
        b0, pb = _entry(data, indices, pb, eb, g)
        b1, pb = _entry(data, indices, pb, eb, g + 1)
        b2, pb = _entry(data, indices, pb, eb, g + 2)
        b3, pb = _entry(data, indices, pb, eb, g + 3)
        t0 = a0 - b0
        t1 = a1 - b1
        t2 = a2 - b2
        t3 = a3 - b3
        acc += (t0 * t0 + t1 * t1) + (t2 * t2 + t3 * t3)
    while pa < ea or pb < eb:  # the features after the last group, one by one
        if pb >= eb or (pa < ea and indices[pa] < indices[pb]):
            t = data[pa]
            pa += 1
        elif pa >= ea or indices[pb] < indices[pa]:
            t = data[pb]
            pb += 1
        else:
            t = data[pa] - data[pb]
            pa += 1
            pb += 1
        acc += t * t
    return acc


@jit(parallel=True, read_only=("data", "indices", "indptr"))
def csr_knn(data, indices, indptr, n_features, query_rows, ref_rows, k, skip, query_block):
    """k nearest references of each query, exact (the sparse ``knn_blocked``).

    Parameters
    ----------
    data, indices, indptr : the CSR arrays (sorted indices, no duplicates)
    n_features : int
    query_rows, ref_rows : int64 row numbers of the queries and the references
    k : neighbours per query
    skip : int64, per query the reference position it must not return, or -1
    query_block : queries per parallel task (scheduling only, never the result)

    Returns
    -------
    dist : (n_query, k) squared distances, ascending (``inf`` where fewer exist)
    pos : (n_query, k) int64 positions into ``ref_rows``; ties to the lower position
    """
    n_query = query_rows.shape[0]
    n_ref = ref_rows.shape[0]
    n_grouped = n_features - n_features % 4
    out_dist = np.full((n_query, k), np.inf, dtype=data.dtype)
    out_pos = np.full((n_query, k), -1, dtype=np.int64)
    if data.shape[0] == 0:  # every row is zero: every distance is zero
        for i in range(n_query):
            m = 0
            for j in range(n_ref):
                if m == k:
                    break
                if j != skip[i]:
                    out_dist[i, m] = 0
                    out_pos[i, m] = j
                    m += 1
        return out_dist, out_pos
    n_blocks = (n_query + query_block - 1) // query_block
    for block in prange(n_blocks):
        for i in range(block * query_block, min(n_query, (block + 1) * query_block)):
            best_dist = out_dist[i]
            best_pos = out_pos[i]
            worst = best_dist[k - 1]
            row = query_rows[i]
            for j in range(n_ref):
                dist = csr_sq_distance(data, indices, indptr, row, ref_rows[j], n_grouped)
                if dist < worst and j != skip[i]:  # references in increasing position
                    _insert_topk(best_dist, best_pos, dist, j)
                    worst = best_dist[k - 1]
    return out_dist, out_pos


@jit(parallel=True, read_only=("indices", "indptr"))
def csr_union_counts(indices, indptr, base, neighbor):
    """Entries of each synthetic row: the union of its base's and neighbour's columns."""
    n = base.shape[0]
    counts = np.empty(n, dtype=np.int64)
    for t in prange(n):
        pa, ea = indptr[base[t]], indptr[base[t] + 1]
        pb, eb = indptr[neighbor[t]], indptr[neighbor[t] + 1]
        m = 0
        while pa < ea and pb < eb:
            if indices[pa] <= indices[pb]:
                if indices[pa] == indices[pb]:
                    pb += 1
                pa += 1
            else:
                pb += 1
            m += 1
        counts[t] = m + (ea - pa) + (eb - pb)
    return counts


@jit(parallel=True, read_only=("data", "indices", "indptr", "gap"))
def csr_interpolate(data, indices, indptr, base, neighbor, gap, out_indptr, out_data,
                    out_indices):  # fmt: skip
    """Synthetic row ``t`` = ``base + gap[t] * (neighbor - base)`` over the union of the
    two rows' columns, written at ``out_indptr[t]`` of ``out_data``/``out_indices``.

    ``gap`` is in the data dtype (rounded once, as the dense kernel rounds it); an
    absent entry is zero, so each value is the dense kernel's ``xb + g * (xn - xb)``
    bit for bit.
    """
    for t in prange(base.shape[0]):
        g = gap[t]
        zero = g - g
        pa, ea = indptr[base[t]], indptr[base[t] + 1]
        pb, eb = indptr[neighbor[t]], indptr[neighbor[t] + 1]
        q = out_indptr[t]
        while pa < ea or pb < eb:
            if pb >= eb or (pa < ea and indices[pa] < indices[pb]):
                column, xb, xn = indices[pa], data[pa], zero
                pa += 1
            elif pa >= ea or indices[pb] < indices[pa]:
                column, xb, xn = indices[pb], zero, data[pb]
                pb += 1
            else:
                column, xb, xn = indices[pa], data[pa], data[pb]
                pa += 1
                pb += 1
            out_indices[q] = column
            out_data[q] = xb + g * (xn - xb)
            q += 1
