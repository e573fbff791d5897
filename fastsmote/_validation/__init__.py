"""Input checks, container handling and ``sampling_strategy`` resolution.

Every message names the problem in the user's terms (which class, which column, which
parameter), so no bad input reaches a Numba kernel.

The modules of this package (their names are the ones imported here): ``_params``
(parameter rules, neighbour counts), ``_target`` (class labels), ``_features`` (feature
matrices and row tables) and ``_sampling_strategy`` (``sampling_strategy`` to per-class
counts).
"""

from __future__ import annotations

from ._features import (
    Features,
    Rows,
    _float_dtype,
    check_distance_range,
    check_features,
    check_finite,
    check_model_range,
    check_out_array,
    check_rows,
    check_span_range,
    column_std,
    first_rounded,
    output_row_bytes,
    rounding_message,
    sparse_column_std,
    std_exponents,
    take_rows,
)
from ._params import (
    CALLABLE,
    DICT,
    FLOAT_RATIO,
    LIST,
    N_JOBS,
    NONE,
    RANDOM_STATE,
    SAMPLING_STRATEGY,
    Constraint,
    NeighborCountError,
    UnsuitedDataError,
    check_neighbor_count,
    check_params,
    has_methods,
    int_in_range,
    neighbors_asked,
    one_of,
)
from ._sampling_strategy import SAMPLING_TYPES, check_sampling_strategy
from ._sparse import SparseFeatures, is_sparse, model_rows, restore_format
from ._target import Target, check_target, restore_target, to_python

__all__ = [
    "CALLABLE",
    "DICT",
    "FLOAT_RATIO",
    "LIST",
    "N_JOBS",
    "NONE",
    "RANDOM_STATE",
    "SAMPLING_STRATEGY",
    "SAMPLING_TYPES",
    "Constraint",
    "Features",
    "NeighborCountError",
    "Rows",
    "SparseFeatures",
    "Target",
    "UnsuitedDataError",
    "_float_dtype",
    "check_distance_range",
    "check_features",
    "check_finite",
    "check_model_range",
    "check_neighbor_count",
    "check_out_array",
    "check_params",
    "check_rows",
    "check_sampling_strategy",
    "check_span_range",
    "check_target",
    "column_std",
    "output_row_bytes",
    "sparse_column_std",
    "has_methods",
    "int_in_range",
    "is_sparse",
    "model_rows",
    "neighbors_asked",
    "one_of",
    "restore_format",
    "restore_target",
    "std_exponents",
    "first_rounded",
    "rounding_message",
    "take_rows",
    "to_python",
]
