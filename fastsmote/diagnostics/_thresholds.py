"""Thresholds from scores: the precision-recall table, alert capacity, alert volume.

A model deployed for alerting flags a row when its score is at or above a threshold
(``score >= threshold``, scikit-learn's convention). The questions are operational: how
many alerts will a threshold raise, which threshold fits a team's capacity, and what
happens to volume and precision when the share of positives in production differs from
the validation set. Everything here works on held-out scores and labels; the curves
themselves come from :func:`sklearn.metrics.precision_recall_curve`.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
from sklearn.metrics import precision_recall_curve

__all__ = [
    "AlertVolume",
    "CapacityThreshold",
    "PrecisionRecallTable",
    "expected_alert_volume",
    "precision_recall_table",
    "threshold_for_capacity",
]


# --------------------------------------------------------------------------- checks
def check_binary_target(y_true: Any, pos_label: Any = None) -> tuple[np.ndarray, Any]:
    """Validate binary labels; return ``y_true == pos_label`` (bool) and ``pos_label``.

    ``pos_label=None`` means the greater of the two labels (the column ``[:, 1]`` of a
    scikit-learn classifier's ``predict_proba``).
    """
    y = np.asarray(y_true)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y_true must be a non-empty 1-D array of labels; got shape {y.shape}.")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError("y_true contains NaN; labels must be known for every row.")
    classes = np.unique(y)
    if classes.size == 1:
        raise ValueError(
            f"y_true holds one class only ({classes.tolist()[0]!r}); precision, recall and "
            "calibration need both positive and negative rows."
        )
    if classes.size > 2:
        raise ValueError(
            f"y_true must be binary; got {classes.size} classes {classes.tolist()[:10]}. "
            "Score one class against the rest first."
        )
    if pos_label is None:
        pos_label = classes[1].item() if hasattr(classes[1], "item") else classes[1]
    elif pos_label not in classes.tolist():
        raise ValueError(f"pos_label={pos_label!r} is not a label of y_true {classes.tolist()}.")
    return y == pos_label, pos_label


def check_scores(scores: Any, n_rows: int, name: str = "scores") -> np.ndarray:
    """Validate 1-D finite scores of the same length as the labels (float64 copy)."""
    s = np.asarray(scores)
    if s.ndim == 2 and s.shape[1] == 1:
        s = s.ravel()
    if s.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one score per row); got shape {s.shape}. For "
            "predict_proba output pass the positive-class column, e.g. proba[:, 1]."
        )
    if s.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric; got dtype {s.dtype}.")
    if s.shape[0] != n_rows:
        raise ValueError(
            f"y_true and {name} have different lengths: {n_rows} labels, {s.shape[0]} {name}."
        )
    s = s.astype(np.float64)
    bad = ~np.isfinite(s)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        kind = "NaN" if np.isnan(s[row]) else "infinity"
        raise ValueError(f"{name} contains {kind} (first at row {row}); every row needs a score.")
    return s


def check_prevalence(value: Any, name: str) -> float:
    """A class share strictly between 0 and 1."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be a float in the open interval (0, 1); got {value!r}.")
    return float(value)


def _alerts_at(sorted_scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Number of rows with ``score >= threshold`` for each threshold."""
    return sorted_scores.size - np.searchsorted(sorted_scores, thresholds, side="left")


# --------------------------------------------------------------------------- table
class PrecisionRecallTable(NamedTuple):
    """The precision-recall curve as a table, one row per distinct score (ascending).

    A row is flagged when ``score >= threshold``.

    Attributes
    ----------
    threshold : ndarray of float64
        The distinct scores, increasing.
    precision : ndarray of float64
        Precision among the flagged rows.
    recall : ndarray of float64
        Share of positives flagged.
    alerts : ndarray of int64
        Number of rows flagged.
    alert_rate : ndarray of float64
        ``alerts / n_rows``.
    n_rows : int
        Rows in the data.
    n_positive : int
        Positive rows in the data.
    """

    threshold: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    alerts: np.ndarray
    alert_rate: np.ndarray
    n_rows: int
    n_positive: int

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (pandas is imported here, on demand)."""
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - pandas is a test dependency
            raise ImportError("to_frame() needs pandas: pip install pandas") from error
        columns = ("threshold", "precision", "recall", "alerts", "alert_rate")
        return pd.DataFrame({c: getattr(self, c) for c in columns})


def precision_recall_table(
    y_true: Any, scores: Any, *, pos_label: Any = None
) -> PrecisionRecallTable:
    """Precision, recall and alert count at every distinct score.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels.
    scores : array-like of shape (n_samples,)
        Scores or probabilities of the positive class; higher means more likely positive.
    pos_label : label, optional
        The positive class; by default the greater of the two labels.

    Returns
    -------
    PrecisionRecallTable
        Arrays ``threshold``, ``precision``, ``recall``, ``alerts``, ``alert_rate`` (one
        entry per distinct score) and ``to_frame()``. Precision and recall are those of
        :func:`sklearn.metrics.precision_recall_curve` without its final
        ``(precision=1, recall=0)`` point, which has no threshold.
    """
    positive, _ = check_binary_target(y_true, pos_label)
    s = check_scores(scores, positive.size)
    precision, recall, thresholds = precision_recall_curve(
        positive, s, pos_label=True, drop_intermediate=False
    )
    precision, recall = precision[:-1], recall[:-1]
    alerts = _alerts_at(np.sort(s), thresholds).astype(np.int64)
    return PrecisionRecallTable(
        threshold=thresholds.astype(np.float64),
        precision=precision,
        recall=recall,
        alerts=alerts,
        alert_rate=alerts / s.size,
        n_rows=int(s.size),
        n_positive=int(positive.sum()),
    )


# --------------------------------------------------------------------------- capacity
class CapacityThreshold(NamedTuple):
    """The lowest threshold whose alerts fit a capacity, and what it achieves.

    Attributes
    ----------
    threshold : float
        Flag rows with ``score >= threshold``.
    alerts : int
        Rows flagged in the given data (never more than ``max_alerts``).
    alert_rate : float
        ``alerts / n_rows``.
    precision : float
        Precision of the flagged rows (NaN when nothing is flagged).
    recall : float
        Share of the positives flagged.
    max_alerts : int
        The capacity expressed as a number of alerts over the given data.
    alerts_per_batch : float or None
        ``alert_rate * batch_size`` when a batch size was given.
    """

    threshold: float
    alerts: int
    alert_rate: float
    precision: float
    recall: float
    max_alerts: int
    alerts_per_batch: float | None


def share_count(share: Any, n_rows: int) -> int:
    """``floor(share * n_rows)`` for the decimal written, e.g. 0.29 of 100 rows is 29.

    A binary float is rarely the decimal it was written as (``0.29 * 100`` is
    ``28.999999999999996``), so the share is read as the shortest decimal that gives
    back the same float (its ``repr``; a NumPy float at its own precision) and the
    product is taken exactly.
    """
    if isinstance(share, Fraction):
        exact = share
    elif isinstance(share, np.floating):
        exact = Fraction(np.format_float_positional(share, unique=True))
    else:
        exact = Fraction(repr(float(share)))
    return math.floor(exact * n_rows)


def _max_alerts(capacity: Any, batch_size: Any, n_rows: int) -> int:
    integral = isinstance(capacity, numbers.Integral) and not isinstance(capacity, bool)
    real = isinstance(capacity, numbers.Real) and not isinstance(capacity, bool)
    if batch_size is not None:
        if not (isinstance(batch_size, numbers.Integral) and not isinstance(batch_size, bool)):
            raise ValueError(f"batch_size must be a positive int or None; got {batch_size!r}.")
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive int or None; got {batch_size!r}.")
        if not integral or not 1 <= capacity <= batch_size:
            raise ValueError(
                f"With batch_size={batch_size}, capacity must be an int of alerts per batch "
                f"in [1, {batch_size}]; got {capacity!r}."
            )
        # floor: capacity per batch scaled to the data may not round up past capacity
        return (int(capacity) * n_rows) // int(batch_size)
    if integral:
        if capacity < 1:
            raise ValueError(
                f"capacity must be a positive int (alerts over the given data) or a float "
                f"in (0, 1) (share of rows); got {capacity!r}."
            )
        return int(capacity)
    if real and 0.0 < float(capacity) < 1.0:
        return share_count(capacity, n_rows)
    raise ValueError(
        f"capacity must be a positive int (alerts over the given data) or a float in "
        f"(0, 1) (share of rows); got {capacity!r}."
    )


def threshold_for_capacity(
    y_true: Any,
    scores: Any,
    *,
    capacity: int | float,
    batch_size: int | None = None,
    pos_label: Any = None,
) -> CapacityThreshold:
    """The lowest threshold whose alerts do not exceed a capacity.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels of a held-out set representative of deployment.
    scores : array-like of shape (n_samples,)
        Scores of the positive class; rows with ``score >= threshold`` are flagged.
    capacity : int or float
        How many alerts can be handled:

        - int, ``batch_size=None``: alerts over the given data (e.g. ``500``);
        - int with ``batch_size``: alerts per batch of ``batch_size`` rows (e.g. 50 per
          10 000 rows), i.e. at most ``floor(capacity * n_samples / batch_size)``
          alerts over the given data;
        - float in (0, 1): a share of rows (``0.01`` = at most 1 % of rows flagged),
          i.e. at most ``floor(capacity * n_samples)`` alerts, the product taken on the
          decimal written (``0.29`` of 100 rows is 29, although ``0.29 * 100`` is
          ``28.999999999999996`` in binary floating point).
    batch_size : int, optional
        Rows per batch for an int ``capacity``.
    pos_label : label, optional
        The positive class; by default the greater of the two labels.

    Returns
    -------
    CapacityThreshold
        ``threshold``, ``alerts``, ``alert_rate``, ``precision``, ``recall``,
        ``max_alerts`` and ``alerts_per_batch``.

    Notes
    -----
    The threshold is the lowest distinct score at which the number of flagged rows is
    at most the capacity. Tied scores are flagged together, so the capacity is never
    exceeded: when the tie at a score would cross it, the next higher score is chosen
    and fewer alerts than the capacity are raised. When even the highest score is tied
    by more rows than the capacity, the threshold is just above the highest score,
    nothing is flagged and precision is NaN.
    """
    table = precision_recall_table(y_true, scores, pos_label=pos_label)
    max_alerts = _max_alerts(capacity, batch_size, table.n_rows)
    # alerts decrease as the threshold increases: first position that fits the capacity
    order = -table.alerts  # increasing
    i = int(np.searchsorted(order, -max_alerts, side="left"))
    if i < table.threshold.size:
        threshold = float(table.threshold[i])
        alerts, precision, recall = int(table.alerts[i]), table.precision[i], table.recall[i]
    else:
        threshold = float(np.nextafter(table.threshold[-1], np.inf))
        alerts, precision, recall = 0, np.nan, 0.0
    rate = alerts / table.n_rows
    return CapacityThreshold(
        threshold=threshold,
        alerts=alerts,
        alert_rate=rate,
        precision=float(precision),
        recall=float(recall),
        max_alerts=int(max_alerts),
        alerts_per_batch=None if batch_size is None else rate * batch_size,
    )


# --------------------------------------------------------------------------- volume
class AlertVolume(NamedTuple):
    """Alert rate and precision of a threshold at a deployment prevalence.

    Fields are floats for a scalar threshold, arrays for an array of thresholds.

    Attributes
    ----------
    threshold : float or ndarray
    tpr : float or ndarray
        True-positive rate (recall) on the validation data.
    fpr : float or ndarray
        False-positive rate on the validation data.
    validation_prevalence : float
        Share of positives in the validation data.
    deployment_prevalence : float
        Share of positives expected in deployment.
    alert_rate : float or ndarray
        ``deployment_prevalence * tpr + (1 - deployment_prevalence) * fpr``.
    precision : float or ndarray
        ``deployment_prevalence * tpr / alert_rate`` (NaN when the rate is 0).
    expected_alerts : float, ndarray or None
        ``alert_rate * n_rows`` when ``n_rows`` was given.
    """

    threshold: Any
    tpr: Any
    fpr: Any
    validation_prevalence: float
    deployment_prevalence: float
    alert_rate: Any
    precision: Any
    expected_alerts: Any


def expected_alert_volume(
    y_true: Any,
    scores: Any,
    threshold: float | Any,
    *,
    deployment_prevalence: float,
    n_rows: int | None = None,
    pos_label: Any = None,
) -> AlertVolume:
    """Alert rate and precision of a threshold when the positive share changes.

    The true- and false-positive rates of a threshold are properties of the score
    distributions within each class, measured on validation data; the alert rate in
    deployment mixes them at the deployment prevalence ``pi``::

        rate      = pi * TPR + (1 - pi) * FPR
        precision = pi * TPR / rate

    This assumes the classes' score distributions are the same in deployment (prior
    shift only).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary validation labels (both classes present).
    scores : array-like of shape (n_samples,)
        Validation scores of the positive class.
    threshold : float or array-like of float
        Flag rows with ``score >= threshold``; an array gives one result per threshold.
    deployment_prevalence : float
        Expected share of positives in deployment, in (0, 1).
    n_rows : int, optional
        Rows to be scored in deployment (per day, per batch...); gives
        ``expected_alerts``.
    pos_label : label, optional
        The positive class; by default the greater of the two labels.

    Returns
    -------
    AlertVolume
    """
    positive, _ = check_binary_target(y_true, pos_label)
    s = check_scores(scores, positive.size)
    pi = check_prevalence(deployment_prevalence, "deployment_prevalence")
    if n_rows is not None and (
        not isinstance(n_rows, numbers.Integral) or isinstance(n_rows, bool) or n_rows < 1
    ):
        raise ValueError(f"n_rows must be a positive int or None; got {n_rows!r}.")
    thr = np.asarray(threshold, dtype=np.float64)
    if thr.ndim > 1 or np.isnan(thr).any():
        raise ValueError(f"threshold must be a number or a 1-D array of numbers; got {threshold}")
    tpr = _alerts_at(np.sort(s[positive]), thr) / positive.sum()
    fpr = _alerts_at(np.sort(s[~positive]), thr) / (~positive).sum()
    rate = pi * tpr + (1.0 - pi) * fpr
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(rate > 0, pi * tpr / np.where(rate > 0, rate, 1.0), np.nan)
    expected = None if n_rows is None else rate * n_rows

    def out(a):
        return None if a is None else (float(a) if thr.ndim == 0 else np.asarray(a))

    return AlertVolume(
        threshold=out(thr),
        tpr=out(tpr),
        fpr=out(fpr),
        validation_prevalence=float(positive.mean()),
        deployment_prevalence=pi,
        alert_rate=out(rate),
        precision=out(precision),
        expected_alerts=out(expected),
    )
