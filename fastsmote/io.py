"""Parquet and CSV in and out for batch jobs (``pip install fastsmote[io]``).

- :func:`detect_format`, :class:`InputTable`: open a Parquet or CSV file, read its
  schema, one column, all of it, or (Parquet) its row groups in batches.
- :func:`output_files` (:func:`atomic_output` for one file): write to hidden temporary
  files beside the destinations and move them into place together only on success;
  :func:`check_disk_space` and :func:`estimate_rows_bytes` check sizes before writing.
- :class:`TableWriter`, :func:`write_table`: Parquet (with page checksums) or CSV out.
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
import numbers
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
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
from ._memory import check_fits, rows_per_chunk
from ._progress import start as _report
from ._validation import _float_dtype

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

FORMATS = ("parquet", "csv")
_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".parq": "parquet", ".csv": "csv"}
#: What pyarrow raises on a file it cannot decode: I/O errors (page checksum failures
#: included), invalid data, unsupported encodings. Its ``ArrowMemoryError`` is re-raised
#: as memory (see :meth:`InputTable._unreadable_error`).
_READ_ERRORS = (OSError, EOFError, pa.ArrowException)

#: Test hook: when set to a path, the first write to an output creates that file and
#: then blocks (up to 60 s, in short sleeps so signals are handled), so a test can
#: kill the process deterministically in the middle of writing.
TEST_HOOK_ENV = "FASTSMOTE_TEST_HOOK_AFTER_FIRST_WRITE"


# --------------------------------------------------------------------------- progress
class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def no_progress(label: str, total: int | None) -> _NoProgress:
    """A progress factory that shows nothing."""
    return _NoProgress()


#: ``progress(label, total)`` returning an object with ``update(n)`` and ``close()``;
#: the default, :func:`fastsmote._progress.start`, reports to the reporter installed
#: with :func:`fastsmote._progress.report_progress` (the command line's display), if any.
ProgressFactory = Callable[[str, "int | None"], Any]


# --------------------------------------------------------------------------- input
def detect_format(
    path: str | os.PathLike, fmt: str | None = None, option: str = "--format"
) -> str:
    """``fmt`` if given, else the format named by the file's extension.

    ``option``: the command-line option that names the format of this file, for the
    error message.

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
            "or .csv" + (f", or pass {option}" if option else "")
        )
    return _SUFFIXES[suffix]


def _pandas_index_columns(schema: pa.Schema) -> set[str]:
    meta = schema.pandas_metadata or {}
    return {c for c in meta.get("index_columns", []) if isinstance(c, str)}


class InputTable:
    """A Parquet or CSV file opened for reading.

    Parquet files are read lazily (schema and row count from the footer); their page
    checksums, where the file has them, are verified as pages are read, and every
    decoded batch is validated (offsets, UTF-8 text). CSV files are parsed whole on
    opening. Columns that hold a stored pandas index are left out.
    Columns are kept by position, so duplicate column names are allowed (except for
    columns named on the command line, see :meth:`field`).

    Parameters
    ----------
    path : path-like
    fmt : {"parquet", "csv"}, optional
        By default from the extension.

    Raises
    ------
    InputNotFoundError
    UnreadableInputError
        Not Parquet/CSV, corrupt, truncated, not permitted, or no rows.
    """

    def __init__(self, path: str | os.PathLike, fmt: str | None = None):
        self.path = Path(path)
        self.format = detect_format(path, fmt)
        if not self.path.exists():
            raise InputNotFoundError(f"input file not found: {str(self.path)!r}")
        if self.path.is_dir():
            raise UnreadableInputError(f"cannot read {str(self.path)!r}: it is a directory")
        self._table: pa.Table | None = None
        self._parquet: pq.ParquetFile | None = None
        try:
            if self.format == "parquet":
                # buffered page reads, no whole-row-group pre-buffering: a batch costs
                # about its own size, not a row group's (peak memory: `benchmarks/cli_stream.py`)
                self._parquet = pq.ParquetFile(
                    self.path,
                    memory_map=False,
                    buffer_size=1 << 20,
                    pre_buffer=False,
                    page_checksum_verification=True,
                )
                schema = self._parquet.schema_arrow
                self.num_rows = self._parquet.metadata.num_rows
            else:
                self._table = pacsv.read_csv(self.path)
                schema = self._table.schema
                self.num_rows = self._table.num_rows
        except _READ_ERRORS as error:
            raise self._unreadable_error(error) from None
        hidden = _pandas_index_columns(schema)
        #: positions of the data columns in the file's schema
        self._positions = [i for i, n in enumerate(schema.names) if n not in hidden]
        self.columns = [schema.names[i] for i in self._positions]
        self.schema = pa.schema([schema.field(i) for i in self._positions])
        if self.num_rows == 0:
            raise UnreadableInputError(
                f"{str(self.path)!r} has no rows (only a header or an empty table); "
                "there is nothing to resample"
            )

    def _unreadable_error(self, error: BaseException, row_group: int | None = None):
        """The one-line error for a read that failed (memory errors stay memory errors)."""
        if isinstance(error, MemoryError):
            return error
        text = str(error).strip()
        reason = text.splitlines()[0] if text else type(error).__name__
        where = ""
        if row_group is not None and self._parquet is not None:
            where = f" (row group {row_group} of {self._parquet.metadata.num_row_groups})"
        return UnreadableInputError(
            f"cannot read {str(self.path)!r} as {self.format.upper()}{where}: {reason}"
        )

    def field(self, name: str) -> pa.Field:
        """The schema field of a column named on the command line.

        Raises
        ------
        MissingColumnError
            No such column (the message lists the columns), or more than one column
            has that name.
        """
        count = self.columns.count(name)
        if count == 0:
            shown = ", ".join(repr(c) for c in self.columns[:20])
            more = " ..." if len(self.columns) > 20 else ""
            raise MissingColumnError(
                f"column {name!r} not found in {str(self.path)!r}; its columns are: {shown}{more}"
            )
        if count > 1:
            raise MissingColumnError(
                f"{count} columns of {str(self.path)!r} are named {name!r}; a column named "
                "on the command line must be unique: rename the others"
            )
        return self.schema.field(self.columns.index(name))

    def drop_columns(self, names: list[str]) -> None:
        """Leave the named columns out of everything read from now on (and out of
        :attr:`columns` and :attr:`schema`).

        Raises
        ------
        MissingColumnError
            See :meth:`field`.
        """
        for name in names:
            self.field(name)
        keep = [i for i, name in enumerate(self.columns) if name not in set(names)]
        self._positions = [self._positions[i] for i in keep]
        self.columns = [self.columns[i] for i in keep]
        self.schema = pa.schema([self.schema.field(i) for i in keep])

    def distinct_count(self, name: str, max_rows: int = 100_000) -> tuple[int, int]:
        """``(distinct values, rows read)`` of a column's first ``max_rows`` non-null
        values (in file order): enough to tell an id from a category without reading
        the whole column."""
        parts, n = [], 0
        for batch in self.iter_batches(min(max_rows, 1 << 16), [name]):
            column = batch.column(0).drop_null()
            parts.append(column.slice(0, max_rows - n))
            n += len(parts[-1])
            if n >= max_rows:
                break
        if not n:
            return 0, 0
        values = pa.chunked_array(parts)
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        return int(pc.count_distinct(values).as_py()), n

    def read(self, progress: ProgressFactory = _report) -> pa.Table:
        """The whole table (without stored pandas index columns or dropped columns).

        ``progress``: see :data:`ProgressFactory` (rows read, by Parquet row group).
        """
        if self._table is not None:
            return self._table.select(self._positions)
        names = self._parquet.schema_arrow.names
        chosen = [names[i] for i in self._positions]
        # pyarrow selects columns by name: where names repeat, read all and pick by position
        by_name = all(names.count(n) == 1 for n in chosen)
        parts = []
        bar = progress("reading", self.num_rows)
        try:
            for group in range(self._parquet.metadata.num_row_groups):
                try:
                    part = self._parquet.read_row_group(group, columns=chosen if by_name else None)
                    part.validate(full=True)  # e.g. damaged text that is not UTF-8
                except _READ_ERRORS as error:
                    raise self._unreadable_error(error, group) from None
                parts.append(part if by_name else part.select(self._positions))
                bar.update(part.num_rows)
        finally:
            bar.close()
        return pa.concat_tables(parts)

    def iter_batches(self, batch_rows: int, columns: list[str] | None = None):
        """Record batches of at most ``batch_rows`` rows, in file order.

        ``columns``: names of columns to read, each unique (default: every data
        column). Batches do not span Parquet row groups.
        """
        if columns is None:
            positions = self._positions
        else:
            positions = [self._positions[self.columns.index(self.field(c).name)] for c in columns]
        if self._table is not None:
            yield from self._table.select(positions).to_batches(max_chunksize=batch_rows)
            return
        names = self._parquet.schema_arrow.names
        chosen = [names[i] for i in positions]
        # pyarrow selects columns by name: where names repeat, read all and pick by position
        by_name = all(names.count(n) == 1 for n in chosen)
        for group in range(self._parquet.metadata.num_row_groups):
            batches = self._parquet.iter_batches(
                batch_size=batch_rows, row_groups=[group], columns=chosen if by_name else None
            )
            while True:
                try:
                    batch = next(batches, None)
                    if batch is not None:
                        batch.validate(full=True)  # e.g. damaged text that is not UTF-8
                except _READ_ERRORS as error:
                    raise self._unreadable_error(error, group) from None
                if batch is None:
                    break
                yield batch.select(chosen if by_name else positions)

    def read_labels(self, name: str, batch_rows: int = 1 << 20) -> np.ndarray:
        """One column as a NumPy array, read batch by batch into one preallocated array.

        Raises
        ------
        MissingColumnError, MissingValuesError (nulls or NaN)
        """
        self.field(name)
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
        return out[:start]

    def data_bytes(self) -> int:
        """Uncompressed size of the data (Parquet footer; CSV: the parsed table)."""
        if self._table is not None:
            return self._table.nbytes
        metadata = self._parquet.metadata
        return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))

    def check_read_fits(self, advice: str) -> None:
        """Raise ``MemoryError`` if the whole table cannot be held in memory as an Arrow
        table and a DataFrame (a lower bound of what reading it whole holds)."""
        copies = 2 if self._table is None else 1  # a CSV table is already read
        check_fits(
            copies * self.data_bytes(),
            f"Reading {str(self.path)!r} into memory ({self.num_rows:,} rows, as an Arrow "
            "table and a DataFrame)",
            advice,
        )


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


def carried_column(column: pa.ChunkedArray | pa.Array, rows: np.ndarray) -> pa.ChunkedArray:
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
        result_table = result_table.add_column(i, field, carried_column(table.column(i), rows))
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
    dtype = _float_dtype(np.result_type(*kinds))
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
    target_info = sampler._stream_fit_target(y)
    plan_codes = [
        target_info.class_index(label) for label, n in sampler.sampling_strategy_.items() if n > 0
    ]
    collect = np.zeros(target_info.classes.size, dtype=bool)
    collect[plan_codes] = True
    selected = collect[target_info.encoded]
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
    label_width = max(len(str(c).encode()) for c in target_info.classes.tolist())
    check_disk_space(
        [
            (
                Path(output),
                estimate_rows_bytes(
                    schema, output_format, sampler.n_samples_out_, {target_index: label_width}
                ),
            )
        ],
        f"The output has {sampler.n_samples_out_:,} rows; free space, write it to "
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

        n_synthetic = sum(sampler.sampling_strategy_.values())
        label_type = schema.field(target).type
        with contextlib.closing(progress("synthetic rows", n_synthetic)) as bar:
            for X_chunk, y_chunk in sampler._stream_synthetic(
                target_info, X_classes, chunk_rows=batch_rows
            ):
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
    counts_before = target_info.class_counts()
    counts_after = {
        c: n + int(sampler.sampling_strategy_.get(c, 0)) for c, n in counts_before.items()
    }
    return ResampleResult(
        counts_before,
        counts_after,
        time.perf_counter() - started,
        int(sampler.n_samples_out_),
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
