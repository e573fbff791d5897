"""Tiny magnitudes: every neighbour search scales the rows it compares by a power of two
when their squared distances would underflow, and leaves ordinary data alone."""

import math

import naive
import numpy as np
import pytest
from conftest import blobs
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors

import fastsmote.neighbors._approx as approx_module
import fastsmote.neighbors._exact as exact_module
from fastsmote import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    SMOTENC,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    RandomOverSampler,
    SMOTETomek,
    TomekLinks,
)
from fastsmote.model_selection import check_leakage
from fastsmote.neighbors import (
    approx_kneighbors,
    exact_kneighbors,
    exact_kneighbors_of,
    exact_kneighbors_of_points,
    kneighbors,
    mixed_kneighbors,
)
from fastsmote.neighbors._scaling import scale_exponent, unit_exponent

#: Magnitudes whose squared distances underflow (float32 from ~1e-21, float64 from
#: ~1e-155); 1e-38 float32 and 1e-300 float64 hold subnormal values too.
TINY = [
    (np.float32, 1e-22),
    (np.float32, 1e-30),
    (np.float32, 1e-38),
    (np.float64, 1e-160),
    (np.float64, 1e-300),
]


def tiny_rows(dtype, scale, n=160, d=12, seed=0):
    """Gaussian rows of the given magnitude, and the same rows scaled (exactly, by a
    power of two) to a largest span in [1, 2): the reference for their neighbours."""
    X = (np.random.default_rng(seed).standard_normal((n, d)) * scale).astype(dtype)
    spans = X.max(axis=0).astype(np.float64) - X.min(axis=0)
    exponent = unit_exponent(spans)
    return X, np.ldexp(X, exponent), exponent


@pytest.mark.parametrize("dtype, scale", TINY)
def test_exact_paths_find_the_true_neighbours_of_tiny_values(dtype, scale):
    X, reference, exponent = tiny_rows(dtype, scale)
    assert scale_exponent(X.max(0).astype(float) - X.min(0), X.dtype) == exponent
    every_row = np.arange(len(X))
    true_dist, true_pos = naive.knn(reference, every_row, 5)
    for method in ("direct", "fused", "blas"):
        dist, pos = exact_kneighbors(X, 5, method=method, return_distance=True)
        np.testing.assert_array_equal(pos, true_pos, err_msg=method)
        # distances in the data's units: the reference's, scaled back exactly
        expected = np.ldexp(np.sqrt(true_dist), -exponent)
        np.testing.assert_array_equal(dist, expected, err_msg=method)
        queries = every_row[::7]
        np.testing.assert_array_equal(
            exact_kneighbors_of(X, queries, 5, method=method), true_pos[queries], err_msg=method
        )
    rows = every_row[10:130]  # a subset, searched in place
    np.testing.assert_array_equal(exact_kneighbors(X, 4, rows), naive.knn(reference, rows, 4)[1])
    # query points that are not rows of X: as if the points were rows
    points = X[:20]
    found = exact_kneighbors_of_points(points, X, 3)
    np.testing.assert_array_equal(found, naive.knn(reference, every_row, 3, False)[1][:20])
    if scale >= 1e-30 or dtype == np.float64:  # no subnormal inputs: no ties either
        nn = NearestNeighbors(n_neighbors=6, algorithm="brute").fit(reference.astype(np.float64))
        np.testing.assert_array_equal(true_pos, nn.kneighbors(return_distance=False)[:, :5])


@pytest.mark.parametrize("dtype, scale", TINY)
def test_approximate_graph_and_mixed_search_on_tiny_values(dtype, scale):
    X, reference, exponent = tiny_rows(dtype, scale, n=400)
    rows = np.arange(len(X))
    # the same graph as for the scaled rows (scaling is exact), hence as good
    graph = approx_kneighbors(X, 5, rows, key=3)
    np.testing.assert_array_equal(graph, approx_kneighbors(reference, 5, rows, key=3))
    exact = naive.knn(reference, rows, 5)[1]
    recall = np.mean([len(set(a) & set(e)) / 5 for a, e in zip(graph, exact, strict=True)])
    assert recall >= 0.95, recall
    # SMOTE-NC's distance: continuous part and categorical weight scale together
    codes = np.random.default_rng(1).integers(0, 3, (len(X), 2)).astype(np.int32)
    found, median_std = mixed_kneighbors(X, codes, 4)
    expected, median_scaled = mixed_kneighbors(reference, codes, 4)
    np.testing.assert_array_equal(found, expected)
    assert median_std == math.ldexp(median_scaled, -exponent) > 0


def test_pynndescent_gets_rows_float32_can_hold():
    # pynndescent works in float32: float64 values of 1e-160 would all be 0 there, and
    # squared distances of values around 1e30 would overflow
    rng = np.random.default_rng(4)
    base = rng.standard_normal((300, 8))
    rows = np.arange(len(base))
    exact = exact_kneighbors(base, 5)
    for X in (base * 1e-160, base * 1e30):
        found = approx_kneighbors(X, 5, rows, key=0, method="pynndescent")
        recall = np.mean([len(set(a) & set(e)) / 5 for a, e in zip(found, exact, strict=True)])
        assert recall >= 0.95, recall


def _samplers():
    return {
        "SMOTE": SMOTE(random_state=0, k_neighbors=3),
        "SMOTE-approx": SMOTE(random_state=0, neighbors="approx"),
        "Borderline-1": BorderlineSMOTE(random_state=0, k_neighbors=3),
        "Borderline-2": BorderlineSMOTE(random_state=0, kind="borderline-2"),
        "ADASYN": ADASYN(random_state=0),
        "Tomek": TomekLinks(),
        "ENN": EditedNearestNeighbours(),
        "ENN-approx": EditedNearestNeighbours(neighbors="approx"),
        "SMOTETomek": SMOTETomek(random_state=0),
        "SMOTEENN": SMOTEENN(random_state=0),
        "SMOTENC": SMOTENC(categorical_features=[4], random_state=0),
    }


@pytest.mark.parametrize("dtype, scale", [(np.float32, 1e-30), (np.float64, 1e-300)])
def test_samplers_resample_tiny_values_like_the_same_values_scaled(dtype, scale):
    X, y = blobs([200, 60], n_features=5, shift=1.0, seed=2)  # overlapping: danger rows
    tiny = (X * scale).astype(dtype)
    exponent = unit_exponent(tiny.max(0).astype(float) - tiny.min(0))
    categories = np.random.default_rng(3).integers(0, 3, len(X)).astype(dtype)
    for name, sampler in _samplers().items():
        data = {"tiny": tiny, "scaled": np.ldexp(tiny, exponent)}
        if name == "SMOTENC":  # the last column holds categories, not scaled
            data = {key: np.column_stack([v[:, :4], categories]) for key, v in data.items()}
        results = {}
        for key, values in data.items():
            X_res, y_res = sampler.fit_resample(values, y)
            origin = sampler.provenance(values, y) if hasattr(sampler, "provenance") else None
            results[key] = X_res, y_res, origin
        (X_tiny, y_tiny, tiny_origin), (X_big, y_big, big_origin) = results.values()
        np.testing.assert_array_equal(y_tiny, y_big, err_msg=name)
        assert len(y_tiny) != len(y) or name == "Tomek", name  # something happened
        # synthetic values are rounded at the tiny scale (subnormals): equal to rounding
        back = X_tiny.astype(np.float64)
        columns = slice(0, 4) if name == "SMOTENC" else slice(None)
        back[:, columns] = np.ldexp(back[:, columns], exponent)
        np.testing.assert_allclose(back, X_big, rtol=1e-5, atol=1e-9, err_msg=name)
        if tiny_origin is not None:
            np.testing.assert_array_equal(tiny_origin.base, big_origin.base, err_msg=name)
            np.testing.assert_array_equal(tiny_origin.neighbor, big_origin.neighbor, name)


@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_smoothed_bootstrap_scales_with_its_data_at_any_magnitude(layout):
    """The noise scale is the class's standard deviation: taken on the columns scaled by
    a power of two where their squares would underflow or overflow, so the output at
    2**p times the data is 2**p times the output, bit for bit."""
    from scipy import sparse

    X, y = blobs([200, 60], n_features=5, shift=1.0, seed=2)
    X[:, 2] = np.ldexp(X[:, 2], -300)  # one column of another magnitude
    wrap = sparse.csr_matrix if layout == "csr" else np.asarray
    unwrap = (lambda M: M.toarray()) if layout == "csr" else np.asarray
    sampler = RandomOverSampler(shrinkage={1: 1.0}, random_state=0)
    expected = unwrap(sampler.fit_resample(wrap(X), y)[0])
    for power in (-1000, -700, -450, 450, 700, 1000):
        scaled = np.ldexp(X, power)
        if not np.isfinite(scaled).all() or not (scaled[:, 2] != 0).all():
            continue
        got = unwrap(sampler.fit_resample(wrap(scaled), y)[0])
        np.testing.assert_array_equal(np.ldexp(got, -power), expected, err_msg=str(power))


@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("dtype, power", [(np.float64, 1021), (np.float32, 125)])
def test_smoothed_rows_beyond_the_dtype_raise(layout, dtype, power):
    from scipy import sparse

    X, y = blobs([200, 60], n_features=5, shift=1.0, seed=2)
    X = np.ldexp(X, power).astype(dtype)
    assert np.isfinite(X).all()
    data = sparse.csr_matrix(X) if layout == "csr" else X
    with pytest.raises(ValueError, match=f"smoothed row overflows {np.dtype(dtype).name}"):
        RandomOverSampler(shrinkage=10.0, random_state=0).fit_resample(data, y)


def test_smotenc_estimator_search_takes_the_median_std_of_tiny_values():
    from sklearn.neighbors import NearestNeighbors

    X, y = blobs([120, 40], n_features=4, shift=1.0, seed=5)
    X = X.astype(np.float64)
    categories = np.random.default_rng(3).integers(0, 3, len(X))
    medians = []
    for power in (0, -1000):  # the squares of the second underflow to zero
        data = np.column_stack([np.ldexp(X, power), categories])
        sampler = SMOTENC(categorical_features=[4], k_neighbors=NearestNeighbors(n_neighbors=6))
        sampler.fit_resample(data, y)
        medians.append({c: math.ldexp(m, -power) for c, m in sampler.median_std_.items()})
    assert medians[0] == medians[1] and all(m > 0 for m in medians[0].values())


def test_tomek_and_all_rows_searches_on_tiny_values():
    X, reference, _ = tiny_rows(np.float32, 1e-25, n=300, d=6)
    rows = np.arange(len(X))
    for queries in (None, rows[::3], rows[:200]):  # self-search, one-sided, self + gather
        found, _ = kneighbors(X, 4, queries=queries, backend="exact", key=0)[:2]
        expected, _ = kneighbors(reference, 4, queries=queries, backend="exact", key=0)[:2]
        np.testing.assert_array_equal(found, expected)
    y = (np.random.default_rng(0).random(len(X)) < 0.3).astype(int)
    kept = TomekLinks().fit_resample(X, y)[1]
    assert kept.size == TomekLinks().fit_resample(reference, y)[1].size < len(y)


def test_leakage_check_does_not_depend_on_the_scale():
    X, y = make_classification(
        n_samples=1500, n_features=8, weights=[0.9], class_sep=0.8, random_state=0
    )
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)  # resampled before the split
    a, b, c, d = train_test_split(X_res, y_res, test_size=0.25, stratify=y_res, random_state=0)
    report = check_leakage(a, c, b, d)
    assert report.leaked and report.test_rows_on_segments.size > 0
    for exponent in (-530, -900, 40):  # ~1e-160, ~1e-271 and ~1e12
        scaled = check_leakage(np.ldexp(a, exponent), c, np.ldexp(b, exponent), d)
        np.testing.assert_array_equal(scaled.test_rows_on_segments, report.test_rows_on_segments)
        np.testing.assert_array_equal(scaled.train_rows_on_segments, report.train_rows_on_segments)
        assert scaled.verdict == report.verdict


def test_ordinary_data_is_searched_as_it_is(monkeypatch):
    def no_copy(*args):
        raise AssertionError("ordinary data must not be copied for scaling")

    monkeypatch.setattr(exact_module, "scaled_copy", no_copy)
    monkeypatch.setattr(approx_module, "scale_rows", no_copy)
    rng = np.random.default_rng(6)
    for scale in (1.0, 1e-10, 1e10):  # well inside float32's range
        X = (rng.standard_normal((300, 12)) * scale).astype(np.float32)
        rows = np.arange(len(X))
        expected_dist, expected = naive.knn(X, rows, 5)
        for method in ("direct", "fused", "blas"):
            dist, pos = exact_kneighbors(X, 5, method=method, return_distance=True)
            np.testing.assert_array_equal(pos, expected)
            np.testing.assert_array_equal(dist, np.sqrt(expected_dist))  # bit for bit
            np.testing.assert_array_equal(exact_kneighbors_of(X, rows[:9], 5, method=method),
                                          expected[:9])  # fmt: skip
        approx_kneighbors(X, 5, rows, key=0)
        mixed_kneighbors(X, np.zeros((len(X), 1), np.int32), 5)
        SMOTENC(categorical_features=[0], random_state=0).fit_resample(
            np.column_stack([np.arange(300) % 2, X]), np.arange(300) < 60
        )


def test_scaling_is_asked_for_exactly_below_the_resolution_limit():
    # a rounding unit of the largest span must square to a normal number
    for dtype, limit in ((np.float32, 9.1e-13), (np.float64, 6.7e-139)):
        assert scale_exponent(np.array([0.0, limit * 1.01]), np.dtype(dtype)) == 0
        exponent = scale_exponent(np.array([0.0, limit * 0.99]), np.dtype(dtype))
        assert 1 <= np.ldexp(limit * 0.99, exponent) < 2
    assert scale_exponent(np.zeros(3), np.dtype(np.float32)) == 0  # identical rows
    # pynndescent's float32 for float64 data: scaled down as well as up
    assert scale_exponent(np.array([1e30]), np.dtype(np.float64)) == 0
    assert scale_exponent(np.array([1e30]), np.dtype(np.float64), np.dtype(np.float32)) < 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_points_search_returns_the_defined_distances(dtype):
    X, _ = blobs([40, 30], n_features=9, dtype=dtype)
    X[50:55] = X[:5]  # ties, broken by the lower row
    points = X[[0, 7, 60]] + dtype(0.25)
    dist, pos = exact_kneighbors_of_points(points, X, 6, return_distance=True)
    every = np.arange(len(X))
    expected = naive.knn_of(points, np.arange(3), X, every, 6, np.full(3, -1))
    assert dist.dtype == dtype
    np.testing.assert_array_equal(dist, expected[0])
    np.testing.assert_array_equal(pos, expected[1])
    np.testing.assert_array_equal(pos, exact_kneighbors_of_points(points, X, 6))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "n_features, k, n_points",
    [(8, 1, 300), (20, 5, 300), (60, 3, 300), (20, 2, 4300)],  # the last: query-major
)
def test_points_search_through_shortlists_is_the_direct_search(
    monkeypatch, dtype, n_features, k, n_points
):
    """From 8 features the points are searched through product shortlists: the same
    lists and the same defined distances, bit for bit, as the direct kernel (which
    merges of searches over parts of the rows rely on), ties and duplicates included."""
    rng = np.random.default_rng(n_features)
    X = np.round(rng.standard_normal((1500, n_features)), 1).astype(dtype)
    X[700:720] = X[:20]  # duplicate rows: ties to the lower row
    points = np.r_[X[[0, 5, 710, 1499]], X[rng.integers(0, 1500, n_points)] + dtype(0.05)]
    points = points.astype(dtype)
    shortlisted = exact_kneighbors_of_points(points, X, k, return_distance=True)
    monkeypatch.setattr(exact_module, "FUSED_MIN_FEATURES", 10**9)  # the direct kernel
    direct = exact_kneighbors_of_points(points, X, k, return_distance=True)
    np.testing.assert_array_equal(shortlisted[0].view(np.uint8), direct[0].view(np.uint8))
    np.testing.assert_array_equal(shortlisted[1], direct[1])
    every = np.arange(len(X))
    expected = naive.knn_of(points, np.arange(len(points)), X, every, k, np.full(len(points), -1))
    np.testing.assert_array_equal(shortlisted[1], expected[1])


def test_points_search_refuses_distances_of_rows_it_must_scale():
    X = np.random.default_rng(0).standard_normal((30, 3)).astype(np.float32) * 1e-20
    exact_kneighbors_of_points(X[:2], X, 3)  # indices: the search scales the rows
    with pytest.raises(ValueError, match="span too little"):
        exact_kneighbors_of_points(X[:2], X, 3, return_distance=True)
