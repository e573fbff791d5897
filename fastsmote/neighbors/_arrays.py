"""The arrays the public search functions accept, in one rule.

The Numba kernels are compiled for native-byte-order, C-contiguous float32 or float64
rows and int64 row numbers or int32 codes; any other array would fail inside Numba with
a typing error that names no argument. So each public function passes every array it
takes through :func:`float_array` or :func:`index_array` first: what converts without
changing a value is converted (no copy when nothing changes, so the results are those
of the native array), anything else is refused with the argument's name and the fix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import is_sparse

#: The float dtypes the kernels are compiled for (either byte order is accepted).
FLOAT_DTYPES = (np.float32, np.float64)


def float_array(X: Any, name: str = "X") -> Any:
    """``X`` as the kernels read it: a float32 or float64 array of either byte order and
    any memory layout, as a native-byte-order C-contiguous array of the same dtype (``X``
    itself when it is one already, so equal values give equal results).

    A SciPy sparse matrix is returned as it is once its dtype is checked (SciPy holds
    its values in native byte order).

    Raises
    ------
    TypeError
        For any other dtype (float16, long double, integers, booleans, complex, object,
        text), naming ``name`` and the conversion to make.
    """
    if not is_sparse(X):
        X = np.asarray(X)
    dtype = X.dtype
    if dtype.type not in FLOAT_DTYPES:
        raise TypeError(
            f"{name} must be a float32 or float64 array; got {_dtype_name(dtype)}: "
            f"{_float_fix(dtype, name)}"
        )
    if is_sparse(X):
        return X
    return np.ascontiguousarray(X, dtype=dtype.newbyteorder("="))


def index_array(values: Any, name: str, dtype: Any = np.int64) -> np.ndarray:
    """``values`` (row numbers, positions or category codes) as a native-byte-order
    C-contiguous array of ``dtype`` (int64 for rows, int32 for codes): integers of any
    dtype and byte order whose values all fit it (no copy when they already are one).
    An empty array of any dtype is accepted (``np.asarray([])`` is float64).

    Raises
    ------
    TypeError
        For non-integer values (floats, booleans, object), naming ``name`` and the fix.
    ValueError
        For integers outside the range of ``dtype``.
    """
    values = np.asarray(values)
    target = np.dtype(dtype)
    kind = values.dtype.kind
    if kind not in "iu" and values.size:
        if kind == "b" and target == np.int64:  # row numbers: more likely a mask than 0/1
            fix = f"a boolean mask selects rows: pass np.flatnonzero({name})"
        elif kind == "f":
            fix = f"convert it with {name}.astype(np.{target}) if it holds whole numbers"
        else:
            fix = f"convert it with {name}.astype(np.{target})"
        raise TypeError(
            f"{name} must be an array of integers; got {_dtype_name(values.dtype)}: {fix}"
        )
    if kind in "iu" and values.size and not np.can_cast(values.dtype, target):
        # a narrowing conversion: only when every value survives it
        low, high = int(values.min()), int(values.max())
        info = np.iinfo(target)
        if low < info.min or high > info.max:
            raise ValueError(
                f"{name} holds values from {low} to {high}; they must fit {target} "
                f"([{info.min}, {info.max}])."
            )
    return np.ascontiguousarray(values, dtype=target)


def _dtype_name(dtype: np.dtype) -> str:
    """The dtype's name without its byte order (the byte order is never the problem)."""
    return str(dtype.newbyteorder("="))


def _float_fix(dtype: np.dtype, name: str) -> str:
    """How to convert an array of ``dtype`` to one the kernels accept, without losing
    more than the conversion must."""
    if dtype.kind == "f" and dtype.itemsize < 4:  # float16: float32 holds it exactly
        return f"convert it with {name}.astype(np.float32)"
    if dtype.kind == "c":
        return f"keep its real part with np.real({name}).astype(np.float64)"
    return f"convert it with {name}.astype(np.float64)"
