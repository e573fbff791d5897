"""The driver's part: check the sampler, resolve ``sampling_strategy`` from the class
counts, draw the key, check the broadcast budget, and set the sampler's fitted
attributes as ``fit_resample`` does."""

from __future__ import annotations

import numbers
import time
from typing import Any

import numpy as np

from .._memory import resolve_working_memory
from .._random import RNG_VERSION, key_from_random_state
from .._validation import check_params, check_sampling_strategy
from ._input import Counts

#: Default budget, in MiB, for what is sent to every worker (the rows of the classes
#: to over-sample and their neighbour tables, or a sampler's draws).
DEFAULT_BROADCAST_BUDGET = 2048


def check_budget(what: list[tuple[str, int]], budget: int | None) -> None:
    """Raise when the broadcast parts ``what`` (``(description, bytes)``) exceed the
    budget (MiB; None: :data:`DEFAULT_BROADCAST_BUDGET`)."""
    budget = DEFAULT_BROADCAST_BUDGET if budget is None else budget
    if isinstance(budget, bool) or not isinstance(budget, numbers.Real) or not budget > 0:
        raise ValueError(f"broadcast_budget must be a positive number (MiB), got {budget!r}")
    total = sum(size for _, size in what)
    if total > budget * 2**20:
        parts = "; ".join(f"{name}: {_mib(size)}" for name, size in what)
        raise ValueError(
            f"fastsmote.dask would send {_mib(total)} to the workers ({parts}), above "
            f"broadcast_budget={budget} MiB. Raise broadcast_budget if every worker has that "
            "memory to spare, or resample fewer rows (sampling_strategy)."
        )


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"


def start(sampler: Any, counts: Counts, n_features: int, columns: list | None) -> np.uint64:
    """Check the sampler's parameters, resolve ``sampling_strategy_`` from the counts,
    set the attributes ``fit_resample`` sets before resampling and return the key."""
    check_params(sampler, type(sampler)._parameter_constraints)
    if callable(sampler.sampling_strategy):
        raise NotImplementedError(
            "fastsmote.dask takes sampling_strategy as a str, float or dict: a callable "
            "would need every label in one place. Compute the class counts "
            "(ddf[target].value_counts().compute()) and pass the dict it returns."
        )
    target = counts.target
    sampler.sampling_strategy_ = check_sampling_strategy(
        sampler.sampling_strategy, target, type(sampler)._sampling_type
    )
    sampler.n_features_in_ = n_features
    if columns is not None and all(isinstance(c, str) for c in columns):
        sampler.feature_names_in_ = np.asarray(columns, dtype=object)
    elif hasattr(sampler, "feature_names_in_"):
        del sampler.feature_names_in_
    sampler.classes_ = target.classes
    # fit_resample's row numbers are not kept on Dask: an earlier fit's would mislead
    vars(sampler).pop("sample_indices_", None)
    if type(sampler)._sampling_type == "over-sampling":
        sampler.n_samples_out_ = int(counts.lengths.sum()) + sum(
            sampler.sampling_strategy_.values()
        )
    elif type(sampler)._sampling_type == "under-sampling":  # a cleaner's is not known
        after = target.class_counts()
        after.update(sampler.sampling_strategy_)
        sampler.n_samples_out_ = sum(after.values())
    if not hasattr(sampler, "random_state"):  # a deterministic sampler (TomekLinks)
        return np.uint64(0)
    key = key_from_random_state(sampler.random_state)
    sampler.random_key_, sampler.rng_version_ = int(key), RNG_VERSION
    return key


def working_memory(sampler: Any) -> int:
    """The sampler's working-memory budget in MiB for this call."""
    return resolve_working_memory(getattr(sampler, "working_memory", None))


def log(sampler: Any, counts: Counts, after: dict, started: float) -> None:
    """Make ``sampler.record()`` describe this resampling (its time: the planning)."""
    sampler._resampling_log = {
        "counts_before": counts.target.class_counts(),
        "counts_after": after,
        "elapsed_seconds": time.perf_counter() - started,
    }
