"""What a partition holds and how output partitions are made, for DataFrames and arrays.

A :class:`Layout` is small and picklable: it travels with every task. Tasks receive the
partition's objects (a pandas DataFrame, or an X block and a y block) and call the
layout to split them into features and labels, convert features as ``fit_resample``
does, and build output partitions of the same kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import Features, check_features, check_finite


def _global_row(message: str, rows: int | np.ndarray) -> str:
    """An input check's message with its row (``at row i``) made a global row number."""

    def number(match: re.Match) -> str:
        local = int(match.group(1))
        row = rows + local if isinstance(rows, (int, np.integer)) else int(rows[local])
        return f"at row {row}"

    return re.sub(r"at row (\d+)", number, message, count=1)


@dataclass
class Layout:
    """How to read and build partitions.

    Attributes
    ----------
    kind : {"frame", "arrays"}
    template : Features
        The features of a small stand-in partition with the input's dtypes (its table
        rebuilds frames with the dtypes ``fit_resample`` gives).
    n_features : int
    dtype : numpy.dtype
        The float dtype SMOTE computes in.
    target : object
        Name of the target column (frames).
    columns : list
        Output columns in order (frames): the input's, then ``synthetic_column``.
    y_dtype : object
        dtype of the labels.
    synthetic_column : str or None
    """

    kind: str
    template: Features
    n_features: int
    dtype: np.dtype
    target: Any = None
    columns: list | None = None
    y_dtype: Any = None
    synthetic_column: str | None = None

    # ------------------------------------------------------------------ reading
    def split(self, part: tuple) -> tuple[Any, Any]:
        """``(X, y)`` of a partition: a features frame and a Series, or two arrays."""
        if self.kind == "frame":
            (frame,) = part
            return frame.drop(columns=[self.target]), frame[self.target]
        return part

    def n_rows(self, part: tuple) -> int:
        return len(part[0])

    @staticmethod
    def labels(y: Any) -> np.ndarray:
        """The labels of a partition as a NumPy array."""
        return np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)

    def float_rows(self, X: Any, rows: int | np.ndarray, exact: bool = False) -> np.ndarray:
        """Features as the C-contiguous float array ``fit_resample`` computes on, checked
        finite and present. ``rows``: the global row number of each row of ``X``, or of
        its first row; errors name the global row. ``exact``: the rows are output rows,
        refused where the float dtype would round them (``Features.require_exact``)."""
        n = len(X)
        if n == 0:
            return np.empty((0, self.n_features), dtype=self.dtype)
        try:
            X_float = check_features(X, n).as_float_array(exact=exact)
            check_finite(X_float)
        except ValueError as error:
            raise ValueError(_global_row(str(error), rows)) from None
        if X_float.dtype != self.dtype:
            X_float = X_float.astype(self.dtype)
        return np.ascontiguousarray(X_float)

    # ------------------------------------------------------------------ building
    def from_rows(self, rows: np.ndarray, labels: np.ndarray, index: Any, added: bool) -> Any:
        """An output partition from float feature rows and their labels."""
        if self.kind != "frame":
            return rows, np.asarray(labels, dtype=self.y_dtype)
        return self.labelled(self.template.restore(rows), labels, index, added)

    def labelled(self, frame: Any, labels: Any, index: Any, added: bool) -> Any:
        """An output partition from a features frame and its labels (frames)."""
        import pandas as pd

        frame.index = index
        if isinstance(labels, pd.Series):  # the input's labels: kept as they are
            column = labels.set_axis(index)
        else:
            column = pd.Series(labels, index=index).astype(self.y_dtype)
        frame.insert(self.columns.index(self.target), self.target, column)
        return self._mark(frame, added)

    def _mark(self, frame: Any, added: bool) -> Any:
        if self.synthetic_column is not None:
            frame[self.synthetic_column] = np.full(len(frame), added)
        return frame

    def converted(self, part: tuple, first_row: int) -> Any:
        """An input partition as in ``fit_resample``'s output of an interpolating
        sampler: features as floats (same values), labels and index unchanged."""
        X, y = self.split(part)
        rows = self.float_rows(X, first_row, exact=True)
        if self.kind != "frame":
            return rows, np.asarray(y)
        return self.from_rows(rows, y, y.index, False)

    def taken(self, part: tuple, rows: np.ndarray | None, index: Any = None) -> Any:
        """Rows ``rows`` of a partition (None: all) unchanged, for row selectors;
        ``index`` replaces a frame's index (added rows), else it is kept."""
        if self.kind != "frame":
            X, y = part
            if rows is None:
                return X, np.asarray(y)
            return X[rows], np.asarray(y)[rows]
        (frame,) = part
        if rows is not None:
            frame = frame.iloc[rows]
        if index is not None:
            frame = frame.set_axis(index, axis=0)
        return self._mark(frame.copy() if rows is None else frame, index is not None)

    def empty(self) -> Any:
        """An output partition with no rows (the output's meta)."""
        rows = np.empty((0, self.n_features), dtype=self.dtype)
        if self.kind != "frame":
            return rows, np.empty(0, dtype=self.y_dtype)
        import pandas as pd

        return self.from_rows(rows, np.empty(0), pd.RangeIndex(0), False)
