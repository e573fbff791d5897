"""Neighbour backends: exact paths, estimators, pynndescent and the "auto" rule."""

import numpy as np
import pytest
from conftest import blobs
from sklearn.neighbors import NearestNeighbors

from fastsmote import SMOTE
from fastsmote.neighbors import (
    AUTO_APPROX_SECONDS,
    approx_kneighbors,
    estimated_exact_seconds,
    exact_kneighbors,
    first_non_self,
    resolve_backend,
)


def test_auto_rule_follows_the_estimated_exact_time():
    assert resolve_backend("auto", 10_000, 20) == "exact"
    assert resolve_backend("auto", 100_000, 50) == "exact"
    assert resolve_backend("auto", 5_000_000, 20) == "approx"
    assert resolve_backend("exact", 5_000_000, 20) == "exact"
    assert resolve_backend("approx", 100, 20) == "approx"
    # the switch happens exactly where the estimate crosses the threshold
    sizes = np.geomspace(1e4, 1e7, 200).astype(int)
    choices = [resolve_backend("auto", int(n), 50) for n in sizes]
    first_approx = choices.index("approx")
    assert estimated_exact_seconds(int(sizes[first_approx]), 50) > AUTO_APPROX_SECONDS
    assert estimated_exact_seconds(int(sizes[first_approx - 1]), 50) <= AUTO_APPROX_SECONDS
    assert all(c == "approx" for c in choices[first_approx:])


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


def test_approx_recall_against_exact(gaussian_class):
    X = gaussian_class
    rows = np.arange(len(X), dtype=np.int64)
    approx = approx_kneighbors(X, 5, rows, seed=1)
    exact = exact_kneighbors(X, 5)
    recall = np.mean([len(set(a) & set(e)) / 5 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.95, recall
    assert not np.any(approx == rows[:, None])
    np.testing.assert_array_equal(approx, approx_kneighbors(X, 5, rows, seed=1))


def test_approx_backend_in_smote_keeps_the_segment_property(gaussian_class):
    X = gaussian_class[:1500]
    y = np.repeat([0, 1], [1200, 300])
    sampler = SMOTE(random_state=0, neighbors="approx")
    X_res, _ = sampler.fit_resample(X, y)
    assert sampler.neighbors_backend_ == {1: "approx"}
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


def test_approx_recall_at_50_features():
    X = np.random.default_rng(4).standard_normal((3000, 50)).astype(np.float32)
    rows = np.arange(len(X), dtype=np.int64)
    approx = approx_kneighbors(X, 5, rows, seed=2)
    exact = exact_kneighbors(X, 5)
    recall = np.mean([len(set(a) & set(e)) / 5 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.95, recall


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
