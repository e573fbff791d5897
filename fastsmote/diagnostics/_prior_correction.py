"""The analytic prior correction of probabilities learned on resampled data.

After SMOTE to balance, a 2 % minority "looks" like 50 % to the classifier. Bayes' rule
undoes this exactly when only the class priors changed (the within-class distributions
are what the model learned)::

    p'(c | x)  proportional to  p(c | x) * true_prior[c] / train_prior[c]

applied to probabilities (:func:`prior_correction`) or around a classifier
(:class:`PriorCorrectedClassifier`).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.validation import check_is_fitted

from ._calibration import _check_proba_matrix

__all__ = ["PriorCorrectedClassifier", "prior_correction"]


def _prior_vector(prior: Any, classes: np.ndarray | None, n_classes: int, name: str) -> np.ndarray:
    """A prior as an array aligned with ``classes`` (or the proba columns)."""
    if isinstance(prior, dict):
        if classes is None:
            keys = sorted(prior)
            if len(keys) != n_classes:
                raise ValueError(f"{name} has {len(keys)} classes; expected {n_classes}.")
            values = [prior[k] for k in keys]
        else:
            missing = [c for c in classes.tolist() if c not in prior]
            extra = [k for k in prior if k not in classes.tolist()]
            if missing or extra:
                raise ValueError(
                    f"{name} must give one share per class {classes.tolist()}; "
                    f"missing {missing}, unknown {extra}."
                )
            values = [prior[c] for c in classes.tolist()]
        vec = np.asarray(values, dtype=np.float64)
    elif isinstance(prior, numbers.Real) and not isinstance(prior, bool):
        if n_classes != 2:
            raise ValueError(
                f"{name} is a single number, which means the positive-class share of a "
                f"binary problem; there are {n_classes} classes, pass one share per class."
            )
        vec = np.array([1.0 - float(prior), float(prior)])
    else:
        try:
            vec = np.asarray(prior, dtype=np.float64)
        except (TypeError, ValueError):
            vec = np.empty(0)
        if vec.ndim != 1 or vec.size != n_classes:
            raise ValueError(
                f"{name} must be a float (binary positive share), an array of {n_classes} "
                f"shares or a dict {{class: share}}; got {prior!r}."
            )
    if not np.isfinite(vec).all() or (vec <= 0).any() or (vec >= 1).any():
        raise ValueError(f"every share in {name} must be in (0, 1); got {vec.tolist()}.")
    if abs(vec.sum() - 1.0) > 1e-6:
        raise ValueError(
            f"{name} must sum to 1; got {vec.tolist()} (sum {vec.sum():.6g}). "
            "Pass proportions, e.g. counts / counts.sum()."
        )
    return vec


def prior_correction(
    proba: Any,
    *,
    train_prior: Any,
    true_prior: Any,
    classes: Any = None,
) -> np.ndarray:
    """Move probabilities learned under one class distribution to another.

    For each row, ``p'_c = p_c * w_c / sum_k p_k * w_k`` with
    ``w_c = true_prior[c] / train_prior[c]`` (Bayes' rule under prior shift). For
    binary input this is a shift of the log-odds by
    ``log(true_odds) - log(train_odds)``, so the ranking of rows is unchanged.

    Parameters
    ----------
    proba : array-like of shape (n_samples,) or (n_samples, n_classes)
        Probabilities from a model trained under ``train_prior``: 1-D for the positive
        class of a binary problem, otherwise one column per class.
    train_prior : float, array-like or dict
        Class distribution the model was trained on; after resampling, the
        *resampled* distribution (e.g. 0.5 after SMOTE to balance). A float is the
        positive-class share of a binary problem; an array has one share per column;
        a dict maps class to share (columns are then ``classes``, or the sorted keys).
    true_prior : float, array-like or dict
        Class distribution of the data the probabilities are for (deployment).
    classes : array-like, optional
        Class of each column of ``proba`` when the priors are dicts.

    Returns
    -------
    ndarray of float64
        Corrected probabilities, same shape as ``proba``; rows sum to 1.
    """
    p = _check_proba_matrix(proba)
    if p.ndim not in (1, 2) or p.size == 0:
        raise ValueError(f"proba must be a non-empty 1-D or 2-D array; got shape {p.shape}.")
    n_classes = 2 if p.ndim == 1 else p.shape[1]
    if n_classes < 2:
        raise ValueError("proba needs at least 2 columns (one per class).")
    cls = None if classes is None else np.asarray(classes)
    if cls is not None and cls.size != n_classes:
        raise ValueError(f"classes has {cls.size} entries; proba has {n_classes} classes.")
    rho = _prior_vector(train_prior, cls, n_classes, "train_prior")
    pi = _prior_vector(true_prior, cls, n_classes, "true_prior")
    w = pi / rho
    if p.ndim == 1:
        num = p * w[1]
        with np.errstate(invalid="ignore"):
            return num / (num + (1.0 - p) * w[0])
    weighted = p * w
    total = weighted.sum(axis=1, keepdims=True)
    if (total <= 0).any():
        row = int(np.flatnonzero(total.ravel() <= 0)[0])
        raise ValueError(f"proba row {row} is all zeros; cannot renormalise.")
    return weighted / total


# --------------------------------------------------------------------------- estimator
#: imbalanced-learn's ensembles (and fastsmote's drop-ins) whose members each train on
#: rows drawn by an under-sampler set by the ensemble's ``sampling_strategy`` (or by
#: BalancedBaggingClassifier's ``sampler``).
_BALANCED_ENSEMBLES = frozenset(
    {
        "BalancedBaggingClassifier",
        "BalancedRandomForestClassifier",
        "EasyEnsembleClassifier",
        "RUSBoostClassifier",
    }
)


def _innermost_final(estimator: Any) -> Any:
    while hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return estimator


def _is_passthrough(step: Any) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


def _is_balanced_ensemble(estimator: Any) -> bool:
    return any(
        cls.__name__ in _BALANCED_ENSEMBLES
        and cls.__module__.split(".")[0] in ("fastsmote", "imblearn")
        for cls in type(estimator).__mro__
    )


def _is_search(estimator: Any) -> bool:
    """A hyper-parameter search whose refitted ``best_estimator_`` makes the predictions."""
    from sklearn.model_selection._search import BaseSearchCV

    return isinstance(estimator, BaseSearchCV) or hasattr(estimator, "best_estimator_")


def _nested(estimator: Any) -> list:
    """The estimators among ``estimator``'s parameters (also in lists and named pairs)."""
    if isinstance(estimator, type) or not hasattr(estimator, "get_params"):
        return []
    found = []
    for value in estimator.get_params(deep=False).values():
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, tuple) and len(item) >= 2:
                item = item[1]  # (name, estimator[, columns]) as in steps, estimators
            if hasattr(item, "get_params") and not isinstance(item, type):
                found.append(item)
    return found


def _resamples(estimator: Any) -> bool:
    """Whether ``estimator`` or anything it wraps changes the rows a model trains on."""
    if hasattr(estimator, "fit_resample") or _is_balanced_ensemble(estimator):
        return True
    return any(_resamples(inner) for inner in _nested(estimator))


def _untraceable(estimator: Any) -> str | None:
    """Why the labels reaching the final estimator cannot be told, or None if they can.

    Works on fitted and unfitted estimators alike (it reads only the structure).
    """
    name = type(estimator).__name__
    if hasattr(estimator, "steps"):
        for step_name, step in estimator.steps[:-1]:
            if _is_passthrough(step) or hasattr(step, "fit_resample"):
                continue
            if _resamples(step):
                return f"the pipeline step {step_name!r} ({type(step).__name__}) holds a sampler"
        return _untraceable(estimator.steps[-1][1])
    if _is_search(estimator):
        inner = getattr(estimator, "best_estimator_", None)
        return _untraceable(estimator.estimator if inner is None else inner)
    if _is_balanced_ensemble(estimator):
        inner = getattr(estimator, "estimator", None)
        if inner is not None and _resamples(inner):
            return (
                f"the estimator inside {name} resamples again after the ensemble's under-sampler"
            )
        return None
    if _resamples(estimator):
        return (
            f"{name} wraps a sampler, and how {name} trains on the rows it resamples "
            "(and whether its probabilities are recalibrated on the real class "
            "distribution) is not known to fastsmote"
        )
    return None


def _ensemble_labels(ensemble: Any, X: Any, y: Any) -> Any:
    """Labels an ensemble's sampler makes of ``X, y``: what each member trains on (in
    expectation when members see a bootstrap of the rows first)."""
    from ..ensemble._common import sets_sampling_strategy
    from ..under_sampling import RandomUnderSampler

    sampler = getattr(ensemble, "sampler", None)
    if sampler is None:
        sampler = RandomUnderSampler(sampling_strategy=ensemble.sampling_strategy)
        # the counts an under-sampler keeps depend on the labels only
        X = np.zeros((len(y), 1))
    else:
        sampler = clone(sampler)
        if sets_sampling_strategy(sampler):
            sampler.set_params(sampling_strategy=ensemble.sampling_strategy)
    return sampler.fit_resample(X, y)[1]


def _replay_labels(estimator: Any, X: Any, y: Any) -> Any:
    """Labels reaching the final estimator of a fitted ``estimator`` fitted on ``X, y``.

    Pipelines are re-run step by step (samplers cloned and re-run with ``fit_resample``,
    other steps only ``transform``), a search is followed into its ``best_estimator_``
    (refitted on all of ``X, y``), and a balanced ensemble's labels are those its
    sampler makes of ``X, y``. Call only when :func:`_untraceable` found nothing.
    """
    if not _resamples(estimator):
        return y
    if hasattr(estimator, "steps"):
        Xt, yt = X, y
        for _, step in estimator.steps[:-1]:
            if _is_passthrough(step):
                continue
            if hasattr(step, "fit_resample"):
                Xt, yt = clone(step).fit_resample(Xt, yt)
            else:
                Xt = step.transform(Xt)
        return _replay_labels(estimator.steps[-1][1], Xt, yt)
    if _is_search(estimator):
        return _replay_labels(estimator.best_estimator_, X, y)
    return _ensemble_labels(estimator, X, y)


def _shares(labels: Any, classes: np.ndarray) -> np.ndarray:
    y = np.asarray(labels)
    counts = np.array([(y == c).sum() for c in classes.tolist()], dtype=np.float64)
    if (counts == 0).any():
        absent = classes[counts == 0].tolist()
        raise ValueError(f"classes {absent} have no rows; their prior cannot be estimated.")
    return counts / counts.sum()


class PriorCorrectedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A classifier whose probabilities are moved from the training to the true prior.

    Wrap a pipeline that resamples (e.g. SMOTE then a classifier) to get probabilities
    calibrated for the real class distribution: ``predict_proba`` applies
    :func:`prior_correction` with ``train_prior_`` and ``true_prior_``. For binary
    problems the ranking (ROC AUC, average precision) is exactly that of the wrapped
    estimator; ``predict`` (argmax) changes, since it now uses the true prior.

    Parameters
    ----------
    estimator : classifier
        Any scikit-learn classifier with ``predict_proba``, typically an
        ``imblearn.pipeline.Pipeline`` (or any pipeline with ``steps``) holding
        fastsmote samplers and a final classifier.
    train_prior : float, array-like, dict or None, default=None
        Class distribution the model learned. ``None`` measures it: the labels that
        reach the final estimator during ``fit`` (after every sampler of the pipeline)
        are counted. Wrappers are looked through: nested pipelines, a fitted search
        (``GridSearchCV`` and the like: its ``best_estimator_``, refitted on all the
        rows it was given, is re-run as below), and the balanced ensembles of
        fastsmote and imbalanced-learn (``BalancedRandomForestClassifier``,
        ``BalancedBaggingClassifier``, ``EasyEnsembleClassifier``,
        ``RUSBoostClassifier``), whose members train on what their sampler (set by
        ``sampling_strategy``) makes of the rows: that distribution is the one counted.
        With ``prefit=True`` the pipeline's steps are re-run on the ``X, y`` given to
        ``fit`` instead (samplers cloned; their ``random_state`` should be fixed if
        they are cleaning samplers whose counts depend on it). When a sampler sits
        inside any other meta-estimator (e.g. ``CalibratedClassifierCV``,
        ``StackingClassifier``, a balanced ensemble around a pipeline that resamples),
        the labels its final estimators saw cannot be told, and ``fit`` raises a
        ``ValueError`` (before fitting) asking for ``train_prior``. A float is the
        positive-class share of a binary problem, an array one share per class in
        ``classes_`` order, a dict ``{class: share}``.
    true_prior : float, array-like, dict or None, default=None
        Class distribution of the data to predict. ``None`` uses the class frequencies
        of the ``y`` given to ``fit`` (before resampling).
    prefit : bool, default=False
        ``estimator`` is already fitted: ``fit(X, y)`` does not refit it and only
        determines the priors. See also :meth:`from_fitted`.

    Attributes
    ----------
    estimator_ : classifier
        The fitted estimator (a clone, or ``estimator`` itself when ``prefit``).
    classes_ : ndarray
        Class labels, as in ``estimator_.classes_``.
    train_prior_ : ndarray
        Training distribution, aligned with ``classes_``.
    true_prior_ : ndarray
        Target distribution, aligned with ``classes_``.

    Notes
    -----
    To count the labels reaching the final estimator, ``fit`` temporarily wraps that
    estimator's ``fit`` method on the private clone (removed before ``fit`` returns).
    The correction is exact when resampling changed only the class priors; SMOTE also
    changes the minority's distribution (interpolated points), so the correction is
    an approximation there, usually a large improvement (see the decision-support
    documentation). A model trained with ``class_weight="balanced"`` learned a uniform
    prior: pass ``train_prior`` explicitly for it.

    A balanced ensemble's members each see their own draw of rows (a bootstrap first,
    for the bagging ensembles); the measured prior is what the sampler makes of all the
    rows, which is each member's exactly for the default strategies of a binary
    problem (every member balanced) and on average otherwise.
    """

    def __init__(
        self,
        estimator: Any,
        *,
        train_prior: Any = None,
        true_prior: Any = None,
        prefit: bool = False,
    ) -> None:
        self.estimator = estimator
        self.train_prior = train_prior
        self.true_prior = true_prior
        self.prefit = prefit

    @classmethod
    def from_fitted(
        cls, estimator: Any, *, train_prior: Any, true_prior: Any
    ) -> PriorCorrectedClassifier:
        """Wrap a fitted classifier with known priors, without any data.

        Parameters
        ----------
        estimator : fitted classifier with ``classes_`` and ``predict_proba``
        train_prior, true_prior : float, array-like or dict
            As in the constructor; both are required here.

        Returns
        -------
        PriorCorrectedClassifier
            Ready to ``predict_proba``.
        """
        if train_prior is None or true_prior is None:
            raise ValueError(
                "from_fitted needs both train_prior and true_prior; to measure them from "
                "data use PriorCorrectedClassifier(estimator, prefit=True).fit(X, y)."
            )
        model = cls(estimator, train_prior=train_prior, true_prior=true_prior, prefit=True)
        model._set_fitted(estimator)
        model.train_prior_ = _prior_vector(
            train_prior, model.classes_, model.classes_.size, "train_prior"
        )
        model.true_prior_ = _prior_vector(
            true_prior, model.classes_, model.classes_.size, "true_prior"
        )
        return model

    def _set_fitted(self, estimator: Any) -> None:
        check_is_fitted(estimator)
        if not hasattr(estimator, "predict_proba"):
            raise TypeError(
                f"{type(estimator).__name__} has no predict_proba; prior correction needs "
                "probabilities."
            )
        self.estimator_ = estimator
        self.classes_ = np.asarray(estimator.classes_)
        for name in ("n_features_in_", "feature_names_in_"):  # none left from an earlier fit
            if hasattr(estimator, name):
                setattr(self, name, getattr(estimator, name))
            elif name in vars(self):
                delattr(self, name)

    def fit(self, X: Any, y: Any, **fit_params: Any) -> PriorCorrectedClassifier:
        """Fit a clone of the estimator (unless ``prefit``) and determine the priors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (with ``prefit=True``: the data the estimator was fit on,
            used only to measure missing priors).
        y : array-like of shape (n_samples,)
            Training labels, before any resampling.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : object

        Raises
        ------
        ValueError
            ``train_prior=None`` while a sampler sits inside a meta-estimator whose
            training labels cannot be followed (see ``train_prior``).
        """
        if not isinstance(self.prefit, bool):
            raise ValueError(f"prefit must be a bool; got {self.prefit!r}.")
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if self.train_prior is None:
            reason = _untraceable(self.estimator)
            if reason is not None:
                raise ValueError(
                    "train_prior=None measures the class distribution the final "
                    f"estimator was trained on, but {reason}. Pass train_prior "
                    "explicitly: the class shares that estimator learned (e.g. 0.5 after "
                    "resampling a binary problem to balance; the true prior when the "
                    "probabilities are already calibrated on the real distribution, as "
                    "CalibratedClassifierCV does on held-out rows)."
                )
        seen = []
        if self.prefit:
            self._set_fitted(self.estimator)
        else:
            estimator = clone(self.estimator)
            final = _innermost_final(estimator)
            original_fit = final.fit

            def recording_fit(X_final, y_final, *args, **kwargs):
                seen.append((final, X_final, y_final))
                return original_fit(X_final, y_final, *args, **kwargs)

            final.fit = recording_fit
            try:
                estimator.fit(X, y, **fit_params)
            finally:
                del final.fit
            self._set_fitted(estimator)
        classes, k = self.classes_, self.classes_.size
        if self.train_prior is not None:
            self.train_prior_ = _prior_vector(self.train_prior, classes, k, "train_prior")
        elif seen:
            # the last step of the (nested) pipelines may itself be a search or a
            # balanced ensemble: follow the labels it was given into it
            self.train_prior_ = _shares(_replay_labels(*seen[-1]), classes)
        else:
            self.train_prior_ = _shares(_replay_labels(self.estimator_, X, y), classes)
        if self.true_prior is not None:
            self.true_prior_ = _prior_vector(self.true_prior, classes, k, "true_prior")
        else:
            self.true_prior_ = _shares(y, classes)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of the wrapped estimator, corrected to ``true_prior_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "train_prior_")
        proba = self.estimator_.predict_proba(X)
        return prior_correction(proba, train_prior=self.train_prior_, true_prior=self.true_prior_)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class with the highest corrected probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        return tags
