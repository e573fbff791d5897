"""Tables out: :class:`TableWriter` (Parquet with page checksums, or CSV with floats
written as floats) and :func:`write_table`."""

from __future__ import annotations

import contextlib
import os

import pyarrow as pa
import pyarrow.parquet as pq

from .._progress import start as _report
from ._csv import CsvFile, unwritable_columns
from ._errors import OutputError
from ._input import ProgressFactory
from ._output import write_error


class TableWriter:
    """Write record batches to a Parquet or CSV file, one schema throughout.

    Parquet pages carry CRC checksums, so a reader that verifies them (fastsmote does)
    detects a file damaged later. CSV floats are written as floats (``6.0``, not
    ``6``), so that readers inferring types from the text read float columns as floats;
    every other value as pyarrow's CSV writer writes it.

    Parameters
    ----------
    path : path-like
    fmt : "parquet" or "csv"
    schema : pyarrow.Schema
    shown : path-like, optional
        The name to give in error messages (the destination of a temporary ``path``).

    Attributes
    ----------
    rows : int
        Rows written so far.
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
        self.rows += data.num_rows

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
