"""Input checks, container handling and ``sampling_strategy`` resolution.

Every message names the problem in the user's terms (which class, which column, which
parameter), so no bad input reaches a Numba kernel.
"""

from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.utils.multiclass import type_of_target

from ._kernels.arrays import (
    codes_from_lookup,
    copy_rows,
    count_compact_ints,
    first_nonfinite_row,
    gather_rows,
)

SAMPLING_TYPES = ("over-sampling", "under-sampling", "clean-sampling")
_STRATEGY_STRINGS = ("minority", "majority", "not minority", "not majority", "all", "auto")
_ROW_BLOCK = 4096


# --------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Constraint:
    """One accepted form of a parameter: a predicate and how to describe it."""

    accepts: Callable[[Any], bool]
    description: str


def int_in_range(low: int, high: int | None = None) -> Constraint:
    def accepts(v):
        return (
            isinstance(v, numbers.Integral)
            and not isinstance(v, bool)
            and v >= low
            and (high is None or v <= high)
        )

    upper = "inf)" if high is None else f"{high}]"
    return Constraint(accepts, f"an int in the range [{low}, {upper}")


def has_methods(*names: str) -> Constraint:
    return Constraint(
        lambda v: all(callable(getattr(v, n, None)) for n in names),
        "an object implementing " + ", ".join(repr(n) for n in names),
    )


def one_of(*options: Any) -> Constraint:
    return Constraint(lambda v: isinstance(v, str) and v in options, f"a str among {set(options)}")


FLOAT_RATIO = Constraint(
    lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool) and 0 < v <= 1,
    "a float in the range (0, 1]",
)
DICT = Constraint(lambda v: isinstance(v, dict), "a dict")
LIST = Constraint(lambda v: isinstance(v, list), "a list of classes")
CALLABLE = Constraint(callable, "a callable")
NONE = Constraint(lambda v: v is None, "None")
RANDOM_STATE = Constraint(
    lambda v: (
        v is None
        or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0)
        or isinstance(v, (np.random.RandomState, np.random.Generator))
    ),
    "None, a non-negative int, a numpy RandomState or Generator",
)
SAMPLING_STRATEGY = [
    FLOAT_RATIO,
    one_of(*_STRATEGY_STRINGS),
    DICT,
    CALLABLE,
]


def check_params(estimator: Any, constraints: dict[str, list[Constraint]]) -> None:
    """Raise a ``ValueError`` naming the first parameter that fits none of its forms."""
    for name, allowed in constraints.items():
        value = getattr(estimator, name)
        if not any(c.accepts(value) for c in allowed):
            forms = [c.description for c in allowed]
            text = forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]
            raise ValueError(
                f"The {name!r} parameter of {type(estimator).__name__} must be {text}. "
                f"Got {value!r} instead."
            )


def neighbors_asked(spec: Any) -> int | None:
    """How many neighbours (the row itself not counted) an int or an estimator asks for.

    An estimator's ``n_neighbors`` counts the row itself, as in imbalanced-learn. None
    when the estimator does not say (no int ``n_neighbors`` attribute).
    """
    if isinstance(spec, numbers.Integral) and not isinstance(spec, bool):
        return int(spec)
    n = getattr(spec, "n_neighbors", None)
    if isinstance(n, numbers.Integral) and not isinstance(n, bool):
        return int(n) - 1
    return None


def check_neighbor_count(
    spec: Any, name: str, n_rows: int, where: str, one_row_advice: str = ""
) -> None:
    """Raise unless ``n_rows`` rows hold a row and the neighbours ``spec`` asks for.

    A neighbour count is never lowered to fit the data: the message names the parameter,
    ``where`` the rows are searched (e.g. ``"Class 1"``, ``"X"``), their number and the
    largest value that works (``one_row_advice`` when one row leaves none).
    """
    k = neighbors_asked(spec)
    if k is None:
        return
    if isinstance(spec, numbers.Integral):
        asked, fix = f"{name}={k}", f"use {name} <= {n_rows - 1}"
    else:
        asked, fix = f"{name}={spec!r}", f"give the estimator n_neighbors <= {n_rows}"
        if k < 1:
            raise ValueError(
                f"{asked} asks for no neighbour: an estimator's n_neighbors counts the row "
                "itself, so it must be 2 or more."
            )
    if k + 1 <= n_rows:
        return
    if n_rows < 2 and one_row_advice:
        fix = one_row_advice
    raise ValueError(f"{where} has {n_rows} row(s) but {asked} needs at least {k + 1}: {fix}.")


# --------------------------------------------------------------------------- target
@dataclass
class Target:
    """A validated target: labels as a 1-D array plus how to give it back."""

    labels: np.ndarray
    classes: np.ndarray
    encoded: np.ndarray  # int32 position of each row's label in ``classes``
    counts: np.ndarray
    one_vs_all: bool = False
    container: Any = None  # ("series", name, dtype), ("dataframe", columns, dtypes) or "list"

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
    """Validate a classification target (binary, multiclass or one-hot multiclass)."""
    if y is None:
        raise ValueError("This sampler requires y to be passed, but the target y is None.")
    container = None
    if hasattr(y, "dtype") and hasattr(y, "name") and hasattr(y, "to_numpy"):
        container = ("series", y.name, y.dtype)
        y_arr = y.to_numpy()
    elif hasattr(y, "columns") and hasattr(y, "to_numpy"):
        container = ("dataframe", list(y.columns), y.dtypes)
        y_arr = y.to_numpy()
    else:
        if hasattr(y, "toarray"):
            raise TypeError("y must be dense; sparse targets are not supported.")
        container = "list" if isinstance(y, list) else None
        y_arr = np.asarray(y)
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
    import pandas as pd

    kind, name, dtype = target.container
    if kind == "series":
        return pd.Series(y_out, name=name).astype(dtype)
    return pd.DataFrame(y_out, columns=name).astype(dtype)


def to_python(value: Any) -> Any:
    """A NumPy scalar (a label, a column name) as the Python scalar it holds, for
    reports and JSON; any other value as it is."""
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------- features
@dataclass
class Features:
    """A validated feature matrix and what is needed to return the same container."""

    data: Any  # the original object (never modified)
    n_samples: int
    n_features: int
    dtype: np.dtype  # float dtype used for computation and output
    columns: Any = None  # pandas columns, if a DataFrame
    column_dtypes: Any = None
    extras: dict = field(default_factory=dict)

    def write_into(self, out: np.ndarray) -> int | None:
        """Copy the input rows into ``out[:n_samples]`` (casting as needed).

        Returns the first row holding NaN/inf (-1 if none) when the copy checked it, None
        when it did not (then call :func:`check_finite`).
        """
        if self.columns is not None:
            for j in range(self.n_features):
                out[: self.n_samples, j] = self.data.iloc[:, j].to_numpy(dtype=self.dtype)
            return None
        X = self.data
        if X.dtype == out.dtype and X.flags.c_contiguous:
            return int(copy_rows(X, out, _ROW_BLOCK))
        out[: self.n_samples] = X
        return None

    def as_float_array(self) -> np.ndarray:
        """The input as a C-contiguous float array (a view when it already is one)."""
        if self.columns is None and self.data.dtype == self.dtype:
            return np.ascontiguousarray(self.data)
        out = np.empty((self.n_samples, self.n_features), dtype=self.dtype)
        self.write_into(out)
        return out

    def take(self, indices: np.ndarray) -> Any:
        """Selected input rows, unchanged (dtypes kept), in the user's container."""
        source = self.extras.get("original", self.data)
        return take_rows(source, indices)

    def restore(self, out: np.ndarray) -> Any:
        """Give ``out`` back in the container the user passed."""
        if self.extras.get("list"):
            return out.tolist()
        if self.columns is None:
            return out
        import pandas as pd

        dtypes = list(self.column_dtypes)
        keep = [j for j, t in enumerate(dtypes) if t.kind == "f" and t != out.dtype]
        if not keep:
            return pd.DataFrame(out, columns=self.columns, copy=False)
        if pd.Index(self.columns).is_unique:
            frame = pd.DataFrame(out, columns=self.columns, copy=False)
            return frame.astype({self.columns[j]: dtypes[j] for j in keep})
        # names repeat: restore by position, so that a float64 column never takes the
        # float32 type of another column of the same name
        data = {
            j: out[:, j].astype(dtypes[j]) if j in keep else out[:, j] for j in range(len(dtypes))
        }
        frame = pd.DataFrame(data, copy=False)
        frame.columns = self.columns
        return frame


def take_rows(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of ``data`` in its own container (a DataFrame gets a new index)."""
    if hasattr(data, "columns") and hasattr(data, "iloc"):
        return data.iloc[indices].reset_index(drop=True)
    if isinstance(data, list):
        return [data[i] for i in indices]
    if isinstance(data, np.ndarray) and data.ndim == 2 and _gathered(data):
        out = np.empty((len(indices), data.shape[1]), dtype=data.dtype)
        gather_rows(data, np.asarray(indices, dtype=np.int64), out, _ROW_BLOCK)
        return out
    return data[indices]


def _gathered(data: np.ndarray) -> bool:
    """Whether the parallel row gather serves ``data``: the array types the kernels are
    warmed up for (others would compile a new specialisation on first use)."""
    flags = data.flags
    return data.dtype in (np.float32, np.float64) and flags.c_contiguous and flags.writeable


@dataclass
class Rows:
    """Input rows of any dtype (NaN, strings, sparse allowed) for row-selecting samplers."""

    data: Any
    n_samples: int
    n_features: int
    columns: Any = None

    def take(self, indices: np.ndarray) -> Any:
        """The selected rows, in the container the user passed."""
        return take_rows(self.data, indices)

    def restore(self, out: Any) -> Any:
        return out


def check_rows(X: Any, n_samples: int) -> Rows:
    """Validate a 2-D table whose rows will only be selected (any dtype, NaN allowed)."""
    if hasattr(X, "columns") and hasattr(X, "iloc"):
        rows = Rows(X, X.shape[0], X.shape[1], X.columns)
    elif hasattr(X, "tocsr") and hasattr(X, "shape"):
        X = X if getattr(X, "format", None) in ("csr", "csc") else X.tocsr()
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
    """float32 stays float32; float64 stays; ints, bools and float16 become float64/32."""
    if dtype == np.float32 or dtype == np.float16:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def check_features(X: Any, n_samples: int) -> Features:
    """Validate a dense numeric 2-D feature matrix with ``n_samples`` rows.

    Integer and boolean features are computed in float64 (synthetic values are
    interpolations, so truncating them back to integers would be wrong).
    """
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError(
            "X is a sparse matrix; fastsmote's kernels need dense numeric data. "
            "Convert it with X.toarray() if it fits in memory."
        )
    if hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc"):
        dtypes = X.dtypes
        sparse_columns = [str(c) for c, t in dtypes.items() if str(t).startswith("Sparse")]
        if sparse_columns:
            raise TypeError(
                f"X has sparse columns {sparse_columns[:5]}; fastsmote's kernels need dense "
                "numeric data. Convert with X.sparse.to_dense() if it fits in memory."
            )
        bad = [str(c) for c, t in dtypes.items() if not _is_numeric_dtype(t)]
        if bad:
            raise ValueError(
                f"X has non-numeric columns {bad}; SMOTE interpolates features, so every "
                "column must be numeric (encode categorical columns first)."
            )
        shape = X.shape
        kinds = [np.dtype(t) for t in dtypes] or [np.dtype(np.float64)]
        dtype = _float_dtype(np.result_type(*kinds))
        features = Features(X, shape[0], shape[1], dtype, X.columns, dtypes)
    else:
        arr = X if isinstance(X, np.ndarray) else np.asarray(X)
        if arr.dtype.kind in "OUSV":
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError) as error:
                # keep the exception type NumPy chose (scikit-learn's convention)
                raise type(error)(
                    f"X contains non-numeric values ({error}); SMOTE needs numeric "
                    "features (encode categorical columns first)."
                ) from None
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"X must hold real numbers; got dtype {arr.dtype}.")
        _check_2d(arr)
        features = Features(arr, arr.shape[0], arr.shape[1], _float_dtype(arr.dtype))
        features.extras["list"] = isinstance(X, list)
        features.extras["original"] = X
    _check_table_shape(features.n_samples, features.n_features, n_samples)
    return features


def _is_numeric_dtype(dtype: Any) -> bool:
    try:
        return np.dtype(dtype).kind in "biuf"
    except TypeError:  # pandas extension dtypes (category, string, nullable ints)
        return False


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


def check_finite(X: np.ndarray, what: str = "X", row: int | None = None) -> None:
    """Raise if a float array holds NaN or infinity, naming the first bad row.

    ``row``: the first bad row when already known (-1: none), e.g. from ``write_into``.
    """
    if row is None:
        row = first_nonfinite_row(X, _ROW_BLOCK)
    if row >= 0:
        kind = "NaN" if np.isnan(X[row]).any() else "infinity"
        raise ValueError(
            f"{what} contains {kind} (first at row {row}); SMOTE cannot interpolate "
            "missing or infinite values. Impute or drop them first."
        )


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
    largest = float(np.finfo(X.dtype).max)
    if not float(np.sum(span * span)) < largest / 8:
        advice = " or convert X to float64" if X.dtype == np.float32 else ""
        raise ValueError(
            f"{what}: squared distances between rows can exceed the largest {X.dtype} "
            f"({largest:.1e}): a feature spans {float(np.max(span)):.1e}. Scale the features "
            f"(e.g. with sklearn.preprocessing.StandardScaler){advice}."
        )
    return span


def _column_spans(X: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """max - min of each column over ``rows`` (None: all), in float64, copying at most
    ``_ROW_BLOCK`` rows at a time."""
    if rows is None:
        return X.max(axis=0).astype(np.float64) - X.min(axis=0).astype(np.float64)
    low = np.full(X.shape[1], np.inf)
    high = np.full(X.shape[1], -np.inf)
    for start in range(0, rows.size, _ROW_BLOCK):
        block = X[rows[start : start + _ROW_BLOCK]]
        low = np.minimum(low, block.min(axis=0))  # NaN propagates: check_finite names it
        high = np.maximum(high, block.max(axis=0))
    return high - low


# --------------------------------------------------------------------------- strategy
def check_sampling_strategy(
    sampling_strategy: Any, target: Target, sampling_type: str
) -> OrderedDict:
    """Resolve ``sampling_strategy`` into ``{class: n_samples}`` like imbalanced-learn.

    For over-sampling the values are the numbers of rows to *generate*; for
    under-sampling the numbers of rows to *keep*. Keys are sorted.
    """
    if sampling_type not in SAMPLING_TYPES:
        raise ValueError(f"sampling_type must be one of {SAMPLING_TYPES}, got {sampling_type!r}")
    stats = target.class_counts()
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in _STRATEGY_STRINGS:
            raise ValueError(
                f"When 'sampling_strategy' is a string, it needs to be one of "
                f"{_STRATEGY_STRINGS}. Got '{sampling_strategy}' instead."
            )
        result = _strategy_from_string(sampling_strategy, stats, sampling_type)
    elif isinstance(sampling_strategy, dict):
        result = _strategy_from_dict(sampling_strategy, stats, sampling_type)
    elif isinstance(sampling_strategy, list):
        if sampling_type != "clean-sampling":
            raise ValueError(
                "'sampling_strategy' cannot be a list for samplers which are not cleaning methods."
            )
        _check_known_classes(sampling_strategy, stats)
        result = {c: min(stats.values()) for c in sampling_strategy}
    elif isinstance(sampling_strategy, numbers.Real) and not isinstance(sampling_strategy, bool):
        result = _strategy_from_float(float(sampling_strategy), stats, sampling_type)
    elif callable(sampling_strategy):
        result = _strategy_from_dict(sampling_strategy(target.labels), stats, sampling_type)
    else:
        raise ValueError(
            "'sampling_strategy' must be a float, a str, a dict or a callable; "
            f"got {sampling_strategy!r}."
        )
    return OrderedDict(sorted(result.items()))


def _strategy_from_string(name: str, stats: dict, sampling_type: str) -> dict:
    n_max, n_min = max(stats.values()), min(stats.values())
    # max()/min() over the sorted labels: the first class wins ties, like imbalanced-learn.
    majority = max(stats, key=stats.get)
    minority = min(stats, key=stats.get)
    if name == "auto":
        name = "not majority" if sampling_type == "over-sampling" else "not minority"
    over = sampling_type == "over-sampling"
    if name == "majority" and over:
        raise ValueError("'sampling_strategy'='majority' cannot be used with over-sampler.")
    if name == "minority" and not over:
        raise ValueError(
            "'sampling_strategy'='minority' cannot be used with under-sampler and clean-sampler."
        )
    targeted = {
        "minority": [minority],
        "majority": [majority],
        "not minority": [c for c in stats if c != minority],
        "not majority": [c for c in stats if c != majority],
        "all": list(stats),
    }[name]
    if over:
        return {c: n_max - stats[c] for c in targeted}
    return {c: n_min for c in targeted}


def _check_known_classes(classes: Any, stats: dict) -> None:
    unknown = set(classes) - set(stats)
    if unknown:
        raise ValueError(f"The {unknown} target class is/are not present in the data.")


def _strategy_from_dict(wanted: Any, stats: dict, sampling_type: str) -> dict:
    if not isinstance(wanted, dict):
        raise ValueError(
            f"A callable 'sampling_strategy' must return a dict; it returned {wanted!r}."
        )
    _check_known_classes(wanted, stats)
    for c, n in wanted.items():
        # a count is never rounded or truncated: 100.5 rows has no meaning
        if not isinstance(n, numbers.Integral) or isinstance(n, (bool, np.bool_)):
            raise ValueError(
                "The number of samples in a class must be an int; 'sampling_strategy' "
                f"asks for {n!r} samples of class {c!r}. Give whole numbers of rows, "
                "e.g. int(round(n))."
            )
    if any(n < 0 for n in wanted.values()):
        raise ValueError(
            "The number of samples in a class cannot be negative."
            f"'sampling_strategy' contains some negative value: {wanted}"
        )
    if sampling_type == "clean-sampling":
        raise ValueError(
            "'sampling_strategy' as a dict for cleaning methods is not supported. "
            "Please give a list of the classes to be targeted by the sampling."
        )
    result = {}
    for c, n in wanted.items():
        if sampling_type == "over-sampling" and n < stats[c]:
            raise ValueError(
                "With over-sampling methods, the number of samples in a class should be "
                f"greater or equal to the original number of samples. Originally, there "
                f"is {stats[c]} samples and {n} samples are asked."
            )
        if sampling_type == "under-sampling" and n > stats[c]:
            raise ValueError(
                "With under-sampling methods, the number of samples in a class should be "
                f"less or equal to the original number of samples. Originally, there is "
                f"{stats[c]} samples and {n} samples are asked."
            )
        result[c] = int(n - stats[c]) if sampling_type == "over-sampling" else int(n)
    return result


def _strategy_from_float(ratio: float, stats: dict, sampling_type: str) -> dict:
    if ratio <= 0 or ratio > 1:
        raise ValueError(
            "When 'sampling_strategy' is a float, it should be in the range (0, 1]. "
            f"Got {ratio} instead."
        )
    if len(stats) != 2:
        raise ValueError(
            '"sampling_strategy" can be a float only when the type of target is binary. '
            "For multi-class, use a dict."
        )
    if sampling_type == "clean-sampling":
        raise ValueError("'clean-sampling' methods do let the user specify the sampling ratio.")
    if sampling_type == "over-sampling":
        n_max = max(stats.values())
        majority = max(stats, key=stats.get)
        result = {c: int(n_max * ratio - n) for c, n in stats.items() if c != majority}
        if any(n <= 0 for n in result.values()):
            raise ValueError(
                "The specified ratio required to remove samples from the minority class "
                "while trying to generate new samples. Please increase the ratio."
            )
        return result
    n_min = min(stats.values())
    minority = min(stats, key=stats.get)
    result = {c: int(n_min / ratio) for c in stats if c != minority}
    if any(n > stats[c] for c, n in result.items()):
        raise ValueError(
            "The specified ratio required to generate new sample in the majority class "
            "while trying to remove samples. Please increase the ratio."
        )
    return result
