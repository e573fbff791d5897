"""Parquet and CSV in and out for batch jobs (``pip install fastsmote[io]``).

- :func:`detect_format`, :class:`InputTable`: open a Parquet or CSV file, read its
  schema, one column, all of it, or (Parquet) its row groups in batches; leave
  columns out (:meth:`InputTable.drop_columns`).
- :func:`output_files` (:func:`atomic_output` for one file): write to hidden temporary
  files beside the destinations and move them into place together only on success;
  :func:`check_disk_space` and :func:`estimate_rows_bytes` check sizes before writing.
- :class:`TableWriter`, :func:`write_table`: Parquet (with page checksums) or CSV out
  (floats written as floats).
- :func:`resample_table`: any sampler on a whole Arrow table (column order kept, target
  column where it was, passthrough columns carried through with nulls in added rows,
  optional boolean column marking synthetic rows).
- :func:`stream_smote`: SMOTE from Parquet without holding the file in memory: the
  target column first, then every batch straight to the output while the rows of the
  classes to over-sample are collected, then the synthetic rows in chunks. The output
  holds exactly the rows of ``SMOTE(...).fit_resample`` on the whole table.

Progress goes to the reporter installed with ``fastsmote._progress.report_progress``
(the command line's display), if any. pyarrow and pandas are imported here, so
``import fastsmote`` never needs them.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ._io_csv import CsvFile, unwritable_columns
from ._io_errors import (
    InputNotFoundError,
    MissingColumnError,
    MissingValuesError,
    NonNumericColumnsError,
    OutputError,
    OutputExistsError,
    TableError,
    UnreadableInputError,
)
from ._io_files import (
    OutputFiles,
    atomic_output,
    check_disk_space,
    estimate_rows_bytes,
    estimate_table_bytes,
    free_disk_bytes,
    hold_no_temporary_files,
    output_files,
    release_temporary_files,
    remove_temporary_files,
    write_error,
    write_text,
)
from ._io_input import (
    FORMATS,
    InputTable,
    ProgressFactory,
    _is_numeric,
    _report,
    check_labels,
    detect_format,
    no_progress,
    non_numeric_columns,
)
from ._memory import check_fits, rows_per_chunk
from .over_sampling import compute_dtype, stream_plan

__all__ = [
    "FORMATS",
    "TEST_HOOK_ENV",
    "InputNotFoundError",
    "InputTable",
    "MissingColumnError",
    "MissingValuesError",
    "NonNumericColumnsError",
    "OutputError",
    "OutputExistsError",
    "OutputFiles",
    "hold_no_temporary_files",
    "input_rows",
    "release_temporary_files",
    "remove_temporary_files",
    "ResampleResult",
    "TableError",
    "TableWriter",
    "UnreadableInputError",
    "atomic_output",
    "check_disk_space",
    "check_labels",
    "detect_format",
    "estimate_rows_bytes",
    "estimate_table_bytes",
    "free_disk_bytes",
    "no_progress",
    "non_numeric_columns",
    "output_files",
    "resample_table",
    "smote_output_schema",
    "stream_smote",
    "write_table",
    "write_text",
]

#: Test hook: when set to a path, the first write to an output creates that file and
#: then blocks (up to 60 s, in short sleeps so signals are handled), so a test can
#: kill the process deterministically in the middle of writing.
TEST_HOOK_ENV = "FASTSMOTE_TEST_HOOK_AFTER_FIRST_WRITE"


# --------------------------------------------------------------------------- output
def _pause_for_tests() -> None:
    flag = os.environ.get(TEST_HOOK_ENV)
    if not flag:
        return
    Path(flag).write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)


class TableWriter:
    """Write record batches to a Parquet or CSV file, one schema throughout.

    Parquet pages carry CRC checksums, so a reader that verifies them (fastsmote does)
    detects a file damaged later. CSV floats are written as floats (``6.0``, not
    ``6``), so that readers inferring types from the text read float columns as floats;
    every other value as pyarrow's CSV writer writes it.

    Parameters
    ----------
    path : path-like
    fmt : {"parquet", "csv"}
    schema : pyarrow.Schema
    shown : path-like, optional
        The name to give in error messages (the destination of a temporary ``path``).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fmt: str,
        schema: pa.Schema,
        shown: str | os.PathLike | None = None,
    ):
        self.schema = schema
        self.rows = 0
        self._shown = str(shown if shown is not None else path)
        try:
            if fmt == "parquet":
                # dictionary encoding only where values repeat: on continuous floats it
                # costs time and, with many row groups, space
                keep = [f.name for f in schema if not pa.types.is_floating(f.type)]
                self._writer = pq.ParquetWriter(
                    path, schema, use_dictionary=keep or False, write_page_checksum=True
                )
            else:
                unwritable = unwritable_columns(schema)
                if unwritable:
                    shown_columns = ", ".join(f"{f.name!r} ({f.type})" for f in unwritable[:10])
                    raise OutputError(
                        f"cannot write {self._shown!r} as CSV: column(s) {shown_columns} "
                        "have no CSV form; write Parquet instead"
                    )
                self._writer = CsvFile(path, schema)
        except OSError as error:
            raise write_error(self._shown, error) from None

    def write(self, data: pa.RecordBatch | pa.Table) -> None:
        """Append rows (a batch or table with exactly the writer's schema)."""
        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data], schema=self.schema)
        try:
            self._writer.write_table(data)
        except OSError as error:
            raise write_error(self._shown, error) from None
        first = self.rows == 0
        self.rows += data.num_rows
        if first:
            _pause_for_tests()

    def close(self) -> None:
        try:
            self._writer.close()
        except OSError as error:
            raise write_error(self._shown, error) from None

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if kind is None:
            self.close()
            return
        with contextlib.suppress(Exception):  # the first error is the one to report
            self.close()


def write_table(
    table: pa.Table,
    path: str | os.PathLike,
    fmt: str,
    *,
    batch_rows: int = 1 << 20,
    progress: ProgressFactory = _report,
    shown: str | os.PathLike | None = None,
) -> None:
    """Write ``table`` to ``path`` (not atomically; see :func:`output_files`)."""
    with (
        contextlib.closing(progress("writing", table.num_rows)) as bar,
        TableWriter(path, fmt, table.schema, shown) as writer,
    ):
        for start in range(0, max(table.num_rows, 1), batch_rows):
            writer.write(table.slice(start, batch_rows))
            bar.update(min(batch_rows, table.num_rows - start))


# --------------------------------------------------------------------------- in memory
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
    (``-1`` for rows the sampler added: generated, or duplicated by random
    over-sampling); None if the sampler does not say which input rows it kept."""
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
        if name != target and _is_numeric(model.schema.field(i).type)
    ]
    frame = model.replace_schema_metadata(None).to_pandas()
    X = frame.drop(columns=[target])
    y = frame[target]
    X_res, y_res = sampler.fit_resample(X, y)
    out = X_res.copy() if hasattr(X_res, "columns") else X_res
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
    """Population standard deviation (0 for a column without two values)."""
    value = pc.stddev(
        column.cast(pa.float64()) if not pa.types.is_floating(column.type) else column
    )
    return float(value.as_py() or 0.0)


# --------------------------------------------------------------------------- streaming
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
    (Chan et al.), for the features' standard deviations."""

    def __init__(self, n_columns: int):
        self.n = 0
        self.mean = np.zeros(n_columns)
        self.m2 = np.zeros(n_columns)

    def add(self, j: int, values: np.ndarray) -> None:
        """Column ``j`` of the next batch (call for every column, then :meth:`next`)."""
        m = values.size
        if not m:
            return
        mean = float(values.mean(dtype=np.float64))
        m2 = float(np.square(values - mean, dtype=np.float64).sum())
        delta = mean - self.mean[j]
        total = self.n + m
        self.mean[j] += delta * m / total
        self.m2[j] += m2 + delta * delta * self.n * m / total

    def next(self, m: int) -> None:
        self.n += m

    def std(self) -> np.ndarray:
        return np.sqrt(self.m2 / max(self.n, 1))


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
    output_format : {"parquet", "csv"}
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
                arrays = []
                j = 0
                for i, name in enumerate(source.columns):
                    column = batch.column(i)
                    if i == target_index or i in carried:
                        arrays.append(column)
                        continue
                    values = _numeric_values(column, name, start)
                    converted = values.astype(dtype, copy=False)
                    bad_rows |= ~np.isfinite(converted)
                    if n_take:
                        X_classes[filled : filled + n_take, j] = converted[take]
                    moments.add(j, converted)
                    arrays.append(
                        column if pa.types.is_floating(column.type) else pa.array(converted)
                    )
                    j += 1
                if bad_rows.any():
                    row = int(np.argmax(bad_rows))
                    _raise_nonfinite(batch, source.columns, target_index, row, start, carried)
                moments.next(m)
                if synthetic_column is not None:
                    arrays.append(pa.array(np.zeros(m, dtype=bool)))
                writer.write(pa.RecordBatch.from_arrays(arrays, schema=schema))
                filled += n_take
                start += m
                bar.update(m)
            del batch, arrays, column  # the last batch holds decoded pages

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


def _numeric_values(column: pa.Array, name: str, offset: int) -> np.ndarray:
    if column.null_count:
        first = offset + int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise MissingValuesError(
            f"feature column {name!r} has missing values (first at row {first}); SMOTE cannot "
            "interpolate missing values: impute or drop them first"
        )
    return column.to_numpy(zero_copy_only=False)


def _raise_nonfinite(
    batch, columns: list[str], target_index: int, row: int, offset: int, carried=frozenset()
):
    for i, name in enumerate(columns):
        if i == target_index or i in carried:
            continue
        value = batch.column(i)[row].as_py()
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
