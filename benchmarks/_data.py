"""Deterministic benchmark data, generated in chunks so it costs no temporary memory."""

from __future__ import annotations

import numpy as np

CHUNK = 1 << 16


def make_blobs_imbalanced(
    n_rows: int, n_features: int, minority, dtype=np.float32, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal majority (class 0); minority class c (share ``minority[c-1]``, or
    one share as a float) shifted by +c in every feature.

    Rows are filled chunk by chunk with generators seeded per chunk, so peak memory is
    the arrays themselves (the benchmarks measure the samplers' extra memory).
    """
    shares = np.cumsum(np.atleast_1d(minority))
    X = np.empty((n_rows, n_features), dtype=dtype)
    y = np.empty(n_rows, dtype=np.int64)
    for start in range(0, n_rows, CHUNK):
        stop = min(n_rows, start + CHUNK)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(start // CHUNK,)))
        rng.standard_normal(out=X[start:stop], dtype=X.dtype)
        labels = np.searchsorted(shares, rng.random(stop - start), side="right")
        labels = np.where(labels < shares.size, labels + 1, 0)
        y[start:stop] = labels
        X[start:stop] += labels[:, None].astype(X.dtype)
    return X, y
