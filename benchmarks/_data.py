"""Deterministic benchmark data, generated in chunks so it costs no temporary memory."""

from __future__ import annotations

import numpy as np

CHUNK = 1 << 16


def make_blobs_imbalanced(
    n_rows: int, n_features: int, minority: float, dtype=np.float32, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal majority, minority shifted by +1 in every feature.

    Rows are filled chunk by chunk with generators seeded per chunk, so peak memory is
    the arrays themselves (the benchmarks measure the samplers' extra memory).
    """
    X = np.empty((n_rows, n_features), dtype=dtype)
    y = np.empty(n_rows, dtype=np.int64)
    for start in range(0, n_rows, CHUNK):
        stop = min(n_rows, start + CHUNK)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(start // CHUNK,)))
        rng.standard_normal(out=X[start:stop], dtype=X.dtype)
        is_min = rng.random(stop - start) < minority
        y[start:stop] = is_min
        X[start:stop][is_min] += 1
    return X, y
