"""Prototype selection from a store of rows: CondensedNearestNeighbour (Hart's condensing
pass) and OneSidedSelection (one nearest-neighbour vote, then Tomek links).

For each cleaned class, the *store* starts with every row of the minority class and
``n_seeds_S`` seed rows of the class. The seeds are drawn from the sampler's key, so
they differ from imbalanced-learn's (drawn by its RandomState); everything after the
seeds is deterministic and matches imbalanced-learn given the same seed rows.
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone

from .._config import get_config
from .._kernels.sampling import priorities
from .._numba import numba_threads
from .._progress import phase
from .._random import (
    CNN_SEED_STREAM,
    OSS_SEED_STREAM,
    RNG_VERSION,
    class_stream,
    key_from_random_state,
    stream_key,
)
from .._validation import (
    NONE,
    Features,
    Target,
    check_finite,
    has_methods,
    int_in_range,
)
from ..base import SEED, THREADS, WORKING_MEMORY, BaseSampler, FittedNeighbors, float_rows
from ..neighbors import store_vote_misses
from ._clean import CLEANING_STRATEGY, tomek_links

#: Candidates a user's classifier predicts at once between two refits.
PREDICT_BLOCK = 4096


class _LazyFit:
    """A classifier fitted on rows of the input when first read."""

    __slots__ = ("estimator", "source", "rows", "labels")

    def __init__(self, estimator: Any, source: Any, rows: np.ndarray | None, labels: Any):
        self.estimator, self.source, self.rows, self.labels = estimator, source, rows, labels

    def fit(self) -> Any:
        return self.estimator.fit(float_rows(self.source, self.rows), self.labels)

    def __reduce__(self) -> tuple:
        return (_LazyFit, (self.estimator, float_rows(self.source, self.rows), None, self.labels))


class _FittedClassifiers(FittedNeighbors):
    """imbalanced-learn's ``estimators_``: a list whose classifiers are fitted when the
    attribute is first read."""

    def __get__(self, sampler: Any, owner: type | None = None) -> Any:
        if sampler is None:
            return self
        value = super().__get__(sampler, owner)
        if any(isinstance(v, _LazyFit) for v in value):
            value = [v.fit() if isinstance(v, _LazyFit) else v for v in value]
            sampler.__dict__[self.name] = value
        return value


def _k_of(spec: Any) -> int | None:
    """The neighbour count of ``n_neighbors``: None -> 1, an int, or the estimator's."""
    if spec is None:
        return 1
    if isinstance(spec, numbers.Integral):
        return int(spec)
    k = getattr(spec, "n_neighbors", None)
    return int(k) if isinstance(k, numbers.Integral) else None


def _counted(spec: Any) -> bool:
    """Whether ``n_neighbors`` is a count (None or an int) rather than an estimator."""
    return spec is None or isinstance(spec, numbers.Integral)


class _StoreSampler(BaseSampler):
    """Shared by CondensedNearestNeighbour and OneSidedSelection."""

    _sampling_type = "clean-sampling"
    _returns_container = True
    _accept_sparse = True
    _k_param = "n_neighbors"
    #: Class-key sub-stream of the seed rows.
    _seed_stream: ClassVar[int]
    #: Hart's pass (misclassified rows join the store) or one vote by the initial store.
    _grow: ClassVar[bool]
    _parameter_constraints = {
        **BaseSampler._parameter_constraints,
        "sampling_strategy": CLEANING_STRATEGY,
        "random_state": SEED,
        "n_neighbors": [
            NONE,
            int_in_range(1),
            has_methods("kneighbors", "kneighbors_graph", "fit", "predict"),
        ],
        "n_seeds_S": [int_in_range(1)],
        "n_jobs": THREADS,
        "working_memory": WORKING_MEMORY,
    }
    estimators_ = _FittedClassifiers()

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        n_neighbors=None,
        n_seeds_S=1,
        n_jobs=None,
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.n_seeds_S = n_seeds_S
        self.n_jobs = n_jobs
        self.working_memory = working_memory

    def _minority(self, target: Target) -> int:
        stats = target.class_counts()
        return target.class_index(min(stats, key=stats.get))  # ties: the smaller label

    def _check_neighbors(self, target: Target) -> None:
        k = _k_of(self.n_neighbors)
        if k is None:
            return
        minority = self._minority(target)
        n_min = int(target.counts[minority])
        for label in self.sampling_strategy_:
            index = target.class_index(label)
            if index == minority:
                continue
            n_seeds = min(int(self.n_seeds_S), int(target.counts[index]))
            if k > n_min + n_seeds:
                raise ValueError(
                    f"n_neighbors={k} needs at least {k} rows to vote, but the store of "
                    f"class {label!r} starts with {n_min + n_seeds}: the {n_min} rows of "
                    f"the minority class {target.classes.tolist()[minority]!r} and {n_seeds} seed "
                    f"row(s). Use n_neighbors <= {n_min + n_seeds} or a larger n_seeds_S."
                )

    def _seeds(self, key: np.uint64, class_index: int, n_class: int) -> np.ndarray:
        """Positions of the seed rows within the class, increasing."""
        seed_key = stream_key(stream_key(key, class_stream(class_index)), self._seed_stream)
        n_seeds = min(int(self.n_seeds_S), n_class)
        with numba_threads(get_config()["n_threads"]):
            order = np.argsort(priorities(seed_key, n_class), kind="stable")
        return np.sort(order[:n_seeds])

    def _fit_resample(self, features: Features, target: Target, out: None):
        X = features.as_float_array(exact=False)
        check_finite(X)
        key = key_from_random_state(self.random_state)
        self.random_key_, self.rng_version_ = int(key), RNG_VERSION
        codes = target.encoded
        minority = self._minority(target)
        minority_rows = target.rows_of(minority)
        kept, estimators = [], []
        for index, label in enumerate(target.classes.tolist()):
            rows = target.rows_of(index)
            if label not in self.sampling_strategy_:
                kept.append(rows)
                continue
            positions = self._seeds(key, index, rows.size)
            seeds = rows[positions]
            candidates = np.delete(rows, positions)
            # the store's rows in imbalanced-learn's order: minority, seeds, added
            first = minority_rows if index == minority else np.concatenate([minority_rows, seeds])
            if index == minority:  # a store of one class votes for it: nothing is added
                missed, estimator = np.zeros(candidates.size, dtype=np.bool_), None
            elif not _counted(self.n_neighbors):
                missed, estimator = self._estimator_pass(X, target, first, candidates, index)
            else:
                with phase(f"class {label!r}: {candidates.size:,} rows against the store"):
                    missed = store_vote_misses(
                        X, candidates, np.sort(first), codes, index, _k_of(self.n_neighbors),
                        grow=self._grow, working_memory=self._working_memory_mib,
                    )  # fmt: skip
                estimator = None
            chosen = candidates[missed]
            kept.append(np.concatenate([seeds, chosen]))
            if estimator is None:
                fitted = np.concatenate([first, chosen]) if self._grow else first
                estimator = _LazyFit(
                    self._classifier(), features, fitted, target.classes[codes[fitted]]
                )
            estimators.append(estimator)
        self.estimators_ = estimators
        self.sample_indices_ = self._final_rows(X, target, np.concatenate(kept))
        return features.take(self.sample_indices_), target.select(self.sample_indices_)

    def _final_rows(self, X: np.ndarray, target: Target, indices: np.ndarray) -> np.ndarray:
        return indices

    def _classifier(self) -> Any:
        """The unfitted classifier of ``estimators_``, as imbalanced-learn makes it."""
        if not _counted(self.n_neighbors):
            return clone(self.n_neighbors)
        from sklearn.neighbors import KNeighborsClassifier

        return KNeighborsClassifier(n_neighbors=_k_of(self.n_neighbors), n_jobs=self.n_jobs)

    def _estimator_pass(
        self, X: np.ndarray, target: Target, first: np.ndarray, candidates: np.ndarray, own: int
    ) -> tuple[np.ndarray, Any]:
        """The pass through a clone of the user's classifier, refitted on the store
        after each addition (imbalanced-learn's way)."""
        estimator = self._classifier()
        labels = target.classes
        own_label = labels[own]
        stored = [first]
        estimator.fit(X[first], labels[target.encoded[first]])
        missed = np.zeros(candidates.size, dtype=np.bool_)
        start = 0
        while start < candidates.size:
            part = candidates[start : start + PREDICT_BLOCK]
            wrong = np.flatnonzero(np.asarray(estimator.predict(X[part])) != own_label)
            if not self._grow:
                missed[start + wrong] = True
                start += part.size
                continue
            if wrong.size == 0:
                start += part.size
                continue
            position = start + int(wrong[0])
            missed[position] = True
            stored.append(candidates[position : position + 1])
            rows = np.concatenate(stored)
            estimator.fit(X[rows], labels[target.encoded[rows]])
            start = position + 1
        return missed, estimator


class CondensedNearestNeighbour(_StoreSampler):
    """Under-sample with Hart's condensed nearest neighbour rule.

    A drop-in for ``imblearn.under_sampling.CondensedNearestNeighbour``. For each class
    to clean, a store starts with every row of the minority class and ``n_seeds_S`` seed
    rows of the class; then one pass visits the class's other rows in input order, and
    each row that the ``n_neighbors``-nearest-neighbour vote of the current store
    misclassifies joins the store. The class keeps its seeds and the rows that joined.

    No classifier is refitted: each row's nearest store rows are merged incrementally
    (its nearest rows of the initial store, then the rows added before it), exactly.
    Votes are those of scikit-learn's ``KNeighborsClassifier`` with uniform weights:
    among rows at equal distance the lower row number counts first, and a tied vote goes
    to the smaller class label.

    A SciPy sparse X (CSR; other formats converted) is returned in imbalanced-learn's
    format with the dense path's rows, bit for bit: the same kernels run on dense blocks
    of rows densified in turn (sized by ``working_memory``), never on a dense copy of X.
    A classifier given as ``n_neighbors`` gets the sparse rows.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
        It draws only the seed rows: for class ``i`` (position in the sorted labels),
        the ``n_seeds_S`` rows with the smallest priorities of sub-stream 5 of the class
        key (see :data:`fastsmote._random.STREAMS`), all distinct (the whole class when
        ``n_seeds_S`` is larger). imbalanced-learn draws its seeds with its
        RandomState, with replacement, so its seed rows differ.
    n_neighbors : int, estimator or None, default=None
        Neighbours of the vote: None is 1. A classifier with ``kneighbors`` and
        ``predict`` (e.g. ``KNeighborsClassifier``) is cloned, fitted on the store and
        refitted after each addition, as imbalanced-learn does (slow on large classes).
        The initial store must hold at least ``n_neighbors`` rows.
    n_seeds_S : int, default=1
        Seed rows of each cleaned class in the initial store.
    {n_jobs}
        It is also the ``n_jobs`` of the ``KNeighborsClassifier`` of ``estimators_``.
    working_memory : int, optional
        Budget in MiB for the neighbour lists of the rows voted on together, and for the
        dense blocks of sparse X (default: ``fastsmote.get_config()["working_memory"]``,
        256). Results never depend on it.

    Attributes
    ----------
    sample_indices_ : ndarray of int64
        Input rows kept, class by class in sorted label order; within a cleaned class
        its seed rows, then the rows that joined the store, each in input order.
    estimators_ : list of classifiers
        One per cleaned class, as in imbalanced-learn: the classifier fitted on the final
        store (the minority rows, the seeds, the rows that joined). For an int
        ``n_neighbors``, a ``KNeighborsClassifier`` fitted when the attribute is first
        read (the pass does not need it).
    sampling_strategy_ : dict
        ``{class: rows}`` for the cleaned classes.
    random_key_, rng_version_ : int

    Notes
    -----
    The minority class is the smallest class (the smaller label on ties). Cleaned, it
    keeps only its seed rows, as in imbalanced-learn (its store holds one class).
    imbalanced-learn skips, during the pass, the rows whose position within the class
    equals the input row number of a stored row; this sampler skips exactly the seed
    rows. The two agree when the class occupies the first rows of the input.

    References
    ----------
    P. Hart, "The condensed nearest neighbor rule", IEEE Transactions on Information
    Theory 14(3), 515-516, 1968.
    """

    _seed_stream = CNN_SEED_STREAM
    _grow = True


class OneSidedSelection(_StoreSampler):
    """Under-sample with one-sided selection: a nearest-neighbour vote, then Tomek links.

    A drop-in for ``imblearn.under_sampling.OneSidedSelection``. For each class to clean,
    a store holds every row of the minority class and ``n_seeds_S`` seed rows of the
    class; the class keeps its seeds and its other rows that the store's
    ``n_neighbors``-nearest-neighbour vote misclassifies. Then the rows of the cleaned
    classes that are in a Tomek link among all kept rows are removed
    (:class:`TomekLinks`: mutual nearest neighbours of different classes, each row
    excluded from its own neighbours by position).

    Votes are those of scikit-learn's ``KNeighborsClassifier`` with uniform weights:
    among rows at equal distance the lower row number counts first, and a tied vote goes
    to the smaller class label.

    A SciPy sparse X (CSR; other formats converted) is returned in imbalanced-learn's
    format with the dense path's rows, bit for bit: the same kernels run on dense blocks
    of rows densified in turn (sized by ``working_memory``), never on a dense copy of X.
    A classifier given as ``n_neighbors`` gets the sparse rows.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
        It draws only the seed rows: for class ``i`` (position in the sorted labels),
        the ``n_seeds_S`` rows with the smallest priorities of sub-stream 6 of the class
        key (see :data:`fastsmote._random.STREAMS`), all distinct (the whole class when
        ``n_seeds_S`` is larger). imbalanced-learn draws its seeds with its
        RandomState, with replacement, so its seed rows differ.
    n_neighbors : int, estimator or None, default=None
        Neighbours of the vote: None is 1. A classifier with ``kneighbors`` and
        ``predict`` (e.g. ``KNeighborsClassifier``) is cloned and fitted on the store.
        The store must hold at least ``n_neighbors`` rows.
    n_seeds_S : int, default=1
        Seed rows of each cleaned class in the store.
    {n_jobs}
        It is also the ``n_jobs`` of the ``KNeighborsClassifier`` of ``estimators_``.
    working_memory : int, optional
        Budget in MiB for the neighbour lists of the rows voted on together, and for the
        dense blocks of sparse X (default: ``fastsmote.get_config()["working_memory"]``,
        256). Results never depend on it.

    Attributes
    ----------
    sample_indices_ : ndarray of int64
        Input rows kept, class by class in sorted label order; within a cleaned class
        its seed rows, then the misclassified rows, each in input order (those in a
        Tomek link removed).
    estimators_ : list of classifiers
        One per cleaned class, as in imbalanced-learn: the classifier fitted on the
        store (the minority rows and the seeds). For an int ``n_neighbors``, a
        ``KNeighborsClassifier`` fitted when the attribute is first read.
    sampling_strategy_ : dict
        ``{class: rows}`` for the cleaned classes.
    random_key_, rng_version_ : int

    Notes
    -----
    The minority class is the smallest class (the smaller label on ties). Cleaned, it
    keeps only its seed rows before the Tomek step, as in imbalanced-learn.

    References
    ----------
    M. Kubat and S. Matwin, "Addressing the curse of imbalanced training sets: one-sided
    selection", ICML 1997, 179-186.
    """

    _seed_stream = OSS_SEED_STREAM
    _grow = False

    def _final_rows(self, X: np.ndarray, target: Target, indices: np.ndarray) -> np.ndarray:
        """The kept rows without the cleaned classes' rows in Tomek links among them."""
        if indices.size < 2:
            return indices
        targeted = np.isin(target.classes, list(self.sampling_strategy_))
        in_link, _ = tomek_links(X[indices], target.encoded[indices], targeted)
        return indices[~in_link]
