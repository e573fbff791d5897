"""SMOTENC memory: 1M rows, 15 continuous + 5 categorical columns of 1,000 categories.

    python benchmarks/smotenc_memory.py [--rows 1000000] [--limit-gib 16]
    python benchmarks/smotenc_memory.py --sparse [--rows N] [--categories C]

Each library runs in a fresh process under an address-space limit (so an allocation
that cannot fit fails with MemoryError instead of waking the OOM killer); the script
prints time, peak RSS and the outcome. ``--sparse``: a CSR matrix of 500 continuous
columns at 2% density (10 entries a row) followed by 5 categorical columns of ``C``
numeric categories (0 stored as absent), as text or one-hot users hold it.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np


def make(n_rows: int):
    import pandas as pd

    rng = np.random.default_rng(0)
    columns = {f"x{i}": rng.standard_normal(n_rows, dtype=np.float32) for i in range(15)}
    for i in range(5):
        codes = rng.integers(0, 1000, n_rows)
        columns[f"c{i}"] = pd.Categorical.from_codes(codes, [f"v{j}" for j in range(1000)])
    y = (rng.random(n_rows) < 0.01).astype(np.int64)
    return pd.DataFrame(columns), y


def make_sparse(n_rows: int, n_categories: int):
    from scipy import sparse

    rng = np.random.default_rng(0)
    # 10 entries per row, one in each block of 50 columns (built directly: scipy's
    # sparse.random would take more memory than the resampling)
    columns = (np.arange(10) * 50 + rng.integers(0, 50, (n_rows, 10))).ravel()
    continuous = sparse.csr_matrix(
        (rng.standard_normal(n_rows * 10), columns, np.arange(0, n_rows * 10 + 1, 10)),
        shape=(n_rows, 500),
    )
    categories = sparse.csr_matrix(rng.integers(0, n_categories, (n_rows, 5)).astype(float))
    y = (rng.random(n_rows) < 0.01).astype(np.int64)
    return sparse.hstack([continuous, categories], format="csr"), y


def worker(lib: str, n_rows: int, n_categories: int | None) -> dict:
    if n_categories is None:
        X, y = make(n_rows)
        cats = [f"c{i}" for i in range(5)]
    else:
        X, y = make_sparse(n_rows, n_categories)
        cats = list(range(500, 505))
    if lib == "fastsmote":
        from fastsmote import SMOTENC

        sampler = SMOTENC(categorical_features=cats, random_state=0)
    else:
        from imblearn.over_sampling import SMOTENC

        sampler = SMOTENC(categorical_features=cats, random_state=0)
    t0 = time.perf_counter()
    try:
        X_res, _ = sampler.fit_resample(X, y)
        outcome = f"ok, {X_res.shape[0]:,} rows"
    except MemoryError as error:
        outcome = f"MemoryError: {str(error)[:120]}"
    elapsed = time.perf_counter() - t0
    with open("/proc/self/status") as status:  # VmHWM: ru_maxrss starts at the parent's
        peak = next(int(x.split()[1]) for x in status if x.startswith("VmHWM:")) / 2**20
    return {"lib": lib, "time": elapsed, "peak_gib": peak, "outcome": outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--limit-gib", type=float, default=16)
    parser.add_argument("--sparse", action="store_true", help="CSR X (see the docstring)")
    parser.add_argument("--categories", type=int, default=20, help="with --sparse")
    parser.add_argument("--worker")
    args = parser.parse_args()
    n_categories = args.categories if args.sparse else None
    if args.worker:
        limit = int(args.limit_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        print(json.dumps(worker(args.worker, args.rows, n_categories)))
        return
    print("| library | time s | peak RSS GiB | outcome |\n|---|---|---|---|")
    for lib in ("fastsmote", "imblearn"):
        cmd = [sys.executable, __file__, "--worker", lib, "--rows", str(args.rows)]
        cmd += ["--limit-gib", str(args.limit_gib)]
        if args.sparse:
            cmd += ["--sparse", "--categories", str(args.categories)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"| {lib} | - | - | crashed: {done.stderr.strip().splitlines()[-1][:120]} |")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {lib} | {r['time']:.1f} | {r['peak_gib']:.2f} | {r['outcome']} |", flush=True)


if __name__ == "__main__":
    main()
