"""The files a batch run writes: hidden temporary files beside their destinations,
moved into place together only on success and removed on any failure or signal."""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

from ._errors import OutputError, OutputExistsError


class OutputFiles:
    """The files one run writes, each first to a hidden temporary file beside it.

    :meth:`add` checks a destination and creates its temporary file at once (so an
    unwritable place fails before any work); :meth:`commit` moves every temporary file
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

    def _check(self, path: Path, *, appeared: bool) -> None:
        if path.is_dir():
            raise OutputError(f"cannot write {str(path)!r}: it is a directory")
        if (path.exists() or path.is_symlink()) and not self.overwrite:
            raise _exists_error(path, appeared)

    def commit(self) -> None:
        """Move every temporary file into place (all destinations are checked first).

        If one cannot be placed, the ones already placed are removed again.
        """
        for _, path in self._pending:
            self._check(path, appeared=True)
        placed: list[Path] = []
        try:
            for tmp, path in self._pending:
                self._place(tmp, path)
                placed.append(path)
        except BaseException:
            for path in placed:
                with contextlib.suppress(OSError):
                    path.unlink()
            self.discard()
            raise
        for tmp, _ in self._pending:
            _TEMPORARY_FILES.discard(tmp)
        self._pending = []

    def _place(self, tmp: Path, path: Path) -> None:
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

    def discard(self) -> None:
        """Remove every temporary file not yet moved into place."""
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
            _TEMPORARY_FILES.discard(tmp)
        self._pending = []


#: Temporary paths of the :class:`OutputFiles` of this process not yet placed or removed.
_TEMPORARY_FILES: set[Path] = set()
_TEMPORARY_LOCK = threading.Lock()


def remove_temporary_files() -> None:
    """Remove the temporary file of every :class:`OutputFiles` still open.

    For a process that must end from another thread, without unwinding the main one
    (the command line on a signal that arrives while a kernel runs).
    """
    for tmp in list(_TEMPORARY_FILES):
        with contextlib.suppress(OSError):
            tmp.unlink()


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
