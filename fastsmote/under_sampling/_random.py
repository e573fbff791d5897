"""RandomUnderSampler: keep a random subset of rows of each class, reproducibly."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._config import get_config
from .._kernels.sampling import bootstrap_positions, priorities
from .._numba import numba_threads
from .._random import RNG_VERSION, class_stream, key_from_random_state, stream_key
from .._validation import Constraint, Rows, Target
from ..base import SEED, BaseSampler

BOOLEAN = Constraint(lambda v: isinstance(v, bool), "a bool")


class RandomUnderSampler(BaseSampler):
    """Under-sample by keeping a random subset of the rows of each targeted class.

    A drop-in for ``imblearn.under_sampling.RandomUnderSampler``. Rows are only selected,
    so X may hold NaN, strings, categorical columns or be a sparse matrix. Output: the
    kept rows class by class in sorted label order; within a targeted class in random
    order, within other classes in input order (as imbalanced-learn). A pandas X keeps
    the kept rows' index labels, and a pandas y takes X's (as imbalanced-learn's).

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    replacement : bool, default=False
        Draw with replacement (rows may repeat).

    Attributes
    ----------
    sample_indices_ : ndarray of int64
        Input row of every output row.
    sampling_strategy_ : dict
        ``{class: number of rows kept}`` for the targeted classes.
    random_key_, rng_version_ : int
    """

    _sampling_type = "under-sampling"
    _numeric_input = False
    _keeps_index = True
    _parameter_constraints = {
        **BaseSampler._parameter_constraints,
        "random_state": SEED,
        "replacement": [BOOLEAN],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, replacement=False):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.replacement = replacement

    def _fit_resample(self, rows: Rows, target: Target, out: None) -> tuple[Any, np.ndarray]:
        key = key_from_random_state(self.random_state)
        self.random_key_, self.rng_version_ = int(key), RNG_VERSION
        kept = []
        with numba_threads(get_config()["n_threads"]):
            for class_index, label in enumerate(target.classes.tolist()):
                class_rows = target.rows_of(class_index)
                if label not in self.sampling_strategy_:
                    kept.append(class_rows)
                    continue
                n_keep = int(self.sampling_strategy_[label])
                class_key = stream_key(key, class_stream(class_index))
                if self.replacement:
                    positions = bootstrap_positions(class_key, 0, n_keep, class_rows.size)
                else:  # the n_keep smallest random priorities: a uniform random subset
                    positions = np.argsort(priorities(class_key, class_rows.size))[:n_keep]
                kept.append(class_rows[positions])
        self.sample_indices_ = indices = np.concatenate(kept)
        return rows.take(indices, keep_index=self._keeps_index), target.select(indices)
