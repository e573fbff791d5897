"""Row selection and smoothed bootstrap draws for the random samplers.

Like SMOTE's draws, every value is a pure function of (stream key, counter), so results
do not depend on threads or chunking.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for
from .._random import draw_uint64, standard_normal, uint64_below
from .sparse import sorted_union_size


def bootstrap_positions(key, start, n_draws, n_class):
    """Positions ``0..n_class-1`` drawn with replacement for draws ``start..start+n-1``."""
    out = np.empty(n_draws, dtype=np.int64)
    parallel_for(_bootstrap_of, n_draws, key, start, n_class, out)
    return out


@jit(tasks=True)
def _bootstrap_of(t0, t1, key, start, n_class, out):
    """Entries ``t0 .. t1 - 1`` of :func:`bootstrap_positions`."""
    for t in range(t0, t1):
        out[t] = uint64_below(draw_uint64(key, start + t), n_class)


def priorities(key, n):
    """One uint64 per position; sorting them gives a uniform random permutation."""
    return priorities_from(key, 0, n)


def priorities_from(key, start, n):
    """The priorities of positions ``start .. start + n - 1`` (see :func:`priorities`)."""
    out = np.empty(n, dtype=np.uint64)
    parallel_for(_priorities_of, n, key, start, out)
    return out


@jit(tasks=True)
def _priorities_of(t0, t1, key, start, out):
    """Entries ``t0 .. t1 - 1`` of :func:`priorities_from`."""
    for t in range(t0, t1):
        out[t] = draw_uint64(key, start + t)


def smoothed_bootstrap(X_class, positions, noise_key, start, scale, out, out_start):
    """``out[out_start + t] = X_class[positions[t]] + scale * N(0, 1)`` per feature.

    The noise of row ``start + t``, feature ``f`` uses counter ``(start + t) * d + f``;
    the sum is computed in float64 and rounded once to the output dtype.
    """
    parallel_for(_smoothed_of, positions.shape[0], X_class, positions, noise_key, start, scale,
                 out, out_start)  # fmt: skip


@jit(tasks=True, read_only=("X_class",))
def _smoothed_of(t0, t1, X_class, positions, noise_key, start, scale, out, out_start):
    """Rows ``t0 .. t1 - 1`` of :func:`smoothed_bootstrap`."""
    d = X_class.shape[1]
    for t in range(t0, t1):
        base = (start + t) * d
        for f in range(d):
            noise = standard_normal(noise_key, base + f)
            out[out_start + t, f] = np.float64(X_class[positions[t], f]) + scale[f] * noise


def csr_column_std(data, indices, indptr, col_ptr, col_rows, col_data, n_rows):
    """Per-column standard deviation (float64) of a canonical CSR matrix with
    ``n_rows`` rows, the dense rows' ``std(axis=0, dtype=np.float64)`` bit for bit.

    NumPy sums a C-ordered array's rows one after the other for each column (two or
    more columns): the means add the stored values in row order (a zero adds nothing),
    the squared deviations every row's, an absent entry's ``(0 - mean) ** 2`` included,
    in row order. ``col_ptr``, ``col_rows``, ``col_data``: the same matrix as CSC with
    sorted row indices. A column without stored values has deviation 0.
    """
    d = col_ptr.shape[0] - 1
    sums = np.zeros(d, dtype=np.float64)
    _column_sums(data, indices, indptr, sums)
    out = np.zeros(d, dtype=np.float64)
    parallel_for(_column_std_of, d, col_ptr, col_rows, col_data, sums, n_rows, out)
    return out


@jit(read_only=("data", "indices", "indptr"))
def _column_sums(data, indices, indptr, sums):
    """``sums[c]``: column c's stored values added in row order."""
    for r in range(indptr.shape[0] - 1):
        for k in range(indptr[r], indptr[r + 1]):
            sums[indices[k]] += np.float64(data[k])


@jit(tasks=True, read_only=("col_ptr", "col_rows", "col_data", "sums"))
def _column_std_of(c0, c1, col_ptr, col_rows, col_data, sums, n_rows, out):
    """Columns ``c0 .. c1 - 1`` of :func:`csr_column_std`."""
    for c in range(c0, c1):
        k, end = col_ptr[c], col_ptr[c + 1]
        if k == end:
            continue
        mean = sums[c] / n_rows
        total = 0.0
        for r in range(n_rows):
            x = 0.0
            if k < end and col_rows[k] == r:
                x = np.float64(col_data[k])
                k += 1
            deviation = x - mean
            total += deviation * deviation
        out[c] = np.sqrt(total / n_rows)


def csr_smoothed_counts(indices, indptr, rows, active):
    """Entries of each smoothed row: the union of its source row's columns and the
    ``active`` columns (sorted; those with a non-zero noise scale)."""
    counts = np.empty(rows.shape[0], dtype=np.int64)
    parallel_for(_smoothed_counts_of, rows.shape[0], indices, indptr, rows, active, counts)
    return counts


@jit(tasks=True, read_only=("indices", "indptr", "rows", "active"))
def _smoothed_counts_of(t0, t1, indices, indptr, rows, active, counts):
    """``counts[t]`` for rows ``t0 .. t1 - 1`` of :func:`csr_smoothed_counts`."""
    for t in range(t0, t1):
        counts[t] = sorted_union_size(indices[indptr[rows[t]] : indptr[rows[t] + 1]], active)


def csr_smoothed_bootstrap(data, indices, indptr, rows, active, scale, noise_key, start, d,
                           out_indptr, out_data, out_indices):  # fmt: skip
    """Smoothed row ``t`` = row ``rows[t]`` + ``scale * N(0, 1)`` on the ``active``
    columns (where ``scale`` is not 0; elsewhere the noise adds 0), written at
    ``out_indptr[t]``: :func:`smoothed_bootstrap`'s values bit for bit (same counters
    ``(start + t) * d + f``, float64 sums rounded once to the data dtype)."""
    parallel_for(_csr_smoothed_of, rows.shape[0], data, indices, indptr, rows, active, scale,
                 noise_key, start, d, out_indptr, out_data, out_indices)  # fmt: skip


@jit(tasks=True, read_only=("data", "indices", "indptr", "rows", "active", "scale"))
def _csr_smoothed_of(t0, t1, data, indices, indptr, rows, active, scale, noise_key, start, d,
                     out_indptr, out_data, out_indices):  # fmt: skip
    """Rows ``t0 .. t1 - 1`` of :func:`csr_smoothed_bootstrap`."""
    n_active = active.shape[0]
    for t in range(t0, t1):
        base = (start + t) * d
        pa, ea = indptr[rows[t]], indptr[rows[t] + 1]
        pb = 0
        k = out_indptr[t]
        while pa < ea or pb < n_active:
            if pb == n_active or (pa < ea and indices[pa] < active[pb]):
                column = indices[pa]  # no noise here: the value itself
                value = np.float64(data[pa])
                pa += 1
            else:
                column = active[pb]
                value = 0.0
                if pa < ea and indices[pa] == column:
                    value = np.float64(data[pa])
                    pa += 1
                pb += 1
                value = value + scale[column] * standard_normal(noise_key, base + column)
            out_data[k] = value
            out_indices[k] = column
            k += 1
