"""SMOTE estimator: layout, counts, geometry, reproducibility, containers."""

import pickle

import numba
import numpy as np
import pandas as pd
import pytest
from conftest import blobs
from naive import knn as naive_knn
from scipy.spatial import Delaunay
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors

from fastsmote import SMOTE, config_context

imblearn = pytest.importorskip("imblearn")
from imblearn.over_sampling import SMOTE as ImbSMOTE  # noqa: E402


def counts(y):
    labels, n = np.unique(y, return_counts=True)
    return dict(zip(labels.tolist(), n.tolist(), strict=True))


def test_layout_copy_first_then_classes_in_sorted_order(three_class_data):
    X, y = three_class_data
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    tail = y_res[len(y) :]
    assert list(tail) == sorted(tail)
    assert counts(y_res) == {0: 80, 1: 80, 2: 80}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_synthetic_row_lies_on_a_neighbour_segment(three_class_data, dtype):
    X, y = three_class_data
    X = X.astype(dtype)
    k = 4
    sampler = SMOTE(k_neighbors=k, random_state=1)
    X_res, y_res = sampler.fit_resample(X, y)
    prov = sampler.provenance(X, y)
    n_syn = len(X_res) - len(X)
    assert prov.row.size == n_syn
    np.testing.assert_array_equal(prov.row, np.arange(len(X), len(X_res)))
    np.testing.assert_array_equal(prov.label, y_res[len(X) :])
    # parents are rows of the same class, the neighbour among the base's k nearest
    assert np.all(y[prov.base] == prov.label) and np.all(y[prov.neighbor] == prov.label)
    for label in np.unique(prov.label):
        rows = np.flatnonzero(y == label)
        _, nn = naive_knn(X, rows, k)
        allowed = {(rows[i], rows[j]) for i in range(rows.size) for j in nn[i]}
        sel = prov.label == label
        assert set(zip(prov.base[sel], prov.neighbor[sel], strict=True)) <= allowed
    # and the row is exactly base + gap * (neighbour - base) in the data dtype
    gap = prov.gap.astype(dtype)[:, None]
    expected = X[prov.base] + gap * (X[prov.neighbor] - X[prov.base])
    np.testing.assert_array_equal(X_res[len(X) :], expected)
    assert X_res.dtype == dtype
    assert np.all((prov.gap >= 0) & (prov.gap < 1))


@pytest.mark.parametrize(
    "strategy",
    ["auto", "minority", "not minority", "not majority", "all", 0.5, 1.0, 0.37],
)
def test_binary_counts_equal_imblearn(binary_data, strategy):
    X, y = binary_data
    ours = SMOTE(sampling_strategy=strategy, random_state=0).fit_resample(X, y)[1]
    theirs = ImbSMOTE(sampling_strategy=strategy, random_state=0).fit_resample(X, y)[1]
    assert counts(ours) == counts(theirs)


@pytest.mark.parametrize(
    "strategy",
    [
        "auto",
        "minority",
        "not minority",
        "not majority",
        "all",
        {1: 50, 2: 40},
        {0: 80, 1: 25, 2: 100},
        lambda y: {c: int(np.sum(y == c)) * 2 for c in np.unique(y) if c != 0},
    ],
)
def test_three_class_counts_equal_imblearn(three_class_data, strategy):
    X, y = three_class_data
    ours_sampler = SMOTE(sampling_strategy=strategy, random_state=0)
    ours = ours_sampler.fit_resample(X, y)[1]
    theirs_sampler = ImbSMOTE(sampling_strategy=strategy, random_state=0)
    theirs = theirs_sampler.fit_resample(X, y)[1]
    assert counts(ours) == counts(theirs)
    assert dict(ours_sampler.sampling_strategy_) == dict(theirs_sampler.sampling_strategy_)


def test_string_labels_and_tie_for_majority():
    X, _ = blobs([20, 20, 8])
    y = np.array(["b"] * 20 + ["a"] * 20 + ["c"] * 8)
    ours = SMOTE(random_state=0).fit_resample(X, y)[1]
    theirs = ImbSMOTE(random_state=0).fit_resample(X, y)[1]
    assert counts(ours) == counts(theirs) == {"a": 20, "b": 20, "c": 20}


def test_same_seed_same_output_different_seed_different(binary_data):
    X, y = binary_data
    a = SMOTE(random_state=3).fit_resample(X, y)[0]
    b = SMOTE(random_state=3).fit_resample(X, y)[0]
    c = SMOTE(random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[len(X) :], c[len(X) :])


def test_random_state_objects_are_accepted_and_advanced(binary_data):
    X, y = binary_data
    rs = np.random.RandomState(0)
    first = SMOTE(random_state=rs).fit_resample(X, y)[0]
    second = SMOTE(random_state=rs).fit_resample(X, y)[0]
    assert not np.array_equal(first, second)  # the RandomState was consumed
    again = SMOTE(random_state=np.random.RandomState(0)).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    gen = SMOTE(random_state=np.random.default_rng(0)).fit_resample(X, y)[0]
    gen_again = SMOTE(random_state=np.random.default_rng(0)).fit_resample(X, y)[0]
    np.testing.assert_array_equal(gen, gen_again)
    assert SMOTE(random_state=None).fit_resample(X, y)[0].shape == first.shape


def test_classes_use_independent_streams():
    # two minority classes with identical data: their synthetic rows must differ
    X1 = np.random.default_rng(0).standard_normal((10, 3))
    X = np.vstack([np.random.default_rng(1).standard_normal((40, 3)), X1, X1])
    y = np.repeat([0, 1, 2], [40, 10, 10])
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    assert not np.array_equal(X_res[y_res == 1][10:], X_res[y_res == 2][10:])


def test_same_output_for_any_thread_count(three_class_data):
    X, y = three_class_data
    outputs = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with config_context(n_threads=threads):
            outputs.append(SMOTE(random_state=5).fit_resample(X, y)[0])
    np.testing.assert_array_equal(outputs[0], outputs[1])
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS  # restored


def test_same_output_for_any_chunk_size(monkeypatch, three_class_data):
    import fastsmote.neighbors._exact as exact
    import fastsmote.over_sampling._plan as plan_module

    X, y = three_class_data
    reference = SMOTE(random_state=5).fit_resample(X, y)[0]
    monkeypatch.setattr(plan_module, "GENERATION_CHUNK", 3)
    monkeypatch.setattr(exact, "QUERY_BLOCK", 5)
    monkeypatch.setattr(exact, "REF_BLOCK_BYTES", 64)
    np.testing.assert_array_equal(SMOTE(random_state=5).fit_resample(X, y)[0], reference)


def test_float32_stays_float32_and_ints_become_float64(binary_data):
    X, y = binary_data
    assert SMOTE(random_state=0).fit_resample(X.astype(np.float32), y)[0].dtype == np.float32
    X_int = np.round(X * 10).astype(np.int32)
    X_res = SMOTE(random_state=0).fit_resample(X_int, y)[0]
    assert X_res.dtype == np.float64
    np.testing.assert_array_equal(X_res[: len(X)], X_int)
    assert not np.all(X_res[len(X) :] == np.round(X_res[len(X) :]))  # not truncated


def test_inputs_are_not_modified(binary_data):
    X, y = binary_data
    X_copy, y_copy = X.copy(), y.copy()
    SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_non_contiguous_input_gives_same_result(binary_data):
    X, y = binary_data
    X_f = np.asfortranarray(X)
    np.testing.assert_array_equal(
        SMOTE(random_state=0).fit_resample(X_f, y)[0], SMOTE(random_state=0).fit_resample(X, y)[0]
    )


def test_pandas_round_trip(binary_data):
    X, y = binary_data
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"]).astype({"a": np.float32})
    target = pd.Series(np.where(y == 1, "fraud", "ok"), name="label")
    X_res, y_res = SMOTE(random_state=0).fit_resample(df, target)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == ["a", "b", "c", "d"]
    assert (X_res.dtypes == df.dtypes).all()
    assert y_res.name == "label" and y_res.dtype == target.dtype
    pd.testing.assert_frame_equal(X_res.iloc[: len(df)], df)
    assert counts(y_res.to_numpy()) == {"fraud": 60, "ok": 60}


def test_repeated_column_names_keep_each_columns_dtype(binary_data):
    from fastsmote import RandomOverSampler

    X, y = binary_data
    df = pd.DataFrame({"a": X[:, 0].astype(np.float32), "b": 1 + X[:, 1] * 1e-9, "c": X[:, 2]})
    df.columns = ["x", "x", "c"]  # float32 and float64 under one name
    before = df.copy()
    for sampler in (SMOTE(random_state=0), RandomOverSampler(random_state=0, shrinkage=1.0)):
        X_res, _ = sampler.fit_resample(df, y)
        assert list(X_res.columns) == ["x", "x", "c"]
        assert list(X_res.dtypes) == [np.float32, np.float64, np.float64]
        pd.testing.assert_frame_equal(X_res.iloc[: len(df)], df)  # float64 rows intact
    pd.testing.assert_frame_equal(df, before)


def test_categorical_target_series_keeps_dtype(binary_data):
    X, y = binary_data
    target = pd.Series(pd.Categorical(np.where(y == 1, "yes", "no")), name="t")
    y_res = SMOTE(random_state=0).fit_resample(X, target)[1]
    assert isinstance(y_res.dtype, pd.CategoricalDtype) and y_res.name == "t"


def test_one_hot_target_round_trip(three_class_data):
    X, y = three_class_data
    onehot = np.eye(3, dtype=int)[y]
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, onehot)
    assert y_res.shape == (len(X_res), 3)
    assert counts(y_res.argmax(axis=1)) == {0: 80, 1: 80, 2: 80}


def test_kneighbors_object_excludes_self_by_index():
    # duplicates: the row itself is not always first in a kneighbors answer
    rng = np.random.default_rng(0)
    X_min = np.repeat(rng.standard_normal((6, 2)), 3, axis=0)
    X = np.vstack([rng.standard_normal((40, 2)) + 5, X_min])
    y = np.repeat([0, 1], [40, 18])
    sampler = SMOTE(k_neighbors=NearestNeighbors(n_neighbors=4), random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    prov = sampler.provenance(X, y)
    assert np.all(prov.base != prov.neighbor)
    int_res = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)[0]
    # same neighbour sets up to order of equal distances -> same counts, same support
    assert X_res.shape == int_res.shape
    assert isinstance(sampler.nn_k_, NearestNeighbors) and sampler.k_neighbors.n_neighbors == 4


def test_statistics_on_a_2d_blob():
    rng = np.random.default_rng(0)
    X_min = rng.multivariate_normal([2, -1], [[1, 0.6], [0.6, 1]], size=300)
    X = np.vstack([rng.standard_normal((3000, 2)) * 3, X_min])
    y = np.repeat([0, 1], [3000, 300])
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    synthetic = X_res[len(X) :]
    assert np.all(Delaunay(X_min).find_simplex(synthetic) >= 0)  # inside the convex hull
    # mean within a few standard errors of the class mean
    se = X_min.std(axis=0) / np.sqrt(300)
    assert np.all(np.abs(synthetic.mean(axis=0) - X_min.mean(axis=0)) < 4 * se)


def test_clone_get_set_params_and_pickle(binary_data):
    X, y = binary_data
    sampler = SMOTE(k_neighbors=3, random_state=7)
    assert sampler.get_params() == {
        "k_neighbors": 3,
        "neighbors": "auto",
        "random_state": 7,
        "sampling_strategy": "auto",
        "working_memory": None,
    }
    twin = clone(sampler).set_params(k_neighbors=4)
    assert twin.k_neighbors == 4 and sampler.k_neighbors == 3
    restored = pickle.loads(pickle.dumps(sampler.fit(X, y)))
    np.testing.assert_array_equal(
        restored.fit_resample(X, y)[0], SMOTE(k_neighbors=3, random_state=7).fit_resample(X, y)[0]
    )


def test_works_in_imblearn_pipeline(binary_data):
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    X, y = binary_data
    pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression())
    scores = cross_val_score(pipe, X, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,) and np.all(scores > 0.9)


def test_nothing_to_generate_returns_a_copy():
    X, y = blobs([10, 10])
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    assert X_res is not X
    sampler = SMOTE(random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.provenance(X, y).row.size == 0
