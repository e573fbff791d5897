"""Time spent *beyond* the neighbour search, fastsmote vs imbalanced-learn.

The neighbour-based methods (Borderline-SMOTE, ADASYN, Tomek links, ENN) spend most of
their time searching neighbours among all rows. This script separates that search from
everything else (danger classification, weights, generation, cleaning, copying) by
timing every neighbour call of each library in the same process: fastsmote's
``kneighbors`` / same-class searches, and scikit-learn's
``NearestNeighbors.fit``/``kneighbors`` that imbalanced-learn calls. Data and warm-up as
in compare.py; medians of ``--reps`` runs; ratios are imbalanced-learn / fastsmote.

    python benchmarks/beyond_neighbors.py [--reps 3] [--methods BorderlineSMOTE ADASYN]
    python benchmarks/beyond_neighbors.py --cached-search --reps 7   # steady state
    python benchmarks/beyond_neighbors.py --cached-search --methods TomekLinks --rows 300000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _data import make_blobs_imbalanced  # noqa: E402

CASES = [
    ("BorderlineSMOTE", 1_000_000),
    ("ADASYN", 1_000_000),
    ("TomekLinks", 100_000),
    ("EditedNearestNeighbours", 100_000),
]

_spent = {"search": 0.0}
_memo: dict | None = None  # with --cached-search: search results by their arguments


def _key(value):
    """Identity of a search argument: arrays by address, shape and a hash of ~4k sampled
    elements (hashing whole arrays cost milliseconds and evicted the caches that the
    timed code then had to refill)."""
    if hasattr(value, "__array_interface__"):
        flat = value.reshape(-1)
        sample = flat[:: max(1, flat.size // 4096)]
        return (value.__array_interface__["data"][0], value.shape, hash(sample.tobytes()))
    return value if isinstance(value, (int, float, str, type(None))) else id(value)


def _timed(function, cache: str = "function"):
    """Time ``function``; with --cached-search remember its results. ``cache``:
    "function" (key: all arguments), "method" (key: arguments after ``self``, plus the
    data a fitted scikit-learn estimator holds) or "never" (``fit`` must set state)."""

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            if _memo is None or cache == "never":
                return function(*args, **kwargs)
            keyed = args if cache == "function" else (getattr(args[0], "_fit_X", None), *args[1:])
            key = (function, *map(_key, keyed), *((k, _key(v)) for k, v in kwargs.items()))
            if key not in _memo:
                _memo[key] = function(*args, **kwargs)
            found = _memo[key]  # a copy: callers may convert tables in place
            if hasattr(found, "indices"):  # fastsmote's Found
                return found._replace(indices=found.indices.copy())
            return found.copy() if hasattr(found, "copy") and hasattr(found, "shape") else found
        finally:
            _spent["search"] += time.perf_counter() - started

    return wrapper


def _instrument() -> None:
    """Wrap every neighbour search of both libraries with the timer."""
    from sklearn.neighbors import NearestNeighbors

    import fastsmote.over_sampling._smote as smote_module
    import fastsmote.over_sampling._variants as variants
    import fastsmote.under_sampling._clean as clean

    variants.kneighbors = _timed(variants.kneighbors)
    clean.kneighbors = _timed(clean.kneighbors)
    cls = smote_module._InterpolatingSampler
    cls._class_neighbors = _timed(cls._class_neighbors, cache="method")
    NearestNeighbors.fit = _timed(NearestNeighbors.fit, cache="never")
    NearestNeighbors.kneighbors = _timed(NearestNeighbors.kneighbors, cache="method")


def _sampler(lib: str, method: str):
    if lib == "fastsmote":
        import fastsmote

        cls = getattr(fastsmote, method)
    else:
        import imblearn.over_sampling as over
        import imblearn.under_sampling as under

        cls = getattr(over, method, None) or getattr(under, method)
    seeded = method in ("BorderlineSMOTE", "ADASYN")
    return cls(random_state=0) if seeded else cls()


def measure(lib: str, method: str, X, y) -> tuple[float, float]:
    """(total seconds, seconds in neighbour search) of one fit_resample."""
    sampler = _sampler(lib, method)
    _spent["search"] = 0.0
    started = time.perf_counter()
    sampler.fit_resample(X, y)
    return time.perf_counter() - started, _spent["search"]


def fill_fresh_output(X, shape) -> float:
    """Seconds to allocate an array of the output's shape and fill it from X with two
    threads (fastsmote's parallel row copy): the floor under any sampler's rest."""
    from fastsmote._kernels.arrays import copy_rows

    started = time.perf_counter()
    out = np.empty(shape, dtype=X.dtype)
    for first in range(0, shape[0], X.shape[0]):
        part = out[first : first + X.shape[0]]
        copy_rows(X[: part.shape[0]], part, 4096)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--methods", nargs="*", default=[m for m, _ in CASES])
    parser.add_argument("--rows", type=int, help="rows for every method (default: per case)")
    parser.add_argument(
        "--cached-search",
        action="store_true",
        help="steady state: each search runs once, then fit_resample is repeated with its "
        "results remembered, so the times are everything beyond the search",
    )
    args = parser.parse_args()
    if args.cached_search:
        global _memo
        _memo = {}
    _instrument()
    warm_X, warm_y = make_blobs_imbalanced(20_000, 20, 0.05, seed=1)
    print("| method | rows | library | total s | search s | beyond search s | ratio beyond |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for method, n_rows in (case for case in CASES if case[0] in args.methods):
        n_rows = args.rows or n_rows
        X, y = make_blobs_imbalanced(n_rows, 20, 0.01, seed=0)
        results = {}
        for lib in ("fastsmote", "imblearn"):
            measure(lib, method, warm_X, warm_y)  # compile / warm caches
            if _memo is not None:
                measure(lib, method, X, y)  # fills the search cache
            runs = [measure(lib, method, X, y) for _ in range(args.reps)]
            total = statistics.median(r[0] for r in runs)
            search = statistics.median(r[1] for r in runs)
            beyond = statistics.median(r[0] - r[1] for r in runs)
            results[lib] = (total, search, beyond)
        ratio = results["imblearn"][2] / max(results["fastsmote"][2], 1e-9)
        for lib, (total, search, beyond) in results.items():
            shown = f"{ratio:.1f}x" if lib == "imblearn" else ""
            print(
                f"| {method} | {n_rows:,} | {lib} | {total:.2f} | {search:.2f} | "
                f"{beyond:.4f} | {shown} |",
                flush=True,
            )
        shape = _sampler("fastsmote", method).fit_resample(X, y)[0].shape
        floor = statistics.median(fill_fresh_output(X, shape) for _ in range(args.reps))
        print(
            f"| {method} | {n_rows:,} | floor: allocate + fill the {shape[0]:,}-row output "
            f"| | | {floor:.4f} | fastsmote's rest = "
            f"{results['fastsmote'][2] / floor:.2f}x the floor |",
            flush=True,
        )


if __name__ == "__main__":
    main()
