"""NearMiss: keep the rows of a class that are nearest to (or, version 3, farthest from)
the minority class, by average distances, with exact blocked kernels."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._progress import phase
from .._validation import Features, NeighborCountError, Target, check_finite, int_in_range
from .._warnings import warn_caller
from ..base import (
    NEIGHBOR_COUNT,
    THREADS,
    WORKING_MEMORY,
    BaseSampler,
    Deferred,
    FittedNeighbors,
    float_rows,
)
from ..neighbors import distance_sums, is_estimator, kneighbors_between


def _unfitted(spec: Any, n_jobs: int | None) -> Any:
    """imbalanced-learn's estimator for a NearMiss neighbour parameter:
    ``NearestNeighbors(n_neighbors=spec)`` for an int (nothing is excluded, so no row is
    added for the row itself), else a clone, with ``n_jobs`` set where it has it."""
    from sklearn.base import clone
    from sklearn.neighbors import NearestNeighbors

    if isinstance(spec, numbers.Integral):
        return NearestNeighbors(n_neighbors=int(spec), n_jobs=n_jobs)
    estimator = clone(spec)
    if "n_jobs" in estimator.get_params(deep=False):
        estimator.set_params(n_jobs=n_jobs)
    return estimator


def _count(spec: Any, name: str) -> int:
    """The neighbours a NearMiss parameter asks for: the int, or the estimator's own
    ``n_neighbors``."""
    if isinstance(spec, numbers.Integral):
        return int(spec)
    k = getattr(spec, "n_neighbors", None)
    if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
        raise ValueError(
            f"{name}={spec!r}: NearMiss reads the estimator's n_neighbors (an int >= 1), "
            f"got {k!r}."
        )
    return int(k)


def _smallest_first(values: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` smallest ``values``, ascending, equal values in position
    order: ``np.argsort(values, kind="stable")[:n]`` without sorting the rest."""
    if n >= values.size:
        return np.argsort(values, kind="stable")
    if n <= 0:
        return np.empty(0, dtype=np.intp)
    nth = np.partition(values, n - 1)[n - 1]
    within = np.flatnonzero(values <= nth)  # every tie of the n-th value, in order
    return within[np.argsort(values[within], kind="stable")[:n]]


class NearMiss(BaseSampler):
    """Under-sample each targeted class to the rows nearest to the minority class.

    A drop-in for ``imblearn.under_sampling.NearMiss``, with the same counts and kept
    rows on data without distance ties. Distances are Euclidean (not squared) to the
    rows of the minority class, and a row's score is the sum (equivalently the average)
    of its distances to ``n_neighbors`` of them:

    - version 1 keeps the rows whose ``n_neighbors`` nearest minority rows are nearest;
    - version 2 keeps the rows whose ``n_neighbors`` farthest minority rows are nearest;
    - version 3 first preselects, for every minority row, its ``n_neighbors_ver3``
      nearest rows of the class, then keeps the preselected rows whose ``n_neighbors``
      nearest minority rows are farthest. When fewer rows are preselected than asked, all
      of them are kept and a ``UserWarning`` says so (as in imbalanced-learn).

    Every search is exact and blocked: memory holds one score per row and per-thread
    blocks, never a rows x minority-rows distance matrix (version 2 keeps the
    ``n_neighbors`` largest distances of each row as it goes).

    A SciPy sparse X (CSR; other formats converted) is returned in imbalanced-learn's
    format with the dense path's rows, bit for bit: the same kernels run on the minority
    rows densified once and on blocks of the other rows densified in turn (sized by
    ``working_memory``), never on a dense copy of X. An ``n_neighbors`` estimator gets
    the sparse rows.

    Parameters
    ----------
    {sampling_strategy}
    version : {1, 2, 3}, default=1
        The NearMiss heuristic, as above.
    n_neighbors : int or estimator with ``kneighbors``, default=3
        Minority rows each score averages over; at most the minority class's rows (a
        larger value raises, naming the class). An estimator (its own
        ``n_neighbors``, which counts every row returned) is fitted on the minority rows
        and searches instead of fastsmote's kernel, with its own metric, as in
        imbalanced-learn; asked block by block of rows (``working_memory``), and for
        version 2 for all minority rows of each row, of which the last ``n_neighbors``
        count.
    n_neighbors_ver3 : int or estimator with ``kneighbors``, default=3
        Version 3's preselection: the rows of the class nearest to each minority row; at
        most the rows of each targeted class. An estimator is fitted on the class's rows.
    {n_jobs}
    working_memory : int, optional
        Budget in MiB for an ``n_neighbors`` estimator's blocks of neighbour tables, and
        for the dense blocks of sparse X (default:
        ``fastsmote.get_config()["working_memory"]``, 256). fastsmote's own kernels on
        dense X need no more than one score per row. Results never depend on it.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: number of rows kept}`` for the targeted classes.
    sample_indices_ : ndarray of int64
        Input row of every output row: class by class in sorted label order; a targeted
        class's rows in the order they were chosen (best score first), another class's
        rows in input order (as imbalanced-learn).
    nn_ : estimator
        ``NearestNeighbors(n_neighbors=n_neighbors)`` fitted on the minority rows (fitted
        when first read: fastsmote's own search does not need it), or the clone of an
        ``n_neighbors`` estimator that searched; ``n_jobs`` set, as in imbalanced-learn.
    nn_ver3_ : estimator
        Version 3 only: the same for ``n_neighbors_ver3``, fitted on the rows of the last
        targeted class (in sorted label order).
    n_samples_out_ : int
        Rows of the output (fewer than ``sampling_strategy_`` asks when version 3
        preselects too few).

    Notes
    -----
    The minority class (the rows distances are measured to) is the class with the fewest
    rows; among classes with equally few, the one whose first row comes first in ``y``
    (imbalanced-learn's ``Counter`` order). Ties: rows with equal scores are kept in input
    order (the lower row first), in all three versions, as imbalanced-learn's stable
    sort does; version 3's preselection breaks equal distances by the lower row.
    imbalanced-learn's scikit-learn trees break distance ties in an order of their own,
    and its distances may differ in the last bits from fastsmote's (explicit
    differences): on data with tied or nearly tied scores the kept rows may differ.

    References
    ----------
    I. Mani, I. Zhang. "kNN approach to unbalanced data distributions: a case study
    involving information extraction", Workshop on Learning from Imbalanced Datasets,
    2003.
    """

    _sampling_type = "under-sampling"
    _returns_container = True
    _accept_sparse = True
    _k_param = "n_neighbors"
    nn_ = FittedNeighbors()
    nn_ver3_ = FittedNeighbors()
    _parameter_constraints = {
        **BaseSampler._parameter_constraints,
        "version": [int_in_range(1, 3)],
        "n_neighbors": NEIGHBOR_COUNT,
        "n_neighbors_ver3": NEIGHBOR_COUNT,
        "n_jobs": THREADS,
        "working_memory": WORKING_MEMORY,
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        version=1,
        n_neighbors=3,
        n_neighbors_ver3=3,
        n_jobs=None,
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.version = version
        self.n_neighbors = n_neighbors
        self.n_neighbors_ver3 = n_neighbors_ver3
        self.n_jobs = n_jobs
        self.working_memory = working_memory

    @staticmethod
    def _minority(target: Target) -> int:
        """The class index distances are measured to: fewest rows, then first in y."""
        counts = np.asarray(target.counts)
        tied = np.flatnonzero(counts == counts.min())
        if tied.size == 1:
            return int(tied[0])
        first = [int(np.argmax(target.encoded == c)) for c in tied]
        return int(tied[int(np.argmin(first))])

    def _check_neighbors(self, target: Target) -> None:
        if not self.sampling_strategy_:
            return
        minority = self._minority(target)
        self._check_minority_size(
            target.classes.tolist()[minority], int(target.counts[minority]),
            _count(self.n_neighbors, "n_neighbors"),
        )  # fmt: skip
        if self.version != 3:
            return
        k3 = _count(self.n_neighbors_ver3, "n_neighbors_ver3")
        for label in self.sampling_strategy_:
            self._check_preselected_size(label, int(target.counts[target.class_index(label)]), k3)

    @staticmethod
    def _check_minority_size(label: Any, n_min: int, k: int) -> None:
        """Raise unless the minority class holds the ``n_neighbors`` rows each score
        averages over (the rows scored are of other classes: all of them may count)."""
        if k > n_min:
            raise NeighborCountError(
                f"The minority class {label!r} has {n_min} row(s) but n_neighbors={k} asks for "
                f"distances to {k} of its rows: use n_neighbors <= {n_min}.",
                "n_neighbors", k, n_min, f"The minority class {label!r}", "",
                among_others=False,
            )  # fmt: skip

    @staticmethod
    def _check_preselected_size(label: Any, n_rows: int, k3: int) -> None:
        """Raise unless a targeted class holds the rows NearMiss-3 preselects near each
        minority row."""
        if k3 > n_rows:
            raise NeighborCountError(
                f"Class {label!r} has {n_rows} row(s) but n_neighbors_ver3={k3} asks for {k3} "
                f"of its rows near each minority row: use n_neighbors_ver3 <= {n_rows}.",
                "n_neighbors_ver3", k3, n_rows, f"Class {label!r}", "", among_others=False,
            )  # fmt: skip

    def _scores(self, X: np.ndarray, rows: np.ndarray, minority_rows: np.ndarray, farthest: bool):
        """Each row's sum of distances to its ``n_neighbors`` nearest (or farthest)
        minority rows, through the exact kernel or the ``n_neighbors`` estimator."""
        spec = self.n_neighbors
        estimator = is_estimator(spec)
        sums, fitted = distance_sums(
            X, rows, minority_rows, _count(spec, "n_neighbors"), farthest=farthest,
            backend=spec if estimator else "exact", working_memory=self._working_memory_mib,
            n_jobs=self.n_jobs,
        )  # fmt: skip
        if fitted is not None:
            self.nn_ = fitted
        return sums

    def _select(self, X, class_rows, minority_rows, n_keep, label) -> np.ndarray:
        """Positions into ``class_rows`` of the kept rows, best first."""
        if self.version in (1, 2):
            sums = self._scores(X, class_rows, minority_rows, farthest=self.version == 2)
            return _smallest_first(sums, n_keep)
        spec = self.n_neighbors_ver3
        estimator = is_estimator(spec)
        near, fitted = kneighbors_between(
            X, minority_rows, class_rows, None if estimator else int(spec),
            backend=spec if estimator else "exact", working_memory=self._working_memory_mib,
            n_jobs=self.n_jobs,
        )  # fmt: skip
        self.nn_ver3_ = fitted if fitted is not None else self._nn_ver3_deferred(class_rows)
        candidates = np.unique(near)
        del near
        sums = self._scores(X, class_rows[candidates], minority_rows, farthest=False)
        if candidates.size < n_keep:
            warn_caller(
                f"NearMiss-3 preselected {candidates.size} row(s) of class {label!r}, "
                f"fewer than the {n_keep} asked: all of them are kept, so the class "
                "has fewer rows than sampling_strategy asks. Raise n_neighbors_ver3 to "
                "preselect more.",
                UserWarning,
            )
        # negated scores, stable: the farthest first, equal scores in input order
        return candidates[_smallest_first(-sums, n_keep)]

    def _nn_ver3_deferred(self, class_rows: np.ndarray) -> Deferred:
        estimator = _unfitted(self.n_neighbors_ver3, self.n_jobs)
        return Deferred(estimator, float_rows, self._features, class_rows)

    def _fit_resample(self, features: Features, target: Target, out: None):
        X = features.as_float_array(exact=False)
        check_finite(X)
        self._features = features
        minority = self._minority(target)
        minority_rows = target.rows_of(minority)
        self.nn_ = Deferred(_unfitted(self.n_neighbors, self.n_jobs), float_rows, features,
                            minority_rows)  # fmt: skip
        if self.version == 3:
            self.nn_ver3_ = _unfitted(self.n_neighbors_ver3, self.n_jobs)
        else:
            del self.nn_ver3_
        kept = []
        try:
            for class_index, label in enumerate(target.classes.tolist()):
                class_rows = target.rows_of(class_index)
                if label not in self.sampling_strategy_:
                    kept.append(class_rows)
                    continue
                n_keep = int(self.sampling_strategy_[label])
                with phase(f"NearMiss-{self.version}, class {label!r}: {class_rows.size:,} rows"):
                    chosen = self._select(X, class_rows, minority_rows, n_keep, label)
                kept.append(class_rows[chosen])
        finally:
            del self._features
        self.sample_indices_ = np.concatenate(kept).astype(np.int64, copy=False)
        self.n_samples_out_ = int(self.sample_indices_.size)
        return features.take(self.sample_indices_), target.select(self.sample_indices_)
