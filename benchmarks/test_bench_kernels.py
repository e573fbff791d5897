"""pytest-benchmark suites: ``python -m pytest benchmarks`` (never part of the tests).

Kernels are compiled before timing (the first call happens in the fixture), and every
benchmark checks its result so a fast wrong answer cannot pass.
"""

import numpy as np
import pytest
from _data import make_blobs_imbalanced

from fastsmote import SMOTE, warmup
from fastsmote._kernels.smote import NO_COUNTS, NO_DAMP, NO_GROUPS, NO_STEPS, smote_generate
from fastsmote.neighbors import exact_kneighbors

NO_EXTRAS = (NO_COUNTS, NO_DAMP, np.uint64(0), NO_GROUPS, NO_STEPS)
SIZES = {"knn": [(10_000, 20), (20_000, 50)], "gen": [(2_000_000, 20)], "e2e": [(1_000_000, 20)]}


@pytest.fixture(scope="module", autouse=True)
def compiled():
    warmup()


@pytest.mark.parametrize("n, d", SIZES["knn"])
def test_knn_exact(benchmark, n, d):
    from sklearn.neighbors import NearestNeighbors

    X = np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)
    ours = benchmark(exact_kneighbors, X, 5)
    sample = np.arange(0, n, 97)
    ref = NearestNeighbors(n_neighbors=6).fit(X).kneighbors(X[sample], return_distance=False)
    assert (ours[sample] == ref[:, 1:]).all(axis=1).mean() > 0.99


@pytest.mark.parametrize("n, d", SIZES["knn"][:1])
def test_knn_sklearn_brute_baseline(benchmark, n, d):
    from sklearn.neighbors import NearestNeighbors

    X = np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)
    nn = NearestNeighbors(n_neighbors=6, algorithm="brute").fit(X)
    assert benchmark(nn.kneighbors, X, return_distance=False).shape == (n, 6)


@pytest.mark.parametrize("n_new, d", SIZES["gen"])
def test_generation(benchmark, n_new, d):
    X = np.random.default_rng(0).standard_normal((20_000, d)).astype(np.float32)
    rows = np.arange(X.shape[0], dtype=np.int64)
    nn = exact_kneighbors(X, 5)

    def run():
        out = np.empty((n_new, d), np.float32)
        smote_generate(X, rows, nn, np.uint64(1), 0, out, 0, n_new, 2048, *NO_EXTRAS)
        return out

    out = benchmark(run)
    assert out.min() >= X.min() and out.max() <= X.max()


@pytest.mark.parametrize("n, d", SIZES["e2e"])
def test_fit_resample(benchmark, n, d):
    X, y = make_blobs_imbalanced(n, d, 0.01)
    X_res, y_res = benchmark(SMOTE(random_state=0).fit_resample, X, y)
    counts = np.bincount(y_res)
    assert counts[0] == counts[1] == (y == 0).sum()
    np.testing.assert_array_equal(X_res[:n], X)
