"""SMOTEN: all-categorical data, exact VDM neighbours, the neighbours' vote."""

import naive
import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.stats import mode
from sklearn.exceptions import DataConversionWarning
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from fastsmote import SMOTEN, config_context
from fastsmote._kernels.vdm import knn_vdm, smoten_bases, smoten_generate
from fastsmote._numba import numba_threads
from fastsmote._random import class_stream, stream_key
from fastsmote.neighbors import vdm_kneighbors, vdm_pairwise, vdm_probabilities, vdm_table


def imblearn():
    """imbalanced-learn (the tests comparing with it skip without it)."""
    return pytest.importorskip("imblearn")


@pytest.fixture
def data():
    """imbalanced-learn's SMOTEN test data (three string features, 20 vs 40 rows)."""
    rng = np.random.RandomState(0)
    feature_1 = ["A"] * 10 + ["B"] * 20 + ["C"] * 30
    feature_2 = ["A"] * 40 + ["B"] * 20
    feature_3 = ["A"] * 20 + ["B"] * 20 + ["C"] * 10 + ["D"] * 10
    X = np.array([feature_1, feature_2, feature_3], dtype=object).T
    rng.shuffle(X)
    y = np.array(["not apple", "apple"], dtype=object)[np.array([0] * 20 + [1] * 40)]
    return X, y


def tie_free(seed=0, n=90, d=6):
    """Codes whose VDM distances have no ties within a row (checked), 3 classes."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 5, size=(n, d)).astype(np.int32)
    y = rng.choice(3, n, p=[0.2, 0.3, 0.5])
    return codes, y


def class_votes(codes_class, voters, bases):
    """scipy's mode over each base's voters, as imbalanced-learn's ``_make_samples``."""
    return np.squeeze(mode(codes_class[voters[bases]], axis=1, keepdims=True).mode, axis=1)


# ---------------------------------------------------------------------- kernel
@pytest.mark.parametrize("blocks", [(3, 4), (64, 2048)])
def test_vdm_search_equals_naive_with_ties(blocks):
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 3, size=(37, 4)).astype(np.int32)
    codes[10:14] = codes[9]  # duplicates: ties at distance 0
    y = rng.integers(0, 2, 37)
    n_cat = [3] * 4
    proba = vdm_probabilities(codes, y, 2, n_cat)
    flat = np.concatenate([vdm_table(p).ravel() for p in proba])
    offsets, sizes = np.arange(4, dtype=np.int64) * 9, np.full(4, 3, dtype=np.int64)
    rows = np.arange(37, dtype=np.int64)
    dist, pos = knn_vdm(codes, rows, flat, offsets, sizes, 5, *blocks)
    ref_dist, ref_pos = naive.knn_from_matrix(naive.vdm_matrix(codes, y, 2, n_cat), 5)
    np.testing.assert_array_equal(pos, ref_pos)
    np.testing.assert_array_equal(dist, ref_dist)
    # through the door, on one class's rows (its own category tables)
    within = np.flatnonzero(y == 1)
    found = vdm_kneighbors(codes[within], proba, 4)
    expected = naive.knn_from_matrix(naive.vdm_matrix(codes, y, 2, n_cat, within), 4)[1]
    np.testing.assert_array_equal(found.indices, expected)
    assert found.backend == "exact"


def test_vdm_equals_imblearn_value_difference_metric():
    ValueDifferenceMetric = imblearn().metrics.pairwise.ValueDifferenceMetric
    codes, y = tie_free()
    n_cat = [6] * codes.shape[1]  # one category no row holds
    vdm = ValueDifferenceMetric(n_categories=n_cat).fit(codes, y)
    proba = vdm_probabilities(codes, y, 3, n_cat)
    for ours, theirs in zip(proba, vdm.proba_per_class_, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    rows = np.flatnonzero(y == 0)
    np.testing.assert_array_equal(vdm_pairwise(codes[rows], proba), vdm.pairwise(codes[rows]))


@pytest.mark.parametrize("estimator", [False, True])
def test_neighbours_and_votes_equal_imblearn_on_tie_free_data(estimator):
    imb = imblearn()
    codes, y = tie_free()
    k = 4
    spec = NearestNeighbors(n_neighbors=k + 1) if estimator else k
    theirs = imb.over_sampling.SMOTEN(k_neighbors=spec, random_state=0).fit(codes, y)
    theirs.fit_resample(codes, y)
    ours = SMOTEN(k_neighbors=spec, random_state=0)
    X_res, _ = ours.fit_resample(codes, y)
    vdm = imb.metrics.pairwise.ValueDifferenceMetric(n_categories=[5] * 6).fit(codes, y)
    origins = ours.row_origins(codes, y)
    start = len(y)
    for label in sorted(ours.sampling_strategy_):
        new = np.arange(start, start + ours.sampling_strategy_[label])
        start += new.size
        rows = np.flatnonzero(y == label)
        distance = vdm.pairwise(codes[rows])
        ordered = np.sort(distance, axis=1)[:, : k + 2]
        assert (np.diff(ordered, axis=1) > 0).all()  # no ties: the lists are defined
        their_nn = NearestNeighbors(n_neighbors=k + 1, metric="precomputed").fit(distance)
        their_voters = their_nn.kneighbors(distance, return_distance=False)
        bases = np.searchsorted(rows, origins.source[new])
        np.testing.assert_array_equal(X_res[new], class_votes(codes[rows], their_voters, bases))
    # imbalanced-learn's nn_k_: fitted on the last class's VDM matrix
    last = np.flatnonzero(y == max(ours.sampling_strategy_))
    distance = vdm.pairwise(codes[last])
    np.testing.assert_array_equal(
        ours.nn_k_.kneighbors(distance, return_distance=False),
        theirs.nn_k_.kneighbors(distance, return_distance=False),
    )
    assert ours.nn_k_.get_params()["metric"] == "precomputed"
    assert set(ours.neighbors_backend_.values()) == {"estimator" if estimator else "exact"}


def test_every_row_is_its_base_neighbourhood_vote_with_ties():
    """Duplicates and few categories: ties everywhere; each synthetic row is the
    naive vote of its base row and the base's naive neighbours."""
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 3, size=(60, 3))
    y = np.repeat([0, 1, 2], [12, 18, 30])
    sampler = SMOTEN(k_neighbors=3, random_state=7)
    X_res, y_res = sampler.fit_resample(codes, y)
    assert np.unique(y_res, return_counts=True)[1].tolist() == [30, 30, 30]
    key = sampler.random_key_
    start = 60
    for class_index, label in enumerate([0, 1]):
        rows = np.flatnonzero(y == label)
        distance = naive.vdm_matrix(codes, y, 3, [3, 3, 3], rows)
        voters = np.column_stack([np.arange(rows.size), naive.knn_from_matrix(distance, 3)[1]])
        class_key = int(stream_key(np.uint64(key), class_stream(class_index)))
        n_new = 30 - rows.size
        expected, bases = naive.smoten_generate(codes[rows], voters, class_key, 0, n_new)
        np.testing.assert_array_equal(X_res[start : start + n_new], expected)
        origins = sampler.row_origins(codes, y)
        np.testing.assert_array_equal(origins.source[start : start + n_new], rows[bases])
        start += n_new
    origins = sampler.row_origins(codes, y)
    np.testing.assert_array_equal(origins.source[:60], np.arange(60))
    weights = np.linspace(1.0, 2.0, 60)  # a synthetic row takes its base row's weight
    np.testing.assert_array_equal(origins.take(weights), weights[origins.source])


def test_kernels_same_for_any_thread_count():
    """The search, the bases and the vote in many small task ranges: the same arrays for
    1 and 2 threads, and the naive rows."""
    codes, _ = tie_free(4, n=90, d=4)
    rows = np.arange(90, dtype=np.int64)
    flat = np.random.default_rng(4).random(4 * 25)
    offsets, sizes = np.arange(4, dtype=np.int64) * 25, np.full(4, 5, dtype=np.int64)
    key = np.uint64(123)
    results = []
    for threads in (1, 2):
        with numba_threads(threads):
            dist, pos = knn_vdm(codes, rows, flat, offsets, sizes, 3, 4, 16)
            voters = np.column_stack([rows, pos])
            bases = smoten_bases(key, 5, 60, 90)
            out = np.zeros((70, 4), dtype=np.int32)
            smoten_generate(codes, voters, key, 5, out, 10, 60, 3)
            results.append([dist, pos, bases, out])
    for one, two in zip(*results, strict=True):
        np.testing.assert_array_equal(one, two)
    expected, naive_bases = naive.smoten_generate(codes, voters, 123, 5, 60)
    np.testing.assert_array_equal(bases, naive_bases)
    np.testing.assert_array_equal(out[10:], expected)


def test_same_rows_for_any_thread_count():
    codes, y = tie_free(3, n=200)
    results = []
    for threads in (1, 2):
        with config_context(n_threads=threads):
            results.append(SMOTEN(random_state=3).fit_resample(codes, y)[0])
    np.testing.assert_array_equal(*results)


# ---------------------------------------------------------------------- imbalanced-learn's cases
def test_smoten(data):
    X, y = data
    sampler = SMOTEN(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == (80, 3) and y_res.shape == (80,)
    assert isinstance(sampler.categorical_encoder_, OrdinalEncoder)
    assert X_res.dtype == object and set(np.unique(X_res)) <= {"A", "B", "C", "D"}
    np.testing.assert_array_equal(X_res[:60], X)
    assert (y_res[60:] == "not apple").all()


def test_smoten_resampling():
    """The minority class holds mostly 'blue': every synthetic row is 'blue'."""
    X = np.array(["green"] * 5 + ["red"] * 10 + ["blue"] * 7, dtype=object).reshape(-1, 1)
    y = np.array(
        ["apple"] * 5 + ["not apple"] * 3 + ["apple"] * 7 + ["not apple"] * 5 + ["apple"] * 2,
        dtype=object,
    )
    X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[X.shape[0] :], "blue")
    np.testing.assert_array_equal(y_res[X.shape[0] :], "not apple")


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_smoten_sparse_input(data, fmt):
    X, y = data
    dense = OneHotEncoder().fit_transform(X).toarray()
    X_sparse = sparse.csr_matrix(dense) if fmt == "csr" else sparse.csc_matrix(dense)
    with pytest.warns(DataConversionWarning, match="is not really efficient"):
        X_res, y_res = SMOTEN(random_state=0).fit_resample(X_sparse, y)
    assert X_res.format == fmt and X_res.shape[0] == len(y_res)
    np.testing.assert_array_equal(
        X_res.toarray(), SMOTEN(random_state=0).fit_resample(dense, y)[0]
    )


def test_smoten_categorical_encoder(data):
    X, y = data
    sampler = SMOTEN(random_state=0)
    sampler.fit_resample(X, y)
    assert isinstance(sampler.categorical_encoder_, OrdinalEncoder)
    assert sampler.categorical_encoder_.dtype == np.int32
    encoder = OrdinalEncoder(dtype=np.int64)
    sampler.set_params(categorical_encoder=encoder).fit_resample(X, y)
    assert sampler.categorical_encoder is encoder
    assert sampler.categorical_encoder_ is not encoder
    assert sampler.categorical_encoder_.dtype == np.int64


def test_encoder_category_order_breaks_ties():
    """Categories in the encoder's order: a tie between them goes to the first."""
    y = np.array([0] * 4 + [1] * 8)
    X = np.array([["a"], ["b"], ["a"], ["b"]] + [["c"]] * 8, dtype=object)
    # each minority row votes among itself and its 3 neighbours: two 'a', two 'b'
    for order, winner in ((["a", "b", "c"], "a"), (["b", "a", "c"], "b")):
        encoder = OrdinalEncoder(categories=[order])
        X_res, _ = SMOTEN(encoder, k_neighbors=3, random_state=0).fit_resample(X, y)
        np.testing.assert_array_equal(X_res[12:], winner)


# ---------------------------------------------------------------------- containers
def test_containers_and_dtypes():
    rng = np.random.default_rng(4)
    n = 40
    y = np.repeat([0, 1], [10, 30])
    frame = pd.DataFrame(
        {
            "colour": pd.Categorical(rng.choice(["red", "green"], n), ["red", "green", "blue"]),
            "size": rng.choice([1, 2, 3], n).astype(np.int16),
            "shape": rng.choice(["o", "x"], n).astype(object),
            "weight": rng.choice([0.5, 1.5], n),
        }
    )
    X_res, y_res = SMOTEN(random_state=0).fit_resample(frame, y)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == list(frame.columns)
    assert (X_res.dtypes == frame.dtypes).all()
    assert list(X_res["colour"].cat.categories) == ["red", "green", "blue"]
    pd.testing.assert_frame_equal(X_res.iloc[:n], frame)
    assert len(X_res) == 60 and (y_res[40:] == 0).all()
    # the same rows from NumPy (object), a list of rows, and polars
    array = frame.astype(object).to_numpy()
    X_arr, _ = SMOTEN(random_state=0).fit_resample(array, y)
    np.testing.assert_array_equal(X_arr, X_res.astype(object).to_numpy())
    X_list, _ = SMOTEN(random_state=0).fit_resample(array.tolist(), y)
    assert isinstance(X_list, list) and X_list == X_arr.tolist()
    ints = frame[["size"]].to_numpy()
    X_int, _ = SMOTEN(random_state=0).fit_resample(ints, y)
    assert X_int.dtype == np.int16
    strings = frame[["shape"]].to_numpy().astype(str)
    assert SMOTEN(random_state=0).fit_resample(strings, y)[0].dtype == strings.dtype
    pl = pytest.importorskip("polars")
    polars_frame = pl.from_pandas(frame)
    X_pl, _ = SMOTEN(random_state=0).fit_resample(polars_frame, y)
    assert isinstance(X_pl, pl.DataFrame) and X_pl.schema == polars_frame.schema
    np.testing.assert_array_equal(X_pl.to_pandas().astype(object).to_numpy(), X_arr)


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("missing", [None, np.nan, pd.NA], ids=["None", "nan", "NA"])
def test_missing_values_are_refused_naming_the_column(missing):
    frame = pd.DataFrame({"a": ["x", "y"] * 6, "b": ["u", "v", "w"] * 4}, dtype=object)
    frame.loc[3, "b"] = missing
    y = np.repeat([0, 1], [4, 8])
    with pytest.raises(
        ValueError, match=r"categorical column 'b' has missing .* \(first at row 3\)"
    ):
        SMOTEN(k_neighbors=2).fit_resample(frame, y)
    with pytest.raises(
        ValueError, match=r"categorical column 1 has missing .* \(first at row 3\)"
    ):
        SMOTEN(k_neighbors=2).fit(frame.to_numpy(), y)


def test_too_many_neighbours_names_the_class(data):
    X, y = data
    with pytest.raises(ValueError, match=r"'not apple' has 20 row\(s\) but k_neighbors=20"):
        SMOTEN(k_neighbors=20).fit_resample(X, y)
    estimator = NearestNeighbors(n_neighbors=22)
    with pytest.raises(ValueError, match="n_neighbors <= 20"):
        SMOTEN(k_neighbors=estimator).fit_resample(X, y)


def test_tables_are_checked_before_they_are_made(monkeypatch):
    from fastsmote import _memory

    X = np.column_stack([np.arange(400), np.arange(400) % 3])  # column 0: an identifier
    y = np.repeat([0, 1], [100, 300])
    monkeypatch.setattr(_memory, "available_memory_bytes", lambda: 50_000)
    with pytest.raises(
        MemoryError,
        match=r"VDM tables of 2 categorical features \(100 categories in the largest\)",
    ):
        SMOTEN(random_state=0).fit_resample(X, y)
    with pytest.raises(MemoryError, match="VDM matrix of 100 rows"):
        SMOTEN(k_neighbors=NearestNeighbors(n_neighbors=3)).fit_resample(X, y)


def test_continuous_values_are_categories():
    """As in imbalanced-learn, every column is categorical, floats included."""
    imb = imblearn()
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 2))
    y = np.repeat([0, 1], [10, 20])
    X_res, _ = SMOTEN(random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.float64 and np.isin(X_res, X).all()
    assert imb.over_sampling.SMOTEN(random_state=0).fit_resample(X, y)[0].shape == X_res.shape


def test_a_non_ordinal_encoder_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="requires an ordinal encoding"):
        SMOTEN(OneHotEncoder()).fit_resample(X, y)
    with pytest.raises(ValueError, match="requires an ordinal encoding"):
        SMOTEN(_Reversed()).fit_resample(X, y)


class _Reversed(OrdinalEncoder):
    """An encoder whose codes are not positions in categories_."""

    def transform(self, X):
        return 1 - super().transform(X)


# ---------------------------------------------------------------------- command line
def test_command_line_method_takes_every_column_as_categorical(tmp_path, capsys):
    pq = pytest.importorskip("pyarrow.parquet")
    from fastsmote.cli import main

    rng = np.random.default_rng(6)
    n = 60
    frame = pd.DataFrame(
        {
            "colour": rng.choice(["r", "g", "b"], n).astype(object),
            "size": rng.choice([1, 2, 3], n),
            "price": rng.choice([1000.0, 9000.0], n),  # scales do not matter to categories
            "label": np.repeat([0, 1], [45, 15]),
        }
    )
    path, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    frame.to_parquet(path)
    argv = ["resample", path, out, "--target", "label", "--method", "smoten", "--seed", 1]
    capsys.readouterr()
    assert main([str(a) for a in argv + ["--k", 3]]) == 0
    assert "standard deviations" not in capsys.readouterr().err
    result = pq.read_table(out).to_pandas()
    assert result["label"].value_counts().to_dict() == {0: 45, 1: 45}
    assert result["size"].dtype == np.int64 and set(result["colour"]) <= {"r", "g", "b"}
    features = ["colour", "size", "price"]
    expected, _ = SMOTEN(k_neighbors=3, random_state=1).fit_resample(
        frame[features], frame["label"]
    )
    np.testing.assert_array_equal(result[features].to_numpy(), expected.to_numpy())
