"""Whole-array helpers that NumPy would do with an input-sized temporary.

Each public helper takes any size; up to ``NUMPY_MAX_VALUES`` values it runs in NumPy,
which is as fast there (starting threads costs more) and compiles nothing, so a first
small call does not wait for these kernels to compile (each takes about a second).
Above, the kernels run in blocks of rows on several threads (:func:`parallel_for`); a
result combined from several blocks is combined in block order, so it never depends on
the number of threads. Both paths give the same results (``tests/test_kernels_arrays.py``
runs each helper both ways).
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for

#: Up to this many values (rows x features, or labels) the helpers use NumPy.
NUMPY_MAX_VALUES = 1 << 16
#: Labels of another integer type are widened to int64 this many at a time (8 MiB), so
#: the label kernels compile for int64 only.
WIDEN_ROWS = 1 << 20


@jit(inline="always")
def _nonfinite(value):
    """True for NaN and +-inf: ``value - value`` is NaN for them, 0 otherwise. Branch-free,
    so loops over features vectorise (``np.isfinite`` per element did not)."""
    t = value - value
    return t != t


@jit()
def _first_nonfinite_in(X, lo, hi):
    for i in range(lo, hi):
        for f in range(X.shape[1]):
            if _nonfinite(X[i, f]):
                return i
    return -1


def first_nonfinite_row(X: np.ndarray, row_block: int) -> int:
    """Smallest row index of a 2-D float array holding NaN or +-inf, or -1 (above
    ``NUMPY_MAX_VALUES`` without a boolean temporary)."""
    if X.size <= NUMPY_MAX_VALUES:
        bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
        return int(bad[0]) if bad.size else -1
    return int(_first_nonfinite_row(X, row_block))


def _first_nonfinite_row(X, row_block):
    """Smallest row index holding NaN or +-inf, or -1 (no boolean temporary).

    Each block is scanned without branching; only a block found to hold a bad value is
    scanned again to name the row. The first block that names one gives the answer.
    """
    n_blocks = (X.shape[0] + row_block - 1) // row_block
    found = np.full(n_blocks, -1, dtype=np.int64)
    parallel_for(_first_nonfinite_blocks, n_blocks, X, row_block, found)
    return _first_found(found)


def _first_found(found):
    """The first non-negative entry of ``found`` (one per block), or -1."""
    named = np.flatnonzero(found >= 0)
    return int(found[named[0]]) if named.size else -1


@jit(tasks=True, read_only=("X",))
def _first_nonfinite_blocks(b0, b1, X, row_block, found):
    """Blocks ``b0 .. b1 - 1`` of :func:`_first_nonfinite_row`: ``found[b]`` is the
    block's first row holding NaN or +-inf, or stays -1."""
    n = X.shape[0]
    for b in range(b0, b1):
        lo, hi = b * row_block, min(n, (b + 1) * row_block)
        bad = False
        for i in range(lo, hi):
            for f in range(X.shape[1]):
                bad |= _nonfinite(X[i, f])
        if bad:
            found[b] = _first_nonfinite_in(X, lo, hi)


def copy_rows(src: np.ndarray, dst: np.ndarray, row_block: int) -> int:
    """``dst[:len(src)] = src`` (same dtype); returns the smallest row index of ``src``
    holding NaN or +-inf, or -1. Above ``NUMPY_MAX_VALUES``: :func:`_copy_rows`."""
    if src.size <= NUMPY_MAX_VALUES:
        dst[: src.shape[0]] = src
        return first_nonfinite_row(src, row_block)
    return int(_copy_rows(src, dst, row_block))


def _copy_rows(src, dst, row_block):
    """``dst[:len(src)] = src`` in parallel blocks (also spreads first-touch page faults).

    Returns the smallest row index of ``src`` holding NaN or +-inf, or -1: the copy
    doubles as the finiteness check, saving a pass over the input.
    """
    n_blocks = (src.shape[0] + row_block - 1) // row_block
    found = np.full(n_blocks, -1, dtype=np.int64)
    parallel_for(_copy_blocks, n_blocks, src, dst, row_block, found)
    return _first_found(found)


@jit(tasks=True, read_only=("src",))
def _copy_blocks(b0, b1, src, dst, row_block, found):
    """Blocks ``b0 .. b1 - 1`` of :func:`_copy_rows`: copied, and ``found[b]`` is the
    block's first row holding NaN or +-inf, or stays -1."""
    n = src.shape[0]
    for b in range(b0, b1):
        lo, hi = b * row_block, min(n, (b + 1) * row_block)
        bad = False
        for i in range(lo, hi):
            for f in range(src.shape[1]):
                value = src[i, f]
                dst[i, f] = value
                bad |= _nonfinite(value)
        if bad:
            found[b] = _first_nonfinite_in(src, lo, hi)


def gather_rows(src: np.ndarray, rows: np.ndarray, out: np.ndarray, row_block: int) -> None:
    """``out[i] = src[rows[i]]`` (int64 ``rows``); in parallel blocks above
    ``NUMPY_MAX_VALUES`` values."""
    if rows.size * src.shape[1] <= NUMPY_MAX_VALUES:
        np.take(src, rows, axis=0, out=out)
        return
    _gather_rows(src, rows, out, row_block)


def _gather_rows(src, rows, out, row_block):
    """``out[i] = src[rows[i]]`` in parallel blocks (NumPy's ``src[rows]`` is one thread;
    2-3x slower for outputs that fit the cache)."""
    n_blocks = (rows.shape[0] + row_block - 1) // row_block
    parallel_for(_gather_blocks, n_blocks, src, rows, out, row_block)


@jit(tasks=True, read_only=("src",))
def _gather_blocks(b0, b1, src, rows, out, row_block):
    """Blocks ``b0 .. b1 - 1`` of :func:`_gather_rows`."""
    n = rows.shape[0]
    for b in range(b0, b1):
        for i in range(b * row_block, min(n, (b + 1) * row_block)):
            for f in range(src.shape[1]):
                out[i, f] = src[rows[i], f]


def column_spans(X: np.ndarray, rows: np.ndarray, row_block: int) -> np.ndarray:
    """max - min of each column of ``X[rows]`` (int64 ``rows``), in float64; NaN in a
    column holding NaN or +-inf. No gathered copy of the rows above ``NUMPY_MAX_VALUES``
    values of a C-contiguous ``X`` (NumPy's path copies ``row_block`` rows at a time)."""
    if rows.size * X.shape[1] <= NUMPY_MAX_VALUES or not X.flags.c_contiguous:
        # (other layouts: NumPy, rather than a compiled kernel per layout)
        low = np.full(X.shape[1], np.inf)
        high = np.full(X.shape[1], -np.inf)
        for start in range(0, rows.size, row_block):
            block = X[rows[start : start + row_block]]
            low = np.minimum(low, block.min(axis=0))  # NaN propagates
            high = np.maximum(high, block.max(axis=0))
        span = high - low
    else:
        n_blocks = (rows.size + row_block - 1) // row_block
        low = np.empty((n_blocks, X.shape[1]), dtype=X.dtype)
        high = np.empty((n_blocks, X.shape[1]), dtype=X.dtype)
        parallel_for(_span_blocks, n_blocks, X, rows, row_block, low, high)
        span = high.max(axis=0).astype(np.float64) - low.min(axis=0).astype(np.float64)
    span[~np.isfinite(span)] = np.nan
    return span


@jit(tasks=True, read_only=("X",))
def _span_blocks(b0, b1, X, rows, row_block, low, high):
    """Blocks ``b0 .. b1 - 1`` of :func:`column_spans`: each block's column minima and
    maxima (the minimum NaN for a column holding NaN)."""
    n = rows.shape[0]
    has_nan = np.empty(X.shape[1], dtype=np.bool_)
    for b in range(b0, b1):
        lo, hi = low[b], high[b]
        lo[:] = np.inf
        hi[:] = -np.inf
        has_nan[:] = False
        for i in range(b * row_block, min(n, (b + 1) * row_block)):
            row = X[rows[i]]
            for f in range(row.shape[0]):
                value = row[f]
                lo[f] = value if value < lo[f] else lo[f]
                hi[f] = value if value > hi[f] else hi[f]
                has_nan[f] |= value != value
        for f in range(lo.shape[0]):
            if has_nan[f]:
                lo[f] = np.nan


#: Value ranges up to this size are counted in parallel blocks with private histograms.
_SMALL_RANGE = 64
#: Interleaved counters per value in a block's histogram.
_LANES = 4


@jit(inline="always")
def _value_at(y, rows, i):
    """``y[i]``, or ``y[rows[i]]`` when rows are given (the branch is compiled away)."""
    if rows is None:
        return np.int64(y[i])
    return np.int64(y[rows[i]])


def count_compact_ints(
    y: np.ndarray, lo: int, n_values: int, row_block: int, rows: np.ndarray | None = None
) -> np.ndarray:
    """Counts (int64) of each value ``lo .. lo + n_values - 1`` in the integer or boolean
    array ``y`` (values in that range), or in ``y[rows]``."""
    n = y.shape[0] if rows is None else rows.shape[0]
    if n <= NUMPY_MAX_VALUES:
        values = (y if rows is None else y[rows]).astype(np.int64)
        return np.bincount(values - lo, minlength=n_values)
    if y.dtype == np.int64:
        return _count_compact_ints(y, lo, n_values, row_block, rows)
    # other types are widened a part at a time: one compiled version for every type
    counts = np.zeros(n_values, dtype=np.int64)
    for start in range(0, n, WIDEN_ROWS):
        stop = start + WIDEN_ROWS
        part = (y[start:stop] if rows is None else y[rows[start:stop]]).astype(np.int64)
        counts += _count_compact_ints(part, lo, n_values, row_block, None)
    return counts


def _count_compact_ints(y, lo, n_values, row_block, rows=None):
    """Counts of each value ``lo .. lo + n_values - 1`` in ``y``, or in ``y[rows]`` (no
    shifted or gathered temporary).

    Class labels take few values, so one counter would be incremented row after row and
    every increment would wait for the previous store (3 ns per row). Small ranges are
    counted in parallel blocks, each with its own histogram of four interleaved counters
    per value (consecutive rows hit different counters), summed at the end.
    """
    n = y.shape[0] if rows is None else rows.shape[0]
    n_blocks = (n + row_block - 1) // row_block
    if n_values > _SMALL_RANGE or n_blocks < 2:
        return _count_serial(y, lo, n_values, rows)
    partial = np.zeros((n_blocks, _LANES * n_values), dtype=np.int64)
    parallel_for(_count_blocks, n_blocks, y, lo, n_values, row_block, rows, partial)
    return partial.sum(axis=0).reshape(_LANES, n_values).sum(axis=0)


@jit(read_only=("y",))
def _count_serial(y, lo, n_values, rows):
    """Counts of each value ``lo .. lo + n_values - 1`` in ``y`` (or ``y[rows]``), one
    row after another."""
    n = y.shape[0] if rows is None else rows.shape[0]
    counts = np.zeros(n_values, dtype=np.int64)
    for i in range(n):
        counts[_value_at(y, rows, i) - lo] += 1
    return counts


@jit(tasks=True, read_only=("y",))
def _count_blocks(b0, b1, y, lo, n_values, row_block, rows, partial):
    """Blocks ``b0 .. b1 - 1`` of :func:`_count_compact_ints`: ``partial[b]`` holds
    block ``b``'s counts, value ``v`` of lane ``l`` at ``l * n_values + v - lo``."""
    n = y.shape[0] if rows is None else rows.shape[0]
    for b in range(b0, b1):
        hist = partial[b]
        start, stop = b * row_block, min(n, (b + 1) * row_block)
        i = start
        while i + _LANES <= stop:
            for lane in range(_LANES):
                hist[lane * n_values + _value_at(y, rows, i + lane) - lo] += 1
            i += _LANES
        for j in range(i, stop):
            hist[_value_at(y, rows, j) - lo] += 1


def codes_from_lookup(y: np.ndarray, lo: int, lookup: np.ndarray, row_block: int) -> np.ndarray:
    """``lookup[y - lo]`` (int32 ``lookup``) for integer or boolean labels ``y``."""
    if y.size <= NUMPY_MAX_VALUES:
        return lookup[y.astype(np.int64) - lo]
    if y.dtype == np.int64:
        return _codes_from_lookup(y, lo, lookup, row_block)
    codes = np.empty(y.size, dtype=np.int32)
    for start in range(0, y.size, WIDEN_ROWS):
        part = y[start : start + WIDEN_ROWS].astype(np.int64)
        codes[start : start + part.size] = _codes_from_lookup(part, lo, lookup, row_block)
    return codes


def _codes_from_lookup(y, lo, lookup, row_block):
    """``lookup[y - lo]`` as int32 class codes, in parallel blocks."""
    n = y.shape[0]
    codes = np.empty(n, dtype=np.int32)
    n_blocks = (n + row_block - 1) // row_block
    parallel_for(_codes_blocks, n_blocks, y, lo, lookup, row_block, codes)
    return codes


@jit(tasks=True, read_only=("y",))
def _codes_blocks(b0, b1, y, lo, lookup, row_block, codes):
    """Blocks ``b0 .. b1 - 1`` of :func:`_codes_from_lookup`."""
    n = y.shape[0]
    for b in range(b0, b1):
        for i in range(b * row_block, min(n, (b + 1) * row_block)):
            codes[i] = lookup[np.int64(y[i]) - lo]
