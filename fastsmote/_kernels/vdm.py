"""SMOTEN's kernels: exact neighbours under the Value Difference Metric, and the vote.

The Value Difference Metric (VDM) between two rows of categorical codes is a sum over
features of a per-feature distance between their two categories. The search reads that
distance from one small lookup table per feature (categories x categories, built by
:func:`fastsmote.neighbors.vdm_tables`), so a pair costs one gather and one add per
feature, and only a block of distances exists at any time, never an n x n matrix.
Features are added in increasing order from 0.0, which is the definition
(``tests/naive.py`` and imbalanced-learn's ``ValueDifferenceMetric.pairwise`` add them in
the same order), so the distances are bit-reproducible. Ties go to the lower position.

A synthetic row ``j`` of a class takes its base row from draw ``j`` of the class stream
(uniform over the class) and, per feature, the most frequent code among the base row's
voters (itself and its neighbours); a tie goes to the smallest code (scipy's ``mode``).
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for
from .._random import draw_uint64, uint64_below
from .knn import _merge_into_topk


def knn_vdm(codes, rows, tables, offsets, sizes, k, query_block, ref_block):
    """k nearest rows of each row among ``rows``, self excluded by position, under VDM.

    Parameters
    ----------
    codes : (n, d) int32 C-contiguous array of per-feature table indices
    rows : int64 array of row numbers into ``codes`` (queries and references)
    tables : float64 array, the per-feature tables one after the other, each C-ordered:
        the distance of feature ``f`` between indices ``a`` and ``b`` is
        ``tables[offsets[f] + a * sizes[f] + b]``
    offsets, sizes : (d,) int64 arrays
    k : number of neighbours to return (``k < len(rows)``)
    query_block, ref_block : rows per query and per reference block (performance only,
        never the result)

    Returns
    -------
    dist : (len(rows), k) float64, nearest first
    pos : (len(rows), k) int64 positions into ``rows``; ties go to the lower position
    """
    n = rows.shape[0]
    out_dist = np.full((n, k), np.inf, dtype=np.float64)
    out_pos = np.full((n, k), -1, dtype=np.int64)
    n_blocks = (n + query_block - 1) // query_block
    parallel_for(_vdm_blocks, n_blocks, codes, rows, tables, offsets, sizes, query_block,
                 ref_block, out_dist, out_pos)  # fmt: skip
    return out_dist, out_pos


@jit(tasks=True, read_only=("codes", "rows", "tables", "offsets", "sizes"))
def _vdm_blocks(b0, b1, codes, rows, tables, offsets, sizes, query_block, ref_block, out_dist,
                out_pos):  # fmt: skip
    """Query blocks ``b0 .. b1 - 1`` of :func:`knn_vdm`."""
    n = rows.shape[0]
    d = codes.shape[1]
    codes_t = np.empty((d, ref_block), dtype=codes.dtype)
    dist = np.empty(ref_block, dtype=np.float64)
    for qb in range(b0, b1):
        q0 = qb * query_block
        q1 = min(n, q0 + query_block)
        for r0 in range(0, n, ref_block):
            n_ref = min(ref_block, n - r0)
            for j in range(n_ref):
                row = rows[r0 + j]
                for f in range(d):
                    codes_t[f, j] = codes[row, f]
            for i in range(q0, q1):
                out = dist[:n_ref]
                for j in range(n_ref):
                    out[j] = 0.0
                for f in range(d):
                    table = tables[offsets[f] + codes[rows[i], f] * sizes[f] :]
                    column = codes_t[f][:n_ref]
                    for j in range(n_ref):
                        out[j] += table[column[j]]
                _merge_into_topk(out, n_ref, r0, i, out_dist[i], out_pos[i])


@jit(inline="always")
def smoten_base(class_key, j, n_class):
    """Base position (in the class) of synthetic row ``j``: draw ``j`` of the stream."""
    return uint64_below(draw_uint64(class_key, j), n_class)


def smoten_bases(class_key, start, n_new, n_class):
    """Base positions of synthetic rows ``start .. start + n_new - 1`` (for origins)."""
    base = np.empty(n_new, dtype=np.int64)
    parallel_for(_bases_of, n_new, class_key, start, n_class, base)
    return base


@jit(tasks=True)
def _bases_of(t0, t1, class_key, start, n_class, base):
    """Entries ``t0 .. t1 - 1`` of :func:`smoten_bases`."""
    for t in range(t0, t1):
        base[t] = smoten_base(class_key, start + t, n_class)


def smoten_generate(codes, voters, class_key, start, out_codes, out_start, n_new, chunk):
    """Write SMOTEN rows ``start .. start + n_new - 1`` of one class into ``out_codes``.

    Parameters
    ----------
    codes : (n_class, d) int32 codes of the class's rows
    voters : (n_class, m) int64 positions in the class of each row's voters (the row
        itself and its neighbours, or an estimator's list)
    class_key : uint64 key of the class stream
    out_codes : (n_out, d) int32; rows ``out_start .. out_start + n_new - 1`` are
        written, each by exactly one task
    chunk : rows per task (scheduling only, never the values)

    Feature ``f`` of a row gets the most frequent code among its base's voters, the
    smallest such code on a tie.
    """
    n_chunks = (n_new + chunk - 1) // chunk
    parallel_for(_smoten_chunks, n_chunks, codes, voters, class_key, start, out_codes, out_start,
                 n_new, chunk)  # fmt: skip


@jit(tasks=True, read_only=("codes", "voters"))
def _smoten_chunks(c0, c1, codes, voters, class_key, start, out_codes, out_start, n_new, chunk):
    """Chunks ``c0 .. c1 - 1`` of :func:`smoten_generate`."""
    n_class = codes.shape[0]
    d = codes.shape[1]
    m = voters.shape[1]
    for c in range(c0, c1):
        for t in range(c * chunk, min(n_new, (c + 1) * chunk)):
            base = smoten_base(class_key, start + t, n_class)
            row = out_start + t
            for f in range(d):
                best_code = codes[voters[base, 0], f]
                best_votes = 0
                for s in range(m):
                    code = codes[voters[base, s], f]
                    votes = 0
                    for r in range(m):
                        if codes[voters[base, r], f] == code:
                            votes += 1
                    if votes > best_votes or (votes == best_votes and code < best_code):
                        best_votes = votes
                        best_code = code
                out_codes[row, f] = best_code
