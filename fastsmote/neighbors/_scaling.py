"""Power-of-two scaling of the rows a search compares, so that squared distances between
tiny values stay normal numbers.

Searches compute squared distances in the data's dtype. For values around 1e-22 and
below in float32 (1e-160 in float64), squared differences underflow to zero or to
subnormal numbers with few significant bits, and every row's "nearest" neighbours become
the lowest-numbered rows. Multiplying every value by the same power of two ``2**e`` is
exact while values stay within the normal range, and then so is every difference,
square and sum computed from them: the distances are the true ones times ``4**e``, the
neighbours the true ones, ties alike. ``scale_exponent`` asks for it only when the rows
need it, so ordinary data is searched as it is, with no copy.

What scaling cannot fix: a squared difference below the smallest normal number even
after the largest feature span is brought to ~1 (float32: rows that differ only by less
than ~1e-19 of that span, in features that span at least 19 orders of magnitude less;
float64: ~1e-154). Such differences count as zero, and the rows tie like duplicates (the
lower row first); float64 data (convert float32 first) resolves them.
"""

from __future__ import annotations

import math

import numpy as np

from .._memory import check_fits


def scale_exponent(
    spans: np.ndarray, dtype: np.dtype, search_dtype: np.dtype | None = None
) -> int:
    """The power of two by which rows with these feature spans are multiplied before a
    search in ``search_dtype`` (default: ``dtype``), or 0 for none.

    Scaling is needed when a difference of one rounding unit of the largest span
    (``eps * span``) squares below the smallest normal number of the search dtype
    (spans below ~9e-13 in float32, ~7e-139 in float64), or when squared distances could
    overflow a search dtype narrower than the data's (pynndescent works in float32).
    The exponent brings the largest span into [1, 2): every non-constant feature then
    holds values below ``2**(digits + 2)`` (a span is at least one rounding unit of the
    values it bounds), far from overflow; constant features are set to zero
    (``scale_rows``).
    """
    largest = float(np.max(spans)) if spans.size else 0.0
    if largest == 0.0:  # all rows equal: every distance is zero at any scale
        return 0
    info = np.finfo(search_dtype or dtype)
    too_small = largest * float(info.eps) < math.sqrt(float(info.tiny))
    too_large = float(np.sum(spans * spans)) >= float(info.max) / 8
    return unit_exponent(spans) if too_small or too_large else 0


def unit_exponent(spans: np.ndarray) -> int:
    """The power of two that brings the largest of ``spans`` into [1, 2) (0 if all are
    zero, or one is not finite)."""
    largest = float(np.max(spans)) if spans.size else 0.0
    return 1 - math.frexp(largest)[1] if 0 < largest < math.inf else 0


def scale_rows(data: np.ndarray, exponent: int, spans: np.ndarray) -> np.ndarray:
    """Multiply ``data`` (the caller's own copy) by ``2**exponent`` in place and set its
    constant features to zero: they add nothing to any distance either way, and a large
    constant could overflow. Returns ``data``."""
    with np.errstate(over="ignore"):
        np.ldexp(data, exponent, out=data)
    data[:, spans == 0] = 0
    return data


def scaled_copy(
    X: np.ndarray, rows: np.ndarray | None, exponent: int, spans: np.ndarray
) -> np.ndarray:
    """A C-contiguous copy of ``X[rows]`` (all rows when None) scaled by ``scale_rows``,
    after checking that it fits in memory."""
    n_rows = X.shape[0] if rows is None else rows.size
    check_fits(
        n_rows * X.shape[1] * X.dtype.itemsize,
        f"A scaled copy of the {n_rows:,} rows searched (their values are too small for "
        f"squared distances in {X.dtype})",
        "Scale the features (e.g. with sklearn.preprocessing.StandardScaler) so that the "
        "search needs no copy.",
    )
    data = np.array(X, order="C") if rows is None else np.ascontiguousarray(X[rows])
    return scale_rows(data, exponent, spans)


def joint_bounds(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Each feature's least and largest value over the rows of both ``A`` and ``B``
    (a (2, n_features) array of B's dtype, whose spans are those of both)."""
    parts = [M for M in (A, B) if M.shape[0]]
    if not parts:
        return np.zeros((0, B.shape[1]), dtype=B.dtype)
    low = np.min([M.min(axis=0) for M in parts], axis=0)
    high = np.max([M.max(axis=0) for M in parts], axis=0)
    return np.stack([low, high]).astype(B.dtype, copy=False)
