"""Memory budget helpers: chunk sizes from ``working_memory`` and output-size checks."""

from __future__ import annotations

import os

import numpy as np

from ._config import get_config

MIB = 1 << 20


def available_memory_bytes() -> int | None:
    """Memory the OS says can still be allocated without swapping (None if unknown)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits(needed: int, what: str, advice: str) -> None:
    """Raise ``MemoryError`` naming ``what`` and giving ``advice`` if ``needed`` bytes
    exceed the memory available now (nothing is checked where that is unknown)."""
    available = available_memory_bytes()
    if available is not None and needed > available:
        raise MemoryError(
            f"{what} would need {needed / 2**30:.1f} GiB but only "
            f"{available / 2**30:.1f} GiB of memory is available. {advice}"
        )


def check_output_fits(n_rows: int, n_features: int, dtype: np.dtype) -> None:
    """Raise ``MemoryError`` before allocating an output that cannot fit in memory."""
    check_fits(
        n_rows * n_features * np.dtype(dtype).itemsize,
        f"The resampled data ({n_rows:,} rows x {n_features} features, {np.dtype(dtype).name})",
        "Use fit_resample_iter() to get it in chunks, pass out=np.memmap(...) to "
        "fit_resample(), or lower sampling_strategy.",
    )


def budget_bytes(working_memory: int | None = None) -> int:
    """The ``working_memory`` budget in bytes (MiB given, else the global config)."""
    return (working_memory or get_config()["working_memory"]) * MIB


def rows_per_chunk(row_bytes: int, working_memory: int | None = None) -> int:
    """Rows of ``row_bytes`` each that fit the ``working_memory`` budget (MiB)."""
    return max(1, budget_bytes(working_memory) // max(1, row_bytes))
