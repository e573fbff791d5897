"""Random samplers' kernels (``fastsmote._kernels.sampling``) against ``naive.py``."""

import naive
import numba
import numpy as np
import pytest

from fastsmote._kernels.sampling import (
    bootstrap_positions,
    priorities,
    priorities_from,
    smoothed_bootstrap,
)
from fastsmote._numba import numba_threads

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("start", [0, 5, 2**40])
@pytest.mark.parametrize("n_class", [1, 2, 7])
def test_bootstrap_positions_match_naive(start, n_class):
    key = naive.stream_key(11, 2)
    found = bootstrap_positions(np.uint64(key), start, 40, n_class)
    np.testing.assert_array_equal(found, naive.bootstrap_positions(key, start, 40, n_class))
    assert found.min() >= 0 and found.max() < n_class
    assert bootstrap_positions(np.uint64(key), start, 0, n_class).size == 0


@pytest.mark.parametrize("n", [0, 1, 33])
def test_priorities_match_naive(n):
    key = naive.stream_key(12, 3)
    found = priorities(np.uint64(key), n)
    assert found.dtype == np.uint64
    np.testing.assert_array_equal(found, naive.priorities(key, n))


@pytest.mark.parametrize("start, n", [(0, 0), (0, 9), (17, 1), (30, 12)])
def test_priorities_from_is_a_range_of_priorities(start, n):
    key = naive.stream_key(12, 3)
    found = priorities_from(np.uint64(key), start, n)
    assert found.dtype == np.uint64
    np.testing.assert_array_equal(found, naive.priorities(key, start + n)[start:])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_class", [1, 6])
@pytest.mark.parametrize("start", [0, 9])
def test_smoothed_bootstrap_matches_naive(dtype, n_class, start):
    rng = np.random.default_rng(n_class + start)
    X_class = rng.standard_normal((n_class, 3)).astype(dtype)
    X_class[-1] = X_class[0]  # a duplicate (the same row when there is one)
    positions = rng.integers(0, n_class, 25)
    scale = np.array([0.0, 0.5, 3.0])  # no noise in the first feature
    key = naive.stream_key(13, 4)
    out = np.full((30, 3), np.nan, dtype=dtype)
    smoothed_bootstrap(X_class, positions, np.uint64(key), start, scale, out, 2)
    expected = naive.smoothed_bootstrap(X_class, positions, key, start, scale)
    np.testing.assert_array_equal(out[2:27], expected)
    np.testing.assert_array_equal(out[2:27, 0], X_class[positions, 0])
    assert np.isnan(out[:2]).all() and np.isnan(out[27:]).all()  # only its rows written


def test_draws_are_the_same_for_any_thread_count():
    key = np.uint64(naive.stream_key(14, 5))
    X_class = np.random.default_rng(7).standard_normal((9, 3)).astype(np.float32)
    scale = np.array([0.1, 0.5, 3.0])
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with numba_threads(threads):
            positions = bootstrap_positions(key, 3, 301, 9)
            out = np.empty((302, 3), dtype=np.float32)
            smoothed_bootstrap(X_class, positions, key, 5, scale, out, 1)
            results.append(
                (positions, priorities(key, 301), priorities_from(key, 7, 301), out[1:])
            )
    for one, many in zip(*results, strict=True):
        np.testing.assert_array_equal(one, many)
