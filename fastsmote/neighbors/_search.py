"""The one door into neighbour search: every search fastsmote makes goes through
:func:`kneighbors`, which resolves "auto", picks the backend and handles estimators."""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import clone

from .._progress import phase
from .._validation import is_sparse
from ._approx import approx_kneighbors, first_non_self
from ._arrays import float_array, index_array
from ._auto import BACKENDS, is_self_search, resolve_backend
from ._blocks import points_kneighbors
from ._exact import (
    check_tables_fit,
    exact_kneighbors,
    exact_kneighbors_of,
    exact_kneighbors_of_points,
    mixed_kneighbors,
    search_bytes,
    shortlist_method,
)
from ._sparse import DENSE_ONLY, sparse_kneighbors, sparse_mixed_kneighbors

#: The approximate backends and the graph each builds (``approx_kneighbors``'s method).
APPROX_METHODS = {"approx": "nndescent", "pynndescent": "pynndescent"}


class Found(NamedTuple):
    """What a search found.

    Attributes
    ----------
    indices : ndarray of int64, shape (n_queries, n_neighbors)
        Nearest first. Positions into ``within`` for a search within rows, else row
        numbers of ``X``.
    backend : str
        "exact", "approx", "pynndescent" or "estimator".
    estimator : estimator or None
        The fitted clone, when an estimator searched.
    median_std : float or None
        The median standard deviation of the continuous features, for a mixed
        (SMOTE-NC) search.
    """

    indices: np.ndarray
    backend: str
    estimator: Any = None
    median_std: float | None = None


def kneighbors(
    X: np.ndarray,
    n_neighbors: int | None,
    *,
    within: np.ndarray | None = None,
    queries: np.ndarray | None = None,
    points: np.ndarray | None = None,
    codes: np.ndarray | None = None,
    backend: Any = "auto",
    key: np.uint64 | int = 0,
    working_memory: int | None = None,
    param: str = "neighbors",
    n_jobs: Any = "keep",
) -> Found:
    """Nearest neighbours, each row itself excluded by position.

    One of four searches, by what is given (a SciPy CSR ``X``: each exact, the first two
    also by an estimator):

    - ``within`` (or nothing): each of these rows of ``X`` among them (None: every row
      among all rows); indices are positions into ``within``.
    - ``queries``: the rows ``queries`` among all rows of ``X``; indices are rows of
      ``X``.
    - ``points``: other points (not rows of ``X``) among all rows of ``X``, exact;
      nothing is excluded.
    - ``codes``: SMOTE-NC's mixed distance over every row, exact: squared differences of
      the continuous ``X`` plus a weight per categorical code in ``codes`` that differs.

    Parameters
    ----------
    X : ndarray or canonical CSR matrix of shape (n_samples, n_features), float32 or
        float64, finite
    n_neighbors : int or None
        Neighbours per row. None only with an estimator: its own ``n_neighbors``, which
        counts the row itself.
    backend : {"auto", "exact", "approx", "pynndescent"} or estimator, default="auto"
        "auto" is resolved for the rows and queries searched
        (:func:`resolve_backend`). An estimator with ``kneighbors`` (scikit-learn
        style) is cloned and fitted on the searched rows.
    key : numpy.uint64 or int, default=0
        64-bit key of the approximate graph's random choices (a sampler passes a stream
        of its own key): the same key gives the same neighbours.
    working_memory : int, optional
        MiB for the approximate graph's workspace (default: the global config).
    param : str, default="neighbors"
        The parameter that gave ``backend`` (or the count), named in errors.
    n_jobs : int, None or "keep", default="keep"
        Set on an estimator that has ``n_jobs`` (as imbalanced-learn's cleaners do).

    Returns
    -------
    Found
    """
    if sum(part is not None for part in (within, queries, points, codes)) > 1:
        raise ValueError("give at most one of within, queries, points and codes")
    given, X = X, float_array(X)
    within = None if within is None else index_array(within, "within")
    queries = None if queries is None else index_array(queries, "queries")
    points = None if points is None else float_array(points, "points")
    codes = None if codes is None else index_array(codes, "codes", np.int32)
    if is_sparse(X) and isinstance(backend, str):
        return _sparse_search(X, n_neighbors, within, queries, points, codes, backend, param)
    if not isinstance(backend, str):
        if points is not None or codes is not None:
            raise ValueError("an estimator searches rows of X: give within or queries")
        # an estimator is given the caller's rows, as they are
        return _estimator_search(given, n_neighbors, within, queries, backend, param, n_jobs)
    if backend not in BACKENDS:
        raise ValueError(f"{param} must be one of {BACKENDS} or an estimator, got {backend!r}")
    if n_neighbors is None:
        raise ValueError(f"{param}: a backend name needs a neighbour count")
    if points is not None or codes is not None:
        if backend not in ("auto", "exact"):
            what = "other points" if points is not None else "SMOTE-NC's mixed distance"
            raise ValueError(f"a search for {what} is exact; got backend {backend!r}")
        if points is not None:
            return Found(exact_kneighbors_of_points(points, X, n_neighbors), "exact")
        indices, median_std = mixed_kneighbors(X, codes, n_neighbors, "X (continuous features)")
        return Found(indices, "exact", median_std=median_std)
    if queries is not None:
        return _all_rows_search(X, queries, n_neighbors, backend, key, working_memory)
    n_rows = X.shape[0] if within is None else within.size
    resolved = resolve_backend(backend, n_rows, X.shape[1])
    if resolved in APPROX_METHODS:
        rows = np.arange(n_rows) if within is None else within
        method = APPROX_METHODS[resolved]
        return Found(
            approx_kneighbors(X, n_neighbors, rows, key, method, working_memory), resolved
        )
    return Found(exact_kneighbors(X, n_neighbors, within), "exact")


def _sparse_search(
    X: Any,
    n_neighbors: int | None,
    within: np.ndarray | None,
    queries: np.ndarray | None,
    points: np.ndarray | None,
    codes: np.ndarray | None,
    backend: str,
    param: str,
) -> Found:
    """A search on CSR rows: exact ("auto" is exact for sparse X)."""
    if backend not in BACKENDS:
        raise ValueError(f"{param} must be one of {BACKENDS} or an estimator, got {backend!r}")
    if backend not in ("auto", "exact"):
        raise NotImplementedError(f"{param}={backend!r}: {DENSE_ONLY}")
    if n_neighbors is None:
        raise ValueError(f"{param}: a backend name needs a neighbour count")
    if codes is not None:
        indices, median_std = sparse_mixed_kneighbors(
            X, codes, n_neighbors, "X (continuous features)"
        )
        return Found(indices, "exact", median_std=median_std)
    if points is not None:
        return Found(points_kneighbors(X, points, n_neighbors), "exact")
    return Found(sparse_kneighbors(X, n_neighbors, within=within, queries=queries), "exact")


def _all_rows_search(
    X: np.ndarray,
    queries: np.ndarray,
    n_neighbors: int,
    backend: str,
    key: np.uint64 | int,
    working_memory: int | None,
) -> Found:
    """The rows ``queries`` among all rows of ``X``, with the backend "auto" resolves to
    for that many queries. An approximate graph covers every row (its cost does not
    shrink with fewer queries) and the queries' lists are read from it; an exact search
    for most rows computes every row's list, each pair once."""
    n_rows, n_queries = X.shape[0], len(queries)
    with phase(f"neighbour search, {n_queries:,} rows among all {n_rows:,}"):
        resolved = resolve_backend(backend, n_rows, X.shape[1], n_queries=n_queries)
        if resolved != "exact":
            every_row = np.arange(n_rows, dtype=np.int64)
            graph = approx_kneighbors(
                X, n_neighbors, every_row, key, APPROX_METHODS[resolved], working_memory
            )
            return Found(graph[queries], resolved)
        if not is_self_search(n_rows, n_queries):
            return Found(exact_kneighbors_of(X, queries, n_neighbors), "exact")
        # every row's list, then the queries' copy of theirs
        method = shortlist_method(X.shape[1], n_rows, n_neighbors) or "direct"
        search = search_bytes(n_rows, None, X.shape[1], X.dtype.itemsize, n_neighbors, method)
        check_tables_fit(search + n_queries * n_neighbors * 8, n_rows, n_neighbors)
        return Found(exact_kneighbors(X, n_neighbors)[queries], "exact")


def _estimator_search(
    X: np.ndarray,
    n_neighbors: int | None,
    within: np.ndarray | None,
    queries: np.ndarray | None,
    spec: Any,
    param: str,
    n_jobs: Any,
) -> Found:
    """Neighbours found by a clone of the estimator ``spec``, fitted on the searched
    rows; each row itself is dropped by position, so a duplicate of it stays a
    neighbour."""
    estimator = clone(spec)
    if n_jobs != "keep" and "n_jobs" in estimator.get_params(deep=False):
        estimator.set_params(n_jobs=n_jobs)
    X_fit = X if within is None else X[within]
    estimator.fit(X_fit)
    X_query = X_fit if queries is None else X_fit[queries]
    # the estimator's lists count the row itself
    asked = {} if n_neighbors is None else {"n_neighbors": int(n_neighbors) + 1}
    found = np.asarray(estimator.kneighbors(X_query, return_distance=False, **asked))
    if found.ndim != 2 or found.shape[1] < 2:
        raise ValueError(
            f"The {param!r} estimator returned {found.shape[-1]} neighbour(s) per row, the "
            "row itself included, so no neighbour is left: give it n_neighbors >= 2."
        )
    indices = first_non_self(found, found.shape[1] - 1, own=queries)
    return Found(indices, "estimator", estimator)


def is_estimator(spec: Any) -> bool:
    """Whether a neighbour parameter is an estimator rather than a count or a name."""
    return not isinstance(spec, (numbers.Integral, str))
