"""Chunked output, caller-provided output arrays and memory checks."""

import numpy as np
import pytest
from conftest import blobs

from fastsmote import (
    ADASYN,
    SMOTE,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    TomekLinks,
    config_context,
)
from fastsmote._memory import check_output_fits, rows_per_chunk
from fastsmote.diagnostics import overlap_report


@pytest.mark.parametrize("chunk_rows", [1, 7, 64, 10_000])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_chunks_concatenate_to_fit_resample(chunk_rows, dtype):
    X, y = blobs([90, 20, 13], dtype=dtype)
    X_ref, y_ref = SMOTE(random_state=11).fit_resample(X, y)
    chunks = list(SMOTE(random_state=11).fit_resample_iter(X, y, chunk_rows=chunk_rows))
    assert all(len(c[0]) <= chunk_rows for c in chunks)
    np.testing.assert_array_equal(np.concatenate([c[0] for c in chunks]), X_ref)
    np.testing.assert_array_equal(np.concatenate([c[1] for c in chunks]), y_ref)
    # no chunk spans the input/synthetic boundary
    assert len(X) in np.cumsum([len(c[0]) for c in chunks])


def test_chunks_never_mix_classes():
    X, y = blobs([50, 10, 10])
    chunks = list(SMOTE(random_state=0).fit_resample_iter(X, y, chunk_rows=1000))
    assert [len(c[0]) for c in chunks] == [70, 40, 40]
    assert [set(c[1][:1]) for c in chunks[1:]] == [{1}, {2}]


def test_default_chunk_size_follows_working_memory():
    X, y = blobs([300, 40], n_features=8)
    with config_context(working_memory=1):
        assert rows_per_chunk(8 * 8) == 2**20 // 64
        chunks = list(SMOTE(random_state=0).fit_resample_iter(X, y))
    assert len(chunks) == 2  # everything fits in one chunk per part


def test_per_call_working_memory_sizes_the_chunks():
    X, y = blobs([40_000, 5_000], n_features=8)  # float64: 64 bytes per row
    per_chunk = 2**20 // 64
    chunks = list(SMOTE(random_state=0).fit_resample_iter(X, y, working_memory=1))
    sizes = [len(c) for c, _ in chunks]
    assert max(sizes) == per_chunk
    assert len(chunks) == -(-45_000 // per_chunk) + -(-35_000 // per_chunk)
    X_res, _ = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(np.concatenate([c for c, _ in chunks]), X_res)
    with pytest.raises(ValueError, match="working_memory must be a positive int"):
        next(SMOTE().fit_resample_iter(X, y, working_memory=0))


def test_chunks_do_not_alias_the_input():
    X, y = blobs([30, 10])
    first_X, first_y = next(SMOTE(random_state=0).fit_resample_iter(X, y, chunk_rows=5))
    first_X[:] = 0
    first_y[:] = 9
    assert X[:5].any() and (y[:5] != 9).all()


def test_bad_chunk_rows():
    X, y = blobs([30, 10])
    with pytest.raises(ValueError, match="chunk_rows must be a positive int"):
        next(SMOTE().fit_resample_iter(X, y, chunk_rows=0))


def test_write_into_memmap(tmp_path):
    X, y = blobs([80, 20], dtype=np.float32)
    sampler = SMOTE(random_state=2).fit(X, y)
    out = np.lib.format.open_memmap(
        tmp_path / "out.npy", mode="w+", dtype=np.float32, shape=(sampler.n_samples_out_, 4)
    )
    X_res, y_res = sampler.fit_resample(X, y, out=out)
    assert X_res is out
    out.flush()
    np.testing.assert_array_equal(
        np.load(tmp_path / "out.npy"), SMOTE(random_state=2).fit_resample(X, y)[0]
    )
    assert len(y_res) == sampler.n_samples_out_ == 160


def test_bad_out_arrays():
    X, y = blobs([80, 20])
    with pytest.raises(ValueError, match=r"shape \(160, 4\) and dtype float64"):
        SMOTE().fit_resample(X, y, out=np.empty((100, 4)))
    with pytest.raises(ValueError, match="dtype float64"):
        SMOTE().fit_resample(X, y, out=np.empty((160, 4), np.float32))
    with pytest.raises(TypeError, match="NumPy array"):
        SMOTE().fit_resample(X, y, out=[[0.0] * 4] * 160)
    with pytest.raises(ValueError, match="C-contiguous"):
        SMOTE().fit_resample(X, y, out=np.empty((4, 160)).T)


def test_output_too_large_is_refused_before_allocating(monkeypatch):
    import fastsmote._memory as memory

    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 1000)
    with pytest.raises(MemoryError, match="would need .* GiB .*fit_resample_iter"):
        check_output_fits(10_000, 20, np.float32)
    X, y = blobs([80, 20])
    with pytest.raises(MemoryError, match="160 rows x 4 features, float64"):
        SMOTE().fit_resample(X, y)


# ----------------------------------------------------------------------------- budget
# A class is copied into a contiguous block only when the copy fits ``working_memory``;
# otherwise it is searched and read in place. Same rows either way.
# 7,000 rows x 20 float64 features = 1.07 MiB: over a 1 MiB budget, under the default.
BIG_CLASS = ([2_000, 7_000, 600], 20)


@pytest.mark.parametrize(
    "make",
    [
        lambda wm: SMOTE(random_state=3, working_memory=wm),
        lambda wm: BorderlineSMOTE(random_state=3, working_memory=wm),
        lambda wm: BorderlineSMOTE(random_state=3, kind="borderline-2", working_memory=wm),
        lambda wm: ADASYN(random_state=3, working_memory=wm),
    ],
    ids=["SMOTE", "borderline-1", "borderline-2", "ADASYN"],
)
def test_class_read_in_place_over_budget_gives_the_same_rows(make):
    X, y = blobs(BIG_CLASS[0], n_features=BIG_CLASS[1], shift=0.7)
    strategy = {1: 9_000, 2: 1_000}
    copied, in_place = make(None), make(1)
    copied.set_params(sampling_strategy=strategy)
    in_place.set_params(sampling_strategy=strategy)
    X_ref, y_ref = copied.fit_resample(X, y)
    X_res, y_res = in_place.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)
    for a, b in zip(in_place.provenance(X, y), copied.provenance(X, y), strict=True):
        np.testing.assert_array_equal(a, b)


def _class_source(sampler, X, rows):
    sampler.neighbors_backend_ = {}
    sampler._check_params()  # as fit_resample does first: resolves the budget
    return sampler._class_source(X, rows, 1, np.uint64(5))


def test_class_source_copies_within_budget_only():
    X, y = blobs(BIG_CLASS[0], n_features=BIG_CLASS[1])
    rows = np.flatnonzero(y == 1)
    # within the budget: a copy of the class, bases and neighbours are positions in it
    copy, row_map, bases, neighbors = _class_source(SMOTE(), X, rows)
    np.testing.assert_array_equal(copy, X[rows])
    assert row_map is rows
    np.testing.assert_array_equal(bases, np.arange(rows.size))
    # over it: X itself, bases and neighbours are rows of X (the same neighbours)
    source, row_map, bases, in_place = _class_source(SMOTE(working_memory=1), X, rows)
    assert source is X and row_map is None
    np.testing.assert_array_equal(bases, rows)
    np.testing.assert_array_equal(in_place, rows[neighbors])


def test_estimator_working_memory_sizes_the_chunks():
    X, y = blobs([40_000, 5_000], n_features=8)  # float64: 64 bytes per row
    per_chunk = 2**20 // 64
    sampler = SMOTE(random_state=0, working_memory=1)
    assert max(len(c) for c, _ in sampler.fit_resample_iter(X, y)) == per_chunk
    # the call's budget wins over the estimator's
    sizes = [len(c) for c, _ in sampler.fit_resample_iter(X, y, working_memory=2)]
    assert max(sizes) == 2 * per_chunk


def _record_graph_budgets(monkeypatch) -> list:
    """The working_memory each approximate graph is built with."""
    import fastsmote.neighbors._search as search

    budgets = []
    build = search.approx_kneighbors
    monkeypatch.setattr(
        search, "approx_kneighbors", lambda *args: budgets.append(args[5]) or build(*args)
    )
    return budgets


@pytest.mark.parametrize(
    "cls", [SMOTE, BorderlineSMOTE, ADASYN, TomekLinks, EditedNearestNeighbours]
)
def test_estimator_budget_reaches_every_graph_resolved_once(cls, monkeypatch):
    budgets = _record_graph_budgets(monkeypatch)
    X, y = blobs([2_000, 300], n_features=6, shift=0.7)
    seeded = {"random_state": 3} if "random_state" in cls().get_params() else {}
    tight = cls(**seeded, neighbors="approx", working_memory=1).fit_resample(X, y)
    with config_context(working_memory=7):  # None follows the config, read once per fit
        default = cls(**seeded, neighbors="approx").fit_resample(X, y)
    assert budgets and set(budgets) == {1, 7}
    assert budgets[: len(budgets) // 2] == [1] * (len(budgets) // 2)
    for tight_part, default_part in zip(tight, default, strict=True):
        np.testing.assert_array_equal(tight_part, default_part)  # never changes rows


def test_overlap_report_budget_reaches_its_graphs(monkeypatch):
    budgets = _record_graph_budgets(monkeypatch)
    X, y = blobs([2_000, 300], n_features=6, shift=0.7)
    tight = overlap_report(X, y, neighbors="approx", working_memory=1)
    with config_context(working_memory=7):
        default = overlap_report(X, y, neighbors="approx")
    assert budgets == [1, 7]
    assert tight.counts == default.counts
    with pytest.raises(ValueError, match="working_memory must be an int >= 1"):
        overlap_report(X, y, working_memory=0)
