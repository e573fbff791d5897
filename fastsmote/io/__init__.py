"""Parquet and CSV in and out for batch jobs (``pip install fastsmote[io]``).

- :func:`detect_format`, :class:`InputTable`: open a Parquet or CSV file, read its
  schema, one column, all of it, or (Parquet) its row groups in batches; leave
  columns out (:meth:`InputTable.drop_columns`).
- :func:`output_files` (:func:`atomic_output` for one file): write to hidden temporary
  files (or directories: :meth:`OutputFiles.add_directory`) beside the destinations and
  move them into place together only on success;
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

The modules of this package (their public names are the ones above): ``_input`` (tables in),
``_writer`` and ``_csv`` (tables out), ``_output`` (temporary files moved into place),
``_disk_space`` (size estimates, free space), ``_resample`` (whole tables),
``_stream`` (streamed SMOTE), ``_errors``.
"""

from __future__ import annotations

from ._disk_space import (
    check_disk_space,
    estimate_rows_bytes,
    estimate_table_bytes,
    free_disk_bytes,
)
from ._errors import (
    InputNotFoundError,
    MissingColumnError,
    MissingValuesError,
    NonNumericColumnsError,
    OutputError,
    OutputExistsError,
    TableError,
    UnreadableInputError,
)
from ._input import (
    FORMATS,
    InputTable,
    check_labels,
    detect_format,
    no_progress,
    non_numeric_columns,
)
from ._output import (
    OutputFiles,
    atomic_output,
    hold_no_temporary_files,
    output_files,
    release_temporary_files,
    remove_temporary_files,
    write_text,
)
from ._resample import ResampleResult, input_rows, resample_table
from ._stream import smote_output_schema, stream_smote
from ._writer import TableWriter, write_table

__all__ = [
    "FORMATS",
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
