"""Exact neighbour search: the public wrapper around the blocked Numba kernels."""

from __future__ import annotations

import math
from contextlib import nullcontext
from typing import Any

import numpy as np

from .._config import get_config
from .._kernels.knn import (
    BLAS,
    FUSED,
    centre_and_sq_norms,
    knn_blocked,
    knn_mixed,
    knn_refined_columns,
    knn_shortlist_of,
    knn_shortlist_symmetric,
    knn_symmetric,
    refine_shortlist,
    runs_query_major,
)
from .._memory import check_fits
from .._numba import numba_threads
from .._validation import check_distance_range, column_std
from ._arrays import float_array, index_array
from ._scaling import joint_bounds, scale_exponent, scaled_copy

#: Queries per parallel task; a constant so work splits the same on any machine.
QUERY_BLOCK = 512
#: Transposed reference block kept near the core (bytes); sized for L1/L2 caches.
REF_BLOCK_BYTES = 64 * 1024
#: Query rows per distance tile of the symmetric self-search (tile: rows x ref block).
TILE_ROWS = 128
#: Features from which shortlists by fused multiply-adds beat explicit differences (fewer
#: give near neighbours too close for the shortlist's error bound;
#: `python benchmarks/exact_paths.py`).
FUSED_MIN_FEATURES = 8
#: Features from which a BLAS product is as fast as the fused kernel
#: (`python benchmarks/exact_paths.py`).
BLAS_MIN_FEATURES = 48
#: Rows per block of the shortlist paths (each tile is TILE_ROWS x features x SHORTLIST_BLOCK).
SHORTLIST_BLOCK = 512
#: Extra shortlist entries beyond k; more means fewer queries redone by the direct kernel,
#: but longer lists to merge. Fused products err less than BLAS (one rounding per term).
SHORTLIST_EXTRA = {"fused": 2, "blas": 8}
#: Above this share of unproven queries (duplicates, ties), one direct self-search is
#: cheaper than redoing each query against all rows: r queries one-sided cost ~r n d x
#: 0.05 ns, the self-search ~n^2 d x 0.028 ns (NS_PER_PAIR_FEATURE), equal at r ~ 0.56 n.
REDO_ALL_SHARE = 0.5
#: What to do when the neighbour tables of a search do not fit in memory.
TABLE_ADVICE = (
    "Ask for fewer neighbours (k_neighbors, m_neighbors or n_neighbors), or search fewer rows."
)


def _pow2_floor(n: int, smallest: int = 64) -> int:
    return max(smallest, 1 << (max(1, n).bit_length() - 1))


def ref_block_size(n_features: int, itemsize: int) -> int:
    """References per block: the largest power of two (16..2048) whose transposed block
    fits the cache budget; powers of two keep the vectorised loop free of remainders."""
    return min(2048, _pow2_floor(REF_BLOCK_BYTES // (n_features * itemsize), smallest=16))


def self_search_block(n_rows: int, n_columns: int, itemsize: int) -> int:
    """Rows per block of the symmetric self-search: the cache-sized block, but at least
    ~4 blocks so the round-robin rounds give both threads work."""
    return min(ref_block_size(n_columns, itemsize), _pow2_floor(n_rows // 4))


def exact_kneighbors(
    X: np.ndarray,
    n_neighbors: int,
    rows: np.ndarray | None = None,
    *,
    exclude_self: bool = True,
    return_distance: bool = False,
    method: str = "auto",
):
    """Exact Euclidean k nearest neighbours among the selected rows of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
        Finite data (not checked here; estimators check it once).
    n_neighbors : int
        Neighbours per row. With ``exclude_self`` it must not exceed ``len(rows) - 1``.
    rows : ndarray of int, optional
        Row numbers of ``X`` forming both the query and the reference set
        (default: all rows).
    exclude_self : bool, default=True
        Exclude each row from its own neighbours by position, not by distance, so exact
        duplicates are still each other's neighbours.
    return_distance : bool, default=False
        Also return the Euclidean distances.
    method : {"auto", "direct", "fused", "blas"}, default="auto"
        "direct" sums explicit squared differences, each pair once for both rows;
        "fused" (fused multiply-adds) and "blas" (a BLAS matrix product) shortlist
        candidates by ``|q|^2 + |r|^2 - 2 q.r`` and prove each shortlist complete
        (queries they cannot prove are redone directly). All give identical results;
        "auto" picks "fused" from ``FUSED_MIN_FEATURES`` and "blas" from
        ``BLAS_MIN_FEATURES`` features on, for more than 1024 rows and more than one
        neighbour.

    Returns
    -------
    distances : ndarray of shape (n_rows, n_neighbors), only if ``return_distance``
        Ascending; ties keep the lower position first.
    indices : ndarray of shape (n_rows, n_neighbors), int64
        Positions into ``rows`` (row numbers of ``X`` when ``rows`` is None).
    """
    X = float_array(X)
    if rows is not None:
        rows = index_array(rows, "rows")
    _check_method(method)
    spans = check_distance_range(X, rows=rows)
    n_rows = X.shape[0] if rows is None else rows.size
    limit = n_rows - 1 if exclude_self else n_rows
    if not 1 <= n_neighbors <= limit:
        raise ValueError(
            f"n_neighbors must be in [1, {limit}] for {n_rows} rows, got {n_neighbors}"
        )
    if method == "auto":
        method = shortlist_method(X.shape[1], n_rows, n_neighbors) or "direct"
    if method != "direct" and not exclude_self:
        method = "direct"
    exponent = scale_exponent(spans, X.dtype)
    check_tables_fit(
        search_bytes(n_rows, None, X.shape[1], X.dtype.itemsize, n_neighbors, method,
                     copy=exponent != 0, distances=return_distance),
        n_rows, n_neighbors,
    )  # fmt: skip
    if exponent:
        X, rows = scaled_copy(X, rows, exponent, spans), None
    rows = np.arange(n_rows, dtype=np.int64) if rows is None else rows
    with numba_threads(get_config()["n_threads"]):
        if method != "direct":
            dist, pos = _shortlist_kneighbors(X, rows, n_neighbors, method)
        else:
            dist, pos = _direct_self_search(X, rows, n_neighbors, exclude_self)
    if return_distance:
        return np.ldexp(np.sqrt(dist), -exponent), pos
    return pos


def search_bytes(
    n_rows: int,
    n_queries: int | None,
    n_features: int,
    itemsize: int,
    n_neighbors: int,
    method: str,
    *,
    copy: bool = False,
    distances: bool = False,
) -> int:
    """An upper bound on what an exact search allocates: the neighbour tables (squared
    distances and int64 positions), shortlists and their norms, the redone queries, and
    a scaled copy of the rows when ``copy``. ``n_queries`` None: a self-search of
    ``n_rows`` rows; else that many queries against ``n_rows`` rows (one-sided)."""
    queries = n_rows if n_queries is None else n_queries
    entry = itemsize + 8  # a distance and a position
    total = n_rows * n_features * itemsize if copy else 0
    if n_queries is not None:
        total += 8 * n_rows  # every row's number
    if method == "direct":
        total += queries * n_neighbors * entry
    else:
        m = n_neighbors + SHORTLIST_EXTRA[method]
        # norms, proofs, shortlists, refined lists and the redone queries' lists
        total += n_rows * itemsize + queries * (itemsize + 1)
        mode = BLAS if method == "blas" else FUSED
        if n_queries is not None and runs_query_major(n_queries, n_rows, m, mode):
            total += n_rows * n_features * itemsize  # the scaled rows searched
        total += queries * (m + 2 * n_neighbors) * entry
    if distances:
        total += queries * n_neighbors * itemsize
    return total


def check_tables_fit(n_bytes: int, n_rows: int, n_neighbors: int) -> None:
    """Raise ``MemoryError`` before a search whose tables (``n_bytes``) cannot fit."""
    check_fits(
        n_bytes,
        f"The neighbour search of {n_rows:,} rows for {n_neighbors:,} neighbours each",
        TABLE_ADVICE,
    )


def _check_method(method: str) -> None:
    if method not in ("auto", "direct", "fused", "blas"):
        raise ValueError(f"method must be 'auto', 'direct', 'fused' or 'blas', got {method!r}")


def shortlist_method(n_features: int, n_rows: int, n_neighbors: int = 5) -> str | None:
    """The shortlist path "auto" uses for an exact self-search, or None (direct).

    One neighbour per row (TomekLinks) stays direct: a shortlist would triple the
    neighbour table, which is most of that search's extra memory.
    """
    if n_rows <= 1024 or n_features < FUSED_MIN_FEATURES or n_neighbors < 2:
        return None
    return "blas" if n_features >= BLAS_MIN_FEATURES else "fused"


def _direct(X, query_rows, ref_rows, k, skip):
    block = ref_block_size(X.shape[1], X.dtype.itemsize)
    return knn_blocked(X, query_rows, X, ref_rows, k, skip, QUERY_BLOCK, block)


def _direct_self_search(X, rows, k, exclude_self=True):
    block = self_search_block(rows.size, X.shape[1], X.dtype.itemsize)
    return knn_symmetric(X, rows, k, not exclude_self, block, TILE_ROWS)


def _single_threaded_blas(method: str):
    """Numba threads run the products in parallel; BLAS must not add its own threads."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas") if method == "blas" else nullcontext()


def _refine(X, query_rows, ref_rows, shortlist, sq_rows, sq_max, k):
    """Exact lists from shortlists, and the queries whose completeness proof failed."""
    eps = float(np.finfo(X.dtype).eps)
    dist, pos, proven = refine_shortlist(
        X, query_rows, ref_rows, *shortlist, sq_rows, sq_max, k, eps
    )
    return dist, pos, np.flatnonzero(~proven)


def _shortlist_kneighbors(X: np.ndarray, rows: np.ndarray, k: int, method: str):
    centre, sq = centre_and_sq_norms(X, rows)
    m = min(rows.size - 1, k + SHORTLIST_EXTRA[method])
    mode = BLAS if method == "blas" else FUSED
    with _single_threaded_blas(method):
        shortlist = knn_shortlist_symmetric(
            X, rows, centre, sq, m, SHORTLIST_BLOCK, TILE_ROWS, mode
        )
    dist, pos, redo = _refine(X, rows, rows, shortlist, sq, sq.max(), k)
    del shortlist
    if redo.size > REDO_ALL_SHARE * rows.size:  # many duplicates: one direct pass is cheaper
        del dist, pos
        return _direct_self_search(X, rows, k)
    if redo.size:
        dist[redo], pos[redo] = _direct(X, rows[redo], rows, k, redo)
    return dist, pos


def _shortlist_kneighbors_of(X: np.ndarray, queries: np.ndarray, k: int, method: str):
    every_row = np.arange(X.shape[0], dtype=np.int64)
    centre, sq = centre_and_sq_norms(X, every_row)
    m = min(X.shape[0] - 1, k + SHORTLIST_EXTRA[method])
    mode = BLAS if method == "blas" else FUSED
    if runs_query_major(queries.size, X.shape[0], m, mode):
        eps = float(np.finfo(X.dtype).eps)
        dist, pos, proven = knn_refined_columns(
            X, queries, every_row, centre, sq[queries], sq, m, k, queries, eps
        )
        redo = np.flatnonzero(~proven)
    else:
        # at least ~4 query blocks, so both threads get work when few rows are queried
        query_block = min(QUERY_BLOCK, max(TILE_ROWS, _pow2_floor(queries.size // 4)))
        with _single_threaded_blas(method):
            shortlist = knn_shortlist_of(
                X, queries, every_row, centre, sq[queries], sq, m, queries, mode, query_block,
                SHORTLIST_BLOCK, TILE_ROWS,
            )  # fmt: skip
        dist, pos, redo = _refine(X, queries, every_row, shortlist, sq[queries], sq.max(), k)
    if redo.size:
        dist[redo], pos[redo] = _direct(X, queries[redo], every_row, k, queries[redo])
    return dist, pos


def exact_kneighbors_of(
    X: np.ndarray, queries: np.ndarray, n_neighbors: int, *, method: str = "auto"
) -> np.ndarray:
    """Exact neighbours of the rows ``queries`` among *all* rows of ``X``, self excluded.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, finite
    queries : ndarray of int
        Row numbers of ``X`` to query.
    n_neighbors : int
        At most ``n_samples - 1``.
    method : {"auto", "direct", "fused", "blas"}, default="auto"
        As in :func:`exact_kneighbors` (identical results); "auto" shortlists at any
        number of neighbours, since a one-sided shortlist table is only
        ``len(queries) x (n_neighbors + 2..8)``.

    Returns
    -------
    indices : ndarray of shape (len(queries), n_neighbors), int64
        Row numbers of ``X``, nearest first, ties to the lower row.
    """
    X = float_array(X)
    queries = index_array(queries, "queries")
    _check_method(method)
    spans = check_distance_range(X)
    if not 1 <= n_neighbors <= X.shape[0] - 1:
        raise ValueError(
            f"n_neighbors must be in [1, {X.shape[0] - 1}] for {X.shape[0]} rows, "
            f"got {n_neighbors}"
        )
    if method == "auto":
        method = shortlist_method(X.shape[1], X.shape[0]) or "direct"
    exponent = scale_exponent(spans, X.dtype)
    check_tables_fit(
        search_bytes(X.shape[0], queries.size, X.shape[1], X.dtype.itemsize, n_neighbors,
                     method, copy=exponent != 0),
        queries.size, n_neighbors,
    )  # fmt: skip
    if exponent:
        X = scaled_copy(X, None, exponent, spans)
    with numba_threads(get_config()["n_threads"]):
        if method == "direct":
            _, pos = _direct(X, queries, np.arange(X.shape[0]), n_neighbors, queries)
        else:
            _, pos = _shortlist_kneighbors_of(X, queries, n_neighbors, method)
    return pos


def exact_kneighbors_of_points(
    points: np.ndarray,
    X: np.ndarray,
    n_neighbors: int,
    *,
    return_distance: bool = False,
    spans: np.ndarray | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Exact neighbours of other points (not rows of ``X``) among all rows of ``X``.

    From ``FUSED_MIN_FEATURES`` features the points are searched through product
    shortlists (as the searches between two sets of rows, on a copy holding the rows and
    the points), with the lists and distances of the direct kernel.

    Parameters
    ----------
    points : ndarray of shape (n_points, n_features), X's dtype, finite
    X : ndarray of shape (n_samples, n_features), float32 or float64, finite
    n_neighbors : int
        At most ``n_samples``.
    return_distance : bool, default=False
        Also return the squared distances, in X's dtype, computed in the order every
        exact search defines (so lists of searches over parts of the rows can be merged
        exactly). Points and rows too close together to search unscaled (features
        spanning less than ~1e-12 in float32, ~1e-138 in float64) raise a ValueError,
        unless ``spans`` is given.
    spans : ndarray of shape (n_features,), optional
        Each feature's span (max - min, float64) over a larger set of rows that these
        points and rows belong to: the scaling (``fastsmote.neighbors._scaling``) is
        decided for that set, so searches over parts of it scale alike and their
        distances (then scaled by the same power of four) merge exactly. Default: the
        spans of these points and rows.

    Returns
    -------
    distances : ndarray of shape (n_points, n_neighbors), X's dtype
        Only with ``return_distance``.
    indices : ndarray of shape (n_points, n_neighbors), int64
        Row numbers of ``X``, nearest first, ties to the lower row (explicit differences).
    """
    X = float_array(X)
    # the kernels compare rows of one dtype: float points are searched in X's
    points = float_array(points, "points").astype(X.dtype, copy=False)
    if spans is not None:
        spans = float_array(spans, "spans")
    if not 1 <= n_neighbors <= X.shape[0]:
        raise ValueError(
            f"n_neighbors must be in [1, {X.shape[0]}] for {X.shape[0]} rows, got {n_neighbors}"
        )
    shared = spans is not None
    if not shared:
        spans = check_distance_range(joint_bounds(points, X), "X and the points")
    exponent = scale_exponent(spans, X.dtype)
    n_points = points.shape[0]
    copies = (n_points + X.shape[0]) * X.shape[1] * X.dtype.itemsize if exponent else 0
    check_tables_fit(
        copies + 8 * X.shape[0] + n_points * n_neighbors * (X.dtype.itemsize + 8),
        n_points, n_neighbors,
    )  # fmt: skip
    if exponent and return_distance and not shared:
        raise ValueError(
            "the features span too little to compare squared distances unscaled (largest "
            f"span {float(np.max(spans)):.1e}); scale the features (e.g. with "
            "sklearn.preprocessing.StandardScaler)."
        )
    if exponent:
        points = scaled_copy(points, None, exponent, spans)
        X = scaled_copy(X, None, exponent, spans)
    if X.shape[1] >= FUSED_MIN_FEATURES and X.shape[0] > n_neighbors:
        # product shortlists, as the searches between row sets: the rows and the points
        # in one array (a copy), the same lists and defined distances as the direct kernel
        from ._between import _nearest_exact

        n_rows = X.shape[0]
        check_fits(
            (n_rows + n_points) * X.shape[1] * X.dtype.itemsize,
            f"A copy of the {n_rows:,} rows and {n_points:,} points searched",
            "Search the points in smaller groups.",
        )
        stacked = np.concatenate([X, points])
        with numba_threads(get_config()["n_threads"]):
            dist, pos = _nearest_exact(
                stacked,
                np.arange(n_rows, n_rows + n_points, dtype=np.int64),
                np.arange(n_rows, dtype=np.int64),
                n_neighbors,
            )
        return (dist, pos) if return_distance else pos
    block = ref_block_size(X.shape[1], X.dtype.itemsize)
    with numba_threads(get_config()["n_threads"]):
        dist, pos = knn_blocked(
            points, np.arange(n_points, dtype=np.int64), X, np.arange(X.shape[0], dtype=np.int64),
            n_neighbors, np.full(n_points, -1, dtype=np.int64), QUERY_BLOCK, block,
        )  # fmt: skip
    return (dist, pos) if return_distance else pos


def mixed_kneighbors(
    X: np.ndarray, codes: np.ndarray, n_neighbors: int, what: str = "X"
) -> tuple[np.ndarray, float]:
    """Exact neighbours (self excluded) under SMOTE-NC's distance: squared differences of
    the continuous features ``X`` plus ``median_std ** 2`` (2 when it is 0) per
    categorical code that differs (``codes``: int32, one row per row of ``X``);
    ``median_std`` is the median of the continuous features' standard deviations.

    Returns
    -------
    indices : ndarray of shape (n_rows, n_neighbors), int64, ties to the lower row
    median_std : float
    """
    X = float_array(X)
    codes = index_array(codes, "codes", np.int32)
    spans = check_distance_range(X, what)
    exponent = scale_exponent(spans, X.dtype)
    n_rows = X.shape[0]
    copy = n_rows * X.shape[1] * X.dtype.itemsize if exponent else 0
    check_tables_fit(copy + n_rows * n_neighbors * (X.dtype.itemsize + 8), n_rows, n_neighbors)
    if exponent:
        X = scaled_copy(X, None, exponent, spans)
    # on the scaled rows when they are scaled: tiny deviations' squares would underflow
    median_std = float(np.median(column_std(X)))
    weight = mismatch_weight(median_std, exponent, X.dtype, codes.shape[1])
    block = self_search_block(n_rows, X.shape[1] + codes.shape[1], X.itemsize)
    with numba_threads(get_config()["n_threads"]):
        _, pos = knn_mixed(X, codes, weight, n_neighbors, block, TILE_ROWS)
    return pos, math.ldexp(median_std, -exponent)


def mismatch_weight(median_std: float, exponent: int, dtype: np.dtype, n_codes: int) -> Any:
    """What a differing category adds to a squared distance of rows scaled by
    ``2**exponent`` whose (scaled) median standard deviation is ``median_std``:
    ``median_std ** 2``, 2 when it is 0 (imbalanced-learn's rule), as a ``dtype``
    scalar."""
    # the categorical term scales with the squared distances (by 4**exponent); capped
    # below overflow, a mismatch that outweighs every continuous distance still does
    weight = (
        math.ldexp(2.0, min(2 * exponent, 1000)) if median_std == 0 else median_std * median_std
    )
    weight = min(weight, float(np.finfo(dtype).max) / (8 * max(1, n_codes)))
    return np.dtype(dtype).type(weight)
