"""Borderline-SMOTE and ADASYN: SMOTE with bases chosen from the class boundary.

Both look at each class row's neighbours among *all* rows (exact kernel, self excluded
by position), then interpolate with the shared generation kernel and draw scheme.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._config import get_config
from .._numba import numba_threads
from .._random import ALL_ROWS_GRAPH_STREAM, DAMP_STREAM, stream_key
from .._validation import (
    Features,
    Target,
    UnsuitedDataError,
    check_neighbor_count,
    one_of,
)
from .._warnings import warn_caller
from ..base import (
    NEIGHBOR_COUNT,
    NEIGHBORS,
    WORKING_MEMORY,
    Deferred,
    FittedNeighbors,
    float_rows,
    neighbors_estimator,
)
from ..neighbors import Found, is_estimator, kneighbors
from ._plan import ClassJob, SmotePlan
from ._smote import _InterpolatingSampler


def exact_shares(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``weights`` that sum exactly to ``total``.

    Largest-remainder rounding: every row gets the floor of its quota, the remaining
    rows go to the largest fractional parts, ties to the lower row.
    """
    quotas = weights / weights.sum() * total
    counts = np.floor(quotas).astype(np.int64)
    missing = total - int(counts.sum())
    if missing > 0:
        order = np.argsort(-(quotas - counts), kind="stable")
        counts[order[:missing]] += 1
    return counts


class _BoundarySampler(_InterpolatingSampler):
    """Generation loop shared by Borderline-SMOTE and ADASYN.

    Subclasses write ``_class_job``, which returns None (nothing to generate) or the
    class's :class:`ClassJob`, with its per-base counts (ADASYN) or damping
    (Borderline-SMOTE-2).
    """

    def _fit_resample(self, features: Features, target: Target, out: np.ndarray | None):
        key, plan = self._start(target)
        self.n_synthetic_ = {label: 0 for _, label, _, _ in plan}
        labels = {class_index: label for class_index, label, _, _ in plan}
        if features.sparse:
            X_out, added, job = self._sparse_synthetic(features, target, key)
            for class_index, n_new in added:
                self.n_synthetic_[labels[class_index]] = n_new
            if plan:
                self._defer_estimators(features, target, job)
            self.n_samples_out_ = X_out.shape[0]
            return X_out, target.extended(added)
        out = self._allocate(features, out)
        X = out[: features.n_samples]
        written, added = features.n_samples, []
        job = None
        with numba_threads(get_config()["n_threads"]):
            for job in self._jobs(X, target, key, features.n_samples):
                SmotePlan([job], features.n_samples).generate(out)
                written += job.n_new
                added.append((job.class_index, job.n_new))
                self.n_synthetic_[labels[job.class_index]] = job.n_new
        if plan:
            self._defer_estimators(features, target, job)
        self.n_samples_out_ = written
        return out[:written], target.extended(added)

    def _defer_estimators(self, features: Features, target: Target, last: Any) -> None:
        """imbalanced-learn's fitted estimators of int neighbour counts, fitted when first
        read (see :meth:`_defer_class_estimator`); ``last``: the job of the last class
        that generated rows, or None."""
        self._defer_job_estimator(last, features, target)

    @staticmethod
    def _job(target: Target, class_index: int, class_key: np.uint64, **fields) -> ClassJob:
        """The class's job; ``fields``: the other :class:`ClassJob` fields."""
        return ClassJob(
            class_index=class_index,
            label=target.classes[class_index],
            key=class_key,
            damp_key=stream_key(class_key, DAMP_STREAM),
            **fields,
        )

    def _start(self, target: Target):
        self.all_rows_backend_ = {}
        return super()._start(target)

    def _all_row_neighbors(
        self, X: np.ndarray, rows: np.ndarray, spec: Any, name: str, class_key: np.uint64
    ) -> Found:
        """Neighbours of the rows ``rows`` among all rows. ``spec``, the parameter
        ``name``: an estimator, fitted on all rows as in imbalanced-learn, or an int
        searched by the ``neighbors`` backend (an estimator there configures the
        same-class search only: this one is then exact)."""
        if is_estimator(spec):
            return kneighbors(X, None, queries=rows, backend=spec, param=name)
        return kneighbors(
            X,
            int(spec),
            queries=rows,
            backend=self.neighbors if isinstance(self.neighbors, str) else "exact",
            key=stream_key(class_key, ALL_ROWS_GRAPH_STREAM),
            working_memory=self._working_memory_mib,
            param=name,
        )


class BorderlineSMOTE(_BoundarySampler):
    """SMOTE from the rows on the class boundary ("in danger").

    A drop-in for ``imblearn.over_sampling.BorderlineSMOTE``. A row of a class to
    over-sample is *in danger* when at least half, but not all, of its ``m_neighbors``
    nearest rows (among all rows, itself excluded) belong to other classes. Only danger
    rows are bases. ``kind='borderline-1'`` interpolates towards one of the base's
    ``k_neighbors`` nearest rows of its own class; ``'borderline-2'`` towards one of its
    ``k_neighbors`` nearest rows of any class, with the gap multiplied by ``0.5 * u``
    when that neighbour is of another class (so the new row stays on the base's side).

    When a class has no danger row, nothing is generated for it and a warning says so
    (imbalanced-learn is silent); ``n_synthetic_`` records what was generated.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    k_neighbors : int or estimator, default=5
        Neighbours to interpolate towards: same class for borderline-1 (a class needs
        ``k_neighbors + 1`` rows), among all rows for borderline-2. An estimator is
        fitted on the class (borderline-1) or on all rows (borderline-2); its
        ``n_neighbors`` counts the row itself.
    m_neighbors : int or estimator with ``kneighbors``, default=10
        Neighbours among all rows that decide the danger/noise rule (X needs
        ``m_neighbors + 1`` rows). An estimator is fitted on all rows; its
        ``n_neighbors`` counts the row itself, as in imbalanced-learn.
    kind : {'borderline-1', 'borderline-2'}, default='borderline-1'
        Interpolate towards neighbours of the base's own class ('borderline-1') or of
        any class ('borderline-2'), as described above.
    neighbors : {"auto", "exact", "approx", "pynndescent"} or estimator, default="auto"
        Backend of the same-class search (borderline-1, as for :class:`fastsmote.SMOTE`)
        and of the searches among all rows (danger rule, borderline-2 neighbours) for int
        neighbour counts: "auto" goes approximate (one NN-descent graph over all rows)
        only when exact search is estimated to take longer than that graph (see
        :func:`fastsmote.neighbors.resolve_backend`). An estimator configures the
        same-class search; the all-rows searches are then exact.
    {working_memory}

    Attributes
    ----------
    in_danger_indices_ : dict of ndarray
        ``{class: input rows in danger}``, only for classes with danger rows (as
        imbalanced-learn's ``in_danger_indices``, which is an alias of it).
    n_synthetic_ : dict
        ``{class: rows generated}``.
    nn_m_ : estimator
        As in imbalanced-learn: the fitted clone of an ``m_neighbors`` estimator, else
        ``NearestNeighbors(n_neighbors=m_neighbors + 1)`` on all rows, fitted when first
        read (fastsmote's own search does not need it).
    nn_k_ : estimator
        The same for ``k_neighbors``, on the last class with danger rows (borderline-1)
        or on all rows (borderline-2); unfitted when no class had danger rows.
    all_rows_backend_ : dict
        ``{class: "exact" | "approx" | "pynndescent" | "estimator"}``: the danger-rule
        search among all rows.
    neighbors_backend_ : dict
        ``{class: backend}`` of the search for the ``k_neighbors`` to interpolate towards.
    sampling_strategy_, random_key_, rng_version_, n_samples_out_
    """

    nn_m_ = FittedNeighbors()
    _accept_sparse = True
    _parameter_constraints = {
        **_BoundarySampler._parameter_constraints,
        "k_neighbors": NEIGHBOR_COUNT,
        "m_neighbors": NEIGHBOR_COUNT,
        "kind": [one_of("borderline-1", "borderline-2")],
        "neighbors": NEIGHBORS,
        "working_memory": WORKING_MEMORY,
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        m_neighbors=10,
        kind="borderline-1",
        neighbors="auto",
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.m_neighbors = m_neighbors
        self.kind = kind
        self.neighbors = neighbors
        self.working_memory = working_memory

    @property
    def in_danger_indices(self) -> dict:
        """imbalanced-learn's name of :attr:`in_danger_indices_`."""
        try:
            return self.in_danger_indices_
        except AttributeError:
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute 'in_danger_indices'"
            ) from None

    def _start(self, target: Target):
        self.in_danger_indices_ = {}
        self.nn_m_ = neighbors_estimator(self.m_neighbors)
        return super()._start(target)

    def _check_neighbors(self, target: Target) -> None:
        if not any(n_new > 0 for n_new in self.sampling_strategy_.values()):
            return
        n_rows = target.labels.shape[0]
        check_neighbor_count(self.m_neighbors, "m_neighbors", n_rows, "X")
        if self.kind == "borderline-1":  # same-class neighbours
            super()._check_neighbors(target)
        else:  # neighbours among all rows
            check_neighbor_count(self.k_neighbors, "k_neighbors", n_rows, "X")

    def _defer_estimators(self, features: Features, target: Target, last: Any) -> None:
        if isinstance(self.m_neighbors, numbers.Integral):
            estimator = neighbors_estimator(self.m_neighbors)
            self.nn_m_ = Deferred(estimator, float_rows, features, None)
        if self.kind == "borderline-1":
            super()._defer_estimators(features, target, last)
        elif last is not None and isinstance(self.k_neighbors, numbers.Integral):
            estimator = neighbors_estimator(self.k_neighbors)
            self.nn_k_ = Deferred(estimator, float_rows, features, None)

    def _class_job(self, X, target, class_index, label, n_new, class_key, first_row):
        rows = target.rows_of(class_index)
        found = self._all_row_neighbors(X, rows, self.m_neighbors, "m_neighbors", class_key)
        self.all_rows_backend_[label] = found.backend
        if found.estimator is not None:
            self.nn_m_ = found.estimator
        m_labels = target.encoded[found.indices]
        m = m_labels.shape[1]
        n_other = np.count_nonzero(m_labels != class_index, axis=1)
        danger = (n_other >= m / 2) & (n_other < m)
        if not danger.any():
            warn_caller(
                f"BorderlineSMOTE: class {label!r} has no row in danger (with "
                f"m_neighbors={self.m_neighbors}); no synthetic rows were generated for it.",
                UserWarning,
            )
            return None
        self.in_danger_indices_[label] = rows[danger]
        if self.kind == "borderline-1":
            source, row_map, bases, neighbors = self._class_source(X, rows, label, class_key)
            return self._job(
                target,
                class_index,
                class_key,
                n_new=n_new,
                first_row=first_row,
                source=source,
                row_map=row_map,
                bases=bases[danger],
                neighbors=neighbors[danger],
            )
        danger_rows = rows[danger]
        found = self._all_row_neighbors(X, danger_rows, self.k_neighbors, "k_neighbors", class_key)
        self.neighbors_backend_[label] = found.backend
        if found.estimator is not None:
            self.nn_k_ = found.estimator
        neighbor_rows = found.indices
        return self._job(
            target,
            class_index,
            class_key,
            n_new=n_new,
            first_row=first_row,
            source=X,
            bases=danger_rows,
            neighbors=neighbor_rows,
            damp=target.encoded[neighbor_rows] != class_index,
        )


class ADASYN(_BoundarySampler):
    """Adaptive synthetic sampling: more synthetic rows where a class is harder to learn.

    A drop-in for ``imblearn.over_sampling.ADASYN``. Each row of a class to over-sample
    gets a weight: the share of other-class rows among its ``n_neighbors`` nearest rows
    (all rows, itself excluded). The rows to generate are split among the class rows in
    proportion to the weights with largest-remainder rounding, so the counts sum exactly
    to the number requested (imbalanced-learn rounds each row and its totals drift).
    Each synthetic row interpolates from its base towards one of the base's
    ``n_neighbors`` nearest rows of its own class.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    n_neighbors : int or estimator with ``kneighbors``, default=5
        Neighbours of the weights (all rows) and of the interpolation (same class: a
        class to over-sample needs ``n_neighbors + 1`` rows). An estimator is fitted on
        all rows for the weights and on each class for the interpolation; its own
        ``n_neighbors`` counts the row itself, as in imbalanced-learn.
    neighbors : {"auto", "exact", "approx", "pynndescent"} or estimator, default="auto"
        Backend of the same-class search (as for :class:`fastsmote.SMOTE`) and of the
        weight search among all rows, as for :class:`BorderlineSMOTE`.
    {working_memory}

    Attributes
    ----------
    n_synthetic_ : dict
        ``{class: rows generated}`` (always the requested number).
    base_counts_ : dict
        ``{class: synthetic rows per class row, in input order}``.
    nn_ : estimator
        As in imbalanced-learn: the clone of an ``n_neighbors`` estimator fitted on the
        last class over-sampled, else ``NearestNeighbors(n_neighbors=n_neighbors + 1)``
        on that class's rows, fitted when first read (fastsmote's own search does not
        need it).
    all_rows_backend_ : dict
        ``{class: "exact" | "approx" | "pynndescent" | "estimator"}`` used for the
        weight search among all rows.
    sampling_strategy_, random_key_, rng_version_, neighbors_backend_, n_samples_out_
    """

    _k_param = "n_neighbors"
    _nn_attr = "nn_"
    nn_ = FittedNeighbors()
    _accept_sparse = True
    _parameter_constraints = {
        **_BoundarySampler._parameter_constraints,
        "n_neighbors": NEIGHBOR_COUNT,
        "neighbors": NEIGHBORS,
        "working_memory": WORKING_MEMORY,
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        n_neighbors=5,
        neighbors="auto",
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.neighbors = neighbors
        self.working_memory = working_memory

    def _start(self, target: Target):
        self.base_counts_ = {}
        return super()._start(target)

    def _class_job(self, X, target, class_index, label, n_new, class_key, first_row):
        rows = target.rows_of(class_index)
        found = self._all_row_neighbors(X, rows, self.n_neighbors, "n_neighbors", class_key)
        self.all_rows_backend_[label] = found.backend
        if found.estimator is not None:
            self.nn_ = found.estimator
        labels = target.encoded[found.indices]
        weights = np.count_nonzero(labels != class_index, axis=1) / labels.shape[1]
        if not weights.sum():
            raise UnsuitedDataError(
                f"ADASYN: no neighbour of any row of class {label!r} belongs to another "
                "class, so every weight is 0 (a division by zero). ADASYN is not suited "
                "to this data; use SMOTE instead."
            )
        counts = exact_shares(weights, n_new)
        self.base_counts_[label] = counts
        source, row_map, bases, neighbors = self._class_source(X, rows, label, class_key)
        return self._job(
            target,
            class_index,
            class_key,
            n_new=n_new,
            first_row=first_row,
            source=source,
            row_map=row_map,
            bases=bases,
            neighbors=neighbors,
            cum_counts=np.cumsum(counts),
        )
