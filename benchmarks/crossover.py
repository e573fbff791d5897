"""Exact vs approximate neighbour search: time and recall@k by class size.

    python benchmarks/crossover.py [--sizes 50000 100000 300000] [--features 20 50]
        [--methods nndescent pynndescent] [--max-exact 600000]

Gaussian classes like the benchmarks'. Each method's first call in the process (loading
fastsmote's cached kernels, or pynndescent's compilation) is timed on a small class and
reported separately. Classes above ``--max-exact`` rows are not searched exactly; their
recall is measured on 2,000 sampled rows (exact one-sided search). This is the
measurement behind ``fastsmote.neighbors``' cost models ("auto") and graph sizes.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fastsmote.neighbors import approx_kneighbors, exact_kneighbors, exact_kneighbors_of


def recall(approx: np.ndarray, exact: np.ndarray) -> float:
    hits = [len(set(a) & set(e)) for a, e in zip(approx, exact, strict=True)]
    return float(np.mean(hits)) / exact.shape[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 100_000, 300_000])
    parser.add_argument("--features", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--methods", nargs="+", default=["nndescent"])
    parser.add_argument("--max-exact", type=int, default=600_000)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    small = np.random.default_rng(1).standard_normal((3000, 20)).astype(np.float32)
    for method in args.methods:
        t0 = time.perf_counter()
        approx_kneighbors(small, args.k, np.arange(3000), key=0, method=method)
        print(f"{method} first call in this process: {time.perf_counter() - t0:.1f} s")
    for d in args.features:  # both exact paths loaded/compiled before timing
        exact_kneighbors(np.random.default_rng(2).standard_normal((2000, d)).astype(np.float32), 5)
    print(
        "\n| rows x features | exact s | "
        + " | ".join(f"{m} s | speed-up | recall@{args.k}" for m in args.methods)
        + " |"
    )
    print("|---|---|" + "---|---|---|" * len(args.methods))
    for d in args.features:
        for n in args.sizes:
            X = np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)
            sample = np.random.default_rng(3).choice(n, min(n, 2000), replace=False)
            t_exact = float("nan")
            if n <= args.max_exact:
                t0 = time.perf_counter()
                exact = exact_kneighbors(X, args.k)[sample]
                t_exact = time.perf_counter() - t0
            else:
                exact = exact_kneighbors_of(X, sample, args.k)
            cells = []
            for method in args.methods:
                t0 = time.perf_counter()
                found = approx_kneighbors(X, args.k, np.arange(n), key=0, method=method)
                t_approx = time.perf_counter() - t0
                hit = recall(found[sample], exact)
                cells.append(f"{t_approx:.1f} | {t_exact / t_approx:.2f}x | {hit:.3f}")
            exact_cell = "-" if np.isnan(t_exact) else f"{t_exact:.1f}"
            print(f"| {n:,} x {d} | {exact_cell} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
