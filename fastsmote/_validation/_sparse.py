"""Sparse features: a SciPy CSR/CSC matrix or array checked and kept as a canonical CSR
matrix of floats (sorted indices, no duplicate entries), never densified."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse as sp

from .._memory import check_fits


def is_sparse(X: Any) -> bool:
    """Whether ``X`` is a SciPy sparse matrix or array."""
    return sp.issparse(X)


def stored_entries_only(X: Any) -> Any:
    """A CSR/CSC ``X`` whose ``data``/``indices`` run past its last stored entry
    (``indptr[-1]``, as after some in-place edits) as the same matrix over its stored
    entries only: views, no copy. SciPy's own indexing can read the extra entries (or
    worse); refused when the arrays are too short. Other inputs are returned as they
    are."""
    if getattr(X, "format", None) not in ("csr", "csc"):
        return X
    n_stored = int(X.indptr[-1]) if X.indptr.size else 0
    if X.data.size == n_stored and X.indices.size == n_stored:
        return X
    if min(X.data.size, X.indices.size) < n_stored or X.data.size != X.indices.size:
        raise ValueError(
            f"X is not a valid sparse {X.format.upper()} matrix: its indptr ends at "
            f"{n_stored:,} stored values but it has {X.data.size:,} values and "
            f"{X.indices.size:,} indices."
        )
    return type(X)((X.data[:n_stored], X.indices[:n_stored], X.indptr), shape=X.shape)


def model_rows(X: Any) -> Any:
    """X as given to a scikit-learn model: a sparse matrix whose arrays are read-only
    (memory-mapped or shared buffers) is copied first, as parts of scikit-learn's
    compiled code (KMeans on sparse rows) cannot read them; any other X as it is."""
    if not is_sparse(X) or all(a.flags.writeable for a in (X.data, X.indices, X.indptr)):
        return X
    check_fits(
        X.data.nbytes + X.indices.nbytes + X.indptr.nbytes,
        f"A writable copy of the read-only sparse X ({X.nnz:,} stored values) for the model",
        "Pass X with writable arrays.",
    )
    return X.copy()


@dataclass
class SparseFeatures:
    """A validated sparse feature matrix (the sparse counterpart of ``Features``).

    ``matrix`` is a ``csr_matrix`` of the computation dtype with sorted indices and no
    duplicate entries: the input itself when it already is one,
    else a converted copy (the input is never modified). Explicit zeros are kept; they
    count as zeros everywhere.
    """

    data: Any  # the original object (never modified)
    matrix: sp.csr_matrix
    n_samples: int
    n_features: int
    dtype: np.dtype
    columns: Any = None
    table: Any = None
    extras: dict = field(default_factory=dict)

    sparse = True
    #: why ``dtype`` cannot hold every input value exactly (None: it can)
    inexact: str | None = None

    def require_exact(self) -> None:
        """Raise unless ``dtype`` holds every stored value exactly (see
        ``Features.require_exact``)."""
        if self.inexact is not None:
            raise ValueError(self.inexact)

    def as_float_array(self, exact: bool = True) -> sp.csr_matrix:
        """The rows as the canonical float CSR matrix (see the class docstring); with
        ``exact``, after :meth:`require_exact`."""
        if exact:
            self.require_exact()
        return self.matrix

    def write_into(self, out: np.ndarray) -> int | None:
        raise TypeError(
            "sparse X cannot be written into a dense array (out=); call fit_resample "
            "without out= to get a sparse result."
        )

    def take(self, indices: np.ndarray) -> Any:
        """Selected input rows, unchanged (dtype kept), in the input's sparse format."""
        return restore_format(self.data, _input_rows(self.data)[np.asarray(indices)])

    def restore(self, out: sp.csr_matrix) -> Any:
        """``out`` (CSR) in the sparse format and class of the input (imbalanced-learn's
        rule: CSC stays CSC, any other format becomes CSR; a sparse array stays an
        array)."""
        return restore_format(self.data, out)


def _input_rows(X: Any) -> Any:
    """``X`` in a format that selects rows (CSR or CSC as given, others as CSR)."""
    return X if X.format in ("csr", "csc") else X.tocsr()


def restore_format(original: Any, out: Any) -> Any:
    """``out`` (sparse) in the format and class (matrix or array) of ``original``."""
    fmt = "csc" if original.format == "csc" else "csr"
    out = out.asformat(fmt)
    array = isinstance(original, sp.sparray)
    if array and not isinstance(out, sp.sparray):
        return sp.csc_array(out) if fmt == "csc" else sp.csr_array(out)
    if not array and isinstance(out, sp.sparray):
        return sp.csc_matrix(out) if fmt == "csc" else sp.csr_matrix(out)
    return out


def check_sparse_features(X: Any) -> SparseFeatures:
    """Validate a SciPy sparse matrix or array as numeric features: float32 (and
    float16) computed in float32, every other real dtype in float64; NaN or infinity
    refused, naming its row and column."""
    from ._features import _float_dtype, _may_round, first_rounded, rounding_message

    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}.")
    X = stored_entries_only(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"X must hold real numbers; got a sparse matrix of dtype {X.dtype}.")
    dtype = _float_dtype(X.dtype)
    n_rows, n_columns = X.shape
    if X.format == "csr" and X.dtype == dtype:
        matrix = sp.csr_matrix(X, copy=False)  # shares the input's arrays
    else:  # a new CSR matrix of floats, ours
        matrix = sp.csr_matrix(X, dtype=dtype)
    if not _canonical(matrix):
        matrix = matrix.copy() if _shares(matrix, X) else matrix
        matrix.sum_duplicates()  # sorts the indices too
    _check_finite_entries(matrix)
    features = SparseFeatures(X, matrix, n_rows, n_columns, dtype)
    if not _may_round(X.dtype, dtype):  # floats, and integers float64 holds
        return features
    stored = X if X.format == "csr" else X.tocsr()  # wide integers: rows to name
    first = first_rounded(stored.data, dtype)
    if first >= 0:
        row = int(np.searchsorted(stored.indptr, first, side="right")) - 1
        where = f"first at row {row}, column {int(stored.indices[first])}"
        features.inexact = rounding_message("X", where, stored.data[first], dtype)
    return features


def _shares(matrix: sp.csr_matrix, X: Any) -> bool:
    """Whether ``matrix`` may share an array with the input ``X``."""
    return any(
        np.shares_memory(a, b)
        for a in (matrix.data, matrix.indices, matrix.indptr)
        for b in (getattr(X, name, None) for name in ("data", "indices", "indptr"))
        if b is not None
    )


def _canonical(matrix: sp.csr_matrix) -> bool:
    """Strictly increasing column indices in every row (computed without touching the
    matrix's cached flags)."""
    indices, indptr = matrix.indices, matrix.indptr
    if indices.size < 2:
        return True
    increasing = np.diff(indices) > 0
    # a row boundary between entries k and k + 1 may decrease
    boundaries = indptr[1:-1]
    boundaries = boundaries[(boundaries > 0) & (boundaries < indices.size)] - 1
    increasing[boundaries] = True
    return bool(increasing.all())


def _check_finite_entries(matrix: sp.csr_matrix) -> None:
    bad = np.flatnonzero(~np.isfinite(matrix.data))
    if bad.size:
        first = int(bad[0])
        row = int(np.searchsorted(matrix.indptr, first, side="right")) - 1
        column = int(matrix.indices[first])
        kind = "NaN" if np.isnan(matrix.data[first]) else "infinity"
        raise ValueError(
            f"X contains {kind} (first at row {row}, column {column}); distances and "
            "interpolated rows need finite values. Impute or drop them first."
        )
