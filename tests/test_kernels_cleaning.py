"""Kernels of the cleaning samplers (``fastsmote._kernels.cleaning``) against
``naive.py``."""

import naive
import numba
import numpy as np
import pytest

from fastsmote._kernels import arrays
from fastsmote._kernels.cleaning import (
    edit_from_lists,
    mark_disagreeing,
    outvoted,
    rows_by_class,
    rows_of_classes,
    tomek_link_mask,
)
from fastsmote._numba import numba_threads

DTYPES = [np.float32, np.float64]


@pytest.fixture(params=["numpy", "kernel"])
def array_path(request, monkeypatch):
    """Both paths of ``tomek_link_mask``: NumPy (what small inputs take) and the kernel
    (what large inputs take)."""
    monkeypatch.setattr(arrays, "NUMPY_MAX_VALUES", 1 << 62 if request.param == "numpy" else 0)
    return request.param


def test_rows_of_classes_selects_the_wanted_classes_in_input_order():
    codes = np.random.default_rng(20).integers(0, 4, 300).astype(np.int32)
    wanted = np.array([True, False, True, False])
    np.testing.assert_array_equal(rows_of_classes(codes, wanted), np.flatnonzero(codes % 2 == 0))
    assert rows_of_classes(codes, np.zeros(4, dtype=bool)).size == 0


@pytest.mark.parametrize("n_classes", [1, 3, 40])  # one pass per class; a counting sort
def test_rows_by_class_is_a_stable_sort_of_the_kept_rows(n_classes):
    rng = np.random.default_rng(18)
    codes = rng.integers(0, n_classes, 500).astype(np.int32)
    keep = rng.random(500) < 0.7
    rows, counts = rows_by_class(codes, keep, n_classes + 1)  # the last class has no rows
    kept = np.flatnonzero(keep)
    np.testing.assert_array_equal(rows, kept[np.argsort(codes[kept], kind="stable")])
    np.testing.assert_array_equal(counts, np.bincount(codes[kept], minlength=n_classes + 1))


# ------------------------------------------------ small random inputs against naive.py
def _nearest_of(X):
    """Each row's nearest other row (ties to the lower row), as the cleaners search it."""
    return naive.knn(X, np.arange(len(X)), 1)[1][:, 0]


@pytest.mark.usefixtures("array_path")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(4))
def test_tomek_link_mask_matches_naive(dtype, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(60, 2)).astype(dtype)  # ties and exact duplicates
    X[10] = X[11] = 9.5  # a duplicate pair off the grid: each other's nearest row
    codes = rng.integers(0, 3, 60).astype(np.int32)
    codes[10], codes[11] = 0, 1  # of different classes: a link
    nearest = _nearest_of(X)
    for targeted in ([True, True, True], [False, True, False], [False, False, False]):
        targeted = np.array(targeted)
        mask = tomek_link_mask(nearest, codes, targeted)
        np.testing.assert_array_equal(mask, naive.tomek_link_mask(nearest, codes, targeted))
    both = tomek_link_mask(nearest, codes, np.ones(3, dtype=bool))
    assert both[10] and both[11]
    assert both.any() and not both.all()


@pytest.mark.usefixtures("array_path")
def test_tomek_link_mask_on_two_rows():
    nearest = np.array([1, 0], dtype=np.int64)
    for codes, expected in (([0, 1], [True, True]), ([1, 1], [False, False])):
        codes = np.array(codes, dtype=np.int32)
        mask = tomek_link_mask(nearest, codes, np.ones(2, dtype=bool))
        np.testing.assert_array_equal(mask, expected)
        np.testing.assert_array_equal(mask, naive.tomek_link_mask(nearest, codes, [True, True]))


@pytest.mark.parametrize("unanimous", [True, False])
@pytest.mark.parametrize("k", [1, 2, 4])  # even k: tied votes
@pytest.mark.parametrize("n_classes", [2, 3])
def test_mark_disagreeing_matches_naive(unanimous, k, n_classes):
    rng = np.random.default_rng(k * n_classes + unanimous)
    n = 80
    codes = rng.integers(0, n_classes, n).astype(np.int32)
    rows = np.sort(rng.choice(n - 2, 50, replace=False)).astype(np.int64)
    neighbours = rng.integers(0, n, size=(rows.size, k)).astype(np.int64)
    neighbours[0] = rows[0]  # all neighbours one row of the query's own class
    if k >= 2:  # a tie between two classes, the query's the higher one
        codes[rows[1]] = 1
        codes[[n - 2, n - 1]] = 0, 1
        neighbours[1, : k // 2], neighbours[1, k // 2 :] = n - 2, n - 1
    keep = rng.random(n) < 0.5  # rows not queried keep their flag
    expected = naive.mark_disagreeing(rows, neighbours, codes, unanimous, keep)
    mark_disagreeing(rows, neighbours, codes, n_classes, unanimous, keep)
    np.testing.assert_array_equal(keep, expected)
    assert keep[rows[0]]
    if k >= 2:
        assert not keep[rows[1]]  # a tie goes to the lower class code


def test_mark_disagreeing_on_a_single_row():
    codes = np.array([0, 1], dtype=np.int32)
    for unanimous in (True, False):
        keep = np.array([False, True])
        mark_disagreeing(np.array([0]), np.array([[1]]), codes, 2, unanimous, keep)
        np.testing.assert_array_equal(keep, [False, True])
        keep = np.array([False, False])
        mark_disagreeing(np.array([1]), np.array([[1]]), codes, 2, unanimous, keep)
        np.testing.assert_array_equal(keep, [False, True])


@pytest.mark.parametrize("n_rows", [1, 2, 301])
@pytest.mark.parametrize("n_classes", [1, 2, 9])  # one pass per class up to 8; a counting sort
def test_row_selection_matches_naive(n_rows, n_classes):
    rng = np.random.default_rng(n_rows + n_classes)
    codes = rng.integers(0, n_classes, n_rows).astype(np.int32)
    wanted = rng.random(n_classes) < 0.5
    np.testing.assert_array_equal(
        rows_of_classes(codes, wanted), naive.rows_of_classes(codes, wanted)
    )
    keep = rng.random(n_rows) < 0.7
    rows, counts = rows_by_class(codes, keep, n_classes)
    ref_rows, ref_counts = naive.rows_by_class(codes, keep, n_classes)
    np.testing.assert_array_equal(rows, ref_rows)
    np.testing.assert_array_equal(counts, ref_counts)


@pytest.mark.usefixtures("array_path")
@pytest.mark.parametrize("unanimous", [True, False])
def test_results_are_the_same_for_any_thread_count(unanimous):
    rng = np.random.default_rng(21)
    n = 301
    codes = rng.integers(0, 3, n).astype(np.int32)
    nearest = rng.integers(0, n, n)
    nearest[nearest[:100]] = np.arange(100)  # mutual nearest pairs: links
    targeted = np.array([True, True, False])
    rows = np.sort(rng.choice(n, 200, replace=False))
    neighbours = rng.integers(0, n, (rows.size, 4))
    lists = rng.integers(-1, n, (n, 5))
    present = rng.random(n) < 0.8
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with numba_threads(threads):
            keep = np.zeros(n, dtype=bool)
            mark_disagreeing(rows, neighbours, codes, 3, unanimous, keep)
            remove = np.zeros(n, dtype=bool)
            stale = np.zeros(rows.size, dtype=bool)
            edit_from_lists(rows, lists, present, codes, 3, 3, unanimous, remove, stale)
            results.append(
                (
                    tomek_link_mask(nearest, codes, targeted),
                    keep,
                    remove,
                    stale,
                    outvoted(rows, neighbours, codes, 3, 4),
                )
            )
    for one, many in zip(*results, strict=True):
        np.testing.assert_array_equal(one, many)
        assert one.any() and not one.all()
