"""Kernels of Hart's condensing pass (CondensedNearestNeighbour, OneSidedSelection).

The pass visits the candidate rows of a class in input order; a candidate that the
k-nearest-neighbour vote of the current *store* misclassifies joins the store. Instead of
refitting a classifier after each addition, each candidate's k nearest store rows are
merged incrementally: its k nearest rows of the initial store (one blocked search), then
the rows added before it. Rows added to the store all have the candidate's own class, so
a candidate the vote classifies correctly stays correctly classified whatever is added
later: its merge stops as soon as that happens, without changing the decision.

Distances are the exact kernels' squared distances in the defined order
(:func:`fastsmote._kernels.knn.block_distances`); neighbour lists are ordered by
(distance, row number), so equal distances go to the lower row.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for
from .knn import _insert_topk, block_distances, pair_sq_distance


@jit(inline="always")
def own_vote_wins(best_row, codes, own, own_wins_tie):
    """Whether the uniform k-nearest vote of ``best_row`` (row numbers) gives class
    ``own``: more than half the votes, or exactly half when the tie goes to ``own``
    (the store holds two classes; scikit-learn's KNeighborsClassifier gives a tie to
    the first of its sorted classes)."""
    k = best_row.shape[0]
    n_own = 0
    for j in range(k):
        if codes[best_row[j]] == own:
            n_own += 1
    return 2 * n_own > k or (2 * n_own == k and own_wins_tie)


def misclassified(best_row, codes, own, own_wins_tie):
    """True for each candidate whose vote (its k nearest store rows ``best_row``) is not
    ``own``."""
    out = np.zeros(best_row.shape[0], dtype=np.bool_)
    parallel_for(_misclassified_rows, best_row.shape[0], best_row, codes, own, own_wins_tie, out)
    return out


@jit(tasks=True, read_only=("best_row", "codes"))
def _misclassified_rows(i0, i1, best_row, codes, own, own_wins_tie, out):
    """``out[i]`` for candidates ``i0 .. i1 - 1`` of :func:`misclassified`."""
    for i in range(i0, i1):
        out[i] = not own_vote_wins(best_row[i], codes, own, own_wins_tie)


@jit(inline="always")
def _merge(best_dist, best_row, dist, row):
    """Offer (dist, row) to a list sorted by (distance, row number)."""
    k = best_dist.shape[0]
    if dist < best_dist[k - 1] or (dist == best_dist[k - 1] and row < best_row[k - 1]):
        _insert_topk(best_dist, best_row, dist, row)


def condense_chunk(
    X, candidates, best_dist, best_row, codes, own, own_wins_tie, added_t, added_rows, n_added
):
    """Run the condensing pass over one chunk of candidates; return the store size after.

    Parameters
    ----------
    X : (n, d) float array, C-contiguous
    candidates : int64 row numbers of the chunk, increasing (the pass order)
    best_dist, best_row : (n_chunk, k) each candidate's k nearest rows of the initial
        store, by (squared distance, row number); updated in place
    codes : class code of every row; ``own`` the candidates' class
    own_wins_tie : whether a tied vote goes to ``own``
    added_t : (n_blocks, d, block) features of the rows added so far, transposed by
        block (row ``a`` at ``[a // block, :, a % block]``); room for the whole chunk
    added_rows : row numbers of the rows added so far (room for the whole chunk)
    n_added : rows added before this chunk

    Returns
    -------
    int
        Rows added after the chunk (the new ones are appended to ``added_t`` and
        ``added_rows``, in pass order).
    """
    settled = np.zeros(candidates.shape[0], dtype=np.bool_)
    settle_chunk(X, candidates, best_dist, best_row, codes, own, own_wins_tie, added_t,
                 added_rows, n_added, settled)  # fmt: skip
    return condense_in_order(X, candidates, candidates, best_dist, best_row, codes, own,
                             own_wins_tie, added_t, added_rows, n_added, settled)  # fmt: skip


def settle_chunk(
    X, X_rows, best_dist, best_row, codes, own, own_wins_tie, added_t, added_rows, n_added,
    settled,
):  # fmt: skip
    """The rows added before a chunk, merged into the lists of its candidates: each
    candidate independently (any thread count gives the same decision), stopping once
    the vote is its own class (``settled[i]`` set; a settled candidate is skipped).

    ``X[X_rows[i]]`` holds candidate ``i``'s features; ``added_t`` / ``added_rows`` /
    ``n_added`` as in :func:`condense_chunk`. The added rows may come in several calls,
    in pass order (e.g. dense blocks of a sparse matrix): a candidate left unsettled has
    then merged every one of them, as in one call, and a settled one keeps its decision.
    """
    parallel_for(_settle_rows, X_rows.shape[0], X, X_rows, best_dist, best_row, codes, own,
                 own_wins_tie, added_t, added_rows, n_added, settled)  # fmt: skip


def condense_in_order(
    X, candidates, X_rows, best_dist, best_row, codes, own, own_wins_tie, added_t, added_rows,
    n_added, settled,
):  # fmt: skip
    """The candidates of a chunk not ``settled``, in pass order, against the rows added
    within the chunk (one at a time); returns the rows added after it. ``settled`` must
    mark every candidate whose vote is already its own class (:func:`settle_chunk`
    marks them, or ``~misclassified(...)`` when no row was added before the chunk).

    ``X[X_rows[i]]`` holds candidate ``i``'s features (``X`` may be a dense block of the
    chunk's rows only, while ``candidates`` stay the row numbers that order ties and
    index ``codes``). Added rows are appended to ``added_t`` / ``added_rows`` from
    position ``n_added`` (room for the whole chunk).
    """
    return _condense_in_order(X, candidates, X_rows, best_dist, best_row, codes, own,
                              own_wins_tie, added_t, added_rows, n_added, settled)  # fmt: skip


@jit(tasks=True, read_only=("X", "X_rows", "codes", "added_t", "added_rows"))
def _settle_rows(i0, i1, X, X_rows, best_dist, best_row, codes, own, own_wins_tie, added_t,
                 added_rows, n_added, settled):  # fmt: skip
    """Candidates ``i0 .. i1 - 1`` of :func:`settle_chunk`."""
    d = X.shape[1]
    block = added_t.shape[2]
    query = np.empty(d, dtype=X.dtype)
    dist = np.empty(block, dtype=X.dtype)
    for i in range(i0, i1):
        if settled[i]:
            continue
        if own_vote_wins(best_row[i], codes, own, own_wins_tie):
            settled[i] = True
            continue
        for f in range(d):
            query[f] = X[X_rows[i], f]
        for b in range((n_added + block - 1) // block):
            count = min(block, n_added - b * block)
            block_distances(query, added_t[b], 0, count, dist)
            for j in range(count):
                _merge(best_dist[i], best_row[i], dist[j], added_rows[b * block + j])
            if own_vote_wins(best_row[i], codes, own, own_wins_tie):
                settled[i] = True
                break


@jit(read_only=("X", "candidates", "X_rows", "codes", "settled"))
def _condense_in_order(X, candidates, X_rows, best_dist, best_row, codes, own, own_wins_tie,
                       added_t, added_rows, n_added, settled):  # fmt: skip
    """The serial part of :func:`condense_in_order`."""
    n = candidates.shape[0]
    d = X.shape[1]
    block = added_t.shape[2]
    start = n_added
    # the X row of each row added within the chunk (for its distances to later ones)
    added_at = np.empty(n, dtype=np.int64)
    for i in range(n):
        if settled[i]:
            continue
        row = candidates[i]
        at = X_rows[i]
        won = False
        for a in range(start, n_added):
            _merge(best_dist[i], best_row[i], pair_sq_distance(X, at, added_at[a - start]),
                   added_rows[a])  # fmt: skip
            if own_vote_wins(best_row[i], codes, own, own_wins_tie):
                won = True
                break
        if won:
            continue
        b, j = n_added // block, n_added % block
        for f in range(d):
            added_t[b, f, j] = X[at, f]
        added_rows[n_added] = row
        added_at[n_added - start] = at
        n_added += 1
    return n_added
