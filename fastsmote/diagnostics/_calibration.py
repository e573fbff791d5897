"""Calibration after resampling, and the analytic prior correction.

A classifier fit on resampled data learns the class distribution it was shown: after
SMOTE to balance, a 2 % minority "looks" like 50 %, so predicted probabilities are far
too high on real data even though the ranking may be excellent. Bayes' rule undoes this
exactly when only the class priors changed (the within-class distributions are what the
model learned)::

    p'(c | x)  proportional to  p(c | x) * true_prior[c] / train_prior[c]

This module measures calibration (reliability curve, Brier score, expected calibration
error) and applies that correction, either to probabilities (:func:`prior_correction`)
or around a classifier (:class:`PriorCorrectedClassifier`).
"""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss
from sklearn.utils.validation import check_is_fitted

from ._thresholds import check_binary_target, check_scores

__all__ = [
    "PriorCorrectedClassifier",
    "ReliabilityCurve",
    "brier_score",
    "expected_calibration_error",
    "prior_correction",
    "reliability_curve",
]

_STRATEGIES = ("uniform", "quantile")


# --------------------------------------------------------------------------- binning
def _positive_proba(y_true: Any, proba: Any, pos_label: Any) -> tuple[np.ndarray, np.ndarray]:
    """Binary labels (bool) and the positive-class probability from 1-D or (n, 2) input."""
    positive, pos_label = check_binary_target(y_true, pos_label)
    p = np.asarray(proba)
    if p.ndim == 2 and p.shape[1] == 2:
        classes = np.unique(np.asarray(y_true)).tolist()
        p = p[:, classes.index(pos_label)]
    elif p.ndim == 2 and p.shape[1] > 2:
        raise ValueError(
            f"proba has {p.shape[1]} columns but y_true is binary; pass the probability "
            "of the positive class."
        )
    p = check_scores(p, positive.size, name="proba")
    if p.min() < 0.0 or p.max() > 1.0:
        raise ValueError(
            f"proba must be probabilities in [0, 1]; got values in [{p.min()}, {p.max()}]."
        )
    return positive, p


def _check_bins(n_bins: Any, strategy: Any) -> None:
    if not isinstance(n_bins, numbers.Integral) or isinstance(n_bins, bool) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive int; got {n_bins!r}.")
    if strategy not in _STRATEGIES:
        raise ValueError(f"strategy must be one of {_STRATEGIES}; got {strategy!r}.")


def _bin_edges(conf: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    # scikit-learn's calibration_curve edges (so the bins are the same)
    if strategy == "quantile":
        return np.percentile(conf, np.linspace(0.0, 100.0, n_bins + 1))
    return np.linspace(0.0, 1.0, n_bins + 1)


def _bin_totals(
    hit: np.ndarray, conf: np.ndarray, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-bin row count, sum of ``hit`` and sum of ``conf``; a value on an inner edge
    goes to the lower bin, as in :func:`sklearn.calibration.calibration_curve`."""
    n_bins = edges.size - 1
    ids = np.searchsorted(edges[1:-1], conf)
    counts = np.bincount(ids, minlength=n_bins)
    hits = np.bincount(ids, weights=hit.astype(np.float64), minlength=n_bins)
    confs = np.bincount(ids, weights=conf, minlength=n_bins)
    return counts, hits, confs


class ReliabilityCurve(NamedTuple):
    """Observed frequency against mean predicted probability, per non-empty bin.

    Attributes
    ----------
    prob_true : ndarray
        Share of positives in each bin (:func:`sklearn.calibration.calibration_curve`).
    prob_pred : ndarray
        Mean predicted probability in each bin.
    counts : ndarray of int64
        Rows in each bin.
    bin_edges : ndarray
        The ``n_bins + 1`` edges, empty bins included.
    """

    prob_true: np.ndarray
    prob_pred: np.ndarray
    counts: np.ndarray
    bin_edges: np.ndarray


def reliability_curve(
    y_true: Any,
    proba: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
) -> ReliabilityCurve:
    """Reliability diagram data: scikit-learn's calibration curve plus bin counts.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels.
    proba : array-like of shape (n_samples,) or (n_samples, 2)
        Probability of the positive class (or ``predict_proba`` output, whose columns
        are the sorted labels).
    n_bins : int, default=10
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width bins on [0, 1], or bins holding equal numbers of rows.
    pos_label : label, optional
        The positive class; by default the greater of the two labels.

    Returns
    -------
    ReliabilityCurve
        ``prob_true``, ``prob_pred``, ``counts`` (one entry per non-empty bin) and
        ``bin_edges``.
    """
    _check_bins(n_bins, strategy)
    positive, p = _positive_proba(y_true, proba, pos_label)
    prob_true, prob_pred = calibration_curve(
        positive, p, pos_label=True, n_bins=n_bins, strategy=strategy
    )
    edges = _bin_edges(p, n_bins, strategy)
    counts, _, _ = _bin_totals(positive, p, edges)
    return ReliabilityCurve(prob_true, prob_pred, counts[counts > 0].astype(np.int64), edges)


def brier_score(y_true: Any, proba: Any, *, pos_label: Any = None) -> float:
    """Mean squared error of the positive-class probability.

    A thin wrapper of :func:`sklearn.metrics.brier_score_loss` with this module's input
    checks (binary labels, finite probabilities, 1-D or ``(n, 2)`` input).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels.
    proba : array-like of shape (n_samples,) or (n_samples, 2)
        Probability of the positive class (or ``predict_proba`` output).
    pos_label : label, optional
        The positive class; by default the greater of the two labels.

    Returns
    -------
    float
    """
    positive, p = _positive_proba(y_true, proba, pos_label)
    return float(brier_score_loss(positive, p, pos_label=True))


def expected_calibration_error(
    y_true: Any,
    proba: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
    labels: Any = None,
) -> float:
    """Expected calibration error: bin-size-weighted mean ``|observed - predicted|``.

    ``ECE = sum_b (n_b / n) * |acc_b - conf_b|`` over the bins ``b``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels.
    proba : array-like of shape (n_samples,), (n_samples, 2) or (n_samples, n_classes)
        For binary labels (1-D or two columns) the probability of the positive class
        is binned and ``acc_b`` is the share of positives in the bin: the gaps of the
        reliability curve, which is what matters for imbalanced problems. For more than
        two columns, the top-label ECE: ``conf`` is the highest probability of a row
        and ``acc_b`` the share of rows whose top class is right.
    n_bins : int, default=10
    strategy : {"uniform", "quantile"}, default="uniform"
        Bins as in :func:`sklearn.calibration.calibration_curve` (a value on an inner
        edge belongs to the lower bin).
    pos_label : label, optional
        Binary only: the positive class (default: the greater label).
    labels : array-like, optional
        Multiclass only: the class of each column of ``proba`` (default: the sorted
        labels of ``y_true``).

    Returns
    -------
    float
    """
    _check_bins(n_bins, strategy)
    p = np.asarray(proba)
    if p.ndim == 2 and p.shape[1] > 2:
        hit, conf = _top_label(y_true, p, labels)
    else:
        hit, conf = _positive_proba(y_true, proba, pos_label)
    counts, hits, confs = _bin_totals(hit, conf, _bin_edges(conf, n_bins, strategy))
    return float(np.abs(hits - confs).sum() / conf.size)


def _top_label(y_true: Any, p: np.ndarray, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    if y.ndim != 1 or y.shape[0] != p.shape[0]:
        raise ValueError(
            f"y_true must be 1-D with one label per row of proba; got shapes {y.shape} "
            f"and {p.shape}."
        )
    labels = np.unique(y) if labels is None else np.asarray(labels)
    if labels.size != p.shape[1]:
        raise ValueError(
            f"proba has {p.shape[1]} columns but there are {labels.size} labels "
            f"{labels.tolist()[:10]}; pass labels= naming the class of each column."
        )
    if not np.isin(y, labels).all():
        raise ValueError("y_true holds labels that are not among labels=.")
    p = _check_proba_matrix(p)
    return labels[np.argmax(p, axis=1)] == y, p.max(axis=1)


def _check_proba_matrix(p: Any) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    if not np.isfinite(p).all():
        bad = ~np.isfinite(p) if p.ndim == 1 else ~np.isfinite(p).all(axis=1)
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"proba contains NaN or infinity (first at row {row}).")
    if p.min() < 0.0 or p.max() > 1.0:
        raise ValueError("proba must be probabilities in [0, 1].")
    return p


# --------------------------------------------------------------------------- correction
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
def _innermost_final(estimator: Any) -> Any:
    while hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return estimator


def _has_sampler(estimator: Any) -> bool:
    if not hasattr(estimator, "steps"):
        return False
    return any(hasattr(step, "fit_resample") or _has_sampler(step) for _, step in estimator.steps)


def _replay_labels(pipeline: Any, X: Any, y: Any) -> Any:
    """Labels reaching the final estimator of a fitted pipeline, by re-running its steps.

    Samplers are cloned and re-run with ``fit_resample``; other steps only ``transform``.
    """
    Xt, yt = X, y
    for _, step in pipeline.steps[:-1]:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        if hasattr(step, "fit_resample"):
            Xt, yt = clone(step).fit_resample(Xt, yt)
        else:
            Xt = step.transform(Xt)
    final = pipeline.steps[-1][1]
    return _replay_labels(final, Xt, yt) if hasattr(final, "steps") else yt


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
        are counted. With ``prefit=True`` the pipeline's steps are re-run on the
        ``X, y`` given to ``fit`` instead (samplers cloned; their ``random_state``
        should be fixed if they are cleaning samplers whose counts depend on it). A
        float is the positive-class share of a binary problem, an array one share per
        class in ``classes_`` order, a dict ``{class: share}``.
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
        if hasattr(estimator, "n_features_in_"):
            self.n_features_in_ = estimator.n_features_in_
        if hasattr(estimator, "feature_names_in_"):
            self.feature_names_in_ = estimator.feature_names_in_

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
        """
        if not isinstance(self.prefit, bool):
            raise ValueError(f"prefit must be a bool; got {self.prefit!r}.")
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        seen = []
        if self.prefit:
            self._set_fitted(self.estimator)
        else:
            estimator = clone(self.estimator)
            final = _innermost_final(estimator)
            original_fit = final.fit

            def recording_fit(X_final, y_final, *args, **kwargs):
                seen.append(np.asarray(y_final))
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
            self.train_prior_ = _shares(seen[-1], classes)
        elif _has_sampler(self.estimator_):
            self.train_prior_ = _shares(_replay_labels(self.estimator_, X, y), classes)
        else:
            self.train_prior_ = _shares(y, classes)
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
