"""Arrays as users pass them: byte orders, wide integers, long doubles, masked arrays.

A big-endian or otherwise laid-out array gives the rows its native copy gives; values
the computing dtype would round are refused by the samplers that return computed rows
and taken as they are by those that select rows."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import fastsmote as fs

N_MAJORITY, N_MINORITY = 90, 30


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(N_MAJORITY + N_MINORITY, 4))
    X[N_MAJORITY:] += 1.5
    y = np.r_[np.zeros(N_MAJORITY, dtype=np.int64), np.ones(N_MINORITY, dtype=np.int64)]
    return X, y


# samplers whose output rows are computed from X's float copy, and row selectors
COMPUTING = {
    "SMOTE": lambda: fs.SMOTE(random_state=0),
    "BorderlineSMOTE": lambda: fs.BorderlineSMOTE(random_state=0),
    "ADASYN": lambda: fs.ADASYN(random_state=0),
    "SVMSMOTE": lambda: fs.SVMSMOTE(random_state=0),
    "KMeansSMOTE": lambda: fs.KMeansSMOTE(random_state=0, cluster_balance_threshold=0.0),
    "SMOTENC": lambda: fs.SMOTENC(categorical_features=[3], random_state=0),
    "RandomOverSampler(shrinkage)": lambda: fs.RandomOverSampler(shrinkage=1.0, random_state=0),
    "ClusterCentroids": lambda: fs.ClusterCentroids(random_state=0),
    "SMOTEENN": lambda: fs.SMOTEENN(random_state=0),
}
SELECTING = {
    "RandomUnderSampler": lambda: fs.RandomUnderSampler(random_state=0),
    "RandomOverSampler": lambda: fs.RandomOverSampler(random_state=0),
    "NearMiss": lambda: fs.NearMiss(),
    "EditedNearestNeighbours": lambda: fs.EditedNearestNeighbours(),
    "TomekLinks": lambda: fs.TomekLinks(),
    "CondensedNearestNeighbour": lambda: fs.CondensedNearestNeighbour(random_state=0),
    "InstanceHardnessThreshold": lambda: fs.InstanceHardnessThreshold(random_state=0),
}


def _categorical_last(X):
    """X with its last column as codes 0-2 (SMOTENC's categorical column)."""
    X = X.copy()
    X[:, 3] = np.floor(np.abs(X[:, 3])) % 3
    return X


@pytest.mark.parametrize("name", sorted(COMPUTING))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_big_endian_features_give_the_native_rows_and_dtype(data, name, dtype):
    X, y = data
    X = _categorical_last(X).astype(dtype)
    expected, y_expected = COMPUTING[name]().fit_resample(X, y)
    swapped = X.astype(X.dtype.newbyteorder(">"))
    before = swapped.copy()
    got, y_got = COMPUTING[name]().fit_resample(swapped, y.astype(">i8"))
    assert got.dtype == expected.dtype and got.dtype.isnative
    assert np.array_equal(got, expected) and np.array_equal(y_got, y_expected)
    assert y_got.dtype == np.dtype(np.int64)
    assert np.array_equal(swapped, before) and swapped.dtype.byteorder == ">"


@pytest.mark.parametrize("name", sorted(SELECTING))
def test_big_endian_rows_come_back_in_native_order(data, name):
    X, y = data
    expected, y_expected = SELECTING[name]().fit_resample(X, y)
    got, y_got = SELECTING[name]().fit_resample(X.astype(">f8"), y.astype(">i8"))
    assert got.dtype == np.dtype(np.float64) and y_got.dtype == np.dtype(np.int64)
    assert np.array_equal(got, expected) and np.array_equal(y_got, y_expected)


def test_smoten_big_endian_categories_come_back_native(data):
    X, y = data
    codes = np.floor(np.abs(X) * 2) % 4
    expected, _ = fs.SMOTEN(random_state=0).fit_resample(codes, y)
    got, _ = fs.SMOTEN(random_state=0).fit_resample(codes.astype(">f8"), y)
    assert got.dtype == np.dtype(np.float64) and np.array_equal(got, expected)


@pytest.mark.parametrize(
    "name", ["RandomUnderSampler", "NearMiss", "EditedNearestNeighbours", "TomekLinks"]
)
def test_dataframe_with_big_endian_columns(data, name):
    """pandas cannot take rows of big-endian columns: the rows are taken from native
    copies of those columns (the user's frame untouched)."""
    X, y = data
    frame = pd.DataFrame({f"f{j}": X[:, j] for j in range(4)})
    swapped = pd.DataFrame({f"f{j}": X[:, j].astype(">f8") for j in range(4)})
    expected, _ = SELECTING[name]().fit_resample(frame, y)
    got, _ = SELECTING[name]().fit_resample(swapped, y)
    pd.testing.assert_frame_equal(got, expected)
    assert all(t == np.dtype(">f8") for t in swapped.dtypes)


# ---------------------------------------------------------------- values float64 rounds
def _wide(dtype, offset):
    """Two columns of ``dtype``: the first from ``offset`` on, the second small."""
    rng = np.random.default_rng(1)
    column = np.arange(N_MAJORITY + N_MINORITY, dtype=dtype) * dtype(3) + dtype(offset)
    return np.column_stack([column, rng.integers(0, 50, column.size).astype(dtype)])


@pytest.mark.parametrize(
    "X",
    [
        _wide(np.uint64, 2**60 + 1),
        _wide(np.int64, -(2**62) - 1),
        (1 + np.arange(120, dtype=np.longdouble).reshape(-1, 1) * np.longdouble(2) ** -60)
        * np.ones((1, 2), dtype=np.longdouble),
    ],
    ids=["uint64", "int64", "longdouble"],
)
@pytest.mark.parametrize("name", sorted(set(COMPUTING) - {"SMOTENC"}))
def test_values_float64_rounds_are_refused_where_rows_are_computed(data, X, name):
    _, y = data
    with pytest.raises(ValueError, match="float64 cannot hold exactly") as info:
        COMPUTING[name]().fit_resample(X, y)
    assert "column 0" in str(info.value)


def test_smotenc_refuses_a_continuous_column_float64_rounds(data):
    _, y = data
    X = _wide(np.int64, 2**53 + 1)
    X[:, 1] %= 3
    with pytest.raises(ValueError, match="column 0 holds 9007199254740993"):
        fs.SMOTENC(categorical_features=[1], random_state=0).fit_resample(X, y)


def test_fit_resample_iter_and_dataframes_refuse_rounded_values(data):
    _, y = data
    X = _wide(np.uint64, 2**60 + 1)
    with pytest.raises(ValueError, match="cannot hold exactly"):
        next(fs.SMOTE(random_state=0).fit_resample_iter(X, y))
    frame = pd.DataFrame({"id": X[:, 0], "small": X[:, 1]})
    with pytest.raises(ValueError, match="column 'id' holds 1152921504606846977"):
        fs.SMOTE(random_state=0).fit_resample(frame, y)
    with pytest.raises(ValueError, match="first at row 0, column 0"):
        fs.SMOTE(random_state=0).fit_resample(sp.csr_matrix(X), y)


def test_integers_float64_holds_are_accepted(data):
    """2**53 and the even integers just above it are float64 values: no refusal."""
    _, y = data
    X = _wide(np.int64, 2**53)
    X[:, 0] = 2**53 + 2 * (np.arange(X.shape[0]) % 4)
    X_res, _ = fs.SMOTE(random_state=0).fit_resample(X, y)
    assert np.array_equal(X_res[: X.shape[0]], X.astype(np.float64))


@pytest.mark.parametrize("name", sorted(SELECTING))
def test_row_selectors_return_wide_values_exactly(data, name):
    _, y = data
    X = _wide(np.uint64, 2**60 + 1)
    X_res, _ = SELECTING[name]().fit_resample(X, y)
    sampler = SELECTING[name]()
    sampler.fit_resample(X, y)
    assert X_res.dtype == np.uint64
    assert np.array_equal(X_res, X[sampler.sample_indices_])


# ---------------------------------------------------------------- FunctionSampler, masks
@pytest.mark.parametrize("dtype", [np.float16, ">f4", ">f8", np.longdouble, np.int8])
def test_function_sampler_passes_an_array_in_its_dtype(data, dtype):
    X, y = data
    X = X.astype(dtype)
    seen = {}

    def identity(X_in, y_in):
        seen["dtype"] = X_in.dtype
        return X_in, y_in

    X_res, _ = fs.FunctionSampler(func=identity).fit_resample(X, y)
    assert seen["dtype"] == X.dtype and X_res.dtype == X.dtype
    assert np.array_equal(X_res, X)


def test_function_sampler_refuses_nan_in_a_float16_array(data):
    X, y = data
    X = X.astype(np.float16)
    X[7, 2] = np.nan
    with pytest.raises(ValueError, match="NaN \\(first at row 7"):
        fs.FunctionSampler().fit_resample(X, y)


@pytest.mark.parametrize("name", ["SMOTE", "ClusterCentroids"])
def test_masked_values_are_refused_where_rows_are_computed(data, name):
    X, y = data
    masked = np.ma.masked_array(X.copy())
    masked[11, 1] = np.ma.masked
    with pytest.raises(ValueError, match="masked values \\(first at row 11\\)"):
        COMPUTING[name]().fit_resample(masked, y)


def test_row_selectors_keep_a_masked_array_s_mask(data):
    X, y = data
    masked = np.ma.masked_array(X.copy())
    masked[11, 1] = np.ma.masked
    sampler = fs.RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(masked, y)
    assert np.ma.isMaskedArray(X_res)
    assert np.array_equal(
        np.ma.getmaskarray(X_res), np.ma.getmaskarray(masked)[sampler.sample_indices_]
    )


def test_dask_refuses_rounded_values_where_fit_resample_does(data):
    import dask.array as da

    from fastsmote.dask import resample_arrays

    _, y = data
    X = _wide(np.uint64, 2**60 + 1)
    X_parts, y_parts = da.from_array(X, chunks=40), da.from_array(y, chunks=40)
    with pytest.raises(ValueError, match="cannot hold exactly"):
        da.compute(*resample_arrays(X_parts, y_parts, fs.SMOTE(random_state=0)))
    sampler = fs.EditedNearestNeighbours()
    X_res, _ = da.compute(*resample_arrays(X_parts, y_parts, sampler))
    assert X_res.dtype == np.uint64
    assert np.array_equal(X_res, fs.EditedNearestNeighbours().fit_resample(X, y)[0])


def test_the_first_bad_row_is_named_whether_null_or_nan(data):
    X, y = data
    frame = pd.DataFrame({"a": pd.array(X[:, 0], dtype="Float64"), "b": X[:, 1], "c": X[:, 2]})
    frame.loc[90, "a"] = None
    frame.loc[40, "c"] = np.inf  # the earliest, in a later column than b's
    frame.loc[60, "b"] = np.nan
    with pytest.raises(ValueError, match="infinity \\(first at row 40, column 'c'\\)"):
        fs.SMOTE(random_state=0).fit_resample(frame, y)
    frame.loc[40, "c"] = 0.0
    with pytest.raises(ValueError, match="NaN \\(first at row 60, column 'b'\\)"):
        fs.SMOTE(random_state=0).fit_resample(frame, y)
    frame.loc[60, "b"] = 0.0
    with pytest.raises(ValueError, match="column 'a' \\(first at row 90\\)"):
        fs.SMOTE(random_state=0).fit_resample(frame, y)
