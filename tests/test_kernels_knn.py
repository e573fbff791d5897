"""Exact kNN kernels (``fastsmote._kernels.knn``) against the references in ``naive.py``,
and the exact search paths built on them."""

import naive
import numpy as np
import pytest
from naive import knn as naive_knn

from fastsmote._kernels.knn import (
    BLAS,
    FUSED,
    centre_and_sq_norms,
    knn_blocked,
    knn_mixed,
    knn_shortlist_of,
    knn_shortlist_symmetric,
    knn_symmetric,
    refine_shortlist,
)
from fastsmote._numba import numba_threads
from fastsmote.neighbors import exact_kneighbors

DTYPES = [np.float32, np.float64]


def data_with_duplicates_and_ties(n, d, dtype, seed):
    rng = np.random.default_rng(seed)
    # small integer grid -> many exact ties; repeated rows -> exact duplicates
    X = rng.integers(0, 4, size=(n, d)).astype(dtype)
    X[5] = X[3]
    X[6] = X[3]
    X[n - 1] = X[0]
    return X


def continuous_with_row_subset(n, d, m, dtype, seed):
    """Gaussian data and ``m`` sorted row numbers of it, scattered through the rows."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(dtype)
    return X, np.sort(rng.choice(n, m, replace=False)).astype(np.int64)


def assert_matches_naive(found, X, rows, exclude_self):
    """(dist, pos) from a kernel equal the NumPy reference's, bit for bit."""
    dist, pos = found
    ref_dist, ref_pos = naive_knn(X, rows, pos.shape[1], exclude_self)
    np.testing.assert_array_equal(pos, ref_pos)
    np.testing.assert_array_equal(dist, ref_dist)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("exclude_self", [True, False])
@pytest.mark.parametrize("blocks", [(1, 16), (7, 16), (256, 1024)])
def test_knn_matches_naive_with_ties_and_duplicates(dtype, exclude_self, blocks):
    X = data_with_duplicates_and_ties(97, 3, dtype, seed=1)
    rows = np.arange(0, 97, dtype=np.int64)
    skip = rows if exclude_self else np.full(rows.size, -1)
    assert_matches_naive(knn_blocked(X, rows, X, rows, 6, skip, *blocks), X, rows, exclude_self)


@pytest.mark.parametrize("dtype", DTYPES)
def test_knn_on_subset_rows_and_continuous_data(dtype):
    X, rows = continuous_with_row_subset(300, 7, 120, dtype, seed=2)
    found = knn_blocked(X, rows, X, rows, 5, np.arange(rows.size), 32, 48)
    assert_matches_naive(found, X, rows, exclude_self=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("exclude_self", [True, False])
@pytest.mark.parametrize("block, tile_rows", [(1, 1), (7, 3), (16, 16), (40, 6), (2048, 128)])
def test_symmetric_knn_matches_naive_with_ties_and_duplicates(
    dtype, exclude_self, block, tile_rows
):
    # 301 rows: an odd number of blocks for most sizes (the schedule's dummy block) and
    # tiles that do not divide the blocks
    X = data_with_duplicates_and_ties(301, 3, dtype, seed=4)
    rows = np.arange(301, dtype=np.int64)
    found = knn_symmetric(X, rows, 6, not exclude_self, block, tile_rows)
    assert_matches_naive(found, X, rows, exclude_self)


@pytest.mark.parametrize("group_rows", [1, 7, 50])
def test_symmetric_knn_with_many_small_groups_matches_naive(monkeypatch, group_rows):
    """Groups capped at ``GROUP_ROWS`` rows (more rounds, more tasks): the same lists."""
    from fastsmote._kernels import knn

    monkeypatch.setattr(knn, "GROUP_ROWS", group_rows)
    X = data_with_duplicates_and_ties(301, 3, np.float64, seed=5)
    rows = np.arange(301, dtype=np.int64)
    with numba_threads(2):
        found = knn_symmetric(X, rows, 6, False, 7, 3)
    assert_matches_naive(found, X, rows, True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_symmetric_knn_on_subset_rows_equals_the_one_sided_kernel(dtype):
    X, rows = continuous_with_row_subset(900, 9, 700, dtype, seed=5)
    expected = knn_blocked(X, rows, X, rows, 5, np.arange(rows.size), 64, 128)
    for n_threads in (1, 2):
        with numba_threads(n_threads):
            got = knn_symmetric(X, rows, 5, False, 32, 8)
        np.testing.assert_array_equal(got[1], expected[1])
        np.testing.assert_array_equal(got[0], expected[0])


def test_duplicates_are_neighbours_self_is_not():
    X = np.zeros((4, 2))
    X[3] = 1.0
    pos = exact_kneighbors(X, 2)
    # rows 0,1,2 are identical: each has the other two at distance 0, lower first
    np.testing.assert_array_equal(pos[:3], [[1, 2], [0, 2], [0, 1]])
    assert not np.any(pos == np.arange(4)[:, None])


def test_knn_asks_for_more_neighbours_than_exist():
    X = np.arange(6, dtype=np.float64).reshape(3, 2)
    dist, pos = knn_blocked(X, np.arange(3), X, np.arange(3), 4, np.arange(3), 2, 2)
    assert np.all(pos[:, 2:] == -1) and np.all(np.isinf(dist[:, 2:]))


def test_exact_kneighbors_matches_sklearn_on_continuous_data():
    from sklearn.neighbors import NearestNeighbors

    X = np.random.default_rng(3).standard_normal((500, 10))
    dist, pos = exact_kneighbors(X, 5, return_distance=True)
    ref_dist, ref_pos = NearestNeighbors(n_neighbors=6).fit(X).kneighbors(X)
    np.testing.assert_array_equal(pos, ref_pos[:, 1:])
    np.testing.assert_allclose(dist, ref_dist[:, 1:], rtol=1e-12)


SHORTLISTS = ["fused", "blas"]


def _shortlist_vs_direct(X, method, k=5, rows=None):
    d_dist, d_pos = exact_kneighbors(X, k, rows, method="direct", return_distance=True)
    s_dist, s_pos = exact_kneighbors(X, k, rows, method=method, return_distance=True)
    np.testing.assert_array_equal(s_pos, d_pos)
    np.testing.assert_array_equal(s_dist, d_dist)


@pytest.mark.parametrize("method", SHORTLISTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_features", [8, 21, 40])  # the fused kernel's 4-feature steps + rest
def test_shortlist_paths_equal_direct_on_continuous_data(method, dtype, n_features):
    X = np.random.default_rng(7).standard_normal((1501, n_features)).astype(dtype)
    _shortlist_vs_direct(X, method)


@pytest.mark.parametrize("method", SHORTLISTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_shortlist_paths_equal_direct_on_scattered_rows(method, dtype):
    X, rows = continuous_with_row_subset(2500, 36, 1400, dtype, seed=10)
    _shortlist_vs_direct(X + 50, method, rows=rows)  # offset: centring uses the selected rows


@pytest.mark.parametrize("method", SHORTLISTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_shortlist_paths_equal_direct_with_duplicates_ties_and_offsets(method, dtype):
    rng = np.random.default_rng(8)
    X = rng.integers(0, 3, size=(1200, 30)).astype(dtype) + 1000  # far from the origin
    X[100:140] = X[7]  # a block of exact duplicates: shortlists cannot prove these
    _shortlist_vs_direct(X, method, k=6)


@pytest.mark.parametrize("method", SHORTLISTS)
def test_mostly_unprovable_shortlists_fall_back_to_one_direct_search(method, monkeypatch):
    import fastsmote.neighbors._exact as exact

    X = np.random.default_rng(11).integers(0, 2, size=(1100, 12)).astype(np.float32)
    expected = exact_kneighbors(X, 5, method="direct")  # 2^12 cells for 1100 rows: ties
    calls = []
    for name in ("_direct", "_direct_self_search"):  # one-sided redo / whole direct search
        kernel = getattr(exact, name)
        monkeypatch.setattr(exact, name, lambda *a, n=name, f=kernel: calls.append(n) or f(*a))
    np.testing.assert_array_equal(exact_kneighbors(X, 5, method=method), expected)
    assert calls == ["_direct_self_search"]


def test_auto_method_follows_the_documented_rule():
    from fastsmote.neighbors._exact import (
        BLAS_MIN_FEATURES,
        FUSED_MIN_FEATURES,
        shortlist_method,
    )

    assert shortlist_method(FUSED_MIN_FEATURES - 1, 10_000) is None
    assert shortlist_method(FUSED_MIN_FEATURES, 10_000) == "fused"
    assert shortlist_method(BLAS_MIN_FEATURES - 1, 10_000) == "fused"
    assert shortlist_method(BLAS_MIN_FEATURES, 10_000) == "blas"
    assert shortlist_method(20, 1024) is None  # small sets: direct
    assert shortlist_method(20, 10_000, n_neighbors=1) is None  # memory: see its docstring
    assert shortlist_method(20, 10_000, n_neighbors=2) == "fused"


@pytest.mark.parametrize("mode_name", ["FUSED", "BLAS"])
@pytest.mark.parametrize("block, tile_rows", [(64, 16), (50, 7), (33, 1)])  # odd rows out
def test_shortlists_hold_each_rows_best_approximations(mode_name, block, tile_rows):
    import fastsmote._kernels.knn as knn

    rng = np.random.default_rng(12)
    X = rng.standard_normal((301, 13)) + 3
    rows = np.arange(301, dtype=np.int64)
    centre, sq = knn.centre_and_sq_norms(X, rows)
    m = 6
    short_dist, short_pos = knn.knn_shortlist_symmetric(
        X, rows, centre, sq, m, block, tile_rows, getattr(knn, mode_name)
    )
    exact = naive.sq_distance_matrix(X, rows)
    expected = np.sort(exact, axis=1)[:, :m]
    # float64 data: the product form is within rounding of the exact distances
    np.testing.assert_allclose(short_dist, expected, rtol=1e-9, atol=1e-9)
    found = np.take_along_axis(exact, short_pos, axis=1)
    np.testing.assert_allclose(found, expected, rtol=1e-9, atol=1e-9)


def test_blas_refinement_flags_unprovable_queries():
    from fastsmote._kernels.knn import (
        BLAS,
        centre_and_sq_norms,
        knn_shortlist_symmetric,
        refine_shortlist,
    )

    rng = np.random.default_rng(9)
    X = rng.standard_normal((300, 32))
    X[:20] = X[0]  # 20 identical rows: with a shortlist of 8 the 5 lowest cannot be proven
    rows = np.arange(300, dtype=np.int64)
    centre, sq = centre_and_sq_norms(X, rows)
    np.testing.assert_allclose(centre, X.mean(axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sq, ((X - X.mean(axis=0)) ** 2).sum(axis=1), rtol=1e-12)
    short_dist, short_pos = knn_shortlist_symmetric(X, rows, centre, sq, 8, 64, 16, BLAS)
    _, _, proven = refine_shortlist(X, rows, rows, short_dist, short_pos, sq, sq.max(), 5, 2.2e-16)
    assert not proven[:20].any()
    assert proven[20:].mean() > 0.9


# ------------------------------------------------------- one-sided shortlists (queries x all)


def _one_sided_vs_direct(X, queries, method, k=5):
    from fastsmote.neighbors import exact_kneighbors_of

    direct = exact_kneighbors_of(X, queries, k, method="direct")
    np.testing.assert_array_equal(exact_kneighbors_of(X, queries, k, method=method), direct)
    return direct


@pytest.mark.parametrize("method", SHORTLISTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_features", [8, 21, 40])
def test_one_sided_shortlists_equal_direct_on_continuous_data(method, dtype, n_features):
    rng = np.random.default_rng(13)
    X = rng.standard_normal((2100, n_features)).astype(dtype) + 20  # offset: centring matters
    queries = rng.integers(0, 2100, 700)  # any order, with repeats
    direct = _one_sided_vs_direct(X, queries, method, k=7)
    assert (direct != queries[:, None]).all()  # never a query's own row
    ref_dist, ref_pos = naive_knn(X, np.arange(2100), 7, True)
    np.testing.assert_array_equal(direct, ref_pos[queries])


@pytest.mark.parametrize("method", SHORTLISTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_one_sided_shortlists_equal_direct_with_duplicates_and_ties(method, dtype):
    rng = np.random.default_rng(14)
    X = rng.integers(0, 3, size=(1300, 30)).astype(dtype) + 1000  # far from the origin
    X[100:140] = X[7]  # exact duplicates: their shortlists cannot be proven
    queries = np.concatenate([np.arange(95, 145), rng.integers(0, 1300, 300)])
    _one_sided_vs_direct(X, queries, method, k=6)


@pytest.mark.parametrize("n_queries", [1, 3, 129])  # fewer queries than a tile, odd rows out
def test_one_sided_shortlists_with_few_queries(n_queries):
    rng = np.random.default_rng(15)
    X = rng.standard_normal((1500, 12)).astype(np.float32)
    _one_sided_vs_direct(X, rng.choice(1500, n_queries, replace=False), "fused", k=1)


@pytest.mark.parametrize("mode_name", ["FUSED", "BLAS"])
@pytest.mark.parametrize(
    "query_block, ref_block, tile_rows", [(64, 64, 16), (50, 33, 7), (9, 512, 1)]
)
def test_one_sided_shortlists_hold_each_querys_best_approximations(
    mode_name, query_block, ref_block, tile_rows
):
    import fastsmote._kernels.knn as knn

    rng = np.random.default_rng(16)
    X = rng.standard_normal((301, 13)) + 3
    queries = rng.integers(0, 301, 77)
    centre, sq = knn.centre_and_sq_norms(X, np.arange(301, dtype=np.int64))
    m = 6
    short_dist, short_pos = knn.knn_shortlist_of(
        X, queries, np.arange(301), centre, sq[queries], sq, m, queries,
        getattr(knn, mode_name), query_block, ref_block, tile_rows,
    )  # fmt: skip
    exact = naive.sq_distance_matrix(X, queries)  # skip: the query's own row
    expected = np.sort(exact, axis=1)[:, :m]
    np.testing.assert_allclose(short_dist, expected, rtol=1e-9, atol=1e-9)
    found = np.take_along_axis(exact, short_pos, axis=1)
    np.testing.assert_allclose(found, expected, rtol=1e-9, atol=1e-9)


def test_one_sided_redo_covers_exactly_the_unproven_queries(monkeypatch):
    import fastsmote.neighbors._exact as exact

    rng = np.random.default_rng(17)
    X = rng.standard_normal((1200, 16)).astype(np.float32)
    X[:30] = X[0]  # 30 identical rows: a shortlist of k + 2 cannot prove them
    queries = np.array([5, 500, 17, 900, 29])
    redone = []
    direct = exact._direct
    monkeypatch.setattr(exact, "_direct", lambda X, q, *a: redone.append(q) or direct(X, q, *a))
    found = exact.exact_kneighbors_of(X, queries, 4, method="fused")
    np.testing.assert_array_equal(redone[0], [5, 17, 29])
    monkeypatch.undo()
    np.testing.assert_array_equal(found, exact.exact_kneighbors_of(X, queries, 4, method="direct"))


def test_unknown_search_method_is_named():
    from fastsmote.neighbors import exact_kneighbors_of

    X = np.random.default_rng(19).standard_normal((20, 3))
    for search in (lambda m: exact_kneighbors(X, 2, method=m),
                   lambda m: exact_kneighbors_of(X, [0, 1], 2, method=m)):  # fmt: skip
        with pytest.raises(ValueError, match="method must be .* got 'brute'"):
            search("brute")


# ------------------------------------------------ small random inputs against naive.py


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_cat", [1, 3])
@pytest.mark.parametrize("block, tile_rows", [(32, 16), (7, 3)])  # odd blocks, odd tiles
def test_mixed_knn_matches_naive(dtype, n_cat, block, tile_rows):
    rng = np.random.default_rng(n_cat)
    X = rng.integers(0, 3, size=(150, 3)).astype(dtype)  # ties
    X[20:23] = X[19]  # duplicates
    codes = rng.integers(0, 2, size=(150, n_cat)).astype(np.int32)
    codes[20:23] = codes[19]
    weight = dtype(0.7)
    dist, pos = knn_mixed(X, codes, weight, 5, block, tile_rows)
    ref_dist, ref_pos = naive.mixed_knn(X, codes, weight, 5)
    np.testing.assert_array_equal(pos, ref_pos)
    np.testing.assert_array_equal(dist, ref_dist)
    assert dist.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_searches_on_one_two_and_three_rows(dtype, n):
    X = np.arange(2 * n, dtype=dtype).reshape(n, 2)
    rows = np.arange(n, dtype=np.int64)
    codes = np.zeros((n, 1), dtype=np.int32)
    k = 3  # more neighbours than there are rows
    for found in (
        knn_blocked(X, rows, X, rows, k, rows, 2, 2),
        knn_symmetric(X, rows, k, False, 2, 1),
        knn_mixed(X, codes, 1.0, k, 2, 1),
    ):
        ref_dist, ref_pos = naive_knn(X, rows, k)
        np.testing.assert_array_equal(found[1], ref_pos)
        np.testing.assert_array_equal(found[0], ref_dist)
        assert (found[1][:, n - 1 :] == -1).all()
    dist, pos = knn_symmetric(X, rows, k, True, 2, 1)  # self included: found first
    np.testing.assert_array_equal(pos, naive_knn(X, rows, k, exclude_self=False)[1])
    np.testing.assert_array_equal(pos[:, 0], rows)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("blocks", [(1, 1), (5, 8), (64, 256)])
def test_knn_of_queries_against_other_references_matches_naive(dtype, blocks):
    rng = np.random.default_rng(21)
    X_query = rng.integers(0, 3, size=(40, 5)).astype(dtype)  # ties with the references
    X_ref = rng.integers(0, 3, size=(70, 5)).astype(dtype)
    X_ref[30:33] = X_ref[2]  # duplicates
    query_rows = rng.integers(0, 40, 25)  # any order, with repeats
    ref_rows = np.sort(rng.choice(70, 50, replace=False))
    for skip in (np.full(25, -1), rng.integers(0, 50, 25)):
        found = knn_blocked(X_query, query_rows, X_ref, ref_rows, 6, skip, *blocks)
        ref_dist, ref_pos = naive.knn_of(X_query, query_rows, X_ref, ref_rows, 6, skip)
        np.testing.assert_array_equal(found[1], ref_pos)
        np.testing.assert_array_equal(found[0], ref_dist)
        assert not (found[1] == skip[:, None]).any()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_rows", [1, 2, 57])
def test_centre_and_sq_norms_match_naive(dtype, n_rows):
    rng = np.random.default_rng(n_rows)
    X = (rng.standard_normal((80, 6)) * 10 + 100).astype(dtype)
    rows = rng.choice(80, n_rows, replace=False)  # any order: the sum runs in row order
    centre, sq = centre_and_sq_norms(X, rows)
    ref_centre, ref_sq = naive.centre_and_sq_norms(X, rows)
    assert centre.dtype == sq.dtype == dtype
    np.testing.assert_array_equal(centre, ref_centre)
    np.testing.assert_array_equal(sq, ref_sq)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", [FUSED, BLAS])
def test_refined_shortlists_are_exact_where_proven(dtype, mode):
    rng = np.random.default_rng(22)
    X = rng.integers(0, 3, size=(200, 16)).astype(dtype) + 50  # ties, far from the origin
    X[40:46] = X[3]  # duplicates
    rows = np.sort(rng.choice(200, 150, replace=False))
    centre, sq = centre_and_sq_norms(X, rows)
    short_dist, short_pos = knn_shortlist_symmetric(X, rows, centre, sq, 7, 32, 8, mode)
    eps = np.finfo(dtype).eps
    dist, pos, proven = refine_shortlist(
        X, rows, rows, short_dist, short_pos, sq, sq.max(), 4, eps
    )
    # the exact top 4 of each shortlist, in the defined order, ties to the lower position
    for i in range(rows.size):
        listed = short_pos[i][short_pos[i] >= 0]
        exact = naive.sq_distances_to(X[rows], i)[listed]
        order = np.lexsort((listed, exact))[:4]
        np.testing.assert_array_equal(pos[i], listed[order])
        np.testing.assert_array_equal(dist[i], exact[order])
    # a proven list is the true kNN among all rows
    ref_dist, ref_pos = naive_knn(X, rows, 4)
    np.testing.assert_array_equal(pos[proven], ref_pos[proven])
    np.testing.assert_array_equal(dist[proven], ref_dist[proven])
    assert proven.mean() > 0.5


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_sided_shortlists_hold_the_naive_nearest(dtype):
    rng = np.random.default_rng(23)
    X = rng.standard_normal((90, 9)).astype(dtype)
    queries = np.array([0, 89, 5, 5])  # first, last, a repeat
    skip = np.array([0, -1, 7, 5])  # own row, none, another row, own row
    centre, sq = centre_and_sq_norms(X, np.arange(90))
    for mode in (FUSED, BLAS):
        short_dist, short_pos = knn_shortlist_of(
            X, queries, np.arange(90), centre, sq[queries], sq, 5, skip, mode, 2, 16, 1
        )
        exact = naive.sq_distance_matrix(X, queries, skip)
        expected = np.sort(exact, axis=1)[:, :5]
        rtol = 1e-4 if dtype == np.float32 else 1e-9
        np.testing.assert_allclose(short_dist, expected, rtol=rtol, atol=rtol)
        assert not (short_pos == skip[:, None]).any()


# ------------------------------------------------------------ merges of distance tiles


def _lists(rng, n_query, m, dtype, before):
    """Sorted (distance, position) lists: cold (inf, -1), warm, and partly filled, all
    from positions below ``before``."""
    dist = np.full((n_query, m), np.inf, dtype=dtype)
    pos = np.full((n_query, m), -1, dtype=np.int64)
    for i in range(n_query):
        filled = [0, m, m // 2][i % 3]
        d = rng.integers(0, 8, filled).astype(dtype)
        p = rng.choice(before, filled, replace=False)
        order = np.lexsort((p, d))
        dist[i, :filled], pos[i, :filled] = d[order], p[order]
    return dist, pos


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_ref", [3, 63, 64, 65, 130, 512])
@pytest.mark.parametrize("m", [1, 5, 9])
def test_row_merge_offers_every_distance_in_turn(dtype, n_ref, m):
    import fastsmote._kernels.knn as knn

    rng = np.random.default_rng(100 * n_ref + m)
    n_query, r0 = 60, 1000
    tile = rng.integers(0, 6, size=(n_query + knn.SPARE_TILE_ROWS, n_ref)).astype(dtype)
    tile[::2] = rng.random((len(tile[::2]), n_ref)) * 8  # no ties: candidates in many lanes
    tile[3] = 2  # one distance for every reference
    tile[7, ::2] = 0  # ties in one lane, and across lanes
    tile[8, : n_ref // 2] = tile[8, n_ref // 2 : 2 * (n_ref // 2)]  # pairs of equal rows
    skip = rng.integers(r0 - 3, r0 + n_ref + 3, n_query)
    skip[::5] = -1
    dist, pos = _lists(rng, n_query, m, dtype, r0)
    expected = []
    for i in range(n_query):
        refs = np.arange(r0, r0 + n_ref)
        keep = refs != skip[i]
        expected.append(naive.merge_top(dist[i], pos[i], tile[i, :n_ref][keep], refs[keep]))
    lanes = np.empty(knn.MERGE_LANES, dtype=dtype), np.empty(knn.MERGE_LANES, dtype=np.int64)
    knn._merge_rows(tile.copy(), 0, n_query, r0, n_ref, skip, dist, pos, *lanes,
                    np.empty(m, dtype=dtype))  # fmt: skip
    np.testing.assert_array_equal(dist, [d for d, _ in expected])
    np.testing.assert_array_equal(pos, [p for _, p in expected])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_query", [1, 7, 128])
@pytest.mark.parametrize("m", [1, 5, 9])
def test_column_merge_offers_every_distance_in_turn(dtype, n_query, m):
    import fastsmote._kernels.knn as knn

    rng = np.random.default_rng(10 * n_query + m)
    n_ref, r0 = 300, 1000
    tile = rng.integers(0, 6, size=(n_ref, n_query)).astype(dtype)  # references x queries
    tile[:, 1::2] = rng.random((n_ref, n_query // 2)) * 8
    tile[:, 0] = 2  # query 0: one distance for every reference
    tile[rng.random(tile.shape) < 0.05] = np.inf  # skipped pairs: never enter
    dist, pos = _lists(rng, n_query, m, dtype, r0)
    expected = [
        naive.merge_top(dist[i], pos[i], tile[:, i], np.arange(r0, r0 + n_ref))
        for i in range(n_query)
    ]
    best_d, best_p = np.ascontiguousarray(dist.T), np.ascontiguousarray(pos.T)
    knn._merge_columns(tile, n_ref, r0, best_d, best_p, n_query)
    np.testing.assert_array_equal(best_d.T, [d for d, _ in expected])
    np.testing.assert_array_equal(best_p.T, [p for _, p in expected])


def test_query_major_lists_refuse_positions_beyond_int32():
    import fastsmote._kernels.knn as knn

    X = np.zeros((2, 3), dtype=np.float32)
    # 2**31 references without memory: one row number repeated by a zero stride
    refs = np.lib.stride_tricks.as_strided(np.zeros(1, np.int64), (2**31,), (0,))
    queries = np.zeros(1, dtype=np.int64)
    centre, sq = np.zeros(3, np.float32), np.zeros(1, np.float32)
    with pytest.raises(ValueError, match="below 2\\*\\*31"):
        knn.knn_shortlist_columns(X, queries, refs, centre, sq, sq, 2, queries - 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_ref", [1, 9, 64, 300])
@pytest.mark.parametrize("n_query", [1, 127, 129, 300])
@pytest.mark.parametrize("longest", [6, 12])  # up to COLUMN_MAX_LIST entries
def test_query_major_shortlists_equal_row_major(dtype, n_ref, n_query, longest):
    import fastsmote._kernels.knn as knn

    rng = np.random.default_rng(n_ref + n_query)
    X = data_with_duplicates_and_ties(900, 11, dtype, 31)
    refs = rng.choice(900, n_ref, replace=False)
    queries = rng.integers(0, 900, n_query)
    skip = rng.integers(-1, n_ref, n_query)  # a position into refs, or none
    centre, sq_refs = centre_and_sq_norms(X, refs)
    sq_queries = knn.centred_sq_norms(X, queries, centre)
    assert longest <= knn.COLUMN_MAX_LIST
    m, k = min(longest, n_ref), min(longest - 2, n_ref)
    search = (X, queries, refs, centre, sq_queries, sq_refs, m, skip)
    row_major = knn_shortlist_of(*search, FUSED, 64, 32, 16)
    query_major = knn.knn_shortlist_columns(*search)
    np.testing.assert_array_equal(query_major[0], row_major[0])
    np.testing.assert_array_equal(query_major[1], row_major[1])
    assert not (query_major[1] == skip[:, None]).any()
    eps = float(np.finfo(dtype).eps)
    refined = refine_shortlist(X, queries, refs, *row_major, sq_queries, sq_refs.max(), k, eps)
    for got, want in zip(knn.knn_refined_columns(*search[:7], k, skip, eps), refined, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_many_queries_run_query_major_with_the_direct_results(dtype, monkeypatch):
    import fastsmote._kernels.knn as knn
    import fastsmote.neighbors._exact as exact

    rng = np.random.default_rng(41)
    X = rng.integers(0, 3, size=(6000, 16)).astype(dtype) + 50  # ties, far from the origin
    X[100:400] = X[7]  # duplicates: their proofs fail, they are redone directly
    queries = rng.choice(6000, knn.COLUMN_MIN_QUERIES + 100, replace=False)
    layouts = []
    columns = exact.knn_refined_columns
    monkeypatch.setattr(exact, "knn_refined_columns", lambda *a: layouts.append(1) or columns(*a))
    _one_sided_vs_direct(X, queries, "fused", k=4)
    assert layouts  # the query-major layout ran
