"""FunctionSampler and make_imbalance, against imbalanced-learn where it is deterministic."""

from collections import Counter

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from imblearn import FunctionSampler as ImblearnFunctionSampler
from imblearn.datasets import make_imbalance as imblearn_make_imbalance
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from fastsmote import FunctionSampler, RandomUnderSampler, make_imbalance
from fastsmote.model_selection import resampled_splits
from fastsmote.pipeline import Pipeline


def _data(n=30):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = np.repeat([0, 1, 2], n // 3)
    return X, y


def _first(X, y, n):
    return X[:n], y[:n]


# ----------------------------------------------------------------------- FunctionSampler
def test_identity_matches_imblearn():
    X, y = _data()
    sampler = FunctionSampler()
    X_res, y_res = sampler.fit_resample(X, y)
    X_ref, y_ref = ImblearnFunctionSampler().fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)
    assert sampler.sampling_strategy_ == ImblearnFunctionSampler().fit(X, y).sampling_strategy_
    record = sampler.record()
    assert record.counts_before() == record.counts_after() == {0: 10, 1: 10, 2: 10}
    assert (record.n_synthetic, record.n_removed) == (0, 0)


def test_kw_args_reach_func_and_record_has_net_counts():
    X, y = _data()
    sampler = FunctionSampler(func=_first, kw_args={"n": 12})
    X_res, y_res = sampler.fit_resample(X, y)
    X_ref, y_ref = ImblearnFunctionSampler(func=_first, kw_args={"n": 12}).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)
    record = sampler.record()
    assert record.counts_after() == {0: 10, 1: 2, 2: 0}
    assert (record.n_synthetic, record.n_removed) == (0, 18)


def test_validate_false_passes_objects_untouched():
    seen = {}

    def func(X, y):
        seen["X"], seen["y"] = X, y
        return X, y

    X, y = [["a", None], ["b", 1.5]], ("u", "v")  # neither numeric nor class labels
    X_res, y_res = FunctionSampler(func=func, validate=False).fit_resample(X, y)
    assert seen["X"] is X and seen["y"] is y and X_res is X and y_res is y
    with pytest.raises(ValueError):
        FunctionSampler(func=func).fit_resample(X, y)


def test_dataframe_in_dataframe_out():
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    target = pd.Series(y, name="label")
    sampler = FunctionSampler(func=_first, kw_args={"n": 5})
    X_res, y_res = sampler.fit_resample(frame, target)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["a", "b", "c"]
    assert isinstance(y_res, pd.Series) and y_res.name == "label"
    np.testing.assert_array_equal(X_res.to_numpy(), X[:5])
    assert list(sampler.feature_names_in_) == ["a", "b", "c"]
    X_ref, _ = ImblearnFunctionSampler(func=_first, kw_args={"n": 5}).fit_resample(frame, target)
    pd.testing.assert_frame_equal(X_res, X_ref)


def test_selected_integer_and_boolean_columns_keep_their_dtype():
    """A func that selects rows gives integer and boolean columns back in their dtypes,
    as imbalanced-learn does; where the values do not fit the dtype exactly (fractions)
    the column stays float instead of being truncated as imbalanced-learn's is. int64
    values beyond 2**53 that func would see rounded (float64) are refused by name."""
    n = 12
    y = np.repeat([0, 1], n // 2)
    frame = pd.DataFrame(
        {
            "visits": np.arange(n, dtype=np.int64),
            "small": np.arange(n, dtype=np.uint8),
            "age": pd.array(np.arange(20, 20 + n), dtype="Int64"),
            "flag": np.arange(n) % 2 == 0,
            "amount": np.linspace(0, 1, n),
        }
    )
    selected = FunctionSampler(func=_first, kw_args={"n": 7}).fit_resample(frame, y)[0]
    assert dict(selected.dtypes) == dict(frame.dtypes)
    reference = ImblearnFunctionSampler(func=_first, kw_args={"n": 7}).fit_resample(frame, y)[0]
    pd.testing.assert_frame_equal(selected, reference)
    with_id = frame.assign(id=np.full(n, 2**60 + 1, dtype=np.int64))
    with pytest.raises(ValueError, match="column 'id' holds 1152921504606846977"):
        FunctionSampler(func=_first, kw_args={"n": 7}).fit_resample(with_id, y)

    def halves(X, y):
        return X + 0.5, y

    shifted = FunctionSampler(func=halves).fit_resample(frame, y)[0]
    assert (shifted.dtypes.iloc[:4] == ["float64", "float64", "Float64", "float64"]).all()
    np.testing.assert_array_equal(shifted["visits"], np.arange(n) + 0.5)
    polars_frame = pl.from_pandas(frame)
    out = FunctionSampler(func=_first, kw_args={"n": 7}).fit_resample(polars_frame, y)[0]
    assert dict(out.schema) == dict(polars_frame.schema)
    arrow_table = pa.Table.from_pandas(frame, preserve_index=False)
    out = FunctionSampler(func=_first, kw_args={"n": 7}).fit_resample(arrow_table, y)[0]
    assert [f.type for f in out.schema] == [f.type for f in arrow_table.schema]
    for wide in (pl.from_pandas(with_id), pa.Table.from_pandas(with_id, preserve_index=False)):
        with pytest.raises(ValueError, match="column 'id' holds 1152921504606846977"):
            FunctionSampler(func=_first, kw_args={"n": 7}).fit_resample(wide, y)


def test_inputs_validated_as_imblearn():
    X, y = _data()
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN|nan|infinity"):
        FunctionSampler().fit_resample(X_nan, y)
    with pytest.raises(ValueError):
        FunctionSampler().fit_resample(X, np.linspace(0, 1, 30))  # continuous target
    X_sparse = sparse.csr_matrix(X)
    X_res, _ = FunctionSampler().fit_resample(X_sparse, y)
    assert sparse.issparse(X_res)
    with pytest.raises(TypeError, match="accept_sparse=False"):
        FunctionSampler(accept_sparse=False).fit_resample(X_sparse, y)
    with pytest.raises(ValueError, match="'func' parameter of FunctionSampler"):
        FunctionSampler(func=3).fit(X, y)
    np.testing.assert_array_equal(X, _data()[0])  # not modified
    X_int = np.arange(60).reshape(30, 2)
    assert FunctionSampler().fit_resample(X_int, y)[0].dtype == X_int.dtype
    one_hot = np.eye(3, dtype=int)[y]
    y_res = FunctionSampler(func=_first, kw_args={"n": 15}).fit_resample(X, one_hot)[1]
    _, y_ref = ImblearnFunctionSampler(func=_first, kw_args={"n": 15}).fit_resample(X, one_hot)
    np.testing.assert_array_equal(y_res, y_ref)


@pytest.mark.parametrize(
    "func, match",
    [
        (lambda X, y: (X[:5], y[:4]), "5 rows of X but 4 labels"),
        (lambda X, y: X, r"must return \(X_resampled, y_resampled\)"),
        (lambda X, y: (X, y, y, y), r"must return \(X_resampled, y_resampled\)"),
    ],
)
def test_bad_func_output_refused(func, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match) as error:
        FunctionSampler(func=func).fit_resample(X, y)
    assert "<lambda>" in str(error.value)


@pytest.mark.parametrize("validate", [True, False])
def test_third_output_is_passed_on_as_imblearn_does(validate):
    X, y = _data()
    weights = np.linspace(1, 2, y.size)

    def keep_with_weights(X, y):
        keep = np.flatnonzero(y != 2)
        return X[keep], y[keep], weights[keep]

    ours = FunctionSampler(func=keep_with_weights, validate=validate).fit_resample(X, y)
    theirs = ImblearnFunctionSampler(func=keep_with_weights, validate=validate).fit_resample(X, y)
    assert len(ours) == len(theirs) == 3
    for got, expected in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(got, expected)
    pipe = Pipeline(
        [("f", FunctionSampler(func=keep_with_weights)), ("clf", LogisticRegression())]
    )
    with pytest.raises(ValueError, match="'f' returned 3 outputs"):
        pipe.fit(X, y)


def test_pipeline_resamples_in_fit_and_skips_predict():
    X, y = _data()
    calls = []

    def func(X, y):
        calls.append(len(y))
        return X[y != 2], y[y != 2]

    pipe = Pipeline([("f", FunctionSampler(func=func)), ("clf", LogisticRegression())])
    pipe.fit(X, y)
    assert calls == [30]
    assert pipe[-1].classes_.tolist() == [0, 1]
    assert pipe.predict(X).shape == (30,)
    assert calls == [30]


def test_sample_weight_through_function_sampler_refused():
    X, y = _data()
    pipe = Pipeline(
        [("f", FunctionSampler(func=_first, kw_args={"n": 20})), ("clf", LogisticRegression())]
    )
    with pytest.raises(AttributeError, match="sample_weight cannot follow"):
        pipe.fit(X, y, clf__sample_weight=np.arange(30.0))
    folds = resampled_splits(X, y, FunctionSampler(), cv=3, sample_weight=np.ones(30))
    with pytest.raises(AttributeError, match="sample_weight cannot follow"):
        list(folds)
    sampler = FunctionSampler()
    sampler.fit_resample(X, y)
    with pytest.raises(AttributeError, match="cannot say where its output rows come from"):
        sampler.row_origins(X, y)


# ----------------------------------------------------------------------- make_imbalance
def _halve(y, factor=2):
    return {c: n // factor for c, n in Counter(y).items()}


@pytest.mark.parametrize(
    "strategy, kwargs",
    [({0: 3, 2: 7}, {}), (_halve, {}), (_halve, {"factor": 5})],
    ids=["dict", "callable", "callable-kwargs"],
)
def test_make_imbalance_counts_match_imblearn(strategy, kwargs):
    X, y = _data()
    _, y_res = make_imbalance(X, y, sampling_strategy=strategy, random_state=0, **kwargs)
    _, y_ref = imblearn_make_imbalance(X, y, sampling_strategy=strategy, random_state=0, **kwargs)
    assert Counter(y_res.tolist()) == Counter(y_ref.tolist())


def test_make_imbalance_is_random_under_sampler_and_reproducible():
    X, y = _data()
    X_a, y_a = make_imbalance(X, y, sampling_strategy={0: 3, 1: 4}, random_state=7)
    X_b, y_b = make_imbalance(X, y, sampling_strategy={0: 3, 1: 4}, random_state=7)
    np.testing.assert_array_equal(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)
    X_r, _ = RandomUnderSampler(sampling_strategy={0: 3, 1: 4}, random_state=7).fit_resample(X, y)
    np.testing.assert_array_equal(X_a, X_r)
    X_c, _ = make_imbalance(X, y, sampling_strategy={0: 3, 1: 4}, random_state=8)
    assert not np.array_equal(X_a, X_c)


def test_make_imbalance_keeps_index_labels_as_imblearn():
    X, y = _data()
    frame = pd.DataFrame(X, index=pd.Index([f"r{i}" for i in range(len(X))], name="id"))
    target = pd.Series(y, index=frame.index, name="label")
    for make in (make_imbalance, imblearn_make_imbalance):
        X_res, y_res = make(frame, target, sampling_strategy={0: 3, 1: 4}, random_state=0)
        assert X_res.index.name == "id" and X_res.index.is_unique
        pd.testing.assert_index_equal(y_res.index, X_res.index)
        pd.testing.assert_frame_equal(X_res, frame.loc[X_res.index])


def test_make_imbalance_refuses_what_imblearn_refuses(capsys):
    X, y = _data()
    with pytest.raises(ValueError, match="less or equal to the original number") as ours:
        make_imbalance(X, y, sampling_strategy={0: 11})
    with pytest.raises(ValueError, match="less or equal to the original number") as theirs:
        imblearn_make_imbalance(X, y, sampling_strategy={0: 11})
    assert str(ours.value) == str(theirs.value)
    for bad in ("auto", None, 0.5):
        with pytest.raises(ValueError, match="'sampling_strategy' parameter of make_imbalance"):
            make_imbalance(X, y, sampling_strategy=bad)
    with pytest.raises(ValueError, match="must return a dict"):
        make_imbalance(X, y, sampling_strategy=lambda y: 3)
    make_imbalance(X, y, sampling_strategy={0: 2}, verbose=True)
    assert "Make the dataset imbalanced" in capsys.readouterr().out
