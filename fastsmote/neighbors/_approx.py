"""Approximate neighbours through pynndescent (optional, imported lazily).

Measured on this project's machine (docs/performance.md): pynndescent 0.7 compiles its
kernels for ~27-45 s in every new process even with a warm Numba cache, and needs 24
(20 features) to 60 (50 features) graph neighbours to reach recall@5 >= 0.95 on
Gaussian data. Then it is ~3x faster than exact search at 300k rows x 20 features but
no faster at 300k x 50 (measured 2026-11-28), so ``"auto"`` uses it only where its
estimated build plus compilation beats the estimated exact search.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_distance_range

#: Graph neighbours asked from pynndescent: max(APPROX_FACTOR * k, minimum by dimension).
#: Measured recall@5 on Gaussian data (100k-300k rows): 20 features, 16 -> 0.90-0.92,
#: 24 -> 0.98; 50 features, 24 -> 0.73, 40 -> 0.92, 60 -> 0.98.
APPROX_FACTOR = 5
APPROX_MIN_LOW_DIM, APPROX_MIN_HIGH_DIM, HIGH_DIM = 24, 60, 32


def graph_size(n_neighbors: int, n_features: int) -> int:
    """Neighbours to ask pynndescent for (self included) to keep recall@k >= 0.95."""
    minimum = APPROX_MIN_HIGH_DIM if n_features > HIGH_DIM else APPROX_MIN_LOW_DIM
    return max(minimum, APPROX_FACTOR * n_neighbors)


def approx_kneighbors(X: np.ndarray, n_neighbors: int, rows: np.ndarray, seed: int) -> np.ndarray:
    """Approximate k nearest neighbours of each selected row among the selected rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    n_neighbors : int
        Neighbours per row, the row itself excluded by position.
    rows : ndarray of int64
        Rows of ``X`` forming the query and reference set.
    seed : int
        Seed for pynndescent (a fixed seed makes its graph reproducible).

    Returns
    -------
    indices : ndarray of shape (len(rows), n_neighbors), int64
        Positions into ``rows``.
    """
    check_distance_range(X)
    try:
        from pynndescent import NNDescent
    except ImportError as error:  # pragma: no cover - pynndescent is a core dependency
        raise ImportError(
            "neighbors='approx' needs pynndescent: pip install pynndescent"
        ) from error
    data = np.ascontiguousarray(X[rows])
    n_graph = min(rows.size, graph_size(n_neighbors, X.shape[1]) + 1)
    index = NNDescent(data, n_neighbors=n_graph, random_state=seed, metric="euclidean")
    graph, _ = index.neighbor_graph
    return first_non_self(np.asarray(graph, dtype=np.int64), n_neighbors)


def first_non_self(
    indices: np.ndarray, n_neighbors: int, own: np.ndarray | None = None
) -> np.ndarray:
    """The first ``n_neighbors`` entries of each row that are not the row itself.

    Neighbour searches list the query itself, though not always first when duplicates
    exist, and may pad missing entries with -1: a stable sort moves both to the end.
    ``own[i]`` is row i's own index (default ``i``).
    """
    own = np.arange(indices.shape[0]) if own is None else np.asarray(own)
    bad = (indices == own[:, None]) | (indices < 0)
    order = np.argsort(bad, axis=1, kind="stable")
    kept = np.take_along_axis(indices, order, axis=1)[:, :n_neighbors]
    if (np.take_along_axis(bad, order, axis=1)[:, :n_neighbors]).any():
        raise RuntimeError(
            "the neighbour search returned fewer than n_neighbors distinct neighbours"
        )
    return np.ascontiguousarray(kept, dtype=np.int64)
