"""Under-samplers driven by a scikit-learn model: InstanceHardnessThreshold (a
classifier's cross-validated probabilities) and ClusterCentroids (a clustering's
centres).

The model is scikit-learn's (or the user's): fastsmote validates, seeds it from the
sampler's key, and does the rest (thresholds, nearest rows) on arrays. A user's
estimator or cross-validation object is cloned (copied) and keeps every seed it was
given; only a ``random_state`` it leaves None is filled from the sampler's key, so a
fixed ``random_state`` gives a reproducible result.
"""

from __future__ import annotations

import copy
import numbers
from typing import Any

import numpy as np
from scipy import sparse as sp
from sklearn.base import clone, is_classifier

from .._random import (
    CLUSTERING_STREAM,
    HARDNESS_CLASSIFIER_STREAM,
    HARDNESS_SPLITTER_STREAM,
    HARDNESS_STREAM,
    RNG_VERSION,
    class_stream,
    foreign_seed,
    key_from_random_state,
    stream_key,
)
from .._validation import (
    NONE,
    Constraint,
    Features,
    Target,
    check_finite,
    check_model_range,
    has_methods,
    int_in_range,
    is_sparse,
    model_rows,
    one_of,
)
from ..base import SEED, THREADS, BaseSampler, RowOrigins
from ..neighbors import kneighbors

#: An iterable of (train, test) splits, not a string (scikit-learn's "cv_object").
CV_ITERABLE = Constraint(
    lambda v: hasattr(v, "__iter__") and not isinstance(v, str | bytes | dict),
    "an iterable of (train, test) splits",
)
CV = [NONE, int_in_range(2), has_methods("split", "get_n_splits"), CV_ITERABLE]


def fill_random_states(estimator: Any, key: np.uint64) -> Any:
    """Give every ``random_state`` of ``estimator`` (nested ones included) that is None
    an int seed from ``key`` (the j-th such parameter by sorted name: stream j); the
    seeds a user set are kept. Returns ``estimator`` (modified in place)."""
    params = estimator.get_params(deep=True)
    unset = sorted(
        name
        for name, value in params.items()
        if (name == "random_state" or name.endswith("__random_state")) and value is None
    )
    if unset:
        seeds = {name: foreign_seed(stream_key(key, j)) for j, name in enumerate(unset)}
        estimator.set_params(**seeds)
    return estimator


def _refuse_out(sampler: BaseSampler, out: Any) -> None:
    if out is not None:
        raise ValueError(
            f"{type(sampler).__name__} does not support out= (its output row count is "
            "known only after resampling)."
        )


class InstanceHardnessThreshold(BaseSampler):
    """Keep the rows a classifier finds easiest to classify correctly.

    A drop-in for ``imblearn.under_sampling.InstanceHardnessThreshold``. The classifier's
    cross-validated ``predict_proba`` gives each row the probability of its own class;
    in each targeted class, the rows whose probability is at least the class's
    ``100 * (1 - n_keep / n_class)`` percentile (``numpy.percentile``, linear
    interpolation) are kept. Rows tied at that threshold are all kept, so a class may
    keep more rows than ``sampling_strategy`` asks (as in imbalanced-learn). Rows are
    returned unchanged, dtypes kept, class by class in sorted label order and in input
    order within a class.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``, default=None
        The classifier; cloned, and fitted once per fold on a copy. None:
        ``RandomForestClassifier(n_estimators=100, n_jobs=n_jobs)`` seeded from
        ``random_state``. Every ``random_state`` the classifier (or a step of a
        pipeline) leaves None is seeded from ``random_state``; one the user set is kept
        (imbalanced-learn replaces it with a draw from its own ``random_state``).
    {sampling_strategy}
    {random_state}
    cv : int, cross-validation splitter or iterable, default=5
        Folds of the cross-validation. An int (None: 5) makes a
        ``StratifiedKFold(cv, shuffle=True)`` seeded from ``random_state``; it must not
        exceed the rows of the largest class (a class with fewer rows than ``cv`` gets
        scikit-learn's warning). A splitter (``KFold``, ``StratifiedKFold``, ...) is
        used as given (a copy: its own ``random_state`` decides its folds) and an
        iterable of ``(train, test)`` index arrays likewise; each row must be in exactly
        one test fold. (imbalanced-learn 0.14.2 accepts an int only.)
    n_jobs : int, default=None
        Parallel fits of the folds (``cross_val_predict``'s ``n_jobs``) and of the
        default forest's trees. Results never depend on it.

    Attributes
    ----------
    estimator_ : classifier
        The unfitted, seeded clone each fold's copy is made from.
    sample_indices_ : ndarray of int64
        Input row of every output row.
    sampling_strategy_ : dict
        ``{class: rows asked}`` for the targeted classes.
    random_key_, rng_version_ : int
        The key drawn from ``random_state`` and the draw scheme's version.

    Notes
    -----
    Labels of any type (strings, labels other than ``0 .. n_classes - 1``) and one-hot
    targets work: the probability read for a row is the column of its own class.
    imbalanced-learn 0.14.2 reads the column numbered by the label value, which works
    for labels ``0 .. n_classes - 1`` only. A SciPy sparse ``X`` is given to the
    classifier as a CSR matrix of floats (as dense ``X`` is given as floats) and the
    selected rows come back in its sparse format; the classifier must accept sparse
    input (scikit-learn's forests, linear models and trees do).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from fastsmote import InstanceHardnessThreshold
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2)) + np.repeat([[0.0, 0.0], [2.0, 2.0]], [40, 20], axis=0)
    >>> y = np.repeat([0, 1], [40, 20])
    >>> iht = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0)
    >>> X_res, y_res = iht.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [20, 20]
    """

    _sampling_type = "under-sampling"
    _returns_container = True
    _accept_sparse = True
    _parameter_constraints = {
        **BaseSampler._parameter_constraints,
        "estimator": [NONE, has_methods("fit", "predict_proba")],
        "random_state": SEED,
        "cv": CV,
        "n_jobs": THREADS,
    }

    def __init__(
        self, *, estimator=None, sampling_strategy="auto", random_state=None, cv=5, n_jobs=None
    ):
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.cv = cv
        self.n_jobs = n_jobs

    def _make_estimator(self, key: np.uint64) -> Any:
        if self.estimator is None:
            from sklearn.ensemble import RandomForestClassifier

            return RandomForestClassifier(
                n_estimators=100, random_state=foreign_seed(key), n_jobs=self.n_jobs
            )
        if not is_classifier(self.estimator):
            raise ValueError(
                "The 'estimator' parameter of InstanceHardnessThreshold must be a "
                f"classifier (its predict_proba gives each row's class probabilities); "
                f"got {type(self.estimator).__name__}, which scikit-learn does not see as "
                "a classifier (is_classifier is False)."
            )
        return fill_random_states(clone(self.estimator), key)

    def _make_cv(self, key: np.uint64, target: Target) -> Any:
        if self.cv is None or isinstance(self.cv, numbers.Integral):
            from sklearn.model_selection import StratifiedKFold

            n_splits = 5 if self.cv is None else int(self.cv)
            largest = int(target.counts.max())
            if n_splits > largest:
                raise ValueError(
                    f"InstanceHardnessThreshold's cv={n_splits} asks for {n_splits} "
                    "stratified folds, but no class has that many rows (largest class: "
                    f"{largest} rows); use cv <= {largest}."
                )
            return StratifiedKFold(n_splits, shuffle=True, random_state=foreign_seed(key))
        if hasattr(self.cv, "split"):
            return copy.deepcopy(self.cv)  # its random state is not advanced
        return list(self.cv)

    def _fit_resample(self, features: Features, target: Target, out: Any):
        _refuse_out(self, out)
        from sklearn.model_selection import cross_val_predict

        X = features.as_float_array(exact=False)  # the model's input; rows are taken
        check_finite(X)
        key = key_from_random_state(self.random_state)
        self.random_key_, self.rng_version_ = int(key), RNG_VERSION
        # one cross-validation over all classes: its key is class 0's sub-stream
        hardness_key = stream_key(stream_key(key, class_stream(0)), HARDNESS_STREAM)
        self.estimator_ = self._make_estimator(
            stream_key(hardness_key, HARDNESS_CLASSIFIER_STREAM)
        )
        cv = self._make_cv(stream_key(hardness_key, HARDNESS_SPLITTER_STREAM), target)
        codes = target.encoded.astype(np.int64)
        kept = []
        if self.sampling_strategy_:
            # columns of predict_proba are the sorted codes, i.e. column c is class c
            proba = cross_val_predict(
                self.estimator_,
                model_rows(X),
                codes,
                cv=cv,
                n_jobs=self.n_jobs,
                method="predict_proba",
            )
            own = proba[np.arange(codes.size), codes]
        for class_index, label in enumerate(target.classes.tolist()):
            rows = target.rows_of(class_index)
            if label in self.sampling_strategy_:
                p = own[rows]
                n_keep = self.sampling_strategy_[label]
                threshold = np.percentile(p, (1.0 - (n_keep / rows.size)) * 100.0)
                rows = rows[p >= threshold]
            kept.append(rows)
        self.sample_indices_ = np.concatenate(kept).astype(np.int64)
        return features.take(self.sample_indices_), target.select(self.sample_indices_)


class ClusterCentroids(BaseSampler):
    """Replace each targeted class by the centres of a clustering of its rows.

    A drop-in for ``imblearn.under_sampling.ClusterCentroids``. Each targeted class is
    clustered into as many clusters as it is to keep rows (``n_clusters`` is set on the
    estimator); with ``voting='soft'`` the output holds the cluster centres (new,
    synthetic rows), with ``'hard'`` the class's input row nearest to each centre
    (fastsmote's exact search, ties to the lower row; a row nearest to two centres
    appears twice). Other classes keep their rows. Output: class by class in sorted
    label order, input order within classes that are not targeted.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    estimator : clustering estimator, default=None
        An estimator with an ``n_clusters`` parameter and, once fitted,
        ``cluster_centers_``; cloned and fitted once per targeted class. None:
        scikit-learn's ``KMeans()``. A ``random_state`` the estimator leaves None is
        seeded from ``random_state`` (per class); one the user set is kept, as in
        imbalanced-learn (whose default ``KMeans`` gets ``random_state`` itself).
    voting : {'auto', 'hard', 'soft'}, default='auto'
        'soft': the centres; 'hard': the nearest input rows; 'auto': 'hard' for a SciPy
        sparse X, 'soft' otherwise (imbalanced-learn's rule).
    n_jobs : int, default=None
        Threads of the nearest-row search of hard voting (the clustering estimator
        uses its own threads: scikit-learn's KMeans takes all cores). Results never
        depend on it.

    Attributes
    ----------
    estimator_ : estimator
        The clustering fitted on the last targeted class.
    voting_ : str
        'hard' or 'soft'.
    sample_indices_ : ndarray of int64
        With hard voting only: input row of every output row.
    sampling_strategy_ : dict
        ``{class: number of rows kept}`` for the targeted classes.
    random_key_, rng_version_ : int
        The key drawn from ``random_state`` and the draw scheme's version.

    Notes
    -----
    With soft voting the rows of targeted classes are centres, not input rows:
    :meth:`row_origins` raises (a centre has no single origin), so a pipeline refuses
    to carry per-row fit parameters (``sample_weight``) through this step, and
    :meth:`record` counts the centres as synthetic and the class's input rows as
    removed. A DataFrame comes back with float columns (as for SMOTE's output).

    A SciPy sparse ``X`` is clustered as a CSR matrix of floats and comes back in its
    sparse format (CSC for CSC, else CSR); soft voting's centres are stored as sparse
    rows of floats (imbalanced-learn casts them to an integer X's dtype). Hard voting
    searches dense blocks of a class's rows within the configured ``working_memory``
    (:func:`fastsmote.set_config`), not the whole class at once.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cluster import KMeans
    >>> from fastsmote import ClusterCentroids
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> y = np.repeat([0, 1], [16, 4])
    >>> cc = ClusterCentroids(estimator=KMeans(n_init=1, random_state=0), voting="hard")
    >>> X_res, y_res = cc.fit_resample(X, y)
    >>> np.bincount(y_res).tolist(), cc.sample_indices_.shape
    ([4, 4], (8,))
    """

    _sampling_type = "under-sampling"
    _returns_container = True
    _accept_sparse = True
    _parameter_constraints = {
        **BaseSampler._parameter_constraints,
        "random_state": SEED,
        "estimator": [NONE, has_methods("fit", "predict")],
        "voting": [one_of("auto", "hard", "soft")],
        "n_jobs": THREADS,
    }

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, estimator=None, voting="auto",
        n_jobs=None,
    ):  # fmt: skip
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.estimator = estimator
        self.voting = voting
        self.n_jobs = n_jobs

    def _make_estimator(self, key: np.uint64, n_clusters: int) -> Any:
        if self.estimator is None:
            from sklearn.cluster import KMeans

            estimator = KMeans()
        else:
            estimator = clone(self.estimator)
            if "n_clusters" not in estimator.get_params():
                raise ValueError(
                    "`estimator` should be a clustering estimator exposing a parameter "
                    "`n_clusters` and a fitted parameter `cluster_centers_`; "
                    f"{type(estimator).__name__} has no n_clusters parameter."
                )
        return fill_random_states(estimator.set_params(n_clusters=n_clusters), key)

    def _fit_resample(self, features: Features, target: Target, out: Any):
        _refuse_out(self, out)
        X = features.as_float_array()
        check_finite(X)
        key = key_from_random_state(self.random_state)
        self.random_key_, self.rng_version_ = int(key), RNG_VERSION
        sparse_X = is_sparse(X)
        if self.voting == "auto":  # imbalanced-learn's rule
            self.voting_ = "hard" if sparse_X else "soft"
        else:
            self.voting_ = self.voting
        hard = self.voting_ == "hard"
        self.__dict__.pop("sample_indices_", None)
        rows_out, parts = [], []  # input row per output row (-1: a centre); soft rows
        self._n_centres = 0
        for class_index, label in enumerate(target.classes.tolist()):
            rows = target.rows_of(class_index)
            if label not in self.sampling_strategy_:
                rows_out.append(rows)
                parts.append(X[rows])
                continue
            n_clusters = int(self.sampling_strategy_[label])
            if n_clusters < 1:
                raise ValueError(
                    f"ClusterCentroids makes at least one cluster per targeted class; "
                    f"sampling_strategy asks for {n_clusters} rows of class {label!r}."
                )
            class_key = stream_key(key, class_stream(class_index))
            estimator = self._make_estimator(stream_key(class_key, CLUSTERING_STREAM), n_clusters)
            class_X = X[rows]
            if self.estimator is None:
                check_model_range(class_X, f"ClusterCentroids' KMeans, class {label!r}")
            estimator.fit(class_X)
            self.estimator_ = estimator
            centres = getattr(estimator, "cluster_centers_", None)
            if centres is None:
                raise RuntimeError(
                    "`estimator` should be a clustering estimator exposing a fitted "
                    f"parameter `cluster_centers_`; {type(estimator).__name__} has none."
                )
            centres = np.ascontiguousarray(centres, dtype=X.dtype)
            if centres.ndim != 2 or centres.shape[1] != X.shape[1]:
                raise ValueError(
                    f"The clustering estimator's cluster_centers_ has shape {centres.shape}; "
                    f"expected (n_clusters, {X.shape[1]})."
                )
            if hard:
                nearest = kneighbors(class_X, 1, points=centres, backend="exact").indices
                rows_out.append(rows[nearest[:, 0]])
                parts.append(None)
            else:
                rows_out.append(np.full(centres.shape[0], -1, dtype=np.int64))
                parts.append(sp.csr_matrix(centres) if sparse_X else centres)
                self._n_centres += centres.shape[0]
        input_rows = np.concatenate(rows_out).astype(np.int64)
        labels = np.repeat(np.arange(target.classes.size), [r.size for r in rows_out])
        y_codes = labels if target.one_vs_all else target.classes[labels]
        self._input_rows = input_rows  # -1 marks a centre (read by fastsmote.io)
        if hard:
            self.sample_indices_ = input_rows
            return features.take(input_rows), target.select(input_rows)
        if sparse_X:
            return features.restore(sp.vstack(parts, format="csr")), y_codes
        return features.restore(np.concatenate(parts)), y_codes

    def _counts_after(self, before: dict, target: Target) -> dict:
        counts = dict(before)
        counts.update(self.sampling_strategy_)
        return counts

    def _log_resampling(self, before: dict, after: dict, started: float, **moved: int) -> None:
        if self.voting_ == "soft":  # centres are new rows; the class's rows are all gone
            targeted = sum(before[c] for c in self.sampling_strategy_)
            moved = {"n_synthetic": self._n_centres, "n_removed": targeted}
        super()._log_resampling(before, after, started, **moved)

    def row_origins(self, X: Any, y: Any) -> RowOrigins:
        """Where every row of the last ``fit_resample(X, y)`` output comes from.

        Available with hard voting (every output row is an input row). With soft voting
        the centres have no single origin row.

        Raises
        ------
        AttributeError
            With soft voting (or before ``fit_resample``): per-row values such as
            ``sample_weight`` cannot follow centres.
        """
        if getattr(self, "voting_", None) == "soft" and hasattr(self, "_input_rows"):
            raise AttributeError(
                "ClusterCentroids with voting='soft' returns cluster centres, each the mean "
                "of many input rows, so per-row values such as sample_weight cannot follow "
                "its resampling; use voting='hard' (the input row nearest to each centre)."
            )
        return super().row_origins(X, y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # 'auto' is 'soft' for dense X (the checks' data)
        tags.sampler_tags.sample_indices = self.voting == "hard"
        return tags
