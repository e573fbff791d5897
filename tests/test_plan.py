"""The public SMOTE plan: jobs built without a fitted sampler, ranges, chunks, origins;
and the named random streams."""

import numpy as np
import pytest
from conftest import blobs
from naive import stream_key as naive_stream_key

from fastsmote import ADASYN, SMOTE, SMOTEN, BorderlineSMOTE
from fastsmote._random import (
    ALL_ROWS_GRAPH_STREAM,
    CLASS_GRAPH_STREAM,
    DAMP_STREAM,
    FIXED_GRAPH_KEY,
    FOLD_SPLIT_STREAM,
    REPORT_GRAPH_STREAM,
    STREAMS,
    TIE_STREAM,
    class_stream,
    cluster_graph_stream,
    foreign_seed,
    key_from_random_state,
    stream_key,
)
from fastsmote.neighbors import exact_kneighbors
from fastsmote.over_sampling import ClassJob, SmotePlan, compute_dtype, stream_plan

K = 5


@pytest.fixture(params=[np.float64, np.float32])
def fitted(request):
    X, y = blobs([90, 31, 17], n_features=3, dtype=request.param, seed=3)
    sampler = SMOTE(random_state=11, k_neighbors=K, neighbors="exact")
    X_res, y_res = sampler.fit_resample(X, y)
    return X, y, sampler, X_res, y_res


def worker_plan(X, y, sampler):
    """The plan rebuilt from what a worker is given: each class's rows, its neighbour
    table and the sampler key (no fitted estimator)."""
    classes = np.unique(y)
    jobs, first_row = [], X.shape[0]
    for ci, label in enumerate(classes):
        n_new = sampler.sampling_strategy_.get(label, 0)
        if not n_new:
            continue
        rows = np.flatnonzero(y == label)
        X_class = X[rows]
        table = exact_kneighbors(X_class, K, None)
        job = ClassJob.for_class(
            X_class, table, sampler.random_key_, ci, n_new, label=label,
            first_row=first_row, row_map=rows,
        )  # fmt: skip
        jobs.append(job)
        first_row += n_new
    return SmotePlan(jobs, X.shape[0])


def test_a_class_generated_in_ranges_equals_it_generated_at_once(fitted):
    X, y, sampler, X_res, _ = fitted
    plan = worker_plan(X, y, sampler)
    assert plan.n_samples_out == X_res.shape[0]
    assert plan.job(2) is plan.jobs[1]
    with pytest.raises(KeyError):
        plan.job(0)  # the majority class gets no rows
    for job in plan.jobs:
        whole = job.generate()
        cuts = [0, 1, 7, 8, job.n_new // 2, job.n_new]
        parts = [job.generate(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        np.testing.assert_array_equal(np.concatenate(parts), whole)
        # and both are the rows SMOTE wrote for the class, bit for bit
        np.testing.assert_array_equal(whole, X_res[job.first_row : job.first_row + job.n_new])


def test_generate_into_an_array_and_chunks_equal_fit_resample(fitted):
    X, y, sampler, X_res, _ = fitted
    plan = worker_plan(X, y, sampler)
    out = np.full((plan.n_samples_out, X.shape[1]), np.nan, dtype=X.dtype)
    out[: X.shape[0]] = X
    np.testing.assert_array_equal(plan.generate(out), X_res)
    for chunk_rows in (1, 6, 1000):
        chunks = list(plan.chunks(chunk_rows))
        assert all(rows.shape[0] <= chunk_rows for _, rows in chunks)
        synthetic = np.concatenate([rows for _, rows in chunks])
        np.testing.assert_array_equal(synthetic, X_res[X.shape[0] :])


def test_plan_origins_are_the_samplers_provenance(fitted):
    X, y, sampler, X_res, _ = fitted
    plan = worker_plan(X, y, sampler)
    expected = sampler.provenance(X, y)
    got = plan.provenance()
    for name in expected._fields:
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name))
    # origins of a range are the slice of the origins of the class
    job = plan.jobs[0]
    base, neighbor, gap = job.origins(3, 9)
    whole = job.origins()
    for part, full in zip((base, neighbor, gap), whole, strict=True):
        np.testing.assert_array_equal(part, full[3:9])
    # and they rebuild the rows (gap rounded to the data dtype, as generation does it)
    g = gap.astype(X.dtype)
    rebuilt = X[base] + g[:, None] * (X[neighbor] - X[base])
    np.testing.assert_array_equal(rebuilt, job.generate(3, 9))


@pytest.mark.parametrize(
    "sampler",
    [
        ADASYN(random_state=2, n_neighbors=K, neighbors="exact"),
        BorderlineSMOTE(random_state=2, kind="borderline-2", neighbors="exact"),
    ],
)
def test_boundary_samplers_provenance_rebuilds_their_rows(sampler):
    X, y = blobs([70, 25], n_features=3, seed=5, shift=1.0)
    X_res, _ = sampler.fit_resample(X, y)
    prov = sampler.provenance(X, y)
    assert prov.row.size == X_res.shape[0] - X.shape[0] > 0
    rebuilt = X[prov.base] + prov.gap[:, None] * (X[prov.neighbor] - X[prov.base])
    np.testing.assert_array_equal(rebuilt, X_res[prov.row])


@pytest.mark.parametrize("method", ["provenance", "row_origins"])
@pytest.mark.parametrize("cls", [SMOTE, SMOTEN])
def test_origins_before_fit_resample_name_the_method_called(cls, method):
    X, y = blobs([30, 12], n_features=3, seed=1)
    X = np.round(X).astype(np.int64) if cls is SMOTEN else X
    for sampler in (cls(random_state=0), cls(random_state=0).fit(X, y)):
        with pytest.raises(AttributeError, match=rf"^{method}\(\) needs .*fit_resample"):
            getattr(sampler, method)(X, y)


def test_out_of_range_and_malformed_jobs_are_refused():
    X_class = np.arange(12.0).reshape(6, 2)
    table = exact_kneighbors(X_class, 2, None)
    job = ClassJob.for_class(X_class, table, 7, 0, 10)
    with pytest.raises(ValueError, match="out of range"):
        job.generate(4, 11)
    with pytest.raises(ValueError, match="out of range"):
        job.origins(5, 4)
    with pytest.raises(ValueError, match="one row per base"):
        ClassJob.for_class(X_class, table[:3], 7, 0, 10)
    with pytest.raises(ValueError, match="positions in the 6 rows"):
        ClassJob.for_class(X_class, table + 6, 7, 0, 10)
    with pytest.raises(ValueError, match="float32 or float64"):
        ClassJob.for_class(X_class.astype(np.int64), table, 7, 0, 10)
    with pytest.raises(ValueError, match="chunk_rows"):
        next(SmotePlan([job], 6).chunks(0))
    # an output that cannot take the rows is refused before the kernel writes
    with pytest.raises(ValueError, match="cannot be written from row 8"):
        job.generate(0, 4, out=np.empty((10, 2)), out_row=8)
    with pytest.raises(ValueError, match="float64 array with 2 columns"):
        job.generate(0, 4, out=np.empty((10, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="cum_counts"):
        ClassJob(0, 0, job.key, 10, 6, X_class, job.bases, table, cum_counts=np.arange(6))


def test_counted_and_damped_jobs_in_ranges_equal_one_call():
    """ADASYN's per-base counts and Borderline-SMOTE-2's damping are functions of j too."""
    X, _ = blobs([40], n_features=3, seed=1)
    table = exact_kneighbors(X, 4, None)
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 5, X.shape[0])
    common = dict(class_index=0, label=0, key=np.uint64(99), first_row=0, source=X)
    jobs = [
        ClassJob(
            **common, n_new=int(counts.sum()), bases=np.arange(40), neighbors=table,
            cum_counts=np.cumsum(counts),
        ),
        ClassJob(
            **common, n_new=57, bases=np.arange(0, 40, 2), neighbors=table[::2],
            damp=rng.random((20, 4)) < 0.5, damp_key=np.uint64(7),
        ),
    ]  # fmt: skip
    for job in jobs:
        cuts = [0, 3, 4, 30, job.n_new]
        parts = [job.generate(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        np.testing.assert_array_equal(np.concatenate(parts), job.generate())


def test_stream_plan_collects_the_oversampled_classes_and_gives_the_tail(fitted):
    X, y, sampler, X_res, y_res = fitted
    streamed = SMOTE(random_state=11, k_neighbors=K, neighbors="exact")
    plan = stream_plan(streamed, y)
    assert plan.n_samples_out == X_res.shape[0]
    assert plan.counts_after == dict(zip(*np.unique(y_res, return_counts=True), strict=True))
    np.testing.assert_array_equal(plan.selected, y != 0)  # class 0 is the majority
    assert compute_dtype(X.dtype) == X_res.dtype
    chunks = list(plan.chunks(np.ascontiguousarray(X[plan.selected]), chunk_rows=10))
    np.testing.assert_array_equal(np.concatenate([c for c, _ in chunks]), X_res[X.shape[0] :])
    np.testing.assert_array_equal(np.concatenate([c for _, c in chunks]), y_res[X.shape[0] :])


def test_stream_key_is_a_uint64_of_the_reference_hash():
    key = stream_key(np.uint64(0xDEADBEEF12345678), 4)
    assert isinstance(key, np.uint64)
    assert int(key) == naive_stream_key(0xDEADBEEF12345678, 4)
    assert stream_key(12345, 2) == stream_key(np.uint64(12345), 2)


def test_registered_stream_numbers_and_seeds_are_the_ones_results_depend_on():
    # renumbering a stream changes every result that draws from it
    assert (DAMP_STREAM, TIE_STREAM, ALL_ROWS_GRAPH_STREAM, CLASS_GRAPH_STREAM) == (1, 2, 3, 4)
    assert REPORT_GRAPH_STREAM == 0
    assert FIXED_GRAPH_KEY == key_from_random_state(0)
    assert FOLD_SPLIT_STREAM == 1_000_000
    assert STREAMS["random-over copy"][1](3) == 6
    assert STREAMS["random-over shrinkage"][1](3) == 7
    assert STREAMS["graph tree"][1](2) == 1_000_005
    assert STREAMS["kmeans cluster graph"] == ("class key", cluster_graph_stream)
    assert cluster_graph_stream(0) == 1_000_000 and cluster_graph_stream(3) == 1_000_003
    key = np.uint64(0xF0E1D2C3B4A59687)
    assert foreign_seed(key) == int(key) >> 33
    assert foreign_seed(key, bits=32) == int(key) >> 32
    assert foreign_seed(key, end="low") == int(key) % 2**31
    assert foreign_seed(key, bits=64) == int(key)
    with pytest.raises(ValueError, match="bits"):
        foreign_seed(key, bits=0)
    with pytest.raises(ValueError, match="end"):
        foreign_seed(key, end="middle")


@pytest.mark.parametrize(
    "caller", ["smote", "borderline", "svm-smote", "kmeans-smote", "tomek", "overlap"]
)
def test_the_graph_gets_the_whole_64_bit_stream_key(monkeypatch, caller):
    # each graph's key is a registered stream of its caller's key, handed over whole
    # (not cut to an int seed and hashed back)
    from sklearn.cluster import KMeans

    import fastsmote.neighbors._search as search
    from fastsmote import SVMSMOTE, KMeansSMOTE, TomekLinks
    from fastsmote.diagnostics import overlap_report

    keys = []

    def spy(data, k, rows, key, method="nndescent", working_memory=None):
        keys.append(key)
        return exact_kneighbors(data, k, rows)

    monkeypatch.setattr(search, "approx_kneighbors", spy)
    X, y = blobs([90, 31], n_features=3, seed=2)
    sampler_key = key_from_random_state(11)
    minority_key = stream_key(sampler_key, class_stream(1))
    if caller == "smote":
        SMOTE(random_state=11, neighbors="approx").fit_resample(X, y)
        expected = [stream_key(minority_key, CLASS_GRAPH_STREAM)]
    elif caller == "borderline":  # danger rows among all rows, then within the class
        BorderlineSMOTE(random_state=11, neighbors="approx").fit_resample(X, y)
        expected = [
            stream_key(minority_key, g) for g in (ALL_ROWS_GRAPH_STREAM, CLASS_GRAPH_STREAM)
        ]
    elif caller == "svm-smote":  # support vectors among all rows, then within the class
        SVMSMOTE(random_state=11, neighbors="approx").fit_resample(X, y)
        expected = [
            stream_key(minority_key, g) for g in (ALL_ROWS_GRAPH_STREAM, CLASS_GRAPH_STREAM)
        ]
    elif caller == "kmeans-smote":  # one graph per kept cluster, by its place among all
        kmeans = KMeans(n_clusters=3, n_init=1, random_state=0)
        sampler = KMeansSMOTE(
            random_state=11, kmeans_estimator=kmeans, cluster_balance_threshold=0.0,
            neighbors="approx",
        )  # fmt: skip
        sampler.fit_resample(X, y)
        every = np.unique(sampler.kmeans_estimator_.labels_).tolist()
        kept = [every.index(c) for c in sampler.valid_clusters_[1]]
        assert len(kept) > 1
        expected = [stream_key(minority_key, cluster_graph_stream(p)) for p in kept]
    elif caller == "tomek":
        TomekLinks(neighbors="approx").fit_resample(X, y)
        expected = [FIXED_GRAPH_KEY]
    else:
        overlap_report(X, y, neighbors="approx", random_state=11, classes=[1])
        expected = [stream_key(sampler_key, REPORT_GRAPH_STREAM)]
    assert all(isinstance(k, np.uint64) for k in keys)
    assert keys == expected
