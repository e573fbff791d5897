"""The exact search's paths side by side: explicit differences, fused shortlists, BLAS.

Times ``exact_kneighbors(X, k, method=m)`` (a self-search: each pair once for both
rows) or, with ``--queries Q``, ``exact_kneighbors_of(X, queries, k, method=m)`` (Q
sampled rows against all rows) on a standard-normal float32 class like the benchmarks'.
Methods alternate within each repetition; medians are printed, with ns per ordered pair
(n^2 for a self-search, Q n one-sided) and each method's speed-up over the first one.
Every method must return the same neighbours (checked). This is the measurement behind
``FUSED_MIN_FEATURES``, ``BLAS_MIN_FEATURES`` and ``NS_PER_PAIR_FEATURE``.

    python benchmarks/exact_paths.py --shapes 30000x8 30000x12 50000x20 100000x20 \
        --methods direct fused --reps 3
    python benchmarks/exact_paths.py --shapes 40000x32 40000x40 40000x50 30000x64 \
        30000x100 --methods fused blas --reps 5
    python benchmarks/exact_paths.py --shapes 1000000x20 --queries 10000 --k 10 \
        --methods direct fused --reps 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fastsmote.neighbors import exact_kneighbors, exact_kneighbors_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["50000x20"], help="ROWSxFEATURES")
    parser.add_argument("--methods", nargs="+", default=["direct", "fused", "blas"])
    parser.add_argument("--queries", type=int, help="one-sided: this many rows vs all rows")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    def search(X, queries, method):
        if queries is None:
            return exact_kneighbors(X, args.k, method=method)
        return exact_kneighbors_of(X, queries, args.k, method=method)

    print("| rows x features | " + " | ".join(f"{m} s (ns/pair)" for m in args.methods), end="")
    print(" | " + " | ".join(f"{m} speed-up" for m in args.methods[1:]) + " |")
    print("|---" * (2 * len(args.methods)) + "|")
    for shape in args.shapes:
        n, d = (int(v) for v in shape.lower().split("x"))
        X = np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)
        queries = None
        if args.queries:
            rng = np.random.default_rng(1)
            queries = np.sort(rng.choice(n, min(n, args.queries), replace=False))
        small = X[: min(n, 2000)]
        for method in args.methods:  # load or compile every path before timing
            search(small, None if queries is None else np.arange(50), method)
        times = {m: [] for m in args.methods}
        reference = None
        for _ in range(args.reps):
            for method in args.methods:
                t0 = time.perf_counter()
                found = search(X, queries, method)
                times[method].append(time.perf_counter() - t0)
                if reference is None:
                    reference = found
                elif not np.array_equal(found, reference):
                    raise AssertionError(f"{method} found other neighbours than {args.methods[0]}")
        pairs = n * (n if queries is None else queries.size)
        medians = {m: float(np.median(t)) for m, t in times.items()}
        cells = [f"{medians[m]:.3f} ({medians[m] / pairs * 1e9:.2f})" for m in args.methods]
        first = medians[args.methods[0]]
        cells += [f"{first / medians[m]:.2f}x" for m in args.methods[1:]]
        label = f"{n:,} x {d}" + ("" if queries is None else f", {queries.size:,} queries")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
