"""Nearest-neighbour classification against a store of rows: one-shot (OneSidedSelection)
or Hart's condensing pass, where misclassified rows join the store (CondensedNearestNeighbour).
"""

from __future__ import annotations

import numpy as np

from .._config import get_config
from .._kernels.condensed import condense_chunk, misclassified
from .._kernels.knn import knn_blocked
from .._memory import MIB, check_fits
from .._numba import numba_threads
from .._validation import check_distance_range
from ._exact import QUERY_BLOCK, ref_block_size
from ._scaling import scale_exponent, scaled_copy

#: Candidates per chunk of the pass at most (their neighbour lists exist together).
CHUNK_ROWS = 8192
#: Added rows per transposed block of the store (one distance block of the merge).
ADDED_BLOCK = 256


def _prepared(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """X as the exact searches see it: C-contiguous, scaled when its spans are tiny."""
    X = np.ascontiguousarray(X)
    spans = check_distance_range(X, rows=rows)
    exponent = scale_exponent(spans, X.dtype)
    return scaled_copy(X, None, exponent, spans) if exponent else X


def _chunk_rows(n_neighbors: int, itemsize: int, working_memory: int | None) -> int:
    """Candidates per chunk: their lists fit a quarter of the budget (results never
    depend on it)."""
    budget = int(working_memory or get_config()["working_memory"]) * MIB // 4
    per_row = n_neighbors * (itemsize + 8) + 1
    return int(max(QUERY_BLOCK, min(CHUNK_ROWS, budget // per_row)))


def _initial_lists(X, candidates, store, k):
    """Each candidate's k nearest rows of ``store`` (row numbers, increasing), by
    (squared distance, row number)."""
    block = ref_block_size(X.shape[1], X.dtype.itemsize)
    skip = np.full(candidates.size, -1, dtype=np.int64)
    dist, pos = knn_blocked(X, candidates, X, store, k, skip, QUERY_BLOCK, block)
    return dist, store[pos]


def store_vote_misses(
    X: np.ndarray,
    candidates: np.ndarray,
    store: np.ndarray,
    codes: np.ndarray,
    own: int,
    n_neighbors: int,
    *,
    grow: bool,
    working_memory: int | None = None,
) -> np.ndarray:
    """Candidates of class ``own`` that a k-nearest-neighbour vote misclassifies.

    The vote is scikit-learn's ``KNeighborsClassifier`` with uniform weights over the
    ``n_neighbors`` nearest store rows (exact Euclidean distances, equal distances to the
    lower row number); a tied vote goes to the smaller class code.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, finite
    candidates : ndarray of int64
        Rows of class ``own``, increasing (the order of the pass).
    store : ndarray of int64
        The initial store, increasing: rows of one other class and seed rows of ``own``
        (not among ``candidates``). At least ``n_neighbors`` rows.
    codes : ndarray of int
        Class code of every row of ``X``.
    own : int
        Class code of the candidates.
    n_neighbors : int
    grow : bool
        False: every candidate is voted on by the initial store. True: Hart's pass,
        each misclassified candidate joins the store before the next one is voted on.
    working_memory : int, optional
        MiB for the candidates' neighbour lists (default: the global config); results
        never depend on it.

    Returns
    -------
    ndarray of bool, shape (len(candidates),)
        True for the misclassified candidates (with ``grow``, those added to the store).
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    store = np.asarray(store, dtype=np.int64)
    codes = np.asarray(codes)
    k = int(n_neighbors)
    if not 1 <= k <= store.size:
        raise ValueError(f"n_neighbors must be in [1, {store.size}] for a store of "
                         f"{store.size} rows, got {k}")  # fmt: skip
    missed = np.zeros(candidates.size, dtype=np.bool_)
    if candidates.size == 0:
        return missed
    X = _prepared(X, np.concatenate([store, candidates]))
    others = codes[store][codes[store] != own]
    own_wins_tie = bool(others.size == 0 or own < int(others[0]))
    chunk = _chunk_rows(k, X.dtype.itemsize, working_memory)
    d, itemsize = X.shape[1], X.dtype.itemsize
    added_t = np.empty((0, d, ADDED_BLOCK), dtype=X.dtype)
    added_rows = np.empty(0, dtype=np.int64)
    n_added = 0
    with numba_threads(get_config()["n_threads"]):
        for c0 in range(0, candidates.size, chunk):
            part = candidates[c0 : c0 + chunk]
            check_fits(part.size * k * (itemsize + 8), _WHAT, _ADVICE)
            dist, rows = _initial_lists(X, part, store, k)
            if not grow:
                missed[c0 : c0 + part.size] = misclassified(rows, codes, own, own_wins_tie)
                continue
            needed = n_added + part.size
            if added_rows.size < needed:  # room for the whole chunk; doubling
                capacity = max(needed, 2 * added_rows.size)
                n_blocks = -(-capacity // ADDED_BLOCK)
                check_fits(n_blocks * ADDED_BLOCK * (d * itemsize + 8), _WHAT, _ADVICE)
                grown_t = np.empty((n_blocks, d, ADDED_BLOCK), dtype=X.dtype)
                grown_t[: added_t.shape[0]] = added_t
                grown_rows = np.empty(n_blocks * ADDED_BLOCK, dtype=np.int64)
                grown_rows[:n_added] = added_rows[:n_added]
                added_t, added_rows = grown_t, grown_rows
            n_added = condense_chunk(
                X, part, dist, rows, codes, own, own_wins_tie, added_t, added_rows, n_added
            )
    if grow:
        missed[np.searchsorted(candidates, added_rows[:n_added])] = True
    return missed


_WHAT = "The condensing pass's neighbour lists and store"
_ADVICE = "Lower working_memory, or condense fewer rows (e.g. a sample of the class)."
