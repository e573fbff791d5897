"""SMOTE: Synthetic Minority Over-sampling TEchnique on fastsmote's kernels."""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.utils.validation import _num_samples

from .._config import get_config
from .._memory import budget_bytes, rows_per_chunk
from .._numba import numba_threads
from .._progress import phase
from .._random import (
    CLASS_GRAPH_STREAM,
    RNG_VERSION,
    class_stream,
    key_from_random_state,
    stream_key,
)
from .._validation import (
    Features,
    Target,
    check_finite,
    check_neighbor_count,
    check_out_array,
)
from ..base import (
    NEIGHBOR_COUNT,
    NEIGHBORS,
    SEED,
    WORKING_MEMORY,
    BaseSampler,
    Deferred,
    FittedNeighbors,
    RowOrigins,
    float_rows,
    neighbors_estimator,
)
from ..neighbors import is_estimator, kneighbors
from ._plan import ClassJob, SmotePlan, SyntheticProvenance
from ._sparse import stack_synthetic


class _InterpolatingSampler(BaseSampler):
    """Shared by the SMOTE family: neighbour search per class, keys, output allocation."""

    _sampling_type = "over-sampling"
    _parameter_constraints = {**BaseSampler._parameter_constraints, "random_state": SEED}

    # ------------------------------------------------------------------ neighbours
    #: Name of the parameter giving the neighbour count (ADASYN calls it n_neighbors).
    _k_param = "k_neighbors"
    #: imbalanced-learn's fitted estimator of that parameter (ADASYN's is ``nn_``).
    _nn_attr = "nn_k_"
    nn_k_ = FittedNeighbors()

    def _check_class_size(self, label: Any, n_class: int, spec: Any) -> None:
        """A class to over-sample needs more rows than neighbours: say which and what
        works (``spec``: an int or an estimator whose n_neighbors counts the row)."""
        check_neighbor_count(
            spec,
            self._k_param,
            n_class,
            f"Class {label!r}",
            "SMOTE needs 2 or more rows of a class to interpolate; remove the class from "
            "sampling_strategy, gather more rows, or copy its row with RandomOverSampler",
        )

    def _check_neighbors(self, target: Target) -> None:
        counts = target.class_counts()
        for label, n_new in self.sampling_strategy_.items():
            if n_new > 0:
                self._check_class_size(label, counts[label], getattr(self, self._k_param))

    def _class_neighbors(
        self, X: np.ndarray, rows: np.ndarray | None, label: Any, class_key: np.uint64
    ) -> np.ndarray:
        """(n_class, k) positions in ``rows`` (rows of ``X``; None: all of them) of each
        class row's same-class neighbours."""
        n_class = X.shape[0] if rows is None else rows.size
        k_spec = getattr(self, self._k_param)
        self._check_class_size(label, n_class, k_spec)
        if is_estimator(k_spec):  # imbalanced-learn style: its n_neighbors counts the row
            found = kneighbors(X, None, within=rows, backend=k_spec, param=self._k_param)
            setattr(self, self._nn_attr, found.estimator)
        else:
            found = kneighbors(
                X,
                int(k_spec),
                within=rows,
                backend=self.neighbors,
                key=stream_key(class_key, CLASS_GRAPH_STREAM),
                working_memory=self._working_memory_mib,
            )
        self.neighbors_backend_[label] = found.backend
        return found.indices

    def _class_source(
        self, X: np.ndarray, rows: np.ndarray, label: Any, class_key: np.uint64
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
        """Where one class's synthetic rows are interpolated from: ``(source, row map,
        bases, neighbour table)``, bases and neighbours being rows of ``source``.

        The class is copied into a contiguous block when the copy fits the
        working-memory budget (the row map gives the copy's input rows): generation then
        gathers from compact, cache-friendly memory. A larger class is searched and read
        in place (``source`` is ``X``, no row map). The values are the same either way.
        """
        with phase(f"neighbour search, class {label} ({rows.size:,} rows)"):
            if rows.size * X.shape[1] * X.dtype.itemsize <= budget_bytes(self._working_memory_mib):
                X_class = X[rows]
                neighbors = self._class_neighbors(X_class, None, label, class_key)
                return X_class, rows, np.arange(rows.size), neighbors
            neighbors = self._class_neighbors(X, rows, label, class_key)
        step = rows_per_chunk(neighbors.shape[1] * 16, self._working_memory_mib)
        for start in range(0, rows.shape[0], step):  # positions -> rows of X, in place
            neighbors[start : start + step] = rows[neighbors[start : start + step]]
        return X, None, rows, neighbors

    # ------------------------------------------------------------------ plan
    def _plan(self, target: Target) -> list[tuple[int, Any, int, int]]:
        """(class index, label, rows to generate, first output row) per class."""
        plan, start = [], target.labels.shape[0]
        for label, n_new in self.sampling_strategy_.items():
            if n_new > 0:
                plan.append((target.class_index(label), label, int(n_new), start))
                start += n_new
        return plan

    def _start(self, target: Target) -> tuple[np.uint64, list]:
        """Draw the key and record it; return it with the per-class plan."""
        key = key_from_random_state(self.random_state)
        self.random_key_ = int(key)
        self.rng_version_ = RNG_VERSION
        self.neighbors_backend_ = {}
        # unfitted until a class is searched, as imbalanced-learn's
        setattr(self, self._nn_attr, neighbors_estimator(getattr(self, self._k_param)))
        return key, self._plan(target)

    def _defer_class_estimator(
        self, source: Any, row_map: np.ndarray | None, data: Any, rows: np.ndarray
    ) -> None:
        """For an int neighbour count, ``nn_k_`` (ADASYN: ``nn_``) is imbalanced-learn's
        ``NearestNeighbors(k + 1)`` on the last class searched, fitted when first read:
        on ``source`` when it is a copy of the class (``row_map`` given), else on the
        rows ``rows`` of ``data``."""
        spec = getattr(self, self._k_param)
        if not isinstance(spec, numbers.Integral):
            return  # the estimator fitted by the search is already in place
        args = (source, None) if row_map is not None else (data, rows)
        setattr(self, self._nn_attr, Deferred(neighbors_estimator(spec), float_rows, *args))

    def _sparse_synthetic(
        self, features: Any, target: Target, key: np.uint64
    ) -> tuple[Any, list[tuple[int, int]], ClassJob | None]:
        """Sparse X: the CSR output (input rows, then the synthetic rows of every class),
        ``(class index, rows added)`` per class, and the last job (None: no class)."""
        X = features.as_float_array()
        origins, added, job = [], [], None
        with numba_threads(get_config()["n_threads"]):
            for job in self._jobs(X, target, key, features.n_samples):
                origins.append(job.origins())  # input rows: the class is searched only
                added.append((job.class_index, job.n_new))
        return stack_synthetic(X, origins), added, job

    def _allocate(self, features: Features, out: np.ndarray | None) -> np.ndarray:
        """The output array (checked or allocated), with the input rows copied in."""
        shape = (self.n_samples_out_, features.n_features)
        if out is None:  # fit_resample checked that it fits
            out = np.empty(shape, dtype=features.dtype)
        else:
            check_out_array(out, shape, features.dtype)
        check_finite(out[: features.n_samples], row=features.write_into(out))
        return out

    # ------------------------------------------------------------------ provenance
    def _require_resampled(self, method: str) -> None:
        """Raise, naming ``method``, unless ``fit_resample`` has run (``fit`` only
        checks the parameters and data: there are no rows to trace)."""
        if not hasattr(self, "random_key_"):
            raise AttributeError(
                f"{method}() needs a resampled sampler: call {type(self).__name__}"
                ".fit_resample(X, y) first."
            )

    def provenance(self, X: Any, y: Any) -> SyntheticProvenance:
        """Recompute where every synthetic row of the last ``fit_resample`` came from.

        Nothing is stored during resampling: the draws are recomputed from
        ``random_key_`` and the neighbours from ``X`` and ``y``, which must be the data
        passed to ``fit_resample``.

        Parameters
        ----------
        X, y : array-like
            The inputs given to ``fit_resample``.

        Returns
        -------
        SyntheticProvenance
        """
        self._require_resampled("provenance")
        data, target = self._validate(X, y)
        plan = self._origin_plan(data, target, np.uint64(self.random_key_))
        return plan.provenance(target.classes)

    def row_origins(self, X: Any, y: Any) -> RowOrigins:
        """Where every output row comes from: input rows are their own origin,
        synthetic rows have a base, a partner and a gap (see :meth:`provenance`).

        Parameters
        ----------
        X, y : array-like
            The inputs given to ``fit_resample``.

        Returns
        -------
        RowOrigins
        """
        self._require_resampled("row_origins")
        synthetic = self.provenance(X, y)
        n = _num_samples(X)
        copies = RowOrigins.copies(np.arange(n), n)
        return RowOrigins(
            np.concatenate([copies.source, synthetic.base]),
            np.concatenate([copies.partner, synthetic.neighbor]),
            np.concatenate([copies.gap, synthetic.gap]),
            n,
        )

    def _origin_plan(self, data: Any, target: Target, key: np.uint64) -> SmotePlan:
        """The plan of the last ``fit_resample`` on ``data``, ``target`` (see
        :meth:`provenance`)."""
        n = data.n_samples
        return SmotePlan(list(self._jobs(data.as_float_array(), target, key, n)), n)

    def _jobs(
        self, X: np.ndarray, target: Target, key: np.uint64, first_row: int
    ) -> Iterator[ClassJob]:
        """The job of each class with rows to generate, in output order, searched one
        class at a time as they are consumed; ``target`` numbers the rows of ``X``,
        ``first_row`` is the output row of the first synthetic row."""
        for class_index, label, n_new, _ in self._plan(target):
            class_key = stream_key(key, class_stream(class_index))
            job = self._class_job(X, target, class_index, label, n_new, class_key, first_row)
            if job is not None:
                yield job
                first_row += n_new

    def _class_job(
        self,
        X: np.ndarray,
        target: Target,
        class_index: int,
        label: Any,
        n_new: int,
        class_key: np.uint64,
        first_row: int,
    ) -> ClassJob | None:
        """The job of one class (None: nothing to generate for it)."""
        raise NotImplementedError

    def _defer_job_estimator(self, job: ClassJob | None, data: Any, target: Target) -> None:
        """:meth:`_defer_class_estimator` for the last job that generated rows."""
        if job is not None:
            rows = target.rows_of(job.class_index)
            self._defer_class_estimator(job.source, job.row_map, data, rows)


class SMOTE(_InterpolatingSampler):
    """Over-sample minority classes by interpolating between same-class neighbours.

    A drop-in for ``imblearn.over_sampling.SMOTE`` with exact, reproducible Numba
    kernels. For every class to over-sample, its ``k_neighbors`` nearest same-class
    neighbours are found by exact Euclidean search (each row excluded from its own
    neighbours by position, so duplicate rows count as neighbours; ties go to the
    lower row). Each synthetic row takes a base row of the class uniformly at random,
    one of its neighbours uniformly at random and a gap ``u ~ U(0, 1)`` shared by all
    features: ``base + u * (neighbor - base)``.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
        The same holds for any ``chunk_rows`` of :meth:`fit_resample_iter`.
    k_neighbors : int or estimator with ``kneighbors``, default=5
        Neighbours used to build synthetic rows; a class to over-sample needs
        ``k_neighbors + 1`` rows (never lowered: a ``ValueError`` names the class and
        the largest value that works). An estimator (e.g.
        ``NearestNeighbors(n_neighbors=6)``) is fitted on each class; as in
        imbalanced-learn its ``n_neighbors`` counts the row itself, which is dropped
        by position.
    neighbors : {"auto", "exact", "approx", "pynndescent"} or estimator, default="auto"
        How the ``k_neighbors`` neighbours are found when ``k_neighbors`` is an int.
        "exact": fastsmote's exact kernels. "approx": fastsmote's NN-descent graph with
        ``max(24, 5k)`` neighbours per row up to 32 features, ``max(60, 5k)`` beyond
        (``max(80, 5k)`` for classes above 300k rows), which keeps recall@k >= 0.95
        (seeded from ``random_state``; the same for any thread count). "pynndescent":
        pynndescent's graph of the same size (compiled anew in each process). "auto":
        exact unless exact search of the class is estimated to take longer than the
        NN-descent graph (:func:`fastsmote.neighbors.resolve_backend`; the measured
        crossover is in the performance guide). An estimator with ``fit``/``kneighbors``
        is fitted per class and asked for ``k_neighbors + 1`` neighbours, the row itself
        dropped by position.
    {working_memory}
        It is also the default chunk size of :meth:`fit_resample_iter`.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: number of synthetic rows}`` for the classes that were resampled.
    random_key_ : int
        The 64-bit key the draws came from (see :meth:`provenance`).
    rng_version_ : int
        Version of the draw scheme (:data:`fastsmote._random.RNG_VERSION`).
    nn_k_ : estimator
        As in imbalanced-learn: the clone of a ``k_neighbors`` estimator fitted on the
        last class over-sampled, else ``NearestNeighbors(n_neighbors=k_neighbors + 1)``
        on that class's rows, fitted when first read (fastsmote's own search does not
        need it; unfitted when no class is over-sampled).
    neighbors_backend_ : dict
        ``{class: "exact" | "approx" | "estimator"}``: the search used for each class
        that was over-sampled (what ``neighbors="auto"`` resolved to).
    classes_ : ndarray
        Sorted class labels.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, present when X was a DataFrame with string columns

    Notes
    -----
    Output layout: a copy of X in the original order, then the synthetic rows grouped
    by class in sorted label order, like imbalanced-learn. float32 data is computed and
    returned as float32; integer and boolean data as float64 (synthetic values are not
    integers). X is never modified. A class that must be over-sampled needs more than
    ``k_neighbors`` rows; otherwise a ``ValueError`` names the class and the largest
    ``k_neighbors`` that works.
    """

    _sampling_type = "over-sampling"
    _accept_sparse = True
    _parameter_constraints = {
        **_InterpolatingSampler._parameter_constraints,
        "k_neighbors": NEIGHBOR_COUNT,
        "neighbors": NEIGHBORS,
        "working_memory": WORKING_MEMORY,
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        neighbors="auto",
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.neighbors = neighbors
        self.working_memory = working_memory

    def _class_job(self, X, target, class_index, label, n_new, class_key, first_row):
        source, row_map, bases, neighbors = self._class_source(
            X, target.rows_of(class_index), label, class_key
        )
        return ClassJob(
            class_index=class_index,
            label=target.classes[class_index],
            key=class_key,
            n_new=n_new,
            first_row=first_row,
            source=source,
            bases=bases,
            neighbors=neighbors,
            row_map=row_map,
        )

    def _fit_resample(self, features: Features, target: Target, out: np.ndarray | None):
        key, plan = self._start(target)
        if features.sparse:
            X_out, _, job = self._sparse_synthetic(features, target, key)
            self._defer_job_estimator(job, features, target)
            return X_out, target.extended([(p[0], p[2]) for p in plan])
        out = self._allocate(features, out)
        X = out[: features.n_samples]
        job = None
        with numba_threads(get_config()["n_threads"]):
            # one class at a time: its neighbour table is dropped before the next search
            for job in self._jobs(X, target, key, features.n_samples):
                SmotePlan([job], features.n_samples).generate(out)
        self._defer_job_estimator(job, features, target)
        y_out = target.extended([(p[0], p[2]) for p in plan])
        return out, y_out

    def fit_resample_iter(
        self,
        X: Any,
        y: Any,
        *,
        chunk_rows: int | None = None,
        working_memory: int | None = None,
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Resample in chunks: the same rows as :meth:`fit_resample`, never all at once.

        Yields the input rows in order, then the synthetic rows class by class, as
        NumPy arrays ``(X_chunk, y_chunk)``. Concatenated, the chunks equal
        ``fit_resample(X, y)`` bit for bit (same ``random_state``), whatever
        ``chunk_rows`` is. A chunk never spans the input/synthetic boundary or two
        classes. Memory: the input (converted to float if needed), the neighbour tables
        and one chunk.

        Parameters
        ----------
        X, y : array-like
            As for :meth:`fit_resample`.
        chunk_rows : int, optional
            Rows per chunk; by default as many as fit the ``working_memory`` budget.
        working_memory : int, optional
            Budget in MiB for one chunk, for this call only (like scikit-learn's
            ``pairwise_distances_chunked``); by default the sampler's ``working_memory``,
            else ``get_config()["working_memory"]``.

        Yields
        ------
        X_chunk : ndarray of shape (n_rows, n_features)
        y_chunk : ndarray of shape (n_rows,) (class codes for one-hot targets)
        """
        features, target = self._validate(X, y)
        if features.sparse:
            raise TypeError(
                "fit_resample_iter needs dense X; fit_resample takes sparse X and returns "
                "a sparse result."
            )
        if working_memory is not None and (
            not isinstance(working_memory, numbers.Integral) or working_memory < 1
        ):
            raise ValueError(
                f"working_memory must be a positive int (MiB), got {working_memory!r}"
            )
        if chunk_rows is None:
            row_bytes = features.n_features * features.dtype.itemsize
            chunk_rows = rows_per_chunk(row_bytes, working_memory or self._working_memory_mib)
        elif not isinstance(chunk_rows, numbers.Integral) or chunk_rows < 1:
            raise ValueError(f"chunk_rows must be a positive int, got {chunk_rows!r}")
        key, _ = self._start(target)
        X_float = features.as_float_array()
        check_finite(X_float)
        n = features.n_samples
        labels = target.extended([])
        for start in range(0, n, chunk_rows):
            stop = min(n, start + chunk_rows)
            yield X_float[start:stop].copy(), labels[start:stop].copy()
        smote_plan = self._searched_plan(X_float, target, key, n, features)
        yield from _labelled_chunks(smote_plan, target, chunk_rows)

    def _searched_plan(
        self, X: np.ndarray, rows_target: Target, key: np.uint64, n_samples: int, data=None
    ) -> SmotePlan:
        """The plan with every class searched; ``rows_target`` numbers the rows of ``X``
        (the whole target, or the over-sampled classes only when streaming); ``data``:
        the input ``X`` comes from, if any (see :meth:`_defer_class_estimator`)."""
        with numba_threads(get_config()["n_threads"]):
            jobs = list(self._jobs(X, rows_target, key, n_samples))
        last = jobs[-1] if jobs else None
        self._defer_job_estimator(last, X if data is None else data, rows_target)
        return SmotePlan(jobs, n_samples)

    # ------------------------------------------------------------------ streaming (private)
    # For ``fastsmote.io``: the input rows are streamed from disk to the output by the
    # caller; only the rows of the classes to over-sample are handed over. Same key,
    # plan, class streams and neighbour tables as ``fit_resample``, hence the same rows.
    def _stream_fit_target(self, y: Any) -> Target:
        """Streaming step 1: check the parameters and the target of *all* rows.

        Resolves ``sampling_strategy_``, ``classes_`` and ``n_samples_out_`` and checks
        that every class to over-sample is large enough for ``k_neighbors``, before any
        feature is read.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Labels of every input row, in input order.

        Returns
        -------
        Target
            To pass to :meth:`_stream_synthetic`. The classes to collect are the keys
            of ``sampling_strategy_`` with a positive count.
        """
        from .._validation import check_sampling_strategy, check_target

        self._check_params()
        target = check_target(y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, target, self._sampling_type
        )
        self.classes_ = target.classes
        self.n_samples_out_ = target.labels.shape[0] + sum(self.sampling_strategy_.values())
        self._check_neighbors(target)
        return target

    def _stream_synthetic(
        self, target: Target, X_classes: np.ndarray, *, chunk_rows: int | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Streaming step 2: the synthetic rows of ``fit_resample``, in chunks.

        Parameters
        ----------
        target : Target
            From :meth:`_stream_fit_target` (all rows).
        X_classes : float ndarray of shape (n_rows_of_those_classes, n_features)
            The input rows of the classes to over-sample (positive
            ``sampling_strategy_``), in input order, finite, C-contiguous, in the dtype
            ``fit_resample`` would compute in (float32 or float64).

        Yields
        ------
        X_chunk, y_chunk : the synthetic rows class by class, as the tail of
            ``fit_resample_iter`` yields them (bit-identical for the same key).
        """
        from .._validation import Target as _Target

        key, plan = self._start(target)
        collect = np.zeros(target.classes.size, dtype=bool)
        collect[[class_index for class_index, *_ in plan]] = True
        selected = collect[target.encoded]
        if X_classes.ndim != 2 or X_classes.shape[0] != int(np.count_nonzero(selected)):
            raise ValueError(
                f"X_classes must hold the {int(np.count_nonzero(selected))} rows of the "
                f"classes to over-sample; got shape {X_classes.shape}."
            )
        self.n_features_in_ = X_classes.shape[1]
        # The same classes and counts, rows renumbered within X_classes: class indices
        # (hence stream keys) and the plan are those of the full target.
        sub = _Target(
            target.labels[selected],
            target.classes,
            target.encoded[selected],
            target.counts,
            target.one_vs_all,
        )
        if chunk_rows is None:
            row_bytes = X_classes.shape[1] * X_classes.dtype.itemsize
            chunk_rows = rows_per_chunk(row_bytes, self._working_memory_mib)
        smote_plan = self._searched_plan(X_classes, sub, key, target.labels.shape[0])
        yield from _labelled_chunks(smote_plan, target, chunk_rows)


def _labelled_chunks(
    plan: SmotePlan, target: Target, chunk_rows: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(X_chunk, y_chunk)`` of :meth:`SmotePlan.chunks`, labels as ``fit_resample``
    returns them (class codes for one-hot targets)."""
    for job, rows in plan.chunks(chunk_rows):
        yield rows, np.full(rows.shape[0], target.output_value(job.class_index))
