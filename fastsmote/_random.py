"""Random keys and counter-based draws.

A sampler turns its ``random_state`` into one 64-bit *key* (:func:`key_from_random_state`).
Every random number a kernel uses is then a pure function of ``(key, stream, counter)``:
SplitMix64's output function applied to ``key + counter * golden_gamma``. Each class to
resample gets its own *stream* (its position in the sorted class labels) and each draw
its own *counter* (derived from the global index of the synthetic row), so the output
does not depend on thread count, chunk size or partitioning, and classes never share
random numbers.

Changing anything here changes every result: bump :data:`RNG_VERSION` when you do.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._numba import jit

#: Version of the draw scheme, recorded with results so they can be reproduced.
RNG_VERSION = 1

_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_STREAM_GAMMA = np.uint64(0xD1B54A32D192ED03)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S32, _S11 = np.uint64(32), np.uint64(11)
_TWO_POW_M53 = 1.0 / 9007199254740992.0


@jit(inline="always")
def mix64(z):
    """SplitMix64 output function (a bijective avalanche mix of a uint64)."""
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@jit(inline="always")
def stream_key(key, stream):
    """Key of an independent stream (e.g. one class) derived from the sampler key."""
    return mix64(np.uint64(key) ^ mix64(np.uint64(stream + 1) * _STREAM_GAMMA))


@jit(inline="always")
def draw_uint64(key, counter):
    """The ``counter``-th uint64 of the stream ``key``."""
    return mix64(np.uint64(key) + np.uint64(counter + 1) * _GOLDEN_GAMMA)


@jit(inline="always")
def uint64_below(z, n):
    """Map a uint64 draw to ``[0, n)`` using its top 32 bits (``n < 2**32``).

    Multiply-shift instead of modulo: no division, and the bias is below
    ``n / 2**32`` (under 1e-4 for a million-row class).
    """
    return np.int64(((z >> _S32) * np.uint64(n)) >> _S32)


@jit(inline="always")
def uint64_to_unit(z):
    """Map a uint64 draw to a float64 in ``[0, 1)`` with 53 random bits."""
    return np.float64(z >> _S11) * _TWO_POW_M53


def key_from_random_state(random_state) -> np.uint64:
    """Turn a scikit-learn style ``random_state`` into a 64-bit key.

    Parameters
    ----------
    random_state : None, int, numpy.random.RandomState or numpy.random.Generator
        ``None`` draws fresh OS entropy; a non-negative int is hashed through
        :class:`numpy.random.SeedSequence`; a ``RandomState`` or ``Generator`` is
        advanced by one 64-bit draw (as scikit-learn estimators consume them).

    Returns
    -------
    key : numpy.uint64
    """
    if random_state is None:
        return np.random.SeedSequence().generate_state(1, np.uint64)[0]
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}")
        return np.random.SeedSequence(int(random_state)).generate_state(1, np.uint64)[0]
    if isinstance(random_state, np.random.RandomState):
        return np.frombuffer(random_state.bytes(8), dtype=np.uint64)[0]
    if isinstance(random_state, np.random.Generator):
        return random_state.integers(0, 2**64 - 1, dtype=np.uint64, endpoint=True)
    raise ValueError(
        "random_state must be None, a non-negative int, a numpy.random.RandomState "
        f"or a numpy.random.Generator; got {random_state!r}"
    )


@jit(inline="always")
def standard_normal(key, counter):
    """A standard normal draw (Box-Muller on draws ``2 * counter`` and ``2 * counter + 1``)."""
    u1 = 1.0 - uint64_to_unit(draw_uint64(key, 2 * counter))  # in (0, 1]: log is finite
    u2 = uint64_to_unit(draw_uint64(key, 2 * counter + 1))
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
