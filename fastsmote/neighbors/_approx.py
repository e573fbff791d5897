"""Approximate neighbours: fastsmote's own NN-descent, or pynndescent on request.

``"approx"`` builds fastsmote's NN-descent graph (:mod:`._nndescent`): its kernels are
cached on disk, so a new process loads them in well under a second. pynndescent (the
``"pynndescent"`` backend, imported lazily) compiles its kernels for ~27-45 s in every new
process even with a warm Numba cache (measured on this project's machine), which is why
the issue that introduced approximate search asked for our own.

Both need more graph neighbours than the k they return to reach recall@5 >= 0.95 on
Gaussian data: 24 up to 32 features, 60 beyond (measured, docs/performance.md).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_distance_range
from ._exact import exact_kneighbors
from ._nndescent import nndescent_graph

#: Graph neighbours kept per row: max(APPROX_FACTOR * k, minimum by dimension).
#: Measured recall@5 on Gaussian data (100k-300k rows): 20 features, 16 -> 0.90-0.92,
#: 24 -> 0.98; 50 features, 24 -> 0.73, 40 -> 0.91-0.92, 60 -> 0.96-0.98.
APPROX_FACTOR = 5
APPROX_MIN_LOW_DIM, APPROX_MIN_HIGH_DIM, HIGH_DIM = 24, 60, 32
#: Random-projection trees for NN-descent's initial graph (8 -> 16 saved 2 of 8 rounds
#: at 200k x 20; each tree costs about a fifth of a round).
N_TREES = 12


def graph_size(n_neighbors: int, n_features: int) -> int:
    """Graph neighbours per row (self excluded) that keep recall@k >= 0.95."""
    minimum = APPROX_MIN_HIGH_DIM if n_features > HIGH_DIM else APPROX_MIN_LOW_DIM
    return max(minimum, APPROX_FACTOR * n_neighbors)


def approx_kneighbors(
    X: np.ndarray,
    n_neighbors: int,
    rows: np.ndarray,
    seed: int,
    method: str = "nndescent",
    working_memory: int | None = None,
) -> np.ndarray:
    """Approximate k nearest neighbours of each selected row among the selected rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    n_neighbors : int
        Neighbours per row, the row itself excluded by position.
    rows : ndarray of int64
        Rows of ``X`` forming the query and reference set.
    seed : int
        Seed of every random choice: the same seed gives the same neighbours (for
        ``"nndescent"`` whatever the number of threads).
    method : {"nndescent", "pynndescent"}
        fastsmote's NN-descent, or pynndescent's.
    working_memory : int, optional
        Budget in MiB for NN-descent's update buffers (default: the global config).

    Returns
    -------
    indices : ndarray of shape (len(rows), n_neighbors), int64
        Positions into ``rows``.
    """
    check_distance_range(X)
    data = np.ascontiguousarray(X[rows])
    n_slots = graph_size(n_neighbors, X.shape[1])
    if method == "pynndescent":
        return _pynndescent_kneighbors(data, n_neighbors, n_slots, seed)
    if data.shape[0] <= 2 * n_slots:
        # smaller than two graph rows: every pair is compared anyway
        return exact_kneighbors(data, n_neighbors)
    _, indices, _ = nndescent_graph(
        data, n_slots, n_slots, N_TREES, seed, working_memory, n_tracked=n_neighbors
    )
    return indices[:, :n_neighbors].astype(np.int64)


def _pynndescent_kneighbors(data: np.ndarray, n_neighbors: int, n_slots: int, seed: int):
    """pynndescent's graph over ``data`` (its own rows), the first k non-self entries."""
    try:
        from pynndescent import NNDescent
    except ImportError as error:  # pragma: no cover - pynndescent is a core dependency
        raise ImportError(
            "neighbors='pynndescent' needs pynndescent: pip install pynndescent"
        ) from error
    n_graph = min(data.shape[0], n_slots + 1)
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
