"""Tomek links, ENN and the SMOTE combinations at 1M rows, with fastsmote's graph.

These methods query every row (or every row of a class) against every row: ~1e12
distance pairs at 1M rows, 40-80 min of scikit-learn's brute force here. So:

- fastsmote runs whole, ``neighbors="approx"``, each method in a fresh process (kernels
  warmed first; time and peak RSS of one ``fit_resample``), and its decisions are checked
  against exact neighbours where that is cheap: **TomekLinks** (two classes): every link
  contains a minority row, so the exact links follow from exact one-sided searches of
  the minority rows and of their nearest rows (seconds); **ENN**: exact decisions on a
  sample of majority rows.
- imbalanced-learn's time is *extrapolated*: its search (``NearestNeighbors.fit`` +
  ``kneighbors`` on a slice of the rows it queries, same data, same process) times the
  number of rows it queries, plus its SMOTE step timed whole for the combinations.

    python benchmarks/cleaners_at_scale.py [--rows 1000000] [--slice 20000]
        [--methods TomekLinks EditedNearestNeighbours SMOTETomek SMOTEENN]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _data import make_blobs_imbalanced  # noqa: E402
from compare import _peak_bytes, _reset_peak, _rss_bytes  # noqa: E402

METHODS = ["TomekLinks", "EditedNearestNeighbours", "SMOTETomek", "SMOTEENN"]
MINORITY = 0.01
N_FEATURES = 20
#: imbalanced-learn's search per method: neighbours asked (self included), rows queried
#: ("all" or the majority class), and whether it runs on the SMOTE output.
IMBLEARN_SEARCH = {
    "TomekLinks": (2, "all", False),
    "EditedNearestNeighbours": (4, "majority", False),
    "SMOTETomek": (2, "all", True),
    "SMOTEENN": (4, "all", True),
}


def _fastsmote_sampler(method: str):
    import fastsmote

    if method == "TomekLinks":
        return fastsmote.TomekLinks(neighbors="approx")
    if method == "EditedNearestNeighbours":
        return fastsmote.EditedNearestNeighbours(neighbors="approx")
    if method == "SMOTETomek":
        cleaner = fastsmote.TomekLinks(sampling_strategy="all", neighbors="approx")
        return fastsmote.SMOTETomek(random_state=0, tomek=cleaner)
    cleaner = fastsmote.EditedNearestNeighbours(sampling_strategy="all", neighbors="approx")
    return fastsmote.SMOTEENN(random_state=0, enn=cleaner)


def worker(method: str, n_rows: int) -> dict:
    import fastsmote

    fastsmote.warmup(dtypes=(np.float32,))
    X, y = make_blobs_imbalanced(n_rows, N_FEATURES, MINORITY)
    _fastsmote_sampler(method).fit_resample(X[:3000], y[:3000])  # graph kernels loaded
    rss_before = _rss_bytes()
    _reset_peak()
    started = time.perf_counter()
    sampler = _fastsmote_sampler(method)
    X_res, y_res = sampler.fit_resample(X, y)
    elapsed = time.perf_counter() - started
    peak = _peak_bytes()
    out_bytes = X_res.nbytes + y_res.nbytes
    result = {
        "time": elapsed,
        "extra": (peak - rss_before - out_bytes) / out_bytes,
        "counts": np.bincount(y_res).tolist(),
    }
    if method == "TomekLinks":
        result["check"] = _check_tomek(X, y, sampler.sample_indices_)
    elif method == "EditedNearestNeighbours":
        result["check"] = _check_enn(X, y, sampler.sample_indices_)
    return result


def _check_tomek(X, y, kept) -> str:
    """Exact links of two classes from the minority side: row m and its nearest row j of
    the other class form a link iff j's nearest row is m."""
    from fastsmote.neighbors import exact_kneighbors_of

    minority = np.flatnonzero(y == 1)
    nearest = exact_kneighbors_of(X, minority, 1)[:, 0]
    crossing = y[nearest] == 0
    partners = nearest[crossing]
    back = exact_kneighbors_of(X, partners, 1)[:, 0]
    exact = set(partners[back == minority[crossing]].tolist())
    removed = set(np.setdiff1d(np.arange(len(y)), kept).tolist())
    union = exact | removed
    jaccard = len(exact & removed) / len(union) if union else 1.0
    return f"removed {len(removed):,} vs exact {len(exact):,}, Jaccard {jaccard:.3f}"


def _check_enn(X, y, kept, n_sample: int = 20_000) -> str:
    """Exact ENN decisions (kind_sel='all', 3 neighbours) on sampled majority rows."""
    from fastsmote.neighbors import exact_kneighbors_of

    rng = np.random.default_rng(3)
    sample = np.sort(rng.choice(np.flatnonzero(y == 0), n_sample, replace=False))
    exact_removed = (y[exact_kneighbors_of(X, sample, 3)] != 0).any(axis=1)
    approx_removed = ~np.isin(sample, kept)
    agree = np.mean(exact_removed == approx_removed)
    return (
        f"{n_sample:,} sampled majority rows: removed {approx_removed.sum()} vs exact "
        f"{exact_removed.sum()}, same decision for {agree:.4f}"
    )


def imblearn_extrapolated(method: str, n_rows: int, slice_rows: int) -> tuple[float, str]:
    """imbalanced-learn's time: its SMOTE step (combinations; timed whole) plus its search
    timed on ``slice_rows`` queried rows and scaled to all of them."""
    from sklearn.neighbors import NearestNeighbors

    k, queried, after_smote = IMBLEARN_SEARCH[method]
    X, y = make_blobs_imbalanced(n_rows, N_FEATURES, MINORITY)
    smote_seconds = 0.0
    if after_smote:
        from imblearn.over_sampling import SMOTE

        started = time.perf_counter()
        X, y = SMOTE(random_state=0).fit_resample(X, y)
        smote_seconds = time.perf_counter() - started
    rows = np.arange(len(y)) if queried == "all" else np.flatnonzero(y == 0)
    sample = np.random.default_rng(4).choice(rows, slice_rows, replace=False)
    started = time.perf_counter()
    NearestNeighbors(n_neighbors=k).fit(X).kneighbors(X[sample])
    sliced = time.perf_counter() - started
    total = smote_seconds + sliced * rows.size / slice_rows
    detail = f"{slice_rows:,} of {rows.size:,} queries over {len(y):,} rows: {sliced:.1f} s"
    return total, detail + (f"; SMOTE {smote_seconds:.1f} s" if after_smote else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--slice", type=int, default=20_000)
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    parser.add_argument("--worker")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.rows)))
        return
    print(f"# {args.rows:,} x {N_FEATURES} float32, {MINORITY:.0%} minority")
    columns = ["method", "fastsmote approx", "imbalanced-learn (extrapolated)", "speed-up"]
    columns += ["extra memory fastsmote", "decisions vs exact"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---:|---:|---:|---:|---|")
    for method in args.methods:
        cmd = [sys.executable, __file__, "--worker", method, "--rows", str(args.rows)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode:
            raise RuntimeError(out.stderr[-2000:])
        fast = json.loads(out.stdout.strip().splitlines()[-1])
        imb, detail = imblearn_extrapolated(method, args.rows, args.slice)
        print(
            f"| {method} | {fast['time']:.1f} s | {imb:.0f} s ({detail}) | "
            f"**{imb / fast['time']:.0f}x** | {fast['extra']:.2f}x output | "
            f"{fast.get('check', '-')} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
