"""Sparse X for the samplers that search between sets of rows (NearMiss, the condensing
store): dense blocks of CSR rows fed to the dense kernels give the dense path's rows, bit
for bit, without a dense copy of the matrix."""

from __future__ import annotations

import warnings

import naive
import numpy as np
import pytest
from conftest import messy_csr, traced_peak_bytes
from scipy import sparse
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from fastsmote import CondensedNearestNeighbour, NearMiss, OneSidedSelection
from fastsmote.neighbors import (
    _between,
    _condensed,
    distance_sums,
    kneighbors_between,
    store_vote_misses,
)


def sparse_data(n=120, d=13, density=0.35, seed=0, dtype=np.float64):
    """Three classes (60/40/20 rows, interleaved), few entries per row, duplicate rows
    and tied distances."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.random((n, d)), 1)
    X[rng.random((n, d)) > density] = 0
    X[7] = X[5]
    y = np.tile([0, 0, 0, 1, 1, 2], n // 6)
    return X.astype(dtype), y


def same_rows(dense, sparse_, X, y, M):
    """The sampler on ``X`` and on ``M`` (its sparse form): the same rows, bit for bit;
    ``M`` unchanged."""
    before = M.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NearMiss-3 preselecting few rows
        X_dense, y_dense = dense.fit_resample(X, y)
        X_sparse, y_sparse = sparse_.fit_resample(M, y)
    assert sparse.issparse(X_sparse) and X_sparse.format == M.format
    assert X_sparse.dtype == X_dense.dtype
    assert (X_sparse.toarray() == X_dense).all()
    np.testing.assert_array_equal(y_sparse, y_dense)
    np.testing.assert_array_equal(sparse_.sample_indices_, dense.sample_indices_)
    for name in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(M, name), getattr(before, name))


# ------------------------------------------------------------------------ the doors
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("tiny", [False, True])
@pytest.mark.parametrize("block", [None, 7, 40])
def test_searches_between_sets_on_csr_rows_are_the_dense_ones(monkeypatch, dtype, tiny, block):
    """Sums and lists bit for bit, with the references in one block (the 48 queries in
    one block, or in blocks of 40) or merged from blocks of 7 rows (fewer than k = 9:
    lists padded, then merged by position), and for
    values so small that the dense path scales them by a power of two."""
    if block is not None:
        monkeypatch.setattr(_between, "block_rows", lambda X, wm, extra_per_row=0: block)
    X, _ = sparse_data(n=96, seed=1, dtype=dtype)
    if tiny:  # squares below the smallest normal number: scaled by a power of two
        X = np.ldexp(X, -75 if dtype == np.float32 else -600).astype(dtype)
    M = sparse.csr_matrix(X)
    queries, refs = np.arange(0, 96, 2), np.arange(1, 96, 3)
    for k in (1, 9):
        for farthest in (False, True):
            expected = distance_sums(X, queries, refs, k, farthest=farthest)[0]
            got = distance_sums(M, queries, refs, k, farthest=farthest)[0]
            np.testing.assert_array_equal(got.view(np.int64), expected.view(np.int64))
        expected = kneighbors_between(X, queries, refs, k)[0]
        np.testing.assert_array_equal(kneighbors_between(M, queries, refs, k)[0], expected)


def test_a_block_that_cannot_fit_is_named(monkeypatch):
    X, _ = sparse_data()
    monkeypatch.setattr("fastsmote._memory.available_memory_bytes", lambda: 1000)
    M = sparse.csr_matrix(X)
    # the 40 rows measured to, after room for a block of the 80 rows scored
    for farthest, n_rows in ((False, 120), (True, 40)):
        named = rf"as a dense block \({n_rows} rows x 13 features\).*features"
        with pytest.raises(MemoryError, match=named):
            distance_sums(M, np.arange(80), np.arange(80, 120), 3, farthest=farthest)


# --------------------------------------------------------------------------- NearMiss
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("version", [1, 2, 3])
def test_nearmiss_sparse_rows_equal_the_dense_rows(version, dtype):
    X, y = sparse_data(dtype=dtype)
    make = lambda: NearMiss(version=version, n_neighbors=2, working_memory=1)  # noqa: E731
    same_rows(make(), make(), X, y, sparse.csr_matrix(X))
    same_rows(make(), make(), X, y, sparse.csc_matrix(X))


def test_nearmiss_messy_input_is_read_as_its_dense_form_and_left_unchanged():
    X, y = sparse_data()
    M = messy_csr(X)
    before = [a.copy() for a in (M.data, M.indices, M.indptr)]
    for version in (1, 2, 3):
        same_rows(NearMiss(version=version), NearMiss(version=version), M.toarray(), y, M)
    for a, b in zip(before, (M.data, M.indices, M.indptr), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_nearmiss_sparse_input_as_imbalanced_learn_resamples_it(version):
    """Continuous values: no ties for imbalanced-learn's sparse distances to order
    differently. An estimator as n_neighbors gets the sparse rows, as imbalanced-learn's."""
    from imblearn.under_sampling import NearMiss as ImbNearMiss

    rng = np.random.default_rng(3)
    X = rng.random((150, 10))
    X[X < 0.5] = 0
    M = sparse.csr_matrix(X)
    y = np.r_[np.zeros(80, int), np.ones(45, int), np.full(25, 2)]
    for n_neighbors in (3, NearestNeighbors(n_neighbors=3)):
        ours = NearMiss(version=version, n_neighbors=n_neighbors)
        theirs = ImbNearMiss(version=version, n_neighbors=n_neighbors)
        X_ours, _ = ours.fit_resample(M, y)
        X_theirs, _ = theirs.fit_resample(M, y)
        np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
        assert (X_ours != X_theirs).nnz == 0
        assert sparse.issparse(ours.nn_._fit_X)


# ---------------------------------------------------- CondensedNearestNeighbour, OSS
@pytest.mark.parametrize(
    ("grow", "k", "dtype", "tiny"),
    [
        (True, 1, np.float64, False),
        (True, 3, np.float32, False),
        (True, 2, np.float32, True),
        (False, 1, np.float64, True),
        (False, 3, np.float32, False),
    ],
)
def test_store_votes_on_csr_rows_are_the_dense_ones(monkeypatch, grow, k, dtype, tiny):
    """The store in blocks of 7 rows, candidates in chunks of 7: rows added before and
    within each chunk, lists merged across store blocks; the naive reference agrees."""
    monkeypatch.setattr(_condensed, "block_rows", lambda X, wm, extra_per_row=0: 7)
    X, y = sparse_data(n=96, seed=2, dtype=dtype)
    if tiny:
        X = np.ldexp(X, -75 if dtype == np.float32 else -600).astype(dtype)
    codes = (y == 2).astype(np.int64)  # class 1: the 25 rows labelled 2; class 0 the rest
    candidates = np.flatnonzero(codes == 0)[10:]
    store = np.union1d(np.flatnonzero(codes == 1), np.flatnonzero(codes == 0)[:10])
    expected = store_vote_misses(X, candidates, store, codes, 0, k, grow=grow)
    got = store_vote_misses(sparse.csr_matrix(X), candidates, store, codes, 0, k, grow=grow)
    np.testing.assert_array_equal(got, expected)
    if not tiny:
        reference = naive.store_vote_misses(X, candidates, store, codes, 0, k, grow)
        np.testing.assert_array_equal(got, reference)
    assert 0 < got.sum() < got.size


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cls", [CondensedNearestNeighbour, OneSidedSelection])
def test_store_samplers_sparse_rows_equal_the_dense_rows(cls, dtype):
    X, y = sparse_data(dtype=dtype)
    for params in ({"n_neighbors": None}, {"n_neighbors": 3, "sampling_strategy": "all"}):
        for M in (sparse.csr_matrix(X), sparse.csc_matrix(X)):
            same_rows(cls(random_state=1, **params), cls(random_state=1, **params), X, y, M)


def test_store_samplers_read_messy_input_as_its_dense_form_and_leave_it_unchanged():
    X, y = sparse_data()
    M = messy_csr(X)
    before = [a.copy() for a in (M.data, M.indices, M.indptr)]
    for cls in (CondensedNearestNeighbour, OneSidedSelection):
        same_rows(cls(random_state=0), cls(random_state=0), M.toarray(), y, M)
    for a, b in zip(before, (M.data, M.indices, M.indptr), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls", [CondensedNearestNeighbour, OneSidedSelection])
def test_store_samplers_sparse_input_as_imbalanced_learn_resamples_it(monkeypatch, cls):
    """imbalanced-learn given the same seed rows (tests/test_condensed.py's rule: the
    cleaned class first in X), on continuous sparse rows; a classifier as n_neighbors is
    fitted on the sparse rows, as imbalanced-learn's."""
    from imblearn.under_sampling import CondensedNearestNeighbour as ImbCNN
    from imblearn.under_sampling import OneSidedSelection as ImbOSS

    rng = np.random.default_rng(4)
    X = rng.random((90, 8))
    X[:60] += 0.3  # the majority (label 1) first
    X[X < 0.6] = 0
    M = sparse.csr_matrix(X)
    y = np.r_[np.ones(60, int), np.zeros(30, int)]
    positions = np.array([4, 17])

    class Fixed(np.random.RandomState):
        def randint(self, low, high=None, size=None, dtype=int):
            return positions.copy()

    monkeypatch.setattr(cls, "_seeds", lambda self, key, index, n: positions)
    theirs_cls = ImbCNN if cls is CondensedNearestNeighbour else ImbOSS
    for n_neighbors in (None, 3, KNeighborsClassifier(n_neighbors=1)):
        params = {"n_neighbors": n_neighbors, "n_seeds_S": 2}
        ours = cls(random_state=0, **params)
        theirs = theirs_cls(random_state=Fixed(0), **params)
        X_ours, _ = ours.fit_resample(M, y)
        X_theirs, _ = theirs.fit_resample(M, y)
        np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
        assert (X_ours != X_theirs).nnz == 0
        assert sparse.issparse(ours.estimators_[0]._fit_X)


# ----------------------------------------------------------------------------- memory
def large_sparse(n=2500, d=2000, n_minority=5):
    """2500 x 2000 at 1% density: 40 MB dense, 0.6 MB as CSR. The minority rows have
    larger values, and 50 rows of the other class copy them (so that the condensing
    pass adds a few rows to its store).

    What the searches hold (tracemalloc sees NumPy's, SciPy's and the Numba kernels'
    allocations): dense blocks of rows within a 2 or 4 MiB budget, the kernels' transposed
    blocks of reference rows, the CSR rows selected: ~2 MB, where a dense copy of X
    alone would be 40 MB."""
    rng = np.random.default_rng(0)
    rows, columns = np.repeat(np.arange(n), 20), rng.integers(0, d, n * 20)
    X = sparse.csr_matrix((rng.random(n * 20), (rows, columns)), shape=(n, d)).tolil()
    minority = np.arange(0, n, n // n_minority)  # rows 0, 500, ...: also in X[::50]
    X[minority] = X[minority] * 10
    for i, row in enumerate(range(1, 51)):
        X[row] = X[minority[i % n_minority]] * 1.01
    y = np.ones(n, dtype=int)
    y[minority] = 0
    return X.tocsr(), y, n * d * 8


def peak_bytes(sampler, X, y) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NearMiss-3 preselecting few rows
        return traced_peak_bytes(sampler, X, y, X[::50], y[::50])


def test_no_dense_copy_of_a_large_sparse_matrix():
    X, y, dense_bytes = large_sparse()
    samplers = [NearMiss(version=v, working_memory=2) for v in (1, 2, 3)] + [
        cls(random_state=0, working_memory=4)
        for cls in (CondensedNearestNeighbour, OneSidedSelection)
    ]
    for sampler in samplers:
        peak = peak_bytes(sampler, X, y)
        assert peak < dense_bytes / 10, (sampler, peak)
