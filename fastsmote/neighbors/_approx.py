"""Approximate neighbours: fastsmote's own NN-descent, or pynndescent on request.

``"approx"`` builds fastsmote's NN-descent graph (:mod:`._nndescent`): its kernels are
cached on disk, so a new process loads them quickly. pynndescent (the ``"pynndescent"``
backend, imported lazily) compiles its kernels in every new process even with a warm
Numba cache, hence a graph of fastsmote's own as the default.

Both need more graph neighbours than the k they return to reach recall@5 >= 0.95 on
Gaussian data: see :func:`graph_size`.
"""

from __future__ import annotations

import numpy as np

from .._memory import check_fits
from .._numba import native_section
from .._random import foreign_seed
from .._validation import check_distance_range
from ._arrays import float_array, index_array
from ._exact import TABLE_ADVICE, exact_kneighbors
from ._nndescent import graph_bytes, nndescent_graph
from ._scaling import scale_exponent, scale_rows

#: Graph neighbours kept per row: max(APPROX_FACTOR * k, minimum by dimension and size),
#: for recall@5 >= 0.95 on Gaussian classes (`python benchmarks/crossover.py`).
APPROX_FACTOR = 5
APPROX_MIN_LOW_DIM, APPROX_MIN_HIGH_DIM, HIGH_DIM = 24, 60, 32
APPROX_MIN_HIGH_DIM_LARGE, LARGE_CLASS = 80, 300_000
#: Random-projection trees for NN-descent's initial graph (each costs about a fifth of a
#: round and saves rounds; docs/performance.md).
N_TREES = 12


def graph_size(n_neighbors: int, n_features: int, n_rows: int = 0) -> int:
    """Graph neighbours per row (self excluded) that keep recall@k >= 0.95."""
    if n_features <= HIGH_DIM:
        minimum = APPROX_MIN_LOW_DIM
    elif n_rows <= LARGE_CLASS:
        minimum = APPROX_MIN_HIGH_DIM
    else:
        minimum = APPROX_MIN_HIGH_DIM_LARGE
    return max(minimum, APPROX_FACTOR * n_neighbors)


def approx_kneighbors(
    X: np.ndarray,
    n_neighbors: int,
    rows: np.ndarray,
    key: np.uint64 | int,
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
    key : numpy.uint64 or int
        64-bit key of every random choice: the same key gives the same neighbours (for
        ``"nndescent"`` whatever the number of threads).
    method : {"nndescent", "pynndescent"}
        fastsmote's NN-descent, or pynndescent's.
    working_memory : int, optional
        Budget in MiB for NN-descent's workspace (default: the global config).

    Returns
    -------
    indices : ndarray of shape (len(rows), n_neighbors), int64
        Positions into ``rows``.
    """
    X = float_array(X)
    rows = index_array(rows, "rows")
    spans = check_distance_range(X, rows=rows)
    n_slots = graph_size(n_neighbors, X.shape[1], rows.size)
    if method != "pynndescent" and rows.size <= 2 * n_slots:
        # smaller than two graph rows: every pair is compared anyway
        return exact_kneighbors(X, n_neighbors, rows)
    # pynndescent computes in float32, whatever the data's dtype
    search_dtype = np.dtype(np.float32) if method == "pynndescent" else X.dtype
    exponent = scale_exponent(spans, X.dtype, search_dtype)
    if method == "pynndescent":
        needed = pynndescent_bytes(rows.size, X.shape[1], X.dtype.itemsize, n_slots, n_neighbors)
    else:
        shape = (rows.size, X.shape[1])
        needed = graph_bytes(shape, X.dtype.itemsize, n_slots, n_slots, N_TREES, working_memory)
        needed += rows.size * n_neighbors * 8  # the int64 result
    check_fits(
        needed,
        f"The approximate neighbour graph of {rows.size:,} rows ({n_slots} neighbours per row)",
        TABLE_ADVICE + ' Or use neighbors="exact".',
    )
    data = np.ascontiguousarray(X[rows])  # this function's own copy
    if exponent:
        scale_rows(data, exponent, spans)
    if method == "pynndescent":
        return _pynndescent_kneighbors(data, n_neighbors, n_slots, foreign_seed(key))
    _, indices, _ = nndescent_graph(
        data, n_slots, n_slots, N_TREES, key, working_memory, n_tracked=n_neighbors,
        reorder_in_place=True,
    )  # fmt: skip
    return indices[:, :n_neighbors].astype(np.int64)


def pynndescent_bytes(
    n_rows: int, n_features: int, itemsize: int, n_slots: int, n_neighbors: int
) -> int:
    """An estimate of what a pynndescent graph of ``n_slots + 1`` neighbours per row
    allocates: the rows' copy and its float32 version, its heaps (positions, distances,
    flags) about three times over (graph, candidates, updates), the int64 graph and the
    sort that drops each row itself, and the result."""
    n_graph = n_slots + 1
    rows = n_features * (itemsize + 4)
    heaps = 3 * n_graph * (4 + 4 + 1)
    ours = 3 * n_graph * 8 + n_graph + n_neighbors * 8
    return n_rows * (rows + heaps + ours)


def _pynndescent_kneighbors(data: np.ndarray, n_neighbors: int, n_slots: int, seed: int):
    """pynndescent's graph over ``data`` (its own rows), the first k non-self entries."""
    try:
        from pynndescent import NNDescent
    except ImportError as error:  # pragma: no cover - pynndescent is a core dependency
        raise ImportError(
            "neighbors='pynndescent' needs pynndescent: pip install pynndescent"
        ) from error
    n_graph = min(data.shape[0], n_slots + 1)
    with native_section():  # its kernels, like ours: signals wait, workqueue serialised
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
