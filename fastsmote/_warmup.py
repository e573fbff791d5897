"""Compile (or load from cache) every kernel ahead of the first real call."""

from __future__ import annotations

import time

import numpy as np


def warmup(dtypes: tuple = (np.float32, np.float64)) -> float:
    """Compile or load all kernels for the given dtypes on a tiny dataset.

    Parameters
    ----------
    dtypes : tuple of numpy float dtypes, default=(float32, float64)

    Returns
    -------
    seconds : float
        Wall-clock time spent.
    """
    from .over_sampling import SMOTE

    start = time.perf_counter()
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [30, 10])
    for dtype in dtypes:
        X = rng.standard_normal((40, 3)).astype(dtype)
        sampler = SMOTE(k_neighbors=3, random_state=0)
        sampler.fit_resample(X, y)
        sampler.provenance(X, y)
    return time.perf_counter() - start
