"""Exact neighbour search on CSR rows, never densified: the neighbours the dense exact
search finds on the same rows (same squared distances, same ties to the lower row)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import sparse as sp

from .._config import get_config
from .._kernels.sparse import csr_groups, csr_knn, csr_sq_norms
from .._numba import numba_threads, thread_count
from .._validation import check_span_range, sparse_column_std
from ._exact import QUERY_BLOCK, check_tables_fit, mismatch_weight
from ._scaling import scale_exponent

#: What to use instead of a search that needs dense rows.
DENSE_ONLY = (
    "sparse X is searched exactly only (neighbors='exact', which 'auto' picks for sparse "
    "X); convert X with X.toarray() for the approximate backends"
)


def column_spans(X: sp.csr_matrix) -> np.ndarray:
    """max - min of each column (implicit zeros included), in float64."""
    if X.shape[0] == 0:
        return np.zeros(X.shape[1])
    high = X.max(axis=0).toarray().ravel().astype(np.float64)
    low = X.min(axis=0).toarray().ravel().astype(np.float64)
    return high - low


def _searched(X: sp.csr_matrix, rows: np.ndarray | None, what: str) -> tuple[sp.csr_matrix, int]:
    """The rows searched (``rows`` of X, None: all), checked for overflowing distances
    and scaled by a power of two when their values are too small to square (as the
    dense search scales them: :mod:`fastsmote.neighbors._scaling`), and that power."""
    M = X if rows is None else X[rows]
    spans = column_spans(M)
    check_span_range(spans, M.dtype, what)
    exponent = scale_exponent(spans, M.dtype)
    if exponent:
        M = M.copy()
        with np.errstate(over="ignore"):
            np.ldexp(M.data, exponent, out=M.data)
        M.data[spans[M.indices] == 0] = 0  # constant features add nothing
    return M, exponent


def sparse_kneighbors(
    X: sp.csr_matrix,
    n_neighbors: int,
    *,
    within: np.ndarray | None = None,
    queries: np.ndarray | None = None,
) -> np.ndarray:
    """Exact neighbours on a canonical CSR matrix (sorted indices, no duplicates), each
    row itself excluded by position.

    Parameters
    ----------
    X : scipy.sparse.csr_matrix of float32 or float64, finite
    n_neighbors : int
    within : ndarray of int, optional
        Search each of these rows among them; indices are positions into ``within``.
    queries : ndarray of int, optional
        Search these rows among all rows; indices are rows of ``X``.

    Returns
    -------
    indices : ndarray of shape (n_queries, n_neighbors), int64
        Nearest first, ties to the lower position.
    """
    if within is not None and queries is not None:
        raise ValueError("give at most one of within and queries")
    rows = None if within is None else np.asarray(within, dtype=np.int64)
    n_rows = X.shape[0] if rows is None else rows.size
    if not 1 <= n_neighbors <= n_rows - 1:
        raise ValueError(
            f"n_neighbors must be in [1, {n_rows - 1}] for {n_rows} rows, got {n_neighbors}"
        )
    M, _ = _searched(X, rows, "X")
    if queries is None:
        query_rows = np.arange(n_rows, dtype=np.int64)
    else:
        query_rows = np.asarray(queries, dtype=np.int64)
    return _search(M, query_rows, n_neighbors)


def sparse_mixed_kneighbors(
    X: sp.csr_matrix, codes: np.ndarray, n_neighbors: int, what: str = "X"
) -> tuple[np.ndarray, float]:
    """:func:`~fastsmote.neighbors._exact.mixed_kneighbors` on a canonical CSR matrix of
    continuous features, never densified: the same neighbours and ``median_std``, bit
    for bit.

    Returns
    -------
    indices : ndarray of shape (n_rows, n_neighbors), int64, ties to the lower row
    median_std : float
    """
    n_rows = X.shape[0]
    if not 1 <= n_neighbors <= n_rows - 1:
        raise ValueError(
            f"n_neighbors must be in [1, {n_rows - 1}] for {n_rows} rows, got {n_neighbors}"
        )
    M, exponent = _searched(X, None, what)
    # on the scaled rows, as the dense search: tiny deviations' squares would underflow
    median_std = float(np.median(sparse_column_std(M)))
    weight = mismatch_weight(median_std, exponent, M.dtype, codes.shape[1])
    rows = np.arange(n_rows, dtype=np.int64)
    indices = _search(M, rows, n_neighbors, np.ascontiguousarray(codes, dtype=np.int32), weight)
    return indices, math.ldexp(median_std, -exponent)


def _search(
    M: sp.csr_matrix,
    query_rows: np.ndarray,
    n_neighbors: int,
    codes: np.ndarray | None = None,
    weight: Any = None,
) -> np.ndarray:
    """The ``n_neighbors`` nearest rows of ``M`` to each of its rows ``query_rows`` (the
    row itself excluded); with ``codes``, ``weight`` added per differing code."""
    n_rows, n_queries = M.shape[0], query_rows.size
    # the rows in blocks of four features (at most 4 values and a group number per stored
    # value), by column, their norms, a product accumulator per thread, the tables
    index = M.indices.itemsize
    blocks = M.nnz * (4 * M.dtype.itemsize + 8) + 8 * (n_rows + 1)
    by_column = M.nnz * (M.dtype.itemsize + index) + (M.shape[1] + 1) * index + 8 * n_rows
    threads = get_config()["n_threads"] or thread_count()
    tables = n_queries * n_neighbors * (M.dtype.itemsize + 8) + threads * 8 * n_rows
    check_tables_fit(blocks + by_column + tables, n_queries, n_neighbors)
    columns = M.tocsc()
    with numba_threads(get_config()["n_threads"]):
        grouped = csr_groups(M.data, M.indices, M.indptr, M.shape[1])
        sq = csr_sq_norms(M.data, M.indptr)
        _, pos = csr_knn(
            *grouped, M.data, M.indices, M.indptr, columns.indptr, columns.indices,
            columns.data, sq, M.shape[1], query_rows, n_neighbors, query_rows, QUERY_BLOCK,
            codes, weight,
        )  # fmt: skip
    return pos
