"""Global configuration, in the style of ``sklearn.set_config``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_DEFAULTS: dict[str, Any] = {
    # Memory budget (MiB) for temporaries: neighbour blocks, draw chunks.
    "working_memory": 256,
    # Numba threads used by the kernels; None keeps Numba's current setting.
    "n_threads": None,
}
_local = threading.local()


def _config() -> dict[str, Any]:
    if not hasattr(_local, "config"):
        _local.config = dict(_DEFAULTS)
    return _local.config


def get_config() -> dict[str, Any]:
    """Return a copy of the current fastsmote configuration.

    Returns
    -------
    config : dict
        Keys ``working_memory`` (MiB budget for temporaries) and ``n_threads``.
    """
    return dict(_config())


def set_config(working_memory: int | None = None, n_threads: int | None | str = "keep") -> None:
    """Set fastsmote's configuration for the current thread.

    Parameters
    ----------
    working_memory : int, optional
        Budget in MiB for temporary arrays (neighbour blocks, random draws, the
        approximate graph's workspace). Results never depend on it.
    n_threads : int or None, optional
        Number of threads for the kernels (Numba's setting, ``numba.set_num_threads``;
        ``None``: Numba's default, negative: count back from all cores). Results never
        depend on it. Several Python threads may call samplers at once; their kernels
        run concurrently.
    """
    config = _config()
    if working_memory is not None:
        if not isinstance(working_memory, int) or working_memory < 1:
            raise ValueError(
                f"working_memory must be a positive int (MiB), got {working_memory!r}"
            )
        config["working_memory"] = working_memory
    if n_threads != "keep":
        if n_threads is not None and (not isinstance(n_threads, int) or n_threads == 0):
            raise ValueError(f"n_threads must be None or a non-zero int, got {n_threads!r}")
        config["n_threads"] = n_threads


@contextmanager
def config_context(**changes: Any) -> Iterator[None]:
    """Temporarily change the configuration (see :func:`set_config`)."""
    old = get_config()
    set_config(**changes)
    try:
        yield
    finally:
        _config().update(old)
