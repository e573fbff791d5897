"""SMOTE output on CSR rows: the input rows, then each synthetic row over the union of
its base's and neighbour's columns, the values of the dense kernel bit for bit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse as sp

from .._config import get_config
from .._kernels.sparse import (
    csr_interpolate,
    csr_mixed_counts,
    csr_mixed_interpolate,
    csr_union_counts,
)
from .._memory import check_fits
from .._numba import numba_threads

_INT32_MAX = np.iinfo(np.int32).max


def stack_synthetic(
    X: sp.csr_matrix,
    origins: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    categorical: tuple[np.ndarray, np.ndarray] | None = None,
) -> sp.csr_matrix:
    """``X``'s rows followed by the synthetic rows ``X[base] + gap * (X[neighbor] -
    X[base])`` of ``origins`` (input row numbers and float64 gaps, per class in output
    order), as one CSR matrix.

    SMOTE-NC gives ``categorical``: its columns (increasing) and their values in the
    synthetic rows (one row each, X's dtype), which replace the interpolation there.

    The entries are counted first, then written straight into the output's arrays
    (checked to fit in memory before they are made). The gap is rounded to the data
    dtype once, as the dense kernel rounds it.
    """
    n, d = X.shape
    if origins:
        base = np.concatenate([np.asarray(o[0], dtype=np.int64) for o in origins])
        neighbor = np.concatenate([np.asarray(o[1], dtype=np.int64) for o in origins])
        gap = np.concatenate([o[2] for o in origins]).astype(X.dtype)
    else:
        base = neighbor = np.empty(0, dtype=np.int64)
        gap = np.empty(0, dtype=X.dtype)
    if categorical is not None:
        columns, values = categorical
        is_categorical = np.zeros(d, dtype=np.bool_)
        is_categorical[columns] = True
    with numba_threads(get_config()["n_threads"]):
        if categorical is None:
            counts = csr_union_counts(X.indices, X.indptr, base, neighbor)
        else:
            counts = csr_mixed_counts(X.indices, X.indptr, base, neighbor, is_categorical, values)
    total = X.nnz + int(counts.sum())
    n_out = n + base.size
    index = np.int32 if max(total, d, n_out) <= _INT32_MAX else np.int64
    itemsize = np.dtype(index).itemsize
    check_fits(
        total * (X.dtype.itemsize + itemsize) + (n_out + 1) * itemsize,
        f"The sparse output ({n_out:,} rows, {total:,} stored values)",
        "Ask for fewer synthetic rows (sampling_strategy).",
    )
    indptr = np.empty(n_out + 1, dtype=index)
    indptr[: n + 1] = X.indptr
    np.cumsum(counts, out=indptr[n + 1 :])
    indptr[n + 1 :] += X.nnz
    data = np.empty(total, dtype=X.dtype)
    indices = np.empty(total, dtype=index)
    data[: X.nnz] = X.data
    indices[: X.nnz] = X.indices
    del counts
    with numba_threads(get_config()["n_threads"]):
        if categorical is None:
            csr_interpolate(
                X.data, X.indices, X.indptr, base, neighbor, gap, indptr[n:], data, indices
            )
        else:
            csr_mixed_interpolate(
                X.data, X.indices, X.indptr, base, neighbor, gap, is_categorical,
                columns, values, indptr[n:], data, indices,
            )  # fmt: skip
    return sp.csr_matrix((data, indices, indptr), shape=(n_out, d), copy=False)
