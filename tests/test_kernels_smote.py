"""SMOTE draw and generation kernels (``fastsmote._kernels.smote``) against ``naive.py``."""

import numba
import numpy as np
import pytest
from naive import knn as naive_knn
from naive import smote_draws as naive_draws
from naive import smote_generate as naive_generate
from naive import stream_key as naive_stream_key

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
