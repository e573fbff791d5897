"""The under-samplers that search among all rows, on Dask against fit_resample in one
process, on the same arrays.

    python benchmarks/dask_cleaners.py                  # TomekLinks, 1M x 20, 8 chunks
    python benchmarks/dask_cleaners.py --rows 2000000 --chunks 16 --reps 3
    python benchmarks/dask_cleaners.py --method EditedNearestNeighbours --rows 200000
    python benchmarks/dask_cleaners.py --method NearMiss

Generates the blobs of the other benchmarks (1% minority), times the sampler's
``fit_resample`` in this process, then ``fastsmote.dask.resample_arrays`` on a
LocalCluster of ``--workers`` processes (one thread each) with the arrays persisted on
the workers: the planning (the searches among all partitions, run when
``resample_arrays`` is called) and the whole job, and checks that the rows are the same,
bit for bit (``fit_resample``'s rows in input order, the Dask order). Kernels are
loaded (a 20k-row call) before any timing. Reports medians of ``--reps`` runs. Run it
alone.
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

METHODS = ("TomekLinks", "EditedNearestNeighbours", "NearMiss")


def _cleaner(name: str):
    import fastsmote

    return getattr(fastsmote, name)()


def _warm(name: str) -> None:
    X, y = make_blobs_imbalanced(20_000, 20, 0.01)
    _cleaner(name).fit_resample(X, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--method", choices=METHODS, default="TomekLinks")
    args = parser.parse_args()

    import dask
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    import fastsmote.dask as fd

    X, y = make_blobs_imbalanced(args.rows, 20, 0.01)
    _warm(args.method)
    in_memory = []
    for _ in range(args.reps):
        started = time.perf_counter()
        reference = _cleaner(args.method)
        X_ref, y_ref = reference.fit_resample(X, y)
        in_memory.append(time.perf_counter() - started)
    order = np.argsort(reference.sample_indices_, kind="stable")  # the Dask row order
    X_ref, y_ref = X_ref[order], y_ref[order]
    plans, totals, same = [], [], True
    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(_warm, args.method)
        step = -(-args.rows // args.chunks)
        X_dask, y_dask = client.persist(
            [da.from_array(X, chunks=(step, X.shape[1])), da.from_array(y, chunks=step)]
        )
        for _ in range(args.reps):
            started = time.perf_counter()
            X_res, y_res = fd.resample_arrays(X_dask, y_dask, _cleaner(args.method))
            plans.append(time.perf_counter() - started)
            X_got, y_got = dask.compute(X_res, y_res)
            totals.append(time.perf_counter() - started)
            same &= np.array_equal(X_got, X_ref) and np.array_equal(y_got, y_ref)
    print(
        f"{args.method}, {args.rows:,} x 20, 1% minority, {len(y) - len(y_ref):,} rows removed "
        f"(medians of {args.reps}):\n"
        f"  fit_resample in one process: {statistics.median(in_memory):.2f} s\n"
        f"  Dask, {args.chunks} chunks on {args.workers} workers: planning "
        f"{statistics.median(plans):.2f} s, whole job {statistics.median(totals):.2f} s\n"
        f"  same rows as fit_resample: {same}"
    )
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
