"""A random forest whose trees each grow on a randomly under-sampled set of rows.

scikit-learn's :class:`~sklearn.ensemble.RandomForestClassifier` (its trees, tree
building, prediction), with one step before each tree: its own copy of fastsmote's
:class:`~fastsmote.under_sampling.RandomUnderSampler` (its own key) picks the rows the
tree grows on, as in imbalanced-learn. The forest's ``fit`` is written here because
scikit-learn's draws each tree's bootstrap from all rows.
"""

from __future__ import annotations

import copy
import inspect

import numpy as np
from scipy.sparse import issparse
from sklearn.base import _fit_context, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.ensemble import _forest as _skforest
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_sample_weight, validate_data

from .._random import (
    ESTIMATOR_MODEL_STREAM,
    ESTIMATOR_SAMPLER_STREAM,
    RNG_VERSION,
    foreign_seed,
    key_from_random_state,
    stream_key,
)
from .._warnings import warn_caller
from ..pipeline import make_pipeline
from ..under_sampling import RandomUnderSampler
from ._bagging import _RANDOM_STATE_DOC, SAMPLING_STRATEGY, check_target_type
from ._common import encode_strategy, estimator_key, seed_sampler

# scikit-learn >= 1.9 draws bootstraps in proportion to sample_weight; earlier versions
# take no sample_weight in these helpers.
_WEIGHTED_BOOTSTRAP = (
    "sample_weight" in inspect.signature(_skforest._generate_sample_indices).parameters
)


def _n_bootstrap(n_samples: int, max_samples, sample_weight) -> int:
    if _WEIGHTED_BOOTSTRAP:
        return _skforest._get_n_samples_bootstrap(n_samples, max_samples, sample_weight)
    return _skforest._get_n_samples_bootstrap(n_samples, max_samples)


def _drawn(seed: int, n_samples: int, n_bootstrap: int, weights) -> np.ndarray:
    """The bootstrap scikit-learn's tree builder draws (with the same arguments)."""
    if _WEIGHTED_BOOTSTRAP:
        return _skforest._generate_sample_indices(seed, n_samples, n_bootstrap, weights)
    return _skforest._generate_sample_indices(seed, n_samples, n_bootstrap)


def _grow(sampler, tree, forest, X, y, sample_weight, index, n_trees, n_bootstrap, mask):
    """Under-sample, then grow one tree on the kept rows (scikit-learn's tree builder)."""
    sampler.fit_resample(X, y[:, 0].astype(np.intp))
    rows = sampler.sample_indices_
    weights = None if sample_weight is None else sample_weight[rows]
    n_bootstrap = None if n_bootstrap is None else min(n_bootstrap, rows.size)
    tree = _skforest._parallel_build_trees(
        tree,
        forest.bootstrap,
        _safe_indexing(X, rows),
        y[rows],
        weights,
        index,
        n_trees,
        verbose=forest.verbose,
        class_weight=forest.class_weight,
        n_samples_bootstrap=n_bootstrap,
        missing_values_in_feature_mask=mask,
    )
    return sampler, tree


class BalancedRandomForestClassifier(RandomForestClassifier):
    """A random forest whose trees each grow on a randomly under-sampled set of rows.

    A drop-in for ``imblearn.ensemble.BalancedRandomForestClassifier`` (Chen, Liaw and
    Breiman 2004): before each tree of scikit-learn's
    :class:`~sklearn.ensemble.RandomForestClassifier` grows, its own copy of fastsmote's
    :class:`~fastsmote.under_sampling.RandomUnderSampler` draws the rows it grows on;
    with the defaults (``sampling_strategy='all'``, ``replacement=True``,
    ``bootstrap=False``) that is a bootstrap of every class down to the minority's size.
    The tree parameters are scikit-learn's.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    criterion : {'gini', 'entropy', 'log_loss'}, default='gini'
    max_depth : int, default=None
    min_samples_split : int or float, default=2
    min_samples_leaf : int or float, default=1
    min_weight_fraction_leaf : float, default=0.0
    max_features : {'sqrt', 'log2'}, int, float or None, default='sqrt'
    max_leaf_nodes : int, default=None
    min_impurity_decrease : float, default=0.0
        The tree parameters, as in scikit-learn's random forest.
    bootstrap : bool, default=False
        Draw a bootstrap of each tree's under-sampled rows.
    oob_score : bool, default=False
        Estimate the generalisation accuracy on the rows each tree did not see
        (``bootstrap=True`` only).
    sampling_strategy : float, str, dict or callable, default='all'
        What each tree's under-sampler keeps, with imbalanced-learn's semantics: a
        float (binary only) is the ratio minority / majority after resampling;
        'majority', 'not minority', 'not majority', 'all', 'auto' (= 'not minority')
        name the classes resampled; a dict ``{class: n_rows}``; a callable
        ``f(y) -> dict``.
    replacement : bool, default=True
        Whether the under-sampler draws with replacement.
    n_jobs : int, default=None
        Trees grown in parallel threads (joblib); None: 1.
    {random_state}
    verbose : int, default=0
    warm_start : bool, default=False
        Keep the grown trees and add ``n_estimators - len(estimators_)`` more; they are
        those a single fit with ``n_estimators`` would have grown.
    class_weight : {'balanced', 'balanced_subsample'}, dict, list of dicts or None
        As in scikit-learn ('balanced' weights from all rows).
    ccp_alpha : float, default=0.0
    max_samples : int or float, default=None
        With ``bootstrap=True``: rows of each tree's bootstrap (at most the rows its
        under-sampler kept).
    monotonic_cst : array-like of int of shape (n_features,), default=None
        As in scikit-learn.

    Attributes
    ----------
    estimator_ : DecisionTreeClassifier
        The tree each tree is cloned from.
    estimators_ : list of DecisionTreeClassifier
        The grown trees.
    base_sampler_ : RandomUnderSampler
        The sampler each tree's sampler is cloned from.
    samplers_ : list of RandomUnderSampler
        Each tree's fitted under-sampler (``sample_indices_``: the rows of X it kept).
    pipelines_ : list of Pipeline
        ``make_pipeline(samplers_[i], estimators_[i])`` (copies).
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has string column names.
    n_outputs_ : int
    feature_importances_ : ndarray of shape (n_features,)
        Impurity-based importances (scikit-learn's).
    oob_score_ : float
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        With ``oob_score=True``.
    estimators_samples_ : list of ndarray
        Rows of X each tree grew on: its sampler's ``sample_indices_``, through its
        bootstrap if ``bootstrap=True``.
    random_key_, rng_version_ : int
        The forest's key and the version of the draw scheme.

    Examples
    --------
    >>> import numpy as np
    >>> from fastsmote.ensemble import BalancedRandomForestClassifier
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(60, 3)), np.array([0] * 50 + [1] * 10)
    >>> forest = BalancedRandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)
    >>> np.bincount(y[forest.samplers_[0].sample_indices_])
    array([10, 10])
    """

    _parameter_constraints = copy.deepcopy(RandomForestClassifier._parameter_constraints)
    _parameter_constraints.update(
        {
            "bootstrap": ["boolean"],
            "sampling_strategy": SAMPLING_STRATEGY,
            "replacement": ["boolean"],
        }
    )
    _parameter_constraints["criterion"] = [StrOptions({"gini", "entropy", "log_loss"})]

    def __init__(
        self,
        n_estimators=100,
        *,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=False,
        oob_score=False,
        sampling_strategy="all",
        replacement=True,
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        class_weight=None,
        ccp_alpha=0.0,
        max_samples=None,
        monotonic_cst=None,
    ):
        super().__init__(
            n_estimators=n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            class_weight=class_weight,
            ccp_alpha=ccp_alpha,
            max_samples=max_samples,
            monotonic_cst=monotonic_cst,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the forest from the training set (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows (converted to float32, as for scikit-learn's trees).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows; each tree gets those of the rows its sampler kept.

        Returns
        -------
        self : BalancedRandomForestClassifier
        """
        if issparse(y):
            raise ValueError("y must be a dense array of class labels, not a sparse matrix.")
        X, y = validate_data(
            self,
            X=X,
            y=y,
            multi_output=True,
            accept_sparse="csc",
            dtype=np.float32,
            ensure_all_finite=False,
        )
        check_target_type(y)
        mask = DecisionTreeClassifier(
            criterion=self.criterion
        )._compute_missing_values_in_feature_mask(X, estimator_name=type(self).__name__)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        if issparse(X):
            X.sort_indices()
        y = np.atleast_1d(y)
        if y.ndim == 2:
            warn_caller(
                "A column-vector y was passed when a 1d array was expected. Please change "
                "the shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
            )
        y = np.reshape(y, (-1, 1))
        self.n_outputs_ = 1
        if _WEIGHTED_BOOTSTRAP:
            y_encoded, class_weights = self._validate_y_class_weight(y, sample_weight)
        else:
            y_encoded, class_weights = self._validate_y_class_weight(y)
        y_encoded = np.ascontiguousarray(y_encoded, dtype=np.float64)
        if class_weights is not None:
            sample_weight = (
                class_weights if sample_weight is None else sample_weight * class_weights
            )
        n_bootstrap = (
            _n_bootstrap(X.shape[0], self.max_samples, sample_weight) if self.bootstrap else None
        )
        self._n_samples_bootstrap, self._sample_weight = n_bootstrap, sample_weight
        self.estimator_ = DecisionTreeClassifier()
        self.base_sampler_ = RandomUnderSampler(
            sampling_strategy=encode_strategy(self.sampling_strategy, self.classes_[0]),
            replacement=self.replacement,
        )
        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        key = key_from_random_state(self.random_state)
        self.random_key_, self.rng_version_ = int(key), RNG_VERSION
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_, self.samplers_, self.pipelines_ = [], [], []
        start = len(self.estimators_)
        if self.n_estimators < start:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be larger or equal to "
                f"len(estimators_)={start} when warm_start==True"
            )
        if self.n_estimators == start:
            warn_caller(
                "Warm-start fitting without increasing n_estimators does not fit new trees."
            )
        else:
            jobs = [
                self._make_sampler_tree(estimator_key(key, i))
                for i in range(start, self.n_estimators)
            ]
            grown = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(
                delayed(_grow)(
                    s, t, self, X, y_encoded, sample_weight, i, len(jobs), n_bootstrap, mask
                )
                for i, (s, t) in enumerate(jobs)
            )
            for sampler, tree in grown:
                self.samplers_.append(sampler)
                self.estimators_.append(tree)
                self.pipelines_.append(make_pipeline(copy.deepcopy(sampler), copy.deepcopy(tree)))
        if self.oob_score:
            self._set_oob(X, y_encoded)
        self.n_classes_ = self.n_classes_[0]
        self.classes_ = self.classes_[0]
        return self

    def _make_sampler_tree(
        self, key: np.uint64
    ) -> tuple[RandomUnderSampler, DecisionTreeClassifier]:
        sampler = clone(self.base_sampler_)
        seed_sampler(sampler, stream_key(key, ESTIMATOR_SAMPLER_STREAM))
        tree = self._make_estimator(append=False)
        # one int seed for the tree: scikit-learn draws its bootstrap and its splits from it
        tree.set_params(random_state=foreign_seed(stream_key(key, ESTIMATOR_MODEL_STREAM)))
        return sampler, tree

    def _tree_bootstraps(self):
        """Per tree: its sampler's rows and the positions among them its bootstrap drew."""
        for sampler, tree in zip(self.samplers_, self.estimators_, strict=True):
            rows = sampler.sample_indices_
            weights = None if self._sample_weight is None else self._sample_weight[rows]
            n_bootstrap = min(self._n_samples_bootstrap, rows.size)
            yield rows, tree, _drawn(tree.random_state, rows.size, n_bootstrap, weights)

    def _set_oob(self, X, y) -> None:
        if issparse(X):
            X = X.tocsr()
        votes = np.zeros((X.shape[0], len(self.classes_[0])))
        n_votes = np.zeros(X.shape[0], dtype=np.int64)
        for rows, tree, drawn in self._tree_bootstraps():
            out = np.flatnonzero(np.bincount(drawn, minlength=rows.size) == 0)
            votes[rows[out]] += tree.predict_proba(_safe_indexing(X, rows[out]), check_input=False)
            n_votes[rows[out]] += 1
        if (n_votes == 0).any():
            warn_caller(
                "Some inputs do not have OOB scores. This probably means too few trees were "
                "used to compute any reliable OOB estimates.",
                UserWarning,
            )
        self.oob_decision_function_ = votes / np.maximum(n_votes, 1)[:, None]
        self.oob_score_ = accuracy_score(y[:, 0], np.argmax(self.oob_decision_function_, axis=1))

    @property
    def estimators_samples_(self) -> list[np.ndarray]:
        """Rows of X each tree grew on (its sampler's rows, through its bootstrap)."""
        if not self.bootstrap:
            return [sampler.sample_indices_ for sampler in self.samplers_]
        return [rows[drawn] for rows, _, drawn in self._tree_bootstraps()]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        tags.classifier_tags.multi_label = False
        return tags


BalancedRandomForestClassifier.__doc__ = BalancedRandomForestClassifier.__doc__.replace(
    "{random_state}", _RANDOM_STATE_DOC
)
