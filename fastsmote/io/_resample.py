"""Whole-table resampling: :func:`resample_table` runs any sampler on an Arrow table
(column order kept, target where it was, passthrough columns carried through with
nulls in added rows, optional column marking synthetic rows); :func:`input_rows` says
which input row each output row is; :class:`ResampleResult` holds the class counts."""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._memory import check_fits
from .._validation import std_exponents
from ._input import check_labels, is_numeric


@dataclass
class ResampleResult:
    """Class counts (``{label: rows}``) of one resampling and its wall time.

    ``feature_std``: each feature's standard deviation over the input rows (by
    position, as ``(name, std)`` pairs), for warnings about feature scales.
    """

    counts_before: dict
    counts_after: dict
    elapsed_seconds: float
    rows_out: int = 0
    provenance: pa.Table | None = None
    feature_std: list | None = None


def _counts(labels: np.ndarray) -> dict:
    classes, counts = np.unique(labels, return_counts=True)
    return {c: int(n) for c, n in zip(classes.tolist(), counts.tolist(), strict=True)}


def input_rows(sampler: Any, n_in: int, n_out: int) -> np.ndarray | None:
    """For each of a fitted sampler's ``n_out`` output rows, the input row it is
    (``-1`` for rows the sampler added: generated, duplicated by random over-sampling,
    or cluster centres); None if the sampler does not say which input rows it kept."""
    for cleaner in ("tomek_", "enn_"):  # SMOTE then clean: kept rows of SMOTE's output
        kept = getattr(getattr(sampler, cleaner, None), "sample_indices_", None)
        if kept is not None:
            kept = np.asarray(kept, dtype=np.int64)
            return np.where(kept < n_in, kept, -1)
    if getattr(sampler, "_sampling_type", None) == "over-sampling":
        rows = np.arange(n_out, dtype=np.int64)  # the input rows first, in order
        rows[n_in:] = -1
        return rows
    kept = getattr(sampler, "sample_indices_", None)
    if kept is None:  # ClusterCentroids' soft voting: -1 marks a cluster centre
        kept = getattr(sampler, "_input_rows", None)
    if kept is None or len(kept) != n_out:
        return None
    return np.asarray(kept, dtype=np.int64)


def _carried_column(column: pa.ChunkedArray | pa.Array, rows: np.ndarray) -> pa.ChunkedArray:
    """``column``'s values at ``rows`` (input rows), null where ``rows`` is -1."""
    indices = pa.array(rows, mask=rows < 0)
    taken = column.take(indices)
    return taken if isinstance(taken, pa.ChunkedArray) else pa.chunked_array([taken])


def _arrow_from_frame(frame: Any, schema: pa.Schema) -> pa.Table:
    """A DataFrame as an Arrow table, column by column (names may repeat), each column
    given its input Arrow type back (``schema``, by position) where pandas changed only
    the container (e.g. strings, categories), not where values were interpolated (ints
    to floats)."""
    columns = []
    for i in range(frame.shape[1]):
        column = pa.Array.from_pandas(frame.iloc[:, i])
        if i < len(schema):
            wanted = schema.field(i).type
            interpolated = pa.types.is_floating(column.type) and not pa.types.is_floating(wanted)
            if column.type != wanted and not interpolated:
                with contextlib.suppress(pa.ArrowException):
                    column = column.cast(wanted)
        columns.append(column)
    return pa.table(columns, names=[str(c) for c in frame.columns])


def _unique_positions(names: list[str], wanted: list[str], role: str) -> list[int]:
    positions = []
    for name in wanted:
        if names.count(name) != 1:
            raise ValueError(
                f"{role} column {name!r} must be the name of exactly one column, found "
                f"{names.count(name)}"
            )
        positions.append(names.index(name))
    return positions


def resample_table(
    table: pa.Table,
    target: str,
    sampler: Any,
    *,
    passthrough: list[str] | tuple[str, ...] = (),
    synthetic_column: str | None = None,
    with_provenance: bool = False,
) -> tuple[pa.Table, ResampleResult]:
    """Resample a whole Arrow table with any fastsmote sampler.

    Parameters
    ----------
    table : pyarrow.Table
    target : str
        The label column; every other column is a feature, except ``passthrough``.
    sampler : fastsmote sampler
    passthrough : list of str, default=()
        Columns carried through unchanged and not given to the sampler (ids, keys):
        the output holds each kept input row's value, and null in rows the sampler
        added (synthetic, or duplicated by random over-sampling). Any type.
    synthetic_column : str, optional
        Name of a boolean column to append, True for rows the sampler added.
    with_provenance : bool, default=False
        Also return ``sampler.provenance(X, y)`` as a table (``row``, ``label``,
        ``base``, ``neighbor``, ``gap``) in ``result.provenance`` (SMOTE).

    Returns
    -------
    table : pyarrow.Table
        Columns in input order (target where it was, features as the sampler returns
        them: interpolated integer features become float, ``passthrough`` columns
        with their input type, nullable), then ``synthetic_column``.
    result : ResampleResult

    Raises
    ------
    ValueError
        A ``passthrough`` column is the target, or its name is not that of exactly one
        column; the sampler does not say which input rows it kept.
    """
    started = time.perf_counter()
    names = list(table.column_names)
    (target_index,) = _unique_positions(names, [target], "target")
    carried = _unique_positions(names, list(passthrough), "passthrough")
    if target_index in carried:
        raise ValueError(f"the target column {target!r} cannot be a passthrough column")
    check_labels(table.column(target), target)
    model = table.select([i for i in range(len(names)) if i not in carried])
    feature_std = [
        (name, _std(model.column(i)))
        for i, name in enumerate(model.column_names)
        if name != target and is_numeric(model.schema.field(i).type)
    ]
    frame = model.replace_schema_metadata(None).to_pandas()
    X = frame.drop(columns=[target])
    y = frame[target]
    X_res, y_res = sampler.fit_resample(X, y)
    # a shallow copy: the target column is added to it, not to X_res, without a copy of X_res
    out = X_res.copy(deep=False) if hasattr(X_res, "columns") else X_res
    out.insert(model.column_names.index(target), target, np.asarray(y_res))
    if hasattr(y_res, "dtype"):
        out[target] = out[target].astype(y_res.dtype)
    rows = input_rows(sampler, len(frame), len(out))
    if rows is None and carried:
        raise ValueError(
            f"{type(sampler).__name__} does not say which input rows it kept "
            "(no sample_indices_), so columns cannot be carried through"
        )
    if synthetic_column is not None:  # a selector that does not say kept input rows only
        out[synthetic_column] = np.zeros(len(out), dtype=bool) if rows is None else rows < 0
    carried_bytes = table.select(sorted(carried)).nbytes * len(out) // max(table.num_rows, 1)
    check_fits(
        int(out.memory_usage(index=False).sum()) + carried_bytes,
        f"The resampled table as Arrow columns ({len(out):,} rows)",
        "Lower the sampling strategy, or use a machine with more memory.",
    )
    result_table = _arrow_from_frame(out, model.schema)
    for i in sorted(carried):  # back where they were, in input order
        field = table.schema.field(i).with_nullable(True)
        result_table = result_table.add_column(i, field, _carried_column(table.column(i), rows))
    y_in = table.column(target).to_numpy()
    result = ResampleResult(
        _counts(y_in),
        _counts(np.asarray(y_res)),
        time.perf_counter() - started,
        result_table.num_rows,
        feature_std=feature_std,
    )
    if with_provenance:
        origin = sampler.provenance(X, y)
        result.provenance = pa.table({name: getattr(origin, name) for name in origin._fields})
    return result_table, result


def _std(column: pa.ChunkedArray | pa.Array) -> float:
    """Population standard deviation (0 for a column without two values), right at any
    magnitude: a column beyond 2**±SAFE_EXPONENT is scaled by a power of two first."""
    if not pa.types.is_floating(column.type):  # unsafe: a reported statistic may round
        column = column.cast(pa.float64(), safe=False)
    low, high = pc.min_max(column).values()
    if low.as_py() is None:
        return 0.0
    shift = int(std_exponents(np.array([high.as_py()]), np.array([low.as_py()]))[0])
    if shift:
        column = pc.multiply(column.cast(pa.float64()), math.ldexp(1.0, -shift))
    return math.ldexp(float(pc.stddev(column).as_py() or 0.0), shift)
