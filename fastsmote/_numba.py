"""The one place where fastsmote configures Numba.

Every kernel is compiled through :func:`jit`, so caching and floating-point
flags are decided here once. ``fastmath`` stays off: kernels must reproduce
the plain-NumPy references bit for bit, and NaN checks must keep working (the one
exception, fused multiply-adds in shortlist kernels, is proven afterwards).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import numba

#: Set ``FASTSMOTE_NUMBA_CACHE=0`` to compile in memory only (read-only installs).
CACHE = os.environ.get("FASTSMOTE_NUMBA_CACHE", "1") != "0"


def jit(*, parallel: bool = False, inline: str = "never", contract: bool = False):
    """Decorate a kernel: lazy compilation, on-disk cache, no fastmath.

    ``contract`` allows fused multiply-adds, and nothing else of fastmath, for kernels
    whose results are approximations checked afterwards (distance shortlists).
    """
    fastmath = {"contract"} if contract else False
    return numba.njit(cache=CACHE, parallel=parallel, nogil=True, fastmath=fastmath, inline=inline)


@contextmanager
def numba_threads(n_threads: int | None) -> Iterator[int]:
    """Run the body with ``n_threads`` Numba threads and always restore the old count.

    ``None`` keeps the current setting; negative values count back from the number
    of cores like joblib (``-1`` = all cores).
    """
    previous = numba.get_num_threads()
    if n_threads is None:
        yield previous
        return
    n_max = numba.config.NUMBA_NUM_THREADS
    wanted = n_max + 1 + n_threads if n_threads < 0 else n_threads
    wanted = max(1, min(n_max, wanted))
    numba.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        numba.set_num_threads(previous)
