"""NearMiss (versions 1, 2, 3): its distance-sum kernel against ``naive.py``, and the
sampler against imbalanced-learn's NearMiss (counts, kept rows, fitted estimators), with
imbalanced-learn's own NearMiss test cases adapted."""

import warnings

import naive
import numpy as np
import pytest
from conftest import blobs
from sklearn.neighbors import NearestNeighbors

from fastsmote import NearMiss
from fastsmote._kernels.nearmiss import distance_sums as distance_sums_kernel
from fastsmote._numba import numba_threads
from fastsmote.neighbors import distance_sums, kneighbors_between

imblearn_under = pytest.importorskip("imblearn.under_sampling")


# ------------------------------------------------------------------------------ kernels
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("farthest", [False, True])
@pytest.mark.parametrize("blocks", [(512, 64), (3, 16)])
def test_distance_sums_kernel_matches_naive(dtype, farthest, blocks):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((90, 7)).astype(dtype)
    X[10] = X[11]  # a duplicate: distance 0 between the two sets
    X[40:44] = np.round(X[40:44])  # ties
    queries = np.arange(0, 90, 2, dtype=np.int64)
    refs = np.arange(1, 90, 3, dtype=np.int64)[::-1].copy()  # any order of references
    for k in (1, 4, refs.size):
        expected = naive.distance_sums(X, queries, X, refs, k, farthest)
        got = distance_sums_kernel(X, queries, X, refs, k, farthest, *blocks)
        np.testing.assert_array_equal(got, expected)


def test_distance_sums_same_for_any_thread_count():
    X, _ = blobs([300, 40], n_features=9)
    queries, refs = np.arange(300), np.arange(300, 340)
    results = []
    for threads in (1, 2):
        with numba_threads(threads):
            results.append(distance_sums(X, queries, refs, 5, farthest=True)[0])
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("version", [1, 2, 3])
def test_same_rows_for_any_n_jobs(version):
    X, y = blobs([40, 700], n_features=9, shift=1.0)
    runs = [NearMiss(version=version, n_jobs=n) for n in (1, 2)]
    for sampler in runs:
        sampler.fit_resample(X, y)
    np.testing.assert_array_equal(runs[0].sample_indices_, runs[1].sample_indices_)


def test_distance_sums_scales_tiny_values_exactly():
    # squared differences of 1e-170 underflow in float64: the search scales by 2**e
    X, _ = blobs([30, 10], n_features=3)
    queries, refs = np.arange(30), np.arange(30, 40)
    plain = distance_sums(X, queries, refs, 3)[0]
    tiny = distance_sums(np.ldexp(X, -570), queries, refs, 3)[0]
    np.testing.assert_array_equal(np.ldexp(tiny, 570), plain)


def test_kneighbors_between_matches_naive():
    X, _ = blobs([50, 20], n_features=5)
    queries, refs = np.arange(50, 70), np.arange(50)
    got, _ = kneighbors_between(X, queries, refs, 4)
    _, expected = naive.knn_of(X, queries, X, refs, 4, np.full(20, -1))
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["query-major", "row-major"])
def test_door_shortlists_from_eight_features_with_the_direct_results(monkeypatch, dtype, layout):
    """From 8 features the door shortlists by products and proves each list; ties and
    duplicates fail the proof and are redone directly: the results are the naive ones."""
    import fastsmote._kernels.knn as knn
    from fastsmote.neighbors import _between

    monkeypatch.setattr(knn, *("COLUMN_MIN_QUERIES", 0) if layout == "query-major" else
                        ("COLUMN_MAX_REFS", 0))  # fmt: skip

    rng = np.random.default_rng(5)
    X = (rng.standard_normal((400, 9)) + 3).astype(dtype)
    X[300:340] = np.round(X[300:340])  # ties among the references
    X[10] = X[301]  # a query on a reference
    X[350:360] = X[20]  # ten equal references: the proof fails for their queries
    queries, refs = np.arange(0, 300), np.arange(300, 400)[::-1].copy()
    calls = {"shortlist": 0, "direct queries": 0}
    shortlist, direct = _between.knn_shortlist_of, _between.knn_blocked
    columns = _between.knn_refined_columns

    def counted(search):
        def run(*args):
            calls["shortlist"] += 1
            return search(*args)

        return run

    def counted_direct(X, query_rows, *args):
        calls["direct queries"] += query_rows.size
        return direct(X, query_rows, *args)

    monkeypatch.setattr(_between, "knn_shortlist_of", counted(shortlist))
    monkeypatch.setattr(_between, "knn_refined_columns", counted(columns))
    monkeypatch.setattr(_between, "knn_blocked", counted_direct)
    for k in (1, 3, 20):
        got, _ = kneighbors_between(X, queries, refs, k)
        _, expected = naive.knn_of(X, queries, X, refs, k, np.full(queries.size, -1))
        np.testing.assert_array_equal(got, expected)
        sums, _ = distance_sums(X, queries, refs, k)
        np.testing.assert_array_equal(sums, naive.distance_sums(X, queries, X, refs, k, False))
    assert calls["shortlist"] == 6
    assert 0 < calls["direct queries"] < 6 * queries.size  # the unproven ones only


@pytest.mark.parametrize("n", [0, 1, 7, 250, 300, 400])
def test_smallest_scores_first_as_a_stable_sort(n):
    from fastsmote.under_sampling._nearmiss import _smallest_first

    rng = np.random.default_rng(n)
    scores = rng.integers(0, 20, 300).astype(np.float64)  # many ties
    scores[rng.random(300) < 0.1] = 7.5
    np.testing.assert_array_equal(
        _smallest_first(scores, n), np.argsort(scores, kind="stable")[:n]
    )
    np.testing.assert_array_equal(
        _smallest_first(-scores, n), np.argsort(-scores, kind="stable")[:n]
    )


def test_door_refuses_more_neighbours_than_references():
    X, _ = blobs([5, 3])
    with pytest.raises(ValueError, match=r"n_neighbors must be in \[1, 3\]"):
        distance_sums(X, np.arange(5), np.arange(5, 8), 4)
    with pytest.raises(ValueError, match=r"n_neighbors must be in \[1, 3\]"):
        kneighbors_between(X, np.arange(5), np.arange(5, 8), 4)


# ---------------------------------------------------------------- against imbalanced-learn
def _both(X, y, **params):
    """fastsmote's and imbalanced-learn's NearMiss fitted on the same data."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = NearMiss(**params)
        X_ours, y_ours = ours.fit_resample(X, y)
        theirs = imblearn_under.NearMiss(**params)
        X_theirs, y_theirs = theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    np.testing.assert_array_equal(X_ours, X_theirs)
    np.testing.assert_array_equal(y_ours, y_theirs)
    return ours, theirs


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize(
    "counts, strategy",
    [([20, 70], "auto"), ([15, 30, 60], "auto"), ([15, 30, 60], {1: 12, 2: 20}),
     ([15, 30, 60], "all")],
)  # fmt: skip
def test_same_rows_as_imblearn(version, counts, strategy):
    X, y = blobs(counts, n_features=4, shift=1.0, seed=version)
    ours, theirs = _both(X, y, version=version, sampling_strategy=strategy)
    assert ours.sampling_strategy_ == theirs.sampling_strategy_


@pytest.mark.parametrize("version", [1, 2, 3])
def test_estimator_n_neighbors_as_imblearn(version):
    X, y = blobs([20, 60], n_features=3, shift=1.0)
    ours, theirs = _both(
        X, y, version=version, n_neighbors=NearestNeighbors(n_neighbors=4, metric="manhattan"),
        n_neighbors_ver3=NearestNeighbors(n_neighbors=2),
    )  # fmt: skip
    assert ours.nn_.get_params() == theirs.nn_.get_params()
    assert ours.nn_.n_samples_fit_ == theirs.nn_.n_samples_fit_ == 20
    if version == 3:
        assert ours.nn_ver3_.get_params() == theirs.nn_ver3_.get_params()
        assert ours.nn_ver3_.n_samples_fit_ == theirs.nn_ver3_.n_samples_fit_ == 60
    else:
        assert not hasattr(ours, "nn_ver3_")


def test_fitted_estimators_like_imblearn_and_float32():
    X, y = blobs([12, 40, 30], n_features=4, dtype=np.float32, shift=1.0)
    ours, theirs = _both(X, y, version=3, n_jobs=1)
    for name in ("nn_", "nn_ver3_"):
        mine, other = getattr(ours, name), getattr(theirs, name)
        assert mine.get_params() == other.get_params()
        np.testing.assert_array_equal(mine._fit_X, other._fit_X)


def test_minority_tie_goes_to_first_class_in_y():
    # two classes of 10 rows: imbalanced-learn measures to the one appearing first in y
    X, y = blobs([10, 10, 40], n_features=3, shift=1.0)
    order = np.argsort(y != 1, kind="stable")  # class 1 first
    _both(X[order], y[order], version=1, sampling_strategy="all")


# ----------------------------------------------- imbalanced-learn's NearMiss tests, adapted
# imblearn/under_sampling/_prototype_selection/tests/test_nearmiss.py: its data and
# expected arrays (no randomness is involved; none is left out). test_nm_fit_resample_auto
# and test_nm_fit_resample_nn_obj are test_imblearn_nearmiss_fit_resample.
X_IMB = np.array(
    [[1.17737838, -0.2002118], [0.4960075, 0.86130762], [-0.05903827, 0.10947647],
     [0.91464286, 1.61369212], [-0.54619583, 1.73009918], [-0.60413357, 0.24628718],
     [0.45713638, 1.31069295], [-0.04032409, 3.01186964], [0.03142011, 0.12323596],
     [0.50701028, -0.17636928], [-0.80809175, -1.09917302], [-0.20497017, -0.26630228],
     [0.99272351, -0.11631728], [-1.95581933, 0.69609604], [1.15157493, -1.2981518]]
)  # fmt: skip
Y_IMB = np.array([1, 2, 1, 0, 2, 1, 2, 2, 1, 2, 0, 0, 2, 1, 2])
EXPECTED = {
    1: [[0.91464286, 1.61369212], [-0.80809175, -1.09917302], [-0.20497017, -0.26630228],
        [-0.05903827, 0.10947647], [0.03142011, 0.12323596], [-0.60413357, 0.24628718],
        [0.50701028, -0.17636928], [0.4960075, 0.86130762], [0.45713638, 1.31069295]],
    2: [[0.91464286, 1.61369212], [-0.80809175, -1.09917302], [-0.20497017, -0.26630228],
        [-0.05903827, 0.10947647], [0.03142011, 0.12323596], [-0.60413357, 0.24628718],
        [0.50701028, -0.17636928], [0.4960075, 0.86130762], [0.45713638, 1.31069295]],
    3: [[0.91464286, 1.61369212], [-0.80809175, -1.09917302], [-0.20497017, -0.26630228],
        [1.17737838, -0.2002118], [-0.60413357, 0.24628718], [0.03142011, 0.12323596],
        [1.15157493, -1.2981518], [-0.54619583, 1.73009918], [0.99272351, -0.11631728]],
}  # fmt: skip
Y_EXPECTED = [0, 0, 0, 1, 1, 1, 2, 2, 2]


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("as_estimator", [False, True])
def test_imblearn_nearmiss_fit_resample(version, as_estimator):
    n_neighbors = NearestNeighbors(n_neighbors=3) if as_estimator else 3
    n_neighbors_ver3 = NearestNeighbors(n_neighbors=3) if as_estimator else 3
    sampler = NearMiss(version=version, n_neighbors=n_neighbors, n_neighbors_ver3=n_neighbors_ver3)
    X_res, y_res = sampler.fit_resample(X_IMB, Y_IMB)
    np.testing.assert_array_equal(X_res, EXPECTED[version])
    np.testing.assert_array_equal(y_res, Y_EXPECTED)


DICT_EXPECTED = {
    1: [[-0.20497017, -0.26630228], [-0.80809175, -1.09917302], [0.91464286, 1.61369212],
        [-0.05903827, 0.10947647], [0.03142011, 0.12323596], [-0.60413357, 0.24628718],
        [1.17737838, -0.2002118], [0.50701028, -0.17636928], [0.4960075, 0.86130762],
        [0.45713638, 1.31069295], [0.99272351, -0.11631728]],
    3: [[0.91464286, 1.61369212], [-0.80809175, -1.09917302], [-0.20497017, -0.26630228],
        [1.17737838, -0.2002118], [-0.60413357, 0.24628718], [0.03142011, 0.12323596],
        [-0.05903827, 0.10947647], [1.15157493, -1.2981518], [-0.54619583, 1.73009918],
        [0.99272351, -0.11631728], [0.45713638, 1.31069295]],
}  # fmt: skip
DICT_EXPECTED[2] = DICT_EXPECTED[1]


@pytest.mark.parametrize("version", [1, 2, 3])
def test_imblearn_nearmiss_sampling_strategy_dict(version):
    # imbalanced-learn's test_nm_fit_resample_float_sampling_strategy (a dict strategy)
    sampler = NearMiss(version=version, sampling_strategy={0: 3, 1: 4, 2: 4})
    X_res, y_res = sampler.fit_resample(X_IMB, Y_IMB)
    np.testing.assert_array_equal(X_res, DICT_EXPECTED[version])
    np.testing.assert_array_equal(y_res, [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])


def test_imblearn_nearmiss_3_too_few_preselected_warns():
    # imbalanced-learn: "The number of the samples to be selected is larger than the
    # number of samples available" -> all preselected rows are kept
    X, y = blobs([3, 40], n_features=2, shift=3.0)
    with pytest.warns(UserWarning, match="preselected .* fewer than the 3 asked"):
        _, y_res = NearMiss(version=3, n_neighbors_ver3=1).fit_resample(X, y)
    assert (y_res == 1).sum() < 3
    ours, _ = _both(X, y, version=3, n_neighbors_ver3=1)
    assert ours.n_samples_out_ == ours.sample_indices_.size


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("version", [1, 2, 3])
def test_too_many_neighbors_for_the_minority_class(version):
    X, y = blobs([4, 30])
    with pytest.raises(ValueError, match=r"minority class 0 has 4 row\(s\) but n_neighbors=5"):
        NearMiss(version=version, n_neighbors=5).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"minority class 0 has 4 .* n_neighbors=6"):
        NearMiss(version=version, n_neighbors=NearestNeighbors(n_neighbors=6)).fit_resample(X, y)


def test_too_many_ver3_neighbors_for_a_class():
    X, y = blobs([4, 6, 30])
    with pytest.raises(ValueError, match=r"Class 1 has 6 row\(s\) but n_neighbors_ver3=7"):
        NearMiss(version=3, n_neighbors_ver3=7).fit_resample(X, y)


@pytest.mark.parametrize("version", [0, 4, 1.0, "1"])
def test_bad_version(version):
    X, y = blobs([4, 30])
    with pytest.raises(ValueError, match=r"'version' parameter of NearMiss must be an int"):
        NearMiss(version=version).fit_resample(X, y)


def test_inputs_not_modified_and_nan_refused():
    X, y = blobs([6, 30])
    X_copy, y_copy = X.copy(), y.copy()
    NearMiss(version=2).fit_resample(X, y)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        NearMiss().fit_resample(X, y)


def test_searches_check_memory_before_allocating(monkeypatch):
    import fastsmote._memory as memory

    X, _ = blobs([60000, 100], n_features=2)
    queries, refs = np.arange(60000), np.arange(60000, 60100)
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 1 << 18)  # 256 KiB
    with pytest.raises(MemoryError, match="distance sums of 60,000 rows"):
        distance_sums(X, queries, refs, 3, farthest=True)
    with pytest.raises(MemoryError, match="neighbour search of 60,000 rows"):
        kneighbors_between(X, queries, refs, 3)
    # from 8 features the shortlist tables are checked too (sums fit, shortlists do not)
    X8, _ = blobs([60000, 100], n_features=8)
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 2 << 20)
    with pytest.raises(MemoryError, match="neighbour search of 60,000 rows"):
        distance_sums(X8, queries, refs, 3)
    with pytest.raises(MemoryError, match=r"neighbour table of one row \(100 neighbours\)"):
        monkeypatch.setattr(memory, "available_memory_bytes", lambda: 1000)
        distance_sums(X, queries[:5], refs, 3, farthest=True, backend=NearestNeighbors())
