"""RepeatedEditedNearestNeighbours, AllKNN and NeighbourhoodCleaningRule."""

import naive
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from fastsmote import (
    AllKNN,
    EditedNearestNeighbours,
    NeighbourhoodCleaningRule,
    RepeatedEditedNearestNeighbours,
)
from fastsmote._kernels.cleaning import edit_from_lists, outvoted
from fastsmote._validation import NeighborCountError

imblearn = pytest.importorskip("imblearn")
from imblearn import under_sampling as imb  # noqa: E402

# imbalanced-learn's test data for RepeatedEditedNearestNeighbours and AllKNN
X_IMB = np.array(
    [
        [-0.12840393, 0.66446571], [1.32319756, -0.13181616], [0.04296502, -0.37981873],
        [0.83631853, 0.18569783], [1.02956816, 0.36061601], [1.12202806, 0.33811558],
        [-0.53171468, -0.53735182], [1.3381556, 0.35956356], [-0.35946678, 0.72510189],
        [1.32326943, 0.28393874], [2.94290565, -0.13986434], [0.28294738, -1.00125525],
        [0.34218094, -0.58781961], [-0.88864036, -0.33782387], [-1.10146139, 0.91782682],
        [-0.7969716, -0.50493969], [0.73489726, 0.43915195], [0.2096964, -0.61814058],
        [-0.28479268, 0.70459548], [1.84864913, 0.14729596], [1.59068979, -0.96622933],
        [0.73418199, -0.02222847], [0.50307437, 0.498805], [0.84929742, 0.41042894],
        [0.62649535, 0.46600596], [0.79270821, -0.41386668], [1.16606871, -0.25641059],
        [1.57356906, 0.30390519], [1.0304995, -0.16955962], [1.67314371, 0.19231498],
        [0.98382284, 0.37184502], [0.48921682, -1.38504507], [-0.46226554, -0.50481004],
        [-0.03918551, -0.68540745], [0.24991051, -1.00864997], [0.80541964, -0.34465185],
        [0.1732627, -1.61323172], [0.69804044, 0.44810796], [-0.5506368, -0.42072426],
        [-0.34474418, 0.21969797],
    ]
)  # fmt: skip
Y_IMB = np.array(
    [1, 2, 2, 2, 1, 1, 0, 2, 1, 1, 1, 2, 2, 0, 1, 2, 1, 2, 1, 1,
     2, 2, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 0, 2, 2, 2, 2, 1, 2, 0]
)  # fmt: skip
# imbalanced-learn's expected outputs on that data, as input rows (class by class)
RENN_ALL = [6, 13, 32, 39, 4, 5, 16, 22, 23, 24, 30, 37,
            2, 11, 12, 17, 20, 21, 25, 26, 28, 31, 33, 34, 35, 36]  # fmt: skip
RENN_MODE = [6, 13, 32, 39, 0, 4, 5, 8, 10, 14, 16, 18, 19, 22, 23, 24, 29, 30, 37,
             1, 2, 11, 12, 17, 20, 21, 25, 26, 28, 31, 33, 34, 35, 36]  # fmt: skip
ALLKNN_ALL = [6, 13, 32, 39, 4, 5, 14, 16, 22, 23, 24, 30, 37,
              2, 11, 12, 17, 20, 21, 25, 26, 28, 31, 33, 34, 35, 36]  # fmt: skip
ALLKNN_MODE = [6, 13, 32, 39, 0, 4, 5, 8, 14, 16, 18, 22, 23, 24, 30, 37,
               1, 2, 11, 12, 17, 20, 21, 25, 26, 28, 31, 33, 34, 35, 36]  # fmt: skip


def _data(n, n_classes, seed):
    """Continuous overlapping classes: no duplicate rows, no tied distances."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + 0.8 * rng.normal(size=n) > 0.5).astype(int)
    if n_classes == 3:
        y[X[:, 1] > 0.8] = 2
    return X, y


def _same(ours, theirs, X, y):
    X_res, y_res = ours.fit_resample(X, y)
    X_imb, y_imb = theirs.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_imb)
    np.testing.assert_array_equal(y_res, y_imb)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)


# ------------------------------------------------------------------- imbalanced-learn's cases
@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: RepeatedEditedNearestNeighbours(), RENN_ALL),
        (lambda: RepeatedEditedNearestNeighbours(kind_sel="mode"), RENN_MODE),
        (
            lambda: RepeatedEditedNearestNeighbours(
                n_neighbors=NearestNeighbors(n_neighbors=4), kind_sel="mode"
            ),
            RENN_MODE,
        ),
        (lambda: AllKNN(), ALLKNN_ALL),
        (lambda: AllKNN(kind_sel="mode"), ALLKNN_MODE),
        (
            lambda: AllKNN(n_neighbors=NearestNeighbors(n_neighbors=4), kind_sel="mode"),
            ALLKNN_MODE,
        ),
    ],
)
def test_imblearn_cases(make, expected):
    sampler = make()
    X_res, y_res = sampler.fit_resample(X_IMB, Y_IMB)
    np.testing.assert_array_equal(sampler.sample_indices_, expected)
    np.testing.assert_array_equal(X_res, X_IMB[expected])
    np.testing.assert_array_equal(y_res, Y_IMB[expected])


@pytest.mark.parametrize(("max_iter", "n_iter"), [(2, 2), (5, 3)])
def test_renn_n_iter_as_imblearn(max_iter, n_iter):
    sampler = RepeatedEditedNearestNeighbours(max_iter=max_iter)
    sampler.fit_resample(X_IMB, Y_IMB)
    assert sampler.n_iter_ == n_iter


def test_allknn_allow_minority_removes_more():
    X, y = make_classification(
        n_samples=600, n_features=2, n_informative=2, n_redundant=0, n_repeated=0,
        n_classes=3, n_clusters_per_class=1, weights=[0.2, 0.3, 0.5], class_sep=0.4,
        random_state=0,
    )  # fmt: skip
    allowed, stopped = AllKNN(allow_minority=True), AllKNN()
    _same(allowed, imb.AllKNN(allow_minority=True), X, y)
    _same(stopped, imb.AllKNN(), X, y)
    assert allowed.sample_indices_.size < stopped.sample_indices_.size


@pytest.fixture(scope="module")
def ncr_data():
    return make_classification(
        n_samples=200, n_features=2, n_informative=2, n_redundant=0, n_repeated=0,
        n_clusters_per_class=1, n_classes=3, weights=[0.1, 0.3, 0.6], random_state=0,
    )  # fmt: skip


def test_ncr_threshold_cleaning(ncr_data):
    X, y = ncr_data
    enn = EditedNearestNeighbours()
    ncr = NeighbourhoodCleaningRule(
        edited_nearest_neighbours=enn, n_neighbors=10, threshold_cleaning=10
    )
    enn.fit_resample(X, y)
    ncr.fit_resample(X, y)
    np.testing.assert_array_equal(np.sort(enn.sample_indices_), ncr.sample_indices_)
    assert ncr.classes_to_clean_ == []
    counts = np.bincount(y)
    threshold = counts[1] / counts[0]
    ncr.set_params(threshold_cleaning=threshold).fit_resample(X, y)
    assert set(ncr.classes_to_clean_) == {2}
    ncr.set_params(threshold_cleaning=threshold - np.finfo(np.float32).eps).fit_resample(X, y)
    assert set(ncr.classes_to_clean_) == {1, 2}


def test_ncr_more_neighbours_clean_more(ncr_data):
    X, y = ncr_data
    ncr = NeighbourhoodCleaningRule(edited_nearest_neighbours=EditedNearestNeighbours())
    kept_3 = ncr.fit_resample(X, y)[1].size
    kept_10 = ncr.set_params(n_neighbors=10).fit_resample(X, y)[1].size
    assert kept_3 > kept_10


# ------------------------------------------------------------------------ same rows as imblearn
EDITING_PARAMS = [
    {},
    {"kind_sel": "mode"},
    {"n_neighbors": 5, "sampling_strategy": "all"},
    {"sampling_strategy": "majority"},
    {"n_neighbors": NearestNeighbors(n_neighbors=3)},
]


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("params", EDITING_PARAMS, ids=repr)
def test_renn_equals_imblearn(n_classes, params):
    X, y = _data(150, n_classes, seed=n_classes)
    ours = RepeatedEditedNearestNeighbours(**params)
    theirs = imb.RepeatedEditedNearestNeighbours(**params)
    _same(ours, theirs, X, y)
    assert ours.n_iter_ == theirs.n_iter_
    # the last iteration's ENN: same rows, given the same rows
    np.testing.assert_array_equal(ours.enn_.sample_indices_, theirs.enn_.sample_indices_)
    assert ours.enn_.sampling_strategy_ == theirs.enn_.sampling_strategy_


@pytest.mark.parametrize("max_iter", [1, 2])
def test_renn_stops_at_max_iter_as_imblearn(max_iter):
    X, y = _data(150, 3, seed=3)
    ours = RepeatedEditedNearestNeighbours(max_iter=max_iter, kind_sel="mode")
    theirs = imb.RepeatedEditedNearestNeighbours(max_iter=max_iter, kind_sel="mode")
    _same(ours, theirs, X, y)
    assert ours.n_iter_ == theirs.n_iter_ == max_iter


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("params", [*EDITING_PARAMS, {"allow_minority": True, "n_neighbors": 6}])
def test_allknn_equals_imblearn(n_classes, params):
    X, y = _data(150, n_classes, seed=10 + n_classes)
    ours, theirs = AllKNN(**params), imb.AllKNN(**params)
    _same(ours, theirs, X, y)
    assert ours.enn_.n_neighbors == theirs.enn_.n_neighbors
    np.testing.assert_array_equal(ours.enn_.sample_indices_, theirs.enn_.sample_indices_)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"n_neighbors": 5, "sampling_strategy": "all"},
        {"threshold_cleaning": 0.1, "sampling_strategy": "majority"},
        {"n_neighbors": NearestNeighbors(n_neighbors=4)},
        {"edited_nearest_neighbours": "imblearn"},
        {"edited_nearest_neighbours": "imblearn", "n_neighbors": KNeighborsClassifier(4)},
    ],
    ids=repr,
)
def test_ncr_equals_imblearn(n_classes, params):
    X, y = _data(150, n_classes, seed=20 + n_classes)
    ours, theirs = dict(params), dict(params)
    if "edited_nearest_neighbours" in params:
        ours["edited_nearest_neighbours"] = imb.EditedNearestNeighbours()
        theirs["edited_nearest_neighbours"] = imb.EditedNearestNeighbours()
    ours, theirs = NeighbourhoodCleaningRule(**ours), imb.NeighbourhoodCleaningRule(**theirs)
    _same(ours, theirs, X, y)
    assert ours.classes_to_clean_ == theirs.classes_to_clean_
    np.testing.assert_array_equal(
        ours.edited_nearest_neighbours_.sample_indices_,
        theirs.edited_nearest_neighbours_.sample_indices_,
    )


def test_fitted_estimators_as_imblearn():
    X, y = _data(100, 2, seed=3)
    for cls in (RepeatedEditedNearestNeighbours, AllKNN):
        sampler = cls(n_neighbors=4, n_jobs=2).fit(X, y)
        sampler.fit_resample(X, y)
        assert sampler.nn_.get_params() == NearestNeighbors(n_neighbors=5).get_params()
        assert not hasattr(sampler.nn_, "n_samples_fit_")  # not fitted, as imblearn's
        nn = sampler.enn_.nn_  # fitted on the last round's rows when read
        assert nn.n_neighbors == sampler.enn_.n_neighbors + 1 and nn.n_jobs == 2
        assert nn.n_samples_fit_ >= sampler.sample_indices_.size
    ncr = NeighbourhoodCleaningRule(n_neighbors=4, n_jobs=2).fit(X, y)
    ncr.fit_resample(X, y)
    reference = KNeighborsClassifier(n_neighbors=4, n_jobs=2).fit(X, y)
    assert ncr.nn_.get_params() == reference.get_params()
    np.testing.assert_array_equal(ncr.nn_.predict(X), reference.predict(X))
    assert ncr.edited_nearest_neighbours_.nn_.n_samples_fit_ == X.shape[0]


# ------------------------------------------------------------------------------- duplicates
def test_duplicates_count_as_neighbours():
    """Rows 0 and 1 are the same point with different classes. Each is the other's
    nearest neighbour (itself excluded by position), so both go; imbalanced-learn drops
    the first neighbour its search lists, here row 0 itself or row 1, and keeps row 0."""
    X = np.array(
        [[0.0, 0.0], [0.0, 0.0], [0.1, 0.0], [0.2, 0.05], [3.0, 3.0],
         [3.1, 3.0], [3.0, 3.2], [2.9, 3.1], [0.05, 0.1], [3.05, 2.95]]
    )  # fmt: skip
    y = np.array([0, 1, 0, 0, 1, 1, 1, 1, 0, 1])
    expected = [2, 3, 8, 4, 5, 6, 7, 9]
    for cls in (RepeatedEditedNearestNeighbours, AllKNN):
        ours = cls(sampling_strategy="all", n_neighbors=1)
        ours.fit_resample(X, y)
        np.testing.assert_array_equal(ours.sample_indices_, expected)
        theirs = getattr(imb, cls.__name__)(sampling_strategy="all", n_neighbors=1)
        theirs.fit_resample(X, y)
        assert 0 in theirs.sample_indices_  # the documented difference


# ------------------------------------------------------------------------------- the kernels
@pytest.mark.parametrize("unanimous", [True, False])
def test_edit_from_lists_matches_naive(unanimous):
    rng = np.random.default_rng(5)
    n, width, k = 60, 4, 3
    codes = rng.integers(0, 3, n).astype(np.int32)
    lists = rng.integers(-1, n, (n, width)).astype(np.int64)
    present = rng.random(n) < 0.8
    rows = np.flatnonzero(present & (codes > 0))
    remove = np.zeros(n, dtype=bool)
    stale = np.zeros(rows.size, dtype=bool)
    edit_from_lists(rows, lists, present, codes, k, 3, unanimous, remove, stale)
    expected_remove, expected_stale = naive.edit_from_lists(
        rows, lists, present, codes, k, unanimous
    )
    np.testing.assert_array_equal(stale, expected_stale)
    np.testing.assert_array_equal(remove, expected_remove)
    assert stale.any() and (~stale).any() and remove.any()


@pytest.mark.parametrize("n_votes", [1, 2, 4])
def test_outvoted_matches_naive(n_votes):
    rng = np.random.default_rng(6)
    codes = rng.integers(0, 3, 80).astype(np.int32)
    rows = np.flatnonzero(codes == 1)
    neighbours = rng.integers(0, 80, (rows.size, 4)).astype(np.int64)
    got = outvoted(rows, neighbours, codes, 3, n_votes)
    np.testing.assert_array_equal(got, naive.outvoted(rows, neighbours, codes, n_votes))
    assert got.any() or n_votes == 1


# ------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: RepeatedEditedNearestNeighbours(max_iter=0), "'max_iter'"),
        (lambda: RepeatedEditedNearestNeighbours(kind_sel="most"), "'kind_sel'"),
        (lambda: AllKNN(n_neighbors="rnd"), "'n_neighbors'"),
        (lambda: AllKNN(allow_minority="yes"), "'allow_minority'"),
        (lambda: NeighbourhoodCleaningRule(threshold_cleaning=0), "'threshold_cleaning'"),
        (lambda: NeighbourhoodCleaningRule(edited_nearest_neighbours="enn"), "'edited_nearest"),
        (lambda: NeighbourhoodCleaningRule(kind_sel="all"), "kind_sel"),
        (
            lambda: NeighbourhoodCleaningRule(n_neighbors=KNeighborsClassifier(3)),
            "give edited_nearest_neighbours",
        ),
        (
            lambda: NeighbourhoodCleaningRule(n_neighbors=NearestNeighbors(n_neighbors=1)),
            "must be 2 or more",
        ),
    ],
)
def test_bad_parameters_are_named(make, message):
    X, y = _data(40, 2, seed=1)
    with pytest.raises((ValueError, TypeError), match=message):
        make().fit_resample(X, y)


@pytest.mark.parametrize("make", [RepeatedEditedNearestNeighbours, NeighbourhoodCleaningRule])
def test_too_many_neighbours_named(make):
    X, y = _data(12, 2, seed=2)
    with pytest.raises(NeighborCountError, match="n_neighbors=12 needs at least 13"):
        make(n_neighbors=12).fit_resample(X, y)


def test_rows_left_too_few_for_the_next_round():
    """Round 2 of AllKNN needs 3 rows; round 1 leaves 2 (imbalanced-learn's search
    raises too)."""
    X = np.array([[-1.26], [2.57], [0.48], [0.64], [-0.21]])
    y = np.array([0, 0, 1, 0, 1])
    params = {"sampling_strategy": "all", "n_neighbors": 4, "allow_minority": True}
    with pytest.raises(NeighborCountError, match="After 1 round.* X has 2 row.*needs at least 3"):
        AllKNN(kind_sel="mode", **params).fit_resample(X, y)
    with pytest.raises(ValueError):
        imb.AllKNN(kind_sel="mode", **params).fit_resample(X, y)


def test_renn_sample_indices_are_the_rows_returned():
    """Nothing is removed in the first iteration and y is not grouped by class:
    imbalanced-learn applies that iteration's class grouping twice to its
    sample_indices_, which then do not point at the rows it returns; fastsmote's do."""
    X = np.array([[0.0], [10.0], [0.1], [10.1], [0.2], [10.2], [0.3], [10.3]])
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    ours, theirs = RepeatedEditedNearestNeighbours(), imb.RepeatedEditedNearestNeighbours()
    X_res, _ = ours.fit_resample(X, y)
    X_imb, _ = theirs.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_imb)
    np.testing.assert_array_equal(ours.sample_indices_, [0, 2, 4, 6, 1, 3, 5, 7])
    np.testing.assert_array_equal(X[ours.sample_indices_], X_res)
    assert not np.array_equal(X[theirs.sample_indices_], X_imb)  # the documented difference


def test_unread_fitted_estimators_survive_pickling():
    import pickle

    X, y = _data(100, 2, seed=4)
    ncr = NeighbourhoodCleaningRule()
    ncr.fit_resample(X, y)
    renn = RepeatedEditedNearestNeighbours()
    renn.fit_resample(X, y)
    ncr_copy, renn_copy = pickle.loads(pickle.dumps((ncr, renn)))
    np.testing.assert_array_equal(ncr_copy.nn_.predict(X), ncr.nn_.predict(X))
    assert renn_copy.enn_.nn_.n_samples_fit_ == renn.enn_.nn_.n_samples_fit_
