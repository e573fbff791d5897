"""Recall of a partition index (IVF) on the benchmarks' Gaussian class, for comparison
with NN-descent: how much of the class must each query scan to find its neighbours?

k-means (scikit-learn's MiniBatchKMeans) splits the class into lists; each sampled
query scans the lists of its ``nprobe`` nearest centroids exactly. Prints recall@5
against exact neighbours and the share of rows scanned per query.

    python benchmarks/partition_recall.py --rows 1000000 --features 50 --lists 1000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.cluster import MiniBatchKMeans

from fastsmote.neighbors._exact import exact_kneighbors_of

K = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--lists", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    X = np.random.default_rng(0).standard_normal((args.rows, args.features)).astype(np.float32)
    queries = np.random.default_rng(1).choice(args.rows, args.queries, replace=False)
    exact = exact_kneighbors_of(X, queries, K)
    start = time.perf_counter()
    kmeans = MiniBatchKMeans(args.lists, batch_size=8192, n_init=1, max_iter=20, random_state=0)
    labels = kmeans.fit(X).labels_
    print(f"k-means into {args.lists} lists: {time.perf_counter() - start:.1f} s")
    members = [np.flatnonzero(labels == c) for c in range(args.lists)]
    to_centroids = ((X[queries, None, :] - kmeans.cluster_centers_[None]) ** 2).sum(-1)
    nearest_lists = np.argsort(to_centroids, axis=1)
    print("| nprobe | rows scanned per query | recall@5 |")
    print("|---:|---:|---:|")
    for nprobe in (10, 20, 50, 100, 200):
        recall, scanned = [], 0
        for q, row in enumerate(queries):
            candidates = np.concatenate([members[c] for c in nearest_lists[q, :nprobe]])
            scanned += candidates.size
            dist = ((X[candidates] - X[row]) ** 2).sum(1)
            dist[candidates == row] = np.inf
            found = candidates[np.argsort(dist, kind="stable")[:K]]
            recall.append(len(set(found) & set(exact[q])) / K)
        share = scanned / args.queries / args.rows
        print(f"| {nprobe} | {share:.1%} | {np.mean(recall):.3f} |")


if __name__ == "__main__":
    main()
