"""Cleaning under-samplers: Tomek links and Edited Nearest Neighbours.

Both query rows against *all* rows with fastsmote's exact kernel (never a full distance
matrix) and exclude each row from its own neighbours by position, so exact duplicates
count as neighbours (imbalanced-learn drops the first column instead, which is wrong
when duplicates exist). Rows are returned unchanged, dtypes kept.
"""

from __future__ import annotations

import numpy as np

from .._kernels.cleaning import (
    mark_disagreeing,
    rows_by_class,
    rows_of_classes,
    tomek_link_mask,
)
from .._progress import phase
from .._random import FIXED_GRAPH_KEY
from .._validation import (
    LIST,
    SAMPLING_STRATEGY,
    Features,
    Target,
    check_finite,
    check_neighbor_count,
    is_sparse,
    one_of,
)
from ..base import (
    NEIGHBOR_BACKEND,
    NEIGHBOR_COUNT,
    THREADS,
    WORKING_MEMORY,
    BaseSampler,
    Deferred,
    FittedNeighbors,
    float_rows,
    neighbors_estimator,
)
from ..neighbors import is_estimator, kneighbors, resolve_backend
from ..neighbors._auto import is_self_search

CLEANING_STRATEGY = [*SAMPLING_STRATEGY, LIST]


def tomek_links(
    X: np.ndarray,
    codes: np.ndarray,
    targeted: np.ndarray,
    *,
    backend: str = "exact",
    working_memory: int | None = None,
) -> tuple[np.ndarray, str]:
    """Which rows are in a Tomek link and of a targeted class, and the search backend.

    Every link joins two classes, so one of its rows lies outside the largest class.
    An exact search therefore finds the nearest neighbour of those rows only, then of
    the largest class's rows they point to; the other rows of the largest class cannot
    be in a link and are never searched. The links are those of a search of every row
    (same lists, same ties); on imbalanced data it costs a small share of one. When more
    than a quarter of the rows lie outside the largest class, every row's list is found
    (each pair once) instead.

    Parameters
    ----------
    X : ndarray or canonical CSR matrix of shape (n_samples, n_features), finite
    codes : ndarray of int of shape (n_samples,)
        Class codes 0 .. n_classes - 1.
    targeted : ndarray of bool of shape (n_classes,)
        The classes whose linked rows are marked.
    backend : str, default="exact"
        As for :func:`fastsmote.neighbors.kneighbors`; an approximate graph covers every
        row.
    working_memory : int, optional
        MiB for an approximate graph's workspace.

    Returns
    -------
    in_link : ndarray of bool of shape (n_samples,)
    backend : str
        The backend that searched ("exact", "approx" or "pynndescent").
    """
    n_rows = codes.size
    largest = int(np.argmax(np.bincount(codes))) if n_rows else 0
    outside = np.flatnonzero(codes != largest)
    if is_sparse(X) and backend == "auto":  # sparse rows are searched exactly
        backend = "exact"
    if not targeted.any() or outside.size == 0:  # no link, or none that removes a row
        return np.zeros(n_rows, dtype=np.bool_), resolve_backend(backend, n_rows, X.shape[1])
    resolved = resolve_backend(backend, n_rows, X.shape[1], n_queries=outside.size)
    # at most twice `outside` queries, one-sided: cheaper than every row's list (each
    # pair once) below the door's self-search share
    if resolved != "exact" or is_self_search(n_rows, 2 * outside.size):
        with phase(f"neighbour search, {n_rows:,} rows among all {n_rows:,}"):
            found = kneighbors(
                X, 1, backend=resolved, key=FIXED_GRAPH_KEY, working_memory=working_memory
            )
        return tomek_link_mask(found.indices[:, 0], codes, targeted), found.backend
    nearest = np.arange(n_rows, dtype=np.int64)  # itself: in no link
    nearest[outside] = kneighbors(X, 1, queries=outside, backend="exact").indices[:, 0]
    pointed_to = nearest[outside]
    partners = np.unique(pointed_to[codes[pointed_to] == largest])
    if partners.size:
        nearest[partners] = kneighbors(X, 1, queries=partners, backend="exact").indices[:, 0]
    return tomek_link_mask(nearest, codes, targeted), "exact"


class _Cleaner(BaseSampler):
    """Shared by the cleaners: the classes to clean, the search among all rows, threads."""

    _sampling_type = "clean-sampling"
    _returns_container = True
    _parameter_constraints = {
        **BaseSampler._parameter_constraints,
        "sampling_strategy": CLEANING_STRATEGY,
        "neighbors": NEIGHBOR_BACKEND,
        "n_jobs": THREADS,
        "working_memory": WORKING_MEMORY,
    }


class TomekLinks(_Cleaner):
    """Remove the rows of Tomek links: mutual nearest neighbours of different classes.

    A drop-in for ``imblearn.under_sampling.TomekLinks``. A row is removed when its class
    is targeted by ``sampling_strategy`` (default 'auto' = every class but the minority),
    its nearest neighbour has another class, and that neighbour's nearest neighbour is the
    row itself.

    Parameters
    ----------
    {sampling_strategy}
    neighbors : {"exact", "approx", "pynndescent", "auto"}, default="exact"
        Nearest-neighbour search among all rows. "exact" (fastsmote's blocked kernel)
        gives imbalanced-learn's links; "approx" (fastsmote's NN-descent graph over all
        rows, a fixed seed; "pynndescent" likewise with pynndescent) trades a few missed
        links for speed on millions of rows; "auto" goes approximate when exact search
        is estimated to take longer than the NN-descent graph
        (:func:`fastsmote.neighbors.resolve_backend`).
    {n_jobs}
    {working_memory}

    Attributes
    ----------
    sample_indices_ : ndarray of int64
        Input rows kept, in input order.
    neighbors_backend_ : dict
        ``{class: "exact" | "approx" | "pynndescent"}`` for each targeted class.

    Notes
    -----
    The nearest-neighbour table is not kept after fitting (peak memory stays below
    imbalanced-learn's); ``fastsmote.neighbors.exact_kneighbors(X, 1)`` gives it.
    """

    _accept_sparse = True

    def __init__(
        self, *, sampling_strategy="auto", neighbors="exact", n_jobs=None, working_memory=None
    ):
        self.sampling_strategy = sampling_strategy
        self.neighbors = neighbors
        self.n_jobs = n_jobs
        self.working_memory = working_memory

    def _fit_resample(self, features: Features, target: Target, out: None):
        X = features.as_float_array(exact=False)
        check_finite(X)
        targeted = np.isin(target.classes, list(self.sampling_strategy_))
        in_link, backend = tomek_links(
            X,
            target.encoded,
            targeted,
            backend=self.neighbors,
            working_memory=self._working_memory_mib,
        )
        targeted_labels = [c for c in target.classes.tolist() if c in self.sampling_strategy_]
        self.neighbors_backend_ = dict.fromkeys(targeted_labels, backend)
        self.sample_indices_ = np.flatnonzero(~in_link)
        return features.take(self.sample_indices_), target.select(self.sample_indices_)


class EditedNearestNeighbours(_Cleaner):
    """Remove rows whose neighbourhood disagrees with their class.

    A drop-in for ``imblearn.under_sampling.EditedNearestNeighbours``. For each row of a
    targeted class, its ``n_neighbors`` nearest rows among all rows are found (itself
    excluded by position). With ``kind_sel='all'`` the row is kept only if all of them
    share its class; with ``'mode'`` only if the most frequent neighbour class (smallest
    label on ties, as ``scipy.stats.mode``) is its class.

    Parameters
    ----------
    {sampling_strategy}
    n_neighbors : int or estimator with ``kneighbors``, default=3
        Neighbours examined; X needs ``n_neighbors + 1`` rows (a larger value raises).
        An estimator is fitted on all rows and, as in imbalanced-learn, its own
        ``n_neighbors`` counts the row itself (so it must be 2 or more).
    kind_sel : {'all', 'mode'}, default='all'
        Keep a row when all its neighbours share its class ('all') or when the most
        frequent neighbour class is its class ('mode'), as described above.
    neighbors : {"exact", "approx", "pynndescent", "auto"}, default="exact"
        Search among all rows for an int ``n_neighbors``, as for :class:`TomekLinks`.
    {n_jobs}
    {working_memory}

    Attributes
    ----------
    sample_indices_ : ndarray of int64
        Input rows kept: class by class in sorted label order, input order within a class.
    nn_ : estimator
        As in imbalanced-learn, with ``n_jobs`` set: the clone of an ``n_neighbors``
        estimator fitted on all rows, else ``NearestNeighbors(n_neighbors=n_neighbors +
        1)`` on all rows, fitted when first read (fastsmote's own search does not need
        it).
    neighbors_backend_ : dict
        ``{class: "exact" | "approx" | "pynndescent" | "estimator"}`` for each cleaned
        class.
    """

    _k_param = "n_neighbors"
    _accept_sparse = True
    nn_ = FittedNeighbors()
    _parameter_constraints = {
        **_Cleaner._parameter_constraints,
        "n_neighbors": NEIGHBOR_COUNT,
        "kind_sel": [one_of("all", "mode")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        n_neighbors=3,
        kind_sel="all",
        neighbors="exact",
        n_jobs=None,
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.neighbors = neighbors
        self.n_jobs = n_jobs
        self.working_memory = working_memory

    def _check_neighbors(self, target: Target) -> None:
        if self.sampling_strategy_:  # some class to clean: its rows are searched
            n_rows = target.labels.shape[0]
            check_neighbor_count(self.n_neighbors, "n_neighbors", n_rows, "X")

    def _neighbors(self, X: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, str]:
        if is_estimator(self.n_neighbors):
            found = kneighbors(
                X, None, queries=queries, backend=self.n_neighbors, param="n_neighbors",
                n_jobs=self.n_jobs,
            )  # fmt: skip
            self.nn_ = found.estimator
        else:
            found = kneighbors(
                X, int(self.n_neighbors), queries=queries, backend=self.neighbors,
                key=FIXED_GRAPH_KEY, working_memory=self._working_memory_mib,
            )  # fmt: skip
        return found.indices, found.backend

    def _fit_resample(self, features: Features, target: Target, out: None):
        X = features.as_float_array(exact=False)
        check_finite(X)
        codes = target.encoded
        labels = target.classes.tolist()
        cleaned = [label for label in labels if label in self.sampling_strategy_]
        # one search for every row to clean: one index (or graph), not one per class
        queries = rows_of_classes(codes, np.isin(target.classes, cleaned))
        keep = np.ones(codes.size, dtype=np.bool_)
        self.neighbors_backend_ = {}
        # imbalanced-learn's nn_ (fitted on all rows), replaced by the fitted estimator
        # when an estimator searches
        estimator = neighbors_estimator(self.n_neighbors, n_jobs=self.n_jobs)
        self.nn_ = Deferred(estimator, float_rows, features, None)
        if queries.size:
            found, backend = self._neighbors(X, queries)
            self.neighbors_backend_ = dict.fromkeys(cleaned, backend)
            mark_disagreeing(queries, found, codes, len(labels), self.kind_sel == "all", keep)
        self.sample_indices_, kept = rows_by_class(codes, keep, len(labels))
        self._kept_counts = dict(zip(labels, kept.tolist(), strict=True))
        return features.take(self.sample_indices_), target.select(self.sample_indices_)

    def _counts_after(self, before: dict, target: Target) -> dict:
        """Counted while selecting the rows (no second pass over them)."""
        return self._kept_counts
