"""Searches between two sets of rows of one array: rows ``queries`` against rows ``refs``
(nothing excluded: the sets may overlap), exact or with a scikit-learn style estimator.

NearMiss measures each row of a class against the minority class: the sum of the
distances to its k nearest or k farthest minority rows (:func:`distance_sums`), and
preselects the rows of a class nearest to the minority rows (:func:`kneighbors_between`).
The exact paths never hold a queries x references matrix; an estimator is asked for
blocks of queries sized by ``working_memory``. On a CSR ``X`` the exact paths run the same
kernels on dense blocks of the rows compared (:mod:`fastsmote.neighbors._blocks`), with
the dense path's results bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from .._config import get_config
from .._kernels.knn import (
    BLAS,
    FUSED,
    centre_and_sq_norms,
    centred_sq_norms,
    knn_blocked,
    knn_refined_columns,
    knn_shortlist_of,
    refine_shortlist,
    runs_query_major,
)
from .._kernels.nearmiss import distance_sums as _distance_sums_kernel
from .._memory import check_fits, rows_per_chunk
from .._numba import numba_threads
from .._validation import check_distance_range, is_sparse
from ._arrays import float_array, index_array
from ._blocks import BLOCK_ADVICE, DenseRefs, Scaling, block_rows, dense_rows, knn_of_block
from ._exact import (
    BLAS_MIN_FEATURES,
    FUSED_MIN_FEATURES,
    QUERY_BLOCK,
    SHORTLIST_BLOCK,
    SHORTLIST_EXTRA,
    TABLE_ADVICE,
    TILE_ROWS,
    _single_threaded_blas,
    check_tables_fit,
    ref_block_size,
)
from ._scaling import scale_exponent, scaled_copy


def _fitted_clone(spec: Any, X_fit: np.ndarray, n_jobs: Any) -> Any:
    estimator = clone(spec)
    if n_jobs != "keep" and "n_jobs" in estimator.get_params(deep=False):
        estimator.set_params(n_jobs=n_jobs)
    return estimator.fit(X_fit)


def _scaled(
    X: np.ndarray, queries: np.ndarray, refs: np.ndarray, spans: np.ndarray | None = None
) -> tuple[np.ndarray, int]:
    """X, or a copy scaled by a power of two when the rows compared are too close
    together for squared distances in X's dtype (``fastsmote.neighbors._scaling``);
    ``spans``: those of a larger set of rows these belong to, which decide instead."""
    if spans is None:  # the spans of both sets (a row in both counts once either way)
        spans = check_distance_range(X, rows=np.concatenate([queries, refs]))
    exponent = scale_exponent(spans, X.dtype)
    if exponent:
        X = scaled_copy(X, None, exponent, spans)
    return X, exponent


def _nearest_exact(
    X: np.ndarray, queries: np.ndarray, refs: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest references of each query, exact: squared distances (defined order,
    ascending) and positions into ``refs`` (ties to the lower position).

    From 8 features on, candidates are shortlisted by ``|q|^2 + |r|^2 - 2 q.r`` (fused
    multiply-adds, or BLAS from 48 features) on rows centred at the references' mean,
    their exact distances computed and each list proven complete by the error bound of
    the exact self-search; queries whose proof fails (ties, near-duplicates) are redone
    by explicit differences. The lists are those of the direct kernel either way.
    """
    d = X.shape[1]
    skip = np.full(queries.size, -1, dtype=np.int64)
    block = ref_block_size(d, X.dtype.itemsize)
    method = "blas" if d >= BLAS_MIN_FEATURES else "fused"
    m = k + SHORTLIST_EXTRA[method]
    entry = X.dtype.itemsize + 8  # a distance and a position
    if d < FUSED_MIN_FEATURES or refs.size <= m:
        check_tables_fit(queries.size * (k * entry + 8), queries.size, k)
        return knn_blocked(X, queries, X, refs, k, skip, QUERY_BLOCK, block)
    mode = BLAS if method == "blas" else FUSED
    query_major = runs_query_major(queries.size, refs.size, m, mode)
    # shortlists, exact lists, squared norms, proofs and the skip list (query-major: no
    # shortlists, a scaled copy of the references)
    check_tables_fit(
        queries.size * ((k if query_major else m + k) * entry + X.dtype.itemsize + 9)
        + refs.size * (1 + (d if query_major else 0)) * X.dtype.itemsize,
        queries.size, k,
    )  # fmt: skip
    centre, sq_refs = centre_and_sq_norms(X, refs)
    sq_queries = centred_sq_norms(X, queries, centre)
    eps = float(np.finfo(X.dtype).eps)
    if query_major:
        dist, pos, proven = knn_refined_columns(
            X, queries, refs, centre, sq_queries, sq_refs, m, k, skip, eps
        )
    else:
        with _single_threaded_blas(method):
            short = knn_shortlist_of(
                X, queries, refs, centre, sq_queries, sq_refs, m, skip,
                mode, QUERY_BLOCK, SHORTLIST_BLOCK, TILE_ROWS,
            )  # fmt: skip
        dist, pos, proven = refine_shortlist(
            X, queries, refs, *short, sq_queries, sq_refs.max(), k, eps
        )
    redo = np.flatnonzero(~proven)
    if redo.size:
        dist[redo], pos[redo] = knn_blocked(
            X, queries[redo], X, refs, k, skip[redo], QUERY_BLOCK, block
        )
    return dist, pos


def _estimator_blocks(n_queries: int, n_asked: int, working_memory: int | None) -> int:
    """Queries per estimator call: its distance and index tables (16 bytes an entry)
    fit the budget; at least one query, whose tables must fit in memory."""
    check_fits(16 * n_asked, f"The neighbour table of one row ({n_asked:,} neighbours)",
               TABLE_ADVICE)  # fmt: skip
    return min(max(1, n_queries), rows_per_chunk(16 * n_asked, working_memory))


def distance_sums(
    X: np.ndarray,
    queries: np.ndarray,
    refs: np.ndarray,
    n_neighbors: int,
    *,
    farthest: bool = False,
    backend: Any = "exact",
    working_memory: int | None = None,
    n_jobs: Any = "keep",
    spans: np.ndarray | None = None,
) -> tuple[np.ndarray, Any]:
    """For each row ``queries[i]`` of ``X``, the sum of its Euclidean distances to its
    ``n_neighbors`` nearest (or farthest) rows among ``X[refs]``.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        float32 or float64, finite. A CSR matrix (canonical: sorted indices, no
        duplicates) is never densified whole: blocks of query rows densified in turn
        (half of ``working_memory``) are searched against the rows ``X[refs]`` densified
        once, by the dense path's search (the farthest: its kernel); when those exceed
        the other half, the nearest references are found block by block instead and
        merged (the farthest need them at once). Every block is checked to fit in
        memory first. The sums are the dense path's, bit for bit.
    queries, refs : ndarray of int
        Row numbers of ``X``; a row in both sets is at distance 0 from itself.
    n_neighbors : int
        1 <= n_neighbors <= len(refs).
    farthest : bool, default=False
        Sum the distances to the ``n_neighbors`` farthest references.
    backend : "exact" or estimator, default="exact"
        "exact": fastsmote's blocked kernel (squared distances from explicit
        differences in X's dtype, square roots added in ascending order in float64;
        memory: the output and per-thread blocks). An estimator with ``kneighbors`` is
        cloned, fitted on ``X[refs]`` and asked, block by block of queries, for the
        ``n_neighbors`` nearest (farthest: for all references, of which the last
        ``n_neighbors`` are summed), as imbalanced-learn's NearMiss asks it.
    working_memory : int, optional
        MiB for an estimator's blocks of neighbour tables, and for the dense blocks of a
        CSR ``X`` (default: the global config). Results never depend on it.
    n_jobs : int, None or "keep", default="keep"
        Set on an estimator that has ``n_jobs``.
    spans : ndarray of shape (n_features,), optional
        Dense exact path: the feature spans of a larger set of rows these belong to,
        from which the scaling is decided (``fastsmote.neighbors._scaling``), so that
        sums over parts of that set equal the sums over the whole. Default: the spans of
        the queries and references.

    Returns
    -------
    sums : ndarray of float64, shape (len(queries),)
    estimator : the fitted clone, or None for "exact"
    """
    given, X = X, float_array(X)
    queries = index_array(queries, "queries")
    refs = index_array(refs, "refs")
    if spans is not None:
        spans = float_array(spans, "spans")
    if not 1 <= n_neighbors <= refs.size:
        raise ValueError(
            f"n_neighbors must be in [1, {refs.size}] for {refs.size} rows, got {n_neighbors}"
        )
    if not isinstance(backend, str):
        X = given  # an estimator is given the caller's rows, as they are
        estimator = _fitted_clone(backend, X[refs], n_jobs)
        n_asked = refs.size if farthest else n_neighbors
        sums = np.empty(queries.size, dtype=np.float64)
        step = _estimator_blocks(queries.size, n_asked, working_memory)
        for start in range(0, queries.size, step):
            block = queries[start : start + step]
            dist, _ = estimator.kneighbors(X[block], n_neighbors=n_asked)
            sums[start : start + step] = np.sum(dist[:, -n_neighbors:], axis=1)
        return sums, estimator
    if backend != "exact":
        raise ValueError(f"distance sums are exact or from an estimator; got {backend!r}")
    if is_sparse(X):
        return _sparse_distance_sums(X, queries, refs, n_neighbors, farthest, working_memory), None
    X, exponent = _scaled(X, queries, refs, spans)
    check_fits(
        8 * queries.size + 8 * refs.size,
        f"The distance sums of {queries.size:,} rows",
        TABLE_ADVICE,
    )
    block = ref_block_size(X.shape[1], X.dtype.itemsize)
    with numba_threads(get_config()["n_threads"]):
        if farthest:
            sums = _distance_sums_kernel(
                X, queries, X, refs, int(n_neighbors), True, QUERY_BLOCK, block
            )
        else:
            dist, _ = _nearest_exact(X, queries, refs, int(n_neighbors))
            sums = np.zeros(queries.size)
            for column in dist.T:  # ascending, in float64, as the sums kernel adds them
                sums += np.sqrt(column.astype(np.float64))
    return (np.ldexp(sums, -exponent) if exponent else sums), None


def kneighbors_between(
    X: np.ndarray,
    queries: np.ndarray,
    refs: np.ndarray,
    n_neighbors: int | None,
    *,
    backend: Any = "exact",
    working_memory: int | None = None,
    n_jobs: Any = "keep",
) -> tuple[np.ndarray, Any]:
    """The nearest rows among ``X[refs]`` of each row ``queries[i]`` of ``X`` (nothing
    excluded).

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        float32 or float64, finite. A CSR matrix (canonical: sorted indices, no
        duplicates) is never densified whole: dense blocks of query rows and of
        reference rows (half of ``working_memory`` each) are searched as the dense path
        searches (the references densified once when they fit, else block by block by
        the direct kernel, the lists merged by position), each block checked to fit in
        memory first, with the dense path's lists.
    queries, refs : ndarray of int
        Row numbers of ``X``.
    n_neighbors : int or None
        1 <= n_neighbors <= len(refs); None only with an estimator: its own
        ``n_neighbors`` (nothing is excluded, so it counts every row returned).
    backend : "exact" or estimator, default="exact"
        "exact": fastsmote's blocked kernel, ties to the lower position. An estimator
        is cloned, fitted on ``X[refs]`` and asked block by block of queries.
    working_memory : int, optional
        MiB for an estimator's blocks of neighbour tables, and for the dense blocks of a
        CSR ``X``. Results never depend on it.
    n_jobs : int, None or "keep", default="keep"
        Set on an estimator that has ``n_jobs``.

    Returns
    -------
    indices : ndarray of int64, shape (len(queries), n_neighbors)
        Positions into ``refs``, nearest first.
    estimator : the fitted clone, or None for "exact"
    """
    given, X = X, float_array(X)
    queries = index_array(queries, "queries")
    refs = index_array(refs, "refs")
    if not isinstance(backend, str):
        X = given  # an estimator is given the caller's rows, as they are
        estimator = _fitted_clone(backend, X[refs], n_jobs)
        asked = {} if n_neighbors is None else {"n_neighbors": int(n_neighbors)}
        k = int(n_neighbors or estimator.n_neighbors)
        step = _estimator_blocks(queries.size, k, working_memory)
        parts = [
            np.asarray(
                estimator.kneighbors(
                    X[queries[start : start + step]], return_distance=False, **asked
                ),
                dtype=np.int64,
            )
            for start in range(0, queries.size, step)
        ]
        found = np.concatenate(parts) if parts else np.empty((0, k), np.int64)
        return found, estimator
    if backend != "exact":
        raise ValueError(f"this search is exact or from an estimator; got {backend!r}")
    if n_neighbors is None or not 1 <= n_neighbors <= refs.size:
        raise ValueError(
            f"n_neighbors must be in [1, {refs.size}] for {refs.size} rows, got {n_neighbors}"
        )
    if is_sparse(X):
        return _sparse_kneighbors_between(X, queries, refs, int(n_neighbors), working_memory), None
    X, _ = _scaled(X, queries, refs)
    check_tables_fit(
        queries.size * n_neighbors * (X.dtype.itemsize + 8) + 8 * queries.size,
        queries.size, n_neighbors,
    )  # fmt: skip
    with numba_threads(get_config()["n_threads"]):
        _, pos = _nearest_exact(X, queries, refs, int(n_neighbors))
    return pos, None


class _StackedRows:
    """Sparse rows for :func:`_nearest_exact`, which searches rows of one dense array:
    the reference rows densified once, after room for a block of ``head`` query rows
    that each search densifies in turn. Checked to fit before it is made."""

    def __init__(self, X, refs: np.ndarray, scaling: Scaling, head: int, what: str) -> None:
        n_rows = head + refs.size
        check_fits(
            n_rows * X.shape[1] * X.dtype.itemsize,
            f"{what}, with a block of query rows, as a dense block ({n_rows:,} rows x "
            f"{X.shape[1]:,} features)",
            BLOCK_ADVICE,
        )
        self.X, self.scaling = X, scaling
        self.rows = np.empty((n_rows, X.shape[1]), dtype=X.dtype)
        dense_rows(X, refs, scaling, what, out=self.rows[head:])
        self.refs = head + np.arange(refs.size, dtype=np.int64)

    def nearest(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest references of the rows ``queries`` of the CSR matrix (at most
        ``head``): squared distances and positions, as :func:`_nearest_exact` finds them
        on the dense rows."""
        dense_rows(self.X, queries, self.scaling, "", out=self.rows[: queries.size])
        with numba_threads(get_config()["n_threads"]):
            return _nearest_exact(self.rows, np.arange(queries.size, dtype=np.int64), self.refs, k)


def _sparse_distance_sums(X, queries, refs, k, farthest, working_memory) -> np.ndarray:
    """:func:`distance_sums` on CSR rows, through dense blocks (see its ``X``)."""
    scaling = Scaling(X, np.union1d(queries, refs))
    check_fits(
        8 * queries.size + 8 * refs.size,
        f"The distance sums of {queries.size:,} rows",
        TABLE_ADVICE,
    )
    step = block_rows(X, working_memory)
    what = f"The {refs.size:,} rows distances are measured to"
    sums = np.empty(queries.size, dtype=np.float64)
    if farthest:  # the kernel keeps every reference's distance: all of them at once
        R = dense_rows(X, refs, scaling, what)
        every_ref = np.arange(refs.size, dtype=np.int64)
        block = ref_block_size(X.shape[1], X.dtype.itemsize)
        for start in range(0, queries.size, step):
            Q = dense_rows(X, queries[start : start + step], scaling, "The rows scored")
            every = np.arange(Q.shape[0], dtype=np.int64)
            with numba_threads(get_config()["n_threads"]):
                sums[start : start + Q.shape[0]] = _distance_sums_kernel(
                    Q, every, R, every_ref, k, True, QUERY_BLOCK, block
                )
        return np.ldexp(sums, -scaling.exponent) if scaling.exponent else sums
    # the k nearest: the dense path's search when the references fit half the budget,
    # else merged from blocks of references
    head = min(step, queries.size)  # room for the largest block of queries
    stacked = _StackedRows(X, refs, scaling, head, what) if refs.size <= step else None
    ref_set = None if stacked else DenseRefs(X, refs, scaling, step, what)
    for start in range(0, queries.size, step):
        block_queries = queries[start : start + step]
        if stacked:
            dist, _ = stacked.nearest(block_queries, k)
        else:
            Q = dense_rows(X, block_queries, scaling, "The rows scored")
            dist, _ = knn_of_block(Q, ref_set, k)
        total = np.zeros(block_queries.size)
        for j in range(k):  # ascending distances, added in order as the sums kernel does
            total += np.sqrt(dist[:, j].astype(np.float64))
        sums[start : start + block_queries.size] = total
    return np.ldexp(sums, -scaling.exponent) if scaling.exponent else sums


def _sparse_kneighbors_between(X, queries, refs, k, working_memory) -> np.ndarray:
    """:func:`kneighbors_between` on CSR rows, through dense blocks (see its ``X``)."""
    scaling = Scaling(X, np.union1d(queries, refs))
    itemsize = X.dtype.itemsize
    check_tables_fit(queries.size * k * 8, queries.size, k)
    what = "The rows searched"
    ref_step = block_rows(X, working_memory)
    # per query row: its dense row, and its lists with the merge's temporaries
    step = block_rows(X, working_memory, extra_per_row=4 * k * (itemsize + 8))
    # the dense path's search when the references fit half the budget, else merged
    # from blocks of references
    head = min(step, queries.size)  # room for the largest block of queries
    stacked = _StackedRows(X, refs, scaling, head, what) if refs.size <= ref_step else None
    ref_set = None if stacked else DenseRefs(X, refs, scaling, ref_step, what)
    found = np.empty((queries.size, k), dtype=np.int64)
    for start in range(0, queries.size, step):
        block_queries = queries[start : start + step]
        if stacked:
            found[start : start + block_queries.size] = stacked.nearest(block_queries, k)[1]
        else:
            Q = dense_rows(X, block_queries, scaling, "The query rows")
            found[start : start + block_queries.size] = knn_of_block(Q, ref_set, k)[1]
    return found
