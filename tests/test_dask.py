"""fastsmote.dask: the rows of fit_resample, whatever the partitioning and the workers."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

dask = pytest.importorskip("dask", reason="the dask extra is not installed")
pd = pytest.importorskip("pandas")
distributed = pytest.importorskip("distributed")

import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402
from conftest import assert_same_frame, blobs, fit_resample_in_dask_order  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402

import fastsmote.dask as fd  # noqa: E402
from fastsmote import (  # noqa: E402
    ADASYN,
    SMOTE,
    SMOTEENN,
    SMOTENC,
    SVMSMOTE,
    AllKNN,
    BorderlineSMOTE,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    NearMiss,
    NeighbourhoodCleaningRule,
    RandomOverSampler,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
)


@pytest.fixture(scope="module")
def cluster_client():
    """One 2-worker cluster on loopback for the module: workers in this process (no
    start-up cost) that talk over TCP, so everything sent between them is serialised."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            protocol="tcp://",
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: runs side by side never collide
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        yield client


#: (scheduler, partitions): 1, 7 and 16 partitions; one thread, or 2 workers.
LAYOUTS = [("sync", 1), ("sync", 16), ("cluster", 7), ("cluster", 16)]


def _scheduled(layout, cluster_client):
    """Yield the layout's partitions with its scheduler in place: one thread or the
    2-worker cluster."""
    scheduler, n = layout
    if scheduler == "sync":
        with dask.config.set(scheduler="sync"):
            yield n
    else:
        with cluster_client.as_current(), dask.config.set(scheduler=cluster_client):
            yield n


@pytest.fixture(params=LAYOUTS, ids=[f"{s}-{n}" for s, n in LAYOUTS])
def npartitions(request, cluster_client):
    """Run the whole job (counting pass included) on one thread or on 2 workers, over
    the given number of partitions."""
    yield from _scheduled(request.param, cluster_client)


#: For samplers chaining plans tested on every layout (rounds, SMOTE then cleaning):
#: without the costliest, 16 partitions on the cluster (256 search tasks per round).
CHAIN_LAYOUTS = LAYOUTS[:3]


@pytest.fixture(params=CHAIN_LAYOUTS, ids=[f"{s}-{n}" for s, n in CHAIN_LAYOUTS])
def chain_npartitions(request, cluster_client):
    """As ``npartitions``, over ``CHAIN_LAYOUTS``."""
    yield from _scheduled(request.param, cluster_client)


def table(n_per_class, n_features=4, dtype=np.float64, seed=0, shift=2.0):
    """A frame of blobs with the target column "y" in the middle."""
    X, y = blobs(n_per_class, n_features, dtype=dtype, seed=seed, shift=shift)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(n_features)])
    frame.insert(1, "y", y)
    return frame


def check_frame(sampler_factory, frame, npartitions, ddf=None, **kwargs):
    """Dask result == fit_resample, and the fitted attributes agree (``ddf``: the Dask
    frame of ``frame``, else ``frame`` in ``npartitions`` partitions)."""
    if ddf is None:
        ddf = dd.from_pandas(frame, npartitions=npartitions, sort=False)
    sampler = sampler_factory()
    out = fd.resample(ddf, "y", sampler, **kwargs).compute()
    reference = sampler_factory()
    expected = fit_resample_in_dask_order(reference, ddf.compute().reset_index(drop=True))
    if "synthetic_column" in kwargs:
        added = out.pop(kwargs["synthetic_column"]).to_numpy()
        assert np.array_equal(added, np.arange(len(expected)) >= len(frame))
    assert_same_frame(out, expected)
    assert sampler.sampling_strategy_ == reference.sampling_strategy_
    assert getattr(sampler, "random_key_", None) == getattr(reference, "random_key_", None)
    assert hasattr(sampler, "n_samples_out_") == hasattr(reference, "n_samples_out_")
    assert getattr(sampler, "n_samples_out_", len(out)) == len(out)
    assert getattr(reference, "n_samples_out_", len(out)) == len(out)
    counts = out["y"].value_counts().to_dict()
    assert sampler.record().class_counts_after == [[c, counts[c]] for c in sorted(counts)]
    return sampler, reference


# --------------------------------------------------------------------------- SMOTE
SMOTE_CASES = [  # (dtype, classes, backend): each value of each axis at least twice
    (np.float64, [120, 30], "exact"),
    (np.float32, [120, 30], "approx"),
    (np.float32, [100, 40, 25], "exact"),
    (np.float64, [100, 40, 25], "approx"),
]


@pytest.mark.parametrize("dtype, n_per_class, backend", SMOTE_CASES)
def test_smote_frame_is_fit_resample(npartitions, dtype, n_per_class, backend):
    frame = table(n_per_class, dtype=dtype)
    sampler, reference = check_frame(
        lambda: SMOTE(random_state=3, neighbors=backend), frame, npartitions, block_rows=17
    )
    assert sampler.neighbors_backend_ == reference.neighbors_backend_


def test_smote_arrays_are_fit_resample(npartitions):
    X, y = blobs([90, 20, 14], dtype=np.float32, seed=1)
    X_d = da.from_array(X, chunks=(-(-len(X) // npartitions), 2))  # split columns too
    sampler = SMOTE(random_state=5, k_neighbors=3)
    X_res, y_res = fd.resample_arrays(X_d, da.from_array(y, chunks=11), sampler, block_rows=9)
    X_got, y_got = dask.compute(X_res, y_res)
    X_ref, y_ref = SMOTE(random_state=5, k_neighbors=3).fit_resample(X, y)
    assert X_got.dtype == X_ref.dtype == np.float32
    assert np.array_equal(X_got.view(np.uint32), X_ref.view(np.uint32))
    assert np.array_equal(y_got, y_ref)


def test_smote_auto_backend_and_sampling_strategy(npartitions):
    frame = table([150, 40, 20], n_features=3)
    strategy = {1: 90, 2: 60}
    sampler, reference = check_frame(
        lambda: SMOTE(random_state=0, sampling_strategy=strategy), frame, npartitions
    )
    assert sampler.neighbors_backend_ == reference.neighbors_backend_ == {1: "exact", 2: "exact"}


def test_string_labels_and_neighbour_estimators():
    frame = table([70, 25, 18])
    frame["y"] = np.array(["fraud", "ok", "review"])[frame["y"]]
    with dask.config.set(scheduler="sync"):
        check_frame(lambda: SMOTE(random_state=6), frame, 5)
        check_frame(
            lambda: SMOTE(random_state=6, k_neighbors=NearestNeighbors(n_neighbors=4)), frame, 5
        )
        sampler, reference = check_frame(
            lambda: SMOTE(random_state=6, neighbors=NearestNeighbors()), frame, 5
        )
    expected = {"ok": "estimator", "review": "estimator"}
    assert sampler.neighbors_backend_ == reference.neighbors_backend_ == expected


def test_dtypes_and_column_order_kept():
    frame = table([80, 20])
    frame["count"] = np.arange(len(frame), dtype=np.int64)  # int -> float64, as in memory
    frame["nullable"] = pd.array(np.arange(len(frame)), dtype="Int64")
    frame["f1"] = frame["f1"].astype(np.float32)
    frame = frame[["count", "f0", "y", "nullable", "f1", "f2", "f3"]]
    with dask.config.set(scheduler="sync"):
        check_frame(lambda: SMOTE(random_state=1), frame, 4)
        check_frame(lambda: RandomOverSampler(random_state=1), frame, 4)


@pytest.mark.parametrize("labels", ["category", "Int64", "int8"])
def test_label_dtypes_kept(labels):
    frame = table([70, 25, 18])
    frame["y"] = frame["y"].astype(labels)
    with dask.config.set(scheduler="sync"):
        check_frame(lambda: SMOTE(random_state=1), frame, 4)
        check_frame(lambda: RandomOverSampler(random_state=1), frame, 4)


def test_minority_in_one_partition_and_in_every_partition():
    frame = table([200, 24])
    ordered = frame.sort_values("y", kind="stable").reset_index(drop=True)
    with dask.config.set(scheduler="sync"):
        # sorted: the first partitions hold no minority row, the last holds them all
        check_frame(lambda: SMOTE(random_state=2), ordered, 8)
        # one minority row per partition
        check_frame(lambda: SMOTE(random_state=2, k_neighbors=2), frame, 24)


def test_parquet_dataset_whose_label_column_alone_is_read_in_other_partitions(tmp_path):
    # Dask fuses the small reads of one projected Parquet column: the labels read alone
    # come in fewer partitions than the rows; the labels must come with their rows
    pytest.importorskip("pyarrow")
    frame = table([300, 60, 40], n_features=12, shift=0.8)  # rows in danger
    order = np.random.default_rng(5).permutation(len(frame))
    frame = frame.iloc[order].reset_index(drop=True)  # every class in every file
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 8)):
        frame.iloc[part].to_parquet(tmp_path / f"part.{i}.parquet", index=False)
    ddf = dd.read_parquet(tmp_path)
    # the premise: read alone, the column comes in fewer partitions
    assert len(ddf["y"].to_delayed()) < len(ddf.to_delayed())
    whole = ddf.compute().reset_index(drop=True)
    with dask.config.set(scheduler="sync"):
        for factory in (
            lambda: SMOTE(random_state=6),
            lambda: BorderlineSMOTE(random_state=6),
            lambda: RandomUnderSampler(random_state=6),
        ):
            out = fd.resample(ddf, "y", factory()).compute()
            assert_same_frame(out, fit_resample_in_dask_order(factory(), whole))


def test_empty_partitions():
    frame = table([150, 30, 20])
    ddf = dd.from_pandas(frame, npartitions=6, sort=False)
    parts = ddf.to_delayed()
    empty = dask.delayed(lambda f: f.iloc[:0])(parts[0])
    ddf = dd.from_delayed([empty, *parts[:3], empty, *parts[3:], empty], meta=ddf._meta)
    whole = ddf.compute().reset_index(drop=True)
    with dask.config.set(scheduler="sync"):
        for factory in (
            lambda: SMOTE(random_state=4),
            lambda: SMOTENC([0], random_state=4),
            lambda: RandomOverSampler(random_state=4),
            lambda: RandomUnderSampler(random_state=4),
        ):
            out = fd.resample(ddf, "y", factory()).compute()
            assert_same_frame(out, fit_resample_in_dask_order(factory(), whole))


def test_synthetic_column_and_index():
    frame = table([60, 20])
    ddf = dd.from_pandas(frame, npartitions=3, sort=False)
    with dask.config.set(scheduler="sync"):
        out = fd.resample(ddf, "y", SMOTE(random_state=0), synthetic_column="synthetic")
        got = out.compute()
    assert list(got.columns) == [*frame.columns, "synthetic"]
    assert got["synthetic"].dtype == bool
    assert not got["synthetic"].iloc[:80].any() and got["synthetic"].iloc[80:].all()
    assert got.index.tolist() == list(range(len(got)))  # input index, then output rows


# --------------------------------------------------------------------------- boundary samplers
def boundary_table(n_features, dtype):
    """Overlapping classes, with duplicated rows across the table (exact distance ties),
    some of another class (so ties decide labels)."""
    X, y = blobs([150, 40, 25], n_features=n_features, dtype=dtype, seed=2, shift=1.0)
    X[100:120], y[100:120] = X[10:30], y[10:30]
    X[120:140], y[120:140] = X[40:60], (y[40:60] + 1) % 3
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(n_features)])
    frame.insert(1, "y", y)
    return frame


BOUNDARY_CASES = [
    (lambda: BorderlineSMOTE(random_state=0), 5, np.float64),
    (lambda: BorderlineSMOTE(random_state=1, m_neighbors=4, k_neighbors=3), 10, np.float32),
    (lambda: BorderlineSMOTE(random_state=3, kind="borderline-2", k_neighbors=12), 10, np.float32),
    (lambda: ADASYN(random_state=0), 5, np.float32),
    (lambda: ADASYN(random_state=2, n_neighbors=7), 10, np.float64),
]


@pytest.mark.parametrize("factory, n_features, dtype", BOUNDARY_CASES)
def test_boundary_samplers_are_fit_resample(npartitions, factory, n_features, dtype):
    frame = boundary_table(n_features, dtype)
    sampler, reference = check_frame(factory, frame, npartitions, block_rows=13)
    assert sampler.n_synthetic_ == reference.n_synthetic_
    assert sampler.neighbors_backend_ == reference.neighbors_backend_
    assert sampler.all_rows_backend_ == reference.all_rows_backend_
    if isinstance(reference, BorderlineSMOTE):
        assert sampler.in_danger_indices_.keys() == reference.in_danger_indices_.keys()
        for label, rows in reference.in_danger_indices_.items():
            assert np.array_equal(sampler.in_danger_indices_[label], rows)
    else:
        for label, shares in reference.base_counts_.items():
            assert np.array_equal(sampler.base_counts_[label], shares)


@pytest.mark.parametrize("factory, n_features, dtype", BOUNDARY_CASES[1:4])
def test_boundary_samplers_arrays_are_fit_resample(factory, n_features, dtype):
    frame = boundary_table(n_features, dtype)
    X, y = frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()
    with dask.config.set(scheduler="sync"):
        X_res, y_res = fd.resample_arrays(da.from_array(X, chunks=(23, 3)), y, factory())
        X_got, y_got = dask.compute(X_res, y_res)
    X_ref, y_ref = factory().fit_resample(X, y)
    assert X_got.dtype == X_ref.dtype == dtype
    assert np.array_equal(X_got, X_ref) and np.array_equal(y_got, y_ref)


def test_borderline_class_without_danger_rows():
    frame = table([80, 30, 20], shift=20.0)  # far apart: no row in danger
    for kind in ("borderline-1", "borderline-2"):
        with dask.config.set(scheduler="sync"), pytest.warns(UserWarning, match="no row in"):
            sampler, reference = check_frame(
                lambda kind=kind: BorderlineSMOTE(random_state=0, kind=kind), frame, 4
            )
        assert sampler.n_synthetic_ == reference.n_synthetic_ == {1: 0, 2: 0}


@pytest.mark.parametrize(
    "sampler, match",
    [
        (ADASYN(neighbors="approx"), "'approx' backend.*neighbors='exact'"),
        (BorderlineSMOTE(m_neighbors=NearestNeighbors(n_neighbors=5)), "m_neighbors=<estimator>"),
    ],
)
def test_boundary_searches_without_a_distributed_algorithm(small_ddf, sampler, match):
    with dask.config.set(scheduler="sync"), pytest.raises(NotImplementedError, match=match):
        fd.resample(small_ddf, "y", sampler)


# --------------------------------------------------------------------------- random samplers
RANDOM_SAMPLERS = [
    lambda: RandomOverSampler(random_state=7),
    lambda: RandomOverSampler(random_state=7, sampling_strategy={1: 80, 2: 50}),
    lambda: RandomOverSampler(random_state=7, shrinkage=0.5),
    lambda: RandomOverSampler(
        random_state=7, sampling_strategy={1: 80, 2: 50}, shrinkage={1: 2.0, 2: 0.25}
    ),
    lambda: RandomUnderSampler(random_state=7),
    lambda: RandomUnderSampler(random_state=7, replacement=True),
    lambda: RandomUnderSampler(random_state=7, sampling_strategy={0: 30, 1: 20}),
]


def smoothed(factory):
    """Whether the sampler perturbs its copies (then X must be numeric and finite)."""
    return getattr(factory(), "shrinkage", None) is not None


@pytest.mark.parametrize("factory", RANDOM_SAMPLERS)
def test_random_samplers_frame_are_fit_resample(npartitions, factory):
    if smoothed(factory):  # the noise is computed from float32 rows, added in float64
        frame = table([90, 35, 14], dtype=np.float32, seed=2)
    else:
        frame = table([90, 35, 14], seed=2)
        frame["name"] = [f"row {i}" for i in range(len(frame))]  # any column is carried
        frame.loc[3, "f0"] = np.nan  # row selectors take NaN
    sampler, reference = check_frame(factory, frame, npartitions, block_rows=11)
    assert getattr(sampler, "shrinkage_", None) == getattr(reference, "shrinkage_", None)


@pytest.mark.parametrize(
    "factory, n_per_class, dtype",
    [
        (RANDOM_SAMPLERS[0], [70, 25, 9], np.float64),
        (RANDOM_SAMPLERS[4], [70, 25, 9], np.float64),
        (RANDOM_SAMPLERS[6], [70, 25, 9], np.float64),
        (RANDOM_SAMPLERS[3], [70, 25, 9], np.float32),
        (lambda: RandomOverSampler(random_state=7, shrinkage=0.5), [70, 25], np.float64),
        (lambda: RandomOverSampler(random_state=7, shrinkage={1: 1.5}), [70, 25], np.float32),
    ],
)
def test_random_samplers_arrays_are_fit_resample(factory, n_per_class, dtype):
    X, y = blobs(n_per_class, dtype=dtype, seed=3)
    sampler = factory()
    with dask.config.set(scheduler="sync"):
        X_res, y_res = fd.resample_arrays(
            da.from_array(X, chunks=(13, 4)), y, sampler, block_rows=7
        )
        X_got, y_got = dask.compute(X_res, y_res)
    reference = factory()
    X_ref, y_ref = reference.fit_resample(X, y)
    if isinstance(reference, RandomUnderSampler):
        order = np.argsort(reference.sample_indices_, kind="stable")
        X_ref, y_ref = X_ref[order], y_ref[order]
    assert X_got.dtype == X_ref.dtype and np.array_equal(y_got, y_ref)
    assert np.array_equal(X_got.view(np.uint8), X_ref.view(np.uint8))  # bit for bit


@pytest.mark.parametrize("power", [-1000, 900])
def test_smoothed_bootstrap_at_extreme_magnitudes_is_fit_resample(power):
    X, y = blobs([70, 25], seed=3)
    X = np.ldexp(X, power)  # the noise scale needs the standard deviation of such values
    with dask.config.set(scheduler="sync"):
        X_res, _ = fd.resample_arrays(
            da.from_array(X, chunks=(13, 4)), y, RandomOverSampler(random_state=7, shrinkage=1.0)
        )
        X_got = X_res.compute()
    X_ref, _ = RandomOverSampler(random_state=7, shrinkage=1.0).fit_resample(X, y)
    assert np.array_equal(X_got, X_ref)
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError, match="overflows float64"):
        big = da.from_array(np.ldexp(X, 1021 - power), chunks=(13, 4))
        sampler = RandomOverSampler(random_state=7, shrinkage=10.0)
        dask.compute(*fd.resample_arrays(big, y, sampler))


# --------------------------------------------------------------------------- SMOTENC
def mixed_table(n_per_class=(70, 18, 9), seed=0):
    """Continuous float32/float64 columns, a pandas category (with an unused category),
    a string and an int categorical column, and the target "y" in the middle."""
    rng = np.random.default_rng(seed)
    n = sum(n_per_class)
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    frame = pd.DataFrame(
        {
            "a": rng.standard_normal(n).astype(np.float32),
            "colour": pd.Categorical(
                rng.choice(["x", "y", "z"], n), categories=["z", "x", "w", "y"]
            ),
            "y": y[rng.permutation(n)],
            "town": rng.choice(["p", "q", "r", "s"], n),
            "level": rng.integers(3, 7, n),
            "b": rng.standard_normal(n) + y,
        }
    )
    return frame


def check_smotenc(factory, frame, npartitions, **kwargs):
    """check_frame, and SMOTENC's fitted attributes agree."""
    sampler, reference = check_frame(factory, frame, npartitions, **kwargs)
    assert sampler.median_std_ == reference.median_std_
    assert sampler.neighbors_backend_ == reference.neighbors_backend_
    assert list(sampler.categorical_features_) == list(reference.categorical_features_)
    found = sampler.categorical_encoder_.categories_
    for got, expected in zip(found, reference.categorical_encoder_.categories_, strict=True):
        assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_smotenc_frame_is_fit_resample(npartitions):
    from sklearn.preprocessing import OneHotEncoder

    categories = [["z", "y", "x", "v"], ["s", "r", "q", "p"], [3, 4, 5, 6, 7]]
    encoder = OneHotEncoder(categories=categories)
    check_smotenc(
        lambda: SMOTENC(
            ["colour", "town", "level"],
            categorical_encoder=encoder,
            k_neighbors=3,
            random_state=2,
        ),
        mixed_table(),
        npartitions,
        block_rows=7,
    )


@pytest.mark.parametrize(
    "categorical",
    [[1, -3, 3], [False, True, True, True, False], ["town", "colour"], "auto"],
    ids=["indices", "mask", "names", "auto"],
)
def test_smotenc_categorical_features_forms(categorical):
    frame = mixed_table(seed=1)
    if categorical == "auto":
        frame["town"] = frame["town"].astype("category")
    with dask.config.set(scheduler="sync"):
        check_smotenc(
            lambda: SMOTENC(categorical, random_state=4), frame, 7, synthetic_column="new"
        )


def test_smotenc_arrays_are_fit_resample():
    rng = np.random.default_rng(2)
    y = np.repeat([0, 1, 2], [60, 15, 8])
    X = rng.standard_normal((y.size, 4))
    X[:, 1], X[:, 3] = rng.integers(0, 3, y.size), rng.integers(5, 9, y.size)
    X_ref, y_ref = SMOTENC([3, 1], k_neighbors=3, random_state=5).fit_resample(X, y)
    with dask.config.set(scheduler="sync"):
        for n in (1, 16):
            X_d = da.from_array(X, chunks=(-(-y.size // n), 2))
            out = fd.resample_arrays(X_d, y, SMOTENC([3, 1], k_neighbors=3, random_state=5))
            X_got, y_got = dask.compute(*out)
            assert X_got.dtype == X_ref.dtype == np.float64
            assert np.array_equal(X_got.view(np.uint64), X_ref.view(np.uint64))
            assert np.array_equal(y_got, y_ref)


def test_smotenc_parquet_files_with_their_own_categories(tmp_path):
    """Each file's category set is its partition's dtype; the computed frame's is their
    union in order of appearance, and so is the output's."""
    rng = np.random.default_rng(3)
    for i, categories in enumerate([["b", "a"], ["c", "a"], ["d", "b", "a"]]):
        values = pd.Categorical(rng.choice(categories, 30), categories=categories)
        part = pd.DataFrame({"x": rng.standard_normal(30), "c": values, "y": i % 2})
        part.to_parquet(tmp_path / f"p{i}.parquet", index=False)
    with dask.config.set(scheduler="sync"):
        check_smotenc(
            lambda: SMOTENC(["c"], random_state=1),
            dd.read_parquet(tmp_path).compute(),
            None,
            ddf=dd.read_parquet(tmp_path),
        )


def test_smotenc_missing_category_names_the_column():
    frame = mixed_table()
    frame["town"] = frame["town"].astype("string")
    frame.loc[frame.index[-3], "town"] = pd.NA  # in the last partition only
    ddf = dd.from_pandas(frame, npartitions=4, sort=False)
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ValueError, match="categorical column 'town' has missing"):
            fd.resample(ddf, "y", SMOTENC(["colour", "town"]))


def test_smotenc_column_categorical_in_some_partitions_only():
    from dask import delayed

    frame = mixed_table()
    first, second = frame.iloc[:50], frame.iloc[50:].astype({"colour": str})
    ddf = dd.from_delayed(
        [delayed(first.copy)(), delayed(second.copy)()], meta=frame.iloc[:0], verify_meta=False
    )
    with dask.config.set(scheduler="sync"):
        with pytest.raises(
            ValueError, match="column 'colour' is categorical in some partitions and not"
        ):
            fd.resample(ddf, "y", SMOTENC(["colour"]))


def test_smotenc_without_a_distributed_algorithm(small_ddf):
    from sklearn.preprocessing import OneHotEncoder

    with pytest.raises(NotImplementedError, match="k_neighbors=<estimator>.*as an int"):
        fd.resample(small_ddf, "y", SMOTENC([0], k_neighbors=NearestNeighbors(n_neighbors=4)))
    with pytest.raises(NotImplementedError, match="min_frequency"):
        fd.resample(
            small_ddf, "y", SMOTENC([0], categorical_encoder=OneHotEncoder(min_frequency=3))
        )


# --------------------------------------------------------------------------- TomekLinks
def tied_table(n_per_class, dtype, seed):
    """Rounded blobs (tied distances) with a row of the last class repeating one of the
    first class far away in the frame: a link at distance 0 across partitions."""
    frame = table(n_per_class, dtype=dtype, seed=seed, shift=1.0)
    features = [c for c in frame.columns if c != "y"]
    frame[features] = frame[features].round(1).astype(dtype)
    last = int(np.flatnonzero(frame["y"].to_numpy() == len(n_per_class) - 1)[-1])
    frame.loc[last, features] = frame.loc[3, features].to_numpy()
    return frame


TOMEK_CASES = [  # (dtype, classes, sampling_strategy)
    (np.float64, [120, 30], "auto"),
    (np.float32, [100, 40, 25], "all"),
    (np.float64, [100, 40, 25], "majority"),
    (np.float32, [70, 70], "auto"),
]


@pytest.mark.parametrize("dtype, n_per_class, strategy", TOMEK_CASES)
def test_tomek_links_frame_is_fit_resample(npartitions, dtype, n_per_class, strategy):
    frame = tied_table(n_per_class, dtype, seed=5)
    sampler, reference = check_frame(
        lambda: TomekLinks(sampling_strategy=strategy), frame, npartitions
    )
    assert sampler.neighbors_backend_ == reference.neighbors_backend_
    assert sampler.record().n_removed > 0  # links were found


@pytest.mark.parametrize("chunk_rows", [11, 500])
def test_tomek_links_arrays_are_fit_resample(chunk_rows):
    frame = tied_table([150, 40, 20], np.float64, seed=6)
    X, y = frame.drop(columns=["y"]).to_numpy(), frame["y"].to_numpy()
    with dask.config.set(scheduler="sync"):
        X_res, y_res = fd.resample_arrays(
            da.from_array(X, chunks=(chunk_rows, 2)), y, TomekLinks()
        )
        assert not np.isnan(X_res.shape[0])  # the kept rows are counted when planned
        X_got, y_got = dask.compute(X_res, y_res)
    X_ref, y_ref = TomekLinks().fit_resample(X, y)
    assert np.array_equal(X_got, X_ref) and np.array_equal(y_got, y_ref)


def test_tomek_links_where_a_pointed_row_points_to_an_unsearched_row():
    """Minority row 61's nearest is row 62 of the largest class, whose nearest is row 60
    of the same class: row 60 is not searched, and 62 is in no link (looking up 60 among
    the searched rows must not land on another row's list)."""
    rng = np.random.default_rng(2)
    X = np.r_[rng.random((60, 2)) * 10, [[20.0, 20.0], [20.5, 20.0], [20.2, 20.0]]]
    y = np.r_[np.zeros(60, int), [0, 1, 0]]
    with dask.config.set(scheduler="sync"):
        X_res, y_res = fd.resample_arrays(da.from_array(X, chunks=(20, 2)), y, TomekLinks())
        got = dask.compute(X_res, y_res)
    expected = TomekLinks().fit_resample(X, y)
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])


def test_tomek_links_other_searches_and_budget(small_ddf):
    with pytest.raises(NotImplementedError, match="exact only"):
        fd.resample(small_ddf, "y", TomekLinks(neighbors="approx"))
    with pytest.raises(ValueError, match="outside the largest class"):
        fd.resample(small_ddf, "y", TomekLinks(), broadcast_budget=1e-4)
    out = fd.resample(small_ddf, "y", TomekLinks(sampling_strategy=[])).compute()
    assert len(out) == 50  # no class targeted: nothing searched, nothing removed


# ------------------------------------------------------------ EditedNearestNeighbours
ENN_CASES = [  # (dtype, classes, sampling_strategy, kind_sel, n_neighbors)
    (np.float64, [120, 30], "auto", "all", 3),
    (np.float32, [100, 40, 25], "all", "mode", 4),
    (np.float64, [100, 40, 25], "majority", "mode", 1),
    (np.float32, [70, 70], "not minority", "all", 5),
]


@pytest.mark.parametrize("dtype, n_per_class, strategy, kind_sel, k", ENN_CASES)
def test_edited_nearest_neighbours_frame_is_fit_resample(
    npartitions, dtype, n_per_class, strategy, kind_sel, k
):
    frame = tied_table(n_per_class, dtype, seed=7)
    params = {"sampling_strategy": strategy, "kind_sel": kind_sel, "n_neighbors": k}
    sampler, reference = check_frame(lambda: EditedNearestNeighbours(**params), frame, npartitions)
    assert sampler.neighbors_backend_ == reference.neighbors_backend_
    assert sampler.record().n_removed > 0


@pytest.mark.parametrize("chunk_rows", [7, 500])
def test_edited_nearest_neighbours_arrays_are_fit_resample(chunk_rows):
    """Duplicated rows across chunks (each the other's neighbour at distance 0) and a
    chunk smaller than the neighbour count."""
    frame = tied_table([150, 40, 20], np.float64, seed=8)
    X, y = frame.drop(columns=["y"]).to_numpy(copy=True), frame["y"].to_numpy(copy=True)
    X[180:190], y[180:190] = X[:10], y[:10]
    sampler = EditedNearestNeighbours(n_neighbors=9, kind_sel="mode")
    with dask.config.set(scheduler="sync"):
        X_res, y_res = fd.resample_arrays(da.from_array(X, chunks=(chunk_rows, 2)), y, sampler)
        assert not np.isnan(X_res.shape[0])  # the kept rows are counted when planned
        X_got, y_got = dask.compute(X_res, y_res)
    reference = EditedNearestNeighbours(n_neighbors=9, kind_sel="mode")
    X_ref, y_ref = reference.fit_resample(X, y)
    order = np.argsort(reference.sample_indices_, kind="stable")
    assert np.array_equal(X_got, X_ref[order]) and np.array_equal(y_got, y_ref[order])
    assert len(y_got) < len(y)


def test_edited_nearest_neighbours_other_searches_and_counts(small_ddf):
    with pytest.raises(NotImplementedError, match="exact only"):
        fd.resample(small_ddf, "y", EditedNearestNeighbours(neighbors="approx"))
    with pytest.raises(NotImplementedError, match="n_neighbors=<estimator>.*as an int"):
        fd.resample(
            small_ddf, "y", EditedNearestNeighbours(n_neighbors=NearestNeighbors(n_neighbors=4))
        )
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ValueError, match="n_neighbors"):
            fd.resample(small_ddf, "y", EditedNearestNeighbours(n_neighbors=50))
        sampler = EditedNearestNeighbours(sampling_strategy=[])
        out = fd.resample(small_ddf, "y", sampler).compute()
    assert len(out) == 50 and sampler.neighbors_backend_ == {}  # nothing searched


# ------------------------------------------------------------------ repeated editors
EDITORS = [
    lambda: RepeatedEditedNearestNeighbours(kind_sel="mode", n_neighbors=4),
    lambda: RepeatedEditedNearestNeighbours(sampling_strategy="all", max_iter=2),
    lambda: AllKNN(n_neighbors=4),
    lambda: AllKNN(sampling_strategy="all", kind_sel="mode", allow_minority=True),
]


@pytest.mark.parametrize("make", EDITORS)
def test_repeated_editors_are_fit_resample(chain_npartitions, make):
    """Rounds of EditedNearestNeighbours on the previous round's lazy output: the rows,
    the rounds and the counts of fit_resample."""
    frame = tied_table([120, 40, 30], np.float64, seed=11)
    sampler, reference = check_frame(make, frame, chain_npartitions, synthetic_column="added")
    assert getattr(sampler, "n_iter_", None) == getattr(reference, "n_iter_", None)
    assert sampler.neighbors_backend_ == reference.neighbors_backend_
    assert sampler.record().n_removed > 0


@pytest.mark.parametrize("make", [RepeatedEditedNearestNeighbours, AllKNN])
def test_repeated_editors_break_a_minority_tie_by_the_first_class_seen(make):
    """Classes 1 and 2 have 20 rows each, class 2 seen first, so it is the minority of
    the stopping rule: class 2 lies apart and keeps its rows, class 1 overlaps class 0 and
    loses some, which stops the rounds after the first (taking class 1 for the minority,
    they would go on)."""
    rng = np.random.default_rng(12)
    y = np.r_[np.full(20, 2), np.zeros(80, int), np.ones(20, int)]
    X = np.round(rng.standard_normal((120, 2)) + np.array([0.0, 1.5, 10.0])[y][:, None], 1)
    reference = make(sampling_strategy="all", n_neighbors=3)
    X_ref, y_ref = reference.fit_resample(X, y)
    order = np.argsort(reference.sample_indices_, kind="stable")
    with dask.config.set(scheduler="sync"):
        sampler = make(sampling_strategy="all", n_neighbors=3)
        X_res, y_res = fd.resample_arrays(da.from_array(X, chunks=(23, 2)), y, sampler)
        X_got, y_got = dask.compute(X_res, y_res)
    assert np.array_equal(X_got, X_ref[order]) and np.array_equal(y_got, y_ref[order])
    assert getattr(sampler, "n_iter_", None) == getattr(reference, "n_iter_", None)


def test_repeated_editors_refuse_an_estimator(small_ddf):
    for sampler in (
        RepeatedEditedNearestNeighbours(n_neighbors=NearestNeighbors(n_neighbors=3)),
        AllKNN(n_neighbors=NearestNeighbors(n_neighbors=3)),
    ):
        with pytest.raises(NotImplementedError, match="n_neighbors=<estimator>"):
            fd.resample(small_ddf, "y", sampler)


# ------------------------------------------------------------ NeighbourhoodCleaningRule
NCR_CASES = [  # (classes, sampling_strategy, n_neighbors, threshold_cleaning, seed)
    ([120, 40, 30], "auto", 3, 0.5, 13),
    # a minority tie, class 2 seen first: taking class 1 would remove other rows here
    ([100, 30, 30], "all", 4, 0.1, 28),
    ([150, 25], "majority", 2, 0.5, 13),
]


@pytest.mark.parametrize("n_per_class, strategy, k, threshold, seed", NCR_CASES)
def test_neighbourhood_cleaning_rule_is_fit_resample(
    npartitions, n_per_class, strategy, k, threshold, seed
):
    frame = tied_table(n_per_class, np.float64, seed=seed)
    frame = frame.iloc[::-1].reset_index(drop=True)  # the last class is seen first
    params = {"sampling_strategy": strategy, "n_neighbors": k, "threshold_cleaning": threshold}
    sampler, reference = check_frame(
        lambda: NeighbourhoodCleaningRule(**params), frame, npartitions
    )
    assert sampler.classes_to_clean_ == reference.classes_to_clean_
    assert sampler.neighbors_backend_ == reference.neighbors_backend_
    enn, expected = sampler.edited_nearest_neighbours_, reference.edited_nearest_neighbours_
    assert enn.get_params() == expected.get_params()
    assert enn.sampling_strategy_ == expected.sampling_strategy_
    assert sampler.record().n_removed > 0


# --------------------------------------------------------------------------- NearMiss
NEARMISS_CASES = [  # (classes, params)
    ([120, 40, 30], {"version": 1}),
    ([120, 30, 30], {"version": 2, "n_neighbors": 2, "sampling_strategy": "all"}),
    ([150, 25], {"version": 3, "n_neighbors_ver3": 2}),
    ([100, 40, 30], {"version": 3, "n_neighbors": 2, "n_neighbors_ver3": 4}),
]


@pytest.mark.parametrize("n_per_class, params", NEARMISS_CASES)
def test_nearmiss_is_fit_resample(npartitions, n_per_class, params):
    """Tied scores (rounded rows) broken by the lower row across partitions, the class
    seen first as the minority on a tie (reversed frame)."""
    frame = tied_table(n_per_class, np.float64, seed=14).iloc[::-1].reset_index(drop=True)
    sampler, reference = check_frame(lambda: NearMiss(**params), frame, npartitions)
    assert sampler.n_samples_out_ == reference.n_samples_out_ < len(frame)


def test_nearmiss_3_that_preselects_too_few_rows_warns_and_keeps_them():
    frame = tied_table([150, 10], np.float64, seed=15)
    X, y = frame.drop(columns=["y"]).to_numpy(), frame["y"].to_numpy()
    with pytest.warns(UserWarning, match="NearMiss-3 preselected"):
        reference = NearMiss(version=3, n_neighbors_ver3=1)
        X_ref, y_ref = reference.fit_resample(X, y)
    order = np.argsort(reference.sample_indices_, kind="stable")
    with dask.config.set(scheduler="sync"), pytest.warns(UserWarning, match="preselected"):
        sampler = NearMiss(version=3, n_neighbors_ver3=1)
        X_res, y_res = fd.resample_arrays(da.from_array(X, chunks=(40, 2)), y, sampler)
        X_got, y_got = dask.compute(X_res, y_res)
    assert np.array_equal(X_got, X_ref[order]) and np.array_equal(y_got, y_ref[order])
    assert sampler.record().class_counts_after == reference.record().class_counts_after
    assert sampler.n_samples_out_ == len(y_got) < 20


def test_nearmiss_checks_and_estimators(small_ddf):
    with pytest.raises(NotImplementedError, match="n_neighbors=<estimator>"):
        fd.resample(small_ddf, "y", NearMiss(n_neighbors=NearestNeighbors(n_neighbors=3)))
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ValueError, match="n_neighbors=11 .*use n_neighbors <= 10"):
            fd.resample(small_ddf, "y", NearMiss(n_neighbors=11))
        with pytest.raises(ValueError, match="n_neighbors_ver3=41 .*<= 40"):
            fd.resample(small_ddf, "y", NearMiss(version=3, n_neighbors_ver3=41))


# ------------------------------------------------------------ SMOTE then cleaning
@pytest.mark.parametrize(
    "make",
    [
        lambda: SMOTEENN(random_state=4),
        lambda: SMOTETomek(random_state=4, sampling_strategy="minority"),
        lambda: SMOTEENN(
            smote=SMOTE(k_neighbors=3, random_state=1, neighbors="approx"),
            enn=EditedNearestNeighbours(kind_sel="mode", sampling_strategy="majority"),
        ),
    ],
)
def test_smote_then_cleaning_is_fit_resample(chain_npartitions, make):
    """The cleaner runs on the over-sampler's lazy output: fit_resample's rows (the
    cleaner's kept rows in the order of SMOTE's output), counts and fitted steps."""
    frame = tied_table([120, 35, 20], np.float64, seed=9)
    sampler, reference = check_frame(make, frame, chain_npartitions)
    assert sampler.sampling_strategy_ == reference.sampling_strategy_
    record, expected = sampler.record(), reference.record()
    assert (record.n_synthetic, record.n_removed) == (expected.n_synthetic, expected.n_removed)
    assert record.n_removed > 0
    cleaner = "enn_" if isinstance(sampler, SMOTEENN) else "tomek_"
    assert getattr(sampler, cleaner).get_params() == getattr(reference, cleaner).get_params()
    assert sampler.smote_.random_key_ == reference.smote_.random_key_


def test_smote_then_cleaning_marks_the_synthetic_rows_and_takes_arrays():
    frame = tied_table([90, 30], np.float64, seed=10)
    X, y = frame.drop(columns=["y"]).to_numpy(), frame["y"].to_numpy()
    reference = SMOTEENN(random_state=2)
    X_ref, y_ref = reference.fit_resample(X, y)
    kept = reference.enn_.sample_indices_
    order = np.argsort(kept, kind="stable")
    with dask.config.set(scheduler="sync"):
        ddf = dd.from_pandas(frame, npartitions=3, sort=False)
        out = fd.resample(ddf, "y", SMOTEENN(random_state=2), synthetic_column="added")
        out = out.compute()
        X_res, y_res = fd.resample_arrays(
            da.from_array(X, chunks=(25, 2)), y, SMOTEENN(random_state=2)
        )
        X_got, y_got = dask.compute(X_res, y_res)
    assert np.array_equal(out["added"].to_numpy(), np.sort(kept) >= len(frame))
    assert out["added"].dtype == bool and out["added"].any()
    assert np.array_equal(X_got, X_ref[order]) and np.array_equal(y_got, y_ref[order])


# --------------------------------------------------------------------------- errors
@pytest.fixture
def small_ddf():
    return dd.from_pandas(table([40, 10]), npartitions=3, sort=False)


def test_unknown_target_column(small_ddf):
    with pytest.raises(ValueError, match="target column 'label' is not in the DataFrame"):
        fd.resample(small_ddf, "label", SMOTE())


def test_non_numeric_features_refused_by_smote_and_shrinkage(small_ddf):
    ddf = small_ddf.assign(name="a")
    with (
        dask.config.set(scheduler="sync"),
        pytest.raises(ValueError, match=r"non-numeric columns \['name'\]"),
    ):
        fd.resample(ddf, "y", SMOTE(random_state=0))
    with dask.config.set(scheduler="sync"):
        assert len(fd.resample(ddf, "y", RandomOverSampler(random_state=0))) == 80
    frame = ddf.compute()
    smoothed = RandomOverSampler(random_state=0, shrinkage=1.0)
    with pytest.raises(ValueError, match="only numerical data") as in_memory:
        smoothed.fit_resample(frame.drop(columns="y"), frame["y"])
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError) as on_dask:
        fd.resample(ddf, "y", smoothed)
    assert str(on_dask.value) == str(in_memory.value)


@pytest.mark.parametrize("label", [0, 1])  # a row passed through, a row gathered
def test_nan_raises_when_computed_naming_the_global_row(label):
    frame = table([40, 10])
    row = int(np.flatnonzero(frame["y"] == label)[-1])
    frame.loc[row, "f2"] = np.nan
    ddf = dd.from_pandas(frame, npartitions=3, sort=False)
    with dask.config.set(scheduler="sync"):
        for sampler in (SMOTE(random_state=0), RandomOverSampler(random_state=0, shrinkage=1.0)):
            out = fd.resample(ddf, "y", sampler)
            with pytest.raises(ValueError, match=f"NaN \\(first at row {row}, column 'f2'\\)"):
                out.compute()
        X, y = frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()
        X_res, _ = fd.resample_arrays(da.from_array(X, chunks=7), y, SMOTE(random_state=0))
        with pytest.raises(ValueError, match=f"NaN \\(first at row {row}\\)"):
            X_res.compute()


def test_over_the_broadcast_budget(small_ddf):
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ValueError, match=r"class 1, 10 rows: 0\.0 MiB.*broadcast_budget="):
            fd.resample(small_ddf, "y", SMOTE(random_state=0), broadcast_budget=1e-4)
        with pytest.raises(ValueError, match=r"class 1, 10 rows: 0\.0 MiB.*broadcast_budget="):
            fd.resample(small_ddf, "y", RandomOverSampler(random_state=0), broadcast_budget=1e-4)
        with pytest.raises(ValueError, match=r"class 1, 10 rows: 0\.0 MiB.*broadcast_budget="):
            fd.resample(
                small_ddf,
                "y",
                RandomOverSampler(random_state=0, shrinkage=1.0),
                broadcast_budget=1e-4,
            )
        with pytest.raises(ValueError, match="positive number"):
            fd.resample(small_ddf, "y", SMOTE(random_state=0), broadcast_budget=0)


def test_neighbourhood_cleaning_rule_needs_its_default_edited_nearest_neighbours(small_ddf):
    for sampler in (
        NeighbourhoodCleaningRule(edited_nearest_neighbours=EditedNearestNeighbours()),
        NeighbourhoodCleaningRule(n_neighbors=NearestNeighbors(n_neighbors=4)),
    ):
        with pytest.raises(NotImplementedError, match="default Edited Nearest Neighbours"):
            fd.resample(small_ddf, "y", sampler)


@pytest.mark.parametrize(
    "sampler, message",
    [
        (SMOTEENN(enn=CondensedNearestNeighbour()), "each step does: its Condensed"),
        (SMOTETomek(smote=SVMSMOTE(random_state=0)), "each step does: its SVMSMOTE"),
        # the cleaner would see the rows in another order than fit_resample gives it
        (SMOTEENN(smote=RandomUnderSampler()), "an over-sampler as its first step"),
        (SMOTETomek(smote=NearMiss(), tomek=TomekLinks()), "its NearMiss step reorders"),
    ],
)
def test_combinations_need_steps_on_dask(small_ddf, sampler, message):
    with pytest.raises(NotImplementedError, match=message):
        fd.resample(small_ddf, "y", sampler)


@pytest.mark.parametrize(
    "sampler",
    [
        SMOTEENN(random_state=0, enn=AllKNN()),
        SMOTEENN(random_state=1, enn=RepeatedEditedNearestNeighbours(max_iter=3)),
        SMOTETomek(random_state=2, tomek=NearMiss(version=3, n_neighbors_ver3=2)),
        SMOTEENN(random_state=3, enn=NeighbourhoodCleaningRule()),
        SMOTETomek(smote=RandomOverSampler(random_state=4), tomek=SMOTE(random_state=5)),
    ],
    ids=["allknn", "renn", "nearmiss-3", "ncr", "ros-then-smote"],
)
def test_combinations_with_any_step_on_dask_are_fit_resample(sampler):
    """Every sampler on Dask may follow the over-sampler, the rounds of ENN included;
    with a synthetic_column marking the rows the first step added that are kept."""
    rng = np.random.default_rng(7)
    y = rng.choice([0, 1, 2], size=150, p=[0.6, 0.25, 0.15])
    frame = pd.DataFrame(np.round(rng.standard_normal((150, 3)) + y[:, None], 1),
                         columns=["a", "b", "c"]).assign(y=y)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NearMiss-3 preselects too few rows
        reference = clone(sampler)
        expected = fit_resample_in_dask_order(reference, frame)
        second = getattr(reference, "enn_", None) or reference.tomek_
        kept = np.arange(len(expected))  # rows of the first step's output kept, in order
        if second._sampling_type != "over-sampling":
            kept = np.sort(second.sample_indices_)
        with dask.config.set(scheduler="sync"):
            for n in (1, 4, 9):
                fitted = clone(sampler)
                out = fd.resample(dd.from_pandas(frame, npartitions=n), "y", fitted,
                                  synthetic_column="new").compute()  # fmt: skip
                assert_same_frame(out.drop(columns="new"), expected)
                np.testing.assert_array_equal(out["new"].to_numpy(), kept >= 150)
                X_d = da.from_array(frame[["a", "b", "c"]].to_numpy(), chunks=(-(-150 // n), 3))
                X_got, y_got = dask.compute(*fd.resample_arrays(X_d, y, clone(sampler)))
                np.testing.assert_array_equal(X_got, expected[["a", "b", "c"]].to_numpy())
                np.testing.assert_array_equal(y_got, expected["y"].to_numpy())


@pytest.mark.parametrize(
    "sampler",
    [CondensedNearestNeighbour(), SVMSMOTE(random_state=0), ClusterCentroids(random_state=0)],
)
def test_the_rest_of_the_family_is_not_on_dask(small_ddf, sampler):
    with pytest.raises(NotImplementedError, match="not available on Dask.*fit_resample"):
        fd.resample(small_ddf, "y", sampler)


def test_foreign_sampler_and_callable_strategy(small_ddf):
    with pytest.raises(TypeError, match="resamples with SMOTE"):
        fd.resample(small_ddf, "y", object())
    with dask.config.set(scheduler="sync"), pytest.raises(NotImplementedError, match="dict"):
        fd.resample(small_ddf, "y", SMOTE(sampling_strategy=lambda y: {1: 40}))


def test_class_too_small_for_k():
    ddf = dd.from_pandas(table([40, 4]), npartitions=3, sort=False)
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ValueError, match="Class 1 has 4 row.*k_neighbors=5.*<= 3"):
            fd.resample(ddf, "y", SMOTE(random_state=0))


@pytest.mark.parametrize("sampler", [SMOTE(), NearMiss(), TomekLinks()], ids=repr)
@pytest.mark.parametrize("missing", [np.nan, None])
def test_missing_label_names_its_row(sampler, missing):
    frame = table([40, 10]).astype({"y": "float64" if missing is np.nan else object})
    frame.loc[33, "y"] = missing
    ddf = dd.from_pandas(frame, npartitions=4, sort=False)
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError, match="row 33"):
        fd.resample(ddf, "y", clone(sampler))


def test_import_fastsmote_does_not_import_dask():
    code = "import sys, fastsmote; print(any(m.split('.')[0] == 'dask' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------ every entry point checks
COMPOSED = {
    "allknn": lambda: AllKNN(),
    "renn": lambda: RepeatedEditedNearestNeighbours(),
    "smote-enn": lambda: SMOTEENN(random_state=0),
    "smote-tomek": lambda: SMOTETomek(random_state=0),
}


@pytest.mark.parametrize("name", COMPOSED)
def test_rounds_and_combinations_check_their_input_first(small_ddf, name):
    """The samplers run as several steps check the frame, synthetic_column (never
    written over a column) and broadcast_budget as the others do, before any step."""
    make = COMPOSED[name]
    for column in ("f0", "y"):
        with pytest.raises(ValueError, match=f"synthetic_column='{column}' is already a column"):
            fd.resample(small_ddf, "y", make(), synthetic_column=column)
    with pytest.raises(TypeError, match="takes a dask.dataframe.DataFrame"):
        fd.resample(small_ddf.compute(), "y", make())
    for budget in (-1, "lots"):
        with pytest.raises(ValueError, match="broadcast_budget must be a positive number"):
            fd.resample(small_ddf, "y", make(), broadcast_budget=budget)


@pytest.mark.parametrize("name", ["allknn", "renn"])
def test_rounds_take_labels_as_a_dask_series(name):
    frame = table([40, 12, 9], shift=0.7)
    X, y = frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()
    reference = COMPOSED[name]()
    reference.fit_resample(X, y)
    kept = np.sort(reference.sample_indices_)  # the Dask order: kept rows in input order
    assert kept.size < y.size
    labels = dd.from_pandas(frame["y"], npartitions=3)
    with dask.config.set(scheduler="sync"):
        X_got, y_got = dask.compute(
            *fd.resample_arrays(da.from_array(X, chunks=(13, -1)), labels, COMPOSED[name]())
        )
    np.testing.assert_array_equal(X_got, X[kept])
    np.testing.assert_array_equal(y_got, y[kept])


def test_labels_of_another_length_or_unknown_chunks_are_refused():
    X = da.from_array(np.zeros((80, 2)), chunks=(20, 2))
    with pytest.raises(ValueError, match="X has 80 rows but y has 79"):
        fd.resample_arrays(X, np.zeros(79), EditedNearestNeighbours())
    y = da.from_array(np.r_[np.zeros(60), np.ones(20)], chunks=20)
    with pytest.raises(ValueError, match="y has unknown chunk sizes"):
        fd.resample_arrays(X, y[y >= 0], EditedNearestNeighbours())


@pytest.mark.parametrize(
    "sampler",
    [
        NearMiss(sampling_strategy="majority"),  # the NaN's class is neither kept nor scored
        NearMiss(sampling_strategy={}),
        EditedNearestNeighbours(sampling_strategy=[]),
        TomekLinks(sampling_strategy=[]),
        AllKNN(sampling_strategy=[]),
    ],
    ids=["nearmiss-majority", "nearmiss-nothing", "enn-nothing", "tomek-nothing", "allknn"],
)
def test_a_missing_value_in_rows_never_searched_raises_as_in_memory(sampler):
    frame = table([30, 16, 14])
    row = int(np.flatnonzero(frame["y"].to_numpy() == 2)[3])
    frame.loc[row, "f1"] = np.nan
    message = rf"X contains NaN \(first at row {row}, column 'f1'\)"
    with pytest.raises(ValueError, match=message):
        clone(sampler).fit_resample(frame.drop(columns="y"), frame["y"])
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError, match=message):
        fd.resample(dd.from_pandas(frame, npartitions=4, sort=False), "y", clone(sampler))


@pytest.mark.parametrize(
    "sampler",
    [
        EditedNearestNeighbours(),
        TomekLinks(),
        NeighbourhoodCleaningRule(),
        BorderlineSMOTE(random_state=0, k_neighbors=3),
        ADASYN(random_state=0, n_neighbors=3),
    ],
    ids=["enn", "tomek", "ncr", "borderline", "adasyn"],
)
def test_searches_scale_as_the_spans_of_all_rows_ask(sampler):
    """A partition of rows 1e-200 apart inside data spanning ~4 (searched unscaled in
    memory, its squares underflowing), and data spanning 1e-200 in all (scaled in
    memory): the rows of fit_resample; spans whose squares could overflow raise as in
    memory."""
    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], [45, 15])
    X = np.round(rng.standard_normal((60, 2)), 2) + y[:, None]
    X[:20] = 1.0 + rng.random((20, 2)) * 1e-200  # the first partition: tightly packed
    for data in (X, X * 1e-200):
        frame = pd.DataFrame(data, columns=["a", "b"]).assign(y=y)
        expected = fit_resample_in_dask_order(clone(sampler), frame)
        with dask.config.set(scheduler="sync"):
            got = fd.resample(dd.from_pandas(frame, npartitions=3, sort=False), "y",
                              clone(sampler)).compute()  # fmt: skip
        assert_same_frame(got, expected)
    frame = pd.DataFrame(X * 1e153, columns=["a", "b"]).assign(y=y)
    with pytest.raises(ValueError, match="squared distances between rows can exceed"):
        clone(sampler).fit_resample(frame[["a", "b"]], frame["y"])
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError, match="can exceed"):
        fd.resample(dd.from_pandas(frame, npartitions=3, sort=False), "y", clone(sampler))


def test_dask_leaves_no_row_numbers_of_an_earlier_fit(small_ddf):
    sampler = EditedNearestNeighbours()
    sampler.fit_resample(np.random.default_rng(0).standard_normal((30, 2)), np.arange(30) % 2)
    with dask.config.set(scheduler="sync"):
        fd.resample(small_ddf, "y", sampler)
    assert not hasattr(sampler, "sample_indices_")


def test_a_combination_names_the_step_a_bad_parameter_is_for(small_ddf):
    sampler = SMOTEENN(random_state=0, enn=EditedNearestNeighbours(n_neighbors=80))
    with (
        dask.config.set(scheduler="sync"),
        pytest.raises(
            ValueError, match="the EditedNearestNeighbours step cleans the 80 rows the SMOTE step"
        ),
    ):
        fd.resample(small_ddf, "y", sampler)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_nearmiss_scales_as_fit_resample_does(version):
    """A partition of class rows and minority rows ~1e-175 apart inside a class spanning
    ~10 (fit_resample's squares underflow: ties), and data spanning ~1e-175 in all
    (fit_resample scales them; NearMiss-3's preselection was refused): its rows."""
    rng = np.random.default_rng(0)
    X = np.r_[rng.random((40, 2)) * 1e-175, rng.standard_normal((40, 2)) * 4 + 10,
              rng.random((10, 2)) * 1e-175]  # fmt: skip
    y = np.repeat([0, 1], [80, 10])
    for data in (X, X * 1e-175 * 1e10):
        frame = pd.DataFrame(data, columns=["a", "b"]).assign(y=y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # NearMiss-3 preselects few rows
            expected = fit_resample_in_dask_order(NearMiss(version=version), frame)
            with dask.config.set(scheduler="sync"):
                got = fd.resample(dd.from_pandas(frame, npartitions=3, sort=False), "y",
                                  NearMiss(version=version)).compute()  # fmt: skip
        assert_same_frame(got, expected)


def test_nearmiss_3_scales_its_scores_as_fit_resample_does():
    """The preselected rows span ~1, but one partition's (and the minority's) lie ~1e-170
    apart: fit_resample's squares underflow to ties (the lower rows kept), which that
    partition alone would resolve."""
    rng = np.random.default_rng(1)
    X = np.r_[rng.random((5, 2)) * 1e-170, rng.random((10, 2)) * 1e-170,
              rng.random((30, 2)) + 1]  # fmt: skip
    y = np.repeat([0, 1, 0], [5, 10, 30])
    frame = pd.DataFrame(X, columns=["a", "b"]).assign(y=y)
    sampler = NearMiss(version=3, n_neighbors_ver3=13)
    expected = fit_resample_in_dask_order(clone(sampler), frame)
    tiny = expected[expected["y"].eq(0) & expected["a"].lt(1e-100)]
    assert_same_frame(tiny, frame.iloc[:2])  # two of five tied rows kept: the lower
    with dask.config.set(scheduler="sync"):
        got = fd.resample(dd.from_pandas(frame, npartitions=3, sort=False), "y", sampler)
        assert_same_frame(got.compute(), expected)
