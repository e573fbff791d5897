"""Whole-array kernels (``fastsmote._kernels.arrays``) against ``naive.py``."""

import naive
import numba
import numpy as np
import pytest

from fastsmote._kernels import arrays
from fastsmote._kernels.arrays import (
    codes_from_lookup,
    column_spans,
    copy_rows,
    count_compact_ints,
    first_nonfinite_row,
    gather_rows,
)
from fastsmote._numba import numba_threads

DTYPES = [np.float32, np.float64]


@pytest.fixture(params=["numpy", "kernel"], autouse=True)
def array_path(request, monkeypatch):
    """Every test runs through both paths of the whole-array helpers: NumPy (what small
    inputs take) and the kernels (what large inputs take)."""
    monkeypatch.setattr(arrays, "NUMPY_MAX_VALUES", 1 << 62 if request.param == "numpy" else 0)
    return request.param


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
    rows = rng.permutation(1001)[:700]
    counts = count_compact_ints(y, lo, n_values, 64, rows)
    expected = np.bincount(y[rows].astype(np.int64) - lo, minlength=n_values)
    np.testing.assert_array_equal(counts, expected)
    if array_path == "kernel":  # one compiled version, whatever the labels' type
        assert {s[2].dtype for s in arrays._count_blocks.signatures} == {numba.int64}
        assert {s[0].dtype for s in arrays._count_serial.signatures} <= {numba.int64}
        assert {s[2].dtype for s in arrays._codes_blocks.signatures} == {numba.int64}


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_first_nonfinite_row(bad):
    X = np.ones((1000, 4), dtype=np.float32)
    assert first_nonfinite_row(X, 64) == -1
    X[700, 2] = bad
    X[900, 0] = bad
    assert first_nonfinite_row(X, 64) == 700


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_extremes_are_not_flagged(dtype):
    info = np.finfo(dtype)
    X = np.zeros((300, 5), dtype=dtype)
    X[10] = [info.max, -info.max, info.tiny, info.smallest_subnormal, -0.0]
    assert first_nonfinite_row(X, 64) == -1
    assert copy_rows(X, np.empty_like(X), 64) == -1
    X[299, 4] = np.nan  # last row of a partial block
    assert first_nonfinite_row(X, 64) == copy_rows(X, np.empty_like(X), 64) == 299


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [None, np.nan, np.inf, -np.inf])
def test_column_spans_match_naive(dtype, bad):
    rng = np.random.default_rng(3)
    X = (rng.standard_normal((500, 6)) * [1, 1e3, 1e-30, 0, 7, 1] + 5).astype(dtype)
    X[:, 3] = -0.0  # a constant column
    rows = rng.integers(0, 500, 700)  # any order, with repeats
    if bad is not None:
        X[rows[650], 4] = bad  # in the last block
        X[np.setdiff1d(np.arange(500), rows)[0], 1] = bad  # outside the rows: not seen
    spans = column_spans(X, rows, 64)
    np.testing.assert_array_equal(spans, naive.column_spans(X, rows))
    assert spans.dtype == np.float64
    np.testing.assert_array_equal(column_spans(np.asfortranarray(X), rows, 64), spans)
    assert np.isnan(spans[4]) == (bad is not None)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gather_rows_matches_numpy_indexing(dtype):
    rng = np.random.default_rng(2)
    src = rng.standard_normal((500, 7)).astype(dtype)
    rows = rng.integers(0, 500, 1234)  # repeats, any order, several blocks
    out = np.empty((rows.size, 7), dtype=dtype)
    gather_rows(src, rows, out, 64)
    np.testing.assert_array_equal(out, src[rows])


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


def test_copy_rows():
    src = np.random.default_rng(0).standard_normal((1001, 3))
    dst = np.zeros((1500, 3))
    assert copy_rows(src, dst, 64) == -1
    np.testing.assert_array_equal(dst[:1001], src)
    assert not dst[1001:].any()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_copy_rows_reports_the_first_nonfinite_row(bad):
    src = np.random.default_rng(0).standard_normal((1001, 3)).astype(np.float32)
    src[[950, 300, 301], [0, 2, 1]] = bad
    dst = np.zeros_like(src)
    assert copy_rows(src, dst, 64) == first_nonfinite_row(src, 64) == 300
    np.testing.assert_array_equal(dst, src)  # NaN positions compare equal here


# ------------------------------------------------ small random inputs against naive.py


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_rows", [1, 2, 37])
@pytest.mark.parametrize("row_block", [1, 4, 4096])
def test_row_scans_match_naive(dtype, n_rows, row_block):
    rng = np.random.default_rng(n_rows * row_block)
    src = rng.integers(-2, 3, size=(n_rows, 3)).astype(dtype)  # repeated values
    for bad_row in (None, n_rows - 1, 0):
        X = src.copy()
        if bad_row is not None:
            X[bad_row, 2] = np.inf
            X[n_rows // 2, 1] = np.nan
        expected = naive.first_nonfinite_row(X)
        assert first_nonfinite_row(X, row_block) == expected
        dst = np.full((n_rows + 2, 3), 7, dtype=dtype)
        assert copy_rows(X, dst, row_block) == expected
        np.testing.assert_array_equal(dst[:n_rows], X)
        assert (dst[n_rows:] == 7).all()
    rows = rng.integers(0, n_rows, 2 * n_rows + 1)  # repeats, any order
    out = np.empty((rows.size, 3), dtype=dtype)
    gather_rows(src, rows, out, row_block)
    np.testing.assert_array_equal(out, src[rows])


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint16])
@pytest.mark.parametrize("n_rows", [1, 5, 301])
def test_class_counts_and_codes_match_naive(dtype, n_rows):
    rng = np.random.default_rng(n_rows)
    lo = 0 if np.iinfo(dtype).min == 0 else -3
    y = (rng.integers(0, 9, n_rows) + lo).astype(dtype)
    y[0] = lo  # the lowest value present
    np.testing.assert_array_equal(
        count_compact_ints(y, lo, 9, 4), naive.count_compact_ints(y, lo, 9)
    )
    rows = rng.integers(0, n_rows, n_rows + 2)
    np.testing.assert_array_equal(
        count_compact_ints(y, lo, 9, 4, rows), naive.count_compact_ints(y, lo, 9, rows)
    )
    # the lookup of the classes present (absent values hold -1 and are never read)
    present = np.unique(y.astype(np.int64) - lo)
    lookup = np.full(9, -1, dtype=np.int32)
    lookup[present] = np.arange(present.size, dtype=np.int32)
    for row_block in (1, 7, 4096):
        codes = codes_from_lookup(y, lo, lookup, row_block)
        assert codes.dtype == np.int32
        np.testing.assert_array_equal(codes, naive.codes_from_lookup(y, lo, lookup))
        assert (codes >= 0).all()


def test_results_are_the_same_for_any_thread_count():
    # tiny blocks: with several threads, every helper runs in many ranges, and blocks
    # after the first non-finite one hold non-finite rows too
    rng = np.random.default_rng(4)
    X = rng.standard_normal((1001, 3))
    X[[950, 300, 301, 700], [0, 2, 1, 1]] = [np.nan, np.inf, np.nan, -np.inf]
    y = rng.integers(-2, 3, 1001)
    rows = rng.integers(0, 1001, 1500)
    lookup = np.array([4, 2, 0, 1, 3], dtype=np.int32)
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with numba_threads(threads):
            dst = np.empty_like(X)
            gathered = np.empty((rows.size, 3))
            gather_rows(X, rows, gathered, 8)
            results.append(
                (
                    first_nonfinite_row(X, 8),
                    copy_rows(X, dst, 8),
                    dst,
                    gathered,
                    count_compact_ints(y, -2, 5, 8),
                    count_compact_ints(y, -2, 5, 8, rows),
                    codes_from_lookup(y, -2, lookup, 8),
                )
            )
    assert results[0][:2] == (300, 300)
    for one, many in zip(*results, strict=True):
        np.testing.assert_array_equal(one, many)
