"""Exact neighbour search: the public wrapper around the blocked Numba kernel."""

from __future__ import annotations

import numpy as np

from .._config import get_config
from .._kernels.knn import knn_blocked
from .._numba import numba_threads

#: Queries per parallel task; a constant so work splits the same on any machine.
QUERY_BLOCK = 512
#: Transposed reference block kept near the core (bytes); sized for L1/L2 caches.
REF_BLOCK_BYTES = 64 * 1024


def ref_block_size(n_features: int, itemsize: int) -> int:
    """References per block: the largest power of two (16..2048) whose transposed block
    fits the cache budget; powers of two keep the vectorised loop free of remainders."""
    fit = max(16, REF_BLOCK_BYTES // (n_features * itemsize))
    return int(min(2048, 1 << (int(fit).bit_length() - 1)))


def exact_kneighbors(
    X: np.ndarray,
    n_neighbors: int,
    rows: np.ndarray | None = None,
    *,
    exclude_self: bool = True,
    return_distance: bool = False,
):
    """Exact Euclidean k nearest neighbours among the selected rows of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
        Finite data (not checked here; estimators check it once).
    n_neighbors : int
        Neighbours per row. With ``exclude_self`` it must not exceed ``len(rows) - 1``.
    rows : ndarray of int, optional
        Row numbers of ``X`` forming both the query and the reference set
        (default: all rows).
    exclude_self : bool, default=True
        Exclude each row from its own neighbours by position, not by distance, so exact
        duplicates are still each other's neighbours.
    return_distance : bool, default=False
        Also return the Euclidean distances.

    Returns
    -------
    distances : ndarray of shape (n_rows, n_neighbors), only if ``return_distance``
        Ascending; ties keep the lower position first.
    indices : ndarray of shape (n_rows, n_neighbors), int64
        Positions into ``rows`` (row numbers of ``X`` when ``rows`` is None).
    """
    if X.dtype not in (np.float32, np.float64):
        raise TypeError(f"X must be float32 or float64, got {X.dtype}")
    X = np.ascontiguousarray(X)
    rows = np.arange(X.shape[0], dtype=np.int64) if rows is None else np.asarray(rows, np.int64)
    limit = rows.size - 1 if exclude_self else rows.size
    if not 1 <= n_neighbors <= limit:
        raise ValueError(
            f"n_neighbors must be in [1, {limit}] for {rows.size} rows, got {n_neighbors}"
        )
    block = ref_block_size(X.shape[1], X.dtype.itemsize)
    with numba_threads(get_config()["n_threads"]):
        dist, pos = knn_blocked(X, rows, X, rows, n_neighbors, exclude_self, QUERY_BLOCK, block)
    if return_distance:
        return np.sqrt(dist), pos
    return pos
