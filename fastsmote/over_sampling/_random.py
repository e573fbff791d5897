"""RandomOverSampler: duplicate rows, or a smoothed bootstrap, reproducibly."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._config import get_config
from .._kernels.sampling import bootstrap_positions, smoothed_bootstrap
from .._numba import numba_threads
from .._random import (
    RNG_VERSION,
    copy_stream,
    key_from_random_state,
    shrinkage_stream,
    stream_key,
)
from .._validation import (
    DICT,
    NONE,
    Constraint,
    Rows,
    Target,
    check_features,
    check_finite,
    to_python,
)
from ..base import SEED, BaseSampler

NON_NEGATIVE = Constraint(
    lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool) and v >= 0,
    "a float in the range [0, inf)",
)


class RandomOverSampler(BaseSampler):
    """Over-sample by drawing rows of each class at random with replacement.

    A drop-in for ``imblearn.over_sampling.RandomOverSampler``. Rows are only copied, so
    X may hold NaN, strings, categorical columns or be a sparse matrix. With
    ``shrinkage`` the copies are perturbed (a smoothed bootstrap, as imbalanced-learn
    defines it): Gaussian noise with per-feature scale
    ``shrinkage * (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4)) * std``,
    where ``n_samples`` is the number of input rows (imbalanced-learn's choice) and
    ``std`` the class's per-feature standard deviation; X must then be numeric.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    shrinkage : float, dict or None, default=None
        ``None``: plain duplicates. A float: the same factor for every class. A dict:
        ``{class: factor}`` for every class that is over-sampled.

    Attributes
    ----------
    sample_indices_ : ndarray of int64
        Input row of every output row (the source of each duplicate or perturbed row).
    shrinkage_ : dict or None
        The factor used per class.
    sampling_strategy_ : dict
        ``{class: number of rows added}``.
    random_key_, rng_version_ : int
        The key and draw-scheme version (see :class:`fastsmote.SMOTE`).

    Notes
    -----
    The perturbed rows keep X's float dtype (float32 stays float32; imbalanced-learn
    returns float64); the noise is computed in float64 and rounded once.
    """

    _sampling_type = "over-sampling"
    _numeric_input = False
    _parameter_constraints = {
        **BaseSampler._parameter_constraints,
        "random_state": SEED,
        "shrinkage": [NON_NEGATIVE, DICT, NONE],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, shrinkage=None):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.shrinkage = shrinkage

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.shrinkage is not None:  # the smoothed bootstrap needs dense numeric X
            tags.input_tags.allow_nan = tags.input_tags.sparse = tags.input_tags.string = False
        return tags

    def _resolve_shrinkage(self) -> dict | None:
        if self.shrinkage is None:
            return None
        if isinstance(self.shrinkage, dict):
            shrinkage = dict(self.shrinkage)
        else:
            shrinkage = {label: float(self.shrinkage) for label in self.sampling_strategy_}
        missing = self.sampling_strategy_.keys() - shrinkage.keys()
        if missing:
            raise ValueError(
                "`shrinkage` should contain a shrinkage factor for each class that will be "
                f"resampled. The missing classes are: {missing!r}"
            )
        for label, factor in shrinkage.items():
            if not isinstance(factor, numbers.Real) or factor < 0:
                raise ValueError(
                    f"The shrinkage factor needs to be >= 0. Got {factor} for class {label}."
                )
        return shrinkage

    def _fit_resample(self, rows: Rows, target: Target, out: None) -> tuple[Any, np.ndarray]:
        key = key_from_random_state(self.random_state)
        self.random_key_, self.rng_version_ = int(key), RNG_VERSION
        self.shrinkage_ = self._resolve_shrinkage()
        plan = [
            (target.class_index(label), int(n_new))
            for label, n_new in self.sampling_strategy_.items()
            if n_new > 0
        ]
        chosen, positions = [np.arange(rows.n_samples)], []
        with numba_threads(get_config()["n_threads"]):
            for class_index, n_new in plan:
                class_rows = target.rows_of(class_index)
                index_key = stream_key(key, copy_stream(class_index))
                positions.append(bootstrap_positions(index_key, 0, n_new, class_rows.size))
                chosen.append(class_rows[positions[-1]])
        self.sample_indices_ = np.concatenate(chosen)
        y_out = target.extended(plan)
        if self.shrinkage_ is None:
            return rows.take(self.sample_indices_), y_out
        return self._smoothed(rows, target, key, plan, positions), y_out

    def _smoothed(self, rows: Rows, target: Target, key, plan: list, positions: list) -> Any:
        if hasattr(rows.data, "tocsr"):
            raise TypeError(
                "shrinkage adds noise to every feature, so the smoothed rows are dense: it "
                "needs dense numeric X (convert it with X.toarray() if it fits in memory); "
                "without shrinkage, sparse X is resampled as it is."
            )
        try:
            features = check_features(rows.data, rows.n_samples)
        except (TypeError, ValueError) as error:
            raise ValueError(
                "When shrinkage is not None, X needs to contain only numerical data to "
                f"later generate a smoothed bootstrap sample ({error})"
            ) from None
        out = np.empty((self.n_samples_out_, features.n_features), dtype=features.dtype)
        features.write_into(out)
        X = out[: rows.n_samples]
        check_finite(X)
        start = rows.n_samples
        with numba_threads(get_config()["n_threads"]):
            for (class_index, n_new), class_positions in zip(plan, positions, strict=True):
                X_class = X[target.rows_of(class_index)]
                label = to_python(target.classes[class_index])
                scale = smoothed_scale(X_class, self.shrinkage_[label], rows.n_samples)
                noise_key = stream_key(key, shrinkage_stream(class_index))
                smoothed_bootstrap(X_class, class_positions, noise_key, 0, scale, out, start)
                start += n_new
        return features.restore(out)


def smoothed_scale(X_class: np.ndarray, factor: float, n_samples: int) -> np.ndarray:
    """Per-feature noise scale of the smoothed bootstrap of one class (float64).

    ``X_class``: the class's rows as floats, in input row order (the standard deviation
    depends on the order of the sums); ``n_samples``: the number of input rows.
    """
    d = X_class.shape[1]
    constant = (4 / ((d + 2) * n_samples)) ** (1 / (d + 4))
    return factor * constant * X_class.std(axis=0, dtype=np.float64)
