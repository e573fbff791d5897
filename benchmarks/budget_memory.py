"""Peak memory beyond input and output of ``SMOTE.fit_resample`` for a ``working_memory``.

One fresh process per run (peak RSS is per process). Prints JSON per run: time, extra
peak RSS (``VmHWM`` after the call minus RSS before and the output's bytes) and the
size of the class that is copied or read in place.

    python benchmarks/budget_memory.py --rows 10000000 --features 20 --minority 0.01 \
        --working-memory default 4 --reps 3
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


def worker(n_rows: int, n_features: int, minority: float, working_memory: int | None) -> dict:
    import fastsmote
    from fastsmote import SMOTE

    fastsmote.warmup(dtypes=(np.float32,))
    X, y = make_blobs_imbalanced(n_rows, n_features, minority)
    SMOTE(random_state=0).fit_resample(X[:2000], y[:2000])
    rss_before = _rss_bytes()
    _reset_peak()
    started = time.perf_counter()
    X_res, y_res = SMOTE(random_state=0, working_memory=working_memory).fit_resample(X, y)
    elapsed = time.perf_counter() - started
    out_bytes = X_res.nbytes + y_res.nbytes
    return {
        "working_memory": working_memory or "default",
        "time_s": round(elapsed, 2),
        "extra_peak_mib": round((_peak_bytes() - rss_before - out_bytes) / 2**20, 1),
        "output_mib": round(out_bytes / 2**20),
        "class_mib": round(int(np.count_nonzero(y == 1)) * n_features * 4 / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--minority", type=float, default=0.01)
    parser.add_argument("--working-memory", nargs="+", default=["default", "4"])
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    budgets = [None if b == "default" else int(b) for b in args.working_memory]
    if args.worker:
        print(json.dumps(worker(args.rows, args.features, args.minority, budgets[0])))
        return
    for _ in range(args.reps):  # interleaved, so load drift hits every budget
        for budget in budgets:
            cmd = [sys.executable, __file__, "--worker", "--rows", str(args.rows)]
            cmd += ["--features", str(args.features), "--minority", str(args.minority)]
            cmd += ["--working-memory", str(budget or "default")]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
