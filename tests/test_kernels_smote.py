"""SMOTE draw and generation kernels (``fastsmote._kernels.smote``) against ``naive.py``."""

import naive
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
    NO_GROUPS,
    NO_STEPS,
    smote_draws_range,
    smote_generate,
    smote_origins,
    smotenc_codes,
    smotenc_generate,
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
        NO_GROUPS,
        NO_STEPS,
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
        np.cumsum(counts), NO_DAMP, np.uint64(0), NO_GROUPS, NO_STEPS,
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
        NO_GROUPS,
        NO_STEPS,
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
                    NO_GROUPS,
                    NO_STEPS,
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
        X, rows, neighbors, np.uint64(3), 0, whole, 0, 500, 64, NO_COUNTS, NO_DAMP, np.uint64(0),
        NO_GROUPS, NO_STEPS,
    )  # fmt: skip
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
            NO_GROUPS,
            NO_STEPS,
        )
    np.testing.assert_array_equal(whole, pieces)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_class, k", [(1, 1), (2, 1), (30, 4)])
def test_generation_with_damping_matches_naive(dtype, n_class, k):
    rng = np.random.default_rng(n_class)
    X = rng.integers(0, 3, size=(40, 3)).astype(dtype)  # duplicates: zero steps
    base_rows = rng.choice(40, n_class, replace=False).astype(np.int64)
    neighbor_rows = rng.integers(0, 40, size=(n_class, k)).astype(np.int64)
    damp = rng.random((n_class, k)) < 0.5
    damp[0, 0] = True
    out = np.full((55, 3), np.nan, dtype=dtype)
    smote_generate(
        X, base_rows, neighbor_rows, np.uint64(31), 3, out, 5, 50, 7, NO_COUNTS, damp,
        np.uint64(32), NO_GROUPS, NO_STEPS,
    )  # fmt: skip
    expected, _ = naive_generate(X, base_rows, neighbor_rows, 31, 3, 50, damp=damp, damp_key=32)
    np.testing.assert_array_equal(out[5:], expected)
    assert np.isnan(out[:5]).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [1, 2, 5])  # one voter; even counts: tied votes
@pytest.mark.parametrize("chunk", [1, 16])
def test_smotenc_generation_matches_naive(dtype, k, chunk):
    rng = np.random.default_rng(k)
    n_class = 12
    X = rng.standard_normal((n_class, 2)).astype(dtype)
    X[3] = X[2]  # a duplicate
    codes = rng.integers(0, 3, size=(n_class, 3)).astype(np.int32)
    codes[:, 2] = 7  # a categorical feature with one value
    neighbors = naive_knn(X, np.arange(n_class), k)[1]
    class_key, tie_key = naive.stream_key(41, 1), naive.stream_key(41, 2)
    start, n_new = 6, 40
    out = np.full((n_new + 1, 2), np.nan, dtype=dtype)
    out_codes = np.full((n_new + 1, 3), -1, dtype=np.int32)
    smotenc_generate(
        X, codes, neighbors, np.uint64(class_key), np.uint64(tie_key), start, out, out_codes,
        1, n_new, chunk,
    )  # fmt: skip
    expected, expected_codes = naive.smotenc_generate(
        X, codes, neighbors, class_key, tie_key, start, n_new
    )
    np.testing.assert_array_equal(out[1:], expected)
    np.testing.assert_array_equal(out_codes[1:], expected_codes)
    assert (out_codes[0] == -1).all() and (out_codes[1:, 2] == 7).all()
    # the codes alone (a sparse output's): the same votes and tie draws
    only_codes = np.full((n_new + 2, 3), -1, dtype=np.int32)
    smotenc_codes(
        codes, neighbors, np.uint64(class_key), np.uint64(tie_key), start, only_codes, 2,
        n_new, chunk,
    )  # fmt: skip
    np.testing.assert_array_equal(only_codes[2:], expected_codes)
    assert (only_codes[:2] == -1).all()
    if k == 2:  # two different codes among two voters: the tie is broken both ways
        picks = {
            int(out_codes[1 + t, 0])
            for t in range(n_new)
            if len(set(codes[neighbors[naive_draws(class_key, start + t, n_class, k)[0]], 0])) == 2
        }
        assert len(picks) >= 2


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("chunk", [1, 16])
def test_generation_in_groups_matches_naive(dtype, chunk):
    # SVM-SMOTE / KMeans-SMOTE: rows come in groups, each drawing its base among its own
    # bases, its gap multiplied by the group's step (negative: extrapolation); a group
    # may have no rows
    rng = np.random.default_rng(8)
    X = rng.standard_normal((60, 3)).astype(dtype)
    base_rows = rng.permutation(60)[:12].astype(np.int64)
    neighbor_rows = rng.integers(0, 60, size=(12, 3)).astype(np.int64)
    group_bases, group_rows = np.array([5, 3, 4]), np.array([40, 0, 33])
    steps = np.array([1.0, 0.25, -0.5])
    groups = np.column_stack([np.cumsum(group_bases), np.cumsum(group_rows)])
    start, n_new = 7, 66
    out = np.full((n_new + 2, 3), np.nan, dtype=dtype)
    smote_generate(
        X, base_rows, neighbor_rows, np.uint64(41), start, out, 2, n_new, chunk, NO_COUNTS,
        NO_DAMP, np.uint64(0), groups, steps,
    )  # fmt: skip
    expected, draws = naive_generate(
        X, base_rows, neighbor_rows, 41, start, n_new,
        group_bases=group_bases, group_rows=group_rows, steps=steps,
    )  # fmt: skip
    np.testing.assert_array_equal(out[2:], expected)
    base, neighbor, gap = smote_origins(
        base_rows, neighbor_rows, np.uint64(41), start, n_new, NO_COUNTS, NO_DAMP,
        np.uint64(0), groups, steps,
    )  # fmt: skip
    np.testing.assert_array_equal(base, [d[0] for d in draws])
    np.testing.assert_array_equal(neighbor, [d[1] for d in draws])
    np.testing.assert_array_equal(gap, [d[2] for d in draws])
    first = np.isin(base[: 40 - start], base_rows[:5])
    assert first.all() and np.isin(base[40 - start :], base_rows[8:]).all()
    assert (gap[40 - start :] <= 0).all() and (gap[40 - start :] > -0.5).all()
