"""Row selection and smoothed bootstrap draws for the random samplers.

Like SMOTE's draws, every value is a pure function of (stream key, counter), so results
do not depend on threads or chunking.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._numba import jit
from .._random import draw_uint64, standard_normal, uint64_below


@jit(parallel=True)
def bootstrap_positions(key, start, n_draws, n_class):
    """Positions ``0..n_class-1`` drawn with replacement for draws ``start..start+n-1``."""
    out = np.empty(n_draws, dtype=np.int64)
    for t in prange(n_draws):
        out[t] = uint64_below(draw_uint64(key, start + t), n_class)
    return out


@jit(parallel=True)
def priorities(key, n):
    """One uint64 per position; sorting them gives a uniform random permutation."""
    out = np.empty(n, dtype=np.uint64)
    for t in prange(n):
        out[t] = draw_uint64(key, t)
    return out


@jit(parallel=True)
def priorities_from(key, start, n):
    """The priorities of positions ``start .. start + n - 1`` (see :func:`priorities`)."""
    out = np.empty(n, dtype=np.uint64)
    for t in prange(n):
        out[t] = draw_uint64(key, start + t)
    return out


@jit(parallel=True, read_only=("X_class",))
def smoothed_bootstrap(X_class, positions, noise_key, start, scale, out, out_start):
    """``out[out_start + t] = X_class[positions[t]] + scale * N(0, 1)`` per feature.

    The noise of row ``start + t``, feature ``f`` uses counter ``(start + t) * d + f``;
    the sum is computed in float64 and rounded once to the output dtype.
    """
    d = X_class.shape[1]
    for t in prange(positions.shape[0]):
        base = (start + t) * d
        for f in range(d):
            noise = standard_normal(noise_key, base + f)
            out[out_start + t, f] = np.float64(X_class[positions[t], f]) + scale[f] * noise
