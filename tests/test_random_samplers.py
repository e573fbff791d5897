"""RandomOverSampler and RandomUnderSampler."""

import numba
import numpy as np
import pandas as pd
import pytest
from conftest import blobs
from naive import bootstrap_positions, smoothed_bootstrap, stream_key
from scipy import sparse

from fastsmote import RandomOverSampler, RandomUnderSampler, config_context

imblearn = pytest.importorskip("imblearn")
from imblearn.over_sampling import RandomOverSampler as ImbROS  # noqa: E402
from imblearn.under_sampling import RandomUnderSampler as ImbRUS  # noqa: E402

STRATEGIES = ["auto", "not minority", "not majority", "all"]


def counts(y):
    labels, n = np.unique(y, return_counts=True)
    return dict(zip(labels.tolist(), n.tolist(), strict=True))


@pytest.mark.parametrize("strategy", [*STRATEGIES, "minority", {1: 70, 2: 30}])
def test_over_counts_equal_imblearn(three_class_data, strategy):
    X, y = three_class_data
    ours = RandomOverSampler(sampling_strategy=strategy, random_state=0).fit_resample(X, y)[1]
    theirs = ImbROS(sampling_strategy=strategy, random_state=0).fit_resample(X, y)[1]
    assert counts(ours) == counts(theirs)


@pytest.mark.parametrize("strategy", [*STRATEGIES, "majority", {0: 30, 1: 20}])
def test_under_counts_equal_imblearn(three_class_data, strategy):
    X, y = three_class_data
    ours = RandomUnderSampler(sampling_strategy=strategy, random_state=0).fit_resample(X, y)[1]
    theirs = ImbRUS(sampling_strategy=strategy, random_state=0).fit_resample(X, y)[1]
    assert counts(ours) == counts(theirs)


@pytest.mark.parametrize("ratio", [0.5, 1.0])
def test_float_ratio_counts_equal_imblearn(binary_data, ratio):
    X, y = binary_data
    for ours_cls, theirs_cls in ((RandomOverSampler, ImbROS), (RandomUnderSampler, ImbRUS)):
        ours = ours_cls(sampling_strategy=ratio, random_state=0).fit_resample(X, y)[1]
        theirs = theirs_cls(sampling_strategy=ratio, random_state=0).fit_resample(X, y)[1]
        assert counts(ours) == counts(theirs)


def test_over_rows_and_indices_match_the_reference(three_class_data):
    X, y = three_class_data
    sampler = RandomOverSampler(random_state=4)
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    np.testing.assert_array_equal(X_res, X[idx])
    np.testing.assert_array_equal(y_res, y[idx])
    np.testing.assert_array_equal(idx[: len(X)], np.arange(len(X)))
    key = sampler.random_key_
    expected = []
    for c in (1, 2):
        rows = np.flatnonzero(y == c)
        pos = bootstrap_positions(stream_key(key, 2 * c), 0, 80 - rows.size, rows.size)
        expected.append(rows[pos])
    np.testing.assert_array_equal(idx[len(X) :], np.concatenate(expected))


@pytest.mark.parametrize("replacement", [False, True])
def test_under_rows_order_and_uniqueness(three_class_data, replacement):
    X, y = three_class_data
    sampler = RandomUnderSampler(random_state=1, replacement=replacement)
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    np.testing.assert_array_equal(X_res, X[idx])
    np.testing.assert_array_equal(y_res, y[idx])
    assert list(y_res) == sorted(y_res)  # classes in sorted order
    assert counts(y_res) == {0: 12, 1: 12, 2: 12}
    np.testing.assert_array_equal(idx[y_res == 2], np.flatnonzero(y == 2))  # untouched class
    if not replacement:
        assert len(np.unique(idx)) == len(idx)


def test_under_subset_is_uniform():
    y = np.repeat([0, 1], [20, 5])
    X = np.arange(25.0)[:, None]
    hits = np.zeros(20)
    for seed in range(400):
        idx = RandomUnderSampler(random_state=seed).fit(X, y)
        idx.fit_resample(X, y)
        hits[idx.sample_indices_[idx.sample_indices_ < 20]] += 1
    # each majority row kept with probability 5/20; 400 draws -> mean 100, sd ~8.7
    assert np.all(np.abs(hits - 100) < 45)


@pytest.mark.parametrize("cls", [RandomOverSampler, RandomUnderSampler])
def test_reproducible_and_thread_invariant(cls, three_class_data):
    X, y = three_class_data
    outputs = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        with config_context(n_threads=threads):
            outputs.append(cls(random_state=5).fit_resample(X, y)[0])
    np.testing.assert_array_equal(outputs[0], outputs[1])
    assert not np.array_equal(outputs[0], cls(random_state=6).fit_resample(X, y)[0])


@pytest.mark.parametrize("cls", [RandomOverSampler, RandomUnderSampler])
def test_any_rows_nan_strings_categoricals_sparse(cls):
    X, y = blobs([30, 10], n_features=2)
    frame = pd.DataFrame(
        {
            "num": X[:, 0],
            "text": np.where(y == 1, "rare", "common"),
            "cat": pd.Categorical(np.where(X[:, 1] > 0, "hi", "lo")),
        }
    )
    frame.loc[3, "num"] = np.nan
    sampler = cls(random_state=0)
    X_res, y_res = sampler.fit_resample(frame, pd.Series(y, name="t"))
    assert isinstance(X_res, pd.DataFrame) and (X_res.dtypes == frame.dtypes).all()
    expected = frame.iloc[sampler.sample_indices_]
    if cls is RandomOverSampler:  # added rows: a fresh index (RandomUnderSampler keeps it)
        expected = expected.reset_index(drop=True)
    pd.testing.assert_frame_equal(X_res, expected)
    assert y_res.name == "t"
    X_sparse, _ = cls(random_state=0).fit_resample(sparse.csr_matrix(X), y)
    assert sparse.issparse(X_sparse) and X_sparse.format == "csr"
    X_obj = np.array(X, dtype=object)
    X_obj[0, 0] = "text"
    assert cls(random_state=0).fit_resample(X_obj, y)[0].dtype == object


@pytest.mark.parametrize("replacement", [False, True])
def test_under_sampler_keeps_index_labels_as_imblearn(replacement):
    """A pandas X keeps the kept rows' index labels (so ``meta.loc[X_res.index]`` finds
    the kept rows) and a pandas y takes X's, as in imbalanced-learn; y beside a NumPy X
    gets a fresh index."""
    X, y = blobs([30, 10], n_features=2)
    frame = pd.DataFrame(X, columns=["a", "b"], index=[f"txn{i}" for i in range(40)])
    target = pd.Series(y, index=np.arange(100, 140), name="fraud")
    for sampler in (
        RandomUnderSampler(random_state=0, replacement=replacement),
        ImbRUS(random_state=0, replacement=replacement),
    ):
        X_res, y_res = sampler.fit_resample(frame, target)
        kept = sampler.sample_indices_
        pd.testing.assert_index_equal(X_res.index, frame.index[kept])
        pd.testing.assert_index_equal(y_res.index, frame.index[kept])
        np.testing.assert_array_equal(X_res.to_numpy(), X[kept])
        _, y_res = sampler.fit_resample(X, target)
        pd.testing.assert_index_equal(y_res.index, pd.RangeIndex(len(kept)))
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(frame, target)
    pd.testing.assert_index_equal(X_res.index, pd.RangeIndex(60))
    pd.testing.assert_index_equal(y_res.index, pd.RangeIndex(60))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_smoothed_bootstrap_matches_reference(three_class_data, dtype):
    X, y = three_class_data
    X = X.astype(dtype)
    sampler = RandomOverSampler(random_state=3, shrinkage={1: 0.5, 2: 2.0})
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.dtype == dtype
    np.testing.assert_array_equal(X_res[: len(X)], X)
    key, n, d = sampler.random_key_, len(X), X.shape[1]
    constant = (4 / ((d + 2) * n)) ** (1 / (d + 4))
    start = n
    for c, factor in ((1, 0.5), (2, 2.0)):
        rows = np.flatnonzero(y == c)
        n_new = 80 - rows.size
        pos = bootstrap_positions(stream_key(key, 2 * c), 0, n_new, rows.size)
        scale = factor * constant * X[rows].std(axis=0, dtype=np.float64)
        expected = smoothed_bootstrap(X[rows], pos, stream_key(key, 2 * c + 1), 0, scale)
        np.testing.assert_array_equal(X_res[start : start + n_new], expected)
        start += n_new


def test_smoothed_noise_has_the_documented_scale():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.standard_normal((5000, 3)), rng.standard_normal((500, 3)) * 4])
    y = np.repeat([0, 1], [5000, 500])
    sampler = RandomOverSampler(random_state=0, shrinkage=3.0)
    X_res, _ = sampler.fit_resample(X, y)
    noise = X_res[5500:] - X[sampler.sample_indices_[5500:]]
    expected = 3.0 * (4 / (5 * 5500)) ** (1 / 7) * X[y == 1].std(axis=0)
    np.testing.assert_allclose(noise.std(axis=0), expected, rtol=0.05)
    assert np.all(np.abs(noise.mean(axis=0)) < 0.05 * expected)


def test_zero_shrinkage_equals_duplicates(binary_data):
    X, y = binary_data
    plain = RandomOverSampler(random_state=2).fit_resample(X, y)[0]
    np.testing.assert_array_equal(
        RandomOverSampler(random_state=2, shrinkage=0.0).fit_resample(X, y)[0], plain
    )


def test_shrinkage_errors(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match="missing classes are"):
        RandomOverSampler(shrinkage={0: 1.0}).fit_resample(X, y)
    with pytest.raises(ValueError, match="needs to be >= 0"):
        RandomOverSampler(shrinkage={1: -1.0}).fit_resample(X, y)
    with pytest.raises(ValueError, match="'shrinkage' parameter"):
        RandomOverSampler(shrinkage=-1.0).fit_resample(X, y)
    X_obj = X.astype(object)
    X_obj[0, 0] = "a"
    with pytest.raises(ValueError, match="only numerical data"):
        RandomOverSampler(shrinkage=1.0).fit_resample(X_obj, y)
    with pytest.raises(ValueError, match="'replacement' parameter"):
        RandomUnderSampler(replacement="yes").fit_resample(X, y)
    with pytest.raises(ValueError, match="does not support out="):
        RandomUnderSampler().fit_resample(X, y, out=np.empty((30, 4)))
