"""fastsmote vs imbalanced-learn, measured in the same run on the same data.

    python benchmarks/compare.py --preset quick   # 1M x 20, kernels at 10k/50k rows
    python benchmarks/compare.py --preset full    # adds 5M x 20 and 50-feature kernels
    python benchmarks/compare.py --preset scale   # the large cases, one run each
    python benchmarks/compare.py --preset full --end-to-end-only --memory recycled
    python benchmarks/compare.py --preset family --methods BorderlineSMOTE ADASYN --reps 3
    python benchmarks/compare.py --preset family --methods NearMiss-1 --rows 100000 --reps 7

Every end-to-end measurement runs in a fresh subprocess: data are generated in place,
kernels warmed up (compile time excluded; cold starts are reported separately), the
peak-RSS counter is reset, then one ``fit_resample`` is timed. "Extra memory" is the
peak RSS above the inputs, minus the output arrays, as a multiple of the output size.
With ``--memory recycled`` each worker first touches and frees
memory of the size both libraries need, so the timed call reuses pages (a long-lived
process) instead of paying a first touch (a fresh batch job; the default).
Reported times are medians; ratios are imbalanced-learn / fastsmote. Results are
checked (class counts, original rows copied) so a fast wrong answer fails loudly.
Never run two benchmarks at once on a small machine: both would be wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _data import make_blobs_imbalanced  # noqa: E402

MEMORY = "fresh"  # --memory, passed on to the workers

PRESETS = {
    "quick": {
        "end_to_end": [(1_000_000, 20, 0.01)],
        "knn": [(10_000, 20), (50_000, 20)],
        "generation": [(2_000_000, 20)],
        "reps": 3,
    },
    "full": {
        "end_to_end": [(1_000_000, 20, 0.01), (5_000_000, 20, 0.01)],
        "knn": [(10_000, 20), (50_000, 20), (50_000, 50)],
        "generation": [(10_000_000, 20)],
        "reps": 3,
    },
    # the large cases: one run each (imbalanced-learn needs minutes per case)
    # every method, one run each
    "family": {
        "methods": [
            ("RandomOverSampler", (1_000_000, 20, 0.01)),
            ("RandomUnderSampler", (1_000_000, 20, 0.01)),
            ("BorderlineSMOTE", (1_000_000, 20, 0.01)),
            ("ADASYN", (1_000_000, 20, 0.01)),
            ("TomekLinks", (100_000, 20, 0.01)),
            ("EditedNearestNeighbours", (100_000, 20, 0.01)),
            ("RepeatedEditedNearestNeighbours", (100_000, 20, 0.01)),
            ("AllKNN", (100_000, 20, 0.01)),
            ("NeighbourhoodCleaningRule", (100_000, 20, 0.01)),
            ("SMOTETomek", (100_000, 20, 0.01)),
            ("SMOTEENN", (100_000, 20, 0.01)),
            ("SVMSMOTE", (100_000, 20, 0.01)),
            ("KMeansSMOTE", (100_000, 20, 0.01)),
            # categorical codes (see _categorical): 10,000 minority rows, 8 categories
            ("SMOTEN", (100_000, 10, 0.1)),
            ("NearMiss-1", (100_000, 20, 0.01)),
            ("NearMiss-2", (100_000, 20, 0.01)),
            ("NearMiss-3", (100_000, 20, 0.01)),
            # imbalanced-learn's NearMiss-2 would hold a 990k x 10k distance table (~160
            # GB): its time is extrapolated from all minority rows and a 2% slice of the
            # others (its cost is linear in the rows scored)
            ("NearMiss-1", (1_000_000, 20, 0.01, {"imblearn_slice": 0.02})),
            ("NearMiss-2", (1_000_000, 20, 0.01, {"imblearn_slice": 0.02})),
            ("NearMiss-3", (1_000_000, 20, 0.01, {"imblearn_slice": 0.02})),
            ("OneSidedSelection", (100_000, 20, 0.01)),
            # imbalanced-learn refits and re-predicts the whole class after each row the
            # pass adds: its time grows with the square of the rows (minutes at 10k rows,
            # hours at 100k), so the same-run ratio is taken at 10k rows
            ("CondensedNearestNeighbour", (10_000, 20, 0.01)),
            ("InstanceHardnessThreshold", (100_000, 20, 0.01)),
            ("ClusterCentroids", (100_000, 20, 0.01)),
            # 1M rows where neither library takes hours (SVMSMOTE's SVC and
            # ClusterCentroids' 10k-cluster KMeans would, in both alike)
            ("KMeansSMOTE", (1_000_000, 20, 0.01)),
            ("InstanceHardnessThreshold", (1_000_000, 20, 0.01)),
        ],
        "reps": 1,
    },
    # the exact cases of "scale" only (the approximate one takes minutes)
    "scale-exact": {
        "end_to_end": [
            (10_000_000, 20, 0.01),
            (1_000_000, 50, 0.10),
            (1_000_000, 20, [0.08, 0.02]),
        ],
        "knn": [(100_000, 20), (100_000, 50)],
        "generation": [(10_000_000, 20)],
        "reps": 1,
    },
    "scale": {
        "end_to_end": [
            (10_000_000, 20, 0.01),
            (1_000_000, 50, 0.10),
            (1_000_000, 20, [0.08, 0.02]),
            (5_000_000, 50, 0.20, "fastsmote only"),
        ],
        "knn": [(100_000, 20), (100_000, 50)],
        "generation": [(10_000_000, 20)],
        "reps": 1,
    },
}


# ----------------------------------------------------------------------------- worker
def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:  # "5" resets the peak RSS (VmHWM)
        f.write("5")


def _peak_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


# imbalanced-learn module of each method (fastsmote exports them all at the top level)
IMBLEARN_MODULES = {
    "SMOTE": "over_sampling",
    "BorderlineSMOTE": "over_sampling",
    "ADASYN": "over_sampling",
    "SVMSMOTE": "over_sampling",
    "KMeansSMOTE": "over_sampling",
    "RandomOverSampler": "over_sampling",
    "RandomUnderSampler": "under_sampling",
    "TomekLinks": "under_sampling",
    "EditedNearestNeighbours": "under_sampling",
    "CondensedNearestNeighbour": "under_sampling",
    "OneSidedSelection": "under_sampling",
    "RepeatedEditedNearestNeighbours": "under_sampling",
    "AllKNN": "under_sampling",
    "NeighbourhoodCleaningRule": "under_sampling",
    "SMOTETomek": "combine",
    "SMOTEENN": "combine",
    "SMOTEN": "over_sampling",
    "InstanceHardnessThreshold": "under_sampling",
    "ClusterCentroids": "under_sampling",
    "NearMiss": "under_sampling",
}
NO_RANDOM_STATE = {
    "TomekLinks",
    "EditedNearestNeighbours",
    "RepeatedEditedNearestNeighbours",
    "AllKNN",
    "NeighbourhoodCleaningRule",
    "NearMiss",
}
KEEPS_INPUT_PREFIX = {
    "SMOTE",
    "BorderlineSMOTE",
    "ADASYN",
    "RandomOverSampler",
    "SVMSMOTE",
    "KMeansSMOTE",
    "SMOTEN",
}


#: Parameters other than the defaults, the same for both libraries: at a 1% minority no
#: cluster reaches KMeansSMOTE's "auto" balance threshold (half the cluster's rows).
METHOD_PARAMS = {"KMeansSMOTE": {"cluster_balance_threshold": 0.005}}
#: Methods for all-categorical data: run on :func:`_categorical` codes of the blobs.
CATEGORICAL = {"SMOTEN"}


def _categorical(X: np.ndarray) -> np.ndarray:
    """int32 codes 0..7 of each feature (the blobs binned by half units): categories
    whose class distributions differ, as SMOTEN's Value Difference Metric needs."""
    return (np.floor(X * 2).clip(-4, 3) + 4).astype(np.int32)


def _sampler_factory(lib: str, method: str):
    """A maker of ``method``'s sampler; "NearMiss-2" is NearMiss(version=2)."""
    import functools
    import importlib

    method, _, version = method.partition("-")
    if version:
        cls = _sampler_factory(lib, method)
        return functools.partial(cls, version=int(version))
    module = "fastsmote" if lib == "fastsmote" else "imblearn." + IMBLEARN_MODULES[method]
    cls = getattr(importlib.import_module(module), method)
    if method in NO_RANDOM_STATE:
        return cls
    if method in MODEL_PARAMS:
        return lambda: cls(random_state=0, **MODEL_PARAMS[method]())
    return lambda: cls(random_state=0, **METHOD_PARAMS.get(method, {}))


def _logistic_regression():
    from sklearn.linear_model import LogisticRegression

    return {"estimator": LogisticRegression()}


def _seeded_kmeans():
    from sklearn.cluster import KMeans

    return {"estimator": KMeans(n_init=1, random_state=0)}


#: The scikit-learn model of the model-based samplers, the same for both libraries (so
#: both do the same model work): a fast classifier for IHT (its default, a 100-tree
#: forest fitted 5 times, would take minutes in both), a seeded KMeans for
#: ClusterCentroids (soft voting: both return the same centres).
MODEL_PARAMS = {
    "InstanceHardnessThreshold": _logistic_regression,
    "ClusterCentroids": _seeded_kmeans,
}


#: --memory recycled: bytes touched and freed before the timed call, per input byte
#: (imbalanced-learn's peak is ~2.5x its output, ~5x the input for SMOTE at 1%).
RECYCLED_PER_INPUT_BYTE = 6


def _recycle_memory(n_bytes: int) -> None:
    """Touch ``n_bytes`` of fresh memory and free it. On this project's VM a process's
    first touch of memory it has not used costs ~0.75 ms/MB (the host hands pages back
    lazily), while memory it freed moments ago is reused at full speed; a long-lived
    process (a notebook, a CV loop) runs in the second state."""
    scratch = np.empty(n_bytes, dtype=np.uint8)
    scratch[::4096] = 1
    del scratch


def worker(
    lib: str,
    n_rows: int,
    n_features: int,
    minority,
    options=None,
    *_,
    mode: str,
    method: str = "SMOTE",
    memory: str = "fresh",
) -> dict:
    t_start = time.perf_counter()
    make = _sampler_factory(lib, method)
    if lib == "fastsmote" and mode == "warm":
        import fastsmote

        fastsmote.warmup(dtypes=(np.float32,))
    X, y = make_blobs_imbalanced(n_rows, n_features, minority)
    if method in CATEGORICAL:
        X = _categorical(X)
    options = options if isinstance(options, dict) else {}  # or "fastsmote only"
    share = options.get("imblearn_slice") if lib == "imblearn" else None
    if share:  # every minority row, and a share of the others: time scaled by 1 / share
        others = np.flatnonzero(y != 1)
        keep = np.sort(np.r_[np.flatnonzero(y == 1), others[: int(share * others.size)]])
        X, y = X[keep], y[keep]
    if mode == "warm":
        make().fit_resample(X[:2000], y[:2000])
    if memory == "recycled":
        _recycle_memory(RECYCLED_PER_INPUT_BYTE * X.nbytes)
    setup = time.perf_counter() - t_start
    rss_before = _rss_bytes()
    _reset_peak()
    t0 = time.perf_counter()
    sampler = make()
    X_res, y_res = sampler.fit_resample(X, y)
    elapsed = (time.perf_counter() - t0) / (share or 1)
    peak = _peak_bytes()
    backend = getattr(sampler, "neighbors_backend_", {})
    out_bytes = X_res.nbytes + y_res.nbytes
    n = len(X)
    rng = np.random.default_rng(1)
    sample = rng.integers(0, n, 1000)
    ok = X_res.dtype == X.dtype
    if method in KEEPS_INPUT_PREFIX:  # the others remove or reorder rows
        ok = ok and bool(np.array_equal(X_res[sample], X[sample]))
    return {
        "time": elapsed,
        "setup": setup,
        # recycled pages distort the peak-RSS reading: memory is measured in fresh mode
        # (and not extrapolated from a slice)
        "extra": (peak - rss_before - out_bytes) / out_bytes
        if memory == "fresh" and not share
        else None,
        "extrapolated": bool(share),
        "peak_mib": peak / 2**20,
        "counts": np.bincount(y_res).tolist(),
        "copy_ok": ok,
        "dtype": str(X_res.dtype),
        "backend": sorted(set(backend.values())) if isinstance(backend, dict) else [backend],
    }


def run_worker(lib, case, mode="warm", env=None, method="SMOTE") -> dict:
    cmd = [sys.executable, __file__, "--worker", lib, "--mode", mode, "--case", json.dumps(case)]
    cmd += ["--method", method, "--memory", MEMORY]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{lib} worker failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- parts
def end_to_end(cases, reps) -> None:
    print("\n## End to end: SMOTE(random_state=0).fit_resample, float32, warm\n")
    columns = ["rows x features, minority", "fastsmote s", "imblearn s", "speed-up"]
    columns += ["extra mem fastsmote", "extra mem imblearn"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|")
    for case in cases:
        libs = ["fastsmote"] if len(case) > 3 else ["fastsmote", "imblearn"]
        runs = {lib: [] for lib in libs}
        for _ in range(reps):  # interleave so load drift hits both
            for lib in runs:
                runs[lib].append(run_worker(lib, case))
        fast = runs["fastsmote"]
        assert all(r["copy_ok"] for r in fast), "original rows not copied"
        assert fast[0]["dtype"] == "float32"
        tf = statistics.median(r["time"] for r in fast)
        ef = _extra(fast)
        n, d, m = case[:3]
        shares = "/".join(f"{x:.0%}" for x in np.atleast_1d(m))
        label = f"{n:,} x {d}, {shares} ({', '.join(fast[0]['backend'])})"
        if "imblearn" not in runs:
            print(f"| {label} | {tf:.2f} | not run | - | {ef} | - |")
            continue
        imb = runs["imblearn"]
        assert all(r["copy_ok"] for r in imb), "original rows not copied"
        assert fast[0]["counts"] == imb[0]["counts"], (fast[0]["counts"], imb[0]["counts"])
        ti = statistics.median(r["time"] for r in imb)
        ei = _extra(imb)
        print(
            f"| {label} | {tf:.2f} ({_spread(fast)}) | {ti:.2f} ({_spread(imb)}) "
            f"| **{ti / tf:.1f}x** | {ef} | {ei} |"
        )


def family(methods, reps) -> None:
    print("\n## Every method, float32, warm, one fresh process per run\n")
    print("| method | rows x features | fastsmote s | imblearn s | speed-up | extra memory |")
    print("|---|---|---|---|---|---|")
    for method, case in methods:
        runs = {
            lib: [run_worker(lib, case, method=method) for _ in range(reps)]
            for lib in ("fastsmote", "imblearn")
        }
        fast, imb = runs["fastsmote"], runs["imblearn"]
        assert all(r["copy_ok"] for r in fast + imb), method
        tf = statistics.median(r["time"] for r in fast)
        ti = statistics.median(r["time"] for r in imb)
        note = " (extrapolated)" if imb[0].get("extrapolated") else ""
        print(
            f"| {method} | {case[0]:,} x {case[1]} | {tf:.2f} | {ti:.2f}{note} "
            f"| **{ti / tf:.1f}x** "
            f"| {_extra(fast[:1])} (imblearn {_extra(imb[:1])}) |",
            flush=True,
        )


def _extra(runs) -> str:
    """Median extra memory as a table cell ("-" when measured without it)."""
    values = [r["extra"] for r in runs if r["extra"] is not None]
    return f"{statistics.median(values):.2f}x output" if values else "-"


def _spread(runs) -> str:
    times = sorted(r["time"] for r in runs)
    return f"{times[0]:.2f}-{times[-1]:.2f}"


def cold_start(case) -> None:
    print("\n## First call in a fresh process (import + compile/load + fit_resample)\n")
    with tempfile.TemporaryDirectory() as cache_dir:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
        cold = run_worker("fastsmote", case, mode="cold", env=env)
        warm_cache = run_worker("fastsmote", case, mode="cold", env=env)
    print(f"- cold Numba cache: fit_resample {cold['time']:.2f} s (imports {cold['setup']:.2f} s)")
    print(
        f"- warm Numba cache: fit_resample {warm_cache['time']:.2f} s "
        f"(imports {warm_cache['setup']:.2f} s)"
    )


def knn_kernel(cases, reps) -> None:
    from sklearn.neighbors import NearestNeighbors

    from fastsmote.neighbors import exact_kneighbors

    print("\n## Exact kNN on one class (k=5, self excluded), float32\n")
    print(
        "| rows x features | fastsmote s | scikit-learn brute s | speed-up | ns/pair fastsmote |"
    )
    print("|---|---|---|---|---|")
    exact_kneighbors(np.zeros((10, 3), np.float32) + np.arange(10)[:, None], 2)
    for n, d in cases:
        X = np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)
        tf, ts = [], []
        for _ in range(reps):
            t0 = time.perf_counter()
            ours = exact_kneighbors(X, 5)
            tf.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            theirs = (
                NearestNeighbors(n_neighbors=6, algorithm="brute")
                .fit(X)
                .kneighbors(X, return_distance=False)
            )
            ts.append(time.perf_counter() - t0)
        agree = float((ours == theirs[:, 1:]).all(axis=1).mean())
        assert agree > 0.99, f"neighbours disagree with scikit-learn on {1 - agree:.1%} rows"
        f, s = statistics.median(tf), statistics.median(ts)
        print(f"| {n:,} x {d} | {f:.3f} | {s:.3f} | **{s / f:.2f}x** | {f / n / n * 1e9:.2f} |")


def generation_kernel(cases, reps) -> None:
    from fastsmote._kernels.smote import NO_COUNTS, NO_DAMP, NO_GROUPS, NO_STEPS, smote_generate

    NO_EXTRAS = (NO_COUNTS, NO_DAMP, np.uint64(0), NO_GROUPS, NO_STEPS)
    from fastsmote.neighbors import exact_kneighbors

    print("\n## Generation kernel vs copying into fresh memory, float32\n")
    print("| synthetic rows x features | generate s | fresh copy s | ratio |")
    print("|---|---|---|---|")
    for n_new, d in cases:
        rng = np.random.default_rng(0)
        X = rng.standard_normal((20_000, d)).astype(np.float32)
        rows = np.arange(X.shape[0], dtype=np.int64)
        nn = exact_kneighbors(X, 5)
        src = np.ones((n_new, d), np.float32)
        tg, tc = [], []
        for _ in range(reps):
            # Both into a new array (like fit_resample's output) over pages freed just
            # before: on a VM that reclaims freed pages, the first touch of never-used
            # memory would otherwise fall on whichever runs first.
            _recycle_memory(src.nbytes)
            out = np.empty((n_new, d), np.float32)
            t0 = time.perf_counter()
            smote_generate(X, rows, nn, np.uint64(1), 0, out, 0, n_new, 2048, *NO_EXTRAS)
            tg.append(time.perf_counter() - t0)
            assert np.isfinite(out[:: max(1, n_new // 1000)]).all()
            del out
            _recycle_memory(src.nbytes)
            t0 = time.perf_counter()
            dst = np.empty_like(src)
            dst[...] = src
            tc.append(time.perf_counter() - t0)
            del dst
        g, c = statistics.median(tg), statistics.median(tc)
        print(f"| {n_new:,} x {d} | {g:.3f} | {c:.3f} | {g / c:.2f}x the copy |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="quick")
    parser.add_argument("--worker")
    parser.add_argument("--mode", default="warm")
    parser.add_argument("--case")
    parser.add_argument("--method", default="SMOTE")
    parser.add_argument(
        "--memory",
        choices=["fresh", "recycled"],
        default="fresh",
        help="fresh: the timed call is the process's first use of that much memory; "
        "recycled: memory of that size was touched and freed just before (both libraries)",
    )
    parser.add_argument("--end-to-end-only", action="store_true")
    parser.add_argument("--methods", nargs="+", help="with --preset family: only these")
    parser.add_argument("--rows", type=int, help="with --preset family: only cases of N rows")
    parser.add_argument("--reps", type=int, help="runs per case (default: the preset's)")
    args = parser.parse_args()
    global MEMORY
    MEMORY = args.memory
    if args.worker:
        case = json.loads(args.case)
        result = worker(args.worker, *case, mode=args.mode, method=args.method, memory=MEMORY)
        print(json.dumps(result))
        return
    import numba
    import sklearn

    preset = dict(PRESETS[args.preset], **({"reps": args.reps} if args.reps else {}))
    print(f"# fastsmote vs imbalanced-learn ({args.preset}), memory: {MEMORY}")
    if "methods" in preset:
        chosen = [
            m
            for m in preset["methods"]
            if (not args.methods or m[0] in args.methods) and args.rows in (None, m[1][0])
        ]
        family(chosen, preset["reps"])
        return
    print(
        f"numpy {np.__version__}, numba {numba.__version__} ({numba.get_num_threads()} threads), "
        f"scikit-learn {sklearn.__version__}, {os.cpu_count()} cores"
    )
    end_to_end(preset["end_to_end"], preset["reps"])
    if args.end_to_end_only:
        return
    cold_start(preset["end_to_end"][0])
    knn_kernel(preset["knn"], preset["reps"])
    generation_kernel(preset["generation"], preset["reps"])


if __name__ == "__main__":
    main()
