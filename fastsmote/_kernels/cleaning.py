"""Kernels of the cleaning samplers (Tomek links, Edited Nearest Neighbours): which rows
to remove, and the kept rows grouped by class.

:func:`tomek_link_mask` runs in NumPy up to ``arrays.NUMPY_MAX_VALUES`` rows, as the
whole-array helpers of :mod:`fastsmote._kernels.arrays` do.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for
from . import arrays


def tomek_link_mask(nearest: np.ndarray, codes: np.ndarray, targeted: np.ndarray) -> np.ndarray:
    """True for rows in a Tomek link whose class is targeted (see :func:`_tomek_link_mask`)."""
    if nearest.size <= arrays.NUMPY_MAX_VALUES:
        linked = nearest[nearest] == np.arange(nearest.size)
        return targeted[codes] & (codes[nearest] != codes) & linked
    return _tomek_link_mask(nearest, codes, targeted)


def _tomek_link_mask(nearest, codes, targeted):
    """True for rows in a Tomek link whose class is targeted.

    Row i is in a link when its nearest neighbour j has another class and j's nearest
    neighbour is i. One boolean per row, no other temporaries.
    """
    mask = np.zeros(nearest.shape[0], dtype=np.bool_)
    parallel_for(_tomek_rows, nearest.shape[0], nearest, codes, targeted, mask)
    return mask


@jit(tasks=True)
def _tomek_rows(i0, i1, nearest, codes, targeted, mask):
    """Rows ``i0 .. i1 - 1`` of :func:`_tomek_link_mask`."""
    for i in range(i0, i1):
        j = nearest[i]
        if targeted[codes[i]] and codes[j] != codes[i] and nearest[j] == i:
            mask[i] = True


def mark_disagreeing(rows, neighbours, codes, n_classes, unanimous, keep):
    """Set ``keep[rows[i]]`` to whether row i's neighbours (``codes`` of ``neighbours[i]``)
    agree with its class: all of them (``unanimous``) or a plurality, ties to the lowest
    class code (Edited Nearest Neighbours' ``kind_sel="all"`` / ``"mode"``)."""
    parallel_for(_disagreeing_rows, neighbours.shape[0], rows, neighbours, codes, n_classes,
                 unanimous, keep)  # fmt: skip


@jit(tasks=True)
def _disagreeing_rows(i0, i1, rows, neighbours, codes, n_classes, unanimous, keep):
    """Rows ``i0 .. i1 - 1`` of :func:`mark_disagreeing`."""
    k = neighbours.shape[1]
    votes = np.zeros(n_classes, dtype=np.int64)
    for i in range(i0, i1):
        own = codes[rows[i]]
        if unanimous:
            same = True
            for j in range(k):
                if codes[neighbours[i, j]] != own:
                    same = False
                    break
            keep[rows[i]] = same
            continue
        votes[:] = 0
        for j in range(k):
            votes[codes[neighbours[i, j]]] += 1
        keep[rows[i]] = np.argmax(votes) == own  # argmax: the lowest code on ties


@jit()
def rows_of_classes(codes, wanted):
    """Row numbers ``i`` whose class is wanted (``wanted[codes[i]]``), in input order, in
    one pass (no mask gathered by class code, no ``flatnonzero``)."""
    out = np.empty(codes.shape[0], dtype=np.int64)
    filled = 0
    for i in range(codes.shape[0]):
        if wanted[codes[i]]:
            out[filled] = i
            filled += 1
    return out[:filled]


#: Up to this many classes, ``rows_by_class`` makes one pass per class (its write position
#: stays in a register); beyond, one counting sort (per-class cursors in memory, each
#: increment waiting on the last: 2.5x slower for two classes at 100k rows, but a fixed
#: two passes for any number of classes).
ONE_PASS_PER_CLASS_MAX = 8


@jit()
def rows_by_class(codes, keep, n_classes):
    """Row numbers ``i`` with ``keep[i]``, class code by class code, in input order within
    a class, and how many of each class."""
    n = codes.shape[0]
    out = np.empty(n, dtype=np.int64)
    counts = np.zeros(n_classes, dtype=np.int64)
    filled = 0
    if n_classes <= ONE_PASS_PER_CLASS_MAX:
        for c in range(n_classes):
            start = filled
            for i in range(n):
                if keep[i] and codes[i] == c:
                    out[filled] = i
                    filled += 1
            counts[c] = filled - start
        return out[:filled], counts
    for i in range(n):
        counts[codes[i]] += keep[i]
    cursor = np.empty(n_classes, dtype=np.int64)
    for c in range(n_classes):
        cursor[c] = filled
        filled += counts[c]
    for i in range(n):
        if keep[i]:
            out[cursor[codes[i]]] = i
            cursor[codes[i]] += 1
    return out[:filled], counts


def edit_from_lists(rows, lists, present, codes, k, n_classes, unanimous, remove, stale):
    """Edited Nearest Neighbours' rule for ``rows`` from stored neighbour lists.

    ``lists[r]`` holds row r's nearest rows (row numbers, nearest first, -1 for none)
    from a search among a superset of the rows still ``present``; its first ``k``
    present entries are then r's ``k`` nearest present rows. Sets ``remove[r]`` when
    they disagree with r's class (all of them, ``unanimous``, or a plurality, ties to
    the lowest class code, as :func:`mark_disagreeing`), or ``stale[i]`` when fewer
    than ``k`` entries are present (the row needs a new search).
    """
    parallel_for(_edit_rows, rows.shape[0], rows, lists, present, codes, k, n_classes, unanimous,
                 remove, stale)  # fmt: skip


@jit(tasks=True)
def _edit_rows(i0, i1, rows, lists, present, codes, k, n_classes, unanimous, remove, stale):
    """Rows ``i0 .. i1 - 1`` of :func:`edit_from_lists`."""
    width = lists.shape[1]
    votes = np.zeros(n_classes if not unanimous else 1, dtype=np.int64)
    for i in range(i0, i1):
        r = rows[i]
        own = codes[r]
        votes[:] = 0
        found = 0
        agree = True
        for j in range(width):
            if found == k:
                break
            other = lists[r, j]
            if other < 0 or not present[other]:
                continue
            found += 1
            if unanimous:
                agree = agree and codes[other] == own
            else:
                votes[codes[other]] += 1
        if found < k:
            stale[i] = True
        elif unanimous:
            remove[r] = not agree
        else:
            remove[r] = np.argmax(votes) != own  # argmax: the lowest code on ties


def outvoted(rows, neighbours, codes, n_classes, n_votes):
    """True for each row ``rows[i]`` that a k-nearest-neighbour vote of ``n_votes`` rows
    (itself and its first ``n_votes - 1`` neighbours ``neighbours[i]``) gives to another
    class, ties to the lowest class code (Neighbourhood Cleaning Rule's misclassified
    rows)."""
    out = np.zeros(rows.shape[0], dtype=np.bool_)
    parallel_for(_outvoted_rows, rows.shape[0], rows, neighbours, codes, n_classes, n_votes, out)
    return out


@jit(tasks=True)
def _outvoted_rows(i0, i1, rows, neighbours, codes, n_classes, n_votes, out):
    """Rows ``i0 .. i1 - 1`` of :func:`outvoted`."""
    votes = np.zeros(n_classes, dtype=np.int64)
    for i in range(i0, i1):
        own = codes[rows[i]]
        votes[:] = 0
        votes[own] += 1
        for j in range(n_votes - 1):
            votes[codes[neighbours[i, j]]] += 1
        out[i] = np.argmax(votes) != own
