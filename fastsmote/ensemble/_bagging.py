"""Bagging ensembles whose estimators train on resampled bags.

Both classes are scikit-learn's :class:`~sklearn.ensemble.BaggingClassifier` whose base
estimator is a :class:`fastsmote.pipeline.Pipeline` ``[sampler, classifier]`` (as in
imbalanced-learn): each bag drawn by scikit-learn is resampled by the estimator's own
copy of the sampler before its classifier fits it. The keys of the samplers, bags and
classifiers derive from one ``random_state`` (see :mod:`fastsmote.ensemble._common`).
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from sklearn.base import _fit_context, clone
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier
from sklearn.ensemble._base import _set_random_states
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import type_of_target

from .._random import RNG_VERSION, key_from_random_state
from ..pipeline import Pipeline
from ..under_sampling import RandomUnderSampler
from ._common import (
    EstimatorSeed,
    KeyedSeeds,
    encode_strategy,
    seed_estimator,
    sets_sampling_strategy,
)

#: ``sampling_strategy`` of the ensembles (imbalanced-learn's under-sampling rules).
SAMPLING_STRATEGY = [
    Interval(numbers.Real, 0, 1, closed="right"),
    StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
    dict,
    callable,
]

_SAMPLING_STRATEGY_DOC = """sampling_strategy : float, str, dict or callable, default='auto'
        How each estimator's sampler resamples its bag, with imbalanced-learn's
        semantics (of under-sampling unless ``sampler`` says otherwise): a float (binary
        only) is the ratio minority / majority after resampling; 'majority', 'not
        minority', 'not majority', 'all', 'auto' (= 'not minority') name the classes
        resampled; a dict ``{class: n_rows}``; a callable ``f(y) -> dict``."""

_RANDOM_STATE_DOC = """random_state : None, int or RandomState, default=None
        Source of the ensemble's 64-bit key. Estimator ``i`` gets a key of its own
        derived from it; its sampler's ``random_state`` is that key (an int seed of it
        for a sampler that is not fastsmote's), and its bag and its classifier get int
        seeds from it. The same key gives the same ensemble for any ``n_jobs``."""


def check_target_type(y: np.ndarray) -> None:
    """Refuse the targets the ensembles do not handle (several outputs per row)."""
    kind = type_of_target(y)
    if kind in ("multilabel-indicator", "multiclass-multioutput", "continuous-multioutput"):
        raise ValueError(
            f"The ensembles take one class label per row; y is {kind!r} (shape {np.shape(y)})."
        )


class _KeyedBagging(BaggingClassifier):
    """scikit-learn's bagging with fastsmote's keys and a sampler in each estimator."""

    def _make_sampler(self) -> Any:
        raise NotImplementedError

    @contextmanager
    def _keyed_seeds(self) -> Iterator[None]:
        # scikit-learn draws the estimators' seeds from check_random_state(random_state);
        # for the duration of the fit it draws them from the ensemble key instead.
        key = key_from_random_state(self.random_state)
        self.random_key_, self.rng_version_ = int(key), RNG_VERSION
        random_state = self.random_state
        self.random_state = KeyedSeeds(key)
        try:
            yield
        finally:
            self.random_state = random_state

    def _fit(self, X, y, max_samples=None, max_depth=None, check_input=True, **fit_params):
        check_target_type(y)
        self.sampler_ = self._make_sampler()
        with self._keyed_seeds():
            # the sampler takes no sample_weight: none is passed on (as imbalanced-learn)
            return super()._fit(
                X, y, max_samples=self.max_samples, max_depth=max_depth, check_input=check_input
            )

    def _validate_y(self, y):
        y_encoded = super()._validate_y(y)
        self._sampling_strategy = encode_strategy(self.sampling_strategy, self.classes_)
        return y_encoded

    def _validate_estimator(self, default=None):
        estimator = clone(self.estimator if self.estimator is not None else default)
        if sets_sampling_strategy(self.sampler_):
            self.sampler_.set_params(sampling_strategy=self._sampling_strategy)
        self.estimator_ = Pipeline([("sampler", self.sampler_), ("classifier", estimator)])

    def _make_estimator(self, append=True, random_state=None):
        estimator = clone(self.estimator_)
        if isinstance(random_state, EstimatorSeed):
            seed_estimator(estimator, random_state.key)
        elif random_state is not None:
            _set_random_states(estimator, random_state)
        if append:
            self.estimators_.append(estimator)
        return estimator


class BalancedBaggingClassifier(_KeyedBagging):
    """A bagging classifier whose estimators each train on a resampled bag.

    A drop-in for ``imblearn.ensemble.BalancedBaggingClassifier``: scikit-learn's
    :class:`~sklearn.ensemble.BaggingClassifier` whose estimators are pipelines
    ``[sampler, classifier]``. Each estimator draws its bag of rows (and features),
    then its own copy of ``sampler`` (any fastsmote sampler, or any object with
    ``fit_resample``; fastsmote's
    :class:`~fastsmote.under_sampling.RandomUnderSampler` by default) resamples the bag,
    and its classifier fits the result. With the default sampler this is exactly
    balanced bagging; with :class:`~fastsmote.over_sampling.SMOTE` it is SMOTE-bagging.

    Parameters
    ----------
    estimator : estimator object, default=None
        The classifier of each estimator; None: a
        :class:`~sklearn.tree.DecisionTreeClassifier`.
    n_estimators : int, default=10
        Number of estimators.
    max_samples : int or float, default=1.0
        Rows of each bag: an int, or a fraction of the rows of X.
    max_features : int or float, default=1.0
        Features of each bag: an int, or a fraction of the features of X.
    bootstrap : bool, default=True
        Draw the bag's rows with replacement.
    bootstrap_features : bool, default=False
        Draw the bag's features with replacement.
    oob_score : bool, default=False
        Estimate the generalisation score on the rows left out of each bag.
    warm_start : bool, default=False
        Keep the fitted estimators and add ``n_estimators - len(estimators_)`` more;
        they are those a single fit with ``n_estimators`` would have built.
    {sampling_strategy}
    replacement : bool, default=False
        With ``sampler=None``: whether the random under-sampler draws with replacement.
    n_jobs : int, default=None
        Estimators fitted in parallel (joblib, as scikit-learn's bagging); None: 1.
    {random_state}
    verbose : int, default=0
        Verbosity of the building process.
    sampler : sampler object, default=None
        What resamples each bag (cloned for each estimator); its ``sampling_strategy``
        is set to this ensemble's unless it is a bypass sampler such as
        :class:`~fastsmote.FunctionSampler`. None: fastsmote's
        :class:`~fastsmote.under_sampling.RandomUnderSampler`.

    Attributes
    ----------
    estimator_ : Pipeline
        The unfitted pipeline ``[sampler, classifier]`` each estimator is cloned from.
    estimators_ : list of Pipeline
        The fitted estimators; ``estimators_[i][0]`` is estimator ``i``'s fitted sampler
        (its ``sample_indices_``, where it has them, are positions in the bag).
    sampler_ : sampler object
        The sampler each estimator's sampler is cloned from.
    estimators_samples_ : list of ndarray
        Rows of X in each estimator's bag (before its sampler resamples it).
    estimators_features_ : list of ndarray
        Features of each estimator's bag.
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    oob_score_ : float
        Out-of-bag score (with ``oob_score=True``).
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class probabilities (with ``oob_score=True``; NaN for a row that is
        in every bag).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has string column names.
    random_key_, rng_version_ : int
        The ensemble key and the version of the draw scheme.

    See Also
    --------
    EasyEnsembleClassifier : AdaBoost classifiers on balanced random subsets.

    Examples
    --------
    >>> import numpy as np
    >>> from fastsmote.ensemble import BalancedBaggingClassifier
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(60, 3)), np.array([0] * 50 + [1] * 10)
    >>> clf = BalancedBaggingClassifier(n_estimators=3, random_state=0).fit(X, y)
    >>> np.bincount(y[clf.estimators_samples_[0]][clf.estimators_[0][0].sample_indices_])
    array([10, 10])
    """

    _parameter_constraints = copy.deepcopy(BaggingClassifier._parameter_constraints)
    _parameter_constraints.update(
        {
            "sampling_strategy": SAMPLING_STRATEGY,
            "replacement": ["boolean"],
            "sampler": [HasMethods(["fit_resample"]), None],
        }
    )

    def __init__(
        self,
        estimator=None,
        n_estimators=10,
        *,
        max_samples=1.0,
        max_features=1.0,
        bootstrap=True,
        bootstrap_features=False,
        oob_score=False,
        warm_start=False,
        sampling_strategy="auto",
        replacement=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        sampler=None,
    ):
        super().__init__(
            estimator=estimator,
            n_estimators=n_estimators,
            max_samples=max_samples,
            max_features=max_features,
            bootstrap=bootstrap,
            bootstrap_features=bootstrap_features,
            oob_score=oob_score,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.sampler = sampler

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Build the ensemble from the training set (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows (sparse if the sampler and classifier accept it).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : BalancedBaggingClassifier
        """
        return super().fit(X, y)

    def _make_sampler(self) -> Any:
        if self.sampler is None:
            return RandomUnderSampler(replacement=self.replacement)
        return clone(self.sampler)

    def _get_estimator(self):
        return self.estimator if self.estimator is not None else DecisionTreeClassifier()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sampler = self.sampler if self.sampler is not None else RandomUnderSampler()
        sampler_tags = get_tags(sampler).input_tags
        tags.input_tags.allow_nan = tags.input_tags.allow_nan and sampler_tags.allow_nan
        tags.input_tags.sparse = tags.input_tags.sparse and sampler_tags.sparse
        return tags


class EasyEnsembleClassifier(_KeyedBagging):
    """An ensemble of AdaBoost classifiers, each trained on a balanced random subset.

    A drop-in for ``imblearn.ensemble.EasyEnsembleClassifier`` (EasyEnsemble, Liu et al.
    2009): scikit-learn's :class:`~sklearn.ensemble.BaggingClassifier` without
    bootstrap whose estimators are pipelines ``[RandomUnderSampler, AdaBoost]``: each
    estimator under-samples the whole training set with fastsmote's
    :class:`~fastsmote.under_sampling.RandomUnderSampler` (its own key) and boosts on
    the balanced subset.

    Parameters
    ----------
    n_estimators : int, default=10
        Number of AdaBoost estimators.
    estimator : estimator object, default=None
        The classifier of each estimator; None:
        :class:`~sklearn.ensemble.AdaBoostClassifier` with its defaults.
    warm_start : bool, default=False
        Keep the fitted estimators and add ``n_estimators - len(estimators_)`` more;
        they are those a single fit with ``n_estimators`` would have built.
    {sampling_strategy}
    replacement : bool, default=False
        Whether the random under-sampler draws with replacement.
    n_jobs : int, default=None
        Estimators fitted in parallel (joblib, as scikit-learn's bagging); None: 1.
    {random_state}
    verbose : int, default=0
        Verbosity of the building process.

    Attributes
    ----------
    estimator_ : Pipeline
        The unfitted pipeline ``[sampler, classifier]`` each estimator is cloned from.
    estimators_ : list of Pipeline
        The fitted estimators; ``estimators_[i][0]`` is estimator ``i``'s fitted
        under-sampler (``sample_indices_``: the rows of X it kept).
    sampler_ : RandomUnderSampler
        The sampler each estimator's sampler is cloned from.
    estimators_samples_ : list of ndarray
        Rows of X given to each estimator (all of them: no bootstrap).
    estimators_features_ : list of ndarray
        Features of each estimator (all of them).
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has string column names.
    random_key_, rng_version_ : int
        The ensemble key and the version of the draw scheme.

    See Also
    --------
    BalancedBaggingClassifier : Bagging with any sampler.

    Examples
    --------
    >>> import numpy as np
    >>> from fastsmote.ensemble import EasyEnsembleClassifier
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(60, 3)), np.array([0] * 50 + [1] * 10)
    >>> clf = EasyEnsembleClassifier(n_estimators=2, random_state=0).fit(X, y)
    >>> np.bincount(y[clf.estimators_[0][0].sample_indices_])
    array([10, 10])
    """

    _parameter_constraints = copy.deepcopy(BaggingClassifier._parameter_constraints)
    for _name in ("bootstrap", "bootstrap_features", "max_features", "oob_score", "max_samples"):
        _parameter_constraints.pop(_name)
    del _name
    _parameter_constraints.update(
        {"sampling_strategy": SAMPLING_STRATEGY, "replacement": ["boolean"]}
    )

    def __init__(
        self,
        n_estimators=10,
        estimator=None,
        *,
        warm_start=False,
        sampling_strategy="auto",
        replacement=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            estimator=estimator,
            n_estimators=n_estimators,
            max_samples=1.0,
            max_features=1.0,
            bootstrap=False,
            bootstrap_features=False,
            oob_score=False,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Build the ensemble from the training set (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows (sparse if the classifier accepts it).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : EasyEnsembleClassifier
        """
        return super().fit(X, y)

    def _make_sampler(self) -> Any:
        return RandomUnderSampler(replacement=self.replacement)

    def _get_estimator(self):
        return self.estimator if self.estimator is not None else AdaBoostClassifier()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = get_tags(self._get_estimator()).input_tags.allow_nan
        return tags


def _fill_docs(cls: type) -> None:
    cls.__doc__ = cls.__doc__.replace("{sampling_strategy}", _SAMPLING_STRATEGY_DOC).replace(
        "{random_state}", _RANDOM_STATE_DOC
    )


for _cls in (BalancedBaggingClassifier, EasyEnsembleClassifier):
    _fill_docs(_cls)
del _cls
