"""Neighbours of categorical rows under the Value Difference Metric (SMOTEN's search).

The VDM of imbalanced-learn's ``ValueDifferenceMetric`` (``k=1, r=2``): for feature
``f``, each category ``a`` has the class distribution of the rows holding it,
``P_f[a, c] = count(a, c) / count(a)``; two categories are
``(sum_c |P_f[a, c] - P_f[b, c]|) ** 2`` apart, and two rows the sum of that over their
features. The per-feature category distances are computed once, as small tables over
the categories present among the rows searched, and the exact kernel
(:func:`fastsmote._kernels.vdm.knn_vdm`) reads them block by block: memory stays
proportional to the rows and the tables, never rows x rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from .._config import get_config
from .._kernels.vdm import knn_vdm
from .._memory import check_fits
from .._numba import numba_threads
from ._arrays import float_array, index_array
from ._search import Found

#: Rows per query block and per reference block of the VDM search (performance only).
QUERY_BLOCK, REF_BLOCK = 64, 2048

#: Elements of one temporary block when tables are computed (about 32 MiB of float64).
_TABLE_BLOCK = 1 << 22


def vdm_probabilities(
    codes: np.ndarray, class_codes: np.ndarray, n_classes: int, n_categories: list[int]
) -> list[np.ndarray]:
    """Per feature, the class distribution of each category (imbalanced-learn's
    ``ValueDifferenceMetric.proba_per_class_``; a category no row holds gets zeros).

    Parameters
    ----------
    codes : ndarray of shape (n_samples, n_features), int
        Category codes ``0 .. n_categories[f] - 1`` of every row.
    class_codes : ndarray of shape (n_samples,), int
        Class position ``0 .. n_classes - 1`` of every row.
    n_classes : int
    n_categories : list of int

    Returns
    -------
    list of ndarray of shape (n_categories[f], n_classes), float64
    """
    codes = index_array(codes, "codes", np.int32)
    class_codes = index_array(class_codes, "class_codes", np.int32)
    result = []
    for f, n_cat in enumerate(n_categories):
        flat = codes[:, f].astype(np.int64) * n_classes + class_codes
        counts = np.bincount(flat, minlength=n_cat * n_classes).reshape(n_cat, n_classes)
        counts = counts.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            proba = counts / counts.sum(axis=1).reshape(-1, 1)
        result.append(np.nan_to_num(proba, copy=False))
    return result


def vdm_table(proba: np.ndarray, categories: np.ndarray | None = None) -> np.ndarray:
    """VDM between the categories ``categories`` (all: None) of one feature, from its
    class distributions ``proba``: ``(sum_c |P[a, c] - P[b, c]|) ** 2``, float64, in
    the order of operations of imbalanced-learn (bit-identical)."""
    proba = float_array(proba, "proba")
    P = proba if categories is None else proba[index_array(categories, "categories")]
    n, n_classes = P.shape
    table = np.empty((n, n), dtype=np.float64)
    step = max(1, _TABLE_BLOCK // max(1, n * n_classes))
    for a0 in range(0, n, step):
        a1 = min(n, a0 + step)
        table[a0:a1] = np.abs(P[np.newaxis, :, :] - P[a0:a1, np.newaxis, :]).sum(axis=-1) ** 2
    return table


def _class_tables(
    codes: np.ndarray, probabilities: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tables over the categories present in ``codes``: (local codes, flat tables,
    offsets, sizes) as :func:`~fastsmote._kernels.vdm.knn_vdm` takes them."""
    n_rows, d = codes.shape
    present = [np.unique(codes[:, f]) for f in range(d)]
    sizes = np.array([p.size for p in present], dtype=np.int64)
    n_table = int((sizes * sizes).sum())
    check_fits(
        n_table * 8 + n_rows * d * 4,
        f"The VDM tables of {d} categorical features ({int(sizes.max(initial=0)):,} "
        "categories in the largest)",
        "A feature with that many distinct values is an identifier rather than a "
        "category: drop it before resampling.",
    )
    local = np.empty((n_rows, d), dtype=np.int32)
    tables = np.empty(n_table, dtype=np.float64)
    offsets = np.zeros(d, dtype=np.int64)
    start = 0
    for f in range(d):
        local[:, f] = np.searchsorted(present[f], codes[:, f])
        offsets[f] = start
        size = int(sizes[f]) ** 2
        tables[start : start + size] = vdm_table(probabilities[f], present[f]).ravel()
        start += size
    return local, tables, offsets, sizes


def vdm_pairwise(codes: np.ndarray, probabilities: list[np.ndarray]) -> np.ndarray:
    """The VDM between every pair of rows of ``codes``, an n x n float64 matrix (for an
    estimator given ``metric="precomputed"``; checked to fit before it is made), equal to
    imbalanced-learn's ``ValueDifferenceMetric.pairwise``."""
    codes = index_array(codes, "codes", np.int32)
    n = codes.shape[0]
    check_fits(
        2 * n * n * 8,
        f"The VDM matrix of {n:,} rows for a k_neighbors estimator",
        "Give k_neighbors as an int: fastsmote's search needs no such matrix.",
    )
    local, tables, offsets, sizes = _class_tables(codes, probabilities)
    distance = np.zeros((n, n), dtype=np.float64)
    for f in range(codes.shape[1]):
        size = int(sizes[f])
        table = tables[offsets[f] : offsets[f] + size * size].reshape(size, size)
        distance += table[np.ix_(local[:, f], local[:, f])]
    return distance


def vdm_kneighbors(
    codes: np.ndarray,
    probabilities: list[np.ndarray],
    n_neighbors: int | None,
    *,
    backend: Any = "exact",
    param: str = "k_neighbors",
) -> Found:
    """Nearest rows of each row of ``codes`` among them under the VDM.

    Parameters
    ----------
    codes : ndarray of shape (n_rows, n_features), int32
        Category codes of the rows searched (e.g. one class).
    probabilities : list of ndarray
        Per feature, :func:`vdm_probabilities` of the whole data.
    n_neighbors : int or None
        Neighbours per row, the row itself excluded by position (ties go to the lower
        row). None only with an estimator.
    backend : "exact" or estimator, default="exact"
        An estimator with ``kneighbors`` (scikit-learn style) is cloned, given
        ``metric="precomputed"`` and fitted on the rows' VDM matrix, as imbalanced-learn
        does; its lists are returned as it gives them (they count the row itself).
    param : str, default="k_neighbors"
        The parameter that gave ``backend``, named in errors.

    Returns
    -------
    Found
        ``indices``: positions in ``codes``.
    """
    codes = index_array(codes, "codes", np.int32)
    n_rows = codes.shape[0]
    if not isinstance(backend, str):
        estimator = clone(backend)
        if "metric" in estimator.get_params(deep=False):
            estimator.set_params(metric="precomputed")
        distance = vdm_pairwise(codes, probabilities)
        estimator.fit(distance)
        found = np.asarray(estimator.kneighbors(distance, return_distance=False))
        if found.ndim != 2 or found.shape[0] != n_rows:
            raise ValueError(
                f"The {param!r} estimator returned neighbour lists of shape {found.shape} "
                f"for {n_rows} rows."
            )
        return Found(found.astype(np.int64, copy=False), "estimator", estimator)
    if backend != "exact":
        raise ValueError(f"the VDM search is exact; got backend {backend!r}")
    if n_neighbors is None or not 0 < n_neighbors < n_rows:
        raise ValueError(f"{param}={n_neighbors!r} needs 1 <= {param} < {n_rows} (the rows).")
    check_fits(
        n_rows * n_neighbors * 16,
        f"The neighbour search of {n_rows:,} rows for {n_neighbors:,} neighbours each",
        "Lower k_neighbors.",
    )
    local, tables, offsets, sizes = _class_tables(codes, probabilities)
    rows = np.arange(n_rows, dtype=np.int64)
    with numba_threads(get_config()["n_threads"]):
        _, pos = knn_vdm(local, rows, tables, offsets, sizes, n_neighbors, QUERY_BLOCK, REF_BLOCK)
    return Found(pos, "exact")
