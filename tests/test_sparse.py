"""Sparse X: the same rows as the dense path, bit for bit, without a dense copy."""

from __future__ import annotations

import naive
import numpy as np
import pytest
from conftest import messy_csr, traced_peak_bytes
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.dummy import DummyClassifier

from fastsmote import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    SMOTENC,
    SVMSMOTE,
    AllKNN,
    BorderlineSMOTE,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    InstanceHardnessThreshold,
    KMeansSMOTE,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomOverSampler,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
)
from fastsmote._kernels.clusters import csr_pairwise_distance_sum, pairwise_distance_sum
from fastsmote._kernels.sampling import (
    csr_column_std,
    csr_smoothed_bootstrap,
    csr_smoothed_counts,
)
from fastsmote._kernels.sparse import (
    csr_groups,
    csr_interpolate,
    csr_knn,
    csr_mixed_counts,
    csr_mixed_interpolate,
    csr_sq_norms,
    csr_union_counts,
)
from fastsmote._numba import numba_threads
from fastsmote.neighbors import kneighbors

SAMPLERS = {
    "smote": lambda: SMOTE(random_state=0),
    "borderline-2": lambda: BorderlineSMOTE(random_state=0, kind="borderline-2"),
    "adasyn": lambda: ADASYN(random_state=0),
    "ros": lambda: RandomOverSampler(random_state=0),
    "ros-shrinkage": lambda: RandomOverSampler(random_state=0, shrinkage={1: 0.5, 2: 2.0}),
    "rus": lambda: RandomUnderSampler(random_state=0),
    "tomek": lambda: TomekLinks(),
    "enn": lambda: EditedNearestNeighbours(),
    "smote-tomek": lambda: SMOTETomek(random_state=0),
    "smote-enn": lambda: SMOTEENN(random_state=0),
    # four rounds: the later ones reuse the lists of rows that lost no neighbour
    "renn": lambda: RepeatedEditedNearestNeighbours(sampling_strategy="majority", kind_sel="mode"),
    "allknn": lambda: AllKNN(allow_minority=True),
    "ncr": lambda: NeighbourhoodCleaningRule(),
    "nearmiss-2": lambda: NearMiss(version=2),
    "condensed-nn": lambda: CondensedNearestNeighbour(random_state=0),
    "one-sided-selection": lambda: OneSidedSelection(random_state=0),
    # the SVM and the clustering are scikit-learn's, fitted on the CSR rows
    "svm-smote": lambda: SVMSMOTE(random_state=0),
    # categorical columns of numbers (0: an absent entry), as imbalanced-learn reads them
    "smotenc": lambda: SMOTENC(categorical_features=[2, 9], random_state=0),
    "kmeans-smote": lambda: KMeansSMOTE(
        random_state=0,
        kmeans_estimator=KMeans(n_clusters=3, n_init=1, random_state=0),
        cluster_balance_threshold=0.1,
    ),
}


def sparse_data(n=90, d=13, density=0.35, seed=0):
    """Three classes, rows with few entries, duplicate rows and tied distances."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.random((n, d)), 1)
    X[rng.random((n, d)) > density] = 0
    X[7] = X[5]  # a duplicate: each is the other's nearest neighbour
    y = np.r_[np.zeros(n // 2, int), np.ones(n // 3, int), np.full(n - n // 2 - n // 3, 2)]
    return X, y


def origins(sampler, X, y):
    found = sampler.row_origins(X, y)
    return found.source, found.partner, found.gap


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", SAMPLERS)
def test_sparse_rows_equal_the_dense_rows_bit_for_bit(name, dtype):
    X, y = sparse_data()
    X = X.astype(dtype)
    dense, sparse_ = SAMPLERS[name](), SAMPLERS[name]()
    X_dense, y_dense = dense.fit_resample(X, y)
    X_csr, y_csr = sparse_.fit_resample(sparse.csr_matrix(X), y)
    assert sparse.issparse(X_csr) and X_csr.format == "csr" and X_csr.dtype == dtype
    assert X_csr.shape == X_dense.shape and (X_csr.toarray() == X_dense).all()
    np.testing.assert_array_equal(y_csr, y_dense)
    for got, expected in zip(
        origins(sparse_, sparse.csr_matrix(X), y), origins(dense, X, y), strict=True
    ):
        np.testing.assert_array_equal(got, expected)
    if hasattr(dense, "sample_indices_"):
        np.testing.assert_array_equal(sparse_.sample_indices_, dense.sample_indices_)


def test_sparse_svmsmote_extrapolates_from_safe_bases_as_the_dense_path():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.2).astype(int)
    X = rng.normal(size=(400, 20))
    X[:, :4] += 2.0 * y[:, None]
    X[rng.random(X.shape) > 0.3] = 0
    dense, sparse_ = SVMSMOTE(random_state=0), SVMSMOTE(random_state=0)
    X_dense, y_dense = dense.fit_resample(X, y)
    X_csc, y_csc = sparse_.fit_resample(sparse.csc_matrix(X), y)
    assert dense.danger_indices_[1].size and dense.safe_indices_[1].size  # both kinds
    assert X_csc.format == "csc" and (X_csc.toarray() == X_dense).all()
    np.testing.assert_array_equal(y_csc, y_dense)
    np.testing.assert_array_equal(sparse_.safe_indices_[1], dense.safe_indices_[1])
    assert (origins(sparse_, X, y)[2] < 0).any()  # extrapolated rows


@pytest.mark.parametrize(
    "make, kind",
    [
        (sparse.csc_matrix, sparse.csc_matrix),
        (sparse.csr_array, sparse.csr_array),
        (sparse.csc_array, sparse.csc_array),
        (sparse.coo_matrix, sparse.csr_matrix),
    ],
)
@pytest.mark.parametrize("name", ["smote", "tomek"])
def test_formats_come_back_as_imbalanced_learn_returns_them(name, make, kind):
    """CSC stays CSC, other formats become CSR; a sparse array stays an array."""
    X, y = sparse_data()
    X_dense, _ = SAMPLERS[name]().fit_resample(X, y)
    X_res, _ = SAMPLERS[name]().fit_resample(make(X), y)
    assert type(X_res) is kind
    assert (X_res.toarray() == X_dense).all()


def test_integer_sparse_X_is_computed_in_float64_and_selected_rows_keep_their_dtype():
    X, y = sparse_data()
    X_int = sparse.csr_matrix((X * 10).astype(np.int64))
    X_smote, _ = SMOTE(random_state=0).fit_resample(X_int, y)
    assert X_smote.dtype == np.float64
    np.testing.assert_array_equal(
        X_smote.toarray(), SMOTE(random_state=0).fit_resample(X_int.toarray(), y)[0]
    )
    assert TomekLinks().fit_resample(X_int, y)[0].dtype == np.int64


def test_explicit_zeros_unsorted_and_duplicate_entries_leave_the_input_unchanged():
    X, y = sparse_data()
    X_messy = messy_csr(X)  # reversed entries, an explicit zero, a duplicate entry
    expected = X_messy.toarray()  # duplicates summed: 0.25 added to row 3
    before = [a.copy() for a in (X_messy.data, X_messy.indices, X_messy.indptr)]
    for name in ("smote", "tomek", "enn", "ros-shrinkage"):
        X_dense, _ = SAMPLERS[name]().fit_resample(expected, y)
        X_res, _ = SAMPLERS[name]().fit_resample(X_messy, y)
        assert (X_res.toarray() == X_dense).all()
    for a, b in zip(before, (X_messy.data, X_messy.indices, X_messy.indptr), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", [sparse.csr_matrix, sparse.csc_array])
def test_values_past_the_last_stored_entry_are_not_read(make):
    """CSR/CSC arrays longer than indptr[-1] (a NaN and a value there): every sampler
    gives the rows of the same matrix without them (SciPy's column indexing of such a
    matrix corrupted memory), the input unchanged; arrays too short are refused."""
    X, y = sparse_data()
    M = make(X)
    data, indices = np.r_[M.data, np.nan, 5.0], np.r_[M.indices, 0, 1].astype(M.indices.dtype)
    padded = make((data, indices, M.indptr.copy()), shape=M.shape)
    before = [a.copy() for a in (padded.data, padded.indices, padded.indptr)]
    for name, factory in SAMPLERS.items():
        X_res, y_res = factory().fit_resample(padded, y)
        X_ref, y_ref = factory().fit_resample(M, y)
        assert type(X_res) is type(X_ref), name
        np.testing.assert_array_equal(X_res.toarray(), X_ref.toarray(), err_msg=name)
        np.testing.assert_array_equal(y_res, y_ref, err_msg=name)
    for a, b in zip(before, (padded.data, padded.indices, padded.indptr), strict=True):
        np.testing.assert_array_equal(a, b)
    short = make((M.data, M.indices, M.indptr.copy()), shape=M.shape)
    short.indptr[-1] += 1  # one value more than the arrays hold
    for factory in (SAMPLERS["smote"], SAMPLERS["rus"]):
        with pytest.raises(ValueError, match="not a valid sparse"):
            factory().fit_resample(short, y)


# ----------------------------------------------------------------------------- kernels
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("d", [3, 8, 14])
def test_sparse_kernel_matches_the_naive_reference(d, dtype):
    X, _ = sparse_data(n=60, d=d)
    M = sparse.csr_matrix(X.astype(dtype))
    queries = np.arange(0, 60, 3, dtype=np.int64)
    skip = np.where(queries % 2 == 0, queries, -1)
    groups = csr_groups(M.data, M.indices, M.indptr, d)
    C = M.tocsc()
    sq = csr_sq_norms(M.data, M.indptr)
    by_rows, by_columns = (M.data, M.indices, M.indptr), (C.indptr, C.indices, C.data)
    dist, pos = csr_knn(*groups, *by_rows, *by_columns, sq, d, queries, 4, skip, 8)
    ref_dist, ref_pos = naive.csr_knn(M, queries, 4, skip)
    np.testing.assert_array_equal(pos, ref_pos)
    np.testing.assert_array_equal(dist, ref_dist)  # the defined order, bit for bit


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_cat", [1, 3])
def test_sparse_mixed_kernel_matches_the_naive_reference(n_cat, dtype):
    """SMOTE-NC's distance: a weight per differing code on top of the squared distance;
    repeated rows and codes make ties."""
    rng = np.random.default_rng(n_cat)
    X = rng.integers(0, 3, size=(120, 7)).astype(dtype)
    X[rng.random(X.shape) < 0.5] = 0
    X[20:23] = X[19]
    codes = rng.integers(0, 2, size=(120, n_cat)).astype(np.int32)
    codes[20:23] = codes[19]
    M = sparse.csr_matrix(X)
    C = M.tocsc()
    groups = csr_groups(M.data, M.indices, M.indptr, 7)
    sq = csr_sq_norms(M.data, M.indptr)
    every = np.arange(120, dtype=np.int64)
    weight = dtype(0.7)
    dist, pos = csr_knn(*groups, M.data, M.indices, M.indptr, C.indptr, C.indices, C.data, sq,
                        7, every, 5, every, 16, codes, weight)  # fmt: skip
    ref_dist, ref_pos = naive.mixed_knn(X, codes, weight, 5)
    np.testing.assert_array_equal(pos, ref_pos)
    np.testing.assert_array_equal(dist, ref_dist)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1.0, 2.0**-140])  # tiny values: both searches scale them
def test_the_sparse_mixed_search_is_the_dense_one(scale, dtype):
    """Neighbours and median standard deviation of SMOTE-NC's search, CSR = dense."""
    X, _ = sparse_data(n=150, d=11)
    X = (X * (scale if dtype == np.float64 else max(scale, 2.0**-60))).astype(dtype)
    codes = np.random.default_rng(2).integers(0, 3, size=(150, 2)).astype(np.int32)
    expected = kneighbors(X, 4, codes=codes, backend="exact")
    got = kneighbors(sparse.csr_matrix(X), 4, codes=codes, backend="auto")
    np.testing.assert_array_equal(got.indices, expected.indices)
    assert got.median_std == expected.median_std > 0 and got.backend == "exact"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rows_skipped_by_the_bound_could_not_have_entered(dtype):
    """Rows a few rounding units apart (the bound's margins matter): the lists equal
    those of computing every distance."""
    rng = np.random.default_rng(5)
    base = np.where(rng.random(12) < 0.5, 0, rng.random(12) + 1).astype(dtype)
    steps = rng.integers(-3, 4, size=(50, 12)) * np.finfo(dtype).eps * 4
    X = (base * (1 + steps)).astype(dtype)
    X[:, rng.random(12) < 0.3] = 0
    M = sparse.csr_matrix(X)
    C, queries = M.tocsc(), np.arange(50, dtype=np.int64)
    groups = csr_groups(M.data, M.indices, M.indptr, 12)
    sq = csr_sq_norms(M.data, M.indptr)
    by_rows, by_columns = (M.data, M.indices, M.indptr), (C.indptr, C.indices, C.data)
    dist, pos = csr_knn(*groups, *by_rows, *by_columns, sq, 12, queries, 5, queries, 16)
    ref_dist, ref_pos = naive.csr_knn(M, queries, 5, queries)
    np.testing.assert_array_equal(pos, ref_pos)
    np.testing.assert_array_equal(dist, ref_dist)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_interpolation_matches_the_naive_reference(dtype):
    X, _ = sparse_data(n=40, d=9)
    M = sparse.csr_matrix(X.astype(dtype))
    rng = np.random.default_rng(1)
    base, neighbor = rng.integers(0, 40, 50), rng.integers(0, 40, 50)
    gap = rng.random(50)
    counts = csr_union_counts(M.indices, M.indptr, base, neighbor)
    indptr = np.r_[0, np.cumsum(counts)]
    data, indices = np.empty(indptr[-1], dtype), np.empty(indptr[-1], np.int32)
    csr_interpolate(M.data, M.indices, M.indptr, base, neighbor, gap.astype(dtype), indptr,
                    data, indices)  # fmt: skip
    rows, columns = naive.csr_interpolate(M, base, neighbor, gap)
    got = sparse.csr_matrix((data, indices, indptr), shape=(50, 9))
    assert (got.toarray() == rows).all()
    for t in range(50):
        np.testing.assert_array_equal(indices[indptr[t] : indptr[t + 1]], columns[t])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_mixed_interpolation_matches_the_naive_reference(dtype):
    """SMOTE-NC's rows: the continuous columns interpolated as ``csr_interpolate``, the
    categorical ones (first, middle and last column) set to the given values, a zero
    value not stored, columns in increasing order."""
    X, _ = sparse_data(n=40, d=9)
    M = sparse.csr_matrix(X.astype(dtype))
    rng = np.random.default_rng(2)
    base, neighbor = rng.integers(0, 40, 50), rng.integers(0, 40, 50)
    gap = rng.random(50)
    placed = np.array([0, 4, 8], dtype=np.int64)
    is_categorical = np.isin(np.arange(9), placed)
    values = rng.integers(0, 3, (50, 3)).astype(dtype)  # a third of them 0
    counts = csr_mixed_counts(M.indices, M.indptr, base, neighbor, is_categorical, values)
    indptr = np.r_[0, np.cumsum(counts)]
    data, indices = np.empty(indptr[-1], dtype), np.empty(indptr[-1], np.int32)
    csr_mixed_interpolate(M.data, M.indices, M.indptr, base, neighbor, gap.astype(dtype),
                          is_categorical, placed, values, indptr, data, indices)  # fmt: skip
    rows, columns = naive.csr_interpolate(M, base, neighbor, gap)
    rows[:, placed] = values
    got = sparse.csr_matrix((data, indices, indptr), shape=(50, 9))
    assert (got.toarray() == rows).all()
    for t in range(50):
        kept = np.union1d(columns[t][~is_categorical[columns[t]]], placed[values[t] != 0])
        np.testing.assert_array_equal(indices[indptr[t] : indptr[t + 1]], kept)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_smoothed_bootstrap_matches_the_naive_reference(dtype):
    X, _ = sparse_data(n=40, d=9)
    M = sparse.csr_matrix(X.astype(dtype))
    rows = np.random.default_rng(1).integers(0, 40, 30)
    scale = np.where(np.arange(9) % 3 == 0, 0.0, np.linspace(0.1, 2.0, 9))
    active = np.flatnonzero(scale)
    counts = csr_smoothed_counts(M.indices, M.indptr, rows, active)
    indptr = np.r_[0, np.cumsum(counts)]
    data, indices = np.empty(indptr[-1], dtype), np.empty(indptr[-1], np.int32)
    csr_smoothed_bootstrap(M.data, M.indices, M.indptr, rows, active, scale, 11, 5, 9,
                           indptr, data, indices)  # fmt: skip
    expected, columns = naive.csr_smoothed_bootstrap(M, rows, 11, 5, scale)
    got = sparse.csr_matrix((data, indices, indptr), shape=(30, 9))
    np.testing.assert_array_equal(got.toarray(), expected)
    for t in range(30):
        np.testing.assert_array_equal(indices[indptr[t] : indptr[t + 1]], columns[t])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_pairwise_distance_sum_is_the_dense_sum_bit_for_bit(dtype):
    X, _ = sparse_data(n=70, d=9)
    X = X.astype(dtype)
    X[12] = 0  # an empty row
    M = sparse.csr_matrix(X)
    M.data[M.indptr[20]] = 0  # an explicit zero
    X = M.toarray()
    rows = np.array([0, 5, 7, 12, 3, 40, 41, 69, 22], dtype=np.int64)  # 5 and 7: equal
    expected = pairwise_distance_sum(X, rows)
    for threads in (1, 2):
        with numba_threads(threads):
            assert csr_pairwise_distance_sum(M.data, M.indices, M.indptr, rows) == expected
    assert expected == pytest.approx(naive.pairwise_distance_sum(X, rows), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_column_std_is_numpys_dense_std(dtype):
    """9,000 columns (NumPy casts float32 in buffers of 8,192 values), signed values,
    explicit zeros, columns without entries."""
    rng = np.random.default_rng(6)
    X = (rng.standard_normal((40, 9_000)) * 10 ** rng.uniform(-3, 3, 9_000)).astype(dtype)
    X[rng.random(X.shape) < 0.7] = 0
    X[:, 5] = 0
    M = sparse.csr_matrix(X)
    M.data[::7] = 0  # explicit zeros
    C = M.tocsc()
    got = csr_column_std(M.data, M.indices, M.indptr, C.indptr, C.indices, C.data, 40)
    np.testing.assert_array_equal(got, M.toarray().std(axis=0, dtype=np.float64))


def test_sparse_kernels_same_for_any_thread_count():
    """Each kernel's rows split into many task ranges: the same arrays for 1 and 2
    threads."""
    X, _ = sparse_data(n=90, d=11)
    M = sparse.csr_matrix(X)
    C = M.tocsc()
    queries = np.arange(90, dtype=np.int64)
    rng = np.random.default_rng(4)
    base, neighbor, gap = rng.integers(0, 90, 70), rng.integers(0, 90, 70), rng.random(70)
    results = []
    for threads in (1, 2):
        with numba_threads(threads):
            groups = csr_groups(M.data, M.indices, M.indptr, 11)
            sq = csr_sq_norms(M.data, M.indptr)
            by_rows, by_columns = (M.data, M.indices, M.indptr), (C.indptr, C.indices, C.data)
            found = csr_knn(*groups, *by_rows, *by_columns, sq, 11, queries, 3, queries, 2)
            counts = csr_union_counts(M.indices, M.indptr, base, neighbor)
            indptr = np.r_[0, np.cumsum(counts)]
            data, indices = np.empty(indptr[-1]), np.empty(indptr[-1], np.int32)
            csr_interpolate(*by_rows, base, neighbor, gap, indptr, data, indices)
            active = np.arange(0, 11, 2)
            smoothed_counts = csr_smoothed_counts(M.indices, M.indptr, base, active)
            smoothed_indptr = np.r_[0, np.cumsum(smoothed_counts)]
            smoothed = np.empty(smoothed_indptr[-1]), np.empty(smoothed_indptr[-1], np.int32)
            csr_smoothed_bootstrap(*by_rows, base, active, np.ones(11), 3, 0, 11,
                                   smoothed_indptr, *smoothed)  # fmt: skip
            std = csr_column_std(*by_rows, *by_columns, 90)
            results.append([*groups, sq, *found, counts, data, indices, *smoothed, std])
    for one, two in zip(*results, strict=True):
        np.testing.assert_array_equal(one, two)


def test_the_sparse_search_is_the_dense_search_for_any_thread_count():
    from fastsmote import config_context

    X, _ = sparse_data(n=150, d=11)
    M = sparse.csr_matrix(X)
    for search in ({}, {"within": np.arange(1, 150, 2)}, {"queries": np.arange(0, 150, 4)}):
        expected = kneighbors(X, 3, backend="exact", **search).indices
        for threads in (1, 2):
            with config_context(n_threads=threads):
                got = kneighbors(M, 3, backend="auto", **search)
            assert got.backend == "exact"
            np.testing.assert_array_equal(got.indices, expected)


# --------------------------------------------------------------------------- memory
def test_no_dense_copy_of_a_large_sparse_matrix():
    """600 x 200,000 at 0.01% density: 960 MB dense, a few MB as CSR. The samplers
    allocate (in NumPy and SciPy, which tracemalloc sees) far less than one dense copy;
    the Numba kernels' own tables are sized by the stored values."""
    n, d = 600, 200_000
    rng = np.random.default_rng(0)
    rows, columns = np.repeat(np.arange(n), 20), rng.integers(0, d, n * 20)
    X = sparse.csr_matrix((rng.random(n * 20), (rows, columns)), shape=(n, d))
    y = np.r_[np.zeros(450, int), np.ones(150, int)]
    dense_bytes = n * d * 8
    samplers = [SMOTE(random_state=0), TomekLinks(), AllKNN(), NeighbourhoodCleaningRule()]
    # the SVM's and the clustering's memory too (two dense centres: 3.2 MB)
    samplers.append(SVMSMOTE(random_state=0))
    samplers.append(KMeansSMOTE(kmeans_estimator=2, cluster_balance_threshold=0.0))
    # the classifier's own memory is its business: a classifier that stores nothing
    samplers.append(InstanceHardnessThreshold(estimator=DummyClassifier(), random_state=0))
    # a smoothed row has a value in every feature its class varies in: a small class
    samplers.append(RandomOverSampler(shrinkage=1.0, random_state=0))
    # two categorical columns among the 200,000 (mostly the category 0)
    samplers.append(SMOTENC(categorical_features=[3, 7], random_state=0))
    y_few = np.r_[np.zeros(590, int), np.ones(10, int)]
    for sampler in samplers:
        y_used = y_few if isinstance(sampler, RandomOverSampler) else y
        peak = traced_peak_bytes(sampler, X, y_used, X[::10], y[::10])
        assert peak < dense_bytes / 100, (type(sampler).__name__, peak)


def test_read_only_sparse_arrays_reach_the_models_as_copies():
    """scikit-learn's KMeans cannot read read-only sparse arrays (memory-mapped or shared
    buffers): the samplers that fit a model give it a copy, and keep the rows."""
    X, y = sparse_data(n=400, d=12)
    y = (y == 2).astype(int)  # two classes: 333 and 67 rows
    M = sparse.csr_matrix(X)
    frozen = M.copy()
    for array in (frozen.data, frozen.indices, frozen.indptr):
        array.flags.writeable = False
    makers = [
        lambda: KMeansSMOTE(random_state=0, kmeans_estimator=2, cluster_balance_threshold=0),
        lambda: SVMSMOTE(random_state=0),
        lambda: InstanceHardnessThreshold(estimator=DummyClassifier(), random_state=0),
    ]
    for make in makers:
        expected = make().fit_resample(M, y)[0]
        got = make().fit_resample(frozen, y)[0]
        assert (got != expected).nnz == 0, type(make()).__name__
    assert not frozen.data.flags.writeable  # the input is left as it is


# ------------------------------------------------------------------------- refusals
def test_what_needs_dense_X_refuses_sparse_X_clearly():
    X, y = sparse_data()
    M = sparse.csr_matrix(X)
    with pytest.raises(TypeError, match="out= takes a dense array"):
        SMOTE(random_state=0).fit(M, y).fit_resample(M, y, out=np.empty((1, 1)))
    with pytest.raises(TypeError, match="fit_resample_iter needs dense X"):
        next(SMOTE().fit_resample_iter(M, y))
    with pytest.raises(NotImplementedError, match="searched exactly only"):
        SMOTE(neighbors="approx").fit_resample(M, y)
    for cleaner in (
        TomekLinks(neighbors="pynndescent"),
        RepeatedEditedNearestNeighbours(neighbors="approx"),
        AllKNN(neighbors="pynndescent"),
        NeighbourhoodCleaningRule(neighbors="approx"),
    ):
        with pytest.raises(NotImplementedError, match="searched exactly only"):
            cleaner.fit_resample(M, y)
    bad = M.copy()
    bad.data[bad.indptr[4] + 1] = np.nan
    column = bad.indices[bad.indptr[4] + 1]
    with pytest.raises(ValueError, match=rf"NaN \(first at row 4, column {column}\)"):
        SMOTE().fit_resample(bad, y)


# ------------------------------------------------------------------ imbalanced-learn
def test_sparse_input_as_imbalanced_learn_resamples_it():
    """Counts equal for the over-samplers; the cleaners keep the same rows (continuous
    data: no ties for imbalanced-learn's sparse distances to order differently)."""
    from imblearn import over_sampling as ios
    from imblearn import under_sampling as ius

    rng = np.random.default_rng(3)
    X = rng.random((120, 10))
    X[X < 0.5] = 0
    M = sparse.csr_matrix(X)
    y = np.r_[np.zeros(70, int), np.ones(50, int)]
    pairs = [
        (SMOTE(random_state=0), ios.SMOTE(random_state=0)),
        (RandomOverSampler(random_state=0), ios.RandomOverSampler(random_state=0)),
        (
            RandomOverSampler(random_state=0, shrinkage=1.0),
            ios.RandomOverSampler(random_state=0, shrinkage=1.0),
        ),
        (RandomUnderSampler(random_state=0), ius.RandomUnderSampler(random_state=0)),
    ]
    for ours, theirs in pairs:
        counts = np.bincount(ours.fit_resample(M, y)[1])
        np.testing.assert_array_equal(counts, np.bincount(theirs.fit_resample(M, y)[1]))
    for ours, theirs in ((TomekLinks(), ius.TomekLinks()),
                         (EditedNearestNeighbours(), ius.EditedNearestNeighbours())):  # fmt: skip
        X_ours, _ = ours.fit_resample(M, y)
        X_theirs, _ = theirs.fit_resample(M, y)
        np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
        assert (X_ours != X_theirs).nnz == 0


def editing_data(seed=0):
    """Two overlapping classes, continuous values (no ties), half the entries zero:
    imbalanced-learn's repeated editors run several rounds on it."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(80, int), np.ones(40, int)]
    X = rng.random((120, 10)) + 0.5 * np.eye(10)[y * 3] + 0.5 * np.eye(10)[y * 3 + 1]
    X[rng.random((120, 10)) < 0.5] = 0
    return X, y


def test_repeated_editors_keep_imbalanced_learns_rows_on_sparse_input():
    from imblearn import under_sampling as ius

    X, y = editing_data()
    M = sparse.csr_matrix(X)
    pairs = [
        (RepeatedEditedNearestNeighbours(kind_sel="mode"),
         ius.RepeatedEditedNearestNeighbours(kind_sel="mode")),
        (AllKNN(), ius.AllKNN()),
        (NeighbourhoodCleaningRule(), ius.NeighbourhoodCleaningRule()),
    ]  # fmt: skip
    for ours, theirs in pairs:
        X_ours, _ = ours.fit_resample(M, y)
        X_theirs, _ = theirs.fit_resample(M, y)
        np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
        assert type(X_ours) is type(X_theirs) and (X_ours != X_theirs).nnz == 0
    assert pairs[0][0].n_iter_ == pairs[0][1].n_iter_ == 4


def test_repeated_editors_with_an_estimator_search_sparse_rows_as_dense_ones():
    from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

    X, y = editing_data(1)
    M = sparse.csr_matrix(X)
    makers = [
        lambda: RepeatedEditedNearestNeighbours(
            n_neighbors=NearestNeighbors(n_neighbors=4), kind_sel="mode"
        ),
        lambda: NeighbourhoodCleaningRule(
            n_neighbors=KNeighborsClassifier(n_neighbors=3),
            edited_nearest_neighbours=EditedNearestNeighbours(),
        ),
    ]
    for make in makers:
        dense, sparse_ = make(), make()
        X_dense, _ = dense.fit_resample(X, y)
        X_csr, _ = sparse_.fit_resample(M, y)
        np.testing.assert_array_equal(sparse_.sample_indices_, dense.sample_indices_)
        assert (X_csr.toarray() == X_dense).all()
