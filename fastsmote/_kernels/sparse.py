"""Kernels on CSR matrices (``data``, ``indices``, ``indptr``; sorted indices, no
duplicates): exact neighbours and SMOTE interpolation, with the values of the dense
kernels bit for bit.

A squared distance is summed in the order the dense kernels define
(:func:`fastsmote._kernels.knn.block_distances`): features in groups of four,
``acc += (t0^2 + t1^2) + (t2^2 + t3^2)``, then the remaining features one by one. A
group where neither row has an entry adds exactly zero, so each row is stored as its
touched groups (:func:`csr_groups`: four values each, zeros filled in) and a distance
merges the two rows' group lists. The sums, hence neighbours and ties, equal the dense
ones.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for
from .knn import _insert_topk

#: No categorical codes: plain squared distances (int32 like SMOTE-NC's: one compiled
#: kernel).
_NO_CODES = np.empty((0, 0), dtype=np.int32)


def csr_groups(data, indices, indptr, n_features):
    """Each row's entries as blocks of four features (zeros filled in): the groups the
    defined order sums together.

    Returns
    -------
    group_ptr : (n + 1,) int64, row ``i``'s blocks are ``group_ptr[i] .. group_ptr[i+1]-1``
    group : (n_blocks,) int64 first feature of each block (increasing within a row)
    values : (n_blocks, 4) the block's four feature values (zero past the last feature)
    """
    n = indptr.shape[0] - 1
    counts = np.zeros(n + 1, dtype=np.int64)
    parallel_for(_group_counts, n, indices, indptr, counts)
    group_ptr = np.cumsum(counts)
    group = np.empty(group_ptr[n], dtype=np.int64)
    values = np.zeros((group_ptr[n], 4), dtype=data.dtype)
    parallel_for(_fill_groups, n, data, indices, indptr, group_ptr, group, values)
    return group_ptr, group, values


@jit(tasks=True, read_only=("indices", "indptr"))
def _group_counts(i0, i1, indices, indptr, counts):
    """``counts[i + 1]``, row ``i``'s number of blocks, for rows ``i0 .. i1 - 1`` of
    :func:`csr_groups`."""
    for i in range(i0, i1):
        last = -1
        for p in range(indptr[i], indptr[i + 1]):
            g = indices[p] - indices[p] % 4
            if g != last:
                counts[i + 1] += 1
                last = g


@jit(tasks=True, read_only=("data", "indices", "indptr", "group_ptr"))
def _fill_groups(i0, i1, data, indices, indptr, group_ptr, group, values):
    """The blocks of rows ``i0 .. i1 - 1`` of :func:`csr_groups`."""
    for i in range(i0, i1):
        q = group_ptr[i] - 1
        last = -1
        for p in range(indptr[i], indptr[i + 1]):
            g = indices[p] - indices[p] % 4
            if g != last:
                q += 1
                group[q] = g
                last = g
            values[q, indices[p] - g] = data[p]


@jit(inline="always")
def grouped_sq_distance(group_ptr, group, values, a, b, n_grouped):
    """Squared distance between rows ``a`` and ``b`` (as :func:`csr_groups` gives
    them) in the defined order; ``n_grouped``: the features summed in groups of four
    (``4 * (d // 4)``), the features after them are added one by one."""
    pa, ea = group_ptr[a], group_ptr[a + 1]
    pb, eb = group_ptr[b], group_ptr[b + 1]
    acc = values.dtype.type(0)
    while pa < ea or pb < eb:
        if pb >= eb or (pa < ea and group[pa] < group[pb]):
            g = group[pa]
            t0, t1, t2, t3 = values[pa, 0], values[pa, 1], values[pa, 2], values[pa, 3]
            pa += 1
        elif pa >= ea or group[pb] < group[pa]:
            g = group[pb]
            t0, t1, t2, t3 = values[pb, 0], values[pb, 1], values[pb, 2], values[pb, 3]
            pb += 1
        else:
            g = group[pa]
            t0 = values[pa, 0] - values[pb, 0]
            t1 = values[pa, 1] - values[pb, 1]
            t2 = values[pa, 2] - values[pb, 2]
            t3 = values[pa, 3] - values[pb, 3]
            pa += 1
            pb += 1
        if g < n_grouped:
            acc += (t0 * t0 + t1 * t1) + (t2 * t2 + t3 * t3)
        else:  # the last features, one by one (absent ones add an exact zero)
            acc += t0 * t0
            acc += t1 * t1
            acc += t2 * t2
            acc += t3 * t3
    return acc


def csr_sq_norms(data, indptr):
    """Each row's squared norm, in float64."""
    n = indptr.shape[0] - 1
    out = np.zeros(n, dtype=np.float64)
    parallel_for(_sq_norms, n, data, indptr, out)
    return out


@jit(tasks=True, read_only=("data", "indptr"))
def _sq_norms(i0, i1, data, indptr, out):
    """``out[i]`` for rows ``i0 .. i1 - 1`` of :func:`csr_sq_norms`."""
    for i in range(i0, i1):
        for p in range(indptr[i], indptr[i + 1]):
            v = np.float64(data[p])
            out[i] += v * v


def csr_knn(group_ptr, group, values, data, indices, indptr, col_ptr, col_rows, col_values,
            sq, n_features, query_rows, k, skip, query_block, codes=None,
            weight=None):  # fmt: skip
    """k nearest rows of each query among all rows, exact (the sparse ``knn_blocked``).

    References are visited in increasing row order and a row enters a list only with a
    strictly smaller distance, as in the dense kernels. A row is skipped without its
    exact distance when a lower bound of that distance, from ``|q|^2 + |r|^2 - 2 q.r``
    (the products over the query's columns: ``col_*``, the rows by column), is already
    above the list's last distance: it could not have entered, so the lists are those of
    computing every distance.

    Parameters
    ----------
    group_ptr, group, values : the rows as :func:`csr_groups` gives them
    data, indices, indptr : the rows as CSR (the queries' entries)
    col_ptr, col_rows, col_values : the same rows as CSC (row numbers by column)
    sq : float64 squared norm of each row
    n_features : int
    query_rows : int64 row numbers of the queries
    k : neighbours per query
    skip : int64, per query the row it must not return, or -1
    query_block : queries per parallel task (scheduling only, never the result)
    codes : int32 (n_rows, n_cat), optional; categorical codes of the rows
    weight : ``values.dtype`` scalar, with ``codes``: what each differing code adds to a
        squared distance, as the dense ``knn_mixed`` adds it (SMOTE-NC's distance)

    Returns
    -------
    dist : (n_query, k) squared distances, ascending (``inf`` where fewer exist)
    pos : (n_query, k) int64 row numbers; ties to the lower row
    """
    if codes is None:
        codes, weight = _NO_CODES, values.dtype.type(0)
    n_query = query_rows.shape[0]
    out_dist = np.full((n_query, k), np.inf, dtype=values.dtype)
    out_pos = np.full((n_query, k), -1, dtype=np.int64)
    n_blocks = (n_query + query_block - 1) // query_block
    parallel_for(_knn_blocks, n_blocks, group_ptr, group, values, data, indices, indptr, col_ptr,
                 col_rows, col_values, sq, n_features, query_rows, skip, query_block, codes,
                 weight, out_dist, out_pos)  # fmt: skip
    return out_dist, out_pos


@jit(tasks=True, read_only=("group_ptr", "group", "values", "data", "indices", "indptr",
                            "col_ptr", "col_rows", "col_values", "sq", "codes"))  # fmt: skip
def _knn_blocks(b0, b1, group_ptr, group, values, data, indices, indptr, col_ptr, col_rows,
                col_values, sq, n_features, query_rows, skip, query_block, codes, weight,
                out_dist, out_pos):  # fmt: skip
    """Query blocks ``b0 .. b1 - 1`` of :func:`csr_knn`."""
    n_query = query_rows.shape[0]
    n_ref = group_ptr.shape[0] - 1
    k = out_dist.shape[1]
    n_cat = codes.shape[1]
    n_grouped = n_features - n_features % 4
    info = np.finfo(values.dtype)
    eps, tiny = np.float64(info.eps), np.float64(info.tiny)
    rounded = np.empty(1, dtype=values.dtype)  # a float64 sum rounded as the dense tile
    # zero between queries: each query resets the entries it touched
    dot = np.zeros(n_ref, dtype=np.float64)
    for block in range(b0, b1):
        for i in range(block * query_block, min(n_query, (block + 1) * query_block)):
            best_dist = out_dist[i]
            best_pos = out_pos[i]
            worst = best_dist[k - 1]
            row = query_rows[i]
            n_row = indptr[row + 1] - indptr[row]
            for p in range(indptr[row], indptr[row + 1]):
                v = np.float64(data[p])
                column = indices[p]
                for c in range(col_ptr[column], col_ptr[column + 1]):
                    dot[col_rows[c]] += v * np.float64(col_values[c])
            for j in range(n_ref):
                if j == skip[i]:
                    continue
                mismatches = 0
                for f in range(n_cat):
                    if codes[row, f] != codes[j, f]:
                        mismatches += 1
                if worst < np.inf:
                    # the exact sum errs by at most m eps relative (+ m tiny for squares
                    # that underflow); the product form by m eps of |q|^2 + |r|^2; adding
                    # the codes' term rounds once more
                    m = np.float64(n_row + group_ptr[j + 1] - group_ptr[j]) * 4.0 + 8.0
                    total = sq[row] + sq[j]
                    approx = total - 2.0 * dot[j] - 4.0 * m * 2.2e-16 * total
                    bound = approx * (1.0 - 2.0 * m * eps) - m * tiny
                    if n_cat:
                        bound = (bound + np.float64(weight) * mismatches) * (1.0 - 2.0 * eps)
                    if bound > np.float64(worst):
                        continue
                dist = grouped_sq_distance(group_ptr, group, values, row, j, n_grouped)
                if n_cat:
                    rounded[0] = dist + weight * mismatches
                    dist = rounded[0]
                if dist < worst:  # rows in increasing order: ties keep the lower row
                    _insert_topk(best_dist, best_pos, dist, j)
                    worst = best_dist[k - 1]
            for p in range(indptr[row], indptr[row + 1]):  # reset what was touched
                column = indices[p]
                for c in range(col_ptr[column], col_ptr[column + 1]):
                    dot[col_rows[c]] = 0.0


def csr_union_counts(indices, indptr, base, neighbor):
    """Entries of each synthetic row: the union of its base's and neighbour's columns."""
    counts = np.empty(base.shape[0], dtype=np.int64)
    parallel_for(_union_counts, base.shape[0], indices, indptr, base, neighbor, counts)
    return counts


@jit(tasks=True, read_only=("indices", "indptr"))
def _union_counts(t0, t1, indices, indptr, base, neighbor, counts):
    """``counts[t]`` for synthetic rows ``t0 .. t1 - 1`` of :func:`csr_union_counts`."""
    for t in range(t0, t1):
        a = indices[indptr[base[t]] : indptr[base[t] + 1]]
        b = indices[indptr[neighbor[t]] : indptr[neighbor[t] + 1]]
        counts[t] = sorted_union_size(a, b)


@jit(inline="always")
def sorted_union_size(a, b):
    """Distinct values in the two sorted, duplicate-free arrays ``a`` and ``b``."""
    pa, pb, m = 0, 0, 0
    while pa < a.shape[0] and pb < b.shape[0]:
        if a[pa] <= b[pb]:
            if a[pa] == b[pb]:
                pb += 1
            pa += 1
        else:
            pb += 1
        m += 1
    return m + (a.shape[0] - pa) + (b.shape[0] - pb)


def csr_interpolate(data, indices, indptr, base, neighbor, gap, out_indptr, out_data,
                    out_indices):  # fmt: skip
    """Synthetic row ``t`` = ``base + gap[t] * (neighbor - base)`` over the union of the
    two rows' columns, written at ``out_indptr[t]`` of ``out_data``/``out_indices``.

    ``gap`` is in the data dtype (rounded once, as the dense kernel rounds it); an
    absent entry is zero, so each value is the dense kernel's ``xb + g * (xn - xb)``
    bit for bit.
    """
    none = np.empty(0, dtype=np.int64)
    csr_mixed_interpolate(data, indices, indptr, base, neighbor, gap, np.zeros(0, np.bool_),
                          none, np.empty((base.shape[0], 0), dtype=data.dtype), out_indptr,
                          out_data, out_indices)  # fmt: skip


def csr_mixed_counts(indices, indptr, base, neighbor, is_categorical, categorical):
    """Entries of each SMOTE-NC synthetic row: the union of its base's and neighbour's
    continuous columns (``is_categorical`` False), plus its non-zero categorical values
    (``categorical``: one row per synthetic row)."""
    counts = np.empty(base.shape[0], dtype=np.int64)
    parallel_for(_mixed_counts, base.shape[0], indices, indptr, base, neighbor, is_categorical,
                 categorical, counts)  # fmt: skip
    return counts


@jit(tasks=True, read_only=("indices", "indptr", "is_categorical", "categorical"))
def _mixed_counts(t0, t1, indices, indptr, base, neighbor, is_categorical, categorical, counts):
    """``counts[t]`` for synthetic rows ``t0 .. t1 - 1`` of :func:`csr_mixed_counts`."""
    for t in range(t0, t1):
        m = 0
        pa, ea = indptr[base[t]], indptr[base[t] + 1]
        pb, eb = indptr[neighbor[t]], indptr[neighbor[t] + 1]
        while pa < ea or pb < eb:
            if pb >= eb or (pa < ea and indices[pa] < indices[pb]):
                column = indices[pa]
                pa += 1
            elif pa >= ea or indices[pb] < indices[pa]:
                column = indices[pb]
                pb += 1
            else:
                column = indices[pa]
                pa += 1
                pb += 1
            if not is_categorical[column]:
                m += 1
        for f in range(categorical.shape[1]):
            if categorical[t, f] != 0:
                m += 1
        counts[t] = m


def csr_mixed_interpolate(data, indices, indptr, base, neighbor, gap, is_categorical,
                          categorical_columns, categorical, out_indptr, out_data,
                          out_indices):  # fmt: skip
    """SMOTE-NC synthetic row ``t``: :func:`csr_interpolate`'s values on the continuous
    columns, and on the categorical columns ``categorical_columns`` (increasing) the
    values ``categorical[t]`` (zeros not stored), written at ``out_indptr[t]``."""
    parallel_for(_mixed_rows, base.shape[0], data, indices, indptr, base, neighbor, gap,
                 is_categorical, categorical_columns, categorical, out_indptr, out_data,
                 out_indices)  # fmt: skip


@jit(tasks=True, read_only=("data", "indices", "indptr", "gap", "is_categorical",
                            "categorical_columns", "categorical"))  # fmt: skip
def _mixed_rows(t0, t1, data, indices, indptr, base, neighbor, gap, is_categorical,
                categorical_columns, categorical, out_indptr, out_data, out_indices):  # fmt: skip
    """Synthetic rows ``t0 .. t1 - 1`` of :func:`csr_mixed_interpolate` (no categorical
    column: :func:`csr_interpolate`)."""
    n_cat = categorical_columns.shape[0]
    for t in range(t0, t1):
        g = gap[t]
        zero = g - g
        pa, ea = indptr[base[t]], indptr[base[t] + 1]
        pb, eb = indptr[neighbor[t]], indptr[neighbor[t] + 1]
        q = out_indptr[t]
        f = 0  # next categorical column to place
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
            if n_cat and is_categorical[column]:
                continue
            while f < n_cat and categorical_columns[f] < column:
                if categorical[t, f] != 0:
                    out_indices[q] = categorical_columns[f]
                    out_data[q] = categorical[t, f]
                    q += 1
                f += 1
            out_indices[q] = column
            out_data[q] = xb + g * (xn - xb)
            q += 1
        while f < n_cat:
            if categorical[t, f] != 0:
                out_indices[q] = categorical_columns[f]
                out_data[q] = categorical[t, f]
                q += 1
            f += 1
