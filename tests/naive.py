"""Plain-NumPy / plain-Python references for every kernel.

Written independently of the kernels (Python integers for the hash, NumPy for the
arithmetic) and slow on purpose: tests compare the fast path with these on small inputs.
"""

from __future__ import annotations

import numpy as np

MASK64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15
STREAM_GAMMA = 0xD1B54A32D192ED03


def mix64(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def stream_key(key: int, stream: int) -> int:
    return mix64(key ^ mix64(((stream + 1) * STREAM_GAMMA) & MASK64))


def draw(key: int, counter: int) -> int:
    return mix64((key + (counter + 1) * GOLDEN_GAMMA) & MASK64)


def below(z: int, n: int) -> int:
    return ((z >> 32) * n) >> 32


def unit(z: int) -> float:
    return (z >> 11) / 2.0**53


def smote_draws(class_key: int, j: int, n_class: int, k: int) -> tuple[int, int, float]:
    return (
        below(draw(class_key, 3 * j), n_class),
        below(draw(class_key, 3 * j + 1), k),
        unit(draw(class_key, 3 * j + 2)),
    )


def sq_distances_to(data: np.ndarray, i: int) -> np.ndarray:
    """Squared distances from row i to every row, summed in data's dtype in the kernels'
    defined order (groups of four features, then the rest one by one)."""
    sq = (data[i] - data) ** 2  # (n, d), exact per element
    dist = np.zeros(data.shape[0], dtype=data.dtype)
    f, d = 0, data.shape[1]
    while f + 4 <= d:
        dist += (sq[:, f] + sq[:, f + 1]) + (sq[:, f + 2] + sq[:, f + 3])
        f += 4
    for rest in range(f, d):
        dist += sq[:, rest]
    return dist


def knn(X: np.ndarray, rows: np.ndarray, k: int, exclude_self: bool = True):
    """Exact kNN among ``X[rows]``: squared distances summed in X's dtype in the order
    the kernel defines (groups of four features, then the rest one by one), ties broken
    by lower position."""
    data = X[rows]
    n = data.shape[0]
    dist_out = np.full((n, k), np.inf, dtype=X.dtype)
    pos_out = np.full((n, k), -1, dtype=np.int64)
    for i in range(n):
        dist = sq_distances_to(data, i)
        positions = np.arange(n)
        if exclude_self:
            keep = positions != i
            dist, positions = dist[keep], positions[keep]
        order = np.lexsort((positions, dist))[:k]
        dist_out[i, : order.size] = dist[order]
        pos_out[i, : order.size] = positions[order]
    return dist_out, pos_out


def smote_generate(
    X,
    base_rows,
    neighbor_rows,
    class_key,
    start,
    n_new,
    counts=None,
    damp=None,
    damp_key=0,
    group_bases=None,
    group_rows=None,
    steps=None,
):
    """Synthetic rows ``start .. start + n_new - 1`` of one class, and their draws.

    ``counts``: rows per base (ADASYN) instead of drawn bases; ``damp``: (n_base, k)
    flags multiplying the gap by 0.5 * u (Borderline-SMOTE-2); ``group_bases``,
    ``group_rows``, ``steps`` (SVM-SMOTE, KMeans-SMOTE): bases per group (consecutive),
    synthetic rows per group (consecutive) and each group's gap multiplier: a row of a
    group draws its base among the group's bases.
    """
    out = np.empty((n_new, X.shape[1]), dtype=X.dtype)
    bases_by_count = None if counts is None else np.repeat(np.arange(len(counts)), counts)
    draws = []
    for t in range(n_new):
        j = start + t
        base_pos, slot, gap = smote_draws(class_key, j, base_rows.size, neighbor_rows.shape[1])
        if bases_by_count is not None:
            base_pos = int(bases_by_count[j])
        if group_rows is not None:
            g = int(np.repeat(np.arange(len(group_rows)), group_rows)[j])
            first = int(np.sum(group_bases[:g]))
            base_pos = first + below(draw(class_key, 3 * j), int(group_bases[g]))
            gap = gap * float(steps[g])
        if damp is not None and damp[base_pos, slot]:
            gap = gap * (0.5 * unit(draw(damp_key, j)))
        base = X[base_rows[base_pos]]
        neighbor = X[neighbor_rows[base_pos, slot]]
        g = X.dtype.type(gap)
        out[t] = base + g * (neighbor - base)
        draws.append((base_rows[base_pos], neighbor_rows[base_pos, slot], gap))
    return out, draws


def danger_rows(X: np.ndarray, y: np.ndarray, c, m: int) -> np.ndarray:
    """Borderline-SMOTE's rows of class ``c`` in danger: at least half, but not all, of
    their ``m`` nearest other rows (each row excluded by position, so a duplicate of it
    is a neighbour; ties to the lower row) belong to other classes."""
    rows = np.flatnonzero(y == c)
    _, nn = knn(X, np.arange(len(X)), m)
    n_other = (y[nn[rows]] != c).sum(axis=1)
    return rows[(n_other >= m / 2) & (n_other < m)]


def bootstrap_positions(key: int, start: int, n: int, n_class: int) -> np.ndarray:
    return np.array([below(draw(key, start + t), n_class) for t in range(n)], dtype=np.int64)


def standard_normal(key: int, counter: int) -> float:
    import math

    u1 = 1.0 - unit(draw(key, 2 * counter))
    u2 = unit(draw(key, 2 * counter + 1))
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def segment_hits(X, sets, queries, neighbors, off_grid, n_first, rtol, atol, t_margin, min_moving):
    """Reference of fastsmote._kernels.leakage.segment_hits: the first (p, q) in
    neighbour order with the query strictly inside segment p-q (per-feature tolerance,
    an off-grid value in a moving feature) and no set shared by all three rows, unless
    some such pair shares one."""
    m, k = neighbors.shape
    p_out = np.full(m, -1, dtype=np.int64)
    q_out = np.full(m, -1, dtype=np.int64)
    for i, r in enumerate(queries):
        found = []
        for a in range(min(n_first, k)):
            for b in range(k):
                p, q = neighbors[i, a], neighbors[i, b]
                if a == b or p == q:
                    continue
                step = X[q] - X[p]
                den = step @ step
                if den == 0:
                    continue
                t = (X[r] - X[p]) @ step / den
                if not t_margin < t < 1 - t_margin:
                    continue
                tol = rtol * np.maximum(np.abs(X[p]), np.abs(X[q])) + atol
                moving = np.abs(step) > tol
                if (
                    np.all(np.abs(X[r] - (X[p] + t * step)) <= tol)
                    and np.sum(moving) >= min_moving
                    and np.any(moving & off_grid[i])
                ):
                    found.append((p, q))
        if found and not any(sets[r] & sets[p] & sets[q] for p, q in found):
            p_out[i], q_out[i] = found[0]
    return p_out, q_out


def nndescent_edge_key(key: int, i: int, j: int) -> int:
    """Sampling key of row j as a candidate of row i: the edge's priority (high 32 bits
    of a draw indexed by the unordered pair), then j."""
    lo, hi = min(i, j), max(i, j)
    return ((draw(key, lo * 2**31 + hi) >> 32) << 32) | j


def nndescent_round(data, g_dist, g_pos, g_new, max_candidates: int, key: int):
    """One NN-descent round by its definition (Dong et al. 2011, sampled variant).

    Candidates of row i: the ``max_candidates`` lowest edge keys among rows joined to i
    by a new edge (either direction); old candidates likewise, only for rows with a new
    one. Sampled new forward edges become old. Each pair of new candidates, and each
    (new, old) pair, offers each row to the other; a row's list becomes the best
    ``n_slots`` distinct (distance, position) of its list and its offers, and entries
    that were not in the list are new. Empty slots are (inf, -1) on both sides.
    Returns new (g_dist, g_pos, g_new).
    """
    n, n_slots = g_pos.shape
    edges = [
        (i, int(j), bool(g_new[i, s])) for i in range(n) for s, j in enumerate(g_pos[i]) if j >= 0
    ]
    pushed = {flag: [set() for _ in range(n)] for flag in (True, False)}
    for i, j, flag in edges:
        pushed[flag][i].add(j)
        pushed[flag][j].add(i)
    new = [
        sorted(pushed[True][i], key=lambda j, i=i: nndescent_edge_key(key, i, j))[:max_candidates]
        for i in range(n)
    ]
    old = [
        sorted(pushed[False][i], key=lambda j, i=i: nndescent_edge_key(key, i, j))[:max_candidates]
        if new[i]
        else []
        for i in range(n)
    ]
    flags = g_new.copy()
    for i in range(n):
        for s in range(n_slots):
            if flags[i, s] and g_pos[i, s] in new[i]:
                flags[i, s] = False
    offers = [set() for _ in range(n)]
    distances = np.stack([sq_distances_to(data, u) for u in range(n)])
    for i in range(n):
        for a, u in enumerate(new[i]):
            for v in new[i][a + 1 :] + old[i]:
                if u != v:
                    dist = distances[u, v]
                    offers[u].add((dist, v))
                    offers[v].add((dist, u))
    out_dist, out_pos = g_dist.copy(), g_pos.copy()
    out_new = np.zeros_like(g_new)
    for i in range(n):
        before = {
            int(p): (d, bool(f))
            for d, p, f in zip(g_dist[i], g_pos[i], flags[i], strict=True)
            if p >= 0
        }
        merged = sorted({(d, p) for p, (d, _) in before.items()} | offers[i])[:n_slots]
        for s, (d, p) in enumerate(merged):
            out_dist[i, s], out_pos[i, s] = d, p
            out_new[i, s] = before[p][1] if p in before else True
    return out_dist, out_pos, out_new


def count_values(column, values):
    """Reference of fastsmote._kernels.leakage.count_values: how often each value occurs
    in the column (``-0.0`` equal to ``0.0``)."""
    return np.array([np.sum(column == v) for v in values], dtype=np.int64)


def knn_of(X_query, query_rows, X_ref, ref_rows, k: int, skip):
    """Reference of ``knn_blocked``: the k nearest of ``X_ref[ref_rows]`` to each
    ``X_query[query_rows[i]]`` by the defined-order distance, never position ``skip[i]``
    (-1: none), ties to the lower position."""
    n = len(query_rows)
    dist_out = np.full((n, k), np.inf, dtype=X_ref.dtype)
    pos_out = np.full((n, k), -1, dtype=np.int64)
    data = X_ref[ref_rows]
    for i in range(n):
        dist = sq_distances_to(np.vstack([X_query[query_rows[i]][None, :], data]), 0)[1:]
        positions = np.arange(len(ref_rows))
        keep = positions != skip[i]
        dist, positions = dist[keep], positions[keep]
        order = np.lexsort((positions, dist))[:k]
        dist_out[i, : order.size] = dist[order]
        pos_out[i, : order.size] = positions[order]
    return dist_out, pos_out


def mixed_knn(X, codes, weight, k: int):
    """Reference of ``knn_mixed``: self-kNN by the defined-order continuous distance plus
    ``weight`` (rounded to X's dtype) times the number of differing categorical codes,
    added in float64 and rounded once to X's dtype; ties to the lower row."""
    n = len(X)
    dist_out = np.full((n, k), np.inf, dtype=X.dtype)
    pos_out = np.full((n, k), -1, dtype=np.int64)
    weight = np.float64(X.dtype.type(weight))
    for i in range(n):
        mismatches = (codes != codes[i]).sum(axis=1)
        dist = (sq_distances_to(X, i) + weight * mismatches).astype(X.dtype)
        positions = np.delete(np.arange(n), i)
        order = np.lexsort((positions, dist[positions]))[:k]
        dist_out[i, : order.size] = dist[positions[order]]
        pos_out[i, : order.size] = positions[order]
    return dist_out, pos_out


def sq_distance_matrix(X, query_rows, skip=None):
    """Squared distances (float64, NumPy's summation) from ``X[query_rows]`` to every row,
    ``inf`` at ``skip[i]`` (or at the query's own row when ``skip`` is None)."""
    X = X.astype(np.float64)
    dist = ((X[query_rows, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    skip = np.asarray(query_rows) if skip is None else np.asarray(skip)
    has = skip >= 0
    dist[np.flatnonzero(has), skip[has]] = np.inf
    return dist


def centre_and_sq_norms(X, rows):
    """Reference of ``centre_and_sq_norms``: the mean of ``X[rows]`` summed in float64 in
    row order, in X's dtype, and each row's centred squared norm summed feature by
    feature in X's dtype."""
    total = np.zeros(X.shape[1])
    for r in rows:
        total = total + X[r].astype(np.float64)
    centre = (total / max(len(rows), 1)).astype(X.dtype)
    centred = X[rows] - centre
    sq = np.zeros(len(rows), dtype=X.dtype)
    for f in range(X.shape[1]):
        sq = sq + centred[:, f] * centred[:, f]
    return centre, sq


def smotenc_generate(X, codes, neighbors, class_key: int, tie_key: int, start: int, n_new: int):
    """Reference of ``smotenc_generate``: continuous features as :func:`smote_generate`
    (bases are the rows of ``X``); categorical feature ``f`` the most frequent code among
    the base's neighbours, ties broken by draw ``j * n_cat + f`` of ``tie_key`` among the
    tied codes in increasing order."""
    n_cat = codes.shape[1]
    rows = np.arange(len(X), dtype=np.int64)
    out, draws = smote_generate(X, rows, neighbors, class_key, start, n_new)
    out_codes = np.empty((n_new, n_cat), dtype=codes.dtype)
    for t, (base, _, _) in enumerate(draws):
        for f in range(n_cat):
            values, counts = np.unique(codes[neighbors[base], f], return_counts=True)
            tied = values[counts == counts.max()]
            out_codes[t, f] = tied[below(draw(tie_key, (start + t) * n_cat + f), tied.size)]
    return out, out_codes


def priorities(key: int, n: int) -> np.ndarray:
    """Reference of ``priorities``: draw ``t`` of ``key`` for t = 0..n-1."""
    return np.array([draw(key, t) for t in range(n)], dtype=np.uint64)


def smoothed_bootstrap(X_class, positions, noise_key: int, start: int, scale):
    """Reference of ``smoothed_bootstrap``: ``X_class[positions[t]] + scale * N(0, 1)``
    in float64 (noise of row ``start + t``, feature ``f`` at counter ``(start + t) * d +
    f``), rounded once to X's dtype."""
    d = X_class.shape[1]
    noise = np.array(
        [
            [standard_normal(noise_key, (start + t) * d + f) for f in range(d)]
            for t in range(len(positions))
        ]  # fmt: skip
    ).reshape(len(positions), d)
    return (X_class[positions].astype(np.float64) + scale * noise).astype(X_class.dtype)


def first_nonfinite_row(X) -> int:
    """Reference of ``first_nonfinite_row``: the first row holding NaN or +-inf, or -1."""
    bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
    return int(bad[0]) if bad.size else -1


def count_compact_ints(y, lo: int, n_values: int, rows=None) -> np.ndarray:
    """Reference of ``count_compact_ints``: counts of ``lo .. lo + n_values - 1`` in
    ``y`` (or ``y[rows]``)."""
    values = (y if rows is None else y[rows]).astype(np.int64) - lo
    return np.bincount(values, minlength=n_values).astype(np.int64)


def codes_from_lookup(y, lo: int, lookup) -> np.ndarray:
    """Reference of ``codes_from_lookup``: ``lookup[y - lo]`` as int32."""
    return np.array([lookup[int(v) - lo] for v in y], dtype=np.int32)


def tomek_link_mask(nearest, codes, targeted) -> np.ndarray:
    """Reference of ``tomek_link_mask``: row i is marked when its class is targeted and
    it and its nearest neighbour are each other's nearest neighbour with different
    classes."""
    return np.array(
        [
            bool(targeted[codes[i]]) and codes[nearest[i]] != codes[i] and nearest[nearest[i]] == i
            for i in range(len(nearest))
        ],
        dtype=bool,
    )


def mark_disagreeing(rows, neighbours, codes, unanimous: bool, keep):
    """Reference of ``mark_disagreeing`` (Edited Nearest Neighbours): a copy of ``keep``
    with ``keep[rows[i]]`` set to whether the classes of row i's neighbours all equal
    its own (``unanimous``), or whether its own class is the lowest of the most frequent
    neighbour classes."""
    keep = keep.copy()
    for i, row in enumerate(rows):
        own = codes[row]
        theirs = codes[neighbours[i]]
        if unanimous:
            keep[row] = bool(np.all(theirs == own))
        else:
            values, counts = np.unique(theirs, return_counts=True)
            keep[row] = bool(values[counts == counts.max()].min() == own)
    return keep


def edit_from_lists(rows, lists, present, codes, k: int, unanimous: bool):
    """Reference of ``edit_from_lists``: (remove, stale). A row is stale when fewer than
    ``k`` entries of its list are present rows; else it is removed when the first ``k``
    present entries disagree with its class (as :func:`mark_disagreeing`)."""
    remove = np.zeros(len(codes), dtype=bool)
    stale = np.zeros(len(rows), dtype=bool)
    for i, row in enumerate(rows):
        near = [j for j in lists[row] if j >= 0 and present[j]][:k]
        if len(near) < k:
            stale[i] = True
            continue
        theirs = codes[near]
        if unanimous:
            remove[row] = bool(np.any(theirs != codes[row]))
        else:
            values, counts = np.unique(theirs, return_counts=True)
            remove[row] = bool(values[counts == counts.max()].min() != codes[row])
    return remove, stale


def outvoted(rows, neighbours, codes, n_votes: int) -> np.ndarray:
    """Reference of ``outvoted``: a vote of the row and its first ``n_votes - 1``
    neighbours goes to another class (ties to the lowest class code)."""
    out = []
    for i, row in enumerate(rows):
        voters = np.r_[codes[row], codes[neighbours[i, : n_votes - 1]]]
        values, counts = np.unique(voters, return_counts=True)
        out.append(values[counts == counts.max()].min() != codes[row])
    return np.array(out, dtype=bool)


def rows_of_classes(codes, wanted) -> np.ndarray:
    """Reference of ``rows_of_classes``: rows whose class is wanted, in input order."""
    return np.array([i for i, c in enumerate(codes) if wanted[c]], dtype=np.int64)


def rows_by_class(codes, keep, n_classes: int):
    """Reference of ``rows_by_class``: kept rows, class by class, input order within a
    class, and the count of each class."""
    groups = [
        [i for i in range(len(codes)) if keep[i] and codes[i] == c] for c in range(n_classes)
    ]
    rows = np.array([i for group in groups for i in group], dtype=np.int64)
    return rows, np.array([len(group) for group in groups], dtype=np.int64)


def ece(hit, conf, edges) -> float:
    """Expected calibration error by a plain loop: bin b holds ``edges[b] < conf <=
    edges[b + 1]`` (the first bin also ``conf == edges[0]``, the last bin everything
    above its lower edge)."""
    total = 0.0
    n_bins = len(edges) - 1
    for b in range(n_bins):
        lo, hi = edges[b], edges[b + 1]
        in_bin = [
            i
            for i in range(len(conf))
            if (conf[i] <= hi or b == n_bins - 1) and (conf[i] > lo or b == 0)
        ]
        if in_bin:
            acc = sum(hit[i] for i in in_bin) / len(in_bin)
            mean_conf = sum(conf[i] for i in in_bin) / len(in_bin)
            total += len(in_bin) * abs(acc - mean_conf)
    return total / len(conf)


def csr_knn(M, query_rows, k: int, skip):
    """Reference of the sparse ``csr_knn``: the k nearest of all rows of the (small) CSR
    matrix ``M`` to each row ``query_rows[i]``, on its dense form, by the defined-order
    distance; never position ``skip[i]`` (-1: none), ties to the lower position."""
    dense = M.toarray()
    return knn_of(dense, query_rows, dense, np.arange(M.shape[0]), k, skip)


def csr_interpolate(M, base, neighbor, gap):
    """Reference of the sparse SMOTE rows: ``M[base] + g * (M[neighbor] - M[base])`` on
    the dense rows, ``g`` the gap rounded to M's dtype, and the columns stored for each
    row (the union of its base's and neighbour's columns)."""
    dense = M.toarray()
    g = gap.astype(M.dtype)[:, None]
    rows = dense[base] + g * (dense[neighbor] - dense[base])
    columns = [np.union1d(M[b].indices, M[n].indices) for b, n in zip(base, neighbor, strict=True)]
    return rows, columns


def pairwise_distance_sum(X, rows) -> float:
    """Sum of the Euclidean distances between every pair of ``X[rows]`` (float64)."""
    data = X[rows].astype(np.float64)
    total = 0.0
    for i in range(len(rows)):
        diffs = data[i + 1 :] - data[i]
        total += float(np.sqrt((diffs**2).sum(axis=1)).sum())
    return total


def vdm_matrix(codes, class_codes, n_classes: int, n_categories, rows=None) -> np.ndarray:
    """Reference of the Value Difference Metric between ``codes[rows]`` (all: None):
    per feature, each category's class distribution over all rows, two categories
    ``(sum_c |P[a, c] - P[b, c]|) ** 2`` apart; features added in order from 0.0."""
    n, d = codes.shape
    rows = np.arange(n) if rows is None else np.asarray(rows)
    distance = np.zeros((rows.size, rows.size))
    for f in range(d):
        counts = np.zeros((n_categories[f], n_classes))
        for code, c in zip(codes[:, f], class_codes, strict=True):
            counts[code, c] += 1
        totals = counts.sum(axis=1, keepdims=True)
        proba = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        Q = proba[codes[rows, f]]
        distance += np.abs(Q[:, None, :] - Q[None, :, :]).sum(axis=2) ** 2
    return distance


def knn_from_matrix(distance: np.ndarray, k: int):
    """Each row's k nearest columns of a distance matrix, itself excluded by position,
    ties to the lower position: (dist, pos)."""
    n = len(distance)
    dist_out = np.full((n, k), np.inf)
    pos_out = np.full((n, k), -1, dtype=np.int64)
    for i in range(n):
        positions = np.delete(np.arange(n), i)
        order = np.lexsort((positions, distance[i, positions]))[:k]
        dist_out[i, : order.size] = distance[i, positions[order]]
        pos_out[i, : order.size] = positions[order]
    return dist_out, pos_out


def smoten_generate(codes, voters, class_key: int, start: int, n_new: int):
    """Reference of ``smoten_generate``: base = draw ``j`` of the class stream (uniform
    over the class); feature ``f`` = the most frequent code among the base's voters, the
    smallest on a tie. Returns (codes of the new rows, base positions)."""
    n_class, d = codes.shape
    out = np.empty((n_new, d), dtype=codes.dtype)
    bases = np.empty(n_new, dtype=np.int64)
    for t in range(n_new):
        base = below(draw(class_key, start + t), n_class)
        bases[t] = base
        for f in range(d):
            values, counts = np.unique(codes[voters[base], f], return_counts=True)
            out[t, f] = values[counts == counts.max()].min()
    return out, bases


def distance_sums(X_query, query_rows, X_ref, ref_rows, k: int, farthest: bool):
    """Reference of ``distance_sums`` (NearMiss): for each query, the Euclidean
    distances (square roots of the defined-order squared distances) to all references,
    sorted, the first (or last) k added in ascending order in float64."""
    out = np.zeros(len(query_rows))
    data = X_ref[ref_rows]
    for i, row in enumerate(query_rows):
        sq = sq_distances_to(np.vstack([X_query[row][None, :], data]), 0)[1:]
        dist = np.sort(np.sqrt(sq.astype(np.float64)))
        chosen = dist[-k:] if farthest else dist[:k]
        total = 0.0
        for value in chosen:
            total += value
        out[i] = total
    return out


def store_vote_misses(X, candidates, store, codes, own: int, k: int, grow: bool) -> np.ndarray:
    """Reference of ``store_vote_misses``: each candidate in order is voted on by its k
    nearest store rows (defined-order distances, ties to the lower row number; a tied
    vote to the smaller class code); with ``grow`` a misclassified candidate joins the
    store (Hart's pass, one classifier refit per addition in spirit)."""
    stored = list(store)
    others = [int(codes[r]) for r in store if codes[r] != own]
    own_wins_tie = not others or own < others[0]
    missed = np.zeros(len(candidates), dtype=bool)
    for i, row in enumerate(candidates):
        ref = np.array(stored, dtype=np.int64)
        dist = sq_distances_to(np.vstack([X[row][None, :], X[ref]]), 0)[1:]
        nearest = ref[np.lexsort((ref, dist))[:k]]
        n_own = int(np.sum(codes[nearest] == own))
        if not (2 * n_own > k or (2 * n_own == k and own_wins_tie)):
            missed[i] = True
            if grow:
                stored.append(row)
    return missed


def csr_smoothed_bootstrap(M, rows, noise_key: int, start: int, scale):
    """Reference of ``csr_smoothed_bootstrap``: the dense smoothed rows of
    ``M.toarray()`` and each row's columns (its source row's and those where ``scale``
    is not 0, sorted)."""
    dense = smoothed_bootstrap(M.toarray(), rows, noise_key, start, scale)
    active = set(np.flatnonzero(scale).tolist())
    columns = [
        np.array(sorted(set(M.indices[M.indptr[r] : M.indptr[r + 1]].tolist()) | active))
        for r in rows
    ]
    return dense, columns


def merge_top(dist, pos, new_dist, new_pos):
    """Reference of the shortlist merges: a sorted list of (distance, position) pairs
    and new candidates (later positions) -> the list's length of smallest pairs, by
    distance, then position."""
    d = np.concatenate([dist, new_dist])
    p = np.concatenate([pos, new_pos])
    order = np.lexsort((p, d))[: len(dist)]
    return d[order], p[order]


def column_spans(X, rows) -> np.ndarray:
    """Reference of ``column_spans``: max - min of each column of ``X[rows]`` in float64,
    NaN where a column holds NaN or +-inf."""
    block = X[rows].astype(np.float64)
    span = block.max(axis=0) - block.min(axis=0)
    span[~np.isfinite(block).all(axis=0)] = np.nan
    return span
