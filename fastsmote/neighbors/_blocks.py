"""CSR rows fed to the dense exact kernels as bounded dense blocks.

The searches between two sets of rows (NearMiss's distance sums and preselection, the
condensing store's votes) run the dense kernels on sparse X by densifying the rows they
compare, a block at a time: the same values in the same order as the dense path's rows,
so the same squared distances, sums and lists, bit for bit. Blocks are sized by
``working_memory`` (half for the reference rows, half for the query rows) and every one
is checked to fit before it is made; the whole matrix is never densified. The rows are
scaled by the power of two the dense path would use (:mod:`fastsmote.neighbors._scaling`),
from the same feature spans.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy import sparse as sp

from .._config import get_config
from .._kernels.knn import knn_blocked
from .._memory import budget_bytes, check_fits
from .._numba import numba_threads
from .._validation import check_span_range
from ._exact import QUERY_BLOCK, ref_block_size
from ._scaling import scale_exponent, scale_rows
from ._sparse import column_spans

#: What to do when a dense block of sparse rows cannot fit in memory.
BLOCK_ADVICE = (
    "Each block holds every feature of its rows: reduce the number of features (e.g. "
    "select features or use sklearn.decomposition.TruncatedSVD), or lower working_memory "
    "for smaller blocks."
)


class Scaling:
    """The power of two (and the feature spans) by which the dense path scales the rows
    it compares: spans over ``rows`` of the CSR matrix ``X``, implicit zeros included
    (or the given ``spans``), checked for overflowing squared distances as the dense
    search checks them."""

    __slots__ = ("exponent", "spans")

    def __init__(
        self, X: sp.csr_matrix, rows: np.ndarray | None, spans: np.ndarray | None = None
    ) -> None:
        if spans is None:
            rows = np.unique(rows)
            spans = column_spans(X if rows.size == X.shape[0] else X[rows])
        self.spans = spans
        check_span_range(self.spans, X.dtype, "X")
        self.exponent = scale_exponent(self.spans, X.dtype)


def dense_rows(
    X: sp.csr_matrix, rows: np.ndarray, scaling: Scaling, what: str, out: np.ndarray | None = None
) -> np.ndarray:
    """``X[rows]`` as a C-contiguous dense array, scaled as the dense path scales it,
    after checking that it fits in memory; or written into ``out`` (the caller's block,
    ``len(rows)`` rows)."""
    if out is None:
        check_fits(
            rows.size * X.shape[1] * X.dtype.itemsize,
            f"{what} as a dense block ({rows.size:,} rows x {X.shape[1]:,} features)",
            BLOCK_ADVICE,
        )
    block = X[rows].toarray(out=out)  # duplicates summed, as the dense equivalent holds them
    return scale_rows(block, scaling.exponent, scaling.spans) if scaling.exponent else block


def block_rows(X: sp.csr_matrix, working_memory: int | None, extra_per_row: int = 0) -> int:
    """Rows per dense block: half the ``working_memory`` budget (at least one row)."""
    per_row = X.shape[1] * X.dtype.itemsize + extra_per_row
    return max(1, budget_bytes(working_memory) // 2 // per_row)


class DenseRefs:
    """The reference rows of a search in dense blocks of at most ``step`` rows:
    densified once when they fit one block, else block by block at each pass."""

    def __init__(
        self, X: sp.csr_matrix, refs: np.ndarray, scaling: Scaling, step: int, what: str
    ) -> None:
        self.X, self.refs, self.scaling, self.step, self.what = X, refs, scaling, step, what
        self.whole = dense_rows(X, refs, scaling, what) if refs.size <= step else None

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        """(first position in ``refs``, dense rows), in increasing position."""
        if self.whole is not None:
            yield 0, self.whole
            return
        for start in range(0, self.refs.size, self.step):
            rows = self.refs[start : start + self.step]
            yield start, dense_rows(self.X, rows, self.scaling, self.what)


def knn_of_block(Q: np.ndarray, refs: DenseRefs, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest references of each row of the dense block ``Q``, by (squared
    distance, position into ``refs.refs``): what ``knn_blocked`` finds on the dense rows,
    the lists of successive reference blocks merged in order of position."""
    n = Q.shape[0]
    every = np.arange(n, dtype=np.int64)
    skip = np.full(n, -1, dtype=np.int64)
    block = ref_block_size(Q.shape[1], Q.dtype.itemsize)
    dist = pos = None
    with numba_threads(get_config()["n_threads"]):
        for start, R in refs.blocks():
            ref_rows = np.arange(R.shape[0], dtype=np.int64)
            d_new, p_new = knn_blocked(Q, every, R, ref_rows, k, skip, QUERY_BLOCK, block)
            p_new = np.where(p_new >= 0, p_new + start, -1)
            if dist is None:
                dist, pos = d_new, p_new
                continue
            # earlier blocks hold lower positions: a stable sort by distance keeps
            # equal distances in increasing position
            both_d, both_p = np.hstack([dist, d_new]), np.hstack([pos, p_new])
            order = np.argsort(both_d, axis=1, kind="stable")[:, :k]
            dist = np.take_along_axis(both_d, order, axis=1)
            pos = np.take_along_axis(both_p, order, axis=1)
    return dist, pos


def points_kneighbors(
    X: sp.csr_matrix, points: np.ndarray, k: int, working_memory: int | None = None
) -> np.ndarray:
    """The k nearest rows of the CSR matrix ``X`` to each dense point (rows of ``X``'s
    dtype), exact, ties to the lower row: the dense points search's lists, with the rows
    densified a block at a time and scaled, with the points, as the dense path scales
    them (spans over the points and every row, implicit zeros included)."""
    if not 1 <= k <= X.shape[0]:
        raise ValueError(
            f"n_neighbors must be in [1, {X.shape[0]}] for {X.shape[0]} rows, got {k}"
        )
    points = np.ascontiguousarray(points, dtype=X.dtype)
    low = np.asarray(X.min(axis=0).todense()).ravel()
    high = np.asarray(X.max(axis=0).todense()).ravel()
    if points.shape[0]:
        low = np.minimum(low, points.min(axis=0))
        high = np.maximum(high, points.max(axis=0))
    scaling = Scaling(X, None, high.astype(np.float64) - low.astype(np.float64))
    if scaling.exponent:
        points = scale_rows(points.copy(), scaling.exponent, scaling.spans)
    every_row = np.arange(X.shape[0], dtype=np.int64)
    rows = DenseRefs(X, every_row, scaling, block_rows(X, working_memory), "The rows searched")
    return knn_of_block(points, rows, k)[1]
