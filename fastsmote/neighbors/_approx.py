"""Approximate neighbours through pynndescent (optional, imported lazily).

Measured on this project's machine (docs/performance.md): pynndescent 0.7 compiles its
kernels for ~30-45 s in every new process even with a warm Numba cache, and needs
15-30 graph neighbours to reach recall@5 >= 0.95 on 20-50 dimensional Gaussian data.
So it only pays off for classes whose exact search would take minutes; ``"auto"`` uses
it only there.
"""

from __future__ import annotations

import numpy as np

#: Graph neighbours asked from pynndescent per neighbour wanted (at least APPROX_MIN).
APPROX_FACTOR, APPROX_MIN = 3, 16


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
    try:
        from pynndescent import NNDescent
    except ImportError as error:  # pragma: no cover - pynndescent is a core dependency
        raise ImportError(
            "neighbors='approx' needs pynndescent: pip install pynndescent"
        ) from error
    data = np.ascontiguousarray(X[rows])
    n_graph = min(rows.size - 1, max(APPROX_MIN, APPROX_FACTOR * n_neighbors)) + 1
    index = NNDescent(data, n_neighbors=n_graph, random_state=seed, metric="euclidean")
    graph, _ = index.neighbor_graph
    return first_non_self(np.asarray(graph, dtype=np.int64), n_neighbors)


def first_non_self(indices: np.ndarray, n_neighbors: int) -> np.ndarray:
    """The first ``n_neighbors`` entries of each row that are not the row itself.

    Neighbour searches list the query itself, though not always first when duplicates
    exist, and may pad missing entries with -1: a stable sort moves both to the end.
    """
    bad = (indices == np.arange(indices.shape[0])[:, None]) | (indices < 0)
    order = np.argsort(bad, axis=1, kind="stable")
    kept = np.take_along_axis(indices, order, axis=1)[:, :n_neighbors]
    if (np.take_along_axis(bad, order, axis=1)[:, :n_neighbors]).any():
        raise RuntimeError(
            "the neighbour search returned fewer than n_neighbors distinct neighbours"
        )
    return np.ascontiguousarray(kept, dtype=np.int64)
