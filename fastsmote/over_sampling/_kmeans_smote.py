"""KMeans-SMOTE: SMOTE inside the clusters where a class is dense enough, more rows where
its rows are sparse."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import clone

from .._kernels.arrays import column_spans
from .._kernels.clusters import csr_pairwise_distance_sum, pairwise_distance_sum
from .._random import KMEANS_SEED_STREAM, cluster_graph_stream, foreign_seed, stream_key
from .._validation import (
    Features,
    Target,
    UnsuitedDataError,
    check_model_range,
    model_rows,
    std_exponents,
)
from .._validation._params import NONE, Constraint, has_methods, int_in_range, one_of
from ..base import (
    NEIGHBOR_BACKEND,
    NEIGHBOR_COUNT,
    THREADS,
    WORKING_MEMORY,
    Deferred,
    float_rows,
    neighbors_estimator,
)
from ..neighbors import Found, is_estimator, kneighbors
from ._variants import _BoundarySampler, exact_shares

#: ``cluster_balance_threshold`` and ``density_exponent``: "auto" or a real number.
REAL = Constraint(
    lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool), "a real number"
)


def cluster_weights(X: Any, members: list, density_exponent: Any) -> np.ndarray:
    """Each kept cluster's share of the class's new rows: imbalanced-learn's sparsity
    of the cluster's rows ``members[i]`` of ``X`` (at least 2 rows; ``X`` an array or a
    canonical CSR matrix), over the sum of all. The sparsity is the rows' mean pairwise
    Euclidean distance raised to the density exponent, divided by their number; the
    "auto" exponent is ``0.16 * log(m, 1.6) ** 1.8`` for ``m`` rows.

    Where a sparsity leaves float64 (rows of extreme magnitude, a large or negative
    exponent) the shares are taken from the logarithms, on rows scaled by a power of
    two: the same shares, without overflow or underflow. A cluster of identical rows
    has sparsity 0 (infinite with a negative exponent); when every cluster's is 0, all
    weigh alike.
    """
    direct, logs = [], []
    for rows in members:
        m = rows.shape[0]
        exponent = (
            math.log(m, 1.6) ** 1.8 * 0.16 if density_exponent == "auto" else density_exponent
        )
        shift = _distance_shift(X, rows)
        mean = 2.0 * _distance_sum(X, rows, math.ldexp(1.0, shift)) / (m * m - m)
        logs.append(_log_sparsity(mean, shift, float(exponent), m))
        try:
            direct.append(mean ** float(exponent) / m if shift == 0 else math.nan)
        except (OverflowError, ZeroDivisionError):
            direct.append(math.nan)
    direct_values = np.asarray(direct, dtype=np.float64)
    total = direct_values.sum()
    if np.isfinite(direct_values).all() and 0 < total < math.inf and (direct_values > 0).all():
        return direct_values / total  # imbalanced-learn's arithmetic
    log_values = np.asarray(logs, dtype=np.float64)
    if np.isnan(log_values).any():
        raise ValueError(
            f"KMeansSMOTE: density_exponent={density_exponent!r} gives a cluster no "
            "sparsity; use a finite exponent."
        )
    if np.isposinf(log_values).any():  # identical rows under a negative exponent
        weights = np.isposinf(log_values).astype(np.float64)
    elif np.isneginf(log_values).all():
        weights = np.ones_like(log_values)
    else:
        weights = np.exp(log_values - log_values.max())
    return weights / weights.sum()


#: Rows per block where feature spans are taken over a subset of rows with NumPy.
SPAN_ROW_BLOCK = 4096


def _distance_shift(X: Any, rows: np.ndarray) -> int:
    """The power of two that brings the largest feature span among ``rows`` into
    [0.5, 1) when squared differences of such spans could leave float64, else 0 (the
    rows are not copied; a span is at least a rounding unit of its values, so scaled
    values stay far from overflow)."""
    if sparse.issparse(X):
        part = X[rows]
        spans = (part.max(axis=0).toarray() - part.min(axis=0).toarray()).ravel()
    else:
        spans = column_spans(X, np.asarray(rows, dtype=np.int64), SPAN_ROW_BLOCK)
    largest = float(np.max(spans)) if spans.size else 0.0
    return -int(std_exponents(np.array([largest]), np.array([0.0]))[0])


def _distance_sum(X: Any, rows: np.ndarray, scale: float) -> float:
    """The rows' pairwise distance sum, each value multiplied by ``scale`` first."""
    if sparse.issparse(X):
        return csr_pairwise_distance_sum(X.data, X.indices, X.indptr, rows, scale)
    return pairwise_distance_sum(X, rows, scale)


def _log_sparsity(mean: float, shift: int, exponent: float, m: int) -> float:
    """log of ``(mean * 2**-shift) ** exponent / m``: ``mean`` is the mean distance of
    the rows scaled by ``2**shift``."""
    if exponent == 0:
        return -math.log(m)
    if mean == 0:
        return -math.inf if exponent > 0 else math.inf
    return exponent * (math.log(mean) - shift * math.log(2.0)) - math.log(m)


class KMeansSMOTE(_BoundarySampler):
    """SMOTE inside clusters: cluster all rows, keep the clusters where a class is
    frequent enough, give sparser clusters more rows.

    A drop-in for ``imblearn.over_sampling.KMeansSMOTE``. All rows are clustered once by
    ``kmeans_estimator``. For each class to over-sample, a cluster is kept when the
    class's share of the cluster's rows reaches the balance threshold and the cluster
    holds at least ``k_neighbors + 1`` rows of the class. Each kept cluster gets a weight
    proportional to its sparsity (the mean pairwise distance of the class's rows in it,
    raised to ``density_exponent``, divided by their number); the class's rows are split
    among the kept clusters in proportion to the weights with largest-remainder rounding,
    so they sum **exactly** to the request (imbalanced-learn rounds each cluster's share
    up and returns a few rows more). Within a cluster it is SMOTE: a base drawn among
    the class's rows of the cluster, one of its ``k_neighbors`` nearest rows of the class
    *in the same cluster*, and a gap ``u ~ U(0, 1)``.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
        The default MiniBatchKMeans gets an int seed derived from it; a
        ``kmeans_estimator`` estimator keeps its own ``random_state``.
    k_neighbors : int or estimator with ``kneighbors``, default=2
        Same-cluster, same-class neighbours to interpolate towards. An estimator is
        fitted on the class's rows of each kept cluster; its ``n_neighbors`` counts the
        row itself, as in imbalanced-learn.
    {n_jobs}
    kmeans_estimator : int or estimator, default=None
        None: ``sklearn.cluster.MiniBatchKMeans()``; an int: the same with that many
        clusters; an estimator with ``fit``, ``predict`` and ``n_clusters`` is cloned.
    cluster_balance_threshold : "auto" or float, default="auto"
        Smallest share of the class among a cluster's rows for the cluster to be kept;
        "auto": ``n / n_total / 2`` (``n`` the class's rows to generate, ``n_total``
        those of every class). Ignored with one cluster.
    density_exponent : "auto" or float, default="auto"
        Exponent of the mean distance in the sparsity; "auto": ``0.16 * log(m, 1.6) **
        1.8`` for a cluster with ``m`` rows of the class.
    neighbors : {"exact", "approx", "pynndescent", "auto"}, default="exact"
        Backend of the ``k_neighbors`` search within each kept cluster for an int
        ``k_neighbors``. "exact" (fastsmote's exact kernels) gives imbalanced-learn's
        neighbours. "approx" (fastsmote's NN-descent graph over the class's rows of the
        cluster, seeded from ``random_state``; the same for any thread count) and
        "pynndescent" (pynndescent's graph) trade a few missed neighbours, hence
        partners a little farther, for speed on large clusters, as for
        :class:`fastsmote.SMOTE`; "auto" goes approximate in a cluster where exact
        search is estimated to take longer than the graph
        (:func:`fastsmote.neighbors.resolve_backend`). The clusters, weights and counts
        do not depend on it.
    {working_memory}

    Attributes
    ----------
    kmeans_estimator_ : estimator
        The fitted clustering.
    cluster_balance_threshold_ : "auto" or float
        The threshold used (``-inf`` with one cluster).
    nn_k_ : estimator
        As in imbalanced-learn: the fitted clone of a ``k_neighbors`` estimator, else
        ``NearestNeighbors(n_neighbors=k_neighbors + 1)`` on the class's rows of the
        last cluster used, fitted when first read.
    valid_clusters_ : dict of ndarray
        ``{class: labels of the clusters kept}`` in increasing order.
    cluster_weights_ : dict of ndarray
        ``{class: weight of each kept cluster}`` (summing to 1).
    cluster_counts_ : dict of ndarray
        ``{class: synthetic rows made in each kept cluster}``.
    neighbors_backend_ : dict
        ``{class: "exact" | "approx" | "pynndescent" | "estimator"}``: the search within
        the class's kept clusters ("approx" or "pynndescent" when "auto" went
        approximate in one of them).
    n_synthetic_ : dict
        ``{class: rows generated}`` (always the requested number).
    sampling_strategy_, random_key_, rng_version_, n_samples_out_
        As for :class:`fastsmote.SMOTE`.

    Notes
    -----
    The neighbour searches are exact unless ``neighbors`` says otherwise; a cluster's
    sparsity costs one distance per pair of the class's rows in it (no pairwise matrix
    is stored). Sparsities that would leave float64 (rows of extreme magnitude, a large
    or negative ``density_exponent``) are compared through their logarithms, so the
    weights follow the formula where imbalanced-learn's overflow or become 0; a
    negative exponent gives a cluster of identical rows (sparsity infinite) every row.
    The weights depend on the scale of X, as in imbalanced-learn: each cluster's
    exponent depends on its number of rows.
    """

    _accept_sparse = True
    _parameter_constraints = {
        **_BoundarySampler._parameter_constraints,
        "k_neighbors": NEIGHBOR_COUNT,
        "n_jobs": THREADS,
        "kmeans_estimator": [NONE, int_in_range(1), has_methods("fit", "predict")],
        "cluster_balance_threshold": [one_of("auto"), REAL],
        "density_exponent": [one_of("auto"), REAL],
        "neighbors": NEIGHBOR_BACKEND,
        "working_memory": WORKING_MEMORY,
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=2,
        n_jobs=None,
        kmeans_estimator=None,
        cluster_balance_threshold="auto",
        density_exponent="auto",
        neighbors="exact",
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.n_jobs = n_jobs
        self.kmeans_estimator = kmeans_estimator
        self.cluster_balance_threshold = cluster_balance_threshold
        self.density_exponent = density_exponent
        self.neighbors = neighbors
        self.working_memory = working_memory

    def _kmeans(self, class_key: np.uint64) -> Any:
        """The unfitted clustering: a clone of an estimator, or MiniBatchKMeans seeded
        from the key of the first class over-sampled."""
        if self.kmeans_estimator is not None and not isinstance(
            self.kmeans_estimator, numbers.Integral
        ):
            return clone(self.kmeans_estimator)
        from sklearn.cluster import MiniBatchKMeans

        seed = foreign_seed(stream_key(class_key, KMEANS_SEED_STREAM))
        if self.kmeans_estimator is None:
            return MiniBatchKMeans(random_state=seed)
        return MiniBatchKMeans(n_clusters=int(self.kmeans_estimator), random_state=seed)

    def _start(self, target: Target):
        self.valid_clusters_, self.cluster_weights_, self.cluster_counts_ = {}, {}, {}
        self.kmeans_estimator_ = self._kmeans(np.uint64(0))
        n_clusters = getattr(self.kmeans_estimator_, "n_clusters", None)
        if not isinstance(n_clusters, numbers.Integral):
            raise ValueError(
                "kmeans_estimator must have an int n_clusters parameter (as scikit-learn's "
                f"KMeans); {type(self.kmeans_estimator_).__name__} has {n_clusters!r}"
            )
        self.cluster_balance_threshold_ = (
            self.cluster_balance_threshold if n_clusters != 1 else -np.inf
        )
        self._cluster_labels = None
        self._last_cluster = None
        started = super()._start(target)
        del self.all_rows_backend_  # no search among all rows
        return started

    def _labels(self, X: np.ndarray, class_key: np.uint64) -> np.ndarray:
        """Cluster of every row (the clustering is fitted on the first call of a run)."""
        if self._cluster_labels is None:
            kmeans = self._kmeans(class_key)
            if self.kmeans_estimator is None or isinstance(
                self.kmeans_estimator, numbers.Integral
            ):
                check_model_range(X, "KMeansSMOTE's MiniBatchKMeans")
            self._cluster_labels = np.asarray(kmeans.fit_predict(model_rows(X)))
            self.kmeans_estimator_ = kmeans
        return self._cluster_labels

    def _k_rows(self) -> int:
        """Rows of the class a cluster needs: the neighbours asked for plus the row."""
        spec = self.k_neighbors
        return int(spec) + 1 if isinstance(spec, numbers.Integral) else int(spec.n_neighbors)

    def _defer_estimators(self, features: Features, target: Target, last: Any) -> None:
        if self._last_cluster is not None and isinstance(self.k_neighbors, numbers.Integral):
            estimator = neighbors_estimator(self.k_neighbors)
            self.nn_k_ = Deferred(estimator, float_rows, features, self._last_cluster)

    def _class_job(self, X, target, class_index, label, n_new, class_key, first_row):
        clusters = self._labels(X, class_key)
        if self.cluster_balance_threshold_ == "auto":
            total = sum(self.sampling_strategy_.values())
            threshold = n_new / total / 2
        else:
            threshold = self.cluster_balance_threshold_
        in_class = target.encoded == class_index
        kept, positions, members = [], [], []
        for position, cluster in enumerate(np.unique(clusters)):
            in_cluster = clusters == cluster
            rows = np.flatnonzero(in_cluster & in_class)
            if rows.size / np.count_nonzero(in_cluster) < threshold or rows.size < self._k_rows():
                continue
            kept.append(cluster)
            positions.append(position)
            members.append(rows)
        if not kept:
            raise UnsuitedDataError(
                f"No clusters found with sufficient samples of class {label!r}. Try "
                "lowering the cluster_balance_threshold or increasing the number of "
                f"clusters (KMeansSMOTE keeps a cluster where the class is at least "
                f"{threshold:.4g} of the rows and has {self._k_rows()} rows or more)."
            )
        weights = cluster_weights(X, members, self.density_exponent)
        counts = exact_shares(weights, n_new)
        self.valid_clusters_[label] = np.asarray(kept)
        self.cluster_weights_[label] = weights
        self.cluster_counts_[label] = counts
        self._last_cluster = members[-1]
        source_rows = np.concatenate(members)
        source = X[source_rows]
        sizes = np.array([rows.size for rows in members], dtype=np.int64)
        neighbors, backends, start = [], set(), 0
        for position, size in zip(positions, sizes, strict=True):
            within = np.arange(start, start + size)
            key = stream_key(class_key, cluster_graph_stream(position))
            found = self._cluster_neighbors(source, within, key)
            neighbors.append(found.indices + start)
            backends.add(found.backend)
            start += size
        # "auto" decides per cluster: record the approximate backend if one cluster used it
        self.neighbors_backend_[label] = min(backends, key=lambda name: name == "exact")
        return self._job(
            target,
            class_index,
            class_key,
            n_new=n_new,
            first_row=first_row,
            source=source,
            row_map=source_rows,
            bases=np.arange(source_rows.size, dtype=np.int64),
            neighbors=np.ascontiguousarray(np.concatenate(neighbors), dtype=np.int64),
            groups=np.column_stack([np.cumsum(sizes), np.cumsum(counts)]).astype(np.int64),
            steps=np.ones(sizes.size),
        )

    def _cluster_neighbors(self, source: np.ndarray, within: np.ndarray, key: np.uint64) -> Found:
        """Same-cluster neighbours of the rows ``within`` of ``source`` (positions in
        ``within``); ``key``: the cluster's graph key."""
        if is_estimator(self.k_neighbors):
            found = kneighbors(source, None, within=within, backend=self.k_neighbors,
                               param="k_neighbors")  # fmt: skip
            self.nn_k_ = found.estimator
            return found
        return kneighbors(
            source,
            int(self.k_neighbors),
            within=within,
            backend=self.neighbors,
            key=key,
            working_memory=self._working_memory_mib,
        )
