"""Where query-major shortlists beat row-major ones (``COLUMN_MIN_QUERIES``, ``COLUMN_MAX_REFS``).

The one-sided fused shortlist (``fastsmote._kernels.knn.knn_shortlist_of``) merges a
tile of distances into the queries' lists row by row; with few references the lists
stay cold and that merge costs more than the distances, so many queries against fewer
references run query-major (``knn_refined_columns``: an insertion network across 512
queries' lists, refined group by group). Both give the same exact lists (checked here),
shortlisted and refined as the searches do. This script times both on
the minority rows and the other rows of the benchmark data, as NearMiss searches them
(version 1: the others query the minority rows; version 3's preselection: the reverse),
forcing each layout: medians of ``--reps`` runs, interleaved.

    python benchmarks/shortlist_layouts.py [--reps 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _data import make_blobs_imbalanced  # noqa: E402

# (rows, minority share, the minority rows are the references); 1k-66k references
CASES = [
    (100_000, 0.01, True),
    (100_000, 0.03, True),
    (100_000, 0.1, True),
    (200_000, 0.08, True),
    (400_000, 0.08, True),
    (264_000, 0.25, True),
    (70_000, 0.14, False),
    (34_000, 0.06, False),
    (100_000, 0.01, False),
    (1_000_000, 0.001, False),
]


def time_layouts(X: np.ndarray, queries: np.ndarray, refs: np.ndarray, k: int, reps: int):
    """Medians of both layouts' times (row-major, query-major) on one search."""
    from fastsmote._kernels import knn
    from fastsmote.neighbors._exact import QUERY_BLOCK, SHORTLIST_BLOCK, TILE_ROWS

    centre, sq_refs = knn.centre_and_sq_norms(X, refs)
    sq_queries = knn.centred_sq_norms(X, queries, centre)
    skip = np.full(queries.size, -1, dtype=np.int64)
    m = k + 2  # the fused shortlists' length
    search = (X, queries, refs, centre, sq_queries, sq_refs, m)
    eps = float(np.finfo(X.dtype).eps)

    def row_major():
        short = knn.knn_shortlist_of(
            *search, skip, knn.FUSED, QUERY_BLOCK, SHORTLIST_BLOCK, TILE_ROWS
        )
        return knn.refine_shortlist(X, queries, refs, *short, sq_queries, sq_refs.max(), k, eps)

    def query_major():
        return knn.knn_refined_columns(*search, k, skip, eps)

    runs = {"rows": [], "columns": []}
    for _ in range(reps):
        for name, layout in (("rows", row_major), ("columns", query_major)):
            t0 = time.perf_counter()
            found = layout()
            runs[name].append(time.perf_counter() - t0)
            if name == "rows":
                expected = found
            else:
                assert all(map(np.array_equal, found, expected)), "the layouts disagree"
    return statistics.median(runs["rows"]), statistics.median(runs["columns"])


def main() -> None:
    from fastsmote._kernels import knn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--k", type=int, default=3, help="neighbours (NearMiss: 3)")
    args = parser.parse_args()
    numba.set_num_threads(args.threads)
    print(
        f"COLUMN_MIN_QUERIES = {knn.COLUMN_MIN_QUERIES}, COLUMN_MAX_REFS = "
        f"{knn.COLUMN_MAX_REFS}; k = {args.k}, {args.threads} threads, float32\n"
    )
    print("| queries x references x features | row-major s | query-major s | ratio |")
    print("|---|---|---|---|")
    for n_rows, share, minority_refs in CASES:
        X, y = make_blobs_imbalanced(n_rows, args.features, share)
        queries, refs = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
        if not minority_refs:
            queries, refs = refs, queries
        rows, columns = time_layouts(X, queries, refs, args.k, args.reps)
        print(
            f"| {queries.size:,} x {refs.size:,} x {args.features} | {rows:.3f} | {columns:.3f} "
            f"| **{rows / columns:.2f}x** |",
            flush=True,
        )


if __name__ == "__main__":
    main()
