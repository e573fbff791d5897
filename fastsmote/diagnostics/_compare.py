"""Compare resampling strategies under cross-validation, resampling inside each fold.

Every strategy is a :class:`fastsmote.pipeline.Pipeline` that resamples only in ``fit``:
the sampler goes where a user would put it, after the preprocessing steps of a pipeline
estimator and before its final estimator (``sampler_position``), or in front of a plain
estimator. Each model is fitted on the training part of each fold only, so the samplers
never see the validation rows. All strategies use the same folds, so their differences
are paired.
"""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from .._validation import check_features, check_finite, check_target, to_python
from ..pipeline import sampler_placement, with_sampler
from ._calibration import expected_calibration_error
from ._thresholds import share_count

#: Strategies compared by default, in this order.
DEFAULT_STRATEGIES = (
    "none",
    "class_weight",
    "random_over",
    "smote",
    "borderline_smote",
    "random_under",
)
#: Metric columns of ``StrategyComparison.table`` and ``per_fold``, in order.
METRICS = (
    "average_precision",
    "roc_auc",
    "recall_at_capacity",
    "precision_at_capacity",
    "capacity",
    "alerts_at_0.5",
    "alert_rate_at_0.5",
    "brier",
    "ece",
    "fit_seconds",
)
#: PR-AUC differences smaller than this (or than the fold-to-fold std) are "close".
CLOSE_AP = 0.01


@dataclass
class StrategyComparison:
    """Result of :func:`compare_strategies`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per strategy (sorted by mean average precision, best first); columns
        are a (metric, "mean" | "std") MultiIndex over :data:`METRICS`.
    per_fold : pandas.DataFrame
        Long format: columns ``strategy``, ``fold``, ``metric``, ``value``.
    summary : str
        A short ranking that names the trade-offs, not just a winner.
    notes : list of str
        Strategies skipped and why, and how the capacity was chosen.
    pos_label : object
        The class treated as positive (the minority unless given).
    n_splits : int
    """

    table: Any
    per_fold: Any
    summary: str
    notes: list = field(default_factory=list)
    pos_label: Any = None
    n_splits: int = 0

    def __str__(self) -> str:
        return self.summary


def compare_strategies(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    strategies: Any = None,
    cv: Any = 5,
    groups: Any = None,
    capacity: int | float | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
    pos_label: Any = None,
    sampler_position: int | str = -1,
) -> StrategyComparison:
    """Cross-validate resampling strategies for one binary classifier, resampling in-fold.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``
        Cloned for every strategy and fold; never fitted itself. When it is a
        scikit-learn ``Pipeline`` (also imbalanced-learn's or fastsmote's), the
        sampler is inserted among its steps (see ``sampler_position``), so that it
        resamples the rows as the preprocessing leaves them, e.g. standardised.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Numeric, finite features.
    y : array-like of shape (n_samples,)
        Binary labels.
    strategies : None, list of str or dict, default=None
        Names among ``"none"``, ``"class_weight"`` (``class_weight='balanced'`` on a
        clone, skipped with a note when the estimator has no such parameter),
        ``"random_over"``, ``"smote"``, ``"borderline_smote"``, ``"random_under"``
        (None: all of them), or a dict ``{name: sampler or None}``; a sampler is any
        object with ``fit_resample`` and is cloned per fold.
    cv : int, None, cross-validation splitter or iterable, default=5
        An int means ``StratifiedKFold(cv, shuffle=True, random_state=random_state)``;
        None means the default, 5 such folds (stratified, as scikit-learn's
        ``cross_validate`` does for a classifier). A splitter is used as given
        (``split(X, y, groups)``), e.g. ``GroupKFold`` with ``groups``. Every strategy
        uses the same folds. Each fold's training and validation parts must hold both
        classes, or a ``ValueError`` names the fold.
    groups : array-like of shape (n_samples,), optional
        Group labels passed to the splitter's ``split``, as in scikit-learn's
        ``cross_validate``; needed by group splitters (``GroupKFold``,
        ``StratifiedGroupKFold``, ``LeaveOneGroupOut``, ...). With an int or None
        ``cv`` (which ignores groups) it is refused: pass a group splitter.
    capacity : int or float, optional
        Alerts that can be handled per validation fold: the top-``capacity`` scores
        (ties broken by row order) are alerts. A float in (0, 1) is a share of the
        fold's rows: ``floor(capacity * rows)`` alerts (at least 1), the product taken
        on the decimal written (0.29 of 100 rows is 29). Default: the number of
        positives in the fold (the base rate).
    random_state : int or None, default=0
        Seeds the folds and the named samplers.
    n_jobs : int, optional
        Fits run in parallel with joblib (``None``: one at a time; fit times are then
        comparable).
    pos_label : label, optional
        The positive class; default the minority class.
    sampler_position : int or str, default=-1
        Where each sampler goes among the steps of a pipeline ``estimator``: before the
        step at this index, as ``list.insert`` counts (``-1``: after every
        preprocessing step, right before the final estimator; ``0``: before every
        step, on the raw features), or before the step with this name. Any other
        estimator (a search or meta-estimator wrapping a pipeline included) is treated
        as one step: the model is ``make_pipeline(sampler, estimator)`` and only ``0``
        and ``-1`` are accepted. ``.notes`` say where the samplers went.

    Returns
    -------
    StrategyComparison
        ``.table`` (mean and std over folds), ``.per_fold``, ``.summary``, ``.notes``.

    Notes
    -----
    Per fold and strategy: average precision (PR-AUC) and ROC-AUC of the positive
    class's probability; recall and precision among the top-``capacity`` scores;
    alerts at the default threshold (count and share of rows with probability > 0.5,
    as ``predict`` decides); Brier score; expected calibration error (10 equal-width
    bins); wall time of ``fit``.

    Distance-based samplers (SMOTE and its variants) interpolate between nearest
    neighbours, so what they create depends on the feature scale: with a scaler in the
    pipeline they see scaled features, as they would in production.
    """
    from joblib import Parallel, delayed

    if not callable(getattr(estimator, "predict_proba", None)):
        raise TypeError(
            f"estimator must implement predict_proba; {type(estimator).__name__} does not."
        )
    target = check_target(y)
    if target.classes.size != 2:
        raise ValueError(
            f"compare_strategies supports binary targets; y has {target.classes.size} "
            f"classes {target.classes.tolist()!r}."
        )
    features = check_features(X, target.labels.shape[0])
    check_finite(features.as_float_array(exact=False))
    labels = target.labels
    if pos_label is None:
        pos_label = target.classes[int(np.argmin(target.counts))]
    elif pos_label not in target.classes.tolist():
        raise ValueError(f"pos_label {pos_label!r} is not a label of y.")
    _check_capacity(capacity)
    models, notes = _strategy_models(estimator, strategies, random_state)
    placement = sampler_placement(estimator, sampler_position)
    if any(sampler is not None for sampler, _ in models.values()):
        notes.append(placement.note)
    splits = _splits(cv, groups, labels, random_state)
    _check_folds(splits, labels, pos_label)
    tasks = [(name, f, tr, te) for name in models for f, (tr, te) in enumerate(splits)]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_score)(models[name], placement, X, labels, tr, te, pos_label, capacity)
        for name, _, tr, te in tasks
    )
    records = [
        {"strategy": name, "fold": f, "metric": metric, "value": value}
        for (name, f, _, _), scores in zip(tasks, results, strict=True)
        for metric, value in scores.items()
    ]
    if capacity is None:
        notes.append("capacity: the number of positives in each validation fold")
    table, per_fold = _tables(records, list(models))
    summary = _summary(table, per_fold, len(splits), notes)
    return StrategyComparison(table, per_fold, summary, notes, to_python(pos_label), len(splits))


# --------------------------------------------------------------------------- strategies
def _named_sampler(name: str, random_state: Any):
    from .. import SMOTE, BorderlineSMOTE, RandomOverSampler, RandomUnderSampler

    return {
        "random_over": lambda: RandomOverSampler(random_state=random_state),
        "smote": lambda: SMOTE(random_state=random_state),
        "borderline_smote": lambda: BorderlineSMOTE(random_state=random_state),
        "random_under": lambda: RandomUnderSampler(random_state=random_state),
    }[name]()


def _class_weight_param(estimator: Any) -> str | None:
    """The (possibly nested) ``class_weight`` parameter name, if exactly one exists."""
    names = [p for p in estimator.get_params(deep=True) if p.split("__")[-1] == "class_weight"]
    return names[0] if len(names) == 1 else None


def _strategy_models(estimator: Any, strategies: Any, random_state: Any):
    """``{name: (sampler or None, estimator)}`` and notes on skipped strategies."""
    notes: list[str] = []
    if strategies is None:
        strategies = list(DEFAULT_STRATEGIES)
    if isinstance(strategies, dict):
        spec = dict(strategies)
    elif isinstance(strategies, (list, tuple)):
        unknown = [s for s in strategies if s not in DEFAULT_STRATEGIES]
        if unknown:
            raise ValueError(
                f"Unknown strategies {unknown!r}; known names are {list(DEFAULT_STRATEGIES)} "
                "(or pass a dict {name: sampler or None})."
            )
        spec = {s: s for s in strategies}
    else:
        raise ValueError(
            "strategies must be None, a list of names or a dict {name: sampler or None}; "
            f"got {strategies!r}."
        )
    models = {}
    for name, value in spec.items():
        if value == "class_weight" and isinstance(value, str):
            param = _class_weight_param(estimator)
            if param is None:
                notes.append(
                    f"class_weight skipped: {type(estimator).__name__} has no "
                    "class_weight parameter"
                )
                continue
            models[name] = (None, clone(estimator).set_params(**{param: "balanced"}))
        elif value is None or value == "none":
            models[name] = (None, estimator)
        elif isinstance(value, str):
            models[name] = (_named_sampler(value, random_state), estimator)
        elif callable(getattr(value, "fit_resample", None)):
            models[name] = (value, estimator)
        else:
            raise ValueError(
                f"Strategy {name!r} must be a sampler (with fit_resample) or None; got {value!r}."
            )
    if not models:
        raise ValueError("No strategy left to compare.")
    return models, notes


#: Folds of ``cv=None`` (scikit-learn's default number of folds).
DEFAULT_FOLDS = 5


def _splitter(cv: Any, random_state: Any):
    from sklearn.model_selection import StratifiedKFold, check_cv

    if cv is None:
        cv = DEFAULT_FOLDS
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        return StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=random_state)
    return check_cv(cv, classifier=True)


def _splits(cv: Any, groups: Any, labels: np.ndarray, random_state: Any) -> list:
    """The ``(train, test)`` index pairs every strategy uses."""
    integral = isinstance(cv, numbers.Integral) and not isinstance(cv, bool)
    if groups is not None:
        if cv is None or integral:
            raise ValueError(
                f"groups were given but cv={cv!r} means StratifiedKFold, which ignores "
                "groups (rows of one group would land on both sides of a split). Pass a "
                "group splitter, e.g. cv=GroupKFold(5) or StratifiedGroupKFold(5)."
            )
        groups = np.asarray(groups)
        if groups.ndim != 1 or groups.shape[0] != labels.size:
            raise ValueError(
                f"groups must hold one label per row: {labels.size} rows, groups of "
                f"shape {groups.shape}."
            )
    splitter = _splitter(cv, random_state)
    try:
        return list(splitter.split(np.zeros((labels.size, 1)), labels, groups))
    except ValueError as error:
        if groups is None and "groups" in str(error):
            raise ValueError(
                f"{type(splitter).__name__} splits by groups: pass groups= (one group "
                "label per row) to compare_strategies."
            ) from error
        raise


def _check_folds(splits: list, labels: np.ndarray, pos_label: Any) -> None:
    """Refuse a fold that cannot be fitted or scored: each part needs both classes."""
    for f, (train, test) in enumerate(splits):
        for part, rows in (("training", train), ("validation", test)):
            n_pos = int(np.count_nonzero(labels[rows] == pos_label))
            if 0 < n_pos < len(rows):
                continue
            held = f"{n_pos} positive" if n_pos else f"{len(rows)} negative"
            raise ValueError(
                f"Fold {f} of cv: its {part} part ({len(rows)} rows) holds only "
                f"{held} rows (positive class {to_python(pos_label)!r}); average "
                "precision, ROC AUC and calibration need both classes in every fold. Use "
                "a stratified splitter (an int cv is StratifiedKFold), fewer folds, or "
                "groups that each mix the classes."
            )


def _check_capacity(capacity: Any) -> None:
    if capacity is None:
        return
    if isinstance(capacity, numbers.Integral) and not isinstance(capacity, bool):
        if capacity >= 1:
            return
    elif isinstance(capacity, numbers.Real) and 0 < capacity < 1:
        return
    raise ValueError(
        "capacity must be an int >= 1 (alerts per fold) or a float in (0, 1) (share of "
        f"the fold's rows); got {capacity!r}."
    )


# --------------------------------------------------------------------------- one fold
def _fit_score(model_spec, placement, X, labels, train, test, pos_label, capacity) -> dict:
    from sklearn.utils import _safe_indexing

    sampler, estimator = model_spec
    model = (
        clone(estimator)
        if sampler is None
        else with_sampler(clone(sampler), clone(estimator), placement)
    )
    start = time.perf_counter()
    model.fit(_safe_indexing(X, train), labels[train])
    fit_seconds = time.perf_counter() - start
    proba = model.predict_proba(_safe_indexing(X, test))
    column = list(model.classes_).index(pos_label)
    scores = fold_metrics(labels[test] == pos_label, proba[:, column], capacity)
    scores["fit_seconds"] = fit_seconds
    return scores


def fold_metrics(y_true: np.ndarray, score: np.ndarray, capacity: Any = None) -> dict:
    """The metrics of one validation fold (``y_true`` boolean, ``score`` in [0, 1])."""
    y_true = np.asarray(y_true, dtype=bool)
    score = np.asarray(score, dtype=np.float64)
    n = y_true.size
    n_pos = int(y_true.sum())
    if capacity is None:
        c = n_pos
    elif isinstance(capacity, numbers.Integral):
        c = int(capacity)
    else:
        c = share_count(capacity, n)
    c = max(1, min(n, c))
    top = np.argsort(-score, kind="stable")[:c]  # ties: earlier row first
    hits = int(y_true[top].sum())
    alerts = int(np.count_nonzero(score > 0.5))
    return {
        "average_precision": float(average_precision_score(y_true, score)),
        "roc_auc": float(roc_auc_score(y_true, score)),
        "recall_at_capacity": hits / n_pos if n_pos else float("nan"),
        "precision_at_capacity": hits / c,
        "capacity": c,
        "alerts_at_0.5": alerts,
        "alert_rate_at_0.5": alerts / n,
        "brier": float(brier_score_loss(y_true, score)),
        "ece": expected_calibration_error(y_true, score, n_bins=10),
    }


# --------------------------------------------------------------------------- reporting
def _tables(records: list, order: list):
    import pandas as pd

    per_fold = pd.DataFrame(records, columns=["strategy", "fold", "metric", "value"])
    wide = per_fold.pivot_table(
        index="strategy", columns="metric", values="value", aggfunc=["mean", "std"]
    )
    wide = wide.swaplevel(0, 1, axis=1)
    columns = [(m, s) for m in METRICS for s in ("mean", "std")]
    table = wide.reindex(columns=pd.MultiIndex.from_tuples(columns)).reindex(order)
    table = table.sort_values(("average_precision", "mean"), ascending=False, kind="stable")
    table.index.name = "strategy"
    return table, per_fold


def _summary(table, per_fold, n_splits: int, notes: list) -> str:
    mean = {m: table[(m, "mean")] for m in METRICS}
    std_ap = table[("average_precision", "std")]
    names = list(table.index)
    lines = [
        f"PR-AUC (average precision), mean +/- std over {n_splits} folds: "
        + ", ".join(f"{s} {mean['average_precision'][s]:.3f} +/- {std_ap[s]:.3f}" for s in names)
        + "."
    ]
    best = names[0]
    ap_best = mean["average_precision"][best]
    text = f"{best} has the best PR-AUC ({ap_best:.3f}"
    base = "none" if "none" in names else None
    if base is not None and best != base:
        text += _tradeoffs(mean, best, base)
    else:
        text += ")"
    lines.append(text + ".")
    # Strategies share the folds, so compare paired per-fold differences with the best:
    # "close" when the mean gap is below CLOSE_AP or below the gaps' own fold-to-fold std.
    ap = per_fold[per_fold["metric"] == "average_precision"].pivot(
        index="fold", columns="strategy", values="value"
    )
    close, far = [], []
    for s in names[1:]:
        gap = ap[best] - ap[s]
        spread = float(np.nan_to_num(gap.std()))
        (close if gap.mean() <= max(CLOSE_AP, spread) else far).append(
            f"{s} ({mean['average_precision'][s]:.3f}, gap {gap.mean():.3f} +/- {spread:.3f})"
        )
    if close:
        lines.append(
            "Not clearly worse (mean paired per-fold gap below max(0.01, its std)): "
            + ", ".join(close)
            + "."
        )
    if far:
        lines.append("Lower beyond that spread: " + ", ".join(far) + ".")
    ece = mean["ece"]
    calibrated = min(names, key=lambda s: ece[s])
    lines.append(
        f"Best calibrated: {calibrated} (ECE {ece[calibrated]:.3f}, Brier "
        f"{mean['brier'][calibrated]:.3f}); worst: {max(names, key=lambda s: ece[s])} "
        f"(ECE {ece.max():.3f})."
        + (
            " Resampling and class weights change the training prior, so those models' "
            "probabilities overstate the risk: recalibrate or tune the threshold."
            if "none" in names and calibrated == "none"
            else ""
        )
    )
    rec = mean["recall_at_capacity"]
    lines.append(
        f"Recall at capacity ({mean['capacity'][best]:.0f} alerts per fold): "
        + ", ".join(f"{s} {rec[s]:.3f}" for s in sorted(names, key=lambda s: -rec[s]))
        + "."
    )
    lines += [f"Note: {n}." for n in notes]
    return "\n".join(lines)


def _tradeoffs(mean: dict, best: str, base: str) -> str:
    """How ``best`` differs from ``base`` in PR-AUC, alert volume and calibration."""
    gain = mean["average_precision"][best] - mean["average_precision"][base]
    head = f", {gain:+.3f} over {base})"
    parts = []
    a0, a1 = mean["alerts_at_0.5"][base], mean["alerts_at_0.5"][best]
    if abs(a1 - a0) > max(1.0, 0.2 * a0):
        verb = "raises" if a1 > a0 else "lowers"
        parts.append(f"{verb} alerts at threshold 0.5 from {a0:.0f} to {a1:.0f} per fold")
    e0, e1 = mean["ece"][base], mean["ece"][best]
    if abs(e1 - e0) > 0.01:
        verb = "worsens" if e1 > e0 else "improves"
        parts.append(f"{verb} calibration (ECE {e0:.3f} -> {e1:.3f})")
    if not parts:
        return head + f" with alert volume and calibration similar to {base}"
    return head + ": it " + " and ".join(parts)
