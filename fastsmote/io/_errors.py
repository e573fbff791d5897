"""The errors of :mod:`fastsmote.io`, each a problem with one file stated in one line
(the command line maps each class to its exit code)."""

from __future__ import annotations


class TableError(Exception):
    """A problem with an input or output file, stated in one line."""


class InputNotFoundError(TableError):
    """The input file does not exist."""


class UnreadableInputError(TableError):
    """The input cannot be read: not Parquet/CSV, corrupt, truncated, not permitted, or
    without rows."""


class MissingColumnError(TableError):
    """A named column (the target) is not in the input, or several columns have its
    name."""


class NonNumericColumnsError(TableError, ValueError):
    """Feature columns a numeric method cannot compute with."""


class MissingValuesError(TableError, ValueError):
    """NaN, infinity or nulls where every value must be known."""


class OutputExistsError(TableError):
    """The output exists, or appeared while writing, and overwriting was not asked for."""


class OutputError(TableError):
    """The output cannot be written: a directory, missing directory, permissions,
    read-only file system, disk full, not enough free space for its estimated size."""
