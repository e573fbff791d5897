"""Approximate k-nearest-neighbour graph: random-projection forest + NN-descent.

The algorithm is Dong, Moses & Li's NN-descent ("Efficient k-nearest neighbor graph
construction for generic similarity measures", WWW 2011) with the random-projection
initialisation pynndescent uses, rebuilt so that every kernel is cached on disk (a new
process loads them in well under a second instead of compiling) and the graph is the same
for any number of threads:

- Every random choice is a counter-based draw from the caller's key (tree splits,
  candidate priorities, filler neighbours).
- Each row keeps the best ``n_slots`` candidates under the total order
  (distance, position). Which candidates are kept does not depend on the order they
  arrive in, and a pair's distance is the same whichever row computes it (every path
  sums squared differences in the exact kernels' defined order, symmetric bit for bit),
  so a repeated candidate always lands on its own copy and is recognised there.
- A round's local joins only *read* the graph and write proposed updates into buffers
  owned by fixed blocks of rows; the updates are then grouped by target row and applied
  bucket by bucket. Blocks, parts and buckets are fixed sizes, not per-thread shares.

Because a list keeps the best candidates it is offered whatever their order, and a pair
that is not offered (it was no better than a list's last entry when the join looked)
could not have been kept, a round's result does not depend on how its joins are chunked.

Distances are squared Euclidean in the exact kernels' defined summation order.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for
from .._random import (
    FILL_STREAM,
    SAMPLE_STREAM,
    TREE_STREAM,
    TREE_STRIDE,
    draw_uint64,
    kernel_stream_key,
    uint64_below,
)
from .knn import block_distances, pair_sq_distance

#: Position of an empty slot: sorts after every real row at equal (infinite) distance.
EMPTY = np.int32(2**31 - 1)
#: Rows per block of local joins (a block's updates share one buffer).
JOIN_BLOCK = 64
#: Fixed row ranges that emit reverse edges when sampling (fixed, so thread count
#: cannot change anything).
SAMPLE_PARTS = 64
#: Distance loops run over whole groups of this many columns (an AVX-512 float32 vector).
LANES = 16


@jit(inline="always")
def _push_sorted(dist_row, pos_row, new_row, dist, pos):
    """Insert (dist, pos) into a row sorted by (distance, position), dropping the last
    entry, unless it is already there or not better than the last. Returns the slot it
    went to, or -1.

    A given pair always has the same distance, so a copy of ``pos`` can only sit right
    before the insertion point.
    """
    last = dist_row.shape[0] - 1
    if dist > dist_row[last] or (dist == dist_row[last] and pos >= pos_row[last]):
        return -1
    p = last
    while p > 0 and (dist_row[p - 1] > dist or (dist_row[p - 1] == dist and pos_row[p - 1] > pos)):
        p -= 1
    if p > 0 and pos_row[p - 1] == pos:
        return -1
    for t in range(last, p, -1):
        dist_row[t] = dist_row[t - 1]
        pos_row[t] = pos_row[t - 1]
        new_row[t] = new_row[t - 1]
    dist_row[p] = dist
    pos_row[p] = pos
    new_row[p] = True
    return p


# --------------------------------------------------------------------------------------
# Initialisation: random-projection trees
# --------------------------------------------------------------------------------------


@jit()
def _build_tree(data, key, leaf_size, perm, leaf_of, leaf_bounds, normal):
    """One random-projection tree: fills ``perm`` (rows grouped by leaf), ``leaf_of``
    and ``leaf_bounds`` (start of each leaf, then the end); returns the leaf count.

    Each node splits its rows by the perpendicular bisector of two of them drawn at
    random; a split that leaves one side empty (duplicates) halves the node instead.
    Partitioning is in place with two pointers, so the tree depends only on the key.
    The smaller side is split first, so the stack holds at most log2(n) + 1 nodes.
    """
    n, d = data.shape
    for i in range(n):
        perm[i] = i
    stack = np.empty((130, 2), dtype=np.int64)
    stack[0, 0] = 0
    stack[0, 1] = n
    top = 1
    n_leaves = 0
    node = 0
    while top > 0:
        top -= 1
        s = stack[top, 0]
        e = stack[top, 1]
        size = e - s
        if size <= leaf_size:
            for t in range(s, e):
                leaf_of[perm[t]] = n_leaves
            n_leaves += 1
            continue
        a = perm[s + uint64_below(draw_uint64(key, 2 * node), size)]
        b = perm[s + uint64_below(draw_uint64(key, 2 * node + 1), size)]
        node += 1
        offset = 0.0
        for f in range(d):
            normal[f] = np.float64(data[a, f]) - np.float64(data[b, f])
            offset += normal[f] * 0.5 * (np.float64(data[a, f]) + np.float64(data[b, f]))
        lo = s
        hi = e - 1
        while lo <= hi:
            r = perm[lo]
            margin = -offset
            for f in range(d):
                margin += normal[f] * data[r, f]
            if margin > 0:
                lo += 1
            else:
                perm[lo] = perm[hi]
                perm[hi] = r
                hi -= 1
        mid = lo if s < lo < e else s + size // 2
        small_first = mid - s <= e - mid
        stack[top, 0] = mid if small_first else s
        stack[top, 1] = e if small_first else mid
        stack[top + 1, 0] = s if small_first else mid
        stack[top + 1, 1] = mid if small_first else e
        top += 2
    # leaves were found depth-first, smaller side first: renumber them by position
    renumbered = np.empty(n_leaves, dtype=np.int64)
    previous = -1
    count = 0
    for t in range(n):
        leaf = leaf_of[perm[t]]
        if leaf != previous:
            renumbered[leaf] = count
            leaf_bounds[count] = t
            count += 1
            previous = leaf
    leaf_bounds[n_leaves] = n
    for i in range(n):
        leaf_of[i] = renumbered[leaf_of[i]]
    return n_leaves


def rp_forest(data, key, n_trees, leaf_size):
    """Leaves of ``n_trees`` random-projection trees, built in parallel.

    Returns ``perm`` (n_trees, n), ``leaf_of`` (n_trees, n) and ``leaf_bounds``
    (n_trees, n + 1), all int32; tree t's leaf l holds rows
    ``perm[t, leaf_bounds[t, l]:leaf_bounds[t, l + 1]]``.
    """
    n = data.shape[0]
    perm = np.empty((n_trees, n), dtype=np.int32)
    leaf_of = np.empty((n_trees, n), dtype=np.int32)
    leaf_bounds = np.empty((n_trees, n + 1), dtype=np.int32)
    parallel_for(_forest_trees, n_trees, data, key, leaf_size, perm, leaf_of, leaf_bounds)
    return perm, leaf_of, leaf_bounds


@jit(tasks=True)
def _forest_trees(t0, t1, data, key, leaf_size, perm, leaf_of, leaf_bounds):
    """Trees ``t0 .. t1 - 1`` of :func:`rp_forest`."""
    normal = np.empty(data.shape[1], dtype=np.float64)
    for t in range(t0, t1):
        _build_tree(
            data, kernel_stream_key(key, TREE_STREAM * TREE_STRIDE + t), leaf_size,
            perm[t], leaf_of[t], leaf_bounds[t], normal,
        )  # fmt: skip


@jit(inline="always")
def _round_up(count):
    return (count + LANES - 1) // LANES * LANES


@jit(inline="always")
def _zeroed_columns(data, width):
    """A zeroed (n_features, width) array of data's dtype, filled by a loop: task
    kernels are compiled in Numba's parallel pipeline (its transformations off), and a
    loop is never turned into a parallel one whatever the options (``np.zeros`` and
    slice assignments would be, with the "numpy" and "setitem" options on)."""
    cand_t = np.empty((data.shape[1], width), dtype=data.dtype)
    for f in range(data.shape[1]):
        for c in range(width):
            cand_t[f, c] = 0
    return cand_t


@jit()
def _gather_columns(data, rows, count, cand_t):
    """Copy ``data[rows[:count]]`` into the first ``count`` columns of ``cand_t``."""
    for c in range(count):
        r = rows[c]
        for f in range(data.shape[1]):
            cand_t[f, c] = data[r, f]


def graph_from_forest(data, perm, leaf_of, leaf_bounds, n_slots, key):
    """Initial graph: each row's best ``n_slots`` leaf-mates over all trees, topped up
    with random rows where the leaves hold too few. Every entry starts as "new".

    Trees are visited in order; within a tree, leaves are disjoint, so each leaf's pairs
    (each computed once) go to both rows from one thread.
    """
    n = data.shape[0]
    n_trees = perm.shape[0]
    g_dist = np.full((n, n_slots), np.inf, dtype=data.dtype)
    g_pos = np.full((n, n_slots), EMPTY, dtype=np.int32)
    g_new = np.zeros((n, n_slots), dtype=np.bool_)
    for t in range(n_trees):
        n_leaves = int(leaf_of[t].max()) + 1
        widest = int(np.diff(leaf_bounds[t, : n_leaves + 1]).max())
        parallel_for(_forest_leaves, n_leaves, data, perm[t], leaf_bounds[t], widest, g_dist,
                     g_pos, g_new)  # fmt: skip
    parallel_for(_fill_rows, n, data, key, g_dist, g_pos, g_new)
    return g_dist, g_pos, g_new


@jit(tasks=True)
def _forest_leaves(l0, l1, data, perm_t, bounds_t, widest, g_dist, g_pos, g_new):
    """Leaves ``l0 .. l1 - 1`` of one tree (``perm_t``, ``bounds_t``) offered to
    :func:`graph_from_forest`'s graph. Columns of ``cand_t`` past a leaf's rows hold
    earlier leaves' rows (finite): their distances are computed and ignored."""
    cand_t = _zeroed_columns(data, _round_up(widest))
    dist = np.empty(_round_up(widest), dtype=data.dtype)
    for leaf in range(l0, l1):
        start = bounds_t[leaf]
        size = bounds_t[leaf + 1] - start
        rows = perm_t[start : start + size]
        _gather_columns(data, rows, size, cand_t)
        for a in range(size - 1):
            i = rows[a]
            block_distances(data[i], cand_t, (a + 1) // LANES * LANES, _round_up(size), dist)
            for b in range(a + 1, size):
                j = rows[b]
                _push_sorted(g_dist[i], g_pos[i], g_new[i], dist[b], j)
                _push_sorted(g_dist[j], g_pos[j], g_new[j], dist[b], i)


@jit(tasks=True)
def _fill_rows(i0, i1, data, key, g_dist, g_pos, g_new):
    """Rows ``i0 .. i1 - 1`` of :func:`graph_from_forest`: random rows top up a list
    its leaves left short."""
    n = data.shape[0]
    n_slots = g_pos.shape[1]
    fill_key = kernel_stream_key(key, FILL_STREAM)
    for i in range(i0, i1):
        draw = 0
        while g_pos[i, n_slots - 1] == EMPTY and draw < 8 * n_slots:
            j = np.int32(uint64_below(draw_uint64(fill_key, np.int64(i) * 64 * n_slots + draw), n))
            if j != i:
                _push_sorted(g_dist[i], g_pos[i], g_new[i], pair_sq_distance(data, i, j), j)
            draw += 1


# --------------------------------------------------------------------------------------
# NN-descent rounds
# --------------------------------------------------------------------------------------


_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)


@jit(inline="always")
def _edge_key(key, i, j):
    """Heap key of row ``j`` as a candidate of row ``i``: the edge {i, j}'s random
    priority (the same from both ends) in the high 32 bits, ``j`` in the low 32, so one
    integer comparison orders by (priority, row) and equal keys mean the same row."""
    lo = min(i, j)
    hi = max(i, j)
    priority = draw_uint64(key, np.int64(lo) * 2_147_483_648 + hi) >> _SHIFT32
    return (priority << _SHIFT32) | np.uint64(j)


@jit(inline="always")
def _push_heap(heap, counts, row, item_key):
    """Keep the ``heap.shape[1]`` smallest distinct keys pushed to a row (a max-heap)."""
    m = heap.shape[1]
    c = counts[row]
    if c == m and item_key >= heap[row, 0]:
        return
    for t in range(c):
        if heap[row, t] == item_key:
            return
    if c < m:
        t = c
        counts[row] = c + 1
        while t > 0:
            parent = (t - 1) // 2
            if heap[row, parent] > item_key:
                break
            heap[row, t] = heap[row, parent]
            t = parent
    else:
        t = 0
        while True:
            child = 2 * t + 1
            if child >= m:
                break
            if child + 1 < m and heap[row, child + 1] > heap[row, child]:
                child += 1
            if heap[row, child] < item_key:
                break
            heap[row, t] = heap[row, child]
            t = child
    heap[row, t] = item_key


def _bucket_offsets(buf_target, buf_n, bucket_shift, n_buckets):
    """Where each block's entries for each target bucket (``2**bucket_shift``
    consecutive rows) go when grouped by bucket, stably (bucket, then block, then
    entry). Returns ``offsets[block, bucket]`` and ``bucket_start`` (n_buckets + 1).

    Entries found in row order target rows at random; grouped by bucket, the rows a
    group touches fit in cache, and buckets can be processed in parallel.
    """
    n_blocks = buf_n.shape[0]
    counts = np.zeros((n_blocks, n_buckets), dtype=np.int64)
    parallel_for(_count_block_entries, n_blocks, buf_target, buf_n, bucket_shift, counts)
    return _grouped_offsets(counts, 0, n_buckets)


@jit(tasks=True)
def _count_block_entries(b0, b1, buf_target, buf_n, bucket_shift, counts):
    """``counts[blk, bucket]`` for blocks ``b0 .. b1 - 1`` of :func:`_bucket_offsets`."""
    for blk in range(b0, b1):
        for t in range(buf_n[blk]):
            counts[blk, buf_target[blk, t] >> bucket_shift] += 1


@jit()
def _grouped_offsets(counts, b0, b1):
    """Prefix sums of ``counts[block, bucket]`` over buckets ``b0..b1-1`` in (bucket,
    block) order: ``offsets[block, bucket - b0]`` and ``bucket_start`` (b1 - b0 + 1)."""
    n_blocks = counts.shape[0]
    offsets = np.empty((n_blocks, b1 - b0), dtype=np.int64)
    bucket_start = np.empty(b1 - b0 + 1, dtype=np.int64)
    total = 0
    for b in range(b1 - b0):
        bucket_start[b] = total
        for blk in range(n_blocks):
            offsets[blk, b] = total
            total += counts[blk, b0 + b]
    bucket_start[b1 - b0] = total
    return offsets, bucket_start


@jit(inline="always")
def sample_part_rows(n):
    """Rows per part when sampling candidates (SAMPLE_PARTS contiguous parts)."""
    return max(1, (n + SAMPLE_PARTS - 1) // SAMPLE_PARTS)


@jit(inline="always")
def _is_pass_edge(g_pos, g_new, i, s, old):
    """Whether slot ``s`` of row ``i`` holds an edge of this pass (new, or old)."""
    return g_pos[i, s] != EMPTY and g_new[i, s] != old


@jit(inline="always")
def _is_candidate_edge(g_pos, g_new, n_new, i, s, old):
    """Whether slot ``s`` of row ``i`` is a reverse edge of this pass: of its kind, and
    towards a row that takes candidates of that kind (old ones only pair with new ones,
    so only rows with new candidates take them)."""
    return _is_pass_edge(g_pos, g_new, i, s, old) and (not old or n_new[g_pos[i, s]] > 0)


def count_reverse_edges(g_pos, g_new, old, n_new, bucket_shift):
    """Reverse edges of this pass (see ``_is_candidate_edge``) per source part and
    target bucket: ``counts[part, bucket]``, (SAMPLE_PARTS, n_buckets)."""
    n = g_pos.shape[0]
    counts = np.zeros((SAMPLE_PARTS, ((n - 1) >> bucket_shift) + 1), dtype=np.int64)
    parallel_for(_count_part_edges, SAMPLE_PARTS, g_pos, g_new, old, n_new, bucket_shift, counts)
    return counts


@jit(tasks=True)
def _count_part_edges(p0, p1, g_pos, g_new, old, n_new, bucket_shift, counts):
    """Parts ``p0 .. p1 - 1`` of :func:`count_reverse_edges`."""
    n, n_slots = g_pos.shape
    part_rows = sample_part_rows(n)
    for part in range(p0, p1):
        for i in range(part * part_rows, min(n, (part + 1) * part_rows)):
            for s in range(n_slots):
                if _is_candidate_edge(g_pos, g_new, n_new, i, s, old):
                    counts[part, g_pos[i, s] >> bucket_shift] += 1


def sample_buckets(
    g_pos, g_new, key, old, n_new, bucket_shift, b0, b1, counts, heap, heap_n,
    grouped_target, grouped_source, cand, cand_n, new_max,
):  # fmt: skip
    """One pass's candidates (new, or old) of the rows in buckets ``b0..b1-1``: the
    ``max_candidates`` lowest edge keys among the row's edges of this pass, in either
    direction, written as rows into ``cand`` / ``cand_n`` (and, for new candidates, the
    largest kept key into ``new_max``, which ``mark_sampled`` needs).

    The buckets' reverse edges are first grouped by target bucket (stably: bucket, then
    source part, then source row), so each bucket's heaps are filled by one thread. A
    heap keeps the smallest distinct keys pushed to it whatever the order, so nothing
    depends on the thread count or on how the buckets are split into calls. ``heap`` and
    ``heap_n`` hold the range's rows (from row ``b0 << bucket_shift``); ``grouped_*``
    hold at least the range's reverse edges (``counts`` from ``count_reverse_edges``).
    """
    offsets, bucket_start = _grouped_offsets(counts, b0, b1)
    parallel_for(_group_part_edges, SAMPLE_PARTS, g_pos, g_new, old, n_new, bucket_shift, b0, b1,
                 offsets, grouped_target, grouped_source)  # fmt: skip
    parallel_for(_sample_bucket_rows, b1 - b0, g_pos, g_new, key, old, n_new, bucket_shift, b0,
                 b1, bucket_start, heap, heap_n, grouped_target, grouped_source, cand, cand_n,
                 new_max)  # fmt: skip


@jit(tasks=True)
def _group_part_edges(p0, p1, g_pos, g_new, old, n_new, bucket_shift, b0, b1, offsets,
                      grouped_target, grouped_source):  # fmt: skip
    """Parts ``p0 .. p1 - 1`` of :func:`sample_buckets`: their reverse edges into buckets
    ``b0 .. b1 - 1``, written from ``offsets[part]`` on."""
    n, n_slots = g_pos.shape
    first = b0 << bucket_shift
    stop = min(n, b1 << bucket_shift)
    part_rows = sample_part_rows(n)
    for part in range(p0, p1):
        cursor = offsets[part]
        for i in range(part * part_rows, min(n, (part + 1) * part_rows)):
            for s in range(n_slots):
                j = g_pos[i, s]
                if first <= j < stop and _is_candidate_edge(g_pos, g_new, n_new, i, s, old):
                    at = cursor[(j >> bucket_shift) - b0]
                    grouped_target[at] = j
                    grouped_source[at] = i
                    cursor[(j >> bucket_shift) - b0] = at + 1


@jit(tasks=True)
def _sample_bucket_rows(c0, c1, g_pos, g_new, key, old, n_new, bucket_shift, b0, b1, bucket_start,
                        heap, heap_n, grouped_target, grouped_source, cand, cand_n,
                        new_max):  # fmt: skip
    """Buckets ``b0 + c0 .. b0 + c1 - 1`` of :func:`sample_buckets`: their rows' heaps
    filled from forward and grouped reverse edges, then written out as candidates."""
    n, n_slots = g_pos.shape
    first = b0 << bucket_shift
    stop = min(n, b1 << bucket_shift)
    for b in range(c0, c1):
        r0 = first + (b << bucket_shift)
        r1 = min(stop, r0 + (1 << bucket_shift))
        for i in range(r0, r1):  # a loop, not a slice assignment (see _zeroed_columns)
            heap_n[i - first] = 0
        for i in range(r0, r1):  # forward edges: only rows of this pass
            if not old or n_new[i] > 0:
                for s in range(n_slots):
                    if _is_pass_edge(g_pos, g_new, i, s, old):
                        _push_heap(heap, heap_n, i - first, _edge_key(key, i, g_pos[i, s]))
        for at in range(bucket_start[b], bucket_start[b + 1]):
            j = grouped_target[at]
            _push_heap(heap, heap_n, j - first, _edge_key(key, j, grouped_source[at]))
        for i in range(r0, r1):
            count = heap_n[i - first]
            cand_n[i] = count
            for t in range(count):
                cand[i, t] = np.int32(heap[i - first, t] & _LOW32)
            if not old:
                new_max[i] = heap[i - first, 0]


def mark_sampled(g_pos, g_new, key, n_new, new_max, max_candidates):
    """Mark the new entries that were sampled as new candidates old: a sampled edge is
    in its row's heap, so the heap was not full or its key is not above the largest."""
    parallel_for(_mark_rows, g_pos.shape[0], g_pos, g_new, key, n_new, new_max, max_candidates)


@jit(tasks=True)
def _mark_rows(i0, i1, g_pos, g_new, key, n_new, new_max, max_candidates):
    """Rows ``i0 .. i1 - 1`` of :func:`mark_sampled`."""
    n_slots = g_pos.shape[1]
    for i in range(i0, i1):
        for s in range(n_slots):
            if g_new[i, s]:
                if n_new[i] < max_candidates or _edge_key(key, i, g_pos[i, s]) <= new_max[i]:
                    g_new[i, s] = False


@jit()
def _join_row(data, cand_t, rows, lims, m_new, m, dist, out_target, out_other, out_d, used):
    """Local join of one row's candidates, gathered as columns of ``cand_t`` (the first
    ``m_new`` new): each new candidate against every later candidate. Each end of a pair
    that would improve that row's list (``<=`` its last distance when gathered) becomes a
    directed update (target, other, distance)."""
    m_padded = _round_up(m)
    for a in range(m_new):
        # whole vectors: from the lane group holding a + 1 to the padded end (the few
        # extra columns are computed and ignored; scalar remainders would cost more)
        first = (a + 1) // LANES * LANES
        u = rows[a]
        block_distances(data[u], cand_t, first, m_padded, dist)
        lim_u = lims[a]
        for b in range(a + 1, m):
            # branch-free: write both directed updates, keep those that qualify (whether a
            # pair improves a list is unpredictable; mispredictions cost more than writes)
            v = rows[b]
            dist_b = dist[b]
            distinct = u != v
            out_target[used] = u
            out_other[used] = v
            out_d[used] = dist_b
            used += distinct & (dist_b <= lim_u)
            out_target[used] = v
            out_other[used] = u
            out_d[used] = dist_b
            used += distinct & (dist_b <= lims[b])
    return used


def join_chunk(
    data,
    g_dist,
    cand_new,
    n_new,
    cand_old,
    n_old,
    start,
    stop,
    buf_target,
    buf_other,
    buf_d,
    buf_n,
):
    """Local joins of rows ``start..stop``: for each row, every pair of its new
    candidates and every (new, old) pair, written as directed updates into the buffers
    of fixed blocks of ``JOIN_BLOCK`` rows. Reads the graph only."""
    n_blocks = (stop - start + JOIN_BLOCK - 1) // JOIN_BLOCK
    parallel_for(_join_blocks, n_blocks, data, g_dist, cand_new, n_new, cand_old, n_old, start,
                 stop, buf_target, buf_other, buf_d, buf_n)  # fmt: skip


@jit(tasks=True)
def _join_blocks(b0, b1, data, g_dist, cand_new, n_new, cand_old, n_old, start, stop, buf_target,
                 buf_other, buf_d, buf_n):  # fmt: skip
    """Blocks ``b0 .. b1 - 1`` of :func:`join_chunk`."""
    n_slots = g_dist.shape[1]
    m_max = _round_up(cand_new.shape[1] + cand_old.shape[1])
    cand_t = _zeroed_columns(data, m_max)  # padding stays finite: zeros or earlier rows
    rows = np.empty(m_max, dtype=np.int32)
    lims = np.empty(m_max, dtype=g_dist.dtype)
    dist = np.empty(m_max, dtype=data.dtype)
    for blk in range(b0, b1):
        used = 0
        for i in range(start + blk * JOIN_BLOCK, min(stop, start + (blk + 1) * JOIN_BLOCK)):
            m_new = n_new[i]
            m = m_new + n_old[i]
            if m_new == 0:
                continue
            for c in range(m):
                r = cand_new[i, c] if c < m_new else cand_old[i, c - m_new]
                rows[c] = r
                lims[c] = g_dist[r, n_slots - 1]
            _gather_columns(data, rows, m, cand_t)
            used = _join_row(data, cand_t, rows, lims, m_new, m, dist, buf_target[blk],
                             buf_other[blk], buf_d[blk], used)  # fmt: skip
        buf_n[blk] = used


def apply_updates(
    g_dist, g_pos, g_new, buf_target, buf_other, buf_d, buf_n, bucket_shift, target, other, dist,
    n_tracked,
):  # fmt: skip
    """Apply the buffered updates (grouped by target bucket, see ``_bucket_offsets``;
    buckets in parallel). Returns the insertions into the first ``n_tracked`` slots of
    their rows (the neighbours the caller will use) and into any slot.

    Each row receives its updates in block order whatever the thread count, and a row's
    list ends up the same for any order anyway. ``target``, ``other`` and ``dist`` are
    the caller's work arrays (as many entries as the buffers).
    """
    n_blocks = buf_n.shape[0]
    n_buckets = ((g_pos.shape[0] - 1) >> bucket_shift) + 1
    offsets, bucket_start = _bucket_offsets(buf_target, buf_n, bucket_shift, n_buckets)
    parallel_for(_scatter_blocks, n_blocks, buf_target, buf_other, buf_d, buf_n, bucket_shift,
                 offsets, target, other, dist)  # fmt: skip
    inserted = np.zeros((n_buckets, 2), dtype=np.int64)  # per bucket: summed in any order
    parallel_for(_apply_buckets, n_buckets, g_dist, g_pos, g_new, bucket_start, target, other,
                 dist, n_tracked, inserted)  # fmt: skip
    return int(inserted[:, 0].sum()), int(inserted[:, 1].sum())


@jit(tasks=True)
def _scatter_blocks(b0, b1, buf_target, buf_other, buf_d, buf_n, bucket_shift, offsets, target,
                    other, dist):  # fmt: skip
    """Blocks ``b0 .. b1 - 1`` of :func:`apply_updates`: their updates copied to their
    places grouped by target bucket (``offsets[blk]`` on)."""
    for blk in range(b0, b1):
        cursor = offsets[blk]
        for t in range(buf_n[blk]):
            bucket = buf_target[blk, t] >> bucket_shift
            at = cursor[bucket]
            target[at] = buf_target[blk, t]
            other[at] = buf_other[blk, t]
            dist[at] = buf_d[blk, t]
            cursor[bucket] = at + 1


# the plain pipeline: here Numba's parallel analyses make the loop ~2x slower
# (benchmarks/graph_memory.py, apply_updates), unlike the other range kernels
@jit()
def _apply_buckets(c0, c1, g_dist, g_pos, g_new, bucket_start, target, other, dist, n_tracked,
                   inserted):  # fmt: skip
    """Buckets ``c0 .. c1 - 1`` of :func:`apply_updates`: each bucket's updates offered
    to their rows in order; ``inserted[bucket]`` counts the tracked and all insertions."""
    for bucket in range(c0, c1):
        tracked = 0
        count = 0
        for at in range(bucket_start[bucket], bucket_start[bucket + 1]):
            u = target[at]
            slot = _push_sorted(g_dist[u], g_pos[u], g_new[u], dist[at], other[at])
            tracked += 0 <= slot < n_tracked
            count += slot >= 0
        inserted[bucket, 0] = tracked
        inserted[bucket, 1] = count


@jit()
def round_key(key, round_):
    """Key of one round's candidate sampling."""
    return kernel_stream_key(kernel_stream_key(key, SAMPLE_STREAM), round_)
