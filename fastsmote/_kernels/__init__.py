"""Private Numba kernels: pure functions of arrays and scalars, no estimator logic.

Callers normalise inputs first (C-contiguous float32/float64 rows, int64 indices) so
each kernel compiles only a few variants.
"""
