"""Tables in: formats, :class:`InputTable` (a Parquet or CSV file opened for reading),
label and column-type checks, progress factories."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .._memory import check_fits
from .._progress import start as _report
from ._errors import (
    InputNotFoundError,
    MissingColumnError,
    MissingValuesError,
    UnreadableInputError,
)

FORMATS = ("parquet", "csv")
_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".parq": "parquet", ".csv": "csv"}
#: What pyarrow raises on a file it cannot decode: I/O errors (page checksum failures
#: included), invalid data, unsupported encodings. Its ``ArrowMemoryError`` is re-raised
#: as memory (see :meth:`InputTable._unreadable_error`).
_READ_ERRORS = (OSError, EOFError, pa.ArrowException)


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
    fmt : "parquet" or "csv", optional
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
        dropped = set(names)
        keep = [i for i, name in enumerate(self.columns) if name not in dropped]
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


def is_numeric(data_type: pa.DataType) -> bool:
    """Whether SMOTE can interpolate values of this type (int, float or bool)."""
    return (
        pa.types.is_integer(data_type)
        or pa.types.is_floating(data_type)
        or pa.types.is_boolean(data_type)
    )


def non_numeric_columns(schema: pa.Schema, skip: tuple[str, ...] = ()) -> list[str]:
    """Columns of ``schema`` (other than ``skip``) that are not int, float or bool."""
    return [f.name for f in schema if f.name not in skip and not is_numeric(f.type)]
