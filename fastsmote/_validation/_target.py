"""The target: class labels checked, encoded as class codes and given back in the
container the user passed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.utils.multiclass import type_of_target

from .._frames import SAME, SeriesKind, as_series, as_table, first_null, series_values
from .._kernels.arrays import codes_from_lookup, count_compact_ints
from ._features import _ROW_BLOCK, is_missing_value, native_order


@dataclass
class Target:
    """A validated target: labels as a 1-D array plus how to give it back."""

    labels: np.ndarray
    classes: np.ndarray
    encoded: np.ndarray  # int32 position of each row's label in ``classes``
    counts: np.ndarray
    one_vs_all: bool = False
    container: Any = None  # a SeriesKind, a Table (DataFrame y), "list" or None

    def class_counts(self, rows: np.ndarray | None = None) -> dict:
        """``{label: count}`` over all input rows, or over the input rows ``rows``."""
        counts = self.counts
        if rows is not None:
            rows = np.asarray(rows, dtype=np.int64)
            counts = count_compact_ints(self.encoded, 0, self.classes.size, _ROW_BLOCK, rows)
        return dict(zip(self.classes.tolist(), counts.tolist(), strict=True))

    def class_index(self, label: Any) -> int:
        return int(np.searchsorted(self.classes, label))

    def rows_of(self, class_index: int) -> np.ndarray:
        """Row numbers of one class, increasing."""
        return np.flatnonzero(self.encoded == class_index)

    def output_value(self, class_index: int) -> Any:
        """What the output holds for a class: its label, or its code for one-hot targets."""
        return class_index if self.one_vs_all else self.classes[class_index]

    def select(self, indices: np.ndarray) -> np.ndarray:
        """Labels (class codes for one-hot targets) of the selected input rows."""
        return (self.encoded if self.one_vs_all else self.labels)[indices]

    def extended(self, added: list[tuple[int, int]]) -> np.ndarray:
        """Labels of the input rows followed by ``n`` rows of each ``(class_index, n)``.

        Holds class codes instead of labels for one-hot targets (re-encoded on return).
        """
        source = self.encoded if self.one_vs_all else self.labels
        out = np.empty(source.size + sum(n for _, n in added), dtype=source.dtype)
        out[: source.size] = source
        start = source.size
        for class_index, n in added:
            out[start : start + n] = self.output_value(class_index)
            start += n
        return out


def check_target(y: Any) -> Target:
    """Validate a classification target (binary, multiclass or one-hot multiclass).

    ``y`` may be a NumPy array, a list, or a Series or DataFrame of any backend narwhals
    reads (pandas with NumPy, nullable or pyarrow dtypes, polars, pyarrow); a missing
    label is refused with its row.
    """
    if y is None:
        raise ValueError("This sampler requires y to be passed, but the target y is None.")
    if hasattr(y, "toarray"):
        raise TypeError("y must be dense; sparse targets are not supported.")
    container = "list" if isinstance(y, list) else None
    series = as_series(y)
    table = as_table(y) if series is None else None
    if series is not None:
        _check_no_null_label(first_null(series))
        container = SeriesKind.of(series)
        y_arr = series_values(series)
    elif table is not None:
        for j in range(table.shape[1]):
            _check_no_null_label(first_null(table.column(j)))
        container = table
        y_arr = np.column_stack([table.values(j) for j in range(table.shape[1])])
    else:
        y_arr = np.asarray(y)
        _check_no_null_label(_first_missing(y_arr))
    y_arr = native_order(y_arr)  # big-endian labels come back in native order
    if y_arr.ndim == 0 or y_arr.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array of class labels, got {y!r:.80}")
    if y_arr.ndim == 1 and y_arr.dtype.kind in "biu":
        # integer labels are always binary/multiclass: skip type_of_target's extra sort
        y_type = "multiclass"
    else:
        y_type = type_of_target(y_arr, input_name="y")
    one_vs_all = False
    if y_type == "multilabel-indicator":
        if not np.all(y_arr.sum(axis=1) == 1):
            raise ValueError(
                "fastsmote supports binary and multiclass targets (also one-hot encoded); "
                "multilabel and multioutput targets are not supported."
            )
        y_arr = np.argmax(y_arr, axis=1)
        one_vs_all = True
    elif y_arr.ndim == 2 and y_arr.shape[1] == 1:
        y_arr = y_arr.ravel()
        y_type = type_of_target(y_arr, input_name="y")
    if y_type not in ("binary", "multiclass") and not one_vs_all:
        raise ValueError(
            f"Unknown label type: y is {y_type!r}; fastsmote samplers need class labels "
            "(binary or multiclass). Continuous targets must be discretised first."
        )
    classes, encoded, counts = _encode_labels(y_arr)
    if classes.size < 2:
        raise ValueError(
            f"y needs at least 2 classes to resample; got one class only: {classes.tolist()[0]!r}."
        )
    return Target(y_arr, classes, encoded, counts, one_vs_all, container)


def _encode_labels(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted classes, each row's class code (int32) and the class counts.

    Integer labels with a compact range are counted in O(n) with a lookup table and no
    n-sized temporaries; other labels go through ``np.unique`` (a sort, ~10x slower at a
    million rows).
    """
    if y.dtype.kind in "biu" and y.size:
        lo, hi = int(y.min()), int(y.max())
        if hi - lo <= max(1 << 16, y.size):
            y_int = y.view(np.uint8) if y.dtype == np.bool_ else y
            all_counts = count_compact_ints(y_int, lo, hi - lo + 1, _ROW_BLOCK)
            present = np.flatnonzero(all_counts)
            lookup = np.full(hi - lo + 1, -1, dtype=np.int32)
            lookup[present] = np.arange(present.size, dtype=np.int32)
            classes = (present + lo).astype(y.dtype)
            codes = codes_from_lookup(y_int, lo, lookup, _ROW_BLOCK)
            return classes, codes, all_counts[present]
    classes, encoded, counts = np.unique(y, return_inverse=True, return_counts=True)
    return classes, encoded.astype(np.int32).ravel(), counts


def _first_missing(y: np.ndarray) -> int:
    """Row of the first missing label (None, NA or NaN) of an array, -1 for none."""
    if y.ndim == 0 or y.size == 0 or y.dtype.kind not in "fcO":
        return -1
    flat = y.reshape(y.shape[0], -1)
    if y.dtype.kind == "O":
        missing = np.fromiter(
            map(is_missing_value, flat.ravel()), dtype=bool, count=flat.size
        ).reshape(flat.shape)
    else:
        missing = np.isnan(flat)
    rows = np.flatnonzero(missing.any(axis=1))
    return int(rows[0]) if rows.size else -1


def _check_no_null_label(row: int) -> None:
    if row >= 0:
        raise ValueError(
            f"y contains a missing label (first at row {row}); every row needs a class "
            "label. Drop or label those rows first."
        )


def restore_target(target: Target, y_out: np.ndarray) -> Any:
    """Give ``y_out`` back in the container the user passed."""
    if target.one_vs_all:
        onehot = np.zeros((y_out.size, target.classes.size), dtype=int)
        onehot[np.arange(y_out.size), y_out] = 1
        y_out = onehot
    if target.container is None:
        return y_out
    if target.container == "list":
        return y_out.tolist()
    if isinstance(target.container, SeriesKind):
        return target.container.build(y_out)
    table = target.container
    columns = y_out.reshape(y_out.shape[0], -1)
    return table.build(columns, [SAME] * columns.shape[1])


def to_python(value: Any) -> Any:
    """A NumPy scalar (a label, a column name) as the Python scalar it holds, for
    reports and JSON; any other value as it is."""
    return value.item() if isinstance(value, np.generic) else value
