"""Streamed SMOTE: :func:`stream_smote` reads a Parquet file batch by batch and writes
exactly the rows of ``SMOTE(...).fit_resample`` on the whole table without holding the
table in memory; :func:`smote_output_schema` is the schema it writes."""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .._memory import check_fits, rows_per_chunk
from .._progress import start as _report
from .._validation import first_rounded, rounding_message, std_exponents
from ..over_sampling import compute_dtype, stream_plan
from ._disk_space import check_disk_space, estimate_rows_bytes
from ._errors import MissingValuesError, NonNumericColumnsError
from ._input import InputTable, ProgressFactory, non_numeric_columns
from ._resample import ResampleResult
from ._writer import TableWriter

#: Bytes per input row that streamed SMOTE holds for the target: the labels (int64 or
#: object pointers) and their class codes
_LABEL_ROW_BYTES = 16


def smote_output_schema(
    schema: pa.Schema,
    target: str,
    synthetic_column: str | None,
    passthrough: list[str] | tuple[str, ...] = (),
) -> tuple[pa.Schema, np.dtype]:
    """Output schema of SMOTE on a table, and the float dtype it computes in.

    Float features keep their type, other numeric features become the compute dtype
    (as :class:`fastsmote.SMOTE` returns a DataFrame), the target keeps its type, and
    ``passthrough`` columns keep theirs, nullable (synthetic rows hold nulls there).
    """
    features = [f for f in schema if f.name != target and f.name not in passthrough]
    kinds = [np.dtype(f.type.to_pandas_dtype()) for f in features]
    dtype = compute_dtype(np.result_type(*kinds))
    fields = []
    for f in schema:
        if f.name in passthrough:
            fields.append(f.with_nullable(True))
        elif f.name == target or pa.types.is_floating(f.type):
            fields.append(f)
        else:
            fields.append(f.with_type(pa.from_numpy_dtype(dtype)))
    if synthetic_column is not None:
        fields.append(pa.field(synthetic_column, pa.bool_()))
    return pa.schema(fields), dtype


class _Moments:
    """Count, mean and sum of squared deviations per column, merged batch by batch
    (Chan et al.), for the features' standard deviations. A column whose largest
    magnitude lies beyond 2**±SAFE_EXPONENT is summed scaled by a power of two (exact),
    so that its squares neither overflow nor underflow; others as they are."""

    def __init__(self, n_columns: int):
        self.n = 0
        self.mean = np.zeros(n_columns)
        self.m2 = np.zeros(n_columns)
        self.peak = np.zeros(n_columns)  # the largest magnitude seen
        self.shift = np.zeros(n_columns, dtype=np.int64)  # values are summed x 2**-shift

    def add(self, j: int, values: np.ndarray) -> None:
        """Column ``j`` of the next batch (call for every column, then :meth:`next`)."""
        m = values.size
        if not m:
            return
        with np.errstate(invalid="ignore"):
            peak = max(self.peak[j], float(values.max()), -float(values.min()))
        # the exponent of the peak where it is extreme, else 0
        shift = int(std_exponents(np.array([peak]), np.array([0.0]))[0])
        if shift != self.shift[j]:  # rescale what was summed (powers of two: exact)
            moved = int(self.shift[j] - shift)
            self.mean[j] = math.ldexp(self.mean[j], moved)
            self.m2[j] = math.ldexp(self.m2[j], 2 * moved)
            self.shift[j] = shift
        self.peak[j] = peak
        if shift:
            values = np.ldexp(values.astype(np.float64), -shift)
        mean = float(values.mean(dtype=np.float64))
        m2 = float(np.square(values - mean, dtype=np.float64).sum())
        delta = mean - self.mean[j]
        total = self.n + m
        self.mean[j] += delta * m / total
        self.m2[j] += m2 + delta * delta * self.n * m / total

    def next(self, m: int) -> None:
        self.n += m

    def std(self) -> np.ndarray:
        return np.ldexp(np.sqrt(self.m2 / max(self.n, 1)), self.shift)


def stream_smote(
    source: InputTable,
    output: str | os.PathLike,
    output_format: str,
    sampler: Any,
    target: str,
    *,
    passthrough: list[str] | tuple[str, ...] = (),
    synthetic_column: str | None = None,
    batch_rows: int | None = None,
    progress: ProgressFactory = _report,
    shown: str | os.PathLike | None = None,
) -> ResampleResult:
    """SMOTE a Parquet file into ``output`` without reading the whole file into memory.

    Three passes over the input's row groups: the target column (class counts,
    ``sampling_strategy``); every batch converted to the output schema and written at
    once, while the rows of the classes to over-sample are copied into one array sized
    from the counts; then the synthetic rows, generated and written in chunks. Peak
    memory: the target column, the rows of the over-sampled classes with their
    neighbour tables, and a batch or chunk (sized by ``working_memory``).

    The rows written are exactly those of ``sampler.fit_resample`` on the whole table
    (same ``random_state``), input rows first, then synthetic rows class by class.

    Memory for the labels is checked before they are read. Before any feature is read
    or any row written, once the class counts are known: the rows of the classes to
    over-sample and their neighbour tables are checked against available memory
    (``MemoryError``), and the output's estimated size (:func:`estimate_rows_bytes`)
    against the free space of ``output``'s file system (:class:`OutputError`).

    Parameters
    ----------
    source : InputTable
        Its columns (less those removed with :meth:`InputTable.drop_columns`) are
        written, in order.
    output : path-like
        Where to write (write to a temporary path from :func:`atomic_output`).
    output_format : "parquet" or "csv"
    sampler : fastsmote.SMOTE
    target : str
    passthrough : list of str, default=()
        Columns copied unchanged into the input rows of the output and null in the
        synthetic rows (ids, keys); not features. Any type.
    synthetic_column : str, optional
    batch_rows : int, optional
        Input rows per batch; by default from ``working_memory``.
    progress : callable, optional
        ``progress(label, total)`` returning an object with ``update(n)``/``close()``
        (see :data:`ProgressFactory`).
    shown : path-like, optional
        The output's name in error messages (the destination of a temporary ``output``).

    Returns
    -------
    ResampleResult

    Raises
    ------
    MemoryError, OutputError
        See above; also the errors of :class:`InputTable` and of the sampler.
    NonNumericColumnsError
        A feature column is not numeric.
    """
    started = time.perf_counter()
    source.field(target)
    for name in passthrough:
        source.field(name)
    if target in passthrough:
        raise ValueError(f"the target column {target!r} cannot be a passthrough column")
    carried = {source.columns.index(name) for name in passthrough}
    features = [c for i, c in enumerate(source.columns) if c != target and i not in carried]
    bad = non_numeric_columns(source.schema, (target, *passthrough))
    if bad:
        raise NonNumericColumnsError(_non_numeric_message(bad))
    schema, dtype = smote_output_schema(source.schema, target, synthetic_column, passthrough)
    row_bytes = len(source.columns) * 8 + 8
    if batch_rows is None:
        # a batch lives as Arrow input, NumPy conversions, Arrow output and encoded
        # pages at once (`benchmarks/cli_stream.py` measures the streamed path)
        batch_rows = min(1 << 20, rows_per_chunk(8 * row_bytes, sampler.working_memory))

    check_fits(
        source.num_rows * _LABEL_ROW_BYTES,
        f"The labels of {source.num_rows:,} rows and their class codes",
        "Streamed SMOTE holds every row's label; run on a machine with more memory.",
    )
    with contextlib.closing(progress("reading labels", source.num_rows)) as bar:
        y = source.read_labels(target, batch_rows)
        bar.update(y.size)
    plan = stream_plan(sampler, y)
    selected = plan.selected
    n_selected = int(np.count_nonzero(selected))
    k = int(sampler.k_neighbors) if isinstance(sampler.k_neighbors, numbers.Integral) else 0
    check_fits(
        n_selected * (len(features) * dtype.itemsize + 8 * k),
        f"The rows of the classes to over-sample ({n_selected:,} rows x {len(features)} "
        f"features, {dtype.name}) with their neighbour tables",
        "Streamed SMOTE holds these rows (not the others); over-sample fewer classes, "
        "or run on a machine with more memory.",
    )
    target_index = source.columns.index(target)
    label_width = max(len(str(c).encode()) for c in plan.counts_before)
    check_disk_space(
        [
            (
                Path(output),
                estimate_rows_bytes(
                    schema, output_format, plan.n_samples_out, {target_index: label_width}
                ),
            )
        ],
        f"The output has {plan.n_samples_out:,} rows; free space, write it to "
        "another disk, or lower --sampling-strategy.",
        shown=shown,
    )
    X_classes = np.empty((n_selected, len(features)), dtype=dtype)
    moments = _Moments(len(features))

    filled = 0
    with TableWriter(output, output_format, schema, shown) as writer:
        with contextlib.closing(progress("copying input rows", source.num_rows)) as bar:
            start = 0
            for batch in source.iter_batches(batch_rows):
                m = batch.num_rows
                take = selected[start : start + m]
                n_take = int(np.count_nonzero(take))
                bad_rows = np.zeros(m, dtype=bool)
                arrays, columns = [], []
                j = 0
                for i, name in enumerate(source.columns):
                    column = batch.column(i)
                    if i == target_index or i in carried:
                        arrays.append(column)
                        continue
                    if column.null_count:  # raised below, with the batch's first bad row
                        bad_rows |= column.is_null().to_numpy(zero_copy_only=False)
                        continue
                    values = column.to_numpy(zero_copy_only=False)
                    _check_exact(values, dtype, name, start)
                    converted = values.astype(dtype, copy=False)
                    bad_rows |= ~np.isfinite(converted)
                    if n_take:
                        X_classes[filled : filled + n_take, j] = converted[take]
                    columns.append(converted)
                    arrays.append(
                        column if pa.types.is_floating(column.type) else pa.array(converted)
                    )
                    j += 1
                if bad_rows.any():
                    row = int(np.argmax(bad_rows))
                    _raise_nonfinite(batch, source.columns, target_index, row, start, carried)
                for j, converted in enumerate(columns):  # finite: the moments are defined
                    moments.add(j, converted)
                moments.next(m)
                if synthetic_column is not None:
                    arrays.append(pa.array(np.zeros(m, dtype=bool)))
                writer.write(pa.RecordBatch.from_arrays(arrays, schema=schema))
                filled += n_take
                start += m
                bar.update(m)
            del batch, arrays, columns, column  # the last batch holds decoded pages

        label_type = schema.field(target).type
        with contextlib.closing(progress("synthetic rows", plan.n_synthetic)) as bar:
            for X_chunk, y_chunk in plan.chunks(X_classes, chunk_rows=batch_rows):
                m = X_chunk.shape[0]
                arrays = []
                j = 0
                for i, field in enumerate(schema):
                    if i == target_index:
                        arrays.append(_labels_array(y_chunk, label_type))
                    elif i in carried:
                        arrays.append(pa.nulls(m, field.type))
                    elif field.name == synthetic_column and i == len(schema) - 1:
                        arrays.append(pa.array(np.ones(m, dtype=bool)))
                    else:
                        values = X_chunk[:, j].astype(field.type.to_pandas_dtype())
                        arrays.append(pa.array(values))
                        j += 1
                writer.write(pa.RecordBatch.from_arrays(arrays, schema=schema))
                bar.update(m)
    return ResampleResult(
        plan.counts_before,
        plan.counts_after,
        time.perf_counter() - started,
        plan.n_samples_out,
        feature_std=list(zip(features, moments.std().tolist(), strict=True)),
    )


def _non_numeric_message(bad: list[str]) -> str:
    shown = ", ".join(repr(c) for c in bad[:10]) + (" ..." if len(bad) > 10 else "")
    return (
        f"non-numeric feature column(s) {shown}: SMOTE interpolates features, so every "
        "feature must be numeric; carry ids through as passthrough columns, encode or "
        "drop the others, or use SMOTENC for categorical columns"
    )


def _check_exact(values: np.ndarray, dtype: np.dtype, name: str, offset: int) -> None:
    """Raise where the float ``dtype`` would round a value of feature column ``name``
    (an integer beyond 2**53 in float64: an identifier, most likely)."""
    row = first_rounded(values, dtype)
    if row >= 0:
        where = f"first at row {offset + row}"
        raise ValueError(rounding_message(f"feature column {name!r}", where, values[row], dtype))


def _raise_nonfinite(
    batch, columns: list[str], target_index: int, row: int, offset: int, carried=frozenset()
):
    for i, name in enumerate(columns):
        if i == target_index or i in carried:
            continue
        value = batch.column(i)[row].as_py()
        if value is None:
            raise MissingValuesError(
                f"feature column {name!r} has missing values (first at row {offset + row}); "
                "SMOTE cannot interpolate missing values: impute or drop them first"
            )
        if isinstance(value, float) and not np.isfinite(value):
            kind = "NaN" if np.isnan(value) else "infinity"
            raise MissingValuesError(
                f"feature column {name!r} contains {kind} (first at row {offset + row}); "
                "SMOTE cannot interpolate missing or infinite values: impute or drop them first"
            )
    raise MissingValuesError(f"X contains a non-finite value at row {offset + row}")


def _labels_array(labels: np.ndarray, data_type: pa.DataType) -> pa.Array:
    if pa.types.is_dictionary(data_type):
        return pa.array(labels).dictionary_encode().cast(data_type)
    return pa.array(labels, type=data_type)
