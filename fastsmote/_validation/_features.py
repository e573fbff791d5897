"""The features: numeric matrices and row tables checked, copied as floats and given back
in the container the user passed; NaN, infinity and overflowing distances refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._frames import SAME, Table, as_table, first_null
from .._kernels.arrays import column_spans, copy_rows, first_nonfinite_row, gather_rows
from .._kernels.sampling import csr_column_std
from ._sparse import check_sparse_features, is_sparse, stored_entries_only

_ROW_BLOCK = 4096  # rows per block in the row kernels of fastsmote._kernels.arrays


@dataclass
class Features:
    """A validated feature matrix and what is needed to return the same container."""

    data: Any  # the original object (never modified)
    n_samples: int
    n_features: int
    dtype: np.dtype  # float dtype used for computation and output
    columns: Any = None  # column labels, if a DataFrame
    table: Table | None = None  # the DataFrame, if one was given
    extras: dict = field(default_factory=dict)

    sparse = False  # see SparseFeatures
    #: why ``dtype`` cannot hold every input value exactly (None: it can)
    inexact: str | None = None

    def require_exact(self) -> None:
        """Raise unless ``dtype`` holds every input value exactly: the rows are about to
        be returned or interpolated in it, and would come back rounded."""
        if self.inexact is not None:
            raise ValueError(self.inexact)

    def write_into(self, out: np.ndarray) -> int | None:
        """Copy the input rows into ``out[:n_samples]`` (casting as needed), after
        :meth:`require_exact`: they are the output's.

        Returns the first row holding NaN/inf (-1 if none) when the copy checked it, None
        when it did not (then call :func:`check_finite`). A DataFrame's rows are always
        checked; NaN or infinity raises, naming the column.
        """
        self.require_exact()
        return self._copy_into(out)

    def _copy_into(self, out: np.ndarray) -> int | None:
        n = self.n_samples
        if self.table is not None:
            converted = self.extras.get("converted", {})
            for j in range(self.n_features):
                values = converted.get(j)
                out[:n, j] = self.table.values(j) if values is None else values
            check_finite(out[:n], columns=self.columns)
            return -1
        X = self.data
        if X.dtype == out.dtype and X.flags.c_contiguous:
            return int(copy_rows(X, out, _ROW_BLOCK))
        out[:n] = X
        return None

    def as_float_array(self, exact: bool = True) -> np.ndarray:
        """The input as a C-contiguous float array (a view when it already is one).

        ``exact``: raise where ``dtype`` cannot hold every value (:meth:`require_exact`),
        for rows that are returned or interpolated; False where they only enter distances
        or a model (which round such values alike).
        """
        if exact:
            self.require_exact()
        if self.table is None and self.data.dtype == self.dtype:
            return np.ascontiguousarray(self.data)
        out = np.empty((self.n_samples, self.n_features), dtype=self.dtype)
        self._copy_into(out)
        return out

    def take(self, indices: np.ndarray) -> Any:
        """Selected input rows, unchanged (dtypes kept), in the user's container."""
        if self.table is not None:
            return self.table.take(indices)
        return take_rows(self.extras.get("original", self.data), indices)

    def restore(self, out: np.ndarray, exact_types: bool = False) -> Any:
        """Give ``out`` back in the container the user passed: a float column keeps its
        dtype, other columns become floats of ``out``'s precision in their dtype family
        (see :mod:`fastsmote._frames`). With ``exact_types``, an integer or boolean
        column whose every output value its type holds exactly keeps its type."""
        if self.extras.get("list"):
            return out.tolist()
        if self.table is None:
            return out
        dtypes = [self.table.float_dtype(j, out.dtype) for j in range(self.n_features)]
        if exact_types:
            for j in range(self.n_features):
                kind = self.table.numeric_dtype(j)
                if kind is not None and kind.kind in "biu" and holds_exactly(kind, out[:, j]):
                    dtypes[j] = SAME
        return self.table.build(out, dtypes)


def output_row_bytes(features: Any) -> int:
    """Bytes an output row of ``features`` (:class:`Features`, :class:`Rows` or a
    ``SparseFeatures``) takes at least: a value of the computation dtype per feature for
    numeric input; for rows only selected, each column's value size (a pointer for
    text, objects and lists); for sparse input, the average stored entries of a row."""
    data = getattr(features, "matrix", features.data)
    if hasattr(data, "nnz"):
        entry = data.dtype.itemsize + data.indices.dtype.itemsize
        return -(-data.nnz // max(features.n_samples, 1)) * entry + 8  # + its row pointer
    if isinstance(features, Features):
        return features.n_features * features.dtype.itemsize
    if features.table is not None:
        sizes = (features.table.numeric_dtype(j) for j in range(features.n_features))
        return sum(8 if t is None else max(t.itemsize, 1) for t in sizes)
    if isinstance(data, np.ndarray):
        return features.n_features * data.dtype.itemsize
    return 8  # a list of rows: the output lists a reference per row


def holds_exactly(dtype: np.dtype, values: np.ndarray) -> bool:
    """Whether the integer or boolean ``dtype`` holds every float in ``values`` exactly,
    none of them possibly a rounded integer (of magnitude 2**53 or more in float64)."""
    if dtype.kind == "b":
        return bool(np.all((values == 0) | (values == 1)))
    info = np.iinfo(dtype)
    rounding = 2.0 ** (np.finfo(values.dtype).nmant + 1)  # from here on, not every integer
    with np.errstate(invalid="ignore"):
        return bool(
            np.all(
                (values >= info.min)
                & (values < info.max + 1.0)  # a power of two, exact (info.max is not)
                & (np.abs(values) < rounding)
                & (np.trunc(values) == values)
            )
        )


def take_rows(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of an array, list or sparse matrix, in its own container
    (DataFrames: :meth:`fastsmote._frames.Table.take`)."""
    if isinstance(data, list):
        return [data[i] for i in indices]
    if isinstance(data, np.ndarray) and data.ndim == 2 and _gathered(data):
        out = np.empty((len(indices), data.shape[1]), dtype=data.dtype)
        gather_rows(data, np.asarray(indices, dtype=np.int64), out, _ROW_BLOCK)
        return out
    taken = data[indices]
    return native_order(taken) if isinstance(taken, np.ndarray) else taken


def native_order(arr: np.ndarray) -> np.ndarray:
    """``arr`` in the machine's byte order, as scikit-learn's outputs are (a copy only
    when it is not)."""
    return arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))


def _gathered(data: np.ndarray) -> bool:
    """Whether the parallel row gather serves ``data``: the array types the kernels are
    warmed up for (others would compile a new specialisation on first use)."""
    flags = data.flags
    return (
        type(data) is np.ndarray  # a subclass (a masked array) keeps its own indexing
        and data.dtype in (np.float32, np.float64)
        and flags.c_contiguous
        and flags.writeable
    )


@dataclass
class Rows:
    """Input rows of any dtype (NaN, strings, sparse allowed) for row-selecting samplers."""

    data: Any
    n_samples: int
    n_features: int
    columns: Any = None
    table: Table | None = None  # the DataFrame, if one was given

    def take(self, indices: np.ndarray, keep_index: bool = False) -> Any:
        """The selected rows, in the container the user passed (``keep_index``: see
        :meth:`fastsmote._frames.Table.take`)."""
        if self.table is not None:
            return self.table.take(indices, keep_index)
        return take_rows(self.data, indices)

    def restore(self, out: Any) -> Any:
        return out


def check_rows(X: Any, n_samples: int) -> Rows:
    """Validate a 2-D table whose rows will only be selected (any dtype, NaN allowed)."""
    table = as_table(X)
    if table is not None:
        rows = Rows(X, *table.shape, table.columns, table)
    elif hasattr(X, "tocsr") and hasattr(X, "shape"):
        if len(X.shape) != 2:  # SciPy's sparse arrays may be 1-D
            raise ValueError(
                f"X must be 2-D (n_samples, n_features); got a {len(X.shape)}-D sparse "
                f"array with shape {X.shape}."
            )
        X = stored_entries_only(X) if getattr(X, "format", None) in ("csr", "csc") else X.tocsr()
        rows = Rows(X, X.shape[0], X.shape[1])
    else:
        arr = X if isinstance(X, np.ndarray) else np.asarray(X, dtype=object)
        _check_2d(arr)
        rows = Rows(X if isinstance(X, list) else arr, arr.shape[0], arr.shape[1])
    _check_table_shape(rows.n_samples, rows.n_features, n_samples)
    return rows


def _check_2d(arr: np.ndarray) -> None:
    if arr.ndim != 2:
        raise ValueError(
            f"X must be a 2-D array (n_samples, n_features); got {arr.ndim}-D input "
            f"with shape {arr.shape}."
        )


def _check_table_shape(n_rows: int, n_features: int, n_expected: int) -> None:
    if n_rows == 0 or n_features == 0:
        raise ValueError(
            f"X is empty: {n_features} feature(s) (shape=({n_rows}, {n_features})) while "
            "a minimum of 1 is required."
        )
    if n_rows != n_expected:
        raise ValueError(
            f"X and y have different lengths: X has {n_rows} rows, y has {n_expected}."
        )


def _float_dtype(dtype: np.dtype) -> np.dtype:
    """The native float dtype features of ``dtype`` are computed in: float32 and float16
    (of either byte order) give float32; float64, longdouble, ints and bools float64."""
    if dtype.kind == "f" and dtype.itemsize <= 4:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def check_features(X: Any, n_samples: int, *, sparse: bool = False) -> Features:
    """Validate a numeric 2-D feature matrix with ``n_samples`` rows.

    Integer and boolean features are computed in float64 (synthetic values are
    interpolations, so truncating them back to integers would be wrong). A DataFrame
    of any backend narwhals reads may hold any numeric dtype (NumPy, pandas nullable,
    pyarrow, polars; object columns holding numbers); missing values and non-numeric
    columns are refused by name. A SciPy sparse matrix or array is accepted with
    ``sparse`` (:class:`SparseFeatures`), else refused.
    """
    if is_sparse(X):
        if not sparse:
            raise TypeError(
                "X is a sparse matrix; this needs dense numeric data. Convert it with "
                "X.toarray() if it fits in memory."
            )
        features = check_sparse_features(X)
        _check_table_shape(features.n_samples, features.n_features, n_samples)
        return features
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):  # another library's sparse array
        raise TypeError(
            f"X is a sparse {type(X).__name__}; give a SciPy sparse matrix (CSR or CSC) "
            "or dense numeric data (X.toarray() if it fits in memory)."
        )
    table = as_table(X)
    if table is not None:
        features = _check_frame(table)
    else:
        if np.ma.isMaskedArray(X) and np.ma.getmaskarray(X).any():
            row = int(np.flatnonzero(np.ma.getmaskarray(X).reshape(len(X), -1).any(axis=1))[0])
            raise ValueError(
                f"X is a masked array with masked values (first at row {row}); distances "
                "and interpolated rows need every value: fill them (X.filled(...)) or drop "
                "those rows first."
            )
        arr = X if isinstance(X, np.ndarray) else np.asarray(X)
        if arr.dtype.kind in "USV":  # as text columns, and as scikit-learn refuses them
            raise ValueError(
                f"X is an array of {'strings' if arr.dtype.kind != 'V' else 'records'} "
                f"(dtype {arr.dtype}); give numbers: convert it explicitly (e.g. "
                "X.astype(float)) if its values are numbers."
            )
        if arr.dtype.kind == "O":
            arr = _converted(arr, "X")
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"X must hold real numbers; got dtype {arr.dtype}.")
        _check_2d(arr)
        features = Features(arr, arr.shape[0], arr.shape[1], _float_dtype(arr.dtype))
        if _may_round(arr.dtype, features.dtype) and not _integers_held(arr, features.dtype):
            features.inexact = _inexact(arr.T, features.dtype, range(arr.shape[1]))
        features.extras["list"] = isinstance(X, list)
        features.extras["original"] = X
    _check_table_shape(features.n_samples, features.n_features, n_samples)
    return features


def _converted(arr: np.ndarray, what: str) -> np.ndarray:
    """An object or text array as float64, as NumPy converts it; a missing value
    (None, NA) or a non-number raises, naming where it is."""
    try:
        return arr.astype(np.float64)
    except (TypeError, ValueError) as error:
        missing = _first_missing(arr)
        if missing is not None:
            where = f"row {missing[0]}" if arr.ndim == 1 else "row {}, column {}".format(*missing)
            raise ValueError(
                f"{what} contains a missing value (None or NA) (first at {where}); "
                "distances and interpolated rows need every value: impute or drop missing "
                "values first."
            ) from None
        # keep the exception type NumPy chose (scikit-learn's convention)
        raise type(error)(
            f"{what} contains non-numeric values ({error}); SMOTE needs numeric "
            "features (encode categorical columns first)."
        ) from None


def _first_missing(arr: np.ndarray) -> tuple[int, ...] | None:
    """Position of the first missing value (:func:`is_missing_value`) in an object array
    (row-major), if any."""
    if arr.dtype.kind != "O":
        return None
    for position, value in np.ndenumerate(arr):
        if is_missing_value(value):
            return position
    return None


def is_missing_value(value: Any) -> bool:
    """Whether one value of an object array is missing: None, pandas NA or a float NaN."""
    return (
        value is None
        or type(value).__name__ == "NAType"
        or (isinstance(value, float | np.floating) and value != value)
    )


def _check_frame(table: Table) -> Features:
    """Column by column: numeric dtype, no missing value (object columns converted)."""
    n_rows, n_columns = table.shape
    names = list(table.columns)
    if table.pandas_like:
        dtypes = table.dtypes
        sparse = [str(names[j]) for j in range(n_columns) if str(dtypes[j]).startswith("Sparse")]
        if sparse:
            raise TypeError(
                f"X has sparse columns {sparse[:5]}; fastsmote's kernels need dense "
                "numeric data. Convert with X.sparse.to_dense() if it fits in memory."
            )
    kinds, bad, missing, converted, column_kinds = set(), [], [], {}, []
    for j in range(n_columns):
        kind = table.numeric_dtype(j)
        column_kinds.append(kind)
        row = first_null(table.column(j)) if kind is not None and table.may_hold_nulls(j) else -1
        if row >= 0:
            missing.append((row, j))
        elif kind == np.dtype(object):
            try:
                converted[j] = np.asarray(table.values(j)).astype(np.float64)
            except (TypeError, ValueError):
                kind = None
        if kind is None:
            bad.append(str(names[j]))
        else:
            kinds.add(np.dtype(np.float64) if kind == np.dtype(object) else kind)
    if bad:
        raise ValueError(
            f"X has non-numeric columns {bad}; this sampler computes with every feature "
            "(distances, interpolated rows), so every column must be numeric (encode "
            "categorical columns first)."
        )
    if missing:
        row, j = min(missing)
        # a NaN or infinity in a float column without nulls may come first: name it then
        nonfinite = None  # (row, column, values up to that row) of the first one
        for k in range(n_columns):
            kind = column_kinds[k]
            if kind is None or kind.kind != "f" or any(k == m for _, m in missing):
                continue
            values = table.values(k)[: row + 1]
            bad = np.flatnonzero(~np.isfinite(values))
            if bad.size and (int(bad[0]), k) < (row, j):
                row, j, nonfinite = int(bad[0]), k, values[: int(bad[0]) + 1]
        if nonfinite is not None:  # check_finite's message for that cell
            check_finite(nonfinite.reshape(-1, 1), row=row, columns=[names[j]])
        raise ValueError(
            f"X contains a missing value (NA, None or null) in column {names[j]!r} (first "
            f"at row {row}); distances and interpolated rows need every value: impute or "
            "drop missing values first."
        )
    dtype = _float_dtype(np.result_type(*kinds)) if kinds else np.dtype(np.float64)
    features = Features(table.native, n_rows, n_columns, dtype, table.columns, table)
    features.extras["converted"] = converted
    wide = [
        j for j in range(n_columns) if j not in converted and _may_round(column_kinds[j], dtype)
    ]
    features.inexact = _inexact((table.values(j) for j in wide), dtype, [names[j] for j in wide])
    return features


def _may_round(kind: np.dtype, dtype: np.dtype) -> bool:
    """Whether values of ``kind`` may not all be held exactly by the float ``dtype``:
    integers wider than its significand, floats wider than it."""
    if kind.kind in "iu":
        return kind.itemsize * 8 - (kind.kind == "i") > np.finfo(dtype).nmant + 1
    return kind.kind == "f" and kind.itemsize > dtype.itemsize


def _inexact(columns: Any, dtype: np.dtype, names: Any) -> str | None:
    """Why the float ``dtype`` cannot hold every value of ``columns`` (1-D arrays, named
    ``names``) exactly, or None (:func:`first_rounded`)."""
    for values, name in zip(columns, names, strict=True):
        row = first_rounded(values, dtype)
        if row >= 0:
            return rounding_message(
                f"X column {name!r}", f"first at row {row}", values[row], dtype
            )
    return None


def rounding_message(what: str, where: str, value: Any, dtype: np.dtype) -> str:
    """The error for a ``value`` (of ``what``, at ``where``) that ``dtype`` rounds."""
    value = np.asarray(value)
    rounded = value.astype(dtype)
    if value.dtype.kind in "iu":
        change = f"{int(rounded) - int(value):+d}"
    else:  # in the long double's own precision
        change = f"{float(rounded.astype(value.dtype) - value):+.3g}"
    return (
        f"{what} holds {str(value)} ({where}), which {dtype} cannot hold exactly: the "
        f"rows would come back as {dtype} values, rounded (this one by {change}). Leave "
        f"the column out or carry it through unchanged (an identifier?), scale it, or "
        f"convert it to {dtype} first if rounding is acceptable."
    )


def _integers_held(values: np.ndarray, dtype: np.dtype) -> bool:
    """Whether ``values`` are integers within the float ``dtype``'s significand (every
    one held exactly; read without a copy)."""
    if values.dtype.kind not in "iu":
        return False
    if values.size == 0:
        return True
    limit = 2 ** (np.finfo(dtype).nmant + 1)
    return -limit <= int(values.min()) and int(values.max()) <= limit


def first_rounded(values: np.ndarray, dtype: np.dtype) -> int:
    """Position of the first of ``values`` (1-D) that the float ``dtype`` does not hold
    exactly, -1 for none: an integer beyond its significand (float64: 2**53) that is not
    a multiple of the spacing there, or a long double between two of its values."""
    if not _may_round(values.dtype, dtype) or _integers_held(values, dtype):
        return -1
    rounded = values.astype(dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        if values.dtype.kind in "iu":
            # a float at or beyond 2**63 (2**64) has no int64 (uint64) to compare with
            fits = rounded < float(np.iinfo(values.dtype).max) + 1.0
            changed = ~fits | (np.where(fits, rounded, 0).astype(values.dtype) != values)
        else:
            changed = (rounded.astype(values.dtype) != values) & ~np.isnan(values)
    bad = np.flatnonzero(changed)
    return int(bad[0]) if bad.size else -1


def check_out_array(out: Any, shape: tuple[int, int], dtype: np.dtype) -> None:
    """Check a caller-provided output array (e.g. an ``np.memmap``)."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a NumPy array (or np.memmap), got {type(out).__name__}")
    if out.shape != shape or out.dtype != dtype:
        raise ValueError(
            f"out must have shape {shape} and dtype {np.dtype(dtype).name} (see the "
            f"sampler's n_samples_out_ after fit); got shape {out.shape}, dtype {out.dtype}."
        )
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError("out must be a writeable C-contiguous array.")


def check_finite(
    X: np.ndarray, what: str = "X", row: int | None = None, columns: Any = None
) -> None:
    """Raise if a float array holds NaN or infinity, naming the first bad row (and its
    column, from ``columns``, when given).

    ``row``: the first bad row when already known (-1: none), e.g. from ``write_into``.
    A sparse matrix of :class:`SparseFeatures` was checked when it was validated.
    """
    if is_sparse(X):
        return
    if row is None:
        if X.dtype.kind != "f":
            return  # integers and booleans are finite
        if X.dtype in (np.float32, np.float64) and X.flags.c_contiguous:  # the kernel's
            row = first_nonfinite_row(X, _ROW_BLOCK)
        else:
            bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
            row = int(bad[0]) if bad.size else -1
    if row >= 0:
        kind = "NaN" if np.isnan(X[row]).any() else "infinity"
        where = f"row {row}"
        if columns is not None:
            column = int(np.flatnonzero(~np.isfinite(X[row]))[0])
            where += f", column {list(columns)[column]!r}"
        raise ValueError(
            f"{what} contains {kind} (first at {where}); distances and interpolated rows "
            "need finite values. Impute or drop them first."
        )


#: A float64 column whose largest magnitude lies beyond 2**±SAFE_EXPONENT is scaled by a
#: power of two before its standard deviation is taken: its squares could overflow or
#: underflow. The scaling is exact, so the deviation keeps NumPy's bits where NumPy's own
#: is right.
SAFE_EXPONENT = 400


def std_exponents(highest: np.ndarray, lowest: np.ndarray) -> np.ndarray:
    """Per column (its largest and smallest value), the power of two that brings its
    largest magnitude into [0.5, 1) where that lies beyond 2**±SAFE_EXPONENT, else 0."""
    peaks = np.maximum(np.abs(highest), np.abs(lowest)).astype(np.float64)
    _, exponent = np.frexp(peaks)
    exponent[(np.abs(exponent) <= SAFE_EXPONENT) | (peaks == 0)] = 0
    return exponent


def column_std(X: np.ndarray) -> np.ndarray:
    """``X.std(axis=0, dtype=np.float64)`` of a 2-D float array, right at any magnitude
    (see ``SAFE_EXPONENT``)."""
    if X.dtype != np.float64 or X.size == 0:  # float32's squares fit in float64
        return X.std(axis=0, dtype=np.float64)
    exponent = std_exponents(X.max(axis=0), X.min(axis=0))
    if not exponent.any():
        return X.std(axis=0, dtype=np.float64)
    return np.ldexp(np.ldexp(X, -exponent).std(axis=0), exponent)


def sparse_column_std(M: Any) -> np.ndarray:
    """``column_std(M.toarray())``, bit for bit, without densifying ``M`` (one column: its
    dense std, summed pairwise by NumPy)."""
    if M.dtype == np.float64 and _beyond_safe_exponent(M.data):
        highest = M.max(axis=0).toarray().ravel()
        exponent = std_exponents(highest, M.min(axis=0).toarray().ravel())
        if exponent.any():
            scaled = M.copy()
            scaled.data = np.ldexp(M.data, -exponent[M.indices])
            return np.ldexp(sparse_column_std(scaled), exponent)
    if M.shape[1] < 2:
        return M.toarray().std(axis=0, dtype=np.float64)
    by_column = M.tocsc()
    by_column.sort_indices()
    return csr_column_std(M.data, M.indices, M.indptr, by_column.indptr, by_column.indices,
                          by_column.data, M.shape[0])  # fmt: skip


def _beyond_safe_exponent(values: np.ndarray) -> bool:
    """Whether a non-zero value lies beyond 2**±SAFE_EXPONENT in magnitude (only then
    may a column need scaling; checked on the stored values, not per column)."""
    magnitudes = np.abs(values)
    magnitudes = magnitudes[magnitudes > 0]
    if magnitudes.size == 0:
        return False
    _, exponents = np.frexp(np.array([magnitudes.min(), magnitudes.max()]))
    return bool((np.abs(exponents) > SAFE_EXPONENT).any())


def check_distance_range(
    X: np.ndarray, what: str = "X", rows: np.ndarray | None = None
) -> np.ndarray:
    """Raise if squared Euclidean distances between rows of ``X`` could overflow its dtype;
    return each feature's span (max - min, float64) over ``rows`` (default: all rows).

    Neighbour searches compute squared distances in the data's dtype (float32 stays
    float32); an overflow would make every distance infinite and leave neighbour lists
    empty. The bound is the sum of squared feature spans, with a margin of 8 for the
    sums and products of the BLAS path. (Tiny spans, whose squares would underflow, are
    scaled by the searches themselves: ``fastsmote.neighbors``.)
    """
    if X.shape[0] == 0 or (rows is not None and rows.size == 0):
        return np.zeros(X.shape[1])
    span = _column_spans(X, rows)
    if not np.isfinite(span).all():
        check_finite(X, what)  # names the first row with NaN or infinity
    check_span_range(span, X.dtype, what)
    return span


def check_span_range(span: np.ndarray, dtype: np.dtype, what: str = "X") -> None:
    """Raise if rows whose features span ``span`` could have squared distances that
    overflow ``dtype`` (see :func:`check_distance_range`)."""
    largest = float(np.finfo(dtype).max)
    with np.errstate(over="ignore"):  # an overflow is what is checked
        total = float(np.sum(span * span))
    if not total < largest / 8:
        advice = " or convert X to float64" if dtype == np.float32 else ""
        raise ValueError(
            f"{what}: squared distances between rows can exceed the largest {dtype} "
            f"({largest:.1e}): a feature spans {float(np.max(span)):.1e}. Scale the features "
            f"(e.g. with sklearn.preprocessing.StandardScaler){advice}."
        )


def check_model_range(X: Any, what: str) -> None:
    """Raise where a scikit-learn model computing squared Euclidean distances in X's
    dtype (KMeans) would see them overflow, or underflow below the smallest normal
    number: every distance infinite, or every row alike. fastsmote's own searches scale
    tiny rows instead (``fastsmote.neighbors``); a model cannot be given scaled rows
    without returning scaled centres."""
    if X.shape[0] == 0 or X.shape[1] == 0:
        return
    if is_sparse(X):
        span = (X.max(axis=0).toarray() - X.min(axis=0).toarray()).ravel().astype(np.float64)
    else:
        span = _column_spans(X, None)
    check_span_range(span, X.dtype, what)
    largest, tiny = float(np.max(span)), float(np.finfo(X.dtype).tiny)
    if 0 < largest and largest * largest < tiny:
        raise ValueError(
            f"{what}: squared distances between rows fall below the smallest normal "
            f"{X.dtype} ({tiny:.1e}): the largest feature span is {largest:.1e}, and the "
            "model would see every row alike. Scale the features (e.g. with "
            "sklearn.preprocessing.StandardScaler)."
        )


def _column_spans(X: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """max - min of each column over ``rows`` (None: all), in float64; not finite for a
    column holding NaN or infinity."""
    if rows is None:
        return X.max(axis=0).astype(np.float64) - X.min(axis=0).astype(np.float64)
    return column_spans(X, np.asarray(rows, dtype=np.int64), _ROW_BLOCK)
