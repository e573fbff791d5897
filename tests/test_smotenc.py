"""SMOTENC: mixed continuous/categorical data without one-hot matrices."""

import warnings

import numpy as np
import pandas as pd
import pytest
from naive import below, draw, mixed_knn, smote_draws, stream_key
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder

from fastsmote import SMOTENC
from fastsmote._kernels.knn import knn_mixed


def imb_smotenc(**params):
    """imbalanced-learn's SMOTENC (the tests comparing with it skip without it)."""
    return pytest.importorskip("imblearn.over_sampling").SMOTENC(**params)


@pytest.fixture
def mixed():
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame(
        {
            "a": rng.standard_normal(n),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "b": rng.standard_normal(n).astype(np.float32),
            "size": rng.choice([1, 2, 3, 4], n),
        }
    )
    y = (rng.random(n) < 0.2).astype(int)
    return frame, y


def test_neighbours_equal_one_hot_distance_of_imblearn(mixed):
    frame, y = mixed
    X = frame[["a", "b"]].to_numpy(np.float64)
    rows = np.flatnonzero(y == 1)
    onehot = pd.get_dummies(frame[["colour", "size"]].astype(str)).to_numpy(float)
    median_std = np.median(X[rows].std(axis=0))
    encoded = np.hstack([X[rows], onehot[rows] * median_std / np.sqrt(2)])
    ref = NearestNeighbors(n_neighbors=6).fit(encoded).kneighbors(encoded)[1][:, 1:]
    codes = np.column_stack(
        [frame["colour"].cat.codes.to_numpy(), frame["size"].to_numpy()]
    ).astype(np.int32)[rows]
    _, ours = knn_mixed(X[rows], codes, median_std**2, 5, 64, 16)
    assert (ours == ref).all(axis=1).mean() > 0.98  # float rounding may swap near-ties


def test_rows_match_reference_and_categories_come_from_neighbours(mixed):
    frame, y = mixed
    sampler = SMOTENC(categorical_features=["colour", "size"], random_state=3, k_neighbors=4)
    X_res, y_res = sampler.fit_resample(frame, y)
    rows = np.flatnonzero(y == 1)
    X = frame[["a", "b"]].to_numpy(np.float64)[rows]
    codes = np.column_stack(
        [frame["colour"].cat.codes.to_numpy(), np.unique(frame["size"], return_inverse=True)[1]]
    ).astype(np.int32)[rows]
    weight = sampler.median_std_[1] ** 2
    nn = mixed_knn(X, codes, weight, 4)[1]
    class_key = stream_key(sampler.random_key_, 1)
    tie_key = stream_key(class_key, 2)
    n_new = len(y) - 2 * rows.size
    synthetic = X_res.iloc[len(frame) :]
    sizes = np.unique(frame["size"])
    for t in range(n_new):
        base, slot, gap = smote_draws(class_key, t, rows.size, 4)
        expected_a = X[base, 0] + gap * (X[nn[base, slot], 0] - X[base, 0])
        assert synthetic["a"].iloc[t] == expected_a
        for f, column in enumerate(["colour", "size"]):
            values, counts = np.unique(codes[nn[base], f], return_counts=True)
            tied = values[counts == counts.max()]
            pick = tied[below(draw(tie_key, t * 2 + f), tied.size)]
            got = synthetic[column].iloc[t]
            expected = frame["colour"].cat.categories[pick] if f == 0 else sizes[pick]
            assert got == expected
            neighbour_values = set(frame[column].iloc[rows[nn[base]]])
            assert got in neighbour_values


def test_types_counts_and_column_specs(mixed):
    frame, y = mixed
    sampler = SMOTENC(categorical_features=[1, 3], random_state=0)
    X_res, y_res = sampler.fit_resample(frame, y)
    assert (X_res.dtypes == frame.dtypes).all()  # categorical int column stays int
    assert list(X_res["colour"].cat.categories) == list(frame["colour"].cat.categories)
    theirs = imb_smotenc(categorical_features=[1, 3], random_state=0).fit_resample(frame, y)[1]
    assert np.bincount(y_res).tolist() == np.bincount(theirs).tolist()
    for spec in ([False, True, False, True], ["colour", "size"], [-3, -1]):
        other = SMOTENC(categorical_features=spec, random_state=0).fit_resample(frame, y)[0]
        pd.testing.assert_frame_equal(other, X_res)
    auto = SMOTENC(categorical_features="auto", random_state=0)
    X_auto = auto.fit_resample(frame, y)[0]
    np.testing.assert_array_equal(auto.categorical_features_, [1])  # the 'category' column
    assert X_auto["size"].dtype == np.float64  # continuous now: interpolated


def test_numpy_object_input():
    rng = np.random.default_rng(2)
    X = np.empty((120, 3), dtype=object)
    X[:, 0] = rng.standard_normal(120)
    X[:, 1] = rng.choice(["u", "v"], 120)
    X[:, 2] = rng.standard_normal(120)
    y = np.repeat([0, 1], [90, 30])
    X_res, y_res = SMOTENC(categorical_features=[1], random_state=0).fit_resample(X, y)
    assert X_res.dtype == object and X_res.shape == (180, 3)
    assert set(X_res[:, 1]) <= {"u", "v"}
    np.testing.assert_array_equal(X_res[:120], X)


@pytest.mark.parametrize(
    "spec, message",
    [
        ([0, 1, 2, 3], "only with categorical features"),
        ([5], "out of range"),
        (["nope"], "not columns of X"),
        ([True, False], "boolean mask needs 4 entries"),
        ([], "not designed to work only with numerical features"),
        ("colour", "'categorical_features' parameter"),
    ],
)
def test_bad_categorical_specs(mixed, spec, message):
    frame, y = mixed
    with pytest.raises(ValueError, match=message):
        SMOTENC(categorical_features=spec).fit_resample(frame, y)


def test_missing_category_is_refused(mixed):
    frame, y = mixed
    frame = frame.copy()
    frame.loc[3, "colour"] = np.nan
    with pytest.raises(ValueError, match=r"'colour' has missing .* \(first at row 3\)"):
        SMOTENC(categorical_features=["colour"]).fit_resample(frame, y)
    with pytest.raises(ValueError, match="'colour' has missing"):
        SMOTENC(categorical_features=["colour"]).fit(frame, y)


@pytest.mark.parametrize("dtype", ["string", object])
def test_pandas_na_category_is_refused(mixed, dtype):
    frame, y = mixed
    frame = frame.assign(colour=pd.array(frame["colour"].astype(str), dtype=dtype))
    frame.loc[3, "colour"] = pd.NA
    with pytest.raises(ValueError, match="'colour' has missing"):
        SMOTENC(categorical_features=["colour"]).fit_resample(frame, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_missing_or_infinite_numeric_category_is_refused(bad):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 3, 40).astype(float), rng.normal(size=(40, 2))])
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    X[4, 0] = bad
    with pytest.raises(ValueError, match=r"column 0 has missing .* \(first at row 4\)"):
        SMOTENC(categorical_features=[0]).fit(X, y)
    for data in (X, sparse.csr_matrix(X), sparse.csc_array(X)):
        with pytest.raises(ValueError, match=r"column 0 has missing .* \(first at row 4\)"):
            SMOTENC(categorical_features=[0]).fit_resample(data, y)


def test_out_is_refused_saying_why(mixed):
    frame, y = mixed
    out = np.empty((500, 4))
    with pytest.raises(ValueError, match="SMOTENC returns X in its own container"):
        SMOTENC(categorical_features=["colour"]).fit_resample(frame, y, out=out)


def test_float32_array_stays_float32():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 3, 40), rng.normal(size=(40, 2))]).astype(np.float32)
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    X_res, _ = SMOTENC(categorical_features=[0], random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.float32
    assert set(np.unique(X_res[:, 0])) <= {0.0, 1.0, 2.0}


def test_small_class_is_named(mixed):
    frame, y = mixed
    with pytest.raises(ValueError, match="Class 1 has 3 row.*k_neighbors=5.*k_neighbors <= 2"):
        y_small = np.zeros_like(y)
        y_small[:3] = 1
        SMOTENC(categorical_features=["colour"]).fit_resample(frame, y_small)


@pytest.mark.parametrize("as_array", [False, True], ids=["DataFrame", "object array"])
def test_fitted_encoder_and_n_features_are_imblearns(mixed, as_array):
    frame, y = mixed
    X = frame.to_numpy(dtype=object) if as_array else frame
    ours = SMOTENC(categorical_features=[1, 3], random_state=0)
    ours.fit_resample(X, y)
    theirs = imb_smotenc(categorical_features=[1, 3], random_state=0)
    theirs.fit_resample(X, y)
    assert ours.categorical_encoder_.get_params() == theirs.categorical_encoder_.get_params()
    for mine, its in zip(
        ours.categorical_encoder_.categories_, theirs.categorical_encoder_.categories_, strict=True
    ):
        np.testing.assert_array_equal(mine, its)
        assert mine.dtype == its.dtype
    assert ours.n_features_ == theirs.n_features_ == 4
    encoder = OneHotEncoder(handle_unknown="ignore")
    ours.set_params(categorical_encoder=encoder).fit_resample(X, y)
    assert ours.categorical_encoder_ is not encoder and not hasattr(encoder, "categories_")


def test_categorical_encoder_categories_number_the_categories(mixed):
    """The fitted encoder's categories_ give each category its code: a tie between
    equally frequent categories is drawn among them in that order."""
    frame, y = mixed
    order = [["red", "blue", "green"], [1, 2, 3, 4]]
    params = dict(categorical_features=["colour", "size"], random_state=3, k_neighbors=4)
    sampler = SMOTENC(categorical_encoder=OneHotEncoder(categories=order), **params)
    X_res, _ = sampler.fit_resample(frame, y)
    default, _ = SMOTENC(**params).fit_resample(frame, y)
    rows = np.flatnonzero(y == 1)
    X = frame[["a", "b"]].to_numpy(np.float64)[rows]
    codes = np.column_stack(
        [[order[f].index(v) for v in frame[c]] for f, c in enumerate(["colour", "size"])]
    ).astype(np.int32)[rows]
    nn = mixed_knn(X, codes, sampler.median_std_[1] ** 2, 4)[1]
    tie_key = stream_key(stream_key(sampler.random_key_, 1), 2)
    synthetic = X_res.iloc[len(frame) :]
    for t in range(len(synthetic)):
        base, _, _ = smote_draws(stream_key(sampler.random_key_, 1), t, rows.size, 4)
        for f, column in enumerate(["colour", "size"]):
            values, counts = np.unique(codes[nn[base], f], return_counts=True)
            tied = values[counts == counts.max()]
            pick = tied[below(draw(tie_key, t * 2 + f), tied.size)]
            assert synthetic[column].iloc[t] == order[f][pick]
    assert (X_res["colour"] != default["colour"]).any()  # the order made a difference
    pd.testing.assert_frame_equal(X_res[["a", "b"]], default[["a", "b"]])


class _ReversedOneHot(OneHotEncoder):
    """One column per category, but not in the order of categories_."""

    def transform(self, X):
        return super().transform(X)[:, ::-1]


@pytest.mark.parametrize(
    "encoder, message",
    [
        (OneHotEncoder(drop="first"), "produced 5 columns for 7 categories"),
        (OneHotEncoder(max_categories=2), "merges infrequent categories"),
        (OrdinalEncoder(), "one column per category"),
        (_ReversedOneHot(), "in the order of the encoder's categories_"),
        (
            OneHotEncoder(categories=[["red", "green"], [1, 2, 3, 4]], handle_unknown="ignore"),
            "'colour' holds 'blue', which is not among the categories",
        ),
        (FunctionTransformer(), "categories_"),
    ],
    ids=["drop", "infrequent", "ordinal", "reordered", "unknown", "no categories_"],
)
def test_encoders_whose_encoding_smotenc_cannot_follow_raise(mixed, encoder, message):
    frame, y = mixed
    sampler = SMOTENC(categorical_features=[1, 3], categorical_encoder=encoder)
    with pytest.raises(ValueError, match=message):
        sampler.fit_resample(frame, y)


def test_k_neighbors_estimator_searches_imblearns_one_hot_matrix(mixed):
    """An estimator sees imbalanced-learn's matrix (continuous columns, then one-hot
    columns scaled by median_std / sqrt(2), sparse) and finds the int's neighbours."""
    frame, y = mixed
    by_int = SMOTENC(categorical_features=[1, 3], k_neighbors=4, random_state=2)
    X_int = by_int.fit_resample(frame, y)[0]
    estimator = NearestNeighbors(n_neighbors=5)
    by_estimator = SMOTENC(categorical_features=[1, 3], k_neighbors=estimator, random_state=2)
    X_estimator = by_estimator.fit_resample(frame, y)[0]
    pd.testing.assert_frame_equal(X_estimator, X_int)
    assert by_estimator.neighbors_backend_ == {1: "estimator"}
    theirs = imb_smotenc(categorical_features=[1, 3], k_neighbors=4, random_state=2)
    theirs.fit_resample(frame, y)
    for fitted in (by_int.nn_k_, by_estimator.nn_k_):
        assert fitted is not estimator
        assert fitted.get_params() == theirs.nn_k_.get_params()
        assert sparse.issparse(fitted._fit_X) and sparse.issparse(theirs.nn_k_._fit_X)
        np.testing.assert_allclose(
            fitted._fit_X.toarray(), theirs.nn_k_._fit_X.toarray(), rtol=1e-12
        )


# ------------------------------------------------------------------------ sparse X
def sparse_mixed(seed=0, n=240):
    """Continuous columns half zeros, categorical columns 1 and 4 of small integers
    (0 stored as an absent entry), as a one-hot-and-numbers sparse X holds them."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 6))
    X[rng.random(X.shape) < 0.5] = 0
    X[:, [1, 4]] = rng.integers(0, 3, size=(n, 2))
    y = (rng.random(n) < 0.25).astype(int)
    return X, y


@pytest.mark.parametrize("make", [sparse.csr_matrix, sparse.csc_array])
def test_sparse_X_gives_the_dense_rows_as_csr_as_imblearn(make):
    """The dense path's rows and median_std_, bit for bit, returned as CSR (a sparse
    array for a sparse array), the counts and format imbalanced-learn gives."""
    X, y = sparse_mixed()
    dense = SMOTENC(categorical_features=[1, 4], random_state=0)
    X_dense, y_dense = dense.fit_resample(X, y)
    ours = SMOTENC(categorical_features=[1, 4], random_state=0)
    X_ours, y_ours = ours.fit_resample(make(X), y)
    kind = sparse.csr_array if isinstance(make(X), sparse.sparray) else sparse.csr_matrix
    assert type(X_ours) is kind
    np.testing.assert_array_equal(X_ours.toarray(), X_dense)
    np.testing.assert_array_equal(y_ours, y_dense)
    assert ours.median_std_ == dense.median_std_
    theirs = imb_smotenc(categorical_features=[1, 4], random_state=0)
    X_theirs, y_theirs = theirs.fit_resample(make(X), y)
    assert type(X_theirs) is kind and X_theirs.shape == X_ours.shape
    np.testing.assert_array_equal(np.bincount(y_theirs), np.bincount(y_ours))
    assert ours.median_std_[1] == pytest.approx(theirs.median_std_[1], rel=1e-12)
    # the synthetic rows: categories among the base's neighbours, continuous values on
    # the segment to one of them
    origins = ours.row_origins(make(X), y)
    synthetic = np.arange(len(y), len(y_ours))
    base, partner = origins.source[synthetic], origins.partner[synthetic]
    rows = X_ours.toarray()[synthetic]
    assert set(np.unique(rows[:, [1, 4]])) <= {0.0, 1.0, 2.0}
    gap = origins.gap[synthetic][:, None]
    continuous = [0, 2, 3, 5]
    expected = X[base][:, continuous] + gap * (X[partner][:, continuous] - X[base][:, continuous])
    np.testing.assert_allclose(rows[:, continuous], expected, rtol=1e-12, atol=1e-15)


def test_sparse_X_with_a_k_neighbors_estimator_gives_the_dense_rows():
    """The estimator is fitted on the one-hot matrix built from the CSR rows: the rows
    of dense X with the same estimator (ties among its neighbours broken its way)."""
    X, y = sparse_mixed(1)

    def resample(data):
        estimator = NearestNeighbors(n_neighbors=5)
        sampler = SMOTENC(categorical_features=[1, 4], k_neighbors=estimator, random_state=3)
        return sampler, sampler.fit_resample(data, y)[0]

    dense, X_dense = resample(X)
    ours, X_ours = resample(sparse.csr_matrix(X))
    np.testing.assert_array_equal(X_ours.toarray(), X_dense)
    assert ours.neighbors_backend_ == {1: "estimator"}
    assert ours.median_std_ == dense.median_std_


def test_sparse_integer_X_gives_float64_rows_and_its_input_unchanged():
    X, y = sparse_mixed(2)
    X = np.round(X * 3).astype(np.int64)
    M = sparse.csr_matrix(X)
    before = [M.data.copy(), M.indices.copy(), M.indptr.copy()]
    X_out, _ = SMOTENC(categorical_features=[1, 4], random_state=0).fit_resample(M, y)
    assert X_out.dtype == np.float64
    np.testing.assert_array_equal(X_out[: len(y)].toarray(), X)
    for was, now in zip(before, (M.data, M.indices, M.indptr), strict=True):
        np.testing.assert_array_equal(was, now)
    with pytest.raises(ValueError, match="NaN"):
        bad = sparse.csr_matrix(np.where(X == 0, 0, X).astype(float))
        bad.data[3] = np.nan
        SMOTENC(categorical_features=[1, 4]).fit_resample(bad, y)


@pytest.mark.parametrize("as_sparse", [False, True])
def test_a_category_the_float_output_cannot_hold_is_refused(as_sparse):
    """An int64 category beyond 2**53 would be rounded in a float64 output: refused
    (an object array or a DataFrame keeps it)."""
    X, y = sparse_mixed(3)
    X = np.round(X * 3).astype(np.int64)
    huge = X.copy()
    huge[y == 0, 4] = np.iinfo(np.int64).max  # beyond float64's integers: no cast warning
    X[y == 1, 1] = 2**53 + 1
    container = sparse.csr_matrix if as_sparse else np.asarray
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for data, value in ((X, "9007199254740993"), (huge, "9223372036854775807")):
            message = rf"column \d holds np.int64\({value}\), which the output's float64 columns"
            with pytest.raises(ValueError, match=message):
                SMOTENC(categorical_features=[4, 1], random_state=0).fit_resample(
                    container(data), y
                )
    X_object, _ = SMOTENC(categorical_features=[1, 4], random_state=0).fit_resample(
        X.astype(object), y
    )
    assert 2**53 + 1 in set(X_object[:, 1].tolist())


def test_median_std_of_a_column_of_huge_values_is_finite_without_a_warning():
    """A constant continuous column near float64's largest values: its standard
    deviation (NumPy's rounding of the mean, ~1e290) is taken on rows scaled by a power
    of two; its squares overflowed to infinity, and with them the weight of every
    category difference."""
    X, y = sparse_mixed(4)
    X[:, 0] = 1e306
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler = SMOTENC(categorical_features=[1, 4], random_state=0)
        X_res, _ = sampler.fit_resample(X, y)
    minority = X[y == 1]
    huge = np.ldexp(np.ldexp(minority[:, 0], -1000).std(), 1000)
    expected = np.median([huge, *minority[:, [2, 3, 5]].std(axis=0)])
    assert np.isfinite(huge) and sampler.median_std_[1] == expected
    assert np.isfinite(X_res).all()


def test_categorical_features_keep_the_order_given(mixed):
    """categorical_features_ and the encoder follow the order given (repeats dropped),
    as imbalanced-learn's, so an encoder's categories listed in that order fit; the
    synthetic rows do not depend on the order (dense, DataFrame and sparse X)."""
    frame, y = mixed
    ours = SMOTENC(categorical_features=[3, 1, 3], random_state=0)
    X_ours, _ = ours.fit_resample(frame, y)
    np.testing.assert_array_equal(ours.categorical_features_, [3, 1])
    np.testing.assert_array_equal(ours.continuous_features_, [0, 2])
    theirs = imb_smotenc(categorical_features=[3, 1], random_state=0)
    theirs.fit_resample(frame, y)
    np.testing.assert_array_equal(ours.categorical_features_, theirs.categorical_features_)
    for mine, its in zip(
        ours.categorical_encoder_.categories_, theirs.categorical_encoder_.categories_, strict=True
    ):
        np.testing.assert_array_equal(mine, its)
    sorted_order = SMOTENC(categorical_features=[1, 3], random_state=0)
    pd.testing.assert_frame_equal(X_ours, sorted_order.fit_resample(frame, y)[0])
    encoder = OneHotEncoder(categories=[[1, 2, 3, 4, 5], ["blue", "green", "red"]])
    given = SMOTENC(categorical_features=["size", "colour"], categorical_encoder=encoder,
                    random_state=0)  # fmt: skip
    pd.testing.assert_frame_equal(given.fit_resample(frame, y)[0], X_ours)
    X, y = sparse_mixed()
    for container in (np.asarray, sparse.csr_matrix):
        results = [
            SMOTENC(categorical_features=spec, random_state=3).fit_resample(container(X), y)[0]
            for spec in ([4, 1], [1, 4])
        ]
        dense = [r.toarray() if sparse.issparse(r) else r for r in results]
        np.testing.assert_array_equal(dense[0], dense[1])


@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float16, np.float32), (np.float32, np.float32), (np.longdouble, np.float64),
     (np.int16, np.float64), (bool, np.float64)],
)  # fmt: skip
def test_numeric_arrays_come_back_in_the_over_samplers_float_dtype(dtype, expected):
    """As SMOTE's: the dtype the continuous columns are computed in, dense or sparse."""
    from fastsmote import SMOTE

    X, y = sparse_mixed(2)
    X = np.round(X * 2).astype(dtype)
    X_res, _ = SMOTENC(categorical_features=[1, 4], random_state=0).fit_resample(X, y)
    assert X_res.dtype == expected == SMOTE(random_state=0).fit_resample(X, y)[0].dtype
    if dtype is not np.float16:  # SciPy has no float16 matrices
        X_sparse, _ = SMOTENC(categorical_features=[1, 4], random_state=0).fit_resample(
            sparse.csr_matrix(X), y
        )
        assert X_sparse.dtype == expected
        np.testing.assert_array_equal(X_sparse.toarray(), X_res)
