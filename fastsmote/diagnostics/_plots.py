"""Pictures for decision support (the optional ``plot`` extra: matplotlib).

matplotlib is imported inside each function, so importing fastsmote or
``fastsmote.diagnostics`` never imports it. Every function draws on ``ax`` (or a new
figure) and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ._calibration import expected_calibration_error, reliability_curve
from ._thresholds import expected_alert_volume, precision_recall_table, threshold_for_capacity

__all__ = ["plot_alert_volume", "plot_overlap", "plot_precision_recall", "plot_reliability"]

_TYPES = ("safe", "borderline", "rare", "outlier")


def _axes(ax: Any) -> Any:
    """``ax``, or the Axes of a new figure; the clear error when matplotlib is absent."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            'Plotting needs matplotlib, the optional "plot" extra: pip install "fastsmote[plot]"'
        ) from error
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.0), layout="constrained")
    return ax


def plot_precision_recall(
    y_true: Any,
    scores: Any,
    *,
    capacity: int | float | None = None,
    batch_size: int | None = None,
    pos_label: Any = None,
    ax: Any = None,
) -> Any:
    """Precision against recall, with the operating point of a capacity marked.

    Parameters
    ----------
    y_true, scores : array-like of shape (n_samples,)
        Binary labels and positive-class scores (see :func:`precision_recall_table`).
    capacity, batch_size : optional
        As in :func:`threshold_for_capacity`; marks the point it chooses.
    pos_label : label, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    table = precision_recall_table(y_true, scores, pos_label=pos_label)
    ax = _axes(ax)
    recall = np.append(table.recall, 0.0)
    precision = np.append(table.precision, 1.0)
    ax.step(recall, precision, where="post", label="precision-recall")
    base = table.n_positive / table.n_rows
    ax.axhline(base, color="grey", lw=0.8, ls=":", label=f"prevalence {base:.3f}")
    if capacity is not None:
        point = threshold_for_capacity(
            y_true, scores, capacity=capacity, batch_size=batch_size, pos_label=pos_label
        )
        what = f"{capacity} alerts per {batch_size} rows" if batch_size else f"{capacity}"
        ax.plot(point.recall, point.precision, "o", color="C3", ms=8)
        ax.annotate(
            f"capacity {what} ({point.max_alerts} alerts)\nthreshold {point.threshold:.3g}: "
            f"{point.alerts} alerts\nprecision {point.precision:.2f}, recall {point.recall:.2f}",
            (point.recall, point.precision),
            xytext=(15, -45),
            textcoords="offset points",
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "C3"},
        )
    ax.set(xlabel="recall", ylabel="precision", xlim=(0.0, 1.0), ylim=(0.0, 1.05))
    ax.legend(loc="upper right", fontsize=8)
    return ax


def plot_reliability(
    y_true: Any,
    proba: Any,
    *,
    corrected: Any = None,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
    ax: Any = None,
) -> Any:
    """Reliability diagram, before and (optionally) after prior correction.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels.
    proba : array-like of shape (n_samples,) or (n_samples, 2)
        Probabilities of the model as trained (e.g. on resampled data).
    corrected : array-like, optional
        The same rows' probabilities after :func:`prior_correction` (or from a
        :class:`PriorCorrectedClassifier`).
    n_bins : int, default=10
        As in :func:`reliability_curve`.
    strategy : {"uniform", "quantile"}, default="uniform"
        As in :func:`reliability_curve`.
    pos_label : label, optional
        As in :func:`reliability_curve`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":", label="perfect calibration")
    series = [("as trained", proba, "C1")]
    if corrected is not None:
        series.append(("prior-corrected", corrected, "C0"))
    for name, p, color in series:
        curve = reliability_curve(y_true, p, n_bins=n_bins, strategy=strategy, pos_label=pos_label)
        ece = expected_calibration_error(
            y_true, p, n_bins=n_bins, strategy=strategy, pos_label=pos_label
        )
        ax.plot(
            curve.prob_pred, curve.prob_true, "o-", color=color, label=f"{name} (ECE {ece:.3f})"
        )
    ax.set(xlim=(0.0, 1.0), ylim=(0.0, 1.0))
    ax.set(xlabel="mean predicted probability", ylabel="observed share of positives")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_alert_volume(
    y_true: Any,
    scores: Any,
    *,
    deployment_prevalence: float | None = None,
    n_rows: int | None = None,
    pos_label: Any = None,
    ax: Any = None,
) -> Any:
    """Alerts raised at each threshold, on the validation data and in deployment.

    Parameters
    ----------
    y_true, scores : array-like of shape (n_samples,)
        Binary validation labels and positive-class scores.
    deployment_prevalence : float, optional
        Also draw the volume expected at this positive share
        (:func:`expected_alert_volume`).
    n_rows : int, optional
        Show expected alerts for this many rows instead of the alert rate.
    pos_label : label, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    table = precision_recall_table(y_true, scores, pos_label=pos_label)
    ax = _axes(ax)
    scale = 1.0 if n_rows is None else float(n_rows)
    ax.step(
        table.threshold,
        table.alert_rate * scale,
        where="post",
        label=f"validation (prevalence {table.n_positive / table.n_rows:.3f})",
    )
    if deployment_prevalence is not None:
        volume = expected_alert_volume(
            y_true,
            scores,
            table.threshold,
            deployment_prevalence=deployment_prevalence,
            pos_label=pos_label,
        )
        ax.step(
            table.threshold,
            volume.alert_rate * scale,
            where="post",
            label=f"deployment (prevalence {deployment_prevalence:.3f})",
        )
    ax.set_yscale("log")
    ax.set_xlabel("threshold (flag score >= threshold)")
    ax.set_ylabel("alert rate" if n_rows is None else f"expected alerts per {n_rows} rows")
    ax.legend(loc="upper right", fontsize=8)
    return ax


def plot_overlap(report: Any, *, ax: Any = None) -> Any:
    """Stacked bars of the neighbourhood typology of each class.

    Parameters
    ----------
    report : OverlapReport or dict
        The result of :func:`overlap_report` (its ``typology``), or a dict
        ``{class: {"safe": share, "borderline": share, "rare": share, "outlier": share}}``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    typology = getattr(report, "typology", report)
    if not isinstance(typology, Mapping) or not typology:
        raise TypeError(
            "report must be an OverlapReport or a non-empty dict {class: {type: share}}; "
            f"got {type(report).__name__}."
        )
    for label, shares in typology.items():
        if not isinstance(shares, Mapping):
            raise TypeError(f"typology[{label!r}] must be a dict {{type: share}}.")
        unknown = set(shares) - set(_TYPES)
        if unknown:
            raise ValueError(f"typology[{label!r}] has unknown types {sorted(unknown)}.")
    ax = _axes(ax)
    labels = [str(c) for c in typology]
    left = np.zeros(len(labels))
    colors = {"safe": "#4c9f70", "borderline": "#e3b23c", "rare": "#d1603d", "outlier": "#6b2737"}
    for kind in _TYPES:
        share = np.array([float(s.get(kind, 0.0)) for s in typology.values()])
        ax.barh(labels, share, left=left, color=colors[kind], label=kind)
        left += share
    ax.set_xlim(0.0, max(1.0, float(left.max())))
    ax.set_xlabel("share of the class")
    ax.set_ylabel("class")
    # Above the axes: inside, it would hide the bars it explains.
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=8, ncols=4, frameon=False)
    return ax
