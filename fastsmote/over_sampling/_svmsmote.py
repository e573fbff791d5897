"""SVM-SMOTE: SMOTE from a class's support vectors, inwards where the class is in danger
and outwards where it is safe."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import clone

from .._kernels.sampling import priorities
from .._random import SVM_SEED_STREAM, SVM_SPLIT_STREAM, foreign_seed, stream_key
from .._validation import Features, Target, check_neighbor_count, model_rows
from .._validation._params import NONE, Constraint, has_methods
from ..base import (
    NEIGHBOR_BACKEND,
    NEIGHBOR_COUNT,
    WORKING_MEMORY,
    Deferred,
    FittedNeighbors,
    float_rows,
    neighbors_estimator,
)
from ._variants import _BoundarySampler

#: ``out_step``: a real in [0, 1], as imbalanced-learn's.
OUT_STEP = Constraint(
    lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool) and 0 <= v <= 1,
    "a float in the range [0, 1]",
)

#: Beta(10, 10) is the 10th smallest of 19 uniform draws.
_BETA_DRAWS, _BETA_RANK = 19, 9


def interpolated_share(class_key: np.uint64) -> float:
    """SVM-SMOTE's Beta(10, 10) share of a class's rows that interpolate: the 10th
    smallest of draws ``0 .. 18`` of the class's split stream, as uniforms in [0, 1)."""
    draws = np.sort(priorities(stream_key(class_key, SVM_SPLIT_STREAM), _BETA_DRAWS))
    return float(draws[_BETA_RANK] >> np.uint64(11)) / 2.0**53


#: Values per block of the variance's passes (no temporary the size of X).
VARIANCE_BLOCK = 1 << 20


def _variance(X: Any) -> float:
    """The variance of every value of X (a sparse matrix's absent entries are zeros), in
    float64, by two passes over blocks of about ``VARIANCE_BLOCK`` values."""
    n = X.shape[0] * X.shape[1]
    if n == 0:
        return 0.0
    if sparse.issparse(X):
        step = VARIANCE_BLOCK
        blocks = [X.data[i : i + step] for i in range(0, X.data.size, step)]
        absent = n - X.data.size
    else:
        step = max(1, VARIANCE_BLOCK // X.shape[1])
        blocks = [X[i : i + step] for i in range(0, X.shape[0], step)]  # views
        absent = 0
    with np.errstate(all="ignore"):  # an overflow or underflow is what is checked
        mean = sum(float(block.sum(dtype=np.float64)) for block in blocks) / n
        squares = absent * mean * mean
        for block in blocks:
            deviation = block.astype(np.float64).ravel() - mean
            squares += float(np.dot(deviation, deviation))
        return squares / n


def _check_scale_gamma(X: Any) -> None:
    """Raise unless the default SVC's ``gamma='scale'``, ``1 / (n_features * X.var())``,
    is usable: at extreme magnitudes the variance underflows or overflows float64 and
    the SVM is fitted with a degenerate kernel (every row or no row a support vector)."""
    variance = _variance(X)
    if variance == 0 and X.max() == X.min():
        return  # every value equal: scikit-learn takes gamma = 1
    if np.isfinite(variance) and variance >= np.finfo(np.float64).tiny:
        if np.isfinite(1.0 / (X.shape[1] * variance)):
            return
    raise ValueError(
        f"SVMSMOTE: the default SVC's gamma='scale' is 1 / (n_features * X.var()), and "
        f"X.var() = {variance:.3g} does not fit float64 at this magnitude of X. Scale the "
        "features (e.g. with sklearn.preprocessing.StandardScaler), or pass an "
        "svm_estimator with a gamma of its own."
    )


class SVMSMOTE(_BoundarySampler):
    """SMOTE from the support vectors of an SVM: towards the class where it is in danger,
    away from the neighbour where it is safe.

    A drop-in for ``imblearn.over_sampling.SVMSMOTE``. An SVM (``svm_estimator``) is
    fitted on all rows; the bases of a class are its support vectors. Each support
    vector's ``m_neighbors`` nearest rows among all rows (itself excluded by position)
    decide its role: all of another class, it is noise and dropped; at least half of
    another class, it is *in danger*; otherwise it is *safe*. A synthetic row from a
    danger base interpolates towards one of the base's ``k_neighbors`` nearest rows of
    its class (``base + u * (neighbor - base)``, ``u ~ U(0, 1)``); from a safe base it
    extrapolates away from it (``base - out_step * u * (neighbor - base)``). The share
    of a class's rows that interpolate is ``int(b * (n + 1))`` with ``b ~ Beta(10, 10)``
    when the class has both kinds of bases, as in imbalanced-learn; when it has only
    one kind, that kind makes all ``n`` rows (imbalanced-learn then makes only its
    share, so its counts fall short of the request).

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
        The default SVC gets an int seed derived from it; an ``svm_estimator`` keeps its
        own ``random_state``.
    k_neighbors : int or estimator with ``kneighbors``, default=5
        Same-class neighbours to interpolate towards or extrapolate from (a class needs
        ``k_neighbors + 1`` rows). An estimator is fitted on the class; its
        ``n_neighbors`` counts the row itself, as in imbalanced-learn.
    m_neighbors : int or estimator with ``kneighbors``, default=10
        Neighbours among all rows deciding noise / danger / safe (X needs
        ``m_neighbors + 1`` rows). An estimator is fitted on all rows; its
        ``n_neighbors`` counts the row itself.
    svm_estimator : estimator with ``fit`` and ``support_``, default=None
        The SVM; None: ``sklearn.svm.SVC(gamma="scale")``. It is cloned and fitted once
        on all rows (imbalanced-learn refits the same clone once per class).
    out_step : float in [0, 1], default=0.5
        Largest step, as a share of the distance to the neighbour, of an extrapolated
        row beyond its safe base.
    neighbors : {"exact", "approx", "pynndescent", "auto"}, default="exact"
        Backend of the two searches for int neighbour counts: the ``m_neighbors`` of
        each support vector among all rows and the ``k_neighbors`` within its class (an
        estimator given for either searches that one). "exact" (fastsmote's exact
        kernels) gives imbalanced-learn's roles and neighbours. "approx" (fastsmote's
        NN-descent graph, seeded from ``random_state``; the same for any thread count)
        and "pynndescent" (pynndescent's graph) trade a few missed neighbours, hence a
        few support vectors with another role and partners a little farther, for speed
        where the searches rather than the SVM's fit take the time (many rows and a
        fast SVM), as for :class:`fastsmote.SMOTE`; "auto" goes approximate for a search
        where exact search is estimated to take longer than the graph
        (:func:`fastsmote.neighbors.resolve_backend`).
    {working_memory}

    Attributes
    ----------
    svm_estimator_ : estimator
        The fitted SVM.
    nn_m_ : estimator
        As in imbalanced-learn: the fitted clone of an ``m_neighbors`` estimator, else
        ``NearestNeighbors(n_neighbors=m_neighbors + 1)`` on all rows, fitted when
        first read (fastsmote's own search does not need it).
    nn_k_ : estimator
        The same for ``k_neighbors``, on the last class over-sampled.
    all_rows_backend_ : dict
        ``{class: "exact" | "approx" | "pynndescent" | "estimator"}``: the
        ``m_neighbors`` search among all rows.
    neighbors_backend_ : dict
        ``{class: backend}`` of the ``k_neighbors`` search within the class.
    danger_indices_ : dict of ndarray
        ``{class: input rows of the support vectors in danger}`` (interpolated from).
    safe_indices_ : dict of ndarray
        ``{class: input rows of the safe support vectors}`` (extrapolated from).
    n_synthetic_ : dict
        ``{class: rows generated}`` (always the requested number).
    sampling_strategy_, random_key_, rng_version_, n_samples_out_
        As for :class:`fastsmote.SMOTE`.

    Notes
    -----
    The neighbour searches are exact unless ``neighbors`` says otherwise. Per-row values
    resampled with :meth:`RowOrigins.take` are extrapolated like the rows for synthetic
    rows from safe bases (their ``gap`` is negative), so they may leave their parents'
    range.
    """

    nn_m_ = FittedNeighbors()
    _accept_sparse = True
    _parameter_constraints = {
        **_BoundarySampler._parameter_constraints,
        "k_neighbors": NEIGHBOR_COUNT,
        "m_neighbors": NEIGHBOR_COUNT,
        "svm_estimator": [NONE, has_methods("fit", "predict")],
        "out_step": [OUT_STEP],
        "neighbors": NEIGHBOR_BACKEND,
        "working_memory": WORKING_MEMORY,
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        m_neighbors=10,
        svm_estimator=None,
        out_step=0.5,
        neighbors="exact",
        working_memory=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.m_neighbors = m_neighbors
        self.svm_estimator = svm_estimator
        self.out_step = out_step
        self.neighbors = neighbors
        self.working_memory = working_memory

    def _start(self, target: Target):
        self.danger_indices_, self.safe_indices_ = {}, {}
        self.nn_m_ = neighbors_estimator(self.m_neighbors)
        self._svm_fitted = False
        self.svm_estimator_ = self._svm(np.uint64(0))
        return super()._start(target)

    def _svm(self, class_key: np.uint64) -> Any:
        """The unfitted SVM: a clone of ``svm_estimator``, or the default SVC seeded from
        the key of the first class over-sampled."""
        if self.svm_estimator is not None:
            return clone(self.svm_estimator)
        from sklearn.svm import SVC

        seed = foreign_seed(stream_key(class_key, SVM_SEED_STREAM))
        return SVC(gamma="scale", random_state=seed)

    def _support_rows(self, X: np.ndarray, target: Target, class_key: np.uint64) -> np.ndarray:
        """Row numbers of the SVM's support vectors (fitted on the first call of a run)."""
        if not self._svm_fitted:
            svm = self._svm(class_key)
            if self.svm_estimator is None:
                _check_scale_gamma(X)
            svm.fit(model_rows(X), target.encoded if target.one_vs_all else target.labels)
            if not hasattr(svm, "support_"):
                raise RuntimeError(
                    f"svm_estimator ({type(svm).__name__}) has no fitted attribute "
                    "'support_': SVMSMOTE needs a support vector machine, such as "
                    "sklearn.svm.SVC."
                )
            self.svm_estimator_, self._svm_fitted = svm, True
        return np.asarray(self.svm_estimator_.support_, dtype=np.int64)

    def _check_neighbors(self, target: Target) -> None:
        if not any(n_new > 0 for n_new in self.sampling_strategy_.values()):
            return
        check_neighbor_count(self.m_neighbors, "m_neighbors", target.labels.shape[0], "X")
        super()._check_neighbors(target)  # k_neighbors: same-class neighbours

    def _defer_estimators(self, features: Features, target: Target, last: Any) -> None:
        if isinstance(self.m_neighbors, numbers.Integral):
            estimator = neighbors_estimator(self.m_neighbors)
            self.nn_m_ = Deferred(estimator, float_rows, features, None)
        super()._defer_estimators(features, target, last)

    def _class_job(self, X, target, class_index, label, n_new, class_key, first_row):
        support = self._support_rows(X, target, class_key)
        sv_rows = support[target.encoded[support] == class_index]
        if not sv_rows.size:
            raise ValueError(
                f"SVMSMOTE: the SVM has no support vector of class {label!r}, so there is "
                "no base row. SVM-SMOTE is not adapted to your dataset; try another SMOTE "
                "variant."
            )
        found = self._all_row_neighbors(X, sv_rows, self.m_neighbors, "m_neighbors", class_key)
        self.all_rows_backend_[label] = found.backend
        if found.estimator is not None:
            self.nn_m_ = found.estimator
        m = found.indices.shape[1]
        n_other = np.count_nonzero(target.encoded[found.indices] != class_index, axis=1)
        sv_rows, n_other = sv_rows[n_other < m], n_other[n_other < m]  # noise dropped
        if not sv_rows.size:
            raise ValueError(
                f"SVMSMOTE: every support vector of class {label!r} is noise (all its "
                f"m_neighbors={self.m_neighbors} nearest rows are of other classes). "
                "SVM-SMOTE is not adapted to your dataset; try another SMOTE variant."
            )
        danger = n_other >= m / 2
        self.danger_indices_[label] = sv_rows[danger]
        self.safe_indices_[label] = sv_rows[~danger]
        n_danger = int(np.count_nonzero(danger))
        if 0 < n_danger < sv_rows.size:
            n_interpolated = int(interpolated_share(class_key) * (n_new + 1))
        else:
            n_interpolated = n_new if n_danger else 0
        source, row_map, bases, neighbors = self._class_source(
            X, target.rows_of(class_index), label, class_key
        )
        # support vectors as positions among the class's rows (rows_of is increasing)
        positions = np.searchsorted(target.rows_of(class_index), sv_rows)
        order = np.concatenate([positions[danger], positions[~danger]])
        return self._job(
            target,
            class_index,
            class_key,
            n_new=n_new,
            first_row=first_row,
            source=source,
            row_map=row_map,
            bases=bases[order],
            neighbors=neighbors[order],
            groups=np.array([[n_danger, n_interpolated], [sv_rows.size, n_new]], np.int64),
            steps=np.array([1.0, -float(self.out_step)]),
        )
