"""CondensedNearestNeighbour and OneSidedSelection: the store-vote kernel against its
plain reference, the seed rule, and imbalanced-learn given the same seed rows.

imbalanced-learn's exact arrays that depend on its RandomState (the seed rows it draws)
are reproduced by giving fastsmote the same seed rows (``_imblearn_seeds``): its tests
``test_cnn_fit_resample``, ``test_cnn_fit_resample_with_object``,
``test_oss_fit_resample`` and ``test_oss_with_object`` expect arrays that follow from
the seeds ``RandomState(0)`` draws; with fastsmote's own seeds (drawn from its key) the
kept rows differ, so no test compares them unforced.
"""

import pickle

import numpy as np
import pytest
from naive import priorities, stream_key
from naive import store_vote_misses as naive_store_vote_misses
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from fastsmote import CondensedNearestNeighbour, OneSidedSelection
from fastsmote._numba import numba_threads
from fastsmote._random import STREAMS
from fastsmote.neighbors import store_vote_misses

imblearn = pytest.importorskip("imblearn")
from imblearn.under_sampling import CondensedNearestNeighbour as ImbCNN  # noqa: E402
from imblearn.under_sampling import OneSidedSelection as ImbOSS  # noqa: E402
from imblearn.under_sampling._prototype_selection.tests import (  # noqa: E402
    test_condensed_nearest_neighbour as imb_cnn_tests,
)
from imblearn.under_sampling._prototype_selection.tests import (  # noqa: E402
    test_one_sided_selection as imb_oss_tests,
)

SAMPLERS = [CondensedNearestNeighbour, OneSidedSelection]
SEED_STREAM = {CondensedNearestNeighbour: 5, OneSidedSelection: 6}


def overlapping(n_major=60, n_minor=15, n_features=3, seed=0, first="major"):
    """Two overlapping Gaussian classes, no distance ties; the majority (label 1) rows
    first by default."""
    rng = np.random.default_rng(seed)
    major = rng.normal(0.0, 1.0, (n_major, n_features))
    minor = rng.normal(0.8, 1.0, (n_minor, n_features))
    X = np.vstack([major, minor] if first == "major" else [minor, major])
    y = np.array([1] * n_major + [0] * n_minor)
    return X, (y if first == "major" else y[::-1].copy())


def three_classes(seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, (90, 4))
    y = rng.choice([0, 1, 2], size=90, p=[0.15, 0.35, 0.5])
    X[y == 0] += 0.7
    return X, y


def seed_positions(sampler, class_index, n_class):
    """The documented seed rule: the smallest priorities of the class key's sub-stream."""
    key = stream_key(stream_key(sampler.random_key_, class_index), SEED_STREAM[type(sampler)])
    n_seeds = min(sampler.n_seeds_S, n_class)
    return np.sort(np.argsort(priorities(key, n_class), kind="stable")[:n_seeds])


def reference(sampler, X, y):
    """sample_indices_ by the plain reference, with the seeds of the documented rule."""
    classes, codes = np.unique(y, return_inverse=True)
    counts = np.bincount(codes)
    minority = int(np.argmin(counts))
    k = 1 if sampler.n_neighbors is None else sampler.n_neighbors
    kept = []
    for index in range(classes.size):
        rows = np.flatnonzero(codes == index)
        if classes[index] not in sampler.sampling_strategy_:
            kept.append(rows)
            continue
        positions = seed_positions(sampler, index, rows.size)
        seeds, candidates = rows[positions], np.delete(rows, positions)
        store = np.union1d(np.flatnonzero(codes == minority), seeds)
        missed = np.zeros(candidates.size, dtype=bool)
        if index != minority:
            grow = isinstance(sampler, CondensedNearestNeighbour)
            missed = naive_store_vote_misses(X, candidates, store, codes, index, k, grow)
        kept.append(np.concatenate([seeds, candidates[missed]]))
    return np.concatenate(kept)


def _imblearn_seeds(monkeypatch, cls, rng):
    """Give ``cls`` the seed rows imbalanced-learn draws from ``rng`` (one draw per
    cleaned class, in sorted label order), distinct and increasing."""
    monkeypatch.setattr(
        cls, "_seeds", lambda self, key, index, n: np.unique(rng.randint(0, n, self.n_seeds_S))
    )


@pytest.mark.parametrize(
    ("grow", "k", "dtype"),
    [
        (True, 1, np.float64),
        (True, 2, np.float32),
        (True, 3, np.float64),
        (False, 1, np.float32),
        (False, 2, np.float64),
    ],
)
def test_kernel_equals_reference(grow, k, dtype):
    X, y = overlapping(n_major=300, n_minor=40, n_features=5, seed=k)
    X = X.astype(dtype)
    X[7] = X[3]  # duplicate rows: equal distances go to the lower row
    candidates = np.flatnonzero(y == 1)[2:]
    store = np.union1d(np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:2])
    expected = naive_store_vote_misses(X, candidates, store, y, 1, k, grow)
    for threads in (1, 2):
        with numba_threads(threads):
            # a tiny budget: many chunks, rows added before and within each chunk
            ours = store_vote_misses(X, candidates, store, y, 1, k, grow=grow, working_memory=1)
        np.testing.assert_array_equal(ours, expected)
    assert 0 < ours.sum() < ours.size


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize(
    ("n_neighbors", "n_seeds_S", "strategy"),
    [(None, 1, "auto"), (3, 4, "auto"), (2, 1, "all"), (1, 500, "not majority")],
)
def test_kept_rows_equal_reference(cls, n_neighbors, n_seeds_S, strategy):
    X, y = three_classes()
    sampler = cls(
        random_state=3, n_neighbors=n_neighbors, n_seeds_S=n_seeds_S, sampling_strategy=strategy
    )
    X_res, y_res = sampler.fit_resample(X, y)
    expected = reference(sampler, X, y)
    if cls is OneSidedSelection:  # then Tomek links among the kept rows
        from fastsmote import TomekLinks

        tomek = TomekLinks(sampling_strategy=list(sampler.sampling_strategy_))
        tomek.fit_resample(X[expected], y[expected])
        expected = expected[tomek.sample_indices_]
    np.testing.assert_array_equal(sampler.sample_indices_, expected)
    np.testing.assert_array_equal(X_res, X[expected])
    np.testing.assert_array_equal(y_res, y[expected])


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize(("n_neighbors", "n_seeds_S"), [(None, 1), (2, 1), (3, 3)])
def test_equals_imblearn_with_its_seeds(monkeypatch, cls, n_neighbors, n_seeds_S):
    """imbalanced-learn given the same seed rows (the cleaned class first in X: its
    condensing pass then skips exactly the seeds, see the class notes)."""
    X, y = overlapping(seed=n_seeds_S)
    theirs_cls = ImbCNN if cls is CondensedNearestNeighbour else ImbOSS
    params = {"n_neighbors": n_neighbors, "n_seeds_S": n_seeds_S}
    positions = np.sort(np.random.default_rng(5).choice(60, n_seeds_S, replace=False))

    class Fixed(np.random.RandomState):
        def randint(self, low, high=None, size=None, dtype=int):
            return positions.copy()

    theirs = theirs_cls(random_state=Fixed(0), **params)
    X_theirs, y_theirs = theirs.fit_resample(X, y)
    monkeypatch.setattr(cls, "_seeds", lambda self, key, index, n: positions)
    ours = cls(random_state=0, **params)
    X_ours, y_ours = ours.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    np.testing.assert_array_equal(X_ours, X_theirs)
    np.testing.assert_array_equal(y_ours, y_theirs)


def test_cnn_equals_imblearn_whatever_the_seed():
    """Every row of class 1 is nearer a minority row than any other row of its class:
    any seed keeps the whole class (compared as sets: the seed comes first). Class 1
    comes first in X (see the class notes)."""
    angles = np.arange(5) * 2 * np.pi / 5
    centres = np.array([[10.0 * i, 0.0] for i in range(4)])
    radii = [1, 1.1, 1.2, 1.3]
    ring = [
        c + r * np.c_[np.cos(angles), np.sin(angles)] for c, r in zip(centres, radii, strict=True)
    ]
    X = np.vstack([*ring, centres])
    y = np.array([1] * 20 + [0] * 4)
    ours = CondensedNearestNeighbour(random_state=0).fit_resample(X, y)[1]
    for seed in range(3):
        theirs = ImbCNN(random_state=seed).fit(X, y)
        theirs.fit_resample(X, y)
        kept = CondensedNearestNeighbour(random_state=seed)
        kept.fit_resample(X, y)
        assert set(kept.sample_indices_) == set(theirs.sample_indices_) == set(range(24))
    assert np.bincount(ours).tolist() == [4, 20]


@pytest.mark.parametrize(
    ("cls", "module"),
    [(CondensedNearestNeighbour, imb_cnn_tests), (OneSidedSelection, imb_oss_tests)],
)
@pytest.mark.parametrize("n_neighbors", [None, 1, KNeighborsClassifier(n_neighbors=1)])
def test_imblearn_cases_with_its_seeds(monkeypatch, cls, module, n_neighbors):
    """imbalanced-learn's test_cnn_fit_resample(_with_object) / test_oss_fit_resample /
    test_oss_with_object: their expected arrays, given the seed rows RandomState(0)
    draws there."""
    _imblearn_seeds(monkeypatch, cls, np.random.RandomState(module.RND_SEED))
    theirs = (ImbCNN if cls is CondensedNearestNeighbour else ImbOSS)(random_state=0)
    X_gt, y_gt = theirs.fit_resample(module.X, module.Y)
    X_res, y_res = cls(random_state=0, n_neighbors=n_neighbors).fit_resample(module.X, module.Y)
    np.testing.assert_array_equal(X_res, X_gt)
    np.testing.assert_array_equal(y_res, y_gt)
    assert cls().n_seeds_S == 1 and cls().n_jobs is None  # test_*_init


@pytest.mark.parametrize("cls", SAMPLERS)
def test_estimators_one_per_cleaned_class(cls):
    """imbalanced-learn's test_*_multiclass: one classifier per cleaned class, fitted on
    the minority class and that class."""
    X, y = three_classes()
    sampler = cls(random_state=0).fit(X, y)
    sampler.fit_resample(X, y)
    assert len(sampler.estimators_) == len(sampler.sampling_strategy_) == 2
    others = [est.classes_[1] for est in sampler.estimators_]
    assert all(est.classes_[0] == 0 for est in sampler.estimators_)
    assert sorted(others) == [1, 2]


@pytest.mark.parametrize("cls", SAMPLERS)
def test_user_classifier_equals_kernel(cls):
    X, y = three_classes(seed=4)
    ours = cls(random_state=1, n_neighbors=3)
    ours.fit_resample(X, y)
    given = cls(random_state=1, n_neighbors=KNeighborsClassifier(n_neighbors=3))
    given.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, given.sample_indices_)
    assert given.estimators_[0] is not given.n_neighbors


@pytest.mark.parametrize("cls", SAMPLERS)
def test_same_result_for_any_thread_count(cls):
    X, y = overlapping(n_major=400, n_minor=50, n_features=6, seed=9)
    one = cls(random_state=2, n_neighbors=3, n_jobs=1, working_memory=1).fit_resample(X, y)
    two = cls(random_state=2, n_neighbors=3, n_jobs=2).fit_resample(X, y)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])


@pytest.mark.parametrize("cls", SAMPLERS)
def test_seeds_follow_the_key(cls):
    X, y = overlapping(seed=3)
    a = cls(random_state=0).fit_resample(X, y)[1]
    b = cls(random_state=np.random.RandomState(0)).fit_resample(X, y)[1]
    c = cls(random_state=0).fit_resample(X, y)[1]
    np.testing.assert_array_equal(a, c)
    assert a.size > 0 and b.size > 0
    # the registered streams the seed rule draws from (seed_positions uses the numbers)
    name = (
        "condensed-nn seeds" if cls is CondensedNearestNeighbour else "one-sided-selection seeds"
    )
    assert STREAMS[name] == ("class key", SEED_STREAM[cls])


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_neighbors": 0}, "n_neighbors"),
        ({"n_neighbors": NearestNeighbors()}, "'predict'"),
        ({"n_seeds_S": 0}, "n_seeds_S"),
        ({"n_neighbors": 17}, r"n_neighbors=17 needs at least 17 rows.*n_neighbors <= 16"),
        ({"n_neighbors": "3"}, "n_neighbors"),
        ({"working_memory": 0}, "working_memory"),
    ],
)
def test_bad_parameters(cls, params, match):
    X, y = overlapping()
    with pytest.raises(ValueError, match=match):
        cls(**params).fit_resample(X, y)


@pytest.mark.parametrize("cls", SAMPLERS)
def test_bad_input(cls):
    X, y = overlapping()
    X_nan = X.copy()
    X_nan[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN|infinity"):
        cls().fit_resample(X_nan, y)
    with pytest.raises(ValueError, match="squared distances"):
        cls().fit_resample(X * 1e153, y)
    before = X.copy()
    cls(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X, before)  # input not modified


@pytest.mark.parametrize("cls", SAMPLERS)
def test_parameters_are_imblearns(cls):
    """Every parameter of imbalanced-learn's class, with its default (plus working_memory)."""
    theirs = (ImbCNN if cls is CondensedNearestNeighbour else ImbOSS)().get_params()
    ours = cls().get_params()
    assert {k: ours[k] for k in theirs} == theirs
    assert set(ours) - set(theirs) == {"working_memory"}


@pytest.mark.parametrize("cls", SAMPLERS)
def test_estimators_fitted_on_the_store_and_pickled_before_read(cls):
    X, y = overlapping(seed=2)
    sampler = cls(random_state=0, n_neighbors=2)
    sampler.fit_resample(X, y)
    restored = pickle.loads(pickle.dumps(sampler))
    (estimator,) = sampler.estimators_
    (copy,) = restored.estimators_
    store = np.flatnonzero(y == 0).size + 1
    if cls is CondensedNearestNeighbour:  # the final store: every kept row of class 1
        store = store - 1 + np.sum(y[sampler.sample_indices_] == 1)
    assert estimator.n_samples_fit_ == copy.n_samples_fit_ == store
    assert estimator.n_neighbors == 2
    np.testing.assert_array_equal(estimator.predict(X), copy.predict(X))


@pytest.mark.parametrize("cls", SAMPLERS)
def test_minority_cleaned_keeps_its_seeds(cls):
    """'all': the minority's store holds one class, so it keeps its seed rows only; its
    estimators_ entry is a clone of the user's classifier, as for the other classes."""
    X, y = overlapping(seed=6)
    given = KNeighborsClassifier(n_neighbors=2, weights="distance")
    sampler = cls(random_state=0, n_neighbors=given, sampling_strategy="all")
    _, y_res = sampler.fit_resample(X, y)
    n_minority = int(np.sum(y_res == 0))
    assert n_minority == 1 if cls is CondensedNearestNeighbour else n_minority <= 1
    assert [e.get_params() for e in sampler.estimators_] == [given.get_params()] * 2


@pytest.mark.parametrize("sampler_class", SAMPLERS)
def test_a_store_too_small_to_vote_names_the_classes_as_python_values(sampler_class):
    X = np.random.default_rng(2).standard_normal((30, 2))
    y = np.r_[np.zeros(27, dtype=np.int64), np.ones(3, dtype=np.int64)]
    with pytest.raises(ValueError, match=r"the minority class 1 and 1 seed row") as info:
        sampler_class(n_neighbors=9, random_state=0).fit_resample(X, y)
    assert "np." not in str(info.value)
