"""TomekLinks, EditedNearestNeighbours, SMOTETomek and SMOTEENN."""

import numpy as np
import pandas as pd
import pytest
from conftest import blobs
from naive import knn as naive_knn
from sklearn.neighbors import NearestNeighbors

from fastsmote import (
    SMOTE,
    SMOTEENN,
    EditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
)

imblearn = pytest.importorskip("imblearn")
from imblearn.under_sampling import EditedNearestNeighbours as ImbENN  # noqa: E402
from imblearn.under_sampling import TomekLinks as ImbTomek  # noqa: E402

STRATEGIES = ["auto", "all", "majority", "not majority", [1, 2], []]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_tomek_equals_imblearn_on_continuous_data(overlapping, strategy):
    X, y = overlapping
    ours = TomekLinks(sampling_strategy=strategy)
    X_res, y_res = ours.fit_resample(X, y)
    theirs = ImbTomek(sampling_strategy=strategy)
    theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    np.testing.assert_array_equal(X_res, X[ours.sample_indices_])
    np.testing.assert_array_equal(y_res, y[ours.sample_indices_])


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("kind_sel", ["all", "mode"])
@pytest.mark.parametrize("n_neighbors", [1, 3, 6])
def test_enn_equals_imblearn_on_continuous_data(overlapping, strategy, kind_sel, n_neighbors):
    X, y = overlapping
    params = dict(sampling_strategy=strategy, kind_sel=kind_sel, n_neighbors=n_neighbors)
    ours = EditedNearestNeighbours(**params)
    ours.fit_resample(X, y)
    theirs = ImbENN(**params)
    theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)


@pytest.mark.parametrize("kind_sel", ["all", "mode"])
def test_enn_with_every_other_row_as_neighbour_equals_imblearn(kind_sel):
    """The largest n_neighbors both accept (one less than the rows); one more raises."""
    X, y = blobs([12, 8], shift=0.5)
    params = dict(sampling_strategy="all", kind_sel=kind_sel, n_neighbors=len(X) - 1)
    ours = EditedNearestNeighbours(**params)
    ours.fit_resample(X, y)
    theirs = ImbENN(**params)
    theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    params["n_neighbors"] = len(X)
    for cls in (EditedNearestNeighbours, ImbENN):
        with pytest.raises(ValueError, match="n_neighbors"):
            cls(**params).fit_resample(X, y)


def _with_duplicates():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 3, size=(120, 2)).astype(float)  # many ties and duplicates
    y = (rng.random(120) < 0.3).astype(int)
    return X, y


def test_tomek_removes_exactly_mutual_nearest_neighbours_of_different_classes():
    X, y = _with_duplicates()
    sampler = TomekLinks(sampling_strategy="all")
    sampler.fit_resample(X, y)
    _, nn = naive_knn(X, np.arange(len(X)), 1)
    nearest = nn[:, 0]
    assert not hasattr(sampler, "nearest_neighbor_")  # not kept (memory)
    removed = np.setdiff1d(np.arange(len(X)), sampler.sample_indices_)
    linked = [i for i in range(len(X)) if y[nearest[i]] != y[i] and nearest[nearest[i]] == i]
    np.testing.assert_array_equal(removed, linked)


def _imbalanced_with_ties(dtype, n_classes):
    rng = np.random.default_rng(2)
    X = rng.integers(0, 4, size=(300, 2)).astype(dtype)  # ties and duplicates everywhere
    X[::7] = rng.standard_normal((43, 2))  # and some rows without
    y = np.zeros(300, dtype=int)
    y[rng.choice(300, 36, replace=False)] = rng.integers(1, n_classes, 36)
    return X, y


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("strategy", ["all", "auto", "majority", "not majority"])
def test_tomek_on_imbalanced_data_searches_few_rows_and_finds_every_link(
    monkeypatch, sparse, dtype, n_classes, strategy
):
    """Rows outside the largest class and the rows they point to are searched; the
    links are those of every row's nearest neighbour, ties and duplicates included."""
    import scipy.sparse as sp

    from fastsmote.under_sampling import _clean

    X, y = _imbalanced_with_ties(dtype, n_classes)
    searched = []

    def counting(X, n_neighbors, **kwargs):
        rows = kwargs.get("queries")
        searched.append(X.shape[0] if rows is None else len(rows))
        return real(X, n_neighbors, **kwargs)

    real = _clean.kneighbors
    monkeypatch.setattr(_clean, "kneighbors", counting)
    sampler = TomekLinks(sampling_strategy=strategy)
    sampler.fit_resample(sp.csr_matrix(X) if sparse else X, y)
    assert 0 < sum(searched) < 0.25 * len(X)
    _, nn = naive_knn(X, np.arange(len(X)), 1)
    nearest = nn[:, 0]
    targeted = set(sampler.sampling_strategy_)
    linked = [
        i for i in range(len(X))
        if y[i] in targeted and y[nearest[i]] != y[i] and nearest[nearest[i]] == i
    ]  # fmt: skip
    assert linked  # the data has links to find
    removed = np.setdiff1d(np.arange(len(X)), sampler.sample_indices_)
    np.testing.assert_array_equal(removed, linked)


@pytest.mark.parametrize("kind_sel", ["all", "mode"])
def test_enn_removes_exactly_the_disagreeing_rows(kind_sel):
    X, y = _with_duplicates()
    sampler = EditedNearestNeighbours(sampling_strategy="all", kind_sel=kind_sel, n_neighbors=4)
    sampler.fit_resample(X, y)
    _, nn = naive_knn(X, np.arange(len(X)), 4)  # self excluded by position
    labels = y[nn]
    if kind_sel == "all":
        keep = (labels == y[:, None]).all(axis=1)
    else:
        votes = np.stack([(labels == c).sum(axis=1) for c in (0, 1)], axis=1)
        keep = votes.argmax(axis=1) == y
    expected = np.concatenate([np.flatnonzero(keep & (y == c)) for c in (0, 1)])
    np.testing.assert_array_equal(sampler.sample_indices_, expected)


def test_enn_estimator_matches_int(overlapping):
    X, y = overlapping
    by_int = EditedNearestNeighbours(n_neighbors=3).fit(X, y)
    by_int.fit_resample(X, y)
    by_estimator = EditedNearestNeighbours(n_neighbors=NearestNeighbors(n_neighbors=4))
    by_estimator.fit_resample(X, y)
    np.testing.assert_array_equal(by_int.sample_indices_, by_estimator.sample_indices_)


def test_cleaning_keeps_rows_and_dtypes(overlapping):
    X, y = overlapping
    X_int = np.round(X * 10).astype(np.int16)
    X_res, _ = TomekLinks().fit_resample(X_int, y)
    assert X_res.dtype == np.int16
    frame = pd.DataFrame(X, columns=list("abcd")).astype({"a": np.float32})
    sampler = EditedNearestNeighbours()
    frame_res, y_res = sampler.fit_resample(frame, pd.Series(y, name="t"))
    pd.testing.assert_frame_equal(
        frame_res, frame.iloc[sampler.sample_indices_].reset_index(drop=True)
    )
    assert y_res.name == "t"


def test_cleaning_bad_parameters(overlapping):
    X, y = overlapping
    with pytest.raises(ValueError, match="'kind_sel' parameter"):
        EditedNearestNeighbours(kind_sel="most").fit_resample(X, y)
    with pytest.raises(ValueError, match="do not let the user specify the sampling ratio"):
        TomekLinks(sampling_strategy=0.5).fit_resample(X[y < 2], y[y < 2])
    with pytest.raises(ValueError, match="as a dict for cleaning methods is not supported"):
        TomekLinks(sampling_strategy={1: 10}).fit_resample(X, y)
    with pytest.raises(ValueError, match="X contains NaN"):
        X_nan = X.copy()
        X_nan[0, 0] = np.nan
        TomekLinks().fit_resample(X_nan, y)


@pytest.mark.parametrize(
    "combined, cleaner",
    [
        (SMOTETomek, TomekLinks(sampling_strategy="all")),
        (SMOTEENN, EditedNearestNeighbours(sampling_strategy="all")),
    ],
)
def test_combinations_are_smote_then_clean(overlapping, combined, cleaner):
    X, y = overlapping
    X_res, y_res = combined(random_state=3).fit_resample(X, y)
    expected = cleaner.fit_resample(*SMOTE(random_state=3).fit_resample(X, y))
    np.testing.assert_array_equal(X_res, expected[0])
    np.testing.assert_array_equal(y_res, expected[1])


def test_combinations_use_given_steps(overlapping):
    X, y = overlapping
    smote = SMOTE(k_neighbors=3, random_state=1, sampling_strategy={1: 200, 2: 100})
    tomek = TomekLinks(sampling_strategy="majority")
    sampler = SMOTETomek(smote=smote, tomek=tomek)
    X_res, y_res = sampler.fit_resample(X, y)
    expected = tomek.fit_resample(*smote.fit_resample(X, y))
    np.testing.assert_array_equal(X_res, expected[0])
    assert sampler.smote_ is not smote and sampler.tomek_.sampling_strategy == "majority"
    assert dict(sampler.sampling_strategy_) == {1: 140, 2: 60}
    enn = SMOTEENN(enn=EditedNearestNeighbours(kind_sel="mode"), random_state=0)
    assert enn.fit_resample(X, y)[0].shape[1] == 4 and enn.enn_.kind_sel == "mode"


def _read_only(X):
    X = X.copy()
    X.flags.writeable = False
    return X


@pytest.mark.parametrize(
    "layout",
    [
        lambda X: X.astype(np.float32),  # parallel gather
        np.asfortranarray,  # NumPy indexing from here on
        _read_only,
        lambda X: (X * 10).astype(np.int64),
        lambda X: X[:, ::2],
    ],
    ids=["C-float32", "F-float64", "read-only", "int64", "strided"],
)
def test_kept_rows_are_the_input_rows_for_any_layout(layout):
    X0, y = blobs([300, 40], shift=0.5)
    X = layout(X0)
    sampler = TomekLinks()
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.dtype == X.dtype and 0 < X.shape[0] - X_res.shape[0]
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
