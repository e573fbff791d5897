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
    X, base_rows, neighbor_rows, class_key, start, n_new, counts=None, damp=None, damp_key=0
):
    """Synthetic rows ``start .. start + n_new - 1`` of one class, and their draws.

    ``counts``: rows per base (ADASYN) instead of drawn bases; ``damp``: (n_base, k)
    flags multiplying the gap by 0.5 * u (Borderline-SMOTE-2).
    """
    out = np.empty((n_new, X.shape[1]), dtype=X.dtype)
    bases_by_count = None if counts is None else np.repeat(np.arange(len(counts)), counts)
    draws = []
    for t in range(n_new):
        j = start + t
        base_pos, slot, gap = smote_draws(class_key, j, base_rows.size, neighbor_rows.shape[1])
        if bases_by_count is not None:
            base_pos = int(bases_by_count[j])
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


def tomek_link_mask(nearest, codes, targeted):
    """Rows whose nearest neighbour has another class and has them as nearest neighbour,
    in a targeted class."""
    mask = np.zeros(nearest.size, dtype=bool)
    for i, j in enumerate(nearest):
        mask[i] = bool(targeted[codes[i]]) and codes[j] != codes[i] and nearest[j] == i
    return mask
