"""What the ensembles share: per-estimator keys, the sampler step, parameter checks.

One ``random_state`` becomes the *ensemble key* (:func:`key_from_random_state`). Estimator
``i`` gets the key ``stream_key(ensemble_key, i)``; from it derive, each on a stream of
its own (see :data:`fastsmote._random.STREAMS`), the key its sampler draws from, the
int seed of scikit-learn's draw of its rows and features (bagging), and the int seed
of its classifier. Everything an estimator draws is therefore fixed by the ensemble key
and its position ``i``, so the ensemble is the same for any ``n_jobs``, and growing it
with ``warm_start`` adds the estimators a larger ensemble would have had.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble._base import _set_random_states

from .._random import (
    ESTIMATOR_MODEL_STREAM,
    ESTIMATOR_ROWS_STREAM,
    ESTIMATOR_SAMPLER_STREAM,
    ensemble_estimator_stream,
    foreign_seed,
    stream_key,
)
from ..base import BaseSampler

#: Sampler types whose ``sampling_strategy`` an ensemble sets (imbalanced-learn's rule:
#: every sampler but a "bypass" one, e.g. a FunctionSampler).
_NOT_SET = "bypass"


def estimator_key(ensemble_key: np.uint64, index: int) -> np.uint64:
    """Key of the ``index``-th estimator of an ensemble."""
    return stream_key(ensemble_key, ensemble_estimator_stream(index))


class EstimatorSeed(int):
    """The int seed of scikit-learn's draws for one estimator (its bagged rows and
    features), carrying the estimator's own 64-bit key so that the estimator built
    from it gets its sampler's and classifier's keys wherever it is built (in any
    worker process)."""

    key: int

    def __new__(cls, key: np.uint64) -> EstimatorSeed:
        seed = super().__new__(cls, foreign_seed(stream_key(key, ESTIMATOR_ROWS_STREAM)))
        seed.key = int(key)
        return seed

    def __reduce__(self):
        return (_estimator_seed, (self.key,))


def _estimator_seed(key: int) -> EstimatorSeed:
    return EstimatorSeed(np.uint64(key))


class KeyedSeeds(np.random.RandomState):
    """Stands in for the ``RandomState`` scikit-learn's bagging draws its per-estimator
    seeds from: its ``randint`` gives the :class:`EstimatorSeed` of estimators
    ``n, n+1, ...`` (counting every seed given before, as a warm start skips the
    estimators already built)."""

    def __init__(self, ensemble_key: np.uint64) -> None:
        super().__init__(0)
        self._ensemble_key = np.uint64(ensemble_key)
        self._given = 0

    def randint(self, low, high=None, size=None, dtype=int):  # noqa: ARG002
        n = 1 if size is None else int(size)
        seeds = np.empty(n, dtype=object)
        for j in range(n):
            seeds[j] = EstimatorSeed(estimator_key(self._ensemble_key, self._given + j))
        self._given += n
        return seeds if size is not None else seeds[0]


def _random_state_paths(estimator: Any) -> list[str]:
    return sorted(
        name
        for name in estimator.get_params(deep=True)
        if name == "random_state" or name.endswith("__random_state")
    )


def seed_sampler(sampler: Any, key: np.uint64) -> None:
    """Set every ``random_state`` of ``sampler`` (its own and its sub-estimators') from
    ``key``: a fastsmote sampler's own ``random_state`` gets the whole 64-bit key, any
    other one (imbalanced-learn's samplers, scikit-learn estimators inside) an int seed
    from its own stream of the key."""
    values = {}
    for position, path in enumerate(_random_state_paths(sampler)):
        if path == "random_state" and isinstance(sampler, BaseSampler):
            values[path] = int(key)
        else:
            values[path] = foreign_seed(stream_key(key, position))
    if values:
        sampler.set_params(**values)


def seed_estimator(pipeline: Any, key: np.uint64) -> None:
    """Seed a ``Pipeline([("sampler", s), ("classifier", c)])`` of estimator key ``key``."""
    sampler, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
    seed_sampler(sampler, stream_key(key, ESTIMATOR_SAMPLER_STREAM))
    _set_random_states(classifier, foreign_seed(stream_key(key, ESTIMATOR_MODEL_STREAM)))


def sets_sampling_strategy(sampler: Any) -> bool:
    """Whether an ensemble passes its ``sampling_strategy`` to ``sampler``."""
    return getattr(
        sampler, "_sampling_type", None
    ) != _NOT_SET and "sampling_strategy" in sampler.get_params(deep=False)


def encode_strategy(sampling_strategy: Any, classes: np.ndarray) -> Any:
    """``sampling_strategy`` for a sampler that sees the encoded target ``0..k-1``: a
    dict's class labels become their positions in ``classes`` (others pass as given)."""
    if not isinstance(sampling_strategy, dict):
        return sampling_strategy
    positions = {label: i for i, label in enumerate(classes.tolist())}
    unknown = [label for label in sampling_strategy if label not in positions]
    if unknown:
        raise ValueError(
            f"sampling_strategy names classes not in y: {unknown!r} (classes: "
            f"{classes.tolist()!r})."
        )
    return {positions[label]: value for label, value in sampling_strategy.items()}
