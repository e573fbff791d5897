"""Every kernel entry point against ``naive.py`` on tiny data, as plain Python.

Run by ``test_nojit.py`` in a subprocess with ``NUMBA_DISABLE_JIT=1`` (coverage tools
cannot see inside compiled kernels). Prints the kernel functions that were called, one
``module.name`` per line, then ``ok``.
"""

import sys
import warnings
from pathlib import Path

import naive
import numpy as np
from scipy.sparse import csr_matrix

import fastsmote._kernels as kernel_package
from fastsmote import SMOTE
from fastsmote._kernels import (
    arrays,
    cleaning,
    clusters,
    condensed,
    knn,
    leakage,
    nearmiss,
    sampling,
    smote,
    sparse,
    vdm,
)
from fastsmote.neighbors._nndescent import nndescent_graph, refine_graph
from fastsmote.neighbors._vdm import vdm_probabilities, vdm_table

warnings.simplefilter("ignore", RuntimeWarning)  # uint64 wrap-around is intended
KERNEL_DIR = str(Path(kernel_package.__file__).parent)
called = set()


def record(frame, event, arg):
    if event == "call" and frame.f_code.co_filename.startswith(KERNEL_DIR):
        called.add(f"{frame.f_globals['__name__']}.{frame.f_code.co_name}")


def equal(a, b):
    np.testing.assert_array_equal(a, b)


def check_arrays(X):
    n = len(X)
    bad = X.copy()
    bad[4, 1] = np.nan
    for data in (X, bad):
        assert arrays.first_nonfinite_row(data, 4) == naive.first_nonfinite_row(data)
        dst = np.empty_like(data)
        assert arrays.copy_rows(data, dst, 4) == naive.first_nonfinite_row(data)
        equal(dst, data)
    rows = np.array([3, 0, 3, n - 1])
    out = np.empty((4, X.shape[1]), X.dtype)
    arrays.gather_rows(X, rows, out, 2)
    equal(out, X[rows])
    for data in (X, bad):
        equal(arrays.column_spans(data, rows, 3), naive.column_spans(data, rows))
    y = np.arange(n, dtype=np.int64) % 3 - 1
    for n_values in (3, 70):  # blocked histograms; one pass
        equal(
            arrays.count_compact_ints(y, -1, n_values, 4),
            naive.count_compact_ints(y, -1, n_values),
        )
        equal(
            arrays.count_compact_ints(y, -1, n_values, 4, rows),
            naive.count_compact_ints(y, -1, n_values, rows),
        )
    lookup = np.array([2, 0, 1], dtype=np.int32)
    codes = arrays.codes_from_lookup(y, -1, lookup, 4)
    equal(codes, naive.codes_from_lookup(y, -1, lookup))


def check_cleaning(X):
    n = len(X)
    codes = naive.codes_from_lookup(np.arange(n) % 3 - 1, -1, np.array([2, 0, 1], np.int32))
    nearest = naive.knn(X, np.arange(n), 1)[1][:, 0]
    targeted = np.array([True, False, True])
    equal(
        cleaning.tomek_link_mask(nearest, codes, targeted),
        naive.tomek_link_mask(nearest, codes, targeted),
    )
    queries = np.arange(0, n, 2)
    found = naive.knn(X, np.arange(n), 4)[1][queries]
    for unanimous in (True, False):
        keep = np.ones(n, dtype=bool)
        expected = naive.mark_disagreeing(queries, found, codes, unanimous, keep)
        cleaning.mark_disagreeing(queries, found, codes, 3, unanimous, keep)
        equal(keep, expected)
    equal(cleaning.rows_of_classes(codes, targeted), naive.rows_of_classes(codes, targeted))
    lists = naive.knn(X, np.arange(n), 4)[1]
    lists[1, 2:] = -1
    present = np.arange(n) % 5 != 3
    rows = np.flatnonzero(present)
    for unanimous in (True, False):
        remove = np.zeros(n, dtype=bool)
        stale = np.zeros(rows.size, dtype=bool)
        cleaning.edit_from_lists(rows, lists, present, codes, 3, 3, unanimous, remove, stale)
        expected = naive.edit_from_lists(rows, lists, present, codes, 3, unanimous)
        equal(remove, expected[0])
        equal(stale, expected[1])
    equal(
        cleaning.outvoted(queries, found, codes, 3, 3),
        naive.outvoted(queries, found, codes, 3),
    )
    for n_classes in (3, 12):  # one pass per class; a counting sort
        many = (np.arange(n) * 7 % n_classes).astype(np.int32)
        keep = np.arange(n) % 4 != 1
        for got, want in zip(
            cleaning.rows_by_class(many, keep, n_classes),
            naive.rows_by_class(many, keep, n_classes),
            strict=True,
        ):
            equal(got, want)


def check_condensed(X):
    """The condensing pass in chunks of 10 candidates (rows added before and within a
    chunk), and the one-shot vote, against the reference."""
    n = len(X)
    codes = (np.arange(n) % 4 == 0).astype(np.int32)  # class 1: every fourth row
    store = np.union1d(np.flatnonzero(codes == 1), [1, 2])
    candidates = np.setdiff1d(np.flatnonzero(codes == 0), [1, 2])
    for k in (1, 2):
        block = 4
        added_t = np.empty((-(-candidates.size // block), X.shape[1], block), X.dtype)
        added_rows = np.empty(added_t.shape[0] * block, dtype=np.int64)
        n_added = 0
        skip = np.full(10, -1, dtype=np.int64)
        for c0 in range(0, candidates.size, 10):
            part = candidates[c0 : c0 + 10]
            dist, pos = knn.knn_blocked(X, part, X, store, k, skip[: part.size], 4, 8)
            n_added = condensed.condense_chunk(
                X, part, dist, store[pos], codes, 0, True, added_t, added_rows, n_added
            )
        want = naive.store_vote_misses(X, candidates, store, codes, 0, k, True)
        equal(added_rows[:n_added], candidates[want])
        # as the sparse path runs it: each chunk's rows as a block of their own, the rows
        # added before it in windows of 3 (blocks of 2), the new ones kept as row numbers
        added = np.empty(0, dtype=np.int64)
        for c0 in range(0, candidates.size, 10):
            part = candidates[c0 : c0 + 10]
            dist, pos = knn.knn_blocked(X, part, X, store, k, skip[: part.size], 4, 8)
            X_part, at = np.ascontiguousarray(X[part]), np.arange(part.size)
            settled = ~condensed.misclassified(store[pos], codes, 0, True)
            for w0 in range(0, added.size, 3):
                window = added[w0 : w0 + 3]
                W_t = np.zeros((2, X.shape[1], 2), X.dtype)
                for a, row in enumerate(window):
                    W_t[a // 2, :, a % 2] = X[row]
                condensed.settle_chunk(X_part, at, dist, store[pos], codes, 0, True, W_t,
                                       window, window.size, settled)  # fmt: skip
            new_t = np.empty((-(-part.size // 4), X.shape[1], 4), X.dtype)
            new_rows = np.empty(new_t.shape[0] * 4, dtype=np.int64)
            n_new = condensed.condense_in_order(X_part, part, at, dist, store[pos], codes, 0,
                                                True, new_t, new_rows, 0, settled)  # fmt: skip
            added = np.concatenate([added, new_rows[:n_new]])
        equal(added, candidates[want])
        pos = knn.knn_blocked(X, candidates, X, store, k, skip[:1].repeat(candidates.size), 4, 8)[
            1
        ]
        equal(
            condensed.misclassified(store[pos], codes, 0, True),
            naive.store_vote_misses(X, candidates, store, codes, 0, k, False),
        )


def check_knn(X):
    n = len(X)
    rows = np.arange(n)
    dist, neighbors = knn.knn_blocked(X, rows, X, rows, 3, rows, 4, 5)
    ref_dist, ref_pos = naive.knn(X, rows, 3)
    equal(neighbors, ref_pos)
    equal(dist, ref_dist)
    skip = np.full(5, -1)
    queries = np.array([0, 7, 7, 2, n - 1])
    got = knn.knn_blocked(X, queries, X[::2].copy(), np.arange(0, (n + 1) // 2), 3, skip, 2, 3)
    want = naive.knn_of(X, queries, X[::2].copy(), np.arange(0, (n + 1) // 2), 3, skip)
    equal(got[1], want[1])
    equal(got[0], want[0])
    for include_self in (False, True):
        dist, pos = knn.knn_symmetric(X, rows, 3, include_self, 4, 3)
        ref_dist, ref_pos = naive.knn(X, rows, 3, not include_self)
        equal(pos, ref_pos)
        equal(dist, ref_dist)
    codes = (X[:, :1] > 1).astype(np.int32)
    dist, pos = knn.knn_mixed(X, codes, 0.5, 3, 4, 3)
    ref_dist, ref_pos = naive.mixed_knn(X, codes, 0.5, 3)
    equal(pos, ref_pos)
    equal(dist, ref_dist)
    X64 = X.astype(np.float64) + np.arange(n)[:, None] * 0.01  # fewer exact ties
    centre, sq = knn.centre_and_sq_norms(X64, rows)
    for got, want in zip((centre, sq), naive.centre_and_sq_norms(X64, rows), strict=True):
        equal(got, want)
    exact = naive.sq_distance_matrix(X64, rows)
    for mode in (knn.FUSED, knn.BLAS):
        short_dist, short_pos = knn.knn_shortlist_symmetric(X64, rows, centre, sq, 5, 4, 3, mode)
        np.testing.assert_allclose(short_dist, np.sort(exact, axis=1)[:, :5], rtol=1e-9, atol=1e-9)
        dist, pos, proven = knn.refine_shortlist(
            X64, rows, rows, short_dist, short_pos, sq, sq.max(), 3, 2.2e-16
        )
        ref_dist, ref_pos = naive.knn(X64, rows, 3)
        assert proven.any()
        equal(pos[proven], ref_pos[proven])
        equal(dist[proven], ref_dist[proven])
        short_dist, short_pos = knn.knn_shortlist_of(
            X64, queries, rows, centre, sq[queries], sq, 4, queries, mode, 2, 8, 1
        )
        expected = np.sort(naive.sq_distance_matrix(X64, queries), axis=1)[:, :4]
        np.testing.assert_allclose(short_dist, expected, rtol=1e-9, atol=1e-9)
    short_dist, short_pos = knn.knn_shortlist_columns(
        X64, queries, rows, centre, sq[queries], sq, 4, queries
    )
    np.testing.assert_allclose(short_dist, expected, rtol=1e-9, atol=1e-9)
    assert not knn.runs_query_major(queries.size, rows.size, 4, knn.FUSED)
    dist, pos, proven = knn.knn_refined_columns(
        X64, queries, rows, centre, sq[queries], sq, 4, 2, queries, 2.2e-16
    )
    ref_dist, ref_pos = naive.knn_of(X64, queries, X64, rows, 2, queries)
    equal(pos[proven], ref_pos[proven])
    equal(dist[proven], ref_dist[proven])
    return neighbors


def check_smote(X, neighbors):
    rows = np.arange(len(X))
    key = naive.stream_key(42, 1)
    base, slot, gap = smote.smote_draws_range(np.uint64(key), 5, 4, len(X), 3)
    for t in range(4):
        assert (base[t], slot[t], gap[t]) == naive.smote_draws(key, 5 + t, len(X), 3)
    counts = np.arange(len(X)) % 3
    damp = (np.arange(len(X) * 3) % 2 == 0).reshape(len(X), 3)
    n_first = len(X) // 2  # groups: bases split in two, rows 2 + the rest, steps 1 and -0.5
    groups = np.array([[n_first, 7], [len(X), 14]], dtype=np.int64)
    steps = np.array([1.0, -0.5])
    grouped = {
        "group_bases": np.diff(groups[:, 0], prepend=0),
        "group_rows": np.diff(groups[:, 1], prepend=0),
        "steps": steps,
    }
    no_groups = (smote.NO_GROUPS, smote.NO_STEPS)
    for cum, flags, group_args, kwargs in (
        (smote.NO_COUNTS, smote.NO_DAMP, no_groups, {}),
        (np.cumsum(counts), smote.NO_DAMP, no_groups, {"counts": counts}),
        (smote.NO_COUNTS, damp, no_groups, {"damp": damp, "damp_key": 7}),
        (smote.NO_COUNTS, smote.NO_DAMP, (groups, steps), grouped),
    ):
        out = np.empty((9, X.shape[1]), X.dtype)
        smote.smote_generate(
            X, rows, neighbors, np.uint64(key), 5, out, 0, 9, 4, cum, flags, np.uint64(7),
            *group_args,
        )  # fmt: skip
        expected, draws = naive.smote_generate(X, rows, neighbors, key, 5, 9, **kwargs)
        equal(out, expected)
        base, neighbor, gap = smote.smote_origins(
            rows, neighbors, np.uint64(key), 5, 9, cum, flags, np.uint64(7), *group_args
        )
        equal(np.column_stack([base, neighbor]), np.array([d[:2] for d in draws]))
        equal(gap, np.array([d[2] for d in draws]))
    codes = (X.astype(np.int32) % 2).astype(np.int32)
    tie_key = naive.stream_key(key, 2)
    out = np.empty((6, X.shape[1]), X.dtype)
    out_codes = np.empty((6, codes.shape[1]), np.int32)
    smote.smotenc_generate(
        X, codes, neighbors, np.uint64(key), np.uint64(tie_key), 3, out, out_codes, 0, 6, 4
    )
    expected, expected_codes = naive.smotenc_generate(X, codes, neighbors, key, tie_key, 3, 6)
    equal(out, expected)
    equal(out_codes, expected_codes)
    only_codes = np.empty((7, codes.shape[1]), np.int32)
    smote.smotenc_codes(codes, neighbors, np.uint64(key), np.uint64(tie_key), 3, only_codes, 1,
                        6, 4)  # fmt: skip
    equal(only_codes[1:], expected_codes)


def check_clusters(X):
    rows = np.array([0, 2, 3, 7, 9])
    total = clusters.pairwise_distance_sum(X, rows)
    assert abs(total - naive.pairwise_distance_sum(X, rows)) <= 1e-9 * total
    M = csr_matrix(X)
    assert clusters.csr_pairwise_distance_sum(M.data, M.indices, M.indptr, rows) == total


def check_vdm(X):
    codes = (X.astype(np.int32) % 3).astype(np.int32)
    classes = np.arange(len(X)) % 2
    distance = naive.vdm_matrix(codes, classes, 2, [3] * codes.shape[1])
    tables = [vdm_table(p) for p in vdm_probabilities(codes, classes, 2, [3] * codes.shape[1])]
    flat = np.concatenate([t.ravel() for t in tables])
    offsets = np.array([0, 9], dtype=np.int64)
    sizes = np.array([3, 3], dtype=np.int64)
    rows = np.arange(len(X), dtype=np.int64)
    dist, pos = vdm.knn_vdm(codes, rows, flat, offsets, sizes, 3, 4, 5)
    ref_dist, ref_pos = naive.knn_from_matrix(distance, 3)
    equal(pos, ref_pos)
    equal(dist, ref_dist)
    voters = np.column_stack([rows, pos])
    key = naive.stream_key(5, 0)
    out = np.empty((6, codes.shape[1]), np.int32)
    vdm.smoten_generate(codes, voters, np.uint64(key), 2, out, 0, 6, 4)
    expected, bases = naive.smoten_generate(codes, voters, key, 2, 6)
    equal(out, expected)
    equal(vdm.smoten_bases(np.uint64(key), 2, 6, len(X)), bases)


def check_sampling(X):
    key = naive.stream_key(9, 2)
    positions = sampling.bootstrap_positions(np.uint64(key), 3, 7, len(X))
    equal(positions, naive.bootstrap_positions(key, 3, 7, len(X)))
    equal(sampling.priorities(np.uint64(key), 5), naive.priorities(key, 5))
    equal(sampling.priorities_from(np.uint64(key), 2, 3), naive.priorities(key, 5)[2:])
    scale = np.array([0.0, 0.25])
    out = np.empty((8, 2), X.dtype)
    sampling.smoothed_bootstrap(X, positions, np.uint64(key), 3, scale, out, 1)
    equal(out[1:], naive.smoothed_bootstrap(X, positions, key, 3, scale))


def check_leakage(X, neighbors):
    rows = np.arange(len(X))
    off_grid = np.ones(X.shape, dtype=bool)
    sets = (rows % 3 + 1).astype(np.uint8)
    args = (X.astype(np.float64), sets, rows, neighbors, off_grid, 2, 1e-5, 1e-12, 1e-6, 1)
    found = leakage.segment_hits(*args)
    reference = naive.segment_hits(*args)
    equal(found[0], reference[0])
    equal(found[1], reference[1])
    column = X[:, 0].astype(np.float64)
    values = np.unique(column)
    counts = np.zeros(values.size, dtype=np.int64)
    leakage.count_values(column.view(np.uint64), values.view(np.uint64), counts)
    equal(counts, naive.count_values(column, values))


def check_sparse(X):
    from scipy.sparse import csr_matrix

    M = csr_matrix(np.hstack([X, X[::-1], X[:, :1]]))  # one group of four, then the rest
    n, d = M.shape
    C = M.tocsc()
    groups = sparse.csr_groups(M.data, M.indices, M.indptr, d)
    sq = sparse.csr_sq_norms(M.data, M.indptr)
    queries = np.arange(0, n, 2, dtype=np.int64)
    skip = np.where(queries % 4 == 0, queries, -1)
    dist, pos = sparse.csr_knn(*groups, M.data, M.indices, M.indptr, C.indptr, C.indices,
                               C.data, sq, d, queries, 3, skip, 4)  # fmt: skip
    reference = naive.csr_knn(M, queries, 3, skip)
    equal(dist, reference[0])
    equal(pos, reference[1])
    codes = (M.toarray()[:, :2] % 2).astype(np.int32)
    every = np.arange(n, dtype=np.int64)
    weight = M.dtype.type(0.7)
    dist, pos = sparse.csr_knn(*groups, M.data, M.indices, M.indptr, C.indptr, C.indices,
                               C.data, sq, d, every, 3, every, 4, codes, weight)  # fmt: skip
    reference = naive.mixed_knn(M.toarray(), codes, weight, 3)
    equal(dist, reference[0])
    equal(pos, reference[1])
    base, neighbor = np.arange(n), pos[np.arange(n) // 2 % len(pos), 0]
    gap = np.linspace(0, 1, n, endpoint=False)
    counts = sparse.csr_union_counts(M.indices, M.indptr, base, neighbor)
    indptr = np.r_[0, np.cumsum(counts)]
    data, indices = np.empty(indptr[-1], M.dtype), np.empty(indptr[-1], M.indices.dtype)
    sparse.csr_interpolate(M.data, M.indices, M.indptr, base, neighbor, gap.astype(M.dtype),
                           indptr, data, indices)  # fmt: skip
    rows, columns = naive.csr_interpolate(M, base, neighbor, gap)
    equal(csr_matrix((data, indices, indptr), shape=(n, d)).toarray(), rows)
    equal(indices, np.concatenate(columns))
    placed = np.array([1, 4], dtype=np.int64)  # categorical columns: values set, not mixed
    is_categorical = np.isin(np.arange(d), placed)
    values = (np.arange(2 * n).reshape(n, 2) % 3).astype(M.dtype)
    counts = sparse.csr_mixed_counts(M.indices, M.indptr, base, neighbor, is_categorical, values)
    indptr = np.r_[0, np.cumsum(counts)]
    data, indices = np.empty(indptr[-1], M.dtype), np.empty(indptr[-1], M.indices.dtype)
    sparse.csr_mixed_interpolate(M.data, M.indices, M.indptr, base, neighbor,
                                 gap.astype(M.dtype), is_categorical, placed, values, indptr,
                                 data, indices)  # fmt: skip
    mixed = csr_matrix((data, indices, indptr), shape=(n, d))
    rows[:, placed] = values
    equal(mixed.toarray(), rows)
    assert mixed.has_sorted_indices and (mixed.data[np.isin(mixed.indices, placed)] != 0).all()
    std = sampling.csr_column_std(M.data, M.indices, M.indptr, C.indptr, C.indices, C.data, n)
    equal(std, M.toarray().std(axis=0, dtype=np.float64))
    scale = np.where(np.arange(d) % 2 == 0, 0.5, 0.0)
    active = np.flatnonzero(scale)
    counts = sampling.csr_smoothed_counts(M.indices, M.indptr, base, active)
    indptr = np.r_[0, np.cumsum(counts)]
    data, indices = np.empty(indptr[-1], M.dtype), np.empty(indptr[-1], M.indices.dtype)
    sampling.csr_smoothed_bootstrap(M.data, M.indices, M.indptr, base, active, scale,
                                    np.uint64(7), 2, d, indptr, data, indices)  # fmt: skip
    rows, columns = naive.csr_smoothed_bootstrap(M, base, 7, 2, scale)
    equal(csr_matrix((data, indices, indptr), shape=(n, d)).toarray(), rows)
    equal(indices, np.concatenate(columns))


def check_nearmiss(X):
    queries = np.arange(0, len(X), 2, dtype=np.int64)
    refs = np.arange(1, len(X), 3, dtype=np.int64)
    for farthest in (False, True):
        found = nearmiss.distance_sums(X, queries, X, refs, 3, farthest, 4, 16)
        equal(found, naive.distance_sums(X, queries, X, refs, 3, farthest))


def check_nndescent():
    rng = np.random.default_rng(1)
    data = rng.standard_normal((24, 3))
    n_slots = 5
    g_dist = np.empty((24, n_slots))
    g_pos = np.empty((24, n_slots), dtype=np.int32)
    for i in range(24):
        others = rng.choice(np.delete(np.arange(24), i), n_slots, replace=False)
        dist = naive.sq_distances_to(data, i)[others]
        order = np.lexsort((others, dist))
        g_dist[i], g_pos[i] = dist[order], others[order]
    g_new = rng.random((24, n_slots)) < 0.6
    key = 12345
    expected = naive.nndescent_round(
        data, g_dist, g_pos, g_new, 4, naive.stream_key(naive.stream_key(key, 3), 0)
    )
    assert refine_graph(data, g_dist, g_pos, g_new, 4, np.uint64(key), rounds=1) == 1
    for got, want in zip((g_dist, g_pos, g_new), expected, strict=True):
        equal(got, want)
    g_dist, g_pos, _ = nndescent_graph(data, n_slots, 4, 2, key=3)
    for i in range(24):  # sorted, self-free, exact distances
        assert i not in g_pos[i] and (np.diff(g_dist[i]) >= 0).all()
        equal(g_dist[i], naive.sq_distances_to(data, i)[g_pos[i]])


def main():
    X = np.random.default_rng(0).integers(0, 3, size=(23, 2)).astype(np.float32)
    sys.setprofile(record)
    check_arrays(X)
    check_cleaning(X)
    check_condensed(X)
    neighbors = check_knn(X)
    check_smote(X, neighbors)
    check_vdm(X)
    check_sampling(X)
    check_clusters(X)
    check_leakage(X, neighbors)
    check_sparse(X)
    check_nearmiss(X)
    check_nndescent()
    sys.setprofile(None)
    y = np.repeat([0, 1], [15, 8])
    X_res, y_res = SMOTE(k_neighbors=2, random_state=0).fit_resample(
        X[5:].astype(np.float64), y[5:]
    )
    assert X_res.shape == (20, 2) and (y_res == 1).sum() == 10
    print("\n".join(sorted(called)))
    print("ok")


if __name__ == "__main__":
    main()
