"""Calibration after SMOTE, prior correction, and a threshold for an alert capacity.

Run from the repository root (needs the ``plot`` extra for the pictures)::

    python examples/calibration_demo.py            # numbers + docs/img/*.png
    python examples/calibration_demo.py --no-plots

A 3 %-positive problem; logistic regression is trained on SMOTE-balanced data (a
fastsmote Pipeline resamples only in ``fit``). Probabilities are then too high on real
data; :class:`PriorCorrectedClassifier` moves them back to the true prior. Everything is
seeded, so the numbers in docs/thresholds.md are reproducible.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from fastsmote import SMOTE
from fastsmote.diagnostics import (
    PriorCorrectedClassifier,
    brier_score,
    expected_alert_volume,
    expected_calibration_error,
    threshold_for_capacity,
)
from fastsmote.pipeline import make_pipeline

IMG = Path(__file__).resolve().parents[1] / "docs" / "img"


def main(plots: bool = True) -> None:
    X, y = make_classification(
        n_samples=60_000,
        n_features=12,
        n_informative=6,
        weights=[0.97],
        class_sep=0.8,
        random_state=0,
    )
    X_train, X_rest, y_train, y_rest = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    X_val, X_test, y_val, y_test = train_test_split(
        X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=0
    )
    pipe = make_pipeline(StandardScaler(), SMOTE(random_state=0), LogisticRegression())
    model = PriorCorrectedClassifier(pipe).fit(X_train, y_train)
    print(f"train prior (after SMOTE): {model.train_prior_.round(4).tolist()}")
    print(f"true prior (training y):   {model.true_prior_.round(4).tolist()}")

    raw = model.estimator_.predict_proba(X_test)[:, 1]
    corrected = model.predict_proba(X_test)[:, 1]
    print(f"\ntest set: {y_test.size} rows, {y_test.mean():.2%} positive")
    print("                     ECE      Brier    ROC AUC    avg precision")
    for name, p in (("as trained (SMOTE)", raw), ("prior-corrected", corrected)):
        print(
            f"{name:19s} {expected_calibration_error(y_test, p):.4f}   "
            f"{brier_score(y_test, p):.4f}   {roc_auc_score(y_test, p):.6f}   "
            f"{average_precision_score(y_test, p):.6f}"
        )
    print(f"mean predicted probability: {raw.mean():.4f} -> {corrected.mean():.4f}")

    # thresholds are chosen on validation scores
    scores = model.predict_proba(X_val)[:, 1]
    point = threshold_for_capacity(y_val, scores, capacity=50, batch_size=10_000)
    print(
        f"\ncapacity 50 alerts per 10 000 rows -> threshold {point.threshold:.4f}: "
        f"{point.alerts} alerts on {y_val.size} validation rows "
        f"({point.alerts_per_batch:.1f} per 10 000), precision {point.precision:.3f}, "
        f"recall {point.recall:.3f}"
    )
    flagged = scores >= point.threshold
    scores_test = corrected
    print(
        f"same threshold on the test set: {(scores_test >= point.threshold).sum()} alerts "
        f"(precision {y_test[scores_test >= point.threshold].mean():.3f})"
    )
    assert flagged.sum() == point.alerts
    for prevalence in (0.01, 0.03, 0.06):
        v = expected_alert_volume(
            y_val, scores, point.threshold, deployment_prevalence=prevalence, n_rows=10_000
        )
        print(
            f"deployment prevalence {prevalence:.0%}: {v.expected_alerts:.1f} alerts per "
            f"10 000 rows, precision {v.precision:.3f}"
        )

    if plots:
        draw(y_val, scores, y_test, raw, corrected)


def draw(y_val, scores, y_test, raw, corrected) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from fastsmote.diagnostics import plot_alert_volume, plot_precision_recall, plot_reliability

    IMG.mkdir(parents=True, exist_ok=True)
    pictures = {
        "reliability_prior_correction.png": lambda ax: plot_reliability(
            y_test, raw, corrected=corrected, ax=ax
        ),
        "precision_recall_capacity.png": lambda ax: plot_precision_recall(
            y_val, scores, capacity=50, batch_size=10_000, ax=ax
        ),
        "alert_volume.png": lambda ax: plot_alert_volume(
            y_val, scores, deployment_prevalence=0.01, n_rows=10_000, ax=ax
        ),
    }
    for name, draw_on in pictures.items():
        fig, ax = plt.subplots(figsize=(5.5, 4.0), layout="constrained")
        draw_on(ax)
        fig.savefig(IMG / name, dpi=80)
        plt.close(fig)
        print(f"wrote {IMG / name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-plots", action="store_true", help="print the numbers only")
    main(plots=not parser.parse_args().no_plots)
