"""Exact vs approximate (pynndescent) neighbour search: time and recall@k by class size.

    python benchmarks/crossover.py [--sizes 50000 100000 300000] [--features 20 50]

Gaussian classes like the benchmarks'. pynndescent is compiled once before timing (its
first call in a process costs ~30 s and is reported separately). This is the measurement
behind ``fastsmote.neighbors``' cost models ("auto") and the approx graph sizes.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from fastsmote.neighbors import approx_kneighbors, exact_kneighbors


def recall(approx: np.ndarray, exact: np.ndarray) -> float:
    sample = np.arange(0, len(exact), max(1, len(exact) // 5000))
    hits = [len(set(approx[i]) & set(exact[i])) for i in sample]
    return float(np.mean(hits)) / exact.shape[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 100_000, 300_000])
    parser.add_argument("--features", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    t0 = time.perf_counter()
    small = np.random.default_rng(1).standard_normal((3000, 20)).astype(np.float32)
    approx_kneighbors(small, args.k, np.arange(3000), seed=0)
    print(f"pynndescent first call (compilation): {time.perf_counter() - t0:.1f} s\n")
    for d in args.features:  # both exact paths loaded/compiled before timing
        exact_kneighbors(np.random.default_rng(2).standard_normal((2000, d)).astype(np.float32), 5)
    print("| rows x features | exact s | approx s | speed-up | recall@k |")
    print("|---|---|---|---|---|")
    for d in args.features:
        for n in args.sizes:
            X = np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)
            t0 = time.perf_counter()
            exact = exact_kneighbors(X, args.k)
            t_exact = time.perf_counter() - t0
            t0 = time.perf_counter()
            approx = approx_kneighbors(X, args.k, np.arange(n), seed=0)
            t_approx = time.perf_counter() - t0
            print(
                f"| {n:,} x {d} | {t_exact:.1f} | {t_approx:.1f} | {t_exact / t_approx:.1f}x "
                f"| {recall(approx, exact):.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
