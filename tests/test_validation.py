"""Bad input gets a clear error naming the problem (never a Numba traceback)."""

import numpy as np
import pandas as pd
import pytest
from conftest import blobs
from scipy import sparse
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors

from fastsmote import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    SMOTENC,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    NearMiss,
    RandomOverSampler,
    RandomUnderSampler,
    SMOTETomek,
    TomekLinks,
    config_context,
    set_config,
)
from fastsmote._random import key_from_random_state
from fastsmote._validation import check_features
from fastsmote.cli._common import EXIT_CLASSES, code_for


@pytest.fixture
def data():
    return blobs([30, 10])


@pytest.mark.parametrize(
    "bad, word", [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")]
)
def test_nonfinite_values(data, bad, word):
    X, y = data
    X = X.copy()
    X[7, 1] = bad
    with pytest.raises(ValueError, match=f"X contains {word} \\(first at row 7\\)"):
        SMOTE().fit_resample(X, y)
    with pytest.raises(ValueError, match=word):
        SMOTE().fit(X, y)


@pytest.mark.parametrize(
    "make",
    [
        lambda: SMOTE(random_state=0),
        lambda: BorderlineSMOTE(random_state=0),
        lambda: TomekLinks(),
        lambda: SMOTENC(categorical_features=[0], random_state=0),
    ],
    ids=["smote", "borderline", "tomek", "smotenc"],
)
def test_squared_distances_that_overflow_float32_are_refused(make):
    # float32 holds 1e20, but not its square: every distance would be infinite and the
    # neighbour lists empty (a silent wrong answer); float64 handles the same data
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3)) * 1e20
    X[:, 0] = rng.integers(0, 3, 60)  # SMOTENC's categorical column
    y = np.repeat([0, 1], [40, 20])
    with pytest.raises(ValueError, match=r"squared distances .* exceed the largest float32"):
        make().fit_resample(X.astype(np.float32), y)
    X_res, _ = make().fit_resample(X, y)
    assert np.isfinite(X_res).all()


def test_neighbour_search_names_nan_before_overflow():
    from fastsmote.neighbors import exact_kneighbors

    X = np.random.default_rng(2).standard_normal((50, 3))
    X[9, 2] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN \(first at row 9\)"):
        exact_kneighbors(X, 3)


def test_large_but_safe_float32_values_keep_exact_neighbours():
    from sklearn.neighbors import NearestNeighbors

    from fastsmote.neighbors import exact_kneighbors

    X = (np.random.default_rng(1).standard_normal((200, 3)) * 1e17).astype(np.float32)
    found = exact_kneighbors(X, 4)
    expected = NearestNeighbors(n_neighbors=5).fit(X).kneighbors(X, return_distance=False)
    assert (found >= 0).all()
    np.testing.assert_array_equal(found, expected[:, 1:])


def test_single_class(data):
    X, _ = data
    with pytest.raises(ValueError, match="at least 2 classes.*one class only: 1.0"):
        SMOTE().fit_resample(X, np.ones(len(X)))


def test_length_mismatch(data):
    X, y = data
    with pytest.raises(ValueError, match="X has 40 rows, y has 39"):
        SMOTE().fit_resample(X, y[:-1])


def test_non_numeric_dataframe_columns_are_named(data):
    X, y = data
    df = pd.DataFrame(X, columns=list("abcd"))
    df["city"] = "x"
    df["kind"] = pd.Categorical(["u"] * len(df))
    with pytest.raises(ValueError, match=r"non-numeric columns \['city', 'kind'\]"):
        SMOTE().fit_resample(df, y)


def test_non_numeric_array(data):
    X, y = data
    X_obj = X.astype(object)
    X_obj[0, 0] = "abc"
    with pytest.raises(ValueError, match="non-numeric values"):
        SMOTE().fit_resample(X_obj, y)


@pytest.mark.parametrize("sampler", [SMOTE(), TomekLinks(), NearMiss()], ids=repr)
def test_array_of_strings_is_refused_even_when_they_parse(data, sampler):
    """As text columns of a frame are, and as scikit-learn's check_array refuses them."""
    X, y = data
    for X_text in (X.astype(str), X.astype(bytes)):
        with pytest.raises(ValueError, match="X is an array of strings"):
            clone(sampler).fit_resample(X_text, y)


def test_class_with_one_row():
    X, y = blobs([30, 1])
    with pytest.raises(ValueError, match="Class 1 has 1 row.*needs 2 or more rows"):
        SMOTE().fit_resample(X, y)


def test_k_larger_than_class(data):
    X, y = data
    with pytest.raises(ValueError, match="Class 1 has 10 row.*k_neighbors=12.*k_neighbors <= 9"):
        SMOTE(k_neighbors=12).fit_resample(X, y)
    # a class that is not over-sampled may be small
    X2, y2 = blobs([30, 3, 3])
    out = SMOTE(k_neighbors=2, sampling_strategy={1: 10}).fit_resample(X2, y2)[1]
    assert (out == 2).sum() == 3


def test_three_dimensional_and_empty_X(data):
    X, y = data
    with pytest.raises(ValueError, match="2-D array.*3-D"):
        SMOTE().fit_resample(X.reshape(40, 2, 2), y)
    with pytest.raises(ValueError, match="X is empty: 0 feature"):
        SMOTE().fit_resample(np.empty((40, 0)), y)
    with pytest.raises(ValueError, match="non-empty"):
        SMOTE().fit_resample(np.empty((0, 3)), np.empty(0))


def test_continuous_and_multilabel_targets(data):
    X, y = data
    with pytest.raises(ValueError, match="'continuous'"):
        SMOTE().fit_resample(X, np.linspace(0, 1, len(X)))
    multilabel = np.zeros((len(X), 3), dtype=int)
    multilabel[:, 0] = 1
    multilabel[::2, 1] = 1
    with pytest.raises(ValueError, match="multilabel and multioutput targets are not supported"):
        SMOTE().fit_resample(X, multilabel)


def test_sparse_X_is_refused_clearly_where_dense_rows_are_needed(data):
    X, y = data
    with pytest.raises(TypeError, match="sparse matrix.*toarray"):
        check_features(sparse.csr_matrix(X), len(y))
    assert check_features(sparse.csr_matrix(X), len(y), sparse=True).sparse


@pytest.mark.parametrize(
    "strategy, message",
    [
        ("majority", "'sampling_strategy'='majority' cannot be used with over-sampler"),
        ("rubbish", "must be a float in the range \\(0, 1\\], a str among"),
        (0.0, "must be a float in the range"),
        (1.5, "must be a float in the range"),
        (0.1, "required to remove samples from the minority class"),
        ({5: 100}, "The \\{5\\} target class is/are not present"),
        ({1: 5}, "Originally, there is 10 samples and 5 samples are asked"),
        ({1: -1}, "cannot be negative"),
        ([0, 1], "must be a float in the range"),
        (lambda y: [1], "must return a dict"),
    ],
)
def test_invalid_sampling_strategy(data, strategy, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        SMOTE(sampling_strategy=strategy).fit_resample(X, y)


@pytest.mark.parametrize(
    "count",
    [100.5, 100.0, np.float64(100.0), np.float32(20.0), True, np.bool_(True), "100", None, np.nan],
)
@pytest.mark.parametrize("cls", [SMOTE, RandomOverSampler, RandomUnderSampler])
def test_strategy_counts_must_be_ints(data, count, cls):
    """A count of rows is never truncated or rounded (imbalanced-learn refuses them too)."""
    X, y = data
    label = 0 if cls is RandomUnderSampler else 1
    for strategy in ({label: count}, lambda y: {label: count}):
        with pytest.raises(ValueError, match="must be an int; 'sampling_strategy' asks for"):
            cls(sampling_strategy=strategy).fit_resample(X, y)


@pytest.mark.parametrize("count", [np.int64(25), np.uint16(25), 25])
def test_strategy_counts_of_any_integer_type(data, count):
    X, y = data
    y_res = SMOTE(sampling_strategy={1: count}, random_state=0).fit_resample(X, y)[1]
    assert np.bincount(y_res).tolist() == [30, 25]
    y_res = RandomUnderSampler(sampling_strategy={0: count}).fit_resample(X, y)[1]
    assert np.bincount(y_res).tolist() == [25, 10]


def _two_rows():
    return np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1])


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: EditedNearestNeighbours(n_neighbors=10**6),
            "X has 40 row\\(s\\) but n_neighbors=1000000 needs at least 1000001: use "
            "n_neighbors <= 39",
        ),
        (lambda: EditedNearestNeighbours(n_neighbors=40), "n_neighbors=40 needs at least 41"),
        (
            lambda: BorderlineSMOTE(m_neighbors=10**6),
            "X has 40 row\\(s\\) but m_neighbors=1000000 needs at least 1000001: use "
            "m_neighbors <= 39",
        ),
        (
            lambda: BorderlineSMOTE(kind="borderline-2", k_neighbors=40),
            "X has 40 row\\(s\\) but k_neighbors=40 needs at least 41",
        ),
        (lambda: ADASYN(n_neighbors=10), "Class 1 has 10 row\\(s\\) but n_neighbors=10"),
        (
            lambda: SMOTEENN(enn=EditedNearestNeighbours(n_neighbors=60), random_state=0),
            "SMOTEENN: the EditedNearestNeighbours step cleans the 60 rows the SMOTE step "
            "returned. X has 60 row\\(s\\) but n_neighbors=60 needs at least 61",
        ),
        (
            lambda: SMOTETomek(smote=SMOTE(k_neighbors=10)),
            "Class 1 has 10 row\\(s\\) but k_neighbors=10 needs at least 11",
        ),
    ],
)
def test_neighbour_counts_beyond_the_rows_are_refused(data, make, message):
    """Never lowered silently (imbalanced-learn raises as well); the CLI exits with 8."""
    X, y = data
    with pytest.raises(ValueError, match=message) as error:
        make().fit_resample(X, y)
    assert code_for(error.value) == EXIT_CLASSES


def test_smoteenn_on_two_rows_raises():
    """Nothing to over-sample, then ENN's 3 neighbours among 2 rows: an error, not empty
    arrays."""
    with pytest.raises(ValueError, match="2 rows the SMOTE step.*n_neighbors=3 needs at least 4"):
        SMOTEENN(random_state=0).fit_resample(*_two_rows())


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: SMOTE(k_neighbors=nn),
        lambda nn: ADASYN(n_neighbors=nn),
        lambda nn: BorderlineSMOTE(k_neighbors=nn),
        lambda nn: EditedNearestNeighbours(n_neighbors=nn),
    ],
)
def test_neighbour_estimators_need_a_neighbour_besides_the_row(data, make):
    X, y = data
    with pytest.raises(ValueError, match="asks for no neighbour.*counts the row itself"):
        make(NearestNeighbors(n_neighbors=1)).fit_resample(X, y)


def test_neighbour_estimators_larger_than_the_rows_are_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="Class 1 has 10 row.*n_neighbors <= 10"):
        SMOTE(k_neighbors=NearestNeighbors(n_neighbors=11)).fit_resample(X, y)
    with pytest.raises(ValueError, match="X has 40 row.*n_neighbors <= 40"):
        EditedNearestNeighbours(n_neighbors=NearestNeighbors(n_neighbors=41)).fit_resample(X, y)


def test_float_strategy_needs_binary_target():
    X, y = blobs([30, 10, 10])
    with pytest.raises(ValueError, match="can be a float only when the type of target is binary"):
        SMOTE(sampling_strategy=0.5).fit_resample(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"k_neighbors": 0}, "'k_neighbors' parameter of SMOTE must be an int in the range"),
        ({"k_neighbors": 2.5}, "'k_neighbors'.*Got 2.5"),
        ({"k_neighbors": "five"}, "an object implementing 'kneighbors'"),
        ({"random_state": -1}, "'random_state'.*non-negative int"),
        ({"random_state": "seed"}, "'random_state'"),
        ({"working_memory": 0}, "'working_memory' parameter of SMOTE must be None or an int"),
        ({"working_memory": 1.5}, "'working_memory'.*Got 1.5"),
    ],
)
def test_invalid_parameters(data, params, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        SMOTE(**params).fit_resample(X, y)


def test_key_from_random_state_rejects_junk():
    with pytest.raises(ValueError, match="random_state"):
        key_from_random_state(1.5)


def test_config_validation():
    with pytest.raises(ValueError, match="working_memory"):
        set_config(working_memory=0)
    with pytest.raises(ValueError, match="n_threads"):
        with config_context(n_threads=0):
            pass


@pytest.mark.parametrize(
    "labels",
    [
        np.array([-5, 7, -5, 7, 7, 7] * 10),  # negative ints
        np.array([0, 10**12] * 30),  # wide range: falls back to np.unique
        np.array([True, False, False] * 20),
        np.array([3, 1, 1, 2] * 15, dtype=np.uint8),
        np.array(["b", "a", "a"] * 20, dtype=object),
        np.array([1.0, 2.0, 2.0] * 20),
    ],
)
def test_label_encoding_matches_numpy_unique(labels):
    from fastsmote._validation import check_target

    target = check_target(labels)
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(target.classes, classes)
    np.testing.assert_array_equal(target.encoded, inverse)
    np.testing.assert_array_equal(target.counts, counts)
    assert target.classes.dtype == classes.dtype


@pytest.mark.parametrize(
    "bad, exit_code",
    [("nan", 7), ("inf", 7), ("none", 7), ("text", 6), ("sparse-nan", 7)],
)
def test_refusals_of_the_values_do_not_name_smote_for_other_samplers(bad, exit_code):
    """A cleaner or NearMiss computes distances, it does not interpolate: the message
    says what needs the values, names where, and keeps the command line's exit code."""
    from fastsmote import NearMiss

    X, y = blobs([30, 10], 3)
    if bad == "sparse-nan":
        data = sparse.csr_matrix(X)
        data.data[4] = np.nan
    elif bad in ("nan", "inf"):
        data = X.copy()
        data[5, 1] = np.nan if bad == "nan" else np.inf
    else:
        data = pd.DataFrame(X, columns=["a", "b", "c"])
        data["b"] = data["b"].astype(object)
        data.loc[5, "b"] = None if bad == "none" else "x"
    for sampler in (EditedNearestNeighbours(), TomekLinks(), NearMiss()):
        with pytest.raises(ValueError) as raised:
            sampler.fit_resample(data, y)
        message = str(raised.value)
        assert "SMOTE" not in message and "distances" in message
        assert ("non-numeric columns ['b']" if bad == "text" else "(first at row") in message
        assert code_for(raised.value) == exit_code
