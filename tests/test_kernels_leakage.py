"""Leakage check kernels (``fastsmote._kernels.leakage``) against ``naive.py``."""

import numba
import numpy as np
import pytest
from naive import count_values as naive_count_values
from naive import segment_hits as naive_segment_hits

from fastsmote._kernels.leakage import count_values, segment_hits
from fastsmote._numba import numba_threads


def test_segment_kernel_matches_reference():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    # plant interpolations (exact and float32-rounded) and a near miss
    X[50] = X[3] + 0.3 * (X[7] - X[3])
    X[51] = (X[8] + np.float32(0.6) * (X[9] - X[8])).astype(np.float32)
    X[52] = X[10] + 0.5 * (X[11] - X[10]) + 1e-3
    X[53] = X[12]  # duplicate: t = 0, not an interpolation
    X[54] = X[13] + 0.5 * (X[14] - X[13])  # an interpolation holding no off-grid value
    queries = np.arange(60, dtype=np.int64)
    d = ((X[:, None] - X[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    neighbors = np.argsort(d, axis=1, kind="stable")[:, :6].astype(np.int64)
    off_grid = np.ones(X.shape, dtype=bool)
    off_grid[54] = False
    no_sets = np.zeros(len(X), dtype=np.uint8)
    args = (X, no_sets, queries, neighbors, off_grid, 3, 1e-5, 1e-12, 1e-6, 2)
    p, q, t = segment_hits(*args)
    p_ref, q_ref = naive_segment_hits(*args)
    np.testing.assert_array_equal(p, p_ref)
    np.testing.assert_array_equal(q, q_ref)
    assert {int(p[50]), int(q[50])} == {3, 7} and t[50] == pytest.approx(
        0.3 if p[50] == 3 else 0.7
    )
    assert {int(p[51]), int(q[51])} == {8, 9}
    assert p[52] == -1 and p[53] == -1 and p[54] == -1
    # one off-grid feature is enough, and it must be a moving one
    off_grid = rng.random(X.shape) < 0.3
    args = (X, no_sets, queries, neighbors, off_grid, 3, 1e-5, 1e-12, 1e-6, 2)
    p, q, _ = segment_hits(*args)
    p_ref, q_ref = naive_segment_hits(*args)
    np.testing.assert_array_equal(p, p_ref)
    np.testing.assert_array_equal(q, q_ref)
    # a segment held by one set explains the row, whichever pair comes first
    sets = rng.integers(1, 4, size=len(X)).astype(np.uint8)
    off_grid = np.ones(X.shape, dtype=bool)
    X[21] = X[20] + 0.05 * rng.normal(size=5)
    X[55] = X[20] + 0.25 * (X[21] - X[20])  # and on the longer segment 20-22 as well:
    X[22] = X[20] + 2.0 * (X[21] - X[20])
    d = ((X[:, None] - X[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    neighbors = np.argsort(d, axis=1, kind="stable")[:, :6].astype(np.int64)
    sets[[55, 20, 21, 22]] = [1, 1, 1, 2]
    for sets_20_21 in ([1, 1], [1, 2]):
        sets[[20, 21]] = sets_20_21
        args = (X, sets, queries, neighbors, off_grid, 3, 1e-5, 1e-12, 1e-6, 2)
        p, q, _ = segment_hits(*args)
        p_ref, q_ref = naive_segment_hits(*args)
        np.testing.assert_array_equal(p, p_ref)
        np.testing.assert_array_equal(q, q_ref)
        assert (p[55] == -1) == (sets_20_21 == [1, 1])


def test_value_counting_kernel_matches_reference():
    rng = np.random.default_rng(1)
    column = np.round(rng.normal(size=5000), 2)  # many repeats
    column[:10] = -0.0
    values = np.unique(np.concatenate([rng.choice(column, 300), [0.0, 123.5, -7.25]]))
    counts = np.zeros(values.size, dtype=np.int64)
    for part in (column[:1234] + 0.0, column[1234:] + 0.0):  # counts add up over calls
        count_values(part.view(np.uint64), values.view(np.uint64), counts)
    np.testing.assert_array_equal(counts, naive_count_values(column, values))
    assert counts[values == 0.0][0] == np.sum(column == 0.0) >= 10
    assert counts[values == 123.5][0] == 0


def test_segment_hits_are_the_same_for_any_thread_count():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(120, 4))
    X[60:] = X[:60] + rng.random((60, 1)) * (X[rng.permutation(60)] - X[:60])  # on segments
    queries = np.arange(120, dtype=np.int64)
    d = ((X[:, None] - X[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    neighbors = np.argsort(d, axis=1, kind="stable")[:, :6].astype(np.int64)
    off_grid = np.ones(X.shape, dtype=bool)
    sets = rng.integers(0, 4, size=len(X)).astype(np.uint8)
    args = (X, sets, queries, neighbors, off_grid, 3, 1e-5, 1e-12, 1e-6, 2)
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with numba_threads(threads):
            results.append(segment_hits(*args))
    assert (results[0][0] >= 0).any() and (results[0][0] < 0).any()
    for one, many in zip(results[0], results[1], strict=True):
        np.testing.assert_array_equal(one, many)
