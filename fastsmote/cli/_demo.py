"""``fastsmote demo``."""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np

from ._common import emit


def make_imbalanced(
    n_rows: int, n_features: int, minority: float, dtype, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs, the minority shifted by one unit in every feature."""
    rng = np.random.default_rng(seed)
    n_min = max(2, int(round(n_rows * minority)))
    X = rng.standard_normal((n_rows, n_features), dtype=np.float32).astype(dtype, copy=False)
    y = np.zeros(n_rows, dtype=np.int64)
    y[rng.choice(n_rows, n_min, replace=False)] = 1
    X[y == 1] += 1.0
    return X, y


def _class_counts(y: np.ndarray) -> dict:
    labels, counts = np.unique(y, return_counts=True)
    return dict(zip(labels.tolist(), counts.tolist(), strict=True))


def _peak_rss_mib() -> float:
    """This process's peak RSS: Linux's VmHWM where there is one (``ru_maxrss`` of a
    process started by another begins at the parent's RSS at fork)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def run_demo(args: argparse.Namespace) -> int:
    from .. import SMOTE, config_context

    X, y = make_imbalanced(args.rows, args.features, args.minority, args.dtype, args.seed)
    emit(f"data: {X.shape[0]:,} rows x {X.shape[1]} features, {X.dtype}")
    emit(f"class counts before: {_class_counts(y)}")
    with config_context(n_threads=args.threads):
        # the first call compiles the kernels it needs (or loads them from the cache)
        t0 = time.perf_counter()
        SMOTE(k_neighbors=args.k, random_state=args.seed).fit_resample(X, y)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        X_res, y_res = SMOTE(k_neighbors=args.k, random_state=args.seed).fit_resample(X, y)
        elapsed = time.perf_counter() - t0
    emit(f"class counts after:  {_class_counts(y_res)}")
    emit(f"output: {X_res.shape[0]:,} rows, {X_res.nbytes / 2**20:,.0f} MiB, {X_res.dtype}")
    emit(f"first fit_resample (compiles or loads its kernels): {first:.2f} s")
    emit(f"fit_resample: {elapsed:.2f} s")
    emit(f"peak RSS of the process: {_peak_rss_mib():,.0f} MiB")
    return 0
