"""Parquet and CSV in and out for batch jobs (``pip install fastsmote[io]``).

- :func:`detect_format`, :class:`InputTable`: open a Parquet or CSV file, read its
  schema, one column, all of it, or (Parquet) its row groups in batches.
- :func:`atomic_output`: write to a hidden temporary file beside the destination and
  rename it over the destination only on success.
- :func:`resample_table`: any sampler on a whole Arrow table (column order kept, target
  column where it was, optional boolean column marking synthetic rows).
- :func:`stream_smote`: SMOTE from Parquet without holding the file in memory: the
  target column first, then every batch straight to the output while the rows of the
  classes to over-sample are collected, then the synthetic rows in chunks. The output
  holds exactly the rows of ``SMOTE(...).fit_resample`` on the whole table.

pyarrow and pandas are imported here, so ``import fastsmote`` never needs them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ._memory import rows_per_chunk
from ._validation import _float_dtype

FORMATS = ("parquet", "csv")
_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".parq": "parquet", ".csv": "csv"}

#: Test hook: when set to a path, the first write to an output creates that file and
#: then blocks (up to 60 s, in short sleeps so signals are handled), so a test can
#: kill the process deterministically in the middle of writing.
TEST_HOOK_ENV = "FASTSMOTE_TEST_HOOK_AFTER_FIRST_WRITE"


# --------------------------------------------------------------------------- errors
class TableError(Exception):
    """A problem with an input or output file, stated in one line."""


class InputNotFoundError(TableError):
    """The input file does not exist."""


class UnreadableInputError(TableError):
    """The input cannot be read: not Parquet/CSV, corrupt, truncated or not permitted."""


class MissingColumnError(TableError):
    """A named column (the target) is not in the input."""


class NonNumericColumnsError(TableError, ValueError):
    """Feature columns a numeric method cannot interpolate."""


class MissingValuesError(TableError, ValueError):
    """NaN, infinity or nulls where every value must be known."""


class OutputExistsError(TableError):
    """The output exists and overwriting was not asked for."""


class OutputError(TableError):
    """The output cannot be written (missing directory, permissions, disk full)."""


# --------------------------------------------------------------------------- progress
class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def no_progress(label: str, total: int | None) -> _NoProgress:
    """A progress factory that shows nothing (the default)."""
    return _NoProgress()


ProgressFactory = Callable[[str, "int | None"], Any]


# --------------------------------------------------------------------------- input
def detect_format(path: str | os.PathLike, fmt: str | None = None) -> str:
    """``fmt`` if given, else the format named by the file's extension.

    Raises
    ------
    ValueError
        Unknown format or extension.
    """
    if fmt is not None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValueError(
            f"cannot tell the format of {str(path)!r} from its extension; name it .parquet "
            "or .csv, or pass --format/--output-format"
        )
    return _SUFFIXES[suffix]


def _pandas_index_columns(schema: pa.Schema) -> set[str]:
    meta = schema.pandas_metadata or {}
    return {c for c in meta.get("index_columns", []) if isinstance(c, str)}


class InputTable:
    """A Parquet or CSV file opened for reading.

    Parquet files are read lazily (schema and row count from the footer); CSV files are
    parsed whole on opening. Columns that hold a stored pandas index are left out.

    Parameters
    ----------
    path : path-like
    fmt : {"parquet", "csv"}, optional
        By default from the extension.

    Raises
    ------
    InputNotFoundError, UnreadableInputError
    """

    def __init__(self, path: str | os.PathLike, fmt: str | None = None):
        self.path = Path(path)
        self.format = detect_format(path, fmt)
        if not self.path.exists():
            raise InputNotFoundError(f"input file not found: {str(self.path)!r}")
        self._table: pa.Table | None = None
        self._parquet: pq.ParquetFile | None = None
        try:
            if self.format == "parquet":
                # buffered page reads, no whole-row-group pre-buffering: a batch costs
                # about its own size, not a row group's (measured: 114 vs 268 MiB at
                # 1M-row groups of 20 float32 columns)
                self._parquet = pq.ParquetFile(
                    self.path, memory_map=False, buffer_size=1 << 20, pre_buffer=False
                )
                schema = self._parquet.schema_arrow
                self.num_rows = self._parquet.metadata.num_rows
            else:
                self._table = pacsv.read_csv(self.path)
                schema = self._table.schema
                self.num_rows = self._table.num_rows
        except (OSError, pa.ArrowException) as error:
            raise UnreadableInputError(self._unreadable(error)) from None
        hidden = _pandas_index_columns(schema)
        self.columns = [n for n in schema.names if n not in hidden]
        self.schema = pa.schema([schema.field(n) for n in self.columns])

    def _unreadable(self, error: BaseException) -> str:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"cannot read {str(self.path)!r} as {self.format.upper()}: {reason}"

    def field(self, name: str) -> pa.Field:
        """The schema field of a column; :class:`MissingColumnError` names the others."""
        if name not in self.columns:
            shown = ", ".join(repr(c) for c in self.columns[:20])
            more = " ..." if len(self.columns) > 20 else ""
            raise MissingColumnError(
                f"column {name!r} not found in {str(self.path)!r}; its columns are: {shown}{more}"
            )
        return self.schema.field(name)

    def read(self) -> pa.Table:
        """The whole table (without stored pandas index columns)."""
        if self._table is not None:
            return self._table.select(self.columns)
        try:
            return self._parquet.read(columns=self.columns)
        except (OSError, pa.ArrowException) as error:
            raise UnreadableInputError(self._unreadable(error)) from None

    def iter_batches(self, batch_rows: int, columns: list[str] | None = None):
        """Record batches of at most ``batch_rows`` rows, in file order."""
        columns = self.columns if columns is None else columns
        try:
            if self._table is not None:
                yield from self._table.select(columns).to_batches(max_chunksize=batch_rows)
                return
            yield from self._parquet.iter_batches(batch_size=batch_rows, columns=columns)
        except (OSError, pa.ArrowException) as error:
            raise UnreadableInputError(self._unreadable(error)) from None

    def read_labels(self, name: str, batch_rows: int = 1 << 20) -> np.ndarray:
        """One column as a NumPy array, read batch by batch into one preallocated array.

        Raises
        ------
        MissingColumnError, MissingValuesError (nulls or NaN)
        """
        field = self.field(name)
        out = None
        start = 0
        for batch in self.iter_batches(batch_rows, [name]):
            column = batch.column(0)
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()
            check_labels(column, name, start)
            values = column.to_numpy(zero_copy_only=False)
            if out is None:
                out = np.empty(self.num_rows, dtype=values.dtype)
            out[start : start + values.size] = values
            start += values.size
        if out is None:
            raise UnreadableInputError(f"{str(self.path)!r} has no rows (column {field.name!r})")
        return out[:start]


def check_labels(column: pa.Array | pa.ChunkedArray, name: str, offset: int = 0) -> None:
    """Raise :class:`MissingValuesError` for nulls or NaN in a label column."""
    missing = pc.is_null(column, nan_is_null=True)
    if pc.any(missing).as_py():
        first = offset + pc.index(missing, True).as_py()
        raise MissingValuesError(
            f"target column {name!r} has missing labels (first at row {first}); every row "
            "needs a class label"
        )


def _is_numeric(data_type: pa.DataType) -> bool:
    return (
        pa.types.is_integer(data_type)
        or pa.types.is_floating(data_type)
        or pa.types.is_boolean(data_type)
    )


def non_numeric_columns(schema: pa.Schema, skip: tuple[str, ...] = ()) -> list[str]:
    """Columns of ``schema`` (other than ``skip``) that are not int, float or bool."""
    return [f.name for f in schema if f.name not in skip and not _is_numeric(f.type)]


# --------------------------------------------------------------------------- output
def _pause_for_tests() -> None:
    flag = os.environ.get(TEST_HOOK_ENV)
    if not flag:
        return
    Path(flag).write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path``; rename it to ``path`` on success.

    The temporary file is ``.{name}.fastsmote-tmp-{random}`` in the destination
    directory (so the final ``os.replace`` is atomic). On any exception, including
    ``KeyboardInterrupt`` and exceptions raised by signal handlers, it is removed and
    the exception propagates; ``path`` is never left half-written.

    Raises
    ------
    OutputExistsError
        ``path`` exists (checked before and after writing) and ``overwrite`` is False.
    OutputError
        The destination directory does not exist.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(f"output {str(path)!r} exists; pass --overwrite to replace it")
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: directory {str(parent)!r} does not exist")
    tmp = parent / f".{path.name}.fastsmote-tmp-{secrets.token_hex(4)}"
    try:
        with _TEMPORARY_LOCK:  # see hold_no_temporary_files
            _TEMPORARY_FILES.add(tmp)
        yield tmp
        if path.exists() and not overwrite:
            raise OutputExistsError(
                f"output {str(path)!r} appeared while writing; pass --overwrite to replace it"
            )
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        _TEMPORARY_FILES.discard(tmp)


#: Temporary paths of the :func:`atomic_output` blocks still open.
_TEMPORARY_FILES: set[Path] = set()
_TEMPORARY_LOCK = threading.Lock()


def remove_temporary_files() -> None:
    """Remove the temporary file of every :func:`atomic_output` block still open.

    For a process that must end from another thread, without unwinding the main one
    (the command line on a signal that arrives while a kernel runs).
    """
    for tmp in list(_TEMPORARY_FILES):
        with contextlib.suppress(OSError):
            tmp.unlink()


def hold_no_temporary_files() -> bool:
    """From another thread: whether no :func:`atomic_output` block is open; if so, none
    can open any more in this process (the next one blocks), so that it can end at
    once without leaving a file."""
    _TEMPORARY_LOCK.acquire()
    if not _TEMPORARY_FILES:
        return True
    _TEMPORARY_LOCK.release()
    return False


def release_temporary_files() -> None:
    """Undo a :func:`hold_no_temporary_files` that returned True."""
    _TEMPORARY_LOCK.release()


class TableWriter:
    """Write record batches to a Parquet or CSV file, one schema throughout."""

    def __init__(self, path: str | os.PathLike, fmt: str, schema: pa.Schema):
        self.schema = schema
        self.rows = 0
        try:
            if fmt == "parquet":
                # dictionary encoding only where values repeat: on continuous floats it
                # costs time and, with many row groups, space
                keep = [f.name for f in schema if not pa.types.is_floating(f.type)]
                self._writer = pq.ParquetWriter(path, schema, use_dictionary=keep or False)
            else:
                self._writer = pacsv.CSVWriter(path, schema)
        except OSError as error:
            raise OutputError(f"cannot write {str(path)!r}: {error}") from None

    def write(self, data: pa.RecordBatch | pa.Table) -> None:
        """Append rows (a batch or table with exactly the writer's schema)."""
        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data], schema=self.schema)
        try:
            self._writer.write_table(data)
        except OSError as error:
            raise OutputError(f"cannot write the output: {error}") from None
        first = self.rows == 0
        self.rows += data.num_rows
        if first:
            _pause_for_tests()

    def close(self) -> None:
        try:
            self._writer.close()
        except OSError as error:
            raise OutputError(f"cannot write the output: {error}") from None

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_table(
    table: pa.Table,
    path: str | os.PathLike,
    fmt: str,
    *,
    batch_rows: int = 1 << 20,
    progress: ProgressFactory = no_progress,
) -> None:
    """Write ``table`` to ``path`` (not atomically; see :func:`atomic_output`)."""
    bar = progress("writing", table.num_rows)
    with TableWriter(path, fmt, table.schema) as writer:
        for start in range(0, max(table.num_rows, 1), batch_rows):
            writer.write(table.slice(start, batch_rows))
            bar.update(min(batch_rows, table.num_rows - start))
    bar.close()


# --------------------------------------------------------------------------- in memory
@dataclass
class ResampleResult:
    """Class counts (``{label: rows}``) of one resampling and its wall time."""

    counts_before: dict
    counts_after: dict
    elapsed_seconds: float
    rows_out: int = 0
    provenance: pa.Table | None = None


def _counts(labels: np.ndarray) -> dict:
    classes, counts = np.unique(labels, return_counts=True)
    return {c: int(n) for c, n in zip(classes.tolist(), counts.tolist(), strict=True)}


def _synthetic_mask(sampler: Any, n_in: int, n_out: int) -> np.ndarray:
    """True for output rows that are not input rows (generated or duplicated)."""
    for cleaner in ("tomek_", "enn_"):  # SMOTE then clean: kept rows of SMOTE's output
        kept = getattr(getattr(sampler, cleaner, None), "sample_indices_", None)
        if kept is not None:
            return np.asarray(kept) >= n_in
    if getattr(sampler, "_sampling_type", None) == "over-sampling":
        return np.arange(n_out) >= n_in
    return np.zeros(n_out, dtype=bool)


def _match_input_types(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Give columns their input Arrow type back where pandas changed only the container
    (e.g. strings, categories), not where values were interpolated (ints to floats)."""
    columns = []
    for name in table.column_names:
        column = table.column(name)
        if name in schema.names:
            wanted = schema.field(name).type
            interpolated = pa.types.is_floating(column.type) and not pa.types.is_floating(wanted)
            if column.type != wanted and not interpolated:
                with contextlib.suppress(pa.ArrowException):
                    column = column.cast(wanted)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def resample_table(
    table: pa.Table,
    target: str,
    sampler: Any,
    *,
    synthetic_column: str | None = None,
    with_provenance: bool = False,
) -> tuple[pa.Table, ResampleResult]:
    """Resample a whole Arrow table with any fastsmote sampler.

    Parameters
    ----------
    table : pyarrow.Table
    target : str
        The label column; every other column is a feature.
    sampler : fastsmote sampler
    synthetic_column : str, optional
        Name of a boolean column to append, True for rows the sampler added.
    with_provenance : bool, default=False
        Also return ``sampler.provenance(X, y)`` as a table (``row``, ``label``,
        ``base``, ``neighbor``, ``gap``) in ``result.provenance`` (SMOTE).

    Returns
    -------
    table : pyarrow.Table
        Columns in input order (target where it was, features as the sampler returns
        them: interpolated integer features become float), then ``synthetic_column``.
    result : ResampleResult
    """
    started = time.perf_counter()
    check_labels(table.column(target), target)
    frame = table.replace_schema_metadata(None).to_pandas()
    X = frame.drop(columns=[target])
    y = frame[target]
    X_res, y_res = sampler.fit_resample(X, y)
    out = X_res.copy() if hasattr(X_res, "columns") else X_res
    out.insert(list(table.column_names).index(target), target, np.asarray(y_res))
    if hasattr(y_res, "dtype"):
        out[target] = out[target].astype(y_res.dtype)
    if synthetic_column is not None:
        out[synthetic_column] = _synthetic_mask(sampler, len(frame), len(out))
    result_table = _match_input_types(
        pa.Table.from_pandas(out, preserve_index=False), table.schema
    )
    y_in = table.column(target).to_numpy()
    result = ResampleResult(
        _counts(y_in),
        _counts(np.asarray(y_res)),
        time.perf_counter() - started,
        result_table.num_rows,
    )
    if with_provenance:
        origin = sampler.provenance(X, y)
        result.provenance = pa.table({name: getattr(origin, name) for name in origin._fields})
    return result_table.replace_schema_metadata(None), result


# --------------------------------------------------------------------------- streaming
def smote_output_schema(
    schema: pa.Schema, target: str, synthetic_column: str | None
) -> tuple[pa.Schema, np.dtype]:
    """Output schema of SMOTE on a table, and the float dtype it computes in.

    Float features keep their type, other numeric features become the compute dtype
    (as :class:`fastsmote.SMOTE` returns a DataFrame), the target keeps its type.
    """
    features = [f for f in schema if f.name != target]
    kinds = [np.dtype(f.type.to_pandas_dtype()) for f in features]
    dtype = _float_dtype(np.result_type(*kinds))
    fields = [
        f
        if f.name == target or pa.types.is_floating(f.type)
        else f.with_type(pa.from_numpy_dtype(dtype))
        for f in schema
    ]
    if synthetic_column is not None:
        fields.append(pa.field(synthetic_column, pa.bool_()))
    return pa.schema(fields), dtype


def stream_smote(
    source: InputTable,
    output: str | os.PathLike,
    output_format: str,
    sampler: Any,
    target: str,
    *,
    synthetic_column: str | None = None,
    batch_rows: int | None = None,
    progress: ProgressFactory = no_progress,
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

    Parameters
    ----------
    source : InputTable
    output : path-like
        Where to write (write to a temporary path from :func:`atomic_output`).
    output_format : {"parquet", "csv"}
    sampler : fastsmote.SMOTE
    target : str
    synthetic_column : str, optional
    batch_rows : int, optional
        Input rows per batch; by default from ``working_memory``.
    progress : callable, optional
        ``progress(label, total)`` returning an object with ``update(n)``/``close()``.

    Returns
    -------
    ResampleResult
    """
    started = time.perf_counter()
    source.field(target)
    features = [c for c in source.columns if c != target]
    bad = non_numeric_columns(source.schema, (target,))
    if bad:
        raise NonNumericColumnsError(_non_numeric_message(bad))
    schema, dtype = smote_output_schema(source.schema, target, synthetic_column)
    row_bytes = len(source.columns) * 8 + 8
    if batch_rows is None:
        # a batch lives as Arrow input, NumPy conversions, Arrow output and encoded
        # pages at once; smaller batches also measured faster than 1M-row ones
        batch_rows = min(1 << 20, rows_per_chunk(8 * row_bytes, sampler.working_memory))

    bar = progress("reading labels", source.num_rows)
    y = source.read_labels(target, batch_rows)
    bar.update(y.size)
    bar.close()
    target_info = sampler._stream_fit_target(y)
    plan_codes = [
        target_info.class_index(label) for label, n in sampler.sampling_strategy_.items() if n > 0
    ]
    collect = np.zeros(target_info.classes.size, dtype=bool)
    collect[plan_codes] = True
    selected = collect[target_info.encoded]
    X_classes = np.empty((int(np.count_nonzero(selected)), len(features)), dtype=dtype)
    target_index = source.columns.index(target)

    filled = 0
    with TableWriter(output, output_format, schema) as writer:
        bar = progress("copying input rows", source.num_rows)
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
                if i == target_index:
                    arrays.append(column)
                    continue
                values = _numeric_values(column, name, start)
                converted = values.astype(dtype, copy=False)
                bad_rows |= ~np.isfinite(converted)
                if n_take:
                    X_classes[filled : filled + n_take, j] = converted[take]
                arrays.append(column if pa.types.is_floating(column.type) else pa.array(converted))
                j += 1
            if bad_rows.any():
                row = int(np.argmax(bad_rows))
                _raise_nonfinite(batch, source.columns, target_index, row, start)
            if synthetic_column is not None:
                arrays.append(pa.array(np.zeros(m, dtype=bool)))
            writer.write(pa.RecordBatch.from_arrays(arrays, schema=schema))
            filled += n_take
            start += m
            bar.update(m)
        bar.close()
        del batch, arrays, column  # the last batch holds decoded pages

        n_synthetic = sum(sampler.sampling_strategy_.values())
        bar = progress("neighbours and synthetic rows", n_synthetic)
        label_type = schema.field(target).type
        for X_chunk, y_chunk in sampler._stream_synthetic(
            target_info, X_classes, chunk_rows=batch_rows
        ):
            m = X_chunk.shape[0]
            arrays = []
            j = 0
            for i, field in enumerate(schema):
                if i == target_index:
                    arrays.append(_labels_array(y_chunk, label_type))
                elif field.name == synthetic_column and i == len(schema) - 1:
                    arrays.append(pa.array(np.ones(m, dtype=bool)))
                else:
                    values = X_chunk[:, j].astype(field.type.to_pandas_dtype())
                    arrays.append(pa.array(values))
                    j += 1
            writer.write(pa.RecordBatch.from_arrays(arrays, schema=schema))
            bar.update(m)
        bar.close()
    counts_before = target_info.class_counts()
    counts_after = {
        c: n + int(sampler.sampling_strategy_.get(c, 0)) for c, n in counts_before.items()
    }
    return ResampleResult(
        counts_before,
        counts_after,
        time.perf_counter() - started,
        int(sampler.n_samples_out_),
    )


def _non_numeric_message(bad: list[str]) -> str:
    shown = ", ".join(repr(c) for c in bad[:10]) + (" ..." if len(bad) > 10 else "")
    return (
        f"non-numeric feature column(s) {shown}: this method interpolates features, so "
        "every feature must be numeric; encode or drop them, or use --method smotenc "
        "(categorical columns)"
    )


def _numeric_values(column: pa.Array, name: str, offset: int) -> np.ndarray:
    if column.null_count:
        first = offset + int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise MissingValuesError(
            f"feature column {name!r} has missing values (first at row {first}); SMOTE cannot "
            "interpolate missing values: impute or drop them first"
        )
    return column.to_numpy(zero_copy_only=False)


def _raise_nonfinite(batch, columns: list[str], target_index: int, row: int, offset: int):
    for i, name in enumerate(columns):
        if i == target_index:
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
