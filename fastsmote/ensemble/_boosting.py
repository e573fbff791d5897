"""RUSBoost: AdaBoost whose every round fits on a randomly under-sampled set of rows.

scikit-learn's :class:`~sklearn.ensemble.AdaBoostClassifier` does the boosting (SAMME:
the error on all rows, the estimator weight, the new row weights); each round's
estimator is fitted through :class:`_UnderSampledFit`, which first lets that round's
own :class:`~fastsmote.under_sampling.RandomUnderSampler` pick the rows (and their
current weights). After fitting, ``estimators_`` holds the bare estimators and
``samplers_`` their samplers, as in imbalanced-learn.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.ensemble import AdaBoostClassifier
from sklearn.ensemble._base import _set_random_states
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Hidden, StrOptions

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
from ._common import estimator_key, seed_sampler


class _UnderSampledFit(BaseEstimator):
    """One boosting round's estimator: ``fit`` resamples, then fits the estimator on the
    kept rows with their weights; ``predict`` is the estimator's."""

    def __init__(self, sampler: Any, estimator: Any) -> None:
        self.sampler = sampler
        self.estimator = estimator

    def fit(self, X, y, sample_weight=None):
        X_res, y_res = self.sampler.fit_resample(X, y)
        weights = None
        if sample_weight is not None:
            weights = _safe_indexing(sample_weight, self.sampler.sample_indices_)
        self.estimator.fit(X_res, y_res, sample_weight=weights)
        self.classes_ = self.estimator.classes_
        return self

    def predict(self, X):
        return self.estimator.predict(X)

    def predict_proba(self, X):
        return self.estimator.predict_proba(X)


class RUSBoostClassifier(AdaBoostClassifier):
    """AdaBoost whose every round fits on a randomly under-sampled set of rows.

    A drop-in for ``imblearn.ensemble.RUSBoostClassifier`` (RUSBoost, Seiffert et al.
    2010): scikit-learn's :class:`~sklearn.ensemble.AdaBoostClassifier` (SAMME), where
    round ``i`` first under-samples the rows with its own copy of fastsmote's
    :class:`~fastsmote.under_sampling.RandomUnderSampler` and fits its estimator on the
    kept rows with their current boosting weights; its error and the new weights are
    computed on all rows.

    Parameters
    ----------
    estimator : estimator object, default=None
        The boosted estimator (must take ``sample_weight``); None: a
        :class:`~sklearn.tree.DecisionTreeClassifier` with ``max_depth=1``.
    n_estimators : int, default=50
        Maximum number of rounds (boosting stops early on a perfect fit).
    learning_rate : float, default=1.0
        Weight applied to each estimator.
    algorithm : {'SAMME', 'SAMME.R'}, default='deprecated'
        Deprecated in imbalanced-learn, and setting it warns. 'SAMME' (and the default)
        boost with SAMME. 'SAMME.R' updates the row weights from each round's class
        probabilities (real boosting, Zhu et al. 2009: the estimator needs
        ``predict_proba``) with every estimator weight 1, as imbalanced-learn 0.14 does;
        the ensemble then votes as scikit-learn's AdaBoost does, on the rounds'
        predicted classes.
    sampling_strategy : float, str, dict or callable, default='auto'
        What each round's under-sampler keeps, with imbalanced-learn's semantics: a
        float (binary only) is the ratio minority / majority after resampling;
        'majority', 'not minority', 'not majority', 'all', 'auto' (= 'not minority')
        name the classes resampled; a dict ``{class: n_rows}``; a callable
        ``f(y) -> dict``.
    replacement : bool, default=False
        Whether the under-sampler draws with replacement.
    {random_state}

    Attributes
    ----------
    estimator_ : estimator
        The estimator each round's is cloned from.
    estimators_ : list of estimators
        The fitted estimators, one per round.
    base_sampler_ : RandomUnderSampler
        The sampler each round's is cloned from.
    samplers_ : list of RandomUnderSampler
        Each round's fitted under-sampler (``sample_indices_``: the rows it kept).
    pipelines_ : list of Pipeline
        ``make_pipeline(samplers_[i], estimators_[i])`` (copies).
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    estimator_weights_ : ndarray of float
        Weight of each estimator in the ensemble.
    estimator_errors_ : ndarray of float
        Weighted error of each estimator on all rows.
    feature_importances_ : ndarray of shape (n_features,)
        Weighted mean of the estimators' importances (scikit-learn's).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has string column names.
    random_key_, rng_version_ : int
        The ensemble key and the version of the draw scheme.

    Examples
    --------
    >>> import numpy as np
    >>> from fastsmote.ensemble import RUSBoostClassifier
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(60, 3)), np.array([0] * 50 + [1] * 10)
    >>> clf = RUSBoostClassifier(n_estimators=3, random_state=0).fit(X, y)
    >>> np.bincount(y[clf.samplers_[0].sample_indices_])
    array([10, 10])
    """

    _parameter_constraints = copy.deepcopy(AdaBoostClassifier._parameter_constraints)
    _parameter_constraints.update(
        {
            "algorithm": [StrOptions({"SAMME", "SAMME.R"}), Hidden(StrOptions({"deprecated"}))],
            "sampling_strategy": SAMPLING_STRATEGY,
            "replacement": ["boolean"],
        }
    )

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        learning_rate=1.0,
        algorithm="deprecated",
        sampling_strategy="auto",
        replacement=False,
        random_state=None,
    ):
        super().__init__(
            estimator=estimator,
            n_estimators=n_estimators,
            learning_rate=learning_rate,
            random_state=random_state,
        )
        self.algorithm = algorithm
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Boost from the training set (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Initial weights (None: uniform); each round's estimator gets the current
            weights of the rows its sampler kept.

        Returns
        -------
        self : RUSBoostClassifier
        """
        if self.algorithm != "deprecated":
            warn_caller(
                "`algorithm` is deprecated (as in imbalanced-learn): leave it unset to "
                "boost with SAMME; 'SAMME.R' still boosts as imbalanced-learn 0.14 does.",
                FutureWarning,
            )
        check_target_type(y)
        key = key_from_random_state(self.random_state)
        self.random_key_, self.rng_version_ = int(key), RNG_VERSION
        self._ensemble_key = key
        try:
            super().fit(X, y, sample_weight)
        finally:
            rounds = getattr(self, "estimators_", [])
            self.estimators_ = [
                r.estimator if isinstance(r, _UnderSampledFit) else r for r in rounds
            ]
            self.samplers_ = [r.sampler for r in rounds if isinstance(r, _UnderSampledFit)]
            del self._ensemble_key
        self.pipelines_ = [
            make_pipeline(copy.deepcopy(s), copy.deepcopy(e))
            for s, e in zip(self.samplers_, self.estimators_, strict=True)
        ]
        return self

    def _validate_estimator(self):
        super()._validate_estimator()
        if self.algorithm == "SAMME.R" and not hasattr(self.estimator_, "predict_proba"):
            raise TypeError(
                "RUSBoostClassifier with algorithm='SAMME.R' requires that the weak learner "
                "supports the calculation of class probabilities with a predict_proba "
                f"method; {type(self.estimator_).__name__} has none. Please change the "
                "estimator or set algorithm='SAMME' instead."
            )
        self.base_sampler_ = RandomUnderSampler(
            sampling_strategy=self.sampling_strategy, replacement=self.replacement
        )

    def _boost(self, iboost, X, y, sample_weight, random_state):
        if self.algorithm == "SAMME.R":
            return self._boost_real(iboost, X, y, sample_weight, random_state)
        # scikit-learn updates the weights in the log domain: a zero weight is log(0) =
        # -inf, which stays zero (no warning, as in imbalanced-learn)
        with np.errstate(divide="ignore"):
            return super()._boost(iboost, X, y, sample_weight, random_state)

    def _boost_real(self, iboost, X, y, sample_weight, random_state):
        """One SAMME.R round (imbalanced-learn 0.14's): the estimator fitted on its
        sampler's rows, its error on all rows from its most probable classes, the row
        weights multiplied by ``exp(-learning_rate * (K - 1) / K * y_coding . log(p))``
        (probabilities below the dtype's eps raised to it). The estimator weight is 1."""
        step = self._make_estimator(random_state=random_state)
        step.fit(X, y, sample_weight=sample_weight)
        proba = step.predict_proba(X)
        if iboost == 0:
            self.classes_ = getattr(step, "classes_", None)
            self.n_classes_ = len(self.classes_)
        incorrect = self.classes_.take(np.argmax(proba, axis=1), axis=0) != y
        estimator_error = np.mean(np.average(incorrect, weights=sample_weight, axis=0))
        if estimator_error <= 0:  # a perfect fit: boosting stops
            return sample_weight, 1.0, 0.0
        n_classes = self.n_classes_
        # y coded as 1 for the true class, -1 / (K - 1) for the others (Zhu et al.)
        y_coding = np.array([-1.0 / (n_classes - 1), 1.0]).take(self.classes_ == y[:, None])
        proba = np.clip(proba, np.finfo(proba.dtype).eps, None)
        update = (
            -self.learning_rate
            * ((n_classes - 1.0) / n_classes)
            * (y_coding * np.log(proba)).sum(axis=1)
        )
        if iboost != self.n_estimators - 1:  # the weights of a next round
            sample_weight = sample_weight * np.exp(update * ((sample_weight > 0) | (update < 0)))
        return sample_weight, 1.0, estimator_error

    def _make_estimator(self, append=True, random_state=None):
        # Round i (its position in estimators_) draws from key i of the ensemble key; the
        # RandomState scikit-learn passes is not used.
        key = estimator_key(self._ensemble_key, len(self.estimators_))
        estimator = clone(self.estimator_)
        estimator.set_params(**{p: getattr(self, p) for p in self.estimator_params})
        _set_random_states(estimator, foreign_seed(stream_key(key, ESTIMATOR_MODEL_STREAM)))
        sampler = clone(self.base_sampler_)
        seed_sampler(sampler, stream_key(key, ESTIMATOR_SAMPLER_STREAM))
        step = _UnderSampledFit(sampler, estimator)
        if append:
            self.estimators_.append(step)
        return step


RUSBoostClassifier.__doc__ = RUSBoostClassifier.__doc__.replace(
    "{random_state}", _RANDOM_STATE_DOC
)
