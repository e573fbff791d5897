"""The scikit-learn model inside the model-based samplers: its share of each library's
time, and the speed-up it leaves possible.

SVMSMOTE fits an SVC, KMeansSMOTE a MiniBatchKMeans, ClusterCentroids a KMeans,
InstanceHardnessThreshold a cross-validated classifier; both libraries run the same
scikit-learn model on the same rows. This script times every call of that model's
``fit``/``predict_proba`` in each library, in the same run, so the rest (the neighbour
searches, generation, copying) is measured apart, and reports the ceiling the model sets
on any speed-up: imbalanced-learn's whole time over fastsmote's model time (the ratio
fastsmote would reach if everything else cost nothing). Data, parameters and warm-up as
in compare.py's family preset; one fresh process per run; medians of ``--reps``.

    python benchmarks/model_share.py [--rows 100000] [--reps 3] [--methods SVMSMOTE ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _data import make_blobs_imbalanced  # noqa: E402
from compare import _sampler_factory  # noqa: E402

METHODS = ["SVMSMOTE", "KMeansSMOTE", "ClusterCentroids", "InstanceHardnessThreshold"]

_spent = {"model": 0.0}


def _timed(function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _spent["model"] += time.perf_counter() - started

    return wrapper


def _instrument() -> None:
    """Time the models' fitting and predicting, in both libraries (the same classes).
    Each wrapper is on the class that defines the method, so a call is timed once."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm._base import BaseLibSVM

    for cls, names in (
        (BaseLibSVM, ("fit",)),
        (MiniBatchKMeans, ("fit",)),
        (KMeans, ("fit",)),
        (LogisticRegression, ("fit", "predict_proba")),
    ):
        for name in names:
            setattr(cls, name, _timed(getattr(cls, name)))


def worker(lib: str, method: str, n_rows: int) -> dict:
    make = _sampler_factory(lib, method)
    if lib == "fastsmote":
        import fastsmote

        fastsmote.warmup(dtypes=(np.float32,))
    X, y = make_blobs_imbalanced(n_rows, 20, 0.01)
    make().fit_resample(X[:2000], y[:2000])
    _instrument()
    _spent["model"] = 0.0
    started = time.perf_counter()
    make().fit_resample(X, y)
    total = time.perf_counter() - started
    return {"total": total, "model": _spent["model"]}


def _run(lib: str, method: str, n_rows: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", lib, "--methods", method, "--rows", str(n_rows)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{lib} {method} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    parser.add_argument("--worker", choices=["fastsmote", "imblearn"])
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.methods[0], args.rows)))
        return
    print(f"# The model's share, {args.rows:,} x 20, 1% minority, medians of {args.reps}\n")
    print(
        "| method | fastsmote: total | model | rest | imbalanced-learn: total | model | rest "
        "| speed-up | rest speed-up | ceiling |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for method in args.methods:
        runs = {"fastsmote": [], "imblearn": []}
        for _ in range(args.reps):  # interleaved, so load drift hits both
            for lib, found in runs.items():
                found.append(_run(lib, method, args.rows))

        found = {
            lib: {
                "total": statistics.median(r["total"] for r in found),
                "model": statistics.median(r["model"] for r in found),
                "rest": statistics.median(r["total"] - r["model"] for r in found),
            }
            for lib, found in runs.items()
        }
        fast, imb = found["fastsmote"], found["imblearn"]
        print(
            f"| {method} | {fast['total']:.2f} s | {fast['model']:.2f} s | {fast['rest']:.3f} s "
            f"| {imb['total']:.2f} s | {imb['model']:.2f} s | {imb['rest']:.3f} s "
            f"| {imb['total'] / fast['total']:.1f}x | {imb['rest'] / fast['rest']:.1f}x "
            f"| {imb['total'] / fast['model']:.1f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
