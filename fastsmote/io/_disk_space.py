"""Sizes before writing: an estimate of a Parquet or CSV file's size
(:func:`estimate_rows_bytes`, :func:`estimate_table_bytes`) and a check that the
files of a run fit the free space of their file systems (:func:`check_disk_space`)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa

from ._errors import OutputError

#: Most characters a CSV field of these types takes, separator included:
#: "-2.2250738585072014e-308," (float64), "-1.17549435e-38," (float32), "false,".
_CSV_FLOAT_CHARS = {2: 12, 4: 16, 8: 25}


def _value_bytes(data_type: pa.DataType, fmt: str, text_bytes: float) -> float:
    """Bytes one value of ``data_type`` takes in ``fmt``: Parquet without compression
    (the plain encoding), CSV as text; ``text_bytes`` for strings and other
    variable-width values."""
    if pa.types.is_dictionary(data_type):
        data_type = data_type.value_type
    if pa.types.is_boolean(data_type):
        return 1 / 8 if fmt == "parquet" else 6
    if _variable_width(data_type):  # strings, binary, nested
        return text_bytes + (4 if fmt == "parquet" else 3)  # length prefix / quotes, comma
    width = data_type.bit_width // 8
    if fmt == "parquet":
        return width
    if pa.types.is_floating(data_type):
        return _CSV_FLOAT_CHARS[width]
    if pa.types.is_integer(data_type):
        return len(str(-(2 ** (8 * width - 1)))) + 1
    return 32  # dates, times, decimals: at most this many characters


def estimate_rows_bytes(
    schema: pa.Schema, fmt: str, n_rows: int, text_bytes: dict[int, float] | None = None
) -> int:
    """An estimate of the file size of ``n_rows`` rows of ``schema`` in ``fmt``.

    Parquet: the values' uncompressed (plain) size and a few KiB for the footer;
    compression only makes the file smaller, and random floats (synthetic rows) hardly
    compress. CSV: the widest text of each numeric type, plus the header line.
    ``text_bytes`` maps a column position to the average bytes of its variable-width
    values (default 32).
    """
    text_bytes = text_bytes or {}
    row = sum(_value_bytes(f.type, fmt, text_bytes.get(i, 32.0)) for i, f in enumerate(schema))
    header = sum(len(n.encode()) + 3 for n in schema.names)  # CSV header line
    footer = 4096 + 512 * len(schema)  # Parquet footer and page headers, roughly
    return int(np.ceil(row * n_rows)) + header + footer


def estimate_table_bytes(table: pa.Table, fmt: str) -> int:
    """:func:`estimate_rows_bytes` for a table in memory (string widths measured)."""
    widths = {}
    for i, column in enumerate(table.columns):
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if table.num_rows and _variable_width(column.type):
            widths[i] = column.nbytes / table.num_rows
    return estimate_rows_bytes(table.schema, fmt, table.num_rows, widths)


def _variable_width(data_type: pa.DataType) -> bool:
    try:
        data_type.bit_width  # noqa: B018 - raises for variable-width types
    except ValueError:
        return True
    return False


def free_disk_bytes(directory: str | os.PathLike) -> int | None:
    """Bytes that can still be written in ``directory``'s file system (None if unknown)."""
    try:
        stat = os.statvfs(directory)
    except (OSError, AttributeError):
        return None
    return stat.f_bavail * stat.f_frsize


def check_disk_space(
    needs: list[tuple[Path, int]], advice: str, shown: str | os.PathLike | None = None
) -> None:
    """Raise :class:`OutputError` if files of these estimated sizes cannot fit.

    ``needs``: ``(path, bytes)`` pairs; files on one file system are added up. Nothing
    is checked where the free space is unknown. ``shown``: the name to give for a
    single file (e.g. the destination of a temporary path).
    """
    by_device: dict[int, list] = {}
    for path, n_bytes in needs:
        directory = Path(path).parent
        try:
            device = os.stat(directory).st_dev
        except OSError:
            continue
        entry = by_device.setdefault(device, [directory, 0, []])
        entry[1] += n_bytes
        entry[2].append(str(path))
    for directory, n_bytes, names in by_device.values():
        free = free_disk_bytes(directory)
        if free is not None and n_bytes > free:
            named = repr(str(shown)) if shown is not None and len(needs) == 1 else None
            named = named or ", ".join(repr(n) for n in names)
            raise OutputError(
                f"not enough disk space for {named}: about {_size(n_bytes)} needed, "
                f"{_size(free)} free in {str(directory)!r}. {advice}"
            )


def _size(n_bytes: float) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{int(n_bytes)} bytes"
