"""Neighbour backends: exact paths, estimators, NN-descent, pynndescent, the "auto" rule."""

import numpy as np
import pytest
from conftest import blobs
from sklearn.neighbors import NearestNeighbors

from fastsmote import (
    ADASYN,
    SMOTE,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    TomekLinks,
)
from fastsmote.neighbors import (
    NS_PER_PAIR_FEATURE,
    approx_kneighbors,
    estimated_exact_seconds,
    exact_kneighbors,
    exact_kneighbors_of,
    first_non_self,
    kneighbors,
    resolve_backend,
)


def test_auto_rule_picks_the_backend_estimated_to_finish_first():
    assert resolve_backend("auto", 10_000, 20) == "exact"
    assert resolve_backend("auto", 100_000, 20) == "exact"  # measured: exact 4-5 s, approx 5
    assert resolve_backend("auto", 200_000, 20) == "approx"  # exact ~17 s, approx 11 s
    assert resolve_backend("auto", 200_000, 50) == "exact"  # exact ~24 s, approx 55 s
    assert resolve_backend("auto", 5_000_000, 20) == "approx"
    assert resolve_backend("auto", 500_000, 50) == "exact"  # exact 196 s, approx ~230 s
    assert resolve_backend("auto", 2_000_000, 50) == "approx"
    assert resolve_backend("exact", 5_000_000, 20) == "exact"
    assert resolve_backend("approx", 100, 20) == "approx"
    assert resolve_backend("pynndescent", 100, 20) == "pynndescent"  # never chosen by auto
    # the documented switch points (docs/performance.md: from ~125k rows at 20 features,
    # ~1M at 50), and approx for every larger class from there
    for d, lo, hi in ((20, 100_000, 160_000), (50, 700_000, 1_400_000)):
        sizes = np.geomspace(1e4, 1e7, 300).astype(int)
        choices = [resolve_backend("auto", int(n), d) for n in sizes]
        first = choices.index("approx")
        assert lo < sizes[first] < hi, (d, sizes[first])
        assert all(c == "approx" for c in choices[first:])
    # a search by few queries (BorderlineSMOTE's, ADASYN's minority rows) stays exact
    # where the graph over all rows would be chosen for all of them
    assert resolve_backend("auto", 1_000_000, 20) == "approx"
    assert resolve_backend("auto", 1_000_000, 20, n_queries=50_000) == "exact"
    assert resolve_backend("auto", 1_000_000, 20, n_queries=1) == "exact"


def test_graph_size_grows_where_recall_would_fall():
    from fastsmote.neighbors._approx import graph_size

    assert graph_size(4, 20) == graph_size(4, 20, 5_000_000) == 24
    assert graph_size(5, 20) == 25  # 5k beyond the minimum
    assert graph_size(5, 50, 300_000) == 60 and graph_size(5, 50, 300_001) == 80
    assert graph_size(10, 20) == 50 and graph_size(20, 50, 10**6) == 100


def test_sampler_records_the_backend_per_class():
    X, y = blobs([100, 30, 20])
    sampler = SMOTE(random_state=0).fit(X, y)
    sampler.fit_resample(X, y)
    assert sampler.neighbors_backend_ == {1: "exact", 2: "exact"}


def test_estimator_backend_matches_exact_on_continuous_data():
    X, y = blobs([100, 40])
    exact = SMOTE(random_state=0, neighbors="exact").fit_resample(X, y)[0]
    sampler = SMOTE(random_state=0, neighbors=NearestNeighbors(algorithm="brute"))
    via_estimator = sampler.fit_resample(X, y)[0]
    np.testing.assert_array_equal(via_estimator, exact)
    assert sampler.neighbors_backend_ == {1: "estimator"}


def test_first_non_self_drops_self_anywhere_and_padding():
    found = np.array([[0, 1, 2], [0, 1, 2], [1, 2, 0]])  # row 1 lists itself second
    np.testing.assert_array_equal(first_non_self(found, 2), [[1, 2], [0, 2], [1, 0]])
    with pytest.raises(RuntimeError, match="fewer than n_neighbors"):
        first_non_self(np.array([[0, -1], [1, 0]]), 1)


@pytest.fixture(scope="module")
def gaussian_class():
    return np.random.default_rng(3).standard_normal((4000, 20)).astype(np.float32)


@pytest.fixture(scope="module")
def gaussian_class_exact(gaussian_class):
    return exact_kneighbors(gaussian_class, 5)


# pynndescent compiles its uncached kernels (~40 s of CPU) once per process, whatever the
# data size: its tests here and in test_scaling.py share that one compile
@pytest.mark.parametrize("method", ["nndescent", "pynndescent"])
def test_approx_recall_against_exact(gaussian_class, gaussian_class_exact, method):
    X = gaussian_class
    rows = np.arange(len(X), dtype=np.int64)
    approx = approx_kneighbors(X, 5, rows, key=1, method=method)
    exact = gaussian_class_exact
    recall = np.mean([len(set(a) & set(e)) / 5 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.95, recall
    assert not np.any(approx == rows[:, None])
    np.testing.assert_array_equal(approx, approx_kneighbors(X, 5, rows, key=1, method=method))
    if method == "nndescent":  # another seed, another graph
        assert not np.array_equal(approx, approx_kneighbors(X, 5, rows, key=2))


@pytest.mark.parametrize("backend", ["approx", "pynndescent"])
def test_approx_backend_in_smote_keeps_the_segment_property(gaussian_class, backend):
    X = gaussian_class[:1500]
    y = np.repeat([0, 1], [1200, 300])
    sampler = SMOTE(random_state=0, neighbors=backend)
    X_res, _ = sampler.fit_resample(X, y)
    assert sampler.neighbors_backend_ == {1: backend}
    prov = sampler.provenance(X, y)
    gap = prov.gap.astype(np.float32)[:, None]
    np.testing.assert_array_equal(
        X_res[len(X) :], X[prov.base] + gap * (X[prov.neighbor] - X[prov.base])
    )
    assert np.all(y[prov.neighbor] == 1) and np.all(prov.base != prov.neighbor)


def test_bad_neighbors_parameter():
    X, y = blobs([30, 10])
    with pytest.raises(ValueError, match="'neighbors' parameter of SMOTE must be a str among"):
        SMOTE(neighbors="fast").fit_resample(X, y)


@pytest.mark.parametrize("n_rows, n_features", [(10_000, 20), (10_000, 50)])
def test_approx_recall_on_benchmark_like_blobs(n_rows, n_features):
    # a class like the benchmarks' (a shifted standard normal), recall on sampled queries
    # (measured 0.995-0.9996 over graph seeds at these sizes; 0.996-0.997 at 20-30k rows)
    X = np.random.default_rng(4).standard_normal((n_rows, n_features)).astype(np.float32) + 1
    queries = np.random.default_rng(5).choice(n_rows, 500, replace=False)
    approx = approx_kneighbors(X, 5, np.arange(n_rows), key=2)[queries]
    exact = exact_kneighbors_of(X, queries, 5)
    recall = np.mean([len(set(a) & set(e)) / 5 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.98, recall


def test_classifier_quality_same_with_approx_and_exact_neighbours():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(5)
    n_maj, n_min, d = 6000, 400, 20
    X = np.vstack([rng.standard_normal((n_maj, d)), rng.standard_normal((n_min, d)) + 0.6])
    y = np.repeat([0, 1], [n_maj, n_min])
    test = rng.random(len(y)) < 0.3
    scores = {}
    for backend in ("exact", "approx"):
        X_res, y_res = SMOTE(random_state=0, neighbors=backend).fit_resample(X[~test], y[~test])
        model = LogisticRegression(max_iter=1000).fit(X_res, y_res)
        scores[backend] = average_precision_score(y[test], model.predict_proba(X[test])[:, 1])
    assert abs(scores["exact"] - scores["approx"]) < 0.02, scores


def test_all_rows_search_auto_rule_counts_queries():
    # 1M rows x 20: 10k queries are a few seconds of exact search, 1M queries are not
    assert resolve_backend("auto", 1_000_000, 20, n_queries=10_000) == "exact"
    assert resolve_backend("auto", 1_000_000, 20, n_queries=1_000_000) == "approx"
    # few queries: priced one-sided (q * n pairs); most rows: the self-search (n^2 / 2)
    one_sided = estimated_exact_seconds(1_000_000, 20, n_queries=400_000)
    assert one_sided == pytest.approx(0.4e6 * 1e6 * 20 * NS_PER_PAIR_FEATURE["one-sided"] * 1e-9)
    # below 8 features the one-sided search has no shortlist path: explicit differences
    few_features = estimated_exact_seconds(1_000_000, 5, n_queries=1000)
    expected = 1e3 * 1e6 * 5 * NS_PER_PAIR_FEATURE["one-sided-direct"] * 1e-9
    assert few_features == pytest.approx(expected)
    assert estimated_exact_seconds(1_000_000, 20, n_queries=600_000) == (
        estimated_exact_seconds(1_000_000, 20)
    )


def test_all_rows_approx_recall_and_exact_identity(gaussian_class):
    X = gaussian_class
    queries = np.arange(0, len(X), 7, dtype=np.int64)
    approx, used = kneighbors(X, 5, queries=queries, backend="approx", key=2)[:2]
    exact, used_exact = kneighbors(X, 5, queries=queries, backend="exact", key=2)[:2]
    assert (used, used_exact) == ("approx", "exact")
    np.testing.assert_array_equal(exact, exact_kneighbors(X, 5)[queries])
    recall = np.mean([len(set(a) & set(e)) / 5 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.95, recall
    assert not np.any(approx == queries[:, None])


@pytest.mark.parametrize("step", [7, 2, 1])
def test_all_rows_exact_search_same_for_few_and_many_queries(step):
    # few queries: one-sided kernel; most rows: every row's list once, then indexed
    rng = np.random.default_rng(11)
    X = rng.integers(0, 3, size=(700, 4)).astype(np.float32)  # ties and duplicates
    queries = np.flatnonzero(np.arange(700) % 7 != 3) if step == 1 else np.arange(0, 700, step)
    found, used = kneighbors(X, 4, queries=queries, backend="exact", key=0)[:2]
    assert used == "exact"
    np.testing.assert_array_equal(found, exact_kneighbors_of(X, queries, 4))


@pytest.mark.parametrize(
    "make",
    [
        lambda b: BorderlineSMOTE(random_state=0, neighbors=b),
        lambda b: BorderlineSMOTE(random_state=0, neighbors=b, kind="borderline-2"),
        lambda b: ADASYN(random_state=0, neighbors=b),
        lambda b: TomekLinks(neighbors=b),
        lambda b: EditedNearestNeighbours(neighbors=b),
    ],
    ids=["borderline-1", "borderline-2", "adasyn", "tomek", "enn"],
)
def test_samplers_searching_all_rows_use_the_configured_backend(make, gaussian_class):
    X = gaussian_class[:3000]
    y = np.repeat([0, 1], [2400, 600])
    X = X + y[:, None].astype(np.float32)  # overlapping classes: danger rows and links
    exact, approx = make("exact"), make("approx")
    _, y_exact = exact.fit_resample(X, y)
    _, y_approx = approx.fit_resample(X, y)
    backend = getattr(approx, "all_rows_backend_", None) or approx.neighbors_backend_
    assert "approx" in (backend.values() if isinstance(backend, dict) else [backend])
    if not hasattr(exact, "sample_indices_"):  # over-samplers: counts set by the strategy
        assert np.bincount(y_approx).tolist() == np.bincount(y_exact).tolist() == [2400, 2400]
    if hasattr(exact, "base_counts_"):  # ADASYN: rows per base follow the neighbours' classes
        counts_exact, counts_approx = exact.base_counts_[1], approx.base_counts_[1]
        moved = np.abs(counts_exact - counts_approx).sum() / (2 * counts_exact.sum())
        assert moved <= 0.05, moved
    if hasattr(exact, "sample_indices_"):  # cleaners: almost the same rows removed
        removed_exact = set(range(len(y))) - set(exact.sample_indices_.tolist())
        removed_approx = set(range(len(y))) - set(approx.sample_indices_.tolist())
        overlap = len(removed_exact & removed_approx) / max(len(removed_exact | removed_approx), 1)
        assert overlap >= 0.85, overlap
    if hasattr(exact, "in_danger_indices_"):
        danger_exact, danger_approx = (
            set(s.in_danger_indices_[1].tolist()) for s in (exact, approx)
        )
        overlap = len(danger_exact & danger_approx) / len(danger_exact | danger_approx)
        assert overlap >= 0.85, overlap


def test_the_door_gives_each_search_as_its_reference_does():
    import naive

    rng = np.random.default_rng(21)
    X = rng.integers(0, 4, size=(300, 5)).astype(np.float64)  # ties and duplicates
    rows = np.sort(rng.choice(300, 120, replace=False))
    every_row = np.arange(300)
    # within rows: positions into them
    found = kneighbors(X, 4, within=rows)
    assert found.backend == "exact" and found.estimator is None
    np.testing.assert_array_equal(rows[found.indices], rows[naive.knn(X, rows, 4)[1]])
    # rows among all rows: row numbers of X
    np.testing.assert_array_equal(
        kneighbors(X, 4, queries=rows).indices, naive.knn(X, every_row, 4)[1][rows]
    )
    # other points: nothing excluded
    points = X[:7] + 0.25
    expected = np.argsort(((points[:, None, :] - X[None]) ** 2).sum(-1), kind="stable")[:, :3]
    np.testing.assert_array_equal(kneighbors(X, 3, points=points).indices, expected)


def test_the_door_fits_an_estimator_on_the_searched_rows():
    X, _ = blobs([200, 60])
    rows = np.arange(50, 150)
    spec = NearestNeighbors(n_neighbors=4)
    own = kneighbors(X, None, within=rows, backend=spec, param="k_neighbors")
    asked = kneighbors(X, 3, within=rows, backend=spec)  # a count: +1 for the row itself
    assert own.backend == asked.backend == "estimator"
    assert own.estimator is not spec and own.estimator.n_samples_fit_ == rows.size
    np.testing.assert_array_equal(own.indices, asked.indices)
    np.testing.assert_array_equal(own.indices, exact_kneighbors(X, 3, rows))
    with pytest.raises(ValueError, match="'k_neighbors' estimator returned 1 neighbour"):
        kneighbors(X, None, backend=NearestNeighbors(n_neighbors=1), param="k_neighbors")


def test_the_door_refuses_what_it_cannot_search():
    X, _ = blobs([40, 20])
    with pytest.raises(ValueError, match="at most one of within, queries, points and codes"):
        kneighbors(X, 3, within=np.arange(10), queries=np.arange(5))
    with pytest.raises(ValueError, match="other points is exact; got backend 'approx'"):
        kneighbors(X, 3, points=X[:2], backend="approx")
    codes = np.zeros((len(X), 1), dtype=np.int32)
    with pytest.raises(ValueError, match="mixed distance is exact; got backend 'pynndescent'"):
        kneighbors(X, 3, codes=codes, backend="pynndescent")
    with pytest.raises(ValueError, match="needs a neighbour count"):
        kneighbors(X, None)
    with pytest.raises(ValueError, match="neighbors must be one of .* got 'fast'"):
        kneighbors(X, 3, backend="fast")
    with pytest.raises(ValueError, match="an estimator searches rows of X"):
        kneighbors(X, 3, points=X[:2], backend=NearestNeighbors(n_neighbors=4))
