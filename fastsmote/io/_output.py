"""The files a batch run writes: hidden temporary files (or directories, for a Parquet
dataset) beside their destinations, moved into place together only on success and
removed on any failure or signal."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from ._errors import OutputError, OutputExistsError


class OutputFiles:
    """The files one run writes, each first to a hidden temporary file beside it.

    :meth:`add` checks a destination and creates its temporary file at once (so an
    unwritable place fails before any work), :meth:`add_directory` the same for a
    directory (a Parquet dataset); :meth:`commit` moves every temporary file
    into place at the end, after checking all destinations again; :meth:`discard`
    removes them. Use :func:`output_files`, which commits on success and discards on
    any exception (``KeyboardInterrupt`` and signal handlers' exceptions included).

    Parameters
    ----------
    overwrite : bool, default=False
        Replace existing destinations. Without it a destination that exists, or
        appears while the run writes, is an :class:`OutputExistsError`, and no file of
        the run is left (a destination is linked, never renamed, over a file that
        another process created in the meantime).
    """

    def __init__(self, overwrite: bool = False):
        self.overwrite = overwrite
        self._pending: list[tuple[Path, Path]] = []  # (temporary, destination)
        self._directories: set[Path] = set()  # the temporary paths that are directories

    def add(self, path: str | os.PathLike) -> Path:
        """Check ``path`` and create its temporary file; return the temporary path.

        Raises
        ------
        OutputExistsError
            ``path`` exists and ``overwrite`` is False.
        OutputError
            ``path`` is a directory, its directory does not exist, or the temporary
            file cannot be created there (permissions, read-only file system).
        """
        path = Path(path)
        self._check(path, appeared=False)
        parent = path.parent
        if not parent.is_dir():
            raise OutputError(
                f"cannot write {str(path)!r}: directory {str(parent)!r} does not exist"
            )
        tmp = parent / f".{path.name}.fastsmote-tmp-{secrets.token_hex(4)}"
        with _TEMPORARY_LOCK:  # see hold_no_temporary_files
            try:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            except OSError as error:
                raise write_error(path, error) from None
            _TEMPORARY_FILES.add(tmp)
        self._pending.append((tmp, path))
        return tmp

    def add_directory(self, path: str | os.PathLike) -> Path:
        """As :meth:`add`, for a destination that is a directory (a Parquet dataset):
        create an empty hidden temporary directory beside it; return its path.

        With ``overwrite``, an existing ``path`` is replaced only if it is a file or a
        directory that holds nothing but Parquet files (``*.parquet``, ``_metadata``,
        ``_common_metadata``): a directory that holds anything else is never removed.

        Raises
        ------
        OutputExistsError
            ``path`` exists and ``overwrite`` is False.
        OutputError
            ``path`` is a directory holding other files than Parquet, its directory
            does not exist, or the temporary directory cannot be created there.
        """
        path = Path(path)
        self._check(path, appeared=False, directory=True)
        parent = path.parent
        if not parent.is_dir():
            raise OutputError(
                f"cannot write {str(path)!r}: directory {str(parent)!r} does not exist"
            )
        tmp = parent / f".{path.name}.fastsmote-tmp-{secrets.token_hex(4)}"
        with _TEMPORARY_LOCK:
            try:
                os.mkdir(tmp)
            except OSError as error:
                raise write_error(path, error) from None
            _TEMPORARY_FILES.add(tmp)
        self._directories.add(tmp)
        self._pending.append((tmp, path))
        return tmp

    def _check(self, path: Path, *, appeared: bool, directory: bool = False) -> None:
        if path.is_dir() and not directory:
            raise OutputError(f"cannot write {str(path)!r}: it is a directory")
        if (path.exists() or path.is_symlink()) and not self.overwrite:
            raise _exists_error(path, appeared)
        if directory and path.is_dir() and not path.is_symlink():
            _check_replaceable(path)

    def commit(self) -> None:
        """Move every temporary file into place (all destinations are checked first).

        If one cannot be placed, the ones already placed are removed again.
        """
        for tmp, path in self._pending:
            self._check(path, appeared=True, directory=tmp in self._directories)
        placed: list[Path] = []
        try:
            for tmp, path in self._pending:
                self._place(tmp, path)
                placed.append(path)
        except BaseException:
            for path in placed:
                _remove(path)
            self.discard()
            raise
        for tmp, _ in self._pending:
            _TEMPORARY_FILES.discard(tmp)
        self._pending = []
        self._directories = set()

    def _place(self, tmp: Path, path: Path) -> None:
        if tmp in self._directories:
            self._place_directory(tmp, path)
            return
        try:
            if self.overwrite:
                os.replace(tmp, path)
                return
            try:
                os.link(tmp, path)  # fails if path exists: never replaces another's file
            except FileExistsError:
                raise _exists_error(path, appeared=True) from None
            except OSError:  # no hard links on this file system: check, then rename
                self._check(path, appeared=True)
                os.replace(tmp, path)
                return
            with contextlib.suppress(OSError):
                tmp.unlink()
        except OSError as error:
            raise write_error(path, error) from None

    def _place_directory(self, tmp: Path, path: Path) -> None:
        """Rename the temporary directory to ``path``. An existing ``path``
        (``overwrite``) is first renamed aside, then removed once the new one is in
        place (put back if that fails): ``path`` is always the old or the new output,
        whole, except between the two renames, when it does not exist."""
        try:
            if not (path.exists() or path.is_symlink()):
                os.rename(tmp, path)  # a directory that appeared since: see _check
                return
            if not self.overwrite:
                raise _exists_error(path, appeared=True)
            old = path.parent / f".{path.name}.fastsmote-old-{secrets.token_hex(4)}"
            os.rename(path, old)
            try:
                os.rename(tmp, path)
            except BaseException:
                os.rename(old, path)
                raise
            _remove(old)
        except OSError as error:
            raise write_error(path, error) from None

    def discard(self) -> None:
        """Remove every temporary file (and directory) not yet moved into place."""
        for tmp, _ in self._pending:
            _remove(tmp)
            _TEMPORARY_FILES.discard(tmp)
        self._pending = []
        self._directories = set()


#: The names a Parquet dataset directory holds; ``--overwrite`` replaces no other.
_DATASET_NAMES = ("_metadata", "_common_metadata")


def _check_replaceable(path: Path) -> None:
    """Refuse to replace a directory that holds anything but Parquet files."""
    try:
        entries = list(os.scandir(path))
    except OSError as error:
        raise write_error(path, error) from None
    for entry in entries:
        parquet = entry.name.endswith(".parquet") or entry.name in _DATASET_NAMES
        if not parquet or not entry.is_file(follow_symlinks=False):
            raise OutputError(
                f"cannot replace {str(path)!r}: it is a directory that holds more than "
                f"Parquet files (e.g. {entry.name!r}); only a Parquet dataset directory "
                "is replaced"
            )


def _remove(path: Path) -> None:
    """Remove a file or a directory tree, quietly (a cleanup must not raise)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


#: Temporary paths of the :class:`OutputFiles` of this process not yet placed or removed.
_TEMPORARY_FILES: set[Path] = set()
_TEMPORARY_LOCK = threading.Lock()


def remove_temporary_files() -> None:
    """Remove the temporary file of every :class:`OutputFiles` still open.

    For a process that must end from another thread, without unwinding the main one
    (the command line on a signal that arrives while a kernel runs).
    """
    for tmp in list(_TEMPORARY_FILES):
        _remove(tmp)


def hold_no_temporary_files() -> bool:
    """From another thread: whether no temporary output file exists; if so, none can be
    created any more in this process (the next one blocks), so that it can end at once
    without leaving a file."""
    _TEMPORARY_LOCK.acquire()
    if not _TEMPORARY_FILES:
        return True
    _TEMPORARY_LOCK.release()
    return False


def release_temporary_files() -> None:
    """Undo a :func:`hold_no_temporary_files` that returned True."""
    _TEMPORARY_LOCK.release()


@contextlib.contextmanager
def output_files(*, overwrite: bool = False) -> Iterator[OutputFiles]:
    """An :class:`OutputFiles` committed when the block succeeds, discarded otherwise."""
    files = OutputFiles(overwrite)
    try:
        yield files
        files.commit()
    except BaseException:
        files.discard()
        raise


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path``; rename it to ``path`` on success.

    The temporary file is ``.{name}.fastsmote-tmp-{random}`` in the destination
    directory (so the final move is atomic). On any exception, including
    ``KeyboardInterrupt`` and exceptions raised by signal handlers, it is removed and
    the exception propagates; ``path`` is never left half-written. Several files that
    must appear together: :func:`output_files`.

    Raises
    ------
    OutputExistsError
        ``path`` exists (checked before and after writing) and ``overwrite`` is False.
    OutputError
        ``path`` is a directory, or its directory does not exist or is not writable.
    """
    with output_files(overwrite=overwrite) as files:
        yield files.add(path)


def write_error(path: str | os.PathLike, error: OSError) -> OutputError:
    """The :class:`OutputError` of a write to ``path`` that failed with ``error``."""
    return OutputError(f"cannot write {str(path)!r}: {error.strerror or error}")


def _exists_error(path: Path, appeared: bool) -> OutputExistsError:
    when = "appeared while writing" if appeared else "exists"
    return OutputExistsError(f"output {str(path)!r} {when}; pass --overwrite to replace it")


def write_text(tmp: Path, text: str, destination: Path) -> None:
    """Write ``text`` (UTF-8) to the temporary file of ``destination``."""
    try:
        tmp.write_text(text, encoding="utf-8")
    except OSError as error:
        raise write_error(destination, error) from None
