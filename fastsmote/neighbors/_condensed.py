"""Nearest-neighbour classification against a store of rows: one-shot (OneSidedSelection)
or Hart's condensing pass, where misclassified rows join the store (CondensedNearestNeighbour).
On a CSR ``X`` the same kernels run on dense blocks of the rows compared
(:mod:`fastsmote.neighbors._blocks`).
"""

from __future__ import annotations

import numpy as np

from .._config import get_config
from .._kernels.condensed import condense_chunk, condense_in_order, misclassified, settle_chunk
from .._kernels.knn import knn_blocked
from .._memory import MIB, check_fits
from .._numba import numba_threads
from .._validation import check_distance_range, is_sparse
from ._arrays import float_array, index_array
from ._blocks import DenseRefs, Scaling, block_rows, dense_rows, knn_of_block
from ._exact import QUERY_BLOCK, ref_block_size
from ._scaling import scale_exponent, scaled_copy

#: Candidates per chunk of the pass at most (their neighbour lists exist together).
CHUNK_ROWS = 8192
#: Added rows per transposed block of the store (one distance block of the merge).
ADDED_BLOCK = 256


def _prepared(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """X (as :func:`float_array` gives it) as the exact searches see it: scaled when its
    spans are tiny."""
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
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        float32 or float64, finite. A CSR matrix (canonical: sorted indices, no
        duplicates) is never densified whole: the kernels run on dense blocks densified
        from it in turn, each checked to fit in memory first: the initial store (once
        when it fits half of ``working_memory``; else block by block, the lists merged
        by position), each chunk of candidates (a quarter) and, for Hart's pass, the
        rows added to the store before the chunk (the first ones kept dense, the later
        ones densified again in windows: a quarter). The decisions are the dense
        path's.
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
        MiB for the candidates' neighbour lists, and for the dense blocks of a CSR ``X``
        (default: the global config); results never depend on it.

    Returns
    -------
    ndarray of bool, shape (len(candidates),)
        True for the misclassified candidates (with ``grow``, those added to the store).
    """
    X = float_array(X)
    candidates = index_array(candidates, "candidates")
    store = index_array(store, "store")
    codes = index_array(codes, "codes", np.int32)
    k = int(n_neighbors)
    if not 1 <= k <= store.size:
        raise ValueError(f"n_neighbors must be in [1, {store.size}] for a store of "
                         f"{store.size} rows, got {k}")  # fmt: skip
    missed = np.zeros(candidates.size, dtype=np.bool_)
    if candidates.size == 0:
        return missed
    others = codes[store][codes[store] != own]
    own_wins_tie = bool(others.size == 0 or own < int(others[0]))
    if is_sparse(X):
        return _sparse_misses(X, candidates, store, codes, own, k, grow, own_wins_tie,
                              working_memory)  # fmt: skip
    X = _prepared(X, np.concatenate([store, candidates]))
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


def _sparse_misses(X, candidates, store, codes, own, k, grow, own_wins_tie, working_memory):
    """:func:`store_vote_misses` on CSR rows, through dense blocks (see its ``X``): the
    store's rows (half the budget); a chunk of candidates with its lists and its rows
    added to the store (a quarter); the first rows added to the store, kept dense, and a
    window of the later ones, densified again for each chunk (an eighth each, the
    window twice: rows and transposed)."""
    scaling = Scaling(X, np.concatenate([store, candidates]))
    d, itemsize = X.shape[1], X.dtype.itemsize
    store_rows = DenseRefs(X, store, scaling, block_rows(X, working_memory), "The store's rows")
    per_row = 4 * k * (itemsize + 8) + ((d * itemsize + 8) if grow else 0)
    chunk = min(
        _chunk_rows(k, itemsize, working_memory),
        max(1, block_rows(X, working_memory, extra_per_row=per_row) // 2),
    )
    window = max(1, block_rows(X, working_memory) // 4)
    missed = np.zeros(candidates.size, dtype=np.bool_)
    added = np.empty(0, dtype=np.int64)  # rows added so far, in pass order
    cached_t, n_cached = None, 0  # the first `window` of them, dense and transposed
    with numba_threads(get_config()["n_threads"]):
        for c0 in range(0, candidates.size, chunk):
            part = candidates[c0 : c0 + chunk]
            check_fits(part.size * k * (itemsize + 8), _WHAT, _ADVICE)
            X_part = dense_rows(X, part, scaling, "The rows voted on")
            X_rows = np.arange(part.size, dtype=np.int64)
            dist, pos = knn_of_block(X_part, store_rows, k)
            rows = store[pos]
            wrong = misclassified(rows, codes, own, own_wins_tie)
            if not grow:
                missed[c0 : c0 + part.size] = wrong
                continue
            settled = ~wrong
            if n_cached and not settled.all():
                settle_chunk(X_part, X_rows, dist, rows, codes, own, own_wins_tie, cached_t,
                             added[:n_cached], n_cached, settled)  # fmt: skip
            for w0 in range(n_cached, added.size, window):
                if settled.all():
                    break
                earlier = added[w0 : w0 + window]
                W_t = _transposed(dense_rows(X, earlier, scaling, "The rows added to the store"))
                settle_chunk(X_part, X_rows, dist, rows, codes, own, own_wins_tie, W_t,
                             earlier, earlier.size, settled)  # fmt: skip
            # room for the whole chunk, in one block of its size
            check_fits(part.size * (d * itemsize + 8), _WHAT, _ADVICE)
            new_t = np.empty((1, d, part.size), dtype=X.dtype)
            new_rows = np.empty(part.size, dtype=np.int64)
            n_new = condense_in_order(X_part, part, X_rows, dist, rows, codes, own, own_wins_tie,
                                      new_t, new_rows, 0, settled)  # fmt: skip
            added = np.concatenate([added, new_rows[:n_new]])
            if n_new and n_cached < window:
                if cached_t is None:
                    cached_t = _empty_store(window, d, X.dtype)
                size = cached_t.shape[2]
                for j in range(min(n_new, window - n_cached)):
                    cached_t[n_cached // size, :, n_cached % size] = new_t[0, :, j]
                    n_cached += 1
    if grow:
        missed[np.searchsorted(candidates, added)] = True
    return missed


def _empty_store(n_rows: int, d: int, dtype: np.dtype) -> np.ndarray:
    """Room for ``n_rows`` dense rows in the kernels' store layout (blocks x features x
    rows of a block)."""
    size = min(ADDED_BLOCK, n_rows)
    n_blocks = -(-n_rows // size)
    check_fits(n_blocks * size * d * np.dtype(dtype).itemsize, _WHAT, _ADVICE)
    return np.empty((n_blocks, d, size), dtype=dtype)


def _transposed(W: np.ndarray) -> np.ndarray:
    """Dense rows in the kernels' store layout (see :func:`_empty_store`)."""
    out = _empty_store(W.shape[0], W.shape[1], W.dtype)
    size = out.shape[2]
    for b in range(out.shape[0]):
        part = W[b * size : (b + 1) * size]
        out[b, :, : part.shape[0]] = part.T
    return out


_WHAT = "The condensing pass's neighbour lists and store"
_ADVICE = "Lower working_memory, or condense fewer rows (e.g. a sample of the class)."
