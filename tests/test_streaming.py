"""Chunked output, caller-provided output arrays and memory checks."""

import numpy as np
import pytest
from conftest import blobs

from fastsmote import SMOTE, config_context
from fastsmote._memory import check_output_fits, rows_per_chunk


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
