"""Row selection and smoothed bootstrap draws for the random samplers.

Like SMOTE's draws, every value is a pure function of (stream key, counter), so results
do not depend on threads or chunking.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, parallel_for
from .._random import draw_uint64, standard_normal, uint64_below


def bootstrap_positions(key, start, n_draws, n_class):
    """Positions ``0..n_class-1`` drawn with replacement for draws ``start..start+n-1``."""
    out = np.empty(n_draws, dtype=np.int64)
    parallel_for(_bootstrap_of, n_draws, key, start, n_class, out)
    return out


@jit(tasks=True)
def _bootstrap_of(t0, t1, key, start, n_class, out):
    """Entries ``t0 .. t1 - 1`` of :func:`bootstrap_positions`."""
    for t in range(t0, t1):
        out[t] = uint64_below(draw_uint64(key, start + t), n_class)


def priorities(key, n):
    """One uint64 per position; sorting them gives a uniform random permutation."""
    return priorities_from(key, 0, n)


def priorities_from(key, start, n):
    """The priorities of positions ``start .. start + n - 1`` (see :func:`priorities`)."""
    out = np.empty(n, dtype=np.uint64)
    parallel_for(_priorities_of, n, key, start, out)
    return out


@jit(tasks=True)
def _priorities_of(t0, t1, key, start, out):
    """Entries ``t0 .. t1 - 1`` of :func:`priorities_from`."""
    for t in range(t0, t1):
        out[t] = draw_uint64(key, start + t)


def smoothed_bootstrap(X_class, positions, noise_key, start, scale, out, out_start):
    """``out[out_start + t] = X_class[positions[t]] + scale * N(0, 1)`` per feature.

    The noise of row ``start + t``, feature ``f`` uses counter ``(start + t) * d + f``;
    the sum is computed in float64 and rounded once to the output dtype.
    """
    parallel_for(_smoothed_of, positions.shape[0], X_class, positions, noise_key, start, scale,
                 out, out_start)  # fmt: skip


@jit(tasks=True, read_only=("X_class",))
def _smoothed_of(t0, t1, X_class, positions, noise_key, start, scale, out, out_start):
    """Rows ``t0 .. t1 - 1`` of :func:`smoothed_bootstrap`."""
    d = X_class.shape[1]
    for t in range(t0, t1):
        base = (start + t) * d
        for f in range(d):
            noise = standard_normal(noise_key, base + f)
            out[out_start + t, f] = np.float64(X_class[positions[t], f]) + scale[f] * noise
