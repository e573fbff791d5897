"""DataFrames and Series in and out, for any eager backend narwhals reads.

pandas-like objects (pandas, modin, cuDF) are read and rebuilt with their own API, so that
repeated column names and extension dtypes (nullable ``Float64``, ``double[pyarrow]``)
behave as pandas users expect; other eager frames and series (polars, pyarrow, ...) go
through narwhals. NumPy arrays and lists never reach this module, so they import nothing.

The output rule, one for every backend: a float column keeps its dtype; any other
numeric column (integer, boolean, decimal, object holding numbers) of an over-sampler's
output becomes a float column of the computation precision in the same dtype family
(NumPy ``float64``, pandas ``Float64``, ``double[pyarrow]``, polars ``Float64``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

#: narwhals dtype names of numeric columns -> the NumPy dtype they compute like.
_NUMERIC = {
    "Float32": np.float32,
    "Float64": np.float64,
    "Int8": np.int8,
    "Int16": np.int16,
    "Int32": np.int32,
    "Int64": np.int64,
    "UInt8": np.uint8,
    "UInt16": np.uint16,
    "UInt32": np.uint32,
    "UInt64": np.uint64,
    "Int128": np.float64,
    "UInt128": np.float64,
    "Decimal": np.float64,
    "Boolean": np.bool_,
}
#: Column types converted value by value, as NumPy converts an object array.
_BY_VALUE = ("Object", "Unknown")
#: pandas' nullable (masked) dtypes, by class name.
_MASKED = {
    "Float32Dtype",
    "Float64Dtype",
    "Int8Dtype",
    "Int16Dtype",
    "Int32Dtype",
    "Int64Dtype",
    "UInt8Dtype",
    "UInt16Dtype",
    "UInt32Dtype",
    "UInt64Dtype",
    "BooleanDtype",
}


def _is_plain(value: Any) -> bool:
    """NumPy arrays, lists, tuples, scalars: no frame library is looked at."""
    return isinstance(value, (np.ndarray, list, tuple, str, bytes, int, float)) or value is None


def _narwhals():
    import narwhals.stable.v2 as nw

    return nw


def _is_pandas_like(native: Any) -> bool:
    return hasattr(native, "iloc") and hasattr(native, "to_numpy")


def as_table(X: Any) -> Table | None:
    """``X`` as a :class:`Table` when it is an eager DataFrame, else None.

    Raises ``TypeError`` for a lazy frame (it must be collected first) and ``ValueError``
    for a non-pandas frame with repeated column names.
    """
    if _is_plain(X) or hasattr(X, "tocsr"):
        return None
    if _is_pandas_like(X) and hasattr(X, "columns"):
        return Table(X, X.columns)
    nw = _narwhals()
    frame = nw.from_native(X, pass_through=True)
    if isinstance(frame, nw.LazyFrame):
        raise TypeError(
            f"X is a lazy frame ({type(X).__module__}.{type(X).__name__}); collect it "
            "first (e.g. X.collect())."
        )
    if not isinstance(frame, nw.DataFrame):
        return None
    return Table(X, list(frame.columns), frame)


def as_series(y: Any) -> Any:
    """``y`` as a narwhals Series when it is a Series (pandas, polars, a pyarrow
    ChunkedArray, ...), else None."""
    if _is_plain(y) or hasattr(y, "tocsr"):
        return None
    nw = _narwhals()
    series = nw.from_native(y, series_only=True, pass_through=True)
    return series if isinstance(series, nw.Series) else None


@dataclass(frozen=True)
class SeriesKind:
    """How to rebuild a Series like the one the user passed: name, dtype, backend."""

    native_type: type
    name: Any
    dtype: Any  # the native dtype (pandas-like) or the narwhals dtype
    implementation: Any
    native_dtype: Any = None  # polars' dtype or pyarrow's type (e.g. a dictionary's width)

    @classmethod
    def of(cls, series: Any) -> SeriesKind:
        native = series.to_native()
        if _is_pandas_like(native):
            return cls(type(native), native.name, native.dtype, None)
        return cls(
            type(native), series.name, series.dtype, series.implementation, _exact_type(native)
        )

    def build(self, values: np.ndarray) -> Any:
        """A Series of this kind holding ``values`` (cast to the exact dtype)."""
        if self.implementation is None:
            return self.native_type(values, name=self.name).astype(self.dtype)
        nw = _narwhals()
        native = nw.new_series(
            self.name, values, dtype=self.dtype, backend=self.implementation
        ).to_native()
        if self.native_dtype is None:
            return native
        return (
            native if _exact_type(native) == self.native_dtype else native.cast(self.native_dtype)
        )


def _exact_type(native: Any) -> Any:
    """A pyarrow array's type or a polars series' dtype."""
    return getattr(native, "type", None) or getattr(native, "dtype", None)


def series_values(series: Any) -> np.ndarray:
    """The values of a narwhals Series as a NumPy array (missing values as NaN/None)."""
    return np.asarray(series.to_numpy())


def first_null(series: Any) -> int:
    """First row of a narwhals Series holding a missing value (null, NA, None), or -1."""
    if series.null_count() == 0:
        return -1
    return int(np.argmax(np.asarray(series.is_null().to_numpy(), dtype=bool)))


class Table:
    """An eager DataFrame given by the user (never modified) and how to rebuild one."""

    def __init__(self, native: Any, columns: Any, frame: Any = None) -> None:
        self.native = native
        self.columns = columns  # the user's labels: a pandas Index or a list of str
        self.pandas_like = frame is None
        self._frame = frame

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.native.shape)

    @cached_property
    def frame(self) -> Any:
        """A narwhals view; a pandas frame with repeated names gets positional names."""
        if self._frame is not None:
            return self._frame
        native = self.native
        if not native.columns.is_unique:
            native = native.copy(deep=False)  # shares the data; the user's frame keeps its names
            native.columns = range(native.shape[1])
        return _narwhals().from_native(native, eager_only=True)

    def column(self, j: int) -> Any:
        """Column ``j`` as a narwhals Series."""
        frame = self.frame
        return frame.get_column(frame.columns[j])

    @cached_property
    def dtypes(self) -> list:
        """Each column's dtype: native for pandas-like frames, else narwhals'."""
        if self.pandas_like:
            return list(self.native.dtypes)
        return list(self.frame.schema.values())

    def native_dtype(self, j: int) -> Any:
        return self.dtypes[j]

    def numeric_dtype(self, j: int) -> Any:
        """The NumPy dtype column ``j`` computes like; ``object`` for columns converted
        value by value; None for a non-numeric column."""
        dtype = self.native_dtype(j)
        if self.pandas_like and isinstance(dtype, np.dtype):
            if dtype.kind in "biuf":
                return dtype
            return np.dtype(object) if dtype.kind == "O" else None
        name = type(dtype if not self.pandas_like else self.column(j).dtype).__name__
        if name in _NUMERIC:
            return np.dtype(_NUMERIC[name])
        return np.dtype(object) if name in _BY_VALUE else None

    def may_hold_nulls(self, j: int) -> bool:
        """Whether column ``j`` can hold a missing value that is not a float NaN."""
        dtype = self.native_dtype(j)
        return not (isinstance(dtype, np.dtype) and dtype.kind in "biuf")

    def values(self, j: int) -> np.ndarray:
        """Column ``j`` as a NumPy array (a view where the backend allows)."""
        if self.pandas_like and isinstance(self.native_dtype(j), np.dtype):
            return self.native.iloc[:, j].to_numpy()
        return series_values(self.column(j))

    def take(self, indices: np.ndarray, keep_index: bool = False) -> Any:
        """Rows ``indices`` in the user's container; a pandas-like frame gets a fresh
        RangeIndex, or with ``keep_index`` the taken rows' index labels."""
        if self.pandas_like:
            taken = self._selectable.iloc[indices]
            return taken if keep_index else taken.reset_index(drop=True)
        return self.frame[np.asarray(indices, dtype=np.int64)].to_native()

    @cached_property
    def _selectable(self) -> Any:
        """The pandas frame rows are taken from: the user's, or a shallow copy whose
        big-endian NumPy columns are in native byte order (pandas cannot take rows of
        those; the values are the same)."""
        swapped = [
            j for j, t in enumerate(self.dtypes) if isinstance(t, np.dtype) and not t.isnative
        ]
        if not swapped:
            return self.native
        frame = self.native.copy(deep=False)
        for j in swapped:
            frame.isetitem(j, frame.iloc[:, j].astype(self.dtypes[j].newbyteorder("=")))
        return frame

    def select(self, columns: np.ndarray) -> Any:
        """Columns ``columns`` (positions) in the user's container."""
        if self.pandas_like:
            return self.native.iloc[:, columns]
        names = self.frame.columns
        return self.frame.select([names[j] for j in columns]).to_native()

    def is_categorical(self, j: int) -> bool:
        """Whether column ``j`` has a categorical dtype (pandas ``category``, polars
        ``Categorical``/``Enum``, pyarrow dictionary)."""
        if self.pandas_like:
            return str(self.native_dtype(j)) == "category"
        return type(self.native_dtype(j)).__name__ in ("Categorical", "Enum")

    def float_dtype(self, j: int, computed: np.dtype) -> Any:
        """The dtype column ``j`` gets in an over-sampler's output: its own for a float
        column, else a float of the ``computed`` precision in its dtype family; None
        when that is ``computed`` itself (the array's dtype)."""
        dtype = self.native_dtype(j)
        computed = np.dtype(computed)
        if self.pandas_like:
            if isinstance(dtype, np.dtype):
                return dtype if dtype.kind == "f" and dtype != computed else None
            family = type(dtype).__name__
            if family == "ArrowDtype":
                if dtype.kind == "f":
                    return dtype
                import pyarrow as pa

                return type(dtype)(pa.float32() if computed == np.float32 else pa.float64())
            if family in _MASKED:
                if dtype.kind == "f":
                    return dtype
                import pandas as pd

                return pd.Float32Dtype() if computed == np.float32 else pd.Float64Dtype()
            return None
        nw = _narwhals()
        if type(dtype).__name__ in ("Float32", "Float64"):
            return dtype
        return nw.Float32() if computed == np.float32 else nw.Float64()

    def build(self, columns: list[np.ndarray] | np.ndarray, dtypes: list[Any]) -> Any:
        """A frame of the user's kind with the user's column names, holding ``columns``
        (a 2-D array or one array per column), column ``j`` cast to ``dtypes[j]``: None
        keeps the array's dtype, :data:`SAME` gives the input column's exact dtype."""
        n_columns = len(dtypes)
        same = [j for j, t in enumerate(dtypes) if t is SAME]
        if self.pandas_like:
            cast = {j: self.dtypes[j] if t is SAME else t for j, t in enumerate(dtypes)}
            cast = {j: t for j, t in cast.items() if t is not None}
            namespace = type(self.native)
            if isinstance(columns, np.ndarray):
                frame = namespace(columns, copy=False)
            else:
                frame = namespace(dict(enumerate(columns)), copy=False)
            if cast:
                frame = frame.astype(cast)
            frame.columns = self.columns
            return frame
        nw = _narwhals()
        names = list(self.frame.columns)
        backend = self.frame.implementation
        if isinstance(columns, np.ndarray):
            frame = nw.from_numpy(columns, schema=names, backend=backend)
        else:
            frame = nw.from_dict({names[j]: columns[j] for j in range(n_columns)}, backend=backend)
        cast = {j: t for j, t in enumerate(dtypes) if t is not None and t is not SAME}
        if same and backend not in (nw.Implementation.POLARS, nw.Implementation.PYARROW):
            cast.update({j: self.dtypes[j] for j in same})  # narwhals' nearest dtype
            same = []
        if cast:
            frame = frame.with_columns(nw.col(names[j]).cast(t) for j, t in cast.items())
        native = frame.to_native()
        for j in same:  # the exact native type (e.g. a dictionary's index width)
            if backend is nw.Implementation.POLARS:
                native = native.with_columns(native[names[j]].cast(self.native.schema[names[j]]))
            else:
                column = native.column(j).cast(self.native.schema.field(j).type)
                native = native.set_column(j, names[j], column)
        return native


#: In :meth:`Table.build`, the input column's exact dtype.
SAME = object()
