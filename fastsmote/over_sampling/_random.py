"""RandomOverSampler: duplicate rows, or a smoothed bootstrap, reproducibly."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from scipy import sparse as sp

from .._config import get_config
from .._kernels.arrays import first_nonfinite_row
from .._kernels.sampling import (
    bootstrap_positions,
    csr_smoothed_bootstrap,
    csr_smoothed_counts,
    smoothed_bootstrap,
)
from .._memory import check_fits
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
    SparseFeatures,
    Target,
    check_features,
    check_finite,
    column_std,
    sparse_column_std,
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
    ``std`` the class's per-feature standard deviation; X must then be numeric. A
    sparse X stays sparse: a smoothed row stores its source row's entries and the
    features its class varies in (the only ones the noise changes).

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
        if self.shrinkage is not None:  # the smoothed bootstrap needs numeric X
            tags.input_tags.allow_nan = tags.input_tags.string = False
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
        try:
            features = check_features(rows.data, rows.n_samples, sparse=True)
        except (TypeError, ValueError) as error:
            raise ValueError(
                "When shrinkage is not None, X needs to contain only numerical data to "
                f"later generate a smoothed bootstrap sample ({error})"
            ) from None
        if features.sparse:
            return self._smoothed_sparse(features, target, key, plan, positions)
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
        check_smoothed_rows(out[rows.n_samples :])
        return features.restore(out)

    def _smoothed_sparse(
        self, features: SparseFeatures, target: Target, key, plan: list, positions: list
    ) -> Any:
        """The dense path's rows as one CSR matrix: each smoothed row holds its source
        row's entries and the class's columns with noise (a non-zero scale), with the
        dense kernel's values; nothing is densified."""
        M = features.matrix
        n_rows, d = M.shape
        jobs = []
        with numba_threads(get_config()["n_threads"]):
            for (class_index, _), class_positions in zip(plan, positions, strict=True):
                class_rows = target.rows_of(class_index)
                label = to_python(target.classes[class_index])
                std = sparse_column_std(M[class_rows])
                scale = scale_from_std(std, self.shrinkage_[label], n_rows)
                chosen = class_rows[class_positions]
                active = np.flatnonzero(scale)
                counts = csr_smoothed_counts(M.indices, M.indptr, chosen, active)
                noise_key = stream_key(key, shrinkage_stream(class_index))
                jobs.append((chosen, active, scale, noise_key, counts))
            lengths = np.concatenate([np.diff(M.indptr), *(job[-1] for job in jobs)])
            nnz = int(lengths.sum())
            index = np.int32 if max(nnz, d) < 2**31 else np.int64
            check_fits(
                nnz * (M.dtype.itemsize + np.dtype(index).itemsize) + 8 * lengths.size,
                f"The resampled data ({lengths.size:,} rows, {nnz:,} stored values, "
                "noise on every feature a class varies in)",
                "Lower sampling_strategy.",
            )
            indptr = np.zeros(lengths.size + 1, dtype=index)
            np.cumsum(lengths, out=indptr[1:])
            data, indices = np.empty(nnz, dtype=M.dtype), np.empty(nnz, dtype=index)
            data[: M.nnz], indices[: M.nnz] = M.data, M.indices
            first = n_rows
            for chosen, active, scale, noise_key, _ in jobs:
                rows_indptr = indptr[first : first + chosen.size + 1]
                csr_smoothed_bootstrap(M.data, M.indices, M.indptr, chosen, active, scale,
                                       noise_key, 0, d, rows_indptr, data, indices)  # fmt: skip
                first += chosen.size
        check_smoothed_rows(data[M.nnz :])
        out = sp.csr_matrix((data, indices, indptr), shape=(lengths.size, d))
        return features.restore(out)


def check_smoothed_rows(values: np.ndarray) -> None:
    """Raise if noise took a smoothed value (of ``values``, the smoothed rows or their
    stored values) beyond the dtype's range."""
    if values.size == 0:
        return
    bad = first_nonfinite_row(values.reshape(len(values), -1), 1 << 12)
    if bad >= 0:
        raise ValueError(
            f"RandomOverSampler(shrinkage=...): a smoothed row overflows "
            f"{values.dtype} (X's values come within the noise's reach of its largest "
            f"value, {np.finfo(values.dtype).max:.1e}). Scale the features first, or "
            "lower shrinkage."
        )


def smoothed_scale(X_class: np.ndarray, factor: float, n_samples: int) -> np.ndarray:
    """Per-feature noise scale of the smoothed bootstrap of one class (float64).

    ``X_class``: the class's rows as floats, in input row order (the standard deviation
    depends on the order of the sums); ``n_samples``: the number of input rows.
    """
    return scale_from_std(column_std(X_class), factor, n_samples)


def scale_from_std(std: np.ndarray, factor: float, n_samples: int) -> np.ndarray:
    """The noise scale from the class's per-feature standard deviation (float64)."""
    d = std.shape[0]
    constant = (4 / ((d + 2) * n_samples)) ** (1 / (d + 4))
    return factor * constant * std
