"""check_leakage at scale: an honest split and the same data SMOTE-d before the split.

    python benchmarks/leakage_check.py                 # 1M x 20 float32, 1% minority
    python benchmarks/leakage_check.py --rows 200000 --reps 5

Generates the blobs of the other benchmarks, splits them (stratified 75/25), and times
``check_leakage`` on the honest split and on the data SMOTE-d before the split (every
class raised to the largest), after one small call that loads the kernels. Reports the
median of ``--reps`` runs of each, with the verdicts. Run it alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import make_blobs_imbalanced  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--minority", type=float, default=0.01)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    from sklearn.model_selection import train_test_split

    from fastsmote import SMOTE
    from fastsmote.model_selection import check_leakage

    X, y = make_blobs_imbalanced(args.rows, args.features, args.minority)
    X_small, y_small = make_blobs_imbalanced(4_000, args.features, 0.1, seed=1)
    check_leakage(*_split(X_small, y_small, train_test_split))  # loads the kernels
    X_smoted, y_smoted = SMOTE(random_state=0).fit_resample(X, y)
    cases = {
        "honest split": _split(X, y, train_test_split),
        "SMOTE before the split": _split(X_smoted, y_smoted, train_test_split),
    }
    print(
        f"check_leakage, {args.rows:,} x {args.features} float32, {args.minority:.0%} "
        f"minority, 75/25 split (medians of {args.reps}):"
    )
    for name, parts in cases.items():
        times = []
        for _ in range(args.reps):
            started = time.perf_counter()
            report = check_leakage(*parts)
            times.append(time.perf_counter() - started)
        rows = len(parts[0]) + len(parts[2])
        print(
            f"  {name} ({rows:,} rows): {statistics.median(times):.2f} s, "
            f"leaked={report.leaked}: {report.verdict[:60]}..."
        )


def _split(X, y, train_test_split):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    return X_train, y_train, X_test, y_test


if __name__ == "__main__":
    main()
