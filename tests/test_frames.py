"""DataFrames and Series in and out: pandas (NumPy, nullable and pyarrow dtypes), polars,
pyarrow, object columns; every sampler gives back the input's kind, names and dtypes, with
the numbers of the NumPy path."""

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import fastsmote as fs
from fastsmote.pipeline import make_pipeline

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
nw = pytest.importorskip("narwhals.stable.v2")

N_ROWS, COLUMNS = 36, ["a", "b", "c"]
Y = np.repeat([0, 1], [24, 12])

#: name -> (sampler factory, over-sampler: new float values, not copies)
SAMPLERS = {
    "SMOTE": (lambda: fs.SMOTE(k_neighbors=3, random_state=0), True),
    "SMOTENC": (lambda: fs.SMOTENC([2], k_neighbors=3, random_state=0), True),
    # every column categorical: synthetic values are categories of the input, dtypes kept
    "SMOTEN": (lambda: fs.SMOTEN(k_neighbors=3, random_state=0), False),
    "BorderlineSMOTE": (lambda: fs.BorderlineSMOTE(k_neighbors=3, random_state=0), True),
    "ADASYN": (lambda: fs.ADASYN(n_neighbors=3, random_state=0), True),
    "SVMSMOTE": (lambda: fs.SVMSMOTE(k_neighbors=3, random_state=0), True),
    "KMeansSMOTE": (
        lambda: fs.KMeansSMOTE(kmeans_estimator=KMeans(n_clusters=1, n_init=1), random_state=0),
        True,
    ),
    "RandomOverSampler": (lambda: fs.RandomOverSampler(random_state=0), False),
    "RandomOverSampler-shrinkage": (
        lambda: fs.RandomOverSampler(random_state=0, shrinkage=0.5),
        True,
    ),
    "RandomUnderSampler": (lambda: fs.RandomUnderSampler(random_state=0), False),
    "TomekLinks": (fs.TomekLinks, False),
    "EditedNearestNeighbours": (fs.EditedNearestNeighbours, False),
    "NearMiss": (fs.NearMiss, False),
    "CondensedNearestNeighbour": (lambda: fs.CondensedNearestNeighbour(random_state=0), False),
    "OneSidedSelection": (lambda: fs.OneSidedSelection(random_state=0), False),
    "RepeatedEditedNearestNeighbours": (fs.RepeatedEditedNearestNeighbours, False),
    "AllKNN": (fs.AllKNN, False),
    "NeighbourhoodCleaningRule": (fs.NeighbourhoodCleaningRule, False),
    "InstanceHardnessThreshold": (
        lambda: fs.InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0),
        False,
    ),
    "ClusterCentroids": (lambda: fs.ClusterCentroids(random_state=0), True),
    "ClusterCentroids-hard": (lambda: fs.ClusterCentroids(random_state=0, voting="hard"), False),
    "SMOTETomek": (
        lambda: fs.SMOTETomek(smote=fs.SMOTE(k_neighbors=3, random_state=0)),
        True,
    ),
    "SMOTEENN": (lambda: fs.SMOTEENN(smote=fs.SMOTE(k_neighbors=3, random_state=0)), True),
}


@pytest.fixture(scope="module")
def values():
    """Per kind of column: the values all cases are built from (two classes overlap)."""
    rng = np.random.default_rng(7)
    reals = np.round(rng.standard_normal((N_ROWS, 3)) + Y[:, None] * 0.8, 3)
    ints = rng.integers(-6, 7, (N_ROWS, 3)) + 3 * Y[:, None]
    return {"float": reals, "int": ints, "bool": ints > 1}


def _pandas(dtype, source):
    return lambda v: pd.DataFrame(v[source], columns=COLUMNS).astype(dtype)


def _polars(dtype, source):
    return lambda v: pl.DataFrame(v[source], schema=COLUMNS).cast(dtype)


#: name -> (build from values, float dtype of the NumPy reference, over-sampled column
#: dtype (None: each column's own), dtype names of the input's columns)
CASES = {
    "pandas float32": (_pandas("float32", "float"), np.float32, None, ["float32"] * 3),
    "pandas float64": (_pandas("float64", "float"), np.float64, None, ["float64"] * 3),
    "pandas int64": (_pandas("int64", "int"), np.float64, "float64", ["int64"] * 3),
    "pandas bool": (_pandas("bool", "bool"), np.float64, "float64", ["bool"] * 3),
    "pandas Float64": (_pandas("Float64", "float"), np.float64, None, ["Float64"] * 3),
    "pandas Int64": (_pandas("Int64", "int"), np.float64, "Float64", ["Int64"] * 3),
    "pandas boolean": (_pandas("boolean", "bool"), np.float64, "Float64", ["boolean"] * 3),
    "pandas double[pyarrow]": (
        _pandas("double[pyarrow]", "float"),
        np.float64,
        None,
        ["double[pyarrow]"] * 3,
    ),
    "pandas int64[pyarrow]": (
        _pandas("int64[pyarrow]", "int"),
        np.float64,
        "double[pyarrow]",
        ["int64[pyarrow]"] * 3,
    ),
    "pandas bool[pyarrow]": (
        _pandas("bool[pyarrow]", "bool"),
        np.float64,
        "double[pyarrow]",
        ["bool[pyarrow]"] * 3,
    ),
    "pandas object numbers": (_pandas(object, "float"), np.float64, "float64", ["object"] * 3),
    "polars Float32": (_polars(pl.Float32, "float"), np.float32, None, ["Float32"] * 3),
    "polars Float64": (_polars(pl.Float64, "float"), np.float64, None, ["Float64"] * 3),
    "polars Int64": (_polars(pl.Int64, "int"), np.float64, "Float64", ["Int64"] * 3),
    "polars Boolean": (_polars(pl.Boolean, "bool"), np.float64, "Float64", ["Boolean"] * 3),
    "pyarrow Table": (
        lambda v: pa.table(
            {
                "a": v["float"][:, 0],
                "b": v["int"][:, 1],
                "c": pa.array(v["bool"][:, 2]),
            }
        ),
        np.float64,
        "double",
        ["double", "int64", "bool"],
    ),
}


def _dtype_names(frame):
    if isinstance(frame, pa.Table):
        return [str(t) for t in frame.schema.types]
    return [str(t) for t in frame.dtypes]


def _names(frame):
    return list(frame.column_names if isinstance(frame, pa.Table) else frame.columns)


def _as_float(frame):
    """Column values as a float64 array (every dtype of the matrix holds numbers)."""
    native = nw.from_native(frame, eager_only=True)
    return np.column_stack(
        [np.asarray(native.get_column(c).to_numpy(), dtype=np.float64) for c in native.columns]
    )


def _expected_dtypes(case, sampler):
    _, _, over_dtype, in_dtypes = CASES[case]
    over = SAMPLERS[sampler][1]
    if not over:
        return in_dtypes
    out = [in_dtypes[j] if over_dtype is None else over_dtype for j in range(3)]
    if case == "pyarrow Table":  # its float column keeps its dtype
        out[0] = "double"
    if sampler == "SMOTENC":  # the categorical column keeps its dtype
        out[2] = in_dtypes[2]
    return out


_REFERENCES = {}


def _reference(sampler, X):
    """The NumPy path's output (computed once per sampler and input)."""
    key = (sampler, X.dtype.str, X.tobytes())
    if key not in _REFERENCES:
        _REFERENCES[key] = SAMPLERS[sampler][0]().fit_resample(X, Y)
    return _REFERENCES[key]


@pytest.mark.parametrize("sampler", list(SAMPLERS))
@pytest.mark.parametrize("case", list(CASES))
def test_frame_round_trip_matches_numpy_path(values, case, sampler):
    build, reference_dtype, _, _ = CASES[case]
    X = build(values)
    before = _as_float(X)
    X_ref, y_ref = _reference(sampler, before.astype(reference_dtype))
    X_res, y_res = SAMPLERS[sampler][0]().fit_resample(X, Y)

    assert type(X_res) is type(X)
    assert _names(X_res) == COLUMNS
    assert _dtype_names(X_res) == _expected_dtypes(case, sampler)
    np.testing.assert_array_equal(y_res, y_ref)
    got = _as_float(X_res)
    # bitwise: each column equals the NumPy path's, in the column's own float dtype
    for j, name in enumerate(_dtype_names(X_res)):
        if name in ("float32", "Float32", "float"):
            np.testing.assert_array_equal(got[:, j], X_ref[:, j].astype(np.float32))
        else:
            np.testing.assert_array_equal(got[:, j], X_ref[:, j])
    np.testing.assert_array_equal(_as_float(X), before)  # the input is not modified


@pytest.mark.parametrize(
    "make_y",
    [
        lambda y: pl.Series("target", y),
        lambda y: pl.Series("target", np.where(y == 1, "fraud", "ok")),
        lambda y: pa.chunked_array([y[:10], y[10:]]),
        lambda y: (
            pa.chunked_array([pa.array(np.where(y == 1, "fraud", "ok"))])
            .dictionary_encode()
            .cast(pa.dictionary(pa.int8(), pa.string()))
        ),
        lambda y: pl.Series("t", np.where(y == 1, "fraud", "ok"), dtype=pl.Enum(["ok", "fraud"])),
        lambda y: pd.Series(y, name="target", dtype="Int64"),
        lambda y: pd.Series(y, name="target", dtype="int64[pyarrow]"),
        lambda y: pd.Series(np.where(y == 1, "fraud", "ok"), name="t", dtype="string[pyarrow]"),
    ],
    ids=[
        "polars",
        "polars-str",
        "pyarrow",
        "pyarrow-dictionary",
        "polars-enum",
        "pandas-Int64",
        "pandas-pyarrow",
        "pandas-str",
    ],
)
def test_target_comes_back_as_the_same_kind(values, make_y):
    X = values["float"]
    y = make_y(Y)
    labels = np.asarray(nw.from_native(y, series_only=True).to_numpy())
    for name, (make, _) in SAMPLERS.items():
        _, y_ref = make().fit_resample(X, labels)
        _, y_res = make().fit_resample(X, y)
        assert type(y_res) is type(y), name
        if isinstance(y, pa.ChunkedArray):
            assert y_res.type == y.type
        else:
            assert (y_res.name, y_res.dtype) == (y.name, y.dtype), name
        np.testing.assert_array_equal(np.asarray(y_res.to_numpy()), y_ref)


def test_row_origins_take_keeps_a_polars_or_pyarrow_series_kind(values):
    X = values["float"]
    weights = np.linspace(1.0, 2.0, N_ROWS)
    origins = fs.SMOTE(k_neighbors=3, random_state=0)
    origins.fit_resample(X, Y)
    expected = origins.row_origins(X, Y).take(weights)
    for series in (
        pl.Series("w", weights),
        pl.Series("w", weights, dtype=pl.Float32),
        pa.chunked_array([weights]),
        pd.Series(weights, name="w", dtype="Float64"),
    ):
        taken = origins.row_origins(X, Y).take(series)
        assert type(taken) is type(series)
        kind = nw.from_native(series, series_only=True)
        result = nw.from_native(taken, series_only=True)
        assert (result.name, result.dtype) == (kind.name, kind.dtype)
        np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-6)
    frame = pl.DataFrame({"w": weights, "group": np.arange(N_ROWS)})
    taken = origins.row_origins(X, Y).take(frame)
    assert isinstance(taken, pl.DataFrame) and taken.schema == frame.schema
    np.testing.assert_array_equal(taken["w"].to_numpy(), expected)


def test_row_selectors_return_object_input_as_object(values):
    as_object = values["float"].astype(object)
    frame = pd.DataFrame(as_object, columns=COLUMNS)
    for make in (fs.TomekLinks, fs.EditedNearestNeighbours):
        X_res, _ = make().fit_resample(as_object, Y)
        assert X_res.dtype == object
        frame_res, _ = make().fit_resample(frame, Y)
        assert list(frame_res.dtypes) == [np.dtype(object)] * 3
        np.testing.assert_array_equal(frame_res.to_numpy(), X_res)


NUMERIC_SAMPLERS = [
    name
    for name in SAMPLERS
    if name not in ("RandomOverSampler", "RandomUnderSampler", "SMOTEN")  # any column type
]


@pytest.mark.parametrize(
    "make_frame",
    [
        lambda v: pd.DataFrame(v, columns=COLUMNS).astype("Float64"),
        lambda v: pd.DataFrame(v, columns=COLUMNS).astype("double[pyarrow]"),
        lambda v: pd.DataFrame(v, columns=COLUMNS).astype(object),
        lambda v: pl.DataFrame(v, schema=COLUMNS),
        lambda v: pa.table(pd.DataFrame(v, columns=COLUMNS)),
    ],
    ids=["Float64", "pyarrow", "object", "polars", "pyarrow-table"],
)
def test_missing_value_is_refused_with_column_and_row(values, make_frame):
    X = make_frame(values["float"])
    if isinstance(X, pd.DataFrame):
        X.iloc[7, 1] = None
        X.iloc[9, 0] = None
    elif isinstance(X, pl.DataFrame):
        X = (
            X.with_row_index()
            .with_columns(
                pl.when(pl.col("index") == 7).then(None).otherwise(pl.col("b")).alias("b")
            )
            .drop("index")
        )
    else:
        b = X.column("b").to_pylist()
        b[7] = None
        X = X.set_column(1, "b", pa.array(b, pa.float64()))
    for name in NUMERIC_SAMPLERS:
        with pytest.raises(ValueError, match=r"missing value .* column 'b' \(first at row 7\)"):
            SAMPLERS[name][0]().fit_resample(X, Y)
    # row selectors copy rows: the missing value is kept
    sampler = fs.RandomOverSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, Y)
    assert type(X_res) is type(X)
    copies = int(np.sum(sampler.sample_indices_ == 7))
    assert nw.from_native(X_res, eager_only=True).get_column("b").null_count() == copies >= 1


def test_nan_and_infinity_name_the_column(values):
    frame = pd.DataFrame(values["float"], columns=COLUMNS)
    frame.iloc[4, 2] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN \(first at row 4, column 'c'\)"):
        fs.SMOTE().fit_resample(frame, Y)
    X = values["float"].copy()
    X[6, 0] = np.inf
    with pytest.raises(ValueError, match=r"X contains infinity \(first at row 6, column 'a'\)"):
        fs.TomekLinks().fit_resample(pl.DataFrame(X, schema=COLUMNS), Y)


def test_object_array_with_none_or_na_is_a_missing_value(values):
    X = values["float"].astype(object)
    X[5, 2] = pd.NA
    with pytest.raises(
        ValueError, match=r"missing value \(None or NA\) \(first at row 5, column 2"
    ):
        fs.SMOTE().fit_resample(X, Y)
    X[5, 2] = None  # NumPy reads None as NaN
    with pytest.raises(ValueError, match=r"X contains NaN \(first at row 5\)"):
        fs.SMOTE().fit_resample(X, Y)


@pytest.mark.parametrize(
    "column, kind",
    [
        (lambda n: pd.Series(["x", "y"] * (n // 2), dtype="str"), "pandas"),
        (lambda n: pd.Series(["x", "y"] * (n // 2), dtype=object), "pandas"),
        (lambda n: pd.Series(pd.Categorical([1, 2] * (n // 2))), "pandas"),
        (lambda n: pd.Series(pd.date_range("2026-01-01", periods=n)), "pandas"),
        (lambda n: ["x", "y"] * (n // 2), "polars"),
        (lambda n: ["x", "y"] * (n // 2), "pyarrow"),
    ],
    ids=["str", "object-str", "category", "datetime", "polars-str", "pyarrow-str"],
)
def test_non_numeric_column_is_refused_by_name(values, column, kind):
    data = {"a": values["float"][:, 0], "city": column(N_ROWS)}
    X = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "pyarrow": pa.table}[kind](data)
    for name in NUMERIC_SAMPLERS:
        if name == "SMOTENC":
            continue  # its categorical column may be text
        with pytest.raises(ValueError, match=r"non-numeric columns \['city'\]"):
            SAMPLERS[name][0]().fit_resample(X, Y)


def test_missing_label_is_refused_with_its_row(values):
    for y in (
        pd.Series(Y, dtype="Int64").where(np.arange(N_ROWS) != 3),
        pl.Series("t", Y).scatter(3, None),
        pa.chunked_array([pa.array(np.where(np.arange(N_ROWS) == 3, None, Y).tolist())]),
    ):
        with pytest.raises(ValueError, match=r"y contains a missing label \(first at row 3\)"):
            fs.SMOTE().fit_resample(values["float"], y)


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
@pytest.mark.parametrize("kind", ["object array", "list", "float array", "column"])
def test_missing_label_in_an_array_is_refused_with_its_row(values, missing, kind):
    labels = np.array(Y, dtype=object)
    labels[3] = missing
    y = {
        "object array": labels,
        "list": labels.tolist(),
        "float array": np.where(np.arange(N_ROWS) == 3, np.nan, Y),
        "column": labels.reshape(-1, 1),
    }[kind]
    for sampler in (fs.SMOTE(), fs.RandomUnderSampler(), fs.TomekLinks()):
        with pytest.raises(ValueError, match=r"y contains a missing label \(first at row 3\)"):
            sampler.fit_resample(values["float"], y)


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records the type of X it is fitted on."""

    def fit(self, X, y):
        self.seen_ = type(X)
        self.classes_ = np.unique(np.asarray(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_transform_output_reaches_samplers_as_frames(values):
    X = values["float"]
    # samplers have no set_output (as imbalanced-learn's): the output follows the input
    assert not hasattr(fs.SMOTE(), "set_output")
    with sklearn.config_context(transform_output="polars"):
        X_res, _ = fs.SMOTE(k_neighbors=3).fit_resample(X, Y)
        assert isinstance(X_res, np.ndarray)
        frame_res, _ = fs.SMOTE(k_neighbors=3).fit_resample(pl.DataFrame(X), Y)
        assert isinstance(frame_res, pl.DataFrame)
    for transform, kind in (("polars", pl.DataFrame), ("pandas", pd.DataFrame)):
        model = make_pipeline(StandardScaler(), fs.SMOTE(k_neighbors=3), _Recorder())
        model.set_output(transform=transform).fit(X, Y)
        assert model[-1].seen_ is kind
