"""The input's partitions, and the one counting pass over its labels."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import Target, check_features, check_target
from ..over_sampling import compute_dtype
from ._layout import Layout


@dataclass
class Source:
    """A Dask input as a list of partitions (each a tuple of delayed objects) and the
    delayed labels of each partition (what the counting pass reads)."""

    layout: Layout
    parts: list[tuple]
    label_parts: list
    meta: Any  # the input's own (empty) partition, for row selectors' output


def frame_source(ddf: Any, target: Any, synthetic_column: str | None) -> Source:
    """A Dask DataFrame with the labels in column ``target``."""
    import dask.dataframe as dd

    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(
            f"resample() takes a dask.dataframe.DataFrame, got {type(ddf).__name__}; "
            "for Dask Arrays use fastsmote.dask.resample_arrays(X, y, sampler)."
        )
    columns = list(ddf.columns)
    if target not in columns:
        raise ValueError(
            f"target column {target!r} is not in the DataFrame; its columns are {columns}."
        )
    if len(columns) < 2:
        raise ValueError(f"the DataFrame has no feature column besides the target {target!r}.")
    if synthetic_column is not None and synthetic_column in columns:
        raise ValueError(
            f"synthetic_column={synthetic_column!r} is already a column of the DataFrame; "
            "choose another name."
        )
    import pandas as pd

    features = ddf._meta_nonempty.drop(columns=[target])
    for name, dtype in features.dtypes.items():  # Dask's stand-in rows may hold NA
        if pd.api.types.is_numeric_dtype(dtype):
            features[name] = pd.Series(np.zeros(len(features)), index=features.index).astype(dtype)
    try:  # non-numeric columns are refused by name, as fit_resample does
        template = check_features(features, len(features))
    except (TypeError, ValueError) as error:
        template = error
    layout = Layout(
        kind="frame",
        template=template,
        n_features=features.shape[1],
        dtype=None if isinstance(template, Exception) else template.dtype,
        target=target,
        columns=columns + ([synthetic_column] if synthetic_column is not None else []),
        y_dtype=ddf.dtypes[target],
        synthetic_column=synthetic_column,
    )
    from dask import delayed

    parts = [(p,) for p in ddf.to_delayed()]
    # the labels of the very partitions the rows come from: the column alone may be read
    # in other partitions (Dask fuses the small reads of a projected Parquet column),
    # which would pair rows with other rows' labels
    labels = [delayed(operator.getitem)(p, target) for (p,) in parts]
    meta = ddf._meta
    if synthetic_column is not None:
        meta = meta.assign(**{synthetic_column: np.zeros(0, dtype=bool)})
    return Source(layout, parts, labels, meta)


def array_source(X: Any, y: Any) -> Source:
    """Dask Arrays ``X`` (2-D) and ``y`` (1-D, or anything NumPy takes)."""
    import dask.array as da

    if not isinstance(X, da.Array):
        raise TypeError(f"resample_arrays() takes a dask.array.Array X, got {type(X).__name__}.")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}.")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes; call X.compute_chunk_sizes() first (the row "
            "number of each row must be known)."
        )
    if not isinstance(y, da.Array):
        y = np.asarray(y)
        if y.ndim == 1 and y.shape[0] == X.shape[0]:
            y = da.from_array(y, chunks=(X.chunks[0],))
    if y.ndim != 1:
        raise ValueError(
            f"y must be 1-D class labels on Dask; got shape {y.shape} (one-hot targets: "
            "pass y.argmax(axis=1))."
        )
    if isinstance(y, da.Array) and any(np.isnan(c) for c in y.chunks[0]):
        raise ValueError(
            "y has unknown chunk sizes; call y.compute_chunk_sizes() first (each label must "
            "be paired with its row)."
        )
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}.")
    if X.shape[1] == 0:
        raise ValueError("X has no feature.")
    X = X.rechunk({1: -1})
    y = y.rechunk((X.chunks[0],))
    try:
        template = check_features(np.zeros((1, X.shape[1]), dtype=X.dtype), 1)
    except (TypeError, ValueError) as error:
        template = error
    if not isinstance(template, Exception) and X.dtype.kind not in "biuf":
        template = TypeError(f"X must hold numbers, got dtype {X.dtype}.")
    layout = Layout(
        kind="arrays",
        template=template,
        n_features=X.shape[1],
        dtype=None if isinstance(template, Exception) else compute_dtype(X.dtype),
        y_dtype=y.dtype,
    )
    X_parts, y_parts = X.to_delayed().ravel().tolist(), y.to_delayed().ravel().tolist()
    parts = list(zip(X_parts, y_parts, strict=True))
    meta = (np.empty((0, X.shape[1]), dtype=X.dtype), np.empty(0, dtype=y.dtype))
    return Source(layout, parts, y_parts, meta)


def missing_labels(values: np.ndarray) -> np.ndarray:
    """Which labels are missing (None, NaN, NA), flat."""
    import pandas as pd

    return np.asarray(pd.isna(values), dtype=bool).reshape(-1)


def _count(y: Any) -> tuple[int, int, np.ndarray, np.ndarray]:
    """Rows, first row with a missing label (-1: none), labels present and their counts."""
    values = Layout.labels(y)
    missing = missing_labels(values)
    if missing.any():
        return values.shape[0], int(np.argmax(missing)), values[:0], np.empty(0, np.int64)
    labels, counts = np.unique(values, return_counts=True)
    return values.shape[0], -1, labels, counts.astype(np.int64)


@dataclass
class Counts:
    """What the counting pass found.

    Attributes
    ----------
    target : Target
        Classes and their counts (no labels: nothing row-sized reaches the driver).
    lengths : ndarray of int64
        Rows per partition.
    offsets : ndarray of int64
        Global row number of each partition's first row.
    per_part : ndarray of int64 of shape (n_partitions, n_classes)
        Rows of each class in each partition.
    n_features, itemsize : int
        Features, and bytes per value in the dtype SMOTE computes in.
    scans : list or None
        What the ``scan`` given to :func:`count` found in each partition.
    """

    target: Target
    lengths: np.ndarray
    offsets: np.ndarray
    per_part: np.ndarray
    n_features: int = 0
    itemsize: int = 8
    scans: list | None = None

    @property
    def n_samples(self) -> int:
        return int(self.lengths.sum())

    def class_offsets(self, class_index: int) -> np.ndarray:
        """Position in its class of each partition's first row of the class."""
        counts = self.per_part[:, class_index]
        return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _count_and_scan(layout: Layout, scan: Callable, *part: Any) -> tuple:
    return _count(layout.split(part)[1]), scan(*part)


def count(source: Source, scan: Callable | None = None) -> Counts:
    """One pass over the labels: rows and class counts per partition; with ``scan``,
    also ``scan(*partition)`` of each partition in the same pass (``Counts.scans``)."""
    import dask
    from dask import delayed

    if scan is None:
        found = dask.compute(*[delayed(_count)(y) for y in source.label_parts])
        scans = None
    else:
        tasks = [delayed(_count_and_scan)(source.layout, scan, *part) for part in source.parts]
        both = dask.compute(*tasks)
        found, scans = [f for f, _ in both], [s for _, s in both]
    lengths = np.array([f[0] for f in found], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    for (_, missing, _, _), offset in zip(found, offsets, strict=True):
        if missing >= 0:
            raise ValueError(f"y has a missing label at row {offset + missing}.")
    present = [f[2] for f in found]
    labels = np.concatenate(present) if present else np.empty(0)
    if labels.size == 0:
        raise ValueError("y must be a non-empty 1-D array of class labels; the input is empty.")
    checked = check_target(np.unique(labels))  # the label type rules of fit_resample
    classes = checked.classes
    per_part = np.zeros((len(found), classes.size), dtype=np.int64)
    for i, (_, _, part_labels, part_counts) in enumerate(found):
        per_part[i, np.searchsorted(classes, part_labels)] = part_counts
    totals = per_part.sum(axis=0)
    target = Target(classes, classes, np.arange(classes.size, dtype=np.int32), totals)
    layout = source.layout
    itemsize = layout.dtype.itemsize if layout.dtype is not None else 8
    return Counts(target, lengths, offsets, per_part, layout.n_features, itemsize, scans)


def class_codes(classes: np.ndarray, y: Any) -> np.ndarray:
    """Position in the sorted ``classes`` of each label of a partition."""
    return np.searchsorted(classes, Layout.labels(y)).astype(np.int32)
