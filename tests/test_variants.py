"""BorderlineSMOTE and ADASYN against references and imbalanced-learn."""

import numba
import numpy as np
import pytest
from conftest import blobs
from naive import danger_rows, stream_key
from naive import knn as naive_knn
from naive import smote_generate as naive_generate
from sklearn.neighbors import NearestNeighbors

from fastsmote import ADASYN, BorderlineSMOTE, config_context
from fastsmote.over_sampling._variants import exact_shares

imblearn = pytest.importorskip("imblearn")
from imblearn.over_sampling import ADASYN as ImbADASYN  # noqa: E402
from imblearn.over_sampling import BorderlineSMOTE as ImbBorderline  # noqa: E402


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
def test_borderline_danger_rows_and_counts_equal_imblearn(overlapping, kind):
    X, y = overlapping
    ours = BorderlineSMOTE(kind=kind, random_state=0)
    y_ours = ours.fit_resample(X, y)[1]
    theirs = ImbBorderline(kind=kind, random_state=0)
    y_theirs = theirs.fit_resample(X, y)[1]
    assert np.bincount(y_ours).tolist() == np.bincount(y_theirs).tolist()
    for c in (1, 2):
        np.testing.assert_array_equal(ours.in_danger_indices_[c], theirs.in_danger_indices[c])
        np.testing.assert_array_equal(ours.in_danger_indices_[c], danger_rows(X, y, c, 10))


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
def test_borderline_rows_match_reference(overlapping, kind):
    X, y = overlapping
    sampler = BorderlineSMOTE(kind=kind, random_state=4, k_neighbors=4)
    X_res, _ = sampler.fit_resample(X, y)
    start = len(X)
    for c in (1, 2):
        n_new = 300 - np.count_nonzero(y == c)
        class_key = stream_key(sampler.random_key_, c)
        danger = danger_rows(X, y, c, 10)
        rows = np.flatnonzero(y == c)
        if kind == "borderline-1":
            _, nn = naive_knn(X, rows, 4)
            positions = np.searchsorted(rows, danger)
            neighbor_rows, damp = rows[nn[positions]], None
        else:
            _, nn = naive_knn(X, np.arange(len(X)), 4)
            neighbor_rows = nn[danger]
            damp = y[neighbor_rows] != c
        expected, draws = naive_generate(
            X,
            danger,
            neighbor_rows,
            class_key,
            0,
            n_new,
            damp=damp,
            damp_key=stream_key(class_key, 1),
        )
        np.testing.assert_array_equal(X_res[start : start + n_new], expected)
        assert set(b for b, _, _ in draws) <= set(danger)  # bases are exactly danger rows
        start += n_new


def test_borderline_with_every_other_row_as_neighbour_equals_imblearn():
    """The largest m_neighbors both accept (one less than the rows); one more raises."""
    X, y = blobs([30, 10], shift=0.5)
    params = dict(m_neighbors=len(X) - 1, k_neighbors=3, random_state=0)
    ours = BorderlineSMOTE(**params)
    ours.fit_resample(X, y)
    theirs = ImbBorderline(**params)
    theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours.in_danger_indices_[1], theirs.in_danger_indices[1])
    params["m_neighbors"] = len(X)
    for cls in (BorderlineSMOTE, ImbBorderline):
        with pytest.raises(ValueError, match="n_neighbors|m_neighbors"):
            cls(**params).fit_resample(X, y)


def test_borderline2_takes_a_neighbours_estimator(overlapping):
    """Fitted on all rows, each danger row dropped from its own neighbours by position."""
    X, y = overlapping
    with_int = BorderlineSMOTE(kind="borderline-2", k_neighbors=4, neighbors="exact")
    estimator = NearestNeighbors(n_neighbors=5)
    with_estimator = BorderlineSMOTE(kind="borderline-2", k_neighbors=estimator)
    X_int = with_int.set_params(random_state=3).fit_resample(X, y)[0]
    X_est = with_estimator.set_params(random_state=3).fit_resample(X, y)[0]
    np.testing.assert_array_equal(X_est, X_int)
    assert with_estimator.neighbors_backend_ == {1: "estimator", 2: "estimator"}


def _duplicates_of_other_classes():
    """Minority rows 1 and 3 lie exactly on majority rows 0 and 2 (duplicate rows with
    conflicting labels, common in real tables)."""
    X = np.array(
        [[0, 0], [0, 0], [1, 0], [1, 0], [5, 5], [5, 6], [6, 5], [6, 6], [7, 7], [7, 6]]
        + [[0.4, 0], [3, 0]],
        dtype=float,
    )
    y = np.array([0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1])
    return X, y


def test_borderline_danger_rows_exclude_each_row_by_position():
    """A row's m neighbours are m *other* rows: a duplicate of another class at distance
    0 is one of them. Without ties at the m-th distance, row order does not matter."""
    X, y = _duplicates_of_other_classes()
    sampler = BorderlineSMOTE(m_neighbors=2, k_neighbors=1, random_state=0)
    sampler.fit_resample(X, y)
    # rows 1 and 3: their nearest rows are their majority duplicate and row 10
    np.testing.assert_array_equal(sampler.in_danger_indices_[1], [1, 3, 10, 11])
    for m in (2, 3, 4):
        sampler.set_params(m_neighbors=m).fit_resample(X, y)
        np.testing.assert_array_equal(sampler.in_danger_indices_[1], danger_rows(X, y, 1, m))
        for seed in range(3):
            order = np.random.default_rng(seed).permutation(len(y))
            sampler.fit_resample(X[order], y[order])
            danger = np.sort(order[sampler.in_danger_indices_[1]])
            np.testing.assert_array_equal(danger, danger_rows(X, y, 1, m))


def test_imblearn_danger_rows_keep_the_row_itself_among_its_neighbours():
    """Where imbalanced-learn differs: it asks for m + 1 neighbours and drops the first
    column. With a duplicate at distance 0 the first column may be the duplicate, the
    row itself then stays among its "neighbours" and the duplicate's class is lost."""
    X, y = _duplicates_of_other_classes()
    theirs = ImbBorderline(m_neighbors=2, k_neighbors=1, random_state=0)
    theirs.fit_resample(X, y)
    np.testing.assert_array_equal(theirs.in_danger_indices[1], [10, 11])  # ours: [1, 3, 10, 11]
    kept = NearestNeighbors(n_neighbors=3).fit(X).kneighbors(X[[1, 3]], return_distance=False)
    np.testing.assert_array_equal(kept[:, 1:], [[1, 10], [3, 10]])  # each row is its own


def test_adasyn_weights_exclude_each_row_by_position():
    """ADASYN's weights follow the same rule: rows 1 and 3 have one other-class row (their
    duplicate) among their 2 nearest other rows."""
    X, y = _duplicates_of_other_classes()
    sampler = ADASYN(n_neighbors=2, random_state=0, sampling_strategy={1: 12})
    sampler.fit_resample(X, y)
    _, nn = naive_knn(X, np.arange(len(X)), 2)
    rows = np.flatnonzero(y == 1)
    weights = (y[nn[rows]] != 1).mean(axis=1)
    np.testing.assert_array_equal(weights, [0.5, 0.5, 0.5, 0.5])
    np.testing.assert_array_equal(sampler.base_counts_[1], exact_shares(weights, 8))


def test_borderline_without_danger_rows_warns():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.standard_normal((100, 2)), rng.standard_normal((20, 2)) + 50])
    y = np.repeat([0, 1], [100, 20])
    sampler = BorderlineSMOTE(random_state=0)
    with pytest.warns(UserWarning, match="class 1 has no row in danger"):
        X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == X.shape and sampler.n_synthetic_ == {1: 0}
    assert sampler.n_samples_out_ == len(X)


def test_exact_shares():
    weights = np.array([0.2, 0.2, 0.1, 0.0, 0.5])
    for total in (1, 7, 10, 333):
        counts = exact_shares(weights, total)
        quota = weights / weights.sum() * total
        assert counts.sum() == total and np.all(np.abs(counts - quota) < 1)
        assert counts[3] == 0
    np.testing.assert_array_equal(exact_shares(np.ones(4), 2), [1, 1, 0, 0])  # ties: lower


def test_adasyn_counts_are_exact_and_rows_match_reference(overlapping):
    X, y = overlapping
    sampler = ADASYN(random_state=2, n_neighbors=5)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [300, 300, 300]
    _, nn_all = naive_knn(X, np.arange(len(X)), 5)
    start = len(X)
    for c in (1, 2):
        rows = np.flatnonzero(y == c)
        n_new = 300 - rows.size
        weights = (y[nn_all[rows]] != c).mean(axis=1)
        counts = exact_shares(weights, n_new)
        np.testing.assert_array_equal(sampler.base_counts_[c], counts)
        _, nn = naive_knn(X, rows, 5)
        expected, _ = naive_generate(
            X, rows, rows[nn], stream_key(sampler.random_key_, c), 0, n_new, counts=counts
        )
        np.testing.assert_array_equal(X_res[start : start + n_new], expected)
        start += n_new
    # imbalanced-learn's per-row rounding drifts from the requested count
    imb = np.bincount(ImbADASYN(random_state=0).fit_resample(X, y)[1])
    assert abs(int(imb[1]) - 300) <= 60


def test_adasyn_without_other_class_neighbours_raises():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.standard_normal((100, 2)), rng.standard_normal((20, 2)) + 50])
    y = np.repeat([0, 1], [100, 20])
    with pytest.raises(RuntimeError, match="ADASYN is not suited"):
        ADASYN().fit_resample(X, y)


@pytest.mark.parametrize("cls", [BorderlineSMOTE, ADASYN])
def test_thread_invariance(cls, overlapping):
    X, y = overlapping
    outputs = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with config_context(n_threads=threads):
            outputs.append(cls(random_state=5).fit_resample(X, y)[0])
    np.testing.assert_array_equal(outputs[0], outputs[1])


def _one_class_far_away():
    """Classes 0 and 1 overlap; class 2 lies far away, so no row of it is in danger."""
    rng = np.random.default_rng(3)
    X = np.vstack(
        [rng.standard_normal((120, 2)), rng.standard_normal((30, 2)) + 1]
        + [rng.standard_normal((20, 2)) + 40]
    )
    return X, np.repeat([0, 1, 2], [120, 30, 20])


def test_in_danger_indices_hold_only_classes_with_danger_rows_as_imblearn():
    X, y = _one_class_far_away()
    ours = BorderlineSMOTE(random_state=0)
    with pytest.warns(UserWarning, match="class 2 has no row in danger"):
        ours.fit_resample(X, y)
    theirs = ImbBorderline(random_state=0)
    theirs.fit_resample(X, y)
    assert list(ours.in_danger_indices_) == list(theirs.in_danger_indices) == [1]
    np.testing.assert_array_equal(ours.in_danger_indices_[1], theirs.in_danger_indices[1])
    assert ours.in_danger_indices_[1].dtype == theirs.in_danger_indices[1].dtype
    assert ours.in_danger_indices is ours.in_danger_indices_  # imbalanced-learn's name


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
def test_m_neighbors_estimator_decides_the_danger_rows_as_imblearn(overlapping, kind):
    X, y = overlapping
    manhattan = NearestNeighbors(n_neighbors=9, metric="manhattan")
    ours = BorderlineSMOTE(kind=kind, m_neighbors=manhattan, random_state=0)
    ours.fit_resample(X, y)
    theirs = ImbBorderline(kind=kind, m_neighbors=manhattan, random_state=0)
    theirs.fit_resample(X, y)
    for c in (1, 2):
        np.testing.assert_array_equal(ours.in_danger_indices_[c], theirs.in_danger_indices[c])
    assert ours.all_rows_backend_ == {1: "estimator", 2: "estimator"}
    # a Euclidean estimator asking for 10 + 1 neighbours is m_neighbors=10
    euclidean = BorderlineSMOTE(kind=kind, m_neighbors=NearestNeighbors(n_neighbors=11))
    by_int = BorderlineSMOTE(kind=kind, m_neighbors=10, neighbors="exact")
    np.testing.assert_array_equal(
        euclidean.set_params(random_state=1).fit_resample(X, y)[0],
        by_int.set_params(random_state=1).fit_resample(X, y)[0],
    )


def test_adasyn_weights_come_from_the_n_neighbors_estimator(overlapping):
    """An estimator given as n_neighbors is fitted on all rows for the weights (as in
    imbalanced-learn), not only asked how many neighbours it wants."""
    X, y = overlapping
    sampler = ADASYN(n_neighbors=NearestNeighbors(n_neighbors=5, metric="manhattan"))
    sampler.set_params(random_state=0).fit_resample(X, y)
    distances = np.abs(X[:, None, :] - X[None, :, :]).sum(axis=2)
    np.fill_diagonal(distances, np.inf)  # each row excluded from its own neighbours
    nearest = np.argsort(distances, axis=1, kind="stable")[:, :4]
    for c in (1, 2):
        rows = np.flatnonzero(y == c)
        weights = (y[nearest[rows]] != c).mean(axis=1)
        np.testing.assert_array_equal(
            sampler.base_counts_[c], exact_shares(weights, 300 - rows.size)
        )
    assert sampler.all_rows_backend_ == {1: "estimator", 2: "estimator"}
