"""CSV output in which floats stay floats.

pyarrow's CSV writer prints a whole-number float as ``6``, so readers that infer column
types from the text (polars, DuckDB, pandas for columns without fractions) read such a
column as integers, and fail or change type at the first synthetic row. This writer
prints every value as pyarrow's writer does (the same text for integers, booleans,
dates, times, decimals; nulls as empty fields; a quoted header), except floats, which
keep a decimal point or an exponent: ``6.0``, ``0.25``, ``1e+20``, ``nan``.

Text values are written bare where no value of a slice of rows needs quotes (the
usual labels and ids: no delimiter, quote, line break or empty string), and pyarrow's
writer assembles the lines; otherwise every text and binary value of that slice is
quoted, inner quotes doubled, as pyarrow quotes them. Either way pyarrow's ``cast``
turns values into text (the same code its writer uses), a slice of rows at a time.

Used by :class:`fastsmote.io.TableWriter`.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

#: Text bytes per slice of rows turned into text at once (one call into pyarrow).
SLICE_BYTES = 8 << 20
#: Most rows per slice.
SLICE_ROWS = 1 << 16
#: Characters a numeric, temporal or boolean value takes at most, separator included
#: (a float64: "-2.2250738585072014e-308,").
_VALUE_CHARS = 26


def unwritable_columns(schema: pa.Schema) -> list[pa.Field]:
    """Fields whose type has no CSV text (lists, structs, maps, ...)."""
    bad = []
    for field in schema:
        value_type = _value_type(field.type)
        if _is_binary_like(value_type):
            continue
        try:
            pa.array([], type=value_type).cast(pa.string())
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            bad.append(field)
    return bad


def header(names: list[str]) -> bytes:
    """The header line: every name quoted, as pyarrow writes it."""
    return (",".join(_quote_text(n) for n in names) + "\n").encode()


def _quote_text(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _value_type(data_type: pa.DataType) -> pa.DataType:
    return data_type.value_type if pa.types.is_dictionary(data_type) else data_type


def _is_binary_like(data_type: pa.DataType) -> bool:
    return (
        pa.types.is_string(data_type)
        or pa.types.is_large_string(data_type)
        or pa.types.is_binary(data_type)
        or pa.types.is_large_binary(data_type)
        or pa.types.is_fixed_size_binary(data_type)
        or getattr(pa.types, "is_string_view", lambda t: False)(data_type)
        or getattr(pa.types, "is_binary_view", lambda t: False)(data_type)
    )


def float_text(column: pa.Array) -> pa.Array:
    """A float column as text that reads back as floats: ``6.0``, not ``6``."""
    text = column.cast(pa.string())
    # whole numbers print without a point ("6"); exponents ("1e+20") and nan/inf
    # already read as floats
    whole = pc.and_(pc.is_finite(column), pc.equal(column, pc.floor(column)))
    if pc.any(whole).as_py():
        whole = pc.and_(whole, pc.invert(pc.match_substring(text, "e")))
        text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    return text


def _bare(column: pa.Array) -> bool:
    """Whether the text values of a column can be written unquoted: no delimiter, quote
    or line break, and no empty string (which would read back as a null)."""
    if pa.types.is_dictionary(column.type):
        column = column.dictionary
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return False  # binary may not be UTF-8, views are rare: the general path
    return not pc.any(pc.match_substring_regex(column, r'[,"\r\n]|^$')).as_py()


def column_text(column: pa.Array) -> pa.Array:
    """One column as quoted CSV fields (binary, no separators): see the module
    docstring."""
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if _is_binary_like(column.type):
        values = column.cast(pa.binary()) if not pa.types.is_binary(column.type) else column
        quoted = pc.binary_join_element_wise(
            b'"', pc.replace_substring(values, b'"', b'""'), b'"', b""
        )
        return quoted.fill_null(b"")
    text = float_text(column) if pa.types.is_floating(column.type) else column.cast(pa.string())
    return text.cast(pa.binary()).fill_null(b"")


def _bare_batch(table: pa.RecordBatch) -> pa.RecordBatch | None:
    """``table`` with floats as text, for pyarrow's writer without quotes; None if a
    text value needs quotes."""
    for column in table.columns:
        if _is_binary_like(_value_type(column.type)) and not _bare(column):
            return None
    columns = [float_text(c) if pa.types.is_floating(c.type) else c for c in table.columns]
    return pa.RecordBatch.from_arrays(columns, names=table.schema.names)


def _quoted_lines(table: pa.RecordBatch) -> memoryview:
    columns = [column_text(c) for c in table.columns]
    columns[-1] = pc.binary_join_element_wise(columns[-1], b"\n", b"")
    lines = pc.binary_join_element_wise(*columns, b",") if len(columns) > 1 else columns[0]
    _, offsets, data = lines.buffers()
    bounds = np.frombuffer(offsets, np.int32, 2, lines.offset * 4)
    last = np.frombuffer(offsets, np.int32, 1, (lines.offset + len(lines)) * 4)
    return memoryview(data)[bounds[0] : last[0]]


def slice_rows(table: pa.Table | pa.RecordBatch) -> int:
    """Rows per slice: about :data:`SLICE_BYTES` of text (string widths measured), and
    few enough that a slice's text fits the 2 GiB of a string array."""
    row = 0.0
    for column in table.columns:
        value_type = _value_type(column.type)
        if _is_binary_like(value_type) and table.num_rows:
            dictionary = pa.types.is_dictionary(column.type)
            values = column.cast(value_type) if dictionary else column
            row += 2 * values.nbytes / table.num_rows + 3  # quotes doubled at worst
        else:
            row += _VALUE_CHARS
    return int(max(1, min(SLICE_ROWS, SLICE_BYTES // max(row, 1.0))))


class CsvFile:
    """Append tables of one schema to a CSV file (header first).

    Where no text value of a slice of rows needs quotes (the usual case: numbers,
    labels, ids), pyarrow's writer writes the slice, with floats given as text and text
    unquoted; otherwise every field is rendered here and text values are quoted, as
    pyarrow quotes them.

    Parameters
    ----------
    path : path-like
    schema : pyarrow.Schema

    Raises
    ------
    OSError
        The file cannot be created or written.
    """

    _BARE = pacsv.WriteOptions(include_header=False, quoting_style="none")

    def __init__(self, path: str | os.PathLike, schema: pa.Schema):
        self._file = open(path, "wb")  # noqa: SIM115 - closed by close()
        try:
            self._file.write(header(schema.names))
        except BaseException:
            self._file.close()
            raise

    def write_table(self, table: pa.Table) -> None:
        """Append the rows of ``table``."""
        for batch in table.to_batches(max_chunksize=slice_rows(table)):
            if batch.num_rows == 0:
                continue
            if batch.num_columns == 0:
                self._file.write(b"\n" * batch.num_rows)
                continue
            bare = _bare_batch(batch)
            if bare is None:
                self._file.write(_quoted_lines(batch))
            else:
                pacsv.write_csv(bare, self._file, self._BARE)

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()
