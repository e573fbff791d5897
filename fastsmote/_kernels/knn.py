"""Exact k-nearest-neighbour search by blocked brute force.

``knn_blocked`` (queries against other references): queries are processed in blocks in
parallel; for each block the reference rows are visited in blocks that are first
transposed into a small scratch buffer (features x references) so the distance loop runs
over contiguous memory and vectorises. ``knn_symmetric`` (every row of a set against the
same set) computes each pair once for both rows, tile by tile. Only a block-sized tile
of distances exists at any time, never an n x n matrix.

Distances are squared Euclidean, accumulated in the input dtype from explicit
differences (no ``|x|^2 + |y|^2 - 2x.y`` cancellation), so identical rows get identical
distances. Ties are broken by the lower reference position: references are
scanned in increasing order and only a strictly smaller distance displaces a kept one.
The faster product form serves only to shortlist candidates, whose exact distances are
then computed and proven complete (see "shortlist paths" below).
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for, thread_count


@jit()
def block_distances(query, ref_t, first, stop, dist):
    """Squared distances from ``query`` to columns ``first..stop-1`` of ``ref_t``
    (features x references), into the same positions of ``dist``.

    Features are summed in groups of four, ``dist += (t0^2 + t1^2) + (t2^2 + t3^2)``,
    then one by one for the remainder: one pass over ``dist`` per four features
    instead of per feature (about 30% faster). This order is part of the definition
    (``tests/naive.py`` follows it), so results are bit-reproducible. The loops index
    slices from 0: with an index that may be negative (``range(first, stop)``), Numba's
    wraparound check keeps LLVM from vectorising them.
    """
    count = stop - first
    out = dist[first:stop]
    for j in range(count):
        out[j] = 0
    n_features = ref_t.shape[0]
    f = 0
    while f + 4 <= n_features:
        q0, q1, q2, q3 = query[f], query[f + 1], query[f + 2], query[f + 3]
        r0 = ref_t[f][first:stop]
        r1 = ref_t[f + 1][first:stop]
        r2 = ref_t[f + 2][first:stop]
        r3 = ref_t[f + 3][first:stop]
        for j in range(count):
            t0 = q0 - r0[j]
            t1 = q1 - r1[j]
            t2 = q2 - r2[j]
            t3 = q3 - r3[j]
            out[j] += (t0 * t0 + t1 * t1) + (t2 * t2 + t3 * t3)
        f += 4
    while f < n_features:
        qf = query[f]
        rf = ref_t[f][first:stop]
        for j in range(count):
            t = qf - rf[j]
            out[j] += t * t
        f += 1


@jit(inline="always")
def _insert_topk(best_dist, best_pos, dist, pos):
    """Insert (dist, pos) into a list sorted by (distance, position), dropping the last.

    The caller has checked that it beats the last entry.
    """
    p = best_dist.shape[0] - 1
    while p > 0 and (
        best_dist[p - 1] > dist or (best_dist[p - 1] == dist and best_pos[p - 1] > pos)
    ):
        best_dist[p] = best_dist[p - 1]
        best_pos[p] = best_pos[p - 1]
        p -= 1
    best_dist[p] = dist
    best_pos[p] = pos


@jit(inline="always")
def pair_sq_distance(X, a, b):
    """Squared distance between rows ``a`` and ``b`` of ``X`` in the defined order."""
    d = X.shape[1]
    acc = X[a, 0] - X[a, 0]  # zero of the data dtype
    f = 0
    while f + 4 <= d:
        t0 = X[a, f] - X[b, f]
        t1 = X[a, f + 1] - X[b, f + 1]
        t2 = X[a, f + 2] - X[b, f + 2]
        t3 = X[a, f + 3] - X[b, f + 3]
        acc += (t0 * t0 + t1 * t1) + (t2 * t2 + t3 * t3)
        f += 4
    while f < d:
        t = X[a, f] - X[b, f]
        acc += t * t
        f += 1
    return acc


@jit()
def _merge_into_topk(dist, n_ref, ref_start, skip, best_dist, best_pos):
    """Merge a block of distances into a query's sorted top-k list.

    ``skip`` is the reference position to ignore (the query itself) or -1. References
    arrive in increasing position, so a strictly smaller distance is needed to enter.
    """
    k = best_dist.shape[0]
    worst = best_dist[k - 1]
    for j in range(n_ref):
        dj = dist[j]
        if dj < worst:
            pos = ref_start + j
            if pos == skip:
                continue
            _insert_topk(best_dist, best_pos, dj, pos)
            worst = best_dist[k - 1]


def knn_blocked(X_query, query_rows, X_ref, ref_rows, k, skip, query_block, ref_block):
    """k nearest references of each query, exact.

    Parameters
    ----------
    X_query, X_ref : (n, d) float32/float64 C-contiguous arrays (may be the same array)
    query_rows, ref_rows : int64 arrays of row numbers into ``X_query`` / ``X_ref``
    k : number of neighbours to return
    skip : int64 array, per query the reference position it must not return (itself,
        when queries are references) or -1
    query_block, ref_block : block sizes (performance only, never the result)

    Returns
    -------
    dist : (n_query, k) squared distances, ascending (``inf`` where fewer exist)
    pos : (n_query, k) int64 positions into ``ref_rows`` (-1 where fewer exist)
    """
    n_query = query_rows.shape[0]
    out_dist = np.full((n_query, k), np.inf, dtype=X_query.dtype)
    out_pos = np.full((n_query, k), -1, dtype=np.int64)
    n_blocks = (n_query + query_block - 1) // query_block
    parallel_for(_knn_blocks, n_blocks, X_query, query_rows, X_ref, ref_rows, skip, query_block,
                 ref_block, out_dist, out_pos)  # fmt: skip
    return out_dist, out_pos


@jit(tasks=True, read_only=("X_query", "X_ref"))
def _knn_blocks(b0, b1, X_query, query_rows, X_ref, ref_rows, skip, query_block, ref_block,
                out_dist, out_pos):  # fmt: skip
    """Query blocks ``b0 .. b1 - 1`` of :func:`knn_blocked`."""
    n_query = query_rows.shape[0]
    n_ref_total = ref_rows.shape[0]
    d = X_query.shape[1]
    for b in range(b0, b1):
        q0 = b * query_block
        q1 = min(n_query, q0 + query_block)
        ref_t = np.empty((d, ref_block), dtype=X_ref.dtype)
        dist = np.empty(ref_block, dtype=X_ref.dtype)
        query = np.empty(d, dtype=X_ref.dtype)
        for r0 in range(0, n_ref_total, ref_block):
            n_ref = min(ref_block, n_ref_total - r0)
            for j in range(n_ref):
                row = ref_rows[r0 + j]
                for f in range(d):
                    ref_t[f, j] = X_ref[row, f]
            for i in range(q0, q1):
                row = query_rows[i]
                for f in range(d):
                    query[f] = X_query[row, f]
                block_distances(query, ref_t, 0, n_ref, dist)
                _merge_into_topk(dist, n_ref, r0, skip[i], out_dist[i], out_pos[i])


# ------------------------------------------------------------------ symmetric self-search
# When queries and references are the same rows, d(i, j) = d(j, i) bit for bit ((a - b)^2
# equals (b - a)^2 exactly), so each pair is computed once and offered to both lists:
# half the arithmetic (1.6-1.8x faster at 20 features). Blocks of rows are paired by a
# round-robin schedule: within a round no block appears twice, so the tasks of a round
# write disjoint lists and need no locks. Lists keep the k smallest (distance, position)
# pairs, an order that does not depend on arrival, so the result equals ``knn_blocked``.


@jit(inline="always")
def _beats_last(dist, pos, last_dist, last_pos):
    """(dist, pos) < (last_dist, last_pos) in the (distance, position) order."""
    return dist < last_dist or (dist == last_dist and pos < last_pos)


@jit(inline="always")
def _round_robin_pair(r, t, m):
    """The t-th pair of round r in the circle method for m (even) blocks."""
    if t == 0:
        return m - 1, r
    return (r + t) % (m - 1), (r - t + m - 1) % (m - 1)


@jit()
def _offer(best_dist, best_pos, dist, pos):
    """Insert (dist, pos) if it beats the list's last entry; return the new last."""
    last = best_dist.shape[0] - 1
    if _beats_last(dist, pos, best_dist[last], best_pos[last]):
        _insert_topk(best_dist, best_pos, dist, pos)
    return best_dist[last], best_pos[last]


@jit()
def _merge_diagonal(tile, c0, c1, r0, n_ref, include_self, out_dist, out_pos):
    """Offer pairs i < j (i <= j with self) of rows ``c0..c1`` x block ``r0..``."""
    for i in range(c0, c1):
        dist = tile[i - c0]
        for j in range(i - r0 if include_self else i - r0 + 1, n_ref):
            _offer(out_dist[i], out_pos[i], dist[j], r0 + j)
            if r0 + j != i:
                _offer(out_dist[r0 + j], out_pos[r0 + j], dist[j], i)


@jit()
def _merge_pairs(tile, c0, c1, r0, n_ref, col_min, last_d, last_p, out_dist, out_pos):
    """Offer every pair of rows ``c0..c1`` x a different block ``r0..`` to both lists.

    A vectorised pass counts each row's hits and tracks each column's minimum, so the
    scalar merges only visit rows and columns that can change a list (few, once lists
    are warm). ``last_d/last_p`` hold the column lists' last entries and are kept current.
    """
    last = out_dist.shape[1] - 1
    col_min[:n_ref] = np.inf
    for i in range(c0, c1):
        dist = tile[i - c0]
        wd = out_dist[i, last]
        hits = 0
        for j in range(n_ref):
            col_min[j] = min(col_min[j], dist[j])
            hits += dist[j] <= wd
        if hits:
            wp = out_pos[i, last]
            for j in range(n_ref):
                if dist[j] <= wd and _beats_last(dist[j], r0 + j, wd, wp):
                    wd, wp = _offer(out_dist[i], out_pos[i], dist[j], r0 + j)
    for j in range(n_ref):
        if col_min[j] <= last_d[j]:
            wd, wp = last_d[j], last_p[j]
            for i in range(c0, c1):
                if tile[i - c0, j] <= wd and _beats_last(tile[i - c0, j], i, wd, wp):
                    wd, wp = _offer(out_dist[r0 + j], out_pos[r0 + j], tile[i - c0, j], i)
            last_d[j], last_p[j] = wd, wp


#: How a distance tile is computed: explicit differences in the defined order (exact,
#: :func:`_direct_tile`), or ``|q|^2 + |r|^2 - 2 q.r`` on centred rows for shortlists,
#: through a BLAS product or through fused multiply-adds in Numba (:func:`_product_tile`).
DIRECT, BLAS, FUSED = 0, 1, 2


@jit(inline="always", contract=True)
def _add_products4(acc, q0, q1, q2, q3, x0, x1, x2, x3):
    """``acc + q0 x0 + q1 x1 + q2 x2 + q3 x3`` in that order (four fused multiply-adds)."""
    acc += q0 * x0
    acc += q1 * x1
    acc += q2 * x2
    acc += q3 * x3
    return acc


@jit(contract=True)
def _fused_quad(qa, qb, qc, qd, sa, sb, sc, sd, ref_t, sq_ref, n_ref, pa, pb, pc, pd):
    """``pa[j] = sa + sq_ref[j] + sum_f qa[f] ref_t[f, j]``, and likewise ``pb, pc, pd``
    from the other three rows: approximate squared distances of four query rows
    (centred, scaled by -2, which is exact) to a block of centred references with
    squared norms ``sq_ref``.

    One fused multiply-add per pair and feature (allowed in this kernel only; its results
    are shortlists proven afterwards) instead of a subtraction, a multiplication and an
    addition, and four query rows per pass share the reference loads. Each pair's sum is
    formed in the same order whichever rows share its pass.
    """
    for j in range(n_ref):
        pa[j] = sa + sq_ref[j]
        pb[j] = sb + sq_ref[j]
        pc[j] = sc + sq_ref[j]
        pd[j] = sd + sq_ref[j]
    n_features = ref_t.shape[0]
    f = 0
    while f + 4 <= n_features:
        a0, a1, a2, a3 = qa[f], qa[f + 1], qa[f + 2], qa[f + 3]
        b0, b1, b2, b3 = qb[f], qb[f + 1], qb[f + 2], qb[f + 3]
        c0, c1, c2, c3 = qc[f], qc[f + 1], qc[f + 2], qc[f + 3]
        d0, d1, d2, d3 = qd[f], qd[f + 1], qd[f + 2], qd[f + 3]
        r0, r1, r2, r3 = ref_t[f], ref_t[f + 1], ref_t[f + 2], ref_t[f + 3]
        for j in range(n_ref):
            x0, x1, x2, x3 = r0[j], r1[j], r2[j], r3[j]
            pa[j] = _add_products4(pa[j], a0, a1, a2, a3, x0, x1, x2, x3)
            pb[j] = _add_products4(pb[j], b0, b1, b2, b3, x0, x1, x2, x3)
            pc[j] = _add_products4(pc[j], c0, c1, c2, c3, x0, x1, x2, x3)
            pd[j] = _add_products4(pd[j], d0, d1, d2, d3, x0, x1, x2, x3)
        f += 4
    while f < n_features:
        af, bf, cf, df, rf = qa[f], qb[f], qc[f], qd[f], ref_t[f]
        for j in range(n_ref):
            pa[j] += af * rf[j]
            pb[j] += bf * rf[j]
            pc[j] += cf * rf[j]
            pd[j] += df * rf[j]
        f += 1


#: Rows a distance tile holds beyond ``tile_rows``: the last group of four rows of
#: :func:`_fused_quad` writes its missing rows there.
SPARE_TILE_ROWS = 3


@jit()
def _direct_tile(X, rows, codes, weight, c0, c1, n_ref, ref_t, codes_t, scratch, mismatches,
                 tile):  # fmt: skip
    """Distances of rows ``rows[c0..c1]`` to the block in ``ref_t`` (features x references):
    explicit differences in the defined order, plus ``weight`` times the number of
    differing categorical ``codes`` (SMOTE-NC's one-hot distance without one-hot columns;
    no codes: nothing added)."""
    d = X.shape[1]
    n_cat = codes.shape[1]
    for i in range(c0, c1):
        for f in range(d):
            scratch[0, f] = X[rows[i], f]
        dist = tile[i - c0]
        block_distances(scratch[0], ref_t, 0, n_ref, dist)
        if n_cat == 0:
            continue
        mismatches[:n_ref] = 0
        for f in range(n_cat):
            code = codes[rows[i], f]
            for j in range(n_ref):
                if codes_t[f, j] != code:
                    mismatches[j] += 1
        for j in range(n_ref):
            dist[j] += weight * mismatches[j]


@jit()
def _product_tile(X, rows, centre, sq_rows, sq_ref, mode, c0, c1, n_ref, ref_t, scratch, tile):
    """Approximate distances of rows ``rows[c0..c1]`` to the block in ``ref_t`` (centred
    rows, features x references): ``|q|^2 + |r|^2 - 2 q.r`` on rows centred here, tile by
    tile (no centred copy of the data), for shortlists, by a BLAS product (``BLAS``) or
    fused multiply-adds (``FUSED``); ``sq_rows[i]`` is the centred squared norm of
    ``rows[i]``, ``sq_ref`` the block's. ``tile`` has :data:`SPARE_TILE_ROWS` rows beyond
    ``tile_rows`` (the last group of four fused rows fills them).
    """
    d = X.shape[1]
    if mode == BLAS:
        for i in range(c0, c1):
            for f in range(d):
                scratch[i - c0, f] = X[rows[i], f] - centre[f]
        products = np.dot(scratch[: c1 - c0], ref_t)
        for i in range(c0, c1):
            row = products[i - c0]
            for j in range(n_ref):
                tile[i - c0, j] = sq_rows[i] + sq_ref[j] - (row[j] + row[j])
        return
    for i in range(c0, c1):
        for f in range(d):
            t = X[rows[i], f] - centre[f]
            scratch[i - c0, f] = -(t + t)
    spare = tile.shape[0] - SPARE_TILE_ROWS
    for i in range(c0, c1, 4):
        # rows past c1 repeat the last row into the spare rows
        b, c, e = min(i + 1, c1 - 1), min(i + 2, c1 - 1), min(i + 3, c1 - 1)
        out_b = i + 1 - c0 if i + 1 < c1 else spare
        out_c = i + 2 - c0 if i + 2 < c1 else spare + 1
        out_e = i + 3 - c0 if i + 3 < c1 else spare + 2
        _fused_quad(scratch[i - c0], scratch[b - c0], scratch[c - c0], scratch[e - c0],
                    sq_rows[i], sq_rows[b], sq_rows[c], sq_rows[e], ref_t, sq_ref, n_ref,
                    tile[i - c0], tile[out_b], tile[out_c], tile[out_e])  # fmt: skip


@jit()
def _transposed_codes(codes, rows, r0, n_ref):
    """Categorical codes of rows ``rows[r0..r0+n_ref]``, features x rows (none: 0 x n_ref)."""
    if codes is None:
        return np.empty((0, n_ref), dtype=np.int32)
    codes_t = np.empty((codes.shape[1], n_ref), dtype=codes.dtype)
    for j in range(n_ref):
        for f in range(codes.shape[1]):
            codes_t[f, j] = codes[rows[r0 + j], f]
    return codes_t


def _symmetric_search(X, rows, codes, weight, centre, sq, mode, k, include_self, block,
                      tile_rows):  # fmt: skip
    """k best rows per row among ``rows``, each pair once; see :func:`knn_symmetric`
    (direct distances, optionally mixed) and :func:`knn_shortlist_symmetric`
    (approximations).

    Direct distances take ``centre`` and ``sq`` None (``mode`` unused), shortlists take
    ``codes`` None. Numba drops a branch on ``arg is None`` only when that argument is
    None, so each version tests its own None argument and compiles one kind of tile.
    """
    n = rows.shape[0]
    out_dist = np.full((n, k), np.inf, dtype=X.dtype)
    out_pos = np.full((n, k), -1, dtype=np.int64)
    n_blocks = (n + block - 1) // block
    # rounds pair groups of consecutive blocks: a few per thread, so that each round
    # (one parallel_for) has work enough for every thread, and at most GROUP_ROWS rows,
    # so that a task (a pair of groups) ends within a second or so: a signal waits for it
    n_groups = min(n_blocks, max(GROUPS_PER_THREAD * thread_count(), -(-n // GROUP_ROWS)))
    m = n_groups + (n_groups & 1)  # even: odd counts get a dummy group
    # round -1 holds the pairs inside each group; rounds 0..m-2 a perfect matching each
    for r in range(-1, m - 1):
        n_tasks = n_groups if r < 0 else m // 2
        parallel_for(_symmetric_tasks, n_tasks, r, m, n_blocks, n_groups, X, rows, codes,
                     weight, centre, sq, mode, include_self, block, tile_rows, out_dist,
                     out_pos)  # fmt: skip
    return out_dist, out_pos


#: Groups of blocks per thread in the symmetric search (see :func:`_symmetric_search`).
GROUPS_PER_THREAD = 4
#: The most rows of a group there: a task compares two groups, ~16384**2 pairs, about
#: a second of one thread at 20 features (more groups cost a parallel_for round each).
GROUP_ROWS = 16384


@jit(tasks=True, read_only=("X",))
def _symmetric_tasks(t0, t1, r, m, n_blocks, n_groups, X, rows, codes, weight, centre, sq, mode,
                     include_self, block, tile_rows, out_dist, out_pos):  # fmt: skip
    """Tasks ``t0 .. t1 - 1`` of round ``r`` of :func:`_symmetric_search`: every pair
    of a block of one group with a block of another (round -1: the pairs inside one
    group, diagonal tiles included). Group ``g`` holds blocks ``g * n_blocks // n_groups``
    up to the next group's first. Lists keep the k smallest (distance, position) pairs
    whatever the order, so the grouping never changes the result."""
    n = rows.shape[0]
    d = X.shape[1]
    k = out_dist.shape[1]
    for t in range(t0, t1):
        ga, gb = (t, t) if r < 0 else _round_robin_pair(r, t, m)
        if ga >= n_groups or gb >= n_groups:
            continue
        for a in range(ga * n_blocks // n_groups, (ga + 1) * n_blocks // n_groups):
            for b in range(gb * n_blocks // n_groups, (gb + 1) * n_blocks // n_groups):
                if ga == gb and b < a:
                    continue
                i0, r0 = min(a, b) * block, max(a, b) * block
                i1, n_ref = min(n, i0 + block), min(block, n - r0)
                ref_t = np.empty((d, n_ref), dtype=X.dtype)
                codes_t = _transposed_codes(codes, rows, r0, n_ref)
                last_d = np.empty(n_ref, dtype=X.dtype)
                last_p = np.empty(n_ref, dtype=np.int64)
                for j in range(n_ref):
                    row = rows[r0 + j]
                    for f in range(d):
                        ref_t[f, j] = X[row, f] if centre is None else X[row, f] - centre[f]
                    last_d[j] = out_dist[r0 + j, k - 1]
                    last_p[j] = out_pos[r0 + j, k - 1]
                scratch = np.empty((1 if centre is None else tile_rows, d), dtype=X.dtype)
                mismatches = np.empty(n_ref, dtype=np.int64)
                tile = np.empty((tile_rows + SPARE_TILE_ROWS, n_ref), dtype=X.dtype)
                col_min = np.empty(n_ref, dtype=X.dtype)
                for c0 in range(i0, i1, tile_rows):
                    c1 = min(i1, c0 + tile_rows)
                    if centre is None and codes is not None:
                        _direct_tile(X, rows, codes, weight, c0, c1, n_ref, ref_t, codes_t,
                                     scratch, mismatches, tile)  # fmt: skip
                    elif codes is None and centre is not None:
                        _product_tile(X, rows, centre, sq, sq[r0 : r0 + n_ref], mode, c0, c1,
                                      n_ref, ref_t, scratch, tile)  # fmt: skip
                    if a == b:
                        _merge_diagonal(tile, c0, c1, r0, n_ref, include_self, out_dist, out_pos)
                    else:
                        _merge_pairs(tile, c0, c1, r0, n_ref, col_min, last_d, last_p, out_dist,
                                     out_pos)  # fmt: skip


def knn_symmetric(X, rows, k, include_self, block, tile_rows):
    """k nearest rows of each row among ``rows`` of ``X``, exact, each pair computed once.

    Parameters
    ----------
    X : (n, d) float32/float64 C-contiguous array
    rows : int64 array of row numbers into ``X`` (queries and references)
    k : number of neighbours to return
    include_self : whether a row may be its own neighbour (position ``i`` for row ``i``)
    block, tile_rows : rows per block and query rows per distance tile (performance
        only, never the result)

    Returns
    -------
    dist, pos : as ``knn_blocked`` with ``skip`` = own position (or -1 with
        ``include_self``)
    """
    return _symmetric_search(
        X, rows, _NO_CODES, X.dtype.type(0), None, None, DIRECT, k, include_self, block,
        tile_rows,
    )  # fmt: skip


def knn_mixed(X, codes, weight, k, block, tile_rows):
    """Exact self-kNN (self excluded) on rows with continuous features ``X`` and
    categorical ``codes`` (int32, one row per row of ``X``), each pair once.

    The squared distance is the continuous part in the defined order, plus ``weight``
    times the number of categorical features that differ (SMOTE-NC's one-hot distance
    without building one-hot columns). Ties go to lower rows.
    """
    rows = np.arange(X.shape[0], dtype=np.int64)
    return _symmetric_search(
        X, rows, codes, X.dtype.type(weight), None, None, DIRECT, k, False, block, tile_rows,
    )  # fmt: skip


#: Plain data: no categorical columns (int32 like SMOTE-NC's codes: one compiled kernel).
_NO_CODES = np.empty((0, 0), dtype=np.int32)


# ------------------------------------------------------------------------ shortlist paths
# |q|^2 + |r|^2 - 2 q.r needs one multiply-add per pair and feature where explicit
# differences need three operations (each pair once either way, tiles of the symmetric
# search above): fused multiply-adds in Numba are ~1.3x faster from 8 features on, a BLAS
# product from ~48 features. But the form loses precision to cancellation, so it only
# *shortlists* candidates; their exact distances are then computed in the defined order,
# and a per-query error bound proves that no reference outside the shortlist can beat
# the k-th exact neighbour. Queries whose proof fails (near-duplicates, ties) are redone
# by the direct kernel, so the result is identical to ``knn_blocked``. The same holds for
# a few queries against all rows (``knn_shortlist_of``), which cannot share pairs: there
# the fused form is 1.7-2x faster than explicit differences (four queries per pass share
# each reference load). Against few references the lists, not the distances, cost most:
# those searches merge query-major (``knn_refined_columns``).


def centre_and_sq_norms(X, rows):
    """Mean of the selected rows (summed in float64, in row order) in X's dtype, and
    each row's squared norm after centring, in X's dtype. No copy of the rows."""
    centre = _row_mean(X, rows)
    return centre, centred_sq_norms(X, rows, centre)


def centred_sq_norms(X, rows, centre):
    """Each selected row's squared norm after subtracting ``centre``, in X's dtype."""
    sq = np.empty(rows.shape[0], dtype=X.dtype)
    parallel_for(_centred_sq_norms, rows.shape[0], X, rows, centre, sq)
    return sq


@jit(read_only=("X",))
def _row_mean(X, rows):
    """Mean of the selected rows, summed in float64 in row order, in X's dtype."""
    total = np.zeros(X.shape[1])
    for i in range(rows.shape[0]):
        for f in range(X.shape[1]):
            total[f] += X[rows[i], f]
    return (total / max(rows.shape[0], 1)).astype(X.dtype)


@jit(tasks=True, read_only=("X",))
def _centred_sq_norms(i0, i1, X, rows, centre, sq):
    """``sq[i]`` for ``i0 <= i < i1``: row ``rows[i]``'s squared norm after centring."""
    d = X.shape[1]
    for i in range(i0, i1):
        acc = X[rows[i], 0] - X[rows[i], 0]  # zero of the data dtype
        for f in range(d):
            t = X[rows[i], f] - centre[f]
            acc += t * t
        sq[i] = acc


def knn_shortlist_symmetric(X, rows, centre, sq, m, block, tile_rows, mode):
    """m best rows per row among ``rows`` of ``X`` by |q|^2 + |r|^2 - 2 q.r on rows
    centred at ``centre`` (squared norms ``sq``), each pair's product computed once, by
    BLAS tiles (``mode=BLAS``) or fused multiply-adds (``FUSED``); a row never lists
    itself."""
    return _symmetric_search(
        X, rows, None, X.dtype.type(0), centre, sq, mode, m, False, block, tile_rows
    )


#: Lanes of the minima that bound a row's merge (:func:`_merge_rows`): enough that the
#: m smallest lane minima rarely share a lane with another candidate, few enough that
#: picking the m-th of them stays cheap.
MERGE_LANES = 64


@jit()
def _lane_minima(dist, n, lane_min, lane_pos):
    """Each lane's smallest distance among ``dist[:n]`` (lane ``r`` holds positions
    ``r, r + lanes, ...``) and its first position, in one vectorised pass.
    ``n >= lanes``."""
    lanes = lane_min.shape[0]
    head = dist[:lanes]
    for lane in range(lanes):
        lane_min[lane] = head[lane]
        lane_pos[lane] = lane
    n_full = n - n % lanes
    for c in range(lanes, n_full, lanes):
        seg = dist[c : c + lanes]
        for lane in range(lanes):
            less = seg[lane] < lane_min[lane]
            lane_min[lane] = seg[lane] if less else lane_min[lane]
            lane_pos[lane] = c + lane if less else lane_pos[lane]
    tail = dist[n_full:n]
    for lane in range(tail.shape[0] if n_full >= lanes else 0):
        less = tail[lane] < lane_min[lane]
        lane_min[lane] = tail[lane] if less else lane_min[lane]
        lane_pos[lane] = n_full + lane if less else lane_pos[lane]


@jit()
def _mth_smallest_below(values, limit, top):
    """The ``len(top)``-th smallest of ``values`` that are <= ``limit``, or ``limit``
    when fewer are."""
    m = top.shape[0]
    top[:] = limit
    for v in values:
        if v < top[m - 1]:
            p = m - 1
            while p > 0 and top[p - 1] > v:
                top[p] = top[p - 1]
                p -= 1
            top[p] = v
    return top[m - 1]


@jit()
def _merge_rows(tile, c0, c1, r0, n_ref, skip, out_dist, out_pos, lane_min, lane_pos, top):
    """Offer the tile's distances of queries ``c0..c1`` to references ``r0..`` to the
    queries' lists, never reference ``skip[i]``.

    A vectorised pass counts each row's hits (distances <= the list's last); rows
    without any are done (most, once lists are warm). Otherwise the m-th smallest lane
    minimum (:func:`_lane_minima`) bounds the distances that can enter, as m distances
    are at most it; when every distance within that bound is its lane's minimum, those
    minima are the only candidates and the row is not scanned again. Otherwise (two
    candidates in one lane, ties) the row is scanned for the distances within the bound.
    Either way the list is that of offering every distance in turn.
    """
    last = out_dist.shape[1] - 1
    lanes = lane_min.shape[0]
    for i in range(c0, c1):
        dist = tile[i - c0][:n_ref]
        if r0 <= skip[i] < r0 + n_ref:
            dist[skip[i] - r0] = np.inf  # never enters; the bound below counts the others
        wd = out_dist[i, last]
        hits = 0
        for j in range(n_ref):
            hits += dist[j] <= wd
        if not hits:
            continue
        wp = out_pos[i, last]
        bound = wd
        if n_ref >= lanes:
            _lane_minima(dist, n_ref, lane_min, lane_pos)
            bound = _mth_smallest_below(lane_min, wd, top)
            if bound < wd:
                hits = 0
                for j in range(n_ref):
                    hits += dist[j] <= bound
            n_minima = 0
            for lane in range(lanes):
                n_minima += lane_min[lane] <= bound
            if hits == n_minima:
                for lane in range(lanes):
                    pos = r0 + lane_pos[lane]
                    if (lane_min[lane] <= bound and pos != skip[i]
                            and _beats_last(lane_min[lane], pos, wd, wp)):  # fmt: skip
                        wd, wp = _offer(out_dist[i], out_pos[i], lane_min[lane], pos)
                continue
        for j in range(n_ref):
            if dist[j] <= bound and r0 + j != skip[i] and _beats_last(dist[j], r0 + j, wd, wp):
                wd, wp = _offer(out_dist[i], out_pos[i], dist[j], r0 + j)
                bound = min(bound, wd)


@jit(tasks=True, read_only=("X",))
def _shortlist_blocks(b0, b1, X, query_rows, ref_rows, centre, sq_rows, sq_refs, skip, mode,
                      query_block, ref_block, tile_rows, out_dist, out_pos):  # fmt: skip
    """Query blocks ``b0 .. b1 - 1`` of :func:`knn_shortlist_of`."""
    n_query = query_rows.shape[0]
    n_ref_total = ref_rows.shape[0]
    d = X.shape[1]
    for b in range(b0, b1):
        q0 = b * query_block
        q1 = min(n_query, q0 + query_block)
        scratch = np.empty((tile_rows, d), dtype=X.dtype)
        tile = np.empty((tile_rows + SPARE_TILE_ROWS, ref_block), dtype=X.dtype)
        lane_min = np.empty(MERGE_LANES, dtype=X.dtype)
        lane_pos = np.empty(MERGE_LANES, dtype=np.int64)
        top = np.empty(out_dist.shape[1], dtype=X.dtype)
        for r0 in range(0, n_ref_total, ref_block):
            n_ref = min(ref_block, n_ref_total - r0)
            ref_t = np.empty((d, n_ref), dtype=X.dtype)  # exact width: BLAS takes it whole
            for j in range(n_ref):
                row = ref_rows[r0 + j]
                for f in range(d):
                    ref_t[f, j] = X[row, f] - centre[f]
            sq_ref = sq_refs[r0 : r0 + n_ref]
            for c0 in range(q0, q1, tile_rows):
                c1 = min(q1, c0 + tile_rows)
                _product_tile(X, query_rows, centre, sq_rows, sq_ref, mode, c0, c1, n_ref, ref_t,
                              scratch, tile)  # fmt: skip
                _merge_rows(tile, c0, c1, r0, n_ref, skip, out_dist, out_pos, lane_min,
                            lane_pos, top)  # fmt: skip


def knn_shortlist_of(X, query_rows, ref_rows, centre, sq_rows, sq_refs, m, skip, mode,
                     query_block, ref_block, tile_rows):  # fmt: skip
    """m best references ``ref_rows`` of X for each row ``query_rows[i]``, never the
    reference at position ``skip[i]``, by |q|^2 + |r|^2 - 2 q.r on rows centred at
    ``centre`` (``sq_rows``/``sq_refs``: the queries' and references' squared norms
    after centring), by BLAS tiles (``mode=BLAS``) or fused multiply-adds (``FUSED``).
    Query blocks run in parallel; each visits the references block by block, centred
    and transposed once per query block. Many queries against fewer references
    (:func:`runs_query_major`) merge faster query-major: :func:`knn_refined_columns`.

    Returns
    -------
    dist : (n_query, m) approximate squared distances, ascending
    pos : (n_query, m) int64 positions into ``ref_rows``
    """
    n_query = query_rows.shape[0]
    out_dist = np.full((n_query, m), np.inf, dtype=X.dtype)
    out_pos = np.full((n_query, m), -1, dtype=np.int64)
    n_blocks = (n_query + query_block - 1) // query_block
    parallel_for(_shortlist_blocks, n_blocks, X, query_rows, ref_rows, centre, sq_rows, sq_refs,
                 skip, mode, query_block, ref_block, tile_rows, out_dist, out_pos)  # fmt: skip
    return out_dist, out_pos


#: Queries side by side in :func:`knn_shortlist_columns` (the lanes of its lists), at
#: most; fewer when there are few queries, so that every thread gets groups.
COLUMN_LANES = 512
#: References per tile of :func:`knn_shortlist_columns` (512 x 256 distances: L2-sized).
COLUMN_REF_BLOCK = 256
#: Fused shortlists of at least this many queries against at most this many references
#: run query-major: 1.1-2.2x faster from 1,000 to 66,000 references, about even with
#: ~2,000 queries, whose groups are narrow; lists of at most ``COLUMN_MAX_LIST`` entries
#: (the network's cost grows with them: at 12 still 1.1-1.7x, at 17 even from ~10,000
#: queries) (``python benchmarks/shortlist_layouts.py [--k K]``).
COLUMN_MIN_QUERIES = 8 * COLUMN_LANES
COLUMN_MAX_REFS = 65536
COLUMN_MAX_LIST = 12


def runs_query_major(n_query: int, n_ref: int, m: int, mode: int) -> bool:
    """Whether a one-sided shortlist search (lists of ``m``) runs query-major
    (:func:`knn_refined_columns`, which holds a scaled copy of the references, ``n_ref``
    x features) rather than :func:`knn_shortlist_of` and :func:`refine_shortlist`."""
    return (
        mode == FUSED
        and n_query >= COLUMN_MIN_QUERIES
        and n_ref <= COLUMN_MAX_REFS
        and m <= COLUMN_MAX_LIST
    )


def knn_shortlist_columns(X, query_rows, ref_rows, centre, sq_rows, sq_refs, m, skip):
    """:func:`knn_shortlist_of` in fused mode, query-major: the same shortlists, faster
    when the queries are many and the references fewer (:func:`runs_query_major`).

    With few references a query's list stays cold through most of its row of
    distances, so merging row by row (one scalar insertion after another) costs more
    than the distances. Here a tile holds references x queries: each reference's
    distances to up to :data:`COLUMN_LANES` queries are offered to their lists at once,
    an insertion network across the lists (vectorised, no branch per query). References
    arrive in increasing position and enter only when strictly nearer, so the lists,
    ties included, are those of :func:`knn_shortlist_of`, however the queries are
    grouped; each pair's distance is the same fused sum (the -2 scaling moves to the
    reference side, exactly).
    """
    n_query = query_rows.shape[0]
    short_dist = np.empty((n_query, m), dtype=X.dtype)
    short_pos = np.empty((n_query, m), dtype=np.int64)
    _columns(X, query_rows, ref_rows, centre, sq_rows, sq_refs, m, skip, 0.0, short_dist,
             short_pos, np.empty(0, dtype=np.bool_))  # fmt: skip
    return short_dist, short_pos


def knn_refined_columns(X, query_rows, ref_rows, centre, sq_rows, sq_refs, m, k, skip, eps):
    """:func:`knn_shortlist_columns` and :func:`refine_shortlist` in one pass: each
    group's lists are refined while in the cache, and no shortlist table is held.

    Returns
    -------
    dist, pos : (n_query, k) exact squared distances and positions into ``ref_rows``
    proven : (n_query,) bool, False where the query must be redone by the direct kernel
    """
    n_query = query_rows.shape[0]
    out_dist = np.empty((n_query, k), dtype=X.dtype)
    out_pos = np.empty((n_query, k), dtype=np.int64)
    proven = np.empty(n_query, dtype=np.bool_)
    _columns(X, query_rows, ref_rows, centre, sq_rows, sq_refs, m, skip, eps, out_dist, out_pos,
             proven)  # fmt: skip
    return out_dist, out_pos, proven


def _columns(X, query_rows, ref_rows, centre, sq_rows, sq_refs, m, skip, eps, out_dist, out_pos,
             proven):  # fmt: skip
    """The query-major shortlists into ``out_dist/out_pos`` (m columns), or, with a
    ``proven`` per query, refined into k columns."""
    n_query = query_rows.shape[0]
    if ref_rows.shape[0] > np.iinfo(np.int32).max:
        raise ValueError("query-major lists hold positions below 2**31 only")
    scaled_refs = _scaled_centred_rows(X, ref_rows, centre)
    lanes = COLUMN_LANES
    while lanes > 64 and lanes * 8 > n_query:  # >= 8 groups while groups stay wide
        lanes //= 2
    n_groups = (n_query + lanes - 1) // lanes
    sq_max = sq_refs.max() if sq_refs.size else X.dtype.type(0)
    parallel_for(_column_groups, n_groups, X, query_rows, ref_rows, scaled_refs, centre, sq_rows,
                 sq_refs, sq_max, m, skip, eps, lanes, COLUMN_REF_BLOCK, out_dist, out_pos,
                 proven)  # fmt: skip


@jit(read_only=("X",))
def _scaled_centred_rows(X, rows, centre):
    """``-2 (X[rows] - centre)``, in X's dtype (the scaling is exact)."""
    out = np.empty((rows.shape[0], X.shape[1]), dtype=X.dtype)
    for j in range(rows.shape[0]):
        for f in range(X.shape[1]):
            t = X[rows[j], f] - centre[f]
            out[j, f] = -(t + t)
    return out


@jit(tasks=True, read_only=("X", "scaled_refs"))
def _column_groups(g0, g1, X, query_rows, ref_rows, scaled_refs, centre, sq_rows, sq_refs, sq_max,
                   m, skip, eps, lanes, ref_block, out_dist, out_pos, proven):  # fmt: skip
    """Groups ``g0 .. g1 - 1`` of ``lanes`` queries of :func:`_columns`, ``ref_block``
    references at a time."""
    n_query = query_rows.shape[0]
    n_ref_total = scaled_refs.shape[0]
    d = X.shape[1]
    refine = proven.shape[0] > 0
    for g in range(g0, g1):
        q0 = g * lanes
        q1 = min(n_query, q0 + lanes)
        nq = q1 - q0
        queries_t = np.empty((d, nq), dtype=X.dtype)  # centred, features x queries
        for i in range(nq):
            for f in range(d):
                queries_t[f, i] = X[query_rows[q0 + i], f] - centre[f]
        sq_q = sq_rows[q0:q1]
        tile = np.empty((ref_block + SPARE_TILE_ROWS, nq), dtype=X.dtype)
        best_d = np.full((m, nq), np.inf, dtype=X.dtype)
        # int32: positions stay below COLUMN_MAX_REFS, and narrower lanes merge faster
        best_p = np.full((m, nq), -1, dtype=np.int32)
        for r0 in range(0, n_ref_total, ref_block):
            n_ref = min(ref_block, n_ref_total - r0)
            refs = scaled_refs[r0 : r0 + n_ref]
            sq_ref = sq_refs[r0 : r0 + n_ref]
            for j in range(0, n_ref, 4):
                # past the block's last reference: the last one again, into spare rows
                b, c, e = min(j + 1, n_ref - 1), min(j + 2, n_ref - 1), min(j + 3, n_ref - 1)
                _fused_quad(
                    refs[j], refs[b], refs[c], refs[e], sq_ref[j], sq_ref[b], sq_ref[c],
                    sq_ref[e], queries_t, sq_q, nq, tile[j], tile[j + 1], tile[j + 2],
                    tile[j + 3],
                )  # fmt: skip
            for i in range(nq):
                if r0 <= skip[q0 + i] < r0 + n_ref:
                    tile[skip[q0 + i] - r0, i] = np.inf  # never enters a list
            _merge_columns(tile, n_ref, r0, best_d, best_p, nq)
        for i in range(nq):
            q = q0 + i
            if refine:
                out_dist[q, :] = np.inf
                out_pos[q, :] = -1
                proven[q] = _refine_one(X, query_rows[q], ref_rows, best_p[:, i],
                                        best_d[m - 1, i], sq_rows[q], sq_max, eps, out_dist[q],
                                        out_pos[q])  # fmt: skip
            else:
                for s in range(m):
                    out_dist[q, s] = best_d[s, i]
                    out_pos[q, s] = best_p[s, i]


@jit()
def _merge_columns(tile, n_ref, r0, best_d, best_p, lanes):
    """Offer each row ``j`` of ``tile`` (reference ``r0 + j``'s distances to the queries
    side by side) to the queries' sorted lists, ``best_d[s, i]``/``best_p[s, i]`` the
    s-th entry of query ``i``. A vectorised test tells whether any list takes it; then
    an insertion network updates every list at once: entry ``s`` becomes entry ``s - 1``
    (the new distance is above it), the new distance (it lands there), or stays.

    Positions are written in ``best_p``'s integer type (int32 in :func:`_column_groups`).
    Queries go ``lanes`` at a time. LLVM vectorises these loops only in this shape
    (views of each group, statements in this order; 3x slower otherwise).
    """
    m = best_d.shape[0]
    n_query = best_d.shape[1]
    for g in range(0, n_query, lanes):
        ge = min(n_query, g + lanes)
        n = ge - g
        worst = best_d[m - 1][g:ge]
        for j in range(n_ref):
            dist = tile[j][g:ge]
            pos = np.int32(r0 + j)
            hits = 0
            for i in range(n):
                hits += dist[i] < worst[i]
            if hits == 0:
                continue
            for s in range(m - 1, 0, -1):
                d_s = best_d[s][g:ge]
                d_up = best_d[s - 1][g:ge]
                p_s = best_p[s][g:ge]
                p_up = best_p[s - 1][g:ge]
                for i in range(n):
                    x = dist[i]
                    above = x < d_up[i]
                    inside = x < d_s[i]
                    new_p = p_up[i] if above else pos
                    new_d = d_up[i] if above else x
                    p_s[i] = new_p if inside else p_s[i]
                    d_s[i] = new_d if inside else d_s[i]
            d_0 = best_d[0][g:ge]
            p_0 = best_p[0][g:ge]
            for i in range(n):
                x = dist[i]
                inside = x < d_0[i]
                p_0[i] = pos if inside else p_0[i]
                d_0[i] = x if inside else d_0[i]


def refine_shortlist(X, query_rows, ref_rows, short_dist, short_pos, sq_rows, sq_max, k, eps):
    """Exact top-k from each shortlist, and whether the error bound proves it complete.

    Query ``i`` is row ``query_rows[i]`` of ``X`` (centred squared norm ``sq_rows[i]``);
    shortlist positions index ``ref_rows``, whose largest centred squared norm is
    ``sq_max``. Returns exact squared distances (defined order), positions, and a
    boolean per query that is False when the query must be recomputed by the direct
    kernel.
    """
    n = short_pos.shape[0]
    out_dist = np.full((n, k), np.inf, dtype=X.dtype)
    out_pos = np.full((n, k), -1, dtype=np.int64)
    proven = np.zeros(n, dtype=np.bool_)
    parallel_for(_refine_rows, n, X, query_rows, ref_rows, short_dist, short_pos, sq_rows,
                 sq_max, eps, out_dist, out_pos, proven)  # fmt: skip
    return out_dist, out_pos, proven


@jit(tasks=True, read_only=("X",))
def _refine_rows(i0, i1, X, query_rows, ref_rows, short_dist, short_pos, sq_rows, sq_max, eps,
                 out_dist, out_pos, proven):  # fmt: skip
    """Queries ``i0 .. i1 - 1`` of :func:`refine_shortlist`."""
    m = short_pos.shape[1]
    for i in range(i0, i1):
        proven[i] = _refine_one(X, query_rows[i], ref_rows, short_pos[i], short_dist[i, m - 1],
                                sq_rows[i], sq_max, eps, out_dist[i], out_pos[i])  # fmt: skip


@jit(inline="always")
def _refine_one(X, query_row, ref_rows, candidates, last_approx, sq_row, sq_max, eps, best_dist,
                best_pos):  # fmt: skip
    """Exact top-k of row ``query_row`` among the shortlisted ``candidates`` (positions
    into ``ref_rows``, -1 for none) into ``best_dist/best_pos`` (inf/-1 on entry), and
    whether the error bound proves the list complete: every reference outside the
    shortlist has an approximate distance >= ``last_approx``, the shortlist's last."""
    d = X.shape[1]
    k = best_dist.shape[0]
    complete = True
    for s in range(candidates.shape[0]):
        pos = candidates[s]
        if pos < 0:
            complete = False
            continue
        acc = pair_sq_distance(X, query_row, ref_rows[pos])
        # positions arrive unordered here: compare (distance, position)
        if acc < best_dist[k - 1] or (acc == best_dist[k - 1] and pos < best_pos[k - 1]):
            _insert_topk(best_dist, best_pos, acc, pos)
    # The product form errs by at most ~(d+2) eps (|q| + |r|)^2 and the defined-order sum
    # by ~(d+2) eps * dist. Doubled for safety. Strict: ties must be inside.
    root = np.sqrt(np.float64(sq_row)) + np.sqrt(np.float64(sq_max))
    bound = 2.0 * (d + 2) * eps * (root * root + np.float64(last_approx))
    return complete and np.float64(best_dist[k - 1]) < np.float64(last_approx) - bound
