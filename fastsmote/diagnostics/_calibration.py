"""Calibration metrics: reliability curve, Brier score, expected calibration error.

A classifier fit on resampled data learns the class distribution it was shown, so its
probabilities are too high for the resampled classes on real data even when its ranking
is excellent; these metrics measure that (the correction is in ``_prior_correction``).
"""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from ._thresholds import check_binary_target, check_scores

__all__ = [
    "ReliabilityCurve",
    "brier_score",
    "expected_calibration_error",
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
