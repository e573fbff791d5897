"""Repeated editing: RepeatedEditedNearestNeighbours, AllKNN and NeighbourhoodCleaningRule.

Each round applies Edited Nearest Neighbours' rule to the rows still present, as
imbalanced-learn's classes do, with ``sampling_strategy`` resolved anew on them. The
rounds share one table of neighbour lists: a row's list from an earlier exact search is
reused while enough of its entries remain (its first ``k`` remaining entries are then
exactly its ``k`` nearest remaining rows), so a round searches only for the rows whose
neighbours were removed. As in :class:`EditedNearestNeighbours`, each row is excluded
from its own neighbours by position, so exact duplicates count as neighbours.
"""

from __future__ import annotations

import dataclasses
import numbers
from typing import Any

import numpy as np

from .._kernels.cleaning import (
    edit_from_lists,
    mark_disagreeing,
    outvoted,
    rows_by_class,
    rows_of_classes,
)
from .._memory import check_fits
from .._random import FIXED_GRAPH_KEY
from .._validation import (
    Constraint,
    Features,
    Target,
    check_finite,
    check_neighbor_count,
    check_sampling_strategy,
    has_methods,
    int_in_range,
    is_sparse,
    neighbors_asked,
    one_of,
)
from ..base import (
    NEIGHBOR_COUNT,
    NONE,
    Deferred,
    FittedNeighbors,
    float_rows,
    neighbors_estimator,
)
from ..neighbors import first_non_self, is_estimator, kneighbors
from ._clean import EditedNearestNeighbours, _Cleaner

BOOL = Constraint(lambda v: isinstance(v, (bool, np.bool_)), "a bool")
POSITIVE = Constraint(
    lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool) and v > 0,
    "a float in the range (0, inf)",
)


def first_minority(codes: np.ndarray, counts: np.ndarray) -> int:
    """The class code imbalanced-learn's stopping rules call the minority: the fewest
    rows, ties to the class seen first in ``y`` (``min`` over ``Counter(y)``)."""
    tied = np.flatnonzero(counts == counts.min())
    if tied.size == 1:
        return int(tied[0])
    return int(tied[int(np.argmin(first_rows(codes, counts.size)[tied]))])


def first_rows(codes: np.ndarray, n_classes: int) -> np.ndarray:
    """The first row of each class code (every class has rows)."""
    first = np.full(n_classes, codes.size, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(codes.size))
    return first


def _rows_bytes(X: Any, rows: np.ndarray) -> int:
    """Bytes of ``X[rows]``: dense rows, or a CSR matrix's stored values of them."""
    if not is_sparse(X):
        return rows.size * X.shape[1] * X.itemsize
    stored = int(np.diff(X.indptr)[rows].sum())
    return stored * (X.dtype.itemsize + X.indices.itemsize) + (rows.size + 1) * 8


class _Rounds:
    """Edited Nearest Neighbours' rounds over the rows still ``present``.

    ``lists[r]`` keeps row r's neighbours (row numbers, -1 for none) from the last
    search that covered it; exact lists are reused across rounds, other backends' and
    estimators' lists are searched again every round.
    """

    def __init__(self, sampler: Any, X: np.ndarray, target: Target):
        self.sampler, self.X, self.target = sampler, X, target
        self.codes = target.encoded
        self.n_classes = target.classes.size
        self.present = np.ones(self.codes.size, dtype=np.bool_)
        self.lists: np.ndarray | None = None
        self.done = 0
        self.before_last: np.ndarray | None = None  # rows present before the last round
        self.strategy: dict = {}
        self.backends: dict = {}
        self.estimator: Any = None

    def counts(self) -> np.ndarray:
        return np.bincount(self.codes[self.present], minlength=self.n_classes)

    def run(self, spec: Any, width: int | None = None) -> int:
        """One round with ``spec`` neighbours (an int, or an estimator searching for
        every targeted row); int searches find ``width`` (default ``spec``) neighbours
        so that later rounds with fewer can reuse them. Returns how many rows went."""
        sampler, codes, present = self.sampler, self.codes, self.present
        counts = self.counts()
        target = dataclasses.replace(self.target, counts=counts)
        self.strategy = check_sampling_strategy(
            sampler.sampling_strategy, target, "clean-sampling"
        )
        wanted = np.isin(self.target.classes, list(self.strategy))
        rows = np.flatnonzero(present & wanted[codes])
        self.before_last, self.done = present.copy(), self.done + 1
        if rows.size == 0:
            self.backends = {}
            return 0
        n_present = int(counts.sum())
        where = "X" if self.done == 1 else f"After {self.done - 1} round(s) of editing, X"
        check_neighbor_count(spec, "n_neighbors", n_present, where)
        estimator = is_estimator(spec)
        k = None if estimator else int(spec)
        remove = np.zeros(codes.size, dtype=np.bool_)
        stale = np.ones(rows.size, dtype=np.bool_)
        unanimous = sampler.kind_sel == "all"
        if self.lists is not None:
            stale[:] = False
            edit_from_lists(
                rows, self.lists, present, codes, k, self.n_classes, unanimous, remove, stale
            )
        searched = rows[stale]
        if searched.size:
            backend = self._search(searched, spec, min(width or k or 1, n_present - 1))
            k = self.lists.shape[1] if k is None else k
            labels = [c for c in self.target.classes.tolist() if c in self.strategy]
            self.backends = dict.fromkeys(labels, backend)
            left = np.zeros(searched.size, dtype=np.bool_)
            edit_from_lists(
                searched, self.lists, present, codes, k, self.n_classes, unanimous, remove, left
            )
            if backend != "exact":  # not reused: a new search gives other lists
                self.lists = None
        present &= ~remove
        return int(np.count_nonzero(remove))

    def _search(self, rows: np.ndarray, spec: Any, width: int) -> str:
        """Fill ``lists`` for ``rows`` by searching among the rows present."""
        sampler, X = self.sampler, self.X
        if self.present.all():
            X_now, queries, kept = X, rows, None
        else:
            kept = np.flatnonzero(self.present)
            check_fits(
                _rows_bytes(X, kept),
                f"A copy of the {kept.size:,} rows left after {self.done - 1} round(s)",
                "Lower the number of rows.",
            )
            X_now, queries = X[kept], np.searchsorted(kept, rows)
        if is_estimator(spec):
            found = kneighbors(
                X_now, None, queries=queries, backend=spec, param="n_neighbors",
                n_jobs=sampler.n_jobs,
            )  # fmt: skip
            self.estimator = found.estimator
        else:
            found = kneighbors(
                X_now, width, queries=queries, backend=sampler.neighbors,
                key=FIXED_GRAPH_KEY, working_memory=sampler._working_memory_mib,
            )  # fmt: skip
        found_rows = found.indices if kept is None else kept[found.indices]
        if self.lists is None:  # an estimator's lists are as wide as it makes them
            n_cols = found_rows.shape[1] if is_estimator(spec) else width
            check_fits(
                self.codes.size * n_cols * 8,
                f"The neighbour lists ({self.codes.size:,} rows x {n_cols})",
                "Lower n_neighbors.",
            )
            self.lists = np.full((self.codes.size, n_cols), -1, dtype=np.int64)
        self.lists[rows, : found_rows.shape[1]] = found_rows
        self.lists[rows, found_rows.shape[1] :] = -1
        return found.backend

    def selected(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows present, class by class in sorted label order, and their counts."""
        return rows_by_class(self.codes, self.present, self.n_classes)

    def last_enn(self, features: Features, n_neighbors: Any, indices: np.ndarray) -> Any:
        """imbalanced-learn's ``enn_``: the Edited Nearest Neighbours of the last round,
        fitted on the rows it was given (grouped by class after the first round)."""
        s = self.sampler
        enn = EditedNearestNeighbours(
            sampling_strategy=s.sampling_strategy, n_neighbors=n_neighbors,
            kind_sel=s.kind_sel, neighbors=s.neighbors, n_jobs=s.n_jobs,
            working_memory=s.working_memory,
        )  # fmt: skip
        if self.done == 0:
            return enn
        if self.done == 1:
            given = np.arange(self.codes.size, dtype=np.int64)
        else:
            given = rows_by_class(self.codes, self.before_last, self.n_classes)[0]
        position = np.empty(self.codes.size, dtype=np.int64)
        position[given] = np.arange(given.size)
        enn.sampling_strategy_ = self.strategy
        enn.sample_indices_ = position[indices]
        enn.neighbors_backend_ = self.backends
        enn.n_features_in_ = features.n_features
        enn.classes_ = self.target.classes[np.bincount(self.codes[given]) > 0]
        if is_estimator(n_neighbors) and self.estimator is not None:
            enn.nn_ = self.estimator
        else:
            estimator = neighbors_estimator(n_neighbors, n_jobs=s.n_jobs)
            enn.nn_ = Deferred(estimator, float_rows, features, given)
        return enn


class _Editor(_Cleaner):
    """Shared by the repeated editors: their parameters and the round loop's output."""

    _k_param = "n_neighbors"
    _accept_sparse = True
    _parameter_constraints = {
        **_Cleaner._parameter_constraints,
        "n_neighbors": NEIGHBOR_COUNT,
        "kind_sel": [one_of("all", "mode")],
    }

    def _start(self, features: Features, target: Target) -> tuple[_Rounds, int]:
        X = features.as_float_array(exact=False)
        check_finite(X)
        return _Rounds(self, X, target), first_minority(target.encoded, target.counts)

    @staticmethod
    def _stops(rounds: _Rounds, minority: int, *, allow_minority: bool) -> bool:
        """imbalanced-learn's stops after a round: a class other than the minority has
        fewer rows than the minority had (unless ``allow_minority``), or a class is gone."""
        counts = rounds.counts()
        others = np.delete(counts, minority)
        below = not allow_minority and bool(np.any(others < rounds.target.counts[minority]))
        return below or bool(np.any(counts == 0))

    def _finish(self, features: Features, rounds: _Rounds, enn_neighbors: Any):
        self.sample_indices_, kept = rounds.selected()
        labels = rounds.target.classes.tolist()
        self._kept_counts = dict(zip(labels, kept.tolist(), strict=True))
        self.neighbors_backend_ = rounds.backends
        self.nn_ = neighbors_estimator(self.n_neighbors)
        self.enn_ = rounds.last_enn(features, enn_neighbors, self.sample_indices_)
        return features.take(self.sample_indices_), rounds.target.select(self.sample_indices_)

    def _counts_after(self, before: dict, target: Target) -> dict:
        """Counted while selecting the rows (no second pass over them)."""
        return self._kept_counts


class RepeatedEditedNearestNeighbours(_Editor):
    """Repeat Edited Nearest Neighbours until it removes nothing.

    A drop-in for ``imblearn.under_sampling.RepeatedEditedNearestNeighbours``. Each
    iteration applies :class:`EditedNearestNeighbours` to the rows left by the previous
    one (``sampling_strategy`` resolved on them). The iterations stop after ``max_iter``,
    when one removes no row, when a class other than the minority (the class with the
    fewest rows, ties to the one seen first in ``y``) has fewer rows than the minority
    had, or when a class loses all its rows; the rows removed by the last iteration stay
    removed. Rows, counts and ``n_iter_`` are imbalanced-learn's; equal distances are
    broken by input row order, and each row is excluded from its own neighbours by
    position, so an exact duplicate of a row is one of its neighbours (imbalanced-learn
    drops the first neighbour found instead, which can be the duplicate).

    Parameters
    ----------
    {sampling_strategy}
    n_neighbors : int or estimator with ``kneighbors``, default=3
        Neighbours examined in each iteration; the rows left need ``n_neighbors + 1``
        rows (a larger value raises). An estimator is fitted on the rows left in each
        iteration and, as in imbalanced-learn, its own ``n_neighbors`` counts the row
        itself.
    max_iter : int, default=100
        Most iterations run.
    kind_sel : {'all', 'mode'}, default='all'
        Keep a row when all its neighbours share its class ('all') or when the most
        frequent neighbour class is its class ('mode', lowest label on ties).
    neighbors : {"exact", "approx", "pynndescent", "auto"}, default="exact"
        Search for an int ``n_neighbors``, as for :class:`TomekLinks`. With "exact" an
        iteration searches only for the rows that lost a neighbour in the previous one
        (the other rows' neighbours are unchanged); the approximate graphs are built
        anew in each iteration.
    {n_jobs}
    {working_memory}

    Attributes
    ----------
    sample_indices_ : ndarray of int64
        Input rows kept: class by class in sorted label order, input order within a class.
    n_iter_ : int
        Iterations run.
    nn_ : estimator
        As in imbalanced-learn, not fitted: ``NearestNeighbors(n_neighbors=n_neighbors +
        1)``, or a clone of the ``n_neighbors`` estimator.
    enn_ : EditedNearestNeighbours
        The last iteration, fitted on the rows it was given (grouped by class after the
        first iteration, as in imbalanced-learn): its ``sample_indices_`` are positions
        among those rows and its ``nn_`` is fitted on them when first read.
    neighbors_backend_ : dict
        ``{class: backend}`` of the last search, for each class it cleaned.
    """

    _parameter_constraints = {
        **_Editor._parameter_constraints,
        "max_iter": [int_in_range(1)],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        n_neighbors=3,
        max_iter=100,
        kind_sel="all",
        neighbors="exact",
        n_jobs=None,
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.max_iter = max_iter
        self.kind_sel = kind_sel
        self.neighbors = neighbors
        self.n_jobs = n_jobs
        self.working_memory = working_memory

    def _fit_resample(self, features: Features, target: Target, out: None):
        rounds, minority = self._start(features, target)
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 (n_iter_ is the last)
            removed = rounds.run(self.n_neighbors)
            if removed == 0 or self._stops(rounds, minority, allow_minority=False):
                break
        self.n_iter_ = n_iter
        return self._finish(features, rounds, self.n_neighbors)


class AllKNN(_Editor):
    """Edited Nearest Neighbours with 1, 2, ..., ``n_neighbors`` neighbours in turn.

    A drop-in for ``imblearn.under_sampling.AllKNN``. Round k applies
    :class:`EditedNearestNeighbours` with k neighbours to the rows left by round k - 1
    (``sampling_strategy`` resolved on them). The rounds stop after the last one, or,
    unless ``allow_minority``, when a class other than the minority (the class with the
    fewest rows, ties to the one seen first in ``y``) has fewer rows than the minority
    had, or when a class loses all its rows; the rows removed by the last round stay
    removed. Rows and counts are imbalanced-learn's; ties and duplicates are treated as
    in :class:`RepeatedEditedNearestNeighbours`.

    One exact search finds ``n_neighbors`` neighbours per row; round k reads the first k
    of them still present, and only a row that lost too many is searched again.

    Parameters
    ----------
    {sampling_strategy}
    n_neighbors : int or estimator with ``kneighbors``, default=3
        The last round's neighbours; the rows left need ``k + 1`` rows in round k (a
        larger value raises). As in imbalanced-learn, an estimator gives only its own
        ``n_neighbors`` minus one (the row itself) as this count: the rounds search by
        Euclidean distance with ``neighbors``.
    kind_sel : {'all', 'mode'}, default='all'
        Keep a row when all its neighbours share its class ('all') or when the most
        frequent neighbour class is its class ('mode', lowest label on ties).
    allow_minority : bool, default=False
        Go on when a class other than the minority falls below the minority's count.
    neighbors : {"exact", "approx", "pynndescent", "auto"}, default="exact"
        Search, as for :class:`TomekLinks`; the approximate graphs are built anew in
        each round.
    {n_jobs}
    {working_memory}

    Attributes
    ----------
    sample_indices_ : ndarray of int64
        Input rows kept: class by class in sorted label order, input order within a class.
    nn_ : estimator
        As in imbalanced-learn, not fitted: ``NearestNeighbors(n_neighbors=n_neighbors +
        1)``, or a clone of the ``n_neighbors`` estimator.
    enn_ : EditedNearestNeighbours
        The last round (its ``n_neighbors`` is that round's k), fitted on the rows it was
        given, as for :class:`RepeatedEditedNearestNeighbours`.
    neighbors_backend_ : dict
        ``{class: backend}`` of the last search, for each class it cleaned.
    """

    _parameter_constraints = {
        **_Editor._parameter_constraints,
        "allow_minority": [BOOL],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        n_neighbors=3,
        kind_sel="all",
        allow_minority=False,
        neighbors="exact",
        n_jobs=None,
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.allow_minority = allow_minority
        self.neighbors = neighbors
        self.n_jobs = n_jobs
        self.working_memory = working_memory

    def _largest_k(self) -> int:
        k = neighbors_asked(self.n_neighbors)
        if k is None:
            raise ValueError(
                f"The 'n_neighbors' estimator {self.n_neighbors!r} has no int n_neighbors: "
                "AllKNN reads the number of neighbours of its last round from it."
            )
        return k

    def _fit_resample(self, features: Features, target: Target, out: None):
        largest = self._largest_k()
        rounds, minority = self._start(features, target)
        last = self.n_neighbors
        for k in range(1, largest + 1):
            last = k
            rounds.run(k, width=largest)
            if self._stops(rounds, minority, allow_minority=bool(self.allow_minority)):
                break
        return self._finish(features, rounds, last)


def _rows_and_labels(source: Any, rows: None, labels: np.ndarray) -> tuple[np.ndarray, Any]:
    return float_rows(source, rows), labels


class _DeferredClassifier(Deferred):
    """A classifier fitted on ``data(*args) = (X, y)`` when it is first read."""

    __slots__ = ()

    def fit(self) -> Any:
        return self.estimator.fit(*self.data(*self.args))

    def __reduce__(self) -> tuple:
        return (_DeferredClassifier, (self.estimator, _given, self.data(*self.args)))


def _given(value: Any) -> Any:
    return value


class NeighbourhoodCleaningRule(_Cleaner):
    """Edited Nearest Neighbours, then the neighbours of the minority rows it outvotes.

    A drop-in for ``imblearn.under_sampling.NeighbourhoodCleaningRule``. Two sets of
    rows are removed:

    - A1: the rows :class:`EditedNearestNeighbours` removes (``kind_sel='mode'``,
      ``n_neighbors``, the classes of ``sampling_strategy``), or the rows the
      ``edited_nearest_neighbours`` sampler removes;
    - A2: for each row of the minority class (the fewest rows, ties to the class seen
      first in ``y``) that a k-nearest-neighbour vote gives to another class (the row
      itself and its ``n_neighbors - 1`` nearest rows; ties to the lowest label, as
      scikit-learn's ``KNeighborsClassifier``), its ``n_neighbors`` nearest rows whose
      class is in ``classes_to_clean_``: the classes of ``sampling_strategy`` with more
      than ``threshold_cleaning`` times the minority's rows.

    Rows and counts are imbalanced-learn's. With the default Edited Nearest Neighbours
    and an int ``n_neighbors``, one search among all rows serves both sets. Each row is
    excluded from its own neighbours by position, so an exact duplicate of a row is one
    of its neighbours (imbalanced-learn drops the first neighbour found instead).

    Parameters
    ----------
    {sampling_strategy}
    edited_nearest_neighbours : sampler with ``fit_resample``, default=None
        Makes A1: cloned and fitted on X, y; its ``sample_indices_`` are the rows kept.
        None: ``EditedNearestNeighbours(sampling_strategy=sampling_strategy,
        n_neighbors=n_neighbors, kind_sel="mode", neighbors=neighbors, n_jobs=n_jobs)``.
    n_neighbors : int or estimator with ``kneighbors``, default=3
        Neighbours of the vote and of A2 (X needs ``n_neighbors + 1`` rows). As in
        imbalanced-learn, a ``NearestNeighbors`` gives its ``n_neighbors - 1`` (the vote
        is then Euclidean, the default Edited Nearest Neighbours searches with it); another
        estimator is a classifier (``fit(X, y)``, ``predict``, ``kneighbors``, e.g.
        ``KNeighborsClassifier``) that votes and finds A2.
    threshold_cleaning : float, default=0.5
        A class of ``sampling_strategy`` is cleaned in A2 when it has more than
        ``threshold_cleaning`` times the minority's rows.
    neighbors : {"exact", "approx", "pynndescent", "auto"}, default="exact"
        Search for an int ``n_neighbors``, as for :class:`TomekLinks`.
    {n_jobs}
    {working_memory}

    Attributes
    ----------
    sample_indices_ : ndarray of int64
        Input rows kept, in input order.
    edited_nearest_neighbours_ : sampler
        The sampler that made A1, fitted on X, y.
    nn_ : estimator
        As in imbalanced-learn, fitted on X, y: ``KNeighborsClassifier(n_neighbors,
        n_jobs=n_jobs)`` (fitted when first read; fastsmote's search does not need it),
        or the fitted clone of a classifier ``n_neighbors``.
    classes_to_clean_ : list
        The classes cleaned in A2, in the order they first appear in ``y``.
    neighbors_backend_ : dict
        ``{class: backend}`` of the search, for each class it searched for.
    """

    nn_ = FittedNeighbors()
    _k_param = "n_neighbors"
    _accept_sparse = True
    _parameter_constraints = {
        **_Cleaner._parameter_constraints,
        "edited_nearest_neighbours": [has_methods("fit_resample"), NONE],
        "n_neighbors": NEIGHBOR_COUNT,
        "threshold_cleaning": [POSITIVE],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        edited_nearest_neighbours=None,
        n_neighbors=3,
        threshold_cleaning=0.5,
        neighbors="exact",
        n_jobs=None,
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.edited_nearest_neighbours = edited_nearest_neighbours
        self.n_neighbors = n_neighbors
        self.threshold_cleaning = threshold_cleaning
        self.neighbors = neighbors
        self.n_jobs = n_jobs
        self.working_memory = working_memory

    def _vote_count(self) -> int | None:
        """Rows in the vote: ``n_neighbors`` (NearestNeighbors: its own minus one); None
        for a classifier, which votes itself."""
        from sklearn.neighbors import NearestNeighbors

        if not is_estimator(self.n_neighbors):
            return int(self.n_neighbors)
        if isinstance(self.n_neighbors, NearestNeighbors):
            k = neighbors_asked(self.n_neighbors)
            if k is None or k < 1:
                raise ValueError(
                    f"The 'n_neighbors' estimator {self.n_neighbors!r} gives a vote of "
                    f"{k} neighbour(s): its n_neighbors counts the row itself, so it must "
                    "be 2 or more."
                )
            return k
        for method in ("fit", "predict", "kneighbors"):
            if not callable(getattr(self.n_neighbors, method, None)):
                raise ValueError(
                    f"The 'n_neighbors' estimator {self.n_neighbors!r} has no {method}(): "
                    "give an int, a NearestNeighbors or a classifier with kneighbors() "
                    "such as KNeighborsClassifier."
                )
        if self.edited_nearest_neighbours is None:
            raise ValueError(
                f"n_neighbors={self.n_neighbors!r} is a classifier, which the default "
                "Edited Nearest Neighbours cannot search with (it is fitted without "
                "labels): give edited_nearest_neighbours=EditedNearestNeighbours(...), or "
                "an int or a NearestNeighbors as n_neighbors."
            )
        return None

    def _check_neighbors(self, target: Target) -> None:
        n_rows = target.labels.shape[0]
        votes = self._vote_count()
        if votes is not None:
            check_neighbor_count(votes, "n_neighbors", n_rows, "X")
        if self.edited_nearest_neighbours is None and self.sampling_strategy_:
            check_neighbor_count(self.n_neighbors, "n_neighbors", n_rows, "X")

    def _default_enn(self) -> bool:
        """Whether A1 is fastsmote's default Edited Nearest Neighbours with an int count
        (whose search serves the vote too)."""
        return self.edited_nearest_neighbours is None and not is_estimator(self.n_neighbors)

    def _enn(self) -> Any:
        if self.edited_nearest_neighbours is not None:
            from sklearn.base import clone

            return clone(self.edited_nearest_neighbours)
        return EditedNearestNeighbours(
            sampling_strategy=self.sampling_strategy, n_neighbors=self.n_neighbors,
            kind_sel="mode", neighbors=self.neighbors, n_jobs=self.n_jobs,
            working_memory=self.working_memory,
        )  # fmt: skip

    def _fit_resample(self, features: Features, target: Target, out: None):
        X = features.as_float_array(exact=False)
        check_finite(X)
        codes, counts = target.encoded, target.counts
        n_classes = target.classes.size
        labels = target.classes.tolist()
        minority = first_minority(codes, counts)
        seen_first = np.argsort(first_rows(codes, n_classes))
        self.classes_to_clean_ = [
            labels[c]
            for c in seen_first.tolist()
            if labels[c] in self.sampling_strategy_
            and counts[c] > counts[minority] * self.threshold_cleaning
        ]
        votes = self._vote_count()
        enn = self._enn()
        keep = np.ones(codes.size, dtype=np.bool_)
        self.neighbors_backend_ = {}
        y_given = target.encoded if target.one_vs_all else target.labels
        if votes is not None and self._default_enn():
            # one search for the rows ENN cleans and the minority rows
            cleaned = np.isin(target.classes, list(self.sampling_strategy_))
            wanted = cleaned.copy()
            wanted[minority] = True
            queries = rows_of_classes(codes, wanted)
            found = kneighbors(
                X, votes, queries=queries, backend=self.neighbors, key=FIXED_GRAPH_KEY,
                working_memory=self._working_memory_mib,
            )  # fmt: skip
            searched = [labels[c] for c in range(n_classes) if wanted[c]]
            self.neighbors_backend_ = dict.fromkeys(searched, found.backend)
            of_cleaned = cleaned[codes[queries]]
            mark_disagreeing(
                queries[of_cleaned], found.indices[of_cleaned], codes, n_classes, False, keep
            )
            enn_kept, _ = rows_by_class(codes, keep, n_classes)
            enn.sampling_strategy_ = self.sampling_strategy_
            enn.sample_indices_ = enn_kept
            enn.neighbors_backend_ = {
                c: found.backend for c in labels if c in self.sampling_strategy_
            }
            enn.n_features_in_, enn.classes_ = features.n_features, target.classes
            nn = neighbors_estimator(self.n_neighbors, n_jobs=self.n_jobs)
            enn.nn_ = Deferred(nn, float_rows, features, None)
            of_minority = codes[queries] == minority
            minority_rows, near = queries[of_minority], found.indices[of_minority]
        else:
            enn.fit_resample(X, y_given)
            keep[:] = False
            keep[np.asarray(enn.sample_indices_, dtype=np.int64)] = True
            minority_rows = np.flatnonzero(codes == minority)
            if votes is not None:
                found = kneighbors(
                    X, votes, queries=minority_rows, backend=self.neighbors,
                    key=FIXED_GRAPH_KEY, working_memory=self._working_memory_mib,
                )  # fmt: skip
                self.neighbors_backend_ = {labels[minority]: found.backend}
                near = found.indices
        self.edited_nearest_neighbours_ = enn
        if votes is not None:
            from sklearn.neighbors import KNeighborsClassifier

            wrong = outvoted(minority_rows, near, codes, n_classes, votes)
            classifier = KNeighborsClassifier(n_neighbors=votes, n_jobs=self.n_jobs)
            self.nn_ = _DeferredClassifier(classifier, _rows_and_labels, features, None, y_given)
        else:
            wrong, near = self._classifier_votes(X, y_given, minority_rows)
        cleanable = np.isin(target.classes, self.classes_to_clean_)
        outvoted_near = near[wrong].ravel()
        keep[outvoted_near[cleanable[codes[outvoted_near]]]] = False
        self.sample_indices_ = np.flatnonzero(keep)
        return features.take(self.sample_indices_), target.select(self.sample_indices_)

    def _classifier_votes(
        self, X: np.ndarray, y: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """A classifier ``n_neighbors``: its votes for ``rows`` and their neighbours (each
        row excluded by position), as imbalanced-learn asks it."""
        from sklearn.base import clone

        classifier = clone(self.n_neighbors)
        if "n_jobs" in classifier.get_params(deep=False):
            classifier.set_params(n_jobs=self.n_jobs)
        classifier.fit(X, y)
        self.nn_ = classifier
        self.neighbors_backend_ = {}
        wrong = np.asarray(classifier.predict(X[rows])) != y[rows]
        asked = classifier.n_neighbors + 1
        found = np.asarray(classifier.kneighbors(X[rows], asked, return_distance=False))
        return wrong, first_non_self(found, asked - 1, own=rows)
