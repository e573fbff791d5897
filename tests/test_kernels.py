"""Kernels against the plain-NumPy references in ``naive.py``."""

import numba
import numpy as np
import pytest
from naive import knn as naive_knn
from naive import smote_draws as naive_draws
from naive import smote_generate as naive_generate
from naive import stream_key as naive_stream_key
from naive import tomek_link_mask as naive_tomek_link_mask

from fastsmote._kernels import arrays
from fastsmote._kernels.arrays import (
    codes_from_lookup,
    copy_rows,
    count_compact_ints,
    first_nonfinite_row,
    gather_rows,
    tomek_link_mask,
)
from fastsmote._kernels.knn import knn_blocked, knn_symmetric
from fastsmote._kernels.smote import (
    NO_COUNTS,
    NO_DAMP,
    smote_draws_range,
    smote_generate,
    smote_origins,
)
from fastsmote._numba import numba_threads
from fastsmote._random import stream_key
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


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("start", [0, 1234567])
def test_generation_matches_naive_bit_for_bit(dtype, start):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 5)).astype(dtype)
    rows = np.sort(rng.choice(50, 20, replace=False)).astype(np.int64)
    neighbors = naive_knn(X, rows, 4)[1]
    key = naive_stream_key(0xDEADBEEF12345678, 1)
    n_new = 37
    out = np.full((60 + n_new, 5), np.nan, dtype=dtype)
    neighbor_rows = rows[neighbors]
    smote_generate(
        X,
        rows,
        neighbor_rows,
        np.uint64(key),
        start,
        out,
        60,
        n_new,
        8,
        NO_COUNTS,
        NO_DAMP,
        np.uint64(0),
    )
    expected, _ = naive_generate(X, rows, neighbor_rows, key, start, n_new)
    np.testing.assert_array_equal(out[60:], expected)
    assert np.isnan(out[:60]).all()  # nothing outside the assigned rows is written


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096])
@pytest.mark.parametrize("start", [0, 17])
def test_generation_with_counts_matches_naive_for_any_chunk(chunk, start):
    # ADASYN: bases repeated by counts (some zero); each chunk finds its first base once
    # and steps forward, which must equal looking each sample up
    rng = np.random.default_rng(6)
    n_base, k, n_new = 30, 3, 250
    X = rng.standard_normal((120, 4))
    base_rows = rng.permutation(120)[:n_base].astype(np.int64)
    neighbor_rows = rng.integers(0, 120, size=(n_base, k)).astype(np.int64)
    counts = rng.multinomial(start + n_new, np.full(n_base, 1 / n_base))
    counts[[0, 5, 6, n_base - 1]] = 0
    counts[1] += start + n_new - counts.sum()
    out = np.empty((n_new, 4))
    smote_generate(
        X, base_rows, neighbor_rows, np.uint64(9), start, out, 0, n_new, chunk,
        np.cumsum(counts), NO_DAMP, np.uint64(0),
    )  # fmt: skip
    expected, _ = naive_generate(X, base_rows, neighbor_rows, 9, start, n_new, counts=counts)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("variant", ["plain", "counts", "damp"])
def test_origins_match_naive_draws(variant):
    rng = np.random.default_rng(4)
    n_base, k, n_new, start = 40, 4, 300, 17
    base_rows = rng.permutation(200)[:n_base].astype(np.int64)
    neighbor_rows = rng.integers(0, 200, size=(n_base, k)).astype(np.int64)
    counts = rng.multinomial(start + n_new, np.full(n_base, 1 / n_base))
    damp = rng.random((n_base, k)) < 0.5
    kwargs = {"counts": counts} if variant == "counts" else {}
    if variant == "damp":
        kwargs = {"damp": damp, "damp_key": 77}
    X = rng.standard_normal((200, 3))
    _, draws = naive_generate(X, base_rows, neighbor_rows, 5, start, n_new, **kwargs)
    base, neighbor, gap = smote_origins(
        base_rows,
        neighbor_rows,
        np.uint64(5),
        start,
        n_new,
        np.cumsum(counts) if variant == "counts" else NO_COUNTS,
        damp if variant == "damp" else NO_DAMP,
        np.uint64(77),
    )
    expected = np.array(draws, dtype=object)
    np.testing.assert_array_equal(base, expected[:, 0].astype(np.int64))
    np.testing.assert_array_equal(neighbor, expected[:, 1].astype(np.int64))
    np.testing.assert_array_equal(gap, expected[:, 2].astype(np.float64))


def test_draws_match_python_reference():
    key = naive_stream_key(12345, 2)
    assert int(stream_key(np.uint64(12345), 2)) == key
    base, slot, gap = smote_draws_range(np.uint64(key), 10, 50, 1000, 7)
    for t in range(50):
        assert (base[t], slot[t], gap[t]) == naive_draws(key, 10 + t, 1000, 7)


def test_draws_are_uniform_enough():
    base, slot, gap = smote_draws_range(np.uint64(99), 0, 200_000, 10, 5)
    counts = np.bincount(base, minlength=10)
    # chi-square with 9 dof; 40 is far beyond the 0.9999 quantile (33.7)
    expected = base.size / 10
    assert ((counts - expected) ** 2 / expected).sum() < 40
    assert set(np.unique(slot)) == set(range(5))
    assert 0 <= gap.min() and gap.max() < 1 and abs(gap.mean() - 0.5) < 0.005


def test_generation_same_for_threads_and_chunks():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((400, 6)).astype(np.float32)
    rows = np.arange(400, dtype=np.int64)
    neighbors = exact_kneighbors(X, 5)
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        for chunk in (1, 64, 5000):
            out = np.empty((3000, 6), dtype=np.float32)
            with numba_threads(threads):
                smote_generate(
                    X,
                    rows,
                    neighbors,
                    np.uint64(7),
                    0,
                    out,
                    0,
                    3000,
                    chunk,
                    NO_COUNTS,
                    NO_DAMP,
                    np.uint64(0),
                )
            results.append(out)
    for other in results[1:]:
        np.testing.assert_array_equal(results[0], other)


def test_generation_in_pieces_equals_one_call():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((100, 3))
    rows = np.arange(100, dtype=np.int64)
    neighbors = exact_kneighbors(X, 3)
    whole = np.empty((500, 3))
    smote_generate(
        X, rows, neighbors, np.uint64(3), 0, whole, 0, 500, 64, NO_COUNTS, NO_DAMP, np.uint64(0)
    )
    pieces = np.empty((500, 3))
    for start in range(0, 500, 123):
        n = min(123, 500 - start)
        smote_generate(
            X,
            rows,
            neighbors,
            np.uint64(3),
            start,
            pieces,
            start,
            n,
            64,
            NO_COUNTS,
            NO_DAMP,
            np.uint64(0),
        )
    np.testing.assert_array_equal(whole, pieces)


@pytest.fixture(params=["numpy", "kernel"])
def array_path(request, monkeypatch):
    """The whole-array helpers through NumPy (what small inputs take) or their kernels."""
    monkeypatch.setattr(arrays, "NUMPY_MAX_VALUES", 1 << 62 if request.param == "numpy" else 0)
    return request.param


@pytest.mark.usefixtures("array_path")
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_first_nonfinite_row(bad):
    X = np.ones((1000, 4), dtype=np.float32)
    assert first_nonfinite_row(X, 64) == -1
    X[700, 2] = bad
    X[900, 0] = bad
    assert first_nonfinite_row(X, 64) == 700


@pytest.mark.usefixtures("array_path")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_extremes_are_not_flagged(dtype):
    info = np.finfo(dtype)
    X = np.zeros((300, 5), dtype=dtype)
    X[10] = [info.max, -info.max, info.tiny, info.smallest_subnormal, -0.0]
    assert first_nonfinite_row(X, 64) == -1
    assert copy_rows(X, np.empty_like(X), 64) == -1
    X[299, 4] = np.nan  # last row of a partial block
    assert first_nonfinite_row(X, 64) == copy_rows(X, np.empty_like(X), 64) == 299


@pytest.mark.usefixtures("array_path")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gather_rows_matches_numpy_indexing(dtype):
    rng = np.random.default_rng(2)
    src = rng.standard_normal((500, 7)).astype(dtype)
    rows = rng.integers(0, 500, 1234)  # repeats, any order, several blocks
    out = np.empty((rows.size, 7), dtype=dtype)
    gather_rows(src, rows, out, 64)
    np.testing.assert_array_equal(out, src[rows])


@pytest.mark.usefixtures("array_path")
@pytest.mark.parametrize("n_values", [1, 2, 5, 64, 65, 3000])  # lanes up to 64, one pass beyond
@pytest.mark.parametrize("n_rows", [1, 63, 64, 1001])  # one block, exact blocks, a remainder
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_count_compact_ints_matches_bincount(n_values, n_rows, dtype):
    lo = 0 if dtype == np.uint8 else -7
    n_values = min(n_values, np.iinfo(dtype).max + 1)  # uint8: at most 256 values
    rng = np.random.default_rng(n_values + n_rows)
    y = (rng.integers(0, n_values, n_rows) + lo).astype(dtype)
    y[-1] = lo + n_values - 1  # the top value, in the last row of a partial block
    counts = count_compact_ints(y, lo, n_values, 16)
    np.testing.assert_array_equal(counts, np.bincount(y.astype(np.int64) - lo, minlength=n_values))
    rows = rng.integers(0, n_rows, 2 * n_rows + 3)  # repeats, any order
    counts = count_compact_ints(y, lo, n_values, 16, rows)
    np.testing.assert_array_equal(
        counts, np.bincount(y[rows].astype(np.int64) - lo, minlength=n_values)
    )


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint16, np.bool_])
def test_labels_of_any_integer_type_are_counted_and_coded_in_int64_parts(
    array_path, dtype, monkeypatch
):
    monkeypatch.setattr(arrays, "WIDEN_ROWS", 100)  # several parts
    rng = np.random.default_rng(3)
    lo = 0 if dtype in (np.uint16, np.bool_) else -3
    n_values = 2 if dtype == np.bool_ else 6
    y = (rng.integers(0, n_values, 1001) + lo).astype(dtype)
    lookup = rng.permutation(n_values).astype(np.int32)
    expected = lookup[y.astype(np.int64) - lo]
    np.testing.assert_array_equal(codes_from_lookup(y, lo, lookup, 64), expected)
    counts = count_compact_ints(y, lo, n_values, 64)
    np.testing.assert_array_equal(counts, np.bincount(y.astype(np.int64) - lo))
    if array_path == "kernel":  # one compiled version, whatever the labels' type
        whole_arrays = [
            s
            for s in arrays._count_compact_ints.signatures
            if not isinstance(s[4], numba.types.Array)
        ]
        assert {s[0].dtype for s in whole_arrays} == {numba.int64}
        assert {s[0].dtype for s in arrays._codes_from_lookup.signatures} == {numba.int64}


@pytest.mark.usefixtures("array_path")
def test_tomek_link_mask_matches_naive():
    rng = np.random.default_rng(4)
    nearest = rng.integers(0, 300, 300)
    nearest[nearest[:100]] = np.arange(100)  # mutual pairs
    codes = rng.integers(0, 3, 300).astype(np.int32)
    targeted = np.array([True, False, True])
    expected = naive_tomek_link_mask(nearest, codes, targeted)
    assert expected.any()
    np.testing.assert_array_equal(tomek_link_mask(nearest, codes, targeted), expected)


@pytest.mark.usefixtures("array_path")
def test_copy_rows():
    src = np.random.default_rng(0).standard_normal((1001, 3))
    dst = np.zeros((1500, 3))
    assert copy_rows(src, dst, 64) == -1
    np.testing.assert_array_equal(dst[:1001], src)
    assert not dst[1001:].any()


@pytest.mark.usefixtures("array_path")
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_copy_rows_reports_the_first_nonfinite_row(bad):
    src = np.random.default_rng(0).standard_normal((1001, 3)).astype(np.float32)
    src[[950, 300, 301], [0, 2, 1]] = bad
    dst = np.zeros_like(src)
    assert copy_rows(src, dst, 64) == first_nonfinite_row(src, 64) == 300
    np.testing.assert_array_equal(dst, src)  # NaN positions compare equal here


SHORTLISTS = ["fused", "gemm"]


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
        FUSED_MIN_FEATURES,
        GEMM_MIN_FEATURES,
        shortlist_method,
    )

    assert shortlist_method(FUSED_MIN_FEATURES - 1, 10_000) is None
    assert shortlist_method(FUSED_MIN_FEATURES, 10_000) == "fused"
    assert shortlist_method(GEMM_MIN_FEATURES - 1, 10_000) == "fused"
    assert shortlist_method(GEMM_MIN_FEATURES, 10_000) == "gemm"
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
    exact = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(exact, np.inf)
    expected = np.sort(exact, axis=1)[:, :m]
    # float64 data: the product form is within rounding of the exact distances
    np.testing.assert_allclose(short_dist, expected, rtol=1e-9, atol=1e-9)
    found = np.take_along_axis(exact, short_pos, axis=1)
    np.testing.assert_allclose(found, expected, rtol=1e-9, atol=1e-9)


def test_gemm_refinement_flags_unprovable_queries():
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
        X, queries, centre, sq, m, queries, getattr(knn, mode_name), query_block, ref_block,
        tile_rows,
    )  # fmt: skip
    exact = ((X[queries, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    exact[np.arange(queries.size), queries] = np.inf  # skip: the query's own row
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


def test_rows_of_classes_selects_the_wanted_classes_in_input_order():
    from fastsmote._kernels.arrays import rows_of_classes

    codes = np.random.default_rng(20).integers(0, 4, 300).astype(np.int32)
    wanted = np.array([True, False, True, False])
    np.testing.assert_array_equal(rows_of_classes(codes, wanted), np.flatnonzero(codes % 2 == 0))
    assert rows_of_classes(codes, np.zeros(4, dtype=bool)).size == 0


@pytest.mark.parametrize("n_classes", [1, 3, 40])  # one pass per class; a counting sort
def test_rows_by_class_is_a_stable_sort_of_the_kept_rows(n_classes):
    from fastsmote._kernels.arrays import rows_by_class

    rng = np.random.default_rng(18)
    codes = rng.integers(0, n_classes, 500).astype(np.int32)
    keep = rng.random(500) < 0.7
    rows, counts = rows_by_class(codes, keep, n_classes + 1)  # the last class has no rows
    kept = np.flatnonzero(keep)
    np.testing.assert_array_equal(rows, kept[np.argsort(codes[kept], kind="stable")])
    np.testing.assert_array_equal(counts, np.bincount(codes[kept], minlength=n_classes + 1))


def test_unknown_search_method_is_named():
    from fastsmote.neighbors import exact_kneighbors_of

    X = np.random.default_rng(19).standard_normal((20, 3))
    for search in (lambda m: exact_kneighbors(X, 2, method=m),
                   lambda m: exact_kneighbors_of(X, [0, 1], 2, method=m)):  # fmt: skip
        with pytest.raises(ValueError, match="method must be .* got 'blas'"):
            search("blas")
